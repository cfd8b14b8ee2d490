//! The staged pipeline, one document at a time: ingest, decode, normalize, metadata,
//! boilerplate, record, validate.
//!
//! [`Pipeline::process`] turns one raw file into its record and normalized text, or into the
//! problems that stop it. `check` runs it over the corpus and keeps only the records; `release`
//! runs it and packages each document as it goes, so memory holds one document at a time.

use crate::config::{Dataset, DocumentEntry};
use crate::decode::decode;
use crate::digest::sha256_hex;
use crate::error::Result;
use crate::ingest::{self, Entry, Limits, RawDocument};
use crate::metadata;
use crate::normalize::{self, Line};
use crate::problem::Problem;
use crate::record::{Record, Removed, Source, Step, TextInfo};
use crate::validate::SchemaSet;
use crate::{boilerplate, problem};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A document that went through every stage.
#[derive(Clone, Debug)]
pub struct Processed {
    pub record: Record,
    /// The normalized text, as written to `text/<id>.txt`.
    pub text: String,
    pub raw: RawDocument,
}

/// What processing one document gave: the document if it is valid, and every problem found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub processed: Option<Processed>,
    pub problems: Vec<Problem>,
}

/// The pipeline's settings, resolved before any work starts.
pub struct Pipeline<'a> {
    raw_dir: PathBuf,
    dataset: &'a Dataset,
    /// `dataset.toml` as named in messages.
    config_display: String,
    limits: Limits,
    schemas: SchemaSet,
}

/// The documents found and the problems met while finding them.
pub struct Discovery {
    pub entries: ingest::Listing,
    pub problems: Vec<Problem>,
}

impl<'a> Pipeline<'a> {
    pub fn new(raw_dir: &Path, dataset: &'a Dataset, config_path: &Path, limits: Limits) -> Self {
        Pipeline {
            raw_dir: raw_dir.to_path_buf(),
            dataset,
            config_display: config_path.display().to_string(),
            limits,
            schemas: SchemaSet::new(),
        }
    }

    pub fn schemas(&self) -> &SchemaSet {
        &self.schemas
    }

    /// Find the documents, and check the set against `dataset.toml`: ids unique, every pinned
    /// document present.
    pub fn discover(&self) -> Result<Discovery> {
        let (entries, mut problems) = ingest::discover(&self.raw_dir, &self.limits)?;
        let ids = Keys::new(entries.rels().map(ingest::id_of));
        for (id, same) in ids.duplicates(entries.rels().map(ingest::id_of)) {
            for &i in &same {
                problems.push(Problem::error(
                    entries.entry(i).display,
                    "duplicate-id",
                    format!(
                        "{} files give the document id `{id}`; rename one so each id is unique",
                        same.len()
                    ),
                ));
            }
        }
        // Names that differ only in case or Unicode normalization extract to one file on
        // Windows and macOS: a release must not depend on the file system it is opened on.
        let folded = |rel: &str| -> String {
            unicode_normalization::UnicodeNormalization::nfc(rel)
                .collect::<String>()
                .to_lowercase()
        };
        let folds = Keys::new(entries.rels().map(folded));
        for (_, same) in folds.duplicates(entries.rels().map(folded)) {
            let names: Vec<&str> = same.iter().map(|&i| entries.rel(i)).collect();
            for &i in &same {
                problems.push(Problem::error(
                    entries.entry(i).display,
                    "ambiguous-names",
                    format!(
                        "these names differ only in case or Unicode normalization and would overwrite \
                         each other on some file systems: {}",
                        names.join(", ")
                    ),
                ));
            }
        }
        for (id, doc) in &self.dataset.documents {
            if !ids.contains(id, |i| ingest::id_of(entries.rel(i))) {
                let what = if doc.sha256.is_some() {
                    "pins"
                } else {
                    "curates"
                };
                problems.push(Problem::error(
                    &self.config_display,
                    "pinned-missing",
                    format!(
                        "`documents.{id}` {what} a document that is not in `{}`",
                        self.raw_dir.display()
                    ),
                ));
            }
        }
        Ok(Discovery { entries, problems })
    }

    /// Run every stage on one document. Only I/O failures are errors; everything wrong with
    /// the document is in the outcome's problems.
    pub fn process(&self, entry: &Entry) -> Result<Outcome> {
        let raw = match ingest::read(entry, &self.limits)? {
            Ok(raw) => raw,
            Err(problem) => {
                return Ok(Outcome {
                    processed: None,
                    problems: vec![problem],
                });
            }
        };
        let id = entry.id();
        let curation = self.dataset.documents.get(&id);
        let mut problems = self.check_pin(&raw, &id, curation);
        let record_and_text = build(&raw, &id, curation, &mut problems);
        let processed = record_and_text.and_then(|(record, text)| {
            let value = serde_json::to_value(&record).expect("a record serializes to JSON");
            let invalid = self.schemas.record_problems(&value, &entry.display);
            let ok = invalid.is_empty();
            problems.extend(invalid);
            ok.then_some(Processed { record, text, raw })
        });
        let processed = processed.filter(|_| !problem::any_error(&problems));
        Ok(Outcome {
            processed,
            problems,
        })
    }

    fn check_pin(
        &self,
        raw: &RawDocument,
        id: &str,
        curation: Option<&DocumentEntry>,
    ) -> Vec<Problem> {
        let path = &raw.entry.display;
        match curation.and_then(|c| c.sha256.as_deref()) {
            Some(pinned) if pinned != raw.sha256 => vec![Problem::error(
                path,
                "pin-mismatch",
                format!(
                    "the file changed: `{}` pins sha256 {pinned}, the file has {}; restore the \
                     original, or update the pin if the change is deliberate",
                    self.config_display, raw.sha256
                ),
            )],
            Some(_) => vec![],
            None => vec![Problem::warning(
                path,
                "unpinned",
                format!(
                    "new document, not pinned in `{}`; add `[documents.\"{id}\"]` with sha256 = \"{}\"",
                    self.config_display, raw.sha256
                ),
            )],
        }
    }
}

/// Decode, normalize, extract and assemble the record; `None` when a stage refused the document.
/// Does not validate against the schema (see [`Pipeline::process`]).
pub fn build(
    raw: &RawDocument,
    id: &str,
    curation: Option<&DocumentEntry>,
    problems: &mut Vec<Problem>,
) -> Option<(Record, String)> {
    let path = raw.entry.display.as_str();
    let decoded = match decode(&raw.bytes, path) {
        Ok(decoded) => decoded,
        Err(problem) => {
            problems.push(problem);
            return None;
        }
    };
    let normalized = normalize::normalize(&decoded.text);
    let mut steps = Vec::new();
    if decoded.bom {
        steps.push(Step {
            step: "bom".into(),
            count: 1,
        });
    }
    if decoded.mojibake_repaired > 0 {
        steps.push(Step {
            step: "mojibake".into(),
            count: decoded.mojibake_repaired,
        });
    }
    steps.extend(normalized.steps);
    let mut lines = normalized.lines;
    if lines.is_empty() {
        problems.push(Problem::error(
            path,
            "whitespace-only",
            "the file holds only whitespace",
        ));
        return None;
    }

    let mut removed: Vec<Removed> = Vec::new();
    let dates = metadata::extract_dates(&mut lines, path, &mut removed, problems);
    boilerplate::strip(&mut lines, path, &mut removed, problems);
    drop_edge_blank_lines(&mut lines, &mut steps);
    if lines.is_empty() {
        problems.push(Problem::error(
            path,
            "no-content",
            "nothing is left once the header and page furniture are taken off",
        ));
        return None;
    }
    let title = metadata::title(&lines, &dates);
    let text = normalize::join(&lines);
    let language = metadata::language(&text);
    if language.is_none() {
        problems.push(Problem::warning(
            path,
            "language-undetermined",
            format!("the language could not be told; curate it as `documents.\"{id}\".language`"),
        ));
    }

    let mut record = Record {
        id: id.to_owned(),
        source: Source {
            path: format!("raw/{}", raw.entry.rel),
            bytes: raw.bytes.len() as u64,
            sha256: raw.sha256.clone(),
            encoding: decoded.encoding.to_owned(),
            url: None,
        },
        text: TextInfo {
            path: format!("text/{id}.txt"),
            bytes: text.len() as u64,
            sha256: sha256_hex(text.as_bytes()),
            chars: text.chars().count() as u64,
            lines: lines.len() as u64,
        },
        language,
        title,
        date: dates.date,
        publisher: None,
        normalization: steps,
        removed,
        curated: Vec::new(),
    };
    if let Some(curation) = curation {
        apply_curation(&mut record, curation);
    }
    Some((record, text))
}

/// Blank lines uncovered at either end by removals are dropped too (counted as `blank-lines`).
fn drop_edge_blank_lines(lines: &mut Vec<Line>, steps: &mut Vec<Step>) {
    let before = lines.len();
    while lines.last().is_some_and(|l| l.text.is_empty()) {
        lines.pop();
    }
    let leading = lines.iter().take_while(|l| l.text.is_empty()).count();
    lines.drain(..leading);
    let dropped = (before - lines.len()) as u64;
    if dropped == 0 {
        return;
    }
    match steps.iter_mut().find(|s| s.step == "blank-lines") {
        Some(step) => step.count += dropped,
        None => {
            let at = steps
                .iter()
                .position(|s| s.step == "final-newline")
                .unwrap_or(steps.len());
            steps.insert(
                at,
                Step {
                    step: "blank-lines".into(),
                    count: dropped,
                },
            );
        }
    }
}

/// Curated values from `dataset.toml` win over extracted ones, and say so.
fn apply_curation(record: &mut Record, curation: &DocumentEntry) {
    let mut curated = Vec::new();
    if let Some(title) = &curation.title {
        record.title = Some(title.clone());
        curated.push("title");
    }
    if let Some(date) = &curation.date {
        record.date = Some(date.clone());
        curated.push("date");
    }
    if let Some(language) = &curation.language {
        record.language = Some(language.clone());
        curated.push("language");
    }
    if let Some(url) = &curation.source_url {
        record.source.url = Some(url.clone());
        curated.push("source.url");
    }
    if let Some(publisher) = &curation.publisher {
        record.publisher = Some(publisher.clone());
        curated.push("publisher");
    }
    record.curated = curated.into_iter().map(str::to_owned).collect();
}

/// One document's line in the report of `check`.
#[derive(Debug, Clone)]
pub struct DocumentReport {
    pub id: String,
    pub path: String,
    /// The record, when the document is valid.
    pub record: Option<Record>,
    pub errors: usize,
    pub warnings: usize,
}

/// The result of `check`: the valid records, sorted by id, one line per document, every problem.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub records: Vec<Record>,
    pub documents: Vec<DocumentReport>,
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        problem::any_error(&self.problems)
    }
}

/// Run the pipeline over every document and collect records and problems. Writes nothing.
pub fn check(
    raw_dir: &Path,
    dataset: &Dataset,
    config_path: &Path,
    limits: Limits,
) -> Result<CheckReport> {
    let pipeline = Pipeline::new(raw_dir, dataset, config_path, limits);
    let discovery = pipeline.discover()?;
    let mut report = CheckReport {
        problems: discovery.problems,
        ..CheckReport::default()
    };
    // In parallel, keeping only what the report needs (texts and raw bytes are dropped).
    let entries: Vec<Entry> = discovery.entries.entries().collect();
    let outcomes: Vec<Result<(Option<Record>, Vec<Problem>)>> = entries
        .par_iter()
        .map(|entry| {
            let outcome = pipeline.process(entry)?;
            Ok((outcome.processed.map(|p| p.record), outcome.problems))
        })
        .collect();
    for (entry, outcome) in entries.iter().zip(outcomes) {
        let (record, problems) = outcome?;
        tracing::debug!(path = %entry.display, problems = problems.len(), "processed");
        let errors = problems.iter().filter(|p| p.is_error()).count();
        report.documents.push(DocumentReport {
            id: entry.id(),
            path: entry.display.clone(),
            record: record.clone(),
            errors,
            warnings: problems.len() - errors,
        });
        report.problems.extend(problems);
        if let Some(record) = record {
            report.records.push(record);
        }
    }
    report.records.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(report)
}

/// Keys of many documents (ids, folded names), as 64-bit hashes sorted with each document's
/// index: 16 bytes a document, to find the few keys given twice without a map of them all.
struct Keys(Vec<(u64, u32)>);

impl Keys {
    fn new(keys: impl Iterator<Item = String>) -> Keys {
        let mut hashed: Vec<(u64, u32)> = keys
            .enumerate()
            .map(|(i, key)| (hash(&key), i as u32))
            .collect();
        hashed.sort_unstable();
        Keys(hashed)
    }

    /// The keys given to more than one document, sorted, each with its documents' indexes in
    /// order. `keys` gives the same keys again (only those whose hash repeats are kept).
    fn duplicates(&self, keys: impl Iterator<Item = String>) -> BTreeMap<String, Vec<usize>> {
        let mut suspects: Vec<u32> = self
            .0
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
            .flatten()
            .map(|&(_, i)| i)
            .collect();
        suspects.sort_unstable();
        let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut next = suspects.iter().peekable();
        for (i, key) in keys.enumerate() {
            if next.peek().is_some_and(|&&s| s as usize == i) {
                next.next();
                by_key.entry(key).or_default().push(i);
            }
        }
        by_key.retain(|_, same| same.len() > 1);
        by_key
    }

    /// Whether some document has `key`; `key_of` gives a document's key by its index.
    fn contains(&self, key: &str, key_of: impl Fn(usize) -> String) -> bool {
        let h = hash(key);
        let start = self.0.partition_point(|&(x, _)| x < h);
        self.0[start..]
            .iter()
            .take_while(|&&(x, _)| x == h)
            .any(|&(_, i)| key_of(i as usize) == key)
    }
}

fn hash(key: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
}
