//! Staff accounts and who may do what over HTTP: disabling an account ends
//! its sessions, a resident is refused the staff's functions and pages, staff
//! see only their estates, and bad staff input names the fields.

mod common;

use axum::http::StatusCode;
use common::desk::{desk, location, text, Browser, PASSWORD};

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
