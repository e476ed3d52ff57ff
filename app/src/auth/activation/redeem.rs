//! Redeeming an activation code on `/activate` (server only): the form's
//! checks, the code under the sign-in budgets, and the one write that links
//! the record to the mobile's account or creates one. The policy is
//! [`super`]'s.

use std::net::IpAddr;

use sqlx::{AnyExecutor, FromRow};

use super::normalise_code;
use super::server::holder;
use crate::auth::db::{self as account_db, AccountRow, NewAccount};
use crate::auth::login::{
    check_secret, mask_unknown_identifier, normalise_login_name, wait_secs, SecretCheck,
};
use crate::auth::password::{self, PasswordProblem};
use crate::auth::ActivationRefusal;
use crate::common::personal::normalise_mobile;
use crate::common::{AuditAction, AuditEntity, Lang, Role};
use crate::db::audit::{self, Actor, Change};
use crate::db::{time, Database, Write};
use crate::security::hashing::{Busy, Hasher, Slot};
use crate::state::AppState;

/// The activation form (`/activate`), as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

/// What a redemption did.
#[derive(Debug, Clone)]
pub enum Redeemed {
    /// A new resident account, to be signed in.
    Created(AccountRow),
    /// The record was linked to the mobile's existing account, whose
    /// password is unchanged.
    Linked,
}

/// Why a redemption was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationError {
    Refused(ActivationRefusal),
    Password(PasswordProblem),
    Throttled { wait_secs: u64 },
    Busy,
    Internal,
}

impl From<sqlx::Error> for ActivationError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "activation failed");
        ActivationError::Internal
    }
}

/// A live code of a mobile: unused, unrevoked, unexpired.
#[derive(Debug, Clone, FromRow)]
struct LiveCode {
    id: i64,
    resident_id: i64,
    code_hash: String,
}

async fn live_codes<'e>(
    ex: impl AnyExecutor<'e>,
    mobile: &str,
    now: &str,
) -> sqlx::Result<Vec<LiveCode>> {
    sqlx::query_as(
        "select c.id, c.resident_id, c.code_hash from activation_code c \
         join resident r on r.id = c.resident_id \
         where r.mobile = $1 and c.used_at is null and c.revoked_at is null and c.expires_at > $2 \
         order by c.id desc limit 8",
    )
    .bind(mobile)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The first of `candidates` that `code` opens, the first check in
/// `slot`; none at all is checked against the dummy hash, at the same cost.
async fn verify_any(
    hasher: Hasher,
    slot: Slot,
    code: String,
    candidates: Vec<LiveCode>,
) -> Result<Option<LiveCode>, Busy> {
    if candidates.is_empty() {
        hasher.verify_in(slot, code, None).await;
        return Ok(None);
    }
    let mut slot = Some(slot);
    for candidate in candidates {
        let slot = match slot.take() {
            Some(s) => s,
            None => hasher.slot().await?,
        };
        if hasher
            .verify_in(slot, code.clone(), Some(candidate.code_hash.clone()))
            .await
        {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// Redeems an activation code (see the module documentation): checks the
/// form, then the code under the sign-in budgets of the mobile and the
/// address, then links or creates the account in one write. `lang`: the
/// page's language, a new account's. Input errors (a malformed mobile or
/// code, the password policy) are told before anything is checked or counted.
pub async fn redeem(
    state: &AppState,
    form: &ActivateForm,
    ip: Option<IpAddr>,
    lang: Lang,
) -> Result<Redeemed, ActivationError> {
    use ActivationError::Refused;
    let mobile = normalise_mobile(&form.mobile).map_err(|_| Refused(ActivationRefusal::Mobile))?;
    let code = normalise_code(&form.code).ok_or(Refused(ActivationRefusal::CodeFormat))?;
    if form.password != form.confirm {
        return Err(Refused(ActivationRefusal::Mismatch));
    }
    password::check(&form.password, Role::Resident, &[&mobile])
        .map_err(ActivationError::Password)?;

    let name = normalise_login_name(&mobile);
    let pool = &state.db.pool;
    // Staff sign in by username and have no mobile; a username that reads
    // as this number is not this person's account.
    let account = account_db::by_login_name(pool, &name)
        .await?
        .filter(|a| a.role() == Role::Resident);
    let candidates = live_codes(pool, &mobile, &time::now()).await?;
    let hasher = state.hasher.clone();
    // A mobile that has an account already: the code alone does not join a
    // record to it (a record typed with someone else's number would hand
    // their houses to whoever holds that account, or theirs to the typist):
    // the account's own password must come with it.
    let existing = account.as_ref().map(|a| a.password_hash.clone());
    let password = form.password.clone();
    let checked = check_secret(state, &name, account.as_ref().map(|a| a.id), ip, |slot| async move {
        let found = verify_any(hasher.clone(), slot, code, candidates).await?;
        match (found, existing) {
            (Some(found), Some(hash)) => {
                let slot = hasher.slot().await?;
                Ok(hasher
                    .verify_in(slot, password, Some(hash))
                    .await
                    .then_some(found))
            }
            (found, _) => Ok(found),
        }
    })
    .await;
    let actor = Actor {
        account_id: account.as_ref().map(|a| a.id),
        name: account
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| mask_unknown_identifier(&name)),
        ip: ip.map(|ip| ip.to_string()),
    };
    let found = match checked {
        SecretCheck::Right(found) => found,
        SecretCheck::Busy => return Err(ActivationError::Busy),
        SecretCheck::Throttled { wait, failed } => {
            if failed {
                record_failure(&state.db, &actor).await?;
            }
            return Err(ActivationError::Throttled {
                wait_secs: wait_secs(wait),
            });
        }
        SecretCheck::Wrong => {
            record_failure(&state.db, &actor).await?;
            return Err(Refused(ActivationRefusal::Invalid));
        }
    };
    if account.as_ref().is_some_and(AccountRow::is_disabled) {
        return Err(Refused(ActivationRefusal::Disabled));
    }
    // Hashed before the write opens (it holds SQLite's write lock), and
    // only for a new account: an existing one keeps its password.
    let password_hash = match account {
        Some(_) => None,
        None => Some(
            state
                .hasher
                .hash(form.password.clone())
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot hash a new password");
                    ActivationError::Internal
                })?,
        ),
    };
    let redeemed = redeem_in(
        &state.db,
        actor,
        &found,
        &mobile,
        password_hash.as_deref(),
        lang,
    )
    .await?;
    if let Redeemed::Created(account) = &redeemed {
        // Signed in at once: remembered like a sign-in, for the budgets and the log.
        state.limiter.succeeded(&name, ip);
        let actor = Actor {
            account_id: Some(account.id),
            name: account.display_name.clone(),
            ip: ip.map(|ip| ip.to_string()),
        };
        // The account exists and the code is spent: a failure to log the
        // sign-in must not send them back to a form whose code no longer works.
        let login = Change::new(AuditAction::Login, AuditEntity::Account).id(account.id);
        if let Err(e) = audit::record(pool, &actor, login).await {
            tracing::error!(error = %e, "cannot record an activation's sign-in");
        }
    }
    Ok(redeemed)
}

/// A refused redemption's audit entry, like a failed sign-in's: the
/// mobile's account if it has one, else the mobile masked; never the code.
async fn record_failure(db: &Database, actor: &Actor) -> Result<(), ActivationError> {
    let change = Change::new(AuditAction::ActivateFailed, AuditEntity::Account);
    let change = match actor.account_id {
        Some(id) => change.id(id),
        None => change,
    };
    audit::record(&db.pool, actor, change).await?;
    Ok(())
}

/// The write of a redemption whose code checked out: claims the code
/// (one winner), then links the record to the mobile's account or creates
/// one. Any refusal here rolls everything back.
async fn redeem_in(
    db: &Database,
    actor: Actor,
    code: &LiveCode,
    mobile: &str,
    password_hash: Option<&str>,
    lang: Lang,
) -> Result<Redeemed, ActivationError> {
    let invalid = ActivationError::Refused(ActivationRefusal::Invalid);
    let mut w = db.write(actor).await?;
    let now = time::now();
    // Used, revoked or expired since it was checked, or taken by a
    // redemption running at the same moment: that one won.
    let claimed = sqlx::query(
        "update activation_code set used_at = $1 \
         where id = $2 and used_at is null and revoked_at is null and expires_at > $1",
    )
    .bind(&now)
    .bind(code.id)
    .execute(&mut *w)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Err(invalid);
    }
    let holder = holder(&mut *w, code.resident_id).await?.ok_or(invalid)?;
    // Moved out since the code was issued: the code opens nothing.
    if holder.mobile != mobile || holder.lives_here == 0 {
        return Err(invalid);
    }
    let account = account_db::by_login_name(&mut *w, mobile)
        .await?
        .filter(|a| a.role() == Role::Resident);
    let previous: Option<(i64,)> =
        sqlx::query_as("select account_id from account_resident where resident_id = $1")
            .bind(code.resident_id)
            .fetch_optional(&mut *w)
            .await?;
    let previous = previous.map(|(id,)| id);
    let (account_id, created) = match account {
        Some(a) if a.is_disabled() => {
            return Err(ActivationError::Refused(ActivationRefusal::Disabled))
        }
        Some(a) => {
            if previous != Some(a.id) {
                if let Some(old) = previous {
                    unlink(&mut w, old, code.resident_id, &now).await?;
                }
                link(&mut w, a.id, code.resident_id, &now).await?;
                if a.resident_id.is_none() {
                    sqlx::query(
                        "update account set resident_id = $1, updated_at = $2 where id = $3",
                    )
                    .bind(code.resident_id)
                    .bind(&now)
                    .bind(a.id)
                    .execute(&mut *w)
                    .await?;
                }
            }
            (a.id, false)
        }
        None => {
            if let Some(old) = previous {
                unlink(&mut w, old, code.resident_id, &now).await?;
            }
            // Checked before the write found no account; one created since
            // (a second code redeemed at the same moment) is linked above.
            let hash = password_hash.ok_or(ActivationError::Internal)?;
            let new = NewAccount {
                role: Role::Resident,
                username: None,
                mobile: Some(mobile),
                display_name: &holder.name,
                password_hash: hash,
                // Linked by the schema: an account's first record is always one of its own.
                resident_id: Some(code.resident_id),
            };
            let id = match account_db::insert(&mut *w, &new).await {
                Ok(id) => id,
                // The same mobile's account created by a redemption at the same moment (PostgreSQL).
                Err(e) if crate::db::is_unique_violation(&e) => return Err(invalid),
                Err(e) => return Err(e.into()),
            };
            account_db::set_locale(&mut *w, id, lang).await?;
            (id, true)
        }
    };
    sqlx::query("update activation_code set used_by_account = $1 where id = $2")
        .bind(account_id)
        .bind(code.id)
        .execute(&mut *w)
        .await?;
    w.audit(
        Change::new(AuditAction::ActivateAccount, AuditEntity::Account)
            .id(account_id)
            .estate(holder.estate_id)
            .after(serde_json::json!({
                "resident_id": code.resident_id,
                "activation_code_id": code.id,
                "new_account": created,
                "moved_from_account": previous.filter(|p| *p != account_id),
            })),
    )
    .await?;
    let row = if created {
        account_db::by_id(&mut *w, account_id).await?
    } else {
        None
    };
    w.commit().await?;
    Ok(match row {
        Some(row) => Redeemed::Created(row),
        None if created => return Err(ActivationError::Internal),
        None => Redeemed::Linked,
    })
}

async fn link(w: &mut Write, account_id: i64, resident_id: i64, now: &str) -> sqlx::Result<()> {
    sqlx::query(
        "insert into account_resident (account_id, resident_id, linked_at) values ($1, $2, $3)",
    )
    .bind(account_id)
    .bind(resident_id)
    .bind(now)
    .execute(&mut **w)
    .await?;
    Ok(())
}

/// Takes the record from the account it was linked to (the person's mobile
/// changed since: the desk issued the code to the record's mobile now); that
/// account's first record becomes its earliest remaining one, or none.
async fn unlink(w: &mut Write, account_id: i64, resident_id: i64, now: &str) -> sqlx::Result<()> {
    sqlx::query("delete from account_resident where account_id = $1 and resident_id = $2")
        .bind(account_id)
        .bind(resident_id)
        .execute(&mut **w)
        .await?;
    sqlx::query(
        "update account set resident_id = (select min(ar.resident_id) from account_resident ar \
         where ar.account_id = $1), updated_at = $2 where id = $1 and resident_id = $3",
    )
    .bind(account_id)
    .bind(now)
    .bind(resident_id)
    .execute(&mut **w)
    .await?;
    Ok(())
}
