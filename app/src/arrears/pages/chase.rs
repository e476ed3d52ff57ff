//! A house's chase (`/desk/arrears/house/:id`): what it owes today by age,
//! the form that records an action (phone, SMS, WeChat, notice, visit) with
//! its outcome — a promise needs its day and amount, a dispute its reason —
//! and the next follow-up, and the log; and each clerk's follow-ups
//! (`/desk/arrears/follow-ups`): today's and the overdue ones, and the
//! promises broken, each a link to the house's chase.

use leptos::prelude::*;

use crate::arrears::api::{get_follow_ups, get_house_chase, RecordChase};
use crate::arrears::{Bucket, ChaseAction, ChaseEntry, FollowUp, FollowUps, HouseChase, Outcome};
use crate::common::Fen;
use crate::i18n::use_i18n;
use crate::ui::{
    field_error, form_error, id_param, load, query_num, query_text, reload_on_success, EmptyRow,
    EstatePicker, Field, FormError, SelectField, TextareaField,
};

#[component]
pub fn HouseChasePage() -> impl IntoView {
    let id = id_param();
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(move || (id(), refresh.get()), |(id, _)| get_house_chase(id));
    view! { {load(move || data, move |c| view! { <ChaseView c refresh /> })} }
}

/// An entry's outcome in words: the promise with its day and amount (and
/// whether it was broken), the dispute's reason.
#[component]
fn OutcomeText(e: ChaseEntry) -> impl IntoView {
    let i18n = use_i18n();
    let Some(o) = e.outcome else {
        return view! { <span class="muted">"—"</span> }.into_any();
    };
    let words = match o {
        Outcome::Promised => i18n.f(
            "arrears.promise_text",
            &[
                ("amount", &Fen(e.promise_fen.unwrap_or_default()).text()),
                ("date", &e.promise_date.clone().unwrap_or_default()),
            ],
        ),
        Outcome::Disputed => format!("{}：{}", i18n.t(o.key()), e.reason),
        other => i18n.t(other.key()),
    };
    view! {
        <span>{words}</span>
        {e.broken.then(|| view! { " " <span class="badge overdue">{use_i18n().t("arrears.broken")}</span> })}
    }
    .into_any()
}

#[component]
fn ChaseView(c: HouseChase, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let record = ServerAction::<RecordChase>::new();
    let v = record.value();
    reload_on_success(v, refresh);
    let outcome = RwSignal::new(String::new());
    let ages = Bucket::ALL
        .iter()
        .zip(&c.owed.buckets)
        .filter(|(_, cell)| cell.fen > 0)
        .map(|(b, cell)| view! { <div><dt>{use_i18n().t(b.key())}</dt><dd>{Fen(cell.fen).text()}</dd></div> })
        .collect_view();
    let actions = ChaseAction::ALL
        .iter()
        .map(|a| view! { <option value=a.as_str()>{use_i18n().t(a.key())}</option> })
        .collect_view();
    let outcomes = Outcome::ALL
        .iter()
        .map(|o| view! { <option value=o.as_str()>{use_i18n().t(o.key())}</option> })
        .collect_view();
    let empty = c.entries.is_empty();
    let log = c
        .entries
        .iter()
        .map(|e| {
            view! {
                <tr class:late=e.broken>
                    <td class="nowrap">{e.at.clone()}</td>
                    <td>{use_i18n().t(e.action.key())}</td>
                    <td><OutcomeText e=e.clone() /></td>
                    <td>{e.note.clone()}</td>
                    <td class="nowrap">{e.follow_up_on.clone().unwrap_or_else(|| "—".into())}</td>
                    <td>{e.by.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let house_id = c.house_id;
    view! {
        <>
            <p class="crumbs">
                <a href=format!("/desk/arrears/follow-ups?estate={}", c.estate_id)>{i18n.t("arrears.follow_ups")}</a>
                " · " <a href=format!("/desk/houses/{house_id}")>{c.number.clone()}</a>
            </p>
            <h1>{i18n.f("arrears.chase_title", &[("house", &c.number)])}</h1>
            <dl class="facts">
                <div><dt>{i18n.t("arrears.owed_now")}</dt><dd><strong>{Fen(c.owed.total.fen).text()}</strong></dd></div>
                {ages}
                <div><dt>{i18n.t("arrears.late_fees")}</dt><dd>{Fen(c.owed.late_fee_fen).text()}</dd></div>
                <div><dt>{i18n.t("arrears.oldest_days")}</dt><dd>{c.owed.oldest_days}</dd></div>
            </dl>
            <p><a class="button" href=format!("/desk/houses/{house_id}/account")>{i18n.t("billing.account")}</a></p>
            <section class="panel action-panel">
                <h2>{i18n.t("arrears.record")}</h2>
                <FormError error=form_error(v) />
                <ActionForm action=record>
                    <input type="hidden" name="house_id" value=house_id />
                    <div class="pair">
                        <SelectField label=i18n.t("arrears.action_label") name="action" error=field_error(v, "action")>
                            {actions}
                        </SelectField>
                        <div class="field">
                            <label for="f-outcome">{i18n.t("arrears.outcome_label")}</label>
                            <select id="f-outcome" name="outcome" on:change=move |ev| outcome.set(event_target_value(&ev))>
                                <option value="">{i18n.t("arrears.no_outcome")}</option>
                                {outcomes}
                            </select>
                            <p class="field-error" role="alert">{move || field_error(v, "outcome").get()}</p>
                        </div>
                    </div>
                    <div class="pair" class:hidden=move || outcome.get() != "promised">
                        <Field label=i18n.t("arrears.promise_date") name="promise_date" kind="date" error=field_error(v, "promise_date") />
                        <Field label=i18n.t("arrears.promise_amount") name="promise_amount" error=field_error(v, "promise_amount") />
                    </div>
                    <div class:hidden=move || outcome.get() != "disputed">
                        <Field label=i18n.t("arrears.reason") name="reason" error=field_error(v, "reason")
                            hint=i18n.t("arrears.reason_hint") />
                    </div>
                    <TextareaField label=i18n.t("arrears.note") name="note" rows=2 error=field_error(v, "note") />
                    <Field label=i18n.t("arrears.follow_up_date") name="follow_up_date" kind="date" value=c.follow_up_default.clone()
                        error=field_error(v, "follow_up_date") hint=i18n.t("arrears.follow_up_hint") />
                    <button type="submit" class="primary">{i18n.t("arrears.save")}</button>
                </ActionForm>
            </section>
            <h2>{i18n.t("arrears.log")}</h2>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("arrears.at")}</th>
                            <th scope="col">{i18n.t("arrears.action_label")}</th>
                            <th scope="col">{i18n.t("arrears.outcome_label")}</th>
                            <th scope="col">{i18n.t("arrears.note")}</th>
                            <th scope="col">{i18n.t("arrears.follow_up_date")}</th>
                            <th scope="col">{i18n.t("arrears.by")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {log}
                        <EmptyRow show=empty cols=6 />
                    </tbody>
                </table>
            </div>
        </>
    }
}

#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let i18n = use_i18n();
    let estate = query_num("estate");
    let all = query_text("all");
    let data = Resource::new(
        move || (estate(), all() == "1"),
        |(e, all)| get_follow_ups(e, all),
    );
    view! {
        <>
            <h1>{i18n.t("arrears.follow_ups")}</h1>
            {load(move || data, move |f| view! { <FollowUpsView f /> })}
        </>
    }
}

/// A list of houses to follow up.
#[component]
fn FollowUpTable(rows: Vec<FollowUp>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = rows.is_empty();
    let body = rows
        .into_iter()
        .map(|r| {
            let last = r.last.clone();
            view! {
                <tr class:late=r.overdue || r.last.broken>
                    <th scope="row"><a href=format!("/desk/arrears/house/{}", r.house_id)>{r.number.clone()}</a></th>
                    <td class="num">{Fen(r.owed_fen).text()}</td>
                    <td class="num">{Fen(r.late_fee_fen).text()}</td>
                    <td>{last.at.clone()} " · " {use_i18n().t(last.action.key())} " · " <OutcomeText e=last.clone() /></td>
                    <td class="nowrap">{last.follow_up_on.clone().unwrap_or_else(|| "—".into())}
                        {r.overdue.then(|| view! { " " <span class="badge overdue">{use_i18n().t("arrears.follow_up_overdue")}</span> })}</td>
                    <td>{last.by.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("arrears.house")}</th>
                        <th scope="col" class="num">{i18n.t("arrears.owed_now")}</th>
                        <th scope="col" class="num">{i18n.t("arrears.late_fees")}</th>
                        <th scope="col">{i18n.t("arrears.last_action")}</th>
                        <th scope="col">{i18n.t("arrears.follow_up_date")}</th>
                        <th scope="col">{i18n.t("arrears.by")}</th>
                    </tr>
                </thead>
                <tbody>
                    {body}
                    <EmptyRow show=empty cols=6 />
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn FollowUpsView(f: FollowUps) -> impl IntoView {
    let i18n = use_i18n();
    let e = f.estate_id;
    let (mine_class, all_class) = if f.mine {
        ("button primary", "button")
    } else {
        ("button", "button primary")
    };
    view! {
        <EstatePicker estates=f.estates.clone() chosen=f.estate_id />
        <p class="filters">
            <a class=mine_class href=format!("/desk/arrears/follow-ups?estate={e}")>{i18n.t("arrears.mine")}</a>
            " " <a class=all_class href=format!("/desk/arrears/follow-ups?estate={e}&all=1")>{i18n.t("arrears.everyone")}</a>
            " " <a class="button" href=format!("/desk/arrears?estate={e}")>{i18n.t("arrears.title")}</a>
        </p>
        <h2>{i18n.f("arrears.due_today", &[("date", &f.today), ("n", &f.due.len().to_string())])}</h2>
        <FollowUpTable rows=f.due.clone() />
        <h2>{i18n.f("arrears.broken_title", &[("n", &f.broken.len().to_string())])}</h2>
        <FollowUpTable rows=f.broken.clone() />
    }
}
