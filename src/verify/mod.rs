//! `verify`: is a downloaded release intact? A release zip (checked in place, nothing extracted)
//! or an extracted bag folder.
//!
//! For a zip: its SHA-256 against `--sha256` and/or the `<zip>.sha256` sidecar; every entry
//! checked for safety before anything is read ([`source`]); then the bag ([`bag`]), each entry
//! inflated and hashed once; then, for archivist releases, the records and data package
//! ([`content`]). All problems are collected.

pub mod bag;
pub mod content;
pub mod source;

use crate::error::{Error, Result};
use crate::problem::{self, Problem};
use serde::Serialize;
use source::{BagSource, DirSource, ZipLimits, ZipSource};
use std::path::Path;

/// What `verify` needs, resolved.
#[derive(Clone, Debug, Default)]
pub struct VerifySettings {
    /// The archive's expected SHA-256 (e.g. from a landing page), lowercase hex.
    pub sha256: Option<String>,
    pub limits: ZipLimits,
    pub ocfl: crate::ocfl::validate::OcflLimits,
}

/// The outcome of a verification.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    pub path: String,
    /// `zip`, `bag`, `ocfl-root` or `ocfl-object`.
    pub kind: &'static str,
    pub intact: bool,
    /// The archive's SHA-256 (zips), and what it was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub checksum_sources: Vec<String>,
    pub bagit_version: Option<String>,
    pub files: u64,
    pub bytes: u64,
    /// Records checked (archivist releases), or null for other bags.
    pub records: Option<usize>,
    /// OCFL objects audited (OCFL roots and objects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<usize>,
    pub problems: Vec<Problem>,
}

/// Parse `--sha256`: 64 hex digits.
pub fn parse_sha256(hex: &str) -> Result<String> {
    let hex = hex.trim().to_ascii_lowercase();
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(Error::Usage(format!(
            "--sha256 `{hex}` is not a SHA-256 (64 hex digits)"
        )))
    }
}

/// Verify the release zip or bag folder at `path`.
pub fn verify(path: &Path, settings: &VerifySettings) -> Result<VerifyReport> {
    let meta = fs_err::metadata(path)?;
    let display = path.display().to_string();
    let mut problems = Vec::new();
    let mut report = VerifyReport {
        path: display.clone(),
        kind: if meta.is_dir() { "bag" } else { "zip" },
        intact: false,
        sha256: None,
        checksum_sources: Vec::new(),
        bagit_version: None,
        files: 0,
        bytes: 0,
        records: None,
        objects: None,
        problems: Vec::new(),
    };
    if meta.is_dir() && !looks_like_bag(path) {
        if settings.sha256.is_some() {
            return Err(Error::Usage(
                "--sha256 applies to a zip, not to an OCFL folder".into(),
            ));
        }
        let root = crate::ocfl::validate::is_root(path);
        let audit = if root {
            crate::ocfl::validate::validate_root_limited(path, settings.ocfl)?
        } else {
            crate::ocfl::validate::validate_object_limited(path, settings.ocfl)?
        };
        report.kind = if root { "ocfl-root" } else { "ocfl-object" };
        report.files = audit.files;
        report.bytes = audit.bytes;
        report.objects = Some(audit.objects);
        return Ok(finish(report, audit.problems));
    }
    if meta.is_dir() {
        if settings.sha256.is_some() {
            return Err(Error::Usage(
                "--sha256 applies to a zip, not to a folder".into(),
            ));
        }
        let mut source = DirSource::open(path, &mut problems)?;
        check_bag(&mut source, &mut report, &mut problems)?;
        return Ok(finish(report, problems));
    }
    // A zip: its own digest is computed on a thread of its own while the entries are checked.
    let expected = expected_digests(path, settings, &mut problems)?;
    let (actual, checked) = std::thread::scope(|s| {
        let digest = s.spawn(|| crate::package::hash_file(path));
        let checked = check_zip(path, settings, &mut report, &mut problems);
        (
            digest.join().expect("the hashing thread does not panic"),
            checked,
        )
    });
    checked?;
    let (actual, _) = actual?;
    if expected.is_empty() {
        problems.push(Problem::warning(
            &display,
            "no-checksum",
            "no --sha256 and no .sha256 sidecar: the archive as a whole is not checked against a published digest",
        ));
    }
    for (from, want) in expected {
        if want != actual {
            problems.push(Problem::error(
                &display,
                "archive-checksum",
                format!(
                    "SHA-256 is {actual}, {from} says {want}: the archive is not the one published"
                ),
            ));
        }
        report.checksum_sources.push(from);
    }
    report.sha256 = Some(actual);
    Ok(finish(report, problems))
}

/// Open the zip (checking every entry for safety) and check the bag in it.
fn check_zip(
    path: &Path,
    settings: &VerifySettings,
    report: &mut VerifyReport,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    let Some(mut source) = ZipSource::open(path, &settings.limits, problems)? else {
        return Ok(());
    };
    if problem::any_error(problems) {
        // Unsafe entries: the archive is not read any further.
        return Ok(());
    }
    check_bag(&mut source, report, problems)
}

/// The bag, then the content of an archivist release.
fn check_bag(
    source: &mut dyn BagSource,
    report: &mut VerifyReport,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    let mut bag = bag::validate(source, &content::KEEP)?;
    report.bagit_version = bag.version.clone();
    report.files = bag.files;
    report.bytes = bag.bytes;
    if content::is_release(&bag) {
        report.records = Some(content::check(source, &mut bag));
    }
    problems.extend(bag.problems);
    Ok(())
}

/// A folder is taken for a bag when it has `bagit.txt`, `data/` or a manifest; otherwise for an
/// OCFL storage root (with its declaration) or object.
fn looks_like_bag(dir: &Path) -> bool {
    if crate::ocfl::validate::is_root(dir) || crate::ocfl::validate::is_object(dir) {
        return false;
    }
    dir.join("bagit.txt").exists()
        || dir.join("data").is_dir()
        || std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().starts_with("manifest-"))
        })
}

fn finish(mut report: VerifyReport, problems: Vec<Problem>) -> VerifyReport {
    report.intact = !problem::any_error(&problems);
    report.problems = problems;
    report
}

/// The digests the archive must have: `--sha256` and the sidecar, whichever are given.
fn expected_digests(
    zip: &Path,
    settings: &VerifySettings,
    problems: &mut Vec<Problem>,
) -> Result<Vec<(String, String)>> {
    let mut sidecar_path = zip.as_os_str().to_owned();
    sidecar_path.push(".sha256");
    let sidecar_path = std::path::PathBuf::from(sidecar_path);
    let mut expectations: Vec<(String, String)> = Vec::new();
    if let Some(given) = &settings.sha256 {
        expectations.push(("--sha256".into(), given.clone()));
    }
    if sidecar_path.is_file() {
        let sidecar_display = sidecar_path.display().to_string();
        let text = fs_err::read_to_string(&sidecar_path)?;
        let line = text.lines().next().unwrap_or_default();
        let (digest, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let name = name.trim_start().trim_start_matches('*');
        let file_name = zip
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.push(
                Problem::error(
                    &sidecar_display,
                    "sidecar-malformed",
                    "the first line is not `SHA256  FILE` as sha256sum writes it",
                )
                .at_line(1),
            );
        } else {
            if name != file_name {
                problems.push(Problem::warning(
                    &sidecar_display,
                    "sidecar-name",
                    format!("names `{name}`, not `{file_name}`"),
                ));
            }
            expectations.push((sidecar_display, digest.to_ascii_lowercase()));
        }
    }
    Ok(expectations)
}
