//! The money writes: payments (with receipts), reversals, waivers, the
//! prepaid balance and daily closes. Each is one transaction; each refuses
//! bad input with a message in the caller's language and changes nothing.
//!
//! A line's state is derived, never stored: it is settled while a settlement
//! of it stands (one from the prepaid balance, or from a payment that was not
//! reversed); what it still owes is its amount less approved waivers.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use std::str::FromStr;

use super::money::{self, late_fee};
use super::rules::{self, PaymentError};
use crate::audit::db::{self as audit, Actor, Change};
use crate::common::Lang;
use crate::db::{lock, time, Backend, Database, LockOn};
use crate::error::AppError;
use crate::i18n::{tr, I18n};

/// A bill line with what has happened to it.
#[derive(Debug, Clone)]
pub struct LineState {
    pub id: i64,
    pub estate_id: i64,
    pub fee_item_id: i64,
    pub item_name: String,
    pub kind: String,
    pub period: String,
    pub line_key: String,
    pub amount_fen: i64,
    pub due_date: String,
    pub basis: String,
    pub late_fee_of: Option<i64>,
    pub created_at: String,
    /// Approved waivers of the line itself and of its late fee.
    pub waived_fen: i64,
    pub late_waived_fen: i64,
    pub pending_waiver: bool,
    /// A late-fee line was already raised for this line (it is charged once,
    /// as that line, even if the payment that raised it is reversed).
    pub has_late_line: bool,
    /// The standing settlement, if any.
    pub settled: Option<Settled>,
    /// Settlements of this line that were reversed (the next one's `attempt`).
    pub reversed: i64,
}

#[derive(Debug, Clone)]
pub struct Settled {
    pub payment_id: Option<i64>,
    pub receipt_no: Option<String>,
    pub amount_fen: i64,
    pub at: String,
}

impl LineState {
    /// What the line still owes (0 once settled or waived in full).
    pub fn outstanding(&self) -> i64 {
        if self.settled.is_some() {
            0
        } else {
            (self.amount_fen - self.waived_fen).max(0)
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
    if line.late_fee_of.is_some() || line.has_late_line || line.outstanding() == 0 {
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

/// Every line of a house with its settlements and waivers, oldest due first.
pub async fn house_lines(
    tx: &mut sqlx::AnyConnection,
    house_id: i64,
) -> sqlx::Result<Vec<LineState>> {
    let rows = sqlx::query(
        "select l.id, l.estate_id, l.fee_item_id, f.name, f.kind, l.period, l.line_key, l.amount_fen, \
                l.due_date, l.basis, l.late_fee_of, l.created_at \
         from bill_line l join fee_item f on f.id = l.fee_item_id \
         where l.house_id = $1 order by l.due_date, l.period, l.id",
    )
    .bind(house_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut lines: Vec<LineState> = rows
        .into_iter()
        .map(|r| LineState {
            id: r.get(0),
            estate_id: r.get(1),
            fee_item_id: r.get(2),
            item_name: r.get(3),
            kind: r.get(4),
            period: r.get(5),
            line_key: r.get(6),
            amount_fen: r.get(7),
            due_date: r.get(8),
            basis: r.get(9),
            late_fee_of: r.get(10),
            created_at: r.get(11),
            waived_fen: 0,
            late_waived_fen: 0,
            pending_waiver: false,
            has_late_line: false,
            settled: None,
            reversed: 0,
        })
        .collect();
    let index: HashMap<i64, usize> = lines.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
    let principals: Vec<i64> = lines.iter().filter_map(|l| l.late_fee_of).collect();
    for p in principals {
        if let Some(i) = index.get(&p) {
            lines[*i].has_late_line = true;
        }
    }
    // line, payment, amount, at, receipt number, reversed (0/1)
    type Row = (i64, Option<i64>, i64, String, Option<String>, i64);
    let settlements: Vec<Row> = sqlx::query_as(
        "select s.line_id, s.payment_id, s.amount_fen, s.created_at, p.receipt_no, \
                case when r.id is null then 0 else 1 end \
         from settlement s join bill_line l on l.id = s.line_id \
         left join payment p on p.id = s.payment_id \
         left join payment_reversal r on r.payment_id = s.payment_id \
         where l.house_id = $1 order by s.id",
    )
    .bind(house_id)
    .fetch_all(&mut *tx)
    .await?;
    for (line_id, payment_id, amount_fen, at, receipt_no, reversed) in settlements {
        let Some(line) = index.get(&line_id).map(|i| &mut lines[*i]) else {
            continue;
        };
        if reversed == 1 {
            line.reversed += 1;
        } else {
            line.settled = Some(Settled {
                payment_id,
                receipt_no,
                amount_fen,
                at,
            });
        }
    }
    let waivers: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "select w.line_id, w.target, w.amount_fen, w.status from waiver w \
         join bill_line l on l.id = w.line_id where l.house_id = $1",
    )
    .bind(house_id)
    .fetch_all(&mut *tx)
    .await?;
    for (line_id, target, amount, status) in waivers {
        let Some(line) = index.get(&line_id).map(|i| &mut lines[*i]) else {
            continue;
        };
        match (status.as_str(), target.as_str()) {
            ("approved", "line") => line.waived_fen += amount,
            ("approved", _) => line.late_waived_fen += amount,
            ("pending", _) => line.pending_waiver = true,
            _ => {}
        }
    }
    Ok(lines)
}

/// Each house's arrears (欠费) as of a day: what its lines due before that day
/// still owe — the same rule as [`LineState::outstanding`] (unsettled, less
/// approved waivers of the line), summed in the database for a page of houses.
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
                    where w.line_id = l.id and w.target = 'line' and w.status = 'approved'), 0) as owed \
           from bill_line l \
           where l.house_id in ({}) and l.due_date < $1 \
             and not exists (select 1 from settlement s where s.line_id = l.id \
                   and not exists (select 1 from payment_reversal r where r.payment_id = s.payment_id)) \
         ) t where owed > 0 group by house_id",
        ids.join(",")
    );
    let rows: Vec<(i64, i64)> = sqlx::query_as(&sql).bind(as_of).fetch_all(ex).await?;
    Ok(rows.into_iter().collect())
}

/// The prepaid balance of a house, in fen.
pub async fn prepaid_balance(tx: &mut sqlx::AnyConnection, house_id: i64) -> sqlx::Result<i64> {
    let (balance,): (i64,) = sqlx::query_as(
        "select cast(coalesce(sum(amount_fen), 0) as bigint) from prepaid_entry where house_id = $1",
    )
    .bind(house_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok(balance)
}

/// A movement of a house's prepaid balance: in from a payment's surplus, out
/// to settle a line or when the payment that brought it is reversed.
struct PrepaidEntry {
    estate_id: i64,
    house_id: i64,
    amount_fen: i64,
    kind: &'static str,
}

impl PrepaidEntry {
    async fn add(
        &self,
        tx: &mut sqlx::AnyConnection,
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
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

fn rule(lang: Lang, key: &str) -> AppError {
    AppError::Rule(tr(lang, key))
}

/// Money approvals need a second person ([`rules::second_person`]): every
/// decision on a waiver or a reversal asks here.
fn second_person(lang: Lang, decider: i64, decision: rules::MoneyDecision) -> Result<(), AppError> {
    rules::second_person(decider, decision).map_err(|e| rule(lang, e.key()))
}

/// A payment as the counter's form posts it.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub house_id: i64,
    pub line_ids: Vec<i64>,
    pub method: String,
    pub received: String,
    /// The form's one-time key (a second post of the same form is refused).
    pub request_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTaken {
    pub payment_id: i64,
    pub receipt_no: String,
    pub prepaid_fen: i64,
}

pub const PAY_METHODS: [&str; 5] = ["cash", "wechat", "alipay", "card", "transfer"];

/// Takes a payment at the counter in one transaction: the lines it settles
/// (with their late fees, if the estate charges them), the surplus onto the
/// prepaid balance, the receipt number, the audit entry.
pub async fn take_payment(
    db: &Database,
    actor: &Actor,
    clerk_id: i64,
    lang: Lang,
    req: &PaymentRequest,
) -> Result<PaymentTaken, AppError> {
    if !PAY_METHODS.contains(&req.method.as_str()) {
        return Err(AppError::field(
            "method",
            tr(lang, "billing.invalid.method"),
        ));
    }
    let received = money::parse_yuan(&req.received)
        .map_err(|e| AppError::field("received", amount_message(lang, e)))?;
    if req.line_ids.is_empty() {
        return Err(AppError::field(
            "lines",
            tr(lang, "billing.invalid.no_lines"),
        ));
    }
    let key = req.request_key.trim();
    if key.is_empty() || key.len() > 64 {
        return Err(rule(lang, "billing.invalid.request_key"));
    }
    let today = time::desk_today();
    let today_date = NaiveDate::parse_from_str(&today, "%Y-%m-%d").map_err(AppError::internal)?;
    let mut tx = db.begin_write().await?;
    lock(&mut tx, db.backend, LockOn::ClerkDay(clerk_id)).await?;
    lock(&mut tx, db.backend, LockOn::House(req.house_id)).await?;
    if let Some(receipt) = taken_already(&mut tx, key).await? {
        return Err(AppError::Conflict(
            I18n(lang).f("billing.invalid.duplicate", &[("receipt", &receipt)]),
        ));
    }
    if day_closed(&mut tx, clerk_id, &today).await? {
        return Err(rule(lang, "billing.invalid.day_closed"));
    }
    let (estate_id, estate_code): (i64, String) = sqlx::query_as(
        "select h.estate_id, e.code from house h join estate e on e.id = h.estate_id where h.id = $1",
    )
    .bind(req.house_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let lines = house_lines(&mut tx, req.house_id).await?;
    let policies = late_policies(&mut *tx, estate_id).await?;
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
            return Err(AppError::field(
                "lines",
                I18n(lang).f(
                    "billing.invalid.line_settled",
                    &[("item", &line.item_name), ("period", &line.period)],
                ),
            ));
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
                &[
                    ("due", &super::fen_text(lines_fen)),
                    ("short", &super::fen_text(short)),
                ],
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
    .fetch_one(&mut *tx)
    .await?;
    let receipt_no = rules::receipt_number(&estate_code, year, seq);
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "insert into payment (estate_id, house_id, receipt_no, method, received_fen, lines_fen, prepaid_fen, \
                              clerk_id, business_day, created_at, request_key) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
    )
    .bind(estate_id)
    .bind(req.house_id)
    .bind(&receipt_no)
    .bind(&req.method)
    .bind(received)
    .bind(lines_fen)
    .bind(surplus)
    .bind(clerk_id)
    .bind(&today)
    .bind(&now)
    .bind(key)
    .fetch_one(&mut *tx)
    .await;
    let (payment_id,) = match inserted {
        Ok(row) => row,
        Err(e) if crate::db::is_unique_violation(&e) => {
            drop(tx);
            return Err(AppError::Conflict(tr(
                lang,
                "billing.invalid.duplicate_now",
            )));
        }
        Err(e) => return Err(e.into()),
    };
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
        match settle(line.id, line.reversed, *amount)
            .execute(&mut *tx)
            .await
        {
            Ok(_) => settled_ids.push(line.id),
            Err(e) if crate::db::is_unique_violation(&e) => {
                return Err(AppError::Conflict(I18n(lang).f(
                    "billing.invalid.line_settled",
                    &[("item", &line.item_name), ("period", &line.period)],
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    for (line, fee, days) in &late_fees {
        // The late fee becomes a line of its own, once per principal line
        // (`line_late_fee` charges nothing more once it exists); after a
        // reversal it owes again and is paid like any other line.
        let basis = format!(
            r#"{{"kind":"late_fee","principal":"{}","days":{days},"of_line":{}}}"#,
            money::yuan(line.outstanding()),
            line.id
        );
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
        .bind(basis)
        .bind(line.id)
        .bind(clerk_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let attempt = 0;
        settle(late_id, attempt, *fee).execute(&mut *tx).await?;
    }
    if surplus > 0 {
        let entry = PrepaidEntry {
            estate_id,
            house_id: req.house_id,
            amount_fen: surplus,
            kind: "surplus",
        };
        entry.add(&mut tx, Some(payment_id), None, &now).await?;
    }
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::Payment,
            entity_id: Some(payment_id.to_string()),
            action: crate::common::AuditAction::TakePayment,
            before: None,
            after: Some(serde_json::json!({
                "receipt_no": receipt_no, "house_id": req.house_id, "method": req.method,
                "received_fen": received, "lines_fen": lines_fen, "prepaid_fen": surplus,
                "lines": settled_ids,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentTaken {
        payment_id,
        receipt_no,
        prepaid_fen: surplus,
    })
}

async fn taken_already(tx: &mut sqlx::AnyConnection, key: &str) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("select receipt_no from payment where request_key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(row.map(|(r,)| r))
}

pub async fn day_closed(
    tx: &mut sqlx::AnyConnection,
    clerk_id: i64,
    day: &str,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("select id from daily_close where clerk_id = $1 and business_day = $2")
            .bind(clerk_id)
            .bind(day)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(row.is_some())
}

/// The words for a refused amount.
pub fn amount_message(lang: Lang, e: money::AmountError) -> String {
    use money::AmountError::*;
    tr(
        lang,
        match e {
            NotANumber => "billing.invalid.amount_nan",
            Negative => "billing.invalid.amount_negative",
            Zero => "billing.invalid.amount_zero",
            TooManyDecimals => "billing.invalid.amount_decimals",
            TooLarge => "billing.invalid.amount_large",
        },
    )
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
    let reason: String = reason.trim().chars().take(200).collect();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            tr(lang, "billing.invalid.reason"),
        ));
    }
    let today = time::desk_today();
    let mut tx = db.begin_write().await?;
    let (estate_id, house_id, clerk_id, prepaid_fen, receipt_no): (i64, i64, i64, i64, String) =
        sqlx::query_as(
            "select estate_id, house_id, clerk_id, prepaid_fen, receipt_no from payment where id = $1",
        )
        .bind(payment_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    second_person(
        lang,
        manager_id,
        rules::MoneyDecision::Reversal { taken_by: clerk_id },
    )?;
    lock(&mut tx, db.backend, LockOn::ClerkDay(clerk_id)).await?;
    lock(&mut tx, db.backend, LockOn::House(house_id)).await?;
    let reversed: Option<(i64,)> =
        sqlx::query_as("select id from payment_reversal where payment_id = $1")
            .bind(payment_id)
            .fetch_optional(&mut *tx)
            .await?;
    if reversed.is_some() {
        return Err(rule(lang, "billing.invalid.reversed_already"));
    }
    if day_closed(&mut tx, clerk_id, &today).await? {
        return Err(rule(lang, "billing.invalid.clerk_day_closed"));
    }
    if prepaid_fen > 0 && prepaid_balance(&mut tx, house_id).await? < prepaid_fen {
        return Err(rule(lang, "billing.invalid.prepaid_used"));
    }
    let now = time::now();
    let inserted = sqlx::query(
        "insert into payment_reversal (payment_id, reason, reversed_by, business_day, created_at) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(payment_id)
    .bind(&reason)
    .bind(manager_id)
    .bind(&today)
    .bind(&now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(rule(lang, "billing.invalid.reversed_already"))
        }
        other => {
            other?;
        }
    }
    if prepaid_fen > 0 {
        let entry = PrepaidEntry {
            estate_id,
            house_id,
            amount_fen: -prepaid_fen,
            kind: "reversal",
        };
        entry.add(&mut tx, Some(payment_id), None, &now).await?;
    }
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::Payment,
            entity_id: Some(payment_id.to_string()),
            action: crate::common::AuditAction::ReversePayment,
            before: Some(serde_json::json!({ "receipt_no": receipt_no })),
            after: Some(serde_json::json!({ "reason": reason })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a waiver (减免) of part or all of a line, or of its late fee.
/// Every request waits for a manager, a manager's own too: whoever asked may
/// not decide ([`rules::second_person`]).
#[allow(clippy::too_many_arguments)]
pub async fn request_waiver(
    db: &Database,
    actor: &Actor,
    account_id: i64,
    lang: Lang,
    line_id: i64,
    target: &str,
    amount: &str,
    reason: &str,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<i64, AppError> {
    if target != "line" && target != "late_fee" {
        return Err(AppError::field(
            "target",
            tr(lang, "billing.invalid.target"),
        ));
    }
    let amount_fen = money::parse_yuan(amount)
        .map_err(|e| AppError::field("amount", amount_message(lang, e)))?;
    let reason: String = reason.trim().chars().take(200).collect();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            tr(lang, "billing.invalid.reason"),
        ));
    }
    let mut tx = db.begin_write().await?;
    let (estate_id, house_id): (i64, i64) =
        sqlx::query_as("select estate_id, house_id from bill_line where id = $1")
            .bind(line_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    lock(&mut tx, db.backend, LockOn::House(house_id)).await?;
    let lines = house_lines(&mut tx, house_id).await?;
    let line = lines
        .iter()
        .find(|l| l.id == line_id)
        .ok_or(AppError::NotFound)?;
    let waivable = waivable(&mut tx, line, target, estate_id).await?;
    if amount_fen > waivable {
        return Err(AppError::field(
            "amount",
            I18n(lang).f(
                "billing.invalid.waiver_too_much",
                &[("max", &super::fen_text(waivable))],
            ),
        ));
    }
    let now = time::now();
    let (id,): (i64,) = sqlx::query_as(
        "insert into waiver (estate_id, line_id, target, amount_fen, reason, status, requested_by, requested_at) \
         values ($1, $2, $3, $4, $5, 'pending', $6, $7) returning id",
    )
    .bind(estate_id)
    .bind(line_id)
    .bind(target)
    .bind(amount_fen)
    .bind(&reason)
    .bind(account_id)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::Waiver,
            entity_id: Some(id.to_string()),
            action: crate::common::AuditAction::RequestWaiver,
            before: None,
            after: Some(serde_json::json!({
                "line_id": line_id, "target": target, "amount_fen": amount_fen, "reason": reason,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// How much of a line (or of its late fee) may still be waived.
async fn waivable(
    tx: &mut sqlx::AnyConnection,
    line: &LineState,
    target: &str,
    estate_id: i64,
) -> sqlx::Result<i64> {
    if target == "line" {
        return Ok(line.outstanding());
    }
    let policies = late_policies(&mut *tx, estate_id).await?;
    let today = NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").unwrap_or_default();
    Ok(line_late_fee(line, &policies, today).fen)
}

/// A manager approves or rejects a waiver request, once.
pub async fn decide_waiver(
    db: &Database,
    actor: &Actor,
    manager_id: i64,
    lang: Lang,
    waiver_id: i64,
    approve: bool,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    type Row = (i64, i64, String, i64, String, i64);
    let (estate_id, line_id, target, amount_fen, status, requested_by): Row = sqlx::query_as(
        "select estate_id, line_id, target, amount_fen, status, requested_by from waiver where id = $1",
    )
    .bind(waiver_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    if status != "pending" {
        return Err(rule(lang, "billing.invalid.decided_already"));
    }
    second_person(
        lang,
        manager_id,
        rules::MoneyDecision::Waiver { requested_by },
    )?;
    let (house_id,): (i64,) = sqlx::query_as("select house_id from bill_line where id = $1")
        .bind(line_id)
        .fetch_one(&mut *tx)
        .await?;
    lock(&mut tx, db.backend, LockOn::House(house_id)).await?;
    if approve {
        let lines = house_lines(&mut tx, house_id).await?;
        let line = lines
            .iter()
            .find(|l| l.id == line_id)
            .ok_or(AppError::NotFound)?;
        if amount_fen > waivable(&mut tx, line, &target, estate_id).await? {
            return Err(rule(lang, "billing.invalid.waiver_stale"));
        }
    }
    let decided = sqlx::query("update waiver set status = $1, decided_by = $2, decided_at = $3 where id = $4 and status = 'pending'")
        .bind(if approve { "approved" } else { "rejected" })
        .bind(manager_id)
        .bind(time::now())
        .bind(waiver_id)
        .execute(&mut *tx)
        .await?;
    if decided.rows_affected() != 1 {
        // Another manager decided it first.
        return Err(rule(lang, "billing.invalid.decided_already"));
    }
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::Waiver,
            entity_id: Some(waiver_id.to_string()),
            action: if approve {
                crate::common::AuditAction::ApproveWaiver
            } else {
                crate::common::AuditAction::RejectWaiver
            },
            before: Some(serde_json::json!({ "status": "pending" })),
            after: Some(serde_json::json!({ "amount_fen": amount_fen, "line_id": line_id })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Settles a house's unpaid lines, oldest first, from its prepaid balance,
/// each line whole while the balance covers it. Runs inside the caller's
/// transaction; returns how many lines it settled.
pub async fn settle_from_prepaid(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    house_id: i64,
    estate_id: i64,
) -> sqlx::Result<i64> {
    lock(tx, backend, LockOn::House(house_id)).await?;
    let mut balance = prepaid_balance(tx, house_id).await?;
    if balance <= 0 {
        return Ok(0);
    }
    let lines = house_lines(tx, house_id).await?;
    let now = time::now();
    let mut settled = 0;
    for line in lines.iter().filter(|l| l.outstanding() > 0) {
        let owed = line.outstanding();
        if owed > balance {
            break;
        }
        sqlx::query(
            "insert into settlement (line_id, attempt, payment_id, amount_fen, created_at) values ($1, $2, null, $3, $4)",
        )
        .bind(line.id)
        .bind(line.reversed)
        .bind(owed)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        let entry = PrepaidEntry {
            estate_id,
            house_id,
            amount_fen: -owed,
            kind: "settle",
        };
        entry.add(tx, None, Some(line.id), &now).await?;
        balance -= owed;
        settled += 1;
    }
    Ok(settled)
}

/// A clerk's takings for a day: payments by method, reversals, totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayTotals {
    pub payments_count: i64,
    pub received_fen: i64,
    pub reversals_count: i64,
    pub reversed_fen: i64,
    pub by_method: Vec<(String, i64)>,
}

/// `scope`: only the takings of these estates (a manager's view of a clerk
/// who also works elsewhere); `None` for the clerk's whole day.
pub async fn day_totals(
    tx: &mut sqlx::AnyConnection,
    clerk_id: i64,
    day: &str,
    scope: Option<&crate::common::EstateScope>,
) -> sqlx::Result<DayTotals> {
    let only = scope
        .map(|s| crate::db::estate_filter(s, "p.estate_id"))
        .unwrap_or_default();
    let by_method: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
        "select p.method, count(*), cast(coalesce(sum(p.received_fen), 0) as bigint) from payment p \
         where p.clerk_id = $1 and p.business_day = $2{only} group by p.method order by p.method"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_all(&mut *tx)
    .await?;
    let (reversals_count, reversed_fen): (i64, i64) = sqlx::query_as(&format!(
        "select count(*), cast(coalesce(sum(p.received_fen), 0) as bigint) from payment_reversal r \
         join payment p on p.id = r.payment_id where p.clerk_id = $1 and r.business_day = $2{only}"
    ))
    .bind(clerk_id)
    .bind(day)
    .fetch_one(&mut *tx)
    .await?;
    let mut ordered = Vec::new();
    for m in PAY_METHODS {
        if let Some((_, _, fen)) = by_method.iter().find(|(method, ..)| method == m) {
            ordered.push((m.to_string(), *fen));
        }
    }
    Ok(DayTotals {
        payments_count: by_method.iter().map(|(_, n, _)| n).sum(),
        received_fen: by_method.iter().map(|(.., f)| f).sum(),
        reversals_count,
        reversed_fen,
        by_method: ordered,
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
    let mut tx = db.begin_write().await?;
    lock(&mut tx, db.backend, LockOn::ClerkDay(clerk_id)).await?;
    if day_closed(&mut tx, clerk_id, day).await? {
        return Err(rule(lang, "billing.invalid.closed_already"));
    }
    let totals = day_totals(&mut tx, clerk_id, day, None).await?;
    let by_method: serde_json::Map<String, serde_json::Value> = totals
        .by_method
        .iter()
        .map(|(m, f)| (m.clone(), serde_json::Value::from(*f)))
        .collect();
    sqlx::query(
        "insert into daily_close (clerk_id, business_day, payments_count, received_fen, reversals_count, \
                                  reversed_fen, by_method, closed_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(clerk_id)
    .bind(day)
    .bind(totals.payments_count)
    .bind(totals.received_fen)
    .bind(totals.reversals_count)
    .bind(totals.reversed_fen)
    .bind(serde_json::Value::Object(by_method).to_string())
    .bind(time::now())
    .execute(&mut *tx)
    .await?;
    // One audit entry per estate the day touched, with that estate's part:
    // an entry is seen by its estate's managers alone, so the manager of one
    // estate never reads a shared clerk's takings in another. A day with no
    // takings at all is one entry without an estate, and nothing to hide.
    let estates: Vec<(i64,)> = sqlx::query_as(
        "select p.estate_id from payment p where p.clerk_id = $1 and p.business_day = $2 \
         union select p.estate_id from payment_reversal r join payment p on p.id = r.payment_id \
         where p.clerk_id = $1 and r.business_day = $2 order by 1",
    )
    .bind(clerk_id)
    .bind(day)
    .fetch_all(&mut *tx)
    .await?;
    let mut parts = Vec::new();
    for (estate_id,) in estates {
        let scope = crate::common::EstateScope::Only(vec![estate_id]);
        parts.push((
            Some(estate_id),
            day_totals(&mut tx, clerk_id, day, Some(&scope)).await?,
        ));
    }
    if parts.is_empty() {
        parts.push((None, totals.clone()));
    }
    for (estate_id, part) in parts {
        audit::record(
            &mut *tx,
            actor,
            Change {
                estate_id,
                entity: crate::common::AuditEntity::DailyClose,
                entity_id: Some(format!("{clerk_id}:{day}")),
                action: crate::common::AuditAction::CloseDay,
                before: None,
                after: Some(serde_json::json!({
                    "payments": part.payments_count, "received_fen": part.received_fen,
                    "reversed_fen": part.reversed_fen,
                })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(totals)
}
