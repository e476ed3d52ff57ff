//! The desk's receipt (`/desk/receipts/:id`): the receipt to print, on A4
//! or the half-page receipt printer, stamped 补打 on a reprint.

use leptos::prelude::*;

use super::{print_page, Money};
use crate::billing::api::{get_receipt, PrintReceipt};
use crate::billing::{fen_text, ReceiptView};
use crate::i18n::use_i18n;
use crate::ui::{desk_time, form_error, load, FormError};

/// `/desk/receipts/:id`: the receipt to print (A4 or the half-page receipt printer).
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let receipt = Resource::new(id, get_receipt);
    load(
        move || receipt,
        move |r| {
            view! {
                <p class="crumbs no-print"><a href=format!("/desk/houses/{}/account", r.house_id)>{r.house_number.clone()}</a></p>
                <ReceiptDoc r counted=true />
            }
        },
    )
}

/// A receipt as printed: figures, capitals, method, clerk, time; 补打 on reprints.
/// `counted` (the desk): the print button records the print on the server
/// first, and the stamp follows what the server says this copy is.
#[component]
pub fn ReceiptDoc(r: ReceiptView, #[prop(optional)] counted: bool) -> impl IntoView {
    let i18n = use_i18n();
    let half = RwSignal::new(false);
    let copy = RwSignal::new(r.copy);
    let record = ServerAction::<PrintReceipt>::new();
    Effect::new(move |_| {
        if let Some(Ok(this_copy)) = record.value().get() {
            copy.set(this_copy);
            // Print once the stamp (if any) is on the page.
            request_animation_frame(print_page);
        }
    });
    let payment_id = r.payment_id;
    let on_print = move |_| {
        if counted {
            record.dispatch(PrintReceipt { payment_id });
        } else {
            print_page();
        }
    };
    let rows = r
        .items
        .iter()
        .map(|i| view! { <tr><td>{i.item.clone()}</td><td>{i.period.clone()}</td><td class="num"><Money fen=i.amount_fen /></td></tr> })
        .collect_view();
    view! {
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=on_print disabled=move || record.pending().get()>{i18n.t("billing.print")}</button>
            <label><input type="checkbox" on:change=move |ev| half.set(event_target_checked(&ev)) /> " " {i18n.t("billing.half_page")}</label>
            <FormError error=form_error(record.value()) />
        </div>
        <article class="receipt" class:half=move || half.get() data-testid="receipt">
            {move || (copy.get() > 0).then(|| view! { <p class="stamp">{use_i18n().t("billing.reprint")}</p> })}
            {r.reversal.clone().map(|rev| view! { <p class="stamp red">{use_i18n().t("billing.reversed")} " · " {rev.reason}</p> })}
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
            <p class="signature">{i18n.t("billing.clerk")} " " {r.clerk.clone()} " · " {desk_time(&r.created_at)}</p>
        </article>
    }
}
