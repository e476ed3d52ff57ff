//! Completing a move-in: one transaction that links the resident to the
//! house (the occupancy, from the handover day), starts billing (the house's
//! status, effective on the handover day, which pro-rating reads) and writes
//! the opening meter readings of a house never read. Refused, with the steps
//! still missing listed, until every step is done; two clerks completing the
//! same case: one succeeds.

use super::case::{has_owner, open_write};
use crate::billing::db::{last_reading, record_opening};
use crate::billing::OpeningSource;
use crate::common::{AccountId, AuditAction, AuditEntity, Caller, HouseId, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, OnUnique};
use crate::error::AppError;
use crate::estate::db::{self as register, NewOccupant};
use crate::estate::HouseStatus;
use crate::i18n::{tr, I18n};
use crate::moves::rules;

/// Completes the case; returns the occupancy it created.
pub async fn complete(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
) -> Result<i64, AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id).await?;
    let missing = rules::missing(case.done());
    if !missing.is_empty() {
        let steps: Vec<String> = missing.iter().map(|s| tr(lang, s.key())).collect();
        return Err(AppError::Rule(I18n(lang).f(
            "moves.refused.missing",
            &[("steps", &steps.join("、"))],
        )));
    }
    let (Some(role), Some(handover_on)) = (case.role, case.handover_on.clone()) else {
        return Err(AppError::internal("identity saved without role or day"));
    };
    // A case saved on an earlier day: its handover day must be set to today.
    if handover_on != time::desk_today() {
        return Err(AppError::Rule(I18n(lang).f(
            "moves.refused.handover_not_today",
            &[("day", &handover_on)],
        )));
    }
    let (status,): (HouseStatus,) = sqlx::query_as("select status from house where id = $1")
        .bind(case.house_id)
        .fetch_one(&mut *w)
        .await?;
    // The house may have changed since the identity step (another move-in).
    rules::check_house(role, status, has_owner(&mut w, case.house_id).await?)
        .map_err(|key| AppError::Rule(tr(lang, key)))?;
    // A sale: the seller's move-out completes here, in this write, so the
    // house passes from one owner to the next without ever having none.
    let sale = crate::moves::out::db::case::open_sale(&mut w, case.house_id).await?;
    if let Some(sale) = &sale {
        if role != crate::estate::OccupancyRole::Owner {
            return Err(AppError::Rule(tr(lang, "moves.refused.sale_owner_first")));
        }
        // The seller owns the house to the buyer's handover (the day before,
        // if the buyer came after the sale was billed).
        let ends_on = match (sale.move_out_on.as_deref(), chrono::NaiveDate::parse_from_str(&handover_on, "%Y-%m-%d")) {
            (Some(out), Ok(h)) if out < handover_on.as_str() => {
                Some(crate::db::time::date_to_db(h - chrono::Duration::days(1)))
            }
            _ => None,
        };
        crate::moves::out::db::case::complete_in(&mut w, caller, lang, sale, ends_on)
            .await
            .map_err(|e| match e {
                AppError::Rule(m) | AppError::Conflict(m) => AppError::Rule(I18n(lang).f(
                    "moves.refused.sale_not_ready",
                    &[("case", &sale.id.to_string()), ("why", &m)],
                )),
                other => other,
            })?;
    }
    let house = HouseId(case.house_id);
    let estate = crate::common::EstateId(case.estate_id);
    let new = NewOccupant {
        name: &case.name,
        mobile: &case.mobile,
        id_number: case.id_number.as_deref(),
        role,
        start_date: &handover_on,
    };
    let (resident_id, occupancy_id) = register::add_occupant(&mut w, estate, house, &new)
        .await
        .on_unique(|| AppError::Conflict(tr(lang, "register.already_linked")))?;
    if let Some(to) = rules::status_after(role, status) {
        if !crate::estate::rules::lifecycle_allows(status, to) {
            return Err(AppError::internal("a move-in's status outside the lifecycle"));
        }
        let reason = I18n(lang).f("moves.status_reason", &[("case", &case.id.to_string())]);
        // Effective on the handover day: billing counts from it.
        let changed = register::change_status(
            &mut w,
            house,
            status,
            to,
            &handover_on,
            &reason,
            AccountId(caller.account_id),
        )
        .await?;
        if !changed {
            return Err(AppError::Conflict(tr(lang, "register.status_moved_on")));
        }
    }
    // A house never read starts its meters here: the move-in's reading is the
    // opening billing counts the first period from. A house read before (an
    // earlier occupant) keeps its meter history; the reading stays on the case.
    let readings: Vec<(i64, i64)> = sqlx::query_as(
        "select fee_item_id, reading_centi from move_in_reading where move_in_id = $1 order by fee_item_id",
    )
    .bind(case.id)
    .fetch_all(&mut *w)
    .await?;
    let mut openings = 0;
    for (item, reading) in readings {
        match last_reading(&mut *w, case.house_id, item).await? {
            None => {
                record_opening(
                    &mut w,
                    lang,
                    case.house_id,
                    item,
                    reading,
                    &handover_on,
                    OpeningSource::MoveIn,
                    Some(caller.account_id),
                )
                .await?;
                openings += 1;
            }
            // Read since the readings step: checked again, below is refused.
            Some(last) if reading < last => {
                return Err(AppError::Rule(tr(lang, "moves.refused.reading_moved_on")));
            }
            Some(_) => {}
        }
    }
    let done = sqlx::query(
        // The resident's record holds the ID number now: the case keeps no copy.
        "update move_in set status = 'completed', completed_by = $1, completed_at = $2, occupancy_id = $3, \
           id_number = null \
         where id = $4 and status = 'open'",
    )
    .bind(caller.account_id)
    .bind(time::now())
    .bind(occupancy_id)
    .bind(case.id)
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "moves.refused.not_open")));
    }
    w.audit(
        Change::new(AuditAction::CompleteMoveIn, AuditEntity::MoveIn)
            .id(case.id)
            .estate(case.estate_id)
            .after(serde_json::json!({
                "house_id": case.house_id, "resident_id": resident_id, "occupancy_id": occupancy_id,
                "role": role, "handover_on": handover_on, "status": rules::status_after(role, status),
                "openings": openings,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(occupancy_id)
}

/// Issues the portal activation code of a completed move-in's resident, for
/// the printed sheet (shown once; issuing again voids the earlier code).
pub async fn issue_code(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
) -> Result<crate::moves::PortalCode, AppError> {
    let case = super::visible_case(&db.pool, caller, id).await?;
    let Some(occupancy) = case.occupancy_id else {
        return Err(AppError::Rule(tr(lang, "moves.refused.complete_first")));
    };
    let mut w = db.write(actor.clone()).await?;
    let (resident_id, mobile): (i64, String) = sqlx::query_as(
        "select r.id, r.mobile from occupancy o join resident r on r.id = o.resident_id \
         where o.id = $1 and o.end_date is null",
    )
    .bind(occupancy)
    .fetch_optional(&mut *w)
    .await?
    .ok_or_else(|| AppError::Rule(tr(lang, "moves.refused.moved_out")))?;
    let issued = crate::auth::activation::issue_in(
        &mut w,
        resident_id,
        case.estate_id,
        crate::auth::ActivationPurpose::MoveIn,
        caller.account_id,
    )
    .await?;
    w.commit().await?;
    Ok(crate::moves::PortalCode {
        code: crate::auth::activation::display_code(&issued.code),
        expires: issued.expires_at,
        mobile_masked: crate::common::personal::mask_mobile(&mobile),
    })
}
