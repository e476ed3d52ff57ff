//! The key rules, in one place and without I/O: what each action does to a
//! copy in each status (the table [`next`]), what an owner's authorisation
//! allows, when a loan is overdue, how hooks and tags are named, and (server
//! only) the checks of the counter's forms, every refused field at once.

use super::{AuthScope, CopyStatus, Purpose};
// The state machine's table in short.
use CopyStatus as S;
use KeyAction as A;

crate::value_set! {
    /// What the desk does to a copy.
    pub enum KeyAction("keys.action") {
        /// 领用: check-out.
        Lend = "lend",
        /// 归还, in good condition: back on its hook.
        Return = "return",
        /// 归还, damaged: taken out of use.
        ReturnDamaged = "return_damaged",
        /// 挂失
        ReportLost = "report_lost",
        /// 停用: taken out of use from the cabinet.
        Retire = "retire",
    }
}

/// The status `action` moves a copy in `from` to, or `None` when the action is
/// not possible from there. This table is the state machine; nothing else
/// changes a copy's status.
pub fn next(from: CopyStatus, action: KeyAction) -> Option<CopyStatus> {
    match (from, action) {
        (S::InCabinet, A::Lend) => Some(S::Out),
        (S::Out, A::Return) => Some(S::InCabinet),
        (S::Out, A::ReturnDamaged) => Some(S::Retired),
        (S::InCabinet | S::Out, A::ReportLost) => Some(S::Lost),
        (S::InCabinet, A::Retire) => Some(S::Retired),
        _ => None,
    }
}

/// The i18n key of why `action` cannot be done to a copy in `status`.
pub fn refusal_key(status: CopyStatus, action: KeyAction) -> &'static str {
    match (status, action) {
        (S::Out, A::Lend) => "keys.refused.out",
        (S::Lost, _) => "keys.refused.lost",
        (S::Retired, _) => "keys.refused.retired",
        (S::InCabinet, A::Return | A::ReturnDamaged) => "keys.refused.not_out",
        _ => "keys.refused.not_now",
    }
}

/// An owner's authorisation as the rules need it. Days are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    pub scope: AuthScope,
    pub named_people: String,
    pub valid_from: String,
    pub valid_until: String,
    pub revoked: bool,
}

/// Why an entrusted key may not be lent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthRefusal {
    /// The owner never authorised its use.
    Missing,
    Revoked,
    NotYet,
    Expired,
    /// The authorisation covers other purposes (emergencies only, say).
    Purpose,
    /// Named people only, and the taker is not among them.
    NotNamed,
}

impl AuthRefusal {
    pub fn key(self) -> &'static str {
        match self {
            AuthRefusal::Missing => "keys.refused.auth_missing",
            AuthRefusal::Revoked => "keys.refused.auth_revoked",
            AuthRefusal::NotYet => "keys.refused.auth_not_yet",
            AuthRefusal::Expired => "keys.refused.auth_expired",
            AuthRefusal::Purpose => "keys.refused.auth_purpose",
            AuthRefusal::NotNamed => "keys.refused.auth_not_named",
        }
    }
}

/// The names an owner wrote down, one per entry (commas, 、, semicolons or new lines).
pub fn named(people: &str) -> Vec<String> {
    people
        .split([',', '，', '、', ';', '；', '\n'])
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Whether the owner's authorisation lets `taker` take the key for `purpose`
/// on `today`: repairs cover repairs and emergencies, emergencies only
/// emergencies, named people whoever is named, for any purpose.
pub fn authorisation_allows(
    auth: Option<&Authorisation>,
    purpose: Purpose,
    taker: &str,
    today: &str,
) -> Result<(), AuthRefusal> {
    let auth = auth.ok_or(AuthRefusal::Missing)?;
    if auth.revoked {
        return Err(AuthRefusal::Revoked);
    }
    if today < auth.valid_from.as_str() {
        return Err(AuthRefusal::NotYet);
    }
    if today > auth.valid_until.as_str() {
        return Err(AuthRefusal::Expired);
    }
    match auth.scope {
        AuthScope::Repairs if matches!(purpose, Purpose::Repair | Purpose::Emergency) => Ok(()),
        AuthScope::Emergencies if purpose == Purpose::Emergency => Ok(()),
        AuthScope::Repairs | AuthScope::Emergencies => Err(AuthRefusal::Purpose),
        AuthScope::Named if named(&auth.named_people).iter().any(|n| n == taker.trim()) => Ok(()),
        AuthScope::Named => Err(AuthRefusal::NotNamed),
    }
}

/// Whether a loan due at `due_at` is overdue at `now` (both stored UTC text,
/// one fixed width, so text order is time order).
pub fn is_overdue(due_at: &str, now: &str) -> bool {
    due_at < now
}

/// A hook's label: its row as a letter, its column as two digits (`B04`).
pub fn hook_label(position: i64, cols: i64) -> String {
    let cols = cols.max(1);
    let row = (position - 1).max(0) / cols;
    let col = (position - 1).max(0) % cols + 1;
    let letter = char::from(b'A' + u8::try_from(row.clamp(0, 25)).unwrap_or(0));
    format!("{letter}{col:02}")
}

/// A hook typed at the desk — its label (`B04`, `b4`) or its number — as a
/// position in a cabinet of `rows` × `cols`; `None` when there is no such hook.
pub fn parse_hook(text: &str, rows: i64, cols: i64) -> Option<i64> {
    let text = text.trim().to_ascii_uppercase();
    let position = match text.chars().next()? {
        c @ 'A'..='Z' => {
            let row = i64::from(u32::from(c) - u32::from('A'));
            let col: i64 = text[1..].parse().ok()?;
            if col < 1 || col > cols {
                return None;
            }
            row * cols + col
        }
        _ => text.parse().ok()?,
    };
    (1..=rows * cols).contains(&position).then_some(position)
}

/// A copy's tag (printed on its label and in its QR code): the key's number
/// and the copy's, `K0012-1`.
pub fn copy_tag(key_set_id: i64, copy_no: i64) -> String {
    format!("K{key_set_id:04}-{copy_no}")
}

/// Whether `text` looks like a tag (what the search box and a scanner send).
pub fn looks_like_tag(text: &str) -> bool {
    let t = text.trim();
    let mut parts = t.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(k), Some(n), None)
            if (k.starts_with('K') || k.starts_with('k'))
                && k.len() > 1
                && k[1..].bytes().all(|b| b.is_ascii_digit())
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
    )
}

#[cfg(feature = "ssr")]
pub use forms::*;

/// The counter's forms, checked (server only: times and images).
#[cfg(feature = "ssr")]
mod forms {
    use chrono::{DateTime, Duration, Utc};

    use super::super::{Condition, Purpose, TakerKind};
    use crate::common::personal::{normalise_id_number, normalise_mobile};
    use crate::common::Lang;
    use crate::db::time;
    use crate::error::{AppError, FieldError};
    use crate::i18n::tr;

    /// The longest a key may be out: a week.
    pub const LONGEST_LOAN_DAYS: i64 = 7;
    /// A drawn signature's largest upload (a PNG of a 600 × 200 canvas is ~10 KB).
    pub const SIGNATURE_MAX_BYTES: usize = 200 * 1024;

    /// A check-out as its form sends it.
    #[derive(Debug, Clone, Default)]
    pub struct LendForm {
        pub taker_kind: String,
        pub taker_account_id: String,
        pub taker_name: String,
        pub taker_phone: String,
        pub taker_id_number: String,
        pub purpose: String,
        pub ticket_id: String,
        /// The renovation application whose permit lets the worker in.
        pub renovation_id: String,
        pub note: String,
        pub authorised_by: String,
        /// `YYYY-MM-DDTHH:MM`, desk time.
        pub due: String,
        /// The drawn signature: a `data:image/png;base64,…` URL, or empty.
        pub signature: String,
        pub signed_on_paper: bool,
    }

    /// A check-out, checked. For staff the name and phone come from their account.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Lend {
        pub taker_kind: TakerKind,
        pub taker_account_id: Option<i64>,
        pub taker_name: String,
        pub taker_phone: String,
        pub taker_id_number: Option<String>,
        pub purpose: Purpose,
        pub ticket_id: Option<i64>,
        pub renovation_id: Option<i64>,
        pub note: String,
        pub authorised_by: i64,
        pub due_at: String,
        /// The signature re-encoded as a PNG, or `None` when signed on paper.
        pub signature: Option<Vec<u8>>,
        pub signed_on_paper: bool,
    }

    fn id_of(text: &str) -> Option<i64> {
        text.trim().parse::<i64>().ok().filter(|id| *id > 0)
    }

    /// Checks a check-out at `now`; every refused field at once.
    pub fn check_lend(lang: Lang, form: &LendForm, now: DateTime<Utc>) -> Result<Lend, AppError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, key: &str| {
            errors.push(FieldError {
                field: field.into(),
                message: tr(lang, key),
            })
        };
        let kind = TakerKind::parse(&form.taker_kind);
        if kind.is_none() {
            bad("taker_kind", "keys.invalid.taker_kind");
        }
        let mut account = None;
        let mut name = form.taker_name.trim().to_string();
        let mut phone = String::new();
        let mut id_number = None;
        match kind {
            Some(TakerKind::Staff) => {
                account = id_of(&form.taker_account_id);
                if account.is_none() {
                    bad("taker_account_id", "keys.invalid.staff");
                }
                name.clear();
            }
            Some(k @ (TakerKind::Worker | TakerKind::Resident)) => {
                if name.is_empty() || name.chars().count() > 40 {
                    bad("taker_name", "keys.invalid.taker_name");
                }
                match normalise_mobile(&form.taker_phone) {
                    Ok(m) => phone = m,
                    Err(e) => bad("taker_phone", e.key()),
                }
                let typed = form.taker_id_number.trim();
                if typed.is_empty() && k == TakerKind::Worker {
                    bad("taker_id_number", "keys.invalid.id_required");
                } else if !typed.is_empty() {
                    match normalise_id_number(typed) {
                        Ok(id) => id_number = Some(id),
                        Err(e) => bad("taker_id_number", e.key()),
                    }
                }
            }
            None => {}
        }
        let purpose = Purpose::parse(&form.purpose).filter(|p| Purpose::LEND.contains(p));
        let ticket_id = id_of(&form.ticket_id);
        let renovation_id = id_of(&form.renovation_id);
        let note = form.note.trim().to_string();
        match purpose {
            None => bad("purpose", "keys.invalid.purpose"),
            Some(Purpose::Repair) if ticket_id.is_none() => bad("ticket_id", "keys.invalid.ticket"),
            Some(Purpose::Renovation) if renovation_id.is_none() => {
                bad("renovation_id", "keys.invalid.renovation")
            }
            // Staff going in during works take it for an inspection; the
            // renovation's keys go to the contractor's workers on the permit.
            Some(Purpose::Renovation) if kind.is_some_and(|k| k != TakerKind::Worker) => {
                bad("taker_kind", "keys.invalid.renovation_worker")
            }
            // An emergency says what it is: it opens an owner's door without them.
            Some(Purpose::Other | Purpose::Emergency) if note.is_empty() => {
                bad("note", "keys.invalid.note_required")
            }
            _ => {}
        }
        if note.chars().count() > 200 {
            bad("note", "keys.invalid.note_long");
        }
        let authorised_by = id_of(&form.authorised_by);
        if authorised_by.is_none() {
            bad("authorised_by", "keys.invalid.authoriser");
        }
        let due_at = time::desk_minute_to_db(&form.due);
        match due_at.as_deref().and_then(time::from_db) {
            None => bad("due", "keys.invalid.due"),
            Some(due) if due <= now => bad("due", "keys.invalid.due_past"),
            Some(due) if due > now + Duration::days(LONGEST_LOAN_DAYS) => {
                bad("due", "keys.invalid.due_far")
            }
            Some(_) => {}
        }
        let signature = if form.signed_on_paper {
            None
        } else if form.signature.trim().is_empty() {
            bad("signature", "keys.invalid.signature");
            None
        } else {
            match signature_png(&form.signature) {
                Some(png) => Some(png),
                None => {
                    bad("signature", "keys.invalid.signature_unreadable");
                    None
                }
            }
        };
        match (kind, purpose, authorised_by, due_at) {
            (Some(taker_kind), Some(purpose), Some(authorised_by), Some(due_at))
                if errors.is_empty() =>
            {
                Ok(Lend {
                    taker_kind,
                    taker_account_id: account,
                    taker_name: name,
                    taker_phone: phone,
                    taker_id_number: id_number,
                    purpose,
                    ticket_id: ticket_id.filter(|_| purpose == Purpose::Repair),
                    renovation_id: renovation_id.filter(|_| purpose == Purpose::Renovation),
                    note,
                    authorised_by,
                    due_at,
                    signature,
                    signed_on_paper: form.signed_on_paper,
                })
            }
            _ => Err(AppError::Invalid(errors)),
        }
    }

    /// A drawn signature (`data:image/png;base64,…`) decoded, checked to be a
    /// PNG of sensible size, and re-encoded (nothing but the pixels is kept).
    pub fn signature_png(data_url: &str) -> Option<Vec<u8>> {
        use base64::Engine;
        let b64 = data_url.trim().strip_prefix("data:image/png;base64,")?;
        if b64.len() > SIGNATURE_MAX_BYTES * 4 / 3 + 4 {
            return None;
        }
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        let mut reader =
            image::ImageReader::with_format(std::io::Cursor::new(&bytes), image::ImageFormat::Png);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(2000);
        limits.max_image_height = Some(1000);
        limits.max_alloc = Some(16 * 1024 * 1024);
        reader.limits(limits);
        let picture = reader.decode().ok()?;
        // A blank canvas is no signature: some pixel must be drawn.
        let drawn = picture
            .to_luma_alpha8()
            .pixels()
            .any(|p| p.0[1] > 0 && p.0[0] < 200);
        if !drawn {
            return None;
        }
        let mut out = Vec::new();
        picture
            .to_luma_alpha8()
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .ok()?;
        Some(out)
    }

    /// A return as its form sends it, checked.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Return {
        pub returned_by: String,
        pub condition: Condition,
        pub note: String,
    }

    pub fn check_return(
        lang: Lang,
        returned_by: &str,
        condition: &str,
        note: &str,
    ) -> Result<Return, AppError> {
        let mut errors = Vec::new();
        let returned_by = returned_by.trim().to_string();
        if returned_by.is_empty() || returned_by.chars().count() > 40 {
            errors.push(FieldError {
                field: "returned_by".into(),
                message: tr(lang, "keys.invalid.returned_by"),
            });
        }
        let condition = Condition::parse(condition);
        let note = note.trim().to_string();
        if condition.is_none() {
            errors.push(FieldError {
                field: "condition".into(),
                message: tr(lang, "keys.invalid.condition"),
            });
        } else if condition == Some(Condition::Damaged) && note.is_empty() {
            errors.push(FieldError {
                field: "return_note".into(),
                message: tr(lang, "keys.invalid.damage_note"),
            });
        }
        if note.chars().count() > 200 {
            errors.push(FieldError {
                field: "return_note".into(),
                message: tr(lang, "keys.invalid.note_long"),
            });
        }
        match condition {
            Some(condition) if errors.is_empty() => Ok(Return {
                returned_by,
                condition,
                note,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_action() {
        use CopyStatus::*;
        use KeyAction::*;
        let table = [
            (InCabinet, Lend, Some(Out)),
            (InCabinet, Return, None),
            (InCabinet, ReturnDamaged, None),
            (InCabinet, ReportLost, Some(Lost)),
            (InCabinet, Retire, Some(Retired)),
            (Out, Lend, None),
            (Out, Return, Some(InCabinet)),
            (Out, ReturnDamaged, Some(Retired)),
            (Out, ReportLost, Some(Lost)),
            (Out, Retire, None),
            (Lost, Lend, None),
            (Lost, Return, None),
            (Lost, ReturnDamaged, None),
            (Lost, ReportLost, None),
            (Lost, Retire, None),
            (Retired, Lend, None),
            (Retired, Return, None),
            (Retired, ReturnDamaged, None),
            (Retired, ReportLost, None),
            (Retired, Retire, None),
        ];
        assert_eq!(table.len(), CopyStatus::ALL.len() * KeyAction::ALL.len());
        for (status, action, want) in table {
            assert_eq!(next(status, action), want, "{status:?} {action:?}");
            if want.is_none() {
                assert!(refusal_key(status, action).starts_with("keys.refused."));
            }
        }
        assert_eq!(refusal_key(Out, Lend), "keys.refused.out");
        assert_eq!(refusal_key(InCabinet, Return), "keys.refused.not_out");
        assert_eq!(refusal_key(Lost, Lend), "keys.refused.lost");
        assert_eq!(refusal_key(Retired, Lend), "keys.refused.retired");
    }

    fn auth(scope: AuthScope, named: &str) -> Authorisation {
        Authorisation {
            scope,
            named_people: named.into(),
            valid_from: "2026-01-01".into(),
            valid_until: "2026-12-31".into(),
            revoked: false,
        }
    }

    #[test]
    fn an_authorisation_covers_its_purposes_and_people() {
        let day = "2026-06-01";
        let repairs = auth(AuthScope::Repairs, "");
        assert_eq!(
            authorisation_allows(Some(&repairs), Purpose::Repair, "张师傅", day),
            Ok(())
        );
        assert_eq!(
            authorisation_allows(Some(&repairs), Purpose::Emergency, "张师傅", day),
            Ok(())
        );
        for p in [Purpose::Renovation, Purpose::Inspection, Purpose::Other] {
            assert_eq!(
                authorisation_allows(Some(&repairs), p, "张师傅", day),
                Err(AuthRefusal::Purpose),
                "{p:?}"
            );
        }
        let emergencies = auth(AuthScope::Emergencies, "");
        assert_eq!(
            authorisation_allows(Some(&emergencies), Purpose::Emergency, "x", day),
            Ok(())
        );
        assert_eq!(
            authorisation_allows(Some(&emergencies), Purpose::Repair, "x", day),
            Err(AuthRefusal::Purpose)
        );
        let people = auth(AuthScope::Named, "王芳、李强, 赵六");
        for who in ["王芳", "李强", " 赵六 "] {
            assert_eq!(
                authorisation_allows(Some(&people), Purpose::Other, who, day),
                Ok(())
            );
        }
        assert_eq!(
            authorisation_allows(Some(&people), Purpose::Repair, "王", day),
            Err(AuthRefusal::NotNamed)
        );
        assert_eq!(
            authorisation_allows(None, Purpose::Repair, "x", day),
            Err(AuthRefusal::Missing)
        );
    }

    #[test]
    fn an_authorisation_holds_from_its_first_day_to_its_last() {
        let a = auth(AuthScope::Repairs, "");
        let ok = |day| authorisation_allows(Some(&a), Purpose::Repair, "x", day);
        assert_eq!(ok("2025-12-31"), Err(AuthRefusal::NotYet));
        assert_eq!(ok("2026-01-01"), Ok(()));
        assert_eq!(ok("2026-12-31"), Ok(()));
        assert_eq!(ok("2027-01-01"), Err(AuthRefusal::Expired));
        let revoked = Authorisation {
            revoked: true,
            ..a.clone()
        };
        assert_eq!(
            authorisation_allows(Some(&revoked), Purpose::Repair, "x", "2026-06-01"),
            Err(AuthRefusal::Revoked)
        );
    }

    #[test]
    fn overdue_is_after_the_due_time() {
        let due = "2026-12-01T08:00:00.000000Z";
        assert!(!is_overdue(due, "2026-12-01T07:59:59.999999Z"));
        assert!(!is_overdue(due, due));
        assert!(is_overdue(due, "2026-12-01T08:00:00.000001Z"));
    }

    #[test]
    fn hooks_by_label_and_number() {
        assert_eq!(hook_label(1, 10), "A01");
        assert_eq!(hook_label(10, 10), "A10");
        assert_eq!(hook_label(14, 10), "B04");
        assert_eq!(parse_hook("B04", 4, 10), Some(14));
        assert_eq!(parse_hook(" b4 ", 4, 10), Some(14));
        assert_eq!(parse_hook("14", 4, 10), Some(14));
        assert_eq!(parse_hook("A11", 4, 10), None);
        assert_eq!(parse_hook("E01", 4, 10), None);
        assert_eq!(parse_hook("41", 4, 10), None);
        assert_eq!(parse_hook("0", 4, 10), None);
        assert_eq!(parse_hook("", 4, 10), None);
        for p in 1..=40 {
            assert_eq!(parse_hook(&hook_label(p, 10), 4, 10), Some(p));
        }
    }

    #[test]
    fn tags() {
        assert_eq!(copy_tag(12, 1), "K0012-1");
        assert_eq!(copy_tag(12345, 2), "K12345-2");
        assert!(looks_like_tag("K0012-1"));
        assert!(looks_like_tag(" k12-3 "));
        for not in ["K-1", "K12", "3-2-1201", "K12-", "KX-1", "张三"] {
            assert!(!looks_like_tag(not), "{not}");
        }
    }

    #[cfg(feature = "ssr")]
    mod forms {
        use chrono::{TimeZone, Utc};

        use super::super::*;
        use crate::common::Lang;
        use crate::keys::{Purpose, TakerKind};

        fn now() -> chrono::DateTime<Utc> {
            // 2026-12-01 10:00 at the desk.
            Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0)
                .single()
                .expect("time")
        }

        fn worker_form() -> LendForm {
            LendForm {
                taker_kind: "worker".into(),
                taker_name: "张师傅".into(),
                taker_phone: "139 1234 5678".into(),
                taker_id_number: "11010519491231002x".into(),
                purpose: "inspection".into(),
                authorised_by: "7".into(),
                due: "2026-12-01T14:00".into(),
                signed_on_paper: true,
                ..LendForm::default()
            }
        }

        fn fields(err: crate::error::AppError) -> Vec<String> {
            match err {
                crate::error::AppError::Invalid(e) => e.into_iter().map(|f| f.field).collect(),
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn a_worker_is_checked_and_masked_data_normalised() {
            let lend = check_lend(Lang::Zh, &worker_form(), now()).expect("valid");
            assert_eq!(lend.taker_kind, TakerKind::Worker);
            assert_eq!(lend.taker_phone, "13912345678");
            assert_eq!(lend.taker_id_number.as_deref(), Some("11010519491231002X"));
            assert_eq!(lend.due_at, "2026-12-01T06:00:00.000000Z");
            assert_eq!(lend.purpose, Purpose::Inspection);
            assert_eq!(lend.ticket_id, None);
        }

        #[test]
        fn every_bad_field_at_once() {
            let form = LendForm {
                taker_phone: "12345".into(),
                taker_id_number: "110105194912310021".into(),
                purpose: "repair".into(),
                authorised_by: String::new(),
                due: "2026-12-01T09:00".into(),
                signed_on_paper: false,
                ..worker_form()
            };
            let got = fields(check_lend(Lang::Zh, &form, now()).expect_err("refused"));
            for f in [
                "taker_phone",
                "taker_id_number",
                "ticket_id",
                "authorised_by",
                "due",
                "signature",
            ] {
                assert!(got.contains(&f.to_string()), "{f} in {got:?}");
            }
            let far = LendForm {
                due: "2026-12-09T10:00".into(),
                ..worker_form()
            };
            assert_eq!(
                fields(check_lend(Lang::Zh, &far, now()).expect_err("far")),
                ["due"]
            );
            let no_id = LendForm {
                taker_id_number: String::new(),
                ..worker_form()
            };
            assert_eq!(
                fields(check_lend(Lang::Zh, &no_id, now()).expect_err("id")),
                ["taker_id_number"]
            );
            let staff = LendForm {
                taker_kind: "staff".into(),
                ..worker_form()
            };
            assert_eq!(
                fields(check_lend(Lang::Zh, &staff, now()).expect_err("who")),
                ["taker_account_id"]
            );
        }

        #[test]
        fn a_renovation_loan_names_its_application_and_goes_to_a_worker() {
            let renovation = LendForm {
                purpose: "renovation".into(),
                renovation_id: "12".into(),
                ticket_id: "9".into(),
                ..worker_form()
            };
            let lend = check_lend(Lang::Zh, &renovation, now()).expect("valid");
            assert_eq!(lend.renovation_id, Some(12));
            assert_eq!(lend.ticket_id, None, "only a repair names a ticket");
            let unnamed = LendForm {
                renovation_id: String::new(),
                ..renovation.clone()
            };
            assert_eq!(
                fields(check_lend(Lang::Zh, &unnamed, now()).expect_err("unnamed")),
                ["renovation_id"]
            );
            let staff = LendForm {
                taker_kind: "resident".into(),
                ..renovation.clone()
            };
            assert_eq!(
                fields(check_lend(Lang::Zh, &staff, now()).expect_err("not a worker")),
                ["taker_kind"]
            );
            // Another purpose never carries the application.
            let inspection = LendForm {
                purpose: "inspection".into(),
                ..renovation
            };
            let lend = check_lend(Lang::Zh, &inspection, now()).expect("valid");
            assert_eq!(lend.renovation_id, None);
        }

        #[test]
        fn a_signature_must_be_a_drawn_png() {
            use base64::Engine;
            let png = |draw: bool| {
                let mut img = image::RgbaImage::new(60, 20);
                if draw {
                    for x in 5..50 {
                        img.put_pixel(x, 10, image::Rgba([0, 0, 0, 255]));
                    }
                }
                let mut out = Vec::new();
                img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
                    .expect("png");
                format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(out)
                )
            };
            assert!(signature_png(&png(true)).is_some());
            assert!(signature_png(&png(false)).is_none(), "blank");
            assert!(signature_png("data:image/png;base64,AAAA").is_none());
            assert!(signature_png("data:image/svg+xml;base64,AAAA").is_none());
        }
    }
}
