//! Tokens: one per API family, fetched when first needed, kept until shortly before they
//! expire, and renewed once when Personio refuses one.
//!
//! v1 tokens come from `POST /v1/auth` with a JSON body (the query-string form is being
//! removed, personio-api.md §1.1); v2 tokens from `POST /v2/auth/token`, OAuth client
//! credentials as a form (§1.2). Both are stable for 24 h. Concurrent callers share one
//! fetch: the slot's async lock is held while fetching, so the others wait and reuse the
//! result. v1 responses echo the same stable token in `Authorization`; it is not adopted,
//! since Personio no longer rotates tokens (§1.1, H).

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use personio_api::Scope;
use personio_api::auth::{TokenResponse, V1AuthData, V1AuthRequest};
use personio_api::scope::parse_scope_list;
use personio_api::v1::Single;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::client::Inner;
use crate::error::Error;
use crate::refusal::describe;
use crate::send::{Body, Request};

/// Assumed lifetime when Personio does not say (older v1 answers lack `expires_in`): short
/// enough to be safe, long enough to cost nothing.
const UNSTATED_LIFETIME: Duration = Duration::from_secs(3600);
/// Renew this long before expiry at most (a tenth of the lifetime for short tokens).
const RENEW_MARGIN: Duration = Duration::from_secs(300);

/// What a v2 token may do, from `POST /v2/auth/token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The scopes Personio granted (all of the credential's, as we ask for none).
    pub scopes: BTreeSet<Scope>,
    /// How long the token stays valid from now.
    pub expires_in: Duration,
}

/// A token as issued.
pub(crate) struct Issued {
    pub value: SecretString,
    pub lifetime: Duration,
    pub scopes: BTreeSet<Scope>,
}

/// A cached token. `generation` tells tokens of one slot apart, so that a caller whose
/// token was refused renews only if nobody has done so meanwhile.
#[derive(Clone)]
pub(crate) struct Token {
    pub value: SecretString,
    pub generation: u64,
    pub scopes: BTreeSet<Scope>,
    expires_at: Instant,
    lifetime: Duration,
}

impl Token {
    fn fresh(&self, now: Instant) -> bool {
        let margin = RENEW_MARGIN.min(self.lifetime / 10);
        now + margin < self.expires_at
    }

    pub(crate) fn grant(&self, now: Instant) -> Grant {
        Grant {
            scopes: self.scopes.clone(),
            expires_in: self.expires_at.saturating_duration_since(now),
        }
    }
}

/// The token of one API family.
#[derive(Default)]
pub(crate) struct TokenSlot {
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    token: Option<Token>,
    /// Tokens fetched so far: the next one's generation.
    fetched: u64,
}

impl TokenSlot {
    /// The cached token, or one from `fetch` when there is none, it is about to expire, or
    /// it is the one Personio just refused (`refused` = its generation).
    pub(crate) async fn get<F, Fut>(&self, refused: Option<u64>, fetch: F) -> Result<Token, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Issued, Error>>,
    {
        let mut slot = self.state.lock().await;
        if let Some(token) = slot.token.as_ref()
            && token.fresh(Instant::now())
            && Some(token.generation) != refused
        {
            return Ok(token.clone());
        }
        // A refused token must not be used again, even if fetching a new one fails.
        slot.token = None;
        let issued = fetch().await?;
        let token = Token {
            value: issued.value,
            generation: slot.fetched,
            scopes: issued.scopes,
            expires_at: Instant::now() + issued.lifetime,
            lifetime: issued.lifetime,
        };
        slot.fetched += 1;
        slot.token = Some(token.clone());
        Ok(token)
    }
}

/// The v1 and v2 token slots.
#[derive(Default)]
pub(crate) struct Tokens {
    pub v1: TokenSlot,
    pub v2: TokenSlot,
}

impl Inner {
    /// `POST /v2/auth/token` with the client credentials (no `scope`: all granted ones).
    pub(crate) async fn fetch_v2_token(&self) -> Result<Issued, Error> {
        let url = self.url("/v2/auth/token", &[])?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("client_secret", self.config.client_secret.expose_secret())
            .finish();
        let request = Request::new(Method::POST, url, Some(Body::Form(body.into_bytes())));
        let body = self.send(&request).await?;
        let response: TokenResponse = serde_json::from_slice(&body)
            .ok()
            .filter(|r: &TokenResponse| !r.access_token.is_empty())
            .ok_or_else(|| Error::NotPersonio {
                url: request.url.clone(),
                detail: format!(
                    "its token endpoint answered {} instead of an access token",
                    describe(&body)
                ),
            })?;
        Ok(Issued {
            value: SecretString::from(response.access_token),
            lifetime: lifetime(Some(response.expires_in)),
            scopes: parse_scope_list(response.scope.as_deref().unwrap_or_default())
                .into_iter()
                .collect(),
        })
    }

    /// `POST /v1/auth` with the client credentials as JSON.
    pub(crate) async fn fetch_v1_token(&self) -> Result<Issued, Error> {
        let url = self.url("/v1/auth", &[])?;
        let credentials = V1AuthRequest {
            client_id: self.config.client_id.clone(),
            client_secret: self.config.client_secret.expose_secret().to_owned(),
        };
        let body = serde_json::to_vec(&credentials)
            .map_err(|e| Error::Config(format!("cannot encode the v1 credentials: {e}")))?;
        let request = Request::new(Method::POST, url, Some(Body::Json(body)));
        let body = self.send(&request).await?;
        let data = serde_json::from_slice::<Single<V1AuthData>>(&body)
            .ok()
            .map(|s| s.data)
            .filter(|d| !d.token.is_empty())
            .ok_or_else(|| Error::NotPersonio {
                url: request.url.clone(),
                detail: format!(
                    "its token endpoint answered {} instead of a token",
                    describe(&body)
                ),
            })?;
        Ok(Issued {
            value: SecretString::from(data.token),
            lifetime: lifetime(data.expires_in),
            scopes: parse_scope_list(data.scope.as_deref().unwrap_or_default())
                .into_iter()
                .collect(),
        })
    }
}

/// `expires_in` seconds; absent or zero means unstated.
fn lifetime(expires_in: Option<u64>) -> Duration {
    match expires_in {
        Some(seconds) if seconds > 0 => Duration::from_secs(seconds),
        _ => UNSTATED_LIFETIME,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn issued(seconds: u64) -> Result<Issued, Error> {
        Ok(Issued {
            value: SecretString::from("papi-token"),
            lifetime: Duration::from_secs(seconds),
            scopes: BTreeSet::new(),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_is_reused_until_shortly_before_it_expires() {
        let slot = TokenSlot::default();
        let fetches = AtomicU32::new(0);
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            issued(86_400)
        };
        let first = slot.get(None, fetch).await.unwrap();
        let again = slot.get(None, fetch).await.unwrap();
        assert_eq!((first.generation, again.generation), (0, 0));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // 4 minutes before expiry it is renewed (the margin is 5 minutes).
        tokio::time::advance(Duration::from_secs(86_400 - 240)).await;
        let renewed = slot.get(None, fetch).await.unwrap();
        assert_eq!(renewed.generation, 1);
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_token_is_renewed_once_however_many_callers_saw_it_refused() {
        let slot = TokenSlot::default();
        let fetches = AtomicU32::new(0);
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            issued(86_400)
        };
        let first = slot.get(None, fetch).await.unwrap();
        let a = slot.get(Some(first.generation), fetch).await.unwrap();
        let b = slot.get(Some(first.generation), fetch).await.unwrap();
        assert_eq!((a.generation, b.generation), (1, 1));
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_token_is_dropped_even_when_renewal_fails() {
        let slot = TokenSlot::default();
        let first = slot.get(None, || async { issued(86_400) }).await.unwrap();
        let failed = slot
            .get(Some(first.generation), || async {
                Err(Error::BadCredentials {
                    detail: "revoked".into(),
                })
            })
            .await;
        assert!(failed.is_err());
        let fetched_again = AtomicU32::new(0);
        slot.get(None, || async {
            fetched_again.fetch_add(1, Ordering::SeqCst);
            issued(86_400)
        })
        .await
        .unwrap();
        assert_eq!(fetched_again.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn unstated_lifetimes_are_an_hour() {
        assert_eq!(lifetime(None), UNSTATED_LIFETIME);
        assert_eq!(lifetime(Some(0)), UNSTATED_LIFETIME);
        assert_eq!(lifetime(Some(86_400)), Duration::from_secs(86_400));
    }
}
