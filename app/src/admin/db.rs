//! Staff account and estate SQL for the admin pages. The accounts
//! themselves (insert, passwords) are [`crate::auth::db`]'s.

use std::collections::HashMap;

use sqlx::{AnyConnection, AnyExecutor, AnyPool};

use super::{Choice, StaffDetail, StaffRow};
use crate::common::{AccountId, EstateId, Role};
use crate::db::{time, Write};

#[derive(sqlx::FromRow)]
struct StaffAccount {
    id: i64,
    username: Option<String>,
    display_name: String,
    role: Role,
    disabled: i64,
    issues_keys: i64,
}

pub async fn list(pool: &AnyPool) -> sqlx::Result<Vec<StaffRow>> {
    let accounts: Vec<StaffAccount> = sqlx::query_as(
        "select id, username, display_name, role, disabled, issues_keys from account \
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
            role: a.role,
            disabled: a.disabled != 0,
        })
        .collect())
}

/// One member of staff with their estates. Two reads on one connection: a
/// write's (for the audit log's before and after) or the pool's.
pub async fn get(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<StaffDetail>> {
    let account: Option<StaffAccount> = sqlx::query_as(
        "select id, username, display_name, role, disabled, issues_keys from account where id = $1 and role <> 'resident'",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(a) = account else { return Ok(None) };
    let estate_ids = crate::auth::db::estate_ids(&mut *conn, id).await?;
    Ok(Some(StaffDetail {
        id: a.id,
        username: a.username.unwrap_or_default(),
        display_name: a.display_name,
        role: a.role,
        estate_ids,
        disabled: a.disabled != 0,
        issues_keys: a.issues_keys != 0,
    }))
}

pub async fn estates<'e>(ex: impl AnyExecutor<'e>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("select id, name from estate order by name")
        .fetch_all(ex)
        .await
}

/// Which of `ids` are real estates (unknown ids are refused, not ignored).
pub async fn count_estates<'e>(ex: impl AnyExecutor<'e>, ids: &[i64]) -> sqlx::Result<usize> {
    let all: Vec<Choice> = estates(ex).await?;
    Ok(ids
        .iter()
        .filter(|id| all.iter().any(|e| e.id == **id))
        .count())
}

/// Sets the estates an account works for (replacing the ones it had).
pub async fn set_estates(
    w: &mut Write,
    account_id: AccountId,
    estate_ids: &[EstateId],
) -> sqlx::Result<()> {
    sqlx::query("delete from account_estate where account_id = $1")
        .bind(account_id)
        .execute(&mut **w)
        .await?;
    for estate_id in estate_ids {
        sqlx::query("insert into account_estate (account_id, estate_id) values ($1, $2)")
            .bind(account_id)
            .bind(estate_id)
            .execute(&mut **w)
            .await?;
    }
    Ok(())
}

/// Changes a member of staff's name and role, and whether a clerk leads a
/// shift and so may authorise key check-outs (managers always may; the
/// grant means nothing for other roles and is cleared).
pub async fn update(
    w: &mut Write,
    id: i64,
    display_name: &str,
    role: Role,
    issues_keys: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "update account set display_name = $1, role = $2, updated_at = $3, issues_keys = $5 where id = $4",
    )
    .bind(display_name)
    .bind(role)
    .bind(time::now())
    .bind(id)
    .bind(i64::from(issues_keys && role == Role::Clerk))
        .execute(&mut **w)
        .await?;
    Ok(())
}

/// Disabling ends every session of the account at once (the version bump).
pub async fn set_disabled(w: &mut Write, id: i64, disabled: bool) -> sqlx::Result<()> {
    sqlx::query(
        "update account set disabled = $1, session_version = session_version + 1, updated_at = $2 where id = $3",
    )
    .bind(i64::from(disabled))
    .bind(time::now())
    .bind(id)
    .execute(&mut **w)
    .await?;
    Ok(())
}

/// Adds an estate; a code another estate has is a unique violation.
pub async fn insert_estate(w: &mut Write, code: &str, name: &str) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into estate (code, name, created_at) values ($1, $2, $3) returning id",
    )
    .bind(code)
    .bind(name)
    .bind(time::now())
    .fetch_one(&mut **w)
    .await?;
    Ok(id)
}
