//! The residents: an estate's list by name, and one resident's page —
//! personal data masked, revealed one field at a time (each reveal audited),
//! corrected in place, and the portal activation code issued from it.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::Pager;
use crate::estate::api::{get_resident, list_residents, RevealResidentField, UpdateResident};
use crate::estate::{PersonalField, ResidentDetail, ResidentList};
use crate::i18n::use_i18n;
use crate::ui::{field_error, form_error, load, Field, FormError};

/// `/desk/residents`: an estate's residents by name, masked, with their houses.
#[component]
pub fn ResidentListPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        (num("estate"), num("page"))
    };
    let list = Resource::new(args, |(estate, page)| list_residents(estate, page));
    view! {
        <>
            <h1>{i18n.t("resident.list_title")}</h1>
            {load(move || list, move |list| view! { <ResidentTable list page=args().1 /> })}
        </>
    }
}

/// The estate picker, the list and its pager.
#[component]
fn ResidentTable(list: ResidentList, page: i64) -> impl IntoView {
    let i18n = use_i18n();
    let estate_id = list.estate_id;
    let estates = list
        .estates
        .iter()
        .map(|e| view! { <option value=e.id selected=e.id == estate_id>{e.name.clone()}</option> })
        .collect_view();
    let rows = list
        .rows
        .iter()
        .map(|r| {
            let houses = r
                .houses
                .iter()
                .map(|(n, role)| format!("{n} {}", use_i18n().t(role.key())))
                .collect::<Vec<_>>()
                .join("、");
            view! {
                <tr>
                    <td><a href=format!("/desk/residents/{}", r.id)>{r.name.clone()}</a></td>
                    <td class="nowrap">{r.mobile_masked.clone()}</td>
                    <td class="nowrap">{r.id_number_masked.clone()}</td>
                    <td>{houses}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Form method="GET" action="">
            <div class="filters">
                <div class="field">
                    <label for="f-res-estate">{i18n.t("estate.name")}</label>
                    <select id="f-res-estate" name="estate">{estates}</select>
                </div>
                <button type="submit" class="primary">{i18n.t("common.filter")}</button>
            </div>
        </Form>
        <div class="page-head">
            <p class="muted">{i18n.f("resident.count", &[("n", &list.total.to_string())])}</p>
            <p>
                <a class="button" href=format!("/desk/residents.xlsx?estate={estate_id}") download="">{i18n.t("house.export")}</a>
            </p>
        </div>
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("resident.name")}</th>
                        <th scope="col">{i18n.t("resident.mobile")}</th>
                        <th scope="col">{i18n.t("resident.id_number")}</th>
                        <th scope="col">{i18n.t("resident.houses")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=page total=list.total />
    }
}

/// `/desk/residents/:id`: one resident, masked, with a reveal per field.
#[component]
pub fn ResidentPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::id_param();
    let edit = ServerAction::<UpdateResident>::new();
    let resident = Resource::new(
        move || (id(), edit.version().get()),
        |(id, _)| get_resident(id),
    );
    view! {
        <>
            {load(move || resident, move |r| view! { <ResidentCard r edit /> })}
            <p class="hint">{i18n.t("resident.reveal_note")}</p>
        </>
    }
}

#[component]
fn ResidentCard(r: ResidentDetail, edit: ServerAction<UpdateResident>) -> impl IntoView {
    let i18n = use_i18n();
    let houses = r
        .occupancies
        .iter()
        .map(|o| {
            view! {
                <tr>
                    <td><a href=format!("/desk/houses/{}", o.house_id)>{o.house_number.clone()}</a></td>
                    <td>{use_i18n().t(o.role.key())}</td>
                    <td class="nowrap">{o.start_date.clone()}</td>
                    <td class="nowrap">{o.end_date.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let lives_here = r.occupancies.iter().any(|o| o.end_date.is_none());
    view! {
        <p class="crumbs">{r.estate_name.clone()}</p>
        <h1>{r.name.clone()}</h1>
        <dl class="facts">
            <div>
                <dt>{i18n.t(PersonalField::Mobile.key())}</dt>
                <dd><Reveal resident_id=r.id field=PersonalField::Mobile masked=r.mobile_masked.clone() /></dd>
            </div>
            <div>
                <dt>{i18n.t(PersonalField::IdNumber.key())}</dt>
                <dd>
                    {match r.id_number_masked.clone() {
                        Some(masked) => view! { <Reveal resident_id=r.id field=PersonalField::IdNumber masked=masked /> }.into_any(),
                        None => view! { <span class="muted">"—"</span> }.into_any(),
                    }}
                </dd>
            </div>
        </dl>
        <ResidentEdit id=r.id name=r.name.clone() mobile=r.mobile_masked.clone() id_number=r.id_number_masked.clone().unwrap_or_default() notes=r.notes.clone() edit />
        <section class="panel">
            <h2>{i18n.t("resident.houses")}</h2>
            <div class="table-wrap flat">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("house.number")}</th>
                            <th scope="col">{i18n.t("occupancy.role")}</th>
                            <th scope="col">{i18n.t("occupancy.start_date")}</th>
                            <th scope="col">{i18n.t("occupancy.end_label")}</th>
                        </tr>
                    </thead>
                    <tbody>{houses}</tbody>
                </table>
            </div>
        </section>
        <crate::auth::pages::PortalCodePanel resident_id=r.id lives_here=lives_here />
    }
}

/// Correcting a resident's details; blank mobile or ID number keeps the current one.
#[component]
fn ResidentEdit(
    id: i64,
    name: String,
    mobile: String,
    id_number: String,
    notes: String,
    edit: ServerAction<UpdateResident>,
) -> impl IntoView {
    let i18n = use_i18n();
    let v = edit.value();
    view! {
        <details class="panel" open=move || matches!(v.get(), Some(Err(_)))>
            <summary>{i18n.t("resident.edit")}</summary>
            <FormError error=form_error(v) />
            <ActionForm action=edit>
                <input type="hidden" name="id" value=id />
                <Field label=i18n.t("resident.name") name="name" value=name required=true error=field_error(v, "name") />
                <Field label=i18n.t("resident.mobile") name="mobile" kind="tel" hint=i18n.f("resident.keep_hint", &[("value", &mobile)]) error=field_error(v, "mobile") />
                <Field label=i18n.t("resident.id_number") name="id_number" hint=i18n.f("resident.keep_hint", &[("value", &id_number)]) error=field_error(v, "id_number") />
                <Field label=i18n.t("resident.notes") name="notes" value=notes />
                <button type="submit" class="primary">{i18n.t("common.save")}</button>
            </ActionForm>
        </details>
    }
}

/// A masked value with a button that shows the full value (the reveal is audited).
#[component]
fn Reveal(resident_id: i64, field: PersonalField, masked: String) -> impl IntoView {
    let reveal = ServerAction::<RevealResidentField>::new();
    let value = reveal.value();
    view! {
        {move || match value.get() {
            Some(Ok(full)) => view! { <span class="revealed">{full}</span> }.into_any(),
            Some(Err(e)) => view! { <span>{masked.clone()}</span> " " <span class="field-error">{crate::ui::error_text(&e)}</span> }.into_any(),
            None => view! {
                <span class="masked">{masked.clone()}</span>
                " "
                <span class="reveal">
                    <ActionForm action=reveal>
                        <input type="hidden" name="id" value=resident_id />
                        <input type="hidden" name="field" value=field.as_str() />
                        <button type="submit" class="link">{use_i18n().t("resident.reveal")}</button>
                    </ActionForm>
                </span>
            }
            .into_any(),
        }}
    }
}
