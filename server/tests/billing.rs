//! Fee billing on SQLite and PostgreSQL: bill runs (idempotent, resumable after
//! a kill), payments (one transaction, taken once, gap-free receipts), reversals,
//! waivers, the prepaid balance, and the ledger's invariants under random use.

mod common;

use app::billing::ledger::{self, PaymentRequest};
use app::billing::{db as billing, run, FeeKind};
use app::common::Lang;
use app::db::audit::Actor;
use app::db::{time, Database};
use app::error::AppError;
use app::security::hashing::Hasher;
use common::TestDb;

fn actor() -> Actor {
    Actor {
        account_id: None,
        name: "test".into(),
        ip: None,
    }
}

/// The clerk's account as the author of a write (a print of a receipt).
fn clerk_actor(clerk: i64) -> Actor {
    Actor {
        account_id: Some(clerk),
        ..actor()
    }
}

/// A resident's houses as the server resolves them for their requests.
async fn residences(db: &Database, resident_id: i64) -> Vec<app::common::Residence> {
    app::auth::residence::residences(&db.pool, resident_id)
        .await
        .expect("residences")
}

fn this_month() -> String {
    time::desk_today()[..7].to_string()
}

async fn demo(t: &TestDb) -> Database {
    let db = t.open().await;
    server::demo::load(&db, &Hasher::new(1).expect("hasher"), "Demo-Estate-2026!")
        .await
        .expect("demo");
    db
}

async fn one(db: &Database, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
    n
}

async fn house(db: &Database, number: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select id from house where number = $1 and estate_id = (select id from estate where code = 'CH')")
        .bind(number)
        .fetch_one(&db.pool)
        .await
        .expect("house");
    id
}

async fn account(db: &Database, username: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select id from account where username = $1")
        .bind(username)
        .fetch_one(&db.pool)
        .await
        .expect("account");
    id
}

async fn lines(db: &Database, house_id: i64) -> Vec<ledger::LineState> {
    let mut conn = db.pool.acquire().await.expect("conn");
    ledger::house_lines(&mut conn, house_id)
        .await
        .expect("lines")
}

async fn balance(db: &Database, house_id: i64) -> i64 {
    let mut conn = db.pool.acquire().await.expect("conn");
    ledger::prepaid_balance(&mut *conn, house_id)
        .await
        .expect("balance")
}

/// A payer typed at the counter (these tests are about the money, not who paid).
fn payer() -> ledger::Payer {
    ledger::Payer::named("测试交款人")
}

fn pay(house_id: i64, line_ids: Vec<i64>, received: &str, key: &str) -> PaymentRequest {
    PaymentRequest {
        house_id,
        line_ids,
        method: "cash".into(),
        received: received.into(),
        request_key: key.into(),
    }
}

async fn run_month(db: &Database, period: &str) -> run::RunOutcome {
    let (estate,): (i64,) = sqlx::query_as("select id from estate where code = 'CH'")
        .fetch_one(&db.pool)
        .await
        .expect("estate");
    let id = run::start(db, &actor(), None, Lang::Zh, estate, period)
        .await
        .expect("start");
    run::execute(db, id).await.expect("execute")
}

#[tokio::test]
async fn the_demo_bills_explain_themselves_and_prepaid_settles_the_next_month() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let h = house(&db, "1-1-101").await;
        let all = lines(&db, h).await;
        // Two months × (property fee, lift fee, water) for a house of building 1.
        assert_eq!(all.len(), 6, "{}", t.engine);
        assert!(
            all.iter().all(|l| l.settled.is_some()),
            "{}: first month paid, second from prepaid",
            t.engine
        );
        let by_prepaid: i64 = all
            .iter()
            .filter(|l| l.settled.as_ref().is_some_and(|s| s.payment_id.is_none()))
            .map(|l| l.amount_fen)
            .sum();
        assert_eq!(balance(&db, h).await, 50_000 - by_prepaid, "{}", t.engine);
        let property = all
            .iter()
            .find(|l| l.kind == FeeKind::Area)
            .expect("area line");
        let why = billing::explain(&property.basis, Lang::Zh);
        assert!(
            why.contains("m²") && why.contains("2.35") && why.contains("四舍五入"),
            "{why}"
        );
        // Another house of building 1 owes its two months.
        let other = lines(&db, house(&db, "1-1-102").await).await;
        assert_eq!(
            other.iter().filter(|l| l.outstanding() > 0).count(),
            6,
            "{}",
            t.engine
        );
    }
}

#[tokio::test]
async fn a_rerun_creates_nothing_and_lines_are_unique() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let first = run_month(&db, &this_month()).await;
        assert!(first.lines_created > 0, "{}", t.engine);
        let again = run_month(&db, &this_month()).await;
        assert_eq!(again.lines_created, 0, "{}", t.engine);
        let dupes = one(
            &db,
            "select count(*) from (select house_id, fee_item_id, period, line_key from bill_line \
             group by house_id, fee_item_id, period, line_key having count(*) > 1) d",
        )
        .await;
        assert_eq!(dupes, 0, "{}", t.engine);
        // Every billable house got its property and lift fee this month.
        let billable = one(&db, "select count(*) from house where estate_id = (select id from estate where code = 'CH') and status <> 'not_handed_over' and use_kind = 'residential'").await;
        let month_lines = one(&db, &format!("select count(*) from bill_line l join fee_item f on f.id = l.fee_item_id where l.period = '{}' and f.kind in ('area', 'fixed')", this_month())).await;
        assert_eq!(month_lines, billable * 2, "{}", t.engine);
    }
}

#[tokio::test]
async fn bad_run_requests_are_refused() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let jx: (i64,) = sqlx::query_as("select id from estate where code = 'JX'")
            .fetch_one(&db.pool)
            .await
            .expect("jx");
        let ch: (i64,) = sqlx::query_as("select id from estate where code = 'CH'")
            .fetch_one(&db.pool)
            .await
            .expect("ch");
        let future = format!(
            "{}-12",
            time::desk_today()[..4].parse::<i32>().expect("year") + 1
        );
        let e = run::start(&db, &actor(), None, Lang::Zh, ch.0, &future)
            .await
            .expect_err("future");
        assert!(
            e.field_message("period")
                .is_some_and(|m| m.contains("未来")),
            "{e:?}"
        );
        let e = run::start(&db, &actor(), None, Lang::Zh, jx.0, &this_month())
            .await
            .expect_err("no items");
        assert!(
            e.field_message("period")
                .is_some_and(|m| m.contains("收费项目")),
            "{e:?}"
        );
        let e = run::start(&db, &actor(), None, Lang::Zh, ch.0, "2026-13")
            .await
            .expect_err("bad period");
        assert!(e.field_message("period").is_some(), "{e:?}");
    }
}

#[tokio::test]
async fn a_payment_takes_lines_and_the_surplus_once() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let h = house(&db, "1-1-102").await;
        let owed: Vec<ledger::LineState> = lines(&db, h)
            .await
            .into_iter()
            .filter(|l| l.outstanding() > 0)
            .take(2)
            .collect();
        let due: i64 = owed.iter().map(|l| l.outstanding()).sum();
        let ids: Vec<i64> = owed.iter().map(|l| l.id).collect();
        let received = app::billing::fen_plain(due + 12_345);
        let taken = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, ids.clone(), &received, "k-1"),
            &payer(),
        )
        .await
        .expect("payment");
        assert_eq!(taken.prepaid_fen, 12_345, "{}", t.engine);
        assert_eq!(balance(&db, h).await, 12_345, "{}", t.engine);
        // The same form again: refused, nothing taken twice.
        let again = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, ids.clone(), &received, "k-1"),
            &payer(),
        )
        .await;
        assert!(
            matches!(&again, Err(AppError::Conflict(m)) if m.contains(&taken.receipt_no)),
            "{again:?}"
        );
        // A new form for the paid lines: refused.
        let paid = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, ids.clone(), &received, "k-2"),
            &payer(),
        )
        .await;
        assert!(
            paid.as_ref()
                .err()
                .and_then(|e| e.field_message("lines"))
                .is_some_and(|m| m.contains("已缴清")),
            "{paid:?}"
        );
        for bad in ["-5", "abc", "0", "1.001"] {
            let other = lines(&db, h)
                .await
                .into_iter()
                .find(|l| l.outstanding() > 0)
                .expect("owed");
            let r = ledger::take_payment(
                &db,
                &actor(),
                clerk,
                Lang::Zh,
                &pay(h, vec![other.id], bad, "k-3"),
                &payer(),
            )
            .await;
            assert!(
                r.as_ref()
                    .err()
                    .and_then(|e| e.field_message("received"))
                    .is_some(),
                "{bad}: {r:?}"
            );
        }
        assert_eq!(
            one(
                &db,
                &format!("select count(*) from payment where house_id = {h}")
            )
            .await,
            1,
            "{}",
            t.engine
        );
        let receipt = billing::receipt(&db.pool, taken.payment_id, Lang::Zh)
            .await
            .expect("receipt");
        assert_eq!(receipt.copy, 0, "never printed");
        assert_eq!(receipt.items.len(), 2);
        assert_eq!(
            receipt.capitals,
            app::billing::money::capitals(due + 12_345)
        );
        let by_clerk = clerk_actor(clerk);
        let print = billing::record_print(&db, &by_clerk, taken.payment_id);
        assert_eq!(print.await.expect("print"), 0, "the original");
        let again = billing::record_print(&db, &by_clerk, taken.payment_id);
        assert_eq!(again.await.expect("again"), 1, "a reprint");
        assert_eq!(
            billing::receipt(&db.pool, taken.payment_id, Lang::Zh)
                .await
                .expect("reprinted")
                .copy,
            2,
            "two prints recorded"
        );
    }
}

#[tokio::test]
async fn concurrent_payments_for_the_same_lines_one_wins() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let h = house(&db, "1-1-501").await;
        let owed: Vec<i64> = lines(&db, h)
            .await
            .iter()
            .filter(|l| l.outstanding() > 0)
            .map(|l| l.id)
            .collect();
        let mut tasks = Vec::new();
        for i in 0..4 {
            let db = db.clone();
            let owed = owed.clone();
            tasks.push(tokio::spawn(async move {
                ledger::take_payment(
                    &db,
                    &actor(),
                    clerk,
                    Lang::Zh,
                    &pay(h, owed, "99999", &format!("race-{i}")),
                    &payer(),
                )
                .await
            }));
        }
        let mut won = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => won += 1,
                Err(AppError::Conflict(_)) | Err(AppError::Invalid(_)) => {}
                Err(e) => panic!("{}: unexpected {e:?}", t.engine),
            }
        }
        assert_eq!(won, 1, "{}", t.engine);
        assert_eq!(
            one(
                &db,
                &format!("select count(*) from payment where house_id = {h}")
            )
            .await,
            1
        );
        let standing = one(&db, &format!("select count(*) from settlement s join bill_line l on l.id = s.line_id where l.house_id = {h}")).await;
        assert_eq!(standing, owed.len() as i64, "{}", t.engine);
    }
}

#[tokio::test]
async fn receipt_numbers_have_no_gaps_under_concurrency() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let demo_receipts = one(&db, "select count(*) from payment").await;
        let mut tasks = Vec::new();
        for (i, number) in [
            "1-1-201", "1-1-202", "1-1-301", "1-1-302", "1-1-401", "1-1-402",
        ]
        .into_iter()
        .enumerate()
        {
            let h = house(&db, number).await;
            let owed: Vec<i64> = lines(&db, h)
                .await
                .iter()
                .filter(|l| l.outstanding() > 0)
                .map(|l| l.id)
                .collect();
            let db = db.clone();
            // Every third one is short of money and fails inside its transaction.
            let received = if i % 3 == 2 { "0.01" } else { "99999" };
            tasks.push(tokio::spawn(async move {
                ledger::take_payment(
                    &db,
                    &actor(),
                    clerk,
                    Lang::Zh,
                    &pay(h, owed, received, &format!("gap-{i}")),
                    &payer(),
                )
                .await
            }));
        }
        for task in tasks {
            let _ = task.await.expect("task");
        }
        let numbers: Vec<(String,)> =
            sqlx::query_as("select receipt_no from payment order by receipt_no")
                .fetch_all(&db.pool)
                .await
                .expect("receipts");
        let seqs: Vec<i64> = numbers
            .iter()
            .map(|(n,)| {
                n.rsplit('-')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("seq")
            })
            .collect();
        // The demo's own payments come first; four more succeeded, numbered on without a gap.
        assert_eq!(
            seqs,
            (1..=demo_receipts + 4).collect::<Vec<_>>(),
            "{}: {numbers:?}",
            t.engine
        );
    }
}

#[tokio::test]
async fn reversal_reopens_the_lines_and_takes_back_the_surplus() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let manager = account(&db, "manager").await;
        let h = house(&db, "1-1-102").await;
        let owed: Vec<i64> = lines(&db, h)
            .await
            .iter()
            .filter(|l| l.outstanding() > 0)
            .map(|l| l.id)
            .take(1)
            .collect();
        let taken = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, owed.clone(), "5000", "rev-1"),
            &payer(),
        )
        .await
        .expect("pay");
        let e = ledger::reverse_payment(
            &db,
            &actor(),
            manager,
            Lang::Zh,
            taken.payment_id,
            "  ",
            |_| Ok(()),
        )
        .await
        .expect_err("no reason");
        assert!(e.field_message("reason").is_some());
        ledger::reverse_payment(
            &db,
            &actor(),
            manager,
            Lang::Zh,
            taken.payment_id,
            "收错户",
            |_| Ok(()),
        )
        .await
        .expect("reverse");
        assert_eq!(balance(&db, h).await, 0, "{}", t.engine);
        assert!(lines(&db, h)
            .await
            .iter()
            .any(|l| l.id == owed[0] && l.outstanding() > 0));
        let twice = ledger::reverse_payment(
            &db,
            &actor(),
            manager,
            Lang::Zh,
            taken.payment_id,
            "again",
            |_| Ok(()),
        )
        .await;
        assert!(matches!(twice, Err(AppError::Rule(_))), "{twice:?}");
        // The line can be paid again, and the money rows were never edited.
        ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, owed, "5000", "rev-2"),
            &payer(),
        )
        .await
        .expect("pay again");
        let edit = sqlx::query("update payment set received_fen = 1")
            .execute(&db.pool)
            .await;
        assert!(edit.is_err(), "{}: payments are append-only", t.engine);
        let delete = sqlx::query("delete from settlement")
            .execute(&db.pool)
            .await;
        assert!(delete.is_err(), "{}: settlements are append-only", t.engine);
    }
}

#[tokio::test]
async fn waivers_need_a_manager_and_readings_may_not_go_down() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let manager = account(&db, "manager").await;
        let h = house(&db, "1-1-102").await;
        let line = lines(&db, h)
            .await
            .into_iter()
            .find(|l| l.outstanding() > 0 && l.kind == FeeKind::Area)
            .expect("line");
        let id = ledger::request_waiver(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            line.id,
            "line",
            "10",
            "维修期间",
            |_| Ok(()),
        )
        .await
        .expect("request");
        assert_eq!(
            lines(&db, h)
                .await
                .iter()
                .find(|l| l.id == line.id)
                .map(|l| l.outstanding()),
            Some(line.outstanding()),
            "pending changes nothing"
        );
        let too_much = ledger::request_waiver(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            line.id,
            "line",
            "99999",
            "x",
            |_| Ok(()),
        )
        .await;
        assert!(
            too_much
                .as_ref()
                .err()
                .and_then(|e| e.field_message("amount"))
                .is_some(),
            "{too_much:?}"
        );
        ledger::decide_waiver(&db, &actor(), manager, Lang::Zh, id, true, |_| Ok(()))
            .await
            .expect("approve");
        assert_eq!(
            lines(&db, h)
                .await
                .iter()
                .find(|l| l.id == line.id)
                .map(|l| l.outstanding()),
            Some(line.outstanding() - 1000)
        );
        let again =
            ledger::decide_waiver(&db, &actor(), manager, Lang::Zh, id, false, |_| Ok(())).await;
        assert!(matches!(again, Err(AppError::Rule(_))));

        // Water readings: building 1 has two months; a lower reading is refused unless replaced.
        let (water,): (i64,) = sqlx::query_as("select id from fee_item where kind = 'metered'")
            .fetch_one(&db.pool)
            .await
            .expect("water");
        let entry = |reading: &str, old: &str, new: &str| billing::ReadingEntry {
            house_id: h,
            reading: reading.into(),
            old_final: old.into(),
            new_start: new.into(),
        };
        let e = billing::save_readings(
            &db,
            &actor(),
            Lang::Zh,
            water,
            &this_month(),
            &[entry("1", "", "")],
            None,
            |_| Ok(()),
        )
        .await
        .expect_err("below");
        assert!(
            e.field_message("readings")
                .is_some_and(|m| m.contains("低于上次读数")),
            "{e:?}"
        );
        assert_eq!(
            one(
                &db,
                &format!(
                    "select count(*) from meter_reading where period = '{}'",
                    this_month()
                )
            )
            .await,
            0
        );
        let (last,): (i64,) = sqlx::query_as("select reading_centi from meter_reading where house_id = $1 order by period desc limit 1")
            .bind(h)
            .fetch_one(&db.pool)
            .await
            .expect("last");
        let old_final = format!("{}", last / 100 + 3);
        billing::save_readings(
            &db,
            &actor(),
            Lang::Zh,
            water,
            &this_month(),
            &[entry("5", &old_final, "0")],
            None,
            |_| Ok(()),
        )
        .await
        .expect("replacement");
        run_month(&db, &this_month()).await;
        let water_line = lines(&db, h)
            .await
            .into_iter()
            .find(|l| l.kind == FeeKind::Metered && l.period == this_month())
            .expect("water line");
        assert!(
            water_line.basis.contains("old_final"),
            "{}",
            water_line.basis
        );
        // Overlapping rates are refused; a later open rate closes the earlier one.
        let e = billing::add_rate(
            &db,
            &actor(),
            Lang::Zh,
            water,
            "any",
            "4",
            &format!("{}-01", this_month()),
            &format!(
                "{}-01-31",
                time::desk_today()[..4].parse::<i32>().expect("y") + 5
            ),
            |_| Ok(()),
        )
        .await;
        assert!(
            e.is_ok()
                || e.as_ref()
                    .err()
                    .and_then(|e| e.field_message("effective_from"))
                    .is_some(),
            "{e:?}"
        );
    }
}

// ---- the ledger's invariants under random sequences ----------------------------

mod invariants {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Run(u32),
        Pay {
            house: usize,
            lines: usize,
            extra: i64,
        },
        Waive {
            house: usize,
            pct: i64,
        },
        Reverse(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1u32..=6).prop_map(Op::Run),
            (0usize..3, 1usize..4, 0i64..20_000).prop_map(|(house, lines, extra)| Op::Pay {
                house,
                lines,
                extra
            }),
            (0usize..3, 1i64..=100).prop_map(|(house, pct)| Op::Waive { house, pct }),
            (0usize..8).prop_map(Op::Reverse),
        ]
    }

    /// A small estate: three houses, one area item, one clerk, one manager.
    async fn fixture(db: &Database) -> (Vec<i64>, i64, i64) {
        let now = time::now();
        for sql in [
            "insert into estate (id, code, name, created_at) values (1, 'P', 'P', 'x')",
            "insert into building (id, estate_id, code, name) values (1, 1, '1', '1')",
            "insert into house (id, estate_id, building_id, number, entrance, floor, area_centi, use_kind, status, created_at) values (1, 1, 1, '1-1-101', 1, 1, 8937, 'residential', 'occupied', 'x')",
            "insert into house (id, estate_id, building_id, number, entrance, floor, area_centi, use_kind, status, created_at) values (2, 1, 1, '1-1-102', 1, 1, 10050, 'residential', 'vacant', 'x')",
            "insert into house (id, estate_id, building_id, number, entrance, floor, area_centi, use_kind, status, created_at) values (3, 1, 1, '1-1-201', 1, 2, 6421, 'commercial', 'occupied', 'x')",
            "insert into fee_item (id, estate_id, name, kind, due_days, created_at) values (1, 1, '物业费', 'area', 15, 'x')",
            "insert into fee_rate (fee_item_id, use_kind, rate, effective_from, created_at) values (1, 'any', '2.35', '2020-01-01', 'x')",
            "insert into account (id, role, username, display_name, password_hash, created_at, updated_at) values (1, 'clerk', 'c', 'c', 'x', 'x', 'x')",
            "insert into account (id, role, username, display_name, password_hash, created_at, updated_at) values (2, 'manager', 'm', 'm', 'x', 'x', 'x')",
        ] {
            sqlx::query(&sql.replace("'x'", &format!("'{now}'"))).execute(&db.pool).await.expect(sql);
        }
        (vec![1, 2, 3], 1, 2)
    }

    async fn check(db: &Database, houses: &[i64]) {
        // No line has two standing settlements.
        let doubled = one(
            db,
            "select count(*) from (select s.line_id from settlement s left join payment_reversal r on r.payment_id = s.payment_id \
             where r.id is null group by s.line_id having count(*) > 1) d",
        )
        .await;
        assert_eq!(doubled, 0, "a line is paid twice");
        for h in houses {
            // The prepaid balance is the sum of its ledger: surpluses of payments
            // that stand, less what it settled.
            let ledger_sum = one(db, &format!(
                "select cast(coalesce(sum(p.prepaid_fen), 0) as bigint) - \
                 (select cast(coalesce(sum(s.amount_fen), 0) as bigint) from settlement s join bill_line l on l.id = s.line_id \
                  where l.house_id = {h} and s.payment_id is null) \
                 from payment p where p.house_id = {h} and not exists (select 1 from payment_reversal r where r.payment_id = p.id)"
            ))
            .await;
            assert_eq!(balance(db, *h).await, ledger_sum, "house {h}");
            assert!(ledger_sum >= 0, "house {h} balance negative");
            for l in lines(db, *h).await {
                assert!(l.outstanding() >= 0 && l.outstanding() <= l.amount_fen);
            }
        }
        // A standing payment received exactly its settlements plus its surplus.
        let off = one(
            db,
            "select count(*) from payment p where p.received_fen <> p.prepaid_fen + \
             (select cast(coalesce(sum(s.amount_fen), 0) as bigint) from settlement s where s.payment_id = p.id)",
        )
        .await;
        assert_eq!(off, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn the_ledger_balances(ops in proptest::collection::vec(op(), 1..14)) {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async {
                let t = TestDb::sqlite().await;
                let db = t.open().await;
                let (houses, clerk, manager) = fixture(&db).await;
                let mut payments: Vec<i64> = Vec::new();
                for (n, op) in ops.into_iter().enumerate() {
                    match op {
                        Op::Run(month) => {
                            let id = run::start(&db, &actor(), None, Lang::Zh, 1, &format!("2026-{month:02}")).await.expect("start");
                            run::execute(&db, id).await.expect("run");
                        }
                        Op::Pay { house, lines: k, extra } => {
                            let h = houses[house];
                            let owed: Vec<ledger::LineState> = lines(&db, h).await.into_iter().filter(|l| l.outstanding() > 0).take(k).collect();
                            let due: i64 = owed.iter().map(|l| l.outstanding()).sum();
                            if due + extra == 0 {
                                continue;
                            }
                            let ids = owed.iter().map(|l| l.id).collect();
                            let received = app::billing::fen_plain(due + extra);
                            if ids == Vec::<i64>::new() {
                                continue;
                            }
                            let taken = ledger::take_payment(&db, &actor(), clerk, Lang::Zh, &pay(h, ids, &received, &format!("p{n}")), &payer()).await.expect("pay");
                            payments.push(taken.payment_id);
                        }
                        Op::Waive { house, pct } => {
                            let h = houses[house];
                            if let Some(l) = lines(&db, h).await.into_iter().find(|l| l.outstanding() > 0) {
                                let amount = (l.outstanding() * pct / 100).max(1);
                                let amount = app::billing::fen_plain(amount);
                                // The clerk asks, the manager approves: a second person.
                                let id = ledger::request_waiver(&db, &actor(), clerk, Lang::Zh, l.id, "line", &amount, "test", |_| Ok(())).await.expect("waive");
                                ledger::decide_waiver(&db, &actor(), manager, Lang::Zh, id, true, |_| Ok(())).await.expect("approve");
                            }
                        }
                        Op::Reverse(i) => {
                            if let Some(p) = payments.get(i) {
                                // Refused when already reversed or its surplus was used: both fine.
                                let _ = ledger::reverse_payment(&db, &actor(), manager, Lang::Zh, *p, "test", |_| Ok(())).await;
                            }
                        }
                    }
                    check(&db, &houses).await;
                }
            });
        }
    }
}

// ---- a kill during a bill run -------------------------------------------------------

#[tokio::test]
async fn a_bill_run_killed_half_way_is_completed_by_the_rerun() {
    let t = TestDb::sqlite().await;
    let db = t.open().await;
    let houses: i64 = 60_000;
    let now = time::now();
    let mut tx = db.write(actor()).await.expect("tx");
    sqlx::query("insert into estate (id, code, name, created_at) values (1, 'K', 'K', $1)")
        .bind(&now)
        .execute(&mut *tx)
        .await
        .expect("estate");
    sqlx::query("insert into building (id, estate_id, code, name) values (1, 1, '1', '1')")
        .execute(&mut *tx)
        .await
        .expect("building");
    for chunk in (1..=houses).collect::<Vec<_>>().chunks(1000) {
        let values: Vec<String> = chunk
            .iter()
            .map(|h| {
                format!(
                    "({h}, 1, 1, 'H{h}', 1, 1, {}, 'residential', 'occupied', '{now}')",
                    5000 + h % 9000
                )
            })
            .collect();
        sqlx::query(&format!(
            "insert into house (id, estate_id, building_id, number, entrance, floor, area_centi, use_kind, status, created_at) values {}",
            values.join(",")
        ))
        .execute(&mut *tx)
        .await
        .expect("houses");
    }
    for (id, kind, rate) in [
        (1, "area", "2.35"),
        (2, "fixed", "30"),
        (3, "fixed", "12.5"),
    ] {
        sqlx::query("insert into fee_item (id, estate_id, name, kind, due_days, created_at) values ($1, 1, $2, $3, 15, $4)")
            .bind(id)
            .bind(format!("item{id}"))
            .bind(kind)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .expect("item");
        sqlx::query("insert into fee_rate (fee_item_id, use_kind, rate, effective_from, created_at) values ($1, 'any', $2, '2020-01-01', $3)")
            .bind(id)
            .bind(rate)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .expect("rate");
    }
    tx.commit().await.expect("commit");
    let period = this_month();
    let spawn = |take_over: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.args(["bill-run", "--estate", "K", "--period", &period])
            .env("DATABASE_URL", &t.url)
            .env(
                "MIGRATIONS_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"),
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if take_over {
            cmd.arg("--take-over");
        }
        cmd.spawn().expect("spawn server bill-run")
    };
    let mut child = spawn(false);
    // Kill it (SIGKILL) once some chunks have committed and before the end.
    let mut partial = 0;
    for _ in 0..600 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        partial = one(&db, "select count(*) from bill_line").await;
        if partial > 0 {
            break;
        }
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let partial_after = one(&db, "select count(*) from bill_line").await;
    assert!(partial > 0, "the run committed nothing before the kill");
    assert!(
        partial_after < houses * 3,
        "the run finished before the kill ({partial_after} lines); the test needs a bigger estate"
    );
    assert_eq!(partial_after % 3, 0, "a chunk is all or nothing");
    assert_eq!(
        one(
            &db,
            "select count(*) from bill_run where status = 'running'"
        )
        .await,
        1
    );

    let status = spawn(true).wait().expect("rerun");
    assert!(status.success());
    assert_eq!(one(&db, "select count(*) from bill_line").await, houses * 3);
    assert_eq!(
        one(&db, "select count(*) from (select house_id, fee_item_id from bill_line group by house_id, fee_item_id having count(*) > 1) d").await,
        0
    );
    assert_eq!(
        one(&db, "select count(*) from bill_run where status = 'done'").await,
        1
    );
    assert_eq!(
        one(&db, "select count(*) from bill_run where status = 'failed'").await,
        1
    );
}

#[tokio::test]
async fn a_readings_file_is_imported_all_or_nothing_with_a_row_report() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let (water,): (i64,) = sqlx::query_as("select id from fee_item where kind = 'metered'")
            .fetch_one(&db.pool)
            .await
            .expect("water");
        let csv = |body: &str| {
            app::sheet::read::read_with("readings.csv", body.as_bytes(), &billing::READING_COLUMNS)
        };
        // Row 3: a house that does not exist; row 4: below its last reading.
        let bad = csv("房号,本次读数\n1-1-101,9999\n9-9-999,10\n1-1-102,1\n");
        let id = billing::import_readings(
            &db,
            &actor(),
            Lang::Zh,
            water,
            &this_month(),
            "readings.csv",
            bad,
            None,
            |_| Ok(()),
        )
        .await
        .expect("attempt recorded");
        let (_, report) = billing::reading_import(&db.pool, id)
            .await
            .expect("report")
            .expect("exists");
        assert!(!report.imported, "{}", t.engine);
        let rows: Vec<usize> = report.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![3, 4], "{}: {:?}", t.engine, report.problems);
        assert!(report.problems[0].reason.contains("9-9-999"));
        assert_eq!(
            one(
                &db,
                &format!(
                    "select count(*) from meter_reading where period = '{}'",
                    this_month()
                )
            )
            .await,
            0,
            "{}: nothing written",
            t.engine
        );

        let good = csv("房号,本次读数\n1-1-101,9999\n1-1-102,9999.5\n");
        let id = billing::import_readings(
            &db,
            &actor(),
            Lang::Zh,
            water,
            &this_month(),
            "readings.csv",
            good,
            None,
            |_| Ok(()),
        )
        .await
        .expect("import");
        let (_, report) = billing::reading_import(&db.pool, id)
            .await
            .expect("report")
            .expect("exists");
        assert!(
            report.imported && report.readings == 2,
            "{}: {report:?}",
            t.engine
        );
        assert_eq!(
            one(
                &db,
                &format!(
                    "select count(*) from meter_reading where period = '{}'",
                    this_month()
                )
            )
            .await,
            2
        );
        let no_header = csv("a,b\n1,2\n");
        let id = billing::import_readings(
            &db,
            &actor(),
            Lang::Zh,
            water,
            &this_month(),
            "x.csv",
            no_header,
            None,
            |_| Ok(()),
        )
        .await
        .expect("attempt");
        let (_, report) = billing::reading_import(&db.pool, id)
            .await
            .expect("report")
            .expect("exists");
        assert!(
            !report.imported && report.problems[0].reason.contains("表头"),
            "{report:?}"
        );
    }
}

#[tokio::test]
async fn late_fees_are_charged_separately_waivable_and_a_closed_day_takes_no_payment() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let manager = account(&db, "manager").await;
        let (ch,): (i64,) = sqlx::query_as("select id from estate where code = 'CH'")
            .fetch_one(&db.pool)
            .await
            .expect("ch");
        // 0.05% a day after 10 days' grace, from long before the demo's bills.
        let e = billing::set_late_policy(&db, &actor(), Lang::Zh, ch, "0.5", "10", "2020-01-01")
            .await
            .expect_err("too high");
        assert!(e.field_message("daily_rate").is_some());
        billing::set_late_policy(&db, &actor(), Lang::Zh, ch, "0.0005", "10", "2020-01-01")
            .await
            .expect("policy");
        let h = house(&db, "1-1-102").await;
        let policies = ledger::late_policies(&db.pool, ch).await.expect("policies");
        let today =
            chrono::NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").expect("today");
        let all = lines(&db, h).await;
        let overdue = all
            .iter()
            .find(|l| l.outstanding() > 0 && ledger::line_late_fee(l, &policies, today).fen > 0)
            .expect("an overdue line");
        let fee = ledger::line_late_fee(overdue, &policies, today);
        assert!(
            fee.fen > 0 && fee.fen <= overdue.outstanding(),
            "{}",
            t.engine
        );
        // Waive part of the late fee: the clerk asks, the manager approves.
        let waiver = ledger::request_waiver(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            overdue.id,
            "late_fee",
            "0.01",
            "老人行动不便",
            |_| Ok(()),
        )
        .await
        .expect("waive late fee");
        ledger::decide_waiver(&db, &actor(), manager, Lang::Zh, waiver, true, |_| Ok(()))
            .await
            .expect("approve");
        let after = lines(&db, h).await;
        let line = after.iter().find(|l| l.id == overdue.id).expect("line");
        assert_eq!(
            ledger::line_late_fee(line, &policies, today).fen,
            fee.fen - 1,
            "{}",
            t.engine
        );
        // Paying the line pays its late fee too, as a line of its own.
        let before = {
            let mut conn = db.pool.acquire().await.expect("conn");
            ledger::day_totals(&mut conn, clerk, &time::desk_today(), None)
                .await
                .expect("totals")
        };
        let due = line.outstanding() + fee.fen - 1;
        let taken = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, vec![line.id], &app::billing::fen_plain(due), "late-1"),
            &payer(),
        )
        .await
        .expect("pay");
        assert_eq!(taken.prepaid_fen, 0, "{}", t.engine);
        let late_lines = one(
            &db,
            &format!(
                "select count(*) from bill_line where late_fee_of = {}",
                line.id
            ),
        )
        .await;
        assert_eq!(late_lines, 1, "{}", t.engine);
        let receipt = billing::receipt(&db.pool, taken.payment_id, Lang::Zh)
            .await
            .expect("receipt");
        assert_eq!(
            receipt.items.len(),
            2,
            "{}: the line and its late fee",
            t.engine
        );

        // The day closed: no more payments today, and the totals are frozen.
        let totals = ledger::close_day(&db, &actor(), clerk, Lang::Zh, &time::desk_today())
            .await
            .expect("close");
        assert_eq!(
            totals.received_fen,
            before.received_fen + due,
            "{}",
            t.engine
        );
        assert_eq!(
            totals.payments_count,
            before.payments_count + 1,
            "{}",
            t.engine
        );
        let again = ledger::close_day(&db, &actor(), clerk, Lang::Zh, &time::desk_today()).await;
        assert!(matches!(again, Err(AppError::Rule(_))));
        let other = lines(&db, h)
            .await
            .into_iter()
            .find(|l| l.outstanding() > 0)
            .expect("owed");
        let refused = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, vec![other.id], "99999", "late-2"),
            &payer(),
        )
        .await;
        assert!(
            matches!(&refused, Err(AppError::Rule(m)) if m.contains("日结")),
            "{refused:?}"
        );
        let reversal = ledger::reverse_payment(
            &db,
            &actor(),
            manager,
            Lang::Zh,
            taken.payment_id,
            "收错",
            |_| Ok(()),
        )
        .await;
        assert!(
            matches!(&reversal, Err(AppError::Rule(_))),
            "{}: a closed day's takings cannot change: {reversal:?}",
            t.engine
        );
    }
}

#[tokio::test]
async fn a_reversed_late_fee_is_owed_once_and_paid_like_any_line() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let manager = account(&db, "manager").await;
        let (ch,): (i64,) = sqlx::query_as("select id from estate where code = 'CH'")
            .fetch_one(&db.pool)
            .await
            .expect("ch");
        billing::set_late_policy(&db, &actor(), Lang::Zh, ch, "0.001", "0", "2020-01-01")
            .await
            .expect("policy");
        let policies = ledger::late_policies(&db.pool, ch).await.expect("policies");
        let today =
            chrono::NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").expect("today");
        let h = house(&db, "1-1-201").await;
        let line = lines(&db, h)
            .await
            .into_iter()
            .find(|l| ledger::line_late_fee(l, &policies, today).fen > 0)
            .expect("an overdue line");
        let fee = ledger::line_late_fee(&line, &policies, today).fen;
        let due = app::billing::fen_plain(line.outstanding() + fee);
        let taken = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, vec![line.id], &due, "lf-1"),
            &payer(),
        )
        .await
        .expect("pay with late fee");
        ledger::reverse_payment(
            &db,
            &actor(),
            manager,
            Lang::Zh,
            taken.payment_id,
            "收错户",
            |_| Ok(()),
        )
        .await
        .expect("reverse");
        // Both owe again; the late fee is its line, not charged a second time.
        let after = lines(&db, h).await;
        let principal = after.iter().find(|l| l.id == line.id).expect("principal");
        let late = after
            .iter()
            .find(|l| l.late_fee_of == Some(line.id))
            .expect("late-fee line");
        assert_eq!(
            ledger::line_late_fee(principal, &policies, today).fen,
            0,
            "{}",
            t.engine
        );
        assert_eq!(late.outstanding(), fee, "{}", t.engine);
        let again = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, vec![line.id, late.id], &due, "lf-2"),
            &payer(),
        )
        .await
        .expect("pay both again");
        let receipt = billing::receipt(&db.pool, again.payment_id, Lang::Zh)
            .await
            .expect("receipt");
        assert_eq!(
            receipt.items.iter().map(|i| i.amount_fen).sum::<i64>(),
            line.outstanding() + fee
        );
        assert_eq!(
            one(
                &db,
                &format!(
                    "select count(*) from bill_line where late_fee_of = {}",
                    line.id
                )
            )
            .await,
            1,
            "{}",
            t.engine
        );
    }
}

/// Ends every open occupancy of `house_id` today and moves `name` in as its
/// tenant today; returns the newcomer's resident id.
async fn hand_over(db: &Database, house_id: i64, name: &str, mobile: &str) -> i64 {
    let today = time::desk_today();
    let open: Vec<(i64,)> =
        sqlx::query_as("select id from occupancy where house_id = $1 and end_date is null")
            .bind(house_id)
            .fetch_all(&db.pool)
            .await
            .expect("occupancies");
    let (estate_id,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_one(&db.pool)
        .await
        .expect("estate");
    let mut tx = db.write(Actor::system("test")).await.expect("tx");
    for (id,) in open {
        app::estate::db::end_occupancy(&mut tx, id, &today)
            .await
            .expect("end");
    }
    let (resident_id, _) = app::estate::db::add_occupant(
        &mut tx,
        app::common::EstateId(estate_id),
        app::common::HouseId(house_id),
        &app::estate::db::NewOccupant {
            name,
            mobile,
            id_number: None,
            role: app::estate::OccupancyRole::Tenant,
            start_date: &today,
        },
    )
    .await
    .expect("move in");
    tx.commit().await.expect("commit");
    resident_id
}

#[tokio::test]
async fn a_new_tenant_sees_the_houses_arrears_but_not_the_last_owners_money_history() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let e = t.engine;
        let clerk = account(&db, "clerk").await;
        let manager = account(&db, "manager").await;
        let h = house(&db, "1-1-102").await;
        let (old_owner,): (i64,) = sqlx::query_as(
            "select resident_id from occupancy where house_id = $1 and role = 'owner' and end_date is null",
        )
        .bind(h)
        .fetch_one(&db.pool)
        .await
        .expect("owner");
        let owed: Vec<ledger::LineState> = lines(&db, h)
            .await
            .into_iter()
            .filter(|l| l.outstanding() > 0)
            .collect();
        assert!(owed.len() >= 4, "{e}");
        // The owner pays one line, pays another that is reversed, and has a third waived.
        let kept = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, vec![owed[0].id], "5000", "old-1"),
            &payer(),
        )
        .await
        .expect("pay");
        let reversed = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, vec![owed[1].id], "5000", "old-2"),
            &payer(),
        )
        .await
        .expect("pay");
        ledger::reverse_payment(
            &db,
            &actor(),
            manager,
            Lang::Zh,
            reversed.payment_id,
            "收错户了要退回",
            |_| Ok(()),
        )
        .await
        .expect("reverse");
        let waiver = ledger::request_waiver(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            owed[2].id,
            "line",
            &app::billing::fen_plain(owed[2].outstanding()),
            "业主装修期间免收",
            |_| Ok(()),
        )
        .await
        .expect("request");
        ledger::decide_waiver(&db, &actor(), manager, Lang::Zh, waiver, true, |_| Ok(()))
            .await
            .expect("approve");

        // The house is let today: the owner moves out, a tenant moves in.
        let tenant = hand_over(&db, h, "赵新租", "13912345678").await;
        let still_owed: Vec<i64> = lines(&db, h)
            .await
            .iter()
            .filter(|l| l.outstanding() > 0)
            .map(|l| l.id)
            .collect();
        assert!(
            still_owed.contains(&owed[1].id),
            "{e}: the reversed line is owed again"
        );
        let bills =
            app::billing::portal::portal_bills(&db.pool, &residences(&db, tenant).await, Lang::Zh)
                .await
                .expect("bills");
        let json = serde_json::to_string(&bills).expect("json");
        assert_eq!(bills.houses.len(), 1, "{e}");
        let account = &bills.houses[0];
        // What the house owes is shown as owed by the house...
        assert_eq!(
            account.unpaid.iter().map(|l| l.id).collect::<Vec<_>>(),
            still_owed,
            "{e}"
        );
        // ...but nothing the owner paid, or was let off, or who handled it, or why.
        assert!(account.payments.is_empty(), "{e}: {json}");
        assert!(account.settled.is_empty(), "{e}: {json}");
        for secret in [
            "收错户了要退回",
            "业主装修期间免收",
            "王小前",
            "李主管",
            kept.receipt_no.as_str(),
            reversed.receipt_no.as_str(),
        ] {
            assert!(!json.contains(secret), "{e}: {secret} in {json}");
        }
        for old in [kept.payment_id, reversed.payment_id] {
            let r = app::billing::portal::portal_receipt(
                &db.pool,
                &residences(&db, tenant).await,
                old,
                Lang::Zh,
            )
            .await;
            assert!(matches!(r, Err(AppError::NotFound)), "{e}: {r:?}");
        }
        // The owner who moved out no longer sees the house at all.
        assert!(app::billing::portal::portal_bills(
            &db.pool,
            &residences(&db, old_owner).await,
            Lang::Zh
        )
        .await
        .expect("bills")
        .houses
        .is_empty());

        // The tenant pays the reopened line: their own payment and receipt are theirs.
        let mine = ledger::take_payment(
            &db,
            &actor(),
            clerk,
            Lang::Zh,
            &pay(h, vec![owed[1].id], "5000", "new-1"),
            &payer(),
        )
        .await
        .expect("tenant pays");
        let bills =
            app::billing::portal::portal_bills(&db.pool, &residences(&db, tenant).await, Lang::Zh)
                .await
                .expect("bills");
        let account = &bills.houses[0];
        assert_eq!(
            account.payments.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![mine.payment_id],
            "{e}"
        );
        assert!(account.settled.iter().any(|l| l.id == owed[1].id), "{e}");
        assert!(
            account
                .settled
                .iter()
                .all(|l| l.receipt_no.as_deref() == Some(mine.receipt_no.as_str())),
            "{e}: only what the tenant paid"
        );
        let receipt = app::billing::portal::portal_receipt(
            &db.pool,
            &residences(&db, tenant).await,
            mine.payment_id,
            Lang::Zh,
        )
        .await
        .expect("own receipt");
        let json = serde_json::to_string(&receipt).expect("json");
        assert!(json.contains(&mine.receipt_no), "{e}: {json}");
        assert!(!json.contains("王小前"), "{e}: no clerk's name in {json}");
    }
}

// ---- prints of one receipt, and a shared clerk's close of day (review M5, L5) ----

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_prints_of_one_receipt_at_once_are_copies_0_to_7_once_each() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let payment = one(
            &db,
            "select min(id) from payment where id not in (select payment_id from receipt_print)",
        )
        .await;
        let clerk = account(&db, "clerk").await;
        let prints: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    billing::record_print(&db, &clerk_actor(clerk), payment).await
                })
            })
            .collect();
        let mut copies = Vec::new();
        for p in prints {
            copies.push(p.await.expect("task").expect("print"));
        }
        copies.sort();
        assert_eq!(
            copies,
            (0..8).collect::<Vec<i64>>(),
            "{}: one original, seven reprints",
            t.engine
        );
    }
}

#[tokio::test]
async fn a_shared_clerks_close_of_day_is_audited_per_estate_with_that_estates_takings() {
    use app::audit::AuditFilter;
    use app::common::EstateScope;
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let clerk = account(&db, "clerk").await;
        let today = time::desk_today();
        let ch = one(&db, "select id from estate where code = 'CH'").await;
        let jx = one(&db, "select id from estate where code = 'JX'").await;
        // The clerk works for the second estate too, which bills one line.
        sqlx::query("insert into account_estate (account_id, estate_id) values ($1, $2)")
            .bind(clerk)
            .bind(jx)
            .execute(&db.pool)
            .await
            .expect("membership");
        let item =
            billing::create_fee_item(&db, &actor(), Lang::Zh, jx, "装修押金", "one_off", "15", "")
                .await
                .expect("item");
        let jx_house = one(
            &db,
            &format!("select min(id) from house where estate_id = {jx}"),
        )
        .await;
        sqlx::query(
            "insert into bill_line (estate_id, house_id, fee_item_id, period, line_key, amount_fen, due_date, basis, created_at) \
             values ($1, $2, $3, $4, '', 10000, $5, '{}', $6)",
        )
        .bind(jx)
        .bind(jx_house)
        .bind(item)
        .bind(this_month())
        .bind(&today)
        .bind(time::now())
        .execute(&db.pool)
        .await
        .expect("line");
        // A payment in each estate.
        let ch_house = house(&db, "1-1-102").await;
        for (h, received, key) in [(ch_house, "5000", "l5-ch"), (jx_house, "300", "l5-jx")] {
            let owed = lines(&db, h)
                .await
                .into_iter()
                .find(|l| l.outstanding() > 0)
                .expect("owed");
            ledger::take_payment(
                &db,
                &actor(),
                clerk,
                Lang::Zh,
                &pay(h, vec![owed.id], received, key),
                &payer(),
            )
            .await
            .expect("pay");
        }
        let taken = |estate: i64| {
            let sql = format!(
                "select cast(coalesce(sum(received_fen), 0) as bigint) from payment \
                 where clerk_id = {clerk} and business_day = '{today}' and estate_id = {estate}"
            );
            let db = db.clone();
            async move { one(&db, &sql).await }
        };
        let (ch_fen, jx_fen) = (taken(ch).await, taken(jx).await);
        assert_eq!(jx_fen, 30_000, "{}", t.engine);
        let clerk_actor = Actor {
            account_id: Some(clerk),
            name: "王小前".into(),
            ip: None,
        };
        let totals = ledger::close_day(&db, &clerk_actor, clerk, Lang::Zh, &today)
            .await
            .expect("close");
        assert_eq!(
            totals.received_fen,
            ch_fen + jx_fen,
            "{}: the clerk's whole day",
            t.engine
        );

        // One entry per estate, each with that estate's takings.
        let entries = |scope: EstateScope| {
            let pool = db.pool.clone();
            async move {
                let filter = AuditFilter {
                    action: "close_day".into(),
                    ..AuditFilter::default()
                };
                app::audit::db::page(&pool, &scope, &filter)
                    .await
                    .expect("page")
                    .entries
                    .into_iter()
                    .map(|e| {
                        let after: serde_json::Value =
                            serde_json::from_str(e.after.as_deref().unwrap_or("null"))
                                .expect("json");
                        (e.estate_id, after["received_fen"].as_i64())
                    })
                    .collect::<Vec<_>>()
            }
        };
        let mut all = entries(EstateScope::All).await;
        all.sort();
        let mut expected = vec![(Some(ch), Some(ch_fen)), (Some(jx), Some(jx_fen))];
        expected.sort();
        assert_eq!(all, expected, "{}: an admin sees both", t.engine);
        // The manager of the first estate sees its figures, none of the second's.
        assert_eq!(
            entries(EstateScope::Only(vec![ch])).await,
            vec![(Some(ch), Some(ch_fen))],
            "{}: a manager of estate 1",
            t.engine
        );
        assert_eq!(
            entries(EstateScope::Only(vec![jx])).await,
            vec![(Some(jx), Some(jx_fen))],
            "{}: a manager of estate 2",
            t.engine
        );
    }
}
