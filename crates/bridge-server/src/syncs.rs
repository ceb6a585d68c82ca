//! Syncs the service runs in the background (the first sync after linking, "Sync now"):
//! never two of one company at once in this process, with their progress kept for the
//! company page. Finished runs are read from the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bridge_store::{Company, CompanyId, Store};
use bridge_sync::{Progress, SyncEngine, SyncOptions};

use crate::metrics::Metrics;
use chrono::{DateTime, Utc};

/// A sync under way.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    pub(crate) started_at: DateTime<Utc>,
    /// Records read so far, per resource.
    pub(crate) fetched: Vec<(String, u64)>,
    /// The resources the run covers.
    pub(crate) resources: Vec<&'static str>,
    pub(crate) finished: Vec<&'static str>,
}

#[derive(Clone)]
pub(crate) struct Syncs {
    store: Store,
    metrics: Arc<Metrics>,
    running: Arc<Mutex<HashMap<CompanyId, Live>>>,
}

impl Syncs {
    pub(crate) fn new(store: Store, metrics: Arc<Metrics>) -> Syncs {
        Syncs {
            store,
            metrics,
            running: Arc::default(),
        }
    }

    /// The company's sync under way, if any.
    pub(crate) fn live(&self, company: CompanyId) -> Option<Live> {
        self.running
            .lock()
            .ok()
            .and_then(|running| running.get(&company).cloned())
    }

    /// Starts a sync of `company` unless one is under way; false if one was.
    pub(crate) fn start(&self, company: Company, options: SyncOptions) -> bool {
        {
            let Ok(mut running) = self.running.lock() else {
                return false;
            };
            if running.contains_key(&company.id) {
                return false;
            }
            running.insert(
                company.id,
                Live {
                    started_at: Utc::now(),
                    fetched: Vec::new(),
                    resources: Vec::new(),
                    finished: Vec::new(),
                },
            );
        }
        let this = self.clone();
        tokio::spawn(async move {
            let id = company.id;
            let name = company.name.clone();
            if let Err(error) = this.run(company, options).await {
                tracing::warn!(company = %name, error = %error, "background sync failed");
            }
            if let Ok(mut running) = this.running.lock() {
                running.remove(&id);
            }
        });
        true
    }

    async fn run(&self, company: Company, options: SyncOptions) -> Result<(), String> {
        let id = company.id;
        let client = bridge_sync::link::client_for(&self.store, &company)
            .await
            .map_err(|e| e.to_string())?;
        let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
        let engine = SyncEngine::new(self.store.clone(), client, company).with_progress(sender);
        let running = self.running.clone();
        let watcher = tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let Ok(mut running) = running.lock() else {
                    continue;
                };
                let Some(live) = running.get_mut(&id) else {
                    continue;
                };
                match event {
                    Progress::RunStarted { resources, .. } => live.resources = resources,
                    Progress::PageStored {
                        resource, fetched, ..
                    } => match live.fetched.iter_mut().find(|(r, _)| *r == resource) {
                        Some(entry) => entry.1 = fetched,
                        None => live.fetched.push((resource, fetched)),
                    },
                    Progress::ResourceFinished { resource, .. }
                    | Progress::ResourceSkipped { resource, .. }
                    | Progress::ResourceFailed { resource, .. } => live.finished.push(resource),
                    Progress::ListingStarted { .. } => {}
                }
            }
        });
        let result = engine.run(&options).await;
        drop(engine);
        let _ = watcher.await;
        match result {
            Ok(summary) => {
                self.metrics.sync_finished(
                    summary.outcome,
                    summary.records_fetched(),
                    summary.requests,
                    summary.seconds,
                );
                Ok(())
            }
            Err(error) => {
                self.metrics.sync_finished("failed", 0, 0, 0.0);
                Err(error.to_string())
            }
        }
    }
}
