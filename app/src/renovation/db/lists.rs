//! The lists of applications: the desk's (by state, what waits for the
//! caller first, works that stand out first), the reviewer's phone list and
//! the resident's.

use super::*;

/// What waits for the caller in a state: the desk's checks and refunds, and
/// a manager's approvals and extensions.
fn waiting_for(role: Role) -> Vec<State> {
    match role {
        Role::Manager => vec![
            State::Submitted,
            State::Approval,
            State::Extension,
            State::Refund,
        ],
        _ => vec![State::Submitted, State::Refund],
    }
}

pub(super) fn in_states(states: &[State]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The desk's list of an estate's applications.
pub async fn list(
    pool: &AnyPool,
    caller: &Caller,
    estate_id: i64,
    filter: ListFilter,
) -> sqlx::Result<AppList> {
    let (estates, estate_id) = scoped_estates(pool, &caller.scope, estate_id).await?;
    let mine_states = in_states(&waiting_for(caller.role));
    let ended = in_states(&[State::Closed, State::Rejected, State::Withdrawn]);
    let condition = match filter {
        // A manager's also: deductions waiting for their decision.
        ListFilter::Mine if caller.role == Role::Manager => format!(
            "(r.state in ({mine_states}) or exists (select 1 from renovation_deduction d \
              where d.renovation_id = r.id and d.state = 'pending' and d.proposed_by <> {}))",
            caller.account_id
        ),
        ListFilter::Mine => format!("r.state in ({mine_states})"),
        ListFilter::Open => format!("r.state not in ({ended})"),
        ListFilter::Works => format!(
            "r.state in ({})",
            in_states(
                &State::ALL
                    .iter()
                    .copied()
                    .filter(|s| crate::renovation::works::inspectable(*s))
                    .collect::<Vec<_>>()
            )
        ),
        ListFilter::Ended => format!("r.state in ({ended})"),
    };
    let order = if filter == ListFilter::Ended {
        "r.updated_at desc"
    } else {
        "r.created_at"
    };
    let rows: Vec<AppDb> = sqlx::query_as(&format!(
        "select {COLUMNS} from {FROM} where r.estate_id = $1 and {condition} order by {order}, r.id limit 200"
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let counted: Vec<(State, i64)> = sqlx::query_as(&format!(
        "select state, count(*) from renovation where estate_id = $1 and state not in ({ended}) group by state"
    ))
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let counts: Vec<(State, i64)> = State::ALL
        .iter()
        .filter_map(|s| counted.iter().find(|(c, _)| c == s).copied())
        .collect();
    let mut mine: i64 = counts
        .iter()
        .filter(|(s, _)| waiting_for(caller.role).contains(s))
        .map(|(_, n)| n)
        .sum();
    if caller.role == Role::Manager {
        // Deductions waiting on applications not already counted by their state.
        let (deciding,): (i64,) = sqlx::query_as(&format!(
            "select count(distinct r.id) from renovation r join renovation_deduction d on d.renovation_id = r.id \
             where r.estate_id = $1 and d.state = 'pending' and d.proposed_by <> {} \
               and r.state not in ({mine_states})",
            caller.account_id
        ))
        .bind(estate_id)
        .fetch_one(pool)
        .await?;
        mine += deciding;
    }
    Ok(AppList {
        estates,
        estate_id,
        filter,
        rows: flagged(pool, &rows).await?,
        mine,
        counts,
    })
}

/// Rows for a list, what stands out first (an overdue rectification, a
/// visit due, an extension asked), otherwise in the order read.
async fn flagged(pool: &AnyPool, apps: &[AppDb]) -> sqlx::Result<Vec<AppRow>> {
    let flags = super::works::flags(pool, apps).await?;
    let mut rows: Vec<AppRow> = apps
        .iter()
        .map(|a| AppRow {
            flag: flags.get(&a.id).copied(),
            ..a.row()
        })
        .collect();
    let rank = |f: Option<crate::renovation::works::Flag>| {
        f.and_then(|f| {
            crate::renovation::works::Flag::ALL
                .iter()
                .position(|x| *x == f)
        })
        .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|r| rank(r.flag));
    Ok(rows)
}

/// A reviewer's phone list, in every estate they review: the engineering
/// reviews waiting, then the works they visit (what stands out first).
pub async fn reviews(pool: &AnyPool, caller: &Caller) -> sqlx::Result<Vec<AppRow>> {
    let visited = in_states(
        &State::ALL
            .iter()
            .copied()
            .filter(|s| crate::renovation::works::inspectable(*s))
            .collect::<Vec<_>>(),
    );
    let rows: Vec<AppDb> = sqlx::query_as(&format!(
        "select {COLUMNS} from {FROM} join renovation_reviewer rr on rr.estate_id = r.estate_id \
         where rr.account_id = $1 and r.state in ('engineering', {visited}) \
         order by case when r.state = 'engineering' then 0 else 1 end, r.updated_at, r.id limit 200"
    ))
    .bind(caller.account_id)
    .fetch_all(pool)
    .await?;
    let (reviews, works): (Vec<AppDb>, Vec<AppDb>) = rows
        .into_iter()
        .filter(|r| crate::common::sees_estate(&caller.scope, r.estate_id))
        .partition(|r| r.state == State::Engineering);
    let mut out: Vec<AppRow> = reviews.iter().map(AppDb::row).collect();
    out.extend(flagged(pool, &works).await?);
    Ok(out)
}

/// A resident's applications: their houses', since each stay began, newest first.
pub async fn portal_list(pool: &AnyPool, caller: &Caller) -> sqlx::Result<Vec<AppRow>> {
    let mut rows = Vec::new();
    for r in &caller.residences {
        let apps: Vec<AppDb> = sqlx::query_as(&format!(
            "select {COLUMNS} from {FROM} where r.house_id = $1 and r.created_at >= $2 order by r.id desc"
        ))
        .bind(r.house_id)
        .bind(&r.from)
        .fetch_all(pool)
        .await?;
        rows.extend(apps.iter().map(AppDb::row));
    }
    Ok(rows)
}
