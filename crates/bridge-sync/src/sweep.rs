//! The retention sweep that follows a scheduled sync: what the company keeps past its
//! `retention_days` is purged (`Store::purge_expired`). A company without a retention period
//! costs one read. A failed sweep is logged and tried again after the next sync; it never
//! fails the sync.

use bridge_store::{CompanyId, SWEEP_ACTOR, Store};
use chrono::Utc;

pub(crate) async fn after_sync(store: &Store, company: CompanyId) {
    let company = match store.company_by_id(company).await {
        Ok(company) => company,
        Err(error) => {
            tracing::warn!(company = company.0, %error, "retention sweep skipped");
            return;
        }
    };
    match store
        .purge_expired(&company, SWEEP_ACTOR, false, Utc::now())
        .await
    {
        Ok(Some(purge)) if purge.total() > 0 => {
            tracing::info!(company = %company.name, removed = purge.total(), cutoff = %purge.cutoff, "retention sweep purged expired records");
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(company = %company.name, %error, "retention sweep failed; it runs again after the next sync");
        }
    }
}
