//! Key custody (钥匙管理): the cabinets and their hooks, every key the
//! service centre holds and each of its copies, owners' authorisations of
//! entrusted keys (托管钥匙), check-out and return (领用 / 归还) with the
//! taker's signature, overdue loans, and the key log.
//!
//! - here: the types the pages and the server share, and the closed value sets;
//! - `rules`: the copy's state machine ([`rules::next`]), what an owner's
//!   authorisation allows, overdue, hook labels and the checks of the forms
//!   (pure, unit-tested);
//! - `db` (server only): the writes (one [`crate::db::Write`] each, audited,
//!   each with its key-log line) and the page reads, a file per workflow;
//! - `api`: server functions; `pages`: the desk's pages, the counter's forms.
//!
//! Below the estate register in the layers (its house page shows a house's
//! keys); it names houses and repair tickets by SQL only.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
pub mod portal;
pub mod print;
pub mod rules;

use serde::{Deserialize, Serialize};

use crate::common::{Choice, KeyCopyId};

crate::value_set! {
    /// Why the centre holds a key.
    pub enum KeyKind("keys.kind") {
        /// A house not yet handed over (未收楼).
        Unhanded = "unhanded",
        /// Entrusted by the owner (托管), under their written authorisation.
        Entrusted = "entrusted",
        /// A common area's (pump room, lift machine room, roof, meter room…).
        Facility = "facility",
    }
}

crate::value_set! {
    /// Where a copy is (钥匙状态).
    pub enum CopyStatus("keys.status") {
        InCabinet = "in_cabinet",
        Out = "out",
        Lost = "lost",
        /// Taken out of use: damaged, replaced, or handed back to its owner.
        Retired = "retired",
    }
}

crate::value_set! {
    /// Who takes a key.
    pub enum TakerKind("keys.taker") {
        /// A member of staff (an account of this estate).
        Staff = "staff",
        /// A contractor or a renovation worker: an outsider, ID number checked.
        Worker = "worker",
        Resident = "resident",
    }
}

crate::value_set! {
    /// What a key is taken for.
    pub enum Purpose("keys.purpose") {
        /// For a repair ticket (报修单), named on the loan.
        Repair = "repair",
        Renovation = "renovation",
        Inspection = "inspection",
        Emergency = "emergency",
        /// With a note saying what.
        Other = "other",
        /// The final check-out of an entrusted key: back to its owner, for good.
        OwnerReturn = "owner_return",
    }
}

impl Purpose {
    /// What the check-out form offers (the owner's hand-back has its own form).
    pub const LEND: [Purpose; 5] = [
        Purpose::Repair,
        Purpose::Renovation,
        Purpose::Inspection,
        Purpose::Emergency,
        Purpose::Other,
    ];
}

crate::value_set! {
    /// The state a key comes back in.
    pub enum Condition("keys.condition") {
        Good = "good",
        /// A damaged key is retired at its return.
        Damaged = "damaged",
    }
}

crate::value_set! {
    /// Who may use an entrusted key, by the owner's authorisation.
    pub enum AuthScope("keys.scope") {
        /// Repairs in the house (and emergencies).
        Repairs = "repairs",
        /// Emergencies only (a burst pipe, a fire alarm).
        Emergencies = "emergencies",
        /// Only the people the owner named.
        Named = "named",
    }
}

crate::value_set! {
    /// A line of the key log.
    pub enum LogEntry("keys.log") {
        Register = "register",
        AddCopy = "add_copy",
        Lend = "lend",
        Return = "return",
        Retire = "retire",
        Authorise = "authorise",
        ReportLost = "report_lost",
        LockChanged = "lock_changed",
        Revoke = "revoke",
        HandToOwner = "hand_to_owner",
    }
}

crate::value_set! {
    /// What is reported to the manager and to security.
    pub enum IncidentKind("keys.incident") {
        Lost = "lost",
        /// A backup copy taken out of the cabinet.
        BackupUsed = "backup_used",
    }
}

crate::value_set! {
    /// What a count found of a key (盘点结果).
    pub enum CountOutcome("keys.count") {
        Found = "found",
        WrongHook = "wrong_hook",
        Missing = "missing",
        /// A tag the cabinet does not hold (another cabinet's, lost or retired, or none).
        Unknown = "unknown",
        /// Out on loan: not on its hook, and accounted for.
        OnLoan = "on_loan",
    }
}

crate::value_set! {
    /// The key list's filters.
    pub enum ListFilter("keys.filter") {
        All = "all",
        /// Out of the cabinet now (overdue first).
        Out = "out",
        Overdue = "overdue",
        Entrusted = "entrusted",
        /// Lost or retired.
        Gone = "gone",
    }
}

/// A copy of a key as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRow {
    pub copy_id: KeyCopyId,
    pub tag: String,
    pub copy_no: i64,
    pub kind: KeyKind,
    /// The house number, or the common area's name.
    pub opens: String,
    pub house_id: Option<i64>,
    pub cabinet: String,
    /// The hook's label (`B04`).
    pub hook: String,
    pub status: CopyStatus,
    /// While out: the open loan.
    pub loan: Option<LoanSummary>,
}

/// An open loan in a list: who has it, since when, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanSummary {
    pub taker: String,
    pub taker_kind: TakerKind,
    pub purpose: Purpose,
    pub ticket_id: Option<i64>,
    /// The renovation served: the application and its permit number.
    pub renovation: Option<Choice>,
    /// Desk time, `YYYY-MM-DD HH:MM`.
    pub out_at: String,
    pub due_at: String,
    pub overdue: bool,
    pub authorised_by: String,
}

/// The key list: one estate's copies, overdue first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyList {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub rows: Vec<KeyRow>,
    pub cabinets: Vec<Choice>,
    pub can_manage: bool,
    /// The caller works the desk (security reads only).
    pub desk: bool,
}

/// A loan on a key's page, whole: personal data masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanView {
    pub id: i64,
    /// The copy lent.
    pub tag: String,
    pub taker_kind: TakerKind,
    pub taker: String,
    pub taker_phone: String,
    pub taker_id_number: Option<String>,
    pub purpose: Purpose,
    pub ticket_id: Option<i64>,
    /// The renovation served: the application and its permit number.
    pub renovation: Option<Choice>,
    pub note: String,
    pub authorised_by: String,
    pub lent_by: String,
    pub out_at: String,
    pub due_at: Option<String>,
    pub overdue: bool,
    pub signed_on_paper: bool,
    pub has_signature: bool,
    pub returned_at: Option<String>,
    pub returned_by: Option<String>,
    pub condition: Option<Condition>,
    pub return_note: String,
}

/// An owner's authorisation of an entrusted key, as the desk reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuthorisationView {
    pub id: i64,
    pub owner: String,
    /// Who signed and when: the server's, to show an owner only their own
    /// papers and those signed since they moved in (never sent).
    #[serde(skip)]
    pub resident_id: i64,
    #[serde(skip)]
    pub created_at: String,
    pub scope: AuthScope,
    pub named_people: String,
    pub valid_from: String,
    pub valid_until: String,
    /// Valid today, not revoked, its signer still an owner.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub in_force: bool,
    /// The signed paper's photo or scan is kept.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub has_paper: bool,
    pub revoked_at: Option<String>,
}

/// A line of a key's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LogLine {
    pub at: String,
    pub entry: LogEntry,
    pub copy_tag: Option<String>,
    pub actor: String,
    pub note: String,
}

/// What the check-out form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LendChoices {
    /// Staff of the estate who may take keys (workers first for repairs).
    pub staff: Vec<Choice>,
    /// Who may authorise a check-out: managers and shift leaders (值班组长).
    pub authorisers: Vec<Choice>,
    /// Open repair tickets the key can serve: the house's, or the common areas'.
    pub tickets: Vec<Choice>,
    /// The house's renovations whose permit is in force (a house key only).
    pub renovations: Vec<Choice>,
    /// The caller, when they may authorise themselves.
    pub me_authoriser: Option<i64>,
    /// The default due time, desk time `YYYY-MM-DDTHH:MM` (four hours on).
    pub default_due: String,
}

/// A key's page: the copy, its siblings, its open loan, the owner's
/// authorisation, the forms on offer and the whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPage {
    pub key: KeyRow,
    pub estate_id: i64,
    pub note: String,
    pub copies: Vec<KeyRow>,
    pub open_loan: Option<LoanView>,
    pub loans: Vec<LoanView>,
    pub authorisation: Option<AuthorisationView>,
    /// An entrusted key's house's owners today (who may sign an authorisation).
    pub owners: Vec<Choice>,
    pub history: Vec<LogLine>,
    /// Present when the caller may lend this copy now.
    pub lend: Option<LendChoices>,
    /// The caller works the desk (security reads only: no forms, no images).
    pub desk: bool,
    pub can_return: bool,
    /// The desk may report this copy lost, or retire it (it is in the cabinet).
    pub can_report_lost: bool,
    pub can_retire: bool,
    /// A loss report waiting for its lock change, and the one-off fee items a
    /// cost can be billed under.
    pub open_loss: Option<OpenLoss>,
    pub can_manage: bool,
}

/// One hook of a cabinet's map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    pub position: i64,
    pub label: String,
    pub key: Option<KeyRow>,
}

/// A cabinet as a map of its hooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CabinetMap {
    pub id: i64,
    pub estate_id: i64,
    pub name: String,
    pub place: String,
    pub cols: i64,
    pub hooks: Vec<Hook>,
    /// The caller works the desk (may count the cabinet).
    pub desk: bool,
}

/// The key setup page: the cabinets and what the registration form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySetup {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub cabinets: Vec<CabinetSummary>,
    pub locations: Vec<Choice>,
    /// Whether the caller may register a backup copy (managers).
    pub may_add_copies: bool,
    /// Whether the caller may add cabinets (`ManageKeys`).
    pub can_manage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CabinetSummary {
    pub id: i64,
    pub estate_id: i64,
    pub name: String,
    pub place: String,
    pub rows: i64,
    pub cols: i64,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub keys: i64,
    /// The first free hook, if any.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub free_hook: Option<i64>,
}

/// Keys out of the cabinet now, for a home page, a house page or a worker's phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysOut {
    pub rows: Vec<KeyRow>,
    pub overdue: i64,
}

/// A report to the manager and security: a lost key, a backup copy used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KeyReport {
    pub copy_id: KeyCopyId,
    pub reported_at: String,
    pub kind: IncidentKind,
    pub tag: String,
    pub opens: Option<String>,
    pub circumstances: String,
}

/// A loss report whose lock change is not recorded yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenLoss {
    pub reported_at: String,
    pub circumstances: String,
    /// A house key's cost can be billed to the house.
    pub house_key: bool,
    pub fee_items: Vec<Choice>,
}

/// One use of an owner's entrusted key, as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KeyUse {
    pub out_at: String,
    pub taker: String,
    pub taker_kind: TakerKind,
    /// The taker's role when staff (`maintenance` reads "维修师傅 …").
    pub taker_role: String,
    pub purpose: Purpose,
    pub returned_at: Option<String>,
}

/// An owner's entrusted key in the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerKey {
    pub key_set_id: i64,
    pub house: String,
    pub authorisation: Option<AuthorisationView>,
    pub can_revoke: bool,
    /// The centre still holds a copy.
    pub held: bool,
    pub uses: Vec<KeyUse>,
}

/// A line of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountLine {
    pub tag: String,
    pub hook: Option<String>,
    pub outcome: CountOutcome,
    pub opens: String,
}

/// A key the cabinet should hold, and whether the count ticked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedKey {
    pub tag: String,
    pub hook: String,
    pub opens: String,
    pub out: bool,
    pub ticked: bool,
}

/// A count's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountPage {
    pub id: i64,
    pub cabinet_id: i64,
    pub cabinet: String,
    pub started_at: String,
    pub started_by: String,
    pub closed_at: Option<String>,
    pub signed_name: Option<String>,
    pub lines: Vec<CountLine>,
    pub expected: Vec<CountedKey>,
}

/// A count in a cabinet's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CountSummary {
    pub id: i64,
    pub started_at: String,
    pub closed_at: Option<String>,
    pub signed_name: Option<String>,
    pub discrepancies: i64,
}
