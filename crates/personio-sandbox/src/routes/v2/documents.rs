//! v2 document management (personio-api.md §3.9): list by owner, update metadata, delete,
//! and download the file.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use personio_api::Scope;
use personio_api::v2::DocumentPatch;

use super::org::page;
use super::{TimeRange, allow_only, invalid_parameter};
use crate::body::{Body, Payload};
use crate::caller::Caller;
use crate::company::{Company, Document, DocumentChanges, DocumentError};
use crate::error::{ApiError, ApiResult, ErrorKind, Family};
use crate::origin::Origin;
use crate::paginate::V2Request;
use crate::params::Params;
use crate::render::documents::{document as render_document, file};
use crate::render::page::to_bytes;
use crate::render::v2_timestamp;
use crate::state::AppState;

/// Paging: at most 200 (`limit=300` is Personio's own example of an invalid value); the
/// default is the v2 common one, 100.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 200;
/// Longest document name.
const MAX_NAME_CHARS: usize = 256;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/document-management/documents", get(list))
        .route(
            "/v2/document-management/documents/{document_id}",
            axum::routing::patch(update).delete(remove),
        )
        .route(
            "/v2/document-management/documents/{document_id}/download",
            get(download),
        )
}

fn not_found() -> ApiError {
    ApiError::not_found(Family::V2, 404, "Document not found")
}

fn find<'a>(company: &'a Company, id: &str) -> ApiResult<&'a Document> {
    id.trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| company.document(id))
        .ok_or_else(not_found)
}

/// `GET /v2/document-management/documents?owner_id=...`: `owner_id` is required;
/// `category_id`, `created_at.gte` and `created_at.lt` narrow it. Newest first.
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    Origin(origin): Origin,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require_scope(Scope::DocumentsRead)?;
    let request = V2Request::parse(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    let filters = &request.filters;
    allow_only(
        filters,
        &["owner_id", "category_id", "created_at.gte", "created_at.lt"],
    )?;
    let owner: i64 = match filters.one("owner_id").map(str::trim) {
        None | Some("") => {
            return Err(ApiError::bad_request(
                Family::V2,
                "Parameter [owner_id] is required",
            ));
        }
        Some(text) => text.parse().map_err(|_| invalid_parameter("owner_id"))?,
    };
    let category: Option<i64> = match filters.one("category_id").map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse().map_err(|_| invalid_parameter("category_id"))?),
    };
    let created = TimeRange::parse(filters, "created_at")?;
    let company = app.company.read();
    let documents = company
        .documents
        .items
        .iter()
        .filter(|d| {
            d.owner_id == owner
                && category.is_none_or(|c| d.category_id == c)
                && created.contains(d.created_at)
        })
        .collect();
    page(
        documents,
        |d| (v2_timestamp(d.created_at), d.id),
        true,
        &request,
        &origin,
        &uri,
        |d| to_bytes(&render_document(&company, d)),
    )
}

fn bad(detail: &str) -> ApiError {
    ApiError::bad_request(Family::V2, detail)
}

/// `PATCH .../documents/{id}`: `name` (1–256 characters), `date`, `comment` and
/// `category` may change but none may be `null` → 204 (status unconfirmed; Personio's
/// other v2 updates answer 204).
async fn update(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    caller.require_scope(Scope::DocumentsWrite)?;
    let value = match body.payload {
        Payload::Json(value) => value,
        Payload::Empty => return Err(bad("The request body is empty.")),
        Payload::Form(_) => return Err(ApiError::new(Family::V2, ErrorKind::UnsupportedMediaType)),
    };
    let patch: DocumentPatch =
        serde_json::from_value(value).map_err(|e| bad(&format!("Invalid request content: {e}")))?;
    let mut changes = DocumentChanges::default();
    match patch.name {
        None => {}
        Some(None) => return Err(bad("name must not be null.")),
        Some(Some(name)) if name.trim().is_empty() => return Err(bad("name must not be empty.")),
        Some(Some(name)) if name.chars().count() > MAX_NAME_CHARS => {
            return Err(bad("name must be at most 256 characters long."));
        }
        Some(Some(name)) => changes.name = Some(name),
    }
    match patch.date {
        None => {}
        Some(None) => return Err(bad("date must not be null.")),
        Some(Some(text)) => {
            changes.date = Some(
                chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                    .map_err(|_| bad("date must be a date (YYYY-MM-DD)."))?,
            )
        }
    }
    match patch.comment {
        None => {}
        Some(None) => return Err(bad("comment must not be null.")),
        Some(Some(comment)) => changes.comment = Some(comment),
    }
    match patch.category {
        None => {}
        Some(None) => return Err(bad("category must not be null.")),
        Some(Some(category)) => {
            changes.category_id = Some(
                category
                    .id
                    .trim()
                    .parse()
                    .map_err(|_| bad("category.id must be a document category id."))?,
            )
        }
    }
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company
        .update_document(id, changes, now)
        .map_err(|e| match e {
            DocumentError::UnknownCategory(c) => {
                ApiError::validation(Family::V2, format!("Document category {c} does not exist."))
            }
            _ => not_found(),
        })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE .../documents/{id}` → 204.
async fn remove(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::DocumentsWrite)?;
    let now = app.clock.now();
    let mut company = app.company.write();
    let id = find(&company, &id)?.id;
    company.delete_document(id, now).map_err(|_| not_found())?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET .../documents/{id}/download`: the file itself.
async fn download(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_scope(Scope::DocumentsRead)?;
    let company = app.company.read();
    let document = find(&company, &id)?;
    let (bytes, file_name) = file(&company, document);
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(document.media_type()),
    );
    let safe_name: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
