//! Recruiting: job categories with their pipeline stages, recruiting channels, jobs,
//! candidates, applications with their stage history, and files uploaded for applications
//! (personio-api.md §3.12, §4).
//!
//! Applications arrive through the v1 API ([`Company::submit_application`]) and are read
//! through v2. Personio documents no webhook events for recruiting, so changes here record
//! none; they do move `updated_at`, which v2 sorts and filters by.

use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::generate::uuid_from;
use super::org::OrgUnitKind;
use super::{Company, names};

/// Whether the company has Personio's recruiting features and its recruiting API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecruitingFeatures {
    pub recruiting: bool,
    pub api: bool,
}

impl Default for RecruitingFeatures {
    fn default() -> Self {
        RecruitingFeatures {
            recruiting: true,
            api: true,
        }
    }
}

/// The stages every pipeline has, besides the category's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemStage {
    Unassigned,
    Rejected,
    Withdrawn,
    Offer,
    Accepted,
}

impl SystemStage {
    pub const ALL: [SystemStage; 5] = [
        SystemStage::Unassigned,
        SystemStage::Rejected,
        SystemStage::Withdrawn,
        SystemStage::Offer,
        SystemStage::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SystemStage::Unassigned => "unassigned",
            SystemStage::Rejected => "rejected",
            SystemStage::Withdrawn => "withdrawn",
            SystemStage::Offer => "offer",
            SystemStage::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<SystemStage> {
        SystemStage::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageRef {
    System(SystemStage),
    /// A stage of the job's category, by id.
    Custom(i64),
}

#[derive(Debug, Clone)]
pub struct JobCategory {
    pub id: i64,
    pub name: &'static str,
    /// (id, name) of the category's own stages, in pipeline order.
    pub stages: Vec<(i64, &'static str)>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: i64,
    pub name: &'static str,
}

/// Whether a job is on the career site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Published,
    Draft,
    Archived,
}

impl JobStatus {
    /// v2 wording (ours; unconfirmed).
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Published => "ACTIVE",
            JobStatus::Draft => "DRAFT",
            JobStatus::Archived => "ARCHIVED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub name: String,
    pub legal_entity_id: i64,
    pub office_id: Option<i64>,
    pub department_id: Option<i64>,
    pub category_id: i64,
    pub status: JobStatus,
    pub employment_type: &'static str,
    pub seniority: &'static str,
    pub schedule: &'static str,
    pub years_of_experience: &'static str,
    pub keywords: String,
    pub occupation: &'static str,
    pub occupation_category: &'static str,
    /// (person id, role).
    pub hiring_team: Vec<(i64, &'static str)>,
    /// (channel id, external posting id) where the job is advertised.
    pub postings: Vec<(i64, String)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub location: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub linkedin_profile: Option<String>,
    pub available_from: Option<String>,
    pub salary_expectations: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A file attached to an application.
#[derive(Debug, Clone)]
pub struct AttachedFile {
    pub uuid: Uuid,
    pub original_filename: String,
    pub category: String,
}

#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub candidate_id: i64,
    pub job_id: i64,
    pub channel_id: Option<i64>,
    pub external_posting_id: Option<String>,
    pub application_date: NaiveDate,
    /// Stages entered, oldest first; the last is the current stage.
    pub stages: Vec<(DateTime<Utc>, StageRef)>,
    pub message: Option<String>,
    pub tags: Vec<String>,
    pub files: Vec<AttachedFile>,
    /// (attribute id, value): `custom_attribute_<n>` values.
    pub attributes: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Application {
    pub fn current_stage(&self) -> StageRef {
        self.stages
            .last()
            .map_or(StageRef::System(SystemStage::Unassigned), |s| s.1)
    }
}

/// A file uploaded for a later application.
#[derive(Debug, Clone)]
pub struct Upload {
    pub uuid: Uuid,
    pub bytes: Bytes,
    pub mimetype: &'static str,
    pub original_filename: String,
    pub extension: String,
}

/// How a company-defined applicant attribute is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicantAttributeKind {
    Text,
    Date,
    /// One of these options.
    Options(Vec<&'static str>),
}

/// A company-defined applicant attribute (`custom_attribute_<n>`).
#[derive(Debug, Clone)]
pub struct ApplicantAttribute {
    pub id: String,
    pub label: &'static str,
    pub kind: ApplicantAttributeKind,
}

#[derive(Debug, Clone, Default)]
pub struct Recruiting {
    pub features: RecruitingFeatures,
    pub categories: Vec<JobCategory>,
    pub channels: Vec<Channel>,
    pub jobs: Vec<Job>,
    pub candidates: Vec<Candidate>,
    pub applications: Vec<Application>,
    pub uploads: Vec<Upload>,
    pub tags: Vec<String>,
    pub attributes: Vec<ApplicantAttribute>,
    next_candidate_id: i64,
    next_application_id: i64,
}

/// An application as received, already checked against the company (see the v1 route).
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub job_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub channel_id: Option<i64>,
    pub external_posting_id: Option<String>,
    pub message: Option<String>,
    pub application_date: Option<NaiveDate>,
    pub stage: StageRef,
    pub tags: Vec<String>,
    pub files: Vec<AttachedFile>,
    /// Standard attributes (`birthday`, `gender`, `location`, `phone`, `available_from`,
    /// `salary_expectations`) and `custom_attribute_<n>`, as given.
    pub attributes: Vec<(String, String)>,
}

impl Company {
    pub fn job(&self, id: i64) -> Option<&Job> {
        self.recruiting.jobs.iter().find(|j| j.id == id)
    }

    pub fn job_category(&self, id: i64) -> Option<&JobCategory> {
        self.recruiting.categories.iter().find(|c| c.id == id)
    }

    pub fn recruiting_channel(&self, id: i64) -> Option<&Channel> {
        self.recruiting.channels.iter().find(|c| c.id == id)
    }

    pub fn candidate(&self, id: i64) -> Option<&Candidate> {
        self.recruiting.candidates.iter().find(|c| c.id == id)
    }

    pub fn application(&self, id: i64) -> Option<&Application> {
        self.recruiting.applications.iter().find(|a| a.id == id)
    }

    pub fn upload(&self, uuid: Uuid) -> Option<&Upload> {
        self.recruiting.uploads.iter().find(|u| u.uuid == uuid)
    }

    /// Whether `email` has applied to `job_id` before.
    pub fn has_applied(&self, email: &str, job_id: i64) -> bool {
        self.recruiting.applications.iter().any(|a| {
            a.job_id == job_id
                && self
                    .candidate(a.candidate_id)
                    .is_some_and(|c| c.email.eq_ignore_ascii_case(email))
        })
    }

    /// Keeps an uploaded file for a later application; returns its uuid.
    pub fn store_upload(&mut self, mut upload: Upload) -> Uuid {
        upload.uuid = Uuid::new_v4();
        let uuid = upload.uuid;
        self.recruiting.uploads.push(upload);
        uuid
    }

    /// Records an application: the candidate (found by email, or new), and the
    /// application in its first stage. Unknown tags are created. Returns the application id.
    pub fn submit_application(&mut self, new: NewApplication, now: DateTime<Utc>) -> i64 {
        let attribute = |key: &str| {
            new.attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let candidate_id = match self
            .recruiting
            .candidates
            .iter_mut()
            .find(|c| c.email.eq_ignore_ascii_case(&new.email))
        {
            Some(candidate) => {
                candidate.updated_at = now;
                candidate.id
            }
            None => {
                let id = self.recruiting.next_candidate_id;
                self.recruiting.next_candidate_id += 1;
                self.recruiting.candidates.push(Candidate {
                    id,
                    first_name: new.first_name.clone(),
                    last_name: new.last_name.clone(),
                    email: new.email.clone(),
                    gender: attribute("gender"),
                    phone: attribute("phone"),
                    location: attribute("location"),
                    birthday: attribute("birthday")
                        .and_then(|b| NaiveDate::parse_from_str(&b, "%Y-%m-%d").ok()),
                    linkedin_profile: None,
                    available_from: attribute("available_from"),
                    salary_expectations: attribute("salary_expectations"),
                    created_at: now,
                    updated_at: now,
                });
                id
            }
        };
        for tag in &new.tags {
            if !self.recruiting.tags.iter().any(|t| t == tag) {
                self.recruiting.tags.push(tag.clone());
            }
        }
        let id = self.recruiting.next_application_id;
        self.recruiting.next_application_id += 1;
        self.recruiting.applications.push(Application {
            id,
            candidate_id,
            job_id: new.job_id,
            channel_id: new.channel_id,
            external_posting_id: new.external_posting_id,
            application_date: new.application_date.unwrap_or(now.date_naive()),
            stages: vec![(now, new.stage)],
            message: new.message,
            tags: new.tags,
            files: new.files,
            attributes: new
                .attributes
                .into_iter()
                .filter(|(k, _)| k.starts_with("custom_attribute_"))
                .collect(),
            created_at: now,
            updated_at: now,
        });
        id
    }
}

/// (name, own stages) of the job categories.
const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "Engineering & Product",
        &["Screening", "Technical interview", "Team interview"],
    ),
    (
        "Sales & Customer Success",
        &["Screening", "Role play", "Final interview"],
    ),
    (
        "Operations & People",
        &["Screening", "Interview", "Reference check"],
    ),
    ("Internships", &["Screening", "Interview"]),
];

const CHANNELS: &[&str] = &[
    "Career page",
    "LinkedIn",
    "StepStone",
    "Indeed",
    "Employee referral",
];

/// (department, job title, category index, seniority, years of experience, keywords,
/// occupation, occupation category).
type JobTemplate = (
    &'static str,
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const JOBS: &[JobTemplate] = &[
    (
        "Engineering",
        "Senior Backend Engineer (m/f/d)",
        0,
        "experienced",
        "5-7",
        "rust,backend,distributed systems",
        "software_development",
        "it_software",
    ),
    (
        "Engineering",
        "Frontend Engineer (m/f/d)",
        0,
        "experienced",
        "2-5",
        "typescript,react,accessibility",
        "software_development",
        "it_software",
    ),
    (
        "Engineering",
        "Site Reliability Engineer (m/f/d)",
        0,
        "experienced",
        "5-7",
        "kubernetes,observability,on-call",
        "system_administration",
        "it_software",
    ),
    (
        "Product",
        "Product Manager Payroll (m/f/d)",
        0,
        "experienced",
        "5-7",
        "product discovery,payroll,b2b",
        "product_management",
        "it_software",
    ),
    (
        "Design",
        "Product Designer (m/f/d)",
        0,
        "experienced",
        "2-5",
        "figma,user research,design systems",
        "design",
        "arts_design",
    ),
    (
        "Data",
        "Data Analyst (m/f/d)",
        0,
        "entry-level",
        "1-2",
        "sql,dbt,dashboards",
        "data_analysis",
        "it_software",
    ),
    (
        "Sales",
        "Account Executive DACH (m/f/d)",
        1,
        "experienced",
        "2-5",
        "saas sales,german,negotiation",
        "sales",
        "sales_marketing",
    ),
    (
        "Sales",
        "Sales Development Representative (m/f/d)",
        1,
        "entry-level",
        "lt-1",
        "outbound,cold calling,crm",
        "sales",
        "sales_marketing",
    ),
    (
        "Customer Success",
        "Customer Success Manager (m/f/d)",
        1,
        "experienced",
        "2-5",
        "onboarding,retention,b2b",
        "customer_service",
        "sales_marketing",
    ),
    (
        "Marketing",
        "Content Marketing Manager (m/f/d)",
        1,
        "experienced",
        "2-5",
        "seo,copywriting,campaigns",
        "marketing",
        "sales_marketing",
    ),
    (
        "Finance",
        "Payroll Accountant (m/f/d)",
        2,
        "experienced",
        "5-7",
        "payroll,datev,accounting",
        "accounting",
        "finance",
    ),
    (
        "People & Culture",
        "Talent Acquisition Partner (m/f/d)",
        2,
        "experienced",
        "2-5",
        "recruiting,employer branding,sourcing",
        "human_resources",
        "administrative_and_clerical",
    ),
    (
        "Workplace",
        "Office Manager (m/f/d)",
        2,
        "entry-level",
        "1-2",
        "office management,events,organisation",
        "office_management",
        "administrative_and_clerical",
    ),
    (
        "Engineering",
        "Working Student Software Engineering (m/f/d)",
        3,
        "student",
        "lt-1",
        "python,working student,part time",
        "software_development",
        "it_software",
    ),
    (
        "Marketing",
        "Marketing Intern (m/f/d)",
        3,
        "student",
        "lt-1",
        "internship,social media,content",
        "marketing",
        "sales_marketing",
    ),
];

/// Seeds recruiting: categories, channels, applicant attributes, a few dozen jobs (most
/// published) with hiring teams, and candidates who applied and moved through stages.
pub(super) fn generate(company: &mut Company, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x2EC2_0171);
    let as_of = company.as_of;
    let mut id = 5000 + rng.random_range(0..100);
    let mut next = |rng: &mut ChaCha8Rng, step: i64| {
        id += rng.random_range(1..step);
        id
    };
    let categories: Vec<JobCategory> = CATEGORIES
        .iter()
        .map(|&(name, stages)| JobCategory {
            id: next(&mut rng, 9),
            name,
            stages: stages
                .iter()
                .map(|&stage| (next(&mut rng, 30) + 80_000, stage))
                .collect(),
            updated_at: as_of - Duration::days(rng.random_range(30..900)),
        })
        .collect();
    let channels: Vec<Channel> = CHANNELS
        .iter()
        .map(|&name| Channel {
            id: next(&mut rng, 20) - 4_700,
            name,
        })
        .collect();
    let recruiters: Vec<i64> = company
        .employees
        .iter()
        .filter(|e| e.position.contains("Recruit") || e.position.contains("Talent"))
        .map(|e| e.id)
        .collect();
    let job_count = (company.employees.len() / 12).clamp(6, 60);
    let mut jobs = Vec::with_capacity(job_count);
    let mut job_id = 730_000 + rng.random_range(0..5_000);
    for n in 0..job_count {
        let t = JOBS[n % JOBS.len()];
        let department = company
            .org_units
            .iter()
            .find(|u| u.kind == OrgUnitKind::Department && u.name == t.0);
        let head = department.and_then(|d| {
            company
                .employees
                .iter()
                .find(|e| e.department_id == Some(d.id) && e.position.starts_with("Head"))
                .or_else(|| {
                    company
                        .employees
                        .iter()
                        .find(|e| e.department_id == Some(d.id))
                })
        });
        let entity = &company.legal_entities[n % company.legal_entities.len()];
        let office = company
            .offices
            .iter()
            .find(|o| o.legal_entity_id == entity.id)
            .map(|o| o.id);
        let mut hiring_team: Vec<(i64, &'static str)> = Vec::new();
        if let Some(h) = head {
            hiring_team.push((h.id, "Hiring Manager"));
        }
        if !recruiters.is_empty() {
            hiring_team.push((recruiters[n % recruiters.len()], "Recruiter"));
        }
        let created_at = as_of - Duration::days(rng.random_range(20..700));
        job_id += rng.random_range(3..40);
        // Even the smallest company has one draft and one archived job.
        let status = match n % 6 {
            3 => JobStatus::Draft,
            4 => JobStatus::Archived,
            _ => JobStatus::Published,
        };
        let mut postings = Vec::new();
        for channel in &channels {
            if rng.random_bool(0.5) {
                postings.push((channel.id, uuid_from(&mut rng).to_string()));
            }
        }
        let name = if n < JOBS.len() {
            t.1.to_owned()
        } else {
            format!("{} – {}", t.1, entity.city)
        };
        jobs.push(Job {
            id: job_id,
            name,
            legal_entity_id: entity.id,
            office_id: office,
            department_id: department.map(|d| d.id),
            category_id: categories[t.2].id,
            status,
            employment_type: match t.3 {
                "student" => "intern",
                _ if n % 11 == 5 => "freelance",
                _ => "permanent",
            },
            seniority: t.3,
            schedule: if t.3 == "student" {
                "part-time"
            } else {
                "full-time"
            },
            years_of_experience: t.4,
            keywords: t.5.to_owned(),
            occupation: t.6,
            occupation_category: t.7,
            hiring_team,
            postings,
            created_at,
            updated_at: created_at + Duration::days(rng.random_range(0..10)),
        });
    }
    let mut recruiting = Recruiting {
        features: RecruitingFeatures::default(),
        categories,
        channels,
        jobs,
        tags: vec!["Top talent".into(), "Relocation".into(), "Referral".into()],
        attributes: vec![
            ApplicantAttribute {
                id: "custom_attribute_1".into(),
                label: "How did you hear about us?",
                kind: ApplicantAttributeKind::Text,
            },
            ApplicantAttribute {
                id: "custom_attribute_2".into(),
                label: "Work permit",
                kind: ApplicantAttributeKind::Options(vec!["yes", "no", "in_progress"]),
            },
            ApplicantAttribute {
                id: "custom_attribute_3".into(),
                label: "Earliest start date",
                kind: ApplicantAttributeKind::Date,
            },
        ],
        next_candidate_id: 495_000 + rng.random_range(0..1_000),
        next_application_id: 1_120_000 + rng.random_range(0..1_000),
        ..Recruiting::default()
    };
    applicants(&mut recruiting, &mut rng, as_of);
    company.recruiting = recruiting;
}

/// Candidates applying to the jobs, each application moved along its pipeline.
fn applicants(recruiting: &mut Recruiting, rng: &mut ChaCha8Rng, as_of: DateTime<Utc>) {
    let pools = [
        (names::FIRST_NAMES_DE, names::LAST_NAMES_DE, "Berlin"),
        (names::FIRST_NAMES_ES, names::LAST_NAMES_ES, "Madrid"),
        (names::FIRST_NAMES_GB, names::LAST_NAMES_GB, "London"),
    ];
    let jobs: Vec<(i64, i64, DateTime<Utc>, JobStatus)> = recruiting
        .jobs
        .iter()
        .map(|j| (j.id, j.category_id, j.created_at, j.status))
        .collect();
    for (job_id, category_id, opened, status) in jobs {
        if status == JobStatus::Draft {
            continue;
        }
        let stages: Vec<i64> = recruiting
            .categories
            .iter()
            .find(|c| c.id == category_id)
            .map(|c| c.stages.iter().map(|s| s.0).collect())
            .unwrap_or_default();
        for _ in 0..rng.random_range(2..10) {
            let (firsts, lasts, city) = pools[rng.random_range(0..pools.len())];
            let (first, sex) = firsts[rng.random_range(0..firsts.len())];
            let last = lasts[rng.random_range(0..lasts.len())];
            let open_days = (as_of - opened).num_days().max(2);
            let applied_at = opened + Duration::days(rng.random_range(1..open_days))
                - Duration::minutes(rng.random_range(0..600));
            let email = format!(
                "{}.{}{}@mail.example",
                names::ascii_fold(first),
                names::ascii_fold(last),
                rng.random_range(1..999)
            );
            let candidate_id = recruiting.next_candidate_id;
            recruiting.next_candidate_id += rng.random_range(1..30);
            let mut stages_entered = vec![(applied_at, StageRef::System(SystemStage::Unassigned))];
            let mut at = applied_at;
            for &stage in stages.iter().take(rng.random_range(0..=stages.len())) {
                at += Duration::days(rng.random_range(1..8));
                if at >= as_of {
                    break;
                }
                stages_entered.push((at, StageRef::Custom(stage)));
            }
            let outcome = match rng.random_range(0..10) {
                0..3 => Some(SystemStage::Rejected),
                3 => Some(SystemStage::Withdrawn),
                4 => Some(SystemStage::Offer),
                5 => Some(SystemStage::Accepted),
                _ => None,
            };
            if let Some(outcome) = outcome {
                at += Duration::days(rng.random_range(1..6));
                if at < as_of {
                    stages_entered.push((at, StageRef::System(outcome)));
                }
            }
            let updated_at = stages_entered.last().map_or(applied_at, |s| s.0);
            recruiting.candidates.push(Candidate {
                id: candidate_id,
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                email,
                gender: Some(match sex {
                    names::Sex::M => "male".to_owned(),
                    names::Sex::F => "female".to_owned(),
                }),
                phone: rng
                    .random_bool(0.6)
                    .then(|| format!("+49 151 {:07}", rng.random_range(0..10_000_000))),
                location: Some(city.to_owned()),
                birthday: None,
                linkedin_profile: rng.random_bool(0.4).then(|| {
                    format!(
                        "https://www.linkedin.com/in/{}-{}",
                        names::ascii_fold(first),
                        names::ascii_fold(last)
                    )
                }),
                available_from: rng.random_bool(0.5).then(|| "As soon as possible".into()),
                salary_expectations: None,
                created_at: applied_at,
                updated_at,
            });
            let channel_id = recruiting
                .channels
                .get(rng.random_range(0..recruiting.channels.len().max(1)))
                .map(|c| c.id);
            let application_id = recruiting.next_application_id;
            recruiting.next_application_id += rng.random_range(1..40);
            recruiting.applications.push(Application {
                id: application_id,
                candidate_id,
                job_id,
                channel_id,
                external_posting_id: None,
                application_date: applied_at.date_naive(),
                stages: stages_entered,
                message: None,
                tags: Vec::new(),
                files: Vec::new(),
                attributes: Vec::new(),
                created_at: applied_at,
                updated_at,
            });
        }
    }
}
