//! Files in and out of the register: the import upload, the template, the
//! annotated report of a rejected import, and the house list export. Plain
//! HTTP routes (multipart and downloads), guarded by the same permission
//! check and estate scope as the server functions.

use axum::body::Bytes;
use axum::extract::{Extension, Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use app::auth::api::RequestIdentity;
use app::auth::session::Caller;
use app::auth::{rules, Permission};
use app::estate::import;
use app::state::AppState;

/// Why a file route refuses its caller.
enum Refusal {
    SignIn,
    Forbidden,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn => Redirect::to("/login").into_response(),
            Refusal::Forbidden => StatusCode::FORBIDDEN.into_response(),
        }
    }
}

/// The desk's caller, or the refusal to send.
fn desk_caller(identity: &RequestIdentity) -> Result<Caller, Refusal> {
    match &identity.caller {
        None => Err(Refusal::SignIn),
        Some(c) if !rules::allows(c.role, Permission::UseDesk) => Err(Refusal::Forbidden),
        Some(c) => Ok(c.clone()),
    }
}

pub fn xlsx(bytes: Vec<u8>, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "file transfer failed");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// `POST /desk/import` (multipart: `estate`, `file`): imports, then shows the report.
pub async fn upload(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    mut form: Multipart,
) -> Response {
    let caller = match desk_caller(&identity) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let mut estate_id = 0i64;
    let mut file: Option<(String, Bytes)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("estate") => {
                    estate_id = field
                        .text()
                        .await
                        .ok()
                        .and_then(|t| t.trim().parse().ok())
                        .unwrap_or(0)
                }
                Some("file") => {
                    let name = field.file_name().unwrap_or("").to_string();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes)),
                        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        }
    }
    if caller.check_estate(estate_id).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some((file_name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return Redirect::to("/desk/import?error=no_file").into_response();
    };
    let actor = app::audit::db::Actor {
        account_id: Some(caller.account_id),
        name: caller.display_name.clone(),
        ip: identity.ip.map(|ip| ip.to_string()),
    };
    let sha = import::sha256_hex(&bytes);
    let outcome = match import::read(&file_name, &bytes) {
        Ok(rows) => {
            import::import_rows(
                &state.db,
                estate_id,
                &file_name,
                &sha,
                rows,
                caller.lang,
                &actor,
            )
            .await
        }
        Err(problem) => {
            let problems = [import::file_problem(caller.lang, problem)];
            import::reject(
                &state.db,
                estate_id,
                &file_name,
                &sha,
                &[],
                &problems,
                &actor,
            )
            .await
        }
    };
    match outcome {
        Ok(o) => Redirect::to(&format!("/desk/import/{}", o.batch_id)).into_response(),
        Err(e) => internal(e),
    }
}

/// `GET /desk/import/template.xlsx`
pub async fn template(Extension(identity): Extension<RequestIdentity>) -> Response {
    let caller = match desk_caller(&identity) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match import::template_xlsx(caller.lang) {
        Ok(bytes) => xlsx(bytes, "register-template.xlsx"),
        Err(e) => internal(e),
    }
}

/// `GET /desk/import/{id}/report.xlsx`: the file's rows with their problems.
pub async fn report(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    let caller = match desk_caller(&identity) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let batch = match app::estate::db::import_batch(&state.db.pool, id).await {
        Ok(Some(b)) => b,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let (summary, rows) = batch;
    if caller.check_estate(summary.estate_id).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    match import::annotated_xlsx(&rows, &summary.problems, caller.lang) {
        Ok(bytes) => xlsx(bytes, &format!("import-{id}-report.xlsx")),
        Err(e) => internal(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub estate: i64,
}

/// Which list an export writes.
#[derive(Debug, Clone, Copy)]
pub enum ExportKind {
    Houses,
    Residents,
}

/// `GET /desk/houses.xlsx?estate=…` and `/desk/residents.xlsx?estate=…`: an
/// estate's houses (with current residents) or residents, personal data masked.
pub async fn export(
    kind: ExportKind,
    state: AppState,
    identity: RequestIdentity,
    estate: i64,
) -> Response {
    let caller = match desk_caller(&identity) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    if caller.check_estate(estate).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let pool = &state.db.pool;
    let rows = match kind {
        ExportKind::Houses => app::estate::db::export_rows(pool, estate).await,
        ExportKind::Residents => app::estate::db::resident_export_rows(pool, estate).await,
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return internal(e),
    };
    let (file, bytes) = match kind {
        ExportKind::Houses => ("houses.xlsx", import::houses_xlsx(&rows, caller.lang)),
        ExportKind::Residents => ("residents.xlsx", import::residents_xlsx(&rows, caller.lang)),
    };
    match bytes {
        Ok(bytes) => xlsx(bytes, file),
        Err(e) => internal(e),
    }
}

pub async fn export_houses(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(q): Query<ExportQuery>,
) -> Response {
    export(ExportKind::Houses, state, identity, q.estate).await
}

pub async fn export_residents(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(q): Query<ExportQuery>,
) -> Response {
    export(ExportKind::Residents, state, identity, q.estate).await
}

/// `POST /desk/readings/import` (multipart: `fee_item_id`, `period`, `file`):
/// a period's meter readings from a file, all or nothing; then the readings
/// page with the attempt's row report.
pub async fn import_readings(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    mut form: Multipart,
) -> Response {
    let caller = match desk_caller(&identity) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let mut fee_item_id = 0i64;
    let mut period = String::new();
    let mut file: Option<(String, Bytes)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("fee_item_id") => {
                    fee_item_id = field
                        .text()
                        .await
                        .ok()
                        .and_then(|t| t.trim().parse().ok())
                        .unwrap_or(0)
                }
                Some("period") => period = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = field.file_name().unwrap_or("").to_string();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes)),
                        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        }
    }
    let (file_name, bytes) = file.unwrap_or_default();
    let read = if file_name.is_empty() || bytes.is_empty() {
        Err(import::FileProblem::NoHeader)
    } else {
        import::read_with(&file_name, &bytes, &app::billing::db::READING_COLUMNS)
    };
    let actor = app::audit::db::Actor {
        account_id: Some(caller.account_id),
        name: caller.display_name.clone(),
        ip: identity.ip.map(|ip| ip.to_string()),
    };
    let outcome = app::billing::db::import_readings(
        &state.db,
        &actor,
        caller.lang,
        fee_item_id,
        &period,
        &file_name,
        read,
        Some(caller.account_id),
        |estate| caller.check_estate(estate),
    )
    .await;
    match outcome {
        Ok(id) => match app::billing::db::reading_import(&state.db.pool, id).await {
            Ok(Some((estate_id, report))) => Redirect::to(&format!(
                "/desk/readings?estate={estate_id}&item={fee_item_id}&period={}&import={id}",
                report.period
            ))
            .into_response(),
            Ok(None) => StatusCode::NOT_FOUND.into_response(),
            Err(e) => internal(e),
        },
        Err(app::error::AppError::Forbidden) => StatusCode::FORBIDDEN.into_response(),
        Err(app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e @ (app::error::AppError::Invalid(_) | app::error::AppError::Rule(_))) => {
            (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response()
        }
        Err(e) => internal(e),
    }
}
