//! v2 OAuth scopes, as the strings Personio uses.
//!
//! Names marked `[H]`/`[M]` below are documented or seen in live clients; the others are our
//! choice where Personio does not publish one (personio-api.md §1.4, "UNCONFIRMED").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! scopes {
    ($( $(#[$doc:meta])* $variant:ident => $text:literal, )*) => {
        /// One v2 scope. Unknown strings are kept as [`Scope::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Scope {
            $( $(#[$doc])* $variant, )*
            /// A scope string this crate does not know.
            Other(String),
        }

        impl Scope {
            /// Every scope this crate knows, in declaration order.
            pub const KNOWN: &'static [Scope] = &[$(Scope::$variant,)*];

            /// The string Personio uses for this scope.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Scope::$variant => $text, )*
                    Scope::Other(s) => s,
                }
            }
        }

        impl FromStr for Scope {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $text => Scope::$variant, )*
                    other => Scope::Other(other.to_owned()),
                })
            }
        }
    };
}

scopes! {
    /// `[H]` read persons and employments.
    PersonsRead => "personio:persons:read",
    /// `[H]` create and update persons and employments.
    PersonsWrite => "personio:persons:write",
    /// `[M]` read v2 attendance periods.
    AttendancesRead => "personio:attendances:read",
    /// `[M]` write v2 attendance periods.
    AttendancesWrite => "personio:attendances:write",
    /// `[H]` read v2 absence periods and types.
    AbsencesRead => "personio:absences:read",
    /// `[L]` write v2 absence periods.
    AbsencesWrite => "personio:absences:write",
    /// `[H]` read compensations.
    CompensationsRead => "personio:compensations:read",
    /// `[H]` create compensations (Personio also requires the read scope).
    CompensationsWrite => "personio:compensations:write",
    /// `[H]` read v2 recruiting (beta).
    RecruitingRead => "personio:recruiting:read",
    /// `[L]` write recruiting.
    RecruitingWrite => "personio:recruiting:write",
    /// `[H]` read webhooks.
    WebhooksRead => "personio:webhooks:read",
    /// `[H]` manage webhooks.
    WebhooksWrite => "personio:webhooks:write",
    /// `[M]` read org units (Personio's own UI lists the domain as read-only).
    OrgUnitsRead => "personio:org-units:read",
    /// `[M]` read legal entities.
    LegalEntitiesRead => "personio:legal-entities:read",
    /// `[L]` read cost centers (named by one live-tested client).
    CostCentersRead => "personio:cost-centers:read",
    /// Our choice: read workplaces (name unpublished).
    WorkplacesRead => "personio:workplaces:read",
    /// Our choice: v2 document management (name unpublished).
    DocumentsRead => "personio:documents:read",
    /// Our choice: v2 document management writes (name unpublished).
    DocumentsWrite => "personio:documents:write",
    /// Our choice: v2 projects (name unpublished).
    ProjectsRead => "personio:projects:read",
    /// Our choice: v2 projects writes (name unpublished).
    ProjectsWrite => "personio:projects:write",
    /// Our choice: v2 reports (name unpublished).
    ReportsRead => "personio:reports:read",
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(s.parse()
            .unwrap_or_else(|never: std::convert::Infallible| match never {}))
    }
}

/// Splits a space-delimited OAuth `scope` string.
pub fn parse_scope_list(s: &str) -> Vec<Scope> {
    s.split_ascii_whitespace()
        .map(|part| Scope::from_str(part).unwrap_or_else(|never| match never {}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_scopes_round_trip_through_their_strings() {
        for scope in Scope::KNOWN {
            assert_eq!(&scope.as_str().parse::<Scope>().unwrap(), scope);
        }
    }

    #[test]
    fn unknown_scopes_are_kept_verbatim() {
        let list = parse_scope_list("employees:read  personio:persons:read");
        assert_eq!(
            list,
            vec![Scope::Other("employees:read".into()), Scope::PersonsRead]
        );
    }
}
