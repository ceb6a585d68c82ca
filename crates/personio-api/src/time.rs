//! Reading Personio's many date and time spellings.
//!
//! v1 writes `2014-11-09T00:00:00+01:00` (employees) and `2017-12-27T00:00:00+0100`
//! (time-offs); v1 hourly absences and v2 timestamps use `Z`; v2 periods use local
//! `2024-06-07T09:00:00` with a separate zone; day fields are `YYYY-MM-DD` (personio-api.md
//! §5.2). These functions accept all of them and return `None` for anything else.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// An instant with its offset, from RFC 3339, a `+0100`-style offset, or a bare date
/// (midnight UTC). A date-time without offset is not an instant: see [`parse_local_datetime`].
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, format) {
            return Some(dt);
        }
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(
        Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
            .fixed_offset(),
    )
}

/// An instant in UTC; see [`parse_datetime`].
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    parse_datetime(s).map(|dt| dt.with_timezone(&Utc))
}

/// A wall-clock date-time without zone (`2024-06-07T09:00:00`, optional fraction). A value
/// carrying an offset yields its local reading.
pub fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Some(dt);
        }
    }
    parse_datetime(s).map(|dt| dt.naive_local())
}

/// A calendar day from `YYYY-MM-DD` or from any date-time (its local date).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_local_datetime(s).map(|dt| dt.date()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_spelling_personio_uses() {
        let berlin = parse_datetime("2014-11-09T00:00:00+01:00").unwrap();
        let compact = parse_datetime("2014-11-09T00:00:00+0100").unwrap();
        assert_eq!(berlin, compact);
        assert_eq!(
            parse_utc("2022-05-31T22:00:00.0Z").unwrap().to_rfc3339(),
            "2022-05-31T22:00:00+00:00"
        );
        assert_eq!(
            parse_date("2017-12-27T00:00:00+0100").unwrap().to_string(),
            "2017-12-27"
        );
        assert_eq!(
            parse_local_datetime("2024-06-07T09:00:00")
                .unwrap()
                .to_string(),
            "2024-06-07 09:00:00"
        );
        assert!(parse_datetime("yesterday").is_none());
    }
}
