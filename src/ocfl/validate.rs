//! OCFL 1.1 validation of objects and storage roots: the fixity audit a repository runs.
//!
//! Every problem carries the specification's validation code (`E092`, `W004`, ...) as its code,
//! so reports can be matched against <https://ocfl.io/1.1/spec/validation-codes.html>. Checks:
//! conformance declarations; inventories and their sidecars (root and every version); inventory
//! structure (keys, digests, version sequence and naming, created dates, users, logical and
//! content paths, fixity); every content file's digest against the manifest and fixity blocks;
//! files that are not in the manifest; the state of every version against prior inventories;
//! and, for storage roots, the hierarchy and the layout mapping of every object.

use super::tree::{Disk, Kind, Tree};
use crate::digest::{Algorithm, MultiHasher};
use crate::error::Result;
use crate::problem::Problem;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The result of an audit.
#[derive(Debug, Default)]
pub struct Audit {
    pub problems: Vec<Problem>,
    pub objects: usize,
    /// Versions of the objects audited (their root inventories' `versions`).
    pub versions: usize,
    pub files: u64,
    pub bytes: u64,
    /// `--fast`: files whose store's SHA-256 matched the inventory's (no byte was read).
    pub fast_matched: u64,
    /// `--fast`: files the store keeps no comparable checksum of (uploaded in parts, or by a
    /// tool that sent none): only their presence was checked.
    pub fast_unchecked: u64,
}

/// Registered extension names (OCFL community extensions).
const REGISTERED_EXTENSIONS: [&str; 10] = [
    "0001-digest-algorithms",
    "0002-flat-direct-storage-layout",
    "0003-hash-and-id-n-tuple-storage-layout",
    "0004-hashed-n-tuple-storage-layout",
    "0005-mutable-head",
    "0006-flat-omit-prefix-storage-layout",
    "0007-n-tuple-omit-prefix-storage-layout",
    "0008-schema-registry",
    "0009-digest-algorithms",
    "0010-differential-versioning",
];

/// Whether `dir` holds an OCFL object declaration.
pub fn is_object(dir: &Path) -> bool {
    is_object_at(&Disk::new(dir), "")
}

/// Whether `dir` holds a storage root declaration.
pub fn is_root(dir: &Path) -> bool {
    is_root_at(&Disk::new(dir), "")
}

/// Whether the folder `rel` of `tree` holds an OCFL object declaration.
pub fn is_object_at(tree: &dyn Tree, rel: &str) -> bool {
    declarations(tree, rel)
        .iter()
        .any(|d| d.starts_with("0=ocfl_object_"))
}

/// Whether the folder `rel` of `tree` holds a storage root declaration.
pub fn is_root_at(tree: &dyn Tree, rel: &str) -> bool {
    declarations(tree, rel)
        .iter()
        .any(|d| d.starts_with("0=ocfl_") && !d.starts_with("0=ocfl_object_"))
}

fn declarations(tree: &dyn Tree, rel: &str) -> Vec<String> {
    if tree.kind(rel) != Some(Kind::Dir) {
        return Vec::new();
    }
    tree.list(rel)
        .map(|entries| {
            entries
                .into_iter()
                .map(|(n, _)| n)
                .filter(|n| n.starts_with("0="))
                .collect()
        })
        .unwrap_or_default()
}

/// Limits on what an audit reads into memory.
#[derive(Clone, Copy, Debug)]
pub struct OcflLimits {
    /// The largest inventory read (an inventory is parsed whole).
    pub max_inventory_bytes: u64,
    /// Compare content files with the store's own checksums instead of reading them (S3).
    pub fast: bool,
}

impl Default for OcflLimits {
    fn default() -> Self {
        OcflLimits {
            max_inventory_bytes: 64 << 20,
            fast: false,
        }
    }
}

/// A checker collecting problems about one object.
struct Checker<'a> {
    tree: &'a dyn Tree,
    problems: Vec<Problem>,
    limits: OcflLimits,
}

impl Checker<'_> {
    fn at(&self, rel: &str) -> String {
        self.tree.show(rel)
    }
    fn error(&mut self, rel: &str, code: &'static str, message: impl Into<String>) {
        let path = self.at(rel);
        self.problems.push(Problem::error(path, code, message));
    }
    fn warn(&mut self, rel: &str, code: &'static str, message: impl Into<String>) {
        let path = self.at(rel);
        self.problems.push(Problem::warning(path, code, message));
    }
}

/// A version block, parsed.
#[derive(Debug, Clone, Default)]
struct Version {
    created: Option<String>,
    message: Option<Value>,
    user: Option<Value>,
    /// logical path -> digest (as written)
    state: BTreeMap<String, String>,
}

/// An inventory, parsed as far as it could be.
#[derive(Debug, Clone, Default)]
struct Inventory {
    id: Option<String>,
    spec: Option<String>,
    algorithm: Option<Algorithm>,
    head: Option<String>,
    content_dir: String,
    content_dir_set: bool,
    /// digest (as written) -> content paths
    manifest: BTreeMap<String, Vec<String>>,
    /// versions in order of their number
    versions: Vec<(String, Version)>,
    /// algorithm name -> digest -> content paths
    fixity: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Inventory {
    fn version(&self, name: &str) -> Option<&Version> {
        self.versions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
    /// content path -> digest
    fn content_digests(&self) -> BTreeMap<&str, &str> {
        self.manifest
            .iter()
            .flat_map(|(d, paths)| paths.iter().map(move |p| (p.as_str(), d.as_str())))
            .collect()
    }
}

/// The problems of an inventory's JSON alone (structure, versions, paths, fixity): no files are
/// looked at. For fuzzing and for tools that receive inventories.
pub fn inventory_problems(bytes: &[u8]) -> Vec<Problem> {
    let tree = Disk::new(Path::new("inventory.json"));
    let mut c = Checker {
        tree: &tree,
        problems: Vec::new(),
        limits: OcflLimits::default(),
    };
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => {
            let _ = parse_inventory(&mut c, "", &value, None, "");
        }
        Err(e) => c.error("", "E033", format!("not valid JSON: {e}")),
    }
    c.problems
}

/// Validate the OCFL object whose root is `dir`.
pub fn validate_object(dir: &Path) -> Result<Audit> {
    validate_object_limited(dir, OcflLimits::default())
}

/// Validate the OCFL object whose root is `dir`, within `limits`.
pub fn validate_object_limited(dir: &Path, limits: OcflLimits) -> Result<Audit> {
    validate_object_in(&Disk::new(dir), limits)
}

/// Validate the OCFL object at the top of `tree`, within `limits`.
pub fn validate_object_in(tree: &dyn Tree, limits: OcflLimits) -> Result<Audit> {
    let mut c = Checker {
        tree,
        problems: Vec::new(),
        limits,
    };
    let mut audit = Audit {
        objects: 1,
        ..Audit::default()
    };
    check_object(&mut c, &mut audit)?;
    audit.problems = c.problems;
    Ok(audit)
}

fn check_object(c: &mut Checker, audit: &mut Audit) -> Result<()> {
    let entries = list(c.tree, "")?;
    // Conformance declaration.
    let decls: Vec<&(String, bool)> = entries
        .iter()
        .filter(|(n, _)| n.starts_with("0="))
        .collect();
    let mut spec = None;
    match decls.as_slice() {
        [] => c.error(
            "",
            "E003",
            "no object conformance declaration (0=ocfl_object_1.1)",
        ),
        [(name, false)] => match name.strip_prefix("0=ocfl_object_") {
            Some(version @ ("1.0" | "1.1")) => {
                let text = c.tree.read(name, 1 << 16).unwrap_or_default();
                if text != format!("ocfl_object_{version}\n").as_bytes() {
                    c.error(
                        name,
                        "E007",
                        format!(
                            "the declaration must contain `ocfl_object_{version}` and a newline"
                        ),
                    );
                }
                spec = Some(version.to_owned());
            }
            _ => c.error(
                name,
                "E006",
                "the declaration must be named 0=ocfl_object_1.1 (or 1.0)",
            ),
        },
        _ => c.error(
            "",
            "E003",
            "there must be exactly one object conformance declaration",
        ),
    }

    // Root inventory.
    if !entries.iter().any(|(n, d)| n == "inventory.json" && !d) {
        c.error("inventory.json", "E063", "the object has no inventory.json");
        return Ok(());
    }
    let Some((root_bytes, root)) = read_inventory(c, "", spec.as_deref())? else {
        return Ok(());
    };
    let algorithm = root.algorithm;
    audit.versions += root.versions.len();

    // Object root entries.
    let content_dir = root.content_dir.clone();
    let version_names: BTreeSet<&str> = root.versions.iter().map(|(n, _)| n.as_str()).collect();
    for (name, is_dir) in &entries {
        let allowed_file = name.starts_with("0=")
            || name == "inventory.json"
            || name.starts_with("inventory.json.");
        if !is_dir {
            if !allowed_file {
                c.error(name, "E001", "files in the object root are only the declaration, inventory.json and its sidecar");
            }
            continue;
        }
        match name.as_str() {
            "logs" => {}
            "extensions" => check_extensions(c, "extensions")?,
            v if version_names.contains(v) => {}
            v if version_number(v).is_some() => c.error(
                v,
                "E046",
                format!(
                    "`{v}` looks like a version directory but the inventory has no version {v}"
                ),
            ),
            other => c.error(
                other,
                "E001",
                format!("unexpected directory `{other}` in the object root"),
            ),
        }
    }
    for (name, _) in &root.versions {
        if !entries.iter().any(|(n, d)| n == name && *d) {
            c.error(
                name,
                "E010",
                format!("the inventory has version {name} but there is no directory {name}"),
            );
        }
    }

    // Version directories and their inventories.
    let mut prior: Vec<(String, Inventory)> = Vec::new();
    for (name, _) in &root.versions {
        if c.tree.kind(name) != Some(Kind::Dir) {
            continue;
        }
        for (child, is_dir) in list(c.tree, name)? {
            let rel = format!("{name}/{child}");
            if is_dir {
                if child != content_dir {
                    c.warn(
                        &rel,
                        "W002",
                        "a version directory should hold no directory but the content directory",
                    );
                }
            } else if child != "inventory.json" && !child.starts_with("inventory.json.") {
                c.error(&rel, "E015", "a version directory holds only inventory.json, its sidecar and the content directory");
            }
        }
        if c.tree.kind(&format!("{name}/inventory.json")) != Some(Kind::File) {
            c.warn(
                &format!("{name}/inventory.json"),
                "W010",
                "every version directory should hold an inventory",
            );
            continue;
        }
        if let Some((bytes, inventory)) = read_inventory(c, name, spec.as_deref())? {
            if Some(name) == root.head.as_ref() && bytes != root_bytes {
                c.error(
                    &format!("{name}/inventory.json"),
                    "E064",
                    "the root inventory must be identical to the inventory of the head version",
                );
            }
            prior.push((name.clone(), inventory));
        }
    }
    for (name, inventory) in &prior {
        compare_prior(c, name, inventory, &root);
    }
    let mut previous_spec: Option<&str> = None;
    for (name, inventory) in &prior {
        if let (Some(prev), Some(this)) = (previous_spec, inventory.spec.as_deref())
            && this < prev
        {
            c.error(
                &format!("{name}/inventory.json"),
                "E103",
                "a version conforms to an older OCFL version than the one before it",
            );
        }
        previous_spec = inventory.spec.as_deref().or(previous_spec);
    }

    // Content files: all in the manifest, all with the right digests, none missing.
    let Some(algorithm) = algorithm else {
        return Ok(());
    };
    let by_path = root.content_digests();
    let mut on_disk = BTreeSet::new();
    for (name, _) in &root.versions {
        let cdir = format!("{name}/{content_dir}");
        if c.tree.kind(&cdir) == Some(Kind::Dir) {
            walk_content(c, &cdir, &mut on_disk)?;
        }
    }
    // What each content file must hash to: the root manifest, the manifests of version
    // inventories in another digest algorithm, and the fixity blocks.
    let mut expected: BTreeMap<String, Vec<(Algorithm, String, String, &'static str)>> =
        BTreeMap::new();
    for (path, digest) in &by_path {
        expected.entry(path.to_string()).or_default().push((
            algorithm,
            digest.to_string(),
            "the manifest".into(),
            "E092",
        ));
    }
    for (name, inventory) in &prior {
        let Some(a) = inventory.algorithm.filter(|a| *a != algorithm) else {
            continue;
        };
        for (path, digest) in inventory.content_digests() {
            expected.entry(path.to_owned()).or_default().push((
                a,
                digest.to_owned(),
                format!("the {name} inventory"),
                "E092",
            ));
        }
    }
    for (name, block) in &root.fixity {
        let Some(a) = super::layout::ocfl_algorithm(name) else {
            continue;
        };
        for (digest, paths) in block {
            for path in paths {
                expected.entry(path.clone()).or_default().push((
                    a,
                    digest.clone(),
                    format!("fixity {name}"),
                    "E093",
                ));
            }
        }
    }
    // Each file on its own (in parallel: a store answers many requests at once), the problems
    // then reported in path order.
    let items: Vec<(&str, Option<&[Wanted]>)> = on_disk
        .iter()
        .map(|path| {
            let ok = by_path.contains_key(path.as_str()) && c.tree.kind(path) == Some(Kind::File);
            (
                path.as_str(),
                ok.then(|| expected[path.as_str()].as_slice()),
            )
        })
        .collect();
    let (tree, fast) = (c.tree, c.limits.fast);
    let check = || -> Vec<Option<Result<Checked>>> {
        use rayon::prelude::*;
        items
            .par_iter()
            .map(|(path, wanted)| wanted.map(|w| check_content(tree, path, w, fast)))
            .collect()
    };
    let results = match tree.concurrency() {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| crate::error::Error::Io(std::io::Error::other(e)))?
            .install(check),
        None => check(),
    };
    for ((path, _), result) in items.iter().zip(results) {
        let Some(result) = result else {
            if !by_path.contains_key(path) {
                c.error(
                    path,
                    "E023",
                    "file in a content directory that the manifest does not list",
                );
            } else {
                c.error(path, "E093", "not a regular file (a link, pipe or device)");
            }
            continue;
        };
        let checked = result?;
        audit.files += 1;
        audit.bytes += checked.bytes;
        match checked.fast {
            Some(true) => audit.fast_matched += 1,
            Some(false) => {
                audit.fast_unchecked += 1;
                // Every file archivist uploads carries its SHA-256: one without is foreign, or
                // was replaced by another tool since.
                c.warn(
                    path,
                    "fast-unchecked",
                    "the store keeps no SHA-256 of this file: --fast saw it is there, not that its \
                     bytes are right (a full audit reads them)",
                );
            }
            None => {}
        }
        for (code, message) in checked.problems {
            c.error(path, code, message);
        }
    }
    for path in by_path.keys() {
        if !on_disk.contains(*path) {
            c.error(
                path,
                "E092",
                "the manifest lists this content path but there is no such file",
            );
        }
    }
    Ok(())
}

/// A digest a content file must have: (algorithm, digest, where it is stated, the code).
type Wanted = (Algorithm, String, String, &'static str);

/// What checking one content file found.
struct Checked {
    bytes: u64,
    /// `--fast`: whether the store had a SHA-256 to compare.
    fast: Option<bool>,
    problems: Vec<(&'static str, String)>,
}

/// A content file against every digest it must have: hashed as it is read, or (`fast`) the
/// store's own SHA-256 compared, nothing read.
fn check_content(tree: &dyn Tree, path: &str, wanted: &[Wanted], fast: bool) -> Result<Checked> {
    let mut problems = Vec::new();
    if fast {
        let Some(stored) = tree.stored(path)? else {
            return Err(crate::error::Error::Usage(
                "--fast compares the store's own checksums: it applies to s3:// roots".into(),
            ));
        };
        let sha256: Vec<_> = wanted
            .iter()
            .filter(|(a, _, _, _)| *a == Algorithm::Sha256)
            .collect();
        let compared = match (&stored.sha256, sha256.is_empty()) {
            (Some(got), false) => {
                for (_, want, source, code) in sha256 {
                    if !got.eq_ignore_ascii_case(want) {
                        problems.push((
                            *code,
                            format!("the store's sha256 is {got}, {source} says {want}"),
                        ));
                    }
                }
                true
            }
            _ => false,
        };
        return Ok(Checked {
            bytes: 0,
            fast: Some(compared),
            problems,
        });
    }
    let mut hasher = MultiHasher::new(wanted.iter().map(|(a, _, _, _)| *a));
    let mut file = tree.open(path)?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0;
    loop {
        let n = std::io::Read::read(&mut file, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let digests = hasher.finish();
    for (a, want, source, code) in wanted {
        let got = &digests.iter().find(|(x, _)| x == a).expect("hashed").1;
        if !got.eq_ignore_ascii_case(want) {
            problems.push((
                *code,
                format!("{} is {got}, {source} says {want}", a.name()),
            ));
        }
    }
    Ok(Checked {
        bytes,
        fast: None,
        problems,
    })
}

/// The entries of a folder: (name, is a directory). Symlinks are reported, not followed.
fn list(tree: &dyn Tree, rel: &str) -> Result<Vec<(String, bool)>> {
    Ok(tree
        .list(rel)?
        .into_iter()
        .map(|(name, kind)| (name, kind == Kind::Dir))
        .collect())
}

fn walk_content(c: &mut Checker, rel: &str, files: &mut BTreeSet<String>) -> Result<()> {
    let entries = c.tree.list(rel)?;
    if entries.is_empty() {
        c.error(rel, "E024", "empty directory in a content directory");
    }
    for (name, kind) in entries {
        let child = format!("{rel}/{name}");
        match kind {
            Kind::Link => c.error(&child, "E090", "links must not be used in OCFL storage"),
            Kind::Dir => walk_content(c, &child, files)?,
            _ => {
                files.insert(child);
            }
        }
    }
    Ok(())
}

fn check_extensions(c: &mut Checker, rel: &str) -> Result<()> {
    for (name, is_dir) in list(c.tree, rel)? {
        let child = format!("{rel}/{name}");
        if !is_dir {
            c.error(
                &child,
                "E067",
                "the extensions directory holds only extension directories",
            );
        } else if !REGISTERED_EXTENSIONS.contains(&name.as_str()) {
            c.warn(
                &child,
                "W013",
                format!("`{name}` is not a registered extension name"),
            );
        }
    }
    Ok(())
}

/// `v1`, `v02`: the version number.
fn version_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix('v')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Read an inventory and its sidecar in `dir_rel` ("" for the object root) and parse it.
fn read_inventory(
    c: &mut Checker,
    dir_rel: &str,
    spec: Option<&str>,
) -> Result<Option<(Vec<u8>, Inventory)>> {
    let rel = |name: &str| {
        if dir_rel.is_empty() {
            name.to_owned()
        } else {
            format!("{dir_rel}/{name}")
        }
    };
    let inv_rel = rel("inventory.json");
    let size = c.tree.size(&inv_rel)?;
    if size > c.limits.max_inventory_bytes {
        c.error(
            &inv_rel,
            "inventory-too-large",
            format!(
                "{size} bytes is over the limit of {} bytes per inventory (--max-inventory-bytes)",
                c.limits.max_inventory_bytes
            ),
        );
        return Ok(None);
    }
    let bytes = match c.tree.read(&inv_rel, c.limits.max_inventory_bytes) {
        Ok(bytes) => bytes,
        Err(crate::error::Error::Refused { message, .. }) => {
            c.error(&inv_rel, "E040", message);
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            c.error(&inv_rel, "E033", format!("not valid JSON: {e}"));
            return Ok(None);
        }
    };
    let inventory = parse_inventory(c, &inv_rel, &value, spec, dir_rel);

    // Sidecar.
    let sidecars: Vec<String> = list(c.tree, dir_rel)?
        .into_iter()
        .filter(|(n, d)| !d && n.starts_with("inventory.json."))
        .map(|(n, _)| n)
        .collect();
    let expected_name = inventory
        .algorithm
        .map(|a| format!("inventory.json.{}", a.name()));
    match expected_name.as_ref().filter(|n| sidecars.contains(n)) {
        None => {
            if inventory.algorithm.is_some() {
                c.error(
                    &inv_rel,
                    "E058",
                    format!(
                        "no sidecar {} beside the inventory",
                        expected_name.unwrap_or_default()
                    ),
                );
            }
        }
        Some(name) => {
            let sidecar_rel = rel(name);
            let text = String::from_utf8(c.tree.read(&sidecar_rel, 1 << 16).unwrap_or_default())
                .unwrap_or_default();
            let mut parts = text.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some(digest), Some("inventory.json"), None) => {
                    let algorithm = inventory
                        .algorithm
                        .expect("a sidecar name implies an algorithm");
                    let mut h = MultiHasher::new([algorithm]);
                    h.update(&bytes);
                    let actual = h.finish().remove(0).1;
                    if !digest.eq_ignore_ascii_case(&actual) {
                        c.error(
                            &sidecar_rel,
                            "E060",
                            format!("says {digest}, the inventory's digest is {actual}"),
                        );
                    }
                }
                _ => c.error(
                    &sidecar_rel,
                    "E061",
                    "a sidecar holds `DIGEST inventory.json` and nothing else",
                ),
            }
        }
    }
    Ok(Some((bytes, inventory)))
}

/// Whether a digest looks like a digest of `algorithm`.
fn digest_shape(digest: &str, algorithm: Algorithm) -> bool {
    digest.len() == algorithm.hex_len() && digest.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Problems of a path made of `/`-separated elements: (code for bad elements, code for slashes).
fn path_problem(
    path: &str,
    elements: &'static str,
    slashes: &'static str,
) -> Option<(&'static str, &'static str)> {
    if path.starts_with('/') || path.ends_with('/') {
        return Some((slashes, "must not begin or end with `/`"));
    }
    if path
        .split('/')
        .any(|e| e.is_empty() || e == "." || e == "..")
    {
        return Some((elements, "elements must not be `.`, `..` or empty"));
    }
    None
}

/// Paths that are the same, or one a folder of another.
fn conflicts<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut sorted: Vec<&str> = paths.into_iter().collect();
    sorted.sort_unstable();
    let mut found = Vec::new();
    for pair in sorted.windows(2) {
        if pair[0] == pair[1] || pair[1].starts_with(&format!("{}/", pair[0])) {
            found.push(format!("`{}` and `{}`", pair[0], pair[1]));
        }
    }
    found
}

fn is_rfc3339_to_seconds(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':';
    let zone = s.ends_with(['Z', 'z']) || {
        let tail = &s[s.len().saturating_sub(6)..];
        tail.len() == 6
            && (tail.starts_with('+') || tail.starts_with('-'))
            && tail.as_bytes()[3] == b':'
    };
    shape && zone && s.parse::<jiff::Timestamp>().is_ok()
}

fn parse_inventory(
    c: &mut Checker,
    rel: &str,
    value: &Value,
    spec: Option<&str>,
    dir_rel: &str,
) -> Inventory {
    let mut inv = Inventory {
        content_dir: "content".into(),
        ..Inventory::default()
    };
    let Some(obj) = value.as_object() else {
        c.error(rel, "E033", "the inventory is not a JSON object");
        return inv;
    };
    const KEYS: [&str; 8] = [
        "id",
        "type",
        "digestAlgorithm",
        "head",
        "contentDirectory",
        "fixity",
        "manifest",
        "versions",
    ];
    for key in obj.keys() {
        if !KEYS.contains(&key.as_str()) {
            c.error(
                rel,
                "E102",
                format!("key `{key}` is not part of an inventory"),
            );
        }
    }
    match obj.get("id").and_then(Value::as_str) {
        None => c.error(rel, "E036", "no `id`"),
        Some(id) => {
            let uri = id.find(':').is_some_and(|i| {
                i > 0
                    && id[..i]
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || "+.-".contains(ch))
                    && id.starts_with(|ch: char| ch.is_ascii_alphabetic())
            });
            if !uri {
                c.warn(rel, "W005", format!("the id `{id}` should be a URI"));
            }
            inv.id = Some(id.to_owned());
        }
    }
    match obj.get("type").and_then(Value::as_str) {
        None => c.error(rel, "E036", "no `type`"),
        Some(t) => match t
            .strip_prefix("https://ocfl.io/")
            .and_then(|r| r.strip_suffix("/spec/#inventory"))
        {
            Some(v @ ("1.0" | "1.1")) => {
                if dir_rel.is_empty() && spec.is_some_and(|s| s != v) {
                    c.error(
                        rel,
                        "E038",
                        format!(
                            "type is OCFL {v}, the declaration says {}",
                            spec.unwrap_or_default()
                        ),
                    );
                }
                inv.spec = Some(v.to_owned());
            }
            _ => c.error(
                rel,
                "E038",
                format!("`{t}` is not the inventory type URI of an OCFL version"),
            ),
        },
    }
    match obj.get("digestAlgorithm").and_then(Value::as_str) {
        None => c.error(rel, "E036", "no `digestAlgorithm`"),
        Some("sha512") => inv.algorithm = Some(Algorithm::Sha512),
        Some("sha256") => {
            c.warn(
                rel,
                "W004",
                "sha512 should be used for content addressing; this inventory uses sha256",
            );
            inv.algorithm = Some(Algorithm::Sha256);
        }
        Some(other) => c.error(
            rel,
            "E025",
            format!("digestAlgorithm must be sha512 or sha256, not `{other}`"),
        ),
    }
    if let Some(cd) = obj.get("contentDirectory") {
        match cd.as_str() {
            Some(d) if !d.contains('/') && d != "." && d != ".." && !d.is_empty() => {
                inv.content_dir = d.to_owned();
                inv.content_dir_set = true;
            }
            _ => c.error(
                rel,
                "E017",
                format!("contentDirectory {cd} must be a plain folder name"),
            ),
        }
    }

    // Versions.
    match obj.get("versions") {
        None => c.error(rel, "E043", "no `versions` block"),
        Some(Value::Object(versions)) => {
            if versions.is_empty() {
                c.error(rel, "E008", "an object has at least one version");
            }
            let mut numbered: Vec<(u64, &String, &Value)> = Vec::new();
            for (name, block) in versions {
                match version_number(name) {
                    Some(n) if n > 0 => numbered.push((n, name, block)),
                    _ => c.error(
                        rel,
                        "E104",
                        format!("`{name}` is not a version name (v1, v2, ...)"),
                    ),
                }
            }
            numbered.sort_by_key(|(n, _, _)| *n);
            for (i, (n, name, _)) in numbered.iter().enumerate() {
                if *n != i as u64 + 1 {
                    c.error(
                        rel,
                        "E010",
                        format!(
                            "versions must run 1, 2, 3... without gaps; found {name} as version {}",
                            i + 1
                        ),
                    );
                    break;
                }
            }
            let padded: Vec<&&String> = numbered
                .iter()
                .map(|(_, n, _)| n)
                .filter(|n| n.starts_with("v0"))
                .collect();
            if !padded.is_empty() {
                let width = padded[0].len();
                if numbered
                    .iter()
                    .any(|(_, n, _)| n.len() != width || !n.starts_with("v0"))
                {
                    c.error(
                        rel,
                        "E011",
                        "zero-padded version names must all have the same width",
                    );
                    c.error(
                        rel,
                        "E013",
                        "new versions must follow the naming of earlier ones",
                    );
                } else {
                    c.warn(rel, "W001", "version directories should not be zero-padded");
                }
            }
            for (_, name, block) in numbered {
                inv.versions
                    .push((name.clone(), parse_version(c, rel, name, block, &inv)));
            }
        }
        Some(_) => c.error(rel, "E044", "`versions` must be a JSON object"),
    }
    match obj.get("head").map(Value::as_str) {
        None => c.error(rel, "E036", "no `head`"),
        Some(None) => c.error(rel, "E040", "`head` must be a version name such as v3"),
        Some(Some(head)) => {
            let highest = inv.versions.last().map(|(n, _)| n.as_str());
            if version_number(head).is_none() || (highest.is_some() && highest != Some(head)) {
                c.error(
                    rel,
                    "E040",
                    format!(
                        "head `{head}` must be the highest version ({})",
                        highest.unwrap_or("none")
                    ),
                );
            }
            if !dir_rel.is_empty() && head != dir_rel {
                c.error(
                    rel,
                    "E040",
                    format!("the inventory of {dir_rel} must have head {dir_rel}, not {head}"),
                );
            }
            inv.head = Some(head.to_owned());
        }
    }

    // Manifest.
    match obj.get("manifest") {
        None => c.error(rel, "E041", "no `manifest` block"),
        Some(Value::Object(manifest)) => {
            let mut folded = BTreeSet::new();
            for (digest, paths) in manifest {
                if let Some(a) = inv.algorithm
                    && !digest_shape(digest, a)
                {
                    c.error(
                        rel,
                        "E096",
                        format!("`{digest}` is not a {} digest", a.name()),
                    );
                }
                if !folded.insert(digest.to_ascii_lowercase()) {
                    c.error(
                        rel,
                        "E096",
                        format!("digest {digest} occurs more than once (regardless of case)"),
                    );
                }
                let Some(list) = paths.as_array() else {
                    c.error(
                        rel,
                        "E092",
                        format!("the value of {digest} must be an array of content paths"),
                    );
                    continue;
                };
                let mut strings = Vec::new();
                for p in list {
                    let Some(p) = p.as_str() else {
                        c.error(rel, "E092", "content paths must be strings");
                        continue;
                    };
                    if let Some((code, why)) = path_problem(p, "E099", "E100") {
                        c.error(rel, code, format!("content path `{p}`: {why}"));
                    } else {
                        let mut parts = p.splitn(3, '/');
                        let (v, cd) = (
                            parts.next().unwrap_or_default(),
                            parts.next().unwrap_or_default(),
                        );
                        if inv.version(v).is_none()
                            || cd != inv.content_dir
                            || parts.next().is_none()
                        {
                            c.error(rel, "E042", format!("content path `{p}` is not in the content directory of a version"));
                        }
                    }
                    strings.push(p.to_owned());
                }
                inv.manifest.insert(digest.clone(), strings);
            }
            for pair in conflicts(inv.manifest.values().flatten().map(String::as_str)) {
                c.error(
                    rel,
                    "E101",
                    format!("content paths must be unique and not nested: {pair}"),
                );
            }
        }
        Some(_) => c.error(rel, "E106", "`manifest` must be a JSON object"),
    }

    // States refer to the manifest; every manifest digest is used.
    let mut used = BTreeSet::new();
    for (name, version) in &inv.versions {
        for digest in version.state.values() {
            if !inv.manifest.contains_key(digest) {
                c.error(
                    rel,
                    "E050",
                    format!("{name} state has digest {digest}, which the manifest does not have"),
                );
            }
            used.insert(digest.clone());
        }
    }
    for digest in inv.manifest.keys() {
        if !used.contains(digest) {
            c.error(
                rel,
                "E107",
                format!("manifest digest {digest} is in no version's state"),
            );
        }
    }

    // Fixity.
    match obj.get("fixity") {
        None => {}
        Some(Value::Object(fixity)) => {
            let all_paths: BTreeSet<&str> = inv
                .manifest
                .values()
                .flatten()
                .map(String::as_str)
                .collect();
            let mut blocks = BTreeMap::new();
            for (algorithm, block) in fixity {
                let Some(block) = block.as_object() else {
                    c.error(
                        rel,
                        "E057",
                        format!("fixity block {algorithm} must be a JSON object"),
                    );
                    continue;
                };
                let mut folded = BTreeSet::new();
                let mut entries = BTreeMap::new();
                for (digest, paths) in block {
                    if !folded.insert(digest.to_ascii_lowercase()) {
                        c.error(rel, "E097", format!("fixity {algorithm} digest {digest} occurs more than once (regardless of case)"));
                    }
                    let list: Vec<String> = paths
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|p| p.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    for p in &list {
                        if let Some((code, why)) = path_problem(p, "E099", "E100") {
                            c.error(rel, code, format!("fixity content path `{p}`: {why}"));
                        } else if !all_paths.contains(p.as_str()) {
                            c.error(
                                rel,
                                "E093",
                                format!("fixity lists `{p}`, which is not in the manifest"),
                            );
                        }
                    }
                    entries.insert(digest.clone(), list);
                }
                blocks.insert(algorithm.clone(), entries);
            }
            inv.fixity = blocks;
        }
        Some(_) => c.error(rel, "E111", "`fixity` must be a JSON object"),
    }
    inv
}

fn parse_version(
    c: &mut Checker,
    rel: &str,
    name: &str,
    block: &Value,
    inv: &Inventory,
) -> Version {
    let mut version = Version::default();
    let Some(obj) = block.as_object() else {
        c.error(rel, "E047", format!("version {name} must be a JSON object"));
        return version;
    };
    for key in obj.keys() {
        if !["created", "message", "user", "state"].contains(&key.as_str()) {
            c.error(
                rel,
                "E102",
                format!("key `{key}` is not part of a version block ({name})"),
            );
        }
    }
    match obj.get("created").and_then(Value::as_str) {
        None => c.error(rel, "E048", format!("version {name} has no `created`")),
        Some(created) => {
            if !is_rfc3339_to_seconds(created) {
                c.error(rel, "E049", format!("{name} created `{created}` is not an RFC 3339 date-time to the second with a time zone"));
            }
            version.created = Some(created.to_owned());
        }
    }
    match obj.get("message") {
        None => {}
        Some(Value::String(_)) => version.message = obj.get("message").cloned(),
        Some(_) => c.error(rel, "E094", format!("{name} message must be a string")),
    }
    match obj.get("user") {
        None => {}
        Some(user) => {
            match user.get("name").and_then(Value::as_str) {
                Some(_) => {}
                None => c.error(rel, "E054", format!("{name} user must have a `name`")),
            }
            match user.get("address").and_then(Value::as_str) {
                None => c.warn(rel, "W008", format!("{name} user should have an `address`")),
                Some(address) if !address.contains(':') => c.warn(
                    rel,
                    "W009",
                    format!("{name} user address `{address}` should be a URI (mailto: or a URL)"),
                ),
                Some(_) => {}
            }
            version.user = Some(user.clone());
        }
    }
    if version.message.is_none() || version.user.is_none() {
        c.warn(
            rel,
            "W007",
            format!("version {name} should have a message and a user"),
        );
    }
    match obj.get("state").and_then(Value::as_object) {
        None => c.error(rel, "E048", format!("version {name} has no `state` object")),
        Some(state) => {
            for (digest, paths) in state {
                if let Some(a) = inv.algorithm
                    && !digest_shape(digest, a)
                {
                    c.error(
                        rel,
                        "E050",
                        format!("{name} state key `{digest}` is not a {} digest", a.name()),
                    );
                }
                for p in paths.as_array().map(Vec::as_slice).unwrap_or_default() {
                    let Some(p) = p.as_str() else { continue };
                    if let Some((code, why)) = path_problem(p, "E052", "E053") {
                        c.error(rel, code, format!("{name} logical path `{p}`: {why}"));
                    }
                    version.state.insert(p.to_owned(), digest.clone());
                }
            }
            let all = state
                .values()
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(Value::as_str);
            for pair in conflicts(all) {
                c.error(
                    rel,
                    "E095",
                    format!("{name} logical paths must be unique and not nested: {pair}"),
                );
            }
        }
    }
    version
}

/// A version's inventory against the root: same id, content directory, and for every version it
/// has, the same state (and, softly, the same metadata); its manifest agrees with the root's.
fn compare_prior(c: &mut Checker, name: &str, prior: &Inventory, root: &Inventory) {
    let rel = format!("{name}/inventory.json");
    if prior.id != root.id {
        c.error(&rel, "E037", "the id differs from the root inventory's");
    }
    if prior.content_dir != root.content_dir {
        c.error(
            &rel,
            "E019",
            "contentDirectory differs from the root inventory's",
        );
    }
    let root_paths = root.content_digests();
    let prior_paths = prior.content_digests();
    let same_algorithm = prior.algorithm == root.algorithm;
    // The content of a logical path, as a content path (comparable across digest algorithms).
    let content_of = |inv: &Inventory, digest: &str| -> BTreeSet<String> {
        inv.manifest
            .get(digest)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect()
    };
    for (vname, version) in &prior.versions {
        let Some(current) = root.version(vname) else {
            c.error(
                &rel,
                "E066",
                format!("has version {vname}, which the root inventory does not"),
            );
            continue;
        };
        let same_state = if same_algorithm {
            version.state == current.state
        } else {
            version.state.len() == current.state.len()
                && version.state.iter().all(|(path, digest)| {
                    current.state.get(path).is_some_and(|d| {
                        !content_of(prior, digest).is_disjoint(&content_of(root, d))
                    })
                })
        };
        if !same_state {
            c.error(
                &rel,
                "E066",
                format!("the state of {vname} differs from the root inventory's"),
            );
        }
        if version.created != current.created
            || version.message != current.message
            || version.user != current.user
        {
            c.warn(
                &rel,
                "W011",
                format!("created, message or user of {vname} differ from the root inventory's"),
            );
        }
    }
    for (path, digest) in &prior_paths {
        match root_paths.get(path) {
            Some(d) if same_algorithm && !d.eq_ignore_ascii_case(digest) => {
                c.error(
                    &rel,
                    "E066",
                    format!(
                        "manifest gives {path} the digest {digest}; the root inventory gives {d}"
                    ),
                );
                c.error(
                    path,
                    "E092",
                    format!("one of the inventories has the wrong digest for {path}"),
                );
            }
            None => c.error(
                &rel,
                "E066",
                format!("manifest lists {path}, which the root inventory does not"),
            ),
            _ => {}
        }
    }
    // Every content file of versions up to this one must be in this inventory's manifest.
    let upto = version_number(name).unwrap_or(0);
    for path in root_paths.keys() {
        let owner = path
            .split('/')
            .next()
            .and_then(version_number)
            .unwrap_or(u64::MAX);
        if owner <= upto && !prior_paths.contains_key(path) {
            c.error(
                &rel,
                "E023",
                format!("manifest lacks {path}, content of an earlier version"),
            );
        }
    }
}

/// Validate a storage root: its declaration, layout, and every object in it.
pub fn validate_root(root: &Path) -> Result<Audit> {
    validate_root_limited(root, OcflLimits::default())
}

/// Validate a storage root on disk within `limits`.
pub fn validate_root_limited(root: &Path, limits: OcflLimits) -> Result<Audit> {
    validate_root_in(&Disk::new(root), limits)
}

/// Validate the storage root at the top of `root`, within `limits`.
pub fn validate_root_in(root: &dyn Tree, limits: OcflLimits) -> Result<Audit> {
    let mut audit = Audit::default();
    let display = |rel: &str| root.show(rel);
    let entries = list(root, "")?;
    let decls: Vec<&String> = entries
        .iter()
        .filter(|(n, d)| !d && n.starts_with("0="))
        .map(|(n, _)| n)
        .collect();
    match decls.as_slice() {
        [name] if matches!(name.as_str(), "0=ocfl_1.0" | "0=ocfl_1.1") => {
            let dvalue = &name[2..];
            if root.read(name.as_str(), 1 << 16).unwrap_or_default()
                != format!("{dvalue}\n").as_bytes()
            {
                audit.problems.push(Problem::error(
                    display(name),
                    "E080",
                    format!("must contain `{dvalue}` and a newline"),
                ));
            }
        }
        _ => audit.problems.push(Problem::error(
            display(""),
            "E069",
            "a storage root has exactly one declaration, 0=ocfl_1.1",
        )),
    }
    if root.kind("ocfl_layout.json") == Some(Kind::File) {
        let value: Value =
            serde_json::from_slice(&root.read("ocfl_layout.json", 1 << 20)?).unwrap_or(Value::Null);
        if value.get("extension").and_then(Value::as_str).is_none()
            || value.get("description").and_then(Value::as_str).is_none()
        {
            audit.problems.push(Problem::error(
                display("ocfl_layout.json"),
                "E070",
                "must have `extension` and `description`",
            ));
        }
    }
    // The layout and its parameters: every object must be where it maps the object's id.
    let layout = match super::layout::Layout::of_tree(root) {
        super::layout::RootLayout::Known(layout) => Some(layout),
        super::layout::RootLayout::Undeclared => None,
        super::layout::RootLayout::Unusable(why) => {
            audit.problems.push(Problem::warning(
                display("ocfl_layout.json"),
                "layout-unchecked",
                format!("where objects are cannot be checked (E083): {why}"),
            ));
            None
        }
    };
    let layout = layout.as_ref();
    for (name, is_dir) in &entries {
        if !is_dir {
            // A link at the top of the root would take the hierarchy, or what is written into
            // it, elsewhere (deposit refuses to go through one).
            if root.kind(name) == Some(Kind::Link) {
                audit.problems.push(Problem::error(
                    display(name),
                    "root-symlink",
                    "a symbolic link in the storage root: objects behind it are not audited, and \
                     deposits refuse to go through it",
                ));
            }
            continue; // E087: files a validator does not understand are ignored
        }
        if name == "extensions" {
            for (ext, is_dir) in list(root, "extensions")? {
                if !is_dir {
                    audit.problems.push(Problem::error(
                        display(&format!("extensions/{ext}")),
                        "E112",
                        "the extensions directory holds only extension directories",
                    ));
                } else if !REGISTERED_EXTENSIONS.contains(&ext.as_str()) {
                    audit.problems.push(Problem::warning(
                        display(&format!("extensions/{ext}")),
                        "W016",
                        "not a registered extension name",
                    ));
                }
            }
            continue;
        }
        walk_hierarchy(root, name, layout, limits, &mut audit)?;
    }
    Ok(audit)
}

fn walk_hierarchy(
    root: &dyn Tree,
    rel: &str,
    layout: Option<&super::layout::Layout>,
    limits: OcflLimits,
    audit: &mut Audit,
) -> Result<()> {
    if is_object_at(root, rel) {
        let object = validate_object_in(root.sub(rel).as_ref(), limits)?;
        audit.objects += 1;
        audit.files += object.files;
        audit.bytes += object.bytes;
        audit.versions += object.versions;
        audit.fast_matched += object.fast_matched;
        audit.fast_unchecked += object.fast_unchecked;
        if let Some(layout) = layout
            && let Ok(bytes) = root.read(&format!("{rel}/inventory.json"), 64 << 20)
            && let Some(id) = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_owned))
        {
            let expected = layout.path(&id);
            if expected.as_deref() != Ok(rel) {
                audit.problems.push(Problem::error(
                    root.show(rel),
                    "E083",
                    match expected {
                        Ok(path) => format!(
                            "under {} the object `{id}` belongs at {path}",
                            layout.extension()
                        ),
                        Err(why) => format!("{why}, yet the object is here"),
                    },
                ));
            }
        }
        audit.problems.extend(object.problems);
        return Ok(());
    }
    let entries = list(root, rel)?;
    if entries.is_empty() {
        audit.problems.push(Problem::error(
            root.show(rel),
            "E073",
            "empty directory under the storage root",
        ));
    }
    for (name, is_dir) in entries {
        let child = format!("{rel}/{name}");
        if is_dir {
            walk_hierarchy(root, &child, layout, limits, audit)?;
        } else {
            audit.problems.push(Problem::error(
                root.show(&child),
                "E084",
                "a file in the storage hierarchy outside any object",
            ));
        }
    }
    Ok(())
}
