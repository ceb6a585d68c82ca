//! Typed conveniences for the endpoints whose wire types exist in `personio-api`: thin
//! wrappers that pick the path, the page size and the paging style, then hand over to
//! [`Client::get`](crate::Client::get) or the page streams.
//!
//! To resume a list from a stored [`PageToken`](crate::PageToken), call
//! [`Client::pages_v1`](crate::Client::pages_v1) or [`Client::pages_v2`](crate::Client::pages_v2)
//! with the path and page size constants below.

mod employees;
mod org;
pub mod paths;
mod persons;

pub use employees::{EMPLOYEES_V1, EMPLOYEES_V1_PAGE};
pub use org::{COST_CENTERS, LEGAL_ENTITIES, ORG_PAGE, ORG_UNITS, OrgUnitKind, WORKPLACES};
pub use persons::{PERSONS, PERSONS_PAGE};
