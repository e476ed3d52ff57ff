//! A house's account (the counter's page): its unpaid and settled lines with
//! late fees and explanations, payments, the prepaid balance and its
//! movements, waivers, and the one-off items a charge can be raised for.

use std::hash::{BuildHasher, Hasher};

use chrono::NaiveDate;
use sqlx::AnyPool;

use super::runs::waiver_views;
use super::{item_name, owners};
use crate::billing::basis::explain;
use crate::billing::ledger::{self, LineState};
use crate::billing::rules;
use crate::billing::{
    Choice, HouseAccount, LineView, PayMethod, PaymentView, PrepaidView, ReversalView,
};
use crate::common::Lang;
use crate::db::time;
use crate::error::AppError;
use crate::i18n::I18n;

/// A line as the desk shows it (the portal narrows it to [`crate::billing::PortalLine`]).
pub(crate) fn line_view(
    l: &LineState,
    policies: &[ledger::LatePolicy],
    today: NaiveDate,
    lang: Lang,
) -> LineView {
    let fee = ledger::line_late_fee(l, policies, today);
    LineView {
        id: l.id,
        item: item_name(lang, l.item_name.clone(), l.late_fee_of.is_some()),
        kind: l.kind,
        period: l.period.clone(),
        amount_fen: l.amount_fen,
        waived_fen: l.waived_fen,
        split_fen: l.split_fen,
        outstanding_fen: l.outstanding(),
        late_fee_fen: fee.fen,
        late_days: fee.days,
        overdue: l.held == 0
            && l.outstanding() > 0
            && l.due_date.as_str() < time::date_to_db(today).as_str(),
        due_date: l.due_date.clone(),
        explanation: explain(&l.basis, lang),
        is_late_fee: l.late_fee_of.is_some(),
        pending_waiver: l.pending_waiver,
        settled_at: l.settled.as_ref().map(|s| s.at.clone()),
        receipt_no: l.settled.as_ref().and_then(|s| s.receipt_no.clone()),
        payment_id: l.settled.as_ref().and_then(|s| s.payment_id),
        by_prepaid: l.settled.as_ref().is_some_and(|s| s.payment_id.is_none()),
        refund: l.settled.as_ref().and_then(|s| s.refund.clone()),
        held: l.held == 1,
    }
}

/// What left a house's deposits: paid back by refunds that stand, and kept
/// as deductions (income lines settled out of a deposit whose payment stands).
pub async fn deposits_out<'e>(ex: impl sqlx::AnyExecutor<'e>, house_id: i64) -> sqlx::Result<i64> {
    let (out,): (i64,) = sqlx::query_as(
        "select cast(coalesce((select sum(d.refunded_fen) from deposit_refund d where d.house_id = $1 \
                 and not exists (select 1 from deposit_refund_reversal x where x.refund_id = d.id)), 0) \
               + coalesce((select sum(s.amount_fen) from settlement s join bill_line l on l.id = s.line_id \
                 where l.house_id = $1 and s.refund_id is not null \
                 and not exists (select 1 from payment_reversal r where r.payment_id = s.payment_id)), 0) as bigint)",
    )
    .bind(house_id)
    .fetch_one(ex)
    .await?;
    Ok(out)
}

/// The deposits paid for a house: its held lines' standing settlements
/// (less [`deposits_out`] for what is still held).
pub fn held_fen(lines: &[LineState]) -> i64 {
    lines
        .iter()
        .filter(|l| l.held == 1)
        .filter_map(|l| l.settled.as_ref().map(|s| s.amount_fen))
        .sum()
}

/// A house's account: unpaid and settled lines, payments, prepaid balance, waivers.
/// `approver`: the viewer, when a manager (see [`payment_views`]).
pub async fn house_account(
    pool: &AnyPool,
    house_id: i64,
    lang: Lang,
    approver: Option<i64>,
) -> Result<HouseAccount, AppError> {
    // The one connection this function holds, never a second one from the
    // pool: a busy portal (every request holding one, waiting for another)
    // would otherwise starve the pool until its timeout.
    let mut conn = pool.acquire().await?;
    let (number, estate_id, estate_name): (String, i64, String) = sqlx::query_as(
        "select h.number, h.estate_id, e.name from house h join estate e on e.id = h.estate_id where h.id = $1",
    )
    .bind(house_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let lines = ledger::house_lines(&mut conn, house_id).await?;
    let policies = ledger::late_policies(&mut *conn, estate_id).await?;
    let today =
        NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").map_err(AppError::internal)?;
    let views: Vec<LineView> = lines
        .iter()
        .map(|l| line_view(l, &policies, today, lang))
        .collect();
    let (unpaid, mut settled): (Vec<LineView>, Vec<LineView>) =
        views.into_iter().partition(|l| l.outstanding_fen > 0);
    // What was owed reads oldest first; what was settled, newest first.
    settled.reverse();
    let balance_fen = ledger::prepaid_balance(&mut *conn, house_id).await?;
    let payments = payment_views(
        &mut *conn,
        "p.house_id = $1 order by p.id desc",
        house_id,
        approver,
    )
    .await?;
    let prepaid: Vec<PrepaidView> = sqlx::query_as(
        "select e.amount_fen, e.kind, coalesce(p.receipt_no, d.refund_no) as receipt_no, e.created_at as at \
         from prepaid_entry e left join payment p on p.id = e.payment_id \
         left join deposit_refund d on d.id = e.refund_id where e.house_id = $1 order by e.id desc",
    )
    .bind(house_id)
    .fetch_all(&mut *conn)
    .await?;
    let waivers = waiver_views(
        &mut *conn,
        "h.id = $1 order by w.id desc",
        house_id,
        approver,
    )
    .await?;
    let one_off_items: Vec<Choice> = sqlx::query_as(
        "select id, name from fee_item where estate_id = $1 and kind = 'one_off' order by name",
    )
    .bind(estate_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(HouseAccount {
        house_id,
        number,
        estate_id,
        estate_name,
        owners: owners(&mut *conn, house_id).await?,
        held_fen: held_fen(&lines) - deposits_out(&mut *conn, house_id).await?,
        // A deposit still to pay is listed, but owed only when its
        // renovation (or whatever holds it) asks for it: not in the totals.
        unpaid_fen: unpaid.iter().filter(|l| !l.held).map(|l| l.outstanding_fen).sum(),
        late_fen: unpaid.iter().map(|l| l.late_fee_fen).sum(),
        unpaid,
        settled,
        balance_fen,
        payments,
        prepaid,
        waivers,
        one_off_items,
        occupants: payer_choices(&mut *conn, house_id, lang).await?,
        request_key: new_request_key(),
        can_approve: approver.is_some(),
    })
}

/// A current occupant of a house, as the payment form offers them.
#[derive(sqlx::FromRow)]
struct OccupantRow {
    id: i64,
    name: String,
    role: String,
}

/// The house's current occupants as payers (交款人), owners first, then
/// co-owners, tenants and family, each once, labelled with their role.
async fn payer_choices<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
    lang: Lang,
) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<OccupantRow> = sqlx::query_as(
        "select r.id, r.name, o.role from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.end_date is null \
         order by case o.role when 'owner' then 0 when 'co_owner' then 1 when 'tenant' then 2 else 3 end, \
                  o.start_date, o.id",
    )
    .bind(house_id)
    .fetch_all(ex)
    .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.id))
        .map(|r| {
            // The estate area's role labels (`estate::OccupancyRole`), named
            // here by key: billing does not depend on the estate area.
            let role = match r.role.as_str() {
                "owner" => "occupancy.owner",
                "co_owner" => "occupancy.co_owner",
                "tenant" => "occupancy.tenant",
                _ => "occupancy.family",
            };
            Choice {
                id: r.id,
                name: I18n(lang).f(
                    "billing.payer_role",
                    &[("name", &r.name), ("role", &I18n(lang).t(role))],
                ),
            }
        })
        .collect())
}

/// A random one-time key for a payment form.
pub fn new_request_key() -> String {
    // Two independently seeded SipHash states: 128 unpredictable bits without another dependency.
    let mut out = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// A payment with its clerk and, if it was reversed, the reversal.
#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: i64,
    receipt_no: String,
    method: PayMethod,
    received_fen: i64,
    lines_fen: i64,
    prepaid_fen: i64,
    clerk: String,
    payer: Option<String>,
    created_at: String,
    reversal_reason: Option<String>,
    reversed_by: Option<String>,
    reversed_at: Option<String>,
    clerk_id: i64,
}

/// Payments as the desk shows them; `approver`: the viewer, when a manager,
/// for whom each standing payment says whether they may reverse it.
pub(super) async fn payment_views<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    condition: &str,
    id: i64,
    approver: Option<i64>,
) -> sqlx::Result<Vec<PaymentView>> {
    let rows: Vec<PaymentRow> = sqlx::query_as(&format!(
        "select p.id, p.receipt_no, p.method, p.received_fen, p.lines_fen, p.prepaid_fen, \
                a.display_name as clerk, p.payer_name as payer, p.created_at, r.reason as reversal_reason, \
                m.display_name as reversed_by, r.created_at as reversed_at, p.clerk_id \
         from payment p join account a on a.id = p.clerk_id \
         left join payment_reversal r on r.payment_id = p.id left join account m on m.id = r.reversed_by \
         where {condition}"
    ))
    .bind(id)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PaymentView {
            id: r.id,
            receipt_no: r.receipt_no,
            method: r.method,
            received_fen: r.received_fen,
            lines_fen: r.lines_fen,
            prepaid_fen: r.prepaid_fen,
            clerk: r.clerk,
            payer: r.payer,
            created_at: r.created_at,
            may_reverse: r.reversal_reason.is_none()
                && approver.is_some_and(|me| {
                    rules::second_person(
                        me,
                        rules::MoneyDecision::Reversal {
                            taken_by: r.clerk_id,
                        },
                    )
                    .is_ok()
                }),
            reversal: r.reversal_reason.map(|reason| ReversalView {
                reason,
                by: r.reversed_by.unwrap_or_default(),
                at: r.reversed_at.unwrap_or_default(),
            }),
        })
        .collect())
}

/// The house a payment belongs to, and its estate.
pub async fn payment_house(pool: &AnyPool, payment_id: i64) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as("select house_id, estate_id from payment where id = $1")
        .bind(payment_id)
        .fetch_optional(pool)
        .await
}

/// The estate a house belongs to.
pub async fn house_estate(pool: &AnyPool, house_id: i64) -> sqlx::Result<Option<i64>> {
    let estate: Option<(i64,)> = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_optional(pool)
        .await?;
    Ok(estate.map(|(id,)| id))
}
