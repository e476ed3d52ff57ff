//! The bill-runs page: an estate's runs with their progress, the waivers
//! waiting for a manager's decision, and the houses a run will give no
//! metered line for want of an opening reading.

use sqlx::AnyPool;

use super::this_month;
use crate::billing::rules;
use crate::billing::{BillRunView, BillingOverview, WaiverStatus, WaiverView};
use crate::common::EstateScope;
use crate::db::scoped_estates;

/// The runs page of the estate asked for (or the caller's first); `approver`:
/// the viewer, when a manager (see [`waiver_views`]).
pub async fn overview(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    can_run: bool,
    approver: Option<i64>,
) -> sqlx::Result<BillingOverview> {
    let (estates, estate_id) = scoped_estates(pool, scope, wanted).await?;
    let runs = run_views(
        pool,
        "r.estate_id = $1 order by r.id desc limit 24",
        estate_id,
    )
    .await?;
    let waivers = waiver_views(
        pool,
        "w.estate_id = $1 and w.status = 'pending' order by w.id",
        estate_id,
        approver,
    )
    .await?;
    let (missing_openings, missing_openings_total) =
        super::openings::missing_openings(pool, estate_id).await?;
    Ok(BillingOverview {
        estate_id,
        estates,
        runs,
        can_run,
        can_approve: approver.is_some(),
        this_month: this_month(),
        waivers,
        missing_openings,
        missing_openings_total,
    })
}

/// Runs matching `condition` (SQL of ours, one parameter: `id`).
async fn run_views<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    condition: &str,
    id: i64,
) -> sqlx::Result<Vec<BillRunView>> {
    sqlx::query_as(&format!(
        "select r.id, r.period, r.status, r.houses_total, r.houses_done, r.lines_created, r.amount_fen, \
                r.prepaid_lines, r.message, coalesce(a.display_name, '') as started_by, r.started_at \
         from bill_run r left join account a on a.id = r.started_by where {condition}"
    ))
    .bind(id)
    .fetch_all(ex)
    .await
}

/// A run and its estate.
pub async fn run_view(pool: &AnyPool, id: i64) -> sqlx::Result<Option<(i64, BillRunView)>> {
    let estate: Option<(i64,)> = sqlx::query_as("select estate_id from bill_run where id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let Some((estate_id,)) = estate else {
        return Ok(None);
    };
    Ok(run_views(pool, "r.id = $1", id)
        .await?
        .pop()
        .map(|r| (estate_id, r)))
}

/// A waiver as the desk shows it, and who asked for it.
#[derive(sqlx::FromRow)]
struct WaiverRow {
    #[sqlx(flatten)]
    view: WaiverView,
    requester: i64,
}

/// Waivers as the desk shows them; `approver`: the viewer, when a manager,
/// for whom each pending waiver says whether they may decide it.
pub(super) async fn waiver_views<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    condition: &str,
    id: i64,
    approver: Option<i64>,
) -> sqlx::Result<Vec<WaiverView>> {
    let rows: Vec<WaiverRow> = sqlx::query_as(&format!(
        "select w.id, h.id as house_id, h.number as house_number, f.name as item, l.period, w.target, \
                w.amount_fen, w.reason, w.status, a.display_name as requested_by, w.requested_at, \
                w.requested_by as requester \
         from waiver w join bill_line l on l.id = w.line_id join house h on h.id = l.house_id \
         join fee_item f on f.id = l.fee_item_id join account a on a.id = w.requested_by where {condition}"
    ))
    .bind(id)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| WaiverView {
            may_decide: r.view.status == WaiverStatus::Pending
                && approver.is_some_and(|me| {
                    rules::second_person(
                        me,
                        rules::MoneyDecision::Waiver {
                            requested_by: r.requester,
                        },
                    )
                    .is_ok()
                }),
            ..r.view
        })
        .collect())
}
