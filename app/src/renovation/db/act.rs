//! The state machine's steps that need nothing but the asker's words: the
//! desk's check (complete, or back for what is missing, or rejected), the
//! engineering review, the manager's approval, the applicant's resubmission
//! and withdrawal; the works' extension (asked with its new end, decided
//! by a manager), suspension and resumption, the acceptance (passed only
//! once every violation is put right, or failed with the rectifications)
//! and the re-inspection asked after it. Each is one write: the rules decide, the state moves only
//! from the state the decision was made on (two reviewers at once: one wins),
//! the timeline gets its event and the operation log its entry.

use super::*;
use crate::common::{AuditAction, AuditEntity};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, Write};

/// The steps [`act`] takes; the pages offer only these and the ones with
/// writes of their own (the payment and the permit in `money`). The refund
/// follows with its own write.
pub const WIRED: &[Action] = &[
    Action::Check,
    Action::Return,
    Action::Resubmit,
    Action::Approve,
    Action::Reject,
    Action::ManagerApprove,
    Action::Withdraw,
    Action::AskExtension,
    Action::ApproveExtension,
    Action::RefuseExtension,
    Action::Suspend,
    Action::Resume,
    Action::AskAcceptance,
    Action::PassAcceptance,
    Action::FailAcceptance,
    Action::AskReinspection,
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
    act_extending(db, actor, caller, id, action, seen, note, "").await
}

/// [`act`], with the new end an extension asks for (`extend_to`, for
/// [`Action::AskExtension`] only).
#[allow(clippy::too_many_arguments)]
pub async fn act_extending(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    action: Action,
    seen: Option<State>,
    note: &str,
    extend_to: &str,
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
    // The works' period: an extension asks for a later end, which the
    // manager's approval makes the planned end (the permit reprints with it).
    let (planned_end, extension_end) = match action {
        Action::AskExtension => {
            let asked = crate::renovation::works::check_extension(
                &app.planned_start,
                &app.planned_end,
                extend_to,
            )
            .map_err(|p| super::refused(lang, vec![p]))?;
            (app.planned_end.clone(), Some(time::date_to_db(asked)))
        }
        Action::ApproveExtension => (
            app.extension_end
                .clone()
                .unwrap_or_else(|| app.planned_end.clone()),
            None,
        ),
        // Refused, or dropped by a suspension: the asked end goes.
        Action::RefuseExtension | Action::Suspend => (app.planned_end.clone(), None),
        _ => (app.planned_end.clone(), app.extension_end.clone()),
    };
    // Accepted only once every violation found is put right.
    if action == Action::PassAcceptance && super::works::open_violations(&mut *w, id).await? > 0 {
        return Err(AppError::Rule(tr(
            lang,
            "renovation.refused.violations_open",
        )));
    }
    // The words the applicant reads stay on the application until the next
    // review's; a review that moves it on clears them.
    let reason = match action {
        Action::Return | Action::Reject => Some(note),
        Action::Withdraw => None,
        _ => Some(""),
    };
    let moved = sqlx::query(
        "update renovation set state = $1, updated_at = $2, \
                last_reason = case when $4 = 1 then $5 else last_reason end, \
                planned_end = $7, extension_end = $8 \
         where id = $3 and state = $6",
    )
    .bind(to)
    .bind(time::now())
    .bind(id)
    .bind(i64::from(reason.is_some()))
    .bind(reason.unwrap_or_default())
    .bind(from)
    .bind(&planned_end)
    .bind(&extension_end)
    .execute(&mut *w)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "renovation.refused.moved_on")));
    }
    // Accepted: the works are over, the house is no longer 装修中.
    if action == Action::PassAcceptance {
        super::house::works_end(&mut w, lang, &app).await?;
    }
    let note = match action {
        Action::AskExtension | Action::ApproveExtension => {
            let end = extension_end.as_deref().unwrap_or(&planned_end);
            let dates = crate::i18n::I18n(lang).f("renovation.extension_to", &[("end", end)]);
            if note.is_empty() {
                dates
            } else {
                format!("{dates} {note}")
            }
        }
        _ => note.to_string(),
    };
    event(
        &mut w,
        id,
        action.as_str(),
        Some(from),
        to,
        &note,
        who != Who::Applicant,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RenovationStep, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .before(serde_json::json!({ "state": from }))
            .after(serde_json::json!({
                "state": to, "action": action, "note": note, "planned_end": planned_end,
                "extension_end": extension_end,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(to)
}
