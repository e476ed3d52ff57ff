//! Bill runs (生成账单): one line per billable house, fee item and period.
//!
//! A run works through the estate's houses in chunks, one transaction each,
//! and records its progress after every chunk. Lines are inserted with
//! `on conflict do nothing` against the unique (house, item, period, key), so a
//! second run — or the rerun after a crash half way — creates only what is
//! missing. After the lines, houses with a prepaid balance settle what it covers.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::Row;
use std::collections::HashMap;
use std::str::FromStr;

use super::rules::{self, Period, Reading, RunHouse, RunItem, StatusChange};
use crate::audit::db::{self as audit, Actor, Change};
use crate::common::Lang;
use crate::db::{time, Backend, Database};
use crate::error::AppError;
use crate::i18n::{tr, I18n};

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
    let items = run_items(db, estate_id).await?;
    if !items
        .iter()
        .any(|i| i.rates.iter().any(|r| r.covers(period.first_day())))
    {
        return Err(AppError::field(
            "period",
            tr(lang, "billing.invalid.no_items"),
        ));
    }
    let mut tx = db.begin_write().await?;
    let now = time::now();
    let stale = time::to_db(chrono::Utc::now() - chrono::Duration::seconds(STALE_AFTER_SECS));
    sqlx::query(
        "update bill_run set status = 'failed', message = 'interrupted', finished_at = $1 \
         where estate_id = $2 and status = 'running' and heartbeat_at < $3",
    )
    .bind(&now)
    .bind(estate_id)
    .bind(&stale)
    .execute(&mut *tx)
    .await?;
    let running: Option<(i64,)> =
        sqlx::query_as("select id from bill_run where estate_id = $1 and status = 'running'")
            .bind(estate_id)
            .fetch_optional(&mut *tx)
            .await?;
    if running.is_some() {
        return Err(AppError::Rule(tr(lang, "billing.invalid.run_running")));
    }
    let (houses,): (i64,) = sqlx::query_as("select count(*) from house where estate_id = $1")
        .bind(estate_id)
        .fetch_one(&mut *tx)
        .await?;
    // The check above is not a lock on PostgreSQL (read committed): two starts
    // can both pass it. The schema keeps one running run per estate
    // (`bill_run_one_running`), so the second insert waits for the first to
    // commit and then fails; it is refused in the same words.
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "insert into bill_run (estate_id, period, status, houses_total, started_by, started_at, heartbeat_at) \
         values ($1, $2, 'running', $3, $4, $5, $5) returning id",
    )
    .bind(estate_id)
    .bind(period.to_string())
    .bind(houses)
    .bind(started_by)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok((id,)) => id,
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::Rule(tr(lang, "billing.invalid.run_running")))
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::BillRun,
            entity_id: Some(id.to_string()),
            action: crate::common::AuditAction::StartBillRun,
            before: None,
            after: Some(serde_json::json!({ "period": period.to_string() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks runs left `running` by a process that is gone as interrupted (the
/// server does this when it starts; `bill-run --take-over` for one estate).
pub async fn interrupt_running(db: &Database, estate_id: Option<i64>) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update bill_run set status = 'failed', message = 'interrupted', finished_at = $1 \
         where status = 'running' and ($2 = 0 or estate_id = $2)",
    )
    .bind(time::now())
    .bind(estate_id.unwrap_or(0))
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected())
}

/// Fee items billed by runs (not one-offs), with their rates.
pub async fn run_items(db: &Database, estate_id: i64) -> sqlx::Result<Vec<RunItem>> {
    let items: Vec<(i64, String, i64)> = sqlx::query_as(
        "select id, kind, due_days from fee_item where estate_id = $1 and kind <> 'one_off' order by id",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    let rates: Vec<(i64, i64, String, String, String, Option<String>)> = sqlx::query_as(
        "select r.id, r.fee_item_id, r.use_kind, r.rate, r.effective_from, r.effective_to \
         from fee_rate r join fee_item f on f.id = r.fee_item_id where f.estate_id = $1",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(items
        .into_iter()
        .map(|(id, kind, due_days)| RunItem {
            id,
            kind,
            due_days,
            rates: rates
                .iter()
                .filter(|r| r.1 == id)
                .filter_map(|r| to_rate(r.0, &r.2, &r.3, &r.4, r.5.as_deref()))
                .collect(),
        })
        .collect())
}

pub fn to_rate(
    id: i64,
    use_kind: &str,
    rate: &str,
    from: &str,
    to: Option<&str>,
) -> Option<rules::Rate> {
    Some(rules::Rate {
        id,
        use_kind: use_kind.to_string(),
        rate: Decimal::from_str(rate).ok()?,
        from: NaiveDate::parse_from_str(from, "%Y-%m-%d").ok()?,
        to: to.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()),
    })
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
        let _ = sqlx::query(
            "update bill_run set status = 'failed', message = $1, finished_at = $2 where id = $3",
        )
        .bind(e.to_string().chars().take(300).collect::<String>())
        .bind(time::now())
        .bind(run_id)
        .execute(&db.pool)
        .await;
    }
    result
}

async fn execute_inner(db: &Database, run_id: i64) -> Result<RunOutcome, AppError> {
    let started = std::time::Instant::now();
    let (estate_id, period_text): (i64, String) =
        sqlx::query_as("select estate_id, period from bill_run where id = $1")
            .bind(run_id)
            .fetch_one(&db.pool)
            .await?;
    let period = Period::parse(&period_text).ok_or_else(|| AppError::internal("bad period"))?;
    let items = run_items(db, estate_id).await?;
    let changes = status_changes(db, estate_id, period).await?;
    let readings = period_readings(db, estate_id, period).await?;
    let created_at = time::now();
    // One task reads houses a page at a time and computes their lines while
    // this one writes the page before: reading and writing overlap.
    let (sender, mut receiver) =
        tokio::sync::mpsc::channel::<Result<(usize, Vec<LineRow>), AppError>>(2);
    let producer = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut after = 0;
            loop {
                let page =
                    match house_page(&db, estate_id, period, &changes, after, CHUNK_HOUSES).await {
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
                let rows = compute_lines(&items, &page, period, &readings);
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
        let mut tx = db.begin_write().await?;
        let (created, amount) = insert_lines(
            &mut tx,
            db.backend,
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
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
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
        let mut tx = db.begin_write().await?;
        for (house_id,) in batch {
            outcome.prepaid_lines +=
                super::ledger::settle_from_prepaid(&mut tx, db.backend, *house_id, estate_id)
                    .await?;
        }
        sqlx::query("update bill_run set heartbeat_at = $1 where id = $2")
            .bind(time::now())
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    sqlx::query(
        "update bill_run set status = 'done', houses_done = houses_total, lines_created = $1, amount_fen = $2, \
         prepaid_lines = $3, finished_at = $4, heartbeat_at = $4 where id = $5 and status = 'running'",
    )
    .bind(outcome.lines_created)
    .bind(outcome.amount_fen)
    .bind(outcome.prepaid_lines)
    .bind(time::now())
    .bind(run_id)
    .execute(&db.pool)
    .await?;
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

/// The lines a page of houses owes for `period`.
pub fn compute_lines(
    items: &[RunItem],
    houses: &[RunHouse],
    period: Period,
    readings: &HashMap<(i64, i64), Reading>,
) -> Vec<LineRow> {
    let due: Vec<String> = items
        .iter()
        .map(|i| time::date_to_db(period.due_date(i.due_days)))
        .collect();
    let mut rows = Vec::with_capacity(houses.len() * items.len());
    for house in houses {
        for (item, due) in items.iter().zip(&due) {
            let reading = readings.get(&(house.id, item.id));
            if let Some(line) = rules::compute_line(item, house, period, reading) {
                rows.push(LineRow {
                    house_id: house.id,
                    fee_item_id: item.id,
                    amount_fen: line.amount_fen,
                    due_date: due.clone(),
                    basis: line.basis,
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
/// which made a 5,000-parameter statement quadratic (80% of a run's time).
#[allow(clippy::too_many_arguments)]
pub async fn insert_lines(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
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
        let created = q.execute(&mut *tx).await?.rows_affected();
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
        .fetch_one(&mut *tx)
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
        match backend {
            Backend::Sqlite => sql.push_str(&format!("({shared}, ?, ?, ?, ?, ?)")),
            Backend::Postgres => {
                let p = 1 + i * 5;
                sql.push_str(&format!(
                    "({shared}, ${}, ${}, ${}, ${}, ${})",
                    p,
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4
                ));
            }
        }
    }
    sql.push_str(" on conflict do nothing");
    sql
}

/// Status changes of the estate's houses since `period` began, by house, on
/// the desk day they happened (earlier ones do not change its days).
pub async fn status_changes(
    db: &Database,
    estate_id: i64,
    period: Period,
) -> sqlx::Result<HashMap<i64, Vec<StatusChange>>> {
    let since =
        time::local_day_start_utc(&time::date_to_db(period.first_day())).unwrap_or_default();
    let changes: Vec<(i64, Option<String>, String, String)> = sqlx::query_as(
        "select c.house_id, c.from_status, c.to_status, c.changed_at from house_status_change c \
         join house h on h.id = c.house_id where h.estate_id = $1 and c.changed_at >= $2 order by c.id",
    )
    .bind(estate_id)
    .bind(&since)
    .fetch_all(&db.pool)
    .await?;
    let mut by_house: HashMap<i64, Vec<StatusChange>> = HashMap::new();
    for (house_id, from, to, at) in changes {
        let Some(on) =
            time::from_db(&at).map(|t| t.with_timezone(&time::desk_offset()).date_naive())
        else {
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
    db: &Database,
    estate_id: i64,
    period: Period,
    changes: &HashMap<i64, Vec<StatusChange>>,
    after: i64,
    limit: usize,
) -> sqlx::Result<Vec<RunHouse>> {
    let rows = sqlx::query(
        "select id, area_centi, use_kind, status from house where estate_id = $1 and id > $2 order by id limit $3",
    )
    .bind(estate_id)
    .bind(after)
    .bind(limit as i64)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let id: i64 = r.get(0);
            let status: String = r.get(3);
            let days = match changes.get(&id) {
                Some(changes) => rules::billable_days(period, &status, changes),
                None if rules::is_billable(&status) => period.days(),
                None => 0,
            };
            RunHouse {
                id,
                area_centi: r.get(1),
                use_kind: r.get(2),
                billable_days: days,
            }
        })
        .collect())
}

/// All the estate's houses with their billable days (the benchmark's bare insert uses it).
pub async fn billable_houses(
    db: &Database,
    estate_id: i64,
    period: Period,
) -> sqlx::Result<Vec<RunHouse>> {
    let changes = status_changes(db, estate_id, period).await?;
    let mut all = Vec::new();
    loop {
        let after = all.last().map(|h: &RunHouse| h.id).unwrap_or(0);
        let page = house_page(db, estate_id, period, &changes, after, CHUNK_HOUSES).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

async fn period_readings(
    db: &Database,
    estate_id: i64,
    period: Period,
) -> sqlx::Result<HashMap<(i64, i64), Reading>> {
    type Row = (i64, i64, i64, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "select house_id, fee_item_id, previous_centi, reading_centi, old_final_centi, new_start_centi \
         from meter_reading where estate_id = $1 and period = $2",
    )
    .bind(estate_id)
    .bind(period.to_string())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(h, i, previous, reading, old_final, new_start)| {
            (
                (h, i),
                Reading {
                    previous,
                    reading,
                    old_final,
                    new_start,
                },
            )
        })
        .collect())
}

/// Raises a one-off charge (deposit, paid repair, other) on a house as a bill
/// line of its own, due `due_days` after today. `key` makes it idempotent
/// (e.g. `ticket:42`): raising the same key twice creates one line.
#[allow(clippy::too_many_arguments)]
pub async fn raise_one_off(
    db: &Database,
    actor: &Actor,
    account_id: Option<i64>,
    lang: Lang,
    house_id: i64,
    fee_item_id: i64,
    amount_fen: i64,
    key: &str,
    note: &str,
) -> Result<i64, AppError> {
    let mut tx = db.write(actor.clone()).await?;
    let id = raise_one_off_in(
        &mut tx,
        actor,
        account_id,
        lang,
        house_id,
        fee_item_id,
        amount_fen,
        key,
        note,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// [`raise_one_off`] inside the caller's write transaction, for a charge that
/// must stand or fall with another write (a paid repair's finish).
#[allow(clippy::too_many_arguments)]
pub async fn raise_one_off_in(
    tx: &mut crate::db::Write,
    actor: &Actor,
    account_id: Option<i64>,
    lang: Lang,
    house_id: i64,
    fee_item_id: i64,
    amount_fen: i64,
    key: &str,
    note: &str,
) -> Result<i64, AppError> {
    let (estate_id,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let item: Option<(String, i64, i64)> =
        sqlx::query_as("select kind, due_days, estate_id from fee_item where id = $1")
            .bind(fee_item_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((kind, due_days, item_estate)) = item else {
        return Err(AppError::field(
            "fee_item_id",
            tr(lang, "billing.invalid.item"),
        ));
    };
    if kind != "one_off" || item_estate != estate_id {
        return Err(AppError::field(
            "fee_item_id",
            tr(lang, "billing.invalid.item"),
        ));
    }
    let today = time::desk_today();
    let due = NaiveDate::parse_from_str(&today, "%Y-%m-%d").map_err(AppError::internal)?
        + chrono::Duration::days(due_days);
    let note: String = note.trim().chars().take(200).collect();
    let basis = serde_json::json!({ "kind": "one_off", "note": note }).to_string();
    let now = time::now();
    let inserted: Option<(i64,)> = sqlx::query_as(
        "insert into bill_line (estate_id, house_id, fee_item_id, period, line_key, amount_fen, due_date, basis, \
                                created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict do nothing returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(fee_item_id)
    .bind(&today[..7])
    .bind(key)
    .bind(amount_fen)
    .bind(time::date_to_db(due))
    .bind(&basis)
    .bind(account_id)
    .bind(&now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id,)) = inserted else {
        return Err(AppError::Conflict(
            I18n(lang).f("billing.invalid.one_off_exists", &[("key", key)]),
        ));
    };
    audit::record(
        &mut **tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::BillLine,
            entity_id: Some(id.to_string()),
            action: crate::common::AuditAction::RaiseCharge,
            before: None,
            after: Some(
                serde_json::json!({ "house_id": house_id, "amount_fen": amount_fen, "note": note }),
            ),
        },
    )
    .await?;
    Ok(id)
}
