//! Where a resident's portal begins and ends: the houses they live in now,
//! each from the moment their occupancy began. What a house's record holds
//! from before then — payments, receipts, waivers, repair tickets — belongs
//! to whoever lived there before, and access ends with the occupancy. The
//! portal's bills, receipts and repairs all draw the line here.

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

/// The resident's open occupancies, one per house, each from the earliest
/// moment one of them opens it (an owner who is also listed as family, say).
pub async fn residences<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    resident_id: i64,
) -> sqlx::Result<Vec<Residence>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "select house_id, start_date, created_at from occupancy \
         where resident_id = $1 and end_date is null order by house_id",
    )
    .bind(resident_id)
    .fetch_all(ex)
    .await?;
    let mut out: Vec<Residence> = Vec::new();
    for (house_id, start_date, recorded_at) in rows {
        // A start date that does not read as a day opens nothing (it cannot be
        // entered; the register checks it): failing closed, not open to all history.
        let Some(from) = visible_from(&start_date, &recorded_at) else {
            continue;
        };
        match out.last_mut() {
            Some(r) if r.house_id == house_id => {
                if from < r.from {
                    r.from = from;
                }
            }
            _ => out.push(Residence { house_id, from }),
        }
    }
    Ok(out)
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
