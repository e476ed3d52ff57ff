//! Browsing the operation log: admins see everything, managers their estates.

use leptos::prelude::*;

use super::{AuditFilter, AuditResults};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {crate::common::Permission, crate::guard::guarded};

#[server(endpoint = "audit_page")]
pub async fn audit_page(filter: AuditFilter) -> Result<AuditResults, AppError> {
    guarded(Permission::ViewAuditLog, move |call| async move {
        Ok(super::db::page(call.pool(), &call.caller.scope, &filter).await?)
    })
    .await
}
