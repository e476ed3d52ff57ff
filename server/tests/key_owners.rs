//! An entrusted key and its owner on SQLite and PostgreSQL: handed back
//! whole and only to an owner (no loan left open), the owner's portal (their
//! key's uses from their own move-in, their revocation), and an open loan that
//! changes only by its return.

mod common;

use app::common::{KeyCopyId, Lang};
use app::db::time;
use app::keys::db::{self as keys, owner};
use app::keys::CopyStatus;
use chrono::Duration;
use common::keys::*;
use common::TestDb;

#[tokio::test]
async fn an_entrusted_key_goes_back_to_its_owner_only_whole_and_only_to_an_owner() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let h = c.rented().await;
        let first = c.key("entrusted", &h.number, "C01", "2").await;
        let [one_, two] = c.copies(first).await[..] else {
            panic!("{e}: two copies")
        };
        let auth = c.authorise(first, h.owner).await;
        c.lend(two, &c.form("maintenance", "emergency").await)
            .await
            .expect("lend the spare");
        let back = |resident: i64| async move {
            owner::hand_back(
                db,
                &clerk.actor,
                &clerk.caller,
                zh,
                first,
                resident,
                "",
                true,
            )
            .await
        };
        let revoked = format!(
            "select count(*) from key_authorisation where id = {auth} and revoked_at is not null"
        );
        let owner_loans = format!(
            "select count(*) from key_loan where purpose = 'owner_return' and copy_id in ({}, {})",
            one_.0, two.0
        );
        let handed = format!(
            "select count(*) from key_event where action = 'hand_to_owner' and key_set_id = {}",
            c.set_of(first).await
        );

        // A copy out on loan must come back first; the refusal names it.
        let r = back(h.owner).await;
        let m = rule(&r);
        assert!(
            m.contains(&c.tag(two).await) && m.contains("借出中"),
            "{e}: {m}"
        );
        assert_eq!(
            (c.status(one_).await, c.status(two).await),
            ("in_cabinet".into(), "out".into()),
            "{e}"
        );
        assert_eq!(
            (
                one(db, &revoked).await,
                one(db, &owner_loans).await,
                one(db, &handed).await
            ),
            (0, 0, 0),
            "{e}"
        );
        assert_eq!(
            c.give_back(two).await.expect("back"),
            CopyStatus::InCabinet,
            "{e}"
        );

        // The tenant is no owner.
        let r = back(h.tenant).await;
        assert!(
            field_error(&r, "resident_id").contains("业主"),
            "{e}: {r:?}"
        );
        assert_eq!(
            (
                one(db, &revoked).await,
                one(db, &owner_loans).await,
                one(db, &handed).await
            ),
            (0, 0, 0),
            "{e}"
        );
        assert_eq!(c.status(one_).await, "in_cabinet", "{e}");

        back(h.owner).await.expect("hand back");
        assert_eq!(
            one(db, &revoked).await,
            1,
            "{e}: the authorisation is revoked"
        );
        assert_eq!(
            (c.status(one_).await, c.status(two).await),
            ("retired".into(), "retired".into()),
            "{e}"
        );
        let owner_name = text_of(
            db,
            &format!("select name from resident where id = {}", h.owner),
        )
        .await;
        for copy in [one_, two] {
            let (kind, taker, paper, name): (String, Option<i64>, i64, String) = sqlx::query_as(
                "select taker_kind, taker_resident_id, signed_on_paper, taker_name from key_loan \
                 where copy_id = $1 and purpose = 'owner_return'",
            )
            .bind(copy)
            .fetch_one(&db.pool)
            .await
            .expect("one owner_return loan per copy");
            assert_eq!(
                (kind.as_str(), taker, paper, name),
                ("resident", Some(h.owner), 1, owner_name.clone()),
                "{e}"
            );
            assert_eq!(
                c.log(copy).await.last().map(String::as_str),
                Some("hand_to_owner"),
                "{e}"
            );
        }
        assert_eq!(one(db, &owner_loans).await, 2, "{e}");
        assert_eq!(one(db, &handed).await, 2, "{e}");
        let page = keys::page(&db.pool, &clerk.caller, first)
            .await
            .expect("page");
        assert!(!page.authorisation.expect("authorisation").in_force, "{e}");
        assert!(page.lend.is_none(), "{e}: nothing to lend");
        // Nothing left in the cabinet to hand back.
        let r = back(h.owner).await;
        assert!(rule(&r).contains("柜里没有"), "{e}: {r:?}");
        assert_eq!(one(db, &owner_loans).await, 2, "{e}");
    }
}

/// A returned loan of `copy` written as history, `minutes` from `at`.
async fn old_loan(c: &Counter, copy: KeyCopyId, at: &str, minutes: i64, taker: &str) {
    let base = time::from_db(at).expect("a stored time");
    let out = time::to_db(base + Duration::minutes(minutes));
    let due = time::to_db(base + Duration::minutes(minutes + 240));
    let back = time::to_db(base + Duration::minutes(minutes + 120));
    sqlx::query(
        "insert into key_loan (copy_id, estate_id, taker_kind, taker_name, purpose, authorised_by, lent_by, \
            out_at, due_at, signed_on_paper, returned_at, returned_by_name, received_by, condition) \
         values ($1, $2, 'worker', $3, 'renovation', $4, $4, $5, $6, 1, $7, $3, $4, 'good')",
    )
    .bind(copy)
    .bind(c.ch)
    .bind(taker)
    .bind(c.clerk.id)
    .bind(out)
    .bind(due)
    .bind(back)
    .execute(&c.db.pool)
    .await
    .expect("old loan");
}

#[tokio::test]
async fn the_portal_shows_an_owner_their_keys_uses_from_their_own_move_in_and_lets_them_revoke() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, zh) = (&c.db, Lang::Zh);
        let h = c.rented().await;
        let copy = c.key("entrusted", &h.number, "C02", "1").await;
        let set = c.set_of(copy).await;
        let auth = c.authorise(copy, h.owner).await;
        let owner_ = resident(db, h.owner).await;
        let from = owner_
            .caller
            .residences
            .iter()
            .find(|r| r.house_id == h.id)
            .map(|r| r.from.clone())
            .expect("the owner lives there");
        // Before the owner's occupancy began, and just after.
        old_loan(&c, copy, &from, -1, "前业主的装修队").await;
        old_loan(&c, copy, &from, 1, "业主的装修队").await;
        c.lend(copy, &c.form("maintenance", "emergency").await)
            .await
            .expect("emergency");
        c.give_back(copy).await.expect("back");

        let mine = owner::portal_keys(&db.pool, &owner_.caller)
            .await
            .expect("portal");
        let key = mine
            .iter()
            .find(|k| k.key_set_id == set)
            .expect("the owner sees the key");
        assert_eq!(key.house, h.number, "{e}");
        let takers: Vec<&str> = key.uses.iter().map(|u| u.taker.as_str()).collect();
        assert_eq!(
            takers,
            ["张师傅", "业主的装修队"],
            "{e}: from the owner's own move-in on"
        );
        assert_eq!(key.uses[0].taker_role, "maintenance", "{e}");
        assert!(key.uses.iter().all(|u| u.returned_at.is_some()), "{e}");
        assert!(key.held && key.can_revoke, "{e}: {key:?}");
        let a = key.authorisation.as_ref().expect("authorisation");
        assert!(a.in_force && a.id == auth, "{e}: {a:?}");

        // Neither the tenant of the house nor a resident of another house.
        let tenant = resident(db, h.tenant).await;
        assert!(
            tenant.caller.residences.iter().any(|r| r.house_id == h.id),
            "{e}"
        );
        let wang = resident(
            db,
            one(
                db,
                "select resident_id from account where mobile = '13800000001'",
            )
            .await,
        )
        .await;
        let theirs = owner::portal_keys(&db.pool, &wang.caller)
            .await
            .expect("portal");
        assert!(!theirs.is_empty(), "{e}: 王建国 sees his own entrusted key");
        for other in [&tenant, &wang] {
            let keys_ = owner::portal_keys(&db.pool, &other.caller)
                .await
                .expect("portal");
            assert!(keys_.iter().all(|k| k.key_set_id != set), "{e}: {keys_:?}");
            let r = owner::revoke_in_portal(db, &other.actor, &other.caller, zh, set).await;
            forbidden(&r, e);
        }
        let revoked = format!(
            "select count(*) from key_authorisation where id = {auth} and revoked_at is not null"
        );
        assert_eq!(one(db, &revoked).await, 0, "{e}");

        owner::revoke_in_portal(db, &owner_.actor, &owner_.caller, zh, set)
            .await
            .expect("revoke");
        assert_eq!(one(db, &revoked).await, 1, "{e}");
        let sql = format!("select revoked_by from key_authorisation where id = {auth}");
        assert_eq!(one(db, &sql).await, owner_.id, "{e}");
        assert_eq!(
            c.log(copy).await.last().map(String::as_str),
            Some("revoke"),
            "{e}"
        );
        let r = c
            .lend(copy, &c.form("maintenance", "emergency").await)
            .await;
        assert!(rule(&r).contains("已撤销"), "{e}: {r:?}");
        assert_eq!(c.status(copy).await, "in_cabinet", "{e}: not lent");
        let r = owner::revoke_in_portal(db, &owner_.actor, &owner_.caller, zh, set).await;
        assert!(rule(&r).contains("没有生效中的授权"), "{e}: {r:?}");

        let mine = owner::portal_keys(&db.pool, &owner_.caller)
            .await
            .expect("portal");
        let key = mine.iter().find(|k| k.key_set_id == set).expect("the key");
        assert!(key.held && !key.can_revoke, "{e}: {key:?}");
        assert!(
            !key.authorisation.as_ref().expect("authorisation").in_force,
            "{e}"
        );
        assert_eq!(key.uses.len(), 2, "{e}: no new use");
    }
}

#[tokio::test]
async fn an_open_loan_changes_only_by_its_return() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let copy = c.key("unhanded", "1-2-301", "A07", "1").await;
        let (ticket, other) = (c.ticket("1-2-301").await, c.ticket("1-2-301").await);
        let mut form = c.form("maintenance", "repair").await;
        form.ticket_id = ticket.to_string();
        form.signed_on_paper = false;
        form.signature = signature();
        let loan = c.lend(copy, &form).await.expect("lend, signed on the pad");
        let (phone,): (String,) = sqlx::query_as("select taker_phone from key_loan where id = $1")
            .bind(loan)
            .fetch_one(&db.pool)
            .await
            .expect("loan");
        for sql in [
            format!("update key_loan set signature = null, signed_on_paper = 1 where id = {loan}"),
            format!("update key_loan set taker_phone = '13912345678' where id = {loan}"),
            format!("update key_loan set ticket_id = {other} where id = {loan}"),
        ] {
            refused(db, e, &sql, "only by its return").await;
        }
        let (png, paper, on, phone_now, returned): (Option<Vec<u8>>, i64, Option<i64>, String, Option<String>) =
            sqlx::query_as("select signature, signed_on_paper, ticket_id, taker_phone, returned_at from key_loan where id = $1")
                .bind(loan)
                .fetch_one(&db.pool)
                .await
                .expect("loan");
        assert!(
            png.as_deref().is_some_and(|p| p.starts_with(b"\x89PNG")),
            "{e}: the signature stays"
        );
        assert_eq!(
            (paper, on, phone_now, returned),
            (0, Some(ticket), phone, None),
            "{e}"
        );

        assert_eq!(
            c.give_back(copy).await.expect("the return"),
            CopyStatus::InCabinet,
            "{e}"
        );
        let sql = format!("select count(*) from key_loan where id = {loan} and returned_at is not null and signature is not null");
        assert_eq!(one(db, &sql).await, 1, "{e}: returned, its signature kept");
        assert_eq!(c.log(copy).await, ["register", "lend", "return"], "{e}");
    }
}

#[tokio::test]
async fn a_key_handed_back_to_its_owner_is_no_loan_left_open() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let r = c.rented().await;
        let copy = c.key("entrusted", &r.number, "A01", "1").await;
        c.authorise(copy, r.owner).await;
        owner::hand_back(db, &clerk.actor, &clerk.caller, zh, copy, r.owner, "", true)
            .await
            .expect("hand back");
        let page = keys::page(&db.pool, &clerk.caller, copy)
            .await
            .expect("page");
        assert!(page.open_loan.is_none(), "{e}: {:?}", page.open_loan);
        // Security reads the key, not who owns it.
        let (name,): (String,) = sqlx::query_as("select name from resident where id = $1")
            .bind(r.owner)
            .fetch_one(&db.pool)
            .await
            .expect("owner");
        let guard = person(
            0,
            "安保".into(),
            app::common::Role::Security,
            app::common::EstateScope::Only(vec![c.ch]),
            None,
        );
        let seen = format!(
            "{:?}",
            keys::page(&db.pool, &guard.caller, copy)
                .await
                .expect("security's page")
        );
        assert!(
            !seen.contains(&name),
            "{e}: security sees the owner's name: {seen}"
        );
        let open = format!(
            "select count(*) from key_loan where copy_id = {} and returned_at is null",
            copy.0
        );
        assert_eq!(one(db, &open).await, 0, "{e}");
        let owner = resident(db, r.owner).await;
        let keys = owner::portal_keys(&db.pool, &owner.caller)
            .await
            .expect("portal");
        let key = keys
            .iter()
            .find(|k| k.house == r.number)
            .expect("the owner's key");
        assert!(!key.held, "{e}: the centre holds no copy now");
        let back = key.uses.first().expect("the hand-back");
        assert_eq!(back.purpose, app::keys::Purpose::OwnerReturn, "{e}");
        assert!(back.returned_at.is_some(), "{e}: complete as written");
    }
}
