//! A small synchronous client for S3-compatible object storage (AWS S3, Garage, MinIO, ...):
//! what an OCFL storage root on a bucket needs, and nothing else.
//!
//! Requests are signed by `rusty-s3` (SigV4 presigned URLs, path-style addressing: the form
//! self-hosted stores serve) and sent with `ureq`. Every upload carries its checksums
//! (`x-amz-checksum-sha256` and `Content-MD5`), so a store that checks them (Garage and AWS do)
//! rejects a body damaged in transit; files over [`MULTIPART_OVER`] go up in parts, each part with
//! its own checksums. Transient failures (connection errors, timeouts, 429 and 5xx) are retried
//! with exponential backoff; 403 and 404 stop at once with a message naming the key.
//!
//! Configuration comes from the environment the AWS tools read: `AWS_ENDPOINT_URL` (or
//! `AWS_ENDPOINT_URL_S3`), `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID` and
//! `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), else the shared credentials file
//! (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`, profile `AWS_PROFILE` or
//! `default`). Credentials are never printed: messages name buckets and keys, never URLs (a
//! presigned URL carries the access key id).

pub mod lock;
mod sigv4;

use crate::error::{Error, Result};
use base64::Engine as _;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use sha2::Digest as _;
use std::io::Read;
use std::time::Duration;

/// Files larger than this are uploaded in parts.
pub const MULTIPART_OVER: u64 = 64 << 20;
/// The size of each part of a multipart upload (the last may be smaller).
pub const PART_SIZE: u64 = 16 << 20;
/// How long a signed request stays valid.
/// How long a signed request stays valid: the store refuses it after that (Garage answers 400 to
/// an expired presigned URL). Short, because this is what fences a writer that lost its lease
/// (see [`lock`]): every write is signed before the lease is checked, so a writer that stalls
/// after its check cannot have its request accepted later than this after its lease expired.
/// `ARCHIVIST_S3_SIGNED_SECONDS` sets it (at least 5; the tests shorten it).
pub fn signed_for() -> Duration {
    env("ARCHIVIST_S3_SIGNED_SECONDS")
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(SIGNED_FOR, |s| Duration::from_secs(s.max(5)))
}

const SIGNED_FOR: Duration = Duration::from_secs(60);

/// `s3://BUCKET/PREFIX`, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub bucket: String,
    /// The prefix of every key, without a trailing slash ("" for the whole bucket).
    pub prefix: String,
}

impl Location {
    /// `Some` for an `s3://` address (an error when it is malformed), `None` for anything else.
    pub fn parse(text: &str) -> Option<Result<Location>> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_matches('/');
        if bucket.is_empty()
            || !bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            return Some(Err(Error::Usage(format!(
                "`{text}` is not s3://BUCKET/PREFIX (a bucket name is lowercase letters, digits, `-` and `.`)"
            ))));
        }
        if prefix
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
            && !prefix.is_empty()
        {
            return Some(Err(Error::Usage(format!(
                "`{text}`: the prefix has an empty, `.` or `..` segment"
            ))));
        }
        Some(Ok(Location {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        }))
    }

    /// The key of `rel` below the prefix.
    pub fn key(&self, rel: &str) -> String {
        match (self.prefix.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_owned(),
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}/{rel}", self.prefix),
        }
    }

    /// `s3://bucket/prefix/rel`, for messages.
    pub fn show(&self, rel: &str) -> String {
        let key = self.key(rel);
        if key.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{key}", self.bucket)
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.show(""))
    }
}

/// Where the store is and who we are.
#[derive(Clone)]
pub struct Config {
    pub endpoint: url::Url,
    pub region: String,
    credentials: Credentials,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("endpoint", &self.endpoint.as_str())
            .field("region", &self.region)
            .field("credentials", &"(not shown)")
            .finish()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// From the environment (see the module's documentation).
    pub fn from_env() -> Result<Config> {
        let region = env("AWS_REGION")
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".into());
        let endpoint = env("AWS_ENDPOINT_URL_S3")
            .or_else(|| env("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let endpoint: url::Url = endpoint.parse().map_err(|e| {
            Error::Usage(format!("AWS_ENDPOINT_URL `{endpoint}` is not a URL ({e})"))
        })?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(Error::Usage(format!(
                "AWS_ENDPOINT_URL `{endpoint}` is not an http(s) URL"
            )));
        }
        let credentials = match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            (Some(key), Some(secret)) => match env("AWS_SESSION_TOKEN") {
                Some(token) => Credentials::new_with_token(key, secret, token),
                None => Credentials::new(key, secret),
            },
            _ => shared_credentials()?,
        };
        Ok(Config {
            endpoint,
            region,
            credentials,
        })
    }

    /// A configuration given in full (for tools and tests that do not read the environment).
    pub fn new(endpoint: &str, region: &str, key_id: &str, secret: &str) -> Result<Config> {
        Ok(Config {
            endpoint: endpoint
                .parse()
                .map_err(|e| Error::Usage(format!("`{endpoint}` is not a URL ({e})")))?,
            region: region.to_owned(),
            credentials: Credentials::new(key_id, secret),
        })
    }

    pub fn key_id(&self) -> &str {
        self.credentials.key()
    }

    pub(crate) fn secret(&self) -> &str {
        self.credentials.secret()
    }
}

/// The profile of the shared credentials file.
fn shared_credentials() -> Result<Credentials> {
    let path = match env("AWS_SHARED_CREDENTIALS_FILE") {
        Some(path) => std::path::PathBuf::from(path),
        None => match env("HOME") {
            Some(home) => std::path::Path::new(&home).join(".aws/credentials"),
            None => return Err(no_credentials("no HOME, so no ~/.aws/credentials")),
        },
    };
    let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            return Err(no_credentials(&format!(
                "`{}` cannot be read ({e})",
                path.display()
            )));
        }
    };
    let (mut key, mut secret, mut token) = (None, None, None);
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == profile;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim().to_owned();
            match k.trim() {
                "aws_access_key_id" => key = Some(v),
                "aws_secret_access_key" => secret = Some(v),
                "aws_session_token" => token = Some(v),
                _ => {}
            }
        }
    }
    match (key, secret) {
        (Some(key), Some(secret)) => Ok(match token {
            Some(token) => Credentials::new_with_token(key, secret, token),
            None => Credentials::new(key, secret),
        }),
        _ => Err(no_credentials(&format!(
            "`{}` has no aws_access_key_id and aws_secret_access_key in profile [{profile}]",
            path.display()
        ))),
    }
}

fn no_credentials(why: &str) -> Error {
    Error::Usage(format!(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use the shared \
         credentials file ({why})"
    ))
}

/// A key found by listing.
#[derive(Clone, Debug)]
pub struct Listed {
    pub key: String,
    pub size: u64,
    pub etag: String,
}

/// What the store says of an object without sending it.
#[derive(Clone, Debug)]
pub struct Head {
    pub size: u64,
    pub etag: String,
    /// The store's SHA-256 of the object, hex: of the whole object for a single upload; `None`
    /// when it keeps none.
    pub sha256: Option<String>,
    /// The object was uploaded in parts: the store's checksum is one of its parts' checksums
    /// (`...-N`), which the inventory cannot be compared with.
    pub composite: bool,
}

/// Retries of transient failures (as for InvenioRDM; the store gets more, shorter waits).
pub use crate::deposit::invenio::Retry;

fn store_retry() -> Retry {
    Retry {
        attempts: 6,
        base_delay: Duration::from_millis(250),
    }
}

/// A signed request for `action` with `headers` signed and sent.
fn signed<'a>(
    mut action: impl S3Action<'a>,
    method: &'static str,
    headers: Vec<(&'static str, String)>,
) -> (&'static str, url::Url, Vec<(&'static str, String)>) {
    for (name, value) in &headers {
        if name.starts_with("x-amz-") {
            action.headers_mut().insert(*name, value.clone());
        }
    }
    (method, action.sign(signed_for()), headers)
}

/// A bucket on a store.
pub struct Client {
    bucket: Bucket,
    config: Config,
    agent: ureq::Agent,
    retry: Retry,
    pub location: Location,
    /// Checked after a write is signed and before it is sent (a deposit's lease): an error
    /// stops the write.
    fence: Option<Fence>,
}

/// See [`Client::fenced`].
pub type Fence = std::sync::Arc<dyn Fn() -> Result<()> + Send + Sync>;

/// A response: status, the headers we use, the body (read whole unless streamed).
struct Reply {
    status: u16,
    response: ureq::http::Response<ureq::Body>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    fn text(self) -> String {
        let mut body = String::new();
        let _ = self
            .response
            .into_body()
            .into_reader()
            .take(1 << 20)
            .read_to_string(&mut body);
        body
    }
}

/// The request body.
enum Body<'a> {
    Empty,
    Bytes(&'a [u8]),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The checksum headers of a body: `x-amz-checksum-sha256` and `content-md5`.
fn checksums(bytes: &[u8]) -> [(&'static str, String); 2] {
    [
        ("x-amz-checksum-sha256", b64(&sha2::Sha256::digest(bytes))),
        ("content-md5", b64(&md5::Md5::digest(bytes))),
    ]
}

/// Text of an S3 error body: its `<Code>` and `<Message>`.
fn s3_error(body: &str) -> String {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        body.split_once(&open)
            .and_then(|(_, rest)| rest.split_once(&close))
            .map(|(v, _)| v.trim().to_owned())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => body.chars().take(200).collect::<String>().trim().to_owned(),
    }
}

impl Client {
    pub fn new(config: Config, location: Location) -> Result<Client> {
        let bucket = Bucket::new(
            config.endpoint.clone(),
            UrlStyle::Path,
            location.bucket.clone(),
            config.region.clone(),
        )
        .map_err(|e| Error::Usage(format!("the S3 endpoint cannot be used: {e}")))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .user_agent(format!("archivist/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Client {
            bucket,
            config,
            agent,
            retry: store_retry(),
            location,
            fence: None,
        })
    }

    /// Every write (PUT, POST, DELETE) is signed first, then `fence` is called, then the write
    /// is sent, on every attempt: with a lease's check as the fence, a write the store accepts
    /// was signed while the lease was held, so it cannot land later than [`signed_for`] after
    /// the lease's expiry.
    pub fn fenced(mut self, fence: Fence) -> Client {
        self.fence = Some(fence);
        self
    }

    /// From the environment, for `s3://BUCKET/PREFIX`.
    pub fn from_env(location: Location) -> Result<Client> {
        Client::new(Config::from_env()?, location)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn credentials(&self) -> Option<&Credentials> {
        Some(&self.config.credentials)
    }

    fn show_key(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.location.bucket)
    }

    /// Send a request (signed afresh by `sign` for each attempt), retrying transient failures.
    /// Any status is returned; transport failures that outlast the retries are errors.
    fn send(
        &self,
        what: &str,
        key: &str,
        sign: &dyn Fn() -> (&'static str, url::Url, Vec<(&'static str, String)>),
        body: Body<'_>,
    ) -> Result<Reply> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (method, url, headers) = sign();
            if let Some(fence) = &self.fence
                && !matches!(method, "GET" | "HEAD")
            {
                fence()?;
            }
            let mut request = ureq::http::Request::builder()
                .method(method)
                .uri(url.as_str());
            for (name, value) in &headers {
                request = request.header(*name, value);
            }
            let outcome = match body {
                Body::Empty => self.agent.run(request.body(()).expect("a valid request")),
                Body::Bytes(bytes) => self
                    .agent
                    .run(request.body(bytes).expect("a valid request")),
            };
            let failure = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status == 429 || status >= 500 {
                        let reply = Reply { status, response };
                        format!(
                            "{what} {}: HTTP {status} ({})",
                            self.show_key(key),
                            s3_error(&reply.text())
                        )
                    } else {
                        return Ok(Reply { status, response });
                    }
                }
                // ureq's message for a transport failure names no URL (the URL would carry the
                // access key id); its kind is enough.
                Err(e) => format!("{what} {}: {}", self.show_key(key), transport(&e)),
            };
            if attempt >= self.retry.attempts {
                return Err(Error::Io(std::io::Error::other(format!(
                    "{failure}; gave up after {attempt} attempts"
                ))));
            }
            let wait = self.retry.base_delay * 2u32.saturating_pow(attempt - 1);
            let jitter = Duration::from_millis(u64::from(rand_u16()) % 100);
            tracing::warn!(
                "{failure}; retrying in {:.1}s",
                (wait + jitter).as_secs_f64()
            );
            std::thread::sleep(wait + jitter);
        }
    }

    /// An error for a status that is not success, naming the key.
    fn fail(&self, what: &str, key: &str, reply: Reply) -> Error {
        let status = reply.status;
        let detail = s3_error(&reply.text());
        let shown = self.show_key(key);
        // Exit 2 (configuration or I/O), as for a file that cannot be read.
        let (kind, message) = match status {
            403 => (
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{what} {shown}: access denied (HTTP 403, {detail}); check the key's \
                     permissions on the bucket, and AWS_ACCESS_KEY_ID or AWS_PROFILE"
                ),
            ),
            404 => (
                std::io::ErrorKind::NotFound,
                format!("{what} {shown}: no such key or bucket (HTTP 404, {detail})"),
            ),
            _ => (
                std::io::ErrorKind::Other,
                format!("{what} {shown}: HTTP {status} ({detail})"),
            ),
        };
        Error::Io(std::io::Error::new(kind, message))
    }

    /// Every key below `prefix` (a key prefix: give a trailing `/` for a folder), sorted.
    pub fn list(&self, prefix: &str) -> Result<Vec<Listed>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let reply = self.send(
                "list",
                prefix,
                &|| {
                    let mut action = self.bucket.list_objects_v2(self.credentials());
                    action.with_prefix(prefix.to_owned());
                    if let Some(token) = &token {
                        action.with_continuation_token(token.clone());
                    }
                    ("GET", action.sign(signed_for()), Vec::new())
                },
                Body::Empty,
            )?;
            if reply.status != 200 {
                return Err(self.fail("list", prefix, reply));
            }
            let text = reply.text();
            let parsed = rusty_s3::actions::ListObjectsV2::parse_response(&text).map_err(|e| {
                Error::Io(std::io::Error::other(format!(
                    "list {}: the store's answer cannot be read ({e})",
                    self.show_key(prefix)
                )))
            })?;
            for item in parsed.contents {
                out.push(Listed {
                    key: item.key,
                    size: item.size.unwrap_or(0),
                    etag: item.etag.unwrap_or_default().trim_matches('"').to_owned(),
                });
            }
            match parsed.next_continuation_token {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// The object at `key`, whole, refused when over `limit` bytes.
    pub fn get(&self, key: &str, limit: u64) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.open(key)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| read_error(&self.show_key(key), e))?;
        if bytes.len() as u64 > limit {
            return Err(Error::Refused {
                message: format!("{} is over the limit of {limit} bytes", self.show_key(key)),
                hint: None,
            });
        }
        Ok(bytes)
    }

    /// A reader of the object at `key` (the request is retried until the body starts).
    pub fn open(&self, key: &str) -> Result<Box<dyn Read + Send>> {
        let reply = self.send(
            "get",
            key,
            &|| {
                let action = self.bucket.get_object(self.credentials(), key);
                ("GET", action.sign(signed_for()), Vec::new())
            },
            Body::Empty,
        )?;
        if reply.status != 200 {
            return Err(self.fail("get", key, reply));
        }
        let shown = self.show_key(key);
        let reader = reply.response.into_body().into_reader();
        Ok(Box::new(Named {
            inner: reader,
            shown,
        }))
    }

    /// The object's size, ETag and the store's checksum, or `None` when there is none.
    pub fn head(&self, key: &str) -> Result<Option<Head>> {
        let reply = self.send(
            "head",
            key,
            &|| {
                signed(
                    self.bucket.head_object(self.credentials(), key),
                    "HEAD",
                    vec![("x-amz-checksum-mode", "ENABLED".to_owned())],
                )
            },
            Body::Empty,
        )?;
        if reply.status == 404 {
            return Ok(None);
        }
        if reply.status != 200 {
            return Err(self.fail("head", key, reply));
        }
        let size = reply
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let etag = reply
            .header("etag")
            .unwrap_or_default()
            .trim_matches('"')
            .to_owned();
        let stored = reply.header("x-amz-checksum-sha256");
        let composite = stored.as_deref().is_some_and(|s| s.contains('-')) || etag.contains('-');
        let sha256 = stored
            .as_deref()
            .map(|s| s.split('-').next().unwrap_or(s))
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
            .map(|raw| hex(&raw));
        Ok(Some(Head {
            size,
            etag,
            sha256,
            composite,
        }))
    }

    /// Upload `bytes` to `key` with its checksums; `condition` is an extra header
    /// (`if-none-match: *`, `if-match: ETAG`). Returns the new ETag, or `Err(Conflict)` in the
    /// message when the store refused the condition (412).
    pub fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        condition: Option<(&'static str, String)>,
    ) -> Result<std::result::Result<String, Conflict>> {
        self.put_claiming(key, bytes, bytes, condition)
    }

    /// Upload `bytes` with the checksums of `claimed` (the same bytes, but for tests that show
    /// the store refusing a body that does not match its checksums).
    #[doc(hidden)]
    pub fn put_claiming(
        &self,
        key: &str,
        bytes: &[u8],
        claimed: &[u8],
        condition: Option<(&'static str, String)>,
    ) -> Result<std::result::Result<String, Conflict>> {
        let sums = checksums(claimed);
        let reply = self.send(
            "put",
            key,
            &|| {
                let mut headers = vec![sums[0].clone(), sums[1].clone()];
                headers.extend(condition.clone());
                signed(
                    self.bucket.put_object(self.credentials(), key),
                    "PUT",
                    headers,
                )
            },
            Body::Bytes(bytes),
        )?;
        match reply.status {
            200 => Ok(Ok(reply
                .header("etag")
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned())),
            412 | 409 => Ok(Err(Conflict)),
            _ => Err(self.fail("put", key, reply)),
        }
    }

    /// Upload `bytes` to `key` with its checksums.
    pub fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        match self.put_if(key, bytes, None)? {
            Ok(_) => Ok(()),
            Err(Conflict) => Err(Error::Io(std::io::Error::other(format!(
                "put {}: the store answered 412 to an unconditional write",
                self.show_key(key)
            )))),
        }
    }

    /// Upload the file at `path` to `key`: in one request, or in parts when it is large, each
    /// with its checksums. Returns the SHA-256 (hex) of what was sent.
    pub fn put_file(&self, key: &str, path: &std::path::Path) -> Result<String> {
        let size = fs_err::metadata(path)?.len();
        if size <= MULTIPART_OVER {
            let bytes = fs_err::read(path)?;
            self.put(key, &bytes)?;
            return Ok(sha256_hex(&bytes));
        }
        let mut file = fs_err::File::open(path)?;
        let reply = self.send(
            "start upload",
            key,
            &|| {
                signed(
                    self.bucket.create_multipart_upload(self.credentials(), key),
                    "POST",
                    vec![("x-amz-checksum-algorithm", "SHA256".to_owned())],
                )
            },
            Body::Empty,
        )?;
        if reply.status != 200 {
            return Err(self.fail("start upload", key, reply));
        }
        let text = reply.text();
        let created =
            rusty_s3::actions::CreateMultipartUpload::parse_response(&text).map_err(|e| {
                Error::Io(std::io::Error::other(format!(
                    "start upload {}: the store's answer cannot be read ({e})",
                    self.show_key(key)
                )))
            })?;
        let upload_id = created.upload_id().to_owned();
        let result = self.upload_parts(key, &upload_id, &mut file, size);
        if result.is_err() {
            let _ = self.send(
                "abort upload",
                key,
                &|| {
                    let action =
                        self.bucket
                            .abort_multipart_upload(self.credentials(), key, &upload_id);
                    ("DELETE", action.sign(signed_for()), Vec::new())
                },
                Body::Empty,
            );
        }
        result
    }

    fn upload_parts(
        &self,
        key: &str,
        upload_id: &str,
        file: &mut fs_err::File,
        size: u64,
    ) -> Result<String> {
        let mut whole = sha2::Sha256::new();
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut buf = Vec::with_capacity(PART_SIZE as usize);
        let mut number: u16 = 0;
        let mut sent = 0u64;
        while sent < size {
            buf.clear();
            file.by_ref().take(PART_SIZE).read_to_end(&mut buf)?;
            if buf.is_empty() {
                break;
            }
            sent += buf.len() as u64;
            whole.update(&buf);
            number += 1;
            let sums = checksums(&buf);
            let reply = self.send(
                "upload part of",
                key,
                &|| {
                    signed(
                        self.bucket
                            .upload_part(self.credentials(), key, number, upload_id),
                        "PUT",
                        vec![sums[0].clone(), sums[1].clone()],
                    )
                },
                Body::Bytes(&buf),
            )?;
            if reply.status != 200 {
                return Err(self.fail("upload part of", key, reply));
            }
            let etag = reply.header("etag").unwrap_or_default();
            parts.push((etag, sums[0].1.clone()));
        }
        let mut body = String::from("<CompleteMultipartUpload>");
        for (i, (etag, sha)) in parts.iter().enumerate() {
            body.push_str(&format!(
                "<Part><ETag>{}</ETag><ChecksumSHA256>{sha}</ChecksumSHA256><PartNumber>{}</PartNumber></Part>",
                etag.replace('&', "&amp;").replace('<', "&lt;"),
                i + 1
            ));
        }
        body.push_str("</CompleteMultipartUpload>");
        let reply = self.send(
            "complete upload",
            key,
            &|| {
                let action = self.bucket.complete_multipart_upload(
                    self.credentials(),
                    key,
                    upload_id,
                    std::iter::empty(),
                );
                ("POST", action.sign(signed_for()), Vec::new())
            },
            Body::Bytes(body.as_bytes()),
        )?;
        if reply.status != 200 {
            return Err(self.fail("complete upload", key, reply));
        }
        // A 200 can still carry an error.
        let text = reply.text();
        if text.contains("<Error>") {
            return Err(Error::Io(std::io::Error::other(format!(
                "complete upload {}: {}",
                self.show_key(key),
                s3_error(&text)
            ))));
        }
        Ok(hex(&whole.finalize()))
    }

    /// Copy `from` to `to` inside the bucket, on the store (nothing is downloaded).
    pub fn copy(&self, from: &str, to: &str) -> Result<()> {
        let source = format!(
            "/{}/{}",
            self.location.bucket,
            from.split('/')
                .map(|s| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>())
                .collect::<Vec<_>>()
                .join("/")
        )
        .replace('+', "%20");
        let reply = self.send(
            "copy to",
            to,
            &|| {
                signed(
                    self.bucket.put_object(self.credentials(), to),
                    "PUT",
                    vec![("x-amz-copy-source", source.clone())],
                )
            },
            Body::Empty,
        )?;
        if reply.status != 200 {
            return Err(self.fail("copy to", to, reply));
        }
        let text = reply.text();
        if text.contains("<Error>") {
            return Err(Error::Io(std::io::Error::other(format!(
                "copy to {}: {}",
                self.show_key(to),
                s3_error(&text)
            ))));
        }
        Ok(())
    }

    /// Delete `key` (a missing key is not an error).
    pub fn delete(&self, key: &str) -> Result<()> {
        let reply = self.send(
            "delete",
            key,
            &|| {
                let action = self.bucket.delete_object(self.credentials(), key);
                ("DELETE", action.sign(signed_for()), Vec::new())
            },
            Body::Empty,
        )?;
        if !matches!(reply.status, 200 | 204 | 404) {
            return Err(self.fail("delete", key, reply));
        }
        Ok(())
    }

    /// Delete `keys`, up to 1,000 a request (DeleteObjects); missing keys are not errors.
    pub fn delete_many(&self, keys: &[String]) -> Result<()> {
        use rusty_s3::actions::{DeleteObjects, DeleteObjectsResponse, ObjectIdentifier};
        for chunk in keys.chunks(1000) {
            let ids: Vec<ObjectIdentifier> = chunk
                .iter()
                .map(|k| ObjectIdentifier::new(k.clone()))
                .collect();
            let action = || {
                let mut action = DeleteObjects::new(&self.bucket, self.credentials(), ids.iter());
                action.set_quiet(true);
                action
            };
            let (body, md5) = action().body_with_md5();
            let reply = self.send(
                "delete",
                &chunk[0],
                &|| {
                    (
                        "POST",
                        action().sign(signed_for()),
                        vec![("content-md5", md5.clone())],
                    )
                },
                Body::Bytes(body.as_bytes()),
            )?;
            if reply.status != 200 {
                return Err(self.fail("delete", &chunk[0], reply));
            }
            let text = reply.text();
            let answer = DeleteObjectsResponse::parse(&text).map_err(|e| {
                Error::Io(std::io::Error::other(format!(
                    "delete {} and {} more: the store's answer cannot be read ({e})",
                    self.show_key(&chunk[0]),
                    chunk.len() - 1
                )))
            })?;
            if let Some(failed) = answer.errors.iter().find(|e| e.code != "NoSuchKey") {
                return Err(Error::Io(std::io::Error::other(format!(
                    "delete {}: {} ({})",
                    self.show_key(&failed.key),
                    failed.code,
                    failed.message
                ))));
            }
        }
        Ok(())
    }

    /// Whether the store honours `If-None-Match: *` on PutObject: a probe key is written twice
    /// with the condition (and removed). Garage 2.5 accepts the header and ignores it.
    pub fn honours_conditions(&self, probe_key: &str) -> Result<bool> {
        self.delete(probe_key)?;
        let first = self.put_if(probe_key, b"1\n", Some(("if-none-match", "*".into())))?;
        let second = self.put_if(probe_key, b"2\n", Some(("if-none-match", "*".into())))?;
        let kept = self.get(probe_key, 16)?;
        self.delete(probe_key)?;
        Ok(first.is_ok() && second.is_err() && kept == b"1\n")
    }
}

/// A condition of a conditional write was not met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict;

/// A body reader whose errors name the key.
struct Named<R> {
    inner: R,
    shown: String,
}

impl<R: Read> Read for Named<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| std::io::Error::new(e.kind(), format!("reading {}: {e}", self.shown)))
    }
}

fn read_error(shown: &str, e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(
        e.kind(),
        format!("reading {shown}: {e}"),
    ))
}

/// A transport failure, described without its URL.
fn transport(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(what) => format!("timed out ({what:?})"),
        ureq::Error::Io(io) => format!("connection failed ({})", io.kind()),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        _ => "the request failed".into(),
    }
}

/// A little randomness for backoff jitter and lease ids.
pub fn rand_u16() -> u16 {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    u16::from_le_bytes(bytes)
}
