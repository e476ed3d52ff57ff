//! The portal's view of a house's account. A resident sees what the house
//! owes — all of it, as owed by the house — and what was settled and paid
//! since their own occupancy began; never an earlier occupant's payments,
//! receipts or waivers, never a staff member's name or an internal reason
//! (waiver and reversal reasons). Where their time begins is
//! [`crate::auth::residence`]'s to say, as for their repair tickets: the
//! caller's [`Residence`]s, resolved once per request, each from the start of
//! its own occupancy. The types sent are the portal's own, so the hydration
//! data holds what the page shows.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::AnyPool;

use super::db::account::line_view;
use super::db::documents::receipt_items;
use super::{
    ledger, money, LineView, PayMethod, PortalAccount, PortalBills, PortalLine, PortalPayment,
    PortalReceipt,
};
use crate::common::{Lang, Residence};
use crate::db::time;
use crate::error::AppError;

/// Each house the resident lives in (`residences`: the caller's), with its
/// bills from their side.
pub async fn portal_bills(
    pool: &AnyPool,
    residences: &[Residence],
    lang: Lang,
) -> Result<PortalBills, AppError> {
    // One connection for the whole page: a busy portal must not hold one and wait for another.
    let mut conn = pool.acquire().await?;
    let mut houses = Vec::new();
    for r in residences {
        houses.push(account(&mut conn, r, lang).await?);
    }
    Ok(PortalBills { houses })
}

/// A payment of the house as the portal lists it.
#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: i64,
    receipt_no: String,
    method: PayMethod,
    received_fen: i64,
    created_at: String,
    /// 0/1.
    reversed: i64,
}

async fn account(
    conn: &mut sqlx::AnyConnection,
    r: &Residence,
    lang: Lang,
) -> Result<PortalAccount, AppError> {
    let (number, estate_id, estate_name): (String, i64, String) = sqlx::query_as(
        "select h.number, h.estate_id, e.name from house h join estate e on e.id = h.estate_id where h.id = $1",
    )
    .bind(r.house_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let lines = ledger::house_lines(conn, r.house_id).await?;
    let policies = ledger::late_policies(&mut *conn, estate_id).await?;
    let today =
        NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").map_err(AppError::internal)?;
    // When each fully waived line was let off (the last approval).
    let waived: Vec<(i64, String)> = sqlx::query_as(
        "select w.line_id, max(w.decided_at) from waiver w join bill_line l on l.id = w.line_id \
         where l.house_id = $1 and w.status = 'approved' and w.decided_at is not null group by w.line_id",
    )
    .bind(r.house_id)
    .fetch_all(&mut *conn)
    .await?;
    let waived_at: HashMap<i64, String> = waived.into_iter().collect();
    let mut unpaid = Vec::new();
    let mut settled = Vec::new();
    for l in &lines {
        let view = line_view(l, &policies, today, lang);
        if view.outstanding_fen > 0 {
            unpaid.push(PortalLine::from(view));
            continue;
        }
        // A line done with (paid, settled from the balance, waived) is the
        // resident's history only if it was done with in their time.
        let closed_at = l
            .settled
            .as_ref()
            .map(|s| s.at.as_str())
            .or_else(|| waived_at.get(&l.id).map(String::as_str))
            .unwrap_or(l.created_at.as_str());
        if closed_at >= r.from.as_str() {
            settled.push(PortalLine::from(view));
        }
    }
    // What was owed reads oldest first; what was settled, newest first.
    settled.reverse();
    let balance_fen = ledger::prepaid_balance(&mut *conn, r.house_id).await?;
    let payments: Vec<PaymentRow> = sqlx::query_as(
        "select p.id, p.receipt_no, p.method, p.received_fen, p.created_at, \
                case when v.id is null then 0 else 1 end as reversed \
         from payment p left join payment_reversal v on v.payment_id = p.id \
         where p.house_id = $1 and p.created_at >= $2 order by p.id desc",
    )
    .bind(r.house_id)
    .bind(&r.from)
    .fetch_all(&mut *conn)
    .await?;
    Ok(PortalAccount {
        house_id: r.house_id,
        number,
        estate_name,
        unpaid_fen: unpaid.iter().filter(|l| !l.held).map(|l| l.outstanding_fen).sum(),
        late_fen: unpaid.iter().map(|l| l.late_fee_fen).sum(),
        unpaid,
        settled,
        balance_fen,
        payments: payments
            .into_iter()
            .map(|p| PortalPayment {
                id: p.id,
                receipt_no: p.receipt_no,
                method: p.method,
                received_fen: p.received_fen,
                created_at: p.created_at,
                reversed: p.reversed == 1,
            })
            .collect(),
    })
}

impl From<LineView> for PortalLine {
    fn from(l: LineView) -> Self {
        PortalLine {
            id: l.id,
            item: l.item,
            period: l.period,
            amount_fen: l.amount_fen,
            outstanding_fen: l.outstanding_fen,
            late_fee_fen: l.late_fee_fen,
            due_date: l.due_date,
            overdue: l.overdue,
            explanation: l.explanation,
            receipt_no: l.receipt_no,
            payment_id: l.payment_id,
            by_prepaid: l.by_prepaid,
            refund_no: l.refund.map(|(_, no)| no),
            held: l.held,
        }
    }
}

/// A payment as its portal receipt needs it.
#[derive(sqlx::FromRow)]
struct ReceiptRow {
    house_id: i64,
    created_at: String,
    receipt_no: String,
    estate_name: String,
    house_number: String,
    prepaid_fen: i64,
    received_fen: i64,
    method: PayMethod,
    payer_name: Option<String>,
    /// 0/1.
    reversed: i64,
}

/// A receipt of the resident's house from their time there (`residences`:
/// the caller's). Another house's payment and this house's from before they
/// moved in are refused alike, as not found: neither is theirs to know of.
pub async fn portal_receipt(
    pool: &AnyPool,
    residences: &[Residence],
    payment_id: i64,
    lang: Lang,
) -> Result<PortalReceipt, AppError> {
    let mut conn = pool.acquire().await?;
    let row: Option<ReceiptRow> = sqlx::query_as(
        "select p.house_id, p.created_at, p.receipt_no, e.name as estate_name, h.number as house_number, \
                p.prepaid_fen, p.received_fen, p.method, p.payer_name, \
                case when v.id is null then 0 else 1 end as reversed \
         from payment p join house h on h.id = p.house_id join estate e on e.id = p.estate_id \
         left join payment_reversal v on v.payment_id = p.id where p.id = $1",
    )
    .bind(payment_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(p) = row else {
        return Err(AppError::NotFound);
    };
    if !residences
        .iter()
        .any(|r| r.house_id == p.house_id && p.created_at.as_str() >= r.from.as_str())
    {
        return Err(AppError::NotFound);
    }
    Ok(PortalReceipt {
        payment_id,
        items: receipt_items(&mut *conn, payment_id, lang).await?,
        payer: p.payer_name,
        receipt_no: p.receipt_no,
        estate_name: p.estate_name,
        house_number: p.house_number,
        prepaid_fen: p.prepaid_fen,
        received_fen: p.received_fen,
        capitals: money::capitals(p.received_fen),
        method: p.method,
        created_at: p.created_at,
        reversed: p.reversed == 1,
    })
}
