//! The desk's repair statistics for a date range, and their .xlsx export.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};
use sqlx::AnyPool;

use super::rules::Status;
use super::{Category, RepairStats};
use crate::common::{EstateScope, Lang};
use crate::db::time;
use crate::i18n::tr;

/// One ticket as the statistics need it (its columns' names).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sample {
    pub category: String,
    pub status: Status,
    pub created_at: String,
    pub accepted_at: Option<String>,
    pub done_at: Option<String>,
    pub completion_due_at: String,
    pub rework_count: i64,
}

fn minutes_between(a: &str, b: &str) -> Option<i64> {
    Some((time::from_db(b)? - time::from_db(a)?).num_minutes())
}

/// Averages rounded half-up to the minute; shares in per mille, half-up.
fn avg(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as i64;
    Some((2 * values.iter().sum::<i64>() + n) / (2 * n))
}

fn permille(part: usize, whole: usize) -> Option<i64> {
    (whole > 0).then(|| ((2000 * part + whole) / (2 * whole)) as i64)
}

/// The figures for a set of tickets and the ratings of their visits.
pub fn compute(samples: &[Sample], ratings: &[i64]) -> RepairStats {
    let mut by_category = Vec::new();
    for &c in Category::ALL {
        let counts: Vec<i64> = Status::ALL
            .iter()
            .map(|s| {
                samples
                    .iter()
                    .filter(|t| t.category == c.as_str() && t.status == *s)
                    .count() as i64
            })
            .collect();
        let total = counts.iter().sum();
        by_category.push((c, counts, total));
    }
    let response: Vec<i64> = samples
        .iter()
        .filter_map(|t| minutes_between(&t.created_at, t.accepted_at.as_deref()?))
        .collect();
    // Finished: done or visited (a reopened ticket is not finished yet).
    let finished: Vec<&Sample> = samples
        .iter()
        .filter(|t| matches!(t.status, Status::Done | Status::Closed) && t.done_at.is_some())
        .collect();
    let completion: Vec<i64> = finished
        .iter()
        .filter_map(|t| minutes_between(&t.created_at, t.done_at.as_deref()?))
        .collect();
    let on_time = finished
        .iter()
        .filter(|t| {
            t.done_at
                .as_deref()
                .is_some_and(|d| d <= t.completion_due_at.as_str())
        })
        .count();
    let worked: Vec<&Sample> = samples
        .iter()
        .filter(|t| t.done_at.is_some() || t.rework_count > 0)
        .collect();
    let reworked = worked.iter().filter(|t| t.rework_count > 0).count();
    let rating = (!ratings.is_empty()).then(|| {
        let n = ratings.len() as i64;
        (200 * ratings.iter().sum::<i64>() + n) / (2 * n)
    });
    RepairStats {
        estates: Vec::new(),
        estate_id: 0,
        from: String::new(),
        to: String::new(),
        by_category,
        total: samples.len() as i64,
        avg_response_minutes: avg(&response),
        avg_completion_minutes: avg(&completion),
        on_time_permille: permille(on_time, finished.len()),
        rework_permille: permille(reworked, worked.len()),
        avg_rating_centi: rating,
        visits: ratings.len() as i64,
    }
}

/// Tickets reported from `from` to `to` (desk days, inclusive) in one estate.
pub async fn stats(
    pool: &AnyPool,
    scope: &EstateScope,
    wanted: i64,
    from: &str,
    to: &str,
) -> sqlx::Result<RepairStats> {
    let (estates, estate_id) = crate::db::scoped_estates(pool, scope, wanted).await?;
    let today = time::desk_today();
    let valid = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok();
    let to = if valid(to) {
        to.to_string()
    } else {
        today.clone()
    };
    let from = if valid(from) {
        from.to_string()
    } else {
        format!("{}-01", &to[..7])
    };
    let start = time::local_day_start_utc(&from).unwrap_or_default();
    let end = time::next_local_day_start_utc(&to).unwrap_or_default();
    let samples: Vec<Sample> = sqlx::query_as(
        "select category, status, created_at, accepted_at, done_at, completion_due_at, rework_count \
         from repair_ticket where estate_id = $1 and created_at >= $2 and created_at < $3",
    )
    .bind(estate_id)
    .bind(&start)
    .bind(&end)
    .fetch_all(pool)
    .await?;
    let ratings: Vec<(i64,)> = sqlx::query_as(
        "select v.rating from return_visit v join repair_ticket t on t.id = v.subject_id \
         where v.subject_kind = 'repair' and t.estate_id = $1 and t.created_at >= $2 and t.created_at < $3",
    )
    .bind(estate_id)
    .bind(&start)
    .bind(&end)
    .fetch_all(pool)
    .await?;
    let ratings: Vec<i64> = ratings.into_iter().map(|(r,)| r).collect();
    Ok(RepairStats {
        estates,
        estate_id,
        from,
        to,
        ..compute(&samples, &ratings)
    })
}

/// The statistics as a workbook: the summary, then categories × states.
pub fn xlsx(s: &RepairStats, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(tr(lang, "repairs.stats_title"))?;
    let bold = Format::new().set_bold();
    let t = |k: &str| tr(lang, k);
    sheet.write_with_format(
        0,
        0,
        format!("{} {} → {}", t("repairs.stats_title"), s.from, s.to),
        &bold,
    )?;
    let summary: [(String, String); 6] = [
        (t("repairs.stats.total"), s.total.to_string()),
        (
            t("repairs.stats.avg_response"),
            s.avg_response_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
        (
            t("repairs.stats.avg_completion"),
            s.avg_completion_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
        (
            t("repairs.stats.on_time"),
            s.on_time_permille
                .map(super::permille_text)
                .unwrap_or_default(),
        ),
        (
            t("repairs.stats.rework"),
            s.rework_permille
                .map(super::permille_text)
                .unwrap_or_default(),
        ),
        (
            t("repairs.stats.avg_rating"),
            s.avg_rating_centi
                .map(|r| format!("{}.{:02}", r / 100, r % 100))
                .unwrap_or_default(),
        ),
    ];
    for (i, (label, value)) in summary.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write(row, 0, label.as_str())?;
        sheet.write(row, 1, value.as_str())?;
    }
    let head = 10u32;
    sheet.write_with_format(head, 0, t("repairs.category"), &bold)?;
    for (i, st) in Status::ALL.iter().enumerate() {
        sheet.write_with_format(head, 1 + i as u16, t(st.key()), &bold)?;
    }
    sheet.write_with_format(
        head,
        1 + Status::ALL.len() as u16,
        t("repairs.stats.total"),
        &bold,
    )?;
    for (r, (category, counts, total)) in s.by_category.iter().enumerate() {
        let row = head + 1 + r as u32;
        sheet.write(row, 0, t(category.key()))?;
        for (i, n) in counts.iter().enumerate() {
            sheet.write(row, 1 + i as u16, *n as f64)?;
        }
        sheet.write(row, 1 + counts.len() as u16, *total as f64)?;
    }
    sheet.set_column_width(0, 24)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(
        category: &str,
        status: Status,
        accepted: Option<&str>,
        done: Option<&str>,
        rework: i64,
    ) -> Sample {
        Sample {
            category: category.into(),
            status,
            created_at: "2026-11-20T00:00:00.000000Z".into(),
            accepted_at: accepted.map(Into::into),
            done_at: done.map(Into::into),
            completion_due_at: "2026-11-20T04:00:00.000000Z".into(),
            rework_count: rework,
        }
    }

    #[test]
    fn figures_of_a_small_month() {
        let samples = vec![
            // answered in 10 min, done in 3 h: on time
            t(
                "water",
                Status::Closed,
                Some("2026-11-20T00:10:00.000000Z"),
                Some("2026-11-20T03:00:00.000000Z"),
                0,
            ),
            // answered in 20 min, done in 5 h: late, and reworked once
            t(
                "water",
                Status::Done,
                Some("2026-11-20T00:20:00.000000Z"),
                Some("2026-11-20T05:00:00.000000Z"),
                1,
            ),
            // waiting
            t("lift", Status::Submitted, None, None, 0),
        ];
        let s = compute(&samples, &[5, 2]);
        assert_eq!(s.total, 3);
        let water = &s.by_category[0];
        assert_eq!((water.0.as_str(), water.2), ("water", 2));
        assert_eq!(
            water.1[Status::ALL
                .iter()
                .position(|x| *x == Status::Closed)
                .unwrap_or(0)],
            1
        );
        assert_eq!(s.avg_response_minutes, Some(15));
        assert_eq!(s.avg_completion_minutes, Some(240));
        assert_eq!(s.on_time_permille, Some(500));
        assert_eq!(s.rework_permille, Some(500));
        assert_eq!(s.avg_rating_centi, Some(350));
    }

    #[test]
    fn nothing_to_count_is_no_figure() {
        let s = compute(&[], &[]);
        assert_eq!(s.total, 0);
        assert_eq!(s.avg_response_minutes, None);
        assert_eq!(s.on_time_permille, None);
        assert_eq!(s.avg_rating_centi, None);
    }

    #[test]
    fn averages_round_half_up() {
        assert_eq!(avg(&[1, 2]), Some(2));
        assert_eq!(avg(&[1, 1, 2]), Some(1));
        assert_eq!(permille(1, 3), Some(333));
        assert_eq!(permille(2, 3), Some(667));
    }
}
