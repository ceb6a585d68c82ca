//! Public holidays of the generated holiday calendars: a small built-in list of fixed and
//! Easter-based days per calendar, enough to keep attendances off holidays and absences
//! from counting them. Personio exposes no holiday endpoint (personio-api.md §6 #27), so
//! only the consequences are visible through the API.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::org::HolidayCalendar;

/// How a holiday's date is found in a given year.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Month and day.
    Fixed(u32, u32),
    /// Days after Easter Sunday (negative: before).
    Easter(i64),
    /// The first Monday of a month.
    FirstMonday(u32),
    /// The last Monday of a month.
    LastMonday(u32),
}

use Rule::{Easter, FirstMonday, Fixed, LastMonday};

const GERMANY: &[Rule] = &[
    Fixed(1, 1),
    Easter(-2),
    Easter(1),
    Fixed(5, 1),
    Easter(39),
    Easter(50),
    Fixed(10, 3),
    Fixed(12, 25),
    Fixed(12, 26),
];
const BERLIN: &[Rule] = &[Fixed(3, 8)];
const BAVARIA: &[Rule] = &[Fixed(1, 6), Easter(60), Fixed(8, 15), Fixed(11, 1)];
const HAMBURG: &[Rule] = &[Fixed(10, 31)];
const SPAIN: &[Rule] = &[
    Fixed(1, 1),
    Fixed(1, 6),
    Easter(-2),
    Fixed(5, 1),
    Fixed(8, 15),
    Fixed(10, 12),
    Fixed(11, 1),
    Fixed(12, 6),
    Fixed(12, 8),
    Fixed(12, 25),
];
const MADRID: &[Rule] = &[Easter(-3), Fixed(5, 2)];
const CATALONIA: &[Rule] = &[Easter(1), Fixed(6, 24), Fixed(9, 11), Fixed(12, 26)];
const ENGLAND: &[Rule] = &[
    Fixed(1, 1),
    Easter(-2),
    Easter(1),
    FirstMonday(5),
    LastMonday(5),
    LastMonday(8),
    Fixed(12, 25),
    Fixed(12, 26),
];

/// The holidays of `calendar` in `year`, sorted. English bank holidays that fall on a
/// weekend move to the next free weekday, as substitute days do.
pub fn holidays(calendar: &HolidayCalendar, year: i32) -> Vec<NaiveDate> {
    let (national, regional): (&[Rule], &[Rule]) = match (calendar.country, calendar.state) {
        ("DE", Some("Berlin")) => (GERMANY, BERLIN),
        ("DE", Some("Bayern")) => (GERMANY, BAVARIA),
        ("DE", Some("Hamburg")) => (GERMANY, HAMBURG),
        ("DE", _) => (GERMANY, &[]),
        ("ES", Some("Madrid")) => (SPAIN, MADRID),
        ("ES", Some("Cataluña")) => (SPAIN, CATALONIA),
        ("ES", _) => (SPAIN, &[]),
        ("GB", _) => (ENGLAND, &[]),
        _ => (&[], &[]),
    };
    let mut days: Vec<NaiveDate> = national
        .iter()
        .chain(regional)
        .filter_map(|rule| date_of(*rule, year))
        .collect();
    days.sort();
    days.dedup();
    if calendar.country == "GB" {
        days = with_substitutes(days);
    }
    days
}

fn date_of(rule: Rule, year: i32) -> Option<NaiveDate> {
    match rule {
        Fixed(month, day) => NaiveDate::from_ymd_opt(year, month, day),
        Easter(offset) => easter_sunday(year).map(|e| e + Duration::days(offset)),
        FirstMonday(month) => NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1),
        LastMonday(month) => {
            let first_of_next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)
            }?;
            let back = (first_of_next.weekday().num_days_from_monday() + 6) % 7 + 1;
            Some(first_of_next - Duration::days(i64::from(back)))
        }
    }
}

fn with_substitutes(days: Vec<NaiveDate>) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = Vec::with_capacity(days.len());
    for day in days {
        let mut moved = day;
        while moved.weekday().num_days_from_monday() >= 5 || out.contains(&moved) {
            moved += Duration::days(1);
        }
        out.push(moved);
    }
    out.sort();
    out
}

/// Easter Sunday of the Gregorian calendar (the anonymous "computus" of 1876).
pub(crate) fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// Which days of a range are holidays, for fast lookups while generating.
#[derive(Debug, Clone)]
pub(crate) struct HolidayMask {
    first: NaiveDate,
    holiday: Vec<bool>,
}

impl HolidayMask {
    /// Holidays of `calendar` between `first` and `last`, inclusive.
    pub(crate) fn new(
        calendar: &HolidayCalendar,
        first: NaiveDate,
        last: NaiveDate,
    ) -> HolidayMask {
        let len = (last - first).num_days().max(-1) + 1;
        let mut holiday = vec![false; len as usize];
        for year in first.year()..=last.year() {
            for day in holidays(calendar, year) {
                let offset = (day - first).num_days();
                if (0..len).contains(&offset) {
                    holiday[offset as usize] = true;
                }
            }
        }
        HolidayMask { first, holiday }
    }

    /// A range without holidays.
    pub(crate) fn none(first: NaiveDate) -> HolidayMask {
        HolidayMask {
            first,
            holiday: Vec::new(),
        }
    }

    pub(crate) fn contains(&self, day: NaiveDate) -> bool {
        let offset = (day - self.first).num_days();
        offset >= 0 && self.holiday.get(offset as usize).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(country: &'static str, state: Option<&'static str>) -> HolidayCalendar {
        HolidayCalendar {
            id: 1,
            name: "test",
            country,
            state,
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_falls_where_the_calendar_says() {
        assert_eq!(easter_sunday(2024), Some(date(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(date(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(date(2026, 4, 5)));
    }

    #[test]
    fn calendars_combine_national_and_regional_days() {
        let bavaria = holidays(&calendar("DE", Some("Bayern")), 2025);
        assert!(bavaria.contains(&date(2025, 6, 19)), "Corpus Christi");
        assert!(bavaria.contains(&date(2025, 4, 18)), "Good Friday");
        let berlin = holidays(&calendar("DE", Some("Berlin")), 2025);
        assert!(!berlin.contains(&date(2025, 6, 19)));
        assert!(berlin.contains(&date(2025, 3, 8)));
        let madrid = holidays(&calendar("ES", Some("Madrid")), 2025);
        assert!(madrid.contains(&date(2025, 4, 17)), "Maundy Thursday");
    }

    #[test]
    fn english_bank_holidays_move_off_weekends() {
        // 2022: Christmas on a Sunday, Boxing Day on Monday → substitute Tuesday 27th.
        let days = holidays(&calendar("GB", None), 2022);
        assert!(days.contains(&date(2022, 12, 26)) && days.contains(&date(2022, 12, 27)));
        assert!(!days.contains(&date(2022, 12, 25)));
        assert!(days.contains(&date(2022, 5, 30)), "spring bank holiday");
        assert!(days.contains(&date(2022, 8, 29)), "summer bank holiday");
    }
}
