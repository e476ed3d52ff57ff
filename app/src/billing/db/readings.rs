//! Meter readings (抄表): the grid a building's readings are typed into, the
//! readings it saves, and readings files with their row reports. A period's
//! readings are saved all or nothing, and never under a running bill run or
//! once billed. Each counts from the house's last reading before the period,
//! else its opening reading ([`super::openings`]); a house with neither is
//! refused until its opening is recorded.

use sqlx::AnyPool;

use super::openings::{metered_items, previous_for};
use super::this_month;
use crate::billing::rules::{self, centi_text, parse_reading, Period};
use crate::billing::{Choice, FeeKind, ReadingGrid, ReadingImport, ReadingRow, RunStatus};
use crate::common::{AuditAction, AuditEntity, EstateScope, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{scoped_estates, time, Database, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::sheet::read::{file_problem, FileProblem, RawRow};
use crate::sheet::Problem;

/// A house of the grid: its last reading before the period, its opening
/// reading, this period's reading if typed, and whether the period is billed already.
#[derive(sqlx::FromRow)]
struct GridRow {
    house_id: i64,
    number: String,
    before: Option<i64>,
    opening: Option<i64>,
    previous_now: Option<i64>,
    reading: Option<i64>,
    billed: i64,
}

/// The grid of the estate, metered item and building asked for (else the
/// first of each) for `period` (else this month).
pub async fn reading_grid(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted_estate: i64,
    fee_item_id: i64,
    building_id: i64,
    period: &str,
) -> sqlx::Result<ReadingGrid> {
    let (estates, estate_id) = scoped_estates(pool, scope, wanted_estate).await?;
    let items = metered_items(pool, estate_id).await?;
    let buildings: Vec<Choice> = sqlx::query_as(
        "select id, name from building where estate_id = $1 order by length(code), code",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let chosen = |list: &[Choice], wanted: i64| {
        list.iter()
            .find(|c| c.id == wanted)
            .or(list.first())
            .map(|c| c.id)
            .unwrap_or(0)
    };
    let item = chosen(&items, fee_item_id);
    let building = chosen(&buildings, building_id);
    let period = Period::parse(period).unwrap_or_else(|| {
        Period::parse(&this_month()).unwrap_or(Period {
            year: 2026,
            month: 1,
        })
    });
    let rows: Vec<GridRow> = sqlx::query_as(
        "select h.id as house_id, h.number, \
                (select m.reading_centi from meter_reading m where m.house_id = h.id and m.fee_item_id = $2 \
                   and m.period < $3 order by m.period desc limit 1) as before, \
                (select o.reading_centi from meter_opening o where o.house_id = h.id and o.fee_item_id = $2) as opening, \
                cur.previous_centi as previous_now, cur.reading_centi as reading, \
                (select count(*) from bill_line l where l.house_id = h.id and l.fee_item_id = $2 and l.period = $3 and l.line_key = '') as billed \
         from house h left join meter_reading cur on cur.house_id = h.id and cur.fee_item_id = $2 and cur.period = $3 \
         where h.building_id = $1 order by h.entrance, h.floor, h.number",
    )
    .bind(building)
    .bind(item)
    .bind(period.to_string())
    .fetch_all(pool)
    .await?;
    Ok(ReadingGrid {
        estate_id,
        estates,
        items,
        buildings,
        fee_item_id: item,
        building_id: building,
        period: period.to_string(),
        rows: rows
            .into_iter()
            .map(|r| {
                let previous = r.previous_now.or(r.before).or(r.opening);
                ReadingRow {
                    house_id: r.house_id,
                    number: r.number,
                    previous: previous.map(centi_text).unwrap_or_default(),
                    reading: r.reading.map(centi_text).unwrap_or_default(),
                    billed: r.billed > 0,
                    no_opening: previous.is_none(),
                }
            })
            .collect(),
        today: time::desk_today(),
    })
}

/// One typed reading: the house, the reading, and a replacement's two figures.
#[derive(Debug, Clone, Default)]
pub struct ReadingEntry {
    pub house_id: i64,
    pub reading: String,
    pub old_final: String,
    pub new_start: String,
}

/// Saves a period's readings for one metered item from the desk's grid, all
/// or nothing; the refusals are listed by house number.
#[allow(clippy::too_many_arguments)]
pub async fn save_readings(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    fee_item_id: i64,
    period_text: &str,
    entries: &[ReadingEntry],
    account_id: Option<i64>,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<usize, AppError> {
    let period = Period::parse(period_text)
        .ok_or_else(|| AppError::field("period", tr(lang, "billing.invalid.period")))?;
    // The grid saves one building's houses: more is not a grid's, and would
    // hold the write transaction for as long as it takes.
    if entries.len() > rules::MAX_HOUSES_PER_BUILDING {
        return Err(AppError::field(
            "readings",
            I18n(lang).f(
                "billing.invalid.readings_too_many",
                &[
                    ("max", &rules::MAX_HOUSES_PER_BUILDING.to_string()),
                    ("count", &entries.len().to_string()),
                ],
            ),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    let estate_id = metered_item_estate(&mut *w, lang, fee_item_id).await?;
    check_estate(estate_id)?;
    let (saved, problems) = write_readings(
        &mut w,
        lang,
        estate_id,
        fee_item_id,
        period,
        entries,
        account_id,
    )
    .await?;
    if !problems.is_empty() {
        return Err(AppError::field(
            "readings",
            problems
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("；"),
        ));
    }
    w.audit(
        Change::new(AuditAction::SaveReadings, AuditEntity::MeterReading)
            .id(fee_item_id)
            .estate(estate_id)
            .after(serde_json::json!({ "period": period.to_string(), "count": saved })),
    )
    .await?;
    w.commit().await?;
    Ok(saved)
}

/// The estate of a metered fee item; any other item is refused.
async fn metered_item_estate<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    lang: Lang,
    fee_item_id: i64,
) -> Result<i64, AppError> {
    let (estate_id, kind): (i64, FeeKind) =
        sqlx::query_as("select estate_id, kind from fee_item where id = $1")
            .bind(fee_item_id)
            .fetch_optional(ex)
            .await?
            .ok_or(AppError::NotFound)?;
    if kind != FeeKind::Metered {
        return Err(AppError::field(
            "fee_item_id",
            tr(lang, "billing.invalid.item"),
        ));
    }
    Ok(estate_id)
}

/// Checks and writes readings inside the caller's write; returns how many
/// were written and the refusals by entry index (the caller rolls back when
/// there are any).
async fn write_readings(
    w: &mut Write,
    lang: Lang,
    estate_id: i64,
    fee_item_id: i64,
    period: Period,
    entries: &[ReadingEntry],
    account_id: Option<i64>,
) -> Result<(usize, Vec<(usize, String)>), AppError> {
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut saved = 0;
    let now = time::now();
    // A run reads the period's readings when it starts: none may change under it.
    let running: Option<(i64,)> = sqlx::query_as(
        "select id from bill_run where estate_id = $1 and period = $2 and status = $3",
    )
    .bind(estate_id)
    .bind(period.to_string())
    .bind(RunStatus::Running)
    .fetch_optional(&mut **w)
    .await?;
    if running.is_some() {
        return Err(AppError::Rule(tr(lang, "billing.invalid.run_running")));
    }
    for (index, e) in entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.reading.trim().is_empty())
    {
        let house: Option<(i64, String)> =
            sqlx::query_as("select estate_id, number from house where id = $1")
                .bind(e.house_id)
                .fetch_optional(&mut **w)
                .await?;
        let Some((_, number)) = house.filter(|h| h.0 == estate_id) else {
            problems.push((index, tr(lang, "billing.invalid.not_this_house")));
            continue;
        };
        let Some(reading) = parse_reading(&e.reading) else {
            problems.push((
                index,
                I18n(lang).f("billing.invalid.reading_nan", &[("house", &number)]),
            ));
            continue;
        };
        let (old_final, new_start) = match (e.old_final.trim(), e.new_start.trim()) {
            ("", "") => (None, None),
            (o, s) => {
                let (o, s) = (parse_reading(o), parse_reading(s));
                if o.is_none() || s.is_none() {
                    problems.push((
                        index,
                        I18n(lang).f(
                            "billing.invalid.replacement_incomplete",
                            &[("house", &number)],
                        ),
                    ));
                    continue;
                }
                (o, s)
            }
        };
        let billed: (i64,) = sqlx::query_as(
            "select count(*) from bill_line where house_id = $1 and fee_item_id = $2 and period = $3 and line_key = ''",
        )
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .fetch_one(&mut **w)
        .await?;
        if billed.0 > 0 {
            problems.push((
                index,
                I18n(lang).f("billing.invalid.reading_billed", &[("house", &number)]),
            ));
            continue;
        }
        // Readings go in order: a later period read already (a move-out's
        // final reading) counted from the one before it.
        let later: (i64,) = sqlx::query_as(
            "select count(*) from meter_reading where house_id = $1 and fee_item_id = $2 and period > $3",
        )
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .fetch_one(&mut **w)
        .await?;
        if later.0 > 0 {
            problems.push((
                index,
                I18n(lang).f("billing.invalid.reading_later", &[("house", &number)]),
            ));
            continue;
        }
        // Counting from 0 would charge the meter's whole counter.
        let Some(previous) =
            previous_for(&mut **w, e.house_id, fee_item_id, &period.to_string()).await?
        else {
            problems.push((
                index,
                I18n(lang).f("billing.invalid.no_opening", &[("house", &number)]),
            ));
            continue;
        };
        let r = rules::Reading {
            previous,
            reading,
            old_final,
            new_start,
        };
        if let Err(err) = rules::check_reading(&r) {
            problems.push((
                index,
                I18n(lang).f(
                    err.key(),
                    &[("house", &number), ("previous", &centi_text(r.previous))],
                ),
            ));
            continue;
        }
        // A reading not yet billed may be typed again: the latest one counts.
        sqlx::query(
            "delete from meter_reading where house_id = $1 and fee_item_id = $2 and period = $3",
        )
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .execute(&mut **w)
        .await?;
        sqlx::query(
            "insert into meter_reading (estate_id, house_id, fee_item_id, period, previous_centi, reading_centi, \
                                        old_final_centi, new_start_centi, entered_by, entered_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(estate_id)
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .bind(r.previous)
        .bind(r.reading)
        .bind(r.old_final)
        .bind(r.new_start)
        .bind(account_id)
        .bind(&now)
        .execute(&mut **w)
        .await?;
        saved += 1;
    }
    Ok((saved, problems))
}

/// The columns of a readings file.
pub const READING_COLUMNS: [(&str, &str, &str); 4] = [
    ("house_number", "房号", "House number"),
    ("reading", "本次读数", "Reading"),
    ("old_final", "旧表止数", "Old meter final"),
    ("new_start", "新表起数", "New meter start"),
];

/// The header of a readings file's column, in `lang`.
fn header(lang: Lang, key: &str) -> String {
    READING_COLUMNS
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or_default()
        .to_string()
}

/// Imports a period's readings for one metered item from a file's rows, all or
/// nothing, and records the attempt with its row report; returns the attempt's id.
#[allow(clippy::too_many_arguments)]
pub async fn import_readings(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    fee_item_id: i64,
    period_text: &str,
    file_name: &str,
    read: Result<Vec<RawRow>, FileProblem>,
    account_id: Option<i64>,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<i64, AppError> {
    let period = Period::parse(period_text)
        .ok_or_else(|| AppError::field("period", tr(lang, "billing.invalid.period")))?;
    let mut w = db.write(actor.clone()).await?;
    let estate_id = metered_item_estate(&mut *w, lang, fee_item_id).await?;
    check_estate(estate_id)?;
    let mut problems: Vec<Problem> = Vec::new();
    let mut saved = 0;
    match read {
        Err(p) => problems.push(file_problem(lang, p)),
        Ok(rows) => {
            let mut entries = Vec::new();
            let mut origin = Vec::new();
            for row in &rows {
                let number = row.get("house_number").to_string();
                let house: Option<(i64,)> =
                    sqlx::query_as("select id from house where estate_id = $1 and number = $2")
                        .bind(estate_id)
                        .bind(&number)
                        .fetch_optional(&mut *w)
                        .await?;
                let Some((house_id,)) = house else {
                    problems.push(Problem {
                        sheet: row.sheet.clone(),
                        row: row.row,
                        column: header(lang, "house_number"),
                        reason: I18n(lang)
                            .f("billing.invalid.no_such_house", &[("house", &number)]),
                    });
                    continue;
                };
                if row.get("reading").is_empty() {
                    problems.push(Problem {
                        sheet: row.sheet.clone(),
                        row: row.row,
                        column: header(lang, "reading"),
                        reason: I18n(lang).f("billing.invalid.reading_nan", &[("house", &number)]),
                    });
                    continue;
                }
                entries.push(ReadingEntry {
                    house_id,
                    reading: row.get("reading").to_string(),
                    old_final: row.get("old_final").to_string(),
                    new_start: row.get("new_start").to_string(),
                });
                origin.push(row);
            }
            let (n, refused) = write_readings(
                &mut w,
                lang,
                estate_id,
                fee_item_id,
                period,
                &entries,
                account_id,
            )
            .await?;
            saved = n;
            for (index, reason) in refused {
                let row = origin[index];
                problems.push(Problem {
                    sheet: row.sheet.clone(),
                    row: row.row,
                    column: header(lang, "reading"),
                    reason,
                });
            }
            if rows.is_empty() {
                problems.push(Problem {
                    sheet: String::new(),
                    row: 0,
                    column: String::new(),
                    reason: tr(lang, "billing.invalid.empty_file"),
                });
            }
        }
    }
    problems.sort_by_key(|p| p.row);
    let imported = problems.is_empty();
    if !imported {
        // Nothing of the file is kept: only the attempt and its report.
        drop(w);
        w = db.write(actor.clone()).await?;
        saved = 0;
    }
    let (id,): (i64,) = sqlx::query_as(
        "insert into reading_import (estate_id, fee_item_id, period, file_name, status, readings, problems, created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(estate_id)
    .bind(fee_item_id)
    .bind(period.to_string())
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(if imported { "imported" } else { "rejected" })
    .bind(saved as i64)
    .bind(serde_json::to_string(&problems).map_err(AppError::internal)?)
    .bind(account_id)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await?;
    let action = if imported {
        AuditAction::ImportReadings
    } else {
        AuditAction::RejectReadings
    };
    w.audit(
        Change::new(action, AuditEntity::MeterReading)
            .id(fee_item_id)
            .estate(estate_id)
            .after(serde_json::json!({
                "period": period.to_string(), "file": file_name, "count": saved,
                "problems": problems.len(),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// A readings file's attempt as stored.
#[derive(sqlx::FromRow)]
struct ImportRow {
    estate_id: i64,
    file_name: String,
    status: String,
    period: String,
    readings: i64,
    problems: String,
}

/// An import attempt's report and its estate.
pub async fn reading_import(pool: &AnyPool, id: i64) -> sqlx::Result<Option<(i64, ReadingImport)>> {
    let row: Option<ImportRow> = sqlx::query_as(
        "select estate_id, file_name, status, period, readings, problems from reading_import where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        (
            r.estate_id,
            ReadingImport {
                id,
                file_name: r.file_name,
                imported: r.status == "imported",
                period: r.period,
                readings: r.readings,
                problems: serde_json::from_str(&r.problems).unwrap_or_default(),
            },
        )
    }))
}
