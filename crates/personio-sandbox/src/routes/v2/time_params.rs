//! What the v2 time endpoints (attendance, absences, projects) read and answer alike:
//! wall-clock date-time filters, dates, `skip_approval`, JSON bodies as wire types, and the
//! 201/204 answers of writes.
//!
//! Personio's period times are local and carry no offset; a `Z` or `+01:00` in a filter or
//! body is refused with 400 "Invalid request content", although the docs show `Z` examples
//! (personio-api.md §3.1, §6 #14; confidence M).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use personio_api::v2::{Created, Link, ResourceMeta};
use serde::de::DeserializeOwned;

use crate::body::{Body, Payload};
use crate::company::LocalMinute;
use crate::error::{ApiError, ApiResult, Family};
use crate::params::Params;
use crate::render::page::{json_response, to_bytes};

/// A zone-less date-time (`2024-06-07T09:00:00`, seconds and fraction optional) or a date
/// (its midnight). Anything with an offset is `None`.
pub(super) fn parse_local(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        })
}

fn invalid(key: &str, expected: &str) -> ApiError {
    ApiError::bad_request(Family::V2, format!("Parameter [{key}] must be {expected}."))
}

const LOCAL_EXAMPLE: &str = "a date-time without offset, like 2024-06-07T09:00:00";

/// A wall-clock filter value.
pub(super) fn local_filter(params: &Params, key: &str) -> ApiResult<Option<LocalMinute>> {
    params
        .one(key)
        .map(|text| {
            parse_local(text)
                .and_then(LocalMinute::from_naive)
                .ok_or_else(|| invalid(key, LOCAL_EXAMPLE))
        })
        .transpose()
}

/// An `updated_at` filter: also without offset; read as UTC, the zone `updated_at` is
/// written in.
pub(super) fn utc_filter(params: &Params, key: &str) -> ApiResult<Option<DateTime<Utc>>> {
    params
        .one(key)
        .map(|text| {
            parse_local(text)
                .map(|t| t.and_utc())
                .ok_or_else(|| invalid(key, LOCAL_EXAMPLE))
        })
        .transpose()
}

/// A `YYYY-MM-DD` filter.
pub(super) fn date_filter(params: &Params, key: &str) -> ApiResult<Option<NaiveDate>> {
    params
        .one(key)
        .map(|text| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| invalid(key, "a date like 2024-06-07"))
        })
        .transpose()
}

/// `?skip_approval=` of writes; v2 defaults to `false`, the opposite of v1 (§3.6).
pub(super) fn skip_approval(params: &Params) -> ApiResult<bool> {
    match params.one("skip_approval").map(str::trim) {
        None => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(invalid("skip_approval", "true or false")),
    }
}

/// A JSON body read into a wire type; anything else is 400 "Invalid request content".
pub(super) fn json_body<T: DeserializeOwned>(body: Body) -> ApiResult<T> {
    match body.payload {
        Payload::Json(value) => serde_json::from_value(value).map_err(|e| {
            ApiError::bad_request(Family::V2, format!("The request body is invalid: {e}"))
        }),
        Payload::Empty => Err(ApiError::bad_request(
            Family::V2,
            "The request body is missing.",
        )),
        Payload::Form(_) => Err(ApiError::bad_request(
            Family::V2,
            "The request body must be JSON.",
        )),
    }
}

/// A date-time from a body: wall-clock, no offset.
pub(super) fn body_local(text: &str, field: &str) -> ApiResult<NaiveDateTime> {
    parse_local(text).ok_or_else(|| {
        ApiError::bad_request(Family::V2, format!("{field} must be {LOCAL_EXAMPLE}."))
    })
}

/// 201 with `{"id", "_meta": {"links": {"self"}}}` (S-v2c `CreatedObject`).
pub(super) fn created(self_href: String, id: String) -> Response {
    let body = Created {
        id,
        meta: Some(ResourceMeta {
            links: [("self".to_owned(), Link { href: self_href })]
                .into_iter()
                .collect(),
        }),
    };
    (StatusCode::CREATED, json_response(to_bytes(&body))).into_response()
}

pub(super) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A `{"_data": [...], "_meta": {"links": ...}}` page around items already written as a
/// comma-separated list into `items`.
pub(super) fn page_around(items: &[u8], self_href: &str, next_href: Option<&str>) -> Response {
    let mut out = Vec::with_capacity(items.len() + 512);
    out.extend_from_slice(b"{\"_data\":[");
    out.extend_from_slice(items);
    out.extend_from_slice(b"],\"_meta\":{\"links\":{\"self\":{\"href\":");
    serde_json::to_writer(&mut out, self_href).expect("a string serializes");
    out.push(b'}');
    if let Some(next) = next_href {
        out.extend_from_slice(b",\"next\":{\"href\":");
        serde_json::to_writer(&mut out, next).expect("a string serializes");
        out.push(b'}');
    }
    out.extend_from_slice(b"}}}");
    json_response(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_take_no_offset() {
        assert!(parse_local("2024-06-07T09:00:00").is_some());
        assert!(parse_local("2024-06-07T09:00").is_some());
        assert!(parse_local("2024-06-07").is_some());
        assert!(parse_local("2024-06-07T09:00:00Z").is_none());
        assert!(parse_local("2024-06-07T09:00:00+02:00").is_none());
        assert!(parse_local("yesterday").is_none());
    }
}
