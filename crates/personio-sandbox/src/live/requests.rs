//! The request log: how many requests each route answered, by status, since the sandbox
//! started or the log was last cleared, so tests count requests instead of timing them.
//! Our own `/_sandbox/` calls are not counted.

use std::collections::BTreeMap;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde_json::{Value, json};

use super::faults::ConnectionWasReset;
use super::is_admin;
use crate::state::AppState;

/// Counts per route (`GET /v2/persons/{id}`) and status (`"200"`, or `"reset"` when the
/// connection was aborted before any answer).
pub(crate) struct RequestLog {
    inner: Mutex<Counts>,
}

struct Counts {
    since: DateTime<Utc>,
    total: u64,
    routes: BTreeMap<String, BTreeMap<String, u64>>,
}

impl RequestLog {
    pub(crate) fn new(since: DateTime<Utc>) -> RequestLog {
        RequestLog {
            inner: Mutex::new(Counts {
                since,
                total: 0,
                routes: BTreeMap::new(),
            }),
        }
    }

    fn count(&self, route: String, status: String) {
        let mut counts = self.inner.lock();
        counts.total += 1;
        *counts
            .routes
            .entry(route)
            .or_default()
            .entry(status)
            .or_default() += 1;
    }

    /// `{"since", "total", "routes": {route: {status: count}}}`.
    pub(crate) fn snapshot(&self) -> Value {
        let counts = self.inner.lock();
        json!({ "since": counts.since, "total": counts.total, "routes": counts.routes })
    }

    /// Starts counting afresh from `since`.
    pub(crate) fn clear(&self, since: DateTime<Utc>) {
        let mut counts = self.inner.lock();
        counts.since = since;
        counts.total = 0;
        counts.routes.clear();
    }
}

/// Middleware: counts every answered request under its matched route.
pub(crate) async fn record(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if is_admin(request.uri().path()) {
        return next.run(request).await;
    }
    let pattern = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    let route = format!("{} {pattern}", request.method());
    let response = next.run(request).await;
    let status = if response.extensions().get::<ConnectionWasReset>().is_some() {
        "reset".to_owned()
    } else {
        response.status().as_u16().to_string()
    };
    app.live.requests.count(route, status);
    response
}
