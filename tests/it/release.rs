//! `archivist release`: the bag in a zip, judged by independent validators; reproducible,
//! immutable, atomic.

use crate::support::*;
use std::path::Path;

const NAME: &str = "khojaly-1992-1.0.2";
/// The release the current one follows (its CHANGES.md is made from the difference).
const PREVIOUS: &str = "khojaly-1992-1.0.1";

/// Cut the bundled corpus's release into a fresh temporary folder that holds the release it
/// follows, as `release/` does.
fn cut() -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    copy_committed_release(PREVIOUS, out.path());
    let run = release(
        &repo().join("raw"),
        &repo().join("dataset.toml"),
        out.path(),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let zip = out.path().join(format!("{NAME}.zip"));
    (out, zip)
}

fn validator(name: &str) -> std::process::Command {
    std::process::Command::new(validators().join(name))
}

#[test]
fn release_passes_bagit_py_frictionless_datacite_and_sha256sum() {
    let (out, zip) = cut();
    assert!(zip.exists());

    let check = std::process::Command::new("sha256sum")
        .args(["-c", &format!("{NAME}.zip.sha256")])
        .current_dir(out.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let dir = tempfile::tempdir().unwrap();
    extract(&zip, dir.path());
    let bag = dir.path().join(NAME);
    assert_bagit_valid(&bag);

    let frictionless = validator("frictionless")
        .args(["validate", "--json", "datapackage.json"])
        .current_dir(bag.join("data"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&frictionless.stdout).unwrap();
    assert_eq!(report["valid"], true, "frictionless: {report:#}");
    assert!(frictionless.status.success());

    let errors = datacite_errors(&bag.join("data/datacite.json"));
    assert!(errors.is_empty(), "DataCite 4.5: {errors}");
}

#[test]
fn the_bag_holds_the_layout_of_the_spec() {
    let (_out, zip) = cut();
    let dir = tempfile::tempdir().unwrap();
    extract(&zip, dir.path());
    let bag = dir.path().join(NAME);
    let files = files_below(&bag);
    for expected in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
        "data/records.jsonl",
        "data/schema/record.schema.json",
        "data/datapackage.json",
        "data/datacite.json",
        "data/README.md",
        "data/CHANGES.md",
        "data/raw/004_b9c433a55e65af57.txt",
        "data/text/004_b9c433a55e65af57.txt",
    ] {
        assert!(
            files.contains(&expected.to_owned()),
            "no {expected} in {files:?}"
        );
    }
    assert_eq!(files.len(), 22, "{files:?}");
    // Raw documents byte-identical.
    for entry in std::fs::read_dir(repo().join("raw")).unwrap() {
        let entry = entry.unwrap();
        let inside = bag.join("data/raw").join(entry.file_name());
        assert_eq!(
            std::fs::read(entry.path()).unwrap(),
            std::fs::read(inside).unwrap()
        );
    }
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    for line in [
        "Source-Organization: archivist project",
        "Bagging-Date: 2026-11-22",
        &format!("External-Identifier: {NAME}"),
        "Version: 1.0.2",
        &format!(
            "Bag-Software-Agent: archivist {}",
            env!("CARGO_PKG_VERSION")
        ),
    ] {
        assert!(info.lines().any(|l| l == line), "no `{line}` in\n{info}");
    }
    assert_eq!(
        std::fs::read_to_string(bag.join("bagit.txt")).unwrap(),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    );
    // Records: sorted by id, each matching its files and valid against the schema in the bag.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(bag.join("data/schema/record.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let jsonl = std::fs::read_to_string(bag.join("data/records.jsonl")).unwrap();
    let ids: Vec<String> = jsonl
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(validator.is_valid(&record), "{record:#}");
            let text = std::fs::read_to_string(
                bag.join("data")
                    .join(record["text"]["path"].as_str().unwrap()),
            )
            .unwrap();
            assert_eq!(record["text"]["sha256"], sha256(&text));
            record["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(ids.len(), 5);
}

#[test]
fn zip_entries_have_fixed_metadata() {
    let (_out, zip) = cut();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        assert!(name.starts_with(&format!("{NAME}/")), "{name}");
        assert_eq!(entry.unix_mode(), Some(0o100644), "{name}");
        let t = entry.last_modified().unwrap();
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2026, 11, 22, 0, 0, 0)
        );
        // Deflated, or stored where deflating would not make it smaller.
        match entry.compression() {
            zip::CompressionMethod::Deflated => {
                assert!(entry.compressed_size() < entry.size(), "{name}")
            }
            zip::CompressionMethod::Stored => {
                assert_eq!(entry.compressed_size(), entry.size(), "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(
            entry.extra_data().is_none_or(|e| e.is_empty()),
            "{name}: extra field"
        );
    }
}

/// Copy the corpus to `dir`, touching every file with `mtime` seconds since the epoch.
fn corpus_at(dir: &Path, mtime: i64) {
    copy_dir(&repo().join("raw"), &dir.join("raw"));
    std::fs::copy(repo().join("dataset.toml"), dir.join("dataset.toml")).unwrap();
    for entry in std::fs::read_dir(dir.join("raw")).unwrap() {
        let file = std::fs::File::options()
            .write(true)
            .open(entry.unwrap().path())
            .unwrap();
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime as u64);
        file.set_modified(time).unwrap();
    }
}

#[test]
fn same_inputs_give_byte_identical_zips_whatever_the_path_time_zone_locale_and_umask() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let b_deep = b.path().join("some/other/place");
    std::fs::create_dir_all(&b_deep).unwrap();
    corpus_at(a.path(), 1_000_000_000);
    corpus_at(&b_deep, 1_700_000_000);
    let first = run(archivist()
        .current_dir(a.path())
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .arg("release"));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let mut umask = std::process::Command::new("sh");
    umask
        .arg("-c")
        .arg(format!(
            "umask 077 && exec {} release",
            assert_cmd::cargo::cargo_bin("archivist").display()
        ))
        .current_dir(&b_deep)
        .env("TZ", "Asia/Baku")
        .env("LC_ALL", "az_AZ.UTF-8")
        .env_remove("RUST_LOG");
    let second = run(&mut assert_cmd::Command::from_std(umask));
    assert_eq!(second.code, 0, "{}", second.stderr);
    let zip_a = std::fs::read(a.path().join(format!("release/{NAME}.zip"))).unwrap();
    let zip_b = std::fs::read(b_deep.join(format!("release/{NAME}.zip"))).unwrap();
    assert!(zip_a == zip_b, "the two zips differ");
    assert_eq!(
        std::fs::read(a.path().join(format!("release/{NAME}.zip.sha256"))).unwrap(),
        std::fs::read(b_deep.join(format!("release/{NAME}.zip.sha256"))).unwrap()
    );
}

#[test]
fn the_committed_release_is_rebuilt_byte_for_byte() {
    // Any change of output must come with a deliberate version bump (dataset.toml `version`).
    let (out, zip) = cut();
    let committed = repo().join(format!("release/{NAME}.zip"));
    assert!(
        std::fs::read(&committed).unwrap() == std::fs::read(&zip).unwrap(),
        "release/{NAME}.zip differs from a rebuild: output changed without a version bump"
    );
    assert_eq!(
        std::fs::read(repo().join(format!("release/{NAME}.zip.sha256"))).unwrap(),
        std::fs::read(out.path().join(format!("{NAME}.zip.sha256"))).unwrap()
    );
}

#[test]
fn the_sidecar_is_one_sha256sum_line() {
    let (out, zip) = cut();
    let sidecar = std::fs::read_to_string(out.path().join(format!("{NAME}.zip.sha256"))).unwrap();
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(std::fs::read(&zip).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(sidecar, format!("{digest}  {NAME}.zip\n"));
}

#[test]
fn releasing_again_is_a_no_op_and_other_content_is_refused() {
    let dir = corpus_copy();
    let out = dir.path().join("release");
    let raw = dir.path().join("raw");
    let config = dir.path().join("dataset.toml");
    assert_eq!(release(&raw, &config, &out).code, 0);
    let zip = out.join(format!("{NAME}.zip"));
    let before = std::fs::read(&zip).unwrap();
    let modified = std::fs::metadata(&zip).unwrap().modified().unwrap();

    let again = release(&raw, &config, &out);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("identical"), "{}", again.stdout);
    assert_eq!(
        std::fs::metadata(&zip).unwrap().modified().unwrap(),
        modified
    );

    std::fs::write(raw.join("005_new.txt"), "A new document.\n").unwrap();
    let refused = release(&raw, &config, &out);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(&format!("{NAME}.zip")),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("hint:") && refused.stderr.contains("version"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read(&zip).unwrap(),
        before,
        "the released zip was touched"
    );
    assert_eq!(
        files_below(&out),
        [format!("{NAME}.zip"), format!("{NAME}.zip.sha256")]
    );

    let bumped = run(archivist()
        .arg("release")
        .arg("--raw")
        .arg(&raw)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .args(["--version", "1.1.0"]));
    assert_eq!(bumped.code, 0, "{}", bumped.stderr);
    assert!(out.join("khojaly-1992-1.1.0.zip").exists());
}

#[test]
fn an_invalid_document_writes_nothing() {
    let dir = corpus_copy();
    std::fs::write(dir.path().join("raw/005_bad.txt"), b"\xff\xfe\x00").unwrap();
    std::fs::write(dir.path().join("raw/006_empty.txt"), b"").unwrap();
    let out = dir.path().join("release");
    let run = release(
        &dir.path().join("raw"),
        &dir.path().join("dataset.toml"),
        &out,
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("006_empty.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(
        !out.exists() || files_below(&out).is_empty(),
        "{:?}",
        files_below(&out)
    );
}

#[test]
fn a_bad_version_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    let run = run(archivist()
        .args(["release", "--version", "1.0"])
        .arg("--out")
        .arg(out.path()));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--version 1.0"), "{}", run.stderr);
    assert!(files_below(out.path()).is_empty());
}

/// Run `archivist release` of the bundled corpus into `out` after `mount_command` (run as root
/// of a new user and mount namespace, so it works without privileges), then list `out` as seen
/// inside the namespace.
fn release_in_namespace(out: &Path, mount_command: &str) -> (Run, String) {
    let bin = assert_cmd::cargo::cargo_bin("archivist");
    let script = format!(
        "set -e; {mount_command}; status=0; {bin} release --out {out} || status=$?; \
         echo \"listing:$(ls -A {out} | tr '\\n' ' ')\" >&2; exit $status",
        bin = bin.display(),
        out = out.display()
    );
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["-rm", "sh", "-c", &script])
        .current_dir(repo())
        .env_remove("RUST_LOG");
    let run = run(&mut assert_cmd::Command::from_std(cmd));
    let listing = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("listing:"))
        .expect("the listing line")
        .trim()
        .to_owned();
    (run, listing)
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_only_output_folder_is_a_clear_error_with_no_debris() {
    let out = tempfile::tempdir().unwrap();
    let mount = format!("mount -o bind,ro {0} {0}", out.path().display());
    let (run, listing) = release_in_namespace(out.path(), &mount);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("Read-only file system"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&out.path().display().to_string()),
        "{}",
        run.stderr
    );
    assert!(listing.is_empty(), "debris: {listing}");
    assert!(files_below(out.path()).is_empty());
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_a_clear_error_with_no_debris() {
    let out = tempfile::tempdir().unwrap();
    // 16 KiB: the release (about 36 KB) cannot fit.
    let mount = format!("mount -t tmpfs -o size=16k tmpfs {}", out.path().display());
    let (run, listing) = release_in_namespace(out.path(), &mount);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("No space left on device"),
        "{}",
        run.stderr
    );
    assert!(listing.is_empty(), "debris: {listing}");
}

#[test]
fn archives_are_identical_at_every_thread_count() {
    // A corpus of a few hundred documents of varied sizes, encodings and languages.
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir(&raw).unwrap();
    for i in 0..300u32 {
        let words = [
            "Xocalı",
            "şəhəri",
            "Khojaly",
            "town",
            "archive",
            "sənəd",
            "February",
            "1992",
        ];
        let body: String = (0..(i * 37 % 900 + 20))
            .map(|k| words[((k * 7 + i) % 8) as usize])
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!("Document {i}\n\n{body}.\n");
        let bytes = if i % 10 == 3 {
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        } else {
            text.replace('\n', if i % 4 == 0 { "\r\n" } else { "\n" })
                .into_bytes()
        };
        std::fs::write(raw.join(format!("{i:04}.txt")), bytes).unwrap();
    }
    let mut zips = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = dir.path().join(format!("out{threads}"));
        let run = run(archivist()
            .args(["release", "--threads", threads, "--raw"])
            .arg(&raw)
            .arg("--config")
            .arg(fixture_config())
            .arg("--out")
            .arg(&out));
        assert_eq!(run.code, 0, "{}", run.stderr);
        zips.push(std::fs::read(out.join("fixture-0.1.0.zip")).unwrap());
    }
    assert!(
        zips[0] == zips[1] && zips[1] == zips[2],
        "thread count changed the archive"
    );
}

#[test]
fn ids_that_sort_unlike_their_paths_still_give_sorted_records_card_and_manifests() {
    // `a-b.txt` comes before `a.txt` by path ('-' < '.'), but id `a` comes before `a-b`; and
    // `p.b.txt` comes before `p/a.txt` ('.' < '/') while their ids and text files (`p.a`,
    // `text/p.a.txt`) sort the other way. The release gathers per document in path order and
    // must still list records, card rows and manifest lines sorted.
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir_all(raw.join("p")).unwrap();
    for (name, text) in [
        ("a-b.txt", "Second by id.\n"),
        ("a.txt", "First by id.\n"),
        ("p/a.txt", "In a folder.\n"),
        ("p.b.txt", "Beside the folder.\n"),
    ] {
        std::fs::write(raw.join(name), text).unwrap();
    }
    let out = dir.path().join("out");
    let released = release(&raw, &fixture_config(), &out);
    assert_eq!(released.code, 0, "{}", released.stderr);
    // Every document warns (none is pinned in the fixture's dataset.toml): all four shown.
    let shown = released.stderr.matches("warning[unpinned]").count();
    assert_eq!(shown, 4, "{}", released.stderr);

    let zip = out.join("fixture-0.1.0.zip");
    let bag = extract(&zip, &dir.path().join("x")).join("fixture-0.1.0");
    let records = std::fs::read_to_string(bag.join("data/records.jsonl")).unwrap();
    let ids: Vec<String> = records
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["a", "a-b", "p.a", "p.b"]);
    let card = std::fs::read_to_string(bag.join("data/README.md")).unwrap();
    let rows: Vec<&str> = card.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), 4);
    for (row, id) in rows.iter().zip(&ids) {
        assert!(row.starts_with(&format!("| `{id}` |")), "{row}");
    }
    for manifest in ["manifest-sha256.txt", "manifest-sha512.txt"] {
        let text = std::fs::read_to_string(bag.join(manifest)).unwrap();
        let paths: Vec<&str> = text
            .lines()
            .map(|l| l.split_once("  ").unwrap().1)
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "{manifest}");
        assert_eq!(paths.len(), 4 * 2 + 5, "{manifest}");
    }
    assert_bagit_valid(&bag);
    let verify = run(archivist().arg("verify").arg(&zip));
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[test]
fn a_corpus_where_every_document_warns_shows_five_of_each_kind_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir(&raw).unwrap();
    for i in 0..12 {
        std::fs::write(raw.join(format!("{i:02}.txt")), format!("Document {i}.\n")).unwrap();
    }
    let run = release(&raw, &fixture_config(), &dir.path().join("out"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("warning[unpinned]: ").count(),
        6,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning[unpinned]: ... and 7 more"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("released 12 documents"),
        "{}",
        run.stdout
    );
}
