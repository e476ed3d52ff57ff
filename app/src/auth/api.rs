//! The account's own server functions (change password), and the message
//! for a refused password (the staff pages' too).

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    crate::auth::db as account_db,
    crate::auth::login::{check_password, normalise_login_name, wait_secs, PasswordCheck},
    crate::auth::{password, session},
    crate::common::{AuditAction, AuditEntity, Permission},
    crate::db::audit::{self, Change},
    crate::guard::guarded,
    crate::i18n::tr,
};

#[cfg(feature = "ssr")]
/// The message for a refused password, in the caller's language.
pub fn password_message(
    lang: crate::common::Lang,
    problem: crate::auth::password::PasswordProblem,
) -> String {
    match problem {
        crate::auth::password::PasswordProblem::TooShort { min } => {
            tr(lang, "password.too_short").replace("%{min}", &min.to_string())
        }
        crate::auth::password::PasswordProblem::TooLong { max } => {
            tr(lang, "password.too_long").replace("%{max}", &max.to_string())
        }
        crate::auth::password::PasswordProblem::TooCommon => tr(lang, "password.too_common"),
    }
}

/// Changes the caller's own password; all their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        let lang = call.lang();
        let account = account_db::by_id(call.pool(), call.caller.account_id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        // The same budgets as signing in, under the account's sign-in name: a
        // stolen session cannot guess the password faster than the login page.
        let name = normalise_login_name(account.login_name());
        let checked = check_password(&call.state, &name, Some(&account), call.ip, current).await;
        if matches!(
            checked,
            PasswordCheck::Wrong | PasswordCheck::Throttled { failed: true, .. }
        ) {
            // A failure writes nothing else: its entry is recorded on its own.
            let change = Change::new(AuditAction::ChangeOwnPasswordFailed, AuditEntity::Account)
                .id(account.id);
            audit::record(call.pool(), &call.actor(), change).await?;
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
        password::check(&new_password, call.caller.role, &inputs)
            .map_err(|p| AppError::field("new_password", password_message(lang, p)))?;
        let hash = call
            .state
            .hasher
            .hash(new_password)
            .await
            .map_err(AppError::internal)?;
        let mut w = call.write().await?;
        let version = account_db::set_password(&mut *w, account.id, &hash).await?;
        w.audit(Change::new(AuditAction::ChangeOwnPassword, AuditEntity::Account).id(account.id))
            .await?;
        w.commit().await?;
        // Keep this session alive under the new version; every other one ends.
        let sess: tower_sessions::Session = leptos_axum::extract().await?;
        let mut refreshed = account.clone();
        refreshed.session_version = version;
        session::open(&sess, &refreshed)
            .await
            .map_err(AppError::internal)?;
        Ok(())
    })
    .await
}
