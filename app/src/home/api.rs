//! Server functions behind the role homes.

use leptos::prelude::*;

use super::{EstateSummary, MyHouse};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    crate::auth::residence::linked_residents,
    crate::common::personal::{mask_id_number, mask_mobile},
    crate::common::Permission,
    crate::estate::PersonalField,
    crate::guard::guarded,
};

/// The estates the caller works for, with their size.
#[server(endpoint = "desk_summary")]
pub async fn desk_summary() -> Result<Vec<EstateSummary>, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(super::db::estate_summaries(call.pool(), &call.caller.scope).await?)
    })
    .await
}

/// The houses the signed-in resident is currently linked to — theirs only,
/// under every resident record linked to the account (one person in two
/// estates sees both).
#[server(endpoint = "my_houses")]
pub async fn my_houses() -> Result<Vec<MyHouse>, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        let records = linked_residents(call.pool(), call.caller.account_id).await?;
        let mut houses = Vec::new();
        for resident_id in records {
            houses.extend(super::db::my_houses(call.pool(), resident_id).await?);
        }
        houses.sort_by(|a, b| {
            (&a.estate_name, &a.number, a.house_id).cmp(&(&b.estate_name, &b.number, b.house_id))
        });
        Ok(houses)
    })
    .await
}

/// The resident's own record, masked.
#[server(endpoint = "my_profile")]
pub async fn my_profile() -> Result<Option<super::MyProfile>, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        let Some(resident_id) = call.caller.resident_id else {
            return Ok(None);
        };
        let record = super::db::my_record(call.pool(), resident_id).await?;
        Ok(record.map(|(name, mobile, id_number)| super::MyProfile {
            name,
            mobile_masked: mask_mobile(&mobile),
            id_number_masked: id_number.as_deref().map(mask_id_number),
        }))
    })
    .await
}

/// The full mobile or ID number of the signed-in resident — their own, never
/// anyone else's (the record is the session's, not the request's) — audited
/// like the desk's reveal ([`crate::estate::api::reveal_resident_field`]).
#[server(endpoint = "reveal_my_field")]
pub async fn reveal_my_field(field: String) -> Result<String, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        let resident_id = call.caller.resident_id.ok_or(AppError::NotFound)?;
        let field = PersonalField::parse(&field).ok_or(AppError::NotFound)?;
        crate::estate::db::reveal_field(call.pool(), &call.actor(), resident_id, field, |_| Ok(()))
            .await
    })
    .await
}
