//! `/desk/moves/in/:id/sheet`: the move-in sheet (入住登记表) of a completed
//! move-in, to print and sign: the house, the resident and their title, the
//! inspection's findings, the readings, the keys, the agreements, signature
//! lines — and the portal's activation code, issued when the clerk asks for
//! it on this page (shown once; asking again voids the earlier code).

use leptos::prelude::*;

use crate::estate::OccupancyRole;
use crate::i18n::use_i18n;
use crate::moves::api::{get_move_in, IssueMoveInCode};
use crate::moves::{CasePage, CaseStatus, Finding};
use crate::ui::{area, form_error, id_param, load, FormError};

pub(crate) fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

#[component]
pub fn MoveInSheetPage() -> impl IntoView {
    let id = id_param();
    let page = Resource::new(id, get_move_in);
    view! { {load(move || page, move |p| view! { <Sheet p /> })} }
}

#[component]
fn Sheet(p: CasePage) -> impl IntoView {
    let i18n = use_i18n();
    let case_id = p.id;
    let issue = ServerAction::<IssueMoveInCode>::new();
    let v = issue.value();
    let completed = p.status == CaseStatus::Completed;
    let code = move || {
        v.get().and_then(|r| r.ok()).map(|c| {
            let i18n = use_i18n();
            view! {
                <div class="portal-code">
                    <p class="code" data-testid="portal-code">{c.code.clone()}</p>
                    <p>{i18n.f("moves.code_for", &[("mobile", &c.mobile_masked), ("expires", &c.expires)])}</p>
                    <p>{i18n.t("moves.code_steps")}</p>
                </div>
            }
        })
    };
    let person = p.identity.clone();
    let findings = p
        .checklist
        .iter()
        .map(|c| {
            let i18n = use_i18n();
            view! {
                <tr>
                    <td>{c.room.clone()}</td>
                    <td>{c.item.clone()}</td>
                    <td>{c.finding.map(|f| i18n.t(f.key())).unwrap_or_default()}</td>
                    <td>{c.note.clone()}
                        {c.ticket_id.map(|t| view! { " " {use_i18n().f("moves.ticket_no", &[("id", &t.to_string())])} })}</td>
                </tr>
            }
        })
        .collect_view();
    let defects = p
        .checklist
        .iter()
        .filter(|c| c.finding == Some(Finding::Defect))
        .count();
    let meters = p
        .meters
        .iter()
        .map(|m| view! { <span class="sheet-pair">{format!("{}：{}", m.name, m.reading)}</span> })
        .collect_view();
    let agreements = p
        .agreements
        .iter()
        .map(|a| view! { <span class="sheet-pair">{format!("{}（{}）", a.name, a.signed_on)}</span> })
        .collect_view();
    view! {
        <p class="crumbs no-print"><a href=format!("/desk/moves/in/{case_id}")>{i18n.t("moves.back_to_case")}</a></p>
        <div class="print-tools no-print">
            {completed.then(|| view! {
                <button type="button" on:click=move |_| { issue.dispatch(IssueMoveInCode { id: case_id }); }>
                    {use_i18n().t("moves.issue_code")}
                </button>
            })}
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("moves.print")}</button>
            <span class="muted">{i18n.t("moves.code_once")}</span>
            <FormError error=form_error(v) />
        </div>
        <article class="move-in-sheet">
            <h1>{i18n.t("moves.sheet_title")}</h1>
            <p class="register-meta">
                <span>{p.estate_name.clone()}</span>
                <span>{i18n.f("moves.sheet_no", &[("id", &p.id.to_string())])}</span>
            </p>
            <table class="sheet-facts">
                <tbody>
                    <tr>
                        <th>{i18n.t("moves.house")}</th><td>{p.house_number.clone()}</td>
                        <th>{i18n.t("moves.area")}</th><td>{area(p.area_centi)}</td>
                    </tr>
                    {person.clone().map(|i| {
                        let i18n = use_i18n();
                        view! {
                            <tr>
                                <th>{i18n.t("moves.person")}</th><td>{i.name.clone()}</td>
                                <th>{i18n.t("moves.role")}</th><td>{i18n.t(i.role.key())}</td>
                            </tr>
                            <tr>
                                <th>{i18n.t("moves.mobile")}</th><td>{i.mobile_masked.clone()}</td>
                                <th>{i18n.t("moves.id_number")}</th><td>{i.id_masked.clone()}</td>
                            </tr>
                            <tr>
                                <th>{i18n.t("moves.title_no")}</th><td>{i.title_no.clone()}</td>
                                <th>{i18n.t("moves.handover_on")}</th><td>{i.handover_on.clone()}</td>
                            </tr>
                            {(i.role == OccupancyRole::Tenant).then(|| view! {
                                <tr><th>{use_i18n().t("moves.lease")}</th><td colspan="3">{format!("{} — {}", i.lease_start, i.lease_end)}</td></tr>
                            })}
                        }
                    })}
                    <tr><th>{i18n.t("moves.readings")}</th><td colspan="3">{meters}</td></tr>
                    <tr>
                        <th>{i18n.t("moves.keys")}</th>
                        <td>{i18n.f("moves.keys_count_n", &[("count", &p.keys_count.unwrap_or(0).to_string())])}</td>
                        <th>{i18n.t("moves.agreements")}</th><td>{agreements}</td>
                    </tr>
                </tbody>
            </table>
            <h2>{i18n.f("moves.sheet_inspection", &[("defects", &defects.to_string())])}</h2>
            <table class="sheet-checks">
                <thead><tr>
                    <th>{i18n.t("moves.room")}</th><th>{i18n.t("moves.item")}</th>
                    <th>{i18n.t("moves.finding_label")}</th><th>{i18n.t("moves.note")}</th>
                </tr></thead>
                <tbody>{findings}</tbody>
            </table>
            {code}
            <div class="sheet-signs">
                <span>{i18n.t("moves.sign_resident")}</span>
                <span>{i18n.t("moves.sign_clerk")}</span>
                <span>{i18n.t("moves.sign_date")}</span>
            </div>
        </article>
    }
}
