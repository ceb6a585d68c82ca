//! Absences through v1 (`--api v1`): the time-off types first, since time-offs name their
//! type by its v1 id and the table by its v2 id; then the time-offs; then the periods of
//! each hour-unit type.

use futures::TryStreamExt;
use personio_api::v1;
use personio_client::OffsetKind;

use super::{SyncEngine, SyncOptions};
use crate::context::Context;
use crate::error::Error;
use crate::resources::{HourlyAbsences, TimeOffs, V1AbsenceTypes};
use crate::summary::ResourceSummary;

impl SyncEngine {
    pub(super) async fn absences_v1(
        &self,
        options: &SyncOptions,
        ctx: &Context,
    ) -> Result<ResourceSummary, Error> {
        let types = self
            .client
            .pages_v1::<v1::TimeOffType>(
                V1AbsenceTypes::PATH,
                Vec::new(),
                V1AbsenceTypes::LIMIT,
                OffsetKind::Items,
                None,
            )
            .map_ok(|page| page.items)
            .try_concat()
            .await?;
        let types = V1AbsenceTypes::new(types)?;
        let time_offs = TimeOffs {
            v2_type_ids: types.v2_ids,
        };
        let mut summary = self.sync(&time_offs, options, ctx).await?;
        // One request for the types, which no listing counts.
        summary.min_requests += 1;
        for absence_type in types.hourly {
            let hourly = HourlyAbsences { absence_type };
            summary.add(&self.sync(&hourly, options, ctx).await?);
        }
        Ok(summary)
    }
}
