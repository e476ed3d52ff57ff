//! The arrears rules, pure, each unit-tested where it is written:
//!
//! - here: how overdue a line is and its ageing bucket (the ledger's own
//!   rule, restated in days), the rates in basis points, promises kept and
//!   broken, and the checks of the chasing form;
//! - [`stages`]: the stage ladder ([`check_stage`] is its table) and the
//!   estate's minimum overdue days per stage;
//! - [`wording`]: the 民法典 art. 944 check ([`forbidden_wording`]);
//! - [`template`]: the notice templates — placeholders, [`render`], the check
//!   a template passes when saved, the wording each stage starts with.
//!
//! Form checks return [`FieldProblem`]s (a field and an i18n key), every
//! refused field at once, for `i18n::refused` to turn into `AppError::Invalid`
//! in the caller's language; a broken stage or template rule is a refusal
//! whose `key()` and `args()` become `AppError::Rule` through `I18n::f`.

pub mod stages;
pub mod template;
pub mod wording;

pub use stages::{
    check_minimums, check_stage, manager_only, minimum_field, next_stage, offered_stage,
    StageMinimums, StageRefusal, MAX_MIN_DAYS,
};
pub use template::{
    check_template, default_template, render, TemplateRefusal, UnknownPlaceholder,
    TEMPLATE_MAX_CHARS,
};
pub use wording::forbidden_wording;

use chrono::{Duration, NaiveDate};

use super::{Bucket, Outcome};
use crate::i18n::FieldProblem;

// ---- ageing (账龄) ------------------------------------------------------------

/// How many days a line due on `due_date` is overdue on `as_of`: a line due on
/// D is overdue from D + 1 (one day) and not on D itself (zero; negative
/// before it). This is billing's rule stated in days: the ledger counts a line
/// as arrears on a day when `due_date < that day` (the account page's
/// `overdue`, `billing::ledger::arrears_by_house`'s `l.due_date < $1`) and
/// counts a late fee's days the same way (`billing::money::late_fee`), so a
/// line is arrears exactly when this is positive. Which lines count at all —
/// what still owes (`LineState::outstanding`: unsettled, less approved waivers
/// and splits), never a held deposit (`held`) — stays the ledger's to say.
pub fn days_overdue(due_date: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - due_date).num_days()
}

/// The days overdue a bucket holds: from, and to (both inclusive; `None`: no
/// end). One table for [`bucket`] and [`due_dates`], so the ageing computed
/// per line and the ageing asked of the database by due dates cannot differ.
pub const fn bounds(bucket: Bucket) -> (i64, Option<i64>) {
    match bucket {
        Bucket::D1To30 => (1, Some(30)),
        Bucket::D31To90 => (31, Some(90)),
        Bucket::D91To180 => (91, Some(180)),
        Bucket::D181To365 => (181, Some(365)),
        Bucket::Over365 => (366, None),
    }
}

/// The ageing bucket of a line `days` overdue; `None` when it is not overdue
/// (zero or fewer days: not arrears yet).
pub fn bucket(days: i64) -> Option<Bucket> {
    Bucket::ALL.iter().copied().find(|b| {
        let (from, to) = bounds(*b);
        days >= from && to.is_none_or(|to| days <= to)
    })
}

/// The due dates whose lines fall in `bucket` on `as_of`: the earliest
/// (`None`: no limit) and the latest, both inclusive — for a query by
/// `due_date`, which keeps to the index instead of computing days per line.
pub fn due_dates(bucket: Bucket, as_of: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
    let (from, to) = bounds(bucket);
    (
        to.map(|to| as_of - Duration::days(to)),
        as_of - Duration::days(from),
    )
}

// ---- rates (收缴率, 清欠率) ----------------------------------------------------

/// 100 % in basis points (hundredths of a percent).
pub const WHOLE_BP: i64 = 10_000;

/// A rate in basis points, rounded half-up: 9357 is 93.57 %. The collection
/// rate (收缴率) is `rate_basis_points(paid, billed)` of one period's lines as
/// of a day; the arrears recovery rate (清欠率) is
/// `rate_basis_points(collected this year of the opening arrears, the arrears
/// standing on 1 January)`. `None` when nothing was billed (the page shows
/// "—", not 0 % or 100 %), and for a negative figure, which no ledger sum can
/// give.
///
/// Server only, like `rust_decimal`: the browser shows the figure the server
/// computed. Exact for any figure the desk holds: a quotient that is not
/// exactly a half lies at least 1/(2 × billed) basis point from one, and
/// `Decimal`'s 28 digits leave an error near 10⁻¹⁵ even for a company's year
/// (10¹² fen billed), so the rounding always sees the true side.
#[cfg(feature = "ssr")]
pub fn rate_basis_points(paid_fen: i64, billed_fen: i64) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::{Decimal, RoundingStrategy};
    if billed_fen <= 0 || paid_fen < 0 {
        return None;
    }
    // Half-up, never `round_dp` (half to even): 93.565 % must read 93.57 %.
    (Decimal::from(paid_fen) * Decimal::from(WHOLE_BP) / Decimal::from(billed_fen))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

/// A rate as people read it: "93.57%", "100.00%"; "—" when there is none.
pub fn format_rate(bp: Option<i64>) -> String {
    match bp {
        None => "—".to_string(),
        Some(bp) => {
            let sign = if bp < 0 { "-" } else { "" };
            let abs = bp.unsigned_abs();
            format!("{sign}{}.{:02}%", abs / 100, abs % 100)
        }
    }
}

// ---- promises and the chasing form ------------------------------------------

/// Whether a promise to pay `promised_fen` by `promised_on` is broken on
/// `as_of`: the date has passed (on the date itself it still stands) and what
/// the house paid from the moment the promise was recorded to the end of the
/// promised date falls short of the amount. The caller counts payments up to the promised
/// date only, so a promise paid late stays broken in the history — the clerk's
/// judgement of the next promise rests on it — while the late payment closes
/// the chase at the counter as any payment does.
pub fn promise_broken(
    promised_on: NaiveDate,
    promised_fen: i64,
    paid_since_fen: i64,
    as_of: NaiveDate,
) -> bool {
    as_of > promised_on && paid_since_fen < promised_fen
}

/// Whether an outcome needs a promise (a date and an amount).
pub fn needs_promise(outcome: Outcome) -> bool {
    outcome == Outcome::Promised
}

/// Whether an outcome needs a reason (a dispute says what is disputed).
pub fn needs_reason(outcome: Outcome) -> bool {
    outcome == Outcome::Disputed
}

/// The longest reason or note a chase keeps.
pub const MAX_REASON_CHARS: usize = 200;

/// A follow-up date: today or later (a follow-up in the past would never be
/// on anyone's list).
pub fn check_follow_up(date: NaiveDate, today: NaiveDate) -> Result<(), FieldProblem> {
    if date < today {
        Err(("follow_up_date", "arrears.invalid.follow_up_past"))
    } else {
        Ok(())
    }
}

/// A promise: a date, today or later, and an amount above zero, both
/// required; every refused field at once. Returns the checked date and amount.
pub fn check_promise(
    date: Option<NaiveDate>,
    amount_fen: Option<i64>,
    today: NaiveDate,
) -> Result<(NaiveDate, i64), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    match date {
        None => problems.push(("promise_date", "arrears.invalid.promise_date")),
        Some(d) if d < today => problems.push(("promise_date", "arrears.invalid.promise_past")),
        Some(_) => {}
    }
    let amount = amount_fen.filter(|a| *a > 0);
    if amount.is_none() {
        problems.push(("promise_amount", "arrears.invalid.promise_amount"));
    }
    match (date, amount) {
        (Some(date), Some(amount)) if problems.is_empty() => Ok((date, amount)),
        _ => Err(problems),
    }
}

/// A dispute's reason: required, trimmed, at most [`MAX_REASON_CHARS`].
pub fn check_reason(reason: &str) -> Result<String, FieldProblem> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        Err(("reason", "arrears.invalid.reason"))
    } else {
        Ok(reason.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn a_line_is_overdue_from_the_day_after_its_due_date() {
        assert_eq!(days_overdue(day("2026-11-30"), day("2026-12-01")), 1);
        assert_eq!(days_overdue(day("2026-11-30"), day("2026-11-30")), 0);
        assert_eq!(days_overdue(day("2026-11-30"), day("2026-11-29")), -1);
        assert_eq!(days_overdue(day("2025-12-31"), day("2026-12-31")), 365);
        // 2028 is a leap year: 29 February is a day like any other.
        assert_eq!(days_overdue(day("2028-02-28"), day("2028-03-01")), 2);
        assert_eq!(
            bucket(days_overdue(day("2026-11-30"), day("2026-11-30"))),
            None
        );
    }

    #[test]
    fn buckets_hold_their_edges() {
        let table = [
            (-5, None),
            (0, None),
            (1, Some(Bucket::D1To30)),
            (30, Some(Bucket::D1To30)),
            (31, Some(Bucket::D31To90)),
            (90, Some(Bucket::D31To90)),
            (91, Some(Bucket::D91To180)),
            (180, Some(Bucket::D91To180)),
            (181, Some(Bucket::D181To365)),
            (365, Some(Bucket::D181To365)),
            (366, Some(Bucket::Over365)),
            (10_000, Some(Bucket::Over365)),
        ];
        for (days, expected) in table {
            assert_eq!(bucket(days), expected, "{days} days");
        }
    }

    #[test]
    fn the_buckets_follow_each_other_without_a_gap() {
        for pair in Bucket::ALL.windows(2) {
            let (_, to) = bounds(pair[0]);
            let (from, _) = bounds(pair[1]);
            assert_eq!(
                to.map(|t| t + 1),
                Some(from),
                "{:?} → {:?}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(bounds(Bucket::ALL[0]).0, 1);
        assert_eq!(Bucket::ALL.last().map(|b| bounds(*b).1), Some(None));
    }

    #[test]
    fn due_dates_select_the_same_lines_as_the_days_overdue() {
        let as_of = day("2026-12-31");
        for back in -3..=800 {
            let due = as_of - Duration::days(back);
            let by_days = bucket(days_overdue(due, as_of));
            let by_dates = Bucket::ALL.iter().copied().find(|b| {
                let (earliest, latest) = due_dates(*b, as_of);
                earliest.is_none_or(|e| e <= due) && due <= latest
            });
            assert_eq!(by_days, by_dates, "due {due}");
        }
        assert_eq!(
            due_dates(Bucket::D1To30, as_of),
            (Some(day("2026-12-01")), day("2026-12-30"))
        );
        assert_eq!(due_dates(Bucket::Over365, as_of), (None, day("2025-12-30")));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn rates_round_half_up_at_the_basis_point() {
        let table = [
            // 93.565 % → 93.57 % (half to even would say 93.56 %)
            (18_713, 20_000, Some(9357)),
            (18_711, 20_000, Some(9356)),
            (187_129, 200_000, Some(9356)),
            (187_131, 200_000, Some(9357)),
            // 0.005 % → 0.01 %; just under it → 0.00 %
            (1, 20_000, Some(1)),
            (1, 20_001, Some(0)),
            (1, 3, Some(3333)),
            (2, 3, Some(6667)),
            (0, 5_000, Some(0)),
            (5_000, 5_000, Some(WHOLE_BP)),
            (0, 0, None),
            (100, 0, None),
            (100, -1, None),
            (-1, 100, None),
            // A company's year: no overflow; 99.9943 % reads 99.99 %, and
            // 99.99994 % reads 100.00 % (half-up at the basis point).
            (1_759_900_000_000, 1_760_000_000_000, Some(9_999)),
            (1_759_999_000_000, 1_760_000_000_000, Some(WHOLE_BP)),
        ];
        for (paid, billed, expected) in table {
            assert_eq!(rate_basis_points(paid, billed), expected, "{paid}/{billed}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn rates_agree_with_integer_half_up_everywhere_small() {
        for billed in 1..=300_i64 {
            for paid in 0..=billed + 5 {
                let half_up = (paid * WHOLE_BP * 2 + billed) / (2 * billed);
                assert_eq!(
                    rate_basis_points(paid, billed),
                    Some(half_up),
                    "{paid}/{billed}"
                );
            }
        }
    }

    #[test]
    fn rates_read_as_percentages_with_two_decimals() {
        assert_eq!(format_rate(Some(9357)), "93.57%");
        assert_eq!(format_rate(Some(WHOLE_BP)), "100.00%");
        assert_eq!(format_rate(Some(5)), "0.05%");
        assert_eq!(format_rate(Some(0)), "0.00%");
        assert_eq!(format_rate(Some(-150)), "-1.50%");
        assert_eq!(format_rate(None), "—");
    }

    #[test]
    fn a_promise_breaks_the_day_after_its_date_unless_paid_in_full() {
        let on = day("2026-12-10");
        assert!(!promise_broken(on, 50_000, 0, day("2026-12-09")));
        // On the date itself: not yet broken.
        assert!(!promise_broken(on, 50_000, 0, on));
        assert!(promise_broken(on, 50_000, 0, day("2026-12-11")));
        assert!(promise_broken(on, 50_000, 49_999, day("2026-12-11")));
        assert!(!promise_broken(on, 50_000, 50_000, day("2026-12-11")));
        assert!(!promise_broken(on, 50_000, 60_000, day("2027-03-01")));
    }

    #[test]
    fn a_follow_up_is_today_or_later() {
        let today = day("2026-12-03");
        assert_eq!(
            check_follow_up(day("2026-12-02"), today),
            Err(("follow_up_date", "arrears.invalid.follow_up_past"))
        );
        assert_eq!(check_follow_up(today, today), Ok(()));
        assert_eq!(check_follow_up(day("2026-12-04"), today), Ok(()));
    }

    #[test]
    fn a_promise_needs_a_date_not_past_and_an_amount_above_zero() {
        let today = day("2026-12-03");
        assert_eq!(
            check_promise(None, None, today),
            Err(vec![
                ("promise_date", "arrears.invalid.promise_date"),
                ("promise_amount", "arrears.invalid.promise_amount"),
            ])
        );
        assert_eq!(
            check_promise(Some(day("2026-12-02")), Some(0), today),
            Err(vec![
                ("promise_date", "arrears.invalid.promise_past"),
                ("promise_amount", "arrears.invalid.promise_amount"),
            ])
        );
        assert_eq!(
            check_promise(Some(today), Some(-100), today),
            Err(vec![("promise_amount", "arrears.invalid.promise_amount")])
        );
        assert_eq!(
            check_promise(Some(day("2026-12-20")), None, today),
            Err(vec![("promise_amount", "arrears.invalid.promise_amount")])
        );
        assert_eq!(check_promise(Some(today), Some(1), today), Ok((today, 1)));
    }

    #[test]
    fn a_promise_asks_for_its_terms_and_a_dispute_for_its_reason() {
        for outcome in Outcome::ALL.iter().copied() {
            assert_eq!(needs_promise(outcome), outcome == Outcome::Promised);
            assert_eq!(needs_reason(outcome), outcome == Outcome::Disputed);
        }
        assert_eq!(
            check_reason("  物业费标准有异议 "),
            Ok("物业费标准有异议".to_string())
        );
        assert_eq!(
            check_reason("   "),
            Err(("reason", "arrears.invalid.reason"))
        );
        let long = "异".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            check_reason(&long),
            Err(("reason", "arrears.invalid.reason"))
        );
        assert!(check_reason(&"异".repeat(MAX_REASON_CHARS)).is_ok());
    }
}
