//! Why a bill line is this much (计费依据): the inputs it came from, stored as
//! JSON on the line (`bill_line.basis`) when it is created, and explained in
//! the reader's language whenever it is shown.
//!
//! The JSON is the enum's serde form, tagged by `kind`, and is byte for byte
//! what the lines written before this type existed hold, so every stored line
//! still reads (the tests below pin each shape). A line whose basis does not
//! read as one of these (a hand-made row's `{}`) explains nothing.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fen_text;
use super::money;
use crate::common::Lang;
use crate::i18n::I18n;

/// How an exact amount became whole fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    /// Half-up, once, at the line ([`money::round_fen`]).
    #[serde(rename = "half_up_fen")]
    HalfUpFen,
}

/// The inputs of a bill line, by how it was charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    /// Area × rate, pro-rated over the billable days of the month.
    Area {
        area: Decimal,
        rate: Decimal,
        days: u32,
        month_days: u32,
        exact: Decimal,
        rounding: Rounding,
    },
    /// A monthly amount, pro-rated over the billable days.
    Fixed {
        rate: Decimal,
        days: u32,
        month_days: u32,
        exact: Decimal,
        rounding: Rounding,
    },
    /// Consumption × rate; across a meter replacement the old meter's final
    /// and the new one's start reading are kept too.
    Metered {
        previous: Decimal,
        reading: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old_final: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_start: Option<Decimal>,
        consumption: Decimal,
        rate: Decimal,
        exact: Decimal,
        rounding: Rounding,
    },
    /// A late fee raised as a line of its own when its principal line was paid.
    LateFee {
        principal: Decimal,
        days: i64,
        of_line: i64,
    },
    /// A one-off charge (deposit, paid repair …) with the desk's note.
    OneOff { note: String },
}

impl Basis {
    /// The text stored on the line.
    pub fn to_json(&self) -> String {
        // A map of strings, numbers and decimals as text: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The days of the month a pro-rated line (area, fixed) bills.
    pub fn days(&self) -> Option<u32> {
        match self {
            Basis::Area { days, .. } | Basis::Fixed { days, .. } => Some(*days),
            _ => None,
        }
    }

    /// A stored basis, if it reads as one.
    pub fn parse(stored: &str) -> Option<Basis> {
        serde_json::from_str(stored).ok()
    }

    /// Why the line is this much, in `lang`.
    pub fn explain(&self, lang: Lang) -> String {
        let i18n = I18n(lang);
        let rounded = |exact: &Decimal| money::round_fen(*exact).map(fen_text).unwrap_or_default();
        let part_month = |days: u32, month_days: u32| {
            if days != month_days {
                i18n.f(
                    "billing.basis.days",
                    &[
                        ("days", &days.to_string()),
                        ("month_days", &month_days.to_string()),
                    ],
                )
            } else {
                String::new()
            }
        };
        match self {
            Basis::Area {
                area,
                rate,
                days,
                month_days,
                exact,
                ..
            } => i18n.f(
                "billing.basis.area",
                &[
                    ("area", &area.to_string()),
                    ("rate", &rate.to_string()),
                    ("days", &part_month(*days, *month_days)),
                    ("exact", &exact.to_string()),
                    ("amount", &rounded(exact)),
                ],
            ),
            Basis::Fixed {
                days,
                month_days,
                exact,
                ..
            } if days == month_days => {
                i18n.f("billing.basis.fixed_full", &[("amount", &rounded(exact))])
            }
            Basis::Fixed {
                rate,
                days,
                month_days,
                exact,
                ..
            } => i18n.f(
                "billing.basis.fixed",
                &[
                    ("rate", &rate.to_string()),
                    ("days", &part_month(*days, *month_days)),
                    ("exact", &exact.to_string()),
                    ("amount", &rounded(exact)),
                ],
            ),
            Basis::Metered {
                previous,
                reading,
                old_final,
                new_start,
                consumption,
                rate,
                exact,
                ..
            } => {
                let replaced = match old_final {
                    Some(old_final) => i18n.f(
                        "billing.basis.replaced",
                        &[
                            ("old_final", &old_final.to_string()),
                            (
                                "new_start",
                                &new_start.map(|s| s.to_string()).unwrap_or_default(),
                            ),
                        ],
                    ),
                    None => String::new(),
                };
                i18n.f(
                    "billing.basis.metered",
                    &[
                        ("previous", &previous.to_string()),
                        ("reading", &reading.to_string()),
                        ("replaced", &replaced),
                        ("consumption", &consumption.to_string()),
                        ("rate", &rate.to_string()),
                        ("exact", &exact.to_string()),
                        ("amount", &rounded(exact)),
                    ],
                )
            }
            Basis::LateFee {
                principal, days, ..
            } => i18n.f(
                "billing.basis.late_fee",
                &[
                    ("principal", &principal.to_string()),
                    ("days", &days.to_string()),
                ],
            ),
            Basis::OneOff { note } => note.clone(),
        }
    }
}

/// Why a line is this much, from the basis stored on it ("" when it has none
/// that reads).
pub fn explain(stored: &str, lang: Lang) -> String {
    Basis::parse(stored)
        .map(|b| b.explain(lang))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_default()
    }

    /// Each shape, as the hand-written JSON of the lines already stored has it.
    fn stored() -> Vec<(Basis, &'static str)> {
        vec![
            (
                Basis::Area {
                    area: d("89.37"),
                    rate: d("2.35"),
                    days: 31,
                    month_days: 31,
                    exact: d("210.0195"),
                    rounding: Rounding::HalfUpFen,
                },
                r#"{"kind":"area","area":"89.37","rate":"2.35","days":31,"month_days":31,"exact":"210.0195","rounding":"half_up_fen"}"#,
            ),
            (
                Basis::Fixed {
                    rate: d("30"),
                    days: 10,
                    month_days: 31,
                    exact: d("9.677419354838709677419354839"),
                    rounding: Rounding::HalfUpFen,
                },
                r#"{"kind":"fixed","rate":"30","days":10,"month_days":31,"exact":"9.677419354838709677419354839","rounding":"half_up_fen"}"#,
            ),
            (
                Basis::Metered {
                    previous: d("120.00"),
                    reading: d("132.50"),
                    old_final: None,
                    new_start: None,
                    consumption: d("12.50"),
                    rate: d("3.45"),
                    exact: d("43.1250"),
                    rounding: Rounding::HalfUpFen,
                },
                r#"{"kind":"metered","previous":"120.00","reading":"132.50","consumption":"12.50","rate":"3.45","exact":"43.1250","rounding":"half_up_fen"}"#,
            ),
            (
                Basis::Metered {
                    previous: d("1.00"),
                    reading: d("0.30"),
                    old_final: Some(d("1.50")),
                    new_start: Some(d("0.00")),
                    consumption: d("0.80"),
                    rate: d("3.45"),
                    exact: d("2.7600"),
                    rounding: Rounding::HalfUpFen,
                },
                r#"{"kind":"metered","previous":"1.00","reading":"0.30","old_final":"1.50","new_start":"0.00","consumption":"0.80","rate":"3.45","exact":"2.7600","rounding":"half_up_fen"}"#,
            ),
            (
                Basis::LateFee {
                    principal: d("210.02"),
                    days: 12,
                    of_line: 7,
                },
                r#"{"kind":"late_fee","principal":"210.02","days":12,"of_line":7}"#,
            ),
            (
                Basis::OneOff {
                    note: "维修 \"厨房\" 龙头".into(),
                },
                r#"{"kind":"one_off","note":"维修 \"厨房\" 龙头"}"#,
            ),
        ]
    }

    #[test]
    fn a_basis_is_stored_byte_for_byte_as_before_and_reads_back() {
        for (basis, text) in stored() {
            assert_eq!(basis.to_json(), text);
            assert_eq!(Basis::parse(text), Some(basis));
        }
        // The one-off note was written by `serde_json::json!`: same escaping.
        let note = "a\\b\n\"c\"";
        assert_eq!(
            Basis::OneOff { note: note.into() }.to_json(),
            serde_json::json!({ "kind": "one_off", "note": note }).to_string()
        );
    }

    #[test]
    fn a_line_without_a_readable_basis_explains_nothing() {
        assert_eq!(Basis::parse("{}"), None);
        assert_eq!(explain("{}", Lang::Zh), "");
        assert_eq!(explain("not json", Lang::En), "");
    }

    #[test]
    fn lines_say_why_they_are_this_much() {
        let texts: Vec<String> = stored()
            .into_iter()
            .map(|(b, _)| b.explain(Lang::Zh))
            .collect();
        assert!(
            texts[0].contains("89.37") && texts[0].contains("210.02"),
            "{}",
            texts[0]
        );
        assert!(texts[3].contains("1.50"), "{}", texts[3]);
        assert!(texts[4].contains("210.02"), "{}", texts[4]);
        assert_eq!(texts[5], "维修 \"厨房\" 龙头");
    }
}
