//! Move-ins over HTTP: a resident and another estate's clerk neither read
//! nor open nor work a case of this estate (and nothing is written); the
//! checklist is the manager's; completing with steps missing says which.

mod common;

use axum::http::StatusCode;
use common::desk::{desk, one, signed_in, text, urlencode, PASSWORD};

#[tokio::test]
async fn only_the_estates_desk_works_its_move_ins_and_only_managers_edit_the_checklist() {
    let desk = desk().await;
    let jx = one(&desk, "select id from estate where code = 'JX'").await;
    // The demo's move-in in progress, and a house of the same estate.
    let case = one(
        &desk,
        "select id from move_in where status = 'open' order by id limit 1",
    )
    .await;
    let house = one(
        &desk,
        "select house_id from move_in where id = (select min(id) from move_in)",
    )
    .await;
    let other_house = one(
        &desk,
        "select id from house where status = 'not_handed_over' and id not in (select house_id from move_in) order by number limit 1",
    )
    .await;
    let cases = || one(&desk, "select count(*) from move_in");
    let items = || one(&desk, "select count(*) from inspection_item");
    let audited = || {
        one(
            &desk,
            "select count(*) from audit_log where entity = 'move_in'",
        )
    };
    let (cases0, items0, audited0) = (cases().await, items().await, audited().await);

    let mut admin = signed_in(&desk, "admin", PASSWORD).await;
    let r = admin
        .call(
            "create_staff",
            &format!(
                "username=jx.desk&display_name={}&role=clerk&estates[]={jx}&password={}",
                urlencode("锦绣前台"),
                urlencode("Counter-Desk-2026!")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);

    let identity = format!(
        "id={case}&name={}&mobile=13911115555&id_number=&role=owner&title_no=&handover_on={}",
        urlencode("冒名者"),
        app::db::time::desk_today()
    );
    for (who, password) in [("13800000001", PASSWORD), ("jx.desk", "Counter-Desk-2026!")] {
        let mut b = signed_in(&desk, who, password).await;
        for (call, body) in [
            ("get_move_in", format!("id={case}")),
            ("open_move_in", format!("house_id={other_house}")),
            ("save_move_in_identity", identity.clone()),
            ("complete_move_in", format!("id={case}")),
            ("get_move_ins", "estate_id=0".to_string()),
        ] {
            let r = b.call(call, &body).await;
            let status = r.status();
            let body = text(r).await;
            // The resident lacks the desk; the other estate's clerk sees the
            // list of their own estate only, and no case or house of this one.
            if who == "jx.desk" && call == "get_move_ins" {
                assert_eq!(status, StatusCode::OK);
                assert!(!body.contains(&format!("\"id\":{case},")), "{body}");
                continue;
            }
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} {call}: {body}");
        }
    }
    assert_eq!(cases().await, cases0, "nothing opened");
    assert_eq!(audited().await, audited0, "nothing written");
    let name: (String,) = sqlx::query_as("select name from move_in where id = $1")
        .bind(case)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("case");
    assert_eq!(name.0, "陈思远", "the identity is untouched");

    // The clerk works the case but cannot complete it with steps missing.
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let r = clerk.call("complete_move_in", &format!("id={case}")).await;
    assert!(r.status().is_client_error());
    let body = text(r).await;
    assert!(
        body.contains("初始读数") && body.contains("签署协议"),
        "{body}"
    );
    let r = clerk.call("get_move_in", &format!("id={case}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        !text(r).await.contains("13700000088"),
        "the mobile is masked"
    );
    let _ = house;

    // The checklist: the manager's, not the clerk's.
    let ch = one(&desk, "select id from estate where code = 'CH'").await;
    let add = format!(
        "estate_id={ch}&room={}&item={}",
        urlencode("车位"),
        urlencode("地锁")
    );
    let r = clerk.call("add_checklist_item", &add).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(items().await, items0);
    let mut manager = signed_in(&desk, "manager", PASSWORD).await;
    let r = manager.call("add_checklist_item", &add).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    assert_eq!(items().await, items0 + 1);
    // The same item twice is refused on its field.
    let r = manager.call("add_checklist_item", &add).await;
    assert!(r.status().is_client_error());
    assert!(text(r).await.contains("清单中已有该项目"));
    assert_eq!(items().await, items0 + 1);
}
