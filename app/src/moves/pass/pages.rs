//! `/desk/passes/:id`: the printed goods-release pass (half an A4 sheet,
//! with its QR code); `/desk/passes/check/:token`: what the gate sees when
//! it scans one — valid, used, expired or revoked — and 放行, which uses it.

use leptos::prelude::*;

use super::api::{check_release_pass, get_my_passes, get_release_pass, RequestReleasePass, UseReleasePass};
use super::{MyPasses, PassSheet, PassStatus, Verdict};
use crate::i18n::use_i18n;
use crate::moves::print::print_page;
use crate::ui::{field_error, form_error, id_param, load, Field, FormError, TextareaField};

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

/// The pass's facts at the gate, one under another (a guard's phone).
#[component]
fn GateFacts(s: PassSheet) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="facts-list gate-facts">
            <dt>{i18n.t("moves.pass.no")}</dt><dd>{s.pass.pass_no.clone()}</dd>
            <dt>{i18n.t("moves.pass.house")}</dt><dd><strong>{format!("{} {}", s.estate_name, s.house_number)}</strong></dd>
            <dt>{i18n.t("moves.pass.items")}</dt><dd><strong>{s.pass.items.clone()}</strong></dd>
            <dt>{i18n.t("moves.pass.plate")}</dt><dd>{if s.pass.plate.is_empty() { "—".to_string() } else { s.pass.plate.clone() }}</dd>
            <dt>{i18n.t("moves.pass.person")}</dt><dd>{s.pass.person_name.clone()}</dd>
            <dt>{i18n.t("moves.pass.valid_on")}</dt><dd>{s.pass.valid_on.clone()}</dd>
            <dt>{i18n.t("moves.pass.issued")}</dt><dd>{format!("{} · {}", s.issued_at, s.issued_by)}</dd>
            {(!s.pass.approved_by.is_empty()).then(|| view! {
                <dt>{use_i18n().t("moves.pass.approved")}</dt><dd>{s.pass.approved_by.clone()}</dd>
            })}
        </dl>
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
            <GateFacts s=s.clone() />
            {(!s.used_at.is_empty()).then(|| view! {
                <p class="muted">{use_i18n().f("moves.pass.used_line", &[("at", &s.used_at), ("by", &s.used_by)])}</p>
            })}
        })}
        {(verdict == Verdict::Valid).then(|| view! {
            <FormError error=form_error(v) />
            <ActionForm action=let_out>
                <input type="hidden" name="token" value=token.clone() />
                <button type="submit" class="primary big wide">{use_i18n().t("moves.pass.let_out")}</button>
            </ActionForm>
        })}
    }
}

/// `/portal/passes`: a resident asks for a goods-release pass for moving
/// day, and sees their passes (asked for, issued, used).
#[component]
pub fn PortalPassesPage() -> impl IntoView {
    let i18n = use_i18n();
    let ask = ServerAction::<RequestReleasePass>::new();
    let page = Resource::new(move || ask.version().get(), |_| get_my_passes());
    view! {
        <h1>{i18n.t("moves.pass.portal_title")}</h1>
        <p class="muted">{i18n.t("moves.pass.portal_hint")}</p>
        {load(move || page, move |m| view! { <MyPassList m ask /> })}
    }
}

#[component]
fn MyPassList(m: MyPasses, ask: ServerAction<RequestReleasePass>) -> impl IntoView {
    let i18n = use_i18n();
    let v = ask.value();
    let sent = move || v.get().is_some_and(|r| r.is_ok());
    let houses = m
        .houses
        .iter()
        .map(|h| view! { <option value=h.id>{h.name.clone()}</option> })
        .collect_view();
    let empty = m.passes.is_empty();
    let cards = m
        .passes
        .iter()
        .map(|p| {
            let state = if p.verdict == Verdict::Unknown {
                use_i18n().t(PassStatus::Requested.key())
            } else {
                use_i18n().t(p.verdict.key())
            };
            view! {
                <li class="card">
                    <strong>{p.valid_on.clone()}</strong> " · " {state}
                    <br />{p.items.clone()}
                    {(!p.plate.is_empty()).then(|| view! { <br /><span class="muted">{p.plate.clone()}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("moves.pass.portal_request")}</h2>
            {move || sent().then(|| view! { <p class="notice ok">{use_i18n().t("moves.pass.portal_sent")}</p> })}
            <FormError error=form_error(v) />
            <ActionForm action=ask>
                <div class="field">
                    <label for="f-pass-house">{i18n.t("moves.pass.portal_house")}</label>
                    <select id="f-pass-house" name="house_id">{houses}</select>
                </div>
                <Field label=i18n.t("moves.pass.portal_day") name="valid_on" kind="date" value=m.today.clone() error=field_error(v, "valid_on") />
                <TextareaField label=i18n.t("moves.pass.items") name="items" rows=3 error=field_error(v, "items") />
                <Field label=i18n.t("moves.pass.plate") name="plate" error=field_error(v, "plate") />
                <button type="submit" class="primary wide">{i18n.t("moves.pass.portal_send")}</button>
            </ActionForm>
        </section>
        {if empty {
            view! { <p class="empty">{i18n.t("moves.pass.portal_none")}</p> }.into_any()
        } else {
            view! { <ul class="cards">{cards}</ul> }.into_any()
        }}
    }
}
