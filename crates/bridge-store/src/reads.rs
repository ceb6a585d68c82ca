//! Reading what is stored, for status, exports and the API.

use serde::Serialize;
use sqlx::Row;

use crate::companies::CompanyId;
use crate::error::Result;
use crate::store::Store;
use crate::tables::ALL;

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
            let row = sqlx::query(crate::tables::built(format!(
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
    /// Keys of the live records of `table` (not deleted, inside the filters).
    pub async fn live_ids(
        &self,
        company: CompanyId,
        table: &crate::tables::Table,
    ) -> Result<Vec<crate::value::Key>> {
        let rows = sqlx::query(crate::tables::built(format!(
            "SELECT id FROM {} WHERE company_id = $1 AND deleted_at IS NULL AND out_of_filter_at IS NULL",
            table.name
        )))
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(match table.key {
                    crate::tables::KeyType::Int => crate::value::Key::Int(row.try_get("id")?),
                    crate::tables::KeyType::Text => crate::value::Key::Text(row.try_get("id")?),
                })
            })
            .collect()
    }

    /// The employees that the given records of `table` (one with an `employee_id` column)
    /// belong to, deleted records included.
    pub async fn employees_of(
        &self,
        company: CompanyId,
        table: &crate::tables::Table,
        keys: &[crate::value::Key],
    ) -> Result<Vec<i64>> {
        let mut employees = Vec::new();
        for chunk in keys.chunks(crate::records::KEYS_PER_STATEMENT) {
            let sql = format!(
                "SELECT DISTINCT employee_id FROM {} WHERE company_id = $1 AND employee_id IS NOT NULL AND id IN ({})",
                table.name,
                crate::records::placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(crate::tables::built(sql)).bind(company.0);
            for key in chunk {
                query = crate::records::bind_key(query, key);
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
        table: &crate::tables::Table,
    ) -> Result<std::collections::HashMap<i64, String>> {
        let rows = sqlx::query(crate::tables::built(format!(
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
