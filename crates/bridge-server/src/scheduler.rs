//! Periodic syncs. The scheduler itself (per-company intervals, job claiming across
//! processes) lives in the sync crate; the service starts it here.

use bridge_store::Store;

/// Starts the periodic syncs of every company for the service's lifetime. Until the
/// scheduler exists in the sync crate, companies sync when an operator asks for it (the
/// company page's "Sync now") and on the first link.
pub fn start(_store: &Store) {}
