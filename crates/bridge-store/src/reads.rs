//! Reading what is stored, for status, exports and the API.

use serde::Serialize;
use sqlx::Row;

use crate::companies::CompanyId;
use crate::error::Result;
use crate::sql::{KEYS_PER_STATEMENT, bind_key, built, placeholders, read_key};
use crate::store::Store;
use crate::tables::{ALL, EMPLOYEES, KeyType, Table};
use crate::value::{Key, timestamp};

/// How many records of one table a company has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableCount {
    pub table: &'static str,
    pub live: i64,
    pub deleted: i64,
    pub out_of_filter: i64,
}

impl Store {
    /// Record counts per table (tables without records included).
    pub async fn counts(&self, company: CompanyId) -> Result<Vec<TableCount>> {
        let mut counts = Vec::with_capacity(ALL.len());
        for table in ALL {
            let row = sqlx::query(built(format!(
                "SELECT \
                   COALESCE(SUM(CASE WHEN deleted_at IS NULL AND out_of_filter_at IS NULL THEN 1 ELSE 0 END), 0) AS live, \
                   COALESCE(SUM(CASE WHEN deleted_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS deleted, \
                   COALESCE(SUM(CASE WHEN deleted_at IS NULL AND out_of_filter_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS out_of_filter \
                 FROM {} WHERE company_id = $1",
                table.name
            )))
            .bind(company.0)
            .fetch_one(&self.pool)
            .await?;
            counts.push(TableCount {
                table: table.name,
                live: row.try_get("live")?,
                deleted: row.try_get("deleted")?,
                out_of_filter: row.try_get("out_of_filter")?,
            });
        }
        Ok(counts)
    }
}

impl Store {
    /// How many live records (not deleted, inside the filters) `table` holds.
    pub async fn live_count(&self, company: CompanyId, table: &Table) -> Result<u64> {
        let row = sqlx::query(built(format!(
            "SELECT COUNT(*) AS n FROM {} WHERE company_id = $1 \
             AND deleted_at IS NULL AND out_of_filter_at IS NULL",
            table.name
        )))
        .bind(company.0)
        .fetch_one(&self.pool)
        .await?;
        let n: i64 = row.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

impl Store {
    /// Keys of the live records of `table` (not deleted, inside the filters).
    pub async fn live_ids(&self, company: CompanyId, table: &Table) -> Result<Vec<Key>> {
        let rows = sqlx::query(built(format!(
            "SELECT id FROM {} WHERE company_id = $1 AND deleted_at IS NULL AND out_of_filter_at IS NULL",
            table.name
        )))
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| read_key(row, table.key)).collect()
    }

    /// The employees that the given records of `table` (one with an `employee_id` column)
    /// belong to, deleted records included.
    pub async fn employees_of(
        &self,
        company: CompanyId,
        table: &Table,
        keys: &[Key],
    ) -> Result<Vec<i64>> {
        let mut employees = Vec::new();
        for chunk in keys.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "SELECT DISTINCT employee_id FROM {} WHERE company_id = $1 AND employee_id IS NOT NULL AND id IN ({})",
                table.name,
                placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(built(sql)).bind(company.0);
            for key in chunk {
                query = bind_key(query, key);
            }
            for row in query.fetch_all(&self.pool).await? {
                employees.push(row.try_get::<i64, _>("employee_id")?);
            }
        }
        Ok(employees)
    }

    /// `id → name` of the live records of a table with an integer key and a `name` column.
    pub async fn names(
        &self,
        company: CompanyId,
        table: &Table,
    ) -> Result<std::collections::HashMap<i64, String>> {
        let rows = sqlx::query(built(format!(
            "SELECT id, name FROM {} WHERE company_id = $1 AND deleted_at IS NULL",
            table.name
        )))
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("name")?)))
            .collect()
    }
}

impl Store {
    /// The employees whose records in `table` (the employees themselves, or a table with an
    /// `employee_id`) were created, updated, deleted or left the filters at or after `since`.
    ///
    /// What follows such changes (balances follow absences, documents follow employees)
    /// reads them here rather than from one run's memory, so changes stored by a run that
    /// crashed or gave up before it got that far are followed by the next one.
    pub async fn owners_changed_since(
        &self,
        company: CompanyId,
        table: &Table,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<i64>> {
        let since = timestamp(since);
        let own_key = table.name == EMPLOYEES.name;
        // Changes are in the change index; a record stored for the first time is not (its
        // `first_seen_at` says when it appeared).
        let changed: Vec<String> = sqlx::query(
            "SELECT record_id FROM record_changes WHERE company_id = $1 AND table_name = $2 AND changed_at >= $3",
        )
        .bind(company.0)
        .bind(table.name)
        .bind(since.clone())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get("record_id"))
        .collect::<std::result::Result<_, _>>()?;
        let mut owners = std::collections::BTreeSet::new();
        if own_key {
            owners.extend(changed.iter().filter_map(|id| id.parse::<i64>().ok()));
        } else {
            let keys: Vec<Key> = match table.key {
                KeyType::Text => changed.into_iter().map(Key::Text).collect(),
                KeyType::Int => changed
                    .iter()
                    .filter_map(|id| id.parse().ok().map(Key::Int))
                    .collect(),
            };
            owners.extend(self.employees_of(company, table, &keys).await?);
        }
        let owner = if own_key { "id" } else { "employee_id" };
        let fresh = sqlx::query(built(format!(
            "SELECT DISTINCT {owner} AS owner FROM {} WHERE company_id = $1 \
             AND last_seen_at >= $2 AND first_seen_at >= $2 AND {owner} IS NOT NULL",
            table.name
        )))
        .bind(company.0)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        for row in fresh {
            owners.insert(row.try_get::<i64, _>("owner")?);
        }
        Ok(owners.into_iter().collect())
    }
}
