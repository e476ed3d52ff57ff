//! The portal's bills (`/portal/bills`) and receipts (`/portal/receipts/:id`):
//! each of the resident's houses — what is owed, what was paid, the receipts
//! and the prepaid balance — and the resident's copy of a receipt.

use leptos::prelude::*;

use super::{print_page, Money};
use crate::billing::api::{my_bills, my_receipt};
use crate::billing::{fen_text, PortalAccount, PortalBills, PortalLine, PortalReceipt};
use crate::i18n::use_i18n;
use crate::ui::{desk_time, load};

/// `/portal/bills`: each of my houses — what is owed, what was paid, receipts, balance.
#[component]
pub fn PortalBillsPage() -> impl IntoView {
    let i18n = use_i18n();
    let bills = Resource::new(|| (), |_| my_bills());
    view! {
        <>
            <h1>{i18n.t("billing.my_bills")}</h1>
            {load(move || bills, |b: PortalBills| {
                if b.houses.is_empty() {
                    view! { <p class="muted">{use_i18n().t("portal.no_houses")}</p> }.into_any()
                } else {
                    b.houses.into_iter().map(|a| view! { <PortalHouse a /> }).collect_view().into_any()
                }
            })}
        </>
    }
}

#[component]
fn PortalHouse(a: PortalAccount) -> impl IntoView {
    let i18n = use_i18n();
    let card = |l: &PortalLine, paid: bool| {
        let i18n = use_i18n();
        view! {
            <li class="bill-card" class:overdue=l.overdue>
                <div class="bill-head">
                    <span>{l.item.clone()} " · " {l.period.clone()}</span>
                    <strong><Money fen=if paid { l.amount_fen } else { l.outstanding_fen } /></strong>
                </div>
                <p class="why">{l.explanation.clone()}</p>
                {(!paid && l.late_fee_fen > 0).then(|| view! { <p>{use_i18n().t("billing.late_fee")} " " <Money fen=l.late_fee_fen /></p> })}
                <p class="muted">
                    {if paid {
                        match (&l.receipt_no, l.payment_id) {
                            _ if l.refund_no.is_some() => view! {
                                {i18n.t("billing.kept_from_deposit")} " " {l.refund_no.clone()}
                            }.into_any(),
                            (Some(no), Some(pid)) => view! { {i18n.t("billing.paid")} " · " <a href=format!("/portal/receipts/{pid}")>{no.clone()}</a> }.into_any(),
                            _ if l.by_prepaid => i18n.t("billing.by_prepaid").into_any(),
                            _ => i18n.t("billing.waived").into_any(),
                        }
                    } else {
                        i18n.f("billing.due_on", &[("date", &l.due_date)]).into_any()
                    }}
                </p>
            </li>
        }
    };
    let unpaid = a.unpaid.iter().map(|l| card(l, false)).collect_view();
    let paid = a.settled.iter().map(|l| card(l, true)).collect_view();
    let unpaid_empty = a.unpaid.is_empty();
    let payments = a
        .payments
        .iter()
        .map(|p| {
            view! {
                <li>
                    <a href=format!("/portal/receipts/{}", p.id)>{p.receipt_no.clone()}</a>
                    " · " {use_i18n().t(p.method.key())}
                    " · " <Money fen=p.received_fen /> " · " {desk_time(&p.created_at)}
                    {p.reversed.then(|| view! { " " <span class="badge overdue">{use_i18n().t("billing.reversed")}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel portal-house">
            <h2>{a.estate_name.clone()} " " {a.number.clone()}</h2>
            <dl class="facts">
                <div><dt>{i18n.t("billing.unpaid_total")}</dt><dd><Money fen=a.unpaid_fen + a.late_fen /></dd></div>
                <div><dt>{i18n.t("billing.balance")}</dt><dd data-testid="balance"><Money fen=a.balance_fen /></dd></div>
            </dl>
            <h3>{i18n.t("billing.unpaid")}</h3>
            <ul class="bill-cards">{unpaid}</ul>
            {unpaid_empty.then(|| view! { <p class="muted">{use_i18n().t("billing.nothing_owed")}</p> })}
            <h3>{i18n.t("billing.settled")}</h3>
            <ul class="bill-cards">{paid}</ul>
            <h3>{i18n.t("billing.payments")}</h3>
            <ul class="plain">{payments}</ul>
        </section>
    }
}

/// `/portal/receipts/:id`: one of my receipts.
#[component]
pub fn PortalReceiptPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let receipt = Resource::new(id, my_receipt);
    view! {
        <>
            <p class="crumbs no-print"><a href="/portal/bills">{use_i18n().t("billing.my_bills")}</a></p>
            {load(move || receipt, |r| view! { <PortalReceiptDoc r /> })}
        </>
    }
}

/// The resident's copy of a receipt: the desk's layout without the clerk,
/// the reprint stamp or a reversal's reason (a reversal shows, not why).
#[component]
fn PortalReceiptDoc(r: PortalReceipt) -> impl IntoView {
    let i18n = use_i18n();
    let rows = r
        .items
        .iter()
        .map(|i| view! { <tr><td>{i.item.clone()}</td><td>{i.period.clone()}</td><td class="num"><Money fen=i.amount_fen /></td></tr> })
        .collect_view();
    view! {
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("billing.print")}</button>
        </div>
        <article class="receipt" data-testid="receipt">
            {r.reversed.then(|| view! { <p class="stamp red">{use_i18n().t("billing.reversed")}</p> })}
            <h1>{r.estate_name.clone()} " " {i18n.t("billing.receipt")}</h1>
            <p class="receipt-no">{i18n.t("billing.receipt_no")} " " <strong>{r.receipt_no.clone()}</strong></p>
            <dl class="facts">
                <div><dt>{i18n.t("house.number")}</dt><dd>{r.house_number.clone()}</dd></div>
                // No payer stored (an old payment no owner's occupancy covered): the house alone.
                {r.payer.clone().map(|payer| view! { <div><dt>{use_i18n().t("billing.payer")}</dt><dd>{payer}</dd></div> })}
                <div><dt>{i18n.t("billing.method_label")}</dt><dd>{i18n.t(r.method.key())}</dd></div>
            </dl>
            <table>
                <thead><tr><th scope="col">{i18n.t("billing.item")}</th><th scope="col">{i18n.t("billing.period")}</th><th scope="col" class="num">{i18n.t("billing.amount")}</th></tr></thead>
                <tbody>
                    {rows}
                    {(r.prepaid_fen > 0).then(|| view! { <tr><td>{use_i18n().t("billing.to_prepaid")}</td><td></td><td class="num"><Money fen=r.prepaid_fen /></td></tr> })}
                </tbody>
                <tfoot><tr><th scope="row" colspan="2">{i18n.t("billing.total")}</th><td class="num"><strong>"¥" {fen_text(r.received_fen)}</strong></td></tr></tfoot>
            </table>
            <p class="capitals">{i18n.t("billing.in_capitals")} " " <strong data-testid="capitals">{r.capitals.clone()}</strong></p>
            <p class="signature">{desk_time(&r.created_at)}</p>
        </article>
    }
}
