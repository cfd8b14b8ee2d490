//! Where a storage root's files are: a folder on disk, or keys below a prefix of an S3 bucket.
//! The audit ([`super::validate`]) and the reading side ([`super::read`]) go through [`Tree`],
//! so one implementation of OCFL serves both; deposits write each in its own way
//! ([`super::store`] on disk, [`super::remote`] on S3).
//!
//! Paths are relative to the tree's top, `/`-separated, `""` for the top itself. On S3 a folder
//! is a prefix that keys have (so there are no empty folders, links, pipes or devices), and
//! the whole tree is listed once when it is opened.

use crate::error::{Error, Result};
use crate::s3;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Dir,
    /// A symbolic link (never followed).
    Link,
    /// A pipe, socket or device.
    Other,
}

/// What the store itself says of a file, for an audit that does not read it (`--fast`).
#[derive(Clone, Debug)]
pub struct Stored {
    pub size: u64,
    /// The store's SHA-256 of the whole file (hex), when it keeps one.
    pub sha256: Option<String>,
}

/// A storage root's (or an object's) files.
pub trait Tree: Sync {
    /// `rel` as the user knows it: a path, or `s3://bucket/key`.
    fn show(&self, rel: &str) -> String;
    /// What `rel` is, `None` when there is nothing.
    fn kind(&self, rel: &str) -> Option<Kind>;
    /// The entries of the folder `rel`, sorted by name.
    fn list(&self, rel: &str) -> Result<Vec<(String, Kind)>>;
    /// The size of the file `rel`.
    fn size(&self, rel: &str) -> Result<u64>;
    /// A reader of the file `rel`.
    fn open(&self, rel: &str) -> Result<Box<dyn Read + Send + '_>>;
    /// The file `rel` whole: a regular file of at most `limit` bytes.
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>>;
    /// The store's own size and checksum of `rel`, without reading it; `None` where the tree
    /// has no such thing (a folder on disk).
    fn stored(&self, _rel: &str) -> Result<Option<Stored>> {
        Ok(None)
    }
    /// A tree for the folder `rel` of this one.
    fn sub(&self, rel: &str) -> Box<dyn Tree + '_>;
    /// How many files to read at once, when not one per core (a store over the network
    /// answers many requests at once).
    fn concurrency(&self) -> Option<usize> {
        None
    }
}

/// `a/b` from `a` and `b` (either may be empty).
pub fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}/{b}"),
    }
}

/// The key prefix of the folder `rel` (`rel/`, or nothing for the top).
fn folder(rel: &str) -> String {
    if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    }
}

/// A folder on disk.
pub struct Disk {
    pub root: PathBuf,
}

impl Disk {
    pub fn new(root: &Path) -> Disk {
        Disk {
            root: root.to_path_buf(),
        }
    }
    pub fn path(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }
}

fn kind_of(file_type: std::fs::FileType) -> Kind {
    if file_type.is_symlink() {
        Kind::Link
    } else if file_type.is_dir() {
        Kind::Dir
    } else if file_type.is_file() {
        Kind::File
    } else {
        Kind::Other
    }
}

impl Tree for Disk {
    fn show(&self, rel: &str) -> String {
        self.path(rel).display().to_string()
    }
    fn kind(&self, rel: &str) -> Option<Kind> {
        std::fs::symlink_metadata(self.path(rel))
            .ok()
            .map(|m| kind_of(m.file_type()))
    }
    fn list(&self, rel: &str) -> Result<Vec<(String, Kind)>> {
        let mut out = Vec::new();
        for entry in fs_err::read_dir(self.path(rel))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push((name, kind_of(entry.file_type()?)));
        }
        out.sort();
        Ok(out)
    }
    fn size(&self, rel: &str) -> Result<u64> {
        Ok(fs_err::metadata(self.path(rel))?.len())
    }
    fn open(&self, rel: &str) -> Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(std::io::BufReader::new(fs_err::File::open(
            self.path(rel),
        )?)))
    }
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>> {
        super::read_file(&self.path(rel), limit)
    }
    fn sub(&self, rel: &str) -> Box<dyn Tree + '_> {
        Box::new(Disk::new(&self.path(rel)))
    }
}

/// Keys below a prefix of a bucket, listed once.
pub struct S3 {
    pub client: s3::Client,
    /// relative path -> (size, ETag)
    keys: BTreeMap<String, (u64, String)>,
    /// Keys that are no path a file system can hold (an empty segment: `a//b`, `/a`): kept out
    /// of the tree, which they would otherwise loop through, and reported by the audit.
    pub odd: Vec<String>,
}

impl S3 {
    /// List everything below the location's prefix.
    pub fn open(client: s3::Client) -> Result<S3> {
        let mut tree = S3 {
            client,
            keys: BTreeMap::new(),
            odd: Vec::new(),
        };
        tree.refresh()?;
        Ok(tree)
    }

    /// List again (after writes).
    pub fn refresh(&mut self) -> Result<()> {
        let top = self.client.location.key("");
        let prefix = if top.is_empty() {
            String::new()
        } else {
            format!("{top}/")
        };
        self.keys.clear();
        self.odd.clear();
        for item in self.client.list(&prefix)? {
            let Some(rel) = item.key.strip_prefix(&prefix) else {
                continue;
            };
            // Folder markers some tools write (`a/b/`) are no files.
            let rel = rel.strip_suffix('/').map_or(rel, |r| r);
            if rel.is_empty() || item.key.ends_with('/') && !rel.split('/').any(str::is_empty) {
                continue;
            }
            if rel.split('/').any(str::is_empty) {
                self.odd.push(item.key);
                continue;
            }
            self.keys.insert(rel.to_owned(), (item.size, item.etag));
        }
        Ok(())
    }

    pub fn location(&self) -> &s3::Location {
        &self.client.location
    }

    /// Every file below `rel` (relative to the top), with its size.
    pub fn files_below(&self, rel: &str) -> Vec<(String, u64)> {
        let start = folder(rel);
        self.keys
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .map(|(k, (size, _))| (k.clone(), *size))
            .collect()
    }

    fn key(&self, rel: &str) -> String {
        self.client.location.key(rel)
    }

    fn missing(&self, rel: &str) -> Error {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{}: no such key", self.show(rel)),
        ))
    }
}

impl Tree for S3 {
    fn show(&self, rel: &str) -> String {
        self.client.location.show(rel)
    }
    fn kind(&self, rel: &str) -> Option<Kind> {
        if self.keys.contains_key(rel) {
            return Some(Kind::File);
        }
        let start = folder(rel);
        self.keys
            .range(start.clone()..)
            .next()
            .filter(|(k, _)| k.starts_with(&start))
            .map(|_| Kind::Dir)
    }
    fn list(&self, rel: &str) -> Result<Vec<(String, Kind)>> {
        if self.kind(rel) != Some(Kind::Dir) {
            return Err(self.missing(rel));
        }
        let start = folder(rel);
        let mut out: BTreeMap<String, Kind> = BTreeMap::new();
        for (key, _) in self
            .keys
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
        {
            let rest = &key[start.len()..];
            match rest.split_once('/') {
                Some((dir, _)) => {
                    out.insert(dir.to_owned(), Kind::Dir);
                }
                None => {
                    // A name that is both a key and a prefix reads as a folder (a folder marker
                    // or a clash no file system could hold); the folder is what holds content.
                    out.entry(rest.to_owned()).or_insert(Kind::File);
                }
            }
        }
        Ok(out.into_iter().collect())
    }
    fn size(&self, rel: &str) -> Result<u64> {
        self.keys
            .get(rel)
            .map(|(size, _)| *size)
            .ok_or_else(|| self.missing(rel))
    }
    fn open(&self, rel: &str) -> Result<Box<dyn Read + Send + '_>> {
        if !self.keys.contains_key(rel) {
            return Err(self.missing(rel));
        }
        Ok(Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            self.client.open(&self.key(rel))?,
        )))
    }
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>> {
        let size = self.size(rel)?;
        if size > limit {
            return Err(Error::Refused {
                message: format!("{} is over the limit of {limit} bytes", self.show(rel)),
                hint: None,
            });
        }
        self.client.get(&self.key(rel), limit)
    }
    fn stored(&self, rel: &str) -> Result<Option<Stored>> {
        let head = self
            .client
            .head(&self.key(rel))?
            .ok_or_else(|| self.missing(rel))?;
        Ok(Some(Stored {
            size: head.size,
            sha256: head.sha256.filter(|_| !head.composite),
        }))
    }
    fn sub(&self, rel: &str) -> Box<dyn Tree + '_> {
        Box::new(Sub {
            tree: self,
            base: rel.to_owned(),
        })
    }
    fn concurrency(&self) -> Option<usize> {
        Some(16)
    }
}

/// A folder of another tree.
struct Sub<'a> {
    tree: &'a dyn Tree,
    base: String,
}

impl Tree for Sub<'_> {
    fn show(&self, rel: &str) -> String {
        self.tree.show(&join(&self.base, rel))
    }
    fn kind(&self, rel: &str) -> Option<Kind> {
        self.tree.kind(&join(&self.base, rel))
    }
    fn list(&self, rel: &str) -> Result<Vec<(String, Kind)>> {
        self.tree.list(&join(&self.base, rel))
    }
    fn size(&self, rel: &str) -> Result<u64> {
        self.tree.size(&join(&self.base, rel))
    }
    fn open(&self, rel: &str) -> Result<Box<dyn Read + Send + '_>> {
        self.tree.open(&join(&self.base, rel))
    }
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>> {
        self.tree.read(&join(&self.base, rel), limit)
    }
    fn stored(&self, rel: &str) -> Result<Option<Stored>> {
        self.tree.stored(&join(&self.base, rel))
    }
    fn sub(&self, rel: &str) -> Box<dyn Tree + '_> {
        Box::new(Sub {
            tree: self.tree,
            base: join(&self.base, rel),
        })
    }
    fn concurrency(&self) -> Option<usize> {
        self.tree.concurrency()
    }
}

/// A storage root given on the command line: a folder, or `s3://BUCKET/PREFIX`.
pub enum Root {
    Disk(PathBuf),
    S3(s3::Location),
}

impl Root {
    pub fn parse(path: &Path) -> Result<Root> {
        match path.to_str().and_then(s3::Location::parse) {
            Some(location) => Ok(Root::S3(location?)),
            None => Ok(Root::Disk(path.to_path_buf())),
        }
    }

    /// The tree to read (an S3 root is listed now).
    pub fn open(&self) -> Result<Box<dyn Tree>> {
        Ok(match self {
            Root::Disk(path) => Box::new(Disk::new(path)),
            Root::S3(location) => Box::new(S3::open(s3::Client::from_env(location.clone())?)?),
        })
    }
}
