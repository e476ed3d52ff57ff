//! Server functions behind the role homes.

use leptos::prelude::*;

use super::{EstateSummary, MyHouse};
#[cfg(feature = "ssr")]
use crate::auth::api::{authorize, finish, state};
use crate::error::AppError;

/// The estates the caller works for, with their size.
#[server(endpoint = "desk_summary")]
pub async fn desk_summary() -> Result<Vec<EstateSummary>, AppError> {
    use crate::common::Permission;
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        estate_summaries(&state.db.pool, &caller.scope)
            .await
            .map_err(AppError::from),
    )
}

/// The estates of `scope` with their size (the desk's home, the admin's estate list).
#[cfg(feature = "ssr")]
pub async fn estate_summaries(
    pool: &sqlx::AnyPool,
    scope: &crate::common::EstateScope,
) -> sqlx::Result<Vec<EstateSummary>> {
    let filter = crate::db::estate_filter(scope, "e.id");
    sqlx::query_as(&format!(
        "select e.id, e.code, e.name, \
           (select count(*) from building b where b.estate_id = e.id) as buildings, \
           (select count(*) from house h where h.estate_id = e.id) as houses, \
           (select count(*) from resident r where r.estate_id = e.id) as residents \
         from estate e where 1 = 1{filter} order by e.name"
    ))
    .fetch_all(pool)
    .await
}

/// The houses the signed-in resident is currently linked to — theirs only.
#[server(endpoint = "my_houses")]
pub async fn my_houses() -> Result<Vec<MyHouse>, AppError> {
    use crate::common::Permission;
    let caller = authorize(Permission::UsePortal)?;
    let state = state()?;
    let Some(resident_id) = caller.resident_id else {
        return Ok(Vec::new());
    };
    finish(
        sqlx::query_as(
            "select h.id as house_id, e.name as estate_name, h.number, h.area_centi, o.role, o.start_date \
             from occupancy o join house h on h.id = o.house_id join estate e on e.id = h.estate_id \
             where o.resident_id = $1 and o.end_date is null order by e.name, h.number",
        )
        .bind(resident_id)
        .fetch_all(&state.db.pool)
        .await
        .map_err(AppError::from),
    )
}

/// The resident's own record, masked.
#[server(endpoint = "my_profile")]
pub async fn my_profile() -> Result<Option<super::MyProfile>, AppError> {
    use crate::common::Permission;
    use crate::estate::rules::{mask_id_number, mask_mobile};
    let caller = authorize(Permission::UsePortal)?;
    let state = state()?;
    let Some(resident_id) = caller.resident_id else {
        return Ok(None);
    };
    let row: Result<Option<(String, String, Option<String>)>, _> =
        sqlx::query_as("select name, mobile, id_number from resident where id = $1")
            .bind(resident_id)
            .fetch_optional(&state.db.pool)
            .await;
    finish(
        row.map(|r| {
            r.map(|(name, mobile, id_number)| super::MyProfile {
                name,
                mobile_masked: mask_mobile(&mobile),
                id_number_masked: id_number.as_deref().map(mask_id_number),
            })
        })
        .map_err(AppError::from),
    )
}

/// The full mobile or ID number of the signed-in resident — their own, never
/// anyone else's (the record is the session's, not the request's) — audited
/// like the desk's reveal ([`crate::estate::api::reveal_resident_field`]).
#[server(endpoint = "reveal_my_field")]
pub async fn reveal_my_field(field: String) -> Result<String, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UsePortal)?;
    let state = state()?;
    let result = async {
        let resident_id = caller.resident_id.ok_or(AppError::NotFound)?;
        crate::estate::db::reveal_field(
            &state.db.pool,
            &actor(&caller),
            resident_id,
            &field,
            |_| Ok(()),
        )
        .await
    }
    .await;
    finish(result)
}
