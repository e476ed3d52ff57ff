//! The ageing tables as .xlsx: the estate's by building, and a list of
//! houses — the same rows the pages show, amounts in yuan (numbers with two
//! decimals, so a spreadsheet can sum them), house counts beside them.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::arrears::{AgeingRow, Bucket};
use crate::common::Lang;
use crate::i18n::tr;

/// Fen as the spreadsheet's number of yuan: exact to the fen for any amount
/// an estate owes (below 2^53 fen), shown with two decimals.
fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// A sheet `title` of `rows` (and a total row, if given); `first`: the first
/// column's heading (building or house); `houses`: each bucket's house count
/// beside its amount (the estate's table; a house's own row needs none).
pub fn xlsx(
    lang: Lang,
    title: &str,
    first: &str,
    rows: &[AgeingRow],
    total: Option<&AgeingRow>,
    houses: bool,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(tr(lang, "arrears.title"))?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let t = |k: &str| tr(lang, k);
    sheet.write_with_format(0, 0, title, &bold)?;
    let head = 2u32;
    let mut col = 0u16;
    sheet.write_with_format(head, col, first, &bold)?;
    let mut heading = |col: &mut u16, text: String| -> Result<(), XlsxError> {
        *col += 1;
        sheet.write_with_format(head, *col, text, &bold)?;
        Ok(())
    };
    for b in Bucket::ALL {
        heading(&mut col, t(b.key()))?;
        if houses {
            heading(
                &mut col,
                format!("{} · {}", t(b.key()), t("arrears.houses")),
            )?;
        }
    }
    heading(&mut col, t("arrears.total"))?;
    if houses {
        heading(
            &mut col,
            format!("{} · {}", t("arrears.total"), t("arrears.houses")),
        )?;
    }
    heading(&mut col, t("arrears.late_fees"))?;
    heading(&mut col, t("arrears.oldest_days"))?;
    for (i, r) in rows.iter().chain(total).enumerate() {
        let row = head + 1 + i as u32;
        let mut col = 0u16;
        sheet.write(row, col, r.name.as_str())?;
        for c in r.buckets.iter().chain(std::iter::once(&r.total)) {
            col += 1;
            sheet.write_with_format(row, col, yuan(c.fen), &money)?;
            if houses {
                col += 1;
                sheet.write(row, col, c.houses as f64)?;
            }
        }
        sheet.write_with_format(row, col + 1, yuan(r.late_fee_fen), &money)?;
        sheet.write(row, col + 2, r.oldest_days as f64)?;
    }
    sheet.set_column_width(0, 16)?;
    book.save_to_buffer()
}
