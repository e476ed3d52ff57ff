//! Account SQL. Callers authorise first; these functions only read and write.

use sqlx::{AnyExecutor, FromRow};

use crate::common::{EstateScope, Lang, Role};
use crate::db::time;

/// An account row. Deliberately not `Serialize`: the hash never leaves the server.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub role: String,
    pub username: Option<String>,
    pub mobile: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub locale: String,
    pub disabled: i64,
    pub session_version: i64,
    pub resident_id: Option<i64>,
}

impl AccountRow {
    pub fn role(&self) -> Role {
        // The check constraint admits only known roles; a stray value gets the least power.
        Role::parse(&self.role).unwrap_or(Role::Resident)
    }
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.locale).unwrap_or_default()
    }
    pub fn is_disabled(&self) -> bool {
        self.disabled != 0
    }
    /// How the account signs in: username for staff, mobile for residents.
    pub fn login_name(&self) -> &str {
        self.username
            .as_deref()
            .or(self.mobile.as_deref())
            .unwrap_or_default()
    }
}

const COLUMNS: &str = "id, role, username, mobile, display_name, password_hash, locale, \
                       disabled, session_version, resident_id";

pub async fn by_id<'e>(ex: impl AnyExecutor<'e>, id: i64) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("select {COLUMNS} from account where id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Staff sign in by username, residents by mobile; `identifier` may be either.
pub async fn by_login_name<'e>(
    ex: impl AnyExecutor<'e>,
    identifier: &str,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from account where username = $1 or mobile = $1"
    ))
    .bind(identifier)
    .fetch_optional(ex)
    .await
}

pub async fn estate_ids<'e>(ex: impl AnyExecutor<'e>, account_id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "select estate_id from account_estate where account_id = $1 order by estate_id",
    )
    .bind(account_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The estates an account may see: admins every one, other staff their assignments,
/// residents none through this path (they see houses, by occupancy).
pub async fn scope<'e>(
    ex: impl AnyExecutor<'e>,
    account: &AccountRow,
) -> sqlx::Result<EstateScope> {
    if account.role() == Role::Admin {
        Ok(EstateScope::All)
    } else if account.role().is_staff() {
        Ok(EstateScope::Only(estate_ids(ex, account.id).await?))
    } else {
        Ok(EstateScope::Only(Vec::new()))
    }
}

/// A new account's fields; the password is already hashed.
pub struct NewAccount<'a> {
    pub role: Role,
    pub username: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub resident_id: Option<i64>,
}

pub async fn insert<'e>(ex: impl AnyExecutor<'e>, new: &NewAccount<'_>) -> sqlx::Result<i64> {
    let now = time::now();
    let (id,): (i64,) = sqlx::query_as(
        "insert into account (role, username, mobile, display_name, password_hash, resident_id, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
    )
    .bind(new.role.as_str())
    .bind(new.username)
    .bind(new.mobile)
    .bind(new.display_name)
    .bind(new.password_hash)
    .bind(new.resident_id)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(id)
}

pub async fn set_locale<'e>(ex: impl AnyExecutor<'e>, id: i64, lang: Lang) -> sqlx::Result<()> {
    sqlx::query("update account set locale = $1, updated_at = $2 where id = $3")
        .bind(lang.as_str())
        .bind(time::now())
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Sets a new password hash and ends every session of the account (by bumping
/// its session version). Returns the new version.
pub async fn set_password<'e>(ex: impl AnyExecutor<'e>, id: i64, hash: &str) -> sqlx::Result<i64> {
    let (version,): (i64,) = sqlx::query_as(
        "update account set password_hash = $1, session_version = session_version + 1, updated_at = $2 \
         where id = $3 returning session_version",
    )
    .bind(hash)
    .bind(time::now())
    .bind(id)
    .fetch_one(ex)
    .await?;
    Ok(version)
}

/// The addresses of an account's latest successful sign-ins, newest first, as
/// the audit log keeps them (enough rows to find a few distinct addresses;
/// `audit_log_actor_at` finds them).
pub async fn recent_login_ips<'e>(
    ex: impl AnyExecutor<'e>,
    account_id: i64,
) -> sqlx::Result<Vec<String>> {
    #[derive(FromRow)]
    struct LoginIp {
        ip: Option<String>,
    }
    let rows: Vec<LoginIp> = sqlx::query_as(
        "select ip from audit_log where actor_id = $1 and action = 'login' \
         order by at desc, id desc limit 64",
    )
    .bind(account_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().filter_map(|r| r.ip).collect())
}
