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

#[cfg(test)]
mod tests {
    use bridge_store::{LinkAccess, LinkSession};
    use bridge_sync::doctor::{AreaCheck, AttributeCheck, Report};
    use chrono::Utc;

    use super::{Gap, Needs};

    fn session(resources: &[&str], access: LinkAccess) -> LinkSession {
        LinkSession {
            id: "ls_1".into(),
            company: "acme".into(),
            base_url: "https://api.personio.de".into(),
            display_name: None,
            redirect_url: "https://vendor.example".into(),
            state: None,
            resources: resources.iter().map(|r| (*r).to_owned()).collect(),
            access,
            csrf: "x".into(),
            created_by: None,
            created_at: Utc::now(),
            expires_at: Utc::now(),
            linked_at: None,
            failed_attempts: 0,
        }
    }

    fn area(area: &'static str, read: bool, write: bool) -> AreaCheck {
        AreaCheck {
            area,
            read,
            write,
            used_for: "",
            needed: true,
            fix: None,
        }
    }

    #[test]
    fn areas_follow_the_resources_and_writing_asks_for_read_and_write() {
        let needs = Needs::of(&session(
            &[
                "org_units",
                "cost_centers",
                "absences",
                "balances",
                "recruiting",
            ],
            LinkAccess::Write,
        ));
        assert_eq!(
            needs.areas,
            vec![
                ("Org Units", false),
                ("Absences", true),
                ("Recruiting", true)
            ]
        );
        assert!(!needs.attributes && needs.recruiting);
        let report = Report {
            areas: vec![
                area("Org Units", true, false),
                area("Absences", true, false),
                area("Recruiting", true, true),
            ],
            attributes: vec![],
            custom_attributes: vec![],
            ok: true,
        };
        assert_eq!(
            needs.gaps(&report),
            vec![Gap::Area {
                area: "Absences",
                write: true
            }]
        );
    }

    #[test]
    fn attributes_count_only_when_employees_are_read() {
        let unreadable = AttributeCheck {
            key: "email",
            label: "Email",
            readable: false,
            fix: None,
        };
        let report = Report {
            areas: vec![
                area("Employees", true, false),
                area("Attendances", true, false),
            ],
            attributes: vec![unreadable],
            custom_attributes: vec![],
            ok: false,
        };
        let without = Needs::of(&session(&["attendances"], LinkAccess::Read));
        assert!(without.gaps(&report).is_empty());
        let with = Needs::of(&session(&["employees", "attendances"], LinkAccess::Read));
        assert_eq!(
            with.gaps(&report),
            vec![Gap::Attribute {
                key: "email",
                label: "Email"
            }]
        );
    }
}
