//! The client against Personio's documented answers: a wiremock server serves the fixture
//! bytes of `personio-api` verbatim, every mock says how often it must be called, and any
//! other request fails the test.

mod auth;
mod errors;
mod headers;
mod pacing;
mod paging;
mod retries;
