//! Personio's published OpenAPI documents, as validators of answers: which operation a
//! request is, which statuses and content types the document gives it, and whether a body
//! conforms to the schema (`nullable` honoured, `$ref`s resolved, formats checked).
//!
//! The documents are Personio's text and are read at run time from a directory (see
//! [`locate`]); nothing of them is built into the sandbox. Where a document contradicts
//! Personio's own examples in it, or what clients in the field record, the correction is a
//! named exception in [`exceptions`], applied before anything is validated.

pub mod exceptions;
mod openapi;
pub(crate) mod strict;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonschema::{Draft, Validator};
use serde_json::Value;

/// The environment variable naming the directory of Personio's documents.
pub const OPENAPI_DIR_ENV: &str = "PERSONIO_OPENAPI_DIR";

/// The documents read, by file name. Others in the directory are ignored.
pub const DOCUMENTS: &[&str] = &[
    "personio-personnel-data-api-oa3.yaml",
    "personio-auth-api.yaml",
    "common-components-v2.json",
    "persons-service-api-v2.json",
    "employment-contract-v2.json",
    "credentials-service-api-v2.json",
];

/// Where the documents are read from without an explicit directory: `PERSONIO_OPENAPI_DIR`,
/// else `../shared/personio-openapi` relative to the working directory.
pub fn locate() -> PathBuf {
    match std::env::var_os(OPENAPI_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from("../shared/personio-openapi"),
    }
}

/// Why the documents could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "Personio's OpenAPI documents are not in {dir} (set {OPENAPI_DIR_ENV} to their directory)"
    )]
    Missing { dir: PathBuf },
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not parse {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("exception {name} does not apply to {document}: {message}")]
    Exception {
        name: &'static str,
        document: &'static str,
        message: String,
    },
    #[error("the schema of {operation} {status} {content_type} does not compile: {message}")]
    Compile {
        operation: String,
        status: String,
        content_type: String,
        message: String,
    },
}

/// One operation of a document: a method on a path template.
#[derive(Debug)]
pub struct Operation {
    /// The document's file name.
    pub document: &'static str,
    /// Upper case, e.g. `GET`.
    pub method: String,
    /// The full path template, base path included (`/v1/company/employees/{employee_id}`).
    pub path: String,
    /// Responses by status key (`200`, `404`, `default`).
    pub responses: BTreeMap<String, Response>,
    segments: Vec<Segment>,
}

/// A documented response: its body by content type, and the examples given for each.
#[derive(Debug, Default)]
pub struct Response {
    /// Content types with a validator, or `None` when the document gives no schema.
    pub content: BTreeMap<String, Option<BodySchema>>,
    /// `(content type, example name, example body)` as the document gives them.
    pub examples: Vec<(String, String, Value)>,
}

/// A compiled schema of one response body.
pub struct BodySchema {
    validator: Validator,
}

impl std::fmt::Debug for BodySchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodySchema")
    }
}

impl BodySchema {
    /// The violations of `body`, each as `<instance path>: <message>` (at most `limit`).
    pub fn violations(&self, body: &Value, limit: usize) -> Vec<String> {
        self.validator
            .iter_errors(body)
            .take(limit)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".to_owned() } else { at };
                format!("{at}: {}", shorten(&e.to_string()))
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Parameter,
}

/// What a document says of one answer.
#[derive(Debug)]
pub enum Verdict<'s> {
    /// The status, content type and body are as documented.
    Conforms(&'s Operation),
    /// No document describes this request, or this status of it: nothing to check.
    NotDescribed(String),
    /// The answer contradicts the document.
    Violates(&'s Operation, Vec<String>),
}

/// Every operation of Personio's documents, ready to check answers.
#[derive(Debug)]
pub struct Schemas {
    operations: Vec<Operation>,
    dir: PathBuf,
}

/// Violations reported per answer; the first few say enough.
const MAX_VIOLATIONS: usize = 20;

impl Schemas {
    /// Reads and compiles the documents in `dir`, with the exceptions applied.
    pub fn load(dir: &Path) -> Result<Schemas, SchemaError> {
        if !dir.is_dir() {
            return Err(SchemaError::Missing {
                dir: dir.to_owned(),
            });
        }
        let mut documents = Vec::new();
        for name in DOCUMENTS {
            let path = dir.join(name);
            if !path.is_file() {
                return Err(SchemaError::Missing {
                    dir: dir.to_owned(),
                });
            }
            let mut document = openapi::read(&path)?;
            exceptions::apply(name, &mut document)?;
            openapi::translate(&mut document);
            documents.push((*name, document));
        }
        let registry = jsonschema::Registry::new()
            .draft(Draft::Draft4)
            .extend(
                documents
                    .iter()
                    .map(|(name, doc)| (uri(name), Draft::Draft4.create_resource(doc.clone()))),
            )
            .and_then(|builder| builder.prepare())
            .map_err(|e| SchemaError::Parse {
                path: dir.to_owned(),
                message: e.to_string(),
            })?;
        let mut operations = Vec::new();
        for (name, document) in &documents {
            operations.extend(operations_of(name, document, &registry)?);
        }
        Ok(Schemas {
            operations,
            dir: dir.to_owned(),
        })
    }

    /// The directory the documents were read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every documented operation.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation a request is, if a document describes it. A literal segment wins over
    /// a parameter (`/company/employees/attributes` over `/company/employees/{id}`).
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method) && op.segments.len() == parts.len())
            .filter(|op| {
                op.segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Parameter => !p.is_empty(),
                })
            })
            .max_by_key(|op| {
                op.segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
    }

    /// Checks one answer: status, content type (parameters ignored) and body.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Verdict<'_> {
        let Some(operation) = self.operation(method, path) else {
            return Verdict::NotDescribed(format!("no document describes {method} {path}"));
        };
        let status_key = status.to_string();
        let range_key = format!("{}XX", status / 100);
        let Some(response) = operation
            .responses
            .get(&status_key)
            .or_else(|| operation.responses.get(&range_key))
            .or_else(|| operation.responses.get("default"))
        else {
            return Verdict::NotDescribed(format!(
                "{} {} does not document status {status}",
                operation.method, operation.path
            ));
        };
        let violations = check_response(response, content_type, body);
        if violations.is_empty() {
            Verdict::Conforms(operation)
        } else {
            Verdict::Violates(operation, violations)
        }
    }
}

fn check_response(response: &Response, content_type: Option<&str>, body: &[u8]) -> Vec<String> {
    if response.content.is_empty() {
        return if body.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "the document gives this answer no body, but {} bytes came ({})",
                body.len(),
                content_type.unwrap_or("no content type")
            )]
        };
    }
    let essence = content_type
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase())
        .unwrap_or_default();
    let Some(schema) = response.content.get(&essence) else {
        let documented: Vec<&str> = response.content.keys().map(String::as_str).collect();
        return vec![format!(
            "content type {:?} where the document gives {}",
            essence,
            documented.join(", ")
        )];
    };
    // Only JSON bodies have a schema to check (a picture's `format: binary` says nothing).
    let Some(schema) = schema.as_ref().filter(|_| essence.contains("json")) else {
        return Vec::new();
    };
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => schema.violations(&value, MAX_VIOLATIONS),
        Err(e) => vec![format!("the body is not JSON: {e}")],
    }
}

fn uri(document: &str) -> String {
    format!("https://personio-openapi.invalid/{document}")
}

fn operations_of(
    name: &'static str,
    document: &Value,
    registry: &jsonschema::Registry<'_>,
) -> Result<Vec<Operation>, SchemaError> {
    let base = openapi::base_path(document);
    let mut out = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (template, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let full = format!("{base}{template}");
            let mut operation = Operation {
                document: name,
                method: method.to_ascii_uppercase(),
                segments: segments(&full),
                path: full,
                responses: BTreeMap::new(),
            };
            let responses = op.get("responses").and_then(Value::as_object);
            for (status, response) in responses.into_iter().flatten() {
                let pointer = format!(
                    "/paths/{}/{method}/responses/{status}",
                    openapi::pointer_token(template)
                );
                let compiled = response_of(name, &pointer, response, registry).map_err(
                    |(content_type, message)| SchemaError::Compile {
                        operation: format!("{} {}", operation.method, operation.path),
                        status: status.clone(),
                        content_type,
                        message,
                    },
                )?;
                operation.responses.insert(status.clone(), compiled);
            }
            out.push(operation);
        }
    }
    Ok(out)
}

fn response_of(
    name: &str,
    pointer: &str,
    response: &Value,
    registry: &jsonschema::Registry<'_>,
) -> Result<Response, (String, String)> {
    let mut out = Response::default();
    let content = response.get("content").and_then(Value::as_object);
    for (content_type, media) in content.into_iter().flatten() {
        let schema = match media.get("schema") {
            None => None,
            Some(_) => {
                let target = format!(
                    "{}#{}/content/{}/schema",
                    uri(name),
                    pointer,
                    openapi::pointer_token(content_type)
                );
                let validator = jsonschema::options()
                    .with_draft(Draft::Draft4)
                    .should_validate_formats(true)
                    .with_registry(registry)
                    .build(&serde_json::json!({ "$ref": openapi::fragment_safe(&target) }))
                    .map_err(|e| (content_type.clone(), e.to_string()))?;
                Some(BodySchema { validator })
            }
        };
        out.content
            .insert(content_type.to_ascii_lowercase(), schema);
        for (example, value) in examples_of(media, registry, name) {
            out.examples.push((content_type.clone(), example, value));
        }
    }
    Ok(out)
}

/// The examples of one media type: `examples` (values or `$ref`s into
/// `components/examples`) and a single `example`.
fn examples_of(
    media: &Value,
    registry: &jsonschema::Registry<'_>,
    name: &str,
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(example) = media.get("example") {
        out.push(("example".to_owned(), example.clone()));
    }
    let examples = media.get("examples").and_then(Value::as_object);
    for (key, example) in examples.into_iter().flatten() {
        let resolved = match example.get("$ref").and_then(Value::as_str) {
            Some(reference) => registry
                .resolver(uri_of(name))
                .lookup(reference)
                .ok()
                .map(|found| found.contents().clone()),
            None => Some(example.clone()),
        };
        if let Some(value) = resolved.and_then(|r| r.get("value").cloned()) {
            out.push((key.clone(), value));
        }
    }
    out
}

fn uri_of(name: &str) -> jsonschema::Uri<String> {
    jsonschema::Uri::parse(uri(name)).expect("the documents' base URIs are valid")
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .trim_end_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Parameter
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

/// Error messages quote the whole instance; a page of employees is too much to read.
fn shorten(message: &str) -> String {
    const MAX: usize = 300;
    if message.len() <= MAX {
        return message.to_owned();
    }
    let mut cut = MAX;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &message[..cut])
}
