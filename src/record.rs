//! The record: what a release says about one document.
//!
//! One record per document is written to `data/records.jsonl` and printed by `check --json`.
//! `schema/record.schema.json` is the authority; these types serialize to exactly what it allows,
//! and a test holds them together (every record the pipeline builds validates).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub source: Source,
    pub text: TextInfo,
    pub language: Option<String>,
    pub title: Option<String>,
    pub date: Option<String>,
    pub publisher: Option<String>,
    pub normalization: Vec<Step>,
    pub removed: Vec<Removed>,
    /// Fields taken from `dataset.toml` instead of the document (`title`, `date`, ...).
    pub curated: Vec<String>,
}

/// The raw file as found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Path inside the bag's `data/`: `raw/<path below the raw folder>`.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// WHATWG label of the encoding detected.
    pub encoding: String,
    pub url: Option<String>,
}

/// The normalized text inside the bag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextInfo {
    /// `text/<id>.txt`, inside the bag's `data/`.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    pub chars: u64,
    pub lines: u64,
}

/// A normalization step that changed something, and how many times it applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub step: String,
    pub count: u64,
}

/// Text taken out of the normalized text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// 1-based line in the raw file.
    pub line: u64,
    pub text: String,
    pub reason: String,
}
