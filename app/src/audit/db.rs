//! Writing and reading the operation log.

use serde::Serialize;
use sqlx::AnyExecutor;

use super::{AuditEntry, AuditFilter, AuditResults, PAGE_SIZE};
use crate::auth::EstateScope;
use crate::db::time;

/// Who did something, as the log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
}

/// One write to record; `before`/`after` are serialised to JSON.
pub struct Change<'a> {
    pub estate_id: Option<i64>,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A value as the log stores it.
pub fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Appends one entry; call it inside the transaction of the write it records.
pub async fn record<'e>(
    ex: impl AnyExecutor<'e>,
    actor: &Actor,
    change: Change<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into audit_log (at, actor_id, actor_name, ip, estate_id, entity, entity_id, action, before, after) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(time::now())
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(actor.ip.as_deref())
    .bind(change.estate_id)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.action)
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(ex)
    .await?;
    Ok(())
}

/// A page of entries, newest first, that `scope` may see: admins everything;
/// managers their estates' records, and their staff's entries that belong to no estate.
pub async fn page<'e>(
    ex: impl AnyExecutor<'e>,
    scope: &EstateScope,
    f: &AuditFilter,
) -> sqlx::Result<AuditResults> {
    let mut sql = String::from(
        "select id, at, actor_name, ip, estate_id, entity, entity_id, action, before, after \
         from audit_log where 1 = 1",
    );
    let mut binds: Vec<String> = Vec::new();
    let mut push = |sql: &mut String, clause: &str, value: String| {
        binds.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if !f.actor.trim().is_empty() {
        push(
            &mut sql,
            " and actor_name like ?",
            format!("%{}%", f.actor.trim()),
        );
    }
    if !f.entity.trim().is_empty() {
        push(&mut sql, " and entity = ?", f.entity.trim().to_string());
    }
    if !f.action.trim().is_empty() {
        push(&mut sql, " and action = ?", f.action.trim().to_string());
    }
    // Days are the desk's days (China Standard Time); `at` is UTC text.
    if let Some(start) = time::local_day_start_utc(f.from.trim()) {
        push(&mut sql, " and at >= ?", start);
    }
    if let Some(end) = time::local_day_start_utc(f.to.trim())
        .and_then(|_| time::next_local_day_start_utc(f.to.trim()))
    {
        push(&mut sql, " and at < ?", end);
    }
    if *scope != EstateScope::All {
        // An entry with an estate belongs to that estate's managers alone, whoever
        // wrote it: a clerk shared by two estates shows each manager only their
        // own estate's part. Entries without an estate (sign-ins, own passwords)
        // show for the managers of the estates the actor works for.
        let records = crate::db::estate_filter(scope, "estate_id");
        let staff = crate::db::estate_filter(scope, "ae.estate_id");
        sql.push_str(&format!(
            " and ((estate_id is not null{records}) or (estate_id is null and actor_id in \
             (select ae.account_id from account_estate ae where 1 = 1{staff})))"
        ));
    }
    if f.before_id > 0 {
        sql.push_str(&format!(" and id < {}", f.before_id));
    }
    sql.push_str(&format!(" order by id desc limit {}", PAGE_SIZE + 1));
    let mut query = sqlx::query_as::<_, AuditEntry>(&sql);
    for b in &binds {
        query = query.bind(b.clone());
    }
    let mut rows = query.fetch_all(ex).await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next_before_id = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(AuditResults {
        entries: rows,
        next_before_id,
    })
}
