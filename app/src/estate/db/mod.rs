//! Register SQL, one file per workflow: [`houses`] (the list, the house
//! page, a new house, its facts and status), [`residents`] (the resident
//! pages, corrections, reveals, the exports), [`occupancies`] (who lives
//! where, and moving in and out), [`find`] (the search box's candidates) and
//! [`imports`] (import attempts and their reports). Server functions
//! authorise (and check the estate) first; these only read and write.
//! Writes take the caller's [`crate::db::Write`]; reads a pool or any executor.

pub mod find;
pub mod houses;
pub mod imports;
pub mod occupancies;
pub mod residents;

pub use find::search;
pub use houses::{
    change_status, ensure_building, export_rows, house_by_number, house_detail, house_estate,
    house_facts, house_list, insert_house, latest_effective_on, update_house, ExportRow, NewHouse,
};
pub use imports::{
    clear_expired_import_rows, import_batch, import_report, record_import, ImportReport, NewBatch,
};
pub use occupancies::{
    add_occupant, end_occupancy, ensure_occupant, occupancy, Ensured, NewOccupant,
};
pub use residents::{
    resident_detail, resident_export_rows, resident_field, resident_for_update, resident_list,
    reveal_field, update_resident, ResidentFields,
};

/// The last four characters of a mobile or ID number, kept beside it for the
/// search box's indexed tail match.
fn tail4(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}
