//! Reports, documents, compensations and recruiting: each documented body reads into our
//! types and writes back with the same keys and JSON types.

use personio_api::error::{ReportErrorBody, V1ErrorBody};
use personio_api::recruiting::{
    ApplicationRequest, ErrorBody, ErrorEntry, LegacyBody, UploadedFile,
};
use personio_api::v1::{self, ColumnList, DocumentCategory, Report, Single, UploadedDocument};
use personio_api::v2::recruiting::{Application, Candidate, Category, Job, StageTransition};
use personio_api::v2::{
    self, Compensation, CompensationType, Document, ReportAttribute, ReportSummary, ReportTable,
};

use crate::round_trip;

#[test]
fn custom_report_bodies_round_trip_with_their_loose_numbers() {
    let list: v1::List<Report> = round_trip("v1/custom-reports.list.json");
    assert!(
        list.data[0].attributes.items.is_none(),
        "the list has no rows"
    );
    let report: v1::List<Report> = round_trip("v1/custom-reports.report.json");
    let items = report.data[0].attributes.items.as_ref().unwrap();
    let cells = items[0].attributes.as_ref().unwrap();
    let salary = cells.iter().find(|c| c.data_type == "SALARY").unwrap();
    assert_eq!(salary.amount.as_ref().and_then(|a| a.value()), Some(5150.0));
    let duration = cells.iter().find(|c| c.data_type == "DURATION").unwrap();
    assert_eq!(
        duration.duration.as_ref().and_then(|d| d.value()),
        Some(40.0)
    );
    let centers = cells.iter().find(|c| c.data_type == "COST_CENTER").unwrap();
    assert_eq!(centers.cost_centers.as_ref().unwrap()[1].weight, "30%");
    let historical: v1::List<Report> = round_trip("v1/custom-reports.historical.json");
    let rows = historical.data[0].attributes.items.as_ref().unwrap();
    assert!(
        rows[0].historical_attributes.as_ref().unwrap()[0]
            .effective_date
            .is_some()
    );
    let columns: ColumnList = round_trip("v1/custom-reports.columns.json");
    assert_eq!(columns.data.attributes[1].data_type, "ABSENCE_OVERVIEW");
    let errors: ReportErrorBody = round_trip("v1/custom-reports.error.404.json");
    assert_eq!(errors[0].status, 404);
    assert_eq!(errors[0].errors[0].meta[0].field, "ID");
}

#[test]
fn v1_document_bodies_round_trip() {
    let categories: Single<Vec<DocumentCategory>> = round_trip("v1/document-categories.json");
    assert_eq!(categories.data[1].attributes.name, "Other documents");
    let uploaded: Single<UploadedDocument> = round_trip("v1/documents.uploaded.json");
    assert_eq!(
        uploaded.data.attributes.employee.id().map(|id| id.0),
        Some(1207)
    );
    for name in [
        "v1/error.404-document-category.json",
        "v1/error.422-document-file.json",
    ] {
        let body: V1ErrorBody = round_trip(name);
        assert_eq!(body.error.code, 0, "{name}");
    }
}

#[test]
fn v2_document_and_compensation_bodies_round_trip() {
    let documents: v2::Page<Document> = round_trip("v2/documents.page.json");
    assert_eq!(documents.data[0].owner.id, "1207");
    assert!(documents.next_href().is_some());
    let compensations: v2::Page<Compensation> = round_trip("v2/compensations.page.json");
    assert_eq!(compensations.data[0].amount.value, 5150.0);
    assert_eq!(
        compensations.data[1].interval, None,
        "one-time payments have no interval"
    );
    let written = serde_json::to_string(&compensations.data[0].amount).unwrap();
    assert_eq!(
        written, r#"{"value":5150,"currency":"EUR"}"#,
        "whole amounts without .0"
    );
    let types: v2::Page<CompensationType> = round_trip("v2/compensation-types.page.json");
    assert_eq!(types.data.len(), 3);
}

#[test]
fn reporting_v2_bodies_round_trip() {
    round_trip::<v2::Page<ReportSummary>>("v2/reports.page.json");
    round_trip::<v2::Page<ReportAttribute>>("v2/report-attributes.page.json");
    let table: ReportTable = round_trip("v2/report.table.json");
    assert_eq!(table.data[0].len(), table.meta.columns.len());
    assert_eq!(table.data[0][1].plain(), serde_json::json!(5150.5));
    assert_eq!(table.data[0][2].plain(), serde_json::json!("Engineering"));
    let error: ErrorBody = round_trip("v2/reports.error.400.json");
    assert!(matches!(&error.errors[0], ErrorEntry::Problem(p) if p.status == "400"));
}

#[test]
fn v2_recruiting_bodies_round_trip() {
    let jobs: v2::Page<Job> = round_trip("v2/recruiting.jobs.page.json");
    assert_eq!(jobs.data[0].hiring_team[0].role.name, "Hiring Manager");
    let categories: v2::Page<Category> = round_trip("v2/recruiting.categories.page.json");
    assert_eq!(categories.data[0].stages[0].id, None);
    let candidates: v2::Page<Candidate> = round_trip("v2/recruiting.candidates.page.json");
    assert_eq!(candidates.data[0].applications[0].id, "1120045");
    let applications: v2::Page<Application> = round_trip("v2/recruiting.applications.page.json");
    assert_eq!(applications.data[0].current_stage.kind, "custom");
    let transitions: v2::Page<StageTransition> =
        round_trip("v2/recruiting.stage-transitions.page.json");
    assert_eq!(transitions.data[1].stage.stage_kind, "unassigned");
}

#[test]
fn recruiting_v1_bodies_round_trip() {
    let request: ApplicationRequest = round_trip("recruiting/application.request.json");
    assert_eq!(request.job_position_id, 731_204);
    assert_eq!(request.files[0].category, "cv");
    let uploaded: UploadedFile = round_trip("recruiting/document.uploaded.json");
    assert_eq!(uploaded.extension, "pdf");
    let fields: ErrorBody = round_trip("recruiting/error.400-fields.json");
    assert_eq!(
        fields.reasons(),
        [
            "errors.attribute-validation.invalid-email-format",
            "errors.date-validation.date-in-the-future"
        ]
    );
    let problem: ErrorBody = round_trip("recruiting/error.problem.json");
    assert!(matches!(&problem.errors[0], ErrorEntry::Problem(p) if p.status == "401"));
    let ok: LegacyBody = round_trip("recruiting/applicant.ok.json");
    assert!(ok.success && ok.error.is_none());
    let failed: LegacyBody = round_trip("recruiting/applicant.error.json");
    assert!(!failed.success && failed.data.is_none());
}
