//! Renovation and the rest of the desk, on SQLite and PostgreSQL (issue 16):
//! the house is 装修中 in the register from the permit to the passed
//! acceptance, and back to what it was after; a key lent for a renovation
//! names the house's works under a permit in force, goes only to a worker
//! the permit lists (the ID number on their card), is due back by the works'
//! end, is not lent while the works are suspended, and shows on the
//! application's page.

mod common;

use app::keys::rules::LendForm;
use app::keys::CopyStatus;
use app::renovation::db::act;
use app::renovation::Action;
use common::keys::*;
use common::TestDb;

/// The demo's works running (1-1-1301) and the works waiting for acceptance (1-1-1302).
async fn demo_works(c: &Counter) -> (i64, i64) {
    let works = one(
        &c.db,
        "select id from renovation where state = 'works' order by id limit 1",
    )
    .await;
    let acceptance = one(
        &c.db,
        "select id from renovation where state = 'acceptance' order by id limit 1",
    )
    .await;
    (works, acceptance)
}

async fn house_status(c: &Counter, renovation: i64) -> String {
    text_of(
        &c.db,
        &format!(
            "select h.status from house h join renovation r on r.house_id = h.id where r.id = {renovation}"
        ),
    )
    .await
}

/// A worker the application lists: name and ID number.
async fn listed_worker(c: &Counter, renovation: i64) -> (String, String) {
    sqlx::query_as(
        "select name, id_number from renovation_worker where renovation_id = $1 order by position limit 1",
    )
    .bind(renovation)
    .fetch_one(&c.db.pool)
    .await
    .expect("a worker on the permit")
}

#[tokio::test]
async fn the_house_is_renovating_from_the_permit_to_the_acceptance() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let (works, acceptance) = demo_works(&c).await;
        // The demo's permits turned both houses to 装修中, each remembering what it was.
        for id in [works, acceptance] {
            assert_eq!(house_status(&c, id).await, "renovating", "{e}");
            let before = text_of(
                db,
                &format!("select status_before from renovation where id = {id}"),
            )
            .await;
            assert!(
                ["vacant", "occupied", "let"].contains(&before.as_str()),
                "{e} {before}"
            );
            let history = text_of(
                db,
                &format!(
                    "select c.reason from house_status_change c join renovation r on r.house_id = c.house_id \
                     where r.id = {id} and c.to_status = 'renovating' order by c.id desc limit 1"
                ),
            )
            .await;
            let permit = text_of(
                db,
                &format!("select permit_no from renovation where id = {id}"),
            )
            .await;
            assert!(history.contains(&permit), "{e}: {history}");
        }
        // The closed demo works (accepted, refunded) left their house as it was.
        let closed = one(
            db,
            "select id from renovation where state = 'closed' order by id limit 1",
        )
        .await;
        let before = text_of(
            db,
            &format!("select status_before from renovation where id = {closed}"),
        )
        .await;
        assert_eq!(house_status(&c, closed).await, before, "{e}");

        // Accepted: the house goes back to what it was before the works.
        let before = text_of(
            db,
            &format!("select status_before from renovation where id = {acceptance}"),
        )
        .await;
        let engineer = staff(db, "maintenance", c.ch).await;
        act::act(
            db,
            &engineer.actor,
            &engineer.caller,
            acceptance,
            Action::PassAcceptance,
            None,
            "",
        )
        .await
        .expect("passed");
        assert_eq!(house_status(&c, acceptance).await, before, "{e}");
        let back = one(
            db,
            &format!(
                "select count(*) from house_status_change c join renovation r on r.house_id = c.house_id \
                 where r.id = {acceptance} and c.from_status = 'renovating' and c.to_status = '{before}' \
                   and c.reason like '%验收%'"
            ),
        )
        .await;
        assert_eq!(back, 1, "{e}");
    }
}

#[tokio::test]
async fn a_renovation_key_goes_only_to_a_worker_on_a_permit_in_force() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let (works, acceptance) = demo_works(&c).await;
        // The demo's owner entrusted a key naming the contractor's worker, who has it now.
        let (worker, id_number) = listed_worker(&c, works).await;
        let copy = app::common::KeyCopyId(
            one(
                db,
                &format!("select copy_id from key_loan where renovation_id = {works}"),
            )
            .await,
        );
        let cl = &c.clerk;
        let permit = text_of(
            db,
            &format!("select permit_no from renovation where id = {works}"),
        )
        .await;
        let listed = app::keys::db::for_renovation(&db.pool, &cl.caller.scope, works)
            .await
            .expect("loans");
        assert_eq!(listed.len(), 1, "{e}");
        assert_eq!(
            (listed[0].taker.as_str(), listed[0].returned_at.is_none()),
            (worker.as_str(), true),
            "{e}"
        );
        assert_eq!(
            listed[0].renovation.as_ref().map(|r| r.name.clone()),
            Some(permit.clone()),
            "{e}"
        );
        // Another estate's clerk sees none of them.
        let jx = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;
        let theirs = app::keys::db::for_renovation(&db.pool, &jx.caller.scope, works)
            .await
            .expect("loans");
        assert!(theirs.is_empty(), "{e}");
        assert_eq!(
            c.give_back(copy).await.expect("back"),
            CopyStatus::InCabinet,
            "{e}"
        );

        let form = LendForm {
            taker_kind: "worker".into(),
            taker_name: worker.clone(),
            taker_phone: "139 0000 1111".into(),
            taker_id_number: id_number.clone(),
            purpose: "renovation".into(),
            renovation_id: works.to_string(),
            authorised_by: c.manager.id.to_string(),
            due: due_in(2),
            signed_on_paper: true,
            ..LendForm::default()
        };
        // The key's page offers the works under the permit.
        let page = app::keys::db::page(&db.pool, &cl.caller, copy)
            .await
            .expect("key page");
        let offered = page.lend.expect("lendable").renovations;
        assert_eq!(
            offered.iter().map(|r| r.id).collect::<Vec<_>>(),
            [works],
            "{e}"
        );

        let loans = || one(db, "select count(*) from key_loan");
        let before = loans().await;
        // Refused, each at its field, nothing written: no application named; a member of staff;
        // someone not on the permit; another house's works; due after the works end.
        let r = c
            .lend(
                copy,
                &LendForm {
                    renovation_id: String::new(),
                    ..form.clone()
                },
            )
            .await;
        assert!(field_error(&r, "renovation_id").contains("装修申请"), "{e}");
        let r = c
            .lend(
                copy,
                &LendForm {
                    taker_kind: "staff".into(),
                    taker_account_id: c.clerk.id.to_string(),
                    ..form.clone()
                },
            )
            .await;
        assert!(field_error(&r, "taker_kind").contains("施工人员"), "{e}");
        let r = c
            .lend(
                copy,
                &LendForm {
                    taker_id_number: "11010519491231002X".into(),
                    ..form.clone()
                },
            )
            .await;
        assert!(
            field_error(&r, "taker_id_number").contains("名单"),
            "{e}: {r:?}"
        );
        let r = c
            .lend(
                copy,
                &LendForm {
                    renovation_id: acceptance.to_string(),
                    ..form.clone()
                },
            )
            .await;
        assert!(
            field_error(&r, "renovation_id").contains("不是"),
            "{e}: {r:?}"
        );
        let planned_end = text_of(
            db,
            &format!("select planned_end from renovation where id = {works}"),
        )
        .await;
        sqlx::query("update renovation set planned_end = $1 where id = $2")
            .bind(desk_day(-1))
            .bind(works)
            .execute(&db.pool)
            .await
            .expect("ends yesterday");
        let r = c.lend(copy, &form).await;
        assert!(field_error(&r, "due").contains("许可期限"), "{e}: {r:?}");
        sqlx::query("update renovation set planned_end = $1 where id = $2")
            .bind(&planned_end)
            .bind(works)
            .execute(&db.pool)
            .await
            .expect("end restored");
        assert_eq!(loans().await, before, "{e}: nothing written");

        // The worker on the permit takes it again; the application's page lists both loans.
        let loan = c.lend(copy, &form).await.expect("lent");
        let listed = app::keys::db::for_renovation(&db.pool, &cl.caller.scope, works)
            .await
            .expect("loans");
        assert_eq!(
            listed.iter().map(|l| l.id).next(),
            Some(loan),
            "{e}: newest first"
        );
        assert_eq!(listed.len(), 2, "{e}");
        assert_eq!(
            c.give_back(copy).await.expect("back"),
            CopyStatus::InCabinet,
            "{e}"
        );

        // Suspended works get no renovation keys until they resume.
        act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            works,
            Action::Suspend,
            None,
            "违规拆改，责令停工",
        )
        .await
        .expect("suspended");
        let r = c.lend(copy, &form).await;
        assert!(rule(&r).contains("停工"), "{e}: {r:?}");
    }
}
