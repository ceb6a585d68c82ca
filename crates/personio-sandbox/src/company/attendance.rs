//! Attendance periods: what people clocked, as `WORK` periods with the `BREAK` periods taken
//! inside them (v2 keeps both; v1 shows a work period with its breaks as minutes), and the
//! `Company` methods that create, edit, approve and delete them.
//!
//! A period is 72 bytes: times are local minutes, comments are interned, and everything is
//! an integer or a UUID, so a year of a 10,000-person company (millions of periods) stays
//! compact. Changes go through the methods here so that `updated_at` and the change log
//! (`attendance-period.created|updated|deleted`) stay right.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::Company;
use super::generate::uuid_from;
use super::local_time::LocalMinute;
use super::table::{Row, Table};

/// Whether a period is work or a break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    Work,
    Break,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Work => "WORK",
            PeriodKind::Break => "BREAK",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodKind> {
        match s {
            "WORK" => Some(PeriodKind::Work),
            "BREAK" => Some(PeriodKind::Break),
            _ => None,
        }
    }
}

/// The approval of a period. Declared alphabetically: that is the order `sort=status` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttendanceStatus {
    Confirmed,
    Pending,
    Rejected,
}

impl AttendanceStatus {
    /// v2 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Confirmed => "CONFIRMED",
            AttendanceStatus::Pending => "PENDING",
            AttendanceStatus::Rejected => "REJECTED",
        }
    }

    /// v1 spelling.
    pub fn v1_str(self) -> &'static str {
        match self {
            AttendanceStatus::Confirmed => "confirmed",
            AttendanceStatus::Pending => "pending",
            AttendanceStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<AttendanceStatus> {
        match s.to_ascii_uppercase().as_str() {
            "CONFIRMED" => Some(AttendanceStatus::Confirmed),
            "PENDING" => Some(AttendanceStatus::Pending),
            "REJECTED" => Some(AttendanceStatus::Rejected),
            _ => None,
        }
    }
}

/// One attendance period.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendancePeriod {
    /// The v2 id.
    pub id: Uuid,
    /// Employee id.
    pub person: i64,
    pub kind: PeriodKind,
    /// Local to the person's zone (their legal entity's).
    pub start: LocalMinute,
    /// [`LocalMinute::OPEN`] while clocked in.
    pub end: LocalMinute,
    /// The day the period counts for: the day its work starts, also for night shifts and
    /// for breaks taken after midnight.
    pub attribution_date: NaiveDate,
    pub status: AttendanceStatus,
    /// Project id, if the time was tracked on one.
    pub project: Option<u32>,
    /// Index into the comment table (0 = no comment); see [`Attendances::comment`].
    pub comment: u32,
    pub is_auto_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AttendancePeriod {
    pub fn end(&self) -> Option<LocalMinute> {
        (!self.end.is_open()).then_some(self.end)
    }

    /// Length in minutes; `None` while open.
    pub fn minutes(&self) -> Option<i32> {
        self.end().map(|end| end.0 - self.start.0)
    }
}

impl Row for AttendancePeriod {
    /// Personio's default order: `person.id, start.date_time, end.date_time` (§3.6).
    type Key = (i64, LocalMinute, LocalMinute);

    fn id(&self) -> Uuid {
        self.id
    }

    fn key(&self) -> Self::Key {
        (self.person, self.start, self.end)
    }
}

/// v1 ids of attendances are this plus the period's slot: stable, unique, integer.
pub const ATTENDANCE_V1_ID_BASE: i64 = 25_000_000;

/// Every attendance period of the company, and the comments they carry.
#[derive(Debug, Clone)]
pub struct Attendances {
    pub periods: Table<AttendancePeriod>,
    /// Interned comments; index 0 stands for "none".
    comments: Vec<Box<str>>,
}

impl Default for Attendances {
    fn default() -> Self {
        Attendances {
            periods: Table::default(),
            comments: vec!["".into()],
        }
    }
}

impl Attendances {
    /// A store of generated periods, with the comments they index.
    pub(crate) fn new(periods: Vec<AttendancePeriod>, comments: Vec<Box<str>>) -> Attendances {
        let mut store = Attendances::default();
        store.comments.extend(comments);
        store.periods = Table::from_rows(periods);
        store
    }

    pub fn get(&self, id: Uuid) -> Option<&AttendancePeriod> {
        self.periods.get(id)
    }

    pub fn comment(&self, period: &AttendancePeriod) -> Option<&str> {
        match period.comment {
            0 => None,
            i => self.comments.get(i as usize).map(|c| &**c),
        }
    }

    /// Stores a comment; returns its index (0 for none).
    fn intern(&mut self, text: Option<&str>) -> u32 {
        match text {
            None => 0,
            Some(text) => {
                self.comments.push(text.into());
                (self.comments.len() - 1) as u32
            }
        }
    }

    /// The v1 integer id of a period.
    pub fn v1_id(&self, id: Uuid) -> Option<i64> {
        self.periods
            .slot_of(id)
            .map(|slot| ATTENDANCE_V1_ID_BASE + i64::from(slot))
    }

    /// The period with v1 integer id `v1_id`.
    pub fn by_v1_id(&self, v1_id: i64) -> Option<&AttendancePeriod> {
        let slot = u32::try_from(v1_id.checked_sub(ATTENDANCE_V1_ID_BASE)?).ok()?;
        self.periods.live(slot)
    }

    /// The person's periods from `start` on, in time order.
    pub fn of_person_from(
        &self,
        person: i64,
        start: LocalMinute,
    ) -> impl Iterator<Item = &AttendancePeriod> + '_ {
        let at = self
            .periods
            .position(&(person, start, LocalMinute(i32::MIN)));
        self.periods.ordered()[at..]
            .iter()
            .map(|&slot| self.periods.row(slot))
            .take_while(move |p| p.person == person)
    }

    /// The `BREAK` periods inside a `WORK` period: those starting within it, before the
    /// person's next work period.
    pub fn breaks_of<'a>(
        &'a self,
        work: &'a AttendancePeriod,
    ) -> impl Iterator<Item = &'a AttendancePeriod> + 'a {
        self.of_person_from(work.person, work.start)
            .filter(move |p| p.id != work.id)
            .take_while(move |p| p.start < work.end && p.kind == PeriodKind::Break)
    }

    /// The day a new period counts for: a break inside a work period counts for that
    /// period's day; anything else for the day it starts.
    fn attribution(&self, person: i64, kind: PeriodKind, start: LocalMinute) -> NaiveDate {
        let enclosing = (kind == PeriodKind::Break)
            .then(|| {
                self.of_person_from(person, start.plus(-super::local_time::MINUTES_PER_DAY))
                    .take_while(|p| p.start <= start)
                    .filter(|p| p.kind == PeriodKind::Work && p.end > start)
                    .last()
            })
            .flatten();
        enclosing.map_or(start.day(), |work| work.attribution_date)
    }

    /// Minutes of break inside a work period (v1's `break`).
    pub fn break_minutes(&self, work: &AttendancePeriod) -> i32 {
        self.breaks_of(work)
            .map(|b| b.end.min(work.end).0.saturating_sub(b.start.0).max(0))
            .sum()
    }

    /// A work period of `person` that overlaps `[start, end)`, other than `except`.
    pub fn overlapping_work(
        &self,
        person: i64,
        start: LocalMinute,
        end: LocalMinute,
        except: Option<Uuid>,
    ) -> Option<&AttendancePeriod> {
        // A work period starting up to a day earlier may still run into `start`.
        self.of_person_from(person, start.plus(-super::local_time::MINUTES_PER_DAY))
            .take_while(|p| p.start < end)
            .find(|p| {
                p.kind == PeriodKind::Work && Some(p.id) != except && p.end > start && p.start < end
            })
    }

    /// Every period of people no longer in the company goes.
    pub(crate) fn remove_person(&mut self, person: i64) {
        self.periods.retain(|p| p.person != person);
    }
}

/// A new period, as a writer asks for it.
#[derive(Debug, Clone)]
pub struct NewAttendance {
    pub person: i64,
    pub kind: PeriodKind,
    /// Local to the person's zone.
    pub start: NaiveDateTime,
    /// `None` for an open period.
    pub end: Option<NaiveDateTime>,
    pub comment: Option<String>,
    pub project: Option<u32>,
    pub status: AttendanceStatus,
}

/// Requested changes; `None` leaves a field as it is, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct AttendanceChanges {
    pub kind: Option<PeriodKind>,
    pub start: Option<NaiveDateTime>,
    pub end: Option<Option<NaiveDateTime>>,
    pub comment: Option<Option<String>>,
    pub project: Option<Option<u32>>,
    pub status: Option<AttendanceStatus>,
}

/// Why an attendance change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error("The attendance period was not found.")]
    NotFound,
    #[error("Person {0} not found.")]
    UnknownPerson(i64),
    #[error("Project {0} not found.")]
    UnknownProject(u32),
    #[error("Project {0} is not active.")]
    InactiveProject(u32),
    #[error("The start date is greater than the end date.")]
    EndBeforeStart,
    #[error("The period time range is too long; a period lasts at most 24 hours.")]
    TooLong,
    #[error("Break periods cannot have a project.")]
    BreakWithProject,
    #[error("Existing overlapping attendances periods")]
    Overlap,
    #[error("The comment may not be longer than 1000 characters.")]
    CommentTooLong,
    #[error("The time is out of range.")]
    OutOfRange,
}

/// Longest period Personio takes ("period time range too long", §3.6; the limit itself is
/// not documented, a day is our choice).
const MAX_PERIOD_MINUTES: i32 = 24 * 60;
/// `comment` length limit (personio-api.md §3.6, one client's reading; confidence L).
const MAX_COMMENT_CHARS: usize = 1000;

fn payload(period: &AttendancePeriod) -> serde_json::Value {
    json!({ "id": period.id.to_string(), "person": { "id": period.person.to_string() } })
}

impl Company {
    /// Records a new attendance period (as `POST /v2/attendance-periods` does); returns its
    /// id. Refuses an unknown person or project, an archived project, a break with a project,
    /// an end not after the start, a period over 24 hours, and work overlapping other work.
    pub fn create_attendance(
        &mut self,
        new: NewAttendance,
        now: DateTime<Utc>,
    ) -> Result<Uuid, AttendanceError> {
        self.create_attendance_as(uuid_from(&mut rand::rng()), new, now)
    }

    /// [`Company::create_attendance`] with the id chosen by the caller (the simulation
    /// draws ids from its seeded generator, so the same seed gives the same ids).
    pub(crate) fn create_attendance_as(
        &mut self,
        id: Uuid,
        new: NewAttendance,
        now: DateTime<Utc>,
    ) -> Result<Uuid, AttendanceError> {
        if self.employee(new.person).is_none() {
            return Err(AttendanceError::UnknownPerson(new.person));
        }
        let start = LocalMinute::from_naive(new.start).ok_or(AttendanceError::OutOfRange)?;
        let end = match new.end {
            Some(end) => LocalMinute::from_naive(end).ok_or(AttendanceError::OutOfRange)?,
            None => LocalMinute::OPEN,
        };
        let draft = AttendancePeriod {
            id,
            person: new.person,
            kind: new.kind,
            start,
            end,
            attribution_date: self.attendances.attribution(new.person, new.kind, start),
            status: new.status,
            project: new.project,
            comment: 0,
            is_auto_generated: false,
            created_at: now,
            updated_at: now,
        };
        self.check_attendance(&draft, new.comment.as_deref(), None)?;
        let mut period = draft;
        period.comment = self.attendances.intern(new.comment.as_deref());
        let id = period.id;
        self.changes
            .record("attendance-period.created", now, payload(&period));
        self.attendances.periods.insert(period);
        Ok(id)
    }

    /// Changes a period (as `PATCH /v2/attendance-periods/{id}` does), under the same rules
    /// as [`Company::create_attendance`]. Nothing is touched when nothing changes.
    pub fn update_attendance(
        &mut self,
        id: Uuid,
        changes: AttendanceChanges,
        now: DateTime<Utc>,
    ) -> Result<(), AttendanceError> {
        let current = self
            .attendances
            .get(id)
            .ok_or(AttendanceError::NotFound)?
            .clone();
        let mut next = current.clone();
        if let Some(kind) = changes.kind {
            next.kind = kind;
        }
        if let Some(start) = changes.start {
            next.start = LocalMinute::from_naive(start).ok_or(AttendanceError::OutOfRange)?;
        }
        if next.start != current.start || next.kind != current.kind {
            next.attribution_date =
                self.attendances
                    .attribution(next.person, next.kind, next.start);
        }
        if let Some(end) = changes.end {
            next.end = match end {
                Some(end) => LocalMinute::from_naive(end).ok_or(AttendanceError::OutOfRange)?,
                None => LocalMinute::OPEN,
            };
        }
        if let Some(project) = changes.project {
            next.project = project;
        }
        if let Some(status) = changes.status {
            next.status = status;
        }
        let comment = match &changes.comment {
            Some(text) => text.as_deref(),
            None => self.attendances.comment(&current),
        }
        .map(str::to_owned);
        let comment_changed = comment.as_deref() != self.attendances.comment(&current);
        if next == current && !comment_changed {
            return Ok(());
        }
        self.check_attendance(&next, comment.as_deref(), Some(id))?;
        if comment_changed {
            next.comment = self.attendances.intern(comment.as_deref());
        }
        next.updated_at = now.max(current.updated_at);
        self.changes
            .record("attendance-period.updated", now, payload(&next));
        self.attendances.periods.update(id, |p| *p = next);
        Ok(())
    }

    /// Approves or rejects a period (an approver's decision; no API offers this).
    pub fn set_attendance_status(
        &mut self,
        id: Uuid,
        status: AttendanceStatus,
        now: DateTime<Utc>,
    ) -> Result<(), AttendanceError> {
        self.update_attendance(
            id,
            AttendanceChanges {
                status: Some(status),
                ..Default::default()
            },
            now,
        )
    }

    /// Deletes a period; it vanishes from every listing. Returns it as it was.
    pub fn delete_attendance(
        &mut self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<AttendancePeriod, AttendanceError> {
        let removed = self
            .attendances
            .periods
            .remove(id)
            .ok_or(AttendanceError::NotFound)?
            .clone();
        self.changes
            .record("attendance-period.deleted", now, payload(&removed));
        Ok(removed)
    }

    fn check_attendance(
        &self,
        period: &AttendancePeriod,
        comment: Option<&str>,
        except: Option<Uuid>,
    ) -> Result<(), AttendanceError> {
        if let Some(end) = period.end() {
            if end <= period.start {
                return Err(AttendanceError::EndBeforeStart);
            }
            if end.0.saturating_sub(period.start.0) > MAX_PERIOD_MINUTES {
                return Err(AttendanceError::TooLong);
            }
        }
        if let Some(project) = period.project {
            if period.kind == PeriodKind::Break {
                return Err(AttendanceError::BreakWithProject);
            }
            let found = self
                .project(project)
                .ok_or(AttendanceError::UnknownProject(project))?;
            if !found.is_active() {
                return Err(AttendanceError::InactiveProject(project));
            }
        }
        if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
            return Err(AttendanceError::CommentTooLong);
        }
        if period.kind == PeriodKind::Work
            && self
                .attendances
                .overlapping_work(period.person, period.start, period.end, except)
                .is_some()
        {
            return Err(AttendanceError::Overlap);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::*;
    use crate::company::{GenerateSpec, HistorySpec};

    fn company() -> (Company, DateTime<Utc>) {
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let mut company = Company::generate(GenerateSpec {
            seed: 5,
            employees: 6,
            as_of,
        });
        company.generate_history(HistorySpec { seed: 5, days: 0 });
        (company, as_of + Duration::hours(1))
    }

    #[test]
    fn a_period_stays_small() {
        assert!(std::mem::size_of::<AttendancePeriod>() <= 80);
    }

    #[test]
    fn writes_record_personios_event_names_and_stamp_updated_at() {
        let (mut company, now) = company();
        let person = company.employees[2].id;
        let at = |h: u32| {
            NaiveDate::from_ymd_opt(2026, 3, 2)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        let before = company.changes.last_seq();
        let work = company
            .create_attendance(
                NewAttendance {
                    person,
                    kind: PeriodKind::Work,
                    start: at(8),
                    end: Some(at(16)),
                    comment: None,
                    project: None,
                    status: AttendanceStatus::Pending,
                },
                now,
            )
            .unwrap();
        let later = now + Duration::minutes(5);
        company
            .set_attendance_status(work, AttendanceStatus::Confirmed, later)
            .unwrap();
        assert_eq!(company.attendances.get(work).unwrap().updated_at, later);
        company
            .set_attendance_status(
                work,
                AttendanceStatus::Confirmed,
                later + Duration::hours(1),
            )
            .unwrap();
        assert_eq!(
            company.attendances.get(work).unwrap().updated_at,
            later,
            "no change, no touch"
        );
        company.delete_attendance(work, later).unwrap();
        let names: Vec<&str> = company.changes.since(before).map(|e| e.name).collect();
        assert_eq!(
            names,
            [
                "attendance-period.created",
                "attendance-period.updated",
                "attendance-period.deleted"
            ]
        );
        assert_eq!(
            company.delete_attendance(work, later),
            Err(AttendanceError::NotFound)
        );
    }
}
