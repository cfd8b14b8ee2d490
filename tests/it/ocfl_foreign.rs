//! Issue 15: depositing into the OCFL repositories that exist. Objects and roots are made by rocfl
//! and ocfl-py themselves (every layout, zero-padded versions, other content directories, sha256,
//! OCFL 1.0, fixity blocks); archivist extends them, and both tools judge the result. A refused
//! deposit changes no byte of the root; `retrieve` gives back every committed release byte for
//! byte; `log` lists what a root holds.

use crate::deposit::{USER, deposit_ocfl, ocfl_validate, rocfl};
use crate::support::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The dataset's identifier, as its releases carry it.
const ID: &str = "urn:uuid:07964e9d-81a4-46fd-b10e-988e1e857cfc";

fn committed(version: &str) -> PathBuf {
    repo().join(format!("release/khojaly-1992-{version}.zip"))
}

fn rocfl_run(root: &Path, args: &[&str]) {
    let out = std::process::Command::new(rocfl())
        .arg("-r")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rocfl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A storage root made by rocfl (`init` with `init` args) holding the object `ID` with one
/// committed version (`new` with `new` args) of two files.
fn rocfl_root(dir: &Path, name: &str, init: &[&str], new: &[&str]) -> PathBuf {
    let root = dir.join(name);
    let files = dir.join(format!("{name}-files"));
    std::fs::create_dir_all(files.join("sub")).unwrap();
    std::fs::write(files.join("notes.txt"), format!("notes of {name}\n")).unwrap();
    std::fs::write(files.join("sub/more.txt"), "more\n").unwrap();
    let mut args = vec!["init"];
    args.extend_from_slice(init);
    rocfl_run(&root, &args);
    let mut args = vec!["new"];
    args.extend_from_slice(new);
    args.push(ID);
    rocfl_run(&root, &args);
    rocfl_run(
        &root,
        &[
            "cp",
            "-r",
            ID,
            files.join("notes.txt").to_str().unwrap(),
            files.join("sub").to_str().unwrap(),
            "--",
            "/",
        ],
    );
    rocfl_run(
        &root,
        &[
            "commit",
            "-n",
            "rocfl user",
            "-a",
            "mailto:r@example.org",
            "-m",
            "made by rocfl",
            ID,
        ],
    );
    root
}

/// Every object below a root (not in `extensions`).
fn objects(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries: Vec<_> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap()).collect();
        if entries.iter().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("0=ocfl_object_")
        }) {
            found.push(d);
            continue;
        }
        for e in entries {
            if e.file_type().unwrap().is_dir() && !(d == root && e.file_name() == "extensions") {
                stack.push(e.path());
            }
        }
    }
    found.sort();
    found
}

fn inventory(object: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(object.join("inventory.json")).unwrap()).unwrap()
}

/// Both independent validators accept the object (ocfl-validate.py) and the root (rocfl).
fn assert_valid(root: &Path, object: &Path, case: &str) {
    let out = ocfl_validate(object);
    assert!(
        out.status.success(),
        "{case}: ocfl-validate.py: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = std::process::Command::new(rocfl())
        .arg("-r")
        .arg(root)
        .arg("validate")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && printed.contains("Invalid objects: 0"),
        "{case}: rocfl validate: {printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit = run(archivist().arg("verify").arg(root));
    assert_eq!(audit.code, 0, "{case}: archivist verify: {}", audit.stdout);
}

/// The head of `object` is the release `name`: its state holds the bag and the release's files.
fn assert_head_is(object: &Path, name: &str) {
    let inv = inventory(object);
    let head = inv["head"].as_str().unwrap();
    let state = &inv["versions"][head]["state"];
    let paths: Vec<&str> = state
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap().iter().map(|p| p.as_str().unwrap()))
        .collect();
    for wanted in [
        "bagit.txt".to_owned(),
        "data/records.jsonl".to_owned(),
        format!("release/{name}.zip.sha256"),
        format!("release/{name}.zip.recipe.json"),
    ] {
        assert!(
            paths.contains(&wanted.as_str()),
            "{wanted} not in {paths:?}"
        );
    }
    assert!(
        inv["versions"][head]["message"]
            .as_str()
            .unwrap()
            .contains(name)
    );
}

/// Every path below `root` (folders too) with the bytes of each file.
fn snapshot(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(root).unwrap().display().to_string();
            if e.file_type().unwrap().is_dir() {
                all.insert(rel, None);
                stack.push(e.path());
            } else {
                all.insert(rel, Some(std::fs::read(e.path()).unwrap()));
            }
        }
    }
    all
}

fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (case, rocfl init args, rocfl new args, where the object must be, head after the deposit)
type Case<'a> = (&'a str, Vec<&'a str>, Vec<&'a str>, String, &'a str);

#[test]
fn release_1_0_2_extends_every_kind_of_object_rocfl_makes_by_the_spec() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let digest = sha256(ID);
    let configs = [
        (
            "c0004.json",
            r#"{"extensionName":"0004-hashed-n-tuple-storage-layout","digestAlgorithm":"sha256","tupleSize":2,"numberOfTuples":2,"shortObjectRoot":true}"#,
        ),
        (
            "c0004md5.json",
            r#"{"extensionName":"0004-hashed-n-tuple-storage-layout","digestAlgorithm":"md5","tupleSize":4,"numberOfTuples":1,"shortObjectRoot":false}"#,
        ),
        (
            "c0006.json",
            r#"{"extensionName":"0006-flat-omit-prefix-storage-layout","delimiter":"UUID:"}"#,
        ),
        (
            "c0007.json",
            r#"{"extensionName":"0007-n-tuple-omit-prefix-storage-layout","delimiter":":","tupleSize":4,"numberOfTuples":2,"zeroPadding":"left","reverseObjectRoot":true}"#,
        ),
    ];
    for (name, text) in configs {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let config = |name: &str| dir.join(name).display().to_string();
    let (c0004, c0004md5, c0006, c0007) = (
        config("c0004.json"),
        config("c0004md5.json"),
        config("c0006.json"),
        config("c0007.json"),
    );
    let md5_of_id: String = {
        use md5::Digest;
        md5::Md5::digest(ID.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let cases: Vec<Case> = vec![
        (
            "rocfl-default",
            vec![],
            vec![],
            format!(
                "{}/{}/{}/{digest}",
                &digest[0..3],
                &digest[3..6],
                &digest[6..9]
            ),
            "v2",
        ),
        (
            "zero-padded",
            vec![],
            vec!["-z", "4"],
            format!(
                "{}/{}/{}/{digest}",
                &digest[0..3],
                &digest[3..6],
                &digest[6..9]
            ),
            "v0002",
        ),
        (
            "content-directory",
            vec![],
            vec!["-c", "payload"],
            format!(
                "{}/{}/{}/{digest}",
                &digest[0..3],
                &digest[3..6],
                &digest[6..9]
            ),
            "v2",
        ),
        (
            "ocfl-1.0-object",
            vec![],
            vec!["-v", "1.0"],
            format!(
                "{}/{}/{}/{digest}",
                &digest[0..3],
                &digest[3..6],
                &digest[6..9]
            ),
            "v2",
        ),
        (
            "ocfl-1.0-root",
            vec!["-v", "1.0"],
            vec![],
            format!(
                "{}/{}/{}/{digest}",
                &digest[0..3],
                &digest[3..6],
                &digest[6..9]
            ),
            "v2",
        ),
        (
            "sha256-object",
            vec![],
            vec!["-d", "sha256"],
            format!(
                "{}/{}/{}/{digest}",
                &digest[0..3],
                &digest[3..6],
                &digest[6..9]
            ),
            "v2",
        ),
        (
            "0004-two-tuples-short-root",
            vec!["-c", &c0004],
            vec![],
            format!("{}/{}/{}", &digest[0..2], &digest[2..4], &digest[4..]),
            "v2",
        ),
        (
            "0004-md5-one-tuple",
            vec!["-c", &c0004md5],
            vec![],
            format!("{}/{md5_of_id}", &md5_of_id[0..4]),
            "v2",
        ),
        (
            "0002-flat-direct",
            vec!["-l", "0002-flat-direct-storage-layout"],
            vec![],
            ID.to_owned(),
            "v2",
        ),
        (
            "0003-hash-and-id",
            vec!["-l", "0003-hash-and-id-n-tuple-storage-layout"],
            vec![],
            format!(
                "{}/{}/{}/urn%3auuid%3a07964e9d-81a4-46fd-b10e-988e1e857cfc",
                &digest[0..3],
                &digest[3..6],
                &digest[6..9]
            ),
            "v2",
        ),
        (
            "0006-flat-omit-prefix",
            vec!["-l", "0006-flat-omit-prefix-storage-layout", "-c", &c0006],
            vec![],
            "07964e9d-81a4-46fd-b10e-988e1e857cfc".to_owned(),
            "v2",
        ),
        (
            "0007-n-tuple-omit-prefix",
            vec![
                "-l",
                "0007-n-tuple-omit-prefix-storage-layout",
                "-c",
                &c0007,
            ],
            vec![],
            "cfc7/58e1/07964e9d-81a4-46fd-b10e-988e1e857cfc".to_owned(),
            "v2",
        ),
    ];
    for (case, init, new, path, head) in cases {
        let root = rocfl_root(dir, case, &init, &new);
        let object = root.join(&path);
        assert_eq!(
            objects(&root),
            std::slice::from_ref(&object),
            "{case}: rocfl put it elsewhere"
        );
        let before = inventory(&object);
        let v1 = before["head"].as_str().unwrap().to_owned();
        let v1_inventory = std::fs::read(object.join(&v1).join("inventory.json")).unwrap();

        let deposited = deposit_ocfl(&committed("1.0.2"), &root);
        assert_eq!(
            deposited.code, 0,
            "{case}: {}{}",
            deposited.stdout, deposited.stderr
        );
        assert!(
            deposited.stdout.contains(&format!("as {head} of `{ID}`")),
            "{case}: {}",
            deposited.stdout
        );
        assert_eq!(
            objects(&root),
            std::slice::from_ref(&object),
            "{case}: a second object"
        );
        assert_valid(&root, &object, case);
        assert_head_is(&object, "khojaly-1992-1.0.2");

        // What the object was stays as it was; what it is keeps its conventions.
        assert_eq!(
            std::fs::read(object.join(&v1).join("inventory.json")).unwrap(),
            v1_inventory,
            "{case}: the first version's inventory changed"
        );
        let after = inventory(&object);
        assert_eq!(after["head"], head, "{case}");
        assert_eq!(
            after["digestAlgorithm"], before["digestAlgorithm"],
            "{case}"
        );
        assert_eq!(after["versions"][&v1], before["versions"][&v1], "{case}");
        let algorithm = after["digestAlgorithm"].as_str().unwrap();
        assert!(
            object.join(format!("inventory.json.{algorithm}")).is_file(),
            "{case}: no sidecar in {algorithm}"
        );
        let content_dir = before["contentDirectory"].as_str().unwrap_or("content");
        assert_eq!(
            after["contentDirectory"].as_str().unwrap_or("content"),
            content_dir
        );
        assert!(
            object
                .join(head)
                .join(content_dir)
                .join("data/records.jsonl")
                .is_file(),
            "{case}: content not in {head}/{content_dir}"
        );
        // The specification version: a 1.0 object in a 1.1 root is upgraded (its declaration
        // too), one in a 1.0 root stays 1.0.
        let spec = if case == "ocfl-1.0-root" {
            "1.0"
        } else {
            "1.1"
        };
        assert_eq!(
            after["type"],
            format!("https://ocfl.io/{spec}/spec/#inventory"),
            "{case}"
        );
        assert!(
            object.join(format!("0=ocfl_object_{spec}")).is_file(),
            "{case}: declaration"
        );
        if case == "ocfl-1.0-object" {
            assert!(!object.join("0=ocfl_object_1.0").exists());
            assert!(deposited.stdout.contains("is OCFL 1.1 from v2 on"));
        }

        // The release comes back out exactly.
        let out = dir.join(format!("{case}-out"));
        let got = run(archivist()
            .arg("retrieve")
            .arg(&root)
            .arg("khojaly-1992-1.0.2")
            .arg("--out")
            .arg(&out));
        assert_eq!(got.code, 0, "{case}: {}", got.stderr);
        assert_eq!(
            sha256_file(&out.join("khojaly-1992-1.0.2.zip")),
            sha256_file(&committed("1.0.2")),
            "{case}"
        );
    }
}

/// An ocfl-py object (its Python API) of the id `ID` with a fixity block (md5, sha1), OCFL
/// `spec`, made at `object` from two files.
fn ocfl_py_object(object: &Path, spec: &str) {
    let files = object.with_extension("files");
    std::fs::create_dir_all(files.join("a")).unwrap();
    std::fs::write(files.join("a/b.txt"), "b\n").unwrap();
    std::fs::write(files.join("c.txt"), "c\n").unwrap();
    std::fs::create_dir_all(object.parent().unwrap()).unwrap();
    let script = "import sys, ocfl\n\
        o = ocfl.Object(identifier=sys.argv[1], fixity=['md5', 'sha1'], spec_version=sys.argv[2])\n\
        m = ocfl.VersionMetadata(message='made by ocfl-py', name='py', address='mailto:py@example.org')\n\
        o.create(sys.argv[3], metadata=m, objdir=sys.argv[4])\n";
    let out = std::process::Command::new(validators().join("python"))
        .args(["-c", script, ID, spec])
        .arg(&files)
        .arg(object)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ocfl-py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A rocfl root (0004 defaults) with an ocfl-py object where the layout puts it.
fn ocfl_py_root(dir: &Path, spec: &str) -> (PathBuf, PathBuf) {
    let root = dir.join(format!("py-{spec}"));
    rocfl_run(&root, &["init"]);
    let digest = sha256(ID);
    let object = root
        .join(&digest[0..3])
        .join(&digest[3..6])
        .join(&digest[6..9])
        .join(&digest);
    ocfl_py_object(&object, spec);
    std::fs::remove_dir_all(object.with_extension("files")).unwrap();
    (root, object)
}

#[test]
fn an_ocfl_py_object_keeps_its_fixity_block_and_gains_entries_for_the_new_content() {
    let work = tempfile::tempdir().unwrap();
    let bag = tempfile::tempdir().unwrap();
    extract(&committed("1.0.2"), bag.path());
    let bag = bag.path().join("khojaly-1992-1.0.2");
    for spec in ["1.1", "1.0"] {
        let (root, object) = ocfl_py_root(work.path(), spec);
        let before = inventory(&object);
        assert_eq!(
            before["type"],
            format!("https://ocfl.io/{spec}/spec/#inventory")
        );
        let deposited = deposit_ocfl(&committed("1.0.2"), &root);
        assert_eq!(deposited.code, 0, "{spec}: {}", deposited.stderr);
        assert_eq!(objects(&root), std::slice::from_ref(&object));
        assert_valid(&root, &object, spec);
        assert_head_is(&object, "khojaly-1992-1.0.2");
        let after = inventory(&object);
        for algorithm in ["md5", "sha1"] {
            // Carried forward: every entry ocfl-py wrote is still there.
            for (digest, paths) in before["fixity"][algorithm].as_object().unwrap() {
                for p in paths.as_array().unwrap() {
                    assert!(
                        after["fixity"][algorithm][digest]
                            .as_array()
                            .unwrap()
                            .contains(p),
                        "{spec}: {algorithm} lost {p}"
                    );
                }
            }
        }
        // Added: the new content in md5 (the block's algorithm) and sha256 (archivist's own),
        // with digests computed here from the bag's files.
        let content = "v2/content/data/records.jsonl";
        let data = std::fs::read(bag.join("data/records.jsonl")).unwrap();
        let md5: String = {
            use md5::Digest;
            md5::Md5::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        let sha: String = {
            use sha2::Digest;
            sha2::Sha256::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        assert_eq!(
            after["fixity"]["md5"][&md5],
            serde_json::json!([content]),
            "{spec}"
        );
        assert_eq!(
            after["fixity"]["sha256"][&sha],
            serde_json::json!([content]),
            "{spec}"
        );
    }
}

#[test]
fn a_refused_deposit_leaves_every_root_byte_for_byte_as_it_was() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let mut cases: Vec<(&str, PathBuf, &str, &str)> = Vec::new();

    // The head holds a later release.
    let newer = dir.join("newer");
    assert_eq!(deposit_ocfl(&committed("1.0.2"), &newer).code, 0);
    cases.push((
        "older than the head",
        newer,
        "1.0.0",
        "older than the object's head",
    ));

    // The object is not where the root's layout (now with other parameters) puts it: a second
    // object with the same id must not be made.
    let moved = rocfl_root(dir, "moved", &[], &[]);
    std::fs::write(
        moved.join("extensions/0004-hashed-n-tuple-storage-layout/config.json"),
        r#"{"extensionName":"0004-hashed-n-tuple-storage-layout","digestAlgorithm":"sha256","tupleSize":2,"numberOfTuples":2,"shortObjectRoot":false}"#,
    )
    .unwrap();
    cases.push(("layout mismatch", moved, "1.0.2", "not where"));

    // A damaged object.
    let damaged = rocfl_root(dir, "damaged", &[], &["-c", "stuff"]);
    let object = objects(&damaged).remove(0);
    std::fs::write(object.join("v1/stuff/notes.txt"), "changed\n").unwrap();
    cases.push(("damaged object", damaged, "1.0.2", "is not valid OCFL"));

    // A root without a declared layout, and no object yet: nowhere to put one.
    let undeclared = dir.join("undeclared");
    rocfl_run(&undeclared, &["init", "-l", "none"]);
    cases.push((
        "no layout",
        undeclared,
        "1.0.2",
        "declares no storage layout",
    ));

    // A 0006 root whose configuration lacks the required delimiter.
    let unusable = dir.join("unusable");
    let c0006 = dir.join("c0006.json");
    std::fs::write(
        &c0006,
        r#"{"extensionName":"0006-flat-omit-prefix-storage-layout","delimiter":":"}"#,
    )
    .unwrap();
    rocfl_run(
        &unusable,
        &[
            "init",
            "-l",
            "0006-flat-omit-prefix-storage-layout",
            "-c",
            c0006.to_str().unwrap(),
        ],
    );
    std::fs::write(
        unusable.join("extensions/0006-flat-omit-prefix-storage-layout/config.json"),
        r#"{"extensionName":"0006-flat-omit-prefix-storage-layout"}"#,
    )
    .unwrap();
    cases.push(("unusable layout", unusable, "1.0.2", "delimiter is missing"));

    // An object with a mutable head (extension 0005): its staged changes are not ours to mix.
    let mutable = rocfl_root(dir, "mutable", &[], &[]);
    let object = objects(&mutable).remove(0);
    std::fs::create_dir_all(object.join("extensions/0005-mutable-head/head")).unwrap();
    std::fs::write(object.join("extensions/0005-mutable-head/head/x"), "x").unwrap();
    cases.push(("mutable head", mutable, "1.0.2", "mutable head"));

    for (case, root, version, why) in cases {
        let before = snapshot(&root);
        let refused = deposit_ocfl(&committed(version), &root);
        assert_eq!(
            refused.code, 1,
            "{case}: {}{}",
            refused.stdout, refused.stderr
        );
        assert!(refused.stderr.contains(why), "{case}: {}", refused.stderr);
        assert!(
            refused.stderr.contains("nothing was"),
            "{case}: {}",
            refused.stderr
        );
        assert!(snapshot(&root) == before, "{case}: the root changed");
    }
}

#[test]
fn retrieve_gives_back_every_committed_release_byte_for_byte() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    for version in ["1.0.0", "1.0.1", "1.0.2"] {
        let run = deposit_ocfl(&committed(version), &root);
        assert_eq!(run.code, 0, "{version}: {}", run.stderr);
    }
    let out = work.path().join("out");
    for version in ["1.0.0", "1.0.1", "1.0.2"] {
        let name = format!("khojaly-1992-{version}");
        let got = run(archivist()
            .arg("retrieve")
            .arg(&root)
            .arg(&name)
            .arg("--out")
            .arg(&out));
        assert_eq!(got.code, 0, "{name}: {}", got.stderr);
        let zip = out.join(format!("{name}.zip"));
        assert_eq!(
            sha256_file(&zip),
            sha256_file(&committed(version)),
            "{name}"
        );
        assert!(std::fs::read(&zip).unwrap() == std::fs::read(committed(version)).unwrap());
        assert_eq!(
            std::fs::read(out.join(format!("{name}.zip.sha256"))).unwrap(),
            std::fs::read(repo().join(format!("release/{name}.zip.sha256"))).unwrap(),
            "{name}: sidecar"
        );
        // The sidecar checks the zip with the standard tool.
        let checked = std::process::Command::new("sha256sum")
            .current_dir(&out)
            .args(["-c", &format!("{name}.zip.sha256")])
            .output()
            .unwrap();
        assert!(checked.status.success(), "{name}: sha256sum -c");
    }
    assert!(
        std::fs::read_dir(&out).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.')),
        "temporary files left"
    );

    // By object id and version; again into the same folder is fine (identical files).
    let by_id = run(archivist()
        .args([
            "retrieve",
            root.to_str().unwrap(),
            "--id",
            ID,
            "--version",
            "v2",
            "--out",
        ])
        .arg(&out));
    assert_eq!(by_id.code, 0, "{}", by_id.stderr);
    assert!(
        by_id.stdout.contains("khojaly-1992-1.0.1"),
        "{}",
        by_id.stdout
    );

    // A different file under the name is never overwritten.
    let other = work.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("khojaly-1992-1.0.2.zip"), "not it").unwrap();
    let clash = run(archivist()
        .args([
            "retrieve",
            root.to_str().unwrap(),
            "khojaly-1992-1.0.2",
            "--out",
        ])
        .arg(&other));
    assert_eq!(clash.code, 1, "{}", clash.stderr);
    assert_eq!(
        std::fs::read(other.join("khojaly-1992-1.0.2.zip")).unwrap(),
        b"not it"
    );

    // Damaged content in the repository: nothing is written, and the damage is named.
    let object = objects(&root).remove(0);
    let damaged = object.join("v1/content/data/raw/002_bb24bbf64c3ddef7.txt");
    let mut bytes = std::fs::read(&damaged).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&damaged, bytes).unwrap();
    let fresh = work.path().join("fresh");
    let bad = run(archivist()
        .args([
            "retrieve",
            root.to_str().unwrap(),
            "khojaly-1992-1.0.0",
            "--out",
        ])
        .arg(&fresh));
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("002_bb24bbf64c3ddef7.txt"),
        "{}",
        bad.stderr
    );
    assert!(!fresh.join("khojaly-1992-1.0.0.zip").exists());

    let unknown = run(archivist()
        .args([
            "retrieve",
            root.to_str().unwrap(),
            "khojaly-1992-9.9.9",
            "--out",
        ])
        .arg(&fresh));
    assert_eq!(unknown.code, 1, "{}", unknown.stderr);
}

#[test]
fn log_lists_objects_and_versions_and_the_audit_counts_them() {
    let work = tempfile::tempdir().unwrap();
    // A rocfl root with a foreign object, then the dataset's three releases.
    let root = rocfl_root(work.path(), "root", &[], &[]);
    rocfl_run(&root, &["new", "urn:x:other"]);
    let note = work.path().join("note.txt");
    std::fs::write(&note, "x\n").unwrap();
    rocfl_run(
        &root,
        &["cp", "urn:x:other", note.to_str().unwrap(), "--", "/"],
    );
    rocfl_run(
        &root,
        &[
            "commit",
            "-n",
            "someone",
            "-m",
            "other object",
            "urn:x:other",
        ],
    );
    for version in ["1.0.0", "1.0.1", "1.0.2"] {
        assert_eq!(deposit_ocfl(&committed(version), &root).code, 0);
    }
    let log = run(archivist().arg("log").arg(&root).arg("--json"));
    assert_eq!(log.code, 0, "{}", log.stderr);
    let report = log.json();
    let objects = report["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 2);
    let ours = objects.iter().find(|o| o["id"] == ID).unwrap();
    let versions = ours["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 4);
    assert_eq!(versions[0]["user"], "rocfl user");
    assert_eq!(versions[0]["release"], Value::Null);
    for (i, version) in ["1.0.0", "1.0.1", "1.0.2"].iter().enumerate() {
        let v = &versions[i + 1];
        assert_eq!(v["version"], format!("v{}", i + 2));
        assert_eq!(v["release"], format!("khojaly-1992-{version}"));
        assert_eq!(v["zip_sha256"], sha256_file(&committed(version)));
        assert_eq!(v["user"], "archivist tests");
        assert_eq!(v["address"], "mailto:tests@example.org");
        assert!(v["created"].as_str().unwrap().ends_with('Z'));
    }
    let text = run(archivist().arg("log").arg(&root).arg(ID));
    assert_eq!(text.code, 0);
    assert!(
        text.stdout.contains("1 object(s), 4 version(s)")
            && text.stdout.contains("release khojaly-1992-1.0.1"),
        "{}",
        text.stdout
    );
    let missing = run(archivist().arg("log").arg(&root).arg("urn:x:nothing"));
    assert_eq!(missing.code, 1);
    let not_a_root = run(archivist().arg("log").arg(work.path()));
    assert_eq!(not_a_root.code, 2, "{}", not_a_root.stderr);
    assert!(
        not_a_root.stderr.contains("is not an OCFL storage root"),
        "{}",
        not_a_root.stderr
    );

    let audit = run(archivist().arg("verify").arg(&root));
    assert_eq!(audit.code, 0, "{}", audit.stdout);
    assert!(
        audit.stdout.contains("2 object(s), 5 version(s)"),
        "{}",
        audit.stdout
    );
}

#[test]
fn identity_comes_from_the_release_even_from_another_datasets_folder_and_a_zip_alone() {
    let work = tempfile::tempdir().unwrap();
    // Another dataset's folder, with its own identifier and agent.
    let other = work.path().join("other-dataset");
    std::fs::create_dir_all(&other).unwrap();
    let text: String = std::fs::read_to_string(fixture_config())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("identifier"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(
        other.join("dataset.toml"),
        format!("identifier = \"urn:x:other-dataset\"\n{text}\n[agent]\nname = \"other agent\"\n"),
    )
    .unwrap();
    // The zip alone: no sidecar beside it.
    let lone = work.path().join("handed");
    std::fs::create_dir_all(&lone).unwrap();
    let zip = lone.join("khojaly-1992-1.0.2.zip");
    std::fs::copy(committed("1.0.2"), &zip).unwrap();
    let root = work.path().join("root");
    let deposited = run(archivist()
        .current_dir(&other)
        .arg("deposit")
        .arg(&zip)
        .arg("--ocfl")
        .arg(&root)
        .env("USER", "depositor-from-env")
        .args(["--message", "handed over by the publisher"]));
    assert_eq!(deposited.code, 0, "{}", deposited.stderr);
    assert!(
        deposited.stdout.contains(&format!("`{ID}`")),
        "{}",
        deposited.stdout
    );
    assert!(
        deposited
            .stderr
            .contains("depositing as `depositor-from-env` ($USER)"),
        "{}",
        deposited.stderr
    );
    let found = objects(&root);
    assert_eq!(found.len(), 1);
    let inv = inventory(&found[0]);
    assert_eq!(inv["id"], ID);
    assert_eq!(inv["versions"]["v1"]["user"]["name"], "depositor-from-env");
    assert_eq!(
        inv["versions"]["v1"]["message"],
        "handed over by the publisher"
    );
    // The sidecar kept is the one `archivist release` writes, made from the verified digest.
    let out = work.path().join("out");
    let got = run(archivist()
        .args([
            "retrieve",
            root.to_str().unwrap(),
            "khojaly-1992-1.0.2",
            "--out",
        ])
        .arg(&out));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_eq!(
        std::fs::read(out.join("khojaly-1992-1.0.2.zip.sha256")).unwrap(),
        std::fs::read(repo().join("release/khojaly-1992-1.0.2.zip.sha256")).unwrap()
    );
    // The log still knows the zip's digest though the message was overridden.
    let log = run(archivist().arg("log").arg(&root).arg("--json")).json();
    assert_eq!(
        log["objects"][0]["versions"][0]["zip_sha256"],
        sha256_file(&committed("1.0.2"))
    );

    // The depositor from a dataset description given with --config.
    let root2 = work.path().join("root2");
    let by_config = run(archivist()
        .arg("deposit")
        .arg(&zip)
        .arg("--ocfl")
        .arg(&root2)
        .arg("--config")
        .arg(other.join("dataset.toml")));
    assert_eq!(by_config.code, 0, "{}", by_config.stderr);
    let inv = inventory(&objects(&root2)[0]);
    assert_eq!(
        inv["id"], ID,
        "the config's identifier is not the release's"
    );
    assert_eq!(inv["versions"]["v1"]["user"]["name"], "other agent");

    // No one to name: a usage error, and no root.
    let root3 = work.path().join("root3");
    let nobody = run(archivist()
        .arg("deposit")
        .arg(&zip)
        .arg("--ocfl")
        .arg(&root3)
        .env_remove("USER"));
    assert_eq!(nobody.code, 2, "{}", nobody.stderr);
    assert!(nobody.stderr.contains("--user"), "{}", nobody.stderr);
}

#[test]
fn a_signed_release_keeps_its_signature_in_the_object_and_gets_it_back() {
    let work = tempfile::tempdir().unwrap();
    let keys = work.path().join("keys");
    let made = run(archivist().arg("keygen").arg("--out").arg(&keys).args([
        "--name",
        "k",
        "--no-password",
    ]));
    assert_eq!(made.code, 0, "{}", made.stderr);
    let rel = work.path().join("rel");
    std::fs::create_dir_all(&rel).unwrap();
    copy_committed_release("khojaly-1992-1.0.1", &rel);
    let cut = run(archivist()
        .arg("release")
        .arg("--out")
        .arg(&rel)
        .arg("--sign")
        .arg(keys.join("k.key")));
    assert_eq!(cut.code, 0, "{}", cut.stderr);
    // The release the repository's dataset.toml describes now, following 1.0.1.
    let config = std::fs::read_to_string(repo().join("dataset.toml")).unwrap();
    let version = config
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    let zip = rel.join(format!("khojaly-1992-{version}.zip"));
    let signature = rel.join(format!("khojaly-1992-{version}.zip.sha256.minisig"));
    assert!(signature.is_file());
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&zip, &root).code, 0);
    let inv = inventory(&objects(&root)[0]);
    let state = inv["versions"]["v1"]["state"].as_object().unwrap();
    assert!(
        state
            .values()
            .any(|p| p.as_array().unwrap().contains(&Value::from(format!(
                "release/khojaly-1992-{version}.zip.sha256.minisig"
            ))))
    );
    let out = work.path().join("out");
    let got = run(archivist()
        .args([
            "retrieve",
            root.to_str().unwrap(),
            &format!("khojaly-1992-{version}"),
            "--out",
        ])
        .arg(&out));
    assert_eq!(got.code, 0, "{}", got.stderr);
    let back = out.join(format!("khojaly-1992-{version}.zip.sha256.minisig"));
    assert_eq!(
        std::fs::read(&back).unwrap(),
        std::fs::read(&signature).unwrap()
    );
    // The publisher's key verifies what came out of the repository.
    let verified = run(archivist()
        .arg("verify")
        .arg(out.join(format!("khojaly-1992-{version}.zip")))
        .arg("--pubkey")
        .arg(keys.join("k.pub"))
        .arg("--json"));
    assert_eq!(verified.code, 0, "{}", verified.stdout);
    assert_eq!(verified.json()["signature"]["status"], "verified");
}

#[test]
fn the_user_flags_name_the_depositor() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    let run = run(archivist()
        .arg("deposit")
        .arg(committed("1.0.0"))
        .arg("--ocfl")
        .arg(&root)
        .args(USER));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("$USER"), "{}", run.stderr);
    let inv = inventory(&objects(&root)[0]);
    assert_eq!(
        inv["versions"]["v1"]["user"],
        serde_json::json!({"name": "archivist tests", "address": "mailto:tests@example.org"})
    );
}

/// Storage roots ocfl-py makes itself (`ocfl-root.py create`, the layouts it implements, OCFL
/// 1.1 and 1.0) with an object it adds (`ocfl-root.py add`): after the deposit ocfl-py still
/// finds the whole root valid, and so does rocfl.
#[test]
fn ocfl_py_storage_roots_stay_valid_for_ocfl_py_and_rocfl() {
    let work = tempfile::tempdir().unwrap();
    let py = |args: &[&str]| {
        let out = std::process::Command::new(validators().join("ocfl-root.py"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ocfl-root.py {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for layout in [
        "0002-flat-direct-storage-layout",
        "0003-hash-and-id-n-tuple-storage-layout",
    ] {
        for spec in ["1.1", "1.0"] {
            let case = format!("{layout}-{spec}");
            let root = work.path().join(&case);
            let source = work.path().join(format!("{case}-object"));
            ocfl_py_object(&source, spec);
            let root_str = root.to_str().unwrap();
            py(&[
                "create",
                "--root",
                root_str,
                "--layout",
                layout,
                "--spec-version",
                spec,
            ]);
            py(&["add", "--root", root_str, "--src", source.to_str().unwrap()]);
            let before = objects(&root);
            assert_eq!(before.len(), 1, "{case}");
            let deposited = deposit_ocfl(&committed("1.0.2"), &root);
            assert_eq!(deposited.code, 0, "{case}: {}", deposited.stderr);
            assert_eq!(objects(&root), before, "{case}");
            let validated = py(&["validate", "--root", root_str]);
            assert!(
                validated.contains("is VALID"),
                "{case}: ocfl-root.py validate: {validated}"
            );
            assert_valid(&root, &before[0], &case);
            assert_head_is(&before[0], "khojaly-1992-1.0.2");
        }
    }
}
