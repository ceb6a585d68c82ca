//! personio-client against Personio's documented answers (wiremock serving the fixture
//! bytes of `personio-api` verbatim), against raw sockets for broken connections, and
//! against the real sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod against_sandbox;
mod harness;
mod hostile;
mod openapi_examples;
mod protocol;
mod secrets;
