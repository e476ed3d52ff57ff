//! The operation log page: filters in the address (a GET form), newest first.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::api::audit_page;
use super::{AuditFilter, AuditResults};
use crate::common::{AuditAction, AuditEntity};
use crate::i18n::use_i18n;
use crate::ui::{desk_time, load};

/// An action as the log page names it; one the log does not know shows as recorded.
fn action_label(action: &str) -> String {
    match AuditAction::parse(action) {
        Some(a) => use_i18n().t(a.key()),
        None => action.to_string(),
    }
}

/// A kind of record as the log page names it; an unknown one shows as recorded.
fn entity_label(entity: &str) -> String {
    match AuditEntity::parse(entity) {
        Some(e) => use_i18n().t(e.key()),
        None => entity.to_string(),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        AuditFilter {
            actor: q.get("actor").unwrap_or_default(),
            entity: q.get("entity").unwrap_or_default(),
            action: q.get("action").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            before_id: q.get("before_id").and_then(|v| v.parse().ok()).unwrap_or(0),
        }
    };
    let entries = Resource::new(filter, audit_page);
    let current = filter();
    let chosen_action = current.action.clone();
    view! {
        <>
            <h1>{i18n.t("audit.title")}</h1>
            <Form method="GET" action="">
                <div class="filters">
                    <div class="field">
                        <label for="f-actor">{i18n.t("audit.actor")}</label>
                        <input id="f-actor" name="actor" value=current.actor.clone() />
                    </div>
                    <div class="field">
                        <label for="f-action">{i18n.t("audit.action")}</label>
                        <select id="f-action" name="action">
                            <option value="">{i18n.t("common.any")}</option>
                            {AuditAction::ALL
                                .iter()
                                .map(|a| view! { <option value=a.as_str() selected=chosen_action == a.as_str()>{use_i18n().t(a.key())}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-from">{i18n.t("audit.from")}</label>
                        <input id="f-from" name="from" type="date" value=current.from.clone() />
                    </div>
                    <div class="field">
                        <label for="f-to">{i18n.t("audit.to")}</label>
                        <input id="f-to" name="to" type="date" value=current.to.clone() />
                    </div>
                    <button type="submit" class="primary">{i18n.t("common.filter")}</button>
                </div>
            </Form>
            {load(move || entries, move |page| {
                // The next page's address: these filters, older entries.
                let next = page.next_before_id.map(|id| {
                    let mut q = query.get_untracked();
                    q.replace("before_id", id.to_string());
                    q.to_query_string()
                });
                view! { <AuditTable page next /> }
            })}
        </>
    }
}

/// A page of entries, newest first, with a link to older ones.
#[component]
fn AuditTable(page: AuditResults, next: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    if page.entries.is_empty() {
        return view! { <p class="empty">{i18n.t("audit.empty")}</p> }.into_any();
    }
    let rows = page
        .entries
        .into_iter()
        .map(|e| {
            let has_change = e.before.is_some() || e.after.is_some();
            view! {
                <tr>
                    <td class="nowrap">{desk_time(&e.at)}</td>
                    <td>{e.actor_name}</td>
                    <td>{action_label(&e.action)}</td>
                    <td>{entity_label(&e.entity)} {e.entity_id.map(|id| format!(" #{id}"))}</td>
                    <td class="change">
                        {has_change.then(|| view! {
                            <details>
                                <summary>{use_i18n().t("audit.show_change")}</summary>
                                <dl>
                                    <dt>{use_i18n().t("audit.before")}</dt>
                                    <dd><code>{e.before.unwrap_or_else(|| "—".into())}</code></dd>
                                    <dt>{use_i18n().t("audit.after")}</dt>
                                    <dd><code>{e.after.unwrap_or_else(|| "—".into())}</code></dd>
                                </dl>
                            </details>
                        })}
                    </td>
                    <td class="muted">{e.ip}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("audit.at")}</th>
                        <th scope="col">{i18n.t("audit.actor")}</th>
                        <th scope="col">{i18n.t("audit.action")}</th>
                        <th scope="col">{i18n.t("audit.record")}</th>
                        <th scope="col">{i18n.t("audit.change")}</th>
                        <th scope="col">{i18n.t("audit.ip")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {next.map(|href| view! { <a class="button" href=href>{use_i18n().t("audit.older")}</a> })}
    }
    .into_any()
}
