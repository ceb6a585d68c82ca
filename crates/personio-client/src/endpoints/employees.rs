//! v1 employees: the list, one employee, the attribute catalogue, absence balances
//! (personio-api.md §2.2).

use chrono::{DateTime, Utc};
use futures::Stream;
use personio_api::EmployeeId;
use personio_api::v1::{AttributeDefinition, Balance, Employee, Single};

use crate::client::Client;
use crate::error::Error;
use crate::paginate::{OffsetKind, Page};

/// `GET /v1/company/employees`.
pub const EMPLOYEES_V1: &str = "/v1/company/employees";
/// Personio's largest page of v1 employees, enforced since 2025-01-31 (§2.1, H).
pub const EMPLOYEES_V1_PAGE: u32 = 100;

impl Client {
    /// Every employee the credential may see, by pages of [`EMPLOYEES_V1_PAGE`]. With
    /// `updated_since`, only those changed after it, in one request (Personio ignores the
    /// paging then).
    ///
    /// Personio does not say in which zone it reads the naive `updated_since` it documents
    /// (personio-api.md §8), so the UTC wall time is sent; callers should overlap their
    /// windows by a few hours.
    pub fn employees_v1(
        &self,
        updated_since: Option<DateTime<Utc>>,
    ) -> impl Stream<Item = Result<Page<Employee>, Error>> + Send + '_ {
        let query = updated_since
            .map(|since| {
                vec![(
                    "updated_since".to_owned(),
                    since.format("%Y-%m-%dT%H:%M:%S").to_string(),
                )]
            })
            .unwrap_or_default();
        self.pages_v1(
            EMPLOYEES_V1,
            query,
            EMPLOYEES_V1_PAGE,
            OffsetKind::Items,
            None,
        )
    }

    /// `GET /v1/company/employees/{id}`.
    pub async fn employee_v1(&self, id: EmployeeId) -> Result<Employee, Error> {
        let path = format!("{EMPLOYEES_V1}/{id}");
        Ok(self.get::<Single<Employee>>(&path, &[]).await?.data)
    }

    /// `GET /v1/company/employees/attributes`: the attributes this credential may read.
    pub async fn employee_attributes(&self) -> Result<Vec<AttributeDefinition>, Error> {
        let path = format!("{EMPLOYEES_V1}/attributes");
        Ok(self
            .get::<Single<Vec<AttributeDefinition>>>(&path, &[])
            .await?
            .data)
    }

    /// `GET /v1/company/employees/{id}/absences/balance`: per absence type (v2 has none).
    pub async fn balance(&self, id: EmployeeId) -> Result<Vec<Balance>, Error> {
        let path = format!("{EMPLOYEES_V1}/{id}/absences/balance");
        Ok(self.get::<Single<Vec<Balance>>>(&path, &[]).await?.data)
    }
}
