//! Reference lists: org units (departments and teams), legal entities, workplaces, cost
//! centers. They are small and have no change feed, so every sync lists them whole, which
//! also finds deletions.

use bridge_store::tables::{COST_CENTERS, LEGAL_ENTITIES, ORG_UNITS, WORKPLACES};
use bridge_store::{Key, Row, Table, Value, Window};
use personio_api::v2;
use personio_client::{OrgUnitKind, Record};

use super::{ListingPlan, Mapped, Paging, Resource, raw};
use crate::context::Context;
use crate::error::Error;
use crate::plan::Step;

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
        v2_listing("/v2/org-units", &[("type", self.kind.as_str())])
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
            mapped.rows.push(Row {
                key: Key::Int(int_id("org unit", &unit.id)?),
                values: vec![
                    Value::text(unit.kind.clone().unwrap_or_else(|| self.kind.to_string())),
                    Value::text(unit.name.clone().unwrap_or_default()),
                    Value::opt_text(unit.abbreviation.clone()),
                    Value::opt_text(unit.description.clone()),
                    Value::opt_int(parent),
                ],
                raw: raw(&record),
                source_updated_at: None,
            });
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
    ($name:ident, $item:ty, $table:expr, $checkpoint:literal, $path:literal, |$v:ident| $extra:expr) => {
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
                    let mut values = vec![Value::text($v.name.clone())];
                    values.extend($extra);
                    mapped.rows.push(Row {
                        key: Key::Int(int_id($checkpoint, &$v.id)?),
                        values,
                        raw: raw(&record),
                        source_updated_at: None,
                    });
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
    "/v2/legal-entities",
    |e| [Value::opt_text(e.country.clone())]
);
named_list!(
    Workplaces,
    v2::Workplace,
    WORKPLACES,
    "workplaces",
    "/v2/workplaces",
    |_w| Vec::<Value>::new()
);
named_list!(
    CostCenters,
    v2::CostCenter,
    COST_CENTERS,
    "cost_centers",
    "/v2/cost-centers",
    |_c| Vec::<Value>::new()
);
