//! Return visits (回访) and the managers' escalation list: one mechanism that
//! every case which ends with a call to the resident uses (repairs now,
//! complaints later). A visit records the resident's rating (1–5), whether the
//! problem is fixed, and their words; its [`Outcome`] tells the case what to
//! do next. The case applies that in its own write, which the visit joins
//! (`db::record` takes the case's [`crate::db::Write`], server only).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use serde::{Deserialize, Serialize};

use crate::common::Choice;
#[cfg(feature = "ssr")]
use crate::common::Lang;
#[cfg(feature = "ssr")]
use crate::error::{AppError, FieldError};
#[cfg(feature = "ssr")]
use crate::i18n::tr;

crate::value_set! {
    /// What a visit can be about. Stored as `subject_kind`. (No page names
    /// these yet: the locale has no labels for them.)
    pub enum SubjectKind("visits.subject") {
        Repair = "repair",
        Complaint = "complaint",
    }
}

crate::value_set! {
    /// How the visit was made.
    pub enum Channel("visits.channel") {
        /// The desk rang the resident.
        Phone = "phone",
        /// The resident rated it in the portal.
        Portal = "portal",
    }
}

crate::value_set! {
    /// The escalation list's filter: open, resolved, or all of them.
    pub enum EscalationFilter("visits.filter") {
        Open = "open",
        Resolved = "resolved",
        All = "all",
    }
}

/// What a visit means for its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// "Not fixed": the case opens again (a repair is reworked).
    pub reopen: bool,
    /// A rating of 1–2: a manager must look at it, with the resident's comment.
    pub escalate: bool,
}

/// The one rule: not fixed reopens; a poor rating escalates. Both may happen.
pub fn outcome(rating: i64, fixed: bool) -> Outcome {
    Outcome {
        reopen: !fixed,
        escalate: rating <= 2,
    }
}

/// A visit as the form sends it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitInput {
    pub rating: i64,
    pub fixed: bool,
    pub comment: String,
}

/// Checks the form's fields; messages in `lang`, each on its field.
#[cfg(feature = "ssr")]
pub fn parse_visit(
    lang: Lang,
    rating: &str,
    fixed: &str,
    comment: &str,
) -> Result<VisitInput, AppError> {
    let mut errors = Vec::new();
    let rating = match rating.trim().parse::<i64>() {
        Ok(r) if (1..=5).contains(&r) => r,
        _ => {
            errors.push(FieldError {
                field: "rating".into(),
                message: tr(lang, "visits.invalid.rating"),
            });
            0
        }
    };
    let fixed = match fixed.trim() {
        "yes" => true,
        "no" => false,
        _ => {
            errors.push(FieldError {
                field: "fixed".into(),
                message: tr(lang, "visits.invalid.fixed"),
            });
            false
        }
    };
    let comment = comment.trim();
    if comment.chars().count() > 500 {
        errors.push(FieldError {
            field: "comment".into(),
            message: tr(lang, "visits.invalid.comment"),
        });
    }
    // A poor rating must say why: it goes to a manager.
    if rating > 0 && outcome(rating, fixed).escalate && comment.is_empty() {
        errors.push(FieldError {
            field: "comment".into(),
            message: tr(lang, "visits.invalid.comment_needed"),
        });
    }
    if errors.is_empty() {
        Ok(VisitInput {
            rating,
            fixed,
            comment: comment.to_string(),
        })
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// One entry of the escalation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRow {
    pub id: i64,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    /// Where the case's page is.
    pub href: String,
    /// What the case is (a repair's place and category).
    pub title: String,
    pub rating: i64,
    pub fixed: bool,
    pub comment: String,
    pub status: String,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationList {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub status: EscalationFilter,
    pub rows: Vec<EscalationRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poor_ratings_escalate_and_unfixed_reopens() {
        for rating in 1..=5 {
            for fixed in [true, false] {
                let o = outcome(rating, fixed);
                assert_eq!(o.escalate, rating <= 2, "{rating} {fixed}");
                assert_eq!(o.reopen, !fixed, "{rating} {fixed}");
            }
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn visit_form_checks() {
        let ok = parse_visit(Lang::Zh, "4", "yes", " 很好 ").expect("valid");
        assert_eq!(
            (ok.rating, ok.fixed, ok.comment.as_str()),
            (4, true, "很好")
        );
        let e = parse_visit(Lang::Zh, "6", "maybe", "").expect_err("bad");
        assert!(e.field_message("rating").is_some());
        assert!(e.field_message("fixed").is_some());
        // A rating of 2 must carry the resident's words.
        let e = parse_visit(Lang::En, "2", "yes", "  ").expect_err("no comment");
        assert!(e.field_message("comment").is_some());
        assert!(parse_visit(Lang::En, "2", "no", "still leaking").is_ok());
    }
}
