//! The estate's joint-inspection checklist (rooms × items) and the
//! agreements a new resident signs. An estate starts from the defaults the
//! first time a case opens or the editor is saved; managers edit it. An item
//! taken out is retired, so past inspections still name it.

use sqlx::AnyPool;

use crate::common::{AuditAction, AuditEntity, Caller, Choice, EstateScope, Lang, Permission};
use crate::db::audit::Change;
use crate::db::{scoped_estates, time, OnUnique, Write};
use crate::error::AppError;
use crate::i18n::tr;
use crate::moves::rules::{DEFAULT_AGREEMENTS, DEFAULT_CHECKLIST};
use crate::moves::{Template, TemplateItem};

/// Gives the estate the default checklist and agreements if it has none yet.
pub async fn ensure_defaults(w: &mut Write, estate_id: i64) -> sqlx::Result<()> {
    let now = time::now();
    let (items,): (i64,) =
        sqlx::query_as("select count(*) from inspection_item where estate_id = $1")
            .bind(estate_id)
            .fetch_one(&mut **w)
            .await?;
    if items == 0 {
        let mut position = 0;
        for (room, list) in DEFAULT_CHECKLIST {
            for item in *list {
                position += 1;
                sqlx::query(
                    // Two first cases of an estate at once: the defaults once.
                    "insert into inspection_item (estate_id, room, item, position, created_at) \
                     values ($1, $2, $3, $4, $5) on conflict do nothing",
                )
                .bind(estate_id)
                .bind(*room)
                .bind(*item)
                .bind(position)
                .bind(&now)
                .execute(&mut **w)
                .await?;
            }
        }
    }
    let (agreements,): (i64,) =
        sqlx::query_as("select count(*) from agreement_kind where estate_id = $1")
            .bind(estate_id)
            .fetch_one(&mut **w)
            .await?;
    if agreements == 0 {
        for (position, name) in DEFAULT_AGREEMENTS.iter().enumerate() {
            sqlx::query(
                "insert into agreement_kind (estate_id, name, position, created_at) values ($1, $2, $3, $4) \
                 on conflict do nothing",
            )
            .bind(estate_id)
            .bind(*name)
            .bind(position as i64 + 1)
            .bind(&now)
            .execute(&mut **w)
            .await?;
        }
    }
    Ok(())
}

/// The editor's page: the live checklist and agreements of an estate (the
/// defaults if it has none yet).
pub async fn template(
    pool: &AnyPool,
    caller: &Caller,
    scope: &EstateScope,
    estate_id: i64,
) -> sqlx::Result<Template> {
    let (estates, estate_id) = scoped_estates(pool, scope, estate_id).await?;
    let mut items: Vec<TemplateItem> = sqlx::query_as(
        "select id, room, item from inspection_item where estate_id = $1 and retired_at is null \
         order by position, id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let mut agreements: Vec<Choice> = sqlx::query_as(
        "select id, name from agreement_kind where estate_id = $1 and retired_at is null order by position, id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let (stored,): (i64,) =
        sqlx::query_as("select count(*) from inspection_item where estate_id = $1")
            .bind(estate_id)
            .fetch_one(pool)
            .await?;
    // Not stored yet: show what the first case will start from.
    if stored == 0 {
        items = DEFAULT_CHECKLIST
            .iter()
            .flat_map(|(room, list)| {
                list.iter().map(|item| TemplateItem {
                    id: 0,
                    room: room.to_string(),
                    item: item.to_string(),
                })
            })
            .collect();
    }
    if agreements.is_empty() {
        agreements = DEFAULT_AGREEMENTS
            .iter()
            .map(|name| Choice {
                id: 0,
                name: name.to_string(),
            })
            .collect();
    }
    Ok(Template {
        estates,
        estate_id,
        items,
        agreements,
        can_edit: caller.may(Permission::ManageMoves),
    })
}

fn text(value: &str, max: usize) -> Option<String> {
    let t = value.trim();
    (!t.is_empty() && t.chars().count() <= max).then(|| t.to_string())
}

/// Adds an item to the estate's checklist (at the end of its room).
pub async fn add_item(
    w: &mut Write,
    lang: Lang,
    estate_id: i64,
    room: &str,
    item: &str,
) -> Result<i64, AppError> {
    let (Some(room), Some(item)) = (text(room, 20), text(item, 40)) else {
        let mut problems = Vec::new();
        if text(room, 20).is_none() {
            problems.push(("room", "moves.invalid.room"));
        }
        if text(item, 40).is_none() {
            problems.push(("item", "moves.invalid.item"));
        }
        return Err(crate::i18n::refused(lang, problems));
    };
    ensure_defaults(w, estate_id).await?;
    let (position,): (i64,) = sqlx::query_as(
        "select coalesce(max(position), 0) + 1 from inspection_item where estate_id = $1",
    )
    .bind(estate_id)
    .fetch_one(&mut **w)
    .await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into inspection_item (estate_id, room, item, position, created_at) \
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(estate_id)
    .bind(&room)
    .bind(&item)
    .bind(position)
    .bind(time::now())
    .fetch_one(&mut **w)
    .await
    .on_unique(|| AppError::field("item", tr(lang, "moves.invalid.item_exists")))?;
    w.audit(
        Change::new(AuditAction::EditChecklist, AuditEntity::MoveIn)
            .estate(estate_id)
            .after(serde_json::json!({ "added": { "id": id, "room": room, "item": item } })),
    )
    .await?;
    Ok(id)
}

/// Takes a row of the estate's template out (`table`: `inspection_item` or
/// `agreement_kind`; ours, not typed): kept for the cases that used it.
async fn retire(
    w: &mut Write,
    table: &'static str,
    estate_id: i64,
    id: i64,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let done = sqlx::query(&format!(
        "update {table} set retired_at = $1 where id = $2 and estate_id = $3 and retired_at is null"
    ))
    .bind(time::now())
    .bind(id)
    .bind(estate_id)
    .execute(&mut **w)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    w.audit(
        Change::new(AuditAction::EditChecklist, AuditEntity::MoveIn)
            .estate(estate_id)
            .after(after),
    )
    .await?;
    Ok(())
}

/// Takes an item out of the checklist (kept for the inspections that used it).
pub async fn retire_item(w: &mut Write, estate_id: i64, item_id: i64) -> Result<(), AppError> {
    let after = serde_json::json!({ "retired": item_id });
    retire(w, "inspection_item", estate_id, item_id, after).await
}

/// Adds an agreement new residents sign.
pub async fn add_agreement(
    w: &mut Write,
    lang: Lang,
    estate_id: i64,
    name: &str,
) -> Result<i64, AppError> {
    let name =
        text(name, 40).ok_or_else(|| AppError::field("name", tr(lang, "moves.invalid.agreement")))?;
    ensure_defaults(w, estate_id).await?;
    let (position,): (i64,) = sqlx::query_as(
        "select coalesce(max(position), 0) + 1 from agreement_kind where estate_id = $1",
    )
    .bind(estate_id)
    .fetch_one(&mut **w)
    .await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into agreement_kind (estate_id, name, position, created_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(estate_id)
    .bind(&name)
    .bind(position)
    .bind(time::now())
    .fetch_one(&mut **w)
    .await
    .on_unique(|| AppError::field("name", tr(lang, "moves.invalid.agreement_exists")))?;
    w.audit(
        Change::new(AuditAction::EditChecklist, AuditEntity::MoveIn)
            .estate(estate_id)
            .after(serde_json::json!({ "agreement": name })),
    )
    .await?;
    Ok(id)
}

/// Takes an agreement off the list.
pub async fn retire_agreement(w: &mut Write, estate_id: i64, id: i64) -> Result<(), AppError> {
    let after = serde_json::json!({ "retired_agreement": id });
    retire(w, "agreement_kind", estate_id, id, after).await
}
