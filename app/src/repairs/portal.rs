//! The resident's repairs in the portal: report one, follow it, cancel it
//! while nobody has it, rate it when done.

use leptos::prelude::*;

use super::api::*;
use super::pages::{ReportFormView, StatusBadge, TicketFlags, TicketPage};
use super::{ReportForm, TicketRow};
use crate::i18n::use_i18n;
use crate::ui::load;

/// `/portal/repairs`
#[component]
pub fn PortalRepairsPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| get_my_repairs());
    view! {
        <>
            <div class="page-head">
                <h1>{i18n.t("repairs.my_title")}</h1>
                <a class="button primary" href="/portal/repairs/new">{i18n.t("repairs.report_one")}</a>
            </div>
            {load(move || list, move |rows: Vec<TicketRow>| {
                if rows.is_empty() {
                    return view! { <p class="empty">{use_i18n().t("repairs.my_empty")}</p> }.into_any();
                }
                rows.into_iter()
                    .map(|r| view! {
                        <a class="card ticket-card" href=format!("/portal/repairs/{}", r.id)>
                            <span class="job-place">{r.place.clone()} " · " {use_i18n().t(r.category.key())}</span>
                            <span class="job-desc">{r.description.clone()}</span>
                            <span class="job-meta">
                                <StatusBadge status=r.status /> " "
                                <TicketFlags urgency=r.urgency late=Default::default() rework=r.rework_count paid=r.paid />
                                " " {r.created_at.clone()}
                            </span>
                        </a>
                    })
                    .collect_view()
                    .into_any()
            })}
        </>
    }
}

/// `/portal/repairs/new`
#[component]
pub fn PortalNewRepairPage() -> impl IntoView {
    let i18n = use_i18n();
    let form = Resource::new(|| (), |_| get_report_form(0, String::new()));
    view! {
        <>
            <p class="crumbs"><a href="/portal/repairs">{i18n.t("repairs.my_title")}</a></p>
            <h1>{i18n.t("repairs.report_one")}</h1>
            {load(move || form, move |f: ReportForm| {
                if f.houses.is_empty() {
                    view! { <p class="empty">{use_i18n().t("portal.no_houses")}</p> }.into_any()
                } else {
                    view! { <ReportFormView f desk=false /> }.into_any()
                }
            })}
        </>
    }
}

/// `/portal/repairs/:id`
#[component]
pub fn PortalRepairPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <>
            <p class="crumbs"><a href="/portal/repairs">{i18n.t("repairs.my_title")}</a></p>
            <TicketPage />
        </>
    }
}
