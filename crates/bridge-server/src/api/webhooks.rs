//! `/api/v1/webhooks`: subscriptions to change events (create, list, get, delete) and each
//! one's delivery log. A subscription's secret is shown once, in the answer that creates it.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use bridge_store::{CompanyId, Key, NewSubscription, Scope, Store, Subscription};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::ApiCaller;
use super::{DEFAULT_LIMIT, MAX_LIMIT, Problem, cursor};
use crate::state::AppState;

/// Limits on what a subscription may carry.
const MAX_URL_LENGTH: usize = 2048;
const MAX_EVENTS: usize = 200;
const MIN_SECRET_LENGTH: usize = 16;
const MAX_SECRET_LENGTH: usize = 256;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(create))
        .route("/api/v1/webhooks/{webhook}", get(one).delete(remove))
        .route("/api/v1/webhooks/{webhook}/deliveries", get(deliveries))
}

/// The body that creates a subscription.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    url: String,
    events: Events,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    secret: Option<String>,
}

/// `"*"` or a list of event types.
#[derive(Deserialize)]
#[serde(untagged)]
enum Events {
    All(String),
    Some(Vec<String>),
}

async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Bytes,
) -> Result<impl IntoResponse, Problem> {
    caller.require(Scope::Read)?;
    let body: CreateBody = serde_json::from_slice(&body).map_err(|e| {
        Problem::invalid_body(format!(
            "expected a JSON object {{\"url\", \"events\", \"company\"?, \"secret\"?}}: {e}"
        ))
    })?;
    let url = check_url(&body.url)?;
    check_target(&state, &url).await?;
    let events = check_events(body.events)?;
    let company = match &body.company {
        None if caller.key.is_limited() => {
            return Err(Problem::invalid_field(
                "company",
                "this API key is limited to some companies: name one of them in company",
            ));
        }
        None => None,
        Some(name) => Some(
            state
                .store
                .find_company(name)
                .await?
                .filter(|c| caller.reaches(&c.name))
                .ok_or_else(|| Problem::invalid_body(format!("no company named {name:?}")))?,
        ),
    };
    let secret = match body.secret {
        Some(text) => {
            let length = text.chars().count();
            if !(MIN_SECRET_LENGTH..=MAX_SECRET_LENGTH).contains(&length)
                || text.chars().any(char::is_control)
            {
                return Err(Problem::invalid_body(format!(
                    "secret must be {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} printable characters (or leave it out to get a generated one)"
                )));
            }
            SecretString::from(text)
        }
        None => SecretString::from(bridge_store::random_token("whsec_", 40)),
    };
    let subscription = state
        .store
        .add_webhook(
            NewSubscription {
                url,
                events,
                company: company.as_ref().map(|c| c.id),
                secret: secret.clone(),
            },
            chrono::Utc::now(),
        )
        .await?;
    let mut shown = view(&subscription, company.as_ref().map(|c| c.name.as_str()));
    shown["secret"] = json!(secret.expose_secret());
    let location = format!("/api/v1/webhooks/{}", subscription.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(shown),
    ))
}

async fn list(State(state): State<AppState>, caller: ApiCaller) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Read)?;
    let names = company_names(&state.store).await?;
    let data: Vec<Value> = state
        .store
        .webhooks()
        .await?
        .iter()
        .filter(|s| reaches(&caller, &names, s))
        .map(|s| view(s, name_of(&names, s)))
        .collect();
    Ok(Json(json!({ "data": data, "next_cursor": null })))
}

async fn one(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Read)?;
    let names = company_names(&state.store).await?;
    let subscription = live(&state.store, &caller, &names, &id).await?;
    Ok(Json(view(&subscription, name_of(&names, &subscription))))
}

async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.require(Scope::Read)?;
    let names = company_names(&state.store).await?;
    live(&state.store, &caller, &names, &id).await?;
    if state.store.disable_webhook(&id, chrono::Utc::now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found(format!("no webhook {id}")))
    }
}

/// The query string of the delivery log.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogParams {
    limit: Option<String>,
    cursor: Option<String>,
}

async fn deliveries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::Read)?;
    let params: LogParams = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| Problem::bad_request(format!("query string: {e}")))?;
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "limit {text:?} must be a whole number from 1 to {MAX_LIMIT}"
                ))
            })?,
    };
    let before = match params.cursor.as_deref() {
        None => None,
        Some(text) => match cursor::decode(text, bridge_store::tables::KeyType::Int) {
            Some(Key::Int(n)) => Some(n),
            _ => {
                return Err(Problem::bad_request(
                    "cursor is not one this API gave out for this log; start again without it",
                ));
            }
        },
    };
    // Deleted subscriptions keep their log.
    let names = company_names(&state.store).await?;
    match state.store.webhook(&id).await? {
        Some(subscription) if reaches(&caller, &names, &subscription) => {}
        _ => return Err(Problem::not_found(format!("no webhook {id}"))),
    }
    let mut log = state
        .store
        .webhook_deliveries(&id, before, limit + 1)
        .await?;
    let next_cursor = if log.len() > limit as usize {
        log.truncate(limit as usize);
        log.last().map(|entry| cursor::encode(&Key::Int(entry.id)))
    } else {
        None
    };
    let data: Vec<Value> = log
        .iter()
        .map(|entry| {
            json!({
                "event_id": entry.event_id,
                "type": entry.event_type,
                "company": entry.company,
                "record_id": entry.record_id,
                "status": entry.status,
                "attempts": entry.attempts,
                "next_attempt_at": entry.next_attempt_at,
                "last_status": entry.last_status,
                "last_error": entry.last_error,
                "occurred_at": entry.occurred_at,
                "delivered_at": entry.delivered_at,
            })
        })
        .collect();
    Ok(Json(json!({ "data": data, "next_cursor": next_cursor })))
}

/// A subscription not deleted that the caller reaches, or 404.
async fn live(
    store: &Store,
    caller: &ApiCaller,
    names: &BTreeMap<CompanyId, String>,
    id: &str,
) -> Result<Subscription, Problem> {
    store
        .webhook(id)
        .await?
        .filter(|s| s.disabled_at.is_none() && reaches(caller, names, s))
        .ok_or_else(|| Problem::not_found(format!("no webhook {id}")))
}

/// Whether the caller reaches a subscription: a limited key only those of its companies.
fn reaches(caller: &ApiCaller, names: &BTreeMap<CompanyId, String>, s: &Subscription) -> bool {
    !caller.key.is_limited() || name_of(names, s).is_some_and(|name| caller.reaches(name))
}

async fn company_names(store: &Store) -> Result<BTreeMap<CompanyId, String>, Problem> {
    Ok(store
        .companies()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

fn name_of<'a>(names: &'a BTreeMap<CompanyId, String>, s: &Subscription) -> Option<&'a str> {
    s.company.and_then(|id| names.get(&id)).map(String::as_str)
}

/// A subscription as the API shows it: never its secret.
fn view(subscription: &Subscription, company: Option<&str>) -> Value {
    json!({
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "company": company,
        "created_at": subscription.created_at,
    })
}

/// An absolute http(s) URL with a host.
fn check_url(text: &str) -> Result<String, Problem> {
    if text.len() > MAX_URL_LENGTH {
        return Err(Problem::invalid_body(format!(
            "url is longer than {MAX_URL_LENGTH} characters"
        )));
    }
    let url = url::Url::parse(text)
        .map_err(|e| Problem::invalid_body(format!("url {text:?} is not a URL: {e}")))?;
    if !super::is_web_address(&url) {
        return Err(Problem::invalid_body(format!(
            "url {text:?} must be an http or https URL with a host"
        )));
    }
    Ok(url.to_string())
}

/// A target the service's policy allows (see `webhook_targets`): 422 naming `url` otherwise.
async fn check_target(state: &AppState, url: &str) -> Result<(), Problem> {
    let policy = crate::webhook_targets::TargetPolicy {
        allow_private: state.config.allow_private_webhooks,
    };
    let parsed = url::Url::parse(url).map_err(|e| Problem::invalid_field("url", e.to_string()))?;
    policy
        .check_url(&parsed)
        .await
        .map_err(|refused| Problem::invalid_field("url", format!("url: {refused}")))
}

/// `"*"`, or known event types (`employee.updated`, ...), each once.
fn check_events(events: Events) -> Result<Vec<String>, Problem> {
    let list = match events {
        Events::All(all) if all == "*" => return Ok(vec!["*".to_owned()]),
        Events::All(one) => vec![one],
        Events::Some(list) => list,
    };
    if list.is_empty() || list.len() > MAX_EVENTS {
        return Err(Problem::invalid_body(format!(
            "events must list 1 to {MAX_EVENTS} event types, or be \"*\" for all"
        )));
    }
    if list.iter().any(|e| e == "*") {
        return Ok(vec!["*".to_owned()]);
    }
    let known = bridge_store::event_types();
    let mut out: Vec<String> = Vec::new();
    for event in list {
        if !known.contains(&event) {
            return Err(Problem::invalid_body(format!(
                "unknown event type {event:?}: types are <resource>.created|updated|deleted, such as employee.updated, absence.created or attendance.deleted, and connection.linked|broken|relinked"
            )));
        }
        if !out.contains(&event) {
            out.push(event);
        }
    }
    Ok(out)
}
