//! The deposit's part of the application's page — what is held, each
//! deduction with the visit it rests on, what is paid back, the refunds —
//! and the printed refund slip (退款单). The writes are [`super::refund`]'s.

use super::refund::{deducting, deductions, deposit_of, RefundDb, REFUND_COLUMNS};
use super::*;
use crate::renovation::refund::DeductionState;

/// The visits of an application as a deduction's basis: (id, "time · violation").
async fn visit_bases(pool: &AnyPool, id: i64) -> sqlx::Result<Vec<(i64, String, Vec<i64>)>> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "select i.id, i.at, v.text from renovation_inspection i \
         left join renovation_violation v on v.inspection_id = i.id \
         where i.renovation_id = $1 order by i.id desc",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let photos: Vec<(i64, i64)> = sqlx::query_as(
        "select p.inspection_id, p.id from renovation_photo p \
         join renovation_inspection i on i.id = p.inspection_id where i.renovation_id = $1 order by p.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(visit, at, violation)| {
            let label = match violation {
                Some(v) => format!("{} · {v}", desk_minute(&at)),
                None => desk_minute(&at),
            };
            let shots = photos
                .iter()
                .filter(|(i, _)| *i == visit)
                .map(|(_, p)| *p)
                .collect();
            (visit, label, shots)
        })
        .collect())
}

fn refund_view(r: &RefundDb, reversed: bool) -> RefundView {
    RefundView {
        id: r.id,
        refund_no: r.refund_no.clone(),
        method: r.method,
        deposit_fen: r.deposit_fen,
        deducted_fen: r.deducted_fen,
        refunded_fen: r.refunded_fen,
        payee: r.payee_name.clone(),
        at: desk_minute(&r.created_at),
        reversed,
    }
}

async fn deduction_views(
    pool: &AnyPool,
    caller: &Caller,
    id: i64,
    who: Option<Who>,
    open: bool,
) -> sqlx::Result<Vec<DeductionView>> {
    let bases = visit_bases(pool, id).await?;
    let resident = caller.role == Role::Resident;
    let centre = || tr(caller.lang, "renovation.actor.centre");
    Ok(deductions(pool, id)
        .await?
        .into_iter()
        .map(|d| {
            let basis = d
                .inspection_id
                .and_then(|v| bases.iter().find(|(b, ..)| *b == v));
            DeductionView {
                id: d.id,
                item: d.item,
                amount_fen: d.amount_fen,
                basis: basis.map(|(_, label, _)| label.clone()).unwrap_or_default(),
                photos: basis.map(|(.., p)| p.clone()).unwrap_or_default(),
                state: d.state,
                proposed_by: if resident { centre() } else { d.proposed_name },
                decided_by: match d.decided_name {
                    Some(_) if resident => centre(),
                    Some(name) => name,
                    None => String::new(),
                },
                can_decide: open
                    && d.state == DeductionState::Pending
                    && who == Some(Who::Desk { manager: true })
                    && d.proposed_by != caller.account_id,
            }
        })
        .collect())
}

/// The deposit's part of the application's page, from the acceptance on.
pub async fn deposit_view(
    pool: &AnyPool,
    caller: &Caller,
    app: &AppDb,
    who: Option<Who>,
) -> sqlx::Result<Option<DepositView>> {
    let refunds: Vec<(RefundDb, i64)> = {
        let rows: Vec<RefundDb> = sqlx::query_as(&format!(
            "select {REFUND_COLUMNS} from deposit_refund d where d.renovation_id = $1 order by d.id"
        ))
        .bind(app.id)
        .fetch_all(pool)
        .await?;
        let reversed: Vec<(i64,)> = sqlx::query_as(
            "select x.refund_id from deposit_refund_reversal x join deposit_refund d on d.id = x.refund_id \
             where d.renovation_id = $1",
        )
        .bind(app.id)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let gone = i64::from(reversed.iter().any(|(x,)| *x == r.id));
                (r, gone)
            })
            .collect()
    };
    let shown = deducting(app.state) || !refunds.is_empty();
    if !shown {
        return Ok(None);
    }
    let mut conn = pool.acquire().await?;
    let raised = super::money::raised_lines(&mut conn, app).await?;
    drop(conn);
    let (deposit, _) = deposit_of(&raised);
    let deposit_unpaid = raised
        .iter()
        .any(|(l, _)| l.held == 1 && l.outstanding() > 0);
    // No deposit held: shown only when the desk closes the works with nothing to pay back.
    if deposit == 0 && refunds.is_empty() && app.state != State::Refund {
        return Ok(None);
    }
    let open = deducting(app.state);
    let deductions = deduction_views(pool, caller, app.id, who, open).await?;
    let deducted_fen: i64 = deductions
        .iter()
        .filter(|d| d.state == DeductionState::Approved)
        .map(|d| d.amount_fen)
        .sum();
    let desk = matches!(who, Some(Who::Desk { .. }));
    Ok(Some(DepositView {
        deposit_fen: deposit,
        deducted_fen,
        refund_fen: (deposit - deducted_fen).max(0),
        refunds: refunds
            .iter()
            .map(|(r, gone)| refund_view(r, *gone == 1))
            .collect(),
        can_propose: open && deposit > 0 && matches!(who, Some(Who::Reviewer | Who::Desk { .. })),
        deposit_unpaid,
        can_refund: app.state == State::Refund
            && desk
            && !deposit_unpaid
            && !deductions
                .iter()
                .any(|d| d.state == DeductionState::Pending),
        // Not to the manager who paid it (a second person reverses).
        can_reverse: app.state == State::Closed
            && who == Some(Who::Desk { manager: true })
            && refunds
                .iter()
                .any(|(r, gone)| *gone == 0 && r.clerk_id != caller.account_id),
        visits: visit_bases(pool, app.id)
            .await?
            .into_iter()
            .map(|(id, name, _)| crate::common::Choice { id, name })
            .collect(),
        request_key: crate::security::random_token(),
        deductions,
    }))
}

/// The printed refund slip, for the desk of the application's estate.
pub async fn slip(pool: &AnyPool, caller: &Caller, refund_id: i64) -> Result<RefundSlip, AppError> {
    let r: RefundDb = sqlx::query_as(&format!(
        "select {REFUND_COLUMNS} from deposit_refund d where d.id = $1"
    ))
    .bind(refund_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let (renovation_id,): (i64,) =
        sqlx::query_as("select renovation_id from deposit_refund where id = $1")
            .bind(refund_id)
            .fetch_one(pool)
            .await?;
    let app = find(pool, renovation_id).await?.ok_or(AppError::NotFound)?;
    let who = super::who(&mut *pool.acquire().await?, caller, &app).await?;
    if !matches!(who, Some(Who::Desk { .. })) {
        return Err(AppError::forbidden("the refund slip is the desk's"));
    }
    let (reversed,): (i64,) =
        sqlx::query_as("select count(*) from deposit_refund_reversal where refund_id = $1")
            .bind(refund_id)
            .fetch_one(pool)
            .await?;
    let (estate_name,): (String,) = sqlx::query_as("select name from estate where id = $1")
        .bind(app.estate_id)
        .fetch_one(pool)
        .await?;
    let (clerk,): (String,) = sqlx::query_as("select display_name from account where id = $1")
        .bind(r.clerk_id)
        .fetch_one(pool)
        .await?;
    // What this refund kept: the deductions approved before it was paid.
    let kept: Vec<(i64,)> = sqlx::query_as(
        "select id from renovation_deduction where renovation_id = $1 and state = 'approved' \
         and decided_at <= $2",
    )
    .bind(app.id)
    .bind(&r.created_at)
    .fetch_all(pool)
    .await?;
    let deductions = deduction_views(pool, caller, app.id, who, false)
        .await?
        .into_iter()
        .filter(|d| kept.iter().any(|(k,)| *k == d.id))
        .collect();
    Ok(RefundSlip {
        id: app.id,
        capitals: crate::billing::money::capitals(r.refunded_fen),
        refund: refund_view(&r, reversed > 0),
        estate_name,
        house_number: app.house_number.clone(),
        app_no: app.app_no.clone(),
        permit_no: app.permit_no.clone().unwrap_or_default(),
        applicant: app.applicant.clone(),
        contractor: app.contractor.clone(),
        deductions,
        clerk,
        day: r.business_day.clone(),
    })
}
