//! Wire types of Personio's public APIs, written by hand from Personio's published
//! documentation (see `personio-api.md` in the project's shared notes for sources).
//!
//! Plain serde data with small accessors: no IO, no HTTP, no SQL. The client reads these
//! types and the sandbox writes them; neither depends on the other. Types are lenient when
//! reading (unknown fields ignored, fields Personio may omit default to empty) and exact
//! when writing (a field the caller may not see is left out, never sent as `null`).
//!
//! ```
//! use personio_api::v2::{Page, Person};
//!
//! let body = r#"{"_data":[{"id":"7","first_name":"Zoë","employments":[]}],
//!               "_meta":{"links":{"self":{"href":"https://api.personio.de/v2/persons"}}}}"#;
//! let page: Page<Person> = serde_json::from_str(body).unwrap();
//! assert_eq!(page.data[0].first_name.as_deref(), Some("Zoë"));
//! assert!(page.next_href().is_none(), "no `next` link means the last page");
//! ```

pub mod auth;
pub mod error;
pub mod ids;
pub mod number;
pub mod presence;
pub mod rate_limit;
pub mod recruiting;
pub mod scope;
pub mod time;
pub mod v1;
pub mod v2;

pub use ids::EmployeeId;
pub use scope::Scope;
