//! The repair ticket's rules, in one place and without I/O: the state machine
//! (which action may move a ticket from which state, and who may ask), the
//! worker suggestion, lateness against the estate's targets, and ([`forms`],
//! server only) the checks of what the forms send that need no database.

#[cfg(feature = "ssr")]
pub mod forms;

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub use forms::{
    check_finish, check_report, check_targets, ActInput, Finish, NewTicket, ReportFields,
};

use super::Urgency;
use crate::common::AuditAction;
// The state machine's table ([`next`]) in short.
use Action as A;
use Status as S;

crate::value_set! {
    /// A ticket's state (工单状态).
    pub enum Status("repairs.status") {
        /// 待派工: reported, nobody has it.
        Submitted = "submitted",
        /// 已派工: the desk gave it to a worker, who has not yet taken it.
        Assigned = "assigned",
        /// 已接单: a worker has it.
        Accepted = "accepted",
        /// 处理中
        InProgress = "in_progress",
        /// 已完工: waiting for its return visit.
        Done = "done",
        /// 已回访: visited and closed.
        Closed = "closed",
        /// 已取消 (with a reason)
        Cancelled = "cancelled",
        /// 返修: reopened after it was done; waits for a worker again and counts as rework.
        Reopened = "reopened",
    }
}

impl Status {
    /// Waiting for a worker: in the pool when nobody is assigned.
    pub fn waits_for_worker(self) -> bool {
        matches!(self, Status::Submitted | Status::Reopened)
    }

    /// Still to be worked (counts towards a worker's load and can be late).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Submitted
                | Status::Assigned
                | Status::Accepted
                | Status::InProgress
                | Status::Reopened
        )
    }
}

crate::value_set! {
    /// What someone asks of a ticket.
    pub enum Action("repairs.action") {
        /// The desk gives the ticket to a worker (or to another one).
        Assign = "assign",
        /// A worker takes a ticket from the pool.
        Pick = "pick",
        /// The assigned worker takes the job.
        Accept = "accept",
        /// The worker gives the job back, with a reason.
        HandBack = "hand_back",
        Start = "start",
        /// Work notes, materials, photos and (paid repairs) the charge.
        Finish = "finish",
        /// The return visit's rating closes the ticket.
        Visit = "visit",
        /// 返修: the work did not hold.
        Reopen = "reopen",
        /// With a reason.
        Cancel = "cancel",
    }
}

impl Action {
    /// The operation log's name for this step.
    pub fn audit_action(self) -> AuditAction {
        match self {
            Action::Assign => AuditAction::RepairAssign,
            Action::Pick => AuditAction::RepairPick,
            Action::Accept => AuditAction::RepairAccept,
            Action::HandBack => AuditAction::RepairHandBack,
            Action::Start => AuditAction::RepairStart,
            Action::Finish => AuditAction::RepairFinish,
            Action::Visit => AuditAction::RepairVisit,
            Action::Reopen => AuditAction::RepairReopen,
            Action::Cancel => AuditAction::RepairCancel,
        }
    }
}

/// The state an action moves a ticket to, or `None` when the action is not
/// allowed from `from`. This table is the state machine; nothing else moves a ticket.
pub fn next(from: Status, action: Action) -> Option<Status> {
    match (from, action) {
        (S::Submitted | S::Reopened | S::Assigned, A::Assign) => Some(S::Assigned),
        (S::Submitted | S::Reopened, A::Pick) => Some(S::Accepted),
        (S::Assigned, A::Accept) => Some(S::Accepted),
        (S::Assigned | S::Accepted | S::InProgress, A::HandBack) => Some(S::Submitted),
        (S::Accepted, A::Start) => Some(S::InProgress),
        (S::InProgress, A::Finish) => Some(S::Done),
        (S::Done, A::Visit) => Some(S::Closed),
        (S::Done | S::Closed, A::Reopen) => Some(S::Reopened),
        (S::Submitted | S::Assigned | S::Accepted | S::Reopened, A::Cancel) => Some(S::Cancelled),
        _ => None,
    }
}

/// Who is asking, as far as the ticket is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A clerk, manager or admin of the ticket's estate.
    Desk,
    /// A maintenance worker of the ticket's estate; `assignee`: the ticket is theirs.
    Worker { assignee: bool },
    /// A resident linked to the ticket's house.
    Resident,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not from this state (e.g. finishing a job nobody accepted, rating before done).
    NotNow,
    /// Not by this person (e.g. a worker acting on someone else's job).
    NotYours,
}

/// Whether `who` may ask for `action` on a ticket in `status`, and where it goes.
pub fn decide(status: Status, action: Action, who: Who) -> Result<Status, Refusal> {
    let allowed = match (who, action) {
        (Who::Desk, Action::Assign | Action::Cancel | Action::Visit | Action::Reopen) => true,
        (Who::Worker { .. }, Action::Pick) => true,
        (
            Who::Worker { assignee },
            Action::Accept | Action::HandBack | Action::Start | Action::Finish,
        ) => assignee,
        // A resident may cancel only what nobody has been given yet, and rate it when done.
        (Who::Resident, Action::Cancel) => status == Status::Submitted,
        (Who::Resident, Action::Visit) => true,
        _ => false,
    };
    let target = next(status, action);
    match (target, allowed) {
        (Some(to), true) => Ok(to),
        // A worker told "not yours" about a job that is not theirs, even when the
        // state would also refuse: the reason that matters to them.
        (_, false) if matches!(who, Who::Worker { assignee: false }) => Err(Refusal::NotYours),
        (None, _) => Err(Refusal::NotNow),
        (Some(_), false) => Err(Refusal::NotYours),
    }
}

/// The actions `who` may take now, in the order a page offers them.
pub fn offered(status: Status, who: Who) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| decide(status, *a, who).is_ok())
        .collect()
}

/// A worker as the suggestion sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerLoad {
    pub id: i64,
    pub name: String,
    pub skills: Vec<String>,
    /// Tickets assigned to them and not yet done.
    pub open: i64,
}

/// Workers in the order the desk should consider them for a ticket of
/// `category`: those with the skill first, then the least loaded, then by name.
/// The first is the suggestion.
pub fn rank_workers(category: &str, mut workers: Vec<WorkerLoad>) -> Vec<WorkerLoad> {
    workers.sort_by(|a, b| {
        let skilled = |w: &WorkerLoad| !w.skills.iter().any(|s| s == category);
        (skilled(a), a.open, &a.name, a.id).cmp(&(skilled(b), b.open, &b.name, b.id))
    });
    workers
}

/// Response and completion targets in minutes from the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub urgent_response: i64,
    pub urgent_completion: i64,
    pub normal_response: i64,
    pub normal_completion: i64,
}

impl Default for Targets {
    /// Common practice: urgent (burst pipe, no power) answered in 30 minutes and
    /// fixed within 4 hours; normal answered within 2 hours, fixed within 48.
    fn default() -> Self {
        Targets {
            urgent_response: 30,
            urgent_completion: 4 * 60,
            normal_response: 2 * 60,
            normal_completion: 48 * 60,
        }
    }
}

impl Targets {
    /// (response, completion) minutes for an urgency.
    pub fn for_urgency(&self, urgency: Urgency) -> (i64, i64) {
        match urgency {
            Urgency::Urgent => (self.urgent_response, self.urgent_completion),
            Urgency::Normal => (self.normal_response, self.normal_completion),
        }
    }
}

/// Lateness of a ticket, from its timestamps (RFC 3339 text compares as time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lateness {
    /// Accepted after its response target, or still not accepted past it.
    pub response: bool,
    /// Done after its completion target, or still not done past it.
    pub completion: bool,
}

impl Lateness {
    pub fn any(self) -> bool {
        self.response || self.completion
    }
}

/// `now`, the due times and the moments reached are all the database's timestamp text.
pub fn lateness(
    status: Status,
    now: &str,
    response_due: &str,
    completion_due: &str,
    accepted_at: Option<&str>,
    done_at: Option<&str>,
) -> Lateness {
    if status == Status::Cancelled {
        return Lateness::default();
    }
    let late = |reached: Option<&str>, due: &str| match reached {
        Some(at) => at > due,
        None => now > due,
    };
    Lateness {
        response: late(accepted_at, response_due),
        completion: late(done_at.filter(|_| !status.is_open()), completion_due),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Status as S;

    /// Every state × every action: where it goes, or refused.
    #[test]
    fn state_machine_table() {
        let expected: [(Status, [Option<Status>; 9]); 8] = [
            //            Assign            Pick             Accept           HandBack          Start                 Finish        Visit            Reopen             Cancel
            (
                S::Submitted,
                [
                    Some(S::Assigned),
                    Some(S::Accepted),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(S::Cancelled),
                ],
            ),
            (
                S::Assigned,
                [
                    Some(S::Assigned),
                    None,
                    Some(S::Accepted),
                    Some(S::Submitted),
                    None,
                    None,
                    None,
                    None,
                    Some(S::Cancelled),
                ],
            ),
            (
                S::Accepted,
                [
                    None,
                    None,
                    None,
                    Some(S::Submitted),
                    Some(S::InProgress),
                    None,
                    None,
                    None,
                    Some(S::Cancelled),
                ],
            ),
            (
                S::InProgress,
                [
                    None,
                    None,
                    None,
                    Some(S::Submitted),
                    None,
                    Some(S::Done),
                    None,
                    None,
                    None,
                ],
            ),
            (
                S::Done,
                [
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(S::Closed),
                    Some(S::Reopened),
                    None,
                ],
            ),
            (
                S::Closed,
                [
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(S::Reopened),
                    None,
                ],
            ),
            (
                S::Cancelled,
                [None, None, None, None, None, None, None, None, None],
            ),
            (
                S::Reopened,
                [
                    Some(S::Assigned),
                    Some(S::Accepted),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(S::Cancelled),
                ],
            ),
        ];
        for (from, row) in expected {
            for (action, want) in A::ALL.iter().copied().zip(row) {
                assert_eq!(next(from, action), want, "{from:?} × {action:?}");
            }
        }
    }

    #[test]
    fn who_may_act() {
        let mine = Who::Worker { assignee: true };
        let theirs = Who::Worker { assignee: false };
        // The desk dispatches, cancels, visits and reopens; it does not do the work.
        for action in [A::Assign, A::Cancel] {
            assert!(decide(S::Submitted, action, Who::Desk).is_ok());
        }
        assert_eq!(decide(S::Done, A::Visit, Who::Desk), Ok(S::Closed));
        assert_eq!(decide(S::Closed, A::Reopen, Who::Desk), Ok(S::Reopened));
        for action in [A::Pick, A::Accept, A::Start, A::Finish, A::HandBack] {
            for &status in S::ALL {
                assert!(
                    decide(status, action, Who::Desk).is_err(),
                    "{status:?} {action:?}"
                );
            }
        }
        // Workers: anyone picks from the pool; only the assignee works the job.
        assert_eq!(decide(S::Submitted, A::Pick, theirs), Ok(S::Accepted));
        assert_eq!(decide(S::Reopened, A::Pick, theirs), Ok(S::Accepted));
        assert_eq!(decide(S::Assigned, A::Accept, mine), Ok(S::Accepted));
        assert_eq!(
            decide(S::Assigned, A::Accept, theirs),
            Err(Refusal::NotYours)
        );
        assert_eq!(
            decide(S::InProgress, A::Finish, theirs),
            Err(Refusal::NotYours)
        );
        assert_eq!(decide(S::Accepted, A::Finish, mine), Err(Refusal::NotNow));
        assert_eq!(decide(S::Assigned, A::Pick, mine), Err(Refusal::NotNow));
        for action in [A::Assign, A::Cancel, A::Visit, A::Reopen] {
            for &status in S::ALL {
                assert!(
                    decide(status, action, mine).is_err(),
                    "{status:?} {action:?}"
                );
            }
        }
        // Residents: cancel while unassigned, rate when done, nothing else.
        assert_eq!(
            decide(S::Submitted, A::Cancel, Who::Resident),
            Ok(S::Cancelled)
        );
        assert_eq!(
            decide(S::Assigned, A::Cancel, Who::Resident),
            Err(Refusal::NotYours)
        );
        assert_eq!(decide(S::Done, A::Visit, Who::Resident), Ok(S::Closed));
        assert_eq!(
            decide(S::InProgress, A::Visit, Who::Resident),
            Err(Refusal::NotNow)
        );
        for action in [
            A::Assign,
            A::Pick,
            A::Accept,
            A::HandBack,
            A::Start,
            A::Finish,
            A::Reopen,
        ] {
            for &status in S::ALL {
                assert!(
                    decide(status, action, Who::Resident).is_err(),
                    "{status:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn offered_actions_follow_the_rules() {
        assert_eq!(offered(S::Submitted, Who::Resident), vec![A::Cancel]);
        assert_eq!(offered(S::Done, Who::Resident), vec![A::Visit]);
        assert_eq!(
            offered(S::Assigned, Who::Worker { assignee: true }),
            vec![A::Accept, A::HandBack]
        );
        assert_eq!(
            offered(S::Submitted, Who::Worker { assignee: false }),
            vec![A::Pick]
        );
        assert_eq!(offered(S::Cancelled, Who::Desk), Vec::<Action>::new());
    }

    #[test]
    fn names_round_trip() {
        for &s in S::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for &a in A::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Status::parse("open"), None);
    }

    fn w(id: i64, name: &str, skills: &[&str], open: i64) -> WorkerLoad {
        WorkerLoad {
            id,
            name: name.into(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            open,
        }
    }

    #[test]
    fn suggestion_prefers_skill_then_load_then_name() {
        let workers = vec![
            w(1, "赵师傅", &["electrical"], 0),
            w(2, "钱师傅", &["water", "electrical"], 3),
            w(3, "孙师傅", &["water"], 1),
            w(4, "李师傅", &["water"], 1),
        ];
        let ranked: Vec<i64> = rank_workers("water", workers.clone())
            .iter()
            .map(|w| w.id)
            .collect();
        // Skilled (3, 4 with one open job, then 2 with three), then the idle electrician.
        assert_eq!(
            ranked[..3]
                .iter()
                .filter(|id| [2, 3, 4].contains(id))
                .count(),
            3
        );
        assert_eq!(ranked[2], 2);
        assert_eq!(ranked[3], 1);
        // Equal skill and load: by name, stable.
        assert_eq!(
            rank_workers("water", workers.clone())[0].id,
            rank_workers("water", workers.clone())[0].id
        );
        // Nobody skilled: least loaded first.
        let ranked: Vec<i64> = rank_workers("lift", workers).iter().map(|w| w.id).collect();
        assert_eq!(ranked[0], 1);
        assert_eq!(ranked[3], 2);
        assert!(rank_workers("lift", vec![]).is_empty());
    }

    #[test]
    fn lateness_against_targets() {
        let due_r = "2026-11-20T02:30:00.000000Z";
        let due_c = "2026-11-20T06:00:00.000000Z";
        let before = "2026-11-20T02:00:00.000000Z";
        let after = "2026-11-20T07:00:00.000000Z";
        // Not yet accepted, past both targets.
        let l = lateness(S::Submitted, after, due_r, due_c, None, None);
        assert!(l.response && l.completion);
        // Accepted in time, done late.
        let l = lateness(S::Closed, after, due_r, due_c, Some(before), Some(after));
        assert!(!l.response && l.completion);
        // In time.
        assert!(!lateness(S::Accepted, before, due_r, due_c, Some(before), None).any());
        // Cancelled tickets are never late.
        assert!(!lateness(S::Cancelled, after, due_r, due_c, None, None).any());
        // Reopened after being done in time: its completion is open again.
        assert!(lateness(S::Reopened, after, due_r, due_c, Some(before), Some(before)).completion);
    }
}
