//! Key custody over HTTP: who may read the key register, who may lend and
//! take back, who may register keys and cabinets — another estate's clerk,
//! a resident, a maintenance worker, the security post, the desk and its
//! manager — and a check-out due in the past refused on its field, writing
//! nothing.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, FixedOffset, Utc};
use common::desk::{desk, one, text, urlencode, Browser, Desk, PASSWORD};

/// Staff the admin creates here sign in with this.
const NEW_PASSWORD: &str = "Counter-Desk-2026!";

/// Desk time (UTC+8) `hours` from now, as the form's `datetime-local` sends it.
fn due_in(hours: i64) -> String {
    let desk = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    (Utc::now() + Duration::hours(hours))
        .with_timezone(&desk)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The error a refused call sends back, decoded.
async fn error_of(r: axum::http::Response<axum::body::Body>) -> app::error::AppError {
    let body = text(r).await;
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"))
}

/// A browser signed in as `who`, its sign-in checked.
async fn signed_in<'a>(desk: &'a Desk, who: &str, password: &str) -> Browser<'a> {
    let mut b = Browser::new(desk);
    let r = b.login(who, password).await;
    assert!(
        r.status().is_redirection(),
        "sign-in of {who}: {}",
        r.status()
    );
    let to = common::desk::location(&r);
    assert!(!to.starts_with("/login"), "sign-in of {who} refused: {to}");
    b
}

#[tokio::test]
async fn each_role_gets_what_key_custody_allows_it_and_nothing_more() {
    let desk = desk().await;
    let ch = one(&desk, "select id from estate where code = 'CH'").await;
    let jx = one(&desk, "select id from estate where code = 'JX'").await;
    let manager_id = one(&desk, "select id from account where username = 'manager'").await;
    let zhang = one(
        &desk,
        "select id from account where username = 'maintenance'",
    )
    .await;

    // The admin adds a clerk of the other estate and the security post of this one.
    let mut admin = signed_in(&desk, "admin", PASSWORD).await;
    for (username, name, role, estate) in [
        ("jx.desk", "锦绣前台", "clerk", jx),
        ("guard.ch", "门岗老赵", "security", ch),
    ] {
        let r = admin
            .call(
                "create_staff",
                &format!(
                    "username={username}&display_name={}&role={role}&estates[]={estate}&password={}",
                    urlencode(name),
                    urlencode(NEW_PASSWORD)
                ),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{username}: {}", text(r).await);
    }

    // The manager sets up a cabinet and registers a key.
    let mut manager = signed_in(&desk, "manager", PASSWORD).await;
    let r = manager
        .call(
            "add_key_cabinet",
            &format!(
                "estate_id={ch}&name={}&place=&rows=4&cols=10",
                urlencode("前台钥匙柜")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let cabinet: i64 = text(r).await.trim().parse().expect("cabinet id");
    let register = format!(
        "estate_id={ch}&kind=unhanded&house_number=1-1-1201&cabinet_id={cabinet}&hook=A01&copies=1"
    );
    let r = manager.call("register_key", &register).await;
    assert_eq!(r.status(), StatusCode::OK);
    let copy: i64 = text(r).await.trim().parse().expect("copy id");
    let (tag,): (String,) = sqlx::query_as("select tag from key_copy where id = $1")
        .bind(copy)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("tag");
    let loans = || one(&desk, "select count(*) from key_loan");
    let sets = || one(&desk, "select count(*) from key_set");
    let lends_logged = || {
        one(
            &desk,
            "select count(*) from key_event where action = 'lend'",
        )
    };
    let lends_audited = || {
        one(
            &desk,
            "select count(*) from audit_log where action = 'lend_key'",
        )
    };
    let cabinets = || one(&desk, "select count(*) from key_cabinet");
    let (loans0, sets0, logged0, audited0, cabinets0) = (
        loans().await,
        sets().await,
        lends_logged().await,
        lends_audited().await,
        cabinets().await,
    );

    // The desk's clerk takes in a key at the counter, but makes no backup
    // copies and no cabinets (those are the manager's).
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let register_b01 = register
        .replace("hook=A01", "hook=B01")
        .replace("1-1-101", "1-1-102");
    let two = format!(
        "{}&reason={}",
        register_b01.replace("copies=1", "copies=2"),
        urlencode("备用")
    );
    let r = clerk.call("register_key", &two).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(r).await;
    assert!(
        err.field_message("copies")
            .is_some_and(|m| m.contains("主管")),
        "{err:?}"
    );
    assert_eq!(sets().await, sets0);
    assert_eq!(
        clerk
            .call(
                "add_key_cabinet",
                &format!("estate_id={ch}&name=X&rows=1&cols=1")
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(cabinets().await, cabinets0);
    assert_eq!(
        clerk.call("register_key", &register_b01).await.status(),
        StatusCode::OK
    );
    assert_eq!(sets().await, sets0 + 1);
    let register_c01 = register
        .replace("hook=A01", "hook=C01")
        .replace("1-1-101", "1-1-201");

    // A check-out due in the past is refused on its field, and nothing is written.
    let lend = |due: String| {
        format!(
            "copy_id={copy}&taker_kind=staff&taker_account_id={zhang}&purpose=inspection\
             &authorised_by={manager_id}&due={}&signed_on_paper=on",
            urlencode(&due)
        )
    };
    let r = clerk.call("lend_key", &lend(due_in(-1))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(r).await;
    let message = err
        .field_message("due")
        .unwrap_or_else(|| panic!("no due error: {err:?}"));
    assert!(message.contains("不能早于现在"), "{message}");
    assert_eq!(loans().await, loans0);
    assert_eq!(lends_logged().await, logged0);
    assert_eq!(lends_audited().await, audited0);
    assert_eq!(
        one(
            &desk,
            &format!("select count(*) from key_copy where id = {copy} and status = 'in_cabinet'")
        )
        .await,
        1
    );

    // A clerk of the other estate neither sees nor lends this estate's key.
    let mut outsider = signed_in(&desk, "jx.desk", NEW_PASSWORD).await;
    assert_eq!(
        outsider
            .call("get_key", &format!("id={copy}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider.call("lend_key", &lend(due_in(2))).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(loans().await, loans0);

    // A resident sees no key.
    let mut resident = signed_in(&desk, "13800000001", PASSWORD).await;
    assert_eq!(
        resident
            .call("get_key", &format!("id={copy}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // The desk lends it to 张师傅.
    let r = clerk.call("lend_key", &lend(due_in(2))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let loan: i64 = text(r).await.trim().parse().expect("loan id");
    assert_eq!(
        one(&desk, &format!("select count(*) from key_loan where id = {loan} and copy_id = {copy} and returned_at is null")).await,
        1
    );

    // Out now, it is still none of the other estate's business.
    for (name, body) in [
        ("get_keys_out", String::new()),
        ("get_keys", format!("estate_id={ch}&filter=all")),
        ("find_key", format!("tag={tag}")),
    ] {
        let r = outsider.call(name, &body).await;
        let status = r.status();
        let body = text(r).await;
        // Refused, or answered without this estate's key (find_key: no copy found).
        let hidden = !body.contains(&tag) && (name != "find_key" || body.trim() == "null");
        assert!(
            status == StatusCode::FORBIDDEN || (status == StatusCode::OK && hidden),
            "{name}: {status} {body}"
        );
    }

    // 张师傅 sees the key he holds on his phone, and nothing of the desk's.
    let mut worker = signed_in(&desk, "maintenance", PASSWORD).await;
    let r = worker.call("get_my_keys", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let mine: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let rows = mine["rows"].as_array().expect("rows");
    assert!(rows.iter().any(|r| r["tag"] == tag.as_str()), "{mine}");
    assert!(
        rows.iter().all(|r| r["loan"]["taker"] == "张师傅"),
        "only his: {mine}"
    );
    assert_eq!(
        worker.call("get_key", &format!("id={copy}")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        worker.call("lend_key", &lend(due_in(2))).await.status(),
        StatusCode::FORBIDDEN
    );

    // Security reads the register and the keys out, and touches nothing.
    let mut guard = signed_in(&desk, "guard.ch", NEW_PASSWORD).await;
    let r = guard
        .call("get_keys", &format!("estate_id={ch}&filter=all"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(text(r).await.contains(&tag));
    let r = guard.call("get_key", &format!("id={copy}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    assert_eq!(page["key"]["status"], "out");
    assert_eq!(page["open_loan"]["taker"], "张师傅");
    assert!(
        page["lend"].is_null() && page["can_return"] == false,
        "{page}"
    );
    let r = guard.call("get_keys_out", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let out: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let row = out["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["tag"] == tag.as_str())
        .unwrap_or_else(|| panic!("{tag} out: {out}"));
    assert_eq!(row["loan"]["taker"], "张师傅");
    assert_eq!(
        guard.call("lend_key", &lend(due_in(2))).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        guard
            .call(
                "return_key",
                &format!(
                    "copy_id={copy}&returned_by={}&condition=good",
                    urlencode("张师傅")
                )
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        guard.call("register_key", &register_c01).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(loans().await, loans0 + 1);
    assert_eq!(sets().await, sets0 + 1);
    assert_eq!(
        one(
            &desk,
            &format!("select count(*) from key_copy where id = {copy} and status = 'out'")
        )
        .await,
        1,
        "still out with 张师傅"
    );

    // The desk takes it back.
    let r = clerk
        .call(
            "return_key",
            &format!(
                "copy_id={copy}&returned_by={}&condition=good",
                urlencode("张师傅")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text(r).await.trim(), "\"in_cabinet\"");
}

#[tokio::test]
async fn the_security_post_reads_the_key_pages_and_a_clerk_is_kept_off_the_security_page() {
    let desk = desk().await;
    let ch = one(&desk, "select id from estate where code = 'CH'").await;
    let mut admin = signed_in(&desk, "admin", PASSWORD).await;
    let r = admin
        .call(
            "create_staff",
            &format!(
                "username=guard.ch&display_name={}&role=security&estates[]={ch}&password={}",
                urlencode("门岗老赵"),
                urlencode(NEW_PASSWORD)
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);

    // A key in this estate's register, by its manager.
    let mut manager = signed_in(&desk, "manager", PASSWORD).await;
    let r = manager
        .call(
            "add_key_cabinet",
            &format!("estate_id={ch}&name=A&rows=1&cols=4"),
        )
        .await;
    let cabinet: i64 = text(r).await.trim().parse().expect("cabinet id");
    let r = manager
        .call(
            "register_key",
            &format!("estate_id={ch}&kind=unhanded&house_number=1-1-1201&cabinet_id={cabinet}&hook=1&copies=1"),
        )
        .await;
    let copy: i64 = text(r).await.trim().parse().expect("copy id");
    let (tag,): (String,) = sqlx::query_as("select tag from key_copy where id = $1")
        .bind(copy)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("tag");

    let mut guard = signed_in(&desk, "guard.ch", NEW_PASSWORD).await;
    let page = guard.get("/desk/keys").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = text(page).await;
    assert!(!html.contains("无权访问"), "the key list, not the refusal");
    assert!(
        html.contains(&format!("/desk/keys/{copy}")) && html.contains(&tag),
        "the key is listed"
    );
    let page = guard.get(&format!("/desk/keys/{copy}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = text(page).await;
    assert!(
        html.contains(&tag) && !html.contains("无权访问"),
        "its page"
    );
    assert_eq!(guard.get("/security").await.status(), StatusCode::OK);
    // The rest of the desk is not security's.
    let desk_home = guard.get("/desk").await;
    assert_eq!(desk_home.status(), StatusCode::FORBIDDEN);
    assert!(text(desk_home).await.contains("无权访问"));

    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let refused = clerk.get("/security").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(text(refused).await.contains("无权访问"));
    assert_eq!(clerk.get("/desk/keys").await.status(), StatusCode::OK);
}
