//! Where a bag's files come from: a zip (read in place, nothing extracted) or a folder.
//!
//! Opening a source lists its files and reports, before anything is trusted, every entry that is
//! unsafe: for zips absolute paths, `..`, backslashes, duplicate names, links and special files,
//! encryption, unknown compression, and sizes or compression ratios beyond the limits (zip bombs);
//! for folders symlinks and special files. The list is a sorted [`Table`] on disk past 1 MiB
//! (unnamed temporary files, see [`scratch`]), so opening a bag of any number of files takes
//! constant memory. A zip's central directory is read as a stream by our own reader, and its
//! entries inflated by it (raw deflate, checked against their sizes and CRC-32). Reading streams
//! one file through a callback, and never writes anything a user sees.

use super::table::{Row, Table, TableSorter, TableWriter};
use crate::digest::{Algorithm, MultiHasher};
use crate::error::Result;
use crate::problem::Problem;
use crate::sort::ExternalSort;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// One file to hash: which digests, and whether to keep its bytes (small files only).
#[derive(Clone, Debug)]
pub struct HashJob {
    pub file: Row,
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
pub trait BagSource: Send + Sync {
    /// The files of the bag, sorted by path.
    fn files(&self) -> &Table;
    /// Stream one file of [`BagSource::files`] through `visit`, chunk by chunk.
    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()>;
    /// Stream the file at `path` through `visit`, chunk by chunk.
    fn read(&self, path: &str, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let file = self
            .files()
            .get(path)?
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))?;
        self.read_row(&file, visit)
    }
    /// How to name a file of the bag in messages.
    fn name_of(&self, path: &str) -> String;
    /// [`BagSource::name_of`] as a function of its own, for use while the source is borrowed.
    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync>;
    /// Hash many files, each read once, in parallel; results in the order of `jobs`.
    fn hash_all(&self, jobs: &[HashJob]) -> Vec<std::result::Result<Hashed, String>> {
        jobs.par_iter()
            .map(|job| hash_with(|visit| self.read_row(&job.file, visit), job))
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

/// Where temporary files of verification go (sorted runs, tables past 1 MiB): unnamed files in
/// the system's temporary folder, which nothing can leave behind.
pub fn scratch() -> std::path::PathBuf {
    std::env::temp_dir()
}

const CHUNK: usize = 256 * 1024;

/// A bag inside a zip: one top folder holds the bag. The zip's central directory is read as a
/// stream, straight from the file, and its entries sorted into a [`Table`] with where each one
/// lies: nothing per entry stays in memory.
pub struct ZipSource {
    file: Arc<std::fs::File>,
    top: String,
    table: Table,
}

/// What the central directory says of one entry.
struct CentralEntry {
    made_by: u16,
    flags: u16,
    method: u16,
    crc: u32,
    packed: u64,
    size: u64,
    offset: u64,
    external: u32,
    name: Vec<u8>,
}

/// Where an entry's data lies, kept in a [`Row`]'s extra bytes.
struct Locator {
    offset: u64,
    packed: u64,
    crc: u32,
    method: u16,
}

impl Locator {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(22);
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.packed.to_le_bytes());
        out.extend_from_slice(&self.crc.to_le_bytes());
        out.extend_from_slice(&self.method.to_le_bytes());
        out
    }

    fn from_bytes(b: &[u8]) -> std::io::Result<Locator> {
        if b.len() != 22 {
            return Err(std::io::Error::other("a zip entry's locator is damaged"));
        }
        Ok(Locator {
            offset: u64::from_le_bytes(b[0..8].try_into().expect("8 bytes")),
            packed: u64::from_le_bytes(b[8..16].try_into().expect("8 bytes")),
            crc: u32::from_le_bytes(b[16..20].try_into().expect("4 bytes")),
            method: u16::from_le_bytes(b[20..22].try_into().expect("2 bytes")),
        })
    }
}

fn le16(b: &[u8], i: usize) -> u64 {
    u64::from(u16::from_le_bytes([b[i], b[i + 1]]))
}

fn le32(b: &[u8], i: usize) -> u64 {
    u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]))
}

fn le64(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

/// Where the central directory is: its number of entries, size and offset (zip64 aware).
fn find_central_directory(file: &std::fs::File) -> std::result::Result<(u64, u64, u64), String> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let tail_len = len.min(65_557 + 20);
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact_at(&mut tail, len - tail_len)
        .map_err(|e| e.to_string())?;
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == *b"PK\x05\x06")
        .ok_or("no end-of-central-directory record")?;
    let mut count = le16(&tail, eocd + 10);
    let mut size = le32(&tail, eocd + 12);
    let mut offset = le32(&tail, eocd + 16);
    if (count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF)
        && eocd >= 20
        && tail[eocd - 20..eocd - 16] == *b"PK\x06\x07"
    {
        let record_at = le64(&tail, eocd - 20 + 8);
        let mut record = [0u8; 56];
        file.read_exact_at(&mut record, record_at)
            .map_err(|e| e.to_string())?;
        if record[..4] != *b"PK\x06\x06" {
            return Err("bad zip64 end-of-central-directory record".into());
        }
        count = le64(&record, 32);
        size = le64(&record, 40);
        offset = le64(&record, 48);
    }
    if offset.saturating_add(size) > len || count > size / 46 + 1 {
        return Err("the central directory lies outside the file".into());
    }
    Ok((count, size, offset))
}

/// Read the next header of the central directory.
fn next_central_entry(directory: &mut impl Read) -> std::result::Result<CentralEntry, String> {
    let damaged = |_| "a central directory header is damaged".to_owned();
    let mut h = [0u8; 46];
    directory.read_exact(&mut h).map_err(damaged)?;
    if h[..4] != *b"PK\x01\x02" {
        return Err("a central directory header is damaged".into());
    }
    let (name_len, extra_len, comment_len) = (le16(&h, 28), le16(&h, 30), le16(&h, 32));
    let mut name = vec![0u8; name_len as usize];
    directory.read_exact(&mut name).map_err(damaged)?;
    let mut extra = vec![0u8; extra_len as usize];
    directory.read_exact(&mut extra).map_err(damaged)?;
    std::io::copy(&mut directory.take(comment_len), &mut std::io::sink()).map_err(damaged)?;
    let mut entry = CentralEntry {
        made_by: le16(&h, 4) as u16,
        flags: le16(&h, 8) as u16,
        method: le16(&h, 10) as u16,
        crc: le32(&h, 16) as u32,
        packed: le32(&h, 20),
        size: le32(&h, 24),
        offset: le32(&h, 42),
        external: le32(&h, 38) as u32,
        name,
    };
    // Zip64: the extra field 0x0001 holds, in this order, each value that is 0xFFFFFFFF above.
    let mut at = 0usize;
    while at + 4 <= extra.len() {
        let (id, len) = (le16(&extra, at), le16(&extra, at + 2) as usize);
        let body = extra.get(at + 4..at + 4 + len).unwrap_or_default();
        if id == 1 {
            let mut fields = body.chunks_exact(8).map(|c| le64(c, 0));
            for value in [&mut entry.size, &mut entry.packed, &mut entry.offset] {
                if *value == 0xFFFF_FFFF {
                    *value = fields.next().ok_or("a zip64 extra field is too short")?;
                }
            }
        }
        at += 4 + len;
    }
    Ok(entry)
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
        let file = fs_err::File::open(zip)?.into_parts().0;
        let not_a_zip = |problems: &mut Vec<Problem>, message: String| {
            problems.push(Problem::error(
                &display,
                "not-a-zip",
                format!(
                    "cannot be read as a zip archive: {message} (truncated or damaged download?)"
                ),
            ));
        };
        let (count, size, offset) = match find_central_directory(&file) {
            Ok(found) => found,
            Err(message) => {
                not_a_zip(problems, message);
                return Ok(None);
            }
        };
        let file = Arc::new(file);
        let mut directory = std::io::BufReader::with_capacity(
            256 * 1024,
            At::new_at(file.clone(), offset).take(size),
        );
        let scratch = scratch();
        let mut sorter = TableSorter::new(&scratch);
        let mut tops: BTreeSet<String> = BTreeSet::new();
        let mut loose = false;
        let mut total = 0u64;
        for i in 0..count {
            let entry = match next_central_entry(&mut directory) {
                Ok(entry) => entry,
                Err(message) => {
                    not_a_zip(problems, format!("central directory: {message}"));
                    return Ok(None);
                }
            };
            let Ok(name) = String::from_utf8(entry.name) else {
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
            if entry.flags & 1 != 0 {
                problems.push(Problem::error(
                    &here,
                    "encrypted-entry",
                    "encrypted entries cannot be verified",
                ));
                continue;
            }
            if name.ends_with('/') {
                continue;
            }
            let mode = if entry.made_by >> 8 == 3 {
                entry.external >> 16
            } else {
                0
            };
            let kind = mode & 0o170000;
            if kind == 0o040000 {
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
            if !matches!(entry.method, 0 | 8) {
                problems.push(Problem::error(
                    &here,
                    "unsupported-compression",
                    format!(
                        "compression method {} is not supported (only stored and deflate)",
                        entry.method
                    ),
                ));
                continue;
            }
            let packed = entry.packed.max(1);
            if entry.size > limits.max_entry_bytes {
                problems.push(Problem::error(
                    &here,
                    "entry-too-large",
                    format!(
                        "{} bytes uncompressed, over the limit of {} bytes",
                        entry.size, limits.max_entry_bytes
                    ),
                ));
                continue;
            }
            if entry.size > (1 << 20) && entry.size / packed > limits.max_ratio {
                problems.push(Problem::error(
                    &here,
                    "zip-bomb",
                    format!(
                        "compression ratio {}:1 is over the limit of {}:1 (a zip bomb?)",
                        entry.size / packed,
                        limits.max_ratio
                    ),
                ));
                continue;
            }
            total = total.saturating_add(entry.size);
            match name.split_once('/') {
                Some((top, _)) if tops.len() < 10 || tops.contains(top) => {
                    tops.insert(top.to_owned());
                }
                Some(_) => {}
                None => loose = true,
            }
            let locator = Locator {
                offset: entry.offset,
                packed: entry.packed,
                crc: entry.crc,
                method: entry.method,
            };
            sorter.push(name, entry.size, locator.to_bytes())?;
        }
        let (table, repeated) = sorter.finish()?;
        for (name, count) in repeated {
            problems.push(Problem::error(
                format!("{display}:{name}"),
                "duplicate-entry",
                format!("the archive holds {count} entries of this name; which one a tool extracts is anyone's guess"),
            ));
        }
        // Names that differ only in case: sorted by their lower case, after the table (one sort
        // buffered at a time).
        let mut folded = ExternalSort::<(String, String)>::new(&scratch, crate::sort::BUDGET);
        for row in table.rows() {
            let name = row?.path;
            folded.push((name.to_lowercase(), name))?;
        }
        let mut previous: Option<(String, String)> = None;
        for item in folded.finish()? {
            let (lower, name) = item?;
            if let Some((other_lower, other)) = &previous
                && *other_lower == lower
                && *other != name
            {
                problems.push(Problem::warning(
                    format!("{display}:{name}"),
                    "case-collision",
                    format!("differs from `{other}` only in case: one overwrites the other when extracted on Windows or macOS"),
                ));
            }
            previous = Some((lower, name));
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
        if tops.len() != 1 || loose {
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
        // The same rows without the top folder (a common prefix keeps the order).
        let mut inside = TableWriter::new(&scratch);
        for row in table.rows() {
            let row = row?;
            let path = row.path[top.len() + 1..].to_owned();
            inside.push(path, row.size, row.extra)?;
        }
        Ok(Some(ZipSource {
            file,
            top,
            table: inside.finish()?,
        }))
    }

    pub fn top(&self) -> &str {
        &self.top
    }
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
    fn files(&self) -> &Table {
        &self.table
    }

    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        read_entry(&self.file, file, visit)
    }

    fn name_of(&self, path: &str) -> String {
        format!("{}/{path}", self.top)
    }

    fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
        let top = self.top.clone();
        Box::new(move |path| format!("{top}/{path}"))
    }
}

/// An open file read at a position of its own (`pread`), through a small buffer kept by file
/// offset. Clones share the file and nothing else, so several threads read one archive at once.
#[derive(Clone)]
pub struct At {
    file: Arc<std::fs::File>,
    pos: u64,
    /// Bytes of the file from offset `buf_at`.
    buf: Vec<u8>,
    buf_at: u64,
}

impl At {
    const BUFFER: usize = 64 * 1024;

    fn new_at(file: Arc<std::fs::File>, pos: u64) -> At {
        At {
            file,
            pos,
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

/// Inflate one entry through `visit`, never past the size its header declares, and check its
/// size and CRC-32 at the end.
fn read_entry(
    file: &Arc<std::fs::File>,
    row: &Row,
    visit: &mut dyn FnMut(&[u8]),
) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let at = Locator::from_bytes(&row.extra)?;
    let mut local = [0u8; 30];
    file.read_exact_at(&mut local, at.offset)?;
    if local[..4] != *b"PK\x03\x04" {
        return Err(invalid(
            "no local header where the central directory says".into(),
        ));
    }
    let data = at.offset + 30 + le16(&local, 26) + le16(&local, 28);
    // Each thread reuses one inflater and its buffers: entries are many and mostly small, and
    // allocating these for each one fragments the allocator's per-thread arenas.
    thread_local! {
        static INFLATER: std::cell::RefCell<Inflater> = std::cell::RefCell::new(Inflater::new());
    }
    INFLATER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut inflater) => inflater.entry(file, data, &at, row.size, visit),
        Err(_) => Inflater::new().entry(file, data, &at, row.size, visit),
    })
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

/// A raw-deflate decompressor with its input and output buffers.
struct Inflater {
    state: flate2::Decompress,
    input: Vec<u8>,
    output: Vec<u8>,
}

impl Inflater {
    fn new() -> Inflater {
        Inflater {
            state: flate2::Decompress::new(false),
            input: vec![0; 64 * 1024],
            output: vec![0; CHUNK],
        }
    }

    /// Stream the entry whose data starts at `data` through `visit`.
    fn entry(
        &mut self,
        file: &std::fs::File,
        data: u64,
        at: &Locator,
        declared: u64,
        visit: &mut dyn FnMut(&[u8]),
    ) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let mut crc = crc32fast::Hasher::new();
        let mut total = 0u64;
        let mut emit = |bytes: &[u8]| -> std::io::Result<()> {
            total += bytes.len() as u64;
            // Never trust the header: stop as soon as more comes than it declares.
            if total > declared {
                return Err(invalid(format!(
                    "inflates to more than the {declared} bytes its header declares"
                )));
            }
            crc.update(bytes);
            visit(bytes);
            Ok(())
        };
        let (mut pos, end) = (data, data + at.packed);
        if at.method == 0 {
            while pos < end {
                let want = self.output.len().min((end - pos) as usize);
                let n = file.read_at(&mut self.output[..want], pos)?;
                if n == 0 {
                    return Err(invalid("the archive ends inside this entry".into()));
                }
                pos += n as u64;
                emit(&self.output[..n])?;
            }
        } else {
            self.state.reset(false);
            let (mut start, mut filled) = (0usize, 0usize);
            loop {
                if start == filled && pos < end {
                    let want = self.input.len().min((end - pos) as usize);
                    filled = file.read_at(&mut self.input[..want], pos)?;
                    if filled == 0 {
                        return Err(invalid("the archive ends inside this entry".into()));
                    }
                    (start, pos) = (0, pos + filled as u64);
                }
                let (before_in, before_out) = (self.state.total_in(), self.state.total_out());
                let status = self
                    .state
                    .decompress(
                        &self.input[start..filled],
                        &mut self.output,
                        flate2::FlushDecompress::None,
                    )
                    .map_err(|e| invalid(format!("corrupt deflate stream: {e}")))?;
                let consumed = (self.state.total_in() - before_in) as usize;
                let produced = (self.state.total_out() - before_out) as usize;
                start += consumed;
                emit(&self.output[..produced])?;
                if status == flate2::Status::StreamEnd {
                    break;
                }
                // No progress: more input is needed, and there must be some.
                if consumed == 0 && produced == 0 && !(start == filled && pos < end) {
                    return Err(invalid("the deflate stream is cut short".into()));
                }
            }
        }
        if total < declared {
            return Err(invalid(format!(
                "inflates to {total} bytes, its header declares {declared}"
            )));
        }
        if crc.finalize() != at.crc {
            return Err(invalid(
                "the CRC-32 does not match: the entry is damaged".into(),
            ));
        }
        Ok(())
    }
}

/// A bag in a folder.
pub struct DirSource {
    root: PathBuf,
    table: Table,
}

impl DirSource {
    pub fn open(root: &Path, problems: &mut Vec<Problem>) -> Result<DirSource> {
        let mut files = TableSorter::new(&scratch());
        walk(root, "", &mut files, problems)?;
        let (table, _) = files.finish()?;
        Ok(DirSource {
            root: root.to_path_buf(),
            table,
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
    files: &mut TableSorter,
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
            files.push(rel, child.metadata()?.len(), Vec::new())?;
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
    fn files(&self) -> &Table {
        &self.table
    }

    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        read_file(&self.root, &file.path, visit)
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
    table: Table,
    data: BTreeMap<String, Vec<u8>>,
}

impl MemSource {
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> MemSource {
        let data: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let mut table = TableWriter::new(&scratch());
        for (path, bytes) in &data {
            table
                .push(path.clone(), bytes.len() as u64, Vec::new())
                .expect("a table in memory");
        }
        MemSource {
            table: table.finish().expect("a table in memory"),
            data,
        }
    }
}

impl BagSource for MemSource {
    fn files(&self) -> &Table {
        &self.table
    }

    fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let bytes = self
            .data
            .get(&file.path)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Bytes that deflate to several input buffers' worth: text with a pseudo-random tail.
    fn sample(len: usize) -> Vec<u8> {
        let mut x = 7u64;
        (0..len)
            .map(|i| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                if i % 3 == 0 {
                    (x >> 56) as u8
                } else {
                    b'a' + (i % 26) as u8
                }
            })
            .collect()
    }

    fn write(path: &Path, entries: &[(&str, &[u8], zip::CompressionMethod)]) {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, data, method) in entries {
            let options = zip::write::SimpleFileOptions::default().compression_method(*method);
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }

    fn read_all(source: &ZipSource, path: &str) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        source.read(path, &mut |chunk| out.extend_from_slice(chunk))?;
        Ok(out)
    }

    #[test]
    fn stored_and_deflated_entries_read_back_whole_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("a.zip");
        let (big, small) = (sample(700_000), b"tiny\n".to_vec());
        use zip::CompressionMethod::{Deflated, Stored};
        write(
            &zip,
            &[
                ("bag/data/big.bin", &big, Deflated),
                ("bag/data/stored.bin", &big, Stored),
                ("bag/small.txt", &small, Deflated),
                ("bag/empty.txt", b"", Stored),
            ],
        );
        let mut problems = Vec::new();
        let source = ZipSource::open(&zip, &ZipLimits::default(), &mut problems)
            .unwrap()
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(source.top(), "bag");
        let paths: Vec<String> = source.files().rows().map(|r| r.unwrap().path).collect();
        assert_eq!(
            paths,
            ["data/big.bin", "data/stored.bin", "empty.txt", "small.txt"]
        );
        assert_eq!(read_all(&source, "data/big.bin").unwrap(), big);
        assert_eq!(read_all(&source, "data/stored.bin").unwrap(), big);
        assert_eq!(read_all(&source, "small.txt").unwrap(), small);
        assert_eq!(read_all(&source, "empty.txt").unwrap(), b"");

        // One byte changed inside each big entry's data: a deflate error or a CRC mismatch.
        let mut bytes = std::fs::read(&zip).unwrap();
        for path in ["data/big.bin", "data/stored.bin"] {
            let at = Locator::from_bytes(&source.files().get(path).unwrap().unwrap().extra)
                .unwrap()
                .offset as usize;
            bytes[at + 30 + format!("bag/{path}").len() + 5000] ^= 0x10;
        }
        let damaged = dir.path().join("damaged.zip");
        std::fs::write(&damaged, &bytes).unwrap();
        let source = ZipSource::open(&damaged, &ZipLimits::default(), &mut problems)
            .unwrap()
            .unwrap();
        for path in ["data/big.bin", "data/stored.bin"] {
            let error = read_all(&source, path).unwrap_err();
            assert_eq!(
                error.kind(),
                std::io::ErrorKind::InvalidData,
                "{path}: {error}"
            );
        }
        assert_eq!(read_all(&source, "small.txt").unwrap(), small);
    }

    #[test]
    fn entries_listed_twice_or_differing_in_case_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("a.zip");
        let mut bytes = Vec::new();
        {
            let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
            let options = zip::write::SimpleFileOptions::default();
            for name in ["bag/a.txt", "bag/A.txt", "bag/b.txt", "bag/c.txt"] {
                writer.start_file(name, options).unwrap();
                writer.write_all(name.as_bytes()).unwrap();
            }
            writer.finish().unwrap();
        }
        // Rename `c.txt` to `b.txt` in both headers: the zip crate refuses to write a duplicate.
        let mut fixed = bytes.clone();
        for i in 0..fixed.len() - 9 {
            if &fixed[i..i + 9] == b"bag/c.txt" {
                fixed[i + 4] = b'b';
            }
        }
        std::fs::write(&zip, fixed).unwrap();
        let mut problems = Vec::new();
        ZipSource::open(&zip, &ZipLimits::default(), &mut problems).unwrap();
        let codes: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.code, p.path.rsplit(':').next().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                ("duplicate-entry", "bag/b.txt"),
                ("case-collision", "bag/a.txt")
            ]
        );
    }
}
