//! The `archivist` binary: parse the command line, set up logging on stderr, run the command,
//! and map the outcome to the exit code (0 ok, 1 invalid or refused, 2 usage, config or I/O).

use archivist::cli::{self, Cli};
use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colour = cli::colour_on_stderr();
    init_logging(cli.verbose, cli.quiet, colour);
    match cli::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        // A reader that stopped reading (`archivist man | head`) is not an error.
        Err(archivist::error::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(error) => {
            let (error_label, hint_label) = if colour {
                ("\x1b[1;31merror\x1b[0m", "\x1b[1;36mhint\x1b[0m")
            } else {
                ("error", "hint")
            };
            // Written, not `eprintln!`: a closed stderr (`2>&1 | head -1`) must not turn the
            // exit code into a panic's.
            use std::io::Write;
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{error_label}: {error}");
            if let Some(hint) = error.hint() {
                let _ = writeln!(stderr, "{hint_label}: {hint}");
            }
            ExitCode::from(error.exit_status().code())
        }
    }
}

/// Logs go to stderr; `RUST_LOG` wins over `-v`/`-q` when it is set.
fn init_logging(verbose: u8, quiet: bool, colour: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("archivist={level}")));
    // The HTTP and TLS crates log whole request URLs at debug and trace, and a presigned S3 URL
    // is a credential for its lifetime: their records never reach the log, whatever RUST_LOG says.
    use tracing_subscriber::layer::{Layer, SubscriberExt};
    use tracing_subscriber::util::SubscriberInitExt;
    let quiet_transport = tracing_subscriber::filter::filter_fn(|meta| {
        let target = meta.target();
        !["ureq", "ureq_proto", "rustls", "hyper", "h2"]
            .iter()
            .any(|t| target == *t || target.starts_with(&format!("{t}::")))
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .without_time()
        .with_filter(quiet_transport);
    tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .init();
}
