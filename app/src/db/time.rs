//! Dates and timestamps as the database stores them: `YYYY-MM-DD` and RFC 3339
//! UTC text with microseconds and a `Z`, one fixed width so text order is time order.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn now() -> String {
    to_db(Utc::now())
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn date_to_db(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = Utc
            .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("valid");
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(to_db(a), "2026-01-02T03:04:05.000000Z");
        assert!(to_db(a) < to_db(b));
        assert_eq!(from_db(&to_db(b)), Some(b));
    }
}

/// The desk's clock: China Standard Time (UTC+8, no daylight saving).
pub fn desk_offset() -> chrono::FixedOffset {
    #[expect(clippy::unwrap_used, reason = "8 hours is a valid offset")]
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

/// The desk's day of a stored instant.
pub fn desk_day(stored: &str) -> Option<NaiveDate> {
    from_db(stored).map(|t| t.with_timezone(&desk_offset()).date_naive())
}

/// Today at the desk, `YYYY-MM-DD`.
pub fn desk_today() -> String {
    date_to_db(Utc::now().with_timezone(&desk_offset()).date_naive())
}

/// `YYYY-MM-DD` (a desk day) → the UTC text of its first instant.
pub fn local_day_start_utc(day: &str) -> Option<String> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let local = d
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(desk_offset())
        .single()?;
    Some(to_db(local.with_timezone(&Utc)))
}

/// The UTC text of the first instant of the desk day after `day`.
pub fn next_local_day_start_utc(day: &str) -> Option<String> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()?
        .succ_opt()?;
    local_day_start_utc(&date_to_db(d))
}

#[cfg(test)]
mod desk_day_tests {
    use super::*;

    #[test]
    fn desk_days_are_utc_plus_eight() {
        assert_eq!(
            local_day_start_utc("2026-11-22").as_deref(),
            Some("2026-11-21T16:00:00.000000Z")
        );
        assert_eq!(
            next_local_day_start_utc("2026-11-22").as_deref(),
            Some("2026-11-22T16:00:00.000000Z")
        );
        assert_eq!(local_day_start_utc("2026-13-01"), None);
    }
}

/// A desk time typed in a `datetime-local` field (`YYYY-MM-DDTHH:MM`, China
/// Standard Time) → the stored UTC text; `None` when it is not one.
pub fn desk_minute_to_db(text: &str) -> Option<String> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let local = naive.and_local_timezone(desk_offset()).single()?;
    Some(to_db(local.with_timezone(&Utc)))
}

/// A stored UTC time as a `datetime-local` field's value (desk time, to the minute).
pub fn db_to_desk_minute(t: DateTime<Utc>) -> String {
    t.with_timezone(&desk_offset())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}
