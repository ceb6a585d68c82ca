//! Document metadata (never the files) through v2
//! (`GET /v2/document-management/documents?owner_id=...`, personio-api.md §3.9): the
//! owner is required, so one list per employee, on full syncs for everyone and otherwise
//! only for employees created or changed in the same run. Plus the v1 categories
//! (`GET /v1/company/document-categories`, §2.6: one answer, no paging).

use bridge_store::tables::{DOCUMENT_CATEGORIES, DOCUMENTS, EMPLOYEES};
use bridge_store::{Key, Table, Value};
use futures::future::BoxFuture;
use personio_api::{v1, v2};
use personio_client::endpoints::paths;
use personio_client::{Client, OffsetKind, Record};

use super::children::{Children, PerParent, all_v2};
use super::{ListingPlan, Mapped, Paging, Reading, Resource, instant, raw};
use crate::context::Context;
use crate::engine::Syncing;
use crate::error::Error;
use crate::plan::Step;
use crate::summary::ResourceSummary;

/// Documents per request: what Personio's other v2 lists allow (300 is refused, §3.9; our
/// choice).
const DOCUMENT_PAGE: u32 = 100;

/// `GET /v1/company/document-categories`.
pub(crate) struct DocumentCategories;

impl Resource for DocumentCategories {
    type Item = v1::DocumentCategory;

    fn checkpoint_name(&self) -> String {
        "document_categories".into()
    }

    fn table(&self) -> &'static Table {
        &DOCUMENT_CATEGORIES
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        ListingPlan {
            path: paths::DOCUMENT_CATEGORIES_V1.into(),
            query: Vec::new(),
            paging: Paging::V1 {
                limit: 100,
                offset_kind: OffsetKind::Items,
            },
        }
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            mapped.rows.push(
                DOCUMENT_CATEGORIES
                    .row(Key::Int(record.value.id))
                    .set("name", Value::text(record.value.attributes.name.clone()))
                    .finish(raw(&record), None)?,
            );
        }
        Ok(mapped)
    }
}

/// One employee's documents.
pub(crate) struct Documents;

fn number(id: &str) -> Option<i64> {
    id.trim().parse().ok()
}

impl PerParent for Documents {
    fn checkpoint_name(&self) -> &'static str {
        "documents"
    }

    fn table(&self) -> &'static Table {
        &DOCUMENTS
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
            let query = vec![("owner_id".to_owned(), parent.to_string())];
            let (items, min_requests) =
                all_v2::<v2::Document>(client, paths::DOCUMENTS, DOCUMENT_PAGE, query).await?;
            let rows = items
                .iter()
                .map(document_row)
                .collect::<Result<_, Error>>()?;
            Ok(Children { rows, min_requests })
        })
    }
}

/// A document's row, as a sync stores it (also for an upload read back).
pub(crate) fn document_row(record: &Record<v2::Document>) -> Result<bridge_store::Row, Error> {
    let d = &record.value;
    let owner = number(&d.owner.id).ok_or(Error::Malformed {
        resource: "document",
        field: "a numeric owner id",
    })?;
    Ok(DOCUMENTS
        .row(Key::Text(d.id.clone()))
        .set("employee_id", Value::Int(owner))
        .set("category_id", Value::opt_int(number(&d.category.id)))
        .set("name", Value::text(d.name.clone()))
        .set("date", Value::opt_text(d.date.clone()))
        .set("comment", Value::opt_text(d.comment.clone()))
        .set("document_type", Value::opt_text(d.document_type.clone()))
        .set(
            "size",
            Value::Int(i64::try_from(d.size).unwrap_or(i64::MAX)),
        )
        .set(
            "virus_scan",
            Value::opt_text(d.virus_scan.as_ref().map(|s| s.status.clone())),
        )
        .set(
            "esignature",
            Value::opt_text(d.esignature.as_ref().map(|s| s.status.clone())),
        )
        .set(
            "source_created_at",
            Value::opt_text(instant(d.created_at.as_deref()).map(bridge_store::timestamp)),
        )
        .finish(raw(record), None)?)
}

/// Document categories, then document metadata per employee: everyone's on a full sync (or
/// the first one), otherwise of employees created or changed since documents were last
/// read.
pub(crate) struct DocumentsOfChangedPeople;

impl Reading for DocumentsOfChangedPeople {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let mut summary = sync.listing(&DocumentCategories).await?;
            let parents = sync.parents_following(&Documents, &EMPLOYEES).await?;
            summary.add(&sync.children(&Documents, parents).await?);
            Ok(summary)
        })
    }
}
