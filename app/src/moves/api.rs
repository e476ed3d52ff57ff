//! Move-in's server functions, each one [`guarded`] call: the desk works
//! cases within its estates; the checklist and agreements are edited by
//! managers. Forms with a line per item post parallel lists.

use leptos::prelude::*;

use super::*;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;

#[cfg(feature = "ssr")]
fn ticked(value: &Option<String>) -> bool {
    value.as_ref().is_some_and(|v| !v.is_empty())
}

/// Pairs `ids[i]` with `values[i]` (a missing value is empty).
#[cfg(feature = "ssr")]
fn pairs(ids: Option<Vec<i64>>, values: &Option<Vec<String>>) -> Vec<(i64, String)> {
    ids.unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            let v = values
                .as_ref()
                .and_then(|v| v.get(i).cloned())
                .unwrap_or_default();
            (id, v)
        })
        .collect()
}

/// The open move-ins of an estate and the last ones completed.
#[server(endpoint = "get_move_ins")]
pub async fn get_move_ins(estate_id: i64) -> Result<CaseList, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(super::db::list(call.pool(), &call.caller.scope, estate_id).await?)
    })
    .await
}

/// One move-in's page.
#[server(endpoint = "get_move_in")]
pub async fn get_move_in(id: i64) -> Result<CasePage, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::page(call.pool(), &call.caller, id).await
    })
    .await
}

/// 办理入住: opens the house's move-in (or finds the open one) and goes to it.
#[server(endpoint = "open_move_in")]
pub async fn open_move_in(house_id: i64) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let id = super::db::case::open(call.db(), &call.actor(), &call.caller, call.lang(), house_id)
            .await?;
        // The house page posts a plain form: the answer is the case's page.
        leptos_axum::redirect(&format!("/desk/moves/in/{id}"));
        Ok(id)
    })
    .await
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "save_move_in_identity")]
pub async fn save_move_in_identity(
    id: i64,
    name: String,
    mobile: String,
    id_number: String,
    role: String,
    title_no: String,
    lease_start: Option<String>,
    lease_end: Option<String>,
    owner_consent: Option<String>,
    handover_on: String,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let form = rules::IdentityForm {
            name,
            mobile,
            id_number,
            role,
            title_no,
            lease_start: lease_start.unwrap_or_default(),
            lease_end: lease_end.unwrap_or_default(),
            owner_consent: ticked(&owner_consent),
            handover_on,
        };
        super::db::case::save_identity(call.db(), &call.actor(), &call.caller, call.lang(), id, &form)
            .await
    })
    .await
}

/// The inspection: `items[i]` found `findings[i]` (ok / defect) with `notes[i]`.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "save_move_in_inspection")]
pub async fn save_move_in_inspection(
    id: i64,
    items: Option<Vec<i64>>,
    findings: Option<Vec<String>>,
    notes: Option<Vec<String>>,
    signature: Option<String>,
    signed_on_paper: Option<String>,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let notes = pairs(items.clone(), &notes);
        let forms: Vec<rules::FindingForm> = pairs(items, &findings)
            .into_iter()
            .zip(notes)
            .map(|((item_id, finding), (_, note))| rules::FindingForm {
                item_id,
                finding,
                note,
            })
            .collect();
        super::db::case::save_inspection(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            id,
            &forms,
            &signature.unwrap_or_default(),
            ticked(&signed_on_paper),
        )
        .await
    })
    .await
}

/// A recorded defect becomes a repair ticket on the house.
#[server(endpoint = "raise_move_in_defect")]
pub async fn raise_move_in_defect(id: i64, item_id: i64) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::case::raise_defect(call.db(), &call.actor(), &call.caller, call.lang(), id, item_id)
            .await
    })
    .await
}

/// The initial readings: `items[i]` read `readings[i]`.
#[server(endpoint = "save_move_in_readings")]
pub async fn save_move_in_readings(
    id: i64,
    items: Option<Vec<i64>>,
    readings: Option<Vec<String>>,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let typed = pairs(items, &readings);
        super::db::case::save_readings(call.db(), &call.actor(), &call.caller, call.lang(), id, &typed)
            .await
    })
    .await
}

/// The keys handed over, and how many.
#[server(endpoint = "hand_move_in_keys")]
pub async fn hand_move_in_keys(id: i64, keys_count: String) -> Result<Vec<String>, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::case::hand_keys(call.db(), &call.actor(), &call.caller, call.lang(), id, &keys_count)
            .await
    })
    .await
}

/// The agreements signed: `agreements[i]` on `signed_on[i]`.
#[server(endpoint = "save_move_in_agreements")]
pub async fn save_move_in_agreements(
    id: i64,
    agreements: Option<Vec<i64>>,
    signed_on: Option<Vec<String>>,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let signed = pairs(agreements, &signed_on);
        super::db::case::save_agreements(call.db(), &call.actor(), &call.caller, call.lang(), id, &signed)
            .await
    })
    .await
}

/// Completes the move-in (every step done).
#[server(endpoint = "complete_move_in")]
pub async fn complete_move_in(id: i64) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::complete::complete(call.db(), &call.actor(), &call.caller, call.lang(), id).await
    })
    .await
}

/// Cancels an open move-in, with a reason.
#[server(endpoint = "cancel_move_in")]
pub async fn cancel_move_in(id: i64, reason: String) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::case::cancel(call.db(), &call.actor(), &call.caller, call.lang(), id, &reason).await
    })
    .await
}

/// The portal code printed on a completed move-in's sheet (shown once).
#[server(endpoint = "issue_move_in_code")]
pub async fn issue_move_in_code(id: i64) -> Result<PortalCode, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::complete::issue_code(call.db(), &call.actor(), &call.caller, call.lang(), id).await
    })
    .await
}

/// The checklist and agreements of an estate.
#[server(endpoint = "get_move_in_template")]
pub async fn get_move_in_template(estate_id: i64) -> Result<Template, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(
            super::db::template::template(call.pool(), &call.caller, &call.caller.scope, estate_id)
                .await?,
        )
    })
    .await
}

/// A manager adds an item to the estate's checklist.
#[server(endpoint = "add_checklist_item")]
pub async fn add_checklist_item(
    estate_id: i64,
    room: String,
    item: String,
) -> Result<(), AppError> {
    guarded(Permission::ManageMoves, move |call| async move {
        call.caller.check_estate(estate_id)?;
        let mut w = call.write().await?;
        super::db::template::add_item(&mut w, call.lang(), estate_id, &room, &item).await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "retire_checklist_item")]
pub async fn retire_checklist_item(estate_id: i64, item_id: i64) -> Result<(), AppError> {
    guarded(Permission::ManageMoves, move |call| async move {
        call.caller.check_estate(estate_id)?;
        let mut w = call.write().await?;
        super::db::template::retire_item(&mut w, estate_id, item_id).await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "add_agreement_kind")]
pub async fn add_agreement_kind(estate_id: i64, name: String) -> Result<(), AppError> {
    guarded(Permission::ManageMoves, move |call| async move {
        call.caller.check_estate(estate_id)?;
        let mut w = call.write().await?;
        super::db::template::add_agreement(&mut w, call.lang(), estate_id, &name).await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "retire_agreement_kind")]
pub async fn retire_agreement_kind(estate_id: i64, id: i64) -> Result<(), AppError> {
    guarded(Permission::ManageMoves, move |call| async move {
        call.caller.check_estate(estate_id)?;
        let mut w = call.write().await?;
        super::db::template::retire_agreement(&mut w, estate_id, id).await?;
        w.commit().await?;
        Ok(())
    })
    .await
}
