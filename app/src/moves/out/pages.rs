//! `/desk/moves/out/:id`: one move-out, its steps top to bottom — who
//! leaves, the final readings, the settlement on one screen (bill, pay, or a
//! manager's override), the keys — the completion with what is missing, and
//! the goods-release passes.

use leptos::prelude::*;

use super::api::{
    get_move_out, BillMoveOut, CancelMoveOut, CompleteMoveOut, OverrideMoveOut, PayMoveOut,
    SaveMoveOutLeaving, SaveMoveOutReadings,
};
use super::{OutKind, OutPage, OutStep};
use crate::billing::{fen_plain, fen_text, PayMethod};
use crate::i18n::use_i18n;
use crate::moves::pass::api::{IssueReleasePass, IssueRequestedPass, RevokeReleasePass};
use crate::moves::pass::Verdict;
use crate::moves::CaseStatus;
use crate::moves::pages::StepFrame;
use crate::ui::{
    field_error, form_error, id_param, load, reload_on_success, Field, FormError, TextareaField,
};

#[component]
pub fn MoveOutPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(move || (id(), refresh.get()), |(id, _)| get_move_out(id));
    view! {
        <>
            <p class="crumbs"><a href="/desk/moves">{i18n.t("moves.title")}</a></p>
            {load(move || page, move |p| view! { <OutView p refresh /> })}
        </>
    }
}

#[component]
fn OutView(p: OutPage, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let open = p.status == CaseStatus::Open;
    let missing: Vec<String> = p.missing.iter().map(|s| i18n.t(s.key())).collect();
    let done = |step: OutStep| !p.missing.contains(&step);
    let badge = match p.status {
        CaseStatus::Open => "badge",
        CaseStatus::Completed => "badge on",
        CaseStatus::Cancelled => "badge off",
    };
    view! {
        <div class="page-head">
            <h1>
                {i18n.f("moves.out.case_title", &[("house", &p.house_number)])} " "
                <span class=badge>{i18n.t(p.status.key())}</span>
            </h1>
            <a class="button" href=format!("/desk/houses/{}", p.house_id)>{i18n.t("moves.to_house")}</a>
        </div>
        <dl class="facts">
            <div><dt>{i18n.t("moves.estate")}</dt><dd>{p.estate_name.clone()}</dd></div>
            <div><dt>{i18n.t("moves.house_status")}</dt><dd>{i18n.t(p.house_status.key())}</dd></div>
            <div><dt>{i18n.t("moves.out.day")}</dt><dd>{if p.move_out_on.is_empty() { p.today.clone() } else { p.move_out_on.clone() }}</dd></div>
            <div><dt>{i18n.t("moves.opened")}</dt><dd>{format!("{} · {}", p.opened_at, p.opened_by)}</dd></div>
        </dl>
        {open.then(|| if missing.is_empty() {
            view! { <p class="notice ok">{use_i18n().t("moves.all_done")}</p> }.into_any()
        } else {
            view! { <p class="notice" data-testid="missing">{use_i18n().f("moves.still_missing", &[("steps", &missing.join("、"))])}</p> }.into_any()
        })}
        {(p.status == CaseStatus::Completed).then(|| view! {
            <p class="notice ok">{use_i18n().f("moves.out.completed_line", &[("at", &p.completed_at), ("by", &p.completed_by)])}</p>
        })}

        {(p.status == CaseStatus::Cancelled).then(|| view! {
            <p class="notice">{use_i18n().f("moves.cancelled_line", &[("reason", &p.cancelled_reason)])}</p>
        })}
        <ol class="steps">
            <LeavingStep p=p.clone() open done=done(OutStep::Leaving) refresh />
            <ReadingsStep p=p.clone() open done=done(OutStep::Readings) refresh />
            <SettlementStep p=p.clone() open done=done(OutStep::Settlement) refresh />
            <KeysStep p=p.clone() done=done(OutStep::Keys) />
        </ol>
        {(open && p.kind != Some(OutKind::Sale)).then(|| view! { <CompleteForm id=p.id ready=p.missing.is_empty() refresh /> })}
        // A sale completes with the buyer's move-in (the house is never without an owner).
        {(open && p.kind == Some(OutKind::Sale)).then(|| view! {
            <section class="panel action-panel">
                <p class="muted">{use_i18n().t("moves.out.sale_hint")}</p>
                <form method="post" action="/api/open_move_in" class="inline">
                    <input type="hidden" name="house_id" value=p.house_id />
                    <button type="submit" class="primary big">{use_i18n().f("moves.out.buyer_moves_in", &[("name", &p.buyer_name)])}</button>
                </form>
                <CancelForm id=p.id refresh />
            </section>
        })}
        {(p.status != CaseStatus::Cancelled).then(|| view! { <Passes p=p.clone() refresh /> })}
    }
}

#[component]
fn LeavingStep(p: OutPage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveMoveOutLeaving>::new();
    let v = save.value();
    reload_on_success(v, refresh);
    let billed = p.settlement.billed;
    let shown = p.kind.map(|k| {
        let names: Vec<String> = p
            .occupants
            .iter()
            .filter(|o| o.leaving)
            .map(|o| format!("{}（{}）", o.name, use_i18n().t(o.role.key())))
            .collect();
        view! {
            <p data-testid="leaving"><strong>{use_i18n().t(k.key())}</strong> "：" {names.join("、")}
                {(!p.buyer_name.is_empty()).then(|| view! { " · " {use_i18n().f("moves.out.buyer_is", &[("name", &p.buyer_name)])} })}
            </p>
        }
    });
    // Before anything is saved: a let house's tenant leaving, else its owner.
    let has_tenant = p.occupants.iter().any(|o| o.role == crate::estate::OccupancyRole::Tenant);
    let current = p.kind.unwrap_or(if has_tenant { OutKind::TenantLeaves } else { OutKind::OwnerLeaves });
    let kinds = OutKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str() selected=*k == current>{use_i18n().t(k.key())}</option> })
        .collect_view();
    let people = p
        .occupants
        .iter()
        .map(|o| {
            // Before anything is saved: a tenant's household, else everyone.
            let owner = matches!(o.role, crate::estate::OccupancyRole::Owner | crate::estate::OccupancyRole::CoOwner);
            let ticked = o.leaving || (p.kind.is_none() && !(has_tenant && owner));
            view! {
                <label class="check">
                    <input type="checkbox" name="occupancies[]" value=o.occupancy_id checked=ticked />
                    {format!("{} · {} · {}", o.name, use_i18n().t(o.role.key()), o.start_date)}
                </label>
            }
        })
        .collect_view();
    view! {
        <StepFrame key=OutStep::Leaving.key() anchor=OutStep::Leaving.as_str() done>
            {shown}
            {(open && !billed).then(|| view! {
                <details open=!done>
                    <summary>{if done { use_i18n().t("moves.change") } else { use_i18n().t("moves.fill_in") }}</summary>
                    <FormError error=form_error(v) />
                    <ActionForm action=save>
                        <input type="hidden" name="id" value=p.id />
                        <div class="field">
                            <label for="f-kind">{use_i18n().t("moves.out.kind")}</label>
                            <select id="f-kind" name="kind">{kinds}</select>
                        </div>
                        <fieldset>
                            <legend>{use_i18n().t("moves.out.who")}</legend>
                            {people}
                            {move || field_error(v, "occupancy").get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </fieldset>
                        <Field label=use_i18n().t("moves.out.buyer") name="buyer_name" value=p.buyer_name.clone()
                            hint=use_i18n().t("moves.out.buyer_hint") error=field_error(v, "buyer_name") />
                        <button type="submit" class="primary">{use_i18n().t("moves.save_step")}</button>
                    </ActionForm>
                </details>
            })}
        </StepFrame>
    }
}

#[component]
fn ReadingsStep(p: OutPage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveMoveOutReadings>::new();
    let v = save.value();
    reload_on_success(v, refresh);
    let editable = open && !p.settlement.billed;
    let none = p.meters.is_empty();
    let rows = p
        .meters
        .iter()
        .map(|m| {
            let field = format!("reading_{}", m.fee_item_id);
            let err = Signal::derive(move || v.get().and_then(|r| r.err()).and_then(|e| e.field_message(&field)));
            let input_id = format!("f-out-reading-{}", m.fee_item_id);
            view! {
                <div class="field">
                    <label for=input_id.clone()>{m.name.clone()}</label>
                    <input type="hidden" name="items[]" value=m.fee_item_id />
                    <input id=input_id name="readings[]" inputmode="decimal" value=m.reading.clone() disabled=!editable
                        aria-invalid=move || err.get().is_some().then_some("true") />
                    <p class="hint">{if editable || p.readings_at.is_empty() {
                        use_i18n().f("moves.last_reading", &[("last", &m.last)])
                    } else {
                        use_i18n().t("moves.out.final_billed")
                    }}</p>
                    {move || err.get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
            }
        })
        .collect_view();
    view! {
        <StepFrame key=OutStep::Readings.key() anchor=OutStep::Readings.as_str() done>
            {none.then(|| view! { <p class="muted">{use_i18n().t("moves.out.no_meters")}</p> })}
            {(!p.readings_at.is_empty()).then(|| view! { <p>{use_i18n().f("moves.read_at", &[("at", &p.readings_at)])}</p> })}
            {(!none).then(|| view! {
                <FormError error=form_error(v) />
                <ActionForm action=save>
                    <input type="hidden" name="id" value=p.id />
                    <div class="pair">{rows}</div>
                    {editable.then(|| view! { <button type="submit" class="primary">{use_i18n().t("moves.save_step")}</button> })}
                </ActionForm>
            })}
        </StepFrame>
    }
}

#[component]
fn SettlementStep(p: OutPage, open: bool, done: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let bill = ServerAction::<BillMoveOut>::new();
    let bv = bill.value();
    reload_on_success(bv, refresh);
    let pay = ServerAction::<PayMoveOut>::new();
    let pv = pay.value();
    reload_on_success(pv, refresh);
    let over = ServerAction::<OverrideMoveOut>::new();
    let ov = over.value();
    reload_on_success(ov, refresh);
    let s = p.settlement.clone();
    let lines = s
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr class:this-move=l.this_move>
                    <td>{l.item.clone()}
                        {l.this_move.then(|| view! { " " <span class="badge">{use_i18n().t("moves.out.this_move")}</span> })}
                        <br /><span class="muted">{l.explanation.clone()}</span></td>
                    <td class="nowrap">{l.period.clone()}</td>
                    <td class="num">{fen_text(l.owed_fen)}</td>
                    <td class="num">{(l.late_fee_fen > 0).then(|| fen_text(l.late_fee_fen))}</td>
                </tr>
            }
        })
        .collect_view();
    let leavers: Vec<(i64, String)> = p
        .occupants
        .iter()
        .filter(|o| o.leaving)
        .map(|o| (o.resident_id, o.name.clone()))
        .collect();
    let payer_options = leavers
        .iter()
        .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
        .collect_view();
    let methods = PayMethod::ALL
        .iter()
        .map(|m| view! { <option value=m.as_str()>{use_i18n().t(m.key())}</option> })
        .collect_view();
    let ready = p.kind.is_some() && (p.meters.is_empty() || !p.readings_at.is_empty());
    let owed = s.billed && s.due_fen > 0;
    let overridden = !s.override_reason.is_empty();
    view! {
        <StepFrame key=OutStep::Settlement.key() anchor=OutStep::Settlement.as_str() done>
            <div class="table-wrap">
                <table class="settlement" data-testid="settlement">
                    <thead><tr>
                        <th>{use_i18n().t("moves.out.line")}</th>
                        <th>{use_i18n().t("moves.out.period")}</th>
                        <th class="num">{use_i18n().t("moves.out.owed")}</th>
                        <th class="num">{use_i18n().t("moves.out.late_fee")}</th>
                    </tr></thead>
                    <tbody>
                        {lines}
                        {s.lines.is_empty().then(|| view! { <tr><td colspan="4" class="muted">{use_i18n().t("moves.out.no_lines")}</td></tr> })}
                    </tbody>
                </table>
            </div>
            {(!s.paid_to_month_end.is_empty()).then(|| view! {
                <p class="muted">{use_i18n().f("moves.out.paid_to_month_end", &[("items", &s.paid_to_month_end.join("、"))])}</p>
            })}
            <dl class="facts-list">
                <dt>{use_i18n().t("moves.out.prepaid")}</dt>
                <dd>{fen_text(s.prepaid_fen)}
                    {(s.prepaid_offset_fen > 0).then(|| view! { " · " {use_i18n().f("moves.out.prepaid_offset", &[("amount", &fen_text(s.prepaid_offset_fen))])} })}</dd>
                <dt>{use_i18n().t("moves.out.due")}</dt>
                <dd><strong class="money big" data-testid="due">{fen_text(s.due_fen)}</strong></dd>
            </dl>
            {(!s.problem.is_empty()).then(|| view! { <p class="notice error">{s.problem.clone()}</p> })}
            {(!s.receipt_no.is_empty()).then(|| view! {
                <p class="notice ok">{use_i18n().f("moves.out.paid", &[("receipt", &s.receipt_no)])} " "
                    <a href=format!("/desk/receipts/{}", s.payment_id.unwrap_or(0))>{use_i18n().t("moves.out.receipt")}</a></p>
            })}
            {overridden.then(|| view! {
                <p class="notice" data-testid="override">{use_i18n().f("moves.out.overridden", &[
                    ("by", &s.override_by), ("amount", &fen_text(s.override_fen.unwrap_or(0))), ("reason", &s.override_reason)])}</p>
            })}
            {(open && !s.billed).then(|| view! {
                <FormError error=form_error(bv) />
                <ActionForm action=bill>
                    <input type="hidden" name="id" value=p.id />
                    <p class="muted">{if ready { use_i18n().t("moves.out.bill_hint") } else { use_i18n().t("moves.out.bill_not_ready") }}</p>
                    <button type="submit" class="primary" disabled=!ready || !s.problem.is_empty()>{use_i18n().t("moves.out.bill")}</button>
                </ActionForm>
            })}
            {(open && owed).then(|| view! {
                <h3>{use_i18n().t("moves.out.pay")}</h3>
                <FormError error=form_error(pv) />
                <ActionForm action=pay>
                    <input type="hidden" name="id" value=p.id />
                    <input type="hidden" name="request_key" value=s.request_key.clone() />
                    <div class="pair">
                        <div class="field">
                            <label for="f-method">{use_i18n().t("billing.method_label")}</label>
                            <select id="f-method" name="method">{methods}</select>
                        </div>
                        <Field label=use_i18n().t("billing.received") name="received" kind="text" value=fen_plain(s.due_fen) error=field_error(pv, "received") />
                    </div>
                    <div class="pair">
                        <div class="field">
                            <label for="f-payer">{use_i18n().t("billing.payer")}</label>
                            <select id="f-payer" name="payer">{payer_options}<option value="">{use_i18n().t("billing.payer_other")}</option></select>
                            {move || field_error(pv, "payer").get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </div>
                        <Field label=use_i18n().t("billing.payer_name") name="payer_name" error=field_error(pv, "payer_name") />
                    </div>
                    <button type="submit" class="primary big">{use_i18n().f("moves.out.take", &[("amount", &fen_text(s.due_fen))])}</button>
                </ActionForm>
                {(p.can_override && !overridden).then(|| view! {
                    <details>
                        <summary>{use_i18n().t("moves.out.override")}</summary>
                        <FormError error=form_error(ov) />
                        <ActionForm action=over>
                            <input type="hidden" name="id" value=p.id />
                            <TextareaField label=use_i18n().t("moves.out.override_reason") name="reason" rows=2 error=field_error(ov, "reason") />
                            <button type="submit" class="danger">{use_i18n().t("moves.out.override_go")}</button>
                        </ActionForm>
                    </details>
                })}
            })}
        </StepFrame>
    }
}

#[component]
fn KeysStep(p: OutPage, done: bool) -> impl IntoView {
    let loans = p
        .loans
        .iter()
        .map(|l| view! { <li><a href=format!("/desk/keys/{}", l.copy_id)>{l.tag.clone()}</a> " · " {l.taker.clone()} " · " {l.out_at.clone()}</li> })
        .collect_view();
    let entrusted = p
        .entrusted
        .iter()
        .map(|k| view! { <li><a href=format!("/desk/keys/{}", k.copy_id)>{k.tag.clone()}</a></li> })
        .collect_view();
    view! {
        <StepFrame key=OutStep::Keys.key() anchor=OutStep::Keys.as_str() done>
            {done.then(|| view! { <p class="muted">{use_i18n().t("moves.out.keys_clear")}</p> })}
            {(!p.loans.is_empty()).then(|| view! { <p>{use_i18n().t("moves.out.keys_out")}</p><ul>{loans}</ul> })}
            {(!p.entrusted.is_empty()).then(|| view! { <p>{use_i18n().t("moves.out.keys_entrusted")}</p><ul>{entrusted}</ul> })}
        </StepFrame>
    }
}

#[component]
fn CompleteForm(id: i64, ready: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let complete = ServerAction::<CompleteMoveOut>::new();
    let v = complete.value();
    reload_on_success(v, refresh);
    view! {
        <section class="panel action-panel">
            <FormError error=form_error(v) />
            <ActionForm action=complete>
                <input type="hidden" name="id" value=id />
                <p class="muted">{if ready { i18n.t("moves.out.complete_hint") } else { i18n.t("moves.out.complete_not_ready") }}</p>
                <button type="submit" class="primary big">{i18n.t("moves.out.complete")}</button>
            </ActionForm>
            <CancelForm id refresh />
        </section>
    }
}

/// Calling the move-out off, with a reason.
#[component]
fn CancelForm(id: i64, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let cancel = ServerAction::<CancelMoveOut>::new();
    let cv = cancel.value();
    reload_on_success(cv, refresh);
    view! {
        <details>
            <summary>{i18n.t("moves.cancel")}</summary>
            <FormError error=form_error(cv) />
            <ActionForm action=cancel>
                <input type="hidden" name="id" value=id />
                <TextareaField label=i18n.t("moves.reason") name="reason" rows=2 error=field_error(cv, "reason") />
                <button type="submit" class="danger">{i18n.t("moves.cancel")}</button>
            </ActionForm>
        </details>
    }
}

/// The goods-release passes of the move-out, and the form to issue one.
#[component]
fn Passes(p: OutPage, refresh: RwSignal<u32>) -> impl IntoView {
    let issue = ServerAction::<IssueReleasePass>::new();
    let iv = issue.value();
    reload_on_success(iv, refresh);
    let revoke = ServerAction::<RevokeReleasePass>::new();
    let rv = revoke.value();
    reload_on_success(rv, refresh);
    let grant = ServerAction::<IssueRequestedPass>::new();
    let gv = grant.value();
    reload_on_success(gv, refresh);
    let case_id = p.id;
    let open_case = p.status == CaseStatus::Open;
    let requests = p
        .requests
        .iter()
        .map(|x| {
            let pass_id = x.id;
            view! {
                <tr>
                    <td>{x.person_name.clone()}</td>
                    <td>{x.items.clone()}</td>
                    <td>{x.plate.clone()}</td>
                    <td>{x.valid_on.clone()}</td>
                    <td>{open_case.then(|| view! {
                        <button type="button" class="small primary" on:click=move |_| { grant.dispatch(IssueRequestedPass { move_out_id: case_id, pass_id }); }>
                            {use_i18n().t("moves.pass.issue_request")}
                        </button>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let rows = p
        .passes
        .iter()
        .map(|x| {
            let id = x.id;
            let live = x.verdict == Verdict::Valid;
            view! {
                <tr>
                    <td><a href=format!("/desk/passes/{}", x.id)>{x.pass_no.clone()}</a></td>
                    <td>{x.person_name.clone()}</td>
                    <td>{x.items.clone()}</td>
                    <td>{x.plate.clone()}</td>
                    <td><span class=if live { "badge on" } else { "badge off" }>{use_i18n().t(x.verdict.key())}</span></td>
                    <td>{live.then(|| view! {
                        <button type="button" class="small" on:click=move |_| { revoke.dispatch(RevokeReleasePass { id }); }>{use_i18n().t("moves.pass.revoke")}</button>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let first_leaver = p
        .occupants
        .iter()
        .find(|o| o.leaving)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    view! {
        <section class="panel" id="passes">
            <h2>{use_i18n().t("moves.pass.title")}</h2>
            <FormError error=form_error(rv) />
            {(!p.requests.is_empty()).then(|| view! {
                <h3>{use_i18n().t("moves.pass.requests")}</h3>
                <FormError error=form_error(gv) />
                <div class="table-wrap"><table data-testid="pass-requests">
                    <thead><tr>
                        <th>{use_i18n().t("moves.pass.person")}</th><th>{use_i18n().t("moves.pass.items")}</th>
                        <th>{use_i18n().t("moves.pass.plate")}</th><th>{use_i18n().t("moves.pass.valid_on")}</th><th></th>
                    </tr></thead>
                    <tbody>{requests}</tbody>
                </table></div>
            })}
            {(!p.passes.is_empty()).then(|| view! {
                <div class="table-wrap"><table>
                    <thead><tr>
                        <th>{use_i18n().t("moves.pass.no")}</th><th>{use_i18n().t("moves.pass.person")}</th>
                        <th>{use_i18n().t("moves.pass.items")}</th><th>{use_i18n().t("moves.pass.plate")}</th>
                        <th>{use_i18n().t("moves.pass.state")}</th><th></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            })}
            <details>
                <summary>{use_i18n().t("moves.pass.issue")}</summary>
                <p class="muted">{use_i18n().t("moves.pass.issue_hint")}</p>
                <FormError error=form_error(iv) />
                <ActionForm action=issue>
                    <input type="hidden" name="move_out_id" value=p.id />
                    <div class="pair">
                        <Field label=use_i18n().t("moves.pass.person") name="person_name" value=first_leaver error=field_error(iv, "person_name") />
                        <Field label=use_i18n().t("moves.pass.plate") name="plate" error=field_error(iv, "plate") />
                    </div>
                    <TextareaField label=use_i18n().t("moves.pass.items") name="items" rows=2 error=field_error(iv, "items") />
                    <button type="submit" class="primary">{use_i18n().t("moves.pass.issue_go")}</button>
                </ActionForm>
            </details>
        </section>
    }
}
