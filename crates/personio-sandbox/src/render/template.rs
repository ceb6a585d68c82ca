//! v1 employees pre-rendered when the sandbox is built, in the view most callers have:
//! every attribute readable, no `attributes[]` projection.
//!
//! Only one part of that rendering depends on the request: the origin in the
//! `profile_picture` URL. A template keeps the bytes rendered without an origin and where
//! the origin goes, so the first time an employee is served (for any origin) costs a copy
//! instead of a full render (tens of microseconds each). Templates are made on all cores;
//! an employee changed since is rendered as usual.

use std::collections::HashMap;

use super::page::to_bytes;
use super::v1::{V1View, employee as render_employee};
use crate::company::{Company, Employee};
use crate::credentials::ReadableAttributes;

/// Above this many employees the templates cost more than the first requests they speed
/// up are worth: a few kilobytes each, and about 50 µs of CPU each to make (50,000 take
/// about 1.3 s on two cores).
const MAX_TEMPLATES: usize = 50_000;

struct Template {
    version: u64,
    structure: u64,
    bytes: Box<[u8]>,
    /// Where the origin goes: just inside the `profile_picture` value.
    origin_at: usize,
}

/// Templates by employee id.
#[derive(Default)]
pub(crate) struct Templates(HashMap<i64, Template>);

impl Templates {
    /// Templates of every employee of `company` (none for a very large company).
    pub(crate) fn build(company: &Company) -> Templates {
        if company.employees.len() > MAX_TEMPLATES {
            return Templates::default();
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = company.employees.len().div_ceil(threads).max(1);
        let parts: Vec<Vec<(i64, Template)>> = std::thread::scope(|s| {
            let workers: Vec<_> = company
                .employees
                .chunks(chunk)
                .map(|people| {
                    s.spawn(move || {
                        people
                            .iter()
                            .filter_map(|e| Some((e.id, template(company, e)?)))
                            .collect()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("rendering an employee does not panic"))
                .collect()
        });
        Templates(parts.into_iter().flatten().collect())
    }

    /// The employee as the all-attributes view renders it for `origin`, if their template
    /// is current and the origin needs no escaping.
    pub(crate) fn fill(&self, e: &Employee, structure: u64, origin: &str) -> Option<Vec<u8>> {
        let t = self.0.get(&e.id)?;
        let plain = origin
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        if t.version != e.version || t.structure != structure || !plain {
            return None;
        }
        let mut out = Vec::with_capacity(t.bytes.len() + origin.len());
        out.extend_from_slice(&t.bytes[..t.origin_at]);
        out.extend_from_slice(origin.as_bytes());
        out.extend_from_slice(&t.bytes[t.origin_at..]);
        Some(out)
    }
}

/// Whether a caller sees employees the way templates are made.
pub(crate) fn is_template_view(
    readable: &ReadableAttributes,
    projection: Option<&[String]>,
) -> bool {
    *readable == ReadableAttributes::All && projection.is_none()
}

fn template(company: &Company, e: &Employee) -> Option<Template> {
    let view = V1View {
        readable: &ReadableAttributes::All,
        projection: None,
        origin: "",
    };
    let bytes = to_bytes(&render_employee(company, e, &view));
    let marker = format!(
        "\"value\":\"/v1/company/employees/{}/profile-picture\"",
        e.id
    );
    let origin_at = std::str::from_utf8(&bytes).ok()?.find(&marker)? + "\"value\":\"".len();
    Some(Template {
        version: e.version,
        structure: company.structure_version,
        bytes: bytes.into(),
        origin_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::GenerateSpec;

    #[test]
    fn a_filled_template_is_the_rendered_employee() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let mut company = Company::generate(GenerateSpec {
            seed: 9,
            employees: 60,
            as_of,
        });
        let templates = Templates::build(&company);
        let origin = "http://127.0.0.1:8900";
        let view = V1View {
            readable: &ReadableAttributes::All,
            projection: None,
            origin,
        };
        for e in &company.employees {
            let filled = templates
                .fill(e, company.structure_version, origin)
                .unwrap();
            assert_eq!(filled, to_bytes(&render_employee(&company, e, &view)));
        }
        let first = company.employees[0].clone();
        assert!(
            templates
                .fill(&first, company.structure_version, "http://a\"b")
                .is_none()
        );
        company.employees[0].version += 1;
        assert!(
            templates
                .fill(&company.employees[0], company.structure_version, origin)
                .is_none(),
            "a changed employee is rendered afresh"
        );
    }
}
