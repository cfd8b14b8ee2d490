//! archivist: raw text documents in, a validated, checksummed, reproducible archival release out.
//!
//! The pipeline's stages, in order, each in its own module:
//!
//! 1. [`ingest`]: find the raw documents, read each once and hash it ([`ingest::RawDocument`]).
//! 2. [`decode`]: bytes to text, exactly or not at all ([`decode::Decoded`]).
//! 3. [`normalize`]: NFC, LF, spaces, blank lines, with every change counted ([`normalize::Normalized`]).
//! 4. [`boilerplate`]: web-page furniture at the top and bottom taken out and listed.
//! 5. [`metadata`]: date header and dateline, title; [`language`]: the language, or `und`.
//! 6. [`record`] and [`validate`]: one record per document, checked against the JSON Schema.
//!
//! After the release: [`verify`] checks one, [`diff`] compares two, [`deposit`] puts one into a
//! repository ([`ocfl`] on disk, InvenioRDM over HTTP).
//!
//! [`pipeline`] runs the stages per document ([`flow`] in parallel, in order); [`config`] reads `dataset.toml`; [`problem`] is
//! how anything wrong with the data is reported; [`error`] holds the exit-code contract.

pub mod boilerplate;
pub mod cli;
pub mod config;
pub mod decode;
pub mod deposit;
pub mod diff;
pub mod digest;
pub mod error;
pub mod flow;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod init;
pub mod language;
pub mod metadata;
pub mod normalize;
pub mod ocfl;
pub mod package;
pub mod path;
pub mod pipeline;
pub mod problem;
pub mod record;
pub mod s3;
pub mod sign;
pub mod sort;
pub mod spool;
pub mod unicode;
pub mod validate;
pub mod verify;
pub mod zip;
