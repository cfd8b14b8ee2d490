//! Reading: one interpretation of a zip, or a refusal.
//!
//! Extractors disagree on archives that say two things at once: `unzip` and Python's `zipfile`
//! read the central directory, `bsdtar` reading from a pipe reads only the local headers, and
//! each has its own view of names, modes, extra fields and what lies between entries. An archive
//! is accepted here only when there is nothing to disagree on:
//!
//! - exactly one end record, at the very end (a comment may follow it, holding no zip
//!   signature), a zip64 end record and locator only where they are needed or agree with it,
//!   nothing before the first entry, and an entry count that is the number of entries present;
//! - the entries tile the file from offset 0 in central-directory order, each local header
//!   followed by its data (and data descriptor), with no gap, no overlap and no local header
//!   that no central entry points at;
//! - each local header agrees with its central entry on everything that decides what an
//!   extractor writes: name, flags, method, CRC-32 and sizes (or a data descriptor that agrees),
//!   and name-bearing extra fields; extra fields other than zip64, timestamps and Unix owners are
//!   refused (extractors take names, modes and link targets from some of them);
//! - names are UTF-8 (flagged, or ASCII), portable ([`RelPath::portable`]), and no two are equal
//!   once case and Unicode normalization are folded, nor a file and a folder;
//! - regular files and empty directories only, by the Unix mode of any "made by" host, the DOS
//!   attributes, and the trailing slash, which must all agree;
//! - stored or deflated, not encrypted; sizes and ratios within [`Limits`]; a deflate stream
//!   that ends exactly where the entry's data does, and a CRC-32 and size that match.
//!
//! Every refusal is a [`ZipProblem`] with a stable code and the entry it is about. Memory does
//! not grow with the number of entries: the central directory is streamed, local headers are read
//! as it goes, and names are checked for collisions by an external sort.

use super::{
    CENTRAL_HEADER, DATA_DESCRIPTOR, END_RECORD, LOCAL_HEADER, ZIP64_END_RECORD, ZIP64_LOCATOR,
};
use crate::path::{self, RelPath};
use crate::sort::ExternalSort;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Limits applied to an archive before its content is read.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest uncompressed size of one entry.
    pub max_entry_bytes: u64,
    /// The largest uncompressed size of all entries together.
    pub max_total_bytes: u64,
    /// The largest ratio of uncompressed to compressed size, for entries over 1 MiB and for the
    /// archive as a whole.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 16 << 30,
            max_total_bytes: 256 << 30,
            max_ratio: 1000,
        }
    }
}

/// Why an archive (or one of its entries) cannot be read one way only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipProblem {
    /// Stable, kebab-case.
    pub code: &'static str,
    /// The entry's name, when the problem is about one.
    pub entry: Option<String>,
    pub message: String,
}

impl ZipProblem {
    fn archive(code: &'static str, message: impl Into<String>) -> ZipProblem {
        ZipProblem {
            code,
            entry: None,
            message: message.into(),
        }
    }

    fn entry(code: &'static str, name: &str, message: impl Into<String>) -> ZipProblem {
        ZipProblem {
            code,
            entry: Some(name.to_owned()),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ZipProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.entry {
            Some(entry) => write!(f, "[{}] {entry}: {}", self.code, self.message),
            None => write!(f, "[{}] {}", self.code, self.message),
        }
    }
}

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Directory,
}

/// One entry, every check passed: where its data lies and what it must inflate to.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The name, without the trailing slash of a directory.
    pub path: RelPath,
    pub kind: Kind,
    pub data: Data,
}

/// Where an entry's data lies and what it must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Data {
    pub offset: u64,
    pub packed: u64,
    pub size: u64,
    pub crc32: u32,
    pub method: u16,
    /// Stored, with a data descriptor: a streaming extractor finds the entry's end by looking for
    /// the descriptor's signature, so the data must not hold one.
    pub stored_with_descriptor: bool,
}

impl Data {
    /// 31 bytes, for keeping in a table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(31);
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.packed.to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&self.crc32.to_le_bytes());
        out.extend_from_slice(&self.method.to_le_bytes());
        out.push(u8::from(self.stored_with_descriptor));
        out
    }

    pub fn from_bytes(b: &[u8]) -> io::Result<Data> {
        if b.len() != 31 {
            return Err(io::Error::other("a zip entry's locator is damaged"));
        }
        Ok(Data {
            offset: le64(b, 0),
            packed: le64(b, 8),
            size: le64(b, 16),
            crc32: le32(b, 24) as u32,
            method: le16(b, 28) as u16,
            stored_with_descriptor: b[30] != 0,
        })
    }
}

pub(crate) fn le16(b: &[u8], i: usize) -> u64 {
    u64::from(u16::from_le_bytes([b[i], b[i + 1]]))
}

pub(crate) fn le32(b: &[u8], i: usize) -> u64 {
    u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]))
}

pub(crate) fn le64(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

const MAX16: u64 = 0xFFFF;
const MAX32: u64 = 0xFFFF_FFFF;

/// The end records, checked: where the central directory is and how many entries it holds.
#[derive(Clone, Copy, Debug)]
pub struct Directory {
    pub len: u64,
    pub count: u64,
    pub offset: u64,
    pub size: u64,
}

/// Every zip signature: none may hide in the archive comment, where a reader scanning for the
/// end record from the end would take it for one.
const SIGNATURES: [[u8; 4]; 6] = [
    LOCAL_HEADER,
    CENTRAL_HEADER,
    END_RECORD,
    ZIP64_END_RECORD,
    ZIP64_LOCATOR,
    DATA_DESCRIPTOR,
];

/// Read and check the end records of `file`.
pub fn directory(file: &File) -> Result<Directory, ZipProblem> {
    let io = |e: io::Error| ZipProblem::archive("not-a-zip", format!("cannot be read: {e}"));
    let len = file.metadata().map_err(io)?.len();
    let tail_len = len.min(65_535 + 22);
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact_at(&mut tail, len - tail_len).map_err(io)?;
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == END_RECORD)
        .ok_or_else(|| {
            ZipProblem::archive(
                "not-a-zip",
                "no end-of-central-directory record (truncated or damaged download?)",
            )
        })?;
    let end = &tail[at..];
    let eocd = len - tail_len + at as u64;
    let comment = le16(end, 20);
    // Another complete end record: one that also reaches the end of the file (ours is inside
    // its comment), or one that ends where ours begins (two in a row). Readers that look for the
    // first, or parse the comment, read another archive.
    let other = (0..at.saturating_sub(21))
        .rev()
        .filter(|&i| tail[i..i + 4] == END_RECORD)
        .find(|&i| {
            let reach = i + 22 + le16(&tail, i + 20) as usize;
            reach == tail.len() || reach == at
        });
    if let Some(i) = other {
        return Err(ZipProblem::archive(
            "zip-end-record",
            format!(
                "two end records (at bytes {} and {eocd}): readers disagree on which one is the archive's",
                len - tail_len + i as u64
            ),
        ));
    }
    if eocd + 22 + comment != len {
        return Err(ZipProblem::archive(
            "zip-end-record",
            format!(
                "the end record at byte {eocd} with a {comment}-byte comment ends at byte {}, \
                 but the file has {len} bytes: bytes after the archive, or a second end record",
                eocd + 22 + comment
            ),
        ));
    }
    let comment_bytes = &end[22..];
    if SIGNATURES
        .iter()
        .any(|sig| comment_bytes.windows(4).any(|w| w == sig))
    {
        return Err(ZipProblem::archive(
            "zip-end-record",
            "the archive comment holds a zip signature: readers that look for records from the \
             end would read another archive",
        ));
    }
    let (disk, cd_disk) = (le16(end, 4), le16(end, 6));
    let (on_disk, count16) = (le16(end, 8), le16(end, 10));
    let (size32, offset32) = (le32(end, 12), le32(end, 16));
    if disk != 0 || cd_disk != 0 || on_disk != count16 {
        return Err(ZipProblem::archive(
            "zip-end-record",
            "the end record describes a multi-disk (split) archive",
        ));
    }
    let saturated = count16 == MAX16 || size32 == MAX32 || offset32 == MAX32;
    let mut word = [0u8; 4];
    let locator_at = eocd.checked_sub(20);
    let has_locator = match locator_at {
        Some(at) => {
            file.read_exact_at(&mut word, at).map_err(io)?;
            word == ZIP64_LOCATOR
        }
        None => false,
    };
    let (count, size, offset, records_at) = if has_locator {
        let at = locator_at.expect("a locator");
        let mut locator = [0u8; 20];
        file.read_exact_at(&mut locator, at).map_err(io)?;
        let record_at = le64(&locator, 8);
        if le32(&locator, 4) != 0 || le32(&locator, 16) != 1 {
            return Err(ZipProblem::archive(
                "zip64-mismatch",
                "the zip64 locator describes a multi-disk archive",
            ));
        }
        let mut record = [0u8; 56];
        if record_at.checked_add(56).is_none_or(|e| e > at) {
            return Err(ZipProblem::archive(
                "zip64-mismatch",
                format!(
                    "the zip64 locator points at byte {record_at}, not at a zip64 end record before it"
                ),
            ));
        }
        file.read_exact_at(&mut record, record_at).map_err(io)?;
        if record[..4] != ZIP64_END_RECORD || record_at + 12 + le64(&record, 4) != at {
            return Err(ZipProblem::archive(
                "zip64-mismatch",
                "the zip64 locator does not point at a zip64 end record that ends where the locator begins",
            ));
        }
        let (disk64, cd_disk64) = (le32(&record, 16), le32(&record, 20));
        let (on_disk64, count64) = (le64(&record, 24), le64(&record, 32));
        let (size64, offset64) = (le64(&record, 40), le64(&record, 48));
        if disk64 != 0 || cd_disk64 != 0 || on_disk64 != count64 {
            return Err(ZipProblem::archive(
                "zip64-mismatch",
                "the zip64 end record describes a multi-disk archive",
            ));
        }
        for (what, classic, max, wide) in [
            ("entry count", count16, MAX16, count64),
            ("central directory size", size32, MAX32, size64),
            ("central directory offset", offset32, MAX32, offset64),
        ] {
            if classic != max && classic != wide {
                return Err(ZipProblem::archive(
                    "zip64-mismatch",
                    format!("the end record gives {what} {classic}, the zip64 end record {wide}"),
                ));
            }
        }
        (count64, size64, offset64, record_at)
    } else if saturated {
        return Err(ZipProblem::archive(
            "zip64-mismatch",
            "the end record defers to a zip64 end record, and there is none",
        ));
    } else {
        (count16, size32, offset32, eocd)
    };
    if offset.checked_add(size).is_some_and(|e| e < records_at) {
        let shift = records_at - offset - size;
        return Err(ZipProblem::archive(
            "zip-prefix",
            format!(
                "the central directory ends {shift} bytes before the end records begin: {shift} \
                 bytes before the archive (a self-extracting stub or a prepended file), or \
                 bytes between the central directory and the end records; not part of a release"
            ),
        ));
    }
    if offset.checked_add(size) != Some(records_at) {
        return Err(ZipProblem::archive(
            "zip-central-directory",
            format!(
                "the central directory ({size} bytes at byte {offset}) does not end where the end \
                 records begin (byte {records_at})"
            ),
        ));
    }
    if count > size / 46 {
        return Err(ZipProblem::archive(
            "zip-entry-count",
            format!(
                "the end record says {count} entries; a central directory of {size} bytes cannot hold them"
            ),
        ));
    }
    Ok(Directory {
        len,
        count,
        offset,
        size,
    })
}

/// What the central directory says of one entry.
struct Central {
    /// Bytes of the central directory this record takes.
    len: u64,
    made_by: u16,
    needed: u16,
    flags: u16,
    method: u16,
    crc: u32,
    packed: u64,
    size: u64,
    disk: u64,
    offset: u64,
    external: u32,
    name: Vec<u8>,
    extra: Vec<u8>,
}

/// Flags an entry may carry: deflate options (bits 1, 2), a data descriptor (3), UTF-8 (11).
const ALLOWED_FLAGS: u16 = 0b0000_1000_0000_1110;
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_UTF8: u16 = 1 << 11;

/// Extra fields that carry nothing an extractor writes a different file from.
const HARMLESS_EXTRAS: [u16; 8] = [
    0x000a, // NTFS times
    0x5455, // extended timestamp ("UT")
    0x5855, // Info-ZIP Unix, old (times, owner)
    0x7855, // Info-ZIP Unix owner ("Ux")
    0x7875, // Info-ZIP Unix owner, new ("ux")
    0xcafe, // JAR marker (empty)
    0xd935, // Android zipalign padding
    0x0001, // zip64 (checked on its own)
];
const ZIP64_EXTRA: u16 = 0x0001;
const UNICODE_PATH_EXTRA: u16 = 0x7075;

/// Parse an extra field area into (id, body) pairs, each once; `Err` names what is wrong.
fn extras(area: &[u8]) -> Result<Vec<(u16, &[u8])>, String> {
    let mut out: Vec<(u16, &[u8])> = Vec::new();
    let mut at = 0usize;
    while at < area.len() {
        if at + 4 > area.len() {
            return Err("the extra field area ends inside a field header".into());
        }
        let id = le16(area, at) as u16;
        let len = le16(area, at + 2) as usize;
        let body = area
            .get(at + 4..at + 4 + len)
            .ok_or("an extra field is longer than the extra field area")?;
        if out.iter().any(|(other, _)| *other == id) {
            return Err(format!("extra field 0x{id:04x} appears twice"));
        }
        out.push((id, body));
        at += 4 + len;
    }
    Ok(out)
}

/// The values of a zip64 extra field, for the header values that defer to it (`0xFFFFFFFF`), in
/// APPNOTE's order; the field must hold exactly those.
fn zip64_values(body: Option<&[u8]>, deferred: &mut [&mut u64]) -> Result<(), String> {
    let wanted = deferred.iter().filter(|v| ***v == MAX32).count();
    let Some(body) = body else {
        return if wanted == 0 {
            Ok(())
        } else {
            Err("a size or offset defers to a zip64 extra field that is missing".into())
        };
    };
    if body.len() != wanted * 8 {
        return Err(format!(
            "the zip64 extra field holds {} bytes, the header defers {wanted} value(s) to it",
            body.len()
        ));
    }
    let mut values = body.chunks_exact(8).map(|c| le64(c, 0));
    for value in deferred.iter_mut() {
        if **value == MAX32 {
            **value = values.next().expect("counted");
        }
    }
    Ok(())
}

/// The name-bearing and unknown extra fields, checked against the header's `name`.
fn check_extras(fields: &[(u16, &[u8])], name: &[u8]) -> Result<(), (&'static str, String)> {
    for (id, body) in fields {
        if *id == UNICODE_PATH_EXTRA {
            // Version 1, the CRC-32 of the header name, the name in UTF-8: extractors that read
            // it take this name instead of the header's. It must be the same name.
            let same = body.len() >= 5
                && body[0] == 1
                && le32(body, 1) as u32 == crc32fast::hash(name)
                && &body[5..] == name;
            if !same {
                return Err((
                    "unicode-path-mismatch",
                    format!(
                        "its Info-ZIP Unicode Path field (0x7075) names `{}`, not the name in its header",
                        String::from_utf8_lossy(body.get(5..).unwrap_or_default())
                    ),
                ));
            }
        } else if !HARMLESS_EXTRAS.contains(id) {
            return Err((
                "zip-extra-field",
                format!(
                    "extra field 0x{id:04x} is not one known to be harmless (extractors take \
                     names, modes or link targets from some of them)"
                ),
            ));
        }
    }
    Ok(())
}

fn read_central(directory: &mut impl Read) -> io::Result<Option<Central>> {
    let mut h = [0u8; 46];
    match directory.read_exact(&mut h) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    if h[..4] != CENTRAL_HEADER {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a central directory header is damaged",
        ));
    }
    let (name_len, extra_len, comment_len) = (le16(&h, 28), le16(&h, 30), le16(&h, 32));
    let mut name = vec![0u8; name_len as usize];
    directory.read_exact(&mut name)?;
    let mut extra = vec![0u8; extra_len as usize];
    directory.read_exact(&mut extra)?;
    let comment = io::copy(&mut directory.take(comment_len), &mut io::sink())?;
    if comment != comment_len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(Central {
        len: 46 + name_len + extra_len + comment_len,
        made_by: le16(&h, 4) as u16,
        needed: le16(&h, 6) as u16,
        flags: le16(&h, 8) as u16,
        method: le16(&h, 10) as u16,
        crc: le32(&h, 16) as u32,
        packed: le32(&h, 20),
        size: le32(&h, 24),
        disk: le16(&h, 34),
        offset: le32(&h, 42),
        external: le32(&h, 38) as u32,
        name,
        extra,
    }))
}

const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;
const DOS_DIRECTORY: u32 = 0x10;
const DOS_VOLUME: u32 = 0x08;

/// What the attributes make of an entry, whatever the "made by" host: extractors read Unix modes
/// from the high 16 bits under many hosts (p7zip writes them under MS-DOS), so they are read
/// under all of them.
fn kind_of(central: &Central, slash: bool) -> Result<Kind, (&'static str, String)> {
    let mode = central.external >> 16;
    let dos = central.external & 0xFF;
    let kind = mode & S_IFMT;
    if kind != 0 && kind != S_IFREG && kind != S_IFDIR {
        let what = if kind == S_IFLNK {
            "a symbolic link"
        } else {
            "a special file (device, pipe or socket)"
        };
        return Err((
            "special-entry",
            format!(
                "its mode 0o{mode:o} (made by host {}) makes it {what}; a bag holds regular files only",
                central.made_by >> 8
            ),
        ));
    }
    if mode & 0o7000 != 0 {
        return Err((
            "special-entry",
            format!("its mode 0o{mode:o} sets the setuid, setgid or sticky bit"),
        ));
    }
    if dos & DOS_VOLUME != 0 {
        return Err((
            "special-entry",
            "its DOS attributes make it a volume label".into(),
        ));
    }
    let dir_mode = kind == S_IFDIR || dos & DOS_DIRECTORY != 0;
    match (slash, dir_mode, kind == S_IFREG) {
        (false, true, _) => Err((
            "directory-entry",
            "its attributes make it a directory, but its name has no trailing slash".into(),
        )),
        (true, _, true) => Err((
            "directory-entry",
            "its name ends with a slash, but its mode makes it a regular file".into(),
        )),
        (true, _, _) => Ok(Kind::Directory),
        (false, false, _) => Ok(Kind::File),
    }
}

/// Walk every entry of the archive `file`, whose end records are `dir`: each sound entry goes to
/// `each`, each problem to `problems`. Stops early only when the archive's structure is lost (a
/// central directory that cannot be parsed).
pub fn walk(
    file: &File,
    dir: &Directory,
    limits: &Limits,
    problems: &mut Vec<ZipProblem>,
    each: &mut dyn FnMut(Entry) -> io::Result<()>,
) -> io::Result<()> {
    let mut directory =
        io::BufReader::with_capacity(256 * 1024, At::new(file, dir.offset).take(dir.size));
    let mut next = 0u64; // where the next entry must start: entries tile the file
    let mut total = 0u64;
    let mut index = 0u64;
    let mut consumed = 0u64;
    loop {
        let central = match read_central(&mut directory) {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                problems.push(ZipProblem::archive(
                    "zip-central-directory",
                    format!("entry {index}: {e}"),
                ));
                return Ok(());
            }
        };
        consumed += central.len;
        if index == dir.count {
            problems.push(ZipProblem::archive(
                "zip-entry-count",
                format!(
                    "the end record says {} entries; the central directory holds more",
                    dir.count
                ),
            ));
            return Ok(());
        }
        index += 1;
        match entry(file, dir, &central, limits, &mut next) {
            Ok(entry) => {
                if entry.kind == Kind::File {
                    total = total.saturating_add(entry.data.size);
                }
                each(entry)?;
            }
            Err(problem) => {
                problems.push(problem);
                if next == u64::MAX {
                    // Where entries lie is no longer known: tiling errors would only repeat.
                    return Ok(());
                }
            }
        }
    }
    if index == dir.count && consumed != dir.size {
        problems.push(ZipProblem::archive(
            "zip-central-directory",
            format!(
                "{} bytes of the central directory follow its last entry",
                dir.size - consumed
            ),
        ));
    } else if index != dir.count {
        problems.push(ZipProblem::archive(
            "zip-entry-count",
            format!(
                "the end record says {} entries; the central directory holds {index}",
                dir.count
            ),
        ));
    } else if next != dir.offset {
        problems.push(ZipProblem::archive(
            "zip-gap",
            format!(
                "the last entry ends at byte {next}, the central directory begins at byte {}: \
                 bytes that belong to no entry",
                dir.offset
            ),
        ));
    }
    if total > limits.max_total_bytes {
        problems.push(ZipProblem::archive(
            "archive-too-large",
            format!(
                "{total} bytes uncompressed in all, over the limit of {} bytes (a zip bomb?)",
                limits.max_total_bytes
            ),
        ));
    } else if total > 1 << 20 && total / dir.len.max(1) > limits.max_ratio {
        problems.push(ZipProblem::archive(
            "zip-bomb",
            format!(
                "{total} bytes uncompressed from a {}-byte archive: over {}:1 (a zip bomb?)",
                dir.len, limits.max_ratio
            ),
        ));
    }
    Ok(())
}

/// Check one central entry and its local header; `next` is where it must start, and becomes
/// where the next one must (`u64::MAX` when that can no longer be known).
fn entry(
    file: &File,
    dir: &Directory,
    central: &Central,
    limits: &Limits,
    next: &mut u64,
) -> Result<Entry, ZipProblem> {
    let shown = String::from_utf8_lossy(&central.name).into_owned();
    let fail = |code: &'static str, message: String| ZipProblem::entry(code, &shown, message);
    let lost = |next: &mut u64, code: &'static str, message: String| {
        *next = u64::MAX;
        ZipProblem::entry(code, &shown, message)
    };

    // First where the entry lies, so that the next one can be checked whatever this one's
    // other problems: its sizes and offset (zip64 where the header defers to it), ...
    let fields = extras(&central.extra).map_err(|m| lost(next, "zip-extra-field", m))?;
    let (mut size, mut packed, mut offset) = (central.size, central.packed, central.offset);
    let zip64 = fields
        .iter()
        .find(|(id, _)| *id == ZIP64_EXTRA)
        .map(|f| f.1);
    zip64_values(zip64, &mut [&mut size, &mut packed, &mut offset])
        .map_err(|m| lost(next, "zip64-mismatch", m))?;
    if central.disk != 0 {
        return Err(lost(
            next,
            "zip-end-record",
            "the entry starts on another disk of a split archive".into(),
        ));
    }
    // ... exactly where the previous entry ended, ...
    if offset != *next {
        let (code, message) = if *next == 0 {
            (
                "zip-prefix",
                format!(
                    "the first entry starts at byte {offset}: bytes before it (a self-extracting \
                     stub or a prepended file) are not part of a release"
                ),
            )
        } else if offset < *next {
            (
                "zip-overlap",
                format!(
                    "starts at byte {offset}, inside the entry before it (which ends at byte {}): \
                     two entries share data",
                    *next
                ),
            )
        } else {
            (
                "zip-gap",
                format!(
                    "starts at byte {offset}, but the entry before it ends at byte {}: bytes \
                     between entries (a hidden local header?)",
                    *next
                ),
            )
        };
        return Err(lost(next, code, message));
    }
    // ... its local header, its data and its data descriptor.
    let io = |e: std::io::Error| format!("its local header cannot be read: {e}");
    if offset + 30 > dir.offset {
        return Err(lost(
            next,
            "local-header-mismatch",
            "no room for a local header before the central directory".into(),
        ));
    }
    let mut local = [0u8; 30];
    file.read_exact_at(&mut local, offset)
        .map_err(|e| lost(next, "local-header-mismatch", io(e)))?;
    if local[..4] != LOCAL_HEADER {
        return Err(lost(
            next,
            "local-header-mismatch",
            format!("no local header at byte {offset}, where the central directory says it is"),
        ));
    }
    let (name_len, extra_len) = (le16(&local, 26), le16(&local, 28));
    let data = offset + 30 + name_len + extra_len;
    if data > dir.offset {
        return Err(lost(
            next,
            "local-header-mismatch",
            "its local header runs into the central directory".into(),
        ));
    }
    let mut rest = vec![0u8; (name_len + extra_len) as usize];
    file.read_exact_at(&mut rest, offset + 30)
        .map_err(|e| lost(next, "local-header-mismatch", io(e)))?;
    let (local_name, local_extra) = rest.split_at(name_len as usize);
    let local_fields =
        extras(local_extra).map_err(|m| lost(next, "zip-extra-field", format!("local: {m}")))?;
    let local_zip64 = local_fields
        .iter()
        .find(|(id, _)| *id == ZIP64_EXTRA)
        .map(|f| f.1);
    let Some(end) = data.checked_add(packed).filter(|&e| e <= dir.offset) else {
        return Err(lost(
            next,
            "local-header-mismatch",
            "its data runs into the central directory".into(),
        ));
    };
    *next = end;
    let descriptor = central.flags & FLAG_DESCRIPTOR != 0;
    if descriptor {
        let wide = local_zip64.is_some() || packed >= MAX32 || size >= MAX32;
        let len = if wide { 24 } else { 16 };
        if end + len > dir.offset {
            return Err(lost(
                next,
                "data-descriptor-mismatch",
                "no room for its data descriptor before the central directory".into(),
            ));
        }
        let mut d = vec![0u8; len as usize];
        file.read_exact_at(&mut d, end)
            .map_err(|e| lost(next, "data-descriptor-mismatch", e.to_string()))?;
        *next = end + len;
        if d[..4] != DATA_DESCRIPTOR {
            return Err(fail(
                "data-descriptor-mismatch",
                "its data descriptor has no signature: readers disagree on where it ends".into(),
            ));
        }
        let values = if wide {
            (le32(&d, 4) as u32, le64(&d, 8), le64(&d, 16))
        } else {
            (le32(&d, 4) as u32, le32(&d, 8), le32(&d, 12))
        };
        if values != (central.crc, packed, size) {
            return Err(fail(
                "data-descriptor-mismatch",
                format!(
                    "the data descriptor says CRC-32 {:08x}, {} bytes packed, {} bytes; the \
                     central directory {:08x}, {packed}, {size}",
                    values.0, values.1, values.2, central.crc
                ),
            ));
        }
    }

    // The local header says what the central directory says.
    let mismatch = |what: String| fail("local-header-mismatch", what);
    if local_name != central.name.as_slice() {
        return Err(mismatch(format!(
            "the local header names it `{}`",
            String::from_utf8_lossy(local_name)
        )));
    }
    let local_flags = le16(&local, 6) as u16;
    if local_flags != central.flags {
        return Err(mismatch(format!(
            "flags 0x{local_flags:04x} in the local header, 0x{:04x} in the central directory",
            central.flags
        )));
    }
    let local_method = le16(&local, 8) as u16;
    if local_method != central.method {
        return Err(mismatch(format!(
            "method {local_method} in the local header, {} in the central directory",
            central.method
        )));
    }
    let (local_crc, mut local_packed, mut local_size) =
        (le32(&local, 14) as u32, le32(&local, 18), le32(&local, 22));
    // In a local header, zip64 holds both sizes when either defers to it.
    if local_packed == MAX32 || local_size == MAX32 {
        let Some(body) = local_zip64.filter(|b| b.len() == 16) else {
            return Err(fail(
                "zip64-mismatch",
                "a local size defers to a zip64 extra field that does not hold both sizes".into(),
            ));
        };
        (local_size, local_packed) = (le64(body, 0), le64(body, 8));
    } else if local_zip64.is_some_and(|b| !b.is_empty()) {
        return Err(fail(
            "zip64-mismatch",
            "the local zip64 extra field holds sizes the local header does not defer to it".into(),
        ));
    }
    let local_agrees = (local_crc, local_packed, local_size) == (central.crc, packed, size);
    let local_deferred = descriptor && (local_crc, local_packed, local_size) == (0, 0, 0);
    if !local_agrees && !local_deferred {
        return Err(mismatch(format!(
            "CRC-32 {local_crc:08x}, {local_packed} bytes packed, {local_size} bytes in the \
             local header; {:08x}, {packed}, {size} in the central directory",
            central.crc
        )));
    }
    check_extras(&fields, &central.name).map_err(|(code, m)| fail(code, m))?;
    check_extras(&local_fields, &central.name)
        .map_err(|(code, m)| fail(code, format!("local header: {m}")))?;

    // The name: UTF-8, flagged as such unless ASCII, and portable.
    if !central.name.is_ascii() && central.flags & FLAG_UTF8 == 0 {
        return Err(fail(
            "name-encoding",
            "a non-ASCII name without the UTF-8 flag (bit 11): extractors decode it as CP437, \
             the system's code page or UTF-8, each to another name"
                .into(),
        ));
    }
    let Ok(name) = std::str::from_utf8(&central.name) else {
        return Err(fail(
            "name-encoding",
            "flagged UTF-8, but the name is not valid UTF-8".into(),
        ));
    };
    let slash = name.ends_with('/');
    let path = RelPath::portable(name.strip_suffix('/').unwrap_or(name))
        .map_err(|e| fail("unsafe-path", format!("the name has {}", e.reason)))?;

    // Flags, method, version, attributes.
    let local_needed = le16(&local, 4) as u16;
    if central.needed.max(local_needed) > 45 {
        return Err(fail(
            "zip-version",
            format!(
                "it needs version {} of the format to extract; extractors stop at 4.5 or 4.6",
                f64::from(central.needed.max(local_needed)) / 10.0
            ),
        ));
    }
    if central.flags & (1 | 1 << 6 | 1 << 13) != 0 {
        return Err(fail(
            "encrypted-entry",
            "encrypted entries cannot be verified".into(),
        ));
    }
    if central.flags & !ALLOWED_FLAGS != 0 {
        return Err(fail(
            "zip-flags",
            format!(
                "general-purpose flags 0x{:04x} hold bits whose meaning extractors disagree on",
                central.flags
            ),
        ));
    }
    if !matches!(central.method, 0 | 8) {
        return Err(fail(
            "unsupported-compression",
            format!(
                "compression method {} is not supported (only stored and deflate)",
                central.method
            ),
        ));
    }
    if central.method == 0 && packed != size {
        return Err(fail(
            "local-header-mismatch",
            format!("stored, yet {packed} bytes packed and {size} bytes unpacked"),
        ));
    }
    let kind = kind_of(central, slash).map_err(|(code, message)| fail(code, message))?;

    // Limits, and what a directory may be.
    match kind {
        Kind::Directory => {
            if size != 0 || packed > 2 || central.crc != 0 {
                return Err(fail(
                    "directory-entry",
                    format!("a directory entry with data ({packed} bytes packed, {size} unpacked)"),
                ));
            }
        }
        Kind::File => {
            if size > limits.max_entry_bytes {
                return Err(fail(
                    "entry-too-large",
                    format!(
                        "{size} bytes uncompressed, over the limit of {} bytes",
                        limits.max_entry_bytes
                    ),
                ));
            }
            if size > 1 << 20 && size / packed.max(1) > limits.max_ratio {
                return Err(fail(
                    "zip-bomb",
                    format!(
                        "compression ratio {}:1 is over the limit of {}:1 (a zip bomb?)",
                        size / packed.max(1),
                        limits.max_ratio
                    ),
                ));
            }
        }
    }
    Ok(Entry {
        path,
        kind,
        data: Data {
            offset: data,
            packed,
            size,
            crc32: central.crc,
            method: central.method,
            stored_with_descriptor: descriptor && central.method == 0,
        },
    })
}

/// Names checked against each other, in constant memory: no name twice, no two equal once case
/// and Unicode normalization are folded (Windows and macOS would make them one file), and no
/// name both a file and a folder (`a` and `a/b`, `a` and `a/`).
pub struct Names {
    sort: ExternalSort<(String, u64, String)>,
    /// The folder of the last name given, whose parents are all in already.
    last_parent: String,
}

const DIR: u64 = 0;
const FILE: u64 = 1;

impl Names {
    pub fn new(scratch: &Path) -> Names {
        Names {
            sort: ExternalSort::new(scratch, crate::sort::BUDGET),
            last_parent: String::new(),
        }
    }

    pub fn push(&mut self, path: &RelPath, kind: Kind) -> io::Result<()> {
        let name = path.as_str();
        let tag = if kind == Kind::File { FILE } else { DIR };
        self.sort.push((path.folded(), tag, name.to_owned()))?;
        // Every folder the name implies, once per run of names in the same folder.
        let parent = name.rsplit_once('/').map_or("", |(p, _)| p);
        if parent != self.last_parent {
            let mut at = 0;
            while let Some(i) = parent[at..].find('/') {
                let folder = &parent[..at + i];
                self.sort
                    .push((path::fold(folder), DIR, folder.to_owned()))?;
                at += i + 1;
            }
            if !parent.is_empty() {
                self.sort
                    .push((path::fold(parent), DIR, parent.to_owned()))?;
            }
            self.last_parent = parent.to_owned();
        }
        Ok(())
    }

    /// The collisions found.
    pub fn finish(self) -> io::Result<Vec<ZipProblem>> {
        let mut problems = Vec::new();
        let mut previous: Option<(String, u64, String)> = None;
        let mut reported = String::new();
        for item in self.sort.finish()? {
            let item = item?;
            if let Some((folded, tag, name)) = &previous
                && *folded == item.0
                && !(*tag == DIR && item.1 == DIR && *name == item.2)
                && reported != item.2
            {
                let problem = if *name != item.2 {
                    ZipProblem::entry(
                        "case-collision",
                        &item.2,
                        format!(
                            "the same name as `{name}` once case or Unicode normalization is \
                             folded: one overwrites the other when unpacked on Windows or macOS"
                        ),
                    )
                } else if *tag == FILE && item.1 == FILE {
                    ZipProblem::entry(
                        "duplicate-entry",
                        &item.2,
                        "the archive holds more than one entry of this name; which one a tool \
                         extracts is anyone's guess",
                    )
                } else {
                    ZipProblem::entry(
                        "name-collision",
                        &item.2,
                        "the name of a file and of a folder at once",
                    )
                };
                problems.push(problem);
                reported = item.2.clone();
            }
            previous = Some(item);
        }
        Ok(problems)
    }
}

/// An open file read at a position of its own (`pread`), through a small buffer kept by file
/// offset. Clones share nothing but the file, so several threads read one archive at once.
pub struct At<'a> {
    file: &'a File,
    pos: u64,
    buf: Vec<u8>,
    buf_at: u64,
}

impl<'a> At<'a> {
    const BUFFER: usize = 64 * 1024;

    pub fn new(file: &'a File, pos: u64) -> At<'a> {
        At {
            file,
            pos,
            buf: Vec::new(),
            buf_at: 0,
        }
    }
}

impl Read for At<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
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

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

const CHUNK: usize = 256 * 1024;

/// Inflate one entry's data through `visit`, never past its declared size; its size, CRC-32 and
/// the end of its deflate stream are checked.
pub fn read(file: &File, data: &Data, visit: &mut dyn FnMut(&[u8])) -> io::Result<()> {
    // Each thread reuses one inflater and its buffers: entries are many and mostly small, and
    // allocating these for each one fragments the allocator's per-thread arenas.
    thread_local! {
        static INFLATER: std::cell::RefCell<Inflater> = std::cell::RefCell::new(Inflater::new());
    }
    INFLATER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut inflater) => inflater.entry(file, data, visit),
        Err(_) => Inflater::new().entry(file, data, visit),
    })
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

    fn entry(&mut self, file: &File, at: &Data, visit: &mut dyn FnMut(&[u8])) -> io::Result<()> {
        let declared = at.size;
        let mut crc = crc32fast::Hasher::new();
        let mut total = 0u64;
        // The last three bytes emitted, to find a descriptor signature across chunks.
        let mut carry: Vec<u8> = Vec::new();
        let mut emit = |bytes: &[u8]| -> io::Result<()> {
            total += bytes.len() as u64;
            // Never trust the header: stop as soon as more comes than it declares.
            if total > declared {
                return Err(invalid(format!(
                    "inflates to more than the {declared} bytes its header declares"
                )));
            }
            if at.stored_with_descriptor {
                carry.extend_from_slice(&bytes[..bytes.len().min(3)]);
                let seam = memchr::memmem::find(&carry, &DATA_DESCRIPTOR).is_some();
                if seam || memchr::memmem::find(bytes, &DATA_DESCRIPTOR).is_some() {
                    return Err(invalid(
                        "stored with a data descriptor, and its data holds a descriptor \
                         signature: a streaming extractor would end the entry there"
                            .into(),
                    ));
                }
                let keep = bytes.len().min(3);
                carry.clear();
                carry.extend_from_slice(&bytes[bytes.len() - keep..]);
            }
            crc.update(bytes);
            visit(bytes);
            Ok(())
        };
        let (mut pos, end) = (at.offset, at.offset + at.packed);
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
                    let left = (filled - start) as u64 + (end - pos);
                    if left != 0 {
                        return Err(invalid(format!(
                            "the deflate stream ends {left} bytes before the entry's data does: \
                             a streaming extractor would read those bytes as what comes next"
                        )));
                    }
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
        if crc.finalize() != at.crc32 {
            return Err(invalid(
                "the CRC-32 does not match: the entry is damaged".into(),
            ));
        }
        Ok(())
    }
}
