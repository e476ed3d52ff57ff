//! The application state every handler and server function reaches through
//! context: the database, the password hasher, the login limiter, session policy.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::auth::hashing::Hasher;
use crate::auth::login::LoginLimiter;
use crate::auth::session::SessionPolicy;
use crate::db::Database;

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
