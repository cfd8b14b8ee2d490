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
use std::path::Path;

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
    /// Languages of the documents: ISO 639-1 codes, with a script subtag where needed
    /// (`az-Cyrl`). Detection chooses among them when they settle a doubt, and flags a document
    /// in another one.
    pub languages: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub rights: Rights,
    /// Who deposits releases (OCFL version user).
    #[serde(default)]
    pub agent: Option<Agent>,
    /// The InvenioRDM record whose new versions the releases are (deposit).
    #[serde(default)]
    pub invenio: Option<Invenio>,
    /// Why a version was cut, by version (`"1.1.0" = "..."`): written into that release's
    /// `CHANGES.md` above what the comparison found.
    #[serde(default)]
    pub release_notes: BTreeMap<String, String>,
    /// Lines curators declare page furniture, or content, for every document.
    #[serde(default)]
    pub furniture: Furniture,
    /// Pins and curated values, by document id.
    #[serde(default)]
    pub documents: BTreeMap<String, DocumentEntry>,
}

/// Curated furniture: whole lines (compared trimmed, ignoring case) to remove wherever they
/// stand (`add`), or never to remove (`exempt`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Furniture {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub exempt: Vec<String>,
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
    /// The raw file's encoding, when detection cannot be trusted (a WHATWG label or
    /// `ISO-8859-1`, `KOI8-R`, ...); the file is then decoded strictly with it.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Furniture curated for this document only, added to the corpus-wide lists.
    #[serde(default)]
    pub furniture: Furniture,
}

impl Dataset {
    /// Read and validate `path`. Every problem is reported with its key.
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
        let problems = schemas.dataset_problems(&json);
        if !problems.is_empty() {
            return Err(config_error(problems.join("\n")));
        }
        let dataset: Dataset =
            serde_json::from_value(json).map_err(|e| config_error(e.to_string()))?;
        Ok(dataset)
    }

    /// The file stem of the release: `<name>-<version>`.
    pub fn release_name(&self) -> String {
        format!("{}-{}", self.name, self.version)
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
    fn semantic_versions() {
        for good in ["1.0.0", "0.1.10", "10.20.30"] {
            assert!(is_semver(good), "{good}");
        }
        for bad in ["1.0", "1.0.0.0", "01.0.0", "1.0.x", "", "1..0"] {
            assert!(!is_semver(bad), "{bad}");
        }
    }
}
