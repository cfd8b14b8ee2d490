#![no_main]
//! Fuzz target: see `archivist::fuzzing::metadata`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| archivist::fuzzing::metadata(data));
