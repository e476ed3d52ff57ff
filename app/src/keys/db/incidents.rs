//! A lost key (挂失) and its lock change (换锁), and a copy taken out of use
//! (停用). A loss is reported to the manager and to security at once (their
//! homes list it); the lock change is tracked to done — when, by whom, what
//! it cost — and a cost the resident bears becomes a one-off bill line on the
//! house through billing's own function, in the same write. Once the lock is
//! changed the key's other copies open nothing: they are retired with it.

use super::{facts, log};
use crate::billing::charge::raise_one_off_in;
use crate::billing::ledger::amount_message;
use crate::billing::money::parse_yuan;
use crate::common::{AuditAction, AuditEntity, Caller, Fen, HouseId, KeyCopyId, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn};
use crate::error::{AppError, FieldError};
use crate::i18n::{tr, I18n};
use crate::keys::rules::{self, KeyAction};
use crate::keys::{CopyStatus, LogEntry};

/// Reports copy `copy` lost, with the circumstances; returns the report's id.
pub async fn report_lost(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    circumstances: &str,
) -> Result<i64, AppError> {
    let f = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    let circumstances = circumstances.trim();
    if circumstances.is_empty() || circumstances.chars().count() > 500 {
        return Err(AppError::field(
            "circumstances",
            tr(lang, "keys.invalid.circumstances"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    let f = facts(&mut *w, copy).await?;
    let Some(to) = rules::next(f.status, KeyAction::ReportLost) else {
        return Err(AppError::Rule(tr(
            lang,
            rules::refusal_key(f.status, KeyAction::ReportLost),
        )));
    };
    let moved = sqlx::query("update key_copy set status = $2 where id = $1 and status = $3")
        .bind(copy)
        .bind(to)
        .bind(f.status)
        .execute(&mut *w)
        .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "keys.refused.not_now")));
    }
    // Lost while out: the loan stays open (the key never came back) and is named.
    let loan: Option<(i64, String)> = sqlx::query_as(
        "select id, taker_name from key_loan where copy_id = $1 and returned_at is null",
    )
    .bind(copy)
    .fetch_optional(&mut *w)
    .await?;
    let now = time::now();
    let (id,): (i64,) = sqlx::query_as(
        "insert into key_incident (estate_id, copy_id, kind, loan_id, circumstances, reported_by, reported_at) \
         values ($1, $2, 'lost', $3, $4, $5, $6) returning id",
    )
    .bind(f.estate_id)
    .bind(copy)
    .bind(loan.as_ref().map(|l| l.0))
    .bind(circumstances)
    .bind(caller.account_id)
    .bind(&now)
    .fetch_one(&mut *w)
    .await?;
    let line = match &loan {
        Some((_, taker)) => I18n(lang).f(
            "keys.log_lost_by",
            &[("taker", taker), ("what", circumstances)],
        ),
        None => circumstances.to_string(),
    };
    log(
        &mut w,
        &f,
        loan.as_ref().map(|l| l.0),
        LogEntry::ReportLost,
        &line,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::ReportKeyLost, AuditEntity::KeyCopy)
            .id(copy)
            .estate(f.estate_id)
            .before(serde_json::json!({ "tag": f.tag, "status": f.status }))
            .after(
                serde_json::json!({ "status": to, "report": id, "circumstances": circumstances }),
            ),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// The lock change after a loss, as its form sends it.
#[derive(Debug, Clone, Default)]
pub struct LockChange {
    /// `YYYY-MM-DD`
    pub changed_on: String,
    pub changed_by: String,
    /// Yuan as typed; empty or 0 is no cost.
    pub cost: String,
    /// The resident bears the cost: it is billed to the house.
    pub resident_pays: bool,
    /// The one-off fee item the cost is billed under.
    pub fee_item_id: String,
}

/// Records the lock change that closes the loss report of copy `copy`.
pub async fn lock_changed(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    change: &LockChange,
) -> Result<(), AppError> {
    let f = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    let mut errors = Vec::new();
    let mut bad = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    let day = chrono::NaiveDate::parse_from_str(change.changed_on.trim(), "%Y-%m-%d").ok();
    if day.is_none() {
        bad("changed_on", tr(lang, "keys.invalid.date"));
    }
    let by = change.changed_by.trim();
    if by.is_empty() || by.chars().count() > 40 {
        bad("changed_by", tr(lang, "keys.invalid.changed_by"));
    }
    let cost = match change.cost.trim() {
        "" | "0" => Some(0),
        typed => match parse_yuan(typed) {
            Ok(fen) => Some(fen),
            Err(crate::billing::money::AmountError::Zero) => Some(0),
            Err(e) => {
                bad("cost", amount_message(lang, e));
                None
            }
        },
    };
    let billed = change.resident_pays && cost.is_some_and(|c| c > 0);
    if billed && f.house_id.is_none() {
        bad("resident_pays", tr(lang, "keys.invalid.no_house"));
    }
    let fee_item = change.fee_item_id.trim().parse::<i64>().unwrap_or(0);
    if billed && fee_item == 0 {
        bad("fee_item_id", tr(lang, "billing.invalid.item"));
    }
    let (Some(day), Some(cost), true) = (day, cost, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    let report: Option<(i64,)> = sqlx::query_as(
        "select id from key_incident where copy_id = $1 and kind = 'lost' and closed_at is null \
         order by id desc limit 1",
    )
    .bind(copy)
    .fetch_optional(&mut *w)
    .await?;
    let Some((report,)) = report else {
        return Err(AppError::Rule(tr(lang, "keys.refused.no_loss")));
    };
    // A copy out would come back opening a lock that is gone: it comes back first.
    let out: Option<(String,)> =
        sqlx::query_as("select tag from key_copy where key_set_id = $1 and status = 'out' limit 1")
            .bind(f.key_set_id)
            .fetch_optional(&mut *w)
            .await?;
    if let Some((tag,)) = out {
        return Err(AppError::Rule(
            I18n(lang).f("keys.refused.lock_copy_out", &[("tag", &tag)]),
        ));
    }
    let line = match (billed, f.house_id) {
        (true, Some(house)) => Some(
            raise_one_off_in(
                &mut w,
                lang,
                HouseId(house),
                fee_item,
                Fen(cost),
                &format!("key-lock:{report}"),
                &I18n(lang).f("keys.lock_charge_note", &[("tag", &f.tag)]),
            )
            .await?,
        ),
        _ => None,
    };
    let now = time::now();
    let day = time::date_to_db(day);
    let closed = sqlx::query(
        "update key_incident set lock_changed_on = $2, lock_changed_by = $3, cost_fen = $4, resident_pays = $5, \
            bill_line_id = $6, closed_at = $7 where id = $1 and closed_at is null",
    )
    .bind(report)
    .bind(&day)
    .bind(by)
    .bind(cost)
    .bind(i64::from(billed))
    .bind(line)
    .bind(&now)
    .execute(&mut *w)
    .await?;
    if closed.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "keys.refused.no_loss")));
    }
    // The old lock is gone: the key's copies still in the cabinet open nothing now.
    let others: Vec<(KeyCopyId,)> =
        sqlx::query_as("select id from key_copy where key_set_id = $1 and status = 'in_cabinet'")
            .bind(f.key_set_id)
            .fetch_all(&mut *w)
            .await?;
    for (other,) in others {
        sqlx::query(
            "update key_copy set status = 'retired' where id = $1 and status = 'in_cabinet'",
        )
        .bind(other)
        .execute(&mut *w)
        .await?;
        let of = facts(&mut *w, other).await?;
        log(
            &mut w,
            &of,
            None,
            LogEntry::Retire,
            &tr(lang, "keys.retired_lock"),
        )
        .await?;
    }
    let money = crate::common::money::fen_text(cost);
    log(
        &mut w,
        &f,
        None,
        LogEntry::LockChanged,
        &I18n(lang).f(
            "keys.log_lock",
            &[("day", &day), ("by", by), ("cost", &money)],
        ),
    )
    .await?;
    w.audit(
        Change::new(AuditAction::KeyLockChanged, AuditEntity::KeyCopy)
            .id(copy)
            .estate(f.estate_id)
            .after(serde_json::json!({
                "report": report,
                "changed_on": day,
                "changed_by": by,
                "cost_fen": cost,
                "resident_pays": billed,
                "bill_line_id": line,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Takes copy `copy` out of use from the cabinet (worn, replaced), with a reason.
pub async fn retire(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    reason: &str,
) -> Result<(), AppError> {
    let f = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::field(
            "reason",
            tr(lang, "keys.invalid.retire_reason"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    let f = facts(&mut *w, copy).await?;
    if rules::next(f.status, KeyAction::Retire).is_none() {
        return Err(AppError::Rule(tr(
            lang,
            rules::refusal_key(f.status, KeyAction::Retire),
        )));
    }
    let moved = sqlx::query(
        "update key_copy set status = 'retired' where id = $1 and status = 'in_cabinet'",
    )
    .bind(copy)
    .execute(&mut *w)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "keys.refused.not_now")));
    }
    log(&mut w, &f, None, LogEntry::Retire, reason).await?;
    w.audit(
        Change::new(AuditAction::RetireKey, AuditEntity::KeyCopy)
            .id(copy)
            .estate(f.estate_id)
            .before(serde_json::json!({ "tag": f.tag, "status": f.status }))
            .after(serde_json::json!({ "status": CopyStatus::Retired, "reason": reason })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
