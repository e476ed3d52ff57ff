//! `/desk/houses`: an estate's houses by building and status, with their
//! owners and arrears, the export, and adding one house.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{status_badge, Pager};
use crate::common::Fen;
use crate::estate::api::{list_houses, CreateHouse};
use crate::estate::{HouseFilter, HouseList, HouseStatus, HouseUse};
use crate::i18n::use_i18n;
use crate::ui::{area, field_error, form_error, load, Field, FormError};

/// `/desk/houses`: the houses of an estate, by building and status.
#[component]
pub fn HouseListPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let num = |k: &str| q.get(k).and_then(|v| v.parse().ok()).unwrap_or(0);
        HouseFilter {
            estate_id: num("estate"),
            building_id: num("building"),
            status: q.get("status").and_then(|s| HouseStatus::parse(&s)),
            page: num("page"),
        }
    };
    let list = Resource::new(filter, list_houses);
    view! {
        <>
            <h1>{i18n.t("house.list_title")}</h1>
            {load(move || list, move |list| view! { <HouseTable list f=filter() /> })}
        </>
    }
}

/// The filters, the list and its pager.
#[component]
fn HouseTable(list: HouseList, f: HouseFilter) -> impl IntoView {
    let i18n = use_i18n();
    let estate_id = list.estate_id;
    let estates = list
        .estates
        .iter()
        .map(|e| view! { <option value=e.id selected=e.id == estate_id>{e.name.clone()}</option> })
        .collect_view();
    let buildings = list
        .buildings
        .iter()
        .map(|b| view! { <option value=b.id selected=b.id == f.building_id>{b.name.clone()}</option> })
        .collect_view();
    let statuses = HouseStatus::ALL
        .iter()
        .map(|s| view! { <option value=s.as_str() selected=f.status == Some(*s)>{i18n.t(s.key())}</option> })
        .collect_view();
    let rows = list
        .rows
        .iter()
        .map(|h| {
            view! {
                <tr>
                    <td><a href=format!("/desk/houses/{}", h.id)>{h.number.clone()}</a></td>
                    <td>{h.building_name.clone()}</td>
                    <td class="num">{h.floor}</td>
                    <td class="num">{area(h.area_centi)}</td>
                    <td>{status_badge(h.status)}</td>
                    <td>{h.owners.clone()}</td>
                    <td class="num">
                        {(h.arrears_fen > 0)
                            .then(|| view! { <a class="arrears" href=format!("/desk/houses/{}/account", h.id)>{Fen(h.arrears_fen).text()}</a> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Form method="GET" action="">
            <div class="filters">
                <div class="field">
                    <label for="f-estate">{i18n.t("estate.name")}</label>
                    <select id="f-estate" name="estate">{estates}</select>
                </div>
                <div class="field">
                    <label for="f-building">{i18n.t("house.building")}</label>
                    <select id="f-building" name="building">
                        <option value="">{i18n.t("common.any")}</option>
                        {buildings}
                    </select>
                </div>
                <div class="field">
                    <label for="f-status">{i18n.t("house.status_label")}</label>
                    <select id="f-status" name="status">
                        <option value="">{i18n.t("common.any")}</option>
                        {statuses}
                    </select>
                </div>
                <button type="submit" class="primary">{i18n.t("common.filter")}</button>
            </div>
        </Form>
        <div class="page-head">
            <p class="muted">{i18n.f("house.count", &[("n", &list.total.to_string())])}</p>
            <p>
                <a class="button" href=format!("/desk/houses.xlsx?estate={estate_id}") download="">{i18n.t("house.export")}</a>
                " "
                <a class="button" href="/desk/import">{i18n.t("import.title")}</a>
            </p>
        </div>
        <NewHouse estate_id=estate_id />
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("house.number")}</th>
                        <th scope="col">{i18n.t("house.building")}</th>
                        <th scope="col" class="num">{i18n.t("house.floor")}</th>
                        <th scope="col" class="num">{i18n.t("house.area")}</th>
                        <th scope="col">{i18n.t("house.status_label")}</th>
                        <th scope="col">{i18n.t("house.owners")}</th>
                        <th scope="col" class="num">{i18n.t("house.arrears")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=f.page total=list.total />
    }
}

/// Adding one house to an estate.
#[component]
fn NewHouse(estate_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateHouse>::new();
    let v = create.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = v.get() {
            navigate(&format!("/desk/houses/{id}"), Default::default());
        }
    });
    let uses = HouseUse::ALL
        .iter()
        .map(|u| view! { <option value=u.as_str()>{use_i18n().t(u.key())}</option> })
        .collect_view();
    let statuses = HouseStatus::ALL
        .iter()
        .map(|s| view! { <option value=s.as_str() selected=*s == HouseStatus::Vacant>{use_i18n().t(s.key())}</option> })
        .collect_view();
    // The selects keep ids of their own: the list's filters above already
    // have an `f-status`; the server checks both values anyway.
    view! {
        <details class="panel" open=move || matches!(v.get(), Some(Err(_)))>
            <summary>{i18n.t("house.new")}</summary>
            <FormError error=form_error(v) />
            <ActionForm action=create>
                <input type="hidden" name="estate_id" value=estate_id />
                <div class="filters">
                    <Field label=i18n.t("house.number") name="number" required=true hint=i18n.t("house.number_hint") error=field_error(v, "number") />
                    <Field label=i18n.t("house.area_m2") name="area" required=true error=field_error(v, "area") />
                    <div class="field">
                        <label for="f-new-use">{i18n.t("house.use")}</label>
                        <select id="f-new-use" name="use_kind">{uses}</select>
                    </div>
                    <div class="field">
                        <label for="f-new-house-status">{i18n.t("house.status_label")}</label>
                        <select id="f-new-house-status" name="status">{statuses}</select>
                    </div>
                    <button type="submit" class="primary">{i18n.t("house.create")}</button>
                </div>
            </ActionForm>
        </details>
    }
}
