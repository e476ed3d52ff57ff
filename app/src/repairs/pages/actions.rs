//! The forms of a ticket's page, one per action the server offers the caller
//! now (assign, a plain step, a step with a reason, finish, the return visit),
//! and the desk's 有偿 / free correction. After any of them succeeds the
//! ticket reloads.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::repairs::api::{
    AssignTicket, FinishJob, RateRepair, SetTicketPaid, TicketStep, TicketWithReason,
};
// Ours, not leptos::prelude::Action (a glob).
use crate::repairs::rules::Action;
use crate::repairs::{Category, TicketDetail, WorkerLoad};
use crate::ui::{
    field_error, form_error, reload_on_success, Field, FormError, SelectField, TextareaField,
};

/// The forms for the actions on offer: the next step first (`primary`), or
/// handing back, cancelling and reopening, which the page puts after the photos.
#[component]
pub fn TicketActions(t: TicketDetail, refresh: RwSignal<u32>, primary: bool) -> impl IntoView {
    let secondary = |a: &Action| matches!(a, Action::HandBack | Action::Cancel | Action::Reopen);
    let forms = t
        .actions
        .iter()
        .filter(|a| secondary(a) != primary)
        .map(|a| match a {
            Action::Assign => view! { <AssignForm id=t.id workers=t.workers.clone() current=t.worker_id refresh /> }.into_any(),
            Action::Pick | Action::Accept | Action::Start => view! { <StepForm id=t.id action=*a refresh /> }.into_any(),
            Action::HandBack | Action::Cancel | Action::Reopen => view! { <ReasonForm id=t.id action=*a refresh /> }.into_any(),
            Action::Finish => view! { <FinishForm id=t.id paid=t.paid charged=t.charged refresh /> }.into_any(),
            Action::Visit => view! { <VisitForm id=t.id refresh /> }.into_any(),
        })
        .collect_view();
    view! { <div class="ticket-actions">{forms}</div> }
}

/// The desk corrects 户内有偿 / free while the ticket is open.
#[component]
pub fn PaidForm(id: i64, paid: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetTicketPaid>::new();
    let v = set.value();
    reload_on_success(v, refresh);
    view! {
        <ActionForm action=set attr:class="inline-form">
            <input type="hidden" name="id" value=id />
            <label class="check"><input type="checkbox" name="paid" value="1" checked=paid />{i18n.t("repairs.paid_label")}</label>
            <button type="submit">{i18n.t("repairs.save_paid")}</button>
            <FormError error=form_error(v) />
        </ActionForm>
    }
}

#[component]
fn StepForm(id: i64, action: Action, refresh: RwSignal<u32>) -> impl IntoView {
    let step = ServerAction::<TicketStep>::new();
    let v = step.value();
    reload_on_success(v, refresh);
    let label = use_i18n().t(action.key());
    view! {
        <section class="panel action-panel">
            <FormError error=form_error(v) />
            <ActionForm action=step>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="action" value=action.as_str() />
                <button type="submit" class="primary wide big">{label}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReasonForm(id: i64, action: Action, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<TicketWithReason>::new();
    let v = act.value();
    reload_on_success(v, refresh);
    view! {
        <details class="panel action-panel">
            <summary>{i18n.t(action.key())}</summary>
            <FormError error=Signal::derive(move || form_error(v).get().filter(|e| e.field_message("reason").is_none())) />
            <ActionForm action=act>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="action" value=action.as_str() />
                <Field label=i18n.t("repairs.reason") name="reason" required=true error=field_error(v, "reason") />
                <button type="submit" class=if action == Action::Reopen { "primary" } else { "danger" }>
                    {i18n.t(action.key())}
                </button>
            </ActionForm>
        </details>
    }
}

/// A worker as the assign form offers them: the suggestion marked, their open
/// jobs and skills, the current worker marked.
fn worker_label(w: &WorkerLoad, suggested: bool, current: bool) -> String {
    let i18n = use_i18n();
    let skills = w
        .skills
        .iter()
        .map(|s| Category::parse(s).map_or_else(|| s.clone(), |c| i18n.t(c.key())))
        .collect::<Vec<_>>()
        .join("、");
    let label = format!(
        "{}{} · {} · {}",
        if suggested {
            i18n.t("repairs.suggested")
        } else {
            String::new()
        },
        w.name,
        i18n.f("repairs.open_jobs", &[("n", &w.open.to_string())]),
        if skills.is_empty() {
            "—".into()
        } else {
            skills
        },
    );
    if current {
        format!("{label}{}", i18n.t("repairs.current"))
    } else {
        label
    }
}

#[component]
fn AssignForm(
    id: i64,
    workers: Vec<WorkerLoad>,
    current: Option<i64>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let assign = ServerAction::<AssignTicket>::new();
    let v = assign.value();
    reload_on_success(v, refresh);
    let none = workers.is_empty();
    // Reassigning: the suggestion that is not the current worker comes pre-selected.
    let first_other = workers.iter().map(|w| w.id).find(|id| Some(*id) != current);
    let options = workers
        .into_iter()
        .map(|w| {
            let suggested = Some(w.id) == first_other;
            let label = worker_label(&w, suggested, Some(w.id) == current);
            view! { <option value=w.id selected=suggested>{label}</option> }
        })
        .collect_view();
    view! {
        <section class="panel action-panel">
            <h2>{i18n.t(if current.is_some() { "repairs.reassign" } else { Action::Assign.key() })}</h2>
            <FormError error=form_error(v) />
            {if none {
                view! { <p class="muted">{use_i18n().t("repairs.no_workers")}</p> }.into_any()
            } else {
                view! {
                    <ActionForm action=assign>
                        <input type="hidden" name="id" value=id />
                        <SelectField label=use_i18n().t("repairs.worker") name="worker_id"
                            hint=use_i18n().t("repairs.suggest_hint") error=field_error(v, "worker_id")>
                            {options}
                        </SelectField>
                        <button type="submit" class="primary">{use_i18n().t(Action::Assign.key())}</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn FinishForm(id: i64, paid: bool, charged: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let finish = ServerAction::<FinishJob>::new();
    let v = finish.value();
    reload_on_success(v, refresh);
    view! {
        <section class="panel action-panel">
            <h2>{i18n.t(Action::Finish.key())}</h2>
            <p class="hint">{i18n.t("repairs.finish_photos_hint")}</p>
            <FormError error=form_error(v) />
            <ActionForm action=finish>
                <input type="hidden" name="id" value=id />
                <TextareaField label=i18n.t("repairs.work_notes") name="work_notes" rows=3 required=true
                    error=field_error(v, "work_notes") />
                <Field label=i18n.t("repairs.materials") name="materials" hint=i18n.t("repairs.materials_hint") error=field_error(v, "materials") />
                {if paid && !charged {
                    view! {
                        <div class="pair">
                            <Field label=use_i18n().t("repairs.labour") name="labour" kind="text" hint=use_i18n().t("repairs.yuan_hint") error=field_error(v, "labour") />
                            <Field label=use_i18n().t("repairs.materials_cost") name="materials_cost" kind="text" hint=use_i18n().t("repairs.yuan_hint") error=field_error(v, "materials_cost") />
                        </div>
                        <p class="hint">{use_i18n().t("repairs.charge_hint")}</p>
                    }.into_any()
                } else {
                    // No charge fields on a free or charged repair: a refusal of
                    // the charge (its message is on `labour`) shows under the note.
                    view! {
                        <p class="hint">{use_i18n().t(if charged { "repairs.charged" } else { "repairs.free_repair" })}</p>
                        <p class="field-error" role="alert">{move || field_error(v, "labour").get()}</p>
                    }.into_any()
                }}
                <button type="submit" class="primary wide big">{i18n.t(Action::Finish.key())}</button>
            </ActionForm>
        </section>
    }
}

/// The return visit's form: the stars, fixed or not, the resident's words.
#[component]
fn VisitForm(id: i64, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let rate = ServerAction::<RateRepair>::new();
    let v = rate.value();
    reload_on_success(v, refresh);
    let stars = (1..=5)
        .rev()
        .map(|n| {
            view! {
                <label class="check star">
                    <input type="radio" name="rating" value=n />
                    {format!("{n} ")} {"★".repeat(n)}
                </label>
            }
        })
        .collect_view();
    // Radio groups in fieldsets, which `ui` has no field for: their error
    // lines are written here.
    view! {
        <section class="panel action-panel" id="visit">
            <h2>{i18n.t("visits.record")}</h2>
            <FormError error=Signal::derive(move || form_error(v).get().filter(|e| !matches!(e, AppError::Invalid(_)))) />
            <ActionForm action=rate>
                <input type="hidden" name="id" value=id />
                <fieldset class="field">
                    <legend>{i18n.t("visits.rating")}</legend>
                    <div class="checks stars">{stars}</div>
                    <p class="field-error" role="alert">{move || field_error(v, "rating").get()}</p>
                </fieldset>
                <fieldset class="field">
                    <legend>{i18n.t("visits.fixed")}</legend>
                    <div class="checks">
                        <label class="check"><input type="radio" name="fixed" value="yes" />{i18n.t("visits.fixed_yes")}</label>
                        <label class="check"><input type="radio" name="fixed" value="no" />{i18n.t("visits.fixed_no")}</label>
                    </div>
                    <p class="field-error" role="alert">{move || field_error(v, "fixed").get()}</p>
                </fieldset>
                <TextareaField label=i18n.t("visits.comment") name="comment" rows=2
                    hint=i18n.t("visits.comment_hint") error=field_error(v, "comment") />
                <button type="submit" class="primary">{i18n.t("visits.submit")}</button>
            </ActionForm>
        </section>
    }
}
