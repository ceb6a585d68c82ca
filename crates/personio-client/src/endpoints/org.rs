//! v2 organisation structure: org units, legal entities, cost centers, workplaces
//! (personio-api.md §3.5).

use std::fmt;

use futures::Stream;
use personio_api::v2::{CostCenter, LegalEntity, OrgUnit, Workplace};

use crate::client::Client;
use crate::error::Error;
use crate::paginate::Page;

/// `GET /v2/org-units` (beta).
pub const ORG_UNITS: &str = "/v2/org-units";
/// `GET /v2/legal-entities`.
pub const LEGAL_ENTITIES: &str = "/v2/legal-entities";
/// `GET /v2/cost-centers` (beta).
pub const COST_CENTERS: &str = "/v2/cost-centers";
/// `GET /v2/workplaces` (beta).
pub const WORKPLACES: &str = "/v2/workplaces";
/// Page size for the four lists: documented for legal entities and cost centers (§3.5, H);
/// for org units and workplaces it is what other clients send (findings #2, #3, L).
pub const ORG_PAGE: u32 = 100;

/// The two kinds of org unit; `GET /v2/org-units` needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgUnitKind {
    /// `department`.
    Department,
    /// `team`.
    Team,
}

impl OrgUnitKind {
    /// Both kinds, departments first.
    pub const ALL: [OrgUnitKind; 2] = [OrgUnitKind::Department, OrgUnitKind::Team];

    /// The `type` value Personio uses.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgUnitKind::Department => "department",
            OrgUnitKind::Team => "team",
        }
    }
}

impl fmt::Display for OrgUnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn page_query(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .chain([("limit".to_owned(), ORG_PAGE.to_string())])
        .collect()
}

impl Client {
    /// Every department or team, each with its `parent_id`.
    pub fn org_units(
        &self,
        kind: OrgUnitKind,
    ) -> impl Stream<Item = Result<Page<OrgUnit>, Error>> + Send + '_ {
        self.pages_v2(ORG_UNITS, page_query(&[("type", kind.as_str())]), None)
    }

    /// Every legal entity.
    pub fn legal_entities(
        &self,
    ) -> impl Stream<Item = Result<Page<LegalEntity>, Error>> + Send + '_ {
        self.pages_v2(LEGAL_ENTITIES, page_query(&[]), None)
    }

    /// Every cost center.
    pub fn cost_centers(&self) -> impl Stream<Item = Result<Page<CostCenter>, Error>> + Send + '_ {
        self.pages_v2(COST_CENTERS, page_query(&[]), None)
    }

    /// Every workplace (formerly "office").
    pub fn workplaces(&self) -> impl Stream<Item = Result<Page<Workplace>, Error>> + Send + '_ {
        self.pages_v2(WORKPLACES, page_query(&[]), None)
    }
}
