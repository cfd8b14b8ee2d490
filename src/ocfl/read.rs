//! Reading a storage root: the objects it holds, their versions (`archivist log`), and a
//! deposited release got back out byte for byte (`archivist retrieve`).
//!
//! Each version archivist deposits holds, beside the bag's files (at the top of its logical
//! state), the release's own files under `release/`: the sidecar `<name>.zip.sha256`, its
//! signature `<name>.zip.sha256.minisig` when the release is signed, and the zip recipe
//! (`<name>.zip.recipe.json` and `<name>.zip.skeleton`, see [`crate::deposit::recipe`]), from
//! which the zip is rebuilt. Every file read back is checked against the inventory's digest.

use super::layout::{Layout, RootLayout};
use super::tree::{Disk, Kind, Tree, join};
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
    object_id_at(&Disk::new(dir), "")
}

/// The id in the root inventory of the object at `rel` of `tree`.
pub fn object_id_at(tree: &dyn Tree, rel: &str) -> Result<Option<String>> {
    let limit = super::validate::OcflLimits::default().max_inventory_bytes;
    let Ok(bytes) = tree.read(&join(rel, "inventory.json"), limit) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(value["id"].as_str().map(str::to_owned))
}

/// Every object below the root on disk, sorted.
pub fn objects(root: &Path) -> Result<Vec<PathBuf>> {
    Ok(objects_in(&Disk::new(root))?
        .into_iter()
        .map(|rel| root.join(rel))
        .collect())
}

/// Every object below the root (the hierarchy is walked; `extensions` is skipped), as paths
/// relative to it, sorted.
pub fn objects_in(root: &dyn Tree) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        for (name, kind) in root.list(&dir)? {
            if kind != Kind::Dir || (dir.is_empty() && name == "extensions") {
                continue;
            }
            let path = join(&dir, &name);
            if super::validate::is_object_at(root, &path) {
                found.push(path);
            } else {
                stack.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The object with `id`, wherever it is below the root on disk.
pub fn find_object(root: &Path, id: &str) -> Result<Option<PathBuf>> {
    Ok(find_object_in(&Disk::new(root), id)?.map(|rel| root.join(rel)))
}

/// The object with `id`, wherever it is below the root (the whole hierarchy is looked at).
pub fn find_object_in(root: &dyn Tree, id: &str) -> Result<Option<String>> {
    for object in objects_in(root)? {
        if object_id_at(root, &object)?.as_deref() == Some(id) {
            return Ok(Some(object));
        }
    }
    Ok(None)
}

/// The object with `id`: where the root's layout puts it, or, without a usable layout, found by
/// looking.
pub fn locate_object(root: &dyn Tree, id: &str) -> Result<Option<String>> {
    if let RootLayout::Known(layout) = Layout::of_tree(root)
        && let Ok(path) = layout.path(id)
        && let Ok(rel) = RelPath::new(&path)
    {
        let rel = rel.as_str().to_owned();
        return Ok((super::validate::is_object_at(root, &rel)
            && object_id_at(root, &rel)?.as_deref() == Some(id))
        .then_some(rel));
    }
    find_object_in(root, id)
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
struct Object<'a> {
    tree: Box<dyn Tree + 'a>,
    inventory: Value,
    algorithm: Algorithm,
}

impl<'a> Object<'a> {
    fn open(root: &'a dyn Tree, rel: &str) -> Result<Object<'a>> {
        let tree = root.sub(rel);
        let shown = tree.show("inventory.json");
        let limit = super::validate::OcflLimits::default().max_inventory_bytes;
        let inventory: Value = serde_json::from_slice(&tree.read("inventory.json", limit)?)
            .map_err(|e| Error::Io(std::io::Error::other(format!("`{shown}`: {e}"))))?;
        let algorithm = inventory["digestAlgorithm"]
            .as_str()
            .and_then(Algorithm::from_name)
            .filter(|a| matches!(a, Algorithm::Sha256 | Algorithm::Sha512))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "`{shown}`: digestAlgorithm {} is not sha512 or sha256",
                    inventory["digestAlgorithm"]
                ))
            })?;
        Ok(Object {
            tree,
            inventory,
            algorithm,
        })
    }

    fn shown(&self) -> String {
        self.tree.show("")
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
    fn open_content(&self, digest: &str) -> Result<Checked<'_>> {
        let content = self.inventory["manifest"]
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(digest)))
            .and_then(|(_, v)| v.get(0))
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Refused {
                message: format!(
                    "the inventory of `{}` has no content for digest {digest}",
                    self.shown()
                ),
                hint: None,
            })?;
        let rel = RelPath::new(content).map_err(|e| Error::Refused {
            message: format!("the inventory of `{}` names content {e}", self.shown()),
            hint: None,
        })?;
        Ok(Checked {
            file: self.tree.open(rel.as_str())?,
            hasher: Some(MultiHasher::new([self.algorithm])),
            want: digest.to_ascii_lowercase(),
            path: self.tree.show(rel.as_str()),
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
struct Checked<'a> {
    file: Box<dyn Read + Send + 'a>,
    hasher: Option<MultiHasher>,
    want: String,
    path: String,
}

impl Read for Checked<'_> {
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
                        self.path, self.want
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
fn ensure_root(root: &dyn Tree) -> Result<()> {
    if super::validate::is_root_at(root, "") {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "`{}` is not an OCFL storage root (no 0=ocfl_1.1 or 0=ocfl_1.0)",
            root.show("")
        )))
    }
}

/// Every object of the root (or only the one with `id`) and its versions.
pub fn log(root: &dyn Tree, id: Option<&str>) -> Result<Vec<ObjectEntry>> {
    ensure_root(root)?;
    let shown = root.show("");
    let dirs = match id {
        Some(id) => match locate_object(root, id)? {
            Some(dir) => vec![dir],
            None => {
                return Err(Error::Refused {
                    message: format!("`{shown}` holds no object `{id}`"),
                    hint: Some(format!("list the objects with `archivist log {shown}`")),
                });
            }
        },
        None => objects_in(root)?,
    };
    let mut out = Vec::new();
    for dir in dirs {
        let object = Object::open(root, &dir)?;
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
            path: dir.clone(),
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
pub fn retrieve(root: &dyn Tree, wanted: Wanted<'_>, out: &Path) -> Result<Retrieved> {
    ensure_root(root)?;
    let shown = root.show("");
    let refuse = |message: String, hint: Option<String>| Error::Refused { message, hint };
    let (object, version) = match wanted {
        Wanted::Version { id, version } => {
            let dir = locate_object(root, id)?.ok_or_else(|| {
                refuse(
                    format!("`{}` holds no object `{id}`", shown),
                    Some(format!("list them with `archivist log {}`", shown)),
                )
            })?;
            let object = Object::open(root, &dir)?;
            let version = version.map_or_else(|| object.head(), str::to_owned);
            if object.inventory["versions"].get(&version).is_none() {
                return Err(refuse(
                    format!("the object `{id}` has no version {version}"),
                    Some(format!("list them with `archivist log {} {id}`", shown)),
                ));
            }
            (object, version)
        }
        Wanted::Name(name) => {
            let mut found = Vec::new();
            for dir in objects_in(root)? {
                // An object that cannot be read holds no release of archivist's to look for.
                let Ok(object) = Object::open(root, &dir) else {
                    tracing::warn!(object = %dir, "skipped: its inventory cannot be read");
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
                    (Object::open(root, &dir)?, version)
                }
                0 => {
                    return Err(refuse(
                        format!(
                            "no version in `{}` holds the release {name} (with its zip recipe)",
                            shown
                        ),
                        Some(format!(
                            "list what the root holds with `archivist log {}`",
                            shown
                        )),
                    ));
                }
                _ => {
                    return Err(refuse(
                        format!(
                            "{} versions in `{}` hold the release {name}",
                            found.len(),
                            shown
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
    let audit = super::validate::validate_object_in(object.tree.as_ref(), Default::default())?;
    if let Some(problem) = audit.problems.iter().find(|p| p.is_error()) {
        return Err(refuse(
            format!(
                "the object `{}` is not intact ({problem}); nothing was retrieved",
                object.shown()
            ),
            Some(format!(
                "audit it with `archivist verify {}`",
                object.shown()
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
    let made = MadeFolders::make(out)?;
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
            hint: Some(format!("audit the root with `archivist verify {}`", shown)),
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
    // The companions are read, and the sidecar checked against the rebuilt zip, before
    // anything is given its name: a sidecar that names other bytes is refused, not passed on.
    let read_companion = |logical: &str| -> Result<Option<(String, Vec<u8>)>> {
        let Some(digest) = state.get(logical) else {
            return Ok(None);
        };
        let file_name = logical.rsplit('/').next().unwrap_or(logical).to_owned();
        Ok(Some((file_name, object.read_all(digest)?)))
    };
    let sidecar_bytes = read_companion(&sidecar_path)?;
    let signature_bytes = read_companion(&signature_path)?;
    if let Some((_, bytes)) = &sidecar_bytes {
        // Read as `verify` reads a sidecar (`SHA256  FILE`, either case), every line of it:
        // a line vouching for other bytes is refused, as `sha256sum -c` would fail on it.
        let text = String::from_utf8_lossy(bytes);
        for (no, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let (digest, named) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let named = named.trim_start().trim_start_matches('*');
            if !digest.eq_ignore_ascii_case(&sha256) {
                return Err(refuse(
                    format!(
                        "`{sidecar_path}` in version {version} of `{id}` does not name the zip \
                         rebuilt from it ({zip_name}, SHA-256 {sha256}): line {} says `{}`; \
                         nothing was written",
                        no + 1,
                        line.chars().take(200).collect::<String>()
                    ),
                    Some(format!(
                        "the version's files match its inventory, so an audit finds nothing: it \
                         is the sidecar that was deposited with it that differs; the zip's own \
                         SHA-256 is in `release/{zip_name}.recipe.json` of that version"
                    )),
                ));
            }
            if named != zip_name {
                tracing::warn!(
                    sidecar = %sidecar_path,
                    "the sidecar names `{named}`, not `{zip_name}`: `sha256sum -c` will look for that file"
                );
            }
        }
    }
    temp.as_file().sync_all()?;
    let zip = out.join(&zip_name);
    put(temp, &zip)?;
    let companion = |found: Option<(String, Vec<u8>)>| -> Result<Option<PathBuf>> {
        let Some((file_name, bytes)) = found else {
            return Ok(None);
        };
        let path = out.join(&file_name);
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".part")
            .tempfile_in(out)?;
        temp.as_file().write_all(&bytes)?;
        temp.as_file().sync_all()?;
        put(temp, &path)?;
        Ok(Some(path))
    };
    let sidecar = companion(sidecar_bytes)?;
    let signature = companion(signature_bytes)?;
    made.keep();
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

/// The folders `retrieve` made for `--out`: removed again (when empty) unless kept, so a
/// refusal leaves nothing behind.
struct MadeFolders {
    made: Vec<PathBuf>,
    kept: bool,
}

impl MadeFolders {
    fn make(out: &Path) -> Result<MadeFolders> {
        let made: Vec<PathBuf> = out
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        fs_err::create_dir_all(out)?;
        Ok(MadeFolders { made, kept: false })
    }

    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for MadeFolders {
    fn drop(&mut self) {
        if !self.kept {
            for dir in &self.made {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
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
