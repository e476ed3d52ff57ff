//! Shared components: the page frame with its role-dependent navigation,
//! form fields with their errors, and the panels for refused or missing pages.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::auth::{Lang, Role};
use crate::common::{allows, page_permission};
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::CurrentUser;

/// The navigation: every entry whose page the role may open (one rule decides
/// both the menu and the guard).
const NAV: [(&str, &str); 13] = [
    ("nav.desk", "/desk"),
    ("nav.houses", "/desk/houses"),
    ("nav.residents", "/desk/residents"),
    ("nav.repairs", "/desk/repairs"),
    ("nav.billing", "/desk/billing"),
    ("nav.close", "/desk/close"),
    ("nav.jobs", "/jobs"),
    ("nav.portal", "/portal"),
    ("nav.bills", "/portal/bills"),
    ("nav.my_repairs", "/portal/repairs"),
    ("nav.estates", "/admin/estates"),
    ("nav.staff", "/admin/staff"),
    ("nav.audit", "/audit"),
];

pub fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    NAV.into_iter()
        .filter(|(_, href)| page_permission(href).is_some_and(|p| allows(role, p)))
        .collect()
}

/// The frame of every signed-in page: header, navigation, and the page itself
/// if the account may open it — else a sign-in prompt or a refusal.
#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let CurrentUser(me) = use_context::<CurrentUser>().unwrap_or(CurrentUser(None));
    let path = use_location().pathname.get_untracked();
    let needed = page_permission(&path);
    let Some(me) = me else {
        return view! {
            <main class="narrow">
                <div class="panel" role="alert">
                    <h1>{i18n.t("errors.signed_out_title")}</h1>
                    <p>{i18n.t("errors.unauthorized")}</p>
                    <a class="button primary" href=format!("/login?next={path}")>{i18n.t("login.submit")}</a>
                </div>
            </main>
        }
        .into_any();
    };
    let permitted = needed.is_none_or(|p| allows(me.role, p));
    let nav = nav_for(me.role)
        .into_iter()
        .map(|(key, href)| {
            // The deepest entry that contains the path is the current one.
            let current = path == href
                || (path.starts_with(&format!("{href}/")) && !matches!(href, "/desk" | "/portal"));
            view! {
                <a href=href aria-current=current.then_some("page")>{i18n.t(key)}</a>
            }
        })
        .collect_view();
    let home = crate::common::home_path(me.role);
    view! {
        <header class="topbar">
            <a class="brand" href=home>{i18n.t("app.name")}</a>
            <nav class="mainnav" aria-label=i18n.t("nav.label")>{nav}</nav>
            {allows(me.role, crate::common::Permission::UseDesk).then(|| view! { <crate::estate::pages::SearchBox /> })}
            <div class="usermenu">
                <a class="who" href="/account/password" title=i18n.t("nav.password")>
                    {me.display_name.clone()}
                    <span class="role">{i18n.t(&format!("role.{}", me.role.as_str()))}</span>
                </a>
                <LangSwitch />
                <form method="post" action="/auth/logout" class="inline">
                    <button type="submit" class="link">{i18n.t("nav.logout")}</button>
                </form>
            </div>
        </header>
        <main class="page">
            {if permitted { children().into_any() } else { view! { <Forbidden /> }.into_any() }}
        </main>
    }
    .into_any()
}

/// Switches the language; a plain form so it works before the page hydrates.
/// The server remembers the choice on the account and in a cookie.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let back = use_location().pathname.get_untracked();
    let (target, label) = match i18n.lang() {
        Lang::Zh => ("en", "English"),
        Lang::En => ("zh", "中文"),
    };
    view! {
        <form method="post" action="/auth/lang" class="inline">
            <input type="hidden" name="lang" value=target />
            <input type="hidden" name="back" value=back />
            <button type="submit" class="link" lang=if target == "en" { "en" } else { "zh-CN" }>
                {label}
            </button>
        </form>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    let i18n = use_i18n();
    let home = use_context::<CurrentUser>()
        .and_then(|CurrentUser(me)| me)
        .map(|me| crate::common::home_path(me.role))
        .unwrap_or("/login");
    view! {
        <div class="panel" role="alert">
            <h1>{i18n.t("errors.forbidden_title")}</h1>
            <p>{i18n.t("errors.forbidden")}</p>
            <a class="button" href=home>{i18n.t("nav.home")}</a>
        </div>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="narrow">
            <div class="panel" role="alert">
                <h1>{i18n.t("errors.not_found_title")}</h1>
                <p>{i18n.t("errors.not_found")}</p>
                <a class="button" href="/">{i18n.t("nav.home")}</a>
            </div>
        </main>
    }
}

/// The text for an error that is not about one field.
pub fn error_text(error: &AppError) -> String {
    let i18n = use_i18n();
    match error {
        AppError::Unauthorized => i18n.t("errors.unauthorized"),
        AppError::Forbidden => i18n.t("errors.forbidden"),
        AppError::NotFound => i18n.t("errors.not_found"),
        AppError::Invalid(_) => i18n.t("errors.invalid"),
        AppError::Rule(message) | AppError::Conflict(message) => message.clone(),
        AppError::Internal => i18n.t("errors.internal"),
        AppError::Transport(_) => i18n.t("errors.network"),
    }
}

/// A form-level error line (announced to screen readers).
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let text = error_text(&e);
            let sign_in = matches!(e, AppError::Unauthorized);
            view! {
                <p class="form-error" role="alert">
                    {text}
                    {sign_in.then(|| view! { " " <a href="/login">{use_i18n().t("login.submit")}</a> })}
                </p>
            }
        })
    }
}

/// Shows a failed load: the message, and a sign-in link when the session ended.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! { <FormError error=Signal::derive(move || Some(error.clone())) /> }
}

/// A labelled input with its error underneath, tied together for screen readers.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                autofocus=autofocus
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id role="alert">
                {move || error.get()}
            </p>
        </div>
    }
}

/// "Loading…" while a page's data arrives.
pub fn loading() -> impl IntoView {
    view! { <p class="muted">{use_i18n().t("common.loading")}</p> }
}

pub fn query_num(key: &'static str) -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query
            .read()
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

/// The estate picker of a page (a GET form, so the choice is in the address).
#[component]
pub fn EstatePicker(estates: Vec<crate::common::Choice>, chosen: i64) -> impl IntoView {
    let i18n = use_i18n();
    (estates.len() > 1).then(|| {
        let options = estates
            .into_iter()
            .map(|e| view! { <option value=e.id selected=e.id == chosen>{e.name}</option> })
            .collect_view();
        view! {
            <leptos_router::components::Form method="GET" action="">
                <div class="filters">
                    <div class="field">
                        <label for="f-estate">{i18n.t("estate.name")}</label>
                        <select id="f-estate" name="estate">{options}</select>
                    </div>
                    <button type="submit">{i18n.t("common.show")}</button>
                </div>
            </leptos_router::components::Form>
        }
    })
}

/// "None yet" across a table with no rows.
#[component]
pub fn EmptyRow(show: bool, cols: u32) -> impl IntoView {
    show.then(
        || view! { <tr><td colspan=cols class="muted">{use_i18n().t("common.none")}</td></tr> },
    )
}

/// The error for `field` from the last result of a server action.
pub fn field_error<T, S>(value: S, field: &'static str) -> Signal<Option<String>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || {
        value
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_message(field))
    })
}

/// The error of the last result, for the line above the form (for bad input it
/// says to check the marked fields).
pub fn form_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// The `:id` of the current route (tracked); 0 (found nowhere) when it is not a number.
pub fn id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

/// An area in 0.01 m² as people read it: `89.56 m²`.
pub fn area(centi: i64) -> String {
    format!("{}.{:02} m²", centi / 100, (centi % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_read_with_two_decimals() {
        assert_eq!(area(8956), "89.56 m²");
        assert_eq!(area(8900), "89.00 m²");
        assert_eq!(area(5), "0.05 m²");
    }

    #[test]
    fn navigation_follows_the_permission_rules() {
        assert_eq!(
            nav_for(Role::Resident),
            vec![
                ("nav.portal", "/portal"),
                ("nav.bills", "/portal/bills"),
                ("nav.my_repairs", "/portal/repairs")
            ]
        );
        assert_eq!(nav_for(Role::Maintenance), vec![("nav.jobs", "/jobs")]);
        assert_eq!(
            nav_for(Role::Clerk),
            vec![
                ("nav.desk", "/desk"),
                ("nav.houses", "/desk/houses"),
                ("nav.residents", "/desk/residents"),
                ("nav.repairs", "/desk/repairs"),
                ("nav.billing", "/desk/billing"),
                ("nav.close", "/desk/close")
            ]
        );
        assert_eq!(
            nav_for(Role::Manager),
            vec![
                ("nav.desk", "/desk"),
                ("nav.houses", "/desk/houses"),
                ("nav.residents", "/desk/residents"),
                ("nav.repairs", "/desk/repairs"),
                ("nav.billing", "/desk/billing"),
                ("nav.close", "/desk/close"),
                ("nav.audit", "/audit")
            ]
        );
        assert_eq!(
            nav_for(Role::Admin),
            vec![
                ("nav.desk", "/desk"),
                ("nav.houses", "/desk/houses"),
                ("nav.residents", "/desk/residents"),
                ("nav.repairs", "/desk/repairs"),
                ("nav.billing", "/desk/billing"),
                ("nav.close", "/desk/close"),
                ("nav.estates", "/admin/estates"),
                ("nav.staff", "/admin/staff"),
                ("nav.audit", "/audit")
            ]
        );
    }
}

/// A stored UTC timestamp as the desk reads it, in China Standard Time: `2026-11-22 14:05:09`.
pub fn desk_time(at: &str) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600);
    match (chrono::DateTime::parse_from_rfc3339(at), offset) {
        (Ok(t), Some(offset)) => t
            .with_timezone(&offset)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        _ => at.to_string(),
    }
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn desk_time_is_beijing_time() {
        assert_eq!(
            super::desk_time("2026-11-22T06:05:09.123456Z"),
            "2026-11-22 14:05:09"
        );
        assert_eq!(super::desk_time("garbage"), "garbage");
    }
}
