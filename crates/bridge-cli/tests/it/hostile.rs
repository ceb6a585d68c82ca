//! Hostile arguments and settings: odd, huge, non-UTF-8 or malformed values for `--db`,
//! filters, resources, names and the environment give a message and an exit code, never a
//! panic. `PROPTEST_CASES` raises the count (default 24: each case starts the binary).

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStringExt;
use std::process::{Command, Stdio};

use proptest::prelude::*;

use crate::BIN;

/// A value a user, a script or a broken environment could pass.
fn hostile_value() -> impl Strategy<Value = OsString> {
    let text = prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        Just("-".to_owned()),
        Just("--".to_owned()),
        Just("../../../../etc/passwd".to_owned()),
        Just("sqlite://".to_owned()),
        Just("sqlite:///nonexistent/dir/x.db".to_owned()),
        Just("postgres://127.0.0.1:1/none".to_owned()),
        Just("postgres://".to_owned()),
        Just("mysql://x".to_owned()),
        Just("employees,,employees,nope".to_owned()),
        Just("%00%ff".to_owned()),
        (1usize..200_000).prop_map(|n| "x".repeat(n)),
        "[^\\x00]{0,60}",
        "\\PC{0,30}",
    ];
    prop_oneof![
        4 => text.prop_map(OsString::from),
        1 => prop::collection::vec(1u8..=255, 0..40).prop_map(OsString::from_vec),
    ]
}

/// Where the hostile value goes: (arguments before it, arguments after it, or an env var).
const PLACES: &[(&[&str], &[&str], Option<&str>)] = &[
    (&["--db"], &["status"], None),
    (&["sync", "--resources"], &[], None),
    (&["sync", "--company"], &[], None),
    (
        &[
            "export",
            "--company",
            "acme",
            "--format",
            "csv",
            "--resource",
        ],
        &[],
        None,
    ),
    (
        &[
            "export",
            "--company",
            "acme",
            "--resource",
            "employees",
            "--format",
        ],
        &[],
        None,
    ),
    (&["--log-level"], &["status"], None),
    (
        &[
            "connect",
            "--base-url",
            "http://127.0.0.1:1",
            "--client-id",
            "x",
            "--client-secret-stdin",
            "--company",
        ],
        &[],
        None,
    ),
    (
        &[
            "connect",
            "--company",
            "acme",
            "--client-id",
            "x",
            "--client-secret-stdin",
            "--base-url",
        ],
        &[],
        None,
    ),
    (
        &[
            "connect",
            "--company",
            "acme",
            "--base-url",
            "http://127.0.0.1:1",
            "--client-id",
            "x",
            "--client-secret-stdin",
            "--status",
        ],
        &[],
        None,
    ),
    (
        &[
            "connect",
            "--company",
            "acme",
            "--base-url",
            "http://127.0.0.1:1",
            "--client-id",
            "x",
            "--client-secret-stdin",
            "--legal-entity",
        ],
        &[],
        None,
    ),
    (&["status"], &[], Some("PERSONIO_BRIDGE_DB")),
    (&["status"], &[], Some("PERSONIO_BRIDGE_KEY")),
    (&["status"], &[], Some("RUST_LOG")),
    (
        &[
            "connect",
            "--company",
            "acme",
            "--base-url",
            "http://127.0.0.1:1",
            "--client-id",
            "x",
        ],
        &[],
        Some("PERSONIO_CLIENT_SECRET"),
    ),
];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_arguments_and_settings_give_a_message_never_a_panic(
        place in 0..PLACES.len(),
        value in hostile_value(),
    ) {
        let (before, after, env) = PLACES[place];
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(BIN);
        command
            .current_dir(dir.path())
            .env_remove("PERSONIO_BRIDGE_DB")
            .env_remove("PERSONIO_CLIENT_SECRET")
            .env_remove("RUST_LOG")
            .env("PERSONIO_BRIDGE_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
            .args(before);
        match env {
            Some(name) => { command.env(name, &value); }
            None => { command.arg(&value); }
        }
        command.args(after).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        // A value with a NUL byte cannot be passed at all; nothing to test then.
        let Ok(mut child) = command.spawn() else { return Ok(()) };
        let _ = child.stdin.take().unwrap().write_all(b"secret\n");
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        prop_assert!(!stderr.contains("panicked"), "{before:?} {value:?}: {stderr}");
        let code = output.status.code();
        prop_assert!(
            matches!(code, Some(0..=4)),
            "{before:?} {value:?} {after:?} (env {env:?}) ended with {:?}: {stderr}",
            output.status
        );
    }
}
