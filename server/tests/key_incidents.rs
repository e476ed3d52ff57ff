//! Key custody's incidents on SQLite and PostgreSQL: a lost key and its lock
//! change (billed to the house, the other copies retired, waiting for copies
//! out), and a cabinet's count and its discrepancies. The owner's side is
//! `key_owners.rs`.

mod common;

use app::common::{EstateScope, Lang};
use app::db::time;
use app::error::AppError;
use app::keys::db::{self as keys, counts, incidents, register};
use app::keys::{CountOutcome, IncidentKind};
use common::keys::*;
use common::TestDb;

fn lock(cost: &str, resident_pays: bool, fee_item: i64) -> incidents::LockChange {
    incidents::LockChange {
        changed_on: desk_day(0),
        changed_by: "锁匠老陈".into(),
        cost: cost.into(),
        resident_pays,
        fee_item_id: fee_item.to_string(),
    }
}

#[tokio::test]
async fn a_lost_house_key_is_reported_and_its_lock_change_billed_once_to_the_house() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let house = c.house("1-2-301").await;
        let first = c.key("unhanded", "1-2-301", "A01", "3").await;
        let [working, spare, worn] = c.copies(first).await[..] else {
            panic!("{e}: three copies")
        };
        let item = app::billing::db::create_fee_item(
            db,
            &c.manager.actor,
            zh,
            c.ch,
            "换锁费",
            "one_off",
            "15",
            "",
        )
        .await
        .expect("fee item");
        let loan = c
            .lend(working, &c.form("maintenance", "inspection").await)
            .await
            .expect("lend");
        incidents::retire(db, &clerk.actor, &clerk.caller, zh, worn, "齿口磨损")
            .await
            .expect("retire");

        // A copy already out of use cannot be lost.
        let r = incidents::report_lost(db, &clerk.actor, &clerk.caller, zh, worn, "找不到了").await;
        assert!(rule(&r).contains("已停用"), "{e}: {r:?}");
        assert_eq!(c.status(worn).await, "retired", "{e}");
        assert_eq!(c.log(worn).await, ["add_copy", "retire"], "{e}");
        let sql = format!(
            "select count(*) from key_incident where copy_id = {}",
            worn.0
        );
        assert_eq!(one(db, &sql).await, 0, "{e}: nothing reported");

        let report = incidents::report_lost(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            working,
            "张师傅在工地遗失",
        )
        .await
        .expect("report lost");
        assert_eq!(c.status(working).await, "lost", "{e}");
        let (kind, on_loan, closed): (String, Option<i64>, Option<String>) = sqlx::query_as(
            "select kind, loan_id, closed_at from key_incident where id = $1 and copy_id = $2",
        )
        .bind(report)
        .bind(working)
        .fetch_one(&db.pool)
        .await
        .expect("the report");
        assert_eq!(
            (kind.as_str(), on_loan, closed),
            ("lost", Some(loan), None),
            "{e}"
        );
        assert_eq!(
            c.log(working).await,
            ["register", "lend", "report_lost"],
            "{e}"
        );
        let sql = format!(
            "select note from key_event where copy_id = {} and action = 'report_lost'",
            working.0
        );
        let note = text_of(db, &sql).await;
        assert!(
            note.contains("张师傅") && note.contains("工地遗失"),
            "{e}: {note}"
        );
        // The key never came back: its loan stays open.
        let sql =
            format!("select count(*) from key_loan where id = {loan} and returned_at is null");
        assert_eq!(one(db, &sql).await, 1, "{e}");
        let reports = keys::reports(&db.pool, &EstateScope::Only(vec![c.ch]))
            .await
            .expect("reports");
        let mine: Vec<_> = reports.iter().filter(|r| r.copy_id == working).collect();
        assert_eq!(
            mine.len(),
            1,
            "{e}: reported to the manager and security: {reports:?}"
        );
        assert_eq!(mine[0].kind, IncidentKind::Lost, "{e}");
        assert_eq!(
            (mine[0].tag.clone(), mine[0].opens.as_deref()),
            (c.tag(working).await, Some("1-2-301")),
            "{e}"
        );
        let elsewhere = keys::reports(&db.pool, &EstateScope::Only(vec![c.jx]))
            .await
            .expect("reports");
        assert!(
            elsewhere.iter().all(|r| r.copy_id != working),
            "{e}: another estate is not told"
        );
        let page = keys::page(&db.pool, &clerk.caller, working)
            .await
            .expect("page");
        let loss = page.open_loss.expect("a loss waiting for its lock change");
        assert!(
            loss.house_key && loss.fee_items.iter().any(|i| i.id == item),
            "{e}: {loss:?}"
        );

        let lines = || one(db, "select count(*) from bill_line");
        let house_lines = format!(
            "select count(*) from bill_line where house_id = {house} and fee_item_id = {item}"
        );
        let before = lines().await;
        let since = time::now();
        assert_eq!(one(db, &house_lines).await, 0, "{e}");
        // A cost that is no amount: refused on its field, nothing written.
        let r = incidents::lock_changed(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            working,
            &lock("abc", true, item),
        )
        .await;
        assert!(field_error(&r, "cost").contains("数字"), "{e}: {r:?}");
        assert_eq!(lines().await, before, "{e}");
        let sql =
            format!("select count(*) from key_incident where id = {report} and closed_at is null");
        assert_eq!(one(db, &sql).await, 1, "{e}: still open");
        assert_eq!(c.status(spare).await, "in_cabinet", "{e}");
        assert_eq!(
            c.log(working).await,
            ["register", "lend", "report_lost"],
            "{e}"
        );

        incidents::lock_changed(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            working,
            &lock("120.50", true, item),
        )
        .await
        .expect("lock changed");
        assert_eq!(lines().await, before + 1, "{e}: one bill line");
        let (line, item_of, amount, key): (i64, i64, i64, String) = sqlx::query_as(
            "select id, fee_item_id, amount_fen, line_key from bill_line where house_id = $1 and created_at >= $2",
        )
        .bind(house)
        .bind(&since)
        .fetch_one(&db.pool)
        .await
        .expect("the house's bill line");
        assert_eq!(
            (item_of, amount, key),
            (item, 12050, format!("key-lock:{report}")),
            "{e}"
        );
        let (bill_line, cost, pays, by, closed): (Option<i64>, Option<i64>, i64, Option<String>, Option<String>) =
            sqlx::query_as(
                "select bill_line_id, cost_fen, resident_pays, lock_changed_by, closed_at from key_incident where id = $1",
            )
            .bind(report)
            .fetch_one(&db.pool)
            .await
            .expect("the report");
        assert_eq!(
            (bill_line, cost, pays, by.as_deref()),
            (Some(line), Some(12050), 1, Some("锁匠老陈")),
            "{e}"
        );
        assert!(closed.is_some(), "{e}: the report is closed");
        // The old lock is gone: the spare in the cabinet opens nothing now.
        assert_eq!(c.status(spare).await, "retired", "{e}");
        assert_eq!(c.log(spare).await, ["add_copy", "retire"], "{e}");
        assert_eq!(c.status(working).await, "lost", "{e}");
        assert_eq!(
            c.log(working).await,
            ["register", "lend", "report_lost", "lock_changed"],
            "{e}"
        );
        let sql = format!(
            "select note from key_event where copy_id = {} and action = 'lock_changed'",
            working.0
        );
        assert!(text_of(db, &sql).await.contains("锁匠老陈"), "{e}");
        let page = keys::page(&db.pool, &clerk.caller, working)
            .await
            .expect("page");
        assert!(page.open_loss.is_none(), "{e}: nothing left to change");

        // Once only: the second lock change finds no open loss, bills nothing.
        let r = incidents::lock_changed(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            working,
            &lock("120.50", true, item),
        )
        .await;
        assert!(rule(&r).contains("没有待换锁"), "{e}: {r:?}");
        assert_eq!(lines().await, before + 1, "{e}");
        assert_eq!(one(db, &house_lines).await, 1, "{e}");
        assert_eq!(c.log(working).await.len(), 4, "{e}");
    }
}

#[tokio::test]
async fn a_facility_keys_lock_change_is_never_billed_to_a_resident() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let location = one(
            db,
            &format!(
                "select id from repair_location where estate_id = {} and name = '中心花园'",
                c.ch
            ),
        )
        .await;
        let key = register::NewKey {
            estate_id: c.ch,
            kind: "facility".into(),
            location_id: location.to_string(),
            cabinet_id: c.cabinet.to_string(),
            hook: "D01".into(),
            copies: "1".into(),
            ..Default::default()
        };
        let copy = register::register(db, &clerk.actor, &clerk.caller, zh, &key)
            .await
            .expect("facility key");
        let item = app::billing::db::create_fee_item(
            db,
            &c.manager.actor,
            zh,
            c.ch,
            "换锁费",
            "one_off",
            "15",
            "",
        )
        .await
        .expect("fee item");
        let report = incidents::report_lost(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            copy,
            "柜门未锁，钥匙不见",
        )
        .await
        .expect("report lost");
        let sql =
            format!("select count(*) from key_incident where id = {report} and loan_id is null");
        assert_eq!(
            one(db, &sql).await,
            1,
            "{e}: lost from the cabinet, no loan named"
        );
        let lines = || one(db, "select count(*) from bill_line");
        let before = lines().await;

        let r = incidents::lock_changed(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            copy,
            &lock("80", true, item),
        )
        .await;
        assert!(
            field_error(&r, "resident_pays").contains("不向住户收取"),
            "{e}: {r:?}"
        );
        assert_eq!(lines().await, before, "{e}: nothing billed");
        let open =
            format!("select count(*) from key_incident where id = {report} and closed_at is null");
        assert_eq!(one(db, &open).await, 1, "{e}");

        incidents::lock_changed(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            copy,
            &lock("80", false, 0),
        )
        .await
        .expect("the centre pays");
        assert_eq!(lines().await, before, "{e}: nothing billed");
        let (bill_line, cost, pays): (Option<i64>, Option<i64>, i64) = sqlx::query_as(
            "select bill_line_id, cost_fen, resident_pays from key_incident where id = $1",
        )
        .bind(report)
        .fetch_one(&db.pool)
        .await
        .expect("the report");
        assert_eq!((bill_line, cost, pays), (None, Some(8000), 0), "{e}");
        assert_eq!(one(db, &open).await, 0, "{e}: closed");
    }
}

#[tokio::test]
async fn a_count_records_every_discrepancy_once_and_is_kept_as_it_closed() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let mut live = Vec::new();
        for (house, hook) in [
            ("1-1-101", "A01"),
            ("1-1-102", "A02"),
            ("1-1-201", "A03"),
            ("1-1-202", "A04"),
            ("1-1-301", "A05"),
        ] {
            let copy = c.key("unhanded", house, hook, "1").await;
            live.push((copy, c.tag(copy).await));
        }
        let lent = live[4].0;
        c.lend(lent, &c.form("maintenance", "inspection").await)
            .await
            .expect("lend");
        let other_cabinet = register::add_cabinet(
            db,
            &c.manager.actor,
            &c.manager.caller,
            zh,
            c.ch,
            "2 栋钥匙柜",
            "",
            "2",
            "10",
        )
        .await
        .expect("cabinet");
        let stranger = c
            .key_in(other_cabinet, "unhanded", "2-1-101", "A01", "1")
            .await;
        let stranger_tag = c.tag(stranger).await;
        let tag = |i: usize| live[i].1.clone();

        let count = counts::start(db, &clerk.actor, &clerk.caller, zh, c.cabinet)
            .await
            .expect("start");
        let tick = |tag: String, hook: &'static str| async move {
            counts::tick(db, &clerk.actor, &clerk.caller, zh, count, &tag, hook).await
        };
        assert_eq!(
            tick(tag(0), "A01").await.expect("tick"),
            CountOutcome::Found,
            "{e}"
        );
        assert_eq!(
            tick(tag(1).to_lowercase(), "B05").await.expect("tick"),
            CountOutcome::WrongHook,
            "{e}"
        );
        assert_eq!(
            tick("K9999-1".into(), "").await.expect("tick"),
            CountOutcome::Unknown,
            "{e}"
        );
        assert_eq!(
            tick(stranger_tag.clone(), "").await.expect("tick"),
            CountOutcome::Unknown,
            "{e}"
        );
        let r = tick(tag(0), "").await;
        assert!(rule(&r).contains("已经点过"), "{e}: {r:?}");
        let lines = format!("select count(*) from key_count_line where count_id = {count}");
        assert_eq!(one(db, &lines).await, 4, "{e}");

        // One open count per cabinet.
        let again = counts::start(db, &clerk.actor, &clerk.caller, zh, c.cabinet).await;
        assert!(
            matches!(&again, Err(AppError::Conflict(m)) if m.contains("正在盘点")),
            "{e}: {again:?}"
        );
        assert_eq!(
            one(
                db,
                &format!(
                    "select count(*) from key_count where cabinet_id = {}",
                    c.cabinet
                )
            )
            .await,
            1,
            "{e}"
        );

        // Another estate's clerk neither ticks nor closes it.
        let outsider = new_staff(db, "clerk.jx", "锦绣前台", "clerk", c.jx).await;
        let r = counts::tick(
            db,
            &outsider.actor,
            &outsider.caller,
            zh,
            count,
            &tag(2),
            "",
        )
        .await;
        forbidden(&r, e);
        let r = counts::close(
            db,
            &outsider.actor,
            &outsider.caller,
            zh,
            count,
            "锦绣前台",
            "",
            true,
        )
        .await;
        forbidden(&r, e);
        assert_eq!(one(db, &lines).await, 4, "{e}");
        let sql =
            format!("select count(*) from key_count where id = {count} and closed_at is null");
        assert_eq!(one(db, &sql).await, 1, "{e}: still open");

        let closed = counts::close(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            count,
            "王小前",
            "",
            true,
        )
        .await
        .expect("close");
        let got: Vec<(String, Option<String>, CountOutcome)> = closed
            .iter()
            .map(|l| (l.tag.clone(), l.hook.clone(), l.outcome))
            .collect();
        let s = |x: &str| Some(x.to_string());
        let want = vec![
            (tag(0), s("A01"), CountOutcome::Found),
            (tag(1), s("B05"), CountOutcome::WrongHook),
            ("K9999-1".to_string(), None, CountOutcome::Unknown),
            (stranger_tag.clone(), None, CountOutcome::Unknown),
            (tag(2), s("A03"), CountOutcome::Missing),
            (tag(3), s("A04"), CountOutcome::Missing),
            (tag(4), s("A05"), CountOutcome::OnLoan),
        ];
        assert_eq!(got, want, "{e}");
        assert_eq!(closed[4].opens, "1-1-201", "{e}");
        let (signed, by, paper): (Option<String>, Option<i64>, Option<Vec<u8>>) =
            sqlx::query_as("select signed_name, closed_by, signature from key_count where id = $1 and closed_at is not null")
                .bind(count)
                .fetch_one(&db.pool)
                .await
                .expect("closed count");
        assert_eq!(
            (signed.as_deref(), by, paper),
            (Some("王小前"), Some(clerk.id), None),
            "{e}"
        );
        let summary = counts::of_cabinet(&db.pool, &clerk.caller, c.cabinet)
            .await
            .expect("counts");
        assert_eq!(
            (summary.len(), summary[0].discrepancies),
            (1, 5),
            "{e}: {summary:?}"
        );
        // A count changes no key: the lent copy is still out, the missing ones still registered.
        assert_eq!(c.status(lent).await, "out", "{e}");
        assert_eq!(c.status(live[2].0).await, "in_cabinet", "{e}");

        let r = counts::close(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            count,
            "王小前",
            "",
            true,
        )
        .await;
        assert!(rule(&r).contains("已结束"), "{e}: {r:?}");
        assert_eq!(
            one(db, &lines).await,
            7,
            "{e}: closed twice, no extra lines"
        );
        let r = tick(tag(2), "").await;
        assert!(rule(&r).contains("已结束"), "{e}: {r:?}");
        assert_eq!(one(db, &lines).await, 7, "{e}");

        refused(
            db,
            e,
            &format!("update key_count_line set outcome = 'found' where count_id = {count}"),
            "append-only",
        )
        .await;
        refused(
            db,
            e,
            &format!("delete from key_count_line where count_id = {count}"),
            "append-only",
        )
        .await;
        let sql = format!(
            "select count(*) from key_count_line where count_id = {count} and outcome = 'missing'"
        );
        assert_eq!(one(db, &sql).await, 2, "{e}: the lines as the count closed");
        let page = counts::page(&db.pool, &clerk.caller, count)
            .await
            .expect("count page");
        assert_eq!(
            (page.lines.len(), page.signed_name.as_deref()),
            (7, Some("王小前")),
            "{e}"
        );
        assert!(page.closed_at.is_some(), "{e}");
    }
}

#[tokio::test]
async fn a_count_refuses_a_key_lent_in_the_register_and_a_tag_counted_twice() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let here = c.key("unhanded", "1-1-102", "A01", "1").await;
        let lent = c.key("unhanded", "1-1-201", "A02", "1").await;
        c.lend(lent, &c.form("maintenance", "inspection").await)
            .await
            .expect("lend");
        let count = counts::start(db, &clerk.actor, &clerk.caller, zh, c.cabinet)
            .await
            .expect("start");
        let lines = format!("select count(*) from key_count_line where count_id = {count}");

        // On its hook, yet out in the register: the return comes first.
        let r = counts::tick(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            count,
            &c.tag(lent).await,
            "",
        )
        .await;
        assert!(rule(&r).contains("请先办理归还"), "{e}: {r:?}");
        assert_eq!(one(db, &lines).await, 0, "{e}: nothing counted");

        // A stranger's tag counts once as unknown; again is refused.
        let first = counts::tick(db, &clerk.actor, &clerk.caller, zh, count, "K9999-1", "").await;
        assert_eq!(first.expect("unknown"), CountOutcome::Unknown, "{e}");
        let again = counts::tick(db, &clerk.actor, &clerk.caller, zh, count, "k9999-1", "").await;
        assert!(rule(&again).contains("已经点过"), "{e}: {again:?}");
        let tag = c.tag(here).await;
        counts::tick(db, &clerk.actor, &clerk.caller, zh, count, &tag, "")
            .await
            .expect("found");
        assert_eq!(one(db, &lines).await, 2, "{e}");
    }
}

#[tokio::test]
async fn a_lock_change_waits_for_the_copies_out_and_then_retires_them() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let first = c.key("unhanded", "1-1-102", "A01", "2").await;
        let copies = c.copies(first).await;
        let (lost, out) = (copies[0], copies[1]);
        incidents::report_lost(db, &clerk.actor, &clerk.caller, zh, lost, "交接时遗失")
            .await
            .expect("lost");
        c.lend(out, &c.form("maintenance", "inspection").await)
            .await
            .expect("lend the backup");

        // The backup is out: it would come back opening a lock that is gone.
        let r = incidents::lock_changed(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            lost,
            &lock("", false, 0),
        )
        .await;
        assert!(rule(&r).contains(&c.tag(out).await), "{e}: {r:?}");
        let open = format!(
            "select count(*) from key_incident where copy_id = {} and closed_at is null",
            lost.0
        );
        assert_eq!(one(db, &open).await, 1, "{e}: still waiting");

        // Back in, the lock change goes through and the backup is retired with it.
        c.give_back(out).await.expect("back");
        incidents::lock_changed(
            db,
            &clerk.actor,
            &clerk.caller,
            zh,
            lost,
            &lock("", false, 0),
        )
        .await
        .expect("lock changed");
        assert_eq!(c.status(out).await, "retired", "{e}");
        assert_eq!(one(db, &open).await, 0, "{e}");
        let r = c
            .lend(out, &c.form("maintenance", "inspection").await)
            .await;
        assert!(rule(&r).contains("已停用"), "{e}: {r:?}");
    }
}
