//! The renovation pages: the desk's list (`/desk/renovations`), one
//! application ([`app`], shared with the reviewer's phone and the portal,
//! with its drawings and photos: [`attachments`]), the application form
//! ([`apply`]), the estate's settings (`/desk/renovations/setup`), the
//! reviewer's list (`/jobs/renovations`) and the resident's
//! (`/portal/renovations`).

pub mod app;
pub mod apply;
pub mod attachments;
pub mod deposit;
pub mod fees;
pub mod permit;
pub mod works;

use leptos::prelude::*;

pub use app::{AppPageView, Seat, StateBadge};
pub use apply::{NewAppPage, PortalNewAppPage};

use crate::i18n::use_i18n;
use crate::renovation::api::{
    get_my_renovations, get_renovation_reviews, get_renovation_setup, get_renovations,
    AddRenovationScope, RemoveRenovationCharge, RetireRenovationScope, SaveRenovationSettings,
    SetRenovationCharge, SetRenovationReviewer,
};
use crate::renovation::{AppList, AppRow, ListFilter, PortalApps, Setup};
use crate::ui::{
    field_error, form_error, load, query_num, reload_on_success, EmptyRow, EstatePicker, Field,
    FormError,
};

/// `/desk/renovations`: the estate's applications, what waits for the caller first.
#[component]
pub fn RenovationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let filter = crate::ui::query_text("filter");
    let list = Resource::new(move || (estate(), filter()), |(e, f)| get_renovations(e, f));
    view! {
        <div class="page-head">
            <h1>{i18n.t("renovation.title")}</h1>
            <a class="button" href="/desk/renovations/setup">{i18n.t("renovation.setup")}</a>
        </div>
        {load(move || list, move |l| view! { <ListView l /> })}
    }
}

#[component]
fn ListView(l: AppList) -> impl IntoView {
    let i18n = use_i18n();
    let estate_id = l.estate_id;
    let tabs = ListFilter::ALL
        .iter()
        .map(|f| {
            let label = if *f == ListFilter::Mine {
                use_i18n().f("renovation.filter.mine_count", &[("count", &l.mine.to_string())])
            } else {
                use_i18n().t(f.key())
            };
            view! {
                <a href=format!("/desk/renovations?estate={estate_id}&filter={}", f.as_str())
                    class:current=*f == l.filter aria-current=(*f == l.filter).then_some("page")>{label}</a>
            }
        })
        .collect_view();
    let counts = l
        .counts
        .iter()
        .map(|(s, n)| view! { <span class="count-chip"><StateBadge state=*s /> " " {*n}</span> })
        .collect_view();
    view! {
        <EstatePicker estates=l.estates.clone() chosen=l.estate_id />
        <form class="inline-form" method="get" action="/desk/renovations/new">
            <input type="hidden" name="estate" value=estate_id />
            <Field label=i18n.t("renovation.new_for_house") name="number" required=true
                hint=i18n.t("renovation.new_hint") />
            <button type="submit">{i18n.t("renovation.new")}</button>
        </form>
        <p class="counts">{counts}</p>
        <nav class="tabs">{tabs}</nav>
        <AppTable rows=l.rows.clone() base="/desk/renovations" />
    }
}

/// Applications as a table, each to its page under `base`.
#[component]
fn AppTable(rows: Vec<AppRow>, base: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td><a href=format!("{base}/{}", r.id)>{r.app_no.clone()}</a></td>
                    <td>{r.house_number.clone()}</td>
                    <td>{r.applicant.clone()}</td>
                    <td>{r.contractor.clone()}</td>
                    <td class="nowrap">{r.planned_start.clone()} " — " {r.planned_end.clone()}</td>
                    <td><StateBadge state=r.state /> " " <works::FlagBadge flag=r.flag /></td>
                    <td class="nowrap">{r.updated_at.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table>
            <thead><tr>
                <th>{i18n.t("renovation.app_no")}</th>
                <th>{i18n.t("renovation.house")}</th>
                <th>{i18n.t("renovation.applicant")}</th>
                <th>{i18n.t("renovation.contractor")}</th>
                <th>{i18n.t("renovation.period")}</th>
                <th>{i18n.t("renovation.state_label")}</th>
                <th>{i18n.t("renovation.updated")}</th>
            </tr></thead>
            <tbody>{body}<EmptyRow show=empty cols=7 /></tbody>
        </table></div>
    }
}

/// Applications as cards, for a phone.
#[component]
fn AppCards(rows: Vec<AppRow>, base: &'static str, empty_key: &'static str) -> impl IntoView {
    let empty = rows.is_empty();
    let cards = rows
        .into_iter()
        .map(|r| {
            view! {
                <li class="card">
                    <a href=format!("{base}/{}", r.id)><strong>{r.house_number.clone()}</strong> " " {r.app_no.clone()}</a>
                    " " <StateBadge state=r.state /> " " <works::FlagBadge flag=r.flag />
                    <dl>
                        <dt>{use_i18n().t("renovation.contractor")}</dt><dd>{r.contractor.clone()}</dd>
                        <dt>{use_i18n().t("renovation.period")}</dt><dd>{r.planned_start.clone()} " — " {r.planned_end.clone()}</dd>
                    </dl>
                </li>
            }
        })
        .collect_view();
    view! {
        {empty.then(|| view! { <p class="empty">{use_i18n().t(empty_key)}</p> })}
        <ul class="job-cards">{cards}</ul>
    }
}

/// `/jobs/renovations`: the engineering reviews waiting for this reviewer,
/// then the works they visit (an overdue rectification or a visit due first).
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let i18n = use_i18n();
    let rows = Resource::new(|| (), |_| get_renovation_reviews());
    view! {
        <p class="crumbs"><a href="/jobs">{i18n.t("jobs.title")}</a></p>
        <h1>{i18n.t("renovation.reviews")}</h1>
        {load(move || rows, move |rows: Vec<AppRow>| {
            let (reviews, works): (Vec<AppRow>, Vec<AppRow>) =
                rows.into_iter().partition(|r| r.state == crate::renovation::State::Engineering);
            view! {
                <AppCards rows=reviews base="/jobs/renovations" empty_key="renovation.no_reviews" />
                <h2>{use_i18n().t("renovation.works_list")}</h2>
                <AppCards rows=works base="/jobs/renovations" empty_key="renovation.no_works" />
            }
        })}
    }
}

/// `/portal/renovations`: the resident's applications and where to apply.
#[component]
pub fn PortalRenovationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| get_my_renovations());
    view! {
        <h1>{i18n.t("renovation.my_title")}</h1>
        {load(move || page, move |p| view! { <PortalList p /> })}
    }
}

#[component]
fn PortalList(p: PortalApps) -> impl IntoView {
    let i18n = use_i18n();
    let apply = p
        .houses
        .iter()
        .map(|h| {
            view! {
                <a class="button primary" href=format!("/portal/renovations/new?house={}", h.id)>
                    {use_i18n().f("renovation.apply_for", &[("house", &h.name)])}
                </a>
            }
        })
        .collect_view();
    view! {
        <p class="muted">{i18n.t("renovation.portal_hint")}</p>
        <p class="actions">{apply}</p>
        <AppCards rows=p.rows.clone() base="/portal/renovations" empty_key="renovation.none_yet" />
    }
}

/// `/desk/renovations/setup`: the scope list, inspections, hours, reviewers.
#[component]
pub fn RenovationSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(
        move || (estate(), refresh.get()),
        |(e, _)| get_renovation_setup(e),
    );
    view! {
        <p class="crumbs"><a href="/desk/renovations">{i18n.t("renovation.title")}</a></p>
        <div class="page-head"><h1>{i18n.t("renovation.setup")}</h1></div>
        {load(move || page, move |s| view! { <SetupView s refresh /> })}
    }
}

#[component]
fn SetupView(s: Setup, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddRenovationScope>::new();
    let av = add.value();
    reload_on_success(av, refresh);
    let retire = ServerAction::<RetireRenovationScope>::new();
    reload_on_success(retire.value(), refresh);
    let save = ServerAction::<SaveRenovationSettings>::new();
    let sv = save.value();
    reload_on_success(sv, refresh);
    let reviewer = ServerAction::<SetRenovationReviewer>::new();
    let rv = reviewer.value();
    reload_on_success(rv, refresh);
    let estate_id = s.estate_id;
    let can_edit = s.can_edit;
    let scope = s
        .scope
        .iter()
        .map(|item| {
            let scope_id = item.id;
            view! {
                <tr>
                    <td class="nowrap">{item.name.clone()}</td>
                    <td class="nowrap">{item.prohibited.then(|| view! { <span class="badge overdue">{use_i18n().t("renovation.prohibited")}</span> })}</td>
                    <td>{item.rule.clone()}</td>
                    <td class="nowrap">{can_edit.then(|| view! {
                        <button type="button" class="small" on:click=move |_| { retire.dispatch(RetireRenovationScope { estate_id, scope_id }); }>
                            {use_i18n().t("moves.remove")}
                        </button>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let reviewers = s
        .reviewers
        .iter()
        .map(|r| {
            let account_id = r.account_id;
            let on = r.reviewer;
            view! {
                <li>
                    <label>
                        <input type="checkbox" checked=on disabled=!can_edit on:change=move |_| {
                            reviewer.dispatch(SetRenovationReviewer { estate_id, account_id, reviewer: !on });
                        } />
                        " " {r.name.clone()}
                    </label>
                </li>
            }
        })
        .collect_view();
    let no_workers = s.reviewers.is_empty();
    let set_charge = ServerAction::<SetRenovationCharge>::new();
    let cv = set_charge.value();
    reload_on_success(cv, refresh);
    let remove_charge = ServerAction::<RemoveRenovationCharge>::new();
    reload_on_success(remove_charge.value(), refresh);
    let charges = s
        .charges
        .iter()
        .map(|c| {
            let fee_item_id = c.fee_item_id;
            view! {
                <tr>
                    <td class="nowrap">{c.name.clone()}
                        {c.held.then(|| view! { " " <span class="badge held">{use_i18n().t("billing.held")}</span> })}</td>
                    <td class="num">{crate::billing::fen_text(c.amount_fen)}</td>
                    <td class="nowrap">{can_edit.then(|| view! {
                        <button type="button" class="small" on:click=move |_| {
                            remove_charge.dispatch(RemoveRenovationCharge { estate_id, fee_item_id });
                        }>{use_i18n().t("moves.remove")}</button>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let items = s
        .one_off_items
        .iter()
        .map(|i| view! { <option value=i.id>{i.name.clone()}</option> })
        .collect_view();
    let no_items = s.one_off_items.is_empty();
    view! {
        <EstatePicker estates=s.estates.clone() chosen=s.estate_id />
        {(!can_edit).then(|| view! { <p class="muted">{use_i18n().t("moves.setup_managers")}</p> })}
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("renovation.scope_list")}</h2>
                <div class="table-wrap"><table>
                    <thead><tr><th>{i18n.t("renovation.scope_item")}</th><th></th><th>{i18n.t("renovation.rule")}</th><th></th></tr></thead>
                    <tbody>{scope}</tbody>
                </table></div>
                {can_edit.then(|| view! {
                    <FormError error=form_error(av) />
                    <ActionForm action=add>
                        <input type="hidden" name="estate_id" value=estate_id />
                        <Field label=use_i18n().t("renovation.scope_item") name="name" error=field_error(av, "name") />
                        <label><input type="checkbox" name="prohibited" value="1" /> " " {use_i18n().t("renovation.prohibited")}</label>
                        <Field label=use_i18n().t("renovation.rule") name="rule" hint=use_i18n().t("renovation.rule_hint")
                            error=field_error(av, "rule") />
                        <button type="submit">{use_i18n().t("renovation.add_scope")}</button>
                    </ActionForm>
                })}
            </section>
            <section class="panel">
                <h2>{i18n.t("renovation.settings")}</h2>
                <FormError error=form_error(sv) />
                <ActionForm action=save>
                    <input type="hidden" name="estate_id" value=estate_id />
                    <Field label=i18n.t("renovation.inspection_days") name="inspection_days" kind="number"
                        value=s.inspection_days.to_string() error=field_error(sv, "inspection_days") />
                    <Field label=i18n.t("renovation.work_hours") name="work_hours" value=s.work_hours.clone()
                        error=field_error(sv, "work_hours") />
                    {can_edit.then(|| view! { <button type="submit">{use_i18n().t("renovation.save")}</button> })}
                </ActionForm>
                <h2>{i18n.t("renovation.charges")}</h2>
                <p class="hint">{i18n.t("renovation.charges_hint")}</p>
                <div class="table-wrap flat"><table><tbody>{charges}</tbody></table></div>
                {(can_edit && no_items).then(|| view! { <p class="muted">{use_i18n().t("renovation.no_one_off_items")}</p> })}
                {(can_edit && !no_items).then(|| view! {
                    <FormError error=form_error(cv) />
                    <ActionForm action=set_charge>
                        <input type="hidden" name="estate_id" value=estate_id />
                        <div class="pair">
                            <crate::ui::SelectField label=use_i18n().t("renovation.charge_item") name="fee_item_id"
                                error=field_error(cv, "fee_item_id")>{items}</crate::ui::SelectField>
                            <Field label=use_i18n().t("renovation.charge_amount") name="amount" error=field_error(cv, "amount") />
                        </div>
                        <button type="submit">{use_i18n().t("renovation.set_charge")}</button>
                    </ActionForm>
                })}
                <h2>{i18n.t("renovation.reviewers")}</h2>
                <p class="hint">{i18n.t("renovation.reviewers_hint")}</p>
                <FormError error=form_error(rv) />
                {no_workers.then(|| view! { <p class="empty">{use_i18n().t("renovation.no_workers")}</p> })}
                <ul class="plain">{reviewers}</ul>
            </section>
        </div>
    }
}
