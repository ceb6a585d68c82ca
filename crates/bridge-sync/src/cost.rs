//! What full readings cost under Personio's rate limits, and so which API `--api auto` reads
//! a resource through where both serve it: the one that leaves the sync's slowest bucket
//! least busy. The arithmetic is the README's ("What a sync costs under Personio's limits").
//!
//! A sync cannot be shorter than its slowest bucket: for each bucket, the requests beyond
//! what it holds when full, divided by its rate; buckets drain side by side. The rates are
//! Personio's as personio-api.md §5 gives them; the v2 per-endpoint rates there are observed
//! by clients, not documented, so the choice they lead to is an estimate too.

use std::collections::BTreeMap;

use crate::engine::ApiChoice;
use crate::resources::ResourceName;

/// A company's size, as far as the store knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Size {
    pub people: u64,
    pub absences: u64,
    pub attendances: u64,
    /// Absence types counted in hours: v1 reads each one's periods as a listing of its own.
    pub hourly_absence_types: u64,
}

/// A rate-limit bucket: its rate and what it holds when full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bucket {
    /// Every v1 request of a client (2,000 a minute, all of them at once).
    V1Budget,
    /// v1 employee listings: 300 a minute, and no more than 15 in a second.
    V1EmployeesMinute,
    V1EmployeesSecond,
    /// v2 persons and employments (30 a second each, observed).
    V2Persons,
    V2Employments,
    /// v2 absence and attendance periods (10 a second each, observed).
    V2Absences,
    V2Attendances,
}

impl Bucket {
    /// (requests a second, requests it holds when full).
    fn rate_and_burst(self) -> (f64, f64) {
        match self {
            Bucket::V1Budget => (2_000.0 / 60.0, 2_000.0),
            Bucket::V1EmployeesMinute => (300.0 / 60.0, 300.0),
            Bucket::V1EmployeesSecond => (15.0, 15.0),
            Bucket::V2Persons | Bucket::V2Employments => (30.0, 30.0),
            Bucket::V2Absences | Bucket::V2Attendances => (10.0, 10.0),
        }
    }
}

fn pages(records: u64, per_page: u64) -> u64 {
    records.div_ceil(per_page).max(1)
}

/// The requests a full reading of `resource` through `api` sends, per bucket.
fn requests(resource: ResourceName, api: ApiChoice, size: &Size) -> Vec<(Bucket, u64)> {
    match (resource, api) {
        (ResourceName::Employees, ApiChoice::V2) => vec![
            (Bucket::V2Persons, pages(size.people, 50)),
            (Bucket::V2Employments, size.people),
        ],
        (ResourceName::Employees, _) => {
            let listing = pages(size.people, 100);
            vec![
                (Bucket::V1EmployeesMinute, listing),
                (Bucket::V1EmployeesSecond, listing),
                (Bucket::V1Budget, listing),
            ]
        }
        // Time-offs, then one listing of hourly periods per hourly type; 200 a page.
        (ResourceName::Absences, ApiChoice::V1) => vec![(
            Bucket::V1Budget,
            pages(size.absences, 200) + size.hourly_absence_types,
        )],
        (ResourceName::Absences, _) => vec![(Bucket::V2Absences, pages(size.absences, 100))],
        (ResourceName::Attendances, _) => {
            vec![(Bucket::V2Attendances, pages(size.attendances, 100))]
        }
        // Reference data and the rest: a page or a few, whichever API.
        _ => Vec::new(),
    }
}

/// Seconds the readings need at least: the slowest bucket's requests beyond its burst over
/// its rate.
pub fn bound_seconds(readings: &[(ResourceName, ApiChoice)], size: &Size) -> f64 {
    let mut load: BTreeMap<Bucket, u64> = BTreeMap::new();
    for (resource, api) in readings {
        for (bucket, n) in requests(*resource, *api, size) {
            *load.entry(bucket).or_default() += n;
        }
    }
    load.into_iter()
        .map(|(bucket, n)| {
            let (rate, burst) = bucket.rate_and_burst();
            (n as f64 - burst).max(0.0) / rate
        })
        .fold(0.0, f64::max)
}

/// Whether reading `resource` through `api` stores everything the other API's reading
/// would. v1 absences do not: time-offs know no pending deletion, give an open-ended
/// absence an end, and name no zone (the cross-API tests show each); their types follow
/// them. v1 and v2 employees store the same person, employment and cost center rows.
pub fn keeps_everything(resource: ResourceName, api: ApiChoice) -> bool {
    !matches!(
        (resource, api),
        (
            ResourceName::Absences | ResourceName::AbsenceTypes,
            ApiChoice::V1
        )
    )
}

/// Whether the choice for `resource` depends on the company's size: both APIs serve it
/// and both keep everything.
pub fn weighs(resource: ResourceName) -> bool {
    match resource.apis() {
        (usual, Some(other)) => {
            keeps_everything(resource, usual) && keeps_everything(resource, other)
        }
        _ => false,
    }
}

/// The API `auto` reads `resource` through in a sync of `resources`: among the readings
/// that keep everything, the one under which the sync's bound is lower; on a tie, the
/// resource's usual API (`ResourceName::apis`).
pub fn auto_api(resource: ResourceName, resources: &[ResourceName], size: &Size) -> ApiChoice {
    let (usual, Some(other)) = resource.apis() else {
        return resource.apis().0;
    };
    if !weighs(resource) {
        return if keeps_everything(resource, other) {
            other
        } else {
            usual
        };
    }
    let sync_under = |api: ApiChoice| {
        let readings: Vec<(ResourceName, ApiChoice)> = resources
            .iter()
            .filter(|r| **r != resource)
            .map(|r| (*r, r.apis().0))
            .chain([(resource, api)])
            .collect();
        bound_seconds(&readings, size)
    };
    if sync_under(other) < sync_under(usual) {
        other
    } else {
        usual
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERYDAY: [ResourceName; 4] = [
        ResourceName::AbsenceTypes,
        ResourceName::Employees,
        ResourceName::Absences,
        ResourceName::Attendances,
    ];

    fn company(people: u64, days: u64, attendance: bool) -> Size {
        // About 16 absences and, where attendance is kept, 286 periods a person a year.
        Size {
            people,
            absences: people * 16 * days / 365,
            attendances: if attendance {
                people * 286 * days / 365
            } else {
                0
            },
            hourly_absence_types: 2,
        }
    }

    #[test]
    fn employees_come_through_v1_at_any_size() {
        for people in [1, 50, 1_000, 10_000, 100_000] {
            let size = company(people, 365, true);
            assert_eq!(
                auto_api(ResourceName::Employees, &EVERYDAY, &size),
                ApiChoice::V1,
                "{people}"
            );
        }
    }

    #[test]
    fn absences_stay_on_v2_while_attendance_is_the_slowest_bucket() {
        let size = company(1_000, 365, true);
        assert_eq!(
            auto_api(ResourceName::Absences, &EVERYDAY, &size),
            ApiChoice::V2
        );
        assert_eq!(
            auto_api(ResourceName::AbsenceTypes, &EVERYDAY, &size),
            ApiChoice::V2
        );
        // The README's figures: 2,865 attendance pages at 10/s.
        let bound = bound_seconds(
            &[
                (ResourceName::Employees, ApiChoice::V1),
                (ResourceName::Absences, ApiChoice::V2),
                (ResourceName::Attendances, ApiChoice::V2),
            ],
            &Size {
                attendances: 286_500,
                ..size
            },
        );
        assert!((bound - 285.5).abs() < 1e-9, "{bound}");
    }

    #[test]
    fn absences_stay_on_v2_even_where_v1_would_cost_less() {
        // No attendance kept: v2's absence bucket is the sync's bound, and v1 would read
        // the absences from the v1 budget for nothing; but v1 would lose what only v2 says.
        let size = company(10_000, 365, false);
        let resources = [
            ResourceName::AbsenceTypes,
            ResourceName::Employees,
            ResourceName::Absences,
        ];
        let under = |api| {
            bound_seconds(
                &[
                    (ResourceName::Employees, ApiChoice::V1),
                    (ResourceName::Absences, api),
                ],
                &size,
            )
        };
        assert!(under(ApiChoice::V1) < under(ApiChoice::V2) / 10.0);
        for resource in [ResourceName::Absences, ResourceName::AbsenceTypes] {
            assert!(!keeps_everything(resource, ApiChoice::V1));
            assert_eq!(auto_api(resource, &resources, &size), ApiChoice::V2);
        }
    }

    #[test]
    fn employees_through_v1_take_the_second_bucket_as_their_bound() {
        // 10,000 people: 100 pages, 15 a second after the first 15.
        let bound = bound_seconds(
            &[(ResourceName::Employees, ApiChoice::V1)],
            &company(10_000, 365, true),
        );
        assert!((bound - 85.0 / 15.0).abs() < 1e-9, "{bound}");
        let through_v2 = bound_seconds(
            &[(ResourceName::Employees, ApiChoice::V2)],
            &company(10_000, 365, true),
        );
        assert!((through_v2 - 9_970.0 / 30.0).abs() < 1e-9, "{through_v2}");
    }

    #[test]
    fn resources_one_api_serves_keep_it() {
        let size = company(1_000, 365, true);
        for resource in [ResourceName::Balances, ResourceName::CustomReports] {
            assert_eq!(auto_api(resource, &EVERYDAY, &size), ApiChoice::V1);
        }
        assert_eq!(
            auto_api(ResourceName::Attendances, &EVERYDAY, &size),
            ApiChoice::V2
        );
    }
}
