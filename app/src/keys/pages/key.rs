//! `/desk/keys/:id`: one copy — where it is, who has it, since when and who
//! allowed it — with the counter's forms on offer (check-out, return, the
//! owner's authorisation, a backup copy), its loans and the key log. The
//! check-out and return forms also work on a 360 px phone.

use leptos::prelude::*;

use super::{KeyStatusBadge, Served};

use crate::i18n::use_i18n;
use crate::keys::api::{
    get_key, AddKeyCopy, AuthoriseKey, HandKeyBack, LendKey, RecordLockChange, ReportKeyLost,
    RetireKey, ReturnKey,
};
use crate::keys::{
    AuthScope, AuthorisationView, Condition, KeyKind, KeyPage as Page, LendChoices, LoanView,
    OpenLoss, Purpose, TakerKind,
};
use crate::ui::{
    field_error, form_error, id_param, load, reload_on_success, Field, FormError, SelectField,
    SignaturePad, TextareaField,
};

#[component]
pub fn KeyPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(move || (id(), refresh.get()), |(id, _)| get_key(id));
    view! {
        <>
            <p class="crumbs"><a href="/desk/keys">{i18n.t("keys.title")}</a></p>
            {load(move || page, move |p| view! { <KeyView p refresh /> })}
        </>
    }
}

#[component]
fn KeyView(p: Page, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let k = p.key.clone();
    let overdue = k.loan.as_ref().is_some_and(|l| l.overdue);
    let copy_id = k.copy_id.get();
    let house_link = k
        .house_id
        .map(|h| view! { <a href=format!("/desk/houses/{h}")>{k.opens.clone()}</a> }.into_any())
        .unwrap_or_else(|| view! { <span>{k.opens.clone()}</span> }.into_any());
    let copies = p
        .copies
        .iter()
        .map(|c| {
            let over = c.loan.as_ref().is_some_and(|l| l.overdue);
            view! {
                <li>
                    <a href=format!("/desk/keys/{}", c.copy_id) aria-current=(c.copy_id == k.copy_id).then_some("page")>{c.tag.clone()}</a>
                    " " {format!("{} {}", c.cabinet, c.hook)} " "
                    <KeyStatusBadge status=c.status overdue=over />
                    {(c.copy_no > 1).then(|| view! { " " <span class="badge off">{use_i18n().t("keys.backup")}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="page-head">
            <h1>{i18n.f("keys.key_title", &[("tag", &k.tag)])} " " <KeyStatusBadge status=k.status overdue /></h1>
        </div>
        <dl class="facts">
            <div><dt>{i18n.t("keys.opens")}</dt><dd>{house_link}</dd></div>
            <div><dt>{i18n.t("keys.kind_label")}</dt><dd>{i18n.t(k.kind.key())}</dd></div>
            <div><dt>{i18n.t("keys.hook")}</dt><dd>{format!("{} {}", k.cabinet, k.hook)}</dd></div>
            {(!p.note.is_empty()).then(|| view! { <div><dt>{use_i18n().t("keys.note")}</dt><dd>{p.note.clone()}</dd></div> })}
        </dl>
        <div class="columns">
            <div>
                {p.open_loan.clone().map(|l| view! { <OpenLoan l desk=p.desk /> })}
                {p.can_return.then(|| view! { <ReturnForm copy_id taker=p.open_loan.as_ref().map(|l| l.taker.clone()).unwrap_or_default() refresh /> })}
                {p.lend.clone().map(|c| view! { <LendForm copy_id choices=c refresh /> })}
                {p.open_loss.clone().map(|l| view! { <LockChangeForm copy_id loss=l refresh /> })}
                <LoanHistory loans=p.loans.clone() />
                {p.can_report_lost.then(|| view! { <LostForm copy_id refresh /> })}
                {p.can_retire.then(|| view! { <RetireForm copy_id refresh /> })}
            </div>
            <div>
                {(k.kind == KeyKind::Entrusted).then(|| view! { <AuthorisationPanel a=p.authorisation.clone() owners=p.owners.clone() copy_id desk=p.desk refresh /> })}
                {(k.kind == KeyKind::Entrusted && p.lend.is_some()).then(|| view! { <HandBackForm copy_id owners=p.owners.clone() refresh /> })}
                <section class="panel">
                    <h2>{i18n.t("keys.copies")}</h2>
                    <ul class="copies">{copies}</ul>
                    {p.can_manage.then(|| view! { <CopyForm copy_id refresh /> })}
                </section>
                <section class="panel">
                    <h2>{i18n.t("keys.log_title")}</h2>
                    <ol class="timeline">
                        {p.history.iter().map(|h| view! {
                            <li>
                                <span class="muted nowrap">{h.at.clone()}</span> " "
                                <strong>{use_i18n().t(h.entry.key())}</strong> " "
                                {h.copy_tag.clone().unwrap_or_default()} " · " {h.actor.clone()}
                                {(!h.note.is_empty()).then(|| view! { <br /> <span>{h.note.clone()}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            </div>
        </div>
    }
}

/// The loan out now: who, for what, since when, until when, who allowed it.
#[component]
fn OpenLoan(l: LoanView, desk: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel loan-open" class:late=l.overdue>
            <h2>{i18n.t("keys.out_now")}</h2>
            <dl class="facts-list">
                <dt>{i18n.t("keys.taker_label")}</dt>
                <dd><strong>{l.taker.clone()}</strong> " · " {i18n.t(l.taker_kind.key())}
                    {(!l.taker_phone.is_empty()).then(|| view! { " · " <span class="masked">{l.taker_phone.clone()}</span> })}
                    {l.taker_id_number.clone().map(|n| view! { " · " <span class="masked">{n}</span> })}
                </dd>
                <dt>{i18n.t("keys.purpose_label")}</dt>
                <dd>{i18n.t(l.purpose.key())}
                    <Served ticket_id=l.ticket_id renovation=l.renovation.clone() />
                    {(!l.note.is_empty()).then(|| view! { " · " {l.note.clone()} })}
                </dd>
                <dt>{i18n.t("keys.out_at")}</dt><dd>{l.out_at.clone()}</dd>
                <dt>{i18n.t("keys.due")}</dt>
                <dd>{l.due_at.clone().unwrap_or_default()}
                    {l.overdue.then(|| view! { " " <span class="badge overdue">{use_i18n().t("keys.overdue")}</span> })}
                </dd>
                <dt>{i18n.t("keys.authorised_by")}</dt><dd>{l.authorised_by.clone()}</dd>
                <dt>{i18n.t("keys.lent_by")}</dt><dd>{l.lent_by.clone()}</dd>
                <dt>{i18n.t("keys.signed")}</dt>
                <dd>{if l.signed_on_paper { i18n.t("keys.signed_paper") } else { i18n.t("keys.signed_screen") }}
                    {(desk && l.has_signature).then(|| view! {
                        <br /><img class="signature-img" src=format!("/keys/loans/{}/signature", l.id) alt=use_i18n().t("keys.signature") />
                    })}
                </dd>
            </dl>
        </section>
    }
}

/// 领用: the check-out form.
#[component]
fn LendForm(copy_id: i64, choices: LendChoices, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let lend = ServerAction::<LendKey>::new();
    let v = lend.value();
    reload_on_success(v, refresh);
    let kind = RwSignal::new(TakerKind::Staff);
    // A repair when the key's place has an open ticket, else the works under
    // a permit in force, else an inspection.
    let first = if !choices.tickets.is_empty() {
        Purpose::Repair
    } else if !choices.renovations.is_empty() {
        Purpose::Renovation
    } else {
        Purpose::Inspection
    };
    let no_renovations = choices.renovations.is_empty();
    let renovations = choices
        .renovations
        .iter()
        .map(|r| view! { <option value=r.id>{r.name.clone()}</option> })
        .collect_view();
    let purpose = RwSignal::new(first);
    let me = choices.me_authoriser;
    let outsider = move || kind.get() != TakerKind::Staff;
    let staff = choices
        .staff
        .iter()
        .map(|s| view! { <option value=s.id>{s.name.clone()}</option> })
        .collect_view();
    let authorisers = choices
        .authorisers
        .iter()
        .map(|a| view! { <option value=a.id selected=Some(a.id) == me>{a.name.clone()}</option> })
        .collect_view();
    let no_tickets = choices.tickets.is_empty();
    let tickets = choices
        .tickets
        .iter()
        .map(|t| view! { <option value=t.id>{t.name.clone()}</option> })
        .collect_view();
    let kinds = TakerKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str()>{use_i18n().t(k.key())}</option> })
        .collect_view();
    let purposes = Purpose::LEND
        .iter()
        .map(|p| view! { <option value=p.as_str() selected=*p == first>{use_i18n().t(p.key())}</option> })
        .collect_view();
    view! {
        <section class="panel action-panel lend-form">
            <h2>{i18n.t("keys.lend_title")}</h2>
            <FormError error=form_error(v) />
            <ActionForm action=lend>
                <input type="hidden" name="copy_id" value=copy_id />
                <div class="pair">
                    <div class="field">
                        <label for="f-taker_kind">{i18n.t("keys.taker_kind")}</label>
                        <select id="f-taker_kind" name="taker_kind"
                            on:change=move |ev| { if let Some(k) = TakerKind::parse(&event_target_value(&ev)) { kind.set(k) } }>
                            {kinds}
                        </select>
                    </div>
                    <div class:hidden=outsider>
                        <SelectField label=i18n.t("keys.staff") name="taker_account_id" error=field_error(v, "taker_account_id")>
                            {staff}
                        </SelectField>
                    </div>
                </div>
                <div class="pair" class:hidden=move || !outsider()>
                    <Field label=i18n.t("keys.taker_name") name="taker_name" autocomplete="off" error=field_error(v, "taker_name") />
                    <Field label=i18n.t("keys.taker_phone") name="taker_phone" kind="tel" autocomplete="off" error=field_error(v, "taker_phone") />
                    <Field label=i18n.t("keys.taker_id_number") name="taker_id_number" autocomplete="off"
                        hint=i18n.t("keys.id_hint") error=field_error(v, "taker_id_number") />
                </div>
                <div class="pair">
                    <div class="field">
                        <label for="f-purpose">{i18n.t("keys.purpose_label")}</label>
                        <select id="f-purpose" name="purpose"
                            on:change=move |ev| { if let Some(p) = Purpose::parse(&event_target_value(&ev)) { purpose.set(p) } }>
                            {purposes}
                        </select>
                        <p class="field-error" role="alert">{move || field_error(v, "purpose").get()}</p>
                    </div>
                    <div class:hidden=move || purpose.get() != Purpose::Repair>
                        <SelectField label=i18n.t("keys.ticket") name="ticket_id" error=field_error(v, "ticket_id")
                            hint=if no_tickets { i18n.t("keys.no_tickets") } else { String::new() }>
                            {tickets}
                        </SelectField>
                    </div>
                    <div class:hidden=move || purpose.get() != Purpose::Renovation>
                        <SelectField label=i18n.t("keys.renovation") name="renovation_id" error=field_error(v, "renovation_id")
                            hint=if no_renovations { i18n.t("keys.no_renovations") } else { i18n.t("keys.renovation_hint") }>
                            {renovations}
                        </SelectField>
                    </div>
                </div>
                <Field label=i18n.t("keys.note") name="note" error=field_error(v, "note") />
                <div class="pair">
                    <SelectField label=i18n.t("keys.authorised_by") name="authorised_by" error=field_error(v, "authorised_by")>
                        {authorisers}
                    </SelectField>
                    <Field label=i18n.t("keys.due") name="due" kind="datetime-local" value=choices.default_due.clone() error=field_error(v, "due") />
                </div>
                <SignaturePad label=i18n.t("keys.signature") name="signature" error=field_error(v, "signature") />
                <label class="check"><input type="checkbox" name="signed_on_paper" value="1" />{i18n.t("keys.signed_on_paper")}</label>
                <button type="submit" class="primary wide big">{i18n.t("keys.lend")}</button>
            </ActionForm>
        </section>
    }
}

/// 归还: who brought it back, its condition.
#[component]
fn ReturnForm(copy_id: i64, taker: String, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let back = ServerAction::<ReturnKey>::new();
    let v = back.value();
    reload_on_success(v, refresh);
    let conditions = Condition::ALL
        .iter()
        .map(|c| {
            view! {
                <label class="check">
                    <input type="radio" name="condition" value=c.as_str() checked=*c == Condition::Good />
                    {use_i18n().t(c.key())}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="panel action-panel return-form">
            <h2>{i18n.t("keys.return_title")}</h2>
            <FormError error=form_error(v) />
            <ActionForm action=back>
                <input type="hidden" name="copy_id" value=copy_id />
                <Field label=i18n.t("keys.returned_by") name="returned_by" value=taker error=field_error(v, "returned_by") />
                <fieldset class="field">
                    <legend>{i18n.t("keys.condition_label")}</legend>
                    <div class="checks">{conditions}</div>
                    <p class="field-error" role="alert">{move || field_error(v, "condition").get()}</p>
                </fieldset>
                <TextareaField label=i18n.t("keys.return_note") name="return_note" rows=2 hint=i18n.t("keys.damage_hint") error=field_error(v, "return_note") />
                <button type="submit" class="primary wide big">{i18n.t("keys.return")}</button>
            </ActionForm>
        </section>
    }
}

/// An entrusted key's authorisation, and the form that records a new one.
#[component]
fn AuthorisationPanel(
    a: Option<AuthorisationView>,
    owners: Vec<crate::common::Choice>,
    copy_id: i64,
    desk: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = ServerAction::<AuthoriseKey>::new();
    let v = auth.value();
    reload_on_success(v, refresh);
    let shown = a.map(|a| {
        let state = if a.revoked_at.is_some() {
            ("off", "keys.auth_revoked")
        } else if a.in_force {
            ("on", "keys.auth_in_force")
        } else {
            ("overdue", "keys.auth_not_in_force")
        };
        view! {
            <dl class="facts-list">
                <dt>{use_i18n().t("keys.owner")}</dt><dd>{a.owner.clone()}</dd>
                <dt>{use_i18n().t("keys.scope_label")}</dt>
                <dd>{use_i18n().t(a.scope.key())}{(a.scope == AuthScope::Named).then(|| format!(": {}", a.named_people))}</dd>
                <dt>{use_i18n().t("keys.valid")}</dt><dd>{format!("{} — {}", a.valid_from, a.valid_until)}</dd>
                <dt></dt><dd><span class=format!("badge {}", state.0)>{use_i18n().t(state.1)}</span></dd>
            </dl>
            {desk.then(|| view! { <Paper id=a.id has=a.has_paper /> })}
        }
        .into_any()
    });
    let owner_options = owners
        .iter()
        .map(|o| view! { <option value=o.id>{o.name.clone()}</option> })
        .collect_view();
    let scopes = AuthScope::ALL
        .iter()
        .map(|s| view! { <option value=s.as_str()>{use_i18n().t(s.key())}</option> })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("keys.authorisation")}</h2>
            {shown.unwrap_or_else(|| view! { <dl class="facts-list"><dt></dt><dd class="muted">{use_i18n().t("keys.auth_none")}</dd></dl> }.into_any())}
            <details class:hidden=!desk>
                <summary>{i18n.t("keys.auth_new")}</summary>
                <FormError error=form_error(v) />
                <ActionForm action=auth>
                    <input type="hidden" name="copy_id" value=copy_id />
                    <SelectField label=i18n.t("keys.owner") name="resident_id" error=field_error(v, "resident_id")>{owner_options}</SelectField>
                    <SelectField label=i18n.t("keys.scope_label") name="scope" error=field_error(v, "scope")>{scopes}</SelectField>
                    <Field label=i18n.t("keys.named_people") name="named_people" hint=i18n.t("keys.named_hint") error=field_error(v, "named_people") />
                    <div class="pair">
                        <Field label=i18n.t("keys.valid_from") name="valid_from" kind="date" error=field_error(v, "valid_from") />
                        <Field label=i18n.t("keys.valid_until") name="valid_until" kind="date" error=field_error(v, "valid_until") />
                    </div>
                    <button type="submit">{i18n.t("keys.auth_save")}</button>
                </ActionForm>
            </details>
        </section>
    }
}

/// A backup copy: a manager's, with a reason.
#[component]
fn CopyForm(copy_id: i64, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddKeyCopy>::new();
    let v = add.value();
    reload_on_success(v, refresh);
    view! {
        <details>
            <summary>{i18n.t("keys.add_copy")}</summary>
            <FormError error=form_error(v) />
            <ActionForm action=add>
                <input type="hidden" name="copy_id" value=copy_id />
                <Field label=i18n.t("keys.hook") name="hook" error=field_error(v, "hook") />
                <Field label=i18n.t("keys.reason") name="reason" hint=i18n.t("keys.copy_hint") error=field_error(v, "reason") />
                <button type="submit">{i18n.t("keys.add_copy")}</button>
            </ActionForm>
        </details>
    }
}

/// Every loan of the key, newest first.
#[component]
fn LoanHistory(loans: Vec<LoanView>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = loans.is_empty();
    let rows = loans
        .into_iter()
        .map(|l| {
            view! {
                <tr class:late=l.overdue>
                    <td class="nowrap">{l.tag.clone()}</td>
                    <td>{l.taker.clone()}<br /><span class="muted">{use_i18n().t(l.purpose.key())}</span></td>
                    <td class="nowrap">{l.out_at.clone()}</td>
                    <td class="nowrap">{l.returned_at.clone().unwrap_or_else(|| "—".into())}
                        {l.condition.filter(|c| *c == Condition::Damaged).map(|c| view! { " " <span class="badge overdue">{use_i18n().t(c.key())}</span> })}
                    </td>
                    <td>{l.authorised_by.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("keys.loans")}</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th>{i18n.t("keys.tag")}</th>
                        <th>{i18n.t("keys.taker_label")}</th>
                        <th>{i18n.t("keys.out_at")}</th>
                        <th>{i18n.t("keys.returned_at")}</th>
                        <th>{i18n.t("keys.authorised_by")}</th>
                    </tr></thead>
                    <tbody>{rows}<crate::ui::EmptyRow show=empty cols=5 /></tbody>
                </table>
            </div>
        </section>
    }
}

/// 挂失: report the copy lost.
#[component]
fn LostForm(copy_id: i64, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let lost = ServerAction::<ReportKeyLost>::new();
    let v = lost.value();
    reload_on_success(v, refresh);
    view! {
        <details class="panel action-panel">
            <summary>{i18n.t("keys.report_lost")}</summary>
            <FormError error=form_error(v) />
            <ActionForm action=lost>
                <input type="hidden" name="copy_id" value=copy_id />
                <TextareaField label=i18n.t("keys.circumstances") name="circumstances" rows=3
                    hint=i18n.t("keys.lost_hint") error=field_error(v, "circumstances") />
                <button type="submit" class="danger">{i18n.t("keys.report_lost")}</button>
            </ActionForm>
        </details>
    }
}

/// 停用: retire a copy from the cabinet.
#[component]
fn RetireForm(copy_id: i64, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let retire = ServerAction::<RetireKey>::new();
    let v = retire.value();
    reload_on_success(v, refresh);
    view! {
        <details class="panel action-panel">
            <summary>{i18n.t("keys.retire")}</summary>
            <FormError error=form_error(v) />
            <ActionForm action=retire>
                <input type="hidden" name="copy_id" value=copy_id />
                <Field label=i18n.t("keys.reason") name="reason" error=field_error(v, "reason") />
                <button type="submit" class="danger">{i18n.t("keys.retire")}</button>
            </ActionForm>
        </details>
    }
}

/// 换锁: the lock change that closes a loss.
#[component]
fn LockChangeForm(copy_id: i64, loss: OpenLoss, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<RecordLockChange>::new();
    let v = change.value();
    reload_on_success(v, refresh);
    let items = loss
        .fee_items
        .iter()
        .map(|f| view! { <option value=f.id>{f.name.clone()}</option> })
        .collect_view();
    view! {
        <section class="panel action-panel loan-open late">
            <h2>{i18n.t("keys.lock_title")}</h2>
            <p>{i18n.f("keys.lost_at", &[("at", &loss.reported_at)])} <br /> {loss.circumstances.clone()}</p>
            <FormError error=form_error(v) />
            <ActionForm action=change>
                <input type="hidden" name="copy_id" value=copy_id />
                <div class="pair">
                    <Field label=i18n.t("keys.changed_on") name="changed_on" kind="date" error=field_error(v, "changed_on") />
                    <Field label=i18n.t("keys.changed_by") name="changed_by" error=field_error(v, "changed_by") />
                    <Field label=i18n.t("keys.cost") name="cost" kind="text" hint=i18n.t("keys.cost_hint") error=field_error(v, "cost") />
                </div>
                {loss.house_key.then(|| view! {
                    <label class="check"><input type="checkbox" name="resident_pays" value="1" />{use_i18n().t("keys.resident_pays")}</label>
                    <SelectField label=use_i18n().t("keys.fee_item") name="fee_item_id" error=field_error(v, "fee_item_id")>{items}</SelectField>
                })}
                <p class="field-error" role="alert">{move || field_error(v, "resident_pays").get()}</p>
                <button type="submit" class="primary">{i18n.t("keys.lock_save")}</button>
            </ActionForm>
        </section>
    }
}

/// The owner takes the entrusted key back (revoking the authorisation), signing for it.
#[component]
fn HandBackForm(
    copy_id: i64,
    owners: Vec<crate::common::Choice>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let back = ServerAction::<HandKeyBack>::new();
    let v = back.value();
    reload_on_success(v, refresh);
    let options = owners
        .iter()
        .map(|o| view! { <option value=o.id>{o.name.clone()}</option> })
        .collect_view();
    view! {
        <details class="panel action-panel">
            <summary>{i18n.t("keys.hand_back")}</summary>
            <p class="hint">{i18n.t("keys.hand_back_hint")}</p>
            <FormError error=form_error(v) />
            <ActionForm action=back>
                <input type="hidden" name="copy_id" value=copy_id />
                <SelectField label=i18n.t("keys.owner") name="resident_id" error=field_error(v, "resident_id")>{options}</SelectField>
                <SignaturePad label=i18n.t("keys.owner_signature") name="signature" scope="back-" error=field_error(v, "signature") />
                <label class="check"><input type="checkbox" name="signed_on_paper" value="1" />{i18n.t("keys.owner_signed_paper")}</label>
                <button type="submit" class="danger">{i18n.t("keys.hand_back")}</button>
            </ActionForm>
        </details>
    }
}

/// The signed paper: its thumbnail (opening the whole), or a form that keeps
/// its photo or scan — a plain multipart form, so it works before the page
/// hydrates; `server::key_files` sends back `?paper=saved|refused`.
#[component]
fn Paper(id: i64, has: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let outcome = query.read_untracked().get("paper").unwrap_or_default();
    let back = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    if has {
        return view! {
            <p id="paper">
                <a href=format!("/keys/papers/{id}") target="_blank">
                    <img class="paper-thumb" src=format!("/keys/papers/{id}/thumb") alt=i18n.t("keys.paper") loading="lazy" />
                </a>
                {(outcome == "saved").then(|| view! { <span class="saved" role="status">{use_i18n().t("keys.paper_saved")}</span> })}
            </p>
        }
        .into_any();
    }
    let refused = (outcome == "refused").then(|| i18n.t("keys.paper_refused"));
    view! {
        <form id="paper" method="post" enctype="multipart/form-data" action=format!("/keys/papers/{id}/upload") class="photo-form">
            <input type="hidden" name="back" value=back />
            <div class="field">
                <label for="f-paper">{i18n.t("keys.paper_add")}</label>
                <input id="f-paper" type="file" name="photo" accept="image/*" aria-invalid=refused.is_some().then_some("true") />
                <p class="hint">{i18n.t("keys.paper_hint")}</p>
                <p class="field-error" role="alert">{refused}</p>
            </div>
            <button type="submit">{i18n.t("keys.paper_upload")}</button>
        </form>
    }
    .into_any()
}
