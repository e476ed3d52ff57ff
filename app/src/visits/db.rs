//! Return visits and escalations in the database (server only): a visit is
//! recorded inside its case's write ([`record`]); the managers' list and its
//! resolution are reads and a write of their own.

use sqlx::AnyPool;

use super::{
    outcome, Channel, EscalationFilter, EscalationList, EscalationRow, Outcome, SubjectKind,
    VisitInput,
};
use crate::common::{sees_estate, AuditAction, AuditEntity, EstateId, EstateScope, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{estate_filter, time, Database, Write};
use crate::error::AppError;
use crate::i18n::tr;
use crate::ui::desk_time;

/// The case a visit is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: i64,
    pub estate_id: EstateId,
}

/// Records a visit (and, for a poor rating, an escalation) in the case's
/// write, by its author, and tells the case what to do next.
pub async fn record(
    w: &mut Write,
    subject: Subject,
    channel: Channel,
    visit: &VisitInput,
) -> Result<(i64, Outcome), AppError> {
    let o = outcome(visit.rating, visit.fixed);
    let now = time::now();
    let (visitor_id, visitor_name) = (w.actor().account_id, w.actor().name.clone());
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
    .bind(visitor_id)
    .bind(visitor_name)
    .bind(&now)
    .fetch_one(&mut **w)
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
        .execute(&mut **w)
        .await?;
    }
    w.audit(
        Change::new(AuditAction::ReturnVisit, AuditEntity::ReturnVisit)
            .id(visit_id)
            .estate(subject.estate_id.get())
            .after(serde_json::json!({
                "subject": subject.kind, "subject_id": subject.id, "channel": channel,
                "rating": visit.rating, "fixed": visit.fixed, "comment": visit.comment,
                "reopen": o.reopen, "escalate": o.escalate,
            })),
    )
    .await?;
    Ok((visit_id, o))
}

/// Open escalations of one estate (for the desk's counters).
pub async fn open_count(pool: &AnyPool, estate_id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from escalation where estate_id = $1 and status = 'open'")
            .bind(estate_id)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// An escalation with its visit and its case, as the list reads it.
#[derive(sqlx::FromRow)]
struct EscalationDbRow {
    id: i64,
    subject_kind: SubjectKind,
    subject_id: i64,
    comment: String,
    status: String,
    resolution: Option<String>,
    resolved_by: Option<String>,
    created_at: String,
    rating: i64,
    fixed: i64,
    place: Option<String>,
    category: Option<String>,
}

/// The escalation list of one estate, open first, newest first. `status` is
/// a filter's text; anything else shows the open ones.
pub async fn list(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    status: &str,
) -> sqlx::Result<EscalationList> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let status = EscalationFilter::parse(status).unwrap_or(EscalationFilter::Open);
    let rows: Vec<EscalationDbRow> = sqlx::query_as(&format!(
        "select e.id, e.subject_kind, e.subject_id, e.comment, e.status, e.resolution, \
                a.display_name as resolved_by, e.created_at, v.rating, v.fixed, \
                coalesce(h.number, l.name) as place, t.category \
         from escalation e join return_visit v on v.id = e.return_visit_id \
         left join account a on a.id = e.resolved_by \
         left join repair_ticket t on e.subject_kind = 'repair' and t.id = e.subject_id \
         left join house h on h.id = t.house_id left join repair_location l on l.id = t.location_id \
         where e.estate_id = $1{}{} order by case when e.status = 'open' then 0 else 1 end, e.id desc limit 200",
        match status {
            EscalationFilter::All => String::new(),
            s => format!(" and e.status = '{s}'"),
        },
        estate_filter(scope, "e.estate_id"),
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(EscalationList {
        estates,
        estate_id,
        status,
        rows: rows
            .into_iter()
            .map(|r| EscalationRow {
                href: subject_href(r.subject_kind, r.subject_id),
                title: format!(
                    "{} · {}",
                    r.place.unwrap_or_default(),
                    r.category.unwrap_or_default()
                ),
                id: r.id,
                subject_kind: r.subject_kind,
                subject_id: r.subject_id,
                rating: r.rating,
                fixed: r.fixed == 1,
                comment: r.comment,
                status: r.status,
                resolution: r.resolution,
                resolved_by: r.resolved_by,
                created_at: desk_time(&r.created_at),
            })
            .collect(),
    })
}

/// The desk page of a visit's case.
pub fn subject_href(kind: SubjectKind, id: i64) -> String {
    match kind {
        SubjectKind::Repair => format!("/desk/repairs/{id}"),
        other => format!("/desk/{other}s/{id}"),
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
    let mut w = db.write(actor.clone()).await?;
    let row: Option<(i64, String)> =
        sqlx::query_as("select estate_id, status from escalation where id = $1")
            .bind(id)
            .fetch_optional(&mut *w)
            .await?;
    let (estate_id, status) = row.ok_or(AppError::NotFound)?;
    if !sees_estate(scope, estate_id) {
        return Err(AppError::forbidden(
            "escalation outside the caller's estates",
        ));
    }
    if status != "open" {
        return Err(AppError::Conflict(tr(lang, "visits.already_resolved")));
    }
    let done = sqlx::query(
        "update escalation set status = 'resolved', resolution = $1, resolved_by = $2, resolved_at = $3 \
         where id = $4 and status = 'open'",
    )
    .bind(resolution)
    .bind(actor.account_id)
    .bind(time::now())
    .bind(id)
    .execute(&mut *w)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(tr(lang, "visits.already_resolved")));
    }
    w.audit(
        Change::new(AuditAction::ResolveEscalation, AuditEntity::Escalation)
            .id(id)
            .estate(estate_id)
            .before(serde_json::json!({ "status": "open" }))
            .after(serde_json::json!({ "status": "resolved", "resolution": resolution })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_links_to_its_cases_page() {
        assert_eq!(subject_href(SubjectKind::Repair, 7), "/desk/repairs/7");
        assert_eq!(
            subject_href(SubjectKind::Complaint, 8),
            "/desk/complaints/8"
        );
    }
}
