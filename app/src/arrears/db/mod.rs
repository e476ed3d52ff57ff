//! Arrears' reads and writes (server only): the ageing in [`ageing`], its
//! pages' reads here, their spreadsheets in [`export`].

pub mod ageing;
pub mod chase;
pub mod export;

use chrono::NaiveDate;
use sqlx::AnyPool;

use crate::arrears::{Ageing, AgeingHouses, AgeingRow, Bucket};
use crate::common::{Caller, Choice, Lang};
use crate::db::scope::scoped_estates;
use crate::db::time;
use crate::error::AppError;
use crate::i18n::tr;

/// The day asked for (`YYYY-MM-DD`; empty: today), never after today.
fn as_of(lang: Lang, text: &str) -> Result<NaiveDate, AppError> {
    let today = NaiveDate::parse_from_str(&time::desk_today(), "%Y-%m-%d").unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Ok(today);
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) if d <= today => Ok(d),
        Ok(_) => Err(AppError::field(
            "as_of",
            tr(lang, "arrears.invalid.as_of_future"),
        )),
        Err(_) => Err(AppError::field("as_of", tr(lang, "arrears.invalid.as_of"))),
    }
}

/// The estate's ageing by building, as of a day (`/desk/arrears`).
pub async fn ageing(
    pool: &AnyPool,
    caller: &Caller,
    estate_wanted: i64,
    as_of_text: &str,
) -> Result<Ageing, AppError> {
    let day = as_of(caller.lang, as_of_text)?;
    let (estates, estate_id) = scoped_estates(pool, &caller.scope, estate_wanted).await?;
    let owed = ageing::owed(pool, estate_id, None, day).await?;
    let mut by_building = ageing::rows_by(&owed, |o| o.building_id);
    let buildings: Vec<Choice> =
        sqlx::query_as("select id, name from building where estate_id = $1 order by code")
            .bind(estate_id)
            .fetch_all(pool)
            .await?;
    let rows: Vec<AgeingRow> = buildings
        .into_iter()
        .map(|b| {
            let mut row = by_building
                .remove(&b.id)
                .unwrap_or_else(|| ageing::empty_row(b.id, String::new()));
            row.name = b.name;
            row
        })
        .collect();
    let estate_name = estates
        .iter()
        .find(|e| e.id == estate_id)
        .map(|e| e.name.clone())
        .unwrap_or_default();
    let estate = ageing::sum_rows(estate_id, estate_name, rows.iter());
    Ok(Ageing {
        estates,
        estate_id,
        as_of: time::date_to_db(day),
        today: time::desk_today(),
        buildings: rows,
        estate,
    })
}

/// The houses owing in an estate or one of its buildings — in one bucket,
/// if given — oldest arrears first, then the largest.
pub async fn houses(
    pool: &AnyPool,
    caller: &Caller,
    estate_id: i64,
    building_id: Option<i64>,
    bucket: Option<Bucket>,
    as_of_text: &str,
) -> Result<AgeingHouses, AppError> {
    caller.check_estate(estate_id)?;
    let day = as_of(caller.lang, as_of_text)?;
    let (estate,): (String,) = sqlx::query_as("select name from estate where id = $1")
        .bind(estate_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let building = match building_id {
        Some(b) => Some(
            sqlx::query_as::<_, Choice>(
                "select id, name from building where id = $1 and estate_id = $2",
            )
            .bind(b)
            .bind(estate_id)
            .fetch_optional(pool)
            .await?
            .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let owed = ageing::owed(pool, estate_id, building_id, day).await?;
    let index = bucket.and_then(|b| Bucket::ALL.iter().position(|x| *x == b));
    let mut rows: Vec<AgeingRow> = ageing::rows_by(&owed, |o| o.house_id)
        .into_values()
        .filter(|r| index.map_or(r.total.houses > 0, |i| r.buckets[i].fen > 0))
        .collect();
    let numbers: Vec<(i64, String)> =
        sqlx::query_as("select id, number from house where estate_id = $1")
            .bind(estate_id)
            .fetch_all(pool)
            .await?;
    let numbers: std::collections::HashMap<i64, String> = numbers.into_iter().collect();
    for r in &mut rows {
        r.name = numbers.get(&r.id).cloned().unwrap_or_default();
    }
    rows.sort_by(|a, b| {
        b.oldest_days
            .cmp(&a.oldest_days)
            .then(b.total.fen.cmp(&a.total.fen))
            .then(a.name.cmp(&b.name))
    });
    Ok(AgeingHouses {
        estate_id,
        estate,
        as_of: time::date_to_db(day),
        building,
        bucket,
        houses: rows,
    })
}
