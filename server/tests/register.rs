//! The estate register and the desk's search, on SQLite and PostgreSQL.

mod common;

use app::common::{EstateId, EstateScope, HouseId};
use app::db::audit::Actor;
use app::estate::db::{self as register, NewOccupant};
use app::estate::search::{plan, HitKind};
use app::estate::OccupancyRole;
use app::security::hashing::Hasher;
use common::TestDb;

async fn demo(t: &TestDb) -> app::db::Database {
    let db = t.open().await;
    server::demo::load(&db, &Hasher::new(1).expect("hasher"), "Demo-Estate-2026!")
        .await
        .expect("demo");
    db
}

async fn estate_id(db: &app::db::Database, code: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select id from estate where code = $1")
        .bind(code)
        .fetch_one(&db.pool)
        .await
        .expect("estate");
    id
}

#[tokio::test]
async fn search_finds_houses_by_room_and_prefix_within_scope() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let ch = estate_id(&db, "CH").await;
        let scope = EstateScope::Only(vec![ch]);
        let hits = register::search(&db.pool, &scope, &plan("1201"))
            .await
            .expect("search");
        let houses: Vec<&str> = hits
            .iter()
            .filter(|h| h.kind == HitKind::House)
            .map(|h| h.title.as_str())
            .collect();
        assert!(!houses.is_empty(), "{}", t.engine);
        assert!(
            houses.iter().all(|n| n.ends_with("-1201")),
            "{}: {houses:?}",
            t.engine
        );
        assert!(
            hits.iter().all(|h| h.detail.contains("翠湖花园")),
            "{}: only the clerk's estate",
            t.engine
        );

        let hits = register::search(&db.pool, &scope, &plan("3-2-12"))
            .await
            .expect("search");
        assert_eq!(
            hits.first().map(|h| h.title.as_str()),
            Some("3-2-1201"),
            "{}",
            t.engine
        );

        let exact = register::search(&db.pool, &scope, &plan("3-2-1201"))
            .await
            .expect("search");
        assert_eq!(
            exact.first().map(|h| (h.title.as_str(), h.rank)),
            Some(("3-2-1201", 0)),
            "{}",
            t.engine
        );

        // The other estate's houses exist but are out of scope.
        let all = register::search(&db.pool, &EstateScope::All, &plan("1201"))
            .await
            .expect("search");
        assert!(
            all.iter().any(|h| h.detail.contains("锦绣华庭")),
            "{}",
            t.engine
        );
    }
}

#[tokio::test]
async fn search_finds_residents_by_name_and_mobile_tail() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let ch = estate_id(&db, "CH").await;
        let scope = EstateScope::Only(vec![ch]);
        let hits = register::search(&db.pool, &scope, &plan("王建国"))
            .await
            .expect("search");
        assert_eq!(
            hits.first().map(|h| (h.title.as_str(), h.rank)),
            Some(("王建国", 0)),
            "{}",
            t.engine
        );
        assert!(
            hits[0].detail.starts_with("138****0001"),
            "{}: masked mobile {}",
            t.engine,
            hits[0].detail
        );

        let one_char = register::search(&db.pool, &scope, &plan("王"))
            .await
            .expect("search");
        assert!(
            !one_char.is_empty() && one_char.iter().all(|h| h.title.contains('王')),
            "{}",
            t.engine
        );

        let tail = register::search(&db.pool, &scope, &plan("0001"))
            .await
            .expect("search");
        assert!(
            tail.iter()
                .any(|h| h.kind == HitKind::Resident && h.title == "王建国"),
            "{}",
            t.engine
        );
    }
}

#[tokio::test]
async fn an_occupancy_ends_and_stays_in_the_history() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let ch = estate_id(&db, "CH").await;
        let (house_id,): (i64,) =
            sqlx::query_as("select id from house where estate_id = $1 and number = '3-2-1201'")
                .bind(ch)
                .fetch_one(&db.pool)
                .await
                .expect("house");
        let (ch, house) = (EstateId(ch), HouseId(house_id));
        let mut tx = db.write(Actor::system("test")).await.expect("tx");
        let new = NewOccupant {
            name: "赵租户",
            mobile: "13912345678",
            id_number: None,
            role: OccupancyRole::Tenant,
            start_date: "2026-01-01",
        };
        register::add_occupant(&mut tx, ch, house, &new)
            .await
            .expect("add");
        // The same person again in the same role is refused by the open-occupancy index.
        let again = register::add_occupant(&mut tx, ch, house, &new)
            .await
            .expect_err("duplicate");
        assert!(
            app::db::is_unique_violation(&again),
            "{}: {again}",
            t.engine
        );
        // Dropped uncommitted, the write rolls back.
        drop(tx);

        let mut tx = db.write(Actor::system("test")).await.expect("tx");
        let (_, occupancy_id) = register::add_occupant(&mut tx, ch, house, &new)
            .await
            .expect("add");
        assert_eq!(
            register::end_occupancy(&mut tx, occupancy_id, "2026-06-30")
                .await
                .expect("end"),
            1
        );
        assert_eq!(
            register::end_occupancy(&mut tx, occupancy_id, "2026-07-31")
                .await
                .expect("end twice"),
            0
        );
        tx.commit().await.expect("commit");

        let house = register::house_detail(&db.pool, house_id)
            .await
            .expect("load")
            .expect("house");
        let ended: Vec<_> = house
            .occupancies
            .iter()
            .filter(|o| o.resident_name == "赵租户")
            .collect();
        assert_eq!(ended.len(), 1, "{}", t.engine);
        assert_eq!(
            ended[0].end_date.as_deref(),
            Some("2026-06-30"),
            "{}",
            t.engine
        );
        assert_eq!(ended[0].mobile_masked, "139****5678", "{}", t.engine);
    }
}
