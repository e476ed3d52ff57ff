//! Sign-in throttling behind one reverse proxy (issue 12, items 7 and 11;
//! security review H1 and M2): the address that counts is the one the proxy
//! appended, an IPv6 /64 is one address, a failed identifier is cut and
//! masked in the log, the owner keeps signing in from a known address (also
//! after a restart) while a stranger keeps the account waiting, and a burst
//! of sign-ins costs no more hashes than the budget.

mod common;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request};
use common::desk::{desk_on, is_throttled, location, urlencode, Browser, PASSWORD};
use common::TestDb;
use leptos::config::LeptosOptions;
use server::config::HttpConfig;
use tower::ServiceExt;

/// Behind one reverse proxy of our own, which passes on `X-Forwarded-For`.
fn proxied() -> HttpConfig {
    HttpConfig {
        trust_proxy: true,
        ..HttpConfig::default()
    }
}

/// Signs in through the proxy; `forwarded` is the `X-Forwarded-For` it passes on.
/// Returns where the answer redirects to.
async fn login_via(
    b: &mut Browser<'_>,
    forwarded: &str,
    identifier: &str,
    password: &str,
) -> String {
    let body = format!(
        "identifier={}&password={}&next=",
        urlencode(identifier),
        urlencode(password)
    );
    let req = Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "desk.test")
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(body))
        .expect("request");
    location(&b.send(req).await)
}

#[tokio::test]
async fn a_spoofed_leftmost_forwarded_for_does_not_escape_the_address_limit() {
    let desk = desk_on(TestDb::sqlite().await, proxied()).await;
    let mut b = Browser::new(&desk);
    // 21 failures from one caller, each on another name and claiming another origin.
    for i in 0..21 {
        let forwarded = format!("198.18.0.{i}, 203.0.113.7");
        login_via(
            &mut b,
            &forwarded,
            &format!("nobody{i}"),
            "Wrong-Password-1",
        )
        .await;
    }
    let again = login_via(&mut b, "198.18.1.1, 203.0.113.7", "clerk", PASSWORD).await;
    assert!(
        is_throttled(&again),
        "the proxy's address is the key: {again}"
    );
    // What the client wrote first proves nothing either way.
    assert_eq!(
        login_via(&mut b, "203.0.113.7, 203.0.113.8", "clerk", PASSWORD).await,
        "/desk"
    );
}

#[tokio::test]
async fn two_ipv6_addresses_in_one_slash_64_share_a_limit() {
    let desk = desk_on(TestDb::sqlite().await, proxied()).await;
    let mut b = Browser::new(&desk);
    for i in 0..21 {
        let forwarded = format!("2001:db8:5:6::{:x}", i + 1);
        login_via(
            &mut b,
            &forwarded,
            &format!("nobody{i}"),
            "Wrong-Password-1",
        )
        .await;
    }
    let same_64 = login_via(
        &mut b,
        "2001:db8:5:6:abcd:ef01:2345:6789",
        "clerk",
        PASSWORD,
    )
    .await;
    assert!(is_throttled(&same_64), "{same_64}");
    assert_eq!(
        login_via(&mut b, "2001:db8:5:7::1", "clerk", PASSWORD).await,
        "/desk",
        "the next /64 is someone else"
    );
}

#[tokio::test]
async fn a_failed_identifier_is_cut_and_masked_in_the_audit_log() {
    for db in TestDb::both().await {
        let engine = db.engine;
        let desk = desk_on(db, HttpConfig::default()).await;
        let pool = &desk.state.db.pool;
        let mut b = Browser::new(&desk);
        let long = "x".repeat(10_000);
        assert_eq!(
            location(&b.login(&long, "Wrong-Password-1").await),
            "/login?error=invalid",
            "{engine}"
        );
        // A password typed into the wrong box.
        let typo = "Tr0ub4dor&3-Secret";
        assert_eq!(
            location(&b.login(&urlencode(typo), "Wrong-Password-1").await),
            "/login?error=invalid",
            "{engine}"
        );
        // A known account's failure names the account.
        b.login("clerk", "Wrong-Password-1").await;
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "select actor_name, entity_id from audit_log where action = 'login_failed' order by id",
        )
        .fetch_all(pool)
        .await
        .expect("audit");
        let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["xxx***", "tr0***", "王小前"], "{engine}");
        assert!(rows[..2].iter().all(|(_, id)| id.is_none()), "{engine}");
        let (leaks,): (i64,) = sqlx::query_as(
            "select count(*) from audit_log where lower(actor_name || coalesce(entity_id, '') \
             || coalesce(before, '') || coalesce(after, '')) like '%ub4dor%' \
             or length(actor_name) > 64",
        )
        .fetch_one(pool)
        .await
        .expect("audit");
        assert_eq!(leaks, 0, "{engine}: no row keeps the identifier whole");
    }
}

#[tokio::test]
async fn the_owner_signs_in_from_a_known_address_while_a_stranger_keeps_the_account_waiting() {
    let desk = desk_on(TestDb::sqlite().await, proxied()).await;
    let mut owner = Browser::new(&desk);
    assert_eq!(
        login_via(&mut owner, "198.51.100.10", "manager", PASSWORD).await,
        "/desk"
    );
    owner
        .post_form("/auth/logout", "", Some("same-origin"))
        .await;
    // A stranger guesses from a new address each time.
    let mut stranger = Browser::new(&desk);
    for i in 0..6 {
        let forwarded = format!("203.0.113.{}", 50 + i);
        login_via(&mut stranger, &forwarded, "manager", "Wrong-Password-1").await;
    }
    let guess = login_via(&mut stranger, "203.0.113.99", "manager", PASSWORD).await;
    assert!(
        is_throttled(&guess),
        "from anywhere new even the right password waits: {guess}"
    );
    assert_eq!(
        login_via(&mut owner, "198.51.100.10", "manager", PASSWORD).await,
        "/desk",
        "the owner's own address is not locked out"
    );
}

/// A sign-in through the proxy as a request of its own, for sending many at once.
fn login_request(forwarded: &str, identifier: &str, password: &str) -> Request<Body> {
    let body = format!(
        "identifier={}&password={}&next=",
        urlencode(identifier),
        urlencode(password)
    );
    Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "desk.test")
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_sign_ins_at_once_cost_no_more_hashes_than_the_budget() {
    let desk = desk_on(TestDb::sqlite().await, proxied()).await;
    let hashes_before = desk.state.hasher.checks();
    let mut all = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let router = desk.router.clone();
        let req = login_request("203.0.113.7", "manager", "Wrong-Password-1");
        all.spawn(async move { location(&router.oneshot(req).await.expect("response")) });
    }
    let mut answers: HashMap<String, usize> = HashMap::new();
    while let Some(answer) = all.join_next().await {
        let answer = answer.expect("task");
        let kind = answer
            .trim_start_matches("/login?error=")
            .split('&')
            .next()
            .unwrap_or_default()
            .to_string();
        *answers.entry(kind).or_default() += 1;
    }
    let invalid = answers.get("invalid").copied().unwrap_or(0);
    assert!((1..=5).contains(&invalid), "{answers:?}");
    assert_eq!(
        invalid
            + answers.get("throttled").copied().unwrap_or(0)
            + answers.get("busy").copied().unwrap_or(0),
        50,
        "{answers:?}"
    );
    // The account's budget is five failures and the one that spends it: no more
    // passwords were checked, and no more failures were written down.
    let hashed = desk.state.hasher.checks() - hashes_before;
    assert!(hashed <= 6, "{hashed} hashes for {answers:?}");
    let (failures,): (i64,) =
        sqlx::query_as("select count(*) from audit_log where action = 'login_failed'")
            .fetch_one(&desk.state.db.pool)
            .await
            .expect("audit");
    assert!(failures <= 6, "{failures} checked failures for {answers:?}");
    // The budget is spent: now the right password waits too.
    let again = login_via(&mut Browser::new(&desk), "203.0.113.7", "manager", PASSWORD).await;
    assert!(is_throttled(&again), "{again}");
}

#[tokio::test]
async fn after_a_restart_the_owner_still_signs_in_from_a_known_address() {
    for db in TestDb::both().await {
        let engine = db.engine;
        let url = db.url.clone();
        let mut desk = desk_on(db, proxied()).await;
        let mut owner = Browser::new(&desk);
        assert_eq!(
            login_via(&mut owner, "2001:db8:77:1::10", "manager", PASSWORD).await,
            "/desk",
            "{engine}"
        );
        // The server restarts: a new state, nothing remembered in memory.
        let options = LeptosOptions::builder().output_name("estate-desk").build();
        let (state, store) = server::open_app(&url, options, &proxied(), 2)
            .await
            .expect("reopen app");
        desk.router = server::router::build(state.clone(), store, &proxied());
        desk.state = state;
        let mut stranger = Browser::new(&desk);
        for i in 0..6 {
            let forwarded = format!("203.0.113.{}", 50 + i);
            login_via(&mut stranger, &forwarded, "manager", "Wrong-Password-1").await;
        }
        let guess = login_via(&mut stranger, "203.0.113.99", "manager", PASSWORD).await;
        assert!(is_throttled(&guess), "{engine}: {guess}");
        let mut owner = Browser::new(&desk);
        assert_eq!(
            login_via(&mut owner, "2001:db8:77:1::beef", "manager", PASSWORD).await,
            "/desk",
            "{engine}: the owner's /64, known from the audit log, is not locked out"
        );
    }
}
