//! Personio Bridge's database: companies with encrypted credentials, the synced records in a
//! normalized schema (with Personio's JSON kept verbatim), sync runs, and per-resource
//! checkpoints, on SQLite (the default) or PostgreSQL.
//!
//! The sync engine hands the store a whole page and the checkpoint that follows it;
//! [`Store::apply_page`] writes both in one transaction, so a crash never loses or doubles a
//! record. Schema: `migrations/<dialect>/`, one folder per dialect, run on open.
//!
//! ```no_run
//! # async fn demo() -> Result<(), bridge_store::Error> {
//! use bridge_store::{Location, OpenOptions, Store};
//!
//! let store = Store::open(&Location::parse("bridge.db")?, OpenOptions::default()).await?;
//! for company in store.companies().await? {
//!     println!("{} ({})", company.name, company.base_url);
//! }
//! # Ok(()) }
//! ```

// The modules import one way, each only from those above it in this list:
// - `error`, `value`, `tables`, `row`, `secrets`, `location`: types, no SQL;
// - `sql` (placeholders, binding, reading back) and `keys`;
// - `store` (opening, the pools), `companies`, `settings` (per-company sync settings) and
//   `connections` (connection health and its events);
// - the tables' readers and writers: `access`, `link_sessions`, `inbound`, `runs`, `jobs`, `checkpoints`,
//   `changes` (change types and index), `derived`, `outbox`, `reads`, `browse`, `json_pages`, `export`,
//   `questions` (answers shaped for the MCP tools);
// - `records`, the page write, which uses `changes`, `checkpoints` and `derived`;
// - `journal`, the write journal, whose write-through stores records with `records`;
// - `audit` (the audit log) is written by the modules that do what it records: `journal`,
//   `erasure` (one person out of the store, tombstones; `records` skips the erased),
//   `retention` (purging what a company keeps past its period) and `rotation` (a new key).
mod access;
mod audit;
mod browse;
mod changes;
mod checkpoints;
mod companies;
mod connections;
mod derived;
mod erasure;
mod error;
mod export;
mod footprint;
mod inbound;
mod jobs;
mod journal;
mod json_pages;
mod keys;
mod link_sessions;
mod location;
mod outbox;
pub mod questions;
mod reads;
mod recent;
mod records;
mod retention;
mod rotation;
mod row;
mod runs;
pub mod secrets;
mod settings;
mod sql;
mod store;
pub mod tables;
mod value;

pub use access::{API_KEY_PREFIX, AdminSession, ApiKey, Grant, Scope, random_token};
pub use audit::{AuditEntry, AuditEvent, AuditQuery, action as audit_action};
pub use browse::{RecordQuery, StoredRecord};
pub use changes::{Change, ChangeKind};
pub use checkpoints::{Checkpoint, Listing, ListingKind};
pub use companies::{Company, CompanyId, Credentials, Filters, NewCompany};
pub use connections::{
    CONNECTION_BROKEN, CONNECTION_EVENTS, CONNECTION_LINKED, CONNECTION_RELINKED, Connection,
    ConnectionStatus,
};
pub use erasure::{Erasure, Tombstone};
pub use error::{Error, Result};
pub use export::{EmployeeRecord, Record};
pub use footprint::Footprint;
pub use inbound::PersonioWebhook;
pub use jobs::{Claim, Job};
pub use journal::{JournalEntry, JournalState, JournalStep, NewWrite, WriteThrough};
pub use json_pages::{
    BOOKKEEPING_FIELDS, DaySpan, EMPLOYEE_CHILDREN, FilterValues, Filterable, JsonRecord,
    PageQuery, day_span_of, fields_of, filters_of, is_json_column,
};
pub use keys::{KEY_ENV, KeySource};
pub use link_sessions::{LinkAccess, LinkSession, LinkStatus, NewLinkSession};
pub use location::{Location, redact};
pub use outbox::{
    ClaimedDelivery, DeliveryLog, EVENT_KINDS, EVENT_LIFETIME, Event, NewSubscription,
    Subscription, event_type, event_types, resource_name,
};
pub use reads::TableCount;
pub use records::{Applied, Derived, ListingEnd, PageWrite, Window};
pub use retention::{Purge, SWEEP_ACTOR};
pub use rotation::{Rotation, key_fingerprint};
pub use row::{Row, RowBuilder, RowError};
pub use runs::{Outcome, Run, RunId, RunMode};
pub use settings::{
    APIS, CompanySettings, DEFAULT_FULL_RECONCILE_DAYS, FULL_RECONCILE_DAYS, RETENTION_DAYS,
    SYNC_INTERVAL_MINUTES,
};
pub use store::{OpenOptions, Store};
pub use tables::Table;
pub use value::{Key, Value, timestamp};
