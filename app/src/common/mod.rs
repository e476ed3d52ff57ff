//! The shared layer at the bottom of the app, compiled for the server and the
//! browser alike: roles, permissions and estate scope ([`access`]), the
//! caller, the language, ids, money, closed value sets and the audit log's
//! vocabulary. It depends on nothing else in the crate but [`crate::error`];
//! every area builds on it, so two areas never need each other for these.

pub mod access;
pub mod audit;
pub mod caller;
pub mod choice;
pub mod ids;
pub mod lang;
pub mod money;
pub mod personal;
pub mod values;

pub use access::*;
pub use audit::{AuditAction, AuditEntity};
pub use caller::{Caller, Residence};
pub use choice::Choice;
pub use ids::*;
pub use lang::Lang;
pub use money::Fen;
