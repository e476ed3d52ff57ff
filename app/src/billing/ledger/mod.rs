//! The money writes: payments (with receipts) and reversals ([`payments`]),
//! waivers ([`waivers`]), the prepaid balance, and daily closes ([`close`]).
//! Each is one [`Write`]; each refuses bad input with a message in the
//! caller's language and changes nothing. This file holds what they share:
//! a house's lines as they stand, late fees, the prepaid balance.
//!
//! A line's state is derived, never stored: it is settled while a settlement
//! of it stands (one from the prepaid balance, or from a payment that was not
//! reversed); what it still owes is its amount less approved waivers.

pub mod close;
pub mod payments;
pub mod waivers;

pub use close::{close_day, day_closed, day_totals, DayTotals};
pub use payments::{
    reverse_payment, take_payment, take_payment_in, Payer, PaymentRequest, PaymentTaken,
    PAYER_NAME_MAX,
};
pub use waivers::{decide_waiver, request_waiver};

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::money::{self, late_fee, AmountError};
use super::rules;
use super::{FeeKind, PrepaidKind, WaiverStatus, WaiverTarget};
use crate::common::Lang;
use crate::db::{time, LockOn, Write};
use crate::error::AppError;
use crate::i18n::tr;

/// A bill line with what has happened to it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LineState {
    pub id: i64,
    pub estate_id: i64,
    pub fee_item_id: i64,
    pub item_name: String,
    pub kind: FeeKind,
    pub period: String,
    pub line_key: String,
    pub amount_fen: i64,
    pub due_date: String,
    /// Why it is this much, as stored ([`super::basis::Basis`]).
    pub basis: String,
    pub late_fee_of: Option<i64>,
    pub created_at: String,
    /// 1: its item's money is held (a deposit): no late fee, never settled
    /// from the prepaid balance, in no arrears.
    pub held: i64,
    /// Approved waivers of the line itself and of its late fee.
    #[sqlx(skip)]
    pub waived_fen: i64,
    #[sqlx(skip)]
    pub late_waived_fen: i64,
    /// Moved onto a leaving occupant's part-month line (`bill_line_split`).
    #[sqlx(skip)]
    pub split_fen: i64,
    #[sqlx(skip)]
    pub pending_waiver: bool,
    /// A late-fee line was already raised for this line (it is charged once,
    /// as that line, even if the payment that raised it is reversed).
    #[sqlx(skip)]
    pub has_late_line: bool,
    /// The standing settlement, if any.
    #[sqlx(skip)]
    pub settled: Option<Settled>,
    /// Settlements of this line that were reversed (the next one's `attempt`).
    #[sqlx(skip)]
    pub reversed: i64,
}

#[derive(Debug, Clone)]
pub struct Settled {
    pub payment_id: Option<i64>,
    pub receipt_no: Option<String>,
    /// A deduction kept from a renovation deposit: the refund that kept it
    /// (its id and number), whose slip explains it.
    pub refund: Option<(i64, String)>,
    pub amount_fen: i64,
    pub at: String,
}

impl LineState {
    /// What the line still owes (0 once settled or waived in full).
    pub fn outstanding(&self) -> i64 {
        if self.settled.is_some() {
            0
        } else {
            (self.amount_fen - self.waived_fen - self.split_fen).max(0)
        }
    }
}

/// A late-fee policy in effect from a date.
#[derive(Debug, Clone)]
pub struct LatePolicy {
    pub daily_rate: Decimal,
    pub grace_days: i64,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// The late fee a line has run up by `as_of` under the policy in effect on its
/// due date, less approved waivers of it. Late-fee lines run up none, nor do
/// lines whose late fee was already raised as a line of its own.
pub fn line_late_fee(
    line: &LineState,
    policies: &[LatePolicy],
    as_of: NaiveDate,
) -> money::LateFee {
    let none = money::LateFee { days: 0, fen: 0 };
    if line.late_fee_of.is_some() || line.has_late_line || line.held == 1 || line.outstanding() == 0 {
        return none;
    }
    let Ok(due) = NaiveDate::parse_from_str(&line.due_date, "%Y-%m-%d") else {
        return none;
    };
    let Some(policy) = policies
        .iter()
        .find(|p| p.from <= due && p.to.is_none_or(|to| due <= to))
    else {
        return none;
    };
    let fee = late_fee(
        line.outstanding(),
        policy.daily_rate,
        due,
        policy.grace_days,
        as_of,
    );
    money::LateFee {
        days: fee.days,
        fen: (fee.fen - line.late_waived_fen).max(0),
    }
}

/// The estate's late-fee policies, oldest first.
pub async fn late_policies<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
) -> sqlx::Result<Vec<LatePolicy>> {
    let rows: Vec<(String, i64, String, Option<String>)> = sqlx::query_as(
        "select daily_rate, grace_days, effective_from, effective_to from late_fee_policy \
         where estate_id = $1 order by effective_from",
    )
    .bind(estate_id)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(rate, grace, from, to)| {
            Some(LatePolicy {
                daily_rate: Decimal::from_str(&rate).ok()?,
                grace_days: grace,
                from: NaiveDate::parse_from_str(&from, "%Y-%m-%d").ok()?,
                to: to.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()),
            })
        })
        .collect())
}

/// A settlement of one of a house's lines, and whether its payment was reversed.
#[derive(sqlx::FromRow)]
struct SettlementRow {
    line_id: i64,
    payment_id: Option<i64>,
    amount_fen: i64,
    at: String,
    receipt_no: Option<String>,
    refund_id: Option<i64>,
    refund_no: Option<String>,
    /// 0/1.
    reversed: i64,
}

/// Every line of a house with its settlements and waivers, oldest due first.
/// Three reads on one connection (a pool's, or a write's, which then sees
/// its own changes and holds the house's lock).
pub async fn house_lines(
    conn: &mut sqlx::AnyConnection,
    house_id: i64,
) -> sqlx::Result<Vec<LineState>> {
    let mut lines: Vec<LineState> = sqlx::query_as(
        "select l.id, l.estate_id, l.fee_item_id, f.name as item_name, f.kind, l.period, l.line_key, \
                l.amount_fen, l.due_date, l.basis, l.late_fee_of, l.created_at, f.held \
         from bill_line l join fee_item f on f.id = l.fee_item_id \
         where l.house_id = $1 order by l.due_date, l.period, l.id",
    )
    .bind(house_id)
    .fetch_all(&mut *conn)
    .await?;
    let index: HashMap<i64, usize> = lines.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
    let principals: Vec<i64> = lines.iter().filter_map(|l| l.late_fee_of).collect();
    for p in principals {
        if let Some(i) = index.get(&p) {
            lines[*i].has_late_line = true;
        }
    }
    let settlements: Vec<SettlementRow> = sqlx::query_as(
        "select s.line_id, s.payment_id, s.amount_fen, s.created_at as at, p.receipt_no, \
                s.refund_id, d.refund_no, case when r.id is null then 0 else 1 end as reversed \
         from settlement s join bill_line l on l.id = s.line_id \
         left join payment p on p.id = s.payment_id \
         left join deposit_refund d on d.id = s.refund_id \
         left join payment_reversal r on r.payment_id = s.payment_id \
         where l.house_id = $1 order by s.id",
    )
    .bind(house_id)
    .fetch_all(&mut *conn)
    .await?;
    for s in settlements {
        let Some(line) = index.get(&s.line_id).map(|i| &mut lines[*i]) else {
            continue;
        };
        if s.reversed == 1 {
            line.reversed += 1;
        } else {
            line.settled = Some(Settled {
                payment_id: s.payment_id,
                receipt_no: s.receipt_no,
                refund: s.refund_id.zip(s.refund_no),
                amount_fen: s.amount_fen,
                at: s.at,
            });
        }
    }
    let waivers: Vec<(i64, WaiverTarget, i64, WaiverStatus)> = sqlx::query_as(
        "select w.line_id, w.target, w.amount_fen, w.status from waiver w \
         join bill_line l on l.id = w.line_id where l.house_id = $1",
    )
    .bind(house_id)
    .fetch_all(&mut *conn)
    .await?;
    let splits: Vec<(i64, i64)> = sqlx::query_as(
        "select s.line_id, s.amount_fen from bill_line_split s \
         join bill_line l on l.id = s.line_id where l.house_id = $1",
    )
    .bind(house_id)
    .fetch_all(&mut *conn)
    .await?;
    for (line_id, amount) in splits {
        if let Some(i) = index.get(&line_id) {
            lines[*i].split_fen += amount;
        }
    }
    for (line_id, target, amount, status) in waivers {
        let Some(line) = index.get(&line_id).map(|i| &mut lines[*i]) else {
            continue;
        };
        match (status, target) {
            (WaiverStatus::Approved, WaiverTarget::Line) => line.waived_fen += amount,
            (WaiverStatus::Approved, WaiverTarget::LateFee) => line.late_waived_fen += amount,
            (WaiverStatus::Pending, _) => line.pending_waiver = true,
            (WaiverStatus::Rejected, _) => {}
        }
    }
    Ok(lines)
}

/// Each house's arrears (欠费) as of a day: what its lines due before that day
/// still owe — the same rule as [`LineState::outstanding`] (unsettled, less
/// approved waivers of the line and its splits), summed in the database for a page of houses.
/// Late fees still running are not included: they are worked out per line when
/// the house's account is opened. Houses that owe nothing are absent.
pub async fn arrears_by_house<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_ids: &[i64],
    as_of: &str,
) -> sqlx::Result<HashMap<i64, i64>> {
    if house_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = house_ids.iter().map(i64::to_string).collect();
    // Ids are integers formatted here: nothing from outside reaches the SQL text.
    let sql = format!(
        "select house_id, cast(sum(owed) as bigint) from ( \
           select l.house_id, l.amount_fen - coalesce((select cast(sum(w.amount_fen) as bigint) from waiver w \
                    where w.line_id = l.id and w.target = 'line' and w.status = 'approved'), 0) \
                  - coalesce((select cast(sum(s.amount_fen) as bigint) from bill_line_split s \
                    where s.line_id = l.id), 0) as owed \
           from bill_line l join fee_item f on f.id = l.fee_item_id \
           where l.house_id in ({}) and l.due_date < $1 and f.held = 0 \
             and not exists (select 1 from settlement s where s.line_id = l.id \
                   and not exists (select 1 from payment_reversal r where r.payment_id = s.payment_id)) \
         ) t where owed > 0 group by house_id",
        ids.join(",")
    );
    let rows: Vec<(i64, i64)> = sqlx::query_as(&sql).bind(as_of).fetch_all(ex).await?;
    Ok(rows.into_iter().collect())
}

/// The prepaid balance of a house, in fen.
pub async fn prepaid_balance<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
) -> sqlx::Result<i64> {
    let (balance,): (i64,) = sqlx::query_as(
        "select cast(coalesce(sum(amount_fen), 0) as bigint) from prepaid_entry where house_id = $1",
    )
    .bind(house_id)
    .fetch_one(ex)
    .await?;
    Ok(balance)
}

/// A movement of a house's prepaid balance: in from a payment's surplus, out
/// to settle a line or when the payment that brought it is reversed.
struct PrepaidEntry {
    estate_id: i64,
    house_id: i64,
    amount_fen: i64,
    kind: PrepaidKind,
}

impl PrepaidEntry {
    async fn add(
        &self,
        w: &mut Write,
        payment_id: Option<i64>,
        line_id: Option<i64>,
        at: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "insert into prepaid_entry (estate_id, house_id, amount_fen, kind, payment_id, line_id, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(self.estate_id)
        .bind(self.house_id)
        .bind(self.amount_fen)
        .bind(self.kind)
        .bind(payment_id)
        .bind(line_id)
        .bind(at)
        .execute(&mut **w)
        .await?;
        Ok(())
    }
}

/// Settles a house's unpaid lines, oldest first, from its prepaid balance,
/// each line whole while the balance covers it. Runs inside the caller's
/// write; returns how many lines it settled.
pub async fn settle_from_prepaid(
    w: &mut Write,
    house_id: i64,
    estate_id: i64,
) -> sqlx::Result<i64> {
    settle_some_from_prepaid(w, house_id, estate_id, None).await
}

/// [`settle_from_prepaid`] over the lines `only` (a leaving occupant's: the
/// balance does not pay what the house's next occupant owes).
pub async fn settle_from_prepaid_only(
    w: &mut Write,
    house_id: i64,
    estate_id: i64,
    only: &[i64],
) -> sqlx::Result<i64> {
    settle_some_from_prepaid(w, house_id, estate_id, Some(only)).await
}

async fn settle_some_from_prepaid(
    w: &mut Write,
    house_id: i64,
    estate_id: i64,
    only: Option<&[i64]>,
) -> sqlx::Result<i64> {
    w.lock(LockOn::House(house_id)).await?;
    let balance = prepaid_balance(&mut **w, house_id).await?;
    if balance <= 0 {
        return Ok(0);
    }
    let lines = house_lines(w, house_id).await?;
    let unpaid: Vec<&LineState> = lines
        .iter()
        // A deposit is paid as such, never from the prepaid balance.
        .filter(|l| l.outstanding() > 0 && l.held == 0 && only.is_none_or(|ids| ids.contains(&l.id)))
        .collect();
    let owed: Vec<i64> = unpaid.iter().map(|l| l.outstanding()).collect();
    let covered = rules::prepaid_covers(&owed, balance);
    let now = time::now();
    let mut settled = 0;
    for line in unpaid.into_iter().take(covered) {
        let owed = line.outstanding();
        sqlx::query(
            "insert into settlement (line_id, attempt, payment_id, amount_fen, created_at) values ($1, $2, null, $3, $4)",
        )
        .bind(line.id)
        .bind(line.reversed)
        .bind(owed)
        .bind(&now)
        .execute(&mut **w)
        .await?;
        let entry = PrepaidEntry {
            estate_id,
            house_id,
            amount_fen: -owed,
            kind: PrepaidKind::Settle,
        };
        entry.add(w, None, Some(line.id), &now).await?;
        settled += 1;
    }
    Ok(settled)
}

fn rule(lang: Lang, key: &str) -> AppError {
    AppError::Rule(tr(lang, key))
}

/// Money approvals need a second person ([`rules::second_person`]): every
/// decision on a waiver or a reversal asks here.
fn second_person(lang: Lang, decider: i64, decision: rules::MoneyDecision) -> Result<(), AppError> {
    rules::second_person(decider, decision).map_err(|e| rule(lang, e.key()))
}

/// The words for a refused amount.
pub fn amount_message(lang: Lang, e: AmountError) -> String {
    tr(
        lang,
        match e {
            AmountError::NotANumber => "billing.invalid.amount_nan",
            AmountError::Negative => "billing.invalid.amount_negative",
            AmountError::Zero => "billing.invalid.amount_zero",
            AmountError::TooManyDecimals => "billing.invalid.amount_decimals",
            AmountError::TooLarge => "billing.invalid.amount_large",
        },
    )
}
