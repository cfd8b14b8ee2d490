//! `dataset.toml`: the dataset's own description, read and validated before any work starts.
//!
//! The file is checked against `schema/dataset.schema.json` first, so a mistake is reported with
//! the key it is under (`documents.004.date: ...`), then deserialized into [`Dataset`]. It pins the
//! SHA-256 of every raw document (a raw file changed by accident is caught) and holds curated values
//! that override what the pipeline extracts.

use crate::error::{Error, Result};
use crate::validate::SchemaSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The dataset as described by `dataset.toml`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Machine name, used in file names: `<name>-<version>.zip`.
    pub name: String,
    /// Semantic version of this release of the dataset.
    pub version: String,
    /// The release date (`YYYY-MM-DD`): Bagging-Date, zip timestamps, publication date.
    pub release_date: String,
    pub title: String,
    pub description: String,
    /// A URI naming the dataset (an OCFL object id, a DOI once one is minted).
    #[serde(default)]
    pub identifier: Option<String>,
    pub publisher: String,
    pub creators: Vec<Creator>,
    /// ISO 639-1 codes of the languages of the documents.
    pub languages: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub rights: Rights,
    /// The folder of raw documents, relative to `dataset.toml` (default `raw`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The folder releases are written to, relative to `dataset.toml` (default `release`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out: Option<String>,
    /// Glob patterns of files that are not documents (see [`Exclude`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Who deposits releases (OCFL version user).
    #[serde(default)]
    pub agent: Option<Agent>,
    /// The InvenioRDM record whose new versions the releases are (deposit).
    #[serde(default)]
    pub invenio: Option<Invenio>,
    /// Pins and curated values, by document id.
    #[serde(default)]
    pub documents: BTreeMap<String, DocumentEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Creator {
    pub name: String,
    /// `Personal` or `Organizational` (DataCite nameType).
    #[serde(default = "Creator::default_kind")]
    pub kind: String,
    #[serde(default)]
    pub affiliation: Option<String>,
    #[serde(default)]
    pub orcid: Option<String>,
}

impl Creator {
    fn default_kind() -> String {
        "Organizational".to_owned()
    }
}

/// What is known of the rights; never a licence nobody granted.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rights {
    /// Short statement, e.g. `Copyright Undetermined`.
    pub statement: String,
    /// The statement's URI, e.g. `http://rightsstatements.org/vocab/UND/1.0/`.
    pub uri: String,
    /// What is known and not known, in a sentence or two.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Invenio {
    /// Id of the record of which a release becomes a new version; none: a new record.
    #[serde(default)]
    pub record: Option<String>,
}

/// One document's pin and curated values. Curated values override extracted ones.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DocumentEntry {
    /// SHA-256 of the raw file, lowercase hex.
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub source_url: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
}

impl Dataset {
    /// Read and validate `path`. Every problem is reported with its key, line and column.
    pub fn load(path: &Path, schemas: &SchemaSet) -> Result<Dataset> {
        let text = fs_err::read_to_string(path)?;
        Dataset::parse(&text, path, schemas)
    }

    /// Validate and deserialize the text of a `dataset.toml`; `path` is for messages.
    pub fn parse(text: &str, path: &Path, schemas: &SchemaSet) -> Result<Dataset> {
        let config_error = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let value: toml::Value =
            toml::from_str(text).map_err(|e| config_error(format!("not valid TOML: {e}")))?;
        let json = toml_to_json(value);
        let problems = schemas.dataset_errors(&json);
        if !problems.is_empty() {
            let spans = toml::de::DeTable::parse(text).ok();
            let shown = path.display().to_string();
            let messages: Vec<String> = problems
                .iter()
                .map(|p| explain(p, &json, spans.as_ref(), text, &shown))
                .collect();
            return Err(config_error(messages.join("\n")));
        }
        let dataset: Dataset =
            serde_json::from_value(json).map_err(|e| config_error(e.to_string()))?;
        for pattern in &dataset.exclude {
            if let Err(e) = globset::Glob::new(pattern) {
                return Err(config_error(format!(
                    "`exclude`: `{pattern}` is not a glob pattern: {e}\n  example: exclude = [\"raw/notes/*.docx\", \".DS_Store\"]"
                )));
            }
        }
        Ok(dataset)
    }

    /// The file stem of the release: `<name>-<version>`.
    pub fn release_name(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }

    /// The description `check` uses where there is no `dataset.toml`: the defaults, named after
    /// the folder that holds the raw folder, nothing pinned, nothing curated.
    pub fn unconfigured(raw_dir: &Path) -> Dataset {
        let name = std::path::absolute(raw_dir)
            .ok()
            .and_then(|p| {
                p.parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .map(|n| machine_name(&n))
            .unwrap_or_else(|| "dataset".to_owned());
        Dataset {
            name,
            version: "0.1.0".into(),
            release_date: jiff::Zoned::now().date().to_string(),
            title: "(no dataset.toml)".into(),
            description: "(no dataset.toml)".into(),
            identifier: None,
            publisher: "(unknown)".into(),
            creators: vec![],
            languages: vec![],
            keywords: vec![],
            rights: Rights {
                statement: "Copyright Undetermined".into(),
                uri: "http://rightsstatements.org/vocab/UND/1.0/".into(),
                note: None,
            },
            raw: None,
            out: None,
            exclude: vec![],
            agent: None,
            invenio: None,
            documents: BTreeMap::new(),
        }
    }

    /// Where the dataset's folders are: `--raw`/`--out` as given (relative to the working
    /// folder) win; otherwise `raw`/`out` of the file, relative to the file's folder.
    pub fn locate(
        &self,
        config_path: &Path,
        raw: Option<&Path>,
        out: Option<&Path>,
    ) -> Result<Locations> {
        let base = config_path.parent().unwrap_or(Path::new(""));
        let raw_dir = match raw {
            Some(raw) => raw.to_path_buf(),
            None => base.join(self.raw.as_deref().unwrap_or("raw")),
        };
        let out_dir = match out {
            Some(out) => out.to_path_buf(),
            None => base.join(self.out.as_deref().unwrap_or("release")),
        };
        let exclude =
            Exclude::new(&self.exclude, base, &raw_dir).map_err(|message| Error::Config {
                path: config_path.to_path_buf(),
                message,
            })?;
        Ok(Locations {
            raw_dir,
            out_dir,
            exclude,
        })
    }
}

/// A name made into a dataset's machine name: lowercase ASCII letters and digits, other runs
/// of characters as one `-`.
pub fn machine_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || (matches!(c, '.' | '_') && !out.is_empty()) {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches(['-', '.', '_']).to_owned();
    if out.is_empty() {
        "dataset".to_owned()
    } else {
        out.chars().take(100).collect()
    }
}

/// The folders a command works on, resolved from the command line and `dataset.toml`.
#[derive(Clone, Debug)]
pub struct Locations {
    pub raw_dir: PathBuf,
    pub out_dir: PathBuf,
    pub exclude: Exclude,
}

/// The `exclude` list: globs matched against a file's path relative to the folder of
/// `dataset.toml` (`raw/notes/scan.docx`); a pattern without `/` matches a name at any depth.
#[derive(Clone, Debug, Default)]
pub struct Exclude {
    set: Option<globset::GlobSet>,
    /// The raw folder's path relative to the config's folder, with a final `/` (`raw/`).
    prefix: String,
}

impl Exclude {
    pub fn new(
        patterns: &[String],
        base: &Path,
        raw_dir: &Path,
    ) -> std::result::Result<Exclude, String> {
        if patterns.is_empty() {
            return Ok(Exclude::default());
        }
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let anchored = if pattern.contains('/') {
                pattern.trim_start_matches("./").to_owned()
            } else {
                format!("**/{pattern}")
            };
            let glob = globset::GlobBuilder::new(&anchored)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`exclude`: `{pattern}` is not a glob pattern: {e}"))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| format!("`exclude`: {e}"))?;
        Ok(Exclude {
            set: Some(set),
            prefix: relative_prefix(base, raw_dir),
        })
    }

    /// Whether the file or folder at `rel` below the raw folder is excluded.
    pub fn excludes(&self, rel: &str) -> bool {
        match &self.set {
            Some(set) => set.is_match(format!("{}{rel}", self.prefix)),
            None => false,
        }
    }
}

/// `raw_dir` relative to `base`, `/`-separated, with a final `/`; the whole path when it is not
/// below `base`.
pub fn relative_prefix(base: &Path, raw_dir: &Path) -> String {
    use std::path::Component;
    let absolute = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        fs_err::canonicalize(p).or_else(|_| std::path::absolute(p))
    };
    let (Ok(base), Ok(raw)) = (absolute(base), absolute(raw_dir)) else {
        return format!("{}/", raw_dir.display());
    };
    // `raw` from `base`: up past what they do not share, then down (`../texts`).
    let base: Vec<Component> = base.components().collect();
    let raw: Vec<Component> = raw.components().collect();
    let shared = base.iter().zip(&raw).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); base.len() - shared];
    parts.extend(
        raw[shared..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    let mut prefix = parts.join("/");
    if !prefix.is_empty() {
        prefix.push('/');
    }
    prefix
}

/// One way `dataset.toml` violates its schema, as found by the validator.
pub struct SchemaError {
    /// The JSON pointer's segments of the value concerned.
    pub path: Vec<String>,
    pub kind: SchemaErrorKind,
    /// The validator's own words.
    pub message: String,
}

pub enum SchemaErrorKind {
    /// A required key is missing (under `path`).
    Missing(String),
    /// Keys not in the schema (under `path`).
    Unknown(Vec<String>),
    /// A value of the wrong type.
    Type,
    /// Any other constraint (pattern, format, length, uniqueness...).
    Other,
}

/// A schema error told as a person can act on it: where (file, line and column), which key,
/// what was found, what is expected, and an example.
fn explain(
    problem: &SchemaError,
    json: &serde_json::Value,
    spans: Option<&toml::Spanned<toml::de::DeTable>>,
    text: &str,
    file: &str,
) -> String {
    let schema: serde_json::Value =
        serde_json::from_str(crate::validate::DATASET_SCHEMA).expect("the dataset schema is JSON");
    let mut path = problem.path.clone();
    let mut unknown = Vec::new();
    match &problem.kind {
        SchemaErrorKind::Missing(key) => path.push(key.clone()),
        SchemaErrorKind::Unknown(keys) => {
            unknown = keys.clone();
            if let Some(first) = keys.first() {
                path.push(first.clone());
            }
        }
        _ => {}
    }
    let key = key_name(&path);
    let location = spans
        .and_then(|s| span_of(s, &path))
        .map(|offset| {
            let (line, column) = line_column(text, offset);
            format!("{file}:{line}:{column}")
        })
        .unwrap_or_else(|| file.to_owned());
    let node = schema_at(&schema, &path);
    let described = node
        .and_then(|n| n.get("description"))
        .and_then(|d| d.as_str())
        .unwrap_or("");
    let found = pointer(json, &path);
    let (headline, expected) = match &problem.kind {
        SchemaErrorKind::Missing(_) => (
            format!("`{key}` is missing"),
            format!("{} (required)", described_or_type(described, node)),
        ),
        SchemaErrorKind::Unknown(keys) => {
            let parent = schema_at(&schema, &problem.path);
            let known: Vec<String> = parent
                .and_then(|p| p.get("properties"))
                .and_then(|p| p.as_object())
                .map(|p| p.keys().map(|k| format!("`{k}`")).collect())
                .unwrap_or_default();
            let names: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            // The known key nearest to the first unknown one, when it is near enough to be a
            // typo (`creator` for `creators`).
            let nearest = keys.first().and_then(|unknown| {
                parent
                    .and_then(|p| p.get("properties"))
                    .and_then(|p| p.as_object())?
                    .keys()
                    .map(|k| (strsim::jaro_winkler(unknown, k), k))
                    .filter(|(score, _)| *score > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, k)| k.clone())
            });
            (
                format!(
                    "unknown key {} {}{}",
                    names.join(", "),
                    if problem.path.is_empty() {
                        "at the top level".to_owned()
                    } else {
                        format!("in `{}`", key_name(&problem.path))
                    },
                    nearest
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default()
                ),
                format!("one of {}", known.join(", ")),
            )
        }
        _ => (
            format!(
                "`{key}`: found {}",
                found
                    .map(describe_value)
                    .unwrap_or_else(|| "nothing".into())
            ),
            described_or_type(described, node),
        ),
    };
    let mut out = format!("{location}: {headline}");
    if matches!(problem.kind, SchemaErrorKind::Other) {
        out.push_str(&format!("\n  = problem:  {}", problem.message));
    }
    out.push_str(&format!("\n  = expected: {expected}"));
    if unknown.is_empty()
        && let Some(example) = example(&schema, &path)
    {
        out.push_str(&format!("\n  = example:  {example}"));
    }
    out
}

fn described_or_type(described: &str, node: Option<&serde_json::Value>) -> String {
    let kind = node
        .and_then(|n| n.get("type"))
        .and_then(|t| t.as_str())
        .map(|t| match t {
            "object" => "a table",
            "array" => "an array",
            "string" => "a string",
            "integer" => "an integer",
            "boolean" => "true or false",
            other => other,
        });
    match kind {
        Some(kind) if described.is_empty() => kind.to_owned(),
        _ => described.to_owned(),
    }
}

/// `creators[0].name`, `documents."a.b".date`.
pub fn key_name(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        if segment.parse::<usize>().is_ok() && !out.is_empty() {
            out.push_str(&format!("[{segment}]"));
            continue;
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&toml_key(segment));
    }
    out
}

/// A TOML key: bare when it can be, quoted otherwise.
pub fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A JSON value written as a TOML inline value.
pub fn toml_inline(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Null => "\"\"".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => toml_string(s),
        J::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_inline).collect::<Vec<_>>().join(", ")
        ),
        J::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What a value is, for a message: `the string "Jane Researcher"`.
fn describe_value(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    let kind = match value {
        J::Null => "nothing",
        J::Bool(_) => "the boolean",
        J::Number(_) => "the number",
        J::String(_) => "the string",
        J::Array(_) => "the array",
        J::Object(_) => "the table",
    };
    let mut shown = toml_inline(value);
    if shown.chars().count() > 70 {
        shown = shown.chars().take(69).collect::<String>() + "…";
    }
    format!("{kind} {shown}")
}

/// An example for the key at `path`, from the schema's `examples`: a key below an array is shown
/// through the array's own example (`creators = [{ name = "Jane Researcher" }]`), others as a
/// dotted key (`rights.uri = "..."`).
fn example(schema: &serde_json::Value, path: &[String]) -> Option<String> {
    let first_index = path.iter().position(|s| s.parse::<usize>().is_ok());
    let path = match first_index {
        Some(i) if i > 0 => &path[..i],
        _ => path,
    };
    let node = schema_at(schema, path)?;
    let value = node.get("examples")?.get(0)?;
    Some(format!("{} = {}", key_name(path), toml_inline(value)))
}

/// The sub-schema that applies to the value at `path`.
pub fn schema_at<'a>(
    root: &'a serde_json::Value,
    path: &[String],
) -> Option<&'a serde_json::Value> {
    let resolve = |node: &'a serde_json::Value| -> &'a serde_json::Value {
        match node
            .get("$ref")
            .and_then(|r| r.as_str())
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(pointer) => root.pointer(pointer).unwrap_or(node),
            None => node,
        }
    };
    let mut node = root;
    for segment in path {
        let here = resolve(node);
        node = if let Some(p) = here.get("properties").and_then(|p| p.get(segment)) {
            p
        } else if let Some(items) = here
            .get("items")
            .filter(|_| segment.parse::<usize>().is_ok())
        {
            items
        } else {
            here.get("additionalProperties").filter(|a| a.is_object())?
        };
    }
    // Keep the description and examples of the referring node, the rest from the reference.
    Some(if node.get("description").is_some() {
        node
    } else {
        resolve(node)
    })
}

fn pointer<'a>(json: &'a serde_json::Value, path: &[String]) -> Option<&'a serde_json::Value> {
    let mut node = json;
    for segment in path {
        node = match node {
            serde_json::Value::Object(map) => map.get(segment)?,
            serde_json::Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The byte offset of the value at `path` (of its key, for a table's key), or of the nearest
/// ancestor found.
fn span_of(root: &toml::Spanned<toml::de::DeTable>, path: &[String]) -> Option<usize> {
    use toml::de::DeValue;
    let mut best = None;
    let mut table = Some(root.get_ref());
    let mut array: Option<&toml::de::DeArray> = None;
    for segment in path {
        let value = if let Some(t) = table {
            let (key, value) = t
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == segment.as_str())?;
            best = Some(key.span().start);
            value
        } else if let Some(a) = array {
            let value = a.get(segment.parse::<usize>().ok()?)?;
            best = Some(value.span().start);
            value
        } else {
            return best;
        };
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    best
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() + 1)
}

/// One field of `dataset.toml`, as documented by `archivist help dataset` and
/// archivist-dataset.toml(5): taken from the schema, so the two never drift apart.
#[derive(Debug, Clone)]
pub struct FieldDoc {
    /// `name`, `creators[].orcid`, `documents.<id>.sha256`.
    pub key: String,
    pub required: bool,
    /// `string`, `table`, `array of strings`, ...
    pub kind: String,
    pub description: String,
    /// `key = value`, from the schema's `examples`.
    pub example: Option<String>,
}

/// Every field of `dataset.toml`, in the schema's order.
pub fn reference() -> Vec<FieldDoc> {
    let schema: serde_json::Value =
        serde_json::from_str(crate::validate::DATASET_SCHEMA).expect("the dataset schema is JSON");
    let mut fields = Vec::new();
    document_fields(&schema, &schema, "", &mut fields);
    fields
}

fn document_fields(
    root: &serde_json::Value,
    node: &serde_json::Value,
    prefix: &str,
    out: &mut Vec<FieldDoc>,
) {
    let resolve = |n: &serde_json::Value| -> serde_json::Value {
        match n
            .get("$ref")
            .and_then(|r| r.as_str())
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(p) => {
                let mut merged = root.pointer(p).cloned().unwrap_or_default();
                if let (Some(m), Some(o)) = (merged.as_object_mut(), n.as_object()) {
                    for (k, v) in o {
                        m.insert(k.clone(), v.clone());
                    }
                }
                merged
            }
            None => n.clone(),
        }
    };
    let required: Vec<&str> = node
        .get("required")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let Some(properties) = node.get("properties").and_then(|p| p.as_object()) else {
        return;
    };
    for (key, property) in properties {
        let property = resolve(property);
        let full = format!("{prefix}{key}");
        let kind_of = |n: &serde_json::Value| {
            n.get("type")
                .and_then(|t| t.as_str())
                .unwrap_or("value")
                .to_owned()
        };
        let mut kind = kind_of(&property);
        let items = property.get("items").map(&resolve);
        if kind == "array" {
            let item = items.as_ref().map(kind_of).unwrap_or_default();
            kind = match item.as_str() {
                "object" => "array of tables".into(),
                other => format!("array of {other}s"),
            };
        } else if kind == "object" {
            kind = "table".into();
        }
        let example = property
            .get("examples")
            .and_then(|e| e.get(0))
            .map(|v| format!("{} = {}", toml_key(key), toml_inline(v)));
        out.push(FieldDoc {
            key: full.clone(),
            required: required.contains(&key.as_str()),
            kind,
            description: property
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or("")
                .to_owned(),
            example,
        });
        if property.get("properties").is_some() {
            document_fields(root, &property, &format!("{full}."), out);
        }
        if let Some(items) = items.filter(|i| i.get("properties").is_some()) {
            document_fields(root, &items, &format!("{full}[]."), out);
        }
        if let Some(each) = property
            .get("additionalProperties")
            .filter(|a| a.get("properties").is_some())
        {
            document_fields(root, each, &format!("{full}.<id>."), out);
        }
    }
}

/// `MAJOR.MINOR.PATCH` with no leading zeros (what the dataset schema requires of `version`).
pub fn is_semver(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

/// TOML to JSON with dates as `YYYY-MM-DD` strings (TOML has date values, JSON does not).
fn toml_to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => J::from(f),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => J::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_named_as_they_are_written_in_toml() {
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            key_name(&path(&["creators", "0", "orcid"])),
            "creators[0].orcid"
        );
        assert_eq!(
            key_name(&path(&["documents", "en.a", "date"])),
            "documents.\"en.a\".date"
        );
        assert_eq!(line_column("a = 1\nbé = [\n", 12), (2, 6));
    }

    #[test]
    fn exclude_patterns_are_relative_to_the_config_and_bare_names_match_anywhere() {
        let dir = std::env::temp_dir();
        let raw = dir.join("raw");
        let patterns = ["raw/notes/*.docx".to_owned(), ".DS_Store".to_owned()];
        let exclude = Exclude::new(&patterns, &dir, &raw).unwrap();
        assert!(exclude.excludes("notes/a.docx"));
        assert!(!exclude.excludes("notes/deeper/a.docx"));
        assert!(!exclude.excludes("a.docx"));
        assert!(exclude.excludes(".DS_Store"));
        assert!(exclude.excludes("en/1990/.DS_Store"));
        assert!(!exclude.excludes("en/letter.txt"));
    }

    #[test]
    fn the_raw_folder_is_named_from_the_config_folder() {
        let dir = std::env::temp_dir().join("archivist-prefix-test");
        assert_eq!(relative_prefix(&dir, &dir.join("raw")), "raw/");
        assert_eq!(
            relative_prefix(&dir.join("a"), &dir.join("b/raw")),
            "../b/raw/"
        );
        assert_eq!(relative_prefix(&dir, &dir), "");
    }

    #[test]
    fn machine_names_from_folder_names() {
        assert_eq!(machine_name("My Letters (1890)"), "my-letters-1890");
        assert_eq!(machine_name("Xocalı"), "xocal");
        assert_eq!(machine_name("***"), "dataset");
    }

    #[test]
    fn a_wrong_creators_names_key_line_column_found_expected_and_example() {
        let text = "name = \"x\"\nversion = \"0.1.0\"\nrelease_date = \"2026-01-01\"\ntitle = \"T\"\n\
                    description = \"D\"\npublisher = \"P\"\ncreators = [\"Jane Researcher\"]\n\
                    languages = [\"en\"]\n[rights]\nstatement = \"S\"\nuri = \"http://x.org/\"\n";
        let err = Dataset::parse(text, Path::new("dataset.toml"), &SchemaSet::new()).unwrap_err();
        let message = err.to_string();
        assert!(
            message
                .contains("dataset.toml:7:13: `creators[0]`: found the string \"Jane Researcher\""),
            "{message}"
        );
        assert!(message.contains("= expected: One creator"), "{message}");
        assert!(
            message.contains("= example:  creators = [{ name = \"Jane Researcher\" }]"),
            "{message}"
        );
        let missing = text.replace("title = \"T\"\n", "");
        let message = Dataset::parse(&missing, Path::new("dataset.toml"), &SchemaSet::new())
            .unwrap_err()
            .to_string();
        assert!(message.contains("`title` is missing"), "{message}");
        assert!(message.contains("example:  title = "), "{message}");
        let typo = text.replace("publisher = ", "publsher = ");
        let message = Dataset::parse(&typo, Path::new("dataset.toml"), &SchemaSet::new())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("dataset.toml:6:1: unknown key `publsher` at the top level (did you mean `publisher`?)"),
            "{message}"
        );
    }

    #[test]
    fn semantic_versions() {
        for good in ["1.0.0", "0.1.10", "10.20.30"] {
            assert!(is_semver(good), "{good}");
        }
        for bad in ["1.0", "1.0.0.0", "01.0.0", "1.0.x", "", "1..0"] {
            assert!(!is_semver(bad), "{bad}");
        }
    }
}
