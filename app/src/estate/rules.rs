//! Rules of the estate register: what a mobile number, an ID number, an area
//! and a house number must look like; what the desk's forms (a new occupant,
//! a resident's correction, a new house, a house's facts, an end date, a
//! manager's status correction) and the import's words must hold; the house's
//! status lifecycle ([`lifecycle_allows`]); how personal data is
//! masked. Pure functions, compiled for the server and the browser alike:
//! the server functions turn the refused fields into messages.

use chrono::NaiveDate;

use super::{HouseStatus, HouseUse, OccupancyRole};
use crate::common::personal::{normalise_id_number, normalise_mobile};

/// A refused field: the form field's name and the i18n key of the reason.
pub use crate::i18n::FieldProblem;

/// Why a value is refused; each is an i18n key under `register.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    AreaFormat,
    AreaNotPositive,
    AreaTooPrecise,
    HouseNumberFormat,
}

impl Invalid {
    /// The i18n key of the message.
    pub fn key(self) -> &'static str {
        match self {
            Invalid::AreaFormat => "register.invalid.area_format",
            Invalid::AreaNotPositive => "register.invalid.area_positive",
            Invalid::AreaTooPrecise => "register.invalid.area_precision",
            Invalid::HouseNumberFormat => "register.invalid.house_number",
        }
    }
}

/// A gross floor area typed as `89.56` → 8956 (0.01 m²): positive, at most two
/// decimals, parsed exactly from the text (never through a float).
pub fn parse_area(input: &str) -> Result<i64, Invalid> {
    let s = input
        .trim()
        .trim_end_matches("m²")
        .trim_end_matches("㎡")
        .trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Invalid::AreaFormat);
    }
    if frac.len() > 2 {
        return Err(Invalid::AreaTooPrecise);
    }
    let whole: i64 = whole.parse().map_err(|_| Invalid::AreaFormat)?;
    let frac: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| Invalid::AreaFormat)?;
    let centi = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or(Invalid::AreaFormat)?;
    if centi <= 0 {
        return Err(Invalid::AreaNotPositive);
    }
    Ok(centi)
}

/// A house number in the estates' pattern building-entrance-room, e.g.
/// `3-2-1201`: returns (building, entrance, floor). The room is the floor
/// followed by two digits.
pub fn parse_house_number(input: &str) -> Result<(String, i64, i64), Invalid> {
    let parts: Vec<&str> = input.trim().split('-').collect();
    let [building, entrance, room] = parts.as_slice() else {
        return Err(Invalid::HouseNumberFormat);
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let building_ok = !building.is_empty()
        && building.chars().count() <= 8
        && building.chars().all(|c| c.is_ascii_alphanumeric());
    if !building_ok || !numeric(entrance) || !numeric(room) || !(3..=5).contains(&room.len()) {
        return Err(Invalid::HouseNumberFormat);
    }
    let entrance: i64 = entrance.parse().map_err(|_| Invalid::HouseNumberFormat)?;
    let floor: i64 = room[..room.len() - 2]
        .parse()
        .map_err(|_| Invalid::HouseNumberFormat)?;
    if entrance == 0 || floor == 0 {
        return Err(Invalid::HouseNumberFormat);
    }
    Ok((building.to_string(), entrance, floor))
}

/// A person's name on the register: 1–40 characters once trimmed.
pub fn check_name(name: &str) -> Result<String, FieldProblem> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        Err(("name", "register.invalid.name"))
    } else {
        Ok(name.to_string())
    }
}

/// Whether `day` is a real day written `YYYY-MM-DD`.
pub fn is_day(day: &str) -> bool {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok()
}

/// A new occupant of a house, as the desk's form gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedOccupant {
    pub name: String,
    pub mobile: String,
    pub id_number: Option<String>,
    pub role: OccupancyRole,
    pub start_date: String,
}

/// Checks the add-a-resident form; every refused field at once. A blank ID
/// number is none.
pub fn check_occupant(
    name: &str,
    mobile: &str,
    id_number: &str,
    role: &str,
    start_date: &str,
) -> Result<CheckedOccupant, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let name = check_name(name).map_err(|p| problems.push(p)).ok();
    let mobile = normalise_mobile(mobile)
        .map_err(|e| problems.push(("mobile", e.key())))
        .ok();
    let id_number = if id_number.trim().is_empty() {
        Some(None)
    } else {
        normalise_id_number(id_number)
            .map(Some)
            .map_err(|e| problems.push(("id_number", e.key())))
            .ok()
    };
    let role = OccupancyRole::parse(role);
    if role.is_none() {
        problems.push(("role", "register.invalid.role"));
    }
    if !is_day(start_date) {
        problems.push(("start_date", "register.invalid.date"));
    }
    match (name, mobile, id_number, role) {
        (Some(name), Some(mobile), Some(id_number), Some(role)) if problems.is_empty() => {
            Ok(CheckedOccupant {
                name,
                mobile,
                id_number,
                role,
                start_date: start_date.to_string(),
            })
        }
        _ => Err(problems),
    }
}

/// A resident's corrected details. A mobile or ID number of `None` keeps
/// the one on record (the page shows them masked, so blank means "as is").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentCorrection {
    pub name: String,
    pub mobile: Option<String>,
    pub id_number: Option<String>,
    /// At most 500 characters; longer notes are cut.
    pub notes: String,
}

/// Checks the resident correction form; every refused field at once.
pub fn check_resident_correction(
    name: &str,
    mobile: &str,
    id_number: &str,
    notes: &str,
) -> Result<ResidentCorrection, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let name = check_name(name).map_err(|p| problems.push(p)).ok();
    let mobile = match mobile.trim() {
        "" => None,
        m => normalise_mobile(m)
            .map_err(|e| problems.push(("mobile", e.key())))
            .ok(),
    };
    let id_number = match id_number.trim() {
        "" => None,
        n => normalise_id_number(n)
            .map_err(|e| problems.push(("id_number", e.key())))
            .ok(),
    };
    let notes = notes.trim().chars().take(500).collect::<String>();
    match name {
        Some(name) if problems.is_empty() => Ok(ResidentCorrection {
            name,
            mobile,
            id_number,
            notes,
        }),
        _ => Err(problems),
    }
}

/// A new house as the desk's form gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedHouse {
    /// Upper-cased, e.g. `A3-1-2502`.
    pub number: String,
    pub building: String,
    pub entrance: i64,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: HouseUse,
    pub status: HouseStatus,
}

/// Checks the new-house form; every refused field at once.
pub fn check_new_house(
    number: &str,
    area: &str,
    use_kind: &str,
    status: &str,
) -> Result<CheckedHouse, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let number = number.trim().to_ascii_uppercase();
    let parsed = parse_house_number(&number)
        .map_err(|e| problems.push(("number", e.key())))
        .ok();
    let area = parse_area(area)
        .map_err(|e| problems.push(("area", e.key())))
        .ok();
    let use_kind = HouseUse::parse(use_kind);
    if use_kind.is_none() {
        problems.push(("use_kind", "import.invalid.use"));
    }
    let status = HouseStatus::parse(status);
    if status.is_none() {
        problems.push(("status", "register.invalid.status"));
    }
    match (parsed, area, use_kind, status) {
        (Some((building, entrance, floor)), Some(area_centi), Some(use_kind), Some(status))
            if problems.is_empty() =>
        {
            Ok(CheckedHouse {
                number,
                building,
                entrance,
                floor,
                area_centi,
                use_kind,
                status,
            })
        }
        _ => Err(problems),
    }
}

/// Checks a correction of a house's area and use: (area in 0.01 m², use).
pub fn check_house_facts(area: &str, use_kind: &str) -> Result<(i64, HouseUse), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let area = parse_area(area)
        .map_err(|e| problems.push(("area", e.key())))
        .ok();
    let use_kind = HouseUse::parse(use_kind);
    if use_kind.is_none() {
        problems.push(("use_kind", "import.invalid.use"));
    }
    match (area, use_kind) {
        (Some(area), Some(use_kind)) if problems.is_empty() => Ok((area, use_kind)),
        _ => Err(problems),
    }
}

/// An occupancy that began on `start` may end on `end` (both `YYYY-MM-DD`,
/// which compare as text): not before it began.
pub fn check_end(start: &str, end: &str) -> Result<(), FieldProblem> {
    if end < start {
        Err(("end_date", "register.invalid.end_before_start"))
    } else {
        Ok(())
    }
}

/// A status change must change the status.
pub fn check_status_change(from: HouseStatus, to: HouseStatus) -> Result<(), FieldProblem> {
    if from == to {
        Err(("status", "register.invalid.same_status"))
    } else {
        Ok(())
    }
}

/// The house's lifecycle: the status changes the desk's workflows (move-in,
/// move-out, renovation) may make without a manager. A handover (收楼) takes
/// a house out of 未收楼 — to 空置, or straight to 自住 / 出租 when the
/// move-in hands over and moves in at once; a vacant house is moved into,
/// let or renovated; 自住 and 出租 swap; a lived-in house is renovated and a
/// renovated one lived in or left empty; a move-out (迁出) leaves it vacant.
/// Nothing goes back to 未收楼, and no status changes to itself. Anything
/// else is a manager's correction ([`check_correction`]).
pub fn lifecycle_allows(from: HouseStatus, to: HouseStatus) -> bool {
    use HouseStatus::*;
    matches!(
        (from, to),
        (NotHandedOver, Vacant | Occupied | Let)
            | (Vacant, Occupied | Let | Renovating)
            | (Occupied, Let | Renovating | Vacant)
            | (Let, Occupied | Renovating | Vacant)
            | (Renovating, Vacant | Occupied | Let)
    )
}

/// Whether `day` is a desk day as stored: `YYYY-MM-DD`, a real date, in that
/// one spelling (`2026-1-5` would sort wrongly as text).
fn is_stored_day(day: &str) -> bool {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .is_ok_and(|d| d.format("%Y-%m-%d").to_string() == day)
}

/// The day a status change takes effect (生效日期), the day billing counts
/// from: a desk day, not after `today` (a change is recorded when it has
/// happened), and not before the house's latest change took effect
/// (`latest`), so the house's history in order of effect ends in its status
/// now. All three are `YYYY-MM-DD`, which compare as text.
pub fn check_effective_on(
    day: &str,
    today: &str,
    latest: Option<&str>,
) -> Result<(), FieldProblem> {
    if !is_stored_day(day) {
        Err(("effective_on", "register.invalid.date"))
    } else if day > today {
        Err(("effective_on", "register.invalid.effective_future"))
    } else if latest.is_some_and(|latest| day < latest) {
        Err(("effective_on", "register.invalid.effective_before_latest"))
    } else {
        Ok(())
    }
}

/// A manager's correction of a house's status, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCorrection {
    pub to: HouseStatus,
    pub effective_on: String,
    /// Trimmed, at most 200 characters, never empty.
    pub reason: String,
}

/// Checks a manager's correction of a house's status (now `from`); every
/// refused field at once. A correction may go outside the lifecycle — that
/// is what it is for — but never to the same status, and it needs a reason.
pub fn check_correction(
    from: HouseStatus,
    to: &str,
    effective_on: &str,
    reason: &str,
    today: &str,
    latest: Option<&str>,
) -> Result<CheckedCorrection, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let to = match HouseStatus::parse(to) {
        Some(to) => check_status_change(from, to)
            .map(|()| to)
            .map_err(|p| problems.push(p))
            .ok(),
        None => {
            problems.push(("status", "register.invalid.status"));
            None
        }
    };
    if let Err(p) = check_effective_on(effective_on, today, latest) {
        problems.push(p);
    }
    let reason = status_reason(reason);
    if reason.is_empty() {
        problems.push(("reason", "register.invalid.reason_required"));
    }
    match to {
        Some(to) if problems.is_empty() => Ok(CheckedCorrection {
            to,
            effective_on: effective_on.to_string(),
            reason,
        }),
        _ => Err(problems),
    }
}

/// A status change's reason as kept: trimmed, at most 200 characters.
pub fn status_reason(reason: &str) -> String {
    reason.trim().chars().take(200).collect()
}

/// A house's use as a spreadsheet cell says it (Chinese, or the stored
/// word); blank is residential.
pub fn sheet_use(cell: &str) -> Option<HouseUse> {
    match cell {
        "" | "住宅" | "residential" => Some(HouseUse::Residential),
        "商铺" | "commercial" => Some(HouseUse::Commercial),
        "车位" | "parking" => Some(HouseUse::Parking),
        _ => None,
    }
}

/// A house's status as a spreadsheet cell says it; blank is vacant.
pub fn sheet_status(cell: &str) -> Option<HouseStatus> {
    match cell {
        "" | "空置" | "vacant" => Some(HouseStatus::Vacant),
        "未收楼" | "not_handed_over" => Some(HouseStatus::NotHandedOver),
        "自住" | "occupied" => Some(HouseStatus::Occupied),
        "出租" | "let" => Some(HouseStatus::Let),
        "装修中" | "renovating" => Some(HouseStatus::Renovating),
        _ => None,
    }
}

/// An occupant's relation to the house as a spreadsheet cell says it.
pub fn sheet_role(cell: &str) -> Option<OccupancyRole> {
    match cell {
        "业主" | "owner" => Some(OccupancyRole::Owner),
        "共有人" | "co_owner" => Some(OccupancyRole::CoOwner),
        "租户" | "tenant" => Some(OccupancyRole::Tenant),
        "家庭成员" | "family" => Some(OccupancyRole::Family),
        _ => None,
    }
}

/// The page of a paged list to show and the offset of its first row, from a
/// page number in the address (any `i64`): clamped to the pages there are,
/// so `page × size` can neither overflow nor point past the end (a page past
/// the end shows the last one).
pub fn page_window(page: i64, total: i64, size: i64) -> (i64, i64) {
    let size = size.max(1);
    let last = (total.max(1) - 1) / size;
    let page = page.clamp(0, last);
    (page, page.saturating_mul(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_exact() {
        assert_eq!(parse_area("89.56"), Ok(8956));
        assert_eq!(parse_area("89.5"), Ok(8950));
        assert_eq!(parse_area("89"), Ok(8900));
        assert_eq!(parse_area(" 120.05 m² "), Ok(12005));
        assert_eq!(parse_area("0.01"), Ok(1));
        assert_eq!(parse_area("0"), Err(Invalid::AreaNotPositive));
        assert_eq!(parse_area("-3"), Err(Invalid::AreaFormat));
        assert_eq!(parse_area("89.567"), Err(Invalid::AreaTooPrecise));
        assert_eq!(parse_area("八十"), Err(Invalid::AreaFormat));
        assert_eq!(parse_area(".5"), Err(Invalid::AreaFormat));
    }

    #[test]
    fn house_numbers() {
        assert_eq!(parse_house_number("3-2-1201"), Ok(("3".into(), 2, 12)));
        assert_eq!(parse_house_number("12-1-101"), Ok(("12".into(), 1, 1)));
        assert_eq!(parse_house_number("A3-1-2502"), Ok(("A3".into(), 1, 25)));
        for bad in [
            "3-2",
            "3-2-1",
            "3-0-1201",
            "3-2-0001",
            "3--1201",
            "三-2-1201",
            "3-2-1201-1",
        ] {
            assert_eq!(
                parse_house_number(bad),
                Err(Invalid::HouseNumberFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn page_numbers_from_the_address_are_clamped() {
        assert_eq!(page_window(0, 120, 50), (0, 0));
        assert_eq!(page_window(2, 120, 50), (2, 100));
        assert_eq!(
            page_window(3, 120, 50),
            (2, 100),
            "past the end: the last page"
        );
        assert_eq!(page_window(-5, 120, 50), (0, 0));
        assert_eq!(page_window(i64::MAX, 120, 50), (2, 100), "no overflow");
        assert_eq!(page_window(i64::MIN, 120, 50), (0, 0));
        assert_eq!(page_window(7, 0, 50), (0, 0), "an empty list has one page");
        assert_eq!(page_window(1, 100, 50), (1, 50));
        assert_eq!(page_window(2, 100, 50), (1, 50));
    }

    #[test]
    fn an_occupant_is_checked_field_by_field() {
        let ok = check_occupant(" 王伟 ", "138 1234 5678", "", "tenant", "2026-01-01");
        assert_eq!(
            ok,
            Ok(CheckedOccupant {
                name: "王伟".into(),
                mobile: "13812345678".into(),
                id_number: None,
                role: OccupancyRole::Tenant,
                start_date: "2026-01-01".into(),
            })
        );
        assert_eq!(
            check_occupant("", "12345", "110105194912310021", "landlord", "2026-02-30"),
            Err(vec![
                ("name", "register.invalid.name"),
                ("mobile", "register.invalid.mobile"),
                ("id_number", "register.invalid.id_check_digit"),
                ("role", "register.invalid.role"),
                ("start_date", "register.invalid.date"),
            ])
        );
        assert_eq!(
            check_occupant(&"名".repeat(41), "13812345678", "", "owner", "2026-01-01"),
            Err(vec![("name", "register.invalid.name")])
        );
    }

    #[test]
    fn a_blank_mobile_or_id_number_keeps_the_one_on_record() {
        let kept = check_resident_correction("李四", " ", "", &"注".repeat(600));
        let kept = kept.expect("valid");
        assert_eq!((kept.mobile, kept.id_number), (None, None));
        assert_eq!(kept.notes.chars().count(), 500);
        assert_eq!(
            check_resident_correction("李四", "139-1234-0000", "11010519491231002x", "")
                .map(|c| (c.mobile, c.id_number)),
            Ok((
                Some("13912340000".into()),
                Some("11010519491231002X".into())
            ))
        );
        assert_eq!(
            check_resident_correction(" ", "1", "2", ""),
            Err(vec![
                ("name", "register.invalid.name"),
                ("mobile", "register.invalid.mobile"),
                ("id_number", "register.invalid.id_length"),
            ])
        );
    }

    #[test]
    fn a_new_house_is_checked_field_by_field() {
        assert_eq!(
            check_new_house(" a3-1-2502 ", "89.56", "commercial", "vacant"),
            Ok(CheckedHouse {
                number: "A3-1-2502".into(),
                building: "A3".into(),
                entrance: 1,
                floor: 25,
                area_centi: 8956,
                use_kind: HouseUse::Commercial,
                status: HouseStatus::Vacant,
            })
        );
        assert_eq!(
            check_new_house("3-2", "0", "garden", "sold"),
            Err(vec![
                ("number", "register.invalid.house_number"),
                ("area", "register.invalid.area_positive"),
                ("use_kind", "import.invalid.use"),
                ("status", "register.invalid.status"),
            ])
        );
        assert_eq!(
            check_house_facts("80", "parking"),
            Ok((8000, HouseUse::Parking))
        );
        assert_eq!(
            check_house_facts("80.001", ""),
            Err(vec![
                ("area", "register.invalid.area_precision"),
                ("use_kind", "import.invalid.use"),
            ])
        );
    }

    #[test]
    fn ends_and_status_changes() {
        assert!(is_day("2026-06-30"));
        assert!(!is_day("2026-06-31"));
        assert!(!is_day("30/06/2026"));
        assert_eq!(check_end("2026-01-01", "2026-01-01"), Ok(()));
        assert_eq!(
            check_end("2026-01-02", "2026-01-01"),
            Err(("end_date", "register.invalid.end_before_start"))
        );
        assert_eq!(
            check_status_change(HouseStatus::Let, HouseStatus::Let),
            Err(("status", "register.invalid.same_status"))
        );
        assert_eq!(
            check_status_change(HouseStatus::Let, HouseStatus::Vacant),
            Ok(())
        );
        assert_eq!(
            status_reason(&format!("  {}  ", "因".repeat(300)))
                .chars()
                .count(),
            200
        );
    }

    #[test]
    fn the_lifecycle_over_every_status_pair() {
        use HouseStatus::*;
        // Rows: from; columns: to, in `HouseStatus::ALL` order
        // (未收楼, 空置, 自住, 出租, 装修中).
        let expected: [(HouseStatus, [bool; 5]); 5] = [
            (NotHandedOver, [false, true, true, true, false]),
            (Vacant, [false, false, true, true, true]),
            (Occupied, [false, true, false, true, true]),
            (Let, [false, true, true, false, true]),
            (Renovating, [false, true, true, true, false]),
        ];
        assert_eq!(
            HouseStatus::ALL,
            &[NotHandedOver, Vacant, Occupied, Let, Renovating]
        );
        for (from, row) in expected {
            for (to, want) in HouseStatus::ALL.iter().zip(row) {
                assert_eq!(lifecycle_allows(from, *to), want, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn nothing_goes_back_to_not_handed_over_and_nothing_stays_put() {
        for s in HouseStatus::ALL {
            assert!(!lifecycle_allows(*s, HouseStatus::NotHandedOver), "{s:?}");
            assert!(!lifecycle_allows(*s, *s), "{s:?}");
        }
    }

    #[test]
    fn an_effective_date_is_a_past_day_not_before_the_latest_change() {
        let today = "2026-12-02";
        assert_eq!(check_effective_on("2026-12-02", today, None), Ok(()));
        assert_eq!(
            check_effective_on("2026-10-10", today, Some("2026-10-10")),
            Ok(())
        );
        assert_eq!(
            check_effective_on("2026-12-03", today, None),
            Err(("effective_on", "register.invalid.effective_future"))
        );
        assert_eq!(
            check_effective_on("2026-10-09", today, Some("2026-10-10")),
            Err(("effective_on", "register.invalid.effective_before_latest"))
        );
        for bad in [
            "",
            "2026-1-5",
            "2026-02-30",
            "10/10/2026",
            "2026-10-10T00:00",
        ] {
            assert_eq!(
                check_effective_on(bad, today, None),
                Err(("effective_on", "register.invalid.date")),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_correction_may_leave_the_lifecycle_but_needs_a_change_and_a_reason() {
        let today = "2026-12-02";
        // Back to 未收楼 is outside the lifecycle: a manager may still correct it.
        assert_eq!(
            check_correction(
                HouseStatus::Vacant,
                "not_handed_over",
                "2026-11-30",
                " 录错了 ",
                today,
                None
            ),
            Ok(CheckedCorrection {
                to: HouseStatus::NotHandedOver,
                effective_on: "2026-11-30".into(),
                reason: "录错了".into(),
            })
        );
        assert_eq!(
            check_correction(
                HouseStatus::Let,
                "let",
                "2026-12-03",
                "  ",
                today,
                Some("2026-11-01")
            ),
            Err(vec![
                ("status", "register.invalid.same_status"),
                ("effective_on", "register.invalid.effective_future"),
                ("reason", "register.invalid.reason_required"),
            ])
        );
        assert_eq!(
            check_correction(
                HouseStatus::Let,
                "sold",
                "2026-10-31",
                "x",
                today,
                Some("2026-11-01")
            ),
            Err(vec![
                ("status", "register.invalid.status"),
                ("effective_on", "register.invalid.effective_before_latest"),
            ])
        );
    }

    #[test]
    fn the_imports_words() {
        assert_eq!(sheet_use(""), Some(HouseUse::Residential));
        assert_eq!(sheet_use("车位"), Some(HouseUse::Parking));
        assert_eq!(sheet_use("仓库"), None);
        assert_eq!(sheet_status(""), Some(HouseStatus::Vacant));
        assert_eq!(sheet_status("未收楼"), Some(HouseStatus::NotHandedOver));
        assert_eq!(sheet_status("拆除"), None);
        assert_eq!(sheet_role("家庭成员"), Some(OccupancyRole::Family));
        assert_eq!(sheet_role("co_owner"), Some(OccupancyRole::CoOwner));
        assert_eq!(sheet_role(""), None);
        // Every stored word reads as itself.
        for u in HouseUse::ALL {
            assert_eq!(sheet_use(u.as_str()), Some(*u));
        }
        for s in HouseStatus::ALL {
            assert_eq!(sheet_status(s.as_str()), Some(*s));
        }
        for r in OccupancyRole::ALL {
            assert_eq!(sheet_role(r.as_str()), Some(*r));
        }
    }
}
