//! The state machine's steps that need nothing but the asker's words: the
//! desk's check (complete, or back for what is missing, or rejected), the
//! engineering review, the manager's approval, the applicant's resubmission
//! and withdrawal. Each is one write: the rules decide, the state moves only
//! from the state the decision was made on (two reviewers at once: one wins),
//! the timeline gets its event and the operation log its entry.

use super::*;
use crate::common::{AuditAction, AuditEntity};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, Write};

/// The steps wired so far (part 1 of issue 16); the pages offer only these.
/// The fees and deposit, the permit, inspections, acceptance and the refund
/// follow with their own writes.
pub const WIRED: &[Action] = &[
    Action::Check,
    Action::Return,
    Action::Resubmit,
    Action::Approve,
    Action::Reject,
    Action::ManagerApprove,
    Action::Withdraw,
];

/// Appends a transition to the application's timeline, by the write's
/// author (`by_staff`: the portal names staff only as the service centre).
pub async fn event(
    w: &mut Write,
    id: i64,
    action: &str,
    from: Option<State>,
    to: State,
    note: &str,
    by_staff: bool,
) -> sqlx::Result<()> {
    let account_id = w.actor().account_id;
    let name = w.actor().name.clone();
    sqlx::query(
        "insert into renovation_event (renovation_id, action, from_state, to_state, account_id, actor_name, \
                                       by_staff, note, at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(action)
    .bind(from.map(State::as_str))
    .bind(to)
    .bind(account_id)
    .bind(name)
    .bind(i64::from(by_staff))
    .bind(note)
    .bind(time::now())
    .execute(&mut **w)
    .await?;
    Ok(())
}

/// Takes `action` on application `id` for the caller, with `note` (required
/// where the applicant must read why). `seen`: the state the caller's page
/// showed — if the application has moved on since, someone else acted first
/// and nothing is done. Returns the new state.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    action: Action,
    seen: Option<State>,
    note: &str,
) -> Result<State, AppError> {
    let lang = caller.lang;
    if !WIRED.contains(&action) {
        return Err(AppError::Rule(tr(lang, rules::Refusal::NotNow.key())));
    }
    let note = note.trim();
    if rules::needs_reason(action) && note.is_empty() {
        return Err(AppError::field(
            "note",
            tr(lang, "renovation.invalid.reason"),
        ));
    }
    if note.chars().count() > 500 {
        return Err(AppError::field("note", tr(lang, "renovation.invalid.text")));
    }
    let house_id = find(&db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?
        .house_id;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(house_id)).await?;
    // Who asks, and from what state, read inside the write: a step taken, a
    // reviewer struck off or an applicant moved out meanwhile is seen.
    let app = find(&mut *w, id).await?.ok_or(AppError::NotFound)?;
    let Some(who) = super::who(&mut w, caller, &app).await? else {
        return Err(AppError::forbidden("a resident who did not apply"));
    };
    let from = app.state;
    // Money taken is refunded first (a manager reverses the payment); fees
    // raised and still owed are let off first (a waiver): nothing is left
    // owing for works that will not happen.
    if action == Action::Withdraw {
        let raised = super::money::raised_lines(&mut w, &app).await?;
        if raised.iter().any(|(l, _)| l.settled.is_some()) {
            return Err(AppError::Rule(tr(lang, "renovation.refused.withdraw_paid")));
        }
        if raised.iter().any(|(l, _)| l.outstanding() > 0) {
            return Err(AppError::Rule(tr(lang, "renovation.refused.withdraw_owed")));
        }
    }
    if seen.is_some_and(|s| s != from) {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    let to = rules::decide(from, action, who).map_err(|r| match r {
        rules::Refusal::NotYours => AppError::forbidden("not this asker's step"),
        rules::Refusal::NotNow => AppError::Conflict(tr(lang, r.key())),
    })?;
    // The words the applicant reads stay on the application until the next
    // review's; a review that moves it on clears them.
    let reason = match action {
        Action::Return | Action::Reject => Some(note),
        Action::Withdraw => None,
        _ => Some(""),
    };
    let moved = sqlx::query(
        "update renovation set state = $1, updated_at = $2, \
                last_reason = case when $4 = 1 then $5 else last_reason end \
         where id = $3 and state = $6",
    )
    .bind(to)
    .bind(time::now())
    .bind(id)
    .bind(i64::from(reason.is_some()))
    .bind(reason.unwrap_or_default())
    .bind(from)
    .execute(&mut *w)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    event(
        &mut w,
        id,
        action.as_str(),
        Some(from),
        to,
        note,
        who != Who::Applicant,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationStep, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .before(serde_json::json!({ "state": from }))
            .after(serde_json::json!({ "state": to, "action": action, "note": note })),
    )
    .await?;
    w.commit().await?;
    Ok(to)
}
