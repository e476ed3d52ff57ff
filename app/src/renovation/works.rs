//! Works in progress (施工中), the rules without I/O: which works are visited
//! (巡查) and when the next visit is due, a violation's rectification
//! deadline (整改期限) and when it is overdue, an extension's asked end, and
//! what stands out on a list of works.

use chrono::{Duration, NaiveDate};

use super::rules::{Problem, MAX_DAYS};
use super::State;

/// The longest a rectification may be given, in days.
pub const MAX_RECTIFY_DAYS: i64 = 30;

crate::value_set! {
    /// What makes works stand out on a list, the most pressing first.
    pub enum Flag("renovation.flag") {
        /// A violation past its rectification deadline and not put right.
        RectificationOverdue = "rectification_overdue",
        /// The estate's interval since the last visit (or the permit) has passed.
        InspectionDue = "inspection_due",
        /// An extension waits for a manager.
        ExtensionAsked = "extension_asked",
    }
}

/// Whether works in this state are visited: under the permit (suspended
/// too: the suspension's cause is checked), at the acceptance and during a
/// rectification after a failed one.
pub fn inspectable(state: State) -> bool {
    matches!(
        state,
        State::Works | State::Extension | State::Suspended | State::Acceptance | State::Rectifying
    )
}

/// The day the next visit is due: `interval` days after the last visit, or
/// after the permit's day when there was none.
pub fn next_due(last_visit: Option<NaiveDate>, permit_day: NaiveDate, interval: i64) -> NaiveDate {
    last_visit.unwrap_or(permit_day) + Duration::days(interval)
}

/// A violation's deadline as the form sent it: a day from today to
/// [`MAX_RECTIFY_DAYS`] ahead.
pub fn check_deadline(text: &str, today: NaiveDate) -> Result<NaiveDate, Problem> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Problem::new("deadline", "renovation.invalid.date"))?;
    if day < today {
        return Err(Problem::new("deadline", "renovation.invalid.past"));
    }
    if (day - today).num_days() > MAX_RECTIFY_DAYS {
        return Err(Problem {
            field: "deadline".into(),
            key: "renovation.invalid.deadline_far",
            args: vec![("days", MAX_RECTIFY_DAYS.to_string())],
        });
    }
    Ok(day)
}

/// Whether a violation not yet put right is past its deadline on `today`.
pub fn overdue(deadline: &str, rectified: bool, today: &str) -> bool {
    !rectified && deadline < today
}

/// An extension's asked end: after the planned end, and the whole works no
/// longer than [`MAX_DAYS`] from their start.
pub fn check_extension(start: &str, end: &str, asked: &str) -> Result<NaiveDate, Problem> {
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let asked = day(asked).ok_or_else(|| Problem::new("extend_to", "renovation.invalid.date"))?;
    let (Some(start), Some(end)) = (day(start), day(end)) else {
        return Err(Problem::new("extend_to", "renovation.invalid.date"));
    };
    if asked <= end {
        return Err(Problem::new(
            "extend_to",
            "renovation.invalid.extension_not_later",
        ));
    }
    if (asked - start).num_days() + 1 > MAX_DAYS {
        return Err(Problem {
            field: "extend_to".into(),
            key: "renovation.invalid.too_long",
            args: vec![("days", MAX_DAYS.to_string())],
        });
    }
    Ok(asked)
}

/// What stands out about works: an overdue rectification before a due
/// visit before an extension waiting. `next_due`: the next visit's day,
/// `None` when the works are not visited now.
pub fn flag(
    state: State,
    overdue_violations: i64,
    next_due: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<Flag> {
    if overdue_violations > 0 {
        Some(Flag::RectificationOverdue)
    } else if next_due.is_some_and(|d| d <= today) && inspectable(state) {
        Some(Flag::InspectionDue)
    } else if state == State::Extension {
        Some(Flag::ExtensionAsked)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_works_under_way_are_visited() {
        let visited: Vec<State> = State::ALL
            .iter()
            .copied()
            .filter(|s| inspectable(*s))
            .collect();
        assert_eq!(
            visited,
            [
                State::Works,
                State::Extension,
                State::Suspended,
                State::Acceptance,
                State::Rectifying
            ]
        );
    }

    #[test]
    fn the_next_visit_counts_from_the_last_or_the_permit() {
        assert_eq!(next_due(None, d("2026-12-01"), 7), d("2026-12-08"));
        assert_eq!(
            next_due(Some(d("2026-12-05")), d("2026-12-01"), 7),
            d("2026-12-12")
        );
        assert_eq!(
            next_due(Some(d("2026-12-31")), d("2026-12-01"), 1),
            d("2027-01-01")
        );
    }

    #[test]
    fn deadlines_from_today_to_a_month() {
        let today = d("2026-12-03");
        assert_eq!(check_deadline("2026-12-03", today).unwrap(), today);
        assert_eq!(
            check_deadline(" 2027-01-02 ", today).unwrap(),
            d("2027-01-02")
        );
        assert_eq!(
            check_deadline("2027-01-03", today).unwrap_err().key,
            "renovation.invalid.deadline_far"
        );
        assert_eq!(
            check_deadline("2026-12-02", today).unwrap_err().key,
            "renovation.invalid.past"
        );
        assert_eq!(
            check_deadline("12/05", today).unwrap_err().field,
            "deadline"
        );
    }

    #[test]
    fn overdue_is_after_the_deadline_and_unrectified() {
        assert!(!overdue("2026-12-03", false, "2026-12-03"));
        assert!(overdue("2026-12-02", false, "2026-12-03"));
        assert!(!overdue("2026-12-02", true, "2026-12-03"));
    }

    #[test]
    fn an_extension_goes_later_within_the_longest_works() {
        let (s, e) = ("2026-12-01", "2026-12-31");
        assert_eq!(
            check_extension(s, e, "2027-01-15").unwrap(),
            d("2027-01-15")
        );
        assert_eq!(
            check_extension(s, e, "2026-12-31").unwrap_err().key,
            "renovation.invalid.extension_not_later"
        );
        // 180 days from 1 December is 29 May inclusive.
        assert!(check_extension(s, e, "2027-05-29").is_ok());
        assert_eq!(
            check_extension(s, e, "2027-05-30").unwrap_err().key,
            "renovation.invalid.too_long"
        );
        assert_eq!(
            check_extension(s, e, "soon").unwrap_err().key,
            "renovation.invalid.date"
        );
    }

    #[test]
    fn an_overdue_rectification_stands_out_first() {
        let today = d("2026-12-10");
        let due = Some(d("2026-12-08"));
        let later = Some(d("2026-12-11"));
        assert_eq!(
            flag(State::Works, 1, due, today),
            Some(Flag::RectificationOverdue)
        );
        assert_eq!(flag(State::Works, 0, due, today), Some(Flag::InspectionDue));
        assert_eq!(flag(State::Works, 0, later, today), None);
        assert_eq!(
            flag(State::Extension, 0, later, today),
            Some(Flag::ExtensionAsked)
        );
        assert_eq!(flag(State::Refund, 0, due, today), None);
    }
}
