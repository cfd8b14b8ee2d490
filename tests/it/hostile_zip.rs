//! Issue 14: one reading of a zip. Every hostile archive here is built from the real release
//! (`release/khojaly-1992-1.0.2.zip`) by changing one thing; `verify` must refuse each one
//! (exit 1) with its stable code, naming the entry. Every archive `verify` accepts (the
//! committed releases, bags zipped by `zip -r`, Python's `zipfile`, `7z a`, archives with data
//! descriptors and zip64 extras) is unpacked by unzip, bsdtar (from a file and from a pipe), 7z,
//! Python's zipfile and the zip crate, which must give exactly the files and bytes that
//! archivist's reader checked.

use crate::support::*;
use crate::zipcraft::{Entry, Zip, descriptor, extra, unicode_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn release_bytes() -> Vec<u8> {
    std::fs::read(repo().join("release/khojaly-1992-1.0.2.zip")).expect("the committed release")
}

fn release() -> Zip {
    Zip::parse(&release_bytes())
}

/// One hostile archive: what it is, the code `verify` must give, and a part of the entry name
/// the problem must name (`None`: the problem is about the archive as a whole).
struct Case {
    name: &'static str,
    code: &'static str,
    entry: Option<String>,
    zip: Vec<u8>,
}

fn case(name: &'static str, code: &'static str, entry: Option<&str>, zip: Vec<u8>) -> Case {
    Case {
        name,
        code,
        entry: entry.map(str::to_owned),
        zip,
    }
}

/// A release with one entry renamed (in both headers).
fn renamed(from: &str, to: &str) -> Vec<u8> {
    let mut zip = release();
    let top = zip.top();
    let e = zip.find(from);
    e.name = format!("{top}{to}").into_bytes();
    if !to.is_ascii() {
        e.flags |= 1 << 11;
    }
    zip.build()
}

/// A release with one more entry.
fn added(entry: Entry) -> Vec<u8> {
    let mut zip = release();
    zip.entries.insert(zip.entries.len() - 4, entry);
    zip.build()
}

/// A release with one entry changed.
fn changed(suffix: &str, change: impl FnOnce(&mut Entry)) -> Vec<u8> {
    let mut zip = release();
    change(zip.find(suffix));
    zip.build()
}

fn cases() -> Vec<Case> {
    let zip = release();
    let top = zip.top();
    let n = zip.entries.len();
    let t = |rest: &str| format!("{top}{rest}");
    let readme = "data/README.md";
    let mut cases = vec![
        // Names.
        case(
            "dot-segment",
            "unsafe-path",
            Some("data/./README.md"),
            renamed(readme, "data/./README.md"),
        ),
        case(
            "empty-segment",
            "unsafe-path",
            Some("//tmp/"),
            added(Entry::file(&t("/tmp/archivist-escape.txt"), b"x")),
        ),
        case(
            "empty-segment-inside",
            "unsafe-path",
            Some("data//README.md"),
            renamed(readme, "data//README.md"),
        ),
        case(
            "dot-dot",
            "unsafe-path",
            Some("../escape.txt"),
            added(Entry::file(&t("../escape.txt"), b"x")),
        ),
        case(
            "absolute",
            "unsafe-path",
            Some("/tmp/escape.txt"),
            added(Entry::file("/tmp/escape.txt", b"x")),
        ),
        case(
            "drive",
            "unsafe-path",
            Some("C:/escape.txt"),
            added(Entry::file("C:/escape.txt", b"x")),
        ),
        case(
            "drive-relative",
            "unsafe-path",
            Some("C:escape.txt"),
            added(Entry::file("C:escape.txt", b"x")),
        ),
        case(
            "backslash",
            "unsafe-path",
            Some("data\\README.md"),
            renamed(readme, "data\\README.md"),
        ),
        case(
            "trailing-dot",
            "unsafe-path",
            Some("README.md."),
            renamed(readme, "data/README.md."),
        ),
        case(
            "trailing-space",
            "unsafe-path",
            Some("README.md "),
            renamed(readme, "data/README.md "),
        ),
        case(
            "trailing-dot-folder",
            "unsafe-path",
            Some("data./"),
            renamed(readme, "data./README.md"),
        ),
        case(
            "device-name",
            "unsafe-path",
            Some("data/NUL.txt"),
            added(Entry::file(&t("data/NUL.txt"), b"x")),
        ),
        case(
            "file-and-folder",
            "name-collision",
            Some("data/README.md"),
            added(Entry::dir(&t("data/README.md/"))),
        ),
        case(
            "file-inside-a-file",
            "name-collision",
            Some("data/README.md"),
            added(Entry::file(&t("data/README.md/x.txt"), b"x")),
        ),
        case(
            "case-of-a-tag-file",
            "case-collision",
            Some("BAGIT.TXT"),
            added(Entry::file(&t("BAGIT.TXT"), b"BagIt-Version: 1.0\n")),
        ),
        case(
            "case-of-a-folder",
            "case-collision",
            Some("Data"),
            added(Entry::file(&t("Data/x.txt"), b"x")),
        ),
        case(
            "dotless-i",
            "case-collision",
            Some("bag\u{131}t.txt"),
            added(Entry::file(&t("bag\u{131}t.txt"), b"BagIt-Version: 1.0\n")),
        ),
        {
            let mut zip = release();
            zip.entries
                .push(Entry::file(&t("data/\u{15e}\u{259}ki.txt"), b"one"));
            zip.entries
                .push(Entry::file(&t("data/S\u{327}\u{259}ki.txt"), b"two"));
            // The decomposed one is refused on its own (libarchive would compose it), before
            // the two could collide.
            case(
                "unicode-normalization",
                "unsafe-path",
                Some("S\u{327}\u{259}ki.txt"),
                zip.build(),
            )
        },
        {
            let mut e = Entry::file(&t("data/x.txt"), b"x");
            e.name = format!("{top}data/caf\u{e9}.txt").into_bytes();
            e.flags = 0;
            case(
                "utf8-name-without-the-flag",
                "name-encoding",
                Some("caf"),
                added(e),
            )
        },
        {
            let mut e = Entry::file(&t("data/x.txt"), b"x");
            e.name = [t("data/caf").as_bytes(), b"\x82.txt"].concat();
            e.flags = 0;
            case("cp437-name", "name-encoding", Some("caf"), added(e))
        },
        {
            let mut e = Entry::file(&t("data/x.txt"), b"x");
            e.name = [t("data/caf").as_bytes(), b"\xff.txt"].concat();
            case(
                "invalid-utf8-with-the-flag",
                "name-encoding",
                Some("caf"),
                added(e),
            )
        },
        case(
            "unicode-path-field",
            "unicode-path-mismatch",
            Some(readme),
            changed(readme, |e| {
                e.central_extra = unicode_path(&e.name, &t("data/EVIL.md"));
                e.local_extra = e.central_extra.clone();
            }),
        ),
        case(
            "unicode-path-field-local-only",
            "unicode-path-mismatch",
            Some(readme),
            changed(readme, |e| {
                e.local_extra = unicode_path(&e.name, &t("data/EVIL.md"));
            }),
        ),
        // Structure.
        case(
            "local-name",
            "local-header-mismatch",
            Some(readme),
            changed(readme, |e| {
                e.local_name = Some(t("data/README.mx").into_bytes())
            }),
        ),
        case(
            "local-method",
            "local-header-mismatch",
            Some(readme),
            changed(readme, |e| e.local_method = Some(0)),
        ),
        case(
            "local-sizes",
            "local-header-mismatch",
            Some(readme),
            changed(readme, |e| {
                e.local_sizes = Some((e.data.len() as u32, e.size as u32 + 1))
            }),
        ),
        case(
            "local-crc",
            "local-header-mismatch",
            Some(readme),
            changed(readme, |e| e.local_crc = Some(e.crc ^ 1)),
        ),
        case(
            "local-flags",
            "local-header-mismatch",
            Some(readme),
            changed(readme, |e| e.local_flags = Some(e.flags | 1 << 11)),
        ),
        case(
            "unknown-extra-field",
            "zip-extra-field",
            Some(readme),
            changed(readme, |e| e.central_extra = extra(0x756e, &[0; 14])),
        ),
        case(
            "libarchive-attributes-extra",
            "zip-extra-field",
            Some(readme),
            changed(readme, |e| {
                e.local_extra = extra(0x6c78, &[1, 0, 0, 0xff, 0xa1])
            }),
        ),
        case(
            "malformed-extra-field",
            "zip-extra-field",
            Some(readme),
            changed(readme, |e| e.central_extra = vec![0x55, 0x54, 9, 0, 1]),
        ),
        {
            let mut zip = release();
            let hidden = Entry::file(
                &t("data/hidden.txt"),
                b"a local header no central entry points at",
            );
            zip.entries[3].before = hidden.local_record();
            case(
                "unreferenced-local-header",
                "zip-gap",
                Some(&String::from_utf8_lossy(&zip.entries[3].name)),
                zip.build(),
            )
        },
        {
            let mut zip = release();
            let mut ghost = zip.entries[0].clone();
            ghost.name = t("data/raw/ghost.txt").into_bytes();
            ghost.central_only = true;
            ghost.offset = Some(0);
            zip.entries.push(ghost);
            case(
                "overlapping-entries",
                "zip-overlap",
                Some("ghost.txt"),
                zip.build(),
            )
        },
        {
            // Fifield's non-recursive zip bomb: many central entries share one entry's data.
            let mut zip = release();
            for i in 0..200 {
                let mut ghost = zip.entries[1].clone();
                ghost.name = t(&format!("data/bomb/{i}.txt")).into_bytes();
                ghost.central_only = true;
                ghost.offset = Some(0);
                zip.entries.push(ghost);
            }
            case(
                "overlap-bomb",
                "zip-overlap",
                Some("data/bomb/0.txt"),
                zip.build(),
            )
        },
        {
            let mut zip = release();
            zip.prefix = b"MZ\x90\x00 a self-extracting stub".repeat(8);
            zip.prefix_counted = true;
            case("prefix-counted", "zip-prefix", None, zip.build())
        },
        {
            let mut zip = release();
            zip.prefix = b"MZ\x90\x00 a self-extracting stub".repeat(8);
            case("prefix-uncounted", "zip-prefix", None, zip.build())
        },
        {
            let mut zip = release();
            zip.suffix = b"trailing bytes".to_vec();
            case("trailing-bytes", "zip-end-record", None, zip.build())
        },
        {
            let mut bytes = release_bytes();
            let end = bytes[bytes.len() - 22..].to_vec();
            bytes.extend_from_slice(&end);
            case("two-end-records", "zip-end-record", None, bytes)
        },
        {
            let mut zip = release();
            let mut fake = b"PK\x05\x06".to_vec();
            fake.extend_from_slice(&[0; 18]);
            zip.comment = fake;
            case(
                "comment-holds-an-end-record",
                "zip-end-record",
                None,
                zip.build(),
            )
        },
        {
            let mut zip = release();
            zip.comment = b"see PK\x03\x04 here".to_vec();
            case(
                "comment-holds-a-signature",
                "zip-end-record",
                None,
                zip.build(),
            )
        },
        {
            let mut zip = release();
            zip.zip64_count = Some(n as u64 + 1);
            case(
                "zip64-record-disagrees",
                "zip64-mismatch",
                None,
                zip.build(),
            )
        },
        {
            let mut zip = release();
            zip.count = Some(n as u16 - 1);
            case("count-too-small", "zip-entry-count", None, zip.build())
        },
        {
            let mut zip = release();
            zip.count = Some(n as u16 + 1);
            case("count-too-large", "zip-entry-count", None, zip.build())
        },
        case(
            "descriptor-disagrees",
            "data-descriptor-mismatch",
            Some(readme),
            changed(readme, |e| {
                e.flags |= 1 << 3;
                e.local_crc = Some(0);
                e.local_sizes = Some((0, 0));
                e.after_data = descriptor(e.crc ^ 0x100, e.data.len() as u32, e.size as u32);
            }),
        ),
        case(
            "descriptor-unsigned",
            "data-descriptor-mismatch",
            Some(readme),
            changed(readme, |e| {
                e.flags |= 1 << 3;
                e.after_data = descriptor(e.crc, e.data.len() as u32, e.size as u32)[4..].to_vec();
            }),
        ),
        case(
            "deflate-ends-early",
            "unreadable",
            Some(readme),
            changed(readme, |e| {
                e.data
                    .extend_from_slice(b"PK\x03\x04 what a streaming reader reads next")
            }),
        ),
        // Entry types.
        case(
            "symlink-unix",
            "special-entry",
            Some(readme),
            changed(readme, |e| e.external = 0o120_777 << 16),
        ),
        case(
            "symlink-msdos-host",
            "special-entry",
            Some(readme),
            changed(readme, |e| {
                e.made_by = 20;
                e.external = 0o120_777 << 16 | 0x20;
            }),
        ),
        case(
            "symlink-ntfs-host",
            "special-entry",
            Some(readme),
            changed(readme, |e| {
                e.made_by = 10 << 8 | 20;
                e.external = 0o120_777 << 16;
            }),
        ),
        case(
            "symlink-osx-host",
            "special-entry",
            Some(readme),
            changed(readme, |e| {
                e.made_by = 19 << 8 | 20;
                e.external = 0o120_777 << 16;
            }),
        ),
        case(
            "character-device",
            "special-entry",
            Some(readme),
            changed(readme, |e| e.external = 0o020_644 << 16),
        ),
        case(
            "fifo",
            "special-entry",
            Some(readme),
            changed(readme, |e| e.external = 0o010_644 << 16),
        ),
        case(
            "setuid",
            "special-entry",
            Some(readme),
            changed(readme, |e| e.external = 0o104_755 << 16),
        ),
        case(
            "directory-with-data",
            "directory-entry",
            Some("data/extra/"),
            added(Entry {
                external: 0o040_755 << 16,
                ..Entry::file(&t("data/extra/"), b"data in a folder")
            }),
        ),
        case(
            "directory-mode-without-slash",
            "directory-entry",
            Some(readme),
            changed(readme, |e| e.external = 0o040_755 << 16),
        ),
        case(
            "dos-directory-without-slash",
            "directory-entry",
            Some(readme),
            changed(readme, |e| {
                e.made_by = 20;
                e.external = 0x10;
            }),
        ),
        case(
            "version-needed",
            "zip-version",
            Some(readme),
            changed(readme, |e| e.version = 63),
        ),
        case(
            "long-name",
            "unsafe-path",
            Some("xxxx"),
            added(Entry::file(
                &t(&format!("data/{}.txt", "x".repeat(300))),
                b"x",
            )),
        ),
        {
            let mut zip = release();
            zip.central_padding = b"PK\x01\x02 and what follows".to_vec();
            case(
                "central-directory-padding",
                "zip-central-directory",
                None,
                zip.build(),
            )
        },
        // Found by attacking the reader (each was once accepted and unpacked otherwise by one
        // extractor): a deflated folder entry with a descriptor, which a streaming bsdtar
        // inflates to find its end and then reads on into the next file's data ...
        {
            let mut dir = Entry::dir(&t("data/sub/"));
            dir.method = 8;
            dir.data = vec![0x02, 0x2c];
            dir.flags |= 1 << 3;
            dir.local_crc = Some(0);
            dir.local_sizes = Some((0, 0));
            dir.after_data = descriptor(0, 2, 0);
            case(
                "deflated-folder-with-descriptor",
                "directory-entry",
                Some("data/sub/"),
                added(dir),
            )
        },
        // ... a local header deferring one size to zip64 and giving the other ...
        case(
            "local-zip64-one-size",
            "zip64-mismatch",
            Some(readme),
            changed(readme, |e| {
                let mut body = e.size.to_le_bytes().to_vec();
                body.extend_from_slice(&(e.data.len() as u64).to_le_bytes());
                e.local_extra = extra(0x0001, &body);
                e.local_sizes = Some((e.data.len() as u32, u32::MAX));
            }),
        ),
        // ... a zip64 end record with extensible data (Python looks for it 56 bytes before the
        // locator) ...
        {
            let mut zip = release();
            zip.zip64_count = Some(n as u64);
            zip.zip64_extensible = b"PK\x01\x02 another central directory".to_vec();
            case("zip64-extensible-data", "zip64-mismatch", None, zip.build())
        },
        // ... a VMS version suffix, which unzip strips ...
        case(
            "vms-version",
            "unsafe-path",
            Some("README.md;1"),
            renamed(readme, "data/README.md;1"),
        ),
        // ... a name not in NFC, which bsdtar normalizes ...
        case(
            "nfd-name",
            "unsafe-path",
            Some("eki.txt"),
            added(Entry::file(&t("data/S\u{327}eki.txt"), b"x")),
        ),
        // ... an empty timestamp field, on which bsdtar stops ...
        case(
            "empty-timestamp-extra",
            "zip-extra-field",
            Some(readme),
            changed(readme, |e| e.central_extra = extra(0x5455, &[])),
        ),
        case(
            "timestamp-extra-cut-short",
            "zip-extra-field",
            Some(readme),
            changed(readme, |e| {
                e.local_extra = extra(0x5455, &[3, 0, 0, 0, 0, 0])
            }),
        ),
        // ... and a path that, below a destination folder, passes what extractors hold.
        case(
            "path-too-long",
            "unsafe-path",
            Some("abcdefghi/"),
            added(Entry::file(
                &t(&format!("data/{}x.txt", "abcdefghi/".repeat(120))),
                b"x",
            )),
        ),
        // A second round of the attack found these: a zip that is also a tar archive (a first
        // entry whose local header and name make a 512-byte tar header with a valid checksum:
        // bsdtar guesses tar and unpacks that) ...
        {
            let mut zip = release();
            let name = t(&format!("data/{}/{}", "a".repeat(250), "b".repeat(250)));
            zip.entries.insert(0, Entry::file(&name, b"x"));
            let bytes = zip.build();
            let sum: u64 = bytes[..512]
                .iter()
                .enumerate()
                .map(|(i, &b)| u64::from(if (148..156).contains(&i) { b' ' } else { b }))
                .sum();
            let mut name = zip.entries[0].name.clone();
            name[148 - 30..156 - 30].copy_from_slice(format!("{sum:07o} ").as_bytes());
            zip.entries[0].name = name;
            case("also-a-tar-archive", "zip-polyglot", None, zip.build())
        },
        // ... or an ISO 9660 image (a volume descriptor at byte 32768, inside a stored file) ...
        {
            let mut zip = release();
            let name = t("data/iso.bin");
            let mut data = vec![0u8; 32_768 - 30 - name.len()];
            data.extend_from_slice(b"\x01CD001\x01");
            data.resize(40_000, 0);
            let mut iso = Entry::file(&name, &data);
            (iso.method, iso.data) = (0, data);
            zip.entries.insert(0, iso);
            case("also-an-iso-image", "zip-polyglot", None, zip.build())
        },
        // ... an end record whose own count and size spell its signature (Python takes the last
        // signature in the tail) ...
        {
            let mut zip = release();
            zip.count = Some(0x4b50);
            let size: usize = zip
                .entries
                .iter()
                .map(|e| 46 + e.name.len() + e.central_extra.len() + e.comment.len())
                .sum();
            zip.central_padding = vec![0; (0x0605 + 0x10000 - size % 0x10000) % 0x10000];
            zip.comment = b"x".to_vec();
            case(
                "end-record-spells-its-signature",
                "zip-end-record",
                None,
                zip.build(),
            )
        },
        // ... and modes that leave the owner unable to read what was unpacked.
        case(
            "unreadable-file-mode",
            "special-entry",
            Some(readme),
            changed(readme, |e| e.external = 0o100_200 << 16),
        ),
        {
            let mut zip = release();
            let mut data = Entry::dir(&t("data/"));
            data.external = 0o040_000 << 16 | 0x10;
            zip.entries.insert(0, data);
            case(
                "folder-mode-000",
                "special-entry",
                Some("data/"),
                zip.build(),
            )
        },
        case(
            "encrypted",
            "encrypted-entry",
            Some(readme),
            changed(readme, |e| e.flags |= 1),
        ),
        case(
            "unknown-flag",
            "zip-flags",
            Some(readme),
            changed(readme, |e| e.flags |= 1 << 5),
        ),
    ];
    // The entry that could escape through `deposit`: `<top>//some/absolute/path`.
    cases.push(case(
        "escape-through-deposit",
        "unsafe-path",
        Some("//"),
        added(Entry::file(
            &format!(
                "{top}/{}",
                std::env::temp_dir()
                    .join("archivist-deposit-escape")
                    .display()
            ),
            b"escaped",
        )),
    ));
    cases
}

fn verify_json(path: &Path) -> Run {
    run(archivist().arg("verify").arg("--json").arg(path))
}

#[test]
fn every_hostile_archive_is_refused_with_its_code_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in cases() {
        let path = dir.path().join(format!("{}.zip", case.name));
        std::fs::write(&path, &case.zip).unwrap();
        let run = verify_json(&path);
        if run.code != 1 {
            failures.push(format!(
                "{}: exit {} (expected 1)\n{}",
                case.name, run.code, run.stdout
            ));
            continue;
        }
        let report = run.json();
        // The entry is named in the problem's path, or (for a collision) in its message.
        let found = report["problems"].as_array().unwrap().iter().any(|p| {
            let named = format!(
                "{} {}",
                p["path"].as_str().unwrap(),
                p["message"].as_str().unwrap()
            );
            p["code"] == case.code
                && p["severity"] == "error"
                && case
                    .entry
                    .as_ref()
                    .is_none_or(|e| named.contains(e.as_str()))
        });
        if !found {
            failures.push(format!(
                "{}: no error {} naming {:?} in\n{:#}",
                case.name, case.code, case.entry, report["problems"]
            ));
        }
        if !run.stdout.contains(&format!("{}", path.display())) {
            failures.push(format!(
                "{}: the report does not name the archive",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The files an archive holds, as archivist's reader reads them: path below the archive, and
/// the bytes' SHA-256.
fn as_archivist_reads(zip: &Path) -> BTreeMap<String, String> {
    use archivist::zip::read;
    let file = std::fs::File::open(zip).unwrap();
    let directory = read::directory(&file).expect("end records accepted");
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    read::walk(
        &file,
        &directory,
        &read::Limits::default(),
        &mut problems,
        &mut |e| {
            entries.push(e);
            Ok(())
        },
    )
    .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let mut files = BTreeMap::new();
    for entry in entries.into_iter().filter(|e| e.kind == read::Kind::File) {
        let mut bytes = Vec::new();
        read::read(&file, &entry.data, &mut |c| bytes.extend_from_slice(c)).unwrap();
        files.insert(entry.path.as_str().to_owned(), sha256_bytes(&bytes));
    }
    files
}

fn sha256_bytes(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file below `dir`, with its SHA-256; anything but regular files and folders fails.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            if kind.is_dir() {
                stack.push(e.path());
            } else {
                assert!(kind.is_file(), "{rel}: not a regular file");
                files.insert(rel, sha256_bytes(&std::fs::read(e.path()).unwrap()));
            }
        }
    }
    files
}

/// How an extractor is run: the archive, the folder to unpack into.
type Extractor = Box<dyn Fn(&Path, &Path) -> std::process::Command>;

/// Unpack `zip` with every extractor; each must give `expected`.
fn assert_extractors_agree(zip: &Path, expected: &BTreeMap<String, String>) {
    let python = "import sys, zipfile\nzipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])\n";
    let tools: [(&str, Extractor); 5] = [
        (
            "unzip",
            Box::new(|z, d| {
                let mut c = std::process::Command::new("unzip");
                c.arg("-qq").arg(z).arg("-d").arg(d);
                c
            }),
        ),
        (
            "bsdtar",
            Box::new(|z, d| {
                let mut c = std::process::Command::new("bsdtar");
                c.arg("-xf").arg(z).arg("-C").arg(d);
                c
            }),
        ),
        (
            // A real pipe: given a file as stdin, libarchive seeks and reads the central
            // directory; from a pipe it can read only the local headers, as a stream.
            "bsdtar from a pipe",
            Box::new(|z, d| {
                let mut c = std::process::Command::new("bash");
                c.arg("-c")
                    .arg("cat \"$1\" | bsdtar -xf - -C \"$2\"")
                    .arg("bash")
                    .arg(z)
                    .arg(d);
                c
            }),
        ),
        (
            "7z",
            Box::new(|z, d| {
                let mut c = std::process::Command::new("7z");
                c.args(["x", "-y", "-bso0", "-bsp0"])
                    .arg(format!("-o{}", d.display()))
                    .arg(z);
                c
            }),
        ),
        (
            "python zipfile",
            Box::new(move |z, d| {
                let mut c = std::process::Command::new("python3");
                c.args(["-c", python]).arg(z).arg(d);
                c
            }),
        ),
    ];
    for (name, command) in &tools {
        let out_dir = tempfile::tempdir().unwrap();
        let out = command(zip, out_dir.path())
            .stdout(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{name} runs: {e}"));
        assert!(
            out.status.success(),
            "{name} on {}: {}",
            zip.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            &tree(out_dir.path()),
            expected,
            "{name} unpacks {} differently",
            zip.display()
        );
    }
    // The zip crate, as the reference reader in Rust.
    let mut archive = ::zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .enclosed_name()
            .expect("a safe name")
            .to_str()
            .unwrap()
            .to_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        files.insert(name, sha256_bytes(&bytes));
    }
    assert_eq!(
        &files,
        expected,
        "the zip crate reads {} differently",
        zip.display()
    );
}

/// The extracted 1.0.2 bag, in `dir/<top>`.
fn extracted_release(dir: &Path) -> PathBuf {
    let zip = copy_committed_release("khojaly-1992-1.0.2", dir);
    extract(&zip, &dir.join("x"));
    dir.join("x/khojaly-1992-1.0.2")
}

fn sh(dir: &Path, script: &str) {
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Archives made by other tools and by archivist, which `verify` must accept.
fn valid_archives(dir: &Path) -> Vec<PathBuf> {
    let mut zips: Vec<PathBuf> = ["1.0.0", "1.0.1", "1.0.2"]
        .iter()
        .map(|v| repo().join(format!("release/khojaly-1992-{v}.zip")))
        .collect();
    let bag = extracted_release(dir);
    let parent = bag.parent().unwrap().to_path_buf();
    // A bag made by bagit-python from the raw corpus, with a name only UTF-8 can carry.
    let made = dir.join("made");
    let texts = made.join("bag-xocali/Xocalı şəhəri");
    std::fs::create_dir_all(&texts).unwrap();
    for entry in std::fs::read_dir(repo().join("raw")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), texts.join(entry.file_name())).unwrap();
    }
    let bagit = validators().join("bagit.py");
    sh(
        &made,
        &format!("{} --sha256 --sha512 --quiet bag-xocali", bagit.display()),
    );
    // Python's zipfile: plain, streamed to a pipe (data descriptors on every entry, text files
    // stored), and with zip64 extra fields on every entry.
    let py_zip = r#"import os, sys, zipfile
out, top, mode = sys.argv[1], sys.argv[2], sys.argv[3]
class Pipe:
    def __init__(self, f): self.f = f
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()
sink = open(out, 'wb')
with zipfile.ZipFile(Pipe(sink) if mode == 'stream' else sink, 'w') as z:
    for root, dirs, files in sorted(os.walk(top)):
        dirs.sort()
        z.write(root)
        for f in sorted(files):
            p = os.path.join(root, f)
            info = zipfile.ZipInfo.from_file(p)
            stored = mode == 'stream' and f.endswith('.txt')
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            with open(p, 'rb') as src, z.open(info, 'w', force_zip64=(mode == 'zip64')) as dst:
                dst.write(src.read())
"#;
    std::fs::write(dir.join("pyzip.py"), py_zip).unwrap();
    for (folder, top) in [(&parent, "khojaly-1992-1.0.2"), (&made, "bag-xocali")] {
        for (tool, script) in [
            ("zip-r", format!("zip -qr {{out}} {top}")),
            (
                "python",
                format!("python3 {}/pyzip.py {{out}} {top} plain", dir.display()),
            ),
            (
                "python-stream",
                format!("python3 {}/pyzip.py {{out}} {top} stream", dir.display()),
            ),
            (
                "python-zip64",
                format!("python3 {}/pyzip.py {{out}} {top} zip64", dir.display()),
            ),
            ("7z", format!("7z a -tzip -bso0 -bsp0 {{out}} {top}")),
        ] {
            let out = dir.join(format!("{top}-{tool}.zip"));
            sh(folder, &script.replace("{out}", &out.display().to_string()));
            // Info-ZIP's zip 3.0 writes non-ASCII names without the UTF-8 flag: Python reads
            // them as CP437, unzip as UTF-8, so that archive is refused (tested below).
            if !(tool == "zip-r" && top == "bag-xocali") {
                zips.push(out);
            }
        }
    }
    zips
}

#[test]
fn archives_that_verify_accepts_unpack_alike_with_every_extractor() {
    let dir = tempfile::tempdir().unwrap();
    for zip in valid_archives(dir.path()) {
        let run = verify_json(&zip);
        assert_eq!(run.code, 0, "{} is refused:\n{}", zip.display(), run.stdout);
        let expected = as_archivist_reads(&zip);
        assert!(expected.len() > 8, "{}: {expected:?}", zip.display());
        assert_extractors_agree(&zip, &expected);
    }
    let unflagged = dir.path().join("bag-xocali-zip-r.zip");
    let run = verify_json(&unflagged);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        problem(&run.json(), "name-encoding")["path"]
            .as_str()
            .unwrap()
            .contains("bag-xocali/data/Xocal")
    );
    // Hostile archives verify wrongly accepted would be held to the same: none is accepted.
    for case in cases() {
        let path = dir.path().join(format!("{}.zip", case.name));
        std::fs::write(&path, &case.zip).unwrap();
        if verify_json(&path).code == 0 {
            assert_extractors_agree(&path, &as_archivist_reads(&path));
        }
    }
}

#[test]
fn deposit_given_hostile_names_directly_writes_nothing_anywhere() {
    use archivist::ocfl::store::{self, Release, User};
    use archivist::verify::source::MemSource;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ocfl");
    let outside = tmp.path().join("outside.txt");
    let before = files_below(tmp.path());
    for name in [
        format!("/{}", outside.display()),
        format!("/{}", outside.display()).replacen('/', "//", 1),
        "../outside.txt".to_owned(),
        "data/../../outside.txt".to_owned(),
        "data/./x.txt".to_owned(),
        "data\\..\\x.txt".to_owned(),
        "data/x.txt.".to_owned(),
    ] {
        let mut bag = MemSource::new([
            ("bagit.txt".to_owned(), b"BagIt-Version: 1.0\n".to_vec()),
            (name.clone(), b"escaped".to_vec()),
        ]);
        let outcome = store::deposit(
            &root,
            &User {
                name: "test".into(),
                address: None,
            },
            Release {
                id: "urn:uuid:00000000-0000-4000-8000-000000000000",
                name: "x-1.0.0",
                version: "1.0.0",
                message: "test",
                bag: &mut bag,
                extras: Vec::new(),
                check: None,
            },
        );
        assert!(outcome.is_err(), "{name:?}: deposited");
        assert!(!outside.exists(), "{name:?}: wrote outside the root");
        assert_eq!(
            files_below(tmp.path()),
            before,
            "{name:?}: something was written"
        );
    }
}

#[test]
fn a_release_with_zip64_end_records_verifies_and_python_reads_it_alike() {
    // 32,768 documents make 65,536 payload entries: the entry count needs zip64 end records.
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir(&raw).unwrap();
    for i in 0..32_768u32 {
        std::fs::write(raw.join(format!("{i:05}.txt")), format!("Note {i}.\n")).unwrap();
    }
    let out = dir.path().join("out");
    let made = crate::support::release(&raw, &fixture_config(), &out);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let zip = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "zip"))
        .expect("a release zip");
    let bytes = std::fs::read(&zip).unwrap();
    let tail = &bytes[bytes.len() - 98..];
    assert_eq!(
        &tail[..4],
        b"PK\x06\x06",
        "a zip64 end record before the locator"
    );
    let run = verify_json(&zip);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["records"], 32_768);
    // Python's zipfile reads the zip64 end records to the same entries.
    let ours = as_archivist_reads(&zip);
    let script = "import hashlib, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n\
                  for i in z.infolist():\n    print(i.filename, hashlib.sha256(z.read(i)).hexdigest())\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: BTreeMap<String, String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (name, digest) = l.rsplit_once(' ').unwrap();
            (name.to_owned(), digest.to_owned())
        })
        .collect();
    assert_eq!(theirs, ours);
}
