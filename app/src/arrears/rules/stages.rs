//! The stage ladder (催缴阶段): reminder → first notice → second notice →
//! lawyer's letter → litigation, one step at a time, by a person. [`check_stage`]
//! is its table, tested over every (current, to) pair; the estate's minimum
//! overdue days per stage ([`StageMinimums`]) and their settings' check.

use serde::{Deserialize, Serialize};

use crate::arrears::Stage;
use crate::i18n::FieldProblem;

/// The stage after `current` (`None`: not chased yet, so the reminder);
/// `None` after litigation. The ladder is [`Stage::ALL`]'s order.
pub fn next_stage(current: Option<Stage>) -> Option<Stage> {
    match current {
        None => Some(Stage::Reminder),
        Some(Stage::Reminder) => Some(Stage::FirstNotice),
        Some(Stage::FirstNotice) => Some(Stage::SecondNotice),
        Some(Stage::SecondNotice) => Some(Stage::LawyerLetter),
        Some(Stage::LawyerLetter) => Some(Stage::Litigation),
        Some(Stage::Litigation) => None,
    }
}

/// Whether only a manager may move a house to `stage`: the lawyer's letter
/// and litigation cost money and speak for the company.
pub fn manager_only(stage: Stage) -> bool {
    matches!(stage, Stage::LawyerLetter | Stage::Litigation)
}

/// The longest minimum a stage may wait for: three years, the limitation
/// period (诉讼时效, 民法典 art. 188) — a stage set to wait longer would come
/// after the oldest fees could no longer be sued for.
pub const MAX_MIN_DAYS: i64 = 1095;

/// How many days the house's oldest arrears must be overdue before it may
/// enter each stage. These are the estate's settings (a manager's); the
/// values here are only the defaults an estate starts with: a reminder the
/// day after the due date, a written notice after a month (one more bill
/// unpaid), the second a month later, the lawyer's letter after three months
/// and litigation after six — well inside the limitation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMinimums {
    pub reminder_days: i64,
    pub first_notice_days: i64,
    pub second_notice_days: i64,
    pub lawyer_letter_days: i64,
    pub litigation_days: i64,
}

impl Default for StageMinimums {
    fn default() -> Self {
        StageMinimums {
            reminder_days: 1,
            first_notice_days: 30,
            second_notice_days: 60,
            lawyer_letter_days: 90,
            litigation_days: 180,
        }
    }
}

impl StageMinimums {
    /// The minimum overdue days before `stage`.
    pub fn of(&self, stage: Stage) -> i64 {
        match stage {
            Stage::Reminder => self.reminder_days,
            Stage::FirstNotice => self.first_notice_days,
            Stage::SecondNotice => self.second_notice_days,
            Stage::LawyerLetter => self.lawyer_letter_days,
            Stage::Litigation => self.litigation_days,
        }
    }
}

/// The settings form's field for a stage's minimum.
pub fn minimum_field(stage: Stage) -> &'static str {
    match stage {
        Stage::Reminder => "reminder_days",
        Stage::FirstNotice => "first_notice_days",
        Stage::SecondNotice => "second_notice_days",
        Stage::LawyerLetter => "lawyer_letter_days",
        Stage::Litigation => "litigation_days",
    }
}

/// Checks the stage settings: each minimum 1 to [`MAX_MIN_DAYS`], none fewer
/// than the stage's before it (a ladder cannot be climbed faster at the top).
pub fn check_minimums(minimums: &StageMinimums) -> Result<(), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut previous = 0;
    for stage in Stage::ALL.iter().copied() {
        let days = minimums.of(stage);
        if !(1..=MAX_MIN_DAYS).contains(&days) {
            problems.push((minimum_field(stage), "arrears.invalid.min_days"));
            continue;
        }
        if days < previous {
            problems.push((minimum_field(stage), "arrears.invalid.min_days_order"));
        }
        previous = previous.max(days);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Why a house may not move to a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageRefusal {
    /// It is at that stage already (a second click, two clerks at once).
    Already,
    /// To a stage below the one it has reached.
    Backwards,
    /// Past the next stage (a first move goes to the reminder).
    Skips,
    /// Its oldest arrears are not yet overdue for `min_days` (the estate's setting).
    TooSoon { min_days: i64 },
    /// The lawyer's letter and litigation are a manager's decision.
    ManagerOnly,
    /// A dispute is open: no stage moves until it is resolved.
    Disputed,
}

impl StageRefusal {
    pub fn key(self) -> &'static str {
        match self {
            StageRefusal::Already => "arrears.refused.already",
            StageRefusal::Backwards => "arrears.refused.backwards",
            StageRefusal::Skips => "arrears.refused.skips",
            StageRefusal::TooSoon { .. } => "arrears.refused.too_soon",
            StageRefusal::ManagerOnly => "arrears.refused.manager_only",
            StageRefusal::Disputed => "arrears.refused.disputed",
        }
    }

    /// The message's `%{…}` arguments.
    pub fn args(self) -> Vec<(&'static str, String)> {
        match self {
            StageRefusal::TooSoon { min_days } => vec![("days", min_days.to_string())],
            _ => Vec::new(),
        }
    }
}

/// Whether a house at `current` (`None`: never chased) may move to `to`, its
/// oldest arrears `overdue_days` overdue ([`super::days_overdue`] of the oldest line
/// the ledger counts): only to the next stage, never back and never skipping
/// one; the lawyer's letter and litigation only by a manager; never while a
/// dispute is open; never before the stage's minimum. The refusal checked
/// first is the one that cannot be helped (the ladder), then who asks, then
/// what would change with time. Nothing moves a stage but a person's action
/// passing this check.
pub fn check_stage(
    current: Option<Stage>,
    to: Stage,
    overdue_days: i64,
    minimums: &StageMinimums,
    by_manager: bool,
    disputed: bool,
) -> Result<(), StageRefusal> {
    if current == Some(to) {
        return Err(StageRefusal::Already);
    }
    // The derived order is the declaration order, the ladder's (tested).
    if current.is_some_and(|c| to < c) {
        return Err(StageRefusal::Backwards);
    }
    if next_stage(current) != Some(to) {
        return Err(StageRefusal::Skips);
    }
    if manager_only(to) && !by_manager {
        return Err(StageRefusal::ManagerOnly);
    }
    if disputed {
        return Err(StageRefusal::Disputed);
    }
    let min_days = minimums.of(to);
    if overdue_days < min_days {
        return Err(StageRefusal::TooSoon { min_days });
    }
    Ok(())
}

/// The stage a house's page offers its caller now, if any.
pub fn offered_stage(
    current: Option<Stage>,
    overdue_days: i64,
    minimums: &StageMinimums,
    by_manager: bool,
    disputed: bool,
) -> Option<Stage> {
    next_stage(current).filter(|to| {
        check_stage(current, *to, overdue_days, minimums, by_manager, disputed).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stages_are_one_ladder_in_declaration_order() {
        let mut climbed = Vec::new();
        let mut at = None;
        while let Some(next) = next_stage(at) {
            climbed.push(next);
            at = Some(next);
        }
        assert_eq!(climbed, Stage::ALL);
        assert!(Stage::ALL.windows(2).all(|p| p[0] < p[1]));
    }

    /// The ladder's answer by position alone: -1 for a house never chased.
    fn ladder(current: Option<Stage>, to: Stage) -> Result<(), StageRefusal> {
        let index = |s: Stage| {
            Stage::ALL
                .iter()
                .position(|x| *x == s)
                .map_or(-1, |i| i as i64)
        };
        let from = current.map_or(-1, index);
        let to = index(to);
        if to == from {
            Err(StageRefusal::Already)
        } else if to < from {
            Err(StageRefusal::Backwards)
        } else if to > from + 1 {
            Err(StageRefusal::Skips)
        } else {
            Ok(())
        }
    }

    fn every_current() -> Vec<Option<Stage>> {
        std::iter::once(None)
            .chain(Stage::ALL.iter().copied().map(Some))
            .collect()
    }

    #[test]
    fn a_manager_moves_only_to_the_next_stage_for_every_pair() {
        let m = StageMinimums::default();
        for current in every_current() {
            for to in Stage::ALL.iter().copied() {
                assert_eq!(
                    check_stage(current, to, 10_000, &m, true, false),
                    ladder(current, to),
                    "{current:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn a_clerk_moves_up_to_the_second_notice_and_no_further() {
        let m = StageMinimums::default();
        for current in every_current() {
            for to in Stage::ALL.iter().copied() {
                let expected = match ladder(current, to) {
                    Ok(()) if manager_only(to) => Err(StageRefusal::ManagerOnly),
                    other => other,
                };
                assert_eq!(
                    check_stage(current, to, 10_000, &m, false, false),
                    expected,
                    "{current:?} → {to:?}"
                );
            }
        }
        assert!(manager_only(Stage::LawyerLetter) && manager_only(Stage::Litigation));
        assert!(!manager_only(Stage::SecondNotice));
    }

    #[test]
    fn an_open_dispute_pauses_every_move_up() {
        let m = StageMinimums::default();
        for current in every_current() {
            for to in Stage::ALL.iter().copied() {
                let expected = ladder(current, to).and(Err::<(), _>(StageRefusal::Disputed));
                assert_eq!(
                    check_stage(current, to, 10_000, &m, true, true),
                    expected,
                    "{current:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn no_stage_before_its_minimum_overdue_days() {
        let m = StageMinimums::default();
        for current in every_current() {
            let Some(to) = next_stage(current) else {
                continue;
            };
            let min_days = m.of(to);
            assert_eq!(
                check_stage(current, to, min_days - 1, &m, true, false),
                Err(StageRefusal::TooSoon { min_days }),
                "{to:?}"
            );
            assert_eq!(check_stage(current, to, min_days, &m, true, false), Ok(()));
        }
        // No arrears, no reminder.
        assert_eq!(
            check_stage(None, Stage::Reminder, 0, &m, false, false),
            Err(StageRefusal::TooSoon { min_days: 1 })
        );
        // The estate's own settings decide.
        let soon = StageMinimums {
            first_notice_days: 15,
            ..StageMinimums::default()
        };
        let first = Some(Stage::Reminder);
        assert_eq!(
            check_stage(first, Stage::FirstNotice, 15, &soon, false, false),
            Ok(())
        );
        assert_eq!(
            check_stage(first, Stage::FirstNotice, 15, &m, false, false),
            Err(StageRefusal::TooSoon { min_days: 30 })
        );
    }

    #[test]
    fn the_ladder_is_refused_before_who_asks_and_when() {
        let m = StageMinimums::default();
        // A clerk skipping to litigation is told it skips, not that it is a manager's.
        assert_eq!(
            check_stage(None, Stage::Litigation, 0, &m, false, true),
            Err(StageRefusal::Skips)
        );
        assert_eq!(
            check_stage(
                Some(Stage::LawyerLetter),
                Stage::Reminder,
                0,
                &m,
                false,
                true
            ),
            Err(StageRefusal::Backwards)
        );
        // A clerk at a dispute's lawyer's letter: the manager's, first.
        assert_eq!(
            check_stage(
                Some(Stage::SecondNotice),
                Stage::LawyerLetter,
                0,
                &m,
                false,
                true
            ),
            Err(StageRefusal::ManagerOnly)
        );
    }

    #[test]
    fn the_page_offers_the_next_stage_only_when_it_would_pass() {
        let m = StageMinimums::default();
        assert_eq!(
            offered_stage(None, 1, &m, false, false),
            Some(Stage::Reminder)
        );
        assert_eq!(offered_stage(None, 0, &m, false, false), None);
        let second = Some(Stage::SecondNotice);
        assert_eq!(offered_stage(second, 400, &m, false, false), None);
        assert_eq!(
            offered_stage(second, 400, &m, true, false),
            Some(Stage::LawyerLetter)
        );
        assert_eq!(offered_stage(second, 400, &m, true, true), None);
        assert_eq!(
            offered_stage(Some(Stage::Litigation), 4000, &m, true, false),
            None
        );
    }

    #[test]
    fn refusals_name_their_own_keys_and_arguments() {
        let all = [
            StageRefusal::Already,
            StageRefusal::Backwards,
            StageRefusal::Skips,
            StageRefusal::TooSoon { min_days: 30 },
            StageRefusal::ManagerOnly,
            StageRefusal::Disputed,
        ];
        let mut keys: Vec<&str> = all.iter().map(|r| r.key()).collect();
        assert!(keys.iter().all(|k| k.starts_with("arrears.refused.")));
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.len());
        assert_eq!(StageRefusal::Backwards.key(), "arrears.refused.backwards");
        assert_eq!(
            StageRefusal::TooSoon { min_days: 30 }.args(),
            vec![("days", "30".to_string())]
        );
        assert!(StageRefusal::Skips.args().is_empty());
    }

    #[test]
    fn stage_settings_climb_and_stay_within_three_years() {
        assert_eq!(check_minimums(&StageMinimums::default()), Ok(()));
        let bad = StageMinimums {
            reminder_days: 0,
            second_notice_days: 20,
            litigation_days: MAX_MIN_DAYS + 1,
            ..StageMinimums::default()
        };
        assert_eq!(
            check_minimums(&bad),
            Err(vec![
                ("reminder_days", "arrears.invalid.min_days"),
                ("second_notice_days", "arrears.invalid.min_days_order"),
                ("litigation_days", "arrears.invalid.min_days"),
            ])
        );
        // Two stages on the same day are allowed.
        let same = StageMinimums {
            second_notice_days: 30,
            ..StageMinimums::default()
        };
        assert_eq!(check_minimums(&same), Ok(()));
    }
}
