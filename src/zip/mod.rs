//! The zip format, both ways, in one place: [`write`] makes the deterministic archives releases
//! are, [`read`] reads an archive only when every extractor would unpack the same files from it.
//!
//! The two agree by construction: the writer emits entries that tile the file from offset 0, one
//! local header per central entry with the same name, method, flags, CRC-32 and sizes, portable
//! UTF-8 names, no extra fields but zip64 ones, and one end record at the very end; the reader
//! accepts exactly that family of archives (and the harmless variations other writers make: data
//! descriptors, timestamp extras, directory entries), and refuses everything else with a stable
//! code naming the entry. A property test writes archives and reads them back.
//!
//! The format is APPNOTE 6.3.10 (PKWARE); zip64 where sizes, offsets or counts need it.

pub mod read;
pub mod write;

/// Signatures of the records of a zip.
pub(crate) const LOCAL_HEADER: [u8; 4] = *b"PK\x03\x04";
pub(crate) const CENTRAL_HEADER: [u8; 4] = *b"PK\x01\x02";
pub(crate) const END_RECORD: [u8; 4] = *b"PK\x05\x06";
pub(crate) const ZIP64_END_RECORD: [u8; 4] = *b"PK\x06\x06";
pub(crate) const ZIP64_LOCATOR: [u8; 4] = *b"PK\x06\x07";
pub(crate) const DATA_DESCRIPTOR: [u8; 4] = *b"PK\x07\x08";
