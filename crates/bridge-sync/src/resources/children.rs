//! Lists read once per parent: a project's members, a report's rows, an employee's
//! absence balances or documents. Each parent's children are stored in one write that also
//! marks that parent's earlier children not seen again as deleted, so the new list replaces
//! the old one.

use bridge_store::{Key, Row, Table};
use futures::TryStreamExt;
use futures::future::BoxFuture;
use personio_client::{Client, Record};
use serde::de::DeserializeOwned;

use crate::error::Error;

/// What one parent's listing gave.
#[derive(Debug, Default)]
pub(crate) struct Children {
    pub rows: Vec<Row>,
    /// The fewest requests that could have read them (one for an empty list).
    pub min_requests: u64,
}

/// A list with one listing per parent.
pub(crate) trait PerParent: Send + Sync {
    /// The checkpoint name, also shown in progress.
    fn checkpoint_name(&self) -> &'static str;
    fn table(&self) -> &'static Table;
    /// The column holding the parent's key.
    fn parent_column(&self) -> &'static str;
    /// Reads and maps the children of `parent`.
    fn fetch<'a>(
        &'a self,
        client: &'a Client,
        parent: &'a Key,
    ) -> BoxFuture<'a, Result<Children, Error>>;
}

/// Every item of a v2 list of `limit`-sized pages, and how many requests that takes at least.
pub(crate) async fn all_v2<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    path: &str,
    limit: u32,
    mut query: Vec<(String, String)>,
) -> Result<(Vec<Record<T>>, u64), Error> {
    query.push(("limit".into(), limit.to_string()));
    let pages: Vec<_> = client
        .pages_v2::<T>(path, query, None)
        .try_collect()
        .await?;
    let items: Vec<Record<T>> = pages.into_iter().flat_map(|p| p.items).collect();
    let min = (items.len() as u64).div_ceil(u64::from(limit)).max(1);
    Ok((items, min))
}
