//! Arrears' server functions, each one [`guarded`] call: the desk (clerks,
//! managers, admins) reads its estates' ageing.

use leptos::prelude::*;

use super::*;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;

/// An estate's ageing by building, as of `as_of` (`YYYY-MM-DD`; empty: today).
#[server(endpoint = "get_ageing")]
pub async fn get_ageing(estate_id: i64, as_of: String) -> Result<Ageing, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::ageing(call.pool(), &call.caller, estate_id, &as_of).await
    })
    .await
}

/// The houses owing in an estate or a building (`building_id` 0: all), in
/// one bucket (`bucket` empty: any).
#[server(endpoint = "get_ageing_houses")]
pub async fn get_ageing_houses(
    estate_id: i64,
    building_id: i64,
    bucket: String,
    as_of: String,
) -> Result<AgeingHouses, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let building = (building_id > 0).then_some(building_id);
        super::db::houses(
            call.pool(),
            &call.caller,
            estate_id,
            building,
            Bucket::parse(&bucket),
            &as_of,
        )
        .await
    })
    .await
}

/// A house's chase: what it owes today and its chasing log.
#[server(endpoint = "get_house_chase")]
pub async fn get_house_chase(house_id: i64) -> Result<HouseChase, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::chase::house(call.pool(), &call.caller, house_id).await
    })
    .await
}

/// Records a chasing action on a house (催缴记录); returns its id.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "record_chase")]
pub async fn record_chase(
    house_id: i64,
    action: String,
    outcome: Option<String>,
    promise_date: Option<String>,
    promise_amount: Option<String>,
    reason: Option<String>,
    note: Option<String>,
    follow_up_date: Option<String>,
) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let form = super::db::chase::ChaseForm {
            action,
            outcome: outcome.unwrap_or_default(),
            promise_date: promise_date.unwrap_or_default(),
            promise_amount: promise_amount.unwrap_or_default(),
            reason: reason.unwrap_or_default(),
            note: note.unwrap_or_default(),
            follow_up_date: follow_up_date.unwrap_or_default(),
        };
        super::db::chase::record(call.db(), &call.actor(), &call.caller, house_id, &form).await
    })
    .await
}

/// The follow-ups due in an estate: the caller's own, or (`all`) everyone's.
#[server(endpoint = "get_follow_ups")]
pub async fn get_follow_ups(estate_id: i64, all: bool) -> Result<FollowUps, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::chase::follow_ups(call.pool(), &call.caller, estate_id, !all).await
    })
    .await
}
