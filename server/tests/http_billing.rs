//! Billing over HTTP: each call checks the role and the house, payment
//! notices print per house and never threaten supplies, and opening a
//! receipt is not printing it.

mod common;

use axum::http::StatusCode;
use common::desk::{desk, text, Browser, PASSWORD};

#[tokio::test]
async fn billing_calls_check_the_role_and_the_house() {
    let desk = desk().await;
    let db = &desk.state.db;
    let id = |sql: &'static str| async move {
        let (id,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
        id
    };
    let ch = id("select id from estate where code = 'CH'").await;
    let jx_house =
        id("select min(id) from house where estate_id = (select id from estate where code = 'JX')")
            .await;
    let other_house = id("select id from house where number = '1-1-102' and estate_id = (select id from estate where code = 'CH')").await;
    let own_payment = id("select min(id) from payment").await;
    let payment = id("select id from bill_line where house_id = (select id from house where number = '1-1-102' and estate_id = (select id from estate where code = 'CH')) order by id limit 1").await;
    let clerk_id = id("select id from account where username = 'clerk'").await;
    let other_payment = app::billing::ledger::take_payment(
        db,
        &app::db::audit::Actor {
            account_id: None,
            name: "t".into(),
            ip: None,
        },
        clerk_id,
        app::common::Lang::Zh,
        &app::billing::ledger::PaymentRequest {
            house_id: other_house,
            line_ids: vec![payment],
            method: "cash".into(),
            received: "9999".into(),
            request_key: "http-test".into(),
        },
        &app::billing::ledger::Payer::named("测试交款人"),
    )
    .await
    .expect("payment")
    .payment_id;

    // A clerk takes payments but neither runs billing, reverses nor approves.
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    for (name, body) in [
        ("start_bill_run", format!("estate_id={ch}&period=2026-01")),
        (
            "reverse_payment",
            format!("payment_id={other_payment}&reason=x"),
        ),
        ("decide_waiver", "waiver_id=1&decision=approve".to_string()),
        (
            "create_fee_item",
            format!("estate_id={ch}&name=x&kind=fixed&due_days=1&unit="),
        ),
    ] {
        assert_eq!(
            clerk.call(name, &body).await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
    }
    assert_eq!(
        clerk
            .call("get_house_account", &format!("house_id={jx_house}"))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "another estate's house"
    );
    let r = clerk
        .call("get_house_account", &format!("house_id={other_house}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // A manager's reversal needs a reason, in words.
    let mut manager = Browser::new(&desk);
    manager.login("manager", PASSWORD).await;
    let r = manager
        .call(
            "reverse_payment",
            &format!("payment_id={other_payment}&reason="),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("请填写原因"));

    // A resident: their own bills and receipts only.
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    let r = resident.call("my_bills", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bills: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let numbers: Vec<&str> = bills["houses"]
        .as_array()
        .expect("houses")
        .iter()
        .filter_map(|h| h["number"].as_str())
        .collect();
    assert_eq!(numbers, vec!["1-1-101"]);
    assert_eq!(
        resident
            .call("my_receipt", &format!("payment_id={own_payment}"))
            .await
            .status(),
        StatusCode::OK
    );
    // Another house's receipt is not found, like one from before the resident moved in.
    assert_eq!(
        resident
            .call("my_receipt", &format!("payment_id={other_payment}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        resident
            .call("get_house_account", &format!("house_id={other_house}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        resident.get("/desk/billing").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn payment_notices_print_per_house_and_never_threaten_supplies() {
    let desk = desk().await;
    let (building,): (i64,) = sqlx::query_as(
        "select b.id from building b join estate e on e.id = b.estate_id where e.code = 'CH' and b.code = '1'",
    )
    .fetch_one(&desk.state.db.pool)
    .await
    .expect("building");
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let page = clerk
        .get(&format!("/desk/notices?building={building}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = text(page).await;
    // One notice per owing house of building 1 (1-1-101 owes only this month, if billed).
    let notices = html.matches("data-testid=\"notice\"").count();
    assert!(notices >= 10, "{notices} notices");
    assert!(html.contains("缴费通知单") && html.contains("1-1-102"));
    for threat in [
        "停水",
        "停电",
        "停气",
        "停暖",
        "断水",
        "断电",
        "限制用水",
        "限电",
    ] {
        assert!(
            !html.contains(threat),
            "a notice must not threaten supplies: {threat}"
        );
    }
    // A resident cannot print the desk's notices.
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    assert_eq!(
        resident
            .get(&format!("/desk/notices?building={building}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

/// Opening a receipt (or refreshing it, or following a link to it) is not a
/// print: only the print button's call counts, and the second print is 补打.
#[tokio::test]
async fn opening_a_receipt_is_not_printing_it() {
    let desk = desk().await;
    let pool = &desk.state.db.pool;
    let (payment,): (i64,) = sqlx::query_as(
        "select min(p.id) from payment p join estate e on e.id = p.estate_id where e.code = 'CH'",
    )
    .fetch_one(pool)
    .await
    .expect("a demo payment");
    let prints = || async {
        let (n,): (i64,) =
            sqlx::query_as("select count(*) from receipt_print where payment_id = $1")
                .bind(payment)
                .fetch_one(pool)
                .await
                .expect("count");
        n
    };
    let before = prints().await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    for _ in 0..2 {
        let page = clerk.get(&format!("/desk/receipts/{payment}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(text(page).await.contains("data-testid=\"receipt\""));
    }
    assert_eq!(prints().await, before, "two page loads record no print");

    let first = clerk
        .call("print_receipt", &format!("payment_id={payment}"))
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        text(first).await.trim(),
        before.to_string(),
        "this print's copy number"
    );
    let second = clerk
        .call("print_receipt", &format!("payment_id={payment}"))
        .await;
    assert_eq!(
        text(second).await.trim(),
        (before + 1).to_string(),
        "the next one is a reprint"
    );
    assert_eq!(prints().await, before + 2);
    let page = text(clerk.get(&format!("/desk/receipts/{payment}")).await).await;
    assert!(
        page.contains("补打"),
        "a printed receipt opens as a reprint"
    );

    // A resident cannot record prints.
    let mut resident = Browser::new(&desk);
    resident.login("13800000001", PASSWORD).await;
    let refused = resident
        .call("print_receipt", &format!("payment_id={payment}"))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(prints().await, before + 2);
}
