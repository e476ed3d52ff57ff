//! The deposit on the application's page, from the acceptance on: the
//! deposit held, each deduction with the visit (and photos) it rests on and
//! its decision, what the deposit pays back, the desk's refund and a
//! manager's reversal of it; and the printed refund slip
//! (`/desk/renovations/refunds/:id`, 退款单).

use leptos::prelude::*;

use crate::billing::fen_text;
use crate::i18n::use_i18n;
use crate::moves::print::print_page;
use crate::renovation::api::{
    get_renovation_refund_slip, DecideRenovationDeduction, ProposeRenovationDeduction,
    RefundRenovationDeposit, ReverseRenovationRefund,
};
use crate::renovation::refund::RefundMethod;
use crate::renovation::{DeductionView, DepositView, RefundSlip};
use crate::ui::{field_error, form_error, id_param, load, Field, FormError, TextareaField};

fn deduction_rows(
    deductions: Vec<DeductionView>,
    decide: Option<ServerAction<DecideRenovationDeduction>>,
) -> impl IntoView {
    deductions
        .into_iter()
        .map(|d| {
            let i18n = use_i18n();
            let id = d.id;
            let photos = d
                .photos
                .iter()
                .map(|p| view! {
                    <a href=format!("/renovations/photos/{p}") target="_blank">
                        <img class="thumb-mini" src=format!("/renovations/photos/{p}/thumb") alt=i18n.t("renovation.visits") loading="lazy" />
                    </a>
                })
                .collect_view();
            let state_class = format!("badge deduction-{}", d.state.as_str());
            view! {
                <tr data-testid="deduction">
                    <td>{d.item.clone()}
                        {(!d.basis.is_empty()).then(|| view! { <div class="muted">{d.basis.clone()} " " {photos}</div> })}</td>
                    <td class="num">{fen_text(d.amount_fen)}</td>
                    <td><span class=state_class>{i18n.t(d.state.key())}</span>
                        <div class="muted">{d.proposed_by.clone()}
                            {(!d.decided_by.is_empty()).then(|| format!(" → {}", d.decided_by))}</div></td>
                    <td class="no-print">{(d.can_decide && decide.is_some()).then(|| {
                        let decide = decide.expect("checked");
                        view! {
                            <button type="button" class="small primary" on:click=move |_| {
                                decide.dispatch(DecideRenovationDeduction { deduction_id: id, decision: "approve".into() });
                            }>{use_i18n().t("renovation.approve_deduction")}</button>
                            " "
                            <button type="button" class="small" on:click=move |_| {
                                decide.dispatch(DecideRenovationDeduction { deduction_id: id, decision: "reject".into() });
                            }>{use_i18n().t("renovation.reject_deduction")}</button>
                        }
                    })}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn DepositPanel(id: i64, d: DepositView, desk: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let propose = ServerAction::<ProposeRenovationDeduction>::new();
    let pv = propose.value();
    crate::ui::reload_on_success(pv, refresh);
    let decide = ServerAction::<DecideRenovationDeduction>::new();
    let dv = decide.value();
    crate::ui::reload_on_success(dv, refresh);
    let refund = ServerAction::<RefundRenovationDeposit>::new();
    let rv = refund.value();
    crate::ui::reload_on_success(rv, refresh);
    // "The deductions changed": the panel is read again, so the button names the new amount.
    Effect::new(move |_| {
        if let Some(Err(crate::error::AppError::Conflict(_))) = rv.get() {
            refresh.update(|r| *r += 1);
        }
    });
    let reverse = ServerAction::<ReverseRenovationRefund>::new();
    let xv = reverse.value();
    crate::ui::reload_on_success(xv, refresh);
    let empty = d.deductions.is_empty();
    let rows = deduction_rows(d.deductions.clone(), Some(decide));
    let visits = d
        .visits
        .iter()
        .map(|v| view! { <option value=v.id>{v.name.clone()}</option> })
        .collect_view();
    let methods = RefundMethod::ALL
        .iter()
        .map(|m| view! { <option value=m.as_str()>{use_i18n().t(m.key())}</option> })
        .collect_view();
    let refunds = d
        .refunds
        .iter()
        .map(|r| {
            let i18n = use_i18n();
            view! {
                <p class:muted=r.reversed data-testid="refund">
                    {i18n.t("renovation.refund_no")} " "
                    {if desk {
                        view! { <a href=format!("/desk/renovations/refunds/{}", r.id)>{r.refund_no.clone()}</a> }.into_any()
                    } else {
                        view! { <strong>{r.refund_no.clone()}</strong> }.into_any()
                    }}
                    " · " {i18n.t("renovation.refunded")} " " {fen_text(r.refunded_fen)}
                    " · " {i18n.t(r.method.key())} " · " {r.at.clone()}
                    {r.reversed.then(|| view! {
                        " " <span class="badge overdue">{use_i18n().f("renovation.refund_reversed_notice", &[("no", &r.refund_no)])}</span>
                    })}
                </p>
            }
        })
        .collect_view();
    view! {
        <section class="panel" id="deposit" aria-labelledby="deposit-title">
            <h2 id="deposit-title">{i18n.t("renovation.deposit")}</h2>
            <FormError error=form_error(dv) />
            <div class="table-wrap flat"><table>
                <thead><tr>
                    <th>{i18n.t("renovation.deduction_item")}</th>
                    <th class="num">{i18n.t("renovation.deduction_amount")}</th>
                    <th>{i18n.t("renovation.state_label")}</th>
                    <th class="no-print"></th>
                </tr></thead>
                <tbody>
                    <tr><td>{i18n.t("renovation.deposit_held")}</td><td class="num" data-testid="deposit">{fen_text(d.deposit_fen)}</td><td></td><td class="no-print"></td></tr>
                    {rows}
                    {empty.then(|| view! { <tr><td colspan="4" class="muted">{use_i18n().t("renovation.no_deductions")}</td></tr> })}
                </tbody>
                <tfoot>
                    <tr><th>{i18n.t("renovation.deducted_total")}</th><th class="num" data-testid="deducted">{fen_text(d.deducted_fen)}</th><th></th><th class="no-print"></th></tr>
                    <tr><th>{i18n.t("renovation.to_refund")}</th><th class="num" data-testid="to-refund">{fen_text(d.refund_fen)}</th><th></th><th class="no-print"></th></tr>
                </tfoot>
            </table></div>
            {refunds}
            {d.deposit_unpaid.then(|| view! {
                <p class="notice danger" role="status">{use_i18n().t("renovation.refused.deposit_unpaid")}</p>
            })}
            {d.can_propose.then(|| view! {
                <h3>{use_i18n().t("renovation.propose")}</h3>
                <FormError error=form_error(pv) />
                <ActionForm action=propose attr:class="deduction-form">
                    <input type="hidden" name="id" value=id />
                    <Field label=use_i18n().t("renovation.deduction_item") name="item" required=true
                        error=field_error(pv, "item") />
                    <Field label=use_i18n().t("renovation.deduction_amount") name="amount" required=true
                        error=field_error(pv, "amount") />
                    <div class="field">
                        <label for="f-visit">{use_i18n().t("renovation.deduction_basis")}</label>
                        <select id="f-visit" name="visit_id">
                            <option value="">{use_i18n().t("renovation.no_basis")}</option>
                            {visits}
                        </select>
                        <p class="field-error" role="alert">{move || field_error(pv, "visit_id").get()}</p>
                    </div>
                    <button type="submit">{use_i18n().t("renovation.propose")}</button>
                </ActionForm>
            })}
            {d.can_refund.then(|| {
                let amount = fen_text(d.refund_fen);
                view! {
                    <FormError error=form_error(rv) />
                    <ActionForm action=refund attr:class="refund-form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="request_key" value=d.request_key.clone() />
                        <input type="hidden" name="expected_fen" value=d.refund_fen />
                        <div class="pair">
                            <div class="field">
                                <label for="f-refund-method">{use_i18n().t("renovation.refund_method_label")}</label>
                                <select id="f-refund-method" name="method">{methods}</select>
                            </div>
                            <Field label=use_i18n().t("renovation.payee") name="payee" error=field_error(rv, "payee") />
                        </div>
                        <button type="submit" class="primary big">
                            {if d.deposit_fen > 0 {
                                use_i18n().f("renovation.do_refund", &[("amount", &amount)])
                            } else {
                                use_i18n().t("renovation.close_without_deposit")
                            }}
                        </button>
                    </ActionForm>
                }
            })}
            {d.can_reverse.then(|| view! {
                <details class="reverse-refund">
                <summary>{use_i18n().t("renovation.action.reverse_refund")}</summary>
                <FormError error=form_error(xv) />
                <ActionForm action=reverse attr:class="step-form">
                    <input type="hidden" name="id" value=id />
                    <TextareaField label=use_i18n().t("renovation.reverse_refund_reason") name="reason"
                        id="reverse-reason".to_string() rows=2 required=true maxlength=500 error=field_error(xv, "reason") />
                    <button type="submit" class="danger">{use_i18n().t("renovation.action.reverse_refund")}</button>
                </ActionForm>
                </details>
            })}
        </section>
    }
}

/// `/desk/renovations/refunds/:id`: the refund slip (退款单) to print and sign.
#[component]
pub fn RefundSlipPage() -> impl IntoView {
    let id = id_param();
    let slip = Resource::new(id, get_renovation_refund_slip);
    view! { {load(move || slip, move |s| view! { <Slip s /> })} }
}

#[component]
fn Slip(s: RefundSlip) -> impl IntoView {
    let i18n = use_i18n();
    let r = s.refund.clone();
    let rows = deduction_rows(s.deductions.clone(), None);
    let none = s.deductions.is_empty();
    view! {
        <p class="crumbs no-print"><a href=format!("/desk/renovations/{}", s.id)>{i18n.t("renovation.application")} " " {s.app_no.clone()}</a></p>
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("renovation.print")}</button>
        </div>
        <article class="receipt refund-slip">
            <h1>{i18n.t("renovation.refund_slip")}</h1>
            {r.reversed.then(|| view! {
                <p class="notice danger">{use_i18n().f("renovation.refund_reversed_notice", &[("no", &r.refund_no)])}</p>
            })}
            <table class="sheet-facts"><tbody>
                <tr><th>{i18n.t("renovation.refund_no")}</th><td data-testid="refund-no">{r.refund_no.clone()}</td></tr>
                <tr><th>{i18n.t("renovation.house")}</th><td>{s.estate_name.clone()} " " {s.house_number.clone()}</td></tr>
                <tr><th>{i18n.t("renovation.application")}</th><td>{s.app_no.clone()} " · " {i18n.t("renovation.permit_no")} " " {s.permit_no.clone()}</td></tr>
                <tr><th>{i18n.t("renovation.applicant")}</th><td>{s.applicant.clone()}</td></tr>
                <tr><th>{i18n.t("renovation.contractor")}</th><td>{s.contractor.clone()}</td></tr>
            </tbody></table>
            <table class="lines">
                <thead><tr>
                    <th>{i18n.t("renovation.deduction_item")}</th>
                    <th class="num">{i18n.t("renovation.deduction_amount")}</th>
                    <th>{i18n.t("renovation.state_label")}</th>
                    <th class="no-print"></th>
                </tr></thead>
                <tbody>
                    <tr><td>{i18n.t("renovation.deposit_held")}</td><td class="num" data-testid="slip-deposit">{fen_text(r.deposit_fen)}</td><td></td><td class="no-print"></td></tr>
                    {rows}
                    {none.then(|| view! { <tr><td colspan="4" class="muted">{use_i18n().t("renovation.no_deductions")}</td></tr> })}
                </tbody>
                <tfoot>
                    <tr><th>{i18n.t("renovation.deducted_total")}</th><th class="num" data-testid="slip-deducted">{fen_text(r.deducted_fen)}</th><th></th><th class="no-print"></th></tr>
                    <tr><th>{i18n.t("renovation.refunded")}</th><th class="num" data-testid="slip-refunded">{fen_text(r.refunded_fen)}</th><th>{s.capitals.clone()}</th><th class="no-print"></th></tr>
                </tfoot>
            </table>
            <table class="sheet-facts"><tbody>
                <tr><th>{i18n.t("renovation.refund_method_label")}</th><td>{i18n.t(r.method.key())}</td></tr>
                <tr><th>{i18n.t("renovation.payee_short")}</th><td>{r.payee.clone()}</td></tr>
                <tr><th>{i18n.t("renovation.slip_date")}</th><td>{s.day.clone()}</td></tr>
            </tbody></table>
            <div class="signatures">
                <p>{i18n.t("renovation.slip_clerk")} "：" {s.clerk.clone()}</p>
                <p>{i18n.t("renovation.slip_payee_sign")} "：" <span class="sign-line"></span></p>
            </div>
        </article>
    }
}
