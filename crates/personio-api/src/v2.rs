//! v2 API (`https://api.personio.de/v2/...`).
//!
//! Lists are `{"_data": [...], "_meta": {"links": {"self", "next"}}}` and page by an opaque
//! cursor: the client follows `_meta.links.next.href` until it is absent (personio-api.md
//! §3.1). Single resources come unwrapped, with their own `_meta.links`. Errors are problem
//! details (see [`crate::error::ProblemBody`]).

mod absence;
mod attendance;
mod compensation;
mod document;
mod employment;
mod org;
mod page;
mod person;
mod project;

pub use absence::{
    AbsenceBoundary, AbsencePeriod, AbsencePeriodWrite, AbsenceType, Breakdown, EffectiveDuration,
};
pub use attendance::{Approval, AttendancePeriod, AttendancePeriodWrite, LocalDateTime};
pub mod recruiting;
mod report;
mod webhook;

pub use compensation::{
    Amount, Compensation, CompensationType, CreateCompensation, CreateCompensationType,
};
pub use document::{Document, DocumentPatch, StatusRef};
pub use employment::{Employment, EmploymentWrite, OrgUnitRef, Position, Termination, WeightedRef};
pub use org::{CostCenter, LegalEntity, LegalEntityAddress, OrgUnit, Workplace};
pub use page::{Created, IdRef, Link, ListMeta, Page, ResourceMeta};
pub use person::{
    CreatePerson, CustomAttribute, CustomAttributeWrite, Person, PersonPatch, ProfilePicture,
};
pub use project::{DateRef, Project, ProjectMember, ProjectWrite};
pub use report::{
    Cell, NumericValue, OptionEntry, OptionsValue, ReportAttribute, ReportSummary, ReportTable,
    StringValue, TableColumn, TableMeta,
};
pub use webhook::{Webhook, WebhookDelivery, WebhookWrite, event as webhook_event};
