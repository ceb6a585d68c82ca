//! One [`Writer`] per company, kept while the company's settings stay as they were: writes
//! share the client's token, pacing and rate-limit state instead of starting afresh, and
//! calls with one idempotency key never run at once.

use std::collections::HashMap;
use std::sync::Arc;

use super::Writer;
use bridge_store::{Company, CompanyId, Store};
use chrono::{DateTime, Utc};
use parking_lot::Mutex;

/// A company's writer, with the company's `updated_at` it was built for.
type Cached = HashMap<CompanyId, (DateTime<Utc>, Writer)>;

#[derive(Clone, Default)]
pub struct Writers {
    cached: Arc<Mutex<Cached>>,
}

impl Writers {
    /// The writer of `company`, built with its stored credential when needed.
    pub async fn get(&self, store: &Store, company: &Company) -> Result<Writer, crate::Error> {
        if let Some((changed, writer)) = self.cached.lock().get(&company.id)
            && *changed == company.updated_at
        {
            return Ok(writer.clone());
        }
        let client = crate::scheduler::client_for(store, company).await?;
        let writer = Writer::new(store.clone(), client, company.clone());
        self.cached
            .lock()
            .insert(company.id, (company.updated_at, writer.clone()));
        Ok(writer)
    }
}
