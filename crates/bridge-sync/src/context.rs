//! What mappers need to know about the run: whose data, which filters, which people are in
//! scope, and names of org units for APIs that only give ids.

use std::collections::{HashMap, HashSet};

use bridge_store::Filters;

/// Shared, read-only facts of one run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    pub filters: Filters,
    /// Employees inside the filters (`None`: no filters, everyone is in scope).
    pub scope: Option<HashSet<i64>>,
    /// Names by id, for v2 employments (which carry ids only, personio-api.md §6 #11).
    pub org_names: HashMap<i64, String>,
    pub legal_entity_names: HashMap<i64, String>,
    pub office_names: HashMap<i64, String>,
    pub cost_center_names: HashMap<i64, String>,
}

impl Context {
    /// Whether an employee's records belong in the store (everyone, without filters).
    pub(crate) fn in_scope(&self, employee: i64) -> bool {
        self.scope.as_ref().is_none_or(|s| s.contains(&employee))
    }
}
