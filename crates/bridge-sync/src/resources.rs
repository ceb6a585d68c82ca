//! The resources a sync reads. Each [`ResourceName`] has a [`Reading`], which the engine
//! runs like any other: a single listing ([`Resource`]), or listings and lists per parent
//! ([`PerParent`]) in an order of their own (projects, then their members). Adding a
//! resource is a module here with its `Resource` (or `PerParent` and a `Reading`) and a line
//! in [`ResourceName`] and [`ResourceName::reading`].

mod absences_v1;
mod balances;
mod children;
mod compensations;
pub(crate) mod documents;
pub(crate) mod employees_v1;
mod employees_v2;
mod org;
pub(crate) mod projects;
pub(crate) mod recruiting;
mod reports;
pub(crate) mod time;

use std::str::FromStr;

use bridge_store::{Derived, Key, Row, Table, Window};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use personio_api::Scope;
use personio_client::{Client, OffsetKind, Page, Record};
use serde::de::DeserializeOwned;

use crate::context::Context;
use crate::engine::{ApiChoice, Syncing};
use crate::error::Error;
use crate::plan::Step;
use crate::summary::ResourceSummary;

pub(crate) use children::{Children, PerParent};

use absences_v1::{AbsencesThroughV1, TimeOffTypes};
use balances::BalancesOfChangedAbsences;
use compensations::CompensationsByMonth;
use documents::DocumentsOfChangedPeople;
use employees_v1::EmployeesV1;
use employees_v2::EmployeesV2;
use org::{CostCenters, LegalEntities, OrgUnitKinds, Workplaces};
use projects::ProjectsWithMembers;
use recruiting::RecruitingLists;
use reports::ReportsWithRows;
use time::{AbsencePeriods, AbsenceTypes, AttendancePeriods};

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
    Projects,
    Compensations,
    CustomReports,
    Balances,
    Documents,
    Recruiting,
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
        ResourceName::Projects,
        ResourceName::Compensations,
        ResourceName::CustomReports,
        ResourceName::Balances,
        ResourceName::Documents,
        ResourceName::Recruiting,
    ];

    /// What `sync` reads without `--resources`: every resource whose no-change incremental
    /// sync costs at most one request (per listing). The others read one list per project,
    /// report, month or employee, and are chosen with `--resources`.
    pub const DEFAULT: &'static [ResourceName] = &[
        ResourceName::OrgUnits,
        ResourceName::LegalEntities,
        ResourceName::Workplaces,
        ResourceName::CostCenters,
        ResourceName::AbsenceTypes,
        ResourceName::Employees,
        ResourceName::Absences,
        ResourceName::Attendances,
    ];

    /// The API `auto` reads this resource through, and the other one when Personio offers
    /// the same data there too (`--api` can only choose between those).
    pub fn apis(self) -> (ApiChoice, Option<ApiChoice>) {
        match self {
            // v1 carries every attribute with labels in one listing, N/100 pages from a
            // 300/min bucket; v2 needs N/50 pages and a request per person for employments
            // (30/s): at 10,000 people 6 s against 332 s of rate-limit bound (README: "What
            // a sync costs under Personio's limits").
            ResourceName::Employees => (ApiChoice::V1, Some(ApiChoice::V2)),
            // v2's change feed is exact to the second and covers both units in one listing,
            // from a bucket of its own that drains beside the attendance bucket, which is
            // the sync's slowest (A/100 pages at 10/s against T/100 at 10/s, T ≈ 18 × A):
            // v2 costs the sync no time. v1 time-offs filter by whole days, hourly periods
            // take a listing per type, and both spend the v1 budget employees share.
            ResourceName::Absences | ResourceName::AbsenceTypes => {
                (ApiChoice::V2, Some(ApiChoice::V1))
            }
            ResourceName::Balances | ResourceName::CustomReports => (ApiChoice::V1, None),
            _ => (ApiChoice::V2, None),
        }
    }

    /// The API this resource is read through when `api` is asked for.
    pub fn api_for(self, api: ApiChoice) -> ApiChoice {
        match self.apis() {
            (_, Some(other)) if other == api => other,
            (used, _) => used,
        }
    }

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
            ResourceName::Projects => "projects",
            ResourceName::Compensations => "compensations",
            ResourceName::CustomReports => "custom_reports",
            ResourceName::Balances => "balances",
            ResourceName::Documents => "documents",
            ResourceName::Recruiting => "recruiting",
        }
    }

    /// How this resource is read when `api` is asked for.
    pub(crate) fn reading(self, api: ApiChoice) -> Box<dyn Reading> {
        let api = self.api_for(api);
        match self {
            ResourceName::OrgUnits => Box::new(OrgUnitKinds),
            ResourceName::LegalEntities => Box::new(LegalEntities),
            ResourceName::Workplaces => Box::new(Workplaces),
            ResourceName::CostCenters => Box::new(CostCenters),
            ResourceName::Employees if api == ApiChoice::V2 => Box::new(EmployeesV2),
            ResourceName::Employees => Box::new(EmployeesV1),
            ResourceName::AbsenceTypes if api == ApiChoice::V1 => Box::new(TimeOffTypes),
            ResourceName::AbsenceTypes => Box::new(AbsenceTypes),
            ResourceName::Absences if api == ApiChoice::V1 => Box::new(AbsencesThroughV1),
            ResourceName::Absences => Box::new(AbsencePeriods),
            ResourceName::Attendances => Box::new(AttendancePeriods),
            ResourceName::Projects => Box::new(ProjectsWithMembers),
            ResourceName::Compensations => Box::new(CompensationsByMonth),
            ResourceName::CustomReports => Box::new(ReportsWithRows),
            ResourceName::Balances => Box::new(BalancesOfChangedAbsences),
            ResourceName::Documents => Box::new(DocumentsOfChangedPeople),
            ResourceName::Recruiting => Box::new(RecruitingLists),
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
            ResourceName::Projects => Some(Scope::ProjectsRead),
            ResourceName::Compensations => Some(Scope::CompensationsRead),
            // v1 reads the same access area the v2 scope stands for.
            ResourceName::Balances => Some(Scope::AbsencesRead),
            ResourceName::Documents => Some(Scope::DocumentsRead),
            ResourceName::Recruiting => Some(Scope::RecruitingRead),
            ResourceName::Employees | ResourceName::CustomReports => None,
        }
    }

    /// Records that belong to employees and follow the filters' scope.
    pub(crate) fn belongs_to_employees(self) -> bool {
        matches!(
            self,
            ResourceName::Absences
                | ResourceName::Attendances
                | ResourceName::Compensations
                | ResourceName::Balances
                | ResourceName::Documents
        )
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
            // Projects are what attendance is booked on (v1 keeps them under attendances,
            // personio-api.md §2.4); Personio names no area of their own: our reading.
            ResourceName::Attendances | ResourceName::Projects => "Attendances",
            ResourceName::Compensations => "Compensations",
            ResourceName::CustomReports => "Custom Reports",
            ResourceName::Balances => "Absences",
            ResourceName::Documents => "Documents",
            ResourceName::Recruiting => "Recruiting",
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

/// What a sync reads for one [`ResourceName`], run by the engine like every other.
pub(crate) trait Reading: Send + Sync {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>>;
}

/// A single listing is a reading of its own.
impl<R: Resource> Reading for R {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(sync.listing(self))
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

/// How a full listing splits into parts that can be read side by side: a pair of filters
/// that bound one local date-time field of its records (both inclusive), and that field's
/// name for `sort` and its place in a record, to find the first and the last record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slicing {
    /// `start.date_time.gte`
    pub from: &'static str,
    /// `start.date_time.lte`
    pub to: &'static str,
    /// `start.date_time` (`-start.date_time` sorts the latest first)
    pub sort: &'static str,
    /// JSON pointer of the field in a record: `/start/date_time`.
    pub pointer: &'static str,
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
    /// Whether the change feed answers every match in one response, unpaged.
    fn changes_in_one_answer(&self) -> bool {
        false
    }
    fn listing(&self, step: &Step) -> ListingPlan;
    /// How a full listing may be read in slices side by side (none: one listing).
    fn slicing(&self) -> Option<Slicing> {
        None
    }
    /// Reads what a page's items need besides themselves, before they are mapped (v2
    /// persons: their employments).
    fn enrich<'a>(
        &'a self,
        _client: &'a Client,
        _step: &'a Step,
        page: Page<Self::Item>,
    ) -> BoxFuture<'a, Result<Page<Self::Item>, Error>> {
        Box::pin(std::future::ready(Ok(page)))
    }
    /// Whether a due reconciliation is a full listing instead: for a resource whose change
    /// feed may miss changes that ids cannot show.
    fn rereads_on_schedule(&self) -> bool {
        false
    }
    /// Requests [`Resource::enrich`] makes per item, at the fewest.
    fn requests_per_item(&self, _step: &Step) -> u64 {
        0
    }
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
