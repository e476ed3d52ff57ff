//! The arrears pages: `/desk/arrears`, the estate's ageing (账龄) by
//! building as of a day, each amount a link to the houses owing it; and
//! `/desk/arrears/houses`, those houses, oldest arrears first, each a link
//! to its account (and its chase). A house's chase and the follow-ups are in
//! [`chase`].

pub mod chase;

pub use chase::{FollowUpsPage, HouseChasePage};

use leptos::prelude::*;
use leptos_router::components::Form;

use super::api::{get_ageing, get_ageing_houses};
use super::{Ageing, AgeingHouses, AgeingRow, Bucket};
use crate::common::Fen;
use crate::i18n::use_i18n;
use crate::ui::{load, query_num, query_text, EmptyRow, EstatePicker};

/// The houses' list of a cell: `building` 0 is the whole estate, `bucket` None any.
fn houses_href(estate: i64, building: i64, bucket: Option<Bucket>, as_of: &str) -> String {
    format!(
        "/desk/arrears/houses?estate={estate}&building={building}&bucket={}&as_of={as_of}",
        bucket.map(Bucket::as_str).unwrap_or_default()
    )
}

/// An amount with the houses owing it under it, linked when there is any.
#[component]
fn AgeCell(fen: i64, houses: i64, href: String) -> impl IntoView {
    if fen == 0 && houses == 0 {
        return view! { <td class="num muted">"—"</td> }.into_any();
    }
    view! {
        <td class="num">
            <a href=href>{Fen(fen).text()}</a>
            <br /><span class="muted">{use_i18n().f("arrears.houses_n", &[("n", &houses.to_string())])}</span>
        </td>
    }
    .into_any()
}

/// The table's head: the place, the buckets, the total, the late fees.
#[component]
fn AgeHead(first: &'static str, #[prop(optional)] oldest: bool) -> impl IntoView {
    let i18n = use_i18n();
    let buckets = Bucket::ALL
        .iter()
        .map(|b| view! { <th scope="col" class="num">{use_i18n().t(b.key())}</th> })
        .collect_view();
    view! {
        <thead>
            <tr>
                <th scope="col">{i18n.t(first)}</th>
                {buckets}
                <th scope="col" class="num">{i18n.t("arrears.total")}</th>
                <th scope="col" class="num">{i18n.t("arrears.late_fees")}</th>
                {oldest.then(|| view! { <th scope="col" class="num">{use_i18n().t("arrears.oldest_days")}</th> })}
            </tr>
        </thead>
    }
}

#[component]
pub fn AgeingPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let as_of = query_text("as_of");
    let data = Resource::new(move || (estate(), as_of()), |(e, d)| get_ageing(e, d));
    view! {
        <>
            <h1>{i18n.t("arrears.title")}</h1>
            {load(move || data, move |a| view! { <AgeingView a /> })}
        </>
    }
}

#[component]
fn AgeingView(a: Ageing) -> impl IntoView {
    let i18n = use_i18n();
    let (e, day) = (a.estate_id, a.as_of.clone());
    let row = move |r: &AgeingRow, building: i64, total: bool| {
        let cells = Bucket::ALL
            .iter()
            .zip(&r.buckets)
            .map(|(b, c)| view! { <AgeCell fen=c.fen houses=c.houses href=houses_href(e, building, Some(*b), &day) /> })
            .collect_view();
        let name = r.name.clone();
        view! {
            <tr class:total=total>
                <th scope="row">{name}</th>
                {cells}
                <AgeCell fen=r.total.fen houses=r.total.houses href=houses_href(e, building, None, &day) />
                <td class="num">{Fen(r.late_fee_fen).text()}</td>
            </tr>
        }
    };
    let rows = a
        .buildings
        .iter()
        .map(|r| row(r, r.id, false))
        .collect_view();
    let estate_row = row(&a.estate, 0, true);
    let none = a.estate.total.houses == 0;
    view! {
        <EstatePicker estates=a.estates.clone() chosen=a.estate_id />
        <Form method="GET" action="">
            <input type="hidden" name="estate" value=a.estate_id />
            <div class="filters">
                <div class="field">
                    <label for="f-as_of">{i18n.t("arrears.as_of")}</label>
                    <input id="f-as_of" type="date" name="as_of" value=a.as_of.clone() max=a.today.clone() />
                </div>
                <button type="submit">{i18n.t("common.show")}</button>
                <a class="button" href=format!("/desk/arrears/ageing.xlsx?estate={}&as_of={}", a.estate_id, a.as_of)
                    rel="external" download>{i18n.t("arrears.export")}</a>
                <a class="button" href=format!("/desk/arrears/follow-ups?estate={}", a.estate_id)>{i18n.t("arrears.follow_ups")}</a>
            </div>
        </Form>
        <p class="hint">{i18n.t("arrears.rule")}</p>
        <div class="table-wrap">
            <table class="ageing">
                <AgeHead first="arrears.building" />
                <tbody>
                    {rows}
                    <EmptyRow show=a.buildings.is_empty() cols=8 />
                </tbody>
                <tfoot>{estate_row}</tfoot>
            </table>
        </div>
        {none.then(|| view! { <p class="muted">{use_i18n().t("arrears.none")}</p> })}
    }
}

#[component]
pub fn AgeingHousesPage() -> impl IntoView {
    let estate = query_num("estate");
    let building = query_num("building");
    let bucket = query_text("bucket");
    let as_of = query_text("as_of");
    let data = Resource::new(
        move || (estate(), building(), bucket(), as_of()),
        |(e, b, k, d)| get_ageing_houses(e, b, k, d),
    );
    view! { {load(move || data, move |h| view! { <HousesView h /> })} }
}

#[component]
fn HousesView(h: AgeingHouses) -> impl IntoView {
    let i18n = use_i18n();
    let place = h
        .building
        .as_ref()
        .map(|b| format!("{} {}", h.estate, b.name))
        .unwrap_or_else(|| h.estate.clone());
    let which = h
        .bucket
        .map(|b| use_i18n().t(b.key()))
        .unwrap_or_else(|| use_i18n().t("arrears.any_bucket"));
    let title = i18n.f(
        "arrears.houses_title",
        &[("place", &place), ("bucket", &which), ("as_of", &h.as_of)],
    );
    let empty = h.houses.is_empty();
    let rows = h
        .houses
        .iter()
        .map(|r| {
            let cells = r
                .buckets
                .iter()
                .map(|c| {
                    if c.fen == 0 {
                        view! { <td class="num muted">"—"</td> }.into_any()
                    } else {
                        view! { <td class="num">{Fen(c.fen).text()}</td> }.into_any()
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row"><a href=format!("/desk/houses/{}/account", r.id)>{r.name.clone()}</a>
                        " " <a class="small" href=format!("/desk/arrears/house/{}", r.id)>{use_i18n().t("arrears.chase")}</a></th>
                    {cells}
                    <td class="num"><strong>{Fen(r.total.fen).text()}</strong></td>
                    <td class="num">{Fen(r.late_fee_fen).text()}</td>
                    <td class="num">{r.oldest_days}</td>
                </tr>
            }
        })
        .collect_view();
    let back = format!("/desk/arrears?estate={}&as_of={}", h.estate_id, h.as_of);
    let export = format!(
        "/desk/arrears/houses.xlsx?estate={}&building={}&bucket={}&as_of={}",
        h.estate_id,
        h.building.as_ref().map_or(0, |b| b.id),
        h.bucket.map(Bucket::as_str).unwrap_or_default(),
        h.as_of
    );

    view! {
        <>
            <p class="crumbs"><a href=back>{i18n.t("arrears.title")}</a></p>
            <h1>{title}</h1>
            <p class="hint">{i18n.f("arrears.houses_count", &[("n", &h.houses.len().to_string())])}
                " " <a class="button small" href=export rel="external" download>{i18n.t("arrears.export")}</a></p>
            <div class="table-wrap">
                <table class="ageing">
                    <AgeHead first="arrears.house" oldest=true />
                    <tbody>
                        {rows}
                        <EmptyRow show=empty cols=9 />
                    </tbody>
                </table>
            </div>
        </>
    }
}
