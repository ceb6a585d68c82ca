//! `keys rotate` killed with SIGKILL at seeded moments: whatever the moment, the store opens
//! afterwards (with the old key or the new one) and every sealed secret opens to what it was;
//! a rotation run after the kill finishes.
//!
//! Kill moments: right after start; right after the process logs a step of the rotation
//! (the new key written, the store sealed with it, the key file replaced) plus a seeded pause
//! of up to 2 ms; or a seeded moment within the length of an uninterrupted rotation.
//! `KEY_CRASH_RUNS` (default 12) and `KEY_CRASH_SEED` (default 1) choose the runs.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bridge_store::{Location, NewCompany, NewSubscription, OpenOptions, Store};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use secrecy::{ExposeSecret, SecretString};

use crate::BIN;

/// Companies and webhook subscriptions sealed in each store: enough that the re-sealing
/// transaction takes a while for kills to land in.
const COMPANIES: usize = 150;
const WEBHOOKS: usize = 150;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn open(db: &Path) -> Store {
    Store::open(
        &Location::Sqlite(db.to_path_buf()),
        OpenOptions {
            key: Some(String::new()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// A store with sealed secrets, its key in the key file beside it.
async fn populate(db: &Path) {
    let store = open(db).await;
    let now = chrono::Utc::now();
    for n in 0..COMPANIES {
        store
            .add_company(
                NewCompany {
                    name: format!("company-{n}"),
                    base_url: "http://127.0.0.1:1".into(),
                    client_id: format!("client-{n}"),
                    client_secret: SecretString::from(format!("secret-{n}")),
                    recruiting: Some((SecretString::from(format!("token-{n}")), 1)),
                    filters: Default::default(),
                    granted: serde_json::json!({}),
                },
                now,
            )
            .await
            .unwrap();
    }
    for n in 0..WEBHOOKS {
        store
            .add_webhook(
                NewSubscription {
                    url: format!("http://127.0.0.1:9/hook/{n}"),
                    events: vec!["*".into()],
                    company: None,
                    secret: SecretString::from(format!("whsec-{n}")),
                },
                now,
            )
            .await
            .unwrap();
    }
    store.close().await;
}

/// Opens the store as any command would and checks that every secret opens to its value.
async fn check(db: &Path) {
    let store = open(db).await;
    for n in [0, COMPANIES / 2, COMPANIES - 1] {
        let company = store.company(&format!("company-{n}")).await.unwrap();
        let credentials = store
            .credentials(&company)
            .await
            .unwrap_or_else(|e| panic!("company-{n}: {e}"));
        assert_eq!(
            credentials.client_secret.expose_secret(),
            format!("secret-{n}")
        );
        let (token, _) = credentials.recruiting.unwrap();
        assert_eq!(token.expose_secret(), format!("token-{n}"));
    }
    // The webhooks' secrets open where deliveries are claimed; a wrong key leaves them None.
    let hooks = store.webhooks().await.unwrap();
    assert_eq!(hooks.len(), WEBHOOKS);
    store.close().await;
    let key = std::fs::read_to_string(db.with_file_name("bridge.db.key")).unwrap();
    let key = bridge_store::secrets::Key::from_base64(&key).unwrap();
    sqlx::any::install_default_drivers();
    let mut conn =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, secret FROM webhook_subscriptions")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    for (id, sealed) in rows {
        let secret = key
            .open(&format!("webhook:{id}/secret"), &sealed)
            .unwrap_or_else(|| panic!("webhook {id} does not open with the key file"));
        assert!(secret.expose_secret().starts_with("whsec-"));
    }
}

fn rotate(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(["--log-level", "info", "--db", "bridge.db", "keys", "rotate"])
        .current_dir(dir)
        .env_remove("PERSONIO_BRIDGE_KEY")
        .env_remove("PERSONIO_BRIDGE_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone, Copy)]
enum Moment {
    AtStart,
    AfterStep(usize, Duration),
    After(Duration),
}

#[test]
fn a_rotation_killed_at_any_moment_leaves_a_store_that_opens() {
    let runtime = runtime();
    let runs = env_number("KEY_CRASH_RUNS", 12);
    let seed = env_number("KEY_CRASH_SEED", 1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // How long an uninterrupted rotation takes here, for the time-based moments.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    runtime.block_on(populate(&db));
    let started = Instant::now();
    let out = rotate(dir.path()).output().unwrap();
    let whole = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    runtime.block_on(check(&db));
    eprintln!(
        "an uninterrupted rotation of {COMPANIES} companies and {WEBHOOKS} webhooks: {whole:?}"
    );

    let (mut old, mut new) = (0, 0);
    for run in 0..runs {
        let moment = match run % 3 {
            _ if run == 0 => Moment::AtStart,
            0 => Moment::After(whole.mul_f64(rng.random_range(0.0..1.2))),
            1 => Moment::AfterStep(
                rng.random_range(0..3),
                Duration::from_micros(rng.random_range(0..2_000)),
            ),
            _ => Moment::After(whole.mul_f64(rng.random_range(0.3..1.0))),
        };
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bridge.db");
        runtime.block_on(populate(&db));
        let key_file = dir.path().join("bridge.db.key");
        let before = std::fs::read_to_string(&key_file).unwrap();

        let mut child = rotate(dir.path()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (steps, seen) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("key rotation") {
                    let _ = steps.send(line);
                }
            }
        });
        match moment {
            Moment::AtStart => {}
            Moment::After(pause) => runtime.block_on(async { tokio::time::sleep(pause).await }),
            Moment::AfterStep(step, pause) => {
                for _ in 0..=step {
                    if seen.recv_timeout(Duration::from_secs(60)).is_err() {
                        break;
                    }
                }
                runtime.block_on(async { tokio::time::sleep(pause).await });
            }
        }
        let _ = child.kill();
        let _ = child.wait();

        let pending = dir.path().join("bridge.db.key.new").exists();
        // Opening settles what the kill left; every secret opens with the key file.
        runtime.block_on(check(&db));
        let after = std::fs::read_to_string(&key_file).unwrap();
        if after == before {
            old += 1;
        } else {
            new += 1;
        }
        assert!(
            !dir.path().join("bridge.db.key.new").exists(),
            "run {run} ({moment:?}): a pending key file is left after opening"
        );
        // A rotation after the kill finishes, and the store still opens.
        let out = rotate(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "run {run} ({moment:?}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        runtime.block_on(check(&db));
        let key = if after == before { "old" } else { "new" };
        eprintln!(
            "run {run}: killed {moment:?}; pending key file left: {pending}; opened with the {key} key"
        );
    }
    eprintln!("{runs} kills: {old} left the old key, {new} the new");
    assert!(old >= 1, "a kill at the start leaves the old key");
}
