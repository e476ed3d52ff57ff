//! Browsing the operation log: admins see everything, managers their estates.

use leptos::prelude::*;

use super::{AuditFilter, AuditResults};
use crate::error::AppError;

#[server(endpoint = "audit_page")]
pub async fn audit_page(filter: AuditFilter) -> Result<AuditResults, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ViewAuditLog)?;
    let state = state()?;
    finish(
        super::db::page(&state.db.pool, &caller.scope, &filter)
            .await
            .map_err(AppError::from),
    )
}
