//! The company's structure: legal entities, offices, org units, cost centers, holiday
//! calendars, work schedules and absence types.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

/// A legal entity (v1 "subcompany", v2 `legal_entity`).
#[derive(Debug, Clone)]
pub struct LegalEntity {
    pub id: i64,
    pub name: String,
    /// ISO 3166 alpha-2.
    pub country: &'static str,
    pub currency: &'static str,
    pub timezone: Tz,
    pub full_time_hours: f64,
    /// Paid vacation days per year.
    pub vacation_days: f64,
    pub probation_months: u32,
    pub registration_number: String,
    pub street: String,
    pub postal_code: &'static str,
    pub city: &'static str,
    pub language: &'static str,
    pub created_at: DateTime<Utc>,
}

/// An office (v2 "workplace").
#[derive(Debug, Clone)]
pub struct Office {
    pub id: i64,
    pub name: &'static str,
    pub legal_entity_id: i64,
    pub holiday_calendar_id: i64,
}

/// Whether an org unit is a department or a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgUnitKind {
    Department,
    Team,
}

impl OrgUnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgUnitKind::Department => "department",
            OrgUnitKind::Team => "team",
        }
    }

    pub fn parse(s: &str) -> Option<OrgUnitKind> {
        match s {
            "department" => Some(OrgUnitKind::Department),
            "team" => Some(OrgUnitKind::Team),
            _ => None,
        }
    }
}

/// A department or team. Departments nest under departments, teams under departments or
/// other teams.
#[derive(Debug, Clone)]
pub struct OrgUnit {
    pub id: i64,
    pub kind: OrgUnitKind,
    pub name: String,
    pub abbreviation: String,
    pub description: String,
    pub parent_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// Share of the company's people this unit attracts when staffing (0 = none directly).
    pub weight: u32,
    /// For departments: the cost center their people are booked on.
    pub cost_center_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CostCenter {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct HolidayCalendar {
    pub id: i64,
    pub name: &'static str,
    pub country: &'static str,
    pub state: Option<&'static str>,
}

/// Hours of work per weekday, Monday first.
#[derive(Debug, Clone)]
pub struct WorkSchedule {
    pub id: i64,
    pub name: String,
    pub minutes: [u32; 7],
    /// Whether people on this schedule clock their hours (attendance periods).
    pub time_tracking: bool,
}

impl WorkSchedule {
    pub fn weekly_hours(&self) -> f64 {
        f64::from(self.minutes.iter().sum::<u32>()) / 60.0
    }
}

/// How an absence type is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceUnit {
    Day,
    Hour,
}

impl AbsenceUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceUnit::Day => "day",
            AbsenceUnit::Hour => "hour",
        }
    }
}

/// An absence (time-off) type.
#[derive(Debug, Clone)]
pub struct TimeOffType {
    pub id: i64,
    /// The v2 id (`id_v2` in v1 payloads).
    pub uuid: Uuid,
    pub name: &'static str,
    pub category: &'static str,
    pub unit: AbsenceUnit,
    pub approval_required: bool,
    pub half_day_requests_enabled: bool,
    pub certification_required: bool,
    pub certification_submission_timeframe: u32,
    pub substitute_option: &'static str,
}
