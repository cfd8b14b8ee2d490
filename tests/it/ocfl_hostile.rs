//! Hostile storage roots and objects (found by attacking deposit, retrieve and the audit): a
//! symbolic link on the way to an object or to the staging folder, an inventory that is a pipe,
//! a tampered object. Each is refused, writes nothing outside the root and never hangs.

use crate::deposit::deposit_ocfl;
use crate::support::*;
use std::path::Path;

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
    let got = run(archivist()
        .args(["retrieve"])
        .arg(&root)
        .arg("khojaly-1992-1.0.2")
        .arg("--out")
        .arg(&out));
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(got.stderr.contains("is not intact"), "{}", got.stderr);
    assert!(!out.join("khojaly-1992-1.0.2.zip").exists());
}
