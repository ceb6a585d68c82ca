//! The v2 list envelope, links and small shared shapes.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One page of a v2 list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    #[serde(rename = "_data", default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(rename = "_meta", default)]
    pub meta: ListMeta,
}

impl<T> Page<T> {
    /// Where the next page is; `None` on the last page. May be absolute or, in older
    /// attendance responses, relative (personio-api.md §3.1).
    pub fn next_href(&self) -> Option<&str> {
        self.meta.links.get("next").map(|l| l.href.as_str())
    }
}

/// `_meta` of a list: its links (`self`, and `next` unless last).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListMeta {
    #[serde(default)]
    pub links: IndexMap<String, Link>,
}

/// `_meta` of a single resource, e.g. a person's link to its employments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceMeta {
    #[serde(default)]
    pub links: IndexMap<String, Link>,
}

/// `{"href": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub href: String,
}

/// `{"id": "..."}`: how v2 refers to another resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdRef {
    pub id: String,
}

impl IdRef {
    pub fn new(id: impl ToString) -> Self {
        IdRef { id: id.to_string() }
    }
}

/// 201 body of v2 creates (`CreatedObject`): `{"id": "...", "_meta": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub id: String,
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResourceMeta>,
}
