//! The images a key's records keep: the owner's signed authorisation (a photo
//! or scan, re-encoded like a repair photo, stored once) and a loan's drawn
//! signature. Shown only to the desk of the key's estate — and the paper also
//! to the owner who signed it.

use sqlx::AnyPool;

use crate::common::{AuditAction, AuditEntity, Caller, KeyCopyId, Lang, Permission};
use crate::db::audit::{Actor, Change};
use crate::db::{Database, LockOn};
use crate::error::AppError;
use crate::i18n::tr;
use crate::keys::LogEntry;

#[derive(sqlx::FromRow)]
struct PaperOf {
    estate_id: i64,
    key_set_id: i64,
    resident_id: i64,
}

async fn paper_of(pool: &AnyPool, id: i64) -> Result<PaperOf, AppError> {
    sqlx::query_as("select estate_id, key_set_id, resident_id from key_authorisation where id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether the desk `caller` may attach the paper of authorisation `id`
/// (checked before a byte of the upload is read).
pub async fn may_attach(pool: &AnyPool, caller: &Caller, id: i64) -> Result<(), AppError> {
    if !caller.may(Permission::UseDesk) {
        return Err(AppError::forbidden(
            "only the desk attaches an authorisation's paper",
        ));
    }
    caller.check_estate(paper_of(pool, id).await?.estate_id)
}

/// Stores the signed paper of authorisation `id` (JPEG and its thumbnail,
/// re-encoded by the caller); once — a later paper is a new authorisation.
/// Returns the copy whose page shows it.
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    id: i64,
    content: &[u8],
    thumb: &[u8],
) -> Result<KeyCopyId, AppError> {
    may_attach(&db.pool, caller, id).await?;
    let p = paper_of(&db.pool, id).await?;
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(p.key_set_id)).await?;
    let stored = sqlx::query(
        "update key_authorisation set paper = $2, paper_thumb = $3 where id = $1 and paper is null",
    )
    .bind(id)
    .bind(content)
    .bind(thumb)
    .execute(&mut *w)
    .await?;
    if stored.rows_affected() != 1 {
        return Err(AppError::Rule(tr(lang, "keys.refused.paper_kept")));
    }
    let (copy,): (KeyCopyId,) =
        sqlx::query_as("select id from key_copy where key_set_id = $1 order by copy_no limit 1")
            .bind(p.key_set_id)
            .fetch_one(&mut *w)
            .await?;
    let f = super::facts(&mut *w, copy).await?;
    super::log(
        &mut w,
        &f,
        None,
        LogEntry::Authorise,
        &tr(lang, "keys.log_paper"),
    )
    .await?;
    w.audit(
        Change::new(AuditAction::AttachKeyPaper, AuditEntity::KeyAuthorisation)
            .id(id)
            .estate(p.estate_id)
            .after(serde_json::json!({ "bytes": content.len() })),
    )
    .await?;
    w.commit().await?;
    Ok(copy)
}

/// The paper of authorisation `id` (or its thumbnail): to the desk of its
/// estate, and to the resident who signed it.
pub async fn paper(
    pool: &AnyPool,
    caller: &Caller,
    id: i64,
    thumb: bool,
) -> Result<Vec<u8>, AppError> {
    let p = paper_of(pool, id).await?;
    // Any of the account's resident records (one person in two estates).
    let signer = caller.role == crate::common::Role::Resident
        && crate::auth::residence::is_linked(pool, caller.account_id, p.resident_id).await?;
    if !signer {
        if !caller.may(Permission::UseDesk) {
            return Err(AppError::forbidden(
                "an authorisation's paper is the desk's and its signer's",
            ));
        }
        caller.check_estate(p.estate_id)?;
    }
    let column = if thumb { "paper_thumb" } else { "paper" };
    let bytes: Option<(Option<Vec<u8>>,)> = sqlx::query_as(&format!(
        "select {column} from key_authorisation where id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    bytes.and_then(|(b,)| b).ok_or(AppError::NotFound)
}

/// A loan's drawn signature (PNG), to the desk of its estate.
pub async fn signature(pool: &AnyPool, caller: &Caller, loan: i64) -> Result<Vec<u8>, AppError> {
    if !caller.may(Permission::UseDesk) {
        return Err(AppError::forbidden("a loan's signature is the desk's"));
    }
    let row: Option<(i64, Option<Vec<u8>>)> =
        sqlx::query_as("select estate_id, signature from key_loan where id = $1")
            .bind(loan)
            .fetch_optional(pool)
            .await?;
    let (estate, png) = row.ok_or(AppError::NotFound)?;
    caller.check_estate(estate)?;
    png.ok_or(AppError::NotFound)
}
