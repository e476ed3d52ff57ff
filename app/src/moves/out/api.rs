//! Move-out's server functions, each one [`guarded`] call: the desk works
//! cases within its estates; the override is a manager's (checked in `db`).

use leptos::prelude::*;

use super::*;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;

/// One move-out's page.
#[server(endpoint = "get_move_out")]
pub async fn get_move_out(id: i64) -> Result<OutPage, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::page(call.pool(), &call.caller, call.lang(), id).await
    })
    .await
}

/// The open move-outs of an estate.
#[server(endpoint = "get_move_outs")]
pub async fn get_move_outs(estate_id: i64) -> Result<Vec<OutRow>, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let (_, estate_id) =
            crate::db::scoped_estates(call.pool(), &call.caller.scope, estate_id).await?;
        Ok(super::db::open_list(call.pool(), estate_id).await?)
    })
    .await
}

/// 办理迁出: opens the house's move-out (or finds the open one) and goes to it.
#[server(endpoint = "open_move_out")]
pub async fn open_move_out(house_id: i64) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let id = super::db::case::open(call.db(), &call.actor(), &call.caller, call.lang(), house_id)
            .await?;
        // The house page posts a plain form: the answer is the case's page.
        leptos_axum::redirect(&format!("/desk/moves/out/{id}"));
        Ok(id)
    })
    .await
}

/// Who leaves (`occupancies[]`), why, and a sale's buyer.
#[server(endpoint = "save_move_out_leaving")]
pub async fn save_move_out_leaving(
    id: i64,
    kind: String,
    occupancies: Option<Vec<i64>>,
    buyer_name: Option<String>,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::case::save_leaving(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            id,
            &kind,
            &occupancies.unwrap_or_default(),
            &buyer_name.unwrap_or_default(),
        )
        .await
    })
    .await
}

/// The final readings: `items[i]` read `readings[i]`.
#[server(endpoint = "save_move_out_readings")]
pub async fn save_move_out_readings(
    id: i64,
    items: Option<Vec<i64>>,
    readings: Option<Vec<String>>,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let readings = readings.unwrap_or_default();
        let pairs: Vec<(i64, String)> = items
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, item)| (item, readings.get(i).cloned().unwrap_or_default()))
            .collect();
        super::db::case::save_readings(call.db(), &call.actor(), &call.caller, call.lang(), id, &pairs)
            .await
    })
    .await
}

/// 出账: bills the part month and the final readings.
#[server(endpoint = "bill_move_out")]
pub async fn bill_move_out(id: i64) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::settle::bill(call.db(), &call.actor(), &call.caller, call.lang(), id).await
    })
    .await
}

/// 收款: the settlement's one payment. `payer` is a leaving resident's id, or
/// empty with `payer_name` typed.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "pay_move_out")]
pub async fn pay_move_out(
    id: i64,
    method: String,
    received: String,
    payer: Option<String>,
    payer_name: Option<String>,
    request_key: String,
) -> Result<String, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        // A name typed at the counter is the payer's, whoever the list shows.
        let typed = payer_name.unwrap_or_default();
        let payer = match payer.as_deref().and_then(|p| p.parse::<i64>().ok()) {
            Some(resident) if typed.trim().is_empty() => {
                crate::billing::ledger::Payer::resident(resident)
            }
            _ => crate::billing::ledger::Payer::named(typed),
        };
        super::db::settle::pay(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            id,
            &method,
            &received,
            &payer,
            &request_key,
        )
        .await
    })
    .await
}

/// A manager lets the household leave owing, with a written reason.
#[server(endpoint = "override_move_out")]
pub async fn override_move_out(id: i64, reason: String) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::settle::override_owed(call.db(), &call.actor(), &call.caller, call.lang(), id, &reason)
            .await
    })
    .await
}

#[server(endpoint = "complete_move_out")]
pub async fn complete_move_out(id: i64) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::case::complete(call.db(), &call.actor(), &call.caller, call.lang(), id).await
    })
    .await
}

#[server(endpoint = "cancel_move_out")]
pub async fn cancel_move_out(id: i64, reason: String) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::case::cancel(call.db(), &call.actor(), &call.caller, call.lang(), id, &reason).await
    })
    .await
}
