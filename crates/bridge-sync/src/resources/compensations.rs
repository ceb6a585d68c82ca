//! Compensations through v2 (`GET /v2/compensations`, personio-api.md §3.8), which answers
//! one window of at most a month: each month is a listing of its own. A full sync reads a
//! configurable number of months back; an incremental one the current and the previous
//! month (late entries for last month's payroll). Plus `GET /v2/compensations/types`.
//!
//! A compensation keeps its id in every month it is in effect, so a month's listing judges
//! deletions only among compensations that took effect in that month: those must show in
//! it, while older ones may simply have ended.

use bridge_store::tables::{COMPENSATION_TYPES, COMPENSATIONS};
use bridge_store::{Checkpoint, Key, Table, Value, Window};
use chrono::{Datelike, Months, NaiveDate, Utc};
use futures::future::BoxFuture;
use personio_api::v2;
use personio_client::Record;
use personio_client::endpoints::paths;

use super::{ListingPlan, Mapped, Paging, Reading, Resource, instant, raw};
use crate::context::Context;
use crate::engine::Syncing;
use crate::error::Error;
use crate::plan::Step;
use crate::summary::ResourceSummary;

/// Page size of both lists: Personio's maximum for types (§3.8); for compensations a
/// client's reading (our choice, the same).
const PAGE: u32 = 100;

/// `GET /v2/compensations/types`.
pub(crate) struct CompensationTypes;

impl Resource for CompensationTypes {
    type Item = v2::CompensationType;

    fn checkpoint_name(&self) -> String {
        "compensation_types".into()
    }

    fn table(&self) -> &'static Table {
        &COMPENSATION_TYPES
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        ListingPlan {
            path: paths::COMPENSATION_TYPES.into(),
            query: vec![("limit".into(), PAGE.to_string())],
            paging: Paging::V2,
        }
    }

    fn map(&self, _: &Step, items: Vec<Record<Self::Item>>, _: &Context) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let t = &record.value;
            mapped.rows.push(
                COMPENSATION_TYPES
                    .row(Key::Text(t.id.clone()))
                    .set("name", Value::text(t.name.clone()))
                    .set("category", Value::text(t.category.clone()))
                    .finish(raw(&record), None)?,
            );
        }
        Ok(mapped)
    }
}

/// The first days of the `count` months ending with the one holding `today`, oldest first.
pub(crate) fn months(today: NaiveDate, count: u32) -> Vec<NaiveDate> {
    let this = today.with_day(1).unwrap_or(today);
    (0..count.max(1))
        .rev()
        .filter_map(|back| this.checked_sub_months(Months::new(back)))
        .collect()
}

/// One month of `GET /v2/compensations`.
pub(crate) struct CompensationMonth {
    pub first: NaiveDate,
}

impl CompensationMonth {
    fn next_first(&self) -> NaiveDate {
        self.first
            .checked_add_months(Months::new(1))
            .unwrap_or(self.first)
    }
}

impl Resource for CompensationMonth {
    type Item = v2::Compensation;

    fn checkpoint_name(&self) -> String {
        format!("compensations.{}", self.first.format("%Y-%m"))
    }

    fn table(&self) -> &'static Table {
        &COMPENSATIONS
    }

    fn listing(&self, _: &Step) -> ListingPlan {
        let last = self.next_first().pred_opt().unwrap_or(self.first);
        ListingPlan {
            path: paths::COMPENSATIONS.into(),
            query: vec![
                ("start_date".into(), self.first.to_string()),
                ("end_date".into(), last.to_string()),
                ("limit".into(), PAGE.to_string()),
            ],
            paging: Paging::V2,
        }
    }

    fn map(
        &self,
        _: &Step,
        items: Vec<Record<Self::Item>>,
        ctx: &Context,
    ) -> Result<Mapped, Error> {
        let mut mapped = Mapped::default();
        for record in items {
            let c = &record.value;
            let employee: i64 = c.person.id.trim().parse().map_err(|_| Error::Malformed {
                resource: "compensation",
                field: "a numeric person id",
            })?;
            let key = Key::Text(c.id.clone());
            if !ctx.in_scope(employee) {
                mapped.leaving.push(key);
                continue;
            }
            mapped.rows.push(
                COMPENSATIONS
                    .row(key)
                    .set("employee_id", Value::Int(employee))
                    .set(
                        "legal_entity_id",
                        Value::opt_int(
                            c.legal_entity
                                .as_ref()
                                .and_then(|l| l.id.trim().parse().ok()),
                        ),
                    )
                    .set("compensation_type_id", Value::text(c.kind.id.clone()))
                    .set("compensation_type", Value::text(c.kind.name.clone()))
                    .set("category", Value::text(c.kind.category.clone()))
                    .set("amount", Value::Real(c.amount.value))
                    .set("currency", Value::text(c.amount.currency.clone()))
                    .set("pay_interval", Value::opt_text(c.interval.clone()))
                    .set("effective_from", Value::text(c.effective_from.clone()))
                    .set("comment", Value::opt_text(c.comment.clone()))
                    .set(
                        "weekly_working_hours",
                        Value::opt_real(c.weekly_working_hours),
                    )
                    .set(
                        "full_time_weekly_working_hours",
                        Value::opt_real(c.full_time_weekly_working_hours),
                    )
                    .set(
                        "source_created_at",
                        Value::opt_text(
                            instant(c.created_at.as_deref()).map(bridge_store::timestamp),
                        ),
                    )
                    .finish(raw(&record), None)?,
            );
        }
        Ok(mapped)
    }

    fn scope(&self) -> Option<Window> {
        Some(Window {
            column: "effective_from",
            equals: None,
            from: Some(self.first.to_string()),
            to: Some(self.next_first().to_string()),
        })
    }
}

/// The checkpoint that records when compensations were last read in full.
const COMPENSATIONS_FULL: &str = "compensations";

/// Compensation types, then one listing per month: `compensation_months` of them on a full
/// sync (or the first one), the current and the previous month otherwise.
pub(crate) struct CompensationsByMonth;

impl Reading for CompensationsByMonth {
    fn read<'a>(&'a self, sync: &'a Syncing<'a>) -> BoxFuture<'a, Result<ResourceSummary, Error>> {
        Box::pin(async move {
            let mut summary = sync.listing(&CompensationTypes).await?;
            let marker = sync.checkpoint(COMPENSATIONS_FULL).await?;
            let full =
                sync.options.full || marker.as_ref().is_none_or(|m| m.last_full_at.is_none());
            let count = if full {
                sync.options.compensation_months
            } else {
                2
            };
            let started_at = Utc::now();
            for first in months(started_at.date_naive(), count) {
                summary.add(&sync.listing(&CompensationMonth { first }).await?);
            }
            if full {
                let checkpoint = Checkpoint {
                    resource: COMPENSATIONS_FULL.into(),
                    last_full_at: Some(started_at),
                    ..marker.unwrap_or_default()
                };
                sync.store()
                    .save_checkpoint(sync.company(), &checkpoint, Utc::now())
                    .await?;
            }
            Ok(summary)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_back_from_the_current_one_across_years() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 17).unwrap();
        let firsts: Vec<String> = months(day, 3).iter().map(|d| d.to_string()).collect();
        assert_eq!(firsts, ["2025-12-01", "2026-01-01", "2026-02-01"]);
        assert_eq!(months(day, 0).len(), 1, "at least the current month");
    }
}
