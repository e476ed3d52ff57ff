//! One ticket, for whoever is looking (desk, worker, resident): its facts,
//! photos, timeline and return visits, and the forms ([`super::actions`]) for
//! exactly the actions the server offers this caller now.

use leptos::prelude::*;

use super::actions::{PaidForm, TicketActions};
use super::{query_text, StatusBadge, TicketFlags};
use crate::billing::fen_text;
use crate::i18n::use_i18n;
use crate::repairs::api::get_ticket;
use crate::repairs::{EventView, PhotoError, PhotoView, TicketDetail, VisitView};
use crate::ui::{id_param, load};

/// `/desk/repairs/:id`
#[component]
pub fn RepairPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <>
            <p class="crumbs"><a href="/desk/repairs">{i18n.t("repairs.title")}</a></p>
            <TicketPage />
        </>
    }
}

/// A ticket for whoever is looking (desk, worker, resident): the server decides
/// what they see and which actions they are offered.
#[component]
pub fn TicketPage() -> impl IntoView {
    let id = id_param();
    let refresh = RwSignal::new(0u32);
    let ticket = Resource::new(move || (id(), refresh.get()), |(id, _)| get_ticket(id));
    load(move || ticket, move |t| view! { <TicketView t refresh /> })
}

/// Whether the signed-in account reads the key register.
fn may_see_keys() -> bool {
    use crate::common::{allows, CurrentUser, Permission};
    use_context::<CurrentUser>()
        .and_then(|c| c.0)
        .is_some_and(|me| allows(me.role, Permission::ViewKeys))
}

#[component]
fn TicketView(t: TicketDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let fresh = query_text("new")() == "1";
    let charge = t.labour_fen + t.materials_fen;
    view! {
        <div class="page-head">
            <h1>{format!("#{} ", t.id)} {t.place.clone()} " · " {i18n.t(t.category.key())}</h1>
            <p><StatusBadge status=t.status /> " " <TicketFlags urgency=t.urgency late=t.late rework=t.rework_count paid=t.paid /></p>
        </div>
        {fresh.then(|| view! { <p class="saved" role="status">{use_i18n().t("repairs.reported")}</p> })}
        <div class="columns">
            <div>
                <section class="panel">
                    <p class="ticket-text">{t.description.clone()}</p>
                    <dl class="facts-list">
                        <dt>{i18n.t("repairs.reporter")}</dt>
                        <dd>{t.reporter_name.clone()} " " <a href=format!("tel:{}", t.reporter_phone)>{t.reporter_phone.clone()}</a></dd>
                        <dt>{i18n.t("repairs.source_label")}</dt>
                        <dd>{i18n.t(t.source.key())}</dd>
                        <dt>{i18n.t("repairs.reported_at")}</dt>
                        <dd>{t.created_at.clone()}</dd>
                        {t.appointment_at.clone().map(|a| view! { <dt>{use_i18n().t("repairs.appointment")}</dt><dd>{a}</dd> })}
                        <dt>{i18n.t("repairs.targets")}</dt>
                        <dd>{i18n.f("repairs.due_line", &[("response", &t.response_due), ("completion", &t.completion_due)])}</dd>
                        <dt>{i18n.t("repairs.worker")}</dt>
                        <dd>{t.worker.clone().unwrap_or_else(|| "—".into())}</dd>
                        {(!t.work_notes.is_empty()).then(|| view! { <dt>{use_i18n().t("repairs.work_notes")}</dt><dd>{t.work_notes.clone()}</dd> })}
                        {(!t.materials.is_empty()).then(|| view! { <dt>{use_i18n().t("repairs.materials")}</dt><dd>{t.materials.clone()}</dd> })}
                        {(charge > 0).then(|| view! {
                            <dt>{use_i18n().t("repairs.charge")}</dt>
                            <dd>
                                <span class="money">{fen_text(charge)}</span> " "
                                {use_i18n().f("repairs.charge_parts", &[("labour", &fen_text(t.labour_fen)), ("materials", &fen_text(t.materials_fen))])}
                                {t.charged.then(|| view! { " · " {use_i18n().t("repairs.charged")} })}
                            </dd>
                        })}
                        {t.cancel_reason.clone().map(|r| view! { <dt>{use_i18n().t("repairs.cancel_reason")}</dt><dd>{r}</dd> })}
                    </dl>
                    {t.can_set_paid.then(|| view! { <PaidForm id=t.id paid=t.paid refresh /> })}
                </section>
                <TicketActions t=t.clone() refresh primary=true />
                <Photos id=t.id photos=t.photos.clone() can_add=t.can_add_photos />
                <TicketActions t=t.clone() refresh primary=false />
            </div>
            <div>
                // The keys lent for it, to those who read keys (the desk); the worker's
                // phone lists the keys he holds, the resident sees none here.
                {may_see_keys().then(|| view! { <crate::keys::pages::TicketKeysPanel ticket_id=t.id /> })}
                <Visits visits=t.visits.clone() />
                <Timeline events=t.timeline.clone() />
            </div>
        </div>
    }
}

#[component]
fn Photos(id: i64, photos: Vec<PhotoView>, can_add: bool) -> impl IntoView {
    let i18n = use_i18n();
    // What the last upload ran into, as `server::repair_files` sent us back.
    let error = PhotoError::parse(&query_text("photo_error")());
    let back = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let list = photos
        .into_iter()
        .map(|p| {
            view! {
                <li>
                    <a href=format!("/repairs/photos/{}", p.id) target="_blank">
                        <img src=format!("/repairs/photos/{}/thumb", p.id) alt=use_i18n().t(p.stage.key()) loading="lazy" />
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" id="photos">
            <h2>{i18n.t("repairs.photos")}</h2>
            <ul class="photos">{list}</ul>
            {can_add.then(|| {
                let error = error.map(|e| use_i18n().t(e.key()));
                // A plain multipart form (it works before the page hydrates) with a
                // file input, which `ui::Field` (no `accept`, no `multiple`) cannot
                // draw: its hint and error lines are written here.
                view! {
                    <form method="post" enctype="multipart/form-data" action=format!("/repairs/{id}/photos") class="photo-form">
                        <input type="hidden" name="back" value=back.clone() />
                        <div class="field">
                            <label for="f-photo">{use_i18n().t("repairs.add_photos")}</label>
                            <input id="f-photo" type="file" name="photo" accept="image/*" multiple
                                aria-invalid=error.is_some().then_some("true") />
                            <p class="hint">{use_i18n().t("repairs.photo_hint")}</p>
                            <p class="field-error" role="alert">{error}</p>
                        </div>
                        <button type="submit">{use_i18n().t("repairs.upload")}</button>
                    </form>
                }
            })}
        </section>
    }
}

#[component]
fn Timeline(events: Vec<EventView>) -> impl IntoView {
    let i18n = use_i18n();
    let items = events
        .into_iter()
        .map(|e| {
            view! {
                <li>
                    <span class="when">{e.at}</span>
                    <strong>{use_i18n().t(e.action.key())}</strong>
                    " · " {e.actor}
                    {(!e.note.is_empty()).then(|| view! { <span class="note">{e.note}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("repairs.timeline")}</h2>
            <ol class="timeline">{items}</ol>
        </section>
    }
}

#[component]
fn Visits(visits: Vec<VisitView>) -> impl IntoView {
    (!visits.is_empty()).then(|| {
        let items = visits
            .into_iter()
            .map(|v| {
                let i18n = use_i18n();
                view! {
                    <li>
                        <strong>{"★".repeat(v.rating as usize)}{"☆".repeat(5 - v.rating as usize)}</strong>
                        " " {i18n.t(if v.fixed { "visits.fixed_yes" } else { "visits.fixed_no" })}
                        " · " {i18n.t(v.channel.key())} " · " {v.visitor} " · " {v.at}
                        {(!v.comment.is_empty()).then(|| view! { <span class="note">{v.comment}</span> })}
                        {v.escalated.then(|| view! { <span class="badge overdue">{use_i18n().t("visits.escalated")}</span> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="panel">
                <h2>{use_i18n().t("visits.title")}</h2>
                <ul class="visits">{items}</ul>
            </section>
        }
    })
}
