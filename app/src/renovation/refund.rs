//! The deposit's refund (退押金), the rules without I/O: a deduction (扣款)
//! proposed against the deposit — an item, an amount in fen, the visit it
//! rests on — approved by a second person, a manager; what the approved
//! deductions leave of the deposit to pay back; how it is paid back.

#[cfg(feature = "ssr")]
use super::rules::Problem;

/// The most deductions one application takes.
pub const MAX_DEDUCTIONS: usize = 20;

crate::value_set! {
    /// Where a deduction stands.
    pub enum DeductionState("renovation.deduction_state") {
        /// 待审批: proposed, a manager decides.
        Pending = "pending",
        /// 已批准: kept from the deposit, as income.
        Approved = "approved",
        /// 未批准
        Rejected = "rejected",
    }
}

crate::value_set! {
    /// How the deposit's rest is paid back.
    pub enum RefundMethod("renovation.refund_method") {
        Cash = "cash",
        Transfer = "transfer",
        /// Onto the house's prepaid balance (预存款), for its next bills.
        Prepaid = "prepaid",
    }
}

/// A deduction as the form sent it: its item (required, short) and its
/// amount in yuan, which with the deductions already standing (approved or
/// pending, `claimed_fen`) must stay within the deposit held.
#[cfg(feature = "ssr")]
pub fn check_deduction(
    item: &str,
    amount: &str,
    deposit_fen: i64,
    claimed_fen: i64,
) -> Result<(String, i64), Vec<Problem>> {
    let mut problems = Vec::new();
    let item = item.trim();
    if item.is_empty() || item.chars().count() > 60 {
        problems.push(Problem::new("item", "renovation.invalid.deduction_item"));
    }
    let fen = match crate::billing::money::parse_yuan(amount) {
        Ok(f) if f > 0 => Some(f),
        _ => {
            problems.push(Problem::new(
                "amount",
                "renovation.invalid.deduction_amount",
            ));
            None
        }
    };
    if let Some(f) = fen {
        let left = (deposit_fen - claimed_fen).max(0);
        if f > left {
            problems.push(Problem {
                field: "amount".into(),
                key: "renovation.invalid.deduction_over",
                args: vec![("left", crate::common::money::fen_text(left))],
            });
        }
    }
    match (problems.is_empty(), fen) {
        (true, Some(f)) => Ok((item.to_string(), f)),
        _ => Err(problems),
    }
}

/// What is paid back: the deposit less the approved deductions; `None` when
/// they would take more than the deposit (the checks never let them).
pub fn refund_fen(deposit_fen: i64, approved: &[i64]) -> Option<i64> {
    let deducted: i64 = approved.iter().sum();
    (deducted <= deposit_fen && approved.iter().all(|d| *d > 0)).then(|| deposit_fen - deducted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn a_deduction_is_an_item_and_an_amount_within_what_is_left() {
        assert_eq!(
            check_deduction(" 楼道墙面修补 ", "350.5", 300_000, 0).unwrap(),
            ("楼道墙面修补".to_string(), 35_050)
        );
        // Exactly what is left is fine; a fen more is not.
        assert_eq!(
            check_deduction("清运", "500", 300_000, 250_000).unwrap().1,
            50_000
        );
        let over = check_deduction("清运", "500.01", 300_000, 250_000).unwrap_err();
        assert_eq!(over[0].key, "renovation.invalid.deduction_over");
        assert_eq!(over[0].args, vec![("left", "500.00".to_string())]);
        let bad = check_deduction("", "0", 300_000, 0).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["item", "amount"]);
        assert_eq!(
            check_deduction("x", "-5", 300_000, 0).unwrap_err()[0].field,
            "amount"
        );
        assert_eq!(
            check_deduction("x", "1.005", 300_000, 0).unwrap_err()[0].field,
            "amount"
        );
    }

    #[test]
    fn the_refund_is_the_deposit_less_the_approved_deductions_in_fen() {
        assert_eq!(refund_fen(300_000, &[]), Some(300_000));
        assert_eq!(refund_fen(300_000, &[35_050, 20_000]), Some(244_950));
        assert_eq!(refund_fen(300_000, &[300_000]), Some(0));
        assert_eq!(refund_fen(300_000, &[200_000, 100_001]), None);
        assert_eq!(refund_fen(300_000, &[0]), None);
    }
}
