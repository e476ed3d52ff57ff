//! `/desk/moves/in/:id`: one move-in, its steps top to bottom — each shows
//! what was saved and its form, so a case left for a missing document is
//! picked up where it stopped — and the completion with what is still missing.

use leptos::prelude::*;

use crate::estate::OccupancyRole;
use crate::i18n::use_i18n;
use crate::moves::api::{
    get_move_in, CancelMoveIn, CompleteMoveIn, HandMoveInKeys, RaiseMoveInDefect,
    SaveMoveInAgreements, SaveMoveInIdentity, SaveMoveInInspection, SaveMoveInReadings,
};
use crate::moves::{CasePage, CaseStatus, Finding, Step};
use super::StepFrame;
use crate::ui::{
    area, field_error, form_error, id_param, load, reload_on_success, Field, FormError,
    SelectField, SignaturePad, TextareaField,
};

/// The message for a field whose name is made at run time (`reading_12`).
fn line_error<T, S>(value: S, field: String) -> Signal<Option<String>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, crate::error::AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || {
        value
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_message(&field))
    })
}

#[component]
pub fn MoveInPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(move || (id(), refresh.get()), |(id, _)| get_move_in(id));
    view! {
        <>
            <p class="crumbs"><a href="/desk/moves">{i18n.t("moves.title")}</a></p>
            {load(move || page, move |p| view! { <CaseView p refresh /> })}
        </>
    }
}

#[component]
fn CaseView(p: CasePage, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let open = p.status == CaseStatus::Open;
    let missing: Vec<String> = p.missing.iter().map(|s| i18n.t(s.key())).collect();
    let done = |step: Step| !p.missing.contains(&step);
    let status_badge = match p.status {
        CaseStatus::Open => "badge",
        CaseStatus::Completed => "badge on",
        CaseStatus::Cancelled => "badge off",
    };
    view! {
        <div class="page-head">
            <h1>
                {i18n.f("moves.case_title", &[("house", &p.house_number)])} " "
                <span class=status_badge>{i18n.t(p.status.key())}</span>
            </h1>
            <a class="button" href=format!("/desk/houses/{}", p.house_id)>{i18n.t("moves.to_house")}</a>
            {(p.status == CaseStatus::Completed).then(|| view! {
                <a class="button primary" href=format!("/desk/moves/in/{}/sheet", p.id)>{use_i18n().t("moves.print_sheet")}</a>
            })}
        </div>
        <dl class="facts">
            <div><dt>{i18n.t("moves.estate")}</dt><dd>{p.estate_name.clone()}</dd></div>
            <div><dt>{i18n.t("moves.area")}</dt><dd>{area(p.area_centi)}</dd></div>
            <div><dt>{i18n.t("moves.house_status")}</dt><dd>{i18n.t(p.house_status.key())}</dd></div>
            <div><dt>{i18n.t("moves.opened")}</dt><dd>{format!("{} · {}", p.opened_at, p.opened_by)}</dd></div>
        </dl>
        {open.then(|| if missing.is_empty() {
            view! { <p class="notice ok">{use_i18n().t("moves.all_done")}</p> }.into_any()
        } else {
            view! { <p class="notice" data-testid="missing">{use_i18n().f("moves.still_missing", &[("steps", &missing.join("、"))])}</p> }.into_any()
        })}
        {(p.status == CaseStatus::Completed).then(|| view! {
            <p class="notice ok">{use_i18n().f("moves.completed_line", &[("at", &p.completed_at), ("by", &p.completed_by)])}</p>
        })}
        {(p.status == CaseStatus::Cancelled).then(|| view! {
            <p class="notice">{use_i18n().f("moves.cancelled_line", &[("reason", &p.cancelled_reason)])}</p>
        })}
        <ol class="steps">
            <IdentityStep p=p.clone() open done=done(Step::Identity) refresh />
            <InspectionStep p=p.clone() open done=done(Step::Inspection) refresh />
            <ReadingsStep p=p.clone() open done=done(Step::Readings) refresh />
            <KeysStep p=p.clone() open done=done(Step::Keys) refresh />
            <AgreementsStep p=p.clone() open done=done(Step::Agreements) refresh />
        </ol>
        {open.then(|| view! { <CompleteForm id=p.id ready=p.missing.is_empty() refresh /> })}
    }
}

#[component]
fn IdentityStep(p: CasePage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveMoveInIdentity>::new();
    let v = save.value();
    reload_on_success(v, refresh);
    let shown = p.identity.clone().map(|i| {
        let i18n = use_i18n();
        view! {
            <dl class="facts-list">
                <dt>{i18n.t("moves.person")}</dt>
                <dd><strong>{i.name.clone()}</strong> " · " {i18n.t(i.role.key())} " · "
                    <span class="masked">{i.mobile_masked.clone()}</span>
                    {(!i.id_masked.is_empty()).then(|| view! { " · " <span class="masked">{i.id_masked.clone()}</span> })}
                </dd>
                <dt>{i18n.t("moves.title_no")}</dt><dd>{if i.title_no.is_empty() { "—".to_string() } else { i.title_no.clone() }}</dd>
                {(i.role == OccupancyRole::Tenant).then(|| view! {
                    <dt>{use_i18n().t("moves.lease")}</dt>
                    <dd>{format!("{} — {}", i.lease_start, i.lease_end)} " · " {use_i18n().t("moves.consent_given")}</dd>
                })}
                <dt>{i18n.t("moves.handover_on")}</dt><dd>{i.handover_on.clone()}</dd>
            </dl>
        }
    });
    let roles = OccupancyRole::ALL
        .iter()
        .map(|r| view! { <option value=r.as_str()>{use_i18n().t(r.key())}</option> })
        .collect_view();
    let owners = if p.owners.is_empty() {
        i18n.t("moves.no_owner_now")
    } else {
        i18n.f("moves.owners_now", &[("owners", &p.owners.join("、"))])
    };
    view! {
        <StepFrame key=Step::Identity.key() anchor=Step::Identity.as_str() done>
            {shown}
            {open.then(|| view! {
                <details open=!done>
                    <summary>{if done { use_i18n().t("moves.change") } else { use_i18n().t("moves.fill_in") }}</summary>
                    <FormError error=form_error(v) />
                    <ActionForm action=save>
                        <input type="hidden" name="id" value=p.id />
                        <div class="pair">
                            <Field label=use_i18n().t("moves.name") name="name" error=field_error(v, "name") />
                            <Field label=use_i18n().t("moves.mobile") name="mobile" kind="tel" error=field_error(v, "mobile") />
                        </div>
                        <div class="pair">
                            <Field label=use_i18n().t("moves.id_number") name="id_number" hint=use_i18n().t("moves.id_hint") error=field_error(v, "id_number") />
                            <SelectField label=use_i18n().t("moves.role") name="role" hint=owners.clone() error=field_error(v, "role")>{roles}</SelectField>
                        </div>
                        <div class="pair">
                            <Field label=use_i18n().t("moves.title_no") name="title_no" hint=use_i18n().t("moves.title_hint") error=field_error(v, "title_no") />
                            <Field label=use_i18n().t("moves.handover_on") name="handover_on" kind="date" value=p.today.clone() hint=use_i18n().t("moves.handover_hint") error=field_error(v, "handover_on") />
                        </div>
                        <fieldset class="tenant-only">
                            <legend>{use_i18n().t("moves.tenant_part")}</legend>
                            <div class="pair">
                                <Field label=use_i18n().t("moves.lease_start") name="lease_start" kind="date" error=field_error(v, "lease_start") />
                                <Field label=use_i18n().t("moves.lease_end") name="lease_end" kind="date" error=field_error(v, "lease_end") />
                            </div>
                            <label class="check"><input type="checkbox" name="owner_consent" value="1" />{use_i18n().t("moves.owner_consent")}</label>
                            {move || field_error(v, "owner_consent").get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </fieldset>
                        <button type="submit" class="primary">{use_i18n().t("moves.save_step")}</button>
                    </ActionForm>
                </details>
            })}
        </StepFrame>
    }
}

#[component]
fn InspectionStep(p: CasePage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveMoveInInspection>::new();
    let v = save.value();
    reload_on_success(v, refresh);
    let raise = ServerAction::<RaiseMoveInDefect>::new();
    let rv = raise.value();
    reload_on_success(rv, refresh);
    let case_id = p.id;
    let recorded = p
        .checklist
        .iter()
        .filter(|c| c.finding == Some(Finding::Defect))
        .map(|c| {
            let item_id = c.item_id;
            let ticket = c.ticket_id.map(|t| {
                view! { <a href=format!("/desk/repairs/{t}")>{use_i18n().f("moves.ticket_no", &[("id", &t.to_string())])}</a> }
                    .into_any()
            });
            view! {
                <li>
                    <strong>{format!("{} · {}", c.room, c.item)}</strong> "：" {c.note.clone()} " "
                    {ticket.unwrap_or_else(|| if open {
                        view! {
                            <button type="button" class="small" on:click=move |_| { raise.dispatch(RaiseMoveInDefect { id: case_id, item_id }); }>
                                {use_i18n().t("moves.to_ticket")}
                            </button>
                        }.into_any()
                    } else {
                        view! { <span class="muted">{use_i18n().t("moves.no_ticket")}</span> }.into_any()
                    })}
                </li>
            }
        })
        .collect_view();
    let any_defect = p.checklist.iter().any(|c| c.finding == Some(Finding::Defect));
    let rows = p
        .checklist
        .iter()
        .map(|c| {
            let field = format!("finding_{}", c.item_id);
            let err = line_error(v, field.clone());
            let current = c.finding.unwrap_or(Finding::Ok);
            let options = Finding::ALL
                .iter()
                .map(|f| view! { <option value=f.as_str() selected=*f == current>{use_i18n().t(f.key())}</option> })
                .collect_view();
            let select_id = format!("f-{field}");
            view! {
                <tr class:defect=c.finding == Some(Finding::Defect)>
                    <td>{c.room.clone()}</td>
                    <td><label for=select_id.clone()>{c.item.clone()}</label><input type="hidden" name="items[]" value=c.item_id /></td>
                    <td><select id=select_id name="findings[]" aria-invalid=move || err.get().is_some().then_some("true")>{options}</select></td>
                    <td>
                        <input name="notes[]" value=c.note.clone() aria-label=use_i18n().f("moves.note_for", &[("item", &c.item)]) />
                        {move || err.get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <StepFrame key=Step::Inspection.key() anchor=Step::Inspection.as_str() done>
            {done.then(|| view! {
                <p>{use_i18n().f("moves.inspected", &[("at", &p.inspection_at)])} " · "
                    {if p.inspection_on_paper { use_i18n().t("moves.signed_paper") } else { use_i18n().t("moves.signed_screen") }}</p>
            })}
            <FormError error=form_error(rv) />
            {any_defect.then(|| view! {
                <h3>{use_i18n().t("moves.defects")}</h3>
                <ul class="defects">{recorded}</ul>
            })}
            {open.then(|| view! {
                <details open=!done>
                    <summary>{if done { use_i18n().t("moves.change") } else { use_i18n().t("moves.fill_in") }}</summary>
                    <p class="muted">{use_i18n().t("moves.inspection_hint")}</p>
                    <FormError error=form_error(v) />
                    <ActionForm action=save>
                        <input type="hidden" name="id" value=p.id />
                        <div class="table-wrap">
                            <table class="checklist">
                                <thead><tr>
                                    <th>{use_i18n().t("moves.room")}</th>
                                    <th>{use_i18n().t("moves.item")}</th>
                                    <th>{use_i18n().t("moves.finding_label")}</th>
                                    <th>{use_i18n().t("moves.note")}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <SignaturePad label=use_i18n().t("moves.resident_signature") name="signature" scope="insp-" error=field_error(v, "signature") />
                        <label class="check"><input type="checkbox" name="signed_on_paper" value="1" />{use_i18n().t("moves.signed_on_paper")}</label>
                        <button type="submit" class="primary">{use_i18n().t("moves.save_step")}</button>
                    </ActionForm>
                </details>
            })}
        </StepFrame>
    }
}

#[component]
fn ReadingsStep(p: CasePage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveMoveInReadings>::new();
    let v = save.value();
    reload_on_success(v, refresh);
    let none = p.meters.is_empty();
    let rows = p
        .meters
        .iter()
        .map(|m| {
            let field = format!("reading_{}", m.fee_item_id);
            let err = line_error(v, field.clone());
            let input_id = format!("f-{field}");
            let last = if m.last.is_empty() {
                use_i18n().t("moves.no_last")
            } else {
                use_i18n().f("moves.last_reading", &[("last", &m.last)])
            };
            view! {
                <div class="field">
                    <label for=input_id.clone()>{m.name.clone()}</label>
                    <input type="hidden" name="items[]" value=m.fee_item_id />
                    <input id=input_id name="readings[]" inputmode="decimal" value=m.reading.clone() disabled=!open
                        aria-invalid=move || err.get().is_some().then_some("true") />
                    <p class="hint">{last}</p>
                    {move || err.get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
            }
        })
        .collect_view();
    view! {
        <StepFrame key=Step::Readings.key() anchor=Step::Readings.as_str() done>
            {none.then(|| view! { <p class="muted">{use_i18n().t("moves.no_meters")}</p> })}
            {done.then(|| view! { <p>{use_i18n().f("moves.read_at", &[("at", &p.readings_at)])}</p> })}
            <FormError error=form_error(v) />
            <ActionForm action=save>
                <input type="hidden" name="id" value=p.id />
                <div class="pair">{rows}</div>
                {open.then(|| view! { <button type="submit" class="primary">{use_i18n().t("moves.save_step")}</button> })}
            </ActionForm>
        </StepFrame>
    }
}

#[component]
fn KeysStep(p: CasePage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let hand = ServerAction::<HandMoveInKeys>::new();
    let v = hand.value();
    reload_on_success(v, refresh);
    let keys = p
        .cabinet_keys
        .iter()
        .map(|k| view! { <li><a href=format!("/desk/keys/{}", k.copy_id)>{k.tag.clone()}</a> " " <span class="muted">{k.hook.clone()}</span></li> })
        .collect_view();
    let in_cabinet = p.cabinet_keys.len();
    view! {
        <StepFrame key=Step::Keys.key() anchor=Step::Keys.as_str() done>
            {done.then(|| view! {
                <p>{use_i18n().f("moves.keys_handed", &[("count", &p.keys_count.unwrap_or(0).to_string()), ("at", &p.keys_at)])}</p>
            })}
            {(!done).then(|| if in_cabinet > 0 {
                view! { <p>{use_i18n().t("moves.keys_in_cabinet")}</p><ul class="copies">{keys}</ul> }.into_any()
            } else {
                view! { <p class="muted">{use_i18n().t("moves.no_keys_held")}</p> }.into_any()
            })}
            {(open && !done).then(|| view! {
                <FormError error=form_error(v) />
                <ActionForm action=hand>
                    <input type="hidden" name="id" value=p.id />
                    <Field label=use_i18n().t("moves.keys_count") name="keys_count" kind="number" value=in_cabinet.to_string()
                        hint=use_i18n().t("moves.keys_hint") error=field_error(v, "keys_count") />
                    <button type="submit" class="primary">{use_i18n().t("moves.hand_keys")}</button>
                </ActionForm>
            })}
        </StepFrame>
    }
}

#[component]
fn AgreementsStep(p: CasePage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveMoveInAgreements>::new();
    let v = save.value();
    reload_on_success(v, refresh);
    let today = p.today.clone();
    let rows = p
        .agreements
        .iter()
        .map(|a| {
            let field = format!("agreement_{}", a.id);
            let err = line_error(v, field.clone());
            let input_id = format!("f-{field}");
            let day = if a.signed_on.is_empty() { today.clone() } else { a.signed_on.clone() };
            view! {
                <div class="field">
                    <label for=input_id.clone()>{use_i18n().f("moves.signed_on", &[("name", &a.name)])}</label>
                    <input type="hidden" name="agreements[]" value=a.id />
                    <input id=input_id type="date" name="signed_on[]" value=day disabled=!open
                        aria-invalid=move || err.get().is_some().then_some("true") />
                    {move || err.get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
            }
        })
        .collect_view();
    view! {
        <StepFrame key=Step::Agreements.key() anchor=Step::Agreements.as_str() done>
            {done.then(|| view! { <p>{use_i18n().f("moves.agreements_at", &[("at", &p.agreements_at)])}</p> })}
            <FormError error=form_error(v) />
            <ActionForm action=save>
                <input type="hidden" name="id" value=p.id />
                <div class="pair">{rows}</div>
                {open.then(|| view! { <button type="submit" class="primary">{use_i18n().t("moves.save_signed")}</button> })}
            </ActionForm>
        </StepFrame>
    }
}

/// 完成入住, and cancelling the case.
#[component]
fn CompleteForm(id: i64, ready: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let complete = ServerAction::<CompleteMoveIn>::new();
    let v = complete.value();
    reload_on_success(v, refresh);
    let cancel = ServerAction::<CancelMoveIn>::new();
    let cv = cancel.value();
    reload_on_success(cv, refresh);
    view! {
        <section class="panel action-panel">
            <FormError error=form_error(v) />
            <ActionForm action=complete>
                <input type="hidden" name="id" value=id />
                <p class="muted">{if ready { i18n.t("moves.complete_hint") } else { i18n.t("moves.complete_not_ready") }}</p>
                <button type="submit" class="primary big">{i18n.t("moves.complete")}</button>
            </ActionForm>
            <details>
                <summary>{i18n.t("moves.cancel")}</summary>
                <FormError error=form_error(cv) />
                <ActionForm action=cancel>
                    <input type="hidden" name="id" value=id />
                    <TextareaField label=i18n.t("moves.reason") name="reason" rows=2 error=field_error(cv, "reason") />
                    <button type="submit" class="danger">{i18n.t("moves.cancel")}</button>
                </ActionForm>
            </details>
        </section>
    }
}
