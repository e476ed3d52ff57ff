//! Key custody's images over HTTP: an owner's signed authorisation kept once
//! (re-encoded like a repair photo) and shown only to the desk of its estate
//! and to the owner who signed it; a loan's drawn signature shown only to the desk.

mod common;

use axum::http::{header, StatusCode};
use common::desk::{desk, location, png_photo, text, Browser, Desk, PASSWORD};

async fn signed_in<'a>(desk: &'a Desk, who: &str) -> Browser<'a> {
    let mut b = Browser::new(desk);
    let r = b.login(who, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{who} signs in");
    b
}

async fn one(desk: &Desk, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect(sql);
    n
}

#[tokio::test]
async fn an_owners_paper_is_kept_once_and_shown_to_the_desk_and_its_signer_only() {
    let desk = desk().await;
    // 王建国's authorisation of his entrusted key (1-1-101), from the demo.
    let auth = one(
        &desk,
        "select a.id from key_authorisation a join key_set s on s.id = a.key_set_id \
         join house h on h.id = s.house_id where h.number = '1-1-101'",
    )
    .await;
    let copy = one(
        &desk,
        &format!("select c.id from key_copy c join key_authorisation a on a.key_set_id = c.key_set_id where a.id = {auth}"),
    )
    .await;
    let page = format!("/desk/keys/{copy}");

    // Security may read keys, but attaches nothing: refused before the upload is read.
    let mut security = signed_in(&desk, "security").await;
    let r = security
        .upload(
            &format!("/keys/papers/{auth}/upload"),
            &page,
            &[("paper.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let mut clerk = signed_in(&desk, "clerk").await;
    let r = clerk
        .upload(
            &format!("/keys/papers/{auth}/upload"),
            &page,
            &[("paper.png", &png_photo())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("{page}?paper=saved#paper"));
    let kept = one(
        &desk,
        &format!("select count(*) from key_authorisation where id = {auth} and paper is not null and paper_thumb is not null"),
    )
    .await;
    assert_eq!(kept, 1);
    let logged = one(
        &desk,
        "select count(*) from audit_log where action = 'attach_key_paper'",
    )
    .await;
    assert_eq!(logged, 1);
    // The page shows its thumbnail.
    let shown = text(clerk.get(&page).await).await;
    assert!(
        shown.contains(&format!("/keys/papers/{auth}/thumb")),
        "the page shows the paper"
    );

    // Once: a second paper is a new authorisation.
    let r = clerk
        .upload(
            &format!("/keys/papers/{auth}/upload"),
            &page,
            &[("again.png", &png_photo())],
        )
        .await;
    assert_eq!(location(&r), format!("{page}?paper=refused#paper"));
    // Not an image: nothing kept (a fresh authorisation has no paper to begin with).
    sqlx::query(
        "insert into key_authorisation (key_set_id, estate_id, resident_id, scope, named_people, valid_from, \
            valid_until, created_at) select key_set_id, estate_id, resident_id, 'repairs', '', valid_from, valid_until, \
            created_at from key_authorisation where id = $1",
    )
    .bind(auth)
    .execute(&desk.state.db.pool)
    .await
    .expect("a second paper's authorisation");
    let fresh = one(&desk, "select max(id) from key_authorisation").await;
    let r = clerk
        .upload(
            &format!("/keys/papers/{fresh}/upload"),
            &page,
            &[("notes.txt", b"not a photo")],
        )
        .await;
    assert_eq!(location(&r), format!("{page}?paper=refused#paper"));
    let none = one(
        &desk,
        &format!("select count(*) from key_authorisation where id = {fresh} and paper is null"),
    )
    .await;
    assert_eq!(none, 1);

    // Out: the desk and the signer see it as a JPEG; security and the worker do not.
    for path in [
        format!("/keys/papers/{auth}"),
        format!("/keys/papers/{auth}/thumb"),
    ] {
        let r = clerk.get(&path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(
            r.headers()[header::CACHE_CONTROL],
            "no-store",
            "a personal paper is never cached"
        );
    }
    let mut owner = signed_in(&desk, "13800000001").await;
    assert_eq!(
        owner
            .get(&format!("/keys/papers/{auth}/thumb"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        security.get(&format!("/keys/papers/{auth}")).await.status(),
        StatusCode::FORBIDDEN
    );
    let mut worker = signed_in(&desk, "maintenance").await;
    assert_eq!(
        worker.get(&format!("/keys/papers/{auth}")).await.status(),
        StatusCode::FORBIDDEN
    );
    let mut nobody = Browser::new(&desk);
    assert_eq!(
        nobody.get(&format!("/keys/papers/{auth}")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Another estate's desk does not see this estate's papers.
    sqlx::query("delete from account_estate where account_id = (select id from account where username = 'clerk')")
        .execute(&desk.state.db.pool)
        .await
        .expect("the clerk moved off the estate");
    sqlx::query(
        "insert into account_estate (account_id, estate_id) select a.id, e.id from account a, estate e \
         where a.username = 'clerk' and e.code = 'JX'",
    )
    .execute(&desk.state.db.pool)
    .await
    .expect("the clerk now works at JX");
    let mut moved = signed_in(&desk, "clerk").await;
    assert_eq!(
        moved.get(&format!("/keys/papers/{auth}")).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_drawn_signature_is_shown_to_the_desk_only() {
    use base64::Engine;
    let desk = desk().await;
    let mut clerk = signed_in(&desk, "clerk").await;
    // The pump room's working key, lent to 张师傅 with a signature drawn on the pad.
    let copy = one(&desk, "select id from key_copy where tag = 'K0001-1'").await;
    let zhang = one(
        &desk,
        "select id from account where username = 'maintenance'",
    )
    .await;
    let clerk_id = one(&desk, "select id from account where username = 'clerk'").await;
    let mut img = image::RgbaImage::new(60, 20);
    for x in 5..55 {
        img.put_pixel(x, 10, image::Rgba([0, 0, 0, 255]));
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let signature = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    let due = (chrono::Utc::now() + chrono::Duration::hours(10)).format("%Y-%m-%dT%H:%M");
    let body = format!(
        "copy_id={copy}&taker_kind=staff&taker_account_id={zhang}&purpose=inspection&authorised_by={clerk_id}\
         &due={due}&signature={}",
        common::desk::urlencode(&signature)
    );
    let r = clerk.call("lend_key", &body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let loan: i64 = text(r).await.trim().parse().expect("loan id");
    let r = clerk.get(&format!("/keys/loans/{loan}/signature")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/png");
    for who in ["security", "maintenance", "13800000001"] {
        let mut b = signed_in(&desk, who).await;
        assert_eq!(
            b.get(&format!("/keys/loans/{loan}/signature"))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}
