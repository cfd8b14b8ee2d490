//! `archivist deposit`: OCFL storage roots judged by ocfl-validate.py and rocfl, crash points,
//! refusals and locking; InvenioRDM through a protocol fake of its REST API.

use crate::invenio_fake::{FakeInvenio, TOKEN};
use crate::support::*;
use std::path::{Path, PathBuf};

const NAME: &str = "khojaly-1992-1.0.0";

fn committed_zip() -> PathBuf {
    repo().join(format!("release/{NAME}.zip"))
}

/// A second release, 1.1.0, with one more document, cut into `dir/release`.
fn second_release(dir: &Path) -> PathBuf {
    copy_dir(&repo().join("raw"), &dir.join("raw"));
    std::fs::copy(repo().join("dataset.toml"), dir.join("dataset.toml")).unwrap();
    std::fs::write(
        dir.join("raw/005_new.txt"),
        "A new document.\n\nIts body text.\n",
    )
    .unwrap();
    let run = run(archivist()
        .current_dir(dir)
        .args(["release", "--version", "1.1.0"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir.join("release/khojaly-1992-1.1.0.zip")
}

/// The depositor the tests name.
pub const USER: [&str; 4] = [
    "--user",
    "archivist tests",
    "--address",
    "mailto:tests@example.org",
];

pub fn deposit_ocfl(zip: &Path, root: &Path) -> Run {
    run(archivist()
        .arg("deposit")
        .arg(zip)
        .arg("--ocfl")
        .arg(root)
        .args(USER))
}

/// The one object below a storage root.
pub fn object_dir(root: &Path) -> PathBuf {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.join("0=ocfl_object_1.1").exists() {
            found.push(d);
            continue;
        }
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() && e.file_name() != "extensions" {
                stack.push(e.path());
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

pub fn ocfl_validate(object: &Path) -> std::process::Output {
    std::process::Command::new(validators().join("ocfl-validate.py"))
        .arg(object)
        .output()
        .unwrap()
}

pub fn rocfl() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let out = std::process::Command::new("bash")
            .arg(repo().join("scripts/rocfl.sh"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "could not provision rocfl:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
    .clone()
}

fn inventory(object: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(object.join("inventory.json")).unwrap()).unwrap()
}

#[test]
fn two_releases_make_two_versions_that_ocfl_py_and_rocfl_accept() {
    let work = tempfile::tempdir().unwrap();
    let second = second_release(&work.path().join("next"));
    let root = work.path().join("root");

    let first = deposit_ocfl(&committed_zip(), &root);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("as v1"), "{}", first.stdout);
    let object = object_dir(&root);
    let out = ocfl_validate(&object);
    assert!(
        out.status.success(),
        "ocfl-validate.py after v1: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let next = deposit_ocfl(&second, &root);
    assert_eq!(next.code, 0, "{}{}", next.stdout, next.stderr);
    assert!(next.stdout.contains("as v2"), "{}", next.stdout);
    let out = ocfl_validate(&object);
    assert!(
        out.status.success(),
        "ocfl-validate.py after v2: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = std::process::Command::new(rocfl())
        .arg("-r")
        .arg(&root)
        .arg("validate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rocfl: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The layout: root declaration, layout extension, object where 0004 puts it.
    assert_eq!(
        std::fs::read_to_string(root.join("0=ocfl_1.1")).unwrap(),
        "ocfl_1.1\n"
    );
    let layout: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("ocfl_layout.json")).unwrap()).unwrap();
    assert_eq!(layout["extension"], "0004-hashed-n-tuple-storage-layout");
    let inv = inventory(&object);
    let id = inv["id"].as_str().unwrap();
    assert_eq!(id, "urn:uuid:07964e9d-81a4-46fd-b10e-988e1e857cfc");
    let digest = sha256(id);
    assert_eq!(
        object,
        root.join(&digest[0..3])
            .join(&digest[3..6])
            .join(&digest[6..9])
            .join(&digest)
    );

    // Versions: v1, v2; created to the second with a zone; message names the release; user.
    assert_eq!(inv["head"], "v2");
    let v2 = &inv["versions"]["v2"];
    assert!(
        v2["message"]
            .as_str()
            .unwrap()
            .contains("khojaly-1992-1.1.0")
    );
    assert_eq!(v2["user"]["name"], "archivist tests");
    assert_eq!(v2["user"]["address"], "mailto:tests@example.org");
    let created = v2["created"].as_str().unwrap();
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
    // The state of v2 is exactly the bag's files.
    let state_paths: Vec<String> = v2["state"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| {
            p.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned())
        })
        .collect();
    let bag = tempfile::tempdir().unwrap();
    extract(&second, bag.path());
    let mut bag_files = files_below(&bag.path().join("khojaly-1992-1.1.0"));
    let (mut release_files, mut state_sorted): (Vec<String>, Vec<String>) = state_paths
        .iter()
        .cloned()
        .partition(|p| p.starts_with("release/"));
    state_sorted.sort();
    bag_files.sort();
    assert_eq!(state_sorted, bag_files);
    // Beside the bag: the release's sidecar and its zip recipe.
    release_files.sort();
    let n = "khojaly-1992-1.1.0";
    assert_eq!(
        release_files,
        [
            format!("release/{n}.zip.recipe.json"),
            format!("release/{n}.zip.sha256"),
            format!("release/{n}.zip.skeleton"),
        ]
    );
    // Unchanged content is not stored again.
    let v2_content = files_below(&object.join("v2/content"));
    assert!(
        v2_content.contains(&"data/raw/005_new.txt".to_owned()),
        "{v2_content:?}"
    );
    assert!(
        !v2_content
            .iter()
            .any(|f| f.starts_with("data/raw/00") && !f.contains("005")),
        "{v2_content:?}"
    );
    // Inventories are plain UTF-8 JSON with sidecars.
    let sidecar = std::fs::read_to_string(object.join("inventory.json.sha512")).unwrap();
    let digest: String = {
        use sha2::Digest;
        sha2::Sha512::digest(std::fs::read(object.join("inventory.json")).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(sidecar, format!("{digest} inventory.json\n"));

    // Our own audit agrees, on the root and on the object.
    for path in [&root, &object] {
        let audit = run(archivist().arg("verify").arg(path));
        assert_eq!(audit.code, 0, "{}", audit.stdout);
    }
}

#[test]
fn the_head_again_is_a_no_op_and_older_or_different_releases_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let second = second_release(&work.path().join("next"));
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed_zip(), &root).code, 0);
    assert_eq!(deposit_ocfl(&second, &root).code, 0);
    let object = object_dir(&root);
    let before = std::fs::read(object.join("inventory.json")).unwrap();

    let again = deposit_ocfl(&second, &root);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("already v2"), "{}", again.stdout);

    let older = deposit_ocfl(&committed_zip(), &root);
    assert_eq!(older.code, 1);
    assert!(older.stderr.contains("older"), "{}", older.stderr);

    // Another 1.1.0 with other content.
    let other = work.path().join("other");
    copy_dir(&repo().join("raw"), &other.join("raw"));
    std::fs::copy(repo().join("dataset.toml"), other.join("dataset.toml")).unwrap();
    std::fs::write(other.join("raw/005_other.txt"), "Another new document.\n").unwrap();
    assert_eq!(
        run(archivist()
            .current_dir(&other)
            .args(["release", "--version", "1.1.0"]))
        .code,
        0
    );
    let clash = deposit_ocfl(&other.join("release/khojaly-1992-1.1.0.zip"), &root);
    assert_eq!(clash.code, 1);
    assert!(clash.stderr.contains("other content"), "{}", clash.stderr);

    assert_eq!(
        std::fs::read(object.join("inventory.json")).unwrap(),
        before,
        "the object changed"
    );
    assert!(!root.join("extensions/archivist-staging").exists());
}

#[test]
fn a_crash_at_any_point_leaves_the_object_valid_and_the_next_deposit_completes() {
    let work = tempfile::tempdir().unwrap();
    let second = second_release(&work.path().join("next"));
    for point in ["ocfl-staged", "ocfl-before-move", "ocfl-after-move"] {
        let root = work.path().join(format!("root-{point}"));
        // A crash while creating the object: no object, or a whole one.
        let crashed = run(archivist()
            .env("ARCHIVIST_FAILPOINT", point)
            .arg("deposit")
            .arg(committed_zip())
            .arg("--ocfl")
            .arg(&root)
            .args(USER));
        assert_ne!(crashed.code, 0, "{point}: the failpoint did not fire");
        if let Some(object) = find_object(&root) {
            assert!(
                ocfl_validate(&object).status.success(),
                "{point}: invalid object after a crash in v1"
            );
        }
        assert_eq!(
            deposit_ocfl(&committed_zip(), &root).code,
            0,
            "{point}: the next deposit of v1"
        );
        let object = object_dir(&root);
        let head_before = std::fs::read(object.join("inventory.json")).unwrap();

        // A crash while adding v2: the previous head intact, or v2 whole.
        let crashed = run(archivist()
            .env("ARCHIVIST_FAILPOINT", point)
            .arg("deposit")
            .arg(&second)
            .arg("--ocfl")
            .arg(&root)
            .args(USER));
        assert_ne!(crashed.code, 0, "{point}: the failpoint did not fire");
        let out = ocfl_validate(&object);
        assert!(
            out.status.success(),
            "{point}: invalid after a crash in v2: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let head_now = std::fs::read(object.join("inventory.json")).unwrap();
        if point != "ocfl-after-move" {
            assert_eq!(head_now, head_before, "{point}: the previous head changed");
        }
        let next = deposit_ocfl(&second, &root);
        assert_eq!(next.code, 0, "{point}: {}", next.stderr);
        assert_eq!(inventory(&object)["head"], "v2");
        assert!(ocfl_validate(&object).status.success());
        // Whether it added v2 or found v2 the head already, the next deposit clears what the
        // killed one left.
        assert!(
            !root.join("extensions/archivist-staging").exists(),
            "{point}: staging left after the next deposit"
        );
    }
}

fn find_object(root: &Path) -> Option<PathBuf> {
    root.exists().then(|| {
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            if d.join("0=ocfl_object_1.1").exists() {
                return Some(d);
            }
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.file_type().unwrap().is_dir() && e.file_name() != "extensions" {
                    stack.push(e.path());
                }
            }
        }
        None
    })?
}

#[test]
fn racing_deposits_do_not_interleave() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    let deposit = || {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("archivist"));
        cmd.current_dir(repo())
            .arg("deposit")
            .arg(committed_zip())
            .arg("--ocfl")
            .arg(&root)
            .args(USER);
        cmd
    };
    let (a, b) = race(deposit(), deposit());
    assert!(a.status.success() && b.status.success(), "{a:?}\n{b:?}");
    let outs = both_stdout(&a, &b);
    assert_eq!(outs.matches("as v1").count(), 1, "{outs}");
    assert_eq!(outs.matches("already v1").count(), 1, "{outs}");
    assert!(ocfl_validate(&object_dir(&root)).status.success());
}

#[test]
fn a_damaged_release_is_never_deposited() {
    let work = tempfile::tempdir().unwrap();
    let zip = work.path().join(format!("{NAME}.zip"));
    let mut bytes = std::fs::read(committed_zip()).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0xFF;
    std::fs::write(&zip, bytes).unwrap();
    let root = work.path().join("root");
    let run = deposit_ocfl(&zip, &root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing was deposited"),
        "{}",
        run.stderr
    );
    assert!(!root.exists());
}

/// The committed 1.0.2 with its DataCite identifier taken out, still an intact bag: an old or
/// foreign release that names no dataset (archivist itself no longer cuts one). `datacite.json`
/// keeps its length (Payload-Oxum), its digests are made again in `datapackage.json`, the
/// manifests and the tag manifests, and the bag is zipped with the zip crate.
fn release_without_identifier(dir: &Path) -> PathBuf {
    use sha2::Digest;
    let top = "khojaly-1992-1.0.2";
    extract(&repo().join(format!("release/{top}.zip")), dir);
    let bag = dir.join(top);
    let path = bag.join("data/datacite.json");
    let original = std::fs::read(&path).unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&original).unwrap();
    value["alternateIdentifiers"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["alternateIdentifierType"] == "Local");
    let mut changed = serde_json::to_vec_pretty(&value).unwrap();
    assert!(changed.len() < original.len());
    changed.resize(original.len() - 1, b' ');
    changed.push(b'\n');
    std::fs::write(&path, &changed).unwrap();
    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let package = bag.join("data/datapackage.json");
    let text = std::fs::read_to_string(&package).unwrap().replace(
        &hex(&sha2::Sha256::digest(&original)),
        &hex(&sha2::Sha256::digest(&changed)),
    );
    std::fs::write(&package, text).unwrap();
    let rehash = |manifest: &str, files: &[&str]| {
        let manifest = bag.join(manifest);
        let sha512 = manifest.to_string_lossy().contains("sha512");
        let lines: Vec<String> = std::fs::read_to_string(&manifest)
            .unwrap()
            .lines()
            .map(|line| {
                let (digest, file) = line.split_once("  ").unwrap();
                if !files.contains(&file) {
                    return format!("{digest}  {file}");
                }
                let data = std::fs::read(bag.join(file)).unwrap();
                let digest = if sha512 {
                    hex(&sha2::Sha512::digest(&data))
                } else {
                    hex(&sha2::Sha256::digest(&data))
                };
                format!("{digest}  {file}")
            })
            .collect();
        std::fs::write(&manifest, lines.join("\n") + "\n").unwrap();
    };
    for manifest in ["manifest-sha256.txt", "manifest-sha512.txt"] {
        rehash(manifest, &["data/datacite.json", "data/datapackage.json"]);
    }
    for manifest in ["tagmanifest-sha256.txt", "tagmanifest-sha512.txt"] {
        rehash(manifest, &["manifest-sha256.txt", "manifest-sha512.txt"]);
    }
    let zip_path = dir.join(format!("{top}.zip"));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for file in files_below(&bag) {
        zip.start_file(
            format!("{top}/{file}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(bag.join(&file)).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    zip_path
}

#[test]
fn a_release_without_identifier_is_refused_with_the_fix() {
    let work = tempfile::tempdir().unwrap();
    let zip = release_without_identifier(work.path());
    let verified = run(archivist().arg("verify").arg(&zip));
    assert_eq!(
        verified.code, 0,
        "the doctored release must be intact: {}",
        verified.stdout
    );
    let root = work.path().join("root");
    let run = deposit_ocfl(&zip, &root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("names no dataset identifier")
            && run.stderr.contains("hint: set `identifier`"),
        "{}",
        run.stderr
    );
    assert!(!root.exists(), "a refused deposit made the root");
}

/// OCFL conformance fixtures: good and warn objects pass (warnings reported), bad objects fail
/// naming one of the codes their folder name gives.
#[test]
fn ocfl_conformance_fixtures() {
    let suite = repo().join("../shared/conformance/ocfl/1.1");
    let mut checked = 0;
    for (group, expected) in [("good-objects", 0), ("warn-objects", 0), ("bad-objects", 1)] {
        for entry in std::fs::read_dir(suite.join(group)).unwrap() {
            let dir = entry.unwrap().path();
            let run = run(archivist().arg("verify").arg("--json").arg(&dir));
            assert_eq!(run.code, expected, "{}: {}", dir.display(), run.stdout);
            let report = run.json();
            let codes: Vec<&str> = report["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["code"].as_str().unwrap())
                .collect();
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let named: Vec<&str> = name
                .split('_')
                .filter(|p| p.len() == 4 && (p.starts_with('E') || p.starts_with('W')))
                .collect();
            if group != "good-objects" {
                assert!(
                    named.iter().any(|c| codes.contains(c)),
                    "{name}: reported {codes:?}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 80, "{checked}");
}

#[test]
fn auditing_finds_a_damaged_content_file() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed_zip(), &root).code, 0);
    let object = object_dir(&root);
    std::fs::write(
        object.join("v1/content/data/raw/002_bb24bbf64c3ddef7.txt"),
        "changed",
    )
    .unwrap();
    let run = run(archivist().arg("verify").arg("--json").arg(&root));
    assert_eq!(run.code, 1);
    let report = run.json();
    let p = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "E092")
        .expect("E092");
    assert!(
        p["path"]
            .as_str()
            .unwrap()
            .ends_with("002_bb24bbf64c3ddef7.txt")
    );
}

// ---- InvenioRDM, against the protocol fake ----

fn deposit_invenio(fake: &FakeInvenio, config: Option<&Path>, extra: &[&str]) -> Run {
    let mut cmd = archivist();
    cmd.arg("deposit")
        .arg(committed_zip())
        .arg("--invenio")
        .arg(&fake.url)
        .env("INVENIO_TOKEN", TOKEN)
        .args(extra);
    if let Some(config) = config {
        cmd.arg("--config").arg(config);
    }
    run(&mut cmd)
}

#[test]
fn invenio_the_whole_sequence_leaves_a_draft_with_metadata_and_files() {
    let fake = FakeInvenio::start();
    let run = deposit_invenio(&fake, None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("{}/uploads/rec1", fake.url)),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("[invenio] record = \"rec1\""),
        "{}",
        run.stdout
    );
    let state = fake.state();
    assert_eq!(
        state.log,
        [
            "POST /api/records",
            "PUT /api/records/rec1/draft",
            "POST /api/records/rec1/draft/files",
            &format!("PUT /api/records/rec1/draft/files/{NAME}.zip/content"),
            &format!("POST /api/records/rec1/draft/files/{NAME}.zip/commit"),
            "POST /api/records/rec1/draft/files",
            &format!("PUT /api/records/rec1/draft/files/{NAME}.zip.sha256/content"),
            &format!("POST /api/records/rec1/draft/files/{NAME}.zip.sha256/commit"),
        ]
    );
    assert!(state.published.is_empty(), "published without --publish");
    assert_eq!(
        state.files[&format!("rec1/{NAME}.zip")],
        std::fs::read(committed_zip()).unwrap()
    );
    let m = &state.metadata["rec1"];
    assert_eq!(m["resource_type"]["id"], "dataset");
    assert_eq!(m["version"], "1.0.0");
    assert_eq!(m["publication_date"], "2026-11-21");
    assert_eq!(m["publisher"], "archivist project");
    assert_eq!(
        m["languages"],
        serde_json::json!([{"id": "aze"}, {"id": "eng"}])
    );
    assert_eq!(
        m["rights"][0]["link"],
        "http://rightsstatements.org/vocab/UND/1.0/"
    );
    assert_eq!(m["creators"][0]["person_or_org"]["type"], "organizational");
    assert!(
        m["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["subject"] == "Xocalı")
    );
    // The token went only into the Authorization header.
    assert!(state.auth.iter().all(|a| a == &format!("Bearer {TOKEN}")));
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[test]
fn invenio_publish_and_new_version_of_a_known_record() {
    let fake = FakeInvenio::start();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("dataset.toml");
    let text = std::fs::read_to_string(repo().join("dataset.toml")).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[invenio]\nrecord = \"abc12-3def4\"\n"),
    )
    .unwrap();
    let run = deposit_invenio(&fake, Some(&config), &["--publish", "-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let state = fake.state();
    assert_eq!(state.log[0], "POST /api/records/abc12-3def4/versions");
    assert_eq!(
        state.log.last().unwrap(),
        "POST /api/records/rec1/draft/actions/publish"
    );
    assert_eq!(state.published, ["rec1"]);
    assert!(
        run.stdout.contains("published record rec1"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[test]
fn invenio_a_checksum_mismatch_stops_before_publishing() {
    let fake = FakeInvenio::start();
    fake.state().wrong_checksum = true;
    let run = deposit_invenio(&fake, None, &["--publish"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("checksum"), "{}", run.stderr);
    assert!(fake.state().published.is_empty());
}

#[test]
fn invenio_429_and_503_are_retried_then_succeed() {
    let fake = FakeInvenio::start();
    fake.state()
        .fail
        .insert("POST /api/records".into(), (429, 2));
    fake.state()
        .fail
        .insert("PUT /api/records/rec1/draft".into(), (503, 1));
    let run = deposit_invenio(&fake, None, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let state = fake.state();
    assert_eq!(
        state
            .log
            .iter()
            .filter(|l| *l == "POST /api/records")
            .count(),
        3
    );
    assert_eq!(
        state
            .log
            .iter()
            .filter(|l| *l == "PUT /api/records/rec1/draft")
            .count(),
        2
    );
}

#[test]
fn invenio_other_errors_stop_with_the_servers_message() {
    let fake = FakeInvenio::start();
    fake.state()
        .fail
        .insert("POST /api/records".into(), (400, 1));
    let run = deposit_invenio(&fake, None, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("HTTP 400") && run.stderr.contains("Try again later."),
        "{}",
        run.stderr
    );
    assert_eq!(fake.state().log.len(), 1, "a 400 is not retried");
}

#[test]
fn invenio_without_a_token_is_a_clear_error() {
    let fake = FakeInvenio::start();
    let run = run(archivist()
        .arg("deposit")
        .arg(committed_zip())
        .arg("--invenio")
        .arg(&fake.url)
        .env_remove("INVENIO_TOKEN"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("INVENIO_TOKEN"), "{}", run.stderr);
    assert!(
        fake.state().log.is_empty(),
        "nothing may be sent without a token"
    );
}
