//! The estate register over HTTP: another estate's house refused, reveals
//! audited, bad occupant input named field by field, houses, residents and
//! estates created and corrected with masked audit entries, a resident's own
//! details, exact areas, and register workbooks above axum's default 2 MiB
//! multipart limit (issue 12, item 9).

mod common;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use common::desk::{desk, location, noise, text, Browser, PASSWORD};

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

/// A register workbook (the template's columns) of `houses` vacant houses,
/// padded to about `target` bytes with noise in a column the import ignores.
fn padded_workbook(houses: usize, target: usize) -> Vec<u8> {
    use app::estate::import::{annotated_xlsx, Problem};
    use app::sheet::read::RawRow;
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
        (3_000_000..app::sheet::read::MAX_FILE_BYTES).contains(&book.len()),
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
        too_big.len() > app::sheet::read::MAX_FILE_BYTES,
        "{} bytes",
        too_big.len()
    );
    let r = clerk.import_file(estate, "bigger.xlsx", &too_big).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let report = clerk.import_report(&r).await;
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["problems"][0]["reason"], "文件超过 5 MB", "{report}");
}
