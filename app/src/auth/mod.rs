//! Accounts, sessions and roles: who is calling, and what they may do.
//!
//! - [`rules`]: the permission matrix and the page guard's rule (pure).
//! - [`api`]: the one check every server function calls first, [`api::authorize`].
//! - `password` / `hashing` / `session` / `db` (server only): the password policy,
//!   argon2id behind a semaphore, the session's contents, and account SQL.
//! - `login` / `limiter` (server only): signing in, and the failure budgets
//!   every password check spends (the throttling rule is in `limiter`'s doc).

pub mod api;
pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod hashing;
#[cfg(feature = "ssr")]
pub mod limiter;
#[cfg(feature = "ssr")]
pub mod login;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;

use serde::{Deserialize, Serialize};

/// An account's role (角色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Clerk,
    Maintenance,
    Resident,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Manager,
        Role::Clerk,
        Role::Maintenance,
        Role::Resident,
    ];
    pub const STAFF: [Role; 4] = [Role::Admin, Role::Manager, Role::Clerk, Role::Maintenance];

    /// The value stored in `account.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Clerk => "clerk",
            Role::Maintenance => "maintenance",
            Role::Resident => "resident",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn is_staff(self) -> bool {
        self != Role::Resident
    }
}

/// What a server function may ask of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Any signed-in account.
    SignedIn,
    /// Create staff, assign roles and estates, disable accounts, reset passwords.
    ManageAccounts,
    /// Browse the operation log (操作日志).
    ViewAuditLog,
    /// The service desk (前台): clerks and their managers.
    UseDesk,
    /// The maintenance phone view.
    WorkJobs,
    /// The resident portal.
    UsePortal,
    /// Fee items, rates and the late-fee policy (admins and managers).
    ManageFees,
    /// Bill runs (生成账单): managers and admins.
    RunBilling,
    /// Reversals (冲红) and waivers (减免): managers only.
    ApproveMoney,
    /// Repair targets, common areas, the repair charge's fee item, worker skills.
    ManageRepairs,
    /// The escalation list of poor return visits (客服主管): managers only.
    HandleEscalations,
}

/// The estates a caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EstateScope {
    All,
    Only(Vec<i64>),
}

/// The UI's language; `zh` (Simplified Chinese) unless the account chose English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The signed-in account as the browser sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub account_id: i64,
    pub role: Role,
    pub display_name: String,
    pub lang: Lang,
}
