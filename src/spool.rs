//! Bytes written now and read back later: held in memory up to a limit, in an unnamed temporary
//! file beyond it. What a release gathers per document (records, manifest entries, the zip's
//! central directory) goes through spools, so its memory does not grow with the corpus.
//!
//! The temporary file is made with `O_TMPFILE` where the system has it (`tempfile::tempfile_in`):
//! it has no name, so nothing is left behind whatever happens to the process.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// A [`Write`] that keeps the first `limit` bytes in memory and moves everything to a temporary
/// file in `dir` once more come.
pub struct Spool {
    dir: PathBuf,
    limit: usize,
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    len: u64,
}

impl Spool {
    pub fn new(dir: &Path, limit: usize) -> Spool {
        Spool {
            dir: dir.to_owned(),
            limit,
            memory: Vec::new(),
            file: None,
            len: 0,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stop writing: the bytes, ready to be read back (any number of times).
    pub fn finish(self) -> io::Result<Spooled> {
        Ok(match self.file {
            None => Spooled::Memory(self.memory),
            Some(file) => Spooled::File {
                file: file.into_inner().map_err(|e| e.into_error())?,
                len: self.len,
            },
        })
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.memory.len() + buf.len() > self.limit {
            let file = tempfile::tempfile_in(&self.dir).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "failed to make a temporary file in `{}`: {e}",
                        self.dir.display()
                    ),
                )
            })?;
            let mut file = BufWriter::with_capacity(256 * 1024, file);
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        match &mut self.file {
            Some(file) => file.write_all(buf)?,
            None => self.memory.extend_from_slice(buf),
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

/// A finished [`Spool`].
pub enum Spooled {
    Memory(Vec<u8>),
    File { file: File, len: u64 },
}

impl Spooled {
    pub fn len(&self) -> u64 {
        match self {
            Spooled::Memory(bytes) => bytes.len() as u64,
            Spooled::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they stayed in memory.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Spooled::Memory(bytes) => Some(bytes),
            Spooled::File { .. } => None,
        }
    }

    /// Every byte, in chunks of 256 KiB (the last one shorter): the chunks a stream deflater
    /// is fed decide its output, so they are always these.
    pub fn for_each_chunk<E: From<io::Error>>(
        &self,
        each: &mut dyn FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut reader = self.reader();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            each(&buf[..n])?;
        }
    }

    /// A reader from the first byte (readers are independent of each other).
    pub fn reader(&self) -> impl Read + '_ {
        io::BufReader::with_capacity(
            256 * 1024,
            At {
                spooled: self,
                pos: 0,
            },
        )
    }

    /// A reader that owns the bytes (for readers kept beside others, as in a merge).
    pub fn into_reader(self) -> impl Read + Send {
        io::BufReader::with_capacity(
            64 * 1024,
            Owned {
                spooled: self,
                pos: 0,
            },
        )
    }

    /// A reader from `offset`, for short reads here and there.
    pub fn reader_at(&self, offset: u64) -> impl Read + '_ {
        io::BufReader::with_capacity(
            8 * 1024,
            At {
                spooled: self,
                pos: offset,
            },
        )
    }

    /// Fill `buf` from `offset`.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        match self {
            Spooled::Memory(bytes) => {
                let start = usize::try_from(offset).map_err(io::Error::other)?;
                let slice = bytes
                    .get(start..start + buf.len())
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                buf.copy_from_slice(slice);
                Ok(())
            }
            Spooled::File { file, .. } => file.read_exact_at(buf, offset),
        }
    }

    /// Copy every byte to `out`.
    pub fn copy_to(&self, out: &mut impl Write) -> io::Result<u64> {
        match self {
            Spooled::Memory(bytes) => out.write_all(bytes).map(|()| bytes.len() as u64),
            Spooled::File { .. } => io::copy(&mut self.reader(), out),
        }
    }
}

/// A position in a [`Spooled`].
struct At<'a> {
    spooled: &'a Spooled,
    pos: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.spooled.read_from(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// A [`Spooled`] and a position in it.
struct Owned {
    spooled: Spooled,
    pos: u64,
}

impl Read for Owned {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.spooled.read_from(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Spooled {
    /// Read what is there from `pos` into `buf`: how many bytes (0 at the end).
    fn read_from(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        Ok(match self {
            Spooled::Memory(bytes) => {
                let start = usize::try_from(pos).unwrap_or(usize::MAX).min(bytes.len());
                let n = buf.len().min(bytes.len() - start);
                buf[..n].copy_from_slice(&bytes[start..start + n]);
                n
            }
            Spooled::File { file, len } => {
                let left = len.saturating_sub(pos);
                let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                file.read_at(&mut buf[..want], pos)?
            }
        })
    }
}

/// The error for a temporary file that does not read back as it was written (cut short, or
/// damaged while in use): spills and sorted runs all report it alike.
pub fn damaged() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "a temporary file was cut short or damaged while in use",
    )
}

/// Framed fields: each a little-endian `u32` length, then the bytes.
pub fn put_field(out: &mut (impl Write + ?Sized), field: &[u8]) -> io::Result<()> {
    let len = u32::try_from(field.len())
        .map_err(|_| io::Error::other("a spooled field is over 4 GiB"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(field)
}

/// The next field written by [`put_field`], into `buf`; `false` at the end of the input.
pub fn get_field(input: &mut (impl Read + ?Sized), buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    buf.clear();
    buf.resize(u32::from_le_bytes(len) as usize, 0);
    input.read_exact(buf)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(limit: usize) -> Spooled {
        let dir = std::env::temp_dir();
        let mut spool = Spool::new(&dir, limit);
        for i in 0..1000u32 {
            put_field(&mut spool, format!("field {i}").as_bytes()).unwrap();
        }
        assert_eq!(
            spool.len(),
            (0..1000)
                .map(|i| 4 + format!("field {i}").len() as u64)
                .sum::<u64>()
        );
        spool.finish().unwrap()
    }

    #[test]
    fn a_spool_reads_back_what_was_written_in_memory_and_on_disk() {
        let small = fill(1 << 20);
        let big = fill(100);
        assert!(small.as_bytes().is_some(), "under the limit: in memory");
        assert!(big.as_bytes().is_none(), "over the limit: in a file");
        for spooled in [&small, &big] {
            // Twice: readers start from the beginning each time.
            for _ in 0..2 {
                let mut reader = spooled.reader();
                let mut field = Vec::new();
                let mut n = 0;
                while get_field(&mut reader, &mut field).unwrap() {
                    assert_eq!(field, format!("field {n}").as_bytes());
                    n += 1;
                }
                assert_eq!(n, 1000);
            }
            let mut at = [0u8; 7];
            spooled.read_exact_at(&mut at, 4).unwrap();
            assert_eq!(&at, b"field 0");
            let mut all = Vec::new();
            assert_eq!(spooled.copy_to(&mut all).unwrap(), spooled.len());
            assert_eq!(all, small.as_bytes().unwrap());
        }
    }
}
