//! The sign-in page and the change-password page.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::ChangePassword;
use super::LoginRefusal;
use crate::common::CurrentUser;
use crate::i18n::use_i18n;
use crate::ui::{field_error, form_error, Field, FormError, LangSwitch};

/// Sign in. A plain form posted to `/auth/login` (server/src/auth_routes.rs):
/// it works before the page hydrates and with JavaScript off. A failure comes
/// back as `?error=…` and is shown next to the field it concerns.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map().get_untracked();
    let next = query.get("next").unwrap_or_default();
    let error = query.get("error").unwrap_or_default();
    let wait = query.get("wait").unwrap_or_default();
    // A wrong password is told at the password; everything else above the form.
    let (password_error, form_error) = match LoginRefusal::parse(&error) {
        Some(r @ LoginRefusal::Invalid) => (Some(i18n.t(r.key())), None),
        Some(r @ LoginRefusal::Throttled) => (None, Some(i18n.f(r.key(), &[("secs", &wait)]))),
        Some(r) => (None, Some(i18n.t(r.key()))),
        None if error.is_empty() => (None, None),
        None => (None, Some(i18n.t("errors.internal"))),
    };
    let signed_in = use_context::<CurrentUser>().and_then(|CurrentUser(me)| me);
    view! {
        <main class="login">
            <div class="login-lang">
                <LangSwitch />
            </div>
            <div class="login-card">
                <p class="login-brand">{i18n.t("app.name")}</p>
                <h1>{i18n.t("login.title")}</h1>
                {signed_in
                    .map(|me| {
                        view! {
                            <p class="notice">
                                {i18n.f("login.already", &[("name", &me.display_name)])} " "
                                <a href=crate::common::home_path(me.role)>{i18n.t("nav.home")}</a>
                            </p>
                        }
                    })}
                {form_error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <form method="post" action="/auth/login">
                    <input type="hidden" name="next" value=next />
                    <Field
                        label=i18n.t("login.identifier")
                        name="identifier"
                        autocomplete="username"
                        autofocus=true
                        required=true
                        hint=i18n.t("login.identifier_hint")
                    />
                    <Field
                        label=i18n.t("login.password")
                        name="password"
                        kind="password"
                        autocomplete="current-password"
                        required=true
                        error=Signal::stored(password_error)
                    />
                    <button type="submit" class="primary wide">{i18n.t("login.submit")}</button>
                </form>
            </div>
        </main>
    }
}

/// Change one's own password (every role). Other sessions of the account end.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    let value = action.value();
    let done = move || matches!(value.get(), Some(Ok(())));
    view! {
        <>
            <h1>{i18n.t("password.title")}</h1>
            <section class="panel narrow-form">
                <FormError error=form_error(value) />
                <Show when=done>
                    <p class="saved" role="status">{i18n.t("password.changed")}</p>
                </Show>
                <ActionForm action=action>
                    <Field
                        label=i18n.t("password.current")
                        name="current"
                        kind="password"
                        autocomplete="current-password"
                        autofocus=true
                        required=true
                        error=field_error(value, "current")
                    />
                    <Field
                        label=i18n.t("password.new")
                        name="new_password"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        hint=i18n.t("password.rules")
                        error=field_error(value, "new_password")
                    />
                    <Field
                        label=i18n.t("password.confirm")
                        name="confirm"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        error=field_error(value, "confirm")
                    />
                    <button type="submit" class="primary">{i18n.t("password.submit")}</button>
                </ActionForm>
            </section>
        </>
    }
}
