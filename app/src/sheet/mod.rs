//! Spreadsheets in and out, for every area that imports or exports one:
//! [`Problem`], a refused row or file as its report shows it (both targets),
//! and reading an upload within bounds ([`read`], server only).

#[cfg(feature = "ssr")]
pub mod read;

use serde::{Deserialize, Serialize};

/// One reason an import row (or the whole file) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub sheet: String,
    /// The row as the spreadsheet numbers it; 0 for the file as a whole.
    pub row: usize,
    /// The column's header ("" for the file as a whole).
    pub column: String,
    pub reason: String,
}
