//! Connection health and per-company settings: each transition once, with its event written
//! in the same transaction; broken companies left out of scheduled runs; settings checked.

use bridge_store::{CompanySettings, ConnectionStatus, Error, NewCompany, NewSubscription, Store};
use bridge_testkit::TestDb;
use chrono::Duration;
use secrecy::SecretString;

use crate::{at, open};

fn acme(secret: &str) -> NewCompany {
    NewCompany {
        name: "acme".into(),
        base_url: "http://127.0.0.1:1".into(),
        client_id: "id".into(),
        client_secret: SecretString::from(secret.to_owned()),
        recruiting: None,
        filters: Default::default(),
        granted: serde_json::json!({}),
    }
}

/// The connection events waiting for delivery, oldest first: (type, data).
async fn connection_events(store: &Store) -> Vec<(String, serde_json::Value)> {
    let claimed = store
        .claim_deliveries("reader", Duration::minutes(1), 100, at(23))
        .await
        .unwrap();
    claimed
        .into_iter()
        .filter(|d| d.event.event_type.starts_with("connection."))
        .map(|d| (d.event.event_type, d.event.data.unwrap_or_default()))
        .collect()
}

async fn linking_breaking_and_relinking_each_write_one_event(db: TestDb) {
    let store = open(&db).await;
    store
        .add_webhook(
            NewSubscription {
                url: "http://127.0.0.1:9/hook".into(),
                events: vec![
                    "connection.linked".into(),
                    "connection.broken".into(),
                    "connection.relinked".into(),
                ],
                company: None,
                secret: SecretString::from("whsec-test-secret".to_owned()),
            },
            at(0),
        )
        .await
        .unwrap();
    let company = store.add_company(acme("s1"), at(1)).await.unwrap();
    assert_eq!(company.connection.status, ConnectionStatus::Linked);
    assert_eq!(company.connection.since, at(1));
    assert!(
        store
            .mark_connection_broken(company.id, "Personio rejected the credentials", at(2))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_connection_broken(company.id, "again", at(3))
            .await
            .unwrap(),
        "a second refusal is no transition"
    );
    let broken = store.company("acme").await.unwrap();
    assert_eq!(broken.connection.status, ConnectionStatus::Broken);
    assert_eq!(
        broken.connection.reason.as_deref(),
        Some("Personio rejected the credentials")
    );
    assert_eq!(broken.connection.since, at(2));
    let relinked = store.reconnect_company(acme("s2"), at(4)).await.unwrap();
    assert_eq!(relinked.id, company.id, "the same company, its data kept");
    assert_eq!(relinked.connection.status, ConnectionStatus::Linked);
    assert_eq!(relinked.connection.reason, None);
    assert_eq!(relinked.connection.since, at(4));
    let events = connection_events(&store).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "connection.linked",
            "connection.broken",
            "connection.relinked"
        ]
    );
    assert_eq!(events[1].1["company"], "acme");
    assert_eq!(events[1].1["status"], "broken");
    assert_eq!(events[1].1["reason"], "Personio rejected the credentials");
    assert_eq!(events[2].1["status"], "linked");
    assert!(events[2].1["reason"].is_null());
}

async fn a_broken_company_is_not_synced_on_schedule_but_sync_now_still_runs(db: TestDb) {
    let store = open(&db).await;
    let company = store.add_company(acme("s"), at(0)).await.unwrap();
    store.schedule_companies(at(0)).await.unwrap();
    store
        .mark_connection_broken(company.id, "refused", at(1))
        .await
        .unwrap();
    let lease = Duration::minutes(1);
    assert_eq!(store.claim_job("w", lease, at(5)).await.unwrap(), None);
    store
        .request_resources(company.id, &["employees"], at(5))
        .await
        .unwrap();
    assert_eq!(
        store.claim_job("w", lease, at(6)).await.unwrap(),
        None,
        "an inbound webhook does not retry a refused credential"
    );
    store.enqueue_now(company.id, at(6)).await.unwrap();
    let claim = store.claim_job("w", lease, at(6)).await.unwrap().unwrap();
    assert_eq!(claim.company, company.id);
    assert!(!claim.is_targeted());
    store
        .finish_job(company.id, "w", bridge_store::Outcome::Failed, at(7), at(6))
        .await
        .unwrap();
    assert!(
        store
            .mark_connection_linked(company.id, at(8))
            .await
            .unwrap()
    );
    assert!(store.claim_job("w", lease, at(9)).await.unwrap().is_some());
}

async fn settings_round_trip_and_values_out_of_range_name_their_field(db: TestDb) {
    let store = open(&db).await;
    let company = store.add_company(acme("s"), at(0)).await.unwrap();
    assert_eq!(company.settings, CompanySettings::default());
    assert_eq!(company.settings.full_reconcile_days, 7);
    let settings = CompanySettings {
        resources: vec!["employees".into(), "attendances".into()],
        api: "v2".into(),
        sync_interval_minutes: Some(15),
        full_reconcile_days: 2,
        filters: bridge_store::Filters {
            offices: vec!["Berlin".into()],
            ..Default::default()
        },
        retention_days: Some(90),
    };
    store
        .set_company_settings(company.id, &settings, at(1))
        .await
        .unwrap();
    let read = store.company_settings(company.id).await.unwrap();
    assert_eq!(read, settings);
    let company = store.company("acme").await.unwrap();
    assert_eq!(company.sync_interval_minutes, Some(15));
    assert_eq!(company.filters.offices, ["Berlin"]);
    for (bad, field) in [
        (
            CompanySettings {
                api: "v3".into(),
                ..settings.clone()
            },
            "api",
        ),
        (
            CompanySettings {
                sync_interval_minutes: Some(4),
                ..settings.clone()
            },
            "sync_interval_minutes",
        ),
        (
            CompanySettings {
                sync_interval_minutes: Some(10_081),
                ..settings.clone()
            },
            "sync_interval_minutes",
        ),
        (
            CompanySettings {
                full_reconcile_days: 0,
                ..settings.clone()
            },
            "full_reconcile_days",
        ),
        (
            CompanySettings {
                full_reconcile_days: 91,
                ..settings.clone()
            },
            "full_reconcile_days",
        ),
        (
            CompanySettings {
                retention_days: Some(0),
                ..settings.clone()
            },
            "retention_days",
        ),
    ] {
        match store.set_company_settings(company.id, &bad, at(2)).await {
            Err(Error::InvalidSetting { field: named, .. }) => assert_eq!(named, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(store.company_settings(company.id).await.unwrap(), settings);
    assert_eq!(company.full_reconciled_at, None);
    store.set_full_reconciled(company.id, at(3)).await.unwrap();
    assert_eq!(
        store.company("acme").await.unwrap().full_reconciled_at,
        Some(at(3))
    );
}

bridge_testkit::each_backend!(
    linking_breaking_and_relinking_each_write_one_event,
    a_broken_company_is_not_synced_on_schedule_but_sync_now_still_runs,
    settings_round_trip_and_values_out_of_range_name_their_field,
);
