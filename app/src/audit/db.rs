//! Reading the operation log (entries are written by [`crate::db::audit`],
//! inside the transaction of the write they record).

use sqlx::AnyExecutor;

use super::{AuditEntry, AuditFilter, AuditResults, PAGE_SIZE};
use crate::common::EstateScope;
use crate::db::{estate_filter, time};

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
        let records = estate_filter(scope, "estate_id");
        let staff = estate_filter(scope, "ae.estate_id");
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
