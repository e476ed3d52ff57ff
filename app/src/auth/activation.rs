//! Portal activation codes (开通码): how a resident gets into the portal.
//!
//! The desk issues a code for a resident record that lives somewhere now — on
//! the move-in sheet ([`issue_in`], inside the move-in's own write) or later
//! from the resident's page ([`issue_portal_code`]) — and the resident
//! redeems it on the public page `/activate` with the record's mobile and a
//! new password ([`redeem`], behind the plain form route `/auth/activate`):
//!
//! - a mobile with no account gets a resident account (named as the record,
//!   the password under the resident policy), linked to the record, and is
//!   signed in;
//! - a mobile that has an account gets the record linked to it — one person
//!   in two estates, or registered twice, signs in once and sees every house —
//!   and keeps its password: the page sends them to sign in with it. The
//!   code proves the desk saw the person, not that they know the account's
//!   password, so it never changes one.
//!
//! A code is eight random digits, valid 14 days ([`VALID_DAYS`]), used once
//! (a conditional update: two redemptions at once leave one winner), and a
//! new one for the same record revokes the one still unused.
//!
//! **Stored as an argon2id hash only**, salted per code, with the password
//! parameters. The project holds no server secret (no key in the application
//! state or `security/`) that an HMAC could be keyed with; an unkeyed hash of
//! eight digits is reversed from a copy of the database in well under a
//! second (10⁸ candidates), while argon2id costs tens of ms a candidate on a
//! core, so one code takes weeks of a core to search — longer than it lives.
//! The price is one argon2 check per redemption attempt per live code of that
//! mobile (nearly always one), under the same bounded hasher and the same
//! failure budgets as signing in ([`crate::auth::login::check_secret`]), keyed
//! by the mobile: guessing codes costs an attacker what guessing passwords does.
//!
//! A refused redemption — wrong, used, expired or revoked code, a mobile that
//! is not the record's — gets one answer that does not say which, counts as a
//! failure against the mobile's and the address's budgets, writes nothing but
//! its audit entry (as a failed sign-in's), and never the code.

use leptos::prelude::*;

use super::ActivationSlip;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod redeem;
#[cfg(feature = "ssr")]
pub use redeem::{redeem, ActivateForm, ActivationError, Redeemed};
#[cfg(feature = "ssr")]
pub use server::*;

/// Digits in a code.
pub const CODE_DIGITS: usize = 8;
/// Days a code is valid from the moment it is issued.
pub const VALID_DAYS: i64 = 14;

/// The code as typed: the spaces and dashes people type removed; `None`
/// unless what is left is exactly eight ASCII digits.
pub fn normalise_code(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The code in two groups of four (`1234 5678`), to read out and to print.
pub fn display_code(code: &str) -> String {
    if code.len() == CODE_DIGITS && code.is_ascii() {
        format!("{} {}", &code[..4], &code[4..])
    } else {
        code.to_string()
    }
}

/// 发放开通码: a new code for resident record `resident_id` of the caller's
/// estate, which must live somewhere now; the earlier unused code stops
/// working. Answers the slip to print — the only time the code is shown.
#[server(endpoint = "issue_portal_code")]
pub async fn issue_portal_code(resident_id: i64) -> Result<ActivationSlip, AppError> {
    use crate::auth::ActivationPurpose;
    use crate::common::personal::mask_mobile;
    use crate::common::Permission;
    use crate::guard::guarded;
    use crate::i18n::tr;

    guarded(Permission::UseDesk, move |call| async move {
        let holder = server::holder(call.pool(), resident_id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(holder.estate_id)?;
        if holder.lives_here == 0 {
            return Err(AppError::Rule(tr(call.lang(), "activation.no_occupancy")));
        }
        let mut w = call.write().await?;
        let issued = issue_in(
            &mut w,
            resident_id,
            holder.estate_id,
            ActivationPurpose::Desk,
            call.caller.account_id,
        )
        .await?;
        w.commit().await?;
        Ok(ActivationSlip {
            code: display_code(&issued.code),
            expires_at: issued.expires_at,
            estate_name: holder.estate_name,
            resident_name: holder.name,
            mobile_masked: mask_mobile(&holder.mobile),
            activate_url: format!("{}/activate", server::request_host()),
        })
    })
    .await
}

/// A code just issued: the plain digits, to be shown once, and when it stops
/// working (desk time, to the minute).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssuedCode {
    /// Eight digits (see [`display_code`] for printing).
    pub code: String,
    /// `YYYY-MM-DD HH:MM`, desk time.
    pub expires_at: String,
}

#[cfg(feature = "ssr")]
mod server {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use argon2::password_hash::{PasswordHasher, SaltString};
    use chrono::{DateTime, Duration, Utc};
    use sqlx::{AnyExecutor, FromRow};

    use super::{IssuedCode, VALID_DAYS};
    use crate::auth::ActivationPurpose;
    use crate::common::{AuditAction, AuditEntity, Lang};
    use crate::db::audit::Change;
    use crate::db::{time, OnUnique, Write};
    use crate::error::AppError;
    use crate::i18n::tr;

    /// Eight digits from `n` (taken below 10⁸), leading zeros kept.
    pub fn code_of(n: u32) -> String {
        format!("{:08}", n % 100_000_000)
    }

    /// A fresh code from the operating system's generator, uniform over all
    /// 10⁸ (draws at or above the largest multiple of 10⁸ are drawn again).
    fn new_code() -> String {
        const LIMIT: u32 = u32::MAX - u32::MAX % 100_000_000;
        loop {
            let n = OsRng.next_u32();
            if n < LIMIT {
                return code_of(n);
            }
        }
    }

    /// When a code issued at `issued` stops working: [`VALID_DAYS`] later, to the microsecond.
    pub fn expires_at(issued: DateTime<Utc>) -> DateTime<Utc> {
        issued + Duration::days(VALID_DAYS)
    }

    /// Whether a code expiring at `expires_at` still works at `now` (both
    /// database timestamp text, whose text order is time order) — the rule
    /// the redemption's SQL applies (`expires_at > now`).
    pub fn is_live(expires_at: &str, now: &str) -> bool {
        expires_at > now
    }

    /// A database time as the desk reads it: `YYYY-MM-DD HH:MM`, desk time.
    pub fn desk_time(t: DateTime<Utc>) -> String {
        t.with_timezone(&time::desk_offset())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// argon2id with the password parameters (argon2's defaults are
    /// OWASP's m = 19 MiB, t = 2, p = 1, as [`crate::security::hashing`]
    /// sets them); checked by the same hasher, whose PHC text carries them.
    async fn hash_code(code: String) -> Result<String, AppError> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2::Argon2::default()
                .hash_password(code.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
    }

    /// The request's language where there is a request (a server function),
    /// else the default (a test, a tool).
    fn request_lang() -> Lang {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.extensions
                    .get::<crate::guard::RequestIdentity>()
                    .map(|i| i.lang)
            })
            .unwrap_or_default()
    }

    /// The desk's own address as the request named it, for the slip; only a
    /// plain host name (and port) is printed, anything else gives the path alone.
    pub(super) fn request_host() -> String {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
            })
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 100
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
            })
            .unwrap_or_default()
    }

    /// A resident record as issuing a code needs it.
    #[derive(Debug, FromRow)]
    pub(super) struct Holder {
        pub estate_id: i64,
        pub estate_name: String,
        pub name: String,
        pub mobile: String,
        /// 1: the record has an open occupancy.
        pub lives_here: i64,
    }

    pub(super) async fn holder<'e>(
        ex: impl AnyExecutor<'e>,
        resident_id: i64,
    ) -> sqlx::Result<Option<Holder>> {
        sqlx::query_as(
            "select r.estate_id, e.name as estate_name, r.name, r.mobile, \
               case when exists (select 1 from occupancy o where o.resident_id = r.id and o.end_date is null) \
               then 1 else 0 end as lives_here \
             from resident r join estate e on e.id = r.estate_id where r.id = $1",
        )
        .bind(resident_id)
        .fetch_optional(ex)
        .await
    }

    /// Issues a code for resident record `resident_id` of estate `estate_id`
    /// inside the caller's write, revoking the record's earlier unused code;
    /// audited without the code. The record must belong to the estate
    /// (`NotFound`) and live somewhere now (`Rule`); whether the caller may
    /// act for that estate is the caller's check. `issued_by`: the account
    /// issuing it. Valid [`VALID_DAYS`] days.
    pub async fn issue_in(
        w: &mut Write,
        resident_id: i64,
        estate_id: i64,
        purpose: ActivationPurpose,
        issued_by: i64,
    ) -> Result<IssuedCode, AppError> {
        let lang = request_lang();
        let holder = holder(&mut **w, resident_id)
            .await?
            .filter(|h| h.estate_id == estate_id)
            .ok_or(AppError::NotFound)?;
        if holder.lives_here == 0 {
            return Err(AppError::Rule(tr(lang, "activation.no_occupancy")));
        }
        let code = new_code();
        let code_hash = hash_code(code.clone()).await?;
        let issued = Utc::now();
        let expires = expires_at(issued);
        let (issued_at, expires_at) = (time::to_db(issued), time::to_db(expires));
        let revoked = sqlx::query(
            "update activation_code set revoked_at = $1 \
             where resident_id = $2 and used_at is null and revoked_at is null",
        )
        .bind(&issued_at)
        .bind(resident_id)
        .execute(&mut **w)
        .await?
        .rows_affected();
        let (id,): (i64,) = sqlx::query_as(
            "insert into activation_code (resident_id, estate_id, code_hash, purpose, issued_by, \
             issued_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(resident_id)
        .bind(estate_id)
        .bind(&code_hash)
        .bind(purpose)
        .bind(issued_by)
        .bind(&issued_at)
        .bind(&expires_at)
        .fetch_one(&mut **w)
        .await
        // Another clerk issued one for the record at the same moment (PostgreSQL).
        .on_unique(|| AppError::Conflict(tr(lang, "activation.issue_conflict")))?;
        w.audit(
            Change::new(
                AuditAction::IssueActivationCode,
                AuditEntity::ActivationCode,
            )
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({
                "resident_id": resident_id,
                "purpose": purpose.as_str(),
                "expires_at": expires_at,
                "revoked_earlier": revoked,
            })),
        )
        .await?;
        Ok(IssuedCode {
            code,
            expires_at: desk_time(expires),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_eight_digits_whatever_spaces_and_dashes_are_typed() {
        assert_eq!(normalise_code("12345678").as_deref(), Some("12345678"));
        assert_eq!(normalise_code(" 1234 5678 ").as_deref(), Some("12345678"));
        assert_eq!(normalise_code("1234-5678").as_deref(), Some("12345678"));
        assert_eq!(
            normalise_code("1234\u{3000}5678").as_deref(),
            Some("12345678")
        );
        for wrong in ["1234567", "123456789", "1234567a", "１２３４５６７８", ""] {
            assert_eq!(normalise_code(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn a_code_prints_in_two_groups_of_four() {
        assert_eq!(display_code("00012345"), "0001 2345");
        assert_eq!(
            normalise_code(&display_code("90817263")).as_deref(),
            Some("90817263")
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn codes_keep_their_leading_zeros_and_stay_below_ten_to_the_eighth() {
        assert_eq!(code_of(42), "00000042");
        assert_eq!(code_of(99_999_999), "99999999");
        assert_eq!(code_of(100_000_000), "00000000");
        assert_eq!(code_of(u32::MAX).len(), 8);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_code_works_for_fourteen_days_to_the_microsecond() {
        use crate::db::time;
        use chrono::TimeZone;
        let issued = chrono::Utc
            .with_ymd_and_hms(2026, 3, 1, 2, 30, 0)
            .single()
            .expect("time");
        let expires = time::to_db(expires_at(issued));
        assert_eq!(expires, "2026-03-15T02:30:00.000000Z");
        let at = |t: chrono::DateTime<chrono::Utc>| time::to_db(t);
        assert!(is_live(&expires, &at(issued)));
        assert!(is_live(
            &expires,
            &at(issued + chrono::Duration::days(14) - chrono::Duration::microseconds(1))
        ));
        assert!(!is_live(&expires, &at(issued + chrono::Duration::days(14))));
        assert!(!is_live(&expires, &at(issued + chrono::Duration::days(30))));
        // Told to the resident in desk time (UTC+8).
        assert_eq!(desk_time(expires_at(issued)), "2026-03-15 10:30");
    }
}
