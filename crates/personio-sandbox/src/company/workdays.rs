//! When a person is expected to work: the minutes their work schedule gives each weekday,
//! and none on a public holiday of their calendar. Absences are counted against this.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use super::holidays::HolidayMask;
use super::{Company, Employee};

/// A person's working time over a range of days.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    minutes: [u32; 7],
    holidays: HolidayMask,
}

impl WorkCalendar {
    /// The calendar of `employee` between `first` and `last` (inclusive).
    pub fn of(company: &Company, employee: &Employee, first: NaiveDate, last: NaiveDate) -> Self {
        let minutes = company
            .work_schedule(employee.work_schedule_id)
            .map(|s| s.minutes)
            .unwrap_or([480, 480, 480, 480, 480, 0, 0]);
        let holidays = match company.holiday_calendar(employee.holiday_calendar_id) {
            Some(calendar) => HolidayMask::new(calendar, first, last),
            None => HolidayMask::none(first),
        };
        WorkCalendar { minutes, holidays }
    }

    /// Minutes of work planned on `day` (0 on days off and holidays).
    pub fn minutes(&self, day: NaiveDate) -> u32 {
        if self.holidays.contains(day) {
            0
        } else {
            self.minutes[day.weekday().num_days_from_monday() as usize]
        }
    }

    pub fn is_holiday(&self, day: NaiveDate) -> bool {
        self.holidays.contains(day)
    }
}

impl Company {
    /// The zone a person's times are local to: their legal entity's.
    pub fn timezone_of(&self, employee: &Employee) -> Tz {
        self.legal_entity(employee.legal_entity_id)
            .map(|e| e.timezone)
            .unwrap_or(self.timezone)
    }
}
