//! Deciding how to read a resource: pure, so it is tested as a table.
//!
//! - An unfinished listing is resumed (its kind and page token are in the checkpoint), unless
//!   a full sync is forced and the unfinished listing is not a full one.
//! - Without a watermark, or when forced, or for resources without a change feed: a full
//!   listing, after which records not seen are marked deleted.
//! - Otherwise an incremental listing from the watermark minus an overlap (Personio's clocks
//!   and zones are not exact: personio-api.md §6 #3), optionally followed by reconciling ids,
//!   since change feeds never show deletions.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use bridge_store::{Checkpoint, Listing, ListingKind};

/// How a resource will be read in this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub kind: StepKind,
    /// Changes since this moment (incremental only).
    pub since: Option<DateTime<Utc>>,
    /// The unfinished listing to continue.
    pub resume: Option<Listing>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Full,
    Incremental,
    Reconcile,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Full => "full",
            StepKind::Incremental => "incremental",
            StepKind::Reconcile => "reconcile",
        }
    }

    pub(crate) fn listing(self) -> ListingKind {
        match self {
            StepKind::Full => ListingKind::Full,
            StepKind::Incremental => ListingKind::Incremental,
            StepKind::Reconcile => ListingKind::Reconcile,
        }
    }

    fn from_listing(kind: ListingKind) -> StepKind {
        match kind {
            ListingKind::Full => StepKind::Full,
            ListingKind::Incremental => StepKind::Incremental,
            ListingKind::Reconcile => StepKind::Reconcile,
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Decides the step for one resource.
pub(crate) fn decide(
    checkpoint: Option<&Checkpoint>,
    has_change_feed: bool,
    force_full: bool,
    overlap: Duration,
) -> Step {
    if let Some(listing) = checkpoint.and_then(|c| c.listing.as_ref())
        && !(force_full && listing.kind != ListingKind::Full)
    {
        let kind = StepKind::from_listing(listing.kind);
        let since = listing
            .params
            .get("since")
            .and_then(|s| s.as_str())
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|s| s.with_timezone(&Utc));
        return Step {
            kind,
            since,
            resume: Some(listing.clone()),
        };
    }
    match checkpoint.and_then(|c| c.watermark) {
        Some(watermark) if has_change_feed && !force_full => Step {
            kind: StepKind::Incremental,
            since: Some(watermark - overlap),
            resume: None,
        },
        _ => Step {
            kind: StepKind::Full,
            since: None,
            resume: None,
        },
    }
}

/// Whether ids should be reconciled after an incremental listing: when asked, when the
/// resource changed (deletions rarely come alone), or when the last reconciliation or full
/// listing is older than `every`.
pub(crate) fn reconcile_due(
    checkpoint: Option<&Checkpoint>,
    forced: bool,
    changed: bool,
    every: Duration,
    now: DateTime<Utc>,
) -> bool {
    let last = checkpoint.and_then(|c| match (c.last_reconciled_at, c.last_full_at) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    });
    forced || changed || last.is_none_or(|last| now - last >= every)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, hour, 0, 0).unwrap()
    }

    fn listing(kind: ListingKind) -> Listing {
        Listing {
            kind,
            started_at: at(1),
            next: serde_json::json!({"Offset": 200}),
            max_seen: None,
            params: serde_json::json!({"since": "2026-05-01T00:00:00Z"}),
            changed: false,
        }
    }

    #[test]
    fn steps_by_checkpoint() {
        let overlap = Duration::minutes(5);
        assert_eq!(
            decide(None, true, false, overlap).kind,
            StepKind::Full,
            "first sync"
        );
        let synced = Checkpoint {
            resource: "x".into(),
            watermark: Some(at(10)),
            ..Default::default()
        };
        let step = decide(Some(&synced), true, false, overlap);
        assert_eq!(
            (step.kind, step.since),
            (StepKind::Incremental, Some(at(10) - overlap))
        );
        assert_eq!(
            decide(Some(&synced), false, false, overlap).kind,
            StepKind::Full,
            "no change feed"
        );
        assert_eq!(
            decide(Some(&synced), true, true, overlap).kind,
            StepKind::Full,
            "forced"
        );
        let unfinished = Checkpoint {
            listing: Some(listing(ListingKind::Incremental)),
            ..synced.clone()
        };
        let step = decide(Some(&unfinished), true, false, overlap);
        assert_eq!(step.kind, StepKind::Incremental, "resumes what was cut off");
        assert_eq!(
            step.since,
            Some(at(0)),
            "with the parameters it started with"
        );
        assert!(step.resume.is_some());
        assert_eq!(
            decide(Some(&unfinished), true, true, overlap).kind,
            StepKind::Full,
            "a forced full does not resume an incremental"
        );
        let unfinished_full = Checkpoint {
            listing: Some(listing(ListingKind::Full)),
            ..synced
        };
        assert!(
            decide(Some(&unfinished_full), true, true, overlap)
                .resume
                .is_some(),
            "but does resume a full one"
        );
    }

    #[test]
    fn reconciliation_is_due_on_change_on_request_or_when_old() {
        let every = Duration::hours(24);
        let recent = Checkpoint {
            resource: "x".into(),
            last_full_at: Some(at(10)),
            ..Default::default()
        };
        assert!(!reconcile_due(Some(&recent), false, false, every, at(12)));
        assert!(reconcile_due(Some(&recent), false, true, every, at(12)));
        assert!(reconcile_due(Some(&recent), true, false, every, at(12)));
        assert!(reconcile_due(
            Some(&recent),
            false,
            false,
            every,
            at(10) + Duration::hours(25)
        ));
        assert!(reconcile_due(None, false, false, every, at(12)));
    }
}
