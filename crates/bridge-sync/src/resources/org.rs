//! Reference lists: org units (departments and teams), legal entities, workplaces, cost
//! centers. They are small and have no change feed, so every sync lists them whole, which
//! also finds deletions.

use bridge_store::tables::{COST_CENTERS, LEGAL_ENTITIES, ORG_UNITS, WORKPLACES};
use bridge_store::{Key, Table, Value, Window};
use futures::future::BoxFuture;
use personio_api::v2;
use personio_client::{OrgUnitKind, Record, endpoints};

use super::{ListingPlan, Mapped, Paging, Reading, Resource, raw};
use crate::context::Context;
use crate::engine::Syncing;
use crate::error::Error;
use crate::plan::Step;
use crate::summary::ResourceSummary;

fn v2_listing(path: &str, query: &[(&str, &str)]) -> ListingPlan {
    let mut query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    query.push(("limit".into(), "100".into()));
    ListingPlan {
        path: path.to_owned(),
        query,
        paging: Paging::V2,
    }
}

fn int_id(resource: &'static str, id: &str) -> Result<i64, Error> {
    id.trim().parse().map_err(|_| Error::Malformed {
        resource,
        field: "a numeric id",
    })
}

/// Departments or teams (`GET /v2/org-units?type=...`, type required).
pub(crate) struct OrgUnits {
    pub kind: OrgUnitKind,
}

impl Resource for OrgUnits {
    type Item = v2::OrgUnit;

    fn checkpoint_name(&self) -> String {
        format!("org_units.{}", self.kind)
    }

    fn table(&self) -> &'static Table {
        &ORG_UNITS
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        v2_listing(endpoints::ORG_UNITS, &[("type", self.kind.as_str())])
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let unit = &record.value;
            let parent = unit
                .parent_id
                .clone()
                .flatten()
                .and_then(|p| p.trim().parse::<i64>().ok());
            mapped.rows.push(
                ORG_UNITS
                    .row(Key::Int(int_id("org unit", &unit.id)?))
                    .set(
                        "type",
                        Value::text(unit.kind.clone().unwrap_or_else(|| self.kind.to_string())),
                    )
                    .set("name", Value::text(unit.name.clone().unwrap_or_default()))
                    .set("abbreviation", Value::opt_text(unit.abbreviation.clone()))
                    .set("description", Value::opt_text(unit.description.clone()))
                    .set("parent_id", Value::opt_int(parent))
                    .finish(raw(&record), None)?,
            );
        }
        Ok(mapped)
    }

    fn scope(&self) -> Option<Window> {
        Some(Window {
            column: "type",
            equals: Some(self.kind.to_string()),
            from: None,
            to: None,
        })
    }
}

/// A list of `{id, name, ...}` things.
macro_rules! named_list {
    ($name:ident, $item:ty, $table:expr, $checkpoint:literal, $path:expr, |$v:ident| $extra:expr) => {
        pub(crate) struct $name;

        impl Resource for $name {
            type Item = $item;

            fn checkpoint_name(&self) -> String {
                $checkpoint.to_owned()
            }

            fn table(&self) -> &'static Table {
                &$table
            }

            fn listing(&self, _: &Step) -> ListingPlan {
                v2_listing($path, &[])
            }

            fn map(
                &self,
                _: &Step,
                items: Vec<Record<Self::Item>>,
                _: &Context,
            ) -> Result<Mapped, Error> {
                let mut mapped = Mapped::default();
                for record in items {
                    let $v = &record.value;
                    let mut row = $table
                        .row(Key::Int(int_id($checkpoint, &$v.id)?))
                        .set("name", $v.name.clone());
                    for (column, value) in $extra {
                        row = row.set(column, value);
                    }
                    mapped.rows.push(row.finish(raw(&record), None)?);
                }
                Ok(mapped)
            }
        }
    };
}

named_list!(
    LegalEntities,
    v2::LegalEntity,
    LEGAL_ENTITIES,
    "legal_entities",
    endpoints::LEGAL_ENTITIES,
    |e| [("country", Value::opt_text(e.country.clone()))]
);
named_list!(
    Workplaces,
    v2::Workplace,
    WORKPLACES,
    "workplaces",
    endpoints::WORKPLACES,
    |_w| Vec::<(&str, Value)>::new()
);
named_list!(
    CostCenters,
    v2::CostCenter,
    COST_CENTERS,
    "cost_centers",
    endpoints::COST_CENTERS,
    |_c| Vec::<(&str, Value)>::new()
);

/// Departments, then teams.
pub(crate) struct OrgUnitKinds;

impl Reading for OrgUnitKinds {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let mut summary = ResourceSummary::default();
            for kind in OrgUnitKind::ALL {
                summary.add(&sync.listing(&OrgUnits { kind }).await?);
            }
            Ok(summary)
        })
    }
}
