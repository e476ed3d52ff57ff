//! Arrears ageing over HTTP: the desk reads its estate's ageing and its
//! houses, as pages, server functions and spreadsheets; a resident gets
//! none of it, and another estate's clerk not this estate's.

mod common;

use axum::http::{header, StatusCode};
use common::desk::{desk, one, signed_in, text, urlencode, PASSWORD};

#[tokio::test]
async fn the_ageing_is_the_desks_of_its_own_estates() {
    let desk = desk().await;
    let jx = one(&desk, "select id from estate where code = 'JX'").await;
    let ch = one(&desk, "select id from estate where code = 'CH'").await;
    let mut admin = signed_in(&desk, "admin", PASSWORD).await;
    let r = admin
        .call(
            "create_staff",
            &format!(
                "username=jx.ageing&display_name={}&role=clerk&estates[]={jx}&password={}",
                urlencode("锦绣前台"),
                urlencode("Counter-Desk-2026!")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);

    // The clerk: the page, the server functions, the spreadsheets.
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let r = clerk.get(&format!("/desk/arrears?estate={ch}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(r).await;
    assert!(
        page.contains("欠费账龄") && page.contains("1–30 天"),
        "{page}"
    );
    let r = clerk
        .call("get_ageing", &format!("estate_id={ch}&as_of="))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = text(r).await;
    assert!(body.contains("\"buildings\""), "{body}");
    let r = clerk
        .call(
            "get_ageing_houses",
            &format!("estate_id={ch}&building_id=0&bucket=d1_30&as_of="),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for path in [
        format!("/desk/arrears/ageing.xlsx?estate={ch}"),
        format!("/desk/arrears/houses.xlsx?estate={ch}&building=0&bucket=d1_30"),
    ] {
        let r = clerk.get(&path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
    }
    // A date after today is refused at its field.
    let r = clerk
        .call("get_ageing", &format!("estate_id={ch}&as_of=2999-01-01"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("今天"));

    // Another estate's clerk: not CH's houses (their own estate's ageing only).
    let mut theirs = signed_in(&desk, "jx.ageing", "Counter-Desk-2026!").await;
    let r = theirs
        .call(
            "get_ageing_houses",
            &format!("estate_id={ch}&building_id=0&bucket=&as_of="),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = theirs
        .get(&format!("/desk/arrears/houses.xlsx?estate={ch}&building=0"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = theirs
        .call("get_ageing", &format!("estate_id={ch}&as_of="))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = text(r).await;
    assert!(body.contains(&format!("\"estate_id\":{jx}")), "{body}");

    // A resident: none of it.
    let mut resident = signed_in(&desk, "13800000001", PASSWORD).await;
    let r = resident
        .call("get_ageing", &format!("estate_id={ch}&as_of="))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = resident
        .get(&format!("/desk/arrears/ageing.xlsx?estate={ch}"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = resident.get("/desk/arrears").await;
    assert_ne!(r.status(), StatusCode::OK);
}
