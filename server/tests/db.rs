//! Database tests, each run against SQLite and PostgreSQL.

mod common;

use app::auth::db::{self as account_db, NewAccount};
use app::common::Role;
use app::db::audit::{self as audit, Actor, Change};
use app::security::hashing::Hasher;
use common::TestDb;

fn staff<'a>(username: &'a str, hash: &'a str) -> NewAccount<'a> {
    NewAccount {
        role: Role::Clerk,
        username: Some(username),
        mobile: None,
        display_name: "测试",
        password_hash: hash,
        resident_id: None,
    }
}

#[tokio::test]
async fn migrations_create_the_schema_and_rerun_cleanly() {
    for t in TestDb::both().await {
        let db = t.open().await;
        assert!(db.is_empty().await.expect("count"), "{}", t.engine);
        // A second run finds nothing to do.
        db.migrate(&app::db::migrations_root())
            .await
            .expect("re-migrate");
    }
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    for t in TestDb::both().await {
        let db = t.open().await;
        let actor = Actor {
            account_id: None,
            name: "test".into(),
            ip: Some("10.0.0.1".into()),
        };
        let change = Change::new(
            app::common::AuditAction::Create,
            app::common::AuditEntity::Account,
        )
        .id(1)
        .after(serde_json::json!({ "x": 1 }));
        audit::record(&db.pool, &actor, change)
            .await
            .expect("append");
        let update = sqlx::query("update audit_log set action = 'tampered'")
            .execute(&db.pool)
            .await;
        assert!(update.is_err(), "{}: update must be refused", t.engine);
        let delete = sqlx::query("delete from audit_log").execute(&db.pool).await;
        assert!(delete.is_err(), "{}: delete must be refused", t.engine);
        let (n, action): (i64, String) =
            sqlx::query_as("select count(*), max(action) from audit_log")
                .fetch_one(&db.pool)
                .await
                .expect("count");
        assert_eq!((n, action.as_str()), (1, "create"), "{}", t.engine);
    }
}

#[tokio::test]
async fn accounts_hold_their_invariants() {
    for t in TestDb::both().await {
        let db = t.open().await;
        account_db::insert(&db.pool, &staff("clerk1", "h"))
            .await
            .expect("first");
        let dup = account_db::insert(&db.pool, &staff("clerk1", "h"))
            .await
            .expect_err("duplicate username");
        assert!(app::db::is_unique_violation(&dup), "{}: {dup}", t.engine);
        // A resident must have a mobile and no username; staff the other way round.
        let bad = NewAccount {
            role: Role::Resident,
            username: Some("res"),
            mobile: None,
            display_name: "x",
            password_hash: "h",
            resident_id: None,
        };
        assert!(
            account_db::insert(&db.pool, &bad).await.is_err(),
            "{}",
            t.engine
        );
        let bad = NewAccount {
            role: Role::Clerk,
            username: None,
            mobile: Some("13800000000"),
            display_name: "x",
            password_hash: "h",
            resident_id: None,
        };
        assert!(
            account_db::insert(&db.pool, &bad).await.is_err(),
            "{}",
            t.engine
        );
        let bad_role = sqlx::query(
            "insert into account (role, username, display_name, password_hash, created_at, updated_at) \
             values ('superuser', 'x', 'x', 'h', '', '')",
        )
        .execute(&db.pool)
        .await;
        assert!(bad_role.is_err(), "{}: unknown roles are refused", t.engine);
    }
}

#[tokio::test]
async fn a_password_reset_ends_every_session_version() {
    for t in TestDb::both().await {
        let db = t.open().await;
        let id = account_db::insert(&db.pool, &staff("clerk2", "h"))
            .await
            .expect("insert");
        let before = account_db::by_id(&db.pool, id)
            .await
            .expect("load")
            .expect("exists");
        let version = account_db::set_password(&db.pool, id, "h2")
            .await
            .expect("reset");
        assert_eq!(version, before.session_version + 1, "{}", t.engine);
        let after = account_db::by_id(&db.pool, id)
            .await
            .expect("load")
            .expect("exists");
        assert_eq!(after.password_hash, "h2");
        // Login names are found by username or mobile.
        assert!(account_db::by_login_name(&db.pool, "clerk2")
            .await
            .expect("find")
            .is_some());
        assert!(account_db::by_login_name(&db.pool, "nobody")
            .await
            .expect("find")
            .is_none());
    }
}

#[tokio::test]
async fn concurrent_write_transactions_queue_instead_of_failing() {
    for t in TestDb::both().await {
        let db = t.open().await;
        let mut tasks = Vec::new();
        for i in 0..16 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.write(Actor::system("test")).await?;
                // Read, then write: the pattern that deadlocks SQLite under plain BEGIN.
                let (n,): (i64,) = sqlx::query_as("select count(*) from estate")
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query("insert into estate (code, name, created_at) values ($1, $2, '')")
                    .bind(format!("E{i}-{n}"))
                    .bind(format!("小区{i}"))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }));
        }
        for task in tasks {
            task.await
                .expect("join")
                .unwrap_or_else(|e| panic!("{}: a writer failed: {e}", t.engine));
        }
        let (n,): (i64,) = sqlx::query_as("select count(*) from estate")
            .fetch_one(&db.pool)
            .await
            .expect("count");
        assert_eq!(n, 16, "{}", t.engine);
    }
}

#[tokio::test]
async fn one_open_occupancy_per_resident_house_and_role() {
    for t in TestDb::both().await {
        let db = t.open().await;
        let hasher = Hasher::new(1).expect("hasher");
        server::demo::load(&db, &hasher, "Demo-Estate-2026!")
            .await
            .expect("demo");
        let (house_id, resident_id, role): (i64, i64, String) =
            sqlx::query_as("select house_id, resident_id, role from occupancy where end_date is null order by id limit 1")
                .fetch_one(&db.pool)
                .await
                .expect("an occupancy");
        let again = sqlx::query(
            "insert into occupancy (house_id, resident_id, role, start_date, created_at) values ($1, $2, $3, '2026-01-01', '')",
        )
        .bind(house_id)
        .bind(resident_id)
        .bind(&role)
        .execute(&db.pool)
        .await
        .expect_err("a second open occupancy");
        assert!(
            app::db::is_unique_violation(&again),
            "{}: {again}",
            t.engine
        );
        // Once ended, the history stays and a new one may start.
        sqlx::query("update occupancy set end_date = '2026-01-31' where house_id = $1 and resident_id = $2 and role = $3")
            .bind(house_id)
            .bind(resident_id)
            .bind(&role)
            .execute(&db.pool)
            .await
            .expect("end");
        sqlx::query(
            "insert into occupancy (house_id, resident_id, role, start_date, created_at) values ($1, $2, $3, '2026-02-01', '')",
        )
        .bind(house_id)
        .bind(resident_id)
        .bind(&role)
        .execute(&db.pool)
        .await
        .expect("a new occupancy after the old one ended");
    }
}

#[tokio::test]
async fn the_demo_loads_once_and_refuses_a_database_with_data() {
    for t in TestDb::both().await {
        let db = t.open().await;
        let hasher = Hasher::new(1).expect("hasher");
        let weak = server::demo::load(&db, &hasher, "password")
            .await
            .expect_err("weak password");
        assert!(weak.to_string().contains("refused"), "{weak}");
        assert!(
            db.is_empty().await.expect("empty"),
            "{}: nothing written by a refused load",
            t.engine
        );

        server::demo::load(&db, &hasher, "Demo-Estate-2026!")
            .await
            .expect("demo");
        let (houses, residents, accounts): (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from house), (select count(*) from resident), (select count(*) from account)",
        )
        .fetch_one(&db.pool)
        .await
        .expect("counts");
        assert_eq!(houses, 432, "{}", t.engine);
        assert!(residents > 300, "{}: {residents} residents", t.engine);
        // One per role (the maintenance role twice), and the resident's.
        assert_eq!(accounts, 7, "{}", t.engine);
        let again = server::demo::load(&db, &hasher, "Demo-Estate-2026!")
            .await
            .expect_err("second load");
        assert!(again.to_string().contains("already holds data"), "{again}");
    }
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_is_named_in_the_error() {
    let err = app::db::Database::connect("postgres://nobody:secret@127.0.0.1:1/none")
        .await
        .expect_err("no server");
    let text = err.to_string();
    assert!(
        text.contains("postgres://nobody:***@127.0.0.1:1/none"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
    let err = app::db::Database::connect("mysql://x")
        .await
        .expect_err("unknown scheme");
    assert!(err.to_string().contains("mysql://x"), "{err}");
}

/// A clerk shared by two estates: what they did in estate 2 is estate 2's
/// business. A manager of estate 1 sees the clerk's estate-1 entries and their
/// entries without an estate (sign-ins), never their estate-2 entries.
#[tokio::test]
async fn a_managers_audit_log_shows_a_shared_clerks_work_only_in_the_managers_estates() {
    use app::audit::AuditFilter;
    use app::common::EstateScope;
    for t in TestDb::both().await {
        let db = t.open().await;
        let now = app::db::time::now();
        for (id, code) in [(1_i64, "E1"), (2, "E2")] {
            sqlx::query("insert into estate (id, code, name, created_at) values ($1, $2, $3, $4)")
                .bind(id)
                .bind(code)
                .bind(format!("小区{id}"))
                .bind(&now)
                .execute(&db.pool)
                .await
                .expect("estate");
        }
        let clerk = account_db::insert(&db.pool, &staff("shared", "x"))
            .await
            .expect("clerk");
        for estate in [1_i64, 2] {
            sqlx::query("insert into account_estate (account_id, estate_id) values ($1, $2)")
                .bind(clerk)
                .bind(estate)
                .execute(&db.pool)
                .await
                .expect("membership");
        }
        let actor = Actor {
            account_id: Some(clerk),
            name: "shared".into(),
            ip: None,
        };
        for (estate, entity_id) in [
            (Some(1_i64), "in-1"),
            (Some(2), "in-2"),
            (None, "no-estate"),
        ] {
            let change = Change::new(
                app::common::AuditAction::Update,
                app::common::AuditEntity::House,
            )
            .id(entity_id)
            .estate_opt(estate);
            audit::record(&db.pool, &actor, change)
                .await
                .expect("record");
        }
        let seen = |scope: EstateScope| {
            let pool = db.pool.clone();
            async move {
                let mut ids: Vec<String> =
                    app::audit::db::page(&pool, &scope, &AuditFilter::default())
                        .await
                        .expect("page")
                        .entries
                        .into_iter()
                        .filter_map(|e| e.entity_id)
                        .collect();
                ids.sort();
                ids
            }
        };
        assert_eq!(
            seen(EstateScope::Only(vec![1])).await,
            vec!["in-1".to_string(), "no-estate".to_string()],
            "{}: a manager of estate 1",
            t.engine
        );
        assert_eq!(
            seen(EstateScope::Only(vec![2])).await,
            vec!["in-2".to_string(), "no-estate".to_string()],
            "{}: a manager of estate 2",
            t.engine
        );
        assert_eq!(
            seen(EstateScope::All).await.len(),
            3,
            "{}: an admin",
            t.engine
        );
    }
}

/// The key-custody step rebuilds `account` on SQLite (its role check gains
/// `security`): a database already holding accounts, and rows pointing at
/// them, comes through whole — the step that ran on empty test databases
/// only once failed here.
#[tokio::test]
async fn the_key_step_upgrades_a_database_holding_accounts() {
    for t in TestDb::both().await {
        let e = t.engine;
        // The schema as it stood before key custody: steps 0001–0009 only.
        let before = tempfile::tempdir().expect("dir");
        let root = app::db::migrations_root();
        for engine in ["sqlite", "postgres"] {
            let dir = before.path().join(engine);
            std::fs::create_dir_all(&dir).expect("dir");
            for entry in std::fs::read_dir(root.join(engine)).expect("migrations") {
                let path = entry.expect("entry").path();
                let name = path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .to_string();
                if name.as_str() < "0010" {
                    std::fs::copy(&path, dir.join(&name)).expect("copy");
                }
            }
        }
        let db = app::db::Database::connect(&t.url).await.expect("connect");
        db.migrate(before.path()).await.expect("0001–0009");
        let hash = "argon2-hash";
        let id = account_db::insert(&db.pool, &staff("clerk.old", hash))
            .await
            .expect("account");
        sqlx::query("insert into estate (code, name, created_at) values ('OLD', '旧小区', '2026-01-01T00:00:00Z')")
            .execute(&db.pool)
            .await
            .expect("estate");
        sqlx::query("insert into account_estate (account_id, estate_id) select $1, id from estate where code = 'OLD'")
            .bind(id)
            .execute(&db.pool)
            .await
            .expect("assignment");
        let actor = Actor {
            account_id: Some(id),
            name: "测试".into(),
            ip: None,
        };
        audit::record(
            &db.pool,
            &actor,
            Change::new(
                app::common::AuditAction::Create,
                app::common::AuditEntity::Account,
            )
            .id(id),
        )
        .await
        .expect("audit");

        db.migrate(&root)
            .await
            .unwrap_or_else(|err| panic!("{e}: the key step: {err}"));
        let (role, issues, estates, logged): (String, i64, i64, i64) = sqlx::query_as(
            "select a.role, a.issues_keys, (select count(*) from account_estate where account_id = a.id), \
                (select count(*) from audit_log where actor_id = a.id) from account a where a.id = $1",
        )
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .expect("the account after");
        assert_eq!(
            (role.as_str(), issues, estates, logged),
            ("clerk", 0, 1, 1),
            "{e}"
        );
        // The new role is taken, the old rules still hold.
        let mut security = staff("guard.old", hash);
        security.role = Role::Security;
        account_db::insert(&db.pool, &security)
            .await
            .expect("a security account");
        let bad = sqlx::query(
            "insert into account (role, display_name, password_hash, created_at, updated_at) \
             values ('clerk', 'x', 'h', 'x', 'x')",
        )
        .execute(&db.pool)
        .await;
        assert!(bad.is_err(), "{e}: a member of staff needs a username");
    }
}
