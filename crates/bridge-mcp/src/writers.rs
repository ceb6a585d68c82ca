//! One `Writer` per company, kept while the company's settings stay as they were: the tool
//! calls of a company share its client (token, pacing, rate-limit state) and its set of keys
//! in flight, so one call's retry waits for the first instead of racing it.

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
}
