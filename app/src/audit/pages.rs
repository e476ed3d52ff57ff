//! The operation log page: filters in the address (a GET form), newest first.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::api::audit_page;
use super::AuditFilter;
use crate::i18n::use_i18n;
use crate::ui::{desk_time, LoadError};

/// Actions the log knows how to name; others show as recorded.
const ACTIONS: [&str; 49] = [
    "login",
    "login_failed",
    "login_refused_disabled",
    "logout",
    "create",
    "update",
    "disable",
    "enable",
    "reset_password",
    "change_own_password",
    "change_own_password_failed",
    "set_language",
    "reveal_mobile",
    "reveal_id_number",
    "end",
    "change_status",
    "import",
    "download_import_report",
    "take_payment",
    "reverse_payment",
    "request_waiver",
    "grant_waiver",
    "approve_waiver",
    "reject_waiver",
    "close_day",
    "start_bill_run",
    "create_fee_item",
    "add_rate",
    "set_late_policy",
    "save_readings",
    "import_readings",
    "reject_readings",
    "raise_charge",
    "report_repair",
    "repair_assign",
    "repair_pick",
    "repair_accept",
    "repair_hand_back",
    "repair_start",
    "repair_finish",
    "repair_visit",
    "repair_reopen",
    "repair_cancel",
    "repair_photos",
    "return_visit",
    "resolve_escalation",
    "repair_settings",
    "worker_skills",
    "repair_set_paid",
];

fn action_label(action: &str) -> String {
    let i18n = use_i18n();
    if ACTIONS.contains(&action) {
        i18n.t(&format!("audit.actions.{action}"))
    } else {
        action.to_string()
    }
}

/// Kinds of record the log knows how to name.
const ENTITIES: [&str; 19] = [
    "account",
    "estate",
    "resident",
    "occupancy",
    "house",
    "import_batch",
    "payment",
    "waiver",
    "daily_close",
    "bill_run",
    "fee_item",
    "late_fee_policy",
    "meter_reading",
    "bill_line",
    "repair_ticket",
    "return_visit",
    "escalation",
    "repair_setting",
    "repair_location",
];

fn entity_label(entity: &str) -> String {
    if ENTITIES.contains(&entity) {
        use_i18n().t(&format!("audit.entities.{entity}"))
    } else {
        entity.to_string()
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
                            {ACTIONS
                                .into_iter()
                                .map(|a| view! { <option value=a selected=chosen_action == a>{action_label(a)}</option> })
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
            <Transition fallback=move || view! { <p class="muted">{use_i18n().t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    let i18n = use_i18n();
                    match entries.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(page) if page.entries.is_empty() => {
                            view! { <p class="empty">{i18n.t("audit.empty")}</p> }.into_any()
                        }
                        Ok(page) => {
                            let next = page.next_before_id.map(|id| {
                                let mut q = query.get_untracked();
                                q.replace("before_id", id.to_string());
                                q.to_query_string()
                            });
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
                    }
                })}
            </Transition>
        </>
    }
}
