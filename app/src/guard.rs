//! The one way into a server function (server only):
//!
//! ```ignore
//! #[server(endpoint = "get_fee_setup")]
//! pub async fn get_fee_setup(estate_id: i64) -> Result<FeeSetup, AppError> {
//!     guarded(Permission::UseDesk, move |call| async move {
//!         super::db::fee_setup(call.pool(), &call.caller.scope, estate_id).await
//!     })
//!     .await
//! }
//! ```
//!
//! [`guarded`] checks who is calling before anything else (signed in, and
//! holding the permission — hiding a button is not a permission), hands the
//! body a [`Call`] with the caller and the application state, and sets the
//! HTTP status of whatever error comes back, so a new function cannot forget
//! any of the three. Record-level checks (the record's estate, a resident's
//! houses) are the body's, through the caller's [`Caller::check_estate`] and
//! [`Caller::residences`]. The file routes in the server crate use the same
//! check through [`caller_may`].

use std::future::Future;

use leptos::prelude::*;

use crate::common::{allows, Caller, Lang, Permission};
use crate::db::audit::Actor;
use crate::db::{Database, Write};
use crate::error::AppError;
use crate::state::AppState;

/// What the server's identity middleware resolved for a request, once,
/// before any page or server function runs.
#[derive(Debug, Clone)]
pub struct RequestIdentity {
    pub lang: Lang,
    pub caller: Option<Caller>,
    pub ip: Option<std::net::IpAddr>,
}

impl RequestIdentity {
    /// The audit log's actor for this request's caller.
    pub fn actor(&self, caller: &Caller) -> Actor {
        actor_of(caller, self.ip)
    }
}

/// The audit log's actor: a signed-in caller, from their address.
fn actor_of(caller: &Caller, ip: Option<std::net::IpAddr>) -> Actor {
    Actor {
        account_id: Some(caller.account_id),
        name: caller.display_name.clone(),
        ip: ip.map(|ip| ip.to_string()),
    }
}

/// A server function's call, past the permission check.
pub struct Call {
    pub caller: Caller,
    pub state: AppState,
    pub ip: Option<std::net::IpAddr>,
}

impl Call {
    /// The pool, for reads.
    pub fn pool(&self) -> &sqlx::AnyPool {
        &self.state.db.pool
    }

    pub fn db(&self) -> &Database {
        &self.state.db
    }

    /// The caller's language, for messages.
    pub fn lang(&self) -> Lang {
        self.caller.lang
    }

    /// Whether the caller also holds `permission` (a manager's extra buttons).
    pub fn may(&self, permission: Permission) -> bool {
        self.caller.may(permission)
    }

    /// Refuses unless the caller holds one of `permissions`.
    pub fn require_any(&self, permissions: &[Permission]) -> Result<(), AppError> {
        if permissions.iter().any(|p| self.may(*p)) {
            Ok(())
        } else {
            Err(AppError::forbidden("holds none of the permissions asked"))
        }
    }

    /// The audit log's actor: the caller, from their address.
    pub fn actor(&self) -> Actor {
        actor_of(&self.caller, self.ip)
    }

    /// Opens a write by the caller.
    pub async fn write(&self) -> Result<Write, AppError> {
        Ok(self.state.db.write(self.actor()).await?)
    }
}

/// Authorises the caller for `permission`, runs `body`, and sets the status
/// of a failure. See the module documentation.
pub async fn guarded<T, F, Fut>(permission: Permission, body: F) -> Result<T, AppError>
where
    F: FnOnce(Call) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async {
        let identity = identity()?;
        let caller = caller_may(identity.caller, permission)?;
        let state = use_context::<AppState>()
            .ok_or_else(|| AppError::internal("AppState missing from context"))?;
        body(Call {
            caller,
            state,
            ip: identity.ip,
        })
        .await
    }
    .await;
    result.or_else(fail)
}

/// The one permission check: who is calling, if they may do `permission`.
pub fn caller_may(caller: Option<Caller>, permission: Permission) -> Result<Caller, AppError> {
    match caller {
        None => Err(AppError::Unauthorized),
        Some(caller) if !allows(caller.role, permission) => Err(AppError::forbidden(format!(
            "{} lacks {permission:?}",
            caller.role
        ))),
        Some(caller) => Ok(caller),
    }
}

/// The request's identity as the middleware left it.
pub fn identity() -> Result<RequestIdentity, AppError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestIdentity>().cloned())
        .ok_or_else(|| {
            AppError::internal("RequestIdentity missing: is the identity middleware installed?")
        })
}

/// Sets the HTTP status a failed server function answers with.
fn fail<T>(error: AppError) -> Result<T, AppError> {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
    }
    Err(error)
}
