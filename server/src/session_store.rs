//! The session store: tower-sessions' maintained SQLite or PostgreSQL store,
//! picked by the URL scheme. They need native pools, so sessions get a small
//! pool of their own beside the application's `Any` pool.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use app::db::{Backend, Database};

#[derive(Debug, Clone)]
pub enum DeskSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DeskSessionStore {
    /// Opens the store for the same database as `db` and creates its table.
    pub async fn open(db: &Database, url: &str) -> anyhow::Result<Self> {
        let store = match db.backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await?;
                let store = SqliteStore::new(pool);
                store.migrate().await?;
                DeskSessionStore::Sqlite(store)
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new().max_connections(4).connect(url).await?;
                let store = PostgresStore::new(pool);
                store.migrate().await?;
                DeskSessionStore::Postgres(store)
            }
        };
        Ok(store)
    }

    /// Deletes expired sessions every few minutes, for as long as the server runs.
    pub fn spawn_cleanup(&self) {
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store
                .continuously_delete_expired(tokio::time::Duration::from_secs(300))
                .await
            {
                tracing::error!(error = %e, "expired-session cleanup stopped");
            }
        });
    }
}

#[async_trait]
impl SessionStore for DeskSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            DeskSessionStore::Sqlite(s) => s.create(record).await,
            DeskSessionStore::Postgres(s) => s.create(record).await,
        }
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Saving never brings a session back: a request that loaded it before
        // a sign-out (or an account's sessions being ended) and saves it after
        // (the once-a-minute "seen" refresh) must not undo that. New sessions
        // come through `create`.
        if self.load(&record.id).await?.is_none() {
            return Ok(());
        }
        match self {
            DeskSessionStore::Sqlite(s) => s.save(record).await,
            DeskSessionStore::Postgres(s) => s.save(record).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            DeskSessionStore::Sqlite(s) => s.load(id).await,
            DeskSessionStore::Postgres(s) => s.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            DeskSessionStore::Sqlite(s) => s.delete(id).await,
            DeskSessionStore::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for DeskSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            DeskSessionStore::Sqlite(s) => s.delete_expired().await,
            DeskSessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}
