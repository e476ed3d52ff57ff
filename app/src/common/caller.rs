//! The signed-in account behind a request, as the server resolved it once,
//! before any page or server function ran (see `auth::session::caller`).

use super::{sees_estate, EstateScope, Lang, Me, Role};
use crate::error::AppError;

/// A house a resident lives in now, and the moment (database timestamp text)
/// from which its records are theirs to see (`auth::residence` draws the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residence {
    pub house_id: i64,
    pub from: String,
}

/// The signed-in account behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: i64,
    pub role: Role,
    pub display_name: String,
    pub lang: Lang,
    pub scope: EstateScope,
    /// A resident account's first resident record (the one it was opened
    /// for). The account may be linked to more — one person in two estates —
    /// through `auth::residence::linked_residents`; where a house or estate is
    /// at hand, `auth::residence::acting_resident` names the record that acts.
    pub resident_id: Option<i64>,
    /// A resident's current houses, under every resident record linked to the
    /// account, each from the start of that record's own occupancy; empty for
    /// staff. Resolved once per request.
    pub residences: Vec<Residence>,
}

impl Caller {
    pub fn me(&self) -> Me {
        Me {
            account_id: self.account_id,
            role: self.role,
            display_name: self.display_name.clone(),
            lang: self.lang,
        }
    }

    /// Refuses a record of an estate this caller does not work for.
    pub fn check_estate(&self, estate_id: i64) -> Result<(), AppError> {
        if sees_estate(&self.scope, estate_id) {
            Ok(())
        } else {
            Err(AppError::forbidden("estate outside the caller's scope"))
        }
    }

    /// Whether the caller holds `permission`.
    pub fn may(&self, permission: super::Permission) -> bool {
        super::allows(self.role, permission)
    }
}
