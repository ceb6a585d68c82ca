//! `personio-bridge sandbox`: serve a local Personio until stopped.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use personio_sandbox::{FaultPlan, Fleet, Latency, RateLimits, Sandbox, SandboxBuilder};
use tokio::net::TcpListener;

use crate::signals;

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks any free port.
    #[arg(long, default_value_t = 8900)]
    pub port: u16,
    /// Seed of the generated company: the same seed and size give the same company.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of employees to generate (1 to 1,000,000).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=personio_sandbox::MAX_EMPLOYEES as i64))]
    pub employees: u32,
    /// Day the company is generated as of (YYYY-MM-DD; default today). Fix it to get the
    /// same company on any day.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Register a credential with exactly this client id (needs --client-secret); it may
    /// read and write every area and read every attribute.
    #[arg(long, requires = "client_secret")]
    pub client_id: Option<String>,
    /// Secret of the --client-id credential.
    #[arg(long, requires = "client_id")]
    pub client_secret: Option<String>,
    /// Static recruiting API token (needs --company-id; default: random).
    #[arg(long, requires = "company_id")]
    pub recruiting_token: Option<String>,
    /// Company id that goes with --recruiting-token.
    #[arg(long, requires = "recruiting_token")]
    pub company_id: Option<i64>,
    /// Bearer token of the /_sandbox/ admin API (default: random).
    #[arg(long)]
    pub admin_token: Option<String>,
    /// Days of attendance and absence history before the as-of day (0 for none).
    #[arg(long, value_name = "N", default_value_t = personio_sandbox::DEFAULT_HISTORY_DAYS,
          value_parser = clap::value_parser!(u32).range(0..=personio_sandbox::MAX_HISTORY_DAYS as i64))]
    pub history_days: u32,
    /// Serve the v1 attendance and attendance-project endpoints Personio retired on
    /// 2026-08-30 (without it they answer 410 Gone and point to v2).
    #[arg(long)]
    pub legacy_v1: bool,
    /// Rate limits: `personio` (Personio's documented limits and headers) or `off`.
    #[arg(long, value_name = "MODE", default_value = "personio")]
    pub rate_limits: RateLimits,
    /// A fault plan to start with (JSON, as `PUT /_sandbox/faults` takes it).
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
    /// Delay every answer of the Personio API: a fixed `200ms`, a range `50ms..400ms`
    /// (seeded by --seed), and per-route overrides after a comma, e.g.
    /// `100ms,/v1/company/employees=400ms..800ms`. `/_sandbox/` is never delayed.
    #[arg(long, value_name = "SPEC")]
    pub latency: Option<Latency>,
    /// Simulate one day of change this often, e.g. `30s` or `5m` (at least 100ms).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub simulate_every: Option<Duration>,
    /// Check every answer against Personio's published OpenAPI documents, and answer 500
    /// with the violation instead of a body that does not conform.
    #[arg(long)]
    pub strict_schemas: bool,
    /// Directory of Personio's OpenAPI documents for --strict-schemas (default:
    /// $PERSONIO_OPENAPI_DIR, else ../shared/personio-openapi).
    #[arg(long, value_name = "DIR", requires = "strict_schemas")]
    pub openapi_dir: Option<PathBuf>,
    /// Serve this many companies from one process (each with --employees people, seeds
    /// --seed, --seed+1, ...; credentials demo-1 ... demo-N, listed by
    /// GET /_sandbox/companies). Each company is generated on its first request.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=personio_sandbox::MAX_COMPANIES as i64))]
    pub companies: u32,
}

impl SandboxArgs {
    /// The sandbox these flags describe, with a demo credential when none was given.
    pub fn build(&self) -> anyhow::Result<(Sandbox, String, String)> {
        let (client_id, client_secret) = match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) => (id.clone(), secret.clone()),
            _ => (
                personio_sandbox::credentials::random_token("papi-demo-", 16),
                personio_sandbox::credentials::random_token("papi-", 40),
            ),
        };
        let mut builder = self
            .builder()?
            .credential(client_id.clone(), client_secret.clone());
        if let (Some(token), Some(company_id)) = (&self.recruiting_token, self.company_id) {
            builder = builder.recruiting(token.clone(), company_id);
        }
        let sandbox = builder.build().context("invalid sandbox settings")?;
        Ok((sandbox, client_id, client_secret))
    }

    /// The fleet these flags describe (`--companies` above 1).
    pub fn build_fleet(&self) -> anyhow::Result<Fleet> {
        if self.client_id.is_some() || self.recruiting_token.is_some() {
            anyhow::bail!(
                "--client-id and --recruiting-token name one company; with --companies each \
                 company has its own (demo-1 ... demo-N, listed by GET /_sandbox/companies)"
            );
        }
        self.builder()?
            .fleet(self.companies as usize)
            .context("invalid sandbox settings")
    }

    /// Everything but the credentials and the recruiting key.
    fn builder(&self) -> anyhow::Result<SandboxBuilder> {
        let mut builder = Sandbox::builder()
            .seed(self.seed)
            .employees(self.employees as usize)
            .history_days(self.history_days)
            .legacy_v1(self.legacy_v1);
        if let Some(day) = self.as_of {
            builder = builder.as_of(day);
        }
        if let Some(token) = &self.admin_token {
            builder = builder.admin_token(token.clone());
        }
        builder = builder.rate_limits(self.rate_limits);
        if let Some(path) = &self.faults {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read the fault plan {}", path.display()))?;
            let plan = FaultPlan::from_json(&text)
                .map_err(|e| anyhow::anyhow!("invalid fault plan {}: {e}", path.display()))?;
            builder = builder.faults(plan);
        }
        if let Some(latency) = &self.latency {
            builder = builder.latency(latency.clone());
        }
        if let Some(every) = self.simulate_every {
            builder = builder.simulate_every(every);
        }
        if self.strict_schemas {
            let dir = self
                .openapi_dir
                .clone()
                .unwrap_or_else(personio_sandbox::schemas::locate);
            builder = builder.strict_schemas(dir);
        }
        Ok(builder)
    }
}

pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    if args.companies > 1 {
        return run_fleet(args).await;
    }
    let (sandbox, client_id, client_secret) = args.build()?;
    let (listener, base) = listen(&args).await?;
    let summary = sandbox.summary();
    let banner = |out: &mut std::io::StdoutLock<'_>| -> std::io::Result<()> {
        writeln!(
            out,
            "company: {} (id {}), {} employees, as of {}; {} attendance periods, {} absences, {} projects",
            summary.company_name,
            summary.company_id,
            summary.employees,
            summary.as_of.format("%Y-%m-%d"),
            summary.attendance_periods,
            summary.absence_periods,
            summary.projects,
        )?;
        writeln!(
            out,
            "sandbox demo credential (every area read+write, every attribute readable):"
        )?;
        writeln!(out, "  client id:     {client_id}")?;
        writeln!(out, "  client secret: {client_secret}")?;
        writeln!(
            out,
            "sandbox recruiting API token: {}  (X-Company-ID: {})",
            summary.recruiting_token, summary.recruiting_company_id
        )?;
        writeln!(
            out,
            "sandbox admin token: {}  (Authorization: Bearer ... on {base}/_sandbox/)",
            sandbox.admin_token()
        )?;
        writeln!(
            out,
            "sandbox admin pages: {base}/_sandbox/admin  (sign in with the admin token)"
        )?;
        writeln!(
            out,
            "these are sandbox values, valid only against this process; stop with Ctrl-C"
        )?;
        out.flush()
    };
    print_banner(banner);
    sandbox
        .serve(listener, signals::shutdown())
        .await
        .context("the sandbox server failed")?;
    Ok(())
}

/// `--companies N`: one address, N companies.
async fn run_fleet(args: SandboxArgs) -> anyhow::Result<()> {
    let fleet = args.build_fleet()?;
    let (listener, base) = listen(&args).await?;
    let first = fleet.list().into_iter().next();
    let banner = |out: &mut std::io::StdoutLock<'_>| -> std::io::Result<()> {
        writeln!(
            out,
            "fleet: {} companies of {} employees (seeds {} to {}), each generated on its first request",
            fleet.companies(),
            args.employees,
            args.seed,
            args.seed.wrapping_add(u64::from(args.companies) - 1),
        )?;
        if let Some(first) = &first {
            writeln!(
                out,
                "sandbox credentials: client ids demo-1 ... demo-{}; company 1: {} / {}",
                fleet.companies(),
                first.client_id,
                first.client_secret
            )?;
        }
        writeln!(
            out,
            "every company with its secret and recruiting key: GET {base}/_sandbox/companies"
        )?;
        writeln!(
            out,
            "sandbox admin token: {}  (company i: {base}/_sandbox/companies/i/...; /_sandbox/... is company 1)",
            fleet.admin_token()
        )?;
        writeln!(
            out,
            "these are sandbox values, valid only against this process; stop with Ctrl-C"
        )?;
        out.flush()
    };
    print_banner(banner);
    fleet
        .serve(listener, signals::shutdown())
        .await
        .context("the sandbox server failed")?;
    Ok(())
}

/// Binds the listener and prints the first line, `sandbox listening on http://HOST:PORT`: a
/// contract, tools wait for it to learn the address (a fleet's too). Returns the base URL.
async fn listen(args: &SandboxArgs) -> anyhow::Result<(TcpListener, String)> {
    let listener = TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("could not listen on {}:{}", args.host, args.port))?;
    let address = listener
        .local_addr()
        .context("could not read the bound address")?;
    let base = format!("http://{address}");
    let mut out = std::io::stdout().lock();
    writeln!(out, "sandbox listening on {base}")?;
    out.flush()?;
    Ok((listener, base))
}

/// Prints the lines after the first, for people. A reader that stops after the first line
/// (a tool that only wanted the address) must not end the sandbox, so a failed write here
/// is not fatal.
fn print_banner(banner: impl FnOnce(&mut std::io::StdoutLock<'_>) -> std::io::Result<()>) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = banner(&mut out) {
        tracing::debug!(%error, "the banner after the first line was not read");
    }
}
