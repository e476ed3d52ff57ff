//! One application's page — the desk's (`/desk/renovations/:id`), the
//! reviewer's phone (`/jobs/renovations/:id`) and the portal's
//! (`/portal/renovations/:id`) show the same view; what each may do is the
//! server's `offered` list.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::renovation::api::{get_renovation, RenovationStep, RevealRenovationContact};
use crate::renovation::rules::needs_reason;
use crate::renovation::{Action, AppPage, State};
use crate::ui::{error_text, field_error, form_error, id_param, load, Field, FormError, TextareaField};

/// The state as a badge.
#[component]
pub fn StateBadge(state: State) -> impl IntoView {
    view! { <span class=format!("badge reno-{}", state.as_str())>{use_i18n().t(state.key())}</span> }
}

/// Where the page sits: the desk, the reviewer's phone, the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seat {
    Desk,
    Phone,
    Portal,
}

impl Seat {
    fn list(self) -> (&'static str, &'static str) {
        match self {
            Seat::Desk => ("/desk/renovations", "renovation.title"),
            Seat::Phone => ("/jobs/renovations", "renovation.reviews"),
            Seat::Portal => ("/portal/renovations", "renovation.my_title"),
        }
    }
}

/// The page, for any seat.
#[component]
pub fn AppPageView(seat: Seat) -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let step = ServerAction::<RenovationStep>::new();
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(
        move || (id(), step.version().get(), refresh.get()),
        |(id, ..)| get_renovation(id),
    );
    let (list, title) = seat.list();
    view! {
        <p class="crumbs"><a href=list>{i18n.t(title)}</a></p>
        {load(move || page, move |p| view! { <AppView p step seat refresh /> })}
    }
}

#[component]
fn AppView(
    p: AppPage,
    step: ServerAction<RenovationStep>,
    seat: Seat,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = p.id;
    let can_reveal = p.can_reveal;
    let reason_shown =
        matches!(p.state, State::Returned | State::Rejected) && !p.last_reason.is_empty();
    let items = p
        .items
        .iter()
        .map(|i| {
            view! {
                <li>{i.name.clone()}
                    {(!i.note.is_empty()).then(|| view! { <span class="muted">{format!("（{}）", i.note)}</span> })}
                </li>
            }
        })
        .collect_view();
    let workers = p
        .workers
        .iter()
        .map(|w| {
            let worker = Some(w.id);
            view! {
                <tr>
                    <td>{w.name.clone()}</td>
                    <td><Contact id worker field="mobile" masked=w.mobile_masked.clone() can_reveal /></td>
                    <td><Contact id worker field="id_number" masked=w.id_masked.clone() can_reveal /></td>
                </tr>
            }
        })
        .collect_view();
    let timeline = p
        .timeline
        .iter()
        .map(|e| {
            let i18n = use_i18n();
            let what = match e.action {
                Some(a) => i18n.t(a.key()),
                None => i18n.t("renovation.applied"),
            };
            view! {
                <li>
                    <span class="when">{e.at.clone()} " · " {e.actor.clone()}</span>
                    {what}
                    {(e.from != Some(e.to)).then(|| view! { " → " <StateBadge state=e.to /> })}
                    {(!e.note.is_empty()).then(|| view! { <div class="muted">{e.note.clone()}</div> })}
                </li>
            }
        })
        .collect_view();
    let offered = p.offered.clone();
    let role = i18n.t(p.applicant_role.key());
    view! {
        <div class="page-head">
            <h1>{i18n.t("renovation.application")} " " {p.app_no.clone()}</h1>
            <StateBadge state=p.state />
        </div>
        {reason_shown.then(|| view! {
            <p class="notice" role="status"><strong>{use_i18n().t("renovation.reason")} "："</strong>{p.last_reason.clone()}</p>
        })}
        <dl class="facts">
            <div><dt>{i18n.t("renovation.house")}</dt><dd>{p.estate_name.clone()} " " {p.house_number.clone()}</dd></div>
            <div><dt>{i18n.t("renovation.applicant")}</dt><dd>{p.applicant.clone()} " " <span class="muted">{role}</span></dd></div>
            <div><dt>{i18n.t("renovation.period")}</dt><dd>{p.planned_start.clone()} " — " {p.planned_end.clone()}</dd></div>
            <div><dt>{i18n.t("renovation.channel_label")}</dt><dd>{i18n.t(p.channel.key())}</dd></div>
            {(!p.permit_no.is_empty()).then(|| view! {
                <div><dt>{use_i18n().t("renovation.permit_no")}</dt><dd data-testid="permit-no">{p.permit_no.clone()}
                    {(seat == Seat::Desk && can_reveal).then(|| view! {
                        " " <a class="button small" href=format!("/desk/renovations/{id}/permit")>{use_i18n().t("renovation.print_permit")}</a>
                    })}
                </dd></div>
            })}
        </dl>
        {p.fees.clone().map(|fees| view! {
            <super::fees::FeesPanel id house_id=p.house_id fees desk=seat == Seat::Desk && can_reveal refresh />
        })}
        {match p.state {
            State::Suspended => Some(view! { <p class="notice danger" role="status">{use_i18n().t("renovation.suspended_notice")}</p> }.into_any()),
            State::Rectifying => Some(view! { <p class="notice" role="status">{use_i18n().t("renovation.rectify_notice")}</p> }.into_any()),
            _ => None,
        }}
        {(!p.extension_end.is_empty()).then(|| view! {
            <p class="notice" role="status" data-testid="extension-asked">
                {use_i18n().f("renovation.extension_asked", &[("end", &p.extension_end)])}</p>
        })}
        {(!offered.is_empty()).then(|| view! { <Steps id state=p.state offered=offered.clone() step /> })}
        {p.deposit.clone().map(|d| view! {
            <super::deposit::DepositPanel id d desk=seat == Seat::Desk && can_reveal refresh />
        })}
        {(super::super::works::inspectable(p.state) || !p.inspections.is_empty()).then(|| view! {
            <super::works::Visits id state=p.state visits=p.inspections.clone() can_inspect=p.can_inspect
                next_visit=p.next_visit.clone() open_violations=p.open_violations visit_due=p.visit_due refresh />
        })}
        // The keys the works' workers took at the counter (none: nothing shown).
        {(seat == Seat::Desk).then(|| view! { <crate::keys::pages::RenovationKeysPanel renovation_id=id /> })}
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("renovation.contractor_section")}</h2>
                <dl class="facts-list">
                    <dt>{i18n.t("renovation.contractor")}</dt><dd>{p.contractor.clone()}</dd>
                    <dt>{i18n.t("renovation.licence_no")}</dt><dd>{p.licence_no.clone()}</dd>
                    <dt>{i18n.t("renovation.foreman")}</dt>
                    <dd>{p.foreman.clone()} " " <Contact id worker=None field="mobile" masked=p.foreman_mobile_masked.clone() can_reveal /></dd>
                    {(!p.owner_consent.is_empty()).then(|| view! {
                        <dt>{use_i18n().t("renovation.owner_consent")}</dt><dd>{p.owner_consent.clone()}</dd>
                    })}
                    {(!p.description.is_empty()).then(|| view! {
                        <dt>{use_i18n().t("renovation.description")}</dt><dd class="prewrap">{p.description.clone()}</dd>
                    })}
                </dl>
                <h3>{i18n.t("renovation.scope")}</h3>
                <ul>{items}</ul>
                <h3>{i18n.f("renovation.workers_count", &[("count", &p.workers.len().to_string())])}</h3>
                <div class="table-wrap"><table>
                    <thead><tr>
                        <th>{i18n.t("renovation.worker_name")}</th>
                        <th>{i18n.t("renovation.worker_mobile")}</th>
                        <th>{i18n.t("renovation.worker_id")}</th>
                    </tr></thead>
                    <tbody>{workers}</tbody>
                </table></div>
            </section>
            <section class="panel">
                <h2>{i18n.t("renovation.timeline")}</h2>
                <ol class="timeline">{timeline}</ol>
                {(seat == Seat::Portal && p.state == State::Payment).then(|| view! {
                    <p class="notice">{use_i18n().t("renovation.payment_next")}</p>
                })}
            </section>
        </div>
        // The drawings and photos the reviewers judge the application by.
        {(p.can_add_attachments || !p.attachments.is_empty()).then(|| view! {
            <super::attachments::Attachments id attachments=p.attachments.clone() can_add=p.can_add_attachments />
        })}
    }
}

/// A masked number with the desk's audited reveal.
#[component]
fn Contact(
    id: i64,
    worker: Option<i64>,
    field: &'static str,
    masked: String,
    can_reveal: bool,
) -> impl IntoView {
    let reveal = ServerAction::<RevealRenovationContact>::new();
    let value = reveal.value();
    view! {
        {move || match value.get() {
            Some(Ok(full)) => view! { <span class="revealed">{full}</span> }.into_any(),
            Some(Err(e)) => view! { <span class="field-error">{error_text(&e)}</span> }.into_any(),
            None => view! {
                <span class="masked">{masked.clone()}</span>
                {can_reveal.then(|| view! {
                    " "
                    <button type="button" class="link" on:click=move |_| {
                        reveal.dispatch(RevealRenovationContact { id, worker_id: worker, field: field.into() });
                    }>{use_i18n().t("resident.reveal")}</button>
                })}
            }
            .into_any(),
        }}
    }
}

/// The steps the caller may take now, each a form with the words it needs.
#[component]
fn Steps(
    id: i64,
    state: State,
    offered: Vec<Action>,
    step: ServerAction<RenovationStep>,
) -> impl IntoView {
    let i18n = use_i18n();
    let v = step.value();
    // Which form was sent last: its note carries the error.
    let sent = RwSignal::new(None::<Action>);
    let forms = offered
        .into_iter()
        .map(|action| {
            let i18n = use_i18n();
            let required = needs_reason(action);
            let danger = matches!(
                action,
                Action::Reject
                    | Action::Withdraw
                    | Action::Return
                    | Action::Suspend
                    | Action::FailAcceptance
                    | Action::RefuseExtension
            );
            let error = Signal::derive(move || {
                (sent.get() == Some(action))
                    .then(|| field_error(v, "note").get())
                    .flatten()
            });
            view! {
                <ActionForm action=step attr:class="step-form">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="action" value=action.as_str() />
                    <input type="hidden" name="seen" value=state.as_str() />
                    {(action == Action::AskExtension).then(|| view! {
                        <Field label=use_i18n().t("renovation.extend_to") name="extend_to" kind="date"
                            id=format!("extend-{id}") required=true
                            error=Signal::derive(move || {
                                (sent.get() == Some(action)).then(|| field_error(v, "extend_to").get()).flatten()
                            }) />
                    })}
                    <TextareaField
                        label=i18n.t(if required { "renovation.note_required" } else { "renovation.note" })
                        name="note" id=format!("note-{}", action.as_str()) rows=2 required=required
                        maxlength=500 error />
                    <button type="submit" class:danger=danger on:click=move |_| sent.set(Some(action))>
                        {i18n.t(action.key())}
                    </button>
                </ActionForm>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="steps">
            <h2 id="steps">{i18n.t("renovation.steps")}</h2>
            <FormError error=form_error(v) />
            <div class="step-forms">{forms}</div>
        </section>
    }
}
