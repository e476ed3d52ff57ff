//! Repair dispatch on SQLite and PostgreSQL: the pool race, the timeline, a
//! paid repair's charge on the house's bill, return visits that reopen or
//! escalate, rework counting, and refusals that change nothing.

mod common;

use app::common::{EstateScope, Lang, Residence};
use app::db::audit::Actor;
use app::db::Database;
use app::error::AppError;
use app::repairs::api as repairs_api;
use app::repairs::db::{self as repairs, ActInput, NewTicket, Viewer};
use app::repairs::{Action, Status};
use app::security::hashing::Hasher;
use app::visits::VisitInput;
use common::TestDb;

async fn demo(t: &TestDb) -> Database {
    // An internal error's cause is logged, not returned: show it in a failing test's output.
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
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

async fn account(db: &Database, username: &str) -> (i64, Actor, Viewer) {
    let (id, name): (i64, String) =
        sqlx::query_as("select id, display_name from account where username = $1")
            .bind(username)
            .fetch_one(&db.pool)
            .await
            .expect("account");
    let actor = Actor {
        account_id: Some(id),
        name,
        ip: None,
    };
    (
        id,
        actor,
        Viewer::Worker {
            account_id: id,
            scope: EstateScope::All,
        },
    )
}

fn clerk() -> (Actor, Viewer) {
    (
        Actor {
            account_id: None,
            name: "王小前".into(),
            ip: None,
        },
        Viewer::Desk(EstateScope::All),
    )
}

async fn report(db: &Database, number: &str, paid: bool) -> i64 {
    let estate = one(db, "select id from estate where code = 'CH'").await;
    let (actor, desk) = clerk();
    repairs::create(
        db,
        &actor,
        Lang::Zh,
        &desk,
        NewTicket {
            estate_id: estate,
            house_number: number.into(),
            category: "water".into(),
            description: "卫生间漏水".into(),
            urgency: "urgent".into(),
            paid,
            source: "phone".into(),
            reporter_name: "王建国".into(),
            reporter_phone: "13800000001".into(),
            ..Default::default()
        },
    )
    .await
    .expect("report")
}

async fn status(db: &Database, id: i64) -> String {
    let (s,): (String,) = sqlx::query_as("select status from repair_ticket where id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .expect("status");
    s
}

async fn timeline(db: &Database, id: i64) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("select action from repair_event where ticket_id = $1 order by id")
            .bind(id)
            .fetch_all(&db.pool)
            .await
            .expect("timeline");
    rows.into_iter().map(|(a,)| a).collect()
}

fn finish(notes: &str, labour: &str, materials: &str) -> ActInput {
    ActInput {
        work_notes: notes.into(),
        materials: "角阀 1 个".into(),
        labour: labour.into(),
        materials_cost: materials.into(),
        ..Default::default()
    }
}

fn visit(rating: i64, fixed: bool, comment: &str) -> ActInput {
    ActInput {
        visit: Some(VisitInput {
            rating,
            fixed,
            comment: comment.into(),
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn two_workers_grab_one_pool_ticket_and_one_gets_it() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let (a_id, a, a_view) = account(&db, "maintenance").await;
        let (b_id, b, b_view) = account(&db, "maintenance2").await;
        for round in 0..6 {
            let id = report(&db, "1-1-201", false).await;
            let (ra, rb) = tokio::join!(
                repairs::act(
                    &db,
                    &a,
                    Lang::Zh,
                    &a_view,
                    id,
                    Action::Pick,
                    ActInput::default()
                ),
                repairs::act(
                    &db,
                    &b,
                    Lang::Zh,
                    &b_view,
                    id,
                    Action::Pick,
                    ActInput::default()
                ),
            );
            let winners = [&ra, &rb].iter().filter(|r| r.is_ok()).count();
            assert_eq!(winners, 1, "{} round {round}: {ra:?} {rb:?}", t.engine);
            let loser = if ra.is_ok() { rb } else { ra };
            match loser {
                Err(AppError::Conflict(m)) => assert!(m.contains("已被其他师傅接走"), "{m}"),
                other => panic!("{}: the loser is told, got {other:?}", t.engine),
            }
            let (worker,): (Option<i64>,) =
                sqlx::query_as("select worker_id from repair_ticket where id = $1")
                    .bind(id)
                    .fetch_one(&db.pool)
                    .await
                    .expect("worker");
            assert!(worker == Some(a_id) || worker == Some(b_id));
            assert_eq!(status(&db, id).await, "accepted");
            // One pick on the timeline, not two.
            assert_eq!(timeline(&db, id).await, ["report", "pick"], "{}", t.engine);
        }
    }
}

#[tokio::test]
async fn a_paid_repair_goes_round_the_loop_with_rework_and_escalation() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let e = t.engine;
        let (clerk, desk) = clerk();
        let (zhang, z, z_view) = account(&db, "maintenance").await;
        let (_, l, l_view) = account(&db, "maintenance2").await;
        let id = report(&db, "1-1-101", true).await;
        let house = one(&db, "select id from house where number = '1-1-101' and estate_id = (select id from estate where code = 'CH')").await;

        let assign = ActInput {
            worker_id: zhang,
            ..Default::default()
        };
        assert_eq!(
            repairs::act(&db, &clerk, Lang::Zh, &desk, id, Action::Assign, assign)
                .await
                .expect("assign"),
            Status::Assigned
        );
        for action in [Action::Accept, Action::Start] {
            repairs::act(&db, &z, Lang::Zh, &z_view, id, action, ActInput::default())
                .await
                .expect("step");
        }
        assert_eq!(
            repairs::act(
                &db,
                &z,
                Lang::Zh,
                &z_view,
                id,
                Action::Finish,
                finish("更换角阀", "80", "35.5")
            )
            .await
            .expect("finish"),
            Status::Done
        );
        // The charge is a one-off bill line on the house: 115.50.
        let (amount, key): (i64, String) = sqlx::query_as(
            "select amount_fen, line_key from bill_line where house_id = $1 and line_key like 'repair:%'",
        )
        .bind(house)
        .fetch_one(&db.pool)
        .await
        .expect("charge line");
        assert_eq!((amount, key), (11550, format!("repair:{id}")), "{e}");

        // The return visit: rated 2, not fixed → reopened (rework) and escalated.
        assert_eq!(
            repairs::act(
                &db,
                &clerk,
                Lang::Zh,
                &desk,
                id,
                Action::Visit,
                visit(2, false, "还在滴水")
            )
            .await
            .expect("visit"),
            Status::Reopened
        );
        assert_eq!(status(&db, id).await, "reopened");
        assert_eq!(
            one(
                &db,
                &format!("select rework_count from repair_ticket where id = {id}")
            )
            .await,
            1
        );
        assert_eq!(
            one(&db, &format!("select count(*) from escalation where subject_kind = 'repair' and subject_id = {id} and status = 'open'")).await,
            1,
            "{e}"
        );
        let list = app::visits::db::list(&db.pool, &EstateScope::All, 0, "open")
            .await
            .expect("list");
        assert!(list
            .rows
            .iter()
            .any(|r| r.subject_id == id && r.comment == "还在滴水" && r.rating == 2));

        // The rework: another worker takes it from the pool; a second charge is refused.
        repairs::act(
            &db,
            &l,
            Lang::Zh,
            &l_view,
            id,
            Action::Pick,
            ActInput::default(),
        )
        .await
        .expect("pick");
        repairs::act(
            &db,
            &l,
            Lang::Zh,
            &l_view,
            id,
            Action::Start,
            ActInput::default(),
        )
        .await
        .expect("start");
        let again = repairs::act(
            &db,
            &l,
            Lang::Zh,
            &l_view,
            id,
            Action::Finish,
            finish("重新密封", "20", ""),
        )
        .await;
        assert!(again
            .expect_err("charged twice")
            .field_message("labour")
            .is_some());
        repairs::act(
            &db,
            &l,
            Lang::Zh,
            &l_view,
            id,
            Action::Finish,
            finish("重新密封", "", ""),
        )
        .await
        .expect("finish");
        assert_eq!(
            repairs::act(
                &db,
                &clerk,
                Lang::Zh,
                &desk,
                id,
                Action::Visit,
                visit(5, true, "")
            )
            .await
            .expect("visit"),
            Status::Closed
        );
        assert_eq!(
            timeline(&db, id).await,
            [
                "report", "assign", "accept", "start", "finish", "visit", "reopen", "pick",
                "start", "finish", "visit"
            ],
            "{e}"
        );
        // Still one charge line, and the statistics count the rework.
        assert_eq!(one(&db, &format!("select count(*) from bill_line where house_id = {house} and line_key like 'repair:%'")).await, 1);
        let today = app::db::time::desk_today();
        let stats = app::repairs::stats::stats(&db.pool, &EstateScope::All, 0, &today, &today)
            .await
            .expect("stats");
        assert!(
            stats.rework_permille.is_some_and(|p| p > 0),
            "{e}: {stats:?}"
        );
        assert_eq!(stats.visits, 2);
        assert_eq!(stats.avg_rating_centi, Some(350));
        // The timeline and visits cannot be rewritten.
        assert!(sqlx::query("update repair_event set note = 'x'")
            .execute(&db.pool)
            .await
            .is_err());
        assert!(sqlx::query("delete from return_visit")
            .execute(&db.pool)
            .await
            .is_err());
    }
}

#[tokio::test]
async fn refused_actions_change_nothing() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let e = t.engine;
        let (clerk, desk) = clerk();
        let (zhang, z, z_view) = account(&db, "maintenance").await;
        let (_, l, l_view) = account(&db, "maintenance2").await;
        let free = report(&db, "1-1-102", false).await;
        let events = |id| timeline(&db, id);
        let before = events(free).await;

        // Finishing a job nobody accepted; rating before done.
        let r = repairs::act(
            &db,
            &clerk,
            Lang::Zh,
            &desk,
            free,
            Action::Visit,
            visit(5, true, ""),
        )
        .await;
        assert!(matches!(r, Err(AppError::Rule(_))), "{e}: {r:?}");
        repairs::act(
            &db,
            &clerk,
            Lang::Zh,
            &desk,
            free,
            Action::Assign,
            ActInput {
                worker_id: zhang,
                ..Default::default()
            },
        )
        .await
        .expect("assign");
        let r = repairs::act(
            &db,
            &z,
            Lang::Zh,
            &z_view,
            free,
            Action::Finish,
            finish("x", "", ""),
        )
        .await;
        match r {
            Err(AppError::Rule(m)) => assert!(m.contains("已派工"), "{m}"),
            other => panic!("{e}: {other:?}"),
        }
        // Another worker acting on 张师傅's job.
        let r = repairs::act(
            &db,
            &l,
            Lang::Zh,
            &l_view,
            free,
            Action::Accept,
            ActInput::default(),
        )
        .await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{e}: {r:?}");
        assert!(matches!(
            repairs::detail(&db.pool, &l_view, free).await,
            Err(AppError::Forbidden)
        ));
        // A charge on a free repair.
        for action in [Action::Accept, Action::Start] {
            repairs::act(
                &db,
                &z,
                Lang::Zh,
                &z_view,
                free,
                action,
                ActInput::default(),
            )
            .await
            .expect("step");
        }
        let r = repairs::act(
            &db,
            &z,
            Lang::Zh,
            &z_view,
            free,
            Action::Finish,
            finish("修好", "50", ""),
        )
        .await;
        let err = r.expect_err("charge on a free repair");
        assert!(
            err.field_message("labour")
                .is_some_and(|m| m.contains("免费")),
            "{e}: {err:?}"
        );
        assert_eq!(status(&db, free).await, "in_progress");
        assert_eq!(
            events(free).await.len(),
            before.len() + 3,
            "assign, accept, start only"
        );
        assert_eq!(
            one(
                &db,
                "select count(*) from bill_line where line_key like 'repair:%'"
            )
            .await,
            0
        );
        // Handing back needs a reason.
        let r = repairs::act(
            &db,
            &z,
            Lang::Zh,
            &z_view,
            free,
            Action::HandBack,
            ActInput::default(),
        )
        .await;
        assert!(r.expect_err("no reason").field_message("reason").is_some());
        // Handed back, it waits in the pool again, its response clock running from the report.
        let back = ActInput {
            reason: "需要电工配合".into(),
            ..Default::default()
        };
        repairs::act(&db, &z, Lang::Zh, &z_view, free, Action::HandBack, back)
            .await
            .expect("hand back");
        let (worker, accepted): (Option<i64>, Option<String>) =
            sqlx::query_as("select worker_id, accepted_at from repair_ticket where id = $1")
                .bind(free)
                .fetch_one(&db.pool)
                .await
                .expect("ticket");
        assert_eq!((worker, accepted), (None, None), "{e}");
        assert_eq!(status(&db, free).await, "submitted");
        // The desk makes it a paid repair after all; the clerk's correction is on the timeline.
        repairs::set_paid(&db, &clerk, Lang::Zh, &EstateScope::All, free, true)
            .await
            .expect("paid");
        assert_eq!(
            events(free).await.last().map(String::as_str),
            Some("set_paid")
        );
        let jx_only = EstateScope::Only(vec![
            one(&db, "select id from estate where code = 'JX'").await,
        ]);
        assert!(matches!(
            repairs::set_paid(&db, &clerk, Lang::Zh, &jx_only, free, false).await,
            Err(AppError::Forbidden)
        ));

        // A resident: only their own houses, cancel only while unassigned.
        let (resident_id,): (i64,) =
            sqlx::query_as("select id from resident where mobile = '13800000001'")
                .fetch_one(&db.pool)
                .await
                .expect("resident");
        let own = one(&db, "select id from house where number = '1-1-101' and estate_id = (select id from estate where code = 'CH')").await;
        let other = one(&db, "select id from house where number = '1-1-102' and estate_id = (select id from estate where code = 'CH')").await;
        let resident = Viewer::Resident {
            resident_id,
            houses: vec![Residence {
                house_id: own,
                from: "2000-01-01T00:00:00.000000Z".into(),
            }],
        };
        let ticket = |house_id| NewTicket {
            house_id,
            category: "water".into(),
            description: "漏水".into(),
            urgency: "normal".into(),
            reporter_name: "王建国".into(),
            reporter_phone: "13800000001".into(),
            ..Default::default()
        };
        let count = one(&db, "select count(*) from repair_ticket").await;
        let r = repairs::create(&db, &clerk, Lang::Zh, &resident, ticket(other)).await;
        assert!(r.expect_err("not theirs").field_message("place").is_some());
        assert_eq!(one(&db, "select count(*) from repair_ticket").await, count);
        // Another estate's common area is not a resident's to report on.
        let jx = one(&db, "select id from estate where code = 'JX'").await;
        let jx_lobby = repairs::add_location(&db, &clerk, Lang::Zh, jx, "JX 大堂")
            .await
            .expect("location");
        // The same name twice in one estate: the form's message under the name, nothing written.
        let locations = one(&db, "select count(*) from repair_location").await;
        let again = repairs::add_location(&db, &clerk, Lang::Zh, jx, "JX 大堂")
            .await
            .expect_err("a second JX 大堂");
        assert_eq!(
            again.field_message("name"),
            Some(app::i18n::tr(Lang::Zh, "repairs.invalid.location_exists")),
            "{}",
            t.engine
        );
        assert_eq!(
            one(&db, "select count(*) from repair_location").await,
            locations
        );
        let r = repairs::create(
            &db,
            &clerk,
            Lang::Zh,
            &resident,
            NewTicket {
                location_id: jx_lobby,
                ..ticket(0)
            },
        )
        .await;
        assert!(
            r.expect_err("other estate")
                .field_message("place")
                .is_some(),
            "{e}"
        );
        assert_eq!(one(&db, "select count(*) from repair_ticket").await, count);
        let mine = repairs::create(&db, &clerk, Lang::Zh, &resident, ticket(own))
            .await
            .expect("own house");
        assert!(matches!(
            repairs::detail(&db.pool, &resident, free).await,
            Err(AppError::Forbidden)
        ));
        // A later occupant of the house does not see what was reported before they moved in.
        let newcomer = Viewer::Resident {
            resident_id: resident_id + 100_000,
            houses: vec![Residence {
                house_id: own,
                from: "2999-01-01T00:00:00.000000Z".into(),
            }],
        };
        assert!(matches!(
            repairs::detail(&db.pool, &newcomer, mine).await,
            Err(AppError::Forbidden)
        ));
        assert!(repairs::portal_list(&db.pool, &newcomer)
            .await
            .expect("list")
            .is_empty());
        assert!(repairs::portal_list(&db.pool, &resident)
            .await
            .expect("list")
            .iter()
            .any(|r| r.id == mine));
        repairs::act(
            &db,
            &clerk,
            Lang::Zh,
            &desk,
            mine,
            Action::Assign,
            ActInput {
                worker_id: zhang,
                ..Default::default()
            },
        )
        .await
        .expect("assign");
        let cancel = ActInput {
            reason: "不修了".into(),
            ..Default::default()
        };
        let r = repairs::act(
            &db,
            &clerk,
            Lang::Zh,
            &resident,
            mine,
            Action::Cancel,
            cancel.clone(),
        )
        .await;
        assert!(r.is_err(), "{e}: cancelled after assignment");
        assert_eq!(status(&db, mine).await, "assigned");
        // The desk may still cancel it, with the reason on the ticket.
        repairs::act(&db, &clerk, Lang::Zh, &desk, mine, Action::Cancel, cancel)
            .await
            .expect("desk cancels");
        let (reason,): (Option<String>,) =
            sqlx::query_as("select cancel_reason from repair_ticket where id = $1")
                .bind(mine)
                .fetch_one(&db.pool)
                .await
                .expect("reason");
        assert_eq!(reason.as_deref(), Some("不修了"));
    }
}

#[tokio::test]
async fn late_tickets_sort_first_and_the_worker_sees_his_queue() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let (zhang, _, _) = account(&db, "maintenance").await;
        let late = report(&db, "2-2-201", false).await;
        sqlx::query("update repair_ticket set response_due_at = '2020-01-01T00:00:00.000000Z', urgency = 'normal' where id = $1")
            .bind(late)
            .execute(&db.pool)
            .await
            .expect("make it late");
        let list = repairs::desk_list(&db.pool, &EstateScope::All, 0, "open", false, true, true)
            .await
            .expect("list");
        assert_eq!(list.rows[0].id, late, "{}", t.engine);
        assert!(list.rows[0].late.response);
        assert!(!list.rows[1..].iter().any(|r| r.late.any()));
        let only_late =
            repairs::desk_list(&db.pool, &EstateScope::All, 0, "open", true, true, true)
                .await
                .expect("list");
        assert_eq!(only_late.rows.len(), 1);
        // The demo gives 张师傅 three jobs (two in flats, the pump room's); the pool
        // holds the unassigned ones, late first.
        let q = repairs::queue(&db.pool, zhang, &EstateScope::All)
            .await
            .expect("queue");
        assert_eq!(q.mine.len(), 3, "{}", t.engine);
        assert_eq!(q.pool[0].id, late);
        assert!(q.pool.iter().all(|r| r.worker.is_none()));
        // The suggestion for a water job is the plumber with the lighter load.
        let detail = repairs::detail(&db.pool, &Viewer::Desk(EstateScope::All), late)
            .await
            .expect("detail");
        assert!(detail.workers[0].skills.contains(&"water".to_string()));
        assert!(detail.actions.contains(&Action::Assign));
    }
}

/// The portal's caller for a resident (what the session middleware builds,
/// their houses resolved as it resolves them).
async fn portal_caller(db: &Database, resident_id: i64) -> app::common::Caller {
    app::common::Caller {
        account_id: 0,
        role: app::common::Role::Resident,
        display_name: "住户".into(),
        lang: Lang::Zh,
        scope: EstateScope::Only(Vec::new()),
        resident_id: Some(resident_id),
        residences: app::auth::residence::residences(&db.pool, resident_id)
            .await
            .expect("residences"),
    }
}

/// Ends every open occupancy of `house_id` today and moves a new owner in today.
async fn sell(db: &Database, house_id: i64) -> i64 {
    let today = app::db::time::desk_today();
    let open: Vec<(i64,)> =
        sqlx::query_as("select id from occupancy where house_id = $1 and end_date is null")
            .bind(house_id)
            .fetch_all(&db.pool)
            .await
            .expect("occupancies");
    let estate = one(
        db,
        &format!("select estate_id from house where id = {house_id}"),
    )
    .await;
    let mut tx = db.write(Actor::system("test")).await.expect("tx");
    for (id,) in open {
        app::estate::db::end_occupancy(&mut tx, id, &today)
            .await
            .expect("end");
    }
    let (resident_id, _) = app::estate::db::add_occupant(
        &mut tx,
        app::common::EstateId(estate),
        app::common::HouseId(house_id),
        &app::estate::db::NewOccupant {
            name: "钱新业",
            mobile: "13911112222",
            id_number: None,
            role: app::estate::OccupancyRole::Owner,
            start_date: &today,
        },
    )
    .await
    .expect("move in");
    tx.commit().await.expect("commit");
    resident_id
}

#[tokio::test]
async fn a_reporter_who_moved_out_can_no_longer_read_cancel_rate_or_add_photos() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let e = t.engine;
        let (clerk, desk) = clerk();
        let (zhang, z, z_view) = account(&db, "maintenance").await;
        let estate = one(&db, "select id from estate where code = 'CH'").await;
        let house = one(&db, "select id from house where number = '1-1-102' and estate_id = (select id from estate where code = 'CH')").await;
        let owner = one(&db, &format!("select resident_id from occupancy where house_id = {house} and role = 'owner' and end_date is null")).await;
        let viewer = repairs_api::viewer(&portal_caller(&db, owner).await).expect("viewer");
        let me = Actor {
            account_id: None,
            name: "业主".into(),
            ip: None,
        };
        let lobby = one(
            &db,
            &format!(
                "select id from repair_location where estate_id = {estate} and name = '1 栋大堂'"
            ),
        )
        .await;
        let ticket = |house_id, location_id| NewTicket {
            house_id,
            location_id,
            category: "water".into(),
            description: "漏水".into(),
            urgency: "normal".into(),
            reporter_name: "业主".into(),
            reporter_phone: "13800000002".into(),
            ..Default::default()
        };
        let report = |house_id, location_id| {
            let (db, me, viewer) = (&db, &me, &viewer);
            let input = ticket(house_id, location_id);
            async move {
                repairs::create(db, me, Lang::Zh, viewer, input)
                    .await
                    .expect("report")
            }
        };
        let open = report(house, 0).await;
        let done = report(house, 0).await;
        let common = report(0, lobby).await;
        repairs::act(
            &db,
            &clerk,
            Lang::Zh,
            &desk,
            done,
            Action::Assign,
            ActInput {
                worker_id: zhang,
                ..Default::default()
            },
        )
        .await
        .expect("assign");
        for action in [Action::Accept, Action::Start] {
            repairs::act(
                &db,
                &z,
                Lang::Zh,
                &z_view,
                done,
                action,
                ActInput::default(),
            )
            .await
            .expect("step");
        }
        repairs::act(
            &db,
            &z,
            Lang::Zh,
            &z_view,
            done,
            Action::Finish,
            finish("修好", "", ""),
        )
        .await
        .expect("finish");
        // While they live there, all three are theirs.
        for id in [open, done, common] {
            repairs::detail(&db.pool, &viewer, id)
                .await
                .expect("own ticket");
        }

        // They sell the house; the new owner moves in today.
        sell(&db, house).await;
        let gone = repairs_api::viewer(&portal_caller(&db, owner).await).expect("viewer");
        let before: Vec<Vec<String>> = vec![
            timeline(&db, open).await,
            timeline(&db, done).await,
            timeline(&db, common).await,
        ];
        for id in [open, done, common] {
            let r = repairs::detail(&db.pool, &gone, id).await;
            assert!(
                matches!(r, Err(AppError::Forbidden)),
                "{e}: read #{id}: {r:?}"
            );
            let r = repairs::photo_access(&db.pool, &gone, id).await;
            assert!(
                matches!(r, Err(AppError::Forbidden)),
                "{e}: photos #{id}: {r:?}"
            );
            let r = repairs::add_photos(&db, &me, Lang::Zh, &gone, id, Vec::new()).await;
            assert!(
                matches!(r, Err(AppError::Forbidden)),
                "{e}: add photos #{id}: {r:?}"
            );
        }
        for id in [open, common] {
            let r = repairs::act(
                &db,
                &me,
                Lang::Zh,
                &gone,
                id,
                Action::Cancel,
                ActInput {
                    reason: "不修了".into(),
                    ..Default::default()
                },
            )
            .await;
            assert!(
                matches!(r, Err(AppError::Forbidden)),
                "{e}: cancel #{id}: {r:?}"
            );
        }
        let r = repairs::act(
            &db,
            &me,
            Lang::Zh,
            &gone,
            done,
            Action::Visit,
            visit(5, true, ""),
        )
        .await;
        assert!(matches!(r, Err(AppError::Forbidden)), "{e}: rate: {r:?}");
        assert!(repairs::portal_list(&db.pool, &gone)
            .await
            .expect("list")
            .is_empty());
        // Nothing changed: states, timelines, no return visit.
        assert_eq!(status(&db, open).await, "submitted", "{e}");
        assert_eq!(status(&db, common).await, "submitted", "{e}");
        assert_eq!(status(&db, done).await, "done", "{e}");
        assert_eq!(
            vec![
                timeline(&db, open).await,
                timeline(&db, done).await,
                timeline(&db, common).await,
            ],
            before,
            "{e}"
        );
        assert_eq!(
            one(&db, &format!("select count(*) from return_visit where subject_kind = 'repair' and subject_id = {done}")).await,
            0,
            "{e}"
        );
        // The desk still runs the return visit.
        repairs::act(
            &db,
            &clerk,
            Lang::Zh,
            &desk,
            done,
            Action::Visit,
            visit(5, true, ""),
        )
        .await
        .expect("desk visit");
    }
}

#[tokio::test]
async fn the_report_form_carries_no_full_mobile_and_its_masked_prefill_still_files_the_number() {
    for t in TestDb::both().await {
        let db = demo(&t).await;
        let e = t.engine;
        let (clerk, desk) = clerk();
        let estate = one(&db, "select id from estate where code = 'CH'").await;
        let resident_id = one(&db, "select id from resident where mobile = '13800000001'").await;
        let own = one(&db, "select id from house where number = '1-1-101' and estate_id = (select id from estate where code = 'CH')").await;
        // The desk, coming from 1-1-101's page: 王建国 fills the form, his number masked.
        let form = repairs::report_form(&db.pool, &desk, estate, "1-1-101")
            .await
            .expect("form");
        let json = serde_json::to_string(&form).expect("json");
        assert!(!json.contains("13800000001"), "{e}: {json}");
        assert_eq!(form.reporter_name, "王建国", "{e}");
        assert_eq!(form.reporter_phone, "138****0001", "{e}");
        // The portal's form: the resident's own number is not sent either.
        let portal = Viewer::Resident {
            resident_id,
            houses: vec![Residence {
                house_id: own,
                from: "2000-01-01T00:00:00.000000Z".into(),
            }],
        };
        let json = serde_json::to_string(
            &repairs::report_form(&db.pool, &portal, 0, "")
                .await
                .expect("form"),
        )
        .expect("json");
        assert!(!json.contains("13800000001"), "{e}: {json}");

        // Sent back unchanged, the masked prefill files the register's number (the worker rings it).
        let ticket = |phone: &str| NewTicket {
            estate_id: estate,
            house_number: "1-1-101".into(),
            category: "water".into(),
            description: "卫生间漏水".into(),
            urgency: "normal".into(),
            source: "phone".into(),
            reporter_name: form.reporter_name.clone(),
            reporter_phone: phone.into(),
            ..Default::default()
        };
        let id = repairs::create(&db, &clerk, Lang::Zh, &desk, ticket(&form.reporter_phone))
            .await
            .expect("report");
        let (phone,): (String,) =
            sqlx::query_as("select reporter_phone from repair_ticket where id = $1")
                .bind(id)
                .fetch_one(&db.pool)
                .await
                .expect("phone");
        assert_eq!(phone, "13800000001", "{e}");
        // A masked number that is not the occupant's is refused, and nothing is filed.
        let count = one(&db, "select count(*) from repair_ticket").await;
        let r = repairs::create(&db, &clerk, Lang::Zh, &desk, ticket("139****0001")).await;
        assert!(
            r.as_ref()
                .err()
                .and_then(|e| e.field_message("reporter_phone"))
                .is_some(),
            "{e}: {r:?}"
        );
        assert_eq!(
            one(&db, "select count(*) from repair_ticket").await,
            count,
            "{e}"
        );
    }
}
