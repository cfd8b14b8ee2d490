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
    /// How the encoding, language, title and date were found, or why they were not.
    pub evidence: Evidence,
}

/// Where each extracted value came from: the rule or detector that decided it, the raw line it
/// was read from, a confidence where the detector gives one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub encoding: Found,
    pub language: Found,
    pub title: Found,
    pub date: Found,
}

/// The evidence of one value. `rule` is `none` when the value is undetermined (`detail` says
/// why).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub rule: String,
    /// 1-based line in the raw file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Found {
    pub fn rule(rule: &str) -> Found {
        Found {
            rule: rule.to_owned(),
            ..Found::default()
        }
    }

    pub fn at(mut self, line: u64) -> Found {
        self.line = Some(line);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Found {
        self.detail = Some(detail.into());
        self
    }

    pub fn confidence(mut self, value: f64) -> Found {
        self.confidence = Some(Confidence::of(value));
        self
    }
}

/// A confidence in [0, 1], kept in thousandths so records compare and print the same
/// everywhere (serialized as a number: `0.93`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Confidence(pub u16);

impl Confidence {
    pub fn of(value: f64) -> Confidence {
        Confidence((value.clamp(0.0, 1.0) * 1000.0).round() as u16)
    }
}

impl Serialize for Confidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(f64::from(self.0) / 1000.0)
    }
}

impl<'de> Deserialize<'de> for Confidence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Confidence, D::Error> {
        f64::deserialize(d).map(Confidence::of)
    }
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
