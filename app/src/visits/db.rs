//! Return visits and escalations in the database.

use sqlx::AnyPool;

use super::{outcome, EscalationList, EscalationRow, Outcome, VisitInput};
use crate::audit::db::{self as audit, Actor, Change};
use crate::auth::{EstateScope, Lang};
use crate::db::{estate_filter, time, Database, Tx};
use crate::error::AppError;
use crate::i18n::tr;
use crate::ui::desk_time;

/// The case a visit is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub kind: &'static str,
    pub id: i64,
    pub estate_id: i64,
}

/// Records a visit (and, for a poor rating, an escalation) inside the case's
/// transaction, and tells the case what to do next.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    subject: Subject,
    channel: &str,
    visit: &VisitInput,
) -> Result<(i64, Outcome), AppError> {
    let o = outcome(visit.rating, visit.fixed);
    let now = time::now();
    let (visit_id,): (i64,) = sqlx::query_as(
        "insert into return_visit (estate_id, subject_kind, subject_id, channel, rating, fixed, comment, \
                                   reopened, escalated, visited_by, visitor_name, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
    )
    .bind(subject.estate_id)
    .bind(subject.kind)
    .bind(subject.id)
    .bind(channel)
    .bind(visit.rating)
    .bind(i64::from(visit.fixed))
    .bind(&visit.comment)
    .bind(i64::from(o.reopen))
    .bind(i64::from(o.escalate))
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?;
    if o.escalate {
        sqlx::query(
            "insert into escalation (estate_id, subject_kind, subject_id, return_visit_id, comment, status, created_at) \
             values ($1, $2, $3, $4, $5, 'open', $6)",
        )
        .bind(subject.estate_id)
        .bind(subject.kind)
        .bind(subject.id)
        .bind(visit_id)
        .bind(&visit.comment)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        &mut **tx,
        actor,
        Change {
            estate_id: Some(subject.estate_id),
            entity: crate::common::AuditEntity::ReturnVisit,
            entity_id: Some(visit_id.to_string()),
            action: crate::common::AuditAction::ReturnVisit,
            before: None,
            after: Some(serde_json::json!({
                "subject": subject.kind, "subject_id": subject.id, "channel": channel,
                "rating": visit.rating, "fixed": visit.fixed, "comment": visit.comment,
                "reopen": o.reopen, "escalate": o.escalate,
            })),
        },
    )
    .await?;
    Ok((visit_id, o))
}

/// Open escalations of the estates in `scope` (for the desk's counters).
pub async fn open_count(pool: &AnyPool, estate_id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from escalation where estate_id = $1 and status = 'open'")
            .bind(estate_id)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

type EscalationDbRow = (
    i64,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The escalation list of one estate, open first, newest first.
pub async fn list(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    status: &str,
) -> sqlx::Result<EscalationList> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let status = if matches!(status, "open" | "resolved" | "all") {
        status
    } else {
        "open"
    };
    let rows: Vec<EscalationDbRow> = sqlx::query_as(&format!(
        "select e.id, e.subject_kind, e.subject_id, e.comment, e.status, e.resolution, a.display_name, e.created_at, \
                v.rating, v.fixed, coalesce(h.number, l.name), t.category, e.resolved_at \
         from escalation e join return_visit v on v.id = e.return_visit_id \
         left join account a on a.id = e.resolved_by \
         left join repair_ticket t on e.subject_kind = 'repair' and t.id = e.subject_id \
         left join house h on h.id = t.house_id left join repair_location l on l.id = t.location_id \
         where e.estate_id = $1{}{} order by case when e.status = 'open' then 0 else 1 end, e.id desc limit 200",
        if status == "all" {
            String::new()
        } else {
            format!(" and e.status = '{status}'")
        },
        estate_filter(scope, "e.estate_id"),
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(EscalationList {
        estates,
        estate_id,
        status: status.to_string(),
        rows: rows
            .into_iter()
            .map(
                |(
                    id,
                    kind,
                    subject_id,
                    comment,
                    status,
                    resolution,
                    by,
                    at,
                    rating,
                    fixed,
                    place,
                    category,
                    _,
                )| {
                    EscalationRow {
                        href: subject_href(&kind, subject_id),
                        title: format!(
                            "{} · {}",
                            place.unwrap_or_default(),
                            category.unwrap_or_default()
                        ),
                        id,
                        subject_kind: kind,
                        subject_id,
                        rating,
                        fixed: fixed == 1,
                        comment,
                        status,
                        resolution,
                        resolved_by: by,
                        created_at: desk_time(&at),
                    }
                },
            )
            .collect(),
    })
}

/// The desk page of a visit's case.
pub fn subject_href(kind: &str, id: i64) -> String {
    match kind {
        "repair" => format!("/desk/repairs/{id}"),
        _ => format!("/desk/{kind}s/{id}"),
    }
}

/// A manager resolves an escalation with what was done about it.
pub async fn resolve(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    scope: &EstateScope,
    id: i64,
    resolution: &str,
) -> Result<(), AppError> {
    let resolution = resolution.trim();
    if resolution.is_empty() || resolution.chars().count() > 500 {
        return Err(AppError::field(
            "resolution",
            tr(lang, "visits.invalid.resolution"),
        ));
    }
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, String)> =
        sqlx::query_as("select estate_id, status from escalation where id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (estate_id, status) = row.ok_or(AppError::NotFound)?;
    if !crate::common::sees_estate(scope, estate_id) {
        return Err(AppError::Forbidden);
    }
    if status != "open" {
        return Err(AppError::Conflict(tr(lang, "visits.already_resolved")));
    }
    let now = time::now();
    let done = sqlx::query(
        "update escalation set status = 'resolved', resolution = $1, resolved_by = $2, resolved_at = $3 \
         where id = $4 and status = 'open'",
    )
    .bind(resolution)
    .bind(actor.account_id)
    .bind(&now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "visits.already_resolved")));
    }
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::Escalation,
            entity_id: Some(id.to_string()),
            action: crate::common::AuditAction::ResolveEscalation,
            before: Some(serde_json::json!({ "status": "open" })),
            after: Some(serde_json::json!({ "status": "resolved", "resolution": resolution })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
