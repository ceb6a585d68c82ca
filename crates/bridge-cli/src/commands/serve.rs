//! `personio-bridge serve`: the service (linking pages, REST API, change webhooks out) until
//! stopped.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use bridge_server::webhooks_out::{Deliverer, DeliveryConfig};
use bridge_server::{Server, ServerConfig, admin};
use clap::Args;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;

use super::Ending;
use crate::context::Context;
use crate::signals;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (HOST:PORT; port 0 picks any free port).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
    /// Set the admin password from the first line of this file (on first start, or to
    /// replace it). Without it, the first start asks on the terminal.
    #[arg(long, value_name = "FILE")]
    pub admin_password_file: Option<PathBuf>,
    /// Mark cookies Secure: set this when operators reach the service over HTTPS.
    #[arg(long)]
    pub secure_cookies: bool,
}

pub async fn run(args: ServeArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    ensure_admin_password(&store, args.admin_password_file.as_deref()).await?;
    let listener = TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("could not listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    // Listening for SIGINT/SIGTERM before the address is announced.
    let server_stop = signals::shutdown();
    let webhooks_stop = signals::shutdown();
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "bridge listening on http://{addr}")?;
        stdout.flush()?;
    }
    bridge_server::scheduler::start(&store);
    let webhooks = tokio::spawn(
        Deliverer::new(
            store.clone(),
            DeliveryConfig::new(format!("serve-{}", std::process::id())),
        )
        .context("could not set up webhook delivery")?
        .run(webhooks_stop),
    );
    let server = Server::new(
        store.clone(),
        ServerConfig {
            secure_cookies: args.secure_cookies,
        },
    );
    server
        .serve(listener, server_stop)
        .await
        .context("the service stopped with an error")?;
    webhooks.await.ok();
    store.close().await;
    Ok(Ending::Done)
}

/// Sets the admin password from the file, or asks for one when none is set yet.
async fn ensure_admin_password(
    store: &bridge_store::Store,
    file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("could not read --admin-password-file {}", file.display()))?;
        let password = SecretString::from(text.lines().next().unwrap_or("").trim().to_owned());
        admin::set(store, &password).await?;
        return Ok(());
    }
    if admin::is_set(store).await? {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no admin password is set: pass --admin-password-file FILE (or start once in a terminal to be asked)"
        );
    }
    let first = SecretString::from(
        rpassword::prompt_password(format!(
            "choose an admin password (at least {} characters): ",
            admin::MIN_LENGTH
        ))
        .context("could not read the password")?,
    );
    let again = rpassword::prompt_password("repeat it: ").context("could not read the password")?;
    if first.expose_secret() != again {
        bail!("the passwords differ; start again");
    }
    admin::set(store, &first).await?;
    eprintln!("admin password set");
    Ok(())
}
