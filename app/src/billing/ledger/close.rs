//! The daily close (日结): a clerk's takings for a day, frozen once closed;
//! no payment or reversal joins a closed day. Besides money in, a day has
//! money out: deposits paid back (退押金) and their reversals, and the
//! deductions kept from deposits — held money become income.

use crate::billing::PayMethod;
use crate::common::{AuditAction, AuditEntity, EstateScope, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{estate_filter, time, Database, LockOn};
use crate::error::AppError;

/// A clerk's takings for a day: payments by method, reversals, totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayTotals {
    pub payments_count: i64,
    pub received_fen: i64,
    pub reversals_count: i64,
    pub reversed_fen: i64,
    /// By method, in [`PayMethod::ALL`]'s order; methods not used are absent.
    pub by_method: Vec<(PayMethod, i64)>,
    /// Of what was received and not reversed, deposits (押金): money held, not takings.
    pub held_fen: i64,
    /// Deposits paid back that day (money out; onto the prepaid balance too), and
    /// refunds of the clerk's paid in cash or by transfer reversed that day (the
    /// money back in; a prepaid refund's reversal takes it off the balance instead).
    pub refunds_count: i64,
    pub refunded_fen: i64,
    /// Of the refunds, put on houses' prepaid balances: no money left the drawer.
    pub refunded_prepaid_fen: i64,
    pub refund_reversed_fen: i64,
    /// Deductions kept from deposits by the day's refunds: held money become income.
    pub deducted_fen: i64,
}

/// Whether the clerk closed `day` already.
pub async fn day_closed<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    clerk_id: i64,
    day: &str,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("select id from daily_close where clerk_id = $1 and business_day = $2")
            .bind(clerk_id)
            .bind(day)
            .fetch_optional(ex)
            .await?;
    Ok(row.is_some())
}

/// `scope`: only the takings of these estates (a manager's view of a clerk
/// who also works elsewhere); `None` for the clerk's whole day.
pub async fn day_totals(
    conn: &mut sqlx::AnyConnection,
    clerk_id: i64,
    day: &str,
    scope: Option<&EstateScope>,
) -> sqlx::Result<DayTotals> {
    let only = scope
        .map(|s| estate_filter(s, "p.estate_id"))
        .unwrap_or_default();
    let by_method: Vec<(PayMethod, i64, i64)> = sqlx::query_as(&format!(
        "select p.method, count(*), cast(coalesce(sum(p.received_fen), 0) as bigint) from payment p \
         where p.clerk_id = $1 and p.business_day = $2{only} group by p.method order by p.method"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    let (reversals_count, reversed_fen): (i64, i64) = sqlx::query_as(&format!(
        "select count(*), cast(coalesce(sum(p.received_fen), 0) as bigint) from payment_reversal r \
         join payment p on p.id = r.payment_id where p.clerk_id = $1 and r.business_day = $2{only}"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    let (held_fen,): (i64,) = sqlx::query_as(&format!(
        "select cast(coalesce(sum(s.amount_fen), 0) as bigint) from settlement s \
         join payment p on p.id = s.payment_id join bill_line l on l.id = s.line_id \
         join fee_item f on f.id = l.fee_item_id \
         where p.clerk_id = $1 and p.business_day = $2 and f.held = 1{only} \
           and not exists (select 1 from payment_reversal r where r.payment_id = p.id)"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    let refund_only = scope
        .map(|s| estate_filter(s, "d.estate_id"))
        .unwrap_or_default();
    let (refunds_count, refunded_fen, refunded_prepaid_fen): (i64, i64, i64) = sqlx::query_as(&format!(
        "select count(*), cast(coalesce(sum(d.refunded_fen), 0) as bigint), \
                cast(coalesce(sum(case when d.method = 'prepaid' then d.refunded_fen else 0 end), 0) as bigint) \
         from deposit_refund d \
         where d.clerk_id = $1 and d.business_day = $2{refund_only}"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    let (refund_reversed_fen,): (i64,) = sqlx::query_as(&format!(
        "select cast(coalesce(sum(d.refunded_fen), 0) as bigint) from deposit_refund_reversal x \
         join deposit_refund d on d.id = x.refund_id where d.clerk_id = $1 and x.business_day = $2 \
           and d.method <> 'prepaid'{refund_only}"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    // A deduction becomes income once, as its line, by the refund that raised it.
    let (deducted_fen,): (i64,) = sqlx::query_as(&format!(
        "select cast(coalesce(sum(s.amount_fen), 0) as bigint) from settlement s \
         join deposit_refund d on d.id = s.refund_id where d.clerk_id = $1 and d.business_day = $2{refund_only}"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    let ordered = PayMethod::ALL
        .iter()
        .filter_map(|m| {
            by_method
                .iter()
                .find(|(method, ..)| method == m)
                .map(|(_, _, fen)| (*m, *fen))
        })
        .collect();
    Ok(DayTotals {
        payments_count: by_method.iter().map(|(_, n, _)| n).sum(),
        received_fen: by_method.iter().map(|(.., f)| f).sum(),
        reversals_count,
        reversed_fen,
        by_method: ordered,
        held_fen,
        refunds_count,
        refunded_fen,
        refunded_prepaid_fen,
        refund_reversed_fen,
        deducted_fen,
    })
}

/// Closes a clerk's day (日结): the totals are frozen; no payment joins it after.
pub async fn close_day(
    db: &Database,
    actor: &Actor,
    clerk_id: i64,
    lang: Lang,
    day: &str,
) -> Result<DayTotals, AppError> {
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::ClerkDay(clerk_id)).await?;
    if day_closed(&mut *w, clerk_id, day).await? {
        return Err(super::rule(lang, "billing.invalid.closed_already"));
    }
    let totals = day_totals(&mut w, clerk_id, day, None).await?;
    let by_method: serde_json::Map<String, serde_json::Value> = totals
        .by_method
        .iter()
        .map(|(m, f)| (m.as_str().to_string(), serde_json::Value::from(*f)))
        .collect();
    sqlx::query(
        "insert into daily_close (clerk_id, business_day, payments_count, received_fen, reversals_count, \
                                  reversed_fen, by_method, closed_at, held_fen, refunds_count, refunded_fen, \
                                  refund_reversed_fen, deducted_fen, refunded_prepaid_fen) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(clerk_id)
    .bind(day)
    .bind(totals.payments_count)
    .bind(totals.received_fen)
    .bind(totals.reversals_count)
    .bind(totals.reversed_fen)
    .bind(serde_json::Value::Object(by_method).to_string())
    .bind(time::now())
    .bind(totals.held_fen)
    .bind(totals.refunds_count)
    .bind(totals.refunded_fen)
    .bind(totals.refund_reversed_fen)
    .bind(totals.deducted_fen)
    .bind(totals.refunded_prepaid_fen)
    .execute(&mut *w)
    .await?;
    // One audit entry per estate the day touched, with that estate's part:
    // an entry is seen by its estate's managers alone, so the manager of one
    // estate never reads a shared clerk's takings in another. A day with no
    // takings at all is one entry without an estate, and nothing to hide.
    let estates: Vec<(i64,)> = sqlx::query_as(
        "select p.estate_id from payment p where p.clerk_id = $1 and p.business_day = $2 \
         union select p.estate_id from payment_reversal r join payment p on p.id = r.payment_id \
         where p.clerk_id = $1 and r.business_day = $2 \
         union select d.estate_id from deposit_refund d where d.clerk_id = $1 and d.business_day = $2 \
         union select d.estate_id from deposit_refund_reversal x join deposit_refund d on d.id = x.refund_id \
         where d.clerk_id = $1 and x.business_day = $2 order by 1",
    )
    .bind(clerk_id)
    .bind(day)
    .fetch_all(&mut *w)
    .await?;
    let mut parts = Vec::new();
    for (estate_id,) in estates {
        let scope = EstateScope::Only(vec![estate_id]);
        parts.push((
            Some(estate_id),
            day_totals(&mut w, clerk_id, day, Some(&scope)).await?,
        ));
    }
    if parts.is_empty() {
        parts.push((None, totals.clone()));
    }
    for (estate_id, part) in parts {
        w.audit(
            Change::new(AuditAction::CloseDay, AuditEntity::DailyClose)
                .id(format!("{clerk_id}:{day}"))
                .estate_opt(estate_id)
                .after(serde_json::json!({
                    "payments": part.payments_count, "received_fen": part.received_fen,
                    "reversed_fen": part.reversed_fen, "held_fen": part.held_fen,
                    "refunded_fen": part.refunded_fen, "refund_reversed_fen": part.refund_reversed_fen,
                    "deducted_fen": part.deducted_fen,
                })),
        )
        .await?;
    }
    w.commit().await?;
    Ok(totals)
}
