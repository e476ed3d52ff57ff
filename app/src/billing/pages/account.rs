//! A house's account (`/desk/houses/:id/account`), the counter's page: what
//! the house owes with the payment form, the waiver and one-off charge forms,
//! and what was paid, settled, waived and moved on the prepaid balance.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::Money;
use crate::billing::api::{
    get_house_account, DecideWaiver, RaiseCharge, RequestWaiver, ReversePayment, TakePayment,
};
use crate::billing::{
    fen_plain, fen_text, Choice, HouseAccount, LineView, PayMethod, WaiverStatus, WaiverTarget,
};
use crate::i18n::use_i18n;
use crate::ui::{
    desk_time, field_error, form_error, load, EmptyRow, Field, FormError, SelectField,
};

/// `/desk/houses/:id/account`: what the house owes, the payment form, what was paid.
#[component]
pub fn HouseAccountPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let pay = ServerAction::<TakePayment>::new();
    let reverse = ServerAction::<ReversePayment>::new();
    let waive = ServerAction::<RequestWaiver>::new();
    let decide = ServerAction::<DecideWaiver>::new();
    let charge = ServerAction::<RaiseCharge>::new();
    let account = Resource::new(
        move || {
            (
                id(),
                reverse.version().get(),
                waive.version().get(),
                decide.version().get(),
                charge.version().get(),
            )
        },
        |(id, ..)| get_house_account(id),
    );
    // A taken payment opens its receipt, to print.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(r)) = pay.value().get() {
            navigate(
                &format!("/desk/receipts/{}", r.payment_id),
                Default::default(),
            );
        }
    });
    load(
        move || account,
        move |a| view! { <AccountView a pay reverse waive decide charge /> },
    )
}

#[component]
fn AccountView(
    a: HouseAccount,
    pay: ServerAction<TakePayment>,
    reverse: ServerAction<ReversePayment>,
    waive: ServerAction<RequestWaiver>,
    decide: ServerAction<DecideWaiver>,
    charge: ServerAction<RaiseCharge>,
) -> impl IntoView {
    let i18n = use_i18n();
    let house_id = a.house_id;
    let unpaid_empty = a.unpaid.is_empty();
    let one_off_items = a.one_off_items.clone();
    let key = a.request_key.clone();
    view! {
        <p class="crumbs"><a href=format!("/desk/houses/{house_id}")>{a.estate_name.clone()} " " {a.number.clone()}</a></p>
        <div class="page-head">
            <h1>{i18n.f("billing.account_title", &[("house", &a.number)])}</h1>
            <a class="button" href=format!("/desk/notices?house={house_id}")>{i18n.t("billing.notice")}</a>
        </div>
        <dl class="facts">
            <div><dt>{i18n.t("billing.owners")}</dt><dd>{a.owners.clone()}</dd></div>
            <div><dt>{i18n.t("billing.unpaid_total")}</dt><dd><Money fen=a.unpaid_fen /></dd></div>
            <div><dt>{i18n.t("billing.late_total")}</dt><dd><Money fen=a.late_fen /></dd></div>
            <div><dt>{i18n.t("billing.balance")}</dt><dd data-testid="balance"><Money fen=a.balance_fen /></dd></div>
            {(a.held_fen > 0).then(|| view! {
                <div><dt>{use_i18n().t("billing.held_total")}</dt><dd data-testid="held"><Money fen=a.held_fen /></dd></div>
            })}
        </dl>
        <PaymentForm house_id request_key=key.clone() unpaid=a.unpaid.clone() occupants=a.occupants.clone() initial_total=a.unpaid_fen + a.late_fen pay />
        <div class="columns">
            <section class="panel" class:hidden=unpaid_empty>
                <WaiverForm unpaid=a.unpaid.clone() waive />
            </section>
            {(!one_off_items.is_empty()).then(|| view! { <ChargeForm house_id request_key=key items=one_off_items charge /> })}
        </div>
        <History a reverse decide />
    }
}

/// The unpaid lines, each picked to begin with, and the payment form: the
/// total follows the picks, and the amount received follows the total until
/// the clerk types one. The payer is one of the house's occupants (the first
/// owner to begin with) or someone else by the name they give.
#[component]
fn PaymentForm(
    house_id: i64,
    request_key: String,
    unpaid: Vec<LineView>,
    occupants: Vec<Choice>,
    initial_total: i64,
    pay: ServerAction<TakePayment>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pv = pay.value();
    let dues: Vec<(i64, i64)> = unpaid
        .iter()
        .map(|l| (l.id, l.outstanding_fen + l.late_fee_fen))
        .collect();
    // A deposit is paid when its renovation asks for it, not with the bills.
    let picked = RwSignal::new(
        unpaid
            .iter()
            .filter(|l| !l.held)
            .map(|l| l.id)
            .collect::<Vec<i64>>(),
    );
    let total = Memo::new(move |_| {
        let p = picked.get();
        dues.iter()
            .filter(|(id, _)| p.contains(id))
            .map(|(_, f)| f)
            .sum::<i64>()
    });
    let received = RwSignal::new(fen_plain(initial_total));
    let typed = RwSignal::new(false);
    Effect::new(move |_| {
        let t = total.get();
        if !typed.get_untracked() {
            received.set(fen_plain(t));
        }
    });
    let unpaid_empty = unpaid.is_empty();
    let unpaid_rows = unpaid
        .iter()
        .map(|l| {
            let id = l.id;
            let box_id = format!("line-{id}");
            view! {
                <tr class:overdue=l.overdue>
                    <td>
                        <input type="checkbox" id=box_id.clone() name="lines[]" value=id checked=!l.held
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                picked.update(|p| { p.retain(|x| *x != id); if on { p.push(id); } });
                            } />
                    </td>
                    <td class="col-item"><label for=box_id>{l.item.clone()}</label>
                        {l.held.then(|| view! { " " <span class="badge held">{use_i18n().t("billing.held")}</span> })}</td>
                    <td class="nowrap">{l.period.clone()}</td>
                    <td class="num"><Money fen=l.outstanding_fen />
                        {(l.waived_fen > 0).then(|| view! { <br /><span class="muted">{use_i18n().f("billing.waived_of", &[("amount", &fen_text(l.waived_fen))])}</span> })}
                        {(l.split_fen > 0).then(|| view! { <br /><span class="muted">{use_i18n().f("billing.split_of", &[("amount", &fen_text(l.split_fen))])}</span> })}
                    </td>
                    <td class="num col-late">{(l.late_fee_fen > 0).then(|| view! { <Money fen=l.late_fee_fen /> <br /><span class="muted">{use_i18n().f("billing.late_days", &[("days", &l.late_days.to_string())])}</span> })}</td>
                    <td class="nowrap col-due">{l.due_date.clone()} {l.overdue.then(|| view! { " " <span class="badge overdue">{use_i18n().t("billing.overdue")}</span> })}</td>
                    <td class="why">{l.explanation.clone()} {l.pending_waiver.then(|| view! { " " <span class="badge">{use_i18n().t("billing.waiver_pending")}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    // No occupant on record: "someone else" is the only choice, and a name is needed.
    let someone_else = occupants.is_empty();
    let payers = occupants
        .into_iter()
        .map(|o| view! { <option value=o.id>{o.name}</option> })
        .collect_view();
    let methods = PayMethod::ALL
        .iter()
        .map(|m| view! { <option value=m.as_str()>{use_i18n().t(m.key())}</option> })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("billing.unpaid")}</h2>
            <FormError error=form_error(pv) />
            <ActionForm action=pay>
                <input type="hidden" name="house_id" value=house_id />
                <input type="hidden" name="request_key" value=request_key />
                <div class="table-wrap flat">
                    <table>
                        <thead><tr>
                            <th scope="col"><span class="visually-hidden">{i18n.t("billing.pick")}</span></th>
                            <th scope="col">{i18n.t("billing.item")}</th>
                            <th scope="col">{i18n.t("billing.period")}</th>
                            <th scope="col" class="num">{i18n.t("billing.amount")}</th>
                            <th scope="col" class="num col-late">{i18n.t("billing.late_fee")}</th>
                            <th scope="col" class="col-due">{i18n.t("billing.due_date")}</th>
                            <th scope="col" class="why">{i18n.t("billing.why")}</th>
                        </tr></thead>
                        <tbody>{unpaid_rows}{unpaid_empty.then(|| view! { <tr><td colspan="7" class="muted">{use_i18n().t("billing.nothing_owed")}</td></tr> })}</tbody>
                    </table>
                </div>
                // The picks are a table of checkboxes, not one field: their error stands under it.
                <p class="field-error" role="alert">{move || field_error(pv, "lines").get()}</p>
                {(!unpaid_empty).then(|| view! {
                    <div class="pay-row">
                        <p class="due">{use_i18n().t("billing.due_now")} " " <strong data-testid="due-now">{move || fen_text(total.get())}</strong></p>
                        <SelectField label=use_i18n().t("billing.method_label") name="method" error=field_error(pv, "method")>{methods}</SelectField>
                        <SelectField label=use_i18n().t("billing.payer") name="payer" error=field_error(pv, "payer")>
                            {payers}
                            <option value="other" selected=someone_else>{use_i18n().t("billing.payer_other")}</option>
                        </SelectField>
                        <Field label=use_i18n().t("billing.payer_name") name="payer_name" required=someone_else
                            hint=use_i18n().t("billing.payer_name_hint") error=field_error(pv, "payer_name") />
                        // Written out, not a `Field`: its value follows the total until the clerk types.
                        <div class="field">
                            <label for="f-received">{use_i18n().t("billing.received")}</label>
                            <input id="f-received" name="received" inputmode="decimal" required=true
                                value=fen_plain(initial_total)
                                prop:value=move || received.get()
                                on:input=move |ev| { typed.set(true); received.set(event_target_value(&ev)); }
                                aria-invalid=move || field_error(pv, "received").get().is_some().then_some("true")
                                aria-describedby="f-received-hint f-received-error" />
                            <p class="hint" id="f-received-hint">{use_i18n().t("billing.received_hint")}</p>
                            <p class="field-error" id="f-received-error" role="alert">{move || field_error(pv, "received").get()}</p>
                        </div>
                        <button type="submit" class="primary">{use_i18n().t("billing.take_payment")}</button>
                    </div>
                })}
            </ActionForm>
        </section>
    }
}

/// A waiver request for an unpaid line (not a late-fee line) or its late fee.
#[component]
fn WaiverForm(unpaid: Vec<LineView>, waive: ServerAction<RequestWaiver>) -> impl IntoView {
    let i18n = use_i18n();
    let wv = waive.value();
    let lines = unpaid
        .iter()
        .filter(|l| !l.is_late_fee)
        .map(|l| view! { <option value=l.id>{format!("{} {} ({})", l.item, l.period, fen_text(l.outstanding_fen))}</option> })
        .collect_view();
    view! {
        <h2>{i18n.t("billing.request_waiver")}</h2>
        <FormError error=form_error(wv) />
        <ActionForm action=waive>
            <SelectField label=i18n.t("billing.item") name="line_id" error=field_error(wv, "line_id")>{lines}</SelectField>
            <SelectField label=i18n.t("billing.waive_what") name="target" error=field_error(wv, "target")>
                <option value=WaiverTarget::Line.as_str()>{i18n.t("billing.waive_line")}</option>
                <option value=WaiverTarget::LateFee.as_str()>{i18n.t("billing.late_fee")}</option>
            </SelectField>
            <Field label=i18n.t("billing.amount") name="amount" required=true error=field_error(wv, "amount") />
            <Field label=i18n.t("billing.reason") name="reason" required=true error=field_error(wv, "reason") />
            // Every waiver waits for a manager, a manager's own for another one.
            <button type="submit">{i18n.t("billing.request_waiver")}</button>
        </ActionForm>
    }
}

/// A one-off charge on the house, for one of the estate's one-off items.
#[component]
fn ChargeForm(
    house_id: i64,
    request_key: String,
    items: Vec<Choice>,
    charge: ServerAction<RaiseCharge>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chv = charge.value();
    let options = items
        .into_iter()
        .map(|i| view! { <option value=i.id>{i.name}</option> })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("billing.raise_charge")}</h2>
            <FormError error=form_error(chv) />
            <ActionForm action=charge>
                <input type="hidden" name="house_id" value=house_id />
                <input type="hidden" name="request_key" value=request_key />
                <SelectField label=i18n.t("billing.item") name="fee_item_id" error=field_error(chv, "fee_item_id")>{options}</SelectField>
                <Field label=i18n.t("billing.amount") name="amount" required=true error=field_error(chv, "amount") />
                <Field label=i18n.t("billing.note") name="note" />
                <button type="submit">{i18n.t("billing.raise_charge")}</button>
            </ActionForm>
        </section>
    }
}

/// What happened on the account: payments (with the reversal form for a
/// manager who did not take them), settled lines, waivers, prepaid movements.
#[component]
fn History(
    a: HouseAccount,
    reverse: ServerAction<ReversePayment>,
    decide: ServerAction<DecideWaiver>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rv = reverse.value();
    let dv = decide.value();
    let can_approve = a.can_approve;
    let settled_empty = a.settled.is_empty();
    let settled_rows = a
        .settled
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{l.item.clone()}
                        {l.held.then(|| view! { " " <span class="badge held">{use_i18n().t("billing.held")}</span> })}</td>
                    <td class="nowrap">{l.period.clone()}</td>
                    <td class="num"><Money fen=l.amount_fen /></td>
                    <td>
                        {match (&l.receipt_no, l.payment_id) {
                            // A deduction: kept out of the deposit by a refund, whose slip lists it.
                            _ if l.refund.is_some() => {
                                let (id, no) = l.refund.clone().unwrap_or_default();
                                view! { {use_i18n().t("billing.kept_from_deposit")} " " <a href=format!("/desk/renovations/refunds/{id}")>{no}</a> }.into_any()
                            }
                            (Some(no), Some(pid)) => view! { <a href=format!("/desk/receipts/{pid}")>{no.clone()}</a> }.into_any(),
                            _ if l.by_prepaid => use_i18n().t("billing.by_prepaid").into_any(),
                            _ => use_i18n().f("billing.waived_of", &[("amount", &fen_text(l.waived_fen))]).into_any(),
                        }}
                    </td>
                    <td class="nowrap">{l.settled_at.as_deref().map(desk_time)}</td>
                    <td class="why">{l.explanation.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let payments_empty = a.payments.is_empty();
    let payments = a
        .payments
        .iter()
        .map(|p| {
            let pid = p.id;
            let reason_id = format!("reason-{pid}");
            view! {
                <tr class:reversed=p.reversal.is_some()>
                    <td><a href=format!("/desk/receipts/{pid}")>{p.receipt_no.clone()}</a></td>
                    <td>{use_i18n().t(p.method.key())}</td>
                    <td class="num"><Money fen=p.received_fen /></td>
                    <td class="num"><Money fen=p.prepaid_fen /></td>
                    <td>{p.payer.clone()}</td>
                    <td>{p.clerk.clone()}</td>
                    <td class="nowrap">{desk_time(&p.created_at)}</td>
                    <td>
                        {match p.reversal.clone() {
                            Some(r) => view! { <span class="badge overdue">{use_i18n().t("billing.reversed")}</span> " " {r.reason} " · " {r.by} }.into_any(),
                            None if p.may_reverse => view! {
                                <ActionForm action=reverse attr:class="inline">
                                    <input type="hidden" name="payment_id" value=pid />
                                    <label class="visually-hidden" for=reason_id.clone()>{use_i18n().t("billing.reason")}</label>
                                    <input id=reason_id name="reason" placeholder=use_i18n().t("billing.reversal_reason") />
                                    <button type="submit">{use_i18n().t("billing.reverse")}</button>
                                </ActionForm>
                            }.into_any(),
                            // A payment the viewing manager took: another manager reverses it.
                            None if can_approve => view! { <span class="muted">{use_i18n().t("billing.needs_another_manager")}</span> }.into_any(),
                            None => ().into_any(),
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let waivers_empty = a.waivers.is_empty();
    let waivers = a
        .waivers
        .iter()
        .map(|w| {
            let id = w.id;
            view! {
                <tr>
                    <td>{w.item.clone()} " " {w.period.clone()} {(w.target == WaiverTarget::LateFee).then(|| view! { " · " {use_i18n().t("billing.late_fee")} })}</td>
                    <td class="num"><Money fen=w.amount_fen /></td>
                    <td>{w.reason.clone()}</td>
                    <td>{use_i18n().t(w.status.key())}</td>
                    <td>{w.requested_by.clone()}</td>
                    <td>{if w.may_decide {
                        view! {
                            <ActionForm action=decide attr:class="inline">
                                <input type="hidden" name="waiver_id" value=id />
                                <button type="submit" name="decision" value="approve" class="primary">{use_i18n().t("billing.approve")}</button>
                                <button type="submit" name="decision" value="reject">{use_i18n().t("billing.reject")}</button>
                            </ActionForm>
                        }.into_any()
                    } else if can_approve && w.status == WaiverStatus::Pending {
                        view! { <span class="muted">{use_i18n().t("billing.needs_another_manager")}</span> }.into_any()
                    } else {
                        ().into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    let prepaid_empty = a.prepaid.is_empty();
    let prepaid_rows = a
        .prepaid
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td>{use_i18n().t(e.kind.key())}</td>
                    <td class="num"><Money fen=e.amount_fen /></td>
                    <td>{e.receipt_no.clone()}</td>
                    <td class="nowrap">{desk_time(&e.at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("billing.payments")}</h2>
            <FormError error=form_error(rv) />
            <FormError error=form_error(dv) />
            <div class="table-wrap flat">
                <table>
                    <thead><tr>
                        <th scope="col">{i18n.t("billing.receipt_no")}</th>
                        <th scope="col">{i18n.t("billing.method_label")}</th>
                        <th scope="col" class="num">{i18n.t("billing.received")}</th>
                        <th scope="col" class="num">{i18n.t("billing.to_prepaid")}</th>
                        <th scope="col">{i18n.t("billing.payer")}</th>
                        <th scope="col">{i18n.t("billing.clerk")}</th>
                        <th scope="col">{i18n.t("audit.at")}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{payments}<EmptyRow show=payments_empty cols=8 /></tbody>
                </table>
            </div>
            <div class="table-wrap flat">
                <table>
                    <caption>{i18n.t("billing.settled")}</caption>
                    <thead><tr>
                        <th scope="col">{i18n.t("billing.item")}</th>
                        <th scope="col">{i18n.t("billing.period")}</th>
                        <th scope="col" class="num">{i18n.t("billing.amount")}</th>
                        <th scope="col">{i18n.t("billing.settled_by")}</th>
                        <th scope="col">{i18n.t("audit.at")}</th>
                        <th scope="col">{i18n.t("billing.why")}</th>
                    </tr></thead>
                    <tbody>{settled_rows}<EmptyRow show=settled_empty cols=6 /></tbody>
                </table>
            </div>
            {(!waivers_empty).then(|| view! {
                <div class="table-wrap flat">
                    <table>
                        <caption>{use_i18n().t("billing.waivers")}</caption>
                        <tbody>{waivers}</tbody>
                    </table>
                </div>
            })}
            {(!prepaid_empty).then(|| view! {
                <div class="table-wrap flat">
                    <table>
                        <caption>{use_i18n().t("billing.prepaid_history")}</caption>
                        <tbody>{prepaid_rows}</tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
