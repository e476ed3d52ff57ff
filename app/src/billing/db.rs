//! Billing reads for the pages, and the setup writes (fee items, rates,
//! late-fee policy, meter readings). Server functions authorise first.

use chrono::NaiveDate;
use sqlx::AnyPool;

use super::ledger::{self, LineState};
use super::money;
use super::rules::{self, Period, RatePlan};
use super::*;
use crate::audit::db::{self as audit, Actor, Change};
use crate::auth::{EstateScope, Lang};
use crate::db::{estate_filter, time, Database};
use crate::error::AppError;
use crate::i18n::{tr, I18n};

fn this_month() -> String {
    time::desk_today()[..7].to_string()
}

fn parse_day(lang: Lang, field: &str, text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, tr(lang, "billing.invalid.date")))
}

pub async fn fee_setup(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    can_manage: bool,
) -> sqlx::Result<FeeSetup> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let items: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
        "select id, name, kind, due_days, unit from fee_item where estate_id = $1 order by id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let rates: Vec<(i64, i64, String, String, String, Option<String>)> = sqlx::query_as(
        "select r.id, r.fee_item_id, r.use_kind, r.rate, r.effective_from, r.effective_to from fee_rate r \
         join fee_item f on f.id = r.fee_item_id where f.estate_id = $1 order by r.use_kind, r.effective_from",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let policies: Vec<(String, i64, String, Option<String>)> = sqlx::query_as(
        "select daily_rate, grace_days, effective_from, effective_to from late_fee_policy \
         where estate_id = $1 order by effective_from",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(FeeSetup {
        estate_id,
        estates,
        items: items
            .into_iter()
            .map(|(id, name, kind, due_days, unit)| FeeItemView {
                rates: rates
                    .iter()
                    .filter(|r| r.1 == id)
                    .map(|r| RateView {
                        id: r.0,
                        use_kind: r.2.clone(),
                        rate: r.3.clone(),
                        effective_from: r.4.clone(),
                        effective_to: r.5.clone(),
                    })
                    .collect(),
                id,
                name,
                kind,
                due_days,
                unit,
            })
            .collect(),
        late_policies: policies
            .into_iter()
            .map(
                |(daily_rate, grace_days, effective_from, effective_to)| LatePolicyView {
                    daily_rate,
                    grace_days,
                    effective_from,
                    effective_to,
                },
            )
            .collect(),
        can_manage,
        this_month: this_month(),
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn create_fee_item(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate_id: i64,
    name: &str,
    kind: &str,
    due_days: &str,
    unit: &str,
) -> Result<i64, AppError> {
    let name: String = name.trim().chars().take(40).collect();
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(("name", tr(lang, "billing.invalid.name")));
    }
    if !FEE_KINDS.contains(&kind) {
        problems.push(("kind", tr(lang, "billing.invalid.kind")));
    }
    let due: Option<i64> = due_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (0..=365).contains(d));
    if due.is_none() {
        problems.push(("due_days", tr(lang, "billing.invalid.due_days")));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(
            problems
                .into_iter()
                .map(|(f, m)| crate::error::FieldError {
                    field: f.into(),
                    message: m,
                })
                .collect(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "insert into fee_item (estate_id, name, kind, due_days, unit, created_at) values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(estate_id)
    .bind(&name)
    .bind(kind)
    .bind(due.unwrap_or(15))
    .bind(unit.trim().chars().take(20).collect::<String>())
    .bind(time::now())
    .fetch_one(&mut *tx)
    .await;
    let (id,) = match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::field(
                "name",
                tr(lang, "billing.invalid.name_taken"),
            ))
        }
        other => other?,
    };
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::FeeItem,
            entity_id: Some(id.to_string()),
            action: crate::common::AuditAction::CreateFeeItem,
            before: None,
            after: Some(serde_json::json!({ "name": name, "kind": kind, "due_days": due })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a rate from a month's first day (and to a month's last day, or open).
/// A later open rate ends the open one before it; any other overlap is refused.
#[allow(clippy::too_many_arguments)]
pub async fn add_rate(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    fee_item_id: i64,
    use_kind: &str,
    rate: &str,
    from: &str,
    to: &str,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<(), AppError> {
    if !RATE_USES.contains(&use_kind) {
        return Err(AppError::field(
            "use_kind",
            tr(lang, "billing.invalid.use_kind"),
        ));
    }
    let value = money::parse_rate(rate, 4)
        .map_err(|e| AppError::field("rate", ledger::amount_message(lang, e)))?;
    let from_day = parse_day(lang, "effective_from", from)?;
    if from_day != Period::of(from_day).first_day() {
        return Err(AppError::field(
            "effective_from",
            tr(lang, "billing.invalid.month_start"),
        ));
    }
    let to_day = match to.trim() {
        "" => None,
        t => {
            let d = parse_day(lang, "effective_to", t)?;
            if d != Period::of(d).last_day() || d < from_day {
                return Err(AppError::field(
                    "effective_to",
                    tr(lang, "billing.invalid.month_end"),
                ));
            }
            Some(d)
        }
    };
    let mut tx = db.begin_write().await?;
    let (estate_id, kind): (i64, String) =
        sqlx::query_as("select estate_id, kind from fee_item where id = $1")
            .bind(fee_item_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    let existing: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "select id, use_kind, rate, effective_from, effective_to from fee_rate where fee_item_id = $1",
    )
    .bind(fee_item_id)
    .fetch_all(&mut *tx)
    .await?;
    let existing: Vec<rules::Rate> = existing
        .iter()
        .filter_map(|r| super::run::to_rate(r.0, &r.1, &r.2, &r.3, r.4.as_deref()))
        .collect();
    let now = time::now();
    match rules::plan_rate(&existing, use_kind, from_day, to_day) {
        RatePlan::Overlaps(r) => {
            return Err(AppError::field(
                "effective_from",
                I18n(lang).f(
                    "billing.invalid.rate_overlap",
                    &[
                        ("from", &time::date_to_db(r.from)),
                        (
                            "to",
                            &r.to.map(time::date_to_db).unwrap_or_else(|| "…".into()),
                        ),
                    ],
                ),
            ))
        }
        RatePlan::CloseEarlier { rate_id, to } => {
            sqlx::query("update fee_rate set effective_to = $1 where id = $2")
                .bind(time::date_to_db(to))
                .bind(rate_id)
                .execute(&mut *tx)
                .await?;
        }
        RatePlan::Insert => {}
    }
    sqlx::query(
        "insert into fee_rate (fee_item_id, use_kind, rate, effective_from, effective_to, created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(fee_item_id)
    .bind(use_kind)
    .bind(value.to_string())
    .bind(time::date_to_db(from_day))
    .bind(to_day.map(time::date_to_db))
    .bind(actor.account_id)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::FeeItem,
            entity_id: Some(fee_item_id.to_string()),
            action: crate::common::AuditAction::AddRate,
            before: None,
            after: Some(serde_json::json!({
                "kind": kind, "use_kind": use_kind, "rate": value.to_string(),
                "from": time::date_to_db(from_day), "to": to_day.map(time::date_to_db),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the estate's late-fee policy from a date (a rate of 0 turns late fees off).
pub async fn set_late_policy(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    estate_id: i64,
    daily_rate: &str,
    grace_days: &str,
    from: &str,
) -> Result<(), AppError> {
    let rate = money::parse_rate(daily_rate, 6)
        .map_err(|e| AppError::field("daily_rate", ledger::amount_message(lang, e)))?;
    if rate > rust_decimal::Decimal::new(1, 2) {
        return Err(AppError::field(
            "daily_rate",
            tr(lang, "billing.invalid.daily_rate"),
        ));
    }
    let grace: i64 = grace_days
        .trim()
        .parse()
        .ok()
        .filter(|g| (0..=365).contains(g))
        .ok_or_else(|| AppError::field("grace_days", tr(lang, "billing.invalid.grace_days")))?;
    let from_day = parse_day(lang, "effective_from", from)?;
    let mut tx = db.begin_write().await?;
    let later: Option<(String,)> = sqlx::query_as(
        "select effective_from from late_fee_policy where estate_id = $1 and effective_from >= $2",
    )
    .bind(estate_id)
    .bind(time::date_to_db(from_day))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((d,)) = later {
        return Err(AppError::field(
            "effective_from",
            I18n(lang).f("billing.invalid.policy_after", &[("from", &d)]),
        ));
    }
    let day_before = from_day.pred_opt().unwrap_or(from_day);
    sqlx::query("update late_fee_policy set effective_to = $1 where estate_id = $2 and effective_to is null")
        .bind(time::date_to_db(day_before))
        .bind(estate_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into late_fee_policy (estate_id, daily_rate, grace_days, effective_from, created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(estate_id)
    .bind(rate.to_string())
    .bind(grace)
    .bind(time::date_to_db(from_day))
    .bind(actor.account_id)
    .bind(time::now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::LateFeePolicy,
            entity_id: None,
            action: crate::common::AuditAction::SetLatePolicy,
            before: None,
            after: Some(serde_json::json!({
                "daily_rate": rate.to_string(), "grace_days": grace, "from": time::date_to_db(from_day),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn overview(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    can_run: bool,
    approver: Option<i64>,
) -> sqlx::Result<BillingOverview> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
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
    Ok(BillingOverview {
        estate_id,
        estates,
        runs,
        can_run,
        can_approve: approver.is_some(),
        this_month: this_month(),
        waivers,
    })
}

async fn run_views(pool: &AnyPool, condition: &str, id: i64) -> sqlx::Result<Vec<BillRunView>> {
    type Row = (
        i64,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select r.id, r.period, r.status, r.houses_total, r.houses_done, r.lines_created, r.amount_fen, \
                r.prepaid_lines, r.message, a.display_name, r.started_at \
         from bill_run r left join account a on a.id = r.started_by where {condition}"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BillRunView {
            id: r.0,
            period: r.1,
            status: r.2,
            houses_total: r.3,
            houses_done: r.4,
            lines_created: r.5,
            amount_fen: r.6,
            prepaid_lines: r.7,
            message: r.8,
            started_by: r.9.unwrap_or_default(),
            started_at: r.10,
        })
        .collect())
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

/// Waivers as the desk shows them; `approver`: the viewer, when a manager,
/// for whom each pending waiver says whether they may decide it.
async fn waiver_views<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    condition: &str,
    id: i64,
    approver: Option<i64>,
) -> sqlx::Result<Vec<WaiverView>> {
    type Row = (
        i64,
        i64,
        String,
        String,
        String,
        String,
        i64,
        String,
        String,
        String,
        String,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select w.id, h.id, h.number, f.name, l.period, w.target, w.amount_fen, w.reason, w.status, \
                a.display_name, w.requested_at, w.requested_by \
         from waiver w join bill_line l on l.id = w.line_id join house h on h.id = l.house_id \
         join fee_item f on f.id = l.fee_item_id join account a on a.id = w.requested_by where {condition}"
    ))
    .bind(id)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| WaiverView {
            id: r.0,
            house_id: r.1,
            house_number: r.2,
            item: r.3,
            period: r.4,
            target: r.5,
            amount_fen: r.6,
            reason: r.7,
            may_decide: r.8 == "pending"
                && approver.is_some_and(|me| {
                    rules::second_person(me, rules::MoneyDecision::Waiver { requested_by: r.11 })
                        .is_ok()
                }),
            status: r.8,
            requested_by: r.9,
            requested_at: r.10,
        })
        .collect())
}

/// Why a line is this much, from the inputs it stored.
pub fn explain(basis: &str, lang: Lang) -> String {
    let i18n = I18n(lang);
    let Ok(v) = serde_json::from_str::<serde_json::Value>(basis) else {
        return String::new();
    };
    let s = |k: &str| match &v[k] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let exact = s("exact");
    let rounded = rust_decimal::Decimal::from_str_exact(&exact)
        .ok()
        .and_then(money::round_fen)
        .map(fen_text)
        .unwrap_or_default();
    let days = if s("days") != s("month_days") {
        i18n.f(
            "billing.basis.days",
            &[("days", &s("days")), ("month_days", &s("month_days"))],
        )
    } else {
        String::new()
    };
    match s("kind").as_str() {
        "area" => i18n.f(
            "billing.basis.area",
            &[
                ("area", &s("area")),
                ("rate", &s("rate")),
                ("days", &days),
                ("exact", &exact),
                ("amount", &rounded),
            ],
        ),
        "fixed" if days.is_empty() => i18n.f("billing.basis.fixed_full", &[("amount", &rounded)]),
        "fixed" => i18n.f(
            "billing.basis.fixed",
            &[
                ("rate", &s("rate")),
                ("days", &days),
                ("exact", &exact),
                ("amount", &rounded),
            ],
        ),
        "metered" => {
            let replaced = if v.get("old_final").is_some() {
                i18n.f(
                    "billing.basis.replaced",
                    &[
                        ("old_final", &s("old_final")),
                        ("new_start", &s("new_start")),
                    ],
                )
            } else {
                String::new()
            };
            i18n.f(
                "billing.basis.metered",
                &[
                    ("previous", &s("previous")),
                    ("reading", &s("reading")),
                    ("replaced", &replaced),
                    ("consumption", &s("consumption")),
                    ("rate", &s("rate")),
                    ("exact", &exact),
                    ("amount", &rounded),
                ],
            )
        }
        "late_fee" => i18n.f(
            "billing.basis.late_fee",
            &[("principal", &s("principal")), ("days", &s("days"))],
        ),
        "one_off" => s("note"),
        _ => String::new(),
    }
}

/// A line as the desk shows it (the portal narrows it to [`PortalLine`]).
pub(super) fn line_view(
    l: &LineState,
    policies: &[ledger::LatePolicy],
    today: NaiveDate,
    lang: Lang,
) -> LineView {
    let fee = ledger::line_late_fee(l, policies, today);
    let item = if l.late_fee_of.is_some() {
        I18n(lang).f("billing.late_fee_of", &[("item", &l.item_name)])
    } else {
        l.item_name.clone()
    };
    LineView {
        id: l.id,
        item,
        kind: l.kind.clone(),
        period: l.period.clone(),
        amount_fen: l.amount_fen,
        waived_fen: l.waived_fen,
        outstanding_fen: l.outstanding(),
        late_fee_fen: fee.fen,
        late_days: fee.days,
        overdue: l.outstanding() > 0 && l.due_date.as_str() < time::date_to_db(today).as_str(),
        due_date: l.due_date.clone(),
        explanation: explain(&l.basis, lang),
        is_late_fee: l.late_fee_of.is_some(),
        pending_waiver: l.pending_waiver,
        settled_at: l.settled.as_ref().map(|s| s.at.clone()),
        receipt_no: l.settled.as_ref().and_then(|s| s.receipt_no.clone()),
        payment_id: l.settled.as_ref().and_then(|s| s.payment_id),
        by_prepaid: l.settled.as_ref().is_some_and(|s| s.payment_id.is_none()),
    }
}

/// A house's account: unpaid and settled lines, payments, prepaid balance, waivers.
pub async fn house_account(
    db: &Database,
    house_id: i64,
    lang: Lang,
    approver: Option<i64>,
) -> Result<HouseAccount, AppError> {
    let mut conn = db.pool.acquire().await?;
    let (number, estate_id, estate_name): (String, i64, String) = sqlx::query_as(
        "select h.number, h.estate_id, e.name from house h join estate e on e.id = h.estate_id where h.id = $1",
    )
    .bind(house_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let lines = ledger::house_lines(&mut conn, house_id).await?;
    let policies = ledger::late_policies(&mut *conn, estate_id).await?;
    let today =
        NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").map_err(AppError::internal)?;
    let views: Vec<LineView> = lines
        .iter()
        .map(|l| line_view(l, &policies, today, lang))
        .collect();
    let (unpaid, mut settled): (Vec<LineView>, Vec<LineView>) =
        views.into_iter().partition(|l| l.outstanding_fen > 0);
    // What was owed reads oldest first; what was settled, newest first.
    settled.reverse();
    let balance_fen = ledger::prepaid_balance(&mut conn, house_id).await?;
    // The connection this function holds, never a second one from the pool: a
    // busy portal (every request holding one, waiting for another) would
    // otherwise starve the pool until its timeout.
    let payments = payment_views(
        &mut *conn,
        "p.house_id = $1 order by p.id desc",
        house_id,
        approver,
    )
    .await?;
    let prepaid_rows: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(
        "select e.amount_fen, e.kind, p.receipt_no, e.created_at from prepaid_entry e \
         left join payment p on p.id = e.payment_id where e.house_id = $1 order by e.id desc",
    )
    .bind(house_id)
    .fetch_all(&mut *conn)
    .await?;
    let waivers = waiver_views(
        &mut *conn,
        "h.id = $1 order by w.id desc",
        house_id,
        approver,
    )
    .await?;
    let one_off: Vec<(i64, String)> = sqlx::query_as(
        "select id, name from fee_item where estate_id = $1 and kind = 'one_off' order by name",
    )
    .bind(estate_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(HouseAccount {
        house_id,
        number,
        estate_id,
        estate_name,
        owners: owners(&mut *conn, house_id).await?,
        unpaid_fen: unpaid.iter().map(|l| l.outstanding_fen).sum(),
        late_fen: unpaid.iter().map(|l| l.late_fee_fen).sum(),
        unpaid,
        settled,
        balance_fen,
        payments,
        prepaid: prepaid_rows
            .into_iter()
            .map(|(amount_fen, kind, receipt_no, at)| PrepaidView {
                amount_fen,
                kind,
                receipt_no,
                at,
            })
            .collect(),
        waivers,
        one_off_items: one_off
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect(),
        request_key: new_request_key(),
        can_approve: approver.is_some(),
    })
}

/// A random one-time key for a payment form.
pub fn new_request_key() -> String {
    use std::hash::{BuildHasher, Hasher};
    // Two independently seeded SipHash states: 128 unpredictable bits without another dependency.
    let mut out = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// The names of the house's current owners (a receipt's payer).
pub(super) async fn owners<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
) -> sqlx::Result<String> {
    let names: Vec<(String,)> = sqlx::query_as(
        "select r.name from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.end_date is null and o.role in ('owner', 'co_owner') order by o.id",
    )
    .bind(house_id)
    .fetch_all(ex)
    .await?;
    Ok(names
        .into_iter()
        .map(|(n,)| n)
        .collect::<Vec<_>>()
        .join("、"))
}

/// Payments as the desk shows them; `approver`: the viewer, when a manager,
/// for whom each standing payment says whether they may reverse it.
async fn payment_views<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    condition: &str,
    id: i64,
    approver: Option<i64>,
) -> sqlx::Result<Vec<PaymentView>> {
    type Row = (
        i64,
        String,
        String,
        i64,
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select p.id, p.receipt_no, p.method, p.received_fen, p.lines_fen, p.prepaid_fen, a.display_name, p.created_at, \
                r.reason, m.display_name, r.created_at, p.clerk_id \
         from payment p join account a on a.id = p.clerk_id \
         left join payment_reversal r on r.payment_id = p.id left join account m on m.id = r.reversed_by \
         where {condition}"
    ))
    .bind(id)
    .fetch_all(ex)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PaymentView {
            id: r.0,
            receipt_no: r.1,
            method: r.2,
            received_fen: r.3,
            lines_fen: r.4,
            prepaid_fen: r.5,
            clerk: r.6,
            created_at: r.7,
            may_reverse: r.8.is_none()
                && approver.is_some_and(|me| {
                    rules::second_person(me, rules::MoneyDecision::Reversal { taken_by: r.11 })
                        .is_ok()
                }),
            reversal: r.8.map(|reason| ReversalView {
                reason,
                by: r.9.unwrap_or_default(),
                at: r.10.unwrap_or_default(),
            }),
        })
        .collect())
}

/// The house a payment belongs to, and its estate.
pub async fn payment_house(pool: &AnyPool, payment_id: i64) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as("select house_id, estate_id from payment where id = $1")
        .bind(payment_id)
        .fetch_optional(pool)
        .await
}

/// Records a print of a payment's receipt and answers which copy it is (0 =
/// the original, more = 补打). Counting the earlier prints and recording this
/// one under the payment's house lock: two prints at once cannot both be the
/// original. A write transaction alone is not enough on PostgreSQL (read
/// committed: prints at once each counted the same earlier prints).
pub async fn record_print(db: &Database, payment_id: i64, account: i64) -> sqlx::Result<i64> {
    let mut tx = db.begin_write().await?;
    let (house_id,): (i64,) = sqlx::query_as("select house_id from payment where id = $1")
        .bind(payment_id)
        .fetch_one(&mut *tx)
        .await?;
    crate::db::lock(&mut tx, db.backend, crate::db::LockOn::House(house_id)).await?;
    let (copy,): (i64,) =
        sqlx::query_as("select count(*) from receipt_print where payment_id = $1")
            .bind(payment_id)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "insert into receipt_print (payment_id, printed_by, printed_at) values ($1, $2, $3)",
    )
    .bind(payment_id)
    .bind(account)
    .bind(time::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(copy)
}

/// A receipt as it stands: `copy` counts the prints recorded so far
/// ([`record_print`]; the first is the original, later ones 补打).
pub async fn receipt(db: &Database, payment_id: i64, lang: Lang) -> Result<ReceiptView, AppError> {
    let p = payment_views(&db.pool, "p.id = $1", payment_id, None)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let (house_id, estate_name, house_number): (i64, String, String) = sqlx::query_as(
        "select h.id, e.name, h.number from payment p join house h on h.id = p.house_id \
         join estate e on e.id = p.estate_id where p.id = $1",
    )
    .bind(payment_id)
    .fetch_one(&db.pool)
    .await?;
    let items: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "select f.name, l.period, s.amount_fen, l.late_fee_of from settlement s join bill_line l on l.id = s.line_id \
         join fee_item f on f.id = l.fee_item_id where s.payment_id = $1 order by l.due_date, l.period, l.id",
    )
    .bind(payment_id)
    .fetch_all(&db.pool)
    .await?;
    let (copy,): (i64,) =
        sqlx::query_as("select count(*) from receipt_print where payment_id = $1")
            .bind(payment_id)
            .fetch_one(&db.pool)
            .await?;
    Ok(ReceiptView {
        payment_id,
        receipt_no: p.receipt_no,
        estate_name,
        house_id,
        house_number,
        payer: owners(&db.pool, house_id).await?,
        items: items
            .into_iter()
            .map(|(item, period, amount_fen, late)| ReceiptItem {
                item: if late.is_some() {
                    I18n(lang).f("billing.late_fee_of", &[("item", &item)])
                } else {
                    item
                },
                period,
                amount_fen,
            })
            .collect(),
        prepaid_fen: p.prepaid_fen,
        received_fen: p.received_fen,
        capitals: money::capitals(p.received_fen),
        method: p.method,
        clerk: p.clerk,
        created_at: p.created_at,
        copy,
        reversal: p.reversal,
    })
}

/// The daily-close page: the caller's day, and for managers every clerk's days.
pub async fn daily_close_page(
    db: &Database,
    clerk_id: i64,
    clerk_name: &str,
    scope: Option<&EstateScope>,
) -> Result<DailyClosePage, AppError> {
    let today = time::desk_today();
    let mut conn = db.pool.acquire().await?;
    let totals = ledger::day_totals(&mut conn, clerk_id, &today, None).await?;
    let closed: Option<(String,)> = sqlx::query_as(
        "select closed_at from daily_close where clerk_id = $1 and business_day = $2",
    )
    .bind(clerk_id)
    .bind(&today)
    .fetch_optional(&mut *conn)
    .await?;
    let mine = DayView {
        clerk_id,
        clerk: clerk_name.to_string(),
        day: today.clone(),
        payments_count: totals.payments_count,
        received_fen: totals.received_fen,
        reversals_count: totals.reversals_count,
        reversed_fen: totals.reversed_fen,
        by_method: totals.by_method,
        closed_at: closed.map(|(c,)| c),
    };
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
             where p.business_day >= $1{} order by p.business_day desc, a.display_name",
            estate_filter(scope, "p.estate_id")
        ))
        .bind(&since)
        .fetch_all(&mut *conn)
        .await?;
        for (clerk, name, day) in days.into_iter().take(100) {
            let t = ledger::day_totals(&mut conn, clerk, &day, Some(scope)).await?;
            let closed: Option<(String,)> = sqlx::query_as(
                "select closed_at from daily_close where clerk_id = $1 and business_day = $2",
            )
            .bind(clerk)
            .bind(&day)
            .fetch_optional(&mut *conn)
            .await?;
            others.push(DayView {
                clerk_id: clerk,
                clerk: name,
                day,
                payments_count: t.payments_count,
                received_fen: t.received_fen,
                reversals_count: t.reversals_count,
                reversed_fen: t.reversed_fen,
                by_method: t.by_method,
                closed_at: closed.map(|(c,)| c),
            });
        }
    }
    Ok(DailyClosePage {
        mine,
        my_payments,
        others,
        is_manager: scope.is_some(),
    })
}

/// A payment notice (缴费通知单) for a house: what it owes, by item and period.
pub async fn notice(db: &Database, house_id: i64, lang: Lang) -> Result<NoticeView, AppError> {
    let account = house_account(db, house_id, lang, None).await?;
    let due_by = account
        .unpaid
        .iter()
        .map(|l| l.due_date.clone())
        .max()
        .unwrap_or_default();
    Ok(NoticeView {
        house_id,
        estate_name: account.estate_name,
        house_number: account.number,
        owners: account.owners,
        total_fen: account.unpaid_fen,
        late_fen: account.late_fen,
        balance_fen: account.balance_fen,
        lines: account.unpaid,
        due_by,
        issued_on: time::desk_today(),
    })
}

/// The houses of a building that were ever billed, in house-number order
/// (the notices then keep those that owe something); one more than
/// [`rules::MAX_HOUSES_PER_BUILDING`] at most, so a caller can tell it is over.
pub async fn building_debtors(pool: &AnyPool, building_id: i64) -> sqlx::Result<(i64, Vec<i64>)> {
    let estate: Option<(i64,)> = sqlx::query_as("select estate_id from building where id = $1")
        .bind(building_id)
        .fetch_optional(pool)
        .await?;
    let Some((estate_id,)) = estate else {
        return Ok((0, Vec::new()));
    };
    let houses: Vec<(i64,)> = sqlx::query_as(
        "select h.id from house h where h.building_id = $1 \
         and exists (select 1 from bill_line l where l.house_id = h.id) order by h.entrance, h.floor, h.number \
         limit $2",
    )
    .bind(building_id)
    .bind(rules::MAX_HOUSES_PER_BUILDING as i64 + 1)
    .fetch_all(pool)
    .await?;
    Ok((estate_id, houses.into_iter().map(|(id,)| id).collect()))
}

pub async fn reading_grid(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted_estate: i64,
    fee_item_id: i64,
    building_id: i64,
    period: &str,
) -> sqlx::Result<ReadingGrid> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted_estate).await?;
    let items: Vec<(i64, String)> = sqlx::query_as(
        "select id, name from fee_item where estate_id = $1 and kind = 'metered' order by id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let buildings: Vec<(i64, String)> = sqlx::query_as(
        "select id, name from building where estate_id = $1 order by length(code), code",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let item = items
        .iter()
        .find(|i| i.0 == fee_item_id)
        .or(items.first())
        .map(|i| i.0)
        .unwrap_or(0);
    let building = buildings
        .iter()
        .find(|b| b.0 == building_id)
        .or(buildings.first())
        .map(|b| b.0)
        .unwrap_or(0);
    let period = Period::parse(period).unwrap_or_else(|| {
        Period::parse(&this_month()).unwrap_or(Period {
            year: 2026,
            month: 1,
        })
    });
    // house, number, last reading before the period, this period's previous and reading, lines billed
    type Row = (i64, String, Option<i64>, Option<i64>, Option<i64>, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "select h.id, h.number, \
                (select m.reading_centi from meter_reading m where m.house_id = h.id and m.fee_item_id = $2 \
                   and m.period < $3 order by m.period desc limit 1), \
                cur.previous_centi, cur.reading_centi, \
                (select count(*) from bill_line l where l.house_id = h.id and l.fee_item_id = $2 and l.period = $3 and l.line_key = '') \
         from house h left join meter_reading cur on cur.house_id = h.id and cur.fee_item_id = $2 and cur.period = $3 \
         where h.building_id = $1 order by h.entrance, h.floor, h.number",
    )
    .bind(building)
    .bind(item)
    .bind(period.to_string())
    .fetch_all(pool)
    .await?;
    let centi = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    Ok(ReadingGrid {
        estate_id,
        estates,
        items: items
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect(),
        buildings: buildings
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect(),
        fee_item_id: item,
        building_id: building,
        period: period.to_string(),
        rows: rows
            .into_iter()
            .map(
                |(house_id, number, before, prev_now, reading, billed)| ReadingRow {
                    house_id,
                    number,
                    previous: centi(prev_now.or(before).unwrap_or(0)),
                    reading: reading.map(centi).unwrap_or_default(),
                    billed: billed > 0,
                },
            )
            .collect(),
    })
}

/// One typed reading: the house, the reading, and a replacement's two figures.
#[derive(Debug, Clone, Default)]
pub struct ReadingEntry {
    pub house_id: i64,
    pub reading: String,
    pub old_final: String,
    pub new_start: String,
}

/// Parses a reading (up to two decimals, not negative) to 0.01 units.
pub fn parse_reading(text: &str) -> Option<i64> {
    let d = money::parse_rate(text, 2).ok()?;
    money::round_fen(d)
}

/// Saves a period's readings for one metered item from the desk's grid, all
/// or nothing; the refusals are listed by house number.
#[allow(clippy::too_many_arguments)]
pub async fn save_readings(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    fee_item_id: i64,
    period_text: &str,
    entries: &[ReadingEntry],
    account_id: Option<i64>,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<usize, AppError> {
    let period = Period::parse(period_text)
        .ok_or_else(|| AppError::field("period", tr(lang, "billing.invalid.period")))?;
    // The grid saves one building's houses: more is not a grid's, and would
    // hold the write transaction for as long as it takes.
    if entries.len() > rules::MAX_HOUSES_PER_BUILDING {
        return Err(AppError::field(
            "readings",
            I18n(lang).f(
                "billing.invalid.readings_too_many",
                &[
                    ("max", &rules::MAX_HOUSES_PER_BUILDING.to_string()),
                    ("count", &entries.len().to_string()),
                ],
            ),
        ));
    }
    let mut tx = db.begin_write().await?;
    let estate_id = metered_item_estate(&mut tx, lang, fee_item_id).await?;
    check_estate(estate_id)?;
    let (saved, problems) = write_readings(
        &mut tx,
        lang,
        estate_id,
        fee_item_id,
        period,
        entries,
        account_id,
    )
    .await?;
    if !problems.is_empty() {
        return Err(AppError::field(
            "readings",
            problems
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("；"),
        ));
    }
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::MeterReading,
            entity_id: Some(fee_item_id.to_string()),
            action: crate::common::AuditAction::SaveReadings,
            before: None,
            after: Some(serde_json::json!({ "period": period.to_string(), "count": saved })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

async fn metered_item_estate(
    tx: &mut crate::db::Tx,
    lang: Lang,
    fee_item_id: i64,
) -> Result<i64, AppError> {
    let (estate_id, kind): (i64, String) =
        sqlx::query_as("select estate_id, kind from fee_item where id = $1")
            .bind(fee_item_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::NotFound)?;
    if kind != "metered" {
        return Err(AppError::field(
            "fee_item_id",
            tr(lang, "billing.invalid.item"),
        ));
    }
    Ok(estate_id)
}

/// Checks and writes readings inside the caller's transaction; returns how
/// many were written and the refusals by entry index (the caller rolls back
/// when there are any).
async fn write_readings(
    tx: &mut crate::db::Tx,
    lang: Lang,
    estate_id: i64,
    fee_item_id: i64,
    period: Period,
    entries: &[ReadingEntry],
    account_id: Option<i64>,
) -> Result<(usize, Vec<(usize, String)>), AppError> {
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut saved = 0;
    let now = time::now();
    // A run reads the period's readings when it starts: none may change under it.
    let running: Option<(i64,)> = sqlx::query_as(
        "select id from bill_run where estate_id = $1 and period = $2 and status = 'running'",
    )
    .bind(estate_id)
    .bind(period.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    if running.is_some() {
        return Err(AppError::Rule(tr(lang, "billing.invalid.run_running")));
    }
    for (index, e) in entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.reading.trim().is_empty())
    {
        let house: Option<(i64, String)> =
            sqlx::query_as("select estate_id, number from house where id = $1")
                .bind(e.house_id)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((_, number)) = house.filter(|h| h.0 == estate_id) else {
            problems.push((index, tr(lang, "billing.invalid.not_this_house")));
            continue;
        };
        let Some(reading) = parse_reading(&e.reading) else {
            problems.push((
                index,
                I18n(lang).f("billing.invalid.reading_nan", &[("house", &number)]),
            ));
            continue;
        };
        let (old_final, new_start) = match (e.old_final.trim(), e.new_start.trim()) {
            ("", "") => (None, None),
            (o, s) => {
                let (o, s) = (parse_reading(o), parse_reading(s));
                if o.is_none() || s.is_none() {
                    problems.push((
                        index,
                        I18n(lang).f(
                            "billing.invalid.replacement_incomplete",
                            &[("house", &number)],
                        ),
                    ));
                    continue;
                }
                (o, s)
            }
        };
        let billed: (i64,) = sqlx::query_as(
            "select count(*) from bill_line where house_id = $1 and fee_item_id = $2 and period = $3 and line_key = ''",
        )
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .fetch_one(&mut **tx)
        .await?;
        if billed.0 > 0 {
            problems.push((
                index,
                I18n(lang).f("billing.invalid.reading_billed", &[("house", &number)]),
            ));
            continue;
        }
        let previous: Option<(i64,)> = sqlx::query_as(
            "select reading_centi from meter_reading where house_id = $1 and fee_item_id = $2 and period < $3 \
             order by period desc limit 1",
        )
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .fetch_optional(&mut **tx)
        .await?;
        let r = rules::Reading {
            previous: previous.map(|p| p.0).unwrap_or(0),
            reading,
            old_final,
            new_start,
        };
        if let Err(err) = rules::check_reading(&r) {
            let key = match err {
                rules::ReadingError::BelowPrevious => "billing.invalid.reading_below",
                rules::ReadingError::OldFinalBelowPrevious => "billing.invalid.old_final_below",
                rules::ReadingError::BelowNewStart => "billing.invalid.below_new_start",
                rules::ReadingError::ReplacementIncomplete => {
                    "billing.invalid.replacement_incomplete"
                }
            };
            problems.push((
                index,
                I18n(lang).f(
                    key,
                    &[
                        ("house", &number),
                        (
                            "previous",
                            &format!("{}.{:02}", r.previous / 100, r.previous % 100),
                        ),
                    ],
                ),
            ));
            continue;
        }
        // A reading not yet billed may be typed again: the latest one counts.
        sqlx::query(
            "delete from meter_reading where house_id = $1 and fee_item_id = $2 and period = $3",
        )
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "insert into meter_reading (estate_id, house_id, fee_item_id, period, previous_centi, reading_centi, \
                                        old_final_centi, new_start_centi, entered_by, entered_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(estate_id)
        .bind(e.house_id)
        .bind(fee_item_id)
        .bind(period.to_string())
        .bind(r.previous)
        .bind(r.reading)
        .bind(r.old_final)
        .bind(r.new_start)
        .bind(account_id)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        saved += 1;
    }
    Ok((saved, problems))
}

/// The columns of a readings file.
pub const READING_COLUMNS: [(&str, &str, &str); 4] = [
    ("house_number", "房号", "House number"),
    ("reading", "本次读数", "Reading"),
    ("old_final", "旧表止数", "Old meter final"),
    ("new_start", "新表起数", "New meter start"),
];

/// Imports a period's readings for one metered item from a file's rows, all or
/// nothing, and records the attempt with its row report; returns the attempt's id.
#[allow(clippy::too_many_arguments)]
pub async fn import_readings(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    fee_item_id: i64,
    period_text: &str,
    file_name: &str,
    read: Result<Vec<crate::sheet::read::RawRow>, crate::sheet::read::FileProblem>,
    account_id: Option<i64>,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<i64, AppError> {
    use crate::sheet::Problem as ImportProblem;
    let period = Period::parse(period_text)
        .ok_or_else(|| AppError::field("period", tr(lang, "billing.invalid.period")))?;
    let mut tx = db.begin_write().await?;
    let estate_id = metered_item_estate(&mut tx, lang, fee_item_id).await?;
    check_estate(estate_id)?;
    let mut problems: Vec<ImportProblem> = Vec::new();
    let mut saved = 0;
    match read {
        Err(p) => problems.push(crate::sheet::read::file_problem(lang, p)),
        Ok(rows) => {
            let header = |key: &str| {
                READING_COLUMNS
                    .iter()
                    .find(|(k, ..)| *k == key)
                    .map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
                    .unwrap_or_default()
                    .to_string()
            };
            let mut entries = Vec::new();
            let mut origin = Vec::new();
            for row in &rows {
                let number = row.get("house_number").to_string();
                let house: Option<(i64,)> =
                    sqlx::query_as("select id from house where estate_id = $1 and number = $2")
                        .bind(estate_id)
                        .bind(&number)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((house_id,)) = house else {
                    problems.push(ImportProblem {
                        sheet: row.sheet.clone(),
                        row: row.row,
                        column: header("house_number"),
                        reason: I18n(lang)
                            .f("billing.invalid.no_such_house", &[("house", &number)]),
                    });
                    continue;
                };
                if row.get("reading").is_empty() {
                    problems.push(ImportProblem {
                        sheet: row.sheet.clone(),
                        row: row.row,
                        column: header("reading"),
                        reason: I18n(lang).f("billing.invalid.reading_nan", &[("house", &number)]),
                    });
                    continue;
                }
                entries.push(ReadingEntry {
                    house_id,
                    reading: row.get("reading").to_string(),
                    old_final: row.get("old_final").to_string(),
                    new_start: row.get("new_start").to_string(),
                });
                origin.push(row);
            }
            let (n, refused) = write_readings(
                &mut tx,
                lang,
                estate_id,
                fee_item_id,
                period,
                &entries,
                account_id,
            )
            .await?;
            saved = n;
            for (index, reason) in refused {
                let row = origin[index];
                problems.push(ImportProblem {
                    sheet: row.sheet.clone(),
                    row: row.row,
                    column: header("reading"),
                    reason,
                });
            }
            if rows.is_empty() {
                problems.push(ImportProblem {
                    sheet: String::new(),
                    row: 0,
                    column: String::new(),
                    reason: tr(lang, "billing.invalid.empty_file"),
                });
            }
        }
    }
    problems.sort_by_key(|p| p.row);
    let imported = problems.is_empty();
    if !imported {
        // Nothing of the file is kept: only the attempt and its report.
        drop(tx);
        tx = db.begin_write().await?;
        saved = 0;
    }
    let (id,): (i64,) = sqlx::query_as(
        "insert into reading_import (estate_id, fee_item_id, period, file_name, status, readings, problems, created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(estate_id)
    .bind(fee_item_id)
    .bind(period.to_string())
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(if imported { "imported" } else { "rejected" })
    .bind(saved as i64)
    .bind(serde_json::to_string(&problems).map_err(AppError::internal)?)
    .bind(account_id)
    .bind(time::now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::MeterReading,
            entity_id: Some(fee_item_id.to_string()),
            action: if imported { crate::common::AuditAction::ImportReadings } else { crate::common::AuditAction::RejectReadings },
            before: None,
            after: Some(serde_json::json!({ "period": period.to_string(), "file": file_name, "count": saved, "problems": problems.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An import attempt's report and its estate.
pub async fn reading_import(pool: &AnyPool, id: i64) -> sqlx::Result<Option<(i64, ReadingImport)>> {
    let row: Option<(i64, String, String, String, i64, String)> = sqlx::query_as(
        "select estate_id, file_name, status, period, readings, problems from reading_import where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(estate_id, file_name, status, period, readings, problems)| {
            (
                estate_id,
                ReadingImport {
                    id,
                    file_name,
                    imported: status == "imported",
                    period,
                    readings,
                    problems: serde_json::from_str(&problems).unwrap_or_default(),
                },
            )
        },
    ))
}
