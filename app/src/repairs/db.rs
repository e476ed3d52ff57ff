//! Repair tickets in the database: the writes (each one transaction, audited,
//! with its timeline entry) and the reads behind the pages.
//!
//! Every state change goes through [`act`], which asks [`rules::decide`] and
//! then updates the ticket only if it is still in the state (and with the
//! worker) it was read in — so two workers grabbing one pool ticket, or a desk
//! and a worker acting at once, leave exactly one winner on both engines.

use sqlx::AnyPool;

use super::rules::{self, Action, Status, Targets, Who, WorkerLoad};
use super::*;
use crate::audit::db::{self as audit, Actor, Change};
use crate::auth::{EstateScope, Lang};
use crate::billing::money;
use crate::db::{estate_filter, time, Database, Tx};
use crate::error::{AppError, FieldError};
use crate::i18n::{tr, I18n};
use crate::visits::{self, VisitInput};

/// A timestamp as the desk reads it, to the minute.
pub fn short_time(at: &str) -> String {
    crate::ui::desk_time(at).chars().take(16).collect()
}

/// Who is looking at or acting on tickets.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// Clerk, manager or admin, with their estates.
    Desk(EstateScope),
    /// A maintenance worker.
    Worker { account_id: i64, scope: EstateScope },
    /// A resident and the houses they are linked to now, each with the moment
    /// (database timestamp text) from which its tickets are theirs to see: the
    /// start of their occupancy ([`crate::auth::residence`]), so a new owner
    /// does not read the last one's.
    Resident {
        resident_id: i64,
        houses: Vec<(i64, String)>,
    },
}

impl Viewer {
    /// The houses a resident may report on.
    pub fn resident_house_ids(&self) -> Vec<i64> {
        match self {
            Viewer::Resident { houses, .. } => houses.iter().map(|(id, _)| *id).collect(),
            _ => Vec::new(),
        }
    }
}

/// The facts about a ticket that decide who may see and touch it.
#[derive(Debug, Clone)]
struct Facts {
    estate_id: i64,
    house_id: Option<i64>,
    status: Status,
    worker_id: Option<i64>,
    reporter_resident_id: Option<i64>,
    paid: bool,
    bill_line_id: Option<i64>,
    created_at: String,
    /// The reporter still lives in the ticket's estate (see [`REPORTER_LIVES_IN_ESTATE`]).
    reporter_in_estate: bool,
}

/// SQL: ticket `t`'s reporter has an open occupancy of a house of its estate.
/// A common area's ticket is its reporter's only while this holds.
const REPORTER_LIVES_IN_ESTATE: &str = "exists (select 1 from occupancy ro \
     join house rh on rh.id = ro.house_id where ro.resident_id = t.reporter_resident_id \
     and ro.end_date is null and rh.estate_id = t.estate_id)";

async fn facts(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Facts, AppError> {
    type Row = (
        i64,
        Option<i64>,
        String,
        Option<i64>,
        Option<i64>,
        i64,
        Option<i64>,
        String,
        i64,
    );
    let row: Option<Row> = sqlx::query_as(&format!(
        "select t.estate_id, t.house_id, t.status, t.worker_id, t.reporter_resident_id, t.paid, \
                t.bill_line_id, t.created_at, case when {REPORTER_LIVES_IN_ESTATE} then 1 else 0 end \
         from repair_ticket t where t.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let (estate_id, house_id, status, worker_id, reporter, paid, bill_line_id, created_at, lives) =
        row.ok_or(AppError::NotFound)?;
    Ok(Facts {
        estate_id,
        house_id,
        status: Status::parse(&status)
            .ok_or_else(|| AppError::internal("unknown ticket status"))?,
        worker_id,
        reporter_resident_id: reporter,
        paid: paid == 1,
        bill_line_id,
        created_at,
        reporter_in_estate: lives == 1,
    })
}

impl Viewer {
    /// The rules' view of this person for a ticket, or `Forbidden` when the
    /// ticket is none of their business (another estate, another resident's house,
    /// another worker's job).
    fn who(&self, f: &Facts) -> Result<Who, AppError> {
        match self {
            Viewer::Desk(scope) => crate::common::sees_estate(scope, f.estate_id)
                .then_some(Who::Desk)
                .ok_or(AppError::Forbidden),
            Viewer::Worker { account_id, scope } => {
                if !crate::common::sees_estate(scope, f.estate_id) {
                    return Err(AppError::Forbidden);
                }
                let assignee = f.worker_id == Some(*account_id);
                let in_pool = f.worker_id.is_none() && f.status.waits_for_worker();
                // A worker sees their own jobs and the pool; others' jobs are not theirs to open.
                (assignee || in_pool)
                    .then_some(Who::Worker { assignee })
                    .ok_or(AppError::Forbidden)
            }
            Viewer::Resident {
                resident_id,
                houses,
            } => {
                // Access ends with the occupancy, for the reporter too (a former
                // occupant rating a ticket would close the new one's return visit):
                // a house's tickets are its occupants' from the start of their
                // occupancy; a common area's, its reporter's while they live in the estate.
                let theirs = match f.house_id {
                    Some(house) => houses
                        .iter()
                        .any(|(h, from)| *h == house && f.created_at.as_str() >= from.as_str()),
                    None => f.reporter_resident_id == Some(*resident_id) && f.reporter_in_estate,
                };
                theirs.then_some(Who::Resident).ok_or(AppError::Forbidden)
            }
        }
    }
}

/// An estate's targets and the fee item paid repairs are charged to.
pub async fn settings(
    conn: &mut sqlx::AnyConnection,
    estate_id: i64,
) -> sqlx::Result<(Targets, Option<i64>)> {
    let row: Option<(i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "select urgent_response_minutes, urgent_completion_minutes, normal_response_minutes, \
                normal_completion_minutes, charge_fee_item_id from repair_setting where estate_id = $1",
    )
    .bind(estate_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some((ur, uc, nr, nc, item)) => (
            Targets {
                urgent_response: ur,
                urgent_completion: uc,
                normal_response: nr,
                normal_completion: nc,
            },
            item,
        ),
        None => (Targets::default(), None),
    })
}

/// A report as its form sends it.
#[derive(Debug, Clone, Default)]
pub struct NewTicket {
    pub estate_id: i64,
    /// Desk: the house number typed; portal: empty (the house is chosen by id).
    pub house_number: String,
    pub house_id: i64,
    pub location_id: i64,
    pub category: String,
    pub description: String,
    pub urgency: String,
    pub paid: bool,
    /// `YYYY-MM-DDTHH:MM`, desk time, or empty.
    pub appointment: String,
    pub source: String,
    pub reporter_name: String,
    pub reporter_phone: String,
}

fn push(errors: &mut Vec<FieldError>, field: &str, message: String) {
    errors.push(FieldError {
        field: field.into(),
        message,
    });
}

/// `YYYY-MM-DDTHH:MM` in desk time → the database's UTC text.
fn parse_appointment(text: &str) -> Option<String> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let local = naive.and_local_timezone(time::desk_offset()).single()?;
    Some(time::to_db(local.with_timezone(&chrono::Utc)))
}

/// Reports a repair. `viewer` decides what the reporter may name: the desk any
/// house or common area of its estates; a resident only their own houses.
pub async fn create(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    viewer: &Viewer,
    input: NewTicket,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    if !CATEGORIES.contains(&input.category.as_str()) {
        push(
            &mut errors,
            "category",
            tr(lang, "repairs.invalid.category"),
        );
    }
    if !URGENCIES.contains(&input.urgency.as_str()) {
        push(&mut errors, "urgency", tr(lang, "repairs.invalid.urgency"));
    }
    let description = input.description.trim().to_string();
    if description.is_empty() || description.chars().count() > 500 {
        push(
            &mut errors,
            "description",
            tr(lang, "repairs.invalid.description"),
        );
    }
    let reporter_name = input.reporter_name.trim().to_string();
    if reporter_name.is_empty() || reporter_name.chars().count() > 40 {
        push(
            &mut errors,
            "reporter_name",
            tr(lang, "repairs.invalid.reporter_name"),
        );
    }
    let mut reporter_phone: String = input
        .reporter_phone
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    // The desk's form arrives filled with the house's occupant, the number
    // masked; sent back unchanged it stands for the register's number (below).
    let masked_prefill = reporter_phone.contains('*');
    if !masked_prefill
        && (!(7..=15).contains(&reporter_phone.len())
            || !reporter_phone.chars().all(|c| c.is_ascii_digit()))
    {
        push(
            &mut errors,
            "reporter_phone",
            tr(lang, "repairs.invalid.reporter_phone"),
        );
    }
    let appointment = if input.appointment.trim().is_empty() {
        None
    } else {
        match parse_appointment(&input.appointment) {
            Some(at) if at >= time::to_db(chrono::Utc::now() - chrono::Duration::hours(1)) => {
                Some(at)
            }
            _ => {
                push(
                    &mut errors,
                    "appointment",
                    tr(lang, "repairs.invalid.appointment"),
                );
                None
            }
        }
    };
    let resident = match viewer {
        Viewer::Resident { resident_id, .. } => Some(*resident_id),
        _ => None,
    };
    let source = if resident.is_some() {
        "portal"
    } else {
        input.source.as_str()
    };
    if !SOURCES.contains(&source) || (resident.is_none() && source == "portal") {
        push(&mut errors, "source", tr(lang, "repairs.invalid.source"));
    }

    let mut tx = db.begin_write().await?;
    // Where: a house (by number at the desk, by id in the portal) or a common area.
    let mut estate_id = input.estate_id;
    let mut house_id = None;
    let mut location_id = None;
    if input.location_id > 0 {
        let row: Option<(i64,)> =
            sqlx::query_as("select estate_id from repair_location where id = $1")
                .bind(input.location_id)
                .fetch_optional(&mut *tx)
                .await?;
        match row {
            // A resident's common areas are those of the estates their houses are in.
            Some((e,))
                if resident.is_some() && resident_estates(&mut tx, viewer).await?.contains(&e) =>
            {
                estate_id = e;
                location_id = Some(input.location_id);
            }
            Some((e,)) if resident.is_none() && e == estate_id => {
                estate_id = e;
                location_id = Some(input.location_id);
            }
            _ => push(&mut errors, "place", tr(lang, "repairs.invalid.location")),
        }
        if input.paid {
            push(&mut errors, "paid", tr(lang, "repairs.invalid.paid_common"));
        }
    } else if let Viewer::Resident { .. } = viewer {
        let house_ids = viewer.resident_house_ids();
        if input.house_id == 0 {
            push(
                &mut errors,
                "place",
                tr(lang, "repairs.invalid.choose_place"),
            );
        } else if !house_ids.contains(&input.house_id) {
            push(
                &mut errors,
                "place",
                tr(lang, "repairs.invalid.not_your_house"),
            );
        } else {
            let (e,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
                .bind(input.house_id)
                .fetch_one(&mut *tx)
                .await?;
            estate_id = e;
            house_id = Some(input.house_id);
        }
    } else {
        let number = input.house_number.trim();
        let row: Option<(i64,)> =
            sqlx::query_as("select id from house where estate_id = $1 and number = $2")
                .bind(estate_id)
                .bind(number)
                .fetch_optional(&mut *tx)
                .await?;
        match row {
            Some((id,)) => house_id = Some(id),
            None if number.is_empty() => {
                push(&mut errors, "place", tr(lang, "repairs.invalid.place"))
            }
            None => push(
                &mut errors,
                "place",
                I18n(lang).f("repairs.invalid.no_house", &[("number", number)]),
            ),
        }
    }
    // The estate must be one the caller works for (or, in the portal, the house's own).
    match viewer {
        Viewer::Desk(scope) | Viewer::Worker { scope, .. } => {
            if !crate::common::sees_estate(scope, estate_id) {
                return Err(AppError::Forbidden);
            }
        }
        Viewer::Resident { .. } => {}
    }
    if masked_prefill {
        let register = match (viewer, house_id) {
            (Viewer::Desk(_) | Viewer::Worker { .. }, Some(_)) => {
                house_contact(&mut *tx, estate_id, input.house_number.trim()).await?
            }
            _ => None,
        };
        match register {
            Some(c) if crate::estate::rules::mask_mobile(&c.mobile) == reporter_phone => {
                reporter_phone = c.mobile;
            }
            _ => push(
                &mut errors,
                "reporter_phone",
                tr(lang, "repairs.invalid.reporter_phone"),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }

    let (targets, _) = settings(&mut tx, estate_id).await?;
    let (response, completion) = targets.for_urgency(&input.urgency);
    let now_t = chrono::Utc::now();
    let now = time::to_db(now_t);
    let (id,): (i64,) = sqlx::query_as(
        "insert into repair_ticket (estate_id, house_id, location_id, category, description, urgency, paid, \
             appointment_at, source, reporter_name, reporter_phone, reporter_resident_id, created_by, status, \
             response_due_at, completion_due_at, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'submitted', $14, $15, $16) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(location_id)
    .bind(&input.category)
    .bind(&description)
    .bind(&input.urgency)
    .bind(i64::from(input.paid))
    .bind(appointment.as_deref())
    .bind(source)
    .bind(&reporter_name)
    .bind(&reporter_phone)
    .bind(resident)
    .bind(actor.account_id)
    .bind(time::to_db(now_t + chrono::Duration::minutes(response)))
    .bind(time::to_db(now_t + chrono::Duration::minutes(completion)))
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    event(
        &mut tx,
        id,
        "report",
        "submitted",
        "submitted",
        actor,
        &description,
    )
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::RepairTicket,
            entity_id: Some(id.to_string()),
            action: crate::common::AuditAction::ReportRepair,
            before: None,
            after: Some(serde_json::json!({
                "house_id": house_id, "location_id": location_id, "category": input.category,
                "urgency": input.urgency, "paid": input.paid, "source": source, "description": description,
                "reporter_from_register": masked_prefill,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn event(
    tx: &mut Tx,
    ticket_id: i64,
    action: &str,
    from: &str,
    to: &str,
    actor: &Actor,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into repair_event (ticket_id, action, from_status, to_status, actor_id, actor_name, note, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ticket_id)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(note)
    .bind(time::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What an action carries besides itself.
#[derive(Debug, Clone, Default)]
pub struct ActInput {
    /// Assign: the worker.
    pub worker_id: i64,
    /// Hand back, cancel, reopen: why.
    pub reason: String,
    /// Finish.
    pub work_notes: String,
    pub materials: String,
    /// Finish (paid repairs): yuan as typed; empty is none.
    pub labour: String,
    pub materials_cost: String,
    /// Visit.
    pub visit: Option<VisitInput>,
}

fn refusal_message(
    lang: Lang,
    who: Who,
    refusal: rules::Refusal,
    action: Action,
    status: Status,
) -> AppError {
    match refusal {
        rules::Refusal::NotYours if who == Who::Resident => {
            AppError::Rule(tr(lang, "repairs.refused.resident"))
        }
        rules::Refusal::NotYours => AppError::Rule(tr(lang, "repairs.refused.not_yours")),
        rules::Refusal::NotNow => AppError::Rule(I18n(lang).f(
            "repairs.refused.not_now",
            &[
                (
                    "action",
                    &tr(lang, &format!("repairs.action.{}", action.as_str())),
                ),
                (
                    "status",
                    &tr(lang, &format!("repairs.status.{}", status.as_str())),
                ),
            ],
        )),
    }
}

/// An optional yuan amount: empty or zero is none.
fn optional_fen(lang: Lang, text: &str) -> Result<i64, String> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    match money::parse_yuan(text) {
        Ok(fen) => Ok(fen),
        Err(money::AmountError::Zero) => Ok(0),
        Err(e) => Err(crate::billing::ledger::amount_message(lang, e)),
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
    let reason = input.reason.trim().to_string();
    if matches!(action, Action::HandBack | Action::Cancel | Action::Reopen)
        && (reason.is_empty() || reason.chars().count() > 200)
    {
        return Err(AppError::field(
            "reason",
            tr(lang, "repairs.invalid.reason"),
        ));
    }
    let mut tx = db.begin_write().await?;
    let f = facts(&mut tx, ticket_id).await?;
    // A worker who reaches for a pool ticket someone else just took is told so,
    // not refused as if it were never theirs to see.
    let taken = || AppError::Conflict(tr(lang, "repairs.refused.taken"));
    let who = match viewer.who(&f) {
        Err(AppError::Forbidden) if action == Action::Pick && f.worker_id.is_some() => match viewer
        {
            Viewer::Worker { scope, .. } if crate::common::sees_estate(scope, f.estate_id) => {
                return Err(taken())
            }
            _ => return Err(AppError::Forbidden),
        },
        other => other?,
    };
    let to = match rules::decide(f.status, action, who) {
        Err(rules::Refusal::NotNow) if action == Action::Pick && f.worker_id.is_some() => {
            return Err(taken())
        }
        other => other.map_err(|r| refusal_message(lang, who, r, action, f.status))?,
    };
    let now = time::now();
    let from = f.status.as_str();
    // The update only lands if nobody moved the ticket since it was read.
    let guard = "where id = $1 and status = $2 and coalesce(worker_id, 0) = $3";
    let expected_worker = f.worker_id.unwrap_or(0);
    let mut note = reason.clone();
    let mut after = serde_json::json!({ "status": to.as_str() });
    let updated = match action {
        Action::Assign => {
            let name = worker_of_estate(&mut tx, input.worker_id, f.estate_id)
                .await?
                .ok_or_else(|| AppError::field("worker_id", tr(lang, "repairs.invalid.worker")))?;
            note = name.clone();
            after["worker_id"] = input.worker_id.into();
            sqlx::query(&format!(
                "update repair_ticket set status = 'assigned', worker_id = $4, assigned_at = $5 {guard}"
            ))
            .bind(ticket_id)
            .bind(from)
            .bind(expected_worker)
            .bind(input.worker_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?
        }
        Action::Pick | Action::Accept => {
            let Viewer::Worker { account_id, .. } = viewer else {
                return Err(AppError::Forbidden);
            };
            sqlx::query(&format!(
                "update repair_ticket set status = 'accepted', worker_id = $4, \
                 assigned_at = coalesce(assigned_at, $5), accepted_at = coalesce(accepted_at, $5) {guard}"
            ))
            .bind(ticket_id)
            .bind(from)
            .bind(expected_worker)
            .bind(*account_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?
        }
        Action::HandBack => sqlx::query(&format!(
            "update repair_ticket set status = 'submitted', worker_id = null, assigned_at = null, \
             accepted_at = null, started_at = null {guard}"
        ))
        .bind(ticket_id)
        .bind(from)
        .bind(expected_worker)
        .execute(&mut *tx)
        .await?,
        Action::Start => sqlx::query(&format!(
            "update repair_ticket set status = 'in_progress', started_at = $4 {guard}"
        ))
        .bind(ticket_id)
        .bind(from)
        .bind(expected_worker)
        .bind(&now)
        .execute(&mut *tx)
        .await?,
        Action::Finish => {
            let (notes, materials, labour, materials_fen, line) =
                finish_charge(&mut tx, actor, lang, ticket_id, &f, &input).await?;
            note = notes.clone();
            after["labour_fen"] = labour.into();
            after["materials_fen"] = materials_fen.into();
            after["bill_line_id"] = line.into();
            sqlx::query(&format!(
                "update repair_ticket set status = 'done', done_at = $4, work_notes = $5, materials = $6, \
                 labour_fen = labour_fen + $7, materials_fen = materials_fen + $8, \
                 bill_line_id = coalesce(bill_line_id, $9) {guard}"
            ))
            .bind(ticket_id)
            .bind(from)
            .bind(expected_worker)
            .bind(&now)
            .bind(&notes)
            .bind(&materials)
            .bind(labour)
            .bind(materials_fen)
            .bind(line)
            .execute(&mut *tx)
            .await?
        }
        Action::Visit => {
            let visit = input
                .visit
                .as_ref()
                .ok_or_else(|| AppError::field("rating", tr(lang, "visits.invalid.rating")))?;
            let channel = if matches!(who, Who::Resident) { "portal" } else { "phone" };
            let (_, outcome) = visits::db::record(
                &mut tx,
                actor,
                visits::db::Subject {
                    kind: "repair",
                    id: ticket_id,
                    estate_id: f.estate_id,
                },
                channel,
                visit,
            )
            .await?;
            note = I18n(lang).f("repairs.visit_note", &[("rating", &visit.rating.to_string())]);
            if !visit.comment.is_empty() {
                note = format!("{note} · {}", visit.comment);
            }
            let done = sqlx::query(&format!(
                "update repair_ticket set status = 'closed', closed_at = $4 {guard}"
            ))
            .bind(ticket_id)
            .bind(from)
            .bind(expected_worker)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 && outcome.reopen {
                // "Not fixed": the visit closes it and the work opens again as rework.
                event(&mut tx, ticket_id, "visit", from, "closed", actor, &note).await?;
                reopen(&mut tx, ticket_id, "closed").await?;
                event(
                    &mut tx,
                    ticket_id,
                    "reopen",
                    "closed",
                    "reopened",
                    actor,
                    &tr(lang, "repairs.not_fixed"),
                )
                .await?;
                audit_transition(&mut tx, actor, &f, ticket_id, Action::Visit, Status::Reopened, after).await?;
                tx.commit().await?;
                return Ok(Status::Reopened);
            }
            done
        }
        Action::Reopen => reopen(&mut tx, ticket_id, from).await?,
        Action::Cancel => sqlx::query(&format!(
            "update repair_ticket set status = 'cancelled', cancel_reason = $4, closed_at = $5 {guard}"
        ))
        .bind(ticket_id)
        .bind(from)
        .bind(expected_worker)
        .bind(&reason)
        .bind(&now)
        .execute(&mut *tx)
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
    event(
        &mut tx,
        ticket_id,
        action.as_str(),
        from,
        to.as_str(),
        actor,
        &note,
    )
    .await?;
    audit_transition(&mut tx, actor, &f, ticket_id, action, to, after).await?;
    tx.commit().await?;
    Ok(to)
}

async fn reopen(
    tx: &mut Tx,
    ticket_id: i64,
    from: &str,
) -> sqlx::Result<sqlx::any::AnyQueryResult> {
    // Rework goes back to the pool (the desk usually gives it to the same worker).
    sqlx::query(
        "update repair_ticket set status = 'reopened', worker_id = null, rework_count = rework_count + 1, \
         started_at = null, closed_at = null, assigned_at = null where id = $1 and status = $2",
    )
    .bind(ticket_id)
    .bind(from)
    .execute(&mut **tx)
    .await
}

async fn audit_transition(
    tx: &mut Tx,
    actor: &Actor,
    f: &Facts,
    ticket_id: i64,
    action: Action,
    to: Status,
    mut after: serde_json::Value,
) -> sqlx::Result<()> {
    after["status"] = to.as_str().into();
    audit::record(
        &mut **tx,
        actor,
        Change {
            estate_id: Some(f.estate_id),
            entity: crate::common::AuditEntity::RepairTicket,
            entity_id: Some(ticket_id.to_string()),
            action: action.audit_action(),
            before: Some(
                serde_json::json!({ "status": f.status.as_str(), "worker_id": f.worker_id }),
            ),
            after: Some(after),
        },
    )
    .await
}

/// A finish's notes and, for a paid repair, its charge raised as a one-off bill
/// line on the house in this transaction: (notes, materials, labour, materials fen, line).
async fn finish_charge(
    tx: &mut Tx,
    actor: &Actor,
    lang: Lang,
    ticket_id: i64,
    f: &Facts,
    input: &ActInput,
) -> Result<(String, String, i64, i64, Option<i64>), AppError> {
    let mut errors = Vec::new();
    let notes = input.work_notes.trim().to_string();
    if notes.is_empty() || notes.chars().count() > 1000 {
        push(
            &mut errors,
            "work_notes",
            tr(lang, "repairs.invalid.work_notes"),
        );
    }
    let materials = input.materials.trim().to_string();
    if materials.chars().count() > 500 {
        push(
            &mut errors,
            "materials",
            tr(lang, "repairs.invalid.materials"),
        );
    }
    let labour = optional_fen(lang, &input.labour).unwrap_or_else(|m| {
        push(&mut errors, "labour", m);
        0
    });
    let materials_fen = optional_fen(lang, &input.materials_cost).unwrap_or_else(|m| {
        push(&mut errors, "materials_cost", m);
        0
    });
    let charge = labour + materials_fen;
    if charge > 0 && !f.paid {
        push(
            &mut errors,
            "labour",
            tr(lang, "repairs.invalid.charge_free"),
        );
    } else if charge > 0 && f.bill_line_id.is_some() {
        push(
            &mut errors,
            "labour",
            tr(lang, "repairs.invalid.charged_already"),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut line = None;
    if charge > 0 {
        let (_, item) = settings(tx, f.estate_id).await?;
        let (Some(item), Some(house_id)) = (item, f.house_id) else {
            return Err(AppError::field(
                "labour",
                tr(lang, "repairs.invalid.no_charge_item"),
            ));
        };
        let text = I18n(lang).f(
            "repairs.charge_note",
            &[
                ("id", &ticket_id.to_string()),
                ("labour", &crate::billing::fen_text(labour)),
                ("materials", &crate::billing::fen_text(materials_fen)),
            ],
        );
        line = Some(
            crate::billing::run::raise_one_off_on(
                tx,
                actor,
                lang,
                crate::common::HouseId(house_id),
                item,
                crate::common::Fen(charge),
                &format!("repair:{ticket_id}"),
                &text,
            )
            .await?,
        );
    }
    Ok((notes, materials, labour, materials_fen, line))
}

/// The desk marks an open ticket in-house paid (户内有偿) or free — a resident's
/// report says what they agreed to, and the desk can correct it before the work is done.
pub async fn set_paid(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    scope: &EstateScope,
    ticket_id: i64,
    paid: bool,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let f = facts(&mut tx, ticket_id).await?;
    if !crate::common::sees_estate(scope, f.estate_id) {
        return Err(AppError::Forbidden);
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
    if f.paid == paid {
        return Ok(());
    }
    let done = sqlx::query("update repair_ticket set paid = $1 where id = $2 and status = $3")
        .bind(i64::from(paid))
        .bind(ticket_id)
        .bind(f.status.as_str())
        .execute(&mut *tx)
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
    let status = f.status.as_str();
    event(&mut tx, ticket_id, "set_paid", status, status, actor, &note).await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(f.estate_id),
            entity: crate::common::AuditEntity::RepairTicket,
            entity_id: Some(ticket_id.to_string()),
            action: crate::common::AuditAction::RepairSetPaid,
            before: Some(serde_json::json!({ "paid": f.paid })),
            after: Some(serde_json::json!({ "paid": paid })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The worker's name, if `worker_id` is an active maintenance account of the estate.
async fn worker_of_estate(
    tx: &mut Tx,
    worker_id: i64,
    estate_id: i64,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "select a.display_name from account a join account_estate ae on ae.account_id = a.id \
         where a.id = $1 and ae.estate_id = $2 and a.role = 'maintenance' and a.disabled = 0",
    )
    .bind(worker_id)
    .bind(estate_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(n,)| n))
}

/// The estate's maintenance workers with their skills and open jobs.
pub async fn workers(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<WorkerLoad>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "select a.id, a.display_name, \
                (select count(*) from repair_ticket t where t.worker_id = a.id \
                   and t.status in ('assigned', 'accepted', 'in_progress')) \
         from account a join account_estate ae on ae.account_id = a.id \
         where ae.estate_id = $1 and a.role = 'maintenance' and a.disabled = 0 order by a.display_name",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let skills: Vec<(i64, String)> = sqlx::query_as(
        "select account_id, category from worker_skill where estate_id = $1 order by category",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, open)| WorkerLoad {
            id,
            name,
            open,
            skills: skills
                .iter()
                .filter(|(a, _)| *a == id)
                .map(|(_, c)| c.clone())
                .collect(),
        })
        .collect())
}

/// The estates of the houses a resident is linked to.
async fn resident_estates(tx: &mut Tx, viewer: &Viewer) -> sqlx::Result<Vec<i64>> {
    let ids = viewer.resident_house_ids();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64,)> = sqlx::query_as(&format!(
        "select distinct estate_id from house where id in ({})",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    ))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(e,)| e).collect())
}

// ---- photos ---------------------------------------------------------------------

/// Whether `viewer` may see the ticket's photos; `Ok(stage)` if they may add
/// one now (the reporter's side before work, the worker's during it).
pub async fn photo_access(
    pool: &AnyPool,
    viewer: &Viewer,
    ticket_id: i64,
) -> Result<Option<&'static str>, AppError> {
    let mut conn = pool.acquire().await?;
    let f = facts(&mut conn, ticket_id).await?;
    let who = viewer.who(&f)?;
    Ok(add_photo_stage(who, f.status))
}

fn add_photo_stage(who: Who, status: Status) -> Option<&'static str> {
    match who {
        Who::Desk | Who::Resident if status.is_open() => Some("report"),
        Who::Worker { assignee: true }
            if matches!(status, Status::Accepted | Status::InProgress) =>
        {
            Some("work")
        }
        _ => None,
    }
}

/// How many more photos the ticket may take.
pub async fn photo_room(pool: &AnyPool, ticket_id: i64) -> Result<i64, AppError> {
    let (count,): (i64,) = sqlx::query_as("select count(*) from repair_photo where ticket_id = $1")
        .bind(ticket_id)
        .fetch_one(pool)
        .await?;
    Ok((super::photo::MAX_PER_TICKET - count).max(0))
}

/// Stores re-encoded photos on a ticket (all or none).
pub async fn add_photos(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    viewer: &Viewer,
    ticket_id: i64,
    photos: Vec<super::photo::Encoded>,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    // PostgreSQL: one writer per ticket, so the state and the count below hold until commit.
    crate::db::lock(&mut tx, db.backend, crate::db::LockOn::Ticket(ticket_id)).await?;
    let f = facts(&mut tx, ticket_id).await?;
    let who = viewer.who(&f)?;
    let Some(stage) = add_photo_stage(who, f.status) else {
        return Err(AppError::Rule(tr(lang, "repairs.photo_error.closed")));
    };
    let (count,): (i64,) = sqlx::query_as("select count(*) from repair_photo where ticket_id = $1")
        .bind(ticket_id)
        .fetch_one(&mut *tx)
        .await?;
    if count + photos.len() as i64 > super::photo::MAX_PER_TICKET {
        return Err(AppError::field(
            "photo",
            tr(lang, "repairs.photo_error.too_many"),
        ));
    }
    let now = time::now();
    for p in &photos {
        sqlx::query(
            "insert into repair_photo (ticket_id, stage, content, thumb, width, height, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(ticket_id)
        .bind(stage)
        .bind(p.jpeg.as_slice())
        .bind(p.thumb.as_slice())
        .bind(i64::from(p.width))
        .bind(i64::from(p.height))
        .bind(actor.account_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    let n = photos.len().to_string();
    event(
        &mut tx,
        ticket_id,
        "photos",
        f.status.as_str(),
        f.status.as_str(),
        actor,
        &I18n(lang).f("repairs.photos_added", &[("count", &n)]),
    )
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(f.estate_id),
            entity: crate::common::AuditEntity::RepairTicket,
            entity_id: Some(ticket_id.to_string()),
            action: crate::common::AuditAction::RepairPhotos,
            before: None,
            after: Some(serde_json::json!({ "photos": photos.len(), "stage": stage })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A photo's JPEG (or its thumbnail), if `viewer` may see its ticket.
pub async fn photo(
    pool: &AnyPool,
    viewer: &Viewer,
    photo_id: i64,
    thumb: bool,
) -> Result<Vec<u8>, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("select ticket_id from repair_photo where id = $1")
        .bind(photo_id)
        .fetch_optional(pool)
        .await?;
    let (ticket_id,) = row.ok_or(AppError::NotFound)?;
    photo_access(pool, viewer, ticket_id).await?;
    let column = if thumb { "thumb" } else { "content" };
    let (bytes,): (Vec<u8>,) =
        sqlx::query_as(&format!("select {column} from repair_photo where id = $1"))
            .bind(photo_id)
            .fetch_one(pool)
            .await?;
    Ok(bytes)
}

// ---- reads -------------------------------------------------------------------------

const ROW_SELECT: &str =
    "select t.id, coalesce(h.number, l.name), t.category, t.urgency, t.status, t.description, \
        w.display_name, t.created_at, t.appointment_at, t.paid, t.rework_count, t.response_due_at, \
        t.completion_due_at, t.accepted_at, t.done_at \
     from repair_ticket t left join house h on h.id = t.house_id \
     left join repair_location l on l.id = t.location_id left join account w on w.id = t.worker_id";

type DbRow = (
    i64,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn to_row(r: DbRow, now: &str) -> TicketRow {
    let status = Status::parse(&r.4).unwrap_or(Status::Submitted);
    TicketRow {
        late: rules::lateness(status, now, &r.11, &r.12, r.13.as_deref(), r.14.as_deref()),
        id: r.0,
        place: r.1.unwrap_or_default(),
        category: r.2,
        urgency: r.3,
        status,
        description: r.5.chars().take(60).collect(),
        worker: r.6,
        created_at: short_time(&r.7),
        appointment_at: r.8.as_deref().map(short_time),
        paid: r.9 == 1,
        rework_count: r.10,
    }
}

/// Late first, then urgent, then oldest: the order the desk works in.
fn desk_order(rows: &mut [TicketRow]) {
    rows.sort_by(|a, b| {
        (!a.late.any(), a.urgency != "urgent", &a.created_at, a.id).cmp(&(
            !b.late.any(),
            b.urgency != "urgent",
            &b.created_at,
            b.id,
        ))
    });
}

/// The desk's list: `status` is a state, `open` (every state still to be worked) or `all`.
pub async fn desk_list(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    status: &str,
    late_only: bool,
    can_setup: bool,
    can_escalations: bool,
) -> sqlx::Result<TicketList> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let status = if status == "all" || Status::parse(status).is_some() {
        status
    } else {
        "open"
    };
    let filter = match status {
        "all" => String::new(),
        "open" => {
            " and t.status in ('submitted', 'assigned', 'accepted', 'in_progress', 'reopened')"
                .into()
        }
        s => format!(" and t.status = '{s}'"),
    };
    let order = if status == "open" {
        "t.id"
    } else {
        "t.id desc"
    };
    let now = time::now();
    let mut rows: Vec<TicketRow> = sqlx::query_as::<_, DbRow>(&format!(
        "{ROW_SELECT} where t.estate_id = $1{filter}{} order by {order} limit 500",
        estate_filter(scope, "t.estate_id")
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| to_row(r, &now))
    .filter(|r| !late_only || r.late.any())
    .collect();
    if status == "open" {
        desk_order(&mut rows);
    }
    rows.truncate(200);
    let (to_visit,): (i64,) = sqlx::query_as(
        "select count(*) from repair_ticket where estate_id = $1 and status = 'done'",
    )
    .bind(estate_id)
    .fetch_one(pool)
    .await?;
    Ok(TicketList {
        estates,
        estate_id,
        status: status.to_string(),
        late_only,
        rows,
        to_visit,
        open_escalations: visits::db::open_count(pool, estate_id).await?,
        can_setup,
        can_escalations,
    })
}

/// Done tickets waiting for their return visit, oldest first.
pub async fn visit_list(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
) -> sqlx::Result<VisitList> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let now = time::now();
    let rows = sqlx::query_as::<_, DbRow>(&format!(
        "{ROW_SELECT} where t.estate_id = $1 and t.status = 'done'{} order by t.done_at, t.id limit 200",
        estate_filter(scope, "t.estate_id")
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| to_row(r, &now))
    .collect();
    Ok(VisitList {
        estates,
        estate_id,
        rows,
    })
}

/// A worker's queue: their jobs (urgent first, then by appointment) and the pool of their estates.
pub async fn queue(pool: &AnyPool, account_id: i64, scope: &EstateScope) -> sqlx::Result<Queue> {
    let now = time::now();
    let mut mine: Vec<TicketRow> = sqlx::query_as::<_, DbRow>(&format!(
        "{ROW_SELECT} where t.worker_id = $1 and t.status in ('assigned', 'accepted', 'in_progress'){} \
         order by t.id",
        estate_filter(scope, "t.estate_id")
    ))
    .bind(account_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| to_row(r, &now))
    .collect();
    mine.sort_by(|a, b| {
        let at = |r: &TicketRow| {
            r.appointment_at
                .clone()
                .unwrap_or_else(|| r.created_at.clone())
        };
        (a.urgency != "urgent", at(a), a.id).cmp(&(b.urgency != "urgent", at(b), b.id))
    });
    let mut pool_rows: Vec<TicketRow> = sqlx::query_as::<_, DbRow>(&format!(
        "{ROW_SELECT} where t.worker_id is null and t.status in ('submitted', 'reopened'){} \
         order by t.id limit 100",
        estate_filter(scope, "t.estate_id")
    ))
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| to_row(r, &now))
    .collect();
    desk_order(&mut pool_rows);
    // The stamp: what the worker would see change (ids, states, lateness).
    let stamp = mine
        .iter()
        .chain(pool_rows.iter())
        .map(|r| format!("{}:{}:{}", r.id, r.status.as_str(), u8::from(r.late.any())))
        .collect::<Vec<_>>()
        .join(",");
    Ok(Queue {
        mine,
        pool: pool_rows,
        stamp,
    })
}

/// The portal's list: tickets on the resident's houses, and the common areas'
/// they reported. (The same rule as [`Viewer::who`]'s: a house's tickets from
/// the start of the occupancy; a common area's while its reporter lives in the estate.)
pub async fn portal_list(pool: &AnyPool, viewer: &Viewer) -> sqlx::Result<Vec<TicketRow>> {
    let Viewer::Resident {
        resident_id,
        houses,
    } = viewer
    else {
        return Ok(Vec::new());
    };
    // Ids are integers and the moments are our own timestamp text; both are safe inline.
    let linked: String = houses
        .iter()
        .filter(|(_, from)| {
            from.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-:.".contains(c))
        })
        .map(|(id, from)| format!(" or (t.house_id = {id} and t.created_at >= '{from}')"))
        .collect();
    let now = time::now();
    Ok(sqlx::query_as::<_, DbRow>(&format!(
        "{ROW_SELECT} where (t.house_id is null and t.reporter_resident_id = $1 \
         and {REPORTER_LIVES_IN_ESTATE}){linked} order by t.id desc limit 100"
    ))
    .bind(resident_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| to_row(r, &now))
    .collect())
}

type DetailRow = (
    i64,
    String,
    Option<String>,
    Option<i64>,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    String,
);

/// One ticket as `viewer` may see it.
pub async fn detail(
    pool: &AnyPool,
    viewer: &Viewer,
    ticket_id: i64,
) -> Result<TicketDetail, AppError> {
    let mut conn = pool.acquire().await?;
    let f = facts(&mut conn, ticket_id).await?;
    let who = viewer.who(&f)?;
    drop(conn);
    let r: DetailRow = sqlx::query_as(
        "select t.estate_id, e.name, coalesce(h.number, l.name), t.house_id, t.category, t.description, t.urgency, \
                t.paid, t.source, t.reporter_name, t.reporter_phone, t.appointment_at, t.worker_id, w.display_name, \
                t.created_at, t.status \
         from repair_ticket t join estate e on e.id = t.estate_id left join house h on h.id = t.house_id \
         left join repair_location l on l.id = t.location_id left join account w on w.id = t.worker_id \
         where t.id = $1",
    )
    .bind(ticket_id)
    .fetch_one(pool)
    .await?;
    type Times = (
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        String,
        String,
        i64,
        i64,
        Option<i64>,
        Option<String>,
    );
    let t: Times = sqlx::query_as(
        "select response_due_at, completion_due_at, accepted_at, done_at, rework_count, work_notes, materials, \
                labour_fen, materials_fen, bill_line_id, cancel_reason from repair_ticket where id = $1",
    )
    .bind(ticket_id)
    .fetch_one(pool)
    .await?;
    let timeline: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "select action, from_status, to_status, actor_name, note, created_at from repair_event \
         where ticket_id = $1 order by id",
    )
    .bind(ticket_id)
    .fetch_all(pool)
    .await?;
    let photos: Vec<(i64, String)> =
        sqlx::query_as("select id, stage from repair_photo where ticket_id = $1 order by id")
            .bind(ticket_id)
            .fetch_all(pool)
            .await?;
    type VisitRow = (i64, i64, String, String, String, i64, i64, String);
    let visit_rows: Vec<VisitRow> = sqlx::query_as(
        "select rating, fixed, comment, channel, visitor_name, reopened, escalated, created_at from return_visit \
         where subject_kind = 'repair' and subject_id = $1 order by id",
    )
    .bind(ticket_id)
    .fetch_all(pool)
    .await?;
    let now = time::now();
    let assignee = matches!(who, Who::Worker { assignee: true });
    // The reporter's number: for the desk, the worker on the job, and the reporter themself.
    let own_report = matches!(viewer, Viewer::Resident { resident_id, .. } if f.reporter_resident_id == Some(*resident_id));
    let phone = if matches!(who, Who::Desk) || assignee || own_report {
        r.10.clone()
    } else {
        crate::estate::rules::mask_mobile(&r.10)
    };
    let workers = if matches!(who, Who::Desk) && f.status.is_open() {
        rules::rank_workers(&r.4, workers(pool, f.estate_id).await?)
    } else {
        Vec::new()
    };
    Ok(TicketDetail {
        id: ticket_id,
        estate_id: r.0,
        estate_name: r.1,
        place: r.2.unwrap_or_default(),
        house_id: r.3,
        late: rules::lateness(f.status, &now, &t.0, &t.1, t.2.as_deref(), t.3.as_deref()),
        category: r.4,
        description: r.5,
        urgency: r.6,
        paid: r.7 == 1,
        source: r.8,
        reporter_name: r.9,
        reporter_phone: phone,
        appointment_at: r.11.as_deref().map(short_time),
        worker_id: r.12,
        worker: r.13,
        created_at: short_time(&r.14),
        status: f.status,
        response_due: short_time(&t.0),
        completion_due: short_time(&t.1),
        rework_count: t.4,
        work_notes: t.5,
        materials: t.6,
        labour_fen: t.7,
        materials_fen: t.8,
        charged: t.9.is_some(),
        cancel_reason: t.10,
        timeline: timeline
            .into_iter()
            .map(|(action, from, to, actor, note, at)| EventView {
                action,
                from,
                to,
                actor,
                note,
                at: short_time(&at),
            })
            .collect(),
        photos: photos
            .into_iter()
            .map(|(id, stage)| PhotoView { id, stage })
            .collect(),
        visits: visit_rows
            .into_iter()
            .map(
                |(rating, fixed, comment, channel, visitor, reopened, escalated, at)| VisitView {
                    rating,
                    fixed: fixed == 1,
                    comment,
                    channel,
                    visitor,
                    reopened: reopened == 1,
                    escalated: escalated == 1,
                    at: short_time(&at),
                },
            )
            .collect(),
        actions: rules::offered(f.status, who),
        workers,
        can_add_photos: add_photo_stage(who, f.status).is_some(),
        can_set_paid: matches!(who, Who::Desk) && f.status.is_open() && f.house_id.is_some(),
    })
}

/// Who a report on a house is from when the desk starts it from the house:
/// its current owner, else tenant, else another occupant.
#[derive(sqlx::FromRow)]
struct Contact {
    resident_id: i64,
    name: String,
    mobile: String,
}

async fn house_contact<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    estate_id: i64,
    house_number: &str,
) -> sqlx::Result<Option<Contact>> {
    sqlx::query_as(
        "select r.id as resident_id, r.name, r.mobile from occupancy o join resident r on r.id = o.resident_id \
         join house h on h.id = o.house_id where h.estate_id = $1 and h.number = $2 and o.end_date is null \
         order by case o.role when 'owner' then 0 when 'tenant' then 1 else 2 end, o.id limit 1",
    )
    .bind(estate_id)
    .bind(house_number)
    .fetch_optional(ex)
    .await
}

/// The report form's choices for `viewer`.
pub async fn report_form(
    pool: &AnyPool,
    viewer: &Viewer,
    wanted: i64,
    house_number: &str,
) -> Result<ReportForm, AppError> {
    match viewer {
        Viewer::Resident { resident_id, .. } => {
            let house_ids = viewer.resident_house_ids();
            let houses: Vec<(i64, String, i64)> = if house_ids.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as(&format!(
                    "select id, number, estate_id from house where id in ({}) order by number",
                    house_ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ))
                .fetch_all(pool)
                .await?
            };
            let estate_id = houses.first().map(|h| h.2).unwrap_or(0);
            // The portal files the signed-in resident's own details whatever the
            // form says; the form itself needs no more than the masked number.
            let (name, mobile): (String, String) =
                sqlx::query_as("select name, mobile from resident where id = $1")
                    .bind(resident_id)
                    .fetch_one(pool)
                    .await?;
            Ok(ReportForm {
                estates: Vec::new(),
                estate_id,
                locations: locations(pool, estate_id).await?,
                houses: houses
                    .into_iter()
                    .map(|(id, name, _)| crate::common::Choice { id, name })
                    .collect(),
                reporter_name: name,
                reporter_phone: crate::estate::rules::mask_mobile(&mobile),
                reporter_resident_id: None,
                house_number: String::new(),
            })
        }
        Viewer::Desk(scope) | Viewer::Worker { scope, .. } => {
            let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
            // Coming from a house's page: the house and its current owner or
            // tenant fill the form, their number masked like everywhere else.
            let contact = if house_number.is_empty() {
                None
            } else {
                house_contact(pool, estate_id, house_number).await?
            };
            Ok(ReportForm {
                estates,
                estate_id,
                locations: locations(pool, estate_id).await?,
                houses: Vec::new(),
                reporter_name: contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                reporter_phone: contact
                    .as_ref()
                    .map(|c| crate::estate::rules::mask_mobile(&c.mobile))
                    .unwrap_or_default(),
                reporter_resident_id: contact.map(|c| c.resident_id),
                house_number: house_number.to_string(),
            })
        }
    }
}

async fn choices(
    pool: &AnyPool,
    sql: &str,
    estate_id: i64,
) -> sqlx::Result<Vec<crate::common::Choice>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(sql).bind(estate_id).fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| crate::common::Choice { id, name })
        .collect())
}

async fn locations(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<crate::common::Choice>> {
    choices(
        pool,
        "select id, name from repair_location where estate_id = $1 order by name",
        estate_id,
    )
    .await
}

// ---- setup -------------------------------------------------------------------------

pub async fn setup(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
) -> Result<RepairSetup, AppError> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let mut conn = pool.acquire().await?;
    let (targets, charge_item) = settings(&mut conn, estate_id).await?;
    drop(conn);
    let one_off_items = choices(
        pool,
        "select id, name from fee_item where estate_id = $1 and kind = 'one_off' order by name",
        estate_id,
    )
    .await?;
    Ok(RepairSetup {
        estates,
        estate_id,
        targets,
        charge_item,
        one_off_items,
        locations: locations(pool, estate_id).await?,
        workers: workers(pool, estate_id).await?,
    })
}

/// Saves an estate's targets (hours as typed) and the charge's fee item.
#[allow(clippy::too_many_arguments)]
pub async fn save_settings(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate_id: i64,
    urgent_response: &str,
    urgent_completion: &str,
    normal_response: &str,
    normal_completion: &str,
    charge_item: i64,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let mut minutes = |field: &str, text: &str| -> i64 {
        match text.trim().parse::<i64>() {
            Ok(m) if (1..=60 * 24 * 30).contains(&m) => m,
            _ => {
                push(&mut errors, field, tr(lang, "repairs.invalid.minutes"));
                0
            }
        }
    };
    let ur = minutes("urgent_response", urgent_response);
    let uc = minutes("urgent_completion", urgent_completion);
    let nr = minutes("normal_response", normal_response);
    let nc = minutes("normal_completion", normal_completion);
    if ur > 0 && uc > 0 && uc < ur {
        push(
            &mut errors,
            "urgent_completion",
            tr(lang, "repairs.invalid.completion_before_response"),
        );
    }
    if nr > 0 && nc > 0 && nc < nr {
        push(
            &mut errors,
            "normal_completion",
            tr(lang, "repairs.invalid.completion_before_response"),
        );
    }
    let mut tx = db.begin_write().await?;
    let item = if charge_item > 0 {
        let ok: Option<(i64,)> = sqlx::query_as(
            "select id from fee_item where id = $1 and estate_id = $2 and kind = 'one_off'",
        )
        .bind(charge_item)
        .bind(estate_id)
        .fetch_optional(&mut *tx)
        .await?;
        if ok.is_none() {
            push(&mut errors, "charge_item", tr(lang, "billing.invalid.item"));
        }
        Some(charge_item)
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (before, before_item) = settings(&mut tx, estate_id).await?;
    let now = time::now();
    // One statement, so two managers saving at once cannot collide on the key.
    sqlx::query(
        "insert into repair_setting (estate_id, urgent_response_minutes, urgent_completion_minutes, \
             normal_response_minutes, normal_completion_minutes, charge_fee_item_id, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7) \
         on conflict (estate_id) do update set urgent_response_minutes = excluded.urgent_response_minutes, \
             urgent_completion_minutes = excluded.urgent_completion_minutes, \
             normal_response_minutes = excluded.normal_response_minutes, \
             normal_completion_minutes = excluded.normal_completion_minutes, \
             charge_fee_item_id = excluded.charge_fee_item_id, updated_at = excluded.updated_at",
    )
    .bind(estate_id)
    .bind(ur)
    .bind(uc)
    .bind(nr)
    .bind(nc)
    .bind(item)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::RepairSetting,
            entity_id: Some(estate_id.to_string()),
            action: crate::common::AuditAction::RepairSettings,
            before: Some(serde_json::json!({ "targets": before, "charge_item": before_item })),
            after: Some(serde_json::json!({ "targets": [ur, uc, nr, nc], "charge_item": item })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_location(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate_id: i64,
    name: &str,
) -> Result<i64, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(AppError::field(
            "name",
            tr(lang, "repairs.invalid.location_name"),
        ));
    }
    let mut tx = db.begin_write().await?;
    let row: Option<(i64,)> = sqlx::query_as(
        "insert into repair_location (estate_id, name, created_at) values ($1, $2, $3) \
         on conflict do nothing returning id",
    )
    .bind(estate_id)
    .bind(name)
    .bind(time::now())
    .fetch_optional(&mut *tx)
    .await?;
    let (id,) =
        row.ok_or_else(|| AppError::field("name", tr(lang, "repairs.invalid.location_exists")))?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::RepairLocation,
            entity_id: Some(id.to_string()),
            action: crate::common::AuditAction::Create,
            before: None,
            after: Some(serde_json::json!({ "name": name })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a worker's skills (the categories they are suggested for).
pub async fn set_skills(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate_id: i64,
    worker_id: i64,
    categories: &[String],
) -> Result<(), AppError> {
    if categories.iter().any(|c| !CATEGORIES.contains(&c.as_str())) {
        return Err(AppError::field(
            "skills",
            tr(lang, "repairs.invalid.category"),
        ));
    }
    let mut tx = db.begin_write().await?;
    if worker_of_estate(&mut tx, worker_id, estate_id)
        .await?
        .is_none()
    {
        return Err(AppError::field(
            "skills",
            tr(lang, "repairs.invalid.worker"),
        ));
    }
    sqlx::query("delete from worker_skill where account_id = $1 and estate_id = $2")
        .bind(worker_id)
        .bind(estate_id)
        .execute(&mut *tx)
        .await?;
    for c in categories {
        sqlx::query(
            "insert into worker_skill (account_id, estate_id, category) values ($1, $2, $3) on conflict do nothing",
        )
        .bind(worker_id)
        .bind(estate_id)
            .bind(c)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::Account,
            entity_id: Some(worker_id.to_string()),
            action: crate::common::AuditAction::WorkerSkills,
            before: None,
            after: Some(serde_json::json!({ "skills": categories })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
