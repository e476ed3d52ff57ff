//! Register pages, one file per workflow: [`search`] (the desk's search box
//! and its results page), [`houses`] (an estate's house list, adding a
//! house), [`house`] (one house: the desk's hub), [`residents`] (the
//! resident list and page) and [`import`] (uploading a spreadsheet, its
//! report). The pieces they share — a house's status badge, the pager — are here.

pub mod house;
pub mod houses;
pub mod import;
pub mod residents;
pub mod search;

pub use house::HousePage;
pub use houses::HouseListPage;
pub use import::{ImportPage, ImportReportPage};
pub use residents::{ResidentListPage, ResidentPage};
pub use search::{SearchBox, SearchPage};

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::rules::page_window;
use super::{HouseStatus, HOUSE_PAGE_SIZE};
use crate::i18n::use_i18n;

/// A house's status as a coloured badge.
fn status_badge(status: HouseStatus) -> impl IntoView + use<> {
    let label = use_i18n().t(status.key());
    view! { <span class=format!("badge status-{status}")>{label}</span> }
}

/// Previous / next links for a paged list; the other filters stay in the address.
#[component]
fn Pager(page: i64, total: i64) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let pages = ((total + HOUSE_PAGE_SIZE - 1) / HOUSE_PAGE_SIZE).max(1);
    // The page number comes from the address: the server showed this one.
    let (page, _) = page_window(page, total, HOUSE_PAGE_SIZE);
    let link = move |page: i64| {
        let mut q = query.get_untracked();
        q.replace("page", page.to_string());
        q.to_query_string()
    };
    view! {
        <nav class="pager" aria-label=i18n.t("common.pages")>
            {(page > 0).then(|| view! { <a class="button" href=link(page - 1)>{use_i18n().t("common.previous")}</a> })}
            <span class="muted">{format!("{} / {}", page + 1, pages)}</span>
            {(page + 1 < pages).then(|| view! { <a class="button" href=link(page + 1)>{use_i18n().t("common.next")}</a> })}
        </nav>
    }
}
