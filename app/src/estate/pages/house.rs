//! `/desk/houses/:id`: the desk's hub for one house — its facts, who lives
//! there now (and moving someone in or out), its status and history. The
//! status changes through move-in and move-out; the status panel's form, a
//! manager's correction by hand, is shown to managers only (the server
//! function checks again: hiding a form is not a permission).

use leptos::prelude::*;

use super::status_badge;
use crate::estate::api::{get_house, AddOccupant, ChangeHouseStatus, EndOccupancy, UpdateHouse};
use crate::estate::{HouseDetail, HouseStatus, HouseUse, OccupancyRole, OccupancyView};
use crate::i18n::use_i18n;
use crate::ui::{
    area, desk_time, field_error, form_error, load, EmptyRow, Field, FormError, SelectField,
};

/// `/desk/houses/:id`: the desk's hub for one house.
#[component]
pub fn HousePage() -> impl IntoView {
    let id = crate::ui::id_param();
    let add = ServerAction::<AddOccupant>::new();
    let end = ServerAction::<EndOccupancy>::new();
    let status = ServerAction::<ChangeHouseStatus>::new();
    let facts = ServerAction::<UpdateHouse>::new();
    let house = Resource::new(
        move || {
            (
                id(),
                add.version().get(),
                end.version().get(),
                status.version().get(),
                facts.version().get(),
            )
        },
        |(id, ..)| get_house(id),
    );
    load(
        move || house,
        move |h| view! { <HouseHub h=h add end status facts /> },
    )
}

#[component]
fn HouseHub(
    h: HouseDetail,
    add: ServerAction<AddOccupant>,
    end: ServerAction<EndOccupancy>,
    status: ServerAction<ChangeHouseStatus>,
    facts: ServerAction<UpdateHouse>,
) -> impl IntoView {
    let fv = facts.value();
    let area_text = format!("{}.{:02}", h.area_centi / 100, h.area_centi % 100);
    let use_options = HouseUse::ALL
        .iter()
        .map(|u| view! { <option value=u.as_str() selected=*u == h.use_kind>{use_i18n().t(u.key())}</option> })
        .collect_view();
    let i18n = use_i18n();
    // The desk's today, from the server (the browser's clock and zone may differ).
    let today = h.today.clone();
    let (current, past): (Vec<OccupancyView>, Vec<OccupancyView>) = h
        .occupancies
        .into_iter()
        .partition(|o| o.end_date.is_none());
    let av = add.value();
    let ev = end.value();
    let sv = status.value();
    let house_id = h.id;
    let current_rows_empty = current.is_empty();
    let past_rows_empty = past.is_empty();
    let history_rows_empty = h.history.is_empty();
    let current_rows = current
        .into_iter()
        .map(|o| {
            let today = today.clone();
            view! {
                <tr>
                    <td><a href=format!("/desk/residents/{}", o.resident_id)>{o.resident_name.clone()}</a></td>
                    <td>{use_i18n().t(o.role.key())}</td>
                    <td class="nowrap">{o.mobile_masked.clone()}</td>
                    <td class="nowrap">{o.start_date.clone()}</td>
                    <td>
                        <ActionForm action=end>
                            <input type="hidden" name="occupancy_id" value=o.id />
                            <label class="visually-hidden" for=format!("end-{}", o.id)>{use_i18n().t("occupancy.end_date")}</label>
                            <input type="date" id=format!("end-{}", o.id) name="end_date" value=today required=true />
                            <button type="submit">{use_i18n().f("occupancy.end", &[("name", &o.resident_name)])}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let past_rows = past
        .into_iter()
        .map(|o| {
            view! {
                <tr>
                    <td><a href=format!("/desk/residents/{}", o.resident_id)>{o.resident_name.clone()}</a></td>
                    <td>{use_i18n().t(o.role.key())}</td>
                    <td class="nowrap">{o.start_date.clone()}</td>
                    <td class="nowrap">{o.end_date.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let history_rows = h
        .history
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td class="nowrap">{c.effective_on.clone()}</td>
                    <td>{c.from_status.map(|s| use_i18n().t(s.key()))} " → " {use_i18n().t(c.to_status.key())}</td>
                    <td class="nowrap">{desk_time(&c.changed_at)}</td>
                    <td>{c.changed_by.clone()}</td>
                    <td>{c.reason.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    // A correction may go outside the lifecycle, never to the same status.
    let status_options = HouseStatus::ALL
        .iter()
        .filter(|s| **s != h.status)
        .map(|s| view! { <option value=s.as_str()>{use_i18n().t(s.key())}</option> })
        .collect_view();
    let effective_hint = match &h.latest_effective_on {
        Some(latest) => i18n.f("house.effective_on_hint_latest", &[("latest", latest)]),
        None => i18n.t("house.effective_on_hint"),
    };
    let correction_day = today.clone();
    let correction = h.may_correct.then(move || {
        view! {
            <p class="hint">{i18n.t("house.correct_status_note")}</p>
            <FormError error=form_error(sv) />
            <ActionForm action=status>
                <input type="hidden" name="house_id" value=house_id />
                <SelectField label=i18n.t("house.new_status") name="status" required=true error=field_error(sv, "status")>
                    {status_options}
                </SelectField>
                <Field label=i18n.t("house.effective_on") name="effective_on" kind="date" value=correction_day required=true hint=effective_hint error=field_error(sv, "effective_on") />
                <Field label=i18n.t("house.correction_reason") name="reason" required=true hint=i18n.t("house.correction_reason_hint") error=field_error(sv, "reason") />
                <button type="submit">{i18n.t("house.correct_status")}</button>
            </ActionForm>
        }
    });
    let role_options = OccupancyRole::ALL
        .iter()
        .map(|r| view! { <option value=r.as_str()>{use_i18n().t(r.key())}</option> })
        .collect_view();
    view! {
        <p class="crumbs"><a href=format!("/desk/houses?estate={}", h.estate_id)>{h.estate_name.clone()}</a></p>
        <div class="page-head">
            <h1>{h.number.clone()} " " {status_badge(h.status)}</h1>
            <nav class="actions">
                <a class="button primary" href=format!("/desk/houses/{}/account", h.id)>{i18n.t("billing.account")}</a>
                // Arrears chasing sits above the register: named by its address only.
                " " <a class="button" href=format!("/desk/arrears/house/{}", h.id)>{i18n.t("arrears.chase_log")}</a>
                " "
                <a class="button" href=format!("/desk/repairs/new?estate={}&house={}", h.estate_id, h.number)>{i18n.t("repairs.new")}</a>
                " "
                <a class="button" href=format!("/desk/renovations/new?house={}", h.id)>{i18n.t("renovation.new_short")}</a>
                " "
                // 办理入住 (move-in) opens or resumes the house's case; a plain form to
                // the server function, which redirects to the case (the register
                // sits below move-in in the layers and names it by path only).
                <form method="post" action="/api/open_move_in" class="inline">
                    <input type="hidden" name="house_id" value=h.id />
                    <button type="submit">{i18n.t("moves.open")}</button>
                </form>
                " "
                <form method="post" action="/api/open_move_out" class="inline">
                    <input type="hidden" name="house_id" value=h.id />
                    <button type="submit">{i18n.t("moves.out.open")}</button>
                </form>
            </nav>
        </div>
        <dl class="facts">
            <div><dt>{i18n.t("house.building")}</dt><dd>{h.building_name.clone()}</dd></div>
            <div><dt>{i18n.t("house.entrance")}</dt><dd>{h.entrance}</dd></div>
            <div><dt>{i18n.t("house.floor")}</dt><dd>{h.floor}</dd></div>
            <div><dt>{i18n.t("house.area")}</dt><dd>{area(h.area_centi)}</dd></div>
            <div><dt>{i18n.t("house.use")}</dt><dd>{i18n.t(h.use_kind.key())}</dd></div>
        </dl>
        <section class="panel">
            <h2>{i18n.t("house.current_residents")}</h2>
            <FormError error=form_error(ev) />
            <div class="table-wrap flat">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("resident.name")}</th>
                            <th scope="col">{i18n.t("occupancy.role")}</th>
                            <th scope="col">{i18n.t("resident.mobile")}</th>
                            <th scope="col">{i18n.t("occupancy.start_date")}</th>
                            <th scope="col">{i18n.t("occupancy.end_label")}</th>
                        </tr>
                    </thead>
                    <tbody>{current_rows}<EmptyRow show=current_rows_empty cols=5 /></tbody>
                </table>
            </div>
        </section>
        <crate::keys::pages::HouseKeysPanel house_id=house_id />
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("house.add_resident")}</h2>
                <FormError error=form_error(av) />
                <ActionForm action=add>
                    <input type="hidden" name="house_id" value=house_id />
                    <Field label=i18n.t("resident.name") name="name" required=true error=field_error(av, "name") />
                    <Field label=i18n.t("resident.mobile") name="mobile" kind="tel" required=true error=field_error(av, "mobile") />
                    <Field label=i18n.t("resident.id_number") name="id_number" hint=i18n.t("resident.id_number_hint") error=field_error(av, "id_number") />
                    <SelectField label=i18n.t("occupancy.role") name="role" error=field_error(av, "role")>
                        {role_options}
                    </SelectField>
                    <Field label=i18n.t("occupancy.start_date") name="start_date" kind="date" value=today.clone() required=true error=field_error(av, "start_date") />
                    <button type="submit" class="primary">{i18n.t("house.add_resident")}</button>
                </ActionForm>
            </section>
            <section class="panel" id="house-status">
                <h2>{i18n.t("house.status_label")} " " {status_badge(h.status)}</h2>
                <p class="hint">{i18n.t("house.status_by_workflow")}</p>
                // The place for the status's workflows: 办理入住 / 办理迁出 buttons
                // (app/src/moves) go here, above a manager's correction.
                {correction}
            </section>
        </div>
        <details class="panel" open=move || matches!(fv.get(), Some(Err(_)))>
            <summary>{i18n.t("house.edit")}</summary>
            <FormError error=form_error(fv) />
            <ActionForm action=facts>
                <input type="hidden" name="id" value=house_id />
                <div class="filters">
                    <Field label=i18n.t("house.area_m2") name="area" value=area_text required=true error=field_error(fv, "area") />
                    <SelectField label=i18n.t("house.use") name="use_kind" error=field_error(fv, "use_kind")>
                        {use_options}
                    </SelectField>
                    <button type="submit">{i18n.t("common.save")}</button>
                </div>
            </ActionForm>
        </details>
        <section class="panel">
            <h2>{i18n.t("house.history")}</h2>
            <div class="table-wrap flat">
                <table>
                    <caption>{i18n.t("house.past_residents")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("resident.name")}</th>
                            <th scope="col">{i18n.t("occupancy.role")}</th>
                            <th scope="col">{i18n.t("occupancy.start_date")}</th>
                            <th scope="col">{i18n.t("occupancy.end_label")}</th>
                        </tr>
                    </thead>
                    <tbody>{past_rows}<EmptyRow show=past_rows_empty cols=4 /></tbody>
                </table>
            </div>
            <div class="table-wrap flat">
                <table>
                    <caption>{i18n.t("house.status_history")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("house.effective_on")}</th>
                            <th scope="col">{i18n.t("house.status_label")}</th>
                            <th scope="col">{i18n.t("house.recorded_at")}</th>
                            <th scope="col">{i18n.t("audit.actor")}</th>
                            <th scope="col">{i18n.t("house.reason")}</th>
                        </tr>
                    </thead>
                    <tbody>{history_rows}<EmptyRow show=history_rows_empty cols=5 /></tbody>
                </table>
            </div>
        </section>
    }
}
