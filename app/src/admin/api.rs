//! Server functions of staff account management. Admins only.

use leptos::prelude::*;

use super::{Choice, StaffDetail, StaffRow};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod support {
    use super::super::rules::FieldProblem;
    use crate::common::Lang;
    use crate::error::{AppError, FieldError};
    use crate::i18n::tr;

    /// Every refused field at once, in the caller's language.
    pub fn refuse(lang: Lang, problems: Vec<FieldProblem>) -> Result<(), AppError> {
        if problems.is_empty() {
            return Ok(());
        }
        Err(AppError::Invalid(
            problems
                .into_iter()
                .map(|(field, key)| FieldError {
                    field: field.to_string(),
                    message: tr(lang, key),
                })
                .collect(),
        ))
    }
}

#[server(endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffRow>, AppError> {
    use crate::auth::{api::*, Permission};
    authorize(Permission::ManageAccounts)?;
    let state = state()?;
    finish(
        super::db::list(&state.db.pool)
            .await
            .map_err(AppError::from),
    )
}

#[server(endpoint = "estate_options")]
pub async fn estate_options() -> Result<Vec<Choice>, AppError> {
    use crate::auth::{api::*, Permission};
    authorize(Permission::ManageAccounts)?;
    let state = state()?;
    finish(
        super::db::estates(&state.db.pool)
            .await
            .map_err(AppError::from),
    )
}

#[server(endpoint = "get_staff")]
pub async fn get_staff(id: i64) -> Result<StaffDetail, AppError> {
    use crate::auth::{api::*, Permission};
    authorize(Permission::ManageAccounts)?;
    let state = state()?;
    let result = async {
        let mut tx = state.db.pool.begin().await?;
        super::db::get(&mut tx, id).await?.ok_or(AppError::NotFound)
    }
    .await;
    finish(result)
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
    use super::rules;
    use crate::audit::db::{self as audit, json, Change};
    use crate::auth::db::{self as account_db, NewAccount};
    use crate::auth::{api::*, password as policy, Permission, Role};
    use crate::i18n::tr;

    let caller = authorize(Permission::ManageAccounts)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        let username = username.trim().to_lowercase();
        let display_name = display_name.trim().to_string();
        let mut estates = estates.unwrap_or_default();
        estates.sort_unstable();
        estates.dedup();
        let mut problems = Vec::new();
        problems.extend(rules::check_username(&username).err());
        problems.extend(rules::check_display_name(&display_name).err());
        let role = rules::check_role_and_estates(Role::parse(&role), &estates);
        let role = match role {
            Ok(role) => Some(role),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        support::refuse(lang, problems)?;
        let role = role.ok_or(AppError::Internal)?;
        if role == Role::Admin {
            estates.clear();
        }
        policy::check(&password, role, &[&username, &display_name])
            .map_err(|p| AppError::field("password", password_message(lang, p)))?;
        let hash = state
            .hasher
            .hash(password)
            .await
            .map_err(AppError::internal)?;

        let mut tx = state.db.begin_write().await?;
        if super::db::count_estates(&mut tx, &estates).await? != estates.len() {
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
        let id = match account_db::insert(&mut *tx, &new).await {
            Ok(id) => id,
            Err(e) if crate::db::is_unique_violation(&e) => {
                return Err(AppError::field(
                    "username",
                    tr(lang, "staff.username_taken"),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        super::db::set_estates(&mut tx, id, &estates).await?;
        let after = super::db::get(&mut tx, id).await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: None,
                entity: crate::common::AuditEntity::Account,
                entity_id: Some(id.to_string()),
                action: crate::common::AuditAction::Create,
                before: None,
                after: after.as_ref().and_then(json),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    finish(result)
}

/// Changes a member of staff's name, role and estates.
#[server(endpoint = "update_staff")]
pub async fn update_staff(
    id: i64,
    display_name: String,
    role: String,
    estates: Option<Vec<i64>>,
) -> Result<(), AppError> {
    use super::rules;
    use crate::audit::db::{self as audit, json, Change};
    use crate::auth::{api::*, Permission, Role};
    use crate::i18n::tr;

    let caller = authorize(Permission::ManageAccounts)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        let display_name = display_name.trim().to_string();
        let mut estates = estates.unwrap_or_default();
        estates.sort_unstable();
        estates.dedup();
        let mut problems = Vec::new();
        problems.extend(rules::check_display_name(&display_name).err());
        let role = match rules::check_role_and_estates(Role::parse(&role), &estates) {
            Ok(role) => Some(role),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        support::refuse(lang, problems)?;
        let role = role.ok_or(AppError::Internal)?;
        if role == Role::Admin {
            estates.clear();
        }
        let mut tx = state.db.begin_write().await?;
        let before = super::db::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if before.role == Role::Admin && role != Role::Admin {
            rules::check_not_self(caller.account_id, id)
                .map_err(|key| AppError::field("role", tr(lang, key)))?;
        }
        if super::db::count_estates(&mut tx, &estates).await? != estates.len() {
            return Err(AppError::field(
                "estates",
                tr(lang, "staff.estates_unknown"),
            ));
        }
        super::db::update(&mut tx, id, &display_name, role).await?;
        super::db::set_estates(&mut tx, id, &estates).await?;
        let after = super::db::get(&mut tx, id).await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: None,
                entity: crate::common::AuditEntity::Account,
                entity_id: Some(id.to_string()),
                action: crate::common::AuditAction::Update,
                before: json(&before),
                after: after.as_ref().and_then(json),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    finish(result)
}

/// Disables (ending every session at once) or re-enables an account.
#[server(endpoint = "set_staff_disabled")]
pub async fn set_staff_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use super::rules;
    use crate::audit::db::{self as audit, json, Change};
    use crate::auth::{api::*, Permission};
    use crate::i18n::tr;

    let caller = authorize(Permission::ManageAccounts)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        rules::check_not_self(caller.account_id, id)
            .map_err(|key| AppError::Rule(tr(lang, key)))?;
        let mut tx = state.db.begin_write().await?;
        let before = super::db::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        super::db::set_disabled(&mut tx, id, disabled).await?;
        let after = super::db::get(&mut tx, id).await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: None,
                entity: crate::common::AuditEntity::Account,
                entity_id: Some(id.to_string()),
                action: if disabled {
                    crate::common::AuditAction::Disable
                } else {
                    crate::common::AuditAction::Enable
                },
                before: json(&before),
                after: after.as_ref().and_then(json),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    finish(result)
}

/// Sets a new password for a member of staff; their sessions end.
#[server(endpoint = "reset_staff_password")]
pub async fn reset_staff_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, db as account_db, password as policy, Permission};

    let caller = authorize(Permission::ManageAccounts)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        let target = {
            let mut tx = state.db.pool.begin().await?;
            super::db::get(&mut tx, id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        policy::check(
            &password,
            target.role,
            &[&target.username, &target.display_name],
        )
        .map_err(|p| AppError::field("password", password_message(lang, p)))?;
        let hash = state
            .hasher
            .hash(password)
            .await
            .map_err(AppError::internal)?;
        let mut tx = state.db.begin_write().await?;
        account_db::set_password(&mut *tx, id, &hash).await?;
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: None,
                entity: crate::common::AuditEntity::Account,
                entity_id: Some(id.to_string()),
                action: crate::common::AuditAction::ResetPassword,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    finish(result)
}

/// Every estate (admins set them up).
#[server(endpoint = "list_estates")]
pub async fn list_estates() -> Result<Vec<crate::home::EstateSummary>, AppError> {
    use crate::auth::{api::*, Permission};
    authorize(Permission::ManageAccounts)?;
    let state = state()?;
    let all = crate::common::EstateScope::All;
    finish(
        crate::home::api::estate_summaries(&state.db.pool, &all)
            .await
            .map_err(AppError::from),
    )
}

/// Sets up a new estate (小区/项目); its houses come by import or one by one.
#[server(endpoint = "create_estate")]
pub async fn create_estate(code: String, name: String) -> Result<i64, AppError> {
    use crate::audit::db::{self as audit, Change};
    use crate::auth::{api::*, Permission};
    use crate::error::FieldError;
    use crate::i18n::tr;

    let caller = authorize(Permission::ManageAccounts)?;
    let lang = caller.lang;
    let state = state()?;
    let result = async {
        let code = code.trim().to_ascii_uppercase();
        let name = name.trim().to_string();
        let mut problems = Vec::new();
        if !(2..=16).contains(&code.len())
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            problems.push(FieldError {
                field: "code".into(),
                message: tr(lang, "estate.invalid_code"),
            });
        }
        if name.is_empty() || name.chars().count() > 40 {
            problems.push(FieldError {
                field: "name".into(),
                message: tr(lang, "estate.invalid_name"),
            });
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut tx = state.db.begin_write().await?;
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "insert into estate (code, name, created_at) values ($1, $2, $3) returning id",
        )
        .bind(&code)
        .bind(&name)
        .bind(crate::db::time::now())
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok((id,)) => id,
            Err(e) if crate::db::is_unique_violation(&e) => {
                return Err(AppError::field("code", tr(lang, "estate.code_taken")));
            }
            Err(e) => return Err(e.into()),
        };
        audit::record(
            &mut *tx,
            &actor(&caller),
            Change {
                estate_id: Some(id),
                entity: crate::common::AuditEntity::Estate,
                entity_id: Some(id.to_string()),
                action: crate::common::AuditAction::Create,
                before: None,
                after: Some(serde_json::json!({ "code": code, "name": name })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    finish(result)
}
