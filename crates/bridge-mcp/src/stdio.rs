//! The stdio transport: one client (a desktop agent or an editor that started the process)
//! speaking MCP on stdin and stdout, acting as the operator who runs it.

use bridge_store::Store;
use rmcp::ServiceExt;

use crate::caller::Caller;
use crate::server::BridgeMcp;
use crate::stats::ToolStats;

/// Serves `caller` on stdin and stdout until the client closes them.
pub async fn serve_stdio(store: Store, caller: Caller) -> std::io::Result<()> {
    let server = BridgeMcp::local(store, caller, ToolStats::default());
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}
