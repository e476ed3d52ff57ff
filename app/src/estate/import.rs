//! Importing houses and residents from a clerk's spreadsheet (.xlsx, or CSV in
//! UTF-8 or GBK, which Chinese Excel writes). All or nothing: every row is
//! checked first; one wrong row and nothing is written, and the report lists
//! sheet, row, column and reason for every wrong row. Re-importing the same
//! file changes nothing: rows already in the register are recognised, not
//! written again. The demo estate loads through this same path.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::rules;
use crate::common::Lang;
use crate::db::Tx;
use crate::i18n::tr;

/// How long the rows of a rejected import are kept for its report. The report
/// is for fixing the file now; after this, or as soon as a later import of the
/// same estate by the same uploader succeeds, the rows are cleared and only
/// the problems remain.
pub const REPORT_KEEP_DAYS: i64 = 7;

/// The template's columns, in order: (key, Chinese header, English header).
pub const COLUMNS: [(&str, &str, &str); 9] = [
    ("house_number", "房号", "House number"),
    ("area", "建筑面积", "Area"),
    ("use", "用途", "Use"),
    ("status", "状态", "Status"),
    ("name", "姓名", "Name"),
    ("mobile", "手机号", "Mobile"),
    ("id_number", "身份证号", "ID number"),
    ("role", "身份", "Relation"),
    ("start_date", "入住日期", "Since"),
];

pub use crate::sheet::read::*;
pub use crate::sheet::Problem;

/// A checked row, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub number: String,
    pub building: String,
    pub entrance: i64,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: &'static str,
    pub status: &'static str,
    pub occupant: Option<Occupant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    pub name: String,
    pub mobile: String,
    pub id_number: Option<String>,
    pub role: &'static str,
    pub start_date: String,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub houses: i64,
    pub residents: i64,
    pub occupancies: i64,
    /// Rows already in the register (a re-import).
    pub unchanged: i64,
}

/// Reads a register file into rows, refusing what is too big, mislabelled or malformed.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<RawRow>, FileProblem> {
    read_with(file_name, bytes, &COLUMNS)
}

fn use_kind(s: &str) -> Option<&'static str> {
    match s {
        "" | "住宅" | "residential" => Some("residential"),
        "商铺" | "commercial" => Some("commercial"),
        "车位" | "parking" => Some("parking"),
        _ => None,
    }
}

fn status(s: &str) -> Option<&'static str> {
    match s {
        "" | "空置" | "vacant" => Some("vacant"),
        "未收楼" | "not_handed_over" => Some("not_handed_over"),
        "自住" | "occupied" => Some("occupied"),
        "出租" | "let" => Some("let"),
        "装修中" | "renovating" => Some("renovating"),
        _ => None,
    }
}

fn role(s: &str) -> Option<&'static str> {
    match s {
        "业主" | "owner" => Some("owner"),
        "共有人" | "co_owner" => Some("co_owner"),
        "租户" | "tenant" => Some("tenant"),
        "家庭成员" | "family" => Some("family"),
        _ => None,
    }
}

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
    let mut seen: HashMap<String, (usize, i64, &'static str)> = HashMap::new();
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
        let use_kind = use_kind(raw.get("use")).or_else(|| {
            bad("use", "import.invalid.use");
            None
        });
        let status = status(raw.get("status")).or_else(|| {
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
            let mobile = rules::normalise_mobile(raw.get("mobile"))
                .map_err(|e| bad("mobile", e.key()))
                .ok();
            let id_number = match raw.get("id_number") {
                "" => Some(None),
                id => rules::normalise_id_number(id)
                    .map(Some)
                    .map_err(|e| bad("id_number", e.key()))
                    .ok(),
            };
            let role = role(raw.get("role")).or_else(|| {
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

/// Writes checked rows in the caller's transaction. A house already in the
/// register must agree with the row (else a problem is returned and the
/// caller rolls back); a resident already living there in that role is left alone.
pub async fn apply(
    tx: &mut Tx,
    estate_id: i64,
    rows: &[RegisterRow],
    raw: &[RawRow],
    lang: Lang,
) -> Result<Result<Counts, Vec<Problem>>, sqlx::Error> {
    let mut counts = Counts::default();
    let mut problems = Vec::new();
    let mut buildings: HashMap<String, i64> = HashMap::new();
    let mut houses: HashMap<String, i64> = HashMap::new();
    for (row, raw) in rows.iter().zip(raw) {
        let building_id = match buildings.get(&row.building) {
            Some(id) => *id,
            None => {
                let id = super::db::ensure_building(tx, estate_id, &row.building).await?;
                buildings.insert(row.building.clone(), id);
                id
            }
        };
        let mut wrote = false;
        let house_id = match houses.get(&row.number) {
            Some(id) => *id,
            None => {
                let existing: Option<(i64, i64, String)> =
                    sqlx::query_as("select id, area_centi, use_kind from house where estate_id = $1 and number = $2")
                        .bind(estate_id)
                        .bind(&row.number)
                        .fetch_optional(&mut **tx)
                        .await?;
                let id = match existing {
                    Some((id, area, use_kind)) => {
                        if area != row.area_centi || use_kind != row.use_kind {
                            problems.push(Problem {
                                sheet: raw.sheet.clone(),
                                row: raw.row,
                                column: if lang == Lang::En {
                                    "Area".into()
                                } else {
                                    "建筑面积".into()
                                },
                                reason: tr(lang, "import.invalid.differs_from_register"),
                            });
                            continue;
                        }
                        id
                    }
                    None => {
                        let new = super::db::NewHouse {
                            estate_id,
                            building_id,
                            number: &row.number,
                            entrance: row.entrance,
                            floor: row.floor,
                            area_centi: row.area_centi,
                            use_kind: row.use_kind,
                            status: row.status,
                        };
                        let id = super::db::insert_house(tx, &new).await?;
                        counts.houses += 1;
                        wrote = true;
                        id
                    }
                };
                houses.insert(row.number.clone(), id);
                id
            }
        };
        if let Some(o) = &row.occupant {
            let new = super::db::NewOccupant {
                name: &o.name,
                mobile: &o.mobile,
                id_number: o.id_number.as_deref(),
                role: o.role,
                start_date: &o.start_date,
            };
            match super::db::ensure_occupant(tx, estate_id, house_id, &new).await? {
                super::db::Ensured::Existing => {}
                super::db::Ensured::Linked { new_resident } => {
                    counts.occupancies += 1;
                    counts.residents += i64::from(new_resident);
                    wrote = true;
                }
            }
        }
        if !wrote {
            counts.unchanged += 1;
        }
    }
    Ok(if problems.is_empty() {
        Ok(counts)
    } else {
        Err(problems)
    })
}

/// What became of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub batch_id: i64,
    pub imported: bool,
    pub counts: Counts,
}

/// Checks and writes `rows` for an estate, all or nothing, and records the
/// attempt with its report. Used by the desk's upload and by the demo.
pub async fn import_rows(
    db: &crate::db::Database,
    estate_id: i64,
    file_name: &str,
    sha256: &str,
    rows: Vec<RawRow>,
    lang: Lang,
    actor: &crate::audit::db::Actor,
) -> sqlx::Result<Outcome> {
    use crate::audit::db::{self as audit, Change};
    let today = crate::db::time::desk_today();
    let good = match validate(&rows, lang, &today) {
        Ok(good) => good,
        Err(problems) => {
            return reject(db, estate_id, file_name, sha256, &rows, &problems, actor).await
        }
    };
    let mut tx = db.begin_write().await?;
    let counts = match apply(&mut tx, estate_id, &good, &rows, lang).await? {
        Ok(counts) => counts,
        Err(problems) => {
            tx.rollback().await?;
            return reject(db, estate_id, file_name, sha256, &rows, &problems, actor).await;
        }
    };
    let batch_id = super::db::record_import(
        &mut tx,
        estate_id,
        file_name,
        sha256,
        true,
        rows.len(),
        counts,
        &[],
        &rows,
        actor.account_id,
    )
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Change {
            estate_id: Some(estate_id),
            entity: crate::common::AuditEntity::ImportBatch,
            entity_id: Some(batch_id.to_string()),
            action: crate::common::AuditAction::Import,
            before: None,
            after: Some(serde_json::json!({
                "file": file_name, "rows": rows.len(), "houses": counts.houses, "residents": counts.residents,
                "occupancies": counts.occupancies, "unchanged": counts.unchanged,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome {
        batch_id,
        imported: true,
        counts,
    })
}

/// Records a refused import: the report, and nothing else.
pub async fn reject(
    db: &crate::db::Database,
    estate_id: i64,
    file_name: &str,
    sha256: &str,
    rows: &[RawRow],
    problems: &[Problem],
    actor: &crate::audit::db::Actor,
) -> sqlx::Result<Outcome> {
    let mut tx = db.begin_write().await?;
    let batch_id = super::db::record_import(
        &mut tx,
        estate_id,
        file_name,
        sha256,
        false,
        rows.len(),
        Counts::default(),
        problems,
        rows,
        actor.account_id,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome {
        batch_id,
        imported: false,
        counts: Counts::default(),
    })
}

/// The SHA-256 of a file, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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
pub fn may_read_report(
    role: crate::common::Role,
    account_id: i64,
    uploaded_by: Option<i64>,
) -> bool {
    use crate::common::Role;
    matches!(role, Role::Admin | Role::Manager) || uploaded_by == Some(account_id)
}

/// A report cell: mobiles and ID numbers masked like every other export, text
/// that a spreadsheet would run as a formula escaped.
fn report_cell(key: &str, value: &str) -> String {
    match (key, value) {
        (_, "") => String::new(),
        // Raw cells, not checked values: the kept ends could still start a formula.
        ("mobile", v) => safe_cell(&rules::mask_mobile(v)),
        ("id_number", v) => safe_cell(&rules::mask_id_number(v)),
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
fn person_cells(r: &super::db::ExportRow, lang: Lang) -> [String; 5] {
    [
        safe_cell(r.name.as_deref().unwrap_or("")),
        r.mobile
            .as_deref()
            .map(rules::mask_mobile)
            .unwrap_or_default(),
        r.id_number
            .as_deref()
            .map(rules::mask_id_number)
            .unwrap_or_default(),
        r.role
            .as_deref()
            .map(|role| tr(lang, &format!("occupancy.{role}")))
            .unwrap_or_default(),
        r.start_date.clone().unwrap_or_default(),
    ]
}

/// The house list as a spreadsheet: mobiles and ID numbers masked, text cells
/// that a spreadsheet would run as formulas escaped.
pub fn houses_xlsx(
    rows: &[super::db::ExportRow],
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
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
                tr(lang, &format!("house.uses.{}", r.use_kind)),
                tr(lang, &format!("house.status.{}", r.status)),
            ];
            cells.extend(person_cells(r, lang));
            cells
        })
        .collect();
    sheet_xlsx(&headers, lines, lang)
}

/// The resident list as a spreadsheet: name first, personal data masked.
pub fn residents_xlsx(
    rows: &[super::db::ExportRow],
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
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sheets_are_read_a_few_at_a_time() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let readers = SheetReaders::new(2);
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let long = Duration::from_secs(10);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (readers, now, most) = (readers.clone(), now.clone(), most.clone());
                tokio::spawn(async move {
                    readers
                        .run(long, long, move || {
                            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(running, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(30));
                            now.fetch_sub(1, Ordering::SeqCst);
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("read");
        }
        assert_eq!(most.load(Ordering::SeqCst), 2, "two slots, eight reads");
        assert_eq!(readers.available(), 2, "every slot given back");
        assert_eq!(SheetReaders::shared().available(), SHEET_READ_SLOTS);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_past_its_time_keeps_its_slot_until_it_ends() {
        let readers = SheetReaders::new(1);
        let slow = || std::thread::sleep(Duration::from_millis(400));
        let short = Duration::from_millis(50);
        assert_eq!(
            readers.run(Duration::from_secs(5), short, slow).await,
            Err(ReadStopped::TooSlow)
        );
        // The timed-out read still runs, in its slot: the next one waits, and
        // is told busy rather than started beside it.
        assert_eq!(readers.available(), 0);
        assert_eq!(
            readers.run(short, short, || ()).await,
            Err(ReadStopped::Busy)
        );
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(readers.available(), 1, "given back when the work ended");
        assert_eq!(readers.run(short, short, || 7).await, Ok(7));
    }

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
        assert_eq!(good[0].status, "vacant");
        assert_eq!(good[1].area_centi, 11230);
        let o = good[1].occupant.as_ref().expect("resident");
        assert_eq!((o.role, o.start_date.as_str()), ("owner", "2021-06-01"));
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

    #[test]
    fn csv_in_gbk_and_utf8_with_bom() {
        let text = "房号,建筑面积,姓名,手机号,身份\n1-1-101,89.56,王伟,13812345678,业主\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        for bytes in [gbk.into_owned(), format!("\u{feff}{text}").into_bytes()] {
            let rows = read("houses.csv", &bytes).expect("read");
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].row, 2);
            assert_eq!(rows[0].get("name"), "王伟");
        }
    }

    #[test]
    fn files_that_are_not_what_they_claim_are_refused() {
        assert_eq!(
            read("houses.xlsx", b"house_number,area\n"),
            Err(FileProblem::NotXlsx)
        );
        assert_eq!(
            read("houses.csv", b"PK\x03\x04rest"),
            Err(FileProblem::NotCsv)
        );
        assert_eq!(read("houses.pdf", b"%PDF"), Err(FileProblem::UnknownType));
        assert_eq!(
            read("houses.csv", &vec![b'a'; MAX_FILE_BYTES + 1]),
            Err(FileProblem::TooLarge)
        );
        assert_eq!(
            read("houses.csv", "姓名,手机号\n王伟,13812345678\n".as_bytes()),
            Err(FileProblem::NoHeader)
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_before_parsing() {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("xl/worksheets/sheet1.xml", options)
                .expect("entry");
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..80 {
                zip.write_all(&zeros).expect("write");
            }
            zip.finish().expect("finish");
        }
        assert_eq!(read("bomb.xlsx", buf.get_ref()), Err(FileProblem::ZipBomb));
    }

    /// A workbook with `cells` (row, column, text) on its one sheet.
    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, col, text) in cells {
            sheet.write_string(*row, *col, *text).expect("cell");
        }
        book.save_to_buffer().expect("xlsx")
    }

    /// Runs `read` on another thread and fails (rather than hangs or takes the
    /// machine) if it has not answered within 10 s.
    fn read_within(bytes: Vec<u8>, columns: &'static Columns) -> Result<Vec<RawRow>, FileProblem> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read_with("sheet.xlsx", &bytes, columns));
        });
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("read answered within 10 s")
    }

    #[test]
    fn a_two_cell_workbook_spanning_the_whole_sheet_is_refused_without_allocating_it() {
        // A1 and XFD1048576: the full rectangle would be 1.7 × 10¹⁰ cells.
        let bytes = workbook(&[(0, 0, "房号"), (1_048_575, 16_383, "x")]);
        assert!(bytes.len() < 10_000, "a tiny file: {} bytes", bytes.len());
        let started = std::time::Instant::now();
        let both: [&'static Columns; 2] = [&COLUMNS, &crate::billing::db::READING_COLUMNS];
        for columns in both {
            assert_eq!(
                read_within(bytes.clone(), columns),
                Err(FileProblem::TooManyRows)
            );
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            file_problem(Lang::Zh, FileProblem::TooManyRows).reason,
            "文件超过 20000 行"
        );
        // Far to the right on the header row, or too many cells: refused the same way.
        let wide = workbook(&[(0, 0, "房号"), (0, 16_383, "备注")]);
        assert_eq!(read_within(wide, &COLUMNS), Err(FileProblem::TooWide));
        assert!(file_problem(Lang::En, FileProblem::TooWide)
            .reason
            .contains("32 columns"));
        let wide_csv = format!("房号,建筑面积{}x\n", ",".repeat(40));
        assert_eq!(
            read("h.csv", wide_csv.as_bytes()),
            Err(FileProblem::TooWide)
        );
    }

    #[test]
    fn a_workbook_is_read_cell_by_cell_with_its_own_row_numbers() {
        // The header on row 2 (row 1 blank), a blank row between two houses,
        // and a note in a column the import does not know.
        let bytes = workbook(&[
            (1, 0, "房号"),
            (1, 1, "建筑面积"),
            (1, 4, "备注"),
            (2, 0, "1-1-101"),
            (2, 1, "89.56"),
            (4, 0, "1-1-102"),
            (4, 4, "note"),
        ]);
        let rows = read_within(bytes, &COLUMNS).expect("read");
        let got: Vec<(usize, &str, &str)> = rows
            .iter()
            .map(|r| (r.row, r.get("house_number"), r.get("area")))
            .collect();
        assert_eq!(got, vec![(3, "1-1-101", "89.56"), (5, "1-1-102", "")]);
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
        use calamine::{Reader, Xlsx};
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
        use crate::common::Role;
        assert!(may_read_report(Role::Clerk, 7, Some(7)));
        assert!(!may_read_report(Role::Clerk, 8, Some(7)));
        assert!(!may_read_report(Role::Clerk, 8, None));
        assert!(may_read_report(Role::Manager, 8, Some(7)));
        assert!(may_read_report(Role::Admin, 8, None));
        assert!(!may_read_report(Role::Maintenance, 8, Some(7)));
    }

    #[test]
    fn numbers_keep_their_typed_form() {
        assert_eq!(format_number(89.56), "89.56");
        assert_eq!(format_number(120.0), "120");
        assert_eq!(format_number(13812345678.0), "13812345678");
    }
}
