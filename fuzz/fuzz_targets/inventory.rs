#![no_main]
//! Fuzz target: see `archivist::fuzzing::inventory`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| archivist::fuzzing::inventory(data));
