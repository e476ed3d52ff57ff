//! `/desk/passes/:id`: the printed goods-release pass (half an A4 sheet,
//! with its QR code); `/desk/passes/check/:token`: what the gate sees when
//! it scans one — valid, used, expired or revoked — and 放行, which uses it.

use leptos::prelude::*;

use super::api::{check_release_pass, get_release_pass, UseReleasePass};
use super::{PassSheet, Verdict};
use crate::i18n::use_i18n;
use crate::moves::print::print_page;
use crate::ui::{form_error, id_param, load, FormError};

#[component]
pub fn PassSheetPage() -> impl IntoView {
    let id = id_param();
    let page = Resource::new(id, get_release_pass);
    view! { {load(move || page, move |s| view! { <Sheet s /> })} }
}

/// The pass's facts, on the sheet and at the gate.
#[component]
fn PassFacts(s: PassSheet) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="sheet-facts">
            <tbody>
                <tr><th>{i18n.t("moves.pass.no")}</th><td data-testid="pass-no">{s.pass.pass_no.clone()}</td>
                    <th>{i18n.t("moves.pass.valid_on")}</th><td>{s.pass.valid_on.clone()}</td></tr>
                <tr><th>{i18n.t("moves.pass.house")}</th><td>{format!("{} {}", s.estate_name, s.house_number)}</td>
                    <th>{i18n.t("moves.pass.person")}</th><td>{s.pass.person_name.clone()}</td></tr>
                <tr><th>{i18n.t("moves.pass.plate")}</th><td>{if s.pass.plate.is_empty() { "—".to_string() } else { s.pass.plate.clone() }}</td>
                    <th>{i18n.t("moves.pass.issued")}</th><td>{format!("{} · {}", s.issued_at, s.issued_by)}</td></tr>
                <tr><th>{i18n.t("moves.pass.items")}</th><td colspan="3">{s.pass.items.clone()}</td></tr>
                {(!s.pass.approved_by.is_empty()).then(|| view! {
                    <tr><th>{use_i18n().t("moves.pass.approved")}</th><td colspan="3">{s.pass.approved_by.clone()}</td></tr>
                })}
            </tbody>
        </table>
    }
}

#[component]
fn Sheet(s: PassSheet) -> impl IntoView {
    let i18n = use_i18n();
    let back = s.move_out_id.map(|id| format!("/desk/moves/out/{id}")).unwrap_or_else(|| "/desk/moves".into());
    view! {
        <p class="crumbs no-print"><a href=back>{i18n.t("moves.pass.back")}</a></p>
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("moves.pass.print")}</button>
            " "
            <a class="button" href=s.check_path.clone() data-testid="check-link">{i18n.t("moves.pass.check_link")}</a>
        </div>
        <article class="release-pass">
            <h1>{i18n.t("moves.pass.sheet_title")}</h1>
            <div class="pass-body">
                <PassFacts s=s.clone() />
                <div class="pass-qr" aria-hidden="true" inner_html=s.qr_svg.clone()></div>
            </div>
            <p class="muted">{i18n.t("moves.pass.sheet_note")}</p>
            <div class="sheet-signs">
                <span>{i18n.t("moves.pass.sign_desk")}</span>
                <span>{i18n.t("moves.pass.sign_gate")}</span>
            </div>
        </article>
    }
}

fn token_param() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || params.read().get("token").unwrap_or_default()
}

#[component]
pub fn PassCheckPage() -> impl IntoView {
    let token = token_param();
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(move || (token(), refresh.get()), |(t, _)| check_release_pass(t));
    view! { {load(move || page, move |s| view! { <Check s token=token() refresh /> })} }
}

#[component]
fn Check(s: Option<PassSheet>, token: String, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let let_out = ServerAction::<UseReleasePass>::new();
    let v = let_out.value();
    crate::ui::reload_on_success(v, refresh);
    let verdict = s.as_ref().map(|s| s.pass.verdict).unwrap_or(Verdict::Unknown);
    let class = match verdict {
        Verdict::Valid => "verdict ok",
        _ => "verdict refused",
    };
    view! {
        <h1>{i18n.t("moves.pass.check_title")}</h1>
        <p class=class data-testid="verdict">{i18n.t(verdict.key())}</p>
        {s.clone().map(|s| view! {
            <PassFacts s=s.clone() />
            {(!s.used_at.is_empty()).then(|| view! {
                <p class="muted">{use_i18n().f("moves.pass.used_line", &[("at", &s.used_at), ("by", &s.used_by)])}</p>
            })}
        })}
        {(verdict == Verdict::Valid).then(|| view! {
            <FormError error=form_error(v) />
            <ActionForm action=let_out>
                <input type="hidden" name="token" value=token.clone() />
                <button type="submit" class="primary big">{use_i18n().t("moves.pass.let_out")}</button>
            </ActionForm>
        })}
    }
}
