//! Erasing one person from the store: their employee record and every record that belongs to
//! them (a record table with an `employee_id`), the change index entries and webhook events
//! of those records, and the bodies of finished writes that named them, in one transaction
//! that leaves a tombstone (id, when, by whom) and an audit entry.
//!
//! The tombstone keeps a later sync from bringing the person back: the page write skips
//! tombstoned employees and what belongs to them, and clears them as others' supervisor
//! ([`skip_erased`]). Removing the tombstone ([`Store::allow_employee_again`]) lets the next
//! reading of Personio store them again.
//!
//! Other people's records keep what Personio says of them, but for the erased person: a
//! subordinate's employment (its `supervisor_id`) and the raw JSON of their employee and
//! employment rows (Personio's `supervisor`, in v1 with the supervisor's name and email) no
//! longer name them, in the same transaction ([`clear_supervisor`]). Sync checkpoints stay:
//! they hold cursors and times, no personal data.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, Row as _, Transaction};

use crate::audit::{self, AuditEvent};
use crate::companies::CompanyId;
use crate::error::Result;
use crate::row::Row;
use crate::sql::{KEYS_PER_STATEMENT, bind_key, built, placeholders, read_key};
use crate::store::Store;
use crate::tables::{ALL, EMPLOYEES, Table};
use crate::value::{Key, Value, timestamp};

/// What an erasure removed: rows per table (record tables, then `supervisor_references`:
/// other people's rows that named them as supervisor, `record_changes`, `webhook_events`,
/// and `write_journal` bodies emptied).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Erasure {
    pub employee_id: i64,
    pub removed: Vec<(String, u64)>,
}

impl Erasure {
    pub fn total(&self) -> u64 {
        self.removed.iter().map(|(_, n)| n).sum()
    }
}

/// A person erased from the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tombstone {
    pub employee_id: i64,
    pub erased_at: String,
    pub erased_by: String,
}

/// What a write journal's request holds once its person was erased; its hash stays, so the
/// key still answers its first outcome.
const ERASED_REQUEST: &str = r#"{"erased":true}"#;

/// The record tables whose rows belong to one employee.
pub(crate) fn owned_tables() -> impl Iterator<Item = &'static Table> {
    ALL.iter()
        .copied()
        .filter(|t| t.column_index("employee_id").is_some())
}

impl Store {
    /// Erases employee `employee` of `company` (see the module's description); `by` names who
    /// asked, for the tombstone and the audit log. Erasing someone the store never held
    /// still leaves the tombstone.
    pub async fn erase_employee(
        &self,
        company: CompanyId,
        employee: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Erasure> {
        let mut tx = self.begin_write().await?;
        let mut erasure = Erasure {
            employee_id: employee,
            removed: Vec::new(),
        };
        let mut records: Vec<(&'static str, Vec<Key>)> = vec![(EMPLOYEES.name, {
            let sql = "SELECT id FROM employees WHERE company_id = $1 AND id = $2";
            let rows = sqlx::query(sql)
                .bind(company.0)
                .bind(employee)
                .fetch_all(&mut *tx)
                .await?;
            rows.iter()
                .map(|r| read_key(r, EMPLOYEES.key))
                .collect::<Result<_>>()?
        })];
        for table in owned_tables() {
            let sql = format!(
                "SELECT id FROM {} WHERE company_id = $1 AND employee_id = $2",
                table.name
            );
            let rows = sqlx::query(built(sql))
                .bind(company.0)
                .bind(employee)
                .fetch_all(&mut *tx)
                .await?;
            let keys = rows
                .iter()
                .map(|r| read_key(r, table.key))
                .collect::<Result<Vec<_>>>()?;
            records.push((table.name, keys));
        }
        let mut changes = 0;
        let mut events = 0;
        let mut ids: HashSet<String> = HashSet::new();
        for (table, keys) in &records {
            let removed = delete_rows(&mut tx, company, table, keys).await?;
            erasure.removed.push(((*table).to_owned(), removed));
            let (c, e) = forget_records(&mut tx, company, table, keys).await?;
            changes += c;
            events += e;
            ids.extend(keys.iter().map(Key::to_string));
        }
        let cleared = clear_references(&mut tx, company, employee).await?;
        erasure
            .removed
            .push(("supervisor_references".to_owned(), cleared));
        erasure.removed.push(("record_changes".to_owned(), changes));
        erasure.removed.push(("webhook_events".to_owned(), events));
        let bodies = empty_journal_bodies(&mut tx, company, employee, &ids).await?;
        erasure.removed.push(("write_journal".to_owned(), bodies));
        sqlx::query(
            "INSERT INTO erased_employees (company_id, employee_id, erased_at, erased_by) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, employee_id) \
             DO UPDATE SET erased_at = excluded.erased_at, erased_by = excluded.erased_by",
        )
        .bind(company.0)
        .bind(employee)
        .bind(timestamp(now))
        .bind(by.to_owned())
        .execute(&mut *tx)
        .await?;
        let name = company_name(&mut tx, company).await?;
        let counts: serde_json::Map<String, serde_json::Value> = erasure
            .removed
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| (t.clone(), (*n).into()))
            .collect();
        let event = AuditEvent::new(by, audit::action::EMPLOYEE_ERASED)
            .company(name)
            .resource(EMPLOYEES.name)
            .record(employee.to_string())
            .outcome("erased")
            .detail(serde_json::json!({ "removed": counts }));
        audit::append(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(erasure)
    }

    /// Removes the tombstone of `employee`, so the next reading of Personio stores them again
    /// (if Personio still has them). Whether there was one.
    pub async fn allow_employee_again(
        &self,
        company: CompanyId,
        employee: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let removed =
            sqlx::query("DELETE FROM erased_employees WHERE company_id = $1 AND employee_id = $2")
                .bind(company.0)
                .bind(employee)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
        if removed {
            let name = company_name(&mut tx, company).await?;
            let event = AuditEvent::new(by, audit::action::EMPLOYEE_ALLOWED_AGAIN)
                .company(name)
                .resource(EMPLOYEES.name)
                .record(employee.to_string());
            audit::append(&mut tx, &event, now).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// The company's tombstones, by employee id.
    pub async fn erased_employees(&self, company: CompanyId) -> Result<Vec<Tombstone>> {
        let rows = sqlx::query(
            "SELECT employee_id, erased_at, erased_by FROM erased_employees WHERE company_id = $1 \
             ORDER BY employee_id",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Tombstone {
                    employee_id: row.try_get("employee_id")?,
                    erased_at: row.try_get("erased_at")?,
                    erased_by: row.try_get("erased_by")?,
                })
            })
            .collect()
    }
}

async fn company_name(tx: &mut Transaction<'_, Any>, company: CompanyId) -> Result<String> {
    Ok(sqlx::query("SELECT name FROM companies WHERE id = $1")
        .bind(company.0)
        .fetch_one(&mut **tx)
        .await?
        .try_get("name")?)
}

/// Deletes the rows of `keys` from `table`; how many there were.
pub(crate) async fn delete_rows(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &str,
    keys: &[Key],
) -> Result<u64> {
    let mut removed = 0;
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let sql = format!(
            "DELETE FROM {table} WHERE company_id = $1 AND id IN ({})",
            placeholders(2, chunk.len())
        );
        let mut query = sqlx::query(built(sql)).bind(company.0);
        for key in chunk {
            query = bind_key(query, key);
        }
        removed += query.execute(&mut **tx).await?.rows_affected();
    }
    Ok(removed)
}

/// Deletes the change index entries and the webhook events (with their deliveries) of the
/// records `keys` of `table`; how many of each.
pub(crate) async fn forget_records(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &str,
    keys: &[Key],
) -> Result<(u64, u64)> {
    let (mut changes, mut events) = (0, 0);
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let list = placeholders(3, chunk.len());
        let texts: Vec<String> = chunk.iter().map(Key::to_string).collect();
        for (statement, count) in [
            (
                format!(
                    "DELETE FROM record_changes WHERE company_id = $1 AND table_name = $2 AND record_id IN ({list})"
                ),
                &mut changes,
            ),
            (
                format!(
                    "DELETE FROM webhook_events WHERE company_id = $1 AND table_name = $2 AND record_id IN ({list})"
                ),
                &mut events,
            ),
        ] {
            let mut query = sqlx::query(built(statement))
                .bind(company.0)
                .bind(table.to_owned());
            for text in &texts {
                query = query.bind(text.clone());
            }
            *count += query.execute(&mut **tx).await?.rows_affected();
        }
    }
    Ok((changes, events))
}

/// Empties the requests of finished writes that name `employee` or one of the records
/// `ids`; writes still in flight keep theirs (they need it to finish). How many.
async fn empty_journal_bodies(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    employee: i64,
    ids: &HashSet<String>,
) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT idempotency_key, target_id, request FROM write_journal \
         WHERE company_id = $1 AND state IN ('succeeded', 'refused') AND request <> $2",
    )
    .bind(company.0)
    .bind(ERASED_REQUEST)
    .fetch_all(&mut **tx)
    .await?;
    let mut emptied = 0;
    for row in rows {
        let target: Option<String> = row.try_get("target_id")?;
        let request: String = row.try_get("request")?;
        let names_them = target.is_some_and(|t| ids.contains(&t))
            || serde_json::from_str::<serde_json::Value>(&request)
                .is_ok_and(|body| names_employee(&body, employee));
        if !names_them {
            continue;
        }
        let key: String = row.try_get("idempotency_key")?;
        emptied += sqlx::query(
            "UPDATE write_journal SET request = $1 WHERE company_id = $2 AND idempotency_key = $3",
        )
        .bind(ERASED_REQUEST)
        .bind(company.0)
        .bind(key)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(emptied)
}

/// Clears `employee` as supervisor from everyone else's rows: the `supervisor_id` column set
/// to NULL and the `supervisor` in the raw JSON emptied, in the tables that have either (the
/// employees' raw JSON, from v1, embeds the supervisor too). How many rows changed.
async fn clear_references(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    employee: i64,
) -> Result<u64> {
    let mut cleared = 0;
    let tables = ALL
        .iter()
        .copied()
        .filter(|t| t.column_index("supervisor_id").is_some() || t.name == EMPLOYEES.name);
    for table in tables {
        let has_column = table.column_index("supervisor_id").is_some();
        // The raw JSON is only read where it could name them at all.
        let mentions = format!("%{employee}%");
        let select = if has_column {
            sqlx::query(built(format!(
                "SELECT id, raw, supervisor_id FROM {} \
                 WHERE company_id = $1 AND (raw LIKE $2 OR supervisor_id = $3)",
                table.name
            )))
            .bind(company.0)
            .bind(mentions)
            .bind(employee)
        } else {
            sqlx::query(built(format!(
                "SELECT id, raw FROM {} WHERE company_id = $1 AND raw LIKE $2",
                table.name
            )))
            .bind(company.0)
            .bind(mentions)
        };
        for row in select.fetch_all(&mut **tx).await? {
            let key = read_key(&row, table.key)?;
            let raw: String = row.try_get("raw")?;
            let supervised =
                has_column && row.try_get::<Option<i64>, _>("supervisor_id")? == Some(employee);
            let mut json = serde_json::from_str::<serde_json::Value>(&raw).ok();
            let named = json
                .as_mut()
                .is_some_and(|json| clear_supervisor(json, employee));
            let raw = match json {
                Some(json) if named => json.to_string(),
                // The id matched something else (a number that contains it, say).
                _ if !supervised => continue,
                _ => raw,
            };
            let update = if has_column {
                sqlx::query(built(format!(
                    "UPDATE {} SET raw = $1, supervisor_id = CASE WHEN supervisor_id = $2 \
                     THEN NULL ELSE supervisor_id END WHERE company_id = $3 AND id = $4",
                    table.name
                )))
                .bind(raw)
                .bind(employee)
            } else {
                sqlx::query(built(format!(
                    "UPDATE {} SET raw = $1 WHERE company_id = $2 AND id = $3",
                    table.name
                )))
                .bind(raw)
            };
            let update = update.bind(company.0);
            cleared += bind_key(update, &key)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        }
    }
    Ok(cleared)
}

/// Empties every `supervisor` in `json` that names `employee` (at any depth): a v1 attribute
/// (`{"label": .., "value": {..}}`) keeps its label with a null value, as Personio shows
/// someone without a supervisor; anything else (v2's `{"id": ..}`) becomes null. Whether
/// anything changed.
fn clear_supervisor(json: &mut serde_json::Value, employee: i64) -> bool {
    match json {
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for (name, value) in map.iter_mut() {
                if name == "supervisor" && mentions(value, employee) {
                    match value {
                        serde_json::Value::Object(attribute) if attribute.contains_key("value") => {
                            attribute.insert("value".into(), serde_json::Value::Null);
                        }
                        _ => *value = serde_json::Value::Null,
                    }
                    changed = true;
                } else {
                    changed |= clear_supervisor(value, employee);
                }
            }
            changed
        }
        serde_json::Value::Array(items) => {
            // Every item, not only up to the first that changed.
            let mut changed = false;
            for item in items {
                changed |= clear_supervisor(item, employee);
            }
            changed
        }
        _ => false,
    }
}

/// Whether `json` holds `employee`'s id (a number, or a string of it) at any depth.
fn mentions(json: &serde_json::Value, employee: i64) -> bool {
    match json {
        serde_json::Value::Number(n) => n.as_i64() == Some(employee),
        serde_json::Value::String(s) => s.trim() == employee.to_string(),
        serde_json::Value::Object(map) => map.values().any(|v| mentions(v, employee)),
        serde_json::Value::Array(items) => items.iter().any(|v| mentions(v, employee)),
        _ => false,
    }
}

/// Whether a JSON body names `employee` as its `employee_id` (at any depth).
fn names_employee(body: &serde_json::Value, employee: i64) -> bool {
    match body {
        serde_json::Value::Object(map) => map.iter().any(|(name, value)| {
            (name == "employee_id" && value.as_i64() == Some(employee))
                || names_employee(value, employee)
        }),
        serde_json::Value::Array(items) => items.iter().any(|v| names_employee(v, employee)),
        _ => false,
    }
}

/// `rows` without those of erased employees (an `employees` row whose id, or a row whose
/// `employee_id`, has a tombstone), and without erased employees as supervisors (as
/// [`clear_references`] left them): Personio still names them, the store does not again.
/// One read of the company's tombstones per call.
pub(crate) async fn skip_erased<'r>(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &'static Table,
    rows: &'r [Row],
) -> Result<Vec<Cow<'r, Row>>> {
    let column = table.column_index("employee_id");
    if rows.is_empty() || (table.name != EMPLOYEES.name && column.is_none()) {
        return Ok(rows.iter().map(Cow::Borrowed).collect());
    }
    let erased: HashSet<i64> =
        sqlx::query("SELECT employee_id FROM erased_employees WHERE company_id = $1")
            .bind(company.0)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| row.try_get::<i64, _>("employee_id"))
            .collect::<std::result::Result<_, _>>()?;
    if erased.is_empty() {
        return Ok(rows.iter().map(Cow::Borrowed).collect());
    }
    let supervisor = table.column_index("supervisor_id");
    Ok(rows
        .iter()
        .filter(|row| {
            let owner = match column {
                Some(i) => match &row.values[i] {
                    Value::Int(id) => Some(*id),
                    _ => None,
                },
                None => match &row.key {
                    Key::Int(id) => Some(*id),
                    Key::Text(_) => None,
                },
            };
            !owner.is_some_and(|id| erased.contains(&id))
        })
        .map(|row| without_erased_supervisor(row, supervisor, &erased))
        .collect())
}

/// `row` with no erased employee as its supervisor (column `supervisor`, and raw JSON).
fn without_erased_supervisor<'r>(
    row: &'r Row,
    supervisor: Option<usize>,
    erased: &HashSet<i64>,
) -> Cow<'r, Row> {
    let in_column =
        supervisor.filter(|&i| matches!(&row.values[i], Value::Int(id) if erased.contains(id)));
    // Only a raw JSON that holds an erased id at all is read.
    let mut json = erased
        .iter()
        .any(|id| row.raw.contains(&id.to_string()))
        .then(|| serde_json::from_str::<serde_json::Value>(&row.raw).ok())
        .flatten();
    let mut raw_changed = false;
    if let Some(json) = json.as_mut() {
        for id in erased {
            raw_changed |= clear_supervisor(json, *id);
        }
    }
    if in_column.is_none() && !raw_changed {
        return Cow::Borrowed(row);
    }
    let mut row = row.clone();
    if let Some(i) = in_column {
        row.values[i] = Value::Null;
    }
    if let (true, Some(json)) = (raw_changed, json) {
        row.raw = json.to_string();
    }
    Cow::Owned(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_an_employee_at_any_depth() {
        let body = serde_json::json!({"CreateAttendance": {"employee_id": 7, "start": "x"}});
        assert!(names_employee(&body, 7));
        assert!(!names_employee(&body, 8));
        assert!(!names_employee(&serde_json::json!({"id": 7}), 7));
    }

    #[test]
    fn a_supervisor_is_cleared_in_v1_and_v2_shapes_and_others_are_kept() {
        let mut v2 =
            serde_json::json!({"id": "e1", "supervisor": {"id": "7"}, "person": {"id": 8}});
        assert!(clear_supervisor(&mut v2, 7));
        assert_eq!(
            v2,
            serde_json::json!({"id": "e1", "supervisor": null, "person": {"id": 8}})
        );
        let mut v1 = serde_json::json!({"attributes": {"supervisor": {"label": "Supervisor",
            "value": {"type": "Employee", "attributes": {"id": {"label": "ID", "value": 7},
            "email": {"label": "Email", "value": "s@example.org"}}}}}});
        assert!(clear_supervisor(&mut v1, 7));
        assert_eq!(
            v1,
            serde_json::json!({"attributes": {"supervisor": {"label": "Supervisor", "value": null}}})
        );
        let mut other = serde_json::json!({"supervisor": {"id": 70}});
        assert!(!clear_supervisor(&mut other, 7));
        assert_eq!(other, serde_json::json!({"supervisor": {"id": 70}}));
    }
}
