//! Signing in: the password check, and slowing down failed attempts per
//! account and per address (governor's keyed limiters count the failures).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::db::{self as account_db, AccountRow};
use crate::audit::db::{self as audit, Actor, Change};
use crate::state::AppState;

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

/// Failure budgets. An account takes 5 failures, then one more every 30 s;
/// an address (a whole office behind one NAT) 20, then one every 6 s.
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Keys whose budget ran out, and until when. governor counts; this remembers
    /// the verdict so a blocked key is refused without spending a check.
    blocked: Mutex<HashMap<String, Instant>>,
    clock: DefaultClock,
}

fn quota(burst: u32, every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(every)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new(5, Duration::from_secs(30), 20, Duration::from_secs(6))
    }
}

impl LoginLimiter {
    pub fn new(
        account_burst: u32,
        account_every: Duration,
        address_burst: u32,
        address_every: Duration,
    ) -> Self {
        LoginLimiter {
            per_account: RateLimiter::keyed(quota(account_burst, account_every)),
            per_address: RateLimiter::keyed(quota(address_burst, address_every)),
            blocked: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    fn keys(account: &str, ip: Option<IpAddr>) -> [Option<String>; 2] {
        [
            Some(format!("account:{account}")),
            ip.map(|ip| format!("address:{ip}")),
        ]
    }

    /// How long this account or address must still wait, if at all.
    pub fn wait(&self, account: &str, ip: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(account, ip)
            .into_iter()
            .flatten()
            .filter_map(|k| {
                blocked
                    .get(&k)
                    .and_then(|until| until.checked_duration_since(now))
            })
            .max()
    }

    /// Counts one failure against the account and the address.
    pub fn failed(&self, account: &str, ip: Option<IpAddr>) {
        let mut verdicts = Vec::new();
        if let Err(not_until) = self.per_account.check_key(&account.to_string()) {
            verdicts.push((
                format!("account:{account}"),
                not_until.wait_time_from(self.clock.now()),
            ));
        }
        if let Some(ip) = ip {
            if let Err(not_until) = self.per_address.check_key(&ip) {
                verdicts.push((
                    format!("address:{ip}"),
                    not_until.wait_time_from(self.clock.now()),
                ));
            }
        }
        if verdicts.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        if blocked.len() > 10_000 {
            blocked.retain(|_, until| *until > now);
            self.per_account.retain_recent();
            self.per_address.retain_recent();
        }
        for (key, wait) in verdicts {
            blocked.insert(key, now + wait.max(Duration::from_secs(1)));
        }
    }
}

/// Usernames are case-insensitive; mobiles are digits. Both are trimmed.
pub fn normalise_login_name(identifier: &str) -> String {
    identifier.trim().to_lowercase()
}

/// Masks an identifier that is a mobile number for the log (`138****5678`).
pub fn mask_login_name(identifier: &str) -> String {
    let chars: Vec<char> = identifier.chars().collect();
    if chars.len() == 11 && chars.iter().all(char::is_ascii_digit) {
        format!(
            "{}****{}",
            chars[..3].iter().collect::<String>(),
            chars[7..].iter().collect::<String>()
        )
    } else {
        identifier.to_string()
    }
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
            wait_secs: wait.as_secs().max(1),
        });
    }
    let account = account_db::by_login_name(&state.db.pool, &name)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "login lookup failed");
            LoginError::Internal
        })?;
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let verified = state.hasher.verify(password.to_string(), hash).await;
    let actor = Actor {
        account_id: account.as_ref().map(|a| a.id),
        name: account
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| mask_login_name(&name)),
        ip: ip.map(|ip| ip.to_string()),
    };
    let outcome = match account {
        Some(account) if verified && !account.is_disabled() => Ok(account),
        Some(_) if verified => Err(LoginError::Disabled),
        _ => {
            state.limiter.failed(&name, ip);
            Err(LoginError::Invalid)
        }
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
    fn masks_mobiles_only() {
        assert_eq!(mask_login_name("13812345678"), "138****5678");
        assert_eq!(mask_login_name("clerk"), "clerk");
    }

    #[test]
    fn blocks_an_account_after_its_burst_of_failures() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60), 100, Duration::from_secs(1));
        let ip: Option<IpAddr> = "10.0.0.1".parse().ok();
        for _ in 0..3 {
            assert_eq!(limiter.wait("clerk", ip), None);
            limiter.failed("clerk", ip);
        }
        assert_eq!(
            limiter.wait("clerk", ip),
            None,
            "the burst itself is allowed"
        );
        limiter.failed("clerk", ip);
        let wait = limiter.wait("clerk", ip).expect("blocked");
        assert!(
            wait > Duration::from_secs(30) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        // Another account from another address is not affected.
        assert_eq!(limiter.wait("manager", "10.0.0.2".parse().ok()), None);
    }

    #[test]
    fn blocks_an_address_across_accounts() {
        let limiter = LoginLimiter::new(100, Duration::from_secs(1), 2, Duration::from_secs(60));
        let ip: Option<IpAddr> = "10.0.0.9".parse().ok();
        for name in ["a", "b", "c"] {
            limiter.failed(name, ip);
        }
        assert!(limiter.wait("someone-else", ip).is_some());
        assert_eq!(limiter.wait("someone-else", "10.0.0.10".parse().ok()), None);
    }
}
