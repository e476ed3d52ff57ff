//! The application state every handler and server function reaches through
//! context: the database, the password hasher, the login limiter, session policy.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use std::time::Duration;

use crate::db::Database;
use crate::security::hashing::Hasher;
use crate::security::limiter::LoginLimiter;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub hasher: Hasher,
    pub limiter: Arc<LoginLimiter>,
    pub sessions: SessionPolicy,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Session lifetimes. The idle timeout is the store's expiry, renewed on use;
/// the absolute one is checked here.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::from_secs(2 * 3600),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}
