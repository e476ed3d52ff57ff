//! The one way to write: a [`Write`] is a transaction that knows who is
//! writing. It opens with `BEGIN IMMEDIATE` on SQLite (two writers queue on
//! the busy timeout instead of deadlocking on a lock upgrade), takes
//! PostgreSQL's advisory locks with [`Write::lock`], appends to the operation
//! log with [`Write::audit`], and commits or — dropped — rolls back, the log
//! entries with it. SQL runs on it as on a connection (`&mut *write`).
//! Reads take any executor (`impl sqlx::AnyExecutor`): a pool, or a write.

use std::ops::{Deref, DerefMut};

use sqlx::{Any, AnyConnection, Transaction};

use super::audit::{self, Actor, Change};
use super::{Backend, Database};
use crate::error::AppError;

/// What a write locks on PostgreSQL before it reads.
#[derive(Debug, Clone, Copy)]
pub enum LockOn {
    House(i64),
    ClerkDay(i64),
    /// A repair ticket (its photos and their count).
    Ticket(i64),
    /// A key count (its ticks and its close).
    KeyCount(i64),
    /// A key and its copies (lending, returns, loss, lock change, hand-back).
    KeySet(i64),
    /// An estate's billing of a month: a bill run's start and a move-out's
    /// part-month lines (the run reads the days move-outs billed).
    EstateBilling(i64),
    /// An estate's renovation permits (their numbers run per estate).
    RenovationPermits(i64),
}

/// A write transaction with its author; see the module documentation.
pub struct Write {
    tx: Transaction<'static, Any>,
    backend: Backend,
    actor: Actor,
}

impl Database {
    /// Opens a write by `actor`. On SQLite it takes the write lock at once.
    pub async fn write(&self, actor: Actor) -> Result<Write, sqlx::Error> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Write {
            tx,
            backend: self.backend,
            actor,
        })
    }
}

impl Write {
    /// Serialises writes that touch one house (or one clerk's day, one ticket)
    /// on PostgreSQL, whose transactions (read committed) do not lock what
    /// they read, so a check such as "the prepaid balance covers this" could
    /// be beaten by a concurrent writer. A transaction-scoped advisory lock,
    /// released at commit or rollback. SQLite needs none: `BEGIN IMMEDIATE`
    /// runs one writer at a time.
    pub async fn lock(&mut self, on: LockOn) -> sqlx::Result<()> {
        lock(&mut self.tx, self.backend, on).await
    }

    /// Records `change` by this write's author, in this transaction.
    pub async fn audit(&mut self, change: Change) -> sqlx::Result<()> {
        audit::record(&mut *self.tx, &self.actor, change).await
    }

    /// Who is writing.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The engine underneath (for SQL whose placeholders it numbers, see
    /// [`Backend::params`]).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

impl Deref for Write {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

async fn lock(conn: &mut AnyConnection, backend: Backend, on: LockOn) -> sqlx::Result<()> {
    if backend == Backend::Postgres {
        let key = match on {
            LockOn::House(id) => (1i64 << 56) | id,
            LockOn::ClerkDay(id) => (2i64 << 56) | id,
            LockOn::Ticket(id) => (3i64 << 56) | id,
            LockOn::KeyCount(id) => (4i64 << 56) | id,
            LockOn::KeySet(id) => (5i64 << 56) | id,
            LockOn::EstateBilling(id) => (6i64 << 56) | id,
            LockOn::RenovationPermits(id) => (7i64 << 56) | id,
        };
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether a database error is a unique-constraint violation (both engines).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db
                    .code()
                    .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}

/// Turns a unique-constraint violation into the error the user should see
/// (a field error or a [`AppError::Conflict`]); any other failure is internal.
pub trait OnUnique<T> {
    fn on_unique(self, error: impl FnOnce() -> AppError) -> Result<T, AppError>;
}

impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    fn on_unique(self, error: impl FnOnce() -> AppError) -> Result<T, AppError> {
        match self {
            Ok(value) => Ok(value),
            Err(e) if is_unique_violation(&e) => Err(error()),
            Err(e) => Err(e.into()),
        }
    }
}
