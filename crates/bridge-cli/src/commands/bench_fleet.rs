//! `personio-bridge bench-fleet`: what a fleet of companies costs on one store. Starts one
//! multi-company sandbox as its own process (or uses a running one, `--sandbox`), links N
//! companies, and runs their syncs through K workers spread over P `personio-bridge worker`
//! processes (separate processes, so their memory is measured apart from this one's).
//! Phases: the first full syncs; then a day simulated in every company and a round of
//! incremental syncs; with `--curve`, the same round again with 1, 2, 4 and 8 workers.
//!
//! A round's staleness of a company is the time from the answer of its simulate call to the
//! end of its next sync (the job's finish, after the sync's last commit).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bridge_store::{Company, CompanyId, Filters, Location, Store};
use chrono::{DateTime, Utc};
use clap::Args;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;
use serde::Serialize;

use super::Ending;
use super::connect::{Link, connect};
use crate::context::Context;
use crate::output::{Format, print_json};

#[derive(Debug, Args)]
pub struct BenchFleetArgs {
    /// Companies in the fleet.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=personio_sandbox::MAX_COMPANIES as i64))]
    pub companies: u32,
    /// Employees of each company.
    #[arg(long, default_value_t = 50)]
    pub employees: u32,
    /// Days of attendance and absence history of each company.
    #[arg(long, default_value_t = 30)]
    pub history_days: u32,
    /// Workers syncing at once, in all processes together.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub workers: u32,
    /// `personio-bridge worker` processes the workers are spread over.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub processes: u32,
    /// Seed of the sandbox's first company (company i has seed + i - 1).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The sandbox's rate limits: personio (each company its own buckets) or off.
    #[arg(long, default_value = "personio", value_parser = ["off", "personio"])]
    pub rate_limits: String,
    /// After the round, run it again with 1, 2, 4 and 8 workers (at most --processes
    /// processes).
    #[arg(long)]
    pub curve: bool,
    /// Use this running `sandbox --companies N` instead of starting one (needs
    /// --admin-token; its seed must be --seed).
    #[arg(long, value_name = "URL", requires = "admin_token")]
    pub sandbox: Option<String>,
    /// Admin token of the --sandbox.
    #[arg(long, value_name = "TOKEN", requires = "sandbox")]
    pub admin_token: Option<String>,
    /// Give up on a phase that takes longer than this.
    #[arg(long, default_value = "30m", value_parser = humantime::parse_duration)]
    pub phase_timeout: Duration,
    /// text (default) or json.
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

/// One measured phase (the JSON contract of `--output json`).
#[derive(Debug, Serialize)]
struct Phase {
    name: String,
    workers: u32,
    processes: u32,
    seconds: f64,
    companies_per_s: f64,
    /// Companies whose sync in this phase did not succeed.
    failed: usize,
    records: u64,
    requests: u64,
    /// 429s the workers received (0 is the goal).
    rate_limited: u64,
    retries: u64,
    /// From a company's simulated day to the end of its sync (rounds only).
    staleness_p50_s: Option<f64>,
    staleness_p99_s: Option<f64>,
    staleness_max_s: Option<f64>,
    /// Peak resident memory (`VmHWM`) of each worker process during the phase.
    worker_peak_rss_mb: Vec<f64>,
    sandbox_peak_rss_mb: Option<f64>,
    db_bytes: i64,
    /// Most connections to the database seen during the phase (PostgreSQL).
    db_connections_peak: Option<i64>,
    /// The machine's load average (1 minute) at the end of the phase.
    load_1m: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Report {
    companies: u32,
    employees: u32,
    history_days: u32,
    workers: u32,
    processes: u32,
    rate_limits: String,
    store: String,
    sandbox_start_seconds: f64,
    link_seconds: f64,
    /// Simulating one day in every company, before each round.
    simulate_seconds: Vec<f64>,
    phases: Vec<Phase>,
    curve: Vec<Phase>,
}

/// A child process killed (and reaped) when dropped.
struct ChildProcess(Child);

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The companies as linked: store id and sandbox index.
struct Fleet {
    base: String,
    admin: String,
    companies: Vec<(CompanyId, usize)>,
}

pub async fn run(args: BenchFleetArgs, context: &Context) -> anyhow::Result<Ending> {
    let started = Instant::now();
    let (base, admin, sandbox) = match (&args.sandbox, &args.admin_token) {
        (Some(url), Some(token)) => (url.trim_end_matches('/').to_owned(), token.clone(), None),
        _ => start_sandbox(&args)?,
    };
    let sandbox_start_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "sandbox of {} companies at {base} after {sandbox_start_seconds:.2} s",
        args.companies
    );

    let store = context.store().await?;
    let started = Instant::now();
    let fleet = link_all(&store, &args, base, admin).await?;
    let link_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "linked {} companies in {link_seconds:.1} s",
        fleet.companies.len()
    );

    let sandbox_pid = sandbox.as_ref().map(|s| s.0.id());
    let mut report = Report {
        companies: args.companies,
        employees: args.employees,
        history_days: args.history_days,
        workers: args.workers,
        processes: args.processes,
        rate_limits: args.rate_limits.clone(),
        store: context.db.to_string(),
        sandbox_start_seconds,
        link_seconds,
        simulate_seconds: Vec::new(),
        phases: Vec::new(),
        curve: Vec::new(),
    };
    let began = Utc::now();
    let mut workers = Workers::start(context, args.workers, args.processes)?;
    let full = measure(
        &store,
        &fleet,
        &workers,
        sandbox_pid,
        "full",
        Start::Linked(began),
        &args,
    )
    .await?;
    report.phases.push(full);
    let simulated = simulate_all(&fleet, &mut report).await?;
    let round = measure(
        &store,
        &fleet,
        &workers,
        sandbox_pid,
        "incremental",
        Start::Simulated(&simulated),
        &args,
    )
    .await?;
    report.phases.push(round);
    if args.curve {
        for count in [1, 2, 4, 8] {
            workers.stop();
            workers = Workers::start(context, count, args.processes.min(count))?;
            let simulated = simulate_all(&fleet, &mut report).await?;
            let name = format!("incremental_{count}_workers");
            let round = measure(
                &store,
                &fleet,
                &workers,
                sandbox_pid,
                &name,
                Start::Simulated(&simulated),
                &args,
            )
            .await?;
            report.curve.push(round);
        }
    }
    workers.stop();
    drop(sandbox);
    store.close().await;
    match args.output {
        Format::Json => print_json(&report)?,
        Format::Text => print_text(&report),
    }
    Ok(Ending::Done)
}

fn start_sandbox(args: &BenchFleetArgs) -> anyhow::Result<(String, String, Option<ChildProcess>)> {
    let admin = personio_sandbox::credentials::random_token("bench-admin-", 16);
    let mut child = Command::new(std::env::current_exe().context("could not find this program")?)
        .args(["sandbox", "--port", "0", "--seed", &args.seed.to_string()])
        .args(["--companies", &args.companies.to_string()])
        .args(["--employees", &args.employees.to_string()])
        .args(["--history-days", &args.history_days.to_string()])
        .args(["--rate-limits", &args.rate_limits, "--admin-token", &admin])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("could not start the sandbox")?;
    let stdout = child.stdout.take().context("the sandbox has no stdout")?;
    let child = ChildProcess(child);
    let mut stdout = BufReader::new(stdout);
    let mut first = String::new();
    stdout.read_line(&mut first)?;
    // The rest of the banner is read and dropped: a closed pipe would end the sandbox.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let Some(base) = first.trim().strip_prefix("sandbox listening on ") else {
        bail!("the sandbox did not start (it said {first:?})");
    };
    Ok((base.to_owned(), admin, Some(child)))
}

/// Links company i of the sandbox as `fleet-i` (replacing an earlier link), a few at once.
async fn link_all(
    store: &Store,
    args: &BenchFleetArgs,
    base: String,
    admin: String,
) -> anyhow::Result<Fleet> {
    let url = url::Url::parse(&base)?;
    let companies: Vec<(CompanyId, usize)> = futures::stream::iter(1..=args.companies as usize)
        .map(|index| {
            let url = url.clone();
            async move {
                let (company, _): (Company, _) = connect(
                    store,
                    Link {
                        company: format!("fleet-{index:06}"),
                        base_url: url,
                        client_id: personio_sandbox::fleet_client_id(index),
                        client_secret: SecretString::from(personio_sandbox::fleet_client_secret(
                            args.seed, index,
                        )),
                        recruiting: None,
                        filters: Filters::default(),
                        replace: true,
                    },
                )
                .await
                .with_context(|| format!("could not link company {index}"))?;
                anyhow::Ok((company.id, index))
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    Ok(Fleet {
        base,
        admin,
        companies,
    })
}

/// Simulates one day in every company; returns when each company's call was answered.
async fn simulate_all(
    fleet: &Fleet,
    report: &mut Report,
) -> anyhow::Result<BTreeMap<CompanyId, DateTime<Utc>>> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let answered: BTreeMap<CompanyId, DateTime<Utc>> = futures::stream::iter(&fleet.companies)
        .map(|(id, index)| {
            let http = http.clone();
            async move {
                http.post(format!(
                    "{}/_sandbox/companies/{index}/simulate",
                    fleet.base
                ))
                .bearer_auth(&fleet.admin)
                .json(&serde_json::json!({ "days": 1 }))
                .send()
                .await?
                .error_for_status()
                .with_context(|| format!("company {index} did not simulate a day"))?;
                anyhow::Ok((*id, Utc::now()))
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "simulated a day in {} companies in {seconds:.1} s",
        answered.len()
    );
    report.simulate_seconds.push(seconds);
    Ok(answered)
}

/// How a phase starts.
enum Start<'a> {
    /// The first syncs, which the workers began on their own when started (at this time).
    Linked(DateTime<Utc>),
    /// A round: each company's day was simulated at the time given; a sync of every
    /// company is asked for now.
    Simulated(&'a BTreeMap<CompanyId, DateTime<Utc>>),
}

/// Runs one phase, until every company's job has finished since the phase began.
async fn measure(
    store: &Store,
    fleet: &Fleet,
    workers: &Workers,
    sandbox_pid: Option<u32>,
    name: &str,
    start: Start<'_>,
    args: &BenchFleetArgs,
) -> anyhow::Result<Phase> {
    workers.reset_peaks();
    if let Some(pid) = sandbox_pid {
        reset_peak(pid);
    }
    let clock = Instant::now();
    let (began, simulated) = match start {
        Start::Linked(began) => (began, None),
        Start::Simulated(simulated) => {
            let began = Utc::now();
            for (id, _) in &fleet.companies {
                store.enqueue_now(*id, began).await?;
            }
            (began, Some(simulated))
        }
    };
    let mut connections_peak = None;
    let finished = loop {
        let footprint = store.footprint().await?;
        connections_peak = connections_peak.max(footprint.connections);
        let jobs = store.jobs().await?;
        let done: BTreeMap<CompanyId, (DateTime<Utc>, bool)> = jobs
            .iter()
            .filter(|j| j.leased_by.is_none() && j.requested_at.is_none())
            .filter(|j| j.last_started_at.is_some_and(|s| s >= began))
            .filter_map(|j| {
                let end = j.last_finished_at?;
                Some((
                    j.company,
                    (end, j.last_outcome.as_deref() == Some("succeeded")),
                ))
            })
            .collect();
        if fleet.companies.iter().all(|(id, _)| done.contains_key(id)) {
            break done;
        }
        if clock.elapsed() > args.phase_timeout {
            bail!(
                "{name}: only {} of {} companies synced within {:?}",
                done.len(),
                fleet.companies.len(),
                args.phase_timeout
            );
        }
        workers.check_alive()?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let last = finished
        .values()
        .map(|(end, _)| *end)
        .max()
        .unwrap_or(began);
    let seconds = (last - began).num_milliseconds().max(1) as f64 / 1000.0;
    let failed = finished.values().filter(|(_, ok)| !ok).count();
    let mut staleness: Vec<f64> = simulated
        .map(|simulated| {
            simulated
                .iter()
                .filter_map(|(id, at)| {
                    let (end, _) = finished.get(id)?;
                    Some((*end - *at).num_milliseconds() as f64 / 1000.0)
                })
                .collect()
        })
        .unwrap_or_default();
    staleness.sort_by(f64::total_cmp);
    let (records, requests, rate_limited, retries) = totals(store, fleet, began).await?;
    let footprint = store.footprint().await?;
    let phase = Phase {
        name: name.to_owned(),
        workers: workers.count,
        processes: workers.children.len() as u32,
        seconds,
        companies_per_s: fleet.companies.len() as f64 / seconds,
        failed,
        records,
        requests,
        rate_limited,
        retries,
        staleness_p50_s: percentile(&staleness, 0.50),
        staleness_p99_s: percentile(&staleness, 0.99),
        staleness_max_s: staleness.last().copied(),
        worker_peak_rss_mb: workers.peaks(),
        sandbox_peak_rss_mb: sandbox_pid.and_then(peak_rss_mb),
        db_bytes: footprint.bytes,
        db_connections_peak: connections_peak,
        load_1m: load_1m(),
    };
    eprintln!(
        "{name}: {} companies in {seconds:.1} s with {} workers ({} failed, {} records, {} requests, {} x 429)",
        fleet.companies.len(),
        workers.count,
        failed,
        records,
        requests,
        rate_limited
    );
    Ok(phase)
}

/// Records fetched, requests, 429s and retries of the runs started since `began`.
async fn totals(
    store: &Store,
    fleet: &Fleet,
    began: DateTime<Utc>,
) -> anyhow::Result<(u64, u64, u64, u64)> {
    let mut sums = (0, 0, 0, 0);
    for (id, _) in &fleet.companies {
        for run in store.runs(*id, 5).await? {
            if run.started_at < began {
                continue;
            }
            let field = |name: &str| run.summary.get(name).and_then(|v| v.as_u64()).unwrap_or(0);
            let fetched: u64 = run
                .summary
                .get("resources")
                .and_then(|r| r.as_object())
                .map(|resources| {
                    resources
                        .values()
                        .filter_map(|r| r.get("fetched").and_then(|f| f.as_u64()))
                        .sum()
                })
                .unwrap_or(0);
            sums.0 += fetched;
            sums.1 += u64::try_from(run.requests).unwrap_or(0);
            sums.2 += field("rate_limited");
            sums.3 += field("retries");
        }
    }
    Ok(sums)
}

/// `sorted[p]` by the nearest-rank method.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The worker processes of a phase.
struct Workers {
    count: u32,
    children: Vec<ChildProcess>,
}

impl Workers {
    /// `count` workers in `processes` processes (the first ones get one more when it does
    /// not divide), on the same store and pool size as this command.
    fn start(context: &Context, count: u32, processes: u32) -> anyhow::Result<Workers> {
        let program = std::env::current_exe().context("could not find this program")?;
        let processes = processes.clamp(1, count);
        let mut children = Vec::new();
        for p in 0..processes {
            let here = count / processes + u32::from(p < count % processes);
            // The store's address goes by environment: a password stays out of `ps`.
            let child = Command::new(&program)
                .env("PERSONIO_BRIDGE_DB", store_url(&context.db))
                .arg("--db-pool")
                .arg(context.pool.max(here + 2).to_string())
                .args(["worker", "--name", &format!("bench-fleet-{p}")])
                .args(["--workers", &here.to_string(), "--poll", "100ms"])
                .args(["--interval", "24h", "--lease", "60s"])
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .context("could not start a worker process")?;
            children.push(ChildProcess(child));
        }
        Ok(Workers { count, children })
    }

    fn check_alive(&self) -> anyhow::Result<()> {
        for child in &self.children {
            if !Self::running(child.0.id()) {
                bail!("worker process {} ended during the benchmark", child.0.id());
            }
        }
        Ok(())
    }

    fn running(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .map(|s| {
                !s.lines()
                    .any(|l| l.starts_with("State:") && l.contains('Z'))
            })
            .unwrap_or(true)
    }

    fn reset_peaks(&self) {
        for child in &self.children {
            reset_peak(child.0.id());
        }
    }

    fn peaks(&self) -> Vec<f64> {
        self.children
            .iter()
            .filter_map(|c| peak_rss_mb(c.0.id()))
            .collect()
    }

    /// Stops every worker process with SIGTERM (they hand their jobs back) and waits.
    fn stop(&mut self) {
        for child in &self.children {
            let _ = Command::new("kill")
                .args(["-TERM", &child.0.id().to_string()])
                .status();
        }
        for mut child in self.children.drain(..) {
            let _ = child.0.wait();
        }
    }
}

/// The store's address unredacted, as `--db` takes it.
fn store_url(location: &Location) -> String {
    match location {
        Location::Postgres(url) => url.clone(),
        Location::Sqlite(path) => format!("sqlite://{}", path.display()),
    }
}

/// Resets the kernel's peak-RSS mark of a process (Linux: `clear_refs` 5).
fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// Peak resident memory since the last reset, in MB (`VmHWM`).
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn load_1m() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn print_text(report: &Report) {
    println!(
        "{} companies of {} employees ({} days of history), rate limits {}, store {}",
        report.companies, report.employees, report.history_days, report.rate_limits, report.store
    );
    println!(
        "sandbox started in {:.2} s; linked in {:.1} s",
        report.sandbox_start_seconds, report.link_seconds
    );
    println!(
        "{:<26} {:>7} {:>8} {:>10} {:>9} {:>9} {:>5} {:>8} {:>8} {:>14} {:>9} {:>6}",
        "phase",
        "workers",
        "seconds",
        "companies/s",
        "records",
        "requests",
        "429s",
        "p50 s",
        "p99 s",
        "worker MB",
        "db MB",
        "conns"
    );
    for p in report.phases.iter().chain(&report.curve) {
        let staleness = |v: Option<f64>| v.map_or("-".to_owned(), |s| format!("{s:.1}"));
        let memory = p
            .worker_peak_rss_mb
            .iter()
            .map(|m| format!("{m:.0}"))
            .collect::<Vec<_>>()
            .join("/");
        println!(
            "{:<26} {:>7} {:>8.1} {:>10.1} {:>9} {:>9} {:>5} {:>8} {:>8} {:>14} {:>9.1} {:>6}",
            p.name,
            format!("{}x{}", p.processes, p.workers),
            p.seconds,
            p.companies_per_s,
            p.records,
            p.requests,
            p.rate_limited,
            staleness(p.staleness_p50_s),
            staleness(p.staleness_p99_s),
            memory,
            p.db_bytes as f64 / 1e6,
            p.db_connections_peak
                .map_or("-".to_owned(), |c| c.to_string())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.5), Some(50.0));
        assert_eq!(percentile(&values, 0.99), Some(99.0));
        assert_eq!(percentile(&[3.0], 0.99), Some(3.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
