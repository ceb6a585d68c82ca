//! Who calls the tools: an API key (HTTP) or the operator running the stdio server, with the
//! scopes and companies that decide which tools they see and which companies they reach.

use bridge_store::{ApiKey, Scope};

/// The caller of a tool, as the transport established it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The API key's id and name; `None` for the operator running the stdio server.
    key: Option<(i64, String)>,
    scopes: Vec<Scope>,
    /// The companies reached; empty: every company.
    companies: Vec<String>,
}

impl Caller {
    /// The operator running `personio-bridge mcp --company C`: company `C` only, with
    /// `scopes`.
    pub fn local(company: &str, scopes: Vec<Scope>) -> Caller {
        Caller {
            key: None,
            scopes,
            companies: vec![company.to_owned()],
        }
    }

    /// The holder of an API key the service has checked.
    pub fn for_key(key: &ApiKey) -> Caller {
        Caller {
            key: Some((key.id, key.name.clone())),
            scopes: key.scopes.clone(),
            companies: key.companies.clone(),
        }
    }

    /// Whether the caller may do what `scope` stands for (`admin` may do everything).
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }

    /// Whether the caller reaches company `name`.
    pub fn reaches(&self, name: &str) -> bool {
        self.companies.is_empty() || self.companies.iter().any(|c| c == name)
    }

    /// The one company the caller is limited to, if it is limited to one.
    pub fn only_company(&self) -> Option<&str> {
        match self.companies.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The key's id and name for logs (`local` for the stdio operator); never the key.
    pub(crate) fn key_id(&self) -> Option<i64> {
        self.key.as_ref().map(|(id, _)| *id)
    }

    /// Who this is in the audit log: `mcp:<key name>`, `mcp:local` for the stdio operator.
    pub(crate) fn actor(&self) -> String {
        format!("mcp:{}", self.key_name())
    }

    pub(crate) fn key_name(&self) -> &str {
        self.key
            .as_ref()
            .map(|(_, name)| name.as_str())
            .unwrap_or("local")
    }
}
