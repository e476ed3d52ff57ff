//! The estate's renovation settings (managers and admins edit them; the desk
//! reads them): the scope list with its prohibited items and their rules, how
//! often works are inspected, the working hours, and which maintenance staff
//! do the engineering review.

use super::*;
use crate::common::{AuditAction, AuditEntity, Permission};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database};

/// The settings page of an estate the caller works for.
pub async fn page(db: &Database, caller: &Caller, estate_id: i64) -> Result<Setup, AppError> {
    let pool = &db.pool;
    let (estates, estate_id) = scoped_estates(pool, &caller.scope, estate_id).await?;
    if estate_id == 0 {
        return Err(AppError::NotFound);
    }
    let scope = super::scope(db, estate_id, caller.lang).await?;
    let (inspection_days, work_hours) = settings(pool, estate_id).await?;
    let reviewers: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "select a.id, a.display_name, rr.account_id from account a \
         join account_estate ae on ae.account_id = a.id \
         left join renovation_reviewer rr on rr.account_id = a.id and rr.estate_id = ae.estate_id \
         where ae.estate_id = $1 and a.role = 'maintenance' and a.disabled = 0 order by a.display_name, a.id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let charges = super::money::charges(pool, estate_id)
        .await?
        .into_iter()
        .map(|c| ChargeRow {
            fee_item_id: c.fee_item_id,
            name: c.name,
            amount_fen: c.amount_fen,
            held: c.held == 1,
        })
        .collect();
    let one_off_items: Vec<Choice> = sqlx::query_as(
        "select id, name from fee_item where estate_id = $1 and kind = 'one_off' order by name",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(Setup {
        estates,
        charges,
        one_off_items,
        estate_id,
        scope: scope
            .into_iter()
            .map(|s| ScopeRow {
                id: s.id,
                name: s.name,
                prohibited: s.prohibited,
                rule: s.rule,
            })
            .collect(),
        inspection_days,
        work_hours,
        reviewers: reviewers
            .into_iter()
            .map(|(account_id, name, chosen)| ReviewerRow {
                account_id,
                name,
                reviewer: chosen.is_some(),
            })
            .collect(),
        can_edit: caller.may(Permission::ManageRenovations),
    })
}

fn settings_change(estate_id: i64, after: serde_json::Value) -> Change {
    Change::new(AuditAction::RenovationSettings, AuditEntity::Estate)
        .id(estate_id)
        .estate(estate_id)
        .after(after)
}

/// Adds a scope item; a prohibited one needs the rule that forbids it, in words.
pub async fn add_scope(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    estate_id: i64,
    name: &str,
    prohibited: bool,
    rule: &str,
) -> Result<(), AppError> {
    caller.check_estate(estate_id)?;
    let lang = caller.lang;
    let name = name.trim();
    let rule = rule.trim();
    let mut problems = Vec::new();
    if name.is_empty() || name.chars().count() > 40 {
        problems.push(rules::Problem {
            field: "name".into(),
            key: "renovation.invalid.text",
            args: vec![],
        });
    }
    if prohibited && (rule.is_empty() || rule.chars().count() > 200) {
        problems.push(rules::Problem {
            field: "rule".into(),
            key: "renovation.invalid.rule",
            args: vec![],
        });
    }
    if !problems.is_empty() {
        return Err(refused(lang, problems));
    }
    // Against the list as shown in the caller's language and as stored.
    let shown = super::scope(db, estate_id, lang).await?;
    let stored: Vec<(String,)> = sqlx::query_as(
        "select name from renovation_scope where estate_id = $1 and retired_at is null",
    )
    .bind(estate_id)
    .fetch_all(&db.pool)
    .await?;
    if shown.iter().any(|s| s.name == name) || stored.iter().any(|(n,)| n == name) {
        return Err(AppError::field(
            "name",
            tr(lang, "renovation.invalid.scope_exists"),
        ));
    }
    let mut w = db.write(actor.clone()).await?;
    let (position,): (i64,) = sqlx::query_as(
        "select coalesce(max(position), 0) + 1 from renovation_scope where estate_id = $1",
    )
    .bind(estate_id)
    .fetch_one(&mut *w)
    .await?;
    sqlx::query(
        "insert into renovation_scope (estate_id, name, prohibited, rule, position, created_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(estate_id)
    .bind(name)
    .bind(i64::from(prohibited))
    .bind(if prohibited { rule } else { "" })
    .bind(position)
    .bind(time::now())
    .execute(&mut *w)
    .await?;
    w.audit(settings_change(
        estate_id,
        serde_json::json!({ "scope_added": name, "prohibited": prohibited, "rule": rule }),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}

/// Takes an item off the list (applications that named it keep it).
pub async fn retire_scope(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    estate_id: i64,
    scope_id: i64,
) -> Result<(), AppError> {
    caller.check_estate(estate_id)?;
    let mut w = db.write(actor.clone()).await?;
    let done = sqlx::query(
        "update renovation_scope set retired_at = $1 where id = $2 and estate_id = $3 and retired_at is null",
    )
    .bind(time::now())
    .bind(scope_id)
    .bind(estate_id)
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    w.audit(settings_change(
        estate_id,
        serde_json::json!({ "scope_retired": scope_id }),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}

/// How often works are inspected and the working hours the permit prints.
pub async fn save(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    estate_id: i64,
    inspection_days: &str,
    work_hours: &str,
) -> Result<(), AppError> {
    caller.check_estate(estate_id)?;
    let days = rules::check_inspection_days(inspection_days);
    let hours = rules::check_work_hours(work_hours);
    let (days, hours) = match (days, hours) {
        (Ok(d), Ok(h)) => (d, h),
        (d, h) => {
            return Err(refused(
                caller.lang,
                [d.err(), h.err()].into_iter().flatten().collect(),
            ))
        }
    };
    let mut w = db.write(actor.clone()).await?;
    let before = settings(&mut *w, estate_id).await?;
    sqlx::query(
        "insert into renovation_setting (estate_id, inspection_days, work_hours, updated_by, updated_at) \
         values ($1, $2, $3, $4, $5) \
         on conflict (estate_id) do update set inspection_days = excluded.inspection_days, \
             work_hours = excluded.work_hours, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(estate_id)
    .bind(days)
    .bind(&hours)
    .bind(w.actor().account_id)
    .bind(time::now())
    .execute(&mut *w)
    .await?;
    w.audit(
        settings_change(
            estate_id,
            serde_json::json!({ "inspection_days": days, "work_hours": hours }),
        )
        .before(serde_json::json!({ "inspection_days": before.0, "work_hours": before.1 })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Names (or stops naming) a maintenance worker of the estate as an engineering reviewer.
pub async fn set_reviewer(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    estate_id: i64,
    account_id: i64,
    reviewer: bool,
) -> Result<(), AppError> {
    caller.check_estate(estate_id)?;
    // Only the estate's maintenance staff are named; anyone may be struck off
    // (a reviewer who since changed role or estate too).
    if reviewer {
        let worker: Option<(i64,)> = sqlx::query_as(
            "select a.id from account a join account_estate ae on ae.account_id = a.id \
             where a.id = $1 and ae.estate_id = $2 and a.role = 'maintenance' and a.disabled = 0",
        )
        .bind(account_id)
        .bind(estate_id)
        .fetch_optional(&db.pool)
        .await?;
        if worker.is_none() {
            return Err(AppError::field(
                "account_id",
                tr(caller.lang, "renovation.invalid.reviewer"),
            ));
        }
    }
    let mut w = db.write(actor.clone()).await?;
    if reviewer {
        sqlx::query(
            "insert into renovation_reviewer (estate_id, account_id) values ($1, $2) on conflict do nothing",
        )
        .bind(estate_id)
        .bind(account_id)
        .execute(&mut *w)
        .await?;
    } else {
        sqlx::query("delete from renovation_reviewer where estate_id = $1 and account_id = $2")
            .bind(estate_id)
            .bind(account_id)
            .execute(&mut *w)
            .await?;
    }
    w.audit(settings_change(
        estate_id,
        serde_json::json!({ "reviewer": account_id, "reviews": reviewer }),
    ))
    .await?;
    w.commit().await?;
    Ok(())
}
