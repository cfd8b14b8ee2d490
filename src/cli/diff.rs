//! `archivist diff`: what changed from one release to the next.

use super::DiffArgs;
use crate::diff::{self, Release};
use crate::error::{Error, ExitStatus, Result};
use crate::verify::VerifySettings;
use std::io::Write;

pub fn run(args: &DiffArgs) -> Result<ExitStatus> {
    let settings = VerifySettings::default();
    // Like diff(1): 1 means "they differ", so a release that cannot be compared is exit 2.
    let load = |path| match Release::load(path, &settings) {
        Err(Error::Refused { message, hint }) => {
            eprintln!("error: {message}");
            if let Some(hint) = hint {
                eprintln!("hint: {hint}");
            }
            Ok(None)
        }
        other => other.map(Some),
    };
    let (Some(old), Some(new)) = (load(&args.old)?, load(&args.new)?) else {
        return Ok(ExitStatus::Error);
    };
    let report = diff::diff(&old, &new);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).expect("diff serializes")
        )?;
    } else {
        write!(out, "{}", diff::render_text(&report))?;
    }
    out.flush()?;
    Ok(if report.identical {
        ExitStatus::Success
    } else {
        ExitStatus::Invalid
    })
}
