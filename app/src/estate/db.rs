//! Register SQL. Server functions authorise (and check the estate) first.

use sqlx::{AnyExecutor, AnyPool};

use super::rules::{mask_id_number, mask_mobile};
use super::search::{self, HitKind, Plan, SearchHit};
use super::{
    BuildingOption, HouseDetail, HouseFilter, HouseList, HouseRow, OccupancyView, ResidentDetail,
    StatusChange, HOUSE_PAGE_SIZE,
};
use crate::common::EstateScope;
use crate::db::{estate_filter, scoped_estates, time, Tx};

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
    let mut binds: Vec<String> = Vec::new();
    if buildings.iter().any(|b| b.id == f.building_id) {
        filter.push_str(&format!(" and h.building_id = {}", f.building_id));
    }
    if super::HOUSE_STATUSES.contains(&f.status.as_str()) {
        binds.push(f.status.clone());
        filter.push_str(" and h.status = $2");
    }
    let count_sql = format!("select count(*) from house h{filter}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql).bind(estate_id);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let (total,) = count.fetch_one(pool).await?;
    let (_, offset) = super::rules::page_window(f.page, total, HOUSE_PAGE_SIZE);
    let rows_sql = format!(
        "select h.id, h.number, b.name as building_name, h.floor, h.area_centi, h.status, \
           coalesce((select min(r.name) from occupancy o join resident r on r.id = o.resident_id \
                     where o.house_id = h.id and o.role = 'owner' and o.end_date is null), '') as owners \
         from house h join building b on b.id = h.building_id{filter} \
         order by length(b.code), b.code, h.entrance, h.floor, h.number \
         limit {HOUSE_PAGE_SIZE} offset {offset}"
    );
    let mut rows = sqlx::query_as::<_, HouseRow>(&rows_sql).bind(estate_id);
    for b in &binds {
        rows = rows.bind(b.clone());
    }
    let mut rows = rows.fetch_all(pool).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let arrears =
        crate::billing::ledger::arrears_by_house(pool, &ids, &crate::db::time::desk_today())
            .await?;
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
struct OccupancyRow {
    id: i64,
    house_id: i64,
    house_number: String,
    resident_id: i64,
    resident_name: String,
    mobile: String,
    role: String,
    start_date: String,
    end_date: Option<String>,
}

impl From<OccupancyRow> for OccupancyView {
    fn from(r: OccupancyRow) -> Self {
        OccupancyView {
            id: r.id,
            house_id: r.house_id,
            house_number: r.house_number,
            resident_id: r.resident_id,
            resident_name: r.resident_name,
            mobile_masked: mask_mobile(&r.mobile),
            role: r.role,
            start_date: r.start_date,
            end_date: r.end_date,
        }
    }
}

const OCCUPANCY_SELECT: &str = "select o.id, o.house_id, h.number as house_number, o.resident_id, \
     r.name as resident_name, r.mobile, o.role, o.start_date, o.end_date \
     from occupancy o join house h on h.id = o.house_id join resident r on r.id = o.resident_id";

/// Current occupancies first (owners first), then the history, newest first.
const OCCUPANCY_ORDER: &str = " order by case when o.end_date is null then 0 else 1 end, \
     case o.role when 'owner' then 0 when 'co_owner' then 1 when 'tenant' then 2 else 3 end, \
     o.start_date desc, o.id desc";

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
    use_kind: String,
    status: String,
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
    let occupancies: Vec<OccupancyRow> = sqlx::query_as(&format!(
        "{OCCUPANCY_SELECT} where o.house_id = $1{OCCUPANCY_ORDER}"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    let history: Vec<StatusChange> = sqlx::query_as(
        "select c.from_status, c.to_status, c.changed_at, a.display_name as changed_by, c.reason \
         from house_status_change c left join account a on a.id = c.changed_by \
         where c.house_id = $1 order by c.id desc",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
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
        occupancies: occupancies.into_iter().map(Into::into).collect(),
        history,
        today: time::desk_today(),
    }))
}

#[derive(sqlx::FromRow)]
struct ResidentRow {
    id: i64,
    estate_id: i64,
    estate_name: String,
    name: String,
    mobile: String,
    id_number: Option<String>,
    notes: String,
}

pub async fn resident_detail(pool: &AnyPool, id: i64) -> sqlx::Result<Option<ResidentDetail>> {
    let row: Option<ResidentRow> = sqlx::query_as(
        "select r.id, r.estate_id, e.name as estate_name, r.name, r.mobile, r.id_number, r.notes \
         from resident r join estate e on e.id = r.estate_id where r.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let occupancies: Vec<OccupancyRow> = sqlx::query_as(&format!(
        "{OCCUPANCY_SELECT} where o.resident_id = $1{OCCUPANCY_ORDER}"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(Some(ResidentDetail {
        id: r.id,
        estate_id: r.estate_id,
        estate_name: r.estate_name,
        name: r.name,
        mobile_masked: mask_mobile(&r.mobile),
        id_number_masked: r.id_number.as_deref().map(mask_id_number),
        notes: r.notes,
        occupancies: occupancies.into_iter().map(Into::into).collect(),
    }))
}

/// The full value of one personal-data field, and the resident's estate.
pub async fn resident_field(
    pool: &AnyPool,
    id: i64,
    field: &str,
) -> sqlx::Result<Option<(i64, Option<String>)>> {
    let column = match field {
        "mobile" => "mobile",
        "id_number" => "id_number",
        _ => return Ok(None),
    };
    sqlx::query_as(&format!(
        "select estate_id, {column} from resident where id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Reveals one personal-data field of a resident in full, recording the
/// reveal in the operation log — the one way the desk and the portal show a
/// whole mobile or ID number. `check` decides, from the resident's estate,
/// whether this caller may see it; nothing is recorded if it refuses.
pub async fn reveal_field(
    pool: &AnyPool,
    actor: &crate::audit::db::Actor,
    resident_id: i64,
    field: &str,
    check: impl FnOnce(i64) -> Result<(), crate::error::AppError>,
) -> Result<String, crate::error::AppError> {
    use crate::audit::db::{self as audit, Change};
    use crate::error::AppError;
    let (estate_id, value) = resident_field(pool, resident_id, field)
        .await?
        .ok_or(AppError::NotFound)?;
    check(estate_id)?;
    let value = value.ok_or(AppError::NotFound)?;
    audit::record(
        pool,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::Resident,
            entity_id: Some(resident_id.to_string()),
            action: if field == "mobile" {
                crate::common::AuditAction::RevealMobile
            } else {
                crate::common::AuditAction::RevealIdNumber
            },
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(value)
}

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

/// The estate a house belongs to.
pub async fn house_estate(tx: &mut Tx, house_id: i64) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as("select estate_id, status from house where id = $1")
        .bind(house_id)
        .fetch_optional(&mut **tx)
        .await
}

pub struct NewOccupant<'a> {
    pub name: &'a str,
    pub mobile: &'a str,
    pub id_number: Option<&'a str>,
    pub role: &'a str,
    pub start_date: &'a str,
}

/// The estate's record of this person: the same ID number, or else the same
/// name and mobile — so one person keeps one record.
async fn find_resident(
    tx: &mut Tx,
    estate_id: i64,
    new: &NewOccupant<'_>,
) -> sqlx::Result<Option<i64>> {
    let existing: Option<(i64,)> = match new.id_number {
        Some(id_number) => {
            sqlx::query_as("select id from resident where estate_id = $1 and id_number = $2")
                .bind(estate_id)
                .bind(id_number)
                .fetch_optional(&mut **tx)
                .await?
        }
        None => {
            sqlx::query_as("select id from resident where estate_id = $1 and name = $2 and mobile = $3 order by id limit 1")
                .bind(estate_id)
                .bind(new.name)
                .bind(new.mobile)
                .fetch_optional(&mut **tx)
                .await?
        }
    };
    Ok(existing.map(|(id,)| id))
}

/// Links a resident to a house (reusing the estate's record of the person).
/// Returns (resident id, occupancy id).
pub async fn add_occupant(
    tx: &mut Tx,
    estate_id: i64,
    house_id: i64,
    new: &NewOccupant<'_>,
) -> sqlx::Result<(i64, i64)> {
    let existing = find_resident(tx, estate_id, new).await?;
    let now = time::now();
    let resident_id = match existing {
        Some(id) => id,
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "insert into resident (estate_id, name, mobile, id_number, mobile_tail, id_tail, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7) returning id",
            )
            .bind(estate_id)
            .bind(new.name)
            .bind(new.mobile)
            .bind(new.id_number)
            .bind(tail4(new.mobile))
            .bind(new.id_number.map(tail4))
            .bind(&now)
            .fetch_one(&mut **tx)
            .await?;
            id
        }
    };
    let (occupancy_id,): (i64,) = sqlx::query_as(
        "insert into occupancy (house_id, resident_id, role, start_date, created_at) values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(house_id)
    .bind(resident_id)
    .bind(new.role)
    .bind(new.start_date)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?;
    Ok((resident_id, occupancy_id))
}

/// (estate id, start date, end date) of an occupancy.
pub async fn occupancy(
    tx: &mut Tx,
    id: i64,
) -> sqlx::Result<Option<(i64, String, Option<String>)>> {
    sqlx::query_as(
        "select h.estate_id, o.start_date, o.end_date from occupancy o join house h on h.id = o.house_id where o.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn end_occupancy(tx: &mut Tx, id: i64, end_date: &str) -> sqlx::Result<u64> {
    let done = sqlx::query("update occupancy set end_date = $1 where id = $2 and end_date is null")
        .bind(end_date)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

pub async fn change_status(
    tx: &mut Tx,
    house_id: i64,
    from: &str,
    to: &str,
    reason: &str,
    by: i64,
) -> sqlx::Result<()> {
    sqlx::query("update house set status = $1 where id = $2")
        .bind(to)
        .bind(house_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "insert into house_status_change (house_id, from_status, to_status, changed_at, changed_by, reason) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(house_id)
    .bind(from)
    .bind(to)
    .bind(time::now())
    .bind(by)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What [`ensure_occupant`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ensured {
    /// The person already lives there in that role: nothing written.
    Existing,
    Linked {
        new_resident: bool,
    },
}

/// Like [`add_occupant`], but a person already linked to the house in that
/// role is left as is (an import run twice writes nothing the second time).
pub async fn ensure_occupant(
    tx: &mut Tx,
    estate_id: i64,
    house_id: i64,
    new: &NewOccupant<'_>,
) -> sqlx::Result<Ensured> {
    let existing = find_resident(tx, estate_id, new).await?;
    if let Some(resident_id) = existing {
        let open: Option<(i64,)> = sqlx::query_as(
            "select id from occupancy where house_id = $1 and resident_id = $2 and role = $3 and end_date is null",
        )
        .bind(house_id)
        .bind(resident_id)
        .bind(new.role)
        .fetch_optional(&mut **tx)
        .await?;
        if open.is_some() {
            return Ok(Ensured::Existing);
        }
    }
    add_occupant(tx, estate_id, house_id, new).await?;
    Ok(Ensured::Linked {
        new_resident: existing.is_none(),
    })
}

/// The building with this code, created (named "<code>栋") if new.
pub async fn ensure_building(tx: &mut Tx, estate_id: i64, code: &str) -> sqlx::Result<i64> {
    let found: Option<(i64,)> =
        sqlx::query_as("select id from building where estate_id = $1 and code = $2")
            .bind(estate_id)
            .bind(code)
            .fetch_optional(&mut **tx)
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
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Records an import attempt (with its report) and returns its id.
///
/// The raw rows are personal data in clear (full mobiles and ID numbers), kept
/// only for a rejected import's report: an accepted import never stores them,
/// and accepting one clears the rows of the same uploader's earlier rejected
/// imports of the estate (the file was fixed). Every attempt also clears rows
/// older than `REPORT_KEEP_DAYS` (the report route refuses those even before).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn record_import(
    tx: &mut Tx,
    estate_id: i64,
    file_name: &str,
    sha256: &str,
    imported: bool,
    row_count: usize,
    counts: super::import::Counts,
    problems: &[super::ImportProblem],
    rows: &[super::import::RawRow],
    by: Option<i64>,
) -> sqlx::Result<i64> {
    let now = time::now();
    let kept_rows = if imported {
        "[]".to_string()
    } else {
        serde_json::to_string(rows).unwrap_or_else(|_| "[]".into())
    };
    let (id,): (i64,) = sqlx::query_as(
        "insert into import_batch (estate_id, file_name, file_sha256, status, row_count, houses, residents, \
         occupancies, unchanged, problems, rows, created_by, created_at, rows_cleared_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id",
    )
    .bind(estate_id)
    .bind(file_name)
    .bind(sha256)
    .bind(if imported { "imported" } else { "rejected" })
    .bind(row_count as i64)
    .bind(counts.houses)
    .bind(counts.residents)
    .bind(counts.occupancies)
    .bind(counts.unchanged)
    .bind(serde_json::to_string(problems).unwrap_or_default())
    .bind(kept_rows)
    .bind(by)
    .bind(&now)
    .bind(imported.then(|| now.clone()))
    .fetch_one(&mut **tx)
    .await?;
    if imported {
        // Only the uploader's own: a colleague's file says nothing about
        // whether mine was fixed (theirs age out with the 7 days).
        sqlx::query(
            "update import_batch set rows = '[]', rows_cleared_at = $1 \
             where estate_id = $2 and created_by = $3 and status = 'rejected' \
               and rows_cleared_at is null",
        )
        .bind(&now)
        .bind(estate_id)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    }
    clear_expired_import_rows(&mut **tx).await?;
    Ok(id)
}

/// Clears the rows of imports older than `REPORT_KEEP_DAYS`; returns how many
/// were cleared. Run by every import and once when the server starts, so rows
/// stored before a quiet week do not outlive their time.
pub async fn clear_expired_import_rows<'e>(ex: impl AnyExecutor<'e>) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update import_batch set rows = '[]', rows_cleared_at = $1 \
         where rows_cleared_at is null and created_at < $2",
    )
    .bind(time::now())
    .bind(report_cutoff())
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Rejected imports created before this have no report any more.
fn report_cutoff() -> String {
    time::to_db(chrono::Utc::now() - chrono::Duration::days(super::import::REPORT_KEEP_DAYS))
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    estate_id: i64,
    estate_name: String,
    file_name: String,
    status: String,
    row_count: i64,
    houses: i64,
    residents: i64,
    occupancies: i64,
    unchanged: i64,
    problems: String,
    created_at: String,
}

const IMPORT_COLUMNS: &str = "b.id, b.estate_id, e.name as estate_name, b.file_name, b.status, \
     b.row_count, b.houses, b.residents, b.occupancies, b.unchanged, b.problems, b.created_at";

impl ImportRow {
    fn into_summary(self) -> super::ImportSummary {
        super::ImportSummary {
            id: self.id,
            estate_id: self.estate_id,
            estate_name: self.estate_name,
            file_name: self.file_name,
            status: self.status,
            row_count: self.row_count,
            houses: self.houses,
            residents: self.residents,
            occupancies: self.occupancies,
            unchanged: self.unchanged,
            problems: serde_json::from_str(&self.problems).unwrap_or_default(),
            created_at: self.created_at,
        }
    }
}

/// An import's summary (what the import page shows: counts and problems, no
/// raw rows). The second value is always empty: the rows are only read for
/// the report, by [`import_report`].
pub async fn import_batch(
    pool: &AnyPool,
    id: i64,
) -> sqlx::Result<Option<(super::ImportSummary, Vec<super::import::RawRow>)>> {
    let row: Option<ImportRow> = sqlx::query_as(&format!(
        "select {IMPORT_COLUMNS} from import_batch b join estate e on e.id = b.estate_id where b.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.into_summary(), Vec::new())))
}

/// A rejected import whose report can still be made: who uploaded it, and its rows as read.
pub struct ImportReport {
    pub summary: super::ImportSummary,
    pub uploaded_by: Option<i64>,
    pub rows: Vec<super::import::RawRow>,
}

#[derive(sqlx::FromRow)]
struct ImportReportRow {
    #[sqlx(flatten)]
    batch: ImportRow,
    created_by: Option<i64>,
    rows: String,
}

/// The report of import `id`, if it has one: a rejected import whose rows are
/// still kept (see [`record_import`]). An accepted import has none.
pub async fn import_report(pool: &AnyPool, id: i64) -> sqlx::Result<Option<ImportReport>> {
    let row: Option<ImportReportRow> = sqlx::query_as(&format!(
        "select {IMPORT_COLUMNS}, b.created_by, b.rows from import_batch b \
         join estate e on e.id = b.estate_id \
         where b.id = $1 and b.status = 'rejected' and b.rows_cleared_at is null and b.created_at >= $2"
    ))
    .bind(id)
    .bind(report_cutoff())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ImportReport {
        summary: r.batch.into_summary(),
        uploaded_by: r.created_by,
        rows: serde_json::from_str(&r.rows).unwrap_or_default(),
    }))
}

/// One line of the house export: a house and one current occupant (if any).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub number: String,
    pub building_name: String,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: String,
    pub status: String,
    pub name: Option<String>,
    pub mobile: Option<String>,
    pub id_number: Option<String>,
    pub role: Option<String>,
    pub start_date: Option<String>,
}

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

/// A resident's editable fields (unmasked: server only).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentFields {
    pub estate_id: i64,
    pub name: String,
    pub mobile: String,
    pub id_number: Option<String>,
    pub notes: String,
}

impl ResidentFields {
    /// For the audit log: personal data masked there too.
    pub fn masked_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "mobile": mask_mobile(&self.mobile),
            "id_number": self.id_number.as_deref().map(mask_id_number),
            "notes": self.notes,
        })
    }
}

pub async fn resident_for_update(tx: &mut Tx, id: i64) -> sqlx::Result<Option<ResidentFields>> {
    sqlx::query_as("select estate_id, name, mobile, id_number, notes from resident where id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

fn tail4(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

pub async fn update_resident(tx: &mut Tx, id: i64, r: &ResidentFields) -> sqlx::Result<()> {
    sqlx::query(
        "update resident set name = $1, mobile = $2, id_number = $3, notes = $4, mobile_tail = $5, id_tail = $6 \
         where id = $7",
    )
    .bind(&r.name)
    .bind(&r.mobile)
    .bind(r.id_number.as_deref())
    .bind(&r.notes)
    .bind(tail4(&r.mobile))
    .bind(r.id_number.as_deref().map(tail4))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct NewHouse<'a> {
    pub estate_id: i64,
    pub building_id: i64,
    pub number: &'a str,
    pub entrance: i64,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: &'a str,
    pub status: &'a str,
}

pub async fn insert_house(tx: &mut Tx, h: &NewHouse<'_>) -> sqlx::Result<i64> {
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
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A page of an estate's residents, by name, with their current houses.
pub async fn resident_list(
    pool: &AnyPool,
    scope: &EstateScope,
    estate_id: i64,
    page: i64,
) -> sqlx::Result<super::ResidentList> {
    let (estates, estate_id) = scoped_estates(pool, scope, estate_id).await?;
    let (total,): (i64,) = sqlx::query_as("select count(*) from resident where estate_id = $1")
        .bind(estate_id)
        .fetch_one(pool)
        .await?;
    let people: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(&format!(
        "select id, name, mobile, id_number from resident where estate_id = $1 order by name, id limit {HOUSE_PAGE_SIZE} offset {}",
        super::rules::page_window(page, total, HOUSE_PAGE_SIZE).1
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let ids = people
        .iter()
        .map(|p| p.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let links: Vec<(i64, String, String)> = if ids.is_empty() {
        Vec::new()
    } else {
        // Ids of the page just read, not input.
        sqlx::query_as(&format!(
            "select o.resident_id, h.number, o.role from occupancy o join house h on h.id = o.house_id \
             where o.end_date is null and o.resident_id in ({ids}) order by h.number"
        ))
        .fetch_all(pool)
        .await?
    };
    let rows = people
        .into_iter()
        .map(|(id, name, mobile, id_number)| super::ResidentRow {
            id,
            name,
            mobile_masked: mask_mobile(&mobile),
            id_number_masked: id_number.as_deref().map(mask_id_number),
            houses: links
                .iter()
                .filter(|l| l.0 == id)
                .map(|l| (l.1.clone(), l.2.clone()))
                .collect(),
        })
        .collect();
    Ok(super::ResidentList {
        estates,
        estate_id,
        rows,
        total,
    })
}

/// The resident export: one line per current occupancy (or one without).
pub async fn resident_export_rows(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<ExportRow>> {
    sqlx::query_as(
        "select coalesce(h.number, '') as number, coalesce(b.name, '') as building_name, coalesce(h.floor, 0) as floor, \
           coalesce(h.area_centi, 0) as area_centi, coalesce(h.use_kind, '') as use_kind, coalesce(h.status, '') as status, \
           r.name, r.mobile, r.id_number, o.role, o.start_date \
         from resident r \
         left join occupancy o on o.resident_id = r.id and o.end_date is null \
         left join house h on h.id = o.house_id \
         left join building b on b.id = h.building_id \
         where r.estate_id = $1 order by r.name, r.id, h.number",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await
}

/// (estate id, area, use) of a house.
pub async fn house_facts(tx: &mut Tx, id: i64) -> sqlx::Result<Option<(i64, i64, String)>> {
    sqlx::query_as("select estate_id, area_centi, use_kind from house where id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn update_house(
    tx: &mut Tx,
    id: i64,
    area_centi: i64,
    use_kind: &str,
) -> sqlx::Result<()> {
    sqlx::query("update house set area_centi = $1, use_kind = $2 where id = $3")
        .bind(area_centi)
        .bind(use_kind)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
