//! One [`Resource`]: its planned listing (full, incremental or resumed), read page by page
//! into the store in batches, each with the checkpoint after it; then the listing's end
//! (deletions, watermark) and a reconciliation when one is due.

use bridge_store::{Checkpoint, Listing, ListingEnd, ListingKind, PageWrite};
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use personio_client::{Page, PageToken};

use super::Syncing;
use super::slices::{self, Slices};
use crate::error::Error;
use crate::plan::{self, Step, StepKind};
use crate::progress::Progress;
use crate::resources::{self, Mapped, Paging, Resource, Slicing};
use crate::summary::ResourceSummary;

/// Rows gathered before they are written: one transaction per batch of pages, not per page
/// (each commit rewrites every index page it touched), while a crash still resumes after the
/// last stored batch. Wide records (an employee with every attribute is several KB) fill a
/// batch by size first, which keeps memory flat whatever the company's size.
const BATCH_ROWS: usize = 2_000;
const BATCH_BYTES: usize = 2 << 20;

/// The page token of a listing that is owed but not yet begun.
const NOT_STARTED: &str = "not_started";

impl Syncing<'_> {
    /// One resource: its planned listing, then a reconciliation when one is due.
    pub(crate) async fn listing<R: Resource>(
        &self,
        resource: &R,
    ) -> Result<ResourceSummary, Error> {
        let checkpoint = self.checkpoint(&resource.checkpoint_name()).await?;
        let step = self.plan(resource, checkpoint.as_ref());
        let (mut summary, finished) = self.read(resource, &step, checkpoint).await?;
        // A reconciliation the incremental listing made due is in its checkpoint, saved with
        // the listing's end (a crash before it runs leaves it to the next sync).
        if step.kind == StepKind::Incremental
            && let Some(owed) = finished.listing.clone()
        {
            let reconcile = Step {
                kind: StepKind::Reconcile,
                since: finished.watermark,
                resume: Some(owed),
            };
            let (reconciled, _) = self.read(resource, &reconcile, Some(finished)).await?;
            summary.add(&reconciled);
        }
        Ok(summary)
    }

    /// How to read `resource` now, from its checkpoint.
    fn plan<R: Resource>(&self, resource: &R, checkpoint: Option<&Checkpoint>) -> Step {
        let full = Step {
            kind: StepKind::Full,
            since: None,
            resume: None,
        };
        let overlap = match resource.listing(&full).paging {
            Paging::V1 { .. } => self.options.overlap_v1,
            Paging::V2 => self.options.overlap_v2,
        };
        let step = plan::decide(
            checkpoint,
            resource.has_change_feed(),
            self.options.full,
            overlap,
        );
        // What the change feed may miss is caught by re-reading everything on the
        // reconciliation's schedule, where ids alone cannot show it.
        let reread = step.kind == StepKind::Incremental
            && resource.rereads_on_schedule()
            && plan::reconcile_due(
                checkpoint,
                self.options.reconcile,
                false,
                self.options.reconcile_every,
                Utc::now(),
            );
        if reread { full } else { step }
    }

    /// Reads one listing page by page, storing each batch with the checkpoint after it, then
    /// finishes it. Returns what it read and the checkpoint it finished with.
    async fn read<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        previous: Option<Checkpoint>,
    ) -> Result<(ResourceSummary, Checkpoint), Error> {
        let base = previous.unwrap_or_else(|| Checkpoint {
            resource: resource.checkpoint_name(),
            ..Default::default()
        });
        // An owed listing not yet begun starts now, from the first page.
        let resume = step
            .resume
            .clone()
            .filter(|l| l.next != serde_json::json!(NOT_STARTED));
        // A resumed listing whose last page was stored only needs finishing.
        let pages_done = resume.as_ref().is_some_and(|l| l.next.is_null());
        self.emit(Progress::ListingStarted {
            resource: resource.checkpoint_name(),
            mode: step.kind,
            resumed: resume.is_some(),
        });
        let start = resume
            .as_ref()
            .and_then(|l| serde_json::from_value(l.next.clone()).ok());
        let resumed = resume.is_some();
        let mut listing = resume.unwrap_or_else(|| Listing {
            kind: step.kind.listing(),
            started_at: Utc::now(),
            next: serde_json::Value::Null,
            max_seen: None,
            params: serde_json::json!({ "since": step.since.map(|s| s.to_rfc3339()) }),
            changed: false,
        });
        let mut summary = ResourceSummary {
            mode: step.kind.into(),
            ..Default::default()
        };
        let sliced = match resource.slicing().filter(|_| step.kind == StepKind::Full) {
            None => None,
            Some(slicing) if resumed => {
                Slices::of(&listing.next).map(|slices| (slicing, slices, 0))
            }
            Some(slicing) => self.slice(resource, step, &slicing).await?,
        };
        if let Some((slicing, slices, probes)) = sliced {
            listing.next = slices.to_value();
            let current = Checkpoint {
                listing: Some(listing.clone()),
                ..base.clone()
            };
            let (stored, requests) = self
                .store_slices(resource, step, &slicing, slices, &current, &mut summary)
                .await?;
            listing.max_seen = stored;
            summary.min_requests = requests + probes;
        } else {
            if !pages_done {
                let current = Checkpoint {
                    listing: Some(listing.clone()),
                    ..base.clone()
                };
                let pages = self.pages(resource, step, start, Vec::new());
                let stored = self
                    .store_pages(resource, step, pages, &current, &mut summary)
                    .await?;
                listing.max_seen = stored;
            }
            summary.min_requests = min_requests(resource, step, summary.fetched);
        }
        listing.changed |= summary.changed();
        let (deleted, finished) = self.finish(resource, step, base, &listing).await?;
        summary.deleted += deleted;
        tracing::debug!(
            resource = %resource.checkpoint_name(),
            mode = step.kind.as_str(),
            "listing finished"
        );
        Ok((summary, finished))
    }

    /// The listing's pages from Personio, from `start` on, with what their items need.
    fn pages<'s, R: Resource>(
        &'s self,
        resource: &'s R,
        step: &'s Step,
        start: Option<PageToken>,
        window: Vec<(String, String)>,
    ) -> BoxStream<'s, Result<Page<R::Item>, Error>> {
        let mut plan = resource.listing(step);
        plan.query.extend(window);
        let client = self.client();
        match plan.paging {
            Paging::V1 { limit, offset_kind } => client
                .pages_v1::<R::Item>(&plan.path, plan.query, limit, offset_kind, start)
                .boxed(),
            Paging::V2 => client
                .pages_v2::<R::Item>(&plan.path, plan.query, start)
                .boxed(),
        }
        .map_err(Error::from)
        .and_then(|page| resource.enrich(client, step, page))
        .boxed()
    }

    /// Ends a listing: the finished checkpoint (with a reconciliation it makes due), and for
    /// full and reconciling listings the deletion of what they did not see. Returns how
    /// many records were deleted, and the checkpoint written.
    async fn finish<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        base: Checkpoint,
        listing: &Listing,
    ) -> Result<(u64, Checkpoint), Error> {
        let now = Utc::now();
        let started_at = listing.started_at;
        let watermark = match step.kind {
            StepKind::Full => listing.max_seen.or(base.watermark),
            StepKind::Incremental => resources::later(base.watermark, listing.max_seen),
            StepKind::Reconcile => base.watermark,
        };
        // Ids are reconciled after an incremental listing when due (deletions rarely come
        // alone, so a change makes it due). It is owed from here on: recorded as a listing
        // not yet begun in the same write as this one's end.
        let owed = (step.kind == StepKind::Incremental
            && plan::reconcile_due(
                Some(&base),
                self.options.reconcile,
                listing.changed,
                self.options.reconcile_every,
                now,
            ))
        .then(|| Listing {
            kind: ListingKind::Reconcile,
            started_at: now,
            next: serde_json::json!(NOT_STARTED),
            max_seen: None,
            // Windows of reconciliation end at Personio's latest change we know of, so a
            // Personio clock behind ours (or a quiet company) never shrinks them.
            params: serde_json::json!({ "since": watermark.map(|s| s.to_rfc3339()) }),
            changed: false,
        });
        let finished = Checkpoint {
            listing: owed,
            watermark,
            last_full_at: if step.kind == StepKind::Full {
                Some(started_at)
            } else {
                base.last_full_at
            },
            last_reconciled_at: if step.kind == StepKind::Reconcile {
                Some(started_at)
            } else {
                base.last_reconciled_at
            },
            ..base
        };
        if step.kind == StepKind::Incremental {
            self.store()
                .save_checkpoint(self.company(), &finished, now)
                .await?;
            return Ok((0, finished));
        }
        let deleted = self
            .store()
            .finish_listing(ListingEnd {
                company: self.company(),
                table: resource.table(),
                started_at,
                scope: if step.kind == StepKind::Reconcile {
                    resource.reconcile_scope(step)
                } else {
                    resource.scope()
                },
                derived: resource.derived_tables(),
                checkpoint: finished.clone(),
                now,
            })
            .await?;
        Ok((deleted.len() as u64, finished))
    }

    /// Fetches the pages of a listing and stores them in batches, each batch with the
    /// checkpoint after its last page (`current` holds the listing as stored so far).
    /// Fetching goes on while a batch is written. Returns the greatest Personio change time
    /// seen.
    async fn store_pages<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        pages: BoxStream<'_, Result<Page<R::Item>, Error>>,
        current: &Checkpoint,
        summary: &mut ResourceSummary,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let so_far = current
            .listing
            .as_ref()
            .map(|l| l.max_seen)
            .unwrap_or_default();
        let (sender, batches) = tokio::sync::mpsc::channel::<Batch>(1);
        let produce = self.batches(resource, step, pages, so_far, sender, 0);
        let consume = self.write_batches(resource, batches, current, summary, None);
        let (produced, consumed) = futures::join!(produce, consume);
        consumed?;
        produced
    }

    /// Maps pages into batches and hands each over when it is full or the listing ends.
    async fn batches<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        mut pages: BoxStream<'_, Result<Page<R::Item>, Error>>,
        mut max_seen: Option<DateTime<Utc>>,
        sender: tokio::sync::mpsc::Sender<Batch>,
        slice: usize,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let mut batch = Batch::default();
        while let Some(page) = pages.try_next().await? {
            batch.slice = slice;
            batch.pages += 1;
            batch.fetched += page.items.len() as u64;
            let last = page.next.is_none();
            batch.next = page
                .next
                .map(|t| serde_json::to_value(t).expect("page tokens serialize"))
                .unwrap_or(serde_json::Value::Null);
            let mapped = resource.map(step, page.items, self.ctx)?;
            max_seen = resources::later(max_seen, mapped.max_updated);
            batch.max_seen = max_seen;
            batch.absorb(mapped);
            if (last || batch.mapped.rows.len() >= BATCH_ROWS || batch.bytes >= BATCH_BYTES)
                && sender.send(std::mem::take(&mut batch)).await.is_err()
            {
                // The writer stopped; its error is the one reported.
                return Ok(max_seen);
            }
        }
        if batch.pages > 0 {
            let _ = sender.send(batch).await;
        }
        Ok(max_seen)
    }

    /// Writes each batch with the checkpoint after it, in one transaction.
    async fn write_batches<R: Resource>(
        &self,
        resource: &R,
        mut batches: tokio::sync::mpsc::Receiver<Batch>,
        current: &Checkpoint,
        summary: &mut ResourceSummary,
        mut sliced: Option<&mut SlicesRead>,
    ) -> Result<(), Error> {
        while let Some(batch) = batches.recv().await {
            summary.fetched += batch.fetched;
            // A sliced listing's checkpoint holds where every window stands, and the
            // greatest change time of them all.
            let (next, max_seen) = match sliced.as_deref_mut() {
                None => (batch.next, batch.max_seen),
                Some(read) => {
                    read.fetched[batch.slice] += batch.fetched;
                    read.slices.slices[batch.slice].next = batch.next;
                    read.max_seen = resources::later(read.max_seen, batch.max_seen);
                    (read.slices.to_value(), read.max_seen)
                }
            };
            let listing = current.listing.clone().map(|so_far| Listing {
                next,
                max_seen,
                // The store adds whether this batch changes anything.
                changed: so_far.changed || summary.changed(),
                ..so_far
            });
            let applied = self
                .store()
                .apply_page(PageWrite {
                    company: self.company(),
                    table: resource.table(),
                    rows: batch.mapped.rows,
                    leaving: batch.mapped.leaving,
                    seen: batch.mapped.seen,
                    derived: batch.mapped.derived,
                    checkpoint: Checkpoint {
                        listing,
                        ..current.clone()
                    },
                    now: Utc::now(),
                })
                .await?;
            summary.created += applied.created;
            summary.updated += applied.updated;
            summary.unchanged += applied.unchanged;
            summary.left_filter += applied.left_filter;
            tracing::debug!(
                resource = %resource.checkpoint_name(),
                rows = applied.created + applied.updated + applied.unchanged,
                "batch stored"
            );
            self.emit(Progress::PageStored {
                resource: resource.checkpoint_name(),
                fetched: summary.fetched,
                created: summary.created,
                updated: summary.updated,
            });
        }
        Ok(())
    }
}

impl Syncing<'_> {
    /// The windows to read a full listing in, when reading several at once is worth it:
    /// answers that take a while and a bucket that allows more than one request per round
    /// trip. Finds the first and last record's day (two requests), then cuts the days in
    /// between. Returns the windows and the requests spent finding them.
    async fn slice<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        slicing: &Slicing,
    ) -> Result<Option<(Slicing, Slices, u64)>, Error> {
        let path = resource.listing(step).path;
        if self.readers(&path) <= 1 {
            return Ok(None);
        }
        let (Some(first), Some(last)) = (
            self.edge(&path, slicing, slicing.sort.to_owned()).await?,
            self.edge(&path, slicing, format!("-{}", slicing.sort))
                .await?,
        ) else {
            // Nothing to read, or a record without the field: one listing reads it.
            return Ok(None);
        };
        let readers = self.readers(&path);
        if readers <= 1 {
            return Ok(None);
        }
        let slices = Slices::between(first, last, Slices::windows_for(readers));
        tracing::debug!(
            path,
            readers,
            windows = slices.slices.len(),
            "listing read in slices"
        );
        Ok(Some((*slicing, slices, 2)))
    }

    /// How many windows to read at once on `path`'s bucket.
    fn readers(&self, path: &str) -> usize {
        let most = slices::MOST_AT_ONCE.min(self.client().max_concurrency());
        match self.options.slices {
            Some(n) => n.clamp(1, slices::MOST_AT_ONCE),
            None => self.client().pace(path).in_flight(most),
        }
    }

    /// The day of the first record in `sort` order.
    async fn edge(
        &self,
        path: &str,
        slicing: &Slicing,
        sort: String,
    ) -> Result<Option<chrono::NaiveDate>, Error> {
        let page: serde_json::Value = self
            .client()
            .get(path, &[("limit", "1".to_owned()), ("sort", sort)])
            .await?;
        Ok(page
            .pointer("/_data/0")
            .and_then(|record| slices::day_of(record, slicing.pointer)))
    }

    /// Reads the unfinished windows of a sliced listing, as many at once as the bucket's
    /// pace calls for, storing their batches one at a time, each with where every window
    /// stands. Returns the greatest change time seen and the fewest requests the windows
    /// could have been read with.
    async fn store_slices<R: Resource>(
        &self,
        resource: &R,
        step: &Step,
        slicing: &Slicing,
        slices: Slices,
        current: &Checkpoint,
        summary: &mut ResourceSummary,
    ) -> Result<(Option<DateTime<Utc>>, u64), Error> {
        let path = resource.listing(step).path;
        let readers = self.readers(&path).max(1);
        let mut read = SlicesRead {
            fetched: vec![0; slices.slices.len()],
            max_seen: current.listing.as_ref().and_then(|l| l.max_seen),
            slices,
        };
        let pending: Vec<Window> = read
            .slices
            .slices
            .iter()
            .enumerate()
            .filter(|(_, slice)| !slice.done())
            .map(|(i, slice)| (i, slice.query(slicing), slice.start()))
            .collect();
        let (sender, batches) = tokio::sync::mpsc::channel::<Batch>(1);
        let produce = async move {
            let sender = sender;
            futures::stream::iter(pending)
                .map(|(i, window, start)| {
                    let sender = sender.clone();
                    async move {
                        let pages = self.pages(resource, step, start, window);
                        self.batches(resource, step, pages, None, sender, i).await
                    }
                })
                .buffer_unordered(readers)
                .try_fold(None, |max, seen| async move {
                    Ok::<_, Error>(resources::later(max, seen))
                })
                .await
        };
        let consume = self.write_batches(resource, batches, current, summary, Some(&mut read));
        let (produced, consumed) = futures::join!(produce, consume);
        consumed?;
        produced?;
        let page_size = page_size(resource, step);
        let requests = read
            .fetched
            .iter()
            .map(|n| n.div_ceil(page_size).max(1))
            .sum();
        Ok((read.max_seen, requests))
    }
}

/// A window still to read: its index, its filters, and the page to start from.
type Window = (usize, Vec<(String, String)>, Option<PageToken>);

/// Where the windows of a sliced listing stand while they are read.
struct SlicesRead {
    slices: Slices,
    /// Records read per window in this run.
    fetched: Vec<u64>,
    max_seen: Option<DateTime<Utc>>,
}

/// Records per page of a listing.
fn page_size<R: Resource>(resource: &R, step: &Step) -> u64 {
    let plan = resource.listing(step);
    let size = match plan.paging {
        Paging::V1 { limit, .. } => u64::from(limit),
        Paging::V2 => plan
            .query
            .iter()
            .find(|(k, _)| k == "limit")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(100),
    };
    size.max(1)
}

/// The fewest requests that could have read `fetched` records: the pages they fill (one for
/// a change feed that answers at once), and what each item needs besides.
fn min_requests<R: Resource>(resource: &R, step: &Step, fetched: u64) -> u64 {
    let page_size = page_size(resource, step);
    let one_answer = step.kind == StepKind::Incremental && resource.changes_in_one_answer();
    let pages = if one_answer {
        1
    } else {
        fetched.div_ceil(page_size).max(1)
    };
    pages + fetched * resource.requests_per_item(step)
}

/// Pages fetched and mapped, waiting to be written together.
#[derive(Default)]
struct Batch {
    /// The window it belongs to, in a sliced listing.
    slice: usize,
    pages: u64,
    fetched: u64,
    mapped: Mapped,
    /// The page token after the batch's last page (`null` at the end of the listing).
    next: serde_json::Value,
    max_seen: Option<DateTime<Utc>>,
    /// Size of the Personio JSON of its rows.
    bytes: usize,
}

impl Batch {
    fn absorb(&mut self, mapped: Mapped) {
        self.bytes += mapped.rows.iter().map(|row| row.raw.len()).sum::<usize>();
        self.mapped.rows.extend(mapped.rows);
        self.mapped.leaving.extend(mapped.leaving);
        self.mapped.seen.extend(mapped.seen);
        self.mapped.derived.extend(mapped.derived);
    }
}
