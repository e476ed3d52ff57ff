//! Server functions of the register and the desk's search. Staff of the desk
//! only (clerks, managers, admins), and only for the estates they work for:
//! each checks the record's estate before it reads or writes further. The
//! checks of what was typed are [`super::rules`]'; the SQL is [`super::db`]'s.

use leptos::prelude::*;

use super::search::SearchHit;
use super::{HouseDetail, HouseFilter, HouseList, ImportSummary, ResidentDetail, ResidentList};
use crate::common::Choice;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::db::{self as register, NewHouse, NewOccupant, ResidentFields},
    super::rules::{self, FieldProblem},
    super::PersonalField,
    crate::common::{AccountId, AuditAction, AuditEntity, EstateId, HouseId, Lang, Permission},
    crate::db::audit::Change,
    crate::db::{LockOn, OnUnique},
    crate::guard::guarded,
    crate::i18n::{refused, tr},
    serde_json::json,
};

/// One refused field, in the caller's language.
#[cfg(feature = "ssr")]
fn refused_field(lang: Lang, (field, key): FieldProblem) -> AppError {
    AppError::field(field, tr(lang, key))
}

/// The estates the caller works for, to import into.
#[server(endpoint = "desk_estates")]
pub async fn desk_estates() -> Result<Vec<Choice>, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let (estates, _) = crate::db::scoped_estates(call.pool(), &call.caller.scope, 0).await?;
        Ok(estates)
    })
    .await
}

#[server(endpoint = "list_houses")]
pub async fn list_houses(filter: HouseFilter) -> Result<HouseList, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(register::house_list(call.pool(), &call.caller.scope, &filter).await?)
    })
    .await
}

#[server(endpoint = "get_house")]
pub async fn get_house(id: i64) -> Result<HouseDetail, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let mut house = register::house_detail(call.pool(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(house.estate_id)?;
        house.may_correct = call.may(Permission::CorrectRegister);
        Ok(house)
    })
    .await
}

#[server(endpoint = "get_resident")]
pub async fn get_resident(id: i64) -> Result<ResidentDetail, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let resident = register::resident_detail(call.pool(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(resident.estate_id)?;
        Ok(resident)
    })
    .await
}

/// The full mobile or ID number of a resident, for the desk; every reveal is audited.
#[server(endpoint = "reveal_resident_field")]
pub async fn reveal_resident_field(id: i64, field: String) -> Result<String, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        // A field that is no personal data is no record: not found.
        let field = PersonalField::parse(&field).ok_or(AppError::NotFound)?;
        register::reveal_field(call.pool(), &call.actor(), id, field, |estate| {
            call.caller.check_estate(estate)
        })
        .await
    })
    .await
}

/// The desk's search box, as you type.
// A read on every keystroke: a GET (idempotent; answers are `no-store`, as all of /api).
#[server(endpoint = "desk_search", input = leptos::server_fn::codec::GetUrl)]
pub async fn desk_search(q: String) -> Result<Vec<SearchHit>, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let plan = super::search::plan(&q);
        let hits = register::search(call.pool(), &call.caller.scope, &plan).await?;
        // The keys of the houses it names best, and a key's own tag.
        let houses: Vec<i64> = hits
            .iter()
            .filter(|h| h.kind == super::search::HitKind::House && h.rank <= 1)
            .map(|h| h.id)
            .collect();
        let keys =
            crate::keys::db::for_search(call.pool(), &call.caller.scope, &q, &houses).await?;
        Ok(super::search::with_keys(call.lang(), hits, keys))
    })
    .await
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
    guarded(Permission::UseDesk, move |call| async move {
        let lang = call.lang();
        let o = rules::check_occupant(&name, &mobile, &id_number, &role, &start_date)
            .map_err(|problems| refused(lang, problems))?;
        let house_id = HouseId(house_id);
        let mut w = call.write().await?;
        let (estate_id, _) = register::house_estate(&mut *w, house_id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(estate_id.get())?;
        let new = NewOccupant {
            name: &o.name,
            mobile: &o.mobile,
            id_number: o.id_number.as_deref(),
            role: o.role,
            start_date: &o.start_date,
        };
        let (resident_id, occupancy_id) = register::add_occupant(&mut w, estate_id, house_id, &new)
            .await
            .on_unique(|| AppError::Conflict(tr(lang, "register.already_linked")))?;
        w.audit(
            Change::new(AuditAction::Create, AuditEntity::Occupancy)
                .id(occupancy_id)
                .estate(estate_id.get())
                .after(json!({
                    "house_id": house_id, "resident_id": resident_id, "role": o.role,
                    "start_date": o.start_date, "name": o.name,
                    "mobile": crate::common::personal::mask_mobile(&o.mobile),
                })),
        )
        .await?;
        w.commit().await?;
        Ok(occupancy_id)
    })
    .await
}

/// Ends an occupancy on a date; it stays in the history.
#[server(endpoint = "end_occupancy")]
pub async fn end_occupancy(occupancy_id: i64, end_date: String) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let lang = call.lang();
        if !rules::is_day(&end_date) {
            return Err(refused_field(lang, ("end_date", "register.invalid.date")));
        }
        let mut w = call.write().await?;
        let (estate_id, start, end) = register::occupancy(&mut *w, occupancy_id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(estate_id.get())?;
        if end.is_some() {
            return Err(AppError::Conflict(tr(lang, "register.already_ended")));
        }
        rules::check_end(&start, &end_date).map_err(|p| refused_field(lang, p))?;
        register::end_occupancy(&mut w, occupancy_id, &end_date).await?;
        w.audit(
            Change::new(AuditAction::End, AuditEntity::Occupancy)
                .id(occupancy_id)
                .estate(estate_id.get())
                .before(json!({ "end_date": null }))
                .after(json!({ "end_date": end_date })),
        )
        .await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

/// A manager's correction of a house's status by hand, effective on a day
/// (not in the future, not before the house's latest change) and with a
/// reason; the change joins its history. Status changes in the normal course
/// come from move-in and move-out, which keep to the lifecycle
/// ([`rules::lifecycle_allows`]); a correction may leave it.
#[server(endpoint = "change_house_status")]
pub async fn change_house_status(
    house_id: i64,
    status: String,
    effective_on: String,
    reason: String,
) -> Result<(), AppError> {
    guarded(Permission::CorrectRegister, move |call| async move {
        let lang = call.lang();
        let house_id = HouseId(house_id);
        let mut w = call.write().await?;
        w.lock(LockOn::House(house_id.get())).await?;
        let (estate_id, from) = register::house_estate(&mut *w, house_id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(estate_id.get())?;
        let latest = register::latest_effective_on(&mut *w, house_id).await?;
        let fix = rules::check_correction(
            from,
            &status,
            &effective_on,
            &reason,
            &crate::db::time::desk_today(),
            latest.as_deref(),
        )
        .map_err(|problems| refused(lang, problems))?;
        let by = AccountId(call.caller.account_id);
        let (to, on) = (fix.to, fix.effective_on.as_str());
        if !register::change_status(&mut w, house_id, from, to, on, &fix.reason, by).await? {
            return Err(AppError::Conflict(tr(lang, "register.status_moved_on")));
        }
        w.audit(
            Change::new(AuditAction::ChangeStatus, AuditEntity::House)
                .id(house_id)
                .estate(estate_id.get())
                .before(json!({ "status": from }))
                .after(json!({ "status": to, "effective_on": on, "reason": fix.reason })),
        )
        .await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

/// An import's report, for the desk.
#[server(endpoint = "get_import")]
pub async fn get_import(id: i64) -> Result<ImportSummary, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let summary = register::import_batch(call.pool(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(summary.estate_id)?;
        Ok(summary)
    })
    .await
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
    guarded(Permission::UseDesk, move |call| async move {
        let lang = call.lang();
        let fix = rules::check_resident_correction(&name, &mobile, &id_number, &notes)
            .map_err(|problems| refused(lang, problems))?;
        let mut w = call.write().await?;
        let before = register::resident_for_update(&mut *w, id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(before.estate_id.get())?;
        let after = ResidentFields {
            estate_id: before.estate_id,
            name: fix.name,
            mobile: fix.mobile.unwrap_or_else(|| before.mobile.clone()),
            id_number: fix.id_number.or_else(|| before.id_number.clone()),
            notes: fix.notes,
        };
        register::update_resident(&mut w, id, &after)
            .await
            .on_unique(|| AppError::field("id_number", tr(lang, "register.id_taken")))?;
        w.audit(
            Change::new(AuditAction::Update, AuditEntity::Resident)
                .id(id)
                .estate(before.estate_id.get())
                .before(before.masked_json())
                .after(after.masked_json()),
        )
        .await?;
        w.commit().await?;
        Ok(())
    })
    .await
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
    guarded(Permission::UseDesk, move |call| async move {
        let lang = call.lang();
        call.caller.check_estate(estate_id)?;
        let h = rules::check_new_house(&number, &area, &use_kind, &status)
            .map_err(|problems| refused(lang, problems))?;
        let estate = EstateId(estate_id);
        let mut w = call.write().await?;
        let building_id = register::ensure_building(&mut w, estate, &h.building).await?;
        let new = NewHouse {
            estate_id: estate,
            building_id,
            number: &h.number,
            entrance: h.entrance,
            floor: h.floor,
            area_centi: h.area_centi,
            use_kind: h.use_kind,
            status: h.status,
        };
        let house_id = register::insert_house(&mut w, &new)
            .await
            .on_unique(|| AppError::field("number", tr(lang, "register.number_taken")))?;
        w.audit(
            Change::new(AuditAction::Create, AuditEntity::House)
                .id(house_id)
                .estate(estate_id)
                .after(json!({
                    "number": h.number, "area_centi": h.area_centi,
                    "use_kind": h.use_kind, "status": h.status,
                })),
        )
        .await?;
        w.commit().await?;
        Ok(house_id)
    })
    .await
}

#[server(endpoint = "list_residents")]
pub async fn list_residents(estate_id: i64, page: i64) -> Result<ResidentList, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let estate = EstateId(estate_id);
        Ok(register::resident_list(call.pool(), &call.caller.scope, estate, page).await?)
    })
    .await
}

/// Corrects a house's gross floor area or use (the number stays: it is the
/// house's identity in every record).
#[server(endpoint = "update_house")]
pub async fn update_house(id: i64, area: String, use_kind: String) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let lang = call.lang();
        let (area_centi, use_kind) = rules::check_house_facts(&area, &use_kind)
            .map_err(|problems| refused(lang, problems))?;
        let id = HouseId(id);
        let mut w = call.write().await?;
        let (estate_id, before_area, before_use) = register::house_facts(&mut *w, id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(estate_id.get())?;
        register::update_house(&mut w, id, area_centi, use_kind).await?;
        w.audit(
            Change::new(AuditAction::Update, AuditEntity::House)
                .id(id)
                .estate(estate_id.get())
                .before(json!({ "area_centi": before_area, "use_kind": before_use }))
                .after(json!({ "area_centi": area_centi, "use_kind": use_kind })),
        )
        .await?;
        w.commit().await?;
        Ok(())
    })
    .await
}
