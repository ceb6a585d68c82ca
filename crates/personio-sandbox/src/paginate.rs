//! Server-side paging, by Personio's rules.
//!
//! v1 pages by `limit` + `offset`, with per-endpoint defaults and maximums (personio-api.md
//! §2.1). v2 pages by an opaque cursor carried in `_meta.links.next.href`. Our cursor is
//! *self-sufficient*: it holds the original filters and the sort key of the last item sent,
//! so a client may follow `next.href` alone (as pysonio does) and a page boundary never
//! skips or repeats a record, even when records are added or removed between pages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApiResult, Family};
use crate::params::Params;

/// What a v2 cursor remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Cursor {
    /// Sort key of the last item already sent; the next page starts after it.
    #[serde(rename = "a")]
    pub after: Value,
    /// The filters of the first request, minus `cursor` and `limit`.
    #[serde(rename = "q")]
    pub query: Vec<(String, String)>,
}

const CURSOR_PREFIX: &str = "cur_";

impl Cursor {
    pub(crate) fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a cursor is plain data and always serializes");
        format!("{CURSOR_PREFIX}{}", URL_SAFE_NO_PAD.encode(json))
    }

    pub(crate) fn decode(text: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.strip_prefix(CURSOR_PREFIX)?)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// A v2 list request, resolved: the filters to apply (from the cursor when continuing),
/// where to start, and how many to send.
#[derive(Debug, Clone)]
pub(crate) struct V2Request {
    pub filters: Params,
    pub after: Option<Value>,
    pub limit: usize,
}

impl V2Request {
    /// Reads `cursor` and `limit`. `limit` outside `1..=max` is rejected, as Personio does
    /// (`GET /v2/persons?limit=100` → 400, personio-api.md §5.1b, confidence M).
    pub(crate) fn parse(
        params: &Params,
        default_limit: usize,
        max_limit: usize,
    ) -> ApiResult<V2Request> {
        let limit = match params.one("limit") {
            None => default_limit,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if (1..=max_limit).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_request(
                        Family::V2,
                        "Provided value for limit is not valid",
                    ));
                }
            },
        };
        match params.one("cursor").filter(|c| !c.is_empty()) {
            None => Ok(V2Request {
                filters: Params::from_pairs(params.without(&["cursor", "limit"])),
                after: None,
                limit,
            }),
            Some(text) => {
                let cursor = Cursor::decode(text).ok_or_else(|| {
                    ApiError::bad_request(Family::V2, "Provided value for cursor is not valid")
                })?;
                Ok(V2Request {
                    filters: Params::from_pairs(cursor.query),
                    after: Some(cursor.after),
                    limit,
                })
            }
        }
    }

    /// The cursor that continues after an item with sort key `after`.
    pub(crate) fn next_cursor(&self, after: Value) -> String {
        Cursor {
            after,
            query: self.filters.pairs().to_vec(),
        }
        .encode()
    }
}

/// A v1 `limit`/`offset` request, validated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct V1Paging {
    pub limit: usize,
    pub offset: usize,
}

impl V1Paging {
    /// Reads `limit` and `offset`; a `limit` above `max` is lowered to it (Personio enforces
    /// its employee maximum by clamping, as far as public reports tell; confidence L).
    /// Non-numbers and out-of-range values get Laravel-style 422 messages.
    pub(crate) fn parse(
        params: &Params,
        default_limit: usize,
        max_limit: usize,
    ) -> ApiResult<V1Paging> {
        let limit = match params.one("limit") {
            None | Some("") => default_limit,
            Some(text) => match text.trim().parse::<i64>() {
                Ok(n) if n >= 1 => (n as usize).min(max_limit),
                Ok(_) => return Err(field_error("limit", "The limit must be at least 1.")),
                Err(_) => return Err(field_error("limit", "The limit must be an integer.")),
            },
        };
        let offset = match params.one("offset") {
            None | Some("") => 0,
            Some(text) => match text.trim().parse::<i64>() {
                Ok(n) if n >= 0 => n as usize,
                Ok(_) => return Err(field_error("offset", "The offset must be at least 0.")),
                Err(_) => return Err(field_error("offset", "The offset must be an integer.")),
            },
        };
        Ok(V1Paging { limit, offset })
    }

    /// `metadata` for `total` items, with a 0-based `current_page`.
    pub(crate) fn metadata(&self, total: usize) -> personio_api::v1::Metadata {
        personio_api::v1::Metadata {
            total_elements: total as u64,
            current_page: (self.offset / self.limit) as u64,
            total_pages: total.div_ceil(self.limit) as u64,
        }
    }
}

fn field_error(field: &str, message: &str) -> ApiError {
    ApiError::validation_fields(
        Family::V1,
        "The given data failed to pass validation.",
        serde_json::json!({ field: [message] }),
    )
}

/// Sort key of small v2 lists: the sort field as text (empty when sorting by id), then the
/// numeric id as tie-breaker.
pub(crate) type SortKey = (String, i64);

/// One page of `items` in `key` order (reversed when `descending`), starting after the
/// cursor's key. Returns the page and, when more follow, the key to continue after.
pub(crate) fn keyset<'a, T>(
    mut items: Vec<&'a T>,
    key: impl Fn(&T) -> SortKey,
    descending: bool,
    request: &V2Request,
) -> ApiResult<(Vec<&'a T>, Option<SortKey>)> {
    let after: Option<SortKey> = match &request.after {
        None => None,
        Some(value) => Some(serde_json::from_value(value.clone()).map_err(|_| {
            ApiError::bad_request(Family::V2, "Provided value for cursor is not valid")
        })?),
    };
    items.sort_by(|a, b| {
        let order = key(a).cmp(&key(b));
        if descending { order.reverse() } else { order }
    });
    let start = match &after {
        None => 0,
        Some(after) => items.partition_point(|item| {
            let k = key(item);
            if descending { k >= *after } else { k <= *after }
        }),
    };
    let mut page: Vec<&T> = items
        .into_iter()
        .skip(start)
        .take(request.limit + 1)
        .collect();
    let next = if page.len() > request.limit {
        page.truncate(request.limit);
        page.last().map(|item| key(item))
    } else {
        None
    };
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_the_round_trip_and_rejects_garbage() {
        let cursor = Cursor {
            after: serde_json::json!([12, "a"]),
            query: vec![("status".into(), "ACTIVE".into())],
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("cur_%%%"), None);
        assert_eq!(Cursor::decode("not-a-cursor"), None);
    }

    #[test]
    fn v2_rejects_a_limit_above_the_maximum_and_v1_clamps_it() {
        let params = Params::parse("limit=100");
        assert!(V2Request::parse(&params, 10, 50).is_err());
        assert_eq!(V1Paging::parse(&params, 50, 100).unwrap().limit, 100);
        assert_eq!(
            V1Paging::parse(&Params::parse("limit=500"), 50, 100)
                .unwrap()
                .limit,
            100
        );
        assert!(V1Paging::parse(&Params::parse("limit=abc"), 50, 100).is_err());
    }

    #[test]
    fn continuing_a_cursor_restores_its_filters() {
        let first = V2Request::parse(&Params::parse("status=ACTIVE&limit=2"), 10, 50).unwrap();
        let next = first.next_cursor(serde_json::json!(42));
        let second = V2Request::parse(&Params::parse(&format!("cursor={next}")), 10, 50).unwrap();
        assert_eq!(second.filters.one("status"), Some("ACTIVE"));
        assert_eq!(second.after, Some(serde_json::json!(42)));
        assert_eq!(
            second.limit, 10,
            "limit comes from the request, default when absent"
        );
    }
}
