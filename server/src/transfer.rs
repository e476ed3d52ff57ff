//! Files in and out of the register: the import upload, the template, the
//! annotated report of a rejected import, the house and resident exports, and
//! the meter readings' upload. Plain HTTP routes (multipart and downloads),
//! guarded by the same permission check and estate scope as the server
//! functions: the [`Desk`] extractor asks [`caller_may`], and a refusal
//! answers through `IntoResponse for AppError` (a sign-in redirect, a 403).

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use app::common::{AccountId, AuditAction, AuditEntity, Caller, Permission};
use app::db::audit::{self, Actor, Change};
use app::error::AppError;
use app::estate::import;
use app::guard::{caller_may, RequestIdentity};
use app::sheet::read as sheet;
use app::state::AppState;

/// A caller of the desk (clerks, managers, admins), past the permission
/// check; any other request is refused before the handler runs.
pub struct Desk {
    pub caller: Caller,
    identity: RequestIdentity,
}

impl Desk {
    /// The audit log's actor: the caller, from their address.
    fn actor(&self) -> Actor {
        self.identity.actor(&self.caller)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Desk {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let identity = parts
            .extensions
            .get::<RequestIdentity>()
            .cloned()
            .ok_or_else(|| AppError::internal("RequestIdentity missing: no identity middleware"))?;
        let caller = caller_may(identity.caller.clone(), Permission::UseDesk)?;
        Ok(Desk { caller, identity })
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

/// How long reading one uploaded file may take. A full workbook of 20,000
/// register rows reads in 2.7 s even unoptimised; a file still unread after
/// this is refused as unreadable (the blocking thread runs on to its own end,
/// bounded by the file's size and the cell limits, and keeps its reader slot).
const READ_TIME_LIMIT: Duration = Duration::from_secs(20);

/// How long an upload waits for a free sheet reader before it is refused as
/// busy: a few full-size reads ahead of it.
const READ_WAIT_LIMIT: Duration = Duration::from_secs(30);

/// Reads an uploaded file off the async runtime, in one of the process's few
/// sheet reader slots, within the time limits: a spreadsheet is CPU work and
/// memory that must not stall the requests of others.
async fn read_upload(
    file_name: String,
    bytes: Bytes,
    columns: &'static sheet::Columns,
) -> Result<Vec<sheet::RawRow>, sheet::FileProblem> {
    let read = sheet::SheetReaders::shared()
        .run(READ_WAIT_LIMIT, READ_TIME_LIMIT, move || {
            sheet::read_with(&file_name, &bytes, columns)
        })
        .await;
    match read {
        Ok(read) => read,
        Err(sheet::ReadStopped::Busy) => {
            tracing::warn!(wait = ?READ_WAIT_LIMIT, "no sheet reader came free for an upload");
            Err(sheet::FileProblem::Busy)
        }
        Err(sheet::ReadStopped::TooSlow) => {
            tracing::warn!(limit = ?READ_TIME_LIMIT, "reading an uploaded file took too long");
            Err(sheet::FileProblem::Unreadable)
        }
        Err(sheet::ReadStopped::Failed) => Err(sheet::FileProblem::Unreadable),
    }
}

/// The most a form's text field (an id, a period) may hold; a longer one is
/// refused as a bad request as soon as that much has arrived.
const MAX_FIELD_BYTES: usize = 256;

/// What a multipart upload's `file` part brought.
enum Upload {
    None,
    File(String, Bytes),
    /// More than `MAX_FILE_BYTES` of it arrived (reading stopped there), or
    /// the body hit the route's limit: refused with the file-size message.
    TooLarge(String),
}

/// The answer to a malformed multipart request; `None` for a body that hit
/// its limit, which is the file-size problem the user is told about.
fn malformed(e: &axum::extract::multipart::MultipartError) -> Option<Response> {
    (e.status() != StatusCode::PAYLOAD_TOO_LARGE)
        .then(|| (e.status(), e.body_text()).into_response())
}

/// Reads an upload form: the text fields named in `names`, and the `file`
/// part, chunk by chunk, up to `MAX_FILE_BYTES`. The fields come before the
/// file in the desk's forms, so a file too large is known with its estate and
/// told as the file-size problem; reading stops at the limit.
async fn read_form(
    mut form: Multipart,
    names: &[&str],
) -> Result<(HashMap<String, String>, Upload), Response> {
    let mut fields = HashMap::new();
    let mut file = Upload::None;
    'fields: loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                if let Some(response) = malformed(&e) {
                    return Err(response);
                }
                file = Upload::TooLarge(String::new());
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mut data = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) if data.len() + chunk.len() > sheet::MAX_FILE_BYTES => {
                        file = Upload::TooLarge(file_name);
                        break 'fields;
                    }
                    Ok(Some(chunk)) => data.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => {
                        if let Some(response) = malformed(&e) {
                            return Err(response);
                        }
                        file = Upload::TooLarge(file_name);
                        break 'fields;
                    }
                }
            }
            file = Upload::File(file_name, Bytes::from(data));
        } else if names.contains(&name.as_str()) {
            let mut text = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) if text.len() + chunk.len() > MAX_FIELD_BYTES => {
                        return Err(
                            (StatusCode::BAD_REQUEST, "form field too long").into_response()
                        );
                    }
                    Ok(Some(chunk)) => text.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => {
                        if let Some(response) = malformed(&e) {
                            return Err(response);
                        }
                        file = Upload::TooLarge(String::new());
                        break 'fields;
                    }
                }
            }
            fields.insert(name, String::from_utf8(text).unwrap_or_default());
        }
    }
    Ok((fields, file))
}

/// A form field as a number, 0 if missing or not one.
fn id_field(fields: &HashMap<String, String>, name: &str) -> i64 {
    fields
        .get(name)
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}

/// `POST /desk/import` (multipart: `estate`, `file`): imports, then shows the report.
pub async fn upload(State(state): State<AppState>, desk: Desk, form: Multipart) -> Response {
    let caller = &desk.caller;
    let (fields, file) = match read_form(form, &["estate"]).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let estate_id = id_field(&fields, "estate");
    if let Err(refused) = caller.check_estate(estate_id) {
        return refused.into_response();
    }
    let (file_name, sha, read) = match file {
        Upload::File(name, bytes) if !name.is_empty() && !bytes.is_empty() => {
            let sha = import::sha256_hex(&bytes);
            let read = read_upload(name.clone(), bytes, &import::COLUMNS).await;
            (name, sha, read)
        }
        // Only part of the file arrived: there is no whole file to fingerprint.
        Upload::TooLarge(name) => (name, String::new(), Err(sheet::FileProblem::TooLarge)),
        _ => return Redirect::to("/desk/import?error=no_file").into_response(),
    };
    let actor = desk.actor();
    let outcome = match read {
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
            let problems = [sheet::file_problem(caller.lang, problem)];
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
pub async fn template(desk: Desk) -> Response {
    match import::template_xlsx(desk.caller.lang) {
        Ok(bytes) => xlsx(bytes, "register-template.xlsx"),
        Err(e) => internal(e),
    }
}

/// `GET /desk/import/{id}/report.xlsx`: a rejected import's rows with their
/// problems, mobiles and ID numbers masked; only for the account that uploaded
/// the file or a manager of its estate, and audited. An accepted import, or a
/// rejected one whose rows are no longer kept, has no report (404).
pub async fn report(State(state): State<AppState>, desk: Desk, Path(id): Path<i64>) -> Response {
    let caller = &desk.caller;
    let report = match app::estate::db::import_report(&state.db.pool, id).await {
        Ok(Some(r)) => r,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let summary = &report.summary;
    if let Err(refused) = caller.check_estate(summary.estate_id) {
        return refused.into_response();
    }
    if !import::may_read_report(
        caller.role,
        AccountId(caller.account_id),
        report.uploaded_by,
    ) {
        return AppError::forbidden("a clerk's report is not a colleague's").into_response();
    }
    let bytes = match import::annotated_xlsx(&report.rows, &summary.problems, caller.lang) {
        Ok(bytes) => bytes,
        Err(e) => return internal(e),
    };
    // A download writes nothing else: its entry is recorded on its own.
    let change = Change::new(AuditAction::DownloadImportReport, AuditEntity::ImportBatch)
        .id(id)
        .estate(summary.estate_id)
        .after(json!({ "file": summary.file_name, "rows": report.rows.len() }));
    let logged = audit::record(&state.db.pool, &desk.actor(), change).await;
    // No entry, no file: a download nobody can trace is the leak this guards.
    if let Err(e) = logged {
        return internal(e);
    }
    xlsx(bytes, &format!("import-{id}-report.xlsx"))
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
pub async fn export(kind: ExportKind, state: AppState, desk: Desk, estate: i64) -> Response {
    let caller = &desk.caller;
    if let Err(refused) = caller.check_estate(estate) {
        return refused.into_response();
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
    desk: Desk,
    Query(q): Query<ExportQuery>,
) -> Response {
    export(ExportKind::Houses, state, desk, q.estate).await
}

pub async fn export_residents(
    State(state): State<AppState>,
    desk: Desk,
    Query(q): Query<ExportQuery>,
) -> Response {
    export(ExportKind::Residents, state, desk, q.estate).await
}

/// `POST /desk/readings/import` (multipart: `fee_item_id`, `period`, `file`):
/// a period's meter readings from a file, all or nothing; then the readings
/// page with the attempt's row report.
pub async fn import_readings(
    State(state): State<AppState>,
    desk: Desk,
    form: Multipart,
) -> Response {
    let caller = &desk.caller;
    let (fields, file) = match read_form(form, &["fee_item_id", "period"]).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let fee_item_id = id_field(&fields, "fee_item_id");
    let period = fields.get("period").cloned().unwrap_or_default();
    let (file_name, read) = match file {
        Upload::File(name, bytes) if !name.is_empty() && !bytes.is_empty() => {
            let read = read_upload(name.clone(), bytes, &app::billing::db::READING_COLUMNS).await;
            (name, read)
        }
        Upload::TooLarge(name) => (name, Err(sheet::FileProblem::TooLarge)),
        Upload::File(name, _) => (name, Err(sheet::FileProblem::NoHeader)),
        Upload::None => (String::new(), Err(sheet::FileProblem::NoHeader)),
    };
    let actor = desk.actor();
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
        Err(e @ (AppError::Forbidden | AppError::NotFound)) => e.into_response(),
        // The readings page shows the refusal; a bare status would say nothing.
        Err(e @ (AppError::Invalid(_) | AppError::Rule(_))) => {
            (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response()
        }
        Err(e) => internal(e),
    }
}
