//! Signing in: the password check under the failure budgets of
//! [`crate::security::limiter`] (whose doc states the rule), and what the
//! audit log keeps of a failed attempt. An activation code is checked under
//! the same budgets ([`check_secret`]).

use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use super::db::{self as account_db, AccountRow};
use crate::common::{AuditAction, AuditEntity};
use crate::db::audit::{self, Actor, Change};
use crate::security::hashing::{Busy, Slot};
use crate::state::AppState;

pub use crate::security::limiter::LoginLimiter;

/// Why signing in failed, as the login page tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown account or wrong password: deliberately the same answer.
    Invalid,
    /// The password was right but the account is disabled.
    Disabled,
    /// Too many failures from this account or address; try again after the wait.
    Throttled {
        wait_secs: u64,
    },
    /// Every hashing slot is taken and the queue for them is full; try again in a moment.
    Busy,
    Internal,
}

/// The longest identifier looked at: usernames are at most 32 characters and
/// mobiles 11, so anything longer is cut here, before the lookup, the limiter
/// and the audit log see it.
pub const MAX_IDENTIFIER_CHARS: usize = 64;

/// The outcome of a password check under the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Right,
    /// Wrong (counted against the budgets).
    Wrong,
    /// Refused: a budget is spent. `failed`: the password was checked and
    /// wrong (counted, and to be audited like any failure).
    Throttled {
        wait: Duration,
        failed: bool,
    },
    /// Not checked: no hashing slot in time (nothing counted).
    Busy,
}

/// The account's known addresses, read from the audit log the first time the
/// limiter meets the account (see [`crate::security::limiter`]). A read that fails
/// leaves the account-wide budget alone in force, which only ever refuses more.
async fn load_known_addresses(state: &AppState, name: &str, account_id: i64) {
    if state.limiter.knows(name) {
        return;
    }
    match account_db::recent_login_ips(&state.db.pool, account_id).await {
        Ok(ips) => state
            .limiter
            .remember(name, ips.iter().filter_map(|ip| ip.parse::<IpAddr>().ok())),
        Err(e) => tracing::error!(error = %e, "cannot read an account's earlier sign-ins"),
    }
}

/// The outcome of a check of any secret under the limiter (a password, an
/// activation code): [`SecretCheck::Right`] carries what the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretCheck<T> {
    Right(T),
    /// Wrong (counted against the budgets).
    Wrong,
    /// As [`PasswordCheck::Throttled`].
    Throttled {
        wait: Duration,
        failed: bool,
    },
    /// Not checked: no hashing slot in time (nothing counted).
    Busy,
}

/// A check of a secret under the limiter, for `name` (normalised) and its
/// account if there is one. The budgets are spent before the hash: refused
/// unheard while the account or address waits or while the checks in flight
/// would spend it; refused again if they spent it while this one queued for a
/// hashing slot; a failure is counted; and a check that finds a budget spent
/// by the time it finishes is refused too, right or wrong — so guesses sent
/// all at once learn nothing past the budget, and cost no more hashing.
///
/// `verify` is given the hashing slot and answers what it found (`None`:
/// wrong), or [`Busy`](crate::security::hashing::Busy) when it needed a
/// further slot and none came (nothing is counted then). Signing in and an
/// activation code spend the same budgets under the same name (a mobile), so
/// neither page is a way round the other's.
pub async fn check_secret<T, F, Fut>(
    state: &AppState,
    name: &str,
    account_id: Option<i64>,
    ip: Option<IpAddr>,
    verify: F,
) -> SecretCheck<T>
where
    F: FnOnce(Slot) -> Fut,
    Fut: Future<Output = Result<Option<T>, Busy>>,
{
    if let Some(id) = account_id {
        load_known_addresses(state, name, id).await;
    }
    let mut attempt = match state.limiter.begin(name, ip) {
        Ok(attempt) => attempt,
        Err(wait) => {
            return SecretCheck::Throttled {
                wait,
                failed: false,
            }
        }
    };
    let Ok(slot) = state.hasher.slot().await else {
        return SecretCheck::Busy;
    };
    if let Some(wait) = attempt.wait() {
        return SecretCheck::Throttled {
            wait,
            failed: false,
        };
    }
    attempt.hashing();
    let found = match verify(slot).await {
        Ok(found) => found,
        Err(Busy) => {
            // Not settled by a hash: its place is given back, as for a busy hasher.
            attempt.right();
            return SecretCheck::Busy;
        }
    };
    if found.is_some() {
        attempt.right();
    } else {
        attempt.failed();
    }
    match (state.limiter.wait(name, ip), found) {
        (Some(wait), found) => SecretCheck::Throttled {
            wait,
            failed: found.is_none(),
        },
        (None, Some(found)) => SecretCheck::Right(found),
        (None, None) => SecretCheck::Wrong,
    }
}

/// A password check under the limiter ([`check_secret`]), for `name`
/// (normalised) and its account if there is one; an unknown account is
/// checked against the dummy hash, at the same cost.
pub async fn check_password(
    state: &AppState,
    name: &str,
    account: Option<&AccountRow>,
    ip: Option<IpAddr>,
    password: String,
) -> PasswordCheck {
    let hash = account.map(|a| a.password_hash.clone());
    let hasher = state.hasher.clone();
    let verify =
        move |slot| async move { Ok(hasher.verify_in(slot, password, hash).await.then_some(())) };
    match check_secret(state, name, account.map(|a| a.id), ip, verify).await {
        SecretCheck::Right(()) => PasswordCheck::Right,
        SecretCheck::Wrong => PasswordCheck::Wrong,
        SecretCheck::Throttled { wait, failed } => PasswordCheck::Throttled { wait, failed },
        SecretCheck::Busy => PasswordCheck::Busy,
    }
}

/// Whole seconds to wait, at least one.
pub fn wait_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// Usernames are case-insensitive; mobiles are digits. Both are trimmed, and
/// cut to [`MAX_IDENTIFIER_CHARS`].
pub fn normalise_login_name(identifier: &str) -> String {
    let cut: String = identifier
        .trim()
        .chars()
        .take(MAX_IDENTIFIER_CHARS)
        .collect();
    cut.to_lowercase()
        .chars()
        .take(MAX_IDENTIFIER_CHARS)
        .collect()
}

/// What the audit log keeps of an identifier that names no account: it may be
/// a password typed into the wrong box, so only its first characters (three,
/// and never more than a third of it) and `***`. A known account is logged by
/// its name instead.
pub fn mask_unknown_identifier(identifier: &str) -> String {
    let chars: Vec<char> = identifier.chars().collect();
    let keep = (chars.len() / 3).min(3);
    format!("{}***", chars[..keep].iter().collect::<String>())
}

/// Checks the credentials, counting failures; writes the outcome to the audit log.
pub async fn sign_in(
    state: &AppState,
    identifier: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> Result<AccountRow, LoginError> {
    let name = normalise_login_name(identifier);
    // No early refusal before the lookup: the owner's known addresses, which
    // decide the budget, are found by the account's id.
    let account = account_db::by_login_name(&state.db.pool, &name)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "login lookup failed");
            LoginError::Internal
        })?;
    let checked = check_password(state, &name, account.as_ref(), ip, password.to_string()).await;
    if checked == PasswordCheck::Busy {
        return Err(LoginError::Busy);
    }
    if let PasswordCheck::Throttled {
        wait,
        failed: false,
    } = checked
    {
        // Refused unheard, or right but too late: neither a failure nor a sign-in.
        return Err(LoginError::Throttled {
            wait_secs: wait_secs(wait),
        });
    }
    let actor = Actor {
        account_id: account.as_ref().map(|a| a.id),
        name: account
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| mask_unknown_identifier(&name)),
        ip: ip.map(|ip| ip.to_string()),
    };
    let outcome = match (account, checked) {
        (Some(account), PasswordCheck::Right) if !account.is_disabled() => {
            state.limiter.succeeded(&name, ip);
            Ok(account)
        }
        (Some(_), PasswordCheck::Right) => Err(LoginError::Disabled),
        (_, PasswordCheck::Throttled { wait, .. }) => Err(LoginError::Throttled {
            wait_secs: wait_secs(wait),
        }),
        _ => Err(LoginError::Invalid),
    };
    let action = match &outcome {
        Ok(_) => AuditAction::Login,
        Err(LoginError::Disabled) => AuditAction::LoginRefusedDisabled,
        Err(_) => AuditAction::LoginFailed,
    };
    // An unknown identifier names no account: the entry has no record id.
    let change = Change::new(action, AuditEntity::Account);
    let change = match actor.account_id {
        Some(id) => change.id(id),
        None => change,
    };
    if let Err(e) = audit::record(&state.db.pool, &actor, change).await {
        tracing::error!(error = %e, "cannot record login in the audit log");
        return Err(LoginError::Internal);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_identifier_is_logged_masked() {
        // It may be a password typed into the wrong box.
        assert_eq!(mask_unknown_identifier("tr0ub4dor&3-secret"), "tr0***");
        assert_eq!(mask_unknown_identifier("13812345678"), "138***");
        assert_eq!(mask_unknown_identifier("clerkx"), "cl***");
        assert_eq!(mask_unknown_identifier("ab"), "***");
        assert_eq!(mask_unknown_identifier("物业服务中心好"), "物业***");
    }

    #[test]
    fn identifiers_are_trimmed_lowercased_and_cut_to_64_characters() {
        assert_eq!(normalise_login_name("  Clerk "), "clerk");
        let long = "A".repeat(10_000);
        assert_eq!(normalise_login_name(&long), "a".repeat(64));
        assert_eq!(normalise_login_name(&"物".repeat(100)).chars().count(), 64);
    }

    #[test]
    fn waits_are_whole_seconds_rounded_up() {
        assert_eq!(wait_secs(Duration::from_millis(200)), 1);
        assert_eq!(wait_secs(Duration::from_millis(29_100)), 30);
    }
}
