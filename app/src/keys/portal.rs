//! `/portal/keys`: an owner's entrusted keys — whether the authorisation is
//! in force, each use of the key since they moved in (when, by whom, for
//! what, when it came back) — and revoking the authorisation.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::keys::api::{get_my_entrusted_keys, RevokeMyKey};
use crate::keys::{KeyUse, OwnerKey, Purpose, TakerKind};
use crate::ui::{form_error, load, FormError};

#[component]
pub fn PortalKeysPage() -> impl IntoView {
    let i18n = use_i18n();
    let revoke = ServerAction::<RevokeMyKey>::new();
    let keys = Resource::new(move || revoke.version().get(), |_| get_my_entrusted_keys());
    view! {
        <>
            <h1>{i18n.t("keys.portal_title")}</h1>
            <FormError error=form_error(revoke.value()) />
            {load(move || keys, move |keys| {
                if keys.is_empty() {
                    view! { <p class="empty">{use_i18n().t("keys.portal_none")}</p> }.into_any()
                } else {
                    keys.into_iter().map(|k| view! { <OwnerKeyCard k revoke /> }).collect_view().into_any()
                }
            })}
        </>
    }
}

/// Who took the key, as the owner reads it: "维修师傅 张师傅", a colleague's
/// name, or an outside worker's name.
fn who(u: &KeyUse) -> String {
    let i18n = use_i18n();
    match u.taker_kind {
        TakerKind::Staff if u.taker_role == "maintenance" => {
            i18n.f("keys.repairman", &[("name", &u.taker)])
        }
        TakerKind::Worker => i18n.f("keys.outside_worker", &[("name", &u.taker)]),
        _ => u.taker.clone(),
    }
}

#[component]
fn OwnerKeyCard(k: OwnerKey, revoke: ServerAction<RevokeMyKey>) -> impl IntoView {
    let i18n = use_i18n();
    let state = match &k.authorisation {
        Some(a) if a.revoked_at.is_some() => i18n.t("keys.auth_revoked"),
        Some(a) if a.in_force => i18n.f("keys.auth_until", &[("until", &a.valid_until)]),
        Some(_) => i18n.t("keys.auth_not_in_force"),
        None => i18n.t("keys.auth_none"),
    };
    let scope = k
        .authorisation
        .as_ref()
        .map(|a| i18n.t(a.scope.key()))
        .unwrap_or_default();
    let empty = k.uses.is_empty();
    let uses = k
        .uses
        .iter()
        .map(|u| {
            view! {
                <li class="key-use">
                    <strong>{u.out_at.clone()}</strong> " · " {who(u)} " · " {use_i18n().t(u.purpose.key())}
                    <br />
                    <span class="muted">{match &u.returned_at {
                        _ if u.purpose == Purpose::OwnerReturn => use_i18n().t("keys.portal_back_with_you"),
                        Some(at) => use_i18n().f("keys.came_back", &[("at", at)]),
                        None => use_i18n().t("keys.not_back"),
                    }}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <article class="card owner-key">
            <h2>{i18n.f("keys.portal_key", &[("house", &k.house)])}</h2>
            <p>{state} {(!scope.is_empty()).then(|| format!(" · {scope}"))}
                {(!k.held).then(|| view! { " · " <span class="muted">{use_i18n().t("keys.portal_back_with_you")}</span> })}
            </p>
            <h3>{i18n.t("keys.portal_uses")}</h3>
            <ul class="reports">{uses}</ul>
            {empty.then(|| view! { <p class="muted">{use_i18n().t("keys.portal_no_uses")}</p> })}
            {k.can_revoke.then(|| view! {
                // Two steps: open, then confirm — a revocation cannot be taken back here.
                <details class="revoke">
                    <summary>{use_i18n().t("keys.portal_revoke")}</summary>
                    <p class="hint">{use_i18n().t("keys.portal_revoke_hint")}</p>
                    <ActionForm action=revoke attr:class="inline-form">
                        <input type="hidden" name="key_set_id" value=k.key_set_id />
                        <button type="submit" class="danger">{use_i18n().t("keys.portal_revoke_confirm")}</button>
                    </ActionForm>
                </details>
            })}
        </article>
    }
}
