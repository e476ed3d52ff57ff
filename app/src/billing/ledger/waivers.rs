//! Waivers (减免): a request to let off part or all of a line, or of its late
//! fee, and a manager's decision on it — never the decision of whoever asked.

use chrono::NaiveDate;

use super::{house_lines, late_policies, line_late_fee, rule, second_person, LineState};
use crate::billing::rules;
use crate::billing::{fen_text, money, WaiverStatus, WaiverTarget};
use crate::common::{AuditAction, AuditEntity, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn};
use crate::error::AppError;
use crate::i18n::{tr, I18n};

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
    let target = WaiverTarget::parse(target)
        .ok_or_else(|| AppError::field("target", tr(lang, "billing.invalid.target")))?;
    let amount_fen = money::parse_yuan(amount)
        .map_err(|e| AppError::field("amount", super::amount_message(lang, e)))?;
    let reason = rules::clip(reason, 200);
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            tr(lang, "billing.invalid.reason"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    let (estate_id, house_id): (i64, i64) =
        sqlx::query_as("select estate_id, house_id from bill_line where id = $1")
            .bind(line_id)
            .fetch_optional(&mut *w)
            .await?
            .ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    w.lock(LockOn::House(house_id)).await?;
    let lines = house_lines(&mut w, house_id).await?;
    let line = lines
        .iter()
        .find(|l| l.id == line_id)
        .ok_or(AppError::NotFound)?;
    let waivable = waivable(&mut w, line, target, estate_id).await?;
    if amount_fen > waivable {
        return Err(AppError::field(
            "amount",
            I18n(lang).f(
                "billing.invalid.waiver_too_much",
                &[("max", &fen_text(waivable))],
            ),
        ));
    }
    let now = time::now();
    let (id,): (i64,) = sqlx::query_as(
        "insert into waiver (estate_id, line_id, target, amount_fen, reason, status, requested_by, requested_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(estate_id)
    .bind(line_id)
    .bind(target)
    .bind(amount_fen)
    .bind(&reason)
    .bind(WaiverStatus::Pending)
    .bind(account_id)
    .bind(&now)
    .fetch_one(&mut *w)
    .await?;
    w.audit(
        Change::new(AuditAction::RequestWaiver, AuditEntity::Waiver)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({
                "line_id": line_id, "target": target, "amount_fen": amount_fen, "reason": reason,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// How much of a line (or of its late fee) may still be waived.
async fn waivable(
    conn: &mut sqlx::AnyConnection,
    line: &LineState,
    target: WaiverTarget,
    estate_id: i64,
) -> sqlx::Result<i64> {
    if target == WaiverTarget::Line {
        return Ok(line.outstanding());
    }
    let policies = late_policies(&mut *conn, estate_id).await?;
    let today = NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").unwrap_or_default();
    Ok(line_late_fee(line, &policies, today).fen)
}

/// What a decision needs to know of the request.
#[derive(sqlx::FromRow)]
struct WaiverFacts {
    estate_id: i64,
    line_id: i64,
    target: WaiverTarget,
    amount_fen: i64,
    status: WaiverStatus,
    requested_by: i64,
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
    let mut w = db.write(actor.clone()).await?;
    let r: WaiverFacts = sqlx::query_as(
        "select estate_id, line_id, target, amount_fen, status, requested_by from waiver where id = $1",
    )
    .bind(waiver_id)
    .fetch_optional(&mut *w)
    .await?
    .ok_or(AppError::NotFound)?;
    check_estate(r.estate_id)?;
    if r.status != WaiverStatus::Pending {
        return Err(rule(lang, "billing.invalid.decided_already"));
    }
    second_person(
        lang,
        manager_id,
        rules::MoneyDecision::Waiver {
            requested_by: r.requested_by,
        },
    )?;
    let (house_id,): (i64,) = sqlx::query_as("select house_id from bill_line where id = $1")
        .bind(r.line_id)
        .fetch_one(&mut *w)
        .await?;
    w.lock(LockOn::House(house_id)).await?;
    if approve {
        let lines = house_lines(&mut w, house_id).await?;
        let line = lines
            .iter()
            .find(|l| l.id == r.line_id)
            .ok_or(AppError::NotFound)?;
        if r.amount_fen > waivable(&mut w, line, r.target, r.estate_id).await? {
            return Err(rule(lang, "billing.invalid.waiver_stale"));
        }
    }
    let decision = if approve {
        WaiverStatus::Approved
    } else {
        WaiverStatus::Rejected
    };
    let decided = sqlx::query(
        "update waiver set status = $1, decided_by = $2, decided_at = $3 where id = $4 and status = $5",
    )
    .bind(decision)
    .bind(manager_id)
    .bind(time::now())
    .bind(waiver_id)
    .bind(WaiverStatus::Pending)
    .execute(&mut *w)
    .await?;
    if decided.rows_affected() != 1 {
        // Another manager decided it first.
        return Err(rule(lang, "billing.invalid.decided_already"));
    }
    let action = if approve {
        AuditAction::ApproveWaiver
    } else {
        AuditAction::RejectWaiver
    };
    w.audit(
        Change::new(action, AuditEntity::Waiver)
            .id(waiver_id)
            .estate(r.estate_id)
            .before(serde_json::json!({ "status": WaiverStatus::Pending }))
            .after(serde_json::json!({ "amount_fen": r.amount_fen, "line_id": r.line_id })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
