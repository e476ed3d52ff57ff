//! Move-in and move-out's billing (issue 15, 3c and 3e) on SQLite and
//! PostgreSQL: a payment keeps its payer, so a receipt reprinted after the
//! house was sold still names who paid; and a house's meter readings count
//! from its opening reading (起始读数) — a house without one takes no reading,
//! gets no metered line, and is listed on the bill runs' page. Both
//! migrations' backfills are checked on a database upgraded with data.

mod common;

use app::billing::ledger::{self, Payer, PaymentRequest};
use app::billing::{db as billing, run, FeeKind, OpeningSource};
use app::common::{EstateId, EstateScope, HouseId, Lang};
use app::db::audit::Actor;
use app::db::{time, Database};
use app::error::AppError;
use app::estate::db::{add_occupant, end_occupancy, NewOccupant};
use app::estate::OccupancyRole;
use app::security::hashing::Hasher;
use common::desk::{desk, text, Browser, PASSWORD};
use common::TestDb;

fn actor() -> Actor {
    Actor {
        account_id: None,
        name: "test".into(),
        ip: None,
    }
}

fn this_month() -> String {
    time::desk_today()[..7].to_string()
}

async fn demo(t: &TestDb) -> Database {
    let db = t.open().await;
    server::demo::load(&db, &Hasher::new(1).expect("hasher"), PASSWORD)
        .await
        .expect("demo");
    db
}

async fn one(db: &Database, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.expect(sql);
    n
}

async fn ch(db: &Database) -> i64 {
    one(db, "select id from estate where code = 'CH'").await
}

async fn house(db: &Database, number: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "select id from house where number = $1 and estate_id = (select id from estate where code = 'CH')",
    )
    .bind(number)
    .fetch_one(&db.pool)
    .await
    .expect("house");
    id
}

async fn owed(db: &Database, house_id: i64) -> Vec<ledger::LineState> {
    let mut conn = db.pool.acquire().await.expect("conn");
    ledger::house_lines(&mut conn, house_id)
        .await
        .expect("lines")
        .into_iter()
        .filter(|l| l.outstanding() > 0)
        .collect()
}

/// Pays one line in full (and any late fee), as the counter's form posts it.
async fn pay_line(
    db: &Database,
    clerk: i64,
    house_id: i64,
    line: &ledger::LineState,
    key: &str,
    payer: &Payer,
) -> Result<ledger::PaymentTaken, AppError> {
    let req = PaymentRequest {
        house_id,
        line_ids: vec![line.id],
        method: "cash".into(),
        // Enough for the line and any late fee it has run up; the rest goes to prepaid.
        received: app::billing::fen_plain(line.outstanding() * 2 + 100),
        request_key: key.into(),
    };
    ledger::take_payment(db, &actor(), clerk, Lang::Zh, &req, payer).await
}

async fn receipt_payer(db: &Database, payment_id: i64) -> Option<String> {
    billing::receipt(&db.pool, payment_id, Lang::Zh)
        .await
        .expect("receipt")
        .payer
}

#[tokio::test]
async fn a_receipt_reprinted_after_the_house_was_sold_names_who_paid() {
    for t in TestDb::both().await {
        let e = t.engine;
        let db = demo(&t).await;
        let estate = ch(&db).await;
        let clerk = one(&db, "select id from account where username = 'clerk'").await;
        let h = house(&db, "1-1-102").await;
        let (a_occupancy, a_id, a_name): (i64, i64, String) = sqlx::query_as(
            "select o.id, r.id, r.name from occupancy o join resident r on r.id = o.resident_id \
             where o.house_id = $1 and o.role = 'owner' and o.end_date is null order by o.id limit 1",
        )
        .bind(h)
        .fetch_one(&db.pool)
        .await
        .expect("the owner");
        let lines = owed(&db, h).await;
        assert!(lines.len() >= 3, "{e}: the demo's house owes lines");

        // The payment form offers the house's occupants, the owner first.
        let account = billing::house_account(&db.pool, h, Lang::Zh, None)
            .await
            .expect("account");
        assert_eq!(account.occupants.first().map(|c| c.id), Some(a_id), "{e}");
        assert!(
            account.occupants[0].name.contains(&a_name)
                && account.occupants[0].name.contains("业主"),
            "{e}: {:?}",
            account.occupants
        );

        // Owner A pays; then sells the house to B.
        let by_a = pay_line(&db, clerk, h, &lines[0], "payer-a", &Payer::resident(a_id))
            .await
            .expect("A pays");
        assert_eq!(
            receipt_payer(&db, by_a.payment_id).await.as_deref(),
            Some(a_name.as_str()),
            "{e}"
        );
        let today = time::desk_today();
        let mut w = db.write(actor()).await.expect("write");
        assert_eq!(
            end_occupancy(&mut w, a_occupancy, &today)
                .await
                .expect("end"),
            1
        );
        let (b_id, _) = add_occupant(
            &mut w,
            EstateId(estate),
            HouseId(h),
            &NewOccupant {
                name: "买家乙",
                mobile: "13912345678",
                id_number: None,
                role: OccupancyRole::Owner,
                start_date: &today,
            },
        )
        .await
        .expect("B moves in");
        w.commit().await.expect("commit");

        let account = billing::house_account(&db.pool, h, Lang::Zh, None)
            .await
            .expect("account");
        assert!(
            account.owners.contains("买家乙") && !account.owners.contains(&a_name),
            "{e}: the house's owner is B now: {}",
            account.owners
        );
        assert_eq!(account.occupants.first().map(|c| c.id), Some(b_id), "{e}");
        assert!(account.occupants.iter().all(|c| c.id != a_id), "{e}");
        let by_b = pay_line(&db, clerk, h, &lines[1], "payer-b", &Payer::resident(b_id))
            .await
            .expect("B pays");

        // A's receipt, reprinted, still names A; B's names B.
        let copy = billing::record_print(&db, &actor(), by_a.payment_id)
            .await
            .expect("print");
        assert_eq!(copy, 0, "{e}");
        let copy = billing::record_print(&db, &actor(), by_a.payment_id)
            .await
            .expect("reprint");
        assert_eq!(copy, 1, "{e}");
        let reprint = billing::receipt(&db.pool, by_a.payment_id, Lang::Zh)
            .await
            .expect("reprint");
        assert_eq!(reprint.copy, 2, "{e}: two prints recorded");
        assert_eq!(reprint.payer.as_deref(), Some(a_name.as_str()), "{e}");
        assert_eq!(
            receipt_payer(&db, by_b.payment_id).await.as_deref(),
            Some("买家乙"),
            "{e}"
        );
        // The payments list and the portal's receipt say the same.
        let account = billing::house_account(&db.pool, h, Lang::Zh, None)
            .await
            .expect("account");
        let listed = |id: i64| {
            account
                .payments
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.payer.clone())
        };
        assert_eq!(
            listed(by_a.payment_id).as_deref(),
            Some(a_name.as_str()),
            "{e}"
        );
        assert_eq!(listed(by_b.payment_id).as_deref(), Some("买家乙"), "{e}");
        let b_homes = app::auth::residence::residences(&db.pool, b_id)
            .await
            .expect("residences");
        let portal =
            app::billing::portal::portal_receipt(&db.pool, &b_homes, by_b.payment_id, Lang::Zh)
                .await
                .expect("B's portal receipt");
        assert_eq!(portal.payer.as_deref(), Some("买家乙"), "{e}");

        // A typed name is 1–40 characters; someone of another house is not an occupant.
        let payments = one(&db, "select count(*) from payment").await;
        for (payer, field) in [
            (Payer::named("   "), "payer_name"),
            (Payer::named("长".repeat(41)), "payer_name"),
            (Payer::resident(a_id + 100_000), "payer"),
        ] {
            let refused = pay_line(&db, clerk, h, &lines[2], "payer-bad", &payer)
                .await
                .expect_err("refused");
            assert!(
                refused.field_message(field).is_some(),
                "{e}: {payer:?}: {refused:?}"
            );
        }
        let elsewhere: (i64,) = sqlx::query_as(
            "select o.resident_id from occupancy o where o.house_id <> $1 and o.end_date is null \
             and o.resident_id not in (select resident_id from occupancy where house_id = $1) order by o.id limit 1",
        )
        .bind(h)
        .fetch_one(&db.pool)
        .await
        .expect("a resident of another house");
        let refused = pay_line(
            &db,
            clerk,
            h,
            &lines[2],
            "payer-other-house",
            &Payer::resident(elsewhere.0),
        )
        .await
        .expect_err("not this house's");
        assert!(
            refused
                .field_message("payer")
                .is_some_and(|m| m.contains("不是这户")),
            "{e}: {refused:?}"
        );
        assert_eq!(
            one(&db, "select count(*) from payment").await,
            payments,
            "{e}: nothing taken"
        );
        let typed = "长".repeat(40);
        let by_typed = pay_line(
            &db,
            clerk,
            h,
            &lines[2],
            "payer-typed",
            &Payer::named(format!(" {typed} ")),
        )
        .await
        .expect("a typed name");
        assert_eq!(
            receipt_payer(&db, by_typed.payment_id).await,
            Some(typed),
            "{e}"
        );
        let (stored,): (Option<i64>,) =
            sqlx::query_as("select payer_resident_id from payment where id = $1")
                .bind(by_typed.payment_id)
                .fetch_one(&db.pool)
                .await
                .expect("stored");
        assert_eq!(stored, None, "{e}: a typed payer is no resident");
    }
}

/// The counter's form over HTTP: the occupant picked, or "someone else" by name.
#[tokio::test]
async fn the_counter_form_takes_the_payer_picked_or_typed() {
    let desk = desk().await;
    let db = &desk.state.db;
    let h = house(db, "1-1-102").await;
    let (owner, name): (i64, String) = sqlx::query_as(
        "select r.id, r.name from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.role = 'owner' and o.end_date is null order by o.id limit 1",
    )
    .bind(h)
    .fetch_one(&db.pool)
    .await
    .expect("owner");
    let lines = owed(db, h).await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let page = text(clerk.get(&format!("/desk/houses/{h}/account")).await).await;
    assert!(
        page.contains("name=\"payer\"")
            && page.contains(&name)
            && page.contains("其他人（填写姓名）"),
        "the form offers the occupants and someone else"
    );
    let form = |line: i64, key: &str, payer: &str| {
        format!("house_id={h}&lines[]={line}&method=cash&received=99999&request_key={key}&{payer}")
    };
    let r = clerk
        .call(
            "take_payment",
            &form(lines[0].id, "http-payer-0", "payer=other&payer_name="),
        )
        .await;
    assert_eq!(r.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("交款人姓名"));
    let r = clerk
        .call(
            "take_payment",
            &form(
                lines[0].id,
                "http-payer-1",
                &format!("payer={owner}&payer_name="),
            ),
        )
        .await;
    assert_eq!(r.status(), axum::http::StatusCode::OK);
    let taken: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let id = taken["payment_id"].as_i64().expect("id");
    assert_eq!(receipt_payer(db, id).await.as_deref(), Some(name.as_str()));
    let r = clerk
        .call(
            "take_payment",
            &form(
                lines[1].id,
                "http-payer-2",
                "payer=other&payer_name=%E8%B5%B5%E4%BB%A3%E7%BC%B4",
            ),
        )
        .await;
    assert_eq!(r.status(), axum::http::StatusCode::OK);
    let taken: serde_json::Value = serde_json::from_str(&text(r).await).expect("json");
    let id = taken["payment_id"].as_i64().expect("id");
    assert_eq!(receipt_payer(db, id).await.as_deref(), Some("赵代缴"));
    let receipt = text(clerk.get(&format!("/desk/receipts/{id}")).await).await;
    assert!(receipt.contains("交款人") && receipt.contains("赵代缴"));
}

/// A house of building 2 or later (the demo reads building 1's meters only)
/// that is billable: it has no opening reading.
async fn billable_house_without_opening(db: &Database, skip: usize) -> (i64, String, i64) {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "select h.id, h.number, h.building_id from house h join building b on b.id = h.building_id \
         where h.estate_id = (select id from estate where code = 'CH') and b.code <> '1' \
         and h.status <> 'not_handed_over' and h.use_kind = 'residential' order by h.id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("houses");
    rows[skip].clone()
}

fn entry(house_id: i64, reading: &str) -> billing::ReadingEntry {
    billing::ReadingEntry {
        house_id,
        reading: reading.into(),
        ..Default::default()
    }
}

async fn save(
    db: &Database,
    water: i64,
    entries: &[billing::ReadingEntry],
) -> Result<usize, AppError> {
    billing::save_readings(
        db,
        &actor(),
        Lang::Zh,
        water,
        &this_month(),
        entries,
        None,
        |_| Ok(()),
    )
    .await
}

async fn open_meter(
    db: &Database,
    house_id: i64,
    item: i64,
    centi: i64,
    read_on: &str,
) -> Result<(), AppError> {
    let mut w = db.write(actor()).await.expect("write");
    billing::record_opening(
        &mut w,
        Lang::Zh,
        house_id,
        item,
        centi,
        read_on,
        OpeningSource::MoveIn,
        None,
    )
    .await?;
    w.commit().await.expect("commit");
    Ok(())
}

#[tokio::test]
async fn readings_count_from_the_opening_reading_and_a_house_without_one_gets_no_metered_line() {
    for t in TestDb::both().await {
        let e = t.engine;
        let db = demo(&t).await;
        let estate = ch(&db).await;
        let water = one(&db, "select id from fee_item where kind = 'metered'").await;
        let area = one(&db, "select id from fee_item where kind = 'area'").await;
        let items = billing::metered_items(&db.pool, estate)
            .await
            .expect("items");
        assert_eq!(
            items.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![water],
            "{e}"
        );
        let (x, x_number, x_building) = billable_house_without_opening(&db, 0).await;
        let (y, y_number, _) = billable_house_without_opening(&db, 1).await;
        let today = time::desk_today();

        // The runs page lists every billable house without an opening, with the item.
        let overview = billing::overview(&db.pool, &EstateScope::All, estate, true, None)
            .await
            .expect("overview");
        let expected = one(
            &db,
            "select count(*) from house h join building b on b.id = h.building_id \
             where h.estate_id = (select id from estate where code = 'CH') and b.code <> '1' \
             and h.status <> 'not_handed_over'",
        )
        .await;
        assert_eq!(overview.missing_openings_total, expected, "{e}");
        assert!(expected > 0, "{e}");
        let listed = |o: &app::billing::BillingOverview, id: i64| {
            o.missing_openings
                .iter()
                .any(|m| m.house_id == id && m.fee_item_id == water && m.item == "水费")
        };
        assert!(listed(&overview, x) && listed(&overview, y), "{e}");
        assert!(
            !listed(&overview, house(&db, "1-1-101").await),
            "{e}: building 1 has openings"
        );

        // The grid shows it without a previous reading, marked.
        let grid = billing::reading_grid(
            &db.pool,
            &EstateScope::All,
            estate,
            water,
            x_building,
            &this_month(),
        )
        .await
        .expect("grid");
        let row = grid
            .rows
            .iter()
            .find(|r| r.house_id == x)
            .expect("row")
            .clone();
        assert!(row.no_opening && row.previous.is_empty(), "{e}: {row:?}");
        assert_eq!(grid.today, today, "{e}");

        // No reading is saved for it, and the refusal names the house and the opening.
        assert_eq!(
            billing::last_reading(&db.pool, x, water)
                .await
                .expect("last"),
            None
        );
        let refused = save(&db, water, &[entry(x, "5")])
            .await
            .expect_err("no opening");
        assert!(
            refused
                .field_message("readings")
                .is_some_and(|m| m.contains(&x_number) && m.contains("起始读数")),
            "{e}: {refused:?}"
        );
        let csv = format!("房号,本次读数\n{y_number},5\n");
        let read =
            app::sheet::read::read_with("readings.csv", csv.as_bytes(), &billing::READING_COLUMNS);
        let id = billing::import_readings(
            &db,
            &actor(),
            Lang::Zh,
            water,
            &this_month(),
            "r.csv",
            read,
            None,
            |_| Ok(()),
        )
        .await
        .expect("attempt recorded");
        let (_, report) = billing::reading_import(&db.pool, id)
            .await
            .expect("report")
            .expect("exists");
        assert!(!report.imported, "{e}");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.reason.contains(&y_number) && p.reason.contains("起始读数")),
            "{e}: {:?}",
            report.problems
        );

        // The opening: 100.00, once; not negative, not a fixed-rate item, not another estate's.
        open_meter(&db, x, water, 10_000, &today)
            .await
            .expect("opening");
        assert_eq!(
            billing::last_reading(&db.pool, x, water)
                .await
                .expect("last"),
            Some(10_000)
        );
        let again = open_meter(&db, x, water, 9_000, &today)
            .await
            .expect_err("second");
        assert!(
            again
                .field_message("reading")
                .is_some_and(|m| m.contains("已有起始读数 100.00")),
            "{e}: {again:?}"
        );
        let negative = open_meter(&db, y, water, -1, &today)
            .await
            .expect_err("negative");
        assert!(
            negative.field_message("reading").is_some(),
            "{e}: {negative:?}"
        );
        let not_metered = open_meter(&db, y, area, 100, &today)
            .await
            .expect_err("area");
        assert!(
            not_metered.field_message("reading").is_some(),
            "{e}: {not_metered:?}"
        );
        let jx = one(&db, "select id from estate where code = 'JX'").await;
        let jx_water =
            billing::create_fee_item(&db, &actor(), Lang::Zh, jx, "水费", "metered", "15", "吨")
                .await
                .expect("JX's water");
        let elsewhere = open_meter(&db, y, jx_water, 100, &today)
            .await
            .expect_err("another estate's");
        assert!(
            elsewhere.field_message("reading").is_some(),
            "{e}: {elsewhere:?}"
        );
        let future = time::date_to_db(
            chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").expect("today")
                + chrono::Duration::days(1),
        );
        let later = open_meter(&db, y, water, 100, &future)
            .await
            .expect_err("tomorrow");
        assert!(later.field_message("read_on").is_some(), "{e}: {later:?}");
        assert_eq!(
            one(
                &db,
                &format!("select count(*) from meter_opening where house_id = {y}")
            )
            .await,
            0,
            "{e}: nothing recorded for the refused ones"
        );
        // Recorded once, never changed.
        assert!(
            sqlx::query("update meter_opening set reading_centi = 0")
                .execute(&db.pool)
                .await
                .is_err(),
            "{e}"
        );
        assert!(
            sqlx::query("delete from meter_opening")
                .execute(&db.pool)
                .await
                .is_err(),
            "{e}"
        );

        // The grid counts from it; below it is refused as below any previous reading.
        let grid = billing::reading_grid(
            &db.pool,
            &EstateScope::All,
            estate,
            water,
            x_building,
            &this_month(),
        )
        .await
        .expect("grid");
        let row = grid
            .rows
            .iter()
            .find(|r| r.house_id == x)
            .expect("row")
            .clone();
        assert!(!row.no_opening && row.previous == "100.00", "{e}: {row:?}");
        let below = save(&db, water, &[entry(x, "99.99")])
            .await
            .expect_err("below");
        assert!(
            below
                .field_message("readings")
                .is_some_and(|m| m.contains("低于上次读数 100.00")),
            "{e}: {below:?}"
        );
        assert_eq!(
            save(&db, water, &[entry(x, "112.50")])
                .await
                .expect("reading"),
            1,
            "{e}"
        );
        assert_eq!(
            billing::last_reading(&db.pool, x, water)
                .await
                .expect("last"),
            Some(11_250)
        );

        // The run bills 12.50 units for it, and no metered line for Y.
        run::execute(
            &db,
            run::start(&db, &actor(), None, Lang::Zh, estate, &this_month())
                .await
                .expect("start"),
        )
        .await
        .expect("run");
        let month_lines = |house_id: i64| {
            let db = &db;
            async move {
                let mut conn = db.pool.acquire().await.expect("conn");
                ledger::house_lines(&mut conn, house_id)
                    .await
                    .expect("lines")
                    .into_iter()
                    .filter(|l| l.period == this_month())
                    .collect::<Vec<_>>()
            }
        };
        let x_lines = month_lines(x).await;
        let x_water = x_lines
            .iter()
            .find(|l| l.kind == FeeKind::Metered)
            .expect("X's water line");
        // 12.50 × 3.45 = 43.125 → 43.13 (half up at the fen).
        assert_eq!(x_water.amount_fen, 4_313, "{e}: {}", x_water.basis);
        let why = billing::explain(&x_water.basis, Lang::Zh);
        assert!(
            why.contains("100.00 → 112.50") && why.contains("12.50"),
            "{e}: {why}"
        );
        let y_lines = month_lines(y).await;
        assert!(
            y_lines.iter().any(|l| l.kind == FeeKind::Area),
            "{e}: Y is billed"
        );
        assert!(
            !y_lines.iter().any(|l| l.kind == FeeKind::Metered),
            "{e}: but for no water"
        );

        // X is off the list; Y is still on it.
        let overview = billing::overview(&db.pool, &EstateScope::All, estate, true, None)
            .await
            .expect("overview");
        assert_eq!(overview.missing_openings_total, expected - 1, "{e}");
        assert!(!listed(&overview, x) && listed(&overview, y), "{e}");
    }
}

/// The readings page records opening readings for the houses that have none.
#[tokio::test]
async fn the_readings_page_records_opening_readings() {
    let desk = desk().await;
    let db = &desk.state.db;
    let estate = ch(db).await;
    let water = one(db, "select id from fee_item where kind = 'metered'").await;
    let (x, x_number, building) = billable_house_without_opening(db, 0).await;
    let (y, y_number, _) = billable_house_without_opening(db, 1).await;
    let mut clerk = Browser::new(&desk);
    clerk.login("clerk", PASSWORD).await;
    let page = text(
        clerk
            .get(&format!(
                "/desk/readings?estate={estate}&item={water}&building={building}"
            ))
            .await,
    )
    .await;
    assert!(
        page.contains("无起始读数") && page.contains("记录起始读数") && page.contains(&x_number)
    );
    let today = time::desk_today();
    // One bad entry: nothing is recorded, the house is named.
    let r = clerk
        .call(
            "record_meter_openings",
            &format!("fee_item_id={water}&read_on={today}&houses[]={x}&openings[]=100.5&houses[]={y}&openings[]=abc"),
        )
        .await;
    assert_eq!(r.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains(&y_number));
    assert_eq!(
        one(
            db,
            "select count(*) from meter_opening where source = 'desk'"
        )
        .await,
        0
    );
    let r = clerk
        .call(
            "record_meter_openings",
            &format!("fee_item_id={water}&read_on={today}&houses[]={x}&openings[]=100.5&houses[]={y}&openings[]="),
        )
        .await;
    assert_eq!(r.status(), axum::http::StatusCode::OK);
    assert_eq!(text(r).await.trim(), "1");
    let (reading, read_on, source): (i64, String, String) = sqlx::query_as(
        "select reading_centi, read_on, source from meter_opening where house_id = $1 and fee_item_id = $2",
    )
    .bind(x)
    .bind(water)
    .fetch_one(&db.pool)
    .await
    .expect("recorded");
    assert_eq!(
        (reading, read_on.as_str(), source.as_str()),
        (10_050, today.as_str(), "desk")
    );
    assert_eq!(
        one(db, &format!("select count(*) from audit_log where action = 'record_opening' and entity_id = (select cast(id as text) from meter_opening where house_id = {x})")).await,
        1
    );
}

/// Steps 0012 and 0013 on a database that already holds readings and
/// payments: the openings are the first readings' previous figures, and each
/// payment names the owner of its day.
#[tokio::test]
async fn the_upgrade_backfills_openings_and_payers() {
    for t in TestDb::both().await {
        let e = t.engine;
        let before = tempfile::tempdir().expect("dir");
        let root = app::db::migrations_root();
        for engine in ["sqlite", "postgres"] {
            let dir = before.path().join(engine);
            std::fs::create_dir_all(&dir).expect("dir");
            for entry in std::fs::read_dir(root.join(engine)).expect("migrations") {
                let path = entry.expect("entry").path();
                let name = path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .to_string();
                if name.as_str() < "0012" {
                    std::fs::copy(&path, dir.join(&name)).expect("copy");
                }
            }
        }
        let db = Database::connect(&t.url).await.expect("connect");
        db.migrate(before.path()).await.expect("up to 0011");
        let id = |sql: String| {
            let db = &db;
            async move {
                let (id,): (i64,) = sqlx::query_as(&sql).fetch_one(&db.pool).await.expect(&sql);
                id
            }
        };
        let at = "2025-01-01T00:00:00.000000Z";
        let estate = id(format!("insert into estate (code, name, created_at) values ('OLD', '旧小区', '{at}') returning id")).await;
        let building = id(format!("insert into building (estate_id, code, name) values ({estate}, '1', '1 栋') returning id")).await;
        let new_house = |number: &str| {
            format!(
                "insert into house (estate_id, building_id, number, entrance, floor, area_centi, use_kind, status, created_at) \
                 values ({estate}, {building}, '{number}', 1, 1, 8937, 'residential', 'occupied', '{at}') returning id"
            )
        };
        let read = id(new_house("1-1-101")).await;
        let unread = id(new_house("1-1-102")).await;
        let resident = |name: &str, mobile: &str| {
            format!("insert into resident (estate_id, name, mobile, created_at) values ({estate}, '{name}', '{mobile}', '{at}') returning id")
        };
        let seller = id(resident("卖家甲", "13900000001")).await;
        let buyer = id(resident("买家乙", "13900000002")).await;
        let tenant = id(resident("租户丙", "13900000003")).await;
        for (who, role, from, to) in [
            (seller, "owner", "2025-01-01", "'2025-06-30'"),
            (buyer, "owner", "2025-06-30", "null"),
            (tenant, "tenant", "2024-01-01", "null"),
        ] {
            id(format!(
                "insert into occupancy (house_id, resident_id, role, start_date, end_date, created_at) \
                 values ({read}, {who}, '{role}', '{from}', {to}, '{at}') returning id"
            ))
            .await;
        }
        let clerk = id(format!(
            "insert into account (role, username, display_name, password_hash, created_at, updated_at) \
             values ('clerk', 'old.clerk', '老收费员', 'h', '{at}', '{at}') returning id"
        ))
        .await;
        let water = id(format!(
            "insert into fee_item (estate_id, name, kind, due_days, unit, created_at) \
             values ({estate}, '水费', 'metered', 15, '吨', '{at}') returning id"
        ))
        .await;
        for (period, previous, reading) in [("2025-02", 5_000, 6_000), ("2025-03", 6_000, 7_000)] {
            id(format!(
                "insert into meter_reading (estate_id, house_id, fee_item_id, period, previous_centi, reading_centi, entered_at) \
                 values ({estate}, {read}, {water}, '{period}', {previous}, {reading}, '{at}') returning id"
            ))
            .await;
        }
        let mut payments = Vec::new();
        for (n, day) in ["2024-12-01", "2025-03-01", "2025-06-30", "2025-08-01"]
            .into_iter()
            .enumerate()
        {
            payments.push(
                id(format!(
                    "insert into payment (estate_id, house_id, receipt_no, method, received_fen, lines_fen, prepaid_fen, \
                                          clerk_id, business_day, created_at, request_key) \
                     values ({estate}, {read}, 'OLD-{n}', 'cash', 100, 0, 100, {clerk}, '{day}', '{day}T02:00:00.000000Z', 'old-{n}') returning id"
                ))
                .await,
            );
        }

        db.migrate(&root)
            .await
            .unwrap_or_else(|err| panic!("{e}: 0012 and 0013: {err}"));

        let opening: (i64, String, String) = sqlx::query_as(
            "select reading_centi, read_on, source from meter_opening where house_id = $1 and fee_item_id = $2",
        )
        .bind(read)
        .bind(water)
        .fetch_one(&db.pool)
        .await
        .expect("the read house's opening");
        assert_eq!(
            opening,
            (5_000, "2025-02-01".to_string(), "import".to_string()),
            "{e}"
        );
        assert_eq!(
            one(
                &db,
                &format!("select count(*) from meter_opening where house_id = {unread}")
            )
            .await,
            0,
            "{e}: a house never read has no opening"
        );
        assert_eq!(
            billing::last_reading(&db.pool, read, water)
                .await
                .expect("last"),
            Some(7_000)
        );
        let payers: Vec<(Option<String>, Option<i64>)> = sqlx::query_as(
            "select payer_name, payer_resident_id from payment where house_id = $1 order by id",
        )
        .bind(read)
        .fetch_all(&db.pool)
        .await
        .expect("payers");
        assert_eq!(
            payers,
            vec![
                (None, None),
                (Some("卖家甲".to_string()), Some(seller)),
                (Some("卖家甲".to_string()), Some(seller)),
                (Some("买家乙".to_string()), Some(buyer)),
            ],
            "{e}: the owner of each payment's day (on the day of the sale, the seller)"
        );
        // A payment with no payer found prints the house alone.
        let receipt = billing::receipt(&db.pool, payments[0], Lang::Zh)
            .await
            .expect("receipt");
        assert_eq!(
            (receipt.payer, receipt.house_number.as_str()),
            (None, "1-1-101"),
            "{e}"
        );
        assert_eq!(
            receipt_payer(&db, payments[3]).await.as_deref(),
            Some("买家乙"),
            "{e}"
        );
        // Payments are append-only again.
        assert!(
            sqlx::query("update payment set payer_name = 'x'")
                .execute(&db.pool)
                .await
                .is_err(),
            "{e}: the trigger is back"
        );
        assert!(
            sqlx::query("delete from payment")
                .execute(&db.pool)
                .await
                .is_err(),
            "{e}"
        );
    }
}

/// The generator's payments name the payer the upgrade would have found: the
/// owner whose occupancy covered the payment's day.
#[tokio::test]
async fn generated_payments_name_the_owner_of_their_day() {
    let t = TestDb::sqlite().await;
    let db = t.open().await;
    server::tools::generate::generate(
        &db,
        &server::tools::generate::Options::profile("tiny").expect("profile"),
    )
    .await
    .expect("generate");
    let payments = one(&db, "select count(*) from payment").await;
    assert!(payments > 0);
    let named = one(
        &db,
        "select count(*) from payment where payer_name is not null",
    )
    .await;
    assert!(
        named * 2 > payments,
        "most payments name a payer: {named} of {payments}"
    );
    let differ = one(
        &db,
        "select count(*) from payment p where coalesce(p.payer_resident_id, 0) <> coalesce((\
           select o.resident_id from occupancy o \
           where o.house_id = p.house_id and o.role in ('owner', 'co_owner') \
             and o.start_date <= p.business_day and (o.end_date is null or o.end_date >= p.business_day) \
           order by case o.role when 'owner' then 0 else 1 end, o.start_date, o.id limit 1), 0) \
         or p.payer_name is not (select r.name from resident r where r.id = p.payer_resident_id)",
    )
    .await;
    assert_eq!(differ, 0, "each payer is the owner of the payment's day");
}
