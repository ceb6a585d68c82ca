//! The bridge as tools for AI agents over the Model Context Protocol (the official `rmcp`
//! SDK): questions answered from the synced store in milliseconds, without a request to
//! Personio, and writes sent through the bridge's exactly-once path
//! (`bridge_sync::write`), each with an idempotency key derived from the call.
//!
//! One server, two transports:
//! - stdio ([`serve_stdio`]), for desktop agents and editors: `personio-bridge mcp --company C`,
//!   acting for the operator who runs it;
//! - streamable HTTP ([`http_service`]), mounted at `/mcp` by the service: every request
//!   carries an API key, which the service checks and hands over as a [`Caller`] in the
//!   request's extensions; tools are limited to the key's companies and scopes.
//!
//! Scopes: `read` for the read tools, `write` for the write tools, `admin` for what is
//! personal beyond the directory (compensations, Personio's custom attributes of a person).
//! Documents and recruiting candidates are not offered as tools at all.
//!
//! Every call is logged (`tracing`, target `bridge_mcp`) and counted in [`ToolStats`].

mod caller;
mod cursor;
mod http;
mod read;
mod server;
mod stats;
mod stdio;
mod tools;
mod write;

pub use caller::Caller;
pub use http::http_service;
pub use server::BridgeMcp;
pub use stats::{ToolStat, ToolStats};
pub use stdio::serve_stdio;
pub use tools::TOOL_NAMES;
