//! Draws sync progress on stderr: a line per resource with live counts on a terminal,
//! plain lines otherwise (logs, CI). Stdout stays for the summary.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

use bridge_sync::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

/// A channel for the engine and the task that draws what comes through it.
pub fn start() -> (UnboundedSender<Progress>, JoinHandle<()>) {
    let (sender, receiver) = unbounded_channel();
    let task = tokio::spawn(draw(receiver, std::io::stderr().is_terminal()));
    (sender, task)
}

async fn draw(mut events: UnboundedReceiver<Progress>, terminal: bool) {
    let multi = terminal.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
    let style = ProgressStyle::with_template("{spinner} {prefix:>18} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let mut bars: HashMap<String, ProgressBar> = HashMap::new();
    while let Some(event) = events.recv().await {
        match (&multi, event) {
            (
                Some(multi),
                Progress::ListingStarted {
                    resource,
                    mode,
                    resumed,
                },
            ) => {
                let bar = bars.entry(resource.clone()).or_insert_with(|| {
                    let bar = multi.add(
                        ProgressBar::new_spinner()
                            .with_style(style.clone())
                            .with_prefix(resource.clone()),
                    );
                    bar.enable_steady_tick(Duration::from_millis(120));
                    bar
                });
                bar.set_message(format!(
                    "{mode}{}",
                    if resumed { " (resuming)" } else { "" }
                ));
            }
            (
                Some(_),
                Progress::PageStored {
                    resource,
                    fetched,
                    created,
                    updated,
                },
            ) => {
                if let Some(bar) = bars.get(&resource) {
                    bar.set_message(format!("{fetched} read, {created} new, {updated} changed"));
                }
            }
            (Some(_), Progress::ResourceFinished { resource, summary }) => {
                for (name, bar) in bars
                    .iter()
                    .filter(|(name, _)| name.split('.').next() == Some(resource))
                {
                    let _ = name;
                    bar.finish_with_message(format!(
                        "{} read, {} new, {} changed, {} deleted ({})",
                        summary.fetched,
                        summary.created,
                        summary.updated,
                        summary.deleted,
                        summary.mode
                    ));
                }
            }
            (Some(multi), Progress::ResourceSkipped { resource, reason }) => {
                let _ = multi.println(format!("  {resource}: skipped: {reason}"));
            }
            (Some(multi), Progress::ResourceFailed { resource, error }) => {
                let _ = multi.println(format!("  {resource}: failed: {error}"));
            }
            (Some(_), Progress::RunStarted { .. }) => {}
            (None, event) => plain(&event),
        }
    }
    for bar in bars.values() {
        if !bar.is_finished() {
            bar.abandon();
        }
    }
}

fn plain(event: &Progress) {
    match event {
        Progress::RunStarted { company, resources } => {
            eprintln!("syncing {company}: {}", resources.join(", "))
        }
        Progress::ListingStarted {
            resource,
            mode,
            resumed,
        } => {
            eprintln!(
                "  {resource}: {mode} listing{}",
                if *resumed { ", resuming" } else { "" }
            )
        }
        Progress::PageStored { .. } => {}
        Progress::ResourceFinished { resource, summary } => eprintln!(
            "  {resource}: {} read, {} new, {} changed, {} deleted ({})",
            summary.fetched, summary.created, summary.updated, summary.deleted, summary.mode
        ),
        Progress::ResourceSkipped { resource, reason } => {
            eprintln!("  {resource}: skipped: {reason}")
        }
        Progress::ResourceFailed { resource, error } => eprintln!("  {resource}: failed: {error}"),
    }
}
