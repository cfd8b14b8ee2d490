//! Where a bag's files come from: a zip (read in place, nothing extracted) or a folder.
//!
//! Opening a source lists its files and reports, before anything is trusted, every entry that is
//! unsafe: for zips absolute paths, `..`, backslashes, duplicate names, links and special files,
//! encryption, unknown compression, and sizes or compression ratios beyond the limits (zip bombs);
//! for folders symlinks and special files. Reading streams one file through a callback, in
//! constant memory, and never writes anywhere.

use crate::digest::{Algorithm, MultiHasher};
use crate::error::Result;
use crate::problem::Problem;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Limits applied to archives before their content is read.
#[derive(Clone, Copy, Debug)]
pub struct ZipLimits {
    /// The largest uncompressed size of one entry.
    pub max_entry_bytes: u64,
    /// The largest uncompressed size of all entries together.
    pub max_total_bytes: u64,
    /// The largest ratio of uncompressed to compressed size, for entries over 1 MiB.
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entry_bytes: 16 << 30,
            max_total_bytes: 256 << 30,
            max_ratio: 1000,
        }
    }
}

/// A file of the bag: its path relative to the bag's top folder (`/` separators) and its size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
}

/// One file to hash: which digests, and whether to keep its bytes (small files only).
#[derive(Clone, Debug)]
pub struct HashJob {
    pub path: String,
    pub algorithms: Vec<Algorithm>,
    pub keep: bool,
}

/// A file hashed: its digests, size read, and its bytes when asked to keep them.
#[derive(Clone, Debug)]
pub struct Hashed {
    pub digests: Vec<(Algorithm, String)>,
    pub bytes: u64,
    pub kept: Option<Vec<u8>>,
}

/// A readable bag.
pub trait BagSource: Send {
    /// The files of the bag, sorted by path.
    fn files(&self) -> &[FileInfo];
    /// Stream the file at `path` through `visit`, chunk by chunk.
    fn read(&mut self, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()>;
    /// How to name a file of the bag in messages.
    fn name_of(&self, path: &str) -> String;
    /// [`BagSource::name_of`] as a function of its own, for use while the source is borrowed.
    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync>;
    /// Hash many files, each read once, in parallel where the source allows; results in the
    /// order of `jobs`.
    fn hash_all(&mut self, jobs: &[HashJob]) -> Vec<std::result::Result<Hashed, String>> {
        jobs.iter()
            .map(|job| hash_with(|visit| self.read(&job.path, visit), job))
            .collect()
    }
}

/// Hash one file through a reader callback.
fn hash_with(
    read: impl FnOnce(&mut dyn FnMut(&[u8])) -> std::io::Result<()>,
    job: &HashJob,
) -> std::result::Result<Hashed, String> {
    let mut hasher = MultiHasher::new(job.algorithms.iter().copied());
    let mut kept = job.keep.then(Vec::new);
    let mut bytes = 0u64;
    read(&mut |chunk| {
        hasher.update(chunk);
        bytes += chunk.len() as u64;
        if let Some(k) = kept.as_mut() {
            k.extend_from_slice(chunk);
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(Hashed {
        digests: hasher.finish(),
        bytes,
        kept,
    })
}

const CHUNK: usize = 256 * 1024;

/// A bag inside a zip: one top folder holds the bag.
pub struct ZipSource {
    archive: Archive,
    top: String,
    files: Vec<FileInfo>,
    index: BTreeMap<String, (usize, u64)>,
}

impl ZipSource {
    /// Open `zip` and check every entry; `None` when no bag can be read from it (the problems
    /// say why).
    pub fn open(
        zip: &Path,
        limits: &ZipLimits,
        problems: &mut Vec<Problem>,
    ) -> Result<Option<ZipSource>> {
        let display = zip.display().to_string();
        let file = fs_err::File::open(zip)?;
        let mut archive = match zip::ZipArchive::new(At::new(file.into_parts().0)) {
            Ok(archive) => archive,
            Err(e) => {
                problems.push(Problem::error(
                    &display,
                    "not-a-zip",
                    format!(
                        "cannot be read as a zip archive: {e} (truncated or damaged download?)"
                    ),
                ));
                return Ok(None);
            }
        };
        // The zip crate indexes entries by name, so a second entry of the same name is invisible
        // through it: count names in the central directory ourselves.
        match central_directory_names(zip) {
            Ok(names) => {
                let mut counts: BTreeMap<&[u8], usize> = BTreeMap::new();
                for name in &names {
                    *counts.entry(name.as_slice()).or_default() += 1;
                }
                for (name, count) in counts {
                    if count > 1 {
                        problems.push(Problem::error(
                            format!("{display}:{}", String::from_utf8_lossy(name)),
                            "duplicate-entry",
                            format!("the archive holds {count} entries of this name; which one a tool extracts is anyone's guess"),
                        ));
                    }
                }
            }
            Err(message) => {
                problems.push(Problem::error(
                    &display,
                    "not-a-zip",
                    format!("central directory: {message}"),
                ));
                return Ok(None);
            }
        }
        let mut seen = BTreeSet::new();
        let mut seen_folded = BTreeMap::new();
        let mut tops = BTreeSet::new();
        let mut total = 0u64;
        let mut entries = Vec::new();
        for i in 0..archive.len() {
            let entry = match archive.by_index_raw(i) {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push(Problem::error(
                        &display,
                        "zip-entry-unreadable",
                        format!("entry {i}: {e}"),
                    ));
                    continue;
                }
            };
            let raw_name = entry.name_raw().to_vec();
            let Ok(name) = String::from_utf8(raw_name) else {
                problems.push(Problem::error(
                    &display,
                    "unsafe-path",
                    format!("entry {i}: the name is not UTF-8"),
                ));
                continue;
            };
            let here = format!("{display}:{name}");
            if let Some(reason) = unsafe_name(&name) {
                problems.push(Problem::error(&here, "unsafe-path", reason));
                continue;
            }
            if !seen.insert(name.clone()) {
                problems.push(Problem::error(
                    &here,
                    "duplicate-entry",
                    "the archive holds two entries of this name",
                ));
                continue;
            }
            if let Some(other) = seen_folded.insert(name.to_lowercase(), name.clone()) {
                problems.push(Problem::warning(
                    &here,
                    "case-collision",
                    format!("differs from `{other}` only in case: one overwrites the other when extracted on Windows or macOS"),
                ));
            }
            if entry.encrypted() {
                problems.push(Problem::error(
                    &here,
                    "encrypted-entry",
                    "encrypted entries cannot be verified",
                ));
                continue;
            }
            let mode = entry.unix_mode().unwrap_or(0);
            let kind = mode & 0o170000;
            if entry.is_dir() || name.ends_with('/') {
                continue;
            }
            if kind != 0 && kind != 0o100000 {
                let what = if kind == 0o120000 {
                    "a symbolic link"
                } else {
                    "a special file (device, pipe or socket)"
                };
                problems.push(Problem::error(
                    &here,
                    "special-entry",
                    format!("the entry is {what}; a bag holds regular files only"),
                ));
                continue;
            }
            if !matches!(
                entry.compression(),
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
            ) {
                problems.push(Problem::error(
                    &here,
                    "unsupported-compression",
                    format!(
                        "compression {:?} is not supported (only stored and deflate)",
                        entry.compression()
                    ),
                ));
                continue;
            }
            let size = entry.size();
            let packed = entry.compressed_size().max(1);
            if size > limits.max_entry_bytes {
                problems.push(Problem::error(
                    &here,
                    "entry-too-large",
                    format!(
                        "{size} bytes uncompressed, over the limit of {} bytes",
                        limits.max_entry_bytes
                    ),
                ));
                continue;
            }
            if size > (1 << 20) && size / packed > limits.max_ratio {
                problems.push(Problem::error(
                    &here,
                    "zip-bomb",
                    format!(
                        "compression ratio {}:1 is over the limit of {}:1 (a zip bomb?)",
                        size / packed,
                        limits.max_ratio
                    ),
                ));
                continue;
            }
            total = total.saturating_add(size);
            tops.insert(name.split('/').next().unwrap_or_default().to_owned());
            entries.push((name, i, size));
        }
        if total > limits.max_total_bytes {
            problems.push(Problem::error(
                &display,
                "archive-too-large",
                format!(
                    "{total} bytes uncompressed in all, over the limit of {} bytes (a zip bomb?)",
                    limits.max_total_bytes
                ),
            ));
            return Ok(None);
        }
        if tops.len() != 1 || entries.iter().any(|(name, _, _)| !name.contains('/')) {
            problems.push(Problem::error(
                &display,
                "zip-layout",
                format!(
                    "a release zip holds exactly one top folder (the bag); found {}",
                    if tops.is_empty() {
                        "no files".to_owned()
                    } else {
                        tops.into_iter().collect::<Vec<_>>().join(", ")
                    }
                ),
            ));
            return Ok(None);
        }
        let top = tops.into_iter().next().unwrap_or_default();
        let prefix = format!("{top}/");
        let mut files = Vec::new();
        let mut index = BTreeMap::new();
        for (name, i, size) in entries {
            let path = name[prefix.len()..].to_owned();
            index.insert(path.clone(), (i, size));
            files.push(FileInfo { path, size });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Some(ZipSource {
            archive,
            top,
            files,
            index,
        }))
    }

    pub fn top(&self) -> &str {
        &self.top
    }
}

/// The entry names of a zip's central directory, in order, read directly from the file.
fn central_directory_names(path: &Path) -> std::result::Result<Vec<Vec<u8>>, String> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let tail_len = len.min(65_557 + 20);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(len - tail_len))
        .map_err(|e| e.to_string())?;
    file.read_exact(&mut tail).map_err(|e| e.to_string())?;
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == *b"PK\x05\x06")
        .ok_or("no end-of-central-directory record")?;
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let u64_at = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let mut count = u16_at(&tail, eocd + 10);
    let mut size = u32_at(&tail, eocd + 12);
    let mut offset = u32_at(&tail, eocd + 16);
    if (count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF)
        && eocd >= 20
        && tail[eocd - 20..eocd - 16] == *b"PK\x06\x07"
    {
        let record_at = u64_at(&tail, eocd - 20 + 8);
        let mut record = [0u8; 56];
        file.seek(SeekFrom::Start(record_at))
            .map_err(|e| e.to_string())?;
        file.read_exact(&mut record).map_err(|e| e.to_string())?;
        if record[..4] != *b"PK\x06\x06" {
            return Err("bad zip64 end-of-central-directory record".into());
        }
        count = u64_at(&record, 32);
        size = u64_at(&record, 40);
        offset = u64_at(&record, 48);
    }
    if offset.saturating_add(size) > len || count > size / 46 + 1 {
        return Err("the central directory lies outside the file".into());
    }
    let mut directory = vec![0u8; size as usize];
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| e.to_string())?;
    file.read_exact(&mut directory).map_err(|e| e.to_string())?;
    let mut names = Vec::with_capacity(count as usize);
    let mut at = 0usize;
    for _ in 0..count {
        if at + 46 > directory.len() || directory[at..at + 4] != *b"PK\x01\x02" {
            return Err("a central directory header is damaged".into());
        }
        let name_len = u16_at(&directory, at + 28) as usize;
        let extra_len = u16_at(&directory, at + 30) as usize;
        let comment_len = u16_at(&directory, at + 32) as usize;
        let end = at + 46 + name_len;
        if end > directory.len() {
            return Err("a central directory name runs past its end".into());
        }
        names.push(directory[at + 46..end].to_vec());
        at = end + extra_len + comment_len;
    }
    Ok(names)
}

/// Why a zip entry name is unsafe to trust, if it is.
fn unsafe_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("empty entry name".into());
    }
    if name.starts_with('/') || name.as_bytes().get(1) == Some(&b':') {
        return Some("absolute path: extracting it would write outside the target folder".into());
    }
    if name.contains('\\') {
        return Some("backslash in the name: on Windows it is a folder separator".into());
    }
    if name.chars().any(char::is_control) {
        return Some("control character in the name".into());
    }
    if name.split('/').any(|part| part == "..") {
        return Some(
            "`..` in the path: extracting it would write outside the target folder".into(),
        );
    }
    None
}

impl BagSource for ZipSource {
    fn files(&self) -> &[FileInfo] {
        &self.files
    }

    fn read(&mut self, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        read_entry(&mut self.archive, &self.index, path, visit)
    }

    fn hash_all(&mut self, jobs: &[HashJob]) -> Vec<std::result::Result<Hashed, String>> {
        // Work is cut into a few chunks per thread; each chunk reads through its own clone of
        // the archive, which shares the open file and the parsed central directory (one copy,
        // however many workers) and has a position of its own.
        let (archive, index) = (&self.archive, &self.index);
        let chunk = jobs.len().div_ceil(rayon::current_num_threads() * 4).max(1);
        jobs.par_chunks(chunk)
            .flat_map_iter(|chunk| {
                let mut archive = archive.clone();
                chunk
                    .iter()
                    .map(|job| {
                        hash_with(
                            |visit| read_entry(&mut archive, index, &job.path, visit),
                            job,
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn name_of(&self, path: &str) -> String {
        format!("{}/{path}", self.top)
    }

    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
        let top = self.top.clone();
        Box::new(move |path| format!("{top}/{path}"))
    }
}

type Archive = zip::ZipArchive<At>;

/// An open file read at a position of its own (`pread`), through a small buffer kept by file
/// offset. Clones share the file and nothing else, so several threads read one archive at once.
#[derive(Clone)]
pub struct At {
    file: std::sync::Arc<std::fs::File>,
    pos: u64,
    /// Bytes of the file from offset `buf_at`.
    buf: Vec<u8>,
    buf_at: u64,
}

impl At {
    const BUFFER: usize = 64 * 1024;

    fn new(file: std::fs::File) -> At {
        At {
            file: std::sync::Arc::new(file),
            pos: 0,
            buf: Vec::new(),
            buf_at: 0,
        }
    }
}

impl Read for At {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let in_buffer = self.pos >= self.buf_at && self.pos < self.buf_at + self.buf.len() as u64;
        if !in_buffer {
            if out.len() >= Self::BUFFER {
                let n = self.file.read_at(out, self.pos)?;
                self.pos += n as u64;
                return Ok(n);
            }
            self.buf.resize(Self::BUFFER, 0);
            let n = self.file.read_at(&mut self.buf, self.pos)?;
            self.buf.truncate(n);
            self.buf_at = self.pos;
            if n == 0 {
                return Ok(0);
            }
        }
        let start = (self.pos - self.buf_at) as usize;
        let n = out.len().min(self.buf.len() - start);
        out[..n].copy_from_slice(&self.buf[start..start + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for At {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            std::io::SeekFrom::Start(n) => Some(n),
            std::io::SeekFrom::End(d) => self.file.metadata()?.len().checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

/// Inflate one entry through `visit`, never past the size its header declares.
fn read_entry(
    archive: &mut Archive,
    index: &BTreeMap<String, (usize, u64)>,
    path: &str,
    visit: &mut dyn FnMut(&[u8]),
) -> std::io::Result<()> {
    {
        let &(i, declared) = index
            .get(path)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such entry"))?;
        let entry = archive.by_index(i).map_err(std::io::Error::other)?;
        // Never trust the header: read at most one byte more than declared.
        let mut limited = entry.take(declared + 1);
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0u64;
        loop {
            let n = limited.read(&mut buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > declared {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("inflates to more than the {declared} bytes its header declares"),
                ));
            }
            visit(&buf[..n]);
        }
        Ok(())
    }
}

/// A bag in a folder.
pub struct DirSource {
    root: PathBuf,
    files: Vec<FileInfo>,
}

impl DirSource {
    pub fn open(root: &Path, problems: &mut Vec<Problem>) -> Result<DirSource> {
        let mut files = Vec::new();
        walk(root, "", &mut files, problems)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DirSource {
            root: root.to_path_buf(),
            files,
        })
    }
}

fn read_file(root: &Path, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
    let mut file = fs_err::File::open(root.join(path))?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        visit(&buf[..n]);
    }
}

fn walk(
    dir: &Path,
    prefix: &str,
    files: &mut Vec<FileInfo>,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    for child in fs_err::read_dir(dir)? {
        let child = child?;
        let path = child.path();
        let Some(name) = child.file_name().to_str().map(str::to_owned) else {
            problems.push(Problem::error(
                path.display().to_string(),
                "unsafe-path",
                "the file name is not UTF-8",
            ));
            continue;
        };
        let rel = format!("{prefix}{name}");
        let kind = child.file_type()?;
        if kind.is_symlink() {
            problems.push(Problem::error(
                path.display().to_string(),
                "special-entry",
                "symbolic link: a bag holds regular files only",
            ));
        } else if kind.is_dir() {
            walk(&path, &format!("{rel}/"), files, problems)?;
        } else if kind.is_file() {
            files.push(FileInfo {
                path: rel,
                size: child.metadata()?.len(),
            });
        } else {
            problems.push(Problem::error(
                path.display().to_string(),
                "special-entry",
                "device, pipe or socket: a bag holds regular files only",
            ));
        }
    }
    Ok(())
}

impl BagSource for DirSource {
    fn files(&self) -> &[FileInfo] {
        &self.files
    }

    fn read(&mut self, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        read_file(&self.root, path, visit)
    }

    fn hash_all(&mut self, jobs: &[HashJob]) -> Vec<std::result::Result<Hashed, String>> {
        let root = &self.root;
        jobs.par_iter()
            .map(|job| hash_with(|visit| read_file(root, &job.path, visit), job))
            .collect()
    }

    fn name_of(&self, path: &str) -> String {
        self.root.join(path).display().to_string()
    }

    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
        let root = self.root.clone();
        Box::new(move |path| root.join(path).display().to_string())
    }
}

/// A bag held in memory (tests and fuzzing): paths relative to the bag's top folder.
pub struct MemSource {
    files: Vec<FileInfo>,
    data: BTreeMap<String, Vec<u8>>,
}

impl MemSource {
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> MemSource {
        let data: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let files = data
            .iter()
            .map(|(path, bytes)| FileInfo {
                path: path.clone(),
                size: bytes.len() as u64,
            })
            .collect();
        MemSource { files, data }
    }
}

impl BagSource for MemSource {
    fn files(&self) -> &[FileInfo] {
        &self.files
    }

    fn read(&mut self, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let bytes = self
            .data
            .get(path)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))?;
        visit(bytes);
        Ok(())
    }

    fn name_of(&self, path: &str) -> String {
        path.to_owned()
    }

    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
        Box::new(str::to_owned)
    }
}
