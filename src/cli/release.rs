//! `archivist release`: the whole pipeline, then the bag in a zip and its sidecar.

use super::ReleaseArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::package::{self, ReleaseOutcome, ReleaseSettings};
use std::io::{IsTerminal, Write};

pub fn run(args: &ReleaseArgs, quiet: bool) -> Result<ExitStatus> {
    let (mut dataset, locations) = args.input.load(args.out.as_deref())?;
    if let Some(version) = &args.release_version {
        if !crate::config::is_semver(version) {
            return Err(Error::Usage(format!(
                "--version {version}: not a semantic version MAJOR.MINOR.PATCH (e.g. 1.2.0)"
            )));
        }
        dataset.version = version.clone();
    }
    // The key is read (and decrypted) first: a wrong password stops the release before any work.
    let signer = args
        .sign
        .as_deref()
        .map(crate::sign::Signer::load)
        .transpose()?;
    let settings = ReleaseSettings {
        raw_dir: locations.raw_dir,
        config_path: args.input.config_path(),
        out_dir: locations.out_dir,
        exclude: locations.exclude,
        dry_run: args.dry_run,
        limits: args.input.limits(),
        progress: !quiet && std::io::stderr().is_terminal(),
        previous: match (&args.previous, args.first) {
            (Some(path), _) => package::Previous::Path(path.clone()),
            (None, true) => package::Previous::None,
            (None, false) => package::Previous::Latest,
        },
    };
    let outcome = package::release(&settings, &dataset)?;
    let mut out = std::io::stdout().lock();
    match outcome {
        ReleaseOutcome::Invalid(problems) => {
            for problem in problems.kept() {
                eprintln!("{problem}");
            }
            print_more(problems.unkept());
            let errors = problems.errors();
            eprintln!("error: {errors} error(s) in the input; nothing was written");
            Ok(ExitStatus::Invalid)
        }
        ReleaseOutcome::Created(summary) => {
            print_warnings(&summary, quiet);
            writeln!(
                out,
                "released {} documents ({} bytes raw) in {:.2}s\n{}  {}\nsidecar {}",
                summary.documents,
                summary.raw_bytes,
                summary.elapsed.as_secs_f64(),
                summary.sha256,
                summary.zip.display(),
                summary.sidecar.display()
            )?;
            sign(signer.as_ref(), &summary, &mut out)?;
            Ok(ExitStatus::Success)
        }
        ReleaseOutcome::DryRun {
            summary,
            changes,
            exists,
        } => {
            print_warnings(&summary, quiet);
            writeln!(
                out,
                "dry run: {} documents ({} bytes raw) would be released as {} ({} bytes)\n{}  {}",
                summary.documents,
                summary.raw_bytes,
                summary.zip.display(),
                summary.zip_bytes,
                summary.sha256,
                summary.zip.display()
            )?;
            match exists {
                Some(true) => writeln!(out, "identical to the release already there")?,
                Some(false) => writeln!(
                    out,
                    "a different {} exists already: the release would be refused",
                    summary.zip.display()
                )?,
                None => {}
            }
            match changes {
                Some(changes) => write!(out, "\n{changes}")?,
                None => writeln!(out, "a first release: it follows none")?,
            }
            writeln!(out, "nothing was written")?;
            Ok(ExitStatus::Success)
        }
        ReleaseOutcome::Unchanged(summary) => {
            writeln!(
                out,
                "{} is released already with identical content; nothing to do\n{}  {}",
                dataset.release_name(),
                summary.sha256,
                summary.zip.display()
            )?;
            sign(signer.as_ref(), &summary, &mut out)?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Sign the sidecar when a key was given (a release already signed with that key is left as is).
fn sign(
    signer: Option<&crate::sign::Signer>,
    summary: &package::Summary,
    out: &mut impl Write,
) -> Result<()> {
    let Some(signer) = signer else {
        return Ok(());
    };
    let written = crate::sign::sign_sidecar(signer, &summary.sidecar)?;
    let signature = crate::sign::signature_path(&summary.sidecar);
    if written {
        writeln!(
            out,
            "signature {} (key {})",
            signature.display(),
            signer.key_id()
        )?;
    } else {
        writeln!(
            out,
            "signature {} (key {}) exists already and is valid",
            signature.display(),
            signer.key_id()
        )?;
    }
    Ok(())
}

/// How many warnings of each kind were not shown (the release keeps the first few of each).
/// The warnings a release met (the first of each kind, and counts of the rest), unless quiet.
fn print_warnings(summary: &crate::package::Summary, quiet: bool) {
    if !quiet {
        for warning in &summary.warnings {
            eprintln!("{warning}");
        }
        print_more(summary.more_warnings.iter().copied());
    }
}

fn print_more(unkept: impl Iterator<Item = (&'static str, usize)>) {
    for (code, count) in unkept {
        eprintln!("warning[{code}]: ... and {count} more");
    }
}
