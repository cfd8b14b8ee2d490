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

use super::source::{BagSource, HashJob, Hashed};
use crate::digest::Algorithm;
use crate::error::Result;
use crate::problem::Problem;
use encoding_rs::Encoding;
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization;

/// Tag files larger than this are refused rather than read into memory.
const MAX_TAG_FILE_BYTES: u64 = 64 << 20;

/// Manifests grow with the payload (a line per file: 200,000 documents make a 68 MB SHA-512
/// manifest), and their lines are checked in memory, so they have a limit of their own.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// Payload files a caller asks to keep (`diff` keeps `records.jsonl`) are kept up to this size.
pub const MAX_KEPT_PAYLOAD_BYTES: u64 = 1 << 30;

/// OS metadata files that copying tools create and drop.
const SYSTEM_FILES: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

/// What validation found, and what later checks may use.
#[derive(Debug, Default)]
pub struct BagReport {
    pub problems: Vec<Problem>,
    /// The BagIt version declared.
    pub version: Option<String>,
    /// Files read and bytes hashed.
    pub files: u64,
    pub bytes: u64,
    /// SHA-256 of every file read, by path (computed for every file, for the content checks).
    pub sha256: BTreeMap<String, String>,
    /// Contents of the files asked for with `keep`.
    pub kept: BTreeMap<String, Vec<u8>>,
    /// `bag-info.txt` elements, in order.
    pub info: Vec<(String, String)>,
}

/// One line of a manifest.
#[derive(Clone, Debug)]
struct Line {
    path: String,
    digest: String,
    no: u64,
}

/// Validate the bag in `source`. `keep` names files whose contents to return (if under 64 MiB).
pub fn validate(source: &mut dyn BagSource, keep: &[&str]) -> Result<BagReport> {
    let mut report = BagReport::default();
    let present: BTreeMap<String, u64> = source
        .files()
        .iter()
        .map(|f| (f.path.clone(), f.size))
        .collect();

    // bagit.txt: must exist, UTF-8 without BOM, exactly two elements.
    let Some(bagit_bytes) = read_small(
        source,
        "bagit.txt",
        &present,
        MAX_TAG_FILE_BYTES,
        &mut report,
    )?
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

    // Tag files in memory, decoded.
    let tag_text = |source: &mut dyn BagSource,
                    path: &str,
                    report: &mut BagReport|
     -> Result<Option<String>> {
        let limit = if path.starts_with("manifest-") || path.starts_with("tagmanifest-") {
            MAX_MANIFEST_BYTES
        } else {
            MAX_TAG_FILE_BYTES
        };
        let Some(bytes) = read_small(source, path, &present, limit, report)? else {
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

    // Manifests.
    let mut payload_manifests: BTreeMap<Algorithm, Vec<Line>> = BTreeMap::new();
    let mut tag_manifests: BTreeMap<Algorithm, Vec<Line>> = BTreeMap::new();
    let top_level: Vec<String> = present
        .keys()
        .filter(|p| !p.contains('/'))
        .cloned()
        .collect();
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
            report.problems.push(Problem::warning(
                source.name_of(name),
                "unknown-algorithm",
                format!("digest algorithm `{alg}` is not supported; this manifest is not checked"),
            ));
            continue;
        };
        let Some(text) = tag_text(source, name, &mut report)? else {
            continue;
        };
        let lines = parse_manifest(
            &text,
            algorithm,
            v1,
            !is_tag,
            &source.name_of(name),
            &mut report.problems,
        );
        if is_tag {
            tag_manifests.insert(algorithm, lines);
        } else {
            payload_manifests.insert(algorithm, lines);
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
            } else if !present.contains_key(&path) {
                report.problems.push(Problem::error(
                    source.name_of(&path),
                    "fetch-missing",
                    "listed in fetch.txt but not present: the bag is incomplete",
                ));
            }
        }
    }

    // Completeness of payload manifests.
    let payload: Vec<&String> = present.keys().filter(|p| p.starts_with("data/")).collect();
    let mut tolerated_missing_system_files = 0u64;
    for (algorithm, lines) in &payload_manifests {
        let manifest = source.name_of(&format!("manifest-{}.txt", algorithm.name()));
        let listed: BTreeSet<&str> = lines.iter().map(|l| l.path.as_str()).collect();
        for path in &payload {
            if !listed.contains(path.as_str()) {
                report.problems.push(Problem::error(
                    source.name_of(path),
                    "not-in-manifest",
                    format!("payload file not listed in `{manifest}`"),
                ));
            }
        }
        for line in lines {
            if present.contains_key(&line.path) {
                continue;
            }
            match alias_of(&line.path, &present) {
                Some(alias) => report.problems.push(Problem::warning(
                    source.name_of(&line.path),
                    "name-alias",
                    format!(
                        "not present, but `{alias}` is the same name apart from case or Unicode \
                         normalization (the bag was made on a file system that folds them)"
                    ),
                )),
                None if is_system_file(&line.path) => {
                    if *algorithm == *payload_manifests.keys().next().expect("non-empty") {
                        tolerated_missing_system_files += 1;
                    }
                    report.problems.push(Problem::warning(
                        source.name_of(&line.path),
                        "system-file-missing",
                        "an OS metadata file listed in the manifest is missing (copying tools often drop these)",
                    ))
                }
                None => report.problems.push(
                    Problem::error(
                        source.name_of(&line.path),
                        "missing-file",
                        format!("listed in `{manifest}` but not present"),
                    )
                    .at_line(line.no),
                ),
            }
        }
    }
    for path in &payload {
        if is_system_file(path) {
            report.problems.push(Problem::warning(
                source.name_of(path),
                "system-file",
                "an OS metadata file is part of the payload",
            ));
        }
    }

    // Tag manifests: only tag files, each present.
    for (algorithm, lines) in &tag_manifests {
        let manifest = source.name_of(&format!("tagmanifest-{}.txt", algorithm.name()));
        for line in lines {
            if line.path.starts_with("data/") {
                report.problems.push(
                    Problem::error(
                        &manifest,
                        "tag-manifest-payload",
                        format!("lists the payload file `{}`", line.path),
                    )
                    .at_line(line.no),
                );
            } else if !present.contains_key(&line.path) {
                report.problems.push(
                    Problem::error(
                        source.name_of(&line.path),
                        "missing-file",
                        format!("listed in `{manifest}` but not present"),
                    )
                    .at_line(line.no),
                );
            }
        }
    }

    // Digests: every present file read once, with every algorithm any manifest uses for it.
    let mut expected: BTreeMap<&str, Vec<(Algorithm, &str, &'static str)>> = BTreeMap::new();
    for (algorithm, lines) in &payload_manifests {
        for line in lines {
            expected
                .entry(&line.path)
                .or_default()
                .push((*algorithm, &line.digest, "manifest"));
        }
    }
    for (algorithm, lines) in &tag_manifests {
        for line in lines {
            expected
                .entry(&line.path)
                .or_default()
                .push((*algorithm, &line.digest, "tagmanifest"));
        }
    }
    let keep: BTreeSet<&str> = keep.iter().copied().collect();
    // Files are hashed a block at a time (in parallel within a block), and each result checked
    // as it comes: the jobs and digests of only one block are in memory at once.
    let present_list: Vec<(&String, &u64)> = present.iter().collect();
    for block in present_list.chunks(HASH_BLOCK) {
        let jobs: Vec<HashJob> = block
            .iter()
            .map(|&(path, size)| HashJob {
                path: path.clone(),
                algorithms: expected
                    .get(path.as_str())
                    .map(|e| e.iter().map(|(a, _, _)| *a).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .into_iter()
                    .chain([Algorithm::Sha256])
                    .collect(),
                keep: keep.contains(path.as_str())
                    && *size
                        <= if path.starts_with("data/") {
                            MAX_KEPT_PAYLOAD_BYTES
                        } else {
                            MAX_TAG_FILE_BYTES
                        },
            })
            .collect();
        let results = source.hash_all(&jobs);
        for (job, result) in jobs.iter().zip(results) {
            check_hashed(source, &job.path, result, &expected, &mut report);
        }
    }
    drop(present_list);

    // Payload-Oxum: octets.count of the payload.
    if let Some((_, oxum)) = report
        .info
        .iter()
        .find(|(label, _)| label == "Payload-Oxum")
    {
        let found_bytes: u64 = payload.iter().map(|p| present[p.as_str()]).sum();
        let found_count = payload.len() as u64;
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

/// Check one file's digests against what the manifests expect, and record them.
fn check_hashed(
    source: &dyn BagSource,
    path: &str,
    result: std::result::Result<Hashed, String>,
    expected: &BTreeMap<&str, Vec<(Algorithm, &str, &'static str)>>,
    report: &mut BagReport,
) {
    let hashed = match result {
        Ok(hashed) => hashed,
        Err(e) => {
            report.problems.push(Problem::error(
                source.name_of(path),
                "unreadable",
                format!("cannot be read: {e}"),
            ));
            return;
        }
    };
    report.files += 1;
    report.bytes += hashed.bytes;
    let digests = hashed.digests;
    for (algorithm, digest) in &digests {
        if *algorithm == Algorithm::Sha256 {
            report.sha256.insert(path.to_owned(), digest.clone());
        }
    }
    for (algorithm, want, manifest) in expected.get(path).map(Vec::as_slice).unwrap_or_default() {
        let got = &digests
            .iter()
            .find(|(a, _)| a == algorithm)
            .expect("hashed")
            .1;
        if !want.eq_ignore_ascii_case(got) {
            report.problems.push(Problem::error(
                source.name_of(path),
                "digest-mismatch",
                format!(
                    "{} in {manifest}-{}.txt is {want}, the file's is {got}",
                    algorithm.name(),
                    algorithm.name()
                ),
            ));
        }
    }
    if let Some(k) = hashed.kept {
        report.kept.insert(path.to_owned(), k);
    }
}

/// Read a small file of the bag into memory, if present.
fn read_small(
    source: &mut dyn BagSource,
    path: &str,
    present: &BTreeMap<String, u64>,
    limit: u64,
    report: &mut BagReport,
) -> Result<Option<Vec<u8>>> {
    let Some(&size) = present.get(path) else {
        return Ok(None);
    };
    if size > limit {
        report.problems.push(Problem::error(
            source.name_of(path),
            "tag-file-too-large",
            format!("{size} bytes; files like this one over {limit} bytes are refused"),
        ));
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(size as usize);
    if let Err(e) = source.read(path, &mut |chunk| bytes.extend_from_slice(chunk)) {
        report.problems.push(Problem::error(
            source.name_of(path),
            "unreadable",
            format!("cannot be read: {e}"),
        ));
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// `bagit.txt`: `BagIt-Version: M.N` and `Tag-File-Character-Encoding: ENC`, exactly.
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

fn parse_manifest(
    text: &str,
    algorithm: Algorithm,
    v1: bool,
    payload: bool,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut by_path: BTreeMap<String, usize> = BTreeMap::new();
    for (no, raw) in text_lines(text) {
        let Some((digest, rest)) = raw.split_once([' ', '\t']) else {
            problems.push(
                Problem::error(
                    name,
                    "manifest-malformed",
                    format!("`{raw}` is not `DIGEST PATH`"),
                )
                .at_line(no),
            );
            continue;
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
        if v1 {
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
        if digest.len() != algorithm.hex_len() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.push(
                Problem::error(
                    name,
                    "manifest-malformed",
                    format!("`{digest}` is not a {} digest", algorithm.name()),
                )
                .at_line(no),
            );
            continue;
        }
        if let Some(reason) = out_of_scope(&path) {
            problems.push(
                Problem::error(name, "path-out-of-scope", format!("`{path}`: {reason}"))
                    .at_line(no),
            );
            continue;
        }
        if payload && !path.starts_with("data/") {
            problems.push(
                Problem::error(
                    name,
                    "manifest-outside-payload",
                    format!("`{path}` is not in data/"),
                )
                .at_line(no),
            );
            continue;
        }
        if let Some(&first) = by_path.get(&path) {
            let same = lines[first].digest.eq_ignore_ascii_case(digest);
            let message = format!(
                "`{path}` is listed twice (lines {} and {no})",
                lines[first].no
            );
            problems.push(if same && !v1 {
                Problem::warning(name, "manifest-duplicate", message).at_line(no)
            } else {
                Problem::error(name, "manifest-duplicate", message).at_line(no)
            });
            continue;
        }
        by_path.insert(path.clone(), lines.len());
        lines.push(Line {
            path,
            digest: digest.to_ascii_lowercase(),
            no,
        });
    }
    lines
}

/// A present file with the same name apart from case or Unicode normalization.
fn alias_of(path: &str, present: &BTreeMap<String, u64>) -> Option<String> {
    let fold = |s: &str| s.nfc().collect::<String>().to_lowercase();
    let key = fold(path);
    present.keys().find(|p| fold(p) == key).cloned()
}

fn is_system_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    SYSTEM_FILES.contains(&file) || file.starts_with("._")
}
