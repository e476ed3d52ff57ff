//! The goods-release pass (物品放行条): what a moving-out household may take
//! through the gate on one day. The desk issues it for a move-out that owes
//! nothing (or with a manager's approval); it is printed on half an A4 sheet
//! with a QR code; the gate scans it and the check page says valid, used,
//! expired or revoked, and marks it used.
//!
//! - here: the types, the verdict rule (pure, unit-tested);
//! - `db` (server only): issuing, the sheet, the check, the use, revoking;
//! - `api`: server functions; `pages`: the printed pass, the gate's check and
//!   the portal's request (搬家放行申请), which the desk issues from the move-out.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

crate::value_set! {
    /// Where a pass stands, as stored.
    pub enum PassStatus("moves.pass.status") {
        Requested = "requested",
        Issued = "issued",
        Used = "used",
        Revoked = "revoked",
    }
}

crate::value_set! {
    /// What the gate is told when it scans a pass.
    pub enum Verdict("moves.pass.verdict") {
        Valid = "valid",
        Used = "used",
        Expired = "expired",
        Revoked = "revoked",
        Unknown = "unknown",
    }
}

/// The gate's verdict on a pass with `status`, valid on `valid_on`, checked `today`.
pub fn verdict(status: PassStatus, valid_on: &str, today: &str) -> Verdict {
    match status {
        PassStatus::Used => Verdict::Used,
        PassStatus::Revoked => Verdict::Revoked,
        PassStatus::Requested => Verdict::Unknown,
        PassStatus::Issued if valid_on != today => Verdict::Expired,
        PassStatus::Issued => Verdict::Valid,
    }
}

/// A pass as the move-out's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRow {
    pub id: i64,
    pub pass_no: String,
    pub person_name: String,
    pub items: String,
    pub plate: String,
    pub valid_on: String,
    pub verdict: Verdict,
    /// Let out while owing, by this manager.
    pub approved_by: String,
}

/// The portal's page: the resident's passes and the houses they may ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPasses {
    pub passes: Vec<PassRow>,
    pub houses: Vec<crate::common::Choice>,
    pub today: String,
}

/// The printed pass (and the gate's check page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassSheet {
    pub pass: PassRow,
    pub estate_name: String,
    pub house_number: String,
    pub issued_by: String,
    pub issued_at: String,
    /// The QR code (an `<svg>` element) of the check page's address.
    pub qr_svg: String,
    pub check_path: String,
    pub used_at: String,
    pub used_by: String,
    pub move_out_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_good_once_on_its_day() {
        assert_eq!(verdict(PassStatus::Issued, "2026-12-02", "2026-12-02"), Verdict::Valid);
        assert_eq!(verdict(PassStatus::Issued, "2026-12-01", "2026-12-02"), Verdict::Expired);
        assert_eq!(verdict(PassStatus::Issued, "2026-12-03", "2026-12-02"), Verdict::Expired);
        assert_eq!(verdict(PassStatus::Used, "2026-12-02", "2026-12-02"), Verdict::Used);
        assert_eq!(verdict(PassStatus::Revoked, "2026-12-02", "2026-12-02"), Verdict::Revoked);
    }
}
