//! The role homes' SQL: the estates with their size, and a resident's own
//! houses and record.

use sqlx::{AnyExecutor, AnyPool};

use super::{EstateSummary, MyHouse};
use crate::common::EstateScope;
use crate::db::estate_filter;

/// The estates of `scope` with their size (the desk's home, the admin's estate list).
pub async fn estate_summaries(
    pool: &AnyPool,
    scope: &EstateScope,
) -> sqlx::Result<Vec<EstateSummary>> {
    let filter = estate_filter(scope, "e.id");
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

/// The houses a resident is currently linked to.
pub async fn my_houses<'e>(
    ex: impl AnyExecutor<'e>,
    resident_id: i64,
) -> sqlx::Result<Vec<MyHouse>> {
    sqlx::query_as(
        "select h.id as house_id, e.name as estate_name, h.number, h.area_centi, o.role, o.start_date \
         from occupancy o join house h on h.id = o.house_id join estate e on e.id = h.estate_id \
         where o.resident_id = $1 and o.end_date is null order by e.name, h.number",
    )
    .bind(resident_id)
    .fetch_all(ex)
    .await
}

/// A resident's name, mobile and ID number, unmasked (the caller masks them).
pub async fn my_record<'e>(
    ex: impl AnyExecutor<'e>,
    resident_id: i64,
) -> sqlx::Result<Option<(String, String, Option<String>)>> {
    sqlx::query_as("select name, mobile, id_number from resident where id = $1")
        .bind(resident_id)
        .fetch_optional(ex)
        .await
}
