//! Password hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1),
//! run on the blocking pool behind a small semaphore so a burst of logins
//! queues for a hashing slot instead of taking every thread that renders pages.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// The hashing service, shared through the application state.
#[derive(Clone)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    /// Verified against when the account does not exist, so an unknown user
    /// costs the same time as a wrong password.
    dummy_hash: Arc<str>,
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
        Ok(Hasher {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            dummy_hash: dummy.into(),
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

    /// Verifies `password` against `hash`, or against the dummy hash when there
    /// is no account (`None`), which always fails but takes the same time.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let Ok(_slot) = self.slots.acquire().await else {
            return false;
        };
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || verify_now(&password, &hash))
            .await
            .unwrap_or(false);
        ok && known
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
        assert!(
            hasher
                .verify("correct horse battery staple".into(), Some(hash.clone()))
                .await
        );
        assert!(
            !hasher
                .verify("correct horse battery stapler".into(), Some(hash))
                .await
        );
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = Hasher::new(1).expect("hasher");
        assert!(
            !hasher
                .verify("estate-desk dummy password, never valid".into(), None)
                .await
        );
    }
}
