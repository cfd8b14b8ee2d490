//! The deterministic zip: every entry's metadata is fixed, so the same files give the same bytes.
//!
//! Each entry is Deflate level 6, stamped with the release date at 00:00:00, Unix permissions
//! 0644, made on "Unix", with no extra fields; zip64 only for entries that need it. Entries are
//! written in the order given, which the caller keeps stable. Every file is hashed (SHA-256 and
//! SHA-512) for the bag's manifests.
//!
//! Compression is split from writing: [`Zipper::prepare`] deflates and hashes one file (any thread,
//! in parallel), [`Zipper::add_prepared`] appends it (in order). The bytes written are the same
//! whichever thread prepared an entry, so the archive is identical at every thread count.

use super::bagit::BagFile;
use crate::digest::hex;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256, Sha512};
use std::io::{Seek, Write};
use zip::write::{SimpleFileOptions, ZipFileBuilder};
use zip::{CompressionMethod, DateTime, PreparedZipFile, System, ZipWriter};

/// Deflate level, as `zip -6`.
pub const DEFLATE_LEVEL: i64 = 6;

/// Makes entries for a zip: the top folder and the fixed options. Cheap to share across threads.
#[derive(Clone)]
pub struct EntryMaker {
    top: String,
    options: SimpleFileOptions,
}

/// A zip being written under one top folder (`<name>-<version>/`).
pub struct Zipper<W: Write + Seek> {
    /// `None` once finished. If the zipper is dropped unfinished (an error on the way), the
    /// writer is forgotten rather than dropped: `ZipWriter`'s drop would try to finalize a
    /// half-written archive and print to stderr; the caller removes the file anyway.
    zip: Option<ZipWriter<W>>,
    maker: EntryMaker,
}

impl<W: Write + Seek> Zipper<W> {
    /// `date` is `YYYY-MM-DD`, already validated; it must be between 1980 and 2107 (DOS time).
    pub fn new(writer: W, top: &str, date: jiff::civil::Date) -> Result<Self> {
        let stamp = u16::try_from(date.year())
            .ok()
            .and_then(|y| {
                DateTime::from_date_and_time(y, date.month() as u8, date.day() as u8, 0, 0, 0).ok()
            })
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the release date {date} cannot be stored in a zip (years 1980 to 2107)"
                ))
            })?;
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(DEFLATE_LEVEL))
            .last_modified_time(stamp)
            .unix_permissions(0o644)
            .system(System::Unix);
        Ok(Zipper {
            zip: Some(ZipWriter::new(writer)),
            maker: EntryMaker {
                top: top.to_owned(),
                options,
            },
        })
    }

    /// Add `data` as `<top>/<path>`; returns its size and digests.
    pub fn add(&mut self, path: &str, data: &[u8], sha256: Option<&str>) -> Result<BagFile> {
        let (prepared, file) = self.maker.prepare(path, data, sha256)?;
        self.add_prepared(prepared)?;
        Ok(file)
    }

    /// What makes entries for this zip, to share with worker threads.
    pub fn maker(&self) -> EntryMaker {
        self.maker.clone()
    }

    /// Append an entry made by [`EntryMaker::prepare`].
    pub fn add_prepared(&mut self, prepared: PreparedZipFile) -> Result<()> {
        let zip = self.zip.as_mut().expect("not finished");
        zip.add_prepared_file(prepared).map_err(zip_error)
    }

    pub fn finish(mut self) -> Result<W> {
        let zip = self.zip.take().expect("not finished");
        zip.finish().map_err(zip_error)
    }
}

impl EntryMaker {
    /// Deflate and hash `data` as the entry `<top>/<path>`, ready to be appended (any thread).
    /// `sha256` may be passed when already known (raw files are hashed on ingest).
    pub fn prepare(
        &self,
        path: &str,
        data: &[u8],
        sha256: Option<&str>,
    ) -> Result<(PreparedZipFile, BagFile)> {
        let options = self
            .options
            .large_file(data.len() as u64 >= u64::from(u32::MAX));
        let mut builder =
            ZipFileBuilder::new(format!("{}/{path}", self.top), options).map_err(zip_error)?;
        builder.write_all(data)?;
        let prepared = builder.finish().map_err(zip_error)?;
        let file = BagFile {
            path: path.to_owned(),
            bytes: data.len() as u64,
            sha256: sha256.map_or_else(|| hex(&Sha256::digest(data)), str::to_owned),
            sha512: hex(&Sha512::digest(data)),
        };
        Ok((prepared, file))
    }
}

impl<W: Write + Seek> Drop for Zipper<W> {
    fn drop(&mut self) {
        if let Some(zip) = self.zip.take() {
            std::mem::forget(zip);
        }
    }
}

/// Zip errors are I/O errors or bugs; keep the I/O error (it names the file) where there is one.
pub fn zip_error(error: zip::result::ZipError) -> Error {
    match error {
        zip::result::ZipError::Io(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(other.to_string())),
    }
}
