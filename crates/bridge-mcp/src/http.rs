//! The streamable HTTP transport, as a tower service for the service's router to mount at
//! `/mcp`. Stateless: every POST is one exchange, answered as JSON, so that each request is
//! authenticated on its own; the router puts the request's [`Caller`](crate::Caller) (its
//! checked API key) in the request's extensions before it reaches this service.

use std::sync::Arc;

use bridge_store::Store;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::server::BridgeMcp;
use crate::stats::ToolStats;

/// The MCP endpoint over `store`, counting its calls in `stats`.
pub fn http_service(
    store: Store,
    stats: ToolStats,
) -> StreamableHttpService<BridgeMcp, NeverSessionManager> {
    // Clones share the writers and the counters.
    let server = BridgeMcp::new(store, stats);
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        // The service is reached under its own public name (behind a proxy, too); the API key
        // on every request is what keeps others out, as for the REST API.
        .disable_allowed_hosts();
    StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    )
}
