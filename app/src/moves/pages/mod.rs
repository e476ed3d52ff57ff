//! The move-in pages: the list of open cases (`/desk/moves`), one case
//! ([`case`]), the estate's checklist and agreements (`/desk/moves/setup`),
//! (the house page's 办理入住 posts to `open_move_in`).

pub mod case;

use leptos::prelude::*;

pub use case::MoveInPage;

use crate::i18n::use_i18n;
use crate::moves::api::{
    get_move_in_template, get_move_ins, AddAgreementKind, AddChecklistItem,
    RetireAgreementKind, RetireChecklistItem,
};
use crate::moves::{CaseList, CaseRow, Template};
use crate::ui::{
    field_error, form_error, load, query_num, reload_on_success, EmptyRow, EstatePicker, Field,
    FormError,
};

#[component]
pub fn MoveInsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let list = Resource::new(estate, get_move_ins);
    let outs = Resource::new(estate, crate::moves::out::api::get_move_outs);
    view! {
        <div class="page-head">
            <h1>{i18n.t("moves.title")}</h1>
            <a class="button" href="/desk/moves/setup">{i18n.t("moves.setup")}</a>
        </div>
        <p class="muted">{i18n.t("moves.list_hint")}</p>
        {load(move || list, move |l| view! { <CaseTables l /> })}
        {load(move || outs, move |rows| view! { <OutTable rows /> })}
    }
}

/// The open move-outs (迁出), each to its case.
#[component]
fn OutTable(rows: Vec<crate::moves::out::OutRow>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = rows.is_empty();
    let count = rows.len();
    let body = rows
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td><a href=format!("/desk/moves/out/{}", r.id)>{r.house_number.clone()}</a></td>
                    <td>{r.names.clone()}</td>
                    <td>{r.kind.map(|k| use_i18n().t(k.key())).unwrap_or_default()}</td>
                    <td class="nowrap">{r.opened_at.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.f("moves.out.open_cases", &[("count", &count.to_string())])}</h2>
            <div class="table-wrap"><table>
                <thead><tr>
                    <th>{i18n.t("moves.house")}</th><th>{i18n.t("moves.out.who")}</th>
                    <th>{i18n.t("moves.out.kind")}</th><th>{i18n.t("moves.opened")}</th>
                </tr></thead>
                <tbody>{body}<EmptyRow show=empty cols=4 /></tbody>
            </table></div>
        </section>
    }
}

#[component]
fn CaseTables(l: CaseList) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <EstatePicker estates=l.estates.clone() chosen=l.estate_id />
        <section class="panel">
            <h2>{i18n.f("moves.open_cases", &[("count", &l.open.len().to_string())])}</h2>
            <CaseTable rows=l.open.clone() missing=true />
        </section>
        <section class="panel">
            <h2>{i18n.t("moves.done_cases")}</h2>
            <CaseTable rows=l.done.clone() missing=false />
        </section>
    }
}

#[component]
fn CaseTable(rows: Vec<CaseRow>, missing: bool) -> impl IntoView {
    let i18n = use_i18n();
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|r| {
            let i18n = use_i18n();
            let left: Vec<String> = r.missing.iter().map(|s| i18n.t(s.key())).collect();
            view! {
                <tr>
                    <td><a href=format!("/desk/moves/in/{}", r.id)>{r.house_number.clone()}</a></td>
                    <td>{if r.name.is_empty() { "—".to_string() } else { r.name.clone() }}
                        {r.role.map(|role| view! { " " <span class="muted">{use_i18n().t(role.key())}</span> })}</td>
                    <td class="nowrap">{r.opened_at.clone()}</td>
                    {missing.then(|| view! { <td>{if left.is_empty() { use_i18n().t("moves.ready") } else { left.join("、") }}</td> })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{i18n.t("moves.house")}</th>
                    <th>{i18n.t("moves.person")}</th>
                    <th>{if missing { i18n.t("moves.opened") } else { i18n.t("moves.completed") }}</th>
                    {missing.then(|| view! { <th>{use_i18n().t("moves.missing")}</th> })}
                </tr></thead>
                <tbody>{body}<EmptyRow show=empty cols=if missing { 4 } else { 3 } /></tbody>
            </table>
        </div>
    }
}

/// `/desk/moves/setup`: the estate's inspection checklist and agreements.
#[component]
pub fn MoveInSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(
        move || (estate(), refresh.get()),
        |(e, _)| get_move_in_template(e),
    );
    view! {
        <p class="crumbs"><a href="/desk/moves">{i18n.t("moves.title")}</a></p>
        <div class="page-head"><h1>{i18n.t("moves.setup")}</h1></div>
        {load(move || page, move |t| view! { <TemplateView t refresh /> })}
    }
}

#[component]
fn TemplateView(t: Template, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddChecklistItem>::new();
    let v = add.value();
    reload_on_success(v, refresh);
    let retire = ServerAction::<RetireChecklistItem>::new();
    reload_on_success(retire.value(), refresh);
    let add_agreement = ServerAction::<AddAgreementKind>::new();
    let av = add_agreement.value();
    reload_on_success(av, refresh);
    let retire_agreement = ServerAction::<RetireAgreementKind>::new();
    reload_on_success(retire_agreement.value(), refresh);
    let estate_id = t.estate_id;
    let can_edit = t.can_edit;
    let items = t
        .items
        .iter()
        .map(|i| {
            let item_id = i.id;
            view! {
                <tr>
                    <td>{i.room.clone()}</td>
                    <td>{i.item.clone()}</td>
                    <td>{(can_edit && item_id > 0).then(|| view! {
                        <button type="button" class="small" on:click=move |_| { retire.dispatch(RetireChecklistItem { estate_id, item_id }); }>
                            {use_i18n().t("moves.remove")}
                        </button>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let agreements = t
        .agreements
        .iter()
        .map(|a| {
            let id = a.id;
            view! {
                <li>{a.name.clone()} " "
                    {(can_edit && id > 0).then(|| view! {
                        <button type="button" class="small" on:click=move |_| { retire_agreement.dispatch(RetireAgreementKind { estate_id, id }); }>
                            {use_i18n().t("moves.remove")}
                        </button>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <EstatePicker estates=t.estates.clone() chosen=t.estate_id />
        {(!can_edit).then(|| view! { <p class="muted">{use_i18n().t("moves.setup_managers")}</p> })}
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("moves.checklist")}</h2>
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>{i18n.t("moves.room")}</th><th>{i18n.t("moves.item")}</th><th></th></tr></thead>
                        <tbody>{items}</tbody>
                    </table>
                </div>
                {can_edit.then(|| view! {
                    <FormError error=form_error(v) />
                    <ActionForm action=add>
                        <input type="hidden" name="estate_id" value=estate_id />
                        <div class="pair">
                            <Field label=use_i18n().t("moves.room") name="room" error=field_error(v, "room") />
                            <Field label=use_i18n().t("moves.item") name="item" error=field_error(v, "item") />
                        </div>
                        <button type="submit">{use_i18n().t("moves.add_item")}</button>
                    </ActionForm>
                })}
            </section>
            <section class="panel">
                <h2>{i18n.t("moves.agreements")}</h2>
                <ul>{agreements}</ul>
                {can_edit.then(|| view! {
                    <FormError error=form_error(av) />
                    <ActionForm action=add_agreement>
                        <input type="hidden" name="estate_id" value=estate_id />
                        <Field label=use_i18n().t("moves.agreement_name") name="name" error=field_error(av, "name") />
                        <button type="submit">{use_i18n().t("moves.add_agreement")}</button>
                    </ActionForm>
                })}
            </section>
        </div>
    }
}

/// A case step's frame (move-in's and move-out's): its name (`key`), done or
/// not, what was saved, and its form; `anchor` names it in the page (`#step-…`).
#[component]
pub(crate) fn StepFrame(key: &'static str, anchor: &'static str, done: bool, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="panel step" class:done=done id=format!("step-{anchor}")>
            <h2>
                {i18n.t(key)} " "
                {if done {
                    view! { <span class="badge on">{use_i18n().t("moves.step_done")}</span> }.into_any()
                } else {
                    view! { <span class="badge">{use_i18n().t("moves.step_todo")}</span> }.into_any()
                }}
            </h2>
            {children()}
        </li>
    }
}
