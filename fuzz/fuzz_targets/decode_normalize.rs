#![no_main]
//! Fuzz target: see `archivist::fuzzing::decode_normalize`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| archivist::fuzzing::decode_normalize(data));
