//! Estate Desk: the web system of a residential estate's service centre.
//!
//! Bottom to top: `common/` (roles, permissions, scope, the caller, language,
//! ids, money, value sets — for server and browser alike), `error`, `i18n/`,
//! `db/` (SQLite and PostgreSQL through one layer, the one write transaction),
//! `ui/` (shared components), `sheet/` and `security/` (server only), the
//! application state and [`guard`] (the one way into a server function);
//! then one folder per area of the desk (`auth/`, `audit/`, `billing/`,
//! `keys/`, `estate/`, `visits/`, `repairs/`, `moves/`, `renovation/`, `arrears/`,
//! `home/`, `admin/`), each with its types
//! (`mod.rs`), rules, server functions (`api.rs`), SQL (`db.rs` or `db/`,
//! server only) and pages; at the top [`shell`], the frame, and the routes
//! here. `server/tests/shape.rs` keeps the dependencies pointing down.

#![recursion_limit = "256"]

rust_i18n::i18n!("locales", fallback = "zh");

pub mod admin;
pub mod arrears;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod common;
pub mod error;
pub mod estate;
pub mod home;
pub mod i18n;
pub mod keys;
pub mod moves;
pub mod renovation;
pub mod repairs;
pub mod sheet;
pub mod shell;
pub mod ui;
pub mod visits;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use leptos_router::SsrMode;

use crate::common::{Lang, Me};
use crate::i18n::{html_lang, use_i18n, I18n};

pub use crate::common::CurrentUser;

/// The language and account of this request, as the server resolved them
/// before rendering (see `server::router`'s identity middleware).
#[cfg(feature = "ssr")]
fn request_identity() -> (Lang, Option<Me>) {
    use crate::guard::RequestIdentity;
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestIdentity>().cloned())
        .map(|id| (id.lang, id.caller.map(|c| c.me())))
        .unwrap_or((Lang::Zh, None))
}

/// In the browser: what the server wrote on `<html lang>` and `<body data-me>`.
#[cfg(not(feature = "ssr"))]
fn request_identity() -> (Lang, Option<Me>) {
    let doc = document();
    let lang = doc
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .map(|tag| i18n::lang_from_html(&tag))
        .unwrap_or_default();
    let me = doc
        .body()
        .and_then(|b| b.get_attribute("data-me"))
        .and_then(|json| serde_json::from_str(&json).ok());
    (lang, me)
}

/// The HTML document around the app (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let (lang, me) = request_identity();
    let me_json = me.as_ref().and_then(|m| serde_json::to_string(m).ok());
    view! {
        <!DOCTYPE html>
        <html lang=html_lang(lang)>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body data-me=me_json>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let (lang, me) = request_identity();
    provide_context(I18n(lang));
    provide_context(CurrentUser(me));

    // Browser tests wait for this before they click (effects run only in the browser).
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    let i18n = use_i18n();
    view! {
        <Stylesheet id="leptos" href="/pkg/estate-desk.css" />
        <Title text=i18n.t("app.name") />
        // Async rendering: every page arrives complete, so it reads (and its forms
        // work) before the WebAssembly loads, or with JavaScript off.
        <Router>
            <Routes fallback=|| view! { <ui::NotFoundPage /> }>
                <Route path=path!("/") view=home::pages::RootRedirect ssr=SsrMode::Async />
                <Route path=path!("/login") view=auth::pages::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/activate") view=auth::pages::ActivatePage ssr=SsrMode::Async />
                // Every other page inside the shell: header, navigation, the page guard.
                <ParentRoute path=path!("") view=shell::Shell ssr=SsrMode::Async>
                    <Route path=path!("/account/password") view=auth::pages::ChangePasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/desk") view=home::pages::DeskHome ssr=SsrMode::Async />
                    <Route path=path!("/desk/import") view=estate::pages::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/import/:id") view=estate::pages::ImportReportPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/search") view=estate::pages::SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/houses") view=estate::pages::HouseListPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/houses/:id") view=estate::pages::HousePage ssr=SsrMode::Async />
                    <Route path=path!("/desk/residents") view=estate::pages::ResidentListPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/residents/:id") view=estate::pages::ResidentPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/houses/:id/account") view=billing::pages::HouseAccountPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/fees") view=billing::pages::FeesPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/billing") view=billing::pages::BillingPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/arrears") view=arrears::pages::AgeingPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/arrears/houses") view=arrears::pages::AgeingHousesPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/arrears/house/:id") view=arrears::pages::HouseChasePage ssr=SsrMode::Async />
                    <Route path=path!("/desk/arrears/follow-ups") view=arrears::pages::FollowUpsPage ssr=SsrMode::Async />

                    <Route path=path!("/desk/readings") view=billing::pages::ReadingsPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/receipts/:id") view=billing::pages::ReceiptPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/close") view=billing::pages::DailyClosePage ssr=SsrMode::Async />
                    <Route path=path!("/desk/notices") view=billing::pages::NoticesPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/bills") view=billing::pages::PortalBillsPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/receipts/:id") view=billing::pages::PortalReceiptPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/repairs") view=repairs::pages::RepairsPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/repairs/new") view=repairs::pages::NewRepairPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/repairs/visits") view=repairs::pages::VisitListPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/repairs/stats") view=repairs::pages::RepairStatsPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/repairs/setup") view=repairs::pages::RepairSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/repairs/:id") view=repairs::pages::RepairPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys") view=keys::pages::KeysPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys/find") view=keys::pages::FindKeyPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys/setup") view=keys::pages::KeySetupPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys/register-sheet") view=keys::print::KeyRegisterSheetPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys/cabinets/:id") view=keys::pages::CabinetPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys/cabinets/:id/labels") view=keys::print::KeyLabelsPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys/counts/:id") view=keys::pages::CountPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/keys/:id") view=keys::pages::KeyPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/moves") view=moves::pages::MoveInsPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/moves/setup") view=moves::pages::MoveInSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/moves/in/:id") view=moves::pages::MoveInPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/moves/in/:id/sheet") view=moves::print::MoveInSheetPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/moves/out/:id") view=moves::out::pages::MoveOutPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/passes/:id") view=moves::pass::pages::PassSheetPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/passes/check/:token") view=moves::pass::pages::PassCheckPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/renovations") view=renovation::pages::RenovationsPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/renovations/new") view=renovation::pages::NewAppPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/renovations/setup") view=renovation::pages::RenovationSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/renovations/check/:token") view=renovation::pages::permit::PermitCheckPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/renovations/:id/permit") view=renovation::pages::permit::PermitPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/renovations/refunds/:id") view=renovation::pages::deposit::RefundSlipPage ssr=SsrMode::Async />
                    <Route path=path!("/desk/renovations/:id") view=|| view! { <renovation::pages::AppPageView seat=renovation::pages::Seat::Desk /> } ssr=SsrMode::Async />
                    <Route path=path!("/security") view=home::pages::SecurityHome ssr=SsrMode::Async />
                    <Route path=path!("/desk/escalations") view=visits::pages::EscalationsPage ssr=SsrMode::Async />
                    <Route path=path!("/jobs") view=repairs::jobs::JobsHome ssr=SsrMode::Async />
                    <Route path=path!("/jobs/renovations") view=renovation::pages::ReviewsPage ssr=SsrMode::Async />
                    <Route path=path!("/jobs/renovations/:id") view=|| view! { <renovation::pages::AppPageView seat=renovation::pages::Seat::Phone /> } ssr=SsrMode::Async />
                    <Route path=path!("/jobs/:id") view=repairs::jobs::JobPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/repairs") view=repairs::portal::PortalRepairsPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/repairs/new") view=repairs::portal::PortalNewRepairPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/repairs/:id") view=repairs::portal::PortalRepairPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/keys") view=keys::portal::PortalKeysPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/passes") view=moves::pass::pages::PortalPassesPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/renovations") view=renovation::pages::PortalRenovationsPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/renovations/new") view=renovation::pages::PortalNewAppPage ssr=SsrMode::Async />
                    <Route path=path!("/portal/renovations/:id") view=|| view! { <renovation::pages::AppPageView seat=renovation::pages::Seat::Portal /> } ssr=SsrMode::Async />
                    <Route path=path!("/portal") view=home::pages::PortalHome ssr=SsrMode::Async />
                    <Route path=path!("/admin/estates") view=admin::pages::EstatesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/staff") view=admin::pages::StaffListPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/staff/new") view=admin::pages::NewStaffPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/staff/:id") view=admin::pages::StaffPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=audit::pages::AuditPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[cfg(test)]
mod tests {
    use crate::common::{AuditAction, AuditEntity, Role};

    fn labels_of<T: Copy>(all: &[T], key: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| key(*v)).collect()
    }

    /// Every value of every closed value set: a label in both languages.
    /// A new set is added here (the README's "How to add an area"). Left out,
    /// because no page names their values: `Lang` (each language names itself),
    /// `estate::ImportStatus`, `billing::WaiverTarget`, `visits::SubjectKind`.
    #[test]
    fn every_value_of_every_set_has_a_label_in_both_languages() {
        use crate::{arrears, auth, billing, estate, keys, moves, renovation, repairs, visits};
        let keys: Vec<&'static str> = [
            labels_of(Role::ALL, Role::key),
            labels_of(AuditAction::ALL, AuditAction::key),
            labels_of(AuditEntity::ALL, AuditEntity::key),
            labels_of(auth::LoginRefusal::ALL, auth::LoginRefusal::key),
            labels_of(auth::ActivationPurpose::ALL, auth::ActivationPurpose::key),
            labels_of(auth::ActivationRefusal::ALL, auth::ActivationRefusal::key),
            labels_of(estate::HouseStatus::ALL, estate::HouseStatus::key),
            labels_of(estate::HouseUse::ALL, estate::HouseUse::key),
            labels_of(estate::OccupancyRole::ALL, estate::OccupancyRole::key),
            labels_of(estate::PersonalField::ALL, estate::PersonalField::key),
            labels_of(estate::search::HitKind::ALL, estate::search::HitKind::key),
            labels_of(billing::FeeKind::ALL, billing::FeeKind::key),
            labels_of(keys::KeyKind::ALL, keys::KeyKind::key),
            labels_of(moves::CaseStatus::ALL, moves::CaseStatus::key),
            labels_of(moves::Step::ALL, moves::Step::key),
            labels_of(moves::Finding::ALL, moves::Finding::key),
            labels_of(moves::out::OutKind::ALL, moves::out::OutKind::key),
            labels_of(moves::out::OutStep::ALL, moves::out::OutStep::key),
            labels_of(moves::pass::Verdict::ALL, moves::pass::Verdict::key),
            labels_of(moves::pass::PassStatus::ALL, moves::pass::PassStatus::key),
            labels_of(arrears::Bucket::ALL, arrears::Bucket::key),
            labels_of(arrears::ChaseAction::ALL, arrears::ChaseAction::key),
            labels_of(arrears::Outcome::ALL, arrears::Outcome::key),
            labels_of(arrears::Stage::ALL, arrears::Stage::key),
            labels_of(arrears::Placeholder::ALL, arrears::Placeholder::key),
            labels_of(renovation::State::ALL, renovation::State::key),
            labels_of(renovation::Action::ALL, renovation::Action::key),
            labels_of(renovation::Channel::ALL, renovation::Channel::key),
            labels_of(renovation::PermitVerdict::ALL, renovation::PermitVerdict::key),
            labels_of(renovation::ListFilter::ALL, renovation::ListFilter::key),
            labels_of(keys::CopyStatus::ALL, keys::CopyStatus::key),
            labels_of(keys::TakerKind::ALL, keys::TakerKind::key),
            labels_of(keys::Purpose::ALL, keys::Purpose::key),
            labels_of(keys::Condition::ALL, keys::Condition::key),
            labels_of(keys::AuthScope::ALL, keys::AuthScope::key),
            labels_of(keys::LogEntry::ALL, keys::LogEntry::key),
            labels_of(keys::IncidentKind::ALL, keys::IncidentKind::key),
            labels_of(keys::ListFilter::ALL, keys::ListFilter::key),
            labels_of(keys::CountOutcome::ALL, keys::CountOutcome::key),
            labels_of(keys::rules::KeyAction::ALL, keys::rules::KeyAction::key),
            labels_of(billing::FeeKind::ALL, billing::FeeKind::unit_key),
            labels_of(billing::RateUse::ALL, billing::RateUse::key),
            labels_of(billing::PayMethod::ALL, billing::PayMethod::key),
            labels_of(billing::RunStatus::ALL, billing::RunStatus::key),
            labels_of(billing::WaiverStatus::ALL, billing::WaiverStatus::key),
            labels_of(billing::PrepaidKind::ALL, billing::PrepaidKind::key),
            labels_of(billing::OpeningSource::ALL, billing::OpeningSource::key),
            labels_of(visits::Channel::ALL, visits::Channel::key),
            labels_of(visits::EscalationFilter::ALL, visits::EscalationFilter::key),
            labels_of(repairs::Category::ALL, repairs::Category::key),
            labels_of(repairs::Urgency::ALL, repairs::Urgency::key),
            labels_of(repairs::Source::ALL, repairs::Source::key),
            labels_of(repairs::Status::ALL, repairs::Status::key),
            labels_of(repairs::Action::ALL, repairs::Action::key),
            labels_of(repairs::TimelineEntry::ALL, repairs::TimelineEntry::key),
            labels_of(repairs::PhotoStage::ALL, repairs::PhotoStage::key),
            labels_of(repairs::PhotoError::ALL, repairs::PhotoError::key),
            labels_of(repairs::ListFilter::ALL, repairs::ListFilter::key),
        ]
        .concat();
        let missing = crate::i18n::tests::missing_labels(keys);
        assert!(missing.is_empty(), "values without a label: {missing:#?}");
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
