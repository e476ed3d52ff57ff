//! Opening meter readings (起始读数): the reading a house's meter showed when
//! its billing of a metered item began. A period reading's previous one is
//! the house's last reading before the period, else its opening; a house with
//! neither gets no reading saved and so no metered line (before openings, its
//! first bill charged the meter's whole counter).
//!
//! An opening is recorded once and never changed (the schema's trigger). The
//! desk records them from the readings page; the move-in flow calls
//! [`record_opening`] inside its own write, and reads [`last_reading`] and
//! [`metered_items`] for its final and initial readings.

use sqlx::AnyPool;

use super::parse_day;
use crate::billing::rules::{self, centi_text, parse_reading};
use crate::billing::{Choice, FeeKind, MissingOpening, OpeningSource, MISSING_OPENINGS_SHOWN};
use crate::common::{AuditAction, AuditEntity, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, OnUnique, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};

/// The estate's metered fee items (id, name), in the order they were set up.
pub async fn metered_items<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("select id, name from fee_item where estate_id = $1 and kind = $2 order by id")
        .bind(estate_id)
        .bind(FeeKind::Metered)
        .fetch_all(ex)
        .await
}

/// The house's latest period reading of a metered item (centi), else its
/// opening reading, else `None` (never read).
pub async fn last_reading<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
    fee_item_id: i64,
) -> sqlx::Result<Option<i64>> {
    let (last,): (Option<i64>,) = sqlx::query_as(
        "select coalesce(\
           (select reading_centi from meter_reading where house_id = $1 and fee_item_id = $2 \
            order by period desc limit 1), \
           (select reading_centi from meter_opening where house_id = $1 and fee_item_id = $2))",
    )
    .bind(house_id)
    .bind(fee_item_id)
    .fetch_one(ex)
    .await?;
    Ok(last)
}

/// The reading a period's reading counts from: the house's last reading
/// before `period`, else its opening reading; `None`: it has neither.
pub(super) async fn previous_for<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
    fee_item_id: i64,
    period: &str,
) -> sqlx::Result<Option<i64>> {
    let (previous,): (Option<i64>,) = sqlx::query_as(
        "select coalesce(\
           (select reading_centi from meter_reading where house_id = $1 and fee_item_id = $2 \
            and period < $3 order by period desc limit 1), \
           (select reading_centi from meter_opening where house_id = $1 and fee_item_id = $2))",
    )
    .bind(house_id)
    .bind(fee_item_id)
    .bind(period)
    .fetch_one(ex)
    .await?;
    Ok(previous)
}

/// An opening reading already on file.
#[derive(sqlx::FromRow)]
struct Existing {
    reading_centi: i64,
    read_on: String,
}

/// Records a house's opening reading of a metered item, read on `read_on`
/// (a desk day, not after today), inside the caller's write, with its audit
/// entry. Refused (field `reading`, naming the house): a second opening, a
/// negative one, an item that is not metered or is another estate's; a
/// malformed or future day is refused as field `read_on`.
#[allow(clippy::too_many_arguments)]
pub async fn record_opening(
    w: &mut Write,
    lang: Lang,
    house_id: i64,
    fee_item_id: i64,
    reading_centi: i64,
    read_on: &str,
    source: OpeningSource,
    by: Option<i64>,
) -> Result<(), AppError> {
    let house: Option<(i64, String)> =
        sqlx::query_as("select estate_id, number from house where id = $1")
            .bind(house_id)
            .fetch_optional(&mut **w)
            .await?;
    let (estate_id, number) = house.ok_or(AppError::NotFound)?;
    let refuse = |key: &str, extra: &[(&str, &str)]| {
        let mut args = vec![("house", number.as_str())];
        args.extend_from_slice(extra);
        AppError::field("reading", I18n(lang).f(key, &args))
    };
    let item: Option<(i64, FeeKind)> =
        sqlx::query_as("select estate_id, kind from fee_item where id = $1")
            .bind(fee_item_id)
            .fetch_optional(&mut **w)
            .await?;
    if !item.is_some_and(|(e, kind)| e == estate_id && kind == FeeKind::Metered) {
        return Err(refuse("billing.invalid.opening_item", &[]));
    }
    if reading_centi < 0 {
        return Err(refuse("billing.invalid.opening_negative", &[]));
    }
    let read_on = opening_day(lang, read_on)?;
    let existing: Option<Existing> = sqlx::query_as(
        "select reading_centi, read_on from meter_opening where house_id = $1 and fee_item_id = $2",
    )
    .bind(house_id)
    .bind(fee_item_id)
    .fetch_optional(&mut **w)
    .await?;
    if let Some(e) = existing {
        return Err(refuse(
            "billing.invalid.opening_exists",
            &[
                ("reading", &centi_text(e.reading_centi)),
                ("date", &e.read_on),
            ],
        ));
    }
    // Another write recording the same opening a moment before (PostgreSQL:
    // the check above does not lock): the unique (house, item) keeps one.
    let (id,): (i64,) = sqlx::query_as(
        "insert into meter_opening (estate_id, house_id, fee_item_id, reading_centi, read_on, source, entered_by, entered_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(fee_item_id)
    .bind(reading_centi)
    .bind(&read_on)
    .bind(source)
    .bind(by)
    .bind(time::now())
    .fetch_one(&mut **w)
    .await
    .on_unique(|| AppError::Conflict(tr(lang, "billing.invalid.opening_now")))?;
    w.audit(
        Change::new(AuditAction::RecordOpening, AuditEntity::MeterReading)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({
                "house_id": house_id, "fee_item_id": fee_item_id,
                "reading": centi_text(reading_centi), "read_on": read_on, "source": source,
            })),
    )
    .await?;
    Ok(())
}

/// The day an opening was read: a date, not after the desk's today.
fn opening_day(lang: Lang, text: &str) -> Result<String, AppError> {
    let day = time::date_to_db(parse_day(lang, "read_on", text)?);
    if day > time::desk_today() {
        return Err(AppError::field(
            "read_on",
            tr(lang, "billing.invalid.opening_future"),
        ));
    }
    Ok(day)
}

/// One opening typed into the readings page: the house and the reading.
#[derive(Debug, Clone, Default)]
pub struct OpeningEntry {
    pub house_id: i64,
    pub reading: String,
}

/// Records the desk's typed opening readings of one metered item, all read
/// on `read_on`, all or nothing; the refusals are listed by house number.
/// Empty entries are skipped. Returns how many were recorded.
#[allow(clippy::too_many_arguments)]
pub async fn save_openings(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    fee_item_id: i64,
    read_on: &str,
    entries: &[OpeningEntry],
    account_id: Option<i64>,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<usize, AppError> {
    if entries.len() > rules::MAX_HOUSES_PER_BUILDING {
        return Err(AppError::field(
            "openings",
            I18n(lang).f(
                "billing.invalid.readings_too_many",
                &[
                    ("max", &rules::MAX_HOUSES_PER_BUILDING.to_string()),
                    ("count", &entries.len().to_string()),
                ],
            ),
        ));
    }
    // The day is the form's one field: refused once, not once per house.
    opening_day(lang, read_on)?;
    let mut w = db.write(actor.clone()).await?;
    let item: Option<(i64,)> = sqlx::query_as("select estate_id from fee_item where id = $1")
        .bind(fee_item_id)
        .fetch_optional(&mut *w)
        .await?;
    let (estate_id,) = item.ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    let mut problems: Vec<String> = Vec::new();
    let mut saved = 0;
    for e in entries.iter().filter(|e| !e.reading.trim().is_empty()) {
        let house: Option<(i64, String)> =
            sqlx::query_as("select estate_id, number from house where id = $1")
                .bind(e.house_id)
                .fetch_optional(&mut *w)
                .await?;
        let Some((_, number)) = house.filter(|h| h.0 == estate_id) else {
            problems.push(tr(lang, "billing.invalid.not_this_house"));
            continue;
        };
        let Some(reading) = parse_reading(&e.reading) else {
            problems.push(I18n(lang).f("billing.invalid.reading_nan", &[("house", &number)]));
            continue;
        };
        // Each refusal is found before anything is written for its house, so
        // the write goes on to list the others; any other failure ends it.
        match record_opening(
            &mut w,
            lang,
            e.house_id,
            fee_item_id,
            reading,
            read_on,
            OpeningSource::Desk,
            account_id,
        )
        .await
        {
            Ok(()) => saved += 1,
            Err(AppError::Invalid(fields)) => {
                problems.extend(fields.into_iter().map(|f| f.message));
            }
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::field("openings", problems.join("；")));
    }
    w.commit().await?;
    Ok(saved)
}

/// The estate's billable houses (handed over) that have neither an opening
/// reading nor any reading of a metered item, with the item: the first
/// [`MISSING_OPENINGS_SHOWN`] in building and house order, and how many in all.
pub async fn missing_openings(
    pool: &AnyPool,
    estate_id: i64,
) -> sqlx::Result<(Vec<MissingOpening>, i64)> {
    const MISSING: &str = "from house h join fee_item f on f.estate_id = h.estate_id and f.kind = 'metered' \
         join building b on b.id = h.building_id \
         where h.estate_id = $1 and h.status <> 'not_handed_over' \
           and not exists (select 1 from meter_opening o where o.house_id = h.id and o.fee_item_id = f.id) \
           and not exists (select 1 from meter_reading m where m.house_id = h.id and m.fee_item_id = f.id)";
    let (total,): (i64,) = sqlx::query_as(&format!("select count(*) {MISSING}"))
        .bind(estate_id)
        .fetch_one(pool)
        .await?;
    if total == 0 {
        return Ok((Vec::new(), 0));
    }
    let list: Vec<MissingOpening> = sqlx::query_as(&format!(
        "select h.id as house_id, h.number, h.building_id, f.id as fee_item_id, f.name as item {MISSING} \
         order by f.id, length(b.code), b.code, h.entrance, h.floor, h.number limit $2"
    ))
    .bind(estate_id)
    .bind(MISSING_OPENINGS_SHOWN)
    .fetch_all(pool)
    .await?;
    Ok((list, total))
}
