use std::collections::BTreeMap;

use bridge_store::tables::ATTENDANCE_PERIODS;
use bridge_store::{Key, Outcome, Store, Table, Value as Cell};
use bridge_sync::{ResourceName, SyncEngine, SyncOptions};
use bridge_testkit::TestDb;

use crate::default_harness;

fn attendances(slices: usize) -> SyncOptions {
    SyncOptions {
        resources: vec![ResourceName::Attendances],
        full: true,
        slices: Some(slices),
        ..Default::default()
    }
}

/// Live and deleted rows of a table: key → (normalized values, deleted).
async fn rows(
    store: &Store,
    company: bridge_store::CompanyId,
    table: &'static Table,
) -> BTreeMap<Key, Vec<Cell>> {
    let mut all = BTreeMap::new();
    let mut after = None;
    loop {
        let page = store
            .records(company, table, after.as_ref(), 1000, true)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.key.clone());
        all.extend(page.into_iter().map(|r| (r.key, r.values)));
    }
    all
}

async fn checkpoint(store: &Store, company: bridge_store::CompanyId) -> bridge_store::Checkpoint {
    store
        .checkpoint(company, "attendances")
        .await
        .unwrap()
        .expect("a checkpoint")
}

async fn a_sliced_full_listing_stores_the_rows_one_listing_stores(db: TestDb) {
    let h = default_harness(db, 31, 40).await;
    let sliced = h.sync(attendances(4)).await;
    assert_eq!(sliced.outcome, Outcome::Succeeded, "{sliced:?}");
    let read = &sliced.resources["attendances"];
    assert!(read.fetched > 5_000, "several pages per window: {read:?}");
    // Every window in the fewest pages, plus the two requests that found the range.
    assert_eq!(
        sliced.requests - sliced.token_requests,
        read.min_requests,
        "{sliced:?}"
    );
    assert!(
        read.min_requests > read.fetched.div_ceil(100) + 2,
        "{read:?}"
    );

    let db = TestDb::new(h.db.backend).await.expect("the same backend");
    let other = crate::harness_on(
        db,
        &h.sandbox,
        &h.company.client_id,
        bridge_testkit::CLIENT_SECRET,
        h.company.filters.clone(),
    )
    .await;
    let one = SyncEngine::new(other.store.clone(), h.client(), other.company.clone())
        .run(&attendances(1))
        .await
        .unwrap();
    assert_eq!(one.outcome, Outcome::Succeeded, "{one:?}");
    assert_eq!(one.resources["attendances"].fetched, read.fetched);
    assert_eq!(
        one.requests - one.token_requests,
        read.fetched.div_ceil(100),
        "one listing: no range to find"
    );
    let (a, b) = (
        rows(&h.store, h.company.id, &ATTENDANCE_PERIODS).await,
        rows(&other.store, other.company.id, &ATTENDANCE_PERIODS).await,
    );
    assert_eq!(a.len() as u64, read.fetched);
    assert!(a == b, "the rows differ");
    let (mine, theirs) = (
        checkpoint(&h.store, h.company.id).await,
        checkpoint(&other.store, other.company.id).await,
    );
    assert_eq!(mine.listing, None, "every window finished");
    assert_eq!(mine.watermark, theirs.watermark);
    assert!(mine.watermark.is_some());

    // A second sliced full listing changes nothing and deletes nothing.
    let again = h.sync(attendances(4)).await;
    let read = &again.resources["attendances"];
    assert_eq!(
        (read.created, read.updated, read.deleted),
        (0, 0, 0),
        "{read:?}"
    );
}

bridge_testkit::each_backend!(a_sliced_full_listing_stores_the_rows_one_listing_stores,);
