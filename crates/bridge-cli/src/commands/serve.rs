//! `personio-bridge serve`: the service (linking pages, REST API, change webhooks out) until
//! stopped.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

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
    /// Workers syncing companies in this process. 0 leaves the syncing to `worker`
    /// processes on the same store; this one then serves pages and the API only.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub workers: usize,
    /// Between scheduled syncs of a company that has no interval of its own.
    #[arg(long, default_value = "60m", value_parser = humantime::parse_duration)]
    pub sync_interval: Duration,
    /// The address Personio reaches this service at (behind a proxy, say). Linking a
    /// credential that may write webhooks registers URL/webhooks/personio/COMPANY with
    /// Personio. Default: http:// and the listening address (loopback for 0.0.0.0).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// An origin (https://app.example.com) whose pages may show the hosted link page in an
    /// iframe (repeatable). Without it, no site may frame it.
    #[arg(long = "frame-ancestors", value_name = "ORIGIN")]
    pub frame_ancestors: Vec<String>,
    /// Let change webhooks target loopback, private, link-local and cloud metadata
    /// addresses (refused by default: a subscription must not reach into this network).
    #[arg(long)]
    pub allow_private_webhooks: bool,
}

pub async fn run(args: ServeArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    ensure_admin_password(&store, args.admin_password_file.as_deref()).await?;
    if args.workers > 64 {
        bail!(
            "--workers {}: at most 64 (each holds a database connection while it syncs)",
            args.workers
        );
    }
    if args.sync_interval < Duration::from_secs(60) {
        bail!("--sync-interval must be at least 1m");
    }
    let public_url = args
        .public_url
        .as_deref()
        .map(|text| {
            url::Url::parse(text)
                .ok()
                .filter(|url| matches!(url.scheme(), "http" | "https"))
                .ok_or_else(|| anyhow::anyhow!("--public-url {text:?} must be an http(s) address"))
        })
        .transpose()?;
    let frame_ancestors = args
        .frame_ancestors
        .iter()
        .map(|text| origin(text))
        .collect::<anyhow::Result<Vec<_>>>()?;
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
    let public_url = match public_url {
        Some(url) => url,
        None => own_url(addr)?,
    };
    let mut config = ServerConfig {
        secure_cookies: args.secure_cookies,
        workers: args.workers,
        public_url: Some(public_url),
        frame_ancestors,
        allow_private_webhooks: args.allow_private_webhooks,
        ..ServerConfig::default()
    };
    config.schedule.default_interval = args.sync_interval;
    let server = Server::new(store.clone(), config);
    let mut delivery = DeliveryConfig::new(format!("serve-{}", std::process::id()));
    delivery.targets.allow_private = args.allow_private_webhooks;
    let webhooks = tokio::spawn(
        Deliverer::new(store.clone(), delivery)
            .context("could not set up webhook delivery")?
            .run(webhooks_stop),
    );
    server
        .serve(listener, server_stop)
        .await
        .context("the service stopped with an error")?;
    webhooks.await.ok();
    store.close().await;
    Ok(Ending::Done)
}

/// An origin as `--frame-ancestors` takes it: scheme, host and port, nothing else.
fn origin(text: &str) -> anyhow::Result<String> {
    let refuse = || {
        anyhow::anyhow!(
            "--frame-ancestors {text:?} must be an origin such as https://app.example.com (scheme, host and port only)"
        )
    };
    let url = url::Url::parse(text).map_err(|_| refuse())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(refuse());
    }
    Ok(url.origin().ascii_serialization())
}

/// The service's own address, with loopback standing in for "every interface".
fn own_url(addr: std::net::SocketAddr) -> anyhow::Result<url::Url> {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => std::net::Ipv4Addr::LOCALHOST.into(),
        ip if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    let addr = std::net::SocketAddr::new(ip, addr.port());
    url::Url::parse(&format!("http://{addr}")).context("the listening address is not a URL")
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
