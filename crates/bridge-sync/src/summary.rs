//! What a sync did, per resource; also the JSON of `sync --output json`.

use std::collections::BTreeMap;
use std::fmt;

use bridge_store::Outcome;
use serde::{Serialize, Serializer};

use crate::plan::StepKind;

/// The kinds of listing that read a resource, each once, in the order they first ran:
/// `full`, `incremental+reconcile`, or `full+incremental` for documents (categories read
/// whole, then per employee what changed). Shown and serialized as those names joined by
/// `+`; empty when nothing was listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Modes([Option<StepKind>; 3]);

impl Modes {
    /// Adds `kind` after those already there; one already there stays where it is.
    pub fn add(&mut self, kind: StepKind) {
        if self.contains(kind) {
            return;
        }
        // One slot per kind of step, so a free one is always left for a new kind.
        if let Some(free) = self.0.iter_mut().find(|slot| slot.is_none()) {
            *free = Some(kind);
        }
    }

    pub fn contains(&self, kind: StepKind) -> bool {
        self.0.contains(&Some(kind))
    }

    /// The kinds in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = StepKind> + '_ {
        self.0.iter().flatten().copied()
    }
}

impl From<StepKind> for Modes {
    fn from(kind: StepKind) -> Modes {
        let mut modes = Modes::default();
        modes.add(kind);
        modes
    }
}

impl fmt::Display for Modes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, kind) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            f.write_str(kind.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for Modes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Counts for one resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResourceSummary {
    /// Records received from Personio.
    pub fetched: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    /// Records that left the company's filters.
    pub left_filter: u64,
    /// The fewest requests that could have read what was read: per listing, the records
    /// over the page size, rounded up, and at least one.
    pub min_requests: u64,
    /// How it was read: full, incremental, incremental+reconcile, ...
    pub mode: Modes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ResourceSummary {
    pub fn changed(&self) -> bool {
        self.created + self.updated + self.deleted + self.left_filter > 0
    }

    pub(crate) fn add(&mut self, other: &ResourceSummary) {
        self.fetched += other.fetched;
        self.created += other.created;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.unchanged += other.unchanged;
        self.left_filter += other.left_filter;
        self.min_requests += other.min_requests;
        // Several listings of one resource read the same way say it once.
        for kind in other.mode.iter() {
            self.mode.add(kind);
        }
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub company: String,
    pub resources: BTreeMap<&'static str, ResourceSummary>,
    /// HTTP requests made to Personio, authentication included.
    pub requests: u64,
    /// Token requests among them.
    pub token_requests: u64,
    /// 429 answers Personio sent (the client paces itself to avoid them).
    pub rate_limited: u64,
    /// Requests sent again after a failure worth retrying.
    pub retries: u64,
    pub seconds: f64,
    /// Succeeded, or partial (some resources failed or were skipped); a run that fails
    /// altogether has no summary.
    pub outcome: Outcome,
}

impl Default for Summary {
    /// Nothing read, nothing failed.
    fn default() -> Self {
        Summary {
            company: String::new(),
            resources: BTreeMap::new(),
            requests: 0,
            token_requests: 0,
            rate_limited: 0,
            retries: 0,
            seconds: 0.0,
            outcome: Outcome::Succeeded,
        }
    }
}

impl Summary {
    pub fn records_fetched(&self) -> u64 {
        self.resources.values().map(|r| r.fetched).sum()
    }

    pub fn failed_resources(&self) -> impl Iterator<Item = (&&'static str, &ResourceSummary)> {
        self.resources.iter().filter(|(_, r)| r.error.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_keep_the_order_they_first_ran_in_and_name_each_once() {
        assert_eq!(Modes::default().to_string(), "");
        let mut modes = Modes::from(StepKind::Full);
        modes.add(StepKind::Incremental);
        modes.add(StepKind::Full);
        assert_eq!(modes.to_string(), "full+incremental");
        modes.add(StepKind::Reconcile);
        assert_eq!(
            serde_json::to_string(&modes).ok().as_deref(),
            Some(r#""full+incremental+reconcile""#)
        );
        let mut summary = ResourceSummary {
            mode: StepKind::Incremental.into(),
            ..Default::default()
        };
        summary.add(&ResourceSummary {
            mode: StepKind::Reconcile.into(),
            ..Default::default()
        });
        summary.add(&ResourceSummary::default());
        assert_eq!(summary.mode.to_string(), "incremental+reconcile");
    }
}
