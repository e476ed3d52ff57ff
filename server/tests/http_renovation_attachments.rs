//! An application's drawings and photos over HTTP: uploaded by its applicant
//! in the portal and by the desk, each sent back to the application's page
//! at the panel; refused to a resident of another house (not found) and to
//! the reviewer (forbidden), who write nothing; shown to whoever may see the
//! application as a JPEG never cached; no more once the permit is issued.

mod common;

use app::common::Lang;
use app::renovation::db::{self as reno, apply};
use app::renovation::rules::{ApplicationForm, WorkerForm};
use axum::http::{header, StatusCode};
use common::desk::{desk, location, one, png_photo, signed_in, text, Desk, PASSWORD};
use common::keys::desk_day;

/// 王建国 (13800000001) applies for his own house, 1-1-101, as the portal's
/// form does: the application's id.
async fn his_application(desk: &Desk) -> i64 {
    let db = &desk.state.db;
    let ch = one(desk, "select id from estate where code = 'CH'").await;
    let house = one(
        desk,
        &format!("select id from house where estate_id = {ch} and number = '1-1-101'"),
    )
    .await;
    let resident_id = one(desk, "select id from resident where mobile = '13800000001'").await;
    let owner = common::keys::resident(db, resident_id).await;
    let scope = reno::scope(db, ch, Lang::Zh).await.expect("scope");
    let wall = scope.iter().find(|s| s.name == "墙面").expect("墙面").id;
    let form = ApplicationForm {
        contractor: "美家装饰工程有限公司".into(),
        licence_no: "91310115MA1H0001X".into(),
        foreman: "周建华".into(),
        foreman_mobile: "13912345678".into(),
        planned_start: desk_day(2),
        planned_end: desk_day(40),
        description: "客厅墙面翻新".into(),
        owner_consent: String::new(),
        workers: vec![WorkerForm {
            name: "李强".into(),
            mobile: "13700001111".into(),
            id_number: "110101199003074514".into(),
        }],
        items: vec![(wall, String::new())],
    };
    apply::apply(db, &owner.actor, &owner.caller, house, 0, &form)
        .await
        .expect("applied in the portal")
}

#[tokio::test]
async fn drawings_are_the_applicants_and_the_desks_to_add_and_only_theirs_to_see() {
    let desk = desk().await;
    let theirs = one(
        &desk,
        "select id from renovation where state = 'submitted' order by id limit 1",
    )
    .await;
    let works = one(
        &desk,
        "select id from renovation where state = 'works' order by id limit 1",
    )
    .await;
    let mine = his_application(&desk).await;
    let kept = || one(&desk, "select count(*) from renovation_attachment");
    let audited = || {
        one(
            &desk,
            "select count(*) from audit_log where action = 'renovation_attachments'",
        )
    };

    // The resident 王建国 lives elsewhere: another house's application is not his to know of.
    let mut neighbour = signed_in(&desk, "13800000001", PASSWORD).await;
    let r = neighbour
        .upload(
            &format!("/renovations/{theirs}/attachments"),
            "",
            &[("plan.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The reviewer reads the drawings but adds none.
    let mut engineer = signed_in(&desk, "maintenance", PASSWORD).await;
    let r = engineer
        .upload(
            &format!("/renovations/{theirs}/attachments"),
            "",
            &[("plan.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        (kept().await, audited().await),
        (0, 0),
        "refusals write nothing"
    );

    // The desk adds to the demo's application and is sent back to the panel.
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let r = clerk
        .upload(
            &format!("/renovations/{theirs}/attachments"),
            "",
            &[("plan.png", &png_photo()), ("site.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/desk/renovations/{theirs}?attachments=saved#attachments")
    );
    // Not a photo: nothing kept, and the page says why.
    let r = clerk
        .upload(
            &format!("/renovations/{theirs}/attachments"),
            "",
            &[("plan.dwg", b"not a photo")],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/desk/renovations/{theirs}?attachment_error=not_image#attachments")
    );
    // Under a permit: the page says it takes no more.
    let r = clerk
        .upload(
            &format!("/renovations/{works}/attachments"),
            "",
            &[("late.png", &png_photo())],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/desk/renovations/{works}?attachment_error=closed#attachments")
    );
    assert_eq!(kept().await, 2);

    // The applicant adds to his own in the portal.
    let r = neighbour
        .upload(
            &format!("/renovations/{mine}/attachments"),
            "",
            &[("floor-plan.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/portal/renovations/{mine}?attachments=saved#attachments")
    );
    assert_eq!((kept().await, audited().await), (3, 2));
    let desks = one(
        &desk,
        &format!("select max(id) from renovation_attachment where renovation_id = {theirs}"),
    )
    .await;
    let his = one(
        &desk,
        &format!("select max(id) from renovation_attachment where renovation_id = {mine}"),
    )
    .await;

    // Out: to the reviewer and the desk as a JPEG, never cached; not to the neighbour.
    for path in [
        format!("/renovations/attachments/{desks}"),
        format!("/renovations/attachments/{desks}/thumb"),
    ] {
        for b in [&mut engineer, &mut clerk] {
            let r = b.get(&path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_eq!(r.headers()[header::CONTENT_TYPE], "image/jpeg");
            assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        }
        assert_eq!(neighbour.get(&path).await.status(), StatusCode::NOT_FOUND);
    }
    // His own, to him and to the desk.
    for b in [&mut neighbour, &mut clerk] {
        let r = b
            .get(&format!("/renovations/attachments/{his}/thumb"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    // The pages show the thumbnails: the desk's with its form, the phone's without.
    let page = text(clerk.get(&format!("/desk/renovations/{theirs}")).await).await;
    for words in [
        "图纸与照片",
        &format!("/renovations/attachments/{desks}/thumb"),
        &format!("/renovations/{theirs}/attachments"),
    ] {
        assert!(page.contains(words), "the desk's page shows {words}");
    }
    let phone = text(engineer.get(&format!("/jobs/renovations/{theirs}")).await).await;
    assert!(phone.contains(&format!("/renovations/attachments/{desks}/thumb")));
    assert!(!phone.contains(&format!("/renovations/{theirs}/attachments")));
    let portal = text(neighbour.get(&format!("/portal/renovations/{mine}")).await).await;
    assert!(portal.contains(&format!("/renovations/attachments/{his}/thumb")));
    assert!(portal.contains(&format!("/renovations/{mine}/attachments")));
}
