//! Staff account SQL.

use std::collections::HashMap;

use sqlx::AnyExecutor;

use super::{Choice, StaffDetail, StaffRow};
use crate::common::Role;
use crate::db::{time, Tx};

#[derive(sqlx::FromRow)]
struct StaffAccount {
    id: i64,
    username: Option<String>,
    display_name: String,
    role: String,
    disabled: i64,
}

pub async fn list(pool: &sqlx::AnyPool) -> sqlx::Result<Vec<StaffRow>> {
    let accounts: Vec<StaffAccount> = sqlx::query_as(
        "select id, username, display_name, role, disabled from account \
         where role <> 'resident' order by disabled, username",
    )
    .fetch_all(pool)
    .await?;
    let pairs: Vec<(i64, String)> = sqlx::query_as(
        "select ae.account_id, e.name from account_estate ae join estate e on e.id = ae.estate_id order by e.name",
    )
    .fetch_all(pool)
    .await?;
    let mut estates: HashMap<i64, Vec<String>> = HashMap::new();
    for (account_id, name) in pairs {
        estates.entry(account_id).or_default().push(name);
    }
    Ok(accounts
        .into_iter()
        .map(|a| StaffRow {
            estates: estates.remove(&a.id).unwrap_or_default(),
            id: a.id,
            username: a.username.unwrap_or_default(),
            display_name: a.display_name,
            role: Role::parse(&a.role).unwrap_or(Role::Clerk),
            disabled: a.disabled != 0,
        })
        .collect())
}

pub async fn get(tx: &mut Tx, id: i64) -> sqlx::Result<Option<StaffDetail>> {
    let account: Option<StaffAccount> = sqlx::query_as(
        "select id, username, display_name, role, disabled from account where id = $1 and role <> 'resident'",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(a) = account else { return Ok(None) };
    let estate_ids = crate::auth::db::estate_ids(&mut **tx, id).await?;
    Ok(Some(StaffDetail {
        id: a.id,
        username: a.username.unwrap_or_default(),
        display_name: a.display_name,
        role: Role::parse(&a.role).unwrap_or(Role::Clerk),
        estate_ids,
        disabled: a.disabled != 0,
    }))
}

pub async fn estates<'e>(ex: impl AnyExecutor<'e>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("select id, name from estate order by name")
        .fetch_all(ex)
        .await
}

/// Which of `ids` are real estates (unknown ids are refused, not ignored).
pub async fn count_estates(tx: &mut Tx, ids: &[i64]) -> sqlx::Result<usize> {
    let all: Vec<Choice> = estates(&mut **tx).await?;
    Ok(ids
        .iter()
        .filter(|id| all.iter().any(|e| e.id == **id))
        .count())
}

pub async fn set_estates(tx: &mut Tx, account_id: i64, estate_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query("delete from account_estate where account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    for estate_id in estate_ids {
        sqlx::query("insert into account_estate (account_id, estate_id) values ($1, $2)")
            .bind(account_id)
            .bind(estate_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn update(tx: &mut Tx, id: i64, display_name: &str, role: Role) -> sqlx::Result<()> {
    sqlx::query("update account set display_name = $1, role = $2, updated_at = $3 where id = $4")
        .bind(display_name)
        .bind(role.as_str())
        .bind(time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Disabling ends every session of the account at once (the version bump).
pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> sqlx::Result<()> {
    sqlx::query(
        "update account set disabled = $1, session_version = session_version + 1, updated_at = $2 where id = $3",
    )
    .bind(i64::from(disabled))
    .bind(time::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
