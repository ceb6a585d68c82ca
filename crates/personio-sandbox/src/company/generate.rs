//! The seeded generator: the same seed, size and date always give the same company.
//!
//! Employees are made in the order they joined, so ids grow with `created_at` and the
//! earliest person in a department or team becomes its head or lead. Supervisors therefore
//! always joined before their reports, and the supervisor tree has no cycles.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use personio_api::v1::AttributeType;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::Company;
use super::attributes::{CUSTOM_ATTRIBUTE_TEMPLATES, CustomAttributeDef};
use super::employee::{
    CustomValue, Employee, EmploymentType, Gender, SalaryInterval, Status, Termination,
};
use super::names;
use super::org::{
    AbsenceUnit, CostCenter, HolidayCalendar, LegalEntity, Office, OrgUnit, OrgUnitKind,
    TimeOffType, WorkSchedule,
};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateSpec {
    pub seed: u64,
    pub employees: usize,
    /// The moment the company is "as of": every generated timestamp is before it.
    pub as_of: DateTime<Utc>,
}

/// How many years of hiring history the company has.
const HISTORY_YEARS: i64 = 8;

struct EntityTemplate {
    suffix: &'static str,
    country: &'static str,
    currency: &'static str,
    timezone: Tz,
    full_time_hours: f64,
    vacation_days: f64,
    probation_months: u32,
    language: &'static str,
    street: &'static str,
    postal_code: &'static str,
    city: &'static str,
    /// Share of employees, in percent.
    share: u32,
    offices: &'static [(&'static str, u32, usize)],
}

/// (name, state) of holiday calendars, referenced by index from the offices below.
const CALENDARS: &[(&str, &str, Option<&str>)] = &[
    ("Deutschland (Berlin) Feiertage", "DE", Some("Berlin")),
    ("Deutschland (Bayern) Feiertage", "DE", Some("Bayern")),
    ("Deutschland (Hamburg) Feiertage", "DE", Some("Hamburg")),
    (
        "España (Comunidad de Madrid) Festivos",
        "ES",
        Some("Madrid"),
    ),
    ("España (Cataluña) Festius", "ES", Some("Cataluña")),
    ("England & Wales Bank Holidays", "GB", None),
];

const ENTITIES: &[EntityTemplate] = &[
    EntityTemplate {
        suffix: "GmbH",
        country: "DE",
        currency: "EUR",
        timezone: chrono_tz::Europe::Berlin,
        full_time_hours: 40.0,
        vacation_days: 30.0,
        probation_months: 6,
        language: "de",
        street: "Torstraße 49",
        postal_code: "10119",
        city: "Berlin",
        share: 60,
        offices: &[("Berlin", 50, 0), ("Munich", 30, 1), ("Hamburg", 20, 2)],
    },
    EntityTemplate {
        suffix: "España S.L.",
        country: "ES",
        currency: "EUR",
        timezone: chrono_tz::Europe::Madrid,
        full_time_hours: 40.0,
        vacation_days: 23.0,
        probation_months: 6,
        language: "es",
        street: "Calle de Alcalá 21",
        postal_code: "28014",
        city: "Madrid",
        share: 25,
        offices: &[("Madrid", 60, 3), ("Barcelona", 40, 4)],
    },
    EntityTemplate {
        suffix: "UK Ltd",
        country: "GB",
        currency: "GBP",
        timezone: chrono_tz::Europe::London,
        full_time_hours: 37.5,
        vacation_days: 25.0,
        probation_months: 3,
        language: "en",
        street: "10 Finsbury Square",
        postal_code: "EC2A 1AF",
        city: "London",
        share: 15,
        offices: &[("London", 80, 5), ("Manchester", 20, 5)],
    },
];

/// (name, abbreviation, parent department, staffing weight, cost center).
const DEPARTMENTS: &[(&str, &str, Option<&str>, u32, &str)] = &[
    ("Management", "MGMT", None, 2, "CC-100 Management"),
    ("Technology", "TECH", None, 0, "CC-200 Engineering"),
    (
        "Engineering",
        "ENG",
        Some("Technology"),
        30,
        "CC-200 Engineering",
    ),
    (
        "Product",
        "PROD",
        Some("Technology"),
        6,
        "CC-210 Product & Design",
    ),
    (
        "Design",
        "DES",
        Some("Technology"),
        4,
        "CC-210 Product & Design",
    ),
    ("Data", "DATA", Some("Technology"), 5, "CC-220 Data"),
    ("Commercial", "COM", None, 0, "CC-300 Sales"),
    ("Sales", "SAL", Some("Commercial"), 16, "CC-300 Sales"),
    (
        "Marketing",
        "MKT",
        Some("Commercial"),
        7,
        "CC-310 Marketing",
    ),
    (
        "Customer Success",
        "CS",
        Some("Commercial"),
        12,
        "CC-320 Customer Success",
    ),
    ("Operations", "OPS", None, 0, "CC-400 Finance & Legal"),
    (
        "Finance",
        "FIN",
        Some("Operations"),
        5,
        "CC-400 Finance & Legal",
    ),
    (
        "People & Culture",
        "PEO",
        Some("Operations"),
        5,
        "CC-410 People",
    ),
    (
        "Legal",
        "LEG",
        Some("Operations"),
        2,
        "CC-400 Finance & Legal",
    ),
    (
        "Workplace",
        "WPL",
        Some("Operations"),
        3,
        "CC-420 Workplace",
    ),
];

/// (name, parent department or team, staffing weight within its department).
const TEAMS: &[(&str, &str, u32)] = &[
    ("Platform", "Engineering", 3),
    ("Infrastructure", "Platform", 2),
    ("Payments", "Engineering", 3),
    ("Mobile", "Engineering", 2),
    ("Web", "Engineering", 3),
    ("Security", "Engineering", 1),
    ("Core Product", "Product", 1),
    ("Growth", "Product", 1),
    ("Product Design", "Design", 2),
    ("Brand", "Design", 1),
    ("Analytics", "Data", 1),
    ("Data Platform", "Data", 1),
    ("DACH Sales", "Sales", 3),
    ("Iberia Sales", "Sales", 2),
    ("UK Sales", "Sales", 2),
    ("Sales Operations", "Sales", 1),
    ("Content", "Marketing", 1),
    ("Performance Marketing", "Marketing", 1),
    ("Onboarding", "Customer Success", 1),
    ("Support", "Customer Success", 3),
    ("Support Tier 2", "Support", 1),
    ("Account Management", "Customer Success", 2),
    ("Accounting", "Finance", 2),
    ("Controlling", "Finance", 1),
    ("Talent Acquisition", "People & Culture", 1),
    ("People Operations", "People & Culture", 1),
    ("Facilities", "Workplace", 1),
];

/// A cost center that co-funds some people's time (research grants, shared services).
const SPLIT_COST_CENTER: &str = "CC-900 R&D Grant";

/// (name, minutes per weekday Mon..Sun).
const SCHEDULES: &[(&str, [u32; 7])] = &[
    (
        "Full-time, 40 hours (Mon–Fri)",
        [480, 480, 480, 480, 480, 0, 0],
    ),
    (
        "Full-time, 37.5 hours (Mon–Fri)",
        [450, 450, 450, 450, 450, 0, 0],
    ),
    (
        "Part-time, 32 hours (Mon–Thu)",
        [480, 480, 480, 480, 0, 0, 0],
    ),
    (
        "Part-time, 30 hours (Mon–Fri)",
        [360, 360, 360, 360, 360, 0, 0],
    ),
    ("Part-time, 24 hours (Mon–Wed)", [480, 480, 480, 0, 0, 0, 0]),
    (
        "Part-time, 20 hours (Mon–Fri)",
        [240, 240, 240, 240, 240, 0, 0],
    ),
];

/// Schedules with time tracking off: the UK entity works on trust (no attendance
/// recording duty there), and so do short part-time weeks.
const UNTRACKED_SCHEDULES: &[&str] = &[
    "Full-time, 37.5 hours (Mon–Fri)",
    "Part-time, 24 hours (Mon–Wed)",
];

/// (name, category, unit, half days, certificate, substitute option).
const TIME_OFF_TYPES: &[(&str, &str, AbsenceUnit, bool, bool, &str)] = &[
    (
        "Paid vacation",
        "paid_vacation",
        AbsenceUnit::Day,
        true,
        false,
        "optional",
    ),
    (
        "Sick leave",
        "sick_leave",
        AbsenceUnit::Day,
        false,
        true,
        "disabled",
    ),
    (
        "Child sick leave",
        "child_care",
        AbsenceUnit::Day,
        false,
        true,
        "disabled",
    ),
    (
        "Parental leave",
        "maternity_parental_leave",
        AbsenceUnit::Day,
        false,
        false,
        "disabled",
    ),
    (
        "Unpaid leave",
        "unpaid_vacation",
        AbsenceUnit::Day,
        true,
        false,
        "optional",
    ),
    (
        "Remote work",
        "offsite_work",
        AbsenceUnit::Day,
        true,
        false,
        "disabled",
    ),
    (
        "Training",
        "other",
        AbsenceUnit::Hour,
        false,
        false,
        "disabled",
    ),
    (
        "Overtime compensation",
        "other",
        AbsenceUnit::Hour,
        false,
        false,
        "disabled",
    ),
    (
        "Special leave",
        "public_duty",
        AbsenceUnit::Day,
        false,
        false,
        "disabled",
    ),
];

const NOTES: &[&str] = &[
    "Prefers async communication.\nAvailable for on-call rotation.",
    "Works from the Lisbon office two weeks a year.",
    "Mentor in the onboarding buddy programme.\nFirst-aid trained.",
    "Speaker at internal tech talks.",
    "Ergonomic chair ordered.\nStanding desk requested.",
];

pub(super) fn generate(spec: GenerateSpec) -> Company {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let as_of = spec.as_of;
    let start = as_of - Duration::days(365 * HISTORY_YEARS);

    let company_name = names::COMPANY_NAMES[rng.random_range(0..names::COMPANY_NAMES.len())];
    let domain = format!("{}.example", names::ascii_fold(company_name));
    let mut ids = IdSource::new(&mut rng);

    let holiday_calendars: Vec<HolidayCalendar> = CALENDARS
        .iter()
        .enumerate()
        .map(|(i, &(name, country, state))| HolidayCalendar {
            id: i as i64 + 1,
            name,
            country,
            state,
        })
        .collect();

    let mut legal_entities = Vec::new();
    let mut offices = Vec::new();
    for (i, t) in ENTITIES.iter().enumerate() {
        let entity_id = ids.next(&mut rng, 1000);
        legal_entities.push(LegalEntity {
            id: entity_id,
            name: format!("{company_name} {}", t.suffix),
            country: t.country,
            currency: t.currency,
            timezone: t.timezone,
            full_time_hours: t.full_time_hours,
            vacation_days: t.vacation_days,
            probation_months: t.probation_months,
            registration_number: format!("{}{:08}", t.country, rng.random_range(0..100_000_000u32)),
            street: t.street.to_owned(),
            postal_code: t.postal_code,
            city: t.city,
            language: t.language,
            created_at: start + Duration::days(i as i64 * 700),
        });
        for &(office, _, calendar) in t.offices {
            offices.push(Office {
                id: ids.next(&mut rng, 130_000),
                name: office,
                legal_entity_id: entity_id,
                holiday_calendar_id: holiday_calendars[calendar].id,
            });
        }
    }

    let mut cost_centers: Vec<CostCenter> = Vec::new();
    let mut org_units: Vec<OrgUnit> = Vec::new();
    for &(name, abbreviation, parent, weight, cost_center) in DEPARTMENTS {
        let cc = cost_center_id(cost_center, &mut ids, &mut rng, &mut cost_centers);
        let parent_id = parent
            .and_then(|p| org_units.iter().find(|u| u.name == p))
            .map(|u| u.id);
        org_units.push(OrgUnit {
            id: ids.next(&mut rng, 281_000),
            kind: OrgUnitKind::Department,
            name: name.to_owned(),
            abbreviation: abbreviation.to_owned(),
            description: format!("The {name} department"),
            parent_id,
            created_at: start + Duration::days(rng.random_range(0..30)),
            weight,
            cost_center_id: Some(cc),
        });
    }
    let split_cost_center =
        cost_center_id(SPLIT_COST_CENTER, &mut ids, &mut rng, &mut cost_centers);
    for &(name, parent, weight) in TEAMS {
        let parent_id = org_units.iter().find(|u| u.name == parent).map(|u| u.id);
        org_units.push(OrgUnit {
            id: ids.next(&mut rng, 59_000),
            kind: OrgUnitKind::Team,
            name: name.to_owned(),
            abbreviation: name
                .split_whitespace()
                .map(|w| &w[..1])
                .collect::<String>()
                .to_uppercase(),
            description: format!("The {name} team"),
            parent_id,
            created_at: start + Duration::days(rng.random_range(30..900)),
            weight,
            cost_center_id: None,
        });
    }

    let work_schedules: Vec<WorkSchedule> = SCHEDULES
        .iter()
        .map(|&(name, minutes)| WorkSchedule {
            id: ids.next(&mut rng, 97_000),
            name: name.to_owned(),
            minutes,
            time_tracking: !UNTRACKED_SCHEDULES.contains(&name),
        })
        .collect();

    let time_off_types: Vec<TimeOffType> = TIME_OFF_TYPES
        .iter()
        .map(
            |&(name, category, unit, half_days, certificate, substitute)| TimeOffType {
                id: ids.next(&mut rng, 113_000),
                uuid: uuid_from(&mut rng),
                name,
                category,
                unit,
                approval_required: category != "sick_leave",
                half_day_requests_enabled: half_days,
                certification_required: certificate,
                certification_submission_timeframe: if certificate { 3 } else { 0 },
                substitute_option: substitute,
            },
        )
        .collect();

    let custom_attributes: Vec<CustomAttributeDef> = CUSTOM_ATTRIBUTE_TEMPLATES
        .iter()
        .map(|&(label, kind, universal_id, options)| {
            let id = ids.next(&mut rng, 21_000);
            CustomAttributeDef {
                id,
                key: format!("dynamic_{id}"),
                label,
                kind,
                universal_id,
                options: options.to_vec(),
            }
        })
        .collect();

    let mut company = Company {
        id: rng.random_range(10_000..100_000),
        name: company_name.to_owned(),
        domain,
        timezone: chrono_tz::Europe::Berlin,
        as_of,
        legal_entities,
        offices,
        org_units,
        cost_centers,
        holiday_calendars,
        work_schedules,
        time_off_types,
        custom_attributes,
        employees: Vec::with_capacity(spec.employees),
        deleted_employees: Vec::new(),
        attendances: Default::default(),
        absences: Default::default(),
        projects: Default::default(),
        changes: Default::default(),
        documents: Default::default(),
        compensations: Default::default(),
        reports: Default::default(),
        recruiting: Default::default(),
        structure_version: 0,
        next_employee_id: 0,
    };
    let people = People::new(&company, split_cost_center);
    people.generate(&mut company, &mut rng, spec.employees, start);
    super::documents::generate(&mut company, spec.seed);
    super::compensations::generate(&mut company, spec.seed);
    super::reports::generate(&mut company, spec.seed);
    super::recruiting::generate(&mut company, spec.seed);
    company
}

/// The id of the cost center named `name`, made on first use.
fn cost_center_id(
    name: &str,
    ids: &mut IdSource,
    rng: &mut ChaCha8Rng,
    cost_centers: &mut Vec<CostCenter>,
) -> i64 {
    if let Some(c) = cost_centers.iter().find(|c| c.name == name) {
        return c.id;
    }
    let id = ids.next(rng, 82_000);
    cost_centers.push(CostCenter {
        id,
        name: name.to_owned(),
    });
    id
}

/// Hands out increasing ids with random gaps, the way a long-lived database would.
struct IdSource {
    offset: i64,
}

impl IdSource {
    fn new(rng: &mut ChaCha8Rng) -> IdSource {
        IdSource {
            offset: rng.random_range(0..500),
        }
    }

    fn next(&mut self, rng: &mut ChaCha8Rng, base: i64) -> i64 {
        self.offset += rng.random_range(1..40);
        base + self.offset
    }
}

pub(crate) fn uuid_from(rng: &mut impl Rng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Roles found while staffing: who heads a department, who leads a team.
struct People {
    departments: Vec<(i64, u32)>,
    split_cost_center: i64,
}

#[derive(Default)]
struct Leaders {
    heads: Vec<(i64, usize)>,
    leads: Vec<(i64, usize)>,
}

impl People {
    fn new(company: &Company, split_cost_center: i64) -> People {
        let departments = company
            .org_units
            .iter()
            .filter(|u| u.kind == OrgUnitKind::Department && u.weight > 0)
            .map(|u| (u.id, u.weight))
            .collect();
        People {
            departments,
            split_cost_center,
        }
    }

    fn generate(
        &self,
        company: &mut Company,
        rng: &mut ChaCha8Rng,
        count: usize,
        start: DateTime<Utc>,
    ) {
        let as_of = company.as_of;
        let span = (as_of - start).num_seconds() - 3600;
        // More people joined recently than long ago: a growing company.
        let mut joined: Vec<DateTime<Utc>> = (0..count)
            .map(|i| {
                let t = if i == 0 {
                    0.0
                } else {
                    rng.random::<f64>().powf(0.55)
                };
                start + Duration::seconds((t * span as f64) as i64)
            })
            .collect();
        joined.sort();

        let mut next_id = rng.random_range(100_000i64..900_000);
        let mut emails = std::collections::HashSet::with_capacity(count);
        let mut leaders = Leaders::default();
        for (index, created_at) in joined.into_iter().enumerate() {
            next_id += rng.random_range(1..4);
            let employee = self.employee(
                company,
                rng,
                index,
                next_id,
                created_at,
                &mut leaders,
                &mut emails,
            );
            company.employees.push(employee);
        }
        company.next_employee_id = next_id + 1;
    }

    #[allow(clippy::too_many_arguments)]
    fn employee(
        &self,
        company: &Company,
        rng: &mut ChaCha8Rng,
        index: usize,
        id: i64,
        created_at: DateTime<Utc>,
        leaders: &mut Leaders,
        emails: &mut std::collections::HashSet<String>,
    ) -> Employee {
        let as_of = company.as_of;
        let today = as_of.date_naive();

        let entity_index = pick_weighted(rng, ENTITIES.iter().map(|e| e.share));
        let template = &ENTITIES[entity_index];
        let entity = &company.legal_entities[entity_index];
        let entity_offices: Vec<&Office> = company
            .offices
            .iter()
            .filter(|o| o.legal_entity_id == entity.id)
            .collect();
        let office = if rng.random_bool(0.04) {
            None // fully remote
        } else {
            let i = pick_weighted(rng, template.offices.iter().map(|o| o.1));
            Some(entity_offices[i])
        };

        let is_ceo = index == 0;
        let department_id = if is_ceo {
            company.org_units[0].id
        } else {
            let i = pick_weighted(rng, self.departments.iter().map(|d| d.1));
            self.departments[i].0
        };
        let department = company
            .org_unit(department_id)
            .expect("departments come from the company");
        let teams: Vec<&OrgUnit> = company
            .org_units
            .iter()
            .filter(|u| {
                u.kind == OrgUnitKind::Team && company.department_of(u.id) == Some(department_id)
            })
            .collect();
        let team = if teams.is_empty() || is_ceo || rng.random_bool(0.1) {
            None
        } else {
            Some(teams[pick_weighted(rng, teams.iter().map(|t| t.weight))])
        };

        // Roles: the first person in a department heads it; the first other person in a team leads it.
        let head = leaders
            .heads
            .iter()
            .find(|(d, _)| *d == department_id)
            .map(|h| h.1);
        let is_head = !is_ceo && head.is_none();
        if is_head {
            leaders.heads.push((department_id, index));
        }
        let team_lead = team.and_then(|t| {
            leaders
                .leads
                .iter()
                .find(|(tid, _)| *tid == t.id)
                .map(|l| l.1)
        });
        let is_lead = !is_head && !is_ceo && team.is_some() && team_lead.is_none();
        if let (true, Some(t)) = (is_lead, team) {
            leaders.leads.push((t.id, index));
        }
        let parent_team_lead = team
            .and_then(|t| t.parent_id)
            .and_then(|p| leaders.leads.iter().find(|(tid, _)| *tid == p).map(|l| l.1));
        let supervisor_index = if is_ceo {
            None
        } else if is_head {
            Some(0)
        } else if is_lead {
            parent_team_lead.or(head).or(Some(0))
        } else {
            team_lead.or(head).or(Some(0))
        };
        let supervisor_id = supervisor_index
            .and_then(|i| company_employee_id(company, i))
            .filter(|&s| s != id);
        let is_manager = is_ceo || is_head || is_lead;

        let (first_name, sex, last_name) = person_name(rng, template.country);
        let email = unique_email(rng, emails, &first_name, &last_name, &company.domain);
        let preferred_name = match names::nickname(&first_name) {
            Some(nick) if rng.random_bool(0.5) => nick.to_owned(),
            _ => String::new(),
        };
        let gender = match (rng.random_range(0..100), sex) {
            (0..3, _) => Some(Gender::Diverse),
            (3..6, _) => None,
            (_, names::Sex::M) => Some(Gender::Male),
            (_, names::Sex::F) => Some(Gender::Female),
        };

        let (ics, lead_title) = names::titles(&department.name);
        let position = if is_ceo || is_head {
            lead_title.to_owned()
        } else if is_lead {
            format!("Team Lead {}", team.map(|t| t.name.as_str()).unwrap_or(""))
        } else {
            ics[rng.random_range(0..ics.len())].to_owned()
        };

        let employment_type = if !is_manager && rng.random_bool(0.1) {
            EmploymentType::External
        } else {
            EmploymentType::Internal
        };
        let full_time = entity.full_time_hours;
        let weekly_hours = if !is_manager && rng.random_bool(0.2) {
            [20.0, 24.0, 30.0, 32.0][rng.random_range(0..4)]
        } else {
            full_time
        };
        let work_schedule_id = company
            .work_schedules
            .iter()
            .min_by(|a, b| {
                (a.weekly_hours() - weekly_hours)
                    .abs()
                    .total_cmp(&(b.weekly_hours() - weekly_hours).abs())
            })
            .map(|s| s.id)
            .expect("the generator always makes work schedules");

        let hire_date = created_at.date_naive() + Duration::days(rng.random_range(7..60));
        let probation_end_date = hire_date.checked_add_months(Months::new(entity.probation_months));
        let fixed_term = employment_type == EmploymentType::External || rng.random_bool(0.12);
        let mut contract_end_date = if fixed_term {
            hire_date.checked_add_months(Months::new(rng.random_range(12..30)))
        } else {
            None
        };

        let mut updated_at = created_at;
        let mut changes: Vec<(String, DateTime<Utc>)> = Vec::new();
        let mut termination = None;
        let status = if hire_date > today {
            Status::Onboarding
        } else if !is_manager && hire_date + Duration::days(150) < today && rng.random_bool(0.12) {
            let window = (today - hire_date).num_days() - 90;
            let date = hire_date + Duration::days(90 + rng.random_range(0..window.max(1)));
            let (kind, reason) =
                names::TERMINATION_REASONS[rng.random_range(0..names::TERMINATION_REASONS.len())];
            if kind == "contract_expired" {
                contract_end_date = Some(date);
            }
            let recorded_at =
                at_noon(date - Duration::days(rng.random_range(14..60))).max(created_at);
            termination = Some(Termination {
                date,
                last_working_day: date - Duration::days(rng.random_range(0..5)),
                kind,
                reason: reason.to_owned(),
                recorded_at,
            });
            let effective = at_noon(date)
                .min(as_of - Duration::hours(1))
                .max(recorded_at);
            updated_at = updated_at.max(effective);
            for key in [
                "termination_date",
                "termination_type",
                "termination_reason",
                "last_working_day",
            ] {
                changes.push((key.to_owned(), recorded_at));
            }
            changes.push(("status".to_owned(), effective));
            Status::Inactive
        } else if !is_manager && rng.random_bool(0.025) {
            // Notice given, still working: terminated in the future, active today.
            let date = today + Duration::days(rng.random_range(7..60));
            let (kind, reason) = names::TERMINATION_REASONS[rng.random_range(0..3)];
            let recorded_at = (as_of - Duration::days(rng.random_range(1..20))).max(created_at);
            termination = Some(Termination {
                date,
                last_working_day: date,
                kind,
                reason: reason.to_owned(),
                recorded_at,
            });
            updated_at = updated_at.max(recorded_at);
            for key in [
                "termination_date",
                "termination_type",
                "termination_reason",
                "last_working_day",
            ] {
                changes.push((key.to_owned(), recorded_at));
            }
            Status::Active
        } else if !is_manager && rng.random_bool(0.04) {
            let since = (as_of - Duration::days(rng.random_range(1..120))).max(created_at);
            updated_at = updated_at.max(since);
            changes.push(("status".to_owned(), since));
            Status::Leave
        } else {
            Status::Active
        };

        // Later edits: a promotion, a move, a change of hours or of a custom field.
        if rng.random_bool(0.55) {
            let edited_at = created_at
                + Duration::seconds(rng.random_range(0..(as_of - created_at).num_seconds().max(1)));
            let edited_at = edited_at.min(as_of - Duration::minutes(1));
            let candidates = [
                "position",
                "weekly_working_hours",
                "office",
                "team",
                "cost_centers",
                "preferred_name",
                "last_name",
            ];
            for _ in 0..rng.random_range(1..4) {
                let key = candidates[rng.random_range(0..candidates.len())];
                if !changes.iter().any(|(k, _)| k == key) {
                    changes.push((key.to_owned(), edited_at));
                }
            }
            let custom =
                &company.custom_attributes[rng.random_range(0..company.custom_attributes.len())];
            changes.push((custom.key.clone(), edited_at));
            updated_at = updated_at.max(edited_at);
        }
        // Every attribute that carries a value came into being no later than the last edit.
        updated_at = updated_at.min(as_of - Duration::minutes(1));

        let seniority = if is_ceo {
            4.0
        } else if is_head {
            2.4
        } else if is_lead {
            1.6
        } else {
            1.0
        };
        let monthly_de = (3300.0 + rng.random_range(0.0..2800.0)) * seniority;
        let part = weekly_hours / full_time;
        let (fix_salary, salary_interval, hourly_salary) =
            if employment_type == EmploymentType::External {
                (
                    0.0,
                    SalaryInterval::Monthly,
                    f64::from(rng.random_range(45..130)),
                )
            } else {
                match template.country {
                    "GB" => (
                        round_to(monthly_de * 12.0 * 0.95 * part, 500.0),
                        SalaryInterval::Yearly,
                        0.0,
                    ),
                    "ES" => (
                        round_to(monthly_de * 0.72 * part, 50.0),
                        SalaryInterval::Monthly,
                        0.0,
                    ),
                    _ => (
                        round_to(monthly_de * part, 50.0),
                        SalaryInterval::Monthly,
                        0.0,
                    ),
                }
            };

        let cost_center = department
            .cost_center_id
            .expect("departments have a cost center");
        let cost_centers = if !is_manager && rng.random_bool(0.12) {
            let share = [50.0, 60.0, 70.0, 80.0][rng.random_range(0..4)];
            vec![
                (cost_center, share),
                (self.split_cost_center, 100.0 - share),
            ]
        } else {
            vec![(cost_center, 100.0)]
        };

        let vacation = company.time_off_types[0].id;
        let training = company.time_off_types[6].id;
        let days_per_week = company
            .work_schedules
            .iter()
            .find(|s| s.id == work_schedule_id)
            .map(|s| s.minutes.iter().filter(|m| **m > 0).count())
            .unwrap_or(5) as f64;
        let entitlements = vec![
            (
                vacation,
                (entity.vacation_days * days_per_week / 5.0).round(),
            ),
            (training, f64::from(rng.random_range(2..6) * 8)),
        ];

        let custom = custom_values(
            rng,
            company,
            template.country,
            index,
            &first_name,
            &last_name,
            today,
        );

        Employee {
            id,
            employment_id: uuid_from(rng),
            first_name,
            last_name,
            preferred_name,
            email,
            gender,
            language: entity.language,
            status,
            position,
            supervisor_id,
            employment_type,
            weekly_hours,
            legal_entity_id: entity.id,
            office_id: office.map(|o| o.id),
            department_id: Some(department_id),
            team_id: team.map(|t| t.id),
            cost_centers,
            holiday_calendar_id: office
                .map(|o| o.holiday_calendar_id)
                .unwrap_or(company.holiday_calendars[template.offices[0].2].id),
            work_schedule_id,
            entitlements,
            hire_date,
            contract_end_date,
            probation_end_date,
            termination,
            fix_salary,
            salary_interval,
            hourly_salary,
            custom,
            created_at,
            updated_at,
            attribute_changes: changes,
            version: 1,
        }
    }
}

fn company_employee_id(company: &Company, index: usize) -> Option<i64> {
    company.employees.get(index).map(|e| e.id)
}

fn person_name(rng: &mut ChaCha8Rng, country: &str) -> (String, names::Sex, String) {
    let (first, last) = match country {
        "ES" => (names::FIRST_NAMES_ES, names::LAST_NAMES_ES),
        "GB" => (names::FIRST_NAMES_GB, names::LAST_NAMES_GB),
        _ => (names::FIRST_NAMES_DE, names::LAST_NAMES_DE),
    };
    let (first_name, sex) = first[rng.random_range(0..first.len())];
    let mut last_name = last[rng.random_range(0..last.len())].to_owned();
    if country == "ES" && rng.random_bool(0.5) {
        // Spanish people usually carry both family names.
        last_name = format!("{last_name} {}", last[rng.random_range(0..last.len())]);
    }
    (first_name.to_owned(), sex, last_name)
}

fn unique_email(
    rng: &mut ChaCha8Rng,
    taken: &mut std::collections::HashSet<String>,
    first: &str,
    last: &str,
    domain: &str,
) -> String {
    // Every address is folded to ASCII: Personio's person schema says `format: email`
    // (RFC 5321), which a name's own letters (`zoë.müller`, RFC 6531) break. The draw that
    // once chose those stays, so that a seed gives the same company as before.
    let _kept_letters = rng.random_bool(0.15);
    let local = format!("{}.{}", names::ascii_fold(first), names::ascii_fold(last));
    let mut candidate = format!("{local}@{domain}");
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{local}{n}@{domain}");
        n += 1;
    }
    candidate
}

#[allow(clippy::too_many_arguments)]
fn custom_values(
    rng: &mut ChaCha8Rng,
    company: &Company,
    country: &str,
    index: usize,
    first: &str,
    last: &str,
    today: NaiveDate,
) -> Vec<(i64, CustomValue)> {
    let mut values = Vec::new();
    for def in &company.custom_attributes {
        let value = match (def.label, def.kind) {
            ("Title", _) => match rng.random_range(0..100) {
                0..8 => Some(CustomValue::Text("Dr.".into())),
                8..10 => Some(CustomValue::Text("Prof. Dr.".into())),
                _ => None,
            },
            ("IBAN", _) => Some(CustomValue::Text(iban(rng, country))),
            (_, AttributeType::Date) => {
                let years = rng.random_range(21..64);
                let day = today - Duration::days(years * 365 + rng.random_range(0..365));
                Some(CustomValue::Date(day))
            }
            ("Employee number", _) => Some(CustomValue::Integer(1000 + index as i64)),
            (_, AttributeType::Decimal) => rng
                .random_bool(0.6)
                .then(|| CustomValue::Decimal([25.0, 50.0, 75.5, 100.0][rng.random_range(0..4)])),
            (_, AttributeType::Multiline) => rng
                .random_bool(0.15)
                .then(|| CustomValue::Text(NOTES[rng.random_range(0..NOTES.len())].into())),
            (_, AttributeType::Link) => rng.random_bool(0.5).then(|| {
                CustomValue::Text(format!(
                    "https://www.linkedin.com/in/{}-{}-{:04x}",
                    names::ascii_fold(first),
                    names::ascii_fold(last),
                    rng.random_range(0..0xffffu32)
                ))
            }),
            ("Languages", _) => {
                let native = match country {
                    "ES" => "Spanish",
                    "GB" => "English",
                    _ => "German",
                };
                let mut tags = vec![native.to_owned()];
                for _ in 0..rng.random_range(0..3) {
                    let other = def.options[rng.random_range(0..def.options.len())];
                    if !tags.iter().any(|t| t == other) {
                        tags.push(other.to_owned());
                    }
                }
                Some(CustomValue::Tags(tags))
            }
            ("Nationality", _) => {
                let usual = match country {
                    "ES" => "Spanish",
                    "GB" => "British",
                    _ => "German",
                };
                let pick = if rng.random_bool(0.8) {
                    usual
                } else {
                    def.options[rng.random_range(0..def.options.len())]
                };
                Some(CustomValue::Text(pick.into()))
            }
            (_, AttributeType::List) => rng.random_bool(0.8).then(|| {
                CustomValue::Text(def.options[rng.random_range(0..def.options.len())].into())
            }),
            ("Emergency contact", _) => rng.random_bool(0.7).then(|| {
                let phone = match country {
                    "ES" => format!(
                        "+34 6{:02} {:03} {:03}",
                        rng.random_range(0..100),
                        rng.random_range(0..1000),
                        rng.random_range(0..1000)
                    ),
                    "GB" => format!(
                        "+44 7{:03} {:06}",
                        rng.random_range(0..1000),
                        rng.random_range(0..1_000_000)
                    ),
                    _ => format!(
                        "+49 15{} {:07}",
                        rng.random_range(1..8),
                        rng.random_range(0..10_000_000)
                    ),
                };
                CustomValue::Text(format!(
                    "{} {last}, {phone}",
                    names::FIRST_NAMES_DE[rng.random_range(0..names::FIRST_NAMES_DE.len())].0
                ))
            }),
            _ => None,
        };
        if let Some(value) = value {
            values.push((def.id, value));
        }
    }
    values
}

fn iban(rng: &mut ChaCha8Rng, country: &str) -> String {
    let digits: String = (0..18)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    let raw = match country {
        "GB" => format!("GB{:02}NWBK{}", rng.random_range(10..99), &digits[..14]),
        "ES" => format!(
            "ES{:02}{}{:02}",
            rng.random_range(10..99),
            digits,
            rng.random_range(0..100)
        ),
        _ => format!("DE{:02}{}", rng.random_range(10..99), digits),
    };
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn pick_weighted(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (i, w) in weights.enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    0
}

fn at_noon(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(12, 0, 0).expect("noon exists").and_utc()
}

fn round_to(value: f64, step: f64) -> f64 {
    (value / step).round() * step
}
