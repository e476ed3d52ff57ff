//! Reading an uploaded spreadsheet (.xlsx, or CSV in UTF-8 or GBK, which
//! Chinese Excel writes) within bounds, for any import that takes one (the
//! register, meter readings): the file's size, the zip's inflation, rows,
//! columns and cells are all checked as the file streams in, before anything
//! is kept; the header row is matched by Chinese or English names; and the
//! reading runs off the async runtime in one of a few process-wide slots.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::Problem;
use crate::common::Lang;
use crate::i18n::tr;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Rows per import.
pub const MAX_ROWS: usize = 20_000;
/// An .xlsx is a zip: refuse one that inflates beyond this, or by more than
/// `MAX_RATIO` times (a zip bomb), before any XML is parsed.
pub const MAX_UNZIPPED_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_RATIO: u64 = 100;
/// Columns a sheet may use: the register's nine, the report's problem column
/// and room for a clerk's notes beside them.
pub const MAX_COLUMNS: u32 = 32;
/// Non-empty cells a sheet may hold: every row of a full file with sixteen
/// cells each. Cells are counted as they stream in, before they are kept.
pub const MAX_CELLS: usize = (MAX_ROWS + 1) * 16;

/// A row as read from the file: the sheet, the 1-based row number as the
/// spreadsheet shows it, and the cells by column key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRow {
    pub sheet: String,
    pub row: usize,
    pub cells: HashMap<String, String>,
}

impl RawRow {
    pub fn get(&self, key: &str) -> &str {
        self.cells.get(key).map(|s| s.trim()).unwrap_or("")
    }
}

/// Why a whole file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    TooLarge,
    TooManyRows,
    /// Cells beyond `MAX_COLUMNS`, or more than `MAX_CELLS` of them.
    TooWide,
    NotXlsx,
    NotCsv,
    ZipBomb,
    UnknownType,
    NoHeader,
    Unreadable,
    /// Every sheet reader stayed busy while the upload waited (see [`SheetReaders`]).
    Busy,
}

impl FileProblem {
    pub fn key(self) -> &'static str {
        match self {
            FileProblem::TooLarge => "import.refused.too_large",
            FileProblem::TooManyRows => "import.refused.too_many_rows",
            FileProblem::TooWide => "import.refused.too_wide",
            FileProblem::NotXlsx => "import.refused.not_xlsx",
            FileProblem::NotCsv => "import.refused.not_csv",
            FileProblem::ZipBomb => "import.refused.zip_bomb",
            FileProblem::UnknownType => "import.refused.unknown_type",
            FileProblem::NoHeader => "import.refused.no_header",
            FileProblem::Unreadable => "import.refused.unreadable",
            FileProblem::Busy => "import.refused.busy",
        }
    }
}

/// A file's columns: (key, Chinese header, English header).
pub type Columns = [(&'static str, &'static str, &'static str)];

/// Reads a file whose header row names `columns` (the first one is required),
/// with the same limits and checks as the register's import.
pub fn read_with(
    file_name: &str,
    bytes: &[u8],
    columns: &Columns,
) -> Result<Vec<RawRow>, FileProblem> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge);
    }
    let lower = file_name.to_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let rows = if lower.ends_with(".xlsx") {
        if !is_zip {
            return Err(FileProblem::NotXlsx);
        }
        read_xlsx(bytes, columns)?
    } else if lower.ends_with(".csv") {
        if is_zip || bytes.contains(&0) {
            return Err(FileProblem::NotCsv);
        }
        read_csv(bytes, columns)?
    } else {
        return Err(FileProblem::UnknownType);
    };
    if rows.len() > MAX_ROWS {
        return Err(FileProblem::TooManyRows);
    }
    Ok(rows)
}

/// Maps a header row to column keys (Chinese or English headers, any order).
fn header_keys(
    header: &[String],
    columns: &Columns,
) -> Result<Vec<Option<&'static str>>, FileProblem> {
    let keys: Vec<Option<&'static str>> = header
        .iter()
        .map(|h| {
            let h = h.trim().trim_start_matches('\u{feff}');
            columns
                .iter()
                .find(|(_, zh, en)| h == *zh || h.eq_ignore_ascii_case(en))
                .map(|(k, _, _)| *k)
        })
        .collect();
    if !columns
        .first()
        .is_some_and(|(first, _, _)| keys.contains(&Some(*first)))
    {
        return Err(FileProblem::NoHeader);
    }
    Ok(keys)
}

/// Rows from a sheet's records; the first record is the header and stands on
/// the sheet's row `first_row + 1`.
fn to_rows(
    sheet: &str,
    records: Vec<Vec<String>>,
    first_row: usize,
    columns: &Columns,
) -> Result<Vec<RawRow>, FileProblem> {
    let mut iter = records.into_iter().enumerate();
    let Some((_, header)) = iter.next() else {
        return Err(FileProblem::NoHeader);
    };
    let keys = header_keys(&header, columns)?;
    let mut rows = Vec::new();
    for (index, record) in iter {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(FileProblem::TooManyRows);
        }
        let cells = keys
            .iter()
            .zip(record)
            .filter_map(|(k, v)| k.map(|k| (k.to_string(), v)))
            .collect();
        rows.push(RawRow {
            sheet: sheet.to_string(),
            row: first_row + index + 1,
            cells,
        });
    }
    Ok(rows)
}

fn read_csv(bytes: &[u8], columns: &Columns) -> Result<Vec<RawRow>, FileProblem> {
    // UTF-8 (with or without BOM) if it decodes; otherwise GBK (GB 18030), as Chinese Excel saves.
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(FileProblem::Unreadable);
            }
            text.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| FileProblem::Unreadable)?;
        // A line of bare commas would be thousands of empty cells.
        if record
            .iter()
            .skip(MAX_COLUMNS as usize)
            .any(|c| !c.trim().is_empty())
        {
            return Err(FileProblem::TooWide);
        }
        records.push(
            record
                .iter()
                .take(MAX_COLUMNS as usize)
                .map(str::to_string)
                .collect(),
        );
        if records.len() > MAX_ROWS + 1 {
            return Err(FileProblem::TooManyRows);
        }
    }
    to_rows("CSV", records, 0, columns)
}

/// Checks the zip's directory before inflating anything.
fn check_zip(bytes: &[u8]) -> Result<(), FileProblem> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileProblem::NotXlsx)?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| FileProblem::NotXlsx)?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        total = total.saturating_add(size);
        if total > MAX_UNZIPPED_BYTES || size / packed > MAX_RATIO {
            return Err(FileProblem::ZipBomb);
        }
    }
    // The declared sizes could lie: read the sheet XML through a limit too.
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| FileProblem::NotXlsx)?;
        let mut sink = std::io::sink();
        let copied = std::io::copy(&mut (&mut entry).take(MAX_UNZIPPED_BYTES + 1), &mut sink)
            .map_err(|_| FileProblem::NotXlsx)?;
        if copied > MAX_UNZIPPED_BYTES {
            return Err(FileProblem::ZipBomb);
        }
    }
    Ok(())
}

/// Reads the first sheet cell by cell. `worksheet_range` would first allocate
/// the whole rectangle between the first and the last used cell — a file with
/// only `A1` and `XFD1048576` asks for 1.7 × 10¹⁰ cells — so each used cell's
/// position and the running count are checked as it streams in, before it is
/// kept, and the records are built from the kept cells only.
fn read_xlsx(bytes: &[u8], columns: &Columns) -> Result<Vec<RawRow>, FileProblem> {
    use calamine::{Reader, Xlsx};
    check_zip(bytes)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| FileProblem::NotXlsx)?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err(FileProblem::NoHeader);
    };
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|_| FileProblem::Unreadable)?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|_| FileProblem::Unreadable)? {
        let text = cell_text(calamine::Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        // 0-based: the header on row 1 and `MAX_ROWS` rows under it.
        if row as usize > MAX_ROWS {
            return Err(FileProblem::TooManyRows);
        }
        if col >= MAX_COLUMNS || cells.len() >= MAX_CELLS {
            return Err(FileProblem::TooWide);
        }
        cells.push((row, col, text));
    }
    drop(reader);
    cells.sort_unstable_by_key(|(row, col, _)| (*row, *col));
    let (Some(first), Some(last)) = (cells.first().map(|c| c.0), cells.last().map(|c| c.0)) else {
        return Err(FileProblem::NoHeader);
    };
    // At most MAX_ROWS + 1 records (checked above), each as wide as its last used cell.
    let mut records: Vec<Vec<String>> = vec![Vec::new(); (last - first) as usize + 1];
    for (row, col, text) in cells {
        if let Some(record) = records.get_mut((row - first) as usize) {
            let col = col as usize;
            if record.len() <= col {
                record.resize(col + 1, String::new());
            }
            record[col] = text;
        }
    }
    to_rows(&sheet, records, first as usize, columns)
}

/// A cell's text as the clerk sees it.
fn cell_text(cell: calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s,
        // Numbers keep their text form: an area 89.56 stays "89.56".
        Data::Float(f) => format_number(f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.date().to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s,
        Data::Error(_) => "#ERROR".to_string(),
    }
}

/// A spreadsheet number as a clerk typed it (Excel stores 89.56 as a double;
/// its shortest round-trip text is the typed text).
pub fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Uploaded files read at once, process-wide: a read holds up to the cell
/// limits' worth of memory and a core for seconds.
pub const SHEET_READ_SLOTS: usize = 2;

/// The sheet readers: at most `slots` uploaded files read at once, the rest
/// queue (the shape of `repairs::photo::Decoders`). A read takes its slot
/// before it starts on the blocking pool and holds it until that work really
/// ends, even when its upload stopped waiting for it: a timed-out read keeps
/// its memory and its core, so it keeps its slot.
#[derive(Clone)]
pub struct SheetReaders {
    slots: Arc<Semaphore>,
}

/// Why [`SheetReaders::run`] gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStopped {
    /// No slot came free within the wait.
    Busy,
    /// The work ran past its limit (it runs on, in its slot, to its own end).
    TooSlow,
    /// The work panicked.
    Failed,
}

impl SheetReaders {
    pub fn new(slots: usize) -> Self {
        SheetReaders {
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// The process's readers: `SHEET_READ_SLOTS` slots.
    pub fn shared() -> &'static SheetReaders {
        static SHARED: LazyLock<SheetReaders> =
            LazyLock::new(|| SheetReaders::new(SHEET_READ_SLOTS));
        &SHARED
    }

    /// Slots free now.
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }

    /// Runs `work` on the blocking pool once a slot is free: waits at most
    /// `wait` for the slot, then at most `limit` for the work.
    pub async fn run<T: Send + 'static>(
        &self,
        wait: Duration,
        limit: Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ReadStopped> {
        let slot = match tokio::time::timeout(wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) | Err(_) => return Err(ReadStopped::Busy),
        };
        let task = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        });
        match tokio::time::timeout(limit, task).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "reading an uploaded file failed");
                Err(ReadStopped::Failed)
            }
            Err(_) => Err(ReadStopped::TooSlow),
        }
    }
}

/// The message for a refused whole file.
pub fn file_problem(lang: Lang, problem: FileProblem) -> Problem {
    let reason = tr(lang, problem.key())
        .replace("%{mb}", &(MAX_FILE_BYTES / 1024 / 1024).to_string())
        .replace("%{rows}", &MAX_ROWS.to_string())
        .replace("%{cols}", &MAX_COLUMNS.to_string())
        .replace("%{cells}", &MAX_CELLS.to_string());
    Problem {
        sheet: String::new(),
        row: 0,
        column: String::new(),
        reason,
    }
}

/// A text cell as it may go into a spreadsheet: one that a spreadsheet would
/// take for a formula (`= + - @`) is prefixed with `'` so it stays text.
pub fn safe_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}
