//! The deposit's refund (退押金): deductions (扣款) proposed against the
//! deposit held — an item, an amount, the visit it rests on — by a reviewer
//! or the desk and decided by a manager who did not propose them; then the
//! refund itself, money out in one write: the approved deductions become
//! income lines settled out of the deposit, the rest is paid back (cash,
//! transfer, or onto the house's prepaid balance) as an append-only entry
//! with its own number and slip (退款单), and the application is closed. A
//! mistaken refund is reversed by a manager and done again; nothing is edited.
//! What the application's page and the slip read of it is in [`super::deposit`].

use super::*;
use crate::billing::charge;
use crate::billing::ledger::{self, LineState};
use crate::common::{AuditAction, AuditEntity, Fen, HouseId};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique, Write};
use crate::renovation::refund::{self as rules_refund, DeductionState, RefundMethod};

/// The states in which deductions are proposed and decided: from the
/// acceptance until the refund.
pub(super) fn deducting(state: State) -> bool {
    matches!(state, State::Acceptance | State::Rectifying | State::Refund)
}

/// The fee item deductions are income of, made in the estate on first use.
pub const DEDUCTION_ITEM: &str = "装修押金扣款";

/// The deposit an application holds: its held lines that are paid, their
/// amount, and the payment they came in on.
pub fn deposit_of(raised: &[(LineState, i64)]) -> (i64, Option<i64>) {
    let held: Vec<&LineState> = raised
        .iter()
        .map(|(l, _)| l)
        .filter(|l| l.held == 1 && l.settled.is_some())
        .collect();
    let fen = held
        .iter()
        .map(|l| l.settled.as_ref().map_or(0, |s| s.amount_fen))
        .sum();
    let payment = held
        .iter()
        .find_map(|l| l.settled.as_ref().and_then(|s| s.payment_id));
    (fen, payment)
}

#[derive(Debug, Clone, FromRow)]
pub struct DeductionDb {
    pub id: i64,
    pub item: String,
    pub amount_fen: i64,
    pub inspection_id: Option<i64>,
    pub state: DeductionState,
    pub proposed_by: i64,
    pub proposed_name: String,
    pub decided_name: Option<String>,
    pub line_id: Option<i64>,
}

pub async fn deductions<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Vec<DeductionDb>> {
    sqlx::query_as(
        "select id, item, amount_fen, inspection_id, state, proposed_by, proposed_name, decided_name, line_id \
         from renovation_deduction where renovation_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(ex)
    .await
}

/// The application's refund while it stands (not reversed).
#[derive(Debug, Clone, FromRow)]
pub struct RefundDb {
    pub id: i64,
    pub refund_no: String,
    pub method: RefundMethod,
    pub deposit_fen: i64,
    pub deducted_fen: i64,
    pub refunded_fen: i64,
    pub payee_name: String,
    pub clerk_id: i64,
    pub business_day: String,
    pub created_at: String,
}

pub(super) const REFUND_COLUMNS: &str =
    "d.id, d.refund_no, d.method, d.deposit_fen, d.deducted_fen, d.refunded_fen, \
     d.payee_name, d.clerk_id, d.business_day, d.created_at";

pub async fn standing_refund<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Option<RefundDb>> {
    sqlx::query_as(&format!(
        "select {REFUND_COLUMNS} from deposit_refund d where d.renovation_id = $1 \
         and not exists (select 1 from deposit_refund_reversal x where x.refund_id = d.id)"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// A write on application `id` for deductions, by who may take part: read
/// inside the write with the house locked.
async fn deduction_write(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
) -> Result<(Write, AppDb, Option<Who>), AppError> {
    let first = find(&db.pool, id).await?.ok_or(AppError::NotFound)?;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(first.house_id)).await?;
    let app = find(&mut *w, id).await?.ok_or(AppError::NotFound)?;
    let who = super::who(&mut w, caller, &app).await?;
    if !deducting(app.state) {
        return Err(AppError::Conflict(tr(
            caller.lang,
            "renovation.refused.not_deducting",
        )));
    }
    Ok((w, app, who))
}

/// Proposes a deduction from the deposit (a reviewer or the desk), on the
/// visit `visit_id` it rests on (one of this application's, if named).
pub async fn propose(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    item: &str,
    amount: &str,
    visit_id: Option<i64>,
) -> Result<i64, AppError> {
    let lang = caller.lang;
    let (mut w, app, who) = deduction_write(db, actor, caller, id).await?;
    if !matches!(who, Some(Who::Reviewer | Who::Desk { .. })) {
        return Err(AppError::forbidden(
            "deductions are proposed by reviewers and the desk",
        ));
    }
    let raised = super::money::raised_lines(&mut w, &app).await?;
    let (deposit, _) = deposit_of(&raised);
    if deposit == 0 {
        return Err(AppError::Rule(tr(lang, "renovation.refused.no_deposit")));
    }
    let standing = deductions(&mut *w, id).await?;
    if standing.len() >= rules_refund::MAX_DEDUCTIONS {
        return Err(AppError::Rule(tr(
            lang,
            "renovation.refused.too_many_deductions",
        )));
    }
    let claimed: i64 = standing
        .iter()
        .filter(|d| d.state != DeductionState::Rejected)
        .map(|d| d.amount_fen)
        .sum();
    let (item, fen) = rules_refund::check_deduction(item, amount, deposit, claimed)
        .map_err(|p| refused(lang, p))?;
    if let Some(visit) = visit_id {
        let ours: Option<(i64,)> = sqlx::query_as(
            "select id from renovation_inspection where id = $1 and renovation_id = $2",
        )
        .bind(visit)
        .bind(id)
        .fetch_optional(&mut *w)
        .await?;
        if ours.is_none() {
            return Err(AppError::field(
                "visit_id",
                tr(lang, "renovation.invalid.visit"),
            ));
        }
    }
    let (deduction_id,): (i64,) = sqlx::query_as(
        "insert into renovation_deduction (renovation_id, item, amount_fen, inspection_id, state, proposed_by, \
                                           proposed_name, proposed_at) \
         values ($1, $2, $3, $4, 'pending', $5, $6, $7) returning id",
    )
    .bind(id)
    .bind(&item)
    .bind(fen)
    .bind(visit_id)
    .bind(caller.account_id)
    .bind(&actor.name)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationDeduction, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .after(serde_json::json!({
                "deduction": deduction_id, "item": item, "amount_fen": fen, "visit": visit_id,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(deduction_id)
}

/// A manager approves (or not) a proposed deduction — never their own.
pub async fn decide(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    deduction_id: i64,
    approve: bool,
) -> Result<(), AppError> {
    let lang = caller.lang;
    let row: Option<(i64,)> =
        sqlx::query_as("select renovation_id from renovation_deduction where id = $1")
            .bind(deduction_id)
            .fetch_optional(&db.pool)
            .await?;
    let (id,) = row.ok_or(AppError::NotFound)?;
    let (mut w, app, who) = deduction_write(db, actor, caller, id).await?;
    if who != Some(Who::Desk { manager: true }) {
        return Err(AppError::forbidden("a manager decides deductions"));
    }
    let d = deductions(&mut *w, id)
        .await?
        .into_iter()
        .find(|d| d.id == deduction_id)
        .ok_or(AppError::NotFound)?;
    if d.proposed_by == caller.account_id {
        return Err(AppError::Rule(tr(lang, "renovation.refused.own_deduction")));
    }
    let to = if approve {
        DeductionState::Approved
    } else {
        DeductionState::Rejected
    };
    let done = sqlx::query(
        "update renovation_deduction set state = $1, decided_by = $2, decided_name = $3, decided_at = $4 \
         where id = $5 and state = 'pending'",
    )
    .bind(to)
    .bind(caller.account_id)
    .bind(&actor.name)
    .bind(time::now())
    .bind(deduction_id)
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(
            lang,
            "renovation.refused.decided_already",
        )));
    }
    w.audit(
        Change::new(AuditAction::RenovationDeduction, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .before(serde_json::json!({ "deduction": deduction_id, "state": d.state }))
            .after(serde_json::json!({ "deduction": deduction_id, "state": to, "amount_fen": d.amount_fen })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// The estate's fee item of deductions (income, one-off), known by its
/// purpose; made on first use — or an item of that name the estate made
/// itself, if it is a one-off income item, is taken for it.
async fn deduction_item(w: &mut Write, lang: Lang, estate_id: i64) -> Result<i64, AppError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "select id from fee_item where estate_id = $1 and purpose = 'renovation_deduction'",
    )
    .bind(estate_id)
    .fetch_optional(&mut **w)
    .await?;
    if let Some((id,)) = found {
        return Ok(id);
    }
    let named: Option<(i64, String, i64)> =
        sqlx::query_as("select id, kind, held from fee_item where estate_id = $1 and name = $2")
            .bind(estate_id)
            .bind(DEDUCTION_ITEM)
            .fetch_optional(&mut **w)
            .await?;
    match named {
        Some((id, kind, 0)) if kind == "one_off" => {
            sqlx::query("update fee_item set purpose = 'renovation_deduction' where id = $1")
                .bind(id)
                .execute(&mut **w)
                .await?;
            Ok(id)
        }
        Some(_) => Err(AppError::Rule(I18n(lang).f(
            "renovation.refused.deduction_item",
            &[("name", DEDUCTION_ITEM)],
        ))),
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "insert into fee_item (estate_id, name, kind, due_days, unit, held, purpose, created_at) \
                 values ($1, $2, 'one_off', 0, '', 0, 'renovation_deduction', $3) returning id",
            )
            .bind(estate_id)
            .bind(DEDUCTION_ITEM)
            .bind(time::now())
            .fetch_one(&mut **w)
            .await?;
            Ok(id)
        }
    }
}

/// 退还押金并结案: pays the deposit back less the approved deductions, in one
/// write — the deductions raised as income lines settled out of the deposit
/// (once: a refund done again after a reversal finds them raised), the rest
/// paid out as a numbered entry, the application closed. `payee`: who takes
/// the money (the applicant unless named); `expected_fen`: what the clerk's
/// page said is paid back — a deduction decided since is not paid past them.
/// Returns the refund's number.
#[allow(clippy::too_many_arguments)]
pub async fn refund(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    method: &str,
    payee: &str,
    expected_fen: i64,
    request_key: &str,
) -> Result<String, AppError> {
    let lang = caller.lang;
    let method = RefundMethod::parse(method)
        .ok_or_else(|| AppError::field("method", tr(lang, "billing.invalid.method")))?;
    let payee = payee.trim();
    if payee.chars().count() > ledger::PAYER_NAME_MAX {
        return Err(AppError::field(
            "payee",
            tr(lang, "renovation.invalid.text"),
        ));
    }
    if request_key.trim().is_empty() {
        return Err(AppError::Rule(tr(lang, "renovation.refused.moved_on")));
    }
    // The same form sent again (a double click, a retry after a lost answer):
    // the refund it made is the answer, not "moved on".
    let taken: Option<(i64, String)> = sqlx::query_as(
        "select estate_id, refund_no from deposit_refund d where request_key = $1 and renovation_id = $2 \
           and not exists (select 1 from deposit_refund_reversal x where x.refund_id = d.id)",
    )
    .bind(request_key)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    if let Some((estate_id, refund_no)) = taken {
        caller.check_estate(estate_id)?;
        return Ok(refund_no);
    }
    let (mut w, app) = super::money::desk_write(db, actor, caller, id, State::Refund).await?;

    let today = time::desk_today();
    if ledger::day_closed(&mut *w, caller.account_id, &today).await? {
        return Err(AppError::Rule(tr(lang, "billing.invalid.day_closed")));
    }
    let all = deductions(&mut *w, id).await?;
    if all.iter().any(|d| d.state == DeductionState::Pending) {
        return Err(AppError::Rule(tr(
            lang,
            "renovation.refused.deductions_pending",
        )));
    }
    let raised = super::money::raised_lines(&mut w, &app).await?;
    // A deposit raised but not paid (its payment reversed): taken again first.
    if raised
        .iter()
        .any(|(l, _)| l.held == 1 && l.outstanding() > 0)
    {
        return Err(AppError::Rule(tr(
            lang,
            "renovation.refused.deposit_unpaid",
        )));
    }
    let (deposit, payment_id) = deposit_of(&raised);
    let approved: Vec<&DeductionDb> = all
        .iter()
        .filter(|d| d.state == DeductionState::Approved)
        .collect();
    let amounts: Vec<i64> = approved.iter().map(|d| d.amount_fen).collect();
    let refunded = rules_refund::refund_fen(deposit, &amounts)
        .ok_or_else(|| AppError::Rule(tr(lang, "renovation.refused.deductions_over")))?;
    let deducted = deposit - refunded;
    if refunded != expected_fen {
        return Err(AppError::Conflict(crate::i18n::I18n(lang).f(
            "renovation.refused.refund_changed",
            &[("amount", &crate::billing::fen_text(refunded))],
        )));
    }
    let (reversed,): (i64,) = sqlx::query_as(
        "select count(*) from deposit_refund d join deposit_refund_reversal x on x.refund_id = d.id \
         where d.renovation_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *w)
    .await?;
    let now = time::now();
    let refund = match payment_id {
        // No deposit was held (the estate charges none): the works are closed with nothing to pay back.
        None => None,
        Some(payment_id) => {
            let year: i32 = today[..4].parse().map_err(AppError::internal)?;
            let (seq,): (i64,) = sqlx::query_as(
                "insert into refund_sequence (estate_id, year, last_no) values ($1, $2, 1) \
                 on conflict (estate_id, year) do update set last_no = refund_sequence.last_no + 1 \
                 returning last_no",
            )
            .bind(app.estate_id)
            .bind(i64::from(year))
            .fetch_one(&mut *w)
            .await?;
            let (code,): (String,) = sqlx::query_as("select code from estate where id = $1")
                .bind(app.estate_id)
                .fetch_one(&mut *w)
                .await?;
            let refund_no = format!("TK{code}{year}-{seq:06}");
            let payee = if payee.is_empty() {
                app.applicant.as_str()
            } else {
                payee
            };
            let (refund_id,): (i64,) = sqlx::query_as(
                "insert into deposit_refund (estate_id, house_id, renovation_id, refund_no, payment_id, method, \
                     deposit_fen, deducted_fen, refunded_fen, payee_name, clerk_id, business_day, created_at, \
                     request_key, attempt) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id",
            )
            .bind(app.estate_id)
            .bind(app.house_id)
            .bind(id)
            .bind(&refund_no)
            .bind(payment_id)
            .bind(method)
            .bind(deposit)
            .bind(deducted)
            .bind(refunded)
            .bind(payee)
            .bind(caller.account_id)
            .bind(&today)
            .bind(&now)
            .bind(request_key)
            .bind(reversed)
            .fetch_one(&mut *w)
            .await
            .on_unique(|| AppError::Conflict(tr(lang, "renovation.refused.refunded_already")))?;
            // The deductions kept become income: a line each, settled out of the deposit.
            let fresh: Vec<&&DeductionDb> =
                approved.iter().filter(|d| d.line_id.is_none()).collect();
            if !fresh.is_empty() {
                let item = deduction_item(&mut w, lang, app.estate_id).await?;
                for d in fresh {
                    let line = charge::raise_one_off_in(
                        &mut w,
                        lang,
                        HouseId(app.house_id),
                        item,
                        Fen(d.amount_fen),
                        &format!("renovation-deduction:{}", d.id),
                        &format!("{} {}", app.app_no, d.item),
                    )
                    .await?;
                    sqlx::query(
                        "insert into settlement (line_id, attempt, payment_id, amount_fen, created_at, refund_id) \
                         values ($1, 0, $2, $3, $4, $5)",
                    )
                    .bind(line)
                    .bind(payment_id)
                    .bind(d.amount_fen)
                    .bind(&now)
                    .bind(refund_id)
                    .execute(&mut *w)
                    .await?;
                    sqlx::query("update renovation_deduction set line_id = $1 where id = $2")
                        .bind(line)
                        .bind(d.id)
                        .execute(&mut *w)
                        .await?;
                }
            }
            if method == RefundMethod::Prepaid && refunded > 0 {
                sqlx::query(
                    "insert into prepaid_entry (estate_id, house_id, amount_fen, kind, refund_id, created_at) \
                     values ($1, $2, $3, 'surplus', $4, $5)",
                )
                .bind(app.estate_id)
                .bind(app.house_id)
                .bind(refunded)
                .bind(refund_id)
                .bind(&now)
                .execute(&mut *w)
                .await?;
            }
            Some((refund_id, refund_no))
        }
    };
    let to = rules::decide(app.state, Action::Refund, Who::Desk { manager: false })
        .map_err(|r| AppError::Conflict(tr(lang, r.key())))?;
    let moved = sqlx::query(
        "update renovation set state = $1, updated_at = $2 where id = $3 and state = 'refund'",
    )
    .bind(to)
    .bind(&now)
    .bind(id)
    .execute(&mut *w)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    let number = refund
        .as_ref()
        .map(|(_, no)| no.clone())
        .unwrap_or_default();
    super::act::event(
        &mut w,
        id,
        Action::Refund.as_str(),
        Some(app.state),
        to,
        &number,
        true,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationRefund, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .before(serde_json::json!({ "state": app.state }))
            .after(serde_json::json!({
                "state": to, "refund_no": number, "refund_id": refund.as_ref().map(|(r, _)| *r),
                "method": method, "deposit_fen": deposit, "deducted_fen": deducted, "refunded_fen": refunded,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(number)
}

/// A manager reverses a mistaken refund (not the clerk who paid it): the
/// deposit is held again less the deductions already kept, the application
/// waits for its refund again; a refund onto the prepaid balance is taken
/// back off it (refused if the balance was spent meanwhile).
pub async fn reverse_refund(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let lang = caller.lang;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            tr(lang, "renovation.invalid.reason"),
        ));
    }
    let first = find(&db.pool, id).await?.ok_or(AppError::NotFound)?;
    caller.check_estate(first.estate_id)?;
    let pre = standing_refund(&db.pool, id)
        .await?
        .ok_or_else(|| AppError::Rule(tr(lang, "renovation.refused.no_refund")))?;
    let mut w = db.write(actor.clone()).await?;
    // The payment reversal's order: the day the refund is counted in, then the house.
    w.lock(LockOn::ClerkDay(pre.clerk_id)).await?;
    w.lock(LockOn::House(first.house_id)).await?;
    let app = find(&mut *w, id).await?.ok_or(AppError::NotFound)?;
    if super::who(&mut w, caller, &app).await? != Some(Who::Desk { manager: true }) {
        return Err(AppError::forbidden("a manager reverses a refund"));
    }
    let refund = standing_refund(&mut *w, id).await?;
    let Some(refund) = refund.filter(|r| r.id == pre.id && app.state == State::Closed) else {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    };
    if refund.clerk_id == caller.account_id {
        return Err(AppError::Rule(tr(lang, "renovation.refused.own_refund")));
    }
    let today = time::desk_today();
    // Reopened, it would be the house's second application under way.
    if super::open_of(&mut *w, app.house_id).await?.is_some() {
        return Err(AppError::Rule(tr(lang, "renovation.refused.newer_open")));
    }
    // The reversal is counted in the refunding clerk's day: not once it is closed.
    if ledger::day_closed(&mut *w, refund.clerk_id, &today).await? {
        return Err(AppError::Rule(tr(lang, "billing.invalid.clerk_day_closed")));
    }
    if refund.method == RefundMethod::Prepaid && refund.refunded_fen > 0 {
        let balance = ledger::prepaid_balance(&mut *w, app.house_id).await?;
        if balance < refund.refunded_fen {
            return Err(AppError::Rule(tr(lang, "renovation.refused.prepaid_spent")));
        }
        sqlx::query(
            "insert into prepaid_entry (estate_id, house_id, amount_fen, kind, refund_id, created_at) \
             values ($1, $2, $3, 'reversal', $4, $5)",
        )
        .bind(app.estate_id)
        .bind(app.house_id)
        .bind(-refund.refunded_fen)
        .bind(refund.id)
        .bind(time::now())
        .execute(&mut *w)
        .await?;
    }
    sqlx::query(
        "insert into deposit_refund_reversal (refund_id, reason, reversed_by, business_day, created_at) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(refund.id)
    .bind(reason)
    .bind(caller.account_id)
    .bind(&today)
    .bind(time::now())
    .execute(&mut *w)
    .await
    .on_unique(|| AppError::Conflict(tr(lang, "renovation.refused.moved_on")))?;
    let to = rules::decide(
        app.state,
        Action::ReverseRefund,
        Who::Desk { manager: true },
    )
    .map_err(|r| AppError::Conflict(tr(lang, r.key())))?;
    let moved = sqlx::query(
        "update renovation set state = $1, updated_at = $2 where id = $3 and state = 'closed'",
    )
    .bind(to)
    .bind(time::now())
    .bind(id)
    .execute(&mut *w)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    let note = format!("{} {reason}", refund.refund_no);
    super::act::event(
        &mut w,
        id,
        Action::ReverseRefund.as_str(),
        Some(app.state),
        to,
        &note,
        true,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationRefundReversed, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .before(serde_json::json!({ "state": app.state, "refund_no": refund.refund_no }))
            .after(serde_json::json!({ "state": to, "reason": reason, "refunded_fen": refund.refunded_fen })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
