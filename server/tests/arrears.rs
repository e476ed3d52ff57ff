//! Arrears ageing (issue 17, part 1) on SQLite and PostgreSQL: every house's
//! ageing equals billing's own rule applied to its lines (the ledger's
//! `house_lines`: what still owes, past its due date, never a deposit, late
//! fees apart); houses add up to their building and buildings to the estate;
//! a day in the past reads the ledger as it stood then; another estate's
//! clerk reads nothing.

mod common;

use std::collections::BTreeMap;

use app::arrears::db::{self as arrears, ageing};
use app::arrears::{rules, Bucket};
use app::billing::ledger::{self, PaymentRequest};
use app::common::Lang;
use chrono::NaiveDate;
use common::keys::*;
use common::TestDb;

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(&app::db::time::desk_today(), "%Y-%m-%d").expect("today")
}

/// Billing's rule, house by house, from the ledger's lines: principal per
/// bucket, late fees (late-fee lines unpaid, late fees still running).
async fn by_ledger(
    db: &app::db::Database,
    estate_id: i64,
    as_of: NaiveDate,
) -> BTreeMap<i64, ([i64; 5], i64)> {
    let houses: Vec<(i64,)> = sqlx::query_as("select id from house where estate_id = $1")
        .bind(estate_id)
        .fetch_all(&db.pool)
        .await
        .expect("houses");
    let policies = ledger::late_policies(&db.pool, estate_id)
        .await
        .expect("policies");
    let mut out = BTreeMap::new();
    for (house,) in houses {
        let mut conn = db.pool.acquire().await.expect("conn");
        let lines = ledger::house_lines(&mut conn, house).await.expect("lines");
        let mut buckets = [0i64; 5];
        let mut late = 0;
        for l in &lines {
            let due = NaiveDate::parse_from_str(&l.due_date, "%Y-%m-%d").expect("due");
            if l.held == 1 || due >= as_of {
                continue;
            }
            if l.late_fee_of.is_some() {
                late += l.outstanding();
                continue;
            }
            late += ledger::line_late_fee(l, &policies, as_of).fen;
            if l.outstanding() > 0 {
                let b = rules::bucket(rules::days_overdue(due, as_of)).expect("overdue");
                let i = Bucket::ALL.iter().position(|x| *x == b).expect("bucket");
                buckets[i] += l.outstanding();
            }
        }
        if buckets.iter().any(|f| *f > 0) || late > 0 {
            out.insert(house, (buckets, late));
        }
    }
    out
}

/// The clerk takes `received` at the counter for `line_ids` (more than they owe goes to prepaid).
async fn pay(c: &Counter, house_id: i64, line_ids: Vec<i64>, received: &str, key: &str) {
    let req = PaymentRequest {
        house_id,
        line_ids,
        method: "cash".into(),
        received: received.into(),
        request_key: key.into(),
    };
    let cl = &c.clerk;
    ledger::take_payment(
        &c.db,
        &cl.actor,
        cl.id,
        Lang::Zh,
        &req,
        &ledger::Payer::named("业主"),
    )
    .await
    .expect("paid");
}

#[tokio::test]
async fn the_ageing_is_the_ledgers_rule_for_every_house_and_adds_up() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let expected = by_ledger(db, c.ch, today()).await;
        assert!(expected.len() > 5, "{e}: the demo's houses owe");
        let owed = ageing::owed(&db.pool, c.ch, None, today())
            .await
            .expect("owed");
        let houses = ageing::rows_by(&owed, |o| o.house_id);
        let got: BTreeMap<i64, ([i64; 5], i64)> = houses
            .iter()
            .map(|(id, r)| {
                let mut b = [0i64; 5];
                for (i, c) in r.buckets.iter().enumerate() {
                    b[i] = c.fen;
                }
                (*id, (b, r.late_fee_fen))
            })
            .collect();
        assert_eq!(got, expected, "{e}: every house as the ledger says");

        // The page: buildings add up to the estate; a building's houses to the building.
        let page = arrears::ageing(&db.pool, &c.clerk.caller, c.ch, "")
            .await
            .expect("page");
        let total: i64 = page.buildings.iter().map(|b| b.total.fen).sum();
        assert_eq!(page.estate.total.fen, total, "{e}");
        assert_eq!(
            page.estate.total.fen,
            expected
                .values()
                .map(|(b, _)| b.iter().sum::<i64>())
                .sum::<i64>(),
            "{e}"
        );
        for (i, _) in Bucket::ALL.iter().enumerate() {
            let fen: i64 = page.buildings.iter().map(|b| b.buckets[i].fen).sum();
            let houses: i64 = page.buildings.iter().map(|b| b.buckets[i].houses).sum();
            assert_eq!(
                (page.estate.buckets[i].fen, page.estate.buckets[i].houses),
                (fen, houses),
                "{e}"
            );
        }
        let building = page
            .buildings
            .iter()
            .find(|b| b.total.fen > 0)
            .expect("a building owing");
        let list = arrears::houses(&db.pool, &c.clerk.caller, c.ch, Some(building.id), None, "")
            .await
            .expect("houses");
        assert_eq!(
            list.houses.iter().map(|h| h.total.fen).sum::<i64>(),
            building.total.fen,
            "{e}"
        );
        assert_eq!(list.houses.len() as i64, building.total.houses, "{e}");
        assert!(
            list.houses
                .windows(2)
                .all(|w| w[0].oldest_days >= w[1].oldest_days),
            "{e}: oldest first"
        );
        // One bucket's houses are the ones with money in it.
        let (i, bucket) = Bucket::ALL
            .iter()
            .enumerate()
            .find(|(i, _)| building.buckets[*i].fen > 0)
            .expect("a bucket");
        let one_bucket = arrears::houses(
            &db.pool,
            &c.clerk.caller,
            c.ch,
            Some(building.id),
            Some(*bucket),
            "",
        )
        .await
        .expect("bucket");
        assert_eq!(
            one_bucket.houses.len() as i64,
            building.buckets[i].houses,
            "{e}"
        );
        assert_eq!(
            one_bucket
                .houses
                .iter()
                .map(|h| h.buckets[i].fen)
                .sum::<i64>(),
            building.buckets[i].fen,
            "{e}"
        );

        // Another estate's clerk: refused; a date after today: refused at its field.
        let jx = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;
        let r = arrears::houses(&db.pool, &jx.caller, c.ch, None, None, "").await;
        forbidden(&r, "another estate's houses");
        let theirs = arrears::ageing(&db.pool, &jx.caller, c.ch, "")
            .await
            .expect("their own");
        assert_eq!(theirs.estate_id, c.jx, "{e}: only their own estate");
        let tomorrow = app::db::time::date_to_db(today() + chrono::Duration::days(1));
        let r = arrears::ageing(&db.pool, &c.clerk.caller, c.ch, &tomorrow).await;
        assert!(field_error(&r, "as_of").contains("今天"), "{e}: {r:?}");
    }
}

#[tokio::test]
async fn a_day_in_the_past_reads_the_ledger_as_it_stood_then() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let yesterday = today() - chrono::Duration::days(1);
        // 1-1-101 owes nothing in the demo; a line raised ten days ago, due five days ago.
        let house = c.house("1-1-101").await;
        let item = one(
            db,
            &format!("select id from fee_item where estate_id = {} and held = 0 and kind = 'fixed' order by id limit 1", c.ch),
        )
        .await;
        let raised = app::db::time::to_db(chrono::Utc::now() - chrono::Duration::days(10));
        let due = app::db::time::date_to_db(today() - chrono::Duration::days(5));
        let (line,): (i64,) = sqlx::query_as(
            "insert into bill_line (estate_id, house_id, fee_item_id, period, line_key, amount_fen, due_date, basis, created_at) \
             values ($1, $2, $3, '2026-09', 'ageing-test', 12345, $4, '{}', $5) returning id",
        )
        .bind(c.ch)
        .bind(house)
        .bind(item)
        .bind(&due)
        .bind(&raised)
        .fetch_one(&db.pool)
        .await
        .expect("a line");
        let then = ageing::rows_by(
            &ageing::owed(&db.pool, c.ch, None, yesterday)
                .await
                .expect("owed"),
            |o| o.house_id,
        );
        assert_eq!(then[&house].total.fen, 12345, "{e}");
        assert_eq!(
            then[&house].oldest_days, 4,
            "{e}: due five days before today"
        );
        pay(&c, house, vec![line], "200.00", "ageing-past").await;
        // Today it owes nothing; yesterday it owed what it owed.
        let now = ageing::rows_by(
            &ageing::owed(&db.pool, c.ch, None, today())
                .await
                .expect("owed"),
            |o| o.house_id,
        );
        assert!(!now.contains_key(&house), "{e}: paid today");
        let then = ageing::rows_by(
            &ageing::owed(&db.pool, c.ch, None, yesterday)
                .await
                .expect("owed"),
            |o| o.house_id,
        );
        assert_eq!(then[&house].total.fen, 12345, "{e}: as it stood yesterday");
        // Eleven days ago it was not yet raised.
        let before = ageing::owed(&db.pool, c.ch, None, today() - chrono::Duration::days(11))
            .await
            .expect("owed");
        assert!(before.iter().all(|o| o.house_id != house), "{e}");
    }
}

#[tokio::test]
async fn a_chase_is_checked_listed_for_follow_up_and_a_broken_promise_is_found() {
    use app::arrears::db::chase::{self, ChaseForm};
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let cl = &c.clerk;
        let house = c.house("1-1-301").await;
        let today_text = app::db::time::desk_today();
        let yesterday = app::db::time::date_to_db(today() - chrono::Duration::days(1));
        let written = || one(db, "select count(*) from arrears_chase");
        let form = ChaseForm {
            action: String::from("phone"),
            outcome: "promised".into(),
            promise_date: today_text.clone(),
            promise_amount: "100.00".into(),
            note: "业主说月底前来交".into(),
            follow_up_date: today_text.clone(),
            ..ChaseForm::default()
        };
        // Refused at their fields, nothing written: a follow-up in the past, a promise
        // without its day or amount, a dispute without its reason.
        let r = chase::record(
            db,
            &cl.actor,
            &cl.caller,
            house,
            &ChaseForm {
                follow_up_date: yesterday.clone(),
                ..form.clone()
            },
        )
        .await;
        assert!(
            field_error(&r, "follow_up_date").contains("今天"),
            "{e}: {r:?}"
        );
        let r = chase::record(
            db,
            &cl.actor,
            &cl.caller,
            house,
            &ChaseForm {
                promise_date: String::new(),
                promise_amount: String::new(),
                ..form.clone()
            },
        )
        .await;
        assert!(field_error(&r, "promise_date").contains("日期"), "{e}");
        assert!(field_error(&r, "promise_amount").contains("金额"), "{e}");
        let r = chase::record(
            db,
            &cl.actor,
            &cl.caller,
            house,
            &ChaseForm {
                outcome: "disputed".into(),
                ..form.clone()
            },
        )
        .await;
        assert!(field_error(&r, "reason").contains("异议"), "{e}");
        // Another estate's clerk reads and writes nothing of CH's houses.
        let jx = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;
        forbidden(
            &chase::record(db, &jx.actor, &jx.caller, house, &form).await,
            "another estate's house",
        );
        forbidden(
            &chase::house(&db.pool, &jx.caller, house).await,
            "another estate's chase",
        );
        assert_eq!(written().await, 0, "{e}");

        // Recorded: on the house's log and on the clerk's follow-ups today.
        chase::record(db, &cl.actor, &cl.caller, house, &form)
            .await
            .expect("recorded");
        let log = chase::house(&db.pool, &cl.caller, house)
            .await
            .expect("chase");
        assert_eq!(log.entries.len(), 1, "{e}");
        assert_eq!(log.entries[0].promise_fen, Some(10_000), "{e}");
        assert!(!log.entries[0].broken, "{e}: its day has not passed");
        assert!(log.owed.total.fen > 0, "{e}");
        let mine = chase::follow_ups(&db.pool, &cl.caller, c.ch, true)
            .await
            .expect("follow-ups");
        assert_eq!(
            mine.due.iter().map(|f| f.house_id).collect::<Vec<_>>(),
            [house],
            "{e}"
        );
        assert!(!mine.due[0].overdue, "{e}");
        let managers = chase::follow_ups(&db.pool, &c.manager.caller, c.ch, true)
            .await
            .expect("theirs");
        assert!(managers.due.is_empty(), "{e}: the manager set none");
        let everyone = chase::follow_ups(&db.pool, &c.manager.caller, c.ch, false)
            .await
            .expect("all");
        assert_eq!(everyone.due.len(), 1, "{e}");
        assert_eq!(
            one(
                db,
                "select count(*) from audit_log where action = 'record_chase'"
            )
            .await,
            1,
            "{e}"
        );

        // A promise made three days ago to pay by yesterday, and nothing paid: broken.
        let other = c.house("1-1-302").await;
        sqlx::query(
            "insert into arrears_chase (estate_id, house_id, action, outcome, promise_date, promise_fen, reason, note, \
                                        follow_up_on, created_by, created_name, created_at) \
             values ($1, $2, 'phone', 'promised', $3, 50000, '', '', $3, $4, '王小前', $5)",
        )
        .bind(c.ch)
        .bind(other)
        .bind(&yesterday)
        .bind(cl.id)
        .bind(app::db::time::to_db(chrono::Utc::now() - chrono::Duration::days(3)))
        .execute(&db.pool)
        .await
        .expect("an old promise");
        let mine = chase::follow_ups(&db.pool, &cl.caller, c.ch, true)
            .await
            .expect("follow-ups");
        assert_eq!(
            mine.broken.iter().map(|f| f.house_id).collect::<Vec<_>>(),
            [other],
            "{e}"
        );
        let overdue = mine
            .due
            .iter()
            .find(|f| f.house_id == other)
            .expect("overdue follow-up");
        assert!(overdue.overdue, "{e}");
        assert_eq!(mine.due[0].house_id, other, "{e}: the overdue first");
        assert!(
            chase::house(&db.pool, &cl.caller, other)
                .await
                .expect("chase")
                .entries[0]
                .broken,
            "{e}"
        );
        // The log is append-only.
        let r = sqlx::query("update arrears_chase set note = 'x'")
            .execute(&db.pool)
            .await;
        assert!(r.is_err(), "{e}");

        // Paid in full: the house leaves the follow-ups.
        let mut conn = db.pool.acquire().await.expect("conn");
        let lines = ledger::house_lines(&mut conn, house).await.expect("lines");
        drop(conn);
        let open = lines.iter().filter(|l| l.held == 0 && l.outstanding() > 0);
        pay(
            &c,
            house,
            open.map(|l| l.id).collect(),
            "100000.00",
            "chase-paid",
        )
        .await;
        let mine = chase::follow_ups(&db.pool, &cl.caller, c.ch, true)
            .await
            .expect("follow-ups");
        assert!(
            mine.due.iter().all(|f| f.house_id != house),
            "{e}: nothing left to chase"
        );
    }
}
