//! An estate's repair setup: its targets and the fee item paid repairs are
//! charged to ([`rules::check_targets`] checks the minutes), its common areas,
//! and its workers with their skills and open jobs.

use sqlx::AnyPool;

use super::act::worker_of_estate;
use super::settings;
use crate::common::{AccountId, AuditAction, AuditEntity, Choice, EstateId, EstateScope, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, OnUnique};
use crate::error::{AppError, FieldError};
use crate::i18n::tr;
use crate::repairs::rules::{self, WorkerLoad};
use crate::repairs::{Category, RepairSetup};

/// The estate's maintenance workers with their skills and open jobs.
pub async fn workers(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<WorkerLoad>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "select a.id, a.display_name, \
                (select count(*) from repair_ticket t where t.worker_id = a.id \
                   and t.status in ('assigned', 'accepted', 'in_progress')) \
         from account a join account_estate ae on ae.account_id = a.id \
         where ae.estate_id = $1 and a.role = 'maintenance' and a.disabled = 0 order by a.display_name",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let skills: Vec<(i64, String)> = sqlx::query_as(
        "select account_id, category from worker_skill where estate_id = $1 order by category",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, open)| WorkerLoad {
            id,
            name,
            open,
            skills: skills
                .iter()
                .filter(|(a, _)| *a == id)
                .map(|(_, c)| c.clone())
                .collect(),
        })
        .collect())
}

async fn choices(pool: &AnyPool, sql: &str, estate_id: i64) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(sql).bind(estate_id).fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Choice { id, name })
        .collect())
}

/// The estate's common areas, by name.
pub(super) async fn locations(pool: &AnyPool, estate_id: i64) -> sqlx::Result<Vec<Choice>> {
    choices(
        pool,
        "select id, name from repair_location where estate_id = $1 order by name",
        estate_id,
    )
    .await
}

pub async fn setup(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
) -> Result<RepairSetup, AppError> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let (targets, charge_item) = settings(pool, estate_id).await?;
    let one_off_items = choices(
        pool,
        "select id, name from fee_item where estate_id = $1 and kind = 'one_off' order by name",
        estate_id,
    )
    .await?;
    Ok(RepairSetup {
        estates,
        estate_id,
        targets,
        charge_item,
        one_off_items,
        locations: locations(pool, estate_id).await?,
        workers: workers(pool, estate_id).await?,
    })
}

/// Saves an estate's targets (minutes as typed) and the charge's fee item.
#[allow(clippy::too_many_arguments)]
pub async fn save_settings(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate_id: i64,
    urgent_response: &str,
    urgent_completion: &str,
    normal_response: &str,
    normal_completion: &str,
    charge_item: i64,
) -> Result<(), AppError> {
    let (targets, mut errors) = rules::check_targets(
        lang,
        urgent_response,
        urgent_completion,
        normal_response,
        normal_completion,
    );
    let mut w = db.write(actor.clone()).await?;
    let item = if charge_item > 0 {
        let ok: Option<(i64,)> = sqlx::query_as(
            "select id from fee_item where id = $1 and estate_id = $2 and kind = 'one_off'",
        )
        .bind(charge_item)
        .bind(estate_id)
        .fetch_optional(&mut *w)
        .await?;
        if ok.is_none() {
            errors.push(FieldError {
                field: "charge_item".into(),
                message: tr(lang, "billing.invalid.item"),
            });
        }
        Some(charge_item)
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (before, before_item) = settings(&mut *w, estate_id).await?;
    let t = targets;
    // One statement, so two managers saving at once cannot collide on the key.
    sqlx::query(
        "insert into repair_setting (estate_id, urgent_response_minutes, urgent_completion_minutes, \
             normal_response_minutes, normal_completion_minutes, charge_fee_item_id, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7) \
         on conflict (estate_id) do update set urgent_response_minutes = excluded.urgent_response_minutes, \
             urgent_completion_minutes = excluded.urgent_completion_minutes, \
             normal_response_minutes = excluded.normal_response_minutes, \
             normal_completion_minutes = excluded.normal_completion_minutes, \
             charge_fee_item_id = excluded.charge_fee_item_id, updated_at = excluded.updated_at",
    )
    .bind(estate_id)
    .bind(t.urgent_response)
    .bind(t.urgent_completion)
    .bind(t.normal_response)
    .bind(t.normal_completion)
    .bind(item)
    .bind(time::now())
    .execute(&mut *w)
    .await?;
    let after = [
        t.urgent_response,
        t.urgent_completion,
        t.normal_response,
        t.normal_completion,
    ];
    w.audit(
        Change::new(AuditAction::RepairSettings, AuditEntity::RepairSetting)
            .id(estate_id)
            .estate(estate_id)
            .before(serde_json::json!({ "targets": before, "charge_item": before_item }))
            .after(serde_json::json!({ "targets": after, "charge_item": item })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Adds a common area (a name once per estate).
pub async fn add_location(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate_id: i64,
    name: &str,
) -> Result<i64, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(AppError::field(
            "name",
            tr(lang, "repairs.invalid.location_name"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into repair_location (estate_id, name, created_at) values ($1, $2, $3) returning id",
    )
    .bind(estate_id)
    .bind(name)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::field("name", tr(lang, "repairs.invalid.location_exists")))?;
    w.audit(
        Change::new(AuditAction::Create, AuditEntity::RepairLocation)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({ "name": name })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Replaces a worker's skills (the categories they are suggested for).
pub async fn set_skills(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate: EstateId,
    worker: AccountId,
    categories: &[String],
) -> Result<(), AppError> {
    if categories.iter().any(|c| Category::parse(c).is_none()) {
        return Err(AppError::field(
            "skills",
            tr(lang, "repairs.invalid.category"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    if worker_of_estate(&mut w, worker, estate).await?.is_none() {
        return Err(AppError::field(
            "skills",
            tr(lang, "repairs.invalid.worker"),
        ));
    }
    sqlx::query("delete from worker_skill where account_id = $1 and estate_id = $2")
        .bind(worker)
        .bind(estate)
        .execute(&mut *w)
        .await?;
    for c in categories {
        sqlx::query(
            "insert into worker_skill (account_id, estate_id, category) values ($1, $2, $3) on conflict do nothing",
        )
        .bind(worker)
        .bind(estate)
        .bind(c)
        .execute(&mut *w)
        .await?;
    }
    w.audit(
        Change::new(AuditAction::WorkerSkills, AuditEntity::Account)
            .id(worker)
            .estate(estate.get())
            .after(serde_json::json!({ "skills": categories })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
