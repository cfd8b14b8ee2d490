//! A protocol fake of an InvenioRDM repository: a tiny HTTP/1.1 server on 127.0.0.1 that answers
//! the documented draft, files and publish endpoints the way InvenioRDM does, records every
//! request, and can be told to misbehave (a wrong checksum, a 429 or 5xx before succeeding).
//! It stores nothing but what the tests look at, and stops with the test.

use md5::Digest;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub const TOKEN: &str = "fake-token-5ecret-never-printed";

#[derive(Default)]
pub struct State {
    /// Every request, as `METHOD /path`.
    pub log: Vec<String>,
    /// Authorization headers seen.
    pub auth: Vec<String>,
    /// Draft metadata by record id.
    pub metadata: BTreeMap<String, Value>,
    /// Uploaded file contents by `id/key`.
    pub files: BTreeMap<String, Vec<u8>>,
    pub published: Vec<String>,
    /// `METHOD /path` -> (status, remaining times) to answer before behaving.
    pub fail: BTreeMap<String, (u16, usize)>,
    /// Report a wrong checksum on commit.
    pub wrong_checksum: bool,
    next_id: usize,
}

pub struct FakeInvenio {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl FakeInvenio {
    pub fn start() -> FakeInvenio {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind on loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let state = shared.clone();
                let base = base.clone();
                std::thread::spawn(move || serve(stream, &state, &base));
            }
        });
        FakeInvenio { url, state }
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, base: &str) {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let body = read_body(&mut reader, &headers);
        let (status, extra, answer) = route(state, base, &method, &path, &headers, body);
        let text = answer.to_string();
        let reason = match status {
            200 => "OK",
            201 => "Created",
            202 => "Accepted",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Error",
        };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{text}",
            text.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn read_body(reader: &mut impl BufRead, headers: &BTreeMap<String, String>) -> Vec<u8> {
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0u8; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            if n == 0 {
                return body;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    body.resize(len, 0);
    reader.read_exact(&mut body).unwrap();
    body
}

fn route(
    state: &Mutex<State>,
    base: &str,
    method: &str,
    path: &str,
    headers: &BTreeMap<String, String>,
    body: Vec<u8>,
) -> (u16, String, Value) {
    let mut s = state.lock().unwrap();
    let key = format!("{method} {path}");
    s.log.push(key.clone());
    s.auth
        .push(headers.get("authorization").cloned().unwrap_or_default());
    if headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {TOKEN}")) {
        return (
            403,
            String::new(),
            json!({"status": 403, "message": "Permission denied."}),
        );
    }
    if let Some((status, times)) = s.fail.get_mut(&key)
        && *times > 0
    {
        *times -= 1;
        let status = *status;
        let extra = if status == 429 {
            "Retry-After: 0\r\n".to_owned()
        } else {
            String::new()
        };
        return (
            status,
            extra,
            json!({"status": status, "message": "Try again later."}),
        );
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let links = |id: &str, published: bool| {
        let html = if published {
            format!("{base}/records/{id}")
        } else {
            format!("{base}/uploads/{id}")
        };
        json!({"self_html": html, "self": format!("{base}/api/records/{id}/draft")})
    };
    match (method, segments.as_slice()) {
        ("POST", ["api", "records"]) => {
            s.next_id += 1;
            let id = format!("rec{}", s.next_id);
            (
                201,
                String::new(),
                json!({"id": id, "links": links(&id, false)}),
            )
        }
        ("POST", ["api", "records", _parent, "versions"]) => {
            s.next_id += 1;
            let id = format!("rec{}", s.next_id);
            (
                201,
                String::new(),
                json!({"id": id, "links": links(&id, false)}),
            )
        }
        ("PUT", ["api", "records", id, "draft"]) => {
            let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let m = &value["metadata"];
            let mut errors = Vec::new();
            for field in ["title", "publication_date", "publisher"] {
                if !m[field].is_string() {
                    errors.push(json!({"field": format!("metadata.{field}"), "messages": ["Missing data for required field."]}));
                }
            }
            if m["resource_type"]["id"] != "dataset" {
                errors.push(
                    json!({"field": "metadata.resource_type", "messages": ["Invalid value."]}),
                );
            }
            if m["creators"].as_array().is_none_or(Vec::is_empty) {
                errors.push(json!({"field": "metadata.creators", "messages": ["Missing data for required field."]}));
            }
            if !errors.is_empty() {
                return (
                    400,
                    String::new(),
                    json!({"status": 400, "message": "A validation error occurred.", "errors": errors}),
                );
            }
            s.metadata.insert(id.to_string(), m.clone());
            (
                200,
                String::new(),
                json!({"id": id, "metadata": m, "links": links(id, false)}),
            )
        }
        ("POST", ["api", "records", _id, "draft", "files"]) => (
            201,
            String::new(),
            json!({"entries": serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null)}),
        ),
        ("PUT", ["api", "records", id, "draft", "files", key, "content"]) => {
            s.files.insert(format!("{id}/{key}"), body);
            (200, String::new(), json!({"key": key, "status": "pending"}))
        }
        ("POST", ["api", "records", id, "draft", "files", key, "commit"]) => {
            let data = s
                .files
                .get(&format!("{id}/{key}"))
                .cloned()
                .unwrap_or_default();
            let mut digest: String = md5::Md5::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if s.wrong_checksum {
                digest = "0".repeat(32);
            }
            (
                200,
                String::new(),
                json!({"key": key, "status": "completed", "checksum": format!("md5:{digest}"), "size": data.len()}),
            )
        }
        ("POST", ["api", "records", id, "draft", "actions", "publish"]) => {
            s.published.push(id.to_string());
            (
                202,
                String::new(),
                json!({"id": id, "is_published": true, "links": links(id, true)}),
            )
        }
        _ => (
            404,
            String::new(),
            json!({"status": 404, "message": "The requested URL was not found on the server."}),
        ),
    }
}
