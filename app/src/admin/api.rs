//! Server functions of staff account management and the estates. Admins
//! only. The checks of what was typed are [`super::rules`]'; the SQL is
//! [`super::db`]'s and the accounts' [`crate::auth::db`]'s.

use leptos::prelude::*;

use super::{Choice, StaffDetail, StaffRow};
use crate::error::AppError;
use crate::home::EstateSummary;

#[cfg(feature = "ssr")]
use {
    super::rules,
    crate::auth::api::password_message,
    crate::auth::db::{self as account_db, NewAccount},
    crate::auth::password as policy,
    crate::common::{AccountId, AuditAction, AuditEntity, EstateId, EstateScope, Permission, Role},
    crate::db::audit::Change,
    crate::db::OnUnique,
    crate::guard::guarded,
    crate::i18n::{refused, tr},
    serde_json::json,
};

/// An account's audit entry with the member of staff as they became (when
/// they can still be read).
#[cfg(feature = "ssr")]
fn with_after(change: Change, after: Option<StaffDetail>) -> Change {
    match after {
        Some(after) => change.after(after),
        None => change,
    }
}

#[server(endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffRow>, AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        Ok(super::db::list(call.pool()).await?)
    })
    .await
}

#[server(endpoint = "estate_options")]
pub async fn estate_options() -> Result<Vec<Choice>, AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        Ok(super::db::estates(call.pool()).await?)
    })
    .await
}

#[server(endpoint = "get_staff")]
pub async fn get_staff(id: i64) -> Result<StaffDetail, AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        let mut conn = call.pool().acquire().await?;
        super::db::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}

/// Creates a member of staff with an initial password they should change.
#[server(endpoint = "create_staff")]
pub async fn create_staff(
    username: String,
    display_name: String,
    role: String,
    estates: Option<Vec<i64>>,
    password: String,
) -> Result<i64, AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        let lang = call.lang();
        let username = username.trim().to_lowercase();
        let display_name = display_name.trim().to_string();
        let (role, estates) = rules::check_staff(Some(&username), &display_name, &role, estates)
            .map_err(|problems| refused(lang, problems))?;
        policy::check(&password, role, &[&username, &display_name])
            .map_err(|p| AppError::field("password", password_message(lang, p)))?;
        let hash = call
            .state
            .hasher
            .hash(password)
            .await
            .map_err(AppError::internal)?;
        let mut w = call.write().await?;
        if super::db::count_estates(&mut *w, &estates).await? != estates.len() {
            return Err(AppError::field(
                "estates",
                tr(lang, "staff.estates_unknown"),
            ));
        }
        let new = NewAccount {
            role,
            username: Some(&username),
            mobile: None,
            display_name: &display_name,
            password_hash: &hash,
            resident_id: None,
        };
        let id = account_db::insert(&mut *w, &new)
            .await
            .on_unique(|| AppError::field("username", tr(lang, "staff.username_taken")))?;
        let estate_ids: Vec<EstateId> = estates.into_iter().map(EstateId).collect();
        super::db::set_estates(&mut w, AccountId(id), &estate_ids).await?;
        let after = super::db::get(&mut w, id).await?;
        let change = Change::new(AuditAction::Create, AuditEntity::Account).id(id);
        w.audit(with_after(change, after)).await?;
        w.commit().await?;
        Ok(id)
    })
    .await
}

/// Changes a member of staff's name, role and estates.
#[server(endpoint = "update_staff")]
pub async fn update_staff(
    id: i64,
    display_name: String,
    role: String,
    estates: Option<Vec<i64>>,
    issues_keys: Option<String>,
) -> Result<(), AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        let lang = call.lang();
        let issues_keys = issues_keys.is_some_and(|v| !v.is_empty());
        let display_name = display_name.trim().to_string();
        let (role, estates) = rules::check_staff(None, &display_name, &role, estates)
            .map_err(|problems| refused(lang, problems))?;
        let mut w = call.write().await?;
        let before = super::db::get(&mut w, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if before.role == Role::Admin && role != Role::Admin {
            rules::check_not_self(AccountId(call.caller.account_id), AccountId(id))
                .map_err(|key| AppError::field("role", tr(lang, key)))?;
        }
        if super::db::count_estates(&mut *w, &estates).await? != estates.len() {
            return Err(AppError::field(
                "estates",
                tr(lang, "staff.estates_unknown"),
            ));
        }
        super::db::update(&mut w, id, &display_name, role, issues_keys).await?;
        let estate_ids: Vec<EstateId> = estates.into_iter().map(EstateId).collect();
        super::db::set_estates(&mut w, AccountId(id), &estate_ids).await?;
        let after = super::db::get(&mut w, id).await?;
        let change = Change::new(AuditAction::Update, AuditEntity::Account)
            .id(id)
            .before(&before);
        w.audit(with_after(change, after)).await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

/// Disables (ending every session at once) or re-enables an account.
#[server(endpoint = "set_staff_disabled")]
pub async fn set_staff_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        let lang = call.lang();
        rules::check_not_self(AccountId(call.caller.account_id), AccountId(id))
            .map_err(|key| AppError::Rule(tr(lang, key)))?;
        let mut w = call.write().await?;
        let before = super::db::get(&mut w, id)
            .await?
            .ok_or(AppError::NotFound)?;
        super::db::set_disabled(&mut w, id, disabled).await?;
        let after = super::db::get(&mut w, id).await?;
        let action = if disabled {
            AuditAction::Disable
        } else {
            AuditAction::Enable
        };
        let change = Change::new(action, AuditEntity::Account)
            .id(id)
            .before(&before);
        w.audit(with_after(change, after)).await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

/// Sets a new password for a member of staff; their sessions end.
#[server(endpoint = "reset_staff_password")]
pub async fn reset_staff_password(id: i64, password: String) -> Result<(), AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        let lang = call.lang();
        let target = {
            let mut conn = call.pool().acquire().await?;
            super::db::get(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        policy::check(
            &password,
            target.role,
            &[&target.username, &target.display_name],
        )
        .map_err(|p| AppError::field("password", password_message(lang, p)))?;
        let hash = call
            .state
            .hasher
            .hash(password)
            .await
            .map_err(AppError::internal)?;
        let mut w = call.write().await?;
        account_db::set_password(&mut *w, id, &hash).await?;
        w.audit(Change::new(AuditAction::ResetPassword, AuditEntity::Account).id(id))
            .await?;
        w.commit().await?;
        Ok(())
    })
    .await
}

/// Every estate (admins set them up).
#[server(endpoint = "list_estates")]
pub async fn list_estates() -> Result<Vec<EstateSummary>, AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        Ok(crate::home::db::estate_summaries(call.pool(), &EstateScope::All).await?)
    })
    .await
}

/// Sets up a new estate (小区/项目); its houses come by import or one by one.
#[server(endpoint = "create_estate")]
pub async fn create_estate(code: String, name: String) -> Result<i64, AppError> {
    guarded(Permission::ManageAccounts, move |call| async move {
        let lang = call.lang();
        let (code, name) =
            rules::check_estate(&code, &name).map_err(|problems| refused(lang, problems))?;
        let mut w = call.write().await?;
        let id = super::db::insert_estate(&mut w, &code, &name)
            .await
            .on_unique(|| AppError::field("code", tr(lang, "estate.code_taken")))?;
        w.audit(
            Change::new(AuditAction::Create, AuditEntity::Estate)
                .id(id)
                .estate(id)
                .after(json!({ "code": code, "name": name })),
        )
        .await?;
        w.commit().await?;
        Ok(id)
    })
    .await
}
