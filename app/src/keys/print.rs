//! The key documents the desk prints: a cabinet's tag labels
//! (`/desk/keys/cabinets/:id/labels`, 标签打印: a QR code of each live copy's
//! tag, the tag, what a facility key opens (never a house's number), cabinet and hook; 3 × 8 labels of 63 × 34 mm
//! to an A4 sheet) and a day's key loan register
//! (`/desk/keys/register-sheet?estate=&day=`, 钥匙借用登记表: that day's
//! check-outs, numbers masked, an empty column for the paper signature and
//! blank rows for hand-written entries).
//!
//! The QR codes are drawn on the server (the `qrcode` crate, SVG) and travel
//! as SVG text; the page puts them in with `inner_html`.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::{KeyKind, Purpose, TakerKind};
use crate::common::Choice;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;
use crate::i18n::use_i18n;
use crate::ui::{id_param, load, query_num};

/// A QR code as an `<svg>` element (the goods-release pass draws one too).
#[cfg(feature = "ssr")]
pub use sql::{page_qr_svg, qr_svg};

/// Labels to an A4 sheet: 3 across, 8 down.
pub const LABELS_PER_SHEET: usize = 24;
/// Empty rows under a register's loans, for entries written by hand: at
/// least this many, and enough to fill [`REGISTER_ROWS`] lines.
pub const BLANK_ROWS: usize = 5;
/// The lines of a register that fit an A4 page (landscape).
pub const REGISTER_ROWS: usize = 12;

/// One copy's tag label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagLabel {
    pub tag: String,
    pub kind: KeyKind,
    /// The common area a facility key opens; empty for a house key (never printed).
    pub opens: String,
    /// The hook's label (`B04`).
    pub hook: String,
    /// The QR code of the tag, an `<svg>` element as text.
    pub qr_svg: String,
}

/// A cabinet's labels, one for every copy in it or out of it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSheet {
    pub cabinet_id: i64,
    pub cabinet: String,
    pub estate: String,
    pub labels: Vec<TagLabel>,
}

/// A line of the loan register: one check-out, personal numbers masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterLine {
    pub tag: String,
    pub opens: String,
    pub taker_kind: TakerKind,
    pub taker: String,
    /// Masked (`139****5678`); empty when none was taken.
    pub taker_phone: String,
    /// Masked (`110***********002X`).
    pub taker_id_number: Option<String>,
    pub purpose: Purpose,
    pub ticket_id: Option<i64>,
    pub authorised_by: String,
    /// Desk time: `HH:MM` on the register's day, else `MM-DD HH:MM`.
    pub out_at: String,
    pub due_at: Option<String>,
    pub returned_at: Option<String>,
    pub returned_by: Option<String>,
}

/// The key loan register of one estate and one desk day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterSheet {
    pub estates: Vec<Choice>,
    pub estate_id: i64,
    pub estate: String,
    /// `YYYY-MM-DD`, desk time.
    pub day: String,
    pub lines: Vec<RegisterLine>,
}

/// A cabinet's tag labels (needs the keys; the cabinet's estate must be the caller's).
#[server(endpoint = "get_key_labels")]
pub async fn get_key_labels(cabinet_id: i64) -> Result<LabelSheet, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        sql::labels(&call, cabinet_id).await
    })
    .await
}

/// The loan register of an estate (0: the caller's first) on a desk day
/// (`YYYY-MM-DD`; empty or unreadable: today). The desk's alone: it names takers.
#[server(endpoint = "get_key_register_sheet")]
pub async fn get_key_register_sheet(
    estate_id: i64,
    day: String,
) -> Result<RegisterSheet, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        sql::register_sheet(&call, estate_id, &day).await
    })
    .await
}

/// The SQL and the QR codes (server only).
#[cfg(feature = "ssr")]
mod sql {
    use qrcode::render::svg;
    use qrcode::{EcLevel, QrCode};

    use super::{LabelSheet, RegisterLine, RegisterSheet, TagLabel};
    use crate::db::{estate_filter, scoped_estates, time};
    use crate::error::AppError;
    use crate::guard::Call;
    use crate::keys::rules::hook_label;
    use crate::keys::{KeyKind, Purpose, TakerKind};
    use crate::ui::desk_minute;

    /// The QR code of a page of this site (`path`), by the full address on
    /// the host the desk uses (a pass's or a permit's check page).
    pub async fn page_qr_svg(path: &str) -> Result<String, AppError> {
        let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("http");
        qr_svg(&format!("{scheme}://{host}{path}"))
    }

    /// A tag's QR code as an `<svg>` element (no XML prolog: it goes into HTML).
    /// Level M survives a scuffed label; the quiet zone keeps neighbours apart.
    pub fn qr_svg(tag: &str) -> Result<String, AppError> {
        let code = QrCode::with_error_correction_level(tag.as_bytes(), EcLevel::M)
            .map_err(|e| AppError::internal(format!("QR code of {tag}: {e}")))?;
        let image = code
            .render::<svg::Color>()
            .quiet_zone(true)
            .module_dimensions(4, 4)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build();
        Ok(image
            .find("<svg")
            .map_or(image.clone(), |at| image[at..].to_string()))
    }

    #[derive(sqlx::FromRow)]
    struct CabinetRow {
        estate_id: i64,
        name: String,
        hook_cols: i64,
        estate: String,
    }

    #[derive(sqlx::FromRow)]
    struct LabelRow {
        tag: String,
        kind: KeyKind,
        opens: Option<String>,
        hook: i64,
    }

    pub async fn labels(call: &Call, cabinet_id: i64) -> Result<LabelSheet, AppError> {
        let cab: CabinetRow = sqlx::query_as(
            "select cab.estate_id, cab.name, cab.hook_cols, e.name as estate \
             from key_cabinet cab join estate e on e.id = cab.estate_id where cab.id = $1",
        )
        .bind(cabinet_id)
        .fetch_optional(call.pool())
        .await?
        .ok_or(AppError::NotFound)?;
        call.caller.check_estate(cab.estate_id)?;
        let rows: Vec<LabelRow> = sqlx::query_as(&format!(
            "select c.tag, s.kind, coalesce(h.number, l.name) as opens, c.hook \
             from key_copy c join key_set s on s.id = c.key_set_id \
             left join house h on h.id = s.house_id left join repair_location l on l.id = s.location_id \
             where c.cabinet_id = $1 and c.status in ('in_cabinet', 'out'){} \
             order by c.hook, c.copy_no, c.id",
            estate_filter(&call.caller.scope, "c.estate_id")
        ))
        .bind(cabinet_id)
        .fetch_all(call.pool())
        .await?;
        let mut labels = Vec::with_capacity(rows.len());
        for r in rows {
            labels.push(TagLabel {
                qr_svg: qr_svg(&r.tag)?,
                tag: r.tag,
                kind: r.kind,
                // A label travels with the key: a house key's never names its
                // house, so a lost one tells its finder nothing. Facility keys
                // name their room.
                opens: match r.kind {
                    KeyKind::Facility => r.opens.unwrap_or_default(),
                    KeyKind::Unhanded | KeyKind::Entrusted => String::new(),
                },
                hook: hook_label(r.hook, cab.hook_cols),
            });
        }
        Ok(LabelSheet {
            cabinet_id,
            cabinet: cab.name,
            estate: cab.estate,
            labels,
        })
    }

    #[derive(sqlx::FromRow)]
    struct LoanRow {
        tag: String,
        opens: Option<String>,
        taker_kind: TakerKind,
        taker_name: String,
        taker_phone: String,
        taker_id_number: Option<String>,
        purpose: Purpose,
        ticket_id: Option<i64>,
        authorised_by: String,
        out_at: String,
        due_at: Option<String>,
        returned_at: Option<String>,
        returned_by_name: Option<String>,
    }

    /// A stored time on the register of `day`: the clock alone on that day,
    /// with the month and day on another.
    fn on_day(at: &str, day: &str) -> String {
        let shown = desk_minute(at);
        match shown.strip_prefix(day) {
            Some(clock) => clock.trim().to_string(),
            None => shown.get(5..).unwrap_or(&shown).to_string(),
        }
    }

    pub async fn register_sheet(
        call: &Call,
        estate_id: i64,
        day: &str,
    ) -> Result<RegisterSheet, AppError> {
        use crate::common::personal::{mask_id_number, mask_mobile};
        if estate_id != 0 {
            call.caller.check_estate(estate_id)?;
        }
        let (estates, estate_id) =
            scoped_estates(call.pool(), &call.caller.scope, estate_id).await?;
        let estate = estates
            .iter()
            .find(|e| e.id == estate_id)
            .map(|e| e.name.clone())
            .ok_or(AppError::NotFound)?;
        let (day, from, until) = match (
            time::local_day_start_utc(day.trim()),
            time::next_local_day_start_utc(day.trim()),
        ) {
            (Some(from), Some(until)) => (day.trim().to_string(), from, until),
            _ => {
                let today = time::desk_today();
                let from = time::local_day_start_utc(&today).unwrap_or_default();
                let until = time::next_local_day_start_utc(&today).unwrap_or_default();
                (today, from, until)
            }
        };
        let rows: Vec<LoanRow> = sqlx::query_as(&format!(
            "select c.tag, coalesce(h.number, l.name) as opens, lo.taker_kind, lo.taker_name, \
                lo.taker_phone, lo.taker_id_number, lo.purpose, lo.ticket_id, \
                au.display_name as authorised_by, lo.out_at, lo.due_at, lo.returned_at, lo.returned_by_name \
             from key_loan lo join key_copy c on c.id = lo.copy_id join key_set s on s.id = c.key_set_id \
             left join house h on h.id = s.house_id left join repair_location l on l.id = s.location_id \
             join account au on au.id = lo.authorised_by \
             where lo.estate_id = $1 and lo.out_at >= $2 and lo.out_at < $3{} \
             order by lo.out_at, lo.id",
            estate_filter(&call.caller.scope, "lo.estate_id")
        ))
        .bind(estate_id)
        .bind(&from)
        .bind(&until)
        .fetch_all(call.pool())
        .await?;
        let lines = rows
            .into_iter()
            .map(|r| RegisterLine {
                tag: r.tag,
                opens: r.opens.unwrap_or_default(),
                taker_kind: r.taker_kind,
                taker: r.taker_name,
                taker_phone: if r.taker_phone.is_empty() {
                    String::new()
                } else {
                    mask_mobile(&r.taker_phone)
                },
                taker_id_number: r.taker_id_number.as_deref().map(mask_id_number),
                purpose: r.purpose,
                ticket_id: r.ticket_id,
                authorised_by: r.authorised_by,
                out_at: on_day(&r.out_at, &day),
                due_at: r.due_at.as_deref().map(|d| on_day(d, &day)),
                returned_at: r.returned_at.as_deref().map(|d| on_day(d, &day)),
                returned_by: r.returned_by_name,
            })
            .collect();
        Ok(RegisterSheet {
            estates,
            estate_id,
            estate,
            day,
            lines,
        })
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn a_tag_becomes_an_svg_element() {
            let svg = super::qr_svg("K0012-1").expect("qr");
            assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
            assert!(svg.ends_with("</svg>"));
            assert!(!svg.contains("<?xml"));
        }

        #[test]
        fn times_on_the_day_show_the_clock_alone() {
            // 2026-12-01 02:05 UTC is 10:05 at the desk.
            assert_eq!(
                super::on_day("2026-12-01T02:05:00.000000Z", "2026-12-01"),
                "10:05"
            );
            assert_eq!(
                super::on_day("2026-12-02T02:05:00.000000Z", "2026-12-01"),
                "12-02 10:05"
            );
        }
    }
}

/// Opens the browser's print dialog (the print stylesheet leaves the document alone).
fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

/// `/desk/keys/cabinets/:id/labels`: a cabinet's tag labels, to print.
#[component]
pub fn KeyLabelsPage() -> impl IntoView {
    let id = id_param();
    let sheet = Resource::new(id, get_key_labels);
    load(move || sheet, move |s| view! { <Labels s /> })
}

#[component]
fn Labels(s: LabelSheet) -> impl IntoView {
    let i18n = use_i18n();
    let count = s.labels.len();
    let sheets = s
        .labels
        .chunks(LABELS_PER_SHEET)
        .map(|chunk| {
            let labels = chunk
                .iter()
                .map(|l| {
                    view! {
                        <li class="key-label">
                            <div class="label-qr" aria-hidden="true" inner_html=l.qr_svg.clone()></div>
                            <div class="label-text">
                                <strong class="label-tag">{l.tag.clone()}</strong>
                                <span class="label-opens">{if l.opens.is_empty() { use_i18n().t(l.kind.key()) } else { l.opens.clone() }}</span>
                                <span class="label-place">{format!("{} · {}", s.cabinet, l.hook)}</span>
                            </div>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="label-sheet">{labels}</ol> }
        })
        .collect_view();
    view! {
        <p class="crumbs no-print">
            <a href="/desk/keys">{i18n.t("keys.title")}</a> " › "
            <a href=format!("/desk/keys/cabinets/{}", s.cabinet_id)>{s.cabinet.clone()}</a>
        </p>
        <h1 class="no-print">{i18n.f("keys.labels_title", &[("cabinet", &s.cabinet)])}</h1>
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("keys.print")}</button>
            <span class="muted">{i18n.f("keys.labels_hint", &[("n", &count.to_string())])}</span>
        </div>
        {(count == 0).then(|| view! { <p class="empty">{use_i18n().t("keys.labels_none")}</p> })}
        <div class="label-sheets">{sheets}</div>
    }
}

/// `/desk/keys/register-sheet?estate=&day=`: the day's key loan register, to print.
#[component]
pub fn KeyRegisterSheetPage() -> impl IntoView {
    let estate = query_num("estate");
    let query = use_query_map();
    let day = move || query.read().get("day").unwrap_or_default();
    let sheet = Resource::new(
        move || (estate(), day()),
        |(e, d)| get_key_register_sheet(e, d),
    );
    load(move || sheet, move |s| view! { <Register s /> })
}

#[component]
fn Register(s: RegisterSheet) -> impl IntoView {
    let i18n = use_i18n();
    let e = s.estate_id;
    let options = s
        .estates
        .iter()
        .map(|x| view! { <option value=x.id selected=x.id == e>{x.name.clone()}</option> })
        .collect_view();
    let lines = s
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let t = use_i18n();
            let numbers = [l.taker_phone.clone(), l.taker_id_number.clone().unwrap_or_default()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            let who = t.t(l.taker_kind.key());
            view! {
                <tr>
                    <td class="num">{n + 1}</td>
                    <td class="nowrap">{l.tag.clone()}</td>
                    <td>{l.opens.clone()}</td>
                    <td class="register-taker">
                        <strong>{l.taker.clone()}</strong> " " <span class="muted">{who}</span>
                        {(!numbers.is_empty()).then(|| view! { <br /><span class="register-numbers">{numbers}</span> })}
                    </td>
                    <td>{t.t(l.purpose.key())}{l.ticket_id.map(|id| format!(" #{id}"))}</td>
                    <td>{l.authorised_by.clone()}</td>
                    <td class="nowrap">{l.out_at.clone()}</td>
                    <td class="nowrap">{l.due_at.clone().unwrap_or_default()}</td>
                    <td class="nowrap">{l.returned_at.clone().unwrap_or_default()}</td>
                    <td>{l.returned_by.clone().unwrap_or_default()}</td>
                    <td class="register-sign"></td>
                </tr>
            }
        })
        .collect_view();
    let many = s.estates.len() > 1;
    let day = s.day.clone();
    let first_blank = s.lines.len() + 1;
    let blank = BLANK_ROWS.max(REGISTER_ROWS.saturating_sub(s.lines.len()));
    let blanks = (first_blank..first_blank + blank)
        .map(|n| {
            view! {
                <tr class="register-blank">
                    <td class="num">{n}</td>
                    <td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="crumbs no-print"><a href=format!("/desk/keys?estate={e}")>{i18n.t("keys.title")}</a></p>
        // Wrapped: a form's own box would open a printed page of its own.
        <div class="no-print">
            <Form method="GET" action="/desk/keys/register-sheet">
                <div class="filters">
                    {many.then(|| view! {
                        <div class="field">
                            <label for="f-estate">{use_i18n().t("estate.name")}</label>
                            <select id="f-estate" name="estate">{options}</select>
                        </div>
                    })}
                    {(!many).then(|| view! { <input type="hidden" name="estate" value=e /> })}
                    <div class="field">
                        <label for="f-day">{i18n.t("keys.register_day")}</label>
                        <input id="f-day" name="day" type="date" value=day />
                    </div>
                    <button type="submit">{i18n.t("common.show")}</button>
                </div>
            </Form>
        </div>
        <div class="print-tools no-print">
            <button type="button" class="primary" on:click=move |_| print_page()>{i18n.t("keys.print")}</button>
            <span class="muted">{i18n.f("keys.register_count", &[("n", &s.lines.len().to_string())])}</span>
        </div>
        <article class="loan-register">
            <h1>{i18n.t("keys.register_sheet")}</h1>
            <p class="register-meta">
                <span>{i18n.f("keys.register_estate", &[("estate", &s.estate)])}</span>
                <span>{i18n.f("keys.register_date", &[("day", &s.day)])}</span>
            </p>
            <table>
                <thead>
                    <tr>
                        <th scope="col" class="num">{i18n.t("keys.register_no")}</th>
                        <th scope="col">{i18n.t("keys.tag")}</th>
                        <th scope="col">{i18n.t("keys.opens")}</th>
                        <th scope="col">{i18n.t("keys.taker_label")}</th>
                        <th scope="col">{i18n.t("keys.purpose_label")}</th>
                        <th scope="col">{i18n.t("keys.authorised_by")}</th>
                        <th scope="col">{i18n.t("keys.out_at")}</th>
                        <th scope="col">{i18n.t("keys.due")}</th>
                        <th scope="col">{i18n.t("keys.returned_at")}</th>
                        <th scope="col">{i18n.t("keys.returned_by")}</th>
                        <th scope="col" class="register-sign">{i18n.t("keys.signed")}</th>
                    </tr>
                </thead>
                <tbody>
                    {lines}
                    {blanks}
                </tbody>
            </table>
            <p class="register-foot">{i18n.t("keys.register_foot")}</p>
        </article>
    }
}
