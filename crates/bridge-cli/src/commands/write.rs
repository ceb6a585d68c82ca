//! `personio-bridge write`: a file of records (JSON Lines) written to Personio, each line
//! exactly once, with a result line per input line.
//!
//! Each line gets an idempotency key derived from the file's identity, its number and its
//! content (`bridge_sync::write::line_key`), and goes through the write journal like a
//! write through the API: a rerun after a crash or Ctrl-C answers the lines already written
//! from the journal, resolves the ones whose answer was lost by reading Personio, and writes
//! the rest. Pacing follows Personio's rate-limit headers (the client's job).

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use bridge_sync::write::{
    Intent, Operation, Progress, READ_BACK_BATCH, WRITABLE, WriteError, Writer, intent_of_line,
    line_key,
};
use clap::{ArgGroup, Args};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Ending;
use crate::context::{Context, client_for};
use crate::output::{Format, print_json};
use crate::signals;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("operation").required(true).args(["create", "update", "delete"])))]
pub struct WriteArgs {
    /// The company to write to.
    #[arg(long)]
    pub company: String,
    /// What to write: attendance_periods or projects (create, update, delete),
    /// absence_periods (create, delete), or employees (create, update).
    #[arg(long)]
    pub resource: String,
    /// Create a record per line: the fields the resource's records show (`-` reads stdin).
    #[arg(long, value_name = "FILE")]
    pub create: Option<PathBuf>,
    /// Change a record per line: its `id` and the fields to change.
    #[arg(long, value_name = "FILE")]
    pub update: Option<PathBuf>,
    /// Delete a record per line: `{"id": ...}`.
    #[arg(long, value_name = "FILE")]
    pub delete: Option<PathBuf>,
    /// Names the file for the idempotency keys instead of its path (a file moved or read
    /// from stdin keeps its keys with the same name).
    #[arg(long)]
    pub batch: Option<String>,
    /// Lines in flight at once (pacing still follows Personio's limits).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub concurrency: u32,
    /// text (default) or json: one result per input line on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub output: Format,
}

/// The result of one line.
#[derive(Debug, Serialize)]
pub(crate) struct LineResult {
    line: u64,
    /// created, updated, deleted, refused (by Personio, or before sending), or unfinished
    /// (Personio's answer is not known yet: run the command again).
    pub(crate) outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub async fn run(args: WriteArgs, context: &Context) -> anyhow::Result<Ending> {
    let (operation, path) = match (&args.create, &args.update, &args.delete) {
        (Some(path), None, None) => (Operation::Create, path),
        (None, Some(path), None) => (Operation::Update, path),
        (None, None, Some(path)) => (Operation::Delete, path),
        _ => bail!("give one of --create, --update or --delete"),
    };
    let resource = match args.resource.as_str() {
        "attendances" | "attendance_periods" => "attendance_periods",
        "absences" | "absence_periods" => "absence_periods",
        "projects" => "projects",
        "employees" => "employees",
        other => bail!(
            "{other} cannot be written; writable: {}",
            WRITABLE.join(", ")
        ),
    };
    if resource == "absence_periods" && operation == Operation::Update {
        bail!(
            "absence_periods take --create and --delete (Personio's changes of an absence are not written through the bridge)"
        );
    }
    if resource == "employees" && operation == Operation::Delete {
        bail!(
            "employees take --create and --update (Personio's API deletes no employees; set \"status\": \"inactive\" instead)"
        );
    }
    let (text, identity) = read_input(path, args.batch.as_deref())?;
    let lines: Vec<(u64, String)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i as u64 + 1, line.to_owned()))
        .collect();

    let store = context.store().await?;
    let company = store.company(&args.company).await?;
    let client = client_for(&store, &company).await?;
    let writer = Writer::new(store, client, company);

    let bar = progress_bar(lines.len() as u64);
    let interrupted = signals::shutdown();
    let mut interrupted = std::pin::pin!(interrupted);
    let (mut failed, mut done) = (0u64, 0u64);
    // A chunk's writes are sent (a few at a time), then what Personio accepted is read back
    // in one request and stored, then the chunk's results are reported in line order.
    for chunk in lines.chunks(READ_BACK_BATCH) {
        let work = write_chunk(
            &writer,
            resource,
            operation,
            &identity,
            chunk,
            args.concurrency,
        );
        let results = tokio::select! {
            results = work => results?,
            () = &mut interrupted => {
                bar.abandon_with_message("interrupted");
                eprintln!("interrupted after {done} line(s); run the same command again to finish the file (nothing is written twice)");
                return Ok(Ending::Partial);
            }
        };
        for result in results {
            done += 1;
            if !matches!(result.outcome, "created" | "updated" | "deleted") {
                failed += 1;
            }
            bar.inc(1);
            bar.suspend(|| report(&result, args.output))?;
        }
    }
    bar.finish_and_clear();
    let metrics = writer.client().metrics();
    eprintln!(
        "{done} line(s): {} written, {failed} not; {} request(s) to Personio, {} rate limited",
        done - failed,
        metrics.requests,
        metrics.rate_limited
    );
    Ok(if failed == 0 {
        Ending::Done
    } else {
        Ending::Partial
    })
}

/// A line sent, or settled without the read-back.
enum Sent {
    Settled(LineResult),
    Accepted {
        key: String,
        intent: Box<Intent>,
        id: String,
    },
}

/// The lines of one chunk, written and stored; their results in line order.
pub(crate) async fn write_chunk(
    writer: &Writer,
    resource: &str,
    operation: Operation,
    identity: &str,
    chunk: &[(u64, String)],
    concurrency: u32,
) -> anyhow::Result<Vec<LineResult>> {
    let sent: Vec<anyhow::Result<(u64, Sent)>> = futures::stream::iter(chunk)
        .map(|(number, line)| async move {
            let key = line_key(identity, operation, *number, line);
            let sent = send_line(writer, resource, operation, *number, line, key).await?;
            Ok((*number, sent))
        })
        .buffered(concurrency as usize)
        .collect()
        .await;
    let sent = sent.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    let accepted: Vec<(String, Intent, String)> = sent
        .iter()
        .filter_map(|(_, sent)| match sent {
            Sent::Accepted { key, intent, id } => {
                Some((key.clone(), (**intent).clone(), id.clone()))
            }
            Sent::Settled(_) => None,
        })
        .collect();
    let mut stored = writer.store_accepted(&accepted).await.into_iter();
    let mut results = Vec::with_capacity(sent.len());
    for (number, sent) in sent {
        results.push(match sent {
            Sent::Settled(result) => result,
            Sent::Accepted { .. } => match stored.next() {
                Some(written) => line_result(number, written)?,
                None => bail!("line {number}: its write was not stored"),
            },
        });
    }
    Ok(results)
}

/// One line: parsed, checked, sent. Errors of the store are the command's failure.
async fn send_line(
    writer: &Writer,
    resource: &str,
    operation: Operation,
    number: u64,
    line: &str,
    key: String,
) -> anyhow::Result<Sent> {
    let refused = |error: String| {
        Sent::Settled(LineResult {
            line: number,
            outcome: "refused",
            id: None,
            error: Some(error),
        })
    };
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return Ok(refused(format!("not a JSON object: {e}"))),
    };
    let intent = match intent_of_line(resource, operation, value) {
        Ok(intent) => intent,
        Err(e) => return Ok(refused(e.to_string())),
    };
    let progress = match writer.check_new(&key, &intent).await {
        // The operator running the command is who asked (the write's audit entry names them).
        Ok(()) => {
            writer
                .write_deferred(&super::cli_actor(), &key, &intent)
                .await
        }
        Err(error) => Err(error),
    };
    Ok(match progress {
        Ok(Progress::Accepted { id }) => Sent::Accepted {
            key,
            intent: Box::new(intent),
            id,
        },
        Ok(Progress::Done(written)) => Sent::Settled(line_result(number, Ok(written))?),
        Err(error) => Sent::Settled(line_result(number, Err(error))?),
    })
}

/// A finished write's line.
fn line_result(
    number: u64,
    written: Result<bridge_sync::write::Written, WriteError>,
) -> anyhow::Result<LineResult> {
    let refused = |error: String| LineResult {
        line: number,
        outcome: "refused",
        id: None,
        error: Some(error),
    };
    Ok(match written {
        Ok(written) => LineResult {
            line: number,
            outcome: written.operation.done(),
            id: Some(written.id),
            error: None,
        },
        Err(WriteError::Field(e)) => refused(e.to_string()),
        Err(WriteError::Refused(r)) => {
            refused(format!("Personio refused it ({}): {}", r.status, r.message))
        }
        Err(WriteError::KeyReused) => refused("the line's key was used for another write".into()),
        Err(e @ (WriteError::Unfinished(_) | WriteError::InProgress)) => LineResult {
            line: number,
            outcome: "unfinished",
            id: None,
            error: Some(e.to_string()),
        },
        Err(other) => return Err(other).context(format!("line {number}")),
    })
}

fn report(result: &LineResult, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(result),
        Format::Text => {
            let detail = match (&result.id, &result.error) {
                (_, Some(error)) => format!(": {error}"),
                (Some(id), None) => format!(" {id}"),
                (None, None) => String::new(),
            };
            println!("line {}: {}{detail}", result.line, result.outcome);
            Ok(())
        }
    }
}

/// The file's text and its identity for the keys: `--batch`, else the file's full path, else
/// (stdin) a digest of its content.
fn read_input(path: &PathBuf, batch: Option<&str>) -> anyhow::Result<(String, String)> {
    let stdin = path.as_os_str() == "-";
    let text = if stdin {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .context("could not read stdin")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("could not read {}", path.display()))?
    };
    let identity = match batch {
        Some(name) => format!("batch:{name}"),
        None if stdin => {
            let digest = Sha256::digest(text.as_bytes());
            format!(
                "stdin:{}",
                digest
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            )
        }
        None => {
            let full = std::fs::canonicalize(path)
                .with_context(|| format!("could not resolve {}", path.display()))?;
            format!("file:{}", full.display())
        }
    };
    Ok((text, identity))
}

fn progress_bar(lines: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(lines), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} lines {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
