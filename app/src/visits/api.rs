//! The escalation list's server functions (managers).

use leptos::prelude::*;

use super::*;
use crate::error::AppError;

#[server(endpoint = "get_escalations")]
pub async fn get_escalations(estate_id: i64, status: String) -> Result<EscalationList, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::HandleEscalations)?;
    let state = state()?;
    finish(
        super::db::list(&state.db.pool, &caller.scope, estate_id, &status)
            .await
            .map_err(AppError::from),
    )
}

#[server(endpoint = "resolve_escalation")]
pub async fn resolve_escalation(id: i64, resolution: String) -> Result<(), AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::HandleEscalations)?;
    let state = state()?;
    finish(
        super::db::resolve(
            &state.db,
            &actor(&caller),
            caller.lang,
            &caller.scope,
            id,
            &resolution,
        )
        .await,
    )
}
