//! Portal activation codes (issue 15, part 3a): the desk issues a code, the
//! resident redeems it on `/activate` for a new account or a new link to the
//! account of their mobile, and that one account sees every house of every
//! linked resident record. On SQLite and PostgreSQL through the functions the
//! routes call; then over HTTP — the failure budget shared with signing in,
//! and who may issue a code.

mod common;

use std::sync::Arc;

use app::auth::activation::{
    display_code, issue_in, redeem, ActivateForm, ActivationError, IssuedCode, Redeemed,
};
use app::auth::residence::{account_residences, linked_residents};
use app::auth::{ActivationPurpose, ActivationRefusal};
use app::common::{EstateId, HouseId, Lang, Role};
use app::db::audit::Actor;
use app::db::Database;
use app::estate::db::{self as register, NewOccupant};
use app::estate::OccupancyRole;
use app::security::hashing::Hasher;
use app::security::limiter::LoginLimiter;
use app::state::{AppState, SessionPolicy};
use axum::http::StatusCode;
use common::desk::{desk, location, text, urlencode, Browser, PASSWORD};
use common::TestDb;

/// The demo on `t`, with a hasher of two slots (two redemptions may hash at
/// once) and budgets too large to matter: the HTTP tests below check them.
async fn state_on(t: &TestDb) -> AppState {
    let db = t.open().await;
    let hasher = Hasher::new(2).expect("hasher");
    server::demo::load(&db, &hasher, PASSWORD)
        .await
        .expect("demo");
    AppState {
        leptos_options: leptos::config::LeptosOptions::builder()
            .output_name("estate-desk")
            .build(),
        db,
        hasher,
        limiter: Arc::new(LoginLimiter::new(
            1_000,
            std::time::Duration::from_secs(1),
            1_000,
            std::time::Duration::from_secs(1),
        )),
        sessions: SessionPolicy::default(),
    }
}

async fn one(db: &Database, sql: &str, id: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

async fn count(db: &Database, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

/// A resident of estate `code` living in a house now, whose mobile is the
/// only record of it and has no account: (resident id, mobile, house id, name).
async fn newcomer(db: &Database, code: &str, nth: i64) -> (i64, String, i64, String) {
    sqlx::query_as(
        "select r.id, r.mobile, min(o.house_id), r.name from resident r \
         join occupancy o on o.resident_id = r.id and o.end_date is null \
         join estate e on e.id = r.estate_id \
         where e.code = $1 and not exists (select 1 from account a where a.mobile = r.mobile) \
           and (select count(*) from resident r2 where r2.mobile = r.mobile) = 1 \
         group by r.id, r.mobile, r.name order by r.id limit 1 offset $2",
    )
    .bind(code)
    .bind(nth)
    .fetch_one(&db.pool)
    .await
    .expect("a resident without an account")
}

async fn estate(db: &Database, code: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select id from estate where code = $1")
        .bind(code)
        .fetch_one(&db.pool)
        .await
        .expect("estate");
    id
}

async fn clerk(db: &Database) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select id from account where username = 'clerk'")
        .fetch_one(&db.pool)
        .await
        .expect("clerk");
    id
}

/// The same person registered in the second estate too: a new record there,
/// living (as family) in its first house. Returns (record, house).
async fn also_in_jx(db: &Database, name: &str, mobile: &str) -> (i64, i64) {
    let jx = estate(db, "JX").await;
    let (house,): (i64,) = sqlx::query_as(
        "select min(id) from house where estate_id = $1 and status <> 'not_handed_over'",
    )
    .bind(jx)
    .fetch_one(&db.pool)
    .await
    .expect("a house in JX");
    let mut w = db.write(Actor::system("test")).await.expect("write");
    let (resident, _) = register::add_occupant(
        &mut w,
        EstateId(jx),
        HouseId(house),
        &NewOccupant {
            name,
            mobile,
            id_number: None,
            role: OccupancyRole::Family,
            start_date: "2026-01-05",
        },
    )
    .await
    .expect("occupant");
    w.commit().await.expect("commit");
    (resident, house)
}

/// Issues a desk code for `resident`, as the clerk.
async fn issue(db: &Database, resident: i64) -> IssuedCode {
    let estate_id = one(db, "select estate_id from resident where id = $1", resident).await;
    let clerk = clerk(db).await;
    let mut w = db
        .write(Actor {
            account_id: Some(clerk),
            name: "王小前".into(),
            ip: None,
        })
        .await
        .expect("write");
    let issued = issue_in(&mut w, resident, estate_id, ActivationPurpose::Desk, clerk)
        .await
        .expect("issued");
    w.commit().await.expect("commit");
    issued
}

fn form(mobile: &str, code: &str, password: &str) -> ActivateForm {
    ActivateForm {
        mobile: mobile.into(),
        code: code.into(),
        password: password.into(),
        confirm: password.into(),
    }
}

async fn activate(state: &AppState, f: &ActivateForm) -> Result<Redeemed, ActivationError> {
    redeem(state, f, None, Lang::Zh).await
}

/// Everything a redemption may write, but the audit log.
async fn fingerprint(db: &Database) -> String {
    let rows: Vec<(String,)> = sqlx::query_as(
        "select 'a' || id || ':' || coalesce(mobile, '') || ':' || password_hash || ':' || coalesce(resident_id, 0) from account \
         union all select 'l' || account_id || ':' || resident_id from account_resident \
         union all select 'c' || id || ':' || coalesce(used_at, '-') || ':' || coalesce(used_by_account, 0) || ':' \
           || coalesce(revoked_at, '-') || ':' || expires_at from activation_code \
         order by 1",
    )
    .fetch_all(&db.pool)
    .await
    .expect("fingerprint");
    rows.into_iter()
        .map(|(r,)| r)
        .collect::<Vec<_>>()
        .join("\n")
}

fn invalid<T: std::fmt::Debug>(r: &Result<T, ActivationError>, what: &str) {
    assert!(
        matches!(r, Err(ActivationError::Refused(ActivationRefusal::Invalid))),
        "{what}: {r:?}"
    );
}

const NEW_PASSWORD: &str = "Lotus-Pond-4417";

#[tokio::test]
async fn a_redeemed_code_opens_an_account_that_signs_in_and_sees_the_house() {
    for t in TestDb::both().await {
        let engine = t.engine;
        let state = state_on(&t).await;
        let db = &state.db;
        let (resident, mobile, house, name) = newcomer(db, "CH", 0).await;
        let issued = issue(db, resident).await;
        assert_eq!(issued.code.len(), 8, "{engine}");
        assert!(issued.code.bytes().all(|b| b.is_ascii_digit()), "{engine}");
        // Stored hashed only; the audit log never holds the code either.
        let stored: (String, String) =
            sqlx::query_as("select code_hash, purpose from activation_code where resident_id = $1")
                .bind(resident)
                .fetch_one(&db.pool)
                .await
                .expect("code row");
        assert!(
            stored.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{engine}"
        );
        assert!(!stored.0.contains(&issued.code), "{engine}");
        assert_eq!(stored.1, "desk", "{engine}");
        let leaks = count(
            db,
            &format!(
                "select count(*) from audit_log where coalesce(after, '') || coalesce(before, '') || coalesce(entity_id, '') like '%{}%'",
                issued.code
            ),
        )
        .await;
        assert_eq!(leaks, 0, "{engine}");
        assert_eq!(
            count(
                db,
                "select count(*) from audit_log where action = 'issue_activation_code'"
            )
            .await,
            1,
            "{engine}"
        );

        // Typed as printed, in two groups.
        let done = activate(
            &state,
            &form(&mobile, &display_code(&issued.code), NEW_PASSWORD),
        )
        .await
        .expect("redeemed");
        let Redeemed::Created(account) = done else {
            panic!("{engine}: a new mobile gets a new account: {done:?}");
        };
        assert_eq!(account.role(), Role::Resident, "{engine}");
        assert_eq!(account.mobile.as_deref(), Some(mobile.as_str()), "{engine}");
        assert_eq!(account.display_name, name, "{engine}");
        assert_eq!(account.resident_id, Some(resident), "{engine}");
        let signed_in = app::auth::login::sign_in(&state, &mobile, NEW_PASSWORD, None)
            .await
            .expect("signs in with the new password");
        assert_eq!(signed_in.id, account.id, "{engine}");
        let houses = account_residences(&db.pool, account.id)
            .await
            .expect("houses");
        assert!(
            houses.iter().any(|r| r.house_id == house),
            "{engine}: {houses:?}"
        );
        assert_eq!(
            linked_residents(&db.pool, account.id)
                .await
                .expect("linked"),
            [resident]
        );
        assert_eq!(
            one(
                db,
                "select used_by_account from activation_code where resident_id = $1",
                resident
            )
            .await,
            account.id,
            "{engine}"
        );
        // Used once.
        let again = activate(&state, &form(&mobile, &issued.code, "Another-Lotus-88")).await;
        invalid(&again, engine);
    }
}

#[tokio::test]
async fn a_second_estates_record_with_the_same_mobile_joins_the_same_account() {
    for t in TestDb::both().await {
        let engine = t.engine;
        let state = state_on(&t).await;
        let db = &state.db;
        let (resident, mobile, house, name) = newcomer(db, "CH", 1).await;
        let first = issue(db, resident).await;
        let Ok(Redeemed::Created(account)) =
            activate(&state, &form(&mobile, &first.code, NEW_PASSWORD)).await
        else {
            panic!("{engine}: first code");
        };
        let (second_record, second_house) = also_in_jx(db, &name, &mobile).await;
        let second = issue(db, second_record).await;
        // The right code with a password that is not the account's: refused,
        // nothing written (a record typed with someone's number does not join
        // their account on the code alone).
        let before = fingerprint(db).await;
        assert!(
            matches!(
                activate(&state, &form(&mobile, &second.code, "Different-Pass-207")).await,
                Err(ActivationError::Refused(ActivationRefusal::Invalid))
            ),
            "{engine}: the account's own password is needed"
        );
        assert_eq!(fingerprint(db).await, before, "{engine}");
        let done = activate(&state, &form(&mobile, &second.code, NEW_PASSWORD))
            .await
            .expect("linked");
        assert!(matches!(done, Redeemed::Linked), "{engine}: {done:?}");
        assert_eq!(
            count(
                db,
                &format!("select count(*) from account where mobile = '{mobile}'")
            )
            .await,
            1,
            "{engine}: one account for the person"
        );
        // Its password is the one it had.
        assert!(
            app::auth::login::sign_in(&state, &mobile, NEW_PASSWORD, None)
                .await
                .is_ok()
        );
        assert!(
            app::auth::login::sign_in(&state, &mobile, "Different-Pass-207", None)
                .await
                .is_err()
        );
        let houses: Vec<i64> = account_residences(&db.pool, account.id)
            .await
            .expect("houses")
            .iter()
            .map(|r| r.house_id)
            .collect();
        assert!(
            houses.contains(&house) && houses.contains(&second_house),
            "{engine}: {houses:?}"
        );
        assert_eq!(
            linked_residents(&db.pool, account.id)
                .await
                .expect("linked"),
            [resident, second_record],
            "{engine}: the first record first"
        );
        // The report on the second house is filed as the record living there.
        let acting = app::auth::residence::acting_resident(&db.pool, account.id, second_house, 0)
            .await
            .expect("acting");
        assert_eq!(acting, Some(second_record), "{engine}");

        // The demo's own resident (an account from before the codes, linked by
        // the migration's rule) joins the same way.
        let (demo_account, demo_record): (i64, i64) =
            sqlx::query_as("select id, resident_id from account where mobile = '13800000001'")
                .fetch_one(&db.pool)
                .await
                .expect("demo resident");
        assert_eq!(
            linked_residents(&db.pool, demo_account)
                .await
                .expect("linked"),
            [demo_record],
            "{engine}"
        );
        let (jx_record, jx_house) = also_in_jx(db, "王建国", "13800000001").await;
        let code = issue(db, jx_record).await;
        let done = activate(&state, &form("138 0000 0001", &code.code, PASSWORD))
            .await
            .expect("linked");
        assert!(matches!(done, Redeemed::Linked), "{engine}");
        let houses = account_residences(&db.pool, demo_account)
            .await
            .expect("houses");
        assert!(houses.iter().any(|r| r.house_id == jx_house), "{engine}");
        assert!(
            app::auth::login::sign_in(&state, "13800000001", PASSWORD, None)
                .await
                .is_ok(),
            "{engine}: the demo password still works"
        );
    }
}

#[tokio::test]
async fn used_expired_revoked_codes_and_a_wrong_mobile_are_refused_and_write_nothing() {
    for t in TestDb::both().await {
        let engine = t.engine;
        let state = state_on(&t).await;
        let db = &state.db;
        let (resident, mobile, _, _) = newcomer(db, "CH", 2).await;
        let (other, other_mobile, _, _) = newcomer(db, "CH", 3).await;

        // Revoked: a second code for the record replaces the first.
        let revoked = issue(db, resident).await;
        let live = issue(db, resident).await;
        assert_eq!(
            count(db, &format!("select count(*) from activation_code where resident_id = {resident} and revoked_at is not null")).await,
            1,
            "{engine}"
        );
        // Expired: the other resident's code, its fourteen days over.
        let expired = issue(db, other).await;
        sqlx::query(
            "update activation_code set issued_at = '2020-01-01T00:00:00.000000Z', \
             expires_at = '2020-01-15T00:00:00.000000Z' where resident_id = $1",
        )
        .bind(other)
        .execute(&db.pool)
        .await
        .expect("age the code");
        let before = fingerprint(db).await;

        if revoked.code != live.code {
            invalid(
                &activate(&state, &form(&mobile, &revoked.code, NEW_PASSWORD)).await,
                "revoked",
            );
        }
        invalid(
            &activate(&state, &form(&other_mobile, &expired.code, NEW_PASSWORD)).await,
            "expired",
        );
        // Wrong: the live code with its last digit changed.
        let mut wrong = live.code.clone();
        let last = wrong.pop().expect("digit");
        wrong.push(if last == '9' {
            '0'
        } else {
            char::from(last as u8 + 1)
        });
        invalid(
            &activate(&state, &form(&mobile, &wrong, NEW_PASSWORD)).await,
            "wrong code",
        );
        // The right code with someone else's mobile (that mobile has a record too).
        invalid(
            &activate(&state, &form(&other_mobile, &live.code, NEW_PASSWORD)).await,
            "other mobile",
        );
        // A mobile nobody has.
        invalid(
            &activate(&state, &form("13999999999", &live.code, NEW_PASSWORD)).await,
            "no such mobile",
        );
        assert_eq!(
            fingerprint(db).await,
            before,
            "{engine}: the refusals wrote nothing"
        );
        // Refusals are audited like failed sign-ins, never with the code.
        let failures = count(
            db,
            "select count(*) from audit_log where action = 'activate_failed'",
        )
        .await;
        assert!(failures >= 4, "{engine}: {failures}");
        for code in [&live.code, &expired.code, &revoked.code] {
            let leaks = count(db, &format!("select count(*) from audit_log where coalesce(after, '') || coalesce(before, '') || actor_name like '%{code}%'")).await;
            assert_eq!(leaks, 0, "{engine}");
        }
        // Malformed input is told at its field, and counts nothing.
        let short = activate(&state, &form(&mobile, "1234", NEW_PASSWORD)).await;
        assert!(
            matches!(
                short,
                Err(ActivationError::Refused(ActivationRefusal::CodeFormat))
            ),
            "{short:?}"
        );
        let weak = activate(&state, &form(&mobile, &live.code, "12345678")).await;
        assert!(
            matches!(weak, Err(ActivationError::Password(_))),
            "{weak:?}"
        );
        let mut mismatch = form(&mobile, &live.code, NEW_PASSWORD);
        mismatch.confirm = "Lotus-Pond-4418".into();
        assert!(matches!(
            activate(&state, &mismatch).await,
            Err(ActivationError::Refused(ActivationRefusal::Mismatch))
        ));
        assert_eq!(fingerprint(db).await, before, "{engine}");

        // The live code still works once; then it is used.
        assert!(matches!(
            activate(&state, &form(&mobile, &live.code, NEW_PASSWORD)).await,
            Ok(Redeemed::Created(_))
        ));
        let after = fingerprint(db).await;
        assert_ne!(after, before, "{engine}");
        invalid(
            &activate(&state, &form(&mobile, &live.code, NEW_PASSWORD)).await,
            "used",
        );
        assert_eq!(
            fingerprint(db).await,
            after,
            "{engine}: a used code wrote nothing"
        );
    }
}

#[tokio::test]
async fn two_redemptions_of_one_code_at_once_make_one_account() {
    for t in TestDb::both().await {
        let engine = t.engine;
        let state = state_on(&t).await;
        let db = &state.db;
        let (resident, mobile, _, _) = newcomer(db, "CH", 4).await;
        let issued = issue(db, resident).await;
        let f = form(&mobile, &issued.code, NEW_PASSWORD);
        let (a, b) = tokio::join!(activate(&state, &f), activate(&state, &f));
        let created = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Ok(Redeemed::Created(_))))
            .count();
        assert_eq!(created, 1, "{engine}: {a:?} / {b:?}");
        assert!(
            matches!(
                &a,
                Err(ActivationError::Refused(ActivationRefusal::Invalid))
            ) || matches!(
                &b,
                Err(ActivationError::Refused(ActivationRefusal::Invalid))
            ),
            "{engine}: the other is refused: {a:?} / {b:?}"
        );
        assert_eq!(
            count(
                db,
                &format!("select count(*) from account where mobile = '{mobile}'")
            )
            .await,
            1,
            "{engine}"
        );
        assert_eq!(
            count(
                db,
                &format!("select count(*) from account_resident where resident_id = {resident}")
            )
            .await,
            1,
            "{engine}"
        );
    }
}

// ---- over HTTP ----------------------------------------------------------------

/// Posts the activation form; returns where the answer redirects to.
async fn post_activate(b: &mut Browser<'_>, mobile: &str, code: &str, password: &str) -> String {
    let body = format!(
        "mobile={mobile}&code={}&password={p}&confirm={p}",
        urlencode(code),
        p = urlencode(password)
    );
    location(
        &b.post_form("/auth/activate", &body, Some("same-origin"))
            .await,
    )
}

#[tokio::test]
async fn the_desk_issues_a_slip_and_the_resident_activates_and_lands_on_the_portal() {
    let desk = desk().await;
    let db = &desk.state.db;
    let (resident, mobile, house, _) = newcomer(db, "CH", 0).await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let page = text(clerk.get(&format!("/desk/residents/{resident}")).await).await;
    assert!(
        page.contains("发放开通码"),
        "the resident's page offers the code"
    );
    let r = clerk
        .call("issue_portal_code", &format!("resident_id={resident}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let slip: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let code = slip["code"].as_str().expect("code").to_string();
    assert_eq!(code.len(), 9, "two groups of four: {code}");
    assert_eq!(
        slip["mobile_masked"].as_str(),
        Some(app::common::personal::mask_mobile(&mobile).as_str())
    );
    assert!(slip["activate_url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/activate")));
    assert_eq!(slip["estate_name"].as_str(), Some("翠湖花园"));

    let mut resident_browser = Browser::new(&desk);
    let page = resident_browser.get("/activate").await;
    assert_eq!(page.status(), StatusCode::OK, "public");
    assert!(text(page).await.contains("开通住户账号"));
    assert_eq!(
        post_activate(&mut resident_browser, &mobile, &code, NEW_PASSWORD).await,
        "/portal"
    );
    let r = resident_browser.call("my_houses", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let houses: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    assert!(
        houses
            .as_array()
            .is_some_and(|h| h.iter().any(|h| h["house_id"] == house)),
        "{houses}"
    );
    // And signs in later with the password chosen.
    let mut later = Browser::new(&desk);
    assert_eq!(
        location(&later.login(&mobile, NEW_PASSWORD).await),
        "/portal"
    );
    // The demo's resident, already an account: the code is linked, the page says so.
    let (jx_record, _) = also_in_jx(db, "王建国", "13800000001").await;
    let jx_code = issue(db, jx_record).await;
    let mut demo = Browser::new(&desk);
    assert_eq!(
        post_activate(&mut demo, "13800000001", &jx_code.code, PASSWORD).await,
        "/login?notice=linked"
    );
    assert!(text(demo.get("/login?notice=linked").await)
        .await
        .contains("已关联到您的账号，请用原密码登录"));
}

#[tokio::test]
async fn wrong_codes_hit_the_limit_after_as_many_failures_as_sign_in() {
    let desk = desk().await;
    let db = &desk.state.db;
    let (resident, mobile, _, _) = newcomer(db, "CH", 0).await;
    let issued = issue(db, resident).await;
    let wrong = if issued.code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };

    // Signing in as someone with wrong passwords: failures before the first wait.
    let mut b = Browser::new(&desk);
    let mut sign_in_failures = 0;
    for _ in 0..20 {
        let at = location(&b.login("manager", "Wrong-Password-99").await);
        if at.starts_with("/login?error=throttled") {
            break;
        }
        assert_eq!(at, "/login?error=invalid");
        sign_in_failures += 1;
    }
    // The same with wrong codes for the resident's mobile.
    let mut b = Browser::new(&desk);
    let mut activation_failures = 0;
    for _ in 0..20 {
        let at = post_activate(&mut b, &mobile, wrong, NEW_PASSWORD).await;
        if at.starts_with("/activate?error=throttled&n=") {
            break;
        }
        assert_eq!(at, "/activate?error=invalid");
        activation_failures += 1;
    }
    assert!(
        sign_in_failures > 0 && sign_in_failures < 20,
        "{sign_in_failures}"
    );
    assert_eq!(activation_failures, sign_in_failures);
    // Now the right code waits too, and the mobile's sign-in shares the wait.
    let body = format!(
        "mobile={mobile}&code={}&password={p}&confirm={p}",
        issued.code,
        p = urlencode(NEW_PASSWORD)
    );
    let r = b
        .post_form("/auth/activate", &body, Some("same-origin"))
        .await;
    assert!(
        location(&r).starts_with("/activate?error=throttled&n="),
        "{}",
        location(&r)
    );
    assert!(r.headers().contains_key(axum::http::header::RETRY_AFTER));
    assert!(location(&b.login(&mobile, NEW_PASSWORD).await).starts_with("/login?error=throttled"));
    assert_eq!(
        count(
            db,
            &format!("select count(*) from account where mobile = '{mobile}'")
        )
        .await,
        0,
        "nothing was created"
    );
    assert_eq!(
        count(
            db,
            "select count(*) from activation_code where used_at is not null"
        )
        .await,
        0
    );
    // The page words the wait.
    let page = text(b.get("/activate?error=throttled&n=30").await).await;
    assert!(page.contains("尝试次数过多，请 30 秒后再试"), "{page}");
}

#[tokio::test]
async fn only_the_desk_of_the_residents_estate_may_issue_a_code() {
    let desk = desk().await;
    let db = &desk.state.db;
    // The demo clerk works for 翠湖花园 (CH) only.
    let (jx_resident, _, _, _) = newcomer(db, "JX", 0).await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let r = clerk
        .call("issue_portal_code", &format!("resident_id={jx_resident}"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = clerk.call("issue_portal_code", "resident_id=999999").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A resident may not issue one, not even for themselves.
    let own: (i64,) =
        sqlx::query_as("select resident_id from account where mobile = '13800000001'")
            .fetch_one(&db.pool)
            .await
            .expect("demo resident");
    let mut resident = Browser::new(&desk);
    assert_eq!(
        location(&resident.login("13800000001", PASSWORD).await),
        "/portal"
    );
    let r = resident
        .call("issue_portal_code", &format!("resident_id={}", own.0))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Signed out: not at all.
    let r = Browser::new(&desk)
        .call("issue_portal_code", &format!("resident_id={}", own.0))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(count(db, "select count(*) from activation_code").await, 0);
    assert_eq!(
        count(
            db,
            "select count(*) from audit_log where action = 'issue_activation_code'"
        )
        .await,
        0
    );
    // A resident who lives nowhere now (moved out): refused with the rule.
    let (moved_out, _, _, _) = newcomer(db, "CH", 5).await;
    sqlx::query("update occupancy set end_date = $1 where resident_id = $2 and end_date is null")
        .bind(app::db::time::desk_today())
        .bind(moved_out)
        .execute(&db.pool)
        .await
        .expect("move out");
    let r = clerk
        .call("issue_portal_code", &format!("resident_id={moved_out}"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("没有入住关系"));
    assert_eq!(count(db, "select count(*) from activation_code").await, 0);
}
