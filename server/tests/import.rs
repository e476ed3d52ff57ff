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
    let login = Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "identifier=clerk&password={}",
            PASSWORD.replace('!', "%21")
        )))
        .expect("request");
    let response = router.clone().oneshot(login).await.expect("login");
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("desk_session="))
        .and_then(|c| c.split(';').next())
        .expect("session")
        .to_string();
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

impl Desk {
    async fn upload(&self, file_name: &str, bytes: &[u8]) -> (StatusCode, String) {
        let boundary = "----deskboundary";
        let mut body = Vec::new();
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"estate\"\r\n\r\n{}\r\n",
                self.estate
            )
            .bytes(),
        );
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let req = Request::post("/desk/import")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::COOKIE, &self.cookie)
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
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
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
    let (status, _) = desk
        .upload("houses.csv", &vec![b'a'; 6 * 1024 * 1024])
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
