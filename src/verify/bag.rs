//! BagIt validation (RFC 8493, and the 0.97 draft still in use), over any [`BagSource`].
//!
//! Checks, collecting every problem: `bagit.txt` (exact form, version, encoding, no BOM); tag files
//! decoded in the declared encoding; `bag-info.txt` (and its Payload-Oxum); every payload manifest
//! lists every payload file and only those, with in-scope paths, once; fetch.txt paths in scope;
//! tag manifests; and every digest of every manifest, each file read once whatever the number of
//! algorithms. Names in manifests are percent-decoded for 1.0 bags (`%25`, `%0A`, `%0D`).
//!
//! Leniencies, each a warning: `./` before a path, the `*` binary marker of md5sum-style tools, a
//! file listed twice with the same digest (0.97 only), and entries that name a present file but
//! for case or Unicode normalization, or an OS metadata file (`.DS_Store`, `Thumbs.db`), when
//! missing: such bags were made on file systems that fold case or normalization, or copied by
//! tools that drop those files.
//!
//! Memory does not grow with the number of files: the bag's files and each manifest are sorted
//! tables (on disk past a budget), matched in one merge pass like sorted lists, and files are
//! hashed a block at a time. A manifest in an ASCII-compatible encoding is parsed as it streams;
//! one in UTF-16 is decoded whole (up to the manifest limit).

use super::source::{BagSource, HashJob};
use super::table::{Row, Table, TableWriter};
use crate::digest::Algorithm;
use crate::error::Result;
use crate::problem::Problem;
use crate::sort::{ExternalSort, Item};
use crate::spool::{Spool, Spooled};
use encoding_rs::Encoding;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use unicode_normalization::UnicodeNormalization;

/// Tag files larger than this are refused rather than read into memory.
const MAX_TAG_FILE_BYTES: u64 = 64 << 20;

/// Manifests grow with the payload (a line per file: 200,000 documents make a 68 MB SHA-512
/// manifest). They are streamed and sorted on disk, so memory puts no bound on them; they have a
/// limit all the same, as every input does, far above any real bag.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// Payload files a caller asks to keep (`diff` keeps `records.jsonl`) are kept up to this size.
pub const MAX_KEPT_PAYLOAD_BYTES: u64 = 1 << 30;

/// OS metadata files that copying tools create and drop.
const SYSTEM_FILES: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

/// What validation found, and what later checks may use.
#[derive(Default)]
pub struct BagReport {
    pub problems: Vec<Problem>,
    /// The BagIt version declared.
    pub version: Option<String>,
    /// Files read and bytes hashed.
    pub files: u64,
    pub bytes: u64,
    /// Every file read, sorted by path: its size, and its SHA-256 (lowercase hex) as the row's
    /// extra (computed for every file, for the content checks); see [`sha256_of`].
    pub digests: Table,
    /// Contents of the files asked for with `keep`.
    pub kept: BTreeMap<String, Vec<u8>>,
    /// `bag-info.txt` elements, in order.
    pub info: Vec<(String, String)>,
}

impl BagReport {
    /// The row of a file read, with its SHA-256 in `extra`.
    pub fn digest_of(&self, path: &str) -> std::io::Result<Option<Row>> {
        self.digests.get(path)
    }

    /// Whether the file at `path` was read.
    pub fn has(&self, path: &str) -> bool {
        self.digests.contains(path).unwrap_or(false)
    }
}

/// The SHA-256 (lowercase hex) of a row of [`BagReport::digests`].
pub fn sha256_of(row: &Row) -> &str {
    std::str::from_utf8(&row.extra).unwrap_or_default()
}

/// One line of a manifest.
#[derive(Clone, Debug)]
struct Line {
    path: String,
    no: u64,
    digest: String,
}

/// A manifest's lines, sorted by path, each path once.
struct Manifest {
    algorithm: Algorithm,
    lines: Spooled,
}

impl Manifest {
    fn cursor(&self) -> Cursor<'_> {
        let mut reader: Box<dyn Read + '_> = Box::new(self.lines.reader());
        let next = <(String, u64, String)>::get(&mut reader)
            .ok()
            .flatten()
            .map(|(path, no, digest)| Line { path, no, digest });
        Cursor { reader, next }
    }
}

/// Walks a [`Manifest`] in order.
struct Cursor<'a> {
    reader: Box<dyn Read + 'a>,
    next: Option<Line>,
}

impl Cursor<'_> {
    /// Take the line at the cursor and move on.
    fn take(&mut self) -> std::io::Result<Option<Line>> {
        let line = self.next.take();
        self.next = <(String, u64, String)>::get(&mut self.reader)?
            .map(|(path, no, digest)| Line { path, no, digest });
        Ok(line)
    }
}

/// Validate the bag in `source`. `keep` names files whose contents to return (if under 64 MiB).
///
/// Memory does not grow with the number of files: the source's files and each manifest are
/// sorted tables on disk, walked together in one merge, and files are hashed a block at a time.
pub fn validate(source: &mut dyn BagSource, keep: &[&str]) -> Result<BagReport> {
    let mut report = BagReport::default();
    let scratch = super::source::scratch();

    // bagit.txt: must exist, UTF-8 without BOM, exactly two elements.
    let Some(bagit_bytes) = read_small(source, "bagit.txt", MAX_TAG_FILE_BYTES, &mut report)?
    else {
        report.problems.push(Problem::error(
            source.name_of("bagit.txt"),
            "bagit-txt-missing",
            "no bagit.txt: this is not a bag",
        ));
        return Ok(report);
    };
    let Some((version, encoding)) = parse_bagit_txt(
        &bagit_bytes,
        &source.name_of("bagit.txt"),
        &mut report.problems,
    ) else {
        return Ok(report);
    };
    report.version = Some(version.clone());
    let v1 = version.starts_with("1.");

    // Small tag files in memory, decoded.
    let tag_text = |source: &mut dyn BagSource,
                    path: &str,
                    report: &mut BagReport|
     -> Result<Option<String>> {
        let Some(bytes) = read_small(source, path, MAX_TAG_FILE_BYTES, report)? else {
            return Ok(None);
        };
        match decode_tag(&bytes, encoding) {
            Ok(text) => Ok(Some(text)),
            Err(message) => {
                report.problems.push(Problem::error(
                    source.name_of(path),
                    "tag-file-encoding",
                    message,
                ));
                Ok(None)
            }
        }
    };

    if let Some(info) = tag_text(source, "bag-info.txt", &mut report)? {
        report.info = parse_bag_info(&info, &source.name_of("bag-info.txt"), &mut report.problems);
    }

    // Manifests, each sorted by path.
    let mut payload_manifests: BTreeMap<Algorithm, Manifest> = BTreeMap::new();
    let mut tag_manifests: BTreeMap<Algorithm, Manifest> = BTreeMap::new();
    let mut top_level = Vec::new();
    for row in source.files().rows() {
        let row = row?;
        if !row.path.contains('/') {
            top_level.push(row.path);
        }
    }
    for name in &top_level {
        let (is_tag, alg) = if let Some(a) = name
            .strip_prefix("tagmanifest-")
            .and_then(|r| r.strip_suffix(".txt"))
        {
            (true, a)
        } else if let Some(a) = name
            .strip_prefix("manifest-")
            .and_then(|r| r.strip_suffix(".txt"))
        {
            (false, a)
        } else {
            continue;
        };
        let Some(algorithm) = Algorithm::from_name(alg) else {
            // A manifest that cannot be checked leaves the bag unverified: never intact.
            report.problems.push(Problem::error(
                source.name_of(name),
                "unknown-algorithm",
                format!(
                    "digest algorithm `{alg}` is not one archivist can check (md5, sha1, sha224, \
                     sha256, sha384, sha512, sha3_224, sha3_256, sha3_384, sha3_512, blake2b, \
                     blake2s), so the files it lists are not verified"
                ),
            ));
            continue;
        };
        let parse = ManifestKind {
            algorithm,
            v1,
            payload: !is_tag,
            encoding,
        };
        let Some(manifest) = read_manifest(source, name, &parse, &scratch, &mut report)? else {
            continue;
        };
        if is_tag {
            tag_manifests.insert(algorithm, manifest);
        } else {
            payload_manifests.insert(algorithm, manifest);
        }
    }
    if payload_manifests.is_empty() {
        report.problems.push(Problem::error(
            source.name_of("manifest-sha256.txt"),
            "no-manifest",
            "the bag has no payload manifest in a supported algorithm",
        ));
    }

    // fetch.txt: paths in scope; listed files must be present for the bag to be complete.
    if let Some(fetch) = tag_text(source, "fetch.txt", &mut report)? {
        for (no, line) in text_lines(&fetch) {
            let mut parts = line.splitn(3, [' ', '\t']);
            let (Some(_url), Some(_len), Some(path)) = (parts.next(), parts.next(), parts.next())
            else {
                report.problems.push(
                    Problem::error(
                        source.name_of("fetch.txt"),
                        "fetch-malformed",
                        "expected `URL LENGTH PATH`",
                    )
                    .at_line(no),
                );
                continue;
            };
            let path = if v1 {
                percent_decode(path.trim())
            } else {
                path.trim().to_owned()
            };
            if let Some(reason) = out_of_scope(&path) {
                report.problems.push(
                    Problem::error(
                        source.name_of("fetch.txt"),
                        "path-out-of-scope",
                        format!("`{path}`: {reason}"),
                    )
                    .at_line(no),
                );
            } else if !source.files().contains(&path)? {
                report.problems.push(Problem::error(
                    source.name_of(&path),
                    "fetch-missing",
                    "listed in fetch.txt but not present: the bag is incomplete",
                ));
            }
        }
    }

    tracing::debug!("manifests read and sorted");
    // One pass over the files, in order, with a cursor in every manifest: what each manifest
    // lists and what is present are matched like two sorted lists, and every present file is
    // hashed (a block at a time, in parallel) with every algorithm any manifest uses for it.
    let manifests: Vec<(bool, &Manifest)> = payload_manifests
        .values()
        .map(|m| (true, m))
        .chain(tag_manifests.values().map(|m| (false, m)))
        .collect();
    let mut cursors: Vec<Cursor> = manifests.iter().map(|(_, m)| m.cursor()).collect();
    let mut unlisted: Vec<Vec<Problem>> = vec![Vec::new(); manifests.len()];
    let mut missing: Vec<Vec<Line>> = vec![Vec::new(); manifests.len()];
    let mut system_files = Vec::new();
    let mut checked = Checked {
        digests: TableWriter::new(&scratch),
        problems: Vec::new(),
    };
    let keep: BTreeSet<&str> = keep.iter().copied().collect();
    let mut block = Block::default();
    let (mut payload_bytes, mut payload_count) = (0u64, 0u64);
    let manifest_name = |payload: bool, algorithm: Algorithm| {
        let kind = if payload { "manifest" } else { "tagmanifest" };
        source.name_of(&format!("{kind}-{}.txt", algorithm.name()))
    };
    for row in source.files().rows() {
        let row = row?;
        let in_payload = row.path.starts_with("data/");
        let mut expected = Vec::new();
        for (k, cursor) in cursors.iter_mut().enumerate() {
            while cursor.next.as_ref().is_some_and(|l| l.path < row.path) {
                missing[k].extend(cursor.take()?);
            }
            let (payload, manifest) = manifests[k];
            if cursor.next.as_ref().is_some_and(|l| l.path == row.path) {
                let line = cursor.take()?.expect("a line at the cursor");
                expected.push(Expected {
                    algorithm: manifest.algorithm,
                    digest: line.digest,
                    payload,
                });
            } else if payload && in_payload {
                unlisted[k].push(Problem::error(
                    source.name_of(&row.path),
                    "not-in-manifest",
                    format!(
                        "payload file not listed in `{}`",
                        manifest_name(true, manifest.algorithm)
                    ),
                ));
            }
        }
        if in_payload {
            payload_bytes += row.size;
            payload_count += 1;
            if is_system_file(&row.path) {
                system_files.push(Problem::warning(
                    source.name_of(&row.path),
                    "system-file",
                    "an OS metadata file is part of the payload",
                ));
            }
        }
        let keep = keep.contains(row.path.as_str())
            && row.size
                <= if in_payload {
                    MAX_KEPT_PAYLOAD_BYTES
                } else {
                    MAX_TAG_FILE_BYTES
                };
        let algorithms = expected
            .iter()
            .map(|e| e.algorithm)
            .chain([Algorithm::Sha256])
            .collect();
        block.jobs.push(HashJob {
            file: row,
            algorithms,
            keep,
        });
        block.expected.push(expected);
        if block.jobs.len() == HASH_BLOCK {
            checked.block(source, &mut block, &mut report)?;
        }
    }
    checked.block(source, &mut block, &mut report)?;
    for (k, cursor) in cursors.iter_mut().enumerate() {
        while let Some(line) = cursor.take()? {
            missing[k].push(line);
        }
    }
    drop(cursors);

    // What manifests list and the bag lacks: a name that differs from a present one only in
    // case or normalization, or a dropped OS metadata file, is a warning.
    let aliases = aliases(
        source,
        missing.iter().take(payload_manifests.len()).flatten(),
    )?;
    let mut tolerated_missing_system_files = 0u64;
    for (k, (payload, manifest)) in manifests.iter().enumerate() {
        let name = manifest_name(*payload, manifest.algorithm);
        if !payload {
            continue;
        }
        report.problems.append(&mut unlisted[k]);
        for line in &missing[k] {
            report.problems.push(match aliases.get(&line.path) {
                Some(alias) => Problem::warning(
                    source.name_of(&line.path),
                    "name-alias",
                    format!(
                        "not present, but `{alias}` is the same name apart from case or Unicode \
                         normalization (the bag was made on a file system that folds them)"
                    ),
                ),
                None if is_system_file(&line.path) => {
                    if k == 0 {
                        tolerated_missing_system_files += 1;
                    }
                    Problem::warning(
                        source.name_of(&line.path),
                        "system-file-missing",
                        "an OS metadata file listed in the manifest is missing (copying tools often drop these)",
                    )
                }
                None => Problem::error(
                    source.name_of(&line.path),
                    "missing-file",
                    format!("listed in `{name}` but not present"),
                )
                .at_line(line.no),
            });
        }
    }
    report.problems.append(&mut system_files);
    for (k, (payload, manifest)) in manifests.iter().enumerate() {
        if *payload {
            continue;
        }
        let name = manifest_name(false, manifest.algorithm);
        for line in &missing[k] {
            report.problems.push(
                Problem::error(
                    source.name_of(&line.path),
                    "missing-file",
                    format!("listed in `{name}` but not present"),
                )
                .at_line(line.no),
            );
        }
    }
    report.problems.append(&mut checked.problems);
    report.digests = checked.digests.finish()?;

    // Payload-Oxum: octets.count of the payload.
    if let Some((_, oxum)) = report
        .info
        .iter()
        .find(|(label, _)| label == "Payload-Oxum")
    {
        let (found_bytes, found_count) = (payload_bytes, payload_count);
        match oxum.split_once('.').and_then(|(b, c)| Some((b.parse::<u64>().ok()?, c.parse::<u64>().ok()?))) {
            Some((bytes, count)) if bytes == found_bytes && count == found_count => {}
            Some((bytes, count))
                if tolerated_missing_system_files > 0
                    && count == found_count + tolerated_missing_system_files
                    && bytes >= found_bytes =>
            {
                report.problems.push(Problem::warning(
                    source.name_of("bag-info.txt"),
                    "payload-oxum",
                    format!("Payload-Oxum {oxum} counts the missing OS metadata files; found {found_bytes}.{found_count}"),
                ));
            }
            Some(_) => report.problems.push(Problem::error(
                source.name_of("bag-info.txt"),
                "payload-oxum",
                format!("Payload-Oxum is {oxum}, the payload has {found_bytes}.{found_count} (bytes.files)"),
            )),
            None => report.problems.push(Problem::error(
                source.name_of("bag-info.txt"),
                "payload-oxum",
                format!("Payload-Oxum `{oxum}` is not of the form OCTETS.COUNT"),
            )),
        }
    }
    Ok(report)
}

/// Files hashed at once (in parallel) by `validate`.
const HASH_BLOCK: usize = 4096;

/// A digest a manifest gives for a file.
struct Expected {
    algorithm: Algorithm,
    digest: String,
    /// From a payload manifest (else a tag manifest).
    payload: bool,
}

/// Files to hash together, each with the digests the manifests give for it.
#[derive(Default)]
struct Block {
    jobs: Vec<HashJob>,
    expected: Vec<Vec<Expected>>,
}

/// The files hashed so far: their digests, and the problems found.
struct Checked {
    digests: TableWriter,
    problems: Vec<Problem>,
}

impl Checked {
    /// Hash a block of files in parallel, check each against what the manifests expect, and
    /// record its digest.
    fn block(
        &mut self,
        source: &dyn BagSource,
        block: &mut Block,
        report: &mut BagReport,
    ) -> Result<()> {
        let results = source.hash_all(&block.jobs);
        let files = block.jobs.drain(..).zip(block.expected.drain(..));
        for ((job, expected), result) in files.zip(results) {
            let path = &job.file.path;
            let hashed = match result {
                Ok(hashed) => hashed,
                Err(e) => {
                    self.problems.push(Problem::error(
                        source.name_of(path),
                        "unreadable",
                        format!("cannot be read: {e}"),
                    ));
                    continue;
                }
            };
            report.files += 1;
            report.bytes += hashed.bytes;
            let digest = |algorithm: Algorithm| {
                &hashed
                    .digests
                    .iter()
                    .find(|(a, _)| *a == algorithm)
                    .expect("hashed")
                    .1
            };
            let sha256 = digest(Algorithm::Sha256).as_bytes().to_vec();
            self.digests
                .push(job.file.path.clone(), job.file.size, sha256)?;
            for want in &expected {
                let got = digest(want.algorithm);
                if !want.digest.eq_ignore_ascii_case(got) {
                    let manifest = if want.payload {
                        "manifest"
                    } else {
                        "tagmanifest"
                    };
                    self.problems.push(Problem::error(
                        source.name_of(path),
                        "digest-mismatch",
                        format!(
                            "{} in {manifest}-{}.txt is {}, the file's is {got}",
                            want.algorithm.name(),
                            want.algorithm.name(),
                            want.digest
                        ),
                    ));
                }
            }
            if let Some(k) = hashed.kept {
                report.kept.insert(job.file.path, k);
            }
        }
        Ok(())
    }
}

/// Read a small file of the bag into memory, if present.
fn read_small(
    source: &mut dyn BagSource,
    path: &str,
    limit: u64,
    report: &mut BagReport,
) -> Result<Option<Vec<u8>>> {
    let Some(row) = source.files().get(path)? else {
        return Ok(None);
    };
    if row.size > limit {
        report.problems.push(Problem::error(
            source.name_of(path),
            "tag-file-too-large",
            format!(
                "{} bytes; files like this one over {limit} bytes are refused",
                row.size
            ),
        ));
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(row.size as usize);
    if let Err(e) = source.read_row(&row, &mut |chunk| bytes.extend_from_slice(chunk)) {
        report.problems.push(Problem::error(
            source.name_of(path),
            "unreadable",
            format!("cannot be read: {e}"),
        ));
        return Ok(None);
    }
    Ok(Some(bytes))
}

fn parse_bagit_txt(
    bytes: &[u8],
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<(String, &'static Encoding)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF])
        || bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
    {
        problems.push(Problem::error(
            name,
            "bagit-txt-bom",
            "bagit.txt must not start with a byte order mark",
        ));
        return None;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(Problem::error(
            name,
            "bagit-txt-malformed",
            "bagit.txt is not UTF-8",
        ));
        return None;
    };
    let mut version = None;
    let mut encoding = None;
    for (no, line) in text_lines(text) {
        match line.split_once(": ") {
            Some(("BagIt-Version", v)) => version = Some((v.trim_end().to_owned(), no)),
            Some(("Tag-File-Character-Encoding", e)) => encoding = Some(e.trim_end().to_owned()),
            _ => problems.push(
                Problem::error(name, "bagit-txt-malformed", format!("`{line}` is not `BagIt-Version: M.N` or `Tag-File-Character-Encoding: ENCODING`"))
                    .at_line(no),
            ),
        }
    }
    let Some((version, line)) = version else {
        problems.push(Problem::error(
            name,
            "bagit-txt-malformed",
            "no BagIt-Version",
        ));
        return None;
    };
    let well_formed = version.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
    });
    if !well_formed {
        problems.push(
            Problem::error(
                name,
                "bagit-version",
                format!("BagIt-Version `{version}` is not MAJOR.MINOR"),
            )
            .at_line(line),
        );
        return None;
    }
    if !matches!(
        version.as_str(),
        "0.93" | "0.94" | "0.95" | "0.96" | "0.97" | "1.0"
    ) {
        problems.push(
            Problem::error(
                name,
                "bagit-version",
                format!("BagIt-Version {version} is not supported (0.93 to 0.97, 1.0)"),
            )
            .at_line(line),
        );
        return None;
    }
    let Some(label) = encoding else {
        problems.push(Problem::error(
            name,
            "bagit-txt-malformed",
            "no Tag-File-Character-Encoding",
        ));
        return None;
    };
    let Some(encoding) = Encoding::for_label(label.as_bytes()) else {
        problems.push(Problem::error(
            name,
            "tag-file-encoding",
            format!("unknown Tag-File-Character-Encoding `{label}`"),
        ));
        return None;
    };
    if problems.iter().any(|p| p.is_error() && p.path == name) {
        return None;
    }
    Some((version, encoding))
}

/// Decode a tag file in the bag's declared encoding (a BOM, if any, wins), without replacement.
fn decode_tag(bytes: &[u8], declared: &'static Encoding) -> Result<String, String> {
    let (encoding, skip) = Encoding::for_bom(bytes).unwrap_or((declared, 0));
    encoding
        .decode_without_bom_handling_and_without_replacement(&bytes[skip..])
        .map(|text| text.into_owned())
        .ok_or_else(|| {
            format!(
                "not valid {} (the declared Tag-File-Character-Encoding)",
                encoding.name()
            )
        })
}

/// Non-empty lines with 1-based numbers; CRLF, LF and CR all end a line.
fn text_lines(text: &str) -> Vec<(u64, &str)> {
    text.split('\n')
        .flat_map(|l| l.split('\r'))
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| (i as u64 + 1, l))
        .collect()
}

/// `bag-info.txt`: `Label: value` elements, with continuation lines starting with white space.
fn parse_bag_info(text: &str, name: &str, problems: &mut Vec<Problem>) -> Vec<(String, String)> {
    let mut elements: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match elements.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                None => problems.push(Problem::error(
                    name,
                    "bag-info-malformed",
                    "continuation line before any label",
                )),
            }
            continue;
        }
        match line.split_once(':') {
            Some((label, value)) if !label.trim().is_empty() => {
                elements.push((label.trim().to_owned(), value.trim().to_owned()))
            }
            _ => problems.push(Problem::error(
                name,
                "bag-info-malformed",
                format!("`{line}` is not `Label: value`"),
            )),
        }
    }
    let oxums = elements.iter().filter(|(l, _)| l == "Payload-Oxum").count();
    if oxums > 1 {
        problems.push(Problem::error(
            name,
            "bag-info-malformed",
            "Payload-Oxum is given more than once",
        ));
    }
    elements
}

/// RFC 8493 2.1.3: `%25`, `%0A`, `%0D` (either case); nothing else is decoded.
fn percent_decode(path: &str) -> String {
    crate::package::bagit::decode_path(path)
}

/// Why a manifest path points outside the bag, if it does.
fn out_of_scope(path: &str) -> Option<&'static str> {
    if path.starts_with('/') || path.as_bytes().get(1) == Some(&b':') {
        Some("absolute path")
    } else if path.starts_with('~') {
        Some("home-folder shortcut")
    } else if path.split('/').any(|p| p == "..") {
        Some("`..` leaves the bag")
    } else {
        None
    }
}

/// How to read one manifest.
struct ManifestKind {
    algorithm: Algorithm,
    v1: bool,
    payload: bool,
    encoding: &'static Encoding,
}

/// Read the manifest `name` into a [`Manifest`]: lines parsed as they stream in, sorted by path
/// (externally, past a budget), a path listed twice reported and kept once. `None` when the
/// manifest cannot be used at all (too large, unreadable, not in the declared encoding).
fn read_manifest(
    source: &mut dyn BagSource,
    name: &str,
    kind: &ManifestKind,
    scratch: &std::path::Path,
    report: &mut BagReport,
) -> Result<Option<Manifest>> {
    let shown = source.name_of(name);
    let Some(row) = source.files().get(name)? else {
        return Ok(None);
    };
    if row.size > MAX_MANIFEST_BYTES {
        report.problems.push(Problem::error(
            &shown,
            "tag-file-too-large",
            format!(
                "{} bytes; files like this one over {MAX_MANIFEST_BYTES} bytes are refused",
                row.size
            ),
        ));
        return Ok(None);
    }
    let mut sorted = ExternalSort::<(String, u64, String)>::new(scratch, crate::sort::BUDGET);
    let mut problems = Vec::new();
    let mut failed: Option<std::io::Error> = None;
    let mut push = |no: u64, line: &str, problems: &mut Vec<Problem>| {
        if let Some((path, digest)) = parse_manifest_line(no, line, kind, &shown, problems)
            && failed.is_none()
        {
            failed = sorted.push((path, no, digest)).err();
        }
    };
    let decoded = if kind.encoding.is_ascii_compatible() {
        // Streamed: a line of an ASCII-compatible encoding ends at the byte 0x0A or 0x0D.
        let mut bad = false;
        let read = for_each_segment(source, &row, &mut |no, bytes| {
            let bytes = if no == 1 {
                bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
            } else {
                bytes
            };
            if bad || bytes.is_empty() {
                return;
            }
            match kind
                .encoding
                .decode_without_bom_handling_and_without_replacement(bytes)
            {
                Some(line) => push(no, &line, &mut problems),
                None => bad = true,
            }
        });
        if let Err(e) = read {
            report.problems.push(Problem::error(
                &shown,
                "unreadable",
                format!("cannot be read: {e}"),
            ));
            return Ok(None);
        }
        !bad
    } else {
        let Some(bytes) = read_small(source, name, MAX_MANIFEST_BYTES, report)? else {
            return Ok(None);
        };
        match decode_tag(&bytes, kind.encoding) {
            Ok(text) => {
                for (no, line) in text_lines(&text) {
                    push(no, line, &mut problems);
                }
                true
            }
            Err(_) => false,
        }
    };
    if let Some(e) = failed {
        return Err(e.into());
    }
    if !decoded {
        report.problems.push(Problem::error(
            &shown,
            "tag-file-encoding",
            format!(
                "not valid {} (the declared Tag-File-Character-Encoding)",
                kind.encoding.name()
            ),
        ));
        return Ok(None);
    }
    // Sorted by path, then line number: a path listed twice comes twice in a row.
    let mut lines = Spool::new(scratch, 1 << 20);
    let mut first: Option<Line> = None;
    for item in sorted.finish()? {
        let (path, no, digest) = item?;
        if let Some(kept) = first.as_ref().filter(|f| f.path == path) {
            let same = kept.digest.eq_ignore_ascii_case(&digest);
            let message = format!("`{path}` is listed twice (lines {} and {no})", kept.no);
            problems.push(if same && !kind.v1 {
                Problem::warning(&shown, "manifest-duplicate", message).at_line(no)
            } else {
                Problem::error(&shown, "manifest-duplicate", message).at_line(no)
            });
            continue;
        }
        (path.clone(), no, digest.clone()).put(&mut lines)?;
        first = Some(Line { path, no, digest });
    }
    problems.sort_by_key(|p| p.line);
    report.problems.append(&mut problems);
    Ok(Some(Manifest {
        algorithm: kind.algorithm,
        lines: lines.finish()?,
    }))
}

/// Call `each` with every segment of the file between line ends (LF and CR both end one, as in
/// [`text_lines`]), numbered from 1, streamed: a file of any size takes one line of memory.
fn for_each_segment(
    source: &dyn BagSource,
    row: &Row,
    each: &mut dyn FnMut(u64, &[u8]),
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut no = 0u64;
    source.read_row(row, &mut |chunk| {
        let mut start = 0;
        for end in memchr::memchr2_iter(b'\n', b'\r', chunk) {
            line.extend_from_slice(&chunk[start..end]);
            no += 1;
            each(no, &line);
            line.clear();
            start = end + 1;
        }
        line.extend_from_slice(&chunk[start..]);
    })?;
    each(no + 1, &line);
    Ok(())
}

/// Parse one non-empty manifest line: the path (decoded) and the digest (lowercase), or `None`
/// with the problem that makes it unusable.
fn parse_manifest_line(
    no: u64,
    raw: &str,
    kind: &ManifestKind,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<(String, String)> {
    let Some((digest, rest)) = raw.split_once([' ', '\t']) else {
        problems.push(
            Problem::error(
                name,
                "manifest-malformed",
                format!("`{raw}` is not `DIGEST PATH`"),
            )
            .at_line(no),
        );
        return None;
    };
    let mut path = rest.trim_start_matches([' ', '\t']).to_owned();
    if let Some(stripped) = path.strip_prefix('*') {
        problems.push(
            Problem::warning(
                name,
                "manifest-binary-marker",
                "`*` before the path (md5sum binary mode) is not BagIt; read as a path",
            )
            .at_line(no),
        );
        path = stripped.to_owned();
    }
    if kind.v1 {
        path = percent_decode(&path);
    }
    if let Some(stripped) = path.strip_prefix("./") {
        problems.push(
            Problem::warning(
                name,
                "manifest-dot-slash",
                "`./` before the path is not needed",
            )
            .at_line(no),
        );
        path = stripped.to_owned();
    }
    let algorithm = kind.algorithm;
    if digest.len() != algorithm.hex_len() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        problems.push(
            Problem::error(
                name,
                "manifest-malformed",
                format!("`{digest}` is not a {} digest", algorithm.name()),
            )
            .at_line(no),
        );
        return None;
    }
    if let Some(reason) = out_of_scope(&path) {
        problems.push(
            Problem::error(name, "path-out-of-scope", format!("`{path}`: {reason}")).at_line(no),
        );
        return None;
    }
    if kind.payload && !path.starts_with("data/") {
        problems.push(
            Problem::error(
                name,
                "manifest-outside-payload",
                format!("`{path}` is not in data/"),
            )
            .at_line(no),
        );
        return None;
    }
    if !kind.payload && path.starts_with("data/") {
        problems.push(
            Problem::error(
                name,
                "tag-manifest-payload",
                format!("lists the payload file `{path}`"),
            )
            .at_line(no),
        );
        return None;
    }
    Some((path, digest.to_ascii_lowercase()))
}

/// For each of the `missing` paths that a present file matches apart from case or Unicode
/// normalization, that file: one pass over the files, keeping only the missing names.
fn aliases<'a>(
    source: &dyn BagSource,
    missing: impl Iterator<Item = &'a Line>,
) -> Result<BTreeMap<String, String>> {
    let fold = |s: &str| s.nfc().collect::<String>().to_lowercase();
    let mut wanted: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for line in missing {
        wanted.entry(fold(&line.path)).or_default().push(&line.path);
    }
    let mut found = BTreeMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    for row in source.files().rows() {
        let row = row?;
        if let Some(paths) = wanted.get(&fold(&row.path)) {
            for path in paths {
                found
                    .entry((*path).to_owned())
                    .or_insert_with(|| row.path.clone());
            }
        }
    }
    Ok(found)
}

fn is_system_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    SYSTEM_FILES.contains(&file) || file.starts_with("._")
}
