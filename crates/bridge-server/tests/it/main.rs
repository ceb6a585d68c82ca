//! The service on 127.0.0.1:0 with a real sandbox and a real SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod api;
mod audit_log;
mod hostile;
pub(crate) mod link_sessions;
mod linking;
mod openapi;
mod pages;
mod queries;
mod settings;
mod webhook_targets;
mod webhooks;
mod webhooks_in;
mod writes;
mod writes_people;

use bridge_server::{Server, ServerConfig};
use bridge_store::{Company, Filters, Location, OpenOptions, Outcome, Store};
use bridge_sync::link::{Link, connect};
use bridge_sync::{SyncEngine, SyncOptions};
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, RunningSandbox};
use secrecy::SecretString;
use tokio::sync::oneshot;

/// The admin password every test service has.
pub const PASSWORD: &str = "correct horse battery";

/// A running service over a fresh store.
pub struct Bridge {
    pub base_url: String,
    pub store: Store,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Bridge {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn store_in(dir: &tempfile::TempDir) -> Store {
    let key = bridge_store::secrets::Key::from_bytes([7u8; 32]).to_base64();
    Store::open(
        &Location::Sqlite(dir.path().join("bridge.db")),
        OpenOptions {
            key: Some(key),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// A service with the admin password set, serving on a free port, without workers: the
/// tests drive the syncs themselves.
pub async fn spawn_bridge() -> Bridge {
    spawn_bridge_with(|config, _| config.workers = 0).await
}

/// A service with one worker: linking and "Sync now" sync.
pub async fn spawn_syncing_bridge() -> Bridge {
    spawn_bridge_with(|_, _| {}).await
}

/// Like [`spawn_bridge`] (private webhook targets allowed), with the configuration adjusted (given the service's address).
pub async fn spawn_bridge_with(configure: impl FnOnce(&mut ServerConfig, &str)) -> Bridge {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir).await;
    bridge_server::admin::set(&store, &SecretString::from(PASSWORD.to_owned()))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    // The receivers of these tests listen on 127.0.0.1.
    let mut config = ServerConfig {
        allow_private_webhooks: true,
        ..ServerConfig::default()
    };
    configure(&mut config, &format!("http://{addr}"));
    let server = Server::new(store.clone(), config);
    tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    Bridge {
        base_url: format!("http://{addr}"),
        store,
        stop: Some(stop),
        _dir: dir,
    }
}

/// Links `acme` to the sandbox with the test credential and syncs it once.
pub async fn link_and_sync(store: &Store, sandbox: &RunningSandbox) -> Company {
    let (company, _) = connect(
        store,
        Link {
            company: "acme".into(),
            base_url: url::Url::parse(&sandbox.base_url).unwrap(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
            recruiting: None,
            filters: Filters::default(),
            replace: false,
        },
    )
    .await
    .unwrap();
    sync(store, &company).await;
    company
}

pub async fn sync(store: &Store, company: &Company) {
    let client = bridge_sync::link::client_for(store, company).await.unwrap();
    let summary = SyncEngine::new(store.clone(), client, company.clone())
        .run(&SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Succeeded, "{summary:?}");
}

/// A client that keeps cookies and does not follow redirects (tests look at them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of a hidden input named `name` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Signs in through the login form; returns the session's CSRF token from the start page.
pub async fn sign_in(bridge: &Bridge, client: &reqwest::Client) -> String {
    let page = client
        .get(bridge.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let response = client
        .post(bridge.url("/login"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "signed in and sent to the start page"
    );
    let home = client
        .get(bridge.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    hidden(&home, "csrf")
}
