//! The renovation rules, in one place and without I/O: the state machine
//! ([`next`] is its table, [`decide`] adds who may ask), the application
//! form's checks ([`check_application`]) with the prohibited items refused by
//! their rule, and the scope list every estate starts with.

use chrono::NaiveDate;

use super::{Action, State};
use crate::common::personal::{normalise_id_number, normalise_mobile};
use crate::estate::OccupancyRole;
// The table in short.
use Action as A;
use State as S;

/// The state an action moves an application to, or `None` when the action is
/// not allowed from `from`. This table is the state machine; nothing else
/// moves an application.
pub fn next(from: State, action: Action) -> Option<State> {
    match (from, action) {
        (S::Submitted, A::Check) => Some(S::Engineering),
        (S::Submitted, A::Return) => Some(S::Returned),
        (S::Returned, A::Resubmit) => Some(S::Submitted),
        (S::Engineering, A::Approve) => Some(S::Approval),
        (S::Submitted | S::Engineering | S::Approval, A::Reject) => Some(S::Rejected),
        (S::Approval, A::ManagerApprove) => Some(S::Payment),
        (S::Submitted | S::Returned | S::Engineering | S::Approval | S::Payment, A::Withdraw) => {
            Some(S::Withdrawn)
        }
        (S::Payment, A::IssuePermit) => Some(S::Works),
        (S::Works, A::AskExtension) => Some(S::Extension),
        (S::Extension, A::ApproveExtension | A::RefuseExtension) => Some(S::Works),
        (S::Works | S::Extension, A::Suspend) => Some(S::Suspended),
        (S::Suspended, A::Resume) => Some(S::Works),
        (S::Works, A::AskAcceptance) => Some(S::Acceptance),
        (S::Acceptance, A::PassAcceptance) => Some(S::Refund),
        (S::Acceptance, A::FailAcceptance) => Some(S::Rectifying),
        (S::Rectifying, A::AskReinspection) => Some(S::Acceptance),
        (S::Refund, A::Refund) => Some(S::Closed),
        // A mistaken refund reversed: the deposit waits to be paid back again.
        (S::Closed, A::ReverseRefund) => Some(S::Refund),
        _ => None,
    }
}

/// Who is asking, as far as the application is concerned (the server has
/// already placed them in the application's estate or house).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A clerk, manager or admin of the estate; `manager`: the role manager.
    Desk { manager: bool },
    /// A maintenance worker the estate names as an engineering reviewer.
    Reviewer,
    /// The resident who applied.
    Applicant,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not from this state (approving what is not waiting for it, twice …).
    NotNow,
    /// Not by this person (a clerk approving, a resident reviewing).
    NotYours,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotNow => "renovation.refused.not_now",
            Refusal::NotYours => "renovation.refused.not_yours",
        }
    }
}

/// Whether `who` may ask `action` of an application in `from` at all.
fn may(from: State, action: Action, who: Who) -> bool {
    let desk = matches!(who, Who::Desk { .. });
    let manager = who == Who::Desk { manager: true };
    let applicant = who == Who::Applicant;
    match action {
        A::Check | A::Return | A::IssuePermit | A::Refund | A::Pay => desk,
        // The applicant's own steps, which the desk may take for them at the counter.
        A::Resubmit | A::Withdraw | A::AskExtension | A::AskAcceptance | A::AskReinspection => {
            desk || applicant
        }
        A::Approve | A::PassAcceptance | A::FailAcceptance => who == Who::Reviewer,
        // Each review step rejects with its own reviewer.
        A::Reject => match from {
            S::Submitted => desk,
            S::Engineering => who == Who::Reviewer,
            S::Approval => manager,
            _ => false,
        },
        A::ManagerApprove
        | A::ApproveExtension
        | A::RefuseExtension
        | A::Suspend
        | A::Resume
        | A::ReverseRefund => manager,
    }
}

/// Whether `who` may ask for `action` on an application in `from`, and where it goes.
pub fn decide(from: State, action: Action, who: Who) -> Result<State, Refusal> {
    match next(from, action) {
        None => Err(Refusal::NotNow),
        Some(to) if may(from, action, who) => Ok(to),
        Some(_) => Err(Refusal::NotYours),
    }
}

/// The actions `who` may take now, in the order a page offers them.
pub fn offered(from: State, who: Who) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| decide(from, *a, who).is_ok())
        .collect()
}

/// Whether a transition needs the asker's words (a reason the applicant reads).
pub fn needs_reason(action: Action) -> bool {
    matches!(
        action,
        A::Return
            | A::Reject
            | A::Withdraw
            | A::Suspend
            | A::RefuseExtension
            | A::FailAcceptance
            | A::ReverseRefund
    )
}

/// The most drawings and photos (图纸与照片) one application keeps.
pub const MAX_ATTACHMENTS: i64 = 10;

/// Whether `who` (`None`: a resident of the house who did not apply) may add
/// drawings or photos to an application in `state`: its applicant and the
/// estate's desk, until the desk's check sends it to engineering (or while it
/// is back with the applicant) — what the engineer and the manager approve
/// is what they saw.
pub fn attaches(state: State, who: Option<Who>) -> bool {
    matches!(state, S::Submitted | S::Returned)
        && matches!(who, Some(Who::Desk { .. } | Who::Applicant))
}

/// The scope items every estate starts with: (code, name, prohibited). The
/// names and the rules of these are shown in the reader's language
/// (`renovation.scope_code.<code>`, `renovation.rule_code.<code>`); items an estate
/// adds are shown as written.
pub const DEFAULT_SCOPE: &[(&str, &str, bool)] = &[
    ("wall", "墙面", false),
    ("floor", "地面", false),
    ("electrical", "电路改造", false),
    ("plumbing", "给排水改造", false),
    ("kitchen", "厨房", false),
    ("bathroom", "卫生间", false),
    ("windows", "门窗", false),
    ("air_conditioning", "空调安装", false),
    ("load_bearing", "拆改承重墙", true),
    ("facade", "改变外立面", true),
    ("gas", "改动燃气管道", true),
    ("shared_pipes", "改动公共管道", true),
];

/// How long a renovation may be planned for.
pub const MAX_DAYS: i64 = 180;
/// How many workers one application may list.
pub const MAX_WORKERS: usize = 30;

/// A scope item as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub id: i64,
    pub name: String,
    pub prohibited: bool,
    pub rule: String,
}

/// A worker as the form sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerForm {
    pub name: String,
    pub mobile: String,
    pub id_number: String,
}

/// The application as the form sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationForm {
    pub contractor: String,
    pub licence_no: String,
    pub foreman: String,
    pub foreman_mobile: String,
    pub planned_start: String,
    pub planned_end: String,
    pub description: String,
    /// For a tenant: whose consent, and how it was given.
    pub owner_consent: String,
    pub workers: Vec<WorkerForm>,
    /// (scope item, note)
    pub items: Vec<(i64, String)>,
}

/// A refused field: its name in the form, the message's key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(field: impl Into<String>, key: &'static str) -> Problem {
        Problem {
            field: field.into(),
            key,
            args: Vec::new(),
        }
    }
}

/// A text field: trimmed, required, at most `max` characters.
fn text(field: &str, value: &str, max: usize, problems: &mut Vec<Problem>) -> String {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        problems.push(Problem::new(field, "renovation.invalid.text"));
    }
    value.to_string()
}

/// Who may apply: an owner or co-owner; a tenant only with the owner's consent written down.
pub fn check_applicant(role: OccupancyRole, owner_consent: &str) -> Result<(), Problem> {
    match role {
        OccupancyRole::Owner | OccupancyRole::CoOwner => Ok(()),
        OccupancyRole::Tenant if !owner_consent.trim().is_empty() => Ok(()),
        OccupancyRole::Tenant => Err(Problem::new("owner_consent", "renovation.invalid.consent")),
        OccupancyRole::Family => Err(Problem::new("applicant", "renovation.invalid.applicant")),
    }
}

/// Checks an application against the estate's scope list and returns it
/// normalised (trimmed, numbers in their stored form); every refused field at once. A prohibited item is refused with the rule that forbids it.
pub fn check_application(
    form: &ApplicationForm,
    scope: &[Scope],
    today: NaiveDate,
) -> Result<ApplicationForm, Vec<Problem>> {
    let mut problems = Vec::new();
    let contractor = text("contractor", &form.contractor, 100, &mut problems);
    let licence_no = form.licence_no.trim().to_uppercase();
    if licence_no.is_empty()
        || licence_no.chars().count() > 30
        || !licence_no
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        problems.push(Problem::new("licence_no", "renovation.invalid.licence"));
    }
    let foreman = text("foreman", &form.foreman, 40, &mut problems);
    let foreman_mobile = normalise_mobile(&form.foreman_mobile)
        .map_err(|e| problems.push(Problem::new("foreman_mobile", e.key())))
        .unwrap_or_default();
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let start = day(&form.planned_start);
    let end = day(&form.planned_end);
    match start {
        None => problems.push(Problem::new("planned_start", "renovation.invalid.date")),
        Some(s) if s < today => {
            problems.push(Problem::new("planned_start", "renovation.invalid.past"))
        }
        Some(_) => {}
    }
    match (start, end) {
        (_, None) => problems.push(Problem::new("planned_end", "renovation.invalid.date")),
        (Some(s), Some(e)) if e < s => problems.push(Problem::new(
            "planned_end",
            "renovation.invalid.end_before_start",
        )),
        (Some(s), Some(e)) if (e - s).num_days() + 1 > MAX_DAYS => problems.push(Problem {
            field: "planned_end".into(),
            key: "renovation.invalid.too_long",
            args: vec![("days", MAX_DAYS.to_string())],
        }),
        _ => {}
    }
    let description = form.description.trim().to_string();
    if description.chars().count() > 1000 {
        problems.push(Problem::new("description", "renovation.invalid.text"));
    }
    let owner_consent = form.owner_consent.trim().to_string();
    if owner_consent.chars().count() > 200 {
        problems.push(Problem::new("owner_consent", "renovation.invalid.text"));
    }
    // Workers: blank rows are left out; each kept row complete and valid.
    let rows: Vec<(usize, &WorkerForm)> = form
        .workers
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            !(w.name.trim().is_empty()
                && w.mobile.trim().is_empty()
                && w.id_number.trim().is_empty())
        })
        .collect();
    if rows.is_empty() {
        problems.push(Problem::new("workers", "renovation.invalid.no_workers"));
    }
    if rows.len() > MAX_WORKERS {
        problems.push(Problem {
            field: "workers".into(),
            key: "renovation.invalid.too_many_workers",
            args: vec![("count", MAX_WORKERS.to_string())],
        });
    }
    let mut workers = Vec::new();
    let mut seen_ids = Vec::new();
    for (i, w) in rows {
        let name = text(&format!("worker_name.{i}"), &w.name, 40, &mut problems);
        let mobile = normalise_mobile(&w.mobile)
            .map_err(|e| problems.push(Problem::new(format!("worker_mobile.{i}"), e.key())))
            .unwrap_or_default();
        let id_number = match normalise_id_number(&w.id_number) {
            Ok(id) if seen_ids.contains(&id) => {
                problems.push(Problem::new(
                    format!("worker_id.{i}"),
                    "renovation.invalid.worker_twice",
                ));
                id
            }
            Ok(id) => id,
            Err(e) => {
                problems.push(Problem::new(format!("worker_id.{i}"), e.key()));
                String::new()
            }
        };
        seen_ids.push(id_number.clone());
        workers.push(WorkerForm {
            name,
            mobile,
            id_number,
        });
    }
    // The scope: at least one item, each on the estate's list, none prohibited.
    let mut items: Vec<(i64, String)> = Vec::new();
    for (id, note) in &form.items {
        let Some(item) = scope.iter().find(|s| s.id == *id) else {
            problems.push(Problem::new("items", "renovation.invalid.item"));
            continue;
        };
        if item.prohibited {
            problems.push(Problem {
                field: "items".into(),
                key: "renovation.refused.prohibited",
                args: vec![("item", item.name.clone()), ("rule", item.rule.clone())],
            });
            continue;
        }
        let note = note.trim();
        if note.chars().count() > 200 {
            problems.push(Problem::new("items", "renovation.invalid.text"));
        }
        if !items.iter().any(|(i, _)| i == id) {
            items.push((*id, note.to_string()));
        }
    }
    if form.items.is_empty() {
        problems.push(Problem::new("items", "renovation.invalid.no_items"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ApplicationForm {
        contractor,
        licence_no,
        foreman,
        foreman_mobile,
        planned_start: form.planned_start.trim().to_string(),
        planned_end: form.planned_end.trim().to_string(),
        description,
        owner_consent,
        workers,
        items,
    })
}

/// The estate's working hours as the settings form sent them: free text, short.
pub fn check_work_hours(text: &str) -> Result<String, Problem> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 100 {
        Err(Problem::new("work_hours", "renovation.invalid.text"))
    } else {
        Ok(text.to_string())
    }
}

/// How often works are inspected, in days (1–90).
pub fn check_inspection_days(text: &str) -> Result<i64, Problem> {
    match text.trim().parse::<i64>() {
        Ok(d) if (1..=90).contains(&d) => Ok(d),
        _ => Err(Problem::new(
            "inspection_days",
            "renovation.invalid.inspection_days",
        )),
    }
}

/// What a permit says on `today` (days `YYYY-MM-DD`); `paid`: its money is in.
/// A rectification after a failed acceptance is works too.
pub fn verdict(
    state: State,
    start: &str,
    end: &str,
    today: &str,
    paid: bool,
) -> super::PermitVerdict {
    use super::PermitVerdict as V;
    match state {
        S::Suspended => V::Suspended,
        S::Works | S::Extension | S::Rectifying if !paid => V::Unpaid,
        S::Works | S::Extension | S::Rectifying if today < start => V::NotYet,
        S::Works | S::Extension | S::Rectifying if today > end => V::Expired,
        S::Works | S::Extension | S::Rectifying => V::Valid,
        _ => V::Ended,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHO: [Who; 4] = [
        Who::Desk { manager: false },
        Who::Desk { manager: true },
        Who::Reviewer,
        Who::Applicant,
    ];

    /// The whole table: every state × action × asker, against the issue's
    /// flow written out as (from, action, to, who may).
    #[test]
    fn every_state_action_and_asker() {
        let clerk = Who::Desk { manager: false };
        let manager = Who::Desk { manager: true };
        let desk: &[Who] = &[clerk, manager];
        let desk_or_applicant: &[Who] = &[clerk, manager, Who::Applicant];
        let reviewer: &[Who] = &[Who::Reviewer];
        let managers: &[Who] = &[manager];
        let allowed: Vec<(State, Action, State, &[Who])> = vec![
            (S::Submitted, A::Check, S::Engineering, desk),
            (S::Submitted, A::Return, S::Returned, desk),
            (S::Submitted, A::Reject, S::Rejected, desk),
            (S::Submitted, A::Withdraw, S::Withdrawn, desk_or_applicant),
            (S::Returned, A::Resubmit, S::Submitted, desk_or_applicant),
            (S::Returned, A::Withdraw, S::Withdrawn, desk_or_applicant),
            (S::Engineering, A::Approve, S::Approval, reviewer),
            (S::Engineering, A::Reject, S::Rejected, reviewer),
            (S::Engineering, A::Withdraw, S::Withdrawn, desk_or_applicant),
            (S::Approval, A::ManagerApprove, S::Payment, managers),
            (S::Approval, A::Reject, S::Rejected, managers),
            (S::Approval, A::Withdraw, S::Withdrawn, desk_or_applicant),
            (S::Payment, A::IssuePermit, S::Works, desk),
            (S::Payment, A::Withdraw, S::Withdrawn, desk_or_applicant),
            (S::Works, A::AskExtension, S::Extension, desk_or_applicant),
            (S::Works, A::Suspend, S::Suspended, managers),
            (S::Works, A::AskAcceptance, S::Acceptance, desk_or_applicant),
            (S::Extension, A::ApproveExtension, S::Works, managers),
            (S::Extension, A::RefuseExtension, S::Works, managers),
            (S::Extension, A::Suspend, S::Suspended, managers),
            (S::Suspended, A::Resume, S::Works, managers),
            (S::Acceptance, A::PassAcceptance, S::Refund, reviewer),
            (S::Acceptance, A::FailAcceptance, S::Rectifying, reviewer),
            (
                S::Rectifying,
                A::AskReinspection,
                S::Acceptance,
                desk_or_applicant,
            ),
            (S::Refund, A::Refund, S::Closed, desk),
            (S::Closed, A::ReverseRefund, S::Refund, managers),
        ];
        let mut checked = 0;
        for &from in State::ALL {
            for &action in Action::ALL {
                let row = allowed
                    .iter()
                    .find(|(f, a, _, _)| *f == from && *a == action);
                for who in WHO {
                    let got = decide(from, action, who);
                    let want = match row {
                        None => Err(Refusal::NotNow),
                        Some((_, _, to, whos)) if whos.contains(&who) => Ok(*to),
                        Some(_) => Err(Refusal::NotYours),
                    };
                    assert_eq!(got, want, "{from:?} {action:?} by {who:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, State::ALL.len() * Action::ALL.len() * WHO.len());
    }

    #[test]
    fn nothing_leaves_an_ended_application_and_withdrawal_stops_at_the_permit() {
        for ended in [S::Closed, S::Rejected, S::Withdrawn] {
            assert!(!ended.is_open());
            for &action in Action::ALL {
                // Only a manager's reversal of a mistaken refund reopens a closed application.
                let want = (ended == S::Closed && action == A::ReverseRefund).then_some(S::Refund);
                assert_eq!(next(ended, action), want, "{ended:?} {action:?}");
            }
        }
        for from in [
            S::Works,
            S::Extension,
            S::Suspended,
            S::Acceptance,
            S::Rectifying,
            S::Refund,
        ] {
            assert_eq!(
                decide(from, A::Withdraw, Who::Applicant),
                Err(Refusal::NotNow)
            );
        }
        // A clerk cannot approve; a resident cannot review.
        assert_eq!(
            decide(S::Approval, A::ManagerApprove, Who::Desk { manager: false }),
            Err(Refusal::NotYours)
        );
        assert_eq!(
            decide(S::Engineering, A::Approve, Who::Applicant),
            Err(Refusal::NotYours)
        );
        assert_eq!(offered(S::Submitted, Who::Applicant), vec![A::Withdraw]);
        assert_eq!(
            offered(S::Submitted, Who::Desk { manager: false }),
            vec![A::Check, A::Return, A::Reject, A::Withdraw]
        );
    }

    fn scope() -> Vec<Scope> {
        vec![
            Scope {
                id: 1,
                name: "墙面".into(),
                prohibited: false,
                rule: String::new(),
            },
            Scope {
                id: 2,
                name: "拆改承重墙".into(),
                prohibited: true,
                rule: "不得拆改承重结构".into(),
            },
        ]
    }

    fn form() -> ApplicationForm {
        ApplicationForm {
            contractor: "美家装饰有限公司".into(),
            licence_no: "91310000mA1k2345x".into(),
            foreman: "周工".into(),
            foreman_mobile: "139 1234 5678".into(),
            planned_start: "2026-12-05".into(),
            planned_end: "2027-01-20".into(),
            description: String::new(),
            owner_consent: String::new(),
            workers: vec![
                WorkerForm {
                    name: "李强".into(),
                    mobile: "13700001111".into(),
                    id_number: "110101199003074514".into(),
                },
                WorkerForm::default(),
            ],
            items: vec![(1, "刷漆".into())],
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    #[test]
    fn a_complete_application_passes_with_blank_worker_rows_left_out() {
        let c = check_application(&form(), &scope(), today()).expect("valid");
        assert_eq!(c.licence_no, "91310000MA1K2345X");
        assert_eq!(c.foreman_mobile, "13912345678");
        assert_eq!(c.workers.len(), 1);
        assert_eq!(c.items, vec![(1, "刷漆".to_string())]);
    }

    #[test]
    fn a_prohibited_item_is_refused_with_its_rule() {
        let mut f = form();
        f.items.push((2, String::new()));
        let problems = check_application(&f, &scope(), today()).unwrap_err();
        assert_eq!(
            problems,
            vec![Problem {
                field: "items".into(),
                key: "renovation.refused.prohibited",
                args: vec![
                    ("item", "拆改承重墙".into()),
                    ("rule", "不得拆改承重结构".into())
                ],
            }]
        );
    }

    #[test]
    fn bad_input_names_every_field() {
        let mut f = form();
        f.planned_start = "2026-12-01".into();
        f.planned_end = "2026-11-30".into();
        f.workers[0].id_number = "110101199003074515".into();
        f.workers.push(WorkerForm {
            name: "王五".into(),
            mobile: "123".into(),
            id_number: "110101199003074514".into(),
        });
        f.items = vec![(99, String::new())];
        f.licence_no = "licence no!".into();
        let fields: Vec<String> = check_application(&f, &scope(), today())
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "licence_no",
                "planned_start",
                "planned_end",
                "worker_id.0",
                "worker_mobile.2",
                "items"
            ]
        );
        let mut f = form();
        f.planned_end = "2027-06-30".into();
        f.workers = vec![WorkerForm::default()];
        f.items.clear();
        let keys: Vec<&str> = check_application(&f, &scope(), today())
            .unwrap_err()
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(
            keys,
            vec![
                "renovation.invalid.too_long",
                "renovation.invalid.no_workers",
                "renovation.invalid.no_items"
            ]
        );
    }

    #[test]
    fn the_same_worker_twice_is_refused() {
        let mut f = form();
        f.workers[1] = f.workers[0].clone();
        let problems = check_application(&f, &scope(), today()).unwrap_err();
        assert_eq!(problems[0].field, "worker_id.1");
        assert_eq!(problems[0].key, "renovation.invalid.worker_twice");
    }

    #[test]
    fn owners_apply_tenants_with_consent_family_never() {
        assert!(check_applicant(OccupancyRole::Owner, "").is_ok());
        assert!(check_applicant(OccupancyRole::CoOwner, "").is_ok());
        assert_eq!(
            check_applicant(OccupancyRole::Tenant, " ")
                .unwrap_err()
                .field,
            "owner_consent"
        );
        assert!(check_applicant(OccupancyRole::Tenant, "业主王建国书面同意").is_ok());
        assert_eq!(
            check_applicant(OccupancyRole::Family, "x")
                .unwrap_err()
                .field,
            "applicant"
        );
    }

    #[test]
    fn a_permit_is_valid_only_while_the_works_are_on_and_in_their_period() {
        use crate::renovation::PermitVerdict as V;
        let v = |state, today, paid| verdict(state, "2026-12-05", "2026-12-31", today, paid);
        assert_eq!(v(S::Works, "2026-12-31", true), V::Valid);
        assert_eq!(v(S::Works, "2026-12-05", true), V::Valid);
        assert_eq!(v(S::Extension, "2026-12-10", true), V::Valid);
        assert_eq!(v(S::Rectifying, "2026-12-10", true), V::Valid);
        assert_eq!(v(S::Works, "2026-12-04", true), V::NotYet);
        assert_eq!(v(S::Works, "2027-01-01", true), V::Expired);
        assert_eq!(v(S::Works, "2026-12-10", false), V::Unpaid);
        assert_eq!(v(S::Suspended, "2026-12-10", true), V::Suspended);
        for ended in [
            S::Acceptance,
            S::Refund,
            S::Closed,
            S::Withdrawn,
            S::Payment,
        ] {
            assert_eq!(v(ended, "2026-12-10", true), V::Ended);
        }
    }

    #[test]
    fn drawings_are_added_by_the_applicant_and_the_desk_until_the_engineering_review() {
        for state in [S::Submitted, S::Returned] {
            assert!(attaches(state, Some(Who::Applicant)), "{state:?}");
            assert!(
                attaches(state, Some(Who::Desk { manager: false })),
                "{state:?}"
            );
            assert!(
                attaches(state, Some(Who::Desk { manager: true })),
                "{state:?}"
            );
            assert!(!attaches(state, Some(Who::Reviewer)), "{state:?}");
            assert!(
                !attaches(state, None),
                "{state:?}: a resident who did not apply"
            );
        }
        for state in State::ALL
            .iter()
            .copied()
            .filter(|s| !matches!(s, S::Submitted | S::Returned))
        {
            for who in WHO {
                assert!(!attaches(state, Some(who)), "{state:?} {who:?}");
            }
        }
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(check_inspection_days(" 7 "), Ok(7));
        assert!(check_inspection_days("0").is_err());
        assert!(check_inspection_days("91").is_err());
        assert!(check_work_hours("").is_err());
        assert_eq!(
            check_work_hours(" 8:00–18:00 ").as_deref(),
            Ok("8:00–18:00")
        );
    }
}
