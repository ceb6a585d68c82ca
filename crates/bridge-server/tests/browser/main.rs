//! The service's and the sandbox's pages in headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver with fantoccini. Screenshots of every step go
//! to `<target>/artifacts/browser/<test>/`. Without chromedriver the tests say why and
//! pass, unless `CI` is set: there they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod flows;
mod harness;
mod link;
