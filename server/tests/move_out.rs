//! Move-out on SQLite and PostgreSQL: a tenant with arrears leaves — the
//! part month billed to the day, the final water reading, the overdue lines
//! with their late fee, one payment and one receipt — completion refused
//! while anything is owed, a manager's override recorded, the goods-release
//! pass used once; and a sale on the 17th splitting a month between seller
//! and buyer by days, before and after the month's bill run.

mod common;

use app::billing::basis::Basis;
use app::billing::ledger::{self, house_lines, Payer};
use app::billing::{leaving, run};
use app::common::Lang;
use app::db::time;
use app::error::AppError;
use app::moves::out::db::{self as outs, case, settle};
use app::moves::pass::{self, Verdict};
use chrono::NaiveDate;
use common::keys::*;
use common::TestDb;

/// The move-out of the rented house's tenant, opened and with who leaves saved.
async fn tenant_leaving(c: &Counter, r: &Rented) -> i64 {
    let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
    let id = case::open(db, &clerk.actor, &clerk.caller, zh, r.id).await.expect("open");
    let tenancy = one(
        db,
        &format!(
            "select id from occupancy where house_id = {} and resident_id = {} and end_date is null",
            r.id, r.tenant
        ),
    )
    .await;
    // The owner cannot leave as a tenant.
    let owner_occ = one(
        db,
        &format!(
            "select id from occupancy where house_id = {} and resident_id = {} and end_date is null",
            r.id, r.owner
        ),
    )
    .await;
    assert!(matches!(
        case::save_leaving(db, &clerk.actor, &clerk.caller, zh, id, "tenant_leaves", &[tenancy, owner_occ], "").await,
        Err(AppError::Invalid(_))
    ));
    case::save_leaving(db, &clerk.actor, &clerk.caller, zh, id, "tenant_leaves", &[tenancy], "")
        .await
        .expect("leaving");
    id
}

/// The final readings: each meter's last reading plus `more` (centi), as typed.
async fn read_finals(c: &Counter, id: i64, more: i64) {
    let page = outs::page(&c.db.pool, &c.clerk.caller, Lang::Zh, id).await.expect("page");
    let typed: Vec<(i64, String)> = page
        .meters
        .iter()
        .map(|m| {
            let last = app::billing::rules::parse_reading(&m.last).expect("last");
            (m.fee_item_id, app::billing::rules::centi_text(last + more))
        })
        .collect();
    case::save_readings(&c.db, &c.clerk.actor, &c.clerk.caller, Lang::Zh, id, &typed)
        .await
        .expect("readings");
}

#[tokio::test]
async fn a_tenant_with_arrears_settles_in_one_payment_and_leaves() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        // Late fees from the day after the due date: 0.05% a day.
        app::billing::db::fees::set_late_policy(db, &c.manager.actor, zh, c.ch, "0.0005", "0", "2025-01-01")
            .await
            .expect("late policy");
        let r = c.rented().await;
        let id = tenant_leaving(&c, &r).await;
        let page = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page");
        // The demo billed October and November: both unpaid, October overdue.
        assert!(page.settlement.lines.iter().any(|l| l.late_fee_fen > 0), "{e}: an overdue line runs up a late fee");
        // Billing before the readings: refused.
        if !page.meters.is_empty() {
            assert!(matches!(settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await, Err(AppError::Rule(_))), "{e}");
            // A reading below the last: refused next to its field.
            let m = &page.meters[0];
            match case::save_readings(db, &clerk.actor, &clerk.caller, zh, id, &[(m.fee_item_id, "0".into())]).await {
                Err(AppError::Invalid(f)) => assert_eq!(f[0].field, format!("reading_{}", m.fee_item_id), "{e}"),
                other => panic!("{e}: {other:?}"),
            }
        }
        read_finals(&c, id, 1_250).await;
        // The preview: the part month (to today) and the water, not yet raised.
        let preview = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page");
        let planned: Vec<_> = preview.settlement.lines.iter().filter(|l| l.line_id.is_none()).collect();
        assert!(!planned.is_empty(), "{e}");
        settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await.expect("bill");
        // Twice: refused, nothing raised again.
        assert!(settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await.is_err(), "{e}");
        let billed = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page");
        let s = &billed.settlement;
        assert!(s.billed && s.lines.iter().all(|l| l.line_id.is_some()), "{e}");
        let planned_total: i64 = planned.iter().map(|l| l.owed_fen).sum();
        let raised_total: i64 = s.lines.iter().filter(|l| l.period == time::desk_today()[..7]).map(|l| l.owed_fen).sum();
        assert_eq!(planned_total, raised_total, "{e}: the preview is what was raised");
        // The part month is billed by the day to today.
        let today: u32 = time::desk_today()[8..].parse().expect("day");
        let mut conn = db.pool.acquire().await.expect("conn");
        let lines = house_lines(&mut conn, r.id).await.expect("lines");
        let part = lines.iter().find(|l| l.line_key == format!("moveout:{id}")).expect("a part-month line");
        assert_eq!(Basis::parse(&part.basis).and_then(|b| b.days()), Some(today), "{e}");
        drop(conn);
        // Completion is refused while anything is owed, naming the amount.
        match case::complete(db, &clerk.actor, &clerk.caller, zh, id).await {
            Err(AppError::Rule(m)) => assert!(m.contains("结算") && m.contains(&app::billing::fen_text(s.due_fen)), "{e}: {m}"),
            other => panic!("{e}: {other:?}"),
        }
        // A clerk may not let them leave owing.
        assert!(matches!(
            settle::override_owed(db, &clerk.actor, &clerk.caller, zh, id, "租户承诺下周补缴").await,
            Err(AppError::Rule(_))
        ), "{e}");
        // A pass while owing: only a manager.
        assert!(pass::db::issue(db, &clerk.actor, &clerk.caller, zh, id, "张师傅", "沙发一套、纸箱十个", "").await.is_err(), "{e}");
        // Short: refused, nothing taken.
        let short = settle::pay(db, &clerk.actor, &clerk.caller, zh, id, "cash", "1.00", &Payer::resident(r.tenant), "moveout-test-short").await;
        assert!(matches!(short, Err(AppError::Invalid(_))), "{e}: {short:?}");
        let receipt = settle::pay(
            db, &clerk.actor, &clerk.caller, zh, id, "wechat",
            &app::billing::fen_plain(s.due_fen), &Payer::resident(r.tenant), "moveout-test-1",
        )
        .await
        .expect("pay");
        // One payment, one receipt, every line settled, the late fee raised and paid with it.
        let payments = one(db, &format!("select count(*) from payment where house_id = {} and receipt_no = '{receipt}'", r.id)).await;
        assert_eq!(payments, 1, "{e}");
        let received = one(db, &format!("select received_fen from payment where receipt_no = '{receipt}'")).await;
        assert_eq!(received, s.due_fen, "{e}");
        let payer = text_of(db, &format!("select payer_name from payment where receipt_no = '{receipt}'")).await;
        assert!(!payer.is_empty(), "{e}");
        let after = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page");
        assert_eq!(after.settlement.due_fen, 0, "{e}");
        assert_eq!(after.settlement.receipt_no, receipt, "{e}");
        // The pass now: issued, used once at the gate, refused the second time.
        let pass_id = pass::db::issue(db, &clerk.actor, &clerk.caller, zh, id, "张师傅", "沙发一套、纸箱十个", "粤b12345")
            .await
            .expect("pass");
        let token = text_of(db, &format!("select token from release_pass where id = {pass_id}")).await;
        let checked = pass::db::check(&db.pool, &clerk.caller, &token).await.expect("check").expect("found");
        assert_eq!((checked.pass.verdict, checked.pass.plate.as_str()), (Verdict::Valid, "粤B12345"), "{e}");
        pass::db::use_pass(db, &clerk.actor, &clerk.caller, zh, &token).await.expect("let out");
        assert!(pass::db::use_pass(db, &clerk.actor, &clerk.caller, zh, &token).await.is_err(), "{e}: used twice");
        let again = pass::db::check(&db.pool, &clerk.caller, &token).await.expect("check").expect("found");
        assert_eq!(again.pass.verdict, Verdict::Used, "{e}");
        // A forged token: unknown.
        assert!(pass::db::check(&db.pool, &clerk.caller, "0123456789abcdef0123456789abcdef").await.expect("check").is_none(), "{e}");
        // Completion: the tenancy ends today, the house is vacant.
        case::complete(db, &clerk.actor, &clerk.caller, zh, id).await.expect("complete");
        let ended = text_of(db, &format!("select end_date from occupancy where house_id = {} and resident_id = {}", r.id, r.tenant)).await;
        assert_eq!(ended, time::desk_today(), "{e}");
        assert_eq!(text_of(db, &format!("select status from house where id = {}", r.id)).await, "vacant", "{e}");
        // Twice: one completion.
        assert!(matches!(case::complete(db, &clerk.actor, &clerk.caller, zh, id).await, Err(AppError::Conflict(_))), "{e}");
        // This month's run bills the house only the rest of the month.
        let period = &time::desk_today()[..7];
        let run_id = run::start(db, &c.manager.actor, None, zh, c.ch, period).await.expect("run");
        run::execute(db, run_id).await.expect("execute");
        let mut conn = db.pool.acquire().await.expect("conn");
        let lines = house_lines(&mut conn, r.id).await.expect("lines");
        let month_days = app::billing::rules::Period::parse(period).expect("period").days();
        for l in lines.iter().filter(|l| l.period == period && l.line_key.is_empty()) {
            if let Some(days) = Basis::parse(&l.basis).and_then(|b| b.days()) {
                assert_eq!(days, month_days - today, "{e}: {}", l.item_name);
            }
        }
        // The audit log holds the bill, the payment step and the completion.
        let audited = one(db, &format!("select count(*) from audit_log where entity = 'move_out' and entity_id = '{id}'")).await;
        assert!(audited >= 5, "{e}: {audited}");
    }
}

#[tokio::test]
async fn a_manager_lets_a_household_leave_owing_with_a_reason() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let r = c.rented().await;
        let id = tenant_leaving(&c, &r).await;
        read_finals(&c, id, 800).await;
        // Overriding before billing: refused.
        let m = &c.manager;
        assert!(settle::override_owed(db, &m.actor, &m.caller, zh, id, "租户承诺下周补缴").await.is_err(), "{e}");
        settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await.expect("bill");
        // A reason of a word: refused next to the field.
        match settle::override_owed(db, &m.actor, &m.caller, zh, id, "欠").await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].field, "reason", "{e}"),
            other => panic!("{e}: {other:?}"),
        }
        settle::override_owed(db, &m.actor, &m.caller, zh, id, "租户承诺下周补缴，业主担保")
            .await
            .expect("override");
        let page = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page");
        assert_eq!(page.settlement.override_reason, "租户承诺下周补缴，业主担保", "{e}");
        assert_eq!(page.settlement.override_fen, Some(page.settlement.due_fen), "{e}");
        case::complete(db, &clerk.actor, &clerk.caller, zh, id).await.expect("complete");
        // The lines stay owed by the house; the override is in the log.
        let mut conn = db.pool.acquire().await.expect("conn");
        let owed: i64 = house_lines(&mut conn, r.id).await.expect("lines").iter().map(|l| l.outstanding()).sum();
        assert!(owed > 0, "{e}");
        let logged = text_of(db, &format!("select after from audit_log where action = 'override_move_out' and entity_id = '{id}'")).await;
        assert!(logged.contains("业主担保"), "{e}: {logged}");
        // A clerk of another estate cannot see the case.
        let stranger = new_staff(db, "jx-clerk-mo", "江晓", "clerk", c.jx).await;
        assert!(outs::page(&db.pool, &stranger.caller, zh, id).await.is_err(), "{e}");
    }
}

/// The house's lines of `period` for `item` (key, days, amount, what it still owes).
async fn month_lines(db: &app::db::Database, house: i64, item: i64, period: &str) -> Vec<(String, u32, i64, i64)> {
    let mut conn = db.pool.acquire().await.expect("conn");
    house_lines(&mut conn, house)
        .await
        .expect("lines")
        .into_iter()
        .filter(|l| l.fee_item_id == item && l.period == period)
        .map(|l| {
            let days = Basis::parse(&l.basis).and_then(|b| b.days()).unwrap_or(0);
            (l.line_key.clone(), days, l.amount_fen, l.outstanding())
        })
        .collect()
}

#[tokio::test]
async fn a_sale_on_the_17th_splits_the_month_by_days_before_and_after_the_run() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, zh) = (&c.db, Lang::Zh);
        let area_item = one(db, &format!("select id from fee_item where estate_id = {} and kind = 'area'", c.ch)).await;
        // A month the demo did not bill: September. Two occupied houses of building 2.
        let houses: Vec<(i64,)> = sqlx::query_as(
            "select h.id from house h join building b on b.id = h.building_id \
             where h.estate_id = $1 and b.code = '2' and h.status = 'occupied' order by h.id limit 2",
        )
        .bind(c.ch)
        .fetch_all(&db.pool)
        .await
        .expect("houses");
        let (before, after) = (houses[0].0, houses[1].0);
        let sale_day = NaiveDate::from_ymd_opt(2026, 9, 17).expect("day");
        let mut w = db.write(c.clerk.actor.clone()).await.expect("write");
        // Before the run: the seller's 17 days on a line of their own.
        let (bill, ids) = leaving::raise_in(&mut w, zh, before, sale_day, "moveout:9001", &[], None)
            .await
            .unwrap_or_else(|e| panic!("raise: {e:?}"));
        w.commit().await.expect("commit");
        assert!(!ids.is_empty() && bill.lines.iter().all(|l| l.split_from.is_none()), "{e}");
        let run_id = run::start(db, &c.manager.actor, None, zh, c.ch, "2026-09").await.expect("run");
        run::execute(db, run_id).await.expect("execute");
        let mut seen = month_lines(db, before, area_item, "2026-09").await;
        seen.sort();
        // The run billed the buyer the 13 days after: no day twice, none missed.
        assert_eq!(seen.iter().map(|(k, d, _, _)| (k.as_str(), *d)).collect::<Vec<_>>(), vec![("", 13), ("moveout:9001", 17)], "{e}");
        // After the run: the month's line is split, the seller's 17 days moved onto theirs.
        let mut w = db.write(c.clerk.actor.clone()).await.expect("write");
        let (bill, _) = leaving::raise_in(&mut w, zh, after, sale_day, "moveout:9002", &[], None)
            .await
            .unwrap_or_else(|e| panic!("raise: {e:?}"));
        w.commit().await.expect("commit");
        assert!(bill.lines.iter().any(|l| l.split_from.is_some()), "{e}");
        let mut seen = month_lines(db, after, area_item, "2026-09").await;
        seen.sort();
        let (month, part) = (&seen[0], &seen[1]);
        assert_eq!((month.1, part.1), (30, 17), "{e}");
        // The month's line now owes what is left after the seller's part: the buyer's 13 days.
        assert_eq!(month.3, month.2 - part.2, "{e}");
        // The desk's arrears sum agrees with the lines.
        let arrears = ledger::arrears_by_house(&db.pool, &[after], "2099-01-01").await.expect("arrears");
        let mut conn = db.pool.acquire().await.expect("conn");
        let owed: i64 = house_lines(&mut conn, after).await.expect("lines").iter().map(|l| l.outstanding()).sum();
        assert_eq!(arrears.get(&after).copied().unwrap_or(0), owed, "{e}");
        // A rerun of September adds nothing to either house.
        let rerun = run::start(db, &c.manager.actor, None, zh, c.ch, "2026-09").await.expect("rerun");
        assert_eq!(run::execute(db, rerun).await.expect("execute").lines_created, 0, "{e}");
    }
}
