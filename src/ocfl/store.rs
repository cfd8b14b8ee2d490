//! Writing OCFL: releases deposited as new versions of one object per dataset, in storage roots
//! archivist made or other tools (rocfl, ocfl-py, ...) made.
//!
//! Decide, then write. Every check comes before anything is staged: the bag's names, the root's
//! declaration (OCFL 1.0 or 1.1) and layout ([`super::layout`], with its parameters), where the
//! object is (or would go, and that no object with the id sits anywhere else), the object's own
//! validity, digest algorithm (sha512 or sha256), content directory, version naming
//! (zero-padding kept), specification version, the head's release and the version order. A
//! deposit that is refused leaves every file of the root as it was.
//!
//! Extending an object follows the specification: its digest algorithm, content directory and
//! version naming are kept; its fixity block is carried forward, and the new content is added to
//! it (a second digest, sha256 beside sha512 or the reverse, and one in every algorithm the block
//! already uses that archivist computes). An OCFL 1.0 object in a 1.1 root is upgraded as the
//! 1.1 specification allows (E103: a later version may conform to a later specification): its new
//! version's inventory is 1.1 and its declaration becomes `0=ocfl_object_1.1`, in the same
//! atomic step. In an OCFL 1.0 root objects stay 1.0 (a 1.0 root may not hold 1.1 objects, E081),
//! and new objects are made 1.0.
//!
//! Crash safety: nothing is built inside the storage hierarchy. Work happens in a staging folder
//! in the root's extensions area (`extensions/archivist-staging`: the same file system even when
//! the root is a mount point; validators ignore what is in an extension's folder and at most
//! warn, W016, about its unregistered name), and enters the hierarchy by one atomic
//! rename: a new object (with any folders of the layout that do not exist yet) is renamed into
//! place (never over an existing one); a new version is made by staging a copy of the whole
//! object (hard links for its files, new files for what changes), adding the version there,
//! inventory last, and exchanging it with the live object in one `renameat2(RENAME_EXCHANGE)`.
//! A `kill -9` at any moment leaves the previous object as it was; the next deposit clears the
//! staging folder and completes. Deposits to a root are serialized by an exclusive lock on the
//! root's conformance declaration.

use super::layout::{Layout, RootLayout};
use crate::digest::{Algorithm, MultiHasher};
use crate::error::{Error, Result};
use crate::package::pretty;
use crate::path::RelPath;
use crate::verify::source::{BagSource, HashJob};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Who deposits (the version's `user`).
#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub address: Option<String>,
}

/// The release being deposited: its bag, read from a verified zip, and the files kept beside it.
pub struct Release<'a> {
    /// The object id: the dataset's identifier, from the release.
    pub id: &'a str,
    /// `<name>-<version>`.
    pub name: &'a str,
    /// The dataset version (semver) from the bag's `bag-info.txt`.
    pub version: &'a str,
    /// The version message.
    pub message: &'a str,
    pub bag: &'a mut dyn BagSource,
    /// Files kept in the version beside the bag's: (logical path, file to copy).
    pub extras: Vec<(String, PathBuf)>,
    /// Run on the staged files (the folder holding them by logical path) before anything enters
    /// the storage hierarchy: a failure refuses the deposit.
    pub check: Option<&'a StagedCheck>,
}

/// A check of the staged files, given the folder that holds them by logical path.
pub type StagedCheck = dyn Fn(&Path) -> Result<()>;

/// What a deposit did.
#[derive(Debug, PartialEq, Eq)]
pub enum Deposited {
    /// A new version was added (`v1` for a new object).
    Version {
        object: PathBuf,
        version: String,
        /// The object was OCFL 1.0 and is 1.1 from this version on.
        upgraded: bool,
    },
    /// The release is the object's head already: nothing was written.
    AlreadyHead { object: PathBuf, version: String },
}

fn refused(message: String, hint: Option<String>) -> Error {
    Error::Refused { message, hint }
}

/// Deposit `release` into the storage root `root` as a new version of the object `release.id`.
pub fn deposit(root: &Path, user: &User, release: Release<'_>) -> Result<Deposited> {
    // Every name the bag gives is checked before anything is written: a name that could leave
    // the staging folder (or would not unpack alike everywhere) refuses the whole deposit.
    let mut rows = Vec::new();
    for row in release.bag.files().rows() {
        let row = row?;
        if let Err(e) = RelPath::portable(&row.path) {
            return Err(refused(
                format!(
                    "the release `{}` names a file {e}; nothing was deposited",
                    release.name
                ),
                Some("check it with `archivist verify`".into()),
            ));
        }
        rows.push(row);
    }
    let bag_paths: BTreeSet<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    for (path, _) in &release.extras {
        RelPath::portable(path).map_err(|e| Error::Usage(format!("an extra file {e}")))?;
        if bag_paths.contains(path.as_str())
            || bag_paths
                .iter()
                .any(|p| p.starts_with(&format!("{path}/")) || path.starts_with(&format!("{p}/")))
        {
            return Err(refused(
                format!(
                    "the release `{}` has a file at `{path}`, where archivist keeps the release's own files; nothing was deposited",
                    release.name
                ),
                None,
            ));
        }
    }

    ensure_root(root)?;
    let root_spec = root_spec(root)?;
    let _lock = lock_root(root, root_spec)?;
    // What a deposit killed mid-way left is cleared first, whatever this one decides (it is no
    // part of the repository; a deposit that finds its release already the head must clear it too).
    super::no_link_below(root, STAGING)?;
    let leftover = root.join(STAGING);
    if leftover.exists() {
        tracing::info!(path = %leftover.display(), "clearing what an interrupted deposit left");
        fs_err::remove_dir_all(&leftover)?;
    }
    let target = locate(root, release.id)?;

    // What the object asks of the new version.
    let existing = match &target {
        Target::Existing(object) => Some(Existing::read(root, object, root_spec)?),
        Target::New(_) => None,
    };
    let algorithm = existing.as_ref().map_or(Algorithm::Sha512, |e| e.algorithm);
    let second = if algorithm == Algorithm::Sha512 {
        Algorithm::Sha256
    } else {
        Algorithm::Sha512
    };
    let mut algorithms = vec![algorithm, second];
    if let Some(e) = &existing {
        algorithms.extend(e.fixity_algorithms.iter().copied());
    }

    // Hash every file (the bag's and the extras) before deciding: nothing is written yet.
    let jobs: Vec<HashJob> = rows
        .iter()
        .map(|row| HashJob {
            file: row.clone(),
            algorithms: algorithms.clone(),
            keep: false,
        })
        .collect();
    let mut digests: BTreeMap<String, Vec<(Algorithm, String)>> = BTreeMap::new();
    for (row, hashed) in rows.iter().zip(release.bag.hash_all(&jobs)) {
        let hashed = hashed.map_err(|e| {
            Error::Io(std::io::Error::other(format!(
                "{}: {e}",
                release.bag.name_of(&row.path)
            )))
        })?;
        digests.insert(row.path.clone(), hashed.digests);
    }
    let mut extra_digests = BTreeMap::new();
    for (path, file) in &release.extras {
        let mut hasher = MultiHasher::new(algorithms.iter().copied());
        hasher.update(&fs_err::read(file)?);
        extra_digests.insert(path.clone(), hasher.finish());
    }
    let digest_of = |all: &[(Algorithm, String)], a: Algorithm| {
        all.iter()
            .find(|(x, _)| *x == a)
            .map(|(_, d)| d.clone())
            .expect("hashed with every algorithm")
    };
    let bag_state: BTreeMap<String, String> = digests
        .iter()
        .map(|(p, d)| (p.clone(), digest_of(d, algorithm)))
        .collect();

    // The decisions that depend on the object's head.
    let (next, new_spec, upgraded) = match &existing {
        None => ("v1".to_owned(), root_spec, false),
        Some(e) => {
            let head_state = lowercase_state(&e.inventory, &e.head);
            let head_bag: BTreeMap<String, String> = head_state
                .iter()
                .filter(|(p, _)| {
                    !release.extras.iter().any(|(x, _)| x == *p) && !p.starts_with("release/")
                })
                .map(|(p, d)| (p.clone(), d.clone()))
                .collect();
            if head_bag == bag_state {
                return Ok(Deposited::AlreadyHead {
                    object: e.dir.clone(),
                    version: e.head.clone(),
                });
            }
            check_order(e, release.version)?;
            (e.next_version()?, e.new_spec, e.new_spec != e.spec)
        }
    };

    // Staging: the only writes before the single step into the hierarchy.
    let staging = Staging::new(root)?;
    let incoming = staging.dir.join("incoming");
    fs_err::create_dir_all(&incoming)?;
    for row in &rows {
        let target = rel(&row.path)?.under(&incoming);
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let mut file = std::io::BufWriter::new(fs_err::File::create(&target)?);
        let mut hasher = MultiHasher::new([algorithm]);
        let mut failed = None;
        release.bag.read_row(row, &mut |chunk| {
            hasher.update(chunk);
            if failed.is_none()
                && let Err(e) = file.write_all(chunk)
            {
                failed = Some(e);
            }
        })?;
        if let Some(e) = failed {
            return Err(e.into());
        }
        // Made durable all at once below (one fsync per file costs more than the rest).
        file.into_inner().map_err(|e| Error::Io(e.into_error()))?;
        if hasher.finish().remove(0).1 != bag_state[&row.path] {
            return Err(refused(
                format!(
                    "{} changed while it was being deposited; nothing was deposited",
                    release.bag.name_of(&row.path)
                ),
                None,
            ));
        }
    }
    for (path, file) in &release.extras {
        let target = rel(path)?.under(&incoming);
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::copy(file, &target)?;
    }
    // Every staged file on stable storage, in one call for the filesystem: what is moved into
    // the hierarchy below is complete after a power cut (the folders are synced as they move).
    rustix::fs::syncfs(fs_err::File::open(&incoming)?).map_err(|e| {
        Error::Io(std::io::Error::new(
            std::io::Error::from(e).kind(),
            format!("failed to sync `{}`: {e}", incoming.display()),
        ))
    })?;
    if let Some(check) = release.check {
        check(&incoming)?;
    }
    failpoint("ocfl-staged");

    // The version: every file of the state with all its digests.
    let mut files: BTreeMap<String, Vec<(Algorithm, String)>> = digests;
    files.extend(extra_digests);
    let created = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let mut user_json = json!({"name": user.name});
    if let Some(address) = &user.address {
        user_json["address"] = json!(address);
    }

    let build = staging.dir.join("object");
    let (mut inventory, content_dir, object_dir) = match &existing {
        None => {
            fs_err::create_dir_all(&build)?;
            write_file(
                &build.join(format!("0=ocfl_object_{new_spec}")),
                format!("ocfl_object_{new_spec}\n").as_bytes(),
            )?;
            let inventory = json!({
                "id": release.id,
                "type": inventory_type(new_spec),
                "digestAlgorithm": algorithm.name(),
                "head": "v1",
                "contentDirectory": "content",
                "manifest": {},
                "versions": {},
            });
            let Target::New(path) = &target else {
                unreachable!("no existing object means a new one")
            };
            (inventory, "content".to_owned(), root.join(path))
        }
        Some(e) => {
            link_tree(&e.dir, &build)?;
            (e.inventory.clone(), e.content_dir.clone(), e.dir.clone())
        }
    };

    // Manifest (existing digests as written, matched without regard to case) and fixity.
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    if let Some(manifest) = inventory["manifest"].as_object() {
        for key in manifest.keys() {
            known.insert(key.to_ascii_lowercase(), key.clone());
        }
    }
    let mut state: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut added: Vec<(String, &Vec<(Algorithm, String)>)> = Vec::new();
    fs_err::create_dir_all(build.join(&next))?;
    for (path, all) in &files {
        let digest = digest_of(all, algorithm);
        let key = match known.get(&digest) {
            Some(key) => key.clone(),
            None => {
                let content = format!("{next}/{content_dir}/{path}");
                let rel_path = rel(path)?;
                place(
                    &rel_path.under(&incoming),
                    &rel_path.under(&build.join(&next).join(&content_dir)),
                )?;
                inventory["manifest"][&digest] = json!([content.clone()]);
                known.insert(digest.clone(), digest.clone());
                added.push((content, all));
                digest
            }
        };
        state.entry(key).or_default().push(path.clone());
    }
    let mut fixity = inventory
        .get("fixity")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // (key as written, algorithm): the block's own names, and the second digest's.
    let mut fixity_algorithms: Vec<(String, Algorithm)> = fixity
        .keys()
        .filter_map(|k| super::layout::ocfl_algorithm(k).map(|a| (k.clone(), a)))
        .collect();
    if !fixity_algorithms.iter().any(|(_, a)| *a == second) {
        fixity_algorithms.push((second.name().to_owned(), second));
    }
    for (name, a) in fixity_algorithms.into_iter().filter(|_| !added.is_empty()) {
        let block = fixity
            .entry(name)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("a fixity block is an object (the object was validated)");
        let mut keys: BTreeMap<String, String> = block
            .keys()
            .map(|k| (k.to_ascii_lowercase(), k.clone()))
            .collect();
        for (content, all) in &added {
            let digest = digest_of(all, a);
            let key = keys.entry(digest.clone()).or_insert(digest).clone();
            match block.get_mut(&key).and_then(Value::as_array_mut) {
                Some(paths) => paths.push(json!(content)),
                None => {
                    block.insert(key, json!([content]));
                }
            }
        }
    }
    if !fixity.is_empty() {
        inventory["fixity"] = Value::Object(fixity);
    }
    let mut block = json!({"created": created, "message": release.message, "user": user_json});
    block["state"] = json!(state);
    inventory["versions"][&next] = block;
    inventory["head"] = json!(next);
    inventory["type"] = json!(inventory_type(new_spec));

    write_inventory(&build.join(&next), &inventory, algorithm)?;
    if existing.is_some() {
        // The root inventory last: the hard links replaced by new files.
        for entry in fs_err::read_dir(&build)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name == "inventory.json" || name.starts_with("inventory.json.") {
                fs_err::remove_file(build.join(&name))?;
            }
        }
    }
    if upgraded {
        fs_err::remove_file(build.join("0=ocfl_object_1.0"))?;
        write_file(
            &build.join(format!("0=ocfl_object_{new_spec}")),
            format!("ocfl_object_{new_spec}\n").as_bytes(),
        )?;
    }
    write_inventory(&build, &inventory, algorithm)?;
    sync_tree(&build.join(&next))?;
    sync_dir(&build)?;

    match &target {
        Target::New(path) => {
            // The object and any folders of its path the root lacks, in one rename.
            let segments: Vec<&str> = path.split('/').collect();
            let missing = (0..segments.len())
                .find(|&i| !root.join(segments[..=i].join("/")).exists())
                .unwrap_or(segments.len() - 1);
            let top = staging.dir.join("tree");
            let mut inner = top.clone();
            for segment in &segments[missing..segments.len() - 1] {
                inner.push(segment);
            }
            fs_err::create_dir_all(&inner)?;
            fs_err::rename(&build, inner.join(segments[segments.len() - 1]))?;
            let moved = top.join(segments[missing]);
            sync_tree(&moved)?;
            let destination = root.join(segments[..=missing].join("/"));
            failpoint("ocfl-before-move");
            rename_noreplace(&moved, &destination)?;
            failpoint("ocfl-after-move");
            sync_dir(destination.parent().unwrap_or(root))?;
        }
        Target::Existing(_) => {
            failpoint("ocfl-before-move");
            exchange(&build, &object_dir)?;
            failpoint("ocfl-after-move");
            sync_dir(object_dir.parent().unwrap_or(root))?;
        }
    }
    Ok(Deposited::Version {
        object: object_dir,
        version: next,
        upgraded,
    })
}

/// Where the object is, or is to be.
enum Target {
    Existing(PathBuf),
    /// The path below the root the layout gives.
    New(String),
}

/// Find the object `id` the way the root's layout says, and make sure it is nowhere else.
fn locate(root: &Path, id: &str) -> Result<Target> {
    match Layout::of_root(root) {
        RootLayout::Known(layout) => {
            let path = layout.path(id).map_err(|why| {
                refused(
                    format!(
                        "the storage root `{}` uses {}: {why}; nothing was deposited",
                        root.display(),
                        layout.extension()
                    ),
                    None,
                )
            })?;
            let rel = RelPath::new(&path).map_err(|e| Error::Usage(format!("layout path {e}")))?;
            super::no_link_below(root, rel.as_str())?;
            let dir = rel.under(root);
            if super::validate::is_object(&dir) {
                let found = super::read::object_id(&dir)?;
                if found.as_deref() != Some(id) {
                    return Err(refused(
                        format!(
                            "{} puts `{id}` at `{}`, but the object there has the id {}; nothing was deposited",
                            layout.extension(),
                            dir.display(),
                            found.map_or("(none)".into(), |f| format!("`{f}`"))
                        ),
                        Some(format!(
                            "audit the root with `archivist verify {}`",
                            root.display()
                        )),
                    ));
                }
                return Ok(Target::Existing(dir));
            }
            if dir.exists() {
                return Err(refused(
                    format!(
                        "{} puts `{id}` at `{}`, which exists and is not an OCFL object; nothing was deposited",
                        layout.extension(),
                        dir.display()
                    ),
                    None,
                ));
            }
            // No folder of the path may be an object already (objects do not nest).
            let segments: Vec<&str> = path.split('/').collect();
            for i in 1..segments.len() {
                let ancestor = root.join(segments[..i].join("/"));
                if super::validate::is_object(&ancestor) || ancestor.is_file() {
                    return Err(refused(
                        format!(
                            "{} puts `{id}` below `{}`, which is not a folder of the storage hierarchy; nothing was deposited",
                            layout.extension(),
                            ancestor.display()
                        ),
                        None,
                    ));
                }
            }
            // A new object: unless one with this id sits somewhere else (a second would be made).
            if let Some(other) = super::read::find_object(root, id)? {
                return Err(refused(
                    format!(
                        "the object `{id}` is at `{}`, not where {} puts it (`{path}`); nothing was deposited",
                        other.display(),
                        layout.extension()
                    ),
                    Some(format!(
                        "audit the root with `archivist verify {}`",
                        root.display()
                    )),
                ));
            }
            Ok(Target::New(path))
        }
        other => {
            if let Some(found) = super::read::find_object(root, id)? {
                return Ok(Target::Existing(found));
            }
            let why = match other {
                RootLayout::Unusable(why) => why,
                _ => format!(
                    "`{}` declares no storage layout (no ocfl_layout.json)",
                    root.display()
                ),
            };
            Err(refused(
                format!(
                    "{why}: archivist cannot tell where a new object `{id}` belongs; nothing was deposited"
                ),
                Some(
                    "declare one of the layouts archivist implements in ocfl_layout.json (see README: OCFL storage layouts)".into(),
                ),
            ))
        }
    }
}

/// An existing object, read and checked.
struct Existing {
    dir: PathBuf,
    inventory: Value,
    algorithm: Algorithm,
    content_dir: String,
    head: String,
    /// The object's specification version, and the one its new version will have.
    spec: &'static str,
    new_spec: &'static str,
    fixity_algorithms: Vec<Algorithm>,
}

impl Existing {
    fn read(root: &Path, dir: &Path, root_spec: &'static str) -> Result<Existing> {
        let shown = dir.display();
        let refuse = |why: String| refused(format!("{why}; nothing was written"), None);
        if dir.join("extensions/0005-mutable-head").exists() {
            return Err(refuse(format!(
                "the object `{shown}` has a mutable head (extension 0005): its staged changes would be lost or mixed in"
            )));
        }
        let audit = super::validate::validate_object(dir)?;
        if let Some(problem) = audit.problems.iter().find(|p| p.is_error()) {
            return Err(refused(
                format!("the object `{shown}` is not valid OCFL ({problem}); nothing was written"),
                Some(format!("audit it with `archivist verify {shown}`")),
            ));
        }
        let spec = if dir.join("0=ocfl_object_1.1").is_file() {
            "1.1"
        } else if dir.join("0=ocfl_object_1.0").is_file() {
            "1.0"
        } else {
            return Err(refuse(format!(
                "the object `{shown}` declares an OCFL version archivist does not write"
            )));
        };
        let new_spec = match (root_spec, spec) {
            ("1.0", "1.1") => {
                return Err(refuse(format!(
                    "the object `{shown}` is OCFL 1.1 in the OCFL 1.0 root `{}` (E081)",
                    root.display()
                )));
            }
            ("1.0", _) => "1.0",
            _ => "1.1",
        };
        let limit = super::validate::OcflLimits::default().max_inventory_bytes;
        let inventory: Value =
            serde_json::from_slice(&super::read_file(&dir.join("inventory.json"), limit)?)
                .map_err(|e| refuse(format!("`{shown}/inventory.json`: {e}")))?;
        let algorithm = match inventory["digestAlgorithm"].as_str() {
            Some("sha512") => Algorithm::Sha512,
            Some("sha256") => Algorithm::Sha256,
            other => {
                return Err(refuse(format!(
                    "the object `{shown}` uses {other:?} for content addressing (OCFL allows sha512 and sha256)"
                )));
            }
        };
        let content_dir = inventory["contentDirectory"]
            .as_str()
            .unwrap_or("content")
            .to_owned();
        let head = inventory["head"].as_str().unwrap_or_default().to_owned();
        let fixity_algorithms = inventory["fixity"]
            .as_object()
            .map(|f| {
                f.keys()
                    .filter_map(|k| super::layout::ocfl_algorithm(k))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Existing {
            dir: dir.to_path_buf(),
            inventory,
            algorithm,
            content_dir,
            head,
            spec,
            new_spec,
            fixity_algorithms,
        })
    }

    /// The next version's name, in the object's naming (`v3`, or `v0003` when zero-padded: any
    /// version named `v0...` shows the width, which every name keeps, E011).
    fn next_version(&self) -> Result<String> {
        let digits = self.head.trim_start_matches('v');
        let number = digits.parse::<u64>().unwrap_or(0) + 1;
        let padded = self.inventory["versions"]
            .as_object()
            .into_iter()
            .flat_map(|v| v.keys())
            .chain(std::iter::once(&self.head))
            .find(|name| name.starts_with("v0"))
            .map(|name| name.len() - 1);
        match padded {
            Some(width) => {
                let next = format!("v{number:0width$}");
                if next.len() != width + 1 {
                    return Err(refused(
                        format!(
                            "the object `{}` names its versions zero-padded to {width} digits and has used them all ({}); nothing was written",
                            self.dir.display(),
                            self.head
                        ),
                        None,
                    ));
                }
                Ok(next)
            }
            None => Ok(format!("v{number}")),
        }
    }
}

/// The release must come after the head's (when the head is a release at all).
fn check_order(e: &Existing, version: &str) -> Result<()> {
    let head_state = lowercase_state(&e.inventory, &e.head);
    let head_release = released_version(e, &head_state)?;
    match (semver(version), head_release.as_deref().and_then(semver)) {
        (Some(new), Some(old)) if new < old => Err(refused(
            format!(
                "release {version} is older than the object's head {}, which holds version {}; nothing was deposited",
                e.head,
                head_release.unwrap_or_default()
            ),
            Some("deposit releases in version order".into()),
        )),
        (Some(new), Some(old)) if new == old => Err(refused(
            format!(
                "the object's head {} holds version {version} with other content than this release; nothing was deposited",
                e.head
            ),
            Some("a version number names one release for ever: bump the version".into()),
        )),
        (None, _) => Err(Error::Usage(format!(
            "release version `{version}` is not MAJOR.MINOR.PATCH"
        ))),
        _ => Ok(()),
    }
}

/// A logical path of the release as a [`RelPath`] (every one was checked before staging).
fn rel(path: &str) -> Result<RelPath> {
    RelPath::portable(path).map_err(|e| Error::Io(std::io::Error::other(e)))
}

/// A crash-test hook: when `ARCHIVIST_FAILPOINT` names this point, the process dies on the spot
/// (as `kill -9` would), so tests can show that every point leaves the repository valid.
fn failpoint(name: &str) {
    if std::env::var("ARCHIVIST_FAILPOINT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

/// The state of `version` as logical path -> digest (lowercase).
fn lowercase_state(inventory: &Value, version: &str) -> BTreeMap<String, String> {
    let mut state = BTreeMap::new();
    if let Some(block) = inventory["versions"][version]["state"].as_object() {
        for (digest, paths) in block {
            for path in paths.as_array().map(Vec::as_slice).unwrap_or_default() {
                if let Some(path) = path.as_str() {
                    state.insert(path.to_owned(), digest.to_ascii_lowercase());
                }
            }
        }
    }
    state
}

/// The dataset version of the release a state holds: `Version` in its `bag-info.txt`.
fn released_version(e: &Existing, state: &BTreeMap<String, String>) -> Result<Option<String>> {
    let Some(digest) = state.get("bag-info.txt") else {
        return Ok(None);
    };
    let Some(content) = e.inventory["manifest"]
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(digest)))
        .and_then(|(_, v)| v[0].as_str())
    else {
        return Ok(None);
    };
    let content = RelPath::new(content).map_err(|err| {
        refused(
            format!("the inventory of `{}` names content {err}", e.dir.display()),
            None,
        )
    })?;
    let text = fs_err::read_to_string(content.under(&e.dir))?;
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix("Version:"))
        .map(|v| v.trim().to_owned()))
}

/// `MAJOR.MINOR.PATCH` as a comparable tuple.
pub fn semver(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
    let v = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(v)
}

fn inventory_type(spec: &str) -> String {
    format!("https://ocfl.io/{spec}/spec/#inventory")
}

/// `inventory.json` (plain UTF-8 JSON) and its sidecar in `dir`.
fn write_inventory(dir: &Path, inventory: &Value, algorithm: Algorithm) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(inventory).expect("inventory serializes");
    bytes.push(b'\n');
    write_file(&dir.join("inventory.json"), &bytes)?;
    let mut hasher = MultiHasher::new([algorithm]);
    hasher.update(&bytes);
    let digest = hasher.finish().remove(0).1;
    write_file(
        &dir.join(format!("inventory.json.{}", algorithm.name())),
        format!("{digest} inventory.json\n").as_bytes(),
    )
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs_err::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Move a staged file into the object being built.
fn place(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs_err::create_dir_all(parent)?;
    }
    fs_err::rename(from, to)?;
    Ok(())
}

/// Copy the tree at `from` to `to` with hard links for files (no data is copied).
fn link_tree(from: &Path, to: &Path) -> Result<()> {
    fs_err::create_dir_all(to)?;
    for entry in fs_err::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            link_tree(&entry.path(), &target)?;
        } else {
            fs_err::hard_link(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// fsync every folder of a tree (files were synced as written).
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs_err::File::open(dir)?.sync_all()?;
    Ok(())
}

fn rename_noreplace(from: &Path, to: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE).map_err(|e| {
        Error::Io(std::io::Error::new(
            std::io::Error::from(e).kind(),
            format!(
                "failed to move `{}` into place at `{}`: {e}",
                from.display(),
                to.display()
            ),
        ))
    })
}

/// Swap two folders atomically.
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|e| {
        Error::Io(std::io::Error::new(
            std::io::Error::from(e).kind(),
            format!(
                "failed to exchange `{}` with `{}` atomically (the file system must support renameat2 RENAME_EXCHANGE): {e}",
                a.display(),
                b.display()
            ),
        ))
    })
}

/// Where deposits stage their work, inside the root's extensions folder.
pub const STAGING: &str = "extensions/archivist-staging";

/// The staging folder, removed when the deposit ends, whichever way (a crash leaves it for the
/// next deposit to clear); the root's `extensions` folder too when the deposit made it.
struct Staging {
    dir: PathBuf,
    made_extensions: Option<PathBuf>,
}

impl Staging {
    /// The staging folder, emptied (the caller holds the root's lock).
    fn new(root: &Path) -> Result<Staging> {
        let extensions = root.join("extensions");
        let made_extensions = (!extensions.exists()).then(|| extensions.clone());
        let dir = root.join(STAGING);
        if dir.exists() {
            tracing::info!(path = %dir.display(), "clearing what an interrupted deposit left");
            fs_err::remove_dir_all(&dir)?;
        }
        fs_err::create_dir_all(&dir)?;
        Ok(Staging {
            dir,
            made_extensions,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(extensions) = &self.made_extensions {
            let _ = std::fs::remove_dir(extensions);
        }
    }
}

/// The OCFL version a storage root declares (`0=ocfl_1.0` or `0=ocfl_1.1`).
fn root_spec(root: &Path) -> Result<&'static str> {
    let mut found = Vec::new();
    for spec in ["1.0", "1.1"] {
        if root.join(format!("0=ocfl_{spec}")).is_file() {
            found.push(spec);
        }
    }
    match found.as_slice() {
        [spec] => Ok(spec),
        _ => Err(refused(
            format!(
                "`{}` must declare exactly one OCFL version (0=ocfl_1.0 or 0=ocfl_1.1); nothing was deposited",
                root.display()
            ),
            None,
        )),
    }
}

/// Hold an exclusive lock on the root's conformance declaration while depositing.
fn lock_root(root: &Path, spec: &str) -> Result<std::fs::File> {
    let path = root.join(format!("0=ocfl_{spec}"));
    let file = std::fs::File::open(&path).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("failed to open `{}`: {e}", path.display()),
        )
    })?;
    if file.try_lock().is_err() {
        tracing::warn!(
            "another deposit into `{}` is running; waiting for it",
            root.display()
        );
        file.lock().map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("failed to lock `{}`: {e}", path.display()),
            )
        })?;
    }
    Ok(file)
}

/// `path` made absolute, with every part that exists resolved (symbolic links, `..`) and the
/// rest (folders to be made) taken as written, `..` and `.` applied.
fn real_path(path: &Path) -> Result<PathBuf> {
    use std::path::Component;
    let mut real = PathBuf::new();
    for part in std::path::absolute(path)?.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                real.pop();
            }
            other => {
                real.push(other);
                if let Ok(resolved) = std::fs::canonicalize(&real) {
                    real = resolved;
                }
            }
        }
    }
    Ok(real)
}

/// Create the storage root if it does not exist (or is an empty folder): OCFL 1.1 with the
/// `0004-hashed-n-tuple-storage-layout` extension and its defaults. An existing root is left as
/// it is, whatever its layout.
pub fn ensure_root(root: &Path) -> Result<()> {
    if super::validate::is_root(root) {
        return Ok(());
    }
    // Where the root would really be: symbolic links and `..` resolved as the file system will
    // resolve them once the missing folders are made. Decided before anything is changed.
    let absolute = real_path(root)?;
    // A root is never made inside another root or an object: it would break the one around it.
    // Each folder above is asked for the declarations by name (a folder one may enter but not
    // list is still asked).
    for around in absolute.ancestors().skip(1) {
        for name in [
            "0=ocfl_1.1",
            "0=ocfl_1.0",
            "0=ocfl_object_1.1",
            "0=ocfl_object_1.0",
        ] {
            if around.join(name).is_file() {
                let what = if name.starts_with("0=ocfl_object_") {
                    "an OCFL object"
                } else {
                    "an OCFL storage root"
                };
                return Err(Error::Refused {
                    message: format!(
                        "`{}` would be a new storage root inside {what}, `{}` (it declares `{name}`), and would break it; nothing was deposited",
                        root.display(),
                        around.display()
                    ),
                    hint: Some(format!(
                        "deposit into `{}` itself, or into a folder outside it",
                        around.display()
                    )),
                });
            }
        }
    }
    if absolute.exists() {
        let empty = absolute.is_dir() && fs_err::read_dir(&absolute)?.next().is_none();
        if !empty {
            return Err(Error::Usage(format!(
                "`{}` exists and is not an OCFL storage root (no 0=ocfl_1.1 or 0=ocfl_1.0)",
                root.display()
            )));
        }
        // The root is made beside and moved in place: the folder this process runs in would
        // be replaced under it.
        if std::env::current_dir().is_ok_and(|cwd| cwd.starts_with(&absolute)) {
            return Err(Error::Usage(format!(
                "`{}` is the folder archivist runs in (or holds it): name the new storage root from outside it, e.g. `--ocfl ../{}`; nothing was deposited",
                root.display(),
                absolute
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )));
        }
        fs_err::remove_dir(&absolute)?;
    }
    let declaration = absolute.join(format!("0={}", super::ROOT_DECLARATION));
    let parent = absolute
        .parent()
        .ok_or_else(|| Error::Usage("the storage root needs a parent folder".into()))?;
    fs_err::create_dir_all(parent)?;
    let build = parent.join(format!(
        ".{}.archivist-new-root-{}",
        absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&build);
    let layout = Layout::default_new();
    let config_dir = build.join("extensions").join(layout.extension());
    fs_err::create_dir_all(&config_dir)?;
    write_file(
        &build.join(format!("0={}", super::ROOT_DECLARATION)),
        format!("{}\n", super::ROOT_DECLARATION).as_bytes(),
    )?;
    let declared = json!({
        "extension": layout.extension(),
        "description": "OCFL object identifiers are hashed with sha256; the first three groups of three hex characters of the digest are folders, and the full digest names the object's folder.",
    });
    write_file(&build.join("ocfl_layout.json"), &pretty(&declared))?;
    write_file(&config_dir.join("config.json"), &pretty(&layout.config()))?;
    sync_tree(&build)?;
    match rename_noreplace(&build, &absolute) {
        Ok(()) => sync_dir(parent),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&build);
            // Another deposit created it meanwhile: fine if it is a root now.
            if declaration.is_file() {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_versions(names: &[&str]) -> Existing {
        let versions: serde_json::Map<String, Value> =
            names.iter().map(|n| (n.to_string(), json!({}))).collect();
        Existing {
            dir: PathBuf::from("object"),
            inventory: json!({ "versions": versions }),
            algorithm: Algorithm::Sha512,
            content_dir: "content".into(),
            head: names.last().expect("a version").to_string(),
            spec: "1.1",
            new_spec: "1.1",
            fixity_algorithms: Vec::new(),
        }
    }

    #[test]
    fn the_next_version_keeps_the_objects_naming() {
        assert_eq!(with_versions(&["v1"]).next_version().unwrap(), "v2");
        assert_eq!(with_versions(&["v1", "v9"]).next_version().unwrap(), "v10");
        assert_eq!(with_versions(&["v0001"]).next_version().unwrap(), "v0002");
        assert_eq!(
            with_versions(&["v0001", "v0099"]).next_version().unwrap(),
            "v0100"
        );
        assert_eq!(
            with_versions(&["v01", "v09"]).next_version().unwrap(),
            "v10"
        );
        // Zero-padded names that have run out cannot be followed (E011): refused.
        let spent = with_versions(&["v01", "v99"]).next_version();
        assert!(
            matches!(&spent, Err(Error::Refused { message, .. }) if message.contains("used them all")),
            "{spent:?}"
        );
        assert_eq!(
            with_versions(&["v1", "v99"]).next_version().unwrap(),
            "v100"
        );
    }
}
