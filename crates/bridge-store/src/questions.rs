//! Answers to the questions people ask of an HR system, read from the synced tables: who is
//! who (a person, their current employment and supervisor, the org chart), who is absent
//! when, how much someone worked, balances, projects and their members, and how fresh each
//! answer is. Shaped for callers that show a few records at a time (the MCP tools): each
//! list is ordered by a key and continues after the last key shown.
//!
//! A person's current employment is their live employment that started last (hire date,
//! then id): v1 gives one per person, v2 one per contract. Every query starts from an index
//! of the table it reads (the company's key, `employee_id`, `employee_id, start`,
//! `project_id`); employments are read by company, a few thousand rows at most.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::companies::CompanyId;
use crate::error::Result;
use crate::sql::built;
use crate::store::Store;

/// The current employment of the person joined as `p`, as a join condition on `e`.
const CURRENT_EMPLOYMENT: &str = "e.company_id = p.company_id AND e.employee_id = p.id \
    AND e.deleted_at IS NULL AND e.out_of_filter_at IS NULL \
    AND NOT EXISTS (SELECT 1 FROM employments l WHERE l.company_id = e.company_id \
      AND l.employee_id = e.employee_id AND l.deleted_at IS NULL AND l.out_of_filter_at IS NULL \
      AND (COALESCE(l.hire_date, '') > COALESCE(e.hire_date, '') \
        OR (COALESCE(l.hire_date, '') = COALESCE(e.hire_date, '') AND l.id > e.id)))";

const LIVE_PERSON: &str = "p.deleted_at IS NULL AND p.out_of_filter_at IS NULL";

const PERSON_COLUMNS: &str = "p.id, p.first_name, p.last_name, p.preferred_name, p.email, \
    e.status, e.position, e.department, e.team, e.office, e.supervisor_id";

/// Which people to find; every filter given must match (text filters ignore case).
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Part of the first and last name, or of the preferred name.
    pub name: Option<String>,
    /// The whole e-mail address.
    pub email: Option<String>,
    /// The current employment's department, team, office and status, by name.
    pub department: Option<String>,
    pub team: Option<String>,
    pub office: Option<String>,
    pub status: Option<String>,
    /// Only people with an id above this one.
    pub after: Option<i64>,
    pub limit: u32,
}

/// A person as lists show them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonSummary {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub status: Option<String>,
    pub position: Option<String>,
    pub department: Option<String>,
    pub team: Option<String>,
    pub office: Option<String>,
    pub supervisor_id: Option<i64>,
}

/// A person with their current employment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonDetail {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub preferred_name: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub employment: Option<Employment>,
    pub supervisor: Option<PersonRef>,
    /// Personio's custom attributes as stored (JSON), for callers allowed to see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<serde_json::Value>,
}

/// A person's current employment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Employment {
    pub id: String,
    pub status: Option<String>,
    pub position: Option<String>,
    pub employment_type: Option<String>,
    pub weekly_working_hours: Option<f64>,
    pub hire_date: Option<String>,
    pub probation_end_date: Option<String>,
    pub contract_end_date: Option<String>,
    pub termination_date: Option<String>,
    pub last_working_day: Option<String>,
    pub legal_entity: Option<String>,
    pub office: Option<String>,
    pub department: Option<String>,
    pub team: Option<String>,
    pub supervisor_id: Option<i64>,
}

/// A person named in another answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

/// One person of an org chart, `depth` levels below its top (the top is 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgMember {
    pub id: i64,
    pub name: String,
    pub position: Option<String>,
    pub department: Option<String>,
    pub team: Option<String>,
    pub supervisor_id: Option<i64>,
    pub depth: u32,
}

/// Where an org chart starts.
#[derive(Debug, Clone, PartialEq)]
pub enum OrgRoot {
    /// A person and everyone reporting to them, directly or not.
    Person(i64),
    /// The people of a department (by name), from those whose supervisor is outside it.
    Department(String),
}

/// Who is absent between two days.
#[derive(Debug, Clone, Default)]
pub struct AbsenceFilter {
    /// First and last day, `YYYY-MM-DD`, both included.
    pub from: String,
    pub to: String,
    /// The absent person's current department or team, by name.
    pub department: Option<String>,
    pub team: Option<String>,
    /// An absence type's id or name.
    pub absence_type: Option<String>,
    /// Continue after this (start, absence id).
    pub after: Option<(String, String)>,
    pub limit: u32,
}

/// One absence overlapping the days asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Absent {
    pub absence_id: String,
    pub person: PersonRef,
    pub department: Option<String>,
    pub team: Option<String>,
    pub absence_type: Option<String>,
    pub absence_type_id: Option<String>,
    pub start: String,
    pub end: Option<String>,
    pub start_half: Option<String>,
    pub end_half: Option<String>,
    pub status: Option<String>,
}

/// One attendance period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub start: String,
    pub end: Option<String>,
    pub break_minutes: Option<i64>,
    pub project_id: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Balance {
    pub absence_type_id: i64,
    pub absence_type: Option<String>,
    pub category: Option<String>,
    pub balance: Option<f64>,
    pub available: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbsenceTypeInfo {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectInfo {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    pub status: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub assigned_to_all: bool,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompensationEntry {
    pub id: String,
    pub compensation_type: Option<String>,
    pub category: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub pay_interval: Option<String>,
    pub effective_from: Option<String>,
}

/// When a resource was last written by a sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Freshness {
    /// The sync's resource (`employees`, `absences`, `org_units.department`, ...).
    pub resource: String,
    /// The last time a sync stored a page of it or finished reading it.
    pub synced_at: String,
    /// A reading of it is under way (or was cut off and resumes with the next sync).
    pub in_progress: bool,
}

/// A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally. Text is
/// compared lowercased in ASCII only, as SQLite's `LOWER` does.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_ascii_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A person's name as people say it: preferred (or first) name and last name.
fn display_name(first: Option<String>, last: Option<String>, preferred: Option<String>) -> String {
    let first = preferred.filter(|p| !p.trim().is_empty()).or(first);
    [first, last]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn person_from(row: &AnyRow) -> Result<PersonSummary> {
    Ok(PersonSummary {
        id: row.try_get("id")?,
        name: display_name(
            row.try_get("first_name")?,
            row.try_get("last_name")?,
            row.try_get("preferred_name")?,
        ),
        email: row.try_get("email")?,
        status: row.try_get("status")?,
        position: row.try_get("position")?,
        department: row.try_get("department")?,
        team: row.try_get("team")?,
        office: row.try_get("office")?,
        supervisor_id: row.try_get("supervisor_id")?,
    })
}

/// Parameters of a statement built piece by piece, numbered from `$2` (`$1` is the company).
#[derive(Default)]
struct Params(Vec<Param>);

enum Param {
    Int(i64),
    Text(String),
}

impl Params {
    fn int(&mut self, n: i64) -> String {
        self.0.push(Param::Int(n));
        format!("${}", self.0.len() + 1)
    }

    fn text(&mut self, s: impl Into<String>) -> String {
        self.0.push(Param::Text(s.into()));
        format!("${}", self.0.len() + 1)
    }

    async fn fetch(self, store: &Store, company: CompanyId, sql: String) -> Result<Vec<AnyRow>> {
        let mut query = sqlx::query(built(sql)).bind(company.0);
        for param in self.0 {
            query = match param {
                Param::Int(n) => query.bind(n),
                Param::Text(s) => query.bind(s),
            };
        }
        Ok(query.fetch_all(&store.pool).await?)
    }
}

impl Store {
    /// People matching `filter`, by id.
    pub async fn find_people(
        &self,
        company: CompanyId,
        filter: &PeopleFilter,
    ) -> Result<Vec<PersonSummary>> {
        let mut params = Params::default();
        let mut sql = format!(
            "SELECT {PERSON_COLUMNS} FROM employees p LEFT JOIN employments e ON {CURRENT_EMPLOYMENT} \
             WHERE p.company_id = $1 AND {LIVE_PERSON}"
        );
        if let Some(after) = filter.after {
            sql.push_str(&format!(" AND p.id > {}", params.int(after)));
        }
        if let Some(name) = &filter.name {
            let p = params.text(contains_pattern(name));
            sql.push_str(&format!(
                " AND (LOWER(COALESCE(p.first_name, '') || ' ' || COALESCE(p.last_name, '')) LIKE {p} ESCAPE '\\' \
                 OR LOWER(COALESCE(p.preferred_name, '') || ' ' || COALESCE(p.last_name, '')) LIKE {p} ESCAPE '\\')"
            ));
        }
        for (column, value) in [
            ("p.email", &filter.email),
            ("e.department", &filter.department),
            ("e.team", &filter.team),
            ("e.office", &filter.office),
            ("e.status", &filter.status),
        ] {
            if let Some(value) = value {
                let p = params.text(value.to_ascii_lowercase());
                sql.push_str(&format!(" AND LOWER({column}) = {p}"));
            }
        }
        sql.push_str(&format!(
            " ORDER BY p.id LIMIT {}",
            params.int(i64::from(filter.limit))
        ));
        params
            .fetch(self, company, sql)
            .await?
            .iter()
            .map(person_from)
            .collect()
    }

    /// One live person with their current employment and supervisor; `None` when the
    /// company has no such person.
    pub async fn person(
        &self,
        company: CompanyId,
        id: i64,
        with_custom_attributes: bool,
    ) -> Result<Option<PersonDetail>> {
        let row = sqlx::query(built(format!(
            "SELECT p.id, p.first_name, p.last_name, p.preferred_name, p.email, p.language, \
               p.custom_attributes, e.id AS employment_id, e.status, e.position, e.employment_type, \
               e.weekly_working_hours, e.hire_date, e.probation_end_date, e.contract_end_date, \
               e.termination_date, e.last_working_day, e.legal_entity, e.office, e.department, \
               e.team, e.supervisor_id, s.first_name AS s_first, s.last_name AS s_last, \
               s.preferred_name AS s_preferred \
             FROM employees p LEFT JOIN employments e ON {CURRENT_EMPLOYMENT} \
             LEFT JOIN employees s ON s.company_id = p.company_id AND s.id = e.supervisor_id \
             WHERE p.company_id = $1 AND p.id = $2 AND {LIVE_PERSON}"
        )))
        .bind(company.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let employment = match row.try_get::<Option<String>, _>("employment_id")? {
            Some(employment_id) => Some(Employment {
                id: employment_id,
                status: row.try_get("status")?,
                position: row.try_get("position")?,
                employment_type: row.try_get("employment_type")?,
                weekly_working_hours: row.try_get("weekly_working_hours")?,
                hire_date: row.try_get("hire_date")?,
                probation_end_date: row.try_get("probation_end_date")?,
                contract_end_date: row.try_get("contract_end_date")?,
                termination_date: row.try_get("termination_date")?,
                last_working_day: row.try_get("last_working_day")?,
                legal_entity: row.try_get("legal_entity")?,
                office: row.try_get("office")?,
                department: row.try_get("department")?,
                team: row.try_get("team")?,
                supervisor_id: row.try_get("supervisor_id")?,
            }),
            None => None,
        };
        let supervisor = match employment.as_ref().and_then(|e| e.supervisor_id) {
            Some(id) => Some(PersonRef {
                id,
                name: display_name(
                    row.try_get("s_first")?,
                    row.try_get("s_last")?,
                    row.try_get("s_preferred")?,
                ),
            }),
            None => None,
        };
        let custom_attributes = if with_custom_attributes {
            row.try_get::<Option<String>, _>("custom_attributes")?
                .and_then(|text| serde_json::from_str(&text).ok())
        } else {
            None
        };
        Ok(Some(PersonDetail {
            id: row.try_get("id")?,
            first_name: row.try_get("first_name")?,
            last_name: row.try_get("last_name")?,
            preferred_name: row.try_get("preferred_name")?,
            email: row.try_get("email")?,
            language: row.try_get("language")?,
            employment,
            supervisor,
            custom_attributes,
        }))
    }

    /// The org chart below `root`, at most `max_depth` levels deep, top first and then level
    /// by level (each level by id). Empty when the person or department is unknown.
    pub async fn org_chart(
        &self,
        company: CompanyId,
        root: &OrgRoot,
        max_depth: u32,
    ) -> Result<Vec<OrgMember>> {
        let rows = sqlx::query(built(format!(
            "SELECT p.id, p.first_name, p.last_name, p.preferred_name, e.position, e.department, \
               e.team, e.supervisor_id \
             FROM employees p LEFT JOIN employments e ON {CURRENT_EMPLOYMENT} \
             WHERE p.company_id = $1 AND {LIVE_PERSON} ORDER BY p.id"
        )))
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        let mut people = Vec::with_capacity(rows.len());
        for row in &rows {
            people.push(OrgMember {
                id: row.try_get("id")?,
                name: display_name(
                    row.try_get("first_name")?,
                    row.try_get("last_name")?,
                    row.try_get("preferred_name")?,
                ),
                position: row.try_get("position")?,
                department: row.try_get("department")?,
                team: row.try_get("team")?,
                supervisor_id: row.try_get("supervisor_id")?,
                depth: 0,
            });
        }
        Ok(chart_below(people, root, max_depth))
    }

    /// Absences overlapping `filter.from ..= filter.to`, by start then id.
    pub async fn absent(&self, company: CompanyId, filter: &AbsenceFilter) -> Result<Vec<Absent>> {
        let mut params = Params::default();
        let to = params.text(format!("{}T23:59:59", filter.to));
        let from = params.text(format!("{}T00:00:00", filter.from));
        // An open end counts as the far future, spelled as the index `absence_periods_live_end`
        // spells it, so the overlap is a range on that index.
        // With a department or team, the people come first (`CROSS JOIN` keeps that order on
        // SQLite): their absences are then read through (employee_id, end), only those that
        // end on or after `from`, not every absence of theirs that started before `to`. The
        // person's own row comes after their absences (`CROSS JOIN` again), so it is looked up
        // for the absences found, not for every member.
        let mut members = String::new();
        let mut current = String::new();
        if filter.department.is_some() || filter.team.is_some() {
            members.push_str(
                "(SELECT DISTINCT m.employee_id FROM employments m WHERE m.company_id = $1 \
                 AND m.deleted_at IS NULL AND m.out_of_filter_at IS NULL",
            );
            for (column, value) in [("department", &filter.department), ("team", &filter.team)] {
                if let Some(value) = value {
                    let p = params.text(value.to_ascii_lowercase());
                    members.push_str(&format!(" AND LOWER(m.{column}) = {p}"));
                    // Their current employment must match too, not only some live one.
                    let p = params.text(value.to_ascii_lowercase());
                    current.push_str(&format!(" AND LOWER(e.{column}) = {p}"));
                }
            }
            members.push_str(") m CROSS JOIN ");
            current.push_str(" AND a.employee_id = m.employee_id");
        }
        let mut sql = format!(
            "SELECT a.id AS absence_id, a.employee_id, a.absence_type_id, t.name AS absence_type, \
               a.\"start\", a.\"end\", a.start_half, a.end_half, a.status, \
               p.first_name, p.last_name, p.preferred_name, e.department, e.team \
             FROM {members}absence_periods a CROSS JOIN employees p \
             LEFT JOIN employments e ON {CURRENT_EMPLOYMENT} \
             LEFT JOIN absence_types t ON t.company_id = a.company_id AND t.id = a.absence_type_id \
             WHERE a.company_id = $1 AND a.deleted_at IS NULL AND a.out_of_filter_at IS NULL \
               AND p.company_id = a.company_id AND p.id = a.employee_id \
               AND {LIVE_PERSON} AND a.\"start\" <= {to} \
               AND COALESCE(a.\"end\", '9999-12-31') >= {from}{current}"
        );
        if let Some(kind) = &filter.absence_type {
            let id = params.text(kind.clone());
            let name = params.text(kind.to_ascii_lowercase());
            sql.push_str(&format!(
                " AND (a.absence_type_id = {id} OR LOWER(t.name) = {name})"
            ));
        }
        if let Some((start, id)) = &filter.after {
            let s1 = params.text(start.clone());
            let s2 = params.text(start.clone());
            let id = params.text(id.clone());
            sql.push_str(&format!(
                " AND (a.\"start\" > {s1} OR (a.\"start\" = {s2} AND a.id > {id}))"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY a.\"start\", a.id LIMIT {}",
            params.int(i64::from(filter.limit))
        ));
        params
            .fetch(self, company, sql)
            .await?
            .iter()
            .map(|row| {
                Ok(Absent {
                    absence_id: row.try_get("absence_id")?,
                    person: PersonRef {
                        id: row.try_get("employee_id")?,
                        name: display_name(
                            row.try_get("first_name")?,
                            row.try_get("last_name")?,
                            row.try_get("preferred_name")?,
                        ),
                    },
                    department: row.try_get("department")?,
                    team: row.try_get("team")?,
                    absence_type: row.try_get("absence_type")?,
                    absence_type_id: row.try_get("absence_type_id")?,
                    start: row.try_get("start")?,
                    end: row.try_get("end")?,
                    start_half: row.try_get("start_half")?,
                    end_half: row.try_get("end_half")?,
                    status: row.try_get("status")?,
                })
            })
            .collect()
    }

    /// A person's attendance periods that start on `from ..= to` (days, `YYYY-MM-DD`), by
    /// start then id.
    pub async fn attendance(
        &self,
        company: CompanyId,
        employee: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<AttendanceEntry>> {
        let rows = sqlx::query(
            "SELECT id, type, \"start\", \"end\", break_minutes, project_id, status \
             FROM attendance_periods WHERE company_id = $1 AND employee_id = $2 \
               AND \"start\" >= $3 AND \"start\" <= $4 \
               AND deleted_at IS NULL AND out_of_filter_at IS NULL \
             ORDER BY \"start\", id",
        )
        .bind(company.0)
        .bind(employee)
        .bind(format!("{from}T00:00:00"))
        .bind(format!("{to}T23:59:59"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AttendanceEntry {
                    id: row.try_get("id")?,
                    kind: row.try_get("type")?,
                    start: row.try_get("start")?,
                    end: row.try_get("end")?,
                    break_minutes: row.try_get("break_minutes")?,
                    project_id: row.try_get("project_id")?,
                    status: row.try_get("status")?,
                })
            })
            .collect()
    }

    /// A person's absence balances, by absence type.
    pub async fn balances_of(&self, company: CompanyId, employee: i64) -> Result<Vec<Balance>> {
        let rows = sqlx::query(
            "SELECT absence_type_id, absence_type, category, balance, available FROM balances \
             WHERE company_id = $1 AND employee_id = $2 AND deleted_at IS NULL \
               AND out_of_filter_at IS NULL ORDER BY absence_type_id",
        )
        .bind(company.0)
        .bind(employee)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Balance {
                    absence_type_id: row.try_get("absence_type_id")?,
                    absence_type: row.try_get("absence_type")?,
                    category: row.try_get("category")?,
                    balance: row.try_get("balance")?,
                    available: row.try_get("available")?,
                })
            })
            .collect()
    }

    /// The company's absence types, by name.
    pub async fn absence_types(&self, company: CompanyId) -> Result<Vec<AbsenceTypeInfo>> {
        let rows = sqlx::query(
            "SELECT id, name, category, unit FROM absence_types WHERE company_id = $1 \
               AND deleted_at IS NULL AND out_of_filter_at IS NULL ORDER BY name, id",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AbsenceTypeInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    category: row.try_get("category")?,
                    unit: row.try_get("unit")?,
                })
            })
            .collect()
    }

    /// Projects with an id above `after`, by id, with how many members each has.
    pub async fn projects_page(
        &self,
        company: CompanyId,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ProjectInfo>> {
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.project_code, r.status, r.\"start\", r.\"end\", r.assigned_to_all, \
               (SELECT COUNT(*) FROM project_members m WHERE m.company_id = r.company_id \
                  AND m.project_id = r.id AND m.deleted_at IS NULL AND m.out_of_filter_at IS NULL) AS members \
             FROM projects r WHERE r.company_id = $1 AND r.deleted_at IS NULL \
               AND r.out_of_filter_at IS NULL AND r.id > $2 ORDER BY r.id LIMIT $3",
        )
        .bind(company.0)
        .bind(after.unwrap_or(i64::MIN))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProjectInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    code: row.try_get("project_code")?,
                    status: row.try_get("status")?,
                    start: row.try_get("start")?,
                    end: row.try_get("end")?,
                    assigned_to_all: row.try_get::<Option<i64>, _>("assigned_to_all")? == Some(1),
                    members: row.try_get("members")?,
                })
            })
            .collect()
    }

    /// A project's members with an id above `after`, by id.
    pub async fn project_members_page(
        &self,
        company: CompanyId,
        project: i64,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<PersonSummary>> {
        let rows = sqlx::query(built(format!(
            "SELECT {PERSON_COLUMNS} FROM project_members m \
             JOIN employees p ON p.company_id = m.company_id AND p.id = m.employee_id \
             LEFT JOIN employments e ON {CURRENT_EMPLOYMENT} \
             WHERE m.company_id = $1 AND m.project_id = $2 AND m.deleted_at IS NULL \
               AND m.out_of_filter_at IS NULL AND {LIVE_PERSON} AND p.id > $3 \
             ORDER BY p.id LIMIT $4"
        )))
        .bind(company.0)
        .bind(project)
        .bind(after.unwrap_or(i64::MIN))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person_from).collect()
    }

    /// Whether the company has live project `id`.
    pub async fn has_project(&self, company: CompanyId, id: i64) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS found FROM projects WHERE company_id = $1 AND id = $2 \
               AND deleted_at IS NULL AND out_of_filter_at IS NULL",
        )
        .bind(company.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// A person's compensations, newest first.
    pub async fn compensations_of(
        &self,
        company: CompanyId,
        employee: i64,
    ) -> Result<Vec<CompensationEntry>> {
        let rows = sqlx::query(
            "SELECT id, compensation_type, category, amount, currency, pay_interval, effective_from \
             FROM compensations WHERE company_id = $1 AND employee_id = $2 AND deleted_at IS NULL \
               AND out_of_filter_at IS NULL ORDER BY effective_from DESC, id",
        )
        .bind(company.0)
        .bind(employee)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CompensationEntry {
                    id: row.try_get("id")?,
                    compensation_type: row.try_get("compensation_type")?,
                    category: row.try_get("category")?,
                    amount: row.try_get("amount")?,
                    currency: row.try_get("currency")?,
                    pay_interval: row.try_get("pay_interval")?,
                    effective_from: row.try_get("effective_from")?,
                })
            })
            .collect()
    }

    /// When each synced resource of the company was last written, by resource.
    pub async fn freshness(&self, company: CompanyId) -> Result<Vec<Freshness>> {
        let rows = sqlx::query(
            "SELECT resource, updated_at, listing FROM checkpoints WHERE company_id = $1 ORDER BY resource",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Freshness {
                    resource: row.try_get("resource")?,
                    synced_at: row.try_get("updated_at")?,
                    in_progress: row.try_get::<Option<String>, _>("listing")?.is_some(),
                })
            })
            .collect()
    }
}

/// The people below `root` (breadth first, each level by id), at most `max_depth` levels.
fn chart_below(people: Vec<OrgMember>, root: &OrgRoot, max_depth: u32) -> Vec<OrgMember> {
    let mut reports: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, person) in people.iter().enumerate() {
        if let Some(supervisor) = person.supervisor_id {
            reports.entry(supervisor).or_default().push(i);
        }
    }
    let in_department = |person: &OrgMember, department: &str| {
        person
            .department
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case(department))
    };
    let by_id: HashMap<i64, usize> = people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let tops: Vec<usize> = match root {
        OrgRoot::Person(id) => by_id.get(id).copied().into_iter().collect(),
        OrgRoot::Department(department) => people
            .iter()
            .enumerate()
            .filter(|(_, p)| in_department(p, department))
            .filter(|(_, p)| {
                p.supervisor_id
                    .and_then(|s| by_id.get(&s))
                    .is_none_or(|&s| !in_department(&people[s], department))
            })
            .map(|(i, _)| i)
            .collect(),
    };
    let mut seen = vec![false; people.len()];
    let mut queue: VecDeque<(usize, u32)> = tops.into_iter().map(|i| (i, 0)).collect();
    let mut chart = Vec::new();
    while let Some((i, depth)) = queue.pop_front() {
        // A supervisor cycle in the data must not loop.
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let mut member = people[i].clone();
        member.depth = depth;
        chart.push(member);
        if depth >= max_depth {
            continue;
        }
        for &r in reports.get(&people[i].id).map(Vec::as_slice).unwrap_or(&[]) {
            if let OrgRoot::Department(department) = root
                && !in_department(&people[r], department)
            {
                continue;
            }
            queue.push_back((r, depth + 1));
        }
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, supervisor: Option<i64>, department: &str) -> OrgMember {
        OrgMember {
            id,
            name: format!("P{id}"),
            position: None,
            department: Some(department.to_owned()),
            team: None,
            supervisor_id: supervisor,
            depth: 0,
        }
    }

    #[test]
    fn a_chart_goes_level_by_level_and_stops_at_its_depth_and_at_cycles() {
        let people = vec![
            member(1, None, "Board"),
            member(2, Some(1), "Sales"),
            member(3, Some(2), "Sales"),
            member(4, Some(3), "Sales"),
            member(5, Some(6), "Ops"),
            member(6, Some(5), "Ops"),
        ];
        let ids = |chart: Vec<OrgMember>| chart.iter().map(|m| (m.id, m.depth)).collect::<Vec<_>>();
        assert_eq!(
            ids(chart_below(people.clone(), &OrgRoot::Person(1), 10)),
            vec![(1, 0), (2, 1), (3, 2), (4, 3)]
        );
        assert_eq!(
            ids(chart_below(people.clone(), &OrgRoot::Person(1), 1)),
            vec![(1, 0), (2, 1)]
        );
        assert_eq!(
            ids(chart_below(
                people.clone(),
                &OrgRoot::Department("sales".into()),
                10
            )),
            vec![(2, 0), (3, 1), (4, 2)]
        );
        assert_eq!(
            ids(chart_below(people.clone(), &OrgRoot::Person(5), 10)),
            vec![(5, 0), (6, 1)]
        );
        assert!(chart_below(people, &OrgRoot::Person(99), 10).is_empty());
    }

    #[test]
    fn like_wildcards_in_a_name_are_literal() {
        assert_eq!(contains_pattern("A_b%"), "%a\\_b\\%%");
    }
}
