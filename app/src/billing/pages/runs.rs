//! The bill-runs page (`/desk/billing`): starting a run, following its
//! progress, the runs so far, the waivers waiting for a manager, and the
//! houses that get no metered line until their opening reading is recorded.

use leptos::prelude::*;

use super::Money;
use crate::billing::api::{get_billing, DecideWaiver, StartBillRun};
use crate::billing::{BillingOverview, MissingOpening, RunStatus, WaiverTarget};
use crate::i18n::use_i18n;
use crate::ui::{
    desk_time, field_error, form_error, load, query_num, EmptyRow, EstatePicker, Field, FormError,
};

/// `/desk/billing`: bill runs with their progress, and waivers waiting for approval.
#[component]
pub fn BillingPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let start = ServerAction::<StartBillRun>::new();
    let decide = ServerAction::<DecideWaiver>::new();
    let tick = RwSignal::new(0u32);
    let running = RwSignal::new(false);
    let overview = Resource::new(
        move || {
            (
                estate(),
                start.version().get(),
                decide.version().get(),
                tick.get(),
            )
        },
        |(e, ..)| get_billing(e),
    );
    // While a run works, follow its progress once a second.
    Effect::new(move |_| {
        if let Some(Ok(o)) = overview.get() {
            running.set(o.runs.iter().any(|r| r.status == RunStatus::Running));
        }
    });
    Effect::new(move |_| {
        if running.get() {
            if let Ok(handle) = set_interval_with_handle(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_millis(1000),
            ) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    view! {
        <>
            <h1>{i18n.t("billing.runs_title")}</h1>
            {load(move || overview, move |o| view! { <BillingView o start decide /> })}
        </>
    }
}

#[component]
fn BillingView(
    o: BillingOverview,
    start: ServerAction<StartBillRun>,
    decide: ServerAction<DecideWaiver>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sv = start.value();
    let dv = decide.value();
    let runs_empty = o.runs.is_empty();
    let runs = o
        .runs
        .iter()
        .map(|r| {
            let i18n = use_i18n();
            let pct = if r.houses_total > 0 { r.houses_done * 100 / r.houses_total } else { 100 };
            view! {
                <tr class=format!("run-{}", r.status.as_str())>
                    <td>{r.period.clone()}</td>
                    <td>
                        {i18n.t(r.status.key())}
                        {(r.status == RunStatus::Running).then(|| view! { " " <progress max="100" value=pct>{pct}"%"</progress> " " {format!("{}/{}", r.houses_done, r.houses_total)} })}
                        {(!r.message.is_empty()).then(|| view! { <span class="muted">" " {r.message.clone()}</span> })}
                    </td>
                    <td class="num">{r.lines_created}</td>
                    <td class="num"><Money fen=r.amount_fen /></td>
                    <td class="num">{r.prepaid_lines}</td>
                    <td>{r.started_by.clone()}</td>
                    <td class="nowrap">{desk_time(&r.started_at)}</td>
                </tr>
            }
        })
        .collect_view();
    let waivers_empty = o.waivers.is_empty();
    let waivers = o
        .waivers
        .iter()
        .map(|w| {
            let i18n = use_i18n();
            let id = w.id;
            view! {
                <tr>
                    <td><a href=format!("/desk/houses/{}/account", w.house_id)>{w.house_number.clone()}</a></td>
                    <td>{w.item.clone()} " " {w.period.clone()} {(w.target == WaiverTarget::LateFee).then(|| view! { " · " {use_i18n().t("billing.late_fee")} })}</td>
                    <td class="num"><Money fen=w.amount_fen /></td>
                    <td>{w.reason.clone()}</td>
                    <td>{w.requested_by.clone()}</td>
                    <td>
                        // The server says whose it is to decide: never the manager who asked.
                        {if w.may_decide {
                            view! {
                                <ActionForm action=decide attr:class="inline">
                                    <input type="hidden" name="waiver_id" value=id />
                                    <button type="submit" name="decision" value="approve" class="primary">{use_i18n().t("billing.approve")}</button>
                                    <button type="submit" name="decision" value="reject">{use_i18n().t("billing.reject")}</button>
                                </ActionForm>
                            }.into_any()
                        } else if o.can_approve {
                            view! { <span class="muted">{i18n.t("billing.needs_another_manager")}</span> }.into_any()
                        } else {
                            view! { {i18n.t("billing.waiting_manager")} }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <EstatePicker estates=o.estates.clone() chosen=o.estate_id />
        <p class="actions">
            <a href=format!("/desk/fees?estate={}", o.estate_id)>{i18n.t("billing.fees_title")}</a>
            " · " <a href=format!("/desk/readings?estate={}", o.estate_id)>{i18n.t("billing.readings_title")}</a>
            " · " <a href="/desk/close">{i18n.t("billing.close_title")}</a>
        </p>
        {o.can_run.then(|| view! {
            <section class="panel">
                <h2>{use_i18n().t("billing.start_run")}</h2>
                <FormError error=form_error(sv) />
                <ActionForm action=start>
                    <input type="hidden" name="estate_id" value=o.estate_id />
                    <div class="filters">
                        <Field label=use_i18n().t("billing.period") name="period" kind="month" value=o.this_month.clone() required=true error=field_error(sv, "period") />
                        <button type="submit" class="primary">{use_i18n().t("billing.start_run")}</button>
                    </div>
                </ActionForm>
            </section>
        })}
        <section class="panel">
            <h2>{i18n.t("billing.runs")}</h2>
            <div class="table-wrap flat">
                <table>
                    <thead><tr>
                        <th scope="col">{i18n.t("billing.period")}</th>
                        <th scope="col">{i18n.t("billing.status")}</th>
                        <th scope="col" class="num">{i18n.t("billing.lines_created")}</th>
                        <th scope="col" class="num">{i18n.t("billing.amount")}</th>
                        <th scope="col" class="num">{i18n.t("billing.prepaid_lines")}</th>
                        <th scope="col">{i18n.t("audit.actor")}</th>
                        <th scope="col">{i18n.t("audit.at")}</th>
                    </tr></thead>
                    <tbody>{runs}<EmptyRow show=runs_empty cols=7 /></tbody>
                </table>
            </div>
        </section>
        {(!o.missing_openings.is_empty()).then(|| view! {
            <MissingOpenings estate_id=o.estate_id houses=o.missing_openings.clone() total=o.missing_openings_total />
        })}
        <section class="panel">
            <h2>{i18n.t("billing.pending_waivers")}</h2>
            <FormError error=form_error(dv) />
            <div class="table-wrap flat">
                <table>
                    <thead><tr>
                        <th scope="col">{i18n.t("house.number")}</th>
                        <th scope="col">{i18n.t("billing.item")}</th>
                        <th scope="col" class="num">{i18n.t("billing.amount")}</th>
                        <th scope="col">{i18n.t("billing.reason")}</th>
                        <th scope="col">{i18n.t("billing.requested_by")}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{waivers}<EmptyRow show=waivers_empty cols=6 /></tbody>
                </table>
            </div>
        </section>
    }
}

/// Billable houses with no opening reading (and no reading) of a metered
/// item: a run gives them no line for it. Each links to its building's
/// readings grid, where the opening is recorded.
#[component]
fn MissingOpenings(estate_id: i64, houses: Vec<MissingOpening>, total: i64) -> impl IntoView {
    let i18n = use_i18n();
    let shown = houses.len();
    let rows = houses
        .into_iter()
        .map(|h| {
            let grid = format!(
                "/desk/readings?estate={estate_id}&item={}&building={}#openings",
                h.fee_item_id, h.building_id
            );
            view! {
                <tr>
                    <td><a href=format!("/desk/houses/{}", h.house_id)>{h.number}</a></td>
                    <td>{h.item}</td>
                    <td><a href=grid>{use_i18n().t("billing.record_opening")}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" data-testid="missing-openings">
            <h2>{i18n.t("billing.missing_openings_title")}</h2>
            <p class="hint">{i18n.t("billing.missing_openings_hint")}</p>
            {(total > shown as i64).then(|| view! {
                <p class="muted">{use_i18n().f("billing.missing_openings_more", &[("total", &total.to_string()), ("shown", &shown.to_string())])}</p>
            })}
            <div class="table-wrap flat">
                <table>
                    <thead><tr>
                        <th scope="col">{i18n.t("house.number")}</th>
                        <th scope="col">{i18n.t("billing.item")}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
