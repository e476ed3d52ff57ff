//! Renovation approvals on SQLite and PostgreSQL (issue 16, part 1): an owner
//! applies in the portal — a prohibited item refused with its rule, nothing
//! written — then without it; the desk returns it for what is missing, the
//! owner resubmits, the desk checks it, the engineering reviewer and the
//! manager approve it, each step on the timeline and in the operation log;
//! the wrong person or the wrong moment is refused and changes nothing; two
//! reviewers at once: one wins; the estate's own prohibited items.

mod common;

use app::common::Lang;
use app::error::AppError;
use app::renovation::db::{self as reno, act, apply, setup};
use app::renovation::rules::{ApplicationForm, WorkerForm};
use app::renovation::{Action, Channel, State};
use common::keys::*;
use common::TestDb;

/// The demo resident 王建国, owner of 1-1-101, signed in to the portal.
async fn owner(c: &Counter) -> (Person, i64) {
    let resident_id = one(
        &c.db,
        "select id from resident where mobile = '13800000001'",
    )
    .await;
    let house = c.house("1-1-101").await;
    (resident(&c.db, resident_id).await, house)
}

async fn scope_id(c: &Counter, name: &str) -> i64 {
    let scope = reno::scope(&c.db, c.ch, Lang::Zh).await.expect("scope");
    scope
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{name}"))
        .id
}

async fn form(c: &Counter, items: &[&str]) -> ApplicationForm {
    let mut ids = Vec::new();
    for i in items {
        ids.push((scope_id(c, i).await, String::new()));
    }
    ApplicationForm {
        contractor: "美家装饰工程有限公司".into(),
        licence_no: "91310115MA1H0001X".into(),
        foreman: "周建华".into(),
        foreman_mobile: "13912345678".into(),
        planned_start: desk_day(2),
        planned_end: desk_day(40),
        description: "厨卫翻新".into(),
        owner_consent: String::new(),
        workers: vec![WorkerForm {
            name: "李强".into(),
            mobile: "13700001111".into(),
            id_number: "110101199003074514".into(),
        }],
        items: ids,
    }
}

async fn count(c: &Counter, sql: &str) -> i64 {
    one(&c.db, sql).await
}

async fn state(c: &Counter, id: i64) -> State {
    reno::find(&c.db.pool, id)
        .await
        .expect("find")
        .expect("there")
        .state
}

#[tokio::test]
async fn an_owner_applies_in_the_portal_and_it_goes_through_every_review() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let (owner, house) = owner(&c).await;
        let engineer = staff(db, "maintenance", c.ch).await;
        let apps_before = count(&c, "select count(*) from renovation").await;
        let audit_before = count(&c, "select count(*) from audit_log").await;

        // A prohibited item is refused with the rule that forbids it, and nothing is written.
        let with_wall = form(&c, &["墙面", "拆改承重墙"]).await;
        let refused = apply::apply(db, &owner.actor, &owner.caller, house, 0, &with_wall).await;
        let message = field_error(&refused, "items");
        assert!(message.contains("「拆改承重墙」不得施工"), "{e}: {message}");
        assert!(message.contains("承重结构"), "{e}: {message}");
        assert_eq!(
            count(&c, "select count(*) from renovation").await,
            apps_before,
            "{e}"
        );
        assert_eq!(
            count(&c, "select count(*) from audit_log").await,
            audit_before,
            "{e}"
        );

        // Without it, the application is made for the owner themselves, whatever the form names.
        let good = form(&c, &["墙面", "厨房"]).await;
        let id = apply::apply(db, &owner.actor, &owner.caller, house, 999_999, &good)
            .await
            .expect("apply");
        let app = reno::find(&db.pool, id)
            .await
            .expect("find")
            .expect("there");
        assert_eq!(
            (app.state, app.channel),
            (State::Submitted, Channel::Portal),
            "{e}"
        );
        assert_eq!(app.applicant, "王建国", "{e}");
        assert!(app.app_no.starts_with("ZX20"), "{e}: {}", app.app_no);
        // One application under way per house.
        let twice = apply::apply(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            house,
            app.applicant_id,
            &good,
        )
        .await;
        assert!(
            matches!(twice, Err(AppError::Conflict(_))),
            "{e}: {twice:?}"
        );

        // The resident cannot check their own application; the clerk returns it, with words.
        let own = act::act(db, &owner.actor, &owner.caller, id, Action::Check, None, "").await;
        forbidden(&own, "a resident checking");
        let silent = act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::Return,
            None,
            " ",
        )
        .await;
        assert!(field_error(&silent, "note").contains("原因"), "{e}");
        act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::Return,
            None,
            "请补交厨房水电走向图。",
        )
        .await
        .expect("return");
        let page = reno::page(&db.pool, &owner.caller, id)
            .await
            .expect("portal page");
        assert_eq!(page.state, State::Returned, "{e}");
        assert_eq!(page.last_reason, "请补交厨房水电走向图。", "{e}");
        assert_eq!(
            page.offered,
            vec![Action::Resubmit, Action::Withdraw],
            "{e}"
        );
        act::act(
            db,
            &owner.actor,
            &owner.caller,
            id,
            Action::Resubmit,
            None,
            "已交到前台。",
        )
        .await
        .expect("resubmit");
        act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::Check,
            None,
            "",
        )
        .await
        .expect("check");

        // Engineering: not the clerk's step, nor the manager's; the reviewer approves.
        let clerk_approves = act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::Approve,
            None,
            "",
        )
        .await;
        forbidden(&clerk_approves, "a clerk approving engineering");
        act::act(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Action::Approve,
            None,
            "水电走向合理。",
        )
        .await
        .expect("engineering");
        // The manager's approval: not a clerk's.
        let clerk_manager = act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::ManagerApprove,
            None,
            "",
        )
        .await;
        forbidden(&clerk_manager, "a clerk approving as manager");
        act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            Action::ManagerApprove,
            None,
            "",
        )
        .await
        .expect("manager");
        assert_eq!(state(&c, id).await, State::Payment, "{e}");
        // The same step again is refused as not now.
        let again = act::act(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            Action::ManagerApprove,
            None,
            "",
        )
        .await;
        assert!(
            matches!(again, Err(AppError::Conflict(_))),
            "{e}: {again:?}"
        );
        // Steps of part 2 are not taken yet.
        let permit = act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::IssuePermit,
            None,
            "",
        )
        .await;
        assert!(matches!(permit, Err(AppError::Rule(_))), "{e}: {permit:?}");

        // The timeline: every step with who and when; the portal names no staff.
        let desk = reno::page(&db.pool, &c.clerk.caller, id)
            .await
            .expect("desk page");
        let steps: Vec<(Option<Action>, State)> =
            desk.timeline.iter().map(|t| (t.action, t.to)).collect();
        assert_eq!(
            steps,
            vec![
                (None, State::Submitted),
                (Some(Action::Return), State::Returned),
                (Some(Action::Resubmit), State::Submitted),
                (Some(Action::Check), State::Engineering),
                (Some(Action::Approve), State::Approval),
                (Some(Action::ManagerApprove), State::Payment),
            ],
            "{e}"
        );
        assert_eq!(desk.timeline[4].actor, engineer.caller.display_name, "{e}");
        assert_eq!(desk.timeline[4].note, "水电走向合理。", "{e}");
        let portal = reno::page(&db.pool, &owner.caller, id)
            .await
            .expect("portal page");
        assert_eq!(portal.timeline[0].actor, "王建国", "{e}");
        assert_eq!(portal.timeline[3].actor, "物业服务中心", "{e}");
        assert_eq!(portal.timeline[2].actor, "王建国", "{e}");
        // Personal data masked on every page; the desk's reveal is audited.
        assert_eq!(desk.foreman_mobile_masked, "139****5678", "{e}");
        assert_eq!(desk.workers[0].id_masked.len(), 18, "{e}");
        assert!(!desk.workers[0].id_masked.contains("19900307"), "{e}");
        assert!(desk.can_reveal && !portal.can_reveal, "{e}");
        let reveals = count(
            &c,
            "select count(*) from audit_log where action = 'reveal_id_number'",
        )
        .await;
        let full = reno::reveal(
            &db.pool,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Some(desk.workers[0].id),
            app::estate::PersonalField::IdNumber,
        )
        .await
        .expect("reveal");
        assert_eq!(full, "110101199003074514", "{e}");
        assert_eq!(
            count(
                &c,
                "select count(*) from audit_log where action = 'reveal_id_number'"
            )
            .await,
            reveals + 1,
            "{e}"
        );
        let resident_reveal = reno::reveal(
            &db.pool,
            &owner.actor,
            &owner.caller,
            id,
            None,
            app::estate::PersonalField::Mobile,
        )
        .await;
        assert!(resident_reveal.is_err(), "{e}");
        // Each step is in the operation log, and the timeline cannot be rewritten.
        let logged = count(
            &c,
            &format!(
                "select count(*) from audit_log where entity = 'renovation' and entity_id = '{id}'"
            ),
        )
        .await;
        assert_eq!(logged, 6, "{e}");
        let rewrite =
            sqlx::query("update renovation_event set note = 'x' where renovation_id = $1")
                .bind(id)
                .execute(&db.pool)
                .await;
        assert!(rewrite.is_err(), "{e}: the timeline is append-only");
        // After the permit stage the applicant can still withdraw (before the permit).
        act::act(
            db,
            &owner.actor,
            &owner.caller,
            id,
            Action::Withdraw,
            None,
            "改期装修。",
        )
        .await
        .expect("withdraw");
        assert_eq!(state(&c, id).await, State::Withdrawn, "{e}");
        // A new application for the house is possible again.
        apply::apply(db, &owner.actor, &owner.caller, house, 0, &good)
            .await
            .expect("apply again");
    }
}

#[tokio::test]
async fn the_wrong_people_see_nothing_and_two_reviewers_at_once_make_one_step() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let (owner, house) = owner(&c).await;
        let id = apply::apply(
            db,
            &owner.actor,
            &owner.caller,
            house,
            0,
            &form(&c, &["墙面"]).await,
        )
        .await
        .expect("apply");
        // A clerk of the other estate, a worker who does not review, another resident.
        let jx_clerk = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;
        forbidden(
            &reno::page(&db.pool, &jx_clerk.caller, id).await,
            "another estate's clerk",
        );
        forbidden(
            &act::act(
                db,
                &jx_clerk.actor,
                &jx_clerk.caller,
                id,
                Action::Check,
                None,
                "",
            )
            .await,
            "another estate's clerk acting",
        );
        let worker = staff(db, "maintenance2", c.ch).await;
        forbidden(
            &reno::page(&db.pool, &worker.caller, id).await,
            "a worker who does not review",
        );
        let neighbour_id = one(
            db,
            "select o.resident_id from occupancy o join house h on h.id = o.house_id \
             where h.number = '1-1-102' and o.end_date is null limit 1",
        )
        .await;
        let neighbour = resident(db, neighbour_id).await;
        assert!(
            matches!(
                reno::page(&db.pool, &neighbour.caller, id).await,
                Err(AppError::NotFound)
            ),
            "{e}"
        );
        assert!(
            matches!(
                act::act(
                    db,
                    &neighbour.actor,
                    &neighbour.caller,
                    id,
                    Action::Withdraw,
                    None,
                    "x"
                )
                .await,
                Err(AppError::NotFound)
            ),
            "{e}"
        );
        assert_eq!(state(&c, id).await, State::Submitted, "{e}");

        // Two reviewers approve at the same moment: one step is taken, the other is told.
        act::act(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            Action::Check,
            None,
            "",
        )
        .await
        .expect("check");
        setup::set_reviewer(
            db,
            &c.manager.actor,
            &c.manager.caller,
            c.ch,
            worker.id,
            true,
        )
        .await
        .expect("second reviewer");
        let first = staff(db, "maintenance", c.ch).await;
        let (a, b) = tokio::join!(
            act::act(
                db,
                &first.actor,
                &first.caller,
                id,
                Action::Approve,
                Some(State::Engineering),
                ""
            ),
            act::act(
                db,
                &worker.actor,
                &worker.caller,
                id,
                Action::Reject,
                Some(State::Engineering),
                "不合规"
            ),
        );
        assert!(a.is_ok() != b.is_ok(), "{e}: exactly one wins: {a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(
            matches!(loser, Err(AppError::Conflict(_))),
            "{e}: {loser:?}"
        );
        let events = one(
            db,
            &format!("select count(*) from renovation_event where renovation_id = {id}"),
        )
        .await;
        assert_eq!(events, 3, "{e}: applied, checked, one review");
    }
}

#[tokio::test]
async fn an_estate_adds_its_own_prohibited_item_with_its_rule() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let m = &c.manager;
        // A prohibited item needs its rule; a clerk cannot edit the list.
        let no_rule = setup::add_scope(db, &m.actor, &m.caller, c.ch, "封闭阳台", true, " ").await;
        assert!(field_error(&no_rule, "rule").contains("依据"), "{e}");
        setup::add_scope(
            db,
            &m.actor,
            &m.caller,
            c.ch,
            "封闭阳台",
            true,
            "本小区管理规约第十二条：阳台不得封闭。",
        )
        .await
        .expect("add");
        let twice = setup::add_scope(db, &m.actor, &m.caller, c.ch, "封闭阳台", true, "x").await;
        assert!(field_error(&twice, "name").contains("已有"), "{e}");
        let (owner, house) = owner(&c).await;
        let refused = apply::apply(
            db,
            &owner.actor,
            &owner.caller,
            house,
            0,
            &form(&c, &["封闭阳台"]).await,
        )
        .await;
        assert!(
            field_error(&refused, "items").contains("本小区管理规约第十二条：阳台不得封闭。"),
            "{e}"
        );
        // Retired, it is off the form (and off the refusals).
        let balcony = scope_id(&c, "封闭阳台").await;
        setup::retire_scope(db, &m.actor, &m.caller, c.ch, balcony)
            .await
            .expect("retire");
        let page = reno::apply_page(db, &owner.caller, house, 0, "")
            .await
            .expect("form");
        assert!(!page.scope.iter().any(|s| s.id == balcony), "{e}");
        assert_eq!(
            page.applicants.len(),
            1,
            "{e}: a resident applies only as themselves"
        );
        // Settings are checked and kept.
        let bad = setup::save(db, &m.actor, &m.caller, c.ch, "0", "").await;
        assert!(
            field_error(&bad, "inspection_days").contains("1 到 90"),
            "{e}"
        );
        assert!(field_error(&bad, "work_hours").contains("填写"), "{e}");
        setup::save(
            db,
            &m.actor,
            &m.caller,
            c.ch,
            "5",
            "08:30–12:00，14:00–17:30",
        )
        .await
        .expect("save");
        assert_eq!(
            reno::settings(&db.pool, c.ch).await.expect("settings"),
            (5, "08:30–12:00，14:00–17:30".to_string()),
            "{e}"
        );
        // The demo's applications: one in each of the morning's states.
        let states: Vec<(String,)> =
            sqlx::query_as("select state from renovation where estate_id = $1 order by id")
                .bind(c.ch)
                .fetch_all(&db.pool)
                .await
                .expect("demo");
        let states: Vec<&str> = states.iter().map(|(s,)| s.as_str()).collect();
        assert_eq!(
            states,
            vec![
                "submitted",
                "returned",
                "engineering",
                "approval",
                "payment",
                "rejected",
                "works",
                "acceptance",
                "closed"
            ],
            "{e}"
        );
    }
}

#[tokio::test]
async fn tenants_apply_with_consent_family_never_and_a_later_resident_sees_nothing_earlier() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        // A let house with no application under way.
        let (house, tenant_id): (i64, i64) = sqlx::query_as(
            "select h.id, t.resident_id from house h \
             join occupancy t on t.house_id = h.id and t.role = 'tenant' and t.end_date is null \
             where h.estate_id = $1 and h.number <> '1-1-101' \
               and not exists (select 1 from renovation r where r.house_id = h.id) \
             order by h.id limit 1",
        )
        .bind(c.ch)
        .fetch_one(&db.pool)
        .await
        .expect("a let house");
        // A family member of the house (the neighbour's owner, also living here) may not apply.
        let neighbour = one(
            db,
            "select o.resident_id from occupancy o join house h on h.id = o.house_id \
             where h.number = '1-1-102' and o.role = 'owner' and o.end_date is null limit 1",
        )
        .await;
        sqlx::query(
            "insert into occupancy (house_id, resident_id, role, start_date, created_at) \
             values ($1, $2, 'family', '2025-01-01', '2025-01-01T00:00:00Z')",
        )
        .bind(house)
        .bind(neighbour)
        .execute(&db.pool)
        .await
        .expect("family");
        let family = resident(db, neighbour).await;
        let form_page = reno::apply_page(db, &family.caller, house, 0, "")
            .await
            .expect("form");
        assert!(
            form_page.applicants.is_empty(),
            "{e}: a family member is offered no applicant"
        );
        let refused = apply::apply(
            db,
            &family.actor,
            &family.caller,
            house,
            0,
            &form(&c, &["墙面"]).await,
        )
        .await;
        assert!(field_error(&refused, "applicant").contains("业主"), "{e}");
        // A tenant: only with the owner's consent written down.
        let tenant = resident(db, tenant_id).await;
        let mut f = form(&c, &["墙面"]).await;
        let refused = apply::apply(db, &tenant.actor, &tenant.caller, house, 0, &f).await;
        assert!(
            field_error(&refused, "owner_consent").contains("同意"),
            "{e}"
        );
        f.owner_consent = "业主书面同意（2026-12-01 签字）".into();
        let id = apply::apply(db, &tenant.actor, &tenant.caller, house, 0, &f)
            .await
            .expect("tenant applies");
        let app = reno::find(&db.pool, id)
            .await
            .expect("find")
            .expect("there");
        assert_eq!(
            app.applicant_role,
            app::estate::OccupancyRole::Tenant,
            "{e}"
        );
        assert_eq!(app.owner_consent, "业主书面同意（2026-12-01 签字）", "{e}");
        // Someone who moves in afterwards sees nothing of it, and is told to ask the desk.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        sqlx::query(
            "insert into occupancy (house_id, resident_id, role, start_date, created_at) \
             values ($1, $2, 'co_owner', $3, $4)",
        )
        .bind(house)
        .bind(neighbour)
        .bind(app::db::time::desk_today())
        .bind(app::db::time::now())
        .execute(&db.pool)
        .await
        .expect("later co-owner");
        sqlx::query("update occupancy set end_date = $1 where house_id = $2 and resident_id = $3 and role = 'family'")
            .bind(app::db::time::desk_today())
            .bind(house)
            .bind(neighbour)
            .execute(&db.pool)
            .await
            .expect("family ends");
        let later = resident(db, neighbour).await;
        assert!(
            matches!(
                reno::page(&db.pool, &later.caller, id).await,
                Err(AppError::NotFound)
            ),
            "{e}"
        );
        let form_page = reno::apply_page(db, &later.caller, house, 0, "")
            .await
            .expect("form");
        assert!(
            form_page.open_elsewhere && form_page.open_id.is_none(),
            "{e}"
        );
        // An application made at the desk names the service centre, not the clerk, in the portal.
        let (desk_app, applicant): (i64, i64) = sqlx::query_as(
            "select id, applicant_id from renovation where channel = 'desk' order by id limit 1",
        )
        .fetch_one(&db.pool)
        .await
        .expect("a desk application");
        let its_owner = resident(db, applicant).await;
        let portal = reno::page(&db.pool, &its_owner.caller, desk_app)
            .await
            .expect("portal page");
        assert_eq!(portal.timeline[0].actor, "物业服务中心", "{e}");
        assert!(
            portal.offered.contains(&Action::Withdraw),
            "{e}: the applicant it was made for acts on it"
        );
    }
}
