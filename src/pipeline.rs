//! The staged pipeline, one document at a time: ingest, decode, normalize, boilerplate,
//! metadata, record, validate. Before the documents, one pass over the corpus finds the lines
//! recurring at the edges of several documents (page furniture of one site).
//!
//! [`Pipeline::process`] turns one raw file into its record and normalized text, or into the
//! problems that stop it. `check` runs it over the corpus and keeps only the records; `release`
//! runs it and packages each document as it goes, so memory holds one document at a time.

use crate::config::{Dataset, DocumentEntry};
use crate::decode::decode_as;
use crate::digest::sha256_hex;
use crate::error::Result;
use crate::ingest::{self, Entry, Limits, RawDocument};
use crate::metadata;
use crate::normalize::{self, Line};
use crate::package::spill::{RecordSpill, Records};
use crate::problem::Problem;
use crate::record::{Evidence, Found, Record, Removed, Source, Step, TextInfo};
use crate::sort::{self, ExternalSort};
use crate::spool::{Spool, Spooled, get_field, put_field};
use crate::validate::SchemaSet;
use crate::{boilerplate, language, problem};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
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
    /// Where temporary files go.
    scratch: PathBuf,
    /// Files below the raw folder that are not documents.
    exclude: crate::config::Exclude,
    /// There is no `dataset.toml`: nothing is pinned, and that is said once, not per document.
    unconfigured: bool,
    /// What the corpus and dataset.toml say to every document, learnt by [`Pipeline::discover`].
    context: std::sync::OnceLock<Context>,
}

/// What every document is processed with: the languages `dataset.toml` declares and the
/// furniture rules (curated lines, lines recurring at the edges of the corpus's documents).
#[derive(Debug, Default, Clone)]
pub struct Context {
    pub languages: Vec<String>,
    pub furniture: boilerplate::Rules,
    /// How the edge-line pass decoded the documents that are not UTF-8, by relative path, so
    /// they are not detected twice (at most [`MAX_PLANS`]; a plan is used only for the bytes it
    /// was made for).
    pub plans: HashMap<String, crate::decode::Plan>,
}

/// Decoding plans kept at most (about 100 bytes each): past them, a document that is not UTF-8
/// is detected twice, which costs time, not memory.
const MAX_PLANS: usize = 16_384;

/// Recurring edge lines kept at most, the most frequent: a site's navigation is tens or
/// hundreds of lines; a corpus of many near-copies would otherwise make every short edge line a
/// recurring one, held in memory.
const MAX_RECURRING: usize = 8_192;

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
            scratch: std::env::temp_dir(),
            exclude: crate::config::Exclude::default(),
            unconfigured: false,
            context: std::sync::OnceLock::new(),
        }
    }

    /// Leave out the files `exclude` names.
    pub fn excluding(mut self, exclude: &crate::config::Exclude) -> Self {
        self.exclude = exclude.clone();
        self
    }

    /// Run without a `dataset.toml`: no document is pinned, and no warning says so per document.
    pub fn unconfigured(mut self) -> Self {
        self.unconfigured = true;
        self
    }

    pub fn schemas(&self) -> &SchemaSet {
        &self.schemas
    }

    /// Temporary files (sorted runs, spills) go to `dir` instead of the system's temporary
    /// folder.
    pub fn scratch_in(mut self, dir: &Path) -> Self {
        self.scratch = dir.to_owned();
        self
    }

    /// Find the documents, and check the set against `dataset.toml`: ids unique, every pinned
    /// document present. Ids and folded names are sorted externally (in constant memory) to find
    /// those given twice.
    pub fn discover(&self) -> Result<Discovery> {
        let (entries, mut problems) =
            ingest::discover_excluding(&self.raw_dir, &self.limits, &self.scratch, &self.exclude)?;
        // Names that differ only in case or Unicode normalization extract to one file on
        // Windows and macOS: a release must not depend on the file system it is opened on.
        let folded = |rel: &str| -> String {
            unicode_normalization::UnicodeNormalization::nfc(rel)
                .collect::<String>()
                .to_lowercase()
        };
        let mut ids = ExternalSort::new(&self.scratch, sort::BUDGET / 2);
        let mut folds = ExternalSort::new(&self.scratch, sort::BUDGET / 2);
        for entry in entries.entries() {
            let entry = entry?;
            ids.push((entry.id(), entry.display.clone()))?;
            folds.push((folded(&entry.rel), entry.rel))?;
        }
        let mut pinned = self.dataset.documents.iter().peekable();
        let mut missing = Vec::new();
        for_each_run(ids.finish()?, |id, same| {
            while let Some((pin, doc)) = pinned.next_if(|(pin, _)| pin.as_str() <= id) {
                if pin != id {
                    missing.push((pin, doc));
                }
            }
            if same.len() > 1 {
                for display in same {
                    problems.push(Problem::error(
                        display,
                        "duplicate-id",
                        format!(
                            "{} files give the document id `{id}`; rename one so each id is unique",
                            same.len()
                        ),
                    ));
                }
            }
        })?;
        missing.extend(pinned);
        for_each_run(folds.finish()?, |_, same| {
            if same.len() > 1 {
                for rel in same {
                    problems.push(Problem::error(
                        self.raw_dir.join(rel).display().to_string(),
                        "ambiguous-names",
                        format!(
                            "these names differ only in case or Unicode normalization and would overwrite \
                             each other on some file systems: {}",
                            same.join(", ")
                        ),
                    ));
                }
            }
        })?;
        let mut context = self.base_context();
        if let Some((recurring, plans)) = self.recurring_lines(&entries)? {
            context.furniture.recurring = recurring;
            context.plans = plans;
        }
        let _ = self.context.set(context);
        for (id, doc) in missing {
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
        Ok(Discovery { entries, problems })
    }

    fn context(&self) -> &Context {
        self.context.get_or_init(|| self.base_context())
    }

    /// The context from `dataset.toml` alone (before the corpus is read).
    fn base_context(&self) -> Context {
        let keys = |lines: &[String]| lines.iter().map(|l| boilerplate::key(l)).collect();
        Context {
            languages: self.dataset.languages.clone(),
            furniture: boilerplate::Rules {
                add: keys(&self.dataset.furniture.add),
                exempt: keys(&self.dataset.furniture.exempt),
                recurring: Default::default(),
            },
            plans: HashMap::new(),
        }
    }

    /// Lines recurring at the edges (first and last lines) of at least
    /// [`boilerplate::RECURRING_DOCUMENTS`] documents: each document is read and decoded once
    /// more, its edge lines' keys sorted on disk, so memory holds only the lines that recur.
    /// `None` for a corpus too small to show recurrence. With them, the plans that decode the
    /// documents that are not UTF-8 again.
    #[allow(clippy::type_complexity)]
    fn recurring_lines(
        &self,
        entries: &ingest::Listing,
    ) -> Result<Option<(HashSet<String>, HashMap<String, crate::decode::Plan>)>> {
        if entries.len() < boilerplate::RECURRING_DOCUMENTS {
            return Ok(None);
        }
        let mut keys = ExternalSort::new(&self.scratch, sort::BUDGET / 2);
        let mut plans = HashMap::new();
        let mut seen = HashSet::new();
        crate::flow::ordered(
            entries.entries(),
            |_| 1,
            IN_FLIGHT as u64,
            |entry| entry.map(|e| (self.edge_keys(&e), e.rel)),
            |found| {
                let ((found, digest, plan), rel) = found?;
                // A document that is another's copy (one text shipped twice) shows no site's
                // furniture: its lines count once.
                if seen.insert(digest) {
                    for key in found {
                        keys.push((key, String::new()))?;
                    }
                }
                if let Some(plan) = plan
                    && plans.len() < MAX_PLANS
                {
                    plans.insert(rel, plan);
                }
                Ok::<(), crate::error::Error>(())
            },
        )?;
        let mut best = MostFrequent::new(MAX_RECURRING);
        for_each_run(keys.finish()?, |key, same| {
            if same.len() >= boilerplate::RECURRING_DOCUMENTS {
                best.push(key, same.len());
            }
        })?;
        Ok(Some((best.keys(), plans)))
    }

    /// The keys of one document's edge lines; none for a file that cannot be read or decoded
    /// (that is reported when the document is processed), with a digest of its text (a copy of
    /// another document counts once). For a file decoded after detection, the plan that decodes
    /// it again.
    fn edge_keys(&self, entry: &Entry) -> (Vec<String>, u64, Option<crate::decode::Plan>) {
        // To tell copies apart, no more: a fixed seed, and fast over whole texts.
        let digest = |text: &str| {
            use std::hash::BuildHasher;
            foldhash::quality::FixedState::with_seed(0).hash_one(text)
        };
        if entry.size > self.limits.max_document_bytes {
            return (Vec::new(), 0, None);
        }
        let Ok(bytes) = fs_err::read(&entry.path) else {
            return (Vec::new(), 0, None);
        };
        let curated = self
            .dataset
            .documents
            .get(&entry.id())
            .and_then(|d| d.encoding.as_deref());
        if curated.is_none()
            && let Some(text) = crate::decode::utf8(&bytes)
        {
            return (boilerplate::edge_keys(text), digest(text), None);
        }
        match crate::decode::decode_planned(&bytes, &entry.display, curated) {
            Ok((decoded, plan)) => (
                boilerplate::edge_keys(&decoded.text),
                digest(&decoded.text),
                plan,
            ),
            Err(_) => (Vec::new(), 0, None),
        }
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
        let record_and_text = build(&raw, &id, curation, self.context(), &mut problems);
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
            None if self.unconfigured => vec![],
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
    context: &Context,
    problems: &mut Vec<Problem>,
) -> Option<(Record, String)> {
    let path = raw.entry.display.as_str();
    let curated_encoding = curation.and_then(|c| c.encoding.as_deref());
    let plan = context
        .plans
        .get(&raw.entry.rel)
        .filter(|plan| curated_encoding.is_none() && plan.fits(&raw.bytes));
    let decoded = match plan.map_or_else(
        || decode_as(&raw.bytes, path, curated_encoding),
        |plan| crate::decode::decode_by_plan(&raw.bytes, path, plan),
    ) {
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
    // The corpus's rules as they are (up to thousands of recurring lines: never copied per
    // document), or with the document's own curated lines.
    let rules = match curation {
        Some(c) => std::borrow::Cow::Owned(
            context
                .furniture
                .with(&c.furniture.add, &c.furniture.exempt),
        ),
        None => std::borrow::Cow::Borrowed(&context.furniture),
    };
    // Furniture first: the head is where the document's own lines begin.
    boilerplate::strip(&mut lines, &rules, &mut removed);
    let dates = metadata::extract_dates(&mut lines, path, &mut removed, problems);
    removed.sort_by_key(|r| r.line);
    drop_edge_blank_lines(&mut lines, &mut steps);
    if lines.is_empty() {
        problems.push(Problem::error(
            path,
            "no-content",
            "nothing is left once the header and page furniture are taken off",
        ));
        return None;
    }
    let (title, title_found) = metadata::title(&lines, &dates, &removed);
    let text = normalize::join(&lines);
    let language = if curation.is_some_and(|c| c.language.is_some()) {
        None // curated: nothing to detect or warn about
    } else {
        Some(language::detect(&text, &context.languages))
    };
    if let Some((code, message)) = language.as_ref().and_then(|l| l.warning.clone()) {
        problems.push(Problem::warning(
            path,
            code,
            format!("{message}; curate it as `documents.\"{id}\".language` if you know it"),
        ));
    }
    let (language, language_found) = match language {
        Some(l) => (Some(l.code), l.found),
        None => (None, Found::rule("curated")),
    };
    let encoding_found = Found::rule(decoded.rule);

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
            // A text identical to its raw file (most clean UTF-8 documents) is hashed once.
            sha256: if text.as_bytes() == raw.bytes.as_slice() {
                raw.sha256.clone()
            } else {
                sha256_hex(text.as_bytes())
            },
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
        evidence: Evidence {
            encoding: encoding_found,
            language: language_found,
            title: title_found,
            date: dates.found,
        },
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
        record.evidence.title = Found::rule("curated");
        curated.push("title");
    }
    if let Some(date) = &curation.date {
        record.date = Some(date.clone());
        record.evidence.date = Found::rule("curated");
        curated.push("date");
    }
    if let Some(language) = &curation.language {
        record.language = Some(language.clone());
        record.evidence.language = Found::rule("curated");
        curated.push("language");
    }
    if curation.encoding.is_some() {
        curated.push("source.encoding");
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

/// One document's line in the report of `check`: its id, what its record says (when it is
/// valid) and how many problems it has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentLine {
    pub id: String,
    pub encoding: Option<String>,
    pub language: Option<String>,
    pub date: Option<String>,
    pub title: Option<String>,
    pub errors: usize,
    pub warnings: usize,
}

/// The result of `check`, kept on disk like a release's spills so that memory does not grow
/// with the corpus: the valid records (read back sorted by id), one line per document (in path
/// order), and every problem (in the order found). The counts are in memory.
pub struct CheckReport {
    records: Records,
    documents: Spooled,
    problems: Spooled,
    pub document_count: usize,
    pub valid: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Each valid document's record, as a JSON line, sorted by id.
    pub fn for_each_record(&self, mut visit: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        self.records.for_each(|line, _| visit(line))
    }

    /// Each document's line, in path order.
    pub fn for_each_document(
        &self,
        mut visit: impl FnMut(&DocumentLine) -> Result<()>,
    ) -> Result<()> {
        let mut reader = self.documents.reader();
        let mut fields: [Vec<u8>; 7] = Default::default();
        while get_field(&mut reader, &mut fields[0])? {
            for field in &mut fields[1..] {
                if !get_field(&mut reader, field)? {
                    return Err(spill_damaged());
                }
            }
            let text = |f: &Vec<u8>| String::from_utf8_lossy(f).into_owned();
            let optional = |f: &Vec<u8>| match f.split_first() {
                Some((1, rest)) => Some(String::from_utf8_lossy(rest).into_owned()),
                _ => None,
            };
            let count = |f: &Vec<u8>| text(f).parse::<usize>().unwrap_or_default();
            visit(&DocumentLine {
                id: text(&fields[0]),
                encoding: optional(&fields[1]),
                language: optional(&fields[2]),
                date: optional(&fields[3]),
                title: optional(&fields[4]),
                errors: count(&fields[5]),
                warnings: count(&fields[6]),
            })?;
        }
        Ok(())
    }

    /// Each problem, as it is printed (`Display`) and as JSON, in the order found.
    pub fn for_each_problem(&self, mut visit: impl FnMut(&str, &[u8]) -> Result<()>) -> Result<()> {
        let mut reader = self.problems.reader();
        let (mut shown, mut json) = (Vec::new(), Vec::new());
        while get_field(&mut reader, &mut shown)? {
            if !get_field(&mut reader, &mut json)? {
                return Err(spill_damaged());
            }
            visit(&String::from_utf8_lossy(&shown), &json)?;
        }
        Ok(())
    }
}

fn spill_damaged() -> crate::error::Error {
    crate::spool::damaged().into()
}

/// Where `check` collects what it reports, as it goes.
struct CheckSink {
    records: RecordSpill,
    documents: Spool,
    problems: Spool,
    document_count: usize,
    valid: usize,
    errors: usize,
    warnings: usize,
}

impl CheckSink {
    fn new(dir: &Path) -> CheckSink {
        CheckSink {
            records: RecordSpill::new(dir),
            documents: Spool::new(dir, CHECK_IN_MEMORY),
            problems: Spool::new(dir, CHECK_IN_MEMORY),
            document_count: 0,
            valid: 0,
            errors: 0,
            warnings: 0,
        }
    }

    fn problems(&mut self, problems: &[Problem]) -> Result<()> {
        for problem in problems {
            let json = serde_json::to_string(problem).expect("problems serialize");
            put_field(&mut self.problems, problem.to_string().as_bytes())?;
            put_field(&mut self.problems, json.as_bytes())?;
            if problem.is_error() {
                self.errors += 1;
            } else {
                self.warnings += 1;
            }
        }
        Ok(())
    }

    fn document(&mut self, id: &str, record: Option<&Record>, problems: &[Problem]) -> Result<()> {
        let errors = problems.iter().filter(|p| p.is_error()).count();
        let optional = |value: Option<&str>| -> Vec<u8> {
            match value {
                Some(v) => [&[1u8][..], v.as_bytes()].concat(),
                None => vec![0],
            }
        };
        let fields = [
            id.as_bytes().to_vec(),
            optional(record.map(|r| r.source.encoding.as_str())),
            optional(record.and_then(|r| r.language.as_deref())),
            optional(record.and_then(|r| r.date.as_deref())),
            optional(record.and_then(|r| r.title.as_deref())),
            errors.to_string().into_bytes(),
            (problems.len() - errors).to_string().into_bytes(),
        ];
        for field in &fields {
            put_field(&mut self.documents, field)?;
        }
        self.document_count += 1;
        if let Some(record) = record {
            let line = serde_json::to_string(record).expect("records serialize");
            self.records.push(&record.id, &line, "")?;
            self.valid += 1;
        }
        self.problems(problems)
    }

    fn finish(self) -> Result<CheckReport> {
        Ok(CheckReport {
            records: self.records.finish()?,
            documents: self.documents.finish()?,
            problems: self.problems.finish()?,
            document_count: self.document_count,
            valid: self.valid,
            errors: self.errors,
            warnings: self.warnings,
        })
    }
}

/// What `check` keeps in memory of its lines and problems before they go to a temporary file.
const CHECK_IN_MEMORY: usize = 1 << 20;

/// Documents in flight at most in `check` and the edge-line pass: their records and problems
/// (or edge lines) wait in memory until the ones before them are done.
const IN_FLIGHT: usize = 1024;

/// Run the pipeline over every document and collect records and problems. Writes nothing but
/// unnamed temporary files (in the system's temporary folder), which hold the report.
pub fn check(pipeline: &Pipeline, progress: bool) -> Result<CheckReport> {
    let started = std::time::Instant::now();
    let discovery = pipeline.discover()?;
    tracing::info!(
        documents = discovery.entries.len(),
        elapsed = ?started.elapsed(),
        "stage: discover"
    );
    let bar = crate::package::Progress::new(progress, discovery.entries.bytes());
    let mut sink = CheckSink::new(&std::env::temp_dir());
    sink.problems(&discovery.problems)?;
    // In parallel, keeping only what the report needs (texts and raw bytes are dropped),
    // written out in path order.
    crate::flow::ordered(
        discovery.entries.entries(),
        |_| 1,
        IN_FLIGHT as u64,
        |entry| {
            let entry = entry?;
            let outcome = pipeline.process(&entry)?;
            Ok((entry, outcome.processed.map(|p| p.record), outcome.problems))
        },
        |outcome: Result<(Entry, Option<Record>, Vec<Problem>)>| {
            let (entry, record, problems) = outcome?;
            tracing::debug!(path = %entry.display, problems = problems.len(), "processed");
            bar.advance(entry.size);
            sink.document(&entry.id(), record.as_ref(), &problems)
        },
    )?;
    bar.finish();
    tracing::info!(elapsed = ?started.elapsed(), "stage: documents processed");
    sink.finish()
}

/// The `max` keys of the highest counts (ties: the first in sorted order), whatever order they
/// come in; memory holds no more than `max` keys: a min-heap of the best kept so far.
struct MostFrequent {
    max: usize,
    best: BinaryHeap<Reverse<(usize, Reverse<String>)>>,
}

impl MostFrequent {
    fn new(max: usize) -> MostFrequent {
        MostFrequent {
            max,
            best: BinaryHeap::new(),
        }
    }

    fn push(&mut self, key: &str, count: usize) {
        self.best.push(Reverse((count, Reverse(key.to_owned()))));
        if self.best.len() > self.max {
            self.best.pop();
        }
    }

    fn keys(self) -> HashSet<String> {
        self.best
            .into_iter()
            .map(|Reverse((_, Reverse(key)))| key)
            .collect()
    }
}

/// Call `each` with every key of a sorted stream of (key, value) and the values given with it.
fn for_each_run(
    sorted: impl Iterator<Item = std::io::Result<(String, String)>>,
    mut each: impl FnMut(&str, &[String]),
) -> Result<()> {
    let mut key: Option<String> = None;
    let mut same: Vec<String> = Vec::new();
    for item in sorted {
        let (k, value) = item?;
        if key.as_deref() != Some(k.as_str()) {
            if let Some(key) = &key {
                each(key, &same);
            }
            key = Some(k);
            same.clear();
        }
        same.push(value);
    }
    if let Some(key) = &key {
        each(key, &same);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_frequent_keeps_the_highest_counts_first_keys_on_ties_in_any_order() {
        let counts = [
            ("menu", 9),
            ("b", 3),
            ("a", 3),
            ("c", 3),
            ("home", 7),
            ("z", 4),
        ];
        let mut orders = vec![counts.to_vec()];
        orders.push(counts.iter().rev().copied().collect());
        for order in orders {
            let mut best = MostFrequent::new(4);
            for (key, count) in order {
                best.push(key, count);
            }
            let kept: std::collections::BTreeSet<String> = best.keys().into_iter().collect();
            assert_eq!(kept, ["a", "home", "menu", "z"].map(String::from).into());
        }
        let mut all = MostFrequent::new(100);
        all.push("x", 3);
        assert_eq!(all.keys().len(), 1);
    }
}
