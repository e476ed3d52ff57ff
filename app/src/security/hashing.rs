//! Password hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1),
//! run on the blocking pool behind a small semaphore so a burst of logins
//! queues for a hashing slot instead of taking every thread that renders pages.
//!
//! The queue for a password check is bounded twice: at most
//! [`QUEUED_PER_SLOT`] checks wait per slot, and none waits longer than
//! [`PATIENCE`]; past either the check is refused as [`Busy`] ("try again in a
//! moment") instead of piling up behind a burst — a thousand queued checks
//! are tens of seconds of argon2 on one slot, and every sign-in waits behind them.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Password checks that may wait per hashing slot: at tens of ms a check,
/// sixteen are well under a second.
pub const QUEUED_PER_SLOT: usize = 16;
/// The longest a password check waits for a slot.
pub const PATIENCE: Duration = Duration::from_secs(2);

/// The hashing service, shared through the application state.
#[derive(Clone)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    /// Checks waiting for a slot now, at most `max_waiting`.
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    patience: Duration,
    /// Verified against when the account does not exist, so an unknown user
    /// costs the same time as a wrong password.
    dummy_hash: Arc<str>,
    /// Password checks computed so far (what a burst of sign-ins cost).
    checks: Arc<AtomicU64>,
}

/// No hashing slot came free in time, or too many checks wait already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// A hashing slot, held until the check it was taken for ends.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

/// Counts a check as waiting while it lives.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn argon2() -> Argon2<'static> {
    #[expect(
        clippy::unwrap_used,
        reason = "constant parameters within argon2's bounds"
    )]
    let params = Params::new(19 * 1024, 2, 1, None).unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

fn verify_now(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

impl Hasher {
    /// `slots`: how many hashes may run at once (one per core leaves a core for pages).
    pub fn new(slots: usize) -> Result<Self, HashError> {
        let dummy = hash_now("estate-desk dummy password, never valid")?;
        let slots = slots.max(1);
        Ok(Hasher {
            slots: Arc::new(Semaphore::new(slots)),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting: slots * QUEUED_PER_SLOT,
            patience: PATIENCE,
            dummy_hash: dummy.into(),
            checks: Arc::new(AtomicU64::new(0)),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(|e| HashError(e.to_string()))?
    }

    /// The same hasher with another bound on the password checks' queue (tests).
    pub fn with_queue(mut self, max_waiting: usize, patience: Duration) -> Self {
        self.max_waiting = max_waiting;
        self.patience = patience;
        self
    }

    /// A slot for a password check: at once if one is free, else after a
    /// wait in a bounded queue, or [`Busy`].
    pub async fn slot(&self) -> Result<Slot, Busy> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(Slot { _permit: permit });
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let _waiting = Waiting(self.waiting.clone());
        match tokio::time::timeout(self.patience, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Slot { _permit: permit }),
            _ => Err(Busy),
        }
    }

    /// Verifies `password` against `hash` in `slot`, or against the dummy hash
    /// when there is no account (`None`), which always fails but takes the same time.
    pub async fn verify_in(&self, slot: Slot, password: String, hash: Option<String>) -> bool {
        self.checks.fetch_add(1, Ordering::Relaxed);
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            verify_now(&password, &hash)
        })
        .await
        .unwrap_or(false);
        ok && known
    }

    /// [`Self::slot`], then [`Self::verify_in`].
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Busy> {
        let slot = self.slot().await?;
        Ok(self.verify_in(slot, password, hash).await)
    }
}

impl Hasher {
    /// How many password checks this hasher has computed.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters() {
        let hasher = Hasher::new(1).expect("hasher");
        let hash = hasher
            .hash("correct horse battery staple".into())
            .await
            .expect("hash");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            hasher
                .verify("correct horse battery staple".into(), Some(hash.clone()))
                .await,
            Ok(true)
        );
        assert_eq!(
            hasher
                .verify("correct horse battery stapler".into(), Some(hash))
                .await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = Hasher::new(1).expect("hasher");
        assert_eq!(
            hasher
                .verify("estate-desk dummy password, never valid".into(), None)
                .await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn a_burst_of_checks_beyond_the_queue_is_refused_not_queued() {
        let hasher = Hasher::new(1)
            .expect("hasher")
            .with_queue(2, Duration::from_secs(30));
        let mut all = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let hasher = hasher.clone();
            all.spawn(async move { hasher.verify("guess".into(), None).await });
        }
        let mut busy = 0;
        while let Some(answer) = all.join_next().await {
            match answer.expect("task") {
                Ok(verified) => assert!(!verified),
                Err(Busy) => busy += 1,
            }
        }
        // One in the slot and two waiting; the other seventeen are told at once.
        assert_eq!(busy, 17);
        assert_eq!(hasher.checks(), 3);
    }

    #[tokio::test]
    async fn a_check_waits_for_a_slot_no_longer_than_its_patience() {
        let hasher = Hasher::new(1)
            .expect("hasher")
            .with_queue(8, Duration::from_millis(50));
        let held = hasher.slot().await.expect("the one slot");
        let started = std::time::Instant::now();
        assert_eq!(hasher.verify("guess".into(), None).await, Err(Busy));
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(held);
        assert_eq!(hasher.verify("guess".into(), None).await, Ok(false));
        assert_eq!(hasher.checks(), 1);
    }
}
