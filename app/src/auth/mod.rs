//! Accounts, sessions and sign-in: who is calling.
//!
//! - [`api`]: the account's own server function (changing one's password)
//!   and the message for a refused password.
//! - [`pages`]: the sign-in page and the change-password page.
//! - `db` (server only): account SQL.
//! - `login` (server only): signing in, spending the budgets of
//!   [`crate::security::limiter`] around [`crate::security::hashing`], and
//!   what the audit log keeps of it.
//! - `password` (server only): the password policy.
//! - `residence` (server only): which houses a resident sees, from when.
//! - `session` (server only): what a session holds, and turning it back into
//!   the request's [`crate::common::Caller`].
//!
//! Roles, permissions and scope are the shared layer's ([`crate::common`]).

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

crate::value_set! {
    /// Why the sign-in route sent the browser back to the sign-in page
    /// (`/login?error=…`); the keys are the page's messages. Any other code
    /// (an internal failure) shows the general error.
    pub enum LoginRefusal("login") {
        /// Unknown account or wrong password (the same answer for both).
        Invalid = "invalid",
        Disabled = "disabled",
        Throttled = "throttled",
        Busy = "busy",
        Expired = "expired",
    }
}
