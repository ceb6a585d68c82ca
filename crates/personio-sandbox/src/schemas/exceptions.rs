//! Where Personio's documents are wrong about Personio: each exception names the case, the
//! evidence in one line, and the smallest correction of the document that admits what
//! Personio really sends. Everything not corrected here is checked as the document says.

use serde_json::Value;

use super::SchemaError;

/// A named correction of one document.
#[derive(Debug)]
pub struct Exception {
    pub name: &'static str,
    /// Why Personio's answers differ from the document, in one line, with the source.
    pub evidence: &'static str,
    pub document: &'static str,
    pub fix: Fix,
}

/// How a document is corrected; pointers are JSON pointers into the document as published.
#[derive(Debug)]
pub enum Fix {
    /// The schemas at these pointers also admit `null`.
    Nullable(&'static [&'static str]),
    /// The schemas at `at` are replaced by `with` (JSON text).
    Replace {
        at: &'static [&'static str],
        with: &'static str,
    },
    /// The bodies of these responses are given under media type `to`, not `from`.
    MediaType {
        responses: &'static [&'static str],
        from: &'static str,
        to: &'static str,
    },
    /// The response at `to` has the body of the response at `from`.
    SameAs {
        to: &'static str,
        from: &'static str,
    },
}

const V1: &str = "personio-personnel-data-api-oa3.yaml";
const PERSONS: &str = "persons-service-api-v2.json";
const EMPLOYMENTS: &str = "employment-contract-v2.json";

/// Every exception, in the order they are applied.
pub const EXCEPTIONS: &[Exception] = &[
    Exception {
        name: "v1-list-data-is-an-array",
        evidence: "every v1 list example in the document (employees, time-offs, absence-periods, attendances, projects, time-off-types) has `data` as an array, which `Response.data: object` under `allOf` forbids",
        document: V1,
        fix: Fix::Replace {
            at: &["/components/schemas/Response/properties/data"],
            with: r#"{"type": ["object", "array"]}"#,
        },
    },
    Exception {
        name: "v1-unset-attribute-value-is-null",
        evidence: "the document's own employee examples send `\"value\": null` for unset attributes (contract_end_date, termination_*); personio-api.md §2.2 [H]: supervisor, office, department, team, subcompany are `null` when unset",
        document: V1,
        fix: Fix::Nullable(&[
            "/components/schemas/Supervisor/properties/value",
            "/components/schemas/Team/properties/value",
            "/components/schemas/Office/properties/value",
            "/components/schemas/Department/properties/value",
        ]),
    },
    Exception {
        name: "v1-absence-period-type-is-wrapped",
        evidence: "the document's absence-periods example sends `absence_type` as `{\"type\": \"AbsenceType\", \"attributes\": {\"id\", \"name\", \"time_off_type_id\"}}`, not the flat `AbsenceType` its schema names",
        document: V1,
        fix: Fix::Replace {
            at: &["/components/schemas/HourlyAbsence/properties/absence_type"],
            with: r##"{"type": "object", "required": ["type", "attributes"], "properties": {"type": {"type": "string"}, "attributes": {"$ref": "#/components/schemas/AbsenceType"}}}"##,
        },
    },
    Exception {
        name: "v1-created-absence-is-wrapped-once",
        evidence: "the document's POST time-offs and POST absence-periods schemas wrap the whole `{success, data}` envelope in another `data`; their own examples (and personio-api.md §2.5, H) send it once, absence-periods' `data` as an array",
        document: V1,
        fix: Fix::Replace {
            at: &[
                "/paths/~1company~1time-offs/post/responses/200/content/application~1json/schema",
            ],
            with: r##"{"$ref": "#/components/schemas/AbsencePeriodResponse"}"##,
        },
    },
    Exception {
        name: "v1-created-absence-period-is-wrapped-once",
        evidence: "as above for POST absence-periods: its example answers `{\"success\": true, \"data\": [AbsencePeriod]}`",
        document: V1,
        fix: Fix::Replace {
            at: &[
                "/paths/~1company~1absence-periods/post/responses/201/content/application~1json/schema",
            ],
            with: r##"{"$ref": "#/components/schemas/HourlyAbsencePeriodsResponse"}"##,
        },
    },
    Exception {
        name: "v1-attendance-paging-numbers-are-strings",
        evidence: "a developer-hub thread (\"Wrong datatype for offset and limit when get_company-attendances\") records them as strings (personio-api.md §2.1, §6 #5, M)",
        document: V1,
        fix: Fix::Replace {
            at: &[
                "/components/schemas/AttendancePeriodsResponse/allOf/1/properties/offset",
                "/components/schemas/AttendancePeriodsResponse/allOf/1/properties/limit",
            ],
            with: r#"{"type": ["integer", "string"]}"#,
        },
    },
    Exception {
        name: "v1-attendance-row-error-is-null-on-success",
        evidence: "the document's own POST attendances 400 example answers a row that was stored with `\"error_msg\": null`",
        document: V1,
        fix: Fix::Nullable(&[
            "/components/schemas/AttendanceCreateUpdate400ErrorResponse/properties/error/properties/detailed_message/items/properties/error_msg",
        ]),
    },
    Exception {
        name: "v1-report-dates-are-dates",
        evidence: "the document's own examples of a report's `start_date` and `end_date` are dates (`2022-04-10`), as is their format in the report list (PublicReportAttributes), not date-times",
        document: V1,
        fix: Fix::Replace {
            at: &[
                "/components/schemas/PublicReportItemsAttributes/properties/start_date",
                "/components/schemas/PublicReportItemsAttributes/properties/end_date",
                "/components/schemas/PublicTimeframeReportItemsAttributes/properties/start_date",
                "/components/schemas/PublicTimeframeReportItemsAttributes/properties/end_date",
                "/components/schemas/PublicHistoricalReportItemsAttributes/properties/start_date",
                "/components/schemas/PublicHistoricalReportItemsAttributes/properties/end_date",
            ],
            with: r#"{"type": "string", "format": "date"}"#,
        },
    },
    Exception {
        name: "v1-absence-period-errors-are-json",
        evidence: "the document gives GET absence-periods' errors under `problem+json`, which is no media type; the 404 body it shows is v1's `{success, error}` envelope, which the document gives as application/json for every other v1 error",
        document: V1,
        fix: Fix::MediaType {
            responses: &[
                "/paths/~1company~1absence-periods/get/responses/400",
                "/paths/~1company~1absence-periods/get/responses/404",
                "/paths/~1company~1absence-periods/get/responses/500",
            ],
            from: "problem+json",
            to: "application/json",
        },
    },
    Exception {
        name: "v1-custom-attributes-is-an-alias",
        evidence: "the document describes `/company/employees/custom-attributes` as an alias of `/company/employees/attributes` and gives it no body of its own",
        document: V1,
        fix: Fix::SameAs {
            to: "/paths/~1company~1employees~1custom-attributes/get/responses/200",
            from: "/paths/~1company~1employees~1attributes/get/responses/200",
        },
    },
    Exception {
        name: "v2-custom-attribute-type-is-lowercase",
        evidence: "the document's own person examples send `\"type\": \"string\"` against its upper-case enum; pysonio records lower case from live tenants (personio-api.md §6 #13, M)",
        document: PERSONS,
        fix: Fix::Replace {
            at: &["/components/schemas/Person/properties/custom_attributes/items/properties/type"],
            with: r#"{"type": "string", "enum": ["UNSPECIFIED", "STRING", "INT", "DOUBLE", "DATE", "BOOLEAN", "STRING_LIST", "unspecified", "string", "int", "double", "date", "boolean", "string_list"]}"#,
        },
    },
    Exception {
        name: "v2-unset-employment-date-is-null",
        evidence: "the document's own EmploymentResponse example sends `\"employment_end_date\": null`; pysonio and PersonioClient model every employment date as `str | null` (personio-api.md §3.4, M)",
        document: EMPLOYMENTS,
        fix: Fix::Nullable(&[
            "/components/schemas/Employment/properties/employment_end_date",
            "/components/schemas/Employment/properties/contract_end_date",
            "/components/schemas/Employment/properties/probation_end_date",
        ]),
    },
    Exception {
        name: "v2-unset-employment-reference-is-null",
        evidence: "pysonio (EmploymentData) and PersonioClient (Employment), written against live tenants, read `supervisor`, `office` and `legal_entity` as `{id} | null` (personio-api.md §3.4, M)",
        document: EMPLOYMENTS,
        fix: Fix::Nullable(&[
            "/components/schemas/Employment/properties/supervisor",
            "/components/schemas/Employment/properties/office",
            "/components/schemas/Employment/properties/legal_entity",
        ]),
    },
    Exception {
        name: "v2-termination-fields-are-null-while-employed",
        evidence: "pysonio records `termination` on every readable employment with all fields `null` while the employment runs (personio-api.md §3.4, M)",
        document: EMPLOYMENTS,
        fix: Fix::Nullable(&[
            "/components/schemas/Termination/properties/termination_date",
            "/components/schemas/Termination/properties/last_working_day",
            "/components/schemas/Termination/properties/terminated_at",
            "/components/schemas/Termination/properties/type",
            "/components/schemas/Termination/properties/reason",
        ]),
    },
];

/// Applies the exceptions of `document` to it. A pointer that finds nothing is an error:
/// the document changed, and the exception must be looked at again.
pub(super) fn apply(document: &'static str, value: &mut Value) -> Result<(), SchemaError> {
    for exception in EXCEPTIONS.iter().filter(|e| e.document == document) {
        let fail = |message: String| SchemaError::Exception {
            name: exception.name,
            document,
            message,
        };
        match &exception.fix {
            Fix::Nullable(pointers) => {
                for pointer in *pointers {
                    let schema = value
                        .pointer_mut(pointer)
                        .and_then(Value::as_object_mut)
                        .ok_or_else(|| fail(format!("no schema at {pointer}")))?;
                    schema.insert("nullable".into(), Value::Bool(true));
                }
            }
            Fix::Replace { at, with } => {
                let replacement: Value =
                    serde_json::from_str(with).map_err(|e| fail(format!("replacement: {e}")))?;
                for pointer in *at {
                    let slot = value
                        .pointer_mut(pointer)
                        .ok_or_else(|| fail(format!("no schema at {pointer}")))?;
                    *slot = replacement.clone();
                }
            }
            Fix::MediaType {
                responses,
                from,
                to,
            } => {
                for pointer in *responses {
                    let content = value
                        .pointer_mut(&format!("{pointer}/content"))
                        .and_then(Value::as_object_mut)
                        .ok_or_else(|| fail(format!("no content at {pointer}")))?;
                    let media = content
                        .remove(*from)
                        .ok_or_else(|| fail(format!("no {from} at {pointer}")))?;
                    content.insert((*to).to_owned(), media);
                }
            }
            Fix::SameAs { to, from } => {
                let source = value
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| fail(format!("no response at {from}")))?;
                let slot = value
                    .pointer_mut(to)
                    .ok_or_else(|| fail(format!("no response at {to}")))?;
                *slot = source;
            }
        }
    }
    Ok(())
}
