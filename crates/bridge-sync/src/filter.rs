//! A company's filters (legal entity, status, office, department), applied to employees.
//! Personio offers no server-side filter for these on the lists we read (v2 persons even
//! rejects `legal_entity.id`, personio-api.md §3.3 DISC), so they are applied here; records of
//! people outside the filters are not stored, and stored ones that leave are marked.

use bridge_store::Filters;

/// What the filters look at, for one employee. Ids as text, names as Personio spells them.
#[derive(Debug, Clone, Default)]
pub struct EmployeeFacts {
    pub status: Option<String>,
    pub legal_entity: (Option<String>, Option<String>),
    pub office: (Option<String>, Option<String>),
    pub department: (Option<String>, Option<String>),
}

/// Whether an employee is inside the filters. A list matches an id or a name, ignoring case.
pub(crate) fn keeps(filters: &Filters, facts: &EmployeeFacts) -> bool {
    fn matches(wanted: &[String], (id, name): &(Option<String>, Option<String>)) -> bool {
        wanted.is_empty()
            || wanted.iter().any(|w| {
                id.as_deref().is_some_and(|id| id == w.trim())
                    || name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(w.trim()))
            })
    }
    let status_ok = filters.statuses.is_empty()
        || facts
            .status
            .as_deref()
            .is_some_and(|s| filters.statuses.iter().any(|w| w.eq_ignore_ascii_case(s)));
    status_ok
        && matches(&filters.legal_entities, &facts.legal_entity)
        && matches(&filters.offices, &facts.office)
        && matches(&filters.departments, &facts.department)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_ids_or_names_and_empty_lists_match_all() {
        let facts = EmployeeFacts {
            status: Some("active".into()),
            legal_entity: (Some("7".into()), Some("Acme GmbH".into())),
            office: (Some("13".into()), Some("Munich".into())),
            department: (None, None),
        };
        assert!(keeps(&Filters::default(), &facts));
        let by_name = Filters {
            offices: vec!["munich".into()],
            statuses: vec!["ACTIVE".into()],
            ..Default::default()
        };
        assert!(keeps(&by_name, &facts));
        let by_id = Filters {
            legal_entities: vec!["7".into()],
            ..Default::default()
        };
        assert!(keeps(&by_id, &facts));
        let other = Filters {
            departments: vec!["Sales".into()],
            ..Default::default()
        };
        assert!(
            !keeps(&other, &facts),
            "no department cannot match a department filter"
        );
        let leavers = Filters {
            statuses: vec!["inactive".into()],
            ..Default::default()
        };
        assert!(!keeps(&leavers, &facts));
    }
}
