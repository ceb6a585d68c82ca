//! What a [`Reading`](crate::resources::Reading) is given to read with: the engine's store,
//! client and company, the run's options and context, and the engine's steps (a listing,
//! a list per parent).

use bridge_store::{Checkpoint, CompanyId, Store};
use personio_client::Client;

use super::{SyncEngine, SyncOptions};
use crate::context::Context;
use crate::error::Error;
use crate::progress::Progress;

/// One run's view of the engine, shared by the readings of its resources.
pub(crate) struct Syncing<'a> {
    pub(crate) engine: &'a SyncEngine,
    pub(crate) options: &'a SyncOptions,
    pub(crate) ctx: &'a Context,
}

impl Syncing<'_> {
    pub(crate) fn store(&self) -> &Store {
        &self.engine.store
    }

    pub(crate) fn client(&self) -> &Client {
        &self.engine.client
    }

    pub(crate) fn company(&self) -> CompanyId {
        self.engine.company.id
    }

    pub(crate) fn emit(&self, event: Progress) {
        self.engine.emit(event);
    }

    /// The stored checkpoint named `name`.
    pub(crate) async fn checkpoint(&self, name: &str) -> Result<Option<Checkpoint>, Error> {
        Ok(self.store().checkpoint(self.company(), name).await?)
    }
}
