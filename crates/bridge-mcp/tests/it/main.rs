//! The MCP server driven by a real MCP client, the official Python SDK
//! (`tests/python/drive.py`), over both transports: `personio-bridge mcp` on stdio and `/mcp`
//! of `personio-bridge serve` over streamable HTTP, against a store synced from a sandbox.
//!
//! Needs the `personio-bridge` binary (built by `cargo test --workspace`; alone:
//! `cargo build -p bridge-cli` first) and Python with the `mcp` package (`.ci/run` installs it
//! in `target/mcp-venv`; `BRIDGE_MCP_PYTHON` names another interpreter). Without them the
//! tests say so and pass, except under `CI`, where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod harness;
mod hostile;
mod questions;
mod reads;
mod scopes;
mod writes;
