//! The descriptions a release carries for other ecosystems, checked against the bag: the RO-Crate
//! (`ro-crate-metadata.json`), the Croissant (`croissant.json`) and the landing page
//! (`index.html`). Each must parse, and agree with the files and the records: every File entity
//! of the crate names a file of the bag with its size and SHA-256, every payload file but the
//! crate itself is one, and there is one normalization action per record, in the records'
//! order; the Croissant's `records.jsonl` has that file's size and SHA-256; the landing page's
//! JSON-LD is a schema.org Dataset of this version, and its table has one row per record, in
//! order. The crate and the page grow with the documents: they are streamed, and the records'
//! order is compared through a digest of their ids (constant memory).

use super::bag::{BagReport, sha256_of};
use super::content::{self, CROISSANT, LANDING, ROCRATE};
use super::source::BagSource;
use crate::package::{croissant as cr, landing, rocrate as rc};
use crate::problem::Problem;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The landing page's JSON-LD is read into memory up to this size.
const MAX_JSON_LD_BYTES: usize = 1 << 20;

/// Document ids in order, as a count and a digest.
#[derive(Clone, Default)]
pub struct IdSequence {
    hasher: Sha256,
    count: u64,
}

impl IdSequence {
    pub fn push(&mut self, id: &str) {
        self.hasher.update(id.as_bytes());
        self.hasher.update(b"\n");
        self.count += 1;
    }

    fn finish(self) -> (u64, Vec<u8>) {
        (self.count, self.hasher.finalize().to_vec())
    }
}

/// Check the three files, when the release has them (the profile says which it must have).
pub fn check(
    source: &mut dyn BagSource,
    report: &BagReport,
    records: &IdSequence,
    problems: &mut Vec<Problem>,
) {
    let version = info(report, "Version");
    let name = info(report, "External-Identifier");
    if report.has(ROCRATE) {
        check_rocrate(source, report, records, problems);
    }
    if report.has(CROISSANT) {
        check_croissant(source, report, version.as_deref(), problems);
    }
    if report.has(LANDING) {
        check_landing(
            source,
            records,
            version.as_deref(),
            name.as_deref(),
            problems,
        );
    }
}

fn info(report: &BagReport, label: &str) -> Option<String> {
    report
        .info
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.clone())
}

/// Reverse of [`rc::file_id`]: `%XX` decoded, as UTF-8.
fn decode_id(id: &str) -> Option<String> {
    let bytes = id.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What the checks read of an entity of the crate's graph (everything else is skipped).
#[derive(serde::Deserialize)]
struct Entity {
    #[serde(rename = "@id")]
    id: Option<String>,
    #[serde(rename = "@type", default)]
    kind: Value,
    #[serde(rename = "contentSize", default)]
    content_size: Value,
    sha256: Option<String>,
    #[serde(rename = "conformsTo", default)]
    conforms_to: Value,
    #[serde(default)]
    about: Value,
}

impl Entity {
    fn is(&self, kind: &str) -> bool {
        match &self.kind {
            Value::String(k) => k == kind,
            Value::Array(kinds) => kinds.iter().any(|k| k == kind),
            _ => false,
        }
    }
}

fn refers_to(value: &Value, id: &str) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|v| refers_to(v, id)),
        Value::Object(o) => o.get("@id").and_then(Value::as_str) == Some(id),
        _ => false,
    }
}

fn check_rocrate(
    source: &mut dyn BagSource,
    report: &BagReport,
    records: &IdSequence,
    problems: &mut Vec<Problem>,
) {
    let namer = source.namer();
    let name = |path: &str| namer(path);
    let mut found = Vec::new();
    let mut listed = content::Bits::new(report.digests.len());
    let mut actions = IdSequence::default();
    let (mut descriptor, mut root, mut run) = (false, false, false);
    let parsed = content::stream_json(source, ROCRATE, &mut |reader| {
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
        let seed = content::MemberSeed {
            key: "@graph",
            each: &mut |entity: Entity| {
                let Some(id) = entity.id.as_deref() else {
                    return;
                };
                if id == rc::METADATA {
                    descriptor = refers_to(&entity.conforms_to, rc::RO_CRATE)
                        && refers_to(&entity.about, "./");
                } else if id == "./" {
                    root = entity.is("Dataset");
                } else if id == rc::RELEASE_RUN {
                    run = entity.is("CreateAction");
                } else if let Some(doc) = id.strip_prefix("#normalization-") {
                    actions.push(&decode_id(doc).unwrap_or_default());
                }
                if !entity.is("File") {
                    return;
                }
                let Some(path) = decode_id(id) else {
                    found.push(Problem::error(
                        name(ROCRATE),
                        "rocrate-mismatch",
                        format!("the File entity `{id}` is not a percent-encoded UTF-8 path"),
                    ));
                    return;
                };
                let full = format!("data/{path}");
                let Some(row) = report.digest_of(&full).ok().flatten() else {
                    found.push(Problem::error(
                        name(ROCRATE),
                        "rocrate-mismatch",
                        format!("the File entity `{id}` names a file that is not in the bag"),
                    ));
                    return;
                };
                let actual = sha256_of(&row);
                if entity.sha256.as_deref() != Some(actual) {
                    found.push(Problem::error(
                        name(&full),
                        "rocrate-mismatch",
                        format!(
                            "ro-crate-metadata.json says sha256 {:?}, the file's is {actual}",
                            entity.sha256
                        ),
                    ));
                }
                if entity.content_size.as_str() != Some(row.size.to_string().as_str()) {
                    found.push(Problem::error(
                        name(&full),
                        "rocrate-mismatch",
                        format!(
                            "ro-crate-metadata.json says contentSize {}, the file has {} bytes",
                            entity.content_size, row.size
                        ),
                    ));
                }
                listed.set(row.index);
            },
        };
        serde::de::DeserializeSeed::deserialize(seed, &mut de)
            .and_then(|()| de.end())
            .map_err(|e| e.to_string())
    });
    problems.extend(found);
    if let Err(e) = parsed {
        problems.push(Problem::error(
            name(ROCRATE),
            "rocrate-invalid",
            format!("not JSON-LD as archivist writes it: {e}"),
        ));
        return;
    }
    for (ok, what) in [
        (
            descriptor,
            "a metadata descriptor conforming to RO-Crate 1.3 and about `./`",
        ),
        (root, "the root Dataset `./`"),
        (run, "the release run `#release`, a CreateAction"),
    ] {
        if !ok {
            problems.push(Problem::error(
                name(ROCRATE),
                "rocrate-invalid",
                format!("the crate has no {what}"),
            ));
        }
    }
    if actions.finish() != records.clone().finish() {
        problems.push(Problem::error(
            name(ROCRATE),
            "rocrate-mismatch",
            "the crate's normalization actions are not one per record, in the records' order",
        ));
    }
    for row in report.digests.rows() {
        let Ok(row) = row else { break };
        if row.path.starts_with("data/") && row.path != ROCRATE && !listed.get(row.index) {
            problems.push(Problem::error(
                name(&row.path),
                "rocrate-mismatch",
                "payload file not described in ro-crate-metadata.json",
            ));
        }
    }
}

fn check_croissant(
    source: &dyn BagSource,
    report: &BagReport,
    version: Option<&str>,
    problems: &mut Vec<Problem>,
) {
    let name = source.name_of(CROISSANT);
    let Some(bytes) = report.kept.get(CROISSANT) else {
        return;
    };
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            problems.push(Problem::error(
                name,
                "croissant-invalid",
                format!("not JSON: {e}"),
            ));
            return;
        }
    };
    let mut wrong = |message: String| {
        problems.push(Problem::error(&name, "croissant-mismatch", message));
    };
    if value["@type"] != "sc:Dataset" || value["conformsTo"] != cr::CONFORMS_TO {
        wrong(format!(
            "not a Croissant 1.1 Dataset (`@type` {}, `conformsTo` {})",
            value["@type"], value["conformsTo"]
        ));
    }
    if version.is_some() && value["version"].as_str() != version {
        wrong(format!(
            "says version {}, bag-info.txt {}",
            value["version"],
            version.unwrap_or_default()
        ));
    }
    let file = value["distribution"].as_array().and_then(|d| {
        d.iter()
            .find(|f| f["@type"] == "cr:FileObject" && f["contentUrl"] == cr::RECORDS_FILE)
    });
    match (file, report.digest_of(content::RECORDS).ok().flatten()) {
        (None, _) => wrong(format!("has no FileObject for `{}`", cr::RECORDS_FILE)),
        (Some(file), Some(row)) => {
            let actual = sha256_of(&row);
            if file["sha256"].as_str() != Some(actual) {
                wrong(format!(
                    "says `{}` has sha256 {}, the file's is {actual}",
                    cr::RECORDS_FILE,
                    file["sha256"]
                ));
            }
            if file["contentSize"].as_str() != Some(format!("{} B", row.size).as_str()) {
                wrong(format!(
                    "says `{}` has {}, the file has {} bytes",
                    cr::RECORDS_FILE,
                    file["contentSize"],
                    row.size
                ));
            }
        }
        (Some(_), None) => {}
    }
    let sets: Vec<&str> = value["recordSet"]
        .as_array()
        .map(|s| s.iter().filter_map(|r| r["@id"].as_str()).collect())
        .unwrap_or_default();
    for set in [cr::RECORDS_SET, cr::TEXTS_SET] {
        if !sets.contains(&set) {
            wrong(format!("has no record set `{set}`"));
        }
    }
}

fn check_landing(
    source: &mut dyn BagSource,
    records: &IdSequence,
    version: Option<&str>,
    release: Option<&str>,
    problems: &mut Vec<Problem>,
) {
    let name = source.name_of(LANDING);
    let mut rows = IdSequence::default();
    let (mut in_ld, mut blocks, mut ld) = (false, 0, String::new());
    let mut too_large = false;
    let read = content::for_each_line(source, LANDING, &mut |_, line| {
        if in_ld {
            if line.trim() == landing::JSON_LD_END {
                in_ld = false;
            } else if ld.len() + line.len() < MAX_JSON_LD_BYTES {
                ld.push_str(line);
                ld.push('\n');
            } else {
                too_large = true;
            }
        } else if line.trim() == landing::JSON_LD_START {
            in_ld = true;
            blocks += 1;
        } else if let Some(rest) = line.strip_prefix(landing::ROW_START)
            && let Some((id, _)) = rest.split_once('"')
        {
            rows.push(&unescape(id));
        }
    });
    if let Err(e) = read {
        problems.push(Problem::error(&name, "unreadable", e.to_string()));
        return;
    }
    let mut wrong = |code: &'static str, message: String| {
        problems.push(Problem::error(&name, code, message));
    };
    if blocks != 1 || in_ld || too_large {
        wrong(
            "landing-invalid",
            format!(
                "expected one JSON-LD block (`{}` ... `{}`, under {} KiB), found {blocks}",
                landing::JSON_LD_START,
                landing::JSON_LD_END,
                MAX_JSON_LD_BYTES >> 10
            ),
        );
    } else {
        match serde_json::from_str::<Value>(&ld) {
            Err(e) => wrong("landing-invalid", format!("its JSON-LD is not JSON: {e}")),
            Ok(value) => {
                if value["@type"] != "Dataset" {
                    wrong(
                        "landing-invalid",
                        format!("its JSON-LD is a {}, not a Dataset", value["@type"]),
                    );
                }
                if version.is_some() && value["version"].as_str() != version {
                    wrong(
                        "landing-mismatch",
                        format!(
                            "its JSON-LD says version {}, bag-info.txt {}",
                            value["version"],
                            version.unwrap_or_default()
                        ),
                    );
                }
                let zip = release.map(|r| format!("{r}.zip"));
                if zip.is_some() && value["distribution"]["name"].as_str() != zip.as_deref() {
                    wrong(
                        "landing-mismatch",
                        format!(
                            "its JSON-LD distributes {}, not {}",
                            value["distribution"]["name"],
                            zip.unwrap_or_default()
                        ),
                    );
                }
            }
        }
    }
    if rows.finish() != records.clone().finish() {
        wrong(
            "landing-mismatch",
            "its documents table is not one row per record, in the records' order".into(),
        );
    }
}

/// Reverse of [`landing::escape`].
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_text_round_trip() {
        for path in ["raw/a b/ç.txt", "raw/50%#?.txt", "text/x.txt"] {
            assert_eq!(decode_id(&rc::file_id(path)).as_deref(), Some(path));
        }
        assert_eq!(decode_id("a%2"), None);
        assert_eq!(decode_id("%FF"), None);
        let text = "Tom & 'Jerry' <\"x\"> &amp;";
        assert_eq!(unescape(&landing::escape(text)), text);
    }
}
