//! Payment notices (`/desk/notices`, 缴费通知单): one house's, or every
//! owing house of a building, one notice per printed page.

use leptos::prelude::*;

use super::{print_page, Money};
use crate::billing::api::get_notices;
use crate::billing::{fen_text, NoticeView};
use crate::i18n::use_i18n;
use crate::ui::{load, query_num};

/// `/desk/notices?house=` or `?building=`: payment notices, one per printed page.
#[component]
pub fn NoticesPage() -> impl IntoView {
    let house = query_num("house");
    let building = query_num("building");
    let notices = Resource::new(move || (house(), building()), |(h, b)| get_notices(h, b));
    view! {
        <>
            <div class="print-tools no-print">
                <button type="button" class="primary" on:click=move |_| print_page()>{use_i18n().t("billing.print")}</button>
            </div>
            {load(move || notices, |list: Vec<NoticeView>| {
                if list.is_empty() {
                    view! { <p class="muted">{use_i18n().t("billing.no_notices")}</p> }.into_any()
                } else {
                    list.into_iter().map(|n| view! { <NoticeDoc n /> }).collect_view().into_any()
                }
            })}
        </>
    }
}

#[component]
fn NoticeDoc(n: NoticeView) -> impl IntoView {
    let i18n = use_i18n();
    let rows = n
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{l.item.clone()}</td>
                    <td class="nowrap">{l.period.clone()}</td>
                    <td class="num"><Money fen=l.outstanding_fen /></td>
                    <td class="num">{(l.late_fee_fen > 0).then(|| view! { <Money fen=l.late_fee_fen /> })}</td>
                    <td>{l.due_date.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="notice-doc" data-testid="notice">
            <h1>{n.estate_name.clone()} " " {i18n.t("billing.notice")}</h1>
            <p>{i18n.f("billing.notice_to", &[("house", &n.house_number), ("owners", &n.owners)])}</p>
            <p>{i18n.t("billing.notice_intro")}</p>
            <table>
                <thead><tr>
                    <th scope="col">{i18n.t("billing.item")}</th>
                    <th scope="col">{i18n.t("billing.period")}</th>
                    <th scope="col" class="num">{i18n.t("billing.amount")}</th>
                    <th scope="col" class="num">{i18n.t("billing.late_fee")}</th>
                    <th scope="col">{i18n.t("billing.due_date")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
                <tfoot><tr><th scope="row" colspan="2">{i18n.t("billing.total")}</th><td class="num"><strong><Money fen=n.total_fen + n.late_fen /></strong></td><td colspan="2"></td></tr></tfoot>
            </table>
            <p>{i18n.f("billing.notice_balance", &[("balance", &fen_text(n.balance_fen))])}</p>
            <p>{i18n.f("billing.notice_due", &[("date", &n.due_by)])}</p>
            <p class="muted">{i18n.t("billing.notice_footer")}</p>
            <p class="signature">{n.estate_name.clone()} " " {i18n.t("billing.service_centre")} " · " {n.issued_on.clone()}</p>
        </article>
    }
}
