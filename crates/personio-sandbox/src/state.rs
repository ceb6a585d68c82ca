//! What every handler shares: the company, the credential registry, the clock, the admin
//! token, the render cache and the live parts (request log, faults, rate limits, webhooks).

use std::ops::Deref;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::cache::RenderCache;
use crate::clock::Clock;
use crate::company::Company;
use crate::credentials::Registry;

/// Cheap to clone: one `Arc` around everything.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

pub(crate) struct Shared {
    /// Read-locked to serve, write-locked to change; never held across an `.await`.
    pub company: RwLock<Company>,
    pub registry: Registry,
    pub clock: Clock,
    pub admin_token: String,
    pub cache: RenderCache,
    /// Serve the retired v1 attendance endpoints instead of answering them as retired.
    pub legacy_v1: bool,
    /// Request log, faults, rate limits, webhooks and simulation settings.
    pub live: crate::live::Live,
}

impl AppState {
    pub(crate) fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
