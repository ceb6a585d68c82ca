//! One [`Writer`] per company, kept while the company's settings stay as they were: writes
//! share the client's token, pacing and rate-limit state instead of starting afresh, and
//! calls with one idempotency key never run at once.
//!
//! At start, the writes a killed process left unfinished are resolved (by reading Personio
//! first) in the background.

use std::collections::HashMap;
use std::sync::Arc;

use bridge_store::{Company, CompanyId, Store};
use bridge_sync::write::Writer;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;

/// A company's writer, with the company's `updated_at` it was built for.
type Cached = HashMap<CompanyId, (DateTime<Utc>, Writer)>;

#[derive(Clone, Default)]
pub(crate) struct Writers {
    cached: Arc<Mutex<Cached>>,
}

impl Writers {
    /// The writer of `company`, built with its stored credential when needed.
    pub(crate) async fn get(
        &self,
        store: &Store,
        company: &Company,
    ) -> Result<Writer, bridge_sync::Error> {
        if let Some((changed, writer)) = self.cached.lock().get(&company.id)
            && *changed == company.updated_at
        {
            return Ok(writer.clone());
        }
        let client = bridge_sync::scheduler::client_for(store, company).await?;
        let writer = Writer::new(store.clone(), client, company.clone());
        self.cached
            .lock()
            .insert(company.id, (company.updated_at, writer.clone()));
        Ok(writer)
    }

    /// Finishes the writes left open in the journal, company by company.
    pub(crate) async fn recover(&self, store: &Store) {
        let open = match store.journal_open(None).await {
            Ok(open) => open,
            Err(error) => {
                tracing::error!(%error, "could not read the write journal");
                return;
            }
        };
        let mut companies: Vec<CompanyId> = open.iter().map(|e| e.company).collect();
        companies.dedup();
        for id in companies {
            let Some(company) = store
                .companies()
                .await
                .ok()
                .and_then(|all| all.into_iter().find(|c| c.id == id))
            else {
                continue;
            };
            let writer = match self.get(store, &company).await {
                Ok(writer) => writer,
                Err(error) => {
                    tracing::warn!(company = company.name, %error, "cannot finish open writes");
                    continue;
                }
            };
            match writer.recover().await {
                Ok(results) => {
                    for (key, result) in results {
                        match result {
                            Ok(written) => tracing::info!(
                                company = company.name,
                                key,
                                id = written.id,
                                "open write finished"
                            ),
                            Err(error) => {
                                tracing::warn!(company = company.name, key, %error, "open write not finished")
                            }
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(company = company.name, %error, "cannot finish open writes")
                }
            }
        }
    }
}
