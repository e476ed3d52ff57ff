//! Where a resident's portal begins and ends: the houses they live in now —
//! under every resident record linked to their account —
//! each from the moment their occupancy began. What a house's record holds
//! from before then — payments, receipts, waivers, repair tickets — belongs
//! to whoever lived there before, and access ends with the occupancy. The
//! portal's bills, receipts and repairs all draw the line here.

use sqlx::FromRow;

use crate::common::Residence;
use crate::db::time;

/// When an occupancy starting on `start_date` (a desk day) and recorded at
/// `recorded_at` opens the house's records to its resident: the first instant
/// of the start day — but a move-in recorded during its start day opens when
/// it was recorded, so a tenant who moves in today does not see this
/// morning's handover payment by the previous owner. A move-in recorded late
/// (after its start day) keeps the start day, as the register says.
pub fn visible_from(start_date: &str, recorded_at: &str) -> Option<String> {
    let day_start = time::local_day_start_utc(start_date)?;
    let next_day = time::next_local_day_start_utc(start_date)?;
    Some(
        if recorded_at > day_start.as_str() && recorded_at < next_day.as_str() {
            recorded_at.to_string()
        } else {
            day_start
        },
    )
}

/// An open occupancy as the portal's line needs it.
#[derive(FromRow)]
struct OpenStay {
    house_id: i64,
    start_date: String,
    created_at: String,
}

/// One [`Residence`] per house, each from the earliest moment one of the
/// stays opens it; `rows` are ordered by house.
fn fold(rows: Vec<OpenStay>) -> Vec<Residence> {
    let mut out: Vec<Residence> = Vec::new();
    for row in rows {
        // A start date that does not read as a day opens nothing (it cannot be
        // entered; the register checks it): failing closed, not open to all history.
        let Some(from) = visible_from(&row.start_date, &row.created_at) else {
            continue;
        };
        match out.last_mut() {
            Some(r) if r.house_id == row.house_id => {
                if from < r.from {
                    r.from = from;
                }
            }
            _ => out.push(Residence {
                house_id: row.house_id,
                from,
            }),
        }
    }
    out
}

/// One resident record's open occupancies, one per house, each from the
/// earliest moment one of them opens it (an owner who is also listed as family, say).
pub async fn residences<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    resident_id: i64,
) -> sqlx::Result<Vec<Residence>> {
    let rows: Vec<OpenStay> = sqlx::query_as(
        "select house_id, start_date, created_at from occupancy \
         where resident_id = $1 and end_date is null order by house_id",
    )
    .bind(resident_id)
    .fetch_all(ex)
    .await?;
    Ok(fold(rows))
}

/// What an account sees: the open occupancies of every resident record
/// linked to it (`account_resident`) — one person in two estates, or
/// registered twice, signs in once — each house from the start of that
/// record's own occupancy, as [`residences`] draws it for one record.
pub async fn account_residences<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    account_id: i64,
) -> sqlx::Result<Vec<Residence>> {
    let rows: Vec<OpenStay> = sqlx::query_as(
        "select o.house_id, o.start_date, o.created_at from occupancy o \
         join account_resident ar on ar.resident_id = o.resident_id \
         where ar.account_id = $1 and o.end_date is null order by o.house_id",
    )
    .bind(account_id)
    .fetch_all(ex)
    .await?;
    Ok(fold(rows))
}

/// The resident records linked to an account: its first (`account.resident_id`)
/// first, then the others in the order they were linked.
pub async fn linked_residents<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    account_id: i64,
) -> sqlx::Result<Vec<i64>> {
    #[derive(FromRow)]
    struct Linked {
        resident_id: i64,
    }
    let rows: Vec<Linked> = sqlx::query_as(
        "select ar.resident_id from account_resident ar join account a on a.id = ar.account_id \
         where ar.account_id = $1 \
         order by case when ar.resident_id = a.resident_id then 0 else 1 end, ar.linked_at, ar.resident_id",
    )
    .bind(account_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|r| r.resident_id).collect())
}

/// Whether resident record `resident_id` is one of the account's.
pub async fn is_linked<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    account_id: i64,
    resident_id: i64,
) -> sqlx::Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "select resident_id from account_resident where account_id = $1 and resident_id = $2",
    )
    .bind(account_id)
    .bind(resident_id)
    .fetch_optional(ex)
    .await?;
    Ok(found.is_some())
}

/// Which of the account's records acts for it on a house (`house_id` > 0) or,
/// for a common area, in an estate: the one living in that house, else one
/// living in that estate — the account's first record when it qualifies.
/// `None`: none of its records lives there.
pub async fn acting_resident<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    account_id: i64,
    house_id: i64,
    estate_id: i64,
) -> sqlx::Result<Option<i64>> {
    #[derive(FromRow)]
    struct Acting {
        resident_id: i64,
    }
    let found: Option<Acting> = sqlx::query_as(
        "select ar.resident_id from account_resident ar join account a on a.id = ar.account_id \
         join occupancy o on o.resident_id = ar.resident_id and o.end_date is null \
         join house h on h.id = o.house_id \
         where ar.account_id = $1 and (h.id = $2 or ($2 <= 0 and h.estate_id = $3)) \
         order by case when ar.resident_id = a.resident_id then 0 else 1 end, o.start_date, ar.resident_id \
         limit 1",
    )
    .bind(account_id)
    .bind(house_id)
    .bind(estate_id)
    .fetch_optional(ex)
    .await?;
    Ok(found.map(|a| a.resident_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_in_opens_at_its_start_day_or_when_it_was_recorded_that_day() {
        // 2026-03-10 in desk time (UTC+8) starts at 2026-03-09T16:00Z.
        let day_start = "2026-03-09T16:00:00.000000Z";
        // Recorded the same afternoon: from that moment.
        let same_day = "2026-03-10T06:30:00.000000Z";
        assert_eq!(
            visible_from("2026-03-10", same_day).as_deref(),
            Some(same_day)
        );
        // Recorded ahead of time, or a year late from a spreadsheet: the start day.
        for recorded in ["2026-03-01T02:00:00.000000Z", "2027-01-05T02:00:00.000000Z"] {
            assert_eq!(
                visible_from("2026-03-10", recorded).as_deref(),
                Some(day_start)
            );
        }
        assert_eq!(visible_from("10/03/2026", same_day), None);
    }
}
