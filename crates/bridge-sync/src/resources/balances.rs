//! Absence balances through v1 (`GET /v1/company/employees/{id}/absences/balance`,
//! personio-api.md §2.2): v2 has none, and v1 answers per employee, one request each. A
//! full sync reads every employee's; an incremental one only those whose absences changed
//! in the same run (see the engine), since a balance moves only with absences (and with
//! accruals, which the next full sync picks up).

use bridge_store::tables::{ABSENCE_PERIODS, BALANCES};
use bridge_store::{Key, Table, Value};
use futures::future::BoxFuture;
use personio_api::v1::{Balance, Single};
use personio_client::Client;
use personio_client::endpoints::paths;
use serde_json::value::RawValue;

use super::Reading;
use super::children::{Children, PerParent};
use crate::engine::Syncing;
use crate::error::Error;
use crate::summary::ResourceSummary;

pub(crate) struct Balances;

impl PerParent for Balances {
    fn checkpoint_name(&self) -> &'static str {
        "balances"
    }

    fn table(&self) -> &'static Table {
        &BALANCES
    }

    fn parent_column(&self) -> &'static str {
        "employee_id"
    }

    fn fetch<'a>(
        &'a self,
        client: &'a Client,
        parent: &'a Key,
    ) -> BoxFuture<'a, Result<Children, Error>> {
        Box::pin(async move {
            let Key::Int(employee) = parent else {
                return Err(Error::Malformed {
                    resource: "employee",
                    field: "a numeric id",
                });
            };
            let path = paths::balance_v1(employee);
            let body: Single<Vec<Box<RawValue>>> = client.get(&path, &[]).await?;
            let rows = body
                .data
                .into_iter()
                .map(|raw| {
                    let b: Balance =
                        serde_json::from_str(raw.get()).map_err(|_| Error::Malformed {
                            resource: "absence balance",
                            field: "id",
                        })?;
                    Ok(BALANCES
                        .row(Key::Text(format!("{employee}:{}", b.id)))
                        .set("employee_id", Value::Int(*employee))
                        .set("absence_type_id", Value::Int(b.id))
                        .set("absence_type", Value::text(b.name))
                        .set("category", Value::opt_text(b.category))
                        .set("balance", Value::Real(b.balance))
                        .set("available", Value::opt_real(b.available_balance))
                        .finish(raw.get().to_owned(), None)?)
                })
                .collect::<Result<_, Error>>()?;
            Ok(Children {
                rows,
                min_requests: 1,
            })
        })
    }
}

/// Balances of every employee on a full sync (or the first one), otherwise of those whose
/// absences changed since balances were last read.
pub(crate) struct BalancesOfChangedAbsences;

impl Reading for BalancesOfChangedAbsences {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let parents = sync.parents_following(&Balances, &ABSENCE_PERIODS).await?;
            sync.children(&Balances, parents).await
        })
    }
}
