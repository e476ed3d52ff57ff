//! Server functions of the register and the desk's search. Staff of the desk
//! only (clerks, managers, admins), and only for the estates they work for.

use leptos::prelude::*;

use super::search::SearchHit;
use super::{HouseDetail, HouseFilter, HouseList, ResidentDetail};
use crate::error::AppError;

#[server(endpoint = "list_houses")]
pub async fn list_houses(filter: HouseFilter) -> Result<HouseList, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::db::house_list(&state.db.pool, &caller.scope, &filter)
            .await
            .map_err(AppError::from),
    )
}

#[server(endpoint = "get_house")]
pub async fn get_house(id: i64) -> Result<HouseDetail, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        let house = super::db::house_detail(&state.db.pool, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(house.estate_id)?;
        Ok(house)
    }
    .await;
    finish(result)
}

#[server(endpoint = "get_resident")]
pub async fn get_resident(id: i64) -> Result<ResidentDetail, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        let resident = super::db::resident_detail(&state.db.pool, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(resident.estate_id)?;
        Ok(resident)
    }
    .await;
    finish(result)
}

/// The full mobile or ID number of a resident, for the desk; every reveal is audited.
#[server(endpoint = "reveal_resident_field")]
pub async fn reveal_resident_field(id: i64, field: String) -> Result<String, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = super::db::reveal_field(&state.db.pool, &actor(&caller), id, &field, |estate| {
        caller.check_estate(estate)
    })
    .await;
    finish(result)
}

/// The desk's search box, as you type.
// A read on every keystroke: a GET (idempotent; answers are `no-store`, as all of /api).
#[server(endpoint = "desk_search", input = leptos::server_fn::codec::GetUrl)]
pub async fn desk_search(q: String) -> Result<Vec<SearchHit>, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let plan = super::search::plan(&q);
    finish(
        super::db::search(&state.db.pool, &caller.scope, &plan)
            .await
            .map_err(AppError::from),
    )
}

/// Links a (new or known) resident to a house: owner, co-owner, tenant or family.
#[server(endpoint = "add_occupant")]
pub async fn add_occupant(
    house_id: i64,
    name: String,
    mobile: String,
    id_number: String,
    role: String,
    start_date: String,
) -> Result<i64, AppError> {
    use super::rules;
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, Permission};
    use crate::error::FieldError;
    use crate::i18n::tr;

    let caller = authorize(Permission::UseDesk)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        let mut problems = Vec::new();
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 40 {
            problems.push(FieldError { field: "name".into(), message: tr(lang, "register.invalid.name") });
        }
        let mobile = rules::normalise_mobile(&mobile)
            .map_err(|e| problems.push(FieldError { field: "mobile".into(), message: tr(lang, e.key()) }))
            .ok();
        let id_number = if id_number.trim().is_empty() {
            None
        } else {
            rules::normalise_id_number(&id_number)
                .map_err(|e| problems.push(FieldError { field: "id_number".into(), message: tr(lang, e.key()) }))
                .ok()
        };
        if !super::OCCUPANCY_ROLES.contains(&role.as_str()) {
            problems.push(FieldError { field: "role".into(), message: tr(lang, "register.invalid.role") });
        }
        if chrono::NaiveDate::parse_from_str(&start_date, "%Y-%m-%d").is_err() {
            problems.push(FieldError { field: "start_date".into(), message: tr(lang, "register.invalid.date") });
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mobile = mobile.ok_or(AppError::Internal)?;
        let mut tx = state.db.begin_write().await?;
        let (estate_id, _) = super::db::house_estate(&mut tx, house_id).await?.ok_or(AppError::NotFound)?;
        caller.check_estate(estate_id)?;
        let new = super::db::NewOccupant {
            name: &name,
            mobile: &mobile,
            id_number: id_number.as_deref(),
            role: &role,
            start_date: &start_date,
        };
        let (resident_id, occupancy_id) = match super::db::add_occupant(&mut tx, estate_id, house_id, &new).await {
            Ok(ids) => ids,
            Err(e) if crate::db::is_unique_violation(&e) => {
                return Err(AppError::Conflict(tr(lang, "register.already_linked")));
            }
            Err(e) => return Err(e.into()),
        };
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: Some(estate_id),
                entity: crate::common::AuditEntity::Occupancy,
                entity_id: Some(occupancy_id.to_string()),
                action: crate::common::AuditAction::Create,
                before: None,
                after: Some(serde_json::json!({
                    "house_id": house_id, "resident_id": resident_id, "role": role, "start_date": start_date,
                    "name": name, "mobile": rules::mask_mobile(&mobile),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(occupancy_id)
    }
    .await;
    finish(result)
}

/// Ends an occupancy on a date; it stays in the history.
#[server(endpoint = "end_occupancy")]
pub async fn end_occupancy(occupancy_id: i64, end_date: String) -> Result<(), AppError> {
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, Permission};
    use crate::i18n::tr;

    let caller = authorize(Permission::UseDesk)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        if chrono::NaiveDate::parse_from_str(&end_date, "%Y-%m-%d").is_err() {
            return Err(AppError::field(
                "end_date",
                tr(lang, "register.invalid.date"),
            ));
        }
        let mut tx = state.db.begin_write().await?;
        let (estate_id, start, end) = super::db::occupancy(&mut tx, occupancy_id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(estate_id)?;
        if end.is_some() {
            return Err(AppError::Conflict(tr(lang, "register.already_ended")));
        }
        if end_date < start {
            return Err(AppError::field(
                "end_date",
                tr(lang, "register.invalid.end_before_start"),
            ));
        }
        super::db::end_occupancy(&mut tx, occupancy_id, &end_date).await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: Some(estate_id),
                entity: crate::common::AuditEntity::Occupancy,
                entity_id: Some(occupancy_id.to_string()),
                action: crate::common::AuditAction::End,
                before: Some(serde_json::json!({ "end_date": null })),
                after: Some(serde_json::json!({ "end_date": end_date })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    finish(result)
}

/// Changes a house's status; the change joins its history with the reason.
#[server(endpoint = "change_house_status")]
pub async fn change_house_status(
    house_id: i64,
    status: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, Permission};
    use crate::i18n::tr;

    let caller = authorize(Permission::UseDesk)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        if !super::HOUSE_STATUSES.contains(&status.as_str()) {
            return Err(AppError::field(
                "status",
                tr(lang, "register.invalid.status"),
            ));
        }
        let reason = reason.trim().chars().take(200).collect::<String>();
        let mut tx = state.db.begin_write().await?;
        let (estate_id, from) = super::db::house_estate(&mut tx, house_id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(estate_id)?;
        if from == status {
            return Err(AppError::field(
                "status",
                tr(lang, "register.invalid.same_status"),
            ));
        }
        super::db::change_status(
            &mut tx,
            house_id,
            &from,
            &status,
            &reason,
            caller.account_id,
        )
        .await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: Some(estate_id),
                entity: crate::common::AuditEntity::House,
                entity_id: Some(house_id.to_string()),
                action: crate::common::AuditAction::ChangeStatus,
                before: Some(serde_json::json!({ "status": from })),
                after: Some(serde_json::json!({ "status": status, "reason": reason })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    finish(result)
}

/// An import's report, for the desk.
#[server(endpoint = "get_import")]
pub async fn get_import(id: i64) -> Result<super::ImportSummary, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        let (summary, _) = super::db::import_batch(&state.db.pool, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(summary.estate_id)?;
        Ok(summary)
    }
    .await;
    finish(result)
}

/// Corrects a resident's details. Blank mobile or ID number keeps the current
/// one (the page only shows them masked).
#[server(endpoint = "update_resident")]
pub async fn update_resident(
    id: i64,
    name: String,
    mobile: String,
    id_number: String,
    notes: String,
) -> Result<(), AppError> {
    use super::rules;
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, Permission};
    use crate::error::FieldError;
    use crate::i18n::tr;

    let caller = authorize(Permission::UseDesk)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        let mut problems = Vec::new();
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 40 {
            problems.push(FieldError {
                field: "name".into(),
                message: tr(lang, "register.invalid.name"),
            });
        }
        let mobile = match mobile.trim() {
            "" => None,
            m => rules::normalise_mobile(m)
                .map_err(|e| {
                    problems.push(FieldError {
                        field: "mobile".into(),
                        message: tr(lang, e.key()),
                    })
                })
                .ok(),
        };
        let id_number = match id_number.trim() {
            "" => None,
            n => rules::normalise_id_number(n)
                .map_err(|e| {
                    problems.push(FieldError {
                        field: "id_number".into(),
                        message: tr(lang, e.key()),
                    })
                })
                .ok(),
        };
        let notes = notes.trim().chars().take(500).collect::<String>();
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = state.db.begin_write().await?;
        let before = super::db::resident_for_update(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(before.estate_id)?;
        let after = super::db::ResidentFields {
            estate_id: before.estate_id,
            name: name.clone(),
            mobile: mobile.unwrap_or_else(|| before.mobile.clone()),
            id_number: id_number.or_else(|| before.id_number.clone()),
            notes,
        };
        match super::db::update_resident(&mut tx, id, &after).await {
            Ok(()) => {}
            Err(e) if crate::db::is_unique_violation(&e) => {
                return Err(AppError::field("id_number", tr(lang, "register.id_taken")));
            }
            Err(e) => return Err(e.into()),
        }
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: Some(before.estate_id),
                entity: crate::common::AuditEntity::Resident,
                entity_id: Some(id.to_string()),
                action: crate::common::AuditAction::Update,
                before: Some(before.masked_json()),
                after: Some(after.masked_json()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    finish(result)
}

/// Adds one house to an estate (the building is created when new).
#[server(endpoint = "create_house")]
pub async fn create_house(
    estate_id: i64,
    number: String,
    area: String,
    use_kind: String,
    status: String,
) -> Result<i64, AppError> {
    use super::rules;
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, Permission};
    use crate::error::FieldError;
    use crate::i18n::tr;

    let caller = authorize(Permission::UseDesk)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        caller.check_estate(estate_id)?;
        let mut problems = Vec::new();
        let number = number.trim().to_ascii_uppercase();
        let parsed = rules::parse_house_number(&number)
            .map_err(|e| problems.push(FieldError { field: "number".into(), message: tr(lang, e.key()) }))
            .ok();
        let area = rules::parse_area(&area)
            .map_err(|e| problems.push(FieldError { field: "area".into(), message: tr(lang, e.key()) }))
            .ok();
        if !["residential", "commercial", "parking"].contains(&use_kind.as_str()) {
            problems.push(FieldError { field: "use_kind".into(), message: tr(lang, "import.invalid.use") });
        }
        if !super::HOUSE_STATUSES.contains(&status.as_str()) {
            problems.push(FieldError { field: "status".into(), message: tr(lang, "register.invalid.status") });
        }
        let (Some((building, entrance, floor)), Some(area_centi), true) = (parsed, area, problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let mut tx = state.db.begin_write().await?;
        let building_id = super::db::ensure_building(&mut tx, estate_id, &building).await?;
        let new = super::db::NewHouse {
            estate_id,
            building_id,
            number: &number,
            entrance,
            floor,
            area_centi,
            use_kind: &use_kind,
            status: &status,
        };
        let house_id = match super::db::insert_house(&mut tx, &new).await {
            Ok(id) => id,
            Err(e) if crate::db::is_unique_violation(&e) => {
                return Err(AppError::field("number", tr(lang, "register.number_taken")));
            }
            Err(e) => return Err(e.into()),
        };
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: Some(estate_id),
                entity: crate::common::AuditEntity::House,
                entity_id: Some(house_id.to_string()),
                action: crate::common::AuditAction::Create,
                before: None,
                after: Some(serde_json::json!({
                    "number": number, "area_centi": area_centi, "use_kind": use_kind, "status": status,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(house_id)
    }
    .await;
    finish(result)
}

#[server(endpoint = "list_residents")]
pub async fn list_residents(estate_id: i64, page: i64) -> Result<super::ResidentList, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::db::resident_list(&state.db.pool, &caller.scope, estate_id, page)
            .await
            .map_err(AppError::from),
    )
}

/// Corrects a house's gross floor area or use (the number stays: it is the
/// house's identity in every record).
#[server(endpoint = "update_house")]
pub async fn update_house(id: i64, area: String, use_kind: String) -> Result<(), AppError> {
    use super::rules;
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, Permission};
    use crate::error::FieldError;
    use crate::i18n::tr;

    let caller = authorize(Permission::UseDesk)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        let mut problems = Vec::new();
        let area = rules::parse_area(&area)
            .map_err(|e| {
                problems.push(FieldError {
                    field: "area".into(),
                    message: tr(lang, e.key()),
                })
            })
            .ok();
        if !["residential", "commercial", "parking"].contains(&use_kind.as_str()) {
            problems.push(FieldError {
                field: "use_kind".into(),
                message: tr(lang, "import.invalid.use"),
            });
        }
        let (Some(area_centi), true) = (area, problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let mut tx = state.db.begin_write().await?;
        let (estate_id, before_area, before_use) = super::db::house_facts(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(estate_id)?;
        super::db::update_house(&mut tx, id, area_centi, &use_kind).await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: Some(estate_id),
                entity: crate::common::AuditEntity::House,
                entity_id: Some(id.to_string()),
                action: crate::common::AuditAction::Update,
                before: Some(
                    serde_json::json!({ "area_centi": before_area, "use_kind": before_use }),
                ),
                after: Some(serde_json::json!({ "area_centi": area_centi, "use_kind": use_kind })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    finish(result)
}
