//! Absence periods (vacation, sickness, parental leave, hourly training, ...) and the
//! `Company` methods that create, edit, approve, reject and delete them.
//!
//! An absence is a span of local minutes, `[start, end)`: whole days run from midnight to
//! midnight and half days start or end at noon, so "half days" and "hours" are one
//! representation and overlaps are a plain interval test. Rejected and deleted absences
//! vanish (Personio keeps no tombstones, personio-api.md §2.5, §5.3). Changes record
//! `absence-period.created|updated.status|updated.timerange|deleted`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::Company;
use super::generate::uuid_from;
use super::local_time::{LocalMinute, MINUTES_PER_DAY};
use super::org::{AbsenceUnit, TimeOffType};
use super::table::{Row, Table};
use super::workdays::WorkCalendar;

/// Where an absence stands. v2 names (pysonio's live-tested enum, research findings #12);
/// rejected absences do not exist as a status because they disappear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AbsenceStatus {
    Approved,
    Pending,
    DeletionPending,
    SubstituteRequested,
}

impl AbsenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceStatus::Approved => "APPROVED",
            AbsenceStatus::Pending => "PENDING",
            AbsenceStatus::DeletionPending => "DELETION_PENDING",
            AbsenceStatus::SubstituteRequested => "SUBSTITUTE_REQUESTED",
        }
    }

    /// v1 knows only `approved`, `pending` and `requested` (§2.5). A deletion still pending
    /// leaves the absence approved; one waiting for its substitute is `requested`.
    pub fn v1_str(self) -> &'static str {
        match self {
            AbsenceStatus::Approved | AbsenceStatus::DeletionPending => "approved",
            AbsenceStatus::Pending => "pending",
            AbsenceStatus::SubstituteRequested => "requested",
        }
    }

    /// Whether the absence counts as taken (rather than only requested).
    pub fn is_approved(self) -> bool {
        matches!(
            self,
            AbsenceStatus::Approved | AbsenceStatus::DeletionPending
        )
    }
}

/// Where an absence was entered (v1 hourly periods show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceOrigin {
    Web,
    Mobile,
    Api,
}

impl AbsenceOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceOrigin::Web => "web",
            AbsenceOrigin::Mobile => "mobile",
            AbsenceOrigin::Api => "api",
        }
    }
}

/// One absence period.
#[derive(Debug, Clone, PartialEq)]
pub struct AbsencePeriod {
    /// The v2 id.
    pub id: Uuid,
    pub person: i64,
    /// Time-off type id.
    pub type_id: i64,
    /// Local to the person's zone.
    pub start: LocalMinute,
    /// Exclusive; [`LocalMinute::OPEN`] while open-ended.
    pub end: LocalMinute,
    pub status: AbsenceStatus,
    pub comment: Option<String>,
    /// Who stands in (employee id).
    pub substitute: Option<i64>,
    pub origin: AbsenceOrigin,
    /// Employee id of whoever entered it.
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
}

impl AbsencePeriod {
    /// The first day, and whether only its second half is taken.
    pub fn first_day(&self) -> (NaiveDate, bool) {
        (
            self.start.day(),
            self.start.minute_of_day() == MINUTES_PER_DAY / 2,
        )
    }

    /// The last day, and whether only its first half is taken; `None` while open-ended.
    pub fn last_day(&self) -> Option<(NaiveDate, bool)> {
        (!self.end.is_open()).then(|| {
            (
                self.end.plus(-1).day(),
                self.end.minute_of_day() == MINUTES_PER_DAY / 2,
            )
        })
    }

    pub fn overlaps(&self, start: LocalMinute, end: LocalMinute) -> bool {
        self.start < end && start < self.end
    }
}

impl Row for AbsencePeriod {
    /// Our listing order: person, then start (Personio documents none).
    type Key = (i64, LocalMinute);

    fn id(&self) -> Uuid {
        self.id
    }

    fn key(&self) -> Self::Key {
        (self.person, self.start)
    }
}

/// v1 ids of time-offs are this plus the absence's slot.
pub const ABSENCE_V1_ID_BASE: i64 = 40_000_000;

/// Every absence of the company.
#[derive(Debug, Clone, Default)]
pub struct Absences {
    pub periods: Table<AbsencePeriod>,
}

impl Absences {
    pub(crate) fn new(periods: Vec<AbsencePeriod>) -> Absences {
        Absences {
            periods: Table::from_rows(periods),
        }
    }

    pub fn get(&self, id: Uuid) -> Option<&AbsencePeriod> {
        self.periods.get(id)
    }

    pub fn v1_id(&self, id: Uuid) -> Option<i64> {
        self.periods
            .slot_of(id)
            .map(|slot| ABSENCE_V1_ID_BASE + i64::from(slot))
    }

    pub fn by_v1_id(&self, v1_id: i64) -> Option<&AbsencePeriod> {
        let slot = u32::try_from(v1_id.checked_sub(ABSENCE_V1_ID_BASE)?).ok()?;
        self.periods.live(slot)
    }

    /// A person's absences, in start order.
    pub fn of_person(&self, person: i64) -> impl Iterator<Item = &AbsencePeriod> + '_ {
        let at = self.periods.position(&(person, LocalMinute(i32::MIN)));
        self.periods.ordered()[at..]
            .iter()
            .map(|&slot| self.periods.row(slot))
            .take_while(move |a| a.person == person)
    }

    pub(crate) fn remove_person(&mut self, person: i64) {
        self.periods.retain(|a| a.person != person);
    }
}

/// The span of a new or changed absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsenceSpan {
    /// Whole or half days: from `first` (only its second half when `from_noon`) through
    /// `last` (only its first half when `until_noon`); `last: None` is open-ended.
    Days {
        first: NaiveDate,
        from_noon: bool,
        last: Option<NaiveDate>,
        until_noon: bool,
    },
    /// Exact local times, for hour-unit types.
    Hours {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
}

impl AbsenceSpan {
    fn minutes(self) -> Result<(LocalMinute, LocalMinute), AbsenceError> {
        match self {
            AbsenceSpan::Days {
                first,
                from_noon,
                last,
                until_noon,
            } => {
                let noon = MINUTES_PER_DAY / 2;
                let at = |day, minute| {
                    LocalMinute::checked_at(day, minute).ok_or(AbsenceError::OutOfRange)
                };
                let start = at(first, if from_noon { noon } else { 0 })?;
                let end = match last {
                    None => LocalMinute::OPEN,
                    Some(last) if last < first => return Err(AbsenceError::EndBeforeStart),
                    // Since 2025-01-24 Personio refuses a single day that starts in its
                    // second half and ends in its first (personio-api.md §3.7, H).
                    Some(last) if last == first && from_noon && until_noon => {
                        return Err(AbsenceError::InvalidHalfDays);
                    }
                    Some(last) => at(last, if until_noon { noon } else { MINUTES_PER_DAY })?,
                };
                if !end.is_open()
                    && end.0.saturating_sub(start.0) > MAX_ABSENCE_DAYS * MINUTES_PER_DAY
                {
                    return Err(AbsenceError::TooLong);
                }
                Ok((start, end))
            }
            AbsenceSpan::Hours { start, end } => {
                let start = LocalMinute::from_naive(start).ok_or(AbsenceError::OutOfRange)?;
                let end = LocalMinute::from_naive(end).ok_or(AbsenceError::OutOfRange)?;
                if end <= start {
                    return Err(AbsenceError::EndBeforeStart);
                }
                if end.0.saturating_sub(start.0) > MAX_ABSENCE_DAYS * MINUTES_PER_DAY {
                    return Err(AbsenceError::TooLong);
                }
                Ok((start, end))
            }
        }
    }

    fn is_half_day(self) -> bool {
        matches!(self, AbsenceSpan::Days { from_noon, until_noon, .. } if from_noon || until_noon)
    }
}

/// A new absence, as a writer asks for it.
#[derive(Debug, Clone)]
pub struct NewAbsence {
    pub person: i64,
    pub type_id: i64,
    pub span: AbsenceSpan,
    pub comment: Option<String>,
    pub substitute: Option<i64>,
    pub status: AbsenceStatus,
    pub origin: AbsenceOrigin,
}

/// Requested changes; `None` leaves a field as it is, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct AbsenceChanges {
    pub span: Option<AbsenceSpan>,
    pub comment: Option<Option<String>>,
    pub substitute: Option<Option<i64>>,
}

/// Why an absence change was refused. [`AbsenceError::is_conflict`] tells the 409 cases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbsenceError {
    #[error("The absence period was not found.")]
    NotFound,
    #[error("Person {0} not found.")]
    UnknownPerson(i64),
    #[error("Absence type not found.")]
    UnknownType,
    #[error("The end of the absence is before its start.")]
    EndBeforeStart,
    #[error("A single-day absence cannot start in its second half and end in its first.")]
    InvalidHalfDays,
    #[error("This absence type does not allow half days.")]
    HalfDaysNotAllowed,
    #[error("This absence type is measured in days; give whole or half days.")]
    DaysRequired,
    #[error("This absence type does not allow a substitute.")]
    SubstituteNotAllowed,
    #[error("This absence type requires a substitute.")]
    SubstituteRequired,
    #[error("The substitute is not a valid person for this absence.")]
    SubstituteInvalid,
    #[error("The person already has an absence in this period.")]
    Overlap,
    #[error("The person is substituting for someone else in this period.")]
    Substituting,
    #[error("The comment may not be longer than 2000 characters.")]
    CommentTooLong,
    #[error("The absence is too long; an absence with an end lasts at most three years.")]
    TooLong,
    #[error("The time is out of range.")]
    OutOfRange,
}

/// Longest absence with an end we take (our limit: longer ones are open-ended).
const MAX_ABSENCE_DAYS: i32 = 3 * 366;

impl AbsenceError {
    /// The conflicts Personio answers with 409 rather than 422 (§3.7, H).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            AbsenceError::Overlap | AbsenceError::Substituting | AbsenceError::SubstituteInvalid
        )
    }
}

/// `comment` limit (the docs hint at 2000 characters; confidence L).
const MAX_COMMENT_CHARS: usize = 2000;

fn payload(absence: &AbsencePeriod) -> serde_json::Value {
    json!({ "id": absence.id.to_string(), "person": { "id": absence.person.to_string() } })
}

/// How much of one day an absence takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayShare {
    pub date: NaiveDate,
    /// In the type's unit: days (0, 0.5, 1) or hours.
    pub amount: f64,
    /// Minutes of planned work taken (v1's `effective_duration`).
    pub minutes: i64,
}

impl Company {
    /// Records a new absence (as `POST /v2/absence-periods` does); returns its id.
    pub fn create_absence(
        &mut self,
        new: NewAbsence,
        now: DateTime<Utc>,
    ) -> Result<Uuid, AbsenceError> {
        self.create_absence_as(uuid_from(&mut rand::rng()), new, now)
    }

    /// [`Company::create_absence`] with the id chosen by the caller (see
    /// [`Company::create_attendance_as`]).
    pub(crate) fn create_absence_as(
        &mut self,
        id: Uuid,
        new: NewAbsence,
        now: DateTime<Utc>,
    ) -> Result<Uuid, AbsenceError> {
        let (start, end) = self.check_absence(
            new.person,
            new.type_id,
            new.span,
            new.comment.as_deref(),
            new.substitute,
            None,
        )?;
        let absence = AbsencePeriod {
            id,
            person: new.person,
            type_id: new.type_id,
            start,
            end,
            status: new.status,
            comment: new.comment,
            substitute: new.substitute,
            origin: new.origin,
            created_by: Some(new.person),
            created_at: now,
            updated_at: now,
            approved_at: new.status.is_approved().then_some(now),
        };
        let id = absence.id;
        self.changes
            .record("absence-period.created", now, payload(&absence));
        self.absences.periods.insert(absence);
        Ok(id)
    }

    /// Changes an absence's span, comment or substitute under the creation rules. A new
    /// span records `absence-period.updated.timerange`; Personio has no event for the rest.
    pub fn update_absence(
        &mut self,
        id: Uuid,
        changes: AbsenceChanges,
        now: DateTime<Utc>,
    ) -> Result<(), AbsenceError> {
        let current = self.absences.get(id).ok_or(AbsenceError::NotFound)?.clone();
        let span = changes.span.unwrap_or_else(|| self.span_of(&current));
        let comment = changes.comment.unwrap_or_else(|| current.comment.clone());
        let substitute = changes.substitute.unwrap_or(current.substitute);
        let (start, end) = self.check_absence(
            current.person,
            current.type_id,
            span,
            comment.as_deref(),
            substitute,
            Some(id),
        )?;
        let mut next = current.clone();
        (next.start, next.end, next.comment, next.substitute) = (start, end, comment, substitute);
        if next == current {
            return Ok(());
        }
        next.updated_at = now.max(current.updated_at);
        if (next.start, next.end) != (current.start, current.end) {
            self.changes
                .record("absence-period.updated.timerange", now, payload(&next));
        }
        self.absences.periods.update(id, |a| *a = next);
        Ok(())
    }

    /// Moves an absence through its approval (approve, ask for deletion, ...). Records
    /// `absence-period.updated.status`.
    pub fn set_absence_status(
        &mut self,
        id: Uuid,
        status: AbsenceStatus,
        now: DateTime<Utc>,
    ) -> Result<(), AbsenceError> {
        let current = self.absences.get(id).ok_or(AbsenceError::NotFound)?;
        if current.status == status {
            return Ok(());
        }
        let approved_at = match status.is_approved() {
            true => current.approved_at.or(Some(now)),
            false => None,
        };
        let updated_at = now.max(current.updated_at);
        let changed = self
            .absences
            .periods
            .update(id, |a| {
                a.status = status;
                a.approved_at = approved_at;
                a.updated_at = updated_at;
            })
            .map(payload);
        if let Some(payload) = changed {
            self.changes
                .record("absence-period.updated.status", now, payload);
        }
        Ok(())
    }

    /// Rejects an absence: like a deletion, it vanishes from every listing (no tombstones).
    pub fn reject_absence(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<(), AbsenceError> {
        self.delete_absence(id, now).map(drop)
    }

    /// Deletes an absence; returns it as it was.
    pub fn delete_absence(
        &mut self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<AbsencePeriod, AbsenceError> {
        let removed = self
            .absences
            .periods
            .remove(id)
            .ok_or(AbsenceError::NotFound)?
            .clone();
        self.changes
            .record("absence-period.deleted", now, payload(&removed));
        Ok(removed)
    }

    /// The span of an existing absence, in the terms a writer uses.
    pub fn span_of(&self, absence: &AbsencePeriod) -> AbsenceSpan {
        let by_days = self
            .time_off_type(absence.type_id)
            .is_some_and(|t| t.unit == AbsenceUnit::Day)
            || (absence.start.minute_of_day() % (MINUTES_PER_DAY / 2) == 0
                && (absence.end.is_open()
                    || absence.end.minute_of_day() % (MINUTES_PER_DAY / 2) == 0));
        match (by_days, absence.last_day()) {
            (true, last) => {
                let (first, from_noon) = absence.first_day();
                AbsenceSpan::Days {
                    first,
                    from_noon,
                    last: last.map(|l| l.0),
                    until_noon: last.is_some_and(|l| l.1),
                }
            }
            (false, _) => AbsenceSpan::Hours {
                start: absence.start.naive(),
                end: absence.end.naive(),
            },
        }
    }

    /// Day by day, what an absence takes from its person's planned work: whole or half
    /// days for day-unit types, hours for hour-unit types; nothing on days off and holidays.
    /// An open-ended absence is counted through `until`.
    pub fn absence_days(&self, absence: &AbsencePeriod, until: NaiveDate) -> Vec<DayShare> {
        let Some(employee) = self.employee(absence.person) else {
            return Vec::new();
        };
        let unit = self
            .time_off_type(absence.type_id)
            .map_or(AbsenceUnit::Day, |t| t.unit);
        let first = absence.start.day();
        let last = match absence.last_day() {
            Some((last, _)) => last,
            None => until.max(first),
        };
        let calendar = WorkCalendar::of(self, employee, first, last);
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|date| {
                let day_start = LocalMinute::at(date, 0);
                let covered = absence.end.min(day_start.plus(MINUTES_PER_DAY)).0
                    - absence.start.max(day_start).0;
                let planned = i64::from(calendar.minutes(date));
                let whole = covered >= MINUTES_PER_DAY;
                let half = covered == MINUTES_PER_DAY / 2;
                let minutes = match (planned, whole, half) {
                    (0, _, _) => 0,
                    (_, true, _) => planned,
                    (_, _, true) => planned / 2,
                    _ => i64::from(covered),
                };
                let amount = match unit {
                    AbsenceUnit::Day if planned == 0 => 0.0,
                    AbsenceUnit::Day if whole => 1.0,
                    AbsenceUnit::Day => 0.5,
                    AbsenceUnit::Hour => minutes as f64 / 60.0,
                };
                DayShare {
                    date,
                    amount,
                    minutes,
                }
            })
            .collect()
    }

    /// Amount of an absence type a person has in `year`, in the type's unit: approved
    /// absences (`approved`) or those still waiting for a decision (`!approved`).
    pub fn absence_amount_in_year(
        &self,
        person: i64,
        type_id: i64,
        year: i32,
        approved: bool,
    ) -> f64 {
        let end_of_year = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
        self.absences
            .of_person(person)
            .filter(|a| a.type_id == type_id && a.status.is_approved() == approved)
            .flat_map(|a| self.absence_days(a, end_of_year))
            .filter(|d| d.date.year() == year)
            .map(|d| d.amount)
            .sum()
    }

    fn check_absence(
        &self,
        person: i64,
        type_id: i64,
        span: AbsenceSpan,
        comment: Option<&str>,
        substitute: Option<i64>,
        except: Option<Uuid>,
    ) -> Result<(LocalMinute, LocalMinute), AbsenceError> {
        if self.employee(person).is_none() {
            return Err(AbsenceError::UnknownPerson(person));
        }
        let kind: &TimeOffType = self
            .time_off_type(type_id)
            .ok_or(AbsenceError::UnknownType)?;
        let (start, end) = span.minutes()?;
        if kind.unit == AbsenceUnit::Day && matches!(span, AbsenceSpan::Hours { .. }) {
            return Err(AbsenceError::DaysRequired);
        }
        if span.is_half_day() && !kind.half_day_requests_enabled {
            return Err(AbsenceError::HalfDaysNotAllowed);
        }
        if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
            return Err(AbsenceError::CommentTooLong);
        }
        match (substitute, kind.substitute_option) {
            (Some(_), "disabled") => return Err(AbsenceError::SubstituteNotAllowed),
            (None, "required") => return Err(AbsenceError::SubstituteRequired),
            (Some(s), _) if s == person || self.employee(s).is_none() => {
                return Err(AbsenceError::SubstituteInvalid);
            }
            _ => {}
        }
        let clashes = |a: &AbsencePeriod| Some(a.id) != except && a.overlaps(start, end);
        if self.absences.of_person(person).any(clashes) {
            return Err(AbsenceError::Overlap);
        }
        if self
            .absences
            .periods
            .iter()
            .any(|a| a.substitute == Some(person) && clashes(a))
        {
            return Err(AbsenceError::Substituting);
        }
        Ok((start, end))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::*;
    use crate::company::{GenerateSpec, HistorySpec};

    #[test]
    fn writes_record_personios_event_names() {
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let mut company = Company::generate(GenerateSpec {
            seed: 6,
            employees: 6,
            as_of,
        });
        company.generate_history(HistorySpec { seed: 6, days: 0 });
        let now = as_of + Duration::hours(1);
        let person = company.employees[3].id;
        let vacation = company.time_off_types[0].id;
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let days = |first, last| AbsenceSpan::Days {
            first: day(first),
            from_noon: false,
            last: Some(day(last)),
            until_noon: false,
        };
        let before = company.changes.last_seq();
        let new = NewAbsence {
            person,
            type_id: vacation,
            span: days(9, 10),
            comment: None,
            substitute: None,
            status: AbsenceStatus::Pending,
            origin: AbsenceOrigin::Api,
        };
        let id = company.create_absence(new.clone(), now).unwrap();
        assert_eq!(company.create_absence(new, now), Err(AbsenceError::Overlap));
        company
            .set_absence_status(id, AbsenceStatus::Approved, now)
            .unwrap();
        assert!(company.absences.get(id).unwrap().approved_at.is_some());
        let longer = AbsenceChanges {
            span: Some(days(9, 11)),
            ..Default::default()
        };
        company.update_absence(id, longer, now).unwrap();
        company.reject_absence(id, now).unwrap();
        assert!(
            company.absences.get(id).is_none(),
            "rejected absences vanish"
        );
        let names: Vec<&str> = company.changes.since(before).map(|e| e.name).collect();
        assert_eq!(
            names,
            [
                "absence-period.created",
                "absence-period.updated.status",
                "absence-period.updated.timerange",
                "absence-period.deleted"
            ]
        );
    }
}
