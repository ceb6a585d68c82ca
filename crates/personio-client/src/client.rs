//! [`Client`]: a handle on one Personio company's APIs, cheap to clone and share between
//! tasks. Builds the HTTP client (the only place in the crate that does), resolves paths
//! and links against the base URL, and offers authentication, reads and writes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::auth::{Grant, Tokens};
use crate::config::ClientConfig;
use crate::decode::decode_body;
use crate::error::Error;
use crate::metrics::{Counters, Metrics};
use crate::rate_limit::{Pace, Pacer};
use crate::retry::RetryPolicy;
use crate::send::{Answer, Body, Request};

/// A Personio client: v1, v2 and recruiting APIs, with tokens, paging, pacing and retries
/// handled. Clones share everything (tokens, rate-limit state, the concurrency bound).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// What the clones of a [`Client`] share.
pub(crate) struct Inner {
    pub config: ClientConfig,
    pub http: reqwest::Client,
    pub policy: RetryPolicy,
    pub pacer: Pacer,
    pub permits: Semaphore,
    pub tokens: Tokens,
    pub counters: Counters,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("metrics", &self.metrics())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`; fails only on a configuration that cannot work. No request is
    /// made until one is needed.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        config.validate()?;
        let http = build_http(&config)?;
        let inner = Inner {
            policy: config.retry_policy(),
            permits: Semaphore::new(config.max_concurrency),
            pacer: Pacer::default(),
            tokens: Tokens::default(),
            counters: Counters::default(),
            http,
            config,
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Gets (or reuses) the v2 token and says what it may do. Tokens are renewed shortly
    /// before they expire, and once when Personio refuses one.
    pub async fn authenticate(&self) -> Result<Grant, Error> {
        let token = self
            .inner
            .tokens
            .v2
            .get(None, || self.inner.fetch_v2_token())
            .await?;
        Ok(token.grant(Instant::now()))
    }

    /// Gets (or reuses) the v1 token, which `/v1/company/...` endpoints need.
    pub async fn authenticate_v1(&self) -> Result<(), Error> {
        self.inner
            .tokens
            .v1
            .get(None, || self.inner.fetch_v1_token())
            .await?;
        Ok(())
    }

    /// One GET of `path` (e.g. `/v2/persons/7`) with `query`, decoded as `T`. The path's
    /// prefix decides the API family and so the credential (`/v1/...`, `/v2/...`,
    /// `/v1/recruiting/...`).
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, Error> {
        let url = self.inner.url(path, query)?;
        let body = self
            .inner
            .send(&Request::new(Method::GET, url.clone(), None))
            .await?;
        decode_body(url.path(), &body)
    }

    /// One GET, returning the body as Personio sent it.
    pub async fn get_raw(&self, path: &str, query: &[(&str, String)]) -> Result<Bytes, Error> {
        let url = self.inner.url(path, query)?;
        self.inner.send(&Request::new(Method::GET, url, None)).await
    }

    /// A GET of a link Personio sent (absolute or relative), e.g. `_meta.links.next.href`.
    pub(crate) async fn get_link(&self, href: &str) -> Result<(Url, Bytes), Error> {
        let url = self.inner.url(href, &[])?;
        let body = self
            .inner
            .send(&Request::new(Method::GET, url.clone(), None))
            .await?;
        Ok((url, body))
    }

    /// POSTs `body` as JSON and decodes the answer as `T` (an empty answer, such as the
    /// recruiting API's 201, reads as `null`: use `()` or `Option`). Not repeated after an
    /// ambiguous failure (a timeout, a 5xx), since Personio may have acted on it.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        let answer = self.write(Method::POST, path, Some(body)).await?;
        let answer: &[u8] = if answer.is_empty() { b"null" } else { &answer };
        decode_body(path_only(path), answer)
    }

    /// PATCHes `body` as JSON; returns the answer's body (empty for v2's 204).
    pub async fn patch_json(&self, path: &str, body: &impl Serialize) -> Result<Bytes, Error> {
        self.write(Method::PATCH, path, Some(body)).await
    }

    /// DELETEs `path`; returns the answer's body.
    pub async fn delete(&self, path: &str) -> Result<Bytes, Error> {
        self.write::<()>(Method::DELETE, path, None).await
    }

    async fn write<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Bytes, Error> {
        let url = self.inner.url(path, &[])?;
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::Config(format!("cannot encode the request body: {e}")))?
            .map(Body::Json);
        self.inner.send(&Request::new(method, url, body)).await
    }

    /// Sends one request to `path` (under `/v1/` or `/v2/`, with `query`) with the credential
    /// its API needs and returns Personio's answer whatever its status: for requests passed
    /// through unchanged. Never retried (the caller cannot tell us whether that is safe).
    pub async fn passthrough(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<(String, Vec<u8>)>,
    ) -> Result<Answer, Error> {
        let pairs: Vec<(&str, String)> =
            query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let url = self.inner.url(path, &pairs)?;
        let body = body.map(|(content_type, bytes)| Body::Other {
            content_type,
            bytes,
        });
        self.inner.send_once(&Request::new(method, url, body)).await
    }

    /// What this client knows of the rate limit and latency of `path`'s endpoint.
    pub fn pace(&self, path: &str) -> Pace {
        self.inner.pacer.pace(&crate::rate_limit::bucket_key(path))
    }

    /// Requests this client sends at most at once (`max_concurrency`).
    pub fn max_concurrency(&self) -> usize {
        self.inner.config.max_concurrency
    }

    /// What this client did so far.
    pub fn metrics(&self) -> Metrics {
        self.inner.counters.snapshot()
    }
}

impl Inner {
    /// The URL of `path` (or of a link Personio sent) with `query` appended.
    ///
    /// Links are followed on our base URL: Personio names its public host in absolute
    /// links even when reached another way (the sandbox, a proxy), and a token must never
    /// travel to a host other than the configured one.
    pub(crate) fn url(&self, path: &str, query: &[(&str, String)]) -> Result<Url, Error> {
        let base = &self.config.base_url;
        let mut url = match Url::parse(path) {
            Ok(absolute) if absolute.origin() == base.origin() => absolute,
            Ok(absolute) => {
                let mut rerooted = base.clone();
                rerooted.set_path(absolute.path());
                rerooted.set_query(absolute.query());
                rerooted
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                let relative = if path.starts_with('/') {
                    path.to_owned()
                } else {
                    format!("/{path}")
                };
                base.join(&relative)
                    .map_err(|e| Error::Config(format!("invalid path {path:?}: {e}")))?
            }
            Err(e) => return Err(Error::Config(format!("invalid link {path:?}: {e}"))),
        };
        url.set_fragment(None);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }
}

/// `path` without its query, for messages.
fn path_only(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}

/// The one place an HTTP client is built: timeouts, user agent, partner headers, TLS roots.
///
/// TLS is rustls with the system's roots plus Mozilla's (so a machine without a CA bundle
/// still reaches Personio). Redirects are not followed: Personio's API does not redirect,
/// and a redirect usually means a wrong base URL, which deserves a clear error.
#[allow(clippy::disallowed_methods)]
fn build_http(config: &ClientConfig) -> Result<reqwest::Client, Error> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in [
        ("X-Personio-App-ID", &config.app_id),
        ("X-Personio-Partner-ID", &config.partner_id),
    ] {
        if let Some(value) = value {
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("{name} {value:?} is not a header value")))?;
            headers.insert(name, value);
        }
    }
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok());
    reqwest::Client::builder()
        .user_agent(config.user_agent.as_str())
        .default_headers(headers)
        .timeout(config.request_timeout)
        .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(config.max_concurrency)
        .tls_certs_merge(roots)
        .build()
        .map_err(|e| Error::Config(format!("cannot set up HTTPS: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn client(base: &str) -> Client {
        Client::new(ClientConfig::new(
            base.parse().unwrap(),
            "id",
            SecretString::from("secret"),
        ))
        .unwrap()
    }

    #[test]
    fn paths_and_links_resolve_on_the_base_url() {
        let c = client("http://127.0.0.1:8900");
        let url = |p: &str| c.inner.url(p, &[]).unwrap().to_string();
        assert_eq!(url("/v2/persons"), "http://127.0.0.1:8900/v2/persons");
        assert_eq!(url("v2/persons"), "http://127.0.0.1:8900/v2/persons");
        assert_eq!(
            url("https://api.personio.de/v2/persons?cursor=abc&limit=10"),
            "http://127.0.0.1:8900/v2/persons?cursor=abc&limit=10",
            "links to Personio's public host are followed on ours"
        );
        assert_eq!(
            url("/v2/persons?cursor=abc"),
            "http://127.0.0.1:8900/v2/persons?cursor=abc"
        );
        assert_eq!(
            url("http://127.0.0.1:8900/v2/persons?cursor=x"),
            "http://127.0.0.1:8900/v2/persons?cursor=x"
        );
        let with_query = c
            .inner
            .url("/v2/persons", &[("email", "zoë+1@demo.example".to_owned())])
            .unwrap();
        assert_eq!(
            with_query.query(),
            Some("email=zo%C3%AB%2B1%40demo.example")
        );
    }

    #[test]
    fn the_client_can_be_built_with_tls_and_shared() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Client>();
        shareable::<Error>();
        let c = client("https://api.personio.de");
        assert_eq!(c.metrics(), Metrics::default());
    }
}
