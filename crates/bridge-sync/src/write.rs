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

pub mod absence;
pub mod application;
pub mod attendance;
pub mod decide;
pub mod document;
pub mod employee;
mod fields;
mod multipart;
pub mod project;
mod remote;
mod writers;

use std::collections::HashSet;
use std::sync::Arc;

use bridge_store::tables::{
    ABSENCE_PERIODS, ABSENCE_TYPES, ATTENDANCE_PERIODS, DOCUMENT_CATEGORIES, DOCUMENTS, EMPLOYEES,
    KeyType, PROJECTS, RECRUITING_APPLICATIONS, RECRUITING_JOBS,
};
use bridge_store::{
    Company, JournalEntry, JournalState, JournalStep, Key, NewWrite, RecordQuery, Store, Table,
    WriteThrough,
};
use chrono::Utc;
use parking_lot::Mutex;
use personio_client::Client;
use personio_client::endpoints::paths;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use absence::NewAbsence;
use application::NewApplication;
use attendance::{AttendanceChanges, NewAttendance};
use decide::{Action, Answer, Budget, Event, Found, Spent};
use document::NewDocument;
use employee::NewEmployee;
use project::ProjectFields;
use remote::{Fetched, Sent};

pub use fields::FieldError;
pub use writers::Writers;

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
    CreateAbsence(NewAbsence),
    DeleteAbsence {
        id: String,
    },
    CreateProject(ProjectFields),
    UpdateProject {
        id: String,
        changes: ProjectFields,
    },
    DeleteProject {
        id: String,
    },
    /// A new person with their employment (`employees` fields; custom attributes by label).
    CreateEmployee(NewEmployee),
    /// Changes to an employee: any of [`employee::EMPLOYEE_FIELDS`] but `email`, checked
    /// by [`Intent::update_employee`] (and again by [`Writer::check`]).
    UpdateEmployee {
        id: String,
        fields: serde_json::Map<String, Value>,
    },
    /// A document filed for an employee; the file travels beside the journal.
    UploadDocument(NewDocument),
    /// An application handed to Personio's recruiting API, attachments included.
    CreateApplication(NewApplication),
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
    /// An update of one employee: `fields` in the `employees` and `employments` field
    /// names (`{"position": "CTO"}`, `{"custom_attributes": {"Shirt size": "M"}}`),
    /// checked before anything is journalled.
    pub fn update_employee(
        id: impl Into<String>,
        fields: serde_json::Map<String, Value>,
    ) -> Result<Intent, FieldError> {
        let id = fields::id("id", Value::String(id.into()))?;
        if id.parse::<i64>().is_err() {
            return Err(FieldError::new("id", "is not an employee id (a number)"));
        }
        Ok(Intent::UpdateEmployee {
            id,
            fields: employee::checked(fields, false)?,
        })
    }

    /// The store table the written records live in.
    pub fn table(&self) -> &'static Table {
        match self {
            Intent::CreateAbsence(_) | Intent::DeleteAbsence { .. } => &ABSENCE_PERIODS,
            Intent::CreateProject(_)
            | Intent::UpdateProject { .. }
            | Intent::DeleteProject { .. } => &PROJECTS,
            Intent::CreateEmployee(_) | Intent::UpdateEmployee { .. } => &EMPLOYEES,
            Intent::UploadDocument(_) => &DOCUMENTS,
            Intent::CreateApplication(_) => &RECRUITING_APPLICATIONS,
            Intent::CreateAttendance(_)
            | Intent::UpdateAttendance { .. }
            | Intent::DeleteAttendance { .. } => &ATTENDANCE_PERIODS,
        }
    }

    /// The store's key of the record with Personio id `id`.
    pub fn record_key(&self, id: &str) -> Key {
        match self.table().key {
            KeyType::Int => id
                .trim()
                .parse()
                .map(Key::Int)
                .unwrap_or(Key::Text(id.to_owned())),
            KeyType::Text => Key::Text(id.to_owned()),
        }
    }

    /// Personio's endpoint for the record.
    pub(crate) fn personio_path(&self) -> &'static str {
        match self {
            Intent::CreateAbsence(_) | Intent::DeleteAbsence { .. } => paths::ABSENCE_PERIODS,
            Intent::CreateProject(_)
            | Intent::UpdateProject { .. }
            | Intent::DeleteProject { .. } => paths::PROJECTS,
            Intent::CreateEmployee(_) | Intent::UpdateEmployee { .. } => {
                personio_client::endpoints::EMPLOYEES_V1
            }
            Intent::UploadDocument(_) => paths::DOCUMENTS_V1,
            Intent::CreateApplication(_) => paths::RECRUITING_APPLICATIONS_V1,
            Intent::CreateAttendance(_)
            | Intent::UpdateAttendance { .. }
            | Intent::DeleteAttendance { .. } => paths::ATTENDANCE_PERIODS,
        }
    }

    /// Whether accepted writes of this kind are read back many at a time (by id filters
    /// of a v2 listing); the others are read back one by one.
    fn reads_back_in_batches(&self) -> bool {
        matches!(
            self,
            Intent::CreateAttendance(_)
                | Intent::UpdateAttendance { .. }
                | Intent::CreateAbsence(_)
                | Intent::CreateProject(_)
                | Intent::UpdateProject { .. }
        )
    }

    /// Personio's access area for the write, as its credential settings name it.
    pub fn area(&self) -> &'static str {
        match self {
            Intent::CreateAbsence(_) | Intent::DeleteAbsence { .. } => "Absences",
            Intent::CreateProject(_)
            | Intent::UpdateProject { .. }
            | Intent::DeleteProject { .. } => "Projects",
            Intent::CreateEmployee(_) | Intent::UpdateEmployee { .. } => "Employees",
            Intent::UploadDocument(_) => "Documents",
            Intent::CreateApplication(_) => "Recruiting",
            Intent::CreateAttendance(_)
            | Intent::UpdateAttendance { .. }
            | Intent::DeleteAttendance { .. } => "Attendances",
        }
    }

    pub fn operation(&self) -> Operation {
        match self {
            Intent::CreateAttendance(_)
            | Intent::CreateAbsence(_)
            | Intent::CreateProject(_)
            | Intent::CreateEmployee(_)
            | Intent::UploadDocument(_)
            | Intent::CreateApplication(_) => Operation::Create,
            Intent::UpdateAttendance { .. }
            | Intent::UpdateProject { .. }
            | Intent::UpdateEmployee { .. } => Operation::Update,
            Intent::DeleteAttendance { .. }
            | Intent::DeleteAbsence { .. }
            | Intent::DeleteProject { .. } => Operation::Delete,
        }
    }

    /// The record's id, when the write names one.
    pub fn target(&self) -> Option<&str> {
        match self {
            Intent::CreateAttendance(_)
            | Intent::CreateAbsence(_)
            | Intent::CreateProject(_)
            | Intent::CreateEmployee(_)
            | Intent::UploadDocument(_)
            | Intent::CreateApplication(_) => None,
            Intent::UpdateAttendance { id, .. }
            | Intent::DeleteAttendance { id }
            | Intent::DeleteAbsence { id }
            | Intent::UpdateProject { id, .. }
            | Intent::DeleteProject { id }
            | Intent::UpdateEmployee { id, .. } => Some(id),
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
pub const WRITABLE: &[&str] = &[
    "attendance_periods",
    "absence_periods",
    "projects",
    "employees",
];

/// The intent of one bulk line: a create body, an update body with its `id`, or `{"id"}`
/// to delete, in the resource's field names.
pub fn intent_of_line(
    resource: &str,
    operation: Operation,
    line: Value,
) -> Result<Intent, FieldError> {
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
    let only_id = |line: &mut serde_json::Map<String, Value>| {
        let id = id(line)?;
        match line.keys().next() {
            Some(field) => Err(FieldError::new(field.clone(), "a delete takes only the id")),
            None => Ok(id),
        }
    };
    let unsupported = || {
        FieldError::new(
            "",
            format!(
                "{resource} cannot be {} through the bridge",
                operation.done()
            ),
        )
    };
    Ok(match (resource, operation) {
        ("attendance_periods", Operation::Create) => {
            Intent::CreateAttendance(NewAttendance::from_json(Value::Object(line))?)
        }
        ("attendance_periods", Operation::Update) => {
            let id = id(&mut line)?;
            Intent::UpdateAttendance {
                id,
                changes: AttendanceChanges::from_json(Value::Object(line))?,
            }
        }
        ("attendance_periods", Operation::Delete) => Intent::DeleteAttendance {
            id: only_id(&mut line)?,
        },
        ("absence_periods", Operation::Create) => {
            Intent::CreateAbsence(NewAbsence::from_json(Value::Object(line))?)
        }
        ("absence_periods", Operation::Delete) => Intent::DeleteAbsence {
            id: only_id(&mut line)?,
        },
        ("projects", Operation::Create) => {
            Intent::CreateProject(ProjectFields::from_json(Value::Object(line), true)?)
        }
        ("projects", Operation::Update) => {
            let id = id(&mut line)?;
            Intent::UpdateProject {
                id,
                changes: ProjectFields::from_json(Value::Object(line), false)?,
            }
        }
        ("projects", Operation::Delete) => Intent::DeleteProject {
            id: only_id(&mut line)?,
        },
        ("employees", Operation::Create) => {
            Intent::CreateEmployee(NewEmployee::from_json(Value::Object(line))?)
        }
        ("employees", Operation::Update) => {
            let id = id(&mut line)?;
            Intent::update_employee(id, line)?
        }
        _ => return Err(unsupported()),
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

/// Records read back per request after a bulk of accepted writes: 40 UUIDs keep the URL
/// under 2,000 characters (long URLs are refused, personio-api.md §6 #25).
pub const READ_BACK_BATCH: usize = 40;

/// Where a deferred write stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Done(Written),
    /// Personio took it; [`Writer::store_accepted`] stores it.
    Accepted {
        id: String,
    },
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

    /// [`Writer::check`], for a key not journalled yet: a key seen before answers its first
    /// outcome whatever the store holds now.
    pub async fn check_new(&self, key: &str, intent: &Intent) -> Result<(), WriteError> {
        if self
            .store
            .journal_entry(self.company.id, key)
            .await?
            .is_some()
        {
            return Ok(());
        }
        self.check(intent).await
    }

    /// Checks what only the store (or, for labels of custom attributes, Personio's
    /// attribute list) can tell before anything is journalled: the employee, absence type,
    /// document category and job exist (when their table has been synced at all).
    pub async fn check(&self, intent: &Intent) -> Result<(), WriteError> {
        let employee = match intent {
            Intent::CreateAttendance(new) => Some(("employee_id", new.employee_id)),
            Intent::CreateAbsence(new) => Some(("employee_id", new.employee_id)),
            Intent::UploadDocument(new) => Some(("employee_id", new.employee_id)),
            Intent::UpdateEmployee { id, .. } => id.parse().ok().map(|id| ("id", id)),
            _ => None,
        };
        if let Some((field, employee)) = employee
            && !self.known(&EMPLOYEES, Key::Int(employee)).await?
        {
            return Err(FieldError::new(
                field,
                format!(
                    "no employee {employee} in company {} (sync employees first if they are new)",
                    self.company.name
                ),
            )
            .into());
        }
        if let Intent::CreateAbsence(new) = intent
            && !self
                .known(&ABSENCE_TYPES, Key::Text(new.absence_type_id.clone()))
                .await?
        {
            return Err(FieldError::new(
                "absence_type_id",
                format!(
                    "no absence type {} in company {} (see the company's absence_types)",
                    new.absence_type_id, self.company.name
                ),
            )
            .into());
        }
        if let Intent::UploadDocument(new) = intent
            && !self
                .known(&DOCUMENT_CATEGORIES, Key::Int(new.category_id))
                .await?
        {
            return Err(FieldError::new(
                "category_id",
                format!(
                    "no document category {} in company {} (see the company's document_categories)",
                    new.category_id, self.company.name
                ),
            )
            .into());
        }
        if let Intent::CreateApplication(new) = intent
            && !self
                .known(&RECRUITING_JOBS, Key::Text(new.job_id.to_string()))
                .await?
        {
            return Err(FieldError::new(
                "job_id",
                format!(
                    "no job {} in company {} (see the company's recruiting_jobs)",
                    new.job_id, self.company.name
                ),
            )
            .into());
        }
        let fields = match intent {
            Intent::CreateEmployee(new) => Some(&new.fields),
            Intent::UpdateEmployee { fields, .. } => {
                // Intents built by hand are checked as a body would be.
                employee::checked(fields.clone(), false)?;
                Some(fields)
            }
            _ => None,
        };
        if let Some(fields) = fields {
            if let Some(Some(supervisor)) = fields.get("supervisor_id").map(Value::as_i64)
                && !self.known(&EMPLOYEES, Key::Int(supervisor)).await?
            {
                return Err(FieldError::new(
                    "supervisor_id",
                    format!("no employee {supervisor} in company {}", self.company.name),
                )
                .into());
            }
            // Labels are checked against Personio's own list; when it cannot be read now,
            // the send reads it again.
            if fields.contains_key("custom_attributes")
                && let Ok(definitions) = self.client.employee_attributes().await
                && let Some(field) = employee::unknown_attribute(fields, &definitions)
            {
                return Err(FieldError::new(
                    field,
                    "is not a custom attribute this credential may read in Personio (see GET /v1/company/employees/attributes)",
                )
                .into());
            }
        }
        Ok(())
    }

    /// Whether the store has `key` in `table`, or has never synced the table (then Personio
    /// is the judge).
    async fn known(&self, table: &'static Table, key: Key) -> Result<bool, WriteError> {
        let query = |keys| RecordQuery {
            keys,
            limit: 1,
            ..RecordQuery::default()
        };
        if !self
            .store
            .browse(self.company.id, table, &query(Some(vec![key])))
            .await?
            .is_empty()
        {
            return Ok(true);
        }
        let any = self
            .store
            .browse(self.company.id, table, &query(None))
            .await?;
        Ok(any.is_empty())
    }

    /// Writes `intent` under `key` for `caller` (who asked: `key:<name>`, `mcp:<key name>`,
    /// `cli:<user>`; the actor of the write's audit entry, so a name and never a secret),
    /// exactly once: a key seen before answers its first outcome (or finishes its write), a
    /// key reused with another intent is refused.
    pub async fn write(
        &self,
        caller: &str,
        key: &str,
        intent: &Intent,
    ) -> Result<Written, WriteError> {
        let entry = self.journal(caller, key, intent).await?;
        match self.drive(entry, intent, false).await? {
            Progress::Done(written) => Ok(written),
            // Not deferred: never here.
            Progress::Accepted { .. } => Err(WriteError::Unfinished("not stored yet".into())),
        }
    }

    /// Like [`Writer::write`], but a write Personio accepted is left `accepted` instead of
    /// being read back at once: [`Writer::store_accepted`] reads many back in one request
    /// (a bulk file costs about one request a line, not two).
    pub async fn write_deferred(
        &self,
        caller: &str,
        key: &str,
        intent: &Intent,
    ) -> Result<Progress, WriteError> {
        let entry = self.journal(caller, key, intent).await?;
        self.drive(entry, intent, true).await
    }

    /// Reads back the records of accepted writes of one resource (at most
    /// [`READ_BACK_BATCH`] a request) and stores each with its outcome.
    pub async fn store_accepted(
        &self,
        accepted: &[(String, Intent, String)],
    ) -> Vec<Result<Written, WriteError>> {
        let mut results = Vec::with_capacity(accepted.len());
        for batch in accepted.chunks(READ_BACK_BATCH) {
            let ids: Vec<&str> = batch.iter().map(|(_, _, id)| id.as_str()).collect();
            let fetched = match batch.first() {
                Some((_, intent, _)) => remote::fetch_many(&self.client, intent, &ids).await,
                None => Ok(Default::default()),
            };
            let mut fetched = match fetched {
                Ok(fetched) => fetched,
                Err(why) => {
                    results.extend(batch.iter().map(|_| {
                        Err(WriteError::Unfinished(format!(
                            "reading the written records: {why}"
                        )))
                    }));
                    continue;
                }
            };
            for (key, intent, id) in batch {
                let stored = async {
                    let entry = self
                        .store
                        .journal_entry(self.company.id, key)
                        .await?
                        .ok_or_else(|| WriteError::Unreadable(format!("no journal entry {key}")))?;
                    let _busy = self.hold(key)?;
                    // Gone again meanwhile: nothing to store, as the next sync would find.
                    let found = fetched.remove(id).or(Some(Fetched::Gone(id.clone())));
                    self.store_through(&entry, intent, found).await
                };
                results.push(stored.await);
            }
        }
        results
    }

    /// Journals the intent (or finds the key's entry), refusing a key reused with another.
    async fn journal(
        &self,
        caller: &str,
        key: &str,
        intent: &Intent,
    ) -> Result<JournalEntry, WriteError> {
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
                    requested_by: caller.to_owned(),
                },
                Utc::now(),
            )
            .await?;
        if entry.request_hash != intent.digest() {
            return Err(WriteError::KeyReused);
        }
        Ok(entry)
    }

    /// Finishes every unfinished entry of the company (after a crash): each is resolved by
    /// reading Personio before anything is sent again. Returns each key with its result.
    pub async fn recover(&self) -> Result<Vec<(String, Result<Written, WriteError>)>, WriteError> {
        let mut results = Vec::new();
        for entry in self.store.journal_open(Some(self.company.id)).await? {
            let key = entry.key.clone();
            let result = match serde_json::from_str::<Intent>(&entry.request) {
                Ok(intent) => match self.drive(entry, &intent, false).await {
                    Ok(Progress::Done(written)) => Ok(written),
                    Ok(Progress::Accepted { .. }) => {
                        Err(WriteError::Unfinished("not stored yet".into()))
                    }
                    Err(error) => Err(error),
                },
                Err(e) => Err(WriteError::Unreadable(format!(
                    "journal entry {key} holds no write this version knows: {e}"
                ))),
            };
            results.push((key, result));
        }
        Ok(results)
    }

    /// Carries an entry from its state to a final one, or as far as the budget goes.
    async fn drive(
        &self,
        mut entry: JournalEntry,
        intent: &Intent,
        defer: bool,
    ) -> Result<Progress, WriteError> {
        let _busy = self.hold(&entry.key)?;
        let mut spent = Spent::default();
        let mut last = String::new();
        // The record found by a resolving read (or its id from Personio's answer).
        let mut found: Option<Fetched> = None;
        loop {
            match decide::next(entry.state, spent, BUDGET) {
                Action::Replay => return replay(&entry).map(Progress::Done),
                Action::Stop => return Err(WriteError::Unfinished(last)),
                Action::Store => {
                    let id = entry.target_id.clone();
                    if let (true, None, Some(id), false, true) = (
                        defer,
                        &found,
                        id,
                        intent.operation() == Operation::Delete,
                        intent.reads_back_in_batches(),
                    ) {
                        return Ok(Progress::Accepted { id });
                    }
                    return self
                        .store_through(&entry, intent, found.take())
                        .await
                        .map(Progress::Done);
                }
                Action::Send => {
                    self.step(&entry, JournalState::Sending, None, None, true, false)
                        .await?;
                    spent.sends += 1;
                    let (event, id, refusal) = match remote::send(&self.client, intent).await {
                        Sent::Accepted(id) => (Event::Sent(Answer::Accepted), id, None),
                        Sent::Refused(refusal)
                            if intent.operation() == Operation::Create
                                && entry.sends + i64::from(spent.sends) > 1 =>
                        {
                            // An earlier send may have landed after the read that found
                            // nothing, and Personio now refuses this one as overlapping it:
                            // look once more before calling the write refused.
                            spent.reads += 1;
                            match remote::resolve(&self.client, intent).await {
                                Ok((Found::Applied, Some(record))) => {
                                    let id = record.id().to_owned();
                                    found = Some(record);
                                    (Event::Read(Found::Applied), Some(id), None)
                                }
                                // Personio refuses a second application of an email to a
                                // job: the earlier send landed.
                                _ if let Intent::CreateApplication(new) = intent
                                    && refusal.code.as_deref()
                                        == Some(application::ALREADY_APPLIED) =>
                                {
                                    (Event::Read(Found::Applied), Some(new.natural_id()), None)
                                }
                                _ => (Event::Sent(Answer::Refused), None, Some(refusal)),
                            }
                        }
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
                    let (found_now, record) = match remote::resolve(&self.client, intent).await {
                        Ok((found, record)) => (found, record),
                        Err(why) => {
                            last = why;
                            (Found::Failed, None)
                        }
                    };
                    let state = decide::after(Event::Read(found_now));
                    let id = record.as_ref().map(|r| r.id().to_owned());
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

    /// Stores what Personio now holds and finishes the entry (write-through).
    async fn store_through(
        &self,
        entry: &JournalEntry,
        intent: &Intent,
        found: Option<Fetched>,
    ) -> Result<Written, WriteError> {
        let operation = intent.operation();
        let mut id = entry
            .target_id
            .clone()
            .or_else(|| found.as_ref().map(|f| f.id().to_owned()))
            .ok_or_else(|| {
                WriteError::Unreadable("Personio accepted the write without an id".into())
            })?;
        let mut rows = Vec::new();
        let mut deleted = Vec::new();
        if operation == Operation::Delete {
            deleted.push(intent.record_key(&id));
        } else {
            let fetched = match found {
                // A create's record found by a read is the record, whatever id its answer gave.
                Some(fetched) if fetched.id() == id || operation == Operation::Create => {
                    Some(fetched)
                }
                _ => remote::fetch(&self.client, intent, &id)
                    .await
                    .map_err(|why| {
                        WriteError::Unfinished(format!("reading the written record: {why}"))
                    })?,
            };
            // A record deleted again meanwhile leaves nothing to store; the next sync agrees.
            if let Some(Fetched::Record { row, id: stored }) = fetched {
                // Uploads and applications are known under another id once read back.
                if operation == Operation::Create {
                    id = stored;
                }
                rows.push(row);
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
