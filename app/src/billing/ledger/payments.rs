//! Payments at the counter (收款) and their reversals (冲红): one write each,
//! under the clerk's day and the house's locks, so a payment cannot join a
//! closed day or settle what another payment settled a moment before. A
//! payment stores its payer (交款人), so its receipt names them however the
//! house's occupants change afterwards.

use chrono::NaiveDate;

use super::{
    day_closed, house_lines, late_policies, line_late_fee, prepaid_balance, rule, second_person,
    LineState, PrepaidEntry,
};
use crate::billing::basis::Basis;
use crate::billing::rules::{self, PaymentError};
use crate::billing::{fen_text, money, PayMethod, PrepaidKind};
use crate::common::{AuditAction, AuditEntity, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};

/// A payment as the counter's form posts it.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub house_id: i64,
    pub line_ids: Vec<i64>,
    /// A [`PayMethod`]'s text, as the form sends it (checked here).
    pub method: String,
    pub received: String,
    /// The form's one-time key (a second post of the same form is refused).
    pub request_key: String,
}

/// Who paid (交款人), as the receipt will name them: one of the house's
/// occupants (`resident_id`; the name stored is their record's, `name` is not
/// read), or a name typed at the counter (`resident_id: None`, 1–40 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    pub resident_id: Option<i64>,
    pub name: String,
}

impl Payer {
    /// One of the house's occupants (current, or whose occupancy ends today or later).
    pub fn resident(resident_id: i64) -> Payer {
        Payer {
            resident_id: Some(resident_id),
            name: String::new(),
        }
    }

    /// Someone who is not on the house's record, by the name they gave.
    pub fn named(name: impl Into<String>) -> Payer {
        Payer {
            resident_id: None,
            name: name.into(),
        }
    }
}

/// The longest payer's name the counter takes.
pub const PAYER_NAME_MAX: usize = 40;

/// The payer as stored: the resident (checked to be the house's occupant)
/// and the name. Refused as field `payer` (not this house's occupant) or
/// `payer_name` (a typed name empty or too long).
async fn stored_payer<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    lang: Lang,
    house_id: i64,
    payer: &Payer,
    today: &str,
) -> Result<(Option<i64>, String), AppError> {
    match payer.resident_id {
        Some(resident_id) => {
            let name: Option<(String,)> = sqlx::query_as(
                "select r.name from occupancy o join resident r on r.id = o.resident_id \
                 where o.house_id = $1 and o.resident_id = $2 and (o.end_date is null or o.end_date >= $3) \
                 limit 1",
            )
            .bind(house_id)
            .bind(resident_id)
            .bind(today)
            .fetch_optional(ex)
            .await?;
            let (name,) = name.ok_or_else(|| {
                AppError::field("payer", tr(lang, "billing.invalid.payer_not_occupant"))
            })?;
            Ok((Some(resident_id), name.trim().to_string()))
        }
        None => {
            let name = payer.name.trim();
            if name.is_empty() || name.chars().count() > PAYER_NAME_MAX {
                return Err(AppError::field(
                    "payer_name",
                    tr(lang, "billing.invalid.payer_name"),
                ));
            }
            Ok((None, name.to_string()))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTaken {
    pub payment_id: i64,
    pub receipt_no: String,
    pub prepaid_fen: i64,
}

/// Takes a payment at the counter in one transaction: the lines it settles
/// (with their late fees, if the estate charges them), the surplus onto the
/// prepaid balance, the receipt number, the payer, the audit entry.
pub async fn take_payment(
    db: &Database,
    actor: &Actor,
    clerk_id: i64,
    lang: Lang,
    req: &PaymentRequest,
    payer: &Payer,
) -> Result<PaymentTaken, AppError> {
    let mut w = db.write(actor.clone()).await?;
    let taken = take_payment_in(&mut w, clerk_id, lang, req, payer).await?;
    w.commit().await?;
    Ok(taken)
}

/// [`take_payment`] inside the caller's write (a move-out settling the
/// house's bills in its own transaction); the caller commits. After an error
/// the write is to be dropped, not committed.
pub async fn take_payment_in(
    w: &mut Write,
    clerk_id: i64,
    lang: Lang,
    req: &PaymentRequest,
    payer: &Payer,
) -> Result<PaymentTaken, AppError> {
    let method = PayMethod::parse(&req.method)
        .ok_or_else(|| AppError::field("method", tr(lang, "billing.invalid.method")))?;
    let received = money::parse_yuan(&req.received)
        .map_err(|e| AppError::field("received", super::amount_message(lang, e)))?;
    if req.line_ids.is_empty() {
        return Err(AppError::field(
            "lines",
            tr(lang, "billing.invalid.no_lines"),
        ));
    }
    let key = req.request_key.trim();
    if !rules::request_key_ok(key) {
        return Err(rule(lang, "billing.invalid.request_key"));
    }
    let today = time::desk_today();
    let today_date = NaiveDate::parse_from_str(&today, "%Y-%m-%d").map_err(AppError::internal)?;
    w.lock(LockOn::ClerkDay(clerk_id)).await?;
    w.lock(LockOn::House(req.house_id)).await?;
    if let Some(receipt) = taken_already(&mut **w, key).await? {
        return Err(AppError::Conflict(
            I18n(lang).f("billing.invalid.duplicate", &[("receipt", &receipt)]),
        ));
    }
    if day_closed(&mut **w, clerk_id, &today).await? {
        return Err(rule(lang, "billing.invalid.day_closed"));
    }
    let (estate_id, estate_code): (i64, String) = sqlx::query_as(
        "select h.estate_id, e.code from house h join estate e on e.id = h.estate_id where h.id = $1",
    )
    .bind(req.house_id)
    .fetch_optional(&mut **w)
    .await?
    .ok_or(AppError::NotFound)?;
    let (payer_resident_id, payer_name) =
        stored_payer(&mut **w, lang, req.house_id, payer, &today).await?;
    let lines = house_lines(w, req.house_id).await?;
    let policies = late_policies(&mut **w, estate_id).await?;
    let now = time::now();
    // What each picked line settles: its outstanding amount, and its late fee.
    let mut picked: Vec<(&LineState, i64)> = Vec::new();
    let mut late_fees: Vec<(&LineState, i64, i64)> = Vec::new();
    for id in &req.line_ids {
        let line = lines
            .iter()
            .find(|l| l.id == *id)
            .ok_or_else(|| AppError::field("lines", tr(lang, "billing.invalid.not_this_house")))?;
        if line.outstanding() == 0 {
            return Err(AppError::field("lines", line_settled(lang, line)));
        }
        if picked.iter().any(|(l, _)| l.id == line.id) {
            continue;
        }
        picked.push((line, line.outstanding()));
        let fee = line_late_fee(line, &policies, today_date);
        if fee.fen > 0 {
            late_fees.push((line, fee.fen, fee.days));
        }
    }
    let lines_fen: i64 = picked.iter().map(|(_, f)| f).sum::<i64>()
        + late_fees.iter().map(|(_, f, _)| f).sum::<i64>();
    let surplus = rules::split_payment(received, lines_fen).map_err(|e| match e {
        PaymentError::NotPositive => {
            AppError::field("received", tr(lang, "billing.invalid.amount_zero"))
        }
        PaymentError::ShortOf(short) => AppError::field(
            "received",
            I18n(lang).f(
                "billing.invalid.short",
                &[("due", &fen_text(lines_fen)), ("short", &fen_text(short))],
            ),
        ),
    })?;
    let year: i32 = today[..4].parse().map_err(AppError::internal)?;
    let (seq,): (i64,) = sqlx::query_as(
        "insert into receipt_sequence (estate_id, year, last_no) values ($1, $2, 1) \
         on conflict (estate_id, year) do update set last_no = receipt_sequence.last_no + 1 \
         returning last_no",
    )
    .bind(estate_id)
    .bind(i64::from(year))
    .fetch_one(&mut **w)
    .await?;
    let receipt_no = rules::receipt_number(&estate_code, year, seq);
    // The request key is unique: a second post racing this one past the check above.
    let (payment_id,): (i64,) = sqlx::query_as(
        "insert into payment (estate_id, house_id, receipt_no, method, received_fen, lines_fen, prepaid_fen, \
                              clerk_id, business_day, created_at, request_key, payer_name, payer_resident_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
    )
    .bind(estate_id)
    .bind(req.house_id)
    .bind(&receipt_no)
    .bind(method)
    .bind(received)
    .bind(lines_fen)
    .bind(surplus)
    .bind(clerk_id)
    .bind(&today)
    .bind(&now)
    .bind(key)
    .bind((!payer_name.is_empty()).then_some(payer_name.as_str()))
    .bind(payer_resident_id)
    .fetch_one(&mut **w)
    .await
    .on_unique(|| AppError::Conflict(tr(lang, "billing.invalid.duplicate_now")))?;
    let settle = |line_id: i64, attempt: i64, amount: i64| {
        sqlx::query(
            "insert into settlement (line_id, attempt, payment_id, amount_fen, created_at) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(line_id)
        .bind(attempt)
        .bind(payment_id)
        .bind(amount)
        .bind(now.clone())
    };
    let mut settled_ids = Vec::new();
    for (line, amount) in &picked {
        // A line is settled once per attempt: another payment got there first.
        settle(line.id, line.reversed, *amount)
            .execute(&mut **w)
            .await
            .on_unique(|| AppError::Conflict(line_settled(lang, line)))?;
        settled_ids.push(line.id);
    }
    for (line, fee, days) in &late_fees {
        // The late fee becomes a line of its own, once per principal line
        // (`line_late_fee` charges nothing more once it exists); after a
        // reversal it owes again and is paid like any other line.
        let basis = Basis::LateFee {
            principal: money::yuan(line.outstanding()),
            days: *days,
            of_line: line.id,
        };
        let (late_id,): (i64,) = sqlx::query_as(
            "insert into bill_line (estate_id, house_id, fee_item_id, period, line_key, amount_fen, \
                                    due_date, basis, late_fee_of, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
        )
        .bind(estate_id)
        .bind(req.house_id)
        .bind(line.fee_item_id)
        .bind(&line.period)
        .bind(format!("late:{}", line.id))
        .bind(*fee)
        .bind(&today)
        .bind(basis.to_json())
        .bind(line.id)
        .bind(clerk_id)
        .bind(&now)
        .fetch_one(&mut **w)
        .await?;
        let attempt = 0;
        settle(late_id, attempt, *fee).execute(&mut **w).await?;
    }
    if surplus > 0 {
        let entry = PrepaidEntry {
            estate_id,
            house_id: req.house_id,
            amount_fen: surplus,
            kind: PrepaidKind::Surplus,
        };
        entry.add(w, Some(payment_id), None, &now).await?;
    }
    w.audit(
        Change::new(AuditAction::TakePayment, AuditEntity::Payment)
            .id(payment_id)
            .estate(estate_id)
            .after(serde_json::json!({
                "receipt_no": receipt_no, "house_id": req.house_id, "method": method,
                "received_fen": received, "lines_fen": lines_fen, "prepaid_fen": surplus,
                "lines": settled_ids, "payer": payer_name,
            })),
    )
    .await?;
    Ok(PaymentTaken {
        payment_id,
        receipt_no,
        prepaid_fen: surplus,
    })
}

/// "That line is settled already", naming it.
fn line_settled(lang: Lang, line: &LineState) -> String {
    I18n(lang).f(
        "billing.invalid.line_settled",
        &[("item", &line.item_name), ("period", &line.period)],
    )
}

/// The receipt of the payment a form's one-time key already took, if any.
async fn taken_already<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    key: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("select receipt_no from payment where request_key = $1")
            .bind(key)
            .fetch_optional(ex)
            .await?;
    Ok(row.map(|(r,)| r))
}

/// What a reversal needs to know of the payment.
#[derive(sqlx::FromRow)]
struct PaymentFacts {
    estate_id: i64,
    house_id: i64,
    clerk_id: i64,
    prepaid_fen: i64,
    receipt_no: String,
}

/// A manager's reversal (冲红) of a payment: a new entry; the lines it settled
/// owe again and its surplus leaves the prepaid balance.
pub async fn reverse_payment(
    db: &Database,
    actor: &Actor,
    manager_id: i64,
    lang: Lang,
    payment_id: i64,
    reason: &str,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let reason = rules::clip(reason, 200);
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            tr(lang, "billing.invalid.reason"),
        ));
    }
    let today = time::desk_today();
    let mut w = db.write(actor.clone()).await?;
    let p: PaymentFacts = sqlx::query_as(
        "select estate_id, house_id, clerk_id, prepaid_fen, receipt_no from payment where id = $1",
    )
    .bind(payment_id)
    .fetch_optional(&mut *w)
    .await?
    .ok_or(AppError::NotFound)?;
    check_estate(p.estate_id)?;
    second_person(
        lang,
        manager_id,
        rules::MoneyDecision::Reversal {
            taken_by: p.clerk_id,
        },
    )?;
    w.lock(LockOn::ClerkDay(p.clerk_id)).await?;
    w.lock(LockOn::House(p.house_id)).await?;
    let reversed: Option<(i64,)> =
        sqlx::query_as("select id from payment_reversal where payment_id = $1")
            .bind(payment_id)
            .fetch_optional(&mut *w)
            .await?;
    if reversed.is_some() {
        return Err(rule(lang, "billing.invalid.reversed_already"));
    }
    // A deposit this payment brought in and since paid back (the refund is
    // reversed first, or money would be out twice), or kept in part as
    // deductions (their income lines stand on this payment's money).
    let refunded: Option<(i64,)> = sqlx::query_as(
        "select d.id from deposit_refund d where not exists \
           (select 1 from deposit_refund_reversal x where x.refund_id = d.id) \
           and (d.payment_id = $1 or d.renovation_id in (select rl.renovation_id from renovation_line rl \
                join settlement s on s.line_id = rl.line_id where s.payment_id = $1))",
    )
    .bind(payment_id)
    .fetch_optional(&mut *w)
    .await?;
    if refunded.is_some() {
        return Err(rule(lang, "billing.invalid.refund_first"));
    }
    let kept: Option<(i64,)> = sqlx::query_as(
        "select s.id from settlement s where s.payment_id = $1 and s.refund_id is not null",
    )
    .bind(payment_id)
    .fetch_optional(&mut *w)
    .await?;
    if kept.is_some() {
        return Err(rule(lang, "billing.invalid.deductions_kept"));
    }
    if day_closed(&mut *w, p.clerk_id, &today).await? {
        return Err(rule(lang, "billing.invalid.clerk_day_closed"));
    }
    if p.prepaid_fen > 0 && prepaid_balance(&mut *w, p.house_id).await? < p.prepaid_fen {
        return Err(rule(lang, "billing.invalid.prepaid_used"));
    }
    let now = time::now();
    // One reversal per payment: another manager's, committed a moment before.
    sqlx::query(
        "insert into payment_reversal (payment_id, reason, reversed_by, business_day, created_at) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(payment_id)
    .bind(&reason)
    .bind(manager_id)
    .bind(&today)
    .bind(&now)
    .execute(&mut *w)
    .await
    .on_unique(|| rule(lang, "billing.invalid.reversed_already"))?;
    if p.prepaid_fen > 0 {
        let entry = PrepaidEntry {
            estate_id: p.estate_id,
            house_id: p.house_id,
            amount_fen: -p.prepaid_fen,
            kind: PrepaidKind::Reversal,
        };
        entry.add(&mut w, Some(payment_id), None, &now).await?;
    }
    w.audit(
        Change::new(AuditAction::ReversePayment, AuditEntity::Payment)
            .id(payment_id)
            .estate(p.estate_id)
            .before(serde_json::json!({ "receipt_no": p.receipt_no }))
            .after(serde_json::json!({ "reason": reason })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
