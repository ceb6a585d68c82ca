//! What every request handler shares.

use std::sync::Arc;

use bridge_store::Store;

use crate::ServerConfig;
use crate::syncs::Syncs;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) syncs: Syncs,
}

impl AppState {
    pub(crate) fn new(store: Store, config: ServerConfig) -> AppState {
        AppState {
            syncs: Syncs::new(store.clone()),
            store,
            config: Arc::new(config),
        }
    }
}
