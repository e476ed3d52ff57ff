//! Import attempts (`import_batch`): recording one with its report, the
//! summary the import page shows, the rows a rejected import keeps for its
//! downloadable report, and clearing those rows when their time is up.

use sqlx::{AnyExecutor, AnyPool};

use crate::common::{AccountId, EstateId};
use crate::db::{time, Write};
use crate::estate::import::{Counts, REPORT_KEEP_DAYS};
use crate::estate::{ImportProblem, ImportStatus, ImportSummary};
use crate::sheet::read::RawRow;

/// An import attempt to record.
pub struct NewBatch<'a> {
    pub estate_id: EstateId,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub status: ImportStatus,
    pub counts: Counts,
    pub problems: &'a [ImportProblem],
    /// The rows as read (their count is the batch's row count).
    pub rows: &'a [RawRow],
    pub by: Option<AccountId>,
}

/// Records an import attempt (with its report) and returns its id.
///
/// The raw rows are personal data in clear (full mobiles and ID numbers), kept
/// only for a rejected import's report: an accepted import never stores them,
/// and accepting one clears the rows of the same uploader's earlier rejected
/// imports of the estate (the file was fixed). Every attempt also clears rows
/// older than `REPORT_KEEP_DAYS` (the report route refuses those even before).
pub async fn record_import(w: &mut Write, batch: &NewBatch<'_>) -> sqlx::Result<i64> {
    let now = time::now();
    let imported = batch.status == ImportStatus::Imported;
    let kept_rows = if imported {
        "[]".to_string()
    } else {
        serde_json::to_string(batch.rows).unwrap_or_else(|_| "[]".into())
    };
    let counts = batch.counts;
    let (id,): (i64,) = sqlx::query_as(
        "insert into import_batch (estate_id, file_name, file_sha256, status, row_count, houses, residents, \
         occupancies, unchanged, problems, rows, created_by, created_at, rows_cleared_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id",
    )
    .bind(batch.estate_id)
    .bind(batch.file_name)
    .bind(batch.sha256)
    .bind(batch.status)
    .bind(batch.rows.len() as i64)
    .bind(counts.houses)
    .bind(counts.residents)
    .bind(counts.occupancies)
    .bind(counts.unchanged)
    .bind(serde_json::to_string(batch.problems).unwrap_or_default())
    .bind(kept_rows)
    .bind(batch.by)
    .bind(&now)
    .bind(imported.then(|| now.clone()))
    .fetch_one(&mut **w)
    .await?;
    if imported {
        // Only the uploader's own: a colleague's file says nothing about
        // whether mine was fixed (theirs age out with the 7 days).
        sqlx::query(
            "update import_batch set rows = '[]', rows_cleared_at = $1 \
             where estate_id = $2 and created_by = $3 and status = 'rejected' \
               and rows_cleared_at is null",
        )
        .bind(&now)
        .bind(batch.estate_id)
        .bind(batch.by)
        .execute(&mut **w)
        .await?;
    }
    clear_expired_import_rows(&mut **w).await?;
    Ok(id)
}

/// Clears the rows of imports older than `REPORT_KEEP_DAYS`; returns how many
/// were cleared. Run by every import and once when the server starts, so rows
/// stored before a quiet week do not outlive their time.
pub async fn clear_expired_import_rows<'e>(ex: impl AnyExecutor<'e>) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update import_batch set rows = '[]', rows_cleared_at = $1 \
         where rows_cleared_at is null and created_at < $2",
    )
    .bind(time::now())
    .bind(report_cutoff())
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Rejected imports created before this have no report any more.
fn report_cutoff() -> String {
    time::to_db(chrono::Utc::now() - chrono::Duration::days(REPORT_KEEP_DAYS))
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    estate_id: i64,
    estate_name: String,
    file_name: String,
    status: ImportStatus,
    row_count: i64,
    houses: i64,
    residents: i64,
    occupancies: i64,
    unchanged: i64,
    problems: String,
    created_at: String,
}

const IMPORT_COLUMNS: &str = "b.id, b.estate_id, e.name as estate_name, b.file_name, b.status, \
     b.row_count, b.houses, b.residents, b.occupancies, b.unchanged, b.problems, b.created_at";

impl ImportRow {
    fn into_summary(self) -> ImportSummary {
        ImportSummary {
            id: self.id,
            estate_id: self.estate_id,
            estate_name: self.estate_name,
            file_name: self.file_name,
            status: self.status,
            row_count: self.row_count,
            houses: self.houses,
            residents: self.residents,
            occupancies: self.occupancies,
            unchanged: self.unchanged,
            problems: serde_json::from_str(&self.problems).unwrap_or_default(),
            created_at: self.created_at,
        }
    }
}

/// An import's summary: what the import page shows (counts and problems, no
/// raw rows; those are only read for the report, by [`import_report`]).
pub async fn import_batch<'e>(
    ex: impl AnyExecutor<'e>,
    id: i64,
) -> sqlx::Result<Option<ImportSummary>> {
    let row: Option<ImportRow> = sqlx::query_as(&format!(
        "select {IMPORT_COLUMNS} from import_batch b join estate e on e.id = b.estate_id where b.id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(ImportRow::into_summary))
}

/// A rejected import whose report can still be made: who uploaded it, and its rows as read.
pub struct ImportReport {
    pub summary: ImportSummary,
    pub uploaded_by: Option<AccountId>,
    pub rows: Vec<RawRow>,
}

#[derive(sqlx::FromRow)]
struct ImportReportRow {
    #[sqlx(flatten)]
    batch: ImportRow,
    created_by: Option<AccountId>,
    rows: String,
}

/// The report of import `id`, if it has one: a rejected import whose rows are
/// still kept (see [`record_import`]). An accepted import has none.
pub async fn import_report(pool: &AnyPool, id: i64) -> sqlx::Result<Option<ImportReport>> {
    let row: Option<ImportReportRow> = sqlx::query_as(&format!(
        "select {IMPORT_COLUMNS}, b.created_by, b.rows from import_batch b \
         join estate e on e.id = b.estate_id \
         where b.id = $1 and b.status = 'rejected' and b.rows_cleared_at is null and b.created_at >= $2"
    ))
    .bind(id)
    .bind(report_cutoff())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ImportReport {
        summary: r.batch.into_summary(),
        uploaded_by: r.created_by,
        rows: serde_json::from_str(&r.rows).unwrap_or_default(),
    }))
}
