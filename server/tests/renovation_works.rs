//! Renovation's works in progress on SQLite and PostgreSQL (issue 16, part
//! 3): visits recorded by a reviewer or the desk — never by the applicant,
//! another estate or a worker who does not review — with a violation and
//! its deadline; an overdue rectification and a visit due stand out first on
//! the lists; the acceptance passes only once every violation is put right,
//! fails into a rectification and comes back on a re-inspection; an
//! extension asked with its new end and decided by a manager, which the
//! permit then prints; a suspension the gate's check shows.

mod common;

use app::db::time;
use app::renovation::db::works::VisitForm;
use app::renovation::db::{self as reno, act, permit, works};
use app::renovation::works::Flag;
use app::renovation::{Action, ListFilter, PermitVerdict, State};
use common::keys::*;
use common::TestDb;

/// The demo's works under a permit whose visit found a violation, and the one waiting for its acceptance.
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

async fn applicant(c: &Counter, id: i64) -> Person {
    let resident_id = one(
        &c.db,
        &format!("select applicant_id from renovation where id = {id}"),
    )
    .await;
    resident(&c.db, resident_id).await
}

fn visit(note: &str, violation: &str, deadline: &str) -> VisitForm {
    VisitForm {
        note: note.into(),
        violation: violation.into(),
        deadline: deadline.into(),
    }
}

#[tokio::test]
async fn visits_find_violations_which_are_put_right_before_the_acceptance_passes() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let engineer = staff(db, "maintenance", c.ch).await;
        let (id, _) = demo_works(&c).await;
        let owner = applicant(&c, id).await;

        // The demo's visit: the violation open, the next visit a week after it.
        let page = reno::page(&db.pool, &engineer.caller, id)
            .await
            .expect("page");
        assert!(page.can_inspect, "{e}");
        assert_eq!(page.inspections.len(), 1, "{e}");
        let found = page.inspections[0].violation.clone().expect("violation");
        assert_eq!(found.text, "建材堆放在楼道，堵塞消防通道。", "{e}");
        assert_eq!(found.deadline, desk_day(2), "{e}");
        // Put right only at a later visit than the one that found it.
        assert!(!found.overdue && !found.can_rectify, "{e}");
        assert_eq!(page.open_violations, 1, "{e}");
        assert_eq!(page.next_visit, desk_day(7), "{e}");
        assert!(!page.visit_due, "{e}");
        // The owner reads it too, by the service centre, and may put nothing on record.
        let theirs = reno::page(&db.pool, &owner.caller, id)
            .await
            .expect("owner's page");
        assert_eq!(theirs.inspections[0].inspector, "物业服务中心", "{e}");
        assert!(
            !theirs.can_inspect
                && !theirs.inspections[0]
                    .violation
                    .clone()
                    .expect("v")
                    .can_rectify,
            "{e}"
        );

        // Who may not visit: the applicant, a worker who does not review, another estate's clerk.
        let visits = || one(db, "select count(*) from renovation_inspection");
        let before = visits().await;
        let plumber = new_staff(db, "plumber2", "钱师傅", "maintenance", c.ch).await;
        let jx_clerk = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;
        for (who, p) in [
            ("owner", &owner),
            ("plumber", &plumber),
            ("jx clerk", &jx_clerk),
        ] {
            let r = works::inspect(db, &p.actor, &p.caller, id, None, &visit("看看", "", "")).await;
            assert!(r.is_err(), "{e} {who}: {r:?}");
            let r = works::rectified(db, &p.actor, &p.caller, found.id).await;
            assert!(r.is_err(), "{e} {who} rectifies: {r:?}");
        }
        // Bad input: no words, a past deadline, a deadline too far — refused at the field, nothing written.
        let r = works::inspect(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            None,
            &visit(" ", "", ""),
        )
        .await;
        assert!(field_error(&r, "note").contains("巡查"), "{e}");
        let r = works::inspect(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            None,
            &visit("现场检查", "夜间施工", &desk_day(-1)),
        )
        .await;
        assert!(field_error(&r, "deadline").contains("早于今天"), "{e}");
        let r = works::inspect(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            None,
            &visit("现场检查", "夜间施工", &desk_day(31)),
        )
        .await;
        assert!(field_error(&r, "deadline").contains("30"), "{e}");
        // A page that showed another state: someone acted first.
        let r = works::inspect(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Some(State::Acceptance),
            &visit("现场检查", "", ""),
        )
        .await;
        assert!(
            matches!(r, Err(app::error::AppError::Conflict(_))),
            "{e}: {r:?}"
        );
        assert_eq!(visits().await, before, "{e}: nothing written");

        // The acceptance waits for the violation; the reviewer finds it put right.
        act::act(
            db,
            &owner.actor,
            &owner.caller,
            id,
            Action::AskAcceptance,
            None,
            "",
        )
        .await
        .expect("acceptance asked");
        let r = act::act(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Action::PassAcceptance,
            None,
            "",
        )
        .await;
        assert!(rule(&r).contains("未整改"), "{e}");
        let r = works::rectified(db, &engineer.actor, &engineer.caller, found.id).await;
        assert!(rule(&r).contains("先登记"), "{e}: {r:?}");
        works::inspect(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            None,
            &visit("复查：楼道建材已清走", "", ""),
        )
        .await
        .expect("the next visit");
        let page = reno::page(&db.pool, &engineer.caller, id)
            .await
            .expect("page");
        assert!(
            page.inspections[1]
                .violation
                .clone()
                .expect("v")
                .can_rectify,
            "{e}"
        );
        works::rectified(db, &engineer.actor, &engineer.caller, found.id)
            .await
            .expect("put right");
        let twice = works::rectified(db, &engineer.actor, &engineer.caller, found.id).await;
        assert!(
            matches!(twice, Err(app::error::AppError::Conflict(_))),
            "{e}"
        );
        // It fails for something else, is put right and re-inspected, and passes.
        let r = act::act(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Action::FailAcceptance,
            None,
            "",
        )
        .await;
        assert!(field_error(&r, "note").contains("原因"), "{e}");
        let to = act::act(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Action::FailAcceptance,
            None,
            "卫生间闭水试验渗漏，须返修。",
        )
        .await
        .expect("failed");
        assert_eq!(to, State::Rectifying, "{e}");
        works::inspect(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Some(State::Rectifying),
            &visit("返修中", "", ""),
        )
        .await
        .expect("a visit during the rectification");
        act::act(
            db,
            &owner.actor,
            &owner.caller,
            id,
            Action::AskReinspection,
            None,
            "",
        )
        .await
        .expect("re-inspection asked");
        // Only a reviewer passes it.
        let r = act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            Action::PassAcceptance,
            None,
            "",
        )
        .await;
        forbidden(&r, "a manager passes no acceptance");
        let to = act::act(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Action::PassAcceptance,
            None,
            "",
        )
        .await
        .expect("passed");
        assert_eq!(to, State::Refund, "{e}");
        // Accepted works are visited no more.
        let r = works::inspect(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            None,
            &visit("再看", "", ""),
        )
        .await;
        assert!(rule_or_conflict(&r).contains("不在施工中"), "{e}");
        let page = reno::page(&db.pool, &engineer.caller, id)
            .await
            .expect("page");
        assert_eq!(page.open_violations, 0, "{e}");
        assert!(!page.can_inspect && page.next_visit.is_empty(), "{e}");
        let rectified = page
            .inspections
            .iter()
            .find_map(|v| v.violation.clone())
            .expect("the violation");
        assert!(
            rectified.rectified.contains("张师傅"),
            "{e}: {}",
            rectified.rectified
        );
        // The whole works' record is on the operation log.
        let logged = one(
            db,
            &format!(
                "select count(*) from audit_log where entity = 'renovation' and entity_id = '{id}' \
                 and action in ('renovation_visit', 'renovation_rectified')"
            ),
        )
        .await;
        assert_eq!(
            logged, 4,
            "{e}: the demo's visit is logged too, with the two visits and the rectification here"
        );
    }
}

/// A conflict's or a rule's words.
fn rule_or_conflict<T: std::fmt::Debug>(r: &Result<T, app::error::AppError>) -> String {
    match r {
        Err(app::error::AppError::Conflict(m) | app::error::AppError::Rule(m)) => m.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_overdue_rectification_and_a_visit_due_come_first() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let engineer = staff(db, "maintenance", c.ch).await;
        let (works_id, acceptance) = demo_works(&c).await;
        // As if the acceptance's works had been visited ten days ago and given
        // three days for a violation (the tables take only additions).
        let now = time::now();
        let visit = visited_on(db, acceptance, engineer.id, desk_day(-10), &now).await;
        sqlx::query(
            "insert into renovation_violation (renovation_id, inspection_id, text, deadline) values ($1, $2, '空调外机未按规定位置安装', $3)",
        )
        .bind(acceptance)
        .bind(visit)
        .bind(desk_day(-7))
        .execute(&db.pool)
        .await
        .expect("an old violation");

        let list = reno::list(&db.pool, &c.clerk.caller, c.ch, ListFilter::Works)
            .await
            .expect("works");
        let flags: Vec<(i64, Option<Flag>)> = list.rows.iter().map(|r| (r.id, r.flag)).collect();
        assert_eq!(
            flags,
            vec![
                (acceptance, Some(Flag::RectificationOverdue)),
                (works_id, None)
            ],
            "{e}: the overdue first, only works listed"
        );
        let page = reno::page(&db.pool, &c.clerk.caller, acceptance)
            .await
            .expect("page");
        let overdue = page
            .inspections
            .iter()
            .find_map(|v| v.violation.clone().filter(|x| x.overdue))
            .expect("overdue shown");
        assert_eq!(overdue.deadline, desk_day(-7), "{e}");
        // The phone's list: the same order, after the engineering reviews.
        let phone = reno::reviews(&db.pool, &engineer.caller)
            .await
            .expect("phone");
        let states: Vec<State> = phone.iter().map(|r| r.state).collect();
        let first_works = states
            .iter()
            .position(|s| *s != State::Engineering)
            .expect("works");
        assert!(
            states[..first_works]
                .iter()
                .all(|s| *s == State::Engineering),
            "{e}"
        );
        assert_eq!(phone[first_works].id, acceptance, "{e}");

        // A visit due: the works' last visit was more than the interval ago.
        setup_interval(&c, 3).await;
        let visit = visited_on(db, works_id, engineer.id, desk_day(-4), &now).await;
        assert!(visit > 0);
        // The demo's visit today is the last one: not due. Its day is what counts, not the order written.
        let list = reno::list(&db.pool, &c.clerk.caller, c.ch, ListFilter::Works)
            .await
            .expect("works");
        assert_eq!(list.rows[1].flag, None, "{e}");
        let page = reno::page(&db.pool, &c.clerk.caller, works_id)
            .await
            .expect("page");
        assert_eq!(page.next_visit, desk_day(3), "{e}");
    }
}

/// A visit written as if recorded on desk day `day` (visits are append-only:
/// the past is written, not edited). Returns its id.
async fn visited_on(
    db: &app::db::Database,
    renovation_id: i64,
    inspector: i64,
    day: String,
    now: &str,
) -> i64 {
    let (visit,): (i64,) = sqlx::query_as(
        "insert into renovation_inspection (renovation_id, inspector_id, inspector_name, note, day, at) \
         values ($1, $2, '张师傅', '较早的巡查', $3, $4) returning id",
    )
    .bind(renovation_id)
    .bind(inspector)
    .bind(day)
    .bind(now)
    .fetch_one(&db.pool)
    .await
    .expect("an earlier visit");
    visit
}

async fn setup_interval(c: &Counter, days: i64) {
    reno::setup::save(
        &c.db,
        &c.manager.actor,
        &c.manager.caller,
        c.ch,
        &days.to_string(),
        "08:00–18:00",
    )
    .await
    .expect("interval");
}

#[tokio::test]
async fn an_extension_moves_the_end_once_a_manager_approves_and_a_suspension_stops_the_permit() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let (id, _) = demo_works(&c).await;
        let owner = applicant(&c, id).await;
        let end = text_of(
            db,
            &format!("select planned_end from renovation where id = {id}"),
        )
        .await;
        let start = text_of(
            db,
            &format!("select planned_start from renovation where id = {id}"),
        )
        .await;
        let later = time::date_to_db(
            chrono::NaiveDate::parse_from_str(&end, "%Y-%m-%d").expect("end")
                + chrono::Duration::days(10),
        );

        // The new end must be later, and the works no longer than 180 days.
        let r = act::act_extending(
            db,
            &owner.actor,
            &owner.caller,
            id,
            Action::AskExtension,
            None,
            "",
            &end,
        )
        .await;
        assert!(field_error(&r, "extend_to").contains("晚于"), "{e}");
        let far = time::date_to_db(
            chrono::NaiveDate::parse_from_str(&start, "%Y-%m-%d").expect("start")
                + chrono::Duration::days(180),
        );
        let r = act::act_extending(
            db,
            &owner.actor,
            &owner.caller,
            id,
            Action::AskExtension,
            None,
            "",
            &far,
        )
        .await;
        assert!(field_error(&r, "extend_to").contains("180"), "{e}");
        assert_eq!(
            text_of(db, &format!("select state from renovation where id = {id}")).await,
            "works",
            "{e}: nothing written"
        );
        act::act_extending(
            db,
            &owner.actor,
            &owner.caller,
            id,
            Action::AskExtension,
            None,
            "瓷砖到货延迟",
            &later,
        )
        .await
        .expect("asked");
        let page = reno::page(&db.pool, &c.manager.caller, id)
            .await
            .expect("page");
        assert_eq!(
            (
                page.state,
                page.extension_end.as_str(),
                page.planned_end.as_str()
            ),
            (State::Extension, later.as_str(), end.as_str()),
            "{e}"
        );
        // It waits for the manager: on their list, not the clerk's to decide.
        let mine = reno::list(&db.pool, &c.manager.caller, c.ch, ListFilter::Mine)
            .await
            .expect("mine");
        assert!(
            mine.rows
                .iter()
                .any(|r| r.id == id && r.flag == Some(Flag::ExtensionAsked)),
            "{e}"
        );
        let r = act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::ApproveExtension,
            None,
            "",
        )
        .await;
        forbidden(&r, "a clerk approves no extension");
        act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            Action::ApproveExtension,
            None,
            "",
        )
        .await
        .expect("approved");
        let sheet = permit::sheet(&db.pool, &c.clerk.caller, id)
            .await
            .expect("permit");
        assert_eq!(
            sheet.planned_end, later,
            "{e}: the permit reprints with the new end"
        );
        let last = reno::page(&db.pool, &owner.caller, id).await.expect("page");
        assert!(last.extension_end.is_empty(), "{e}");
        assert!(
            last.timeline.last().expect("event").note.contains(&later),
            "{e}: the timeline names the new end"
        );

        // Suspended after a serious violation: the gate's check says so; resumed, valid again.
        let r = act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            Action::Suspend,
            None,
            "",
        )
        .await;
        assert!(field_error(&r, "note").contains("原因"), "{e}");
        act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            Action::Suspend,
            None,
            "擅自拆改墙体",
        )
        .await
        .expect("suspended");
        let token = text_of(
            db,
            &format!("select permit_token from renovation where id = {id}"),
        )
        .await;
        let security = staff(db, "security", c.ch).await;
        let check = permit::check(&db.pool, &security.caller, &token)
            .await
            .expect("check")
            .expect("known");
        assert_eq!(check.verdict, PermitVerdict::Suspended, "{e}");
        // A suspended site is still visited (the cause is checked).
        works::inspect(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            None,
            &visit("停工检查，墙体已恢复", "", ""),
        )
        .await
        .expect("visited while suspended");
        act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            Action::Resume,
            None,
            "",
        )
        .await
        .expect("resumed");
        let check = permit::check(&db.pool, &security.caller, &token)
            .await
            .expect("check")
            .expect("known");
        assert_eq!(check.verdict, PermitVerdict::Valid, "{e}");
    }
}
