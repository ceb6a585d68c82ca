//! The resources a sync reads. Adding one means a module here with a [`Resource`] impl and a
//! line in [`ResourceName`].

mod employees_v1;
mod org;
mod time;

use std::str::FromStr;

use bridge_store::{Derived, Key, Row, Table, Window};
use chrono::{DateTime, Utc};
use personio_api::Scope;
use personio_client::{OffsetKind, Record};
use serde::de::DeserializeOwned;

use crate::context::Context;
use crate::error::Error;
use crate::plan::Step;

pub(crate) use employees_v1::EmployeesV1;
pub(crate) use org::{CostCenters, LegalEntities, OrgUnits, Workplaces};
pub(crate) use time::{AbsencePeriods, AbsenceTypes, AfterListing, AttendancePeriods};

/// The resources, by the names users give on `--resources`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceName {
    OrgUnits,
    LegalEntities,
    Workplaces,
    CostCenters,
    AbsenceTypes,
    Employees,
    Absences,
    Attendances,
}

impl ResourceName {
    /// Every resource, in the order a sync runs them: reference data first, then employees
    /// (who decide which people are in scope), then what belongs to employees.
    pub const ALL: &'static [ResourceName] = &[
        ResourceName::OrgUnits,
        ResourceName::LegalEntities,
        ResourceName::Workplaces,
        ResourceName::CostCenters,
        ResourceName::AbsenceTypes,
        ResourceName::Employees,
        ResourceName::Absences,
        ResourceName::Attendances,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceName::OrgUnits => "org_units",
            ResourceName::LegalEntities => "legal_entities",
            ResourceName::Workplaces => "workplaces",
            ResourceName::CostCenters => "cost_centers",
            ResourceName::AbsenceTypes => "absence_types",
            ResourceName::Employees => "employees",
            ResourceName::Absences => "absences",
            ResourceName::Attendances => "attendances",
        }
    }

    /// The v2 scope a resource needs (v1-only reads are probed instead).
    pub fn scope(self) -> Option<Scope> {
        match self {
            ResourceName::OrgUnits => Some(Scope::OrgUnitsRead),
            ResourceName::LegalEntities => Some(Scope::LegalEntitiesRead),
            ResourceName::Workplaces => Some(Scope::WorkplacesRead),
            ResourceName::CostCenters => Some(Scope::CostCentersRead),
            ResourceName::AbsenceTypes | ResourceName::Absences => Some(Scope::AbsencesRead),
            ResourceName::Attendances => Some(Scope::AttendancesRead),
            ResourceName::Employees => None,
        }
    }

    /// Records that belong to employees and follow the filters' scope.
    pub(crate) fn belongs_to_employees(self) -> bool {
        matches!(self, ResourceName::Absences | ResourceName::Attendances)
    }

    /// The access area of Personio's credential screen that grants it.
    pub fn area(self) -> &'static str {
        match self {
            ResourceName::OrgUnits
            | ResourceName::LegalEntities
            | ResourceName::Workplaces
            | ResourceName::CostCenters => "Org Units",
            ResourceName::Employees => "Employees",
            ResourceName::AbsenceTypes | ResourceName::Absences => "Absences",
            ResourceName::Attendances => "Attendances",
        }
    }
}

impl FromStr for ResourceName {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        ResourceName::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| {
                let known: Vec<&str> = ResourceName::ALL.iter().map(|r| r.as_str()).collect();
                Error::UnknownResource(s.to_owned(), known.join(", "))
            })
    }
}

/// How a listing is requested.
#[derive(Debug, Clone)]
pub(crate) struct ListingPlan {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub paging: Paging,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Paging {
    V1 { limit: u32, offset_kind: OffsetKind },
    V2,
}

/// One page, mapped.
#[derive(Debug, Default)]
pub(crate) struct Mapped {
    pub rows: Vec<Row>,
    pub leaving: Vec<Key>,
    pub seen: Vec<Key>,
    pub derived: Vec<Derived>,
    /// Greatest Personio change time on the page.
    pub max_updated: Option<DateTime<Utc>>,
}

/// One listing of one resource: what to ask Personio and how to turn items into rows.
pub(crate) trait Resource: Send + Sync {
    type Item: DeserializeOwned + Send + 'static;

    /// The checkpoint name (a resource may have several listings, e.g. departments and teams).
    fn checkpoint_name(&self) -> String;
    fn table(&self) -> &'static Table;
    /// Whether Personio offers a change feed (an `updated_since` kind of filter).
    fn has_change_feed(&self) -> bool {
        false
    }
    fn listing(&self, step: &Step) -> ListingPlan;
    fn map(
        &self,
        step: &Step,
        items: Vec<Record<Self::Item>>,
        ctx: &Context,
    ) -> Result<Mapped, Error>;
    /// Derived tables, whose rows go with deleted records.
    fn derived_tables(&self) -> Vec<(&'static Table, &'static str)> {
        Vec::new()
    }
    /// What a complete listing covers (all records by default).
    fn scope(&self) -> Option<Window> {
        None
    }
    /// What a reconciliation listing covers (by default what a full one does).
    fn reconcile_scope(&self, _step: &Step) -> Option<Window> {
        self.scope()
    }
    /// Store work once a listing is stored.
    fn after_listing(&self) -> AfterListing {
        AfterListing::Nothing
    }
}

/// Personio's JSON text of an item, for the `raw` column.
pub(crate) fn raw<T>(record: &Record<T>) -> String {
    record.raw.get().to_owned()
}

/// Parses a Personio timestamp (any of its spellings) to UTC.
pub(crate) fn instant(text: Option<&str>) -> Option<DateTime<Utc>> {
    text.and_then(personio_api::time::parse_utc)
}

/// The greatest of two optional instants.
pub(crate) fn later(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}
