//! Signing in and out, activating a resident account, and the language
//! switch: plain form posts answered with redirects, so they work before
//! hydration and with JavaScript off.

use axum::extract::{Extension, Form, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use app::auth::activation::{redeem, ActivateForm, ActivationError, Redeemed};
use app::auth::login::{sign_in, LoginError};
use app::auth::password::PasswordProblem;
use app::auth::{db as account_db, session, ActivationRefusal, LoginRefusal};
use app::common::{allows, home_path, page_permission, AuditAction, AuditEntity, Lang, Role};
use app::db::audit::{self, Change};
use app::guard::RequestIdentity;
use app::state::AppState;

use crate::identity::SecureCookies;
use crate::security::safe_local_path;

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub identifier: String,
    pub password: String,
    #[serde(default)]
    pub next: String,
}

/// Where to go after signing in: the requested page if the role may open it, else home.
fn landing(role: Role, next: &str) -> String {
    match safe_local_path(next) {
        Some(path) if page_permission(path).is_some_and(|p| allows(role, p)) => path.to_string(),
        _ => home_path(role).to_string(),
    }
}

/// The language cookie; `Secure` behind TLS, so it is never sent in clear.
fn lang_cookie(lang: Lang, SecureCookies(secure): SecureCookies) -> HeaderValue {
    let value = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
        lang.as_str(),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("lang=zh; Path=/"))
}

/// Back to the sign-in page, saying why (`None`: an internal failure, which
/// the page shows as the general error).
fn login_again(refusal: Option<LoginRefusal>, next: &str, extra: &str) -> Response {
    let error = refusal.map_or("internal", LoginRefusal::as_str);
    let next = safe_local_path(next)
        .map(|n| format!("&next={}", n.replace('&', "%26")))
        .unwrap_or_default();
    Redirect::to(&format!("/login?error={error}{extra}{next}")).into_response()
}

pub async fn login(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Extension(secure): Extension<SecureCookies>,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Response {
    match sign_in(&state, &form.identifier, &form.password, identity.ip).await {
        Ok(account) => {
            if let Err(e) = session::open(&session, &account).await {
                tracing::error!(error = %e, "cannot open a session");
                return login_again(None, &form.next, "");
            }
            let mut response = Redirect::to(&landing(account.role(), &form.next)).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, lang_cookie(account.lang(), secure));
            response
        }
        Err(LoginError::Invalid) => login_again(Some(LoginRefusal::Invalid), &form.next, ""),
        Err(LoginError::Disabled) => login_again(Some(LoginRefusal::Disabled), &form.next, ""),
        Err(LoginError::Throttled { wait_secs }) => {
            let wait = format!("&wait={wait_secs}");
            let mut response = login_again(Some(LoginRefusal::Throttled), &form.next, &wait);
            if let Ok(v) = HeaderValue::from_str(&wait_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(LoginError::Busy) => {
            let mut response = login_again(Some(LoginRefusal::Busy), &form.next, "");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            response
        }
        Err(LoginError::Internal) => login_again(None, &form.next, ""),
    }
}

/// Back to the activation page, saying why (`None`: an internal failure).
fn activate_again(refusal: Option<ActivationRefusal>, n: Option<String>) -> Response {
    let error = refusal.map_or("internal", ActivationRefusal::as_str);
    let n = n.map(|n| format!("&n={n}")).unwrap_or_default();
    Redirect::to(&format!("/activate?error={error}{n}")).into_response()
}

/// `/activate`'s form: a new resident account is signed in and lands on the
/// portal; a code linked to an existing account sends them to sign in with
/// its password. Refusals go back to the page (`app::auth::activation`).
pub async fn activate(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    session: Session,
    Form(form): Form<ActivateForm>,
) -> Response {
    match redeem(&state, &form, identity.ip, identity.lang).await {
        Ok(Redeemed::Created(account)) => {
            if let Err(e) = session::open(&session, &account).await {
                tracing::error!(error = %e, "cannot open a session");
                return Redirect::to("/login").into_response();
            }
            Redirect::to(home_path(account.role())).into_response()
        }
        Ok(Redeemed::Linked) => Redirect::to("/login?notice=linked").into_response(),
        Err(ActivationError::Refused(r)) => activate_again(Some(r), None),
        Err(ActivationError::Password(p)) => match p {
            PasswordProblem::TooShort { min } => {
                activate_again(Some(ActivationRefusal::TooShort), Some(min.to_string()))
            }
            PasswordProblem::TooLong { max } => {
                activate_again(Some(ActivationRefusal::TooLong), Some(max.to_string()))
            }
            PasswordProblem::TooCommon => activate_again(Some(ActivationRefusal::TooCommon), None),
        },
        Err(ActivationError::Throttled { wait_secs }) => {
            let mut response = activate_again(
                Some(ActivationRefusal::Throttled),
                Some(wait_secs.to_string()),
            );
            if let Ok(v) = HeaderValue::from_str(&wait_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(ActivationError::Busy) => {
            let mut response = activate_again(Some(ActivationRefusal::Busy), None);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            response
        }
        Err(ActivationError::Internal) => activate_again(None, None),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    session: Session,
) -> Response {
    if let Some(caller) = &identity.caller {
        // Signing out writes nothing else: its entry is recorded on its own.
        let change = Change::new(AuditAction::Logout, AuditEntity::Account).id(caller.account_id);
        if let Err(e) = audit::record(&state.db.pool, &identity.actor(caller), change).await {
            tracing::error!(error = %e, "cannot record logout");
        }
    }
    if let Err(e) = session::close(&session).await {
        tracing::error!(error = %e, "cannot end a session");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Redirect::to("/login").into_response()
}

#[derive(Debug, Deserialize)]
pub struct LangForm {
    pub lang: String,
    #[serde(default)]
    pub back: String,
}

/// Switches the language: remembered on the account (if signed in) and in a cookie.
pub async fn set_lang(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Extension(secure): Extension<SecureCookies>,
    Form(form): Form<LangForm>,
) -> Response {
    let Some(lang) = Lang::parse(&form.lang) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "unknown language").into_response();
    };
    if let Some(caller) = &identity.caller {
        let result = async {
            let mut w = state.db.write(identity.actor(caller)).await?;
            account_db::set_locale(&mut *w, caller.account_id, lang).await?;
            w.audit(
                Change::new(AuditAction::SetLanguage, AuditEntity::Account)
                    .id(caller.account_id)
                    .before(serde_json::json!({ "locale": caller.lang.as_str() }))
                    .after(serde_json::json!({ "locale": lang.as_str() })),
            )
            .await?;
            w.commit().await
        }
        .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "cannot save the language");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let back = safe_local_path(&form.back).unwrap_or("/");
    let mut response = Redirect::to(back).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, lang_cookie(lang, secure));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_open_redirects() {
        assert_eq!(safe_local_path("/desk"), Some("/desk"));
        assert_eq!(safe_local_path("//evil.example"), None);
        assert_eq!(safe_local_path("/\\evil.example"), None);
        assert_eq!(safe_local_path("/\t/evil.example"), None);
        assert_eq!(safe_local_path("https://evil.example"), None);
        assert_eq!(safe_local_path(""), None);
    }

    #[test]
    fn lands_on_the_requested_page_only_if_allowed() {
        assert_eq!(landing(Role::Manager, "/audit"), "/audit");
        assert_eq!(landing(Role::Clerk, "/audit"), "/desk");
        assert_eq!(landing(Role::Resident, "/desk"), "/portal");
        assert_eq!(landing(Role::Clerk, "//evil"), "/desk");
        assert_eq!(landing(Role::Clerk, "/\n/evil"), "/desk");
        assert_eq!(landing(Role::Clerk, "/login"), "/desk");
    }
}
