//! Values derived from other rows, kept right in every transaction that writes those rows, so
//! that no crash between storing records and deriving from them can leave a value stale.
//!
//! The one such value is a WORK attendance period's `break_minutes`: Personio v2 models
//! breaks as periods of their own, while exports and v1-minded consumers want the minutes on
//! the work period. A work period's minutes depend on the work period itself and on the
//! breaks inside it, so whenever a write stores or deletes either, the work periods around
//! them are summed again in the same transaction.

use std::collections::BTreeSet;

use sqlx::{Any, Row, Transaction};

use crate::companies::CompanyId;
use crate::error::Result;
use crate::sql::{KEYS_PER_STATEMENT, bind_key, built, placeholders};
use crate::tables::{ATTENDANCE_PERIODS, Table};
use crate::value::Key;

/// The work periods whose break minutes depend on `keys` of `table`, as the store holds them
/// now: the WORK periods among them, and the work period each BREAK among them lies in (the
/// last one to start before it: Personio refuses overlapping periods, personio-api.md §2.3,
/// "Existing overlapping attendances periods"). Empty for tables without derived values.
///
/// Called before a write (where a changed break was) and after it (where it is now).
pub(crate) async fn affected(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    table: &Table,
    keys: impl IntoIterator<Item = &Key>,
) -> Result<BTreeSet<String>> {
    let mut work = BTreeSet::new();
    if table.name != ATTENDANCE_PERIODS.name {
        return Ok(work);
    }
    let keys: Vec<&Key> = keys.into_iter().collect();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let list = placeholders(2, chunk.len());
        // A break's work period is found one step back along the
        // `(company_id, employee_id, start)` index, never by testing every work period.
        let sql = format!(
            "SELECT id FROM attendance_periods WHERE company_id = $1 AND \"type\" = 'WORK' AND id IN ({list}) \
             UNION \
             SELECT (SELECT w.id FROM attendance_periods w \
               WHERE w.company_id = c.company_id AND w.employee_id = c.employee_id \
                 AND w.\"type\" = 'WORK' AND w.start <= c.start ORDER BY w.start DESC LIMIT 1) AS id \
             FROM attendance_periods c \
             WHERE c.company_id = $1 AND c.\"type\" = 'BREAK' AND c.id IN ({list})"
        );
        let mut query = sqlx::query(built(sql)).bind(company.0);
        for key in chunk {
            query = bind_key(query, key);
        }
        for row in query.fetch_all(&mut **tx).await? {
            if let Some(id) = row.try_get::<Option<String>, _>("id")? {
                work.insert(id);
            }
        }
    }
    Ok(work)
}

/// Sums the live BREAK periods inside each of the given live, ended WORK periods into its
/// `break_minutes`.
pub(crate) async fn sum_breaks(
    tx: &mut Transaction<'_, Any>,
    company: CompanyId,
    work: &BTreeSet<String>,
) -> Result<()> {
    if work.is_empty() {
        return Ok(());
    }
    let minutes = if tx.backend_name() == "SQLite" {
        "(julianday(b.\"end\") - julianday(b.start)) * 1440"
    } else {
        "EXTRACT(EPOCH FROM (b.\"end\"::timestamp - b.start::timestamp)) / 60"
    };
    let ids: Vec<&String> = work.iter().collect();
    for chunk in ids.chunks(KEYS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE attendance_periods SET break_minutes = (\
               SELECT CAST(ROUND(COALESCE(SUM({minutes}), 0)) AS BIGINT) FROM attendance_periods b \
               WHERE b.company_id = attendance_periods.company_id AND b.employee_id = attendance_periods.employee_id \
                 AND b.\"type\" = 'BREAK' AND b.deleted_at IS NULL AND b.\"end\" IS NOT NULL \
                 AND b.start >= attendance_periods.start AND b.start < attendance_periods.\"end\" \
                 AND b.\"end\" <= attendance_periods.\"end\") \
             WHERE company_id = $1 AND \"type\" = 'WORK' AND \"end\" IS NOT NULL AND deleted_at IS NULL \
               AND id IN ({})",
            placeholders(2, chunk.len())
        );
        let mut query = sqlx::query(built(sql)).bind(company.0);
        for id in chunk {
            query = query.bind((*id).clone());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
