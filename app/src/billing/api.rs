//! Billing's server functions. Each authorises first, then checks that the
//! record's estate is one the caller works for (or, in the portal, that the
//! house is one the resident is linked to).

use leptos::prelude::*;

use super::*;
use crate::error::AppError;

#[server(endpoint = "get_fee_setup")]
pub async fn get_fee_setup(estate_id: i64) -> Result<FeeSetup, AppError> {
    use crate::auth::api::*;
    use crate::common::{allows, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let can_manage = allows(caller.role, Permission::ManageFees);
    finish(
        super::db::fee_setup(&state.db.pool, &caller.scope, estate_id, can_manage)
            .await
            .map_err(AppError::from),
    )
}

#[server(endpoint = "create_fee_item")]
pub async fn create_fee_item(
    estate_id: i64,
    name: String,
    kind: String,
    due_days: String,
    unit: String,
) -> Result<i64, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ManageFees)?;
    let state = state()?;
    let result = async {
        caller.check_estate(estate_id)?;
        super::db::create_fee_item(
            &state.db,
            &actor(&caller),
            caller.lang,
            estate_id,
            &name,
            &kind,
            &due_days,
            &unit,
        )
        .await
    }
    .await;
    finish(result)
}

#[server(endpoint = "add_fee_rate")]
pub async fn add_fee_rate(
    fee_item_id: i64,
    use_kind: String,
    rate: String,
    effective_from: String,
    effective_to: String,
) -> Result<(), AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ManageFees)?;
    let state = state()?;
    finish(
        super::db::add_rate(
            &state.db,
            &actor(&caller),
            caller.lang,
            fee_item_id,
            &use_kind,
            &rate,
            &effective_from,
            &effective_to,
            |estate| caller.check_estate(estate),
        )
        .await,
    )
}

#[server(endpoint = "set_late_fee_policy")]
pub async fn set_late_fee_policy(
    estate_id: i64,
    daily_rate: String,
    grace_days: String,
    effective_from: String,
) -> Result<(), AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ManageFees)?;
    let state = state()?;
    let result = async {
        caller.check_estate(estate_id)?;
        super::db::set_late_policy(
            &state.db,
            &actor(&caller),
            caller.lang,
            estate_id,
            &daily_rate,
            &grace_days,
            &effective_from,
        )
        .await
    }
    .await;
    finish(result)
}

#[server(endpoint = "get_billing")]
pub async fn get_billing(estate_id: i64) -> Result<BillingOverview, AppError> {
    use crate::auth::api::*;
    use crate::common::{allows, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::db::overview(
            &state.db.pool,
            &caller.scope,
            estate_id,
            allows(caller.role, Permission::RunBilling),
            allows(caller.role, Permission::ApproveMoney).then_some(caller.account_id),
        )
        .await
        .map_err(AppError::from),
    )
}

/// Starts a bill run; it works in the background and the page follows its progress.
#[server(endpoint = "start_bill_run")]
pub async fn start_bill_run(estate_id: i64, period: String) -> Result<i64, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::RunBilling)?;
    let state = state()?;
    let result = async {
        caller.check_estate(estate_id)?;
        let id = super::run::start(
            &state.db,
            &actor(&caller),
            Some(caller.account_id),
            caller.lang,
            estate_id,
            &period,
        )
        .await?;
        let db = state.db.clone();
        tokio::spawn(async move {
            if let Err(e) = super::run::execute(&db, id).await {
                tracing::error!(run = id, error = %e, "bill run failed");
            }
        });
        Ok(id)
    }
    .await;
    finish(result)
}

#[server(endpoint = "get_bill_run")]
pub async fn get_bill_run(id: i64) -> Result<BillRunView, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        let (estate_id, run) = super::db::run_view(&state.db.pool, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(estate_id)?;
        Ok(run)
    }
    .await;
    finish(result)
}

#[server(endpoint = "get_house_account")]
pub async fn get_house_account(house_id: i64) -> Result<HouseAccount, AppError> {
    use crate::auth::api::*;
    use crate::common::{allows, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        let account = super::db::house_account(
            &state.db,
            house_id,
            caller.lang,
            allows(caller.role, Permission::ApproveMoney).then_some(caller.account_id),
        )
        .await?;
        caller.check_estate(account.estate_id)?;
        Ok(account)
    }
    .await;
    finish(result)
}

/// What a payment at the counter answers: the receipt to print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PaymentResult {
    pub payment_id: i64,
    pub receipt_no: String,
}

#[server(endpoint = "take_payment")]
pub async fn take_payment(
    house_id: i64,
    lines: Option<Vec<i64>>,
    method: String,
    received: String,
    request_key: String,
) -> Result<PaymentResult, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        check_house(&state.db.pool, &caller, house_id).await?;
        let taken = super::ledger::take_payment(
            &state.db,
            &actor(&caller),
            caller.account_id,
            caller.lang,
            &super::ledger::PaymentRequest {
                house_id,
                line_ids: lines.unwrap_or_default(),
                method,
                received,
                request_key,
            },
        )
        .await?;
        Ok(PaymentResult {
            payment_id: taken.payment_id,
            receipt_no: taken.receipt_no,
        })
    }
    .await;
    finish(result)
}

#[server(endpoint = "reverse_payment")]
pub async fn reverse_payment(payment_id: i64, reason: String) -> Result<(), AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ApproveMoney)?;
    let state = state()?;
    finish(
        super::ledger::reverse_payment(
            &state.db,
            &actor(&caller),
            caller.account_id,
            caller.lang,
            payment_id,
            &reason,
            |estate| caller.check_estate(estate),
        )
        .await,
    )
}

/// Asks for a waiver; a manager decides it, never the one who asked.
#[server(endpoint = "request_waiver")]
pub async fn request_waiver(
    line_id: i64,
    target: String,
    amount: String,
    reason: String,
) -> Result<i64, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::ledger::request_waiver(
            &state.db,
            &actor(&caller),
            caller.account_id,
            caller.lang,
            line_id,
            &target,
            &amount,
            &reason,
            |estate| caller.check_estate(estate),
        )
        .await,
    )
}

#[server(endpoint = "decide_waiver")]
pub async fn decide_waiver(waiver_id: i64, decision: String) -> Result<(), AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::ApproveMoney)?;
    let state = state()?;
    finish(
        super::ledger::decide_waiver(
            &state.db,
            &actor(&caller),
            caller.account_id,
            caller.lang,
            waiver_id,
            decision == "approve",
            |estate| caller.check_estate(estate),
        )
        .await,
    )
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
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        check_house(&state.db.pool, &caller, house_id).await?;
        let amount_fen = super::money::parse_yuan(&amount).map_err(|e| {
            AppError::field("amount", super::ledger::amount_message(caller.lang, e))
        })?;
        super::run::raise_one_off(
            &state.db,
            &actor(&caller),
            Some(caller.account_id),
            caller.lang,
            house_id,
            fee_item_id,
            amount_fen,
            &format!("desk:{}", request_key.chars().take(40).collect::<String>()),
            &note,
        )
        .await
    }
    .await;
    finish(result)
}

/// A receipt for the desk, as it stands: `copy` counts the prints so far.
/// Opening or refreshing the page never counts as a print; `print_receipt` does.
#[server(endpoint = "get_receipt")]
pub async fn get_receipt(payment_id: i64) -> Result<ReceiptView, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        check_payment(&state.db.pool, &caller, payment_id).await?;
        super::db::receipt(&state.db, payment_id, caller.lang).await
    }
    .await;
    finish(result)
}

/// Records that the clerk is printing the receipt now (the print button posts
/// this before the browser's print dialog). Answers which copy this print is:
/// 0 for the original, more for a reprint (补打).
#[server(endpoint = "print_receipt")]
pub async fn print_receipt(payment_id: i64) -> Result<i64, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        check_payment(&state.db.pool, &caller, payment_id).await?;
        Ok(super::db::record_print(&state.db, payment_id, caller.account_id).await?)
    }
    .await;
    finish(result)
}

#[server(endpoint = "get_daily_close")]
pub async fn get_daily_close() -> Result<DailyClosePage, AppError> {
    use crate::auth::api::*;
    use crate::common::{allows, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let managers_view = allows(caller.role, Permission::ApproveMoney).then_some(&caller.scope);
    finish(
        super::db::daily_close_page(
            &state.db,
            caller.account_id,
            &caller.display_name,
            managers_view,
        )
        .await,
    )
}

#[server(endpoint = "close_my_day")]
pub async fn close_my_day() -> Result<(), AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let day = crate::db::time::desk_today();
    finish(
        super::ledger::close_day(
            &state.db,
            &actor(&caller),
            caller.account_id,
            caller.lang,
            &day,
        )
        .await
        .map(|_| ()),
    )
}

/// Payment notices: one house's, or every owing house of a building.
#[server(endpoint = "get_notices")]
pub async fn get_notices(house_id: i64, building_id: i64) -> Result<Vec<NoticeView>, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        if house_id > 0 {
            check_house(&state.db.pool, &caller, house_id).await?;
            return Ok(vec![
                super::db::notice(&state.db, house_id, caller.lang).await?,
            ]);
        }
        let (estate_id, houses) = super::db::building_debtors(&state.db.pool, building_id).await?;
        if estate_id == 0 {
            return Err(AppError::NotFound);
        }
        caller.check_estate(estate_id)?;
        // Each notice is a house's whole account: a batch is one building's, at most.
        let max = super::rules::MAX_HOUSES_PER_BUILDING;
        if houses.len() > max {
            return Err(AppError::Rule(crate::i18n::I18n(caller.lang).f(
                "billing.invalid.notices_too_many",
                &[("max", &max.to_string())],
            )));
        }
        let mut notices = Vec::new();
        for id in houses {
            let n = super::db::notice(&state.db, id, caller.lang).await?;
            if n.total_fen > 0 {
                notices.push(n);
            }
        }
        Ok(notices)
    }
    .await;
    finish(result)
}

#[server(endpoint = "get_reading_grid")]
pub async fn get_reading_grid(
    estate_id: i64,
    fee_item_id: i64,
    building_id: i64,
    period: String,
) -> Result<ReadingGrid, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    finish(
        super::db::reading_grid(
            &state.db.pool,
            &caller.scope,
            estate_id,
            fee_item_id,
            building_id,
            &period,
        )
        .await
        .map_err(AppError::from),
    )
}

/// A readings file's import report.
#[server(endpoint = "get_reading_import")]
pub async fn get_reading_import(id: i64) -> Result<ReadingImport, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let result = async {
        let (estate_id, report) = super::db::reading_import(&state.db.pool, id)
            .await?
            .ok_or(AppError::NotFound)?;
        caller.check_estate(estate_id)?;
        Ok(report)
    }
    .await;
    finish(result)
}

/// Saves the typed readings of a building's grid, all or nothing.
#[server(endpoint = "save_meter_readings")]
pub async fn save_meter_readings(
    fee_item_id: i64,
    period: String,
    houses: Option<Vec<i64>>,
    readings: Option<Vec<String>>,
    old_finals: Option<Vec<String>>,
    new_starts: Option<Vec<String>>,
) -> Result<usize, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UseDesk)?;
    let state = state()?;
    let houses = houses.unwrap_or_default();
    let readings = readings.unwrap_or_default();
    let old_finals = old_finals.unwrap_or_default();
    let new_starts = new_starts.unwrap_or_default();
    let entries: Vec<super::db::ReadingEntry> = houses
        .iter()
        .enumerate()
        .map(|(i, h)| super::db::ReadingEntry {
            house_id: *h,
            reading: readings.get(i).cloned().unwrap_or_default(),
            old_final: old_finals.get(i).cloned().unwrap_or_default(),
            new_start: new_starts.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    finish(
        super::db::save_readings(
            &state.db,
            &actor(&caller),
            caller.lang,
            fee_item_id,
            &period,
            &entries,
            Some(caller.account_id),
            |estate| caller.check_estate(estate),
        )
        .await,
    )
}

/// The portal: the resident's houses with their bills, from the start of their occupancy.
#[server(endpoint = "my_bills")]
pub async fn my_bills() -> Result<PortalBills, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UsePortal)?;
    let state = state()?;
    let Some(resident_id) = caller.resident_id else {
        return Ok(PortalBills { houses: Vec::new() });
    };
    finish(super::portal::portal_bills(&state.db, resident_id, caller.lang).await)
}

/// Refuses a payment of an estate the caller does not work for (or no such payment).
#[cfg(feature = "ssr")]
async fn check_payment(
    pool: &sqlx::AnyPool,
    caller: &crate::common::Caller,
    payment_id: i64,
) -> Result<(), AppError> {
    let (_, estate_id) = super::db::payment_house(pool, payment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.check_estate(estate_id)
}

/// Refuses a house of an estate the caller does not work for (or no such house).
#[cfg(feature = "ssr")]
async fn check_house(
    pool: &sqlx::AnyPool,
    caller: &crate::common::Caller,
    house_id: i64,
) -> Result<(), AppError> {
    let estate: Option<(i64,)> = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house_id)
        .fetch_optional(pool)
        .await?;
    caller.check_estate(estate.ok_or(AppError::NotFound)?.0)
}

/// A receipt in the portal: of the resident's house, from their time there.
#[server(endpoint = "my_receipt")]
pub async fn my_receipt(payment_id: i64) -> Result<PortalReceipt, AppError> {
    use crate::auth::{api::*, Permission};
    let caller = authorize(Permission::UsePortal)?;
    let state = state()?;
    let result = match caller.resident_id {
        Some(resident_id) => {
            super::portal::portal_receipt(&state.db, resident_id, payment_id, caller.lang).await
        }
        None => Err(AppError::NotFound),
    };
    finish(result)
}
