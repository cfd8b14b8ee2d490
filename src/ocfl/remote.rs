//! Deposits into a storage root on S3 (`s3://BUCKET/PREFIX`).
//!
//! The decisions are the disk's: the object (if it exists) and the root's declaration and
//! layout are copied into a local shadow root, [`super::store::deposit`] adds the version there
//! exactly as it would on disk (every check, dedup, fixity, version naming, the staged check of
//! the zip's recipe), and what it added is then committed to the bucket in an order that keeps
//! the object valid for as long as it can be:
//!
//! 1. `extensions/archivist-staging/intent.json` names the object and the new version;
//! 2. the new content is uploaded under `extensions/archivist-staging/<run>/` (each upload with
//!    its SHA-256 and MD5, large files in parts with per-part checksums): validators ignore the
//!    root's extensions, so the object is still valid with its previous head;
//! 3. the content is copied on the store into `vN/content/...` (no byte travels again);
//! 4. `vN/inventory.json` and its sidecar; 5. the root `inventory.json`, then its sidecar (a new
//!    object's declaration after them: until then it is no object); 6. the staging area and the
//!    intent are removed.
//!
//! A crash during 1-2 leaves the object as it was. During 3-5 the object holds a version folder
//! its inventory does not list yet (or, between the two last writes, a sidecar that does not
//! match): validators report it until the next deposit into the root, which reads the intent
//! and finishes or undoes it first (the version folder is removed unless the root inventory
//! already names it, in which case the sidecar is rewritten). No order of writes avoids that
//! window: S3 has no rename; it lasts as long as the copies and three small writes.
//!
//! One deposit at a time per root: a lease in Garage's K2V ([`crate::s3::lock`]) where it is
//! configured (`ARCHIVIST_K2V_ENDPOINT`), else conditional writes where the store honours them
//! (probed: `If-None-Match: *` on a claim of the version, `If-Match` on the root inventory's ETag).
//! A store that honours neither is refused: writers could not be kept apart.

use super::store::{Deposited, Release, User};
use super::tree::{Kind, S3, Tree, join};
use crate::error::{Error, Result};
use crate::s3::{Client, Conflict, Location, lock::Lease};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where deposits stage their uploads and keep their intent, below the root.
pub const STAGING: &str = super::store::STAGING;
const INTENT: &str = "extensions/archivist-staging/intent.json";

/// How writers are kept apart.
enum Guard {
    Lease(std::sync::Arc<Lease>),
    /// The store honours conditional writes: the root inventory's ETag when read (`None` for a
    /// new object).
    Conditional,
}

impl Guard {
    fn check(&self) -> Result<()> {
        match self {
            Guard::Lease(lease) => lease.check(),
            Guard::Conditional => Ok(()),
        }
    }
}

fn failpoint(name: &str) {
    if std::env::var("ARCHIVIST_FAILPOINT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

fn refused(message: String, hint: Option<String>) -> Error {
    Error::Refused { message, hint }
}

/// The error of a deposit into the shadow root, naming what it is about on the store: a
/// message that named the temporary folder would point the user at nothing they can open.
fn unshadow(error: Error, local: &Path, shown: &str) -> Error {
    let local = local.display().to_string();
    let swap = |text: &str| text.replace(&local, shown);
    match error {
        Error::Io(io) => {
            let kind = io.kind();
            let text = swap(&io.to_string());
            Error::Io(std::io::Error::new(kind, text))
        }
        Error::Usage(message) => Error::Usage(swap(&message)),
        Error::Config { path, message } => Error::Config {
            path,
            message: swap(&message),
        },
        Error::Refused { message, hint } => Error::Refused {
            message: swap(&message),
            hint: hint.map(|h| swap(&h)),
        },
    }
}

/// Deposit `release` into the storage root at `location`.
pub fn deposit(location: &Location, user: &User, release: Release<'_>) -> Result<Deposited> {
    let started = std::time::Instant::now();
    let mut client = Client::from_env(location.clone())?;
    let shown = location.to_string();
    let guard = match Lease::acquire(&client, &shown)? {
        Some(lease) => {
            // Every write is signed, then the lease checked, then sent (see s3::lock).
            let lease = std::sync::Arc::new(lease);
            let fence = lease.clone();
            client = client.fenced(std::sync::Arc::new(move || fence.check()));
            Guard::Lease(lease)
        }
        None => {
            let probe = location.key(&format!(
                "{STAGING}/probe-{}",
                uuid::Uuid::new_v4().simple()
            ));
            if client.honours_conditions(&probe)? {
                Guard::Conditional
            } else {
                return Err(refused(
                    format!(
                        "{shown}: the store ignores conditional writes (If-None-Match), so two \
                         deposits at once could overwrite each other's version; nothing was deposited"
                    ),
                    Some(
                        "on Garage, enable its K2V API and set ARCHIVIST_K2V_ENDPOINT (the deposit then holds a lease)".into(),
                    ),
                ));
            }
        }
    };
    tracing::debug!(elapsed = ?started.elapsed(), "s3 deposit: writers kept apart");
    let mut tree = S3::open(client)?;
    if let Guard::Lease(_) = guard {
        recover(&mut tree)?;
    }
    let root_spec = ensure_root(&mut tree)?;

    // The shadow root: the declaration, the layout, and the object as it is.
    let shadow = tempfile::tempdir()?;
    let local = shadow.path().join("root");
    fs_err::create_dir_all(&local)?;
    fs_err::write(
        local.join(format!("0=ocfl_{root_spec}")),
        format!("ocfl_{root_spec}\n"),
    )?;
    for rel in tree.files_below("extensions") {
        if !rel.0.starts_with(STAGING) {
            download(&tree, &rel.0, &local)?;
        }
    }
    if tree.kind("ocfl_layout.json") == Some(Kind::File) {
        download(&tree, "ocfl_layout.json", &local)?;
    }
    let object_rel = match super::layout::Layout::of_tree(&tree) {
        super::layout::RootLayout::Known(layout) => {
            let path = layout.path(release.id).map_err(|why| {
                refused(
                    format!(
                        "the storage root {shown} uses {}: {why}; nothing was deposited",
                        layout.extension()
                    ),
                    None,
                )
            })?;
            if super::validate::is_object_at(&tree, &path) {
                Some(path)
            } else {
                if tree.kind(&path).is_some() {
                    return Err(refused(
                        format!(
                            "{} puts `{}` at {}, which holds files and is not an OCFL object; nothing was deposited",
                            layout.extension(),
                            release.id,
                            tree.show(&path)
                        ),
                        Some(format!("audit the root with `archivist verify {shown}`")),
                    ));
                }
                if let Some(other) = super::read::find_object_in(&tree, release.id)? {
                    return Err(refused(
                        format!(
                            "the object `{}` is at {}, not where {} puts it (`{path}`); nothing was deposited",
                            release.id,
                            tree.show(&other),
                            layout.extension()
                        ),
                        Some(format!("audit the root with `archivist verify {shown}`")),
                    ));
                }
                None
            }
        }
        _ => super::read::find_object_in(&tree, release.id)?,
    };
    let threads = rayon::ThreadPoolBuilder::new()
        .num_threads(8)
        .build()
        .map_err(|e| Error::Io(std::io::Error::other(e)))?;
    let mut before: BTreeMap<String, u64> = BTreeMap::new();
    if let Some(rel) = &object_rel {
        before.extend(tree.files_below(rel));
        // The object is audited whole before it is extended, as on disk: it is read once.
        threads.install(|| {
            use rayon::prelude::*;
            before
                .par_iter()
                .try_for_each(|(file, _)| download(&tree, file, &local))
        })?;
    }

    tracing::debug!(elapsed = ?started.elapsed(), "s3 deposit: shadow root ready");
    let outcome =
        super::store::deposit(&local, user, release).map_err(|e| unshadow(e, &local, &shown))?;
    tracing::debug!(elapsed = ?started.elapsed(), "s3 deposit: version built");
    let (object_dir, version, upgraded) = match outcome {
        Deposited::AlreadyHead { object, version } => {
            let rel = relative(&local, &object)?;
            return Ok(Deposited::AlreadyHead {
                object: PathBuf::from(tree.show(&rel)),
                version,
            });
        }
        Deposited::Version {
            object,
            version,
            upgraded,
        } => (object, version, upgraded),
    };
    let object_rel = relative(&local, &object_dir)?;
    let is_new = before.is_empty();

    // What the deposit added, in the order it is committed.
    let mut content = Vec::new();
    let mut version_files = Vec::new();
    let mut root_files = Vec::new();
    let mut declaration = None;
    let after = walk(&object_dir)?;
    for file in &after {
        let rel = join(&object_rel, file);
        if let Some(inside) = file.strip_prefix(&format!("{version}/")) {
            if inside.starts_with("inventory.json") {
                version_files.push(rel);
            } else {
                content.push(rel);
            }
        } else if file.starts_with("inventory.json") {
            root_files.push(rel);
        } else if file.starts_with("0=") && !before.contains_key(&rel) {
            declaration = Some(rel);
        }
    }
    // The inventory before its sidecar.
    version_files.sort_by_key(|r| r.ends_with("inventory.json"));
    version_files.reverse();
    root_files.sort_by_key(|r| r.ends_with("inventory.json"));
    root_files.reverse();
    // An upgraded object's old declaration, removed after the new one is written.
    let old_declarations: Vec<String> = before
        .keys()
        .filter(|k| {
            k.strip_prefix(&format!("{object_rel}/"))
                .is_some_and(|n| n.starts_with("0=") && !after.iter().any(|a| a == n))
        })
        .cloned()
        .collect();

    let client = &tree.client;
    let key = |rel: &str| location.key(rel);
    let run = uuid::Uuid::new_v4().simple().to_string();
    let staged = |rel: &str| format!("{STAGING}/{run}/{rel}");
    // 1. The intent.
    if let Guard::Lease(_) = guard {
        let intent = serde_json::json!({
            "object": object_rel,
            "version": version,
            "new_object": is_new,
            "run": run,
        });
        client.put(&key(INTENT), &crate::package::pretty(&intent))?;
    }
    // In conditional mode the version is claimed first: a second writer is refused here.
    let mut root_etag = None;
    if let Guard::Conditional = guard {
        let claim = key(&format!("{STAGING}/claims/{object_rel}/{version}"));
        if client
            .put_if(&claim, run.as_bytes(), Some(("if-none-match", "*".into())))?
            .is_err()
        {
            return Err(refused(
                format!(
                    "another deposit claimed {version} of the object at {}; nothing was deposited",
                    tree.show(&object_rel)
                ),
                None,
            ));
        }
        if !is_new {
            root_etag = client
                .head(&key(&join(&object_rel, "inventory.json")))?
                .map(|h| h.etag);
        }
    }
    // 2. The content, uploaded to the staging area.
    threads.install(|| {
        use rayon::prelude::*;
        content.par_iter().try_for_each(|rel| -> Result<()> {
            client.put_file(&key(&staged(rel)), &local.join(rel))?;
            Ok(())
        })
    })?;
    tracing::info!(files = content.len(), elapsed = ?started.elapsed(), "s3 deposit: content uploaded");
    failpoint("s3-staged");
    guard.check()?;
    // 3. Into the version folder, on the store (half, then the rest: a crash test point).
    let half = content.len() / 2;
    for (i, part) in [&content[..half], &content[half..]].into_iter().enumerate() {
        threads.install(|| {
            use rayon::prelude::*;
            part.par_iter()
                .try_for_each(|rel| client.copy(&key(&staged(rel)), &key(rel)))
        })?;
        if i == 0 {
            failpoint("s3-copying");
        }
    }
    failpoint("s3-copied");
    // 4. The version's inventory.
    for rel in &version_files {
        client.put(&key(rel), &fs_err::read(local.join(rel))?)?;
    }
    failpoint("s3-version-inventory");
    guard.check()?;
    // 5. The root inventory (conditional on the one read, where the store honours it), then
    // its sidecar; a new object's declaration last.
    for rel in &root_files {
        let bytes = fs_err::read(local.join(rel))?;
        let condition = match (&guard, rel.ends_with("inventory.json"), &root_etag) {
            (Guard::Conditional, true, Some(etag)) => Some(("if-match", format!("\"{etag}\""))),
            (Guard::Conditional, true, None) => Some(("if-none-match", "*".to_owned())),
            _ => None,
        };
        if let Err(Conflict) = client.put_if(&key(rel), &bytes, condition)? {
            return Err(refused(
                format!(
                    "the inventory of {} changed while this deposit ran; this version was not committed",
                    tree.show(&object_rel)
                ),
                None,
            ));
        }
        failpoint("s3-root-inventory");
    }
    if let Some(rel) = &declaration {
        client.put(&key(rel), &fs_err::read(local.join(rel))?)?;
    }
    for rel in &old_declarations {
        client.delete(&key(rel))?;
    }
    failpoint("s3-committed");
    // 6. Tidy up.
    threads.install(|| {
        use rayon::prelude::*;
        let staged: Vec<String> = content.iter().map(|rel| key(&staged(rel))).collect();
        staged
            .par_chunks(1000)
            .try_for_each(|chunk| client.delete_many(chunk))
    })?;
    if let Guard::Lease(_) = guard {
        client.delete(&key(INTENT))?;
    }
    drop(guard);
    tracing::debug!(elapsed = ?started.elapsed(), "s3 deposit: committed");
    Ok(Deposited::Version {
        object: PathBuf::from(tree.show(&object_rel)),
        version,
        upgraded,
    })
}

/// The path of `dir` below `root`, `/`-separated.
fn relative(root: &Path, dir: &Path) -> Result<String> {
    let rel = dir.strip_prefix(root).map_err(|_| {
        Error::Io(std::io::Error::other(format!(
            "`{}` is not below `{}`",
            dir.display(),
            root.display()
        )))
    })?;
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
}

/// Every file below `dir`, relative, `/`-separated, sorted.
fn walk(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let here = if rel.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(&rel)
        };
        for entry in fs_err::read_dir(&here)? {
            let entry = entry?;
            let name = join(&rel, &entry.file_name().to_string_lossy());
            if entry.file_type()?.is_dir() {
                stack.push(name);
            } else {
                out.push(name);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Copy the file `rel` of the tree into the local folder `local` (same relative path).
fn download(tree: &S3, rel: &str, local: &Path) -> Result<()> {
    let path = crate::path::RelPath::new(rel)
        .map_err(|e| {
            refused(
                format!("{} is a key no file system can hold: {e}", tree.show(rel)),
                None,
            )
        })?
        .under(local);
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent)?;
    }
    let mut reader = tree.open(rel)?;
    let mut file = fs_err::File::create(&path)?;
    std::io::copy(&mut reader, &mut file)?;
    Ok(())
}

/// The root's OCFL version; a root is created in an empty prefix (OCFL 1.1, the 0004 layout),
/// declaration last (a prefix holding only what an interrupted creation wrote counts as empty).
fn ensure_root(tree: &mut S3) -> Result<&'static str> {
    let shown = tree.show("");
    if super::validate::is_root_at(tree, "") {
        let mut found = Vec::new();
        for spec in ["1.0", "1.1"] {
            if tree.kind(&format!("0=ocfl_{spec}")) == Some(Kind::File) {
                found.push(spec);
            }
        }
        return match found.as_slice() {
            [spec] => Ok(spec),
            _ => Err(refused(
                format!(
                    "{shown} must declare exactly one OCFL version (0=ocfl_1.0 or 0=ocfl_1.1); nothing was deposited"
                ),
                None,
            )),
        };
    }
    // A root is never made inside another root or an object: it would break the one around it.
    let location = tree.client.location.clone();
    let segments: Vec<&str> = location
        .prefix
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    for depth in 0..segments.len() {
        let above = segments[..depth].join("/");
        let declarations = if above.is_empty() {
            "0=".to_owned()
        } else {
            format!("{above}/0=")
        };
        let listed = match tree.client.list(&declarations) {
            Ok(listed) => listed,
            // A key limited to the root's prefix may not list above it: nothing to tell then.
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                tracing::warn!(
                    "cannot list {} (access denied): whether a root or an object holds {shown} is not checked there",
                    Location {
                        bucket: location.bucket.clone(),
                        prefix: declarations.clone(),
                    }
                );
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(found) = listed.iter().find(|l| {
            l.key[declarations.len()..].starts_with("ocfl_")
                && !l.key[declarations.len()..].contains('/')
        }) {
            let what = if found.key.contains("ocfl_object_") {
                "an OCFL object"
            } else {
                "an OCFL storage root"
            };
            let around = Location {
                bucket: location.bucket.clone(),
                prefix: above.clone(),
            };
            return Err(refused(
                format!(
                    "{shown} would be a new storage root inside {what}, {around} (it declares `{}`), and would break it; nothing was deposited",
                    &found.key[declarations.len() - 2..]
                ),
                Some(format!(
                    "deposit into {around} itself, or into a prefix outside it"
                )),
            ));
        }
    }
    let layout = super::layout::Layout::default_new();
    let config = format!("extensions/{}/config.json", layout.extension());
    // What a creation killed before its declaration left is written again.
    let others: Vec<String> = tree
        .files_below("")
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| !k.starts_with(STAGING) && *k != config && k != "ocfl_layout.json")
        .collect();
    if !others.is_empty() {
        return Err(Error::Usage(format!(
            "{shown} holds keys and is not an OCFL storage root (no 0=ocfl_1.1 or 0=ocfl_1.0), e.g. `{}`",
            others[0]
        )));
    }
    let declared = serde_json::json!({
        "extension": layout.extension(),
        "description": "OCFL object identifiers are hashed with sha256; the first three groups of three hex characters of the digest are folders, and the full digest names the object's folder.",
    });
    let client = &tree.client;
    let location = client.location.clone();
    client.put(
        &location.key(&config),
        &crate::package::pretty(&layout.config()),
    )?;
    client.put(
        &location.key("ocfl_layout.json"),
        &crate::package::pretty(&declared),
    )?;
    failpoint("s3-root-layout");
    client.put(
        &location.key(&format!("0={}", super::ROOT_DECLARATION)),
        format!("{}\n", super::ROOT_DECLARATION).as_bytes(),
    )?;
    tree.refresh()?;
    Ok("1.1")
}

/// Finish or undo what an interrupted deposit left (the caller holds the root's lease).
fn recover(tree: &mut S3) -> Result<()> {
    let client = &tree.client;
    let location = client.location.clone();
    let leftovers: Vec<String> = tree
        .files_below(STAGING)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    if leftovers.is_empty() {
        return Ok(());
    }
    if tree.kind(INTENT) == Some(Kind::File) {
        let intent: serde_json::Value =
            serde_json::from_slice(&tree.read(INTENT, 1 << 20)?).unwrap_or_default();
        if let (Some(object), Some(version)) =
            (intent["object"].as_str(), intent["version"].as_str())
        {
            let inventory = join(object, "inventory.json");
            let head = tree
                .read(&inventory, 64 << 20)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|v| v["head"].as_str().map(str::to_owned));
            if head.as_deref() == Some(version) {
                // Committed but for the last steps: the sidecar from the inventory, and a new
                // object's declaration.
                tracing::info!(object, version, "finishing an interrupted deposit");
                let bytes = tree.read(&inventory, 64 << 20)?;
                let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                let algorithm = value["digestAlgorithm"].as_str().unwrap_or("sha512");
                if let Some(a) = crate::digest::Algorithm::from_name(algorithm) {
                    let mut hasher = crate::digest::MultiHasher::new([a]);
                    hasher.update(&bytes);
                    let digest = hasher.finish().remove(0).1;
                    client.put(
                        &location.key(&format!("{inventory}.{algorithm}")),
                        format!("{digest} inventory.json\n").as_bytes(),
                    )?;
                }
                // The declaration the inventory's version calls for (a new object's, or an
                // upgraded one's), and only that one.
                let (spec, other) = if value["type"].as_str().is_some_and(|t| t.contains("/1.0/")) {
                    ("1.0", "1.1")
                } else {
                    ("1.1", "1.0")
                };
                let declaration = join(object, &format!("0=ocfl_object_{spec}"));
                if tree.kind(&declaration) != Some(Kind::File) {
                    client.put(
                        &location.key(&declaration),
                        format!("ocfl_object_{spec}\n").as_bytes(),
                    )?;
                }
                let stale = join(object, &format!("0=ocfl_object_{other}"));
                if tree.kind(&stale) == Some(Kind::File) {
                    client.delete(&location.key(&stale))?;
                }
            } else {
                // Not committed: the version folder goes (and a new object's every file).
                tracing::info!(object, version, "undoing an interrupted deposit");
                let gone = if intent["new_object"].as_bool() == Some(true) && head.is_none() {
                    object.to_owned()
                } else {
                    join(object, version)
                };
                for (file, _) in tree.files_below(&gone) {
                    client.delete(&location.key(&file))?;
                }
            }
        }
    }
    for file in leftovers.iter().filter(|f| f.as_str() != INTENT) {
        client.delete(&location.key(file))?;
    }
    client.delete(&location.key(INTENT))?;
    tree.refresh()
}
