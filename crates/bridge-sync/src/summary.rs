//! What a sync did, per resource; also the JSON of `sync --output json`.

use std::collections::BTreeMap;

use bridge_store::Outcome;
use serde::Serialize;

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
    pub mode: String,
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
        for mode in other.mode.split('+').filter(|m| !m.is_empty()) {
            if !self.mode.split('+').any(|m| m == mode) {
                self.mode = if self.mode.is_empty() {
                    mode.to_owned()
                } else {
                    format!("{}+{mode}", self.mode)
                };
            }
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
