//! Repairs over HTTP: each call checks the worker, the resident and the
//! photos; photos are re-encoded and served only to whom they are for; a
//! 3 MB phone photo is accepted (above axum's default 2 MiB multipart limit,
//! issue 12, item 9).

mod common;

use axum::http::{header, StatusCode};
use common::desk::{desk, location, noise, png_photo, text, Browser, PASSWORD};

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
