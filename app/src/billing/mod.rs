//! Fee billing (收费管理): fee items and rates, meter readings, bill runs,
//! payments at the counter with receipts, reversals, waivers, late fees, the
//! prepaid balance, daily closes, payment notices and the portal's bills.
//!
//! This file holds what the browser compiles too: the closed value sets
//! (a fee item's kind, a rate's use, a payment's method, the statuses) and
//! the types the pages receive. The rest is the server's:
//!
//! - `money`: fen arithmetic, half-up rounding, 大写金额, late fees.
//! - `rules`: pure checks and figures — periods, rates, billable days, what a
//!   line comes to, the form checks, the second person on money decisions.
//! - `basis`: why a line is this much, as stored on the line and explained.
//! - `run`: bill runs; `charge`: one-off charges; `ledger/`: the money writes
//!   (payments, reversals, waivers, the prepaid balance, the daily close).
//! - `db/`: the pages' reads and the setup writes (fees, readings).
//! - `portal`: a resident's side of a house's account.
//! - `api`: the server functions; `pages/`: the pages.

pub mod api;
#[cfg(feature = "ssr")]
pub mod basis;
#[cfg(feature = "ssr")]
pub mod charge;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod leaving;
#[cfg(feature = "ssr")]
pub mod ledger;
#[cfg(feature = "ssr")]
pub mod money;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod portal;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod run;

use serde::{Deserialize, Serialize};

pub use crate::common::money::{fen_plain, fen_text};
pub use crate::common::Choice;

/// The new-item form's kind for a deposit (押金): a one-off whose money is
/// held, not earned (no late fee, no arrears, never spent by the prepaid balance).
pub const DEPOSIT: &str = "deposit";

crate::value_set! {
    /// How a fee item is charged (计费方式).
    pub enum FeeKind("billing.kind") {
        Area = "area",
        Fixed = "fixed",
        Metered = "metered",
        OneOff = "one_off",
    }
}

impl FeeKind {
    /// The i18n key of the unit its rates are in (元/m²/月, 元/月 …).
    pub const fn unit_key(self) -> &'static str {
        match self {
            FeeKind::Area => "billing.unit.area",
            FeeKind::Fixed => "billing.unit.fixed",
            FeeKind::Metered => "billing.unit.metered",
            FeeKind::OneOff => "billing.unit.one_off",
        }
    }
}

crate::value_set! {
    /// Which houses a rate is for: one use, or any use without its own rate.
    pub enum RateUse("billing.use") {
        Any = "any",
        Residential = "residential",
        Commercial = "commercial",
        Parking = "parking",
    }
}

crate::value_set! {
    /// How a payment was made at the counter (支付方式), in the order the
    /// form offers them and the daily close lists them.
    pub enum PayMethod("billing.method") {
        Cash = "cash",
        Wechat = "wechat",
        Alipay = "alipay",
        Card = "card",
        Transfer = "transfer",
    }
}

crate::value_set! {
    /// Where a bill run stands.
    pub enum RunStatus("billing.run_status") {
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

crate::value_set! {
    /// Where a waiver request stands: every request waits for a manager.
    pub enum WaiverStatus("billing.waiver_status") {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

crate::value_set! {
    /// What a waiver lets off: part of the line itself, or its late fee.
    /// (Labelled by `billing.waive_line` and `billing.late_fee`; the set has
    /// no label keys of its own.)
    pub enum WaiverTarget("billing.waiver_target") {
        Line = "line",
        LateFee = "late_fee",
    }
}

crate::value_set! {
    /// A movement of a house's prepaid balance: in from a payment's surplus,
    /// out to settle a line, out when the payment that brought it is reversed.
    pub enum PrepaidKind("billing.prepaid_kind") {
        Surplus = "surplus",
        Settle = "settle",
        Reversal = "reversal",
    }
}

crate::value_set! {
    /// Where a house's opening meter reading (起始读数) came from: typed at
    /// the desk, read at the move-in inspection, or taken over from the
    /// readings on file when openings began (migration 0012).
    pub enum OpeningSource("billing.opening_source") {
        Desk = "desk",
        MoveIn = "move_in",
        Import = "import",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateView {
    pub id: i64,
    pub use_kind: RateUse,
    pub rate: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FeeItemView {
    pub id: i64,
    pub name: String,
    pub kind: FeeKind,
    pub due_days: i64,
    pub unit: String,
    /// 1: money held, not earned (a deposit).
    pub held: i64,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub rates: Vec<RateView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LatePolicyView {
    pub daily_rate: String,
    pub grace_days: i64,
    pub effective_from: String,
    pub effective_to: Option<String>,
}

/// The fee setup page: an estate's items, rates and late-fee policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSetup {
    pub estate_id: i64,
    pub estates: Vec<crate::common::Choice>,
    pub items: Vec<FeeItemView>,
    pub late_policies: Vec<LatePolicyView>,
    pub can_manage: bool,
    pub this_month: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BillRunView {
    pub id: i64,
    pub period: String,
    pub status: RunStatus,
    pub houses_total: i64,
    pub houses_done: i64,
    pub lines_created: i64,
    pub amount_fen: i64,
    pub prepaid_lines: i64,
    pub message: String,
    pub started_by: String,
    pub started_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingOverview {
    pub estate_id: i64,
    pub estates: Vec<crate::common::Choice>,
    pub runs: Vec<BillRunView>,
    pub can_run: bool,
    pub can_approve: bool,
    pub this_month: String,
    pub waivers: Vec<WaiverView>,
    /// Billable houses with neither an opening reading nor any reading of a
    /// metered item: they get no metered line until their opening is
    /// recorded. The first [`MISSING_OPENINGS_SHOWN`] of them.
    pub missing_openings: Vec<MissingOpening>,
    /// How many there are in all.
    pub missing_openings_total: i64,
}

/// How many houses without an opening reading the runs page lists.
pub const MISSING_OPENINGS_SHOWN: i64 = 200;

/// A billable house with no opening reading (and no reading) of a metered item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MissingOpening {
    pub house_id: i64,
    pub number: String,
    pub building_id: i64,
    pub fee_item_id: i64,
    pub item: String,
}

/// A bill line as the desk and the portal show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub id: i64,
    pub item: String,
    pub kind: FeeKind,
    pub period: String,
    pub amount_fen: i64,
    pub waived_fen: i64,
    /// Moved onto a leaving occupant's part-month line (a move-out split the month).
    pub split_fen: i64,
    pub outstanding_fen: i64,
    pub late_fee_fen: i64,
    pub late_days: i64,
    pub due_date: String,
    pub overdue: bool,
    /// Why the line is this much, in the reader's language.
    pub explanation: String,
    pub is_late_fee: bool,
    pub pending_waiver: bool,
    pub settled_at: Option<String>,
    pub receipt_no: Option<String>,
    pub payment_id: Option<i64>,
    pub by_prepaid: bool,
    /// Kept from a renovation deposit by this refund (id, 退款单 number).
    pub refund: Option<(i64, String)>,
    /// A deposit: money held for the house, not earned (never overdue).
    pub held: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub id: i64,
    pub receipt_no: String,
    pub method: PayMethod,
    pub received_fen: i64,
    pub lines_fen: i64,
    pub prepaid_fen: i64,
    pub clerk: String,
    /// Who paid, as stored with the payment (none: a payment from before
    /// payers were stored that no owner's occupancy covered).
    pub payer: Option<String>,
    pub created_at: String,
    pub reversal: Option<ReversalView>,
    /// Whether the viewer may reverse it now: a manager, the payment standing,
    /// and taken by someone else ([`rules::second_person`]).
    pub may_reverse: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReversalView {
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PrepaidView {
    pub amount_fen: i64,
    pub kind: PrepaidKind,
    pub receipt_no: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct WaiverView {
    pub id: i64,
    pub house_id: i64,
    pub house_number: String,
    pub item: String,
    pub period: String,
    pub target: WaiverTarget,
    pub amount_fen: i64,
    pub reason: String,
    pub status: WaiverStatus,
    pub requested_by: String,
    pub requested_at: String,
    /// Whether the viewer may approve or reject it now: a manager, the waiver
    /// pending, and asked for by someone else ([`rules::second_person`]).
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub may_decide: bool,
}

/// A house's account (the counter's payment page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseAccount {
    pub house_id: i64,
    pub number: String,
    pub estate_id: i64,
    pub estate_name: String,
    pub owners: String,
    pub unpaid: Vec<LineView>,
    pub settled: Vec<LineView>,
    pub unpaid_fen: i64,
    pub late_fen: i64,
    pub balance_fen: i64,
    /// Deposits paid and held for the house (押金代管).
    pub held_fen: i64,
    pub payments: Vec<PaymentView>,
    pub prepaid: Vec<PrepaidView>,
    pub waivers: Vec<WaiverView>,
    pub one_off_items: Vec<Choice>,
    /// Who may be named as the payer: the house's current occupants, owners
    /// first (the form's default), each labelled with their role.
    pub occupants: Vec<Choice>,
    /// A fresh one-time key for the payment form.
    pub request_key: String,
    pub can_approve: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ReceiptItem {
    pub item: String,
    pub period: String,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub payment_id: i64,
    pub receipt_no: String,
    pub estate_name: String,
    pub house_id: i64,
    pub house_number: String,
    /// The payer stored with the payment; none: the receipt names the house only.
    pub payer: Option<String>,
    pub items: Vec<ReceiptItem>,
    pub prepaid_fen: i64,
    pub received_fen: i64,
    pub capitals: String,
    pub method: PayMethod,
    pub clerk: String,
    pub created_at: String,
    /// 0: the original; n: the n-th reprint (补打).
    pub copy: i64,
    pub reversal: Option<ReversalView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    pub clerk_id: i64,
    pub clerk: String,
    pub day: String,
    pub payments_count: i64,
    pub received_fen: i64,
    pub reversals_count: i64,
    pub reversed_fen: i64,
    pub by_method: Vec<(PayMethod, i64)>,
    /// Of what was received, deposits held (押金代管), not takings.
    pub held_fen: i64,
    /// Money out: deposits paid back (退押金), and of those reversed that day.
    pub refunds_count: i64,
    pub refunded_fen: i64,
    /// Of the refunds, onto prepaid balances (not cash out).
    pub refunded_prepaid_fen: i64,
    pub refund_reversed_fen: i64,
    /// Deductions kept from deposits: held money become income.
    pub deducted_fen: i64,
    pub closed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyClosePage {
    pub mine: DayView,
    pub my_payments: Vec<PaymentView>,
    /// For managers: every clerk's days in their estates, newest first.
    pub others: Vec<DayView>,
    pub is_manager: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub house_id: i64,
    pub estate_name: String,
    pub house_number: String,
    pub owners: String,
    pub lines: Vec<LineView>,
    pub total_fen: i64,
    pub late_fen: i64,
    pub balance_fen: i64,
    pub due_by: String,
    pub issued_on: String,
}

/// The meter-reading grid: a building's houses for a metered item and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingGrid {
    pub estate_id: i64,
    pub estates: Vec<crate::common::Choice>,
    pub items: Vec<Choice>,
    pub buildings: Vec<Choice>,
    pub fee_item_id: i64,
    pub building_id: i64,
    pub period: String,
    pub rows: Vec<ReadingRow>,
    /// The desk's day: an opening reading's date unless the clerk types another.
    pub today: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingRow {
    pub house_id: i64,
    pub number: String,
    /// The reading this period's counts from: the last one before the
    /// period, else the opening reading; empty when there is neither.
    pub previous: String,
    pub reading: String,
    pub billed: bool,
    /// Neither an opening reading nor an earlier reading: no reading can be
    /// saved until the opening is recorded (无起始读数).
    pub no_opening: bool,
}

/// A readings file's import attempt and its row report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingImport {
    pub id: i64,
    pub file_name: String,
    pub imported: bool,
    pub period: String,
    pub readings: i64,
    pub problems: Vec<crate::sheet::Problem>,
}

/// The portal: each of the resident's houses with its bills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalBills {
    pub houses: Vec<PortalAccount>,
}

/// A house's account as its resident sees it (`portal`): everything the
/// house owes, and what was settled and paid since their occupancy began.
/// No staff names, no waiver or reversal reasons, no other occupant's
/// payments: the portal's own types, so the page's data holds no more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalAccount {
    pub house_id: i64,
    pub number: String,
    pub estate_name: String,
    pub unpaid: Vec<PortalLine>,
    pub settled: Vec<PortalLine>,
    pub unpaid_fen: i64,
    pub late_fen: i64,
    pub balance_fen: i64,
    pub payments: Vec<PortalPayment>,
}

/// A bill line on the portal's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalLine {
    pub id: i64,
    pub item: String,
    pub period: String,
    pub amount_fen: i64,
    pub outstanding_fen: i64,
    pub late_fee_fen: i64,
    pub due_date: String,
    pub overdue: bool,
    /// Why the line is this much, in the reader's language.
    pub explanation: String,
    pub receipt_no: Option<String>,
    pub payment_id: Option<i64>,
    pub by_prepaid: bool,
    /// Kept from a renovation deposit: the refund slip's (退款单) number.
    pub refund_no: Option<String>,
    /// A deposit (money held): listed, never in the amount owed.
    pub held: bool,
}

/// A payment in the portal: whether it was reversed, not why or by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalPayment {
    pub id: i64,
    pub receipt_no: String,
    pub method: PayMethod,
    pub received_fen: i64,
    pub created_at: String,
    pub reversed: bool,
}

/// A receipt in the portal: the desk's receipt without the clerk, the
/// reprint count or a reversal's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalReceipt {
    pub payment_id: i64,
    pub receipt_no: String,
    pub estate_name: String,
    pub house_number: String,
    /// The payer stored with the payment; none: the receipt names the house only.
    pub payer: Option<String>,
    pub items: Vec<ReceiptItem>,
    pub prepaid_fen: i64,
    pub received_fen: i64,
    pub capitals: String,
    pub method: PayMethod,
    pub created_at: String,
    pub reversed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_reads_as_yuan() {
        assert_eq!(fen_text(0), "0.00");
        assert_eq!(fen_text(5), "0.05");
        assert_eq!(fen_text(21002), "210.02");
        assert_eq!(fen_text(121050), "1,210.50");
        assert_eq!(fen_text(-100000000), "-1,000,000.00");
        assert_eq!(fen_plain(121050), "1210.50");
    }

    /// Their labels are checked with every other set's in `lib.rs`; here,
    /// that the stored texts are the ones the schema's checks allow.
    #[test]
    fn value_sets_store_the_texts_the_schema_allows() {
        assert_eq!(PayMethod::Wechat.key(), "billing.method.wechat");
        assert_eq!(FeeKind::OneOff.as_str(), "one_off");
        assert_eq!(WaiverTarget::LateFee.as_str(), "late_fee");
        assert_eq!(OpeningSource::MoveIn.as_str(), "move_in");
    }
}
