//! Hostile storage roots and objects (found by attacking deposit, retrieve and the audit): a
//! symbolic link on the way to an object or to the staging folder, an inventory that is a pipe,
//! a tampered object. Each is refused, writes nothing outside the root and never hangs.

use crate::deposit::deposit_ocfl;
use crate::support::*;
use std::path::Path;

/// `archivist retrieve ROOT khojaly-1992-1.0.2 --out OUT`.
fn retrieve_102(root: &Path, out: &Path) -> Run {
    run(archivist()
        .arg("retrieve")
        .arg(root)
        .arg("khojaly-1992-1.0.2")
        .arg("--out")
        .arg(out))
}

fn committed(version: &str) -> std::path::PathBuf {
    repo().join(format!("release/khojaly-1992-{version}.zip"))
}

/// Every file and folder below `dir` (links listed, not followed).
fn snapshot(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            if kind.is_dir() {
                stack.push(e.path());
                all.push(format!("{rel}/"));
            } else {
                let bytes = if kind.is_file() {
                    std::fs::read(e.path()).unwrap()
                } else {
                    Vec::new()
                };
                all.push(format!(
                    "{rel} {}",
                    sha256(&String::from_utf8_lossy(&bytes))
                ));
            }
        }
    }
    all.sort();
    all
}

#[test]
fn a_symbolic_link_on_the_way_to_an_object_is_refused_and_nothing_is_written_outside() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed("1.0.2"), &root).code, 0);
    // The object's first layout folder moved outside, and a link left in its place.
    let outside = work.path().join("outside");
    let tuple = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir() && !p.ends_with("extensions"))
        .unwrap();
    std::fs::rename(&tuple, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &tuple).unwrap();
    let before = snapshot(&outside);
    let run = deposit_ocfl(&committed("1.1.0"), &root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert_eq!(snapshot(&outside), before, "the object outside was changed");
    // The audit names the link: the object behind it is not silently left out.
    let audit = crate::support::run(archivist().arg("verify").arg("--json").arg(&root));
    assert_eq!(audit.code, 1, "{}", audit.stdout);
    assert!(
        problem(&audit.json(), "root-symlink")["path"]
            .as_str()
            .unwrap()
            .ends_with(tuple.file_name().unwrap().to_str().unwrap())
    );
}

#[test]
fn a_symbolic_link_for_the_extensions_folder_is_refused_and_what_it_points_at_is_kept() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed("1.0.2"), &root).code, 0);
    let outside = work.path().join("outside");
    std::fs::rename(root.join("extensions"), &outside).unwrap();
    std::fs::create_dir_all(outside.join("archivist-staging")).unwrap();
    std::fs::write(outside.join("archivist-staging/victim.txt"), "keep me").unwrap();
    std::os::unix::fs::symlink(&outside, root.join("extensions")).unwrap();
    let before = snapshot(&outside);
    let run = deposit_ocfl(&committed("1.1.0"), &root);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert_eq!(
        snapshot(&outside),
        before,
        "a deposit deleted outside the root"
    );
}

#[test]
fn an_inventory_that_is_a_pipe_is_an_error_not_a_hang() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed("1.0.2"), &root).code, 0);
    let object = crate::deposit::object_dir(&root);
    std::fs::remove_file(object.join("inventory.json")).unwrap();
    let fifo = object.join("inventory.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let started = std::time::Instant::now();
    let audit = run(archivist()
        .arg("verify")
        .arg(&root)
        .timeout(std::time::Duration::from_secs(60)));
    assert_eq!(audit.code, 1, "{}{}", audit.stdout, audit.stderr);
    assert!(
        format!("{}{}", audit.stdout, audit.stderr).contains("not a regular file"),
        "{}{}",
        audit.stdout,
        audit.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn retrieve_refuses_a_tampered_object_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed("1.0.2"), &root).code, 0);
    let object = crate::deposit::object_dir(&root);
    // One byte of a stored file changed: its inventory no longer matches it.
    let stored = object.join("v1/content/bagit.txt");
    let mut bytes = std::fs::read(&stored).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&stored, bytes).unwrap();
    let out = work.path().join("out");
    let got = retrieve_102(&root, &out);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(got.stderr.contains("is not intact"), "{}", got.stderr);
    assert!(!out.join("khojaly-1992-1.0.2.zip").exists());
}

/// Rewrite the stored file of `logical` in version 1 of the object at `object` and its
/// inventory (digests, sidecar), as a tool that forges a consistent object would.
fn forge_stored(object: &Path, logical_suffix: &str, bytes: &[u8]) {
    use sha2::{Digest, Sha512};
    let hex = |b: &[u8]| {
        Sha512::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    let mut inventory: serde_json::Value =
        serde_json::from_slice(&std::fs::read(object.join("inventory.json")).unwrap()).unwrap();
    let state = inventory["versions"]["v1"]["state"]
        .as_object()
        .unwrap()
        .clone();
    let (old, paths) = state
        .iter()
        .find(|(_, paths)| {
            paths
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p.as_str().unwrap().ends_with(logical_suffix))
        })
        .expect("the logical path");
    let content = inventory["manifest"][old][0].as_str().unwrap().to_owned();
    std::fs::write(object.join(&content), bytes).unwrap();
    let new = hex(bytes);
    // Its fixity entries go: a forger writes none.
    if let Some(fixity) = inventory.get_mut("fixity").and_then(|f| f.as_object_mut()) {
        for digests in fixity.values_mut() {
            digests.as_object_mut().unwrap().retain(|_, paths| {
                !paths
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == content.as_str())
            });
        }
    }
    let manifest = inventory["manifest"].as_object_mut().unwrap();
    manifest.remove(old);
    manifest.insert(new.clone(), serde_json::json!([content]));
    let state = inventory["versions"]["v1"]["state"]
        .as_object_mut()
        .unwrap();
    let paths = paths.clone();
    state.remove(old);
    state.insert(new, paths);
    let text = serde_json::to_vec_pretty(&inventory).unwrap();
    for dir in [object.to_path_buf(), object.join("v1")] {
        std::fs::write(dir.join("inventory.json"), &text).unwrap();
        std::fs::write(
            dir.join("inventory.json.sha512"),
            format!("{}  inventory.json\n", hex(&text)),
        )
        .unwrap();
    }
}

#[test]
fn retrieve_refuses_a_sidecar_that_names_other_bytes_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed("1.0.2"), &root).code, 0);
    let object = crate::deposit::object_dir(&root);
    let forged = format!("{}  khojaly-1992-1.0.2.zip\n", "0".repeat(64));
    forge_stored(&object, ".zip.sha256", forged.as_bytes());
    // The object itself is consistent: the audit finds nothing wrong with it.
    let audit = run(archivist().arg("verify").arg(&root));
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
    let out = work.path().join("out");
    let got = retrieve_102(&root, &out);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stderr.contains("does not name the zip rebuilt"),
        "{}",
        got.stderr
    );
    assert!(!out.exists(), "retrieve left {:?}", files_below(&out));
    // A right first line does not vouch for a second that names other bytes.
    let published =
        std::fs::read_to_string(repo().join("release/khojaly-1992-1.0.2.zip.sha256")).unwrap();
    forge_stored(
        &object,
        ".zip.sha256",
        format!("{published}{forged}").as_bytes(),
    );
    let got = retrieve_102(&root, &out);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(got.stderr.contains("line 2 says"), "{}", got.stderr);
    assert!(!out.exists());
    // The right digest in capitals, as some tools write it, is the same digest.
    forge_stored(&object, ".zip.sha256", published.to_uppercase().as_bytes());
    let got = retrieve_102(&root, &out);
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(out.join("khojaly-1992-1.0.2.zip").is_file());
}

#[test]
fn a_new_root_inside_a_root_or_an_object_is_refused_and_nothing_is_written() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(deposit_ocfl(&committed("1.0.2"), &root).code, 0);
    let object = crate::deposit::object_dir(&root);
    // The ways a path can lead inside: plainly, into an object, through `..` past a folder
    // that does not exist yet, through a symbolic link; and an empty folder inside the root,
    // which is left where it is.
    std::os::unix::fs::symlink(&object, work.path().join("link")).unwrap();
    std::fs::create_dir(root.join("extensions/empty")).unwrap();
    let before = snapshot(&root);
    let ways = [
        root.join("sub"),
        object.join("nested/root"),
        work.path().join("missing/../root/inner"),
        work.path().join("link/inner"),
        root.join("extensions/empty"),
    ];
    for inner in ways {
        let run = deposit_ocfl(&committed("1.1.0"), &inner);
        assert_eq!(run.code, 1, "{}: {}", inner.display(), run.stderr);
        assert!(
            run.stderr.contains("would be a new storage root inside"),
            "{}",
            run.stderr
        );
        assert_eq!(snapshot(&root), before, "the root around it was changed");
    }
    assert!(!work.path().join("missing").exists());
    // A sibling reached through `..` is outside: made.
    let sibling = deposit_ocfl(&committed("1.1.0"), &root.join("../sibling"));
    assert_eq!(sibling.code, 0, "{}", sibling.stderr);
    assert!(work.path().join("sibling/0=ocfl_1.1").is_file());
}

#[test]
fn a_new_root_in_the_folder_archivist_runs_in_is_refused_and_nothing_is_written() {
    let work = tempfile::tempdir().unwrap();
    let here = work.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let got = run(archivist()
        .current_dir(&here)
        .arg("deposit")
        .arg(committed("1.1.0"))
        .args(["--ocfl", "."])
        .args(crate::deposit::USER));
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(
        got.stderr.contains("is the folder archivist runs in"),
        "{}",
        got.stderr
    );
    assert!(
        files_below(work.path()).is_empty(),
        "{:?}",
        files_below(work.path())
    );
}
