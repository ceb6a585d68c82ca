//! Records to write, built column by column by name: a mapper that forgets, misspells or
//! repeats a column, or puts text where the table says integer, gets an error (in every
//! build), never a value shifted into the wrong column or silently turned into NULL.
//!
//! ```
//! use bridge_store::tables::LEGAL_ENTITIES;
//! use bridge_store::Key;
//!
//! let row = LEGAL_ENTITIES
//!     .row(Key::Int(7))
//!     .set("name", "Acme GmbH")
//!     .set("country", Some("DE"))
//!     .finish(r#"{"id":7}"#.into(), None)
//!     .unwrap();
//! assert_eq!(row.value("country"), Some(&"DE".into()));
//! ```

use chrono::{DateTime, Utc};

use crate::tables::{ColumnType, Table};
use crate::value::{Key, Value};

/// One record to write: its key, normalized values (in the table's column order, placed
/// there by name), Personio's JSON verbatim and Personio's own last-change time.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: Key,
    table: &'static Table,
    pub(crate) values: Vec<Value>,
    pub raw: String,
    pub source_updated_at: Option<DateTime<Utc>>,
}

impl Row {
    /// The table the row was built for.
    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// The values in the table's column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The value of `column`, if the table has it.
    pub fn value(&self, column: &str) -> Option<&Value> {
        self.table.column_index(column).map(|i| &self.values[i])
    }
}

/// Why a row could not be built: always a mapping mistake in our code, named precisely.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RowError {
    #[error("table {table} has no column {column}")]
    UnknownColumn { table: &'static str, column: String },
    #[error("column {table}.{column} is set twice")]
    SetTwice {
        table: &'static str,
        column: &'static str,
    },
    #[error("column {table}.{column} holds {expected:?} values, not {value:?}")]
    WrongType {
        table: &'static str,
        column: &'static str,
        expected: ColumnType,
        value: Value,
    },
    #[error("column {table}.{column} is not set")]
    Unset {
        table: &'static str,
        column: &'static str,
    },
    #[error("a row built for {built_for} cannot be written to {table}")]
    OtherTable {
        built_for: &'static str,
        table: &'static str,
    },
}

/// A row being built: [`Table::row`], then [`RowBuilder::set`] for every column, then
/// [`RowBuilder::finish`]. The first mistake is kept and reported by `finish`.
#[derive(Debug)]
#[must_use = "a row is only checked and made by `finish`"]
pub struct RowBuilder {
    table: &'static Table,
    key: Key,
    values: Vec<Option<Value>>,
    error: Option<RowError>,
}

impl Table {
    /// Starts a row of this table.
    pub fn row(&'static self, key: Key) -> RowBuilder {
        RowBuilder {
            table: self,
            key,
            values: vec![None; self.columns.len()],
            error: None,
        }
    }
}

impl RowBuilder {
    /// Sets `column` to `value` (NULL is allowed in every column; an integer in a real
    /// column is stored as a real).
    pub fn set(mut self, column: &str, value: impl Into<Value>) -> RowBuilder {
        if self.error.is_none() {
            self.error = self.place(column, value.into()).err();
        }
        self
    }

    fn place(&mut self, column: &str, value: Value) -> Result<(), RowError> {
        let table = self.table.name;
        let Some(index) = self.table.column_index(column) else {
            return Err(RowError::UnknownColumn {
                table,
                column: column.to_owned(),
            });
        };
        let (name, kind) = self.table.columns[index];
        let value = match (kind, value) {
            (_, Value::Null) => Value::Null,
            (ColumnType::Int, Value::Int(n)) => Value::Int(n),
            (ColumnType::Real, Value::Real(x)) => Value::Real(x),
            (ColumnType::Real, Value::Int(n)) => Value::Real(n as f64),
            (ColumnType::Text, Value::Text(s)) => Value::Text(s),
            (expected, value) => {
                return Err(RowError::WrongType {
                    table,
                    column: name,
                    expected,
                    value,
                });
            }
        };
        let slot = &mut self.values[index];
        if slot.is_some() {
            return Err(RowError::SetTwice {
                table,
                column: name,
            });
        }
        *slot = Some(value);
        Ok(())
    }

    /// The row, once every column is set exactly once with a value of its type.
    pub fn finish(
        self,
        raw: String,
        source_updated_at: Option<DateTime<Utc>>,
    ) -> Result<Row, RowError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let table = self.table;
        let values = self
            .values
            .into_iter()
            .zip(table.columns)
            .map(|(value, (column, _))| {
                value.ok_or(RowError::Unset {
                    table: table.name,
                    column,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Row {
            key: self.key,
            table,
            values,
            raw,
            source_updated_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{LEGAL_ENTITIES, ORG_UNITS};

    fn entity() -> RowBuilder {
        LEGAL_ENTITIES.row(Key::Int(1))
    }

    #[test]
    fn columns_land_in_the_tables_order_whatever_order_they_are_set_in() {
        let row = entity()
            .set("country", "DE")
            .set("name", "Acme")
            .finish("{}".into(), None)
            .unwrap();
        assert_eq!(row.values(), &[Value::text("Acme"), Value::text("DE")]);
    }

    #[test]
    fn a_forgotten_misspelt_or_repeated_column_is_an_error() {
        let unset = entity().set("name", "Acme").finish("{}".into(), None);
        assert_eq!(
            unset.unwrap_err(),
            RowError::Unset {
                table: "legal_entities",
                column: "country"
            }
        );
        let misspelt = entity()
            .set("name", "Acme")
            .set("contry", "DE")
            .finish("{}".into(), None);
        assert!(matches!(misspelt, Err(RowError::UnknownColumn { .. })));
        let twice = entity()
            .set("name", "Acme")
            .set("name", "Acme")
            .set("country", "DE")
            .finish("{}".into(), None);
        assert!(matches!(twice, Err(RowError::SetTwice { .. })));
    }

    #[test]
    fn text_in_an_integer_column_is_an_error_and_null_fits_anywhere() {
        let text = ORG_UNITS
            .row(Key::Int(1))
            .set("type", "department")
            .set("name", "Sales")
            .set("abbreviation", Value::Null)
            .set("description", None::<String>)
            .set("parent_id", "12")
            .finish("{}".into(), None);
        assert!(matches!(
            text,
            Err(RowError::WrongType {
                column: "parent_id",
                ..
            })
        ));
    }
}
