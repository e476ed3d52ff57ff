//! The desk's lists: open tickets, late first (`/desk/repairs`), and the done
//! ones waiting for their return visit (`/desk/repairs/visits`).

use leptos::prelude::*;
use leptos_router::components::Form;

use super::{query_text, StatusBadge, TicketFlags};
use crate::i18n::use_i18n;
use crate::repairs::api::{get_repairs, get_visit_list};
use crate::repairs::{ListFilter, Status, TicketList, VisitList};
use crate::ui::{load, query_num, EmptyRow, EstatePicker};

/// `/desk/repairs`: open tickets, late first.
#[component]
pub fn RepairsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let status = query_text("status");
    let late = query_text("late");
    let list = Resource::new(
        move || (estate(), status(), late()),
        |(e, s, l)| get_repairs(e, s, l == "1"),
    );
    view! {
        <>
            <h1>{i18n.t("repairs.title")}</h1>
            {load(move || list, move |l| view! { <RepairList l /> })}
        </>
    }
}

#[component]
fn RepairList(l: TicketList) -> impl IntoView {
    let i18n = use_i18n();
    let e = l.estate_id;
    let chosen = l.status.clone();
    // Open first, then each state, then all of them.
    let statuses = std::iter::once((ListFilter::Open.as_str(), ListFilter::Open.key()))
        .chain(Status::ALL.iter().map(|s| (s.as_str(), s.key())))
        .chain(std::iter::once((
            ListFilter::All.as_str(),
            ListFilter::All.key(),
        )))
        .map(|(value, key)| {
            view! { <option value=value selected=chosen == value>{use_i18n().t(key)}</option> }
        })
        .collect_view();
    let empty = l.rows.is_empty();
    let rows = l
        .rows
        .into_iter()
        .map(|r| {
            let late = r.late.any();
            view! {
                <tr class:late=late>
                    <td><a href=format!("/desk/repairs/{}", r.id)>{format!("#{}", r.id)}</a></td>
                    <td class="nowrap">{r.place.clone()}</td>
                    <td>{use_i18n().t(r.category.key())}</td>
                    <td>{r.description.clone()}</td>
                    <td><StatusBadge status=r.status /></td>
                    <td><TicketFlags urgency=r.urgency late=r.late rework=r.rework_count paid=r.paid /></td>
                    <td>{r.worker.clone().unwrap_or_else(|| "—".into())}</td>
                    <td class="nowrap">{r.created_at.clone()}</td>
                    <td class="nowrap">{r.appointment_at.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="page-head">
            <nav class="actions">
                <a class="button primary" href=format!("/desk/repairs/new?estate={e}")>{i18n.t("repairs.new")}</a>
                " "
                <a class="button" href=format!("/desk/repairs/visits?estate={e}")>{i18n.f("repairs.to_visit", &[("n", &l.to_visit.to_string())])}</a>
                " "
                <a class="button" href=format!("/desk/repairs/stats?estate={e}")>{i18n.t("repairs.stats_title")}</a>
                " "
                {l.can_escalations.then(|| view! {
                    <a class="button" href=format!("/desk/escalations?estate={e}")>{use_i18n().f("visits.escalations_n", &[("n", &l.open_escalations.to_string())])}</a>
                    " "
                })}
                {l.can_setup.then(|| view! { <a class="button" href=format!("/desk/repairs/setup?estate={e}")>{use_i18n().t("repairs.setup_title")}</a> })}
            </nav>
        </div>
        <EstatePicker estates=l.estates.clone() chosen=e />
        <Form method="GET" action="">
            <input type="hidden" name="estate" value=e />
            <div class="filters">
                <div class="field">
                    <label for="f-status">{i18n.t("repairs.status_label")}</label>
                    <select id="f-status" name="status">{statuses}</select>
                </div>
                <label class="check"><input type="checkbox" name="late" value="1" checked=l.late_only />{i18n.t("repairs.late_only")}</label>
                <button type="submit">{i18n.t("common.show")}</button>
            </div>
        </Form>
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th>{i18n.t("repairs.number")}</th>
                        <th>{i18n.t("repairs.place")}</th>
                        <th>{i18n.t("repairs.category")}</th>
                        <th>{i18n.t("repairs.description")}</th>
                        <th>{i18n.t("repairs.status_label")}</th>
                        <th></th>
                        <th>{i18n.t("repairs.worker")}</th>
                        <th>{i18n.t("repairs.reported_at")}</th>
                        <th>{i18n.t("repairs.appointment")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows}
                    <EmptyRow show=empty cols=9 />
                </tbody>
            </table>
        </div>
    }
}

/// `/desk/repairs/visits`: done tickets waiting for their return visit.
#[component]
pub fn VisitListPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let list = Resource::new(estate, get_visit_list);
    view! {
        <>
            <p class="crumbs"><a href="/desk/repairs">{i18n.t("repairs.title")}</a></p>
            <h1>{i18n.t("repairs.visits_title")}</h1>
            {load(move || list, move |l| view! { <ToVisit l /> })}
        </>
    }
}

#[component]
fn ToVisit(l: VisitList) -> impl IntoView {
    let i18n = use_i18n();
    let empty = l.rows.is_empty();
    let rows = l
        .rows
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td><a href=format!("/desk/repairs/{}", r.id)>{format!("#{}", r.id)}</a></td>
                    <td>{r.place}</td>
                    <td>{use_i18n().t(r.category.key())}</td>
                    <td>{r.description}</td>
                    <td>{r.worker.unwrap_or_default()}</td>
                    <td><a class="button" href=format!("/desk/repairs/{}#visit", r.id)>{use_i18n().t("visits.record")}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <EstatePicker estates=l.estates chosen=l.estate_id />
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{i18n.t("repairs.number")}</th>
                    <th>{i18n.t("repairs.place")}</th>
                    <th>{i18n.t("repairs.category")}</th>
                    <th>{i18n.t("repairs.description")}</th>
                    <th>{i18n.t("repairs.worker")}</th>
                    <th></th>
                </tr></thead>
                <tbody>{rows}<EmptyRow show=empty cols=6 /></tbody>
            </table>
        </div>
    }
}
