//! Pages of records as the API serves them, with each record's JSON built by the database
//! itself (`json_object` on SQLite, `json_build_object` on PostgreSQL): one text value per
//! record crosses into Rust instead of one owned value per column, and the API writes those
//! texts into its answer as they are. Employees bring their live employments and cost center
//! splits in the same statement (correlated subqueries on the `(company_id, employee_id, id)`
//! indexes, which give each person's rows in key order).
//!
//! Also what a page may be narrowed by: column filters (some of them through the person's
//! employments), a range of days on time records, and the fields to show.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::Row;

use crate::companies::CompanyId;
use crate::error::Result;
use crate::location::Location;
use crate::sql::built;
use crate::store::Store;
use crate::tables::{
    ABSENCE_PERIODS, ATTENDANCE_PERIODS, ColumnType, EMPLOYEE_COST_CENTERS, EMPLOYEES, EMPLOYMENTS,
    KeyType, Table, quote,
};
use crate::value::{Key, Value, timestamp};

/// The columns a list can be filtered by, where a table has them (or, for a person's records,
/// where their employments have them).
const FILTER_COLUMNS: &[&str] = &[
    "employee_id",
    "status",
    "absence_type_id",
    "project_id",
    "department",
    "department_id",
    "team",
    "team_id",
    "office",
    "office_id",
    "legal_entity",
    "legal_entity_id",
];

/// Employment columns that select a person's other records too (`status=active` on
/// employees, `department=Sales` on absence periods).
const EMPLOYMENT_FILTERS: &[&str] = &[
    "status",
    "department",
    "department_id",
    "team",
    "team_id",
    "office",
    "office_id",
    "legal_entity",
    "legal_entity_id",
];

/// The bookkeeping fields every record shows after its columns.
pub const BOOKKEEPING_FIELDS: &[&str] = &[
    "first_seen_at",
    "last_seen_at",
    "changed_at",
    "deleted_at",
    "out_of_filter_at",
];

/// The fields an employee shows after its bookkeeping: its live employments and cost center
/// splits.
pub const EMPLOYEE_CHILDREN: &[(&str, &Table)] = &[
    ("employments", &EMPLOYMENTS),
    ("cost_centers", &EMPLOYEE_COST_CENTERS),
];

/// A filter a list of `table` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filterable {
    /// The query parameter, which is also the column's name.
    pub name: &'static str,
    /// How its values are written.
    pub kind: ColumnType,
    /// Whether it selects by the person's live employments rather than a column of the table.
    pub through_employments: bool,
}

/// The filters a list of `table` accepts, in a fixed order.
pub fn filters_of(table: &Table) -> Vec<Filterable> {
    let person_owned = table.name == EMPLOYEES.name || table.column_index("employee_id").is_some();
    FILTER_COLUMNS
        .iter()
        .filter_map(|&name| {
            if let Some(i) = table.column_index(name) {
                return Some(Filterable {
                    name,
                    kind: table.columns[i].1,
                    through_employments: false,
                });
            }
            let i = EMPLOYMENT_FILTERS
                .contains(&name)
                .then(|| EMPLOYMENTS.column_index(name))
                .flatten()?;
            person_owned.then_some(Filterable {
                name,
                kind: EMPLOYMENTS.columns[i].1,
                through_employments: true,
            })
        })
        .collect()
}

/// How a range of days selects records of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaySpan {
    /// By the day the record starts (attendance periods).
    Starts,
    /// Records whose days overlap the range (absence periods, from `start` to `end`).
    Overlaps,
}

/// Whether (and how) `table` can be narrowed by `from`/`to`.
pub fn day_span_of(table: &Table) -> Option<DaySpan> {
    if table.name == ATTENDANCE_PERIODS.name {
        Some(DaySpan::Starts)
    } else if table.name == ABSENCE_PERIODS.name {
        Some(DaySpan::Overlaps)
    } else {
        None
    }
}

/// Every field a record of `table` shows, in the order it shows them.
pub fn fields_of(table: &Table) -> Vec<&'static str> {
    let mut fields = vec!["id"];
    fields.extend(table.columns.iter().map(|(name, _)| *name));
    fields.extend(BOOKKEEPING_FIELDS);
    if table.name == EMPLOYEES.name {
        fields.extend(EMPLOYEE_CHILDREN.iter().map(|(name, _)| *name));
    }
    fields
}

/// Only records whose `filter` column is one of `values`.
#[derive(Debug, Clone)]
pub struct FilterValues {
    pub filter: Filterable,
    pub values: Vec<Value>,
}

/// A page of one table.
#[derive(Debug, Clone, Default)]
pub struct PageQuery {
    /// Only records with a key after this one.
    pub after: Option<Key>,
    /// At most this many.
    pub limit: u32,
    /// Only records that changed at or after this.
    pub changed_since: Option<DateTime<Utc>>,
    /// Deleted and out-of-filter records too.
    pub include_removed: bool,
    /// Only records with these keys.
    pub keys: Option<Vec<Key>>,
    /// Every filter must match.
    pub filters: Vec<FilterValues>,
    /// Only records on or after this day (tables with a [`DaySpan`]).
    pub from: Option<NaiveDate>,
    /// Only records on or before this day.
    pub to: Option<NaiveDate>,
    /// The fields to show (`id` always); `None` shows every one.
    pub fields: Option<Vec<&'static str>>,
    /// Personio's JSON for the record, as `raw`.
    pub raw: bool,
}

/// One record of a page: its key and its JSON object.
#[derive(Debug, Clone)]
pub struct JsonRecord {
    pub key: Key,
    pub json: String,
}

/// A statement being built: its text and its parameters after `$1` (the company).
struct Statement {
    sql: String,
    binds: Vec<Value>,
}

impl Statement {
    /// The placeholder of a new parameter.
    fn bind(&mut self, value: Value) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len() + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Store {
    fn dialect(&self) -> Dialect {
        match self.location {
            Location::Sqlite(_) => Dialect::Sqlite,
            Location::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs `sql` with `$1` bound to `company` and `binds` after it.
    async fn fetch_for_company(
        &self,
        sql: String,
        company: CompanyId,
        binds: Vec<Value>,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let mut q = sqlx::query(built(sql)).bind(company.0);
        for value in binds {
            q = match value {
                Value::Int(n) => q.bind(n),
                Value::Text(s) => q.bind(s),
                Value::Real(x) => q.bind(x),
                Value::Null => q.bind(None::<String>),
            };
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// A page of `table` as JSON, in key order (for the API).
    pub async fn json_page(
        &self,
        company: CompanyId,
        table: &'static Table,
        query: &PageQuery,
    ) -> Result<Vec<JsonRecord>> {
        let dialect = self.dialect();
        let Some(statement) = page_statement(dialect, table, query) else {
            return Ok(Vec::new());
        };
        let rows = self
            .fetch_for_company(statement.sql, company, statement.binds)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(JsonRecord {
                    key: match table.key {
                        KeyType::Int => Key::Int(row.try_get(0)?),
                        KeyType::Text => Key::Text(row.try_get(0)?),
                    },
                    json: row.try_get(1)?,
                })
            })
            .collect()
    }

    /// Refreshes PostgreSQL's planner statistics (`ANALYZE`), as autovacuum does some time
    /// after large writes; nothing on SQLite, whose plans here are chosen without statistics.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Location::Postgres(_) = self.location {
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// The plan the database chooses for a page (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on
    /// PostgreSQL), one line per step, with `$1` bound to `company`.
    pub async fn json_page_plan(
        &self,
        company: CompanyId,
        table: &'static Table,
        query: &PageQuery,
    ) -> Result<Vec<String>> {
        let dialect = self.dialect();
        let Some(statement) = page_statement(dialect, table, query) else {
            return Ok(Vec::new());
        };
        let explain = match dialect {
            Dialect::Sqlite => format!("EXPLAIN QUERY PLAN {}", statement.sql),
            Dialect::Postgres => format!("EXPLAIN {}", statement.sql),
        };
        let rows = self
            .fetch_for_company(explain, company, statement.binds)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(match dialect {
                    Dialect::Sqlite => row.try_get::<String, _>("detail")?,
                    Dialect::Postgres => row.try_get::<String, _>(0)?,
                })
            })
            .collect()
    }
}

/// The statement of a page, or `None` when nothing can match (an empty key list).
fn page_statement(dialect: Dialect, table: &'static Table, query: &PageQuery) -> Option<Statement> {
    let mut st = Statement {
        sql: String::new(),
        binds: Vec::new(),
    };
    let shown = |field: &str| {
        field == "id"
            || query
                .fields
                .as_ref()
                .is_none_or(|fields| fields.contains(&field))
    };
    let mut pairs = vec![("id".to_owned(), "t.id".to_owned())];
    for (name, kind) in table.columns.iter().filter(|(name, _)| shown(name)) {
        pairs.push((
            (*name).to_owned(),
            column_json(dialect, &format!("t.{}", quote(name)), name, *kind),
        ));
    }
    for field in BOOKKEEPING_FIELDS.iter().filter(|f| shown(f)) {
        let value = match *field {
            "changed_at" => "COALESCE(c.changed_at, t.first_seen_at)".to_owned(),
            other => format!("t.{other}"),
        };
        pairs.push(((*field).to_owned(), value));
    }
    if table.name == EMPLOYEES.name {
        for (field, child) in EMPLOYEE_CHILDREN.iter().filter(|(f, _)| shown(f)) {
            pairs.push(((*field).to_owned(), children_json(dialect, child)));
        }
    }
    if query.raw {
        pairs.push(("raw".to_owned(), json_text(dialect, "t.raw")));
    }
    st.sql = format!(
        "SELECT t.id, {} AS record FROM {name} t{hint} \
         LEFT JOIN record_changes c ON c.company_id = t.company_id \
           AND c.table_name = '{name}' AND c.record_id = CAST(t.id AS TEXT) \
         WHERE t.company_id = $1",
        object(dialect, &pairs),
        name = table.name,
        hint = index_hint(dialect, table, query),
    );
    if !query.include_removed {
        st.sql
            .push_str(" AND t.deleted_at IS NULL AND t.out_of_filter_at IS NULL");
    }
    if let Some(after) = &query.after {
        let p = st.bind(key_value(after));
        st.sql.push_str(&format!(" AND t.id > {p}"));
    }
    if let Some(since) = query.changed_since {
        let p = st.bind(Value::Text(timestamp(since)));
        st.sql.push_str(&format!(
            " AND COALESCE(c.changed_at, t.first_seen_at) >= {p}"
        ));
    }
    if let Some(keys) = &query.keys {
        if keys.is_empty() {
            return None;
        }
        let list: Vec<String> = keys.iter().map(|k| st.bind(key_value(k))).collect();
        st.sql
            .push_str(&format!(" AND t.id IN ({})", list.join(", ")));
    }
    for FilterValues { filter, values } in &query.filters {
        if values.is_empty() {
            return None;
        }
        let list: Vec<String> = values.iter().map(|v| st.bind(v.clone())).collect();
        let list = list.join(", ");
        if filter.through_employments {
            let owner = if table.name == EMPLOYEES.name {
                "t.id"
            } else {
                "t.employee_id"
            };
            st.sql.push_str(&format!(
                " AND {owner} IN (SELECT e.employee_id FROM employments e \
                   WHERE e.company_id = $1 AND e.deleted_at IS NULL AND e.out_of_filter_at IS NULL \
                   AND e.{} IN ({list}))",
                quote(filter.name)
            ));
        } else {
            st.sql
                .push_str(&format!(" AND t.{} IN ({list})", quote(filter.name)));
        }
    }
    day_range(&mut st, dialect, table, query.from, query.to);
    let p = st.bind(Value::Int(i64::from(query.limit)));
    st.sql.push_str(&format!(" ORDER BY t.id LIMIT {p}"));
    Some(st)
}

/// Ranges up to this many days are read through the `(company_id, start)` index and sorted
/// by key; wider ones (a month of a year's periods) by walking the key index and skipping
/// what is outside, which stops after one page instead of reading and sorting the whole
/// range. Measured on a year of 200 people's attendance (73,000 periods, SQLite): a month
/// by the start index took 1.4 ms of CPU, by the key walk 0.15 ms; one day by the start index
/// 0.1 ms, by the key walk 3.7 ms.
const NARROW_RANGE_DAYS: i64 = 7;

/// Whether `from`/`to` span fewer than [`NARROW_RANGE_DAYS`] days.
fn is_narrow(from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    matches!((from, to), (Some(from), Some(to)) if (to - from).num_days() < NARROW_RANGE_DAYS)
}

/// On SQLite, which plans without statistics, a wide range of attendance walks the
/// `(company_id, id, start)` index: in key order like the primary key, but the periods of
/// other days are skipped in the index rather than after reading each one's row (measured on
/// a year of 200 people's attendance, a page of October: 1.8 ms through the primary key,
/// 0.3 ms through this index). The planner does not pick it by itself.
fn index_hint(dialect: Dialect, table: &Table, query: &PageQuery) -> &'static str {
    let wide = (query.from.is_some() || query.to.is_some()) && !is_narrow(query.from, query.to);
    if dialect == Dialect::Sqlite && wide && day_span_of(table) == Some(DaySpan::Starts) {
        " INDEXED BY attendance_periods_key_start"
    } else {
        ""
    }
}

/// `from`/`to` as bounds on the text of `start` (and `end`): local wall-clock times
/// `YYYY-MM-DDTHH:MM:SS` or days `YYYY-MM-DD`, whose text order is time order, so that the
/// `(company_id, start)` and `(company_id, employee_id, start)` indexes can serve the range.
fn day_range(
    st: &mut Statement,
    dialect: Dialect,
    table: &Table,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) {
    let Some(span) = day_span_of(table) else {
        return;
    };
    let narrow = is_narrow(from, to);
    // SQLite plans without statistics and takes the start index for any range; a unary `+`
    // keeps it from doing so for a wide one. PostgreSQL chooses by its statistics.
    let start = if dialect == Dialect::Sqlite && !narrow {
        "+t.\"start\""
    } else {
        "t.\"start\""
    };
    // The day after `to`: everything that starts before it starts on or before `to`.
    let before = to.and_then(|day| day.checked_add_days(Days::new(1)));
    match span {
        DaySpan::Starts => {
            if let Some(from) = from {
                let p = st.bind(Value::Text(from.to_string()));
                st.sql.push_str(&format!(" AND {start} >= {p}"));
            }
            if let Some(before) = before {
                let p = st.bind(Value::Text(before.to_string()));
                st.sql.push_str(&format!(" AND {start} < {p}"));
            }
        }
        DaySpan::Overlaps => {
            if let Some(before) = before {
                let p = st.bind(Value::Text(before.to_string()));
                st.sql.push_str(&format!(" AND {start} < {p}"));
            }
            if let Some(from) = from {
                // An absence without an end goes on.
                let p = st.bind(Value::Text(from.to_string()));
                st.sql
                    .push_str(&format!(" AND (t.\"end\" IS NULL OR t.\"end\" >= {p})"));
            }
        }
    }
}

fn key_value(key: &Key) -> Value {
    match key {
        Key::Int(n) => Value::Int(*n),
        Key::Text(s) => Value::Text(s.clone()),
    }
}

/// A JSON object of `(key, SQL expression)` pairs.
fn object(dialect: Dialect, pairs: &[(String, String)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("'{key}', {value}"))
        .collect();
    match dialect {
        Dialect::Sqlite => format!("json_object({})", body.join(", ")),
        // `json`, not `jsonb`: it keeps the keys in the order given. Read back as text (the
        // `Any` driver has no JSON type).
        Dialect::Postgres => format!("CAST(json_build_object({}) AS TEXT)", body.join(", ")),
    }
}

/// The JSON of column `expr`: a JSON document kept as text is served as JSON, and on SQLite a
/// real without a fraction is served as an integer (`40`, not `40.0`), as PostgreSQL and the
/// API have always written it.
fn column_json(dialect: Dialect, expr: &str, name: &str, kind: ColumnType) -> String {
    match (kind, dialect) {
        (ColumnType::Text, _) if is_json_column(name) => json_text(dialect, expr),
        (ColumnType::Real, Dialect::Sqlite) => format!(
            "CASE WHEN {expr} = CAST({expr} AS INTEGER) AND abs({expr}) < 9.0e15 \
             THEN CAST({expr} AS INTEGER) ELSE {expr} END"
        ),
        _ => expr.to_owned(),
    }
}

/// Text holding a JSON document, as JSON (as a string when it is not valid JSON).
fn json_text(dialect: Dialect, expr: &str) -> String {
    match dialect {
        Dialect::Sqlite => {
            format!("CASE WHEN json_valid({expr}) THEN json({expr}) ELSE {expr} END")
        }
        // Everything the store keeps as JSON text was written as JSON by the store itself.
        Dialect::Postgres => format!("CAST({expr} AS JSON)"),
    }
}

/// Columns that hold a JSON document rather than a string.
pub fn is_json_column(name: &str) -> bool {
    name == "custom_attributes"
}

/// The live records of `child` whose `employee_id` is the employee `t.id`, as a JSON array in
/// key order (each with every field, as the child's own list shows it).
fn children_json(dialect: Dialect, child: &Table) -> String {
    let mut pairs = vec![("id".to_owned(), "x.id".to_owned())];
    for (name, kind) in child.columns {
        pairs.push((
            (*name).to_owned(),
            column_json(dialect, &format!("x.{}", quote(name)), name, *kind),
        ));
    }
    for field in BOOKKEEPING_FIELDS {
        let value = match *field {
            "changed_at" => "COALESCE(xc.changed_at, x.first_seen_at)".to_owned(),
            other => format!("x.{other}"),
        };
        pairs.push(((*field).to_owned(), value));
    }
    let from = format!(
        "FROM {name} x LEFT JOIN record_changes xc ON xc.company_id = x.company_id \
           AND xc.table_name = '{name}' AND xc.record_id = CAST(x.id AS TEXT) \
         WHERE x.company_id = t.company_id AND x.employee_id = t.id \
           AND x.deleted_at IS NULL AND x.out_of_filter_at IS NULL",
        name = child.name
    );
    match dialect {
        // Ordered inside the aggregate (SQLite 3.44 and later; the bundled library is newer):
        // each element stays JSON without being printed and parsed again, as it was when a
        // subquery ordered the rows and `json()` read each one back.
        Dialect::Sqlite => format!(
            "(SELECT json_group_array({} ORDER BY x.id) {from})",
            object(dialect, &pairs)
        ),
        Dialect::Postgres => {
            let body: Vec<String> = pairs
                .iter()
                .map(|(key, value)| format!("'{key}', {value}"))
                .collect();
            format!(
                "(SELECT COALESCE(json_agg(json_build_object({}) ORDER BY x.id), CAST('[]' AS JSON)) {from})",
                body.join(", ")
            )
        }
    }
}
