//! Signing in: the password check under the failure budgets of
//! [`super::limiter`] (whose doc states the rule), and what the audit log keeps
//! of a failed attempt.

use std::net::IpAddr;
use std::time::Duration;

use super::db::{self as account_db, AccountRow};
use crate::audit::db::{self as audit, Actor, Change};
use crate::state::AppState;

pub use super::limiter::LoginLimiter;

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
}

/// A password check under the limiter. Refused unheard while the account or
/// address waits; a failure is counted; and a check that finds a budget spent
/// by the time it finishes is refused too, right or wrong — so guesses sent
/// all at once learn nothing past the budget.
pub async fn check_password(
    state: &AppState,
    account: &str,
    ip: Option<IpAddr>,
    password: String,
    hash: Option<String>,
) -> PasswordCheck {
    if let Some(wait) = state.limiter.wait(account, ip) {
        return PasswordCheck::Throttled {
            wait,
            failed: false,
        };
    }
    let verified = state.hasher.verify(password, hash).await;
    if !verified {
        state.limiter.failed(account, ip);
    }
    match (state.limiter.wait(account, ip), verified) {
        (Some(wait), _) => PasswordCheck::Throttled {
            wait,
            failed: !verified,
        },
        (None, true) => PasswordCheck::Right,
        (None, false) => PasswordCheck::Wrong,
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
    if let Some(wait) = state.limiter.wait(&name, ip) {
        return Err(LoginError::Throttled {
            wait_secs: wait_secs(wait),
        });
    }
    let account = account_db::by_login_name(&state.db.pool, &name)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "login lookup failed");
            LoginError::Internal
        })?;
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let checked = check_password(state, &name, ip, password.to_string(), hash).await;
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
        Ok(_) => "login",
        Err(LoginError::Disabled) => "login_refused_disabled",
        Err(_) => "login_failed",
    };
    let change = Change {
        estate_id: None,
        entity: "account",
        entity_id: actor.account_id.map(|id| id.to_string()),
        action,
        before: None,
        after: None,
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
