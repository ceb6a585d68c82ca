//! What every request handler shares.

use std::sync::Arc;

use bridge_store::Store;

use crate::ServerConfig;
use crate::metrics::Metrics;
use crate::syncs::Syncs;
use bridge_sync::write::Writers;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) syncs: Syncs,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) writers: Writers,
    /// The MCP tools' call counters, shown in `/metrics`.
    pub(crate) mcp: bridge_mcp::ToolStats,
}

impl AppState {
    pub(crate) fn new(store: Store, config: ServerConfig) -> AppState {
        let metrics = Arc::new(Metrics::default());
        AppState {
            syncs: Syncs::new(
                store.clone(),
                metrics.clone(),
                config.schedule.clone(),
                config.workers,
            ),
            metrics,
            writers: Writers::default(),
            mcp: bridge_mcp::ToolStats::default(),
            store,
            config: Arc::new(config),
        }
    }
}
