//! The benchmark generator on SQLite and PostgreSQL: a tiny company, then the
//! application's own reads over it — the house account, the arrears, the
//! search, a payment at the counter continuing the receipt sequence — and
//! the same company again from the same seed.

mod common;

use std::collections::HashMap;

use app::billing::ledger::{self, PaymentRequest};
use app::common::{EstateScope, Lang};
use app::db::audit::Actor;
use app::db::{time, Database};
use common::TestDb;
use server::tools::generate::{generate, id_check_char, Options};

async fn one(db: &Database, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
    n
}

async fn tiny(db: &Database) {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    generate(db, &Options::profile("tiny").expect("profile"))
        .await
        .expect("generate");
}

#[tokio::test]
async fn a_generated_company_reads_as_the_application_s_own() {
    for t in TestDb::both().await {
        let db = t.open().await;
        tiny(&db).await;
        let engine = t.engine;

        // The register: house numbers like 3-2-1201, residents with history.
        assert_eq!(one(&db, "select count(*) from estate").await, 2, "{engine}");
        assert_eq!(
            one(&db, "select count(*) from house").await,
            400,
            "{engine}"
        );
        let houses: Vec<(String, String)> = sqlx::query_as("select number, room from house")
            .fetch_all(&db.pool)
            .await
            .expect("houses");
        for (number, room) in &houses {
            let parts: Vec<&str> = number.split('-').collect();
            assert_eq!(parts.len(), 3, "{number}");
            assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{number}");
            assert_eq!(parts[2], room, "{number}");
        }
        // name, mobile, ID number, mobile tail, ID tail
        type Person = (String, String, Option<String>, String, Option<String>);
        let residents: Vec<Person> =
            sqlx::query_as("select name, mobile, id_number, mobile_tail, id_tail from resident")
                .fetch_all(&db.pool)
                .await
                .expect("residents");
        assert!(
            residents.len() > 800,
            "{engine}: {} residents",
            residents.len()
        );
        for (name, mobile, id, mobile_tail, id_tail) in &residents {
            assert!((2..=4).contains(&name.chars().count()), "{name}");
            assert!(mobile.len() == 11 && mobile.starts_with('1'), "{mobile}");
            assert_eq!(&mobile[7..], mobile_tail);
            if let Some(id) = id {
                assert_eq!(id.chars().last(), Some(id_check_char(&id[..17])), "{id}");
                assert_eq!(id_tail.as_deref(), Some(&id[14..]));
            }
        }
        assert!(
            one(
                &db,
                "select count(*) from occupancy where end_date is not null"
            )
            .await
                > 10,
            "{engine}: people moved out"
        );
        assert!(
            one(&db, "select count(*) from occupancy where role = 'tenant'").await > 10,
            "{engine}: tenants"
        );

        // Bills for twelve months, mostly paid.
        assert_eq!(
            one(
                &db,
                "select count(distinct period) from bill_line where line_key = ''"
            )
            .await,
            12,
            "{engine}"
        );
        let billed = one(&db, "select cast(sum(amount_fen) as bigint) from bill_line").await;
        let paid = one(
            &db,
            "select cast(sum(amount_fen) as bigint) from settlement",
        )
        .await;
        let unpaid = (billed - paid) as f64 / billed as f64;
        assert!(
            (0.05..0.40).contains(&unpaid),
            "{engine}: unpaid share {unpaid}"
        );

        // Receipt numbers run 1..n per estate and year, as the counter numbers them.
        let payments: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
            "select p.estate_id, e.code, p.receipt_no, p.received_fen, p.lines_fen \
             from payment p join estate e on e.id = p.estate_id order by p.id",
        )
        .fetch_all(&db.pool)
        .await
        .expect("payments");
        let mut seq: HashMap<(i64, i32), i64> = HashMap::new();
        for (estate, code, receipt, received, lines) in &payments {
            let year: i32 = receipt[code.len()..code.len() + 4].parse().expect("year");
            let n = seq.entry((*estate, year)).or_insert(0);
            *n += 1;
            assert_eq!(
                receipt,
                &app::billing::rules::receipt_number(code, year, *n),
                "{engine}"
            );
            assert_eq!(received, lines);
        }
        for ((estate, year), n) in &seq {
            let (last,): (i64,) = sqlx::query_as(
                "select last_no from receipt_sequence where estate_id = $1 and year = $2",
            )
            .bind(estate)
            .bind(i64::from(*year))
            .fetch_one(&db.pool)
            .await
            .expect("sequence");
            assert_eq!(last, *n, "{engine}");
        }

        // The ledger reads every house the way the counter would: each payment
        // settles exactly its lines, and the arrears the house list shows are
        // the outstanding lines past due.
        let today = time::desk_today();
        let ids: Vec<(i64,)> =
            sqlx::query_as("select id from house where estate_id = 1 order by id")
                .fetch_all(&db.pool)
                .await
                .expect("ids");
        let ids: Vec<i64> = ids.into_iter().map(|(i,)| i).collect();
        let arrears = ledger::arrears_by_house(&db.pool, &ids, &today)
            .await
            .expect("arrears");
        let mut owing = None;
        let mut conn = db.pool.acquire().await.expect("connection");
        for id in &ids {
            let lines = ledger::house_lines(&mut conn, *id).await.expect("lines");
            let expected: i64 = lines
                .iter()
                .filter(|l| l.due_date < today)
                .map(|l| l.outstanding())
                .sum();
            assert_eq!(
                arrears.get(id).copied().unwrap_or(0),
                expected,
                "{engine}: house {id}"
            );
            for l in lines.iter().filter(|l| l.settled.is_some()) {
                let s = l.settled.as_ref().expect("settled");
                assert_eq!(s.amount_fen, l.amount_fen, "{engine}");
                assert!(
                    s.receipt_no.is_some(),
                    "{engine}: a generated payment has a receipt"
                );
            }
            if owing.is_none() && expected > 0 {
                owing = lines
                    .iter()
                    .find(|l| l.outstanding() > 0 && l.due_date < today)
                    .map(|l| (*id, l.id, l.outstanding()));
            }
        }
        drop(conn);
        assert!(arrears.len() > 10, "{engine}: some houses owe");
        let list = app::estate::db::house_list(
            &db.pool,
            &EstateScope::All,
            &app::estate::HouseFilter {
                estate_id: 1,
                ..Default::default()
            },
        )
        .await
        .expect("house list");
        assert_eq!(list.rows.len(), 50);
        for row in &list.rows {
            assert_eq!(row.arrears_fen, arrears.get(&row.id).copied().unwrap_or(0));
        }

        // A payment taken at the counter now continues the estate's receipts.
        let (house_id, line_id, amount) = owing.expect("a house with arrears");
        let (clerk_id,): (i64,) = sqlx::query_as("select id from account where username = 'clerk'")
            .fetch_one(&db.pool)
            .await
            .expect("clerk");
        let year: i32 = today[..4].parse().expect("year");
        let before = seq.get(&(1, year)).copied().unwrap_or(0);
        let taken = ledger::take_payment(
            &db,
            &Actor {
                account_id: Some(clerk_id),
                name: "clerk".into(),
                ip: None,
            },
            clerk_id,
            Lang::En,
            &PaymentRequest {
                house_id,
                line_ids: vec![line_id],
                method: "cash".into(),
                // Enough for the line and any late fee it has run up.
                received: format!("{}", (amount * 2) / 100 + 1),
                request_key: format!("test-{engine}"),
            },
            &ledger::Payer::named("Test payer"),
        )
        .await
        .expect("payment at the counter");
        assert_eq!(
            taken.receipt_no,
            app::billing::rules::receipt_number("E001", year, before + 1),
            "{engine}"
        );

        // The search finds a generated resident by the tail of their mobile.
        let (name, mobile): (String, String) = sqlx::query_as(
            "select name, mobile from resident where estate_id = 1 order by id limit 1",
        )
        .fetch_one(&db.pool)
        .await
        .expect("resident");
        let hits = app::estate::db::search(
            &db.pool,
            &EstateScope::Only(vec![1]),
            &app::estate::search::plan(&mobile[7..]),
        )
        .await
        .expect("search");
        assert!(
            hits.iter().any(|h| h.title == name),
            "{engine}: {name} {mobile}"
        );

        // Repair tickets in every state in each estate.
        for estate in [1, 2] {
            let (states,): (i64,) = sqlx::query_as(
                "select count(distinct status) from repair_ticket where estate_id = $1",
            )
            .bind(estate)
            .fetch_one(&db.pool)
            .await
            .expect("states");
            assert_eq!(states, 8, "{engine}: estate {estate}");
        }
        assert!(
            one(&db, "select count(*) from escalation").await > 0,
            "{engine}"
        );
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_company() {
    let mut prints = Vec::new();
    for _ in 0..2 {
        let t = TestDb::sqlite().await;
        let db = t.open().await;
        tiny(&db).await;
        let residents: Vec<(String, String, Option<String>)> =
            sqlx::query_as("select name, mobile, id_number from resident order by id")
                .fetch_all(&db.pool)
                .await
                .expect("residents");
        let payments: Vec<(String, i64, i64, String)> = sqlx::query_as(
            "select receipt_no, house_id, received_fen, business_day from payment order by id",
        )
        .fetch_all(&db.pool)
        .await
        .expect("payments");
        let tickets: Vec<(i64, String, String)> =
            sqlx::query_as("select id, status, category from repair_ticket order by id")
                .fetch_all(&db.pool)
                .await
                .expect("tickets");
        prints.push((residents, payments, tickets));
    }
    assert!(!prints[0].0.is_empty() && !prints[0].1.is_empty());
    assert_eq!(prints[0], prints[1]);
}
