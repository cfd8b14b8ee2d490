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
    Run {
        code: out.status.code().expect("exited, not killed"),
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
