//! The Personio Bridge service: one process serving many companies.
//!
//! - `/` and `/companies/...`: server-rendered pages for operators (sign in with the admin
//!   password; every form carries a CSRF token) to link a company and watch its syncs;
//! - `/api/v1/...`: the REST API for programs (an API key as `Authorization: Bearer`), with
//!   cursor pagination, an `updated_since` filter and `application/problem+json` errors; its
//!   OpenAPI document is at `/api/openapi.json` and checked in as `docs/openapi.json`.
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
mod metrics;
mod pages;
pub mod scheduler;
mod security;
mod session;
mod state;
mod syncs;
pub mod webhooks_out;

use std::future::Future;

use bridge_store::Store;
use tokio::net::TcpListener;

pub use api::openapi::document as openapi_document;

/// Settings of the service.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (set when the service is reached over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
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

    /// Serves on `listener` until `shutdown` resolves, then lets open requests finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.router();
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}
