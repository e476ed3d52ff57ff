//! Accounts, sessions and sign-in: who is calling.
//!
//! - [`activation`]: portal activation codes (开通码): the desk issues one,
//!   a resident redeems it on `/activate` for an account or a new link.
//! - [`api`]: the account's own server function (changing one's password)
//!   and the message for a refused password.
//! - [`pages`]: the sign-in page, the activation page and the
//!   change-password page; the desk's activation slip.
//! - `db` (server only): account SQL.
//! - `login` (server only): signing in, spending the budgets of
//!   [`crate::security::limiter`] around [`crate::security::hashing`], and
//!   what the audit log keeps of it.
//! - `password` (server only): the password policy.
//! - `residence` (server only): which resident records an account is linked
//!   to, and which houses it sees, from when.
//! - `session` (server only): what a session holds, and turning it back into
//!   the request's [`crate::common::Caller`].
//!
//! Roles, permissions and scope are the shared layer's ([`crate::common`]).

pub mod activation;
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

crate::value_set! {
    /// Why an activation code was issued: printed on the move-in sheet, or
    /// handed out at the desk later (a lost slip, a resident registered before
    /// the portal existed).
    pub enum ActivationPurpose("activation.purpose") {
        MoveIn = "move_in",
        Desk = "desk",
    }
}

crate::value_set! {
    /// Why the activation route sent the browser back to `/activate?error=…`;
    /// the keys are the page's messages.
    pub enum ActivationRefusal("activation.refused") {
        /// Wrong, used, expired or revoked code, or a mobile that is not the
        /// record's: deliberately one answer.
        Invalid = "invalid",
        Throttled = "throttled",
        Busy = "busy",
        /// The mobile's account is disabled.
        Disabled = "disabled",
        /// Not an 11-digit mainland mobile.
        Mobile = "mobile",
        /// Not eight digits.
        CodeFormat = "code_format",
        Mismatch = "mismatch",
        TooShort = "too_short",
        TooLong = "too_long",
        TooCommon = "too_common",
    }
}

impl ActivationRefusal {
    /// The form field the message is shown at (`None`: above the form).
    pub fn field(self) -> Option<&'static str> {
        use ActivationRefusal::*;
        match self {
            Invalid | Throttled | Busy | Disabled => None,
            Mobile => Some("mobile"),
            CodeFormat => Some("code"),
            Mismatch => Some("confirm"),
            TooShort | TooLong | TooCommon => Some("password"),
        }
    }
}

/// The activation slip the desk prints (开通单), shown once: the code in
/// plain text exists only here and on the move-in sheet, never in the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivationSlip {
    /// Eight digits, grouped for reading (`1234 5678`).
    pub code: String,
    /// Desk time, to the minute.
    pub expires_at: String,
    pub estate_name: String,
    pub resident_name: String,
    pub mobile_masked: String,
    /// Where to activate, as the desk's own address (`desk.example.cn/activate`).
    pub activate_url: String,
}
