//! One-off charges (一次性收费): a deposit, a paid repair, anything billed
//! once, raised on a house as a bill line of its own — from the desk, or
//! inside another area's write (a paid repair's finish).

use chrono::NaiveDate;

use super::basis::Basis;
use super::FeeKind;
use crate::common::{AuditAction, AuditEntity, Fen, HouseId, Lang};
use crate::db::audit::{Actor, Change};
use crate::db::{time, Database, Write};
use crate::error::AppError;
use crate::i18n::{tr, I18n};

/// Raises a one-off charge on a house, due the item's `due_days` after
/// today, in a write of its own. `key` makes it idempotent (e.g.
/// `ticket:42`): raising the same key twice creates one line.
#[allow(clippy::too_many_arguments)]
pub async fn raise_one_off(
    db: &Database,
    actor: &Actor,
    lang: Lang,
    house: HouseId,
    fee_item_id: i64,
    amount: Fen,
    key: &str,
    note: &str,
) -> Result<i64, AppError> {
    let mut w = db.write(actor.clone()).await?;
    let id = raise_one_off_in(&mut w, lang, house, fee_item_id, amount, key, note).await?;
    w.commit().await?;
    Ok(id)
}

/// [`raise_one_off`] inside the caller's write, for a charge that must stand
/// or fall with another write (a paid repair's finish). The line is the
/// write's author's (`created_by`), and so is the audit entry.
pub async fn raise_one_off_in(
    w: &mut Write,
    lang: Lang,
    house: HouseId,
    fee_item_id: i64,
    amount: Fen,
    key: &str,
    note: &str,
) -> Result<i64, AppError> {
    let (estate_id,): (i64,) = sqlx::query_as("select estate_id from house where id = $1")
        .bind(house)
        .fetch_optional(&mut **w)
        .await?
        .ok_or(AppError::NotFound)?;
    let item: Option<(FeeKind, i64, i64)> =
        sqlx::query_as("select kind, due_days, estate_id from fee_item where id = $1")
            .bind(fee_item_id)
            .fetch_optional(&mut **w)
            .await?;
    let due_days = match item {
        Some((FeeKind::OneOff, due_days, item_estate)) if item_estate == estate_id => due_days,
        _ => {
            return Err(AppError::field(
                "fee_item_id",
                tr(lang, "billing.invalid.item"),
            ))
        }
    };
    let today = time::desk_today();
    let due = NaiveDate::parse_from_str(&today, "%Y-%m-%d").map_err(AppError::internal)?
        + chrono::Duration::days(due_days);
    let note = super::rules::clip(note, 200);
    let basis = Basis::OneOff { note: note.clone() };
    let now = time::now();
    let created_by = w.actor().account_id;
    let inserted: Option<(i64,)> = sqlx::query_as(
        "insert into bill_line (estate_id, house_id, fee_item_id, period, line_key, amount_fen, due_date, basis, \
                                created_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict do nothing returning id",
    )
    .bind(estate_id)
    .bind(house)
    .bind(fee_item_id)
    .bind(&today[..7])
    .bind(key)
    .bind(amount)
    .bind(time::date_to_db(due))
    .bind(basis.to_json())
    .bind(created_by)
    .bind(&now)
    .fetch_optional(&mut **w)
    .await?;
    let Some((id,)) = inserted else {
        return Err(AppError::Conflict(
            I18n(lang).f("billing.invalid.one_off_exists", &[("key", key)]),
        ));
    };
    w.audit(
        Change::new(AuditAction::RaiseCharge, AuditEntity::BillLine)
            .id(id)
            .estate(estate_id)
            .after(serde_json::json!({ "house_id": house, "amount_fen": amount, "note": note })),
    )
    .await?;
    Ok(id)
}
