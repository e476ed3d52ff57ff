//! Billing pages: fee setup, bill runs, meter readings, a house's account with
//! the payment form, receipts, daily close, payment notices, and the portal's bills.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::api::*;
use super::*;
use crate::i18n::use_i18n;
use crate::ui::{
    desk_time, field_error, form_error, loading, query_num, EmptyRow, EstatePicker, Field,
    FormError, LoadError,
};

/// An amount in yuan, right-aligned in tables.
#[component]
fn Money(fen: i64) -> impl IntoView {
    view! { <span class="money">{fen_text(fen)}</span> }
}

// ---- fee setup ----------------------------------------------------------------

/// `/desk/fees`: fee items, their rates, and the late-fee policy.
#[component]
pub fn FeesPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let create = ServerAction::<CreateFeeItem>::new();
    let rate = ServerAction::<AddFeeRate>::new();
    let policy = ServerAction::<SetLateFeePolicy>::new();
    // Which item's rate form was submitted last; it outlives the reload after each submit.
    let rate_item = RwSignal::new(0i64);
    let setup = Resource::new(
        move || {
            (
                estate(),
                create.version().get(),
                rate.version().get(),
                policy.version().get(),
            )
        },
        |(e, ..)| get_fee_setup(e),
    );
    view! {
        <>
            <h1>{i18n.t("billing.fees_title")}</h1>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match setup.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(s) => view! { <FeeSetupView s create rate policy rate_item /> }.into_any(),
                    }
                })}
            </Transition>
        </>
    }
}

#[component]
fn FeeSetupView(
    s: FeeSetup,
    create: ServerAction<CreateFeeItem>,
    rate: ServerAction<AddFeeRate>,
    policy: ServerAction<SetLateFeePolicy>,
    rate_item: RwSignal<i64>,
) -> impl IntoView {
    let cv = create.value();
    let rv = rate.value();
    let pv = policy.value();
    let first_of_month = format!("{}-01", s.this_month);
    let estate_id = s.estate_id;
    let can_manage = s.can_manage;
    let items_empty = s.items.is_empty();
    // The rate form repeats per item; its errors show beside the item last submitted
    // (a submit event bubbles to the item's section, which remembers it).
    let rate_error = move |id: i64, field: &'static str| -> Option<String> {
        if rate_item.get() != id {
            return None;
        }
        rv.get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_message(field))
    };
    let items = s
        .items
        .iter()
        .map(|item| {
            let i18n = use_i18n();
            let rates = item
                .rates
                .iter()
                .map(|r| {
                    view! {
                        <li>
                            <strong>{r.rate.clone()}</strong> " " {i18n.t(&format!("billing.unit.{}", item.kind))}
                            " · " {i18n.t(&format!("billing.use.{}", r.use_kind))}
                            " · " {r.effective_from.clone()} " → " {r.effective_to.clone().unwrap_or_else(|| i18n.t("billing.open_ended"))}
                        </li>
                    }
                })
                .collect_view();
            let uses = RATE_USES
                .into_iter()
                .map(|u| view! { <option value=u>{use_i18n().t(&format!("billing.use.{u}"))}</option> })
                .collect_view();
            let id = item.id;
            let from = first_of_month.clone();
            view! {
                <section class="panel" on:submit=move |_| rate_item.set(id)>
                    <h2>{item.name.clone()} " " <span class="badge">{i18n.t(&format!("billing.kind.{}", item.kind))}</span></h2>
                    <p class="muted">{i18n.f("billing.due_after", &[("days", &item.due_days.to_string())])}</p>
                    <ul class="rates">{rates}</ul>
                    {can_manage.then(|| view! {
                        <details>
                            <summary>{use_i18n().t("billing.add_rate")}</summary>
                            <ActionForm action=rate>
                                <input type="hidden" name="fee_item_id" value=id />
                                <div class="filters">
                                    <div class="field">
                                        <label for=format!("rate-{id}")>{use_i18n().t("billing.rate")}</label>
                                        <input id=format!("rate-{id}") name="rate" inputmode="decimal" required=true
                                            aria-invalid=move || rate_error(id, "rate").map(|_| "true") />
                                        <p class="field-error" role="alert">{move || rate_error(id, "rate")}</p>
                                    </div>
                                    <div class="field">
                                        <label for=format!("use-{id}")>{use_i18n().t("billing.use_label")}</label>
                                        <select id=format!("use-{id}") name="use_kind">{uses}</select>
                                    </div>
                                    <div class="field">
                                        <label for=format!("from-{id}")>{use_i18n().t("billing.effective_from")}</label>
                                        <input id=format!("from-{id}") name="effective_from" type="date" value=from required=true />
                                        <p class="field-error" role="alert">{move || rate_error(id, "effective_from")}</p>
                                    </div>
                                    <div class="field">
                                        <label for=format!("to-{id}")>{use_i18n().t("billing.effective_to")}</label>
                                        <input id=format!("to-{id}") name="effective_to" type="date" />
                                        <p class="field-error" role="alert">{move || rate_error(id, "effective_to")}</p>
                                    </div>
                                    <button type="submit">{use_i18n().t("billing.add_rate")}</button>
                                </div>
                            </ActionForm>
                        </details>
                    })}
                </section>
            }
        })
        .collect_view();
    let kinds = FEE_KINDS
        .into_iter()
        .map(|k| view! { <option value=k>{use_i18n().t(&format!("billing.kind.{k}"))}</option> })
        .collect_view();
    let policies = s
        .late_policies
        .iter()
        .map(|p| {
            view! {
                <li>
                    {use_i18n().f("billing.late_policy_line", &[("rate", &p.daily_rate), ("grace", &p.grace_days.to_string())])}
                    " · " {p.effective_from.clone()} " → " {p.effective_to.clone().unwrap_or_else(|| use_i18n().t("billing.open_ended"))}
                </li>
            }
        })
        .collect_view();
    let no_policy = s.late_policies.is_empty();
    view! {
        <EstatePicker estates=s.estates.clone() chosen=estate_id />
        <FormError error=form_error(rv) />
        {items}
        {items_empty.then(|| view! { <p class="muted">{use_i18n().t("billing.no_items")}</p> })}
        {can_manage.then(|| view! {
            <div class="columns">
                <section class="panel">
                    <h2>{use_i18n().t("billing.new_item")}</h2>
                    <FormError error=form_error(cv) />
                    <ActionForm action=create>
                        <input type="hidden" name="estate_id" value=estate_id />
                        <Field label=use_i18n().t("billing.item_name") name="name" required=true error=field_error(cv, "name") />
                        <div class="field">
                            <label for="f-kind">{use_i18n().t("billing.kind_label")}</label>
                            <select id="f-kind" name="kind">{kinds}</select>
                        </div>
                        <Field label=use_i18n().t("billing.due_days") name="due_days" kind="number" value="15" required=true error=field_error(cv, "due_days") />
                        <Field label=use_i18n().t("billing.unit_label") name="unit" hint=use_i18n().t("billing.unit_hint") />
                        <button type="submit" class="primary">{use_i18n().t("billing.new_item")}</button>
                    </ActionForm>
                </section>
                <section class="panel">
                    <h2>{use_i18n().t("billing.late_policy")}</h2>
                    {no_policy.then(|| view! { <p class="muted">{use_i18n().t("billing.late_off")}</p> })}
                    <ul>{policies}</ul>
                    <FormError error=form_error(pv) />
                    <ActionForm action=policy>
                        <input type="hidden" name="estate_id" value=estate_id />
                        <Field label=use_i18n().t("billing.daily_rate") name="daily_rate" hint=use_i18n().t("billing.daily_rate_hint") required=true error=field_error(pv, "daily_rate") />
                        <Field label=use_i18n().t("billing.grace_days") name="grace_days" kind="number" value="0" required=true error=field_error(pv, "grace_days") />
                        <Field label=use_i18n().t("billing.effective_from") name="effective_from" kind="date" required=true error=field_error(pv, "effective_from") />
                        <button type="submit">{use_i18n().t("billing.set_policy")}</button>
                    </ActionForm>
                </section>
            </div>
        })}
    }
}

// ---- bill runs ----------------------------------------------------------------

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
            running.set(o.runs.iter().any(|r| r.status == "running"));
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
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match overview.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(o) => view! { <BillingView o start decide /> }.into_any(),
                    }
                })}
            </Transition>
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
                <tr class=format!("run-{}", r.status)>
                    <td>{r.period.clone()}</td>
                    <td>
                        {i18n.t(&format!("billing.run_status.{}", r.status))}
                        {(r.status == "running").then(|| view! { " " <progress max="100" value=pct>{pct}"%"</progress> " " {format!("{}/{}", r.houses_done, r.houses_total)} })}
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
                    <td>{w.item.clone()} " " {w.period.clone()} {(w.target == "late_fee").then(|| view! { " · " {use_i18n().t("billing.late_fee")} })}</td>
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

// ---- meter readings -----------------------------------------------------------

/// `/desk/readings`: a building's readings for a metered item and period, typed into a grid.
#[component]
pub fn ReadingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let save = ServerAction::<SaveMeterReadings>::new();
    let params = move || {
        let q = query.read();
        let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        (
            num("estate"),
            num("item"),
            num("building"),
            q.get("period").unwrap_or_default(),
        )
    };
    let grid = Resource::new(
        move || (params(), save.version().get()),
        |((e, i, b, p), _)| get_reading_grid(e, i, b, p),
    );
    let import_id = query_num("import");
    let report = Resource::new(import_id, |id| async move {
        if id > 0 {
            get_reading_import(id).await.ok()
        } else {
            None
        }
    });
    view! {
        <>
            <h1>{i18n.t("billing.readings_title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { report.await.map(|r| view! { <ReadingImportReport r /> }) })}
            </Suspense>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match grid.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(g) => view! { <ReadingGridView g save /> }.into_any(),
                    }
                })}
            </Transition>
        </>
    }
}

#[component]
fn ReadingGridView(g: ReadingGrid, save: ServerAction<SaveMeterReadings>) -> impl IntoView {
    let i18n = use_i18n();
    let v = save.value();
    let estates = g
        .estates
        .iter()
        .map(
            |e| view! { <option value=e.id selected=e.id == g.estate_id>{e.name.clone()}</option> },
        )
        .collect_view();
    let items = g
        .items
        .iter()
        .map(|e| view! { <option value=e.id selected=e.id == g.fee_item_id>{e.name.clone()}</option> })
        .collect_view();
    let buildings = g
        .buildings
        .iter()
        .map(|e| view! { <option value=e.id selected=e.id == g.building_id>{e.name.clone()}</option> })
        .collect_view();
    let no_items = g.items.is_empty();
    let (period, period_grid, period_file) = (g.period.clone(), g.period.clone(), g.period.clone());
    let rows = g
        .rows
        .iter()
        .map(|r| {
            let id = format!("reading-{}", r.house_id);
            view! {
                <tr>
                    <td><label for=id.clone()>{r.number.clone()}</label><input type="hidden" name="houses[]" value=r.house_id /></td>
                    <td class="num">{r.previous.clone()}</td>
                    <td><input id=id name="readings[]" inputmode="decimal" value=r.reading.clone() disabled=r.billed class="reading" /></td>
                    <td><input name="old_finals[]" inputmode="decimal" aria-label=use_i18n().t("billing.old_final") disabled=r.billed class="reading" /></td>
                    <td><input name="new_starts[]" inputmode="decimal" aria-label=use_i18n().t("billing.new_start") disabled=r.billed class="reading" /></td>
                    <td>{r.billed.then(|| use_i18n().t("billing.billed"))}</td>
                </tr>
            }
        })
        .collect_view();
    let saved = move || match v.get() {
        Some(Ok(n)) => Some(use_i18n().f("billing.readings_saved", &[("count", &n.to_string())])),
        _ => None,
    };
    view! {
        <Form method="GET" action="">
            <div class="filters">
                <div class="field"><label for="f-estate">{i18n.t("estate.name")}</label><select id="f-estate" name="estate">{estates}</select></div>
                <div class="field"><label for="f-item">{i18n.t("billing.item")}</label><select id="f-item" name="item">{items}</select></div>
                <div class="field"><label for="f-building">{i18n.t("house.building")}</label><select id="f-building" name="building">{buildings}</select></div>
                <div class="field"><label for="f-period">{i18n.t("billing.period")}</label><input id="f-period" type="month" name="period" value=period /></div>
                <button type="submit">{i18n.t("common.show")}</button>
            </div>
        </Form>
        {no_items.then(|| view! { <p class="muted">{use_i18n().t("billing.no_metered")}</p> })}
        <FormError error=form_error(v) />
        <p class="field-error" role="alert">{move || field_error(v, "readings").get()}</p>
        <p class="notice" role="status">{saved}</p>
        <ActionForm action=save>
            <input type="hidden" name="fee_item_id" value=g.fee_item_id />
            <input type="hidden" name="period" value=period_grid />
            <div class="table-wrap">
                <table class="grid">
                    <thead><tr>
                        <th scope="col">{i18n.t("house.number")}</th>
                        <th scope="col" class="num">{i18n.t("billing.previous")}</th>
                        <th scope="col">{i18n.t("billing.reading")}</th>
                        <th scope="col">{i18n.t("billing.old_final")}</th>
                        <th scope="col">{i18n.t("billing.new_start")}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="hint">{i18n.t("billing.replacement_hint")}</p>
            <button type="submit" class="primary">{i18n.t("billing.save_readings")}</button>
        </ActionForm>
        <section class="panel">
            <h2>{i18n.t("billing.import_readings")}</h2>
            <p class="hint">{i18n.t("billing.import_hint")}</p>
            // A plain multipart form: it works with or without JavaScript.
            <form method="post" action="/desk/readings/import" enctype="multipart/form-data">
                <input type="hidden" name="fee_item_id" value=g.fee_item_id />
                <input type="hidden" name="period" value=period_file />
                <div class="filters">
                    <div class="field">
                        <label for="f-readings-file">{i18n.t("import.file")}</label>
                        <input id="f-readings-file" type="file" name="file" accept=".xlsx,.csv" required=true />
                    </div>
                    <button type="submit">{i18n.t("import.submit")}</button>
                </div>
            </form>
        </section>
    }
}

/// The row report of a readings file: all imported, or why nothing was.
#[component]
fn ReadingImportReport(r: ReadingImport) -> impl IntoView {
    let i18n = use_i18n();
    let rows = r
        .problems
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <td>{p.sheet.clone()}</td>
                    <td class="num">{(p.row > 0).then_some(p.row)}</td>
                    <td>{p.column.clone()}</td>
                    <td>{p.reason.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    if r.imported {
        view! {
            <p class="saved" role="status">{i18n.f("billing.import_done", &[("file", &r.file_name), ("count", &r.readings.to_string()), ("period", &r.period)])}</p>
        }
        .into_any()
    } else {
        view! {
            <section class="panel" role="alert">
                <h2>{i18n.t("import.rejected_title")}</h2>
                <p>{i18n.f("import.rejected", &[("file", &r.file_name), ("n", &r.problems.len().to_string())])}</p>
                <div class="table-wrap flat">
                    <table>
                        <thead><tr>
                            <th scope="col">{i18n.t("import.sheet")}</th>
                            <th scope="col" class="num">{i18n.t("import.row")}</th>
                            <th scope="col">{i18n.t("import.column")}</th>
                            <th scope="col">{i18n.t("import.reason")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
        .into_any()
    }
}

// ---- a house's account ----------------------------------------------------------

/// `/desk/houses/:id/account`: what the house owes, the payment form, what was paid.
#[component]
pub fn HouseAccountPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let pay = ServerAction::<TakePayment>::new();
    let reverse = ServerAction::<ReversePayment>::new();
    let waive = ServerAction::<RequestWaiver>::new();
    let decide = ServerAction::<DecideWaiver>::new();
    let charge = ServerAction::<RaiseCharge>::new();
    let account = Resource::new(
        move || {
            (
                id(),
                reverse.version().get(),
                waive.version().get(),
                decide.version().get(),
                charge.version().get(),
            )
        },
        |(id, ..)| get_house_account(id),
    );
    // A taken payment opens its receipt, to print.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(r)) = pay.value().get() {
            navigate(
                &format!("/desk/receipts/{}", r.payment_id),
                Default::default(),
            );
        }
    });
    view! {
        <>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match account.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(a) => view! { <AccountView a pay reverse waive decide charge /> }.into_any(),
                    }
                })}
            </Suspense>
        </>
    }
}

#[component]
fn AccountView(
    a: HouseAccount,
    pay: ServerAction<TakePayment>,
    reverse: ServerAction<ReversePayment>,
    waive: ServerAction<RequestWaiver>,
    decide: ServerAction<DecideWaiver>,
    charge: ServerAction<RaiseCharge>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pv = pay.value();
    let rv = reverse.value();
    let wv = waive.value();
    let dv = decide.value();
    let chv = charge.value();
    // Every unpaid line is picked to begin with; the total follows the picks.
    let dues: Vec<(i64, i64)> = a
        .unpaid
        .iter()
        .map(|l| (l.id, l.outstanding_fen + l.late_fee_fen))
        .collect();
    let picked = RwSignal::new(dues.iter().map(|(id, _)| *id).collect::<Vec<i64>>());
    let total = Memo::new(move |_| {
        let p = picked.get();
        dues.iter()
            .filter(|(id, _)| p.contains(id))
            .map(|(_, f)| f)
            .sum::<i64>()
    });
    // The amount received follows the total until the clerk types one.
    let initial_total = a.unpaid_fen + a.late_fen;
    let received = RwSignal::new(fen_plain(initial_total));
    let typed = RwSignal::new(false);
    Effect::new(move |_| {
        let t = total.get();
        if !typed.get_untracked() {
            received.set(fen_plain(t));
        }
    });
    let unpaid_empty = a.unpaid.is_empty();
    let unpaid_rows = a
        .unpaid
        .iter()
        .map(|l| {
            let id = l.id;
            let box_id = format!("line-{id}");
            view! {
                <tr class:overdue=l.overdue>
                    <td>
                        <input type="checkbox" id=box_id.clone() name="lines[]" value=id checked=true
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                picked.update(|p| { p.retain(|x| *x != id); if on { p.push(id); } });
                            } />
                    </td>
                    <td class="col-item"><label for=box_id>{l.item.clone()}</label></td>
                    <td class="nowrap">{l.period.clone()}</td>
                    <td class="num"><Money fen=l.outstanding_fen />
                        {(l.waived_fen > 0).then(|| view! { <br /><span class="muted">{use_i18n().f("billing.waived_of", &[("amount", &fen_text(l.waived_fen))])}</span> })}
                    </td>
                    <td class="num col-late">{(l.late_fee_fen > 0).then(|| view! { <Money fen=l.late_fee_fen /> <br /><span class="muted">{use_i18n().f("billing.late_days", &[("days", &l.late_days.to_string())])}</span> })}</td>
                    <td class="nowrap col-due">{l.due_date.clone()} {l.overdue.then(|| view! { " " <span class="badge overdue">{use_i18n().t("billing.overdue")}</span> })}</td>
                    <td class="why">{l.explanation.clone()} {l.pending_waiver.then(|| view! { " " <span class="badge">{use_i18n().t("billing.waiver_pending")}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    let methods = PAY_METHODS
        .into_iter()
        .map(|m| view! { <option value=m>{use_i18n().t(&format!("billing.method.{m}"))}</option> })
        .collect_view();
    let settled_empty = a.settled.is_empty();
    let settled_rows = a
        .settled
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{l.item.clone()}</td>
                    <td class="nowrap">{l.period.clone()}</td>
                    <td class="num"><Money fen=l.amount_fen /></td>
                    <td>
                        {match (&l.receipt_no, l.payment_id) {
                            (Some(no), Some(pid)) => view! { <a href=format!("/desk/receipts/{pid}")>{no.clone()}</a> }.into_any(),
                            _ if l.by_prepaid => use_i18n().t("billing.by_prepaid").into_any(),
                            _ => use_i18n().f("billing.waived_of", &[("amount", &fen_text(l.waived_fen))]).into_any(),
                        }}
                    </td>
                    <td class="nowrap">{l.settled_at.as_deref().map(desk_time)}</td>
                    <td class="why">{l.explanation.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let can_approve = a.can_approve;
    let payments_empty = a.payments.is_empty();
    let payments = a
        .payments
        .iter()
        .map(|p| {
            let pid = p.id;
            let reason_id = format!("reason-{pid}");
            view! {
                <tr class:reversed=p.reversal.is_some()>
                    <td><a href=format!("/desk/receipts/{pid}")>{p.receipt_no.clone()}</a></td>
                    <td>{use_i18n().t(&format!("billing.method.{}", p.method))}</td>
                    <td class="num"><Money fen=p.received_fen /></td>
                    <td class="num"><Money fen=p.prepaid_fen /></td>
                    <td>{p.clerk.clone()}</td>
                    <td class="nowrap">{desk_time(&p.created_at)}</td>
                    <td>
                        {match p.reversal.clone() {
                            Some(r) => view! { <span class="badge overdue">{use_i18n().t("billing.reversed")}</span> " " {r.reason} " · " {r.by} }.into_any(),
                            None if p.may_reverse => view! {
                                <ActionForm action=reverse attr:class="inline">
                                    <input type="hidden" name="payment_id" value=pid />
                                    <label class="visually-hidden" for=reason_id.clone()>{use_i18n().t("billing.reason")}</label>
                                    <input id=reason_id name="reason" placeholder=use_i18n().t("billing.reversal_reason") />
                                    <button type="submit">{use_i18n().t("billing.reverse")}</button>
                                </ActionForm>
                            }.into_any(),
                            // A payment the viewing manager took: another manager reverses it.
                            None if can_approve => view! { <span class="muted">{use_i18n().t("billing.needs_another_manager")}</span> }.into_any(),
                            None => ().into_any(),
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let waiver_lines = a
        .unpaid
        .iter()
        .filter(|l| !l.is_late_fee)
        .map(|l| view! { <option value=l.id>{format!("{} {} ({})", l.item, l.period, fen_text(l.outstanding_fen))}</option> })
        .collect_view();
    let waivers_empty = a.waivers.is_empty();
    let prepaid_empty = a.prepaid.is_empty();
    let waivers = a
        .waivers
        .iter()
        .map(|w| {
            let id = w.id;
            view! {
                <tr>
                    <td>{w.item.clone()} " " {w.period.clone()} {(w.target == "late_fee").then(|| view! { " · " {use_i18n().t("billing.late_fee")} })}</td>
                    <td class="num"><Money fen=w.amount_fen /></td>
                    <td>{w.reason.clone()}</td>
                    <td>{use_i18n().t(&format!("billing.waiver_status.{}", w.status))}</td>
                    <td>{w.requested_by.clone()}</td>
                    <td>{if w.may_decide {
                        view! {
                            <ActionForm action=decide attr:class="inline">
                                <input type="hidden" name="waiver_id" value=id />
                                <button type="submit" name="decision" value="approve" class="primary">{use_i18n().t("billing.approve")}</button>
                                <button type="submit" name="decision" value="reject">{use_i18n().t("billing.reject")}</button>
                            </ActionForm>
                        }.into_any()
                    } else if can_approve && w.status == "pending" {
                        view! { <span class="muted">{use_i18n().t("billing.needs_another_manager")}</span> }.into_any()
                    } else {
                        ().into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    let one_off = a
        .one_off_items
        .iter()
        .map(|i| view! { <option value=i.id>{i.name.clone()}</option> })
        .collect_view();
    let has_one_off = !a.one_off_items.is_empty();
    let prepaid_rows = a
        .prepaid
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td>{use_i18n().t(&format!("billing.prepaid_kind.{}", e.kind))}</td>
                    <td class="num"><Money fen=e.amount_fen /></td>
                    <td>{e.receipt_no.clone()}</td>
                    <td class="nowrap">{desk_time(&e.at)}</td>
                </tr>
            }
        })
        .collect_view();
    let house_id = a.house_id;
    let key = a.request_key.clone();
    view! {
        <p class="crumbs"><a href=format!("/desk/houses/{house_id}")>{a.estate_name.clone()} " " {a.number.clone()}</a></p>
        <div class="page-head">
            <h1>{i18n.f("billing.account_title", &[("house", &a.number)])}</h1>
            <a class="button" href=format!("/desk/notices?house={house_id}")>{i18n.t("billing.notice")}</a>
        </div>
        <dl class="facts">
            <div><dt>{i18n.t("billing.owners")}</dt><dd>{a.owners.clone()}</dd></div>
            <div><dt>{i18n.t("billing.unpaid_total")}</dt><dd><Money fen=a.unpaid_fen /></dd></div>
            <div><dt>{i18n.t("billing.late_total")}</dt><dd><Money fen=a.late_fen /></dd></div>
            <div><dt>{i18n.t("billing.balance")}</dt><dd data-testid="balance"><Money fen=a.balance_fen /></dd></div>
        </dl>
        <section class="panel">
            <h2>{i18n.t("billing.unpaid")}</h2>
            <FormError error=form_error(pv) />
            <ActionForm action=pay>
                <input type="hidden" name="house_id" value=house_id />
                <input type="hidden" name="request_key" value=key />
                <div class="table-wrap flat">
                    <table>
                        <thead><tr>
                            <th scope="col"><span class="visually-hidden">{i18n.t("billing.pick")}</span></th>
                            <th scope="col">{i18n.t("billing.item")}</th>
                            <th scope="col">{i18n.t("billing.period")}</th>
                            <th scope="col" class="num">{i18n.t("billing.amount")}</th>
                            <th scope="col" class="num col-late">{i18n.t("billing.late_fee")}</th>
                            <th scope="col" class="col-due">{i18n.t("billing.due_date")}</th>
                            <th scope="col" class="why">{i18n.t("billing.why")}</th>
                        </tr></thead>
                        <tbody>{unpaid_rows}{unpaid_empty.then(|| view! { <tr><td colspan="7" class="muted">{use_i18n().t("billing.nothing_owed")}</td></tr> })}</tbody>
                    </table>
                </div>
                <p class="field-error" role="alert">{move || field_error(pv, "lines").get()}</p>
                {(!unpaid_empty).then(|| view! {
                    <div class="pay-row">
                        <p class="due">{use_i18n().t("billing.due_now")} " " <strong data-testid="due-now">{move || fen_text(total.get())}</strong></p>
                        <div class="field">
                            <label for="f-method">{use_i18n().t("billing.method_label")}</label>
                            <select id="f-method" name="method">{methods}</select>
                        </div>
                        <div class="field">
                            <label for="f-received">{use_i18n().t("billing.received")}</label>
                            <input id="f-received" name="received" inputmode="decimal" required=true
                                value=fen_plain(initial_total)
                                prop:value=move || received.get()
                                on:input=move |ev| { typed.set(true); received.set(event_target_value(&ev)); }
                                aria-invalid=move || field_error(pv, "received").get().is_some().then_some("true")
                                aria-describedby="f-received-hint f-received-error" />
                            <p class="hint" id="f-received-hint">{use_i18n().t("billing.received_hint")}</p>
                            <p class="field-error" id="f-received-error" role="alert">{move || field_error(pv, "received").get()}</p>
                        </div>
                        <button type="submit" class="primary">{use_i18n().t("billing.take_payment")}</button>
                    </div>
                })}
            </ActionForm>
        </section>
        <div class="columns">
            <section class="panel" class:hidden=unpaid_empty>
                <h2>{i18n.t("billing.request_waiver")}</h2>
                <FormError error=form_error(wv) />
                <ActionForm action=waive>
                    <div class="field">
                        <label for="f-waive-line">{i18n.t("billing.item")}</label>
                        <select id="f-waive-line" name="line_id">{waiver_lines}</select>
                    </div>
                    <div class="field">
                        <label for="f-waive-target">{i18n.t("billing.waive_what")}</label>
                        <select id="f-waive-target" name="target">
                            <option value="line">{i18n.t("billing.waive_line")}</option>
                            <option value="late_fee">{i18n.t("billing.late_fee")}</option>
                        </select>
                    </div>
                    <Field label=i18n.t("billing.amount") name="amount" required=true error=field_error(wv, "amount") />
                    <Field label=i18n.t("billing.reason") name="reason" required=true error=field_error(wv, "reason") />
                    // Every waiver waits for a manager, a manager's own for another one.
                    <button type="submit">{i18n.t("billing.request_waiver")}</button>
                </ActionForm>
            </section>
            {has_one_off.then(|| view! {
                <section class="panel">
                    <h2>{use_i18n().t("billing.raise_charge")}</h2>
                    <FormError error=form_error(chv) />
                    <ActionForm action=charge>
                        <input type="hidden" name="house_id" value=house_id />
                        <input type="hidden" name="request_key" value=a.request_key.clone() />
                        <div class="field">
                            <label for="f-charge-item">{use_i18n().t("billing.item")}</label>
                            <select id="f-charge-item" name="fee_item_id">{one_off}</select>
                        </div>
                        <Field label=use_i18n().t("billing.amount") name="amount" required=true error=field_error(chv, "amount") />
                        <Field label=use_i18n().t("billing.note") name="note" />
                        <button type="submit">{use_i18n().t("billing.raise_charge")}</button>
                    </ActionForm>
                </section>
            })}
        </div>
        <section class="panel">
            <h2>{i18n.t("billing.payments")}</h2>
            <FormError error=form_error(rv) />
            <FormError error=form_error(dv) />
            <div class="table-wrap flat">
                <table>
                    <thead><tr>
                        <th scope="col">{i18n.t("billing.receipt_no")}</th>
                        <th scope="col">{i18n.t("billing.method_label")}</th>
                        <th scope="col" class="num">{i18n.t("billing.received")}</th>
                        <th scope="col" class="num">{i18n.t("billing.to_prepaid")}</th>
                        <th scope="col">{i18n.t("billing.clerk")}</th>
                        <th scope="col">{i18n.t("audit.at")}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{payments}<EmptyRow show=payments_empty cols=7 /></tbody>
                </table>
            </div>
            <div class="table-wrap flat">
                <table>
                    <caption>{i18n.t("billing.settled")}</caption>
                    <thead><tr>
                        <th scope="col">{i18n.t("billing.item")}</th>
                        <th scope="col">{i18n.t("billing.period")}</th>
                        <th scope="col" class="num">{i18n.t("billing.amount")}</th>
                        <th scope="col">{i18n.t("billing.settled_by")}</th>
                        <th scope="col">{i18n.t("audit.at")}</th>
                        <th scope="col">{i18n.t("billing.why")}</th>
                    </tr></thead>
                    <tbody>{settled_rows}<EmptyRow show=settled_empty cols=6 /></tbody>
                </table>
            </div>
            {(!waivers_empty).then(|| view! {
                <div class="table-wrap flat">
                    <table>
                        <caption>{use_i18n().t("billing.waivers")}</caption>
                        <tbody>{waivers}</tbody>
                    </table>
                </div>
            })}
            {(!prepaid_empty).then(|| view! {
                <div class="table-wrap flat">
                    <table>
                        <caption>{use_i18n().t("billing.prepaid_history")}</caption>
                        <tbody>{prepaid_rows}</tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

// ---- receipts -----------------------------------------------------------------

/// `/desk/receipts/:id`: the receipt to print (A4 or the half-page receipt printer).
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let receipt = Resource::new(id, get_receipt);
    view! {
        <>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match receipt.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(r) => view! {
                            <p class="crumbs no-print"><a href=format!("/desk/houses/{}/account", r.house_id)>{r.house_number.clone()}</a></p>
                            <ReceiptDoc r counted=true />
                        }.into_any(),
                    }
                })}
            </Suspense>
        </>
    }
}

/// A receipt as printed: figures, capitals, method, clerk, time; 补打 on reprints.
/// `counted` (the desk): the print button records the print on the server
/// first, and the stamp follows what the server says this copy is.
#[component]
pub fn ReceiptDoc(r: ReceiptView, #[prop(optional)] counted: bool) -> impl IntoView {
    let i18n = use_i18n();
    let half = RwSignal::new(false);
    let copy = RwSignal::new(r.copy);
    let record = ServerAction::<PrintReceipt>::new();
    Effect::new(move |_| {
        if let Some(Ok(this_copy)) = record.value().get() {
            copy.set(this_copy);
            // Print once the stamp (if any) is on the page.
            request_animation_frame(print_page);
        }
    });
    let payment_id = r.payment_id;
    let on_print = move |_| {
        if counted {
            record.dispatch(PrintReceipt { payment_id });
        } else {
            print_page();
        }
    };
    let rows = r
        .items
        .iter()
        .map(|i| view! { <tr><td>{i.item.clone()}</td><td>{i.period.clone()}</td><td class="num"><Money fen=i.amount_fen /></td></tr> })
        .collect_view();
    view! {
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=on_print disabled=move || record.pending().get()>{i18n.t("billing.print")}</button>
            <label><input type="checkbox" on:change=move |ev| half.set(event_target_checked(&ev)) /> " " {i18n.t("billing.half_page")}</label>
            <FormError error=form_error(record.value()) />
        </div>
        <article class="receipt" class:half=move || half.get() data-testid="receipt">
            {move || (copy.get() > 0).then(|| view! { <p class="stamp">{use_i18n().t("billing.reprint")}</p> })}
            {r.reversal.clone().map(|rev| view! { <p class="stamp red">{use_i18n().t("billing.reversed")} " · " {rev.reason}</p> })}
            <h1>{r.estate_name.clone()} " " {i18n.t("billing.receipt")}</h1>
            <p class="receipt-no">{i18n.t("billing.receipt_no")} " " <strong>{r.receipt_no.clone()}</strong></p>
            <dl class="facts">
                <div><dt>{i18n.t("house.number")}</dt><dd>{r.house_number.clone()}</dd></div>
                <div><dt>{i18n.t("billing.payer")}</dt><dd>{r.payer.clone()}</dd></div>
                <div><dt>{i18n.t("billing.method_label")}</dt><dd>{i18n.t(&format!("billing.method.{}", r.method))}</dd></div>
            </dl>
            <table>
                <thead><tr><th scope="col">{i18n.t("billing.item")}</th><th scope="col">{i18n.t("billing.period")}</th><th scope="col" class="num">{i18n.t("billing.amount")}</th></tr></thead>
                <tbody>
                    {rows}
                    {(r.prepaid_fen > 0).then(|| view! { <tr><td>{use_i18n().t("billing.to_prepaid")}</td><td></td><td class="num"><Money fen=r.prepaid_fen /></td></tr> })}
                </tbody>
                <tfoot><tr><th scope="row" colspan="2">{i18n.t("billing.total")}</th><td class="num"><strong>"¥" {fen_text(r.received_fen)}</strong></td></tr></tfoot>
            </table>
            <p class="capitals">{i18n.t("billing.in_capitals")} " " <strong data-testid="capitals">{r.capitals.clone()}</strong></p>
            <p class="signature">{i18n.t("billing.clerk")} " " {r.clerk.clone()} " · " {desk_time(&r.created_at)}</p>
        </article>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

// ---- daily close --------------------------------------------------------------

/// `/desk/close`: my takings today, closing the day; managers see every clerk's days.
#[component]
pub fn DailyClosePage() -> impl IntoView {
    let i18n = use_i18n();
    let close = ServerAction::<CloseMyDay>::new();
    let page = Resource::new(move || close.version().get(), |_| get_daily_close());
    view! {
        <>
            <h1>{i18n.t("billing.close_title")}</h1>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(p) => view! { <CloseView p close /> }.into_any(),
                    }
                })}
            </Transition>
        </>
    }
}

#[component]
fn DayRow(d: DayView) -> impl IntoView {
    let methods = d
        .by_method
        .iter()
        .map(|(m, f)| {
            format!(
                "{} {}",
                use_i18n().t(&format!("billing.method.{m}")),
                fen_text(*f)
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <tr>
            <td>{d.day.clone()}</td>
            <td>{d.clerk.clone()}</td>
            <td class="num">{d.payments_count}</td>
            <td>{methods}</td>
            <td class="num"><Money fen=d.received_fen /></td>
            <td class="num">{d.reversals_count} " / " <Money fen=d.reversed_fen /></td>
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
                    <td>{use_i18n().t(&format!("billing.method.{}", pay.method))}</td>
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

// ---- payment notices ------------------------------------------------------------

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
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match notices.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">{use_i18n().t("billing.no_notices")}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|n| view! { <NoticeDoc n /> }).collect_view().into_any(),
                    }
                })}
            </Suspense>
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

// ---- portal -----------------------------------------------------------------------

/// `/portal/bills`: each of my houses — what is owed, what was paid, receipts, balance.
#[component]
pub fn PortalBillsPage() -> impl IntoView {
    let i18n = use_i18n();
    let bills = Resource::new(|| (), |_| my_bills());
    view! {
        <>
            <h1>{i18n.t("billing.my_bills")}</h1>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match bills.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(b) if b.houses.is_empty() => view! { <p class="muted">{use_i18n().t("portal.no_houses")}</p> }.into_any(),
                        Ok(b) => b.houses.into_iter().map(|a| view! { <PortalHouse a /> }).collect_view().into_any(),
                    }
                })}
            </Suspense>
        </>
    }
}

#[component]
fn PortalHouse(a: PortalAccount) -> impl IntoView {
    let i18n = use_i18n();
    let card = |l: &PortalLine, paid: bool| {
        let i18n = use_i18n();
        view! {
            <li class="bill-card" class:overdue=l.overdue>
                <div class="bill-head">
                    <span>{l.item.clone()} " · " {l.period.clone()}</span>
                    <strong><Money fen=if paid { l.amount_fen } else { l.outstanding_fen } /></strong>
                </div>
                <p class="why">{l.explanation.clone()}</p>
                {(!paid && l.late_fee_fen > 0).then(|| view! { <p>{use_i18n().t("billing.late_fee")} " " <Money fen=l.late_fee_fen /></p> })}
                <p class="muted">
                    {if paid {
                        match (&l.receipt_no, l.payment_id) {
                            (Some(no), Some(pid)) => view! { {i18n.t("billing.paid")} " · " <a href=format!("/portal/receipts/{pid}")>{no.clone()}</a> }.into_any(),
                            _ if l.by_prepaid => i18n.t("billing.by_prepaid").into_any(),
                            _ => i18n.t("billing.waived").into_any(),
                        }
                    } else {
                        i18n.f("billing.due_on", &[("date", &l.due_date)]).into_any()
                    }}
                </p>
            </li>
        }
    };
    let unpaid = a.unpaid.iter().map(|l| card(l, false)).collect_view();
    let paid = a.settled.iter().map(|l| card(l, true)).collect_view();
    let unpaid_empty = a.unpaid.is_empty();
    let payments = a
        .payments
        .iter()
        .map(|p| {
            view! {
                <li>
                    <a href=format!("/portal/receipts/{}", p.id)>{p.receipt_no.clone()}</a>
                    " · " {use_i18n().t(&format!("billing.method.{}", p.method))}
                    " · " <Money fen=p.received_fen /> " · " {desk_time(&p.created_at)}
                    {p.reversed.then(|| view! { " " <span class="badge overdue">{use_i18n().t("billing.reversed")}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel portal-house">
            <h2>{a.estate_name.clone()} " " {a.number.clone()}</h2>
            <dl class="facts">
                <div><dt>{i18n.t("billing.unpaid_total")}</dt><dd><Money fen=a.unpaid_fen + a.late_fen /></dd></div>
                <div><dt>{i18n.t("billing.balance")}</dt><dd data-testid="balance"><Money fen=a.balance_fen /></dd></div>
            </dl>
            <h3>{i18n.t("billing.unpaid")}</h3>
            <ul class="bill-cards">{unpaid}</ul>
            {unpaid_empty.then(|| view! { <p class="muted">{use_i18n().t("billing.nothing_owed")}</p> })}
            <h3>{i18n.t("billing.settled")}</h3>
            <ul class="bill-cards">{paid}</ul>
            <h3>{i18n.t("billing.payments")}</h3>
            <ul class="plain">{payments}</ul>
        </section>
    }
}

/// `/portal/receipts/:id`: one of my receipts.
#[component]
pub fn PortalReceiptPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let receipt = Resource::new(id, my_receipt);
    view! {
        <>
            <p class="crumbs no-print"><a href="/portal/bills">{use_i18n().t("billing.my_bills")}</a></p>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match receipt.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(r) => view! { <PortalReceiptDoc r /> }.into_any(),
                    }
                })}
            </Suspense>
        </>
    }
}

/// The resident's copy of a receipt: the desk's layout without the clerk,
/// the reprint stamp or a reversal's reason (a reversal shows, not why).
#[component]
fn PortalReceiptDoc(r: PortalReceipt) -> impl IntoView {
    let i18n = use_i18n();
    let rows = r
        .items
        .iter()
        .map(|i| view! { <tr><td>{i.item.clone()}</td><td>{i.period.clone()}</td><td class="num"><Money fen=i.amount_fen /></td></tr> })
        .collect_view();
    view! {
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("billing.print")}</button>
        </div>
        <article class="receipt" data-testid="receipt">
            {r.reversed.then(|| view! { <p class="stamp red">{use_i18n().t("billing.reversed")}</p> })}
            <h1>{r.estate_name.clone()} " " {i18n.t("billing.receipt")}</h1>
            <p class="receipt-no">{i18n.t("billing.receipt_no")} " " <strong>{r.receipt_no.clone()}</strong></p>
            <dl class="facts">
                <div><dt>{i18n.t("house.number")}</dt><dd>{r.house_number.clone()}</dd></div>
                <div><dt>{i18n.t("billing.payer")}</dt><dd>{r.payer.clone()}</dd></div>
                <div><dt>{i18n.t("billing.method_label")}</dt><dd>{i18n.t(&format!("billing.method.{}", r.method))}</dd></div>
            </dl>
            <table>
                <thead><tr><th scope="col">{i18n.t("billing.item")}</th><th scope="col">{i18n.t("billing.period")}</th><th scope="col" class="num">{i18n.t("billing.amount")}</th></tr></thead>
                <tbody>
                    {rows}
                    {(r.prepaid_fen > 0).then(|| view! { <tr><td>{use_i18n().t("billing.to_prepaid")}</td><td></td><td class="num"><Money fen=r.prepaid_fen /></td></tr> })}
                </tbody>
                <tfoot><tr><th scope="row" colspan="2">{i18n.t("billing.total")}</th><td class="num"><strong>"¥" {fen_text(r.received_fen)}</strong></td></tr></tfoot>
            </table>
            <p class="capitals">{i18n.t("billing.in_capitals")} " " <strong data-testid="capitals">{r.capitals.clone()}</strong></p>
            <p class="signature">{desk_time(&r.created_at)}</p>
        </article>
    }
}
