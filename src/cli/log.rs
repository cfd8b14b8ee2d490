//! `archivist log`: the objects and versions of an OCFL storage root.

use super::LogArgs;
use crate::error::{ExitStatus, Result};
use std::io::Write;

pub fn run(args: &LogArgs) -> Result<ExitStatus> {
    let root = crate::ocfl::tree::Root::parse(&args.root)?.open()?;
    let objects = crate::ocfl::read::log(root.as_ref(), args.id.as_deref())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let report = serde_json::json!({
            "root": args.root.display().to_string(),
            "objects": objects,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).expect("the log serializes")
        )?;
        return Ok(ExitStatus::Success);
    }
    for object in &objects {
        writeln!(
            out,
            "object {}  ({}, head {})",
            object.id, object.path, object.head
        )?;
        for v in &object.versions {
            let user = match (&v.user, &v.address) {
                (Some(name), Some(address)) => format!("{name} <{address}>"),
                (Some(name), None) => name.clone(),
                _ => "-".into(),
            };
            writeln!(
                out,
                "  {}  {}  {user}",
                v.version,
                v.created.as_deref().unwrap_or("-")
            )?;
            if let Some(release) = &v.release {
                writeln!(
                    out,
                    "      release {release}  zip sha256 {}",
                    v.zip_sha256.as_deref().unwrap_or("-")
                )?;
            }
            if let Some(message) = &v.message {
                writeln!(out, "      {message}")?;
            }
        }
    }
    let versions: usize = objects.iter().map(|o| o.versions.len()).sum();
    writeln!(
        out,
        "{} object(s), {versions} version(s) in {}",
        objects.len(),
        args.root.display()
    )?;
    Ok(ExitStatus::Success)
}
