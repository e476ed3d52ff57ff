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
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    sheet.qr_svg = crate::keys::print::qr_svg(&format!("{scheme}://{host}{}", sheet.check_path))?;
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

#[server(endpoint = "revoke_release_pass")]
pub async fn revoke_release_pass(id: i64) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::revoke(call.db(), &call.actor(), &call.caller, call.lang(), id).await
    })
    .await
}
