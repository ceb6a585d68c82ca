//! Recruiting → v2 jobs, categories, candidates, applications and stage transitions.
//! Applications, jobs and transitions carry local `{"date-time", "timezone"}` stamps in the
//! company's zone; candidates plain UTC strings (see `personio_api::v2::recruiting`).

use chrono::{DateTime, Utc};
use personio_api::v2::recruiting::{
    Application as WireApplication, ApplicationRef, Candidate as WireCandidate, CandidateRef,
    Category as WireCategory, HiringTeamMember, Job as WireJob, JobRef, LocalTimestamp, NamedId,
    PersonLink, Role, Stage, StageTransition,
};
use personio_api::v2::{IdRef, Link, ResourceMeta};

use super::v2_timestamp;
use crate::company::{Application, Candidate, Company, Job, JobCategory, StageRef, SystemStage};

fn local(company: &Company, at: DateTime<Utc>) -> LocalTimestamp {
    LocalTimestamp {
        date_time: at
            .with_timezone(&company.timezone)
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string(),
        timezone: company.timezone.name().to_owned(),
    }
}

fn system_stage(stage: SystemStage) -> Stage {
    Stage {
        id: None,
        name: None,
        kind: "system".into(),
        stage_kind: stage.as_str().to_owned(),
    }
}

/// A stage as v2 shows it; custom stages are named by the job's category.
pub(crate) fn stage(company: &Company, stage: StageRef) -> Stage {
    match stage {
        StageRef::System(s) => system_stage(s),
        StageRef::Custom(id) => Stage {
            id: Some(id.to_string()),
            name: company
                .recruiting
                .categories
                .iter()
                .flat_map(|c| &c.stages)
                .find(|s| s.0 == id)
                .map(|s| s.1.to_owned()),
            kind: "custom".into(),
            stage_kind: "custom".into(),
        },
    }
}

pub(crate) fn category(category: &JobCategory) -> WireCategory {
    let mut stages = vec![system_stage(SystemStage::Unassigned)];
    stages.extend(category.stages.iter().map(|&(id, name)| Stage {
        id: Some(id.to_string()),
        name: Some(name.to_owned()),
        kind: "custom".into(),
        stage_kind: "custom".into(),
    }));
    stages.extend(
        [
            SystemStage::Offer,
            SystemStage::Accepted,
            SystemStage::Rejected,
            SystemStage::Withdrawn,
        ]
        .map(system_stage),
    );
    WireCategory {
        id: category.id.to_string(),
        name: category.name.to_owned(),
        stages,
    }
}

fn hiring_team(members: &[(i64, &'static str)], origin: &str) -> Vec<HiringTeamMember> {
    members
        .iter()
        .map(|&(person, role)| HiringTeamMember {
            person: PersonLink {
                id: person.to_string(),
                meta: Some(ResourceMeta {
                    links: [(
                        "self".to_owned(),
                        Link {
                            href: format!("{origin}/v2/persons/{person}"),
                        },
                    )]
                    .into_iter()
                    .collect(),
                }),
            },
            role: Role {
                name: role.to_owned(),
            },
        })
        .collect()
}

fn department(company: &Company, job: &Job) -> Option<NamedId> {
    job.department_id
        .and_then(|id| company.org_unit(id))
        .map(|d| NamedId {
            id: d.id.to_string(),
            name: d.name.clone(),
        })
}

pub(crate) fn job(company: &Company, job: &Job, origin: &str) -> WireJob {
    WireJob {
        id: job.id.to_string(),
        name: job.name.clone(),
        department: department(company, job),
        category: Some(IdRef::new(job.category_id)),
        status: Some(job.status.as_str().to_owned()),
        hiring_team: hiring_team(&job.hiring_team, origin),
        company: Some(IdRef::new(company.id)),
        created_at: Some(local(company, job.created_at)),
        updated_at: Some(local(company, job.updated_at)),
    }
}

pub(crate) fn candidate(company: &Company, candidate: &Candidate) -> WireCandidate {
    WireCandidate {
        id: candidate.id.to_string(),
        first_name: candidate.first_name.clone(),
        last_name: candidate.last_name.clone(),
        email: candidate.email.clone(),
        gender: candidate.gender.clone(),
        phone: candidate.phone.clone(),
        location: candidate.location.clone(),
        birthday: candidate.birthday.map(|d| d.to_string()),
        linkedin_profile: candidate.linkedin_profile.clone(),
        available_from: candidate.available_from.clone(),
        applications: company
            .recruiting
            .applications
            .iter()
            .filter(|a| a.candidate_id == candidate.id)
            .map(|a| ApplicationRef {
                id: a.id.to_string(),
                application_date: Some(a.application_date.to_string()),
            })
            .collect(),
        created_at: Some(v2_timestamp(candidate.created_at)),
        updated_at: Some(v2_timestamp(candidate.updated_at)),
    }
}

pub(crate) fn application(company: &Company, a: &Application, origin: &str) -> WireApplication {
    let candidate = company.candidate(a.candidate_id);
    let job = company.job(a.job_id);
    WireApplication {
        id: a.id.to_string(),
        application_date: Some(a.application_date.to_string()),
        candidate: CandidateRef {
            id: a.candidate_id.to_string(),
            email: candidate.map(|c| c.email.clone()).unwrap_or_default(),
            first_name: candidate.map(|c| c.first_name.clone()).unwrap_or_default(),
            last_name: candidate.map(|c| c.last_name.clone()).unwrap_or_default(),
            gender: candidate.and_then(|c| c.gender.clone()),
        },
        job: JobRef {
            id: a.job_id.to_string(),
            name: job.map(|j| j.name.clone()).unwrap_or_default(),
            department: job.and_then(|j| department(company, j)),
        },
        current_stage: stage(company, a.current_stage()),
        channel: a
            .channel_id
            .and_then(|id| company.recruiting_channel(id))
            .map(|c| NamedId {
                id: c.id.to_string(),
                name: c.name.to_owned(),
            }),
        hiring_team: job.map_or_else(Vec::new, |j| hiring_team(&j.hiring_team, origin)),
        is_anonymized: false,
        created_at: Some(local(company, a.created_at)),
        updated_at: Some(local(company, a.updated_at)),
    }
}

/// An application's stages, latest first.
pub(crate) fn transitions(company: &Company, a: &Application) -> Vec<StageTransition> {
    a.stages
        .iter()
        .rev()
        .map(|&(at, s)| StageTransition {
            entered_at: local(company, at),
            stage: stage(company, s),
        })
        .collect()
}
