//! The Estate Desk server: configuration, the HTTP stack around the Leptos app
//! (sessions, identity, CSRF, headers, body limits), the sign-in routes, the
//! commands of the `server` binary (`commands/`, one file each) and the
//! benchmark tooling they call (`tools/`).

pub mod arrears_files;
pub mod auth_routes;
pub mod commands;
pub mod config;
pub mod demo;
pub mod identity;
pub mod key_files;
pub mod renovation_files;
pub mod repair_files;
pub mod router;
pub mod security;
pub mod session_store;
pub mod tools;
pub mod transfer;

use std::sync::Arc;

use anyhow::Context;
use app::auth::login::LoginLimiter;
use app::auth::session::SessionPolicy;
use app::db::Database;
use app::security::hashing::Hasher;
use app::state::AppState;
use leptos::config::LeptosOptions;

/// Opens and migrates the database, then builds the application state and the
/// session store. Errors name the database (password removed) and the reason.
pub async fn open_app(
    database_url: &str,
    leptos_options: LeptosOptions,
    http: &config::HttpConfig,
    hash_slots: usize,
) -> anyhow::Result<(AppState, session_store::DeskSessionStore)> {
    let db = Database::connect(database_url).await?;
    db.migrate(&app::db::migrations_root()).await?;
    let store = session_store::DeskSessionStore::open(&db, database_url)
        .await
        .with_context(|| format!("cannot open the session store in {}", db.display_url))?;
    let state = AppState {
        leptos_options,
        db,
        hasher: Hasher::new(hash_slots)?,
        limiter: Arc::new(LoginLimiter::default()),
        sessions: SessionPolicy {
            idle: http.session_idle,
            absolute: http.session_absolute,
        },
    };
    Ok((state, store))
}
