//! The engine against a real sandbox and a real store: SQLite, and PostgreSQL when
//! `PERSONIO_BRIDGE_TEST_PG_URL` names a server (each test once per backend).
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod api_choice;
mod columns;
mod connections;
mod full;
mod incremental;
mod permissions;
mod resources;
mod scheduler;
mod simulate;
mod slices;

use bridge_store::{Company, Filters, Location, NewCompany, OpenOptions, Outcome, Store};
use bridge_sync::{Summary, SyncEngine, SyncOptions};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, RunningSandbox, TestDb};
use personio_client::{Client, ClientConfig};
use secrecy::SecretString;
use serde_json::Value;

pub struct Harness {
    pub sandbox: RunningSandbox,
    pub store: Store,
    pub company: Company,
    pub db: TestDb,
}

/// A store in `db` with the company `acme` connected to `sandbox` with the given credential.
pub struct Connected {
    pub store: Store,
    pub company: Company,
    pub db: TestDb,
}

pub async fn harness_on(
    db: TestDb,
    sandbox: &RunningSandbox,
    client_id: &str,
    secret: &str,
    filters: Filters,
) -> Connected {
    let key = bridge_store::secrets::Key::from_bytes([3u8; 32]).to_base64();
    let store = Store::open(
        &Location::parse(&db.url).unwrap(),
        OpenOptions {
            key: Some(key),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let company = store
        .add_company(
            NewCompany {
                name: "acme".into(),
                base_url: sandbox.base_url.clone(),
                client_id: client_id.into(),
                client_secret: SecretString::from(secret.to_owned()),
                recruiting: None,
                filters,
                granted: serde_json::json!({}),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    Connected { store, company, db }
}

/// A sandbox, a fresh store, and the company `acme` connected with the given credential.
pub async fn harness(
    db: TestDb,
    sandbox: RunningSandbox,
    client_id: &str,
    secret: &str,
    filters: Filters,
) -> Harness {
    let connected = harness_on(db, &sandbox, client_id, secret, filters).await;
    Harness {
        sandbox,
        store: connected.store,
        company: connected.company,
        db: connected.db,
    }
}

pub async fn default_harness(db: TestDb, seed: u64, employees: usize) -> Harness {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(seed, employees));
    harness(db, sandbox, CLIENT_ID, CLIENT_SECRET, Filters::default()).await
}

impl Harness {
    pub fn client(&self) -> Client {
        let credentials = (
            self.company.client_id.clone(),
            SecretString::from(secret_of(&self.company.client_id)),
        );
        let mut config = ClientConfig::new(
            url::Url::parse(&self.sandbox.base_url).unwrap(),
            credentials.0,
            credentials.1,
        );
        config.backoff_base = std::time::Duration::from_millis(5);
        Client::new(config).unwrap()
    }

    pub async fn sync(&self, options: SyncOptions) -> Summary {
        let client = self.client();
        SyncEngine::new(self.store.clone(), client, self.company.clone())
            .run(&options)
            .await
            .unwrap()
    }

    /// A second store on the same backend, filled by a full sync of the same sandbox as it
    /// is now.
    pub async fn fresh_full_sync(&self) -> Connected {
        let db = TestDb::new(self.db.backend)
            .await
            .expect("the backend of a running test is available");
        let other = harness_on(
            db,
            &self.sandbox,
            &self.company.client_id,
            &secret_of(&self.company.client_id),
            self.company.filters.clone(),
        )
        .await;
        let summary = SyncEngine::new(other.store.clone(), self.client(), other.company.clone())
            .run(&SyncOptions::default())
            .await
            .unwrap();
        assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
        other
    }

    /// Every employee as the sandbox serves them through v1.
    pub async fn sandbox_employees(&self) -> Vec<Value> {
        let http = reqwest::Client::new();
        let auth: Value = http
            .post(self.sandbox.url("/v1/auth"))
            .json(&serde_json::json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = auth["data"]["token"].as_str().unwrap().to_owned();
        let mut all = Vec::new();
        for offset in (0..).step_by(100) {
            let page: Value = http
                .get(
                    self.sandbox
                        .url(&format!("/v1/company/employees?limit=100&offset={offset}")),
                )
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let data = page["data"].as_array().unwrap().clone();
            if data.is_empty() {
                break;
            }
            all.extend(data);
        }
        all
    }
}

/// Secrets of the credentials tests create (the store holds the real one; tests reuse it).
fn secret_of(client_id: &str) -> String {
    SECRETS
        .with(|s| s.borrow().get(client_id).cloned())
        .unwrap_or_else(|| CLIENT_SECRET.to_owned())
}

thread_local! {
    static SECRETS: std::cell::RefCell<std::collections::HashMap<String, String>> = Default::default();
}

pub fn remember_secret(client_id: &str, secret: &str) {
    SECRETS.with(|s| {
        s.borrow_mut()
            .insert(client_id.to_owned(), secret.to_owned())
    });
}
