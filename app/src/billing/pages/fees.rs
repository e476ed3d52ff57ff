//! The fee setup page (`/desk/fees`): an estate's fee items with their
//! rates, the forms to add an item or a rate, and the late-fee policy.

use leptos::prelude::*;

use crate::billing::api::{get_fee_setup, AddFeeRate, CreateFeeItem, SetLateFeePolicy};
use crate::billing::{FeeKind, FeeSetup, RateUse};
use crate::i18n::use_i18n;
use crate::ui::{
    field_error, form_error, load, query_num, EstatePicker, Field, FormError, SelectField,
};

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
            {load(move || setup, move |s| view! { <FeeSetupView s create rate policy rate_item /> })}
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
                            <strong>{r.rate.clone()}</strong> " " {i18n.t(item.kind.unit_key())}
                            " · " {i18n.t(r.use_kind.key())}
                            " · " {r.effective_from.clone()} " → " {r.effective_to.clone().unwrap_or_else(|| i18n.t("billing.open_ended"))}
                        </li>
                    }
                })
                .collect_view();
            let uses = RateUse::ALL
                .iter()
                .map(|u| view! { <option value=u.as_str()>{use_i18n().t(u.key())}</option> })
                .collect_view();
            let id = item.id;
            let from = first_of_month.clone();
            view! {
                <section class="panel" on:submit=move |_| rate_item.set(id)>
                    <h2>{item.name.clone()} " " <span class="badge">{i18n.t(item.kind.key())}</span>
                        {(item.held == 1).then(|| view! { " " <span class="badge held">{use_i18n().t("billing.held")}</span> })}
                    </h2>
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
    let kinds = FeeKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str()>{use_i18n().t(k.key())}</option> })
        .collect_view();
    // A deposit: a one-off whose money is held (no late fee, no arrears, never spent by the prepaid balance).
    let deposit = view! { <option value=crate::billing::DEPOSIT>{use_i18n().t("billing.kind_deposit")}</option> };
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
                        <SelectField label=use_i18n().t("billing.kind_label") name="kind" error=field_error(cv, "kind")>{kinds}{deposit}</SelectField>
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
