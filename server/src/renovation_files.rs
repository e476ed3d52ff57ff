//! Renovation's images: a visit's photos and an application's own drawings
//! and photos in (multipart, re-encoded like a repair photo) and out — each
//! only to those the application's rules allow (`app::renovation::db::works`,
//! `app::renovation::db::attachments`). Plain HTTP routes, checked like the
//! server functions.

use axum::extract::{Extension, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use app::common::Role;
use app::error::AppError;
use app::guard::RequestIdentity;
use app::renovation::db::{attachments, works};
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
        // Theirs to add to, but the works are no longer visited: said on the page.
        Err(AppError::Rule(_)) => match works::visit_app(&state.db.pool, visit_id).await {
            Ok(Some(id)) => {
                return back(
                    &app_page(caller.role, id),
                    visit_id,
                    Some(PhotoError::Closed),
                )
            }
            Ok(None) => return AppError::NotFound.into_response(),
            Err(e) => return AppError::from(e).into_response(),
        },
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

/// Back to the application's page at its drawings and photos: kept, or why
/// not (repairs' words for the same problems, `?attachment_error=<code>`).
fn back_to_attachments(page: &str, problem: Option<PhotoError>) -> Response {
    let flag = match problem {
        None => "attachments=saved".to_string(),
        Some(code) => format!("attachment_error={code}"),
    };
    Redirect::to(&format!("{page}?{flag}#attachments")).into_response()
}

/// `POST /renovations/{id}/attachments` (multipart: `photo` files): keeps
/// drawings and photos of application `id`, all or none, then returns to its page.
pub async fn upload_attachments(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return Redirect::to("/login").into_response();
    };
    let page = app_page(caller.role, id);
    // Who may add, and how many more, is decided before a byte of the files is read.
    let room = match attachments::may_add(&state.db.pool, &caller, id).await {
        Ok(room) => room,
        // Theirs to add to, but past its review: said on the page.
        Err(AppError::Rule(_)) => return back_to_attachments(&page, Some(PhotoError::Closed)),
        Err(e) => return e.into_response(),
    };
    let Some(_reading) = photo::Uploads::shared().enter(UPLOAD_WAIT).await else {
        return back_to_attachments(&page, Some(PhotoError::Busy));
    };
    let files = match tokio::time::timeout(UPLOAD_READ_LIMIT, read_photos(form)).await {
        Ok(Ok((_, files))) if !files.is_empty() => files,
        Ok(Ok(_)) => return back_to_attachments(&page, Some(PhotoError::NoFile)),
        Ok(Err((_, problem))) => return back_to_attachments(&page, Some(problem.code())),
        Err(_) => return back_to_attachments(&page, Some(PhotoError::Slow)),
    };
    if files.len() as i64 > room {
        return back_to_attachments(&page, Some(PhotoError::TooMany));
    }
    let encoded = match photo::Decoders::shared().reencode_all(files).await {
        Ok(Ok(e)) => e,
        Ok(Err(problem)) => return back_to_attachments(&page, Some(problem.code())),
        Err(e) => return e.into_response(),
    };
    let actor = identity.actor(&caller);
    match attachments::add(&state.db, &actor, &caller, id, encoded).await {
        Ok(()) => back_to_attachments(&page, None),
        Err(AppError::Invalid(_)) => back_to_attachments(&page, Some(PhotoError::TooMany)),
        Err(AppError::Rule(_) | AppError::Conflict(_)) => {
            back_to_attachments(&page, Some(PhotoError::Closed))
        }
        Err(e) => e.into_response(),
    }
}

async fn serve_attachment(
    state: AppState,
    identity: RequestIdentity,
    id: i64,
    thumb: bool,
) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match attachments::image(&state.db.pool, &caller, id, thumb).await {
        Ok(bytes) => image(bytes, "image/jpeg"),
        Err(e) => e.into_response(),
    }
}

/// `GET /renovations/attachments/{id}`: an application's drawing or photo,
/// to whoever may see the application.
pub async fn attachment_full(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve_attachment(state, identity, id, false).await
}

/// `GET /renovations/attachments/{id}/thumb`
pub async fn attachment_thumb(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve_attachment(state, identity, id, true).await
}
