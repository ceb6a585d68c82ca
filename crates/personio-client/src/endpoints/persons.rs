//! v2 persons and their employments (personio-api.md §3.3, §3.4).

use futures::Stream;
use personio_api::EmployeeId;
use personio_api::v2::{Employment, Person};

use crate::client::Client;
use crate::error::Error;
use crate::paginate::Page;

/// `GET /v2/persons`.
pub const PERSONS: &str = "/v2/persons";
/// Personio's largest page of persons and of employments; more is refused with a 400
/// (§3.1, §5.1b).
pub const PERSONS_PAGE: u32 = 50;

impl Client {
    /// Persons matching `query` (Personio's filters, e.g. `("status", "ACTIVE")` or
    /// `("updated_at.gt", "2025-01-01")`), by pages of [`PERSONS_PAGE`] unless `query` sets
    /// `limit`.
    pub fn persons(
        &self,
        mut query: Vec<(String, String)>,
    ) -> impl Stream<Item = Result<Page<Person>, Error>> + Send + '_ {
        if !query.iter().any(|(key, _)| key == "limit") {
            query.push(("limit".into(), PERSONS_PAGE.to_string()));
        }
        self.pages_v2(PERSONS, query, None)
    }

    /// `GET /v2/persons/{id}`.
    pub async fn person(&self, id: EmployeeId) -> Result<Person, Error> {
        self.get(&format!("{PERSONS}/{id}"), &[]).await
    }

    /// A person's employments, most recent first.
    pub fn employments(
        &self,
        person: EmployeeId,
    ) -> impl Stream<Item = Result<Page<Employment>, Error>> + Send + '_ {
        let path = super::paths::employments(person);
        let query = vec![("limit".to_owned(), PERSONS_PAGE.to_string())];
        self.pages_v2(&path, query, None)
    }
}
