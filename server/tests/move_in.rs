//! A move-in on SQLite and PostgreSQL: a new owner takes the handover of a
//! house not handed over — identity, the inspection with a defect that
//! becomes a repair ticket, readings, the key from the cabinet, the
//! agreements — and the completion links them, starts billing and refuses
//! what is missing; who may move into which house; two clerks at once.

mod common;

use app::common::Lang;
use app::db::time;
use app::error::AppError;
use app::moves::db::{self as moves, case, complete};
use app::moves::rules::{FindingForm, IdentityForm};
use app::moves::Step;
use common::keys::*;
use common::TestDb;

fn owner_form(name: &str, mobile: &str) -> IdentityForm {
    IdentityForm {
        name: name.into(),
        mobile: mobile.into(),
        role: "owner".into(),
        title_no: "购房合同 HT-2026-1001".into(),
        handover_on: time::desk_today(),
        ..Default::default()
    }
}

/// Every item of the case's checklist OK, but `defect_item` (by name) a defect.
async fn findings(c: &Counter, case_id: i64, defect_item: &str) -> Vec<FindingForm> {
    let page = moves::page(&c.db.pool, &c.clerk.caller, case_id)
        .await
        .expect("page");
    page.checklist
        .iter()
        .enumerate()
        .map(|(i, l)| {
            // The first room's item only (客厅; 卧室 has one of the same name).
            let defect = l.item == defect_item && i < 8;
            FindingForm {
                item_id: l.item_id,
                finding: if defect { "defect" } else { "ok" }.into(),
                note: if defect { "墙角裂缝".into() } else { String::new() },
            }
        })
        .collect()
}

fn refused_fields(r: Result<(), AppError>) -> Vec<String> {
    match r {
        Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected refused fields, got {other:?}"),
    }
}

#[tokio::test]
async fn a_new_owner_moves_in_step_by_step_and_the_completion_starts_billing() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        // The first house not handed over: its 未收楼 key waits in the demo cabinet.
        let house = one(
            db,
            "select id from house where status = 'not_handed_over' order by number limit 1",
        )
        .await;
        let id = case::open(db, &clerk.actor, &clerk.caller, zh, house)
            .await
            .expect("open");
        // Opening again resumes the same case.
        assert_eq!(
            case::open(db, &clerk.actor, &clerk.caller, zh, house)
                .await
                .expect("resume"),
            id,
            "{e}"
        );
        // Nothing done: completing lists every step.
        match complete::complete(db, &clerk.actor, &clerk.caller, zh, id).await {
            Err(AppError::Rule(m)) => assert!(
                m.contains("身份与产权") && m.contains("签署协议"),
                "{e}: {m}"
            ),
            other => panic!("{e}: completion refused, got {other:?}"),
        }
        // Keys before identity: refused.
        assert!(matches!(
            case::hand_keys(db, &clerk.actor, &clerk.caller, zh, id, "1").await,
            Err(AppError::Rule(_))
        ));
        case::save_identity(db, &clerk.actor, &clerk.caller, zh, id, &owner_form("林晓东", "13911112222"))
            .await
            .expect("identity");
        // The inspection: every item found, the defect described, signed.
        let mut f = findings(&c, id, "墙面与天花").await;
        let blank = f.iter().position(|x| x.finding == "defect").expect("a defect");
        f[blank].note = " ".into();
        assert_eq!(
            refused_fields(
                case::save_inspection(db, &clerk.actor, &clerk.caller, zh, id, &f, "", true).await
            ),
            vec![format!("finding_{}", f[blank].item_id)],
            "{e}"
        );
        let f = findings(&c, id, "墙面与天花").await;
        assert!(
            case::save_inspection(db, &clerk.actor, &clerk.caller, zh, id, &f, "not a png", false)
                .await
                .is_err(),
            "{e}: no signature"
        );
        case::save_inspection(db, &clerk.actor, &clerk.caller, zh, id, &f, "", true)
            .await
            .expect("inspection");
        let defect = f.iter().find(|x| x.finding == "defect").expect("defect").item_id;
        let ticket = case::raise_defect(db, &clerk.actor, &clerk.caller, zh, id, defect)
            .await
            .expect("ticket");
        // Twice: the same ticket, not a second one.
        assert_eq!(
            case::raise_defect(db, &clerk.actor, &clerk.caller, zh, id, defect)
                .await
                .expect("again"),
            ticket
        );
        assert_eq!(
            one(db, &format!("select house_id from repair_ticket where id = {ticket}")).await,
            house,
            "{e}: the ticket is on the house"
        );
        assert_eq!(
            text_of(db, &format!("select source from repair_ticket where id = {ticket}")).await,
            "inspection"
        );
        // Readings: one per metered item, a number.
        let page = moves::page(&db.pool, &clerk.caller, id).await.expect("page");
        assert!(!page.meters.is_empty(), "{e}: the demo estate meters water");
        let mut typed: Vec<(i64, String)> = page
            .meters
            .iter()
            .map(|m| (m.fee_item_id, "9012.5".to_string()))
            .collect();
        typed[0].1 = "abc".into();
        assert_eq!(
            refused_fields(
                case::save_readings(db, &clerk.actor, &clerk.caller, zh, id, &typed).await
            ),
            vec![format!("reading_{}", typed[0].0)]
        );
        typed[0].1 = "9012.50".into();
        case::save_readings(db, &clerk.actor, &clerk.caller, zh, id, &typed)
            .await
            .expect("readings");
        // The key from the cabinet goes to the new owner through key custody.
        assert_eq!(page.cabinet_keys.len(), 1, "{e}: the 未收楼 key");
        let copy = page.cabinet_keys[0].copy_id;
        assert!(case::hand_keys(db, &clerk.actor, &clerk.caller, zh, id, "0").await.is_err());
        let tags = case::hand_keys(db, &clerk.actor, &clerk.caller, zh, id, "3")
            .await
            .expect("keys");
        assert_eq!(tags.len(), 1);
        assert_eq!(
            text_of(db, &format!("select status from key_copy where id = {copy}")).await,
            "retired",
            "{e}"
        );
        assert_eq!(
            text_of(
                db,
                &format!("select taker_name from key_loan where copy_id = {copy} and purpose = 'owner_return'")
            )
            .await,
            "林晓东"
        );
        // Agreements: each on a day not after today.
        let page = moves::page(&db.pool, &clerk.caller, id).await.expect("page");
        assert_eq!(page.agreements.len(), 2, "{e}: 管理规约, 前期物业服务协议");
        let mut signed: Vec<(i64, String)> = page
            .agreements
            .iter()
            .map(|a| (a.id, time::desk_today()))
            .collect();
        signed[1].1 = "2999-01-01".into();
        assert_eq!(
            refused_fields(
                case::save_agreements(db, &clerk.actor, &clerk.caller, zh, id, &signed).await
            ),
            vec![format!("agreement_{}", signed[1].0)]
        );
        signed[1].1 = time::desk_today();
        case::save_agreements(db, &clerk.actor, &clerk.caller, zh, id, &signed)
            .await
            .expect("agreements");
        let page = moves::page(&db.pool, &clerk.caller, id).await.expect("page");
        assert!(page.missing.is_empty(), "{e}: {:?}", page.missing);
        let occupancy = complete::complete(db, &clerk.actor, &clerk.caller, zh, id)
            .await
            .expect("complete");
        // The owner lives there from the handover day; the house is occupied, with its history.
        assert_eq!(
            text_of(db, &format!("select o.start_date || ' ' || o.role || ' ' || r.name from occupancy o join resident r on r.id = o.resident_id where o.id = {occupancy}")).await,
            format!("{} owner 林晓东", time::desk_today())
        );
        assert_eq!(
            text_of(db, &format!("select status from house where id = {house}")).await,
            "occupied",
            "{e}"
        );
        assert_eq!(
            text_of(db, &format!("select from_status || '>' || to_status from house_status_change where house_id = {house} order by id desc limit 1")).await,
            "not_handed_over>occupied"
        );
        // Completed once: a second completion and any later step are refused.
        assert!(matches!(
            complete::complete(db, &clerk.actor, &clerk.caller, zh, id).await,
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            case::save_agreements(db, &clerk.actor, &clerk.caller, zh, id, &signed).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(
            one(db, &format!("select count(*) from audit_log where entity = 'move_in' and entity_id = '{id}'")).await,
            8,
            "{e}: open, 5 steps, the defect's ticket, completion"
        );
        // The house page's next 办理入住 opens a new case (the last is done).
        let next = case::open(db, &clerk.actor, &clerk.caller, zh, house)
            .await
            .expect("a new case");
        assert_ne!(next, id);
    }
}

#[tokio::test]
async fn who_may_move_into_which_house_and_a_tenant_needs_the_lease_and_consent() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let rented = c.rented().await;
        let id = case::open(db, &clerk.actor, &clerk.caller, zh, rented.id)
            .await
            .expect("open");
        // An owner into a house with an owner: refused (a sale goes through move-out).
        assert_eq!(
            refused_fields(
                case::save_identity(db, &clerk.actor, &clerk.caller, zh, id, &owner_form("买家", "13911113333")).await
            ),
            vec!["role"],
            "{e}"
        );
        // A tenant: the lease's dates in order and the owner's consent.
        let mut tenant = owner_form("租客甲", "13911114444");
        tenant.role = "tenant".into();
        tenant.lease_start = "2026-12-31".into();
        tenant.lease_end = "2026-01-01".into();
        assert_eq!(
            refused_fields(
                case::save_identity(db, &clerk.actor, &clerk.caller, zh, id, &tenant).await
            ),
            vec!["lease_end", "owner_consent"]
        );
        // A year's lease around today.
        let today = chrono::NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").expect("today");
        tenant.lease_start = (today - chrono::Duration::days(30)).to_string();
        tenant.lease_end = (today + chrono::Duration::days(335)).to_string();
        tenant.owner_consent = true;
        case::save_identity(db, &clerk.actor, &clerk.caller, zh, id, &tenant)
            .await
            .expect("tenant");
        let page = moves::page(&db.pool, &clerk.caller, id).await.expect("page");
        let who = page.identity.expect("identity");
        assert_eq!(who.mobile_masked, "139****4444", "{e}: masked");
        assert_eq!(page.missing.first(), Some(&Step::Inspection));
        // A clerk of another estate neither reads nor writes the case.
        let other = new_staff(db, "jx-clerk", "九溪前台", "clerk", c.jx).await;
        assert!(matches!(
            moves::page(&db.pool, &other.caller, id).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            case::save_identity(db, &other.actor, &other.caller, zh, id, &tenant).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            case::open(db, &other.actor, &other.caller, zh, rented.id).await,
            Err(AppError::Forbidden)
        ));
        // Cancelled with a reason, it is off the open list.
        assert!(case::cancel(db, &clerk.actor, &clerk.caller, zh, id, " ").await.is_err());
        case::cancel(db, &clerk.actor, &clerk.caller, zh, id, "租客改期")
            .await
            .expect("cancel");
        let list = moves::list(&db.pool, &clerk.caller.scope, c.ch).await.expect("list");
        assert!(list.open.iter().all(|r| r.id != id), "{e}");
    }
}

#[tokio::test]
async fn two_clerks_completing_one_move_in_at_once_complete_it_once() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, manager, zh) = (&c.db, &c.clerk, &c.manager, Lang::Zh);
        // The demo's move-in in progress: identity and inspection done.
        let id = one(db, "select id from move_in where status = 'open' order by id limit 1").await;
        let page = moves::page(&db.pool, &clerk.caller, id).await.expect("page");
        assert_eq!(page.missing, vec![Step::Readings, Step::Keys, Step::Agreements], "{e}");
        let typed: Vec<(i64, String)> =
            page.meters.iter().map(|m| (m.fee_item_id, "9003".to_string())).collect();
        case::save_readings(db, &clerk.actor, &clerk.caller, zh, id, &typed).await.expect("readings");
        case::hand_keys(db, &clerk.actor, &clerk.caller, zh, id, "2").await.expect("keys");
        let signed: Vec<(i64, String)> =
            page.agreements.iter().map(|a| (a.id, time::desk_today())).collect();
        case::save_agreements(db, &clerk.actor, &clerk.caller, zh, id, &signed).await.expect("agreements");
        let (a, b) = tokio::join!(
            complete::complete(db, &clerk.actor, &clerk.caller, zh, id),
            complete::complete(db, &manager.actor, &manager.caller, zh, id),
        );
        assert_eq!(
            [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{e}: {a:?} {b:?}"
        );
        let house = page.house_id;
        assert_eq!(
            one(db, &format!("select count(*) from occupancy where house_id = {house} and end_date is null")).await,
            1,
            "{e}: one owner"
        );
        // Never read before: the move-in's readings are the house's openings.
        let unread = page.meters.iter().filter(|m| m.last.is_empty()).count() as i64;
        assert!(unread > 0, "{e}: the demo's case house has no reading yet");
        assert_eq!(
            one(db, &format!("select count(*) from meter_opening where house_id = {house} and source = 'move_in' and reading_centi = 900300")).await,
            unread,
            "{e}"
        );
    }
}
