//! Writing: the deterministic zip, written by hand: every byte is decided here, so the same files give the
//! same archive, at every thread count, on every machine.
//!
//! Each entry is DEFLATE (libdeflate, level 6; stored when that does not shrink it), stamped with
//! the release date at 00:00:00, Unix permissions 0644, "made on" Unix, UTF-8 names flagged, no
//! extra fields but zip64 ones where sizes or offsets need them (APPNOTE 6.3, section 4.5.3).
//! Entries are appended in the order given, which the caller keeps stable.
//!
//! Compression is split from writing: [`EntryMaker::prepare`] deflates and hashes one file on any
//! thread; [`Zipper::add_prepared`] appends it. The zip itself is hashed (SHA-256) as it is
//! written, so it is never read back.

use crate::digest::hex;
use crate::error::{Error, Result};
use crate::package::bagit::BagFile;
use crate::spool::{Spool, Spooled};
use sha2::{Digest, Sha256, Sha512};
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};

/// DEFLATE level, as `zip -6`.
pub const DEFLATE_LEVEL: i32 = 6;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_EXTRA: u16 = 0x0001;
const MADE_BY_UNIX: u16 = 3 << 8;
const FLAG_UTF8: u16 = 1 << 11;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
/// Sizes and offsets at or above this need zip64.
const LIMIT32: u64 = 0xFFFF_FFFF;

/// Makes entries for a zip: the top folder, the timestamp, the level. Shared by worker threads.
#[derive(Clone, Debug)]
pub struct EntryMaker {
    top: String,
    dos_time: u16,
    dos_date: u16,
}

/// An entry compressed and hashed, ready to be appended.
pub struct PreparedEntry {
    name: String,
    method: u16,
    crc32: u32,
    size: u64,
    /// Shared by entries of the same content (see [`Made`]).
    data: std::sync::Arc<[u8]>,
}

impl EntryMaker {
    /// Deflate and hash `data` as the entry `<top>/<path>`. `sha256` may be passed when already
    /// known (raw files are hashed on ingest).
    pub fn prepare(
        &self,
        path: &str,
        data: &[u8],
        sha256: Option<&str>,
    ) -> Result<(PreparedEntry, BagFile)> {
        Ok((self.deflate(path, data)?, bag_file(path, data, sha256)))
    }

    /// The entry `<top>/<path>` of `data`: its CRC-32, and its bytes deflated (or stored).
    fn deflate(&self, path: &str, data: &[u8]) -> Result<PreparedEntry> {
        thread_local! {
            static COMPRESSOR: RefCell<libdeflater::Compressor> = RefCell::new(libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(DEFLATE_LEVEL).expect("level 6 exists"),
            ));
        }
        let mut crc = libdeflater::Crc::new();
        crc.update(data);
        let deflated = COMPRESSOR.with(|c| {
            let mut c = c.borrow_mut();
            let mut out = vec![0u8; c.deflate_compress_bound(data.len())];
            let n = c
                .deflate_compress(data, &mut out)
                .map_err(|e| Error::Io(std::io::Error::other(format!("deflate: {e:?}"))))?;
            out.truncate(n);
            Ok::<_, Error>(out)
        })?;
        let (method, stored) = if deflated.len() < data.len() {
            (METHOD_DEFLATED, deflated)
        } else {
            (METHOD_STORED, data.to_vec())
        };
        Ok(PreparedEntry {
            name: format!("{}/{path}", self.top),
            method,
            crc32: crc.sum(),
            size: data.len() as u64,
            data: stored.into(),
        })
    }
}

/// The size and digests of `data` as the payload or tag file `path` (`sha256` when known).
fn bag_file(path: &str, data: &[u8], sha256: Option<&str>) -> BagFile {
    BagFile {
        path: path.to_owned(),
        bytes: data.len() as u64,
        sha256: sha256
            .and_then(crate::digest::from_hex)
            .unwrap_or_else(|| Sha256::digest(data).into()),
        sha512: Sha512::digest(data).into(),
    }
}

/// A large streamed entry, deflated as a stream (see [`STREAMED_ABOVE`]).
struct Streamed {
    name: String,
    method: u16,
    crc32: u32,
    size: u64,
    /// The deflated bytes, or the spooled ones when deflating does not shrink them.
    data: Spooled,
}

/// CRC-32 and DEFLATE of a large streamed entry in one pass over the spooled bytes, which
/// `also` sees too (to digest them in the same pass).
fn deflate_streamed(
    name: String,
    spooled: Spooled,
    spill_dir: &Path,
    also: &mut dyn FnMut(&[u8]),
) -> Result<Streamed> {
    let mut crc = libdeflater::Crc::new();
    let mut deflater = flate2::write::DeflateEncoder::new(
        Spool::new(spill_dir, 0),
        flate2::Compression::new(DEFLATE_LEVEL as u32),
    );
    spooled.for_each_chunk(&mut |chunk| -> Result<()> {
        crc.update(chunk);
        also(chunk);
        deflater.write_all(chunk)?;
        Ok(())
    })?;
    let deflated = deflater.finish()?.finish()?;
    let size = spooled.len();
    let (method, data) = if deflated.len() < size {
        (METHOD_DEFLATED, deflated)
    } else {
        (METHOD_STORED, spooled)
    };
    Ok(Streamed {
        name,
        method,
        crc32: crc.sum(),
        size,
        data,
    })
}

/// What the tail's deflater is given, and what it gives back, in order.
enum Job {
    Memory { path: String, data: Vec<u8> },
    Stream { name: String, spooled: Spooled },
}

enum Ready {
    Prepared(PreparedEntry),
    Streamed(Streamed),
}

/// One thread beside the caller's that deflates the entries [`Zipper::add`] and
/// [`Zipper::add_streamed`] are given once [`Zipper::compress_behind`] is on: the caller makes
/// the next file (and hashes it) while the last one is deflated. One worker, first in first
/// out, so entries are appended in the order given.
struct Behind {
    jobs: Option<std::sync::mpsc::Sender<Job>>,
    done: std::sync::mpsc::Receiver<Result<Ready>>,
    worker: Option<std::thread::JoinHandle<()>>,
    pending: usize,
}

impl Behind {
    fn start(maker: EntryMaker, spill_dir: PathBuf) -> Result<Behind> {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let (finished, done) = std::sync::mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("zip-deflate".into())
            .spawn(move || {
                for job in queue {
                    let ready = match job {
                        Job::Memory { path, data } => {
                            maker.deflate(&path, &data).map(Ready::Prepared)
                        }
                        Job::Stream { name, spooled } => {
                            deflate_streamed(name, spooled, &spill_dir, &mut |_| {})
                                .map(Ready::Streamed)
                        }
                    };
                    if finished.send(ready).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Behind {
            jobs: Some(jobs),
            done,
            worker: Some(worker),
            pending: 0,
        })
    }

    fn send(&mut self, job: Job) -> Result<()> {
        self.jobs
            .as_ref()
            .and_then(|jobs| jobs.send(job).ok())
            .ok_or_else(|| Error::Io(std::io::Error::other("the zip's deflater stopped")))?;
        self.pending += 1;
        Ok(())
    }

    /// The next entry deflated, in order: waiting for it when `wait`.
    fn next(&mut self, wait: bool) -> Option<Result<Ready>> {
        if self.pending == 0 {
            return None;
        }
        let got = if wait {
            self.done.recv().ok()
        } else {
            self.done.try_recv().ok()
        };
        let got = match got {
            Some(ready) => ready,
            None if wait => Err(Error::Io(std::io::Error::other(
                "the zip's deflater stopped",
            ))),
            None => return None,
        };
        self.pending -= 1;
        Some(got)
    }
}

impl Drop for Behind {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl PreparedEntry {
    /// The same bytes under another name: `other` is `path`'s entry made by
    /// [`EntryMaker::prepare`] (the same deflater on the same bytes gives the same output, so
    /// nothing is compressed or hashed again), and `file` its size and digests.
    pub fn same_content(
        &self,
        maker: &EntryMaker,
        path: &str,
        file: &BagFile,
    ) -> (PreparedEntry, BagFile) {
        let entry = PreparedEntry {
            name: format!("{}/{path}", maker.top),
            method: self.method,
            crc32: self.crc32,
            size: self.size,
            data: std::sync::Arc::clone(&self.data),
        };
        let file = BagFile {
            path: path.to_owned(),
            ..file.clone()
        };
        (entry, file)
    }
}

/// Entries made already, by the SHA-256 of their bytes: a content met again (duplicate
/// documents) is not deflated or hashed again, its entry data is shared. Deflating the same bytes
/// with the same settings gives the same bytes, so the archive is what it would be without this.
/// The entries kept are bounded by a budget of compressed bytes (oldest dropped first), so
/// memory does not grow with the corpus.
pub struct Made {
    budget: usize,
    state: std::sync::Mutex<MadeState>,
}

#[derive(Default)]
struct MadeState {
    entries: std::collections::HashMap<[u8; 32], (PreparedEntry, BagFile)>,
    order: std::collections::VecDeque<[u8; 32]>,
    bytes: usize,
}

impl Made {
    pub fn new(budget: usize) -> Made {
        Made {
            budget,
            state: std::sync::Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MadeState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The entry of `data` (whose SHA-256, in hex, is `sha256`) as `path`: made by `maker`, or
    /// shared with an entry of the same content made before.
    pub fn prepare(
        &self,
        maker: &EntryMaker,
        path: &str,
        data: &[u8],
        sha256: &str,
    ) -> Result<(PreparedEntry, BagFile)> {
        let Some(key) = crate::digest::from_hex::<32>(sha256) else {
            return maker.prepare(path, data, None);
        };
        if let Some((entry, file)) = self.lock().entries.get(&key) {
            return Ok(entry.same_content(maker, path, file));
        }
        let (entry, file) = maker.prepare(path, data, Some(sha256))?;
        let mut state = self.lock();
        if entry.data.len() <= self.budget && !state.entries.contains_key(&key) {
            state.bytes += entry.data.len();
            state.order.push_back(key);
            let kept = entry.same_content(maker, path, &file);
            state.entries.insert(key, kept);
            while state.bytes > self.budget {
                let Some(old) = state.order.pop_front() else {
                    break;
                };
                if let Some((gone, _)) = state.entries.remove(&old) {
                    state.bytes -= gone.data.len();
                }
            }
        }
        Ok((entry, file))
    }
}

/// A zip being written under one top folder (`<name>-<version>/`), hashed as it goes. The
/// central directory is made entry by entry into a [`Spool`] (a file once it is large), so
/// memory does not grow with the number of entries.
pub struct Zipper<W: Write> {
    out: W,
    offset: u64,
    hasher: Sha256,
    central: Spool,
    entries: u64,
    spill_dir: PathBuf,
    streamed_above: usize,
    maker: EntryMaker,
    behind: Option<Behind>,
}

/// The finished archive: the writer, its size and SHA-256.
pub struct Finished<W> {
    pub writer: W,
    pub bytes: u64,
    pub sha256: String,
}

/// Entries written through [`Zipper::add_streamed`] up to this size are made in memory, as
/// every other entry (libdeflate, one shot); larger ones are deflated as a stream (zlib-rs,
/// level 6) through temporary files, so their size does not matter. The two deflaters make
/// different (equally valid) bytes: which one an entry gets depends on its size alone, so the
/// archive stays a function of its inputs.
pub const STREAMED_ABOVE: usize = 8 << 20;

impl<W: Write> Zipper<W> {
    /// `date` is the release date; it must be between 1980 and 2107 (DOS time). Temporary files
    /// (a large central directory, large streamed entries) go to `spill_dir`.
    pub fn new(writer: W, top: &str, date: jiff::civil::Date, spill_dir: &Path) -> Result<Self> {
        let year = u16::try_from(date.year())
            .ok()
            .filter(|y| (1980..=2107).contains(y))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the release date {date} cannot be stored in a zip (years 1980 to 2107)"
                ))
            })?;
        let dos_date = ((year - 1980) << 9) | ((date.month() as u16) << 5) | date.day() as u16;
        Ok(Zipper {
            out: writer,
            offset: 0,
            hasher: Sha256::new(),
            central: Spool::new(spill_dir, 1 << 20),
            entries: 0,
            spill_dir: spill_dir.to_owned(),
            streamed_above: STREAMED_ABOVE,
            maker: EntryMaker {
                top: top.to_owned(),
                dos_time: 0,
                dos_date,
            },
            behind: None,
        })
    }

    /// What makes entries for this zip, to share with worker threads.
    pub fn maker(&self) -> EntryMaker {
        self.maker.clone()
    }

    /// From now on, [`Zipper::add`] and [`Zipper::add_streamed`] deflate on a thread of their
    /// own, beside the caller's, which goes on to make the next file: for the files made one
    /// after the other at the end of a release, when the other threads are done. The archive
    /// is the same byte for byte (the same deflaters, the same order).
    pub fn compress_behind(&mut self) -> Result<()> {
        if self.behind.is_none() {
            self.behind = Some(Behind::start(self.maker.clone(), self.spill_dir.clone())?);
        }
        Ok(())
    }

    /// Append what the deflater behind has finished, in order; all of it when `wait`.
    fn settle(&mut self, wait: bool) -> Result<()> {
        while let Some(ready) = self.behind.as_mut().and_then(|b| b.next(wait)) {
            match ready? {
                Ready::Prepared(entry) => self.add_prepared_now(entry)?,
                Ready::Streamed(streamed) => self.append_streamed(streamed)?,
            }
        }
        Ok(())
    }

    /// Add `data` as `<top>/<path>`; returns its size and digests.
    pub fn add(&mut self, path: &str, data: &[u8], sha256: Option<&str>) -> Result<BagFile> {
        if let Some(behind) = &mut self.behind {
            let file = bag_file(path, data, sha256);
            behind.send(Job::Memory {
                path: path.to_owned(),
                data: data.to_vec(),
            })?;
            self.settle(false)?;
            return Ok(file);
        }
        let (entry, file) = self.maker.prepare(path, data, sha256)?;
        self.add_prepared(entry)?;
        Ok(file)
    }

    /// Add `<top>/<path>` with the bytes `write` writes, which may be any size: up to
    /// [`STREAMED_ABOVE`] they are compressed as [`Zipper::add`] does, beyond it they are never
    /// all in memory. Returns the file's size and digests.
    pub fn add_streamed(
        &mut self,
        path: &str,
        write: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<BagFile> {
        let mut spool = Spool::new(&self.spill_dir, self.streamed_above);
        write(&mut spool)?;
        let spooled = spool.finish()?;
        if let Some(bytes) = spooled.as_bytes() {
            return self.add(path, bytes, None);
        }
        // Too large for memory: digested in one pass over the spooled bytes, and deflated in
        // another (on the deflater behind, when it is on) or in the same.
        let (mut sha256, mut sha512) = (Sha256::new(), Sha512::new());
        let mut digest = |bytes: &[u8]| {
            sha256.update(bytes);
            sha512.update(bytes);
        };
        let name = format!("{}/{path}", self.maker.top);
        let size = spooled.len();
        let streamed = if let Some(behind) = &mut self.behind {
            spooled.for_each_chunk(&mut |chunk| -> Result<()> {
                digest(chunk);
                Ok(())
            })?;
            behind.send(Job::Stream { name, spooled })?;
            None
        } else {
            Some(deflate_streamed(
                name,
                spooled,
                &self.spill_dir,
                &mut digest,
            )?)
        };
        let file = BagFile {
            path: path.to_owned(),
            bytes: size,
            sha256: sha256.finalize().into(),
            sha512: sha512.finalize().into(),
        };
        match streamed {
            Some(streamed) => self.append_streamed(streamed)?,
            None => self.settle(false)?,
        }
        Ok(file)
    }

    fn append_streamed(&mut self, streamed: Streamed) -> Result<()> {
        let Streamed {
            name,
            method,
            crc32,
            size,
            data,
        } = streamed;
        self.append(&name, method, crc32, size, data.len(), |zip| {
            zip.emit_spooled(&data)
        })
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes)?;
        self.hasher.update(bytes);
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Emit every byte of `spooled`, a buffer at a time.
    fn emit_spooled(&mut self, spooled: &Spooled) -> Result<()> {
        if let Some(bytes) = spooled.as_bytes() {
            return self.emit(bytes);
        }
        spooled.for_each_chunk(&mut |chunk| self.emit(chunk))
    }

    /// Append an entry made by [`EntryMaker::prepare`]: local header, then the data.
    pub fn add_prepared(&mut self, entry: PreparedEntry) -> Result<()> {
        self.settle(true)?;
        self.add_prepared_now(entry)
    }

    fn add_prepared_now(&mut self, entry: PreparedEntry) -> Result<()> {
        let data = entry.data;
        self.append(
            &entry.name,
            entry.method,
            entry.crc32,
            entry.size,
            data.len() as u64,
            |zip| zip.emit(&data),
        )
    }

    /// Write the local header of an entry, then its data (`packed` bytes, written by `data`),
    /// and add its record to the central directory.
    fn append(
        &mut self,
        name: &str,
        method: u16,
        crc32: u32,
        size: u64,
        packed: u64,
        data: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let zip64 = size >= LIMIT32 || packed >= LIMIT32;
        let mut h = Vec::with_capacity(30 + name.len() + 20);
        put32(&mut h, LOCAL_HEADER);
        let version = version_needed(method, zip64);
        self.put_common(&mut h, version, name, method, crc32, (size, packed), zip64)?;
        put16(&mut h, if zip64 { 20 } else { 0 });
        h.extend_from_slice(name.as_bytes());
        if zip64 {
            put16(&mut h, ZIP64_EXTRA);
            put16(&mut h, 16);
            put64(&mut h, size);
            put64(&mut h, packed);
        }
        let offset = self.offset;
        self.emit(&h)?;
        let before = self.offset;
        data(self)?;
        debug_assert_eq!(self.offset - before, packed);
        self.central_record(name, method, crc32, size, packed, offset)?;
        Ok(())
    }

    /// The fields local and central headers share, from "version needed" to the name's length;
    /// `zip64_sizes`: the sizes are in the zip64 extra field.
    #[allow(clippy::too_many_arguments)]
    fn put_common(
        &self,
        h: &mut Vec<u8>,
        version: u16,
        name: &str,
        method: u16,
        crc32: u32,
        (size, packed): (u64, u64),
        zip64_sizes: bool,
    ) -> Result<()> {
        put16(h, version);
        put16(h, flags(name));
        put16(h, method);
        put16(h, self.maker.dos_time);
        put16(h, self.maker.dos_date);
        put32(h, crc32);
        put32(h, if zip64_sizes { u32::MAX } else { packed as u32 });
        put32(h, if zip64_sizes { u32::MAX } else { size as u32 });
        put16(h, name_len(name)?);
        Ok(())
    }

    /// The central directory record of an entry (APPNOTE 4.3.12).
    fn central_record(
        &mut self,
        name: &str,
        method: u16,
        crc32: u32,
        size: u64,
        packed: u64,
        offset: u64,
    ) -> Result<()> {
        let big_size = size >= LIMIT32 || packed >= LIMIT32;
        let big_offset = offset >= LIMIT32;
        let mut extra = Vec::new();
        if big_size {
            put64(&mut extra, size);
            put64(&mut extra, packed);
        }
        if big_offset {
            put64(&mut extra, offset);
        }
        let mut h = Vec::with_capacity(46 + name.len() + 4 + extra.len());
        put32(&mut h, CENTRAL_HEADER);
        let version = version_needed(method, big_size || big_offset);
        put16(&mut h, MADE_BY_UNIX | version);
        self.put_common(
            &mut h,
            version,
            name,
            method,
            crc32,
            (size, packed),
            big_size,
        )?;
        put16(
            &mut h,
            if extra.is_empty() {
                0
            } else {
                4 + extra.len() as u16
            },
        );
        put16(&mut h, 0); // comment
        put16(&mut h, 0); // disk
        put16(&mut h, 0); // internal attributes
        put32(&mut h, 0o100_644 << 16); // regular file, rw-r--r--
        put32(&mut h, if big_offset { u32::MAX } else { offset as u32 });
        h.extend_from_slice(name.as_bytes());
        if !extra.is_empty() {
            put16(&mut h, ZIP64_EXTRA);
            put16(&mut h, extra.len() as u16);
            h.extend_from_slice(&extra);
        }
        self.central.write_all(&h)?;
        self.entries += 1;
        Ok(())
    }

    /// Write the central directory and the end records; returns the writer and the digest.
    pub fn finish(mut self) -> Result<Finished<W>> {
        self.settle(true)?;
        self.behind = None;
        let start = self.offset;
        let central =
            std::mem::replace(&mut self.central, Spool::new(&self.spill_dir, 0)).finish()?;
        self.emit_spooled(&central)?;
        let size = self.offset - start;
        let count = self.entries;
        let zip64 = count >= 0xFFFF || size >= LIMIT32 || start >= LIMIT32;
        let mut end = Vec::new();
        if zip64 {
            let record = self.offset;
            put32(&mut end, ZIP64_END_OF_CENTRAL_DIRECTORY);
            put64(&mut end, 44);
            put16(&mut end, MADE_BY_UNIX | 45);
            put16(&mut end, 45);
            put32(&mut end, 0);
            put32(&mut end, 0);
            put64(&mut end, count);
            put64(&mut end, count);
            put64(&mut end, size);
            put64(&mut end, start);
            put32(&mut end, ZIP64_LOCATOR);
            put32(&mut end, 0);
            put64(&mut end, record);
            put32(&mut end, 1);
        }
        put32(&mut end, END_OF_CENTRAL_DIRECTORY);
        put16(&mut end, 0);
        put16(&mut end, 0);
        put16(&mut end, if zip64 { u16::MAX } else { count as u16 });
        put16(&mut end, if zip64 { u16::MAX } else { count as u16 });
        put32(&mut end, if zip64 { u32::MAX } else { size as u32 });
        put32(&mut end, if zip64 { u32::MAX } else { start as u32 });
        put16(&mut end, 0); // comment
        self.emit(&end)?;
        self.out.flush()?;
        Ok(Finished {
            bytes: self.offset,
            sha256: hex(&self.hasher.finalize()),
            writer: self.out,
        })
    }
}

fn version_needed(method: u16, zip64: bool) -> u16 {
    if zip64 {
        45
    } else if method == METHOD_DEFLATED {
        20
    } else {
        10
    }
}

fn flags(name: &str) -> u16 {
    if name.is_ascii() { 0 } else { FLAG_UTF8 }
}

fn name_len(name: &str) -> Result<u16> {
    u16::try_from(name.len())
        .map_err(|_| Error::Usage(format!("entry name too long for a zip: {name}")))
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn read_back(bytes: Vec<u8>) -> Vec<(String, Vec<u8>, Option<u32>)> {
        let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut f = archive.by_index(i).unwrap();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (f.name().unwrap().into_owned(), data, f.unix_mode())
            })
            .collect()
    }

    #[test]
    fn entries_read_back_exactly() {
        let date = jiff::civil::date(2026, 11, 21);
        let mut zip = Zipper::new(Vec::new(), "top", date, &std::env::temp_dir()).unwrap();
        let text = "Xocalı şəhəri\n".repeat(100);
        zip.add("data/a.txt", text.as_bytes(), None).unwrap();
        zip.add("data/empty.txt", b"", None).unwrap();
        zip.add("data/ünicode.txt", b"x", None).unwrap();
        let done = zip.finish().unwrap();
        assert_eq!(done.sha256, hex(&Sha256::digest(&done.writer)));
        let entries = read_back(done.writer);
        assert_eq!(entries[0].0, "top/data/a.txt");
        assert_eq!(entries[0].1, text.as_bytes());
        assert_eq!(entries[0].2, Some(0o100_644));
        assert_eq!(entries[1].1, b"");
        assert_eq!(entries[2].0, "top/data/ünicode.txt");
    }

    #[test]
    fn deflating_behind_makes_the_same_archive_and_digests() {
        let date = jiff::civil::date(2026, 11, 21);
        let dir = tempfile::tempdir().unwrap();
        let big = "Xocalı şəhəri, 26 fevral 1992.\n".repeat(4_000);
        let make = |behind: bool| {
            let mut zip = Zipper::new(Vec::new(), "top", date, dir.path()).unwrap();
            zip.streamed_above = 64 * 1024;
            let maker = zip.maker();
            let mut files = Vec::new();
            let (entry, file) = maker.prepare("data/first.txt", b"first", None).unwrap();
            zip.add_prepared(entry).unwrap();
            files.push(file);
            if behind {
                zip.compress_behind().unwrap();
            }
            files.push(zip.add("data/small.txt", b"small", None).unwrap());
            // Over the limit: spooled to a file and deflated as a stream.
            files.push(
                zip.add_streamed("data/big.txt", |w| Ok(w.write_all(big.as_bytes())?))
                    .unwrap(),
            );
            files.push(
                zip.add_streamed("data/short.txt", |w| Ok(w.write_all(b"short")?))
                    .unwrap(),
            );
            files.push(zip.add("bagit.txt", b"BagIt-Version: 1.0\n", None).unwrap());
            // Appended after every entry given before it.
            let (entry, file) = maker.prepare("last.txt", b"last", None).unwrap();
            zip.add_prepared(entry).unwrap();
            files.push(file);
            let done = zip.finish().unwrap();
            (done.writer, done.sha256, files)
        };
        let (inline, inline_sha256, inline_files) = make(false);
        let (behind, behind_sha256, behind_files) = make(true);
        assert!(inline == behind, "the archives differ");
        assert_eq!(inline_sha256, behind_sha256);
        assert_eq!(inline_files, behind_files);
        let names: Vec<String> = read_back(behind).into_iter().map(|e| e.0).collect();
        assert_eq!(
            names,
            [
                "top/data/first.txt",
                "top/data/small.txt",
                "top/data/big.txt",
                "top/data/short.txt",
                "top/bagit.txt",
                "top/last.txt"
            ]
        );
    }

    #[test]
    fn many_entries_use_zip64_end_records() {
        let date = jiff::civil::date(2026, 1, 1);
        let mut zip = Zipper::new(Vec::new(), "t", date, &std::env::temp_dir()).unwrap();
        for i in 0..70_000 {
            zip.add(&format!("{i}"), b"", None).unwrap();
        }
        let done = zip.finish().unwrap();
        let archive = ::zip::ZipArchive::new(std::io::Cursor::new(done.writer)).unwrap();
        assert_eq!(archive.len(), 70_000);
    }

    #[test]
    fn streamed_entries_are_the_same_as_added_ones_when_small_and_read_back_when_large() {
        let date = jiff::civil::date(2026, 2, 26);
        let text = "Xocalı, 26 fevral 1992.\n".repeat(5000);
        let write = |w: &mut dyn Write| {
            for line in text.split_inclusive('\n') {
                w.write_all(line.as_bytes())?;
            }
            Ok(())
        };
        let make = |streamed_above: usize, streamed: bool| {
            let mut zip = Zipper::new(Vec::new(), "t", date, &std::env::temp_dir()).unwrap();
            zip.streamed_above = streamed_above;
            let file = if streamed {
                zip.add_streamed("data/a.txt", write).unwrap()
            } else {
                zip.add("data/a.txt", text.as_bytes(), None).unwrap()
            };
            assert_eq!(file.bytes, text.len() as u64);
            assert_eq!(
                file.sha256,
                <[u8; 32]>::from(Sha256::digest(text.as_bytes()))
            );
            assert_eq!(
                file.sha512,
                <[u8; 64]>::from(Sha512::digest(text.as_bytes()))
            );
            zip.add("data/b.txt", b"after", None).unwrap();
            let done = zip.finish().unwrap();
            assert_eq!(done.sha256, hex(&Sha256::digest(&done.writer)));
            done.writer
        };
        let added = make(STREAMED_ABOVE, false);
        assert_eq!(
            make(STREAMED_ABOVE, true),
            added,
            "small: the same bytes as add"
        );
        let large = make(1000, true);
        assert_ne!(large, added, "large: deflated as a stream");
        let entries = read_back(large);
        assert_eq!(entries[0].1, text.as_bytes());
        assert_eq!(entries[1].1, b"after");
    }

    #[test]
    fn an_entry_made_once_for_two_names_is_the_entry_made_twice() {
        let make = |once: bool| {
            let mut zip = Zipper::new(
                Vec::new(),
                "t",
                jiff::civil::date(2026, 2, 26),
                &std::env::temp_dir(),
            )
            .unwrap();
            let text = "Xocalı, 26 fevral.\n".repeat(300);
            let maker = zip.maker();
            let (raw, raw_file) = maker
                .prepare("data/raw/a.txt", text.as_bytes(), None)
                .unwrap();
            let (copy, copy_file) = if once {
                raw.same_content(&maker, "data/text/a.txt", &raw_file)
            } else {
                maker
                    .prepare("data/text/a.txt", text.as_bytes(), None)
                    .unwrap()
            };
            zip.add_prepared(raw).unwrap();
            zip.add_prepared(copy).unwrap();
            (zip.finish().unwrap().writer, raw_file, copy_file)
        };
        let (once, raw_file, copy_file) = make(true);
        let (twice, _, copy_twice) = make(false);
        assert_eq!(once, twice);
        assert_eq!(copy_file, copy_twice);
        assert_eq!(copy_file.sha512, raw_file.sha512);
        assert_eq!(copy_file.path, "data/text/a.txt");
    }

    #[test]
    fn contents_made_before_are_shared_and_the_archive_is_the_same() {
        let texts: Vec<String> = (0..6)
            .map(|i| format!("document {}\n", i % 3).repeat(200 + i % 3))
            .collect();
        let make = |made: Option<&Made>| {
            let mut zip = Zipper::new(
                Vec::new(),
                "t",
                jiff::civil::date(2026, 2, 26),
                &std::env::temp_dir(),
            )
            .unwrap();
            let maker = zip.maker();
            let mut files = Vec::new();
            for (i, text) in texts.iter().enumerate() {
                let path = format!("data/{i}.txt");
                let sha256 = crate::digest::sha256_hex(text.as_bytes());
                let (entry, file) = match made {
                    Some(made) => made
                        .prepare(&maker, &path, text.as_bytes(), &sha256)
                        .unwrap(),
                    None => maker.prepare(&path, text.as_bytes(), None).unwrap(),
                };
                zip.add_prepared(entry).unwrap();
                files.push(file);
            }
            (zip.finish().unwrap().writer, files)
        };
        let plain = make(None);
        // A budget that holds every entry, and one that holds one at a time.
        for budget in [1 << 20, 600] {
            let made = Made::new(budget);
            assert_eq!(make(Some(&made)), plain, "budget {budget}");
            assert!(made.lock().bytes <= budget);
        }
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let make = || {
            let mut zip = Zipper::new(
                Vec::new(),
                "t",
                jiff::civil::date(2026, 2, 26),
                &std::env::temp_dir(),
            )
            .unwrap();
            zip.add("a", b"same", None).unwrap();
            zip.finish().unwrap().writer
        };
        assert_eq!(make(), make());
    }
}
