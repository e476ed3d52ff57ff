//! Move-in and move-out (入住 / 收楼 / 迁出): a case the desk works through
//! step by step — identity and title, the joint inspection (验房), the
//! initial meter readings, the keys handed over, the agreements signed —
//! that can be left and resumed, and completes in one transaction: the
//! occupancy, billing's start (the house's status, effective on the handover
//! day) and the opening readings. The printed move-in sheet (入住登记表)
//! carries it all, and the portal's activation code.
//!
//! - here: the types the pages and the server share, and the closed value sets;
//! - `rules`: which steps a case still misses, the identity and house checks,
//!   the status a move-in gives a house, the default checklist (pure, unit-tested);
//! - `db` (server only): the page reads and the writes, one file per workflow;
//! - `api`: server functions; `pages`: the case list, the case page, the
//!   checklist editor; `print`: the move-in sheet.
//!
//! Move-out is [`out`] (its case, the settlement, completion) and the
//! goods-release pass the gate checks is [`pass`].
//!
//! Above the register, billing, key custody and repairs in the layers: a
//! move-in writes through their functions (an occupancy, a status change,
//! opening readings, a key handed over, a defect's repair ticket).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod out;
pub mod pages;
pub mod pass;
pub mod print;
pub mod rules;

use serde::{Deserialize, Serialize};

use crate::common::Choice;
use crate::estate::{HouseStatus, OccupancyRole};

crate::value_set! {
    /// Where a move-in case stands.
    pub enum CaseStatus("moves.status") {
        Open = "open",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

crate::value_set! {
    /// A step of a move-in, in the order the desk works them.
    pub enum Step("moves.step") {
        Identity = "identity",
        Inspection = "inspection",
        Readings = "readings",
        Keys = "keys",
        Agreements = "agreements",
    }
}

crate::value_set! {
    /// An inspection item's finding.
    pub enum Finding("moves.finding") {
        Ok = "ok",
        Defect = "defect",
    }
}

/// A move-in on the open list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: i64,
    pub house_id: i64,
    pub house_number: String,
    pub name: String,
    pub role: Option<OccupancyRole>,
    pub opened_at: String,
    pub missing: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub open: Vec<CaseRow>,
    /// The last completed ones (newest first).
    pub done: Vec<CaseRow>,
}

/// Who moves in, as the identity step saved it (personal data masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    pub mobile_masked: String,
    pub id_masked: String,
    pub role: OccupancyRole,
    pub title_no: String,
    pub lease_start: String,
    pub lease_end: String,
    pub owner_consent: bool,
    pub handover_on: String,
}

/// One item of the inspection checklist and its finding, if recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckLine {
    pub item_id: i64,
    pub room: String,
    pub item: String,
    pub finding: Option<Finding>,
    pub note: String,
    /// The repair ticket the defect became.
    pub ticket_id: Option<i64>,
}

/// A metered fee item: the house's last reading and the one taken at move-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterLine {
    pub fee_item_id: i64,
    pub name: String,
    /// The house's last reading (else its opening reading), as text; empty if none.
    pub last: String,
    pub reading: String,
}

/// One agreement and the day it was signed (empty: not yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementLine {
    pub id: i64,
    pub name: String,
    pub signed_on: String,
}

/// A key of the house held in the cabinet, to be handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CabinetKey {
    pub copy_id: i64,
    pub tag: String,
    pub hook: String,
}

/// A move-in case's page (and its printed sheet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePage {
    pub id: i64,
    pub estate_id: i64,
    pub estate_name: String,
    pub house_id: i64,
    pub house_number: String,
    pub area_centi: i64,
    pub house_status: HouseStatus,
    pub status: CaseStatus,
    pub identity: Option<Identity>,
    /// The house's current owners (a tenant's consent comes from one of them).
    pub owners: Vec<String>,
    pub checklist: Vec<CheckLine>,
    pub inspection_at: String,
    pub inspection_on_paper: bool,
    pub meters: Vec<MeterLine>,
    pub readings_at: String,
    pub cabinet_keys: Vec<CabinetKey>,
    pub keys_count: Option<i64>,
    pub keys_at: String,
    pub agreements: Vec<AgreementLine>,
    pub agreements_at: String,
    pub missing: Vec<Step>,
    pub opened_by: String,
    pub opened_at: String,
    pub completed_by: String,
    pub completed_at: String,
    /// The resident the completed move-in linked (for the portal code).
    pub resident_id: Option<i64>,
    pub cancelled_reason: String,
    pub today: String,
}

/// The estate's checklist template and agreements (the editor's page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub items: Vec<TemplateItem>,
    pub agreements: Vec<Choice>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TemplateItem {
    pub id: i64,
    pub room: String,
    pub item: String,
}

/// A portal activation code, shown once (on the printed move-in sheet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalCode {
    pub code: String,
    pub expires: String,
    pub mobile_masked: String,
}
