//! An entrusted key and its owner: the owner revokes the authorisation (at
//! the desk or in the portal), and the key goes back to them with a final
//! check-out they sign for; the portal shows them every use of their key.

use sqlx::AnyPool;

use super::{facts, log};
use crate::common::{AuditAction, AuditEntity, Caller, KeyCopyId, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};
use crate::keys::rules::signature_png;
use crate::keys::{KeyKind, KeyUse, LogEntry, OwnerKey};
use crate::ui::desk_minute;

/// Revokes the key set's authorisation in force, in the write; whether there was one.
async fn revoke_in(w: &mut Write, key_set_id: i64, by: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "update key_authorisation set revoked_at = $2, revoked_by = $3 \
         where key_set_id = $1 and revoked_at is null",
    )
    .bind(key_set_id)
    .bind(time::now())
    .bind(by)
    .execute(&mut **w)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The owner, at the desk, takes their entrusted key back: the authorisation
/// is revoked and every copy in the cabinet is handed over in a final
/// check-out the owner signs (on screen or on paper). A copy out on loan
/// must come back first.
#[allow(clippy::too_many_arguments)]
pub async fn hand_back(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    resident_id: i64,
    signature: &str,
    signed_on_paper: bool,
) -> Result<(), AppError> {
    let f = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    if f.kind != KeyKind::Entrusted {
        return Err(AppError::Rule(tr(lang, "keys.refused.not_entrusted")));
    }
    let png = if signed_on_paper {
        None
    } else {
        Some(signature_png(signature).ok_or_else(|| {
            AppError::field("signature", tr(lang, "keys.invalid.owner_signature"))
        })?)
    };
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    let owner: Option<(String, String)> = sqlx::query_as(
        "select r.name, r.mobile from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.resident_id = $2 and o.role in ('owner', 'co_owner') and o.end_date is null",
    )
    .bind(f.house_id.unwrap_or(0))
    .bind(resident_id)
    .fetch_optional(&mut *w)
    .await?;
    let Some((name, mobile)) = owner else {
        return Err(AppError::field(
            "resident_id",
            tr(lang, "keys.invalid.owner"),
        ));
    };
    let out: Option<(String,)> =
        sqlx::query_as("select tag from key_copy where key_set_id = $1 and status = 'out' limit 1")
            .bind(f.key_set_id)
            .fetch_optional(&mut *w)
            .await?;
    if let Some((tag,)) = out {
        return Err(AppError::Rule(
            I18n(lang).f("keys.refused.copy_out", &[("tag", &tag)]),
        ));
    }
    revoke_in(&mut w, f.key_set_id, caller.account_id).await?;
    let copies: Vec<(KeyCopyId,)> = sqlx::query_as(
        "select id from key_copy where key_set_id = $1 and status = 'in_cabinet' order by copy_no",
    )
    .bind(f.key_set_id)
    .fetch_all(&mut *w)
    .await?;
    if copies.is_empty() {
        return Err(AppError::Rule(tr(lang, "keys.refused.none_in_cabinet")));
    }
    let now = time::now();
    let line = I18n(lang).f("keys.log_owner_back", &[("owner", &name)]);
    for (c,) in &copies {
        let (loan,): (i64,) = sqlx::query_as(
            // Handed over for good: the loan is complete as it is written.
            "insert into key_loan (copy_id, estate_id, taker_kind, taker_resident_id, taker_name, taker_phone, \
                purpose, authorised_by, lent_by, out_at, signature, signed_on_paper, returned_at, \
                returned_by_name, received_by, condition, return_note) \
             values ($1, $2, 'resident', $3, $4, $5, 'owner_return', $6, $6, $7, $8, $9, $7, $4, $6, 'good', $10) returning id",
        )
        .bind(*c)
        .bind(f.estate_id)
        .bind(resident_id)
        .bind(&name)
        .bind(&mobile)
        .bind(caller.account_id)
        .bind(&now)
        .bind(png.as_deref())
        .bind(i64::from(signed_on_paper))
        .bind(&line)
        .fetch_one(&mut *w)
        .await?;
        let moved = sqlx::query(
            "update key_copy set status = 'retired' where id = $1 and status = 'in_cabinet'",
        )
        .bind(*c)
        .execute(&mut *w)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(AppError::Conflict(tr(lang, "keys.refused.not_now")));
        }
        let cf = facts(&mut *w, *c).await?;
        log(&mut w, &cf, Some(loan), LogEntry::HandToOwner, &line).await?;
    }
    w.audit(
        Change::new(AuditAction::HandKeyToOwner, AuditEntity::KeySet)
            .id(f.key_set_id)
            .estate(f.estate_id)
            .after(serde_json::json!({
                "resident_id": resident_id,
                "copies": copies.iter().map(|c| c.0).collect::<Vec<_>>(),
                "signed_on_paper": signed_on_paper,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Whether the resident is an owner (or co-owner) of `house` today.
async fn owns(pool: &AnyPool, resident_id: i64, house: i64) -> Result<bool, AppError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "select id from occupancy where house_id = $1 and resident_id = $2 \
           and role in ('owner', 'co_owner') and end_date is null",
    )
    .bind(house)
    .bind(resident_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// The owner revokes their authorisation in the portal: no one may take the
/// key from now on; the desk hands it back when they come for it.
pub async fn revoke_in_portal(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    key_set_id: i64,
) -> Result<(), AppError> {
    let resident = caller
        .resident_id
        .ok_or_else(|| AppError::forbidden("a resident account without a resident"))?;
    let set: Option<(i64, Option<i64>, KeyKind)> =
        sqlx::query_as("select estate_id, house_id, kind from key_set where id = $1")
            .bind(key_set_id)
            .fetch_optional(&db.pool)
            .await?;
    let Some((estate_id, Some(house), KeyKind::Entrusted)) = set else {
        return Err(AppError::NotFound);
    };
    if !caller.residences.iter().any(|r| r.house_id == house)
        || !owns(&db.pool, resident, house).await?
    {
        return Err(AppError::forbidden("not an owner of the key's house"));
    }
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(key_set_id)).await?;
    if !revoke_in(&mut w, key_set_id, caller.account_id).await? {
        return Err(AppError::Rule(tr(lang, "keys.refused.nothing_to_revoke")));
    }
    let first: (KeyCopyId,) =
        sqlx::query_as("select id from key_copy where key_set_id = $1 order by copy_no limit 1")
            .bind(key_set_id)
            .fetch_one(&mut *w)
            .await?;
    let f = facts(&mut *w, first.0).await?;
    log(
        &mut w,
        &f,
        None,
        LogEntry::Revoke,
        &tr(lang, "keys.log_revoked_portal"),
    )
    .await?;
    w.audit(
        Change::new(AuditAction::RevokeKeyAuthorisation, AuditEntity::KeySet)
            .id(key_set_id)
            .estate(estate_id)
            .after(serde_json::json!({ "key_set_id": key_set_id, "by_owner": resident })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// The portal's entrusted keys of the houses the caller owns, each with every
/// use since the start of the caller's own occupancy.
pub async fn portal_keys(pool: &AnyPool, caller: &Caller) -> Result<Vec<OwnerKey>, AppError> {
    let resident = caller
        .resident_id
        .ok_or_else(|| AppError::forbidden("a resident account without a resident"))?;
    let mut keys = Vec::new();
    for residence in caller.residences.iter() {
        if !owns(pool, resident, residence.house_id).await? {
            continue;
        }
        #[derive(sqlx::FromRow)]
        struct Set {
            id: i64,
            number: String,
        }
        let sets: Vec<Set> = sqlx::query_as(
            "select s.id, h.number from key_set s join house h on h.id = s.house_id \
             where s.house_id = $1 and s.kind = 'entrusted' order by s.id",
        )
        .bind(residence.house_id)
        .fetch_all(pool)
        .await?;
        for set in sets {
            // A former owner's paper from before the caller's own occupancy is not theirs
            // to see; a co-owner's in force is (it opens their door).
            let authorisation = super::authorisation(pool, set.id).await?.filter(|a| {
                a.resident_id == resident || a.in_force || a.created_at >= residence.from
            });
            let mut uses: Vec<KeyUse> = sqlx::query_as(
                "select lo.out_at, lo.taker_name as taker, lo.taker_kind, \
                    coalesce(a.role, '') as taker_role, lo.purpose, lo.returned_at \
                 from key_loan lo join key_copy c on c.id = lo.copy_id \
                 left join account a on a.id = lo.taker_account_id \
                 where c.key_set_id = $1 and lo.out_at >= $2 order by lo.id desc",
            )
            .bind(set.id)
            .bind(&residence.from)
            .fetch_all(pool)
            .await?;
            for u in &mut uses {
                u.out_at = desk_minute(&u.out_at);
                u.returned_at = u.returned_at.as_deref().map(desk_minute);
            }
            let in_cabinet: (i64,) = sqlx::query_as(
                "select count(*) from key_copy where key_set_id = $1 and status in ('in_cabinet', 'out')",
            )
            .bind(set.id)
            .fetch_one(pool)
            .await?;
            keys.push(OwnerKey {
                key_set_id: set.id,
                house: set.number,
                can_revoke: authorisation
                    .as_ref()
                    .is_some_and(|a| a.revoked_at.is_none()),
                held: in_cabinet.0 > 0,
                authorisation,
                uses,
            });
        }
    }
    Ok(keys)
}

/// A move-in hands the house's keys held for it before handover (未收楼) to
/// its new owner, inside the move-in's write: every such copy in the cabinet
/// leaves in a final check-out to them (signed on the move-in sheet) and is
/// retired. Returns the tags handed over; a copy out on loan must come back first.
pub async fn hand_over_unhanded_in(
    w: &mut Write,
    lang: Lang,
    house_id: i64,
    owner_name: &str,
    owner_phone: &str,
    by: i64,
) -> Result<Vec<String>, AppError> {
    let sets: Vec<(i64,)> =
        sqlx::query_as("select id from key_set where house_id = $1 and kind = 'unhanded' order by id")
            .bind(house_id)
            .fetch_all(&mut **w)
            .await?;
    let mut tags = Vec::new();
    for (set,) in sets {
        w.lock(LockOn::KeySet(set)).await?;
        let out: Option<(String,)> =
            sqlx::query_as("select tag from key_copy where key_set_id = $1 and status = 'out' limit 1")
                .bind(set)
                .fetch_optional(&mut **w)
                .await?;
        if let Some((tag,)) = out {
            return Err(AppError::Rule(
                I18n(lang).f("keys.refused.copy_out", &[("tag", &tag)]),
            ));
        }
        let copies: Vec<(KeyCopyId, String)> = sqlx::query_as(
            "select id, tag from key_copy where key_set_id = $1 and status = 'in_cabinet' order by copy_no",
        )
        .bind(set)
        .fetch_all(&mut **w)
        .await?;
        let now = time::now();
        let line = I18n(lang).f("keys.log_owner_back", &[("owner", owner_name)]);
        for (c, tag) in &copies {
            let (loan,): (i64,) = sqlx::query_as(
                "insert into key_loan (copy_id, estate_id, taker_kind, taker_name, taker_phone, \
                    purpose, authorised_by, lent_by, out_at, signed_on_paper, returned_at, \
                    returned_by_name, received_by, condition, return_note) \
                 select id, estate_id, 'resident', $2, $3, 'owner_return', $4, $4, $5, 1, $5, $2, $4, 'good', $6 \
                 from key_copy where id = $1 returning id",
            )
            .bind(*c)
            .bind(owner_name)
            .bind(owner_phone)
            .bind(by)
            .bind(&now)
            .bind(&line)
            .fetch_one(&mut **w)
            .await?;
            let moved = sqlx::query(
                "update key_copy set status = 'retired' where id = $1 and status = 'in_cabinet'",
            )
            .bind(*c)
            .execute(&mut **w)
            .await?;
            if moved.rows_affected() != 1 {
                return Err(AppError::Conflict(tr(lang, "keys.refused.not_now")));
            }
            let cf = facts(&mut **w, *c).await?;
            log(w, &cf, Some(loan), LogEntry::HandToOwner, &line).await?;
            tags.push(tag.clone());
        }
    }
    Ok(tags)
}

/// The house's keys held before handover that are in the cabinet now: (copy, tag, hook label).
pub async fn unhanded_in_cabinet<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        tag: String,
        hook: i64,
        hook_cols: i64,
        name: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "select c.id, c.tag, c.hook, cab.hook_cols, cab.name from key_copy c \
         join key_set s on s.id = c.key_set_id join key_cabinet cab on cab.id = c.cabinet_id \
         where s.house_id = $1 and s.kind = 'unhanded' and c.status in ('in_cabinet', 'out') order by c.tag",
    )
    .bind(house_id)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let hook = crate::keys::rules::hook_label(r.hook, r.hook_cols);
            (r.id, r.tag, format!("{} {hook}", r.name))
        })
        .collect())
}
