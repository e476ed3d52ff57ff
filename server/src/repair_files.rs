//! Repair dispatch's files: photos in (multipart, re-encoded off the async
//! runtime) and out (only to those who may see the ticket), and the
//! statistics export. Plain HTTP routes, checked like the server functions.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::multipart::Field;
use axum::extract::{Extension, Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use app::common::{Permission, Role};
use app::error::AppError;
use app::guard::{caller_may, RequestIdentity};
use app::repairs::api::viewer;
use app::repairs::db as repairs;
use app::repairs::photo::{self, PhotoProblem};
use app::repairs::PhotoError;
use app::state::AppState;

/// The body limit of a photo upload: a few phone photos at once.
pub const MAX_UPLOAD_BODY: usize = 4 * photo::MAX_UPLOAD_BYTES + 64 * 1024;

/// The ticket's page for this caller's role.
fn ticket_page(role: Role, id: i64) -> String {
    match role {
        Role::Resident => format!("/portal/repairs/{id}"),
        Role::Maintenance => format!("/jobs/{id}"),
        _ => format!("/desk/repairs/{id}"),
    }
}

/// Back to the page the form was on (only a path of this site), with the problem if any.
fn back_to(back: &str, fallback: &str, problem: Option<PhotoError>) -> Response {
    let path = crate::security::safe_local_path(back)
        .filter(|p| !p.contains(['?', '#']))
        .unwrap_or(fallback);
    let target = match problem {
        Some(code) => format!("{path}?photo_error={code}#photos"),
        None => format!("{path}#photos"),
    };
    Redirect::to(&target).into_response()
}

/// The longest a `back` field may be: a page of this site, well within.
const MAX_BACK_BYTES: usize = 512;
/// How long an upload waits for one of the [`photo::Uploads`] permits.
pub(crate) const UPLOAD_WAIT: Duration = Duration::from_secs(30);
/// How long reading an upload's body may take while it holds its permit:
/// 40 MiB arrive in under two minutes at 3 Mbit/s, a poor phone link; a
/// connection that trickles slower is cut off, so a few of them cannot keep
/// the permits from everyone else.
pub(crate) const UPLOAD_READ_LIMIT: Duration = Duration::from_secs(180);

/// Reads a text field chunk by chunk, up to `limit` bytes; `None` past it or
/// for a broken part.
async fn capped_text(field: &mut Field<'_>, limit: usize) -> Option<String> {
    let mut data = Vec::new();
    while let Some(chunk) = field.chunk().await.ok()? {
        if data.len() + chunk.len() > limit {
            return None;
        }
        data.extend_from_slice(&chunk);
    }
    String::from_utf8(data).ok()
}

/// Reads an upload form: the `back` field (a longer one is ignored, and the
/// ticket's page used) and the `photo` parts, each chunk by chunk and
/// refused as too big the moment it passes [`photo::MAX_UPLOAD_BYTES`], so no
/// photo is ever held whole beyond its limit. A body that hits the route's
/// limit is the same problem. The error carries the `back` read so far.
pub(crate) async fn read_photos(
    mut form: Multipart,
) -> Result<(String, Vec<Bytes>), (String, PhotoProblem)> {
    let mut back = String::new();
    let mut files = Vec::new();
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err((back, PhotoProblem::TooBig)),
        };
        match field.name() {
            Some("back") => {
                back = capped_text(&mut field, MAX_BACK_BYTES)
                    .await
                    .unwrap_or_default()
            }
            Some("photo") => {
                let mut data = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if data.len() + chunk.len() > photo::MAX_UPLOAD_BYTES => {
                            return Err((back, PhotoProblem::TooBig));
                        }
                        Ok(Some(chunk)) => data.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(_) => return Err((back, PhotoProblem::TooBig)),
                    }
                }
                // A file input with nothing chosen sends an empty part.
                if !data.is_empty() {
                    files.push(Bytes::from(data));
                }
            }
            _ => {}
        }
    }
    Ok((back, files))
}

/// `POST /repairs/{id}/photos` (multipart: `photo` files, `back`): adds photos
/// to a ticket, all or none, then returns to the ticket's page.
pub async fn upload(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return Redirect::to("/login").into_response();
    };
    let viewer = match viewer(&caller) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let page = ticket_page(caller.role, id);
    // Who may add is decided before a byte of the photos is read.
    let room = match repairs::photo_access(&state.db.pool, &viewer, id).await {
        Ok(Some(_)) => match repairs::photo_room(&state.db.pool, id).await {
            Ok(room) => room,
            Err(e) => return e.into_response(),
        },
        Ok(None) => return back_to("", &page, Some(PhotoError::Closed)),
        Err(e) => return e.into_response(),
    };
    // A few uploads hold their photos in memory at once; the rest wait their turn.
    let Some(_reading) = photo::Uploads::shared().enter(UPLOAD_WAIT).await else {
        return back_to("", &page, Some(PhotoError::Busy));
    };
    let (back, files) = match tokio::time::timeout(UPLOAD_READ_LIMIT, read_photos(form)).await {
        Ok(Ok(read)) => read,
        Ok(Err((back, problem))) => return back_to(&back, &page, Some(problem.code())),
        // Held its permit for the whole limit: a stalled or trickling connection.
        Err(_) => return back_to("", &page, Some(PhotoError::Slow)),
    };
    if files.is_empty() {
        return back_to(&back, &page, Some(PhotoError::NoFile));
    }
    // Too many for the ticket: refused before any decoding work.
    if files.len() as i64 > room {
        return back_to(&back, &page, Some(PhotoError::TooMany));
    }
    // The ticket's places are held before the decoding and the count read
    // again under the hold, so uploads running together cannot all decode
    // and then find the ticket full. Given back when this function returns.
    let hold = photo::Reservations::shared().hold(id, files.len() as i64);
    match repairs::photo_room(&state.db.pool, id).await {
        Ok(room) if hold.fits(photo::MAX_PER_TICKET - room) => {}
        Ok(_) => return back_to(&back, &page, Some(PhotoError::TooMany)),
        Err(e) => return e.into_response(),
    }
    // Decoding and encoding is CPU work: off the async workers, a few at a time.
    let encoded = match photo::Decoders::shared().reencode_all(files).await {
        Ok(Ok(e)) => e,
        Ok(Err(problem)) => return back_to(&back, &page, Some(problem.code())),
        Err(e) => return e.into_response(),
    };
    let actor = identity.actor(&caller);
    match repairs::add_photos(&state.db, &actor, caller.lang, &viewer, id, encoded).await {
        Ok(()) => back_to(&back, &page, None),
        Err(AppError::Invalid(_)) => back_to(&back, &page, Some(PhotoError::TooMany)),
        Err(AppError::Rule(_)) => back_to(&back, &page, Some(PhotoError::Closed)),
        Err(e) => e.into_response(),
    }
}

async fn serve(state: AppState, identity: RequestIdentity, id: i64, thumb: bool) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let viewer = match viewer(&caller) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    match repairs::photo(&state.db.pool, &viewer, id, thumb).await {
        Ok(bytes) => image(bytes, "image/jpeg"),
        Err(e) => e.into_response(),
    }
}

/// An image from the database, as the browser gets it (every answer is
/// `Cache-Control: no-store`: see `security::headers`).
pub(crate) fn image(bytes: Vec<u8>, kind: &'static str) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}

/// `GET /repairs/photos/{id}`: the photo, to those who may see its ticket.
pub async fn photo_full(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve(state, identity, id, false).await
}

/// `GET /repairs/photos/{id}/thumb`
pub async fn photo_thumb(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve(state, identity, id, true).await
}

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    pub estate: i64,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// `GET /desk/repairs/stats.xlsx?estate=&from=&to=`
pub async fn stats_xlsx(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(q): Query<StatsQuery>,
) -> Response {
    let caller = match caller_may(identity.caller.clone(), Permission::UseDesk) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if q.estate != 0 {
        if let Err(e) = caller.check_estate(q.estate) {
            return e.into_response();
        }
    }
    let stats =
        match app::repairs::stats::stats(&state.db.pool, &caller.scope, q.estate, &q.from, &q.to)
            .await
        {
            Ok(s) => s,
            Err(e) => return AppError::internal(e).into_response(),
        };
    match app::repairs::stats::xlsx(&stats, caller.lang) {
        Ok(bytes) => {
            crate::transfer::xlsx(bytes, &format!("repairs-{}-{}.xlsx", stats.from, stats.to))
        }
        Err(e) => AppError::internal(e).into_response(),
    }
}

#[cfg(test)]
mod back_to_tests {
    use super::*;

    #[test]
    fn back_to_refuses_paths_that_leave_the_site() {
        let to = |back: &str| {
            let r = back_to(back, "/desk/repairs/1", None);
            r.headers()[header::LOCATION]
                .to_str()
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(to("/jobs/1"), "/jobs/1#photos");
        for evil in ["/\t/evil.example", "/\n/evil", "/\\evil", "//evil", "/x?y"] {
            assert_eq!(to(evil), "/desk/repairs/1#photos", "{evil:?}");
        }
    }
}
