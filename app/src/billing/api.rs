//! Billing's server functions. Each is one [`guarded`] call: the permission
//! first, then the record's estate is checked against the caller's (or, in
//! the portal, the house against the caller's residences) before anything is
//! read or written. The work is `db`'s, `ledger`'s and `run`'s.

use leptos::prelude::*;

use super::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::common::{Caller, Fen, HouseId, Permission};
#[cfg(feature = "ssr")]
use crate::guard::guarded;

#[server(endpoint = "get_fee_setup")]
pub async fn get_fee_setup(estate_id: i64) -> Result<FeeSetup, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let can_manage = call.may(Permission::ManageFees);
        Ok(db::fee_setup(call.pool(), &call.caller.scope, estate_id, can_manage).await?)
    })
    .await
}

#[server(endpoint = "create_fee_item")]
pub async fn create_fee_item(
    estate_id: i64,
    name: String,
    kind: String,
    due_days: String,
    unit: String,
) -> Result<i64, AppError> {
    guarded(Permission::ManageFees, move |call| async move {
        call.caller.check_estate(estate_id)?;
        db::create_fee_item(
            call.db(),
            &call.actor(),
            call.lang(),
            estate_id,
            &name,
            &kind,
            &due_days,
            &unit,
        )
        .await
    })
    .await
}

#[server(endpoint = "add_fee_rate")]
pub async fn add_fee_rate(
    fee_item_id: i64,
    use_kind: String,
    rate: String,
    effective_from: String,
    effective_to: String,
) -> Result<(), AppError> {
    guarded(Permission::ManageFees, move |call| async move {
        db::add_rate(
            call.db(),
            &call.actor(),
            call.lang(),
            fee_item_id,
            &use_kind,
            &rate,
            &effective_from,
            &effective_to,
            |estate| call.caller.check_estate(estate),
        )
        .await
    })
    .await
}

#[server(endpoint = "set_late_fee_policy")]
pub async fn set_late_fee_policy(
    estate_id: i64,
    daily_rate: String,
    grace_days: String,
    effective_from: String,
) -> Result<(), AppError> {
    guarded(Permission::ManageFees, move |call| async move {
        call.caller.check_estate(estate_id)?;
        db::set_late_policy(
            call.db(),
            &call.actor(),
            call.lang(),
            estate_id,
            &daily_rate,
            &grace_days,
            &effective_from,
        )
        .await
    })
    .await
}

#[server(endpoint = "get_billing")]
pub async fn get_billing(estate_id: i64) -> Result<BillingOverview, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(db::overview(
            call.pool(),
            &call.caller.scope,
            estate_id,
            call.may(Permission::RunBilling),
            approver(&call.caller),
        )
        .await?)
    })
    .await
}

/// Starts a bill run; it works in the background and the page follows its progress.
#[server(endpoint = "start_bill_run")]
pub async fn start_bill_run(estate_id: i64, period: String) -> Result<i64, AppError> {
    guarded(Permission::RunBilling, move |call| async move {
        call.caller.check_estate(estate_id)?;
        let id = run::start(
            call.db(),
            &call.actor(),
            Some(call.caller.account_id),
            call.lang(),
            estate_id,
            &period,
        )
        .await?;
        let db = call.db().clone();
        tokio::spawn(async move {
            if let Err(e) = run::execute(&db, id).await {
                tracing::error!(run = id, error = %e, "bill run failed");
            }
        });
        Ok(id)
    })
    .await
}

#[server(endpoint = "get_bill_run")]
pub async fn get_bill_run(id: i64) -> Result<BillRunView, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let (estate_id, run) = db::run_view(call.pool(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(estate_id)?;
        Ok(run)
    })
    .await
}

#[server(endpoint = "get_house_account")]
pub async fn get_house_account(house_id: i64) -> Result<HouseAccount, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let account =
            db::house_account(call.pool(), house_id, call.lang(), approver(&call.caller)).await?;
        call.caller.check_estate(account.estate_id)?;
        Ok(account)
    })
    .await
}

/// What a payment at the counter answers: the receipt to print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PaymentResult {
    pub payment_id: i64,
    pub receipt_no: String,
}

/// Takes a payment at the counter. `payer`: the id of one of the house's
/// occupants, or anything else (the form's "someone else") for the name
/// typed in `payer_name`.
#[server(endpoint = "take_payment")]
pub async fn take_payment(
    house_id: i64,
    lines: Option<Vec<i64>>,
    method: String,
    received: String,
    request_key: String,
    payer: Option<String>,
    payer_name: Option<String>,
) -> Result<PaymentResult, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        check_house(call.pool(), &call.caller, house_id).await?;
        let request = ledger::PaymentRequest {
            house_id,
            line_ids: lines.unwrap_or_default(),
            method,
            received,
            request_key,
        };
        let payer = match payer.and_then(|p| p.trim().parse::<i64>().ok()) {
            Some(resident_id) if resident_id > 0 => ledger::Payer::resident(resident_id),
            _ => ledger::Payer::named(payer_name.unwrap_or_default()),
        };
        let taken = ledger::take_payment(
            call.db(),
            &call.actor(),
            call.caller.account_id,
            call.lang(),
            &request,
            &payer,
        )
        .await?;
        Ok(PaymentResult {
            payment_id: taken.payment_id,
            receipt_no: taken.receipt_no,
        })
    })
    .await
}

#[server(endpoint = "reverse_payment")]
pub async fn reverse_payment(payment_id: i64, reason: String) -> Result<(), AppError> {
    guarded(Permission::ApproveMoney, move |call| async move {
        ledger::reverse_payment(
            call.db(),
            &call.actor(),
            call.caller.account_id,
            call.lang(),
            payment_id,
            &reason,
            |estate| call.caller.check_estate(estate),
        )
        .await
    })
    .await
}

/// Asks for a waiver; a manager decides it, never the one who asked.
#[server(endpoint = "request_waiver")]
pub async fn request_waiver(
    line_id: i64,
    target: String,
    amount: String,
    reason: String,
) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        ledger::request_waiver(
            call.db(),
            &call.actor(),
            call.caller.account_id,
            call.lang(),
            line_id,
            &target,
            &amount,
            &reason,
            |estate| call.caller.check_estate(estate),
        )
        .await
    })
    .await
}

#[server(endpoint = "decide_waiver")]
pub async fn decide_waiver(waiver_id: i64, decision: String) -> Result<(), AppError> {
    guarded(Permission::ApproveMoney, move |call| async move {
        ledger::decide_waiver(
            call.db(),
            &call.actor(),
            call.caller.account_id,
            call.lang(),
            waiver_id,
            decision == "approve",
            |estate| call.caller.check_estate(estate),
        )
        .await
    })
    .await
}

/// A one-off charge (deposit, paid repair, other) on a house, from the desk.
#[server(endpoint = "raise_charge")]
pub async fn raise_charge(
    house_id: i64,
    fee_item_id: i64,
    amount: String,
    note: String,
    request_key: String,
) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        check_house(call.pool(), &call.caller, house_id).await?;
        let amount = money::parse_yuan(&amount)
            .map_err(|e| AppError::field("amount", ledger::amount_message(call.lang(), e)))?;
        // The form's one-time key makes the charge once however often it is posted.
        let key = format!("desk:{}", request_key.chars().take(40).collect::<String>());
        run::raise_one_off(
            call.db(),
            &call.actor(),
            call.lang(),
            HouseId(house_id),
            fee_item_id,
            Fen(amount),
            &key,
            &note,
        )
        .await
    })
    .await
}

/// A receipt for the desk, as it stands: `copy` counts the prints so far.
/// Opening or refreshing the page never counts as a print; `print_receipt` does.
#[server(endpoint = "get_receipt")]
pub async fn get_receipt(payment_id: i64) -> Result<ReceiptView, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        check_payment(call.pool(), &call.caller, payment_id).await?;
        db::receipt(call.pool(), payment_id, call.lang()).await
    })
    .await
}

/// Records that the clerk is printing the receipt now (the print button posts
/// this before the browser's print dialog). Answers which copy this print is:
/// 0 for the original, more for a reprint (补打).
#[server(endpoint = "print_receipt")]
pub async fn print_receipt(payment_id: i64) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        check_payment(call.pool(), &call.caller, payment_id).await?;
        Ok(db::record_print(call.db(), &call.actor(), payment_id).await?)
    })
    .await
}

#[server(endpoint = "get_daily_close")]
pub async fn get_daily_close() -> Result<DailyClosePage, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let managers_view = call
            .may(Permission::ApproveMoney)
            .then_some(&call.caller.scope);
        db::daily_close_page(
            call.pool(),
            call.caller.account_id,
            &call.caller.display_name,
            managers_view,
        )
        .await
    })
    .await
}

#[server(endpoint = "close_my_day")]
pub async fn close_my_day() -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let day = crate::db::time::desk_today();
        ledger::close_day(
            call.db(),
            &call.actor(),
            call.caller.account_id,
            call.lang(),
            &day,
        )
        .await
        .map(|_| ())
    })
    .await
}

/// Payment notices: one house's, or every owing house of a building.
#[server(endpoint = "get_notices")]
pub async fn get_notices(house_id: i64, building_id: i64) -> Result<Vec<NoticeView>, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        if house_id > 0 {
            check_house(call.pool(), &call.caller, house_id).await?;
            return Ok(vec![db::notice(call.pool(), house_id, call.lang()).await?]);
        }
        db::building_notices(call.pool(), building_id, call.lang(), |estate| {
            call.caller.check_estate(estate)
        })
        .await
    })
    .await
}

#[server(endpoint = "get_reading_grid")]
pub async fn get_reading_grid(
    estate_id: i64,
    fee_item_id: i64,
    building_id: i64,
    period: String,
) -> Result<ReadingGrid, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        Ok(db::reading_grid(
            call.pool(),
            &call.caller.scope,
            estate_id,
            fee_item_id,
            building_id,
            &period,
        )
        .await?)
    })
    .await
}

/// A readings file's import report.
#[server(endpoint = "get_reading_import")]
pub async fn get_reading_import(id: i64) -> Result<ReadingImport, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let (estate_id, report) = db::reading_import(call.pool(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        call.caller.check_estate(estate_id)?;
        Ok(report)
    })
    .await
}

/// Saves the typed readings of a building's grid, all or nothing. The grid
/// posts its columns as parallel lists, one entry per house.
#[server(endpoint = "save_meter_readings")]
pub async fn save_meter_readings(
    fee_item_id: i64,
    period: String,
    houses: Option<Vec<i64>>,
    readings: Option<Vec<String>>,
    old_finals: Option<Vec<String>>,
    new_starts: Option<Vec<String>>,
) -> Result<usize, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let column = |c: &Option<Vec<String>>, i: usize| {
            c.as_ref()
                .and_then(|c| c.get(i).cloned())
                .unwrap_or_default()
        };
        let entries: Vec<db::ReadingEntry> = houses
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, house_id)| db::ReadingEntry {
                house_id,
                reading: column(&readings, i),
                old_final: column(&old_finals, i),
                new_start: column(&new_starts, i),
            })
            .collect();
        db::save_readings(
            call.db(),
            &call.actor(),
            call.lang(),
            fee_item_id,
            &period,
            &entries,
            Some(call.caller.account_id),
            |estate| call.caller.check_estate(estate),
        )
        .await
    })
    .await
}

/// Records the opening readings typed on the readings page for houses that
/// have none, all read on `read_on`, all or nothing. The form posts its
/// columns as parallel lists, one entry per house.
#[server(endpoint = "record_meter_openings")]
pub async fn record_meter_openings(
    fee_item_id: i64,
    read_on: String,
    houses: Option<Vec<i64>>,
    openings: Option<Vec<String>>,
) -> Result<usize, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let openings = openings.unwrap_or_default();
        let entries: Vec<db::OpeningEntry> = houses
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, house_id)| db::OpeningEntry {
                house_id,
                reading: openings.get(i).cloned().unwrap_or_default(),
            })
            .collect();
        db::save_openings(
            call.db(),
            &call.actor(),
            call.lang(),
            fee_item_id,
            &read_on,
            &entries,
            Some(call.caller.account_id),
            |estate| call.caller.check_estate(estate),
        )
        .await
    })
    .await
}

/// The portal: the resident's houses with their bills, from the start of their occupancy.
#[server(endpoint = "my_bills")]
pub async fn my_bills() -> Result<PortalBills, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        portal::portal_bills(call.pool(), &call.caller.residences, call.lang()).await
    })
    .await
}

/// A receipt in the portal: of the resident's house, from their time there.
#[server(endpoint = "my_receipt")]
pub async fn my_receipt(payment_id: i64) -> Result<PortalReceipt, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        portal::portal_receipt(
            call.pool(),
            &call.caller.residences,
            payment_id,
            call.lang(),
        )
        .await
    })
    .await
}

/// The viewer, when a manager: for them each pending waiver and standing
/// payment says whether they may decide or reverse it.
#[cfg(feature = "ssr")]
fn approver(caller: &Caller) -> Option<i64> {
    caller
        .may(Permission::ApproveMoney)
        .then_some(caller.account_id)
}

/// Refuses a payment of an estate the caller does not work for (or no such payment).
#[cfg(feature = "ssr")]
async fn check_payment(
    pool: &sqlx::AnyPool,
    caller: &Caller,
    payment_id: i64,
) -> Result<(), AppError> {
    let (_, estate_id) = db::payment_house(pool, payment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.check_estate(estate_id)
}

/// Refuses a house of an estate the caller does not work for (or no such house).
#[cfg(feature = "ssr")]
async fn check_house(pool: &sqlx::AnyPool, caller: &Caller, house_id: i64) -> Result<(), AppError> {
    let estate_id = db::house_estate(pool, house_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.check_estate(estate_id)
}
