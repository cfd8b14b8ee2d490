//! Integration tests: the `archivist` binary run as a user runs it, on fixture folders
//! (`tests/fixtures/<case>/`) and on copies of the bundled corpus in temporary folders.

mod check;
mod cli_docs;
mod deposit;
mod ecosystems;
mod eval;
mod fuzz_corpus;
mod hostile;
mod hostile_zip;
mod init;
mod invenio_fake;
mod lineage;
mod ocfl_foreign;
mod ocfl_hostile;
mod ocfl_s3;
mod properties;
mod release;
mod sign;
mod support;
mod verify;
mod zipcraft;
