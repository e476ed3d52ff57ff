//! Admin pages: the staff list, a new member of staff, one member's page,
//! and the estates.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::api::{
    estate_options, get_staff, list_staff, CreateStaff, ResetStaffPassword, SetStaffDisabled,
    UpdateStaff,
};
use super::api::{list_estates, CreateEstate};
use super::{Choice, StaffDetail, StaffRow};
use crate::common::Role;
use crate::error::AppError;
use crate::home::pages::EstateTable;
use crate::i18n::use_i18n;
use crate::ui::{field_error, form_error, load, Field, FormError, SelectField};

#[component]
pub fn StaffListPage() -> impl IntoView {
    let i18n = use_i18n();
    let staff = Resource::new(|| (), |_| list_staff());
    view! {
        <>
            <div class="page-head">
                <h1>{i18n.t("staff.title")}</h1>
                <a class="button primary" href="/admin/staff/new">{i18n.t("staff.new")}</a>
            </div>
            {load(move || staff, |rows| view! { <StaffTable rows /> })}
        </>
    }
}

#[component]
fn StaffTable(rows: Vec<StaffRow>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = rows
        .into_iter()
        .map(|s| {
            let href = format!("/admin/staff/{}", s.id);
            view! {
                <tr class:disabled=s.disabled>
                    <td><a href=href>{s.username.clone()}</a></td>
                    <td>{s.display_name.clone()}</td>
                    <td>{i18n.t(s.role.key())}</td>
                    <td>
                        {if s.role == Role::Admin {
                            i18n.t("staff.all_estates")
                        } else {
                            s.estates.join("、")
                        }}
                    </td>
                    <td>
                        {if s.disabled {
                            view! { <span class="badge off">{i18n.t("staff.disabled")}</span> }
                        } else {
                            view! { <span class="badge on">{i18n.t("staff.active")}</span> }
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("staff.username")}</th>
                        <th scope="col">{i18n.t("staff.display_name")}</th>
                        <th scope="col">{i18n.t("staff.role")}</th>
                        <th scope="col">{i18n.t("staff.estates")}</th>
                        <th scope="col">{i18n.t("staff.status")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The role picker; residents get accounts through the register, not here.
#[component]
fn RoleSelect(
    selected: Option<Role>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let options = Role::STAFF
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=selected == Some(r)>{i18n.t(r.key())}</option> })
        .collect_view();
    view! {
        <SelectField label=i18n.t("staff.role") name="role" required=true hint=i18n.t("staff.role_hint") error=error>
            <option value="" selected=selected.is_none() disabled=true>{i18n.t("common.choose")}</option>
            {options}
        </SelectField>
    }
}

/// Checkboxes of the estates a member of staff works for.
#[component]
fn EstatePicker(
    estates: Vec<Choice>,
    checked: Vec<i64>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let boxes = estates
        .into_iter()
        .map(|e| {
            let id = format!("f-estate-{}", e.id);
            view! {
                <label class="check" for=id.clone()>
                    <input type="checkbox" id=id.clone() name="estates[]" value=e.id checked=checked.contains(&e.id) />
                    {e.name}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field">
            <legend>{i18n.t("staff.estates")}</legend>
            <div class="checks">{boxes}</div>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </fieldset>
    }
}

#[component]
pub fn NewStaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateStaff>::new();
    let value = create.value();
    let estates = Resource::new(|| (), |_| estate_options());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = value.get() {
            navigate(
                &format!("/admin/staff/{id}?saved=created"),
                Default::default(),
            );
        }
    });
    view! {
        <>
            <p class="crumbs"><a href="/admin/staff">{i18n.t("staff.title")}</a></p>
            <h1>{i18n.t("staff.new")}</h1>
            <section class="panel narrow-form">
                <FormError error=form_error(value) />
                <ActionForm action=create>
                    <Field
                        label=i18n.t("staff.username")
                        name="username"
                        autocomplete="off"
                        autofocus=true
                        required=true
                        hint=i18n.t("staff.username_hint")
                        error=field_error(value, "username")
                    />
                    <Field
                        label=i18n.t("staff.display_name")
                        name="display_name"
                        required=true
                        error=field_error(value, "display_name")
                    />
                    <RoleSelect selected=None error=field_error(value, "role") />
                    {load(move || estates, move |list| {
                        view! { <EstatePicker estates=list checked=vec![] error=field_error(value, "estates") /> }
                    })}
                    <Field
                        label=i18n.t("staff.initial_password")
                        name="password"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        hint=i18n.t("staff.password_hint")
                        error=field_error(value, "password")
                    />
                    <button type="submit" class="primary">{i18n.t("staff.create")}</button>
                </ActionForm>
            </section>
        </>
    }
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::ui::id_param();
    let created = use_query_map().get_untracked().get("saved").is_some();
    let update = ServerAction::<UpdateStaff>::new();
    let toggle = ServerAction::<SetStaffDisabled>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let staff = Resource::new(
        move || (id(), update.version().get(), toggle.version().get()),
        |(id, _, _)| get_staff(id),
    );
    let estates = Resource::new(|| (), |_| estate_options());
    view! {
        <>
            <p class="crumbs"><a href="/admin/staff">{i18n.t("staff.title")}</a></p>
            {created.then(|| view! { <p class="saved" role="status">{use_i18n().t("staff.created")}</p> })}
            {load(
                move || async move { Ok((staff.await?, estates.await?)) },
                move |(s, list)| view! { <StaffForms s=s estates=list update toggle reset /> },
            )}
        </>
    }
}

#[component]
fn StaffForms(
    s: StaffDetail,
    estates: Vec<Choice>,
    update: ServerAction<UpdateStaff>,
    toggle: ServerAction<SetStaffDisabled>,
    reset: ServerAction<ResetStaffPassword>,
) -> impl IntoView {
    let i18n = use_i18n();
    let uv = update.value();
    let tv = toggle.value();
    let rv = reset.value();
    let saved = move |v: Option<Result<(), AppError>>| matches!(v, Some(Ok(())));
    view! {
        <h1>
            {s.display_name.clone()} " "
            <span class="muted">{s.username.clone()}</span>
            {s.disabled.then(|| view! { " " <span class="badge off">{use_i18n().t("staff.disabled")}</span> })}
        </h1>
        <div class="columns">
            <section class="panel">
                <h2>{i18n.t("staff.details")}</h2>
                <FormError error=form_error(uv) />
                <Show when=move || saved(uv.get())>
                    <p class="saved" role="status">{use_i18n().t("common.saved")}</p>
                </Show>
                <ActionForm action=update>
                    <input type="hidden" name="id" value=s.id />
                    <Field
                        label=i18n.t("staff.display_name")
                        name="display_name"
                        value=s.display_name.clone()
                        required=true
                        error=field_error(uv, "display_name")
                    />
                    <RoleSelect selected=Some(s.role) error=field_error(uv, "role") />
                    <label class="check">
                        <input type="checkbox" name="issues_keys" value="1" checked=s.issues_keys />
                        {i18n.t("staff.issues_keys")}
                    </label>
                    <p class="hint">{i18n.t("staff.issues_keys_hint")}</p>
                    <EstatePicker estates=estates checked=s.estate_ids.clone() error=field_error(uv, "estates") />
                    <button type="submit" class="primary">{i18n.t("common.save")}</button>
                </ActionForm>
            </section>
            <div class="stack">
                <section class="panel">
                    <h2>{i18n.t("staff.reset_password")}</h2>
                    <FormError error=form_error(rv) />
                    <Show when=move || saved(rv.get())>
                        <p class="saved" role="status">{use_i18n().t("staff.password_reset_done")}</p>
                    </Show>
                    <ActionForm action=reset>
                        <input type="hidden" name="id" value=s.id />
                        <Field
                            label=i18n.t("staff.new_password")
                            name="password"
                            kind="password"
                            autocomplete="new-password"
                            required=true
                            hint=i18n.t("staff.password_hint")
                            error=field_error(rv, "password")
                        />
                        <button type="submit">{i18n.t("staff.reset_password")}</button>
                    </ActionForm>
                </section>
                <section class="panel">
                    <h2>{i18n.t("staff.status")}</h2>
                    <FormError error=form_error(tv) />
                    <ActionForm action=toggle>
                        <input type="hidden" name="id" value=s.id />
                        <input type="hidden" name="disabled" value=(!s.disabled).to_string() />
                        {if s.disabled {
                            view! { <button type="submit">{use_i18n().t("staff.enable")}</button> }.into_any()
                        } else {
                            view! {
                                <p class="hint">{use_i18n().t("staff.disable_hint")}</p>
                                <label class="check confirm">
                                    <input type="checkbox" required=true />
                                    {use_i18n().t("staff.disable_confirm")}
                                </label>
                                <button type="submit" class="danger">{use_i18n().t("staff.disable")}</button>
                            }
                                .into_any()
                        }}
                    </ActionForm>
                </section>
            </div>
        </div>
    }
}

/// `/admin/estates`: the company's estates, and setting up a new one.
#[component]
pub fn EstatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateEstate>::new();
    let v = create.value();
    let estates = Resource::new(move || create.version().get(), |_| list_estates());
    view! {
        <>
            <h1>{i18n.t("estate.title")}</h1>
            {load(move || estates, |list| view! { <EstateTable list /> })}
            <section class="panel narrow-form">
                <h2>{i18n.t("estate.new")}</h2>
                <FormError error=form_error(v) />
                <Show when=move || matches!(v.get(), Some(Ok(_)))>
                    <p class="saved" role="status">{use_i18n().t("estate.created")}</p>
                </Show>
                <ActionForm action=create>
                    <Field label=i18n.t("estate.name") name="name" required=true error=field_error(v, "name") />
                    <Field label=i18n.t("estate.code") name="code" required=true hint=i18n.t("estate.code_hint") error=field_error(v, "code") />
                    <button type="submit" class="primary">{i18n.t("estate.create")}</button>
                </ActionForm>
            </section>
        </>
    }
}
