//! The settlement (迁出结算): billing the leaver's part month and final
//! readings (and letting the prepaid balance settle what it covers), the one
//! payment at the counter for everything the leaver owes, and a manager's
//! written override when they leave owing.

use super::case::{audit_step, open_write};
use crate::billing::ledger::{self, Payer, PaymentRequest};
use crate::billing::{fen_text, leaving};
use crate::common::{AuditAction, AuditEntity, Caller, Lang, Permission};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database};
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::moves::out::{rules, OutStep};

/// Bills the settlement (出账): raises the part month and the final
/// readings' charges through billing, and lets the prepaid balance settle
/// what it covers — one write. Needs who leaves and the readings first.
pub async fn bill(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
) -> Result<(), AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id, false).await?;
    if case.billed_at.is_some() {
        return Err(AppError::Conflict(tr(lang, "moves.out.refused.billed")));
    }
    let meters = super::meters(&mut w, &case).await?;
    if case.leaving_at.is_none() || (case.readings_at.is_none() && !meters.is_empty()) {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.bill_first_steps")));
    }
    let day = case.day()?;
    if time::date_to_db(day) != time::desk_today() {
        return Err(AppError::Rule(I18n(lang).f(
            "moves.out.refused.not_today",
            &[("day", &time::date_to_db(day))],
        )));
    }
    let finals = super::finals(&mut w, case.id).await?;
    let (bill, ids) =
        leaving::raise_in(&mut w, lang, case.house_id, day, &case.line_key(), &finals, Some(case.id))
            .await?;
    for line in &ids {
        sqlx::query("insert into move_out_line (move_out_id, line_id) values ($1, $2)")
            .bind(case.id)
            .bind(line)
            .execute(&mut *w)
            .await?;
    }
    sqlx::query("update move_out set billed_at = $1 where id = $2")
        .bind(time::now())
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    // The prepaid balance settles what it covers of the leaver's lines only
    // (the case as billed): the lines after them are the next occupant's.
    let billed = super::case_row(&mut *w, case.id).await?.ok_or(AppError::NotFound)?;
    let (_, leavers) = super::settlement(&mut w, lang, &billed).await?;
    let by_prepaid =
        ledger::settle_from_prepaid_only(&mut w, case.house_id, case.estate_id, &leavers).await?;
    w.audit(
        Change::new(AuditAction::BillMoveOut, AuditEntity::MoveOut)
            .id(case.id)
            .estate(case.estate_id)
            .after(serde_json::json!({
                "lines": ids,
                "amount_fen": bill.lines.iter().map(|l| l.amount_fen).sum::<i64>(),
                "split_from": bill.lines.iter().filter_map(|l| l.split_from).collect::<Vec<_>>(),
                "paid_to_month_end": bill.paid_to_month_end,
                "settled_by_prepaid": by_prepaid,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// The settlement's payment (收款): every line the leaver owes, with its late
/// fee, in one payment under one receipt, in the move-out's write.
#[allow(clippy::too_many_arguments)]
pub async fn pay(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    method: &str,
    received: &str,
    payer: &Payer,
    request_key: &str,
) -> Result<String, AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id, true).await?;
    if case.billed_at.is_none() {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.bill_first")));
    }
    let (settlement, line_ids) = super::settlement(&mut w, lang, &case).await?;
    if line_ids.is_empty() || settlement.due_fen == 0 {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.nothing_owed")));
    }
    // More than is owed would land on the house's prepaid balance — the next
    // occupant's to spend: the settlement takes what is due, no more.
    if crate::billing::money::parse_yuan(received).is_ok_and(|r| r > settlement.due_fen) {
        return Err(AppError::field(
            "received",
            I18n(lang).f("moves.out.invalid.over", &[("due", &fen_text(settlement.due_fen))]),
        ));
    }
    let req = PaymentRequest {
        house_id: case.house_id,
        line_ids,
        method: method.to_string(),
        received: received.to_string(),
        request_key: request_key.to_string(),
    };
    let taken = ledger::take_payment_in(&mut w, caller.account_id, lang, &req, payer).await?;
    // The first payment stays the case's (a late fee run up since is paid after it).
    sqlx::query("update move_out set payment_id = coalesce(payment_id, $1) where id = $2")
        .bind(taken.payment_id)
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    w.audit(audit_step(
        &case,
        OutStep::Settlement,
        serde_json::json!({ "payment_id": taken.payment_id, "receipt_no": taken.receipt_no }),
    ))
    .await?;
    w.commit().await?;
    Ok(taken.receipt_no)
}

/// A manager lets the household leave owing (the amount owed now), with a
/// written reason, recorded on the case and in the audit log. The lines stay
/// owed by the house.
pub async fn override_owed(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    // The case's estate first: another estate's desk learns nothing of it.
    let (mut w, case) = open_write(db, actor, caller, lang, id, false).await?;
    if !caller.may(Permission::ApproveMoney) {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.override_manager")));
    }
    // A money approval takes a second person: not the one who opened the case.
    if caller.account_id == case.opened_by {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.override_own")));
    }
    if case.billed_at.is_none() {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.bill_first")));
    }
    let (settlement, _) = super::settlement(&mut w, lang, &case).await?;
    // Once for what is owed; again only when more came due since (a late fee
    // runs on): the audit log keeps every approval.
    if case.override_fen.is_some_and(|o| o >= settlement.due_fen) {
        return Err(AppError::Conflict(tr(lang, "moves.out.refused.overridden")));
    }
    let reason =
        rules::check_override(reason).map_err(|key| AppError::field("reason", tr(lang, key)))?;
    if settlement.due_fen == 0 {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.nothing_owed")));
    }
    sqlx::query(
        "update move_out set override_reason = $1, override_fen = $2, override_by = $3, override_at = $4 \
         where id = $5",
    )
    .bind(&reason)
    .bind(settlement.due_fen)
    .bind(caller.account_id)
    .bind(time::now())
    .bind(case.id)
    .execute(&mut *w)
    .await?;
    w.audit(
        Change::new(AuditAction::OverrideMoveOut, AuditEntity::MoveOut)
            .id(case.id)
            .estate(case.estate_id)
            .after(serde_json::json!({
                "reason": reason, "owed_fen": settlement.due_fen, "owed": fen_text(settlement.due_fen),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
