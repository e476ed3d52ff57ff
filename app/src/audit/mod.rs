//! The operation log (操作日志): every write says who, when, which record, the
//! action, and the values before and after. Append-only — the database refuses
//! updates and deletes of `audit_log` (triggers in migration 0001).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

/// One entry as the log page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor_name: String,
    pub ip: Option<String>,
    pub estate_id: Option<i64>,
    pub entity: String,
    pub entity_id: Option<String>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The log page's filters; empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: String,
    pub entity: String,
    pub action: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub to: String,
    /// Entries older than this id (for paging back); 0 for the newest.
    pub before_id: i64,
}

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditResults {
    pub entries: Vec<AuditEntry>,
    /// The id to pass as `before_id` for the next page, if there is one.
    pub next_before_id: Option<i64>,
}
