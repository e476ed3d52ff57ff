//! `/desk/keys/counts/:id`: a count (盘点) in progress — scan or type each
//! key's tag as it is found on its hook; the list shows what is still to
//! find — and, once closed, what it found, discrepancies first.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::keys::api::{get_key_count, CloseKeyCount, TickKey};
use crate::keys::{CountOutcome, CountPage as Page};
use crate::ui::{field_error, form_error, id_param, load, Field, FormError, SignaturePad};

#[component]
pub fn CountPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let tick = ServerAction::<TickKey>::new();
    let close = ServerAction::<CloseKeyCount>::new();
    let page = Resource::new(
        move || (id(), tick.version().get(), close.version().get()),
        |(id, ..)| get_key_count(id),
    );
    view! {
        <>
            <p class="crumbs"><a href="/desk/keys">{i18n.t("keys.title")}</a></p>
            {load(move || page, move |p| view! { <CountView p tick close /> })}
        </>
    }
}

fn outcome_class(o: CountOutcome) -> &'static str {
    match o {
        CountOutcome::Found => "on",
        CountOutcome::OnLoan => "off",
        _ => "overdue",
    }
}

#[component]
fn CountView(
    p: Page,
    tick: ServerAction<TickKey>,
    close: ServerAction<CloseKeyCount>,
) -> impl IntoView {
    let i18n = use_i18n();
    let tv = tick.value();
    let cv = close.value();
    let open = p.closed_at.is_none();
    let count_id = p.id;
    let last = move || {
        tv.get().and_then(|r| r.ok()).map(|o| {
            view! { <p class="saved" role="status"><span class=format!("badge {}", outcome_class(o))>{use_i18n().t(o.key())}</span></p> }
        })
    };
    let to_find = p.expected.iter().filter(|e| !e.ticked && !e.out).count();
    let expected = p
        .expected
        .iter()
        .map(|e| {
            let state = if e.ticked {
                ("on", "keys.count_ticked")
            } else if e.out {
                ("off", "keys.count.on_loan")
            } else {
                ("overdue", "keys.count_to_find")
            };
            view! {
                <tr>
                    <td class="nowrap">{e.hook.clone()}</td>
                    <td class="nowrap">{e.tag.clone()}</td>
                    <td>{e.opens.clone()}</td>
                    <td><span class=format!("badge {}", state.0)>{use_i18n().t(state.1)}</span></td>
                </tr>
            }
        })
        .collect_view();
    let mut lines = p.lines.clone();
    lines.sort_by_key(|l| matches!(l.outcome, CountOutcome::Found | CountOutcome::OnLoan));
    let lines = lines
        .into_iter()
        .map(|l| {
            view! {
                <tr>
                    <td class="nowrap">{l.tag.clone()}</td>
                    <td class="nowrap">{l.hook.clone().unwrap_or_default()}</td>
                    <td>{l.opens.clone()}</td>
                    <td><span class=format!("badge {}", outcome_class(l.outcome))>{use_i18n().t(l.outcome.key())}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>{i18n.f("keys.count_title", &[("cabinet", &p.cabinet)])}</h1>
        <p class="muted">
            {i18n.f("keys.count_started", &[("at", &p.started_at), ("by", &p.started_by)])}
            {p.closed_at.clone().map(|at| view! { " · " {use_i18n().f("keys.count_closed_at", &[("at", &at), ("by", &p.signed_name.clone().unwrap_or_default())])} })}
        </p>
        {open.then(|| view! {
            <section class="panel action-panel">
                <h2>{use_i18n().f("keys.count_left", &[("n", &to_find.to_string())])}</h2>
                <FormError error=Signal::derive(move || form_error(tv).get().filter(|e| e.field_message("tag").is_none() && e.field_message("hook").is_none())) />
                {last}
                <ActionForm action=tick>
                    <input type="hidden" name="count_id" value=count_id />
                    <div class="pair">
                        <Field label=use_i18n().t("keys.scan") name="tag" autocomplete="off" autofocus=true error=field_error(tv, "tag") />
                        <Field label=use_i18n().t("keys.count_hook") name="hook" hint=use_i18n().t("keys.count_hook_hint") error=field_error(tv, "hook") />
                    </div>
                    <button type="submit" class="primary">{use_i18n().t("keys.count_tick")}</button>
                </ActionForm>
            </section>
        })}
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("keys.count_expected")}</h2>
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th>{i18n.t("keys.hook")}</th><th>{i18n.t("keys.tag")}</th>
                            <th>{i18n.t("keys.opens")}</th><th>{i18n.t("keys.status_label")}</th>
                        </tr></thead>
                        <tbody>{expected}</tbody>
                    </table>
                </div>
            </section>
            <div>
                <section class="panel">
                    <h2>{i18n.t("keys.count_lines")}</h2>
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th>{i18n.t("keys.tag")}</th><th>{i18n.t("keys.hook")}</th>
                                <th>{i18n.t("keys.opens")}</th><th>{i18n.t("keys.count_result")}</th>
                            </tr></thead>
                            <tbody>{lines}<crate::ui::EmptyRow show=p.lines.is_empty() cols=4 /></tbody>
                        </table>
                    </div>
                </section>
                {open.then(|| view! {
                    <section class="panel action-panel">
                        <h2>{use_i18n().t("keys.count_close")}</h2>
                        <p class="hint">{use_i18n().t("keys.count_close_hint")}</p>
                        <FormError error=form_error(cv) />
                        <ActionForm action=close>
                            <input type="hidden" name="count_id" value=count_id />
                            <Field label=use_i18n().t("keys.signed_name") name="signed_name" error=field_error(cv, "signed_name") />
                            <SignaturePad label=use_i18n().t("keys.count_signature") name="signature" error=field_error(cv, "signature") />
                            <label class="check"><input type="checkbox" name="signed_on_paper" value="1" />{use_i18n().t("keys.count_signed_paper")}</label>
                            <button type="submit" class="danger">{use_i18n().t("keys.count_close")}</button>
                        </ActionForm>
                    </section>
                })}
            </div>
        </div>
    }
}
