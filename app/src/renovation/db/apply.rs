//! A new application (装修申请): at the desk for one of the house's owners or
//! tenants, or in the portal by the resident themselves. Checked whole (the
//! prohibited items refused by their rule), written in one transaction with
//! its workers, its scope and the first event of its timeline.

use chrono::NaiveDate;

use super::*;
use crate::common::{AuditAction, AuditEntity};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique};

/// Files an application for `house_id` by `applicant_id` (at the desk: one
/// of the house's owners or tenants; in the portal: the caller's own record,
/// whatever the form says).
pub async fn apply(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    house_id: i64,
    applicant_id: i64,
    form: &rules::ApplicationForm,
) -> Result<i64, AppError> {
    let lang = caller.lang;
    let pool = &db.pool;
    let house: Option<(i64,)> = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_optional(pool)
        .await?;
    let (estate_id,) = house.ok_or(AppError::NotFound)?;
    let resident = caller.role == Role::Resident;
    if resident {
        if !caller.residences.iter().any(|r| r.house_id == house_id) {
            return Err(AppError::NotFound);
        }
    } else {
        caller.check_estate(estate_id)?;
    }
    let channel = if resident {
        Channel::Portal
    } else {
        Channel::Desk
    };
    let today =
        NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").map_err(AppError::internal)?;
    let scope = super::scope(db, estate_id, lang).await?;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::House(house_id)).await?;
    // Who applies, read inside the write (a move-out meanwhile is seen): at
    // the desk the one named; in the portal the caller's own best record in
    // the house, whatever the form says.
    let may = applicants(&mut *w, house_id, resident.then_some(caller.account_id)).await?;
    let chosen = if resident {
        may.first()
    } else {
        may.iter().find(|a| a.resident_id == applicant_id)
    };
    let (applicant_id, role) = match chosen {
        Some(a) => (a.resident_id, Some(a.role)),
        None => (applicant_id, None),
    };
    let mut problems = Vec::new();
    match role {
        None => problems.push(rules::Problem {
            field: "applicant".into(),
            key: "renovation.invalid.applicant",
            args: Vec::new(),
        }),
        Some(role) => {
            if let Err(p) = rules::check_applicant(role, &form.owner_consent) {
                problems.push(p);
            }
        }
    }
    let checked = rules::check_application(form, &scope, today);
    let checked = match checked {
        Ok(c) if problems.is_empty() => c,
        Ok(_) => return Err(refused(lang, problems)),
        Err(more) => {
            problems.extend(more);
            return Err(refused(lang, problems));
        }
    };
    let role = role.ok_or_else(|| AppError::internal("applicant checked above"))?;
    if let Some(open) = open_of(&mut *w, house_id).await? {
        let (app_no,): (String,) = sqlx::query_as("select app_no from renovation where id = $1")
            .bind(open)
            .fetch_one(&mut *w)
            .await?;
        return Err(AppError::Conflict(
            I18n(lang).f("renovation.refused.open", &[("id", &app_no)]),
        ));
    }
    let now = time::now();
    let (id,): (i64,) = sqlx::query_as(
        "insert into renovation (estate_id, house_id, app_no, state, channel, applicant_id, applicant_role, \
                                 owner_consent, contractor, licence_no, foreman, foreman_mobile, planned_start, \
                                 planned_end, description, created_by, created_at, updated_at) \
         values ($1, $2, $3, 'submitted', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) returning id",
    )
    .bind(estate_id)
    .bind(house_id)
    // A placeholder unique until the number is known (the id).
    .bind(format!("new-{now}-{house_id}"))
    .bind(channel)
    .bind(applicant_id)
    .bind(role)
    .bind(if role == OccupancyRole::Tenant { checked.owner_consent.as_str() } else { "" })
    .bind(&checked.contractor)
    .bind(&checked.licence_no)
    .bind(&checked.foreman)
    .bind(&checked.foreman_mobile)
    .bind(&checked.planned_start)
    .bind(&checked.planned_end)
    .bind(&checked.description)
    .bind(w.actor().account_id)
    .bind(&now)
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::Conflict(tr(lang, "renovation.refused.open_any")))?;
    let app_no = format!("ZX{}-{id:05}", &time::desk_today()[..4]);
    sqlx::query("update renovation set app_no = $1 where id = $2")
        .bind(&app_no)
        .bind(id)
        .execute(&mut *w)
        .await?;
    for (position, worker) in checked.workers.iter().enumerate() {
        sqlx::query(
            "insert into renovation_worker (renovation_id, name, mobile, id_number, position) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&worker.name)
        .bind(&worker.mobile)
        .bind(&worker.id_number)
        .bind(position as i64)
        .execute(&mut *w)
        .await?;
    }
    for (scope_id, note) in &checked.items {
        sqlx::query(
            "insert into renovation_item (renovation_id, scope_id, note) values ($1, $2, $3)",
        )
        .bind(id)
        .bind(scope_id)
        .bind(note)
        .execute(&mut *w)
        .await?;
    }
    super::act::event(&mut w, id, "apply", None, State::Submitted, "", !resident).await?;
    w.audit(
        Change::new(AuditAction::ApplyRenovation, AuditEntity::Renovation)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({
                "house_id": house_id,
                "app_no": app_no,
                "channel": channel,
                "contractor": checked.contractor,
                "planned": [checked.planned_start, checked.planned_end],
                "items": checked.items.iter().map(|(i, _)| i).collect::<Vec<_>>(),
                "workers": checked.workers.len(),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}
