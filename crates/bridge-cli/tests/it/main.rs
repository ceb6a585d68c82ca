//! The built `personio-bridge` binary, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod audit;
mod bench_fleet;
mod bridge;
mod config;
mod governance;
mod hostile;
mod keys;
mod logs;
mod otlp;
mod probes;
mod sandbox;
mod serve;
mod workers;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_personio-bridge");

/// Starts the binary with `args`, stdout piped.
pub fn spawn(args: &[&str]) -> (Child, BufReader<ChildStdout>) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start personio-bridge");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdout)
}

pub fn read_line(reader: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.trim_end_matches('\n').to_owned()
}

/// Sends SIGTERM, as a service manager would.
pub fn terminate(child: &Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}
