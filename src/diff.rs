//! `diff`: what changed between two releases, and the version bump that change needs.
//!
//! Both releases are verified first (a release that is not intact is not compared: its records
//! could describe files it does not hold). Documents are matched by record id. A changed document
//! says whether its raw bytes changed, or only its normalized text, or only its metadata, and
//! every record field that differs, old and new value. The dataset's metadata is compared field
//! by field in `datacite.json`. Other payload files (the record schema, anything else under
//! `data/` that is not a document or a generated description) are compared by digest.
//!
//! The same comparison writes `data/CHANGES.md` into a release that has a predecessor
//! ([`changes_markdown`]) and decides the smallest version bump the change allows ([`Bump`]).

use crate::error::{Error, Result};
use crate::verify::{self, VerifySettings, bag::BagReport, content};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

pub const DATACITE: &str = "data/datacite.json";
pub const CHANGES: &str = "data/CHANGES.md";

/// Payload files that are descriptions generated from the records and `dataset.toml`: their
/// changes are reported field by field, not as files.
const GENERATED: [&str; 8] = [
    content::RECORDS,
    content::DATAPACKAGE,
    DATACITE,
    "data/README.md",
    CHANGES,
    content::ROCRATE,
    content::CROISSANT,
    content::LANDING,
];

/// The descriptions whose presence is compared: a release that adds or drops one (as 1.1.0 added
/// the RO-Crate, the Croissant and the landing page) says so. Their content is not compared as
/// files: it changes with every version by construction, and what it says is compared above.
pub const DESCRIPTIONS: [&str; 6] = [
    content::DATAPACKAGE,
    DATACITE,
    "data/README.md",
    content::ROCRATE,
    content::CROISSANT,
    content::LANDING,
];

/// DataCite fields that change with every new version by construction: reported by `diff`, left
/// out of `CHANGES.md` (whose heading says the versions and date).
const BOOKKEEPING: [&str; 5] = [
    "version",
    "dates",
    "publicationYear",
    "alternateIdentifiers",
    "relatedIdentifiers",
];

/// One release as the comparison sees it.
#[derive(Debug, Clone)]
pub struct Release {
    /// Where it came from (a path, or a name for a release being cut).
    pub path: String,
    /// `<name>-<version>`, the bag's External-Identifier.
    pub name: Option<String>,
    pub version: Option<String>,
    /// The archive's SHA-256 (zips).
    pub sha256: Option<String>,
    /// Records by id, as their JSON lines (parsed only where two differ, so a release of many
    /// documents takes about the size of its `records.jsonl`).
    pub records: BTreeMap<String, String>,
    /// `datacite.json`.
    pub datacite: Value,
    /// SHA-256 of payload files that are neither documents nor generated descriptions.
    pub files: BTreeMap<String, String>,
    /// Which of [`DESCRIPTIONS`] the release holds.
    pub descriptions: BTreeSet<String>,
}

impl Release {
    /// Verify the release zip or bag folder at `path` and read what the comparison needs.
    /// Refused (exit 1) when it is not intact or not an archivist release.
    pub fn load(path: &Path, settings: &VerifySettings) -> Result<Release> {
        let (report, bag) = verify::examine(path, settings, &[content::RECORDS, DATACITE])?;
        let display = path.display().to_string();
        let Some(bag) = bag else {
            return Err(Error::Usage(format!(
                "`{display}` is not a release zip or bag folder (an OCFL folder cannot be compared)"
            )));
        };
        if !report.intact {
            let first = report
                .problems
                .iter()
                .find(|p| p.is_error())
                .map(|p| p.to_string())
                .unwrap_or_default();
            return Err(Error::Refused {
                message: format!("`{display}` is not intact, so it is not compared: {first}"),
                hint: Some(format!("`archivist verify {display}` lists every problem")),
            });
        }
        if report.records.is_some() && !bag.kept.contains_key(content::RECORDS) {
            return Err(Error::Refused {
                message: format!(
                    "`{display}`: {} is too large to compare in memory (over {} MiB)",
                    content::RECORDS,
                    crate::verify::bag::MAX_KEPT_PAYLOAD_BYTES >> 20
                ),
                hint: None,
            });
        }
        if report.records.is_none() {
            return Err(Error::Refused {
                message: format!(
                    "`{display}` is a bag but not an archivist release (no data/records.jsonl)"
                ),
                hint: None,
            });
        }
        Release::from_bag(display, report.sha256, &bag)
    }

    fn from_bag(path: String, sha256: Option<String>, bag: &BagReport) -> Result<Release> {
        let info = |label: &str| {
            bag.info
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(label))
                .map(|(_, v)| v.clone())
        };
        let records = parse_records(
            &path,
            bag.kept
                .get(content::RECORDS)
                .map_or(&[][..], Vec::as_slice),
        )?;
        let datacite = match bag.kept.get(DATACITE) {
            Some(bytes) => serde_json::from_slice(bytes).map_err(|e| Error::Refused {
                message: format!("`{path}`: {DATACITE} is not JSON: {e}"),
                hint: None,
            })?,
            None => Value::Null,
        };
        let mut files = BTreeMap::new();
        let mut descriptions = BTreeSet::new();
        for row in bag.digests.rows() {
            let row = row?;
            if DESCRIPTIONS.contains(&row.path.as_str()) {
                descriptions.insert(row.path.clone());
            }
            if is_other_payload(&row.path) {
                let sha256 = verify::bag::sha256_of(&row).to_owned();
                files.insert(row.path, sha256);
            }
        }
        Ok(Release {
            path,
            name: info("External-Identifier"),
            version: info("Version"),
            sha256,
            records,
            datacite,
            files,
            descriptions,
        })
    }

    /// A release being cut, from its parts in memory (`files`: its payload files with their
    /// SHA-256, of which the records, the descriptions and the documents are not compared by
    /// digest; the descriptions' digests may be left empty).
    pub fn in_memory(
        name: String,
        version: String,
        records_jsonl: &str,
        datacite: Value,
        files: BTreeMap<String, String>,
    ) -> Result<Release> {
        Ok(Release {
            path: name.clone(),
            records: parse_records(&name, records_jsonl.as_bytes())?,
            name: Some(name),
            version: Some(version),
            sha256: None,
            datacite,
            descriptions: files
                .keys()
                .filter(|p| DESCRIPTIONS.contains(&p.as_str()))
                .cloned()
                .collect(),
            files: files
                .into_iter()
                .filter(|(p, _)| is_other_payload(p))
                .collect(),
        })
    }
}

fn is_other_payload(path: &str) -> bool {
    path.starts_with("data/")
        && !path.starts_with("data/raw/")
        && !path.starts_with("data/text/")
        && !GENERATED.contains(&path)
}

fn parse_records(path: &str, jsonl: &[u8]) -> Result<BTreeMap<String, String>> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let mut records = BTreeMap::new();
    for (i, line) in jsonl.split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = |e: &dyn std::fmt::Display| Error::Refused {
            message: format!("`{path}`: {}, line {}: {e}", content::RECORDS, i + 1),
            hint: None,
        };
        let text = std::str::from_utf8(line).map_err(|e| bad(&e))?;
        let id: Id = serde_json::from_str(text).map_err(|e| bad(&e))?;
        records.insert(id.id, text.to_owned());
    }
    Ok(records)
}

/// A record line as JSON (lines were parsed once already when loaded).
fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or(Value::Null)
}

/// One side of the comparison, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub path: String,
    pub name: Option<String>,
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A field that differs: its dotted path, old and new value (`null` where absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// A document present in only one of the releases.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub id: String,
    pub path: Option<String>,
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
}

/// A document in both releases that differs.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentChange {
    pub id: String,
    /// The raw bytes differ.
    pub raw: bool,
    /// The normalized text differs.
    pub text: bool,
    /// Every record field that differs (including the digests above).
    pub fields: Vec<FieldChange>,
}

impl DocumentChange {
    /// `raw`, `text` or `metadata`: the deepest kind of change.
    pub fn kind(&self) -> &'static str {
        if self.raw {
            "raw"
        } else if self.text {
            "text"
        } else {
            "metadata"
        }
    }
}

/// Another payload file added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
}

/// The smallest version bump a change allows (see [`Diff::required_bump`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl std::fmt::Display for Bump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// What changed from `old` to `new`.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub old: Side,
    pub new: Side,
    /// Nothing differs: documents, record fields, dataset metadata, other files.
    pub identical: bool,
    pub added: Vec<Document>,
    pub removed: Vec<Document>,
    pub changed: Vec<DocumentChange>,
    pub unchanged: usize,
    /// Dataset metadata (`datacite.json`) fields that differ.
    pub dataset: Vec<FieldChange>,
    pub files: Vec<FileChange>,
    /// The smallest version bump this change allows, and why.
    pub required_bump: Bump,
    pub bump_reason: String,
}

/// Compare two releases.
pub fn diff(old: &Release, new: &Release) -> Diff {
    let side = |r: &Release| Side {
        path: r.path.clone(),
        name: r.name.clone(),
        version: r.version.clone(),
        sha256: r.sha256.clone(),
    };
    let document = |record: &Value| Document {
        id: record["id"].as_str().unwrap_or_default().to_owned(),
        path: record["source"]["path"].as_str().map(str::to_owned),
        bytes: record["source"]["bytes"].as_u64(),
        sha256: record["source"]["sha256"].as_str().map(str::to_owned),
    };
    let mut out = Diff {
        old: side(old),
        new: side(new),
        identical: false,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        dataset: Vec::new(),
        files: Vec::new(),
        required_bump: Bump::Patch,
        bump_reason: String::new(),
    };
    for (id, line) in &old.records {
        match new.records.get(id) {
            None => out.removed.push(document(&parse(line))),
            Some(now) if now == line => out.unchanged += 1,
            Some(now) if parse(now) == parse(line) => out.unchanged += 1,
            Some(now) => {
                let (record, now) = (parse(line), parse(now));
                let (record, now) = (&record, &now);
                let mut fields = Vec::new();
                compare("", record, now, &mut fields);
                out.changed.push(DocumentChange {
                    id: id.clone(),
                    raw: record["source"]["sha256"] != now["source"]["sha256"],
                    text: record["text"]["sha256"] != now["text"]["sha256"],
                    fields,
                });
            }
        }
    }
    for (id, line) in &new.records {
        if !old.records.contains_key(id) {
            out.added.push(document(&parse(line)));
        }
    }
    // Dataset fields are reported whole at the top level: a title list, not `titles.0.title`.
    out.dataset = top_level(&old.datacite, &new.datacite);
    let paths: BTreeSet<&String> = old.files.keys().chain(new.files.keys()).collect();
    for path in paths {
        let change = match (old.files.get(path), new.files.get(path)) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(a), Some(b)) if a != b => "changed",
            _ => continue,
        };
        out.files.push(FileChange {
            path: path.clone(),
            change,
        });
    }
    for path in old.descriptions.symmetric_difference(&new.descriptions) {
        out.files.push(FileChange {
            path: path.clone(),
            change: if new.descriptions.contains(path) {
                "added"
            } else {
                "removed"
            },
        });
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.identical = out.added.is_empty()
        && out.removed.is_empty()
        && out.changed.is_empty()
        && out.dataset.is_empty()
        && out.files.is_empty();
    (out.required_bump, out.bump_reason) = required_bump(&out);
    out
}

/// The rule: a document added, removed, or changed in its raw bytes or normalized text, or a
/// changed record schema, needs at least a minor bump; any other change (record metadata,
/// dataset metadata, packaging) at least a patch. A major bump is never required: what breaks a
/// user of the dataset is a judgement the tool leaves to the people who cut the release.
fn required_bump(d: &Diff) -> (Bump, String) {
    let mut reasons = Vec::new();
    let count = |n: usize, what: &str| format!("{n} document{} {what}", plural(n));
    if !d.removed.is_empty() {
        reasons.push(count(d.removed.len(), "removed"));
    }
    if !d.added.is_empty() {
        reasons.push(count(d.added.len(), "added"));
    }
    let content = d.changed.iter().filter(|c| c.raw || c.text).count();
    if content > 0 {
        reasons.push(count(
            content,
            "changed in content (raw bytes or normalized text)",
        ));
    }
    if d.files.iter().any(|f| f.path == content::SCHEMA) {
        reasons.push("the record schema changed".to_owned());
    }
    if !reasons.is_empty() {
        return (Bump::Minor, reasons.join("; "));
    }
    let metadata = d.changed.len();
    if metadata > 0 {
        reasons.push(count(metadata, "changed in metadata only"));
    }
    let dataset: Vec<&str> = d
        .dataset
        .iter()
        .filter(|f| !BOOKKEEPING.contains(&f.field.as_str()))
        .map(|f| f.field.as_str())
        .collect();
    if !dataset.is_empty() {
        reasons.push(format!("dataset metadata changed ({})", dataset.join(", ")));
    }
    if !d.files.is_empty() {
        reasons.push(format!("{} other file(s) changed", d.files.len()));
    }
    if reasons.is_empty() {
        reasons
            .push("documents and metadata unchanged (the same content released anew)".to_owned());
    }
    (Bump::Patch, reasons.join("; "))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Record fields that differ, as dotted paths: objects are walked, other values compared whole.
fn compare(prefix: &str, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                compare(
                    &path,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ if old != new => out.push(FieldChange {
            field: prefix.to_owned(),
            old: old.clone(),
            new: new.clone(),
        }),
        _ => {}
    }
}

/// Top-level fields of two JSON objects that differ, compared whole.
fn top_level(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let a = old.as_object().unwrap_or(&empty);
    let b = new.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (x, y) = (
                a.get(key).unwrap_or(&Value::Null),
                b.get(key).unwrap_or(&Value::Null),
            );
            (x != y).then(|| FieldChange {
                field: key.clone(),
                old: x.clone(),
                new: y.clone(),
            })
        })
        .collect()
}

/// A semantic version, MAJOR.MINOR.PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        if !crate::config::is_semver(text) {
            return None;
        }
        let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
        Some(Version(parts.next()??, parts.next()??, parts.next()??))
    }

    /// The bump from `self` to `next`, or `None` when `next` is not greater.
    pub fn bump_to(self, next: Version) -> Option<Bump> {
        if next.0 > self.0 {
            Some(Bump::Major)
        } else if next.0 == self.0 && next.1 > self.1 {
            Some(Bump::Minor)
        } else if next.0 == self.0 && next.1 == self.1 && next.2 > self.2 {
            Some(Bump::Patch)
        } else {
            None
        }
    }

    /// The smallest version after `self` with the given bump.
    pub fn next(self, bump: Bump) -> Version {
        match bump {
            Bump::Major => Version(self.0 + 1, 0, 0),
            Bump::Minor => Version(self.0, self.1 + 1, 0),
            Bump::Patch => Version(self.0, self.1, self.2 + 1),
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Check that `new` is a large enough step after `old` for the change `diff` found.
pub fn check_bump(diff: &Diff, old: &str, new: &str) -> std::result::Result<(), String> {
    let (Some(from), Some(to)) = (Version::parse(old), Version::parse(new)) else {
        return Err(format!(
            "cannot compare versions `{old}` and `{new}`: not MAJOR.MINOR.PATCH"
        ));
    };
    let Some(bump) = from.bump_to(to) else {
        return Err(format!(
            "version {new} does not come after the previous release's {old}"
        ));
    };
    if bump < diff.required_bump {
        return Err(format!(
            "version {new} is a {bump} bump of {old}, but {}: that needs at least a {} bump ({})",
            diff.bump_reason,
            diff.required_bump,
            from.next(diff.required_bump)
        ));
    }
    Ok(())
}

/// A JSON value on one line, shortened to `max` characters for a terminal.
fn short(value: &Value, max: usize) -> String {
    let text = value.to_string();
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// What a field change shows: for two lists, the elements only one of them has (`-` old, `+`
/// new); otherwise the old and the new value.
fn element_changes(f: &FieldChange) -> Option<Vec<(char, &Value)>> {
    let (old, new): (&[Value], &[Value]) = match (&f.old, &f.new) {
        (Value::Array(old), Value::Array(new)) => (old, new),
        (Value::Null, Value::Array(new)) => (&[], new),
        (Value::Array(old), Value::Null) => (old, &[]),
        _ => return None,
    };
    let mut out: Vec<(char, &Value)> = old
        .iter()
        .filter(|v| !new.contains(v))
        .map(|v| ('-', v))
        .collect();
    out.extend(new.iter().filter(|v| !old.contains(v)).map(|v| ('+', v)));
    Some(out)
}

fn write_field(w: &mut String, indent: &str, f: &FieldChange) {
    match element_changes(f) {
        Some(elements) if !elements.is_empty() => {
            let _ = writeln!(w, "{indent}{}:", f.field);
            for (sign, v) in elements {
                let _ = writeln!(w, "{indent}  {sign} {}", short(v, 100));
            }
        }
        _ => {
            let _ = writeln!(
                w,
                "{indent}{}: {} -> {}",
                f.field,
                short(&f.old, 60),
                short(&f.new, 60)
            );
        }
    }
}

/// The report for a terminal.
pub fn render_text(d: &Diff) -> String {
    let mut out = String::new();
    let w = &mut out;
    let label = |s: &Side| {
        s.name
            .clone()
            .or_else(|| s.version.clone())
            .unwrap_or_else(|| s.path.clone())
    };
    let _ = writeln!(w, "--- {} ({})", label(&d.old), d.old.path);
    let _ = writeln!(w, "+++ {} ({})", label(&d.new), d.new.path);
    if d.identical {
        let _ = writeln!(w, "identical: same documents, records and metadata");
        return out;
    }
    let _ = writeln!(
        w,
        "documents: {} added, {} removed, {} changed, {} unchanged",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    for doc in &d.added {
        let _ = writeln!(
            w,
            "  + {}  ({}, {} bytes)",
            doc.id,
            doc.path.as_deref().unwrap_or("?"),
            doc.bytes.unwrap_or(0)
        );
    }
    for doc in &d.removed {
        let _ = writeln!(
            w,
            "  - {}  ({})",
            doc.id,
            doc.path.as_deref().unwrap_or("?")
        );
    }
    for change in &d.changed {
        let what = match change.kind() {
            "raw" => "raw bytes changed",
            "text" => "normalized text changed, raw bytes the same",
            _ => "metadata changed, raw bytes and text the same",
        };
        let _ = writeln!(w, "  ~ {}  {what}", change.id);
        for f in &change.fields {
            write_field(w, "      ", f);
        }
    }
    if !d.dataset.is_empty() {
        let _ = writeln!(w, "dataset metadata:");
        for f in &d.dataset {
            write_field(w, "  ", f);
        }
    }
    for f in &d.files {
        let _ = writeln!(w, "file {}: {}", f.change, f.path);
    }
    let _ = writeln!(
        w,
        "needs at least a {} version bump: {}",
        d.required_bump, d.bump_reason
    );
    out
}

/// A Markdown code span holding `text` whatever backticks it contains.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

fn markdown_field(w: &mut String, indent: &str, f: &FieldChange) {
    match element_changes(f) {
        Some(elements) if !elements.is_empty() => {
            let _ = writeln!(w, "{indent}- {}:", code(&f.field));
            for (sign, v) in elements {
                let what = if sign == '-' { "removed" } else { "added" };
                let _ = writeln!(w, "{indent}  - {what} {}", code(&v.to_string()));
            }
        }
        _ => {
            let _ = writeln!(
                w,
                "{indent}- {}: {} → {}",
                code(&f.field),
                code(&f.old.to_string()),
                code(&f.new.to_string())
            );
        }
    }
}

/// `data/CHANGES.md` of a release with a predecessor: generated from the diff, deterministic.
pub fn changes_markdown(d: &Diff, previous_file: &str) -> String {
    let mut out = String::new();
    let w = &mut out;
    let old_version = d.old.version.as_deref().unwrap_or("?");
    let new_version = d.new.version.as_deref().unwrap_or("?");
    let _ = writeln!(w, "# Changes in version {new_version}\n");
    let _ = writeln!(
        w,
        "Compared with the previous release, version {old_version} (`{previous_file}`{}), by \
         `archivist diff`. Texts are compared as files and records field by field; nothing here \
         judges their content.\n",
        d.old
            .sha256
            .as_deref()
            .map(|s| format!(", SHA-256 `{s}`"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        w,
        "Version rule: a document added, removed or changed in its raw bytes or normalized text \
         needs at least a minor version; other changes at least a patch. This change needs at \
         least a {} version: {}.\n",
        d.required_bump, d.bump_reason
    );
    let _ = writeln!(w, "## Documents\n");
    let _ = writeln!(
        w,
        "{} added, {} removed, {} changed, {} unchanged.\n",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    for doc in &d.added {
        let _ = writeln!(
            w,
            "- Added {}: {}, {} bytes, SHA-256 {}",
            code(&doc.id),
            code(doc.path.as_deref().unwrap_or("?")),
            doc.bytes.unwrap_or(0),
            code(doc.sha256.as_deref().unwrap_or("?"))
        );
    }
    for doc in &d.removed {
        let _ = writeln!(
            w,
            "- Removed {}: {}",
            code(&doc.id),
            code(doc.path.as_deref().unwrap_or("?"))
        );
    }
    for change in &d.changed {
        let what = match change.kind() {
            "raw" => "raw bytes changed",
            "text" => "normalized text changed; raw bytes unchanged",
            _ => "metadata changed; raw bytes and normalized text unchanged",
        };
        let _ = writeln!(w, "- Changed {}: {what}", code(&change.id));
        for f in &change.fields {
            markdown_field(w, "  ", f);
        }
    }
    if !(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty()) {
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "## Dataset metadata\n");
    let fields: Vec<&FieldChange> = d
        .dataset
        .iter()
        .filter(|f| !BOOKKEEPING.contains(&f.field.as_str()))
        .collect();
    if fields.is_empty() {
        let _ = writeln!(w, "No change beside the version and its date.");
    }
    for f in fields {
        markdown_field(w, "", f);
    }
    if !d.files.is_empty() {
        let _ = writeln!(w, "\n## Other files\n");
        for f in &d.files {
            let _ = writeln!(w, "- {} {}", code(&f.path), f.change);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn release(version: &str, records: &[Value], title: &str) -> Release {
        Release {
            path: format!("r-{version}"),
            name: Some(format!("r-{version}")),
            version: Some(version.into()),
            sha256: None,
            records: records
                .iter()
                .map(|r| (r["id"].as_str().unwrap().to_owned(), r.to_string()))
                .collect(),
            datacite: json!({"version": version, "titles": [{"title": title}]}),
            files: BTreeMap::new(),
            descriptions: BTreeSet::new(),
        }
    }

    #[test]
    fn descriptions_added_or_dropped_are_files_added_or_removed() {
        let old = release("1.0.0", &[], "T");
        let mut new = release("1.0.1", &[], "T");
        new.descriptions = [content::ROCRATE, content::LANDING]
            .map(str::to_owned)
            .into();
        let mut older = release("0.9.0", &[], "T");
        older.descriptions = [content::DATAPACKAGE.to_owned()].into();
        let d = diff(&old, &new);
        let files: Vec<(&str, &str)> = d
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.change))
            .collect();
        assert_eq!(
            files,
            [(content::LANDING, "added"), (content::ROCRATE, "added")]
        );
        assert!(!d.identical);
        assert_eq!(d.required_bump, Bump::Patch);
        assert!(changes_markdown(&d, "r-1.0.0.zip").contains("- `data/index.html` added"));
        let d = diff(&older, &old);
        assert_eq!(d.files.len(), 1);
        assert_eq!(
            (d.files[0].path.as_str(), d.files[0].change),
            (content::DATAPACKAGE, "removed")
        );
    }

    fn record(id: &str, raw: &str, text: &str, title: Option<&str>) -> Value {
        json!({"id": id, "source": {"path": format!("raw/{id}.txt"), "bytes": 1, "sha256": raw},
               "text": {"sha256": text}, "title": title})
    }

    #[test]
    fn classifies_each_kind_of_change_and_the_bump_it_needs() {
        let old = release(
            "1.0.0",
            &[
                record("a", "1", "1", None),
                record("b", "2", "2", None),
                record("c", "3", "3", Some("Old")),
                record("d", "4", "4", None),
            ],
            "T",
        );
        let new = release(
            "1.1.0",
            &[
                record("a", "1", "1", None),
                record("b", "2", "9", None),
                record("c", "3", "3", Some("New")),
                record("e", "5", "5", None),
            ],
            "T",
        );
        let d = diff(&old, &new);
        assert!(!d.identical);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.added.iter().map(|x| &x.id).collect::<Vec<_>>(), ["e"]);
        assert_eq!(d.removed.iter().map(|x| &x.id).collect::<Vec<_>>(), ["d"]);
        let kinds: Vec<(&str, &str)> = d
            .changed
            .iter()
            .map(|c| (c.id.as_str(), c.kind()))
            .collect();
        assert_eq!(kinds, [("b", "text"), ("c", "metadata")]);
        assert_eq!(
            d.changed[1].fields,
            [FieldChange {
                field: "title".into(),
                old: json!("Old"),
                new: json!("New")
            }]
        );
        assert_eq!(d.required_bump, Bump::Minor);
        assert!(check_bump(&d, "1.0.0", "1.1.0").is_ok());
        assert!(check_bump(&d, "1.0.0", "2.0.0").is_ok());
        let refused = check_bump(&d, "1.0.0", "1.0.1").unwrap_err();
        assert!(
            refused.contains("at least a minor bump (1.1.0)"),
            "{refused}"
        );
    }

    #[test]
    fn metadata_only_changes_need_a_patch_and_versions_must_grow() {
        let old = release("1.0.0", &[record("a", "1", "1", Some("x"))], "T");
        let new = release("1.0.1", &[record("a", "1", "1", Some("y"))], "T2");
        let d = diff(&old, &new);
        assert_eq!(d.required_bump, Bump::Patch);
        assert!(d.bump_reason.contains("titles"), "{}", d.bump_reason);
        assert!(check_bump(&d, "1.0.0", "1.0.1").is_ok());
        assert!(check_bump(&d, "1.0.1", "1.0.1").is_err());
        assert!(check_bump(&d, "1.2.0", "1.1.9").is_err());
        let same = diff(&old, &old);
        assert!(same.identical);
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("``"), "``` `` ```");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// What happens to one document between two releases.
        #[derive(Clone, Copy, Debug)]
        enum Fate {
            Kept,
            Removed,
            Raw,
            Text,
            Title,
        }

        fn fate() -> impl Strategy<Value = Fate> {
            prop_oneof![
                Just(Fate::Kept),
                Just(Fate::Removed),
                Just(Fate::Raw),
                Just(Fate::Text),
                Just(Fate::Title),
            ]
        }

        proptest! {
            #[test]
            fn every_change_is_found_classified_and_bumped(
                fates in proptest::collection::vec(fate(), 0..12),
                added in 0usize..3,
            ) {
                let ids: Vec<String> = (0..fates.len()).map(|i| format!("d{i:02}")).collect();
                let old: Vec<Value> =
                    ids.iter().map(|id| record(id, "r", "t", Some("title"))).collect();
                let mut new = Vec::new();
                for (id, fate) in ids.iter().zip(&fates) {
                    match fate {
                        Fate::Kept => new.push(record(id, "r", "t", Some("title"))),
                        Fate::Removed => {}
                        Fate::Raw => new.push(record(id, "r2", "t2", Some("title"))),
                        Fate::Text => new.push(record(id, "r", "t2", Some("title"))),
                        Fate::Title => new.push(record(id, "r", "t", Some("other"))),
                    }
                }
                for i in 0..added {
                    new.push(record(&format!("n{i}"), "r", "t", None));
                }
                let d = diff(&release("1.0.0", &old, "T"), &release("1.0.0", &new, "T"));
                let count = |f: fn(&Fate) -> bool| fates.iter().filter(|x| f(x)).count();
                prop_assert_eq!(d.removed.len(), count(|f| matches!(f, Fate::Removed)));
                prop_assert_eq!(d.added.len(), added);
                prop_assert_eq!(d.unchanged, count(|f| matches!(f, Fate::Kept)));
                for change in &d.changed {
                    let i: usize = change.id[1..].parse().unwrap();
                    let expected = match fates[i] {
                        Fate::Raw => "raw",
                        Fate::Text => "text",
                        Fate::Title => "metadata",
                        other => panic!("{other:?} reported as changed"),
                    };
                    prop_assert_eq!(change.kind(), expected);
                    prop_assert!(!change.fields.is_empty());
                }
                let content = added
                    + count(|f| matches!(f, Fate::Removed | Fate::Raw | Fate::Text));
                let expected_bump = if content > 0 { Bump::Minor } else { Bump::Patch };
                prop_assert_eq!(d.required_bump, expected_bump);
                prop_assert_eq!(d.identical, content == 0 && count(|f| matches!(f, Fate::Title)) == 0);
            }
        }
    }
}
