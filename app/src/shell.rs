//! The frame around every signed-in page, as the routes' layout (a parent
//! route whose outlet holds the page): the header with the role's navigation,
//! the search box and the account menu, and the page itself if the account
//! may open it — else a sign-in prompt or a refusal. It sits above the areas
//! (it shows the estate register's search box); `ui` names none of them.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

use crate::common::{allows, home_path, page_permission, CurrentUser, Permission, Role};
use crate::i18n::use_i18n;
use crate::ui::{Forbidden, LangSwitch};

/// The navigation: every entry whose page the role may open (one rule decides
/// both the menu and the guard).
const NAV: [(&str, &str); 22] = [
    ("nav.desk", "/desk"),
    ("nav.security", "/security"),
    ("nav.houses", "/desk/houses"),
    ("nav.residents", "/desk/residents"),
    ("nav.moves", "/desk/moves"),
    ("nav.renovations", "/desk/renovations"),
    ("nav.repairs", "/desk/repairs"),
    ("nav.keys", "/desk/keys"),
    ("nav.billing", "/desk/billing"),
    ("nav.arrears", "/desk/arrears"),
    ("nav.close", "/desk/close"),
    ("nav.jobs", "/jobs"),
    ("nav.reviews", "/jobs/renovations"),
    ("nav.portal", "/portal"),
    ("nav.bills", "/portal/bills"),
    ("nav.my_repairs", "/portal/repairs"),
    ("nav.my_keys", "/portal/keys"),
    ("nav.my_passes", "/portal/passes"),
    ("nav.my_renovations", "/portal/renovations"),
    ("nav.estates", "/admin/estates"),
    ("nav.staff", "/admin/staff"),
    ("nav.audit", "/audit"),
];

pub fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    NAV.into_iter()
        .filter(|(_, href)| page_permission(href).is_some_and(|p| allows(role, p)))
        .collect()
}

/// The layout of every route but the sign-in page and the root redirect.
/// It stays mounted while the pages inside change, so what depends on the
/// address (the current entry, the permission) follows it.
#[component]
pub fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let CurrentUser(me) = use_context::<CurrentUser>().unwrap_or(CurrentUser(None));
    let pathname = use_location().pathname;
    let Some(me) = me else {
        let path = pathname.get_untracked();
        return view! {
            <main class="narrow">
                <div class="panel" role="alert">
                    <h1>{i18n.t("errors.signed_out_title")}</h1>
                    <p>{i18n.t("errors.unauthorized")}</p>
                    <a class="button primary" href=format!("/login?next={path}")>{i18n.t("login.submit")}</a>
                </div>
            </main>
        }
        .into_any();
    };
    let role = me.role;
    let permitted =
        Memo::new(move |_| page_permission(&pathname.get()).is_none_or(|p| allows(role, p)));
    let nav = nav_for(role)
        .into_iter()
        .map(|(key, href)| {
            // The deepest entry that contains the path is the current one.
            let current = move || {
                let path = pathname.get();
                (path == href
                    || (path.starts_with(&format!("{href}/"))
                        && !matches!(href, "/desk" | "/portal")))
                .then_some("page")
            };
            view! { <a href=href aria-current=current>{i18n.t(key)}</a> }
        })
        .collect_view();
    view! {
        <header class="topbar">
            <a class="brand" href=home_path(role)>{i18n.t("app.name")}</a>
            <nav class="mainnav" aria-label=i18n.t("nav.label")>{nav}</nav>
            {allows(role, Permission::UseDesk).then(|| view! { <crate::estate::pages::SearchBox /> })}
            <div class="usermenu">
                <a class="who" href="/account/password" title=i18n.t("nav.password")>
                    {me.display_name.clone()}
                    <span class="role">{i18n.t(role.key())}</span>
                </a>
                <LangSwitch />
                <form method="post" action="/auth/logout" class="inline">
                    <button type="submit" class="link">{i18n.t("nav.logout")}</button>
                </form>
            </div>
        </header>
        <main class="page">
            {move || if permitted.get() { view! { <Outlet /> }.into_any() } else { view! { <Forbidden /> }.into_any() }}
        </main>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_follows_the_permission_rules() {
        assert_eq!(
            nav_for(Role::Resident),
            vec![
                ("nav.portal", "/portal"),
                ("nav.bills", "/portal/bills"),
                ("nav.my_repairs", "/portal/repairs"),
                ("nav.my_keys", "/portal/keys"),
                ("nav.my_passes", "/portal/passes"),
                ("nav.my_renovations", "/portal/renovations")
            ]
        );
        assert_eq!(nav_for(Role::Maintenance), vec![("nav.jobs", "/jobs"), ("nav.reviews", "/jobs/renovations")]);
        assert_eq!(
            nav_for(Role::Security),
            vec![("nav.security", "/security"), ("nav.keys", "/desk/keys")]
        );
        assert_eq!(
            nav_for(Role::Clerk),
            vec![
                ("nav.desk", "/desk"),
                ("nav.houses", "/desk/houses"),
                ("nav.residents", "/desk/residents"),
                ("nav.moves", "/desk/moves"),
                ("nav.renovations", "/desk/renovations"),
                ("nav.repairs", "/desk/repairs"),
                ("nav.keys", "/desk/keys"),
                ("nav.billing", "/desk/billing"),
                ("nav.arrears", "/desk/arrears"),
                ("nav.close", "/desk/close")
            ]
        );
        assert_eq!(
            nav_for(Role::Manager),
            vec![
                ("nav.desk", "/desk"),
                ("nav.houses", "/desk/houses"),
                ("nav.residents", "/desk/residents"),
                ("nav.moves", "/desk/moves"),
                ("nav.renovations", "/desk/renovations"),
                ("nav.repairs", "/desk/repairs"),
                ("nav.keys", "/desk/keys"),
                ("nav.billing", "/desk/billing"),
                ("nav.arrears", "/desk/arrears"),
                ("nav.close", "/desk/close"),
                ("nav.audit", "/audit")
            ]
        );
        assert_eq!(
            nav_for(Role::Admin),
            vec![
                ("nav.desk", "/desk"),
                ("nav.houses", "/desk/houses"),
                ("nav.residents", "/desk/residents"),
                ("nav.moves", "/desk/moves"),
                ("nav.renovations", "/desk/renovations"),
                ("nav.repairs", "/desk/repairs"),
                ("nav.keys", "/desk/keys"),
                ("nav.billing", "/desk/billing"),
                ("nav.arrears", "/desk/arrears"),
                ("nav.close", "/desk/close"),
                ("nav.estates", "/admin/estates"),
                ("nav.staff", "/admin/staff"),
                ("nav.audit", "/audit")
            ]
        );
    }
}
