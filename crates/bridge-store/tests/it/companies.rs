use bridge_store::{Error, Filters, Location, NewCompany, OpenOptions, Store};
use secrecy::{ExposeSecret, SecretString};

use bridge_testkit::TestDb;

use crate::{at, open};

fn acme() -> NewCompany {
    NewCompany {
        name: "acme".into(),
        base_url: "https://api.personio.de".into(),
        client_id: "papi-client".into(),
        client_secret: SecretString::from("papi-TOP-SECRET-value".to_owned()),
        recruiting: Some((SecretString::from("recruit-TOKEN-xyz".to_owned()), 4242)),
        filters: Filters {
            statuses: vec!["active".into()],
            ..Default::default()
        },
        granted: serde_json::json!({"employees": "read"}),
    }
}

async fn companies_round_trip_and_secrets_are_sealed_at_rest(db: TestDb) {
    let store = open(&db).await;
    let company = store.add_company(acme(), at(1)).await.unwrap();
    assert_eq!(company.name, "acme");
    assert!(company.has_recruiting_token);
    assert_eq!(company.filters.statuses, ["active"]);
    let credentials = store.credentials(&company).await.unwrap();
    assert_eq!(
        credentials.client_secret.expose_secret(),
        "papi-TOP-SECRET-value"
    );
    assert_eq!(
        credentials.recruiting.as_ref().unwrap().0.expose_secret(),
        "recruit-TOKEN-xyz"
    );
    assert!(!format!("{credentials:?} {company:?} {store:?}").contains("SECRET"));
    assert!(matches!(
        store.add_company(acme(), at(2)).await,
        Err(Error::DuplicateCompany(_))
    ));
    let stored = crate::query_texts(
        &db,
        "SELECT client_secret || ' ' || recruiting_token AS text FROM companies",
    )
    .await;
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].contains("TOP-SECRET") && !stored[0].contains("TOKEN-xyz"),
        "a secret in plain text in the database"
    );
    store.close().await;
    if let Some(dir) = db.dir() {
        for file in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("TOP-SECRET") && !text.contains("TOKEN-xyz"),
                "a secret in plain text on disk"
            );
        }
    }
}

async fn a_different_key_cannot_read_the_secrets_and_says_so(db: TestDb) {
    let store = open(&db).await;
    store.add_company(acme(), at(1)).await.unwrap();
    store.close().await;
    let other = bridge_store::secrets::Key::from_bytes([9u8; 32]).to_base64();
    let location = Location::parse(&db.url).unwrap();
    let store = Store::open(
        &location,
        OpenOptions {
            key: Some(other),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let company = store.company("acme").await.unwrap();
    let error = store.credentials(&company).await.unwrap_err();
    assert!(matches!(error, Error::Decrypt { .. }), "{error:?}");
    assert!(error.to_string().contains("acme"));
}

async fn removing_a_company_removes_its_records_and_unknown_names_are_errors(db: TestDb) {
    let store = open(&db).await;
    store.add_company(acme(), at(1)).await.unwrap();
    store.remove_company("acme").await.unwrap();
    assert!(store.companies().await.unwrap().is_empty());
    assert!(matches!(
        store.company("acme").await,
        Err(Error::UnknownCompany(_))
    ));
    assert!(matches!(
        store.remove_company("acme").await,
        Err(Error::UnknownCompany(_))
    ));
}

async fn runs_record_their_outcome_and_cut_off_runs_become_interrupted(db: TestDb) {
    let store = open(&db).await;
    let company = store.add_company(acme(), at(1)).await.unwrap();
    let first = store
        .start_run(company.id, bridge_store::RunMode::Full, at(1))
        .await
        .unwrap();
    let second = store
        .start_run(company.id, bridge_store::RunMode::Full, at(2))
        .await
        .unwrap();
    store
        .finish_run(
            second,
            bridge_store::Outcome::Succeeded,
            12,
            &serde_json::json!({"employees": 3}),
            None,
            at(3),
        )
        .await
        .unwrap();
    let runs = store.runs(company.id, 10).await.unwrap();
    assert_eq!(runs[0].id, second);
    assert_eq!(runs[0].outcome, bridge_store::Outcome::Succeeded);
    assert_eq!(runs[0].requests, 12);
    assert_eq!(runs[1].id, first);
    assert_eq!(runs[1].outcome, bridge_store::Outcome::Interrupted);
}

bridge_testkit::each_backend!(
    companies_round_trip_and_secrets_are_sealed_at_rest,
    a_different_key_cannot_read_the_secrets_and_says_so,
    removing_a_company_removes_its_records_and_unknown_names_are_errors,
    runs_record_their_outcome_and_cut_off_runs_become_interrupted,
);
