//! Reading records out in pages, for `export` and the API: keyset paging by id, bounded
//! memory however large the table.

use serde_json::Map;
use sqlx::Row;

use crate::companies::CompanyId;
use crate::error::Result;
use crate::sql::{built, read_value};
use crate::store::Store;
use crate::tables::{KeyType, Table, quote};
use crate::value::{Key, Value};

/// One exported record: the table's key, its normalized columns, and bookkeeping.
#[derive(Debug, Clone)]
pub struct Record {
    pub key: Key,
    pub values: Vec<Value>,
    pub source_updated_at: Option<String>,
    pub deleted_at: Option<String>,
    pub raw: String,
}

/// Employee facts joined from the employee and their live employment.
#[derive(Debug, Clone)]
pub struct EmployeeRecord {
    pub id: i64,
    pub employee: Vec<Value>,
    pub employment: Option<Vec<Value>>,
    pub custom_attributes: Map<String, serde_json::Value>,
    pub source_updated_at: Option<String>,
    pub deleted_at: Option<String>,
}

impl Store {
    /// Up to `limit` records of `table` after `after` (by id), live ones only unless
    /// `include_deleted`.
    pub async fn records(
        &self,
        company: CompanyId,
        table: &'static Table,
        after: Option<&Key>,
        limit: i64,
        include_deleted: bool,
    ) -> Result<Vec<Record>> {
        let columns: Vec<String> = table.columns.iter().map(|(c, _)| quote(c)).collect();
        let live = if include_deleted {
            ""
        } else {
            " AND deleted_at IS NULL AND out_of_filter_at IS NULL"
        };
        let after_clause = if after.is_some() { " AND id > $2" } else { "" };
        let limit_param = if after.is_some() { "$3" } else { "$2" };
        let sql = format!(
            "SELECT id, {}, raw, source_updated_at, deleted_at FROM {} WHERE company_id = $1{after_clause}{live} ORDER BY id LIMIT {limit_param}",
            columns.join(", "),
            table.name
        );
        let mut query = sqlx::query(built(sql)).bind(company.0);
        if let Some(key) = after {
            query = match key {
                Key::Int(n) => query.bind(*n),
                Key::Text(s) => query.bind(s.clone()),
            };
        }
        let rows = query.bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(Record {
                    key: match table.key {
                        KeyType::Int => Key::Int(row.try_get("id")?),
                        KeyType::Text => Key::Text(row.try_get("id")?),
                    },
                    values: table
                        .columns
                        .iter()
                        .map(|(c, kind)| read_value(row, c, *kind))
                        .collect::<Result<_>>()?,
                    source_updated_at: row.try_get("source_updated_at")?,
                    deleted_at: row.try_get("deleted_at")?,
                    raw: row.try_get("raw")?,
                })
            })
            .collect()
    }

    /// Up to `limit` employees after `after`, each with their live employment.
    pub async fn employee_records(
        &self,
        company: CompanyId,
        after: Option<i64>,
        limit: i64,
        include_deleted: bool,
    ) -> Result<Vec<EmployeeRecord>> {
        let people = self
            .records(
                company,
                &crate::tables::EMPLOYEES,
                after.map(Key::Int).as_ref(),
                limit,
                include_deleted,
            )
            .await?;
        let Some(last) = people.last() else {
            return Ok(Vec::new());
        };
        let (Key::Int(first_id), Key::Int(last_id)) = (&people[0].key, &last.key) else {
            return Err(crate::error::Error::Corrupt(
                "employee ids are integers".into(),
            ));
        };
        let employment = &crate::tables::EMPLOYMENTS;
        let columns: Vec<String> = employment.columns.iter().map(|(c, _)| quote(c)).collect();
        let rows = sqlx::query(built(format!(
            "SELECT {} FROM employments WHERE company_id = $1 AND employee_id BETWEEN $2 AND $3 AND deleted_at IS NULL",
            columns.join(", ")
        )))
        .bind(company.0)
        .bind(*first_id)
        .bind(*last_id)
        .fetch_all(&self.pool)
        .await?;
        // A person with several employments (v2 lists past ones too) is exported with the
        // one that started last.
        let hire_date = employment
            .column_index("hire_date")
            .expect("employments have hire_date");
        let started = |values: &[Value]| match &values[hire_date] {
            Value::Text(day) => Some(day.clone()),
            _ => None,
        };
        let mut jobs: std::collections::HashMap<i64, Vec<Value>> = std::collections::HashMap::new();
        for row in &rows {
            let values: Vec<Value> = employment
                .columns
                .iter()
                .map(|(c, kind)| read_value(row, c, *kind))
                .collect::<Result<_>>()?;
            if let Value::Int(employee) = values[0] {
                let current = jobs.get(&employee);
                if current.is_none_or(|current| started(current) <= started(&values)) {
                    jobs.insert(employee, values);
                }
            }
        }
        let custom = crate::tables::EMPLOYEES
            .column_index("custom_attributes")
            .expect("employees have custom_attributes");
        people
            .into_iter()
            .map(|p| {
                let Key::Int(id) = p.key else {
                    return Err(crate::error::Error::Corrupt("employee id".into()));
                };
                let custom_attributes = match &p.values[custom] {
                    Value::Text(json) => serde_json::from_str(json).unwrap_or_default(),
                    _ => Map::new(),
                };
                Ok(EmployeeRecord {
                    id,
                    employment: jobs.remove(&id),
                    employee: p.values,
                    custom_attributes,
                    source_updated_at: p.source_updated_at,
                    deleted_at: p.deleted_at,
                })
            })
            .collect()
    }

    /// Labels of the custom attributes of a company's employees, sorted.
    pub async fn custom_attribute_labels(&self, company: CompanyId) -> Result<Vec<String>> {
        let mut labels = std::collections::BTreeSet::new();
        let mut after = None;
        loop {
            let page = self
                .records(
                    company,
                    &crate::tables::EMPLOYEES,
                    after.as_ref(),
                    1000,
                    true,
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.key.clone());
            let index = crate::tables::EMPLOYEES
                .column_index("custom_attributes")
                .expect("column exists");
            for record in &page {
                if let Value::Text(json) = &record.values[index]
                    && let Ok(map) = serde_json::from_str::<Map<String, serde_json::Value>>(json)
                {
                    labels.extend(map.keys().cloned());
                }
            }
        }
        Ok(labels.into_iter().collect())
    }
}
