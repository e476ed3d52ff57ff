//! Goods-release passes' server functions: the desk issues, prints and
//! revokes; the gate (security and the desk) checks and lets goods out.

use leptos::prelude::*;

use super::*;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;

#[server(endpoint = "issue_release_pass")]
pub async fn issue_release_pass(
    move_out_id: i64,
    person_name: String,
    items: String,
    plate: Option<String>,
) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::issue(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            move_out_id,
            &person_name,
            &items,
            &plate.unwrap_or_default(),
        )
        .await
    })
    .await
}

#[cfg(feature = "ssr")]
async fn with_qr(mut sheet: PassSheet) -> Result<PassSheet, AppError> {
    // The QR holds the check page's full address on the host the desk uses.
    sheet.qr_svg = crate::keys::print::page_qr_svg(&sheet.check_path).await?;
    Ok(sheet)
}

/// The printed pass.
#[server(endpoint = "get_release_pass")]
pub async fn get_release_pass(id: i64) -> Result<PassSheet, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        with_qr(super::db::sheet(call.pool(), &call.caller, id).await?).await
    })
    .await
}

/// The gate's check of a scanned pass (`None`: no such pass).
#[server(endpoint = "check_release_pass")]
pub async fn check_release_pass(token: String) -> Result<Option<PassSheet>, AppError> {
    guarded(Permission::CheckPasses, move |call| async move {
        super::db::check(call.pool(), &call.caller, &token).await
    })
    .await
}

/// 放行: the gate lets the goods out; the pass is used.
#[server(endpoint = "use_release_pass")]
pub async fn use_release_pass(token: String) -> Result<(), AppError> {
    guarded(Permission::CheckPasses, move |call| async move {
        super::db::use_pass(call.db(), &call.actor(), &call.caller, call.lang(), &token).await
    })
    .await
}

/// The desk issues a resident's request from the house's move-out.
#[server(endpoint = "issue_requested_pass")]
pub async fn issue_requested_pass(move_out_id: i64, pass_id: i64) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::issue_requested(call.db(), &call.actor(), &call.caller, call.lang(), move_out_id, pass_id)
            .await
    })
    .await
}

/// A resident asks for a pass for one of their houses.
#[server(endpoint = "request_release_pass")]
pub async fn request_release_pass(
    house_id: i64,
    items: String,
    plate: Option<String>,
    valid_on: String,
) -> Result<i64, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        super::db::request(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            house_id,
            &items,
            &plate.unwrap_or_default(),
            &valid_on,
        )
        .await
    })
    .await
}

/// The resident's passes and requests, with their houses to ask for.
#[server(endpoint = "get_my_passes")]
pub async fn get_my_passes() -> Result<MyPasses, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        let passes = super::db::portal_passes(call.pool(), &call.caller).await?;
        let mut houses = Vec::new();
        for r in &call.caller.residences {
            let (number,): (String,) = sqlx::query_as("select number from house where id = $1")
                .bind(r.house_id)
                .fetch_one(call.pool())
                .await?;
            houses.push(crate::common::Choice { id: r.house_id, name: number });
        }
        Ok(MyPasses {
            passes,
            houses,
            today: crate::db::time::desk_today(),
        })
    })
    .await
}

#[server(endpoint = "revoke_release_pass")]
pub async fn revoke_release_pass(id: i64) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::revoke(call.db(), &call.actor(), &call.caller, call.lang(), id).await
    })
    .await
}
