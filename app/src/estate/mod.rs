//! The estate register (房屋与业户档案): estates, buildings, houses, residents
//! and the occupancies that link them; the house page is the desk's hub.
//!
//! - [`rules`]: the checks of what the desk types (mobile, ID number, area,
//!   house number, an occupant, a resident's correction) and masking; pure.
//! - [`search`]: the desk's one search box — what a query means and how hits rank.
//! - [`api`]: the server functions; [`pages`]: the pages, one file per workflow.
//! - `db` (server only): the SQL, one file per workflow (houses, residents
//!   and occupancies, the search, import batches).
//! - `import` (server only): the register's spreadsheets — checking an
//!   upload, writing it all or nothing, the template, reports and exports.
//!
//! The closed sets of the register ([`HouseStatus`], [`HouseUse`],
//! [`OccupancyRole`], [`ImportStatus`], [`PersonalField`]) are declared here,
//! for both targets.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod import;
pub mod pages;
pub mod rules;
pub mod search;

use serde::{Deserialize, Serialize};

crate::value_set! {
    /// A house's status (房屋状态).
    pub enum HouseStatus("house.status") {
        NotHandedOver = "not_handed_over",
        Vacant = "vacant",
        Occupied = "occupied",
        Let = "let",
        Renovating = "renovating",
    }
}

crate::value_set! {
    /// What a house is used for (用途).
    pub enum HouseUse("house.uses") {
        Residential = "residential",
        Commercial = "commercial",
        Parking = "parking",
    }
}

crate::value_set! {
    /// How a resident is linked to a house (身份).
    pub enum OccupancyRole("occupancy") {
        Owner = "owner",
        CoOwner = "co_owner",
        Tenant = "tenant",
        Family = "family",
    }
}

crate::value_set! {
    /// What became of an import attempt. Never shown by name (the report
    /// page says it in a sentence), so its keys have no labels.
    pub enum ImportStatus("import.status") {
        Imported = "imported",
        Rejected = "rejected",
    }
}

crate::value_set! {
    /// A resident's personal data shown masked and revealed one at a time
    /// (each reveal audited); the keys are the fields' labels.
    pub enum PersonalField("resident") {
        Mobile = "mobile",
        IdNumber = "id_number",
    }
}

/// A row of the house list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct HouseRow {
    pub id: i64,
    pub number: String,
    pub building_name: String,
    pub floor: i64,
    pub area_centi: i64,
    pub status: HouseStatus,
    /// The current owners' names, joined.
    pub owners: String,
    /// Arrears (欠费): what its lines past due still owe, in fen.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub arrears_fen: i64,
}

/// A building to filter the house list by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BuildingOption {
    pub id: i64,
    pub estate_id: i64,
    pub name: String,
}

/// The house list's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseFilter {
    pub estate_id: i64,
    pub building_id: i64,
    /// Any status when `None` (or when the address names none there is).
    pub status: Option<HouseStatus>,
    pub page: i64,
}

pub const HOUSE_PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseList {
    pub estates: Vec<crate::common::Choice>,
    pub buildings: Vec<BuildingOption>,
    pub estate_id: i64,
    pub rows: Vec<HouseRow>,
    pub total: i64,
}

/// One occupancy as the house and resident pages show it (personal data masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupancyView {
    pub id: i64,
    pub house_id: i64,
    pub house_number: String,
    pub resident_id: i64,
    pub resident_name: String,
    pub mobile_masked: String,
    pub role: OccupancyRole,
    pub start_date: String,
    pub end_date: Option<String>,
}

/// One status change of a house: when it took effect (the desk day billing
/// counts from) and when it was recorded, by whom and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StatusChange {
    pub from_status: Option<HouseStatus>,
    pub to_status: HouseStatus,
    /// `YYYY-MM-DD` (生效日期).
    pub effective_on: String,
    pub changed_at: String,
    pub changed_by: Option<String>,
    pub reason: String,
}

/// The house page: the desk's hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseDetail {
    pub id: i64,
    pub estate_id: i64,
    pub estate_name: String,
    pub building_name: String,
    pub number: String,
    pub entrance: i64,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: HouseUse,
    pub status: HouseStatus,
    pub occupancies: Vec<OccupancyView>,
    /// Latest in effect first.
    pub history: Vec<StatusChange>,
    /// The effective date of the latest change in the history: no new change
    /// may take effect before it.
    pub latest_effective_on: Option<String>,
    /// Today at the desk (China Standard Time), the default for new dates.
    pub today: String,
    /// Whether the caller may correct the house's status by hand (a manager);
    /// the server checks again on every correction.
    pub may_correct: bool,
}

/// The resident page (personal data masked; revealed one field at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentDetail {
    pub id: i64,
    pub estate_id: i64,
    pub estate_name: String,
    pub name: String,
    pub mobile_masked: String,
    pub id_number_masked: Option<String>,
    pub notes: String,
    pub occupancies: Vec<OccupancyView>,
}

pub use crate::sheet::Problem as ImportProblem;

/// An import attempt and its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: i64,
    pub estate_id: i64,
    pub estate_name: String,
    pub file_name: String,
    pub status: ImportStatus,
    pub row_count: i64,
    pub houses: i64,
    pub residents: i64,
    pub occupancies: i64,
    pub unchanged: i64,
    pub problems: Vec<ImportProblem>,
    pub created_at: String,
}

/// A row of the resident list (personal data masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentRow {
    pub id: i64,
    pub name: String,
    pub mobile_masked: String,
    pub id_number_masked: Option<String>,
    /// Current houses with the relation, e.g. `3-2-1201 业主`.
    pub houses: Vec<(String, OccupancyRole)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentList {
    pub estates: Vec<crate::common::Choice>,
    pub estate_id: i64,
    pub rows: Vec<ResidentRow>,
    pub total: i64,
}
