//! `/api/v1/link-sessions`: a vendor's program asks for a link to send its customer's Personio
//! admin; the hosted page at that link (`pages::link`) does the rest.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use bridge_store::{LinkAccess, LinkSession, NewLinkSession, Scope};
use bridge_sync::ResourceName;
use bridge_sync::link::{PERSONIO_BASE_URL, parse_base_url, validate_name};
use chrono::{Duration, Utc};
use serde_json::{Map, Value, json};

use super::Problem;
use super::auth::ApiCaller;
use crate::state::AppState;

/// The longest a link may live: a week.
const MAX_MINUTES: i64 = 10_080;
const DEFAULT_MINUTES: i64 = 60;
const MAX_STATE: usize = 512;
const MAX_NAME: usize = 200;
const MAX_URL: usize = 2_048;
const FIELDS: &[&str] = &[
    "company",
    "name",
    "redirect_url",
    "state",
    "resources",
    "access",
    "expires_in_minutes",
    "base_url",
];

pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, Problem> {
    caller.require(Scope::Link)?;
    let body: Map<String, Value> = serde_json::from_slice(&body).map_err(|e| {
        Problem::invalid_body(format!(
            "expected a JSON object {{\"company\", \"redirect_url\", \"name\"?, \"state\"?, \"resources\"?, \"access\"?, \"expires_in_minutes\"?}}: {e}"
        ))
    })?;
    let new = read(&body, &caller)?;
    let session_base = public_base(&state, &headers)?;
    let (session, token) = state.store.create_link_session(new, Utc::now()).await?;
    tracing::info!(id = %session.id, company = %session.company, key = %caller.key.name, "link session created");
    let location = format!("/api/v1/link-sessions/{}", session.id);
    let shown = view(&session, &link_url(&session_base, &token));
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(shown),
    ))
}

pub(crate) async fn one(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Link)?;
    let session = state
        .store
        .link_session(&id)
        .await?
        .filter(|s| caller.reaches(&s.company))
        .ok_or_else(|| Problem::not_found(format!("no link session {id}")))?;
    let base = public_base(&state, &headers)?;
    let token = state.store.link_token(&session.id);
    Ok(Json(view(&session, &link_url(&base, &token))))
}

/// A session as the API shows it.
fn view(session: &LinkSession, url: &str) -> Value {
    json!({
        "id": session.id,
        "url": url,
        "expires_at": session.expires_at,
        "status": session.status(Utc::now()).as_str(),
        "company": session.company,
        "name": session.display_name,
        "redirect_url": session.redirect_url,
        "resources": session.resources,
        "access": session.access.as_str(),
        "created_at": session.created_at,
        "linked_at": session.linked_at,
    })
}

fn link_url(base: &str, token: &str) -> String {
    format!("{}/link/{token}", base.trim_end_matches('/'))
}

/// The service's address as its users reach it: `--public-url`, or the request's host.
fn public_base(state: &AppState, headers: &HeaderMap) -> Result<String, Problem> {
    if let Some(url) = &state.config.public_url {
        return Ok(url.as_str().trim_end_matches('/').to_owned());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            Problem::bad_request("send a Host header (or start serve with --public-url)")
        })?;
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    Ok(format!("{scheme}://{host}"))
}

/// The body, every field checked; problems name the field.
fn read(body: &Map<String, Value>, caller: &ApiCaller) -> Result<NewLinkSession, Problem> {
    if let Some(unknown) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(Problem::invalid_field(
            unknown.clone(),
            format!(
                "unknown field {unknown:?}; the fields are {}",
                FIELDS.join(", ")
            ),
        ));
    }
    let company = text(body, "company", 64)?.ok_or_else(|| {
        Problem::invalid_field(
            "company",
            "company is required: the name the company is linked as",
        )
    })?;
    validate_name(&company).map_err(|e| Problem::invalid_field("company", e.to_string()))?;
    if !caller.reaches(&company) {
        return Err(Problem::forbidden(format!(
            "the API key {:?} may not link company {company:?}",
            caller.key.name
        )));
    }
    let redirect_url = text(body, "redirect_url", MAX_URL)?.ok_or_else(|| {
        Problem::invalid_field(
            "redirect_url",
            "redirect_url is required: where the page sends the person when the company is linked",
        )
    })?;
    let parsed = url::Url::parse(&redirect_url).map_err(|e| {
        Problem::invalid_field("redirect_url", format!("redirect_url is not a URL: {e}"))
    })?;
    if !super::is_web_address(&parsed) {
        return Err(Problem::invalid_field(
            "redirect_url",
            "redirect_url must be an http or https URL with a host",
        ));
    }
    let base_url = match text(body, "base_url", MAX_URL)? {
        None => PERSONIO_BASE_URL.to_owned(),
        Some(text) => parse_base_url(&text)
            .map_err(|e| Problem::invalid_field("base_url", e.to_string()))?
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
    };
    let lifetime = match body.get("expires_in_minutes") {
        None | Some(Value::Null) => DEFAULT_MINUTES,
        Some(value) => value
            .as_i64()
            .filter(|m| (1..=MAX_MINUTES).contains(m))
            .ok_or_else(|| {
                Problem::invalid_field(
                    "expires_in_minutes",
                    format!("expires_in_minutes must be a whole number from 1 to {MAX_MINUTES}"),
                )
            })?,
    };
    let access = match text(body, "access", 16)? {
        None => LinkAccess::Read,
        Some(text) => LinkAccess::parse(&text).ok_or_else(|| {
            Problem::invalid_field("access", "access must be \"read\" or \"write\"")
        })?,
    };
    Ok(NewLinkSession {
        company,
        base_url,
        display_name: text(body, "name", MAX_NAME)?,
        redirect_url: parsed.to_string(),
        state: text(body, "state", MAX_STATE)?,
        resources: resources(body)?,
        access,
        created_by: Some(caller.key.name.clone()),
        lifetime: Duration::minutes(lifetime),
    })
}

/// An optional string field of at most `max` characters, without control characters.
fn text(body: &Map<String, Value>, field: &str, max: usize) -> Result<Option<String>, Problem> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            if text.chars().count() > max || text.chars().any(char::is_control) {
                return Err(Problem::invalid_field(
                    field,
                    format!(
                        "{field} must be at most {max} characters, none of them control characters"
                    ),
                ));
            }
            Ok(Some(text.clone()))
        }
        Some(_) => Err(Problem::invalid_field(
            field,
            format!("{field} must be a string"),
        )),
    }
}

/// `resources`: known resource names, each once; the sync's defaults when absent.
fn resources(body: &Map<String, Value>) -> Result<Vec<String>, Problem> {
    let known = || {
        ResourceName::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let list = match body.get("resources") {
        None | Some(Value::Null) => {
            return Ok(ResourceName::DEFAULT
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect());
        }
        Some(Value::Array(list)) if !list.is_empty() && list.len() <= ResourceName::ALL.len() => {
            list
        }
        Some(_) => {
            return Err(Problem::invalid_field(
                "resources",
                format!("resources must be a non-empty list of: {}", known()),
            ));
        }
    };
    let mut out: Vec<String> = Vec::new();
    for item in list {
        let name = item
            .as_str()
            .and_then(|n| ResourceName::ALL.iter().find(|r| r.as_str() == n))
            .ok_or_else(|| {
                Problem::invalid_field(
                    "resources",
                    format!("unknown resource {item}; the resources are {}", known()),
                )
            })?;
        if !out.iter().any(|o| o == name.as_str()) {
            out.push(name.as_str().to_owned());
        }
    }
    Ok(out)
}
