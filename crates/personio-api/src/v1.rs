//! v1 Personnel Data API (`https://api.personio.de/v1/company/...`).
//!
//! Responses are wrapped as `{"success": true, "data": ...}`; lists add `metadata`, `offset`
//! and `limit` and page by offset, whose meaning differs per endpoint (item offset for
//! employees, page number for time-offs; personio-api.md §2.1). Employees are maps of
//! attribute objects `{label, value, type, universal_id}` (§2.2).

mod absence;
mod attendance;
mod attribute;
mod document;
mod employee;
mod envelope;
mod report;

pub use absence::{
    AbsenceTypeRef, Certificate, DailyMinutes, HourlyAbsenceAttributes, HourlyAbsencePeriod,
    TimeOffAttributes, TimeOffPeriod, TimeOffType, TimeOffTypeAttributes, TimeOffTypeRef,
};
pub use attendance::{
    Attendance, AttendanceAttributes, AttendanceInput, CreatedIds, Project, ProjectAttributes,
    ProjectError, RowOutcome,
};
pub use attribute::{
    Attribute, AttributeType, CostCenterShare, Embedded, Entitlement, HolidayCalendarRef, NamedRef,
    WorkScheduleRef,
};
pub use document::{
    DOCUMENT_TYPES, DocumentCategory, DocumentCategoryAttributes, MAX_DOCUMENT_BYTES,
    UploadedDocument, UploadedDocumentAttributes,
};
pub use employee::{AttributeDefinition, Balance, Created, Employee, EmployeeInput, EmployeeWrite};
pub use envelope::{List, LooseInt, Message, Metadata, Single};
pub use report::{
    Column, ColumnList, Columns, LooseNumber, Report, ReportAttributes, ReportCell,
    ReportCostCenter, ReportFilter, ReportItem,
};
