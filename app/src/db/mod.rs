//! The one database layer for SQLite and PostgreSQL.
//!
//! Why sqlx's `Any` driver: one binary and one code path serve both engines, the
//! backend is chosen by `DATABASE_URL` at run time, and the 2-core build machine
//! compiles every query once (shared/BUILD.md weighs the alternatives).
//! Its price is a narrow type set, so the schema stays "Any-safe": `bigint` ids,
//! money in fen and areas in 0.01 m² as integers, flags as 0/1, dates as
//! `YYYY-MM-DD` text and timestamps as RFC 3339 UTC text (see [`time`]).
//!
//! Every difference between the two dialects lives in this module and nowhere else:
//! connection set-up (SQLite pragmas), the statement that opens a write
//! ([`write`]: `BEGIN IMMEDIATE` on SQLite, advisory locks on PostgreSQL),
//! numbered parameters ([`Backend::params`]), unique violations' codes, and
//! the migration folder. The areas' SQL is their own (`<area>/db.rs`), written
//! once for both engines; writes go through [`Write`], which also appends to
//! the operation log ([`audit`]).

pub mod audit;
pub mod scope;
pub mod time;
pub mod write;

pub use scope::{estate_filter, scoped_estates};
pub use write::{is_unique_violation, LockOn, OnUnique, Write};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// Which engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, DbOpenError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(DbOpenError::UnknownScheme(redact(url)))
        }
    }

    /// `count` numbered parameters from `first` (1-based) for one row of a
    /// multi-row insert: `?, ?, ?` on SQLite (which numbers them in order),
    /// `$4, $5, $6` on PostgreSQL.
    pub fn params(self, first: usize, count: usize) -> String {
        (first..first + count)
            .map(|n| match self {
                Backend::Sqlite => "?".to_string(),
                Backend::Postgres => format!("${n}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The folder under `migrations/` holding this engine's numbered steps.
    pub fn migrations_dir(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why the database could not be opened; each names the URL (password removed).
#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("DATABASE_URL {0} is neither sqlite:// nor postgres://")]
    UnknownScheme(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
}

/// A connection pool and the engine behind it.
#[derive(Clone, Debug)]
pub struct Database {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The URL with any password removed, for messages and logs.
    pub display_url: String,
}

impl Database {
    /// Opens (creating a SQLite file and its folder if need be) without migrating.
    pub async fn connect(url: &str) -> Result<Database, DbOpenError> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let display_url = redact(url);
        if backend == Backend::Sqlite {
            if let Some(dir) = sqlite_path(url).and_then(|p| p.parent().map(Path::to_path_buf)) {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(&dir).map_err(|source| DbOpenError::DataDir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
            }
        }
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                // SQLite has one writer anyway; a few readers serve WAL's concurrency.
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // A 16 MB page cache and reads through a memory map: a
                        // bill run or a large list touches far more than the
                        // default 2 MB, and each miss was a read system call.
                        conn.execute(
                            "pragma journal_mode = wal; \
                             pragma synchronous = normal; \
                             pragma foreign_keys = on; \
                             pragma busy_timeout = 5000; \
                             pragma cache_size = -16000; \
                             pragma mmap_size = 268435456;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            });
        let url = with_sqlite_create(url, backend);
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| DbOpenError::Connect {
                url: display_url.clone(),
                source,
            })?;
        Ok(Database {
            pool,
            backend,
            display_url,
        })
    }

    /// Applies the numbered steps of `migrations/<engine>/` found under `migrations_root`.
    pub async fn migrate(&self, migrations_root: &Path) -> Result<(), DbOpenError> {
        let dir = migrations_root.join(self.backend.migrations_dir());
        let migrator = sqlx::migrate::Migrator::new(dir.as_path())
            .await
            .map_err(|source| DbOpenError::Migrate {
                url: self.display_url.clone(),
                source,
            })?;
        migrator
            .run(&self.pool)
            .await
            .map_err(|source| DbOpenError::Migrate {
                url: self.display_url.clone(),
                source,
            })?;
        if self.backend == Backend::Sqlite {
            // Best effort: planning statistics are not worth refusing to start for
            // (ANALYZE needs the write lock another process may hold).
            if let Err(e) = self.analyze_unplanned().await {
                tracing::warn!(error = %e, "could not refresh the query planner's statistics");
            }
        }
        Ok(())
    }

    /// SQLite plans queries from statistics only ANALYZE writes (PostgreSQL's
    /// autovacuum keeps its own). An index without them looks selective and
    /// can be picked over a far better one: after an index on (estate, name)
    /// was added, the search by mobile tail scanned a whole 139,000-resident
    /// estate. So every table that has rows and an index without statistics
    /// (a new index, a database never analysed) is analysed, then `optimize`
    /// refreshes tables that grew since; each reads at most about 1,000 rows
    /// per index, so that starting stays fast.
    async fn analyze_unplanned(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let (stats,): (i64,) = sqlx::query_as(
            "select count(*) from sqlite_master where type = 'table' and name = 'sqlite_stat1'",
        )
        .fetch_one(&mut *conn)
        .await?;
        // Tables with an index (constraints' own included) that has no statistics.
        let tables: Vec<(String,)> = if stats == 0 {
            sqlx::query_as("select distinct tbl_name from sqlite_master where type = 'index'")
                .fetch_all(&mut *conn)
                .await?
        } else {
            sqlx::query_as(
                "select distinct m.tbl_name from sqlite_master m where m.type = 'index' \
                 and not exists (select 1 from sqlite_stat1 s where s.idx = m.name)",
            )
            .fetch_all(&mut *conn)
            .await?
        };
        sqlx::query("pragma analysis_limit = 1000")
            .execute(&mut *conn)
            .await?;
        for (table,) in tables {
            // An empty table's indexes get no statistics: nothing to plan for yet.
            // Names come from sqlite_master, quoted as identifiers.
            let (rows,): (i64,) =
                sqlx::query_as(&format!("select exists (select 1 from \"{table}\")"))
                    .fetch_one(&mut *conn)
                    .await?;
            if rows == 1 {
                sqlx::query(&format!("analyze \"{table}\""))
                    .execute(&mut *conn)
                    .await?;
            }
        }
        sqlx::query("pragma optimize = 0x10002")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// True when no account and no estate exist yet (the demo refuses otherwise).
    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let (n,): (i64,) =
            sqlx::query_as("select (select count(*) from account) + (select count(*) from estate)")
                .fetch_one(&self.pool)
                .await?;
        Ok(n == 0)
    }
}

/// The migrations folder: `MIGRATIONS_DIR`, else `migrations/` next to the
/// working directory, else the one in the source tree the binary was built from.
pub fn migrations_root() -> PathBuf {
    if let Ok(dir) = std::env::var("MIGRATIONS_DIR") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("migrations");
    if local.is_dir() {
        return local;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))
}

/// The path of a `sqlite://path?…` URL, if it names a file.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(PathBuf::from(path))
    }
}

/// SQLite files are created on first start: add `mode=rwc` unless a mode is given.
fn with_sqlite_create(url: &str, backend: Backend) -> String {
    if backend == Backend::Sqlite && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_string()
    }
}

/// Removes the password from a URL so it can be printed.
pub fn redact(url: &str) -> String {
    if let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@')) {
        let userinfo = &url[scheme_end + 3..at];
        if let Some(colon) = userinfo.find(':') {
            return format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &userinfo[..colon],
                &url[at..]
            );
        }
    }
    url.to_string()
}

impl FromStr for Backend {
    type Err = DbOpenError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Backend::from_url(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/desk.db"), "sqlite://data/desk.db");
    }

    #[test]
    fn finds_sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/desk.db?mode=rwc"),
            Some(PathBuf::from("data/desk.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }

    #[test]
    fn adds_create_mode_to_sqlite_only() {
        assert_eq!(
            with_sqlite_create("sqlite://a.db", Backend::Sqlite),
            "sqlite://a.db?mode=rwc"
        );
        assert_eq!(
            with_sqlite_create("sqlite://a.db?mode=ro", Backend::Sqlite),
            "sqlite://a.db?mode=ro"
        );
        assert_eq!(
            with_sqlite_create("postgres://h/db", Backend::Postgres),
            "postgres://h/db"
        );
    }
}
