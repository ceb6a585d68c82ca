//! Company → Personio's wire types, per request: the caller's readable attributes decide
//! which fields appear (absent, never `null`, when not readable), and links point at the
//! origin the caller used.

pub(crate) mod absence;
pub(crate) mod attendance;
pub(crate) mod compensations;
pub(crate) mod documents;
pub(crate) mod feed;
pub(crate) mod page;
pub(crate) mod pdf;
pub(crate) mod picture;
pub(crate) mod project;
pub(crate) mod recruiting;
pub(crate) mod reports;
pub(crate) mod template;
pub(crate) mod v1;
pub(crate) mod v2;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;

/// v1 date-time: company-local with a colon offset, `2017-05-23T09:49:03+02:00`.
pub(crate) fn v1_datetime(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// v1 day: local midnight, `2014-11-09T00:00:00+01:00`.
pub(crate) fn v1_date(day: NaiveDate, tz: Tz) -> String {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    match midnight.and_local_timezone(tz).earliest() {
        Some(local) => local.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        // A zone that skips midnight: fall back to the UTC reading.
        None => format!("{}+00:00", midnight.format("%Y-%m-%dT%H:%M:%S")),
    }
}

/// v2 timestamp: UTC, whole seconds, `Z` (format unconfirmed; personio-api.md §8).
pub(crate) fn v2_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A JSON number as Personio writes it: `100`, not `100.0` (see `personio_api::number`).
pub(crate) fn number(value: f64) -> serde_json::Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Value::from(value)
    }
}

/// v2 day: `YYYY-MM-DD`.
pub(crate) fn v2_date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_dates_carry_the_company_offset_of_their_season() {
        let berlin = chrono_tz::Europe::Berlin;
        let winter = NaiveDate::from_ymd_opt(2014, 11, 9).unwrap();
        let summer = NaiveDate::from_ymd_opt(2017, 5, 23).unwrap();
        assert_eq!(v1_date(winter, berlin), "2014-11-09T00:00:00+01:00");
        assert_eq!(v1_date(summer, berlin), "2017-05-23T00:00:00+02:00");
    }
}
