//! How a [`Client`](crate::Client) is set up: where Personio is, the credentials, and how
//! patiently to talk to it. Secrets are `SecretString`s, so `Debug` shows `[REDACTED]`.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::error::Error;
use crate::retry::RetryPolicy;

/// Personio's API host (personio-api.md §0).
pub const DEFAULT_BASE_URL: &str = "https://api.personio.de";

/// Everything a [`Client`](crate::Client) needs. Build it with [`ClientConfig::new`] and change
/// the fields that differ from the defaults.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Where Personio is, e.g. `https://api.personio.de`, without a path.
    pub base_url: Url,
    /// The API credential's client id (v1 and v2 use the same pair).
    pub client_id: String,
    /// The API credential's client secret.
    pub client_secret: SecretString,
    /// The recruiting API's static token and company id, for `/v1/recruiting/...`.
    pub recruiting: Option<RecruitingAuth>,
    /// The most one attempt may take, body included (default 30 s).
    pub request_timeout: Duration,
    /// Attempts per request in total, the first included (default 6).
    pub max_attempts: u32,
    /// First wait between attempts; it doubles each time (default 500 ms).
    pub backoff_base: Duration,
    /// The longest wait between attempts we choose ourselves (default 30 s).
    pub backoff_max: Duration,
    /// The least wait after a 429 that names none (default 1 s, as Personio asks).
    pub rate_limit_wait: Duration,
    /// A `Retry-After` longer than this fails the request instead of stalling it (default
    /// 120 s).
    pub max_retry_wait: Duration,
    /// Requests in flight at once, at most (default 4).
    pub max_concurrency: usize,
    /// `X-Personio-App-ID`, UPPER_SNAKE_CASE, sent when set (personio-api.md §1.6).
    pub app_id: Option<String>,
    /// `X-Personio-Partner-ID`, UPPER_SNAKE_CASE, sent when set.
    pub partner_id: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: String,
}

/// The recruiting API's credential: a static token and the company id sent as
/// `X-Company-ID` (personio-api.md §1.5).
#[derive(Debug, Clone)]
pub struct RecruitingAuth {
    /// The "Recruiting API Key" shown on the credentials screen.
    pub token: SecretString,
    /// "Your company ID" from the same screen.
    pub company_id: i64,
}

impl ClientConfig {
    /// A configuration with the defaults for everything but where and who.
    pub fn new(base_url: Url, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        ClientConfig {
            base_url,
            client_id: client_id.into(),
            client_secret,
            recruiting: None,
            request_timeout: Duration::from_secs(30),
            max_attempts: 6,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            rate_limit_wait: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(120),
            max_concurrency: 4,
            app_id: None,
            partner_id: None,
            user_agent: concat!("personio-client/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Checks what cannot work before any request is made.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let url = &self.base_url;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::Config(format!(
                "base URL {url} must be an http(s) URL with a host"
            )));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Config(format!(
                "base URL {url} must not have a path, query or fragment (Personio's paths start at the host)"
            )));
        }
        if self.client_id.trim().is_empty() {
            return Err(Error::Config("client id is empty".into()));
        }
        if self.max_attempts == 0 {
            return Err(Error::Config("max_attempts must be at least 1".into()));
        }
        if self.max_concurrency == 0 {
            return Err(Error::Config("max_concurrency must be at least 1".into()));
        }
        if self.request_timeout.is_zero() {
            return Err(Error::Config("request_timeout must be above zero".into()));
        }
        for (name, value) in [("app id", &self.app_id), ("partner id", &self.partner_id)] {
            if let Some(value) = value
                && !is_upper_snake_case(value)
            {
                return Err(Error::Config(format!(
                    "{name} {value:?} must be UPPER_SNAKE_CASE, e.g. MY_APPLICATION"
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts,
            backoff_base: self.backoff_base,
            backoff_max: self.backoff_max.max(self.backoff_base),
            rate_limit_wait: self.rate_limit_wait,
            max_wait: self.max_retry_wait,
        }
    }
}

fn is_upper_snake_case(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str) -> ClientConfig {
        ClientConfig::new(base.parse().unwrap(), "id", SecretString::from("secret"))
    }

    #[test]
    fn base_urls_are_hosts_only() {
        assert!(config("https://api.personio.de").validate().is_ok());
        assert!(config("https://api.personio.de/").validate().is_ok());
        assert!(config("http://127.0.0.1:8900").validate().is_ok());
        assert!(config("https://api.personio.de/v1").validate().is_err());
        assert!(config("ftp://api.personio.de").validate().is_err());
        assert!(config("https://api.personio.de/?x=1").validate().is_err());
    }

    #[test]
    fn partner_headers_must_be_upper_snake_case() {
        let mut c = config("https://api.personio.de");
        c.app_id = Some("MY_APPLICATION_2".into());
        assert!(c.validate().is_ok());
        c.partner_id = Some("Acme Inc".into());
        assert!(matches!(c.validate(), Err(Error::Config(m)) if m.contains("partner id")));
    }

    #[test]
    fn zero_attempts_or_concurrency_cannot_work() {
        let mut c = config("https://api.personio.de");
        c.max_attempts = 0;
        assert!(c.validate().is_err());
        let mut c = config("https://api.personio.de");
        c.max_concurrency = 0;
        assert!(c.validate().is_err());
    }

    #[test]
    fn debug_output_hides_the_secrets() {
        let mut c = config("https://api.personio.de");
        c.client_secret = SecretString::from("very-secret-value");
        c.recruiting = Some(RecruitingAuth {
            token: SecretString::from("recruiting-token-value"),
            company_id: 7,
        });
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(!shown.contains("recruiting-token-value"), "{shown}");
    }
}
