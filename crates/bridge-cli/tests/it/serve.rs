//! `serve` and `api-keys` as an operator runs them.

use std::process::Command;

use crate::{BIN, read_line, spawn, terminate};

fn run(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(BIN)
        .args(args)
        .env(
            "PERSONIO_BRIDGE_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn api_keys_are_printed_once_listed_without_the_key_and_revocable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    let db = db.to_str().unwrap();
    let (ok, out, err) = run(&["--db", db, "api-keys", "create", "--name", "reports"]);
    assert!(ok, "{err}");
    let key = out.lines().last().unwrap();
    assert!(key.starts_with("pbk_") && key.len() > 40, "{out}");
    let (ok, listed, _) = run(&["--db", db, "api-keys", "list"]);
    assert!(ok);
    assert!(listed.contains("reports") && listed.contains("active"));
    assert!(!listed.contains(key), "the key is never shown again");
    let (ok, _, err) = run(&["--db", db, "api-keys", "create", "--name", "reports"]);
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, _) = run(&["--db", db, "api-keys", "revoke", "--name", "reports"]);
    assert!(ok);
    let (_, listed, _) = run(&["--db", db, "api-keys", "list"]);
    assert!(listed.contains("revoked"));
    let (ok, _, err) = run(&["--db", db, "api-keys", "revoke", "--name", "reports"]);
    assert!(!ok && err.contains("no active API key"), "{err}");
}

#[test]
fn api_keys_carry_scopes_and_companies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    let db = db.to_str().unwrap();
    let (ok, out, err) = run(&[
        "--db",
        db,
        "api-keys",
        "create",
        "--name",
        "vendor",
        "--scope",
        "link",
        "--scope",
        "read",
        "--company",
        "acme",
        "--company",
        "globex",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.lines().last().unwrap().starts_with("pbk_"),
        "the key is the last line: {out}"
    );
    assert!(err.contains("no company named acme is linked yet"), "{err}");
    let (_, listed, _) = run(&["--db", db, "api-keys", "list"]);
    assert!(
        listed.contains("read+link company acme, globex"),
        "{listed}"
    );
    let (ok, _, err) = run(&[
        "--db", db, "api-keys", "create", "--name", "x", "--scope", "root",
    ]);
    assert!(!ok && err.contains("root"), "{err}");
    let (ok, _, err) = run(&[
        "--db",
        db,
        "api-keys",
        "create",
        "--name",
        "y",
        "--company",
        "a b",
    ]);
    assert!(!ok && err.contains("--company"), "{err}");
}

#[test]
fn serve_refuses_a_frame_ancestor_that_is_not_an_origin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    let password = dir.path().join("password");
    std::fs::write(&password, "a long admin password\n").unwrap();
    let (ok, _, err) = run(&[
        "--db",
        db.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-password-file",
        password.to_str().unwrap(),
        "--frame-ancestors",
        "https://app.example.com/path",
    ]);
    assert!(!ok && err.contains("--frame-ancestors"), "{err}");
}

#[test]
fn serve_announces_its_address_first_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bridge.db");
    let password = dir.path().join("password");
    std::fs::write(&password, "a long admin password\n").unwrap();
    let (ok, _, err) = run(&[
        "--db",
        db.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(
        !ok && err.contains("--admin-password-file"),
        "no password, no terminal: {err}"
    );
    let (mut child, mut stdout) = spawn(&[
        "--db",
        db.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--admin-password-file",
        password.to_str().unwrap(),
    ]);
    let line = read_line(&mut stdout);
    let url = line
        .strip_prefix("bridge listening on http://127.0.0.1:")
        .map(|port| format!("http://127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("first line: {line:?}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("{url}/api/v1/companies"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 401);
    terminate(&child);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}
