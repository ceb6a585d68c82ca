//! A full listing read in slices side by side. Against Personio a listing read page after
//! page advances one page per round trip; when the endpoint's bucket allows more requests
//! per second than that, the listing is cut into windows of one date-time field (attendance
//! periods by their start), and as many windows are read at once as the bucket's rate times
//! the latency calls for (the client's pacing still decides when each request goes).
//!
//! The windows and where each stands live in the listing's checkpoint (its `next`), written
//! with every stored batch: a crash resumes every window after its last stored batch, and
//! the listing finishes (deletions, watermark) only when every window has.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::resources::Slicing;

/// The most windows read at once.
pub(crate) const MOST_AT_ONCE: usize = 8;
/// Windows per window read at once: more, smaller windows keep every reader busy to the end
/// (a window costs at least one request, so not many more).
const WINDOWS_PER_READER: usize = 3;
/// `next` of a window not begun yet (`null`: finished).
const NOT_STARTED: &str = "not_started";

/// Every window of a sliced listing, as its checkpoint holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Slices {
    pub slices: Vec<Slice>,
}

/// One window: records whose field is from `from` to `to` (both inclusive; open where
/// absent), and where its reading stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Slice {
    pub from: Option<String>,
    pub to: Option<String>,
    /// The page token after its last stored page; `"not_started"`, or `null` when done.
    pub next: Value,
}

impl Slice {
    pub(crate) fn done(&self) -> bool {
        self.next.is_null()
    }

    /// The page to start from (`None`: the first).
    pub(crate) fn start(&self) -> Option<personio_client::PageToken> {
        if self.next == NOT_STARTED {
            return None;
        }
        serde_json::from_value(self.next.clone()).ok()
    }

    /// The window's filters, added to the listing's query.
    pub(crate) fn query(&self, slicing: &Slicing) -> Vec<(String, String)> {
        let mut query = Vec::new();
        if let Some(from) = &self.from {
            query.push((slicing.from.to_owned(), from.clone()));
        }
        if let Some(to) = &self.to {
            query.push((slicing.to.to_owned(), to.clone()));
        }
        query
    }
}

impl Slices {
    /// The windows of a listing's `next`, if it was sliced.
    pub(crate) fn of(next: &Value) -> Option<Slices> {
        next.get("slices")?;
        serde_json::from_value(next.clone()).ok()
    }

    pub(crate) fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("slices serialize")
    }

    /// `count` windows of whole days covering `first` to `last`, the first open before and
    /// the last open after (records added outside the range while it is read are not
    /// missed). Fewer when the range has fewer days.
    pub(crate) fn between(first: NaiveDate, last: NaiveDate, count: usize) -> Slices {
        let days = (last - first).num_days().max(0) + 1;
        let count = (count.max(1) as i64).min(days);
        // Window i starts on the day `first + days * i / count`.
        let starts: Vec<NaiveDate> = (0..count)
            .map(|i| first + Duration::days(days * i / count))
            .collect();
        let slices = (0..starts.len())
            .map(|i| Slice {
                from: (i > 0).then(|| day_start(starts[i])),
                // Whole seconds: Personio's local date-times carry no fractions.
                to: starts
                    .get(i + 1)
                    .map(|next| day_end(*next - Duration::days(1))),
                next: Value::from(NOT_STARTED),
            })
            .collect();
        Slices { slices }
    }

    /// How many windows to cut for `readers` read at once.
    pub(crate) fn windows_for(readers: usize) -> usize {
        readers * WINDOWS_PER_READER
    }
}

fn day_start(day: NaiveDate) -> String {
    format!("{}T00:00:00", day.format("%Y-%m-%d"))
}

fn day_end(day: NaiveDate) -> String {
    format!("{}T23:59:59", day.format("%Y-%m-%d"))
}

/// The day of a record's field (`2025-03-01T08:00:00`, with or without fractions or zone).
pub(crate) fn day_of(record: &Value, pointer: &str) -> Option<NaiveDate> {
    let text = record.pointer(pointer)?.as_str()?;
    let date = text.get(..10)?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|d| d.date())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn windows_cover_every_day_once_open_at_both_ends() {
        let slices = Slices::between(day("2025-01-01"), day("2025-12-31"), 4).slices;
        assert_eq!(slices.len(), 4);
        assert_eq!(slices[0].from, None);
        assert_eq!(slices[3].to, None);
        for pair in slices.windows(2) {
            let end = pair[0].to.as_deref().unwrap();
            let start = pair[1].from.as_deref().unwrap();
            let end = NaiveDateTime::parse_from_str(end, "%Y-%m-%dT%H:%M:%S").unwrap();
            let start = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M:%S").unwrap();
            assert_eq!(start - end, Duration::seconds(1), "no gap, no overlap");
        }
        // 365 days in four: the second window starts 91 days in.
        assert_eq!(slices[1].from.as_deref(), Some("2025-04-02T00:00:00"));
        assert!(slices.iter().all(|s| s.start().is_none() && !s.done()));
    }

    #[test]
    fn a_short_range_makes_fewer_windows() {
        let slices = Slices::between(day("2025-01-01"), day("2025-01-02"), 6).slices;
        assert_eq!(slices.len(), 2);
        assert_eq!(slices[0].to.as_deref(), Some("2025-01-01T23:59:59"));
        assert_eq!(
            Slices::between(day("2025-01-02"), day("2025-01-01"), 6)
                .slices
                .len(),
            1
        );
    }

    #[test]
    fn slices_round_trip_through_a_checkpoint() {
        let mut slices = Slices::between(day("2025-01-01"), day("2025-01-31"), 3);
        slices.slices[0].next = Value::Null;
        slices.slices[1].next =
            serde_json::json!({"Next": "https://x/v2/attendance-periods?cursor=a"});
        let value = slices.to_value();
        assert_eq!(Slices::of(&value), Some(slices.clone()));
        assert!(slices.slices[0].done());
        assert!(slices.slices[1].start().is_some());
        assert_eq!(Slices::of(&serde_json::json!({"Offset": 3})), None);
        assert_eq!(Slices::of(&Value::Null), None);
    }

    #[test]
    fn days_are_read_from_records() {
        let record = serde_json::json!({"start": {"date_time": "2025-03-01T08:00:00"}});
        assert_eq!(day_of(&record, "/start/date_time"), Some(day("2025-03-01")));
        assert_eq!(day_of(&record, "/end/date_time"), None);
    }
}
