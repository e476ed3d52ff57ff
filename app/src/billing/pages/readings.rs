//! The meter-readings page (`/desk/readings`): a building's grid for a
//! metered item and period, the opening readings of its houses that have
//! none, the readings file upload, and its row report.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::billing::api::{
    get_reading_grid, get_reading_import, RecordMeterOpenings, SaveMeterReadings,
};
use crate::billing::{ReadingGrid, ReadingImport, ReadingRow};
use crate::i18n::use_i18n;
use crate::ui::{field_error, form_error, load, query_num, Field, FormError};

/// `/desk/readings`: a building's readings for a metered item and period, typed into a grid.
#[component]
pub fn ReadingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let save = ServerAction::<SaveMeterReadings>::new();
    let open = ServerAction::<RecordMeterOpenings>::new();
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
        move || (params(), save.version().get(), open.version().get()),
        |((e, i, b, p), ..)| get_reading_grid(e, i, b, p),
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
            {load(move || grid, move |g| view! { <ReadingGridView g save open /> })}
        </>
    }
}

#[component]
fn ReadingGridView(
    g: ReadingGrid,
    save: ServerAction<SaveMeterReadings>,
    open: ServerAction<RecordMeterOpenings>,
) -> impl IntoView {
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
            // A row that takes no reading posts none of its columns (a
            // disabled field is not sent): the lists stay one entry per house.
            let closed = r.billed || r.no_opening;
            view! {
                <tr>
                    <td><label for=id.clone()>{r.number.clone()}</label><input type="hidden" name="houses[]" value=r.house_id disabled=closed /></td>
                    <td class="num">{if r.no_opening {
                        view! { <a class="badge" href="#openings">{use_i18n().t("billing.no_opening")}</a> }.into_any()
                    } else {
                        r.previous.clone().into_any()
                    }}</td>
                    <td><input id=id name="readings[]" inputmode="decimal" value=r.reading.clone() disabled=closed class="reading" /></td>
                    <td><input name="old_finals[]" inputmode="decimal" aria-label=use_i18n().t("billing.old_final") disabled=closed class="reading" /></td>
                    <td><input name="new_starts[]" inputmode="decimal" aria-label=use_i18n().t("billing.new_start") disabled=closed class="reading" /></td>
                    <td>{r.billed.then(|| use_i18n().t("billing.billed"))}</td>
                </tr>
            }
        })
        .collect_view();
    let without_opening: Vec<ReadingRow> =
        g.rows.iter().filter(|r| r.no_opening).cloned().collect();
    let openings = (!without_opening.is_empty()).then(|| {
        view! { <OpeningsForm fee_item_id=g.fee_item_id today=g.today.clone() rows=without_opening open /> }
    });
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
        {openings}
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

/// The opening readings (起始读数) of the grid's houses that have none: the
/// meter as it stood when the house's billing began, all read on one day
/// (today unless the clerk types another). Until one is recorded the house
/// takes no reading and gets no metered line.
#[component]
fn OpeningsForm(
    fee_item_id: i64,
    today: String,
    rows: Vec<ReadingRow>,
    open: ServerAction<RecordMeterOpenings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ov = open.value();
    let saved = move || match ov.get() {
        Some(Ok(n)) => Some(use_i18n().f("billing.openings_saved", &[("count", &n.to_string())])),
        _ => None,
    };
    let rows = rows
        .into_iter()
        .map(|r| {
            let id = format!("opening-{}", r.house_id);
            view! {
                <tr>
                    <td><label for=id.clone()>{r.number}</label><input type="hidden" name="houses[]" value=r.house_id /></td>
                    <td><input id=id name="openings[]" inputmode="decimal" class="reading" /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" id="openings">
            <h2>{i18n.t("billing.openings_title")}</h2>
            <p class="hint">{i18n.t("billing.openings_hint")}</p>
            <FormError error=form_error(ov) />
            <p class="field-error" role="alert">{move || field_error(ov, "openings").get()}</p>
            <p class="notice" role="status">{saved}</p>
            <ActionForm action=open>
                <input type="hidden" name="fee_item_id" value=fee_item_id />
                <div class="filters">
                    <Field label=i18n.t("billing.read_on") name="read_on" kind="date" value=today required=true error=field_error(ov, "read_on") />
                </div>
                <div class="table-wrap">
                    <table class="grid">
                        <thead><tr>
                            <th scope="col">{i18n.t("house.number")}</th>
                            <th scope="col">{i18n.t("billing.opening")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <button type="submit" class="primary">{i18n.t("billing.save_openings")}</button>
            </ActionForm>
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
