//! A cabinet as a map of its hooks (`/desk/keys/cabinets/:id`): in, out,
//! overdue and lost at a glance; and the setup of cabinets and keys
//! (`/desk/keys/setup`, managers and admins).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::keys::api::{get_cabinet, get_key_setup, AddKeyCabinet, RegisterKey};
use crate::keys::{CabinetMap, CopyStatus, KeyKind, KeySetup};
use crate::ui::{
    field_error, form_error, id_param, load, query_num, EstatePicker, Field, FormError, SelectField,
};

#[component]
pub fn CabinetPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let map = Resource::new(id, get_cabinet);
    view! {
        <>
            <p class="crumbs"><a href="/desk/keys">{i18n.t("keys.title")}</a></p>
            {load(move || map, move |m| {
                let desk = m.desk;
                view! { <Map m /> {desk.then(|| view! { <CabinetCounts cabinet_id=id() /> })} }
            })}
        </>
    }
}

#[component]
fn Map(m: CabinetMap) -> impl IntoView {
    let i18n = use_i18n();
    let cols = usize::try_from(m.cols.max(1)).unwrap_or(1);
    let hook_views: Vec<_> = m
        .hooks
        .into_iter()
        .map(|h| {
            let (class, title) = match &h.key {
                None => ("hook empty".to_string(), String::new()),
                Some(k) => {
                    let overdue = k.loan.as_ref().is_some_and(|l| l.overdue);
                    let state = if overdue {
                        "overdue"
                    } else {
                        k.status.as_str()
                    };
                    (format!("hook {state}"), k.opens.clone())
                }
            };
            let label = h.label.clone();
            match h.key {
                None => view! { <li class=class><span class="hook-label">{label}</span></li> }
                    .into_any(),
                Some(k) => {
                    let status = if k.loan.as_ref().is_some_and(|l| l.overdue) {
                        use_i18n().t("keys.overdue")
                    } else {
                        use_i18n().t(k.status.key())
                    };
                    view! {
                        <li class=class>
                            <a href=format!("/desk/keys/{}", k.copy_id) title=title>
                                <span class="hook-label">{label}</span>
                                <span class="hook-opens">{k.opens.clone()}</span>
                                <span class="hook-tag">{k.tag.clone()}</span>
                                <span class="hook-state">{status}</span>
                            </a>
                        </li>
                    }
                    .into_any()
                }
            }
        })
        .collect();
    // Row by row, as the cabinet hangs (no inline style: the page's policy forbids it).
    let mut hook_views = hook_views.into_iter().peekable();
    let mut rows = Vec::new();
    while hook_views.peek().is_some() {
        let row: Vec<_> = hook_views.by_ref().take(cols).collect();
        rows.push(view! { <li class="cabinet-row"><ol>{row}</ol></li> });
    }
    let legend = [CopyStatus::InCabinet, CopyStatus::Out]
        .into_iter()
        .map(|s| view! { <span class=format!("hook-key {}", s.as_str())>{use_i18n().t(s.key())}</span> })
        .collect_view();
    view! {
        <div class="page-head">
            <h1>{m.name.clone()}</h1>
            <nav class="actions">
                <a class="button" href=format!("/desk/keys/cabinets/{}/labels", m.id)>{i18n.t("keys.print_labels")}</a>
            </nav>
        </div>
        {(!m.place.is_empty()).then(|| view! { <p class="muted">{m.place.clone()}</p> })}
        <p class="legend">
            {legend}
            <span class="hook-key overdue">{i18n.t("keys.overdue")}</span>
            <span class="hook-key lost">{i18n.t(CopyStatus::Lost.key())}</span>
        </p>
        <ol class="cabinet">{rows}</ol>
    }
}

/// `/desk/keys/setup`: cabinets, and registering a key with its copies.
#[component]
pub fn KeySetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let refresh = RwSignal::new(0u32);
    let setup = Resource::new(move || (estate(), refresh.get()), |(e, _)| get_key_setup(e));
    view! {
        <>
            <p class="crumbs"><a href="/desk/keys">{i18n.t("keys.title")}</a></p>
            <h1>{i18n.t("keys.setup_title")}</h1>
            {load(move || setup, move |s| view! { <Setup s refresh /> })}
        </>
    }
}

#[component]
fn Setup(s: KeySetup, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddKeyCabinet>::new();
    let av = add.value();
    let register = ServerAction::<RegisterKey>::new();
    let rv = register.value();
    Effect::new(move |_| {
        if matches!(av.get(), Some(Ok(_))) || matches!(rv.get(), Some(Ok(_))) {
            refresh.update(|r| *r += 1);
        }
    });
    let e = s.estate_id;
    let cabinets = s
        .cabinets
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td><a href=format!("/desk/keys/cabinets/{}", c.id)>{c.name.clone()}</a></td>
                    <td>{c.place.clone()}</td>
                    <td class="num">{format!("{} × {}", c.rows, c.cols)}</td>
                    <td class="num">{c.keys}</td>
                    <td>{c.free_hook.map(|h| crate::keys::rules::hook_label(h, c.cols)).unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    let first_free = s
        .cabinets
        .first()
        .and_then(|c| {
            c.free_hook
                .map(|h| crate::keys::rules::hook_label(h, c.cols))
        })
        .unwrap_or_default();
    let cabinet_options = s
        .cabinets
        .iter()
        .map(|c| view! { <option value=c.id>{c.name.clone()}</option> })
        .collect_view();
    let locations = s
        .locations
        .iter()
        .map(|l| view! { <option value=l.id>{l.name.clone()}</option> })
        .collect_view();
    let kinds = KeyKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str()>{use_i18n().t(k.key())}</option> })
        .collect_view();
    let registered = move || {
        rv.get().and_then(|r| r.ok()).map(|id| {
            view! { <p class="saved">{use_i18n().t("keys.registered")} " " <a href=format!("/desk/keys/{id}")>{use_i18n().t("keys.open_key")}</a></p> }
        })
    };
    view! {
        <EstatePicker estates=s.estates.clone() chosen=e />
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("keys.register_title")}</h2>
                {registered}
                <FormError error=form_error(rv) />
                <ActionForm action=register>
                    <input type="hidden" name="estate_id" value=e />
                    <SelectField label=i18n.t("keys.kind_label") name="kind" error=field_error(rv, "kind")>{kinds}</SelectField>
                    <div class="pair">
                        <Field label=i18n.t("keys.house_number") name="house_number" hint=i18n.t("keys.house_hint") error=field_error(rv, "house_number") />
                        <SelectField label=i18n.t("keys.location") name="location_id" hint=i18n.t("keys.location_hint") error=field_error(rv, "location_id")>
                            <option value="">"—"</option>
                            {locations}
                        </SelectField>
                    </div>
                    <div class="pair">
                        <SelectField label=i18n.t("keys.cabinet") name="cabinet_id" error=field_error(rv, "cabinet_id")>{cabinet_options}</SelectField>
                        <Field label=i18n.t("keys.hook") name="hook" value=first_free error=field_error(rv, "hook") />
                        <Field label=i18n.t("keys.copies_n") name="copies" kind="number" value="1" error=field_error(rv, "copies")
                            hint=if s.may_add_copies { i18n.t("keys.copies_hint") } else { i18n.t("keys.copies_manager_hint") } />
                    </div>
                    <Field label=i18n.t("keys.reason") name="reason" error=field_error(rv, "reason") />
                    <Field label=i18n.t("keys.note") name="note" error=field_error(rv, "note") />
                    <button type="submit" class="primary">{i18n.t("keys.register")}</button>
                </ActionForm>
            </section>
            <section class="panel">
                <h2>{i18n.t("keys.cabinets")}</h2>
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th>{i18n.t("keys.cabinet")}</th>
                            <th>{i18n.t("keys.place")}</th>
                            <th class="num">{i18n.t("keys.hooks")}</th>
                            <th class="num">{i18n.t("keys.keys_n")}</th>
                            <th>{i18n.t("keys.free_hook")}</th>
                        </tr></thead>
                        <tbody>{cabinets}<crate::ui::EmptyRow show=s.cabinets.is_empty() cols=5 /></tbody>
                    </table>
                </div>
                <div class:hidden=!s.can_manage>
                <h3>{i18n.t("keys.add_cabinet")}</h3>
                <FormError error=form_error(av) />
                <ActionForm action=add>
                    <input type="hidden" name="estate_id" value=e />
                    <Field label=i18n.t("keys.cabinet_name") name="name" error=field_error(av, "name") />
                    <Field label=i18n.t("keys.place") name="place" error=field_error(av, "place") />
                    <div class="pair">
                        <Field label=i18n.t("keys.rows") name="rows" kind="number" value="4" error=field_error(av, "rows") />
                        <Field label=i18n.t("keys.cols") name="cols" kind="number" value="10" error=field_error(av, "cols") />
                    </div>
                    <button type="submit">{i18n.t("keys.add_cabinet")}</button>
                </ActionForm>
                </div>
            </section>
        </div>
    }
}

/// A cabinet's counts (盘点), and starting one.
#[component]
fn CabinetCounts(cabinet_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<crate::keys::api::StartKeyCount>::new();
    let sv = start.value();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = sv.get() {
            navigate(&format!("/desk/keys/counts/{id}"), Default::default());
        }
    });
    let counts = Resource::new(move || cabinet_id, crate::keys::api::get_cabinet_counts);
    view! {
        <section class="panel">
            <h2>{i18n.t("keys.counts_title")}</h2>
            <FormError error=form_error(sv) />
            <ActionForm action=start attr:class="inline-form">
                <input type="hidden" name="cabinet_id" value=cabinet_id />
                <button type="submit" class="primary">{i18n.t("keys.count_start")}</button>
            </ActionForm>
            {load(move || counts, move |rows| view! {
                <ul class="reports">
                    {rows.into_iter().map(|c| view! {
                        <li>
                            <a href=format!("/desk/keys/counts/{}", c.id)>{c.started_at.clone()}</a> " · "
                            {match c.closed_at.clone() {
                                Some(at) => use_i18n().f("keys.count_closed_at", &[("at", &at), ("by", &c.signed_name.clone().unwrap_or_default())]),
                                None => use_i18n().t("keys.count_open"),
                            }}
                            {(c.discrepancies > 0).then(|| view! { " " <span class="badge overdue">{use_i18n().f("keys.count_discrepancies", &[("n", &c.discrepancies.to_string())])}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
