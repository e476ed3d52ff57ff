//! The checks of what a repair's forms send that need no database (server
//! only): a report's own fields, a finish's notes and charge, an estate's
//! targets. Each gives the typed values with every field error at once, so
//! the page marks them all. Where a report is, whose number a masked one
//! stands for and whether the charge's fee item exists are the database's to
//! check (`db::report`, `db::act`, `db::setup`), which add their errors to these.

use chrono::{DateTime, Utc};

use super::Targets;
use crate::billing::money;
use crate::common::Lang;
use crate::db::time;
use crate::error::{AppError, FieldError};
use crate::i18n::tr;
use crate::repairs::{Category, Source, Urgency};
use crate::visits::VisitInput;

/// A report as its form sends it.
#[derive(Debug, Clone, Default)]
pub struct NewTicket {
    pub estate_id: i64,
    /// Desk: the house number typed; portal: empty (the house is chosen by id).
    pub house_number: String,
    pub house_id: i64,
    pub location_id: i64,
    pub category: String,
    pub description: String,
    pub urgency: String,
    pub paid: bool,
    /// `YYYY-MM-DDTHH:MM`, desk time, or empty.
    pub appointment: String,
    pub source: String,
    pub reporter_name: String,
    pub reporter_phone: String,
}

impl NewTicket {
    /// The portal's one select: `h<house id>` or `l<common area id>`; anything
    /// else leaves the place as it is.
    pub fn choose_place(&mut self, place: &str) {
        if let Some(h) = place.strip_prefix('h') {
            self.house_id = h.parse().unwrap_or(0);
        } else if let Some(l) = place.strip_prefix('l') {
            self.location_id = l.parse().unwrap_or(0);
        }
    }
}

/// What an action carries besides itself.
#[derive(Debug, Clone, Default)]
pub struct ActInput {
    /// Assign: the worker.
    pub worker_id: i64,
    /// Hand back, cancel, reopen: why.
    pub reason: String,
    /// Finish.
    pub work_notes: String,
    pub materials: String,
    /// Finish (paid repairs): yuan as typed; empty is none.
    pub labour: String,
    pub materials_cost: String,
    /// Visit.
    pub visit: Option<VisitInput>,
}

fn push(errors: &mut Vec<FieldError>, field: &str, message: String) {
    errors.push(FieldError {
        field: field.into(),
        message,
    });
}

/// A report's own fields, typed and trimmed. A field in error holds a
/// stand-in; a report with errors is never filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFields {
    pub category: Category,
    pub urgency: Urgency,
    pub source: Source,
    pub description: String,
    pub reporter_name: String,
    /// Digits only — or the desk's masked prefill (see `masked_prefill`).
    pub reporter_phone: String,
    /// The form came back with the register's occupant, the number masked:
    /// it stands for the register's number, if the mask matches it.
    pub masked_prefill: bool,
    /// The database's UTC text.
    pub appointment: Option<String>,
}

/// Checks a report's fields; `resident`: it comes from the portal, whose
/// reports are the portal's source (which the desk may not claim). An
/// appointment more than an hour before `now` is refused.
pub fn check_report(
    lang: Lang,
    input: &NewTicket,
    resident: bool,
    now: DateTime<Utc>,
) -> (ReportFields, Vec<FieldError>) {
    let mut errors = Vec::new();
    let category = Category::parse(&input.category);
    if category.is_none() {
        push(
            &mut errors,
            "category",
            tr(lang, "repairs.invalid.category"),
        );
    }
    let urgency = Urgency::parse(&input.urgency);
    if urgency.is_none() {
        push(&mut errors, "urgency", tr(lang, "repairs.invalid.urgency"));
    }
    let description = input.description.trim().to_string();
    if description.is_empty() || description.chars().count() > 500 {
        push(
            &mut errors,
            "description",
            tr(lang, "repairs.invalid.description"),
        );
    }
    let reporter_name = input.reporter_name.trim().to_string();
    if reporter_name.is_empty() || reporter_name.chars().count() > 40 {
        push(
            &mut errors,
            "reporter_name",
            tr(lang, "repairs.invalid.reporter_name"),
        );
    }
    let reporter_phone: String = input
        .reporter_phone
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let masked_prefill = reporter_phone.contains('*');
    if !masked_prefill
        && (!(7..=15).contains(&reporter_phone.len())
            || !reporter_phone.chars().all(|c| c.is_ascii_digit()))
    {
        push(
            &mut errors,
            "reporter_phone",
            tr(lang, "repairs.invalid.reporter_phone"),
        );
    }
    let appointment = if input.appointment.trim().is_empty() {
        None
    } else {
        match time::desk_minute_to_db(&input.appointment) {
            Some(at) if at >= time::to_db(now - chrono::Duration::hours(1)) => Some(at),
            _ => {
                push(
                    &mut errors,
                    "appointment",
                    tr(lang, "repairs.invalid.appointment"),
                );
                None
            }
        }
    };
    let source = if resident {
        Some(Source::Portal)
    } else {
        Source::parse(&input.source).filter(|s| *s != Source::Portal)
    };
    if source.is_none() {
        push(&mut errors, "source", tr(lang, "repairs.invalid.source"));
    }
    let fields = ReportFields {
        category: category.unwrap_or(Category::Other),
        urgency: urgency.unwrap_or(Urgency::Normal),
        source: source.unwrap_or(Source::Phone),
        description,
        reporter_name,
        reporter_phone,
        masked_prefill,
        appointment,
    };
    (fields, errors)
}

/// A finish, checked: the notes, the materials, and the charge in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    pub notes: String,
    pub materials: String,
    pub labour_fen: i64,
    pub materials_fen: i64,
}

impl Finish {
    /// What the house is charged (0: nothing).
    pub fn charge(&self) -> i64 {
        self.labour_fen + self.materials_fen
    }
}

/// Checks a finish on a ticket that is `paid` (户内有偿) and maybe `charged`
/// already: a charge only on a paid repair, and only once.
pub fn check_finish(
    lang: Lang,
    input: &ActInput,
    paid: bool,
    charged: bool,
) -> Result<Finish, AppError> {
    let mut errors = Vec::new();
    let notes = input.work_notes.trim().to_string();
    if notes.is_empty() || notes.chars().count() > 1000 {
        push(
            &mut errors,
            "work_notes",
            tr(lang, "repairs.invalid.work_notes"),
        );
    }
    let materials = input.materials.trim().to_string();
    if materials.chars().count() > 500 {
        push(
            &mut errors,
            "materials",
            tr(lang, "repairs.invalid.materials"),
        );
    }
    let labour_fen = optional_fen(lang, &input.labour).unwrap_or_else(|m| {
        push(&mut errors, "labour", m);
        0
    });
    let materials_fen = optional_fen(lang, &input.materials_cost).unwrap_or_else(|m| {
        push(&mut errors, "materials_cost", m);
        0
    });
    let charge = labour_fen + materials_fen;
    if charge > 0 && !paid {
        push(
            &mut errors,
            "labour",
            tr(lang, "repairs.invalid.charge_free"),
        );
    } else if charge > 0 && charged {
        push(
            &mut errors,
            "labour",
            tr(lang, "repairs.invalid.charged_already"),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Finish {
        notes,
        materials,
        labour_fen,
        materials_fen,
    })
}

/// An optional yuan amount: empty or zero is none.
fn optional_fen(lang: Lang, text: &str) -> Result<i64, String> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    match money::parse_yuan(text) {
        Ok(fen) => Ok(fen),
        Err(money::AmountError::Zero) => Ok(0),
        Err(e) => Err(crate::billing::ledger::amount_message(lang, e)),
    }
}

/// Checks an estate's targets, minutes as typed: each 1 minute to 30 days,
/// and no completion before its response. A field in error reads 0.
pub fn check_targets(
    lang: Lang,
    urgent_response: &str,
    urgent_completion: &str,
    normal_response: &str,
    normal_completion: &str,
) -> (Targets, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut minutes = |field: &str, text: &str| -> i64 {
        match text.trim().parse::<i64>() {
            Ok(m) if (1..=60 * 24 * 30).contains(&m) => m,
            _ => {
                push(&mut errors, field, tr(lang, "repairs.invalid.minutes"));
                0
            }
        }
    };
    let t = Targets {
        urgent_response: minutes("urgent_response", urgent_response),
        urgent_completion: minutes("urgent_completion", urgent_completion),
        normal_response: minutes("normal_response", normal_response),
        normal_completion: minutes("normal_completion", normal_completion),
    };
    let before =
        |response: i64, completion: i64| response > 0 && completion > 0 && completion < response;
    if before(t.urgent_response, t.urgent_completion) {
        push(
            &mut errors,
            "urgent_completion",
            tr(lang, "repairs.invalid.completion_before_response"),
        );
    }
    if before(t.normal_response, t.normal_completion) {
        push(
            &mut errors,
            "normal_completion",
            tr(lang, "repairs.invalid.completion_before_response"),
        );
    }
    (t, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_in_error(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    fn desk_report() -> NewTicket {
        NewTicket {
            estate_id: 1,
            house_number: "1-1-101".into(),
            category: "water".into(),
            description: "  卫生间漏水 ".into(),
            urgency: "urgent".into(),
            source: "phone".into(),
            reporter_name: " 王建国 ".into(),
            reporter_phone: "138 0000-0001".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_report_is_typed_and_trimmed() {
        let (f, errors) = check_report(Lang::Zh, &desk_report(), false, Utc::now());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            (f.category, f.urgency, f.source),
            (Category::Water, Urgency::Urgent, Source::Phone)
        );
        assert_eq!(
            (f.description.as_str(), f.reporter_name.as_str()),
            ("卫生间漏水", "王建国")
        );
        assert_eq!(f.reporter_phone, "13800000001");
        assert!(!f.masked_prefill);
        assert_eq!(f.appointment, None);
    }

    #[test]
    fn every_bad_field_of_a_report_is_marked() {
        let bad = NewTicket {
            category: "roof".into(),
            urgency: String::new(),
            description: "   ".into(),
            reporter_name: "名".repeat(41),
            reporter_phone: "12".into(),
            appointment: "tomorrow".into(),
            source: "fax".into(),
            ..Default::default()
        };
        let (_, errors) = check_report(Lang::En, &bad, false, Utc::now());
        assert_eq!(
            fields_in_error(&errors),
            [
                "category",
                "urgency",
                "description",
                "reporter_name",
                "reporter_phone",
                "appointment",
                "source"
            ]
        );
        // An appointment in the past (more than an hour ago) is refused too.
        let past = NewTicket {
            appointment: "2020-01-01T09:00".into(),
            ..desk_report()
        };
        let (_, errors) = check_report(Lang::Zh, &past, false, Utc::now());
        assert_eq!(fields_in_error(&errors), ["appointment"]);
    }

    #[test]
    fn the_portal_source_is_the_portals_own() {
        let claimed = NewTicket {
            source: "portal".into(),
            ..desk_report()
        };
        let (_, errors) = check_report(Lang::Zh, &claimed, false, Utc::now());
        assert_eq!(fields_in_error(&errors), ["source"]);
        // A resident's report is the portal's whatever the form says.
        let (f, errors) = check_report(Lang::Zh, &desk_report(), true, Utc::now());
        assert!(errors.is_empty());
        assert_eq!(f.source, Source::Portal);
    }

    #[test]
    fn a_masked_number_is_the_registers_to_match() {
        let prefilled = NewTicket {
            reporter_phone: "138****0001".into(),
            ..desk_report()
        };
        let (f, errors) = check_report(Lang::Zh, &prefilled, false, Utc::now());
        assert!(errors.is_empty());
        assert!(f.masked_prefill);
        assert_eq!(f.reporter_phone, "138****0001");
    }

    #[test]
    fn an_appointment_is_desk_time_stored_as_utc() {
        let at = NewTicket {
            appointment: "2999-01-01T09:30".into(),
            ..desk_report()
        };
        let (f, errors) = check_report(Lang::Zh, &at, false, Utc::now());
        assert!(errors.is_empty());
        assert!(f
            .appointment
            .is_some_and(|a| a.starts_with("2999-01-01T01:30:00")));
    }

    #[test]
    fn the_portal_place_names_a_house_or_a_common_area() {
        let mut t = NewTicket::default();
        t.choose_place("h12");
        assert_eq!((t.house_id, t.location_id), (12, 0));
        let mut t = NewTicket::default();
        t.choose_place("l3");
        assert_eq!((t.house_id, t.location_id), (0, 3));
        let mut t = NewTicket::default();
        t.choose_place("");
        assert_eq!((t.house_id, t.location_id), (0, 0));
    }

    fn finish(notes: &str, labour: &str, materials: &str) -> ActInput {
        ActInput {
            work_notes: notes.into(),
            materials: "角阀 1 个".into(),
            labour: labour.into(),
            materials_cost: materials.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_finish_charges_only_a_paid_repair_and_once() {
        let f =
            check_finish(Lang::Zh, &finish(" 更换角阀 ", "80", "35.5"), true, false).expect("paid");
        assert_eq!(
            (f.labour_fen, f.materials_fen, f.charge()),
            (8000, 3550, 11550)
        );
        assert_eq!(f.notes, "更换角阀");
        // Zero and empty are no charge.
        let f = check_finish(Lang::Zh, &finish("修好", "0", ""), false, false).expect("free");
        assert_eq!(f.charge(), 0);
        let labour =
            |r: Result<Finish, AppError>| r.expect_err("refused").field_message("labour").is_some();
        assert!(labour(check_finish(
            Lang::Zh,
            &finish("修好", "50", ""),
            false,
            false
        )));
        assert!(labour(check_finish(
            Lang::Zh,
            &finish("修好", "20", ""),
            true,
            true
        )));
        assert!(labour(check_finish(
            Lang::Zh,
            &finish("修好", "-3", ""),
            true,
            false
        )));
        let e = check_finish(Lang::Zh, &finish("", "", "25.555"), true, false).expect_err("bad");
        assert!(e.field_message("work_notes").is_some());
        assert!(e.field_message("materials_cost").is_some());
    }

    #[test]
    fn targets_are_minutes_and_completion_follows_response() {
        let (t, errors) = check_targets(Lang::Zh, "30", "240", "120", "2880");
        assert!(errors.is_empty());
        assert_eq!(t, Targets::default());
        let (_, errors) = check_targets(Lang::Zh, "0", "x", "120", "60");
        assert_eq!(
            fields_in_error(&errors),
            ["urgent_response", "urgent_completion", "normal_completion"]
        );
        let (_, errors) = check_targets(Lang::Zh, "60", "30", "120", "43201");
        assert_eq!(
            fields_in_error(&errors),
            ["normal_completion", "urgent_completion"]
        );
    }
}
