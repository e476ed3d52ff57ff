//! Move-ins' SQL: the reads of the list and the case page here; the writes
//! by workflow — [`case`] (opening a case and saving each step), [`complete`]
//! (the one transaction that moves the resident in) and [`template`] (the
//! estate's checklist and agreements).

pub mod case;
pub mod complete;
pub mod template;

use sqlx::AnyPool;

use crate::billing::rules::centi_text;
use crate::common::personal::{mask_id_number, mask_mobile};
use crate::common::{Caller, EstateScope};
use crate::db::{scoped_estates, time};
use crate::error::AppError;
use crate::estate::{HouseStatus, OccupancyRole};
use crate::moves::rules::{self, Done};
use crate::moves::{
    AgreementLine, CabinetKey, CaseList, CasePage, CaseRow, CaseStatus, CheckLine, Finding,
    Identity, MeterLine,
};
use crate::ui::desk_minute;

/// A move-in row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct CaseDb {
    pub id: i64,
    pub estate_id: i64,
    pub house_id: i64,
    pub status: CaseStatus,
    pub name: String,
    pub mobile: String,
    pub id_number: Option<String>,
    pub role: Option<OccupancyRole>,
    pub title_no: String,
    pub lease_start: Option<String>,
    pub lease_end: Option<String>,
    pub owner_consent: i64,
    pub handover_on: Option<String>,
    pub identity_at: Option<String>,
    pub inspection_at: Option<String>,
    pub inspection_on_paper: i64,
    pub readings_at: Option<String>,
    pub keys_count: Option<i64>,
    pub keys_at: Option<String>,
    pub agreements_at: Option<String>,
    pub opened_at: String,
    pub completed_at: Option<String>,
    pub occupancy_id: Option<i64>,
    pub cancelled_reason: String,
}

pub(crate) const CASE_COLUMNS: &str = "id, estate_id, house_id, status, name, mobile, id_number, role, \
    title_no, lease_start, lease_end, owner_consent, handover_on, identity_at, inspection_at, \
    inspection_on_paper, readings_at, keys_count, keys_at, agreements_at, opened_at, completed_at, \
    occupancy_id, cancelled_reason";

impl CaseDb {
    pub fn done(&self) -> Done {
        Done {
            identity: self.identity_at.is_some(),
            inspection: self.inspection_at.is_some(),
            readings: self.readings_at.is_some(),
            keys: self.keys_at.is_some(),
            agreements: self.agreements_at.is_some(),
        }
    }
}

/// A case by id, as stored.
pub(crate) async fn case_row<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Option<CaseDb>> {
    sqlx::query_as(&format!("select {CASE_COLUMNS} from move_in where id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// A case the caller may see: in one of their estates, else not found.
pub(crate) async fn visible_case(
    pool: &AnyPool,
    caller: &Caller,
    id: i64,
) -> Result<CaseDb, AppError> {
    let case = case_row(pool, id).await?.ok_or(AppError::NotFound)?;
    caller.check_estate(case.estate_id)?;
    Ok(case)
}

/// The open move-ins of an estate, and the last ones completed.
pub async fn list(pool: &AnyPool, scope: &EstateScope, estate_id: i64) -> sqlx::Result<CaseList> {
    let (estates, estate_id) = scoped_estates(pool, scope, estate_id).await?;
    let rows: Vec<CaseDb> = sqlx::query_as(&format!(
        "select {CASE_COLUMNS} from move_in where estate_id = $1 and status = 'open' order by id"
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let done: Vec<CaseDb> = sqlx::query_as(&format!(
        "select {CASE_COLUMNS} from move_in where estate_id = $1 and status = 'completed' \
         order by completed_at desc, id desc limit 20"
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let numbers = house_numbers(pool, rows.iter().chain(&done).map(|c| c.house_id)).await?;
    let to_row = |c: CaseDb| CaseRow {
        id: c.id,
        house_id: c.house_id,
        house_number: numbers
            .iter()
            .find(|(id, _)| *id == c.house_id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default(),
        missing: rules::missing(c.done()),
        name: c.name,
        role: c.role,
        opened_at: desk_minute(c.completed_at.as_deref().unwrap_or(&c.opened_at)),
    };
    Ok(CaseList {
        estates,
        estate_id,
        open: rows.into_iter().map(to_row).collect(),
        done: done.into_iter().map(to_row).collect(),
    })
}

async fn house_numbers(
    pool: &AnyPool,
    ids: impl Iterator<Item = i64>,
) -> sqlx::Result<Vec<(i64, String)>> {
    let ids: Vec<String> = ids.map(|i| i.to_string()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(&format!(
        "select id, number from house where id in ({})",
        ids.join(",")
    ))
    .fetch_all(pool)
    .await
}

/// The open move-in of a house, if any.
pub async fn open_case_of<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("select id from move_in where house_id = $1 and status = 'open'")
            .bind(house_id)
            .fetch_optional(ex)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// The checklist a case is inspected against: the estate's live template,
/// and any item the case already recorded (retired since).
async fn checklist(pool: &AnyPool, case: &CaseDb) -> sqlx::Result<Vec<CheckLine>> {
    #[derive(sqlx::FromRow)]
    struct Line {
        item_id: i64,
        room: String,
        item: String,
        finding: Option<Finding>,
        note: Option<String>,
        ticket_id: Option<i64>,
    }
    let lines: Vec<Line> = sqlx::query_as(
        "select i.id as item_id, i.room, i.item, c.result as finding, c.note, c.ticket_id \
         from inspection_item i left join move_in_check c on c.item_id = i.id and c.move_in_id = $1 \
         where i.estate_id = $2 and (i.retired_at is null or c.move_in_id is not null) \
         order by i.position, i.id",
    )
    .bind(case.id)
    .bind(case.estate_id)
    .fetch_all(pool)
    .await?;
    Ok(lines
        .into_iter()
        .map(|l| CheckLine {
            item_id: l.item_id,
            room: l.room,
            item: l.item,
            finding: l.finding,
            note: l.note.unwrap_or_default(),
            ticket_id: l.ticket_id,
        })
        .collect())
}

/// The page of a case.
pub async fn page(pool: &AnyPool, caller: &Caller, id: i64) -> Result<CasePage, AppError> {
    let c = visible_case(pool, caller, id).await?;
    let (estate_name, house_number, area_centi, house_status): (String, String, i64, HouseStatus) =
        sqlx::query_as(
            "select e.name, h.number, h.area_centi, h.status from house h join estate e on e.id = h.estate_id \
             where h.id = $1",
        )
        .bind(c.house_id)
        .fetch_one(pool)
        .await?;
    let owners: Vec<(String,)> = sqlx::query_as(
        "select r.name from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.role in ('owner', 'co_owner') and o.end_date is null order by o.id",
    )
    .bind(c.house_id)
    .fetch_all(pool)
    .await?;
    let checklist = checklist(pool, &c).await?;
    let items = crate::billing::db::metered_items(pool, c.estate_id).await?;
    let taken: Vec<(i64, i64)> = sqlx::query_as(
        "select fee_item_id, reading_centi from move_in_reading where move_in_id = $1",
    )
    .bind(c.id)
    .fetch_all(pool)
    .await?;
    let mut meters = Vec::new();
    for item in items {
        let last = crate::billing::db::last_reading(pool, c.house_id, item.id).await?;
        meters.push(MeterLine {
            fee_item_id: item.id,
            name: item.name,
            last: last.map(centi_text).unwrap_or_default(),
            reading: taken
                .iter()
                .find(|(i, _)| *i == item.id)
                .map(|(_, r)| centi_text(*r))
                .unwrap_or_default(),
        });
    }
    let cabinet_keys = crate::keys::db::owner::unhanded_in_cabinet(pool, c.house_id)
        .await?
        .into_iter()
        .map(|(copy_id, tag, hook)| CabinetKey { copy_id, tag, hook })
        .collect();
    let agreements: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "select k.id, k.name, a.signed_on from agreement_kind k \
         left join move_in_agreement a on a.agreement_id = k.id and a.move_in_id = $1 \
         where k.estate_id = $2 and (k.retired_at is null or a.move_in_id is not null) order by k.position, k.id",
    )
    .bind(c.id)
    .bind(c.estate_id)
    .fetch_all(pool)
    .await?;
    let names: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "select o.display_name, d.display_name from move_in m join account o on o.id = m.opened_by \
         left join account d on d.id = m.completed_by where m.id = $1",
    )
    .bind(c.id)
    .fetch_all(pool)
    .await?;
    let (opened_by, completed_by) = names.into_iter().next().unwrap_or_default();
    let resident_id = match c.occupancy_id {
        Some(o) => sqlx::query_as::<_, (i64,)>("select resident_id from occupancy where id = $1")
            .bind(o)
            .fetch_optional(pool)
            .await?
            .map(|(r,)| r),
        None => None,
    };
    let identity = match (c.identity_at.is_some(), c.role) {
        (true, Some(role)) => Some(Identity {
            name: c.name.clone(),
            mobile_masked: mask_mobile(&c.mobile),
            id_masked: c.id_number.as_deref().map(mask_id_number).unwrap_or_default(),
            role,
            title_no: c.title_no.clone(),
            lease_start: c.lease_start.clone().unwrap_or_default(),
            lease_end: c.lease_end.clone().unwrap_or_default(),
            owner_consent: c.owner_consent != 0,
            handover_on: c.handover_on.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    let minute = |t: &Option<String>| t.as_deref().map(desk_minute).unwrap_or_default();
    Ok(CasePage {
        id: c.id,
        estate_id: c.estate_id,
        estate_name,
        house_id: c.house_id,
        house_number,
        area_centi,
        house_status,
        status: c.status,
        identity,
        owners: owners.into_iter().map(|(n,)| n).collect(),
        checklist,
        inspection_at: minute(&c.inspection_at),
        inspection_on_paper: c.inspection_on_paper != 0,
        meters,
        readings_at: minute(&c.readings_at),
        cabinet_keys,
        keys_count: c.keys_count,
        keys_at: minute(&c.keys_at),
        agreements: agreements
            .into_iter()
            .map(|(id, name, signed_on)| AgreementLine {
                id,
                name,
                signed_on: signed_on.unwrap_or_default(),
            })
            .collect(),
        agreements_at: minute(&c.agreements_at),
        missing: rules::missing(c.done()),
        opened_by: opened_by.unwrap_or_default(),
        opened_at: desk_minute(&c.opened_at),
        completed_by: completed_by.unwrap_or_default(),
        completed_at: minute(&c.completed_at),
        resident_id,
        cancelled_reason: c.cancelled_reason.clone(),
        today: time::desk_today(),
    })
}
