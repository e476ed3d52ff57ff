//! What a session holds, and turning a session back into a [`Caller`].
//!
//! The session store (tower-sessions, in the database) keeps an opaque record;
//! ours is [`SessionAuth`]. Every request re-reads the account, so disabling it
//! or resetting its password (both bump `session_version`) ends all its
//! sessions at once, and a changed role or estate list applies immediately.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::db::{self as account_db, AccountRow};
use crate::common::{Caller, Residence};
use crate::error::AppError;
use crate::state::AppState;
pub use crate::state::SessionPolicy;

const AUTH_KEY: &str = "auth";
/// When the session was last seen, in Unix milliseconds. Refreshed at most once a
/// minute (a quarter of the idle time if that is shorter): the change makes the session layer save it, which moves its idle
/// expiry in the store (an unchanged session is not written, so without this
/// a busy clerk would be signed out the idle time after signing in).
const SEEN_KEY: &str = "seen";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionAuth {
    account_id: i64,
    session_version: i64,
    /// Unix seconds; the absolute timeout counts from here.
    login_at: i64,
}

/// Starts a signed-in session under a fresh id (a planted session id is worthless).
pub async fn open(
    session: &Session,
    account: &AccountRow,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session
        .insert(
            AUTH_KEY,
            SessionAuth {
                account_id: account.id,
                session_version: account.session_version,
                login_at: Utc::now().timestamp(),
            },
        )
        .await
}

/// Ends the session and deletes it from the store.
pub async fn close(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// The caller behind `session`, or `None` when signed out, expired, disabled
/// or superseded (the session is then deleted).
pub async fn caller(state: &AppState, session: &Session) -> Result<Option<Caller>, AppError> {
    let auth: Option<SessionAuth> = session.get(AUTH_KEY).await.map_err(AppError::internal)?;
    let Some(auth) = auth else { return Ok(None) };
    let age = Utc::now().timestamp().saturating_sub(auth.login_at);
    let expired = age < 0 || age as u64 > state.sessions.absolute.as_secs();
    let account = if expired {
        None
    } else {
        account_db::by_id(&state.db.pool, auth.account_id)
            .await
            .map_err(AppError::internal)?
    };
    let Some(account) =
        account.filter(|a| !a.is_disabled() && a.session_version == auth.session_version)
    else {
        close(session).await.map_err(AppError::internal)?;
        return Ok(None);
    };
    let scope = account_db::scope(&state.db.pool, &account)
        .await
        .map_err(AppError::internal)?;
    let now = Utc::now().timestamp_millis();
    let seen: Option<i64> = session.get(SEEN_KEY).await.map_err(AppError::internal)?;
    let every = (state.sessions.idle.as_millis() / 4).min(60_000) as i64;
    if seen.is_none_or(|s| now - s >= every) {
        session
            .insert(SEEN_KEY, now)
            .await
            .map_err(AppError::internal)?;
    }
    // A resident's houses — under every resident record linked to the
    // account — each from the start of their own occupancy: the one line
    // every portal read draws, resolved here once for the request.
    let residences: Vec<Residence> = if account.role() == crate::common::Role::Resident {
        super::residence::account_residences(&state.db.pool, account.id)
            .await
            .map_err(AppError::internal)?
    } else {
        Vec::new()
    };
    Ok(Some(Caller {
        residences,
        account_id: account.id,
        role: account.role(),
        display_name: account.display_name.clone(),
        lang: account.lang(),
        scope,
        resident_id: account.resident_id,
    }))
}
