//! The escalation list's server functions (managers).

use leptos::prelude::*;

use super::*;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;

#[server(endpoint = "get_escalations")]
pub async fn get_escalations(estate_id: i64, status: String) -> Result<EscalationList, AppError> {
    guarded(Permission::HandleEscalations, move |call| async move {
        Ok(super::db::list(call.pool(), &call.caller.scope, estate_id, &status).await?)
    })
    .await
}

#[server(endpoint = "resolve_escalation")]
pub async fn resolve_escalation(id: i64, resolution: String) -> Result<(), AppError> {
    guarded(Permission::HandleEscalations, move |call| async move {
        let actor = call.actor();
        super::db::resolve(
            call.db(),
            &actor,
            call.lang(),
            &call.caller.scope,
            id,
            &resolution,
        )
        .await
    })
    .await
}
