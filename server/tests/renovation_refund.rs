//! The renovation deposit's refund on SQLite and PostgreSQL (issue 16, part
//! 3): deductions proposed on the visit they rest on and approved by a
//! manager who did not propose them, never more than the deposit; the
//! refund paid out in one write — the deductions become income lines
//! settled out of the deposit, the rest leaves as money out with its own
//! number — shown in the clerk's daily close; a refund done once; the
//! deposit's payment not reversed under a refund; a mistaken refund
//! reversed by a manager and done again onto the prepaid balance.

mod common;

use app::billing::db::documents;
use app::billing::ledger;
use app::common::Lang;
use app::db::time;
use app::renovation::db::{self as reno, act, refund};
use app::renovation::refund::DeductionState;
use app::renovation::{Action, State};
use common::keys::*;
use common::TestDb;

async fn day(c: &Counter) -> ledger::DayTotals {
    let mut conn = c.db.pool.acquire().await.expect("conn");
    ledger::day_totals(&mut conn, c.clerk.id, &time::desk_today(), None)
        .await
        .expect("day")
}

#[tokio::test]
async fn the_deposit_is_paid_back_less_approved_deductions_and_the_close_shows_money_out() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let engineer = staff(db, "maintenance", c.ch).await;
        // The demo's works visited clean and waiting for their acceptance.
        let id = one(
            db,
            "select id from renovation where state = 'acceptance' order by id limit 1",
        )
        .await;
        let house = one(
            db,
            &format!("select house_id from renovation where id = {id}"),
        )
        .await;
        let visit = one(
            db,
            &format!("select id from renovation_inspection where renovation_id = {id}"),
        )
        .await;
        let other_visit = one(
            db,
            &format!("select min(id) from renovation_inspection where renovation_id <> {id}"),
        )
        .await;
        let resident_id = one(
            db,
            &format!("select applicant_id from renovation where id = {id}"),
        )
        .await;
        let owner = resident(db, resident_id).await;
        let jx_clerk = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;

        // Who proposes: a reviewer or the desk; not the owner, not another estate.
        for (who, p) in [("owner", &owner), ("jx clerk", &jx_clerk)] {
            let r = refund::propose(db, &p.actor, &p.caller, id, "修补", "10", None).await;
            assert!(r.is_err(), "{e} {who}: {r:?}");
        }
        act::act(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            Action::PassAcceptance,
            None,
            "",
        )
        .await
        .expect("accepted");
        let wall = refund::propose(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            "楼道墙面修补",
            "350.50",
            Some(visit),
        )
        .await
        .expect("proposed");
        // Never more than the deposit; only this application's visits.
        let over = refund::propose(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            "全部",
            "2700",
            None,
        )
        .await;
        assert!(
            field_error(&over, "amount").contains("2,649.50"),
            "{e}: {over:?}"
        );
        let elsewhere = refund::propose(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            "修补",
            "10",
            Some(other_visit),
        )
        .await;
        assert!(field_error(&elsewhere, "visit_id").contains("巡查"), "{e}");
        // A manager proposes, a second manager decides: nobody approves their own.
        let rubbish = refund::propose(
            db,
            &c.manager.actor,
            &c.manager.caller,
            id,
            "垃圾超量清运",
            "100",
            None,
        )
        .await
        .expect("proposed by the manager");
        let own = refund::decide(db, &c.manager.actor, &c.manager.caller, rubbish, true).await;
        assert!(rule(&own).contains("提出人以外"), "{e}");
        let second = new_staff(db, "manager2", "钱经理", "manager", c.ch).await;
        refund::decide(db, &second.actor, &second.caller, rubbish, true)
            .await
            .expect("approved");
        let clerk_decides = refund::decide(db, &c.clerk.actor, &c.clerk.caller, wall, true).await;
        forbidden(&clerk_decides, "a clerk decides no deduction");
        refund::decide(db, &c.manager.actor, &c.manager.caller, wall, true)
            .await
            .expect("approved");
        let twice = refund::decide(db, &second.actor, &second.caller, wall, false).await;
        assert!(
            matches!(twice, Err(app::error::AppError::Conflict(_))),
            "{e}"
        );
        // A deduction still waiting holds the refund back.
        let late = refund::propose(
            db,
            &engineer.actor,
            &engineer.caller,
            id,
            "门禁卡遗失",
            "50",
            None,
        )
        .await
        .expect("proposed");
        let waits = refund::refund(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            "cash",
            "",
            254_950,
            "rf-1",
        )
        .await;
        assert!(rule(&waits).contains("待经理审批"), "{e}");
        refund::decide(db, &c.manager.actor, &c.manager.caller, late, false)
            .await
            .expect("rejected");

        let page = reno::page(&db.pool, &c.clerk.caller, id)
            .await
            .expect("page");
        let d = page.deposit.clone().expect("the deposit");
        assert_eq!(
            (d.deposit_fen, d.deducted_fen, d.refund_fen),
            (300_000, 45_050, 254_950),
            "{e}"
        );
        let states: Vec<DeductionState> = d.deductions.iter().map(|x| x.state).collect();
        assert_eq!(
            states,
            [
                DeductionState::Approved,
                DeductionState::Approved,
                DeductionState::Rejected
            ],
            "{e}"
        );
        assert!(
            d.deductions[0].basis.contains(':'),
            "{e}: the visit it rests on"
        );
        assert!(d.can_refund, "{e}");

        // Paid back: one entry, its own number; the deductions income lines settled out of the deposit.
        let before = day(&c).await;
        let lines_before = one(db, "select count(*) from bill_line").await;
        // The clerk's page said the whole deposit: a deduction decided since is not paid past them.
        let stale = refund::refund(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            "cash",
            "",
            300_000,
            "rf-1",
        )
        .await;
        assert!(
            matches!(&stale, Err(app::error::AppError::Conflict(m)) if m.contains("2,549.50")),
            "{e}: {stale:?}"
        );
        let no = refund::refund(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            "cash",
            "",
            254_950,
            "rf-1",
        )
        .await
        .expect("refunded");
        assert!(no.starts_with("TKCH"), "{e}: {no}");
        assert_eq!(
            text_of(db, &format!("select state from renovation where id = {id}")).await,
            "closed",
            "{e}"
        );
        assert_eq!(
            one(db, "select count(*) from bill_line").await,
            lines_before + 2,
            "{e}"
        );
        let after = day(&c).await;
        assert_eq!(after.refunds_count - before.refunds_count, 1, "{e}");
        assert_eq!(
            after.refunded_fen - before.refunded_fen,
            254_950,
            "{e}: money out"
        );
        assert_eq!(
            after.deducted_fen - before.deducted_fen,
            45_050,
            "{e}: kept as income"
        );
        assert_eq!(after.received_fen, before.received_fen, "{e}: no money in");
        let account = app::billing::db::house_account(&db.pool, house, Lang::Zh, None)
            .await
            .expect("account");
        assert_eq!(account.held_fen, 0, "{e}: nothing held once paid back");
        assert_eq!(account.unpaid_fen, 0, "{e}: the deductions are settled");
        // The deposit's receipt is as it was: three lines, not the deductions.
        let payment = one(
            db,
            &format!("select payment_id from renovation where id = {id}"),
        )
        .await;
        let receipt = documents::receipt(&db.pool, payment, Lang::Zh)
            .await
            .expect("receipt");
        assert_eq!(receipt.items.len(), 3, "{e}");
        // Once: a second refund is refused and writes nothing.
        let again = refund::refund(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            "cash",
            "",
            254_950,
            "rf-2",
        )
        .await;
        assert!(again.is_err(), "{e}");
        // The same form sent again answers with the refund it made, and makes none.
        let replay = refund::refund(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            "cash",
            "",
            254_950,
            "rf-1",
        )
        .await;
        assert_eq!(replay.as_deref().ok(), Some(no.as_str()), "{e}: {replay:?}");
        // The account names the refund that kept each deduction, not the deposit's receipt.
        let kept: Vec<_> = account
            .settled
            .iter()
            .filter(|l| l.refund.is_some())
            .map(|l| l.refund.clone().map(|r| r.1))
            .collect();
        assert_eq!(kept, [Some(no.clone()), Some(no.clone())], "{e}");
        assert_eq!(
            one(db, "select count(*) from fee_item where purpose = 'renovation_deduction'").await,
            1,
            "{e}: the deductions' item is known by its purpose"
        );

        assert_eq!(
            one(
                db,
                &format!("select count(*) from deposit_refund where renovation_id = {id}")
            )
            .await,
            1,
            "{e}"
        );
        // The deposit's payment is not reversed while its refund stands.
        let reversal = ledger::reverse_payment(
            db,
            &c.manager.actor,
            c.manager.id,
            Lang::Zh,
            payment,
            "收错了",
            |_| Ok(()),
        )
        .await;
        assert!(rule(&reversal).contains("冲红退款"), "{e}: {reversal:?}");
        // The slip lists each deduction and the rest.
        let refund_id = one(
            db,
            &format!("select id from deposit_refund where renovation_id = {id}"),
        )
        .await;
        let slip = app::renovation::db::deposit::slip(&db.pool, &c.clerk.caller, refund_id)
            .await
            .expect("slip");
        assert_eq!(slip.deductions.len(), 2, "{e}");
        assert_eq!(
            (
                slip.refund.deposit_fen,
                slip.refund.deducted_fen,
                slip.refund.refunded_fen
            ),
            (300_000, 45_050, 254_950),
            "{e}"
        );
        forbidden(
            &app::renovation::db::deposit::slip(&db.pool, &engineer.caller, refund_id).await,
            "the slip is the desk's",
        );

        // A mistaken refund: reversed by a manager (not the clerk who paid it), done again onto the prepaid balance.
        let own = refund::reverse_refund(db, &c.clerk.actor, &c.clerk.caller, id, "方式错了").await;
        assert!(own.is_err(), "{e}");
        refund::reverse_refund(db, &c.manager.actor, &c.manager.caller, id, "应退入预存款")
            .await
            .expect("reversed");
        assert_eq!(
            text_of(db, &format!("select state from renovation where id = {id}")).await,
            "refund",
            "{e}"
        );
        let account = app::billing::db::house_account(&db.pool, house, Lang::Zh, None)
            .await
            .expect("account");
        assert_eq!(
            account.held_fen, 254_950,
            "{e}: held again, less what was kept"
        );
        assert_eq!(
            day(&c).await.refund_reversed_fen - before.refund_reversed_fen,
            254_950,
            "{e}"
        );
        let balance = ledger::prepaid_balance(&db.pool, house)
            .await
            .expect("balance");
        refund::refund(
            db,
            &c.clerk.actor,
            &c.clerk.caller,
            id,
            "prepaid",
            "",
            254_950,
            "rf-3",
        )
        .await
        .expect("refunded again");
        assert_eq!(
            one(db, "select count(*) from bill_line").await,
            lines_before + 2,
            "{e}: the deductions raised once"
        );
        assert_eq!(
            ledger::prepaid_balance(&db.pool, house)
                .await
                .expect("balance")
                - balance,
            254_950,
            "{e}"
        );
        let account = app::billing::db::house_account(&db.pool, house, Lang::Zh, None)
            .await
            .expect("account");
        assert_eq!(account.held_fen, 0, "{e}");
        let page = reno::page(&db.pool, &owner.caller, id)
            .await
            .expect("the owner's statement");
        let d = page.deposit.expect("deposit");
        assert_eq!(d.refunds.len(), 2, "{e}");
        assert!(d.refunds[0].reversed && !d.refunds[1].reversed, "{e}");
        assert_eq!(d.deductions[0].proposed_by, "物业服务中心", "{e}");
        assert_eq!(page.state, State::Closed, "{e}");
        let logged = one(
            db,
            &format!(
                "select count(*) from audit_log where entity_id = '{id}' \
                 and action in ('renovation_deduction', 'renovation_refund', 'renovation_refund_reversed')"
            ),
        )
        .await;
        assert_eq!(
            logged,
            3 + 3 + 2 + 1,
            "{e}: three proposed, three decided, two refunds, one reversal"
        );
    }
}
