//! At start, the writes a killed process left unfinished are resolved (by reading Personio
//! first) in the background, through the service's one [`Writers`] cache.

use bridge_store::{CompanyId, Store};
use bridge_sync::write::Writers;

/// Finishes the writes left open in the journal, company by company.
pub(crate) async fn recover(writers: &Writers, store: &Store) {
    let open = match store.journal_open(None).await {
        Ok(open) => open,
        Err(error) => {
            tracing::error!(%error, "could not read the write journal");
            return;
        }
    };
    let mut ids: Vec<CompanyId> = open.iter().map(|e| e.company).collect();
    ids.dedup();
    let companies = match store.companies().await {
        Ok(companies) => companies,
        Err(error) => {
            tracing::error!(%error, "could not read the companies of open writes");
            return;
        }
    };
    for company in companies.into_iter().filter(|c| ids.contains(&c.id)) {
        let writer = match writers.get(store, &company).await {
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
