//! Checking an upload's rows before anything is written: every cell of
//! every row, each refusal with its sheet, row and column, and a house that
//! appears on several rows (one per resident) agreeing with itself.

use crate::common::personal;
use std::collections::HashMap;

use super::{Occupant, Problem, RawRow, RegisterRow, COLUMNS};
use crate::common::Lang;
use crate::estate::{rules, HouseUse};
use crate::i18n::tr;

/// Checks every row. Either all rows are good, or every problem is returned.
pub fn validate(
    rows: &[RawRow],
    lang: Lang,
    today: &str,
) -> Result<Vec<RegisterRow>, Vec<Problem>> {
    let header = |key: &str| {
        COLUMNS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, zh, en)| if lang == Lang::En { *en } else { *zh })
            .unwrap_or(key)
            .to_string()
    };
    let mut problems = Vec::new();
    let mut good = Vec::new();
    // A house may appear on several rows (one per resident): its facts must agree.
    let mut seen: HashMap<String, (usize, i64, HouseUse)> = HashMap::new();
    for raw in rows {
        let mut bad = |key: &str, reason_key: &str| {
            problems.push(Problem {
                sheet: raw.sheet.clone(),
                row: raw.row,
                column: header(key),
                reason: tr(lang, reason_key),
            })
        };
        let number = raw.get("house_number").to_ascii_uppercase();
        let parsed = rules::parse_house_number(&number)
            .map_err(|e| bad("house_number", e.key()))
            .ok();
        let area = rules::parse_area(raw.get("area"))
            .map_err(|e| bad("area", e.key()))
            .ok();
        let use_kind = rules::sheet_use(raw.get("use")).or_else(|| {
            bad("use", "import.invalid.use");
            None
        });
        let status = rules::sheet_status(raw.get("status")).or_else(|| {
            bad("status", "import.invalid.status");
            None
        });
        let person_keys = ["name", "mobile", "id_number", "role", "start_date"];
        let occupant = if person_keys.iter().all(|k| raw.get(k).is_empty()) {
            Some(None)
        } else {
            let name = raw.get("name").to_string();
            if name.is_empty() || name.chars().count() > 40 {
                bad("name", "register.invalid.name");
            }
            let mobile = personal::normalise_mobile(raw.get("mobile"))
                .map_err(|e| bad("mobile", e.key()))
                .ok();
            let id_number = match raw.get("id_number") {
                "" => Some(None),
                id => personal::normalise_id_number(id)
                    .map(Some)
                    .map_err(|e| bad("id_number", e.key()))
                    .ok(),
            };
            let role = rules::sheet_role(raw.get("role")).or_else(|| {
                bad("role", "register.invalid.role");
                None
            });
            let start = match raw.get("start_date") {
                "" => Some(today.to_string()),
                d => chrono::NaiveDate::parse_from_str(&d.replace('/', "-"), "%Y-%m-%d")
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .map_err(|_| bad("start_date", "register.invalid.date"))
                    .ok(),
            };
            match (mobile, id_number, role, start) {
                (Some(mobile), Some(id_number), Some(role), Some(start_date))
                    if !name.is_empty() =>
                {
                    Some(Some(Occupant {
                        name,
                        mobile,
                        id_number,
                        role,
                        start_date,
                    }))
                }
                _ => None,
            }
        };
        if let (Some(area), Some(use_kind)) = (area, use_kind) {
            if let Some((first_row, first_area, first_use)) = seen.get(&number) {
                if *first_area != area || *first_use != use_kind {
                    let reason = tr(lang, "import.invalid.house_differs")
                        .replace("%{row}", &first_row.to_string());
                    problems.push(Problem {
                        sheet: raw.sheet.clone(),
                        row: raw.row,
                        column: header("area"),
                        reason,
                    });
                    continue;
                }
            } else {
                seen.insert(number.clone(), (raw.row, area, use_kind));
            }
        }
        if let (
            Some((building, entrance, floor)),
            Some(area_centi),
            Some(use_kind),
            Some(status),
            Some(occupant),
        ) = (parsed, area, use_kind, status, occupant)
        {
            good.push(RegisterRow {
                number,
                building,
                entrance,
                floor,
                area_centi,
                use_kind,
                status,
                occupant,
            });
        }
    }
    if problems.is_empty() {
        Ok(good)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, pairs: &[(&str, &str)]) -> RawRow {
        RawRow {
            sheet: "房屋住户".into(),
            row: n,
            cells: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn good_rows_pass_and_blank_person_columns_mean_no_resident() {
        let rows = vec![
            row(2, &[("house_number", "3-2-1201"), ("area", "89.56")]),
            row(
                3,
                &[
                    ("house_number", "3-2-1202"),
                    ("area", "112.3"),
                    ("status", "自住"),
                    ("name", "王伟"),
                    ("mobile", "13812345678"),
                    ("role", "业主"),
                    ("start_date", "2021/6/1"),
                ],
            ),
        ];
        let good = validate(&rows, Lang::Zh, "2026-11-22").expect("valid");
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].occupant, None);
        assert_eq!(good[0].status.as_str(), "vacant");
        assert_eq!(good[1].area_centi, 11230);
        let o = good[1].occupant.as_ref().expect("resident");
        assert_eq!(
            (o.role.as_str(), o.start_date.as_str()),
            ("owner", "2021-06-01")
        );
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_row_and_column() {
        let rows = vec![
            row(2, &[("house_number", "3-2"), ("area", "89.567")]),
            row(
                5,
                &[
                    ("house_number", "3-2-1203"),
                    ("area", "80"),
                    ("name", "李四"),
                    ("mobile", "12345"),
                    ("role", "房东"),
                ],
            ),
        ];
        let problems = validate(&rows, Lang::Zh, "2026-11-22").expect_err("invalid");
        let cells: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            cells,
            vec![(2, "房号"), (2, "建筑面积"), (5, "手机号"), (5, "身份")]
        );
        assert!(problems[2].reason.contains("11 位"));
    }

    #[test]
    fn each_kind_of_bad_cell_names_its_column() {
        let rows = vec![row(
            7,
            &[
                ("house_number", "1-1-101"),
                ("area", "0"),
                ("use", "仓库"),
                ("status", "拆除"),
                ("name", ""),
                ("mobile", "13812345678"),
                ("id_number", "110105194912310021"),
                ("role", "业主"),
                ("start_date", "2024-02-30"),
            ],
        )];
        let problems = validate(&rows, Lang::Zh, "2026-11-22").expect_err("invalid");
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(
            columns,
            vec!["建筑面积", "用途", "状态", "姓名", "身份证号", "入住日期"]
        );
        assert!(problems.iter().all(|p| p.row == 7 && !p.reason.is_empty()));
    }

    #[test]
    fn a_house_must_agree_with_itself_across_rows() {
        let rows = vec![
            row(2, &[("house_number", "1-1-101"), ("area", "80")]),
            row(3, &[("house_number", "1-1-101"), ("area", "81")]),
        ];
        let problems = validate(&rows, Lang::En, "2026-11-22").expect_err("differs");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, 3);
        assert!(
            problems[0].reason.contains("row 2"),
            "{}",
            problems[0].reason
        );
    }
}
