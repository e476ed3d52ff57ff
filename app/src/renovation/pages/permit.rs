//! The printed permit (`/desk/renovations/:id/permit`): the A4 permit for
//! the door with its QR code, then a sheet of the workers' temporary passes;
//! and the staff's check of the QR code (`/desk/renovations/check/:token`).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::moves::print::print_page;
use crate::renovation::api::{check_renovation_permit, get_renovation_permit};
use crate::renovation::{PermitSheet, PermitVerdict};
use crate::ui::{id_param, load};

#[component]
pub fn PermitPage() -> impl IntoView {
    let id = id_param();
    let sheet = Resource::new(id, get_renovation_permit);
    view! { {load(move || sheet, move |s| view! { <Permit s /> })} }
}

#[component]
fn Permit(s: PermitSheet) -> impl IntoView {
    let i18n = use_i18n();
    let items = s
        .items
        .iter()
        .map(|i| i.name.clone())
        .collect::<Vec<_>>()
        .join("、");
    let passes = s
        .workers
        .iter()
        .map(|w| {
            let i18n = use_i18n();
            view! {
                <div class="worker-pass">
                    <h3>{i18n.t("renovation.pass_title")}</h3>
                    <p class="pass-name">{w.name.clone()}</p>
                    <dl>
                        <dt>{i18n.t("renovation.pass_id")}</dt><dd>{w.id_masked.clone()}</dd>
                        <dt>{i18n.t("renovation.house")}</dt><dd>{s.house_number.clone()}</dd>
                        <dt>{i18n.t("renovation.pass_valid")}</dt><dd>{s.planned_start.clone()} " — " {s.planned_end.clone()}</dd>
                        <dt>{i18n.t("renovation.permit_no")}</dt><dd>{s.permit_no.clone()}</dd>
                    </dl>
                </div>
            }
        })
        .collect_view();
    view! {
        <p class="crumbs no-print"><a href=format!("/desk/renovations/{}", s.id)>{i18n.t("renovation.application")}</a></p>
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("renovation.print")}</button>
            " "
            <a class="button" href=s.check_path.clone() data-testid="check-link">{i18n.t("renovation.check_link")}</a>
        </div>
        <article class="permit-sheet">
            <h1>{i18n.t("renovation.permit_title")}</h1>
            <p class="permit-no">{i18n.t("renovation.permit_no")} " " <strong data-testid="permit-no">{s.permit_no.clone()}</strong></p>
            <div class="pass-body">
                <table class="sheet-facts"><tbody>
                    <tr><th>{i18n.t("renovation.house")}</th><td>{s.estate_name.clone()} " " {s.house_number.clone()}</td></tr>
                    <tr><th>{i18n.t("renovation.applicant")}</th><td>{s.applicant.clone()}</td></tr>
                    <tr><th>{i18n.t("renovation.contractor")}</th><td>{s.contractor.clone()} " （" {s.licence_no.clone()} "）"</td></tr>
                    <tr><th>{i18n.t("renovation.foreman")}</th><td>{s.foreman.clone()}</td></tr>
                    <tr><th>{i18n.t("renovation.period")}</th><td><strong>{s.planned_start.clone()} " — " {s.planned_end.clone()}</strong></td></tr>
                    <tr><th>{i18n.t("renovation.work_hours")}</th><td>{s.work_hours.clone()}</td></tr>
                    <tr><th>{i18n.t("renovation.scope")}</th><td>{items}</td></tr>
                    <tr><th>{i18n.t("renovation.workers")}</th><td>{s.workers.len()}</td></tr>
                </tbody></table>
                <div class="pass-qr" aria-hidden="true" inner_html=s.qr_svg.clone()></div>
            </div>
            <p class="muted">{i18n.t("renovation.permit_note")}</p>
            <div class="sheet-signs">
                <span>{i18n.f("renovation.issued_on", &[("day", &s.issued_on)])}</span>
                <span>{i18n.t("renovation.stamp")}</span>
            </div>
        </article>
        <section class="passes-sheet" aria-label=i18n.t("renovation.passes")>{passes}</section>
    }
}

fn token_param() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || params.read().get("token").unwrap_or_default()
}

/// The staff's check of a permit's QR code, on a guard's phone.
#[component]
pub fn PermitCheckPage() -> impl IntoView {
    let token = token_param();
    let page = Resource::new(token, check_renovation_permit);
    view! { {load(move || page, move |s| view! { <Check s /> })} }
}

#[component]
fn Check(s: Option<PermitSheet>) -> impl IntoView {
    let i18n = use_i18n();
    let verdict = s
        .as_ref()
        .map(|s| s.verdict)
        .unwrap_or(PermitVerdict::Unknown);
    let class = if verdict == PermitVerdict::Valid {
        "verdict ok"
    } else {
        "verdict refused"
    };
    view! {
        <h1>{i18n.t("renovation.check_title")}</h1>
        <p class=class role="status" data-testid="verdict">{i18n.t(verdict.key())}</p>
        {s.map(|s| {
            let workers = s.workers.iter().map(|w| w.name.clone()).collect::<Vec<_>>().join("、");
            view! {
                <dl class="facts-list gate-facts">
                    <dt>{use_i18n().t("renovation.permit_no")}</dt><dd><strong>{s.permit_no.clone()}</strong></dd>
                    <dt>{use_i18n().t("renovation.house")}</dt><dd><strong>{s.estate_name.clone()} " " {s.house_number.clone()}</strong></dd>
                    <dt>{use_i18n().t("renovation.period")}</dt><dd>{s.planned_start.clone()} " — " {s.planned_end.clone()}</dd>
                    <dt>{use_i18n().t("renovation.work_hours")}</dt><dd>{s.work_hours.clone()}</dd>
                    <dt>{use_i18n().t("renovation.contractor")}</dt><dd>{s.contractor.clone()}</dd>
                    <dt>{use_i18n().t("renovation.workers")}</dt><dd>{workers}</dd>
                </dl>
            }
        })}
    }
}
