//! The rules of a move-in, pure: what a case still misses, who may move into
//! which house as what, the identity form's checks, the status a completed
//! move-in gives the house, and the checklist an estate starts from.

use chrono::NaiveDate;

use super::{Finding, Step};
use crate::estate::rules::{check_occupant, is_day};
use crate::estate::{HouseStatus, OccupancyRole};
use crate::i18n::FieldProblem;

/// The checklist an estate starts from (rooms × items), until a manager edits it.
pub const DEFAULT_CHECKLIST: &[(&str, &[&str])] = &[
    ("入户门", &["门体与门锁", "猫眼与门铃"]),
    ("客厅", &["墙面与天花", "地面", "窗户与玻璃", "插座与开关"]),
    ("卧室", &["墙面与天花", "地面", "窗户与玻璃"]),
    ("厨房", &["给排水", "燃气管道与阀门", "橱柜与台面"]),
    ("卫生间", &["给排水", "防水与地漏", "洁具"]),
    ("阳台", &["栏杆", "地漏"]),
    ("水电表", &["水表", "电表", "燃气表"]),
];

/// The agreements every estate starts with.
pub const DEFAULT_AGREEMENTS: &[&str] = &["管理规约", "前期物业服务协议"];

/// What a case has done so far, step by step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Done {
    pub identity: bool,
    pub inspection: bool,
    pub readings: bool,
    pub keys: bool,
    pub agreements: bool,
}

/// The steps a case still misses, in the order they are worked.
pub fn missing(done: Done) -> Vec<Step> {
    [
        (Step::Identity, done.identity),
        (Step::Inspection, done.inspection),
        (Step::Readings, done.readings),
        (Step::Keys, done.keys),
        (Step::Agreements, done.agreements),
    ]
    .into_iter()
    .filter(|(_, done)| !done)
    .map(|(step, _)| step)
    .collect()
}

/// The identity step as the form sent it.
#[derive(Debug, Clone, Default)]
pub struct IdentityForm {
    pub name: String,
    pub mobile: String,
    pub id_number: String,
    pub role: String,
    pub title_no: String,
    pub lease_start: String,
    pub lease_end: String,
    pub owner_consent: bool,
    pub handover_on: String,
}

/// The identity step, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedIdentity {
    pub name: String,
    pub mobile: String,
    pub id_number: Option<String>,
    pub role: OccupancyRole,
    pub title_no: String,
    pub lease: Option<(String, String)>,
    pub handover_on: String,
}

/// Checks the identity form (`today` a desk day): the person as the register
/// checks an occupant; the title or lease number; for a tenant, the lease's
/// start and end (in order) and the owner's consent, with the move-in day
/// inside the lease; the handover day today.
pub fn check_identity(
    f: &IdentityForm,
    today: &str,
) -> Result<CheckedIdentity, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let occupant = check_occupant(&f.name, &f.mobile, &f.id_number, &f.role, &f.handover_on)
        .map_err(|p| {
            // The register names the day `start_date`; here it is the handover day.
            problems.extend(p.into_iter().map(|(field, key)| {
                if field == "start_date" {
                    ("handover_on", key)
                } else {
                    (field, key)
                }
            }))
        })
        .ok();
    // Billing starts on the day the house's status changes, and that is the
    // day the move-in is completed (a status change carries no effective
    // date yet): the handover day is today, not a day ahead or behind.
    if is_day(&f.handover_on) && f.handover_on.as_str() != today {
        problems.push(("handover_on", "moves.invalid.handover_today"));
    }
    let title_no = f.title_no.trim().to_string();
    if title_no.chars().count() > 40 {
        problems.push(("title_no", "moves.invalid.title_no"));
    }
    let mut lease = None;
    if occupant.as_ref().map(|o| o.role) == Some(OccupancyRole::Tenant) {
        let (start, end) = (f.lease_start.trim(), f.lease_end.trim());
        if !is_day(start) {
            problems.push(("lease_start", "moves.invalid.lease_start"));
        }
        if !is_day(end) {
            problems.push(("lease_end", "moves.invalid.lease_end"));
        }
        if is_day(start) && is_day(end) {
            if end < start {
                problems.push(("lease_end", "moves.invalid.lease_reversed"));
            } else if is_day(&f.handover_on)
                && (f.handover_on.as_str() < start || f.handover_on.as_str() > end)
            {
                problems.push(("handover_on", "moves.invalid.outside_lease"));
            } else {
                lease = Some((start.to_string(), end.to_string()));
            }
        }
        if !f.owner_consent {
            problems.push(("owner_consent", "moves.invalid.consent"));
        }
        if title_no.is_empty() {
            problems.push(("title_no", "moves.invalid.lease_no"));
        }
    }
    match occupant {
        Some(o) if problems.is_empty() => Ok(CheckedIdentity {
            name: o.name,
            mobile: o.mobile,
            id_number: o.id_number,
            role: o.role,
            title_no,
            lease,
            handover_on: f.handover_on.clone(),
        }),
        _ => Err(problems),
    }
}

/// Whether `role` may move into a house of `status`, given whether it has a
/// current owner: an owner only into a house with none (a sale's buyer after
/// the seller's move-out); a co-owner, family member or tenant only where
/// there is an owner; no one but the owner into a house not handed over.
pub fn check_house(
    role: OccupancyRole,
    status: HouseStatus,
    has_owner: bool,
) -> Result<(), &'static str> {
    match role {
        OccupancyRole::Owner if has_owner => Err("moves.refused.has_owner"),
        OccupancyRole::Owner => Ok(()),
        _ if status == HouseStatus::NotHandedOver => Err("moves.refused.not_handed_over"),
        _ if !has_owner => Err("moves.refused.no_owner"),
        _ => Ok(()),
    }
}

/// The status a completed move-in gives the house (`None`: it keeps its own).
/// A handover is the owner's move-in; a tenant lets the house; a house
/// being renovated stays so.
pub fn status_after(role: OccupancyRole, status: HouseStatus) -> Option<HouseStatus> {
    use HouseStatus::*;
    let to = match (role, status) {
        (_, Renovating) => return None,
        (OccupancyRole::Tenant, _) => Let,
        (_, NotHandedOver | Vacant) => Occupied,
        _ => return None,
    };
    (to != status).then_some(to)
}

/// One inspection finding as the form sent it.
#[derive(Debug, Clone, Default)]
pub struct FindingForm {
    pub item_id: i64,
    pub finding: String,
    pub note: String,
}

/// Checks the inspection: every item of the checklist found OK or a defect,
/// each defect described; returns the findings in checklist order, or the
/// message keys by item id.
pub fn check_findings(
    items: &[i64],
    form: &[FindingForm],
) -> Result<Vec<(i64, Finding, String)>, Vec<(i64, &'static str)>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for &id in items {
        let sent = form.iter().find(|f| f.item_id == id);
        let finding = sent.and_then(|f| Finding::parse(&f.finding));
        let note = sent
            .map(|f| f.note.trim().to_string())
            .unwrap_or_default();
        match finding {
            None => problems.push((id, "moves.invalid.finding")),
            Some(Finding::Defect) if note.is_empty() => {
                problems.push((id, "moves.invalid.defect_note"))
            }
            Some(_) if note.chars().count() > 200 => {
                problems.push((id, "moves.invalid.note_long"))
            }
            Some(f) => out.push((id, f, note)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A day the desk typed for a signed agreement: a day, not in the future.
pub fn check_signed_on(day: &str, today: &str) -> bool {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok() && day <= today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(role: &str) -> IdentityForm {
        IdentityForm {
            name: "王小明".into(),
            mobile: "13912345678".into(),
            role: role.into(),
            title_no: "沪房2026-0012".into(),
            handover_on: "2026-11-20".into(),
            ..Default::default()
        }
    }

    fn fields(r: Result<CheckedIdentity, Vec<FieldProblem>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }

    #[test]
    fn a_case_misses_the_steps_not_done_in_order() {
        assert_eq!(missing(Done::default()).len(), 5);
        let done = Done {
            identity: true,
            readings: true,
            ..Default::default()
        };
        assert_eq!(
            missing(done),
            vec![Step::Inspection, Step::Keys, Step::Agreements]
        );
        let all = Done {
            identity: true,
            inspection: true,
            readings: true,
            keys: true,
            agreements: true,
        };
        assert!(missing(all).is_empty());
    }

    #[test]
    fn an_owner_needs_a_person_and_a_handover_day_not_ahead() {
        let ok = check_identity(&form("owner"), "2026-11-20").expect("owner");
        assert_eq!(ok.role, OccupancyRole::Owner);
        assert_eq!(ok.lease, None);
        for day in ["2026-12-02", "2026-11-30"] {
            let mut other_day = form("owner");
            other_day.handover_on = day.into();
            assert_eq!(fields(check_identity(&other_day, "2026-12-01")), ["handover_on"]);
        }
        let mut bad = form("owner");
        bad.mobile = "1234".into();
        bad.handover_on = "someday".into();
        assert_eq!(
            fields(check_identity(&bad, "2026-11-20")),
            ["mobile", "handover_on"]
        );
    }

    #[test]
    fn a_tenant_needs_a_lease_in_order_around_the_move_in_and_the_owners_consent() {
        let mut t = form("tenant");
        assert_eq!(
            fields(check_identity(&t, "2026-11-20")),
            ["lease_start", "lease_end", "owner_consent"]
        );
        t.lease_start = "2026-11-01".into();
        t.lease_end = "2027-10-31".into();
        t.owner_consent = true;
        let ok = check_identity(&t, "2026-11-20").expect("tenant");
        assert_eq!(ok.lease, Some(("2026-11-01".into(), "2027-10-31".into())));
        let mut reversed = t.clone();
        reversed.lease_end = "2026-10-31".into();
        assert_eq!(fields(check_identity(&reversed, "2026-11-20")), ["lease_end"]);
        let mut outside = t.clone();
        outside.lease_start = "2026-11-21".into();
        assert_eq!(
            fields(check_identity(&outside, "2026-11-20")),
            ["handover_on"]
        );
        let mut no_number = t;
        no_number.title_no = " ".into();
        assert_eq!(fields(check_identity(&no_number, "2026-11-20")), ["title_no"]);
    }

    #[test]
    fn who_may_move_into_which_house() {
        use HouseStatus::*;
        use OccupancyRole::*;
        assert!(check_house(Owner, NotHandedOver, false).is_ok());
        assert_eq!(
            check_house(Owner, Occupied, true),
            Err("moves.refused.has_owner")
        );
        assert!(check_house(Tenant, Vacant, true).is_ok());
        assert_eq!(
            check_house(Tenant, Vacant, false),
            Err("moves.refused.no_owner")
        );
        assert_eq!(
            check_house(Family, NotHandedOver, true),
            Err("moves.refused.not_handed_over")
        );
    }

    #[test]
    fn a_move_in_hands_over_lets_or_leaves_the_status() {
        use HouseStatus::*;
        use OccupancyRole::*;
        assert_eq!(status_after(Owner, NotHandedOver), Some(Occupied));
        assert_eq!(status_after(Owner, Vacant), Some(Occupied));
        assert_eq!(status_after(Tenant, Occupied), Some(Let));
        assert_eq!(status_after(Tenant, Let), None);
        assert_eq!(status_after(Family, Occupied), None);
        assert_eq!(status_after(CoOwner, Renovating), None);
    }

    #[test]
    fn every_item_is_found_and_every_defect_described() {
        let sent = |id, f: &str, note: &str| FindingForm {
            item_id: id,
            finding: f.into(),
            note: note.into(),
        };
        let ok = check_findings(&[1, 2], &[sent(2, "defect", "墙面裂缝"), sent(1, "ok", "")])
            .expect("all found");
        assert_eq!(ok[0], (1, Finding::Ok, String::new()));
        assert_eq!(ok[1].1, Finding::Defect);
        let err = check_findings(&[1, 2, 3], &[sent(1, "ok", ""), sent(2, "defect", " ")])
            .expect_err("missing");
        assert_eq!(
            err,
            vec![(2, "moves.invalid.defect_note"), (3, "moves.invalid.finding")]
        );
    }

    #[test]
    fn an_agreement_is_signed_on_a_day_not_ahead() {
        assert!(check_signed_on("2026-11-20", "2026-12-01"));
        assert!(!check_signed_on("2026-12-02", "2026-12-01"));
        assert!(!check_signed_on("20/11/2026", "2026-12-01"));
    }
}
