//! `personio-bridge bench`: how fast and how gently the bridge syncs. Starts a sandbox as its
//! own process (so its work is not counted as ours), syncs it into a temporary store, and
//! measures three phases: a full sync, an incremental sync with nothing changed, and an
//! incremental sync after one simulated day, each next to the least time Personio's rate
//! limits allow for the requests it made. With `--writes N` it measures instead a bulk
//! `write --create` of N attendance periods: wall time against the bound the attendance
//! bucket sets, 429s, and requests per line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, bail};
use bridge_store::{Filters, Location, OpenOptions, Outcome, Store};
use bridge_sync::{Summary, SyncOptions};
use clap::Args;
use secrecy::SecretString;
use serde::Serialize;

use super::Ending;
use super::connect::{Link, connect};
use super::sync::Api;
use crate::context::Context;
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Size of the sandbox company.
    #[arg(long, default_value_t = 10_000)]
    pub employees: u32,
    /// Days of attendance and absence history in the sandbox.
    #[arg(long, default_value_t = 365)]
    pub history_days: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The sandbox's rate limits: off (measure the bridge) or personio (measure how it paces).
    #[arg(long, default_value = "off", value_parser = ["off", "personio"])]
    pub rate_limits: String,
    /// Latency of the sandbox's answers, as `sandbox --latency` takes it (e.g. `200ms`).
    #[arg(long, value_name = "SPEC")]
    pub latency: Option<personio_sandbox::Latency>,
    /// Store to measure against, like `--db` given to `bench` (default: a SQLite file in a
    /// temporary directory, not ./bridge.db). Its company `bench` is replaced.
    #[arg(long = "bench-db", value_name = "URL")]
    pub bench_db: Option<String>,
    /// Which Personio API to read where both serve a resource, as `sync --api` takes it.
    #[arg(long, value_enum, default_value_t = Api::Auto)]
    pub api: Api,
    /// Measure a bulk create of this many attendance periods instead of syncs.
    #[arg(long, value_name = "LINES")]
    pub writes: Option<u32>,
    /// text (default) or json.
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

/// The sandbox's attendance bucket with `--rate-limits personio`: 10 requests a second,
/// holding one second's worth (`personio-sandbox/src/live/rate_limit.rs`; Personio observed
/// 10/s for absence periods, personio-api.md §5.1b, and publishes nothing for attendances).
const ATTENDANCE_RATE: f64 = 10.0;
const ATTENDANCE_BURST: f64 = 10.0;

/// A measured bulk write (the JSON contract of `bench --writes --output json`).
#[derive(Debug, Serialize)]
struct WriteReport {
    lines: u64,
    written: u64,
    seconds: f64,
    /// The least time the attendance bucket allows for one request a line.
    bound_seconds: Option<f64>,
    requests: u64,
    token_requests: u64,
    requests_per_line: f64,
    rate_limited: u64,
    retries: u64,
    rate_limits: String,
}

/// One measured phase (the JSON contract of `--output json`).
#[derive(Debug, Serialize)]
pub struct Phase {
    pub name: &'static str,
    pub records: u64,
    pub requests: u64,
    pub min_requests: u64,
    pub seconds: f64,
    /// The least seconds Personio's rate limits allow for the requests this phase made
    /// (per bucket, the requests beyond its burst at its rate; the slowest bucket).
    pub bound_seconds: f64,
    pub records_per_s: f64,
    pub peak_rss_mb: f64,
    /// 429s received (0 is the goal with Personio's limits on).
    pub rate_limited: u64,
    pub retries: u64,
}

#[derive(Debug, Serialize)]
struct Report {
    phases: Vec<Phase>,
    employees: u32,
    history_days: u32,
    rate_limits: String,
    latency: Option<String>,
    api: &'static str,
    store: String,
}

/// The sandbox child; killed when dropped.
struct SandboxProcess(Child);

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn run(args: BenchArgs, context: &Context) -> anyhow::Result<Ending> {
    let secret = personio_sandbox::credentials::random_token("papi-", 32);
    let admin = personio_sandbox::credentials::random_token("bench-admin-", 16);
    eprintln!(
        "starting a sandbox of {} employees with {} days of history...",
        args.employees, args.history_days
    );
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().context("could not find this program")?)
        .args([
            "sandbox",
            "--port",
            "0",
            "--seed",
            &args.seed.to_string(),
            "--employees",
            &args.employees.to_string(),
        ])
        .args([
            "--history-days",
            &args.history_days.to_string(),
            "--rate-limits",
            &args.rate_limits,
        ])
        .args([
            "--client-id",
            "bench",
            "--client-secret",
            &secret,
            "--admin-token",
            &admin,
        ])
        .args(
            args.latency
                .iter()
                .flat_map(|l| ["--latency".to_owned(), l.to_string()]),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("could not start the sandbox")?;
    let stdout = child.stdout.take().context("the sandbox has no stdout")?;
    let sandbox = SandboxProcess(child);
    let mut first = String::new();
    let mut stdout = BufReader::new(stdout);
    stdout.read_line(&mut first)?;
    // The rest of its banner (and anything later) is read and dropped: closing the pipe
    // would make the sandbox's next line fail and end it mid-benchmark.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let Some(base) = first
        .trim()
        .strip_prefix("sandbox listening on ")
        .map(str::to_owned)
    else {
        bail!("the sandbox did not start (it said {first:?})");
    };
    eprintln!(
        "sandbox ready at {base} after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let temp = tempfile::tempdir()?;
    let location = match &args.bench_db {
        Some(url) => Location::parse(url)?,
        None if context.db_given => context.db.clone(),
        None => Location::Sqlite(temp.path().join("bench.db")),
    };
    let store = Store::open(
        &location,
        OpenOptions {
            key: Some(bridge_store::secrets::Key::generate().to_base64()),
            max_connections: context.pool,
        },
    )
    .await?;
    if store.find_company("bench").await?.is_some() {
        store.remove_company("bench").await?;
    }
    let (company, _) = connect(
        &store,
        Link {
            company: "bench".into(),
            base_url: url::Url::parse(&base)?,
            client_id: "bench".into(),
            client_secret: SecretString::from(secret),
            recruiting: None,
            filters: Filters::default(),
            replace: false,
        },
    )
    .await?;

    if let Some(lines) = args.writes {
        let report = measure_writes(&store, &company, lines, &args.rate_limits).await?;
        drop(sandbox);
        match args.output {
            Format::Json => print_json(&report)?,
            Format::Text => println!(
                "write --create of {} attendance periods, rate limits {}: {} written in {:.1} s (bound {}), {} requests ({:.3} a line, {} for tokens), {} rate limited, {} retries",
                report.lines,
                report.rate_limits,
                report.written,
                report.seconds,
                report
                    .bound_seconds
                    .map_or("none".to_owned(), |b| format!("{b:.1} s")),
                report.requests,
                report.requests_per_line,
                report.token_requests,
                report.rate_limited,
                report.retries
            ),
        }
        return Ok(Ending::Done);
    }
    let options = SyncOptions {
        api: args.api.into(),
        ..Default::default()
    };
    let sandbox_log = RequestLog {
        base: base.clone(),
        admin: admin.clone(),
    };
    let mut phases = Vec::new();
    phases.push(
        measure(
            "full",
            &store,
            &company,
            &SyncOptions {
                full: true,
                ..options.clone()
            },
            &sandbox_log,
        )
        .await?,
    );
    phases.push(
        measure(
            "incremental_nochange",
            &store,
            &company,
            &options,
            &sandbox_log,
        )
        .await?,
    );
    let simulated = reqwest::Client::new()
        .post(format!("{base}/_sandbox/simulate"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "days": 1 }))
        .send()
        .await?
        .error_for_status()
        .context("the sandbox did not simulate a day")?
        .text()
        .await?;
    eprintln!("simulated one day: {simulated}");
    phases.push(measure("incremental_1day", &store, &company, &options, &sandbox_log).await?);
    drop(sandbox);

    let report = Report {
        phases,
        employees: args.employees,
        history_days: args.history_days,
        rate_limits: args.rate_limits,
        latency: args.latency.as_ref().map(ToString::to_string),
        api: bridge_sync::ApiChoice::from(args.api).as_str(),
        store: location.to_string(),
    };
    match args.output {
        Format::Json => print_json(&report)?,
        Format::Text => {
            println!(
                "{} employees, {} days of history, rate limits {}, latency {}, api {}, store {}",
                report.employees,
                report.history_days,
                report.rate_limits,
                report.latency.as_deref().unwrap_or("none"),
                report.api,
                report.store
            );
            println!(
                "{:<22} {:>10} {:>9} {:>9} {:>9} {:>9} {:>7} {:>12} {:>9} {:>6}",
                "phase",
                "records",
                "requests",
                "minimum",
                "seconds",
                "bound s",
                "ratio",
                "records/s",
                "peak MB",
                "429s"
            );
            for p in &report.phases {
                println!(
                    "{:<22} {:>10} {:>9} {:>9} {:>9.2} {:>9.2} {:>7} {:>12.0} {:>9.1} {:>6}",
                    p.name,
                    p.records,
                    p.requests,
                    p.min_requests,
                    p.seconds,
                    p.bound_seconds,
                    ratio(p.seconds, p.bound_seconds),
                    p.records_per_s,
                    p.peak_rss_mb,
                    p.rate_limited
                );
            }
            println!(
                "bound s: the least time Personio's rate limits allow for the requests made (the slowest bucket); ratio: seconds / bound"
            );
        }
    }
    Ok(Ending::Done)
}

/// `seconds / bound`, or `-` where the limits allow any speed.
fn ratio(seconds: f64, bound: f64) -> String {
    if bound > 0.0 {
        format!("{:.2}", seconds / bound)
    } else {
        "-".to_owned()
    }
}

/// The sandbox's request log, which counts requests per route.
struct RequestLog {
    base: String,
    admin: String,
}

impl RequestLog {
    async fn clear(&self) -> anyhow::Result<()> {
        reqwest::Client::new()
            .delete(format!("{}/_sandbox/requests", self.base))
            .bearer_auth(&self.admin)
            .send()
            .await?
            .error_for_status()
            .context("the sandbox did not clear its request log")?;
        Ok(())
    }

    /// The bound Personio's rate limits set for the requests counted since the last clear.
    async fn bound_seconds(&self) -> anyhow::Result<f64> {
        let log: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/_sandbox/requests", self.base))
            .bearer_auth(&self.admin)
            .send()
            .await?
            .error_for_status()
            .context("the sandbox did not show its request log")?
            .json()
            .await?;
        let routes = log["routes"].as_object().cloned().unwrap_or_default();
        let counts: Vec<(String, u64)> = routes
            .iter()
            .map(|(route, statuses)| {
                let n = statuses
                    .as_object()
                    .map(|s| s.values().filter_map(serde_json::Value::as_u64).sum())
                    .unwrap_or(0);
                (route.clone(), n)
            })
            .collect();
        Ok(personio_sandbox::rate_limit_bound_seconds(
            counts.iter().map(|(r, n)| (r.as_str(), *n)),
        ))
    }
}

async fn measure(
    name: &'static str,
    store: &Store,
    company: &bridge_store::Company,
    options: &SyncOptions,
    log: &RequestLog,
) -> anyhow::Result<Phase> {
    log.clear().await?;
    reset_peak_rss();
    let summary: Summary =
        super::sync::sync_company(store, company.clone(), options, Format::Json).await?;
    if summary.outcome != Outcome::Succeeded {
        bail!(
            "the {name} sync ended {}: {:?}",
            summary.outcome,
            summary.resources
        );
    }
    let records = summary.records_fetched();
    let min_requests = summary.token_requests
        + summary
            .resources
            .values()
            .map(|r| r.min_requests)
            .sum::<u64>();
    let bound_seconds = log.bound_seconds().await?;
    eprintln!(
        "{name}: {records} records in {:.2} s (rate-limit bound {bound_seconds:.2} s)",
        summary.seconds
    );
    Ok(Phase {
        name,
        records,
        requests: summary.requests,
        min_requests,
        seconds: summary.seconds,
        bound_seconds,
        records_per_s: records as f64 / summary.seconds.max(1e-9),
        peak_rss_mb: peak_rss_mb(),
        rate_limited: summary.rate_limited,
        retries: summary.retries,
    })
}

/// Writes `lines` attendance periods (a day each, person by person, none overlapping) the
/// way `write --create` does, and measures it.
async fn measure_writes(
    store: &Store,
    company: &bridge_store::Company,
    lines: u32,
    rate_limits: &str,
) -> anyhow::Result<WriteReport> {
    let client = crate::context::client_for(store, company).await?;
    let persons: serde_json::Value = client
        .get("/v2/persons", &[("limit", "50".to_owned())])
        .await?;
    let people: Vec<String> = persons["_data"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if people.is_empty() {
        bail!("the sandbox has nobody to write periods for");
    }
    let first = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).context("a valid date")?;
    let file: Vec<(u64, String)> = (0..u64::from(lines))
        .map(|i| {
            let person = &people[i as usize % people.len()];
            let day = first + chrono::Duration::days((i / people.len() as u64) as i64);
            let line = serde_json::json!({
                "employee_id": person.parse::<i64>().unwrap_or_default(),
                "start": format!("{day}T08:00:00"),
                "end": format!("{day}T16:00:00"),
                "status": "CONFIRMED",
            });
            (i + 1, line.to_string())
        })
        .collect();
    let writer = bridge_sync::write::Writer::new(store.clone(), client.clone(), company.clone());
    let before = client.metrics();
    let started = Instant::now();
    let mut written = 0;
    let identity = format!("bench:{}", uuid_like());
    for chunk in file.chunks(bridge_sync::write::READ_BACK_BATCH) {
        let results = super::write::write_chunk(
            &writer,
            "attendance_periods",
            bridge_sync::write::Operation::Create,
            &identity,
            chunk,
            4,
        )
        .await?;
        written += results.iter().filter(|r| r.outcome == "created").count() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = client.metrics();
    let requests = after.requests - before.requests;
    let token_requests = after.token_requests - before.token_requests;
    let lines = u64::from(lines);
    Ok(WriteReport {
        lines,
        written,
        seconds,
        bound_seconds: (rate_limits == "personio")
            .then(|| ((lines as f64 - ATTENDANCE_BURST) / ATTENDANCE_RATE).max(0.0)),
        requests,
        token_requests,
        requests_per_line: (requests - token_requests) as f64 / lines.max(1) as f64,
        rate_limited: after.rate_limited - before.rate_limited,
        retries: after.retries - before.retries,
        rate_limits: rate_limits.to_owned(),
    })
}

/// A name no earlier bench run used, so every run writes its own lines.
fn uuid_like() -> String {
    bridge_store::random_token("", 16)
}

/// Resets the kernel's peak-RSS mark of this process (Linux: `clear_refs` 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, in MB (`VmHWM`; 0 where unknown).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}
