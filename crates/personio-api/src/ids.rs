//! Identifier newtypes that cross crate boundaries.
//!
//! A v1 employee id is an integer; the v2 person id is the same number written as a string
//! (personio-api.md §5.2, confidence M). `EmployeeId` is the one type for both.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Personio's employee id: the v1 `id` attribute and the v2 person `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmployeeId(pub i64);

impl fmt::Display for EmployeeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for EmployeeId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(EmployeeId)
    }
}
