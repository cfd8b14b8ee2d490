//! `verify`: is a downloaded release intact? A release zip (checked in place, nothing extracted)
//! or an extracted bag folder.
//!
//! For a zip: its SHA-256 against `--sha256` and/or the `<zip>.sha256` sidecar; every entry
//! checked for safety before anything is read ([`source`]); then the bag ([`bag`]), each entry
//! inflated and hashed once; then, for archivist releases, the records and data package
//! ([`content`]). All problems are collected.

pub mod bag;
pub mod content;
pub mod descriptions;
pub mod profile;
pub mod source;
pub mod table;

use crate::error::{Error, Result};
use crate::problem::{self, Problem};
use bag::BagReport;
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
    /// The publisher's public key: the sidecar's minisign signature must be valid for it.
    pub public_key: Option<minisign::PublicKey>,
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
    /// The sidecar's signature (`<zip>.sha256.minisig`), when there is one or a key was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureReport>,
    /// OCFL objects audited (OCFL roots and objects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<usize>,
    /// Versions of those objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<usize>,
    /// An OCFL root on S3 audited with `--fast`: the store's checksums compared, nothing read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fast: Option<FastReport>,
    pub problems: Vec<Problem>,
}

/// What a `--fast` audit compared.
#[derive(Debug, Serialize)]
pub struct FastReport {
    /// Content files whose store's SHA-256 matched the inventory's.
    pub matched: u64,
    /// Content files the store keeps no whole-file SHA-256 of (multipart uploads, or uploads
    /// without a checksum): only their presence was checked.
    pub unchecked: u64,
}

/// What was found of a signature.
#[derive(Debug, Serialize)]
pub struct SignatureReport {
    /// `verified` (valid for the key given), `invalid`, `missing` (a key was given, there is no
    /// signature) or `unchecked` (a signature is there, no key was given).
    pub status: &'static str,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_comment: Option<String>,
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
    Ok(examine(path, settings, &[])?.0)
}

/// Verify as [`verify`] does, and return the bag's own report too (for bags and zips, not OCFL
/// folders), holding the contents of the files in `keep` besides those the content checks keep.
pub fn examine(
    path: &Path,
    settings: &VerifySettings,
    keep: &[&str],
) -> Result<(VerifyReport, Option<BagReport>)> {
    if let Some(location) = path.to_str().and_then(crate::s3::Location::parse) {
        return Ok((examine_s3(location?, settings)?, None));
    }
    if settings.ocfl.fast {
        return Err(Error::Usage(
            "--fast compares a store's own checksums: it applies to OCFL roots on S3 \
             (s3://BUCKET/PREFIX), not to files on disk"
                .into(),
        ));
    }
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
        signature: None,
        objects: None,
        versions: None,
        fast: None,
        problems: Vec::new(),
    };
    if meta.is_dir() && settings.public_key.is_some() {
        return Err(Error::Usage(
            "--pubkey applies to a release zip (its sidecar is what is signed), not to a folder"
                .into(),
        ));
    }
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
        report.versions = Some(audit.versions);
        return Ok((finish(report, audit.problems), None));
    }
    if meta.is_dir() {
        if settings.sha256.is_some() {
            return Err(Error::Usage(
                "--sha256 applies to a zip, not to a folder".into(),
            ));
        }
        let mut source = DirSource::open(path, &mut problems)?;
        let bag = check_bag(&mut source, &mut report, &mut problems, keep)?;
        return Ok((finish(report, problems), Some(bag)));
    }
    // A zip: its own digest is computed by one of the pool's threads while the others check the
    // entries (at `--threads 1`, one after the other: one thread means one core).
    let expected = expected_digests(path, settings, &mut problems)?;
    report.signature = check_signature(path, settings, &mut problems)?;
    let (actual, checked) = rayon::join(
        || crate::package::hash_file(path),
        || check_zip(path, settings, &mut report, &mut problems, keep),
    );
    let bag = checked?;
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
    Ok((finish(report, problems), bag))
}

/// Open the zip (checking every entry for safety) and check the bag in it.
fn check_zip(
    path: &Path,
    settings: &VerifySettings,
    report: &mut VerifyReport,
    problems: &mut Vec<Problem>,
    keep: &[&str],
) -> Result<Option<BagReport>> {
    let started = std::time::Instant::now();
    let opened = ZipSource::open(path, &settings.limits, problems)?;
    tracing::debug!(elapsed = ?started.elapsed(), "zip directory read and sorted");
    let Some(mut source) = opened else {
        return Ok(None);
    };
    if problem::any_error(problems) {
        // Unsafe entries: the archive is not read any further.
        return Ok(None);
    }
    check_bag(&mut source, report, problems, keep).map(Some)
}

/// The bag, then the content of an archivist release. The bag's report is returned without its
/// problems (they are moved into `problems`).
fn check_bag(
    source: &mut dyn BagSource,
    report: &mut VerifyReport,
    problems: &mut Vec<Problem>,
    keep: &[&str],
) -> Result<BagReport> {
    let mut wanted: Vec<&str> = content::KEEP.to_vec();
    wanted.extend_from_slice(keep);
    let started = std::time::Instant::now();
    let mut bag = bag::validate(source, &wanted)?;
    tracing::debug!(elapsed = ?started.elapsed(), files = bag.files, "bag validated");
    report.bagit_version = bag.version.clone();
    report.files = bag.files;
    report.bytes = bag.bytes;
    if content::is_release(&bag) {
        let started = std::time::Instant::now();
        report.records = Some(content::check(source, &mut bag));
        tracing::debug!(elapsed = ?started.elapsed(), "content checked");
    }
    problems.append(&mut bag.problems);
    Ok(bag)
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

/// The sidecar's minisign signature: checked when a public key is given, noted when not.
fn check_signature(
    zip: &Path,
    settings: &VerifySettings,
    problems: &mut Vec<Problem>,
) -> Result<Option<SignatureReport>> {
    let sidecar = sidecar_path(zip);
    let signature = crate::sign::signature_path(&sidecar);
    let shown = signature.display().to_string();
    let mut found = SignatureReport {
        status: "unchecked",
        path: shown.clone(),
        key_id: None,
        trusted_comment: None,
    };
    let Some(key) = &settings.public_key else {
        return Ok(signature.is_file().then_some(found));
    };
    if !signature.is_file() {
        problems.push(Problem::error(
            &shown,
            "signature-missing",
            "a public key was given but the release has no signature beside its sidecar",
        ));
        found.status = "missing";
        return Ok(Some(found));
    }
    if !sidecar.is_file() {
        problems.push(Problem::error(
            sidecar.display().to_string(),
            "sidecar-missing",
            "the signature signs the sidecar, which is not there",
        ));
        found.status = "invalid";
        return Ok(Some(found));
    }
    let text = fs_err::read(&signature)?;
    let data = fs_err::read(&sidecar)?;
    match crate::sign::verify(key, &String::from_utf8_lossy(&text), &data) {
        Ok(verified) => {
            found.status = "verified";
            found.key_id = Some(verified.key_id);
            found.trusted_comment = Some(verified.trusted_comment);
        }
        Err(why) => {
            problems.push(Problem::error(&shown, "signature-invalid", why));
            found.status = "invalid";
        }
    }
    Ok(Some(found))
}

fn sidecar_path(zip: &Path) -> std::path::PathBuf {
    let mut path = zip.as_os_str().to_owned();
    path.push(".sha256");
    std::path::PathBuf::from(path)
}

/// The digests the archive must have: `--sha256` and the sidecar, whichever are given.
fn expected_digests(
    zip: &Path,
    settings: &VerifySettings,
    problems: &mut Vec<Problem>,
) -> Result<Vec<(String, String)>> {
    let sidecar_path = sidecar_path(zip);
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

/// Audit an OCFL storage root (or object) on S3.
fn examine_s3(location: crate::s3::Location, settings: &VerifySettings) -> Result<VerifyReport> {
    use crate::ocfl::{tree, validate};
    if settings.sha256.is_some() || settings.public_key.is_some() {
        return Err(Error::Usage(
            "--sha256 and --pubkey apply to a release zip, not to an OCFL root".into(),
        ));
    }
    let tree = tree::S3::open(crate::s3::Client::from_env(location.clone())?)?;
    let root = validate::is_root_at(&tree, "");
    let audit = if root {
        validate::validate_root_in(&tree, settings.ocfl)?
    } else if validate::is_object_at(&tree, "") {
        validate::validate_object_in(&tree, settings.ocfl)?
    } else {
        return Err(Error::Usage(format!(
            "{location} holds no OCFL storage root or object (no 0=ocfl_1.1 or 0=ocfl_object_1.1)"
        )));
    };
    let report = VerifyReport {
        path: location.to_string(),
        kind: if root { "ocfl-root" } else { "ocfl-object" },
        intact: false,
        sha256: None,
        checksum_sources: Vec::new(),
        bagit_version: None,
        files: audit.files,
        bytes: audit.bytes,
        records: None,
        signature: None,
        objects: Some(audit.objects),
        versions: Some(audit.versions),
        fast: settings.ocfl.fast.then_some(FastReport {
            matched: audit.fast_matched,
            unchecked: audit.fast_unchecked,
        }),
        problems: Vec::new(),
    };
    let mut problems = audit.problems;
    for key in &tree.odd {
        problems.push(Problem::error(
            format!("s3://{}/{key}", location.bucket),
            "E084",
            "a key with an empty segment (`//`, or a leading `/`): no file system can hold it, \
             and it is no file of an OCFL storage root",
        ));
    }
    Ok(finish(report, problems))
}
