//! Register pages: the house list, the house page (the desk's hub), the
//! resident page, and the desk's search box with its results page.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::api::{
    desk_search, get_house, get_resident, list_houses, AddOccupant, ChangeHouseStatus,
    EndOccupancy, RevealResidentField,
};
use super::search::{HitKind, SearchHit};
use super::{
    HouseDetail, HouseFilter, OccupancyView, HOUSE_PAGE_SIZE, HOUSE_STATUSES, OCCUPANCY_ROLES,
};
use crate::i18n::use_i18n;
use crate::ui::{area, desk_time, field_error, form_error, EmptyRow, Field, FormError, LoadError};

fn status_badge(status: &str) -> impl IntoView + use<> {
    let label = use_i18n().t(&format!("house.status.{status}"));
    view! { <span class=format!("badge status-{status}")>{label}</span> }
}

/// The search box on every desk page: results as you type, Enter opens the
/// first, `/` focuses it. Without JavaScript it is a form to the results page.
#[component]
pub fn SearchBox() -> impl IntoView {
    let i18n = use_i18n();
    let (query, set_query) = signal(String::new());
    let hits = LocalResource::new(move || {
        let q = query.get();
        async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                desk_search(q).await
            }
        }
    });
    let input = NodeRef::<leptos::html::Input>::new();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = document()
            .active_element()
            .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
            .unwrap_or(false);
        if ev.key() == "/" && !typing {
            ev.prevent_default();
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        }
    });
    on_cleanup(move || handle.remove());
    let navigate = use_navigate();
    let first_hit = move || {
        hits.get()
            .and_then(|r| r.ok())
            .and_then(|h| h.into_iter().next())
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(hit) = first_hit() {
            ev.prevent_default();
            set_query.set(String::new());
            if let Some(el) = input.get() {
                el.set_value("");
            }
            navigate(&hit.href(), Default::default());
        }
    };
    let results = move || {
        let q = query.get();
        if q.trim().is_empty() {
            return None;
        }
        let list = hits.get().and_then(|r| r.ok()).unwrap_or_default();
        Some(view! { <SearchResults hits=list compact=true /> })
    };
    view! {
        <form class="searchbox" action="/desk/search" method="get" role="search" on:submit=on_submit>
            <label for="desk-search" class="visually-hidden">{i18n.t("search.label")}</label>
            <input
                id="desk-search"
                name="q"
                type="search"
                autocomplete="off"
                placeholder=i18n.t("search.placeholder")
                node_ref=input
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
            {results}
        </form>
    }
}

#[component]
fn SearchResults(hits: Vec<SearchHit>, compact: bool) -> impl IntoView {
    let i18n = use_i18n();
    if hits.is_empty() {
        return view! { <p class=if compact { "search-results empty-hit" } else { "empty" }>{i18n.t("search.none")}</p> }
            .into_any();
    }
    let items = hits
        .into_iter()
        .map(|h| {
            let kind = match h.kind {
                HitKind::House => i18n.t("search.house"),
                HitKind::Resident => i18n.t("search.resident"),
            };
            view! {
                <li>
                    <a href=h.href()>
                        <span class="hit-kind">{kind}</span>
                        <strong>{h.title.clone()}</strong>
                        <span class="muted">{h.detail.clone()}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! { <ul class=if compact { "search-results" } else { "search-page" }>{items}</ul> }
        .into_any()
}

/// `/desk/search?q=…`: the search results as a page (what Enter gives without JavaScript).
#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let hits = Resource::new(q, desk_search);
    view! {
        <>
            <h1>{i18n.f("search.title", &[("q", &q())])}</h1>
            <Suspense fallback=move || view! { <p class="muted">{use_i18n().t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match hits.await {
                        Ok(list) => view! { <SearchResults hits=list compact=false /> }.into_any(),
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </>
    }
}

/// `/desk/houses`: the houses of an estate, by building and status.
#[component]
pub fn HouseListPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        let num = |k: &str| q.get(k).and_then(|v| v.parse().ok()).unwrap_or(0);
        HouseFilter {
            estate_id: num("estate"),
            building_id: num("building"),
            status: q.get("status").unwrap_or_default(),
            page: num("page"),
        }
    };
    let list = Resource::new(filter, list_houses);
    view! {
        <>
            <h1>{i18n.t("house.list_title")}</h1>
            <Transition fallback=move || view! { <p class="muted">{use_i18n().t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    let i18n = use_i18n();
                    let f = filter();
                    match list.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(list) => {
                            let estate_id = list.estate_id;
                            let estates = list
                                .estates
                                .iter()
                                .map(|e| view! { <option value=e.id selected=e.id == estate_id>{e.name.clone()}</option> })
                                .collect_view();
                            let buildings = list
                                .buildings
                                .iter()
                                .map(|b| view! { <option value=b.id selected=b.id == f.building_id>{b.name.clone()}</option> })
                                .collect_view();
                            let statuses = HOUSE_STATUSES
                                .into_iter()
                                .map(|s| view! { <option value=s selected=f.status == s>{i18n.t(&format!("house.status.{s}"))}</option> })
                                .collect_view();
                            let rows = list
                                .rows
                                .iter()
                                .map(|h| {
                                    view! {
                                        <tr>
                                            <td><a href=format!("/desk/houses/{}", h.id)>{h.number.clone()}</a></td>
                                            <td>{h.building_name.clone()}</td>
                                            <td class="num">{h.floor}</td>
                                            <td class="num">{area(h.area_centi)}</td>
                                            <td>{status_badge(&h.status)}</td>
                                            <td>{h.owners.clone()}</td>
                                            <td class="num">
                                                {(h.arrears_fen > 0)
                                                    .then(|| view! { <a class="arrears" href=format!("/desk/houses/{}/account", h.id)>{crate::billing::fen_text(h.arrears_fen)}</a> })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                <Form method="GET" action="">
                                    <div class="filters">
                                        <div class="field">
                                            <label for="f-estate">{i18n.t("estate.name")}</label>
                                            <select id="f-estate" name="estate">{estates}</select>
                                        </div>
                                        <div class="field">
                                            <label for="f-building">{i18n.t("house.building")}</label>
                                            <select id="f-building" name="building">
                                                <option value="">{i18n.t("common.any")}</option>
                                                {buildings}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="f-status">{i18n.t("house.status_label")}</label>
                                            <select id="f-status" name="status">
                                                <option value="">{i18n.t("common.any")}</option>
                                                {statuses}
                                            </select>
                                        </div>
                                        <button type="submit" class="primary">{i18n.t("common.filter")}</button>
                                    </div>
                                </Form>
                                <div class="page-head">
                                    <p class="muted">{i18n.f("house.count", &[("n", &list.total.to_string())])}</p>
                                    <p>
                                        <a class="button" href=format!("/desk/houses.xlsx?estate={estate_id}") download="">{i18n.t("house.export")}</a>
                                        " "
                                        <a class="button" href="/desk/import">{i18n.t("import.title")}</a>
                                    </p>
                                </div>
                                <NewHouse estate_id=estate_id />
                                <div class="table-wrap">
                                    <table>
                                        <thead>
                                            <tr>
                                                <th scope="col">{i18n.t("house.number")}</th>
                                                <th scope="col">{i18n.t("house.building")}</th>
                                                <th scope="col" class="num">{i18n.t("house.floor")}</th>
                                                <th scope="col" class="num">{i18n.t("house.area")}</th>
                                                <th scope="col">{i18n.t("house.status_label")}</th>
                                                <th scope="col">{i18n.t("house.owners")}</th>
                                                <th scope="col" class="num">{i18n.t("house.arrears")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <Pager page=f.page total=list.total />
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </>
    }
}

/// `/desk/houses/:id`: the desk's hub for one house.
#[component]
pub fn HousePage() -> impl IntoView {
    let id = crate::ui::id_param();
    let add = ServerAction::<AddOccupant>::new();
    let end = ServerAction::<EndOccupancy>::new();
    let status = ServerAction::<ChangeHouseStatus>::new();
    let facts = ServerAction::<super::api::UpdateHouse>::new();
    let house = Resource::new(
        move || {
            (
                id(),
                add.version().get(),
                end.version().get(),
                status.version().get(),
                facts.version().get(),
            )
        },
        |(id, ..)| get_house(id),
    );
    view! {
        <>
            <Suspense fallback=move || view! { <p class="muted">{use_i18n().t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match house.await {
                        Ok(h) => view! { <HouseHub h=h add end status facts /> }.into_any(),
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </>
    }
}

#[component]
fn HouseHub(
    h: HouseDetail,
    add: ServerAction<AddOccupant>,
    end: ServerAction<EndOccupancy>,
    status: ServerAction<ChangeHouseStatus>,
    facts: ServerAction<super::api::UpdateHouse>,
) -> impl IntoView {
    let fv = facts.value();
    let area_text = format!("{}.{:02}", h.area_centi / 100, h.area_centi % 100);
    let use_options = ["residential", "commercial", "parking"]
        .into_iter()
        .map(|u| view! { <option value=u selected=u == h.use_kind>{use_i18n().t(&format!("house.uses.{u}"))}</option> })
        .collect_view();
    let i18n = use_i18n();
    // The desk's today, from the server (the browser's clock and zone may differ).
    let today = h.today.clone();
    let (current, past): (Vec<OccupancyView>, Vec<OccupancyView>) = h
        .occupancies
        .into_iter()
        .partition(|o| o.end_date.is_none());
    let av = add.value();
    let ev = end.value();
    let sv = status.value();
    let house_id = h.id;
    let current_rows_empty = current.is_empty();
    let past_rows_empty = past.is_empty();
    let history_rows_empty = h.history.is_empty();
    let current_rows = current
        .into_iter()
        .map(|o| {
            let today = today.clone();
            view! {
                <tr>
                    <td><a href=format!("/desk/residents/{}", o.resident_id)>{o.resident_name.clone()}</a></td>
                    <td>{use_i18n().t(&format!("occupancy.{}", o.role))}</td>
                    <td class="nowrap">{o.mobile_masked.clone()}</td>
                    <td class="nowrap">{o.start_date.clone()}</td>
                    <td>
                        <ActionForm action=end>
                            <input type="hidden" name="occupancy_id" value=o.id />
                            <label class="visually-hidden" for=format!("end-{}", o.id)>{use_i18n().t("occupancy.end_date")}</label>
                            <input type="date" id=format!("end-{}", o.id) name="end_date" value=today required=true />
                            <button type="submit">{use_i18n().f("occupancy.end", &[("name", &o.resident_name)])}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let past_rows = past
        .into_iter()
        .map(|o| {
            view! {
                <tr>
                    <td><a href=format!("/desk/residents/{}", o.resident_id)>{o.resident_name.clone()}</a></td>
                    <td>{use_i18n().t(&format!("occupancy.{}", o.role))}</td>
                    <td class="nowrap">{o.start_date.clone()}</td>
                    <td class="nowrap">{o.end_date.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let history_rows = h
        .history
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td class="nowrap">{desk_time(&c.changed_at)}</td>
                    <td>{c.from_status.as_deref().map(|s| use_i18n().t(&format!("house.status.{s}")))} " → " {use_i18n().t(&format!("house.status.{}", c.to_status))}</td>
                    <td>{c.changed_by.clone()}</td>
                    <td>{c.reason.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let status_options = HOUSE_STATUSES
        .into_iter()
        .filter(|s| *s != h.status)
        .map(|s| view! { <option value=s>{use_i18n().t(&format!("house.status.{s}"))}</option> })
        .collect_view();
    let role_options = OCCUPANCY_ROLES
        .into_iter()
        .map(|r| view! { <option value=r>{use_i18n().t(&format!("occupancy.{r}"))}</option> })
        .collect_view();
    view! {
        <p class="crumbs"><a href=format!("/desk/houses?estate={}", h.estate_id)>{h.estate_name.clone()}</a></p>
        <div class="page-head">
            <h1>{h.number.clone()} " " {status_badge(&h.status)}</h1>
            <nav class="actions">
                <a class="button primary" href=format!("/desk/houses/{}/account", h.id)>{i18n.t("billing.account")}</a>
                " "
                <a class="button" href=format!("/desk/repairs/new?estate={}&house={}", h.estate_id, h.number)>{i18n.t("repairs.new")}</a>
            </nav>
        </div>
        <dl class="facts">
            <div><dt>{i18n.t("house.building")}</dt><dd>{h.building_name.clone()}</dd></div>
            <div><dt>{i18n.t("house.entrance")}</dt><dd>{h.entrance}</dd></div>
            <div><dt>{i18n.t("house.floor")}</dt><dd>{h.floor}</dd></div>
            <div><dt>{i18n.t("house.area")}</dt><dd>{area(h.area_centi)}</dd></div>
            <div><dt>{i18n.t("house.use")}</dt><dd>{i18n.t(&format!("house.uses.{}", h.use_kind))}</dd></div>
        </dl>
        <section class="panel">
            <h2>{i18n.t("house.current_residents")}</h2>
            <FormError error=form_error(ev) />
            <div class="table-wrap flat">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("resident.name")}</th>
                            <th scope="col">{i18n.t("occupancy.role")}</th>
                            <th scope="col">{i18n.t("resident.mobile")}</th>
                            <th scope="col">{i18n.t("occupancy.start_date")}</th>
                            <th scope="col">{i18n.t("occupancy.end_label")}</th>
                        </tr>
                    </thead>
                    <tbody>{current_rows}<EmptyRow show=current_rows_empty cols=5 /></tbody>
                </table>
            </div>
        </section>
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("house.add_resident")}</h2>
                <FormError error=form_error(av) />
                <ActionForm action=add>
                    <input type="hidden" name="house_id" value=house_id />
                    <Field label=i18n.t("resident.name") name="name" required=true error=field_error(av, "name") />
                    <Field label=i18n.t("resident.mobile") name="mobile" kind="tel" required=true error=field_error(av, "mobile") />
                    <Field label=i18n.t("resident.id_number") name="id_number" hint=i18n.t("resident.id_number_hint") error=field_error(av, "id_number") />
                    <div class="field">
                        <label for="f-occ-role">{i18n.t("occupancy.role")}</label>
                        <select id="f-occ-role" name="role">{role_options}</select>
                    </div>
                    <Field label=i18n.t("occupancy.start_date") name="start_date" kind="date" value=today.clone() required=true error=field_error(av, "start_date") />
                    <button type="submit" class="primary">{i18n.t("house.add_resident")}</button>
                </ActionForm>
            </section>
            <section class="panel">
                <h2>{i18n.t("house.change_status")}</h2>
                <FormError error=form_error(sv) />
                <ActionForm action=status>
                    <input type="hidden" name="house_id" value=house_id />
                    <div class="field">
                        <label for="f-new-status">{i18n.t("house.new_status")}</label>
                        <select id="f-new-status" name="status">{status_options}</select>
                        <p class="field-error" role="alert">{move || field_error(sv, "status").get()}</p>
                    </div>
                    <Field label=i18n.t("house.reason") name="reason" />
                    <button type="submit">{i18n.t("house.change_status")}</button>
                </ActionForm>
            </section>
        </div>
        <details class="panel" open=move || matches!(fv.get(), Some(Err(_)))>
            <summary>{i18n.t("house.edit")}</summary>
            <FormError error=form_error(fv) />
            <ActionForm action=facts>
                <input type="hidden" name="id" value=house_id />
                <div class="filters">
                    <Field label=i18n.t("house.area_m2") name="area" value=area_text required=true error=field_error(fv, "area") />
                    <div class="field">
                        <label for="f-edit-use">{i18n.t("house.use")}</label>
                        <select id="f-edit-use" name="use_kind">{use_options}</select>
                    </div>
                    <button type="submit">{i18n.t("common.save")}</button>
                </div>
            </ActionForm>
        </details>
        <section class="panel">
            <h2>{i18n.t("house.history")}</h2>
            <div class="table-wrap flat">
                <table>
                    <caption>{i18n.t("house.past_residents")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("resident.name")}</th>
                            <th scope="col">{i18n.t("occupancy.role")}</th>
                            <th scope="col">{i18n.t("occupancy.start_date")}</th>
                            <th scope="col">{i18n.t("occupancy.end_label")}</th>
                        </tr>
                    </thead>
                    <tbody>{past_rows}<EmptyRow show=past_rows_empty cols=4 /></tbody>
                </table>
            </div>
            <div class="table-wrap flat">
                <table>
                    <caption>{i18n.t("house.status_history")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("audit.at")}</th>
                            <th scope="col">{i18n.t("house.status_label")}</th>
                            <th scope="col">{i18n.t("audit.actor")}</th>
                            <th scope="col">{i18n.t("house.reason")}</th>
                        </tr>
                    </thead>
                    <tbody>{history_rows}<EmptyRow show=history_rows_empty cols=4 /></tbody>
                </table>
            </div>
        </section>
    }
}

/// `/desk/residents/:id`: one resident, masked, with a reveal per field.
#[component]
pub fn ResidentPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::id_param();
    let edit = ServerAction::<super::api::UpdateResident>::new();
    let resident = Resource::new(
        move || (id(), edit.version().get()),
        |(id, _)| get_resident(id),
    );
    view! {
        <>
            <Suspense fallback=move || view! { <p class="muted">{use_i18n().t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    let i18n = use_i18n();
                    match resident.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(r) => {
                            let houses = r
                                .occupancies
                                .iter()
                                .map(|o| {
                                    view! {
                                        <tr>
                                            <td><a href=format!("/desk/houses/{}", o.house_id)>{o.house_number.clone()}</a></td>
                                            <td>{use_i18n().t(&format!("occupancy.{}", o.role))}</td>
                                            <td class="nowrap">{o.start_date.clone()}</td>
                                            <td class="nowrap">{o.end_date.clone()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                <p class="crumbs">{r.estate_name.clone()}</p>
                                <h1>{r.name.clone()}</h1>
                                <dl class="facts">
                                    <div>
                                        <dt>{i18n.t("resident.mobile")}</dt>
                                        <dd><Reveal resident_id=r.id field="mobile" masked=r.mobile_masked.clone() /></dd>
                                    </div>
                                    <div>
                                        <dt>{i18n.t("resident.id_number")}</dt>
                                        <dd>
                                            {match r.id_number_masked.clone() {
                                                Some(masked) => view! { <Reveal resident_id=r.id field="id_number" masked=masked /> }.into_any(),
                                                None => view! { <span class="muted">"—"</span> }.into_any(),
                                            }}
                                        </dd>
                                    </div>
                                </dl>
                                <ResidentEdit id=r.id name=r.name.clone() mobile=r.mobile_masked.clone() id_number=r.id_number_masked.clone().unwrap_or_default() notes=r.notes.clone() edit />
                                <section class="panel">
                                    <h2>{i18n.t("resident.houses")}</h2>
                                    <div class="table-wrap flat">
                                        <table>
                                            <thead>
                                                <tr>
                                                    <th scope="col">{i18n.t("house.number")}</th>
                                                    <th scope="col">{i18n.t("occupancy.role")}</th>
                                                    <th scope="col">{i18n.t("occupancy.start_date")}</th>
                                                    <th scope="col">{i18n.t("occupancy.end_label")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>{houses}</tbody>
                                        </table>
                                    </div>
                                </section>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
            <p class="hint">{i18n.t("resident.reveal_note")}</p>
        </>
    }
}

/// A masked value with a button that shows the full value (the reveal is audited).
#[component]
fn Reveal(resident_id: i64, field: &'static str, masked: String) -> impl IntoView {
    let reveal = ServerAction::<RevealResidentField>::new();
    let value = reveal.value();
    view! {
        {move || match value.get() {
            Some(Ok(full)) => view! { <span class="revealed">{full}</span> }.into_any(),
            Some(Err(e)) => view! { <span>{masked.clone()}</span> " " <span class="field-error">{crate::ui::error_text(&e)}</span> }.into_any(),
            None => view! {
                <span class="masked">{masked.clone()}</span>
                " "
                <span class="reveal">
                    <ActionForm action=reveal>
                        <input type="hidden" name="id" value=resident_id />
                        <input type="hidden" name="field" value=field />
                        <button type="submit" class="link">{use_i18n().t("resident.reveal")}</button>
                    </ActionForm>
                </span>
            }
            .into_any(),
        }}
    }
}

/// `/desk/import`: upload a spreadsheet of houses and residents. A plain
/// multipart form (it works before hydration); the server answers with the report.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let estates = Resource::new(|| (), |_| crate::home::api::desk_summary());
    let no_file = use_query_map().get_untracked().get("error").is_some();
    view! {
        <>
            <h1>{i18n.t("import.title")}</h1>
            <section class="panel narrow-form">
                <p>{i18n.t("import.intro")}</p>
                <p><a href="/desk/import/template.xlsx" download="">{i18n.t("import.template")}</a></p>
                {no_file.then(|| view! { <p class="form-error" role="alert">{use_i18n().t("import.no_file")}</p> })}
                <form method="post" action="/desk/import" enctype="multipart/form-data">
                    <div class="field">
                        <label for="f-import-estate">{i18n.t("estate.name")}</label>
                        <select id="f-import-estate" name="estate">
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    estates
                                        .await
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(|e| view! { <option value=e.id>{e.name}</option> })
                                        .collect_view()
                                })}
                            </Suspense>
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-import-file">{i18n.t("import.file")}</label>
                        <input id="f-import-file" name="file" type="file" accept=".xlsx,.csv" required=true />
                        <p class="hint">{i18n.t("import.file_hint")}</p>
                    </div>
                    <button type="submit" class="primary">{i18n.t("import.submit")}</button>
                </form>
            </section>
        </>
    }
}

/// `/desk/import/:id`: what an import did, or every reason it was refused.
#[component]
pub fn ImportReportPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let report = Resource::new(id, super::api::get_import);
    view! {
        <>
            <Suspense fallback=move || view! { <p class="muted">{use_i18n().t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    let i18n = use_i18n();
                    match report.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(r) if r.status == "imported" => view! {
                            <h1>{i18n.t("import.done_title")}</h1>
                            <p class="saved" role="status">
                                {i18n.f("import.done", &[
                                    ("file", &r.file_name),
                                    ("estate", &r.estate_name),
                                    ("rows", &r.row_count.to_string()),
                                    ("houses", &r.houses.to_string()),
                                    ("residents", &r.residents.to_string()),
                                    ("occupancies", &r.occupancies.to_string()),
                                    ("unchanged", &r.unchanged.to_string()),
                                ])}
                            </p>
                            <p>
                                <a class="button" href=format!("/desk/houses?estate={}", r.estate_id)>{i18n.t("house.list_title")}</a>
                                " "
                                <a class="button" href="/desk/import">{i18n.t("import.another")}</a>
                            </p>
                        }.into_any(),
                        Ok(r) => {
                            let rows = r
                                .problems
                                .iter()
                                .map(|p| view! {
                                    <tr>
                                        <td>{p.sheet.clone()}</td>
                                        <td class="num">{(p.row > 0).then_some(p.row)}</td>
                                        <td>{p.column.clone()}</td>
                                        <td>{p.reason.clone()}</td>
                                    </tr>
                                })
                                .collect_view();
                            view! {
                                <h1>{i18n.t("import.rejected_title")}</h1>
                                <p class="form-error" role="alert">
                                    {i18n.f("import.rejected", &[("file", &r.file_name), ("n", &r.problems.len().to_string())])}
                                </p>
                                <div class="table-wrap">
                                    <table>
                                        <caption>{i18n.t("import.problems")}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{i18n.t("import.sheet")}</th>
                                                <th scope="col" class="num">{i18n.t("import.row")}</th>
                                                <th scope="col">{i18n.t("import.column")}</th>
                                                <th scope="col">{i18n.t("import.reason")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <p>
                                    <a class="button" href=format!("/desk/import/{}/report.xlsx", r.id) download="">{i18n.t("import.download_report")}</a>
                                    " "
                                    <a class="button primary" href="/desk/import">{i18n.t("import.again")}</a>
                                </p>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </>
    }
}

/// Correcting a resident's details; blank mobile or ID number keeps the current one.
#[component]
fn ResidentEdit(
    id: i64,
    name: String,
    mobile: String,
    id_number: String,
    notes: String,
    edit: ServerAction<super::api::UpdateResident>,
) -> impl IntoView {
    let i18n = use_i18n();
    let v = edit.value();
    view! {
        <details class="panel" open=move || matches!(v.get(), Some(Err(_)))>
            <summary>{i18n.t("resident.edit")}</summary>
            <FormError error=form_error(v) />
            <ActionForm action=edit>
                <input type="hidden" name="id" value=id />
                <Field label=i18n.t("resident.name") name="name" value=name required=true error=field_error(v, "name") />
                <Field label=i18n.t("resident.mobile") name="mobile" kind="tel" hint=i18n.f("resident.keep_hint", &[("value", &mobile)]) error=field_error(v, "mobile") />
                <Field label=i18n.t("resident.id_number") name="id_number" hint=i18n.f("resident.keep_hint", &[("value", &id_number)]) error=field_error(v, "id_number") />
                <Field label=i18n.t("resident.notes") name="notes" value=notes />
                <button type="submit" class="primary">{i18n.t("common.save")}</button>
            </ActionForm>
        </details>
    }
}

/// Adding one house to an estate.
#[component]
fn NewHouse(estate_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<super::api::CreateHouse>::new();
    let v = create.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = v.get() {
            navigate(&format!("/desk/houses/{id}"), Default::default());
        }
    });
    let uses = ["residential", "commercial", "parking"]
        .into_iter()
        .map(|u| view! { <option value=u>{use_i18n().t(&format!("house.uses.{u}"))}</option> })
        .collect_view();
    let statuses = HOUSE_STATUSES
        .into_iter()
        .map(|s| view! { <option value=s selected=s == "vacant">{use_i18n().t(&format!("house.status.{s}"))}</option> })
        .collect_view();
    view! {
        <details class="panel" open=move || matches!(v.get(), Some(Err(_)))>
            <summary>{i18n.t("house.new")}</summary>
            <FormError error=form_error(v) />
            <ActionForm action=create>
                <input type="hidden" name="estate_id" value=estate_id />
                <div class="filters">
                    <Field label=i18n.t("house.number") name="number" required=true hint=i18n.t("house.number_hint") error=field_error(v, "number") />
                    <Field label=i18n.t("house.area_m2") name="area" required=true error=field_error(v, "area") />
                    <div class="field">
                        <label for="f-new-use">{i18n.t("house.use")}</label>
                        <select id="f-new-use" name="use_kind">{uses}</select>
                    </div>
                    <div class="field">
                        <label for="f-new-house-status">{i18n.t("house.status_label")}</label>
                        <select id="f-new-house-status" name="status">{statuses}</select>
                    </div>
                    <button type="submit" class="primary">{i18n.t("house.create")}</button>
                </div>
            </ActionForm>
        </details>
    }
}

/// `/desk/residents`: an estate's residents by name, masked, with their houses.
#[component]
pub fn ResidentListPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        (num("estate"), num("page"))
    };
    let list = Resource::new(args, |(estate, page)| {
        super::api::list_residents(estate, page)
    });
    view! {
        <>
            <h1>{i18n.t("resident.list_title")}</h1>
            <Transition fallback=move || view! { <p class="muted">{use_i18n().t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    let i18n = use_i18n();
                    let (_, page) = args();
                    match list.await {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(list) => {
                            let estate_id = list.estate_id;
                            let estates = list
                                .estates
                                .iter()
                                .map(|e| view! { <option value=e.id selected=e.id == estate_id>{e.name.clone()}</option> })
                                .collect_view();
                            let rows = list
                                .rows
                                .iter()
                                .map(|r| {
                                    let houses = r
                                        .houses
                                        .iter()
                                        .map(|(n, role)| format!("{n} {}", use_i18n().t(&format!("occupancy.{role}"))))
                                        .collect::<Vec<_>>()
                                        .join("、");
                                    view! {
                                        <tr>
                                            <td><a href=format!("/desk/residents/{}", r.id)>{r.name.clone()}</a></td>
                                            <td class="nowrap">{r.mobile_masked.clone()}</td>
                                            <td class="nowrap">{r.id_number_masked.clone()}</td>
                                            <td>{houses}</td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                <Form method="GET" action="">
                                    <div class="filters">
                                        <div class="field">
                                            <label for="f-res-estate">{i18n.t("estate.name")}</label>
                                            <select id="f-res-estate" name="estate">{estates}</select>
                                        </div>
                                        <button type="submit" class="primary">{i18n.t("common.filter")}</button>
                                    </div>
                                </Form>
                                <div class="page-head">
                                    <p class="muted">{i18n.f("resident.count", &[("n", &list.total.to_string())])}</p>
                                    <p>
                                        <a class="button" href=format!("/desk/residents.xlsx?estate={estate_id}") download="">{i18n.t("house.export")}</a>
                                    </p>
                                </div>
                                <div class="table-wrap">
                                    <table>
                                        <thead>
                                            <tr>
                                                <th scope="col">{i18n.t("resident.name")}</th>
                                                <th scope="col">{i18n.t("resident.mobile")}</th>
                                                <th scope="col">{i18n.t("resident.id_number")}</th>
                                                <th scope="col">{i18n.t("resident.houses")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <Pager page=page total=list.total />
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </>
    }
}

/// Previous / next links for a paged list; the other filters stay in the address.
#[component]
fn Pager(page: i64, total: i64) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let pages = ((total + HOUSE_PAGE_SIZE - 1) / HOUSE_PAGE_SIZE).max(1);
    // The page number comes from the address: the server showed this one.
    let (page, _) = crate::estate::rules::page_window(page, total, HOUSE_PAGE_SIZE);
    let link = move |page: i64| {
        let mut q = query.get_untracked();
        q.replace("page", page.to_string());
        q.to_query_string()
    };
    view! {
        <nav class="pager" aria-label=i18n.t("common.pages")>
            {(page > 0).then(|| view! { <a class="button" href=link(page - 1)>{use_i18n().t("common.previous")}</a> })}
            <span class="muted">{format!("{} / {}", page + 1, pages)}</span>
            {(page + 1 < pages).then(|| view! { <a class="button" href=link(page + 1)>{use_i18n().t("common.next")}</a> })}
        </nav>
    }
}
