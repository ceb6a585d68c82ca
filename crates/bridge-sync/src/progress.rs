//! Progress of a sync, as events on a channel. No terminal code here: the CLI draws bars, the
//! server streams them, tests collect them.

use serde::Serialize;

use crate::plan::StepKind;
use crate::summary::ResourceSummary;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    RunStarted {
        company: String,
        resources: Vec<&'static str>,
    },
    /// A listing began (`mode`: full, incremental, reconcile; `resumed` after an interruption).
    ListingStarted {
        resource: String,
        mode: StepKind,
        resumed: bool,
    },
    /// A page was stored; counts are cumulative for the listing.
    PageStored {
        resource: String,
        fetched: u64,
        created: u64,
        updated: u64,
    },
    ResourceFinished {
        resource: &'static str,
        summary: ResourceSummary,
    },
    ResourceSkipped {
        resource: &'static str,
        reason: String,
    },
    ResourceFailed {
        resource: &'static str,
        error: String,
    },
}
