//! The Personio side of a write: the one request it sends, the read that tells what became
//! of a request whose answer was lost, and the read of the written record, turned into the
//! row a sync would store (read from a listing, so the bytes are the ones a sync sees and
//! the next sync finds the record unchanged).

use bridge_store::{Key, Row};
use personio_api::v2;
use personio_client::endpoints::paths;
use personio_client::{ApiErrorBody, Client, Record};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::decide::Found;
use super::{Intent, Refusal};
use crate::resources::projects::project_row;
use crate::resources::time::{absence_row, attendance_row, person_of};

/// What a send came to.
pub(crate) enum Sent {
    /// 2xx, with the created record's id where Personio names it.
    Accepted(Option<String>),
    Refused(Box<Refusal>),
    /// Certainly not acted on; worth trying later.
    Later(String),
    /// Perhaps acted on.
    Ambiguous(String),
}

/// A record read back from Personio, as the store keeps it (or gone again).
pub(crate) enum Fetched {
    Record { id: String, row: Row },
    Gone(String),
}

impl Fetched {
    pub(crate) fn id(&self) -> &str {
        match self {
            Fetched::Record { id, .. } | Fetched::Gone(id) => id,
        }
    }
}

/// `?skip_approval=true` when asked for (Personio's v2 default is to wait for approval).
fn approval(skip: bool) -> &'static str {
    if skip { "?skip_approval=true" } else { "" }
}

/// One request to Personio (the client repeats only what is safe: 429s).
pub(crate) async fn send(client: &Client, intent: &Intent) -> Sent {
    let answer = match intent {
        Intent::CreateAttendance(new) => {
            let path = format!("{}{}", paths::ATTENDANCE_PERIODS, approval(new.confirmed));
            created(client, &path, &new.body()).await
        }
        Intent::UpdateAttendance { id, changes } => {
            let path = format!(
                "{}/{}{}",
                paths::ATTENDANCE_PERIODS,
                segment(id),
                approval(changes.confirmed)
            );
            client
                .patch_json(&path, &changes.body())
                .await
                .map(|_| None)
        }
        Intent::DeleteAttendance { id } => client
            .delete(&format!("{}/{}", paths::ATTENDANCE_PERIODS, segment(id)))
            .await
            .map(|_| None),
        Intent::CreateAbsence(new) => {
            let path = format!("{}{}", paths::ABSENCE_PERIODS, approval(new.approved));
            created(client, &path, &new.body()).await
        }
        Intent::DeleteAbsence { id } => client
            .delete(&format!("{}/{}", paths::ABSENCE_PERIODS, segment(id)))
            .await
            .map(|_| None),
        Intent::CreateProject(new) => created(client, paths::PROJECTS, &new.body()).await,
        Intent::UpdateProject { id, changes } => client
            .patch_json(
                &format!("{}/{}", paths::PROJECTS, segment(id)),
                &changes.body(),
            )
            .await
            .map(|_| None),
        Intent::DeleteProject { id } => client
            .delete(&format!("{}/{}", paths::PROJECTS, segment(id)))
            .await
            .map(|_| None),
    };
    match answer {
        Ok(Some(id)) => Sent::Accepted(Some(id)),
        Ok(None) => match intent.target() {
            Some(id) => Sent::Accepted(Some(id.to_owned())),
            // A create's answer must name the record; without it, find the record by reading.
            None => Sent::Ambiguous("Personio accepted the create without naming its id".into()),
        },
        Err(error) => judge(error),
    }
}

async fn created(
    client: &Client,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<Option<String>, personio_client::Error> {
    client
        .post_json::<Option<v2::Created>>(path, body)
        .await
        .map(|created| created.map(|c| c.id))
}

/// Reads Personio for the write's effect; with the record, when it shows it.
pub(crate) async fn resolve(
    client: &Client,
    intent: &Intent,
) -> Result<(Found, Option<Fetched>), String> {
    match intent {
        Intent::CreateAttendance(new) => {
            let found =
                list::<v2::AttendancePeriod>(client, paths::ATTENDANCE_PERIODS, &new.lookup())
                    .await?
                    .into_iter()
                    .find(|p| new.is(&p.value));
            match found {
                Some(record) => Ok((Found::Applied, Some(attendance(&record)?))),
                None => Ok((Found::Absent, None)),
            }
        }
        Intent::CreateAbsence(new) => {
            let found = list::<v2::AbsencePeriod>(client, paths::ABSENCE_PERIODS, &new.lookup())
                .await?
                .into_iter()
                .find(|a| new.is(&a.value));
            match found {
                Some(record) => Ok((Found::Applied, Some(absence(&record)?))),
                None => Ok((Found::Absent, None)),
            }
        }
        Intent::UpdateAttendance { id, changes } => {
            let record =
                by_id::<v2::AttendancePeriod>(client, paths::ATTENDANCE_PERIODS, id).await?;
            match record {
                Some(record) if changes.shown_by(&record.value) => {
                    Ok((Found::Applied, Some(attendance(&record)?)))
                }
                // Not changed, or gone: sending the change again gets Personio's own answer.
                _ => Ok((Found::Absent, None)),
            }
        }
        Intent::CreateProject(new) => {
            let found = list::<v2::Project>(client, paths::PROJECTS, &new.lookup())
                .await?
                .into_iter()
                .find(|p| Some(&p.value.name) == new.name.as_ref());
            match found {
                Some(record) => Ok((Found::Applied, Some(project(&record)?))),
                None => Ok((Found::Absent, None)),
            }
        }
        Intent::UpdateProject { id, changes } => {
            match by_id::<v2::Project>(client, paths::PROJECTS, id).await? {
                Some(record) if changes.shown_by(&record.value) => {
                    Ok((Found::Applied, Some(project(&record)?)))
                }
                _ => Ok((Found::Absent, None)),
            }
        }
        Intent::DeleteAttendance { id }
        | Intent::DeleteAbsence { id }
        | Intent::DeleteProject { id } => {
            let path = intent.personio_path();
            Ok(match by_id::<serde_json::Value>(client, path, id).await? {
                None => (Found::Applied, None),
                Some(_) => (Found::Absent, None),
            })
        }
    }
}

/// The record `id` as Personio holds it now, when the write keeps a record.
pub(crate) async fn fetch(
    client: &Client,
    intent: &Intent,
    id: &str,
) -> Result<Option<Fetched>, String> {
    match intent {
        Intent::CreateAttendance(_) | Intent::UpdateAttendance { .. } => {
            by_id::<v2::AttendancePeriod>(client, paths::ATTENDANCE_PERIODS, id)
                .await?
                .map(|r| attendance(&r))
                .transpose()
        }
        Intent::CreateAbsence(_) => by_id::<v2::AbsencePeriod>(client, paths::ABSENCE_PERIODS, id)
            .await?
            .map(|r| absence(&r))
            .transpose(),
        Intent::CreateProject(_) | Intent::UpdateProject { .. } => {
            by_id::<v2::Project>(client, paths::PROJECTS, id)
                .await?
                .map(|r| project(&r))
                .transpose()
        }
        Intent::DeleteAttendance { .. }
        | Intent::DeleteAbsence { .. }
        | Intent::DeleteProject { .. } => Ok(None),
    }
}

fn attendance(record: &Record<v2::AttendancePeriod>) -> Result<Fetched, String> {
    let employee =
        person_of("attendance period", &record.value.person.id).map_err(|e| e.to_string())?;
    let id = record.value.id.clone();
    let row = attendance_row(record, Key::Text(id.clone()), employee).map_err(|e| e.to_string())?;
    Ok(Fetched::Record { id, row })
}

fn absence(record: &Record<v2::AbsencePeriod>) -> Result<Fetched, String> {
    let employee =
        person_of("absence period", &record.value.person.id).map_err(|e| e.to_string())?;
    let id = record.value.id.clone();
    let row = absence_row(record, Key::Text(id.clone()), employee).map_err(|e| e.to_string())?;
    Ok(Fetched::Record { id, row })
}

/// Records by id, as a listing shows them, keyed by id (those Personio no longer has are
/// left out). One request for up to [`super::READ_BACK_BATCH`] ids.
pub(crate) async fn fetch_many(
    client: &Client,
    intent: &Intent,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Fetched>, String> {
    let mut filters: Vec<(&str, String)> = ids.iter().map(|id| ("id", (*id).to_owned())).collect();
    filters.push(("limit", "100".to_owned()));
    let path = intent.personio_path();
    let fetched: Vec<Fetched> = if path == paths::PROJECTS {
        list::<v2::Project>(client, path, &filters)
            .await?
            .iter()
            .map(project)
            .collect::<Result<_, _>>()?
    } else if path == paths::ABSENCE_PERIODS {
        list::<v2::AbsencePeriod>(client, path, &filters)
            .await?
            .iter()
            .map(absence)
            .collect::<Result<_, _>>()?
    } else {
        list::<v2::AttendancePeriod>(client, path, &filters)
            .await?
            .iter()
            .map(attendance)
            .collect::<Result<_, _>>()?
    };
    Ok(fetched
        .into_iter()
        .map(|f| (f.id().to_owned(), f))
        .collect())
}

fn project(record: &Record<v2::Project>) -> Result<Fetched, String> {
    let row = project_row(record).map_err(|e| e.to_string())?;
    Ok(Fetched::Record {
        id: record.value.id.clone(),
        row,
    })
}

/// A record by id, as a listing shows it.
async fn by_id<T: DeserializeOwned + HasId>(
    client: &Client,
    path: &str,
    id: &str,
) -> Result<Option<Record<T>>, String> {
    Ok(list::<T>(client, path, &[("id", id.to_owned())])
        .await?
        .into_iter()
        .find(|r| r.value.id() == Some(id)))
}

/// One page of a v2 listing (the filters used here select a handful of records).
async fn list<T: DeserializeOwned>(
    client: &Client,
    path: &str,
    filters: &[(&str, String)],
) -> Result<Vec<Record<T>>, String> {
    let body = client
        .get_raw(path, filters)
        .await
        .map_err(|e| e.to_string())?;
    records(&body).map_err(|e| format!("Personio's listing could not be read: {e}"))
}

/// Records that know their id.
pub(crate) trait HasId {
    fn id(&self) -> Option<&str>;
}

impl HasId for v2::AttendancePeriod {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl HasId for v2::AbsencePeriod {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl HasId for v2::Project {
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl HasId for serde_json::Value {
    fn id(&self) -> Option<&str> {
        self.get("id").and_then(serde_json::Value::as_str)
    }
}

/// What a failed send means for the journal.
fn judge(error: personio_client::Error) -> Sent {
    use personio_client::Error as E;
    let why = error.to_string();
    let refused = |status: u16, message: String| {
        Sent::Refused(Box::new(Refusal {
            status,
            message,
            code: None,
            personio: None,
        }))
    };
    match error {
        E::Api { status, body, .. } if status.is_client_error() => {
            Sent::Refused(Box::new(refusal(status.as_u16(), &body)))
        }
        E::MissingScope { .. } | E::MissingArea { .. } => refused(403, why),
        E::NotFound { .. } => refused(404, "Personio has no such record".into()),
        // Nothing reached Personio, or it refused to look: safe to send later.
        E::RateLimited { .. } | E::Unreachable { .. } | E::BadCredentials { .. } | E::Config(_) => {
            Sent::Later(why)
        }
        // It may have acted: a 5xx, no answer in time, a broken or mangled answer.
        _ => Sent::Ambiguous(why),
    }
}

fn refusal(status: u16, body: &ApiErrorBody) -> Refusal {
    let (code, personio) = match body {
        ApiErrorBody::Problem(problem) => (
            problem.errors.first().and_then(|e| e.kind.clone()),
            serde_json::to_value(problem).ok(),
        ),
        ApiErrorBody::V1(v1) => (
            Some(v1.error.code.to_string()),
            serde_json::to_value(v1).ok(),
        ),
        ApiErrorBody::OAuth(oauth) => (Some(oauth.error.clone()), serde_json::to_value(oauth).ok()),
        ApiErrorBody::Other(_) => (None, None),
    };
    Refusal {
        status,
        message: body.message(),
        code,
        personio,
    }
}

/// An id as one path segment (ids are checked; this keeps a stray character harmless).
fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// The items of a v2 page, each with its bytes.
fn records<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<Record<T>>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Page {
        #[serde(rename = "_data")]
        data: Vec<Box<RawValue>>,
    }
    let page: Page = serde_json::from_slice(body)?;
    page.data
        .into_iter()
        .map(|raw| {
            Ok(Record {
                value: serde_json::from_str(raw.get())?,
                raw,
            })
        })
        .collect()
}
