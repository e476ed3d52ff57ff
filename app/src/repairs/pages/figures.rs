//! `/desk/repairs/stats`: a date range's figures — counts by category and
//! state, response and completion times, on-time and rework shares, the
//! average rating — and their export.

use leptos::prelude::*;
use leptos_router::components::Form;

use super::query_text;
use crate::i18n::use_i18n;
use crate::repairs::api::get_repair_stats;
use crate::repairs::{hours_minutes, permille_text, RepairStats, Status};
use crate::ui::{load, query_num, EstatePicker};

fn duration_text(minutes: Option<i64>) -> String {
    match minutes {
        None => "—".into(),
        Some(m) if m < 60 => use_i18n().f("repairs.m", &[("m", &m.to_string())]),
        Some(m) => {
            let (h, m) = hours_minutes(m);
            use_i18n().f(
                "repairs.hm",
                &[("h", &h.to_string()), ("m", &m.to_string())],
            )
        }
    }
}

/// `/desk/repairs/stats`: a date range's figures, and their export.
#[component]
pub fn RepairStatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let from = query_text("from");
    let to = query_text("to");
    let stats = Resource::new(
        move || (estate(), from(), to()),
        |(e, f, t)| get_repair_stats(e, f, t),
    );
    view! {
        <>
            <p class="crumbs"><a href="/desk/repairs">{i18n.t("repairs.title")}</a></p>
            <h1>{i18n.t("repairs.stats_title")}</h1>
            {load(move || stats, move |s| view! { <StatsView s /> })}
        </>
    }
}

#[component]
fn StatsView(s: RepairStats) -> impl IntoView {
    let i18n = use_i18n();
    let head = Status::ALL
        .iter()
        .map(|st| view! { <th class="num">{use_i18n().t(st.key())}</th> })
        .collect_view();
    let rows = s
        .by_category
        .iter()
        .map(|(c, counts, total)| {
            let cells = counts.iter().map(|n| view! { <td class="num">{*n}</td> }).collect_view();
            view! { <tr><td>{use_i18n().t(c.key())}</td>{cells}<td class="num"><strong>{*total}</strong></td></tr> }
        })
        .collect_view();
    let export = format!(
        "/desk/repairs/stats.xlsx?estate={}&from={}&to={}",
        s.estate_id, s.from, s.to
    );
    view! {
        <EstatePicker estates=s.estates.clone() chosen=s.estate_id />
        <Form method="GET" action="">
            <input type="hidden" name="estate" value=s.estate_id />
            <div class="filters">
                <div class="field"><label for="f-from">{i18n.t("repairs.from")}</label><input id="f-from" type="date" name="from" value=s.from.clone() /></div>
                <div class="field"><label for="f-to">{i18n.t("repairs.to")}</label><input id="f-to" type="date" name="to" value=s.to.clone() /></div>
                <button type="submit">{i18n.t("common.show")}</button>
                <a class="button" href=export rel="external" download>{i18n.t("repairs.export")}</a>
            </div>
        </Form>
        <dl class="facts stats">
            <div><dt>{i18n.t("repairs.stats.total")}</dt><dd>{s.total}</dd></div>
            <div><dt>{i18n.t("repairs.stats.avg_response")}</dt><dd>{duration_text(s.avg_response_minutes)}</dd></div>
            <div><dt>{i18n.t("repairs.stats.avg_completion")}</dt><dd>{duration_text(s.avg_completion_minutes)}</dd></div>
            <div><dt>{i18n.t("repairs.stats.on_time")}</dt><dd>{s.on_time_permille.map(permille_text).unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{i18n.t("repairs.stats.rework")}</dt><dd>{s.rework_permille.map(permille_text).unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{i18n.t("repairs.stats.avg_rating")}</dt><dd>{s.avg_rating_centi.map(|r| format!("{}.{:02} ({})", r / 100, r % 100, s.visits)).unwrap_or_else(|| "—".into())}</dd></div>
        </dl>
        <div class="table-wrap">
            <table>
                <thead><tr><th>{i18n.t("repairs.category")}</th>{head}<th class="num">{i18n.t("repairs.stats.total")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
