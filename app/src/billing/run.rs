//! Bill runs (生成账单): one line per billable house, fee item and period.
//!
//! A run works through the estate's houses in chunks, one transaction each,
//! and records its progress after every chunk. Lines are inserted with
//! `on conflict do nothing` against the unique (house, item, period, key), so a
//! second run — or the rerun after a crash half way — creates only what is
//! missing. After the lines, houses with a prepaid balance settle what it covers.
//!
//! One-off charges (a deposit, a paid repair) are lines too, raised one at a
//! time ([`super::charge`]; re-exported here, where other areas look for them).

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::AnyPool;

pub use super::charge::{raise_one_off, raise_one_off_in};

use super::basis::Basis;
use super::db::fees::RateRow;
use super::rules::{self, Period, Reading, RunHouse, RunItem, StatusChange};
use super::{ledger, FeeKind, RunStatus};
use crate::common::{AuditAction, AuditEntity, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Backend, Database, OnUnique, Write};
use crate::error::AppError;
use crate::i18n::tr;

/// Houses per transaction.
pub const CHUNK_HOUSES: usize = 5_000;
/// Lines per insert statement (5 bound values each; SQLite allows 32,766).
const ROWS_PER_STATEMENT: usize = 1_000;
/// A running run whose heartbeat is older than this died (a crash, a kill).
const STALE_AFTER_SECS: i64 = 120;

/// Checks a run request and records the run; `execute` does the work.
pub async fn start(
    db: &Database,
    actor: &Actor,
    started_by: Option<i64>,
    lang: Lang,
    estate_id: i64,
    period_text: &str,
) -> Result<i64, AppError> {
    let period = Period::parse(period_text)
        .ok_or_else(|| AppError::field("period", tr(lang, "billing.invalid.period")))?;
    let today =
        NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").map_err(AppError::internal)?;
    if period > Period::of(today) {
        return Err(AppError::field(
            "period",
            tr(lang, "billing.invalid.period_future"),
        ));
    }
    let items = run_items(&db.pool, estate_id).await?;
    if !items
        .iter()
        .any(|i| i.rates.iter().any(|r| r.covers(period.first_day())))
    {
        return Err(AppError::field(
            "period",
            tr(lang, "billing.invalid.no_items"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    // A move-out billing its part month waits, or is refused while this runs.
    w.lock(crate::db::LockOn::EstateBilling(estate_id)).await?;
    let now = time::now();
    let stale = time::to_db(chrono::Utc::now() - chrono::Duration::seconds(STALE_AFTER_SECS));
    sqlx::query(
        "update bill_run set status = 'failed', message = 'interrupted', finished_at = $1 \
         where estate_id = $2 and status = 'running' and heartbeat_at < $3",
    )
    .bind(&now)
    .bind(estate_id)
    .bind(&stale)
    .execute(&mut *w)
    .await?;
    let running: Option<(i64,)> =
        sqlx::query_as("select id from bill_run where estate_id = $1 and status = 'running'")
            .bind(estate_id)
            .fetch_optional(&mut *w)
            .await?;
    if running.is_some() {
        return Err(AppError::Rule(tr(lang, "billing.invalid.run_running")));
    }
    let (houses,): (i64,) = sqlx::query_as("select count(*) from house where estate_id = $1")
        .bind(estate_id)
        .fetch_one(&mut *w)
        .await?;
    // The check above is not a lock on PostgreSQL (read committed): two starts
    // can both pass it. The schema keeps one running run per estate
    // (`bill_run_one_running`), so the second insert waits for the first to
    // commit and then fails; it is refused in the same words.
    let (id,): (i64,) = sqlx::query_as(
        "insert into bill_run (estate_id, period, status, houses_total, started_by, started_at, heartbeat_at) \
         values ($1, $2, $3, $4, $5, $6, $6) returning id",
    )
    .bind(estate_id)
    .bind(period.to_string())
    .bind(RunStatus::Running)
    .bind(houses)
    .bind(started_by)
    .bind(&now)
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::Rule(tr(lang, "billing.invalid.run_running")))?;
    w.audit(
        Change::new(AuditAction::StartBillRun, AuditEntity::BillRun)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({ "period": period.to_string() })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Marks runs left `running` by a process that is gone as interrupted (the
/// server does this when it starts; `bill-run --take-over` for one estate).
pub async fn interrupt_running(db: &Database, estate_id: Option<i64>) -> sqlx::Result<u64> {
    let mut w = db.write(Actor::system("bill run")).await?;
    let done = sqlx::query(
        "update bill_run set status = 'failed', message = 'interrupted', finished_at = $1 \
         where status = 'running' and ($2 = 0 or estate_id = $2)",
    )
    .bind(time::now())
    .bind(estate_id.unwrap_or(0))
    .execute(&mut *w)
    .await?;
    w.commit().await?;
    Ok(done.rows_affected())
}

/// Fee items billed by runs (not one-offs), with their rates.
pub async fn run_items(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<RunItem>> {
    let mut conn = pool.acquire().await?;
    run_items_in(&mut conn, estate_id).await
}

/// [`run_items`] on one connection (a write's: a move-out bills inside its own).
pub async fn run_items_in(
    conn: &mut sqlx::AnyConnection,
    estate_id: i64,
) -> sqlx::Result<Vec<RunItem>> {
    let items: Vec<(i64, FeeKind, i64)> = sqlx::query_as(
        "select id, kind, due_days from fee_item where estate_id = $1 and kind <> $2 order by id",
    )
    .bind(estate_id)
    .bind(FeeKind::OneOff)
    .fetch_all(&mut *conn)
    .await?;
    let rates: Vec<RateRow> = sqlx::query_as(
        "select r.id, r.fee_item_id, r.use_kind, r.rate, r.effective_from, r.effective_to \
         from fee_rate r join fee_item f on f.id = r.fee_item_id where f.estate_id = $1",
    )
    .bind(estate_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(items
        .into_iter()
        .map(|(id, kind, due_days)| RunItem {
            id,
            kind,
            due_days,
            rates: rates
                .iter()
                .filter(|r| r.fee_item_id == id)
                .filter_map(RateRow::rate)
                .collect(),
        })
        .collect())
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunOutcome {
    pub houses: i64,
    pub lines_created: i64,
    pub amount_fen: i64,
    pub prepaid_lines: i64,
}

/// Does the run's work; safe to call again for the same estate and period.
pub async fn execute(db: &Database, run_id: i64) -> Result<RunOutcome, AppError> {
    let result = execute_inner(db, run_id).await;
    if let Err(e) = &result {
        // Best effort: the run stays `running` until its heartbeat goes stale otherwise.
        let _ = mark_failed(db, run_id, &e.to_string()).await;
    }
    result
}

/// The run's own writes (progress, heartbeat) have no audit entry: starting
/// it was the audited act.
fn run_writer() -> Actor {
    Actor::system("bill run")
}

async fn mark_failed(db: &Database, run_id: i64, message: &str) -> sqlx::Result<()> {
    let mut w = db.write(run_writer()).await?;
    sqlx::query(
        "update bill_run set status = 'failed', message = $1, finished_at = $2 where id = $3",
    )
    .bind(message.chars().take(300).collect::<String>())
    .bind(time::now())
    .bind(run_id)
    .execute(&mut *w)
    .await?;
    w.commit().await
}

async fn execute_inner(db: &Database, run_id: i64) -> Result<RunOutcome, AppError> {
    let started = std::time::Instant::now();
    let (estate_id, period_text): (i64, String) =
        sqlx::query_as("select estate_id, period from bill_run where id = $1")
            .bind(run_id)
            .fetch_one(&db.pool)
            .await?;
    let period = Period::parse(&period_text).ok_or_else(|| AppError::internal("bad period"))?;
    let items = run_items(&db.pool, estate_id).await?;
    let changes = status_changes(&db.pool, estate_id, period).await?;
    let readings = period_readings(&db.pool, estate_id, period).await?;
    let moved = moved_out_days(&db.pool, estate_id, period).await?;
    let created_at = time::now();
    // One task reads houses a page at a time and computes their lines while
    // this one writes the page before: reading and writing overlap.
    let (sender, mut receiver) =
        tokio::sync::mpsc::channel::<Result<(usize, Vec<LineRow>), AppError>>(2);
    let producer = {
        let pool = db.pool.clone();
        tokio::spawn(async move {
            let mut after = 0;
            loop {
                let page = match house_page(&pool, estate_id, period, &changes, after, CHUNK_HOUSES)
                    .await
                {
                    Ok(page) => page,
                    Err(e) => {
                        let _ = sender.send(Err(e.into())).await;
                        return;
                    }
                };
                let Some(last) = page.last() else {
                    return;
                };
                after = last.id;
                let rows = compute_lines(&items, &page, period, &readings, &moved);
                if sender.send(Ok((page.len(), rows))).await.is_err() {
                    return;
                }
            }
        })
    };
    let mut outcome = RunOutcome::default();
    while let Some(page) = receiver.recv().await {
        let (houses, rows) = page?;
        outcome.houses += houses as i64;
        let mut w = db.write(run_writer()).await?;
        let (created, amount) = insert_lines(
            &mut w,
            "bill_line",
            estate_id,
            period,
            run_id,
            &created_at,
            &rows,
        )
        .await?;
        outcome.lines_created += created as i64;
        outcome.amount_fen += amount;
        sqlx::query(
            "update bill_run set houses_done = $1, lines_created = $2, amount_fen = $3, heartbeat_at = $4 where id = $5",
        )
        .bind(outcome.houses)
        .bind(outcome.lines_created)
        .bind(outcome.amount_fen)
        .bind(time::now())
        .bind(run_id)
        .execute(&mut *w)
        .await?;
        w.commit().await?;
    }
    let _ = producer.await;
    let lines_done = started.elapsed();
    // The prepaid balance settles what it covers, a batch of houses per transaction.
    let with_balance: Vec<(i64,)> = sqlx::query_as(
        "select house_id from prepaid_entry where estate_id = $1 group by house_id having sum(amount_fen) > 0",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    for batch in with_balance.chunks(200) {
        let mut w = db.write(run_writer()).await?;
        for (house_id,) in batch {
            outcome.prepaid_lines +=
                ledger::settle_from_prepaid(&mut w, *house_id, estate_id).await?;
        }
        sqlx::query("update bill_run set heartbeat_at = $1 where id = $2")
            .bind(time::now())
            .bind(run_id)
            .execute(&mut *w)
            .await?;
        w.commit().await?;
    }
    let mut w = db.write(run_writer()).await?;
    sqlx::query(
        "update bill_run set status = 'done', houses_done = houses_total, lines_created = $1, amount_fen = $2, \
         prepaid_lines = $3, finished_at = $4, heartbeat_at = $4 where id = $5 and status = 'running'",
    )
    .bind(outcome.lines_created)
    .bind(outcome.amount_fen)
    .bind(outcome.prepaid_lines)
    .bind(time::now())
    .bind(run_id)
    .execute(&mut *w)
    .await?;
    w.commit().await?;
    tracing::info!(
        run = run_id,
        estate = estate_id,
        period = %period,
        houses = outcome.houses,
        lines = outcome.lines_created,
        prepaid = outcome.prepaid_lines,
        lines_ms = lines_done.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "bill run done"
    );
    Ok(outcome)
}

/// The lines a page of houses owes for `period`. `moved` holds, by (house,
/// item), the days of the period a move-out billed already to the occupant
/// who left ([`moved_out_days`]): the month's line bills only the rest.
pub fn compute_lines(
    items: &[RunItem],
    houses: &[RunHouse],
    period: Period,
    readings: &HashMap<(i64, i64), Reading>,
    moved: &HashMap<(i64, i64), u32>,
) -> Vec<LineRow> {
    let due: Vec<String> = items
        .iter()
        .map(|i| time::date_to_db(period.due_date(i.due_days)))
        .collect();
    let mut rows = Vec::with_capacity(houses.len() * items.len());
    for house in houses {
        for (item, due) in items.iter().zip(&due) {
            let reading = readings.get(&(house.id, item.id));
            let line = match moved.get(&(house.id, item.id)) {
                Some(days) => {
                    let rest = RunHouse {
                        billable_days: house.billable_days.saturating_sub(*days),
                        ..house.clone()
                    };
                    rules::compute_line(item, &rest, period, reading)
                }
                None => rules::compute_line(item, house, period, reading),
            };
            if let Some(line) = line {
                rows.push(LineRow {
                    house_id: house.id,
                    fee_item_id: item.id,
                    amount_fen: line.amount_fen,
                    due_date: due.clone(),
                    basis: line.basis.to_json(),
                });
            }
        }
    }
    rows
}

/// A computed line on its way into the table.
#[derive(Debug, Clone)]
pub struct LineRow {
    pub house_id: i64,
    pub fee_item_id: i64,
    pub amount_fen: i64,
    pub due_date: String,
    /// The line's [`super::basis::Basis`], as stored.
    pub basis: String,
}

/// Inserts lines in multi-row statements; a line already there is skipped.
/// Returns how many were written and their amount. `rows` holds whole houses
/// in id order; `table` is `bill_line` (or, for the benchmark's bare insert, a copy of its shape).
///
/// The values every line of a run shares (estate, period, run, time) are
/// written into the statement once — they are ours, not typed by anyone: ids,
/// a period that parsed as `YYYY-MM`, a timestamp we formatted. Each line binds
/// five values. On SQLite the placeholders are plain `?`: sqlx asks SQLite for
/// the name of every numbered parameter (`$n`), a linear search per parameter,
/// which made a 5,000-parameter statement quadratic (80% of a run's time);
/// [`crate::db::Backend::params`] writes them for each engine.
pub async fn insert_lines(
    w: &mut Write,
    table: &str,
    estate_id: i64,
    period: Period,
    run_id: i64,
    created_at: &str,
    rows: &[LineRow],
) -> sqlx::Result<(u64, i64)> {
    debug_assert!(created_at
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b":.-".contains(&b)));
    let shared = format!("{estate_id}, '{period}', {run_id}, '{created_at}'");
    let mut inserted = 0;
    let mut all_new = true;
    let mut full_sql: Option<String> = None;
    let backend = w.backend();
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = if part.len() == ROWS_PER_STATEMENT {
            full_sql
                .get_or_insert_with(|| insert_sql(backend, table, &shared, part.len()))
                .clone()
        } else {
            insert_sql(backend, table, &shared, part.len())
        };
        let mut q = sqlx::query(&sql);
        for r in part {
            q = q
                .bind(r.house_id)
                .bind(r.fee_item_id)
                .bind(r.amount_fen)
                .bind(r.due_date.as_str())
                .bind(r.basis.as_str());
        }
        let created = q.execute(&mut **w).await?.rows_affected();
        inserted += created;
        all_new &= created == part.len() as u64;
    }
    let amount = if all_new {
        rows.iter().map(|r| r.amount_fen).sum::<i64>()
    } else if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        // Some lines were there already (a rerun): count what this run wrote
        // for these houses (`rows` holds whole houses, in id order).
        let (sum,): (i64,) = sqlx::query_as(&format!(
            "select cast(coalesce(sum(amount_fen), 0) as bigint) from {table} \
             where house_id between $1 and $2 and run_id = $3"
        ))
        .bind(first.house_id)
        .bind(last.house_id)
        .bind(run_id)
        .fetch_one(&mut **w)
        .await?;
        sum
    } else {
        0
    };
    Ok((inserted, amount))
}

fn insert_sql(backend: Backend, table: &str, shared: &str, rows: usize) -> String {
    let mut sql = format!(
        "insert into {table} (estate_id, period, run_id, created_at, house_id, fee_item_id, amount_fen, due_date, basis) values "
    );
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("({shared}, {})", backend.params(1 + i * 5, 5)));
    }
    sql.push_str(" on conflict do nothing");
    sql
}

/// Status changes of the estate's houses that took effect since `period`
/// began, by house, in order of effect, each on its effective date (生效日期;
/// earlier ones do not change its days). A change recorded later than it
/// took effect counts from the day it took effect. A backdated change into a
/// month already billed does not re-bill it: a rerun of that month only adds
/// the lines it lacks (a house that became billable gets its line; one
/// already billed keeps its line as it was).
pub async fn status_changes(
    pool: &AnyPool,
    estate_id: i64,
    period: Period,
) -> sqlx::Result<HashMap<i64, Vec<StatusChange>>> {
    let since = time::date_to_db(period.first_day());
    let changes: Vec<(i64, Option<String>, String, String)> = sqlx::query_as(
        "select c.house_id, c.from_status, c.to_status, c.effective_on from house_status_change c \
         join house h on h.id = c.house_id where h.estate_id = $1 and c.effective_on >= $2 \
         order by c.effective_on, c.id",
    )
    .bind(estate_id)
    .bind(&since)
    .fetch_all(pool)
    .await?;
    let mut by_house: HashMap<i64, Vec<StatusChange>> = HashMap::new();
    for (house_id, from, to, effective_on) in changes {
        let Ok(on) = NaiveDate::parse_from_str(&effective_on, "%Y-%m-%d") else {
            continue;
        };
        by_house
            .entry(house_id)
            .or_default()
            .push(StatusChange { on, from, to });
    }
    Ok(by_house)
}

/// Up to `limit` of the estate's houses after id `after`, with the days of
/// `period` each was billable.
pub async fn house_page(
    pool: &AnyPool,
    estate_id: i64,
    period: Period,
    changes: &HashMap<i64, Vec<StatusChange>>,
    after: i64,
    limit: usize,
) -> sqlx::Result<Vec<RunHouse>> {
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "select id, area_centi, use_kind, status from house where estate_id = $1 and id > $2 order by id limit $3",
    )
    .bind(estate_id)
    .bind(after)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, area_centi, use_kind, status)| {
            let days = match changes.get(&id) {
                Some(changes) => rules::billable_days(period, &status, changes),
                None if rules::is_billable(&status) => period.days(),
                None => 0,
            };
            RunHouse {
                id,
                area_centi,
                use_kind,
                billable_days: days,
            }
        })
        .collect())
}

/// All the estate's houses with their billable days (the benchmark's bare insert uses it).
pub async fn billable_houses(
    pool: &AnyPool,
    estate_id: i64,
    period: Period,
) -> sqlx::Result<Vec<RunHouse>> {
    let changes = status_changes(pool, estate_id, period).await?;
    let mut all = Vec::new();
    loop {
        let after = all.last().map(|h: &RunHouse| h.id).unwrap_or(0);
        let page = house_page(pool, estate_id, period, &changes, after, CHUNK_HOUSES).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

/// The days of `period` move-outs billed to the occupants who left, by
/// (house, item): their part-month lines (key `moveout:<case>`, basis with
/// days) — the rest of the month is the house's next occupant's.
pub async fn moved_out_days(
    pool: &AnyPool,
    estate_id: i64,
    period: Period,
) -> sqlx::Result<HashMap<(i64, i64), u32>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "select house_id, fee_item_id, basis from bill_line \
         where estate_id = $1 and period = $2 and line_key like 'moveout:%'",
    )
    .bind(estate_id)
    .bind(period.to_string())
    .fetch_all(pool)
    .await?;
    let mut days: HashMap<(i64, i64), u32> = HashMap::new();
    for (house, item, basis) in rows {
        if let Some(d) = Basis::parse(&basis).and_then(|b| b.days()) {
            *days.entry((house, item)).or_default() += d;
        }
    }
    Ok(days)
}

/// A house's reading of a metered item for the period.
#[derive(sqlx::FromRow)]
struct ReadingRow {
    house_id: i64,
    fee_item_id: i64,
    previous_centi: i64,
    reading_centi: i64,
    old_final_centi: Option<i64>,
    new_start_centi: Option<i64>,
}

async fn period_readings(
    pool: &AnyPool,
    estate_id: i64,
    period: Period,
) -> sqlx::Result<HashMap<(i64, i64), Reading>> {
    let rows: Vec<ReadingRow> = sqlx::query_as(
        "select house_id, fee_item_id, previous_centi, reading_centi, old_final_centi, new_start_centi \
         from meter_reading where estate_id = $1 and period = $2",
    )
    .bind(estate_id)
    .bind(period.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                (r.house_id, r.fee_item_id),
                Reading {
                    previous: r.previous_centi,
                    reading: r.reading_centi,
                    old_final: r.old_final_centi,
                    new_start: r.new_start_centi,
                },
            )
        })
        .collect())
}
