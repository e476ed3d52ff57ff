//! A ticket's photos in the database: who may see and add them, how many more
//! it takes, storing an upload's re-encoded photos (all or none) and serving
//! one. The upload itself (reading, re-encoding) is `server::repair_files`'
//! and [`crate::repairs::photo`]'s.

use sqlx::AnyPool;

use super::{event, facts, Viewer};
use crate::common::{AuditAction, AuditEntity, Lang, TicketId};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn};
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::repairs::photo::{Encoded, MAX_PER_TICKET};
use crate::repairs::rules::{Status, Who};
use crate::repairs::{PhotoStage, TimelineEntry};

/// Whether `viewer` may see the ticket's photos; `Ok(stage)` if they may add
/// one now (the reporter's side before work, the worker's during it).
pub async fn photo_access(
    pool: &AnyPool,
    viewer: &Viewer,
    ticket_id: i64,
) -> Result<Option<PhotoStage>, AppError> {
    let f = facts(pool, TicketId(ticket_id)).await?;
    let who = viewer.who(&f)?;
    Ok(add_photo_stage(who, f.status))
}

/// The stage a photo added now belongs to, if `who` may add one.
pub(super) fn add_photo_stage(who: Who, status: Status) -> Option<PhotoStage> {
    match who {
        Who::Desk | Who::Resident if status.is_open() => Some(PhotoStage::Report),
        Who::Worker { assignee: true }
            if matches!(status, Status::Accepted | Status::InProgress) =>
        {
            Some(PhotoStage::Work)
        }
        _ => None,
    }
}

/// How many more photos the ticket may take.
pub async fn photo_room(pool: &AnyPool, ticket_id: i64) -> Result<i64, AppError> {
    let (count,): (i64,) = sqlx::query_as("select count(*) from repair_photo where ticket_id = $1")
        .bind(ticket_id)
        .fetch_one(pool)
        .await?;
    Ok((MAX_PER_TICKET - count).max(0))
}

/// Stores re-encoded photos on a ticket (all or none).
pub async fn add_photos(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    viewer: &Viewer,
    ticket_id: i64,
    photos: Vec<Encoded>,
) -> Result<(), AppError> {
    let ticket = TicketId(ticket_id);
    let mut w = db.write(actor.clone()).await?;
    // PostgreSQL: one writer per ticket, so the state and the count below hold until commit.
    w.lock(LockOn::Ticket(ticket.get())).await?;
    let f = facts(&mut *w, ticket).await?;
    let who = viewer.who(&f)?;
    let Some(stage) = add_photo_stage(who, f.status) else {
        return Err(AppError::Rule(tr(lang, "repairs.photo_error.closed")));
    };
    let (count,): (i64,) = sqlx::query_as("select count(*) from repair_photo where ticket_id = $1")
        .bind(ticket)
        .fetch_one(&mut *w)
        .await?;
    if count + photos.len() as i64 > MAX_PER_TICKET {
        return Err(AppError::field(
            "photo",
            tr(lang, "repairs.photo_error.too_many"),
        ));
    }
    let now = time::now();
    for p in &photos {
        sqlx::query(
            "insert into repair_photo (ticket_id, stage, content, thumb, width, height, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(ticket)
        .bind(stage)
        .bind(p.jpeg.as_slice())
        .bind(p.thumb.as_slice())
        .bind(i64::from(p.width))
        .bind(i64::from(p.height))
        .bind(actor.account_id)
        .bind(&now)
        .execute(&mut *w)
        .await?;
    }
    let n = photos.len().to_string();
    let note = I18n(lang).f("repairs.photos_added", &[("count", &n)]);
    event(
        &mut w,
        ticket,
        TimelineEntry::Photos,
        f.status,
        f.status,
        &note,
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RepairPhotos, AuditEntity::RepairTicket)
            .id(ticket)
            .estate(f.estate_id)
            .after(serde_json::json!({ "photos": photos.len(), "stage": stage })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// A photo's JPEG (or its thumbnail), if `viewer` may see its ticket.
pub async fn photo(
    pool: &AnyPool,
    viewer: &Viewer,
    photo_id: i64,
    thumb: bool,
) -> Result<Vec<u8>, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("select ticket_id from repair_photo where id = $1")
        .bind(photo_id)
        .fetch_optional(pool)
        .await?;
    let (ticket_id,) = row.ok_or(AppError::NotFound)?;
    photo_access(pool, viewer, ticket_id).await?;
    let column = if thumb { "thumb" } else { "content" };
    let (bytes,): (Vec<u8>,) =
        sqlx::query_as(&format!("select {column} from repair_photo where id = $1"))
            .bind(photo_id)
            .fetch_one(pool)
            .await?;
    Ok(bytes)
}
