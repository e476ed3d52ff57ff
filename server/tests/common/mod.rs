//! Test support: a fresh database per test on each engine, an in-process
//! HTTP client that keeps cookies, and (`desk`) the demo desk with a browser
//! for the HTTP tests.
#![allow(
    dead_code,
    reason = "each test file uses a different part of this module"
)]

use std::sync::atomic::{AtomicU32, Ordering};

use app::db::Database;

pub mod desk;
pub mod keys;

/// The PostgreSQL server tests use: `TEST_POSTGRES_URL`, else this machine's local one.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    pub engine: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("desk.db").display());
        TestDb {
            url,
            engine: "sqlite",
            _dir: Some(dir),
            pg_name: None,
        }
    }

    /// A new, empty PostgreSQL database on the test server.
    pub async fn postgres() -> TestDb {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "desk_test_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let admin = postgres_admin_url();
        let admin_db = Database::connect(&admin).await.unwrap_or_else(|e| {
            panic!("PostgreSQL tests need a server at TEST_POSTGRES_URL ({admin}): {e}")
        });
        sqlx::query(&format!("create database {name}"))
            .execute(&admin_db.pool)
            .await
            .expect("create test database");
        admin_db.pool.close().await;
        let url = replace_db_name(&admin, &name);
        TestDb {
            url,
            engine: "postgres",
            _dir: None,
            pg_name: Some(name),
        }
    }

    /// Both engines, SQLite first.
    pub async fn both() -> Vec<TestDb> {
        vec![TestDb::sqlite().await, TestDb::postgres().await]
    }

    pub async fn open(&self) -> Database {
        let db = Database::connect(&self.url).await.expect("connect");
        db.migrate(&app::db::migrations_root())
            .await
            .expect("migrate");
        db
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map(|(b, q)| (b, Some(q)))
        .unwrap_or((url, None));
    let base = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|j| j + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = postgres_admin_url();
            // Drop needs its own runtime: the test's may be shutting down.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(db) = Database::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("drop database if exists {name} with (force)"))
                                .execute(&db.pool)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A browser's cookie jar over the in-process router: sends the cookies it
/// holds, keeps what the answer sets, forgets what it expires.
#[derive(Default)]
pub struct CookieJar {
    cookies: std::collections::HashMap<String, String>,
}

impl CookieJar {
    pub async fn send(
        &mut self,
        router: &axum::Router,
        mut req: axum::http::Request<axum::body::Body>,
    ) -> axum::http::Response<axum::body::Body> {
        use axum::http::header;
        use tower::ServiceExt;
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().expect("cookie header"));
        }
        let response = router.clone().oneshot(req).await.expect("response");
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let (pair, attrs) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if attrs.contains("Max-Age=0") || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        response
    }
}

/// Tests read and drop single cookies by name.
impl std::ops::Deref for CookieJar {
    type Target = std::collections::HashMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.cookies
    }
}

impl std::ops::DerefMut for CookieJar {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.cookies
    }
}
