//! The reads behind the pages: the desk's list, the return-visit list, a
//! worker's queue, the portal's list, and one ticket with everything its page
//! shows — each as the caller may see it.

use sqlx::AnyPool;

use super::photos::add_photo_stage;
use super::setup::workers;
use super::{facts, Viewer, REPORTER_LIVES_IN_ESTATE};
use crate::common::personal::mask_mobile;
use crate::common::{EstateScope, TicketId};
use crate::db::{estate_filter, time};
use crate::error::AppError;
use crate::repairs::rules::{self, Status, Who};
use crate::repairs::{
    Category, EventView, ListFilter, PhotoStage, PhotoView, Queue, Source, TicketDetail,
    TicketList, TicketRow, TimelineEntry, Urgency, VisitList, VisitView,
};
use crate::ui::desk_minute;
use crate::visits::{self, Channel};

/// The columns of a ticket in a list ([`TicketDbRow`]).
const ROW_SELECT: &str =
    "select t.id, coalesce(h.number, l.name) as place, t.category, t.urgency, t.status, t.description, \
        w.display_name as worker, t.created_at, t.appointment_at, t.paid, t.rework_count, t.response_due_at, \
        t.completion_due_at, t.accepted_at, t.done_at \
     from repair_ticket t left join house h on h.id = t.house_id \
     left join repair_location l on l.id = t.location_id left join account w on w.id = t.worker_id";

/// A ticket in a list, as [`ROW_SELECT`] reads it.
#[derive(sqlx::FromRow)]
struct TicketDbRow {
    id: i64,
    place: Option<String>,
    category: Category,
    urgency: Urgency,
    status: Status,
    description: String,
    worker: Option<String>,
    created_at: String,
    appointment_at: Option<String>,
    paid: i64,
    rework_count: i64,
    response_due_at: String,
    completion_due_at: String,
    accepted_at: Option<String>,
    done_at: Option<String>,
}

impl TicketDbRow {
    fn into_row(self, now: &str) -> TicketRow {
        TicketRow {
            late: rules::lateness(
                self.status,
                now,
                &self.response_due_at,
                &self.completion_due_at,
                self.accepted_at.as_deref(),
                self.done_at.as_deref(),
            ),
            id: self.id,
            place: self.place.unwrap_or_default(),
            category: self.category,
            urgency: self.urgency,
            status: self.status,
            description: self.description.chars().take(60).collect(),
            worker: self.worker,
            created_at: desk_minute(&self.created_at),
            appointment_at: self.appointment_at.as_deref().map(desk_minute),
            paid: self.paid == 1,
            rework_count: self.rework_count,
        }
    }
}

/// Runs a [`ROW_SELECT`] query and makes its rows the pages' (lateness as of now).
async fn ticket_rows(pool: &AnyPool, sql: &str, bind: Option<i64>) -> sqlx::Result<Vec<TicketRow>> {
    let query = sqlx::query_as::<_, TicketDbRow>(sql);
    let query = match bind {
        Some(v) => query.bind(v),
        None => query,
    };
    let now = time::now();
    Ok(query
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| r.into_row(&now))
        .collect())
}

/// Late first, then urgent, then oldest: the order the desk works in.
fn desk_order(rows: &mut [TicketRow]) {
    let key = |r: &TicketRow| {
        (
            !r.late.any(),
            r.urgency != Urgency::Urgent,
            r.created_at.clone(),
            r.id,
        )
    };
    rows.sort_by_key(key);
}

/// The desk's list: `status` is a state, `open` (every state still to be worked) or `all`.
pub async fn desk_list(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    status: &str,
    late_only: bool,
    can_setup: bool,
    can_escalations: bool,
) -> sqlx::Result<TicketList> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    // A state, `all`, or (anything else) `open`.
    let status = match (ListFilter::parse(status), Status::parse(status)) {
        (Some(ListFilter::All), _) | (_, Some(_)) => status,
        _ => ListFilter::Open.as_str(),
    };
    let open = status == ListFilter::Open.as_str();
    let filter = match Status::parse(status) {
        Some(s) => format!(" and t.status = '{s}'"),
        None if open => {
            " and t.status in ('submitted', 'assigned', 'accepted', 'in_progress', 'reopened')"
                .into()
        }
        None => String::new(),
    };
    let order = if open { "t.id" } else { "t.id desc" };
    let sql = format!(
        "{ROW_SELECT} where t.estate_id = $1{filter}{} order by {order} limit 500",
        estate_filter(scope, "t.estate_id")
    );
    let mut rows: Vec<TicketRow> = ticket_rows(pool, &sql, Some(estate_id))
        .await?
        .into_iter()
        .filter(|r| !late_only || r.late.any())
        .collect();
    if open {
        desk_order(&mut rows);
    }
    rows.truncate(200);
    let (to_visit,): (i64,) = sqlx::query_as(
        "select count(*) from repair_ticket where estate_id = $1 and status = 'done'",
    )
    .bind(estate_id)
    .fetch_one(pool)
    .await?;
    Ok(TicketList {
        estates,
        estate_id,
        status: status.to_string(),
        late_only,
        rows,
        to_visit,
        open_escalations: visits::db::open_count(pool, estate_id).await?,
        can_setup,
        can_escalations,
    })
}

/// Done tickets waiting for their return visit, oldest first.
pub async fn visit_list(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
) -> sqlx::Result<VisitList> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let sql = format!(
        "{ROW_SELECT} where t.estate_id = $1 and t.status = 'done'{} order by t.done_at, t.id limit 200",
        estate_filter(scope, "t.estate_id")
    );
    let rows = ticket_rows(pool, &sql, Some(estate_id)).await?;
    Ok(VisitList {
        estates,
        estate_id,
        rows,
    })
}

/// A worker's queue: their jobs (urgent first, then by appointment) and the pool of their estates.
pub async fn queue(pool: &AnyPool, account_id: i64, scope: &EstateScope) -> sqlx::Result<Queue> {
    let sql = format!(
        "{ROW_SELECT} where t.worker_id = $1 and t.status in ('assigned', 'accepted', 'in_progress'){} \
         order by t.id",
        estate_filter(scope, "t.estate_id")
    );
    let mut mine = ticket_rows(pool, &sql, Some(account_id)).await?;
    mine.sort_by_key(|r| {
        let at = r
            .appointment_at
            .clone()
            .unwrap_or_else(|| r.created_at.clone());
        (r.urgency != Urgency::Urgent, at, r.id)
    });
    let sql = format!(
        "{ROW_SELECT} where t.worker_id is null and t.status in ('submitted', 'reopened'){} \
         order by t.id limit 100",
        estate_filter(scope, "t.estate_id")
    );
    let mut pool_rows = ticket_rows(pool, &sql, None).await?;
    desk_order(&mut pool_rows);
    // The stamp: what the worker would see change (ids, states, lateness).
    let stamp = mine
        .iter()
        .chain(pool_rows.iter())
        .map(|r| format!("{}:{}:{}", r.id, r.status.as_str(), u8::from(r.late.any())))
        .collect::<Vec<_>>()
        .join(",");
    Ok(Queue {
        mine,
        pool: pool_rows,
        stamp,
    })
}

/// The portal's list: tickets on the resident's houses, and the common areas'
/// they reported. (The same rule as [`Viewer::who`]'s: a house's tickets from
/// the start of the occupancy; a common area's while its reporter lives in the estate.)
pub async fn portal_list(pool: &AnyPool, viewer: &Viewer) -> sqlx::Result<Vec<TicketRow>> {
    let Viewer::Resident {
        resident_id,
        houses,
    } = viewer
    else {
        return Ok(Vec::new());
    };
    // Ids are integers and the moments are our own timestamp text; both are safe inline.
    let linked: String = houses
        .iter()
        .filter(|r| {
            r.from
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-:.".contains(c))
        })
        .map(|r| {
            format!(
                " or (t.house_id = {} and t.created_at >= '{}')",
                r.house_id, r.from
            )
        })
        .collect();
    let sql = format!(
        "{ROW_SELECT} where (t.house_id is null and t.reporter_resident_id = $1 \
         and {REPORTER_LIVES_IN_ESTATE}){linked} order by t.id desc limit 100"
    );
    ticket_rows(pool, &sql, Some(*resident_id)).await
}

/// One ticket as its page reads it.
#[derive(sqlx::FromRow)]
struct DetailRow {
    estate_id: i64,
    estate_name: String,
    place: Option<String>,
    house_id: Option<i64>,
    category: Category,
    description: String,
    urgency: Urgency,
    paid: i64,
    source: Source,
    reporter_name: String,
    reporter_phone: String,
    appointment_at: Option<String>,
    worker_id: Option<i64>,
    worker: Option<String>,
    created_at: String,
    response_due_at: String,
    completion_due_at: String,
    accepted_at: Option<String>,
    done_at: Option<String>,
    rework_count: i64,
    work_notes: String,
    materials: String,
    labour_fen: i64,
    materials_fen: i64,
    bill_line_id: Option<i64>,
    cancel_reason: Option<String>,
}

/// A line of the timeline as stored.
#[derive(sqlx::FromRow)]
struct EventRow {
    action: TimelineEntry,
    from_status: Status,
    to_status: Status,
    actor_name: String,
    note: String,
    created_at: String,
}

/// A return visit as stored.
#[derive(sqlx::FromRow)]
struct VisitRow {
    rating: i64,
    fixed: i64,
    comment: String,
    channel: Channel,
    visitor_name: String,
    reopened: i64,
    escalated: i64,
    created_at: String,
}

/// One ticket as `viewer` may see it.
pub async fn detail(
    pool: &AnyPool,
    viewer: &Viewer,
    ticket_id: i64,
) -> Result<TicketDetail, AppError> {
    let ticket = TicketId(ticket_id);
    let f = facts(pool, ticket).await?;
    let who = viewer.who(&f)?;
    let r: DetailRow = sqlx::query_as(
        "select t.estate_id, e.name as estate_name, coalesce(h.number, l.name) as place, t.house_id, \
                t.category, t.description, t.urgency, t.paid, t.source, t.reporter_name, t.reporter_phone, \
                t.appointment_at, t.worker_id, w.display_name as worker, t.created_at, \
                t.response_due_at, t.completion_due_at, t.accepted_at, t.done_at, t.rework_count, \
                t.work_notes, t.materials, t.labour_fen, t.materials_fen, t.bill_line_id, t.cancel_reason \
         from repair_ticket t join estate e on e.id = t.estate_id left join house h on h.id = t.house_id \
         left join repair_location l on l.id = t.location_id left join account w on w.id = t.worker_id \
         where t.id = $1",
    )
    .bind(ticket)
    .fetch_one(pool)
    .await?;
    let timeline: Vec<EventRow> = sqlx::query_as(
        "select action, from_status, to_status, actor_name, note, created_at from repair_event \
         where ticket_id = $1 order by id",
    )
    .bind(ticket)
    .fetch_all(pool)
    .await?;
    let photos: Vec<(i64, PhotoStage)> =
        sqlx::query_as("select id, stage from repair_photo where ticket_id = $1 order by id")
            .bind(ticket)
            .fetch_all(pool)
            .await?;
    let visit_rows: Vec<VisitRow> = sqlx::query_as(
        "select rating, fixed, comment, channel, visitor_name, reopened, escalated, created_at from return_visit \
         where subject_kind = 'repair' and subject_id = $1 order by id",
    )
    .bind(ticket)
    .fetch_all(pool)
    .await?;
    let now = time::now();
    let assignee = matches!(who, Who::Worker { assignee: true });
    // The reporter's number: for the desk, the worker on the job, and the reporter themself.
    let own_report = matches!(viewer, Viewer::Resident { resident_id, .. } if f.reporter_resident_id == Some(*resident_id));
    let phone = if matches!(who, Who::Desk) || assignee || own_report {
        r.reporter_phone.clone()
    } else {
        mask_mobile(&r.reporter_phone)
    };
    let workers = if matches!(who, Who::Desk) && f.status.is_open() {
        rules::rank_workers(r.category.as_str(), workers(pool, f.estate_id).await?)
    } else {
        Vec::new()
    };
    Ok(TicketDetail {
        id: ticket_id,
        estate_id: r.estate_id,
        estate_name: r.estate_name,
        place: r.place.unwrap_or_default(),
        house_id: r.house_id,
        late: rules::lateness(
            f.status,
            &now,
            &r.response_due_at,
            &r.completion_due_at,
            r.accepted_at.as_deref(),
            r.done_at.as_deref(),
        ),
        category: r.category,
        description: r.description,
        urgency: r.urgency,
        paid: r.paid == 1,
        source: r.source,
        reporter_name: r.reporter_name,
        reporter_phone: phone,
        appointment_at: r.appointment_at.as_deref().map(desk_minute),
        worker_id: r.worker_id,
        worker: r.worker,
        created_at: desk_minute(&r.created_at),
        status: f.status,
        response_due: desk_minute(&r.response_due_at),
        completion_due: desk_minute(&r.completion_due_at),
        rework_count: r.rework_count,
        work_notes: r.work_notes,
        materials: r.materials,
        labour_fen: r.labour_fen,
        materials_fen: r.materials_fen,
        charged: r.bill_line_id.is_some(),
        cancel_reason: r.cancel_reason,
        timeline: timeline
            .into_iter()
            .map(|e| EventView {
                action: e.action,
                from: e.from_status,
                to: e.to_status,
                actor: e.actor_name,
                note: e.note,
                at: desk_minute(&e.created_at),
            })
            .collect(),
        photos: photos
            .into_iter()
            .map(|(id, stage)| PhotoView { id, stage })
            .collect(),
        visits: visit_rows
            .into_iter()
            .map(|v| VisitView {
                rating: v.rating,
                fixed: v.fixed == 1,
                comment: v.comment,
                channel: v.channel,
                visitor: v.visitor_name,
                reopened: v.reopened == 1,
                escalated: v.escalated == 1,
                at: desk_minute(&v.created_at),
            })
            .collect(),
        actions: rules::offered(f.status, who),
        workers,
        can_add_photos: add_photo_stage(who, f.status).is_some(),
        can_set_paid: matches!(who, Who::Desk) && f.status.is_open() && f.house_id.is_some(),
    })
}
