//! The sign-in page, the activation page (`/activate`), the change-password
//! page, and the desk's activation slip (on the resident's page).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::activation::IssuePortalCode;
use super::api::ChangePassword;
use super::{ActivationRefusal, LoginRefusal};
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
    // Back from `/activate`: the code was linked to an account that exists.
    let linked = query.get("notice").is_some_and(|n| n == "linked");
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
                {linked.then(|| view! { <p class="notice ok" role="status">{i18n.t("activation.linked")}</p> })}
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
                <p class="login-alt"><a href="/activate">{i18n.t("activation.first_time")}</a></p>
            </div>
        </main>
    }
}

/// `/activate`: a resident's mobile, the code the desk gave them, and a new
/// password. A plain form posted to `/auth/activate` (server/src/auth_routes.rs),
/// like signing in: it works before the page hydrates and with JavaScript
/// off. A refusal comes back as `?error=…` (and `n`: seconds to wait, or a
/// password length) and is shown at the field it concerns.
#[component]
pub fn ActivatePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map().get_untracked();
    let error = query.get("error").unwrap_or_default();
    let n = query.get("n").unwrap_or_default();
    let refusal = ActivationRefusal::parse(&error);
    let message = refusal.map(|r| i18n.f(r.key(), &[("secs", &n), ("n", &n)]));
    let at = |field: &str| {
        Signal::stored(
            refusal
                .filter(|r| r.field() == Some(field))
                .and(message.clone()),
        )
    };
    let form_error = match refusal {
        Some(r) if r.field().is_none() => message.clone(),
        None if !error.is_empty() => Some(i18n.t("errors.internal")),
        _ => None,
    };
    view! {
        <main class="login">
            <div class="login-lang">
                <LangSwitch />
            </div>
            <div class="login-card">
                <p class="login-brand">{i18n.t("app.name")}</p>
                <h1>{i18n.t("activation.title")}</h1>
                <p class="hint">{i18n.t("activation.intro")}</p>
                {form_error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <form method="post" action="/auth/activate">
                    <Field
                        label=i18n.t("activation.mobile")
                        name="mobile"
                        kind="tel"
                        autocomplete="tel"
                        autofocus=true
                        required=true
                        hint=i18n.t("activation.mobile_hint")
                        error=at("mobile")
                    />
                    <Field
                        label=i18n.t("activation.code")
                        name="code"
                        autocomplete="one-time-code"
                        required=true
                        hint=i18n.t("activation.code_hint")
                        error=at("code")
                    />
                    <Field
                        label=i18n.t("activation.password")
                        name="password"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        hint=i18n.t("activation.password_hint")
                        error=at("password")
                    />
                    <Field
                        label=i18n.t("activation.confirm")
                        name="confirm"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        error=at("confirm")
                    />
                    <button type="submit" class="primary wide">{i18n.t("activation.submit")}</button>
                </form>
                <p class="login-alt"><a href="/login">{i18n.t("activation.have_account")}</a></p>
            </div>
        </main>
    }
}

/// Opens the browser's print dialog (the slip prints alone, see the print stylesheet).
fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

/// 发放开通码 on the resident's page: issues a code for the resident (the
/// server checks the estate and the occupancy) and shows it once, on a slip
/// to print — the estate, the masked mobile, the expiry and the steps.
/// `lives_here`: the resident has an open occupancy (else only a note).
#[component]
pub fn PortalCodePanel(resident_id: i64, lives_here: bool) -> impl IntoView {
    let i18n = use_i18n();
    let issue = ServerAction::<IssuePortalCode>::new();
    let value = issue.value();
    let slip = move || match value.get() {
        Some(Ok(slip)) => Some(view! { <Slip slip /> }),
        _ => None,
    };
    view! {
        <section class="panel portal-code-panel">
            <h2>{i18n.t("activation.panel_title")}</h2>
            {if lives_here {
                view! {
                    <p class="hint">{i18n.t("activation.issue_hint")}</p>
                    <FormError error=form_error(value) />
                    <ActionForm action=issue>
                        <input type="hidden" name="resident_id" value=resident_id />
                        <button type="submit" class="primary">{i18n.t("activation.issue")}</button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! { <p class="muted">{i18n.t("activation.no_occupancy")}</p> }.into_any()
            }}
            {slip}
        </section>
    }
}

/// The printed slip (开通单), half an A4 page.
#[component]
fn Slip(slip: super::ActivationSlip) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("activation.print")}</button>
            <span class="hint">{i18n.t("activation.once")}</span>
        </div>
        <article class="activation-slip" aria-label=i18n.t("activation.slip_title")>
            <h3>{i18n.t("activation.slip_title")}</h3>
            <dl class="slip-facts">
                <div><dt>{i18n.t("activation.slip_estate")}</dt><dd>{slip.estate_name.clone()}</dd></div>
                <div><dt>{i18n.t("activation.slip_resident")}</dt><dd>{slip.resident_name.clone()}</dd></div>
                <div><dt>{i18n.t("activation.mobile")}</dt><dd>{slip.mobile_masked.clone()}</dd></div>
                <div><dt>{i18n.t("activation.slip_expires")}</dt><dd>{slip.expires_at.clone()}</dd></div>
            </dl>
            <p class="slip-code-label">{i18n.t("activation.code")}</p>
            <p class="slip-code">{slip.code.clone()}</p>
            <ol class="slip-steps">
                <li>{i18n.f("activation.step_open", &[("url", &slip.activate_url)])}</li>
                <li>{i18n.t("activation.step_enter")}</li>
                <li>{i18n.t("activation.step_password")}</li>
            </ol>
            <p class="slip-note">{i18n.t("activation.slip_note")}</p>
        </article>
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
