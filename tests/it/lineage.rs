//! A dataset through versions: `archivist diff`, `release --previous` (CHANGES.md, DataCite's
//! relatedIdentifiers) and the version bump rule.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const A: &str = "000_2db9654bec47fede";
const B: &str = "001_f0194c78374355c2";
const C: &str = "002_bb24bbf64c3ddef7";
const D: &str = "003_ec9d0b69bfcdd4a5";

/// A working folder: `raw/` with the given documents of the bundled corpus, an unpinned
/// `dataset.toml` (with `extra` appended), and `out/`.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new(ids: &[&str]) -> Work {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("raw")).unwrap();
        for id in ids {
            std::fs::copy(
                repo().join(format!("raw/{id}.txt")),
                dir.path().join(format!("raw/{id}.txt")),
            )
            .unwrap();
        }
        let work = Work { dir };
        work.config("");
        work
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn config(&self, extra: &str) {
        let base = std::fs::read_to_string(fixture_config()).unwrap();
        std::fs::write(self.path("dataset.toml"), format!("{base}\n{extra}")).unwrap();
    }

    fn release(&self, version: &str, more: &[&str]) -> Run {
        run(archivist()
            .arg("release")
            .arg("--raw")
            .arg(self.path("raw"))
            .arg("--config")
            .arg(self.path("dataset.toml"))
            .arg("--out")
            .arg(self.path("out"))
            .args(["--version", version])
            .args(more))
    }

    fn zip(&self, version: &str) -> PathBuf {
        self.path(&format!("out/fixture-{version}.zip"))
    }
}

fn diff(old: &Path, new: &Path) -> Run {
    run(archivist().arg("diff").arg(old).arg(new).arg("--json"))
}

fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect()
}

#[test]
fn a_release_is_identical_to_itself_and_to_its_extracted_bag() {
    let zip = repo().join("release/khojaly-1992-1.0.2.zip");
    let same = diff(&zip, &zip);
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    assert_eq!(same.json()["identical"], true);

    let dir = tempfile::tempdir().unwrap();
    let bag = extract(&zip, dir.path());
    let text = run(archivist()
        .arg("diff")
        .arg(&zip)
        .arg(bag.join("khojaly-1992-1.0.2")));
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    assert!(text.stdout.contains("identical"), "{}", text.stdout);
}

#[test]
fn the_committed_releases_differ_only_in_version_metadata() {
    let run = diff(
        &repo().join("release/khojaly-1992-1.0.1.zip"),
        &repo().join("release/khojaly-1992-1.0.2.zip"),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["identical"], false);
    assert_eq!(report["unchanged"], 5);
    for list in ["added", "removed", "changed", "files"] {
        assert_eq!(report[list], serde_json::json!([]), "{list}");
    }
    let fields: Vec<&str> = report["dataset"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "alternateIdentifiers",
            "dates",
            "relatedIdentifiers",
            "version"
        ]
    );
    assert_eq!(report["required_bump"], "patch");
}

#[test]
fn a_new_version_lists_its_changes_names_its_predecessor_and_needs_the_right_bump() {
    let work = Work::new(&[A, B, C]);
    let first = work.release("1.0.0", &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);

    // Next version: A removed, B's raw bytes changed, C's title curated, D added.
    std::fs::remove_file(work.path(&format!("raw/{A}.txt"))).unwrap();
    let mut b = std::fs::read(work.path(&format!("raw/{B}.txt"))).unwrap();
    b.extend_from_slice(b"A sentence added in the second version.\n");
    std::fs::write(work.path(&format!("raw/{B}.txt")), b).unwrap();
    std::fs::copy(
        repo().join(format!("raw/{D}.txt")),
        work.path(&format!("raw/{D}.txt")),
    )
    .unwrap();
    work.config(&format!("[documents.{C}]\ntitle = \"A curated title\"\n"));

    // A patch bump is refused: documents were removed, changed and added. Nothing is written.
    let patch = work.release("1.0.1", &[]);
    assert_eq!(patch.code, 1, "{}{}", patch.stdout, patch.stderr);
    assert!(
        patch.stderr.contains("at least a minor bump (1.1.0)"),
        "{}",
        patch.stderr
    );
    assert!(
        patch.stderr.contains("1 document removed"),
        "{}",
        patch.stderr
    );
    assert_eq!(
        files_below(&work.path("out")),
        ["fixture-1.0.0.zip", "fixture-1.0.0.zip.sha256"]
    );

    // A minor bump is accepted; it follows 1.0.0, found in the output folder.
    let minor = work.release("1.1.0", &[]);
    assert_eq!(minor.code, 0, "{}", minor.stderr);
    let dir = tempfile::tempdir().unwrap();
    let bag = extract(&work.zip("1.1.0"), dir.path()).join("fixture-1.1.0");
    let changes = std::fs::read_to_string(bag.join("data/CHANGES.md")).unwrap();
    let old_sha = sha256_of(&work.zip("1.0.0"));
    for expected in [
        "# Changes in version 1.1.0".to_owned(),
        format!("version 1.0.0 (`fixture-1.0.0.zip`, SHA-256 `{old_sha}`)"),
        "1 added, 1 removed, 2 changed, 0 unchanged.".to_owned(),
        format!("- Added `{D}`"),
        format!("- Removed `{A}`: `raw/{A}.txt`"),
        format!("- Changed `{B}`: raw bytes changed"),
        format!("- Changed `{C}`: metadata changed; raw bytes and normalized text unchanged"),
        "  - `title`: `\"The horrible tragedy".to_owned(),
        "→ `\"A curated title\"`".to_owned(),
    ] {
        assert!(changes.contains(&expected), "no `{expected}` in\n{changes}");
    }
    let datacite: Value =
        serde_json::from_slice(&std::fs::read(bag.join("data/datacite.json")).unwrap()).unwrap();
    let related = &datacite["relatedIdentifiers"][0];
    assert_eq!(related["relationType"], "IsNewVersionOf");
    let ni = related["relatedIdentifier"].as_str().unwrap();
    assert!(ni.starts_with("ni:///sha-256;"), "{ni}");
    assert_eq!(ni.len(), "ni:///sha-256;".len() + 43, "{ni}");
    let errors = datacite_errors(&bag.join("data/datacite.json"));
    assert!(errors.is_empty(), "DataCite 4.5: {errors}");
    assert_bagit_valid(&bag);
    let package: Value =
        serde_json::from_slice(&std::fs::read(bag.join("data/datapackage.json")).unwrap()).unwrap();
    assert!(
        package["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"] == "CHANGES.md"),
        "CHANGES.md is not in the data package"
    );

    // diff says the same, with old and new values.
    let report = diff(&work.zip("1.0.0"), &work.zip("1.1.0"));
    assert_eq!(report.code, 1);
    let report = report.json();
    assert_eq!(ids(&report["added"]), [D]);
    assert_eq!(ids(&report["removed"]), [A]);
    assert_eq!(ids(&report["changed"]), [B, C]);
    let b_change = &report["changed"][0];
    assert_eq!(
        (b_change["raw"].as_bool(), b_change["text"].as_bool()),
        (Some(true), Some(true))
    );
    let c_change = &report["changed"][1];
    assert_eq!(c_change["raw"], false);
    assert_eq!(c_change["text"], false);
    let title = c_change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "title")
        .expect("the title change is listed");
    assert_eq!(title["new"], "A curated title");
    assert!(
        title["old"]
            .as_str()
            .unwrap()
            .starts_with("The horrible tragedy")
    );
    assert!(
        c_change["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "curated"),
        "{c_change:#}"
    );
    assert_eq!(report["required_bump"], "minor");

    // A change of metadata only needs a patch; verify accepts the release with CHANGES.md.
    work.config(&format!(
        "[documents.{C}]\ntitle = \"Another curated title\"\n"
    ));
    let patch = work.release("1.1.1", &[]);
    assert_eq!(patch.code, 0, "{}", patch.stderr);
    let verified = run(archivist().arg("verify").arg(work.zip("1.1.1")));
    assert_eq!(verified.code, 0, "{}", verified.stdout);
    let text = run(archivist()
        .arg("diff")
        .arg(work.zip("1.1.0"))
        .arg(work.zip("1.1.1")));
    assert_eq!(text.code, 1);
    assert!(
        text.stdout
            .contains("title: \"A curated title\" -> \"Another curated title\""),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("needs at least a patch version bump"),
        "{}",
        text.stdout
    );
}

#[test]
fn the_previous_release_must_come_before_and_be_intact() {
    let work = Work::new(&[A]);
    assert_eq!(work.release("1.0.0", &[]).code, 0);
    assert_eq!(work.release("1.1.0", &[]).code, 0);

    // An explicit predecessor that is not earlier is refused.
    let later = work.zip("1.1.0");
    let run_back = work.release("1.0.5", &["--previous", later.to_str().unwrap()]);
    assert_eq!(run_back.code, 1, "{}", run_back.stderr);
    assert!(
        run_back.stderr.contains("does not come before"),
        "{}",
        run_back.stderr
    );
    assert!(!work.zip("1.0.5").exists());

    // A damaged predecessor is not used.
    let mut bytes = std::fs::read(&later).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&later, bytes).unwrap();
    let damaged = work.release("1.2.0", &[]);
    assert_eq!(damaged.code, 1, "{}", damaged.stderr);
    assert!(
        damaged.stderr.contains("fixture-1.1.0.zip"),
        "{}",
        damaged.stderr
    );
    assert!(damaged.stderr.contains("not intact"), "{}", damaged.stderr);
    assert!(!work.zip("1.2.0").exists());

    // --first ignores what the output folder holds: no CHANGES.md, no related identifier.
    let first = work.release("2.0.0", &["--first"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let dir = tempfile::tempdir().unwrap();
    let bag = extract(&work.zip("2.0.0"), dir.path()).join("fixture-2.0.0");
    assert!(!bag.join("data/CHANGES.md").exists());
    let datacite = std::fs::read_to_string(bag.join("data/datacite.json")).unwrap();
    assert!(!datacite.contains("relatedIdentifiers"), "{datacite}");

    // diff does not compare a damaged release: exit 2 (1 means "they differ"), naming it.
    let refused = diff(&work.zip("1.0.0"), &later);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("fixture-1.1.0.zip"),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty());
}

#[test]
fn release_1_1_0_differs_from_1_0_2_in_the_records_evidence_and_their_schema_only() {
    // Issue 16: the records gained `evidence`; the documents, their texts and the extracted
    // values are the same.
    let run = diff(
        &repo().join("release/khojaly-1992-1.0.2.zip"),
        &repo().join("release/khojaly-1992-1.1.0.zip"),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    for list in ["added", "removed"] {
        assert_eq!(report[list], serde_json::json!([]), "{list}");
    }
    let changed = report["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 5);
    for doc in changed {
        let fields: Vec<&str> = doc["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["evidence"], "{doc}");
        assert_eq!(doc["raw"], false);
        assert_eq!(doc["text"], false);
    }
    assert_eq!(report["required_bump"], "minor");
}
