//! Houses: the estate's house list (with each house's arrears), the house
//! page, a new house (and its building), corrections of its facts, status
//! changes with their history (each with the day it took effect), and the
//! house export.

use sqlx::{AnyExecutor, AnyPool};

use super::occupancies::occupancies_where;
use crate::common::{AccountId, EstateId, EstateScope, HouseId};
use crate::db::{scoped_estates, time, Write};
use crate::estate::{
    BuildingOption, HouseDetail, HouseFilter, HouseList, HouseRow, HouseStatus, HouseUse,
    OccupancyRole, StatusChange, HOUSE_PAGE_SIZE,
};

pub async fn house_list(
    pool: &AnyPool,
    scope: &EstateScope,
    f: &HouseFilter,
) -> sqlx::Result<HouseList> {
    let (estates, estate_id) = scoped_estates(pool, scope, f.estate_id).await?;
    let buildings: Vec<BuildingOption> = sqlx::query_as(
        "select id, estate_id, name from building where estate_id = $1 order by length(code), code",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let mut filter = String::from(" where h.estate_id = $1");
    if buildings.iter().any(|b| b.id == f.building_id) {
        filter.push_str(&format!(" and h.building_id = {}", f.building_id));
    }
    if f.status.is_some() {
        filter.push_str(" and h.status = $2");
    }
    let count_sql = format!("select count(*) from house h{filter}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql).bind(estate_id);
    if let Some(status) = f.status {
        count = count.bind(status);
    }
    let (total,) = count.fetch_one(pool).await?;
    let (_, offset) = crate::estate::rules::page_window(f.page, total, HOUSE_PAGE_SIZE);
    let rows_sql = format!(
        "select h.id, h.number, b.name as building_name, h.floor, h.area_centi, h.status, \
           coalesce((select min(r.name) from occupancy o join resident r on r.id = o.resident_id \
                     where o.house_id = h.id and o.role = 'owner' and o.end_date is null), '') as owners \
         from house h join building b on b.id = h.building_id{filter} \
         order by length(b.code), b.code, h.entrance, h.floor, h.number \
         limit {HOUSE_PAGE_SIZE} offset {offset}"
    );
    let mut rows = sqlx::query_as::<_, HouseRow>(&rows_sql).bind(estate_id);
    if let Some(status) = f.status {
        rows = rows.bind(status);
    }
    let mut rows = rows.fetch_all(pool).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    // The one place the register reads billing: what each house still owes.
    let arrears = crate::billing::ledger::arrears_by_house(pool, &ids, &time::desk_today()).await?;
    for row in &mut rows {
        row.arrears_fen = arrears.get(&row.id).copied().unwrap_or(0);
    }
    Ok(HouseList {
        estates,
        buildings,
        estate_id,
        rows,
        total,
    })
}

#[derive(sqlx::FromRow)]
struct HouseHead {
    id: i64,
    estate_id: i64,
    estate_name: String,
    building_name: String,
    number: String,
    entrance: i64,
    floor: i64,
    area_centi: i64,
    use_kind: HouseUse,
    status: HouseStatus,
}

pub async fn house_detail(pool: &AnyPool, id: i64) -> sqlx::Result<Option<HouseDetail>> {
    let head: Option<HouseHead> = sqlx::query_as(
        "select h.id, h.estate_id, e.name as estate_name, b.name as building_name, h.number, h.entrance, \
         h.floor, h.area_centi, h.use_kind, h.status \
         from house h join estate e on e.id = h.estate_id join building b on b.id = h.building_id where h.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(h) = head else { return Ok(None) };
    let occupancies = occupancies_where(pool, "o.house_id", id).await?;
    // In order of effect, as billing reads them (see `billing::run::status_changes`).
    let history: Vec<StatusChange> = sqlx::query_as(
        "select c.from_status, c.to_status, c.effective_on, c.changed_at, a.display_name as changed_by, c.reason \
         from house_status_change c left join account a on a.id = c.changed_by \
         where c.house_id = $1 order by c.effective_on desc, c.id desc",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let latest_effective_on = history.iter().map(|c| c.effective_on.clone()).max();
    Ok(Some(HouseDetail {
        id: h.id,
        estate_id: h.estate_id,
        estate_name: h.estate_name,
        building_name: h.building_name,
        number: h.number,
        entrance: h.entrance,
        floor: h.floor,
        area_centi: h.area_centi,
        use_kind: h.use_kind,
        status: h.status,
        occupancies,
        history,
        latest_effective_on,
        today: time::desk_today(),
        // The server function says, from the caller's permission.
        may_correct: false,
    }))
}

/// The estate a house belongs to, and its status.
pub async fn house_estate<'e>(
    ex: impl AnyExecutor<'e>,
    house_id: HouseId,
) -> sqlx::Result<Option<(EstateId, HouseStatus)>> {
    sqlx::query_as("select estate_id, status from house where id = $1")
        .bind(house_id)
        .fetch_optional(ex)
        .await
}

/// (estate, area, use) of a house.
pub async fn house_facts<'e>(
    ex: impl AnyExecutor<'e>,
    id: HouseId,
) -> sqlx::Result<Option<(EstateId, i64, HouseUse)>> {
    sqlx::query_as("select estate_id, area_centi, use_kind from house where id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// (id, area, use) of the estate's house with this number, if there is one.
pub async fn house_by_number<'e>(
    ex: impl AnyExecutor<'e>,
    estate_id: EstateId,
    number: &str,
) -> sqlx::Result<Option<(i64, i64, HouseUse)>> {
    sqlx::query_as(
        "select id, area_centi, use_kind from house where estate_id = $1 and number = $2",
    )
    .bind(estate_id)
    .bind(number)
    .fetch_optional(ex)
    .await
}

pub async fn update_house(
    w: &mut Write,
    id: HouseId,
    area_centi: i64,
    use_kind: HouseUse,
) -> sqlx::Result<()> {
    sqlx::query("update house set area_centi = $1, use_kind = $2 where id = $3")
        .bind(area_centi)
        .bind(use_kind)
        .bind(id)
        .execute(&mut **w)
        .await?;
    Ok(())
}

/// The effective date of the house's latest status change (`None`: it has
/// none): a new change may not take effect before it
/// ([`crate::estate::rules::check_effective_on`]).
pub async fn latest_effective_on<'e>(
    ex: impl AnyExecutor<'e>,
    house_id: HouseId,
) -> sqlx::Result<Option<String>> {
    let (latest,): (Option<String>,) =
        sqlx::query_as("select max(effective_on) from house_status_change where house_id = $1")
            .bind(house_id)
            .fetch_one(ex)
            .await?;
    Ok(latest)
}

/// Moves a house from status `from` to `to`, effective on the desk day
/// `effective_on` (`YYYY-MM-DD`, the day billing counts from), and adds the
/// change, with its reason and author, to the house's history. The callers
/// check the change first: a workflow against
/// [`crate::estate::rules::lifecycle_allows`], a manager's correction with
/// [`crate::estate::rules::check_correction`].
///
/// A guarded update: it writes only while the house is still `from` and has
/// no change effective after `effective_on` (so the history in order of
/// effect always ends in the house's status). `Ok(false)`: the house moved on
/// meanwhile, nothing was written — the caller refuses with a conflict.
pub async fn change_status(
    w: &mut Write,
    house_id: HouseId,
    from: HouseStatus,
    to: HouseStatus,
    effective_on: &str,
    reason: &str,
    by: AccountId,
) -> sqlx::Result<bool> {
    let moved = sqlx::query(
        "update house set status = $1 where id = $2 and status = $3 and not exists \
         (select 1 from house_status_change c where c.house_id = $4 and c.effective_on > $5)",
    )
    .bind(to)
    .bind(house_id)
    .bind(from)
    .bind(house_id)
    .bind(effective_on)
    .execute(&mut **w)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "insert into house_status_change (house_id, from_status, to_status, effective_on, changed_at, changed_by, reason) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(house_id)
    .bind(from)
    .bind(to)
    .bind(effective_on)
    .bind(time::now())
    .bind(by)
    .bind(reason)
    .execute(&mut **w)
    .await?;
    Ok(true)
}

/// The building with this code, created (named "<code>栋") if new.
pub async fn ensure_building(w: &mut Write, estate_id: EstateId, code: &str) -> sqlx::Result<i64> {
    let found: Option<(i64,)> =
        sqlx::query_as("select id from building where estate_id = $1 and code = $2")
            .bind(estate_id)
            .bind(code)
            .fetch_optional(&mut **w)
            .await?;
    if let Some((id,)) = found {
        return Ok(id);
    }
    let (id,): (i64,) = sqlx::query_as(
        "insert into building (estate_id, code, name) values ($1, $2, $3) returning id",
    )
    .bind(estate_id)
    .bind(code)
    .bind(format!("{code}栋"))
    .fetch_one(&mut **w)
    .await?;
    Ok(id)
}

pub struct NewHouse<'a> {
    pub estate_id: EstateId,
    pub building_id: i64,
    pub number: &'a str,
    pub entrance: i64,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: HouseUse,
    pub status: HouseStatus,
}

/// Adds a house; a number the estate already has is a unique violation.
pub async fn insert_house(w: &mut Write, h: &NewHouse<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into house (estate_id, building_id, number, entrance, floor, area_centi, use_kind, status, created_at, room) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
    )
    .bind(h.estate_id)
    .bind(h.building_id)
    .bind(h.number)
    .bind(h.entrance)
    .bind(h.floor)
    .bind(h.area_centi)
    .bind(h.use_kind)
    .bind(h.status)
    .bind(time::now())
    // The room part of `3-2-1201`, for the search box.
    .bind(h.number.rsplit('-').next().unwrap_or_default())
    .fetch_one(&mut **w)
    .await?;
    Ok(id)
}

/// One line of an export: a house and one current occupant (if any). In
/// the resident export, a resident who lives nowhere now has no house.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub number: String,
    pub building_name: String,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: Option<HouseUse>,
    pub status: Option<HouseStatus>,
    pub name: Option<String>,
    pub mobile: Option<String>,
    pub id_number: Option<String>,
    pub role: Option<OccupancyRole>,
    pub start_date: Option<String>,
}

/// The house export: one line per house and current occupant (or one without).
pub async fn export_rows(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<ExportRow>> {
    sqlx::query_as(
        "select h.number, b.name as building_name, h.floor, h.area_centi, h.use_kind, h.status, \
           r.name, r.mobile, r.id_number, o.role, o.start_date \
         from house h join building b on b.id = h.building_id \
         left join occupancy o on o.house_id = h.id and o.end_date is null \
         left join resident r on r.id = o.resident_id \
         where h.estate_id = $1 \
         order by length(b.code), b.code, h.entrance, h.floor, h.number, o.id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await
}
