//! Billing's pages, one file per page (or a page and its printed document):
//! fee setup, bill runs, meter readings, a house's account with the payment
//! form, receipts, the daily close, payment notices, and the portal's bills
//! and receipts. Each loads its data through the page's server functions.

mod account;
mod close;
mod fees;
mod notices;
mod portal;
mod readings;
mod receipts;
mod runs;

pub use account::HouseAccountPage;
pub use close::DailyClosePage;
pub use fees::FeesPage;
pub use notices::NoticesPage;
pub use portal::{PortalBillsPage, PortalReceiptPage};
pub use readings::ReadingsPage;
pub use receipts::{ReceiptDoc, ReceiptPage};
pub use runs::BillingPage;

use leptos::prelude::*;

use super::fen_text;

/// An amount in yuan, right-aligned in tables.
#[component]
fn Money(fen: i64) -> impl IntoView {
    view! { <span class="money">{fen_text(fen)}</span> }
}

/// Opens the browser's print dialog (the documents print themselves alone,
/// see the print stylesheet).
fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}
