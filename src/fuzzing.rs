//! Entry points for fuzzing (`fuzz/`, cargo fuzz) and for replaying fuzz corpora in the tests.
//!
//! Each takes arbitrary bytes, runs one part of archivist on them and checks what must hold
//! whatever the input: no panic, and (where stated) a property. A failure here is a bug.

use crate::ingest::{Entry, RawDocument};
use crate::normalize::{join, normalize};
use crate::verify::source::MemSource;

/// Decoding, normalization, metadata and boilerplate on arbitrary bytes; normalization of the
/// result changes nothing.
pub fn decode_normalize(data: &[u8]) {
    let raw = RawDocument {
        entry: Entry {
            rel: "doc.txt".into(),
            path: "doc.txt".into(),
            display: "raw/doc.txt".into(),
            size: data.len() as u64,
        },
        sha256: crate::digest::sha256_hex(data),
        bytes: data.to_vec(),
    };
    let mut problems = Vec::new();
    if let Some((record, text)) =
        crate::pipeline::build(&raw, "doc", None, &Default::default(), &mut problems)
    {
        assert_eq!(
            join(&normalize(&text).lines),
            text,
            "normalized text is not stable"
        );
        assert_eq!(record.text.bytes, text.len() as u64);
    }
}

/// Metadata extraction (date header, dateline, title, language) and boilerplate on any text.
pub fn metadata(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = normalize(&text).lines;
    let (mut removed, mut problems) = (Vec::new(), Vec::new());
    let dates = crate::metadata::extract_dates(&mut lines, "doc", &mut removed, &mut problems);
    crate::boilerplate::strip(&mut lines, &Default::default(), &mut removed);
    let _ = crate::metadata::title(&lines, &dates, &removed);
    let _ = crate::language::detect(&join(&lines), &[]);
    if let Some(date) = dates.date {
        assert!(
            crate::metadata::parse_iso_date(&date).is_some(),
            "an impossible date was accepted"
        );
    }
}

/// BagIt tag file parsing and validation: the input is cut at 0xFF bytes into bagit.txt,
/// bag-info.txt, a SHA-256 manifest, a tag manifest, fetch.txt and one payload file.
pub fn bag(data: &[u8]) {
    let mut parts = data.split(|&b| b == 0xFF);
    let names = [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
        "fetch.txt",
        "data/file.txt",
    ];
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .filter_map(|name| parts.next().map(|p| (name.to_string(), p.to_vec())))
        .collect();
    let mut source = MemSource::new(files);
    let _ = crate::verify::bag::validate(&mut source, &[]);
}

/// `verify` on arbitrary bytes taken for a zip: never a panic, never anything written.
pub fn zip_verify(data: &[u8]) {
    let dir = tempfile_dir();
    let path = dir.join("fuzz.zip");
    if std::fs::write(&path, data).is_ok() {
        let _ = crate::verify::verify(&path, &crate::verify::VerifySettings::default());
        let left: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().count())
            .into_iter()
            .collect();
        assert_eq!(left, [1], "verify wrote beside the archive");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// OCFL inventory parsing and checking on arbitrary bytes.
pub fn inventory(data: &[u8]) {
    let _ = crate::ocfl::validate::inventory_problems(data);
}

fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "archivist-fuzz-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// archivist's zip reader on arbitrary bytes: never a panic, and what it accepts, the zip crate
/// (the reference reader in Rust) reads as the same files with the same bytes.
pub fn zip_read(data: &[u8]) {
    use crate::zip::read::{self, Kind, Names};
    let dir = tempfile_dir();
    let path = dir.join("fuzz.zip");
    let accepted = std::fs::write(&path, data)
        .ok()
        .and_then(|()| std::fs::File::open(&path).ok())
        .and_then(|file| {
            let directory = read::directory(&file).ok()?;
            let mut problems = Vec::new();
            let mut names = Names::new(&dir);
            let mut entries = Vec::new();
            read::walk(
                &file,
                &directory,
                &read::Limits::default(),
                &mut problems,
                &mut |e| {
                    names.push(&e.path, e.kind)?;
                    entries.push(e);
                    Ok(())
                },
            )
            .ok()?;
            problems.extend(names.finish().ok()?);
            if !problems.is_empty() {
                return None;
            }
            let mut files = std::collections::BTreeMap::new();
            for entry in entries.into_iter().filter(|e| e.kind == Kind::File) {
                let mut bytes = Vec::new();
                read::read(&file, &entry.data, &mut |c| bytes.extend_from_slice(c)).ok()?;
                files.insert(entry.path.as_str().to_owned(), bytes);
            }
            Some(files)
        });
    let _ = std::fs::remove_dir_all(&dir);
    let Some(ours) = accepted else {
        return;
    };
    let mut archive =
        ::zip::ZipArchive::new(std::io::Cursor::new(data)).expect("the zip crate reads it too");
    let mut theirs = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .expect("the zip crate reads every entry");
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().expect("a name").into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).expect("the zip crate inflates it");
        theirs.insert(name, bytes);
    }
    assert_eq!(ours, theirs, "the zip crate reads other files or bytes");
}
