//! The one permission check every server function calls first, and the
//! account's own server functions (change password).

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use crate::common::{Caller, Lang, Permission};
    use crate::error::AppError;
    use crate::state::AppState;

    // Transitional: the old helpers over `crate::guard`, until every area's
    // server functions go through `guarded`.
    pub use crate::guard::{identity, RequestIdentity};

    pub fn state() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>()
            .ok_or_else(|| AppError::internal("AppState missing from context"))
    }

    pub fn fail<T>(error: AppError) -> Result<T, AppError> {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status());
        }
        Err(error)
    }

    pub fn authorize(permission: Permission) -> Result<Caller, AppError> {
        crate::guard::caller_may(identity()?.caller, permission).or_else(fail)
    }

    pub fn actor(caller: &Caller) -> crate::db::audit::Actor {
        crate::db::audit::Actor {
            account_id: Some(caller.account_id),
            name: caller.display_name.clone(),
            ip: identity().ok().and_then(|i| i.ip).map(|ip| ip.to_string()),
        }
    }

    pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        result.or_else(fail)
    }

    /// The message for a refused password, in the caller's language.
    pub fn password_message(lang: Lang, problem: crate::auth::password::PasswordProblem) -> String {
        use crate::auth::password::PasswordProblem;
        use crate::i18n::tr;
        match problem {
            PasswordProblem::TooShort { min } => {
                tr(lang, "password.too_short").replace("%{min}", &min.to_string())
            }
            PasswordProblem::TooLong { max } => {
                tr(lang, "password.too_long").replace("%{max}", &max.to_string())
            }
            PasswordProblem::TooCommon => tr(lang, "password.too_common"),
        }
    }
}

/// Changes the caller's own password; all their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::audit::db::{self as audit, Change};
    use crate::auth::login::{check_password, normalise_login_name, wait_secs, PasswordCheck};
    use crate::auth::{db as account_db, password, session};
    use crate::i18n::tr;

    let caller = authorize(crate::common::Permission::SignedIn)?;
    let lang = caller.lang;
    let state = state()?;
    let ip = identity()?.ip;
    let result = async {
        let account = account_db::by_id(&state.db.pool, caller.account_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        // The same budgets as signing in, under the account's sign-in name: a
        // stolen session cannot guess the password faster than the login page.
        let name = normalise_login_name(account.login_name());
        let checked = check_password(&state, &name, Some(&account), ip, current).await;
        if matches!(
            checked,
            PasswordCheck::Wrong | PasswordCheck::Throttled { failed: true, .. }
        ) {
            let change = Change {
                estate_id: None,
                entity: crate::common::AuditEntity::Account,
                entity_id: Some(account.id.to_string()),
                action: crate::common::AuditAction::ChangeOwnPasswordFailed,
                before: None,
                after: None,
            };
            audit::record(&state.db.pool, &actor(&caller), change).await?;
        }
        match checked {
            PasswordCheck::Right => {}
            PasswordCheck::Wrong => {
                return Err(AppError::field(
                    "current",
                    tr(lang, "password.current_wrong"),
                ))
            }
            PasswordCheck::Busy => return Err(AppError::field("current", tr(lang, "login.busy"))),
            PasswordCheck::Throttled { wait, .. } => {
                let secs = wait_secs(wait).to_string();
                return Err(AppError::field(
                    "current",
                    tr(lang, "login.throttled").replace("%{secs}", &secs),
                ));
            }
        }
        if new_password != confirm {
            return Err(AppError::field("confirm", tr(lang, "password.mismatch")));
        }
        let inputs = [account.login_name(), account.display_name.as_str()];
        password::check(&new_password, caller.role, &inputs)
            .map_err(|p| AppError::field("new_password", password_message(lang, p)))?;
        let hash = state
            .hasher
            .hash(new_password)
            .await
            .map_err(AppError::internal)?;
        let mut tx = state.db.begin_write().await?;
        let version = account_db::set_password(&mut *tx, account.id, &hash).await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: None,
                entity: crate::common::AuditEntity::Account,
                entity_id: Some(account.id.to_string()),
                action: crate::common::AuditAction::ChangeOwnPassword,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        // Keep this session alive under the new version; every other one ends.
        let sess: tower_sessions::Session = leptos_axum::extract().await?;
        let mut refreshed = account.clone();
        refreshed.session_version = version;
        session::open(&sess, &refreshed)
            .await
            .map_err(AppError::internal)?;
        Ok(())
    }
    .await;
    finish(result)
}
