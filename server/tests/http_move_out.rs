//! Move-outs over HTTP: a resident and another estate's clerk neither read
//! nor work the demo's move-out (and nothing is written); a clerk cannot let
//! a household leave owing — a manager can; the gate's pass check is for
//! staff, and a forged pass is unknown.

mod common;

use axum::http::StatusCode;
use common::desk::{desk, one, signed_in, text, urlencode, PASSWORD};

#[tokio::test]
async fn only_the_estates_desk_works_a_move_out_and_only_a_manager_lets_it_leave_owing() {
    let desk = desk().await;
    let jx = one(&desk, "select id from estate where code = 'JX'").await;
    let case = one(
        &desk,
        "select id from move_out where status = 'open' order by id limit 1",
    )
    .await;
    let house = one(
        &desk,
        &format!("select house_id from move_out where id = {case}"),
    )
    .await;
    let audited = || {
        one(
            &desk,
            "select count(*) from audit_log where entity in ('move_out', 'release_pass')",
        )
    };
    let lines = || one(&desk, "select count(*) from bill_line");
    let (audited0, lines0) = (audited().await, lines().await);

    let mut admin = signed_in(&desk, "admin", PASSWORD).await;
    let r = admin
        .call(
            "create_staff",
            &format!(
                "username=jx.out&display_name={}&role=clerk&estates[]={jx}&password={}",
                urlencode("锦绣前台"),
                urlencode("Counter-Desk-2026!")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);

    for (who, password) in [("13800000001", PASSWORD), ("jx.out", "Counter-Desk-2026!")] {
        let mut b = signed_in(&desk, who, password).await;
        for (call, body) in [
            ("get_move_out", format!("id={case}")),
            ("open_move_out", format!("house_id={house}")),
            (
                "save_move_out_leaving",
                format!("id={case}&kind=tenant_leaves"),
            ),
            ("bill_move_out", format!("id={case}")),
            (
                "pay_move_out",
                format!("id={case}&method=cash&received=1.00&request_key=http-out-1"),
            ),
            (
                "override_move_out",
                format!("id={case}&reason={}", urlencode("冒充经理批准")),
            ),
            ("complete_move_out", format!("id={case}")),
            (
                "issue_release_pass",
                format!(
                    "move_out_id={case}&person_name={}&items={}",
                    urlencode("某人"),
                    urlencode("冰箱")
                ),
            ),
        ] {
            let r = b.call(call, &body).await;
            let status = r.status();
            let body = text(r).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} {call}: {body}");
        }
    }
    // The resident cannot check passes at the gate either, nor ask for a pass
    // for a house not theirs (the move-out's house: as if it did not exist).
    let mut resident = signed_in(&desk, "13800000001", PASSWORD).await;
    let r = resident
        .call("check_release_pass", "token=0123456789abcdef")
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let ask = format!(
        "house_id={house}&items={}&valid_on={}",
        urlencode("冰箱"),
        app::db::time::desk_today()
    );
    let r = resident.call("request_release_pass", &ask).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "{}", text(r).await);
    // The desk does not ask in the portal's name.
    let mut desk_clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let r = desk_clerk.call("request_release_pass", &ask).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(audited().await, audited0, "nothing written");
    assert_eq!(lines().await, lines0, "nothing billed");

    // The estate's clerk works the case: the settlement is billed, then owed.
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let r = clerk.call("get_move_out", &format!("id={case}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let meters = one(
        &desk,
        &format!("select count(*) from meter_opening where house_id = {house}"),
    )
    .await;
    if meters > 0 {
        let (item, last): (i64, i64) = sqlx::query_as(
            "select fee_item_id, reading_centi from meter_reading where house_id = $1 order by period desc limit 1",
        )
        .bind(house)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("last reading");
        let r = clerk
            .call(
                "save_move_out_readings",
                &format!(
                    "id={case}&items[]={item}&readings[]={}.{:02}",
                    (last + 900) / 100,
                    (last + 900) % 100
                ),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    }
    let r = clerk.call("bill_move_out", &format!("id={case}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    // Completion: refused while owed.
    let r = clerk.call("complete_move_out", &format!("id={case}")).await;
    assert!(r.status().is_client_error());
    assert!(text(r).await.contains("尚欠"));
    // The clerk's override: refused, nothing recorded.
    let r = clerk
        .call(
            "override_move_out",
            &format!("id={case}&reason={}", urlencode("租户承诺下周补缴")),
        )
        .await;
    assert!(r.status().is_client_error());
    let (reason,): (String,) = sqlx::query_as("select override_reason from move_out where id = $1")
        .bind(case)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("case");
    assert_eq!(reason, "");
    // The manager's: recorded, and the case completes.
    let mut manager = signed_in(&desk, "manager", PASSWORD).await;
    let r = manager
        .call(
            "override_move_out",
            &format!(
                "id={case}&reason={}",
                urlencode("租户承诺下周补缴，业主担保")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    let r = clerk.call("complete_move_out", &format!("id={case}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);

    // Security checks passes: a forged one is unknown (no pass shown).
    let mut security = signed_in(&desk, "security", PASSWORD).await;
    let r = security
        .call(
            "check_release_pass",
            "token=0123456789abcdef0123456789abcdef",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text(r).await.trim(), "null");
    let r = security
        .call("use_release_pass", "token=0123456789abcdef0123456789abcdef")
        .await;
    assert!(r.status().is_client_error());
}
