//! Each role's home: the desk (clerks, managers), the maintenance queue, the
//! resident portal. Later areas add their panels here.
//!
//! - [`api`]: the homes' server functions; `db` (server only): their SQL.
//! - [`pages`]: the desk's and the portal's home pages, and the estate table
//!   the admin's estate page shows too.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

use crate::estate::OccupancyRole;

/// One estate on the desk's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct EstateSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub buildings: i64,
    pub houses: i64,
    pub residents: i64,
}

/// A house the signed-in resident is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MyHouse {
    pub house_id: i64,
    pub estate_name: String,
    pub number: String,
    pub area_centi: i64,
    pub role: OccupancyRole,
    pub start_date: String,
}

/// The signed-in resident's own details, masked like everywhere else (a
/// shared phone or a screen over the shoulder): each is one audited reveal
/// away ([`api::reveal_my_field`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyProfile {
    pub name: String,
    pub mobile_masked: String,
    pub id_number_masked: Option<String>,
}
