//! Key custody's pages: the key list (`/desk/keys`, overdue first), a key's
//! page with the counter's forms ([`key`]), a cabinet's map of hooks and the
//! setup of cabinets and keys ([`cabinet`]), and the lists of keys out that
//! the home pages, a house's page and a worker's phone show ([`KeysOutTable`]).

pub mod cabinet;
pub mod count;
pub mod key;

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

pub use cabinet::{CabinetPage, KeySetupPage};
pub use count::CountPage;
pub use key::KeyPage;

use crate::common::Choice;
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::keys::api::get_keys;
use crate::keys::{CopyStatus, KeyList, KeyRow, ListFilter, LoanView};

use crate::ui::{load, query_num, EmptyRow, EstatePicker};

/// A copy's status as a badge: overdue outranks out.
#[component]
pub fn KeyStatusBadge(status: CopyStatus, #[prop(optional)] overdue: bool) -> impl IntoView {
    let i18n = use_i18n();
    if overdue {
        view! { <span class="badge overdue">{i18n.t("keys.overdue")}</span> }.into_any()
    } else {
        view! { <span class=format!("badge key-{}", status.as_str())>{i18n.t(status.key())}</span> }
            .into_any()
    }
}

/// Who holds a copy out, since when, until when and who allowed it (one cell).
#[component]
pub fn HolderCell(row: KeyRow) -> impl IntoView {
    let i18n = use_i18n();
    match row.loan {
        None => view! { <span class="muted">"—"</span> }.into_any(),
        Some(l) => view! {
            <span class="holder">
                <strong>{l.taker}</strong>
                " · "{i18n.t(l.purpose.key())}
                <Served ticket_id=l.ticket_id renovation=l.renovation.clone() />
                <br />
                <span class="muted">{i18n.f("keys.since_due", &[("since", &l.out_at), ("due", &l.due_at)])}</span>
                <br />
                <span class="muted">{i18n.f("keys.allowed_by", &[("who", &l.authorised_by)])}</span>
            </span>
        }
        .into_any(),
    }
}

/// Rows of keys: the list page's, and the shorter lists of homes and houses.
#[component]
pub fn KeysTable(rows: Vec<KeyRow>, #[prop(optional)] cabinet: bool) -> impl IntoView {
    let i18n = use_i18n();
    let empty = rows.is_empty();
    let cols = if cabinet { 6 } else { 5 };
    let body = rows
        .into_iter()
        .map(|r| {
            let overdue = r.loan.as_ref().is_some_and(|l| l.overdue);
            let place = format!("{} {}", r.cabinet, r.hook);
            view! {
                <tr class:late=overdue>
                    <td class="nowrap"><a href=format!("/desk/keys/{}", r.copy_id)>{r.tag.clone()}</a></td>
                    <td>{r.opens.clone()}<br /><span class="muted">{use_i18n().t(r.kind.key())}</span></td>
                    {cabinet.then(|| view! { <td class="nowrap">{place}</td> })}
                    <td><KeyStatusBadge status=r.status overdue /></td>
                    <td><HolderCell row=r.clone() /></td>
                    <td class="nowrap">{r.loan.as_ref().map(|l| l.due_at.clone()).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="keys">
                <thead>
                    <tr>
                        <th>{i18n.t("keys.tag")}</th>
                        <th>{i18n.t("keys.opens")}</th>
                        {cabinet.then(|| view! { <th>{use_i18n().t("keys.hook")}</th> })}
                        <th>{i18n.t("keys.status_label")}</th>
                        <th>{i18n.t("keys.holder")}</th>
                        <th>{i18n.t("keys.due")}</th>
                    </tr>
                </thead>
                <tbody>
                    {body}
                    <EmptyRow show=empty cols=cols />
                </tbody>
            </table>
        </div>
    }
}

/// `/desk/keys`: an estate's keys, overdue first, with the tag box (a
/// scanner types the tag and presses Enter).
#[component]
pub fn KeysPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let query = use_query_map();
    let filter = move || query.read().get("filter").unwrap_or_default();
    let list = Resource::new(move || (estate(), filter()), |(e, f)| get_keys(e, f));
    view! {
        <>
            <h1>{i18n.t("keys.title")}</h1>
            {load(move || list, move |l| view! { <KeyListView l /> })}
        </>
    }
}

#[component]
fn KeyListView(l: KeyList) -> impl IntoView {
    let i18n = use_i18n();
    let e = l.estate_id;
    let out = l
        .rows
        .iter()
        .filter(|r| r.status == CopyStatus::Out)
        .count();
    let overdue = l
        .rows
        .iter()
        .filter(|r| r.loan.as_ref().is_some_and(|x| x.overdue))
        .count();
    let filters = ListFilter::ALL
        .iter()
        .map(|f| {
            view! {
                <a class="button" href=format!("/desk/keys?estate={e}&filter={}", f.as_str())>{use_i18n().t(f.key())}</a>
                " "
            }
        })
        .collect_view();
    let cabinets = l
        .cabinets
        .iter()
        .map(|c| view! { <a class="button" href=format!("/desk/keys/cabinets/{}", c.id)>{c.name.clone()}</a> " " })
        .collect_view();
    view! {
        <div class="page-head">
            <p class="key-counts">
                {i18n.f("keys.counts", &[("out", &out.to_string()), ("overdue", &overdue.to_string())])}
            </p>
            <nav class="actions">
                {cabinets}
                {l.desk.then(|| view! {
                    <a class="button" href=format!("/desk/keys/register-sheet?estate={e}")>{use_i18n().t("keys.register_sheet")}</a>
                    <a class="button" href=format!("/desk/keys/setup?estate={e}")>{use_i18n().t("keys.setup_title")}</a>
                })}
            </nav>
        </div>
        <EstatePicker estates=l.estates.clone() chosen=e />
        <Form method="GET" action="/desk/keys/find">
            <div class="filters">
                <div class="field">
                    <label for="f-tag">{i18n.t("keys.scan")}</label>
                    <input id="f-tag" name="tag" autocomplete="off" placeholder="K0012-1" />
                </div>
                <button type="submit" class="primary">{i18n.t("keys.find")}</button>
            </div>
        </Form>
        <nav class="actions filter-links">{filters}</nav>
        <KeysTable rows=l.rows cabinet=true />
    }
}

/// `/desk/keys/find?tag=…`: the copy a tag names, or why not.
#[component]
pub fn FindKeyPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tag = move || query.read().get("tag").unwrap_or_default();
    let found = Resource::new(tag, crate::keys::api::find_key);
    view! {
        <>
            <p class="crumbs"><a href="/desk/keys">{i18n.t("keys.title")}</a></p>
            {load(move || found, move |id| match id {
                Some(id) => view! { <leptos_router::components::Redirect path=format!("/desk/keys/{id}") /> }.into_any(),
                None => view! { <p class="empty">{use_i18n().f("keys.no_tag", &[("tag", &tag())])}</p> }.into_any(),
            })}
        </>
    }
}

/// The keys out of the cabinet in the caller's estates (the desk's and
/// security's homes): overdue first, in red.
#[component]
pub fn KeysOutPanel() -> impl IntoView {
    let i18n = use_i18n();
    let out = Resource::new(|| (), |_| crate::keys::api::get_keys_out());
    view! {
        <section class="panel">
            <h2>{i18n.t("keys.out_title")}</h2>
            {load(move || out, move |o| view! {
                {(o.overdue > 0).then(|| view! { <p class="form-error">{use_i18n().f("keys.overdue_n", &[("n", &o.overdue.to_string())])}</p> })}
                <KeysTable rows=o.rows.clone() cabinet=true />
            })}
        </section>
    }
}

/// A house's keys, on its page.
#[component]
pub fn HouseKeysPanel(house_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let keys = Resource::new(move || house_id, crate::keys::api::get_house_keys);
    view! {
        <section class="panel">
            <h2>{i18n.t("keys.house_title")}</h2>
            {load(move || keys, move |o| view! { <KeysTable rows=o.rows.clone() cabinet=true /> })}
        </section>
    }
}

/// Lost keys and backup copies used (the manager's and security's homes).
#[component]
pub fn KeyReportsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let reports = Resource::new(|| (), |_| crate::keys::api::get_key_reports());
    view! {
        <section class="panel">
            <h2>{i18n.t("keys.reports_title")}</h2>
            {load(move || reports, move |rows| {
                let empty = rows.is_empty();
                view! {
                    <ul class="reports">
                        {rows.into_iter().map(|r| view! {
                            <li>
                                <span class="badge overdue">{use_i18n().t(r.kind.key())}</span> " "
                                <a href=format!("/desk/keys/{}", r.copy_id)>{r.tag.clone()}</a> " "
                                {r.opens.clone().unwrap_or_default()} " · "
                                <span class="muted">{r.reported_at.clone()}</span>
                                <br />{r.circumstances.clone()}
                            </li>
                        }).collect_view()}
                    </ul>
                    {empty.then(|| view! { <p class="muted">{use_i18n().t("common.none")}</p> })}
                }
            })}
        </section>
    }
}

/// What a loan serves, linked: the repair ticket, the renovation's permit.
#[component]
pub fn Served(ticket_id: Option<i64>, renovation: Option<Choice>) -> impl IntoView {
    view! {
        {ticket_id.map(|t| view! { " " <a href=format!("/desk/repairs/{t}")>{format!("#{t}")}</a> })}
        {renovation.map(|r| view! { " " <a href=format!("/desk/renovations/{}", r.id)>{r.name}</a> })}
    }
}

/// The keys lent for a repair ticket (its page at the desk).
#[component]
pub fn TicketKeysPanel(ticket_id: i64) -> impl IntoView {
    let loans = Resource::new(move || ticket_id, crate::keys::api::get_ticket_keys);
    view! { <LoansPanel loans title="keys.ticket_keys" /> }
}

/// The keys lent to a renovation's workers (its page at the desk).
#[component]
pub fn RenovationKeysPanel(renovation_id: i64) -> impl IntoView {
    let loans = Resource::new(move || renovation_id, crate::keys::api::get_renovation_keys);
    view! { <LoansPanel loans title="keys.renovation_keys" /> }
}

/// Loans listed under a ticket or a renovation: nothing when there are none.
#[component]
fn LoansPanel(
    loans: Resource<Result<Vec<LoanView>, AppError>>,
    title: &'static str,
) -> impl IntoView {
    view! {
        {load(move || loans, move |loans| {
            (!loans.is_empty()).then(|| view! {
                <section class="panel">
                    <h2>{use_i18n().t(title)}</h2>
                    <ul class="reports">
                        {loans.into_iter().map(|l| view! {
                            <li class:late=l.overdue>
                                <a href=format!("/desk/keys/find?tag={}", l.tag)>{l.tag.clone()}</a> " · "
                                {l.taker.clone()} " · " {l.out_at.clone()} " → "
                                {l.returned_at.clone().unwrap_or_else(|| use_i18n().f("keys.due_at", &[("due", &l.due_at.clone().unwrap_or_default())]))}
                                {l.overdue.then(|| view! { " " <span class="badge overdue">{use_i18n().t("keys.overdue")}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })
        })}
    }
}

/// The keys a worker holds now (their phone's job list).
#[component]
pub fn MyKeysPanel() -> impl IntoView {
    let keys = Resource::new(|| (), |_| crate::keys::api::get_my_keys());
    view! {
        {load(move || keys, move |o| {
            (!o.rows.is_empty()).then(|| view! {
                <section class="panel my-keys">
                    <h2>{use_i18n().f("keys.mine", &[("n", &o.rows.len().to_string())])}</h2>
                    <ul class="reports">
                        {o.rows.iter().map(|r| {
                            let overdue = r.loan.as_ref().is_some_and(|l| l.overdue);
                            let due = r.loan.as_ref().map(|l| l.due_at.clone()).unwrap_or_default();
                            view! {
                                <li class:late=overdue>
                                    <strong>{r.tag.clone()}</strong> " " {r.opens.clone()} <br />
                                    <span class="muted">{use_i18n().f("keys.due_at", &[("due", &due)])}</span>
                                    {overdue.then(|| view! { " " <span class="badge overdue">{use_i18n().t("keys.overdue")}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })
        })}
    }
}
