#![no_main]
//! Fuzz target: see `archivist::fuzzing::zip_read`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| archivist::fuzzing::zip_read(data));
