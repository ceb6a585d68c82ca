//! Linking a company: check its credentials live against Personio (authenticate, probe every
//! area and attribute) and only then store them, encrypted. One implementation for every way
//! of asking: the `connect` command, quickstart and the service's Connect page.

use bridge_store::{Company, Filters, NewCompany, Store};
use personio_client::{Client, ClientConfig, RecruitingAuth};
use secrecy::SecretString;

use crate::doctor::{self, Report};

/// Personio's API address.
pub const PERSONIO_BASE_URL: &str = "https://api.personio.de";

/// The statuses a status filter may name.
pub const STATUSES: &[&str] = &["active", "onboarding", "leave", "inactive"];

/// What linking needs, however it was asked for.
pub struct Link {
    pub company: String,
    pub base_url: url::Url,
    pub client_id: String,
    pub client_secret: SecretString,
    pub recruiting: Option<(SecretString, i64)>,
    pub filters: Filters,
    /// Replace the credentials of a company that is linked already.
    pub replace: bool,
}

/// Why a link was not made. Messages name the field as a person would (no flag syntax).
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("company name {0:?}: use 1 to 64 letters, digits, '-' or '_'")]
    BadName(String),
    #[error("base URL {0:?} must be an http(s) address such as {PERSONIO_BASE_URL}")]
    BadBaseUrl(String),
    #[error("status {0:?} is not one of active, onboarding, leave, inactive")]
    BadStatus(String),
    #[error("the client id is empty")]
    NoClientId,
    #[error(
        "company id {0:?} must be Personio's numeric company id (needed with a recruiting token)"
    )]
    BadRecruiting(String),
    #[error("a company named {0} is connected already")]
    AlreadyConnected(String),
    /// Personio (or what answered at the base URL) refused or could not be reached.
    #[error("could not connect to {base_url}: {source}")]
    Refused {
        base_url: String,
        #[source]
        source: Box<crate::Error>,
    },
    /// Personio's recruiting API refused the recruiting token or company id (401), or the
    /// company lacks recruiting or its API (403).
    #[error("Personio refused the recruiting token or company id: {reason}")]
    RecruitingRefused { reason: String },
    /// The recruiting API could not be asked (unreachable, server errors, rate limited):
    /// nothing is known about the token yet.
    #[error("could not check the recruiting token with Personio: {source}")]
    RecruitingUnavailable {
        #[source]
        source: Box<personio_client::Error>,
    },
    #[error(transparent)]
    Client(Box<personio_client::Error>),
    #[error(transparent)]
    Store(#[from] bridge_store::Error),
}

impl LinkError {
    /// What to do about it, when there is something specific to say.
    pub fn hint(&self) -> Option<&'static str> {
        use personio_client::Error as E;
        let source = match self {
            LinkError::Refused { source, .. } => source,
            LinkError::RecruitingRefused { .. } => {
                return Some(
                    "copy the Recruiting API key and \"Your company ID\" again from Personio (Settings > Integrations > API credentials); the company needs Recruiting with its API enabled",
                );
            }
            LinkError::RecruitingUnavailable { .. } => {
                return Some(
                    "Personio's recruiting API did not answer properly; try again in a minute, or link without the recruiting token",
                );
            }
            _ => return None,
        };
        match source.as_ref() {
            crate::Error::Personio(E::Unreachable { .. }) => Some(
                "check the base URL (Personio's is https://api.personio.de) and that this machine can reach it",
            ),
            crate::Error::Personio(E::NotPersonio { .. }) => Some(
                "that address answers, but not like Personio's API; Personio's is https://api.personio.de",
            ),
            crate::Error::Personio(E::BadCredentials { .. }) => Some(
                "copy the client id and secret again from Personio (Settings > Integrations > API credentials); a regenerated secret replaces the old one",
            ),
            _ => None,
        }
    }
}

impl From<personio_client::Error> for LinkError {
    fn from(error: personio_client::Error) -> LinkError {
        LinkError::Client(Box::new(error))
    }
}

/// Checks a company name: 1 to 64 letters, digits, `-` or `_` (it appears in URLs and files).
pub fn validate_name(name: &str) -> Result<(), LinkError> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(LinkError::BadName(name.to_owned()));
    }
    Ok(())
}

/// Lower-cases statuses and refuses unknown ones.
pub fn normalize_statuses(statuses: &[String]) -> Result<Vec<String>, LinkError> {
    statuses
        .iter()
        .map(|s| {
            let lower = s.trim().to_ascii_lowercase();
            if STATUSES.contains(&lower.as_str()) {
                Ok(lower)
            } else {
                Err(LinkError::BadStatus(s.clone()))
            }
        })
        .collect()
}

/// `https://api.personio.de` (a trailing `/v1` or `/v2` is dropped: the client adds those).
pub fn parse_base_url(text: &str) -> Result<url::Url, LinkError> {
    let trimmed = text.trim().trim_end_matches('/');
    let trimmed = trimmed
        .strip_suffix("/v1")
        .or_else(|| trimmed.strip_suffix("/v2"))
        .unwrap_or(trimmed);
    let url = url::Url::parse(trimmed).map_err(|_| LinkError::BadBaseUrl(text.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(LinkError::BadBaseUrl(text.to_owned()));
    }
    Ok(url)
}

/// A Personio client for these credentials.
pub fn build_client(
    base_url: url::Url,
    client_id: String,
    client_secret: SecretString,
    recruiting: Option<(SecretString, i64)>,
) -> Result<Client, personio_client::Error> {
    let mut config = ClientConfig::new(base_url, client_id, client_secret);
    config.recruiting = recruiting.map(|(token, company_id)| RecruitingAuth { token, company_id });
    config.app_id = Some("PERSONIO_BRIDGE".into());
    Client::new(config)
}

/// A Personio client with `company`'s stored credentials.
pub async fn client_for(store: &Store, company: &Company) -> Result<Client, LinkError> {
    let credentials = store.credentials(company).await?;
    let base_url = parse_base_url(&company.base_url)?;
    Ok(build_client(
        base_url,
        credentials.client_id,
        credentials.client_secret,
        credentials.recruiting,
    )?)
}

/// Checks the credentials against Personio, and only then stores the company.
pub async fn connect(store: &Store, link: Link) -> Result<(Company, Report), LinkError> {
    let existing = admissible(store, &link).await?;
    let report = diagnose(&link).await?;
    let company = store_link(store, link, &report, existing.is_some()).await?;
    Ok((company, report))
}

/// Stores a link whose credential was checked already ([`diagnose`] gave `report`), so that
/// a caller that looked at the report first does not ask Personio twice.
pub async fn save(store: &Store, link: Link, report: &Report) -> Result<Company, LinkError> {
    let existing = admissible(store, &link).await?;
    store_link(store, link, report, existing.is_some()).await
}

/// The company the link replaces, if any, once the link may be made at all.
async fn admissible(store: &Store, link: &Link) -> Result<Option<Company>, LinkError> {
    validate_name(&link.company)?;
    if link.client_id.trim().is_empty() {
        return Err(LinkError::NoClientId);
    }
    let existing = store.find_company(&link.company).await?;
    if existing.is_some() && !link.replace {
        return Err(LinkError::AlreadyConnected(link.company.clone()));
    }
    Ok(existing)
}

async fn store_link(
    store: &Store,
    link: Link,
    report: &Report,
    replaces: bool,
) -> Result<Company, LinkError> {
    let new = NewCompany {
        name: link.company,
        base_url: link.base_url.as_str().trim_end_matches('/').to_owned(),
        client_id: link.client_id,
        client_secret: link.client_secret,
        recruiting: link.recruiting,
        filters: link.filters,
        granted: serde_json::to_value(report).unwrap_or_default(),
    };
    let now = chrono::Utc::now();
    Ok(if replaces {
        store.reconnect_company(new, now).await?
    } else {
        store.add_company(new, now).await?
    })
}

/// The doctor's report for a link's credentials, without storing anything.
pub async fn diagnose(link: &Link) -> Result<Report, LinkError> {
    let client = build_client(
        link.base_url.clone(),
        link.client_id.clone(),
        link.client_secret.clone(),
        link.recruiting.clone(),
    )?;
    let report = doctor::diagnose(&client)
        .await
        .map_err(|source| LinkError::Refused {
            base_url: link.base_url.to_string(),
            source: Box::new(source),
        })?;
    if link.recruiting.is_some() {
        check_recruiting(&client).await?;
    }
    Ok(report)
}

/// Where the recruiting check asks (the v1 recruiting API's only kind of request is a write).
pub const RECRUITING_CHECK_PATH: &str = "/v1/recruiting/applications";

/// Proves the client's recruiting token and company id without creating anything.
///
/// Personio's recruiting API v1 has no read endpoint (personio-api.md §4.5), so the check
/// posts an application with no fields: the token and `X-Company-ID` are checked first
/// (401 when either is not recognised, 403 when the company lacks recruiting or its API,
/// §1.5), and an accepted token gets a 400 listing the required fields, and no application.
/// That Personio authenticates before it validates is how every API we know of behaves and
/// what the documented 401 implies; the order itself is not documented.
pub async fn check_recruiting(client: &Client) -> Result<(), LinkError> {
    use personio_client::Error as E;
    let empty = serde_json::json!({});
    match client
        .post_json::<serde_json::Value>(RECRUITING_CHECK_PATH, &empty)
        .await
    {
        // A validation error: the token and company id were accepted. (A 2xx cannot happen
        // for an application without its required fields; it would prove them too.)
        Ok(_) => Ok(()),
        Err(E::Api { status, .. }) if matches!(status.as_u16(), 400 | 422) => Ok(()),
        Err(E::BadCredentials { detail }) => Err(LinkError::RecruitingRefused { reason: detail }),
        // Personio names the feature (`feature.recruiting.disabled`,
        // `feature.public-api.disabled`) in a body the client does not keep apart.
        Err(E::Api { status, .. }) if status.as_u16() == 403 => Err(LinkError::RecruitingRefused {
            reason: "the company lacks Recruiting or its API (Personio answered 403)".into(),
        }),
        Err(other) => Err(LinkError::RecruitingUnavailable {
            source: Box::new(other),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_a_version_suffix_and_must_be_http() {
        assert_eq!(
            parse_base_url("https://api.personio.de/v1/")
                .unwrap()
                .as_str(),
            "https://api.personio.de/"
        );
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("not a url").is_err());
    }

    #[test]
    fn names_and_statuses_are_checked() {
        assert!(validate_name("acme-1").is_ok());
        assert!(validate_name("acme corp").is_err());
        assert!(validate_name("").is_err());
        assert_eq!(
            normalize_statuses(&["Active".into()]).unwrap(),
            vec!["active"]
        );
        assert!(normalize_statuses(&["retired".into()]).is_err());
    }
}
