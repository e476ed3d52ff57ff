//! Fee setup (收费设置): an estate's fee items, their rates, and its
//! late-fee policy — the page's read and its three writes.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::AnyPool;

use super::{parse_day, this_month};
use crate::billing::rules::{self, RatePlan};
use crate::billing::{
    ledger, money, FeeItemView, FeeKind, FeeSetup, LatePolicyView, RateUse, RateView,
};
use crate::common::{AuditAction, AuditEntity, EstateScope, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{scoped_estates, time, Database, OnUnique};
use crate::error::{AppError, FieldError};
use crate::i18n::{tr, I18n};

/// A rate as stored: its figure and days as text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RateRow {
    pub id: i64,
    pub fee_item_id: i64,
    pub use_kind: RateUse,
    pub rate: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
}

impl RateRow {
    /// The rate as the rules take it (`None` if its figures do not read).
    pub fn rate(&self) -> Option<rules::Rate> {
        Some(rules::Rate {
            id: self.id,
            use_kind: self.use_kind,
            rate: Decimal::from_str(&self.rate).ok()?,
            from: NaiveDate::parse_from_str(&self.effective_from, "%Y-%m-%d").ok()?,
            to: self
                .effective_to
                .as_deref()
                .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()),
        })
    }

    /// The rate as the fee setup page shows it.
    fn view(&self) -> RateView {
        RateView {
            id: self.id,
            use_kind: self.use_kind,
            rate: self.rate.clone(),
            effective_from: self.effective_from.clone(),
            effective_to: self.effective_to.clone(),
        }
    }
}

/// The fee setup page of the estate asked for (or the caller's first).
pub async fn fee_setup(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    can_manage: bool,
) -> sqlx::Result<FeeSetup> {
    let (estates, estate_id) = scoped_estates(pool, scope, wanted).await?;
    let mut items: Vec<FeeItemView> = sqlx::query_as(
        "select id, name, kind, due_days, unit, held from fee_item where estate_id = $1 order by id",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    let rates: Vec<RateRow> = sqlx::query_as(
        "select r.id, r.fee_item_id, r.use_kind, r.rate, r.effective_from, r.effective_to from fee_rate r \
         join fee_item f on f.id = r.fee_item_id where f.estate_id = $1 order by r.use_kind, r.effective_from",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    for item in &mut items {
        item.rates = rates
            .iter()
            .filter(|r| r.fee_item_id == item.id)
            .map(RateRow::view)
            .collect();
    }
    let late_policies: Vec<LatePolicyView> = sqlx::query_as(
        "select daily_rate, grace_days, effective_from, effective_to from late_fee_policy \
         where estate_id = $1 order by effective_from",
    )
    .bind(estate_id)
    .fetch_all(pool)
    .await?;
    Ok(FeeSetup {
        estate_id,
        estates,
        items,
        late_policies,
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
    let item = rules::check_fee_item(name, kind, due_days, unit).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|(field, key)| FieldError {
                    field: field.into(),
                    message: tr(lang, key),
                })
                .collect(),
        )
    })?;
    let mut w = db.write(actor.clone()).await?;
    // Names are unique within an estate.
    let (id,): (i64,) = sqlx::query_as(
        "insert into fee_item (estate_id, name, kind, due_days, unit, held, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(estate_id)
    .bind(&item.name)
    .bind(item.kind)
    .bind(item.due_days)
    .bind(&item.unit)
    .bind(i64::from(item.held))
    .bind(time::now())
    .fetch_one(&mut *w)
    .await
    .on_unique(|| AppError::field("name", tr(lang, "billing.invalid.name_taken")))?;
    w.audit(
        Change::new(AuditAction::CreateFeeItem, AuditEntity::FeeItem)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({
                "name": item.name, "kind": item.kind, "due_days": item.due_days, "held": item.held,
            })),
    )
    .await?;
    w.commit().await?;
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
    let use_kind = RateUse::parse(use_kind)
        .ok_or_else(|| AppError::field("use_kind", tr(lang, "billing.invalid.use_kind")))?;
    let value = money::parse_rate(rate, 4)
        .map_err(|e| AppError::field("rate", ledger::amount_message(lang, e)))?;
    let from_day = parse_day(lang, "effective_from", from)?;
    if !rules::starts_a_month(from_day) {
        return Err(AppError::field(
            "effective_from",
            tr(lang, "billing.invalid.month_start"),
        ));
    }
    let to_day = match to.trim() {
        "" => None,
        t => {
            let d = parse_day(lang, "effective_to", t)?;
            if !rules::ends_a_month(d, from_day) {
                return Err(AppError::field(
                    "effective_to",
                    tr(lang, "billing.invalid.month_end"),
                ));
            }
            Some(d)
        }
    };
    let mut w = db.write(actor.clone()).await?;
    let (estate_id, kind): (i64, FeeKind) =
        sqlx::query_as("select estate_id, kind from fee_item where id = $1")
            .bind(fee_item_id)
            .fetch_optional(&mut *w)
            .await?
            .ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    let existing: Vec<RateRow> = sqlx::query_as(
        "select id, fee_item_id, use_kind, rate, effective_from, effective_to from fee_rate where fee_item_id = $1",
    )
    .bind(fee_item_id)
    .fetch_all(&mut *w)
    .await?;
    let existing: Vec<rules::Rate> = existing.iter().filter_map(RateRow::rate).collect();
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
                .execute(&mut *w)
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
    .execute(&mut *w)
    .await?;
    w.audit(
        Change::new(AuditAction::AddRate, AuditEntity::FeeItem)
            .id(fee_item_id)
            .estate(estate_id)
            .after(serde_json::json!({
                "kind": kind, "use_kind": use_kind, "rate": value.to_string(),
                "from": time::date_to_db(from_day), "to": to_day.map(time::date_to_db),
            })),
    )
    .await?;
    w.commit().await?;
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
    if !rules::daily_rate_ok(rate) {
        return Err(AppError::field(
            "daily_rate",
            tr(lang, "billing.invalid.daily_rate"),
        ));
    }
    let grace = rules::parse_days(grace_days)
        .ok_or_else(|| AppError::field("grace_days", tr(lang, "billing.invalid.grace_days")))?;
    let from_day = parse_day(lang, "effective_from", from)?;
    let mut w = db.write(actor.clone()).await?;
    let later: Option<(String,)> = sqlx::query_as(
        "select effective_from from late_fee_policy where estate_id = $1 and effective_from >= $2",
    )
    .bind(estate_id)
    .bind(time::date_to_db(from_day))
    .fetch_optional(&mut *w)
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
        .execute(&mut *w)
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
    .execute(&mut *w)
    .await?;
    w.audit(
        Change::new(AuditAction::SetLatePolicy, AuditEntity::LateFeePolicy)
            .estate(estate_id)
            .after(serde_json::json!({
                "daily_rate": rate.to_string(), "grace_days": grace, "from": time::date_to_db(from_day),
            })),
    )
    .await?;
    w.commit().await?;
    Ok(())
}
