//! `/healthz` and Prometheus `/metrics`: requests served, server errors, syncs by outcome,
//! records read, requests sent to Personio and sync durations. Counters are plain atomics
//! written in the text exposition format by hand: a handful of lines do not need a registry.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bridge_store::Outcome;

use crate::state::AppState;

#[derive(Default)]
pub(crate) struct Metrics {
    http_requests: AtomicU64,
    http_server_errors: AtomicU64,
    personio_webhooks: AtomicU64,
    syncs: Mutex<BTreeMap<&'static str, SyncTotals>>,
}

#[derive(Default, Clone, Copy)]
struct SyncTotals {
    count: u64,
    records: u64,
    personio_requests: u64,
    seconds: f64,
}

impl Metrics {
    /// Notes an accepted Personio webhook.
    pub(crate) fn webhook_received(&self) {
        self.personio_webhooks.fetch_add(1, Ordering::Relaxed);
    }

    /// Notes a finished sync.
    pub(crate) fn sync_finished(
        &self,
        outcome: Outcome,
        records: u64,
        requests: u64,
        seconds: f64,
    ) {
        if let Ok(mut syncs) = self.syncs.lock() {
            let totals = syncs.entry(outcome.as_str()).or_default();
            totals.count += 1;
            totals.records += records;
            totals.personio_requests += requests;
            totals.seconds += seconds;
        }
    }

    fn render(&self, companies: usize) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        line("# HELP bridge_http_requests_total HTTP requests served.".into());
        line("# TYPE bridge_http_requests_total counter".into());
        line(format!(
            "bridge_http_requests_total {}",
            self.http_requests.load(Ordering::Relaxed)
        ));
        line("# HELP bridge_http_server_errors_total Responses with a 5xx status.".into());
        line("# TYPE bridge_http_server_errors_total counter".into());
        line(format!(
            "bridge_http_server_errors_total {}",
            self.http_server_errors.load(Ordering::Relaxed)
        ));
        line(
            "# HELP bridge_personio_webhooks_total Personio webhooks accepted (each asks for a sync)."
                .into(),
        );
        line("# TYPE bridge_personio_webhooks_total counter".into());
        line(format!(
            "bridge_personio_webhooks_total {}",
            self.personio_webhooks.load(Ordering::Relaxed)
        ));
        line("# HELP bridge_companies Linked companies.".into());
        line("# TYPE bridge_companies gauge".into());
        line(format!("bridge_companies {companies}"));
        let syncs = self.syncs.lock().map(|s| s.clone()).unwrap_or_default();
        for (name, help, kind, value) in [
            (
                "bridge_syncs_total",
                "Syncs run by this process, by outcome.",
                "counter",
                (|t: &SyncTotals| t.count as f64) as fn(&SyncTotals) -> f64,
            ),
            (
                "bridge_sync_records_total",
                "Records read from Personio by syncs.",
                "counter",
                |t| t.records as f64,
            ),
            (
                "bridge_sync_personio_requests_total",
                "Requests syncs sent to Personio.",
                "counter",
                |t| t.personio_requests as f64,
            ),
            (
                "bridge_sync_duration_seconds_sum",
                "Time spent syncing.",
                "counter",
                |t| t.seconds,
            ),
        ] {
            line(format!("# HELP {name} {help}"));
            line(format!("# TYPE {name} {kind}"));
            for (outcome, totals) in &syncs {
                let mut text = String::new();
                let _ = write!(text, "{name}{{outcome=\"{outcome}\"}} {}", value(totals));
                line(text);
            }
        }
        out
    }
}

/// Counts every request and every server error.
pub(crate) async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    state.metrics.http_requests.fetch_add(1, Ordering::Relaxed);
    if response.status().is_server_error() {
        state
            .metrics
            .http_server_errors
            .fetch_add(1, Ordering::Relaxed);
    }
    response
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let companies = state.store.companies().await.map(|c| c.len()).unwrap_or(0);
    let mut text = state.metrics.render(companies);
    text.push_str(&state.mcp.render_prometheus());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// 200 when the store answers, 503 when it does not.
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.companies().await {
        Ok(_) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ok" })),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}
