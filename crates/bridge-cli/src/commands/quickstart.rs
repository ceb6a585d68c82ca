//! `personio-bridge quickstart`: the whole job on embedded defaults.

use clap::Args;

use super::sandbox::{self, SandboxArgs};

#[derive(Debug, Args)]
pub struct QuickstartArgs {}

/// Serves a demo sandbox on a free port.
pub async fn run(_args: QuickstartArgs) -> anyhow::Result<()> {
    sandbox::run(SandboxArgs {
        host: "127.0.0.1".into(),
        port: 0,
        seed: 1,
        employees: 200,
        as_of: None,
        client_id: None,
        client_secret: None,
        recruiting_token: None,
        company_id: None,
        admin_token: None,
        history_days: personio_sandbox::DEFAULT_HISTORY_DAYS,
        legacy_v1: false,
    })
    .await
}
