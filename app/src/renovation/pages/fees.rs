//! An approved application's fees and deposit on its page: what is charged
//! (the deposit marked as held), the desk's one payment for all of it, the
//! receipt, what else the house owes, and the permit once it may be issued.

use leptos::prelude::*;

use crate::billing::{fen_plain, fen_text, PayMethod};
use crate::i18n::use_i18n;
use crate::renovation::api::{IssueRenovationPermit, PayRenovation};
use crate::renovation::Fees;
use crate::ui::{field_error, form_error, Field, FormError};

#[component]
pub fn FeesPanel(
    id: i64,
    house_id: i64,
    fees: Fees,
    desk: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pay = ServerAction::<PayRenovation>::new();
    let pv = pay.value();
    crate::ui::reload_on_success(pv, refresh);
    let issue = ServerAction::<IssueRenovationPermit>::new();
    let iv = issue.value();
    crate::ui::reload_on_success(iv, refresh);
    let rows = fees
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{l.name.clone()}
                        {l.held.then(|| view! { " " <span class="badge held">{use_i18n().t("billing.held")}</span> })}</td>
                    <td class="num">{fen_text(l.amount_fen)}</td>
                </tr>
            }
        })
        .collect_view();
    let methods = PayMethod::ALL
        .iter()
        .map(|m| view! { <option value=m.as_str()>{use_i18n().t(m.key())}</option> })
        .collect_view();
    let none = fees.lines.is_empty();
    let total = fees.total_fen;
    let due = fees.due_fen;
    view! {
        <section class="panel" aria-labelledby="fees">
            <h2 id="fees">{i18n.t("renovation.fees")}</h2>
            {none.then(|| view! { <p class="notice">{use_i18n().t("renovation.no_charges")}</p> })}
            <div class="table-wrap flat"><table>
                <tbody>{rows}</tbody>
                <tfoot><tr><th>{i18n.t("renovation.fees_total")}</th><th class="num" data-testid="fees-total">{fen_text(total)}</th></tr></tfoot>
            </table></div>
            {fees.receipt_no.clone().map(|no| view! {
                <p data-testid="fees-paid">{use_i18n().t("renovation.fees_paid")} " "
                    {if desk {
                        view! { <a href=format!("/desk/receipts/{}", fees.payment_id.unwrap_or(0))>{no.clone()}</a> }.into_any()
                    } else {
                        view! { <span>{no.clone()}</span> }.into_any()
                    }}
                </p>
            })}
            {(fees.arrears_fen > 0).then(|| view! {
                <p class="notice" role="status">
                    {use_i18n().f("renovation.arrears_first", &[("owed", &fen_text(fees.arrears_fen))])}
                    {desk.then(|| view! { " " <a href=format!("/desk/houses/{house_id}/account")>{use_i18n().t("billing.account")}</a> })}
                </p>
            })}
            {(fees.can_pay && !none).then(|| view! {
                <FormError error=form_error(pv) />
                <ActionForm action=pay>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="request_key" value=fees.request_key.clone() />
                    <div class="pair">
                        <div class="field">
                            <label for="f-method">{use_i18n().t("billing.method_label")}</label>
                            <select id="f-method" name="method">{methods}</select>
                        </div>
                        <Field label=use_i18n().t("billing.received") name="received" value=fen_plain(due)
                            error=field_error(pv, "received") />
                    </div>
                    <button type="submit" class="primary big">{use_i18n().f("renovation.take", &[("amount", &fen_text(due))])}</button>
                </ActionForm>
            })}
            {fees.can_issue.then(|| view! {
                <FormError error=form_error(iv) />
                <ActionForm action=issue>
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="primary big">{use_i18n().t("renovation.action.issue_permit")}</button>
                </ActionForm>
            })}
        </section>
    }
}
