//! The ageing (账龄) of an estate's arrears, as of a day: every bill line
//! that was unpaid on that day and past its due date, read from billing's
//! ledger with billing's rule ([`LineState::outstanding`], held deposits
//! never arrears, [`ledger::line_late_fee`] for the late fees still
//! running), put in its bucket by [`rules::bucket`] and summed per house,
//! building and estate — so the three views add up by construction.
//!
//! "As of" reads the ledger as it stood at the end of that day: lines raised
//! by then, settlements made by then and not reversed by then, waivers
//! approved and splits made by then. For today that is the ledger as it is.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::AnyPool;

use crate::arrears::{rules, AgeingRow, Bucket, Cell};
use crate::billing::ledger::{self, LineState};
use crate::billing::FeeKind;
use crate::db::time;

/// What one line owed on the day: its principal in its bucket, or, for a
/// late-fee line and the late fee a line still runs up, its late fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub house_id: i64,
    pub building_id: i64,
    pub days: i64,
    /// Principal (0 for a late-fee line).
    pub principal_fen: i64,
    pub late_fee_fen: i64,
}

#[derive(sqlx::FromRow)]
struct LineDb {
    id: i64,
    estate_id: i64,
    house_id: i64,
    building_id: i64,
    fee_item_id: i64,
    kind: FeeKind,
    period: String,
    amount_fen: i64,
    due_date: String,
    late_fee_of: Option<i64>,
    created_at: String,
    waived_fen: i64,
    late_waived_fen: i64,
    split_fen: i64,
    has_late_line: i64,
}

/// Where the lines are read: the whole estate, a building, a house.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Estate,
    Building(i64),
    House(i64),
}

/// The unpaid lines of `estate_id` (of one building, if given) past their due
/// date on `as_of`, as the ledger stood at that day's end.
pub async fn owed(
    pool: &AnyPool,
    estate_id: i64,
    building_id: Option<i64>,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<Owed>> {
    let place = building_id.map_or(Place::Estate, Place::Building);
    owed_at(pool, estate_id, place, as_of).await
}

/// [`owed`], of a [`Place`] of the estate.
pub async fn owed_at(
    pool: &AnyPool,
    estate_id: i64,
    place: Place,
    as_of: NaiveDate,
) -> sqlx::Result<Vec<Owed>> {
    let day = time::date_to_db(as_of);
    // The end of the desk day, as stored times read (UTC).
    let end = time::next_local_day_start_utc(&day).unwrap_or_default();
    let (building, place_id) = match place {
        Place::Estate => ("", None),
        Place::Building(b) => (" and h.building_id = $4", Some(b)),
        Place::House(h) => (" and l.house_id = $4", Some(h)),
    };
    let sum = |target: &str| {
        format!(
            "cast(coalesce((select sum(w.amount_fen) from waiver w where w.line_id = l.id \
               and w.target = '{target}' and w.status = 'approved' and w.decided_at < $3), 0) as bigint)"
        )
    };
    let sql = format!(
        "select l.id, l.estate_id, l.house_id, h.building_id, l.fee_item_id, f.kind, l.period, l.amount_fen, \
            l.due_date, l.late_fee_of, l.created_at, {} as waived_fen, {} as late_waived_fen, \
            cast(coalesce((select sum(s.amount_fen) from bill_line_split s where s.line_id = l.id \
               and s.created_at < $3), 0) as bigint) as split_fen, \
            case when exists (select 1 from bill_line x where x.late_fee_of = l.id and x.created_at < $3) \
                 then 1 else 0 end as has_late_line \
         from bill_line l join fee_item f on f.id = l.fee_item_id join house h on h.id = l.house_id \
         where l.estate_id = $1 and l.due_date < $2 and l.created_at < $3 and f.held = 0{building} \
           and not exists (select 1 from settlement s where s.line_id = l.id and s.created_at < $3 \
                 and not exists (select 1 from payment_reversal r where r.payment_id = s.payment_id \
                       and r.created_at < $3))",
        sum("line"),
        sum("late_fee"),
    );
    let mut q = sqlx::query_as::<_, LineDb>(&sql)
        .bind(estate_id)
        .bind(&day)
        .bind(&end);
    if let Some(id) = place_id {
        q = q.bind(id);
    }
    let rows = q.fetch_all(pool).await?;
    let policies = ledger::late_policies(pool, estate_id).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let due = NaiveDate::parse_from_str(&r.due_date, "%Y-%m-%d").ok()?;
            let (house_id, building_id) = (r.house_id, r.building_id);
            let late_line = r.late_fee_of.is_some();
            let line = line_state(r);
            let outstanding = line.outstanding();
            let running = ledger::line_late_fee(&line, &policies, as_of).fen;
            let (principal_fen, late_fee_fen) = if late_line {
                (0, outstanding)
            } else {
                (outstanding, running)
            };
            (principal_fen > 0 || late_fee_fen > 0).then_some(Owed {
                house_id,
                building_id,
                days: rules::days_overdue(due, as_of),
                principal_fen,
                late_fee_fen,
            })
        })
        .collect())
}

/// The ledger's view of an unsettled line (what [`ledger::line_late_fee`]
/// and [`LineState::outstanding`] read).
fn line_state(r: LineDb) -> LineState {
    LineState {
        id: r.id,
        estate_id: r.estate_id,
        fee_item_id: r.fee_item_id,
        item_name: String::new(),
        kind: r.kind,
        period: r.period,
        line_key: String::new(),
        amount_fen: r.amount_fen,
        due_date: r.due_date,
        basis: String::new(),
        late_fee_of: r.late_fee_of,
        created_at: r.created_at,
        held: 0,
        waived_fen: r.waived_fen,
        late_waived_fen: r.late_waived_fen,
        split_fen: r.split_fen,
        pending_waiver: false,
        has_late_line: r.has_late_line == 1,
        settled: None,
        reversed: 0,
    }
}

/// Sums lines into rows keyed by `key` (a house, a building), counting a
/// house once per bucket it owes in and once in the total.
pub fn rows_by(owed: &[Owed], key: impl Fn(&Owed) -> i64) -> BTreeMap<i64, AgeingRow> {
    // Per row: per bucket the fen and the houses seen; the houses owing at all.
    type Seen = (
        Vec<(i64, std::collections::BTreeSet<i64>)>,
        std::collections::BTreeSet<i64>,
    );
    let mut acc: BTreeMap<i64, (AgeingRow, Seen)> = BTreeMap::new();
    for o in owed {
        let (row, (per_bucket, all)) = acc.entry(key(o)).or_insert_with(|| {
            (
                empty_row(key(o), String::new()),
                (
                    Bucket::ALL
                        .iter()
                        .map(|_| (0, Default::default()))
                        .collect(),
                    Default::default(),
                ),
            )
        });
        row.late_fee_fen += o.late_fee_fen;
        if o.principal_fen > 0 {
            if let Some(i) =
                rules::bucket(o.days).and_then(|b| Bucket::ALL.iter().position(|x| *x == b))
            {
                per_bucket[i].0 += o.principal_fen;
                per_bucket[i].1.insert(o.house_id);
                all.insert(o.house_id);
                row.total.fen += o.principal_fen;
                row.oldest_days = row.oldest_days.max(o.days);
            }
        } else if o.late_fee_fen > 0 {
            // Owing only late fees still makes a house one that owes.
            all.insert(o.house_id);
        }
    }
    acc.into_iter()
        .map(|(k, (mut row, (per_bucket, all)))| {
            row.buckets = per_bucket
                .into_iter()
                .map(|(fen, houses)| Cell {
                    fen,
                    houses: houses.len() as i64,
                })
                .collect();
            row.total.houses = all.len() as i64;
            (k, row)
        })
        .collect()
}

/// A row owing nothing.
pub fn empty_row(id: i64, name: String) -> AgeingRow {
    AgeingRow {
        id,
        name,
        buckets: vec![Cell::default(); Bucket::ALL.len()],
        total: Cell::default(),
        late_fee_fen: 0,
        oldest_days: 0,
    }
}

/// The sum of rows (the buildings' for the estate): amounts and house counts
/// add, as a house is in one building.
pub fn sum_rows<'a>(id: i64, name: String, rows: impl Iterator<Item = &'a AgeingRow>) -> AgeingRow {
    let mut total = empty_row(id, name);
    for r in rows {
        for (t, c) in total.buckets.iter_mut().zip(&r.buckets) {
            t.fen += c.fen;
            t.houses += c.houses;
        }
        total.total.fen += r.total.fen;
        total.total.houses += r.total.houses;
        total.late_fee_fen += r.late_fee_fen;
        total.oldest_days = total.oldest_days.max(r.oldest_days);
    }
    total
}
