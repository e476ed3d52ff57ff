//! Renovation approvals (装修管理): an owner's application (装修申请) — the
//! contractor, the workers, the planned period and the scope — worked
//! through one state machine from the desk's check of completeness to the
//! engineering review, the manager's approval, the fees and deposit, the
//! permit, the inspections, the acceptance and the deposit's refund.
//!
//! - here: the types the pages and the server share, and the closed value sets;
//! - `rules`: the state machine (who may move an application from which state
//!   to which), the application form's checks, the prohibited items, the
//!   scope every estate starts with (pure, unit-tested);
//! - `db` (server only): the reads and the writes, one file per workflow;
//! - `api`: server functions; `pages`: the desk's list, the application page
//!   (shared with the maintenance phone and the portal), the forms, the settings.
//!
//! - `works`: the rules of works in progress — visits (巡查) and when the next
//!   is due, violations' deadlines, extensions (pure, unit-tested).
//!
//! Above the register and billing in the layers (an application is on a
//! house, by one of its residents; its fees and deposit are billing's lines).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
pub mod refund;
pub mod rules;
pub mod works;

use serde::{Deserialize, Serialize};

use crate::common::Choice;
use crate::estate::OccupancyRole;

crate::value_set! {
    /// Where an application stands (申请状态).
    pub enum State("renovation.state") {
        /// 待审核: submitted, the desk checks it is complete.
        Submitted = "submitted",
        /// 待补充: back with the applicant for what is missing.
        Returned = "returned",
        /// 待工程审核
        Engineering = "engineering",
        /// 待经理审批
        Approval = "approval",
        /// 待缴费: approved; the fees and the deposit come before the permit.
        Payment = "payment",
        /// 施工中: the permit is issued.
        Works = "works",
        /// 延期待批
        Extension = "extension",
        /// 已停工: the permit is suspended after a serious violation.
        Suspended = "suspended",
        /// 待验收
        Acceptance = "acceptance",
        /// 整改中: the acceptance failed; a re-inspection follows.
        Rectifying = "rectifying",
        /// 待退押金: accepted; the deposit is refunded less approved deductions.
        Refund = "refund",
        /// 已结案
        Closed = "closed",
        /// 已驳回 (with the reason the applicant sees)
        Rejected = "rejected",
        /// 已撤回 by the applicant before the permit
        Withdrawn = "withdrawn",
    }
}

impl State {
    /// Still under way (one per house at a time).
    pub fn is_open(self) -> bool {
        !matches!(self, State::Closed | State::Rejected | State::Withdrawn)
    }
}

crate::value_set! {
    /// What someone asks of an application.
    pub enum Action("renovation.action") {
        /// The desk finds it complete and sends it to engineering.
        Check = "check",
        /// The desk sends it back for what is missing.
        Return = "return",
        /// The applicant (or the desk for them) sends it again, completed.
        Resubmit = "resubmit",
        /// The engineering reviewer approves it.
        Approve = "approve",
        /// Refused at a review step, with a reason.
        Reject = "reject",
        /// The manager approves it: the fees and the deposit are due.
        ManagerApprove = "manager_approve",
        /// The applicant takes it back before the permit.
        Withdraw = "withdraw",
        IssuePermit = "issue_permit",
        AskExtension = "ask_extension",
        ApproveExtension = "approve_extension",
        RefuseExtension = "refuse_extension",
        Suspend = "suspend",
        Resume = "resume",
        AskAcceptance = "ask_acceptance",
        PassAcceptance = "pass_acceptance",
        FailAcceptance = "fail_acceptance",
        AskReinspection = "ask_reinspection",
        /// The deposit refunded less the approved deductions: closed.
        Refund = "refund",
        /// The fees and the deposit taken at the counter (no change of state:
        /// the permit follows).
        Pay = "pay",
        /// A manager reverses a mistaken refund: the deposit waits to be paid back again.
        ReverseRefund = "reverse_refund",
    }
}

crate::value_set! {
    /// What the staff's check of a permit's QR code says.
    pub enum PermitVerdict("renovation.verdict") {
        /// In force: works may go on.
        Valid = "valid",
        /// Issued, but the works may not start before their first day.
        NotYet = "not_yet",
        /// Its fees or deposit were taken back (a reversed payment).
        Unpaid = "unpaid",
        /// Past its period (an extension reprints it).
        Expired = "expired",
        /// Suspended after a serious violation.
        Suspended = "suspended",
        /// The works are over or the application ended.
        Ended = "ended",
        /// No permit carries this code.
        Unknown = "unknown",
    }
}

crate::value_set! {
    /// Where an application was made.
    pub enum Channel("renovation.channel") {
        Desk = "desk",
        Portal = "portal",
    }
}

crate::value_set! {
    /// The desk list's filters.
    pub enum ListFilter("renovation.filter") {
        /// Waiting for the caller: the desk's checks, a manager's approvals.
        Mine = "mine",
        /// Everything under way.
        Open = "open",
        /// Works under a permit, at the acceptance or rectifying: the ones visited.
        Works = "works",
        /// Closed, rejected or withdrawn.
        Ended = "ended",
    }
}

/// An application on a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRow {
    pub id: i64,
    pub app_no: String,
    pub house_id: i64,
    pub house_number: String,
    pub applicant: String,
    pub contractor: String,
    pub state: State,
    pub planned_start: String,
    pub planned_end: String,
    pub updated_at: String,
    /// What stands out about its works (an overdue rectification, a visit due).
    pub flag: Option<works::Flag>,
}

/// The desk's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppList {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub filter: ListFilter,
    pub rows: Vec<AppRow>,
    /// How many wait for the caller (the desk's checks; a manager's approvals too).
    pub mine: i64,
    /// Open applications by state, in the machine's order.
    pub counts: Vec<(State, i64)>,
}

/// A worker of the contractor's, personal data masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerView {
    pub id: i64,
    pub name: String,
    pub mobile_masked: String,
    pub id_masked: String,
}

/// A scope item of an application, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub name: String,
    pub note: String,
}

/// One transition on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub at: String,
    pub actor: String,
    /// `None`: the application was made.
    pub action: Option<Action>,
    /// The state before (`None`: the application was made).
    pub from: Option<State>,
    pub to: State,
    pub note: String,
}

/// A charge of an approved application: raised and paid together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeLine {
    pub name: String,
    pub amount_fen: i64,
    /// A deposit: money held for the house, refunded less deductions.
    pub held: bool,
}

/// An approved application's fees and deposit, and the permit's conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fees {
    /// The estate's charges (not yet paid) or the lines raised (paid).
    pub lines: Vec<ChargeLine>,
    pub total_fen: i64,
    /// What the desk takes now (after a reversal: what the lines still owe, late fees included).
    pub due_fen: i64,
    pub receipt_no: Option<String>,
    pub payment_id: Option<i64>,
    /// What the house owes besides (no permit until it is settled).
    pub arrears_fen: i64,
    /// A one-time key for the payment form.
    pub request_key: String,
    /// The desk may take the payment now / issue the permit now.
    pub can_pay: bool,
    pub can_issue: bool,
}

/// One application's page (the desk's, the reviewer's phone, the portal's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPage {
    pub id: i64,
    pub app_no: String,
    pub estate_id: i64,
    pub estate_name: String,
    pub house_id: i64,
    pub house_number: String,
    pub state: State,
    pub channel: Channel,
    pub applicant: String,
    pub applicant_role: OccupancyRole,
    pub owner_consent: String,
    pub contractor: String,
    pub licence_no: String,
    pub foreman: String,
    pub foreman_mobile_masked: String,
    pub planned_start: String,
    pub planned_end: String,
    pub description: String,
    /// The last review's words to the applicant (what is missing, why rejected).
    pub last_reason: String,
    pub workers: Vec<WorkerView>,
    pub items: Vec<ItemView>,
    pub timeline: Vec<EventView>,
    /// What the caller may do now, in the order the page offers it.
    pub offered: Vec<Action>,
    /// The caller may reveal the foreman's and workers' numbers (the desk).
    pub can_reveal: bool,
    /// From the manager's approval on.
    pub fees: Option<Fees>,
    /// The permit's number, once issued.
    pub permit_no: String,
    /// The visits of the works, newest first.
    pub inspections: Vec<InspectionView>,
    /// The caller may record a visit now (a reviewer or the desk, works under way).
    pub can_inspect: bool,
    /// The next visit's day, while the works are visited.
    pub next_visit: String,
    /// The next visit is today or past.
    pub visit_due: bool,
    /// The end an extension asks for, while a manager decides.
    pub extension_end: String,
    /// Violations not yet put right (the acceptance waits for them).
    pub open_violations: i64,
    /// From the acceptance on, while a deposit is held or was refunded.
    pub deposit: Option<DepositView>,
    /// The application's own drawings and photos' ids (`/renovations/attachments/:id`).
    pub attachments: Vec<i64>,
    /// The caller may add drawings and photos now (the applicant or the desk, before the permit).
    pub can_add_attachments: bool,
}

/// A deduction from the deposit, with the visit it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductionView {
    pub id: i64,
    pub item: String,
    pub amount_fen: i64,
    /// The visit it rests on: its time, and the violation it found if any.
    pub basis: String,
    /// The basis visit's photos.
    pub photos: Vec<i64>,
    pub state: refund::DeductionState,
    /// Who proposed and who decided (the portal: the service centre).
    pub proposed_by: String,
    pub decided_by: String,
    /// The caller may approve or reject it now (a manager, not its proposer).
    pub can_decide: bool,
}

/// A refund of the deposit (退款), as it stands or was reversed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundView {
    pub id: i64,
    pub refund_no: String,
    pub method: refund::RefundMethod,
    pub deposit_fen: i64,
    pub deducted_fen: i64,
    pub refunded_fen: i64,
    pub payee: String,
    pub at: String,
    pub reversed: bool,
}

/// The deposit on the application's page, from the acceptance on: what is
/// held, the deductions, what is paid back, the refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositView {
    pub deposit_fen: i64,
    /// The deposit was raised but its payment reversed: taken again before any refund.
    pub deposit_unpaid: bool,
    pub deductions: Vec<DeductionView>,
    /// The approved deductions' total, and what the deposit less them pays back.
    pub deducted_fen: i64,
    pub refund_fen: i64,
    /// Refunds, the standing one last.
    pub refunds: Vec<RefundView>,
    pub can_propose: bool,
    pub can_refund: bool,
    pub can_reverse: bool,
    /// The visits a deduction may rest on.
    pub visits: Vec<crate::common::Choice>,
    /// A one-time key for the refund form.
    pub request_key: String,
}

/// The printed refund slip (退款单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundSlip {
    /// The application's id.
    pub id: i64,
    pub refund: RefundView,
    /// What is paid back, in capitals (大写), as on a receipt.
    pub capitals: String,
    pub estate_name: String,
    pub house_number: String,
    pub app_no: String,
    pub permit_no: String,
    pub applicant: String,
    pub contractor: String,
    /// The approved deductions the refund kept.
    pub deductions: Vec<DeductionView>,
    pub clerk: String,
    pub day: String,
}

/// A violation a visit found, with its rectification deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationView {
    pub id: i64,
    pub text: String,
    pub deadline: String,
    /// Past its deadline and not put right.
    pub overdue: bool,
    /// Who found it put right, and when (empty while open).
    pub rectified: String,
    /// The caller may record it put right now.
    pub can_rectify: bool,
}

/// One visit (巡查) of the works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionView {
    pub id: i64,
    pub at: String,
    /// The inspector (the portal: the service centre).
    pub inspector: String,
    pub note: String,
    pub violation: Option<ViolationView>,
    /// Its photos' ids (`/renovations/photos/:id`).
    pub photos: Vec<i64>,
    /// The caller may add photos to it (who recorded it, or the desk, while the works are visited).
    pub can_add_photos: bool,
}

/// A scope item the form offers (prohibited ones too: they are refused with their rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChoice {
    pub id: i64,
    pub name: String,
}

/// Who may apply for a house: its owners, and its tenants with consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ApplicantChoice {
    pub resident_id: i64,
    pub name: String,
    pub role: OccupancyRole,
}

/// The application form's page: the house, who may apply, the scope list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyPage {
    pub house_id: i64,
    pub house_number: String,
    pub applicants: Vec<ApplicantChoice>,
    pub scope: Vec<ScopeChoice>,
    pub work_hours: String,
    /// The house's application under way, if any (a second is refused).
    pub open_id: Option<i64>,
    /// One is under way that the caller may not see (made before they moved in).
    pub open_elsewhere: bool,
    pub today: String,
}

/// One of the estate's charges, in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeRow {
    pub fee_item_id: i64,
    pub name: String,
    pub amount_fen: i64,
    pub held: bool,
}

/// A scope item in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRow {
    pub id: i64,
    pub name: String,
    pub prohibited: bool,
    pub rule: String,
}

/// A maintenance account of the estate, and whether it reviews renovations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerRow {
    pub account_id: i64,
    pub name: String,
    pub reviewer: bool,
}

/// The estate's renovation settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub scope: Vec<ScopeRow>,
    pub inspection_days: i64,
    pub work_hours: String,
    pub reviewers: Vec<ReviewerRow>,
    pub charges: Vec<ChargeRow>,
    /// The estate's one-off fee items a charge can be made of.
    pub one_off_items: Vec<Choice>,
    pub can_edit: bool,
}

/// A resident's application, on the portal's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalApps {
    pub rows: Vec<AppRow>,
    /// The houses the caller may apply for (owner, co-owner, tenant).
    pub houses: Vec<Choice>,
}

/// A worker's temporary pass (临时出入证), ID number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerPass {
    pub name: String,
    pub id_masked: String,
}

/// The permit (装修许可证) as printed for the door, with the workers' passes;
/// and what the staff's check of its QR code shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitSheet {
    pub id: i64,
    pub permit_no: String,
    pub estate_name: String,
    pub house_number: String,
    pub applicant: String,
    pub contractor: String,
    pub licence_no: String,
    pub foreman: String,
    pub planned_start: String,
    pub planned_end: String,
    pub work_hours: String,
    pub items: Vec<ItemView>,
    pub workers: Vec<WorkerPass>,
    pub issued_on: String,
    pub check_path: String,
    /// The QR code (SVG) of the check page's address; empty on the check page.
    pub qr_svg: String,
    pub verdict: PermitVerdict,
}
