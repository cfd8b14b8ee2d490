//! One writer per storage root on a store that ignores conditional writes: a lease held in
//! Garage's K2V store (`ARCHIVIST_K2V_ENDPOINT`), whose causality tokens let a write say which
//! values it replaces. Concurrent writes that saw the same token are both kept (siblings), and a
//! read returns them all, so a claim wins only if it is seen alone twice in a row.
//!
//! Why that is enough: K2V's reads are monotonic (a read that finds replicas disagreeing writes
//! the merged value back to all of them before it answers), so when a read returns a value it is
//! on a read quorum, and every later read sees it. Say two claimers A and B both saw their claim
//! alone twice. A's first read put A's claim on a quorum at `a1`, and A's second read started
//! after `a1` without seeing B's claim, so it started before B's claim was on a quorum (`b1`):
//! `a1 < b1`. The same for B gives `b1 < a1`: a contradiction. So at most one claimer wins.
//!
//! A claim is short-lived ([`CLAIM_FOR`]); the winner turns it into a lease ([`LEASE_FOR`])
//! at once and renews it from a thread of its own. A claimer that finds a live lease is refused
//! (another deposit is running); one that finds only live claims (a contest nobody has won yet)
//! backs off and tries again. A lease of a process that died on this host (`kill -9`: the same
//! boot and process-id namespace, and no process with its id and start time) is free at once;
//! any other lease is free when it expires. What this assumes: clocks within a second of
//! each other (two with the store's, [`CLOCK_MARGIN`]).
//!
//! Fencing a stalled holder: a holder can stall (paused, swapped out, its request held by a
//! proxy) between checking its lease and its write landing, past its lease's expiry. Every write
//! of a deposit is signed first, then the lease is checked (with a third of the lease to spare),
//! then sent ([`super::Client::fenced`]); the store refuses a request whose signature is older
//! than [`super::signed_for`]. A claimer that takes over a lease that was not released waits
//! that long (plus the clock margin) before it writes anything, so no write of the previous
//! holder can land after one of its own.

use super::Client;
use crate::error::{Error, Result};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How far the clocks of depositors and of the store may disagree (see the module's doc).
const CLOCK_MARGIN: Duration = Duration::from_secs(2);

/// How long an unconfirmed claim blocks others.
pub const CLAIM_FOR: Duration = Duration::from_secs(5);
/// How long a lease lasts without renewal.
pub const LEASE_FOR: Duration = Duration::from_secs(30);

/// The lease's length: [`LEASE_FOR`], or `ARCHIVIST_S3_LEASE_SECONDS` (at least 2; the tests
/// shorten it so that renewals happen within a deposit).
fn lease_for() -> Duration {
    super::env("ARCHIVIST_S3_LEASE_SECONDS")
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(LEASE_FOR, |s| Duration::from_secs(s.max(2)))
}
/// The K2V partition holding archivist's leases.
const PARTITION: &str = "archivist-ocfl-lock";

/// A K2V endpoint for the client's bucket.
struct K2v {
    endpoint: url::Url,
    bucket: String,
    key_id: String,
    secret: String,
    region: String,
    agent: ureq::Agent,
}

/// An item as read: its causality token and its values (`None`: a deletion).
struct Item {
    token: Option<String>,
    values: Vec<Value>,
}

impl K2v {
    fn from_env(client: &Client) -> Result<Option<K2v>> {
        let Some(endpoint) = super::env("ARCHIVIST_K2V_ENDPOINT") else {
            return Ok(None);
        };
        let endpoint: url::Url = endpoint.parse().map_err(|e| {
            Error::Usage(format!(
                "ARCHIVIST_K2V_ENDPOINT `{endpoint}` is not a URL ({e})"
            ))
        })?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .new_agent();
        Ok(Some(K2v {
            endpoint,
            bucket: client.location.bucket.clone(),
            key_id: client.config().key_id().to_owned(),
            secret: client.config().secret().to_owned(),
            region: client.config().region.clone(),
            agent,
        }))
    }

    fn request(
        &self,
        method: &'static str,
        sort_key: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Result<(u16, Option<String>, Vec<u8>)> {
        let host = match self.endpoint.port() {
            Some(port) => format!("{}:{port}", self.endpoint.host_str().unwrap_or_default()),
            None => self.endpoint.host_str().unwrap_or_default().to_owned(),
        };
        let path = format!(
            "{}/{}/{}",
            self.endpoint.path().trim_end_matches('/'),
            super::sigv4::encode(&self.bucket),
            super::sigv4::encode(PARTITION)
        );
        let query = [("sort_key", sort_key)];
        let now = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let signed = super::sigv4::sign(
                &super::sigv4::Request {
                    method,
                    host: &host,
                    path: &path,
                    query: &query,
                    headers: extra,
                    body,
                },
                &self.key_id,
                &self.secret,
                &self.region,
                "k2v",
                &now,
            );
            let url = format!(
                "{}://{host}{path}?sort_key={}",
                self.endpoint.scheme(),
                super::sigv4::encode(sort_key)
            );
            let mut request = ureq::http::Request::builder().method(method).uri(url);
            for (name, value) in extra {
                request = request.header(*name, *value);
            }
            for (name, value) in &signed {
                request = request.header(name.as_str(), value.as_str());
            }
            let outcome = self
                .agent
                .run(request.body(body.to_vec()).expect("a valid request"));
            let failure = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let token = response
                        .headers()
                        .get("x-garage-causality-token")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let mut bytes = Vec::new();
                    use std::io::Read;
                    let _ = response
                        .into_body()
                        .into_reader()
                        .take(1 << 20)
                        .read_to_end(&mut bytes);
                    if status < 500 {
                        return Ok((status, token, bytes));
                    }
                    format!("HTTP {status}")
                }
                Err(e) => super::transport(&e),
            };
            if attempt >= 5 {
                return Err(Error::Io(std::io::Error::other(format!(
                    "the lock service (K2V, bucket {}) failed: {failure}",
                    self.bucket
                ))));
            }
            std::thread::sleep(Duration::from_millis(200 << attempt));
        }
    }

    fn read(&self, sort_key: &str) -> Result<Item> {
        let (status, token, body) =
            self.request("GET", sort_key, &[("accept", "application/json")], b"")?;
        match status {
            404 => Ok(Item {
                token,
                values: Vec::new(),
            }),
            200 => {
                let values: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
                let values = values
                    .into_iter()
                    .map(|v| {
                        v.as_str()
                            .and_then(|s| {
                                use base64::Engine as _;
                                base64::engine::general_purpose::STANDARD.decode(s).ok()
                            })
                            .and_then(|raw| serde_json::from_slice(&raw).ok())
                            .unwrap_or(Value::Null)
                    })
                    .collect();
                Ok(Item { token, values })
            }
            _ => Err(self.failed(status, &body)),
        }
    }

    fn insert(&self, sort_key: &str, token: Option<&str>, value: &Value) -> Result<()> {
        let body = serde_json::to_vec(value).expect("a lease serializes");
        let headers: Vec<(&str, &str)> = token
            .map(|t| ("x-garage-causality-token", t))
            .into_iter()
            .collect();
        let (status, _, reply) = self.request("PUT", sort_key, &headers, &body)?;
        if !(200..300).contains(&status) {
            return Err(self.failed(status, &reply));
        }
        Ok(())
    }

    fn failed(&self, status: u16, body: &[u8]) -> Error {
        let detail = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        Error::Refused {
            message: format!(
                "the lock service (K2V, bucket {}) answered HTTP {status}: {detail}",
                self.bucket
            ),
            hint: (status == 403).then(|| {
                "the key needs read and write permission on the bucket for K2V too".into()
            }),
        }
    }
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// Where process ids mean the same process: this boot of this machine and this process-id
/// namespace (a hostname alone could be shared by machines or containers). `None` when it
/// cannot be told, and then no lease is taken for dead on sight.
fn process_space() -> Option<String> {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let namespace = std::fs::read_link("/proc/self/ns/pid").ok()?;
    Some(format!("{}/{}", boot.trim(), namespace.display()))
}

/// When process `pid` started (clock ticks since boot), to tell it from a later one with its id.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    after.split_whitespace().nth(19)?.parse().ok()
}

/// Whether a value blocks a claim now: a live claim or lease of someone else.
fn blocking(value: &Value, me: &str) -> Option<&'static str> {
    let state = value["state"].as_str()?;
    if value["holder"].as_str() == Some(me) || !matches!(state, "claim" | "held") {
        return None;
    }
    if value["expires"].as_f64().unwrap_or(0.0) < unix_now() {
        return None;
    }
    // A holder on this host that is no longer running holds nothing.
    if let Some(space) = process_space()
        && value["space"].as_str() == Some(space.as_str())
        && let Some(pid) = value["pid"].as_u64()
        && process_start(pid as u32) != value["started"].as_u64()
    {
        return None;
    }
    Some(if state == "held" { "held" } else { "claim" })
}

/// A lease on a storage root, renewed until dropped (then released).
pub struct Lease {
    shared: Arc<Shared>,
    renewer: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    k2v: K2v,
    sort_key: String,
    me: String,
    /// The lease's expiry (unix seconds) as last written, and the token then read.
    expires: Mutex<f64>,
    lost: AtomicBool,
    stop: AtomicBool,
    /// One renewal at a time (the renewer thread, and checks from the deposit's threads).
    renewing: Mutex<()>,
}

impl Shared {
    fn value(&self, state: &str, expires: f64) -> Value {
        let pid = std::process::id();
        json!({
            "state": state,
            "holder": self.me,
            "host": hostname(),
            "space": process_space(),
            "pid": pid,
            "started": process_start(pid),
            "expires": expires,
        })
    }

    /// Renew the lease (dropping any losing claims beside it); false when it was lost.
    fn renew(&self) -> Result<bool> {
        let _one = self.renewing.lock().unwrap_or_else(|e| e.into_inner());
        let item = self.k2v.read(&self.sort_key)?;
        let mine = item.values.iter().any(|v| {
            v["holder"].as_str() == Some(self.me.as_str()) && v["state"].as_str() == Some("held")
        });
        if !mine {
            return Ok(false);
        }
        let expires = unix_now() + lease_for().as_secs_f64();
        self.k2v.insert(
            &self.sort_key,
            item.token.as_deref(),
            &self.value("held", expires),
        )?;
        *self.expires.lock().expect("not poisoned") = expires;
        tracing::debug!("deposit lock renewed");
        Ok(true)
    }
}

impl Lease {
    /// Take the lease on the root `root` (its display name, for messages) of `client`'s bucket;
    /// `None` when no K2V endpoint is configured. Refused when another deposit holds it.
    pub fn acquire(client: &Client, root: &str) -> Result<Option<Lease>> {
        let Some(k2v) = K2v::from_env(client)? else {
            return Ok(None);
        };
        let me = uuid::Uuid::new_v4().to_string();
        let sort_key = format!("root:{}", client.location.prefix);
        let shared = Arc::new(Shared {
            k2v,
            sort_key,
            me,
            expires: Mutex::new(0.0),
            lost: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            renewing: Mutex::new(()),
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        // Whether a lease of another writer was found that was not released (it expired, or its
        // process on this host is gone): that writer may have writes signed and on their way.
        let mut unreleased = false;
        loop {
            let item = shared.k2v.read(&shared.sort_key)?;
            unreleased |= item.values.iter().any(|v| {
                v["state"].as_str() == Some("held")
                    && v["holder"].as_str() != Some(shared.me.as_str())
            });
            let blocked: Vec<&'static str> = item
                .values
                .iter()
                .filter_map(|v| blocking(v, &shared.me))
                .collect();
            if blocked.contains(&"held") {
                let holder = item
                    .values
                    .iter()
                    .find(|v| blocking(v, &shared.me) == Some("held"))
                    .map(|v| {
                        format!(
                            "{} pid {}",
                            v["host"].as_str().unwrap_or("?"),
                            v["pid"].as_u64().unwrap_or(0)
                        )
                    })
                    .unwrap_or_default();
                return Err(Error::Refused {
                    message: format!(
                        "another deposit into {root} is running ({holder} holds its lock); nothing was deposited"
                    ),
                    hint: Some("deposit again when it has finished".into()),
                });
            }
            if blocked.is_empty() {
                let claimed = Instant::now();
                let claim = shared.value("claim", unix_now() + CLAIM_FOR.as_secs_f64());
                shared
                    .k2v
                    .insert(&shared.sort_key, item.token.as_deref(), &claim)?;
                let alone = |item: &Item| {
                    item.values.len() == 1
                        && item.values[0]["holder"].as_str() == Some(shared.me.as_str())
                };
                let first = shared.k2v.read(&shared.sort_key)?;
                if alone(&first) {
                    let second = shared.k2v.read(&shared.sort_key)?;
                    if alone(&second) && claimed.elapsed() < CLAIM_FOR / 2 {
                        let expires = unix_now() + lease_for().as_secs_f64();
                        shared.k2v.insert(
                            &shared.sort_key,
                            second.token.as_deref(),
                            &shared.value("held", expires),
                        )?;
                        *shared.expires.lock().expect("not poisoned") = expires;
                        let renewer = {
                            let shared = shared.clone();
                            std::thread::spawn(move || renew_loop(&shared))
                        };
                        let lease = Lease {
                            shared,
                            renewer: Some(renewer),
                        };
                        if unreleased {
                            // Fencing: the previous holder's writes were signed while it held
                            // the lease, and the store refuses them once their signature
                            // expires. Wait that out (and the clocks' disagreement) before
                            // writing anything, holding the lease meanwhile.
                            let wait = super::signed_for() + CLOCK_MARGIN;
                            tracing::info!(
                                root,
                                "the previous deposit's lock was not released; waiting {:.0} s \
                                 for any write it signed to expire",
                                wait.as_secs_f64()
                            );
                            std::thread::sleep(wait);
                            lease.check()?;
                        }
                        tracing::debug!(root, "deposit lock taken");
                        return Ok(Some(lease));
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(Error::Refused {
                    message: format!(
                        "could not take the lock on {root}: other deposits contended for a minute; nothing was deposited"
                    ),
                    hint: None,
                });
            }
            let backoff = Duration::from_millis(200 + u64::from(super::rand_u16()) % 800);
            std::thread::sleep(backoff);
        }
    }

    /// Still ours, with time to spare for the next step: else the deposit must stop.
    pub fn check(&self) -> Result<()> {
        let expires = *self.shared.expires.lock().expect("not poisoned");
        if self.shared.lost.load(Ordering::SeqCst)
            || expires - unix_now() < lease_for().as_secs_f64() / 3.0
        {
            // Renew now; a lease that cannot be renewed is lost.
            if !self.shared.renew().unwrap_or(false) {
                self.shared.lost.store(true, Ordering::SeqCst);
                return Err(Error::Refused {
                    message: "the deposit lost its lock on the storage root (its lease expired) and stopped; the next deposit into the root finishes or removes what it left".into(),
                    hint: Some("deposit again".into()),
                });
            }
        }
        Ok(())
    }
}

fn renew_loop(shared: &Shared) {
    let step = Duration::from_millis(250);
    let mut waited = Duration::ZERO;
    while !shared.stop.load(Ordering::SeqCst) {
        std::thread::sleep(step);
        waited += step;
        if waited < lease_for() / 4 {
            continue;
        }
        waited = Duration::ZERO;
        match shared.renew() {
            Ok(true) => {}
            Ok(false) => {
                shared.lost.store(true, Ordering::SeqCst);
                return;
            }
            Err(e) => tracing::warn!("renewing the deposit lock failed: {e}"),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(renewer) = self.renewer.take() {
            let _ = renewer.join();
        }
        if self.shared.lost.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(item) = self.shared.k2v.read(&self.shared.sort_key)
            && item
                .values
                .iter()
                .any(|v| v["holder"].as_str() == Some(self.shared.me.as_str()))
        {
            let _ = self.shared.k2v.insert(
                &self.shared.sort_key,
                item.token.as_deref(),
                &json!({"state": "free"}),
            );
        }
    }
}
