//! Response bodies assembled from already-rendered items, so that cached item bytes are
//! copied rather than re-serialized.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use personio_api::v1::Metadata;
use serde::Serialize;
use serde_json::json;

/// A v1 list: `{"success":true,"metadata":{...},"offset":..,"limit":..,"data":[...]}`.
pub(crate) fn v1_list<I: AsRef<[u8]>>(
    metadata: Metadata,
    offset: usize,
    limit: usize,
    items: &[I],
) -> Vec<u8> {
    let head = json!({
        "success": true,
        "metadata": metadata,
        "offset": offset,
        "limit": limit,
    });
    let mut out = serde_json::to_vec(&head).expect("plain data serializes");
    out.pop(); // the closing brace; `data` goes last
    out.extend_from_slice(b",\"data\":");
    push_array(&mut out, items);
    out.push(b'}');
    out
}

/// A v2 page: `{"_data":[...],"_meta":{"links":{"self":{...},"next":{...}}}}`; `next` is
/// left out on the last page.
pub(crate) fn v2_page<I: AsRef<[u8]>>(
    items: &[I],
    self_href: &str,
    next_href: Option<&str>,
) -> Vec<u8> {
    let mut links = serde_json::Map::new();
    links.insert("self".into(), json!({ "href": self_href }));
    if let Some(next) = next_href {
        links.insert("next".into(), json!({ "href": next }));
    }
    let mut out =
        Vec::with_capacity(items.iter().map(|i| i.as_ref().len() + 1).sum::<usize>() + 256);
    out.extend_from_slice(b"{\"_data\":");
    push_array(&mut out, items);
    out.extend_from_slice(b",\"_meta\":");
    serde_json::to_writer(&mut out, &json!({ "links": links })).expect("plain data serializes");
    out.push(b'}');
    out
}

fn push_array<I: AsRef<[u8]>>(out: &mut Vec<u8>, items: &[I]) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.as_ref());
    }
    out.push(b']');
}

/// Serializes a value to bytes.
pub(crate) fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("wire types are plain data and always serialize")
}

/// A 200 `application/json` response from bytes.
pub(crate) fn json_response(body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembled_pages_are_valid_json() {
        let items = [b"{\"id\":1}".to_vec(), b"{\"id\":2}".to_vec()];
        let v1: serde_json::Value = serde_json::from_slice(&v1_list(
            Metadata {
                total_elements: 2,
                current_page: 0,
                total_pages: 1,
            },
            0,
            50,
            &items,
        ))
        .unwrap();
        assert_eq!(v1["data"][1]["id"], 2);
        let v2: serde_json::Value =
            serde_json::from_slice(&v2_page(&items, "http://x/v2/persons", None)).unwrap();
        assert_eq!(v2["_data"].as_array().unwrap().len(), 2);
        assert!(v2["_meta"]["links"].get("next").is_none());
    }
}
