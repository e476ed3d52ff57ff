//! The register's spreadsheets out: the import template, a rejected
//! import's annotated report (for its uploader and the managers), and the
//! house and resident exports. Mobiles and ID numbers are masked in every
//! one, and text a spreadsheet would run as a formula is escaped.

use super::{safe_cell, Problem, RawRow, COLUMNS};
use crate::common::personal;
use crate::common::{AccountId, Lang, Role};
use crate::estate::db::ExportRow;
use crate::i18n::tr;

/// The template: the header row and one example row, with a notes sheet.
pub fn template_xlsx(lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name(if lang == Lang::En {
        "Houses and residents"
    } else {
        "房屋住户"
    })?;
    let example = [
        "3-2-1201",
        "89.56",
        "住宅",
        "自住",
        "王伟",
        "13812345678",
        "11010519491231002X",
        "业主",
        "2021-06-01",
    ];
    for (col, ((_, zh, en), ex)) in COLUMNS.iter().zip(example).enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, if lang == Lang::En { *en } else { *zh }, &bold)?;
        // Text cells: Excel must not turn a mobile into 1.38E+10 or drop an ID's X.
        sheet.set_column_format(col, &text)?;
        sheet.write_string(1, col, ex)?;
        sheet.set_column_width(col, 16)?;
    }
    let notes = book.add_worksheet();
    notes.set_name(if lang == Lang::En { "Notes" } else { "说明" })?;
    for (i, line) in tr(lang, "import.template_notes").split('\n').enumerate() {
        notes.write_string(i as u32, 0, line)?;
    }
    notes.set_column_width(0, 100)?;
    book.save_to_buffer()
}

/// Who may download a rejected import's report: the account that uploaded the
/// file, or a manager or administrator (the estate scope is checked apart, per
/// batch). A clerk does not get a colleague's file of mobiles and ID numbers.
pub fn may_read_report(role: Role, account_id: AccountId, uploaded_by: Option<AccountId>) -> bool {
    matches!(role, Role::Admin | Role::Manager) || uploaded_by == Some(account_id)
}

/// A report cell: mobiles and ID numbers masked like every other export, text
/// that a spreadsheet would run as a formula escaped.
fn report_cell(key: &str, value: &str) -> String {
    match (key, value) {
        (_, "") => String::new(),
        // Raw cells, not checked values: the kept ends could still start a formula.
        ("mobile", v) => safe_cell(&personal::mask_mobile(v)),
        ("id_number", v) => safe_cell(&personal::mask_id_number(v)),
        (_, v) => safe_cell(v),
    }
}

/// The rows of a rejected import, each with its problems in a last column;
/// mobiles and ID numbers masked.
pub fn annotated_xlsx(
    rows: &[RawRow],
    problems: &[Problem],
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let red = rust_xlsxwriter::Format::new().set_font_color(rust_xlsxwriter::Color::Red);
    let sheet = book.add_worksheet();
    let last = COLUMNS.len() as u16;
    for (col, (_, zh, en)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(
            0,
            col as u16,
            if lang == Lang::En { *en } else { *zh },
            &bold,
        )?;
        sheet.set_column_width(col as u16, 16)?;
    }
    sheet.write_string_with_format(0, last, tr(lang, "import.problems_column"), &bold)?;
    sheet.set_column_width(last, 60)?;
    let mut line = 1u32;
    for p in problems.iter().filter(|p| p.row == 0) {
        sheet.write_string_with_format(line, last, &p.reason, &red)?;
        line += 1;
    }
    for raw in rows {
        for (col, (key, _, _)) in COLUMNS.iter().enumerate() {
            sheet.write_string(line, col as u16, report_cell(key, raw.get(key)))?;
        }
        let mine: Vec<String> = problems
            .iter()
            .filter(|p| p.row == raw.row && p.sheet == raw.sheet)
            .map(|p| format!("{}: {}", p.column, p.reason))
            .collect();
        if !mine.is_empty() {
            sheet.write_string_with_format(
                line,
                last,
                format!("{} {}", raw.row, mine.join("; ")),
                &red,
            )?;
        }
        line += 1;
    }
    book.save_to_buffer()
}

/// One sheet: a bold header row of translated `headers`, then text rows.
fn sheet_xlsx(
    headers: &[&str],
    rows: Vec<Vec<String>>,
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, tr(lang, key), &bold)?;
        sheet.set_column_width(col as u16, 15)?;
    }
    for (i, cells) in rows.iter().enumerate() {
        for (col, value) in cells.iter().enumerate() {
            sheet.write_string(i as u32 + 1, col as u16, value)?;
        }
    }
    book.save_to_buffer()
}

/// The person columns of an export row: name (escaped), masked mobile and ID,
/// relation, since.
fn person_cells(r: &ExportRow, lang: Lang) -> [String; 5] {
    [
        safe_cell(r.name.as_deref().unwrap_or("")),
        r.mobile
            .as_deref()
            .map(personal::mask_mobile)
            .unwrap_or_default(),
        r.id_number
            .as_deref()
            .map(personal::mask_id_number)
            .unwrap_or_default(),
        r.role.map(|role| tr(lang, role.key())).unwrap_or_default(),
        r.start_date.clone().unwrap_or_default(),
    ]
}

/// The house list as a spreadsheet: mobiles and ID numbers masked, text cells
/// that a spreadsheet would run as formulas escaped.
pub fn houses_xlsx(rows: &[ExportRow], lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let headers = [
        "house.number",
        "house.building",
        "house.floor",
        "house.area",
        "house.use",
        "house.status_label",
        "resident.name",
        "resident.mobile",
        "resident.id_number",
        "occupancy.role",
        "occupancy.start_date",
    ];
    let lines = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                safe_cell(&r.number),
                safe_cell(&r.building_name),
                r.floor.to_string(),
                format!("{}.{:02}", r.area_centi / 100, r.area_centi % 100),
                r.use_kind.map(|u| tr(lang, u.key())).unwrap_or_default(),
                r.status.map(|s| tr(lang, s.key())).unwrap_or_default(),
            ];
            cells.extend(person_cells(r, lang));
            cells
        })
        .collect();
    sheet_xlsx(&headers, lines, lang)
}

/// The resident list as a spreadsheet: name first, personal data masked.
pub fn residents_xlsx(
    rows: &[ExportRow],
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let headers = [
        "resident.name",
        "resident.mobile",
        "resident.id_number",
        "occupancy.role",
        "occupancy.start_date",
        "house.number",
    ];
    let lines = rows
        .iter()
        .map(|r| {
            let mut cells = person_cells(r, lang).to_vec();
            cells.push(safe_cell(&r.number));
            cells
        })
        .collect();
    sheet_xlsx(&headers, lines, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    use calamine::{Reader, Xlsx};

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
    fn the_report_masks_mobiles_and_id_numbers() {
        let rows = vec![row(
            2,
            &[
                ("house_number", "1-1-101"),
                ("name", "王伟"),
                ("mobile", "13812345678"),
                ("id_number", "11010519491231002X"),
            ],
        )];
        let bytes = annotated_xlsx(&rows, &[], Lang::Zh).expect("report");
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
        let sheet = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&sheet).expect("sheet");
        let cells: Vec<String> = range.cells().map(|(_, _, c)| c.to_string()).collect();
        assert!(cells.contains(&"138****5678".to_string()), "{cells:?}");
        assert!(
            cells.contains(&"110***********002X".to_string()),
            "{cells:?}"
        );
        assert!(!cells
            .iter()
            .any(|c| c.contains("13812345678") || c.contains("1949")));
        assert!(cells.contains(&"王伟".to_string()));
    }

    #[test]
    fn a_report_is_for_its_uploader_and_the_managers() {
        let (a7, a8) = (AccountId(7), AccountId(8));
        assert!(may_read_report(Role::Clerk, a7, Some(a7)));
        assert!(!may_read_report(Role::Clerk, a8, Some(a7)));
        assert!(!may_read_report(Role::Clerk, a8, None));
        assert!(may_read_report(Role::Manager, a8, Some(a7)));
        assert!(may_read_report(Role::Admin, a8, None));
        assert!(!may_read_report(Role::Maintenance, a8, Some(a7)));
    }
}
