//! Who may do what: roles, permissions and estate scope, and the pure rules
//! over them that the server's one permission check ([`crate::guard`]), the
//! navigation and the page guard all ask. No I/O; compiled for both targets.

use serde::{Deserialize, Serialize};

use super::Lang;

crate::value_set! {
    /// An account's role (角色).
    pub enum Role("role") {
        Admin = "admin",
        Manager = "manager",
        Clerk = "clerk",
        Maintenance = "maintenance",
        Resident = "resident",
        /// 安保 / 监控中心: sees the keys out of the cabinet and the reports of lost
        /// keys and used backups; nothing else of the desk.
        Security = "security",
    }
}

impl Role {
    pub const STAFF: [Role; 5] = [
        Role::Admin,
        Role::Manager,
        Role::Clerk,
        Role::Maintenance,
        Role::Security,
    ];

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
    /// Read the key register, the keys out and the key reports (the desk and security).
    ViewKeys,
    /// Cabinets and backup copies (a backup copy is registered only by a manager).
    ManageKeys,
    /// The security post's home (安保 / 监控中心).
    WatchSecurity,
    /// The estate's move-in checklist and agreements (managers and admins).
    ManageMoves,
    /// A correction by hand of the register's record of a house (its status,
    /// outside move-in and move-out): managers only, with a reason.
    CorrectRegister,
    /// The gate's check of a goods-release pass (物品放行条): security and the desk.
    CheckPasses,
    /// The estate's renovation settings: scope and prohibited items, the
    /// inspection interval, the working hours, the engineering reviewers.
    ManageRenovations,
}

/// The estates a caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EstateScope {
    All,
    Only(Vec<i64>),
}

/// Who is signed in on this page load (`None`: nobody), in the page's
/// context. Identity only changes through a full page load (sign in, sign
/// out), so a plain value suffices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser(pub Option<Me>);

impl CurrentUser {
    /// Whether the page is shown to an account of `role` (for what a page
    /// adds for one role; the server decides what it may read).
    pub fn is(role: Role) -> bool {
        leptos::prelude::use_context::<CurrentUser>()
            .and_then(|c| c.0)
            .is_some_and(|me| me.role == role)
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

/// Whether `role` holds `permission`. Estate scope is checked separately, per record.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        SignedIn => true,
        ManageAccounts => role == Admin,
        ViewAuditLog => matches!(role, Admin | Manager),
        UseDesk => matches!(role, Admin | Manager | Clerk),
        WorkJobs => role == Maintenance,
        UsePortal => role == Resident,
        ManageFees | RunBilling => matches!(role, Admin | Manager),
        ApproveMoney | HandleEscalations => role == Manager,
        ManageRepairs => matches!(role, Admin | Manager),
        ViewKeys => matches!(role, Admin | Manager | Clerk | Security),
        ManageKeys => matches!(role, Admin | Manager),
        WatchSecurity => role == Security,
        ManageMoves => matches!(role, Admin | Manager),
        CorrectRegister => role == Manager,
        CheckPasses => matches!(role, Admin | Manager | Clerk | Security),
        ManageRenovations => matches!(role, Admin | Manager),
    }
}

/// The page a role lands on after signing in.
pub fn home_path(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin/staff",
        Role::Manager | Role::Clerk => "/desk",
        Role::Maintenance => "/jobs",
        Role::Resident => "/portal",
        Role::Security => "/security",
    }
}

/// The permission a page needs, by its path; `None` for public pages.
/// The server's page guard and the app shell both ask this one function.
pub fn page_permission(path: &str) -> Option<Permission> {
    // Pages inside the desk that need more than the desk.
    for (prefix, permission) in [
        ("/desk/escalations", Permission::HandleEscalations),
        ("/desk/repairs/setup", Permission::ManageRepairs),
        ("/desk/keys/setup", Permission::UseDesk),
        // The gate scans a goods-release pass.
        ("/desk/passes/check", Permission::CheckPasses),
        // The gate checks a renovation permit's QR code.
        ("/desk/renovations/check", Permission::CheckPasses),
        // Security reads the key pages too.
        ("/desk/keys", Permission::ViewKeys),
    ] {
        if path == prefix || path.starts_with(&format!("{prefix}/")) {
            return Some(permission);
        }
    }
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    match first {
        "admin" => Some(Permission::ManageAccounts),
        "audit" => Some(Permission::ViewAuditLog),
        "desk" => Some(Permission::UseDesk),
        "jobs" => Some(Permission::WorkJobs),
        "portal" => Some(Permission::UsePortal),
        "security" => Some(Permission::WatchSecurity),
        "account" => Some(Permission::SignedIn),
        // Signing in, and activating a resident account with a desk's code.
        "login" | "activate" => None,
        _ => None,
    }
}

/// Whether a caller who works for `estates` (or every estate) may touch a record of `estate_id`.
pub fn sees_estate(scope: &EstateScope, estate_id: i64) -> bool {
    match scope {
        EstateScope::All => true,
        EstateScope::Only(ids) => ids.contains(&estate_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 6] = [
        Role::Admin,
        Role::Manager,
        Role::Clerk,
        Role::Maintenance,
        Role::Resident,
        Role::Security,
    ];

    #[test]
    fn permission_matrix() {
        // One row per permission: which roles hold it, in ROLES order.
        let expected: [(Permission, [bool; 6]); 16] = [
            (
                Permission::ManageRenovations,
                [true, true, false, false, false, false],
            ),
            (
                Permission::CorrectRegister,
                [false, true, false, false, false, false],
            ),
            (
                Permission::ManageRepairs,
                [true, true, false, false, false, false],
            ),
            (
                Permission::HandleEscalations,
                [false, true, false, false, false, false],
            ),
            (
                Permission::ManageFees,
                [true, true, false, false, false, false],
            ),
            (
                Permission::RunBilling,
                [true, true, false, false, false, false],
            ),
            (
                Permission::ApproveMoney,
                [false, true, false, false, false, false],
            ),
            (Permission::SignedIn, [true, true, true, true, true, true]),
            (Permission::ViewKeys, [true, true, true, false, false, true]),
            (
                Permission::ManageKeys,
                [true, true, false, false, false, false],
            ),
            (
                Permission::WatchSecurity,
                [false, false, false, false, false, true],
            ),
            (
                Permission::ManageAccounts,
                [true, false, false, false, false, false],
            ),
            (
                Permission::ViewAuditLog,
                [true, true, false, false, false, false],
            ),
            (Permission::UseDesk, [true, true, true, false, false, false]),
            (
                Permission::WorkJobs,
                [false, false, false, true, false, false],
            ),
            (
                Permission::UsePortal,
                [false, false, false, false, true, false],
            ),
        ];
        for (permission, row) in expected {
            for (role, want) in ROLES.iter().zip(row) {
                assert_eq!(allows(*role, permission), want, "{role:?} {permission:?}");
            }
        }
    }

    #[test]
    fn every_home_is_a_page_its_role_may_open() {
        for role in ROLES {
            let needed = page_permission(home_path(role)).expect("homes are not public");
            assert!(allows(role, needed), "{role:?} cannot open its own home");
        }
    }

    #[test]
    fn residents_cannot_open_staff_pages() {
        for path in [
            "/desk",
            "/admin/staff",
            "/admin/staff/3",
            "/audit",
            "/jobs",
            "/security",
        ] {
            let needed = page_permission(path).expect("staff page");
            assert!(!allows(Role::Resident, needed), "{path}");
        }
        assert_eq!(page_permission("/login"), None);
        assert_eq!(page_permission("/activate"), None);
        assert_eq!(
            page_permission("/desk/escalations"),
            Some(Permission::HandleEscalations)
        );
        assert_eq!(
            page_permission("/desk/repairs/setup"),
            Some(Permission::ManageRepairs)
        );
        assert_eq!(
            page_permission("/desk/repairs/12"),
            Some(Permission::UseDesk)
        );
        assert_eq!(page_permission("/"), None);
        assert_eq!(page_permission("/desk/keys/12"), Some(Permission::ViewKeys));
        assert_eq!(
            page_permission("/desk/keys/setup"),
            Some(Permission::UseDesk)
        );
        assert_eq!(
            page_permission("/security"),
            Some(Permission::WatchSecurity)
        );
        assert!(allows(Role::Security, Permission::ViewKeys));
        assert!(!allows(Role::Security, Permission::UseDesk));
    }

    #[test]
    fn estate_scope() {
        assert!(sees_estate(&EstateScope::All, 7));
        assert!(sees_estate(&EstateScope::Only(vec![1, 7]), 7));
        assert!(!sees_estate(&EstateScope::Only(vec![1]), 7));
        assert!(!sees_estate(&EstateScope::Only(vec![]), 1));
    }
}
