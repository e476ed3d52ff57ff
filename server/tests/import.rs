//! Importing and exporting the register over HTTP, on SQLite — and the
//! all-or-nothing write on PostgreSQL too.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestDb;
use leptos::config::LeptosOptions;
use server::config::HttpConfig;
use tower::ServiceExt;

const PASSWORD: &str = "Demo-Estate-2026!";

struct Desk {
    router: axum::Router,
    state: app::state::AppState,
    cookie: String,
    estate: i64,
    _db: TestDb,
}

async fn desk_on(db: TestDb) -> Desk {
    let options = LeptosOptions::builder().output_name("estate-desk").build();
    let config = HttpConfig::default();
    let (state, store) = server::open_app(&db.url, options, &config, 2)
        .await
        .expect("open app");
    server::demo::load(&state.db, &state.hasher, PASSWORD)
        .await
        .expect("demo");
    let router = server::router::build(state.clone(), store, &config);
    let cookie = sign_in(&router, "clerk").await;
    let (estate,): (i64,) = sqlx::query_as("select id from estate where code = 'CH'")
        .fetch_one(&state.db.pool)
        .await
        .expect("estate");
    Desk {
        router,
        state,
        cookie,
        estate,
        _db: db,
    }
}

/// Signs `username` in; returns the session cookie to send.
async fn sign_in(router: &axum::Router, username: &str) -> String {
    let login = Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "identifier={username}&password={}",
            PASSWORD.replace('!', "%21")
        )))
        .expect("request");
    let response = router.clone().oneshot(login).await.expect("login");
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("desk_session="))
        .and_then(|c| c.split(';').next())
        .expect("session")
        .to_string()
}

impl Desk {
    async fn upload(&self, file_name: &str, bytes: &[u8]) -> (StatusCode, String) {
        let estate = self.estate.to_string();
        self.post_file("/desk/import", &[("estate", &estate)], file_name, bytes)
            .await
    }

    async fn upload_as(&self, cookie: &str, file_name: &str, bytes: &[u8]) -> (StatusCode, String) {
        let estate = self.estate.to_string();
        self.post_file_as(
            cookie,
            "/desk/import",
            &[("estate", &estate)],
            file_name,
            bytes,
        )
        .await
    }

    /// Posts a multipart form: the text `fields`, then the `file`.
    async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> (StatusCode, String) {
        self.post_file_as(&self.cookie, path, fields, file_name, bytes)
            .await
    }

    /// [`Desk::post_file`] signed in as `cookie`.
    async fn post_file_as(
        &self,
        cookie: &str,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> (StatusCode, String) {
        let boundary = "----deskboundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        // Sent with its length, as a browser sends a form.
        let req = Request::post(path)
            .header(header::CONTENT_LENGTH, body.len())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::COOKIE, cookie)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        let response = self.router.clone().oneshot(req).await.expect("response");
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (response.status(), location)
    }

    async fn report(&self, location: &str) -> serde_json::Value {
        let id = location.rsplit('/').next().expect("id");
        let req = Request::post("/api/get_import")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &self.cookie)
            .body(Body::from(format!("id={id}")))
            .expect("request");
        let response = self.router.clone().oneshot(req).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(&format!("select count(*) from {table}"))
            .fetch_one(&self.state.db.pool)
            .await
            .expect("count");
        n
    }

    async fn get(&self, path: &str) -> (StatusCode, Vec<u8>) {
        self.get_as(&self.cookie, path).await
    }

    async fn get_as(&self, cookie: &str, path: &str) -> (StatusCode, Vec<u8>) {
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        let response = self.router.clone().oneshot(req).await.expect("response");
        let status = response.status();
        (
            status,
            axum::body::to_bytes(response.into_body(), 1 << 24)
                .await
                .expect("body")
                .to_vec(),
        )
    }
}

const HEADER: &str = "房号,建筑面积,用途,状态,姓名,手机号,身份证号,身份,入住日期\n";
const GOOD: &str = "9-1-101,88.50,住宅,自住,周明,13911110001,,业主,2024-05-01\n\
                    9-1-101,88.50,住宅,自住,周小明,13911110002,,家庭成员,2024-05-01\n\
                    9-1-102,120,住宅,空置,,,,,\n";

#[tokio::test]
async fn two_bad_rows_are_both_reported_and_nothing_is_written_then_the_fixed_file_imports_once() {
    for db in TestDb::both().await {
        let desk = desk_on(db).await;
        let houses = desk.count("house").await;
        let bad = format!("{HEADER}{GOOD}9-1-103,八十,住宅,空置,,,,,\n9-1-104,90,住宅,自住,吴,12345,,业主,2024-01-01\n");
        let (status, location) = desk.upload("houses.csv", bad.as_bytes()).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let report = desk.report(&location).await;
        assert_eq!(report["status"], "rejected");
        let problems: Vec<(u64, String)> = report["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .map(|p| {
                (
                    p["row"].as_u64().unwrap_or(0),
                    p["column"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            problems,
            vec![(5, "建筑面积".to_string()), (6, "手机号".to_string())]
        );
        assert_eq!(desk.count("house").await, houses, "nothing written");

        let (status, report_file) = desk.get(&format!("{location}/report.xlsx")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(report_file.starts_with(b"PK"), "an .xlsx");

        let good = format!("{HEADER}{GOOD}");
        let (_, location) = desk.upload("houses.csv", good.as_bytes()).await;
        let report = desk.report(&location).await;
        assert_eq!(report["status"], "imported", "{report}");
        assert_eq!(
            (
                report["houses"].as_i64(),
                report["residents"].as_i64(),
                report["occupancies"].as_i64()
            ),
            (Some(2), Some(2), Some(2))
        );
        assert_eq!(desk.count("house").await, houses + 2);

        // The same file again changes nothing.
        let occupancies = desk.count("occupancy").await;
        let (_, location) = desk.upload("houses.csv", good.as_bytes()).await;
        let report = desk.report(&location).await;
        assert_eq!(report["status"], "imported");
        assert_eq!(
            (report["houses"].as_i64(), report["unchanged"].as_i64()),
            (Some(0), Some(3))
        );
        assert_eq!(desk.count("house").await, houses + 2);
        assert_eq!(desk.count("occupancy").await, occupancies);
    }
}

#[tokio::test]
async fn a_gbk_csv_imports() {
    let desk = desk_on(TestDb::sqlite().await).await;
    let text = format!(
        "{HEADER}8-1-101,66.6,商铺,自住,欧阳娜,13922220001,11010519491231002X,业主,2023-03-03\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (_, location) = desk.upload("商铺.csv", &gbk).await;
    let report = desk.report(&location).await;
    assert_eq!(report["status"], "imported", "{report}");
    let (name, id): (String, Option<String>) =
        sqlx::query_as("select name, id_number from resident where mobile = '13922220001'")
            .fetch_one(&desk.state.db.pool)
            .await
            .expect("resident");
    assert_eq!(
        (name.as_str(), id.as_deref()),
        ("欧阳娜", Some("11010519491231002X"))
    );
}

#[tokio::test]
async fn fake_oversized_and_foreign_files_are_refused() {
    let desk = desk_on(TestDb::sqlite().await).await;
    let houses = desk.count("house").await;
    let (_, location) = desk.upload("houses.xlsx", HEADER.as_bytes()).await;
    let report = desk.report(&location).await;
    assert_eq!(report["status"], "rejected");
    assert!(
        report["problems"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains(".xlsx"),
        "{report}"
    );
    // Over the 5 MB limit: cut off where the limit is, refused with the file-size message.
    let (status, location) = desk
        .upload("houses.csv", &vec![b'a'; 6 * 1024 * 1024])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let report = desk.report(&location).await;
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["problems"][0]["reason"], "文件超过 5 MB", "{report}");
    // A declared body far beyond it is refused before anything is read.
    let (status, _) = desk
        .upload("houses.csv", &vec![b'a'; 21 * 1024 * 1024])
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(desk.count("house").await, houses);
}

#[tokio::test]
async fn the_export_masks_personal_data_and_escapes_formulas() {
    let desk = desk_on(TestDb::sqlite().await).await;
    let text = format!("{HEADER}7-1-101,70,住宅,自住,=HYPERLINK(1),13933330001,,业主,2024-01-01\n");
    let (_, location) = desk.upload("x.csv", text.as_bytes()).await;
    assert_eq!(desk.report(&location).await["status"], "imported");
    let (status, bytes) = desk
        .get(&format!("/desk/houses.xlsx?estate={}", desk.estate))
        .await;
    assert_eq!(status, StatusCode::OK);
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).expect("sheet");
    let cells: Vec<String> = range.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "138****0001"), "masked mobile");
    assert!(
        !cells.iter().any(|c| c.contains("13800000001")),
        "no full mobile"
    );
    assert!(
        cells.iter().any(|c| c == "'=HYPERLINK(1)"),
        "formula escaped"
    );
    assert!(
        cells
            .iter()
            .any(|c| c.starts_with("110") && c.contains("***")),
        "masked ID numbers"
    );
    // Another estate's export is refused.
    let (jx,): (i64,) = sqlx::query_as("select id from estate where code = 'JX'")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("jx");
    assert_eq!(
        desk.get(&format!("/desk/houses.xlsx?estate={jx}")).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_resident_export_is_masked_and_scoped() {
    let desk = desk_on(TestDb::sqlite().await).await;
    let (status, bytes) = desk
        .get(&format!("/desk/residents.xlsx?estate={}", desk.estate))
        .await;
    assert_eq!(status, StatusCode::OK);
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).expect("sheet");
    let cells: Vec<String> = range.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "王建国"));
    assert!(cells.iter().any(|c| c == "138****0001"));
    assert!(!cells.iter().any(|c| c == "13800000001"));
    let (jx,): (i64,) = sqlx::query_as("select id from estate where code = 'JX'")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("jx");
    assert_eq!(
        desk.get(&format!("/desk/residents.xlsx?estate={jx}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

/// The stored raw rows and clearing time of import `id`.
async fn kept_rows(desk: &Desk, id: &str) -> (String, Option<String>) {
    sqlx::query_as("select rows, rows_cleared_at from import_batch where id = $1")
        .bind(id.parse::<i64>().expect("id"))
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("batch")
}

#[tokio::test]
async fn a_rejected_imports_report_is_masked_audited_and_only_for_its_uploader_or_a_manager() {
    for db in TestDb::both().await {
        let desk = desk_on(db).await;
        let pool = &desk.state.db.pool;
        // A second clerk of the same estate.
        sqlx::query(
            "insert into account (role, username, display_name, password_hash, created_at, updated_at) \
             select role, 'clerk2', '赵小后', password_hash, created_at, updated_at from account where username = 'clerk'",
        )
        .execute(pool)
        .await
        .expect("clerk2");
        sqlx::query(
            "insert into account_estate (account_id, estate_id) \
             select (select id from account where username = 'clerk2'), $1",
        )
        .bind(desk.estate)
        .execute(pool)
        .await
        .expect("clerk2 estate");
        let colleague = sign_in(&desk.router, "clerk2").await;
        let manager = sign_in(&desk.router, "manager").await;

        let bad = format!(
            "{HEADER}6-1-101,八十,住宅,自住,郑一,13977770001,11010519491231002X,业主,2024-01-01\n"
        );
        let (_, location) = desk.upload("bad.csv", bad.as_bytes()).await;
        let id = location.rsplit('/').next().expect("id").to_string();
        let summary = desk.report(&location).await;
        assert_eq!(summary["status"], "rejected");
        // The import page's data: the problems, none of the row's personal data.
        let page = summary.to_string();
        assert!(
            !page.contains("13977770001") && !page.contains("11010519491231002X"),
            "{page}"
        );

        let path = format!("{location}/report.xlsx");
        let (status, bytes) = desk.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{}", desk.state.db.display_url);
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
        let sheet = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&sheet).expect("sheet");
        let cells: Vec<String> = range.cells().map(|(_, _, c)| c.to_string()).collect();
        assert!(cells.iter().any(|c| c == "139****0001"), "{cells:?}");
        assert!(cells.iter().any(|c| c == "110***********002X"), "{cells:?}");
        assert!(
            !cells
                .iter()
                .any(|c| c.contains("13977770001") || c.contains("19491231")),
            "{cells:?}"
        );
        assert!(
            cells.iter().any(|c| c.starts_with("2 建筑面积")),
            "the problem is named: {cells:?}"
        );
        let (logged,): (i64,) = sqlx::query_as(
            "select count(*) from audit_log where action = 'download_import_report' \
             and entity = 'import_batch' and entity_id = $1 and actor_id = (select id from account where username = 'clerk')",
        )
        .bind(&id)
        .fetch_one(pool)
        .await
        .expect("audit");
        assert_eq!(logged, 1);

        // A colleague may not collect it; the estate's manager may.
        assert_eq!(
            desk.get_as(&colleague, &path).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(desk.get_as(&manager, &path).await.0, StatusCode::OK);

        // The fixed file imports: it keeps no rows, has no report, and the
        // rejected attempt's rows are cleared with it.
        let good = format!(
            "{HEADER}6-1-101,80,住宅,自住,郑一,13977770001,11010519491231002X,业主,2024-01-01\n"
        );
        let (_, done) = desk.upload("good.csv", good.as_bytes()).await;
        assert_eq!(desk.report(&done).await["status"], "imported");
        let done_id = done.rsplit('/').next().expect("id").to_string();
        assert_eq!(kept_rows(&desk, &done_id).await.0, "[]");
        assert_eq!(
            desk.get(&format!("{done}/report.xlsx")).await.0,
            StatusCode::NOT_FOUND
        );
        let (rows, cleared) = kept_rows(&desk, &id).await;
        assert_eq!(rows, "[]");
        assert!(cleared.is_some());
        assert_eq!(desk.get(&path).await.0, StatusCode::NOT_FOUND);
        // …while its problems stay on the import page.
        assert_eq!(
            desk.report(&location).await["problems"][0]["column"],
            "建筑面积"
        );

        // A rejected report is kept for 7 days, then cleared by the next import.
        let (_, old) = desk.upload("old.csv", bad.as_bytes()).await;
        let old_id = old.rsplit('/').next().expect("id").to_string();
        assert_eq!(
            desk.get(&format!("{old}/report.xlsx")).await.0,
            StatusCode::OK
        );
        sqlx::query(
            "update import_batch set created_at = '2020-01-01T00:00:00.000000Z' where id = $1",
        )
        .bind(old_id.parse::<i64>().expect("id"))
        .execute(pool)
        .await
        .expect("backdate");
        assert_eq!(
            desk.get(&format!("{old}/report.xlsx")).await.0,
            StatusCode::NOT_FOUND
        );
        assert!(kept_rows(&desk, &old_id).await.0.contains("13977770001"));
        desk.upload("x.xlsx", b"not a workbook").await;
        assert_eq!(kept_rows(&desk, &old_id).await.0, "[]");
    }
}

/// Adds a second clerk of the desk's estate, `clerk2`; returns their session cookie.
async fn second_clerk(desk: &Desk) -> String {
    let pool = &desk.state.db.pool;
    sqlx::query(
        "insert into account (role, username, display_name, password_hash, created_at, updated_at) \
         select role, 'clerk2', '赵小后', password_hash, created_at, updated_at from account where username = 'clerk'",
    )
    .execute(pool)
    .await
    .expect("clerk2");
    sqlx::query(
        "insert into account_estate (account_id, estate_id) \
         select (select id from account where username = 'clerk2'), $1",
    )
    .bind(desk.estate)
    .execute(pool)
    .await
    .expect("clerk2 estate");
    sign_in(&desk.router, "clerk2").await
}

#[tokio::test]
async fn a_colleagues_successful_import_keeps_my_rejected_imports_report() {
    for db in TestDb::both().await {
        let desk = desk_on(db).await;
        let colleague = second_clerk(&desk).await;
        let bad = format!(
            "{HEADER}6-1-101,八十,住宅,自住,郑一,13977770001,11010519491231002X,业主,2024-01-01\n"
        );
        let (_, mine) = desk.upload("bad.csv", bad.as_bytes()).await;
        assert_eq!(desk.report(&mine).await["status"], "rejected");
        let path = format!("{mine}/report.xlsx");
        assert_eq!(desk.get(&path).await.0, StatusCode::OK);

        // The colleague imports a file of their own into the same estate.
        let (_, theirs) = desk
            .upload_as(
                &colleague,
                "houses.csv",
                format!("{HEADER}{GOOD}").as_bytes(),
            )
            .await;
        assert_eq!(desk.report(&theirs).await["status"], "imported");

        // My report is still there, with its rows, until I fix my file.
        let id = mine.rsplit('/').next().expect("id").to_string();
        let (rows, cleared) = kept_rows(&desk, &id).await;
        assert!(
            rows.contains("13977770001"),
            "{}",
            desk.state.db.display_url
        );
        assert_eq!(cleared, None);
        assert_eq!(
            desk.get(&path).await.0,
            StatusCode::OK,
            "{}",
            desk.state.db.display_url
        );
        let good = bad.replace("八十", "80");
        let (_, fixed) = desk.upload("good.csv", good.as_bytes()).await;
        assert_eq!(desk.report(&fixed).await["status"], "imported");
        assert_eq!(desk.get(&path).await.0, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn reports_older_than_the_keeping_time_are_cleared_at_start() {
    for db in TestDb::both().await {
        let desk = desk_on(db).await;
        let pool = &desk.state.db.pool;
        let bad = format!("{HEADER}6-1-101,八十,住宅,自住,郑一,13977770001,,业主,2024-01-01\n");
        let (_, old) = desk.upload("old.csv", bad.as_bytes()).await;
        let (_, recent) = desk.upload("recent.csv", bad.as_bytes()).await;
        let old_id = old.rsplit('/').next().expect("id").to_string();
        let recent_id = recent.rsplit('/').next().expect("id").to_string();
        sqlx::query("update import_batch set created_at = $1 where id = $2")
            .bind(app::db::time::to_db(
                chrono::Utc::now()
                    - chrono::Duration::days(app::estate::import::REPORT_KEEP_DAYS + 1),
            ))
            .bind(old_id.parse::<i64>().expect("id"))
            .execute(pool)
            .await
            .expect("backdate");
        // What `serve` runs once it has migrated, before any import.
        let cleared = app::estate::db::clear_expired_import_rows(pool)
            .await
            .expect("sweep");
        assert_eq!(cleared, 1, "{}", desk.state.db.display_url);
        let (rows, at) = kept_rows(&desk, &old_id).await;
        assert_eq!(rows, "[]");
        assert!(at.is_some());
        // A report within the 7 days stays.
        assert!(kept_rows(&desk, &recent_id).await.0.contains("13977770001"));
        assert_eq!(
            desk.get(&format!("{recent}/report.xlsx")).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn an_overlong_form_field_is_refused() {
    let desk = desk_on(TestDb::sqlite().await).await;
    let batches = desk.count("import_batch").await;
    // The estate's id padded to 10 KB: a real form never sends this.
    let estate = format!("{}{}", desk.estate, " ".repeat(10 * 1024));
    let text = format!("{HEADER}{GOOD}");
    let (status, _) = desk
        .post_file(
            "/desk/import",
            &[("estate", &estate)],
            "houses.csv",
            text.as_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        desk.count("import_batch").await,
        batches,
        "nothing imported"
    );
    let (status, _) = desk
        .post_file(
            "/desk/readings/import",
            &[("fee_item_id", "1"), ("period", &"2".repeat(10 * 1024))],
            "r.csv",
            b"x",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A zip of `files`, stored without compression, as an .xlsx is.
fn stored_zip(files: &[(&str, &str)]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, text) in files {
        let (name, data) = (name.as_bytes(), text.as_bytes());
        let (crc, size) = (crc32(data), data.len() as u32);
        let offset = out.len() as u32;
        // Version 2.0, no flags, stored, 1980-01-01 00:00.
        let common = |v: &mut Vec<u8>| {
            for half in [20u16, 0, 0, 0, 0x21] {
                v.extend(half.to_le_bytes());
            }
            for word in [crc, size, size] {
                v.extend(word.to_le_bytes());
            }
            v.extend((name.len() as u16).to_le_bytes());
            v.extend(0u16.to_le_bytes());
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name);
        out.extend(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        common(&mut central);
        // Comment, disk, internal and external attributes, then the local header's offset.
        central.extend([0u8; 10]);
        central.extend(offset.to_le_bytes());
        central.extend(name);
    }
    let (at, len, n) = (out.len() as u32, central.len() as u32, files.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A workbook of two cells, `A1` and `XFD1048576`: a few hundred bytes that
/// span the whole sheet (1.7 × 10¹⁰ cells if read as a rectangle).
fn corner_to_corner_xlsx() -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let root = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let book = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let book_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
    );
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>房号</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#
    );
    stored_zip(&[
        ("[Content_Types].xml", types),
        ("_rels/.rels", &root),
        ("xl/workbook.xml", &book),
        ("xl/_rels/workbook.xml.rels", &book_rels),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

#[tokio::test]
async fn a_two_cell_workbook_spanning_the_sheet_is_refused_quickly_on_both_upload_routes() {
    use std::time::Duration;
    let desk = desk_on(TestDb::sqlite().await).await;
    let bytes = corner_to_corner_xlsx();
    assert!(bytes.len() < 4096, "{} bytes", bytes.len());
    // Guarded: a regression fails here instead of hanging or exhausting memory.
    let limit = Duration::from_secs(30);
    let (status, location) = tokio::time::timeout(limit, desk.upload("corner.xlsx", &bytes))
        .await
        .expect("the register import answered in time");
    assert_eq!(status, StatusCode::SEE_OTHER);
    let report = desk.report(&location).await;
    assert_eq!(report["status"], "rejected");
    assert_eq!(
        report["problems"][0]["reason"], "文件超过 20000 行",
        "{report}"
    );

    let (water,): (i64,) = sqlx::query_as("select id from fee_item where kind = 'metered'")
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("water");
    let period = app::db::time::desk_today()[..7].to_string();
    let fields = [("fee_item_id", water.to_string()), ("period", period)];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location) = tokio::time::timeout(
        limit,
        desk.post_file("/desk/readings/import", &fields, "corner.xlsx", &bytes),
    )
    .await
    .expect("the readings import answered in time");
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let id: i64 = location
        .rsplit("import=")
        .next()
        .and_then(|v| v.parse().ok())
        .expect("the attempt's id");
    let (_, attempt) = app::billing::db::reading_import(&desk.state.db.pool, id)
        .await
        .expect("report")
        .expect("attempt");
    assert!(!attempt.imported);
    assert_eq!(attempt.problems[0].reason, "文件超过 20000 行");
}
