//! Custom reports → v1 `Report` objects and v2 report tables. Cells are computed from the
//! company as it is now, from every attribute: reports ignore readable attributes.

use chrono::NaiveDate;
use personio_api::v1::{
    Column as WireColumn, LooseNumber, Report as WireReport, ReportAttributes, ReportCell,
    ReportCostCenter, ReportFilter, ReportItem,
};
use personio_api::v2::{
    Cell, NumericValue, OptionEntry, OptionsValue, ReportAttribute, ReportSummary, StringValue,
    TableColumn,
};
use serde_json::{Value, json};

use super::v2_timestamp;
use crate::company::{
    CellType, ColumnSource, Company, CustomValue, Employee, Report, ReportColumn, ReportKind,
};

/// `de` shows German column labels; anything else English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    En,
    De,
}

impl Locale {
    pub(crate) fn parse(text: Option<&str>) -> Locale {
        match text.map(|t| t.trim().to_ascii_lowercase()) {
            Some(t) if t == "de" || t.starts_with("de-") || t.starts_with("de_") => Locale::De,
            _ => Locale::En,
        }
    }
}

pub(crate) fn column(column: &ReportColumn, locale: Locale) -> WireColumn {
    WireColumn {
        attribute_id: column.id.clone(),
        human_readable: match locale {
            Locale::En => column.label_en.clone(),
            Locale::De => column.label_de.clone(),
        },
        data_type: column.cell.as_str().to_owned(),
    }
}

/// The people a report shows, by id.
pub(crate) fn rows<'a>(company: &'a Company, report: &Report) -> Vec<&'a Employee> {
    company
        .employees
        .iter()
        .filter(|e| report.statuses.is_empty() || report.statuses.contains(&e.status.as_str()))
        .collect()
}

/// A report's description; `items` are added for a report by id.
pub(crate) fn report(company: &Company, report: &Report, today: NaiveDate) -> WireReport {
    let author = report.author_id.and_then(|id| company.employee(id));
    let (start, end) = report.period(today);
    WireReport {
        kind: "Report".into(),
        attributes: ReportAttributes {
            id: report.id.to_string(),
            name: report.name.to_owned(),
            description: Some(report.description.to_owned()),
            author_first_name: author.map(|a| a.first_name.clone()),
            author_last_name: author.map(|a| a.last_name.clone()),
            kind: report.kind.as_str().to_owned(),
            status: report.status.to_owned(),
            start_date: Some(start.to_string()),
            end_date: Some(end.to_string()),
            created_at: Some(v2_timestamp(report.created_at)),
            updated_at: Some(v2_timestamp(report.updated_at)),
            data_refreshed_at: Some(v2_timestamp(
                report
                    .updated_at
                    .max(today.and_hms_opt(5, 0, 0).unwrap_or_default().and_utc()),
            )),
            columns: report.columns.clone(),
            filters: if report.statuses.len() == 1 {
                vec![ReportFilter {
                    column: "status".into(),
                    comparison: "eq".into(),
                    value: json!(report.statuses[0]),
                }]
            } else {
                Vec::new()
            },
            period_type: Some(report.period_type.to_owned()),
            archival_status: Some("live".into()),
            archived_at: Some(None),
            items: None,
        },
    }
}

/// One person's row of a report.
pub(crate) fn item(
    company: &Company,
    report: &Report,
    e: &Employee,
    today: NaiveDate,
) -> ReportItem {
    let columns = report
        .columns
        .iter()
        .filter_map(|id| company.report_column(id));
    if report.kind == ReportKind::Historical {
        let cells = columns.flat_map(|c| history(company, c, e)).collect();
        ReportItem {
            employee_id: e.id,
            attributes: None,
            historical_attributes: Some(cells),
        }
    } else {
        let period = report.period(today);
        ReportItem {
            employee_id: e.id,
            attributes: Some(columns.map(|c| cell(company, c, e, period)).collect()),
            historical_attributes: None,
        }
    }
}

fn text_cell(column: &ReportColumn, e: &Employee, value: impl Into<Value>) -> ReportCell {
    ReportCell {
        attribute_id: column.id.clone(),
        data_type: CellType::Text.as_str().into(),
        employee_id: Some(e.id),
        value: Some(value.into()),
        ..Default::default()
    }
}

fn entity_cell(column: &ReportColumn, e: &Employee, entity: Option<(i64, String)>) -> ReportCell {
    let (id, name) = entity.map_or((String::new(), String::new()), |(id, n)| {
        (id.to_string(), n)
    });
    ReportCell {
        attribute_id: column.id.clone(),
        data_type: CellType::Entity.as_str().into(),
        employee_id: Some(e.id),
        entity_id: Some(json!(id)),
        value: Some(json!(name)),
        ..Default::default()
    }
}

fn entity(company: &Company, e: &Employee, key: &str) -> Option<(i64, String)> {
    match key {
        "subcompany" => company
            .legal_entity(e.legal_entity_id)
            .map(|x| (x.id, x.name.clone())),
        "office" => e
            .office_id
            .and_then(|id| company.office(id))
            .map(|o| (o.id, o.name.to_owned())),
        "department" => e
            .department_id
            .and_then(|id| company.org_unit(id))
            .map(|u| (u.id, u.name.clone())),
        "team" => e
            .team_id
            .and_then(|id| company.org_unit(id))
            .map(|u| (u.id, u.name.clone())),
        "supervisor" => e
            .supervisor_id
            .and_then(|id| company.employee(id))
            .map(|s| (s.id, s.full_name())),
        _ => None,
    }
}

fn currency_symbol(code: &str) -> &'static str {
    match code {
        "EUR" => "€",
        "GBP" => "£",
        "USD" => "$",
        "CHF" => "CHF",
        _ => "",
    }
}

/// A number as report cells write it: `"4200.00"` for money, `"12"`/`"7.5"` for counts.
fn count_text(value: f64) -> LooseNumber {
    if value.fract() == 0.0 {
        LooseNumber::Text(format!("{value:.0}"))
    } else {
        LooseNumber::Text(format!("{value}"))
    }
}

fn cell(
    company: &Company,
    column: &ReportColumn,
    e: &Employee,
    period: (NaiveDate, NaiveDate),
) -> ReportCell {
    match (column.source, column.cell) {
        (ColumnSource::Standard(key), CellType::Entity) => {
            entity_cell(column, e, entity(company, e, key))
        }
        (ColumnSource::Standard(_), CellType::CostCenter) => ReportCell {
            attribute_id: column.id.clone(),
            data_type: CellType::CostCenter.as_str().into(),
            employee_id: Some(e.id),
            cost_centers: Some(
                e.cost_centers
                    .iter()
                    .map(|&(id, share)| ReportCostCenter {
                        cost_center_id: json!(id.to_string()),
                        value: company
                            .cost_center(id)
                            .map(|c| c.name.clone())
                            .unwrap_or_default(),
                        weight: format!("{}%", super::number(share)),
                    })
                    .collect(),
            ),
            ..Default::default()
        },
        (ColumnSource::Standard(key), CellType::Salary) => {
            let currency = company
                .legal_entity(e.legal_entity_id)
                .map_or("EUR", |le| le.currency);
            let amount = if key == "hourly_salary" {
                e.hourly_salary
            } else {
                e.fix_salary
            };
            ReportCell {
                attribute_id: column.id.clone(),
                data_type: CellType::Salary.as_str().into(),
                employee_id: Some(e.id),
                amount: Some(LooseNumber::Text(format!("{amount:.2}"))),
                currency_symbol: Some(currency_symbol(currency).to_owned()),
                ..Default::default()
            }
        }
        (ColumnSource::Standard(_), CellType::Duration) => ReportCell {
            attribute_id: column.id.clone(),
            data_type: CellType::Duration.as_str().into(),
            employee_id: Some(e.id),
            // The document types a duration as an integer and no answer in the field shows
            // a fraction, so a 37.5-hour week reads 38 here (unsure: Personio may round,
            // truncate or use another unit; personio-api.md §2.7 records no fractional one).
            duration: serde_json::to_value(super::number(e.weekly_hours.round()))
                .ok()
                .and_then(|v| serde_json::from_value(v).ok()),
            ..Default::default()
        },
        (ColumnSource::Standard(key), _) => text_cell(column, e, standard_text(e, key)),
        (ColumnSource::Custom(id), _) => text_cell(
            column,
            e,
            match e.custom_value(id) {
                None => String::new(),
                Some(CustomValue::Text(s)) => s.clone(),
                Some(CustomValue::Date(d)) => d.to_string(),
                Some(CustomValue::Integer(n)) => n.to_string(),
                Some(CustomValue::Decimal(x)) => super::number(*x).to_string(),
                Some(CustomValue::Tags(tags)) => tags.join(", "),
            },
        ),
        (ColumnSource::Absence(type_id), _) => {
            let days = company.absence_taken(e.id, type_id);
            let hours_per_day = e.weekly_hours / 5.0;
            ReportCell {
                attribute_id: column.id.clone(),
                data_type: CellType::AbsenceOverview.as_str().into(),
                employee_id: Some(e.id),
                start_date: Some(period.0.to_string()),
                end_date: Some(period.1.to_string()),
                duration_days: Some(count_text(days)),
                duration_hours: Some(count_text((days * hours_per_day * 100.0).round() / 100.0)),
                ..Default::default()
            }
        }
    }
}

fn standard_text(e: &Employee, key: &str) -> String {
    match key {
        "first_name" => e.first_name.clone(),
        "last_name" => e.last_name.clone(),
        "email" => e.email.clone(),
        "gender" => e.gender.map_or("", |g| g.as_str()).to_owned(),
        "status" => e.status.as_str().to_owned(),
        "position" => e.position.clone(),
        "employment_type" => e.employment_type.as_str().to_owned(),
        "hire_date" => e.hire_date.to_string(),
        "termination_date" => e
            .termination
            .as_ref()
            .map_or_else(String::new, |t| t.date.to_string()),
        _ => String::new(),
    }
}

/// The values a column took over time, each with the day it took effect.
fn history(company: &Company, column: &ReportColumn, e: &Employee) -> Vec<ReportCell> {
    let changed = |key: &str| {
        let at = e.attribute_changed_at(key);
        if at > e.created_at {
            at.date_naive().max(e.hire_date)
        } else {
            e.hire_date
        }
    };
    let dated = |mut cell: ReportCell, day: NaiveDate| {
        cell.effective_date = Some(day.to_string());
        cell
    };
    match column.source {
        ColumnSource::Standard("position") => {
            let mut cells: Vec<ReportCell> = company
                .reports
                .earlier_positions
                .get(&e.id)
                .into_iter()
                .flatten()
                .filter(|(_, title)| *title != e.position)
                .map(|(since, title)| dated(text_cell(column, e, title.clone()), *since))
                .collect();
            cells.push(dated(
                text_cell(column, e, e.position.clone()),
                changed("position"),
            ));
            cells
        }
        ColumnSource::Standard(key) if column.cell == CellType::Entity => {
            vec![dated(
                entity_cell(column, e, entity(company, e, key)),
                changed(key),
            )]
        }
        _ => {
            let today = company.as_of.date_naive();
            vec![dated(cell(company, column, e, (today, today)), e.hire_date)]
        }
    }
}

/// Reporting v2: one entry of `GET /v2/reports`.
pub(crate) fn summary(report: &Report) -> ReportSummary {
    ReportSummary {
        id: report.id.to_string(),
        name: report.name.to_owned(),
        description: Some(report.description.to_owned()),
        created_at: Some(v2_timestamp(report.created_at)),
        updated_at: Some(v2_timestamp(report.updated_at)),
    }
}

/// Reporting v2's column type for a v1 cell type.
fn v2_type(cell: CellType) -> &'static str {
    match cell {
        CellType::Text => "string",
        CellType::Entity | CellType::CostCenter => "option",
        CellType::Salary | CellType::AbsenceOverview | CellType::Duration => "decimal",
    }
}

pub(crate) fn table_column(column: &ReportColumn) -> TableColumn {
    TableColumn {
        name: column.id.clone(),
        display: column.label_en.clone(),
        kind: v2_type(column.cell).to_owned(),
    }
}

pub(crate) fn attribute(column: &ReportColumn) -> ReportAttribute {
    ReportAttribute {
        name: column.id.clone(),
        display: column.label_en.clone(),
        kind: v2_type(column.cell).to_owned(),
        filterable: matches!(column.cell, CellType::Text | CellType::Entity),
    }
}

/// Reporting v2: one row, positional, as of today (historical reports show current values).
pub(crate) fn table_row(
    company: &Company,
    report: &Report,
    e: &Employee,
    today: NaiveDate,
) -> Vec<Cell> {
    let period = report.period(today);
    report
        .columns
        .iter()
        .filter_map(|id| company.report_column(id))
        .map(|column| {
            let v1 = cell(company, column, e, period);
            let mut out = Cell {
                attribute_id: column.id.clone(),
                string_value: None,
                numeric_value: None,
                options_value: None,
            };
            match column.cell {
                CellType::Text => {
                    out.string_value = Some(StringValue {
                        value: v1
                            .value
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                    })
                }
                CellType::Entity => {
                    let key = v1
                        .entity_id
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    let value = v1
                        .value
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    out.options_value = Some(OptionsValue {
                        options: if key.is_empty() {
                            Vec::new()
                        } else {
                            vec![OptionEntry { key, value }]
                        },
                    })
                }
                CellType::CostCenter => {
                    out.options_value = Some(OptionsValue {
                        options: v1
                            .cost_centers
                            .unwrap_or_default()
                            .into_iter()
                            .map(|c| OptionEntry {
                                key: c.cost_center_id.as_str().unwrap_or_default().to_owned(),
                                value: c.value,
                            })
                            .collect(),
                    })
                }
                CellType::Salary => {
                    out.numeric_value = v1
                        .amount
                        .and_then(|a| a.value())
                        .map(|number| NumericValue { number })
                }
                CellType::AbsenceOverview => {
                    out.numeric_value = v1
                        .duration_days
                        .and_then(|a| a.value())
                        .map(|number| NumericValue { number })
                }
                CellType::Duration => {
                    out.numeric_value = v1
                        .duration
                        .and_then(|a| a.value())
                        .map(|number| NumericValue { number })
                }
            }
            out
        })
        .collect()
}
