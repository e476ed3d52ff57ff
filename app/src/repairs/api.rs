//! Repair dispatch's server functions. Each is one [`guarded`] call: it
//! authorises first; then the ticket's rules ([`super::db::act`]) decide with
//! the caller as a [`Viewer`]: the desk within its estates, a worker on their
//! own jobs and the pool, a resident on their own houses.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::db::{ActInput, NewTicket, Viewer};
use super::*;
// Ours, not leptos::prelude::Action (a glob each); used in the server bodies.
#[cfg(feature = "ssr")]
use super::rules::Action;
#[cfg(feature = "ssr")]
use crate::common::{Caller, Permission, Role};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::{guarded, Call};

/// The caller as the ticket rules see them; a resident with the houses the
/// request resolved for them ([`Caller::residences`], under every record
/// linked to the account) as their first resident record (a report names the
/// record of its house instead, see [`report_repair`]).
#[cfg(feature = "ssr")]
pub fn viewer(caller: &Caller) -> Result<Viewer, AppError> {
    Ok(match caller.role {
        Role::Admin | Role::Manager | Role::Clerk => Viewer::Desk(caller.scope.clone()),
        Role::Maintenance => Viewer::Worker {
            account_id: caller.account_id,
            scope: caller.scope.clone(),
        },
        Role::Resident => Viewer::Resident {
            resident_id: caller
                .resident_id
                .ok_or_else(|| AppError::forbidden("a resident account without a resident"))?,
            houses: caller.residences.clone(),
        },
        Role::Security => return Err(AppError::forbidden("security sees no repair tickets")),
    })
}

/// Applies `action` to ticket `id` for the call's caller: the ticket's rules,
/// through [`super::db::act`], decide the rest.
#[cfg(feature = "ssr")]
async fn act_as(call: &Call, id: i64, action: Action, input: ActInput) -> Result<Status, AppError> {
    let viewer = viewer(&call.caller)?;
    super::db::act(
        call.db(),
        &call.actor(),
        call.lang(),
        &viewer,
        id,
        action,
        input,
    )
    .await
}

/// Whether a form's checkbox came ticked.
#[cfg(feature = "ssr")]
fn ticked(value: &Option<String>) -> bool {
    value.as_ref().is_some_and(|v| !v.is_empty())
}

/// The desk's list of tickets.
#[server(endpoint = "get_repairs")]
pub async fn get_repairs(
    estate_id: i64,
    status: String,
    late: bool,
) -> Result<TicketList, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(super::db::desk_list(
            call.pool(),
            &call.caller.scope,
            estate_id,
            &status,
            late,
            call.may(Permission::ManageRepairs),
            call.may(Permission::HandleEscalations),
        )
        .await?)
    })
    .await
}

/// One ticket, for whoever may see it (desk, its worker or the pool's, its resident).
#[server(endpoint = "get_ticket")]
pub async fn get_ticket(id: i64) -> Result<TicketDetail, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        super::db::detail(call.pool(), &viewer(&call.caller)?, id).await
    })
    .await
}

/// The report form's choices.
#[server(endpoint = "get_report_form")]
pub async fn get_report_form(estate_id: i64, house: String) -> Result<ReportForm, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        call.require_any(&[Permission::UseDesk, Permission::UsePortal])?;
        super::db::report_form(call.pool(), &viewer(&call.caller)?, estate_id, house.trim()).await
    })
    .await
}

/// Reports a repair: a clerk for a caller or walk-in, or a resident in the portal.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "report_repair")]
pub async fn report_repair(
    estate_id: i64,
    house_number: Option<String>,
    place: Option<String>,
    house_id: Option<String>,
    location_id: Option<String>,
    category: String,
    description: String,
    urgency: String,
    paid: Option<String>,
    appointment: Option<String>,
    source: Option<String>,
    reporter_name: Option<String>,
    reporter_phone: Option<String>,
) -> Result<i64, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        call.require_any(&[Permission::UseDesk, Permission::UsePortal])?;
        let viewer = viewer(&call.caller)?;
        let mut input = NewTicket {
            estate_id,
            house_number: house_number.unwrap_or_default(),
            // Hidden fields an unchosen place leaves empty: none.
            house_id: house_id.and_then(|h| h.trim().parse().ok()).unwrap_or(0),
            location_id: location_id.and_then(|l| l.trim().parse().ok()).unwrap_or(0),
            category,
            description,
            urgency,
            paid: ticked(&paid),
            appointment: appointment.unwrap_or_default(),
            source: source.unwrap_or_default(),
            reporter_name: reporter_name.unwrap_or_default(),
            reporter_phone: reporter_phone.unwrap_or_default(),
        };
        if let Some(place) = place.as_deref() {
            input.choose_place(place);
        }
        let mut viewer = viewer;
        if let Viewer::Resident { resident_id, .. } = &mut viewer {
            // One account may stand for a record in each of two estates: the
            // report is filed as the record living in the house (a common
            // area: in the estate), with that record's name and number.
            let house = if input.location_id > 0 {
                0
            } else {
                input.house_id
            };
            let acting = crate::auth::residence::acting_resident(
                call.pool(),
                call.caller.account_id,
                house,
                estate_id,
            )
            .await?;
            if let Some(acting) = acting {
                *resident_id = acting;
            }
        }
        super::db::file_report(call.db(), &call.actor(), call.lang(), &viewer, input).await
    })
    .await
}

/// One step with nothing to add: pick, accept, start.
#[server(endpoint = "ticket_step")]
pub async fn ticket_step(id: i64, action: String) -> Result<Status, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        match Action::parse(&action) {
            Some(a @ (Action::Pick | Action::Accept | Action::Start)) => {
                act_as(&call, id, a, ActInput::default()).await
            }
            _ => Err(AppError::NotFound),
        }
    })
    .await
}

/// A step that needs a reason: hand back, cancel, reopen.
#[server(endpoint = "ticket_with_reason")]
pub async fn ticket_with_reason(
    id: i64,
    action: String,
    reason: String,
) -> Result<Status, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        match Action::parse(&action) {
            Some(a @ (Action::HandBack | Action::Cancel | Action::Reopen)) => {
                let input = ActInput {
                    reason,
                    ..Default::default()
                };
                act_as(&call, id, a, input).await
            }
            _ => Err(AppError::NotFound),
        }
    })
    .await
}

/// The desk gives a ticket to a worker.
#[server(endpoint = "assign_ticket")]
pub async fn assign_ticket(id: i64, worker_id: Option<i64>) -> Result<Status, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let input = ActInput {
            worker_id: worker_id.unwrap_or(0),
            ..Default::default()
        };
        act_as(&call, id, Action::Assign, input).await
    })
    .await
}

/// The desk marks an open ticket in-house paid or free (`paid` ticked or absent).
#[server(endpoint = "set_ticket_paid")]
pub async fn set_ticket_paid(id: i64, paid: Option<String>) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let actor = call.actor();
        let scope = &call.caller.scope;
        super::db::set_paid(call.db(), &actor, call.lang(), scope, id, ticked(&paid)).await
    })
    .await
}

/// The worker finishes the job: notes, materials, and a paid repair's charge.
#[server(endpoint = "finish_job")]
pub async fn finish_job(
    id: i64,
    work_notes: String,
    materials: String,
    labour: Option<String>,
    materials_cost: Option<String>,
) -> Result<Status, AppError> {
    guarded(Permission::WorkJobs, move |call| async move {
        let input = ActInput {
            work_notes,
            materials,
            labour: labour.unwrap_or_default(),
            materials_cost: materials_cost.unwrap_or_default(),
            ..Default::default()
        };
        act_as(&call, id, Action::Finish, input).await
    })
    .await
}

/// The return visit: a clerk's call, or the resident rating in the portal.
#[server(endpoint = "rate_repair")]
pub async fn rate_repair(
    id: i64,
    rating: Option<String>,
    fixed: Option<String>,
    comment: String,
) -> Result<Status, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        let visit = crate::visits::parse_visit(
            call.lang(),
            &rating.unwrap_or_default(),
            &fixed.unwrap_or_default(),
            &comment,
        )?;
        let input = ActInput {
            visit: Some(visit),
            ..Default::default()
        };
        act_as(&call, id, Action::Visit, input).await
    })
    .await
}

/// The maintenance worker's queue.
#[server(endpoint = "get_queue")]
pub async fn get_queue() -> Result<Queue, AppError> {
    guarded(Permission::WorkJobs, move |call| async move {
        Ok(super::db::queue(call.pool(), call.caller.account_id, &call.caller.scope).await?)
    })
    .await
}

/// The resident's tickets.
#[server(endpoint = "get_my_repairs")]
pub async fn get_my_repairs() -> Result<Vec<TicketRow>, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        Ok(super::db::portal_list(call.pool(), &viewer(&call.caller)?).await?)
    })
    .await
}

/// Done tickets waiting for their return visit.
#[server(endpoint = "get_visit_list")]
pub async fn get_visit_list(estate_id: i64) -> Result<VisitList, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(super::db::visit_list(call.pool(), &call.caller.scope, estate_id).await?)
    })
    .await
}

#[server(endpoint = "get_repair_stats")]
pub async fn get_repair_stats(
    estate_id: i64,
    from: String,
    to: String,
) -> Result<RepairStats, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let scope = &call.caller.scope;
        Ok(super::stats::stats(call.pool(), scope, estate_id, &from, &to).await?)
    })
    .await
}

#[server(endpoint = "get_repair_setup")]
pub async fn get_repair_setup(estate_id: i64) -> Result<RepairSetup, AppError> {
    guarded(Permission::ManageRepairs, move |call| async move {
        super::db::setup(call.pool(), &call.caller.scope, estate_id).await
    })
    .await
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "save_repair_settings")]
pub async fn save_repair_settings(
    estate_id: i64,
    urgent_response: String,
    urgent_completion: String,
    normal_response: String,
    normal_completion: String,
    charge_item: i64,
) -> Result<(), AppError> {
    guarded(Permission::ManageRepairs, move |call| async move {
        call.caller.check_estate(estate_id)?;
        super::db::save_settings(
            call.db(),
            &call.actor(),
            call.lang(),
            estate_id,
            &urgent_response,
            &urgent_completion,
            &normal_response,
            &normal_completion,
            charge_item,
        )
        .await
    })
    .await
}

#[server(endpoint = "add_repair_location")]
pub async fn add_repair_location(estate_id: i64, name: String) -> Result<i64, AppError> {
    guarded(Permission::ManageRepairs, move |call| async move {
        call.caller.check_estate(estate_id)?;
        super::db::add_location(call.db(), &call.actor(), call.lang(), estate_id, &name).await
    })
    .await
}

/// A worker's skills: one checkbox per category, in [`Category::ALL`]'s order
/// (absent: not ticked).
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "set_worker_skills")]
pub async fn set_worker_skills(
    estate_id: i64,
    worker_id: i64,
    water: Option<String>,
    electrical: Option<String>,
    doors_windows: Option<String>,
    lift: Option<String>,
    public_facility: Option<String>,
    other: Option<String>,
) -> Result<(), AppError> {
    guarded(Permission::ManageRepairs, move |call| async move {
        let boxes = [
            water,
            electrical,
            doors_windows,
            lift,
            public_facility,
            other,
        ];
        let skills: Vec<String> = Category::ALL
            .iter()
            .zip(boxes)
            .filter(|(_, on)| on.is_some())
            .map(|(c, _)| c.as_str().to_string())
            .collect();
        call.caller.check_estate(estate_id)?;
        super::db::set_skills(
            call.db(),
            &call.actor(),
            call.lang(),
            crate::common::EstateId(estate_id),
            crate::common::AccountId(worker_id),
            &skills,
        )
        .await
    })
    .await
}
