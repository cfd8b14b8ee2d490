//! Reading a storage root: the objects it holds, their versions (`archivist log`), and a
//! deposited release got back out byte for byte (`archivist retrieve`).
//!
//! Each version archivist deposits holds, beside the bag's files (at the top of its logical
//! state), the release's own files under `release/`: the sidecar `<name>.zip.sha256`, its
//! signature `<name>.zip.sha256.minisig` when the release is signed, and the zip recipe
//! (`<name>.zip.recipe.json` and `<name>.zip.skeleton`, see [`crate::deposit::recipe`]), from
//! which the zip is rebuilt. Every file read back is checked against the inventory's digest.

use super::layout::{Layout, RootLayout};
use crate::deposit::recipe::{self, Recipe};
use crate::digest::{Algorithm, MultiHasher};
use crate::error::{Error, Result};
use crate::path::RelPath;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The folder of a version's logical state that holds the release's own files.
pub const RELEASE_FOLDER: &str = "release";

/// The logical paths of a release's own files: sidecar, signature, recipe, skeleton.
pub fn release_files(name: &str) -> [String; 4] {
    [
        format!("{RELEASE_FOLDER}/{name}.zip.sha256"),
        format!("{RELEASE_FOLDER}/{name}.zip.sha256.minisig"),
        format!("{RELEASE_FOLDER}/{name}.zip.recipe.json"),
        format!("{RELEASE_FOLDER}/{name}.zip.skeleton"),
    ]
}

/// The id in an object's root inventory (`None` when it has none).
pub fn object_id(dir: &Path) -> Result<Option<String>> {
    let path = dir.join("inventory.json");
    let limit = super::validate::OcflLimits::default().max_inventory_bytes;
    let Ok(bytes) = super::read_file(&path, limit) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(value["id"].as_str().map(str::to_owned))
}

/// Every object below the root (the hierarchy is walked; `extensions` is skipped), sorted.
pub fn objects(root: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs_err::read_dir(&dir)? {
            let entry = entry?;
            if !entry.file_type()?.is_dir() || (dir == root && entry.file_name() == "extensions") {
                continue;
            }
            let path = entry.path();
            if super::validate::is_object(&path) {
                found.push(path);
            } else {
                stack.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The object with `id`, wherever it is below the root (the whole hierarchy is looked at).
pub fn find_object(root: &Path, id: &str) -> Result<Option<PathBuf>> {
    for object in objects(root)? {
        if object_id(&object)?.as_deref() == Some(id) {
            return Ok(Some(object));
        }
    }
    Ok(None)
}

/// The object with `id`: where the root's layout puts it, or, without a usable layout, found by
/// looking.
pub fn locate_object(root: &Path, id: &str) -> Result<Option<PathBuf>> {
    if let RootLayout::Known(layout) = Layout::of_root(root)
        && let Ok(path) = layout.path(id)
        && let Ok(rel) = RelPath::new(&path)
    {
        let dir = rel.under(root);
        return Ok(
            (super::validate::is_object(&dir) && object_id(&dir)?.as_deref() == Some(id))
                .then_some(dir),
        );
    }
    find_object(root, id)
}

/// One version, as `archivist log` shows it.
#[derive(Debug, Serialize)]
pub struct VersionEntry {
    pub version: String,
    pub created: Option<String>,
    pub user: Option<String>,
    pub address: Option<String>,
    pub message: Option<String>,
    /// The release it holds (`<name>-<version>`), when archivist deposited one.
    pub release: Option<String>,
    /// The zip's SHA-256, when known.
    pub zip_sha256: Option<String>,
}

/// One object, as `archivist log` shows it.
#[derive(Debug, Serialize)]
pub struct ObjectEntry {
    pub id: String,
    pub path: String,
    pub head: String,
    pub versions: Vec<VersionEntry>,
}

/// An object's inventory with what reading it back needs.
struct Object {
    dir: PathBuf,
    inventory: Value,
    algorithm: Algorithm,
}

impl Object {
    fn open(dir: &Path) -> Result<Object> {
        let path = dir.join("inventory.json");
        let limit = super::validate::OcflLimits::default().max_inventory_bytes;
        let inventory: Value = serde_json::from_slice(&super::read_file(&path, limit)?)
            .map_err(|e| Error::Io(std::io::Error::other(format!("`{}`: {e}", path.display()))))?;
        let algorithm = inventory["digestAlgorithm"]
            .as_str()
            .and_then(Algorithm::from_name)
            .filter(|a| matches!(a, Algorithm::Sha256 | Algorithm::Sha512))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "`{}`: digestAlgorithm {} is not sha512 or sha256",
                    path.display(),
                    inventory["digestAlgorithm"]
                ))
            })?;
        Ok(Object {
            dir: dir.to_path_buf(),
            inventory,
            algorithm,
        })
    }

    fn id(&self) -> String {
        self.inventory["id"].as_str().unwrap_or_default().to_owned()
    }

    fn head(&self) -> String {
        self.inventory["head"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Version names in order of their number.
    fn versions(&self) -> Vec<String> {
        let mut names: Vec<String> = self.inventory["versions"]
            .as_object()
            .map(|v| v.keys().cloned().collect())
            .unwrap_or_default();
        names.sort_by_key(|n| n.trim_start_matches('v').parse::<u64>().unwrap_or(u64::MAX));
        names
    }

    /// logical path -> digest, for `version`.
    fn state(&self, version: &str) -> BTreeMap<String, String> {
        let mut state = BTreeMap::new();
        if let Some(block) = self.inventory["versions"][version]["state"].as_object() {
            for (digest, paths) in block {
                for p in paths.as_array().map(Vec::as_slice).unwrap_or_default() {
                    if let Some(p) = p.as_str() {
                        state.insert(p.to_owned(), digest.clone());
                    }
                }
            }
        }
        state
    }

    /// The file holding `digest`, checked as it is read.
    fn open_content(&self, digest: &str) -> Result<Checked> {
        let content = self.inventory["manifest"]
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(digest)))
            .and_then(|(_, v)| v.get(0))
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Refused {
                message: format!(
                    "the inventory of `{}` has no content for digest {digest}",
                    self.dir.display()
                ),
                hint: None,
            })?;
        let rel = RelPath::new(content).map_err(|e| Error::Refused {
            message: format!(
                "the inventory of `{}` names content {e}",
                self.dir.display()
            ),
            hint: None,
        })?;
        let path = rel.under(&self.dir);
        Ok(Checked {
            file: std::io::BufReader::new(fs_err::File::open(&path)?),
            hasher: Some(MultiHasher::new([self.algorithm])),
            want: digest.to_ascii_lowercase(),
            path,
        })
    }

    fn read_all(&self, digest: &str) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.open_content(digest)?.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// The release a version holds: (name, its recipe), read from its `release/` files.
    fn release_of(&self, state: &BTreeMap<String, String>) -> Option<(String, String)> {
        state.iter().find_map(|(path, digest)| {
            let name = path
                .strip_prefix(&format!("{RELEASE_FOLDER}/"))?
                .strip_suffix(".zip.recipe.json")?;
            (!name.contains('/')).then(|| (name.to_owned(), digest.clone()))
        })
    }
}

/// A content file being read, its digest checked at the end.
struct Checked {
    file: std::io::BufReader<fs_err::File>,
    hasher: Option<MultiHasher>,
    want: String,
    path: PathBuf,
}

impl Read for Checked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        if let Some(hasher) = self.hasher.as_mut() {
            hasher.update(&buf[..n]);
        }
        if n == 0
            && !buf.is_empty()
            && let Some(hasher) = self.hasher.take()
        {
            let got = hasher.finish().remove(0).1;
            if got != self.want {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "`{}` is damaged: its digest is {got}, the inventory says {}",
                        self.path.display(),
                        self.want
                    ),
                ));
            }
        }
        Ok(n)
    }
}

/// The old default message: `archivist release NAME (zip sha256 HEX)`.
fn parse_message(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("archivist release ")?;
    let (name, rest) = rest.split_once(" (zip sha256 ")?;
    let sha = rest.strip_suffix(')')?;
    Some((name.to_owned(), sha.to_owned()))
}

/// A storage root, or a usage error naming the folder.
fn ensure_root(root: &Path) -> Result<()> {
    if super::validate::is_root(root) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "`{}` is not an OCFL storage root (no 0=ocfl_1.1 or 0=ocfl_1.0)",
            root.display()
        )))
    }
}

/// Every object of the root (or only the one with `id`) and its versions.
pub fn log(root: &Path, id: Option<&str>) -> Result<Vec<ObjectEntry>> {
    ensure_root(root)?;
    let dirs = match id {
        Some(id) => match locate_object(root, id)? {
            Some(dir) => vec![dir],
            None => {
                return Err(Error::Refused {
                    message: format!("`{}` holds no object `{id}`", root.display()),
                    hint: Some(format!(
                        "list the objects with `archivist log {}`",
                        root.display()
                    )),
                });
            }
        },
        None => objects(root)?,
    };
    let mut out = Vec::new();
    for dir in dirs {
        let object = Object::open(&dir)?;
        let mut versions = Vec::new();
        for name in object.versions() {
            let block = &object.inventory["versions"][&name];
            let message = block["message"].as_str().map(str::to_owned);
            let state = object.state(&name);
            let (mut release, mut zip_sha256) = (None, None);
            if let Some((release_name, digest)) = object.release_of(&state)
                && let Ok(bytes) = object.read_all(&digest)
                && let Ok(recipe) = serde_json::from_slice::<Recipe>(&bytes)
            {
                release = Some(release_name);
                zip_sha256 = Some(recipe.sha256);
            } else if let Some((n, s)) = message.as_deref().and_then(parse_message) {
                release = Some(n);
                zip_sha256 = Some(s);
            }
            versions.push(VersionEntry {
                version: name.clone(),
                created: block["created"].as_str().map(str::to_owned),
                user: block["user"]["name"].as_str().map(str::to_owned),
                address: block["user"]["address"].as_str().map(str::to_owned),
                message,
                release,
                zip_sha256,
            });
        }
        out.push(ObjectEntry {
            id: object.id(),
            path: dir.strip_prefix(root).unwrap_or(&dir).display().to_string(),
            head: object.head(),
            versions,
        });
    }
    Ok(out)
}

/// Which release to get back.
pub enum Wanted<'a> {
    /// `<name>-<version>`, looked for in every object.
    Name(&'a str),
    /// An object id and a version (`None`: the head).
    Version {
        id: &'a str,
        version: Option<&'a str>,
    },
}

/// What `retrieve` wrote.
#[derive(Debug)]
pub struct Retrieved {
    pub id: String,
    pub version: String,
    pub name: String,
    pub zip: PathBuf,
    pub sha256: String,
    pub sidecar: Option<PathBuf>,
    pub signature: Option<PathBuf>,
}

/// Write the release zip a version holds into `out`, byte-identical to the one deposited, with
/// its sidecar and signature. Every file read is checked against the inventory, and the zip's
/// SHA-256 against the recipe, before anything takes a final name; an existing file of the same
/// name is left alone when identical and refused when not.
pub fn retrieve(root: &Path, wanted: Wanted<'_>, out: &Path) -> Result<Retrieved> {
    ensure_root(root)?;
    let refuse = |message: String, hint: Option<String>| Error::Refused { message, hint };
    let (object, version) = match wanted {
        Wanted::Version { id, version } => {
            let dir = locate_object(root, id)?.ok_or_else(|| {
                refuse(
                    format!("`{}` holds no object `{id}`", root.display()),
                    Some(format!("list them with `archivist log {}`", root.display())),
                )
            })?;
            let object = Object::open(&dir)?;
            let version = version.map_or_else(|| object.head(), str::to_owned);
            if object.inventory["versions"].get(&version).is_none() {
                return Err(refuse(
                    format!("the object `{id}` has no version {version}"),
                    Some(format!(
                        "list them with `archivist log {} {id}`",
                        root.display()
                    )),
                ));
            }
            (object, version)
        }
        Wanted::Name(name) => {
            let mut found = Vec::new();
            for dir in objects(root)? {
                // An object that cannot be read holds no release of archivist's to look for.
                let Ok(object) = Object::open(&dir) else {
                    tracing::warn!(object = %dir.display(), "skipped: its inventory cannot be read");
                    continue;
                };
                for version in object.versions() {
                    let state = object.state(&version);
                    if object.release_of(&state).is_some_and(|(n, _)| n == name) {
                        found.push((dir.clone(), version));
                    }
                }
            }
            match found.len() {
                1 => {
                    let (dir, version) = found.remove(0);
                    (Object::open(&dir)?, version)
                }
                0 => {
                    return Err(refuse(
                        format!(
                            "no version in `{}` holds the release {name} (with its zip recipe)",
                            root.display()
                        ),
                        Some(format!(
                            "list what the root holds with `archivist log {}`",
                            root.display()
                        )),
                    ));
                }
                _ => {
                    return Err(refuse(
                        format!(
                            "{} versions in `{}` hold the release {name}",
                            found.len(),
                            root.display()
                        ),
                        Some("name one with --id ID --version vN".into()),
                    ));
                }
            }
        }
    };
    // The object is audited whole first: its inventories against their sidecars and each other,
    // every content file against the manifest. What a tampered object says of itself (the zip's
    // SHA-256 in its recipe) cannot then vouch for what is rebuilt from it.
    let audit = super::validate::validate_object(&object.dir)?;
    if let Some(problem) = audit.problems.iter().find(|p| p.is_error()) {
        return Err(refuse(
            format!(
                "the object `{}` is not intact ({problem}); nothing was retrieved",
                object.dir.display()
            ),
            Some(format!(
                "audit it with `archivist verify {}`",
                object.dir.display()
            )),
        ));
    }
    let id = object.id();
    let state = object.state(&version);
    let (name, recipe_digest) = object.release_of(&state).ok_or_else(|| {
        refuse(
            format!(
                "version {version} of `{id}` holds no release zip recipe: it was not deposited by archivist 0.3 or later"
            ),
            None,
        )
    })?;
    let recipe: Recipe =
        serde_json::from_slice(&object.read_all(&recipe_digest)?).map_err(|e| {
            refuse(
                format!("the zip recipe of {version} of `{id}` cannot be read: {e}"),
                None,
            )
        })?;
    let [sidecar_path, signature_path, _, skeleton_path] = release_files(&name);
    let skeleton_digest = state.get(&skeleton_path).ok_or_else(|| {
        refuse(
            format!("version {version} of `{id}` has a zip recipe but no `{skeleton_path}`"),
            None,
        )
    })?;
    fs_err::create_dir_all(out)?;
    let zip_name = format!("{name}.zip");
    RelPath::portable(&zip_name).map_err(|e| refuse(format!("the release name {e}"), None))?;
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{zip_name}."))
        .suffix(".part")
        .tempfile_in(out)
        .map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("failed to create a file in `{}`: {e}", out.display()),
            ))
        })?;
    let mut writer = std::io::BufWriter::new(temp.as_file());
    let mut skeleton = object.open_content(skeleton_digest)?;
    let prefix_state = state.clone();
    let sha256 = recipe::rebuild(
        &recipe,
        &mut skeleton,
        &mut |path: &str| {
            let digest = prefix_state.get(path).ok_or_else(|| Error::Refused {
                message: format!(
                    "the zip recipe needs `{path}`, which version {version} of `{id}` does not hold"
                ),
                hint: None,
            })?;
            Ok(Box::new(object.open_content(digest)?) as Box<dyn Read>)
        },
        &mut writer,
    )
    .map_err(|e| match e {
        // A content file that does not match its digest: the repository is damaged.
        Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => Error::Refused {
            message: format!("{io}; nothing was written"),
            hint: Some(format!(
                "audit the root with `archivist verify {}`",
                root.display()
            )),
        },
        other => other,
    })?;
    writer.flush()?;
    drop(writer);
    if sha256 != recipe.sha256 {
        return Err(refuse(
            format!(
                "the zip rebuilt from version {version} of `{id}` has SHA-256 {sha256}, not the deposited {}; nothing was written",
                recipe.sha256
            ),
            None,
        ));
    }
    temp.as_file().sync_all()?;
    let zip = out.join(&zip_name);
    put(temp, &zip)?;
    let companion = |logical: &str| -> Result<Option<PathBuf>> {
        let Some(digest) = state.get(logical) else {
            return Ok(None);
        };
        let bytes = object.read_all(digest)?;
        let file_name = logical.rsplit('/').next().unwrap_or(logical);
        let path = out.join(file_name);
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".part")
            .tempfile_in(out)?;
        temp.as_file().write_all(&bytes)?;
        temp.as_file().sync_all()?;
        put(temp, &path)?;
        Ok(Some(path))
    };
    let sidecar = companion(&sidecar_path)?;
    let signature = companion(&signature_path)?;
    Ok(Retrieved {
        id,
        version,
        name,
        zip,
        sha256,
        sidecar,
        signature,
    })
}

/// Give a finished temporary file its final name: never over a different file.
fn put(temp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    if path.exists() {
        let same = fs_err::read(path)? == fs_err::read(temp.path())?;
        if same {
            return Ok(());
        }
        return Err(Error::Refused {
            message: format!(
                "`{}` exists with other bytes than the deposited file; it was left as it is",
                path.display()
            ),
            hint: Some("retrieve into another folder with --out".into()),
        });
    }
    temp.persist_noclobber(path).map_err(|e| {
        Error::Io(std::io::Error::new(
            e.error.kind(),
            format!("failed to write `{}`: {}", path.display(), e.error),
        ))
    })?;
    Ok(())
}
