//! The managers' escalation list (`/desk/escalations`).

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::*;
use crate::i18n::use_i18n;
use crate::ui::{field_error, form_error, load, query_num, EstatePicker, FormError};

/// `/desk/escalations`: poor return visits, open first, each resolved with what was done.
#[component]
pub fn EscalationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let query = use_query_map();
    let status = move || query.read().get("status").unwrap_or_default();
    let resolve = ServerAction::<ResolveEscalation>::new();
    let list = Resource::new(
        move || (estate(), status(), resolve.version().get()),
        |(e, s, _)| get_escalations(e, s),
    );
    view! {
        <>
            <h1>{i18n.t("visits.escalations_title")}</h1>
            {load(move || list, move |l| view! { <EscalationView l resolve /> })}
        </>
    }
}

#[component]
fn EscalationView(l: EscalationList, resolve: ServerAction<ResolveEscalation>) -> impl IntoView {
    let i18n = use_i18n();
    let rv = resolve.value();
    let statuses = EscalationFilter::ALL
        .iter()
        .map(|&s| view! { <option value=s.as_str() selected=l.status == s>{use_i18n().t(s.key())}</option> })
        .collect_view();
    let empty = l.rows.is_empty();
    let rows = l
        .rows
        .into_iter()
        .map(|r| {
            let i18n = use_i18n();
            let open = r.status == "open";
            view! {
                <article class="card escalation" class:open=open>
                    <h2><a href=r.href.clone()>{format!("#{} ", r.subject_id)} {r.title.clone()}</a></h2>
                    <p>
                        <strong>{"★".repeat(r.rating as usize)}{"☆".repeat(5 - r.rating as usize)}</strong>
                        " " {i18n.t(if r.fixed { "visits.fixed_yes" } else { "visits.fixed_no" })}
                        " · " {r.created_at.clone()}
                    </p>
                    <blockquote>{r.comment.clone()}</blockquote>
                    {if open {
                        view! {
                            <ActionForm action=resolve>
                                <input type="hidden" name="id" value=r.id />
                                <div class="field">
                                    <label for=format!("f-resolution-{}", r.id)>{use_i18n().t("visits.resolution")}</label>
                                    <textarea id=format!("f-resolution-{}", r.id) name="resolution" rows="2" required></textarea>
                                </div>
                                <button type="submit" class="primary">{use_i18n().t("visits.resolve")}</button>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! {
                            <p class="saved">{use_i18n().t("visits.resolved")} " · " {r.resolved_by.clone().unwrap_or_default()} " · " {r.resolution.clone().unwrap_or_default()}</p>
                        }.into_any()
                    }}
                </article>
            }
        })
        .collect_view();
    view! {
        <EstatePicker estates=l.estates.clone() chosen=l.estate_id />
        <Form method="GET" action="">
            <input type="hidden" name="estate" value=l.estate_id />
            <div class="filters">
                <div class="field">
                    <label for="f-status">{i18n.t("repairs.status_label")}</label>
                    <select id="f-status" name="status">{statuses}</select>
                </div>
                <button type="submit">{i18n.t("common.show")}</button>
            </div>
        </Form>
        <FormError error=form_error(rv) />
        // One line for the list's forms: each card's textarea has its own id,
        // which `ui::TextareaField` (an id per name) cannot give.
        <p class="field-error" role="alert">{move || field_error(rv, "resolution").get()}</p>
        {empty.then(|| view! { <p class="empty">{use_i18n().t("visits.none")}</p> })}
        {rows}
    }
}
