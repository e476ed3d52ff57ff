//! The application form (装修申请), the desk's (`/desk/renovations/new`) and
//! the portal's (`/portal/renovations/new`): one form, the desk choosing
//! which of the house's owners or tenants applies.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::error::AppError;
use crate::estate::OccupancyRole;
use crate::i18n::use_i18n;
use crate::renovation::api::{get_renovation_form, ApplyRenovation};
use crate::renovation::ApplyPage;
use crate::ui::{
    field_error, form_error, load, query_num, Field, FormError, SelectField, TextareaField,
};

/// How many worker rows the form starts with.
const START_ROWS: usize = 3;

/// `/desk/renovations/new?house=…` (from the house page) or
/// `?estate=…&number=…` (the list's house-number box).
#[component]
pub fn NewAppPage() -> impl IntoView {
    let i18n = use_i18n();
    let house = query_num("house");
    let estate = query_num("estate");
    let number = crate::ui::query_text("number");
    let form = Resource::new(
        move || (house(), estate(), number()),
        |(h, e, n)| get_renovation_form(h, e, n),
    );
    view! {
        <p class="crumbs"><a href="/desk/renovations">{i18n.t("renovation.title")}</a></p>
        <h1>{i18n.t("renovation.new")}</h1>
        {load(move || form, move |f| view! { <ApplyForm f desk=true /> })}
    }
}

/// `/portal/renovations/new?house=…`: a resident applies for one of their houses.
#[component]
pub fn PortalNewAppPage() -> impl IntoView {
    let i18n = use_i18n();
    let house = query_num("house");
    let form = Resource::new(house, |h| get_renovation_form(h, 0, String::new()));
    view! {
        <p class="crumbs"><a href="/portal/renovations">{i18n.t("renovation.my_title")}</a></p>
        <h1>{i18n.t("renovation.new")}</h1>
        {load(move || form, move |f| view! { <ApplyForm f desk=false /> })}
    }
}

/// The error for a field named at run time (a worker's row).
fn row_error<S>(v: S, field: String) -> Signal<Option<String>>
where
    S: Get<Value = Option<Result<i64, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || {
        v.get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_message(&field))
    })
}

#[component]
fn ApplyForm(f: ApplyPage, desk: bool) -> impl IntoView {
    let i18n = use_i18n();
    if let Some(open) = f.open_id {
        let href = if desk {
            format!("/desk/renovations/{open}")
        } else {
            format!("/portal/renovations/{open}")
        };
        return view! {
            <p class="notice">{i18n.t("renovation.has_open")} " " <a href=href>{i18n.t("renovation.open_it")}</a></p>
        }
        .into_any();
    }
    if f.open_elsewhere {
        return view! { <p class="notice">{i18n.t("renovation.open_elsewhere")}</p> }.into_any();
    }
    if f.applicants.is_empty() {
        return view! { <p class="notice">{i18n.t("renovation.nobody_may_apply")}</p> }.into_any();
    }
    let apply = ServerAction::<ApplyRenovation>::new();
    let v = apply.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = v.get() {
            let to = if desk {
                format!("/desk/renovations/{id}")
            } else {
                format!("/portal/renovations/{id}")
            };
            navigate(&to, Default::default());
        }
    });
    let rows = RwSignal::new(START_ROWS);
    let tenant_applies = f.applicants.iter().any(|a| a.role == OccupancyRole::Tenant);
    let who = if desk {
        let options = f
            .applicants
            .iter()
            .map(|a| {
                let label = format!("{}（{}）", a.name, use_i18n().t(a.role.key()));
                view! { <option value=a.resident_id>{label}</option> }
            })
            .collect_view();
        view! {
            <SelectField label=i18n.t("renovation.applicant") name="applicant_id" error=field_error(v, "applicant")>
                {options}
            </SelectField>
        }
        .into_any()
    } else {
        let a = &f.applicants[0];
        view! {
            <p>{i18n.t("renovation.applicant")} "：" <strong>{a.name.clone()}</strong> " " <span class="muted">{i18n.t(a.role.key())}</span></p>
            <p class="field-error" role="alert">{move || field_error(v, "applicant").get()}</p>
        }
        .into_any()
    };
    let scope = f
        .scope
        .iter()
        .map(|s| {
            let check_id = format!("scope-{}", s.id);
            view! {
                <li class="scope-item">
                    <input type="hidden" name="scope_ids[]" value=s.id />
                    <label>
                        <input type="checkbox" id=check_id name="items[]" value=s.id />
                        " " {s.name.clone()}
                    </label>
                    <input name="scope_notes[]" maxlength=200
                        aria-label=use_i18n().f("renovation.note_for", &[("item", &s.name)])
                        placeholder=use_i18n().t("renovation.item_note") />
                </li>
            }
        })
        .collect_view();
    let worker_rows = move || {
        (0..rows.get())
            .map(|i| {
                let i18n = use_i18n();
                let n = (i + 1).to_string();
                view! {
                    <fieldset class="worker-row">
                        <legend>{i18n.f("renovation.worker_n", &[("n", &n)])}</legend>
                        <div class="triple">
                            <Field label=i18n.t("renovation.worker_name") name="worker_names[]"
                                id=format!("worker-name-{i}") error=row_error(v, format!("worker_name.{i}")) />
                            <Field label=i18n.t("renovation.worker_mobile") name="worker_mobiles[]" kind="tel"
                                id=format!("worker-mobile-{i}") error=row_error(v, format!("worker_mobile.{i}")) />
                            <Field label=i18n.t("renovation.worker_id") name="worker_ids[]"
                                id=format!("worker-id-{i}") error=row_error(v, format!("worker_id.{i}")) />
                        </div>
                    </fieldset>
                }
            })
            .collect_view()
    };
    view! {
        <p class="muted">{i18n.t("renovation.house")} "：" <strong>{f.house_number.clone()}</strong></p>
        <FormError error=form_error(v) />
        <ActionForm action=apply attr:class="apply-form">
            <input type="hidden" name="house_id" value=f.house_id />
            <section class="panel">
                <h2>{i18n.t("renovation.who_section")}</h2>
                {who}
                {tenant_applies.then(|| view! {
                    <Field label=use_i18n().t("renovation.owner_consent") name="owner_consent"
                        hint=use_i18n().t("renovation.owner_consent_hint") error=field_error(v, "owner_consent") />
                })}
            </section>
            <section class="panel">
                <h2>{i18n.t("renovation.contractor_section")}</h2>
                <div class="pair">
                    <Field label=i18n.t("renovation.contractor") name="contractor" required=true error=field_error(v, "contractor") />
                    <Field label=i18n.t("renovation.licence_no") name="licence_no" required=true
                        hint=i18n.t("renovation.licence_hint") error=field_error(v, "licence_no") />
                </div>
                <div class="pair">
                    <Field label=i18n.t("renovation.foreman") name="foreman" required=true error=field_error(v, "foreman") />
                    <Field label=i18n.t("renovation.foreman_mobile") name="foreman_mobile" kind="tel" required=true
                        error=field_error(v, "foreman_mobile") />
                </div>
                <div class="pair">
                    <Field label=i18n.t("renovation.planned_start") name="planned_start" kind="date" required=true
                        value=f.today.clone() error=field_error(v, "planned_start") />
                    <Field label=i18n.t("renovation.planned_end") name="planned_end" kind="date" required=true
                        error=field_error(v, "planned_end") />
                </div>
                <p class="hint">{i18n.t("renovation.work_hours")} "：" {f.work_hours.clone()}</p>
            </section>
            <section class="panel">
                <h2>{i18n.t("renovation.scope")}</h2>
                <p class="hint">{i18n.t("renovation.scope_hint")}</p>
                <p class="field-error" id="items-error" role="alert">{move || field_error(v, "items").get()}</p>
                <ul class="scope-list">{scope}</ul>
                <TextareaField label=i18n.t("renovation.description") name="description" rows=3 maxlength=1000
                    error=field_error(v, "description") />
            </section>
            <section class="panel">
                <h2>{i18n.t("renovation.workers")}</h2>
                <p class="hint">{i18n.t("renovation.workers_hint")}</p>
                <p class="field-error" role="alert">{move || field_error(v, "workers").get()}</p>
                {worker_rows}
                <button type="button" class="secondary" on:click=move |_| rows.update(|r| *r += 1)>
                    {i18n.t("renovation.add_worker")}
                </button>
            </section>
            <button type="submit" class="primary">{i18n.t("renovation.submit")}</button>
        </ActionForm>
    }
    .into_any()
}
