//! Accounts, sessions and roles: who is calling, and what they may do.
//!
//! - [`api`]: the one check every server function calls first, [`api::authorize`].
//! - `password` / `session` / `db` / `residence` (server only): the password
//!   policy, the session's contents, account SQL, and which houses a resident
//!   sees from when.
//! - `login` (server only): signing in, spending the budgets of
//!   [`crate::security::limiter`] around [`crate::security::hashing`].

pub mod api;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod login;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod residence;
#[cfg(feature = "ssr")]
pub mod session;

// The shared vocabulary moved to `crate::common`; re-exported while areas move over.
pub use crate::common::{EstateScope, Lang, Me, Permission, Role};
