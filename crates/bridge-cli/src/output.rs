//! Text or JSON on stdout.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Prints one JSON value on its own line.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A closed stdout (`| head`) is not an error, however the write error was wrapped.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || e.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
            || e.downcast_ref::<csv::Error>().is_some_and(
                |c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe),
            )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_closed_pipe_is_recognised_however_it_is_wrapped() {
        let io = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(super::is_broken_pipe(&anyhow::Error::from(io())));
        assert!(super::is_broken_pipe(
            &anyhow::Error::from(io()).context("writing")
        ));
        assert!(super::is_broken_pipe(&anyhow::Error::from(
            serde_json::Error::io(io())
        )));
        assert!(!super::is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
