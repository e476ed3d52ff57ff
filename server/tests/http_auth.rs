//! Signing in and out over HTTP: each role's home, the session cookie and
//! its renewal, the same answer for a wrong password and an unknown user, an
//! account's failure budget, idle and absolute timeouts, the remembered
//! language, safe redirects, and wrong current passwords at a change of
//! password — on SQLite, and the sign-in path once more on PostgreSQL.

mod common;

use std::time::Duration;

use axum::http::{header, StatusCode};
use common::desk::{desk, desk_on, is_throttled, location, text, urlencode, Browser, PASSWORD};
use common::TestDb;
use server::config::{HttpConfig, SESSION_COOKIE};

#[tokio::test]
async fn each_role_signs_in_and_lands_on_its_home() {
    let desk = desk().await;
    for (who, home) in [
        ("admin", "/admin/staff"),
        ("manager", "/desk"),
        ("clerk", "/desk"),
        ("maintenance", "/jobs"),
        ("13800000001", "/portal"),
        ("security", "/security"),
    ] {
        let mut b = Browser::new(&desk);
        let r = b.login(who, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{who}");
        assert_eq!(location(&r), home, "{who}");
        let cookie = r
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{SESSION_COOKIE}=")))
            .unwrap_or_else(|| panic!("{who}: no session cookie"))
            .to_string();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        let page = b.get(home).await;
        assert_eq!(page.status(), StatusCode::OK, "{who}");
        assert!(
            text(page).await.contains("data-me"),
            "{who}: the page knows who is signed in"
        );
    }
}

#[tokio::test]
async fn the_session_id_changes_at_every_sign_in() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    b.login("clerk", PASSWORD).await;
    let first = b.cookies.get(SESSION_COOKIE).cloned().expect("session");
    b.login("clerk", PASSWORD).await;
    let second = b.cookies.get(SESSION_COOKIE).cloned().expect("session");
    assert_ne!(first, second);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    let wrong = b.login("clerk", "Not-The-Password-1").await;
    let unknown = b.login("nobody-here", "Not-The-Password-1").await;
    assert_eq!(location(&wrong), "/login?error=invalid");
    assert_eq!(location(&unknown), "/login?error=invalid");
    assert!(
        !b.cookies.contains_key(SESSION_COOKIE),
        "no session for a failed sign-in"
    );
    // And the page says so, next to the password field.
    let page = text(b.get("/login?error=invalid").await).await;
    assert!(page.contains("用户名（手机号）或密码不正确"), "{page}");
}

#[tokio::test]
async fn repeated_failures_slow_down_an_account() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    for _ in 0..5 {
        assert_eq!(
            location(&b.login("manager", "Wrong-Password-99").await),
            "/login?error=invalid"
        );
    }
    let sixth = b.login("manager", "Wrong-Password-99").await;
    let throttled = b.login("manager", PASSWORD).await;
    assert!(
        location(&sixth).starts_with("/login?error=invalid")
            || location(&sixth).starts_with("/login?error=throttled")
    );
    assert!(
        location(&throttled).starts_with("/login?error=throttled&wait="),
        "{}",
        location(&throttled)
    );
    assert!(throttled.headers().contains_key(header::RETRY_AFTER));
    // Another account is not affected.
    assert_eq!(location(&b.login("clerk", PASSWORD).await), "/desk");
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    b.login("admin", PASSWORD).await;
    assert_eq!(b.call("list_staff", "").await.status(), StatusCode::OK);
    let out = b.post_form("/auth/logout", "", Some("same-origin")).await;
    assert_eq!(location(&out), "/login");
    assert_eq!(
        b.call("list_staff", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        location(&b.get("/admin/staff").await),
        "/login?next=/admin/staff"
    );
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    let idle = HttpConfig {
        session_idle: Duration::from_secs(1),
        ..HttpConfig::default()
    };
    let desk = desk_on(TestDb::sqlite().await, idle).await;
    let mut b = Browser::new(&desk);
    b.login("clerk", PASSWORD).await;
    assert_eq!(b.call("desk_summary", "").await.status(), StatusCode::OK);
    // Busy for three idle periods: still signed in.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            b.call("desk_summary", "").await.status(),
            StatusCode::OK,
            "activity keeps the session"
        );
    }
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        b.call("desk_summary", "").await.status(),
        StatusCode::UNAUTHORIZED,
        "idle timeout"
    );

    let absolute = HttpConfig {
        session_absolute: Duration::from_secs(1),
        ..HttpConfig::default()
    };
    let desk = desk_on(TestDb::sqlite().await, absolute).await;
    let mut b = Browser::new(&desk);
    b.login("clerk", PASSWORD).await;
    for _ in 0..3 {
        // Staying busy does not help against the absolute timeout.
        tokio::time::sleep(Duration::from_millis(800)).await;
        b.call("desk_summary", "").await;
    }
    assert_eq!(
        b.call("desk_summary", "").await.status(),
        StatusCode::UNAUTHORIZED,
        "absolute timeout"
    );
}

#[tokio::test]
async fn language_switch_is_remembered_by_the_account() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    b.login("clerk", PASSWORD).await;
    let r = b
        .post_form("/auth/lang", "lang=en&back=/desk", Some("same-origin"))
        .await;
    assert_eq!(location(&r), "/desk");
    // A fresh browser (no cookie) gets English once signed in.
    let mut other = Browser::new(&desk);
    other.login("clerk", PASSWORD).await;
    other.cookies.remove("lang");
    let html = text(other.get("/desk").await).await;
    assert!(
        html.contains("lang=\"en\""),
        "the account remembers English"
    );
    assert!(html.contains("Sign out"));
}

#[tokio::test]
async fn sign_in_works_on_postgres_too() {
    let desk = desk_on(TestDb::postgres().await, HttpConfig::default()).await;
    let mut b = Browser::new(&desk);
    assert_eq!(location(&b.login("clerk", PASSWORD).await), "/desk");
    assert_eq!(b.call("desk_summary", "").await.status(), StatusCode::OK);
    assert_eq!(
        location(&Browser::new(&desk).login("clerk", "Wrong-Password-1").await),
        "/login?error=invalid"
    );
    let out = b.post_form("/auth/logout", "", Some("same-origin")).await;
    assert_eq!(location(&out), "/login");
    assert_eq!(
        b.call("desk_summary", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn redirects_back_refuse_a_tab_or_newline_that_leaves_the_site() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    for back in [
        "%2F%09%2Fevil.example",
        "%2F%0A%2Fevil",
        "%2F%5Cevil",
        "%2F%2Fevil",
    ] {
        let r = b
            .post_form(
                "/auth/lang",
                &format!("lang=zh&back={back}"),
                Some("same-origin"),
            )
            .await;
        assert_eq!(location(&r), "/", "{back}");
    }
    let body = format!(
        "identifier=clerk&password={}&next=%2F%09%2Fevil.example",
        urlencode(PASSWORD)
    );
    let r = b.post_form("/auth/login", &body, Some("same-origin")).await;
    assert_eq!(location(&r), "/desk", "signed in, and home instead");
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_sign_in_and_audited() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let hash = || async {
        let (h,): (String,) =
            sqlx::query_as("select password_hash from account where username = 'clerk'")
                .fetch_one(pool)
                .await
                .expect("hash");
        h
    };
    let before = hash().await;
    let mut b = Browser::new(&desk);
    assert_eq!(location(&b.login("clerk", PASSWORD).await), "/desk");
    let new = "Counter-Desk-Renewed-7";
    let change = |current: &str| {
        format!(
            "current={}&new_password={}&confirm={}",
            urlencode(current),
            urlencode(new),
            urlencode(new)
        )
    };
    for i in 0..5 {
        let r = b.call("change_password", &change("Wrong-Current-1")).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = text(r).await;
        assert!(body.contains("当前密码不正确"), "{i}: {body}");
    }
    // The sixth failure spends the budget…
    b.call("change_password", &change("Wrong-Current-1")).await;
    // …and then even the right current password waits.
    let right = b.call("change_password", &change(PASSWORD)).await;
    assert_eq!(right.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = text(right).await;
    let secs: u64 = body
        .split("尝试次数过多，请 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no throttle message: {body}"));
    assert!((1..=30).contains(&secs), "{secs}");
    assert!(body.contains("\"field\":\"current\""), "{body}");
    assert_eq!(hash().await, before, "the password did not change");
    let (failures,): (i64,) = sqlx::query_as(
        "select count(*) from audit_log where action = 'change_own_password_failed'",
    )
    .fetch_one(pool)
    .await
    .expect("audit");
    assert_eq!(failures, 6, "every wrong current password is audited");
    // The same budget as signing in.
    let sign_in = location(&Browser::new(&desk).login("clerk", PASSWORD).await);
    assert!(is_throttled(&sign_in), "{sign_in}");
}
