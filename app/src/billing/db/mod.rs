//! Billing's reads for the pages, and the setup writes, by workflow:
//!
//! - [`fees`]: fee items, rates and the late-fee policy;
//! - [`readings`]: the meter-reading grid and readings files;
//! - [`openings`]: opening meter readings (起始读数), which readings count from;
//! - [`runs`]: bill runs and the waivers waiting for a manager;
//! - [`account`]: a house's account (the counter's page);
//! - [`documents`]: receipts (and their prints) and payment notices;
//! - [`close`]: the daily-close page.
//!
//! The money writes are [`super::ledger`]'s; server functions authorise
//! before calling any of these.

pub mod account;
pub mod close;
pub mod documents;
pub mod fees;
pub mod openings;
pub mod readings;
pub mod runs;

pub use super::basis::explain;
pub use super::rules::parse_reading;
pub use account::{house_account, house_estate, new_request_key, payment_house};
pub use close::daily_close_page;
pub use documents::{building_debtors, building_notices, notice, receipt, record_print};
pub use fees::{add_rate, create_fee_item, fee_setup, set_late_policy};
pub use openings::{
    last_reading, metered_items, missing_openings, record_opening, save_openings, OpeningEntry,
};
pub use readings::{
    import_readings, reading_grid, reading_import, save_readings, ReadingEntry, READING_COLUMNS,
};
pub use runs::{overview, run_view};

use chrono::NaiveDate;

use crate::common::Lang;
use crate::db::time;
use crate::error::AppError;
use crate::i18n::tr;

/// The desk's month (China time), as a period: `YYYY-MM`.
fn this_month() -> String {
    time::desk_today()[..7].to_string()
}

/// A date typed into `field`, or that field's error.
fn parse_day(lang: Lang, field: &str, text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, tr(lang, "billing.invalid.date")))
}

/// The names of the house's current owners (the account page's and a
/// payment notice's; a receipt names the payer stored with its payment).
pub(super) async fn owners<'e>(
    ex: impl sqlx::AnyExecutor<'e>,
    house_id: i64,
) -> sqlx::Result<String> {
    let names: Vec<(String,)> = sqlx::query_as(
        "select r.name from occupancy o join resident r on r.id = o.resident_id \
         where o.house_id = $1 and o.end_date is null and o.role in ('owner', 'co_owner') order by o.id",
    )
    .bind(house_id)
    .fetch_all(ex)
    .await?;
    Ok(names
        .into_iter()
        .map(|(n,)| n)
        .collect::<Vec<_>>()
        .join("、"))
}

/// A line's item as the desk, the receipt and the portal name it: a late-fee
/// line is named after the item it is the late fee of.
pub(super) fn item_name(lang: Lang, item: String, late_fee: bool) -> String {
    if late_fee {
        crate::i18n::I18n(lang).f("billing.late_fee_of", &[("item", &item)])
    } else {
        item
    }
}
