//! Every state change of a ticket, and the desk's 有偿 / free correction.
//!
//! [`act`] asks [`rules::decide`] and then updates the ticket only if it is
//! still in the state (and with the worker) it was read in — so two workers
//! grabbing one pool ticket, or a desk and a worker acting at once, leave
//! exactly one winner on both engines. A paid repair's finish raises its
//! charge on the house's bill in the same write; a return visit records the
//! visit (and any escalation) in it too, through [`visits::db::record`].

use super::{event, facts, settings, Facts, Viewer};
use crate::common::{sees_estate, AccountId, AuditAction, AuditEntity, EstateId, Lang, TicketId};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::repairs::rules::{self, ActInput, Action, Refusal, Status, Who};
use crate::repairs::TimelineEntry;
use crate::visits::{self, Channel, SubjectKind};

fn refusal_message(
    lang: Lang,
    who: Who,
    refusal: Refusal,
    action: Action,
    status: Status,
) -> AppError {
    match refusal {
        Refusal::NotYours if who == Who::Resident => {
            AppError::Rule(tr(lang, "repairs.refused.resident"))
        }
        Refusal::NotYours => AppError::Rule(tr(lang, "repairs.refused.not_yours")),
        Refusal::NotNow => AppError::Rule(I18n(lang).f(
            "repairs.refused.not_now",
            &[
                ("action", &tr(lang, action.key())),
                ("status", &tr(lang, status.key())),
            ],
        )),
    }
}

/// Moves a ticket by `action`, if the rules let `viewer` do it now. Returns the new state.
pub async fn act(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    viewer: &Viewer,
    ticket_id: i64,
    action: Action,
    input: ActInput,
) -> Result<Status, AppError> {
    let ticket = TicketId(ticket_id);
    let reason = input.reason.trim().to_string();
    if matches!(action, Action::HandBack | Action::Cancel | Action::Reopen)
        && (reason.is_empty() || reason.chars().count() > 200)
    {
        return Err(AppError::field(
            "reason",
            tr(lang, "repairs.invalid.reason"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    let f = facts(&mut *w, ticket).await?;
    // A worker who reaches for a pool ticket someone else just took is told so,
    // not refused as if it were never theirs to see.
    let taken = || AppError::Conflict(tr(lang, "repairs.refused.taken"));
    let who = match viewer.who(&f) {
        Err(AppError::Forbidden) if action == Action::Pick && f.worker_id.is_some() => match viewer
        {
            Viewer::Worker { scope, .. } if sees_estate(scope, f.estate_id) => return Err(taken()),
            _ => return Err(AppError::Forbidden),
        },
        other => other?,
    };
    let to = match rules::decide(f.status, action, who) {
        Err(Refusal::NotNow) if action == Action::Pick && f.worker_id.is_some() => {
            return Err(taken())
        }
        other => other.map_err(|r| refusal_message(lang, who, r, action, f.status))?,
    };
    let now = time::now();
    let from = f.status;
    // The update only lands if nobody moved the ticket since it was read.
    let guard = "where id = $1 and status = $2 and coalesce(worker_id, 0) = $3";
    let expected_worker = f.worker_id.unwrap_or(0);
    let mut note = reason.clone();
    let mut after = serde_json::json!({ "status": to.as_str() });
    let updated = match action {
        Action::Assign => {
            let name = worker_of_estate(&mut w, AccountId(input.worker_id), EstateId(f.estate_id))
                .await?
                .ok_or_else(|| AppError::field("worker_id", tr(lang, "repairs.invalid.worker")))?;
            note = name.clone();
            after["worker_id"] = input.worker_id.into();
            sqlx::query(&format!(
                "update repair_ticket set status = 'assigned', worker_id = $4, assigned_at = $5 {guard}"
            ))
            .bind(ticket)
            .bind(from)
            .bind(expected_worker)
            .bind(input.worker_id)
            .bind(&now)
            .execute(&mut *w)
            .await?
        }
        Action::Pick | Action::Accept => {
            let Viewer::Worker { account_id, .. } = viewer else {
                return Err(AppError::forbidden("only a worker takes a job"));
            };
            sqlx::query(&format!(
                "update repair_ticket set status = 'accepted', worker_id = $4, \
                 assigned_at = coalesce(assigned_at, $5), accepted_at = coalesce(accepted_at, $5) {guard}"
            ))
            .bind(ticket)
            .bind(from)
            .bind(expected_worker)
            .bind(*account_id)
            .bind(&now)
            .execute(&mut *w)
            .await?
        }
        Action::HandBack => sqlx::query(&format!(
            "update repair_ticket set status = 'submitted', worker_id = null, assigned_at = null, \
             accepted_at = null, started_at = null {guard}"
        ))
        .bind(ticket)
        .bind(from)
        .bind(expected_worker)
        .execute(&mut *w)
        .await?,
        Action::Start => sqlx::query(&format!(
            "update repair_ticket set status = 'in_progress', started_at = $4 {guard}"
        ))
        .bind(ticket)
        .bind(from)
        .bind(expected_worker)
        .bind(&now)
        .execute(&mut *w)
        .await?,
        Action::Finish => {
            let finish = rules::check_finish(lang, &input, f.paid == 1, f.bill_line_id.is_some())?;
            let line = charge(&mut w, lang, ticket, &f, &finish).await?;
            note = finish.notes.clone();
            after["labour_fen"] = finish.labour_fen.into();
            after["materials_fen"] = finish.materials_fen.into();
            after["bill_line_id"] = line.into();
            sqlx::query(&format!(
                "update repair_ticket set status = 'done', done_at = $4, work_notes = $5, materials = $6, \
                 labour_fen = labour_fen + $7, materials_fen = materials_fen + $8, \
                 bill_line_id = coalesce(bill_line_id, $9) {guard}"
            ))
            .bind(ticket)
            .bind(from)
            .bind(expected_worker)
            .bind(&now)
            .bind(&finish.notes)
            .bind(&finish.materials)
            .bind(finish.labour_fen)
            .bind(finish.materials_fen)
            .bind(line)
            .execute(&mut *w)
            .await?
        }
        Action::Visit => {
            let visit = input
                .visit
                .as_ref()
                .ok_or_else(|| AppError::field("rating", tr(lang, "visits.invalid.rating")))?;
            let channel = if matches!(who, Who::Resident) {
                Channel::Portal
            } else {
                Channel::Phone
            };
            let subject = visits::db::Subject {
                kind: SubjectKind::Repair,
                id: ticket_id,
                estate_id: EstateId(f.estate_id),
            };
            let (_, outcome) = visits::db::record(&mut w, subject, channel, visit).await?;
            note = I18n(lang).f("repairs.visit_note", &[("rating", &visit.rating.to_string())]);
            if !visit.comment.is_empty() {
                note = format!("{note} · {}", visit.comment);
            }
            let done = sqlx::query(&format!(
                "update repair_ticket set status = 'closed', closed_at = $4 {guard}"
            ))
            .bind(ticket)
            .bind(from)
            .bind(expected_worker)
            .bind(&now)
            .execute(&mut *w)
            .await?;
            if done.rows_affected() == 1 && outcome.reopen {
                // "Not fixed": the visit closes it and the work opens again as rework.
                let (closed, reopened) = (Status::Closed, Status::Reopened);
                event(&mut w, ticket, TimelineEntry::Visit, from, closed, &note).await?;
                reopen(&mut w, ticket, closed).await?;
                let not_fixed = tr(lang, "repairs.not_fixed");
                event(&mut w, ticket, TimelineEntry::Reopen, closed, reopened, &not_fixed).await?;
                audit_transition(&mut w, &f, ticket, Action::Visit, reopened, after).await?;
                w.commit().await?;
                return Ok(reopened);
            }
            done
        }
        Action::Reopen => reopen(&mut w, ticket, from).await?,
        Action::Cancel => sqlx::query(&format!(
            "update repair_ticket set status = 'cancelled', cancel_reason = $4, closed_at = $5 {guard}"
        ))
        .bind(ticket)
        .bind(from)
        .bind(expected_worker)
        .bind(&reason)
        .bind(&now)
        .execute(&mut *w)
        .await?,
    };
    if updated.rows_affected() != 1 {
        // Someone else moved it between our read and our write.
        let key = if action == Action::Pick {
            "repairs.refused.taken"
        } else {
            "repairs.refused.changed"
        };
        return Err(AppError::Conflict(tr(lang, key)));
    }
    event(&mut w, ticket, action.into(), from, to, &note).await?;
    audit_transition(&mut w, &f, ticket, action, to, after).await?;
    w.commit().await?;
    Ok(to)
}

async fn reopen(
    w: &mut Write,
    ticket: TicketId,
    from: Status,
) -> sqlx::Result<sqlx::any::AnyQueryResult> {
    // Rework goes back to the pool (the desk usually gives it to the same worker).
    sqlx::query(
        "update repair_ticket set status = 'reopened', worker_id = null, rework_count = rework_count + 1, \
         started_at = null, closed_at = null, assigned_at = null where id = $1 and status = $2",
    )
    .bind(ticket)
    .bind(from)
    .execute(&mut **w)
    .await
}

async fn audit_transition(
    w: &mut Write,
    f: &Facts,
    ticket: TicketId,
    action: Action,
    to: Status,
    mut after: serde_json::Value,
) -> sqlx::Result<()> {
    after["status"] = to.as_str().into();
    w.audit(
        Change::new(action.audit_action(), AuditEntity::RepairTicket)
            .id(ticket)
            .estate(f.estate_id)
            .before(serde_json::json!({ "status": f.status, "worker_id": f.worker_id }))
            .after(after),
    )
    .await
}

/// A paid repair's charge, raised as a one-off bill line on the house in this
/// write; `None` when there is nothing to charge.
async fn charge(
    w: &mut Write,
    lang: Lang,
    ticket: TicketId,
    f: &Facts,
    finish: &rules::Finish,
) -> Result<Option<i64>, AppError> {
    if finish.charge() == 0 {
        return Ok(None);
    }
    let (_, item) = settings(&mut **w, f.estate_id).await?;
    let (Some(item), Some(house_id)) = (item, f.house_id) else {
        return Err(AppError::field(
            "labour",
            tr(lang, "repairs.invalid.no_charge_item"),
        ));
    };
    let text = I18n(lang).f(
        "repairs.charge_note",
        &[
            ("id", &ticket.to_string()),
            ("labour", &crate::billing::fen_text(finish.labour_fen)),
            ("materials", &crate::billing::fen_text(finish.materials_fen)),
        ],
    );
    let line = crate::billing::run::raise_one_off_in(
        w,
        lang,
        crate::common::HouseId(house_id),
        item,
        crate::common::Fen(finish.charge()),
        &format!("repair:{ticket}"),
        &text,
    )
    .await?;
    Ok(Some(line))
}

/// The desk marks an open ticket in-house paid (户内有偿) or free — a resident's
/// report says what they agreed to, and the desk can correct it before the work is done.
pub async fn set_paid(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    scope: &crate::common::EstateScope,
    ticket_id: i64,
    paid: bool,
) -> Result<(), AppError> {
    let ticket = TicketId(ticket_id);
    let mut w = db.write(actor.clone()).await?;
    let f = facts(&mut *w, ticket).await?;
    if !sees_estate(scope, f.estate_id) {
        return Err(AppError::forbidden("ticket outside the caller's estates"));
    }
    if !f.status.is_open() {
        return Err(AppError::Rule(tr(lang, "repairs.refused.paid_after_done")));
    }
    if paid && f.house_id.is_none() {
        return Err(AppError::field(
            "paid",
            tr(lang, "repairs.invalid.paid_common"),
        ));
    }
    let was_paid = f.paid == 1;
    if was_paid == paid {
        return Ok(());
    }
    let done = sqlx::query("update repair_ticket set paid = $1 where id = $2 and status = $3")
        .bind(i64::from(paid))
        .bind(ticket)
        .bind(f.status)
        .execute(&mut *w)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "repairs.refused.changed")));
    }
    let note = tr(
        lang,
        if paid {
            "repairs.paid_badge"
        } else {
            "repairs.free_badge"
        },
    );
    event(
        &mut w,
        ticket,
        TimelineEntry::SetPaid,
        f.status,
        f.status,
        &note,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RepairSetPaid, AuditEntity::RepairTicket)
            .id(ticket)
            .estate(f.estate_id)
            .before(serde_json::json!({ "paid": was_paid }))
            .after(serde_json::json!({ "paid": paid })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// The worker's name, if `worker` is an active maintenance account of the estate.
pub(super) async fn worker_of_estate(
    w: &mut Write,
    worker: AccountId,
    estate: EstateId,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "select a.display_name from account a join account_estate ae on ae.account_id = a.id \
         where a.id = $1 and ae.estate_id = $2 and a.role = 'maintenance' and a.disabled = 0",
    )
    .bind(worker)
    .bind(estate)
    .fetch_optional(&mut **w)
    .await?;
    Ok(row.map(|(n,)| n))
}
