//! OCFL storage roots on S3, against a real three-node Garage cluster on 127.0.0.1 (replication
//! factor 3), started for each test by `scripts/garage-cluster.sh` with its own ports and
//! folders, and stopped at the end (also when the test fails). rocfl (its own S3 client, over
//! https through a socat TLS front with a test CA) is the independent judge.

use crate::support::{archivist, repo, run};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const ID: &str = "urn:uuid:07964e9d-81a4-46fd-b10e-988e1e857cfc";
const RELEASES: [&str; 3] = [
    "khojaly-1992-1.0.0",
    "khojaly-1992-1.0.1",
    "khojaly-1992-1.0.2",
];

/// A running cluster; stopped when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// Held by the tests that put a test CA into the system's store (one at a time: each runs
/// update-ca-certificates when it starts its TLS front and when it stops); taken before the
/// cluster starts, so it is released after the cluster's CA is gone.
fn system_ca_store() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Ports no one listens on: BASE..BASE+12.
fn free_base() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    loop {
        let slot = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let base = 20000 + ((std::process::id() as u16 % 1500) * 16 + slot * 16) % 40000;
        if (base..base + 13).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return base;
        }
    }
}

fn script() -> PathBuf {
    repo().join("scripts/garage-cluster.sh")
}

impl Cluster {
    fn start() -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let base = free_base();
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(dir.path())
            .arg(base.to_string())
            .output()
            .unwrap();
        let mut cluster = Cluster {
            dir,
            env: Vec::new(),
        };
        assert!(
            out.status.success(),
            "the Garage cluster did not start:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        cluster.env = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        // Signatures valid 5 s: a deposit that takes over an unreleased lease (after a kill -9)
        // waits that long for the dead writer's signed requests to expire.
        cluster
            .env
            .push(("ARCHIVIST_S3_SIGNED_SECONDS".into(), "5".into()));
        cluster
    }

    fn var(&self, name: &str) -> &str {
        &self.env.iter().find(|(k, _)| k == name).unwrap().1
    }

    /// `archivist` with the cluster's endpoint and key (and nothing of the caller's AWS setup).
    fn archivist(&self) -> assert_cmd::Command {
        let mut cmd = archivist();
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
            cmd.env_remove(k);
        }
        cmd.envs(self.env.iter().cloned());
        cmd
    }

    fn raw_archivist(&self) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("archivist"));
        cmd.current_dir(repo()).env_remove("RUST_LOG");
        cmd.envs(self.env.iter().cloned());
        cmd
    }

    fn client(&self, prefix: &str) -> archivist::s3::Client {
        let config = archivist::s3::Config::new(
            self.var("AWS_ENDPOINT_URL"),
            self.var("AWS_REGION"),
            self.var("AWS_ACCESS_KEY_ID"),
            self.var("AWS_SECRET_ACCESS_KEY"),
        )
        .unwrap();
        archivist::s3::Client::new(
            config,
            archivist::s3::Location {
                bucket: "ocfl".into(),
                prefix: prefix.into(),
            },
        )
        .unwrap()
    }

    fn deposit(&self, name: &str, prefix: &str) -> crate::support::Run {
        run(self
            .archivist()
            .arg("deposit")
            .arg(repo().join(format!("release/{name}.zip")))
            .arg("--ocfl")
            .arg(format!("s3://ocfl/{prefix}"))
            .args([
                "--user",
                "Test Archivist",
                "--address",
                "mailto:test@example.org",
            ]))
    }

    fn verify(&self, prefix: &str, fast: bool) -> crate::support::Run {
        let mut cmd = self.archivist();
        cmd.arg("verify").arg("--json");
        if fast {
            cmd.arg("--fast");
        }
        run(cmd.arg(format!("s3://ocfl/{prefix}")))
    }

    fn head(&self, prefix: &str) -> Option<String> {
        let out = run(self
            .archivist()
            .args(["log", "--json"])
            .arg(format!("s3://ocfl/{prefix}")));
        if out.code != 0 {
            return None;
        }
        out.json()["objects"][0]["head"].as_str().map(str::to_owned)
    }

    fn node(&self, action: &str, n: u32) {
        let ok = Command::new("bash")
            .arg(script())
            .arg(action)
            .arg(self.dir.path())
            .arg(n.to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "{action} {n}");
    }

    /// A TLS front on node 1's S3 API for rocfl: its https endpoint.
    fn tls(&self) -> String {
        let base = free_base();
        let out = Command::new("bash")
            .arg(script())
            .arg("tls")
            .arg(self.dir.path())
            .arg(base.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "no TLS front:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// `rocfl validate` of the root over S3: (valid, its report).
    fn rocfl_validate(&self, https: &str, prefix: &str) -> (bool, String) {
        let out = Command::new(crate::deposit::rocfl())
            .args([
                "-R", "garage", "-b", "ocfl", "-r", prefix, "-e", https, "validate",
            ])
            .env("AWS_ACCESS_KEY_ID", self.var("AWS_ACCESS_KEY_ID"))
            .env("AWS_SECRET_ACCESS_KEY", self.var("AWS_SECRET_ACCESS_KEY"))
            .output()
            .unwrap();
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let valid = out.status.success()
            && report.contains("Invalid objects: 0")
            && report.contains("Storage issues:  0");
        (valid, report)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}

fn error_codes(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

fn retrieve_identical(cluster: &Cluster, prefix: &str, name: &str) {
    let out = tempfile::tempdir().unwrap();
    let got = run(cluster
        .archivist()
        .arg("retrieve")
        .arg(format!("s3://ocfl/{prefix}"))
        .arg(name)
        .arg("--out")
        .arg(out.path()));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_eq!(
        std::fs::read(out.path().join(format!("{name}.zip"))).unwrap(),
        std::fs::read(repo().join(format!("release/{name}.zip"))).unwrap(),
        "{name} retrieved from S3 is byte-identical"
    );
}

/// No key of the staging area is left.
fn no_leftovers(cluster: &Cluster, prefix: &str) {
    let left = cluster
        .client(prefix)
        .list(&format!("{prefix}/extensions/archivist-staging/"))
        .unwrap();
    assert!(
        left.is_empty(),
        "leftovers: {:?}",
        left.iter().map(|l| &l.key).collect::<Vec<_>>()
    );
}

#[test]
fn deposits_to_garage_validate_with_rocfl_and_survive_a_node_stopped_mid_deposit() {
    let _ca = system_ca_store();
    let cluster = Cluster::start();
    let https = cluster.tls();
    for (i, name) in RELEASES[..2].iter().enumerate() {
        let out = cluster.deposit(name, "root");
        assert_eq!(out.code, 0, "deposit {name}: {}", out.stderr);
        assert!(
            out.stdout
                .contains(&format!("deposited {name} as v{} of `{ID}`", i + 1)),
            "{}",
            out.stdout
        );
        let (valid, report) = cluster.rocfl_validate(&https, "root");
        assert!(valid, "rocfl after {name}:\n{report}");
        let audit = cluster.verify("root", false);
        assert_eq!(audit.code, 0, "{}", audit.stdout);
        assert_eq!(audit.json()["versions"], i + 1);
    }
    no_leftovers(&cluster, "root");
    // Dedup: v2 stores only what 1.0.1 changed, not a second copy of the bag.
    let keys = cluster.client("root").list("root/").unwrap();
    let content = |v: &str| {
        keys.iter()
            .filter(|l| l.key.contains(&format!("/{v}/content/")))
            .count()
    };
    assert!(
        content("v2") > 0 && content("v2") < content("v1") / 2,
        "{} {}",
        content("v1"),
        content("v2")
    );
    // The root is where the 0004 layout puts the object, and both releases come back whole.
    let layout: Value = serde_json::from_slice(
        &cluster
            .client("root")
            .get("root/ocfl_layout.json", 1 << 16)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(layout["extension"], "0004-hashed-n-tuple-storage-layout");
    for name in &RELEASES[..2] {
        retrieve_identical(&cluster, "root", name);
    }
    // The full audit hashed every content file; the fast one read none and says so.
    let full = cluster.verify("root", false).json();
    let fast = cluster.verify("root", true).json();
    assert!(full["bytes"].as_u64().unwrap() > 0);
    assert_eq!(fast["bytes"], 0, "{fast}");
    assert_eq!(fast["fast"]["matched"], full["files"], "{fast}");
    let text = run(cluster
        .archivist()
        .args(["verify", "--fast", "s3://ocfl/root"]));
    assert!(text.stdout.contains("fast audit"), "{}", text.stdout);

    // One node of three stops while the third release is deposited: the cluster keeps its
    // quorum, so the deposit completes or fails cleanly, and once the node is back the audit
    // and rocfl agree.
    let child = cluster
        .raw_archivist()
        .arg("deposit")
        .arg(repo().join(format!("release/{}.zip", RELEASES[2])))
        .args([
            "--ocfl",
            "s3://ocfl/root",
            "--user",
            "T",
            "--address",
            "mailto:t@example.org",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    cluster.node("stop-node", 3);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(0) || matches!(out.status.code(), Some(1 | 2)),
        "the deposit ended cleanly: {:?} {stderr}",
        out.status
    );
    cluster.node("start-node", 3);
    std::thread::sleep(Duration::from_secs(3));
    let audit = cluster.verify("root", false);
    let (valid, report) = cluster.rocfl_validate(&https, "root");
    assert_eq!(
        audit.code == 0,
        valid,
        "archivist and rocfl agree:\n{}\n{report}",
        audit.stdout
    );
    if out.status.success() {
        assert!(valid, "{report}");
        assert_eq!(cluster.head("root").as_deref(), Some("v3"));
    } else {
        // A failed deposit is cleared by the next one.
        let again = cluster.deposit(RELEASES[2], "root");
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert!(cluster.rocfl_validate(&https, "root").0);
    }
}

/// rocfl over S3, as another tool writing the bucket: `rocfl ARGS` against `prefix`.
fn rocfl_s3(
    cluster: &Cluster,
    https: &str,
    prefix: &str,
    staging: &std::path::Path,
    args: &[&str],
) {
    let out = Command::new(crate::deposit::rocfl())
        .args([
            "-R", "garage", "-b", "ocfl", "-r", prefix, "-e", https, "-s",
        ])
        .arg(staging)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", cluster.var("AWS_ACCESS_KEY_ID"))
        .env(
            "AWS_SECRET_ACCESS_KEY",
            cluster.var("AWS_SECRET_ACCESS_KEY"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rocfl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_ocfl_1_0_object_rocfl_made_on_the_store_is_extended_and_upgraded() {
    let _ca = system_ca_store();
    let cluster = Cluster::start();
    let https = cluster.tls();
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir_all(files.join("sub")).unwrap();
    std::fs::write(files.join("notes.txt"), "notes\n").unwrap();
    std::fs::write(files.join("sub/more.txt"), "more\n").unwrap();
    let staging = dir.path().join("staging");
    rocfl_s3(&cluster, &https, "foreign", &staging, &["init"]);
    rocfl_s3(
        &cluster,
        &https,
        "foreign",
        &staging,
        &["new", "-v", "1.0", ID],
    );
    let (notes, sub) = (files.join("notes.txt"), files.join("sub"));
    rocfl_s3(
        &cluster,
        &https,
        "foreign",
        &staging,
        &[
            "cp",
            "-r",
            ID,
            notes.to_str().unwrap(),
            sub.to_str().unwrap(),
            "--",
            "/",
        ],
    );
    rocfl_s3(
        &cluster,
        &https,
        "foreign",
        &staging,
        &[
            "commit",
            "-n",
            "Someone Else",
            "-a",
            "mailto:else@example.org",
            "-m",
            "by rocfl",
            ID,
        ],
    );
    let out = cluster.deposit(RELEASES[0], "foreign");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("the object was OCFL 1.0; it is OCFL 1.1 from v2 on"),
        "{}",
        out.stdout
    );
    let declarations: Vec<String> = cluster
        .client("foreign")
        .list("foreign/")
        .unwrap()
        .into_iter()
        .map(|l| l.key)
        .filter(|k| k.contains("/0=ocfl_object_"))
        .collect();
    assert_eq!(declarations.len(), 1, "{declarations:?}");
    assert!(declarations[0].ends_with("/0=ocfl_object_1.1"));
    let (valid, report) = cluster.rocfl_validate(&https, "foreign");
    assert!(valid, "{report}");
    let audit = cluster.verify("foreign", false);
    assert_eq!(audit.code, 0, "{}", audit.stdout);
    retrieve_identical(&cluster, "foreign", RELEASES[0]);
}

#[test]
fn a_corrupted_object_on_the_store_is_caught_by_the_audit() {
    let cluster = Cluster::start();
    assert_eq!(cluster.deposit(RELEASES[0], "c").code, 0);
    let client = cluster.client("c");
    let content = client
        .list("c/")
        .unwrap()
        .into_iter()
        .find(|l| l.key.ends_with("/v1/content/bag-info.txt"))
        .expect("the bag's bag-info.txt is content of v1");
    let mut bytes = client.get(&content.key, 1 << 20).unwrap();
    bytes[0] ^= 1;
    client.put(&content.key, &bytes).unwrap();
    let full = cluster.verify("c", false);
    assert_eq!(full.code, 1, "{}", full.stdout);
    assert!(
        error_codes(&full.json()).contains(&"E092".to_owned()),
        "{}",
        full.stdout
    );
    // The store's checksum of the replaced object differs from the inventory too.
    let fast = cluster.verify("c", true);
    assert_eq!(fast.code, 1, "{}", fast.stdout);
    // And retrieve refuses to rebuild from it.
    let out = tempfile::tempdir().unwrap();
    let got = run(cluster
        .archivist()
        .arg("retrieve")
        .arg("s3://ocfl/c")
        .arg(RELEASES[0])
        .arg("--out")
        .arg(out.path()));
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(!out.path().join(format!("{}.zip", RELEASES[0])).exists());
}

#[test]
fn racing_deposits_to_one_object_one_wins_the_other_is_refused() {
    let cluster = Cluster::start();
    assert_eq!(cluster.deposit(RELEASES[0], "race").code, 0);
    for round in 0..2 {
        let prefix = "race";
        let make = |name: &str| {
            let mut cmd = cluster.raw_archivist();
            // A lease of 2 s: the winner renews it during its deposit (every 0.5 s).
            cmd.env("ARCHIVIST_S3_LEASE_SECONDS", "2")
                .env("RUST_LOG", "archivist::s3::lock=debug");
            cmd.arg("deposit")
                .arg(repo().join(format!("release/{name}.zip")))
                .args(["--ocfl", &format!("s3://ocfl/{prefix}")])
                .args(["--user", "T", "--address", "mailto:t@example.org"]);
            cmd
        };
        // Round 0: started together, the claims race. Round 1: the second starts once the
        // first holds the lease (under load, two started together can also run one after the
        // other, and the second then finds the version there: that proves nothing of the lock).
        let (a, b) = if round == 0 {
            crate::support::race(make(RELEASES[1 + round]), make(RELEASES[1 + round]))
        } else {
            holding_then(make(RELEASES[1 + round]), make(RELEASES[1 + round]))
        };
        if round == 0
            && a.status.success()
            && b.status.success()
            && crate::support::both_stdout(&a, &b).contains("nothing to do")
        {
            // They did not overlap: one deposited, the other found it done. Valid, but the
            // lock was not contended; round 1 contends for it for certain.
            assert_eq!(cluster.head(prefix).as_deref(), Some("v2"));
            continue;
        }
        let codes = [a.status.code(), b.status.code()];
        let stderr = format!(
            "{}{}",
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stderr)
        );
        assert_eq!(
            codes.iter().filter(|c| **c == Some(0)).count(),
            1,
            "exactly one wins: {codes:?}\n{stderr}"
        );
        assert!(codes.contains(&Some(1)), "{codes:?} {stderr}");
        assert!(
            stderr.contains("another deposit into s3://ocfl/race is running"),
            "{stderr}"
        );
        assert!(stderr.contains("deposit lock renewed"), "{stderr}");
        assert_eq!(cluster.head(prefix).as_deref(), Some(["v2", "v3"][round]));
        let audit = cluster.verify(prefix, false);
        assert_eq!(audit.code, 0, "{}", audit.stdout);
        no_leftovers(&cluster, prefix);
    }
}

/// Run `a` until it says it holds the deposit lock (its stderr at debug), then `b`; both to
/// the end.
fn holding_then(mut a: Command, b: Command) -> (std::process::Output, std::process::Output) {
    use std::io::{BufRead, Read};
    let mut child = a
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break; // it ended without the lock: its output says why
        }
        seen.push_str(&line);
        if line.contains("deposit lock taken") {
            break;
        }
    }
    let (b, rest) = crate::support::race_with(b, move || {
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).unwrap();
        rest
    });
    let mut a_out = child.wait_with_output().unwrap();
    a_out.stderr = format!("{seen}{rest}").into_bytes();
    (a_out, b)
}

/// A deposit killed (`kill -9`) at each step of its commit (and of a new root's creation), and
/// at moments into it: the object
/// keeps its previous head (or has the new one), any error the audit finds is one of the
/// interrupted commit's (a version folder the inventory does not list yet, a sidecar not yet
/// rewritten, a new object's files before its declaration), and the next deposit clears it.
#[test]
fn kill_9_during_a_deposit_leaves_the_object_recoverable_ten_trials() {
    let cluster = Cluster::start();
    let points = [
        "s3-staged",
        "s3-copying",
        "s3-copied",
        "s3-version-inventory",
        "s3-root-inventory",
        "s3-committed",
        "s3-root-layout",
    ];
    let mut interrupted = 0;
    for trial in 0..10 {
        let prefix = format!("kill{trial}");
        let first = trial % 2 == 0; // a new object, or a second version
        if !first {
            assert_eq!(cluster.deposit(RELEASES[0], &prefix).code, 0);
        }
        let name = if first { RELEASES[0] } else { RELEASES[1] };
        let previous = cluster.head(&prefix);
        let mut cmd = cluster.raw_archivist();
        cmd.arg("deposit")
            .arg(repo().join(format!("release/{name}.zip")))
            .args(["--ocfl", &format!("s3://ocfl/{prefix}")])
            .args(["--user", "T", "--address", "mailto:t@example.org"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let status = if trial < points.len() {
            cmd.env("ARCHIVIST_FAILPOINT", points[trial])
                .status()
                .unwrap()
        } else {
            let mut child = cmd.spawn().unwrap();
            std::thread::sleep(Duration::from_millis(300 + 450 * (trial as u64 - 7)));
            let _ = child.kill();
            child.wait().unwrap()
        };
        let head = cluster.head(&prefix);
        if !status.success() {
            assert!(
                head == previous || head.as_deref() == Some(if first { "v1" } else { "v2" }),
                "trial {trial}: head {head:?}, was {previous:?}"
            );
            let audit = cluster.verify(&prefix, false);
            // Killed before the new root's declaration: there is no root yet.
            let no_root = previous.is_none() && audit.stderr.contains("holds no OCFL storage root");
            assert!(
                matches!(audit.code, 0 | 1) || no_root,
                "trial {trial}: {}",
                audit.stderr
            );
            if audit.code == 1 {
                interrupted += 1;
                for code in error_codes(&audit.json()) {
                    assert!(
                        ["E046", "E060", "E084", "E058"].contains(&code.as_str()),
                        "trial {trial}: unexpected {code}:\n{}",
                        audit.stdout
                    );
                }
            }
        }
        let again = cluster.deposit(name, &prefix);
        assert_eq!(again.code, 0, "trial {trial}: {}", again.stderr);
        let audit = cluster.verify(&prefix, false);
        assert_eq!(audit.code, 0, "trial {trial}: {}", audit.stdout);
        assert_eq!(
            cluster.head(&prefix).as_deref(),
            Some(if first { "v1" } else { "v2" })
        );
        no_leftovers(&cluster, &prefix);
        retrieve_identical(&cluster, &prefix, name);
    }
    // The failpoints inside the commit (a version's copies, its inventory, the root inventory
    // before its sidecar) leave such states: the trials did reach them.
    assert!(
        interrupted >= 3,
        "{interrupted} trials left an interrupted commit"
    );
}

/// A tiny HTTP server answering each request with the next of `replies` (status, body), and
/// counting the requests; its address.
fn flaky_server(
    replies: Vec<(u16, &'static str)>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let (status, text) = replies[n.min(replies.len() - 1)];
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (address, count)
}

#[test]
fn transient_store_failures_are_retried_and_lasting_ones_name_the_key() {
    let empty = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";
    let client = |address: &str| {
        archivist::s3::Client::new(
            archivist::s3::Config::new(address, "garage", "id", "secret").unwrap(),
            archivist::s3::Location {
                bucket: "b".into(),
                prefix: "p".into(),
            },
        )
        .unwrap()
    };
    // Two 503s, then the answer: retried, with the answer in the end.
    let (address, count) = flaky_server(vec![(503, "slow down"), (500, "oops"), (200, empty)]);
    assert!(client(&address).list("p/").unwrap().is_empty());
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);
    // A store that keeps failing: given up after the attempts, naming the key.
    let (address, count) = flaky_server(vec![(503, "<Error><Code>SlowDown</Code></Error>")]);
    let e = client(&address)
        .get("p/inventory.json", 100)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("s3://b/p/inventory.json") && e.contains("503"),
        "{e}"
    );
    assert!(e.contains("gave up after 6 attempts"), "{e}");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 6);
    // A 404 is not retried.
    let (address, count) = flaky_server(vec![(404, "<Error><Code>NoSuchKey</Code></Error>")]);
    let e = client(&address).get("p/x", 100).unwrap_err().to_string();
    assert!(e.contains("s3://b/p/x") && e.contains("404"), "{e}");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_fenced_write_is_not_sent_once_the_fence_fails_and_reads_are_not_fenced() {
    let ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix>p/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";
    let (address, count) = flaky_server(vec![(200, ok)]);
    let lost = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = lost.clone();
    let client = archivist::s3::Client::new(
        archivist::s3::Config::new(&address, "garage", "id", "secret").unwrap(),
        archivist::s3::Location {
            bucket: "b".into(),
            prefix: "p".into(),
        },
    )
    .unwrap()
    .fenced(std::sync::Arc::new(move || {
        if flag.load(std::sync::atomic::Ordering::SeqCst) {
            Err(archivist::error::Error::Refused {
                message: "lease lost".into(),
                hint: None,
            })
        } else {
            Ok(())
        }
    }));
    client.put("p/a", b"x").unwrap();
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    lost.store(true, std::sync::atomic::Ordering::SeqCst);
    let e = client.put("p/b", b"x").unwrap_err().to_string();
    assert!(e.contains("lease lost"), "{e}");
    assert!(client.delete("p/a").is_err());
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "no write reached the store after the fence failed"
    );
    // Reads are not writes: they go out.
    assert!(client.list("p/").unwrap().is_empty());
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn the_store_refuses_a_write_whose_signature_expired() {
    // What fences a writer that stalled past its lease: Garage refuses an expired presigned
    // request, so a deposit that takes over waits the signature's lifetime out.
    let cluster = Cluster::start();
    let url = {
        use rusty_s3::S3Action;
        let bucket = rusty_s3::Bucket::new(
            cluster.var("AWS_ENDPOINT_URL").parse().unwrap(),
            rusty_s3::UrlStyle::Path,
            "ocfl".to_owned(),
            cluster.var("AWS_REGION").to_owned(),
        )
        .unwrap();
        let credentials = rusty_s3::Credentials::new(
            cluster.var("AWS_ACCESS_KEY_ID"),
            cluster.var("AWS_SECRET_ACCESS_KEY"),
        );
        bucket
            .put_object(Some(&credentials), "late/key")
            .sign(std::time::Duration::from_secs(1))
    };
    std::thread::sleep(std::time::Duration::from_secs(3));
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let reply = agent.put(url.as_str()).send(&b"late"[..]).unwrap();
    assert!(
        reply.status().is_client_error(),
        "an expired signature was accepted: {}",
        reply.status()
    );
    let client = cluster.client("late");
    assert!(
        client.list("late/").unwrap().is_empty(),
        "nothing was written"
    );
}

#[test]
fn s3_errors_name_the_key_and_never_print_the_secret() {
    let cluster = Cluster::start();
    // The shared credentials file, with a profile, instead of the variables.
    let home = tempfile::tempdir().unwrap();
    let credentials = home.path().join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[garage]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            cluster.var("AWS_ACCESS_KEY_ID"),
            cluster.var("AWS_SECRET_ACCESS_KEY")
        ),
    )
    .unwrap();
    let with_file = |profile: &str| {
        let mut cmd = cluster.archivist();
        cmd.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .env("AWS_PROFILE", profile);
        cmd
    };
    let ok = run(with_file("garage")
        .arg("deposit")
        .arg(repo().join(format!("release/{}.zip", RELEASES[0])))
        .args([
            "--ocfl",
            "s3://ocfl/creds",
            "--user",
            "T",
            "--address",
            "mailto:t@example.org",
        ]));
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let denied = run(with_file("default").args(["log", "s3://ocfl/creds"]));
    assert_eq!(denied.code, 2, "{}", denied.stderr);
    assert!(
        denied.stderr.contains("s3://ocfl/creds/") && denied.stderr.contains("403"),
        "{}",
        denied.stderr
    );
    let missing = run(cluster.archivist().args(["log", "s3://no-such-bucket/x"]));
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("s3://no-such-bucket/x/"),
        "{}",
        missing.stderr
    );
    for out in [&ok, &denied, &missing] {
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(!all.contains(cluster.var("AWS_SECRET_ACCESS_KEY")));
        assert!(!all.contains(cluster.var("AWS_ACCESS_KEY_ID")));
    }
    // Without a lock service, Garage's ignored conditions refuse the deposit.
    let unguarded = run(cluster
        .archivist()
        .env_remove("ARCHIVIST_K2V_ENDPOINT")
        .arg("deposit")
        .arg(repo().join(format!("release/{}.zip", RELEASES[1])))
        .args([
            "--ocfl",
            "s3://ocfl/creds",
            "--user",
            "T",
            "--address",
            "mailto:t@example.org",
        ]));
    assert_eq!(unguarded.code, 1, "{}", unguarded.stderr);
    assert!(
        unguarded.stderr.contains("ignores conditional writes"),
        "{}",
        unguarded.stderr
    );
    assert_eq!(cluster.head("creds").as_deref(), Some("v1"));
    let deposit_to = |root: &str| {
        run(cluster
            .archivist()
            .arg("deposit")
            .arg(repo().join(format!("release/{}.zip", RELEASES[1])))
            .args([
                "--ocfl",
                root,
                "--user",
                "T",
                "--address",
                "mailto:t@example.org",
            ]))
    };
    // A new root is never made inside a root: it would break the one around it.
    let inner = deposit_to("s3://ocfl/creds/inner");
    assert_eq!(inner.code, 1, "{}", inner.stderr);
    assert!(
        inner
            .stderr
            .contains("would be a new storage root inside an OCFL storage root, s3://ocfl/creds"),
        "{}",
        inner.stderr
    );
    let client = cluster.client("creds");
    assert!(client.list("creds/inner").unwrap().is_empty());
    // What the deposit refuses names the object on the store, not the local folder the
    // deposit was built in.
    let declaration = client
        .list("creds/")
        .unwrap()
        .into_iter()
        .find(|l| l.key.ends_with("/0=ocfl_object_1.1"))
        .expect("the object");
    let object = declaration.key.trim_end_matches("/0=ocfl_object_1.1");
    client
        .put(
            &format!("{object}/extensions/0005-mutable-head/head/inventory.json"),
            b"{}",
        )
        .unwrap();
    let refused = deposit_to("s3://ocfl/creds");
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("mutable head")
            && refused.stderr.contains(&format!("s3://ocfl/{object}"))
            && !refused.stderr.contains("/.tmp"),
        "{}",
        refused.stderr
    );
}

#[test]
fn the_store_refuses_a_damaged_upload_and_large_files_go_up_in_checked_parts() {
    let cluster = Cluster::start();
    let client = cluster.client("up");
    // A body that does not match the checksums it was sent with is refused, and nothing stored.
    let refused = client.put_claiming("up/damaged", b"what arrived", b"what was sent", None);
    assert!(refused.is_err(), "{refused:?}");
    assert!(client.head("up/damaged").unwrap().is_none());
    // Over the multipart threshold: parts with their own checksums, the same bytes back.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    let size = archivist::s3::MULTIPART_OVER + 3 * archivist::s3::PART_SIZE / 2;
    let mut bytes = Vec::with_capacity(size as usize);
    let mut x: u64 = 7;
    while (bytes.len() as u64) < size {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(size as usize);
    std::fs::write(&big, &bytes).unwrap();
    let sent = client.put_file("up/big", &big).unwrap();
    assert_eq!(sent, archivist::s3::sha256_hex(&bytes));
    let head = client.head("up/big").unwrap().unwrap();
    assert_eq!(head.size, size);
    assert!(head.composite, "{head:?}");
    let back = client.get("up/big", size).unwrap();
    assert!(
        back == bytes,
        "the multipart upload reads back byte for byte"
    );
}
