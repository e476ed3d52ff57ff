//! Key custody's images: an owner's signed authorisation in (a photo or scan,
//! multipart, re-encoded like a repair photo) and out, and a loan's drawn
//! signature out — each only to those the key's rules allow
//! (`app::keys::db::papers`). Plain HTTP routes, checked like the server functions.

use axum::extract::{Extension, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use app::guard::RequestIdentity;
use app::keys::db::papers;
use app::repairs::photo;
use app::state::AppState;

use crate::repair_files::{image, read_photos, UPLOAD_READ_LIMIT, UPLOAD_WAIT};

/// Back to the key's page (only a path of this site), saying whether the paper was kept.
fn back(path: &str, ok: bool) -> Response {
    let path = crate::security::safe_local_path(path)
        .filter(|p| p.starts_with("/desk/keys/") && !p.contains(['?', '#']))
        .unwrap_or("/desk/keys");
    let flag = if ok { "paper=saved" } else { "paper=refused" };
    Redirect::to(&format!("{path}?{flag}#paper")).into_response()
}

/// `POST /keys/papers/{id}/upload` (multipart: `photo`, `back`): keeps the signed
/// paper of authorisation `id`, once.
pub async fn upload(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return Redirect::to("/login").into_response();
    };
    // Who may attach is decided before a byte of the upload is read.
    if let Err(e) = papers::may_attach(&state.db.pool, &caller, id).await {
        return e.into_response();
    }
    let Some(_reading) = photo::Uploads::shared().enter(UPLOAD_WAIT).await else {
        return back("", false);
    };
    let (to, files) = match tokio::time::timeout(UPLOAD_READ_LIMIT, read_photos(form)).await {
        Ok(Ok(read)) => read,
        Ok(Err((to, _))) => return back(&to, false),
        Err(_) => return back("", false),
    };
    if files.len() != 1 {
        return back(&to, false);
    }
    let encoded = match photo::Decoders::shared().reencode_all(files).await {
        Ok(Ok(mut e)) if e.len() == 1 => e.remove(0),
        Ok(_) => return back(&to, false),
        Err(e) => return e.into_response(),
    };
    let actor = identity.actor(&caller);
    match papers::attach(
        &state.db,
        &actor,
        &caller,
        caller.lang,
        id,
        &encoded.jpeg,
        &encoded.thumb,
    )
    .await
    {
        // Back to the page the form was on, else the key's first copy.
        Ok(_) if to.starts_with("/desk/keys/") => back(&to, true),
        Ok(copy) => back(&format!("/desk/keys/{copy}"), true),
        Err(app::error::AppError::Rule(_)) => back(&to, false),
        Err(e) => e.into_response(),
    }
}

async fn serve_paper(state: AppState, identity: RequestIdentity, id: i64, thumb: bool) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match papers::paper(&state.db.pool, &caller, id, thumb).await {
        Ok(bytes) => image(bytes, "image/jpeg"),
        Err(e) => e.into_response(),
    }
}

/// `GET /keys/papers/{id}`: the signed paper, to the desk of its estate and to its signer.
pub async fn paper_full(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve_paper(state, identity, id, false).await
}

/// `GET /keys/papers/{id}/thumb`
pub async fn paper_thumb(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    serve_paper(state, identity, id, true).await
}

/// `GET /keys/loans/{id}/signature`: a loan's drawn signature, to the desk of its estate.
pub async fn signature(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<i64>,
) -> Response {
    let Some(caller) = identity.caller.clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match papers::signature(&state.db.pool, &caller, id).await {
        Ok(bytes) => image(bytes, "image/png"),
        Err(e) => e.into_response(),
    }
}
