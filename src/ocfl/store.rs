//! Writing OCFL: a storage root with the `0004-hashed-n-tuple-storage-layout` extension, and
//! releases deposited as new versions of one object per dataset.
//!
//! Crash safety: nothing is built inside the storage hierarchy. Work happens in a staging folder
//! in the root's extensions area (`extensions/archivist-staging`: the same file system even when
//! the root is a mount point; validators ignore what is in an extension's folder and at most
//! warn, W016, about its unregistered name), and enters the hierarchy by one atomic
//! rename: a new root or a new object is renamed into place (never over an existing one); a new
//! version is made by staging a copy of the whole object (hard links for its files, new files for
//! what changes), adding the version there, inventory last, and exchanging it with the live object
//! in one `renameat2(RENAME_EXCHANGE)`. A `kill -9` at any moment leaves the previous object as it
//! was; the next deposit clears the staging folder and completes. Deposits to a root are
//! serialized by an exclusive lock on the root's conformance declaration.

use super::{INVENTORY_TYPE, LAYOUT_EXTENSION, OBJECT_DECLARATION, ROOT_DECLARATION, object_path};
use crate::digest::{Algorithm, MultiHasher};
use crate::error::{Error, Result};
use crate::package::pretty;
use crate::path::RelPath;
use crate::verify::source::BagSource;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Who deposits (the version's `user`).
#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub address: Option<String>,
}

/// The release being deposited: its bag, read from a verified zip.
pub struct Release<'a> {
    /// `<name>-<version>`.
    pub name: &'a str,
    /// The dataset version (semver) from the bag's `bag-info.txt`.
    pub version: &'a str,
    /// The zip's SHA-256, recorded in the version message.
    pub sha256: &'a str,
    pub bag: &'a mut dyn BagSource,
}

/// What a deposit did.
#[derive(Debug, PartialEq, Eq)]
pub enum Deposited {
    /// A new version was added (`v1` for a new object).
    Version { object: PathBuf, version: String },
    /// The release is the object's head already: nothing was written.
    AlreadyHead { object: PathBuf, version: String },
}

/// Deposit `release` into the storage root `root` as a new version of object `id`.
pub fn deposit(root: &Path, id: &str, user: &User, release: Release<'_>) -> Result<Deposited> {
    // Every name the bag gives is checked before anything is written: a name that could leave
    // the staging folder (or would not unpack alike everywhere) refuses the whole deposit.
    for row in release.bag.files().rows() {
        let row = row?;
        if let Err(e) = RelPath::portable(&row.path) {
            return Err(Error::Refused {
                message: format!(
                    "the release `{}` names a file {e}; nothing was deposited",
                    release.name
                ),
                hint: Some("check it with `archivist verify`".into()),
            });
        }
    }
    ensure_root(root)?;
    let _lock = lock_root(root)?;
    let staging = Staging(staging_dir(root)?);
    let staging = &staging.0;
    let object = root.join(object_path(id));

    // Every file of the bag into the staging folder, hashed on the way (sha512).
    let incoming = staging.join("incoming");
    fs_err::create_dir_all(&incoming)?;
    let mut state: BTreeMap<String, String> = BTreeMap::new(); // logical path -> sha512
    for row in release.bag.files().rows() {
        let row = row?;
        let path = &row.path;
        let target = rel(path)?.under(&incoming);
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let mut file = std::io::BufWriter::new(fs_err::File::create(&target)?);
        let mut hasher = MultiHasher::new([Algorithm::Sha512]);
        let mut failed = None;
        release.bag.read_row(&row, &mut |chunk| {
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
        file.into_inner()
            .map_err(|e| Error::Io(e.into_error()))?
            .sync_all()?;
        state.insert(path.clone(), hasher.finish().remove(0).1);
    }
    failpoint("ocfl-staged");

    let created = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let message = format!(
        "archivist release {} (zip sha256 {})",
        release.name, release.sha256
    );
    let mut user_json = json!({"name": user.name});
    if let Some(address) = &user.address {
        user_json["address"] = json!(address);
    }
    let version_block = |state: &BTreeMap<String, String>| {
        let mut by_digest: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (path, digest) in state {
            by_digest.entry(digest).or_default().push(path);
        }
        json!({"created": created, "message": message, "user": user_json, "state": by_digest})
    };

    if !object.join("inventory.json").exists() {
        // A new object: built whole in staging, renamed into place.
        let build = staging.join("object");
        fs_err::create_dir_all(build.join("v1/content"))?;
        write_file(
            &build.join(format!("0={OBJECT_DECLARATION}")),
            format!("{OBJECT_DECLARATION}\n").as_bytes(),
        )?;
        let mut manifest: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, digest) in &state {
            if manifest.contains_key(digest) {
                continue;
            }
            let rel = rel(path)?;
            place(&rel.under(&incoming), &rel.under(&build.join("v1/content")))?;
            manifest.insert(digest.clone(), vec![format!("v1/content/{path}")]);
        }
        let mut versions = serde_json::Map::new();
        versions.insert("v1".into(), version_block(&state));
        let inventory = inventory_json(id, "v1", &manifest, versions);
        write_inventory(&build.join("v1"), &inventory)?;
        write_inventory(&build, &inventory)?;
        sync_tree(&build)?;
        let parent = object.parent().expect("object paths have parents");
        fs_err::create_dir_all(parent)?;
        failpoint("ocfl-before-move");
        rename_noreplace(&build, &object)?;
        failpoint("ocfl-after-move");
        sync_dir(parent)?;
        return Ok(Deposited::Version {
            object,
            version: "v1".into(),
        });
    }

    // An existing object: check it, compare with its head, then add a version.
    let audit = super::validate::validate_object(&object)?;
    if let Some(problem) = audit.problems.iter().find(|p| p.is_error()) {
        return Err(Error::Refused {
            message: format!(
                "the object `{}` is not valid OCFL ({problem}); nothing was written",
                object.display()
            ),
            hint: Some(format!(
                "audit it with `archivist verify {}`",
                object.display()
            )),
        });
    }
    let inventory: Value = serde_json::from_slice(&fs_err::read(object.join("inventory.json"))?)
        .map_err(|e| Error::Io(std::io::Error::other(e)))?;
    let head = inventory["head"].as_str().unwrap_or_default().to_owned();
    if inventory["digestAlgorithm"] != "sha512" {
        return Err(Error::Refused {
            message: format!(
                "the object `{}` uses {} for content addressing; archivist deposits sha512 only",
                object.display(),
                inventory["digestAlgorithm"]
            ),
            hint: None,
        });
    }
    let head_state = state_of(&inventory, &head);
    if head_state == state {
        return Ok(Deposited::AlreadyHead {
            object,
            version: head,
        });
    }
    let head_release = released_version(&object, &inventory, &head_state)?;
    match (
        semver(release.version),
        head_release.as_deref().and_then(semver),
    ) {
        (Some(new), Some(old)) if new < old => {
            return Err(Error::Refused {
                message: format!(
                    "release {} is older than the object's head {head}, which holds version {}",
                    release.version,
                    head_release.unwrap_or_default()
                ),
                hint: Some("deposit releases in version order".into()),
            });
        }
        (Some(new), Some(old)) if new == old => {
            return Err(Error::Refused {
                message: format!(
                    "the object's head {head} holds version {} with other content than this release",
                    release.version
                ),
                hint: Some("a version number names one release for ever: bump the version".into()),
            });
        }
        (None, _) => {
            return Err(Error::Usage(format!(
                "release version `{}` is not MAJOR.MINOR.PATCH",
                release.version
            )));
        }
        _ => {}
    }

    let number = head.trim_start_matches('v').parse::<u64>().unwrap_or(0) + 1;
    let next = format!("v{number}");
    let build = staging.join("object");
    link_tree(&object, &build)?;
    let mut manifest: BTreeMap<String, Vec<String>> =
        serde_json::from_value(inventory["manifest"].clone())
            .map_err(|e| Error::Io(std::io::Error::other(e)))?;
    fs_err::create_dir_all(build.join(&next))?;
    for (path, digest) in &state {
        if manifest.contains_key(digest) {
            continue; // stored by an earlier version: not stored again
        }
        let rel = rel(path)?;
        place(
            &rel.under(&incoming),
            &rel.under(&build.join(&next).join("content")),
        )?;
        manifest.insert(digest.clone(), vec![format!("{next}/content/{path}")]);
    }
    let mut versions = inventory["versions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    versions.insert(next.clone(), version_block(&state));
    let new_inventory = inventory_json(id, &next, &manifest, versions);
    write_inventory(&build.join(&next), &new_inventory)?;
    // The root inventory last: replace the hard links by new files.
    fs_err::remove_file(build.join("inventory.json"))?;
    fs_err::remove_file(build.join("inventory.json.sha512"))?;
    write_inventory(&build, &new_inventory)?;
    sync_tree(&build.join(&next))?;
    sync_dir(&build)?;
    failpoint("ocfl-before-move");
    exchange(&build, &object)?;
    failpoint("ocfl-after-move");
    sync_dir(object.parent().expect("object paths have parents"))?;
    Ok(Deposited::Version {
        object,
        version: next,
    })
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

/// The state of `version` as logical path -> digest.
fn state_of(inventory: &Value, version: &str) -> BTreeMap<String, String> {
    let mut state = BTreeMap::new();
    if let Some(block) = inventory["versions"][version]["state"].as_object() {
        for (digest, paths) in block {
            for path in paths.as_array().map(Vec::as_slice).unwrap_or_default() {
                if let Some(path) = path.as_str() {
                    state.insert(path.to_owned(), digest.clone());
                }
            }
        }
    }
    state
}

/// The dataset version of the release a state holds: `Version` in its `bag-info.txt`.
fn released_version(
    object: &Path,
    inventory: &Value,
    state: &BTreeMap<String, String>,
) -> Result<Option<String>> {
    let Some(digest) = state.get("bag-info.txt") else {
        return Ok(None);
    };
    let Some(content) = inventory["manifest"][digest][0].as_str() else {
        return Ok(None);
    };
    let content = RelPath::new(content).map_err(|e| Error::Refused {
        message: format!("the inventory of `{}` names content {e}", object.display()),
        hint: None,
    })?;
    let text = fs_err::read_to_string(content.under(object))?;
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

fn inventory_json(
    id: &str,
    head: &str,
    manifest: &BTreeMap<String, Vec<String>>,
    versions: serde_json::Map<String, Value>,
) -> Value {
    json!({
        "id": id,
        "type": INVENTORY_TYPE,
        "digestAlgorithm": "sha512",
        "head": head,
        "contentDirectory": "content",
        "manifest": manifest,
        "versions": versions,
    })
}

/// `inventory.json` (plain UTF-8 JSON) and its sidecar in `dir`.
fn write_inventory(dir: &Path, inventory: &Value) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(inventory).expect("inventory serializes");
    bytes.push(b'\n');
    write_file(&dir.join("inventory.json"), &bytes)?;
    let digest = crate::digest::sha512_hex(&bytes);
    write_file(
        &dir.join("inventory.json.sha512"),
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

/// The staging folder, removed when the deposit ends, whichever way (a crash leaves it for the
/// next deposit to clear).
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where deposits stage their work, inside the root's extensions folder.
pub const STAGING: &str = "extensions/archivist-staging";

/// The staging folder, emptied (the caller holds the root's lock).
fn staging_dir(root: &Path) -> Result<PathBuf> {
    let staging = root.join(STAGING);
    if staging.exists() {
        tracing::info!(path = %staging.display(), "clearing what an interrupted deposit left");
        fs_err::remove_dir_all(&staging)?;
    }
    fs_err::create_dir_all(&staging)?;
    Ok(staging)
}

/// Hold an exclusive lock on the root's conformance declaration while depositing.
fn lock_root(root: &Path) -> Result<std::fs::File> {
    let path = root.join(format!("0={ROOT_DECLARATION}"));
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

/// Create the storage root if it does not exist (or is an empty folder); check it otherwise.
pub fn ensure_root(root: &Path) -> Result<()> {
    let declaration = root.join(format!("0={ROOT_DECLARATION}"));
    if declaration.is_file() {
        let layout: Value = fs_err::read(root.join("ocfl_layout.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        if layout["extension"] != LAYOUT_EXTENSION {
            return Err(Error::Refused {
                message: format!(
                    "the storage root `{}` does not use the {LAYOUT_EXTENSION} layout (ocfl_layout.json says {})",
                    root.display(),
                    layout["extension"]
                ),
                hint: None,
            });
        }
        return Ok(());
    }
    if root.exists() {
        let empty = root.is_dir() && fs_err::read_dir(root)?.next().is_none();
        if !empty {
            return Err(Error::Usage(format!(
                "`{}` exists and is not an OCFL storage root (no 0={ROOT_DECLARATION})",
                root.display()
            )));
        }
        fs_err::remove_dir(root)?;
    }
    let absolute = std::path::absolute(root)?;
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
    fs_err::create_dir_all(build.join("extensions").join(LAYOUT_EXTENSION))?;
    write_file(
        &build.join(format!("0={ROOT_DECLARATION}")),
        format!("{ROOT_DECLARATION}\n").as_bytes(),
    )?;
    let layout = json!({
        "extension": LAYOUT_EXTENSION,
        "description": "OCFL object identifiers are hashed with sha256; the first three groups of three hex characters of the digest are folders, and the full digest names the object's folder.",
    });
    write_file(&build.join("ocfl_layout.json"), &pretty(&layout))?;
    let config = json!({
        "extensionName": LAYOUT_EXTENSION,
        "digestAlgorithm": "sha256",
        "tupleSize": 3,
        "numberOfTuples": 3,
        "shortObjectRoot": false,
    });
    write_file(
        &build
            .join("extensions")
            .join(LAYOUT_EXTENSION)
            .join("config.json"),
        &pretty(&config),
    )?;
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
