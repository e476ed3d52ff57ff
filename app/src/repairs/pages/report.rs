//! Reporting a repair: the desk's page (`/desk/repairs/new`, a call or a
//! walk-in) and the one form both the desk and the portal use.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::query_text;
use crate::estate::api::RevealResidentField;
use crate::i18n::use_i18n;
use crate::repairs::api::{get_report_form, ReportRepair};
use crate::repairs::{Category, ReportForm, Source, Urgency};
use crate::ui::{
    error_text, field_error, form_error, load, query_num, Field, FormError, SelectField,
    TextareaField,
};

/// `/desk/repairs/new`: a clerk records a call or a walk-in.
#[component]
pub fn NewRepairPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let house = query_text("house");
    let form = Resource::new(move || (estate(), house()), |(e, h)| get_report_form(e, h));
    view! {
        <>
            <p class="crumbs"><a href="/desk/repairs">{i18n.t("repairs.title")}</a></p>
            <h1>{i18n.t("repairs.new")}</h1>
            {load(move || form, move |f| view! { <ReportFormView f desk=true /> })}
        </>
    }
}

/// The report form, for the desk (house number, source, reporter) or the portal (own houses).
#[component]
pub fn ReportFormView(f: ReportForm, desk: bool) -> impl IntoView {
    let i18n = use_i18n();
    let report = ServerAction::<ReportRepair>::new();
    let v = report.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = v.get() {
            let to = if desk {
                format!("/desk/repairs/{id}?new=1")
            } else {
                format!("/portal/repairs/{id}?new=1")
            };
            navigate(&to, Default::default());
        }
    });
    let categories = Category::ALL
        .iter()
        .map(|c| view! { <option value=c.as_str()>{use_i18n().t(c.key())}</option> })
        .collect_view();
    let place = if desk {
        let locations = f
            .locations
            .iter()
            .map(|l| view! { <option value=l.id>{l.name.clone()}</option> })
            .collect_view();
        view! {
            <Field label=i18n.t("repairs.house_number") name="house_number" value=f.house_number.clone()
                hint=i18n.t("repairs.house_number_hint") error=field_error(v, "place") />
            <SelectField label=i18n.t("repairs.or_location") name="location_id">
                <option value="0">"—"</option>
                {locations}
            </SelectField>
        }
        .into_any()
    } else {
        let houses = f
            .houses
            .iter()
            .map(|h| view! { <option value=format!("h{}", h.id)>{h.name.clone()}</option> })
            .collect_view();
        let common = f
            .locations
            .iter()
            .map(|l| view! { <option value=format!("l{}", l.id)>{format!("{} · {}", use_i18n().t("repairs.common_area"), l.name)}</option> })
            .collect_view();
        // The portal's "where": one of the resident's houses (`h<id>`) or a common
        // area (`l<id>`), one select, so the form works before the page hydrates.
        view! {
            <SelectField label=i18n.t("repairs.place") name="place" error=field_error(v, "place")>
                <option value="">{use_i18n().t("repairs.choose_place")}</option>
                {houses}
                {common}
            </SelectField>
        }
        .into_any()
    };
    // Normal first and chosen: most calls are.
    let urgencies = [Urgency::Normal, Urgency::Urgent]
        .into_iter()
        .map(|u| view! { <label class="check"><input type="radio" name="urgency" value=u.as_str() checked=u == Urgency::Normal />{use_i18n().t(u.key())}</label> })
        .collect_view();
    let sources = Source::DESK
        .into_iter()
        .map(|s| view! { <option value=s.as_str()>{use_i18n().t(s.key())}</option> })
        .collect_view();
    view! {
        <section class="panel narrow-form">
            <FormError error=form_error(v) />
            <ActionForm action=report>
                <input type="hidden" name="estate_id" value=f.estate_id />
                {place}
                <SelectField label=i18n.t("repairs.category") name="category" error=field_error(v, "category")>
                    {categories}
                </SelectField>
                <TextareaField label=i18n.t("repairs.description") name="description" rows=3 required=true
                    placeholder=i18n.t("repairs.description_hint") error=field_error(v, "description") />
                <fieldset class="field">
                    <legend>{i18n.t("repairs.urgency_label")}</legend>
                    <div class="checks">{urgencies}</div>
                </fieldset>
                // A checkbox in its label, which `ui::Field` (label above a full-width
                // input) does not lay out: its hint and error lines are written here.
                <div class="field">
                    <label class="check"><input type="checkbox" name="paid" value="1" />{i18n.t("repairs.paid_label")}</label>
                    <p class="hint">{i18n.t("repairs.paid_hint")}</p>
                    <p class="field-error" role="alert">{move || field_error(v, "paid").get()}</p>
                </div>
                <Field label=i18n.t("repairs.appointment") name="appointment" kind="datetime-local"
                    hint=i18n.t("repairs.appointment_hint") error=field_error(v, "appointment") />
                {desk.then(|| view! {
                    <SelectField label=use_i18n().t("repairs.source_label") name="source">{sources}</SelectField>
                    <Field label=use_i18n().t("repairs.reporter_name") name="reporter_name" value=f.reporter_name.clone()
                        required=true error=field_error(v, "reporter_name") />
                    {match f.reporter_resident_id {
                        // Filled from the register: masked, with the audited reveal beside it.
                        Some(id) => view! {
                            <Field label=use_i18n().t("repairs.reporter_phone") name="reporter_phone" kind="tel" value=f.reporter_phone.clone()
                                required=true error=field_error(v, "reporter_phone") hint=use_i18n().t("repairs.reporter_phone_masked") />
                            <RevealPhone resident_id=id />
                        }
                        .into_any(),
                        None => view! {
                            <Field label=use_i18n().t("repairs.reporter_phone") name="reporter_phone" kind="tel" value=f.reporter_phone.clone()
                                required=true error=field_error(v, "reporter_phone") />
                        }
                        .into_any(),
                    }}
                })}
                <p class="hint">{i18n.t("repairs.photos_next")}</p>
                <button type="submit" class="primary wide">{i18n.t("repairs.submit")}</button>
            </ActionForm>
        </section>
    }
}

/// The prefilled occupant's full number, through the desk's audited reveal
/// (the resident page's): every look is in the operation log.
#[component]
fn RevealPhone(resident_id: i64) -> impl IntoView {
    let reveal = ServerAction::<RevealResidentField>::new();
    let value = reveal.value();
    view! {
        <p class="hint reveal">
            {move || match value.get() {
                Some(Ok(full)) => view! { <span class="revealed">{full}</span> }.into_any(),
                Some(Err(e)) => view! { <span class="field-error">{error_text(&e)}</span> }.into_any(),
                None => view! {
                    <button type="button" class="link" on:click=move |_| {
                        reveal.dispatch(RevealResidentField { id: resident_id, field: "mobile".into() });
                    }>{use_i18n().t("resident.reveal")}</button>
                }
                .into_any(),
            }}
        </p>
    }
}
