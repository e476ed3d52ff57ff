//! The HTTP stack: the Leptos app and its server functions, the sign-in
//! routes, the register's file routes, and the layers around them (outermost
//! first): CSRF → security headers → sessions → identity and page guard →
//! body limit (1 MiB; spreadsheet uploads 5 MiB; repair photos 4 × 10 MiB).

use axum::extract::{DefaultBodyLimit, Extension};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use app::state::AppState;
use app::{shell, App};

use crate::config::HttpConfig;
use crate::identity::{SecureCookies, TrustProxy};
use crate::session_store::DeskSessionStore;
use crate::{
    arrears_files, auth_routes, identity, key_files, renovation_files, repair_files, security, transfer,
};

/// Gives every page render its context: the state (added by leptos_axum) and
/// a Content-Security-Policy carrying this response's script nonce.
fn page_context() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(value) = http::HeaderValue::from_str(&security::page_csp(&nonce)) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The app's routes, worked out once per process. Generating them renders
/// the app with resource loading suppressed by a process-wide flag
/// (`SuppressResourceLoad`): a page rendered on another thread meanwhile
/// builds resources that never resolve and hangs for ever. One server builds
/// one router, but tests build many at once (CI hung on it,
/// leptos-rs/leptos#4773), so every build after the first reuses the list,
/// and no page can render while it is generated.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState, store: DeskSessionStore, config: &HttpConfig) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = route_list();
    let sessions = SessionManagerLayer::new(store)
        .with_name(config.session_cookie())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(config.session_idle).unwrap_or(time::Duration::hours(2)),
        ));

    // Uploads get their own, larger body limits. `Multipart` reads through
    // axum's own `DefaultBodyLimit` (2 MiB unless raised), whatever the outer
    // layer allows: without raising it a 3 MB phone photo or workbook was cut
    // off. A spreadsheet route stops reading its file past the 5 MB limit and
    // answers with the file-size message; the body limit here, well above it,
    // refuses a declared body far beyond (a bare 413) before anything is read.
    let sheet_body = 4 * (app::sheet::read::MAX_FILE_BYTES + 64 * 1024);
    let uploads = Router::new()
        .route("/desk/import", post(transfer::upload))
        .route("/desk/readings/import", post(transfer::import_readings))
        .layer(DefaultBodyLimit::max(sheet_body))
        .layer(RequestBodyLimitLayer::new(sheet_body));
    let photos = Router::new()
        .route("/repairs/{id}/photos", post(repair_files::upload))
        .route("/keys/papers/{id}/upload", post(key_files::upload))
        .route("/renovations/visits/{id}/photos", post(renovation_files::upload))
        .route("/renovations/{id}/attachments", post(renovation_files::upload_attachments))
        .layer(DefaultBodyLimit::max(repair_files::MAX_UPLOAD_BODY))
        .layer(RequestBodyLimitLayer::new(repair_files::MAX_UPLOAD_BODY));
    let pages = Router::new()
        .route("/repairs/photos/{id}", get(repair_files::photo_full))
        .route("/repairs/photos/{id}/thumb", get(repair_files::photo_thumb))
        .route("/renovations/photos/{id}", get(renovation_files::photo_full))
        .route("/renovations/photos/{id}/thumb", get(renovation_files::photo_thumb))
        .route("/renovations/attachments/{id}", get(renovation_files::attachment_full))
        .route("/renovations/attachments/{id}/thumb", get(renovation_files::attachment_thumb))
        .route("/desk/repairs/stats.xlsx", get(repair_files::stats_xlsx))
        .route("/desk/arrears/ageing.xlsx", get(arrears_files::ageing_xlsx))
        .route("/desk/arrears/houses.xlsx", get(arrears_files::houses_xlsx))
        .route("/keys/papers/{id}", get(key_files::paper_full))
        .route("/keys/papers/{id}/thumb", get(key_files::paper_thumb))
        .route("/keys/loans/{id}/signature", get(key_files::signature))
        .route("/desk/import/template.xlsx", get(transfer::template))
        .route("/desk/import/{id}/report.xlsx", get(transfer::report))
        .route("/desk/houses.xlsx", get(transfer::export_houses))
        .route("/desk/residents.xlsx", get(transfer::export_residents))
        .route("/auth/login", post(auth_routes::login))
        .route("/auth/activate", post(auth_routes::activate))
        .route("/auth/logout", post(auth_routes::logout))
        .route("/auth/lang", post(auth_routes::set_lang))
        .leptos_routes_with_context(&state, routes, page_context, {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes));
    uploads
        .merge(photos)
        .merge(pages)
        .layer(from_fn_with_state(state.clone(), identity::resolve))
        .layer(sessions)
        .layer(Extension(TrustProxy(config.trust_proxy)))
        .layer(Extension(SecureCookies(config.secure_cookies)))
        .layer(from_fn_with_state(
            security::Tls(config.secure_cookies),
            security::headers,
        ))
        .layer(from_fn(security::csrf))
        .with_state(state)
}
