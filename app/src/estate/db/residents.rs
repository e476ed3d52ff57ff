//! Residents: the resident list and page (personal data masked), the one
//! audited way to reveal a mobile or ID number in full, corrections of a
//! resident's details, and the resident export.

use sqlx::{AnyExecutor, AnyPool};

use super::houses::ExportRow;
use super::occupancies::occupancies_where;
use super::tail4;
use crate::common::personal::{mask_id_number, mask_mobile};
use crate::common::{AuditAction, AuditEntity, EstateId, EstateScope};
use crate::db::audit::{self, Actor, Change};
use crate::db::{scoped_estates, Write};
use crate::error::AppError;
use crate::estate::rules::page_window;
use crate::estate::{
    OccupancyRole, PersonalField, ResidentDetail, ResidentList, ResidentRow, HOUSE_PAGE_SIZE,
};

#[derive(sqlx::FromRow)]
struct ResidentHead {
    id: i64,
    estate_id: i64,
    estate_name: String,
    name: String,
    mobile: String,
    id_number: Option<String>,
    notes: String,
}

pub async fn resident_detail(pool: &AnyPool, id: i64) -> sqlx::Result<Option<ResidentDetail>> {
    let row: Option<ResidentHead> = sqlx::query_as(
        "select r.id, r.estate_id, e.name as estate_name, r.name, r.mobile, r.id_number, r.notes \
         from resident r join estate e on e.id = r.estate_id where r.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let occupancies = occupancies_where(pool, "o.resident_id", id).await?;
    Ok(Some(ResidentDetail {
        id: r.id,
        estate_id: r.estate_id,
        estate_name: r.estate_name,
        name: r.name,
        mobile_masked: mask_mobile(&r.mobile),
        id_number_masked: r.id_number.as_deref().map(mask_id_number),
        notes: r.notes,
        occupancies,
    }))
}

/// The full value of one personal-data field, and the resident's estate.
pub async fn resident_field<'e>(
    ex: impl AnyExecutor<'e>,
    id: i64,
    field: PersonalField,
) -> sqlx::Result<Option<(EstateId, Option<String>)>> {
    let column = match field {
        PersonalField::Mobile => "mobile",
        PersonalField::IdNumber => "id_number",
    };
    sqlx::query_as(&format!(
        "select estate_id, {column} from resident where id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Reveals one personal-data field of a resident in full, recording the
/// reveal in the operation log — the one way the desk and the portal show a
/// whole mobile or ID number. `check` decides, from the resident's estate,
/// whether this caller may see it; nothing is recorded if it refuses. A
/// reveal writes nothing else, so its entry is recorded on its own.
pub async fn reveal_field(
    pool: &AnyPool,
    actor: &Actor,
    resident_id: i64,
    field: PersonalField,
    check: impl FnOnce(i64) -> Result<(), AppError>,
) -> Result<String, AppError> {
    let (estate_id, value) = resident_field(pool, resident_id, field)
        .await?
        .ok_or(AppError::NotFound)?;
    check(estate_id.get())?;
    let value = value.ok_or(AppError::NotFound)?;
    let action = match field {
        PersonalField::Mobile => AuditAction::RevealMobile,
        PersonalField::IdNumber => AuditAction::RevealIdNumber,
    };
    let change = Change::new(action, AuditEntity::Resident)
        .id(resident_id)
        .estate(estate_id.get());
    audit::record(pool, actor, change).await?;
    Ok(value)
}

/// A resident's editable fields (unmasked: server only).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentFields {
    pub estate_id: EstateId,
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

pub async fn resident_for_update<'e>(
    ex: impl AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Option<ResidentFields>> {
    sqlx::query_as("select estate_id, name, mobile, id_number, notes from resident where id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Writes a resident's details; an ID number another resident of the
/// estate has is a unique violation.
pub async fn update_resident(w: &mut Write, id: i64, r: &ResidentFields) -> sqlx::Result<()> {
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
    .execute(&mut **w)
    .await?;
    Ok(())
}

/// A page of an estate's residents, by name, with their current houses.
/// `estate` is the one asked for; the list shows it if the caller sees it,
/// else their first (see [`scoped_estates`]).
pub async fn resident_list(
    pool: &AnyPool,
    scope: &EstateScope,
    estate: EstateId,
    page: i64,
) -> sqlx::Result<ResidentList> {
    let (estates, estate_id) = scoped_estates(pool, scope, estate.get()).await?;
    let (total,): (i64,) = sqlx::query_as("select count(*) from resident where estate_id = $1")
        .bind(estate_id)
        .fetch_one(pool)
        .await?;
    let people: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(&format!(
        "select id, name, mobile, id_number from resident where estate_id = $1 \
         order by name, id limit {HOUSE_PAGE_SIZE} offset {}",
        page_window(page, total, HOUSE_PAGE_SIZE).1
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let ids = people
        .iter()
        .map(|p| p.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let links: Vec<(i64, String, OccupancyRole)> = if ids.is_empty() {
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
        .map(|(id, name, mobile, id_number)| ResidentRow {
            id,
            name,
            mobile_masked: mask_mobile(&mobile),
            id_number_masked: id_number.as_deref().map(mask_id_number),
            houses: links
                .iter()
                .filter(|l| l.0 == id)
                .map(|l| (l.1.clone(), l.2))
                .collect(),
        })
        .collect();
    Ok(ResidentList {
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
           coalesce(h.area_centi, 0) as area_centi, h.use_kind, h.status, \
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
