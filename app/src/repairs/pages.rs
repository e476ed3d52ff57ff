//! Repair pages of the desk, and the ticket view every role shares: its facts,
//! photos, timeline, and the forms for exactly the actions the server offers
//! this caller now.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::api::*;
use super::*;
// Ours, not leptos::prelude::Action (a glob each).
use super::rules::Action;
use crate::billing::fen_text;
use crate::i18n::use_i18n;
use crate::ui::{
    field_error, form_error, id_param, loading, query_num, EmptyRow, EstatePicker, Field,
    FormError, LoadError,
};

fn query_text(key: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(key).unwrap_or_default()
}

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let s = status.as_str();
    view! { <span class=format!("badge ticket-{s}")>{use_i18n().t(&format!("repairs.status.{s}"))}</span> }
}

/// Urgent, late, rework and paid, as badges.
#[component]
pub fn TicketFlags(urgency: String, late: Lateness, rework: i64, paid: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {(urgency == "urgent").then(|| view! { <span class="badge urgent">{use_i18n().t("repairs.urgency.urgent")}</span> " " })}
        {late.response.then(|| view! { <span class="badge overdue">{use_i18n().t("repairs.late_response")}</span> " " })}
        {(late.completion && !late.response).then(|| view! { <span class="badge overdue">{use_i18n().t("repairs.late_completion")}</span> " " })}
        {(rework > 0).then(|| view! { <span class="badge rework">{use_i18n().f("repairs.rework_n", &[("n", &rework.to_string())])}</span> " " })}
        {paid.then(|| view! { <span class="badge">{i18n.t("repairs.paid_badge")}</span> })}
    }
}

// ---- the desk's list ------------------------------------------------------------------

/// `/desk/repairs`: open tickets, late first.
#[component]
pub fn RepairsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let status = query_text("status");
    let late = query_text("late");
    let list = Resource::new(
        move || (estate(), status(), late()),
        |(e, s, l)| get_repairs(e, s, l == "1"),
    );
    view! {
        <>
            <h1>{i18n.t("repairs.title")}</h1>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(l) => view! { <RepairList l /> }.into_any(),
                    }
                })}
            </Transition>
        </>
    }
}

#[component]
fn RepairList(l: TicketList) -> impl IntoView {
    let i18n = use_i18n();
    let e = l.estate_id;
    let statuses = std::iter::once("open")
        .chain(Status::ALL.iter().map(|s| s.as_str()))
        .chain(std::iter::once("all"))
        .map(|s| {
            let label = if s == "open" || s == "all" {
                use_i18n().t(&format!("repairs.filter.{s}"))
            } else {
                use_i18n().t(&format!("repairs.status.{s}"))
            };
            view! { <option value=s selected=l.status == s>{label}</option> }
        })
        .collect_view();
    let empty = l.rows.is_empty();
    let rows = l
        .rows
        .into_iter()
        .map(|r| {
            let late = r.late.any();
            view! {
                <tr class:late=late>
                    <td><a href=format!("/desk/repairs/{}", r.id)>{format!("#{}", r.id)}</a></td>
                    <td class="nowrap">{r.place.clone()}</td>
                    <td>{use_i18n().t(&format!("repairs.cat.{}", r.category))}</td>
                    <td>{r.description.clone()}</td>
                    <td><StatusBadge status=r.status /></td>
                    <td><TicketFlags urgency=r.urgency.clone() late=r.late rework=r.rework_count paid=r.paid /></td>
                    <td>{r.worker.clone().unwrap_or_else(|| "—".into())}</td>
                    <td class="nowrap">{r.created_at.clone()}</td>
                    <td class="nowrap">{r.appointment_at.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="page-head">
            <nav class="actions">
                <a class="button primary" href=format!("/desk/repairs/new?estate={e}")>{i18n.t("repairs.new")}</a>
                " "
                <a class="button" href=format!("/desk/repairs/visits?estate={e}")>{i18n.f("repairs.to_visit", &[("n", &l.to_visit.to_string())])}</a>
                " "
                <a class="button" href=format!("/desk/repairs/stats?estate={e}")>{i18n.t("repairs.stats_title")}</a>
                " "
                {l.can_escalations.then(|| view! {
                    <a class="button" href=format!("/desk/escalations?estate={e}")>{use_i18n().f("visits.escalations_n", &[("n", &l.open_escalations.to_string())])}</a>
                    " "
                })}
                {l.can_setup.then(|| view! { <a class="button" href=format!("/desk/repairs/setup?estate={e}")>{use_i18n().t("repairs.setup_title")}</a> })}
            </nav>
        </div>
        <EstatePicker estates=l.estates.clone() chosen=e />
        <Form method="GET" action="">
            <input type="hidden" name="estate" value=e />
            <div class="filters">
                <div class="field">
                    <label for="f-status">{i18n.t("repairs.status_label")}</label>
                    <select id="f-status" name="status">{statuses}</select>
                </div>
                <label class="check"><input type="checkbox" name="late" value="1" checked=l.late_only />{i18n.t("repairs.late_only")}</label>
                <button type="submit">{i18n.t("common.show")}</button>
            </div>
        </Form>
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th>{i18n.t("repairs.number")}</th>
                        <th>{i18n.t("repairs.place")}</th>
                        <th>{i18n.t("repairs.category")}</th>
                        <th>{i18n.t("repairs.description")}</th>
                        <th>{i18n.t("repairs.status_label")}</th>
                        <th></th>
                        <th>{i18n.t("repairs.worker")}</th>
                        <th>{i18n.t("repairs.reported_at")}</th>
                        <th>{i18n.t("repairs.appointment")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows}
                    <EmptyRow show=empty cols=9 />
                </tbody>
            </table>
        </div>
    }
}

// ---- reporting ------------------------------------------------------------------------

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
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match form.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(f) => view! { <ReportFormView f desk=true /> }.into_any(),
                    }
                })}
            </Suspense>
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
    let categories = CATEGORIES
        .into_iter()
        .map(|c| view! { <option value=c>{use_i18n().t(&format!("repairs.cat.{c}"))}</option> })
        .collect_view();
    let locations = f
        .locations
        .iter()
        .map(|l| view! { <option value=l.id>{l.name.clone()}</option> })
        .collect_view();
    let place = if desk {
        view! {
            <Field label=i18n.t("repairs.house_number") name="house_number" value=f.house_number.clone()
                hint=i18n.t("repairs.house_number_hint") error=field_error(v, "place") />
            <div class="field">
                <label for="f-location">{i18n.t("repairs.or_location")}</label>
                <select id="f-location" name="location_id">
                    <option value="0">"—"</option>
                    {locations}
                </select>
            </div>
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
        view! { <PortalPlace houses=houses.into_any() common=common.into_any() error=field_error(v, "place") /> }.into_any()
    };
    let sources = ["phone", "walk_in", "inspection"]
        .into_iter()
        .map(|s| view! { <option value=s>{use_i18n().t(&format!("repairs.source.{s}"))}</option> })
        .collect_view();
    view! {
        <section class="panel narrow-form">
            <FormError error=form_error(v) />
            <ActionForm action=report>
                <input type="hidden" name="estate_id" value=f.estate_id />
                {place}
                <div class="field">
                    <label for="f-category">{i18n.t("repairs.category")}</label>
                    <select id="f-category" name="category">{categories}</select>
                    <p class="field-error" role="alert">{move || field_error(v, "category").get()}</p>
                </div>
                <div class="field">
                    <label for="f-description">{i18n.t("repairs.description")}</label>
                    <textarea id="f-description" name="description" rows="3" required
                        placeholder=i18n.t("repairs.description_hint")></textarea>
                    <p class="field-error" role="alert">{move || field_error(v, "description").get()}</p>
                </div>
                <fieldset class="field">
                    <legend>{i18n.t("repairs.urgency_label")}</legend>
                    <div class="checks">
                        <label class="check"><input type="radio" name="urgency" value="normal" checked />{i18n.t("repairs.urgency.normal")}</label>
                        <label class="check"><input type="radio" name="urgency" value="urgent" />{i18n.t("repairs.urgency.urgent")}</label>
                    </div>
                </fieldset>
                <div class="field">
                    <label class="check"><input type="checkbox" name="paid" value="1" />{i18n.t("repairs.paid_label")}</label>
                    <p class="hint">{i18n.t("repairs.paid_hint")}</p>
                    <p class="field-error" role="alert">{move || field_error(v, "paid").get()}</p>
                </div>
                <Field label=i18n.t("repairs.appointment") name="appointment" kind="datetime-local"
                    hint=i18n.t("repairs.appointment_hint") error=field_error(v, "appointment") />
                {desk.then(|| view! {
                    <div class="field">
                        <label for="f-source">{use_i18n().t("repairs.source_label")}</label>
                        <select id="f-source" name="source">{sources}</select>
                    </div>
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
    let reveal = ServerAction::<crate::estate::api::RevealResidentField>::new();
    let value = reveal.value();
    view! {
        <p class="hint reveal">
            {move || match value.get() {
                Some(Ok(full)) => view! { <span class="revealed">{full}</span> }.into_any(),
                Some(Err(e)) => view! { <span class="field-error">{crate::ui::error_text(&e)}</span> }.into_any(),
                None => view! {
                    <button type="button" class="link" on:click=move |_| {
                        reveal.dispatch(crate::estate::api::RevealResidentField { id: resident_id, field: "mobile".into() });
                    }>{use_i18n().t("resident.reveal")}</button>
                }
                .into_any(),
            }}
        </p>
    }
}

/// The portal's "where": one of the resident's houses (`h<id>`) or a common
/// area (`l<id>`), one select, so the form works before the page hydrates.
#[component]
fn PortalPlace(houses: AnyView, common: AnyView, error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="f-place">{i18n.t("repairs.place")}</label>
            <select id="f-place" name="place">
                <option value="">{i18n.t("repairs.choose_place")}</option>
                {houses}
                {common}
            </select>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

// ---- one ticket -----------------------------------------------------------------------

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
    view! {
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match ticket.await {
                    Err(e) => view! { <LoadError error=e /> }.into_any(),
                    Ok(t) => view! { <TicketView t refresh /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TicketView(t: TicketDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let fresh = query_text("new")() == "1";
    let charge = t.labour_fen + t.materials_fen;
    view! {
        <div class="page-head">
            <h1>{format!("#{} ", t.id)} {t.place.clone()} " · " {i18n.t(&format!("repairs.cat.{}", t.category))}</h1>
            <p><StatusBadge status=t.status /> " " <TicketFlags urgency=t.urgency.clone() late=t.late rework=t.rework_count paid=t.paid /></p>
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
                        <dd>{i18n.t(&format!("repairs.source.{}", t.source))}</dd>
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
                <Visits visits=t.visits.clone() />
                <Timeline events=t.timeline.clone() />
            </div>
        </div>
    }
}

#[component]
fn Photos(id: i64, photos: Vec<PhotoView>, can_add: bool) -> impl IntoView {
    let i18n = use_i18n();
    let error = query_text("photo_error")();
    let back = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let list = photos
        .into_iter()
        .map(|p| {
            view! {
                <li>
                    <a href=format!("/repairs/photos/{}", p.id) target="_blank">
                        <img src=format!("/repairs/photos/{}/thumb", p.id) alt=use_i18n().t(&format!("repairs.photo_stage.{}", p.stage)) loading="lazy" />
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
                let error = (!error.is_empty()).then(|| use_i18n().t(&format!("repairs.photo_error.{error}")));
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
                    <strong>{use_i18n().t(&format!("repairs.event.{}", e.action))}</strong>
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
                        " · " {i18n.t(&format!("visits.channel.{}", v.channel))} " · " {v.visitor} " · " {v.at}
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

/// The forms for the actions on offer. After any of them succeeds the ticket reloads.
#[component]
fn TicketActions(t: TicketDetail, refresh: RwSignal<u32>, primary: bool) -> impl IntoView {
    // The next step first; handing back, cancelling and reopening after the photos.
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

/// Reloads the ticket when `value` turns into a success.
fn reload_on_success<T, S>(value: S, refresh: RwSignal<u32>)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, crate::error::AppError>>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(_)) = value.get() {
            refresh.update(|r| *r += 1);
        }
    });
}

/// The desk corrects 户内有偿 / free while the ticket is open.
#[component]
fn PaidForm(id: i64, paid: bool, refresh: RwSignal<u32>) -> impl IntoView {
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
    let label = use_i18n().t(&format!("repairs.action.{}", action.as_str()));
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
    let a = action.as_str();
    view! {
        <details class="panel action-panel">
            <summary>{i18n.t(&format!("repairs.action.{a}"))}</summary>
            <FormError error=Signal::derive(move || form_error(v).get().filter(|e| e.field_message("reason").is_none())) />
            <ActionForm action=act>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="action" value=a />
                <Field label=i18n.t("repairs.reason") name="reason" required=true error=field_error(v, "reason") />
                <button type="submit" class=if action == Action::Reopen { "primary" } else { "danger" }>
                    {i18n.t(&format!("repairs.action.{a}"))}
                </button>
            </ActionForm>
        </details>
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
            let i18n = use_i18n();
            let skills = w
                .skills
                .iter()
                .map(|s| i18n.t(&format!("repairs.cat.{s}")))
                .collect::<Vec<_>>()
                .join("、");
            let label = format!(
                "{}{} · {} · {}",
                if Some(w.id) == first_other {
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
            let is_current = Some(w.id) == current;
            let label = if is_current {
                format!("{label}{}", i18n.t("repairs.current"))
            } else {
                label
            };
            view! { <option value=w.id selected=Some(w.id) == first_other>{label}</option> }
        })
        .collect_view();
    view! {
        <section class="panel action-panel">
            <h2>{i18n.t(if current.is_some() { "repairs.reassign" } else { "repairs.action.assign" })}</h2>
            <FormError error=form_error(v) />
            {if none {
                view! { <p class="muted">{use_i18n().t("repairs.no_workers")}</p> }.into_any()
            } else {
                view! {
                    <ActionForm action=assign>
                        <input type="hidden" name="id" value=id />
                        <div class="field">
                            <label for="f-worker">{use_i18n().t("repairs.worker")}</label>
                            <select id="f-worker" name="worker_id">{options}</select>
                            <p class="hint">{use_i18n().t("repairs.suggest_hint")}</p>
                            <p class="field-error" role="alert">{move || field_error(v, "worker_id").get()}</p>
                        </div>
                        <button type="submit" class="primary">{use_i18n().t("repairs.action.assign")}</button>
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
            <h2>{i18n.t("repairs.action.finish")}</h2>
            <p class="hint">{i18n.t("repairs.finish_photos_hint")}</p>
            <FormError error=form_error(v) />
            <ActionForm action=finish>
                <input type="hidden" name="id" value=id />
                <div class="field">
                    <label for="f-work_notes">{i18n.t("repairs.work_notes")}</label>
                    <textarea id="f-work_notes" name="work_notes" rows="3" required></textarea>
                    <p class="field-error" role="alert">{move || field_error(v, "work_notes").get()}</p>
                </div>
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
                    view! {
                        <p class="hint">{use_i18n().t(if charged { "repairs.charged" } else { "repairs.free_repair" })}</p>
                        <p class="field-error" role="alert">{move || field_error(v, "labour").get()}</p>
                    }.into_any()
                }}
                <button type="submit" class="primary wide big">{i18n.t("repairs.action.finish")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn VisitForm(id: i64, refresh: RwSignal<u32>) -> impl IntoView {
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
    view! {
        <section class="panel action-panel" id="visit">
            <h2>{i18n.t("visits.record")}</h2>
            <FormError error=Signal::derive(move || form_error(v).get().filter(|e| !matches!(e, crate::error::AppError::Invalid(_)))) />
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
                <div class="field">
                    <label for="f-comment">{i18n.t("visits.comment")}</label>
                    <textarea id="f-comment" name="comment" rows="2"></textarea>
                    <p class="hint">{i18n.t("visits.comment_hint")}</p>
                    <p class="field-error" role="alert">{move || field_error(v, "comment").get()}</p>
                </div>
                <button type="submit" class="primary">{i18n.t("visits.submit")}</button>
            </ActionForm>
        </section>
    }
}

// ---- return visits, statistics, setup -------------------------------------------------

/// `/desk/repairs/visits`: done tickets waiting for their return visit.
#[component]
pub fn VisitListPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let list = Resource::new(estate, get_visit_list);
    view! {
        <>
            <p class="crumbs"><a href="/desk/repairs">{i18n.t("repairs.title")}</a></p>
            <h1>{i18n.t("repairs.visits_title")}</h1>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(l) => {
                            let empty = l.rows.is_empty();
                            let rows = l.rows.into_iter().map(|r| view! {
                                <tr>
                                    <td><a href=format!("/desk/repairs/{}", r.id)>{format!("#{}", r.id)}</a></td>
                                    <td>{r.place}</td>
                                    <td>{use_i18n().t(&format!("repairs.cat.{}", r.category))}</td>
                                    <td>{r.description}</td>
                                    <td>{r.worker.unwrap_or_default()}</td>
                                    <td><a class="button" href=format!("/desk/repairs/{}#visit", r.id)>{use_i18n().t("visits.record")}</a></td>
                                </tr>
                            }).collect_view();
                            view! {
                                <EstatePicker estates=l.estates chosen=l.estate_id />
                                <div class="table-wrap">
                                    <table>
                                        <thead><tr>
                                            <th>{use_i18n().t("repairs.number")}</th>
                                            <th>{use_i18n().t("repairs.place")}</th>
                                            <th>{use_i18n().t("repairs.category")}</th>
                                            <th>{use_i18n().t("repairs.description")}</th>
                                            <th>{use_i18n().t("repairs.worker")}</th>
                                            <th></th>
                                        </tr></thead>
                                        <tbody>{rows}<EmptyRow show=empty cols=6 /></tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </>
    }
}

fn duration_text(minutes: Option<i64>) -> String {
    match minutes {
        None => "—".into(),
        Some(m) if m < 60 => use_i18n().f("repairs.m", &[("m", &m.to_string())]),
        Some(m) => {
            let (h, m) = hours_minutes(m);
            use_i18n().f(
                "repairs.hm",
                &[("h", &h.to_string()), ("m", &m.to_string())],
            )
        }
    }
}

/// `/desk/repairs/stats`: a date range's figures, and their export.
#[component]
pub fn RepairStatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let from = query_text("from");
    let to = query_text("to");
    let stats = Resource::new(
        move || (estate(), from(), to()),
        |(e, f, t)| get_repair_stats(e, f, t),
    );
    view! {
        <>
            <p class="crumbs"><a href="/desk/repairs">{i18n.t("repairs.title")}</a></p>
            <h1>{i18n.t("repairs.stats_title")}</h1>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match stats.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(s) => view! { <StatsView s /> }.into_any(),
                    }
                })}
            </Transition>
        </>
    }
}

#[component]
fn StatsView(s: RepairStats) -> impl IntoView {
    let i18n = use_i18n();
    let head = Status::ALL
        .iter()
        .map(|st| view! { <th class="num">{use_i18n().t(&format!("repairs.status.{}", st.as_str()))}</th> })
        .collect_view();
    let rows = s
        .by_category
        .iter()
        .map(|(c, counts, total)| {
            let cells = counts.iter().map(|n| view! { <td class="num">{*n}</td> }).collect_view();
            view! { <tr><td>{use_i18n().t(&format!("repairs.cat.{c}"))}</td>{cells}<td class="num"><strong>{*total}</strong></td></tr> }
        })
        .collect_view();
    let export = format!(
        "/desk/repairs/stats.xlsx?estate={}&from={}&to={}",
        s.estate_id, s.from, s.to
    );
    view! {
        <EstatePicker estates=s.estates.clone() chosen=s.estate_id />
        <Form method="GET" action="">
            <input type="hidden" name="estate" value=s.estate_id />
            <div class="filters">
                <div class="field"><label for="f-from">{i18n.t("repairs.from")}</label><input id="f-from" type="date" name="from" value=s.from.clone() /></div>
                <div class="field"><label for="f-to">{i18n.t("repairs.to")}</label><input id="f-to" type="date" name="to" value=s.to.clone() /></div>
                <button type="submit">{i18n.t("common.show")}</button>
                <a class="button" href=export rel="external" download>{i18n.t("repairs.export")}</a>
            </div>
        </Form>
        <dl class="facts stats">
            <div><dt>{i18n.t("repairs.stats.total")}</dt><dd>{s.total}</dd></div>
            <div><dt>{i18n.t("repairs.stats.avg_response")}</dt><dd>{duration_text(s.avg_response_minutes)}</dd></div>
            <div><dt>{i18n.t("repairs.stats.avg_completion")}</dt><dd>{duration_text(s.avg_completion_minutes)}</dd></div>
            <div><dt>{i18n.t("repairs.stats.on_time")}</dt><dd>{s.on_time_permille.map(permille_text).unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{i18n.t("repairs.stats.rework")}</dt><dd>{s.rework_permille.map(permille_text).unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{i18n.t("repairs.stats.avg_rating")}</dt><dd>{s.avg_rating_centi.map(|r| format!("{}.{:02} ({})", r / 100, r % 100, s.visits)).unwrap_or_else(|| "—".into())}</dd></div>
        </dl>
        <div class="table-wrap">
            <table>
                <thead><tr><th>{i18n.t("repairs.category")}</th>{head}<th class="num">{i18n.t("repairs.stats.total")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

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
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match setup.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(s) => view! { <SetupView s save add skills /> }.into_any(),
                    }
                })}
            </Transition>
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
            let boxes = CATEGORIES
                .into_iter()
                .map(|c| {
                    let on = w.skills.iter().any(|s| s == c);
                    view! { <label class="check"><input type="checkbox" name=c value="1" checked=on />{use_i18n().t(&format!("repairs.cat.{c}"))}</label> }
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
                    <div class="field">
                        <label for="f-charge_item">{i18n.t("repairs.charge_item")}</label>
                        <select id="f-charge_item" name="charge_item">
                            <option value="0">"—"</option>
                            {items}
                        </select>
                        <p class="hint">{i18n.t("repairs.charge_item_hint")}</p>
                        <p class="field-error" role="alert">{move || field_error(sv, "charge_item").get()}</p>
                    </div>
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
