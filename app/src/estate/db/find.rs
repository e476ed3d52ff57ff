//! The search box's candidates: each meaning of the query (a house number
//! or part of it, a name, the tail of a mobile or ID number) read from the
//! register within the caller's estates, then ranked in [`crate::estate::search`].

use sqlx::AnyPool;

use crate::common::personal::mask_mobile;
use crate::common::EstateScope;
use crate::db::estate_filter;
use crate::estate::search::{self, HitKind, Plan, SearchHit};

/// Callers who see at most this many estates get substring matches (a scan of
/// those estates' rows); wider scopes get the indexed exact matches only
/// (whole name, whole house number or room, tails), which stay fast at
/// company size.
const SUBSTRING_SCOPE: usize = 20;

/// The search box: candidates by each meaning of the query, ranked in [`search`].
pub async fn search(
    pool: &AnyPool,
    scope: &EstateScope,
    plan: &Plan,
) -> sqlx::Result<Vec<SearchHit>> {
    let narrow = matches!(scope, EstateScope::Only(ids) if ids.len() <= SUBSTRING_SCOPE);
    let mut hits = Vec::new();
    if let (Some(fragment), false) = (&plan.house, narrow) {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "select h.id, h.number, e.name from house h join estate e on e.id = h.estate_id \
             where (h.number = $1 or h.room = $1){} order by h.number limit 200",
            estate_filter(scope, "h.estate_id")
        ))
        .bind(fragment)
        .fetch_all(pool)
        .await?;
        hits.extend(rows.into_iter().filter_map(|(id, number, estate)| {
            search::house_rank(&number, fragment).map(|rank| SearchHit {
                kind: HitKind::House,
                id,
                title: number,
                detail: estate,
                rank,
            })
        }));
    }
    if let (Some(fragment), true) = (&plan.house, narrow) {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "select h.id, h.number, e.name from house h join estate e on e.id = h.estate_id \
             where upper(h.number) like $1{} order by length(h.number), h.number limit 200",
            estate_filter(scope, "h.estate_id")
        ))
        .bind(format!("%{fragment}%"))
        .fetch_all(pool)
        .await?;
        hits.extend(rows.into_iter().filter_map(|(id, number, estate)| {
            search::house_rank(&number, fragment).map(|rank| SearchHit {
                kind: HitKind::House,
                id,
                title: number,
                detail: estate,
                rank,
            })
        }));
    }
    let resident_hit =
        |(id, name, mobile, estate): (i64, String, String, String), rank: u8| SearchHit {
            kind: HitKind::Resident,
            id,
            title: name,
            detail: format!("{} · {estate}", mask_mobile(&mobile)),
            rank,
        };
    if let Some(tail) = &plan.tail {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
            "select r.id, r.name, r.mobile, e.name from resident r join estate e on e.id = r.estate_id \
             where (r.mobile_tail = $1 or r.id_tail = $1){} limit 50",
            estate_filter(scope, "r.estate_id")
        ))
        .bind(tail)
        .fetch_all(pool)
        .await?;
        hits.extend(rows.into_iter().map(|row| resident_hit(row, 1)));
    }
    if let (Some(name), false) = (&plan.name, narrow) {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
            "select r.id, r.name, r.mobile, e.name from resident r join estate e on e.id = r.estate_id \
             where r.name = $1{} limit 200",
            estate_filter(scope, "r.estate_id")
        ))
        .bind(name)
        .fetch_all(pool)
        .await?;
        hits.extend(rows.into_iter().map(|row| resident_hit(row, 0)));
    }
    if let (Some(name), true) = (&plan.name, narrow) {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
            "select r.id, r.name, r.mobile, e.name from resident r join estate e on e.id = r.estate_id \
             where r.name like $1{} order by length(r.name), r.name limit 200",
            estate_filter(scope, "r.estate_id")
        ))
        .bind(format!("%{}%", name.replace(['%', '_'], "")))
        .fetch_all(pool)
        .await?;
        hits.extend(rows.into_iter().filter_map(|row| {
            let rank = search::name_rank(&row.1, name)?;
            Some(resident_hit(row, rank))
        }));
    }
    Ok(search::best(hits))
}
