//! Signatures: `archivist keygen`, `release --sign`, `verify --pubkey`, judged by the standard
//! `minisign` tool (Debian's package, installed by `.ci/run`) in both directions.

use crate::support::*;
use std::path::{Path, PathBuf};

const NAME: &str = "khojaly-1992-1.1.0";

/// The `minisign` binary; the test fails (it does not skip) when it is missing.
fn minisign() -> std::process::Command {
    let found = std::process::Command::new("minisign")
        .arg("-v")
        .output()
        .is_ok();
    assert!(
        found,
        "minisign is not installed: apt-get install minisign (.ci/run does)"
    );
    std::process::Command::new("minisign")
}

/// `minisign -V`: the standard tool checks `sidecar`'s signature with `public`; returns what it
/// printed (the trusted comment among it). Fails the test when the signature is not valid.
fn minisign_verifies(public: &Path, sidecar: &Path) -> String {
    let checked = minisign()
        .arg("-V")
        .arg("-p")
        .arg(public)
        .arg("-m")
        .arg(sidecar)
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(checked.status.success(), "minisign -V: {printed}");
    printed
}

/// `minisign -S`: sign `sidecar` with the unencrypted secret key `secret`.
fn minisign_signs(secret: &Path, sidecar: &Path) {
    let signed = minisign()
        .args(["-S", "-s"])
        .arg(secret)
        .arg("-m")
        .arg(sidecar)
        .output()
        .unwrap();
    assert!(
        signed.status.success(),
        "minisign -S: {}",
        String::from_utf8_lossy(&signed.stderr)
    );
}

/// The committed release and its sidecar copied into a temporary folder.
fn release_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let zip = copy_committed_release(NAME, dir.path());
    (dir, zip)
}

fn keygen(dir: &Path, name: &str, extra: &[&str]) -> Run {
    run(archivist()
        .arg("keygen")
        .arg("--out")
        .arg(dir)
        .args(["--name", name])
        .args(extra))
}

fn verify_with(zip: &Path, key: &str) -> Run {
    run(archivist()
        .arg("verify")
        .arg(zip)
        .args(["--pubkey", key, "--json"]))
}

#[test]
fn a_signed_release_verifies_with_archivist_and_with_minisign() {
    let keys = tempfile::tempdir().unwrap();
    let made = keygen(keys.path(), "publisher", &["--no-password"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let public = keys.path().join("publisher.pub");
    let secret = keys.path().join("publisher.key");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Sign while releasing the bundled corpus into a folder holding its predecessor.
    let out = tempfile::tempdir().unwrap();
    copy_committed_release("khojaly-1992-1.0.2", out.path());
    let cut = run(archivist()
        .arg("release")
        .arg("--out")
        .arg(out.path())
        .arg("--sign")
        .arg(&secret));
    assert_eq!(cut.code, 0, "{}", cut.stderr);
    let sidecar = out.path().join(format!("{NAME}.zip.sha256"));
    let signature = out.path().join(format!("{NAME}.zip.sha256.minisig"));
    assert!(signature.exists(), "{}", cut.stdout);

    // The standard tool agrees.
    let printed = minisign_verifies(&public, &sidecar);
    assert!(
        printed.contains(&format!("file:{NAME}.zip.sha256")),
        "the trusted comment names the sidecar"
    );

    // So does archivist, with the key file or the key itself.
    let zip = out.path().join(format!("{NAME}.zip"));
    let report = verify_with(&zip, public.to_str().unwrap());
    assert_eq!(report.code, 0, "{}", report.stdout);
    assert_eq!(report.json()["signature"]["status"], "verified");
    let base64 = std::fs::read_to_string(&public).unwrap();
    let base64 = base64.lines().nth(1).unwrap();
    assert_eq!(verify_with(&zip, base64).code, 0);

    // Signing again with the same key keeps the signature; the release is unchanged.
    let before = std::fs::read(&signature).unwrap();
    let again = run(archivist()
        .arg("release")
        .arg("--out")
        .arg(out.path())
        .arg("--sign")
        .arg(&secret));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("exists already and is valid"),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read(&signature).unwrap(), before);
}

#[test]
fn a_minisign_signature_verifies_with_archivist_and_forgeries_do_not() {
    let keys = tempfile::tempdir().unwrap();
    let public = keys.path().join("ms.pub");
    let secret = keys.path().join("ms.key");
    let generated = minisign()
        .args(["-G", "-W", "-p"])
        .arg(&public)
        .arg("-s")
        .arg(&secret)
        .output()
        .unwrap();
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let (dir, zip) = release_copy();
    let sidecar = dir.path().join(format!("{NAME}.zip.sha256"));
    minisign_signs(&secret, &sidecar);
    let key = public.to_str().unwrap();
    let good = verify_with(&zip, key);
    assert_eq!(good.code, 0, "{}", good.stdout);
    assert_eq!(good.json()["signature"]["status"], "verified");

    // Another key: refused, naming both key ids.
    let other = keygen(keys.path(), "other", &["--no-password"]);
    assert_eq!(other.code, 0);
    let wrong = verify_with(&zip, keys.path().join("other.pub").to_str().unwrap());
    assert_eq!(wrong.code, 1, "{}", wrong.stdout);
    let problem = problem(&wrong.json(), "signature-invalid").clone();
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("not with the key given"),
        "{problem}"
    );

    // A sidecar edited to name another archive: the signature no longer matches it.
    let original = std::fs::read_to_string(&sidecar).unwrap();
    let forged = format!("{}{}", "0".repeat(64), &original[64..]);
    std::fs::write(&sidecar, &forged).unwrap();
    let tampered = verify_with(&zip, key);
    assert_eq!(tampered.code, 1);
    let codes = error_codes(&tampered.json());
    assert!(codes.contains(&"signature-invalid".to_owned()), "{codes:?}");
    assert!(codes.contains(&"archive-checksum".to_owned()), "{codes:?}");
    std::fs::write(&sidecar, &original).unwrap();

    // No signature at all, while a key is given: refused.
    std::fs::remove_file(dir.path().join(format!("{NAME}.zip.sha256.minisig"))).unwrap();
    let missing = verify_with(&zip, key);
    assert_eq!(missing.code, 1);
    assert_eq!(error_codes(&missing.json()), ["signature-missing"]);

    // A key that is not a key is a usage error.
    let nonsense = verify_with(&zip, "not-a-key");
    assert_eq!(nonsense.code, 2, "{}", nonsense.stderr);
    assert!(nonsense.stderr.contains("not-a-key"), "{}", nonsense.stderr);
}

#[test]
fn an_encrypted_key_needs_its_password_and_a_wrong_one_writes_nothing() {
    let keys = tempfile::tempdir().unwrap();
    let made = run(archivist()
        .arg("keygen")
        .arg("--out")
        .arg(keys.path())
        .env("ARCHIVIST_KEY_PASSWORD", "correct horse"));
    assert_eq!(made.code, 0, "{}", made.stderr);
    let secret = keys.path().join("archivist.key");
    assert!(
        std::fs::read_to_string(&secret)
            .unwrap()
            .contains("encrypted secret key"),
        "the key is stored encrypted"
    );
    // keygen never overwrites a key by accident.
    let again = run(archivist()
        .arg("keygen")
        .arg("--out")
        .arg(keys.path())
        .env("ARCHIVIST_KEY_PASSWORD", "x"));
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(again.stderr.contains("archivist.pub"), "{}", again.stderr);

    let out = tempfile::tempdir().unwrap();
    let sign = |password: Option<&str>| {
        let mut cmd = archivist();
        cmd.arg("release")
            .arg("--first")
            .arg("--out")
            .arg(out.path())
            .arg("--sign")
            .arg(&secret)
            .env_remove("ARCHIVIST_KEY_PASSWORD");
        if let Some(password) = password {
            cmd.env("ARCHIVIST_KEY_PASSWORD", password);
        }
        run(&mut cmd)
    };
    // No password and no terminal: a clear usage error, before any work.
    let none = sign(None);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(
        none.stderr.contains("ARCHIVIST_KEY_PASSWORD"),
        "{}",
        none.stderr
    );
    assert!(files_below(out.path()).is_empty());
    // A wrong password: refused, nothing written.
    let wrong = sign(Some("wrong"));
    assert_eq!(wrong.code, 1, "{}", wrong.stderr);
    assert!(wrong.stderr.contains("archivist.key"), "{}", wrong.stderr);
    assert!(files_below(out.path()).is_empty());
    // The right one signs, and minisign checks the result.
    let right = sign(Some("correct horse"));
    assert_eq!(right.code, 0, "{}", right.stderr);
    let sidecar = out.path().join(format!("{NAME}.zip.sha256"));
    minisign_verifies(&keys.path().join("archivist.pub"), &sidecar);
}

#[test]
fn a_signed_release_goes_to_invenio_with_its_signature() {
    use crate::invenio_fake::{FakeInvenio, TOKEN};
    let keys = tempfile::tempdir().unwrap();
    assert_eq!(keygen(keys.path(), "k", &["--no-password"]).code, 0);
    let (dir, zip) = release_copy();
    let sidecar = dir.path().join(format!("{NAME}.zip.sha256"));
    minisign_signs(&keys.path().join("k.key"), &sidecar);
    let fake = FakeInvenio::start();
    let deposited = run(archivist()
        .arg("deposit")
        .arg(&zip)
        .arg("--invenio")
        .arg(&fake.url)
        .env("INVENIO_TOKEN", TOKEN));
    assert_eq!(
        deposited.code, 0,
        "{}{}",
        deposited.stdout, deposited.stderr
    );
    let state = fake.state();
    let signature = format!("rec1/{NAME}.zip.sha256.minisig");
    assert_eq!(
        state.files.get(&signature),
        Some(&std::fs::read(crate::support::signature_of(&sidecar)).unwrap()),
        "uploaded: {:?}",
        state.files.keys().collect::<Vec<_>>()
    );
}
