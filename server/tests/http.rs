//! In-process HTTP tests of the whole stack (sessions, identity, CSRF,
//! headers, limits, server functions), on a fresh SQLite database — and the
//! sign-in path once more on PostgreSQL.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use common::TestDb;
use leptos::config::LeptosOptions;
use server::config::{HttpConfig, SECURE_SESSION_COOKIE, SESSION_COOKIE};
use tower::ServiceExt;

const PASSWORD: &str = "Demo-Estate-2026!";

struct Desk {
    router: Router,
    state: app::state::AppState,
    _db: TestDb,
}

async fn desk_on(db: TestDb, config: HttpConfig) -> Desk {
    let options = LeptosOptions::builder().output_name("estate-desk").build();
    let (state, store) = server::open_app(&db.url, options, &config, 2)
        .await
        .expect("open app");
    server::demo::load(&state.db, &state.hasher, PASSWORD)
        .await
        .expect("demo");
    let router = server::router::build(state.clone(), store, &config);
    Desk {
        router,
        state,
        _db: db,
    }
}

async fn desk() -> Desk {
    desk_on(TestDb::sqlite().await, HttpConfig::default()).await
}

/// A browser: keeps cookies, sends same-origin fetch metadata unless told otherwise.
struct Browser<'a> {
    desk: &'a Desk,
    cookies: common::CookieJar,
}

impl<'a> Browser<'a> {
    fn new(desk: &'a Desk) -> Self {
        Browser {
            desk,
            cookies: common::CookieJar::default(),
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Response<Body> {
        self.cookies.send(&self.desk.router, req).await
    }

    async fn get(&mut self, path: &str) -> Response<Body> {
        let req = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    async fn post_form(&mut self, path: &str, body: &str, site: Option<&str>) -> Response<Body> {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "desk.test")
            .body(Body::from(body.to_string()))
            .expect("request");
        if let Some(site) = site {
            req.headers_mut()
                .insert("sec-fetch-site", site.parse().expect("header"));
        }
        self.send(req).await
    }

    async fn login(&mut self, identifier: &str, password: &str) -> Response<Body> {
        let body = format!(
            "identifier={identifier}&password={}&next=",
            urlencode(password)
        );
        self.post_form("/auth/login", &body, Some("same-origin"))
            .await
    }

    /// Calls a server function (they live at /api/<name>).
    async fn call(&mut self, name: &str, body: &str) -> Response<Body> {
        self.post_form(&format!("/api/{name}"), body, Some("same-origin"))
            .await
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn location(r: &Response<Body>) -> String {
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn text(r: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(r.into_body(), 4 * 1024 * 1024)
        .await
        .expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn each_role_signs_in_and_lands_on_its_home() {
    let desk = desk().await;
    for (who, home) in [
        ("admin", "/admin/staff"),
        ("manager", "/desk"),
        ("clerk", "/desk"),
        ("maintenance", "/jobs"),
        ("13800000001", "/portal"),
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
async fn disabling_an_account_ends_all_its_sessions_at_once() {
    let desk = desk().await;
    let mut phone = Browser::new(&desk);
    let mut counter = Browser::new(&desk);
    phone.login("clerk", PASSWORD).await;
    counter.login("clerk", PASSWORD).await;
    assert_eq!(
        phone.call("desk_summary", "").await.status(),
        StatusCode::OK
    );

    let mut admin = Browser::new(&desk);
    admin.login("admin", PASSWORD).await;
    let (clerk_id,): (i64,) = sqlx::query_as("select id from account where username = 'clerk'")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("clerk");
    let r = admin
        .call(
            "set_staff_disabled",
            &format!("id={clerk_id}&disabled=true"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);

    assert_eq!(
        phone.call("desk_summary", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        counter.call("desk_summary", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        location(&Browser::new(&desk).login("clerk", PASSWORD).await),
        "/login?error=disabled"
    );
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from audit_log where action = 'disable' and entity_id = $1",
    )
    .bind(clerk_id.to_string())
    .fetch_one(&desk.state.db.pool)
    .await
    .expect("audit");
    assert_eq!(n, 1, "the disable is in the audit log");
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
async fn a_resident_is_refused_staff_functions_and_pages() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    b.login("13800000001", PASSWORD).await;
    assert_eq!(
        b.call("list_staff", "").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        b.call("desk_summary", "").await.status(),
        StatusCode::FORBIDDEN
    );
    let page = b.get("/desk").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(text(page).await.contains("无权访问"));
    // Their own houses, and only theirs.
    let r = b.call("my_houses", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let houses: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let numbers: Vec<&str> = houses
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|h| h["number"].as_str())
        .collect();
    assert_eq!(numbers, vec!["1-1-101"]);
}

#[tokio::test]
async fn staff_see_only_their_estates() {
    let desk = desk().await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let estates: serde_json::Value =
        serde_json::from_str(&text(clerk.call("desk_summary", "").await).await).expect("json");
    let names: Vec<&str> = estates
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(names, vec!["翠湖花园"]);
    let mut admin = Browser::new(&desk);
    admin.login("admin", PASSWORD).await;
    let estates: serde_json::Value =
        serde_json::from_str(&text(admin.call("desk_summary", "").await).await).expect("json");
    assert_eq!(estates.as_array().expect("list").len(), 2);
    // A clerk is not an admin: account management is refused.
    assert_eq!(
        clerk.call("list_staff", "").await.status(),
        StatusCode::FORBIDDEN
    );
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

#[tokio::test]
async fn bad_staff_input_names_the_fields_and_writes_nothing() {
    let desk = desk().await;
    let mut b = Browser::new(&desk);
    b.login("admin", PASSWORD).await;
    let before: (i64,) = sqlx::query_as("select count(*) from account")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("n");
    let r = b
        .call(
            "create_staff",
            "username=X&display_name=&role=clerk&password=short",
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = text(r).await;
    for field in ["username", "display_name", "estates"] {
        assert!(
            body.contains(&format!("\"field\":\"{field}\"")),
            "{field} missing from {body}"
        );
    }
    assert!(
        body.contains("用户名须为"),
        "messages are in the caller's language: {body}"
    );
    let r = b
        .call(
            "create_staff",
            "username=wang.li&display_name=王力&role=clerk&estates[]=1&password=password1234",
        )
        .await;
    assert!(text(r).await.contains("太常见"));
    let after: (i64,) = sqlx::query_as("select count(*) from account")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("n");
    assert_eq!(before, after);
    // Good input creates the account, audited, and it can sign in.
    let r = b
        .call("create_staff", "username=wang.li&display_name=王力&role=clerk&estates[]=1&password=Counter-Desk-2026%21")
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    assert_eq!(
        location(
            &Browser::new(&desk)
                .login("wang.li", "Counter-Desk-2026!")
                .await
        ),
        "/desk"
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
async fn a_clerk_cannot_open_another_estates_house_and_reveals_are_audited() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let (own,): (i64,) = sqlx::query_as(
        "select h.id from house h join estate e on e.id = h.estate_id where e.code = 'CH' and h.number = '1-1-101'",
    )
    .fetch_one(pool)
    .await
    .expect("house");
    let (other,): (i64,) = sqlx::query_as(
        "select h.id from house h join estate e on e.id = h.estate_id where e.code = 'JX' and h.number = '1-1-101'",
    )
    .fetch_one(pool)
    .await
    .expect("house");
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    assert_eq!(
        clerk.call("get_house", &format!("id={own}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        clerk
            .call("get_house", &format!("id={other}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let page = clerk.get(&format!("/desk/houses/{other}")).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(text(page).await.contains("无权查看"), "the page says why");

    let (resident,): (i64,) =
        sqlx::query_as("select id from resident where mobile = '13800000001'")
            .fetch_one(pool)
            .await
            .expect("r");
    let r = clerk
        .call(
            "reveal_resident_field",
            &format!("id={resident}&field=mobile"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(text(r).await.contains("13800000001"));
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from audit_log where action = 'reveal_mobile' and entity_id = $1",
    )
    .bind(resident.to_string())
    .fetch_one(pool)
    .await
    .expect("audit");
    assert_eq!(n, 1);
    // Lists and search never carry the full number.
    let hits = text(
        clerk
            .get("/api/desk_search?q=%E7%8E%8B%E5%BB%BA%E5%9B%BD")
            .await,
    )
    .await;
    assert!(
        hits.contains("138****0001") && !hits.contains("13800000001"),
        "{hits}"
    );
    // A resident may not use the desk's search.
    let mut resident_browser = Browser::new(&desk);
    resident_browser.login("13800000001", PASSWORD).await;
    assert_eq!(
        resident_browser
            .get("/api/desk_search?q=1201")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn bad_occupant_input_names_each_field_and_writes_nothing() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let (house,): (i64,) = sqlx::query_as(
        "select h.id from house h join estate e on e.id = h.estate_id where e.code = 'CH' and h.number = '2-1-501'",
    )
    .fetch_one(pool)
    .await
    .expect("house");
    let before: (i64,) = sqlx::query_as("select count(*) from occupancy")
        .fetch_one(pool)
        .await
        .expect("n");
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let body = format!("house_id={house}&name=&mobile=12345&id_number=110105194912310021&role=boss&start_date=soon");
    let r = clerk.call("add_occupant", &body).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = text(r).await;
    for field in ["name", "mobile", "id_number", "role", "start_date"] {
        assert!(
            body.contains(&format!("\"field\":\"{field}\"")),
            "{field}: {body}"
        );
    }
    assert!(body.contains("校验位"), "{body}");
    let after: (i64,) = sqlx::query_as("select count(*) from occupancy")
        .fetch_one(pool)
        .await
        .expect("n");
    assert_eq!(before, after);
    let good = format!("house_id={house}&name=%E8%B5%B5%E7%A7%9F&mobile=13912345678&id_number=&role=tenant&start_date=2026-11-01");
    assert_eq!(
        clerk.call("add_occupant", &good).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn houses_residents_and_estates_are_created_and_corrected_with_masked_audit() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let (ch,): (i64,) = sqlx::query_as("select id from estate where code = 'CH'")
        .fetch_one(pool)
        .await
        .expect("ch");

    // A new house, then the same number again.
    let body =
        format!("estate_id={ch}&number=5-1-101&area=95.5&use_kind=residential&status=vacant");
    assert_eq!(
        clerk.call("create_house", &body).await.status(),
        StatusCode::OK
    );
    let again = clerk.call("create_house", &body).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(again).await.contains("已存在"));
    let bad = clerk
        .call(
            "create_house",
            &format!("estate_id={ch}&number=5-1&area=0&use_kind=castle&status=vacant"),
        )
        .await;
    let bad = text(bad).await;
    for field in ["number", "area", "use_kind"] {
        assert!(
            bad.contains(&format!("\"field\":\"{field}\"")),
            "{field}: {bad}"
        );
    }

    // Correcting a resident: the audit log keeps masked values only.
    let (resident,): (i64,) =
        sqlx::query_as("select id from resident where mobile = '13800000001'")
            .fetch_one(pool)
            .await
            .expect("r");
    let body = format!(
        "id={resident}&name=%E7%8E%8B%E5%BB%BA%E5%9B%BD&mobile=13900000009&id_number=&notes="
    );
    assert_eq!(
        clerk.call("update_resident", &body).await.status(),
        StatusCode::OK
    );
    let (mobile, tail): (String, String) =
        sqlx::query_as("select mobile, mobile_tail from resident where id = $1")
            .bind(resident)
            .fetch_one(pool)
            .await
            .expect("r");
    assert_eq!((mobile.as_str(), tail.as_str()), ("13900000009", "0009"));
    let (before, after): (String, String) = sqlx::query_as(
        "select before, after from audit_log where entity = 'resident' and action = 'update'",
    )
    .fetch_one(pool)
    .await
    .expect("audit");
    assert!(
        before.contains("138****0001") && after.contains("139****0009"),
        "{before} {after}"
    );
    assert!(
        !before.contains("13800000001") && !after.contains("13900000009"),
        "the log holds no full mobile"
    );

    // Estates are an admin's to create.
    assert_eq!(
        clerk
            .call(
                "create_estate",
                "code=NEW1&name=%E6%96%B0%E5%B0%8F%E5%8C%BA"
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let mut admin = Browser::new(&desk);
    admin.login("admin", PASSWORD).await;
    assert_eq!(
        admin
            .call(
                "create_estate",
                "code=NEW1&name=%E6%96%B0%E5%B0%8F%E5%8C%BA"
            )
            .await
            .status(),
        StatusCode::OK
    );
    let dup = admin.call("create_estate", "code=new1&name=x").await;
    assert_eq!(dup.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_resident_sees_their_own_details_masked_and_each_reveal_is_audited() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let (me_id, id_number): (i64, String) =
        sqlx::query_as("select id, id_number from resident where mobile = '13800000001'")
            .fetch_one(pool)
            .await
            .expect("resident");
    let (other_id, other_mobile): (i64, String) = sqlx::query_as(
        "select id, mobile from resident where mobile <> '13800000001' order by id limit 1",
    )
    .fetch_one(pool)
    .await
    .expect("another resident");
    let mut b = Browser::new(&desk);
    b.login("13800000001", PASSWORD).await;
    // Neither the data nor the page (with its hydration data) holds the full numbers.
    let me = text(b.call("my_profile", "").await).await;
    let home = text(b.get("/portal").await).await;
    for body in [&me, &home] {
        assert!(
            !body.contains("13800000001") && !body.contains(&id_number),
            "{body}"
        );
        assert!(body.contains("138****0001"), "{body}");
    }
    let reveals = || async {
        let (n,): (i64,) = sqlx::query_as(
            "select count(*) from audit_log where entity = 'resident' and action in ('reveal_mobile', 'reveal_id_number')",
        )
        .fetch_one(pool)
        .await
        .expect("audit");
        n
    };
    // The reveal gives the caller's own value, and says so in the log.
    let r = b.call("reveal_my_field", "field=mobile").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(text(r).await.contains("13800000001"));
    let r = b.call("reveal_my_field", "field=id_number").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(text(r).await.contains(&id_number));
    let (entity_id, actor): (String, Option<i64>) = sqlx::query_as(
        "select entity_id, actor_id from audit_log where action = 'reveal_id_number' order by id desc limit 1",
    )
    .fetch_one(pool)
    .await
    .expect("audit entry");
    assert_eq!(entity_id, me_id.to_string());
    assert!(actor.is_some());
    assert_eq!(reveals().await, 2);
    // Someone else's: the portal's reveal takes no id, and the desk's is not a resident's.
    let r = b
        .call("reveal_my_field", &format!("field=mobile&id={other_id}"))
        .await;
    assert!(!text(r).await.contains(&other_mobile));
    let r = b
        .call(
            "reveal_resident_field",
            &format!("id={other_id}&field=mobile"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!text(r).await.contains(&other_mobile));
}

#[tokio::test]
async fn a_house_area_is_corrected_exactly_and_audited() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let (house,): (i64,) = sqlx::query_as(
        "select h.id from house h join estate e on e.id = h.estate_id where e.code = 'CH' and h.number = '1-1-101'",
    )
    .fetch_one(pool)
    .await
    .expect("house");
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let bad = clerk
        .call(
            "update_house",
            &format!("id={house}&area=89.555&use_kind=residential"),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(bad).await.contains("两位小数"));
    assert_eq!(
        clerk
            .call(
                "update_house",
                &format!("id={house}&area=90.07&use_kind=commercial")
            )
            .await
            .status(),
        StatusCode::OK
    );
    let (area, kind): (i64, String) =
        sqlx::query_as("select area_centi, use_kind from house where id = $1")
            .bind(house)
            .fetch_one(pool)
            .await
            .expect("house");
    assert_eq!((area, kind.as_str()), (9007, "commercial"));
    let (before, after): (String, String) = sqlx::query_as(
        "select before, after from audit_log where entity = 'house' and action = 'update'",
    )
    .fetch_one(pool)
    .await
    .expect("audit");
    assert!(
        before.contains("8956") && after.contains("9007"),
        "{before} {after}"
    );
}

#[tokio::test]
async fn billing_calls_check_the_role_and_the_house() {
    let desk = desk().await;
    let db = &desk.state.db;
    let id = |sql: &'static str| async move {
        let (id,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
        id
    };
    let ch = id("select id from estate where code = 'CH'").await;
    let jx_house =
        id("select min(id) from house where estate_id = (select id from estate where code = 'JX')")
            .await;
    let other_house = id("select id from house where number = '1-1-102' and estate_id = (select id from estate where code = 'CH')").await;
    let own_payment = id("select min(id) from payment").await;
    let payment = id("select id from bill_line where house_id = (select id from house where number = '1-1-102' and estate_id = (select id from estate where code = 'CH')) order by id limit 1").await;
    let clerk_id = id("select id from account where username = 'clerk'").await;
    let other_payment = app::billing::ledger::take_payment(
        db,
        &app::audit::db::Actor {
            account_id: None,
            name: "t".into(),
            ip: None,
        },
        clerk_id,
        app::common::Lang::Zh,
        &app::billing::ledger::PaymentRequest {
            house_id: other_house,
            line_ids: vec![payment],
            method: "cash".into(),
            received: "9999".into(),
            request_key: "http-test".into(),
        },
    )
    .await
    .expect("payment")
    .payment_id;

    // A clerk takes payments but neither runs billing, reverses nor approves.
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    for (name, body) in [
        ("start_bill_run", format!("estate_id={ch}&period=2026-01")),
        (
            "reverse_payment",
            format!("payment_id={other_payment}&reason=x"),
        ),
        ("decide_waiver", "waiver_id=1&decision=approve".to_string()),
        (
            "create_fee_item",
            format!("estate_id={ch}&name=x&kind=fixed&due_days=1&unit="),
        ),
    ] {
        assert_eq!(
            clerk.call(name, &body).await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
    }
    assert_eq!(
        clerk
            .call("get_house_account", &format!("house_id={jx_house}"))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "another estate's house"
    );
    let r = clerk
        .call("get_house_account", &format!("house_id={other_house}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // A manager's reversal needs a reason, in words.
    let mut manager = Browser::new(&desk);
    manager.login("manager", PASSWORD).await;
    let r = manager
        .call(
            "reverse_payment",
            &format!("payment_id={other_payment}&reason="),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("请填写原因"));

    // A resident: their own bills and receipts only.
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    let r = resident.call("my_bills", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bills: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let numbers: Vec<&str> = bills["houses"]
        .as_array()
        .expect("houses")
        .iter()
        .filter_map(|h| h["number"].as_str())
        .collect();
    assert_eq!(numbers, vec!["1-1-101"]);
    assert_eq!(
        resident
            .call("my_receipt", &format!("payment_id={own_payment}"))
            .await
            .status(),
        StatusCode::OK
    );
    // Another house's receipt is not found, like one from before the resident moved in.
    assert_eq!(
        resident
            .call("my_receipt", &format!("payment_id={other_payment}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        resident
            .call("get_house_account", &format!("house_id={other_house}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        resident.get("/desk/billing").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn payment_notices_print_per_house_and_never_threaten_supplies() {
    let desk = desk().await;
    let (building,): (i64,) = sqlx::query_as(
        "select b.id from building b join estate e on e.id = b.estate_id where e.code = 'CH' and b.code = '1'",
    )
    .fetch_one(&desk.state.db.pool)
    .await
    .expect("building");
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let page = clerk
        .get(&format!("/desk/notices?building={building}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = text(page).await;
    // One notice per owing house of building 1 (1-1-101 owes only this month, if billed).
    let notices = html.matches("data-testid=\"notice\"").count();
    assert!(notices >= 10, "{notices} notices");
    assert!(html.contains("缴费通知单") && html.contains("1-1-102"));
    for threat in [
        "停水",
        "停电",
        "停气",
        "停暖",
        "断水",
        "断电",
        "限制用水",
        "限电",
    ] {
        assert!(
            !html.contains(threat),
            "a notice must not threaten supplies: {threat}"
        );
    }
    // A resident cannot print the desk's notices.
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    assert_eq!(
        resident
            .get(&format!("/desk/notices?building={building}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

/// A multipart body with one `back` field and the given `photo` files.
fn multipart(back: &str, photos: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----desk-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"back\"\r\n\r\n{back}\r\n")
            .as_bytes(),
    );
    for (name, bytes) in photos {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn png_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

impl Browser<'_> {
    async fn upload(&mut self, path: &str, back: &str, photos: &[(&str, &[u8])]) -> Response<Body> {
        let (content_type, body) = multipart(back, photos);
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::HOST, "desk.test")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }
}

#[tokio::test]
async fn repair_calls_check_the_worker_the_resident_and_the_photos() {
    let desk = desk().await;
    let db = &desk.state.db;
    let id = |sql: String| async move {
        let (id,): (i64,) = sqlx::query_as(&sql).fetch_one(&db.pool).await.expect(&sql);
        id
    };
    let ch = "(select id from estate where code = 'CH')";
    // The demo gives 张师傅 (maintenance) an assigned job on 1-1-202.
    let zhangs = id(format!("select t.id from repair_ticket t join house h on h.id = t.house_id where h.number = '1-1-202' and t.estate_id = {ch}")).await;
    let own_house = id(format!(
        "select id from house where number = '1-1-101' and estate_id = {ch}"
    ))
    .await;
    let other_house = id(format!(
        "select id from house where number = '1-1-102' and estate_id = {ch}"
    ))
    .await;

    // Worker B cannot see or act on A's job.
    let mut liu = Browser::new(&desk);
    liu.login("maintenance2", PASSWORD).await;
    for (name, body) in [
        ("get_ticket", format!("id={zhangs}")),
        ("ticket_step", format!("id={zhangs}&action=accept")),
        ("finish_job", format!("id={zhangs}&work_notes=x&materials=")),
        (
            "ticket_with_reason",
            format!("id={zhangs}&action=hand_back&reason=x"),
        ),
    ] {
        assert_eq!(
            liu.call(name, &body).await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
    }
    // …and the desk's functions are not a worker's.
    assert_eq!(
        liu.call("assign_ticket", &format!("id={zhangs}&worker_id=1"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let mut zhang = Browser::new(&desk);
    zhang.login("maintenance", PASSWORD).await;
    let r = zhang
        .call("ticket_step", &format!("id={zhangs}&action=accept"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Starting twice is refused in words, not an error page.
    zhang
        .call("ticket_step", &format!("id={zhangs}&action=start"))
        .await;
    let r = zhang
        .call("ticket_step", &format!("id={zhangs}&action=start"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("处理中"));

    // A resident reports only on their own houses.
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    let body = |house: i64| {
        format!("estate_id=0&house_id={house}&location_id=0&category=water&description=%E6%BC%8F%E6%B0%B4&urgency=normal")
    };
    let r = resident.call("report_repair", &body(other_house)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("自己名下"));
    let r = resident.call("report_repair", &body(own_house)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let mine: i64 = text(r).await.trim().parse().expect("ticket id");
    assert_eq!(
        resident
            .call("get_ticket", &format!("id={zhangs}"))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "another house's ticket"
    );
    assert_eq!(
        resident
            .call("get_repairs", "estate_id=0&status=open&late=false")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Photos: a real one is re-encoded and stored; anything else changes nothing.
    let photos = |ticket: i64| {
        let sql = format!("select count(*) from repair_photo where ticket_id = {ticket}");
        async move {
            let (n,): (i64,) = sqlx::query_as(&sql)
                .fetch_one(&db.pool)
                .await
                .expect("count");
            n
        }
    };
    let back = format!("/portal/repairs/{mine}");
    let path = format!("/repairs/{mine}/photos");
    let r = resident
        .upload(&path, &back, &[("leak.png", &png_photo())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{back}#photos"));
    assert_eq!(photos(mine).await, 1);
    let r = resident
        .upload(&path, &back, &[("notes.pdf", b"%PDF-1.4 not a photo")])
        .await;
    assert!(
        location(&r).contains("photo_error=not_image"),
        "{}",
        location(&r)
    );
    let big = vec![0xFFu8; 10 * 1024 * 1024 + 10];
    let r = resident.upload(&path, &back, &[("huge.jpg", &big)]).await;
    assert!(
        location(&r).contains("photo_error=too_big"),
        "{}",
        location(&r)
    );
    assert_eq!(photos(mine).await, 1);
    // Nobody else's house: refused before the body is read.
    let r = resident
        .upload(
            &format!("/repairs/{zhangs}/photos"),
            "/portal",
            &[("x.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Served as JPEG to the desk and the resident; not to a worker it is not for.
    let photo = id(format!(
        "select id from repair_photo where ticket_id = {mine}"
    ))
    .await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let r = clerk.get(&format!("/repairs/photos/{photo}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/jpeg");
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20)
        .await
        .expect("body");
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
    assert_eq!(
        resident
            .get(&format!("/repairs/photos/{photo}/thumb"))
            .await
            .status(),
        StatusCode::OK
    );
    // No worker chosen: a message on the field, not a decoding error.
    let r = clerk.call("assign_ticket", &format!("id={mine}")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("请选择本小区的维修人员"));
    let r = clerk
        .call(
            "assign_ticket",
            &format!(
                "id={mine}&worker_id={}",
                id("select id from account where username = 'maintenance'".into()).await
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        liu.get(&format!("/repairs/photos/{photo}")).await.status(),
        StatusCode::FORBIDDEN
    );

    // Escalations are the managers' list.
    assert_eq!(
        clerk
            .call("get_escalations", "estate_id=0&status=open")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let mut manager = Browser::new(&desk);
    manager.login("manager", PASSWORD).await;
    assert_eq!(
        manager
            .call("get_escalations", "estate_id=0&status=open")
            .await
            .status(),
        StatusCode::OK
    );
    // The statistics export is a workbook.
    let r = clerk.get("/desk/repairs/stats.xlsx?estate=0").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20)
        .await
        .expect("xlsx");
    assert_eq!(&bytes[..2], b"PK");
}

/// Opening a receipt (or refreshing it, or following a link to it) is not a
/// print: only the print button's call counts, and the second print is 补打.
#[tokio::test]
async fn opening_a_receipt_is_not_printing_it() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let (payment,): (i64,) = sqlx::query_as(
        "select min(p.id) from payment p join estate e on e.id = p.estate_id where e.code = 'CH'",
    )
    .fetch_one(pool)
    .await
    .expect("a demo payment");
    let prints = || async {
        let (n,): (i64,) =
            sqlx::query_as("select count(*) from receipt_print where payment_id = $1")
                .bind(payment)
                .fetch_one(pool)
                .await
                .expect("count");
        n
    };
    let before = prints().await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    for _ in 0..2 {
        let page = clerk.get(&format!("/desk/receipts/{payment}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(text(page).await.contains("data-testid=\"receipt\""));
    }
    assert_eq!(prints().await, before, "two page loads record no print");

    let first = clerk
        .call("print_receipt", &format!("payment_id={payment}"))
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        text(first).await.trim(),
        before.to_string(),
        "this print's copy number"
    );
    let second = clerk
        .call("print_receipt", &format!("payment_id={payment}"))
        .await;
    assert_eq!(
        text(second).await.trim(),
        (before + 1).to_string(),
        "the next one is a reprint"
    );
    assert_eq!(prints().await, before + 2);
    let page = text(clerk.get(&format!("/desk/receipts/{payment}")).await).await;
    assert!(
        page.contains("补打"),
        "a printed receipt opens as a reprint"
    );

    // A resident cannot record prints.
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    let refused = resident
        .call("print_receipt", &format!("payment_id={payment}"))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(prints().await, before + 2);
}

// Sign-in throttling, safe redirects, change-password throttling and TLS
// deployment (issue 12, items 7, 11, 14 and 17).

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

fn is_throttled(location: &str) -> bool {
    location.starts_with("/login?error=throttled&wait=")
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

// Uploads above axum's default 2 MiB multipart limit (issue 12, item 9).

/// `len` bytes of noise from a small generator: compresses to nearly itself.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

/// A JPEG of noise close to `target` bytes, as big as a phone photo.
fn jpeg_photo(target: usize) -> Vec<u8> {
    let mut side = 1200u32;
    for _ in 0..8 {
        let pixels = noise((side * side * 3) as usize, u64::from(side));
        let img = image::RgbImage::from_raw(side, side, pixels).expect("image");
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95)
            .encode_image(&img)
            .expect("jpeg");
        let ratio = target as f64 / out.len() as f64;
        if (0.97..1.2).contains(&(1.0 / ratio)) {
            return out;
        }
        side = (f64::from(side) * ratio.sqrt()) as u32;
    }
    panic!("no JPEG near {target} bytes");
}

/// A register workbook (the template's columns) of `houses` vacant houses,
/// padded to about `target` bytes with noise in a column the import ignores.
fn padded_workbook(houses: usize, target: usize) -> Vec<u8> {
    use app::estate::import::{annotated_xlsx, Problem, RawRow};
    let rows: Vec<RawRow> = (0..houses)
        .map(|i| RawRow {
            sheet: "s".into(),
            row: i + 2,
            cells: [
                ("house_number".to_string(), format!("30-1-{}", 101 + i)),
                ("area".to_string(), "80".to_string()),
            ]
            .into_iter()
            .collect(),
        })
        .collect();
    // The report's problem column: text the import does not read, 64 symbols
    // of noise (deflate keeps about three quarters of it).
    const SYMBOLS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let per_row = (target * 4 / 3 / houses).min(32_000);
    let problems: Vec<Problem> = rows
        .iter()
        .map(|r| Problem {
            sheet: r.sheet.clone(),
            row: r.row,
            column: "x".into(),
            reason: noise(per_row, r.row as u64)
                .iter()
                .map(|b| SYMBOLS[usize::from(b & 63)] as char)
                .collect(),
        })
        .collect();
    annotated_xlsx(&rows, &problems, app::common::Lang::Zh).expect("workbook")
}

impl Browser<'_> {
    /// Posts the register import form with `file`.
    async fn import_file(&mut self, estate: i64, name: &str, bytes: &[u8]) -> Response<Body> {
        let boundary = "----desk-sheet-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"estate\"\r\n\r\n{estate}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post("/desk/import")
            .header(header::CONTENT_LENGTH, body.len())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::HOST, "desk.test")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// The import page's data for the attempt a redirect points at.
    async fn import_report(&mut self, r: &Response<Body>) -> serde_json::Value {
        let id = location(r)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let r = self.call("get_import", &format!("id={id}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        serde_json::from_str(&text(r).await).expect("json")
    }
}

#[tokio::test]
async fn a_3_mb_phone_photo_is_accepted() {
    let desk = desk().await;
    let db = &desk.state.db;
    let (house,): (i64,) = sqlx::query_as(
        "select id from house where number = '1-1-101' and estate_id = (select id from estate where code = 'CH')",
    )
    .fetch_one(&db.pool)
    .await
    .expect("house");
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    let r = resident
        .call(
            "report_repair",
            &format!("estate_id=0&house_id={house}&location_id=0&category=water&description=%E6%BC%8F%E6%B0%B4&urgency=normal"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let ticket: i64 = text(r).await.trim().parse().expect("ticket id");
    let photo = jpeg_photo(3_200_000);
    assert!(photo.len() > 3_000_000, "{} bytes", photo.len());
    let back = format!("/portal/repairs/{ticket}");
    let r = resident
        .upload(
            &format!("/repairs/{ticket}/photos"),
            &back,
            &[("phone.jpg", &photo)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{back}#photos"));
    let (n,): (i64,) = sqlx::query_as("select count(*) from repair_photo where ticket_id = $1")
        .bind(ticket)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_3_mb_workbook_imports_and_one_over_5_mb_gets_the_size_message() {
    let desk = desk().await;
    let (estate,): (i64,) = sqlx::query_as("select id from estate where code = 'CH'")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("estate");
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;

    let book = padded_workbook(130, 3_100_000);
    assert!(
        (3_000_000..app::estate::import::MAX_FILE_BYTES).contains(&book.len()),
        "{} bytes",
        book.len()
    );
    let r = clerk.import_file(estate, "big.xlsx", &book).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", location(&r));
    let report = clerk.import_report(&r).await;
    assert_eq!(report["status"], "imported", "{report}");
    assert_eq!(report["houses"], 130);

    let too_big = padded_workbook(240, 5_600_000);
    assert!(
        too_big.len() > app::estate::import::MAX_FILE_BYTES,
        "{} bytes",
        too_big.len()
    );
    let r = clerk.import_file(estate, "bigger.xlsx", &too_big).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let report = clerk.import_report(&r).await;
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["problems"][0]["reason"], "文件超过 5 MB", "{report}");
}

// Sign-in budgets spent before hashing, known addresses across a restart, and
// the language cookie behind TLS (security review of issue 12: H1, M2, L9).

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
