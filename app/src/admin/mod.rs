//! Administration, for admins: staff accounts (账号管理) — create staff,
//! assign roles and estates, disable accounts, reset passwords — and setting
//! up estates. Every change is audited.
//!
//! - [`rules`]: what a staff form and a new estate must hold; pure.
//! - [`api`]: the server functions; `db` (server only): their SQL.
//! - [`pages`]: the staff pages and the estates page.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
pub mod rules;

use serde::{Deserialize, Serialize};

use crate::common::Role;

/// A row of the staff list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub estates: Vec<String>,
    pub disabled: bool,
}

/// One member of staff, for the edit page (and the audit log's before/after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDetail {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub estate_ids: Vec<i64>,
    pub disabled: bool,
    /// A clerk who leads a shift (值班组长) and may authorise key check-outs.
    pub issues_keys: bool,
}

pub use crate::common::Choice;
