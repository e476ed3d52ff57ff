//! Repair pages of the desk, a file per workflow — [`list`] (the desk's list
//! and the return visits to make), [`report`] (the report form, the desk's
//! and the portal's), [`ticket`] (the ticket view every role shares, with
//! [`actions`]: the forms for exactly the actions the server offers this
//! caller now), [`figures`] (statistics) and [`setup`] — and here the badges
//! they share. `lib.rs`'s routes, `jobs` and `portal` use the paths below.

pub mod actions;
pub mod figures;
pub mod list;
pub mod report;
pub mod setup;
pub mod ticket;

use leptos::prelude::*;

pub use figures::RepairStatsPage;
pub use list::{RepairsPage, VisitListPage};
pub use report::{NewRepairPage, ReportFormView};
pub use setup::RepairSetupPage;
pub use ticket::{RepairPage, TicketPage};

use super::{Lateness, Status, Urgency};
use crate::i18n::use_i18n;

use crate::ui::query_text;

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    view! {
        <span class=format!("badge ticket-{}", status.as_str())>{use_i18n().t(status.key())}</span>
    }
}

/// Urgent, late, rework and paid, as badges.
#[component]
pub fn TicketFlags(urgency: Urgency, late: Lateness, rework: i64, paid: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {(urgency == Urgency::Urgent).then(|| view! { <span class="badge urgent">{use_i18n().t(Urgency::Urgent.key())}</span> " " })}
        {late.response.then(|| view! { <span class="badge overdue">{use_i18n().t("repairs.late_response")}</span> " " })}
        {(late.completion && !late.response).then(|| view! { <span class="badge overdue">{use_i18n().t("repairs.late_completion")}</span> " " })}
        {(rework > 0).then(|| view! { <span class="badge rework">{use_i18n().f("repairs.rework_n", &[("n", &rework.to_string())])}</span> " " })}
        {paid.then(|| view! { <span class="badge">{i18n.t("repairs.paid_badge")}</span> })}
    }
}
