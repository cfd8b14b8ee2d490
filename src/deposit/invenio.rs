//! InvenioRDM (and Zenodo, which runs it): a release becomes a draft, or a new version of the
//! record named in `dataset.toml`, with the zip and its sidecar uploaded through the files API and
//! the metadata mapped from `dataset.toml`. Published only when asked.
//!
//! The sequence, as the InvenioRDM REST API documents it:
//! `POST /api/records` (or `POST /api/records/{id}/versions`), `PUT /api/records/{id}/draft`
//! (metadata), for each file `POST .../draft/files` (start), `PUT .../files/{key}/content`,
//! `POST .../files/{key}/commit` (the server reports an MD5 checksum, compared with ours), and
//! `POST .../draft/actions/publish` with `--publish`.
//!
//! Transient failures (connection errors, timeouts, 429, 5xx) are retried with exponential backoff
//! (honouring `Retry-After`); anything else stops with the server's message. The token comes from
//! `INVENIO_TOKEN` and is only ever put in the `Authorization` header: never printed or logged.

use crate::config::Dataset;
use crate::digest::{Algorithm, MultiHasher};
use crate::error::{Error, Result};
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

pub const ZENODO: &str = "https://zenodo.org";
pub const ZENODO_SANDBOX: &str = "https://sandbox.zenodo.org";
pub const TOKEN_VARIABLE: &str = "INVENIO_TOKEN";

/// How failures are retried.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// The first wait; each later wait doubles.
    pub base_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            base_delay: Duration::from_secs(1),
        }
    }
}

/// A resolved InvenioRDM target.
pub struct Invenio {
    base: String,
    token: String,
    agent: ureq::Agent,
    retry: Retry,
}

/// What a deposit did.
#[derive(Debug)]
pub struct InvenioOutcome {
    /// The record (draft) id.
    pub id: String,
    /// The page a person opens: the draft's upload page, or the published record.
    pub url: String,
    pub published: bool,
    /// Files uploaded, with the MD5 the server reported.
    pub files: Vec<(String, String)>,
}

impl Invenio {
    /// `base` is the repository's URL (`https://zenodo.org`); the token is read from
    /// `INVENIO_TOKEN`.
    pub fn from_env(base: &str, retry: Retry) -> Result<Invenio> {
        let token = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
            Error::Usage(format!(
                "{TOKEN_VARIABLE} is not set: create a personal access token (scope deposit:write) in \
                 the repository's account settings and export it as {TOKEN_VARIABLE}"
            ))
        })?;
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(Error::Usage(format!("`{base}` is not an http(s) URL")));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(600)))
            .user_agent(format!("archivist/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Invenio {
            base: base.trim_end_matches('/').to_owned(),
            token: token.trim().to_owned(),
            agent: ureq::Agent::new_with_config(config),
            retry,
        })
    }

    /// Deposit the release zip and the files that go with it (its sidecar and signature);
    /// publish if asked.
    pub fn deposit(
        &self,
        dataset: &Dataset,
        zip: &Path,
        companions: &[&Path],
        publish: bool,
    ) -> Result<InvenioOutcome> {
        let draft = match dataset.invenio.as_ref().and_then(|i| i.record.as_deref()) {
            Some(record) => self.call(
                "POST",
                &format!("/api/records/{record}/versions"),
                Body::Empty,
            )?,
            None => self.call(
                "POST",
                "/api/records",
                Body::Json(json!({"files": {"enabled": true}, "metadata": metadata(dataset)})),
            )?,
        };
        let id = draft["id"]
            .as_str()
            .ok_or_else(|| remote("the new draft has no id", &draft))?
            .to_owned();
        tracing::info!(%id, "draft created");
        let body = json!({
            "access": {"record": "public", "files": "public"},
            "files": {"enabled": true},
            "metadata": metadata(dataset),
        });
        let mut draft = self.call("PUT", &format!("/api/records/{id}/draft"), Body::Json(body))?;

        let mut files = Vec::new();
        for path in std::iter::once(zip).chain(companions.iter().copied()) {
            let key = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| Error::Usage(format!("`{}` has no file name", path.display())))?
                .to_owned();
            let ours = md5_of(path)?;
            self.call(
                "POST",
                &format!("/api/records/{id}/draft/files"),
                Body::Json(json!([{"key": key}])),
            )?;
            self.call(
                "PUT",
                &format!("/api/records/{id}/draft/files/{key}/content"),
                Body::File(path),
            )?;
            let committed = self.call(
                "POST",
                &format!("/api/records/{id}/draft/files/{key}/commit"),
                Body::Empty,
            )?;
            let theirs = committed["checksum"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if theirs != format!("md5:{ours}") {
                return Err(Error::Refused {
                    message: format!(
                        "the repository stored `{key}` with checksum {theirs}, ours is md5:{ours}: the upload was damaged; draft {id} is left unpublished"
                    ),
                    hint: Some("delete the draft in the repository and deposit again".into()),
                });
            }
            files.push((key, theirs));
        }
        let mut published = false;
        if publish {
            draft = self.call(
                "POST",
                &format!("/api/records/{id}/draft/actions/publish"),
                Body::Empty,
            )?;
            published = true;
        }
        let url = draft["links"]["self_html"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{}/uploads/{id}", self.base));
        Ok(InvenioOutcome {
            id,
            url,
            published,
            files,
        })
    }

    /// One API call, retried on transient failures; the parsed JSON answer.
    fn call(&self, method: &str, path: &str, body: Body<'_>) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send(method, &url, &body);
            let (transient, wait, failure) = match outcome {
                Ok((status, text, _)) if (200..300).contains(&status) => {
                    return Ok(if text.trim().is_empty() {
                        Value::Null
                    } else {
                        serde_json::from_str(&text).unwrap_or(Value::String(text))
                    });
                }
                Ok((status, text, retry_after)) => {
                    let message = server_message(&text);
                    let failure = format!("{method} {url}: HTTP {status}: {message}");
                    (status == 429 || status >= 500, retry_after, failure)
                }
                Err(e) => (true, None, format!("{method} {url}: {e}")),
            };
            if !transient {
                return Err(Error::Refused {
                    message: format!("the repository refused: {failure}"),
                    hint: None,
                });
            }
            if attempt >= self.retry.attempts {
                return Err(Error::Io(std::io::Error::other(format!(
                    "{failure} (gave up after {attempt} attempts)"
                ))));
            }
            let backoff = self.retry.base_delay * 2u32.saturating_pow(attempt - 1);
            let wait = wait.unwrap_or(backoff).min(Duration::from_secs(120));
            tracing::warn!("{failure}; retrying in {:.1}s", wait.as_secs_f64());
            std::thread::sleep(wait);
        }
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        body: &Body<'_>,
    ) -> std::result::Result<(u16, String, Option<Duration>), String> {
        let auth = format!("Bearer {}", self.token);
        let response = match (method, body) {
            ("POST", Body::Empty) => self
                .agent
                .post(url)
                .header("Authorization", &auth)
                .send_empty(),
            ("POST", Body::Json(v)) => self
                .agent
                .post(url)
                .header("Authorization", &auth)
                .send_json(v),
            ("PUT", Body::Json(v)) => self
                .agent
                .put(url)
                .header("Authorization", &auth)
                .send_json(v),
            ("PUT", Body::File(path)) => {
                let mut file = std::fs::File::open(path)
                    .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
                let len = file.metadata().map_err(|e| e.to_string())?.len();
                self.agent
                    .put(url)
                    .header("Authorization", &auth)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Length", len.to_string())
                    .send(ureq::SendBody::from_reader(&mut file))
            }
            _ => unreachable!("no such call"),
        };
        let mut response = response.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Ok((status, text, retry_after))
    }
}

enum Body<'a> {
    Empty,
    Json(Value),
    File(&'a Path),
}

fn remote(what: &str, answer: &Value) -> Error {
    Error::Refused {
        message: format!("unexpected answer from the repository: {what}: {answer}"),
        hint: None,
    }
}

/// The repository's own words from an error body (`message`, and `errors` where given).
fn server_message(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => {
            let mut message = v["message"].as_str().unwrap_or("").to_owned();
            if let Some(errors) = v["errors"].as_array() {
                for e in errors {
                    message.push_str(&format!(
                        "; {}: {}",
                        e["field"].as_str().unwrap_or("?"),
                        e["messages"]
                    ));
                }
            }
            if message.is_empty() {
                text.chars().take(500).collect()
            } else {
                message
            }
        }
        Err(_) => text.chars().take(500).collect(),
    }
}

fn md5_of(path: &Path) -> Result<String> {
    let mut file = fs_err::File::open(path)?;
    let mut hasher = MultiHasher::new([Algorithm::Md5]);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish().remove(0).1)
}

/// InvenioRDM metadata mapped from `dataset.toml`.
pub fn metadata(dataset: &Dataset) -> Value {
    let creators: Vec<Value> = dataset
        .creators
        .iter()
        .map(|c| {
            let mut person = if c.kind == "Personal" {
                let (family, given) = match c.name.split_once(',') {
                    Some((f, g)) => (f.trim().to_owned(), g.trim().to_owned()),
                    None => (c.name.clone(), String::new()),
                };
                json!({"type": "personal", "family_name": family, "given_name": given})
            } else {
                json!({"type": "organizational", "name": c.name})
            };
            if let Some(orcid) = &c.orcid {
                person["identifiers"] = json!([{"scheme": "orcid", "identifier": orcid}]);
            }
            let mut creator = json!({"person_or_org": person});
            if let Some(a) = &c.affiliation {
                creator["affiliations"] = json!([{"name": a}]);
            }
            creator
        })
        .collect();
    let mut rights = json!({
        "title": {"en": dataset.rights.statement},
        "link": dataset.rights.uri,
    });
    if let Some(note) = &dataset.rights.note {
        rights["description"] = json!({"en": note.trim()});
    }
    json!({
        "resource_type": {"id": "dataset"},
        "title": dataset.title,
        "creators": creators,
        "publisher": dataset.publisher,
        "publication_date": dataset.release_date,
        "version": dataset.version,
        "languages": dataset.languages.iter().filter_map(|l| iso639_3(l)).map(|l| json!({"id": l})).collect::<Vec<_>>(),
        "rights": [rights],
        "description": dataset.description.trim(),
        "subjects": dataset.keywords.iter().map(|k| json!({"subject": k})).collect::<Vec<_>>(),
    })
}

/// ISO 639-3 (InvenioRDM's language vocabulary) for an ISO 639-1 code.
pub fn iso639_3(code: &str) -> Option<String> {
    let lang = whatlang::Lang::all()
        .iter()
        .find(|l| crate::metadata::iso639_1(**l) == Some(code))?;
    Some(match lang.code() {
        "cmn" => "zho".to_owned(),
        "pes" => "fas".to_owned(),
        other => other.to_owned(),
    })
}
