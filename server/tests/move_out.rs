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
        // This month (the demo billed the two before it): two occupied houses of building 2.
        let houses: Vec<(i64,)> = sqlx::query_as(
            "select h.id from house h join building b on b.id = h.building_id \
             where h.estate_id = $1 and b.code = '2' and h.status = 'occupied' order by h.id limit 2",
        )
        .bind(c.ch)
        .fetch_all(&db.pool)
        .await
        .expect("houses");
        let (before, after) = (houses[0].0, houses[1].0);
        let this = app::billing::rules::Period::parse(&time::desk_today()[..7]).expect("period");
        let month = this.to_string();
        let month_days = this.days();
        let sale_day = this.first_day() + chrono::Duration::days(16);
        let mut w = db.write(c.clerk.actor.clone()).await.expect("write");
        // Before the run: the seller's 17 days on a line of their own.
        let (bill, ids) = leaving::raise_in(&mut w, zh, before, sale_day, "moveout:9001", &[], None)
            .await
            .unwrap_or_else(|e| panic!("raise: {e:?}"));
        w.commit().await.expect("commit");
        assert!(!ids.is_empty() && bill.lines.iter().all(|l| l.split_from.is_none()), "{e}");
        let run_id = run::start(db, &c.manager.actor, None, zh, c.ch, &month).await.expect("run");
        run::execute(db, run_id).await.expect("execute");
        let mut seen = month_lines(db, before, area_item, &month).await;
        seen.sort();
        // The run billed the buyer the days after the 17th: no day twice, none missed.
        assert_eq!(seen.iter().map(|(k, d, _, _)| (k.as_str(), *d)).collect::<Vec<_>>(), vec![("", month_days - 17), ("moveout:9001", 17)], "{e}");
        // After the run: the month's line is split, the seller's 17 days moved onto theirs.
        let mut w = db.write(c.clerk.actor.clone()).await.expect("write");
        let (bill, _) = leaving::raise_in(&mut w, zh, after, sale_day, "moveout:9002", &[], None)
            .await
            .unwrap_or_else(|e| panic!("raise: {e:?}"));
        w.commit().await.expect("commit");
        assert!(bill.lines.iter().any(|l| l.split_from.is_some()), "{e}");
        let mut seen = month_lines(db, after, area_item, &month).await;
        seen.sort();
        let (whole, part) = (&seen[0], &seen[1]);
        assert_eq!((whole.1, part.1), (month_days, 17), "{e}");
        // The month's line now owes what is left after the seller's part: the buyer's days.
        assert_eq!(whole.3, whole.2 - part.2, "{e}");
        // The desk's arrears sum agrees with the lines.
        let arrears = ledger::arrears_by_house(&db.pool, &[after], "2099-01-01").await.expect("arrears");
        let mut conn = db.pool.acquire().await.expect("conn");
        let owed: i64 = house_lines(&mut conn, after).await.expect("lines").iter().map(|l| l.outstanding()).sum();
        assert_eq!(arrears.get(&after).copied().unwrap_or(0), owed, "{e}");
        // A rerun of the month adds nothing to either house.
        let rerun = run::start(db, &c.manager.actor, None, zh, c.ch, &month).await.expect("rerun");
        assert_eq!(run::execute(db, rerun).await.expect("execute").lines_created, 0, "{e}");
    }
}

#[tokio::test]
async fn after_a_sale_the_buyer_sees_none_of_the_sellers_receipts_and_the_sellers_reprint_names_the_seller() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        // An owner-occupied house of building 2 (no meters) with its one owner.
        let (house, seller, seller_name): (i64, i64, String) = sqlx::query_as(
            "select h.id, o.resident_id, r.name from house h join building b on b.id = h.building_id \
             join occupancy o on o.house_id = h.id and o.role = 'owner' and o.end_date is null \
             join resident r on r.id = o.resident_id \
             where h.estate_id = $1 and b.code = '2' and h.status = 'occupied' \
               and (select count(*) from occupancy x where x.house_id = h.id and x.end_date is null \
                    and x.role = 'co_owner') = 0 \
             order by h.id limit 1",
        )
        .bind(c.ch)
        .fetch_one(&db.pool)
        .await
        .expect("an owner-occupied house");
        let id = case::open(db, &clerk.actor, &clerk.caller, zh, house).await.expect("open");
        let living: Vec<(i64,)> = sqlx::query_as("select id from occupancy where house_id = $1 and end_date is null")
            .bind(house)
            .fetch_all(&db.pool)
            .await
            .expect("living");
        let living: Vec<i64> = living.into_iter().map(|(o,)| o).collect();
        // A sale names the buyer.
        assert!(case::save_leaving(db, &clerk.actor, &clerk.caller, zh, id, "sale", &living, "").await.is_err(), "{e}");
        case::save_leaving(db, &clerk.actor, &clerk.caller, zh, id, "sale", &living, "周新民")
            .await
            .expect("leaving");
        settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await.expect("bill");
        // A sale completes with the buyer's move-in, not on its own.
        match case::complete(db, &clerk.actor, &clerk.caller, zh, id).await {
            Err(AppError::Rule(m)) => assert!(m.contains("买方"), "{e}: {m}"),
            other => panic!("{e}: {other:?}"),
        }
        // The buyer's move-in, the same day: the seller still owns the house until it completes.
        let buyer_case = app::moves::db::case::open(db, &clerk.actor, &clerk.caller, zh, house).await.expect("move-in");
        let form = app::moves::rules::IdentityForm {
            name: "周新民".into(),
            mobile: "13922223333".into(),
            role: "owner".into(),
            title_no: "不动产权证 2026-0901".into(),
            handover_on: time::desk_today(),
            ..Default::default()
        };
        app::moves::db::case::save_identity(db, &clerk.actor, &clerk.caller, zh, buyer_case, &form)
            .await
            .expect("the buyer as owner while the seller's sale is open");
        let mi = app::moves::db::page(&db.pool, &clerk.caller, buyer_case).await.expect("page");
        let findings: Vec<app::moves::rules::FindingForm> = mi
            .checklist
            .iter()
            .map(|l| app::moves::rules::FindingForm { item_id: l.item_id, finding: "ok".into(), note: String::new() })
            .collect();
        app::moves::db::case::save_inspection(db, &clerk.actor, &clerk.caller, zh, buyer_case, &findings, "", true)
            .await
            .expect("inspection");
        let typed: Vec<(i64, String)> = mi.meters.iter().map(|m| (m.fee_item_id, "150".to_string())).collect();
        app::moves::db::case::save_readings(db, &clerk.actor, &clerk.caller, zh, buyer_case, &typed)
            .await
            .expect("readings");
        app::moves::db::case::hand_keys(db, &clerk.actor, &clerk.caller, zh, buyer_case, "2").await.expect("keys");
        let signed: Vec<(i64, String)> = mi.agreements.iter().map(|a| (a.id, time::desk_today())).collect();
        app::moves::db::case::save_agreements(db, &clerk.actor, &clerk.caller, zh, buyer_case, &signed)
            .await
            .expect("agreements");
        // The seller has not settled: the hand-over waits, and says why.
        match app::moves::db::complete::complete(db, &clerk.actor, &clerk.caller, zh, buyer_case).await {
            Err(AppError::Rule(m)) => assert!(m.contains("卖方的迁出") && m.contains("结算"), "{e}: {m}"),
            other => panic!("{e}: {other:?}"),
        }
        let due = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page").settlement.due_fen;
        let receipt = settle::pay(
            db, &clerk.actor, &clerk.caller, zh, id, "cash", &app::billing::fen_plain(due),
            &Payer::resident(seller), "moveout-sale-1",
        )
        .await
        .expect("the seller settles");
        let before = one(db, &format!("select count(*) from occupancy where house_id = {house} and role = 'owner' and end_date is null")).await;
        assert_eq!(before, 1, "{e}: the seller owns it until the hand-over");
        app::moves::db::complete::complete(db, &clerk.actor, &clerk.caller, zh, buyer_case)
            .await
            .expect("the hand-over");
        // One write: the seller out, the buyer in, the sale completed; never no owner.
        assert_eq!(text_of(db, &format!("select status from move_out where id = {id}")).await, "completed", "{e}");
        let owners = text_of(db, &format!(
            "select r.name from occupancy o join resident r on r.id = o.resident_id \
             where o.house_id = {house} and o.role = 'owner' and o.end_date is null"
        )).await;
        assert_eq!(owners, "周新民", "{e}");
        // A sale keeps the house's status.
        assert_eq!(text_of(db, &format!("select status from house where id = {house}")).await, "occupied", "{e}");
        let buyer_id = one(db, &format!(
            "select o.resident_id from occupancy o where o.house_id = {house} and o.role = 'owner' and o.end_date is null"
        )).await;
        let buyer = resident(db, buyer_id).await;
        let bills = app::billing::portal::portal_bills(&db.pool, &buyer.caller.residences, zh).await.expect("portal");
        let account = bills.houses.iter().find(|h| h.house_id == house).expect("the buyer sees the house");
        assert!(account.payments.iter().all(|p| p.receipt_no != receipt), "{e}: the seller's receipt is not the buyer's");
        assert!(account.settled.is_empty(), "{e}: nor what the seller settled");
        // The seller's reprint still names the seller.
        let payment = one(db, &format!("select id from payment where receipt_no = '{receipt}'")).await;
        let doc = app::billing::db::documents::receipt(&db.pool, payment, zh).await.expect("receipt");
        assert_eq!(doc.payer.as_deref(), Some(seller_name.trim()), "{e}");
        // The seller's portal no longer reaches the house.
        let seller = resident(db, seller).await;
        assert!(seller.caller.residences.iter().all(|r| r.house_id != house), "{e}");
    }
}

#[tokio::test]
async fn after_the_months_run_the_preview_is_what_is_billed_and_no_move_out_bills_under_a_running_run() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let r = c.rented().await;
        let id = tenant_leaving(&c, &r).await;
        read_finals(&c, id, 500).await;
        // This month's run has started: billing the move-out waits for it.
        let month = time::desk_today()[..7].to_string();
        let run_id = run::start(db, &c.manager.actor, None, zh, c.ch, &month).await.expect("run");
        match settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await {
            Err(AppError::Rule(m)) => assert!(m.contains("账单"), "{e}: {m}"),
            other => panic!("{e}: refused while the run runs, got {other:?}"),
        }
        run::execute(db, run_id).await.expect("execute");
        // The month is billed whole to the house: the preview splits the
        // leaver's days off it, and does not count the month line too.
        let preview = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page").settlement;
        let mut conn = db.pool.acquire().await.expect("conn");
        let month_lines: Vec<i64> = house_lines(&mut conn, r.id)
            .await
            .expect("lines")
            .iter()
            .filter(|l| l.period == month && l.line_key.is_empty() && l.kind == app::billing::FeeKind::Area)
            .map(|l| l.id)
            .collect();
        drop(conn);
        assert_eq!(month_lines.len(), 1, "{e}");
        assert!(preview.lines.iter().all(|l| l.line_id != Some(month_lines[0])), "{e}: the month line is the next occupant's");
        settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await.expect("bill");
        let billed = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page").settlement;
        assert_eq!(billed.due_fen, preview.due_fen, "{e}: what the clerk read out is what is owed");
        let split = one(db, &format!("select count(*) from bill_line_split where line_id = {}", month_lines[0])).await;
        assert_eq!(split, 1, "{e}");
        // Paying more than is due is refused (it would be the next occupant's balance).
        let over = settle::pay(
            db, &clerk.actor, &clerk.caller, zh, id, "cash",
            &app::billing::fen_plain(billed.due_fen + 100), &Payer::resident(r.tenant), "moveout-over",
        )
        .await;
        assert!(matches!(over, Err(AppError::Invalid(_))), "{e}: {over:?}");
        // A billed move-out is not cancelled.
        assert!(case::cancel(db, &clerk.actor, &clerk.caller, zh, id, "租户改期").await.is_err(), "{e}");
    }
}

#[tokio::test]
async fn a_tenant_asks_for_a_pass_in_the_portal_and_the_desk_issues_it_from_the_move_out() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let r = c.rented().await;
        let tenant = resident(db, r.tenant).await;
        let today = time::desk_today();
        // Another house: not theirs to ask for (as if it did not exist).
        let other = one(db, &format!("select id from house where estate_id = {} and id <> {} order by id limit 1", c.ch, r.id)).await;
        assert!(matches!(
            pass::db::request(db, &tenant.actor, &tenant.caller, zh, other, "冰箱", "", &today).await,
            Err(AppError::NotFound)
        ), "{e}");
        // A day long past: refused next to its field.
        match pass::db::request(db, &tenant.actor, &tenant.caller, zh, r.id, "冰箱", "", "2020-01-01").await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].field, "valid_on", "{e}"),
            other => panic!("{e}: {other:?}"),
        }
        let asked = pass::db::request(db, &tenant.actor, &tenant.caller, zh, r.id, "双人床一张、衣柜一个", "沪a88888", &today)
            .await
            .expect("request");
        let mine = pass::db::portal_passes(&db.pool, &tenant.caller).await.expect("mine");
        assert_eq!(mine.iter().map(|p| p.id).collect::<Vec<_>>(), vec![asked], "{e}");
        // Not valid at the gate until the desk issues it.
        let token = text_of(db, &format!("select token from release_pass where id = {asked}")).await;
        assert!(pass::db::use_pass(db, &clerk.actor, &clerk.caller, zh, &token).await.is_err(), "{e}");
        // The desk sees it on the house's move-out; while the house owes, only a manager issues it.
        let id = tenant_leaving(&c, &r).await;
        let page = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page");
        assert_eq!(page.requests.iter().map(|p| p.id).collect::<Vec<_>>(), vec![asked], "{e}");
        assert!(pass::db::issue_requested(db, &clerk.actor, &clerk.caller, zh, id, asked).await.is_err(), "{e}");
        let m = &c.manager;
        pass::db::issue_requested(db, &m.actor, &m.caller, zh, id, asked).await.expect("issued by the manager");
        assert!(pass::db::issue_requested(db, &m.actor, &m.caller, zh, id, asked).await.is_err(), "{e}: once");
        let checked = pass::db::check(&db.pool, &clerk.caller, &token).await.expect("check").expect("found");
        assert_eq!((checked.pass.verdict, checked.pass.plate.as_str(), checked.pass.approved_by.is_empty()), (Verdict::Valid, "沪A88888", false), "{e}");
        pass::db::use_pass(db, &clerk.actor, &clerk.caller, zh, &token).await.expect("let out");
        let mine = pass::db::portal_passes(&db.pool, &tenant.caller).await.expect("mine");
        assert_eq!(mine[0].verdict, Verdict::Used, "{e}");
    }
}

#[tokio::test]
async fn a_move_out_after_the_months_meter_reading_bills_that_reading_too_and_the_final_counts_from_it() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let r = c.rented().await;
        let water = one(db, &format!("select id from fee_item where estate_id = {} and kind = 'metered'", c.ch)).await;
        let has_meter = one(db, &format!("select count(*) from meter_opening where house_id = {}", r.id)).await;
        if has_meter == 0 {
            continue;
        }
        // The meter reader read this month already (before its run).
        let month = time::desk_today()[..7].to_string();
        let last = one(db, &format!("select reading_centi from meter_reading where house_id = {} order by period desc limit 1", r.id)).await;
        let read = app::billing::rules::centi_text(last + 1_000);
        app::billing::db::save_readings(
            db, &c.manager.actor, zh, water, &month,
            &[app::billing::db::ReadingEntry { house_id: r.id, reading: read, ..Default::default() }],
            None, |_| Ok(()),
        )
        .await
        .expect("this month's reading");
        let id = tenant_leaving(&c, &r).await;
        read_finals(&c, id, 300).await;
        settle::bill(db, &clerk.actor, &clerk.caller, zh, id).await.expect("bill");
        // Both are the leaver's: this month's reading and the final one (next month's, counted from it).
        let mut conn = db.pool.acquire().await.expect("conn");
        let metered: Vec<(String, i64)> = house_lines(&mut conn, r.id)
            .await
            .expect("lines")
            .iter()
            .filter(|l| l.fee_item_id == water && l.period >= month)
            .map(|l| (l.period.clone(), l.outstanding()))
            .collect();
        drop(conn);
        let next = app::billing::rules::Period::parse(&month).expect("period").next().to_string();
        assert_eq!(metered.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(), vec![month.clone(), next.clone()], "{e}");
        let page = outs::page(&db.pool, &clerk.caller, zh, id).await.expect("page");
        assert!(page.settlement.lines.iter().any(|l| l.period == next), "{e}: the final's line is the leaver's");
        // The month's run adds no second water line.
        let run_id = run::start(db, &c.manager.actor, None, zh, c.ch, &month).await.expect("run");
        run::execute(db, run_id).await.expect("execute");
        let water_lines = one(db, &format!("select count(*) from bill_line where house_id = {} and fee_item_id = {water} and period = '{month}'", r.id)).await;
        assert_eq!(water_lines, 1, "{e}");
        // A resident's request for another day is issued on that day only.
        let tenant = resident(db, r.tenant).await;
        let tomorrow = time::date_to_db(
            chrono::NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").expect("today") + chrono::Duration::days(1),
        );
        let asked = pass::db::request(db, &tenant.actor, &tenant.caller, zh, r.id, "冰箱", "", &tomorrow).await.expect("request");
        let m = &c.manager;
        match pass::db::issue_requested(db, &m.actor, &m.caller, zh, id, asked).await {
            Err(AppError::Rule(msg)) => assert!(msg.contains(&tomorrow), "{e}: {msg}"),
            other => panic!("{e}: {other:?}"),
        }
    }
}
