//! Lists read once per parent ([`PerParent`]): which parents to read, then each parent's
//! children in place of its earlier ones.

use bridge_store::tables::EMPLOYEES;
use bridge_store::{Checkpoint, Key, ListingEnd, PageWrite, Table};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::Syncing;
use crate::error::Error;
use crate::plan::StepKind;
use crate::progress::Progress;
use crate::resources::{Children, PerParent};
use crate::summary::ResourceSummary;

/// The parents a per-parent list reads this time.
pub(crate) struct Parents {
    keys: Vec<Key>,
    /// Every parent: children of parents not read are then deleted.
    complete: bool,
    /// When the parents were chosen.
    as_of: DateTime<Utc>,
    /// Whether they were chosen by following changes since the list's watermark (which
    /// then moves to `as_of`).
    following: bool,
}

impl Parents {
    /// All parents there are, as of now.
    pub(crate) fn all(keys: Vec<Key>) -> Parents {
        Parents {
            keys,
            complete: true,
            as_of: Utc::now(),
            following: false,
        }
    }
}

impl Syncing<'_> {
    /// The parents of a per-parent list that follows the changes of `followed`: every live
    /// employee on a full sync (or until the list was once read for all of them), otherwise
    /// the owners of the records of `followed` that changed since the list was last read.
    /// The changes are read from the store, so those stored by a run that crashed or gave up
    /// before reading the list are followed too.
    pub(crate) async fn parents_following<P: PerParent>(
        &self,
        list: &P,
        followed: &'static Table,
    ) -> Result<Parents, Error> {
        let as_of = Utc::now();
        let checkpoint = self.checkpoint(list.checkpoint_name()).await?;
        let since = checkpoint
            .as_ref()
            .filter(|c| c.last_full_at.is_some())
            .and_then(|c| c.watermark.or(c.last_full_at));
        let (keys, complete) = match since {
            Some(since) if !self.options.full => {
                let owners = self
                    .store()
                    .owners_changed_since(self.company(), followed, since)
                    .await?;
                (owners.into_iter().map(Key::Int).collect(), false)
            }
            _ => (
                self.store().live_ids(self.company(), &EMPLOYEES).await?,
                true,
            ),
        };
        Ok(Parents {
            keys,
            complete,
            as_of,
            following: true,
        })
    }

    /// Reads the children of each parent (a few at a time) and stores each parent's list in
    /// place of the old one. When the parents are complete, children of parents not read,
    /// such as deleted ones, are marked deleted too.
    pub(crate) async fn children<P: PerParent>(
        &self,
        list: &P,
        parents: Parents,
    ) -> Result<ResourceSummary, Error> {
        let name = list.checkpoint_name();
        let base = self.checkpoint(name).await?.unwrap_or_else(|| Checkpoint {
            resource: name.to_owned(),
            ..Default::default()
        });
        let mode = if parents.complete {
            StepKind::Full
        } else {
            StepKind::Incremental
        };
        let mut summary = ResourceSummary {
            mode: mode.into(),
            ..Default::default()
        };
        self.emit(Progress::ListingStarted {
            resource: name.to_owned(),
            mode,
            resumed: false,
        });
        let client = self.client();
        let parents_done = Parents {
            keys: Vec::new(),
            ..parents
        };
        let mut fetched = futures::stream::iter(parents.keys)
            .map(|parent| async move {
                let children = match list.fetch(client, &parent).await {
                    // Gone since it was listed: it has no children any more.
                    Err(Error::Personio(e)) if e.kind() == personio_client::ErrorKind::NotFound => {
                        Ok(Children {
                            rows: Vec::new(),
                            min_requests: 1,
                        })
                    }
                    other => other,
                };
                (parent, children)
            })
            .buffer_unordered(self.options.concurrency.max(1));
        while let Some((parent, children)) = fetched.next().await {
            self.replace_children(list, parent, children?, &base, &mut summary)
                .await?;
        }
        drop(fetched);
        summary.deleted += self.finish_children(list, &parents_done, base).await?;
        tracing::debug!(resource = name, mode = mode.as_str(), "listing finished");
        Ok(summary)
    }

    /// Ends a pass over `parents`: its checkpoint, and when they were all of them, the
    /// deletion of children of parents not read. Returns how many were deleted.
    async fn finish_children<P: PerParent>(
        &self,
        list: &P,
        parents: &Parents,
        base: Checkpoint,
    ) -> Result<u64, Error> {
        let started_at = parents.as_of;
        let checkpoint = Checkpoint {
            // The changes followed are those before the parents were chosen.
            watermark: if parents.following {
                Some(started_at)
            } else {
                base.watermark
            },
            last_full_at: if parents.complete {
                Some(started_at)
            } else {
                base.last_full_at
            },
            ..base
        };
        if !parents.complete {
            self.store()
                .save_checkpoint(self.company(), &checkpoint, Utc::now())
                .await?;
            return Ok(0);
        }
        let deleted = self
            .store()
            .finish_listing(ListingEnd {
                company: self.company(),
                table: list.table(),
                started_at,
                scope: None,
                derived: Vec::new(),
                checkpoint,
                now: Utc::now(),
            })
            .await?;
        Ok(deleted.len() as u64)
    }

    /// Stores one parent's children in place of its earlier ones.
    async fn replace_children<P: PerParent>(
        &self,
        list: &P,
        parent: Key,
        children: Children,
        base: &Checkpoint,
        summary: &mut ResourceSummary,
    ) -> Result<(), Error> {
        summary.fetched += children.rows.len() as u64;
        summary.min_requests += children.min_requests;
        let applied = self
            .store()
            .apply_page(PageWrite {
                company: self.company(),
                table: list.table(),
                rows: children.rows,
                leaving: Vec::new(),
                seen: Vec::new(),
                // No rows of its own: it only retires this parent's children not seen now.
                derived: vec![bridge_store::Derived {
                    table: list.table(),
                    parent_column: list.parent_column(),
                    parents: vec![parent],
                    rows: Vec::new(),
                }],
                checkpoint: base.clone(),
                now: Utc::now(),
            })
            .await?;
        summary.created += applied.created;
        summary.updated += applied.updated;
        summary.unchanged += applied.unchanged;
        tracing::debug!(
            resource = list.checkpoint_name(),
            rows = summary.fetched,
            "batch stored"
        );
        self.emit(Progress::PageStored {
            resource: list.checkpoint_name().to_owned(),
            fetched: summary.fetched,
            created: summary.created,
            updated: summary.updated,
        });
        Ok(())
    }
}
