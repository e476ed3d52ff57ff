//! An application's own drawings and photos (图纸与照片): its floor plan,
//! its pipe and wiring layouts, the site before the works. Added by its
//! applicant (in the portal) or the estate's desk before the engineering
//! review — submitted, or returned for what is missing
//! ([`rules::attaches`]) — at most [`rules::MAX_ATTACHMENTS`], all of an
//! upload or none; shown to whoever may see the application ([`super::who`],
//! the same decision as a visit's photos). Re-encoded like a repair's photo
//! (EXIF and location stripped) and kept append-only. The upload itself
//! (reading, re-encoding) is `server::renovation_files`'.

use super::*;
use crate::common::{AuditAction, AuditEntity};
use crate::db::audit::{Actor, Change};
use crate::db::{Database, LockOn};
use crate::repairs::photo::Encoded;

pub use crate::renovation::rules::MAX_ATTACHMENTS;

/// Refused unless `who` may add drawings to `app` now: forbidden to whoever
/// only reads it (a reviewer, a resident of the house who did not apply), the
/// rule's words once it is past its review.
fn adds(lang: Lang, app: &AppDb, who: Option<Who>) -> Result<(), AppError> {
    if !matches!(who, Some(Who::Desk { .. } | Who::Applicant)) {
        return Err(AppError::forbidden(
            "drawings and photos are added by the applicant or the desk",
        ));
    }
    if !rules::attaches(app.state, who) {
        return Err(AppError::Rule(tr(lang, "renovation.refused.not_attaching")));
    }
    Ok(())
}

/// How many drawings and photos application `id` keeps.
async fn count<'e>(ex: impl sqlx::AnyExecutor<'e>, id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from renovation_attachment where renovation_id = $1")
            .bind(id)
            .fetch_one(ex)
            .await?;
    Ok(n)
}

/// Whether the caller may add drawings and photos to application `id` now,
/// asked before a byte of an upload is read: how many more it takes. A
/// caller of another house or estate gets the refusal a visit's photos give
/// them (not found, forbidden).
pub async fn may_add(pool: &AnyPool, caller: &Caller, id: i64) -> Result<i64, AppError> {
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    let who = super::who(&mut *pool.acquire().await?, caller, &app).await?;
    adds(caller.lang, &app, who)?;
    Ok((MAX_ATTACHMENTS - count(pool, id).await?).max(0))
}

/// Keeps re-encoded drawings and photos on application `id` (all or none).
pub async fn add(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    id: i64,
    photos: Vec<Encoded>,
) -> Result<(), AppError> {
    let lang = caller.lang;
    let house_id = find(&db.pool, id)
        .await?
        .ok_or(AppError::NotFound)?
        .house_id;
    let mut w = db.write(actor.clone()).await?;
    // PostgreSQL: one writer per house, so the state and the count below hold until commit.
    w.lock(LockOn::House(house_id)).await?;
    // Asked again inside the write: a step taken meanwhile (the manager's
    // approval) or an applicant moved out is seen.
    let app = find(&mut *w, id).await?.ok_or(AppError::NotFound)?;
    let who = super::who(&mut w, caller, &app).await?;
    adds(lang, &app, who)?;
    if count(&mut *w, id).await? + photos.len() as i64 > MAX_ATTACHMENTS {
        return Err(AppError::field(
            "photo",
            tr(lang, "renovation.attachment_too_many"),
        ));
    }
    keep_images(&mut w, Images::Application, id, &photos).await?;
    w.audit(
        Change::new(AuditAction::RenovationAttachments, AuditEntity::Renovation)
            .id(id)
            .estate(app.estate_id)
            .after(serde_json::json!({ "attachments": photos.len() })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// One of an application's drawings or photos (or its thumbnail), to whoever
/// may see the application.
pub async fn image(
    pool: &AnyPool,
    caller: &Caller,
    attachment_id: i64,
    thumb: bool,
) -> Result<Vec<u8>, AppError> {
    let row: Option<(i64,)> =
        sqlx::query_as("select renovation_id from renovation_attachment where id = $1")
            .bind(attachment_id)
            .fetch_optional(pool)
            .await?;
    let (id,) = row.ok_or(AppError::NotFound)?;
    let app = find(pool, id).await?.ok_or(AppError::NotFound)?;
    super::who(&mut *pool.acquire().await?, caller, &app).await?;
    let column = if thumb { "thumb" } else { "content" };
    let (bytes,): (Vec<u8>,) = sqlx::query_as(&format!(
        "select {column} from renovation_attachment where id = $1"
    ))
    .bind(attachment_id)
    .fetch_one(pool)
    .await?;
    Ok(bytes)
}

/// An application's drawings and photos, in the order they were added, for its page.
pub async fn ids_of<'e>(ex: impl sqlx::AnyExecutor<'e>, id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("select id from renovation_attachment where renovation_id = $1 order by id")
            .bind(id)
            .fetch_all(ex)
            .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}
