//! The HTTP stack's defences: cross-site posts refused, the security headers
//! and the script nonce on every page, the body limit, and the cookies and
//! HSTS behind TLS and over plain HTTP (issue 12, items 14 and 17; security
//! review L9).

mod common;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use common::desk::{desk, desk_on, location, text, Browser, PASSWORD};
use common::TestDb;
use server::config::{HttpConfig, SECURE_SESSION_COOKIE, SESSION_COOKIE};

/// Tests build many routers at once; building one once rendered the app with
/// resources suppressed process-wide, and a page rendered meanwhile on
/// another thread waited for ever (CI hung on it). Routers built while pages
/// render leave every page answering.
#[tokio::test]
async fn pages_render_while_other_routers_are_built() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    b.login("clerk", PASSWORD).await;
    let stop = Arc::new(AtomicBool::new(false));
    let builder = {
        let (state, store, stop) = (desk.state.clone(), desk.store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut built = 0;
            while !stop.load(Ordering::Relaxed) {
                let _ = server::router::build(state.clone(), store.clone(), &HttpConfig::default());
                built += 1;
            }
            built
        })
    };
    for _ in 0..20 {
        let page = tokio::time::timeout(std::time::Duration::from_secs(20), b.get("/desk"))
            .await
            .expect("the desk's home rendered while routers were built");
        assert_eq!(page.status(), StatusCode::OK);
    }
    stop.store(true, Ordering::Relaxed);
    assert!(builder.join().expect("builder") > 0);
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    b.login("admin", PASSWORD).await;
    let before: (i64,) = sqlx::query_as("select count(*) from account")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("n");
    let body = "username=mallory&display_name=M&role=admin&password=Very-Strong-Pass-2026";
    let r = b
        .post_form("/api/create_staff", body, Some("cross-site"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Without fetch metadata, a foreign Origin is refused too.
    let req = Request::post("/api/create_staff")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "desk.test")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(body))
        .expect("request");
    assert_eq!(b.send(req).await.status(), StatusCode::FORBIDDEN);
    let r = b
        .post_form(
            "/auth/login",
            "identifier=admin&password=x",
            Some("cross-site"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let after: (i64,) = sqlx::query_as("select count(*) from account")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("n");
    assert_eq!(before, after);
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    let page = b.get("/login").await;
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers();
    let csp = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(
        h.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()),
        Some(&b"nosniff"[..])
    );
    assert!(h.contains_key(header::REFERRER_POLICY));
    assert_eq!(
        h.get(header::CACHE_CONTROL).map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    // The hydration script carries the nonce of the header.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce")
        .to_string();
    let html = text(page).await;
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "hydration script without the nonce"
    );
    assert!(html.contains("lang=\"zh-CN\""), "Chinese by default");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    let big = format!("identifier=admin&password={}", "x".repeat(2 * 1024 * 1024));
    let r = b.post_form("/auth/login", &big, Some("same-origin")).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

fn set_cookie(r: &Response<Body>, name: &str) -> Option<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

#[tokio::test]
async fn behind_tls_the_session_cookie_is_host_prefixed_and_hsts_is_sent() {
    let config = HttpConfig {
        secure_cookies: true,
        ..HttpConfig::default()
    };
    let desk = desk_on(TestDb::sqlite().await, config).await;
    let mut b = Browser::new(&desk);
    let r = b.login("clerk", PASSWORD).await;
    assert_eq!(location(&r), "/desk");
    let cookie = set_cookie(&r, SECURE_SESSION_COOKIE).expect("a __Host- session cookie");
    assert_eq!(SECURE_SESSION_COOKIE, "__Host-desk_session");
    let attrs: Vec<&str> = cookie.split(';').map(str::trim).collect();
    for attr in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(attrs.contains(&attr), "{attr} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    assert!(set_cookie(&r, SESSION_COOKIE).is_none());
    let hsts = |r: &Response<Body>| {
        r.headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(
        hsts(&r).as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    // The session is found again under that name.
    let page = b.get("/desk").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(hsts(&page).is_some());
    assert_eq!(b.call("desk_summary", "").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn over_plain_http_the_cookie_is_desk_session_and_no_hsts() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    let r = b.login("clerk", PASSWORD).await;
    let cookie = set_cookie(&r, SESSION_COOKIE).expect("session cookie");
    assert_eq!(SESSION_COOKIE, "desk_session");
    assert!(!cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
    assert!(set_cookie(&r, SECURE_SESSION_COOKIE).is_none());
    assert!(!r.headers().contains_key(header::STRICT_TRANSPORT_SECURITY));
    let page = b.get("/desk").await;
    assert!(!page
        .headers()
        .contains_key(header::STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn behind_tls_the_language_cookie_is_secure_too() {
    let tls = HttpConfig {
        secure_cookies: true,
        ..HttpConfig::default()
    };
    let secure = desk_on(TestDb::sqlite().await, tls).await;
    let mut b = Browser::new(&secure);
    let switched = b
        .post_form("/auth/lang", "lang=en&back=%2Flogin", Some("same-origin"))
        .await;
    let signed_in = b.login("clerk", PASSWORD).await;
    for r in [&switched, &signed_in] {
        let cookie = set_cookie(r, "lang").expect("a lang cookie");
        assert!(cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
    }
    // Over plain HTTP it is not (a browser would drop it).
    let plain = desk().await;
    let r = Browser::new(&plain)
        .post_form("/auth/lang", "lang=en&back=%2F", Some("same-origin"))
        .await;
    let cookie = set_cookie(&r, "lang").expect("a lang cookie");
    assert!(!cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
}
