//! Appending to the operation log (操作日志). Every write records what it did
//! in its own transaction ([`super::Write::audit`]); the few entries with no
//! write of their own (a failed sign-in, a reveal) go through [`record`].
//! The log is append-only (a trigger refuses updates and deletes).

use serde::Serialize;
use sqlx::AnyExecutor;

use super::time;
use crate::common::{AuditAction, AuditEntity};

/// Who did something, as the log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The system itself (the command line, the demo, background jobs).
    pub fn system(name: &str) -> Actor {
        Actor {
            account_id: None,
            name: name.to_string(),
            ip: None,
        }
    }
}

/// One entry to record: `action` done to the `entity` record `entity_id`,
/// with what it was and became (serialised to JSON).
#[derive(Debug, Clone)]
pub struct Change {
    pub estate_id: Option<i64>,
    pub entity: AuditEntity,
    pub entity_id: Option<String>,
    pub action: AuditAction,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    /// `action` on a record of kind `entity`; add its id, estate and values.
    pub fn new(action: AuditAction, entity: AuditEntity) -> Change {
        Change {
            estate_id: None,
            entity,
            entity_id: None,
            action,
            before: None,
            after: None,
        }
    }

    /// The record's id.
    pub fn id(mut self, id: impl ToString) -> Change {
        self.entity_id = Some(id.to_string());
        self
    }

    /// The estate the record belongs to (its managers see the entry).
    pub fn estate(mut self, estate_id: i64) -> Change {
        self.estate_id = Some(estate_id);
        self
    }

    /// The estate, when the record may have none.
    pub fn estate_opt(mut self, estate_id: Option<i64>) -> Change {
        self.estate_id = estate_id;
        self
    }

    pub fn before(mut self, value: impl Serialize) -> Change {
        self.before = json(&value);
        self
    }

    pub fn after(mut self, value: impl Serialize) -> Change {
        self.after = json(&value);
        self
    }
}

/// A value as the log stores it.
pub fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Appends one entry; inside a write, call [`super::Write::audit`] instead.
pub async fn record<'e>(
    ex: impl AnyExecutor<'e>,
    actor: &Actor,
    change: Change,
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
