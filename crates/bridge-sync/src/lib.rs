//! The sync engine. For one company it plans how to read each resource (resume an unfinished
//! listing, a full listing, or an incremental one from the watermark with an overlap), streams
//! the pages from Personio, maps them to rows, and hands each page and the checkpoint after it
//! to the store in one transaction. In ten lines:
//!
//! ```text
//! for resource in plan(options):                    // employees first: they define the filters' scope
//!     step = plan::decide(resource, checkpoint)     // resume | full | incremental (+ reconcile)
//!     for page in client.pages(resource.listing(step), resume_token):
//!         rows = resource.map(page, filters)        // wire → rows; out-of-filter → "leaving"
//!         store.apply_page(rows, checkpoint_after(page))   // atomic: nothing lost, nothing twice
//!     if step is complete: store.finish_listing()   // unseen → deleted; watermark advances
//! ```
//!
//! Progress goes out as [`Progress`] events; the caller renders them.

mod context;
pub mod cost;
pub mod doctor;
mod engine;
mod error;
mod filter;
pub mod health;
pub mod link;
pub mod personio_webhooks;
mod plan;
pub mod progress;
mod resources;
pub mod scheduler;
mod summary;
mod sweep;
pub mod write;

pub use engine::{ApiChoice, SyncEngine, SyncOptions};
pub use error::Error;
pub use filter::EmployeeFacts;
pub use plan::{Step, StepKind};
pub use progress::Progress;
pub use resources::ResourceName;
pub use summary::{Modes, ResourceSummary, Summary};
