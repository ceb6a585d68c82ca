//! The fake world the sandbox serves: one generated company, typed for convenience rather
//! than in Personio's wire shape (that is `render`'s job).
//!
//! Handlers read it under a read lock and change it under a write lock (see `state`).

mod absence;
mod attendance;
mod attributes;
mod compensations;
mod documents;
mod edit;
mod employee;
mod events;
mod generate;
mod history;
mod holidays;
mod lifecycle;
mod local_time;
mod names;
mod org;
mod project;
mod recruiting;
mod reports;
mod simulate;
mod table;
mod workdays;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use absence::{
    ABSENCE_V1_ID_BASE, AbsenceChanges, AbsenceError, AbsenceOrigin, AbsencePeriod, AbsenceSpan,
    AbsenceStatus, Absences, DayShare, NewAbsence,
};
pub use attendance::{
    ATTENDANCE_V1_ID_BASE, AttendanceChanges, AttendanceError, AttendancePeriod, AttendanceStatus,
    Attendances, NewAttendance, PeriodKind,
};
pub use attributes::{CustomAttributeDef, STANDARD_ATTRIBUTES, StandardAttribute, standard};
pub use compensations::{
    Compensation, CompensationCategory, CompensationError, CompensationType, Compensations,
    Interval, NewCompensation,
};
pub use documents::{
    Document, DocumentCategory, DocumentChanges, DocumentError, DocumentFile, DocumentKind,
    Documents, NewDocument, document_text,
};
pub use edit::{EditError, EmployeeChanges};
pub use employee::{
    CustomValue, Employee, EmploymentType, Gender, SalaryInterval, Status, Termination,
};
pub use events::{ChangeEvent, ChangeLog};
pub use generate::GenerateSpec;
pub use history::HistorySpec;
pub use holidays::holidays;
pub use local_time::LocalMinute;
pub(crate) use local_time::write_date;
pub use org::{
    AbsenceUnit, CostCenter, HolidayCalendar, LegalEntity, Office, OrgUnit, OrgUnitKind,
    TimeOffType, WorkSchedule,
};
pub use project::{Project, ProjectChanges, ProjectDraft, ProjectError, ProjectStatus, Projects};
pub use recruiting::{
    ApplicantAttribute, ApplicantAttributeKind, Application, AttachedFile, Candidate, Channel, Job,
    JobCategory, JobStatus, NewApplication, Recruiting, RecruitingFeatures, StageRef, SystemStage,
    Upload,
};
pub use reports::{CellType, ColumnSource, Report, ReportColumn, ReportKind, Reports};
pub use simulate::SimulationReport;
pub use table::{Row, Table};
pub use workdays::WorkCalendar;

/// An employee removed through the API (v2 `DELETE /v2/persons/{id}`).
#[derive(Debug, Clone)]
pub struct DeletedEmployee {
    pub id: i64,
    pub deleted_at: DateTime<Utc>,
}

/// One company and everything in it.
#[derive(Debug, Clone)]
pub struct Company {
    /// Personio's company id (the recruiting API's `X-Company-ID`).
    pub id: i64,
    pub name: String,
    /// Domain of employee email addresses.
    pub domain: String,
    /// Zone of v1 date-times (`+01:00` / `+02:00`).
    pub timezone: Tz,
    /// Every generated timestamp lies before this moment.
    pub as_of: DateTime<Utc>,
    pub legal_entities: Vec<LegalEntity>,
    pub offices: Vec<Office>,
    pub org_units: Vec<OrgUnit>,
    pub cost_centers: Vec<CostCenter>,
    pub holiday_calendars: Vec<HolidayCalendar>,
    pub work_schedules: Vec<WorkSchedule>,
    pub time_off_types: Vec<TimeOffType>,
    pub custom_attributes: Vec<CustomAttributeDef>,
    /// Live employees, sorted by id.
    pub employees: Vec<Employee>,
    pub deleted_employees: Vec<DeletedEmployee>,
    /// Clocked time (see [`Company::generate_history`]).
    pub attendances: Attendances,
    pub absences: Absences,
    pub projects: Projects,
    /// Every change since generation, for webhooks and change counts.
    pub changes: ChangeLog,
    pub documents: Documents,
    pub compensations: Compensations,
    pub reports: Reports,
    pub recruiting: Recruiting,
    /// Bumped when a name that employees embed (department, office, ...) changes, so that
    /// rendered employees are re-rendered.
    pub structure_version: u64,
    pub(crate) next_employee_id: i64,
}

impl Company {
    /// Generates the company for a seed, a size and a date.
    pub fn generate(spec: GenerateSpec) -> Company {
        generate::generate(spec)
    }

    pub fn employee(&self, id: i64) -> Option<&Employee> {
        self.employee_index(id).map(|i| &self.employees[i])
    }

    pub fn employee_mut(&mut self, id: i64) -> Option<&mut Employee> {
        self.employee_index(id).map(|i| &mut self.employees[i])
    }

    fn employee_index(&self, id: i64) -> Option<usize> {
        self.employees.binary_search_by_key(&id, |e| e.id).ok()
    }

    /// Index of the first employee with an id greater than `id`.
    pub fn employees_after(&self, id: i64) -> usize {
        self.employees.partition_point(|e| e.id <= id)
    }

    pub fn employee_by_employment(&self, employment_id: &str) -> Option<&Employee> {
        self.employees
            .iter()
            .find(|e| e.employment_id.to_string() == employment_id)
    }

    pub fn legal_entity(&self, id: i64) -> Option<&LegalEntity> {
        self.legal_entities.iter().find(|e| e.id == id)
    }

    pub fn office(&self, id: i64) -> Option<&Office> {
        self.offices.iter().find(|o| o.id == id)
    }

    pub fn org_unit(&self, id: i64) -> Option<&OrgUnit> {
        self.org_units.iter().find(|u| u.id == id)
    }

    pub fn cost_center(&self, id: i64) -> Option<&CostCenter> {
        self.cost_centers.iter().find(|c| c.id == id)
    }

    pub fn holiday_calendar(&self, id: i64) -> Option<&HolidayCalendar> {
        self.holiday_calendars.iter().find(|c| c.id == id)
    }

    pub fn work_schedule(&self, id: i64) -> Option<&WorkSchedule> {
        self.work_schedules.iter().find(|s| s.id == id)
    }

    pub fn time_off_type(&self, id: i64) -> Option<&TimeOffType> {
        self.time_off_types.iter().find(|t| t.id == id)
    }

    pub fn custom_attribute(&self, key: &str) -> Option<&CustomAttributeDef> {
        self.custom_attributes.iter().find(|a| a.key == key)
    }

    /// The department an org unit belongs to: itself, or the nearest department above a team.
    pub fn department_of(&self, unit_id: i64) -> Option<i64> {
        let mut unit = self.org_unit(unit_id)?;
        for _ in 0..self.org_units.len() {
            if unit.kind == OrgUnitKind::Department {
                return Some(unit.id);
            }
            unit = self.org_unit(unit.parent_id?)?;
        }
        None
    }

    /// The units above `unit_id`, nearest first. Stops on a broken or cyclic chain.
    pub fn parent_chain(&self, unit_id: i64) -> Vec<&OrgUnit> {
        let mut chain = Vec::new();
        let mut next = self.org_unit(unit_id).and_then(|u| u.parent_id);
        while let Some(id) = next {
            let Some(unit) = self.org_unit(id) else { break };
            if chain.iter().any(|u: &&OrgUnit| u.id == id) || chain.len() >= self.org_units.len() {
                break;
            }
            chain.push(unit);
            next = unit.parent_id;
        }
        chain
    }
}

/// What remains of one entitlement.
#[derive(Debug, Clone)]
pub struct BalanceLine<'a> {
    pub time_off_type: &'a TimeOffType,
    pub balance: f64,
    pub available: f64,
}

impl Company {
    /// Remaining balance per entitled absence type: the yearly entitlement minus what was
    /// taken this year; `available` also holds back what is requested and not yet decided.
    pub fn balances(&self, employee: &Employee) -> Vec<BalanceLine<'_>> {
        employee
            .entitlements
            .iter()
            .filter_map(|&(type_id, entitlement)| {
                let time_off_type = self.time_off_type(type_id)?;
                let balance = entitlement - self.absence_taken(employee.id, type_id);
                let requested = self.absence_requested(employee.id, type_id);
                Some(BalanceLine {
                    time_off_type,
                    balance,
                    available: balance - requested,
                })
            })
            .collect()
    }

    /// Amount of an absence type taken this year (the year of `as_of`; approved absences,
    /// booked ahead included), in its unit.
    pub fn absence_taken(&self, employee_id: i64, time_off_type_id: i64) -> f64 {
        let year = chrono::Datelike::year(&self.as_of.date_naive());
        self.absence_amount_in_year(employee_id, time_off_type_id, year, true)
    }

    /// Amount of an absence type requested this year and still waiting for approval.
    pub fn absence_requested(&self, employee_id: i64, time_off_type_id: i64) -> f64 {
        let year = chrono::Datelike::year(&self.as_of.date_naive());
        self.absence_amount_in_year(employee_id, time_off_type_id, year, false)
    }
}
