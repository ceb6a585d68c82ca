//! The read tools: each answers from the store (`bridge_store::questions`) with concise JSON,
//! a cursor where the list may be long, and `synced_at`, when the resources it read were last
//! synced.

use bridge_store::questions::{AbsenceFilter, OrgRoot, PeopleFilter};
use bridge_store::{Scope, Store};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::cursor;
use crate::server::Call;
use crate::tools::{Answer, Failure};

/// Items per page unless `limit` says otherwise, and the most it may ask for.
const DEFAULT_LIMIT: u32 = 25;
const MAX_LIMIT: u32 = 100;
/// The longest span of days one question may cover.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoArguments {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompanyOnly {
    /// The company's name in the bridge (the companies tool lists them); may be left out when
    /// the connection reaches one company.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FindPeople {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
    /// Part of the person's name (first and last, or preferred and last), any case.
    pub(crate) name: Option<String>,
    /// The person's whole e-mail address, any case.
    pub(crate) email: Option<String>,
    /// The department of their current employment, by name (any case).
    pub(crate) department: Option<String>,
    /// The team of their current employment, by name (any case).
    pub(crate) team: Option<String>,
    /// The office of their current employment, by name (any case).
    pub(crate) office: Option<String>,
    /// Their employment status as Personio names it (active, inactive, onleave, leaving).
    pub(crate) status: Option<String>,
    /// `next_cursor` of the previous page, to go on; leave out for the first page.
    pub(crate) cursor: Option<String>,
    /// People per page (1 to 100, default 25).
    pub(crate) limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonArgs {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
    /// The person's Personio id (find_people finds it).
    pub(crate) person_id: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrgChart {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
    /// The chart below this person (their Personio id).
    pub(crate) person_id: Option<i64>,
    /// Or the chart of this department, by name (any case).
    pub(crate) department: Option<String>,
    /// Levels below the top to show (0 to 10, default 3).
    pub(crate) depth: Option<u32>,
    /// `next_cursor` of the previous page, to go on.
    pub(crate) cursor: Option<String>,
    /// People per page (1 to 100, default 25).
    pub(crate) limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Absent {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
    /// The first day, `YYYY-MM-DD`.
    pub(crate) from: String,
    /// The last day, `YYYY-MM-DD` (included; at most 366 days after `from`).
    pub(crate) to: String,
    /// Only people whose current department is this one (by name, any case).
    pub(crate) department: Option<String>,
    /// Only people whose current team is this one (by name, any case).
    pub(crate) team: Option<String>,
    /// Only absences of this type: its id or its name (any case).
    pub(crate) absence_type: Option<String>,
    /// `next_cursor` of the previous page, to go on.
    pub(crate) cursor: Option<String>,
    /// Absences per page (1 to 100, default 25).
    pub(crate) limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Attendance {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
    /// The person's Personio id.
    pub(crate) person_id: i64,
    /// The first day, `YYYY-MM-DD`.
    pub(crate) from: String,
    /// The last day, `YYYY-MM-DD` (included; at most 366 days after `from`).
    pub(crate) to: String,
    /// `next_cursor` of the previous page of periods, to go on.
    pub(crate) cursor: Option<String>,
    /// Periods per page (1 to 100, default 25); the sum always covers every day asked.
    pub(crate) limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
    /// `next_cursor` of the previous page, to go on.
    pub(crate) cursor: Option<String>,
    /// Items per page (1 to 100, default 25).
    pub(crate) limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectMembers {
    /// The company's name in the bridge; may be left out when the connection reaches one.
    #[allow(dead_code)] // resolved by the server before the tool runs
    pub(crate) company: Option<String>,
    /// The project's Personio id (the projects tool lists them).
    pub(crate) project_id: i64,
    /// `next_cursor` of the previous page, to go on.
    pub(crate) cursor: Option<String>,
    /// Members per page (1 to 100, default 25).
    pub(crate) limit: Option<u32>,
}

fn limit(asked: Option<u32>) -> u32 {
    asked.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

fn day(field: &str, text: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Failure::tool(format!("{field} must be a day as YYYY-MM-DD, got {text:?}")))
}

/// `from ..= to` as days, checked.
fn span(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), Failure> {
    let (from, to) = (day("from", from)?, day("to", to)?);
    if to < from {
        return Err(Failure::tool("to must not be before from"));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(Failure::tool(format!(
            "ask for at most {MAX_DAYS} days at a time"
        )));
    }
    Ok((from, to))
}

fn position<T: serde::de::DeserializeOwned>(
    tool: &str,
    cursor: &Option<String>,
) -> Result<Option<T>, Failure> {
    cursor
        .as_deref()
        .map(|c| cursor::decode(tool, c).map_err(Failure::tool))
        .transpose()
}

/// When the resources an answer read were last synced: `{resource: time}`, the oldest
/// reading of each (resources read in parts, like compensations by month, count their
/// oldest part); `null` for one never synced.
pub(crate) async fn synced_at(call: &Call<'_>, resources: &[&str]) -> Result<Value, Failure> {
    let all = call.store.freshness(call.company.id).await?;
    let mut map = serde_json::Map::new();
    for resource in resources {
        let oldest = all
            .iter()
            .filter(|f| {
                f.resource == *resource
                    || f.resource
                        .strip_prefix(resource)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
            .map(|f| f.synced_at.as_str())
            .min();
        map.insert((*resource).to_owned(), json!(oldest));
    }
    Ok(Value::Object(map))
}

pub(crate) async fn companies(store: &Store, caller: &Caller) -> Answer {
    let mut companies = Vec::new();
    for company in store.companies().await? {
        if !caller.reaches(&company.name) {
            continue;
        }
        let last = store.runs(company.id, 1).await?.into_iter().next();
        companies.push(json!({
            "name": company.name,
            "last_sync": last.map(|run| json!({
                "outcome": run.outcome.as_str(),
                "started_at": run.started_at,
                "finished_at": run.finished_at,
            })),
        }));
    }
    Ok(json!({ "companies": companies }))
}

pub(crate) async fn freshness(call: &Call<'_>) -> Answer {
    let resources = call.store.freshness(call.company.id).await?;
    let last = call
        .store
        .runs(call.company.id, 1)
        .await?
        .into_iter()
        .next();
    Ok(json!({
        "company": call.company.name,
        "resources": resources,
        "last_sync": last.map(|run| json!({
            "outcome": run.outcome.as_str(),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
        })),
    }))
}

pub(crate) async fn find_people(call: &Call<'_>, args: FindPeople) -> Answer {
    let limit = limit(args.limit);
    let filter = PeopleFilter {
        name: args.name,
        email: args.email,
        department: args.department,
        team: args.team,
        office: args.office,
        status: args.status,
        after: position("find_people", &args.cursor)?,
        limit,
    };
    let people = call.store.find_people(call.company.id, &filter).await?;
    let next = (people.len() == limit as usize)
        .then(|| people.last().map(|p| cursor::encode("find_people", p.id)))
        .flatten();
    Ok(json!({
        "people": people,
        "next_cursor": next,
        "synced_at": synced_at(call, &["employees"]).await?,
    }))
}

pub(crate) async fn person(call: &Call<'_>, args: PersonArgs) -> Answer {
    let sensitive = call.caller.allows(Scope::Admin);
    let Some(person) = call
        .store
        .person(call.company.id, args.person_id, sensitive)
        .await?
    else {
        return Err(no_person(call, args.person_id));
    };
    Ok(json!({
        "person": person,
        "synced_at": synced_at(call, &["employees"]).await?,
    }))
}

fn no_person(call: &Call<'_>, id: i64) -> Failure {
    Failure::tool(format!(
        "no person {id} in company {} (find_people finds people's ids)",
        call.company.name
    ))
}

pub(crate) async fn org_chart(call: &Call<'_>, args: OrgChart) -> Answer {
    let root = match (args.person_id, args.department) {
        (Some(id), None) => OrgRoot::Person(id),
        (None, Some(department)) => OrgRoot::Department(department),
        _ => return Err(Failure::tool("give either person_id or department")),
    };
    let depth = args.depth.unwrap_or(3).min(10);
    let limit = limit(args.limit) as usize;
    let offset: usize = position("org_chart", &args.cursor)?.unwrap_or(0);
    let chart = call.store.org_chart(call.company.id, &root, depth).await?;
    if chart.is_empty() {
        return Err(match root {
            OrgRoot::Person(id) => no_person(call, id),
            OrgRoot::Department(name) => Failure::tool(format!(
                "no one in department {name:?} in company {}",
                call.company.name
            )),
        });
    }
    let page: Vec<_> = chart.iter().skip(offset).take(limit).collect();
    let end = offset + page.len();
    let next = (end < chart.len()).then(|| cursor::encode("org_chart", end));
    Ok(json!({
        "total": chart.len(),
        "chart": page,
        "next_cursor": next,
        "synced_at": synced_at(call, &["employees"]).await?,
    }))
}

pub(crate) async fn absent(call: &Call<'_>, args: Absent) -> Answer {
    let (from, to) = span(&args.from, &args.to)?;
    let limit = limit(args.limit);
    let filter = AbsenceFilter {
        from: from.to_string(),
        to: to.to_string(),
        department: args.department,
        team: args.team,
        absence_type: args.absence_type,
        after: position("absent", &args.cursor)?,
        limit,
    };
    let absences = call.store.absent(call.company.id, &filter).await?;
    let next = (absences.len() == limit as usize)
        .then(|| {
            absences
                .last()
                .map(|a| cursor::encode("absent", (&a.start, &a.absence_id)))
        })
        .flatten();
    Ok(json!({
        "from": from,
        "to": to,
        "absences": absences,
        "next_cursor": next,
        "synced_at": synced_at(call, &["absences", "employees"]).await?,
    }))
}

pub(crate) async fn attendance(call: &Call<'_>, args: Attendance) -> Answer {
    let (from, to) = span(&args.from, &args.to)?;
    let limit = limit(args.limit) as usize;
    let offset: usize = position("attendance", &args.cursor)?.unwrap_or(0);
    if call
        .store
        .person(call.company.id, args.person_id, false)
        .await?
        .is_none()
    {
        return Err(no_person(call, args.person_id));
    }
    let periods = call
        .store
        .attendance(
            call.company.id,
            args.person_id,
            &from.to_string(),
            &to.to_string(),
        )
        .await?;
    let worked_minutes: i64 = periods
        .iter()
        .filter(|p| p.kind == "WORK")
        .filter_map(|p| {
            let minutes = minutes_between(&p.start, p.end.as_deref()?)?;
            Some((minutes - p.break_minutes.unwrap_or(0)).max(0))
        })
        .sum();
    let page: Vec<_> = periods.iter().skip(offset).take(limit).collect();
    let end = offset + page.len();
    let next = (end < periods.len()).then(|| cursor::encode("attendance", end));
    Ok(json!({
        "person_id": args.person_id,
        "from": from,
        "to": to,
        "worked_hours": (worked_minutes as f64 / 60.0 * 100.0).round() / 100.0,
        "periods_total": periods.len(),
        "periods": page,
        "next_cursor": next,
        "synced_at": synced_at(call, &["attendances"]).await?,
    }))
}

/// Minutes from `start` to `end`, local times as the store keeps them.
fn minutes_between(start: &str, end: &str) -> Option<i64> {
    let parse = |t: &str| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").ok();
    Some((parse(end)? - parse(start)?).num_minutes())
}

pub(crate) async fn balances(call: &Call<'_>, args: PersonArgs) -> Answer {
    if call
        .store
        .person(call.company.id, args.person_id, false)
        .await?
        .is_none()
    {
        return Err(no_person(call, args.person_id));
    }
    let balances = call
        .store
        .balances_of(call.company.id, args.person_id)
        .await?;
    Ok(json!({
        "person_id": args.person_id,
        "balances": balances,
        "synced_at": synced_at(call, &["balances"]).await?,
    }))
}

pub(crate) async fn absence_types(call: &Call<'_>) -> Answer {
    Ok(json!({
        "absence_types": call.store.absence_types(call.company.id).await?,
        "synced_at": synced_at(call, &["absence_types"]).await?,
    }))
}

pub(crate) async fn projects(call: &Call<'_>, args: Page) -> Answer {
    let limit = limit(args.limit);
    let after = position("projects", &args.cursor)?;
    let projects = call
        .store
        .projects_page(call.company.id, after, limit)
        .await?;
    let next = (projects.len() == limit as usize)
        .then(|| projects.last().map(|p| cursor::encode("projects", p.id)))
        .flatten();
    Ok(json!({
        "projects": projects,
        "next_cursor": next,
        "synced_at": synced_at(call, &["projects"]).await?,
    }))
}

pub(crate) async fn project_members(call: &Call<'_>, args: ProjectMembers) -> Answer {
    if !call
        .store
        .has_project(call.company.id, args.project_id)
        .await?
    {
        return Err(Failure::tool(format!(
            "no project {} in company {} (the projects tool lists them)",
            args.project_id, call.company.name
        )));
    }
    let limit = limit(args.limit);
    let after = position("project_members", &args.cursor)?;
    let members = call
        .store
        .project_members_page(call.company.id, args.project_id, after, limit)
        .await?;
    let next = (members.len() == limit as usize)
        .then(|| {
            members
                .last()
                .map(|p| cursor::encode("project_members", p.id))
        })
        .flatten();
    Ok(json!({
        "project_id": args.project_id,
        "members": members,
        "next_cursor": next,
        "synced_at": synced_at(call, &["projects", "employees"]).await?,
    }))
}

pub(crate) async fn compensations(call: &Call<'_>, args: PersonArgs) -> Answer {
    if call
        .store
        .person(call.company.id, args.person_id, false)
        .await?
        .is_none()
    {
        return Err(no_person(call, args.person_id));
    }
    Ok(json!({
        "person_id": args.person_id,
        "compensations": call.store.compensations_of(call.company.id, args.person_id).await?,
        "synced_at": synced_at(call, &["compensations"]).await?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_checked() {
        assert!(span("2026-01-01", "2026-01-07").is_ok());
        assert!(span("2026-01-07", "2026-01-01").is_err());
        assert!(span("2026-01-01", "2028-01-01").is_err());
        assert!(span("yesterday", "2026-01-01").is_err());
    }

    #[test]
    fn minutes_are_counted_between_local_times() {
        assert_eq!(
            minutes_between("2026-01-01T09:00:00", "2026-01-01T17:30:00"),
            Some(510)
        );
        assert_eq!(minutes_between("2026-01-01T09:00:00", "later"), None);
    }
}
