//! `archivist verify`: the committed release is intact; every kind of tampering is detected and
//! named; unsafe archives are refused before anything is read; the BagIt conformance suite.

use crate::support::*;
use std::io::Write;
use std::path::{Path, PathBuf};

const NAME: &str = "khojaly-1992-1.0.0";

fn committed_zip() -> PathBuf {
    repo().join(format!("release/{NAME}.zip"))
}

fn verify_json(path: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let run = run(archivist()
        .arg("verify")
        .arg("--json")
        .args(extra)
        .arg(path));
    let json = if run.stdout.trim().is_empty() {
        serde_json::Value::Null
    } else {
        run.json()
    };
    (run, json)
}

/// Every entry of a zip: (name, bytes), in order.
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            std::io::copy(&mut entry, &mut data).unwrap();
            (entry.name().unwrap().into_owned(), data)
        })
        .collect()
}

/// Write `entries` as a zip at `path` (Deflate, plain metadata).
fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

/// The text of a report: every problem's path, code and message.
fn report_text(report: &serde_json::Value) -> String {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}\n",
                p["severity"], p["code"], p["path"], p["message"]
            )
        })
        .collect()
}

/// The report has an error with `code`.
fn assert_error(report: &serde_json::Value, code: &str) {
    assert!(
        error_codes(report).iter().any(|c| c == code),
        "no {code} in\n{}",
        report_text(report)
    );
}

#[test]
fn the_committed_release_is_intact_with_its_sidecar() {
    let (run, report) = verify_json(&committed_zip(), &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(report["intact"], true);
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["records"], 5);
    assert_eq!(report["files"], 21);
    assert_eq!(report["bagit_version"], "1.0");
    assert!(
        report["checksum_sources"][0]
            .as_str()
            .unwrap()
            .ends_with(".zip.sha256")
    );

    let human = crate::support::run(archivist().arg("verify").arg(committed_zip()));
    assert_eq!(human.code, 0);
    assert!(human.stdout.starts_with("intact: "), "{}", human.stdout);
}

#[test]
fn an_expected_sha256_from_a_landing_page_is_checked() {
    let sidecar =
        std::fs::read_to_string(repo().join(format!("release/{NAME}.zip.sha256"))).unwrap();
    let digest = sidecar.split_whitespace().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(format!("{NAME}.zip"));
    std::fs::copy(committed_zip(), &copy).unwrap();
    let (run, report) = verify_json(&copy, &["--sha256", digest]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(report["checksum_sources"], serde_json::json!(["--sha256"]));

    let wrong = "0".repeat(64);
    let (run, report) = verify_json(&copy, &["--sha256", &wrong]);
    assert_eq!(run.code, 1);
    assert_eq!(error_codes(&report), ["archive-checksum"]);

    let (run, _) = verify_json(&copy, &["--sha256", "xyz"]);
    assert_eq!(run.code, 2, "a malformed --sha256 is a usage error");
}

#[test]
fn without_any_checksum_the_archive_is_verified_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("download.zip");
    std::fs::copy(committed_zip(), &copy).unwrap();
    let (run, report) = verify_json(&copy, &[]);
    assert_eq!(run.code, 0);
    assert!(report_text(&report).contains("no-checksum"));
}

#[test]
fn an_extracted_bag_folder_verifies() {
    let dir = tempfile::tempdir().unwrap();
    extract(&committed_zip(), dir.path());
    let (run, report) = verify_json(&dir.path().join(NAME), &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(report["kind"], "bag");
    assert_eq!(report["records"], 5);

    std::fs::write(
        dir.path()
            .join(NAME)
            .join("data/text/002_bb24bbf64c3ddef7.txt"),
        "changed\n",
    )
    .unwrap();
    let (run, report) = verify_json(&dir.path().join(NAME), &[]);
    assert_eq!(run.code, 1);
    assert!(report_text(&report).contains("data/text/002_bb24bbf64c3ddef7.txt"));
}

#[test]
fn a_flipped_byte_in_any_entry_is_detected_and_named() {
    let original = entries(&committed_zip());
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, data)) in original.iter().enumerate() {
        let mut tampered = original.clone();
        let mut bytes = data.clone();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        tampered[i] = (name.clone(), bytes);
        let zip = dir.path().join(format!("t{i}.zip"));
        write_zip(&zip, &tampered);
        let (run, report) = verify_json(&zip, &[]);
        assert_eq!(
            run.code,
            1,
            "flipped byte in {name} not detected: {}",
            report_text(&report)
        );
        let inside = name.trim_start_matches(&format!("{NAME}/"));
        assert!(
            report_text(&report).contains(inside),
            "{name} not named:\n{}",
            report_text(&report)
        );
    }
}

#[test]
fn a_removed_entry_is_detected_and_named() {
    let original = entries(&committed_zip());
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, _)) in original.iter().enumerate() {
        let mut fewer = original.clone();
        fewer.remove(i);
        let zip = dir.path().join(format!("r{i}.zip"));
        write_zip(&zip, &fewer);
        let (run, report) = verify_json(&zip, &[]);
        assert_eq!(run.code, 1, "removing {name} not detected");
        let inside = name.trim_start_matches(&format!("{NAME}/"));
        assert!(
            report_text(&report).contains(inside),
            "{name} not named:\n{}",
            report_text(&report)
        );
    }
}

#[test]
fn an_added_entry_is_detected_and_named() {
    let dir = tempfile::tempdir().unwrap();
    for extra in ["data/extra.txt", "data/raw/006_new.txt", "notes.txt"] {
        let mut more = entries(&committed_zip());
        more.push((format!("{NAME}/{extra}"), b"added\n".to_vec()));
        let zip = dir.path().join("added.zip");
        write_zip(&zip, &more);
        let (run, report) = verify_json(&zip, &[]);
        assert_eq!(run.code, 1, "adding {extra} not detected");
        assert!(
            report_text(&report).contains(extra),
            "{extra} not named:\n{}",
            report_text(&report)
        );
    }
}

#[test]
fn edited_manifest_records_and_sidecar_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let edit = |entry: &str, from: &str, to: &str, file: &str| {
        let mut all = entries(&committed_zip());
        let (_, data) = all.iter_mut().find(|(n, _)| n.ends_with(entry)).unwrap();
        let text = String::from_utf8(data.clone()).unwrap();
        assert!(text.contains(from), "{entry} has no `{from}`");
        *data = text.replacen(from, to, 1).into_bytes();
        let zip = dir.path().join(file);
        write_zip(&zip, &all);
        zip
    };
    // A record's title changed: records.jsonl no longer matches the manifests.
    let zip = edit(
        "data/records.jsonl",
        "The horrible tragedy",
        "A different title",
        "records.zip",
    );
    let (run, report) = verify_json(&zip, &[]);
    assert_eq!(run.code, 1);
    assert!(
        report_text(&report).contains("data/records.jsonl"),
        "{}",
        report_text(&report)
    );
    // A manifest line pointed at other bytes.
    let zip = edit(
        "manifest-sha256.txt",
        "  data/README.md",
        "  data/datacite.json",
        "manifest.zip",
    );
    let (run, report) = verify_json(&zip, &[]);
    assert_eq!(run.code, 1);
    assert!(
        report_text(&report).contains("manifest-sha256.txt"),
        "{}",
        report_text(&report)
    );

    // A sidecar that does not match the zip.
    let copy = dir.path().join(format!("{NAME}.zip"));
    std::fs::copy(committed_zip(), &copy).unwrap();
    std::fs::write(
        dir.path().join(format!("{NAME}.zip.sha256")),
        format!("{}  {NAME}.zip\n", "a".repeat(64)),
    )
    .unwrap();
    let (run, report) = verify_json(&copy, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(error_codes(&report), ["archive-checksum"]);
    assert!(report_text(&report).contains(".zip.sha256"));
}

#[test]
fn a_truncated_download_is_not_intact() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("cut.zip");
    let bytes = std::fs::read(committed_zip()).unwrap();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let (run, report) = verify_json(&zip, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(error_codes(&report), ["not-a-zip"]);
}

/// A zip with one bag-like entry named `name` beside a minimal bag, for the safety checks.
fn hostile(dir: &Path, file: &str, name: &str) -> PathBuf {
    let mut all = entries(&committed_zip());
    all.push((name.to_owned(), b"x".to_vec()));
    let zip = dir.join(file);
    write_zip(&zip, &all);
    zip
}

#[test]
fn unsafe_entry_names_are_refused_and_nothing_is_extracted() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("slip.zip", format!("{NAME}/../../evil.txt")),
        ("absolute.zip", "/etc/evil.txt".to_owned()),
        ("backslash.zip", format!("{NAME}\\data\\evil.txt")),
        ("dup.zip", format!("{NAME}/bagit.txt")),
    ];
    for (file, name) in cases {
        let zip = if file == "dup.zip" {
            // The zip crate refuses to write duplicates; patch a copy of the name instead.
            let mut all = entries(&committed_zip());
            all.push((format!("{NAME}/bagit.tx_"), b"x".to_vec()));
            let path = dir.path().join(file);
            write_zip(&path, &all);
            let mut bytes = std::fs::read(&path).unwrap();
            let needle = format!("{NAME}/bagit.tx_");
            let mut i = 0;
            while let Some(at) = find(&bytes[i..], needle.as_bytes()) {
                let end = i + at + needle.len();
                bytes[end - 1] = b't';
                i = end;
            }
            std::fs::write(&path, bytes).unwrap();
            path
        } else {
            hostile(dir.path(), file, &name)
        };
        let (run, report) = verify_json(&zip, &[]);
        assert_eq!(run.code, 1, "{file}: {}", run.stdout);
        let codes = error_codes(&report);
        let expected = if file == "dup.zip" {
            "duplicate-entry"
        } else {
            "unsafe-path"
        };
        assert!(codes.contains(&expected.to_owned()), "{file}: {codes:?}");
    }
    // Nothing was written beside the archives.
    let files = files_below(dir.path());
    assert!(files.iter().all(|f| f.ends_with(".zip")), "{files:?}");
    assert!(!Path::new("/etc/evil.txt").exists());
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn links_special_files_and_encryption_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A symbolic link entry.
    let zip = dir.path().join("link.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
        for (name, data) in entries(&committed_zip()) {
            w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&data).unwrap();
        }
        w.add_symlink(
            format!("{NAME}/data/link"),
            "/etc/passwd",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.finish().unwrap();
    }
    let (run, report) = verify_json(&zip, &[]);
    assert_eq!(run.code, 1);
    assert_error(&report, "special-entry");

    // The encryption flag set on an entry (general purpose bit 0, local and central headers).
    let zip = dir.path().join("encrypted.zip");
    std::fs::copy(committed_zip(), &zip).unwrap();
    let mut bytes = std::fs::read(&zip).unwrap();
    for signature in [b"PK\x03\x04", b"PK\x01\x02"] {
        let at = find(&bytes, signature).unwrap();
        let flag_offset = if signature == b"PK\x03\x04" { 6 } else { 8 };
        bytes[at + flag_offset] |= 1;
    }
    std::fs::write(&zip, bytes).unwrap();
    let (run, report) = verify_json(&zip, &[]);
    assert_eq!(run.code, 1);
    assert_error(&report, "encrypted-entry");
}

#[test]
fn zip_bombs_are_refused_by_ratio_and_total_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = entries(&committed_zip());
    all.push((format!("{NAME}/data/zeros.txt"), vec![0u8; 4 << 20]));
    let zip = dir.path().join("bomb.zip");
    write_zip(&zip, &all);
    let (run, report) = verify_json(&zip, &[]);
    assert_eq!(run.code, 1);
    assert_error(&report, "zip-bomb");

    let (run, report) = verify_json(&committed_zip(), &["--max-total-bytes", "1000"]);
    assert_eq!(run.code, 1);
    assert_error(&report, "archive-too-large");
    let (run, report) = verify_json(&committed_zip(), &["--max-entry-bytes", "5000"]);
    assert_eq!(run.code, 1);
    assert_error(&report, "entry-too-large");
}

#[test]
fn a_missing_path_is_an_io_error() {
    let (run, _) = verify_json(Path::new("no-such.zip"), &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such.zip"), "{}", run.stderr);
}

/// The Library of Congress BagIt conformance suite: valid/ and warning/ exit 0 (warnings
/// reported), invalid/ and linux-only/ exit 1.
#[test]
fn bagit_conformance_suite() {
    let suite = repo().join("../shared/conformance/bagit");
    assert!(
        suite.is_dir(),
        "the conformance suite is expected at {}",
        suite.display()
    );
    let mut checked = 0;
    for version in ["v0.97", "v1.0"] {
        for (group, expected) in [
            ("valid", 0),
            ("warning", 0),
            ("invalid", 1),
            ("linux-only", 1),
        ] {
            let dir = suite.join(version).join(group);
            let Ok(bags) = std::fs::read_dir(&dir) else {
                continue;
            };
            for bag in bags {
                let bag = bag.unwrap().path();
                if !bag.is_dir() {
                    continue;
                }
                let (run, report) = verify_json(&bag, &[]);
                assert_eq!(
                    run.code,
                    expected,
                    "{}: {}",
                    bag.display(),
                    report_text(&report)
                );
                if group == "warning" {
                    let warned = report["problems"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["severity"] == "warning");
                    assert!(warned, "{}: no warning reported", bag.display());
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} bags found");
}
