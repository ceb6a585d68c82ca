//! What the browser tests stand on: chromedriver as a child process on a free port (ended by
//! a guard, also when a test fails), a headless Chromium session over WebDriver, the service
//! on 127.0.0.1:0 over a fresh SQLite store, and numbered screenshots of every step.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bridge_server::{Server, ServerConfig};
use bridge_store::{Location, OpenOptions, Store};
use fantoccini::{Client, ClientBuilder, Locator};
use secrecy::SecretString;
use serde_json::json;
use tokio::sync::{Mutex, MutexGuard, oneshot};

/// Where chromedriver is, when it is not on PATH.
pub const CHROMEDRIVER_ENV: &str = "PERSONIO_BRIDGE_CHROMEDRIVER";

/// The admin password of every test service.
pub const PASSWORD: &str = "correct horse battery";

/// One browser at a time: the machines these run on have few cores.
static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

/// chromedriver, from the environment variable or PATH.
fn chromedriver_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CHROMEDRIVER_ENV) {
        return Some(PathBuf::from(path));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("chromedriver"))
        .find(|candidate| candidate.is_file())
}

/// A running chromedriver; dropping it ends chromedriver and the browsers it started.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // chromedriver leads its own process group (see `start`), so this ends the
        // Chromium processes it launched too, even when a test failed half-way.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session, the driver behind it, and the lock that keeps it the only one.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _turn: MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. `None` (after saying why) when
    /// chromedriver is not installed, unless `CI` is set: then it is a failure, so CI can
    /// never stop testing the pages without anyone noticing.
    pub async fn start() -> Option<Browser> {
        Browser::start_preferring(None).await
    }

    /// Like [`Browser::start`], with the browser's `Accept-Language` set (e.g. `de-DE,de`).
    pub async fn start_preferring(languages: Option<&str>) -> Option<Browser> {
        let Some(path) = chromedriver_path() else {
            let why = format!(
                "chromedriver not found on PATH or in {CHROMEDRIVER_ENV}; \
                 install Debian's chromium and chromium-driver to run the browser tests"
            );
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("skipped: {why}");
            return None;
        };
        let turn = ONE_BROWSER.lock().await;
        let driver = start_driver(&path).await;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,1100".to_owned(),
        ];
        if let Some(languages) = languages {
            args.push(format!("--accept-lang={languages}"));
        }
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "args": args, "prefs": { "intl.accept_languages": languages.unwrap_or("en-US,en") } }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver at {} started no browser: {e}", driver.url));
        Some(Browser {
            client,
            _driver: driver,
            _turn: turn,
        })
    }

    /// Ends the browser session (the guard ends chromedriver).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

async fn start_driver(path: &Path) -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut command = Command::new(path);
    command
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {}: {e}", path.display()));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let status = format!("{}/status", driver.url);
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = http.get(&status).send().await
            && let Ok(body) = response.json::<serde_json::Value>().await
            && body["value"]["ready"] == true
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not become ready at {status}");
}

/// Numbered screenshots of a test's steps in `<target>/artifacts/browser/<test>/`.
pub struct Shots {
    dir: PathBuf,
    taken: usize,
}

impl Shots {
    pub fn new(test: &str) -> Shots {
        let dir = target_dir().join("artifacts").join("browser").join(test);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the screenshot directory");
        Shots { dir, taken: 0 }
    }

    /// Saves the page as `<nn>-<step>.png`.
    pub async fn take(&mut self, client: &Client, step: &str) {
        self.taken += 1;
        let png = client.screenshot().await.expect("a screenshot");
        let file = self.dir.join(format!("{:02}-{step}.png", self.taken));
        std::fs::write(&file, png).expect("write the screenshot");
    }
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, or three levels above this test binary
/// (`<target>/<profile>/deps/browser-…`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("the test binary lives in <target>/<profile>/deps")
}

/// The service on a free port over a fresh SQLite store, with [`PASSWORD`] set.
pub struct Bridge {
    pub base_url: String,
    pub store: Store,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Bridge {
    pub async fn spawn() -> Bridge {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let key = bridge_store::secrets::Key::from_bytes([9u8; 32]).to_base64();
        let store = Store::open(
            &Location::Sqlite(dir.path().join("bridge.db")),
            OpenOptions {
                key: Some(key),
                ..Default::default()
            },
        )
        .await
        .expect("open the store");
        bridge_server::admin::set(&store, &SecretString::from(PASSWORD.to_owned()))
            .await
            .expect("set the admin password");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(Server::new(store.clone(), ServerConfig::default()).serve(
            listener,
            async move {
                let _ = stopped.await;
            },
        ));
        Bridge {
            base_url: format!("http://{addr}"),
            store,
            stop: Some(stop),
            _dir: dir,
        }
    }

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

/// Types into the field with id `id`, replacing what it held.
pub async fn fill(client: &Client, id: &str, text: &str) {
    let field = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
    field.clear().await.expect("clear the field");
    field.send_keys(text).await.expect("type into the field");
}

pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("could not click {css}: {e}"));
}

/// The text of the element with id `id`, waiting (bounded) for it to appear.
pub async fn text_of(client: &Client, id: &str) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id} appeared: {e}"))
        .text()
        .await
        .expect("the element's text")
}

/// The value of the input with id `id`.
pub async fn value_of(client: &Client, id: &str) -> String {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field #{id}: {e}"))
        .prop("value")
        .await
        .expect("the field's value")
        .unwrap_or_default()
}
