//! The daily-close page (日结): the caller's takings today, and for managers
//! every clerk's days in their estates over the last month.

use chrono::NaiveDate;
use sqlx::AnyPool;

use super::account::payment_views;
use crate::billing::ledger::{self, DayTotals};
use crate::billing::{DailyClosePage, DayView};
use crate::common::EstateScope;
use crate::db::{estate_filter, time};
use crate::error::AppError;

/// A clerk's day as the page shows it.
fn day_view(
    clerk_id: i64,
    clerk: String,
    day: String,
    t: DayTotals,
    closed_at: Option<String>,
) -> DayView {
    DayView {
        clerk_id,
        clerk,
        day,
        payments_count: t.payments_count,
        received_fen: t.received_fen,
        reversals_count: t.reversals_count,
        reversed_fen: t.reversed_fen,
        by_method: t.by_method,
        held_fen: t.held_fen,
        refunds_count: t.refunds_count,
        refunded_fen: t.refunded_fen,
        refunded_prepaid_fen: t.refunded_prepaid_fen,
        refund_reversed_fen: t.refund_reversed_fen,
        deducted_fen: t.deducted_fen,
        closed_at,
    }
}

/// When the clerk closed `day`, if they did.
async fn closed_at<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    clerk_id: i64,
    day: &str,
) -> sqlx::Result<Option<String>> {
    let closed: Option<(String,)> = sqlx::query_as(
        "select closed_at from daily_close where clerk_id = $1 and business_day = $2",
    )
    .bind(clerk_id)
    .bind(day)
    .fetch_optional(ex)
    .await?;
    Ok(closed.map(|(c,)| c))
}

/// The daily-close page: the caller's day, and for managers (`scope`: their
/// estates) every clerk's days.
pub async fn daily_close_page(
    pool: &AnyPool,
    clerk_id: i64,
    clerk_name: &str,
    scope: Option<&EstateScope>,
) -> Result<DailyClosePage, AppError> {
    let today = time::desk_today();
    let mut conn = pool.acquire().await?;
    let totals = ledger::day_totals(&mut conn, clerk_id, &today, None).await?;
    let mine = day_view(
        clerk_id,
        clerk_name.to_string(),
        today.clone(),
        totals,
        closed_at(&mut *conn, clerk_id, &today).await?,
    );
    let my_payments = payment_views(
        &mut *conn,
        &format!("p.clerk_id = $1 and p.business_day = '{today}' order by p.id desc"),
        clerk_id,
        None,
    )
    .await?;
    let mut others = Vec::new();
    if let Some(scope) = scope {
        // Each clerk's days with takings in the manager's estates over the last 31 days.
        let since = time::date_to_db(
            NaiveDate::parse_from_str(&today, "%Y-%m-%d").map_err(AppError::internal)?
                - chrono::Duration::days(31),
        );
        let days: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "select distinct p.clerk_id, a.display_name, p.business_day from payment p join account a on a.id = p.clerk_id \
             where p.business_day >= $1{} \
             union select distinct d.clerk_id, a.display_name, d.business_day from deposit_refund d \
             join account a on a.id = d.clerk_id where d.business_day >= $1{} \
             union select distinct d.clerk_id, a.display_name, x.business_day from deposit_refund_reversal x \
             join deposit_refund d on d.id = x.refund_id join account a on a.id = d.clerk_id \
             where x.business_day >= $1{} \
             order by 3 desc, 2",
            estate_filter(scope, "p.estate_id"),
            estate_filter(scope, "d.estate_id"),
            estate_filter(scope, "d.estate_id")
        ))
        .bind(&since)
        .fetch_all(&mut *conn)
        .await?;
        for (clerk, name, day) in days.into_iter().take(100) {
            let t = ledger::day_totals(&mut conn, clerk, &day, Some(scope)).await?;
            let closed = closed_at(&mut *conn, clerk, &day).await?;
            others.push(day_view(clerk, name, day, t, closed));
        }
    }
    Ok(DailyClosePage {
        mine,
        my_payments,
        others,
        is_manager: scope.is_some(),
    })
}
