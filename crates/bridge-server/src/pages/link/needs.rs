//! What a link session needs of the credential, from its resources and access, and what a
//! doctor's report says is still missing.

use bridge_store::{LinkAccess, LinkSession};
use bridge_sync::doctor::{ATTRIBUTES, Report};

/// The credential a session asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Needs {
    /// Doctor area names, each with whether it must also write.
    pub(crate) areas: Vec<(&'static str, bool)>,
    /// Whether employees are read (so their attributes must be readable).
    pub(crate) attributes: bool,
    /// Whether the recruiting access token and company ID are asked for.
    pub(crate) recruiting: bool,
}

/// One thing to change in Personio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Gap {
    Area {
        area: &'static str,
        write: bool,
    },
    Attribute {
        key: &'static str,
        label: &'static str,
    },
}

/// The doctor's access area a resource is read with.
fn area_of(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "employees" | "custom_reports" => "Employees",
        "org_units" | "legal_entities" | "workplaces" | "cost_centers" => "Org Units",
        "absence_types" | "absences" | "balances" => "Absences",
        "attendances" => "Attendances",
        "projects" => "Projects",
        "compensations" => "Compensations",
        "documents" => "Documents",
        "recruiting" => "Recruiting",
        _ => return None,
    })
}

/// Areas with nothing to write in Personio (no write scope exists for them).
const READ_ONLY_AREAS: &[&str] = &["Org Units"];

impl Needs {
    pub(crate) fn of(session: &LinkSession) -> Needs {
        let write = session.access == LinkAccess::Write;
        let mut areas: Vec<(&'static str, bool)> = Vec::new();
        for area in session.resources.iter().filter_map(|r| area_of(r)) {
            if !areas.iter().any(|(a, _)| *a == area) {
                areas.push((area, write && !READ_ONLY_AREAS.contains(&area)));
            }
        }
        Needs {
            areas,
            attributes: session.resources.iter().any(|r| r == "employees"),
            recruiting: session.resources.iter().any(|r| r == "recruiting"),
        }
    }

    /// The employee attributes to tick (key, Personio's English label).
    pub(crate) fn attribute_list(&self) -> &'static [(&'static str, &'static str)] {
        if self.attributes { ATTRIBUTES } else { &[] }
    }

    /// What the report says is still missing, in the order the page lists the steps.
    pub(crate) fn gaps(&self, report: &Report) -> Vec<Gap> {
        let mut gaps = Vec::new();
        for (area, write) in &self.areas {
            let check = report.areas.iter().find(|a| a.area == *area);
            let enough = check.is_some_and(|c| c.read && (!write || c.write));
            if !enough {
                gaps.push(Gap::Area {
                    area,
                    write: *write,
                });
            }
        }
        if self.attributes {
            for attribute in report.attributes.iter().filter(|a| !a.readable) {
                gaps.push(Gap::Attribute {
                    key: attribute.key,
                    label: attribute.label,
                });
            }
        }
        gaps
    }
}
