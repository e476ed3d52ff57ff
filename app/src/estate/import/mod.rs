//! Importing houses and residents from a clerk's spreadsheet (.xlsx, or CSV in
//! UTF-8 or GBK, which Chinese Excel writes). All or nothing: every row is
//! checked first ([`check`]); one wrong row and nothing is written, and the
//! report lists sheet, row, column and reason for every wrong row. Re-importing
//! the same file changes nothing: rows already in the register are recognised,
//! not written again ([`write`]). The demo estate loads through this same path.
//! [`files`] makes the spreadsheets that go out: the template, a rejected
//! import's report, the exports. Reading a file within bounds is
//! [`crate::sheet::read`]'s, re-exported here.

pub mod check;
pub mod files;
pub mod write;

pub use check::validate;
pub use files::{annotated_xlsx, houses_xlsx, may_read_report, residents_xlsx, template_xlsx};
pub use write::{apply, import_rows, reject};

use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::{HouseStatus, HouseUse, OccupancyRole};

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

use crate::sheet::read::*;
pub use crate::sheet::Problem;

/// A checked row, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub number: String,
    pub building: String,
    pub entrance: i64,
    pub floor: i64,
    pub area_centi: i64,
    pub use_kind: HouseUse,
    pub status: HouseStatus,
    pub occupant: Option<Occupant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    pub name: String,
    pub mobile: String,
    pub id_number: Option<String>,
    pub role: OccupancyRole,
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

/// What became of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub batch_id: i64,
    pub imported: bool,
    pub counts: Counts,
}

/// The SHA-256 of a file, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use crate::common::Lang;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sheets_are_read_a_few_at_a_time() {
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
    fn numbers_keep_their_typed_form() {
        assert_eq!(format_number(89.56), "89.56");
        assert_eq!(format_number(120.0), "120");
        assert_eq!(format_number(13812345678.0), "13812345678");
    }
}
