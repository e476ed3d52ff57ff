//! `/desk/repairs/setup` (managers): an estate's targets and the fee item paid
//! repairs are charged to, its common areas, and its workers' skills.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::repairs::api::{
    get_repair_setup, AddRepairLocation, SaveRepairSettings, SetWorkerSkills,
};
use crate::repairs::{Category, RepairSetup};
use crate::ui::{
    field_error, form_error, load, query_num, EstatePicker, Field, FormError, SelectField,
};

/// `/desk/repairs/setup`: targets, the charge's fee item, common areas, worker skills.
#[component]
pub fn RepairSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let save = ServerAction::<SaveRepairSettings>::new();
    let add = ServerAction::<AddRepairLocation>::new();
    let skills = ServerAction::<SetWorkerSkills>::new();
    let setup = Resource::new(
        move || {
            (
                estate(),
                save.version().get(),
                add.version().get(),
                skills.version().get(),
            )
        },
        |(e, ..)| get_repair_setup(e),
    );
    view! {
        <>
            <p class="crumbs"><a href="/desk/repairs">{i18n.t("repairs.title")}</a></p>
            <h1>{i18n.t("repairs.setup_title")}</h1>
            {load(move || setup, move |s| view! { <SetupView s save add skills /> })}
        </>
    }
}

#[component]
fn SetupView(
    s: RepairSetup,
    save: ServerAction<SaveRepairSettings>,
    add: ServerAction<AddRepairLocation>,
    skills: ServerAction<SetWorkerSkills>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sv = save.value();
    let av = add.value();
    let kv = skills.value();
    let e = s.estate_id;
    let items = s
        .one_off_items
        .iter()
        .map(|c| view! { <option value=c.id selected=s.charge_item == Some(c.id)>{c.name.clone()}</option> })
        .collect_view();
    let locations = s
        .locations
        .iter()
        .map(|l| view! { <li>{l.name.clone()}</li> })
        .collect_view();
    let no_workers = s.workers.is_empty();
    let workers = s
        .workers
        .clone()
        .into_iter()
        .map(|w| {
            // One checkbox per category, named as `set_worker_skills` reads them.
            let boxes = Category::ALL
                .iter()
                .map(|c| {
                    let on = w.skills.iter().any(|s| s == c.as_str());
                    view! { <label class="check"><input type="checkbox" name=c.as_str() value="1" checked=on />{use_i18n().t(c.key())}</label> }
                })
                .collect_view();
            view! {
                <ActionForm action=skills attr:class="skill-form">
                    <input type="hidden" name="estate_id" value=e />
                    <input type="hidden" name="worker_id" value=w.id />
                    <fieldset class="field">
                        <legend>{w.name.clone()} " · " {use_i18n().f("repairs.open_jobs", &[("n", &w.open.to_string())])}</legend>
                        <div class="checks">{boxes}</div>
                    </fieldset>
                    <button type="submit">{use_i18n().t("common.save")}</button>
                </ActionForm>
            }
        })
        .collect_view();
    let t = s.targets;
    view! {
        <EstatePicker estates=s.estates.clone() chosen=e />
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("repairs.targets")}</h2>
                <FormError error=form_error(sv) />
                <ActionForm action=save>
                    <input type="hidden" name="estate_id" value=e />
                    <div class="pair">
                        <Field label=i18n.t("repairs.urgent_response") name="urgent_response" kind="number" value=t.urgent_response.to_string() error=field_error(sv, "urgent_response") />
                        <Field label=i18n.t("repairs.urgent_completion") name="urgent_completion" kind="number" value=t.urgent_completion.to_string() error=field_error(sv, "urgent_completion") />
                    </div>
                    <div class="pair">
                        <Field label=i18n.t("repairs.normal_response") name="normal_response" kind="number" value=t.normal_response.to_string() error=field_error(sv, "normal_response") />
                        <Field label=i18n.t("repairs.normal_completion") name="normal_completion" kind="number" value=t.normal_completion.to_string() error=field_error(sv, "normal_completion") />
                    </div>
                    <p class="hint">{i18n.t("repairs.minutes_hint")}</p>
                    <SelectField label=i18n.t("repairs.charge_item") name="charge_item"
                        hint=i18n.t("repairs.charge_item_hint") error=field_error(sv, "charge_item")>
                        <option value="0">"—"</option>
                        {items}
                    </SelectField>
                    <button type="submit" class="primary">{i18n.t("common.save")}</button>
                </ActionForm>
            </section>
            <section class="panel">
                <h2>{i18n.t("repairs.locations")}</h2>
                <ul>{locations}</ul>
                <ActionForm action=add>
                    <input type="hidden" name="estate_id" value=e />
                    <Field label=i18n.t("repairs.location_name") name="name" required=true error=field_error(av, "name") />
                    <button type="submit">{i18n.t("repairs.add_location")}</button>
                </ActionForm>
            </section>
        </div>
        <section class="panel">
            <h2>{i18n.t("repairs.skills")}</h2>
            <FormError error=form_error(kv) />
            {workers}
            {no_workers.then(|| view! { <p class="muted">{use_i18n().t("repairs.no_workers")}</p> })}
        </section>
    }
}
