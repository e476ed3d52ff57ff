//! The documents the desk prints: receipts (and the count of their prints,
//! for 补打) and payment notices (缴费通知单).

use sqlx::AnyPool;

use super::account::{house_account, payment_views};
use super::item_name;
use crate::billing::{money, rules, NoticeView, ReceiptItem, ReceiptView};
use crate::common::Lang;
use crate::db::audit::Actor;
use crate::db::{time, Database, LockOn};
use crate::error::AppError;
use crate::i18n::I18n;

/// Records a print of a payment's receipt by `actor` and answers which copy
/// it is (0 = the original, more = 补打). Counting the earlier prints and
/// recording this one under the payment's house lock: two prints at once
/// cannot both be the original. A write transaction alone is not enough on
/// PostgreSQL (read committed: prints at once each counted the same earlier prints).
pub async fn record_print(db: &Database, actor: &Actor, payment_id: i64) -> sqlx::Result<i64> {
    let mut w = db.write(actor.clone()).await?;
    let (house_id,): (i64,) = sqlx::query_as("select house_id from payment where id = $1")
        .bind(payment_id)
        .fetch_one(&mut *w)
        .await?;
    w.lock(LockOn::House(house_id)).await?;
    let (copy,): (i64,) =
        sqlx::query_as("select count(*) from receipt_print where payment_id = $1")
            .bind(payment_id)
            .fetch_one(&mut *w)
            .await?;
    sqlx::query(
        "insert into receipt_print (payment_id, printed_by, printed_at) values ($1, $2, $3)",
    )
    .bind(payment_id)
    .bind(actor.account_id)
    .bind(time::now())
    .execute(&mut *w)
    .await?;
    w.commit().await?;
    Ok(copy)
}

/// What a payment settled, as its receipt lists it, oldest due first: not the
/// deductions a refund later settled out of the deposit it brought in.
pub(crate) async fn receipt_items<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    payment_id: i64,
    lang: Lang,
) -> sqlx::Result<Vec<ReceiptItem>> {
    let items: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "select f.name, l.period, s.amount_fen, l.late_fee_of from settlement s join bill_line l on l.id = s.line_id \
         join fee_item f on f.id = l.fee_item_id where s.payment_id = $1 and s.refund_id is null \
         order by l.due_date, l.period, l.id",
    )
    .bind(payment_id)
    .fetch_all(ex)
    .await?;
    Ok(items
        .into_iter()
        .map(|(item, period, amount_fen, late)| ReceiptItem {
            item: item_name(lang, item, late.is_some()),
            period,
            amount_fen,
        })
        .collect())
}

/// A receipt as it stands: `copy` counts the prints recorded so far
/// ([`record_print`]; the first is the original, later ones 补打). It names
/// the payer stored with the payment, never the house's owners of today.
pub async fn receipt(pool: &AnyPool, payment_id: i64, lang: Lang) -> Result<ReceiptView, AppError> {
    let p = payment_views(pool, "p.id = $1", payment_id, None)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let (house_id, estate_name, house_number): (i64, String, String) = sqlx::query_as(
        "select h.id, e.name, h.number from payment p join house h on h.id = p.house_id \
         join estate e on e.id = p.estate_id where p.id = $1",
    )
    .bind(payment_id)
    .fetch_one(pool)
    .await?;
    let items = receipt_items(pool, payment_id, lang).await?;
    let (copy,): (i64,) =
        sqlx::query_as("select count(*) from receipt_print where payment_id = $1")
            .bind(payment_id)
            .fetch_one(pool)
            .await?;
    Ok(ReceiptView {
        payment_id,
        receipt_no: p.receipt_no,
        estate_name,
        house_id,
        house_number,
        payer: p.payer,
        items,
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

/// A payment notice (缴费通知单) for a house: what it owes, by item and period.
pub async fn notice(pool: &AnyPool, house_id: i64, lang: Lang) -> Result<NoticeView, AppError> {
    let account = house_account(pool, house_id, lang, None).await?;
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
        // A notice asks for what is owed: no deposit.
        lines: account.unpaid.into_iter().filter(|l| !l.held).collect(),
        due_by,
        issued_on: time::desk_today(),
    })
}

/// The houses of a building that were ever billed, in house-number order
/// (the notices then keep those that owe something); one more than
/// [`rules::MAX_HOUSES_PER_BUILDING`] at most, so a caller can tell it is
/// over. `None`: no such building; else its estate and the houses.
pub async fn building_debtors(
    pool: &AnyPool,
    building_id: i64,
) -> sqlx::Result<Option<(i64, Vec<i64>)>> {
    let estate: Option<(i64,)> = sqlx::query_as("select estate_id from building where id = $1")
        .bind(building_id)
        .fetch_optional(pool)
        .await?;
    let Some((estate_id,)) = estate else {
        return Ok(None);
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
    Ok(Some((
        estate_id,
        houses.into_iter().map(|(id,)| id).collect(),
    )))
}

/// The notices of a building's houses that owe something. Each notice is a
/// house's whole account, so a batch is one building's at most: a building
/// with more houses than any has is refused before any notice is worked out.
pub async fn building_notices(
    pool: &AnyPool,
    building_id: i64,
    lang: Lang,
    check_estate: impl Fn(i64) -> Result<(), AppError>,
) -> Result<Vec<NoticeView>, AppError> {
    let (estate_id, houses) = building_debtors(pool, building_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_estate(estate_id)?;
    let max = rules::MAX_HOUSES_PER_BUILDING;
    if houses.len() > max {
        return Err(AppError::Rule(I18n(lang).f(
            "billing.invalid.notices_too_many",
            &[("max", &max.to_string())],
        )));
    }
    let mut notices = Vec::new();
    for id in houses {
        let n = notice(pool, id, lang).await?;
        if n.total_fen > 0 {
            notices.push(n);
        }
    }
    Ok(notices)
}
