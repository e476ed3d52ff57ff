//! The register of keys: cabinets, keys with their copies (each on its own
//! hook, with its own tag), backup copies (a manager's, with a reason) and
//! owners' authorisations of entrusted keys.

use super::{facts, log, CopyFacts};
use crate::common::{AuditAction, AuditEntity, Caller, KeyCopyId, Lang, Role};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, LockOn, OnUnique, Write};
use crate::error::{AppError, FieldError};
use crate::i18n::{tr, I18n};
use crate::keys::rules::{copy_tag, parse_hook};
use crate::keys::{AuthScope, KeyKind, LogEntry};

fn invalid(lang: Lang, field: &str, key: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: tr(lang, key),
    }
}

/// Adds a cabinet of `rows` × `cols` hooks to an estate.
pub async fn add_cabinet(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    estate_id: i64,
    name: &str,
    place: &str,
    rows: &str,
    cols: &str,
) -> Result<i64, AppError> {
    caller.check_estate(estate_id)?;
    let mut errors = Vec::new();
    let name = name.trim();
    let place = place.trim();
    if name.is_empty() || name.chars().count() > 40 {
        errors.push(invalid(lang, "name", "keys.invalid.cabinet_name"));
    }
    if place.chars().count() > 60 {
        errors.push(invalid(lang, "place", "keys.invalid.place"));
    }
    let rows = rows
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|r| (1..=26).contains(r));
    let cols = cols
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| (1..=40).contains(c));
    if rows.is_none() {
        errors.push(invalid(lang, "rows", "keys.invalid.rows"));
    }
    if cols.is_none() {
        errors.push(invalid(lang, "cols", "keys.invalid.cols"));
    }
    let (Some(rows), Some(cols), true) = (rows, cols, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut w = db.write(actor.clone()).await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into key_cabinet (estate_id, name, place, hook_rows, hook_cols, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(estate_id)
    .bind(name)
    .bind(place)
    .bind(rows)
    .bind(cols)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::field("name", tr(lang, "keys.invalid.cabinet_taken")))?;
    w.audit(
        Change::new(AuditAction::AddKeyCabinet, AuditEntity::KeyCabinet)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({ "name": name, "place": place, "rows": rows, "cols": cols })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// A key registration as its form sends it.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub estate_id: i64,
    pub kind: String,
    pub house_number: String,
    pub location_id: String,
    pub cabinet_id: String,
    /// The first copy's hook (`B04` or `14`); the others take the next free hooks.
    pub hook: String,
    pub copies: String,
    /// Why the centre holds more than one copy (required then).
    pub reason: String,
    pub note: String,
}

/// A cabinet of the estate and its free hooks from `first` on, `count` of them.
async fn free_hooks(
    w: &mut Write,
    lang: Lang,
    estate_id: i64,
    cabinet_id: i64,
    hook: &str,
    count: i64,
) -> Result<Vec<i64>, AppError> {
    let cab: Option<(i64, i64)> = sqlx::query_as(
        "select hook_rows, hook_cols from key_cabinet where id = $1 and estate_id = $2",
    )
    .bind(cabinet_id)
    .bind(estate_id)
    .fetch_optional(&mut **w)
    .await?;
    let Some((rows, cols)) = cab else {
        return Err(AppError::field(
            "cabinet_id",
            tr(lang, "keys.invalid.cabinet"),
        ));
    };
    let Some(first) = parse_hook(hook, rows, cols) else {
        return Err(AppError::field("hook", tr(lang, "keys.invalid.hook")));
    };
    let taken: Vec<(i64,)> = sqlx::query_as(
        "select hook from key_copy where cabinet_id = $1 and status in ('in_cabinet', 'out')",
    )
    .bind(cabinet_id)
    .fetch_all(&mut **w)
    .await?;
    let taken: std::collections::HashSet<i64> = taken.into_iter().map(|(h,)| h).collect();
    if taken.contains(&first) {
        return Err(AppError::field("hook", tr(lang, "keys.invalid.hook_taken")));
    }
    let hooks: Vec<i64> = (first..=rows * cols)
        .filter(|h| !taken.contains(h))
        .take(usize::try_from(count).unwrap_or(0))
        .collect();
    if i64::try_from(hooks.len()).unwrap_or(0) < count {
        return Err(AppError::field("copies", tr(lang, "keys.invalid.no_room")));
    }
    Ok(hooks)
}

/// Registers a key and its copies; returns the first copy's id.
pub async fn register(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    form: &NewKey,
) -> Result<KeyCopyId, AppError> {
    caller.check_estate(form.estate_id)?;
    let mut errors = Vec::new();
    let kind = KeyKind::parse(&form.kind);
    if kind.is_none() {
        errors.push(invalid(lang, "kind", "keys.invalid.kind"));
    }
    let copies = form
        .copies
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| (1..=5).contains(c));
    match copies {
        None => errors.push(invalid(lang, "copies", "keys.invalid.copies")),
        // Staff never copy keys: more than one copy is a manager's decision, with a reason.
        Some(n) if n > 1 && caller.role != Role::Manager => {
            errors.push(invalid(lang, "copies", "keys.invalid.copies_manager"))
        }
        Some(n) if n > 1 && form.reason.trim().is_empty() => {
            errors.push(invalid(lang, "reason", "keys.invalid.reason"))
        }
        _ => {}
    }
    if form.note.trim().chars().count() > 200 || form.reason.trim().chars().count() > 200 {
        errors.push(invalid(lang, "note", "keys.invalid.note_long"));
    }
    let mut w = db.write(actor.clone()).await?;
    let (mut house_id, mut location_id) = (None, None);
    match kind {
        Some(KeyKind::Facility) => {
            let found: Option<(i64,)> =
                sqlx::query_as("select id from repair_location where id = $1 and estate_id = $2")
                    .bind(form.location_id.trim().parse::<i64>().unwrap_or(0))
                    .bind(form.estate_id)
                    .fetch_optional(&mut *w)
                    .await?;
            match found {
                Some((id,)) => location_id = Some(id),
                None => errors.push(invalid(lang, "location_id", "keys.invalid.location")),
            }
        }
        Some(k @ (KeyKind::Unhanded | KeyKind::Entrusted)) => {
            let found: Option<(i64, String)> =
                sqlx::query_as("select id, status from house where estate_id = $1 and number = $2")
                    .bind(form.estate_id)
                    .bind(form.house_number.trim())
                    .fetch_optional(&mut *w)
                    .await?;
            match found {
                // 未收楼 means just that: an owner's key is entrusted, with their paper.
                Some((_, status)) if k == KeyKind::Unhanded && status != "not_handed_over" => {
                    errors.push(invalid(lang, "kind", "keys.invalid.handed_over"))
                }
                Some((id, _)) => house_id = Some(id),
                None => errors.push(invalid(lang, "house_number", "keys.invalid.house")),
            }
        }
        None => {}
    }
    let cabinet_id = form.cabinet_id.trim().parse::<i64>().unwrap_or(0);
    let hooks = match copies {
        Some(n) => {
            match free_hooks(&mut w, lang, form.estate_id, cabinet_id, &form.hook, n).await {
                Ok(h) => h,
                Err(AppError::Invalid(e)) => {
                    errors.extend(e);
                    Vec::new()
                }
                Err(other) => return Err(other),
            }
        }
        None => Vec::new(),
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let now = time::now();
    let (set_id,): (i64,) = sqlx::query_as(
        "insert into key_set (estate_id, kind, house_id, location_id, note, created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(form.estate_id)
    .bind(kind)
    .bind(house_id)
    .bind(location_id)
    .bind(form.note.trim())
    .bind(caller.account_id)
    .bind(&now)
    .fetch_one(&mut *w)
    .await?;
    let mut first = None;
    let mut tags = Vec::new();
    for (n, hook) in (1..).zip(&hooks) {
        let tag = copy_tag(set_id, n);
        let approved = (n > 1).then_some(caller.account_id);
        let (copy_id,): (KeyCopyId,) = sqlx::query_as(
            "insert into key_copy (key_set_id, estate_id, copy_no, tag, cabinet_id, hook, status, reason, \
                approved_by, created_at) values ($1, $2, $3, $4, $5, $6, 'in_cabinet', $7, $8, $9) returning id",
        )
        .bind(set_id)
        .bind(form.estate_id)
        .bind(n)
        .bind(&tag)
        .bind(cabinet_id)
        .bind(hook)
        .bind(if n > 1 { form.reason.trim() } else { "" })
        .bind(approved)
        .bind(&now)
        .fetch_one(&mut *w)
        .await
        .on_unique(|| AppError::field("hook", tr(lang, "keys.invalid.hook_taken")))?;
        let f = facts(&mut *w, copy_id).await?;
        let entry = if n == 1 {
            LogEntry::Register
        } else {
            LogEntry::AddCopy
        };
        let line = if n == 1 {
            form.note.trim().to_string()
        } else {
            form.reason.trim().to_string()
        };
        log(&mut w, &f, None, entry, &line).await?;
        first.get_or_insert(copy_id);
        tags.push(tag);
    }
    let first = first.ok_or_else(|| AppError::internal("a key registered without copies"))?;
    w.audit(
        Change::new(AuditAction::RegisterKey, AuditEntity::KeySet)
            .id(set_id)
            .estate(form.estate_id)
            .after(serde_json::json!({
                "kind": kind,
                "house_id": house_id,
                "location_id": location_id,
                "cabinet_id": cabinet_id,
                "hooks": hooks,
                "tags": tags,
                "reason": form.reason.trim(),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(first)
}

/// Registers one more (backup) copy of the key of `copy`: a manager's, with a reason.
pub async fn add_copy(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    hook: &str,
    reason: &str,
) -> Result<KeyCopyId, AppError> {
    let f = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    if caller.role != Role::Manager {
        return Err(AppError::Rule(tr(lang, "keys.invalid.copies_manager")));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::field("reason", tr(lang, "keys.invalid.reason")));
    }
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    // A key handed back or whose lock was changed has no live copy: nothing to copy.
    let (live,): (i64,) = sqlx::query_as(
        "select count(*) from key_copy where key_set_id = $1 and status in ('in_cabinet', 'out')",
    )
    .bind(f.key_set_id)
    .fetch_one(&mut *w)
    .await?;
    if live == 0 {
        return Err(AppError::Rule(tr(lang, "keys.refused.no_live_copy")));
    }
    let (cabinet_id,): (i64,) = sqlx::query_as("select cabinet_id from key_copy where id = $1")
        .bind(copy)
        .fetch_one(&mut *w)
        .await?;
    let hooks = free_hooks(&mut w, lang, f.estate_id, cabinet_id, hook, 1).await?;
    let (n,): (i64,) =
        sqlx::query_as("select coalesce(max(copy_no), 0) + 1 from key_copy where key_set_id = $1")
            .bind(f.key_set_id)
            .fetch_one(&mut *w)
            .await?;
    let (id,): (KeyCopyId,) = sqlx::query_as(
        "insert into key_copy (key_set_id, estate_id, copy_no, tag, cabinet_id, hook, status, reason, \
            approved_by, created_at) values ($1, $2, $3, $4, $5, $6, 'in_cabinet', $7, $8, $9) returning id",
    )
    .bind(f.key_set_id)
    .bind(f.estate_id)
    .bind(n)
    .bind(copy_tag(f.key_set_id, n))
    .bind(cabinet_id)
    .bind(hooks[0])
    .bind(reason)
    .bind(caller.account_id)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::field("hook", tr(lang, "keys.invalid.hook_taken")))?;
    let new = facts(&mut *w, id).await?;
    log(&mut w, &new, None, LogEntry::AddCopy, reason).await?;
    w.audit(
        Change::new(AuditAction::AddKeyCopy, AuditEntity::KeyCopy)
            .id(id)
            .estate(f.estate_id)
            .after(serde_json::json!({ "tag": new.tag, "hook": hooks[0], "reason": reason })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Records an owner's written authorisation of an entrusted key (the paper is
/// kept at the desk; its scan is attached separately).
#[allow(clippy::too_many_arguments)]
pub async fn authorise(
    db: &Database,
    actor: &Actor,
    caller: &Caller,
    lang: Lang,
    copy: KeyCopyId,
    resident_id: i64,
    scope: &str,
    named_people: &str,
    valid_from: &str,
    valid_until: &str,
) -> Result<i64, AppError> {
    let f: CopyFacts = facts(&db.pool, copy).await?;
    caller.check_estate(f.estate_id)?;
    if f.kind != KeyKind::Entrusted {
        return Err(AppError::Rule(tr(lang, "keys.refused.not_entrusted")));
    }
    let mut errors = Vec::new();
    let scope = AuthScope::parse(scope);
    let named_people = named_people.trim();
    match scope {
        None => errors.push(invalid(lang, "scope", "keys.invalid.scope")),
        Some(AuthScope::Named) if named_people.is_empty() => {
            errors.push(invalid(lang, "named_people", "keys.invalid.named_people"))
        }
        _ => {}
    }
    if named_people.chars().count() > 200 {
        errors.push(invalid(lang, "named_people", "keys.invalid.note_long"));
    }
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok();
    let (from, until) = (day(valid_from), day(valid_until));
    if from.is_none() {
        errors.push(invalid(lang, "valid_from", "keys.invalid.date"));
    }
    match (from, until) {
        (_, None) => errors.push(invalid(lang, "valid_until", "keys.invalid.date")),
        (Some(a), Some(b)) if b < a => {
            errors.push(invalid(lang, "valid_until", "keys.invalid.until_before"))
        }
        // A paper that has already run out authorises nothing.
        (_, Some(b)) if time::date_to_db(b) < time::desk_today() => {
            errors.push(invalid(lang, "valid_until", "keys.invalid.until_past"))
        }
        _ => {}
    }
    let mut w = db.write(actor.clone()).await?;
    w.lock(LockOn::KeySet(f.key_set_id)).await?;
    // The one who signs is an owner (or co-owner) of the key's house today.
    let owner: Option<(String,)> = sqlx::query_as(
        "select r.name from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.resident_id = $2 and o.role in ('owner', 'co_owner') \
           and o.end_date is null",
    )
    .bind(f.house_id.unwrap_or(0))
    .bind(resident_id)
    .fetch_optional(&mut *w)
    .await?;
    if owner.is_none() {
        errors.push(invalid(lang, "resident_id", "keys.invalid.owner"));
    }
    let (Some(scope), Some(from), Some(until), Some((owner,)), true) =
        (scope, from, until, owner, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let (from, until) = (time::date_to_db(from), time::date_to_db(until));
    let (id,): (i64,) = sqlx::query_as(
        "insert into key_authorisation (key_set_id, estate_id, resident_id, scope, named_people, valid_from, \
            valid_until, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(f.key_set_id)
    .bind(f.estate_id)
    .bind(resident_id)
    .bind(scope)
    .bind(named_people)
    .bind(&from)
    .bind(&until)
    .bind(caller.account_id)
    .bind(time::now())
    .fetch_one(&mut *w)
    .await?;
    let line = I18n(lang).f(
        "keys.log_authorise",
        &[
            ("owner", &owner),
            ("scope", &tr(lang, scope.key())),
            ("from", &from),
            ("until", &until),
        ],
    );
    log(&mut w, &f, None, LogEntry::Authorise, &line).await?;
    w.audit(
        Change::new(AuditAction::AuthoriseKey, AuditEntity::KeyAuthorisation)
            .id(id)
            .estate(f.estate_id)
            .after(serde_json::json!({
                "key_set_id": f.key_set_id,
                "resident_id": resident_id,
                "scope": scope,
                "named_people": named_people,
                "valid_from": from,
                "valid_until": until,
            })),
    )
    .await?;
    w.commit().await?;
    Ok(id)
}
