//! Renovation's works over HTTP: a visit's photos are added by its inspector
//! or the desk and shown to whoever may see the application — not to a
//! resident of another house; a resident records no visit and puts no
//! violation right; the desk's and the phone's pages show the visits.

mod common;

use axum::http::{header, StatusCode};
use common::desk::{desk, location, one, png_photo, signed_in, text, PASSWORD};

#[tokio::test]
async fn a_visits_photos_and_records_are_the_reviewers_and_the_desks() {
    let desk = desk().await;
    let id = one(
        &desk,
        "select id from renovation where state = 'works' order by id limit 1",
    )
    .await;
    let visit = one(
        &desk,
        &format!("select id from renovation_inspection where renovation_id = {id}"),
    )
    .await;
    let violation = one(
        &desk,
        &format!("select id from renovation_violation where renovation_id = {id}"),
    )
    .await;
    let photos = || one(&desk, "select count(*) from renovation_photo");

    // The resident 王建国 lives elsewhere: the application is not his to know of.
    let mut neighbour = signed_in(&desk, "13800000001", PASSWORD).await;
    let r = neighbour
        .upload(
            &format!("/renovations/visits/{visit}/photos"),
            "",
            &[("a.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for (call, body) in [
        (
            "record_renovation_visit",
            format!("id={id}&note={}", common::desk::urlencode("看看")),
        ),
        (
            "rectify_renovation_violation",
            format!("violation_id={violation}"),
        ),
    ] {
        let r = neighbour.call(call, &body).await;
        let status = r.status();
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{call}: {status} {}",
            text(r).await
        );
    }
    assert_eq!(photos().await, 0);

    // The visit's inspector adds photos from the phone, and is sent back to the visit.
    let mut engineer = signed_in(&desk, "maintenance", PASSWORD).await;
    let r = engineer
        .upload(
            &format!("/renovations/visits/{visit}/photos"),
            "",
            &[("corridor.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/jobs/renovations/{id}?photos=saved#visit-{visit}")
    );
    // Not a photo: nothing kept.
    let r = engineer
        .upload(
            &format!("/renovations/visits/{visit}/photos"),
            "",
            &[("notes.txt", b"not a photo")],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/jobs/renovations/{id}?photo_error=not_image#visit-{visit}")
    );
    assert_eq!(photos().await, 1);
    let photo = one(&desk, "select max(id) from renovation_photo").await;
    // Works no longer visited (the demo's closed ones): sent back to the visit with why.
    let (closed, closed_visit): (i64, i64) = sqlx::query_as(
        "select r.id, i.id from renovation r join renovation_inspection i on i.renovation_id = r.id \
         where r.state = 'closed' order by i.id limit 1",
    )
    .fetch_one(&desk.state.db.pool)
    .await
    .expect("a closed application's visit");
    let r = engineer
        .upload(
            &format!("/renovations/visits/{closed_visit}/photos"),
            "",
            &[("late.png", &png_photo())],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/jobs/renovations/{closed}?photo_error=closed#visit-{closed_visit}")
    );
    assert_eq!(photos().await, 1);

    // Out: to the reviewer and the desk as a JPEG, never cached; not to the neighbour.
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    for path in [
        format!("/renovations/photos/{photo}"),
        format!("/renovations/photos/{photo}/thumb"),
    ] {
        for b in [&mut engineer, &mut clerk] {
            let r = b.get(&path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_eq!(r.headers()[header::CONTENT_TYPE], "image/jpeg");
            assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        }
        assert_eq!(neighbour.get(&path).await.status(), StatusCode::NOT_FOUND);
    }

    // The desk records a visit over the server function; the pages show both visits.
    let r = clerk
        .call(
            "record_renovation_visit",
            &format!(
                "id={id}&seen=works&note={}&violation={}&deadline=",
                common::desk::urlencode("前台复查"),
                common::desk::urlencode("夜间施工")
            ),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a violation needs its deadline: {}",
        text(r).await
    );
    let r = clerk
        .call(
            "record_renovation_visit",
            &format!(
                "id={id}&seen=works&note={}",
                common::desk::urlencode("前台复查")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    let page = text(clerk.get(&format!("/desk/renovations/{id}")).await).await;
    for words in [
        "巡查记录",
        "前台复查",
        "建材堆放在楼道",
        &format!("/renovations/photos/{photo}/thumb"),
    ] {
        assert!(page.contains(words), "the desk's page shows {words}");
    }
    let phone = text(engineer.get("/jobs/renovations").await).await;
    assert!(phone.contains("在施工程"), "the phone lists the works");
    assert!(phone.contains(&format!("/jobs/renovations/{id}")));
}

#[tokio::test]
async fn deductions_and_refunds_are_each_roles_own() {
    let desk = desk().await;
    // The demo's works accepted with a deduction and paid back, and those waiting for their acceptance.
    let closed = one(
        &desk,
        "select id from renovation where state = 'closed' order by id limit 1",
    )
    .await;
    let waiting = one(
        &desk,
        "select id from renovation where state = 'acceptance' order by id limit 1",
    )
    .await;
    let refund = one(
        &desk,
        &format!("select id from deposit_refund where renovation_id = {closed}"),
    )
    .await;
    let deductions = || one(&desk, "select count(*) from renovation_deduction");
    let refunds = || one(&desk, "select count(*) from deposit_refund");
    let (deductions0, refunds0) = (deductions().await, refunds().await);

    // The neighbour knows of neither; the engineer pays nothing back and prints no slip.
    let mut neighbour = signed_in(&desk, "13800000001", PASSWORD).await;
    let mut engineer = signed_in(&desk, "maintenance", PASSWORD).await;
    for (b, who) in [(&mut neighbour, "neighbour"), (&mut engineer, "engineer")] {
        for (call, body) in [
            (
                "refund_renovation_deposit",
                format!("id={waiting}&method=cash&expected_fen=0&request_key=k-{who}"),
            ),
            ("reverse_renovation_refund", format!("id={closed}&reason=x")),
            ("get_renovation_refund_slip", format!("refund_id={refund}")),
            (
                "decide_renovation_deduction",
                "deduction_id=1&decision=approve".to_string(),
            ),
        ] {
            let r = b.call(call, &body).await;
            let status = r.status();
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "{who} {call}: {status} {}",
                text(r).await
            );
        }
    }
    let r = neighbour
        .call(
            "propose_renovation_deduction",
            &format!("id={waiting}&item=x&amount=10"),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a resident proposes no deduction: {}",
        text(r).await
    );
    // The engineer proposes at the acceptance; a clerk does not decide it; the manager does.
    let r = engineer
        .call(
            "propose_renovation_deduction",
            &format!(
                "id={waiting}&item={}&amount=120&visit_id=",
                common::desk::urlencode("门禁卡遗失")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    let proposed = one(&desk, "select max(id) from renovation_deduction").await;
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let r = clerk
        .call(
            "decide_renovation_deduction",
            &format!("deduction_id={proposed}&decision=approve"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{}", text(r).await);
    assert_eq!(deductions().await, deductions0 + 1);
    assert_eq!(refunds().await, refunds0);
    // The desk's slip of the demo's refund: the deduction and the rest.
    let slip = text(
        clerk
            .get(&format!("/desk/renovations/refunds/{refund}"))
            .await,
    )
    .await;
    for words in ["装修押金退款单", "楼道墙面磕损修补", "200.00", "2,800.00"] {
        assert!(slip.contains(words), "the slip shows {words}");
    }
}
