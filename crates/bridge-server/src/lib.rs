//! The Personio Bridge service: one process serving many companies.
//!
//! - `/` and `/companies/...`: server-rendered pages for operators (sign in with the admin
//!   password; every form carries a CSRF token) to link a company and watch its syncs;
//! - `/link/{token}`: the hosted link page a vendor sends its customer's Personio admin (made
//!   with `POST /api/v1/link-sessions`), in English or German, without an account;
//! - `/api/v1/...`: the REST API for programs (an API key as `Authorization: Bearer`), with
//!   cursor pagination, an `updated_since` filter and `application/problem+json` errors; its
//!   OpenAPI document is at `/api/openapi.json` and checked in as `docs/openapi.json`;
//! - `/webhooks/personio/{company}`: Personio's change notifications, each asking the
//!   workers for an incremental sync of what changed;
//! - the workers themselves: scheduled syncs shared with every process on the store.
//!
//! The caller binds the listener and passes a shutdown future:
//!
//! ```no_run
//! # async fn demo(store: bridge_store::Store) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let server = bridge_server::Server::new(store, bridge_server::ServerConfig::default());
//! server.serve(listener, std::future::pending()).await
//! # }
//! ```

pub mod admin;
mod api;
mod app;
mod body;
mod mcp;
pub mod metrics;
mod pages;
mod request_id;
mod security;
mod session;
mod state;
mod syncs;
pub mod webhook_targets;
mod webhooks_in;
pub mod webhooks_out;
mod writers;

use std::future::Future;

use bridge_store::Store;
use bridge_sync::scheduler::SchedulerConfig;
use tokio::net::TcpListener;

pub use api::openapi::document as openapi_document;

/// Settings of the service.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (set when the service is reached over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Workers syncing companies in this process; 0 leaves syncing to other processes
    /// (`personio-bridge worker`) sharing the store.
    pub workers: usize,
    /// How the workers claim and pace scheduled syncs.
    pub schedule: SchedulerConfig,
    /// The service's address as Personio reaches it: linking a credential that may write
    /// webhooks registers `{public_url}/webhooks/personio/{company}` with Personio. `None`:
    /// no registration (changes arrive with the scheduled syncs).
    pub public_url: Option<url::Url>,
    /// Origins (`https://app.example.com`) that may show the hosted link page in a frame;
    /// empty: no one may.
    pub frame_ancestors: Vec<String>,
    /// Let change webhooks target loopback, private, link-local and metadata addresses
    /// (`--allow-private-webhooks`); see [`webhook_targets`].
    pub allow_private_webhooks: bool,
}

impl Default for ServerConfig {
    /// One worker named after the process, hourly syncs, no webhook registration.
    fn default() -> ServerConfig {
        ServerConfig {
            secure_cookies: false,
            workers: 1,
            schedule: SchedulerConfig::new(format!("serve-{}", std::process::id())),
            public_url: None,
            frame_ancestors: Vec::new(),
            allow_private_webhooks: false,
        }
    }
}

/// The service over one store.
#[derive(Clone)]
pub struct Server {
    state: state::AppState,
}

impl Server {
    pub fn new(store: Store, config: ServerConfig) -> Server {
        Server {
            state: state::AppState::new(store, config),
        }
    }

    /// The router, for serving on a listener of the caller's choosing.
    pub fn router(&self) -> axum::Router {
        app::router(self.state.clone())
    }

    /// Serves on `listener`, and runs the scheduled syncs, until `shutdown` resolves; then
    /// lets open requests finish and hands back the syncs under way.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let stop = std::sync::Arc::new(stop);
        let until_stopped = move || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }
        };
        let syncs = self.state.syncs.clone();
        let until = until_stopped();
        let workers = tokio::spawn(async move { syncs.run(until).await });
        // Writes a killed process left open are resolved before anything is sent again.
        let (cache, store) = (self.state.writers.clone(), self.state.store.clone());
        tokio::spawn(async move { writers::recover(&cache, &store).await });
        let stop_on_signal = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_on_signal.send(true);
        });
        let router = self.router();
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(until_stopped())
            .await;
        // The listener may also end on an error: the workers stop either way.
        let _ = stop.send(true);
        let _ = workers.await;
        served
    }
}
