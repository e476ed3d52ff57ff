//! Move-out (迁出 / 退房): a case like move-in — who leaves and why, the
//! final meter readings, the settlement on one screen (the part month billed
//! to the move-out day, every unpaid line with its late fee, the prepaid
//! balance, one payment and one receipt), the keys back — that completes in
//! one transaction: the occupancies ended on the day, the house's status,
//! the leavers' portal codes voided. Completion is refused while anything
//! is owed, unless a manager overrides it with a written reason.
//!
//! - here: the types the pages and the server share, and the value sets;
//! - `rules`: which steps a case misses, who may leave as what, the status
//!   after, the settlement's sums and the override rule (pure, unit-tested);
//! - `db` (server only): the page read, the steps, the settlement, completion;
//! - `api`: server functions; `pages`: the case page.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rules;

use serde::{Deserialize, Serialize};

use crate::estate::{HouseStatus, OccupancyRole};
use crate::moves::{CaseStatus, MeterLine};

crate::value_set! {
    /// Why a household leaves.
    pub enum OutKind("moves.out_kind") {
        TenantLeaves = "tenant_leaves",
        Sale = "sale",
        OwnerLeaves = "owner_leaves",
    }
}

crate::value_set! {
    /// A step of a move-out, in the order the desk works them.
    pub enum OutStep("moves.out_step") {
        Leaving = "leaving",
        Readings = "readings",
        Settlement = "settlement",
        Keys = "keys",
    }
}

/// A move-out on the open list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutRow {
    pub id: i64,
    pub house_id: i64,
    pub house_number: String,
    pub names: String,
    pub kind: Option<OutKind>,
    pub opened_at: String,
    pub missing: Vec<OutStep>,
}

/// One of the house's current occupants, and whether they leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occupant {
    pub occupancy_id: i64,
    pub resident_id: i64,
    pub name: String,
    pub role: OccupancyRole,
    pub start_date: String,
    pub leaving: bool,
}

/// A line of the settlement: one of the house's unpaid lines, or one the
/// move-out will raise (`line_id: None`, before it is billed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleLine {
    pub line_id: Option<i64>,
    pub item: String,
    pub period: String,
    pub owed_fen: i64,
    pub late_fee_fen: i64,
    pub explanation: String,
    /// Raised by this move-out (the part month, a final reading's charge).
    pub this_move: bool,
}

/// The settlement as it stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub lines: Vec<SettleLine>,
    /// Items whose month was paid to its end already.
    pub paid_to_month_end: Vec<String>,
    pub prepaid_fen: i64,
    /// What the prepaid balance will settle (before billing).
    pub prepaid_offset_fen: i64,
    /// Still to pay: the lines and their late fees, less the prepaid offset.
    pub due_fen: i64,
    pub billed: bool,
    pub receipt_no: String,
    pub payment_id: Option<i64>,
    pub override_reason: String,
    pub override_by: String,
    pub override_fen: Option<i64>,
    /// Why the settlement cannot be billed yet (a month already read …).
    pub problem: String,
    /// The payment form's one-time key.
    pub request_key: String,
}

/// A key out to someone who leaves: it comes back before they go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenLoan {
    pub copy_id: i64,
    pub tag: String,
    pub taker: String,
    pub out_at: String,
}

/// An entrusted key of a leaving owner still in the cabinet (handed back on the key's page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrustedKey {
    pub copy_id: i64,
    pub tag: String,
}

/// A move-out case's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutPage {
    pub id: i64,
    pub estate_id: i64,
    pub estate_name: String,
    pub house_id: i64,
    pub house_number: String,
    pub house_status: HouseStatus,
    pub status: CaseStatus,
    pub kind: Option<OutKind>,
    pub move_out_on: String,
    pub buyer_name: String,
    pub occupants: Vec<Occupant>,
    pub meters: Vec<MeterLine>,
    pub readings_at: String,
    pub settlement: Settlement,
    pub loans: Vec<OpenLoan>,
    pub entrusted: Vec<EntrustedKey>,
    pub missing: Vec<OutStep>,
    pub opened_by: String,
    pub opened_at: String,
    pub completed_by: String,
    pub completed_at: String,
    pub cancelled_reason: String,
    pub today: String,
    /// The caller may override the settlement (a manager).
    pub can_override: bool,
    pub passes: Vec<crate::moves::pass::PassRow>,
    /// Residents' requests for a pass from this house, waiting for the desk.
    pub requests: Vec<crate::moves::pass::PassRow>,
}
