//! Arrears chasing (欠费催缴): who owes what and for how long, what was done
//! about it, what is due today, and the written notices.
//!
//! - **Ageing (账龄)**: arrears are a house's unpaid bill lines past their due
//!   date — billing's rule, read and never redefined here — in the buckets of
//!   [`Bucket`], as of a chosen day; late fees (滞纳金) are shown apart.
//! - **Rates**: the collection rate (收缴率), paid ÷ billed of one period's
//!   lines as of a day, and the arrears recovery rate (清欠率), what was
//!   collected this year of the arrears standing on 1 January; both in basis
//!   points, rounded half-up.
//! - **The chasing log (催缴记录)**: per house, each [`ChaseAction`] with who,
//!   when, its [`Outcome`] (a promise to pay an amount by a date, a refusal,
//!   unreachable, a dispute with its reason) and the next follow-up date; a
//!   promise whose date passes unpaid is broken, found by the rules, never
//!   typed in.
//! - **Stages**: each house climbs the [`Stage`]s one at a time, by a clerk's
//!   or (for the lawyer's letter and litigation) a manager's action, never
//!   before the estate's minimum overdue days and never while a dispute is open.
//! - **Written notices (催缴通知书)**: the stage's wording is the estate's
//!   template with [`Placeholder`]s; a template that threatens to cut water,
//!   power, heating or gas is refused, naming the words (民法典 art. 944: a
//!   property company may remind and sue, never cut a supply to collect).
//!
//! Layout: here the closed value sets and the pages' types (shared by server
//! and browser); [`rules`] the pure rules above, unit-tested; `db` (server
//! only: the ageing read from billing's ledger, its spreadsheets, the chasing
//! log and the follow-ups); [`api`] the server functions; [`pages`] the
//! ageing, a cell's houses, a house's chase and the follow-ups. To come: the
//! rates, the stage moves, the batch print, the stage settings and templates.
//!
//! Above billing in the layers: it reads billing's figures through billing's
//! public functions and never changes how a line's state is derived.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
pub mod rules;

use serde::{Deserialize, Serialize};

use crate::common::Choice;

crate::value_set! {
    /// How long a line has been overdue (账龄), in whole days after its due
    /// date; the edges are [`rules::bucket`]'s.
    pub enum Bucket("arrears.bucket") {
        /// 1–30 days.
        D1To30 = "d1_30",
        /// 31–90 days.
        D31To90 = "d31_90",
        /// 91–180 days.
        D91To180 = "d91_180",
        /// 181–365 days.
        D181To365 = "d181_365",
        /// 366 days and more.
        Over365 = "over_365",
    }
}

crate::value_set! {
    /// What was done to chase a house (催缴方式).
    pub enum ChaseAction("arrears.action") {
        /// 电话催缴
        Phone = "phone",
        /// 短信
        Sms = "sms",
        /// 微信
        Wechat = "wechat",
        /// A written notice (催缴通知书, or the lawyer's letter) handed over or
        /// posted; printing a batch records one for each house.
        Notice = "notice",
        /// 上门催缴
        Visit = "visit",
    }
}

crate::value_set! {
    /// What came of an action (催缴结果). A notice printed in a batch has none
    /// yet: the log keeps its outcome empty until someone hears back. Anything
    /// else a clerk hears fits one of these with the action's note ("will call
    /// back" is unreachable for now; "will pay" without a date is no promise).
    pub enum Outcome("arrears.outcome") {
        /// 承诺缴费: an amount by a date, both required
        /// ([`rules::check_promise`]); broken when the date passes unpaid.
        Promised = "promised",
        /// 拒缴
        Refused = "refused",
        /// 联系不上: no answer, wrong number, nobody at home.
        Unreachable = "unreachable",
        /// 有异议, with the reason; it pauses the stages until resolved.
        Disputed = "disputed",
    }
}

crate::value_set! {
    /// How far the chase of a house has gone (催缴阶段), in order: a house
    /// moves up one stage at a time ([`rules::check_stage`]).
    pub enum Stage("arrears.stage") {
        /// 提醒 (by phone, SMS, WeChat or in person)
        Reminder = "reminder",
        /// 第一次催缴通知书
        FirstNotice = "first_notice",
        /// 第二次催缴通知书
        SecondNotice = "second_notice",
        /// 律师函: a manager's decision.
        LawyerLetter = "lawyer_letter",
        /// 诉讼: a manager's decision.
        Litigation = "litigation",
    }
}

crate::value_set! {
    /// What a notice template may name, written `%{name}` — the placeholder
    /// syntax of the app's own locale texts — and filled in per house when the
    /// notice is printed ([`rules::render`]). The labels tell a manager
    /// editing a template what each one becomes.
    pub enum Placeholder("arrears.placeholder") {
        /// The estate's name (小区名称).
        Estate = "estate",
        /// The house's number (房号), with its building.
        House = "house",
        /// The owner's name (业主姓名).
        Owner = "owner",
        /// The total owed in figures, yuan with two decimals ("1,210.50").
        Total = "total",
        /// The total in capitals (大写金额: 壹仟贰佰壹拾元伍角).
        TotalCapitals = "total_capitals",
        /// The notice's number (通知书编号).
        NoticeNo = "notice_no",
        /// The notice's date (通知日期).
        NoticeDate = "notice_date",
        /// The stage's name (第一次催缴通知书 …).
        Stage = "stage",
        /// The day to pay by (缴费期限).
        PayBefore = "pay_before",
        /// How to pay: the counter, its hours, the transfer account (缴费方式).
        HowToPay = "how_to_pay",
    }
}

/// One cell of the ageing table: the principal owed in a bucket, and how many
/// houses owe some of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub fen: i64,
    pub houses: i64,
}

/// A row of the ageing table: the estate, a building or a house.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeingRow {
    /// The building's or the house's id (the estate's for its total row).
    pub id: i64,
    pub name: String,
    /// One cell per bucket, in [`Bucket::ALL`]'s order.
    pub buckets: Vec<Cell>,
    /// All buckets: the principal owed and the houses owing any.
    pub total: Cell,
    /// Late fees (滞纳金), apart from the principal: late-fee lines unpaid
    /// and late fees still running, as the house's account shows them.
    pub late_fee_fen: i64,
    /// The oldest arrears' days overdue.
    pub oldest_days: i64,
}

/// `/desk/arrears`: an estate's ageing, by building, as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ageing {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    pub today: String,
    pub buildings: Vec<AgeingRow>,
    /// The estate's row: the buildings' sum.
    pub estate: AgeingRow,
}

/// `/desk/arrears/houses`: the houses of a building (or the estate) with
/// arrears, or with arrears in one bucket, oldest and largest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeingHouses {
    pub estate_id: i64,
    pub estate: String,
    pub as_of: String,
    pub building: Option<Choice>,
    pub bucket: Option<Bucket>,
    pub houses: Vec<AgeingRow>,
}

/// One line of a house's chasing log (催缴记录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChaseEntry {
    pub id: i64,
    pub action: ChaseAction,
    pub outcome: Option<Outcome>,
    /// A promise: by this day (`YYYY-MM-DD`), this much.
    pub promise_date: Option<String>,
    pub promise_fen: Option<i64>,
    /// The promise's day passed without the amount paid: found, never typed.
    pub broken: bool,
    /// A dispute's reason.
    pub reason: String,
    pub note: String,
    /// When to follow up (`YYYY-MM-DD`).
    pub follow_up_on: Option<String>,
    pub by: String,
    /// Desk time, `YYYY-MM-DD HH:MM`.
    pub at: String,
}

/// `/desk/arrears/house/:id`: what a house owes today and its chasing log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseChase {
    pub house_id: i64,
    pub estate_id: i64,
    pub number: String,
    pub today: String,
    /// The follow-up the form suggests: a week on.
    pub follow_up_default: String,
    /// Its ageing today.
    pub owed: AgeingRow,
    /// Newest first.
    pub entries: Vec<ChaseEntry>,
}

/// A house on a clerk's list of follow-ups: what it owes and its last action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub house_id: i64,
    pub number: String,
    pub owed_fen: i64,
    pub late_fee_fen: i64,
    /// Its follow-up day is before today.
    pub overdue: bool,
    pub last: ChaseEntry,
}

/// `/desk/arrears/follow-ups`: the houses to follow up today (and those
/// overdue), and the promises broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUps {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub today: String,
    /// Only the caller's own (the default), or the estate's.
    pub mine: bool,
    /// Overdue first, then today's.
    pub due: Vec<FollowUp>,
    pub broken: Vec<FollowUp>,
}
