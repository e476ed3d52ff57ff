//! Money arithmetic: whole fen (分) as `i64`, computed with `rust_decimal` and
//! rounded half-up to the fen once, at the line. Never floats.
//!
//! `Decimal::round_dp` rounds half-to-even (banker's rounding): 0.125 → 0.12.
//! A bill must round half-up (0.125 → 0.13), so every rounding here names its
//! strategy ([`RoundingStrategy::MidpointAwayFromZero`]; amounts are never negative
//! when rounded, so away-from-zero is half-up).

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// The largest amount the desk takes in one figure: 100 million yuan.
pub const MAX_FEN: i64 = 10_000_000_000;

/// Yuan (exact) → whole fen, half-up. `None` past [`MAX_FEN`].
pub fn round_fen(yuan: Decimal) -> Option<i64> {
    let fen = (yuan * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()?;
    (fen.abs() <= MAX_FEN).then_some(fen)
}

/// Why a typed amount or rate was refused (the caller words it for the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    NotANumber,
    Negative,
    Zero,
    TooManyDecimals,
    TooLarge,
}

/// A typed yuan amount ("210.02", "210", "¥1,210.5") → fen. At most two
/// decimals; zero and negative amounts are refused.
pub fn parse_yuan(text: &str) -> Result<i64, AmountError> {
    let d = parse_decimal(text)?;
    if d.scale() > 2 && d.normalize().scale() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    if d.is_sign_negative() && !d.is_zero() {
        return Err(AmountError::Negative);
    }
    if d.is_zero() {
        return Err(AmountError::Zero);
    }
    round_fen(d).ok_or(AmountError::TooLarge)
}

/// A rate ("2.35" 元/m²/月, "0.0005" per day): non-negative, at most `max_dp` decimals.
pub fn parse_rate(text: &str, max_dp: u32) -> Result<Decimal, AmountError> {
    let d = parse_decimal(text)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(AmountError::Negative);
    }
    let d = d.normalize();
    if d.scale() > max_dp {
        return Err(AmountError::TooManyDecimals);
    }
    if d > Decimal::from(1_000_000) {
        return Err(AmountError::TooLarge);
    }
    Ok(d)
}

fn parse_decimal(text: &str) -> Result<Decimal, AmountError> {
    let cleaned: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return Err(AmountError::NotANumber);
    }
    Decimal::from_str(&cleaned).map_err(|_| AmountError::NotANumber)
}

/// Fen → exact yuan.
pub fn yuan(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// Pro-rating: `monthly × days ÷ month_days`, exact (rounded later, at the line).
pub fn prorate(monthly: Decimal, days: u32, month_days: u32) -> Decimal {
    if days >= month_days || month_days == 0 {
        return monthly;
    }
    monthly * Decimal::from(days) / Decimal::from(month_days)
}

/// A late fee (滞纳金): `principal × daily_rate × days`, counting the days after
/// the due date beyond the grace days up to `as_of`; never more than the
/// principal, never compounded (it is computed on the principal only).
pub fn late_fee(
    principal_fen: i64,
    daily_rate: Decimal,
    due: NaiveDate,
    grace_days: i64,
    as_of: NaiveDate,
) -> LateFee {
    let overdue = (as_of - due).num_days().max(0);
    let days = (overdue - grace_days).max(0);
    if days == 0 || principal_fen <= 0 || daily_rate.is_zero() {
        return LateFee { days, fen: 0 };
    }
    let fee = round_fen(yuan(principal_fen) * daily_rate * Decimal::from(days)).unwrap_or(i64::MAX);
    LateFee {
        days,
        fen: fee.min(principal_fen),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateFee {
    /// Days charged (after the grace days).
    pub days: i64,
    pub fen: i64,
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
const SECTIONS: [&str; 4] = ["", "万", "亿", "万亿"];

/// The amount in Chinese capitals (大写金额) as receipts write it, following the
/// People's Bank's rules: `元整` when there are no jiao or fen, `零` for the
/// zeros between non-zero digits (one for a run), `零X分` when the jiao is zero,
/// no `整` after 分. 210.02 → 贰佰壹拾元零贰分.
pub fn capitals(fen: i64) -> String {
    let mut out = String::new();
    if fen < 0 {
        out.push('负');
    }
    let fen = fen.unsigned_abs();
    let whole = fen / 100;
    let jiao = (fen / 10 % 10) as usize;
    let fen_digit = (fen % 10) as usize;
    if whole > 0 {
        let digits: Vec<usize> = whole
            .to_string()
            .bytes()
            .map(|b| usize::from(b - b'0'))
            .collect();
        let mut zero_pending = false;
        let mut section_has_digit = false;
        for (i, d) in digits.iter().enumerate() {
            let place = digits.len() - 1 - i;
            if *d == 0 {
                zero_pending = true;
            } else {
                if zero_pending {
                    out.push('零');
                }
                zero_pending = false;
                out.push(DIGITS[*d]);
                out.push_str(UNITS[place % 4]);
                section_has_digit = true;
            }
            if place.is_multiple_of(4) {
                if section_has_digit {
                    out.push_str(SECTIONS[(place / 4).min(3)]);
                }
                section_has_digit = false;
            }
        }
        out.push('元');
    }
    match (jiao, fen_digit) {
        (0, 0) if whole == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (0, f) => {
            if whole > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push('角');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn rounds_half_up_at_the_fen() {
        // 2.35 元/m² × 89.37 m² = 210.0195 → 210.02
        assert_eq!(round_fen(d("2.35") * d("89.37")), Some(21002));
        // The midpoint: 0.125 rounds up, where round_dp (banker's) gives 0.12.
        assert_eq!(round_fen(d("0.125")), Some(13));
        assert_eq!(d("0.125").round_dp(2), d("0.12"));
        assert_eq!(round_fen(d("2.35") * d("89.50")), Some(21033)); // 210.325 → 210.33
        assert_eq!(round_fen(d("0.004")), Some(0));
        assert_eq!(round_fen(d("0.005")), Some(1));
        assert_eq!(round_fen(d("100000001")), None);
    }

    #[test]
    fn parses_typed_amounts() {
        assert_eq!(parse_yuan("210.02"), Ok(21002));
        assert_eq!(parse_yuan(" ¥1,210.5 "), Ok(121050));
        assert_eq!(parse_yuan("300"), Ok(30000));
        assert_eq!(parse_yuan("1.230"), Ok(123));
        assert_eq!(parse_yuan("-5"), Err(AmountError::Negative));
        assert_eq!(parse_yuan("0"), Err(AmountError::Zero));
        assert_eq!(parse_yuan("abc"), Err(AmountError::NotANumber));
        assert_eq!(parse_yuan("1e3"), Err(AmountError::NotANumber));
        assert_eq!(parse_yuan(""), Err(AmountError::NotANumber));
        assert_eq!(parse_yuan("1.005"), Err(AmountError::TooManyDecimals));
        assert_eq!(parse_yuan("999999999999"), Err(AmountError::TooLarge));
        assert_eq!(parse_rate("2.35", 4), Ok(d("2.35")));
        assert_eq!(parse_rate("0.00005", 4), Err(AmountError::TooManyDecimals));
        assert_eq!(parse_rate("0", 4), Ok(Decimal::ZERO));
    }

    #[test]
    fn prorates_by_days() {
        // 2.35 × 89.37 for 10 of 31 days: 210.0195 × 10 / 31 = 67.74822… → 67.75
        let monthly = d("2.35") * d("89.37");
        assert_eq!(round_fen(prorate(monthly, 10, 31)), Some(6775));
        assert_eq!(round_fen(prorate(monthly, 31, 31)), Some(21002));
        // February of a leap year: 14 of 29 days of 100.00 = 48.2758… → 48.28
        assert_eq!(round_fen(prorate(d("100"), 14, 29)), Some(4828));
        assert_eq!(round_fen(prorate(d("100"), 0, 30)), Some(0));
    }

    #[test]
    fn late_fees_have_grace_and_a_cap() {
        let due = NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
        let day = |m, dd| NaiveDate::from_ymd_opt(2026, m, dd).expect("date");
        let rate = d("0.0005");
        // Within the grace days: nothing.
        assert_eq!(late_fee(21002, rate, due, 10, day(1, 25)).fen, 0);
        // 20 days overdue, 10 of grace: 210.02 × 0.0005 × 10 = 1.0501 → 1.05
        assert_eq!(
            late_fee(21002, rate, due, 10, day(2, 4)),
            LateFee { days: 10, fen: 105 }
        );
        // Years overdue at 1% a day: capped at the principal, not compounded.
        assert_eq!(late_fee(21002, d("0.01"), due, 0, day(12, 31)).fen, 21002);
        // Before the due date: nothing.
        assert_eq!(late_fee(21002, rate, due, 0, day(1, 1)).fen, 0);
    }

    #[test]
    fn writes_amounts_in_capitals() {
        assert_eq!(capitals(0), "零元整");
        assert_eq!(capitals(1000), "壹拾元整");
        assert_eq!(capitals(10_000_005), "壹拾万元零伍分");
        assert_eq!(capitals(21002), "贰佰壹拾元零贰分");
        assert_eq!(capitals(5), "伍分");
        assert_eq!(capitals(50), "伍角");
        assert_eq!(capitals(140_950), "壹仟肆佰零玖元伍角");
        assert_eq!(capitals(168_032), "壹仟陆佰捌拾元叁角贰分");
        assert_eq!(capitals(10_001_000), "壹拾万零壹拾元整");
        assert_eq!(capitals(1_001_000_000), "壹仟零壹万元整");
        assert_eq!(capitals(10_000_000_000), "壹亿元整");
        assert_eq!(capitals(-21002), "负贰佰壹拾元零贰分");
    }
}
