//! `--config FILE` and `config check`: a file with every setting, bad values, inline secrets
//! (refused, never echoed), and the precedence file < environment < flag.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::{BIN, read_line, terminate};

const EVERY_SETTING: &str = r#"
db = "from-file.db"
db_pool = 4
log_level = "warn"
log_format = "text"
otlp_endpoint = "http://127.0.0.1:4318"
[serve]
listen = "127.0.0.1:0"
admin_password_file = "password"
secure_cookies = true
workers = 0
sync_interval = "30m"
public_url = "https://bridge.example.com"
frame_ancestors = ["https://app.example.com"]
allow_private_webhooks = true
[worker]
name = "w1"
lease = "30s"
poll = "2s"
interval = "2h"
listen = "127.0.0.1:0"
allow_private_webhooks = false
"#;

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("PERSONIO_BRIDGE_DB")
        .env_remove("PERSONIO_BRIDGE_KEY")
        .env_remove("PERSONIO_BRIDGE_CONFIG")
        .env_remove("PERSONIO_BRIDGE_LOG_FORMAT")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn config_check_passes_a_file_with_every_setting_and_names_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.toml"), EVERY_SETTING).unwrap();
    let checked = run(dir.path(), &["config", "check", "good.toml"], &[]);
    let (out, err) = text(&checked);
    assert!(checked.status.success(), "{out}{err}");
    assert!(out.contains("good.toml: fine (19 settings)"), "{out}");

    std::fs::write(
        dir.path().join("bad.toml"),
        "db_pool = 0\nlog_format = \"xml\"\ncolor = true\n[serve]\nworkers = 99\nlisten = \"here\"\n[worker]\npoll = \"often\"\n",
    )
    .unwrap();
    let checked = run(dir.path(), &["config", "check", "bad.toml"], &[]);
    let (out, err) = text(&checked);
    assert_eq!(checked.status.code(), Some(1), "{out}{err}");
    for expected in [
        "bad.toml: db_pool: must be a whole number from 1 to 1000",
        "bad.toml: log_format: \"xml\" must be one of text, json",
        "bad.toml: color: unknown setting",
        "bad.toml: serve.workers: must be a whole number from 0 to 64",
        "bad.toml: serve.listen: \"here\" must be HOST:PORT",
        "bad.toml: worker.poll: \"often\" is not a duration",
    ] {
        assert!(out.contains(expected), "{expected} in {out}");
    }
    assert!(err.contains("bad.toml has 6 problems"), "{err}");

    // A command given the bad file refuses to start (bad usage), naming the problems.
    let refused = run(dir.path(), &["--config", "bad.toml", "status"], &[]);
    let (_, err) = text(&refused);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(err.contains("serve.workers"), "{err}");

    let missing = run(dir.path(), &["config", "check", "nowhere.toml"], &[]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn an_inline_secret_is_refused_without_being_repeated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("secret.toml"),
        "db = \"postgres://bridge:pw-Inline-3c9f@127.0.0.1:9/bridge\"\n[serve]\nadmin_password = \"pw-Inline-77ab\"\n",
    )
    .unwrap();
    for args in [
        &["config", "check", "secret.toml"][..],
        &["--config", "secret.toml", "serve"],
    ] {
        let output = run(dir.path(), args, &[]);
        let (out, err) = text(&output);
        assert!(!output.status.success(), "{args:?}");
        let all = format!("{out}{err}");
        assert!(
            all.contains("serve.admin_password: a secret is never read from the config file"),
            "{all}"
        );
        assert!(all.contains("admin_password_file"), "{all}");
        assert!(
            all.contains("db: the database URL carries a password"),
            "{all}"
        );
        assert!(!all.contains("pw-Inline"), "the secret is repeated: {all}");
    }
}

/// The store a command used, told by the key file it created beside it.
fn store_used(output: &Output) -> String {
    let (out, err) = text(output);
    assert!(output.status.success(), "{out}{err}");
    err.lines()
        .find_map(|line| line.strip_prefix("created the encryption key file "))
        .and_then(|rest| rest.split(".key").next())
        .unwrap_or_else(|| panic!("no key file announced: {err}"))
        .to_owned()
}

#[test]
fn the_file_gives_way_to_the_environment_and_the_environment_to_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bridge.toml"), "db = \"from-file.db\"\n").unwrap();
    let file = run(dir.path(), &["--config", "bridge.toml", "status"], &[]);
    assert!(store_used(&file).ends_with("from-file.db"));
    let env = run(
        dir.path(),
        &["status"],
        &[
            ("PERSONIO_BRIDGE_CONFIG", "bridge.toml"),
            ("PERSONIO_BRIDGE_DB", "from-env.db"),
        ],
    );
    assert!(store_used(&env).ends_with("from-env.db"));
    let flag = run(
        dir.path(),
        &["--config", "bridge.toml", "--db", "from-flag.db", "status"],
        &[("PERSONIO_BRIDGE_DB", "from-env.db")],
    );
    assert!(store_used(&flag).ends_with("from-flag.db"));

    // A subcommand's settings come from its table: serve listens where the file says, with
    // the password file and worker count it names.
    std::fs::write(dir.path().join("password"), "a long admin password\n").unwrap();
    std::fs::write(
        dir.path().join("every.toml"),
        EVERY_SETTING.replace("otlp_endpoint = \"http://127.0.0.1:4318\"\n", ""),
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["--config", "../every.toml", "serve"])
        .current_dir({
            let sub = dir.path().join("run");
            std::fs::create_dir_all(&sub).unwrap();
            std::fs::copy(dir.path().join("password"), sub.join("password")).unwrap();
            sub
        })
        .env_remove("PERSONIO_BRIDGE_DB")
        .env_remove("PERSONIO_BRIDGE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let line = read_line(&mut stdout);
    assert!(
        line.starts_with("bridge listening on http://127.0.0.1:"),
        "port 0 from the file, not the default 8080: {line:?}"
    );
    terminate(&child);
    assert!(child.wait().unwrap().success());
}
