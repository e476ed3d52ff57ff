//! The rules of billing, pure (no SQL, no clock): periods, which rate
//! applies, billable days, what a bill line comes to and why, rate overlaps,
//! the checks of the desk's forms, payment checks, the second person on
//! money decisions. The writes in `db/`, `ledger/` and `run` ask here.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

mod desk;
pub use desk::*;

use super::basis::{Basis, Rounding};
use super::money::{self, prorate, round_fen};
use super::{FeeKind, RateUse};

/// A billing period, a calendar month (`YYYY-MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let period = Period {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        NaiveDate::from_ymd_opt(period.year, period.month, 1)?;
        Some(period)
    }
    pub fn of(day: NaiveDate) -> Period {
        Period {
            year: day.year(),
            month: day.month(),
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }
    pub fn days(self) -> u32 {
        self.last_day().day()
    }
    pub fn next(self) -> Period {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    /// The day bills of this period fall due.
    pub fn due_date(self, due_days: i64) -> NaiveDate {
        self.last_day() + chrono::Duration::days(due_days)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A house counts for billing once handed over (收楼): every status but `not_handed_over`.
pub fn is_billable(status: &str) -> bool {
    status != "not_handed_over"
}

/// A status change of a house, on the desk day it took effect (its 生效日期,
/// which may be before the day it was recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub on: NaiveDate,
    pub from: Option<String>,
    pub to: String,
}

/// The days of `period` the house was billable, from its status now and the
/// changes (in order) that led there: a handover or a return within the month
/// pro-rates it. A change takes effect on its day.
pub fn billable_days(period: Period, current: &str, changes: &[StatusChange]) -> u32 {
    billable_days_through(period, period.last_day(), current, changes)
}

/// The days of `period` up to and including `through` the house was billable
/// (a move-out bills the leaving occupant's part month to their last day).
pub fn billable_days_through(
    period: Period,
    through: NaiveDate,
    current: &str,
    changes: &[StatusChange],
) -> u32 {
    let first = period.first_day();
    let last = through.min(period.last_day());
    // Only changes after the month began matter; the status on the first day is
    // the `from` of the first of them (or the current status if there are none).
    let later: Vec<&StatusChange> = changes.iter().filter(|c| c.on > first).collect();
    let mut status = match later.first() {
        Some(c) => c.from.clone().unwrap_or_else(|| c.to.clone()),
        None => current.to_string(),
    };
    let mut days = 0;
    let mut day = first;
    let mut pending = later.iter().peekable();
    while day <= last {
        while let Some(c) = pending.peek() {
            if c.on <= day {
                status = c.to.clone();
                pending.next();
            } else {
                break;
            }
        }
        if is_billable(&status) {
            days += 1;
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    days
}

/// How many of a house's unpaid lines (what each still owes, oldest due
/// first) its prepaid balance settles: each line whole while the balance
/// covers it, stopping at the first it does not.
pub fn prepaid_covers(owed: &[i64], balance: i64) -> usize {
    let mut left = balance;
    let mut settled = 0;
    for &o in owed {
        if o > left {
            break;
        }
        left -= o;
        settled += 1;
    }
    settled
}

/// A rate of a fee item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub id: i64,
    pub use_kind: RateUse,
    pub rate: Decimal,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Rate {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// The rate for a house of `use_kind` (the house's use, as the register
/// stores it) on `day`: one for its use, else one for any use.
pub fn rate_for<'a>(rates: &'a [Rate], use_kind: &str, day: NaiveDate) -> Option<&'a Rate> {
    rates
        .iter()
        .find(|r| r.use_kind.as_str() == use_kind && r.covers(day))
        .or_else(|| {
            rates
                .iter()
                .find(|r| r.use_kind == RateUse::Any && r.covers(day))
        })
}

/// What adding a rate does to the rates already there for the same item and use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatePlan {
    /// Nothing overlaps: insert it.
    Insert,
    /// An open rate that started earlier ends the day before the new one starts.
    CloseEarlier { rate_id: i64, to: NaiveDate },
    /// It overlaps this rate, which stays as it is.
    Overlaps(Rate),
}

/// Rates start on the 1st of a month and end on a month's last day, so a
/// period has one rate; a new open rate after an open one is a rate change.
pub fn plan_rate(
    existing: &[Rate],
    use_kind: RateUse,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> RatePlan {
    let same: Vec<&Rate> = existing.iter().filter(|r| r.use_kind == use_kind).collect();
    let ends = |r: &Rate| r.to.unwrap_or(NaiveDate::MAX);
    let new_end = to.unwrap_or(NaiveDate::MAX);
    let mut plan = RatePlan::Insert;
    for r in same {
        let overlap = r.from <= new_end && from <= ends(r);
        if !overlap {
            continue;
        }
        if r.to.is_none() && r.from < from && plan == RatePlan::Insert {
            plan = RatePlan::CloseEarlier {
                rate_id: r.id,
                to: from.pred_opt().unwrap_or(from),
            };
        } else {
            return RatePlan::Overlaps(r.clone());
        }
    }
    plan
}

/// A fee item as a bill run needs it.
#[derive(Debug, Clone)]
pub struct RunItem {
    pub id: i64,
    pub kind: FeeKind,
    pub due_days: i64,
    pub rates: Vec<Rate>,
}

/// A house as a bill run needs it.
#[derive(Debug, Clone)]
pub struct RunHouse {
    pub id: i64,
    pub area_centi: i64,
    pub use_kind: String,
    pub billable_days: u32,
}

/// A meter reading of a house for a period, in 0.01 units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub previous: i64,
    pub reading: i64,
    pub old_final: Option<i64>,
    pub new_start: Option<i64>,
}

impl Reading {
    /// Consumption in 0.01 units; across a replacement, the old meter's part plus the new one's.
    pub fn consumption(&self) -> i64 {
        match (self.old_final, self.new_start) {
            (Some(old), Some(start)) => (old - self.previous) + (self.reading - start),
            _ => self.reading - self.previous,
        }
    }
}

/// Whether a reading is acceptable after `previous`: it may not go down unless
/// a replacement records the old meter's final reading (≥ previous) and the new
/// meter's start (≤ reading).
pub fn check_reading(reading: &Reading) -> Result<(), ReadingError> {
    match (reading.old_final, reading.new_start) {
        (Some(old), Some(start)) => {
            if old < reading.previous {
                Err(ReadingError::OldFinalBelowPrevious)
            } else if reading.reading < start {
                Err(ReadingError::BelowNewStart)
            } else {
                Ok(())
            }
        }
        (None, None) if reading.reading < reading.previous => Err(ReadingError::BelowPrevious),
        (None, None) => Ok(()),
        _ => Err(ReadingError::ReplacementIncomplete),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadingError {
    BelowPrevious,
    OldFinalBelowPrevious,
    BelowNewStart,
    ReplacementIncomplete,
}

impl ReadingError {
    /// The i18n key of the refusal (it takes the house and the previous reading).
    pub fn key(self) -> &'static str {
        match self {
            ReadingError::BelowPrevious => "billing.invalid.reading_below",
            ReadingError::OldFinalBelowPrevious => "billing.invalid.old_final_below",
            ReadingError::BelowNewStart => "billing.invalid.below_new_start",
            ReadingError::ReplacementIncomplete => "billing.invalid.replacement_incomplete",
        }
    }
}

/// A typed reading (up to two decimals, not negative) in 0.01 units.
pub fn parse_reading(text: &str) -> Option<i64> {
    let d = money::parse_rate(text, 2).ok()?;
    round_fen(d)
}

/// A figure in 0.01 units as the grid shows it: `123.40`.
pub fn centi_text(centi: i64) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
}

/// A computed bill line: its amount and the inputs it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    pub amount_fen: i64,
    pub basis: Basis,
}

/// What a house owes for one fee item in one period, or `None` when it owes
/// nothing for it (not billable, no rate, no reading for a metered item).
pub fn compute_line(
    item: &RunItem,
    house: &RunHouse,
    period: Period,
    reading: Option<&Reading>,
) -> Option<Computed> {
    if house.billable_days == 0 {
        return None;
    }
    let rate = rate_for(&item.rates, &house.use_kind, period.first_day())?;
    let month_days = period.days();
    let days = house.billable_days.min(month_days);
    let (exact, basis) = match item.kind {
        FeeKind::Area => {
            let area = Decimal::new(house.area_centi, 2);
            let exact = prorate(rate.rate * area, days, month_days);
            let basis = Basis::Area {
                area,
                rate: rate.rate,
                days,
                month_days,
                exact,
                rounding: Rounding::HalfUpFen,
            };
            (exact, basis)
        }
        FeeKind::Fixed => {
            let exact = prorate(rate.rate, days, month_days);
            let basis = Basis::Fixed {
                rate: rate.rate,
                days,
                month_days,
                exact,
                rounding: Rounding::HalfUpFen,
            };
            (exact, basis)
        }
        FeeKind::Metered => {
            let r = reading?;
            let used = Decimal::new(r.consumption(), 2);
            let exact = rate.rate * used;
            let (old_final, new_start) = match (r.old_final, r.new_start) {
                (Some(old), Some(start)) => {
                    (Some(Decimal::new(old, 2)), Some(Decimal::new(start, 2)))
                }
                _ => (None, None),
            };
            let basis = Basis::Metered {
                previous: Decimal::new(r.previous, 2),
                reading: Decimal::new(r.reading, 2),
                old_final,
                new_start,
                consumption: used,
                rate: rate.rate,
                exact,
                rounding: Rounding::HalfUpFen,
            };
            (exact, basis)
        }
        FeeKind::OneOff => return None,
    };
    Some(Computed {
        amount_fen: round_fen(exact)?,
        basis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }
    fn rate(id: i64, use_kind: &str, r: &str, from: &str, to: Option<&str>) -> Rate {
        Rate {
            id,
            use_kind: RateUse::parse(use_kind).expect("use"),
            rate: Decimal::from_str(r).expect("rate"),
            from: day(from),
            to: to.map(day),
        }
    }
    fn change(on: &str, from: &str, to: &str) -> StatusChange {
        StatusChange {
            on: day(on),
            from: Some(from.into()),
            to: to.into(),
        }
    }

    #[test]
    fn periods() {
        let p = Period::parse("2024-02").expect("period");
        assert_eq!(p.days(), 29);
        assert_eq!(p.to_string(), "2024-02");
        assert_eq!(p.due_date(15), day("2024-03-15"));
        assert_eq!(Period::parse("2024-13"), None);
        assert_eq!(Period::parse("2024-1"), None);
        assert_eq!(Period::parse("abcd-01"), None);
        assert_eq!(
            Period::parse("2026-12").expect("p").next().to_string(),
            "2027-01"
        );
    }

    #[test]
    fn billable_days_follow_the_handover() {
        let oct = Period::parse("2026-10").expect("period");
        assert_eq!(billable_days(oct, "occupied", &[]), 31);
        assert_eq!(billable_days(oct, "not_handed_over", &[]), 0);
        // Handed over on the 22nd: billable 22nd–31st = 10 days.
        let handed = [change("2026-10-22", "not_handed_over", "vacant")];
        assert_eq!(billable_days(oct, "vacant", &handed), 10);
        // A later move-in changes nothing: both statuses are billable.
        let moved = [
            change("2026-10-22", "not_handed_over", "vacant"),
            change("2026-11-03", "vacant", "occupied"),
        ];
        assert_eq!(billable_days(oct, "occupied", &moved), 10);
        // Changes before the month: the status on the 1st comes from them.
        let earlier = [change("2026-09-05", "not_handed_over", "vacant")];
        assert_eq!(billable_days(oct, "vacant", &earlier), 31);
        // Taken back on the 11th (a mistaken handover): 10 billable days.
        let back = [change("2026-10-11", "vacant", "not_handed_over")];
        assert_eq!(billable_days(oct, "not_handed_over", &back), 10);
    }

    #[test]
    fn rate_for_prefers_the_house_use() {
        let rates = [
            rate(1, "any", "2.35", "2026-01-01", None),
            rate(2, "commercial", "4.80", "2026-01-01", Some("2026-06-30")),
        ];
        assert_eq!(
            rate_for(&rates, "commercial", day("2026-03-01")).map(|r| r.id),
            Some(2)
        );
        assert_eq!(
            rate_for(&rates, "commercial", day("2026-07-01")).map(|r| r.id),
            Some(1)
        );
        assert_eq!(
            rate_for(&rates, "residential", day("2026-03-01")).map(|r| r.id),
            Some(1)
        );
        assert_eq!(rate_for(&rates, "residential", day("2025-12-01")), None);
    }

    #[test]
    fn rate_changes_close_the_open_rate_and_overlaps_are_refused() {
        let open = [rate(1, "any", "2.35", "2026-01-01", None)];
        assert_eq!(
            plan_rate(&open, RateUse::Any, day("2026-07-01"), None),
            RatePlan::CloseEarlier {
                rate_id: 1,
                to: day("2026-06-30")
            }
        );
        assert!(matches!(
            plan_rate(&open, RateUse::Any, day("2026-01-01"), None),
            RatePlan::Overlaps(_)
        ));
        assert!(matches!(
            plan_rate(&open, RateUse::Any, day("2025-07-01"), None),
            RatePlan::Overlaps(_)
        ));
        assert_eq!(
            plan_rate(
                &open,
                RateUse::Any,
                day("2025-01-01"),
                Some(day("2025-12-31"))
            ),
            RatePlan::Insert
        );
        assert_eq!(
            plan_rate(&open, RateUse::Commercial, day("2026-01-01"), None),
            RatePlan::Insert
        );
        let closed = [
            rate(1, "any", "2.35", "2026-01-01", Some("2026-06-30")),
            rate(2, "any", "2.50", "2026-07-01", None),
        ];
        assert!(matches!(
            plan_rate(&closed, RateUse::Any, day("2026-03-01"), Some(day("2026-04-30"))),
            RatePlan::Overlaps(r) if r.id == 1
        ));
    }

    #[test]
    fn lines_explain_themselves() {
        let oct = Period::parse("2026-10").expect("period");
        let item = RunItem {
            id: 1,
            kind: FeeKind::Area,
            due_days: 15,
            rates: vec![rate(1, "any", "2.35", "2026-01-01", None)],
        };
        let house = RunHouse {
            id: 7,
            area_centi: 8937,
            use_kind: "residential".into(),
            billable_days: 31,
        };
        let line = compute_line(&item, &house, oct, None).expect("line");
        assert_eq!(line.amount_fen, 21002);
        let basis = line.basis.to_json();
        assert!(basis.contains(r#""area":"89.37""#), "{}", basis);
        assert!(basis.contains(r#""exact":"210.0195""#), "{}", basis);
        serde_json::from_str::<serde_json::Value>(&basis).expect("json");
        let part = RunHouse {
            billable_days: 10,
            ..house.clone()
        };
        assert_eq!(
            compute_line(&item, &part, oct, None).map(|l| l.amount_fen),
            Some(6775)
        );
        let none = RunHouse {
            billable_days: 0,
            ..house.clone()
        };
        assert_eq!(compute_line(&item, &none, oct, None), None);

        let water = RunItem {
            id: 2,
            kind: FeeKind::Metered,
            due_days: 15,
            rates: vec![rate(3, "any", "3.45", "2026-01-01", None)],
        };
        assert_eq!(compute_line(&water, &house, oct, None), None);
        let reading = Reading {
            previous: 12_000,
            reading: 13_250,
            old_final: None,
            new_start: None,
        };
        // 12.5 t × 3.45 = 43.125 → 43.13
        assert_eq!(
            compute_line(&water, &house, oct, Some(&reading)).map(|l| l.amount_fen),
            Some(4313)
        );
    }

    #[test]
    fn a_replacement_is_kept_in_the_lines_basis() {
        let oct = Period::parse("2026-10").expect("period");
        let water = RunItem {
            id: 2,
            kind: FeeKind::Metered,
            due_days: 15,
            rates: vec![rate(3, "any", "3.45", "2026-01-01", None)],
        };
        let house = RunHouse {
            id: 7,
            area_centi: 8937,
            use_kind: "residential".into(),
            billable_days: 31,
        };
        let replaced = Reading {
            previous: 100,
            reading: 30,
            old_final: Some(150),
            new_start: Some(0),
        };
        let line = compute_line(&water, &house, oct, Some(&replaced)).expect("line");
        assert_eq!(
            line.basis.to_json(),
            r#"{"kind":"metered","previous":"1.00","reading":"0.30","old_final":"1.50","new_start":"0.00","consumption":"0.80","rate":"3.45","exact":"2.7600","rounding":"half_up_fen"}"#
        );
    }

    #[test]
    fn readings_are_typed_in_hundredths() {
        assert_eq!(parse_reading("12.5"), Some(1250));
        assert_eq!(parse_reading("-1"), None);
        assert_eq!(centi_text(12_340), "123.40");
        assert_eq!(
            ReadingError::BelowPrevious.key(),
            "billing.invalid.reading_below"
        );
    }

    #[test]
    fn readings_may_not_go_down_without_a_replacement() {
        let r = |previous, reading, old_final, new_start| Reading {
            previous,
            reading,
            old_final,
            new_start,
        };
        assert_eq!(
            check_reading(&r(100, 90, None, None)),
            Err(ReadingError::BelowPrevious)
        );
        assert_eq!(check_reading(&r(100, 100, None, None)), Ok(()));
        // Replaced: old meter ended at 150, the new one started at 0 and reads 30.
        let replaced = r(100, 30, Some(150), Some(0));
        assert_eq!(check_reading(&replaced), Ok(()));
        assert_eq!(replaced.consumption(), 80);
        assert_eq!(
            check_reading(&r(100, 30, Some(90), Some(0))),
            Err(ReadingError::OldFinalBelowPrevious)
        );
        assert_eq!(
            check_reading(&r(100, 30, Some(150), None)),
            Err(ReadingError::ReplacementIncomplete)
        );
    }
}
