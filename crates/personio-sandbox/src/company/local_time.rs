//! Wall-clock times as time records keep them: whole minutes since 1970-01-01T00:00 in the
//! person's own zone, in an `i32` (enough until the year 6053). Millions of attendance
//! periods stay small this way, and compare and sort as plain integers.
//!
//! Personio's v2 periods are zone-less `date_time` values (personio-api.md §3.6–3.7), so a
//! local reading is the natural unit; converting to UTC needs the person's zone.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// Days between 0001-01-01 (chrono's day 1) and 1970-01-01.
const UNIX_EPOCH_DAY: i32 = 719_163;
pub(crate) const MINUTES_PER_DAY: i32 = 1440;

/// A wall-clock minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalMinute(pub i32);

impl LocalMinute {
    /// "No end yet": later than any real time, so open periods sort last in ascending
    /// order and first in descending order, as Personio sorts nulls (§3.6).
    pub const OPEN: LocalMinute = LocalMinute(i32::MAX);

    /// `minute` minutes after the midnight that starts `day`; outside the range it sticks
    /// to the nearest end (for comparisons with far-off dates from requests).
    pub fn at(day: NaiveDate, minute: i32) -> LocalMinute {
        let minutes = Self::minutes_at(day, minute);
        LocalMinute(minutes.clamp(i64::from(i32::MIN), i64::from(i32::MAX) - 1) as i32)
    }

    /// Like [`Self::at`], but `None` outside the range (for times that get stored).
    pub fn checked_at(day: NaiveDate, minute: i32) -> Option<LocalMinute> {
        i32::try_from(Self::minutes_at(day, minute))
            .ok()
            .filter(|m| *m != i32::MAX)
            .map(LocalMinute)
    }

    fn minutes_at(day: NaiveDate, minute: i32) -> i64 {
        i64::from(day.num_days_from_ce() - UNIX_EPOCH_DAY) * i64::from(MINUTES_PER_DAY)
            + i64::from(minute)
    }

    /// The minute of a wall-clock time; seconds are dropped. `None` outside the range.
    pub fn from_naive(at: NaiveDateTime) -> Option<LocalMinute> {
        Self::checked_at(at.date(), (at.hour() * 60 + at.minute()) as i32)
    }

    pub fn is_open(self) -> bool {
        self == LocalMinute::OPEN
    }

    /// The calendar day this minute falls on.
    pub fn day(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0.div_euclid(MINUTES_PER_DAY) + UNIX_EPOCH_DAY)
            .unwrap_or(NaiveDate::MAX)
    }

    /// Minutes since the midnight that starts [`Self::day`].
    pub fn minute_of_day(self) -> i32 {
        self.0.rem_euclid(MINUTES_PER_DAY)
    }

    pub fn naive(self) -> NaiveDateTime {
        let minute = self.minute_of_day() as u32;
        self.day().and_time(
            NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or(NaiveTime::MIN),
        )
    }

    pub fn plus(self, minutes: i32) -> LocalMinute {
        LocalMinute(self.0.saturating_add(minutes))
    }

    /// `YYYY-MM-DDTHH:MM:SS`, written straight into `out` (rendering millions of periods
    /// through chrono's formatter would dominate serving time).
    pub fn write_iso(self, out: &mut Vec<u8>) {
        write_date(self.day(), out);
        let minute = self.minute_of_day();
        out.push(b'T');
        push2(out, minute / 60);
        out.push(b':');
        push2(out, minute % 60);
        out.extend_from_slice(b":00");
    }

    /// `HH:MM`, as v1 attendances write times.
    pub fn hh_mm(self) -> String {
        let minute = self.minute_of_day();
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }
}

/// `YYYY-MM-DD` into `out`.
pub(crate) fn write_date(day: NaiveDate, out: &mut Vec<u8>) {
    let year = day.year();
    if (0..10_000).contains(&year) {
        push2(out, year / 100);
        push2(out, year % 100);
    } else {
        out.extend_from_slice(year.to_string().as_bytes());
    }
    out.push(b'-');
    push2(out, day.month() as i32);
    out.push(b'-');
    push2(out, day.day() as i32);
}

fn push2(out: &mut Vec<u8>, n: i32) {
    out.push(b'0' + (n / 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_trip_and_print_like_personio() {
        let at = NaiveDate::from_ymd_opt(2024, 6, 7)
            .unwrap()
            .and_hms_opt(9, 5, 42)
            .unwrap();
        let minute = LocalMinute::from_naive(at).unwrap();
        assert_eq!(minute.naive().to_string(), "2024-06-07 09:05:00");
        let mut out = Vec::new();
        minute.write_iso(&mut out);
        assert_eq!(out, b"2024-06-07T09:05:00");
        assert_eq!(minute.hh_mm(), "09:05");
        let before_1970 = NaiveDate::from_ymd_opt(1969, 12, 31).unwrap();
        assert_eq!(LocalMinute::at(before_1970, 30).day(), before_1970);
        assert!(LocalMinute::at(before_1970, 0) < minute && minute < LocalMinute::OPEN);
        let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        assert_eq!(
            LocalMinute::checked_at(far, 0),
            None,
            "beyond an i32 of minutes"
        );
        assert!(
            LocalMinute::at(far, 0) < LocalMinute::OPEN,
            "comparisons stick to the end"
        );
    }
}
