//! The arrears tables as spreadsheets: `GET /desk/arrears/ageing.xlsx` (an
//! estate's ageing by building) and `GET /desk/arrears/houses.xlsx` (the
//! houses of a cell), each read by the same function as its page and
//! checked like its server function (the desk, the caller's estates).

use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::arrears::db::{self as arrears, export};
use app::arrears::Bucket;
use app::common::Permission;
use app::error::AppError;
use app::guard::{caller_may, RequestIdentity};
use app::i18n::{tr, I18n};
use app::state::AppState;

#[derive(Debug, Deserialize)]
pub struct AgeingQuery {
    #[serde(default)]
    pub estate: i64,
    #[serde(default)]
    pub building: i64,
    #[serde(default)]
    pub bucket: String,
    #[serde(default)]
    pub as_of: String,
}

/// `GET /desk/arrears/ageing.xlsx?estate=&as_of=`
pub async fn ageing_xlsx(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(q): Query<AgeingQuery>,
) -> Response {
    let caller = match caller_may(identity.caller.clone(), Permission::UseDesk) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let a = match arrears::ageing(&state.db.pool, &caller, q.estate, &q.as_of).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let lang = caller.lang;
    let title = format!(
        "{} {} ({})",
        a.estate.name,
        tr(lang, "arrears.title"),
        a.as_of
    );
    let first = tr(lang, "arrears.building");
    match export::xlsx(lang, &title, &first, &a.buildings, Some(&a.estate), true) {
        Ok(bytes) => crate::transfer::xlsx(bytes, &format!("ageing-{}.xlsx", a.as_of)),
        Err(e) => AppError::internal(e).into_response(),
    }
}

/// `GET /desk/arrears/houses.xlsx?estate=&building=&bucket=&as_of=`
pub async fn houses_xlsx(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Query(q): Query<AgeingQuery>,
) -> Response {
    let caller = match caller_may(identity.caller.clone(), Permission::UseDesk) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let building = (q.building > 0).then_some(q.building);
    let bucket = Bucket::parse(&q.bucket);
    let h = match arrears::houses(
        &state.db.pool,
        &caller,
        q.estate,
        building,
        bucket,
        &q.as_of,
    )
    .await
    {
        Ok(h) => h,
        Err(e) => return e.into_response(),
    };
    let lang = caller.lang;
    let place = h
        .building
        .as_ref()
        .map(|b| format!("{} {}", h.estate, b.name))
        .unwrap_or_else(|| h.estate.clone());
    let which = bucket.map_or_else(|| tr(lang, "arrears.any_bucket"), |b| tr(lang, b.key()));
    let title = I18n(lang).f(
        "arrears.houses_title",
        &[("place", &place), ("bucket", &which), ("as_of", &h.as_of)],
    );
    let first = tr(lang, "arrears.house");
    match export::xlsx(lang, &title, &first, &h.houses, None, false) {
        Ok(bytes) => crate::transfer::xlsx(bytes, &format!("arrears-houses-{}.xlsx", h.as_of)),
        Err(e) => AppError::internal(e).into_response(),
    }
}
