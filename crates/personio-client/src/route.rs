//! What a request path means to Personio: which API family answers it (and so which token it
//! needs and how its errors look), whether it is a beta endpoint, and which v2 scope it needs.

use personio_api::Scope;
use reqwest::Method;

/// The API family of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `POST /v1/auth`.
    V1Auth,
    /// `POST /v2/auth/token`, `/v2/auth/revoke`.
    V2Auth,
    /// `/v1/company/...`: the v1 token.
    V1,
    /// `/v2/...`: the v2 token (recruiting v2 included).
    V2,
    /// `/v1/recruiting/...`: the static recruiting token and `X-Company-ID`.
    Recruiting,
    /// Anything else: sent without credentials.
    Other,
}

impl Family {
    pub(crate) fn of(path: &str) -> Family {
        if path == "/v1/auth" {
            Family::V1Auth
        } else if path.starts_with("/v2/auth/") {
            Family::V2Auth
        } else if path.starts_with("/v1/recruiting/") {
            Family::Recruiting
        } else if path.starts_with("/v1/") {
            Family::V1
        } else if path.starts_with("/v2/") {
            Family::V2
        } else {
            Family::Other
        }
    }
}

/// Beta endpoints answer 404 unless the request opts in with `Beta: true` (recruiting v2,
/// cost centers, workplaces, org units: personio-api.md §1.6, §3.5; findings #2, #3).
pub(crate) fn is_beta(path: &str) -> bool {
    const BETA: [&str; 4] = [
        "/v2/recruiting/",
        "/v2/cost-centers",
        "/v2/workplaces",
        "/v2/org-units",
    ];
    BETA.iter().any(|prefix| path.starts_with(prefix))
}

/// The v2 scope a request needs, where Personio names one (personio-api.md §1.4; the names
/// marked "our choice" in `personio_api::Scope` are guesses there too).
pub(crate) fn scope_for(method: &Method, path: &str) -> Option<Scope> {
    let write = method != Method::GET && method != Method::HEAD;
    let pick = |read: Scope, write_scope: Option<Scope>| {
        if write { write_scope } else { Some(read) }
    };
    let section = path.strip_prefix("/v2/")?.split('/').next()?;
    match section {
        "persons" => pick(Scope::PersonsRead, Some(Scope::PersonsWrite)),
        "attendance-periods" => pick(Scope::AttendancesRead, Some(Scope::AttendancesWrite)),
        "absence-periods" | "absence-types" => {
            pick(Scope::AbsencesRead, Some(Scope::AbsencesWrite))
        }
        "compensations" => pick(Scope::CompensationsRead, Some(Scope::CompensationsWrite)),
        "recruiting" => pick(Scope::RecruitingRead, Some(Scope::RecruitingWrite)),
        "webhooks" => pick(Scope::WebhooksRead, Some(Scope::WebhooksWrite)),
        "org-units" => pick(Scope::OrgUnitsRead, None),
        "legal-entities" => pick(Scope::LegalEntitiesRead, None),
        "cost-centers" => pick(Scope::CostCentersRead, None),
        "workplaces" => pick(Scope::WorkplacesRead, None),
        "document-management" => pick(Scope::DocumentsRead, Some(Scope::DocumentsWrite)),
        "projects" => pick(Scope::ProjectsRead, Some(Scope::ProjectsWrite)),
        "reports" => pick(Scope::ReportsRead, None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_their_family() {
        assert_eq!(Family::of("/v1/auth"), Family::V1Auth);
        assert_eq!(Family::of("/v2/auth/token"), Family::V2Auth);
        assert_eq!(Family::of("/v1/company/employees"), Family::V1);
        assert_eq!(
            Family::of("/v1/recruiting/applications"),
            Family::Recruiting
        );
        assert_eq!(Family::of("/v2/recruiting/jobs"), Family::V2);
        assert_eq!(Family::of("/v2/persons"), Family::V2);
        assert_eq!(Family::of("/_sandbox/company"), Family::Other);
    }

    #[test]
    fn beta_endpoints_are_known() {
        assert!(is_beta("/v2/recruiting/candidates"));
        assert!(is_beta("/v2/cost-centers"));
        assert!(!is_beta("/v2/persons"));
    }

    #[test]
    fn scopes_follow_the_section_and_the_method() {
        assert_eq!(
            scope_for(&Method::GET, "/v2/persons/1/employments"),
            Some(Scope::PersonsRead)
        );
        assert_eq!(
            scope_for(&Method::PATCH, "/v2/persons/1"),
            Some(Scope::PersonsWrite)
        );
        assert_eq!(
            scope_for(&Method::GET, "/v2/legal-entities"),
            Some(Scope::LegalEntitiesRead)
        );
        assert_eq!(scope_for(&Method::GET, "/v1/company/employees"), None);
    }
}
