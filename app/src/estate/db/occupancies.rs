//! Who lives where: the occupancies shown on the house and resident pages,
//! linking a person to a house (one record per person in an estate) and
//! ending an occupancy, which keeps it in the history.

use sqlx::AnyExecutor;

use super::tail4;
use crate::common::personal::mask_mobile;
use crate::common::{EstateId, HouseId};
use crate::db::{time, Write};
use crate::estate::{OccupancyRole, OccupancyView};

#[derive(sqlx::FromRow)]
struct OccupancyRow {
    id: i64,
    house_id: i64,
    house_number: String,
    resident_id: i64,
    resident_name: String,
    mobile: String,
    role: OccupancyRole,
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

/// The occupancies whose `column` (`o.house_id` or `o.resident_id`) is `id`:
/// current ones first (owners first), then the history, newest first.
pub(super) async fn occupancies_where<'e>(
    ex: impl AnyExecutor<'e>,
    column: &'static str,
    id: i64,
) -> sqlx::Result<Vec<OccupancyView>> {
    let rows: Vec<OccupancyRow> = sqlx::query_as(&format!(
        "select o.id, o.house_id, h.number as house_number, o.resident_id, \
           r.name as resident_name, r.mobile, o.role, o.start_date, o.end_date \
         from occupancy o join house h on h.id = o.house_id join resident r on r.id = o.resident_id \
         where {column} = $1 \
         order by case when o.end_date is null then 0 else 1 end, \
           case o.role when 'owner' then 0 when 'co_owner' then 1 when 'tenant' then 2 else 3 end, \
           o.start_date desc, o.id desc"
    ))
    .bind(id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub struct NewOccupant<'a> {
    pub name: &'a str,
    pub mobile: &'a str,
    pub id_number: Option<&'a str>,
    pub role: OccupancyRole,
    pub start_date: &'a str,
}

/// The estate's record of this person: the same ID number, or else the same
/// name and mobile — so one person keeps one record.
async fn find_resident<'e>(
    ex: impl AnyExecutor<'e>,
    estate_id: EstateId,
    new: &NewOccupant<'_>,
) -> sqlx::Result<Option<i64>> {
    let existing: Option<(i64,)> = match new.id_number {
        Some(id_number) => {
            sqlx::query_as("select id from resident where estate_id = $1 and id_number = $2")
                .bind(estate_id)
                .bind(id_number)
                .fetch_optional(ex)
                .await?
        }
        None => {
            sqlx::query_as(
                "select id from resident where estate_id = $1 and name = $2 and mobile = $3 \
                 order by id limit 1",
            )
            .bind(estate_id)
            .bind(new.name)
            .bind(new.mobile)
            .fetch_optional(ex)
            .await?
        }
    };
    Ok(existing.map(|(id,)| id))
}

/// Links a resident to a house (reusing the estate's record of the person).
/// Returns (resident id, occupancy id). The same person already living there
/// in the same role is a unique violation (the open-occupancy index).
pub async fn add_occupant(
    w: &mut Write,
    estate_id: EstateId,
    house_id: HouseId,
    new: &NewOccupant<'_>,
) -> sqlx::Result<(i64, i64)> {
    let existing = find_resident(&mut **w, estate_id, new).await?;
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
            .fetch_one(&mut **w)
            .await?;
            id
        }
    };
    let (occupancy_id,): (i64,) = sqlx::query_as(
        "insert into occupancy (house_id, resident_id, role, start_date, created_at) \
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(house_id)
    .bind(resident_id)
    .bind(new.role)
    .bind(new.start_date)
    .bind(&now)
    .fetch_one(&mut **w)
    .await?;
    Ok((resident_id, occupancy_id))
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
    w: &mut Write,
    estate_id: EstateId,
    house_id: HouseId,
    new: &NewOccupant<'_>,
) -> sqlx::Result<Ensured> {
    let existing = find_resident(&mut **w, estate_id, new).await?;
    if let Some(resident_id) = existing {
        let open: Option<(i64,)> = sqlx::query_as(
            "select id from occupancy where house_id = $1 and resident_id = $2 and role = $3 \
             and end_date is null",
        )
        .bind(house_id)
        .bind(resident_id)
        .bind(new.role)
        .fetch_optional(&mut **w)
        .await?;
        if open.is_some() {
            return Ok(Ensured::Existing);
        }
    }
    add_occupant(w, estate_id, house_id, new).await?;
    Ok(Ensured::Linked {
        new_resident: existing.is_none(),
    })
}

/// (estate, start date, end date) of an occupancy.
pub async fn occupancy<'e>(
    ex: impl AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Option<(EstateId, String, Option<String>)>> {
    sqlx::query_as(
        "select h.estate_id, o.start_date, o.end_date from occupancy o \
         join house h on h.id = o.house_id where o.id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Ends an open occupancy on `end_date`; returns how many it ended (0 when
/// it had ended already).
pub async fn end_occupancy(w: &mut Write, id: i64, end_date: &str) -> sqlx::Result<u64> {
    let done = sqlx::query("update occupancy set end_date = $1 where id = $2 and end_date is null")
        .bind(end_date)
        .bind(id)
        .execute(&mut **w)
        .await?;
    Ok(done.rows_affected())
}
