//! `archivist retrieve`: a deposited release back out of an OCFL root, byte for byte.

use super::RetrieveArgs;
use crate::error::{ExitStatus, Result};
use crate::ocfl::read::{self, Wanted};
use std::io::Write;

pub fn run(args: &RetrieveArgs) -> Result<ExitStatus> {
    let wanted = match (&args.release, &args.id) {
        (_, Some(id)) => Wanted::Version {
            id,
            version: args.object_version.as_deref(),
        },
        (Some(name), None) => Wanted::Name(name),
        (None, None) => unreachable!("clap requires a release or --id"),
    };
    let root = crate::ocfl::tree::Root::parse(&args.root)?.open()?;
    let got = read::retrieve(root.as_ref(), wanted, &args.out)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "retrieved {} from {} of `{}`\n{}  sha256 {} (as deposited)",
        got.name,
        got.version,
        got.id,
        got.zip.display(),
        got.sha256
    )?;
    for path in got.sidecar.iter().chain(got.signature.iter()) {
        writeln!(out, "{}", path.display())?;
    }
    Ok(ExitStatus::Success)
}
