//! A move-out case and its steps, each saved in an audited write of its own:
//! opening it from the house page, who leaves and why, the final readings;
//! completing it in one transaction; cancelling it.

use super::{case_row, OutDb};
use crate::billing::rules::parse_reading;
use crate::common::{AccountId, AuditAction, AuditEntity, Caller, HouseId, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique, Write};
use crate::error::{AppError, FieldError};
use crate::estate::db as register;
use crate::estate::{HouseStatus, OccupancyRole};
use crate::i18n::{tr, I18n};
use crate::moves::out::{rules, OutKind, OutStep};
use crate::moves::CaseStatus;

/// Opens a write on an open case the caller may work: the house locked (after
/// the clerk's day when the write takes a payment), the case read inside it.
pub(crate) async fn open_write(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    clerk_day: bool,
) -> Result<(Write, OutDb), AppError> {
    let first = case_row(&db.pool, id).await?.ok_or(AppError::NotFound)?;
    caller.check_estate(first.estate_id)?;
    let mut w = db.write(actor.clone()).await?;
    // A payment locks the clerk's day before the house: the same order as the counter's.
    if clerk_day {
        w.lock(LockOn::ClerkDay(caller.account_id)).await?;
    }
    w.lock(LockOn::House(first.house_id)).await?;
    let case = case_row(&mut *w, id).await?.ok_or(AppError::NotFound)?;
    if case.status != CaseStatus::Open {
        return Err(AppError::Conflict(tr(lang, "moves.refused.not_open")));
    }
    Ok((w, case))
}

pub(crate) fn audit_step(case: &OutDb, step: OutStep, after: serde_json::Value) -> Change {
    Change::new(AuditAction::SaveMoveOutStep, AuditEntity::MoveOut)
        .id(case.id)
        .estate(case.estate_id)
        .after(serde_json::json!({ "step": step, "detail": after }))
}

/// Opens a move-out for a house (办理迁出), or finds the one open for it.
pub async fn open(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    house_id: i64,
) -> Result<i64, AppError> {
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(house_id)).await?;
    let (estate_id,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_optional(&mut *w)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.check_estate(estate_id)?;
    if let Some(id) = super::open_case_of(&mut *w, house_id).await? {
        return Ok(id);
    }
    let (living,): (i64,) = sqlx::query_as(
        "select count(*) from occupancy where house_id = $1 and end_date is null",
    )
    .bind(house_id)
    .fetch_one(&mut *w)
    .await?;
    if living == 0 {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.nobody_lives")));
    }
    let (id,): (i64,) = sqlx::query_as(
        "insert into move_out (estate_id, house_id, status, opened_by, opened_at) \
         values ($1, $2, 'open', $3, $4) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(caller.account_id)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::Conflict(tr(lang, "moves.refused.open_exists")))?;
    w.audit(
        Change::new(AuditAction::OpenMoveOut, AuditEntity::MoveOut)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({ "house_id": house_id })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Saves who leaves (occupancies of the house), why, and the buyer of a
/// sale; the move-out day is today. Settled once the settlement is billed.
pub async fn save_leaving(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    kind: &str,
    occupancy_ids: &[i64],
    buyer_name: &str,
) -> Result<(), AppError> {
    let kind = OutKind::parse(kind)
        .ok_or_else(|| AppError::field("kind", tr(lang, "moves.out.invalid.kind")))?;
    let buyer = buyer_name.trim();
    if buyer.chars().count() > 40 {
        return Err(AppError::field("buyer_name", tr(lang, "moves.out.invalid.buyer")));
    }
    let (mut w, case) = open_write(db, actor, caller, lang, id, false).await?;
    if case.billed_at.is_some() {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.billed")));
    }
    let living: Vec<(i64, OccupancyRole)> = sqlx::query_as(
        "select id, role from occupancy where house_id = $1 and end_date is null order by id",
    )
    .bind(case.house_id)
    .fetch_all(&mut *w)
    .await?;
    if occupancy_ids.iter().any(|o| !living.iter().any(|(id, _)| id == o)) {
        return Err(AppError::field("occupancy", tr(lang, "moves.out.invalid.not_living")));
    }
    let leaving: Vec<OccupancyRole> = living
        .iter()
        .filter(|(id, _)| occupancy_ids.contains(id))
        .map(|(_, r)| *r)
        .collect();
    let all: Vec<OccupancyRole> = living.iter().map(|(_, r)| *r).collect();
    rules::check_leaving(kind, &leaving, &all, !buyer.is_empty())
        .map_err(|key| AppError::field(if key == "moves.out.invalid.buyer" { "buyer_name" } else { "occupancy" }, tr(lang, key)))?;
    sqlx::query("delete from move_out_person where move_out_id = $1")
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    for (occupancy, _) in living.iter().filter(|(id, _)| occupancy_ids.contains(id)) {
        sqlx::query("insert into move_out_person (move_out_id, occupancy_id) values ($1, $2)")
            .bind(case.id)
            .bind(occupancy)
            .execute(&mut *w)
            .await?;
    }
    let today = time::desk_today();
    sqlx::query(
        "update move_out set kind = $1, buyer_name = $2, move_out_on = $3, leaving_at = $4 where id = $5",
    )
    .bind(kind)
    .bind(if kind == OutKind::Sale { buyer } else { "" })
    .bind(&today)
    .bind(time::now())
    .bind(case.id)
    .execute(&mut *w)
    .await?;
    w.audit(audit_step(
        &case,
        OutStep::Leaving,
        serde_json::json!({ "kind": kind, "occupancies": occupancy_ids, "move_out_on": today, "buyer": buyer }),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}

/// Saves the final readings, one per metered item the house was read on
/// (`readings`: fee item, typed reading). Each is refused below the last
/// reading, as field `reading_<item>`; settled once the settlement is billed.
pub async fn save_readings(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    readings: &[(i64, String)],
) -> Result<(), AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id, false).await?;
    if case.billed_at.is_some() {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.billed")));
    }
    let meters = super::meters(&mut w, &case).await?;
    let mut problems = Vec::new();
    let mut taken = Vec::new();
    for m in &meters {
        let field = format!("reading_{}", m.fee_item_id);
        let typed = readings
            .iter()
            .find(|(i, _)| *i == m.fee_item_id)
            .map(|(_, t)| t.trim())
            .unwrap_or("");
        let Some(reading) = parse_reading(typed) else {
            problems.push(FieldError {
                field,
                message: I18n(lang).f("moves.invalid.reading", &[("item", &m.name)]),
            });
            continue;
        };
        let last = parse_reading(&m.last).unwrap_or(0);
        if reading < last {
            problems.push(FieldError {
                field,
                message: I18n(lang).f("moves.invalid.reading_below", &[("item", &m.name), ("last", &m.last)]),
            });
            continue;
        }
        taken.push((m.fee_item_id, reading));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    sqlx::query("delete from move_out_reading where move_out_id = $1")
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    for (item, reading) in &taken {
        sqlx::query(
            "insert into move_out_reading (move_out_id, fee_item_id, reading_centi) values ($1, $2, $3)",
        )
        .bind(case.id)
        .bind(item)
        .bind(reading)
        .execute(&mut *w)
        .await?;
    }
    sqlx::query("update move_out set readings_at = $1 where id = $2")
        .bind(time::now())
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    w.audit(audit_step(&case, OutStep::Readings, serde_json::json!({ "readings": taken })))
        .await?;
    w.commit().await?;
    Ok(())
}

/// Completes the move-out in one transaction: the leavers' occupancies end
/// on the day (their portal reaches the house to that day), the house's
/// status follows, their entrusted-key authorisations and unused portal codes
/// end. Refused with the steps still missing listed — the settlement among
/// them while anything is owed and no manager overrode it.
pub async fn complete(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
) -> Result<(), AppError> {
    let (mut w, case) = open_write(db, actor, caller, lang, id, false).await?;
    // A sale hands the house from the seller to the buyer in one write, so it
    // never has no owner: it completes with the buyer's move-in.
    if case.kind == Some(OutKind::Sale) {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.sale_with_buyer")));
    }
    complete_in(&mut w, caller, lang, &case, None).await?;
    w.commit().await?;
    Ok(())
}

/// The open sale of a house, if any (its buyer's move-in completes it).
pub(crate) async fn open_sale(w: &mut Write, house_id: i64) -> sqlx::Result<Option<OutDb>> {
    let id: Option<(i64,)> = sqlx::query_as(
        "select id from move_out where house_id = $1 and status = 'open' and kind = 'sale'",
    )
    .bind(house_id)
    .fetch_optional(&mut **w)
    .await?;
    match id {
        Some((id,)) => super::case_row(&mut **w, id).await,
        None => Ok(None),
    }
}

/// [`complete`] inside the caller's write (a sale's, inside the buyer's
/// move-in); the caller commits. `ends_on`: the day the occupancies end when
/// not the move-out day (a buyer who came later: the seller owns the house
/// to the day before).
pub(crate) async fn complete_in(
    w: &mut Write,
    caller: &Caller,
    lang: Lang,
    case: &OutDb,
    ends_on: Option<String>,
) -> Result<(), AppError> {
    let case = case.clone();
    let occupants = super::occupants(w, &case).await?;
    let leaving: Vec<&crate::moves::out::Occupant> = occupants.iter().filter(|o| o.leaving).collect();
    let residents: Vec<i64> = leaving.iter().map(|o| o.resident_id).collect();
    let meters = super::meters(w, &case).await?;
    let (settlement, _) = super::settlement(w, lang, &case).await?;
    let (loans, entrusted) = super::keys(w, &case, &residents).await?;
    let missing = rules::missing(super::done(&case, &meters, &settlement, &loans, &entrusted));
    if !missing.is_empty() {
        let steps: Vec<String> = missing.iter().map(|s| tr(lang, s.key())).collect();
        let mut message = I18n(lang).f("moves.refused.missing", &[("steps", &steps.join("、"))]);
        if missing.contains(&OutStep::Settlement) && settlement.billed && settlement.due_fen > 0 {
            message.push_str(&I18n(lang).f(
                "moves.out.refused.owed",
                &[("amount", &crate::billing::fen_text(settlement.due_fen))],
            ));
        }
        return Err(AppError::Rule(message));
    }
    let (Some(kind), Some(day)) = (case.kind, case.move_out_on.clone()) else {
        return Err(AppError::internal("leaving saved without kind or day"));
    };
    // Billed on its day; completed then or later (a van delayed): the
    // occupancies end on the day billed to.
    let end = ends_on.unwrap_or_else(|| day.clone());
    // One ended by hand on the house page meanwhile has left already.
    for o in &leaving {
        register::end_occupancy(w, o.occupancy_id, &end).await?;
    }
    let (status,): (HouseStatus,) = sqlx::query_as("select status from house where id = $1")
        .bind(case.house_id)
        .fetch_one(&mut **w)
        .await?;
    let staying = occupants.iter().filter(|o| !o.leaving).map(|o| o.role).collect::<Vec<_>>();
    let after = rules::status_after(kind, status, &staying);
    if let Some(to) = after {
        if !crate::estate::rules::lifecycle_allows(status, to) {
            return Err(AppError::internal("a move-out's status outside the lifecycle"));
        }
        let reason = I18n(lang).f("moves.out.status_reason", &[("case", &case.id.to_string())]);
        let changed = register::change_status(
            w,
            HouseId(case.house_id),
            status,
            to,
            &day,
            &reason,
            AccountId(caller.account_id),
        )
        .await?;
        if !changed {
            return Err(AppError::Conflict(tr(lang, "register.status_moved_on")));
        }
    }
    let now = time::now();
    for resident in &residents {
        // Their say over the house's entrusted key ends with their occupancy.
        sqlx::query(
            "update key_authorisation set revoked_at = $1, revoked_by = $2 \
             where resident_id = $3 and revoked_at is null \
               and key_set_id in (select id from key_set where house_id = $4)",
        )
        .bind(&now)
        .bind(caller.account_id)
        .bind(resident)
        .bind(case.house_id)
        .execute(&mut **w)
        .await?;
        // A portal code not yet used would open a house they have left.
        sqlx::query(
            "update activation_code set revoked_at = $1 \
             where resident_id = $2 and estate_id = $3 and used_at is null and revoked_at is null",
        )
        .bind(&now)
        .bind(resident)
        .bind(case.estate_id)
        .execute(&mut **w)
        .await?;
    }
    let done = sqlx::query(
        "update move_out set status = 'completed', completed_by = $1, completed_at = $2 \
         where id = $3 and status = 'open'",
    )
    .bind(caller.account_id)
    .bind(&now)
    .bind(case.id)
    .execute(&mut **w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "moves.refused.not_open")));
    }
    w.audit(
        Change::new(AuditAction::CompleteMoveOut, AuditEntity::MoveOut)
            .id(case.id)
            .estate(case.estate_id)
            .after(serde_json::json!({
                "house_id": case.house_id, "kind": kind, "move_out_on": day,
                "occupancies": leaving.iter().map(|o| o.occupancy_id).collect::<Vec<_>>(),
                "status": after, "payment_id": case.payment_id,
                "override": (!case.override_reason.is_empty()).then(|| serde_json::json!({
                    "reason": case.override_reason, "owed_fen": case.override_fen,
                })),
            })),
    )
    .await?;
    Ok(())
}

/// Cancels an open move-out not yet billed, with a reason (the household
/// stays); its passes are revoked.
pub async fn cancel(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::field("reason", tr(lang, "moves.invalid.reason")));
    }
    let (mut w, case) = open_write(db, actor, caller, lang, id, false).await?;
    // Billed: the lines stand (they bill days and units that were billed
    // once, to the house) — only a manager calls the move off then.
    if case.billed_at.is_some() && !caller.may(crate::common::Permission::ApproveMoney) {
        return Err(AppError::Rule(tr(lang, "moves.out.refused.cancel_billed")));
    }
    // A final reading filed as next month's stays the house's: a later
    // move-out this month could not be billed. Such a case completes instead.
    if let Some(day) = case.move_out_on.as_deref() {
        let (later,): (i64,) = sqlx::query_as(
            "select count(*) from move_out_line m join bill_line l on l.id = m.line_id \
             where m.move_out_id = $1 and l.period > $2",
        )
        .bind(case.id)
        .bind(&day[..7])
        .fetch_one(&mut *w)
        .await?;
        if later > 0 {
            return Err(AppError::Rule(tr(lang, "moves.out.refused.cancel_next_month")));
        }
    }
    sqlx::query(
        "update release_pass set status = 'revoked', revoked_at = $1, revoked_by = $2 \
         where (move_out_id = $3 and status = 'issued') or (house_id = $4 and status = 'requested')",
    )
    .bind(time::now())
    .bind(caller.account_id)
    .bind(case.id)
    .bind(case.house_id)
    .execute(&mut *w)
    .await?;
    sqlx::query("update move_out set status = 'cancelled', cancelled_reason = $1 where id = $2")
        .bind(reason)
        .bind(case.id)
        .execute(&mut *w)
        .await?;
    w.audit(
        Change::new(AuditAction::CancelMoveOut, AuditEntity::MoveOut)
            .id(case.id)
            .estate(case.estate_id)
            .after(serde_json::json!({ "reason": reason })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
