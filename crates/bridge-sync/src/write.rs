//! Writing to Personio exactly once.
//!
//! Personio takes no idempotency keys, so a client that sends a create again after a timeout
//! books it twice. Every write here goes through the store's write journal instead:
//!
//! ```text
//! journal the intent (pending) ─▶ mark sending ─▶ send ─▶ accepted ─▶ read the record,
//!        │                                        │                 store it + succeeded
//!        │                                        ├─ refused (4xx): final, Personio's words kept
//!        │                                        ├─ not sent (429, nothing listening): pending
//!        │                                        └─ no clear answer: unknown ─▶ read Personio:
//!        │                                              applied → accepted; absent → pending
//!        └─ the key again: the first outcome, nothing sent; another body: refused
//! ```
//!
//! What to do in each state is [`decide::next`], which state an answer leads to
//! [`decide::after`]; this module carries them out. A process killed at any point leaves an
//! entry that the next call with its key, or [`Writer::recover`] at the next start, finishes
//! the same way: an entry that may have been sent is read for before it is sent again.

pub mod attendance;
pub mod decide;
mod fields;

use std::collections::HashSet;
use std::sync::Arc;

use bridge_store::tables::{ATTENDANCE_PERIODS, EMPLOYEES};
use bridge_store::{
    Company, JournalEntry, JournalState, JournalStep, Key, NewWrite, RecordQuery, Store, Table,
    WriteThrough,
};
use chrono::Utc;
use parking_lot::Mutex;
use personio_api::v2;
use personio_client::endpoints::paths;
use personio_client::{ApiErrorBody, Client, Record};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::resources::time::{attendance_row, person_of};
use attendance::{AttendanceChanges, NewAttendance};
use decide::{Action, Answer, Budget, Event, Found, Spent};

pub use fields::FieldError;

/// Sends and resolving reads one call may spend before it leaves the entry to a later one.
const BUDGET: Budget = Budget { sends: 3, reads: 4 };

/// A write to Personio, as the bridge's API and the bulk command describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "snake_case")]
pub enum Intent {
    CreateAttendance(NewAttendance),
    UpdateAttendance {
        id: String,
        changes: AttendanceChanges,
    },
    DeleteAttendance {
        id: String,
    },
}

/// What a write does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }

    /// The outcome's word: `created`, `updated`, `deleted`.
    pub fn done(self) -> &'static str {
        match self {
            Operation::Create => "created",
            Operation::Update => "updated",
            Operation::Delete => "deleted",
        }
    }
}

impl Intent {
    /// The store table the written records live in.
    pub fn table(&self) -> &'static Table {
        &ATTENDANCE_PERIODS
    }

    /// Personio's access area for the write, as its credential settings name it.
    pub fn area(&self) -> &'static str {
        "Attendances"
    }

    pub fn operation(&self) -> Operation {
        match self {
            Intent::CreateAttendance(_) => Operation::Create,
            Intent::UpdateAttendance { .. } => Operation::Update,
            Intent::DeleteAttendance { .. } => Operation::Delete,
        }
    }

    /// The record's id, when the write names one.
    pub fn target(&self) -> Option<&str> {
        match self {
            Intent::CreateAttendance(_) => None,
            Intent::UpdateAttendance { id, .. } | Intent::DeleteAttendance { id } => Some(id),
        }
    }

    /// The intent as canonical JSON (fields in declaration order), as journalled.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// SHA-256 of the canonical JSON, hex: what tells a key reused with another request.
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(self.canonical().as_bytes()))
    }
}

/// The resources that take writes, by their table's name.
pub const WRITABLE: &[&str] = &["attendance_periods"];

/// The intent of one bulk line: a create body, an update body with its `id`, or `{"id"}`
/// to delete, in the resource's field names.
pub fn intent_of_line(
    resource: &str,
    operation: Operation,
    line: Value,
) -> Result<Intent, FieldError> {
    if resource != "attendance_periods" {
        return Err(FieldError::new(
            "",
            format!(
                "{resource} cannot be written (writable: {})",
                WRITABLE.join(", ")
            ),
        ));
    }
    let mut line = match line {
        Value::Object(object) => object,
        _ => return Err(FieldError::new("", "each line must be a JSON object")),
    };
    let id = |line: &mut serde_json::Map<String, Value>| match line.remove("id") {
        Some(value) => fields::id("id", value),
        None => Err(FieldError::new(
            "id",
            "is required (the record's Personio id)",
        )),
    };
    Ok(match operation {
        Operation::Create => {
            Intent::CreateAttendance(NewAttendance::from_json(Value::Object(line))?)
        }
        Operation::Update => {
            let id = id(&mut line)?;
            Intent::UpdateAttendance {
                id,
                changes: AttendanceChanges::from_json(Value::Object(line))?,
            }
        }
        Operation::Delete => {
            let id = id(&mut line)?;
            if let Some(field) = line.keys().next() {
                return Err(FieldError::new(field.clone(), "a delete takes only the id"));
            }
            Intent::DeleteAttendance { id }
        }
    })
}

/// The idempotency key of one line of a bulk file: the same file (its `identity`), line
/// number and content give the same key on every run, so a rerun finishes the file without
/// writing a line twice, and an edited line is a new write.
pub fn line_key(identity: &str, operation: Operation, number: u64, content: &str) -> String {
    let mut hash = Sha256::new();
    for part in [
        identity,
        operation.as_str(),
        &number.to_string(),
        content.trim(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    format!("line-{}", &hex(&hash.finalize())[..40])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A write that succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    pub operation: Operation,
    /// The record's Personio id.
    pub id: String,
    /// Answered from the journal: this call sent nothing.
    pub replayed: bool,
}

/// Personio's refusal, kept as it said it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    /// Personio's HTTP status.
    pub status: u16,
    /// Personio's message.
    pub message: String,
    /// Personio's error code, where it gives one (a v2 problem's `type`, a v1 `code`).
    pub code: Option<String>,
    /// Personio's error body as it came, when it was JSON.
    pub personio: Option<Value>,
}

/// Why a write did not succeed (yet).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A body field is missing or malformed, or names what the company does not have.
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("the idempotency key was used before for a different request")]
    KeyReused,
    #[error("a request with this idempotency key is in progress")]
    InProgress,
    /// Personio refused; final.
    #[error("Personio refused the write ({}): {}", .0.status, .0.message)]
    Refused(Box<Refusal>),
    /// Personio's answer is not known yet (or it asked to wait); the journal keeps the
    /// write, and the same call again (or the next start) finishes it.
    #[error("the write is not finished: {0}; send it again with the same idempotency key")]
    Unfinished(String),
    #[error(transparent)]
    Store(#[from] bridge_store::Error),
    #[error(transparent)]
    Row(#[from] bridge_store::RowError),
    #[error("Personio's answer could not be read: {0}")]
    Unreadable(String),
}

/// What a send came to.
enum Sent {
    /// 2xx, with the created record's id where Personio names it.
    Accepted(Option<String>),
    Refused(Box<Refusal>),
    Later(String),
    Ambiguous(String),
}

/// Writes to one company's Personio through the journal. Cheap to clone; clones share the
/// set of keys in flight, so two calls with one key never run at once in this process.
#[derive(Clone)]
pub struct Writer {
    store: Store,
    client: Client,
    company: Company,
    busy: Arc<Mutex<HashSet<String>>>,
}

/// Holds a key in flight until dropped.
struct Busy {
    set: Arc<Mutex<HashSet<String>>>,
    key: String,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.set.lock().remove(&self.key);
    }
}

impl Writer {
    pub fn new(store: Store, client: Client, company: Company) -> Writer {
        Writer {
            store,
            client,
            company,
            busy: Arc::default(),
        }
    }

    pub fn company(&self) -> &Company {
        &self.company
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Checks what only the store can tell before anything is journalled: the employee
    /// exists (when employees have been synced at all).
    pub async fn check(&self, intent: &Intent) -> Result<(), WriteError> {
        if let Intent::CreateAttendance(new) = intent
            && !self.employee_known(new.employee_id).await?
        {
            return Err(FieldError::new(
                "employee_id",
                format!(
                    "no employee {} in company {} (sync employees first if they are new)",
                    new.employee_id, self.company.name
                ),
            )
            .into());
        }
        Ok(())
    }

    async fn employee_known(&self, id: i64) -> Result<bool, WriteError> {
        let query = |keys| RecordQuery {
            keys,
            limit: 1,
            ..RecordQuery::default()
        };
        let found = self
            .store
            .browse(
                self.company.id,
                &EMPLOYEES,
                &query(Some(vec![Key::Int(id)])),
            )
            .await?;
        if !found.is_empty() {
            return Ok(true);
        }
        // Employees never synced: Personio is the judge.
        let any = self
            .store
            .browse(self.company.id, &EMPLOYEES, &query(None))
            .await?;
        Ok(any.is_empty())
    }

    /// Writes `intent` under `key`, exactly once: a key seen before answers its first
    /// outcome (or finishes its write), a key reused with another intent is refused.
    pub async fn write(&self, key: &str, intent: &Intent) -> Result<Written, WriteError> {
        let (entry, _) = self
            .store
            .journal_intent(
                NewWrite {
                    company: self.company.id,
                    key: key.to_owned(),
                    resource: intent.table().name.to_owned(),
                    operation: intent.operation().as_str().to_owned(),
                    target_id: intent.target().map(str::to_owned),
                    request: intent.canonical(),
                    request_hash: intent.digest(),
                },
                Utc::now(),
            )
            .await?;
        if entry.request_hash != intent.digest() {
            return Err(WriteError::KeyReused);
        }
        self.drive(entry, intent).await
    }

    /// Finishes every unfinished entry of the company (after a crash): each is resolved by
    /// reading Personio before anything is sent again. Returns each key with its result.
    pub async fn recover(&self) -> Result<Vec<(String, Result<Written, WriteError>)>, WriteError> {
        let mut results = Vec::new();
        for entry in self.store.journal_open(Some(self.company.id)).await? {
            let key = entry.key.clone();
            let result = match serde_json::from_str::<Intent>(&entry.request) {
                Ok(intent) => self.drive(entry, &intent).await,
                Err(e) => Err(WriteError::Unreadable(format!(
                    "journal entry {key} holds no write this version knows: {e}"
                ))),
            };
            results.push((key, result));
        }
        Ok(results)
    }

    /// Carries an entry from its state to a final one, or as far as the budget goes.
    async fn drive(&self, mut entry: JournalEntry, intent: &Intent) -> Result<Written, WriteError> {
        let _busy = self.hold(&entry.key)?;
        let mut spent = Spent::default();
        let mut last = String::new();
        // The record found by a resolving read (or its id from Personio's answer).
        let mut found: Option<Record<v2::AttendancePeriod>> = None;
        loop {
            match decide::next(entry.state, spent, BUDGET) {
                Action::Replay => return replay(&entry),
                Action::Stop => return Err(WriteError::Unfinished(last)),
                Action::Store => return self.store_through(&entry, intent, found.take()).await,
                Action::Send => {
                    self.step(&entry, JournalState::Sending, None, None, true, false)
                        .await?;
                    spent.sends += 1;
                    let (event, id, refusal) = match self
                        .send(intent, entry.target_id.as_deref())
                        .await
                    {
                        Sent::Accepted(id) => (Event::Sent(Answer::Accepted), id, None),
                        Sent::Refused(refusal) => {
                            (Event::Sent(Answer::Refused), None, Some(refusal))
                        }
                        Sent::Later(why) => {
                            last = why;
                            (Event::Sent(Answer::NotSent), None, None)
                        }
                        Sent::Ambiguous(why) => {
                            tracing::warn!(key = entry.key, %why, "write outcome unknown; reading Personio");
                            last = why;
                            (Event::Sent(Answer::Ambiguous), None, None)
                        }
                    };
                    let state = decide::after(event);
                    let outcome = refusal.map(|r| serde_json::to_string(&r).unwrap_or_default());
                    self.step(
                        &entry,
                        state,
                        id.as_deref(),
                        outcome.as_deref(),
                        false,
                        false,
                    )
                    .await?;
                    entry.state = state;
                    entry.target_id = id.or(entry.target_id);
                    entry.outcome = outcome.or(entry.outcome);
                }
                Action::Resolve => {
                    spent.reads += 1;
                    let (found_now, record) =
                        match self.resolve(intent, entry.target_id.as_deref()).await {
                            Ok((found, record)) => (found, record),
                            Err(why) => {
                                last = why;
                                (Found::Failed, None)
                            }
                        };
                    let state = decide::after(Event::Read(found_now));
                    let id = record.as_ref().map(|r| r.value.id.clone());
                    if found_now == Found::Absent {
                        last = "Personio shows no trace of the write".into();
                    }
                    self.step(&entry, state, id.as_deref(), None, false, true)
                        .await?;
                    entry.state = state;
                    entry.target_id = id.or(entry.target_id);
                    found = record;
                }
            }
        }
    }

    fn hold(&self, key: &str) -> Result<Busy, WriteError> {
        let key = format!("{}/{key}", self.company.id.0);
        if !self.busy.lock().insert(key.clone()) {
            return Err(WriteError::InProgress);
        }
        Ok(Busy {
            set: self.busy.clone(),
            key,
        })
    }

    async fn step(
        &self,
        entry: &JournalEntry,
        state: JournalState,
        target_id: Option<&str>,
        outcome: Option<&str>,
        sent: bool,
        read: bool,
    ) -> Result<(), WriteError> {
        self.store
            .journal_step(JournalStep {
                company: self.company.id,
                key: &entry.key,
                state,
                target_id,
                outcome,
                sent,
                read,
                now: Utc::now(),
            })
            .await?;
        Ok(())
    }

    /// One request to Personio (the client retries only what it may: 429s).
    async fn send(&self, intent: &Intent, target: Option<&str>) -> Sent {
        let base = paths::ATTENDANCE_PERIODS;
        let approval = |confirmed: bool| if confirmed { "?skip_approval=true" } else { "" };
        let answer = match intent {
            Intent::CreateAttendance(new) => {
                let path = format!("{base}{}", approval(new.confirmed));
                self.client
                    .post_json::<Option<v2::Created>>(&path, &new.body())
                    .await
                    .map(|created| created.map(|c| c.id))
            }
            Intent::UpdateAttendance { id, changes } => {
                let path = format!("{base}/{}{}", segment(id), approval(changes.confirmed));
                self.client
                    .patch_json(&path, &changes.body())
                    .await
                    .map(|_| target.map(str::to_owned))
            }
            Intent::DeleteAttendance { id } => {
                let path = format!("{base}/{}", segment(id));
                self.client
                    .delete(&path)
                    .await
                    .map(|_| target.map(str::to_owned))
            }
        };
        match answer {
            Ok(id) => Sent::Accepted(id),
            Err(error) => judge(error),
        }
    }

    /// Reads Personio for the write's effect.
    async fn resolve(
        &self,
        intent: &Intent,
        target: Option<&str>,
    ) -> Result<(Found, Option<Record<v2::AttendancePeriod>>), String> {
        match intent {
            Intent::CreateAttendance(new) => {
                let periods = self.periods(&new.lookup()).await?;
                Ok(match periods.into_iter().find(|p| new.is(&p.value)) {
                    Some(record) => (Found::Applied, Some(record)),
                    None => (Found::Absent, None),
                })
            }
            Intent::UpdateAttendance { id, changes } => {
                let record = self.period(target.unwrap_or(id)).await?;
                Ok(match record {
                    Some(record) if changes.shown_by(&record.value) => {
                        (Found::Applied, Some(record))
                    }
                    // Gone: sending the change again gets Personio's own 404.
                    _ => (Found::Absent, None),
                })
            }
            Intent::DeleteAttendance { id } => Ok(match self.period(id).await? {
                None => (Found::Applied, None),
                Some(_) => (Found::Absent, None),
            }),
        }
    }

    /// A period by id, as a listing shows it (the very bytes a sync stores).
    async fn period(&self, id: &str) -> Result<Option<Record<v2::AttendancePeriod>>, String> {
        Ok(self
            .periods(&[("id", id.to_owned())])
            .await?
            .into_iter()
            .find(|p| p.value.id == id))
    }

    async fn periods(
        &self,
        filters: &[(&str, String)],
    ) -> Result<Vec<Record<v2::AttendancePeriod>>, String> {
        let body = self
            .client
            .get_raw(paths::ATTENDANCE_PERIODS, filters)
            .await
            .map_err(|e| e.to_string())?;
        records(&body).map_err(|e| format!("Personio's listing could not be read: {e}"))
    }

    /// Stores what Personio now holds and finishes the entry (write-through).
    async fn store_through(
        &self,
        entry: &JournalEntry,
        intent: &Intent,
        found: Option<Record<v2::AttendancePeriod>>,
    ) -> Result<Written, WriteError> {
        let operation = intent.operation();
        let id = entry
            .target_id
            .clone()
            .or_else(|| found.as_ref().map(|r| r.value.id.clone()))
            .ok_or_else(|| {
                WriteError::Unreadable("Personio accepted the write without an id".into())
            })?;
        let mut rows = Vec::new();
        let mut deleted = Vec::new();
        if operation == Operation::Delete {
            deleted.push(Key::Text(id.clone()));
        } else {
            let record = match found {
                Some(record) if record.value.id == id => Some(record),
                _ => self.period(&id).await.map_err(|why| {
                    WriteError::Unfinished(format!("reading the written record: {why}"))
                })?,
            };
            // A record deleted again meanwhile leaves nothing to store; the next sync agrees.
            if let Some(record) = record {
                let employee = person_of("attendance period", &record.value.person.id)
                    .map_err(|e| WriteError::Unreadable(e.to_string()))?;
                rows.push(
                    attendance_row(&record, Key::Text(id.clone()), employee)
                        .map_err(|e| WriteError::Unreadable(e.to_string()))?,
                );
            }
        }
        let outcome = json!({ "outcome": operation.done(), "id": id }).to_string();
        self.store
            .journal_write_through(WriteThrough {
                company: self.company.id,
                key: &entry.key,
                target_id: &id,
                table: intent.table(),
                rows,
                deleted,
                outcome: &outcome,
                now: Utc::now(),
            })
            .await?;
        Ok(Written {
            operation,
            id,
            replayed: false,
        })
    }
}

/// The outcome of a final entry, as its first call answered it.
fn replay(entry: &JournalEntry) -> Result<Written, WriteError> {
    let outcome: Value = entry
        .outcome
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or(Value::Null);
    if entry.state == JournalState::Refused {
        let refusal: Refusal = serde_json::from_value(outcome)
            .map_err(|e| WriteError::Unreadable(format!("journalled refusal: {e}")))?;
        return Err(WriteError::Refused(Box::new(refusal)));
    }
    let operation = match entry.operation.as_str() {
        "create" => Operation::Create,
        "update" => Operation::Update,
        _ => Operation::Delete,
    };
    Ok(Written {
        operation,
        id: entry.target_id.clone().unwrap_or_default(),
        replayed: true,
    })
}

/// What a failed send means for the journal.
fn judge(error: personio_client::Error) -> Sent {
    use personio_client::Error as E;
    let why = error.to_string();
    match error {
        E::Api { status, body, .. } if status.is_client_error() => {
            Sent::Refused(Box::new(refusal(status.as_u16(), &body)))
        }
        E::MissingScope { .. } | E::MissingArea { .. } => Sent::Refused(Box::new(Refusal {
            status: 403,
            message: why,
            code: None,
            personio: None,
        })),
        E::NotFound { .. } => Sent::Refused(Box::new(Refusal {
            status: 404,
            message: "Personio has no such record".into(),
            code: None,
            personio: None,
        })),
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

/// An id as one path segment (ids are checked, this keeps a stray character harmless).
fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// The items of a v2 page, each with its bytes.
fn records<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<Vec<Record<T>>, serde_json::Error> {
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
