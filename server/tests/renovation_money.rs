//! Renovation's money on SQLite and PostgreSQL (issue 16, part 2): an approved
//! application's fees and deposit raised and paid on one receipt — exactly
//! what is due, once — the deposit shown as held on the house's account and
//! in the clerk's daily close; the permit refused while the house owes
//! anything else, issued once it is settled; and a deposit line that billing
//! never lets the prepaid balance spend, never runs a late fee on and never
//! counts as arrears.

mod common;

use app::billing::ledger::{self, Payer, PaymentRequest};
use app::billing::{charge, db as billing};
use app::common::{Fen, HouseId, Lang};
use app::db::time;
use app::error::AppError;
use app::renovation::db::{self as reno, money};
use app::renovation::State;
use common::keys::*;
use common::TestDb;

async fn item(c: &Counter, name: &str) -> i64 {
    one(
        &c.db,
        &format!(
            "select id from fee_item where estate_id = {} and name = '{name}'",
            c.ch
        ),
    )
    .await
}

#[tokio::test]
async fn fees_and_deposit_are_paid_on_one_receipt_and_the_permit_waits_for_arrears() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        let id = one(
            db,
            "select id from renovation where state = 'payment' order by id limit 1",
        )
        .await;
        let house = one(
            db,
            &format!("select house_id from renovation where id = {id}"),
        )
        .await;
        let page = reno::page(&db.pool, &clerk.caller, id).await.expect("page");
        let fees = page.fees.clone().expect("fees");
        let names: Vec<(&str, i64, bool)> = fees
            .lines
            .iter()
            .map(|l| (l.name.as_str(), l.amount_fen, l.held))
            .collect();
        assert_eq!(
            names,
            vec![
                ("装修管理费", 50000, false),
                ("装修垃圾清运费", 30000, false),
                ("装修押金", 300000, true)
            ],
            "{e}"
        );
        assert_eq!(fees.total_fen, 380000, "{e}");
        assert!(fees.can_pay && !fees.can_issue, "{e}");

        // Not paid yet: no permit. Another estate's clerk takes nothing.
        assert!(
            rule(&money::issue_permit(db, &clerk.actor, &clerk.caller, id).await)
                .contains("先收取"),
            "{e}"
        );
        let jx_clerk = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;
        forbidden(
            &money::pay(
                db,
                &jx_clerk.actor,
                &jx_clerk.caller,
                id,
                "cash",
                "3800.00",
                "jx-1",
            )
            .await,
            "another estate's clerk",
        );
        // Exactly what is due, or nothing is written.
        let lines_before = one(db, "select count(*) from bill_line").await;
        let short = money::pay(
            db,
            &clerk.actor,
            &clerk.caller,
            id,
            "cash",
            "3000.00",
            "reno-1",
        )
        .await;
        assert!(field_error(&short, "received").contains("3,800.00"), "{e}");
        assert_eq!(
            one(db, "select count(*) from bill_line").await,
            lines_before,
            "{e}"
        );

        let day0 = {
            let mut conn = db.pool.acquire().await.expect("conn");
            ledger::day_totals(&mut conn, clerk.id, &time::desk_today(), None)
                .await
                .expect("day")
        };
        // One payment, one receipt, for the three lines.
        let receipt = money::pay(
            db,
            &clerk.actor,
            &clerk.caller,
            id,
            "wechat",
            "3800.00",
            "reno-1",
        )
        .await
        .expect("pay");
        assert_eq!(
            one(db, "select count(*) from bill_line").await,
            lines_before + 3,
            "{e}"
        );
        assert_eq!(
            one(
                db,
                &format!("select count(*) from renovation_line where renovation_id = {id}")
            )
            .await,
            3,
            "{e}"
        );
        let (lines_fen, prepaid_fen): (i64, i64) =
            sqlx::query_as("select lines_fen, prepaid_fen from payment where receipt_no = $1")
                .bind(&receipt)
                .fetch_one(&db.pool)
                .await
                .expect("payment");
        assert_eq!((lines_fen, prepaid_fen), (380000, 0), "{e}");
        let twice = money::pay(
            db,
            &clerk.actor,
            &clerk.caller,
            id,
            "wechat",
            "3800.00",
            "reno-2",
        )
        .await;
        assert!(
            matches!(twice, Err(AppError::Conflict(_))),
            "{e}: {twice:?}"
        );
        // Paid, the applicant cannot withdraw it (the refund comes first).
        let applicant = one(
            db,
            &format!("select applicant_id from renovation where id = {id}"),
        )
        .await;
        let owner = resident(db, applicant).await;
        let withdraw = app::renovation::db::act::act(
            db,
            &owner.actor,
            &owner.caller,
            id,
            app::renovation::Action::Withdraw,
            None,
            "不装了",
        )
        .await;
        assert!(rule(&withdraw).contains("冲红"), "{e}");
        // A reversed payment is taken again for the same lines (no new ones raised).
        let payment = one(
            db,
            &format!("select payment_id from renovation where id = {id}"),
        )
        .await;
        ledger::reverse_payment(
            db,
            &c.manager.actor,
            c.manager.id,
            zh,
            payment,
            "收款方式录错",
            |_| Ok(()),
        )
        .await
        .expect("reverse");
        let page = reno::page(&db.pool, &clerk.caller, id).await.expect("page");
        let fees = page.fees.expect("fees");
        assert!(
            fees.can_pay && !fees.can_issue && fees.receipt_no.is_none(),
            "{e}"
        );
        assert!(
            rule(&money::issue_permit(db, &clerk.actor, &clerk.caller, id).await)
                .contains("先收取"),
            "{e}"
        );
        let again = money::pay(
            db,
            &clerk.actor,
            &clerk.caller,
            id,
            "cash",
            "3800.00",
            "reno-3",
        )
        .await
        .expect("paid again");
        assert_ne!(again, receipt, "{e}");
        assert_eq!(
            one(db, "select count(*) from bill_line").await,
            lines_before + 3,
            "{e}"
        );
        // The deposit is held: on the house's account, and apart in the daily close.
        let account = billing::house_account(&db.pool, house, zh, None)
            .await
            .expect("account");
        assert_eq!(account.held_fen, 300000, "{e}");
        let mut conn = db.pool.acquire().await.expect("conn");
        let day = ledger::day_totals(&mut conn, clerk.id, &time::desk_today(), None)
            .await
            .expect("day");
        // Taken twice, the first reversed: 7,600.00 received, 3,000.00 deposits held.
        assert_eq!(
            (
                day.received_fen - day0.received_fen,
                day.held_fen - day0.held_fen
            ),
            (760000, 300000),
            "{e}"
        );
        drop(conn);

        // The permit waits while the house owes anything else.
        // The demo's houses owe last month's bill (this one too).
        let owed = money::arrears(&db.pool, house).await.expect("arrears");
        assert!(owed > 0, "{e}");
        let refused = money::issue_permit(db, &clerk.actor, &clerk.caller, id).await;
        assert!(rule(&refused).contains("欠费"), "{e}: {refused:?}");
        let page = reno::page(&db.pool, &clerk.caller, id).await.expect("page");
        assert_eq!(page.fees.expect("fees").arrears_fen, owed, "{e}");
        // Settled at the counter, the permit is issued.
        let mut conn = db.pool.acquire().await.expect("conn");
        let unpaid: Vec<i64> = ledger::house_lines(&mut conn, house)
            .await
            .expect("lines")
            .iter()
            .filter(|l| l.outstanding() > 0)
            .map(|l| l.id)
            .collect();
        drop(conn);
        let account = billing::house_account(&db.pool, house, zh, None)
            .await
            .expect("account");
        let due = account.unpaid_fen + account.late_fen;
        ledger::take_payment(
            db,
            &clerk.actor,
            clerk.id,
            zh,
            &PaymentRequest {
                house_id: house,
                line_ids: unpaid,
                method: "cash".into(),
                received: app::billing::fen_plain(due),
                request_key: "arrears-1".into(),
            },
            &Payer::named("业主"),
        )
        .await
        .expect("arrears paid");
        let permit = money::issue_permit(db, &clerk.actor, &clerk.caller, id)
            .await
            .expect("permit");
        assert!(permit.starts_with("XK20"), "{e}: {permit}");
        let page = reno::page(&db.pool, &clerk.caller, id).await.expect("page");
        assert_eq!(
            (page.state, page.permit_no.as_str()),
            (State::Works, permit.as_str()),
            "{e}"
        );
        assert_eq!(
            page.timeline.last().map(|t| t.to),
            Some(State::Works),
            "{e}"
        );
        assert!(matches!(
            money::issue_permit(db, &clerk.actor, &clerk.caller, id).await,
            Err(AppError::Conflict(_))
        ));
        // The printed permit and passes; the gate's check of its QR code.
        let sheet = app::renovation::db::permit::sheet(&db.pool, &clerk.caller, id)
            .await
            .expect("sheet");
        assert_eq!(sheet.permit_no, permit, "{e}");
        assert_eq!(sheet.workers.len(), 2, "{e}");
        assert!(!sheet.workers[0].id_masked.contains("19900307"), "{e}");
        let token = sheet
            .check_path
            .rsplit('/')
            .next()
            .expect("token")
            .to_string();
        assert_eq!(token.len(), 32, "{e}");
        let guard = staff(db, "security", c.ch).await;
        let checked = app::renovation::db::permit::check(&db.pool, &guard.caller, &token)
            .await
            .expect("check")
            .expect("known");
        // The demo's works start in a few days: the gate is told "not yet".
        assert_eq!(
            checked.verdict,
            app::renovation::PermitVerdict::NotYet,
            "{e}"
        );
        assert!(app::renovation::db::permit::check(
            &db.pool,
            &guard.caller,
            "0123456789abcdef0123456789abcdef"
        )
        .await
        .expect("check")
        .is_none());
        forbidden(
            &app::renovation::db::permit::check(&db.pool, &jx_clerk.caller, &token).await,
            "another estate's clerk checking",
        );
        forbidden(
            &app::renovation::db::permit::sheet(&db.pool, &guard.caller, id).await,
            "security printing a permit",
        );
    }
}

#[tokio::test]
async fn a_deposit_is_never_spent_by_the_prepaid_balance_never_late_and_never_arrears() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let (db, clerk, zh) = (&c.db, &c.clerk, Lang::Zh);
        billing::fees::set_late_policy(db, &c.manager.actor, zh, c.ch, "0.0005", "0", "2020-01-01")
            .await
            .expect("late policy");
        let house = c.house("2-1-201").await;
        let deposit = item(&c, "装修押金").await;
        let fix = item(&c, "维修费").await;
        let owed0 = billing::house_account(&db.pool, house, zh, None)
            .await
            .expect("account")
            .unpaid_fen;
        let held = charge::raise_one_off(
            db,
            &clerk.actor,
            zh,
            HouseId(house),
            deposit,
            Fen(200000),
            "test:deposit",
            "钥匙押金",
        )
        .await
        .expect("deposit line");
        let plain = charge::raise_one_off(
            db,
            &clerk.actor,
            zh,
            HouseId(house),
            fix,
            Fen(100),
            "test:fix",
            "小修",
        )
        .await
        .expect("plain line");
        // Raised together, only the 1.00 line is owed.
        let owed1 = billing::house_account(&db.pool, house, zh, None)
            .await
            .expect("account")
            .unpaid_fen;
        assert_eq!(
            owed1,
            owed0 + 100,
            "{e}: the deposit counted in the amount owed"
        );
        // A year on, both are long overdue.
        let later = chrono::NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d")
            .expect("today")
            + chrono::Duration::days(400);
        // Overdue, the deposit runs no late fee and is in no arrears; the other line is and does.
        let mut conn = db.pool.acquire().await.expect("conn");
        let lines = ledger::house_lines(&mut conn, house).await.expect("lines");
        let policies = ledger::late_policies(&mut *conn, c.ch)
            .await
            .expect("policies");
        drop(conn);
        let of = |id: i64| lines.iter().find(|l| l.id == id).expect("line");
        assert_eq!(
            ledger::line_late_fee(of(held), &policies, later).fen,
            0,
            "{e}"
        );
        assert!(
            ledger::line_late_fee(of(plain), &policies, later).fen > 0,
            "{e}"
        );
        let then = time::date_to_db(later);
        let owed = ledger::arrears_by_house(&db.pool, &[house], &then)
            .await
            .expect("arrears");
        let without: i64 = lines
            .iter()
            .filter(|l| l.held == 0 && l.due_date < then)
            .map(|l| l.outstanding())
            .sum();
        assert!(
            of(held).outstanding() > 0 && of(held).due_date < then,
            "{e}"
        );
        assert_eq!(
            owed.get(&house).copied().unwrap_or(0),
            without,
            "{e}: arrears are every overdue line but the deposit"
        );
        // A surplus on the prepaid balance settles the plain line and leaves the deposit owed.
        ledger::take_payment(
            db,
            &clerk.actor,
            clerk.id,
            zh,
            &PaymentRequest {
                house_id: house,
                line_ids: vec![plain],
                method: "cash".into(),
                received: "5000.00".into(),
                request_key: "surplus-1".into(),
            },
            &Payer::named("业主"),
        )
        .await
        .expect("payment with a surplus");
        let mut w = db.write(clerk.actor.clone()).await.expect("write");
        ledger::settle_from_prepaid(&mut w, house, c.ch)
            .await
            .expect("settle");
        w.commit().await.expect("commit");
        let mut conn = db.pool.acquire().await.expect("conn");
        let lines = ledger::house_lines(&mut conn, house).await.expect("lines");
        let deposit_line = lines.iter().find(|l| l.id == held).expect("deposit");
        assert_eq!(
            deposit_line.outstanding(),
            200000,
            "{e}: the prepaid balance paid a deposit"
        );
        drop(conn);
        // The account lists it, marked as a deposit.
        let account = billing::house_account(&db.pool, house, zh, None)
            .await
            .expect("account");
        let shown = account.unpaid.iter().find(|l| l.id == held).expect("shown");
        assert!(shown.held, "{e}");
        // …and leaves it out of what the house owes: raised with a 1.00 line,
        // only the 1.00 was ever owed (the balance has settled it since).
        let after = billing::house_account(&db.pool, house, zh, None)
            .await
            .expect("account")
            .unpaid_fen;
        assert!(
            after <= owed0 + 100,
            "{e}: the deposit counted in the amount owed"
        );
    }
}
