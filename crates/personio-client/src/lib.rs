//! A client for Personio's public APIs (v1 Personnel Data, v2, recruiting) that works
//! against the real Personio unchanged and against any server that speaks like it.
//!
//! It returns the wire types of `personio-api` and takes care of what every request needs:
//! tokens (fetched, cached, renewed before expiry and once when refused), pacing from
//! Personio's rate-limit headers, retries with backoff, a bound on requests in flight, and
//! streaming pagination with guards against endless lists. Every item of a list comes with
//! its exact JSON, for callers that store it verbatim.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use personio_client::{Client, ClientConfig, OrgUnitKind};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), personio_client::Error> {
//! let config = ClientConfig::new(
//!     "https://api.personio.de".parse().expect("a valid URL"),
//!     "papi-client-id",
//!     SecretString::from("papi-client-secret"),
//! );
//! let client = Client::new(config)?;
//! let grant = client.authenticate().await?;
//! println!("may use {} scopes", grant.scopes.len());
//!
//! let mut persons = Box::pin(client.persons(vec![("status".into(), "ACTIVE".into())]));
//! while let Some(page) = persons.try_next().await? {
//!     for person in &page.items {
//!         println!("{} {:?}", person.value.id, person.value.first_name);
//!     }
//!     // `page.next` can be stored to resume right after this page later.
//! }
//! let departments: Vec<_> = client.org_units(OrgUnitKind::Department).try_collect().await?;
//! println!("{} pages of departments, {} requests", departments.len(), client.metrics().requests);
//! # Ok(())
//! # }
//! ```
//!
//! Modules: `client` (the handle, URLs, reads and writes), `send` (the one function doing
//! HTTP), `auth` (tokens), `retry` (the pure retry decision), `rate_limit` (pacing),
//! `refusal` (what Personio's errors mean), `paginate` (page streams), `endpoints` (typed
//! conveniences), `error`.
//!
//! TLS is rustls with its default provider (aws-lc-rs) and the system's plus Mozilla's
//! root certificates: no OpenSSL, no system CA bundle needed. The lighter `ring` provider
//! would need installing as the process default before any `reqwest` client is built, in
//! every program and test that links this crate, so it is not used.

#![warn(missing_docs)]

mod auth;
mod client;
mod config;
mod decode;
pub mod endpoints;
mod error;
mod metrics;
mod paginate;
mod rate_limit;
mod refusal;
mod retry;
mod route;
mod send;

pub use auth::Grant;
pub use client::Client;
pub use config::{ClientConfig, DEFAULT_BASE_URL, RecruitingAuth};
pub use endpoints::OrgUnitKind;
pub use error::{ApiErrorBody, Error, ErrorKind};
pub use metrics::{Metrics, latency};
pub use paginate::{MAX_PAGES, OffsetKind, Page, PageToken, Record};
pub use personio_api;
pub use rate_limit::Pace;
pub use secrecy::SecretString;
pub use send::Answer;
pub use url::Url;
