//! Paths of the other endpoints the bridge reads and writes (personio-api.md names each),
//! so that every Personio path is spelt in this crate once.

use std::fmt::Display;

/// `GET /v1/company/employees/attributes`: the attributes a credential may read.
pub const EMPLOYEE_ATTRIBUTES_V1: &str = "/v1/company/employees/attributes";
/// `GET /v1/company/time-off-types`.
pub const TIME_OFF_TYPES_V1: &str = "/v1/company/time-off-types";
/// `GET /v1/company/time-offs`: day-unit absences.
pub const TIME_OFFS_V1: &str = "/v1/company/time-offs";
/// `GET /v1/company/absence-periods`: hour-unit absences.
pub const ABSENCE_PERIODS_V1: &str = "/v1/company/absence-periods";
/// `GET /v1/company/custom-reports/reports`.
pub const CUSTOM_REPORTS_V1: &str = "/v1/company/custom-reports/reports";
/// `GET /v1/company/document-categories`.
pub const DOCUMENT_CATEGORIES_V1: &str = "/v1/company/document-categories";
/// `POST /v1/company/documents`: a document's upload (multipart; v2 has none).
pub const DOCUMENTS_V1: &str = "/v1/company/documents";
/// `POST /v1/recruiting/applications`: an application (recruiting token, `X-Company-ID`).
pub const RECRUITING_APPLICATIONS_V1: &str = "/v1/recruiting/applications";
/// `POST /v1/recruiting/applications/documents`: an application's attachment (multipart).
pub const RECRUITING_DOCUMENTS_V1: &str = "/v1/recruiting/applications/documents";

/// `GET /v1/company/employees/{id}/absences/balance`.
pub fn balance_v1(employee: impl Display) -> String {
    format!("/v1/company/employees/{employee}/absences/balance")
}

/// `GET /v1/company/custom-reports/reports/{id}`: a report's rows.
pub fn custom_report_v1(report: impl Display) -> String {
    format!("{CUSTOM_REPORTS_V1}/{report}")
}

/// `GET /v2/absence-types`.
pub const ABSENCE_TYPES: &str = "/v2/absence-types";
/// `GET /v2/absence-periods`.
pub const ABSENCE_PERIODS: &str = "/v2/absence-periods";
/// `GET /v2/attendance-periods`.
pub const ATTENDANCE_PERIODS: &str = "/v2/attendance-periods";
/// `GET /v2/projects`.
pub const PROJECTS: &str = "/v2/projects";
/// `GET /v2/compensations`.
pub const COMPENSATIONS: &str = "/v2/compensations";
/// `GET /v2/compensations/types`.
pub const COMPENSATION_TYPES: &str = "/v2/compensations/types";
/// `GET /v2/document-management/documents`.
pub const DOCUMENTS: &str = "/v2/document-management/documents";
/// `GET`, `POST /v2/webhooks`.
pub const WEBHOOKS: &str = "/v2/webhooks";
/// `GET /v2/recruiting/categories` (beta).
pub const RECRUITING_CATEGORIES: &str = "/v2/recruiting/categories";
/// `GET /v2/recruiting/jobs` (beta).
pub const RECRUITING_JOBS: &str = "/v2/recruiting/jobs";
/// `GET /v2/recruiting/candidates` (beta).
pub const RECRUITING_CANDIDATES: &str = "/v2/recruiting/candidates";
/// `GET /v2/recruiting/applications` (beta).
pub const RECRUITING_APPLICATIONS: &str = "/v2/recruiting/applications";

/// `GET /v2/projects/{id}/members`.
pub fn project_members(project: impl Display) -> String {
    format!("{PROJECTS}/{project}/members")
}

/// `GET /v2/persons/{id}/employments`.
pub fn employments(person: impl Display) -> String {
    format!("{}/{person}/employments", super::PERSONS)
}

/// `DELETE /v2/webhooks/{id}`.
pub fn webhook(id: impl Display) -> String {
    format!("{WEBHOOKS}/{id}")
}
