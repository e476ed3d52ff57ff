//! Shared components, naming no area: form fields with their errors (input,
//! select, textarea), the one shape a page loads its data in ([`load`]), the
//! panels for refused or missing pages, tables, money and dates. The frame
//! around the pages is the routes' layout, [`crate::shell`].

pub mod signature;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

pub use signature::SignaturePad;

use crate::common::{CurrentUser, Lang};
use crate::error::AppError;
use crate::i18n::use_i18n;

/// Switches the language; a plain form so it works before the page hydrates.
/// The server remembers the choice on the account and in a cookie.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    // The page to come back to: the shell (and this form) stays mounted while
    // the pages inside it change, so the address is read when it is posted.
    let pathname = use_location().pathname;
    let (target, label) = match i18n.lang() {
        Lang::Zh => ("en", "English"),
        Lang::En => ("zh", "中文"),
    };
    view! {
        <form method="post" action="/auth/lang" class="inline">
            <input type="hidden" name="lang" value=target />
            <input type="hidden" name="back" prop:value=move || pathname.get() value=pathname.get_untracked() />
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

/// The ids a field's parts share, and its `aria-describedby`: the hint (if
/// any) and the error (when there is one), so a screen reader reads both.
fn field_ids(
    name: &str,
    id: Option<String>,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> (
    String,
    String,
    String,
    impl Fn() -> Option<String> + Send + Sync + 'static,
) {
    // A form that repeats a field (a row per worker) names each one.
    let id = id.unwrap_or_else(|| format!("f-{name}"));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
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
    (id, error_id, hint_id, described)
}

/// The hint and the error line under a field: written once, here.
#[component]
pub(crate) fn FieldNotes(
    hint: Option<String>,
    hint_id: String,
    error_id: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
        <p class="field-error" id=error_id role="alert">
            {move || error.get()}
        </p>
    }
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
    /// The input's id where the form repeats `name`.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let (id, error_id, hint_id, described) = field_ids(name, id, hint.is_some(), error);
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
            <FieldNotes hint hint_id error_id error />
        </div>
    }
}

/// [`Field`]'s select: the options are its children.
#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    let (id, error_id, hint_id, described) = field_ids(name, None, hint.is_some(), error);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            >
                {children()}
            </select>
            <FieldNotes hint hint_id error_id error />
        </div>
    }
}

/// [`Field`]'s textarea.
#[component]
pub fn TextareaField(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] placeholder: Option<String>,
    #[prop(optional)] hint: Option<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    /// The textarea's id where the page repeats `name`.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let (id, error_id, hint_id, described) = field_ids(name, id, hint.is_some(), error);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                required=required
                maxlength=maxlength
                placeholder=placeholder
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            >
                {value}
            </textarea>
            <FieldNotes hint hint_id error_id error />
        </div>
    }
}

/// The one shape a page loads its data in: "Loading…" while `fetch` first
/// runs (a resource, or an `async` block joining several), the error with a
/// sign-in link when the session ended if it fails, else `show`'s view. A
/// `Transition`: when the data is fetched again (after an action, a bill
/// run's progress tick), the page keeps showing what it had until the new
/// data arrives, instead of flashing "Loading…".
///
/// ```ignore
/// {load(move || staff, move |rows| view! { … })}
/// {load(move || async move { Ok((a.await?, b.await?)) }, move |(a, b)| …)}
/// ```
pub fn load<T, F, V>(
    fetch: impl Fn() -> F + Send + Sync + 'static,
    show: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: 'static,
    F: std::future::IntoFuture<Output = Result<T, AppError>> + 'static,
    F::IntoFuture: Send,
    V: IntoView + 'static,
{
    let fetch = std::sync::Arc::new(fetch);
    let show = std::sync::Arc::new(show);
    view! {
        <Transition fallback=loading>
            {move || {
                let fetch = fetch.clone();
                let show = show.clone();
                Suspend::new(async move {
                    match fetch().await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(value) => show(value).into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// "Loading…" while a page's data arrives.
pub fn loading() -> impl IntoView {
    view! { <p class="muted">{use_i18n().t("common.loading")}</p> }
}

/// A text parameter of the address (tracked); empty when absent.
pub fn query_text(key: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let query = leptos_router::hooks::use_query_map();
    move || query.read().get(key).unwrap_or_default()
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

/// Bumps `refresh` (the page's data reloads) when an action's `value` turns
/// into a success.
pub fn reload_on_success<T, S>(value: S, refresh: RwSignal<u32>)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(_)) = value.get() {
            refresh.update(|r| *r += 1);
        }
    });
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
}

/// A stored time as the desk's lists show it, to the minute: `2026-11-22 14:05`.
pub fn desk_minute(at: &str) -> String {
    desk_time(at).chars().take(16).collect()
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
