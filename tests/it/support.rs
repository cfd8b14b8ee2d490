//! Helpers shared by the integration tests.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The repository's top folder (tests run the binary from there, as a user would).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(case: &str) -> PathBuf {
    repo().join("tests/fixtures").join(case)
}

/// The minimal, unpinned `dataset.toml` used with the fixture folders.
pub fn fixture_config() -> PathBuf {
    fixture("config/dataset.toml")
}

/// The `archivist` binary, run from the repository's top folder, with no `RUST_LOG` leaking in.
pub fn archivist() -> Command {
    let mut cmd = Command::cargo_bin("archivist").expect("the binary is built");
    cmd.current_dir(repo()).env_remove("RUST_LOG");
    cmd
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    use std::os::unix::process::ExitStatusExt;
    Run {
        // Killed by a signal: 128 + the signal, as shells report it.
        code: out
            .status
            .code()
            .unwrap_or_else(|| 128 + out.status.signal().unwrap_or(0)),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `archivist check --json` on a raw folder with a config.
pub fn check_json(raw: &Path, config: &Path) -> Run {
    run(archivist()
        .arg("check")
        .arg("--json")
        .arg("--raw")
        .arg(raw)
        .arg("--config")
        .arg(config))
}

/// A temporary copy of the bundled corpus (`raw/` and `dataset.toml`).
pub fn corpus_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("raw"), &dir.path().join("raw"));
    std::fs::copy(repo().join("dataset.toml"), dir.path().join("dataset.toml")).expect("copy");
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Problems of a `check --json` report with the given code.
pub fn problems_with_code<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .filter(|p| p["code"] == code)
        .collect()
}

/// SHA-256 of a string, hex, computed independently of the crate under test.
pub fn sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bin folder of the independent validators (bagit.py, frictionless, datacite), provisioned
/// from PyPI by `scripts/validators.sh` on first use. A missing validator fails the test.
pub fn validators() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let out = std::process::Command::new("bash")
            .arg(repo().join("scripts/validators.sh"))
            .output()
            .expect("scripts/validators.sh runs");
        assert!(
            out.status.success(),
            "could not provision the validators:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8(out.stdout).expect("a path").trim())
    })
    .clone()
}

/// `archivist release` of a raw folder and config into `out`.
pub fn release(raw: &Path, config: &Path, out: &Path) -> Run {
    run(archivist()
        .arg("release")
        .arg("--raw")
        .arg(raw)
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out))
}

/// Extract a zip into `dir` with the zip crate (refusing unsafe names), returning `dir`.
pub fn extract(zip: &Path, dir: &Path) -> PathBuf {
    let file = std::fs::File::open(zip).expect("zip opens");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.enclosed_name().expect("a safe name");
        let target = dir.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let mut out = std::fs::File::create(&target).unwrap();
        std::io::copy(&mut entry, &mut out).unwrap();
    }
    dir.to_path_buf()
}

/// Every file below `dir`, relative, sorted.
pub fn files_below(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                all.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    all.sort();
    all
}

/// Run two commands at the same time; their outputs, in order.
pub fn race(
    mut a: std::process::Command,
    mut b: std::process::Command,
) -> (std::process::Output, std::process::Output) {
    std::thread::scope(|s| {
        let a = s.spawn(move || a.output().expect("runs"));
        let b = s.spawn(move || b.output().expect("runs"));
        (a.join().expect("no panic"), b.join().expect("no panic"))
    })
}

/// Run `a` to the end while `other` runs on another thread; both results.
pub fn race_with<T: Send>(
    mut a: std::process::Command,
    other: impl FnOnce() -> T + Send,
) -> (std::process::Output, T) {
    std::thread::scope(|s| {
        let other = s.spawn(other);
        let a = a.output().expect("runs");
        (a, other.join().expect("no panic"))
    })
}

/// Both outputs' stdout, joined.
pub fn both_stdout(a: &std::process::Output, b: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    )
}

/// The first problem of a JSON report with `code` (the test fails when there is none).
pub fn problem<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

/// The codes of the error-level problems of a JSON report, in order.
pub fn error_codes(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| p["code"].as_str().expect("a code").to_owned())
        .collect()
}

/// Check a `datacite.json` against the DataCite 4.5 schema of the `datacite` package (PyPI):
/// the list of errors, empty when valid.
pub fn datacite_errors(path: &Path) -> String {
    let script = "import json, sys\nfrom datacite import schema45\n\
                  data = json.load(open(sys.argv[1]))\n\
                  errors = [e.message for e in schema45.validator.iter_errors(data)]\n\
                  print(errors)\nsys.exit(1 if errors else 0)\n";
    let out = std::process::Command::new(validators().join("python"))
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python runs");
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() {
        assert_eq!(printed, "[]");
        String::new()
    } else {
        format!("{printed}{}", String::from_utf8_lossy(&out.stderr))
    }
}

/// `<sidecar>.minisig`.
pub fn signature_of(sidecar: &Path) -> PathBuf {
    let mut path = sidecar.as_os_str().to_owned();
    path.push(".minisig");
    PathBuf::from(path)
}

/// Copy the committed release `release/<name>.zip` and its sidecar into `dir`; returns the zip.
pub fn copy_committed_release(name: &str, dir: &Path) -> PathBuf {
    for suffix in [".zip", ".zip.sha256"] {
        std::fs::copy(
            repo().join(format!("release/{name}{suffix}")),
            dir.join(format!("{name}{suffix}")),
        )
        .expect("copy a committed release");
    }
    dir.join(format!("{name}.zip"))
}

/// `bagit.py --validate` (the Library of Congress's validator) accepts the bag folder `bag`.
pub fn assert_bagit_valid(bag: &Path) {
    let out = std::process::Command::new(validators().join("bagit.py"))
        .arg("--validate")
        .arg(bag)
        .output()
        .expect("bagit.py runs");
    assert!(
        out.status.success(),
        "bagit.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
