//! Renovation's images: a visit's photos in (multipart, re-encoded like a
//! repair photo) and out — each only to those the application's rules allow
//! (`app::renovation::db::works`). Plain HTTP routes, checked like the server functions.

use axum::extract::{Extension, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use app::common::Role;
use app::error::AppError;
use app::guard::RequestIdentity;
use app::renovation::db::works;
use app::repairs::photo;
use app::repairs::PhotoError;
use app::state::AppState;

use crate::repair_files::{image, read_photos, UPLOAD_READ_LIMIT, UPLOAD_WAIT};

/// The application's page for this caller's role.
fn app_page(role: Role, id: i64) -> String {
    match role {
        Role::Resident => format!("/portal/renovations/{id}"),
        Role::Maintenance => format!("/jobs/renovations/{id}"),
        _ => format!("/desk/renovations/{id}"),
    }
}

/// Back to the application's page at the visit: the photos kept, or why not
/// (repairs' words for the same problems, `?photo_error=<code>`).
fn back(page: &str, visit_id: i64, problem: Option<PhotoError>) -> Response {
    let flag = match problem {
        None => "photos=saved".to_string(),
        Some(code) => format!("photo_error={code}"),
    };
    Redirect::to(&format!("{page}?{flag}#visit-{visit_id}")).into_response()
}

/// `POST /renovations/visits/{id}/photos` (multipart: `photo` files): keeps
/// photos of visit `id`, all or none, then returns to the application's page.
pub async fn upload(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(visit_id): Path<i64>,
    form: Multipart,
) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return Redirect::to("/login").into_response();
    };
    // Who may add is decided before a byte of the photos is read.
    let id = match works::may_add_photos(&state.db.pool, &caller, visit_id).await {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let page = app_page(caller.role, id);
    let Some(_reading) = photo::Uploads::shared().enter(UPLOAD_WAIT).await else {
        return back(&page, visit_id, Some(PhotoError::Busy));
    };
    let files = match tokio::time::timeout(UPLOAD_READ_LIMIT, read_photos(form)).await {
        Ok(Ok((_, files))) if !files.is_empty() => files,
        Ok(Ok(_)) => return back(&page, visit_id, Some(PhotoError::NoFile)),
        Ok(Err((_, problem))) => return back(&page, visit_id, Some(problem.code())),
        Err(_) => return back(&page, visit_id, Some(PhotoError::Slow)),
    };
    if files.len() as i64 > works::MAX_PHOTOS_PER_VISIT {
        return back(&page, visit_id, Some(PhotoError::TooMany));
    }
    let encoded = match photo::Decoders::shared().reencode_all(files).await {
        Ok(Ok(e)) => e,
        Ok(Err(problem)) => return back(&page, visit_id, Some(problem.code())),
        Err(e) => return e.into_response(),
    };
    let actor = identity.actor(&caller);
    match works::add_photos(&state.db, &actor, &caller, visit_id, encoded).await {
        Ok(_) => back(&page, visit_id, None),
        Err(AppError::Invalid(_)) => back(&page, visit_id, Some(PhotoError::TooMany)),
        Err(AppError::Rule(_) | AppError::Conflict(_)) => {
            back(&page, visit_id, Some(PhotoError::Closed))
        }
        Err(e) => e.into_response(),
    }
}

async fn serve(state: AppState, identity: RequestIdentity, id: i64, thumb: bool) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match works::photo(&state.db.pool, &caller, id, thumb).await {
        Ok(bytes) => image(bytes, "image/jpeg"),
        Err(e) => e.into_response(),
    }
}

/// `GET /renovations/photos/{id}`: a visit's photo, to whoever may see the application.
pub async fn photo_full(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve(state, identity, id, false).await
}

/// `GET /renovations/photos/{id}/thumb`
pub async fn photo_thumb(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve(state, identity, id, true).await
}
