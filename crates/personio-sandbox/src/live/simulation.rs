//! Letting time pass: `POST /_sandbox/simulate` moves the sandbox clock on by whole days and
//! applies each day's changes; `--simulate-every` does one day at a fixed interval.

use std::time::Duration;

use crate::company::SimulationReport;
use crate::state::AppState;

/// Most days one call may simulate.
pub(crate) const MAX_DAYS: u32 = 366;

/// Simulates `days` days from now and moves the clock past them. Readers see the company
/// before or after, never half way: the write lock is held throughout.
pub(crate) fn simulate(app: &AppState, days: u32) -> SimulationReport {
    let mut company = app.company.write();
    let start = app.clock.now();
    let report = company.simulate(app.live.seed, start, days);
    app.clock.advance(chrono::Duration::days(i64::from(days)));
    report
}

/// Simulates one day every `every`, until the sandbox stops.
pub(crate) async fn run_every(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let report = simulate(&state, 1);
        tracing::info!(
            created = ?report.created,
            updated = ?report.updated,
            deleted = ?report.deleted,
            "a simulated day passed"
        );
    }
}
