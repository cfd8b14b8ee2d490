//! The fuzz smoke run in CI: every input of every fuzz target's corpus (`fuzz/corpus/<target>`)
//! and every input that once failed (`fuzz/regressions/<target>`) goes through the same entry
//! point the fuzzer drives (`archivist::fuzzing`), which asserts what must hold.

use crate::support::repo;

fn replay(target: &str, run: fn(&[u8])) {
    let mut count = 0;
    for kind in ["corpus", "regressions"] {
        let dir = repo().join("fuzz").join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{target}: {} fails", path.display());
            count += 1;
        }
    }
    assert!(count > 0, "{target}: no corpus");
}

#[test]
fn fuzz_corpus_decode_normalize() {
    replay("decode_normalize", archivist::fuzzing::decode_normalize);
}

#[test]
fn fuzz_corpus_metadata() {
    replay("metadata", archivist::fuzzing::metadata);
}

#[test]
fn fuzz_corpus_bag() {
    replay("bag", archivist::fuzzing::bag);
}

#[test]
fn fuzz_corpus_zip_verify() {
    replay("zip_verify", archivist::fuzzing::zip_verify);
}

#[test]
fn fuzz_corpus_zip_read() {
    replay("zip_read", archivist::fuzzing::zip_read);
}

#[test]
fn fuzz_corpus_inventory() {
    replay("inventory", archivist::fuzzing::inventory);
}
