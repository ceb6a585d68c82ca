//! The v1 success envelopes.

use serde::{Deserialize, Serialize};

/// `{"success": true, "data": T}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Single<T> {
    #[serde(default = "yes")]
    pub success: bool,
    pub data: T,
}

impl<T> Single<T> {
    pub fn new(data: T) -> Self {
        Single {
            success: true,
            data,
        }
    }
}

/// A v1 list page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List<T> {
    #[serde(default = "yes")]
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Sometimes a string (attendances, personio-api.md §2.1, confidence M).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<LooseInt>,
    /// Sometimes a string, and `0` in custom reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LooseInt>,
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// Paging figures of a v1 list. `current_page` is 0-based for employees and attendances,
/// 1-based for time-offs and hourly absences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub total_elements: u64,
    #[serde(default)]
    pub current_page: u64,
    #[serde(default)]
    pub total_pages: u64,
}

/// `{"message": "..."}`, the `data` of many v1 write responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub message: String,
}

/// An integer that Personio sometimes sends as a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LooseInt {
    Int(i64),
    Text(String),
}

impl LooseInt {
    /// The number, when there is one.
    pub fn value(&self) -> Option<i64> {
        match self {
            LooseInt::Int(n) => Some(*n),
            LooseInt::Text(s) => s.trim().parse().ok(),
        }
    }
}

impl From<i64> for LooseInt {
    fn from(n: i64) -> Self {
        LooseInt::Int(n)
    }
}

fn yes() -> bool {
    true
}
