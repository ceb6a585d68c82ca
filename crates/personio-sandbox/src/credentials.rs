//! API credentials as a Personio admin creates them (Settings > Integrations > API
//! credentials > custom integration), and the tokens issued for them.
//!
//! A credential has a name, an access level per area (none / read / write), a set of
//! readable employee attributes, a client id, and a secret kept only as a SHA-256 hash (it
//! is shown once, at creation). Tokens are `papi-` strings valid 24 h; asking again within
//! that time returns the same token, as Personio's "stable" tokens do (personio-api.md
//! §1.1–1.2). Revoking a credential, or regenerating its secret, ends its tokens at once.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use parking_lot::RwLock;
use personio_api::Scope;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a token lives (personio-api.md §1.1, `expires_in: 86400`).
pub const TOKEN_LIFETIME_SECS: i64 = 86_400;

/// An access area of a custom integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Employees,
    Attendances,
    Absences,
    CustomReports,
    OrgUnits,
    Documents,
    Compensations,
    Projects,
    Recruiting,
    Webhooks,
}

impl Area {
    pub const ALL: [Area; 10] = [
        Area::Employees,
        Area::Attendances,
        Area::Absences,
        Area::CustomReports,
        Area::OrgUnits,
        Area::Documents,
        Area::Compensations,
        Area::Projects,
        Area::Recruiting,
        Area::Webhooks,
    ];

    /// The label Personio's admin UI shows.
    pub fn label(self) -> &'static str {
        match self {
            Area::Employees => "Employees",
            Area::Attendances => "Attendances",
            Area::Absences => "Absences",
            Area::CustomReports => "Custom Reports",
            Area::OrgUnits => "Org Units",
            Area::Documents => "Documents",
            Area::Compensations => "Compensations",
            Area::Projects => "Projects",
            Area::Recruiting => "Recruiting",
            Area::Webhooks => "Webhooks",
        }
    }

    /// The key used in the admin API's JSON (`"custom_reports"`).
    pub fn key(self) -> &'static str {
        match self {
            Area::Employees => "employees",
            Area::Attendances => "attendances",
            Area::Absences => "absences",
            Area::CustomReports => "custom_reports",
            Area::OrgUnits => "org_units",
            Area::Documents => "documents",
            Area::Compensations => "compensations",
            Area::Projects => "projects",
            Area::Recruiting => "recruiting",
            Area::Webhooks => "webhooks",
        }
    }

    /// v2 scopes granted by read and by write access. Legacy strings such as
    /// `employees:read` also appear in real v2 tokens (personio-api.md §1.4, M).
    fn scopes(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Area::Employees => (
                &["personio:persons:read", "employees:read"],
                &["personio:persons:write", "employees:write"],
            ),
            Area::Attendances => (
                &["personio:attendances:read", "attendances:read"],
                &["personio:attendances:write", "attendances:write"],
            ),
            Area::Absences => (
                &["personio:absences:read", "absences:read"],
                &["personio:absences:write", "absences:write"],
            ),
            Area::CustomReports => (&["reports.custom:read", "personio:reports:read"], &[]),
            Area::OrgUnits => (
                &[
                    "personio:org-units:read",
                    "personio:legal-entities:read",
                    "personio:cost-centers:read",
                    "personio:workplaces:read",
                ],
                &[],
            ),
            Area::Documents => (
                &["personio:documents:read", "documents:read"],
                &["personio:documents:write", "documents:write"],
            ),
            Area::Compensations => (
                &["personio:compensations:read"],
                &["personio:compensations:write"],
            ),
            Area::Projects => (&["personio:projects:read"], &["personio:projects:write"]),
            Area::Recruiting => (
                &["personio:recruiting:read"],
                &["personio:recruiting:write"],
            ),
            Area::Webhooks => (&["personio:webhooks:read"], &["personio:webhooks:write"]),
        }
    }
}

/// Access to one area. Write includes read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    #[default]
    None,
    Read,
    Write,
}

/// Access per area; areas not named have none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessMap(pub std::collections::BTreeMap<Area, Access>);

impl AccessMap {
    /// Every area, read and write: what `--client-id/--client-secret` registers.
    pub fn everything() -> AccessMap {
        AccessMap(Area::ALL.into_iter().map(|a| (a, Access::Write)).collect())
    }

    pub fn get(&self, area: Area) -> Access {
        self.0.get(&area).copied().unwrap_or_default()
    }

    pub fn allows(&self, area: Area, need: Access) -> bool {
        self.get(area) >= need
    }

    /// The v2 scopes this access grants.
    pub fn scopes(&self) -> BTreeSet<Scope> {
        let mut scopes = BTreeSet::new();
        for (&area, &access) in &self.0 {
            let (read, write) = area.scopes();
            if access >= Access::Read {
                scopes.extend(read.iter().map(|s| scope(s)));
            }
            if access >= Access::Write {
                scopes.extend(write.iter().map(|s| scope(s)));
            }
        }
        scopes
    }
}

fn scope(text: &str) -> Scope {
    text.parse()
        .unwrap_or_else(|never: std::convert::Infallible| match never {})
}

/// Which employee attributes a credential may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadableAttributes {
    All,
    Only(BTreeSet<String>),
}

impl ReadableAttributes {
    pub fn allows(&self, key: &str) -> bool {
        match self {
            ReadableAttributes::All => true,
            ReadableAttributes::Only(keys) => keys.contains(key),
        }
    }
}

/// JSON form: `"all"` or a list of attribute keys.
impl Serialize for ReadableAttributes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ReadableAttributes::All => serializer.serialize_str("all"),
            ReadableAttributes::Only(keys) => keys.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ReadableAttributes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Word(String),
            Keys(BTreeSet<String>),
        }
        match Form::deserialize(deserializer)? {
            Form::Word(w) if w == "all" => Ok(ReadableAttributes::All),
            Form::Word(w) => Err(serde::de::Error::custom(format!(
                "readable_attributes must be \"all\" or a list of attribute keys, not {w:?}"
            ))),
            Form::Keys(keys) => Ok(ReadableAttributes::Only(keys)),
        }
    }
}

/// What an admin asks for when creating a credential.
#[derive(Clone, Deserialize)]
pub struct CredentialSpec {
    pub name: String,
    #[serde(default)]
    pub access: AccessMap,
    #[serde(default = "no_attributes")]
    pub readable_attributes: ReadableAttributes,
    /// Fixed id and secret, for `--client-id/--client-secret`; generated when absent.
    #[serde(skip)]
    pub client_id: Option<String>,
    #[serde(skip)]
    pub client_secret: Option<String>,
}

fn no_attributes() -> ReadableAttributes {
    ReadableAttributes::Only(BTreeSet::new())
}

impl fmt::Debug for CredentialSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialSpec")
            .field("name", &self.name)
            .field("access", &self.access)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A credential as the admin API lists it: never its secret.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialView {
    pub name: String,
    pub client_id: String,
    pub access: AccessMap,
    pub readable_attributes: ReadableAttributes,
    pub created_at: DateTime<Utc>,
}

/// Who is calling, as established from a token: read live from the credential, so a
/// revoked credential or a narrowed scope takes effect at once.
#[derive(Debug, Clone)]
pub struct Session {
    pub client_id: String,
    pub access: AccessMap,
    pub readable: Arc<ReadableAttributes>,
    /// The token's scopes, narrowed to what the credential grants now.
    pub scopes: BTreeSet<Scope>,
}

/// A token handed out by an auth endpoint.
#[derive(Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: i64,
    pub scopes: BTreeSet<Scope>,
}

/// Why a token request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// Unknown client id or wrong secret.
    BadCredentials,
    /// A requested scope the credential does not have (or an unknown string).
    ScopeNotGranted(String),
}

struct Credential {
    view: CredentialView,
    secret_hash: [u8; 32],
    readable: Arc<ReadableAttributes>,
    scopes: BTreeSet<Scope>,
}

struct TokenRecord {
    client_id: String,
    scopes: BTreeSet<Scope>,
    expires_at: DateTime<Utc>,
}

/// The static recruiting API key and the company id it goes with.
#[derive(Clone, PartialEq, Eq)]
pub struct RecruitingKey {
    pub token: String,
    pub company_id: i64,
}

impl fmt::Debug for RecruitingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecruitingKey")
            .field("company_id", &self.company_id)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Tables {
    credentials: HashMap<String, Credential>,
    tokens: HashMap<String, TokenRecord>,
    /// (client id, requested scope set) → the stable token for it.
    stable: HashMap<(String, String), String>,
    /// Every token ever issued, in order, expired and revoked ones included: what a leak
    /// audit searches for.
    issued: Vec<String>,
    /// Revoked credentials, oldest revocation first, for the admin pages' history.
    revoked: Vec<RevokedCredential>,
}

/// A credential that no longer works, and when it stopped.
#[derive(Debug, Clone)]
pub struct RevokedCredential {
    pub view: CredentialView,
    pub revoked_at: DateTime<Utc>,
}

/// Every credential and token of the sandbox.
#[derive(Default)]
pub struct Registry {
    tables: RwLock<Tables>,
    recruiting: RwLock<Option<RecruitingKey>>,
    /// What issued tokens start with; `None` for Personio's `papi-`.
    token_prefix: Option<String>,
}

impl Registry {
    /// A registry whose tokens start with `prefix` (`None`: `papi-`, as Personio's do).
    pub fn with_token_prefix(prefix: Option<&str>) -> Registry {
        Registry {
            token_prefix: prefix.map(str::to_owned),
            ..Registry::default()
        }
    }

    /// Registers a credential; returns its listing and its secret (the only time it is shown).
    pub fn create(
        &self,
        spec: CredentialSpec,
        now: DateTime<Utc>,
    ) -> Result<(CredentialView, String), String> {
        let name = spec.name.trim().to_owned();
        if name.is_empty() {
            return Err("name must not be empty".into());
        }
        let client_id = spec.client_id.unwrap_or_else(|| random_token("papi-", 32));
        if client_id.trim().is_empty() {
            return Err("client_id must not be empty".into());
        }
        let secret = spec
            .client_secret
            .unwrap_or_else(|| random_token("papi-", 48));
        let view = CredentialView {
            name,
            client_id: client_id.clone(),
            access: spec.access,
            readable_attributes: spec.readable_attributes,
            created_at: now,
        };
        let mut tables = self.tables.write();
        if tables.credentials.contains_key(&client_id) {
            return Err(format!(
                "a credential with client_id {client_id:?} exists already"
            ));
        }
        let credential = Credential {
            secret_hash: hash(&secret),
            readable: Arc::new(view.readable_attributes.clone()),
            scopes: view.access.scopes(),
            view: view.clone(),
        };
        tables.credentials.insert(client_id, credential);
        Ok((view, secret))
    }

    /// Every credential, oldest first, without secrets.
    pub fn list(&self) -> Vec<CredentialView> {
        let tables = self.tables.read();
        let mut views: Vec<_> = tables
            .credentials
            .values()
            .map(|c| c.view.clone())
            .collect();
        views.sort_by(|a, b| (a.created_at, &a.client_id).cmp(&(b.created_at, &b.client_id)));
        views
    }

    /// When a credential was created.
    pub fn created_at(&self, client_id: &str) -> Option<DateTime<Utc>> {
        self.tables
            .read()
            .credentials
            .get(client_id)
            .map(|c| c.view.created_at)
    }

    /// Deletes a credential and ends its tokens. False when it did not exist.
    pub fn revoke(&self, client_id: &str, now: DateTime<Utc>) -> bool {
        let mut tables = self.tables.write();
        let removed = tables.credentials.remove(client_id);
        forget_tokens(&mut tables, client_id);
        let existed = removed.is_some();
        if let Some(credential) = removed {
            tables.revoked.push(RevokedCredential {
                view: credential.view,
                revoked_at: now,
            });
        }
        existed
    }

    /// Revoked credentials, oldest revocation first (a client id can be reused by
    /// `--client-id`, so one may appear more than once).
    pub fn revoked(&self) -> Vec<RevokedCredential> {
        self.tables.read().revoked.clone()
    }

    /// Gives a credential a new secret and ends its tokens. `None` when it does not exist.
    pub fn regenerate_secret(&self, client_id: &str) -> Option<String> {
        let mut tables = self.tables.write();
        let secret = random_token("papi-", 48);
        tables.credentials.get_mut(client_id)?.secret_hash = hash(&secret);
        forget_tokens(&mut tables, client_id);
        Some(secret)
    }

    /// Issues (or returns the still-valid) token for a client id and secret. `scope` is the
    /// space-delimited list a v2 client asked for; `None` means every granted scope.
    pub fn issue(
        &self,
        client_id: &str,
        secret: &str,
        scope: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, AuthFailure> {
        let mut tables = self.tables.write();
        let credential = tables
            .credentials
            .get(client_id)
            .ok_or(AuthFailure::BadCredentials)?;
        if credential.secret_hash != hash(secret) {
            return Err(AuthFailure::BadCredentials);
        }
        let requested: Option<BTreeSet<Scope>> = scope
            .map(personio_api::scope::parse_scope_list)
            .filter(|list| !list.is_empty())
            .map(|list| list.into_iter().collect());
        let scopes = match requested {
            None => credential.scopes.clone(),
            Some(asked) => {
                if let Some(missing) = asked.iter().find(|s| !credential.scopes.contains(s)) {
                    return Err(AuthFailure::ScopeNotGranted(missing.to_string()));
                }
                asked
            }
        };
        let key = (client_id.to_owned(), scope_key(&scopes));
        if let Some(token) = tables.stable.get(&key)
            && let Some(record) = tables.tokens.get(token)
            && record.expires_at > now
        {
            let expires_in = (record.expires_at - now).num_seconds();
            return Ok(IssuedToken {
                token: token.clone(),
                expires_in,
                scopes,
            });
        }
        let token = random_token(self.token_prefix.as_deref().unwrap_or("papi-"), 40);
        let expires_at = now + Duration::seconds(TOKEN_LIFETIME_SECS);
        tables.tokens.retain(|_, r| r.expires_at > now);
        tables.tokens.insert(
            token.clone(),
            TokenRecord {
                client_id: client_id.to_owned(),
                scopes: scopes.clone(),
                expires_at,
            },
        );
        tables.stable.insert(key, token.clone());
        tables.issued.push(token.clone());
        Ok(IssuedToken {
            token,
            expires_in: TOKEN_LIFETIME_SECS,
            scopes,
        })
    }

    /// Every token issued so far, oldest first, whether still live or not.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.tables.read().issued.clone()
    }

    /// Ends one token. False when it was not a live token.
    pub fn revoke_token(&self, token: &str) -> bool {
        let mut tables = self.tables.write();
        let removed = tables.tokens.remove(token).is_some();
        tables.stable.retain(|_, t| t != token);
        removed
    }

    /// The session behind a bearer token, if the token is live and its credential exists.
    pub fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Option<Session> {
        let tables = self.tables.read();
        let record = tables.tokens.get(token).filter(|r| r.expires_at > now)?;
        let credential = tables.credentials.get(&record.client_id)?;
        Some(Session {
            client_id: record.client_id.clone(),
            access: credential.view.access.clone(),
            readable: credential.readable.clone(),
            scopes: record
                .scopes
                .intersection(&credential.scopes)
                .cloned()
                .collect(),
        })
    }

    pub fn set_recruiting(&self, key: RecruitingKey) {
        *self.recruiting.write() = Some(key);
    }

    pub fn recruiting(&self) -> Option<RecruitingKey> {
        self.recruiting.read().clone()
    }
}

fn forget_tokens(tables: &mut Tables, client_id: &str) {
    tables.tokens.retain(|_, r| r.client_id != client_id);
    tables.stable.retain(|(id, _), _| id != client_id);
}

fn scope_key(scopes: &BTreeSet<Scope>) -> String {
    scopes
        .iter()
        .map(Scope::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// `prefix` + `len` random alphanumerics from the OS-seeded thread generator.
pub fn random_token(prefix: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let mut token = String::with_capacity(prefix.len() + len);
    token.push_str(prefix);
    token.extend((0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char));
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry_with(access: AccessMap) -> (Registry, String, String) {
        let registry = Registry::default();
        let spec = CredentialSpec {
            name: "test".into(),
            access,
            readable_attributes: ReadableAttributes::All,
            client_id: None,
            client_secret: None,
        };
        let (view, secret) = registry.create(spec, Utc::now()).unwrap();
        (registry, view.client_id, secret)
    }

    #[test]
    fn the_same_credentials_get_the_same_token_until_revoked() {
        let (registry, id, secret) = registry_with(AccessMap::everything());
        let now = Utc::now();
        let first = registry.issue(&id, &secret, None, now).unwrap();
        let second = registry.issue(&id, &secret, None, now).unwrap();
        assert_eq!(first.token, second.token);
        assert!(first.token.starts_with("papi-"));
        assert!(registry.authenticate(&first.token, now).is_some());
        assert!(registry.revoke(&id, now));
        assert_eq!(registry.revoked().len(), 1);
        assert!(registry.authenticate(&first.token, now).is_none());
    }

    #[test]
    fn a_scope_outside_the_credential_is_refused() {
        let access = AccessMap([(Area::Employees, Access::Read)].into_iter().collect());
        let (registry, id, secret) = registry_with(access);
        let now = Utc::now();
        assert!(
            registry
                .issue(&id, &secret, Some("personio:persons:read"), now)
                .is_ok()
        );
        assert_eq!(
            registry
                .issue(&id, &secret, Some("personio:absences:read"), now)
                .err(),
            Some(AuthFailure::ScopeNotGranted(
                "personio:absences:read".into()
            ))
        );
        assert_eq!(
            registry.issue(&id, "wrong", None, now).err(),
            Some(AuthFailure::BadCredentials)
        );
    }

    #[test]
    fn regenerating_the_secret_ends_old_tokens_and_the_old_secret() {
        let (registry, id, secret) = registry_with(AccessMap::everything());
        let now = Utc::now();
        let token = registry.issue(&id, &secret, None, now).unwrap().token;
        let fresh = registry.regenerate_secret(&id).unwrap();
        assert!(registry.authenticate(&token, now).is_none());
        assert!(registry.issue(&id, &secret, None, now).is_err());
        assert!(registry.issue(&id, &fresh, None, now).is_ok());
    }

    #[test]
    fn write_access_includes_read_scopes() {
        let access = AccessMap([(Area::Absences, Access::Write)].into_iter().collect());
        let scopes = access.scopes();
        assert!(scopes.contains(&Scope::AbsencesRead) && scopes.contains(&Scope::AbsencesWrite));
        assert!(!scopes.contains(&Scope::PersonsRead));
    }
}
