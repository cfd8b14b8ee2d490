//! Stage 1, ingest: find the raw documents and read each one once, hashing it as it streams in.
//!
//! Every regular file below the raw folder is a document, in a stable order (sorted by its path
//! below the folder, compared as UTF-8 bytes). Hidden files and folders are skipped with a
//! warning; symlinks, devices, files with unusable names and files over the size limit are
//! refused by name. Nothing here ever writes.

use crate::config::Exclude;
use crate::digest::hex;
use crate::error::Result;
use crate::problem::Problem;
use crate::sort::{self, ExternalSort, Item};
use crate::spool::{Spool, Spooled};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Limits on what is accepted as a document.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest raw document accepted, in bytes.
    pub max_document_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 256 * 1024 * 1024,
        }
    }
}

/// A document found below the raw folder, not read yet.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Path below the raw folder with `/` separators, e.g. `004_b9c4.txt` or `letters/a.txt`.
    pub rel: String,
    /// The file on disk.
    pub path: PathBuf,
    /// How the file is named in messages: the raw folder as given, joined with `rel`.
    pub display: String,
    pub size: u64,
}

impl Entry {
    /// The document's stable id: `rel` without its extension, folders joined with `.`.
    pub fn id(&self) -> String {
        id_of(&self.rel)
    }
}

/// The id of the document at `rel` below the raw folder: see [`Entry::id`].
pub fn id_of(rel: &str) -> String {
    let (dir, file) = match rel.rfind('/') {
        Some(i) => (&rel[..=i], &rel[i + 1..]),
        None => ("", rel),
    };
    let stem = match file.rfind('.') {
        Some(i) if i > 0 => &file[..i],
        _ => file,
    };
    format!("{dir}{stem}").replace('/', ".")
}

/// The documents found below the raw folder, sorted: each one's path below the folder and its
/// size, spooled (in memory up to 1 MiB, then in an unnamed temporary file), so a corpus of any
/// number of documents lists in constant memory. Read it in order with [`Listing::entries`].
pub struct Listing {
    root: PathBuf,
    files: Spooled,
    len: usize,
    bytes: u64,
}

impl Listing {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The size of every document together.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Every document, in order.
    pub fn entries(&self) -> impl Iterator<Item = Result<Entry>> + '_ {
        let mut reader = self.files.reader();
        std::iter::from_fn(move || match <(String, u64)>::get(&mut reader) {
            Ok(Some((rel, size))) => {
                let path = self.root.join(&rel);
                Some(Ok(Entry {
                    rel,
                    display: path.display().to_string(),
                    path,
                    size,
                }))
            }
            Ok(None) => None,
            Err(e) => Some(Err(e.into())),
        })
    }
}

/// A document's raw bytes, read once, with their digest.
#[derive(Clone, Debug)]
pub struct RawDocument {
    pub entry: Entry,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// Find every document below `raw_dir`, sorted. Problems are collected, not thrown; only a
/// raw folder that cannot be listed at all is an error.
///
/// Names are sorted through an [`ExternalSort`] whose runs, past its budget, go to `scratch`;
/// the problems are sorted by path.
pub fn discover(
    raw_dir: &Path,
    limits: &Limits,
    scratch: &Path,
) -> Result<(Listing, Vec<Problem>)> {
    discover_excluding(raw_dir, limits, scratch, &Exclude::default())
}

/// [`discover`], leaving out the files and folders `exclude` names (silently: they are listed
/// in `dataset.toml` as not being documents).
pub fn discover_excluding(
    raw_dir: &Path,
    limits: &Limits,
    scratch: &Path,
    exclude: &Exclude,
) -> Result<(Listing, Vec<Problem>)> {
    let mut found = ExternalSort::new(scratch, sort::BUDGET);
    let mut problems = Vec::new();
    let meta = fs_err::metadata(raw_dir)?;
    if !meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("`{}` is not a folder", raw_dir.display()),
        )
        .into());
    }
    walk(raw_dir, "", limits, exclude, &mut found, &mut problems)?;
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let mut listing = Listing {
        root: raw_dir.to_owned(),
        files: Spooled::Memory(Vec::new()),
        len: 0,
        bytes: 0,
    };
    let mut files = Spool::new(scratch, 1 << 20);
    for file in found.finish()? {
        let file = file?;
        listing.len += 1;
        listing.bytes += file.1;
        file.put(&mut files)?;
    }
    listing.files = files.finish()?;
    Ok((listing, problems))
}

fn walk(
    dir: &Path,
    prefix: &str,
    limits: &Limits,
    exclude: &Exclude,
    entries: &mut ExternalSort<(String, u64)>,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    // In the order the folder gives: the names are sorted afterwards, all together.
    for child in fs_err::read_dir(dir)? {
        let child = child?;
        let path = child.path();
        let display = path.display().to_string();
        let Some(name) = child.file_name().to_str().map(str::to_owned) else {
            problems.push(Problem::error(
                &display,
                "file-name-not-utf8",
                "the file name is not valid UTF-8; rename it so it can be named in the release",
            ));
            continue;
        };
        // Hidden names are skipped below; every other name must survive being unpacked from
        // the release on any system, as `verify` demands of release zips.
        if let Err(e) = crate::path::RelPath::portable(&name)
            && !name.starts_with('.')
        {
            problems.push(Problem::error(
                &display,
                "file-name-unsafe",
                format!(
                    "the file name has {}, which a release cannot carry to every system; rename it",
                    e.reason
                ),
            ));
            continue;
        }
        if name.contains('%') {
            problems.push(Problem::error(
                &display,
                "file-name-percent",
                "`%` in a file name: RFC 8493 percent-encodes it in bag manifests, but bagit.py (the \
                 Library of Congress validator) does not decode it, so the release would fail one \
                 validator or the other; rename the file",
            ));
            continue;
        }
        let rel = format!("{prefix}{name}");
        if exclude.excludes(&rel) {
            tracing::debug!("excluded by dataset.toml: {}", path.display());
            continue;
        }
        let file_type = child.file_type()?;
        if name.starts_with('.') {
            problems.push(Problem::warning(
                &display,
                "hidden-skipped",
                "hidden file or folder skipped; it is not part of the dataset",
            ));
            continue;
        }
        if file_type.is_symlink() {
            problems.push(Problem::error(
                &display,
                "symlink",
                "symbolic links are refused: put the document itself in the raw folder",
            ));
        } else if file_type.is_dir() {
            walk(
                &path,
                &format!("{rel}/"),
                limits,
                exclude,
                entries,
                problems,
            )?;
        } else if file_type.is_file() {
            let size = fs_err::metadata(&path)?.len();
            if size > limits.max_document_bytes {
                problems.push(Problem::error(
                    &display,
                    "too-large",
                    format!(
                        "{size} bytes is over the limit of {} bytes per document",
                        limits.max_document_bytes
                    ),
                ));
            } else {
                entries.push((rel, size))?;
            }
        } else {
            problems.push(Problem::error(
                &display,
                "not-a-regular-file",
                "devices, sockets and pipes are refused: only regular files are documents",
            ));
        }
    }
    Ok(())
}

/// Read a document once, hashing the bytes as they arrive. Refuses to read past the limit even
/// if the file grew since it was listed.
pub fn read(entry: &Entry, limits: &Limits) -> Result<std::result::Result<RawDocument, Problem>> {
    let file = fs_err::File::open(&entry.path)?;
    let mut reader = file.take(limits.max_document_bytes + 1);
    // Read straight into the document's buffer (sized from the listing; no buffer between),
    // then hashed in one pass.
    let expected = entry.size.min(limits.max_document_bytes).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    reader.read_to_end(&mut bytes).map_err(|e| {
        std::io::Error::new(e.kind(), format!("failed to read `{}`: {e}", entry.display))
    })?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    if bytes.len() as u64 > limits.max_document_bytes {
        return Ok(Err(Problem::error(
            &entry.display,
            "too-large",
            format!(
                "the file is over the limit of {} bytes per document",
                limits.max_document_bytes
            ),
        )));
    }
    Ok(Ok(RawDocument {
        entry: entry.clone(),
        sha256: hex(&hasher.finalize()),
        bytes,
    }))
}
