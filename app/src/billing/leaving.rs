//! A leaving occupant's bill (迁出结算): what a move-out on a day adds to the
//! house's account, planned for the settlement screen and raised, the same
//! way, inside the move-out's write.
//!
//! - **The part month**: each area or fixed fee item pro-rated over the
//!   billable days of the move-out month up to the move-out day, less the
//!   days earlier move-outs this month billed already, as a line of its own
//!   (key `moveout:<case>`). The month's bill run bills the house only the
//!   rest of the month ([`super::run::moved_out_days`]). If the run billed the
//!   month already, the part month is split off that line
//!   (`bill_line_split`) — unless it was paid, and then the leaver paid to
//!   the month's end and nothing is added.
//! - **The final readings**: each is the house's reading of the move-out
//!   month, taken on the day, with its metered line; the next month's reading
//!   counts from it, so no unit is billed twice or missed.

use chrono::NaiveDate;

use super::basis::Basis;
use super::ledger::{house_lines, LineState};
use super::rules::{self, Period, Reading, RunHouse, StatusChange};
use super::FeeKind;
use crate::db::{time, LockOn, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::common::Lang;

/// A line the move-out raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub fee_item_id: i64,
    pub item_name: String,
    pub kind: FeeKind,
    pub amount_fen: i64,
    pub basis: Basis,
    /// The month's line (already billed by the run) the amount is split off.
    pub split_from: Option<i64>,
    /// A final reading: (previous, reading), centi.
    pub reading: Option<(i64, i64)>,
    /// The line's period: the move-out month (a final reading of a month
    /// read already: the next).
    pub period: Period,
    /// The reading is the move-out's own (written with the line); else it
    /// is the month's reading on file, whose line the move-out raises.
    pub new_reading: bool,
}

/// What a move-out on `through` adds, and what it leaves alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeavingBill {
    pub lines: Vec<PlannedLine>,
    /// Items whose month was paid to its end already (nothing is added).
    pub paid_to_month_end: Vec<String>,
}

/// A house's facts the bill needs.
#[derive(sqlx::FromRow)]
struct HouseRow {
    estate_id: i64,
    area_centi: i64,
    use_kind: String,
    status: String,
}

/// The leaving occupant's bill for a move-out on `through` (key `key`, the
/// case's), with the final readings `finals` (fee item, reading in centi).
/// Refused, as field `reading_<item>`: a reading below the last one, or a
/// month already read (its reading was entered before the move-out).
pub async fn plan(
    conn: &mut sqlx::AnyConnection,
    lang: Lang,
    house_id: i64,
    through: NaiveDate,
    key: &str,
    finals: &[(i64, i64)],
) -> Result<LeavingBill, AppError> {
    let house: HouseRow =
        sqlx::query_as("select estate_id, area_centi, use_kind, status from house where id = $1")
            .bind(house_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
    let period = Period::of(through);
    // The months before are the bill runs': a month not yet run would later be
    // billed whole to the house — the leaver's days to whoever comes next.
    let previous = Period::of(period.first_day() - chrono::Duration::days(1));
    let (runs, previous_run): (i64, i64) = sqlx::query_as(
        "select count(*), cast(coalesce(sum(case when period = $2 then 1 else 0 end), 0) as bigint) \
         from bill_run where estate_id = $1 and status = 'done'",
    )
    .bind(house.estate_id)
    .bind(previous.to_string())
    .fetch_one(&mut *conn)
    .await?;
    if runs > 0 && previous_run == 0 {
        return Err(AppError::Rule(I18n(lang).f(
            "billing.invalid.previous_unbilled",
            &[("period", &previous.to_string())],
        )));
    }
    let items = super::run::run_items_in(&mut *conn, house.estate_id).await?;
    let changes = house_changes(&mut *conn, house_id, period).await?;
    let billable = rules::billable_days_through(period, through, &house.status, &changes);
    let lines = house_lines(&mut *conn, house_id).await?;
    let names: Vec<(i64, String)> =
        sqlx::query_as("select id, name from fee_item where estate_id = $1")
            .bind(house.estate_id)
            .fetch_all(&mut *conn)
            .await?;
    let name_of = |id: i64| {
        names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let mut bill = LeavingBill::default();
    let in_month = |l: &&LineState, item: i64| l.fee_item_id == item && l.period == period.to_string();
    for item in items.iter().filter(|i| matches!(i.kind, FeeKind::Area | FeeKind::Fixed)) {
        let earlier: u32 = lines
            .iter()
            .filter(|l| in_month(l, item.id) && l.line_key.starts_with("moveout:") && l.line_key != key)
            .filter_map(|l| Basis::parse(&l.basis).and_then(|b| b.days()))
            .sum();
        let days = billable.saturating_sub(earlier);
        let part = RunHouse {
            id: house_id,
            area_centi: house.area_centi,
            use_kind: house.use_kind.clone(),
            billable_days: days,
        };
        let Some(computed) = rules::compute_line(item, &part, period, None) else {
            continue;
        };
        let month_line = lines
            .iter()
            .find(|l| in_month(l, item.id) && l.line_key.is_empty() && l.late_fee_of.is_none());
        let split_from = match month_line {
            None => None,
            Some(l) if l.settled.is_some() => {
                bill.paid_to_month_end.push(name_of(item.id));
                continue;
            }
            Some(l) if l.outstanding() >= computed.amount_fen => Some(l.id),
            // Less left on it than the part month (a waiver): the leaver pays it as it stands.
            Some(_) => continue,
        };
        if computed.amount_fen == 0 {
            continue;
        }
        bill.lines.push(PlannedLine {
            fee_item_id: item.id,
            item_name: name_of(item.id),
            kind: item.kind,
            amount_fen: computed.amount_fen,
            basis: computed.basis,
            split_from,
            reading: None,
            period,
            new_reading: false,
        });
    }
    for (item_id, reading) in finals {
        let Some(item) = items.iter().find(|i| i.id == *item_id && i.kind == FeeKind::Metered) else {
            continue;
        };
        let field = format!("reading_{item_id}");
        // The final reading is the reading of the move-out month — or, when the
        // month was read already (meters are read before the month ends), of
        // the next: the next reading then counts from it.
        let (latest,): (Option<String>,) = sqlx::query_as(
            "select max(period) from meter_reading where house_id = $1 and fee_item_id = $2",
        )
        .bind(house_id)
        .bind(item_id)
        .fetch_one(&mut *conn)
        .await?;
        let read_period = match latest.as_deref() {
            Some(p) if p == period.to_string() => {
                // The month's reading is the leaver's too: its line is raised
                // now if the run has not raised it (the run then adds none).
                let month: Option<(i64, i64)> = sqlx::query_as(
                    "select m.previous_centi, m.reading_centi from meter_reading m \
                     where m.house_id = $1 and m.fee_item_id = $2 and m.period = $3 \
                       and m.old_final_centi is null \
                       and not exists (select 1 from bill_line l where l.house_id = m.house_id \
                             and l.fee_item_id = m.fee_item_id and l.period = m.period and l.line_key = '')",
                )
                .bind(house_id)
                .bind(item_id)
                .bind(period.to_string())
                .fetch_optional(&mut *conn)
                .await?;
                if let Some((previous, reading)) = month {
                    let r = Reading {
                        previous,
                        reading,
                        old_final: None,
                        new_start: None,
                    };
                    let whole = RunHouse {
                        id: house_id,
                        area_centi: house.area_centi,
                        use_kind: house.use_kind.clone(),
                        billable_days: period.days(),
                    };
                    if let Some(computed) = rules::compute_line(item, &whole, period, Some(&r)) {
                        bill.lines.push(PlannedLine {
                            fee_item_id: item.id,
                            item_name: name_of(item.id),
                            kind: item.kind,
                            amount_fen: computed.amount_fen,
                            basis: computed.basis,
                            split_from: None,
                            reading: Some((previous, reading)),
                            period,
                            new_reading: false,
                        });
                    }
                }
                period.next()
            }
            Some(p) if p > period.to_string().as_str() => {
                return Err(AppError::field(
                    &field,
                    I18n(lang).f("billing.invalid.final_month_read", &[("period", p)]),
                ))
            }
            _ => period,
        };
        let Some(previous) = super::db::last_reading(&mut *conn, house_id, *item_id).await? else {
            // Never read: the house has no metered billing of this item to close.
            continue;
        };
        if *reading < previous {
            return Err(AppError::field(
                &field,
                I18n(lang).f(
                    "billing.invalid.final_below",
                    &[("previous", &rules::centi_text(previous))],
                ),
            ));
        }
        let r = Reading {
            previous,
            reading: *reading,
            old_final: None,
            new_start: None,
        };
        let whole = RunHouse {
            id: house_id,
            area_centi: house.area_centi,
            use_kind: house.use_kind.clone(),
            billable_days: period.days(),
        };
        let Some(computed) = rules::compute_line(item, &whole, read_period, Some(&r)) else {
            // No rate this month: the reading is still the month's, without a charge.
            bill.lines.push(PlannedLine {
                fee_item_id: item.id,
                item_name: name_of(item.id),
                kind: item.kind,
                amount_fen: 0,
                basis: Basis::OneOff { note: String::new() },
                split_from: None,
                reading: Some((previous, *reading)),
                period: read_period,
                new_reading: true,
            });
            continue;
        };
        bill.lines.push(PlannedLine {
            fee_item_id: item.id,
            item_name: name_of(item.id),
            kind: item.kind,
            amount_fen: computed.amount_fen,
            basis: computed.basis,
            split_from: None,
            reading: Some((previous, *reading)),
            period: read_period,
            new_reading: true,
        });
    }
    Ok(bill)
}

/// The house's status changes effective since `period` began, in order.
async fn house_changes(
    conn: &mut sqlx::AnyConnection,
    house_id: i64,
    period: Period,
) -> sqlx::Result<Vec<StatusChange>> {
    let rows: Vec<(Option<String>, String, String)> = sqlx::query_as(
        "select from_status, to_status, effective_on from house_status_change \
         where house_id = $1 and effective_on >= $2 order by effective_on, id",
    )
    .bind(house_id)
    .bind(time::date_to_db(period.first_day()))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(from, to, on)| {
            Some(StatusChange {
                on: NaiveDate::parse_from_str(&on, "%Y-%m-%d").ok()?,
                from,
                to,
            })
        })
        .collect())
}

/// Raises the leaving occupant's bill inside the move-out's write (the house
/// locked): the part-month lines (and their splits), the final readings as
/// the month's readings with their metered lines. Returns the ids of the
/// lines raised. `move_out_id` (the case) is recorded on each split.
#[allow(clippy::too_many_arguments)]
pub async fn raise_in(
    w: &mut Write,
    lang: Lang,
    house_id: i64,
    through: NaiveDate,
    key: &str,
    finals: &[(i64, i64)],
    move_out_id: Option<i64>,
) -> Result<(LeavingBill, Vec<i64>), AppError> {
    w.lock(LockOn::House(house_id)).await?;
    let (estate_id,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_one(&mut **w)
        .await?;
    // A run reads the days move-outs billed when it starts: none may be
    // added under it (its month line would bill them again). The lock keeps
    // a run from starting until this write is done.
    w.lock(LockOn::EstateBilling(estate_id)).await?;
    let running: Option<(i64,)> =
        sqlx::query_as("select id from bill_run where estate_id = $1 and status = 'running'")
            .bind(estate_id)
            .fetch_optional(&mut **w)
            .await?;
    if running.is_some() {
        return Err(AppError::Rule(tr(lang, "billing.invalid.run_running")));
    }
    let bill = plan(&mut **w, lang, house_id, through, key, finals).await?;
    let today = time::date_to_db(through);
    let now = time::now();
    let by = w.actor().account_id;
    let mut ids = Vec::new();
    for line in &bill.lines {
        let line_key = if let Some((previous, reading)) = line.reading {
            if !line.new_reading {
                // The month's reading on file: its line only, under the run's key.
                String::new()
            } else {
            sqlx::query(
                "insert into meter_reading (estate_id, house_id, fee_item_id, period, previous_centi, reading_centi, \
                                            entered_by, entered_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(estate_id)
            .bind(house_id)
            .bind(line.fee_item_id)
            .bind(line.period.to_string())
            .bind(previous)
            .bind(reading)
            .bind(by)
            .bind(&now)
            .execute(&mut **w)
            .await?;
            if line.amount_fen == 0 {
                continue;
            }
            // The month's metered line: the run finds it there and adds none.
            String::new()
            }
        } else {
            key.to_string()
        };
        let inserted: Option<(i64,)> = sqlx::query_as(
            "insert into bill_line (estate_id, house_id, fee_item_id, period, line_key, amount_fen, due_date, basis, \
                                    created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict do nothing returning id",
        )
        .bind(estate_id)
        .bind(house_id)
        .bind(line.fee_item_id)
        .bind(line.period.to_string())
        .bind(&line_key)
        .bind(line.amount_fen)
        .bind(&today)
        .bind(line.basis.to_json())
        .bind(by)
        .bind(&now)
        .fetch_optional(&mut **w)
        .await?;
        let Some((id,)) = inserted else {
            return Err(AppError::Conflict(tr(lang, "billing.invalid.leaving_billed")));
        };
        if let Some(from) = line.split_from {
            sqlx::query(
                "insert into bill_line_split (line_id, to_line_id, amount_fen, move_out_id, created_at) \
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(from)
            .bind(id)
            .bind(line.amount_fen)
            .bind(move_out_id)
            .bind(&now)
            .execute(&mut **w)
            .await?;
        }
        ids.push(id);
    }
    Ok((bill, ids))
}
