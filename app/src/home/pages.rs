//! The role homes: `/` sends each role to its own; the desk's estates; the
//! resident portal with their own record and houses.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::api::{desk_summary, my_houses, my_profile, RevealMyField};
use super::{EstateSummary, MyHouse, MyProfile};
use crate::common::CurrentUser;
use crate::estate::PersonalField;
use crate::i18n::use_i18n;
use crate::ui::{area, load};

/// `/`: the role's home when signed in, else the sign-in page.
#[component]
pub fn RootRedirect() -> impl IntoView {
    let target = use_context::<CurrentUser>()
        .and_then(|CurrentUser(me)| me)
        .map(|me| crate::common::home_path(me.role))
        .unwrap_or("/login");
    view! { <Redirect path=target /> }
}

/// The desk (工作台): the estates this clerk or manager works for.
#[component]
pub fn DeskHome() -> impl IntoView {
    let i18n = use_i18n();
    let estates = Resource::new(|| (), |_| desk_summary());
    view! {
        <>
            <h1>{i18n.t("desk.title")}</h1>
            {load(move || estates, |list| {
                if list.is_empty() {
                    view! { <p class="empty">{use_i18n().t("desk.no_estates")}</p> }.into_any()
                } else {
                    view! { <EstateTable list caption=true /> }.into_any()
                }
            })}
            <crate::keys::pages::KeysOutPanel />
            {crate::common::CurrentUser::is(crate::common::Role::Manager).then(|| view! { <crate::keys::pages::KeyReportsPanel /> })}
        </>
    }
}

/// Security's home (安保 / 监控中心): what has been reported, and the keys out of the cabinet.
#[component]
pub fn SecurityHome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <>
            <h1>{i18n.t("security.title")}</h1>
            <crate::keys::pages::KeyReportsPanel />
            <crate::keys::pages::KeysOutPanel />
        </>
    }
}

/// The resident portal: the resident's own record, and the houses they are linked to.
#[component]
pub fn PortalHome() -> impl IntoView {
    let i18n = use_i18n();
    let houses = Resource::new(|| (), |_| my_houses());
    let profile = Resource::new(|| (), |_| my_profile());
    view! {
        <>
            <h1>{i18n.t("portal.title")}</h1>
            // A profile that cannot be read is left out; the houses still show.
            {load(
                move || async move { Ok(profile.await.ok().flatten()) },
                |profile| profile.map(|p| view! { <ProfileCard p /> }),
            )}
            {load(move || houses, |houses| view! { <HouseCards houses /> })}
        </>
    }
}

/// The resident's own details, each masked until revealed.
#[component]
fn ProfileCard(p: MyProfile) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="card">
            <h2>{i18n.t("portal.profile")}</h2>
            <dl>
                <dt>{i18n.t("resident.name")}</dt>
                <dd>{p.name}</dd>
                <dt>{i18n.t(PersonalField::Mobile.key())}</dt>
                <dd><MyReveal field=PersonalField::Mobile masked=p.mobile_masked /></dd>
                <dt>{i18n.t(PersonalField::IdNumber.key())}</dt>
                <dd>
                    {match p.id_number_masked {
                        Some(masked) => view! { <MyReveal field=PersonalField::IdNumber masked /> }.into_any(),
                        None => view! { "—" }.into_any(),
                    }}
                </dd>
            </dl>
            <p class="hint">{i18n.t("portal.reveal_note")}</p>
        </article>
    }
}

/// One card per house the resident is linked to.
#[component]
fn HouseCards(houses: Vec<MyHouse>) -> impl IntoView {
    let i18n = use_i18n();
    if houses.is_empty() {
        return view! { <p class="empty">{i18n.t("portal.no_houses")}</p> }.into_any();
    }
    houses
        .into_iter()
        .map(|h| {
            view! {
                <article class="card house-card">
                    <h2>{h.number.clone()}</h2>
                    <p class="muted">{h.estate_name.clone()}</p>
                    <dl>
                        <dt>{i18n.t("house.area")}</dt>
                        <dd>{area(h.area_centi)}</dd>
                        <dt>{i18n.t("house.my_role")}</dt>
                        <dd>{i18n.t(h.role.key())}</dd>
                        <dt>{i18n.t("house.since")}</dt>
                        <dd>{h.start_date.clone()}</dd>
                    </dl>
                </article>
            }
        })
        .collect_view()
        .into_any()
}

/// One of my own details, masked, with a button that shows it whole (audited).
#[component]
fn MyReveal(field: PersonalField, masked: String) -> impl IntoView {
    let reveal = ServerAction::<RevealMyField>::new();
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
                        <input type="hidden" name="field" value=field.as_str() />
                        <button type="submit" class="link">{use_i18n().t("resident.reveal")}</button>
                    </ActionForm>
                </span>
            }
            .into_any(),
        }}
    }
}

/// Estates with their size; names open the estate's house list.
#[component]
pub fn EstateTable(list: Vec<EstateSummary>, #[prop(optional)] caption: bool) -> impl IntoView {
    let i18n = use_i18n();
    let rows = list
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td><a href=format!("/desk/houses?estate={}", e.id)>{e.name}</a></td>
                    <td>{e.code}</td>
                    <td class="num">{e.buildings}</td>
                    <td class="num">{e.houses}</td>
                    <td class="num">{e.residents}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                {caption.then(|| view! { <caption>{use_i18n().t("desk.estates")}</caption> })}
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("estate.name")}</th>
                        <th scope="col">{i18n.t("estate.code")}</th>
                        <th scope="col" class="num">{i18n.t("estate.buildings")}</th>
                        <th scope="col" class="num">{i18n.t("estate.houses")}</th>
                        <th scope="col" class="num">{i18n.t("estate.residents")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
