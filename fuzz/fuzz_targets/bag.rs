#![no_main]
//! Fuzz target: see `archivist::fuzzing::bag`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| archivist::fuzzing::bag(data));
