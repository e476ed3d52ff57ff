//! Repair dispatch's server functions. Each authorises first; then the ticket's
//! rules ([`super::db::act`]) decide with the caller as a [`super::db::Viewer`]:
//! the desk within its estates, a worker on their own jobs and the pool, a
//! resident on their own houses.

use leptos::prelude::*;

use super::*;
// Ours, not leptos::prelude::Action (a glob each); used in the server bodies.
#[cfg(feature = "ssr")]
use super::rules::Action;
use crate::error::AppError;

/// The caller as the ticket rules see them.
#[cfg(feature = "ssr")]
pub async fn viewer(
    pool: &sqlx::AnyPool,
    caller: &crate::common::Caller,
) -> Result<super::db::Viewer, AppError> {
    use super::db::Viewer;
    use crate::common::Role;
    Ok(match caller.role {
        Role::Admin | Role::Manager | Role::Clerk => Viewer::Desk(caller.scope.clone()),
        Role::Maintenance => Viewer::Worker {
            account_id: caller.account_id,
            scope: caller.scope.clone(),
        },
        Role::Resident => {
            let resident_id = caller.resident_id.ok_or(AppError::Forbidden)?;
            // Each current house, from the moment this resident's occupancy began
            // (the portal's one rule, which its bills follow too).
            let houses = crate::auth::residence::residences(pool, resident_id).await?;
            Viewer::Resident {
                resident_id,
                houses: houses.into_iter().map(|r| (r.house_id, r.from)).collect(),
            }
        }
    })
}

/// The desk's list of tickets.
#[server(endpoint = "get_repairs")]
pub async fn get_repairs(
    estate_id: i64,
    status: String,
    late: bool,
) -> Result<TicketList, AppError> {
    use crate::auth::api::*;
    use crate::common::{allows, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::db::desk_list(
            &state.db.pool,
            &caller.scope,
            estate_id,
            &status,
            late,
            allows(caller.role, Permission::ManageRepairs),
            allows(caller.role, Permission::HandleEscalations),
        )
        .await
        .map_err(AppError::from),
    )
}

/// One ticket, for whoever may see it (desk, its worker or the pool's, its resident).
#[server(endpoint = "get_ticket")]
pub async fn get_ticket(id: i64) -> Result<TicketDetail, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::SignedIn)?;
    let state = state()?;
    let result = async {
        let viewer = viewer(&state.db.pool, &caller).await?;
        super::db::detail(&state.db.pool, &viewer, id).await
    }
    .await;
    finish(result)
}

/// The report form's choices.
#[server(endpoint = "get_report_form")]
pub async fn get_report_form(estate_id: i64, house: String) -> Result<ReportForm, AppError> {
    use crate::auth::api::*;
    use crate::common::{allows, Permission};
    let caller = authorize(Permission::SignedIn)?;
    if !allows(caller.role, Permission::UseDesk) && !allows(caller.role, Permission::UsePortal) {
        return fail(AppError::Forbidden);
    }
    let state = state()?;
    let result = async {
        let viewer = viewer(&state.db.pool, &caller).await?;
        super::db::report_form(&state.db.pool, &viewer, estate_id, house.trim()).await
    }
    .await;
    finish(result)
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
    use crate::auth::api::*;
    use crate::common::{allows, Permission};
    let caller = authorize(Permission::SignedIn)?;
    if !allows(caller.role, Permission::UseDesk) && !allows(caller.role, Permission::UsePortal) {
        return fail(AppError::Forbidden);
    }
    let state = state()?;
    let result = async {
        let viewer = viewer(&state.db.pool, &caller).await?;
        let mut input = super::db::NewTicket {
            estate_id,
            house_number: house_number.unwrap_or_default(),
            // Hidden fields an unchosen place leaves empty: none.
            house_id: house_id.and_then(|h| h.trim().parse().ok()).unwrap_or(0),
            location_id: location_id.and_then(|l| l.trim().parse().ok()).unwrap_or(0),
            category,
            description,
            urgency,
            paid: paid.is_some_and(|p| !p.is_empty()),
            appointment: appointment.unwrap_or_default(),
            source: source.unwrap_or_default(),
            reporter_name: reporter_name.unwrap_or_default(),
            reporter_phone: reporter_phone.unwrap_or_default(),
        };
        // The portal's one select: `h<house id>` or `l<common area id>`.
        if let Some(place) = place.as_deref() {
            if let Some(h) = place.strip_prefix('h') {
                input.house_id = h.parse().unwrap_or(0);
            } else if let Some(l) = place.strip_prefix('l') {
                input.location_id = l.parse().unwrap_or(0);
            }
        }
        // The portal's reporter is the resident signed in, whatever the form says.
        if let super::db::Viewer::Resident { resident_id, .. } = &viewer {
            let (name, mobile): (String, String) =
                sqlx::query_as("select name, mobile from resident where id = $1")
                    .bind(resident_id)
                    .fetch_one(&state.db.pool)
                    .await?;
            input.reporter_name = name;
            input.reporter_phone = mobile;
            // A resident picks a house or a common area; the house's id says which.
            if input.location_id > 0 {
                input.house_id = 0;
            }
        }
        super::db::create(&state.db, &actor(&caller), caller.lang, &viewer, input).await
    }
    .await;
    finish(result)
}

/// Applies `action` to ticket `id` as `caller` (already authorised): the
/// ticket's rules, through [`super::db::act`], decide the rest.
#[cfg(feature = "ssr")]
async fn act_as(
    caller: &crate::common::Caller,
    id: i64,
    action: Action,
    input: super::db::ActInput,
) -> Result<Status, AppError> {
    use crate::auth::api::{actor, state};
    let state = state()?;
    let viewer = viewer(&state.db.pool, caller).await?;
    super::db::act(
        &state.db,
        &actor(caller),
        caller.lang,
        &viewer,
        id,
        action,
        input,
    )
    .await
}

/// One step with nothing to add: pick, accept, start.
#[server(endpoint = "ticket_step")]
pub async fn ticket_step(id: i64, action: String) -> Result<Status, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::SignedIn)?;
    let result = match Action::parse(&action) {
        Some(a @ (Action::Pick | Action::Accept | Action::Start)) => {
            act_as(&caller, id, a, Default::default()).await
        }
        _ => Err(AppError::NotFound),
    };
    finish(result)
}

/// A step that needs a reason: hand back, cancel, reopen.
#[server(endpoint = "ticket_with_reason")]
pub async fn ticket_with_reason(
    id: i64,
    action: String,
    reason: String,
) -> Result<Status, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::SignedIn)?;
    let result = match Action::parse(&action) {
        Some(a @ (Action::HandBack | Action::Cancel | Action::Reopen)) => {
            let input = super::db::ActInput {
                reason,
                ..Default::default()
            };
            act_as(&caller, id, a, input).await
        }
        _ => Err(AppError::NotFound),
    };
    finish(result)
}

/// The desk gives a ticket to a worker.
#[server(endpoint = "assign_ticket")]
pub async fn assign_ticket(id: i64, worker_id: Option<i64>) -> Result<Status, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let input = super::db::ActInput {
        worker_id: worker_id.unwrap_or(0),
        ..Default::default()
    };
    finish(act_as(&caller, id, Action::Assign, input).await)
}

/// The desk marks an open ticket in-house paid or free (`paid` ticked or absent).
#[server(endpoint = "set_ticket_paid")]
pub async fn set_ticket_paid(id: i64, paid: Option<String>) -> Result<(), AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::db::set_paid(
            &state.db,
            &actor(&caller),
            caller.lang,
            &caller.scope,
            id,
            paid.is_some_and(|p| !p.is_empty()),
        )
        .await,
    )
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
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::WorkJobs)?;
    let input = super::db::ActInput {
        work_notes,
        materials,
        labour: labour.unwrap_or_default(),
        materials_cost: materials_cost.unwrap_or_default(),
        ..Default::default()
    };
    finish(act_as(&caller, id, Action::Finish, input).await)
}

/// The return visit: a clerk's call, or the resident rating in the portal.
#[server(endpoint = "rate_repair")]
pub async fn rate_repair(
    id: i64,
    rating: Option<String>,
    fixed: Option<String>,
    comment: String,
) -> Result<Status, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::SignedIn)?;
    let result = match crate::visits::parse_visit(
        caller.lang,
        &rating.unwrap_or_default(),
        &fixed.unwrap_or_default(),
        &comment,
    ) {
        Ok(visit) => {
            let input = super::db::ActInput {
                visit: Some(visit),
                ..Default::default()
            };
            act_as(&caller, id, Action::Visit, input).await
        }
        Err(e) => Err(e),
    };
    finish(result)
}

/// The maintenance worker's queue.
#[server(endpoint = "get_queue")]
pub async fn get_queue() -> Result<Queue, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::WorkJobs)?;
    let state = state()?;
    finish(
        super::db::queue(&state.db.pool, caller.account_id, &caller.scope)
            .await
            .map_err(AppError::from),
    )
}

/// The resident's tickets.
#[server(endpoint = "get_my_repairs")]
pub async fn get_my_repairs() -> Result<Vec<TicketRow>, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UsePortal)?;
    let state = state()?;
    let result = async {
        let viewer = viewer(&state.db.pool, &caller).await?;
        Ok(super::db::portal_list(&state.db.pool, &viewer).await?)
    }
    .await;
    finish(result)
}

/// Done tickets waiting for their return visit.
#[server(endpoint = "get_visit_list")]
pub async fn get_visit_list(estate_id: i64) -> Result<VisitList, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::db::visit_list(&state.db.pool, &caller.scope, estate_id)
            .await
            .map_err(AppError::from),
    )
}

#[server(endpoint = "get_repair_stats")]
pub async fn get_repair_stats(
    estate_id: i64,
    from: String,
    to: String,
) -> Result<RepairStats, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::stats::stats(&state.db.pool, &caller.scope, estate_id, &from, &to)
            .await
            .map_err(AppError::from),
    )
}

#[server(endpoint = "get_repair_setup")]
pub async fn get_repair_setup(estate_id: i64) -> Result<RepairSetup, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ManageRepairs)?;
    let state = state()?;
    finish(super::db::setup(&state.db.pool, &caller.scope, estate_id).await)
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
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ManageRepairs)?;
    let state = state()?;
    let result = async {
        caller.check_estate(estate_id)?;
        super::db::save_settings(
            &state.db,
            &actor(&caller),
            caller.lang,
            estate_id,
            &urgent_response,
            &urgent_completion,
            &normal_response,
            &normal_completion,
            charge_item,
        )
        .await
    }
    .await;
    finish(result)
}

#[server(endpoint = "add_repair_location")]
pub async fn add_repair_location(estate_id: i64, name: String) -> Result<i64, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ManageRepairs)?;
    let state = state()?;
    let result = async {
        caller.check_estate(estate_id)?;
        super::db::add_location(&state.db, &actor(&caller), caller.lang, estate_id, &name).await
    }
    .await;
    finish(result)
}

/// A worker's skills: one checkbox per category (absent: not ticked).
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
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ManageRepairs)?;
    let state = state()?;
    let ticked = [
        water,
        electrical,
        doors_windows,
        lift,
        public_facility,
        other,
    ];
    let skills: Vec<String> = CATEGORIES
        .iter()
        .zip(ticked)
        .filter(|(_, on)| on.is_some())
        .map(|(c, _)| c.to_string())
        .collect();
    let result = async {
        caller.check_estate(estate_id)?;
        super::db::set_skills(
            &state.db,
            &actor(&caller),
            caller.lang,
            estate_id,
            worker_id,
            &skills,
        )
        .await
    }
    .await;
    finish(result)
}
