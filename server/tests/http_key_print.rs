//! The key documents over HTTP: a cabinet's tag labels carry a QR code (an
//! SVG) for every live copy and nothing of a lost or retired one, the loan
//! register of a day shows its takers with their numbers masked, and neither
//! is for a clerk of another estate (nor the register for the security post).

mod common;

use axum::http::StatusCode;
use common::desk::{desk, desk_on, location, one, text, urlencode, Browser, Desk, PASSWORD};
use common::TestDb;
use server::config::HttpConfig;

/// Staff the admin creates here sign in with this.
const NEW_PASSWORD: &str = "Counter-Desk-2026!";

async fn signed_in<'a>(desk: &'a Desk, who: &str, password: &str) -> Browser<'a> {
    let mut b = Browser::new(desk);
    let r = b.login(who, password).await;
    assert!(
        r.status().is_redirection(),
        "sign-in of {who}: {}",
        r.status()
    );
    let to = location(&r);
    assert!(!to.starts_with("/login"), "sign-in of {who} refused: {to}");
    b
}

/// The desk day (UTC+8) of a stored UTC time.
fn desk_day(at: &str) -> String {
    let desk = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    chrono::DateTime::parse_from_rfc3339(at)
        .expect("stored time")
        .with_timezone(&desk)
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn labels_and_the_loan_register_print_for_their_estate_only() {
    check(&desk().await).await;
}

/// The same on PostgreSQL (the register's day bounds are text comparisons).
#[tokio::test]
async fn labels_and_the_loan_register_print_on_postgres() {
    check(&desk_on(TestDb::postgres().await, HttpConfig::default()).await).await;
}

async fn check(desk: &Desk) {
    let ch = one(desk, "select id from estate where code = 'CH'").await;
    let jx = one(desk, "select id from estate where code = 'JX'").await;
    let cabinet = one(
        desk,
        &format!("select min(id) from key_cabinet where estate_id = {ch}"),
    )
    .await;

    // One copy of the demo cabinet is lost: it gets no label.
    let lost = one(
        desk,
        &format!(
            "select min(id) from key_copy where cabinet_id = {cabinet} and status = 'in_cabinet'"
        ),
    )
    .await;
    sqlx::query("update key_copy set status = 'lost' where id = $1")
        .bind(lost)
        .execute(&desk.state.db.pool)
        .await
        .expect("lose a copy");
    let live: Vec<(String,)> = sqlx::query_as(
        "select tag from key_copy where cabinet_id = $1 and status in ('in_cabinet', 'out') order by tag",
    )
    .bind(cabinet)
    .fetch_all(&desk.state.db.pool)
    .await
    .expect("live copies");
    let live: Vec<String> = live.into_iter().map(|(t,)| t).collect();
    let (lost_tag,): (String,) = sqlx::query_as("select tag from key_copy where id = $1")
        .bind(lost)
        .fetch_one(&desk.state.db.pool)
        .await
        .expect("lost tag");
    assert!(live.len() >= 5, "the demo cabinet holds keys: {live:?}");

    // The desk gets a QR code for each live copy, and its tag.
    let mut clerk = signed_in(desk, "clerk", PASSWORD).await;
    let r = clerk
        .call("get_key_labels", &format!("cabinet_id={cabinet}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = text(r).await;
    assert_eq!(
        body.matches("<svg").count(),
        live.len(),
        "one SVG per live copy"
    );
    let sheet: serde_json::Value = serde_json::from_str(&body).expect("json");
    let labels = sheet["labels"].as_array().expect("labels");
    let mut tags: Vec<String> = labels
        .iter()
        .map(|l| l["tag"].as_str().expect("tag").to_string())
        .collect();
    tags.sort();
    assert_eq!(tags, live);
    for l in labels {
        let svg = l["qr_svg"].as_str().expect("svg");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(!l["hook"].as_str().unwrap_or_default().is_empty(), "{l}");
        // A facility key names its room; a house key's label never names its house.
        let opens = l["opens"].as_str().unwrap_or_default();
        match l["kind"].as_str() {
            Some("facility") => assert!(!opens.is_empty(), "{l}"),
            _ => assert!(opens.is_empty(), "a house key's label names no house: {l}"),
        }
    }
    assert!(!tags.contains(&lost_tag), "a lost copy gets no label");

    // The page renders them on the server, QR codes and all.
    let r = clerk
        .get(&format!("/desk/keys/cabinets/{cabinet}/labels"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(r).await;
    assert!(page.contains("key-label"), "labels on the page");
    for tag in &live {
        assert!(page.contains(tag.as_str()), "{tag} on the page");
    }
    assert!(
        page.matches("<svg").count() >= live.len(),
        "QR codes on the page"
    );

    // The day of the demo's loan to 陈建华, an outside worker.
    let (out_at,): (String,) =
        sqlx::query_as("select out_at from key_loan where taker_name = '陈建华'")
            .fetch_one(&desk.state.db.pool)
            .await
            .expect("the demo's worker loan");
    let day = desk_day(&out_at);
    let register = format!("estate_id={ch}&day={day}");
    let r = clerk.call("get_key_register_sheet", &register).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = text(r).await;
    assert!(body.contains("陈建华"), "{body}");
    assert!(!body.contains("13966668888"), "the phone is masked: {body}");
    assert!(
        !body.contains("11010519491231002X"),
        "the ID number is masked: {body}"
    );
    assert!(
        body.contains(&app::common::personal::mask_mobile("13966668888")),
        "{body}"
    );
    assert!(
        body.contains(&app::common::personal::mask_id_number("11010519491231002X")),
        "{body}"
    );
    let sheet: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(sheet["day"], day.as_str());
    assert_eq!(sheet["estate_id"], ch);
    // The printed page too: the title, the taker, never the numbers.
    let r = clerk
        .get(&format!("/desk/keys/register-sheet?estate={ch}&day={day}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(r).await;
    assert!(
        page.contains("钥匙借用登记表") && page.contains("陈建华"),
        "{page}"
    );
    assert!(!page.contains("13966668888") && !page.contains("11010519491231002X"));
    // No day (or a bad one): today's.
    let r = clerk
        .call(
            "get_key_register_sheet",
            &format!("estate_id={ch}&day=someday"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let today: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    assert_eq!(today["day"], app::db::time::desk_today().as_str());

    // A clerk of the other estate gets neither.
    let mut admin = signed_in(desk, "admin", PASSWORD).await;
    let r = admin
        .call(
            "create_staff",
            &format!(
                "username=jx.desk&display_name={}&role=clerk&estates[]={jx}&password={}",
                urlencode("锦绣前台"),
                urlencode(NEW_PASSWORD)
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    let mut outsider = signed_in(desk, "jx.desk", NEW_PASSWORD).await;
    let r = outsider
        .call("get_key_labels", &format!("cabinet_id={cabinet}"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!text(r).await.contains("<svg"));
    let r = outsider.call("get_key_register_sheet", &register).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!text(r).await.contains("陈建华"));
    // Their own estate's register is theirs (and has none of this one's loans).
    let r = outsider
        .call(
            "get_key_register_sheet",
            &format!("estate_id={jx}&day={day}"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!text(r).await.contains("陈建华"));

    // Security sees the keys, so the labels, but the register names takers: the desk's.
    let mut guard = signed_in(desk, "security", PASSWORD).await;
    assert_eq!(
        guard
            .call("get_key_register_sheet", &register)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // A resident gets nothing.
    let mut resident = signed_in(desk, "13800000001", PASSWORD).await;
    assert_eq!(
        resident
            .call("get_key_labels", &format!("cabinet_id={cabinet}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
