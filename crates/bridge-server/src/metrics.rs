//! `/healthz` and Prometheus `/metrics` (OpenMetrics text through `prometheus-client`):
//! requests served, server errors, syncs by outcome, records read, requests sent to Personio,
//! sync durations (a histogram by outcome, and one per resource), and the latency of Personio
//! API calls by route. A `worker` process serves the same two paths (see [`serve_probes`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bridge_store::{CompanyId, Outcome, Store};
use bridge_sync::Progress;
use bridge_sync::scheduler::SchedulerEvent;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

use crate::state::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResourceLabel {
    resource: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Sync durations: 0.1 s to about 14 hours.
fn sync_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.1, 2.0, 20))
}

/// What one process counts; shared by its service, workers and probes.
pub struct Metrics {
    registry: Registry,
    http_requests: Counter,
    http_server_errors: Counter,
    personio_webhooks: Counter,
    companies: Gauge,
    syncs: Family<OutcomeLabel, Counter>,
    sync_records: Family<OutcomeLabel, Counter>,
    sync_requests: Family<OutcomeLabel, Counter>,
    sync_seconds: Histograms<OutcomeLabel>,
    resource_seconds: Histograms<ResourceLabel>,
    /// When each company's resource began syncing, for `resource_seconds`.
    resource_started: Mutex<HashMap<(CompanyId, String), Instant>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let http_requests = Counter::default();
        // Counters are written with `_total` after the registered name.
        registry.register(
            "bridge_http_requests",
            "HTTP requests served",
            http_requests.clone(),
        );
        let http_server_errors = Counter::default();
        registry.register(
            "bridge_http_server_errors",
            "Responses with a 5xx status",
            http_server_errors.clone(),
        );
        let personio_webhooks = Counter::default();
        registry.register(
            "bridge_personio_webhooks",
            "Personio webhooks accepted (each asks for a sync)",
            personio_webhooks.clone(),
        );
        let companies = Gauge::default();
        registry.register("bridge_companies", "Linked companies", companies.clone());
        let syncs = Family::default();
        registry.register(
            "bridge_syncs",
            "Syncs run by this process, by outcome",
            syncs.clone(),
        );
        let sync_records = Family::default();
        registry.register(
            "bridge_sync_records",
            "Records read from Personio by syncs",
            sync_records.clone(),
        );
        let sync_requests = Family::default();
        registry.register(
            "bridge_sync_personio_requests",
            "Requests syncs sent to Personio",
            sync_requests.clone(),
        );
        let sync_seconds: Histograms<OutcomeLabel> =
            Family::new_with_constructor(sync_histogram as fn() -> Histogram);
        registry.register(
            "bridge_sync_duration_seconds",
            "How long syncs took, by outcome",
            sync_seconds.clone(),
        );
        let resource_seconds: Histograms<ResourceLabel> =
            Family::new_with_constructor(sync_histogram as fn() -> Histogram);
        registry.register(
            "bridge_sync_resource_duration_seconds",
            "How long syncing one resource took, from its first listing to its end, by resource",
            resource_seconds.clone(),
        );
        personio_client::latency::register(&mut registry);
        Metrics {
            registry,
            http_requests,
            http_server_errors,
            personio_webhooks,
            companies,
            syncs,
            sync_records,
            sync_requests,
            sync_seconds,
            resource_seconds,
            resource_started: Mutex::default(),
        }
    }

    /// Notes an accepted Personio webhook.
    pub(crate) fn webhook_received(&self) {
        self.personio_webhooks.inc();
    }

    /// Takes in what a sync worker reports: resource timings, and each finished sync.
    pub fn observe(&self, event: &SchedulerEvent) {
        match event {
            SchedulerEvent::Progress(company, progress) => self.progress(*company, progress),
            SchedulerEvent::Finished(company, result) => {
                self.forget(*company);
                match result {
                    Ok(summary) => self.sync_finished(
                        summary.outcome,
                        summary.records_fetched(),
                        summary.requests,
                        summary.seconds,
                    ),
                    Err(_) => self.sync_finished(Outcome::Failed, 0, 0, 0.0),
                }
            }
        }
    }

    fn progress(&self, company: CompanyId, progress: &Progress) {
        let Ok(mut started) = self.resource_started.lock() else {
            return;
        };
        match progress {
            Progress::RunStarted { .. } => started.retain(|(c, _), _| *c != company),
            Progress::ListingStarted { resource, .. } => {
                started
                    .entry((company, resource.clone()))
                    .or_insert_with(Instant::now);
            }
            Progress::ResourceFinished { resource, .. }
            | Progress::ResourceFailed { resource, .. } => {
                if let Some(since) = started.remove(&(company, (*resource).to_owned())) {
                    self.resource_seconds
                        .get_or_create(&ResourceLabel { resource })
                        .observe(since.elapsed().as_secs_f64());
                }
            }
            Progress::ResourceSkipped { resource, .. } => {
                started.remove(&(company, (*resource).to_owned()));
            }
            Progress::PageStored { .. } => {}
        }
    }

    fn forget(&self, company: CompanyId) {
        if let Ok(mut started) = self.resource_started.lock() {
            started.retain(|(c, _), _| *c != company);
        }
    }

    /// Notes a finished sync.
    fn sync_finished(&self, outcome: Outcome, records: u64, requests: u64, seconds: f64) {
        let label = OutcomeLabel {
            outcome: outcome.as_str(),
        };
        self.syncs.get_or_create(&label).inc();
        self.sync_records.get_or_create(&label).inc_by(records);
        self.sync_requests.get_or_create(&label).inc_by(requests);
        self.sync_seconds.get_or_create(&label).observe(seconds);
    }

    /// The exposition text, with the count of linked companies as given.
    pub fn render(&self, companies: usize) -> String {
        self.companies
            .set(i64::try_from(companies).unwrap_or(i64::MAX));
        let mut out = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(%error, "could not write the metrics");
        }
        out
    }
}

/// What `/healthz` and `/metrics` need.
#[derive(Clone)]
pub(crate) struct Probes {
    store: Store,
    metrics: Arc<Metrics>,
    /// The MCP tools' counters, where the process serves `/mcp` (not a lone worker).
    mcp: Option<bridge_mcp::ToolStats>,
}

impl FromRef<AppState> for Probes {
    fn from_ref(state: &AppState) -> Probes {
        Probes {
            store: state.store.clone(),
            metrics: state.metrics.clone(),
            mcp: Some(state.mcp.clone()),
        }
    }
}

/// Counts every request and every server error.
pub(crate) async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    state.metrics.http_requests.inc();
    if response.status().is_server_error() {
        state.metrics.http_server_errors.inc();
    }
    response
}

pub(crate) async fn metrics(State(probes): State<Probes>) -> Response {
    let companies = probes.store.companies().await.map(|c| c.len()).unwrap_or(0);
    let mut text = probes.metrics.render(companies);
    if let Some(mcp) = &probes.mcp {
        text.push_str(&mcp.render_prometheus());
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// 200 when the store answers, 503 when it does not.
pub(crate) async fn healthz(State(probes): State<Probes>) -> Response {
    match probes.store.companies().await {
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

/// Serves `/healthz` and `/metrics` alone on `listener` (a `worker` process's probes) until
/// `shutdown` resolves.
pub async fn serve_probes(
    listener: TcpListener,
    store: Store,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(self::metrics))
        .with_state(Probes {
            store,
            metrics,
            mcp: None,
        });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
