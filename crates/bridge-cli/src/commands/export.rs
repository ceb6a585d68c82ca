//! `personio-bridge export`: a company's records as CSV or JSON Lines, page by page (any size
//! fits in memory), to stdout or atomically to a file.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use bridge_store::tables::{self, Table};
use bridge_store::{CompanyId, Key, Store, Value};
use clap::{Args, ValueEnum};
use serde_json::{Map, json};

use super::Ending;
use crate::context::Context;

/// Records per read from the store.
const PAGE: i64 = 2000;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub company: String,
    /// employees, absences, attendances, or a table: employments, employee_cost_centers, org_units,
    /// legal_entities, workplaces, cost_centers, absence_types, absence_periods, attendance_periods, balances,
    /// projects, project_members, compensation_types, compensations, custom_reports, custom_report_rows,
    /// document_categories, documents, recruiting_categories, recruiting_jobs, recruiting_candidates,
    /// recruiting_applications.
    #[arg(long)]
    pub resource: String,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Include records deleted in Personio or outside the filters (with their deleted_at).
    #[arg(long)]
    pub include_deleted: bool,
    /// Write here (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// Employee fields, in order; custom attributes follow by label.
const EMPLOYEE_FIELDS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "status",
    "position",
    "department",
    "team",
    "office",
    "legal_entity",
    "supervisor_id",
    "employment_type",
    "weekly_working_hours",
    "hire_date",
    "termination_date",
    "created_at",
    "updated_at",
    "deleted_at",
];

pub async fn run(args: ExportArgs, context: &Context) -> anyhow::Result<Ending> {
    let store = context.store().await?;
    let company = store.company(&args.company).await?;
    let (mut out, temp): (Box<dyn Write>, Option<PathBuf>) = match &args.out {
        Some(path) => {
            let temp = path.with_extension(format!("tmp-{}", std::process::id()));
            let file = std::fs::File::create(&temp)
                .with_context(|| format!("could not create {}", temp.display()))?;
            (Box::new(std::io::BufWriter::new(file)), Some(temp))
        }
        None => (
            Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            None,
        ),
    };
    let mut writer = Writer::new(&mut out, args.format);
    let result = match args.resource.as_str() {
        "employees" => employees(&store, company.id, args.include_deleted, &mut writer).await,
        "absences" => absences(&store, company.id, args.include_deleted, &mut writer).await,
        "attendances" => attendances(&store, company.id, args.include_deleted, &mut writer).await,
        other => match tables::by_name(other) {
            Some(table) => {
                table_rows(&store, company.id, table, args.include_deleted, &mut writer).await
            }
            None => bail!(
                "unknown --resource {other:?}: use employees, absences, attendances, or one of {}",
                tables::ALL
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    result.and_then(|()| writer.finish())?;
    store
        .audit_or_warn(
            bridge_store::AuditEvent::new(super::cli_actor(), bridge_store::audit_action::EXPORT)
                .company(company.name.clone())
                .resource(args.resource.clone()),
        )
        .await;
    drop(writer);
    out.flush()?;
    drop(out);
    if let (Some(temp), Some(path)) = (temp, &args.out) {
        std::fs::rename(&temp, path)
            .with_context(|| format!("could not move the export into {}", path.display()))?;
    }
    Ok(Ending::Done)
}

/// Writes rows with a fixed header as CSV or JSON Lines.
struct Writer<'w> {
    out: &'w mut dyn Write,
    format: ExportFormat,
    header: Vec<String>,
}

impl<'w> Writer<'w> {
    fn new(out: &'w mut dyn Write, format: ExportFormat) -> Self {
        Writer {
            out,
            format,
            header: Vec::new(),
        }
    }

    fn header(&mut self, fields: Vec<String>) -> anyhow::Result<()> {
        if self.format == ExportFormat::Csv {
            self.out.write_all(&csv_line(fields.iter().cloned())?)?;
        }
        self.header = fields;
        Ok(())
    }

    fn row(&mut self, values: Vec<serde_json::Value>) -> anyhow::Result<()> {
        match self.format {
            ExportFormat::Csv => self
                .out
                .write_all(&csv_line(values.iter().map(csv_text))?)?,
            ExportFormat::Jsonl => {
                let object: Map<String, serde_json::Value> =
                    self.header.iter().cloned().zip(values).collect();
                serde_json::to_writer(&mut *self.out, &object)?;
                self.out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        Ok(self.out.flush()?)
    }
}

/// One CSV record, quoted as needed.
fn csv_line(fields: impl Iterator<Item = String>) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields)?;
    writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn csv_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_of(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Int(n) => json!(n),
        Value::Real(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(*x as i64),
        Value::Real(x) => json!(x),
        Value::Text(s) => json!(s),
    }
}

/// A stored timestamp as users expect it: whole seconds stay whole (`...:30Z`).
fn time(text: Option<String>) -> serde_json::Value {
    match text {
        Some(t) => json!(
            t.strip_suffix(".000Z")
                .map(|s| format!("{s}Z"))
                .unwrap_or(t)
        ),
        None => serde_json::Value::Null,
    }
}

fn column<'a>(table: &Table, values: &'a [Value], name: &str) -> &'a Value {
    table
        .column_index(name)
        .map(|i| &values[i])
        .unwrap_or(&Value::Null)
}

async fn employees(
    store: &Store,
    company: CompanyId,
    include_deleted: bool,
    writer: &mut Writer<'_>,
) -> anyhow::Result<()> {
    let labels = store.custom_attribute_labels(company).await?;
    let mut header: Vec<String> = EMPLOYEE_FIELDS.iter().map(|s| (*s).to_owned()).collect();
    header.extend(labels.iter().cloned());
    writer.header(header)?;
    let mut after = None;
    loop {
        let page = store
            .employee_records(company, after, PAGE, include_deleted)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for record in page {
            let person = |name: &str| json_of(column(&tables::EMPLOYEES, &record.employee, name));
            let job = |name: &str| {
                record
                    .employment
                    .as_deref()
                    .map(|v| json_of(column(&tables::EMPLOYMENTS, v, name)))
                    .unwrap_or(serde_json::Value::Null)
            };
            let status = match job("status") {
                serde_json::Value::String(s) => json!(s.to_ascii_lowercase()),
                other => other,
            };
            let mut values = vec![
                json!(record.id),
                person("first_name"),
                person("last_name"),
                person("preferred_name"),
                person("email"),
                status,
                job("position"),
                job("department"),
                job("team"),
                job("office"),
                job("legal_entity"),
                job("supervisor_id"),
                job("employment_type"),
                job("weekly_working_hours"),
                job("hire_date"),
                job("termination_date"),
                time(
                    match column(&tables::EMPLOYEES, &record.employee, "source_created_at") {
                        Value::Text(t) => Some(t.clone()),
                        _ => None,
                    },
                ),
                time(record.source_updated_at.clone()),
                time(record.deleted_at.clone()),
            ];
            values.extend(labels.iter().map(|label| {
                record
                    .custom_attributes
                    .get(label)
                    .cloned()
                    .unwrap_or(serde_json::Value::Null)
            }));
            writer.row(values)?;
        }
    }
    Ok(())
}

async fn absences(
    store: &Store,
    company: CompanyId,
    include_deleted: bool,
    writer: &mut Writer<'_>,
) -> anyhow::Result<()> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut after: Option<Key> = None;
    loop {
        let page = store
            .records(company, &tables::ABSENCE_TYPES, after.as_ref(), PAGE, true)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        for record in page {
            if let Value::Text(name) = column(&tables::ABSENCE_TYPES, &record.values, "name") {
                types.insert(record.key.to_string(), name.clone());
            }
        }
    }
    let table = &tables::ABSENCE_PERIODS;
    writer.header(
        [
            "id",
            "employee_id",
            "type",
            "start",
            "end",
            "status",
            "updated_at",
            "deleted_at",
        ]
        .map(String::from)
        .to_vec(),
    )?;
    let mut after: Option<Key> = None;
    loop {
        let page = store
            .records(company, table, after.as_ref(), PAGE, include_deleted)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        for record in page {
            let value = |name: &str| json_of(column(table, &record.values, name));
            let type_name = match column(table, &record.values, "absence_type_id") {
                Value::Text(id) => types.get(id).map(|n| json!(n)).unwrap_or(json!(id)),
                _ => serde_json::Value::Null,
            };
            writer.row(vec![
                json!(record.key.to_string()),
                value("employee_id"),
                type_name,
                value("start"),
                value("end"),
                value("status"),
                time(record.source_updated_at.clone()),
                time(record.deleted_at.clone()),
            ])?;
        }
    }
    Ok(())
}

async fn attendances(
    store: &Store,
    company: CompanyId,
    include_deleted: bool,
    writer: &mut Writer<'_>,
) -> anyhow::Result<()> {
    let table = &tables::ATTENDANCE_PERIODS;
    writer.header(
        [
            "id",
            "employee_id",
            "start",
            "end",
            "break_minutes",
            "status",
            "project_id",
            "updated_at",
            "deleted_at",
        ]
        .map(String::from)
        .to_vec(),
    )?;
    let mut after: Option<Key> = None;
    loop {
        let page = store
            .records(company, table, after.as_ref(), PAGE, include_deleted)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        for record in page {
            // Breaks are folded into their work period's break_minutes.
            if matches!(column(table, &record.values, "type"), Value::Text(t) if t.eq_ignore_ascii_case("BREAK"))
            {
                continue;
            }
            let value = |name: &str| json_of(column(table, &record.values, name));
            writer.row(vec![
                json!(record.key.to_string()),
                value("employee_id"),
                value("start"),
                value("end"),
                value("break_minutes"),
                value("status"),
                value("project_id"),
                time(record.source_updated_at.clone()),
                time(record.deleted_at.clone()),
            ])?;
        }
    }
    Ok(())
}

async fn table_rows(
    store: &Store,
    company: CompanyId,
    table: &'static Table,
    include_deleted: bool,
    writer: &mut Writer<'_>,
) -> anyhow::Result<()> {
    let mut header = vec!["id".to_owned()];
    header.extend(table.columns.iter().map(|(c, _)| (*c).to_owned()));
    header.extend(["source_updated_at", "deleted_at"].map(String::from));
    writer.header(header)?;
    let mut after: Option<Key> = None;
    loop {
        let page = store
            .records(company, table, after.as_ref(), PAGE, include_deleted)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        for record in page {
            let mut values = vec![json!(record.key)];
            values.extend(record.values.iter().map(json_of));
            values.push(time(record.source_updated_at.clone()));
            values.push(time(record.deleted_at.clone()));
            writer.row(values)?;
        }
    }
    Ok(())
}
