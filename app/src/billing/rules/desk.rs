//! The rules of the desk's forms and of money at the counter, pure: what a
//! new fee item, a rate's span, a late-fee policy and a payment form must be,
//! how a payment splits between lines and the prepaid balance, receipt
//! numbers, and the second person every money decision needs.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Period;
use crate::billing::FeeKind;

/// A count of days typed into a form (due days, grace days): 0 to 365.
pub fn parse_days(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|d| (0..=365).contains(d))
}

/// Free text as it is stored: trimmed, at most `max` characters.
pub fn clip(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

/// Rates start on the first of a month…
pub fn starts_a_month(day: NaiveDate) -> bool {
    day == Period::of(day).first_day()
}

/// …and end on a month's last day, not before they start.
pub fn ends_a_month(day: NaiveDate, from: NaiveDate) -> bool {
    day == Period::of(day).last_day() && day >= from
}

/// A new fee item's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeeItem {
    pub name: String,
    pub kind: FeeKind,
    pub due_days: i64,
    pub unit: String,
    /// Money held, not earned (a deposit, 押金): the form's kind `deposit`, a one-off.
    pub held: bool,
}

pub use crate::billing::DEPOSIT;

/// Checks a new fee item's fields; each refusal is the field and its i18n key,
/// all of them at once so the form can mark every one.
pub fn check_fee_item(
    name: &str,
    kind: &str,
    due_days: &str,
    unit: &str,
) -> Result<NewFeeItem, Vec<(&'static str, &'static str)>> {
    let name = clip(name, 40);
    // A deposit is charged once and held: a one-off the rest of billing treats apart.
    let held = kind == DEPOSIT;
    let kind = if held { Some(FeeKind::OneOff) } else { FeeKind::parse(kind) };
    let due = parse_days(due_days);
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(("name", "billing.invalid.name"));
    }
    if kind.is_none() {
        problems.push(("kind", "billing.invalid.kind"));
    }
    if due.is_none() {
        problems.push(("due_days", "billing.invalid.due_days"));
    }
    match (kind, due) {
        (Some(kind), Some(due_days)) if problems.is_empty() => Ok(NewFeeItem {
            name,
            kind,
            due_days,
            unit: clip(unit, 20),
            held,
        }),
        _ => Err(problems),
    }
}

/// A late-fee rate is at most 1% of the principal a day (a rate of 0 turns
/// late fees off).
pub fn daily_rate_ok(rate: Decimal) -> bool {
    rate <= Decimal::new(1, 2)
}

/// A payment form's one-time key (trimmed): present, and no longer than the column's 64.
pub fn request_key_ok(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64
}

/// Settling lines at the counter: the money received must cover the lines
/// picked; what is over goes on the prepaid balance.
pub fn split_payment(received_fen: i64, lines_fen: i64) -> Result<i64, PaymentError> {
    if received_fen <= 0 {
        return Err(PaymentError::NotPositive);
    }
    if received_fen < lines_fen {
        return Err(PaymentError::ShortOf(lines_fen - received_fen));
    }
    Ok(received_fen - lines_fen)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentError {
    NotPositive,
    ShortOf(i64),
}

/// Receipt numbers: estate code, year, and the year's gap-free sequence number.
pub fn receipt_number(estate_code: &str, year: i32, seq: i64) -> String {
    format!("{estate_code}{year}-{seq:06}")
}

/// The most houses one building has, and so the most a building's readings
/// grid shows and saves at once, and the most payment notices one building's
/// batch prints. The fire code's usual ceiling for a residential tower is
/// 100 m (33 floors); 33 floors × 4 entrances × 6 flats is 792, and the
/// generator's largest building has 264. Above this a request is not a
/// building's, and is refused before any of it is written or computed
/// (one body once carried ~50,000 readings into one write transaction).
pub const MAX_HOUSES_PER_BUILDING: usize = 1_000;

/// A money decision that needs a second person (四眼原则): whoever decides
/// may not be whoever asked for it or took the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyDecision {
    /// Approving or rejecting a waiver `requested_by` asked for.
    Waiver { requested_by: i64 },
    /// Reversing a payment `taken_by` took at the counter.
    Reversal { taken_by: i64 },
}

/// Why a decision is not this person's to make; each is an i18n key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSecondPerson {
    OwnWaiver,
    OwnPayment,
}

impl NotSecondPerson {
    pub fn key(self) -> &'static str {
        match self {
            NotSecondPerson::OwnWaiver => "billing.invalid.own_waiver",
            NotSecondPerson::OwnPayment => "billing.invalid.own_payment",
        }
    }
}

/// Whether `decider` may make `decision`. The rule holds however many
/// managers an estate has: where there is one, what that manager asked for
/// or took waits for another manager given the estate.
pub fn second_person(decider: i64, decision: MoneyDecision) -> Result<(), NotSecondPerson> {
    match decision {
        MoneyDecision::Waiver { requested_by } if requested_by == decider => {
            Err(NotSecondPerson::OwnWaiver)
        }
        MoneyDecision::Reversal { taken_by } if taken_by == decider => {
            Err(NotSecondPerson::OwnPayment)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn payments_cover_the_lines() {
        assert_eq!(split_payment(30000, 21002), Ok(8998));
        assert_eq!(split_payment(21002, 21002), Ok(0));
        assert_eq!(
            split_payment(20000, 21002),
            Err(PaymentError::ShortOf(1002))
        );
        assert_eq!(split_payment(0, 0), Err(PaymentError::NotPositive));
        assert_eq!(receipt_number("CH", 2026, 12), "CH2026-000012");
    }

    #[test]
    fn money_decisions_need_a_second_person() {
        let (manager, clerk, other_manager) = (1, 2, 3);
        let own_waiver = MoneyDecision::Waiver {
            requested_by: manager,
        };
        assert_eq!(
            second_person(manager, own_waiver),
            Err(NotSecondPerson::OwnWaiver)
        );
        assert_eq!(second_person(other_manager, own_waiver), Ok(()));
        let clerks_waiver = MoneyDecision::Waiver {
            requested_by: clerk,
        };
        assert_eq!(second_person(manager, clerks_waiver), Ok(()));
        let own_payment = MoneyDecision::Reversal { taken_by: manager };
        assert_eq!(
            second_person(manager, own_payment),
            Err(NotSecondPerson::OwnPayment)
        );
        assert_eq!(second_person(other_manager, own_payment), Ok(()));
        assert_eq!(
            second_person(manager, MoneyDecision::Reversal { taken_by: clerk }),
            Ok(())
        );
        assert_eq!(
            NotSecondPerson::OwnWaiver.key(),
            "billing.invalid.own_waiver"
        );
    }

    #[test]
    fn the_desks_forms_are_checked_before_anything_is_written() {
        assert_eq!(
            check_fee_item("  物业服务费 ", "area", "15", " 元 "),
            Ok(NewFeeItem {
                name: "物业服务费".into(),
                kind: FeeKind::Area,
                due_days: 15,
                unit: "元".into(),
                held: false,
            })
        );
        let deposit = check_fee_item("装修押金", "deposit", "0", "").expect("a deposit");
        assert_eq!((deposit.kind, deposit.held), (FeeKind::OneOff, true));
        assert_eq!(
            check_fee_item(" ", "weekly", "400", ""),
            Err(vec![
                ("name", "billing.invalid.name"),
                ("kind", "billing.invalid.kind"),
                ("due_days", "billing.invalid.due_days"),
            ])
        );
        assert_eq!(parse_days("0"), Some(0));
        assert_eq!(parse_days("-1"), None);
        assert_eq!(clip(&"长".repeat(300), 200).chars().count(), 200);
        assert!(starts_a_month(day("2026-03-01")) && !starts_a_month(day("2026-03-02")));
        assert!(ends_a_month(day("2026-02-28"), day("2026-01-01")));
        assert!(!ends_a_month(day("2026-02-27"), day("2026-01-01")));
        assert!(!ends_a_month(day("2025-12-31"), day("2026-01-01")));
        assert!(daily_rate_ok(Decimal::new(5, 4)) && !daily_rate_ok(Decimal::new(5, 1)));
        assert!(request_key_ok("abc") && !request_key_ok("") && !request_key_ok(&"k".repeat(65)));
    }
}
