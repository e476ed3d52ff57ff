//! The desk's search box, on every desk page, and its results page.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::estate::api::desk_search;
use crate::estate::search::SearchHit;
use crate::i18n::use_i18n;
use crate::ui::load;

/// The search box on every desk page: results as you type, Enter opens the
/// first, `/` focuses it. Without JavaScript it is a form to the results page.
#[component]
pub fn SearchBox() -> impl IntoView {
    let i18n = use_i18n();
    let (query, set_query) = signal(String::new());
    let hits = LocalResource::new(move || {
        let q = query.get();
        async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                desk_search(q).await
            }
        }
    });
    let input = NodeRef::<leptos::html::Input>::new();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = document()
            .active_element()
            .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
            .unwrap_or(false);
        if ev.key() == "/" && !typing {
            ev.prevent_default();
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        }
    });
    on_cleanup(move || handle.remove());
    // The box lives in the shell, which stays while the pages change: a hit
    // clicked (or any other way to a new page) closes the results and empties it.
    let pathname = leptos_router::hooks::use_location().pathname;
    Effect::watch(
        move || pathname.get(),
        move |_, _, _| {
            set_query.set(String::new());
            if let Some(el) = input.get_untracked() {
                el.set_value("");
            }
        },
        false,
    );
    let navigate = use_navigate();
    let first_hit = move || {
        hits.get()
            .and_then(|r| r.ok())
            .and_then(|h| h.into_iter().next())
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(hit) = first_hit() {
            ev.prevent_default();
            set_query.set(String::new());
            if let Some(el) = input.get() {
                el.set_value("");
            }
            navigate(&hit.href(), Default::default());
        }
    };
    let results = move || {
        let q = query.get();
        if q.trim().is_empty() {
            return None;
        }
        let list = hits.get().and_then(|r| r.ok()).unwrap_or_default();
        Some(view! { <SearchResults hits=list compact=true /> })
    };
    view! {
        <form class="searchbox" action="/desk/search" method="get" role="search" on:submit=on_submit>
            <label for="desk-search" class="visually-hidden">{i18n.t("search.label")}</label>
            <input
                id="desk-search"
                name="q"
                type="search"
                autocomplete="off"
                placeholder=i18n.t("search.placeholder")
                node_ref=input
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
            {results}
        </form>
    }
}

#[component]
fn SearchResults(hits: Vec<SearchHit>, compact: bool) -> impl IntoView {
    let i18n = use_i18n();
    if hits.is_empty() {
        return view! { <p class=if compact { "search-results empty-hit" } else { "empty" }>{i18n.t("search.none")}</p> }
            .into_any();
    }
    let items = hits
        .into_iter()
        .map(|h| {
            let kind = i18n.t(h.kind.key());
            view! {
                <li>
                    <a href=h.href()>
                        <span class="hit-kind">{kind}</span>
                        <strong>{h.title.clone()}</strong>
                        <span class="muted">{h.detail.clone()}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! { <ul class=if compact { "search-results" } else { "search-page" }>{items}</ul> }
        .into_any()
}

/// `/desk/search?q=…`: the search results as a page (what Enter gives without JavaScript).
#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let hits = Resource::new(q, desk_search);
    view! {
        <>
            <h1>{i18n.f("search.title", &[("q", &q())])}</h1>
            {load(move || hits, |list| view! { <SearchResults hits=list compact=false /> })}
        </>
    }
}
