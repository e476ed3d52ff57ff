//! The daily close (`/desk/close`, 日结): my takings today and closing the
//! day; managers see every clerk's days in their estates.

use leptos::prelude::*;

use super::Money;
use crate::billing::api::{get_daily_close, CloseMyDay};
use crate::billing::{fen_text, DailyClosePage, DayView};
use crate::i18n::use_i18n;
use crate::ui::{desk_time, form_error, load, FormError};

/// `/desk/close`: my takings today, closing the day; managers see every clerk's days.
#[component]
pub fn DailyClosePage() -> impl IntoView {
    let i18n = use_i18n();
    let close = ServerAction::<CloseMyDay>::new();
    let page = Resource::new(move || close.version().get(), |_| get_daily_close());
    view! {
        <>
            <h1>{i18n.t("billing.close_title")}</h1>
            {load(move || page, move |p| view! { <CloseView p close /> })}
        </>
    }
}

#[component]
fn DayRow(d: DayView) -> impl IntoView {
    let methods = d
        .by_method
        .iter()
        .map(|(m, f)| format!("{} {}", use_i18n().t(m.key()), fen_text(*f)))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <tr>
            <td>{d.day.clone()}</td>
            <td>{d.clerk.clone()}</td>
            <td class="num">{d.payments_count}</td>
            <td>{methods}</td>
            <td class="num"><Money fen=d.received_fen />
                {(d.held_fen > 0).then(|| view! {
                    <div class="muted nowrap">{use_i18n().t("billing.of_which_held")} " " <Money fen=d.held_fen /></div>
                })}</td>
            <td class="num">{d.reversals_count} " / " <Money fen=d.reversed_fen /></td>
            <td class="num" data-testid="refunds">{d.refunds_count} " / " <Money fen=d.refunded_fen />
                {(d.refunded_prepaid_fen > 0).then(|| view! {
                    <div class="muted nowrap">{use_i18n().t("billing.of_which_prepaid")} " " <Money fen=d.refunded_prepaid_fen /></div>
                })}
                {(d.refund_reversed_fen > 0).then(|| view! {
                    <div class="muted nowrap">{use_i18n().t("billing.refund_reversed")} " " <Money fen=d.refund_reversed_fen /></div>
                })}
                {(d.deducted_fen > 0).then(|| view! {
                    <div class="muted nowrap">{use_i18n().t("billing.of_which_deducted")} " " <Money fen=d.deducted_fen /></div>
                })}</td>
            <td>{match d.closed_at.clone() {
                Some(at) => view! { <span class="badge status-occupied">{use_i18n().t("billing.closed")}</span> " " {desk_time(&at)} }.into_any(),
                None => view! { <span class="badge">{use_i18n().t("billing.open_day")}</span> }.into_any(),
            }}</td>
        </tr>
    }
}

#[component]
fn CloseView(p: DailyClosePage, close: ServerAction<CloseMyDay>) -> impl IntoView {
    let i18n = use_i18n();
    let cv = close.value();
    let head = move || {
        let i18n = use_i18n();
        view! {
            <thead><tr>
                <th scope="col">{i18n.t("billing.day")}</th>
                <th scope="col">{i18n.t("billing.clerk")}</th>
                <th scope="col" class="num">{i18n.t("billing.payments_count")}</th>
                <th scope="col">{i18n.t("billing.by_method")}</th>
                <th scope="col" class="num">{i18n.t("billing.received")}</th>
                <th scope="col" class="num">{i18n.t("billing.reversals")}</th>
                <th scope="col" class="num">{i18n.t("billing.refunds")}</th>
                <th scope="col">{i18n.t("billing.status")}</th>
            </tr></thead>
        }
    };
    let open = p.mine.closed_at.is_none();
    let payments = p
        .my_payments
        .iter()
        .map(|pay| {
            view! {
                <tr>
                    <td><a href=format!("/desk/receipts/{}", pay.id)>{pay.receipt_no.clone()}</a></td>
                    <td>{use_i18n().t(pay.method.key())}</td>
                    <td class="num"><Money fen=pay.received_fen /></td>
                    <td class="nowrap">{desk_time(&pay.created_at)}</td>
                    <td>{pay.reversal.is_some().then(|| use_i18n().t("billing.reversed"))}</td>
                </tr>
            }
        })
        .collect_view();
    let others = p
        .others
        .clone()
        .into_iter()
        .map(|d| view! { <DayRow d /> })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("billing.my_day")}</h2>
            <FormError error=form_error(cv) />
            <div class="table-wrap flat"><table>{head()}<tbody><DayRow d=p.mine.clone() /></tbody></table></div>
            {open.then(|| view! {
                <ActionForm action=close>
                    <p class="hint">{use_i18n().t("billing.close_hint")}</p>
                    <button type="submit" class="primary">{use_i18n().t("billing.close_day")}</button>
                </ActionForm>
            })}
            <div class="table-wrap flat"><table><tbody>{payments}</tbody></table></div>
        </section>
        {p.is_manager.then(|| view! {
            <section class="panel">
                <h2>{use_i18n().t("billing.all_days")}</h2>
                <div class="table-wrap flat"><table>{head()}<tbody>{others}</tbody></table></div>
            </section>
        })}
    }
}
