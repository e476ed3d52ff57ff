//! Goods-release passes' SQL: issuing one for a move-out, the printed sheet,
//! the gate's check and its use (one guarded update: a pass is used once),
//! revoking one.

use sqlx::AnyPool;

use super::{verdict, PassRow, PassSheet, PassStatus, Verdict};
use crate::common::{AuditAction, AuditEntity, Caller, Lang, Permission};
use crate::db::audit::{Actor, Change};
use crate::db::LockOn;
use crate::db::{time, Database};
use crate::error::AppError;
use crate::i18n::tr;
use crate::moves::out::db::{case_row, settlement, staff_name, OutDb};
use crate::moves::out::rules;
use crate::moves::CaseStatus;
use crate::ui::desk_minute;

#[derive(sqlx::FromRow)]
struct PassDb {
    id: i64,
    estate_id: i64,
    house_id: i64,
    move_out_id: Option<i64>,
    pass_no: String,
    person_name: String,
    items: String,
    plate: String,
    valid_on: String,
    token: String,
    status: PassStatus,
    issued_by: Option<i64>,
    issued_at: Option<String>,
    approved_by: Option<i64>,
    used_at: Option<String>,
    used_by: Option<i64>,
}

const COLUMNS: &str =
    "id, estate_id, house_id, move_out_id, pass_no, person_name, items, plate, valid_on, \
    token, status, issued_by, issued_at, approved_by, used_at, used_by";

fn row(p: &PassDb, approved_by: String) -> PassRow {
    PassRow {
        id: p.id,
        pass_no: p.pass_no.clone(),
        person_name: p.person_name.clone(),
        items: p.items.clone(),
        plate: p.plate.clone(),
        valid_on: p.valid_on.clone(),
        verdict: verdict(p.status, &p.valid_on, &time::desk_today()),
        approved_by,
    }
}

/// The passes of a move-out, newest first.
pub async fn of_case(
    conn: &mut sqlx::AnyConnection,
    move_out_id: i64,
) -> sqlx::Result<Vec<PassRow>> {
    let passes: Vec<PassDb> = sqlx::query_as(&format!(
        "select {COLUMNS} from release_pass where move_out_id = $1 order by id desc"
    ))
    .bind(move_out_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut rows = Vec::new();
    for p in &passes {
        let approved = staff_name(&mut *conn, p.approved_by).await?;
        rows.push(row(p, approved));
    }
    Ok(rows)
}

/// The fields refused (field, message key), in the caller's language.
fn refused_fields(lang: Lang, problems: Vec<(&str, &str)>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|(f, k)| crate::error::FieldError {
                field: f.to_string(),
                message: tr(lang, k),
            })
            .collect(),
    )
}

/// Issues a pass for today to a move-out's household: only once the
/// settlement owes nothing (or a manager overrode it) — else only a manager,
/// whose approval is recorded with what was owed.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    move_out_id: i64,
    person_name: &str,
    items: &str,
    plate: &str,
) -> Result<i64, AppError> {
    let person = person_name.trim();
    let items = items.trim();
    let plate = plate.trim().to_uppercase();
    let mut problems = Vec::new();
    if person.is_empty() || person.chars().count() > 40 {
        problems.push(("person_name", "moves.pass.invalid.person"));
    }
    if items.is_empty() || items.chars().count() > 500 {
        problems.push(("items", "moves.pass.invalid.items"));
    }
    if plate.chars().count() > 12 {
        problems.push(("plate", "moves.pass.invalid.plate"));
    }
    if !problems.is_empty() {
        return Err(refused_fields(lang, problems));
    }
    let (mut w, case, owes, due) = issuing_write(db, actor, caller, lang, move_out_id).await?;
    let approved_by = if owes { Some(caller.account_id) } else { None };
    let s_due = due;
    let now = time::now();
    let today = time::desk_today();
    let token = crate::security::random_token();
    let (id,): (i64,) = sqlx::query_as(
        "insert into release_pass (estate_id, house_id, move_out_id, pass_no, person_name, items, plate, valid_on, \
                                   token, status, issued_by, issued_at, approved_by, owed_fen, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $4, 'issued', $9, $10, $11, $12, $10) returning id",
    )
    .bind(case.estate_id)
    .bind(case.house_id)
    .bind(case.id)
    .bind(&token)
    .bind(person)
    .bind(items)
    .bind(&plate)
    .bind(&today)
    .bind(caller.account_id)
    .bind(&now)
    .bind(approved_by)
    .bind(if owes { s_due } else { 0 })
    .fetch_one(&mut *w)
    .await?;
    // The number a guard reads out: the day and the pass's id.
    let pass_no = format!("FX{}-{id:04}", today.replace('-', ""));
    sqlx::query("update release_pass set pass_no = $1 where id = $2")
        .bind(&pass_no)
        .bind(id)
        .execute(&mut *w)
        .await?;
    w.audit(
        Change::new(AuditAction::IssueReleasePass, AuditEntity::ReleasePass)
            .id(id)
            .estate(case.estate_id)
            .after(serde_json::json!({
                "move_out_id": case.id, "pass_no": pass_no, "items": items, "plate": plate,
                "approved_by": approved_by, "owed_fen": if owes { s_due } else { 0 },
            })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// A write on a move-out a pass may be issued for — open, or completed
/// today; never cancelled — with whether the house still owes, and how much
/// (then only a manager issues, and is recorded as approving).
async fn issuing_write(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    move_out_id: i64,
) -> Result<(crate::db::Write, OutDb, bool, i64), AppError> {
    let first = case_row(&db.pool, move_out_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.check_estate(first.estate_id)?;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(first.house_id)).await?;
    let case: OutDb = case_row(&mut *w, move_out_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // While the case is open, or on the day it completed: a pass is for the move.
    let completed_today = case
        .completed_at
        .as_deref()
        .is_some_and(|at| crate::ui::desk_time(at).starts_with(&time::desk_today()));
    if !(case.status == CaseStatus::Open
        || (case.status == CaseStatus::Completed && completed_today))
    {
        return Err(AppError::Rule(tr(lang, "moves.pass.refused.not_now")));
    }
    let (s, _) = settlement(&mut w, lang, &case).await?;
    let owes = !rules::settled(case.billed_at.is_some(), s.due_fen, case.override_fen);
    if owes && !caller.may(Permission::ApproveMoney) {
        return Err(AppError::Rule(tr(lang, "moves.pass.refused.owed")));
    }
    Ok((w, case, owes, s.due_fen))
}

async fn sheet_of(pool: &AnyPool, p: PassDb) -> Result<PassSheet, AppError> {
    let (estate_name, house_number): (String, String) = sqlx::query_as(
        "select e.name, h.number from house h join estate e on e.id = h.estate_id where h.id = $1",
    )
    .bind(p.house_id)
    .fetch_one(pool)
    .await?;
    let check_path = format!("/desk/passes/check/{}", p.token);
    Ok(PassSheet {
        pass: row(&p, staff_name(pool, p.approved_by).await?),
        estate_name,
        house_number,
        issued_by: staff_name(pool, p.issued_by).await?,
        issued_at: p.issued_at.as_deref().map(desk_minute).unwrap_or_default(),
        qr_svg: String::new(),
        check_path,
        used_at: p.used_at.as_deref().map(desk_minute).unwrap_or_default(),
        used_by: staff_name(pool, p.used_by).await?,
        move_out_id: p.move_out_id,
    })
}

/// The printed pass, by id, for the desk of its estate.
pub async fn sheet(pool: &AnyPool, caller: &Caller, id: i64) -> Result<PassSheet, AppError> {
    let p: PassDb = sqlx::query_as(&format!("select {COLUMNS} from release_pass where id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.check_estate(p.estate_id)?;
    sheet_of(pool, p).await
}

/// The pass a scanned token names, if any.
async fn by_token(pool: &AnyPool, token: &str) -> sqlx::Result<Option<PassDb>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from release_pass where token = $1"
    ))
    .bind(token.trim())
    .fetch_optional(pool)
    .await
}

/// The gate's check of a scanned pass: what it says, without changing it.
/// A token that matches no pass (forged, mistyped) is `Unknown`; a pass of
/// an estate the caller does not work in is not shown.
pub async fn check(
    pool: &AnyPool,
    caller: &Caller,
    token: &str,
) -> Result<Option<PassSheet>, AppError> {
    let Some(p) = by_token(pool, token).await? else {
        return Ok(None);
    };
    if caller.check_estate(p.estate_id).is_err() {
        return Ok(None);
    }
    Ok(Some(sheet_of(pool, p).await?))
}

/// The gate lets the goods out (放行): the pass is used, once. Refused with
/// the verdict's words when it is not valid now.
pub async fn use_pass(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    token: &str,
) -> Result<(), AppError> {
    let Some(p) = by_token(&db.pool, token)
        .await?
        .filter(|p| caller.check_estate(p.estate_id).is_ok())
    else {
        return Err(AppError::Rule(tr(lang, Verdict::Unknown.key())));
    };
    let today = time::desk_today();
    let v = verdict(p.status, &p.valid_on, &today);
    if v != Verdict::Valid {
        return Err(AppError::Rule(tr(lang, v.key())));
    }
    let mut w = db.write(actor.clone()).await?;
    // Two guards scanning the same pass at once: one lets it out.
    let done = sqlx::query(
        "update release_pass set status = 'used', used_at = $1, used_by = $2 \
         where id = $3 and status = 'issued' and valid_on = $4",
    )
    .bind(time::now())
    .bind(caller.account_id)
    .bind(p.id)
    .bind(&today)
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, Verdict::Used.key())));
    }
    w.audit(
        Change::new(AuditAction::UseReleasePass, AuditEntity::ReleasePass)
            .id(p.id)
            .estate(p.estate_id)
            .after(serde_json::json!({ "pass_no": p.pass_no })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// A resident asks for a pass in the portal (搬家放行申请): for one of their
/// houses, the goods, a plate and the day (today up to a week ahead). The
/// desk issues it from the house's move-out, by the same rule as its own.
#[allow(clippy::too_many_arguments)]
pub async fn request(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    house_id: i64,
    items: &str,
    plate: &str,
    valid_on: &str,
) -> Result<i64, AppError> {
    // Their own houses only: another house is not theirs to know of.
    if !caller.residences.iter().any(|r| r.house_id == house_id) {
        return Err(AppError::NotFound);
    }
    let items = items.trim();
    let plate = plate.trim().to_uppercase();
    let today = time::desk_today();
    let day = chrono::NaiveDate::parse_from_str(valid_on.trim(), "%Y-%m-%d").ok();
    let latest = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d")
        .map_err(AppError::internal)?
        + chrono::Duration::days(7);
    let mut problems = Vec::new();
    if items.is_empty() || items.chars().count() > 500 {
        problems.push(("items", "moves.pass.invalid.items"));
    }
    if plate.chars().count() > 12 {
        problems.push(("plate", "moves.pass.invalid.plate"));
    }
    if !day.is_some_and(|d| time::date_to_db(d) >= today && d <= latest) {
        problems.push(("valid_on", "moves.pass.invalid.day"));
    }
    if !problems.is_empty() {
        return Err(refused_fields(lang, problems));
    }
    let valid_on = day.map(time::date_to_db).unwrap_or_default();
    let (estate_id,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_one(&db.pool)
        .await?;
    // The person's record living in this house (one account may hold records in two estates).
    let resident_id =
        crate::auth::residence::acting_resident(&db.pool, caller.account_id, house_id, estate_id)
            .await?
            .ok_or(AppError::NotFound)?;
    let (name,): (String,) = sqlx::query_as("select name from resident where id = $1")
        .bind(resident_id)
        .fetch_one(&db.pool)
        .await?;
    let mut w = db.write(actor.clone()).await?;
    let token = crate::security::random_token();
    let now = time::now();
    let (id,): (i64,) = sqlx::query_as(
        "insert into release_pass (estate_id, house_id, pass_no, person_name, items, plate, valid_on, token, status, \
                                   requested_by_resident, requested_at, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $3, 'requested', $8, $9, $9) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    .bind(&token)
    .bind(name.trim())
    .bind(items)
    .bind(&plate)
    .bind(&valid_on)
    .bind(resident_id)
    .bind(&now)
    .fetch_one(&mut *w)
    .await?;
    let pass_no = format!("FX{}-{id:04}", valid_on.replace('-', ""));
    sqlx::query("update release_pass set pass_no = $1 where id = $2")
        .bind(&pass_no)
        .bind(id)
        .execute(&mut *w)
        .await?;
    w.audit(
        Change::new(AuditAction::RequestReleasePass, AuditEntity::ReleasePass)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({ "house_id": house_id, "pass_no": pass_no, "valid_on": valid_on })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// The passes of the resident's houses since each occupancy began, newest first.
pub async fn portal_passes(pool: &AnyPool, caller: &Caller) -> Result<Vec<PassRow>, AppError> {
    let mut rows = Vec::new();
    let mut conn = pool.acquire().await?;
    for r in &caller.residences {
        let passes: Vec<PassDb> = sqlx::query_as(&format!(
            "select {COLUMNS} from release_pass where house_id = $1 and created_at >= $2 order by id desc"
        ))
        .bind(r.house_id)
        .bind(&r.from)
        .fetch_all(&mut *conn)
        .await?;
        // No staff names in the portal.
        rows.extend(passes.iter().map(|p| row(p, String::new())));
    }
    Ok(rows)
}

/// The residents' requests waiting at a house (shown on its move-out).
pub async fn requests_of_house(
    conn: &mut sqlx::AnyConnection,
    house_id: i64,
) -> sqlx::Result<Vec<PassRow>> {
    // Those still to come, by someone who lives there (or leaves today).
    let passes: Vec<PassDb> = sqlx::query_as(&format!(
        "select {COLUMNS} from release_pass p where p.house_id = $1 and p.status = 'requested' and p.valid_on >= $2 \
           and exists (select 1 from occupancy o where o.house_id = p.house_id \
                 and o.resident_id = p.requested_by_resident and (o.end_date is null or o.end_date >= $2)) \
         order by p.id"
    ))
    .bind(house_id)
    .bind(time::desk_today())
    .fetch_all(&mut *conn)
    .await?;
    Ok(passes.iter().map(|p| row(p, String::new())).collect())
}

/// The desk issues a resident's request from the house's move-out `move_out_id`,
/// by the rule of [`issue`] (nothing owed, or a manager).
pub async fn issue_requested(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    move_out_id: i64,
    pass_id: i64,
) -> Result<(), AppError> {
    let (mut w, case, owes, due) = issuing_write(db, actor, caller, lang, move_out_id).await?;
    let approved_by = if owes { Some(caller.account_id) } else { None };
    // Issued on the moving day it asks for, as the desk's own passes are.
    let day: Option<(String,)> =
        sqlx::query_as("select valid_on from release_pass where id = $1 and house_id = $2")
            .bind(pass_id)
            .bind(case.house_id)
            .fetch_optional(&mut *w)
            .await?;
    match day {
        None => return Err(AppError::NotFound),
        Some((day,)) if day != time::desk_today() => {
            return Err(AppError::Rule(
                crate::i18n::I18n(lang).f("moves.pass.refused.not_the_day", &[("day", &day)]),
            ))
        }
        Some(_) => {}
    }
    let done = sqlx::query(
        "update release_pass set status = 'issued', move_out_id = $1, issued_by = $2, issued_at = $3, \
                approved_by = $4, owed_fen = $5 \
         where id = $6 and house_id = $7 and status = 'requested' \
           and exists (select 1 from occupancy o where o.house_id = release_pass.house_id \
                 and o.resident_id = release_pass.requested_by_resident \
                 and (o.end_date is null or o.end_date >= $8))",
    )
    .bind(case.id)
    .bind(caller.account_id)
    .bind(time::now())
    .bind(approved_by)
    .bind(if owes { due } else { 0 })
    .bind(pass_id)
    .bind(case.house_id)
    .bind(time::desk_today())
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(
            lang,
            "moves.pass.refused.not_requested",
        )));
    }
    w.audit(
        Change::new(AuditAction::IssueReleasePass, AuditEntity::ReleasePass)
            .id(pass_id)
            .estate(case.estate_id)
            .after(serde_json::json!({ "move_out_id": case.id, "requested": true, "approved_by": approved_by })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Revokes an issued pass (the household changed its plans, a mistake).
pub async fn revoke(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
) -> Result<(), AppError> {
    let (estate_id,): (i64,) = sqlx::query_as("select estate_id from release_pass where id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.check_estate(estate_id)?;
    let mut w = db.write(actor.clone()).await?;
    let done = sqlx::query(
        "update release_pass set status = 'revoked', revoked_at = $1, revoked_by = $2 \
         where id = $3 and status = 'issued'",
    )
    .bind(time::now())
    .bind(caller.account_id)
    .bind(id)
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(
            lang,
            "moves.pass.refused.not_issued",
        )));
    }
    w.audit(
        Change::new(AuditAction::RevokeReleasePass, AuditEntity::ReleasePass)
            .id(id)
            .estate(estate_id),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
