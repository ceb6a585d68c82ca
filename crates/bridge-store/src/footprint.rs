//! What the store costs the database: its size, and on PostgreSQL the connections open to
//! it (from every process, not only this one), for benchmarks and capacity planning.

use sqlx::Row;

use crate::error::Result;
use crate::location::Location;
use crate::store::Store;

/// The database's size and, on PostgreSQL, its open connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Footprint {
    /// `pg_database_size` on PostgreSQL; pages times page size on SQLite.
    pub bytes: i64,
    /// Rows of `pg_stat_activity` for this database (`None` on SQLite).
    pub connections: Option<i64>,
}

impl Store {
    pub async fn footprint(&self) -> Result<Footprint> {
        match self.location {
            Location::Postgres(_) => {
                let row = sqlx::query(
                    "SELECT pg_database_size(current_database()) AS bytes, \
                     (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok(Footprint {
                    bytes: row.try_get("bytes")?,
                    connections: Some(row.try_get("connections")?),
                })
            }
            Location::Sqlite(_) => {
                let row = sqlx::query(
                    "SELECT CAST(p.page_count * s.page_size AS BIGINT) AS bytes \
                     FROM pragma_page_count() p, pragma_page_size() s",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok(Footprint {
                    bytes: row.try_get("bytes")?,
                    connections: None,
                })
            }
        }
    }
}
