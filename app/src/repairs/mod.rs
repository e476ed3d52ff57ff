//! Repair dispatch (报修 / 派工): tickets from the desk and the portal, the
//! maintenance worker's queue, dispatch with a suggestion, photos, the charge
//! of a paid repair, return visits and the desk's statistics.
//!
//! - here: the types the pages and the server share, and the closed value
//!   sets of a ticket (category, urgency, source, timeline entry, photo stage …);
//! - `rules`: the state machine ([`Status`], [`Action`]), the worker
//!   suggestion, lateness, and the checks of a report's, a finish's and the
//!   targets' fields (pure, unit-tested);
//! - `photo` (server only): checks and re-encodes uploaded photos;
//! - `db` (server only): the writes (one [`crate::db::Write`] each, audited,
//!   with their timeline entries) and the page reads, a file per workflow;
//! - `stats` (server only): the statistics and their export;
//! - `api`: server functions; `pages` (desk), `jobs` (the worker's phone), `portal` (residents).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod jobs;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod photo;
pub mod portal;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod stats;

use serde::{Deserialize, Serialize};

pub use rules::{Action, Lateness, Status, WorkerLoad};

use crate::common::Choice;

crate::value_set! {
    /// What is broken (报修类别); a worker's skills are categories too.
    pub enum Category("repairs.cat") {
        Water = "water",
        Electrical = "electrical",
        DoorsWindows = "doors_windows",
        Lift = "lift",
        PublicFacility = "public_facility",
        Other = "other",
    }
}

crate::value_set! {
    /// How soon it must be answered and fixed (see [`rules::Targets`]).
    pub enum Urgency("repairs.urgency") {
        Urgent = "urgent",
        Normal = "normal",
    }
}

crate::value_set! {
    /// How the report reached the service centre.
    pub enum Source("repairs.source") {
        Phone = "phone",
        WalkIn = "walk_in",
        /// A resident in the portal; only the portal files these.
        Portal = "portal",
        Inspection = "inspection",
    }
}

impl Source {
    /// What the desk may choose (the portal's own source is not among them).
    pub const DESK: [Source; 3] = [Source::Phone, Source::WalkIn, Source::Inspection];
}

crate::value_set! {
    /// A line of a ticket's timeline: each step of the state machine, and the
    /// two entries that change no state.
    pub enum TimelineEntry("repairs.event") {
        Report = "report",
        Assign = "assign",
        Pick = "pick",
        Accept = "accept",
        HandBack = "hand_back",
        Start = "start",
        Finish = "finish",
        Visit = "visit",
        Reopen = "reopen",
        Cancel = "cancel",
        Photos = "photos",
        SetPaid = "set_paid",
    }
}

impl From<Action> for TimelineEntry {
    fn from(action: Action) -> TimelineEntry {
        match action {
            Action::Assign => TimelineEntry::Assign,
            Action::Pick => TimelineEntry::Pick,
            Action::Accept => TimelineEntry::Accept,
            Action::HandBack => TimelineEntry::HandBack,
            Action::Start => TimelineEntry::Start,
            Action::Finish => TimelineEntry::Finish,
            Action::Visit => TimelineEntry::Visit,
            Action::Reopen => TimelineEntry::Reopen,
            Action::Cancel => TimelineEntry::Cancel,
        }
    }
}

crate::value_set! {
    /// Whose photo: the reporter's before the work, the worker's during it.
    pub enum PhotoStage("repairs.photo_stage") {
        Report = "report",
        Work = "work",
    }
}

crate::value_set! {
    /// Why an upload stored nothing; travels back to the ticket's page as
    /// `?photo_error=<text>`.
    pub enum PhotoError("repairs.photo_error") {
        TooBig = "too_big",
        TooManyPixels = "too_many_pixels",
        NotImage = "not_image",
        TooMany = "too_many",
        NoFile = "none",
        Closed = "closed",
        Busy = "busy",
        Slow = "slow",
    }
}

crate::value_set! {
    /// The desk list's filters besides one state.
    pub enum ListFilter("repairs.filter") {
        /// Every state still to be worked.
        Open = "open",
        All = "all",
    }
}

/// A ticket in a list (the desk's, the worker's queue, the portal's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRow {
    pub id: i64,
    /// The house number, or the common area's name.
    pub place: String,
    pub category: Category,
    pub urgency: Urgency,
    pub status: Status,
    pub description: String,
    pub worker: Option<String>,
    /// Desk time, `YYYY-MM-DD HH:MM`.
    pub created_at: String,
    pub appointment_at: Option<String>,
    pub paid: bool,
    pub rework_count: i64,
    pub late: Lateness,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketList {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub status: String,
    pub late_only: bool,
    pub rows: Vec<TicketRow>,
    /// Done tickets waiting for their return visit.
    pub to_visit: i64,
    pub open_escalations: i64,
    pub can_setup: bool,
    pub can_escalations: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub action: TimelineEntry,
    pub from: Status,
    pub to: Status,
    pub actor: String,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoView {
    pub id: i64,
    pub stage: PhotoStage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitView {
    pub rating: i64,
    pub fixed: bool,
    pub comment: String,
    pub channel: crate::visits::Channel,
    pub visitor: String,
    pub reopened: bool,
    pub escalated: bool,
    pub at: String,
}

/// One ticket with everything its page shows, as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub id: i64,
    pub estate_id: i64,
    pub estate_name: String,
    pub place: String,
    pub house_id: Option<i64>,
    pub category: Category,
    pub description: String,
    pub urgency: Urgency,
    pub paid: bool,
    pub source: Source,
    pub reporter_name: String,
    /// Masked unless the caller needs to ring the reporter (desk, the assigned worker).
    pub reporter_phone: String,
    pub appointment_at: Option<String>,
    pub status: Status,
    pub worker_id: Option<i64>,
    pub worker: Option<String>,
    pub created_at: String,
    pub response_due: String,
    pub completion_due: String,
    pub late: Lateness,
    pub rework_count: i64,
    pub work_notes: String,
    pub materials: String,
    pub labour_fen: i64,
    pub materials_fen: i64,
    pub charged: bool,
    pub cancel_reason: Option<String>,
    pub timeline: Vec<EventView>,
    pub photos: Vec<PhotoView>,
    pub visits: Vec<VisitView>,
    /// What the caller may do now (the server decides again on every call).
    pub actions: Vec<Action>,
    /// Desk only: workers of the estate, best suggestion first.
    pub workers: Vec<WorkerLoad>,
    pub can_add_photos: bool,
    /// Desk, open ticket on a house: may mark it paid or free.
    pub can_set_paid: bool,
}

/// The maintenance worker's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub mine: Vec<TicketRow>,
    pub pool: Vec<TicketRow>,
    /// Changes whenever anything in the queue changes; the page polls it.
    pub stamp: String,
}

/// What the report form needs: the caller's estates (desk) or houses (portal),
/// and each estate's common areas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportForm {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub locations: Vec<Choice>,
    /// Portal: the resident's houses; desk: empty (the clerk types the number).
    pub houses: Vec<Choice>,
    pub reporter_name: String,
    /// Masked, as everywhere: sent back unchanged it stands for the register's
    /// number; the desk sees it whole through the audited reveal.
    pub reporter_phone: String,
    /// Desk: the occupant whose details fill the form (for that reveal).
    pub reporter_resident_id: Option<i64>,
    pub house_number: String,
}

/// Repair settings of an estate: targets, common areas, the charge's fee item, worker skills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairSetup {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub targets: rules::Targets,
    pub charge_item: Option<i64>,
    pub one_off_items: Vec<Choice>,
    pub locations: Vec<Choice>,
    pub workers: Vec<WorkerLoad>,
}

/// A done ticket waiting for its return visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitList {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub rows: Vec<TicketRow>,
}

/// The desk's statistics for a date range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepairStats {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub from: String,
    pub to: String,
    /// (category, counts per status in `Status::ALL` order, total)
    pub by_category: Vec<(Category, Vec<i64>, i64)>,
    pub total: i64,
    pub avg_response_minutes: Option<i64>,
    pub avg_completion_minutes: Option<i64>,
    /// Per mille of finished tickets done within their completion target.
    pub on_time_permille: Option<i64>,
    /// Per mille of finished tickets reopened at least once.
    pub rework_permille: Option<i64>,
    /// Average rating × 100 (e.g. 425 = 4.25).
    pub avg_rating_centi: Option<i64>,
    pub visits: i64,
}

/// Minutes as "1 小时 20 分" / "1 h 20 min" is the page's job; this gives h and m.
pub fn hours_minutes(minutes: i64) -> (i64, i64) {
    (minutes / 60, minutes % 60)
}

/// Per mille as a percentage with one decimal: 875 → "87.5%".
pub fn permille_text(p: i64) -> String {
    format!("{}.{}%", p / 10, p % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_is_on_the_timeline_under_its_actions_name() {
        for &action in Action::ALL {
            assert_eq!(TimelineEntry::from(action).as_str(), action.as_str());
        }
        // The desk cannot claim a report came from the portal.
        assert!(!Source::DESK.contains(&Source::Portal));
    }
}
