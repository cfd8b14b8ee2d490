//! Stage 7, package: the release. The pipeline's documents become a BagIt 1.0 bag inside a
//! deterministic zip, with a `sha256sum` sidecar.
//!
//! Each document is processed and written into a temporary zip in the output folder as it goes
//! (memory holds one document). If any document is invalid the temporary file is removed and
//! nothing else is written. Otherwise the zip is synced and published under its final name with
//! a hard link (which never replaces an existing file), then the sidecar likewise: a crash at any
//! moment leaves either nothing or complete files under final names. A release whose zip exists
//! already is a no-op when identical and refused when different: releases are immutable.

pub mod bagit;
pub mod croissant;
pub mod describe;
pub mod landing;
pub mod rocrate;
pub(crate) mod spill;

use crate::config::Dataset;
use crate::digest::hex;
use crate::error::{Error, Result};
use crate::ingest::Entry;
use crate::ingest::Limits;
use crate::pipeline::Pipeline;
use crate::problem::{self, Problem, Tally};
use crate::record::Record;
use crate::validate::RECORD_SCHEMA;
use crate::zip::write::{EntryMaker, Made, PreparedEntry, Zipper};
use bagit::{BagFile, BagInfo};
use sha2::{Digest, Sha256};
use spill::{PayloadSpill, RecordSpill};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What `release` needs, resolved before it starts.
pub struct ReleaseSettings {
    pub raw_dir: PathBuf,
    pub config_path: PathBuf,
    pub out_dir: PathBuf,
    pub limits: Limits,
    /// Show a progress bar (stderr is a terminal and not quiet).
    pub progress: bool,
    /// The release this one follows.
    pub previous: Previous,
    /// Files below the raw folder that are not documents (`exclude` in `dataset.toml`).
    pub exclude: crate::config::Exclude,
    /// Do everything but write: the zip is built in a temporary folder and thrown away.
    pub dry_run: bool,
}

/// Which release a new one follows: its changes are listed in `data/CHANGES.md`, DataCite names
/// it, and the version bump is checked against them.
#[derive(Clone, Debug, Default)]
pub enum Previous {
    /// The highest earlier version of the dataset in the output folder, if there is one.
    #[default]
    Latest,
    /// This release zip (or bag folder).
    Path(PathBuf),
    /// None: a first release.
    None,
}

/// The release a new one follows, verified and read, and what the new one says of it.
pub struct Predecessor {
    pub release: crate::diff::Release,
    /// Its file name (`<name>-<version>.zip`).
    pub file_name: String,
    pub version: String,
    /// The archive's SHA-256.
    pub sha256: String,
}

/// How a release ended.
#[derive(Debug)]
pub enum ReleaseOutcome {
    /// A new release was written.
    Created(Summary),
    /// The same release exists already, byte for byte: nothing was written.
    Unchanged(Summary),
    /// Documents are invalid: nothing was written. Every error, and the first warnings of each
    /// kind.
    Invalid(Tally),
    /// `--dry-run`: the release was built and checked, and nothing written. `changes` is what
    /// its `CHANGES.md` would say (when it follows a release); `exists` whether a release of
    /// this name is in the output folder already, and if so whether it is identical.
    DryRun {
        summary: Summary,
        changes: Option<String>,
        exists: Option<bool>,
    },
}

#[derive(Debug)]
pub struct Summary {
    pub zip: PathBuf,
    pub sidecar: PathBuf,
    pub sha256: String,
    pub documents: usize,
    /// Bytes of raw documents read.
    pub raw_bytes: u64,
    pub zip_bytes: u64,
    pub elapsed: Duration,
    /// Warnings met on the way (unpinned documents, heuristics): the first of each kind, and
    /// how many more of each kind there were.
    pub warnings: Vec<Problem>,
    pub more_warnings: Vec<(&'static str, usize)>,
}

/// Paths of a release in the output folder.
pub fn release_paths(out_dir: &Path, dataset: &Dataset) -> (PathBuf, PathBuf) {
    let zip = out_dir.join(format!("{}.zip", dataset.release_name()));
    let sidecar = out_dir.join(format!("{}.zip.sha256", dataset.release_name()));
    (zip, sidecar)
}

/// Cut the release of `dataset` described by `settings`.
pub fn release(settings: &ReleaseSettings, dataset: &Dataset) -> Result<ReleaseOutcome> {
    let started = Instant::now();
    let config_error = |message: String| Error::Config {
        path: settings.config_path.clone(),
        message,
    };
    let date = crate::metadata::parse_iso_date(&dataset.release_date).ok_or_else(|| {
        Error::Usage(format!(
            "release_date `{}` is not a date",
            dataset.release_date
        ))
    })?;
    if dataset.identifier.is_none() {
        return Err(config_error(format!(
            "`identifier` is missing: a release names the dataset it is a version of, from the \
             first release on (deposits use it as the object id)\n  = example:  identifier = \
             \"urn:uuid:{}\" (a new one, made for you)",
            uuid::Uuid::new_v4()
        )));
    }
    let today = jiff::Zoned::now().date();
    if date > today {
        return Err(config_error(format!(
            "`release_date`: {} is in the future (today is {today})\n  = expected: the date of \
             this release, today or earlier\n  = example:  release_date = \"{today}\"",
            dataset.release_date
        )));
    }
    let pipeline = Pipeline::new(
        &settings.raw_dir,
        dataset,
        &settings.config_path,
        settings.limits,
    )
    .excluding(&settings.exclude);
    let predecessor = find_predecessor(settings, dataset)?;
    if let Some(previous) = &predecessor {
        check_date_follows(previous, dataset)?;
    }
    let discovery = pipeline.discover()?;
    tracing::info!(
        documents = discovery.entries.len(),
        elapsed = ?started.elapsed(),
        "stage: discover"
    );
    let mut problems = Tally::default();
    problems.extend(discovery.problems);
    if discovery.entries.is_empty() {
        problems.extend([Problem::error(
            settings.raw_dir.display().to_string(),
            "empty-corpus",
            "no documents: a release needs at least one (excluded and hidden files do not count)",
        )]);
    }
    if problems.has_errors() {
        return Ok(ReleaseOutcome::Invalid(problems));
    }

    // A dry run builds the zip in a temporary folder that is removed at the end.
    let scratch = if settings.dry_run {
        Some(tempfile::tempdir()?)
    } else {
        None
    };
    let work_dir = match &scratch {
        Some(dir) => dir.path().to_path_buf(),
        None => {
            fs_err::create_dir_all(&settings.out_dir)?;
            settings.out_dir.clone()
        }
    };
    let (final_zip, final_sidecar) = release_paths(&settings.out_dir, dataset);
    let temp = TempFile::new(&work_dir, &format!("{}.zip", dataset.release_name()))?;
    let top = dataset.release_name();
    let mut zip = Zipper::new(BufWriter::new(temp.create()?), &top, date, &work_dir)?;

    let progress = Progress::new(settings.progress, discovery.entries.bytes());
    // Per document: its record and card row, and its two payload files' sizes and digests, go
    // to spills (temporary files) read back at the end; memory keeps only totals.
    let mut payload = PayloadSpill::new(&work_dir);
    let mut records = RecordSpill::new(&work_dir);
    let mut languages: std::collections::BTreeMap<String, usize> = Default::default();
    let mut collection = describe::Collection::default();
    let mut raw_bytes = 0u64;
    // Documents are processed and compressed in parallel and appended in their sorted order
    // (crate::flow): the archive is the same at every thread count, and appending (writing the
    // entries, hashing the zip, spilling the records) runs on whichever core is free.
    let maker = zip.maker();
    let made = Made::new(MADE_BUDGET);
    let failed = AtomicBool::new(false);
    let append = |packed: Result<Packed>| -> Result<()> {
        let packed = packed?;
        progress.advance(packed.size);
        problems.extend(packed.problems);
        if let (Some(record), Some((raw, raw_file, text, text_file))) =
            (packed.record, packed.entries)
        {
            if problems.has_errors() {
                return Ok(()); // keep checking the rest, to report every problem; write no more
            }
            raw_bytes += raw_file.bytes;
            zip.add_prepared(raw)?;
            zip.add_prepared(text)?;
            payload.push_document(&raw_file, &text_file)?;
            collection.add(&record);
            *languages
                .entry(record.language.clone().unwrap_or_else(|| "und".into()))
                .or_default() += 1;
            let line = serde_json::to_string(&record).expect("records serialize");
            records.push(&record.id, &line, &describe::card_row(&record))?;
        }
        Ok(())
    };
    crate::flow::ordered(
        discovery.entries.entries(),
        |entry| entry.as_ref().map_or(0, |e| e.size) + PER_DOCUMENT_BYTES,
        IN_FLIGHT_BYTES,
        |entry| pack(&pipeline, (&maker, &made), &entry?, &failed),
        append,
    )?;
    progress.finish();
    tracing::info!(elapsed = ?started.elapsed(), "stage: documents processed and packed");
    if problems.has_errors() {
        return Ok(ReleaseOutcome::Invalid(problems));
    }
    drop(discovery.entries);
    problems.extend(language_problems(
        &settings.config_path,
        &dataset.languages,
        &languages,
    ));

    // The dataset's own files, then the tag files: made one after the other, each deflated on
    // a second core while the next is made, when there is one.
    if rayon::current_num_threads() > 1 {
        zip.compress_behind()?;
    }
    payload.finish_documents()?;
    let records = records.finish()?;
    payload.push(zip.add_streamed("data/records.jsonl", |w| {
        records.for_each(|line, _| {
            w.write_all(line)?;
            w.write_all(b"\n")?;
            Ok(())
        })
    })?);
    payload.push(zip.add(
        "data/schema/record.schema.json",
        RECORD_SCHEMA.as_bytes(),
        None,
    )?);
    let datacite = describe::datacite(dataset, &collection, predecessor.as_ref());
    let mut changes_text = None;
    if let Some(previous) = &predecessor {
        // The change from the previous release decides whether this version may follow it.
        // (Comparing holds both releases' records in memory.)
        let mut jsonl = Vec::new();
        records.for_each(|line, _| {
            jsonl.extend_from_slice(line);
            jsonl.push(b'\n');
            Ok(())
        })?;
        let jsonl = String::from_utf8(jsonl)
            .map_err(|_| Error::Io(std::io::Error::other("records are not UTF-8")))?;
        let schema_digest = hex(&Sha256::digest(RECORD_SCHEMA.as_bytes()));
        let new = crate::diff::Release::in_memory(
            top.clone(),
            dataset.version.clone(),
            &jsonl,
            datacite.clone(),
            // This release holds every description (their digests are not compared).
            [(crate::verify::content::SCHEMA.to_owned(), schema_digest)]
                .into_iter()
                .chain(crate::diff::DESCRIPTIONS.map(|p| (p.to_owned(), String::new())))
                .collect(),
        )?;
        let diff = crate::diff::diff(&previous.release, &new);
        if let Err(message) = crate::diff::check_bump(&diff, &previous.version, &dataset.version) {
            return Err(Error::Refused {
                message: format!("{top}: {message}"),
                hint: Some(format!(
                    "`archivist diff {} <new release>` shows the change; set `version` in \
                     dataset.toml (or pass --version) accordingly",
                    previous.release.path
                )),
            });
        }
        let mut changes = crate::diff::changes_markdown(&diff, &previous.file_name);
        if let Some(note) = dataset.release_notes.get(&dataset.version) {
            // Why this version, as its makers say, below the heading.
            let at = changes.find("\n\n").map_or(changes.len(), |i| i + 2);
            changes.insert_str(at, &format!("{}\n\n", note.trim()));
        }
        payload.push(zip.add(crate::diff::CHANGES, changes.as_bytes(), None)?);
        changes_text = Some(changes);
    }
    payload.push(zip.add("data/datacite.json", &pretty(&datacite), None)?);
    let card = describe::readme_head(dataset, &collection, predecessor.as_ref());
    payload.push(zip.add_streamed("data/README.md", |w| {
        w.write_all(card.as_bytes())?;
        records.for_each(|_, row| {
            w.write_all(row)?;
            w.write_all(b"\n")?;
            Ok(())
        })
    })?);
    payload.push(zip.add_streamed("data/index.html", |w| {
        landing::write(w, dataset, &collection, predecessor.as_ref(), &records)
    })?);
    let records_file = payload
        .extras()
        .iter()
        .find(|f| f.path == "data/records.jsonl")
        .cloned()
        .expect("records.jsonl was written");
    let croissant = croissant::croissant(dataset, &records_file);
    payload.push(zip.add("data/croissant.json", &pretty(&croissant), None)?);
    // The data package lists every payload file written before it; the RO-Crate, last, lists
    // every other payload file, the data package among them (see docs/design.md).
    let datapackage = zip.add_streamed("data/datapackage.json", |w| {
        describe::write_datapackage(w, dataset, &payload)
    })?;
    payload.push(datapackage);
    let crate_file = zip.add_streamed("data/ro-crate-metadata.json", |w| {
        rocrate::write(w, dataset, &payload, &records)
    })?;
    payload.push(crate_file);
    drop(records);

    let mut tags = vec![zip.add("bagit.txt", bagit::bagit_txt().as_bytes(), None)?];
    let (payload_files, payload_bytes) = payload.totals();
    let info = BagInfo {
        source_organization: &dataset.publisher,
        bagging_date: &dataset.release_date,
        external_identifier: &top,
        external_description: &dataset.title,
        version: &dataset.version,
        payload_bytes,
        payload_files,
    };
    tags.push(zip.add("bag-info.txt", info.render().as_bytes(), None)?);
    for algorithm in bagit::ALGORITHMS {
        tags.push(zip.add_streamed(&format!("manifest-{algorithm}.txt"), |w| {
            let mut w = std::io::BufWriter::with_capacity(256 * 1024, w);
            payload.for_each_sorted(|file| {
                bagit::write_manifest_line(&mut w, file, algorithm)?;
                Ok(())
            })?;
            w.flush()?;
            Ok(())
        })?);
    }
    for algorithm in bagit::ALGORITHMS {
        let manifest = bagit::manifest(&tags, algorithm);
        zip.add(
            &format!("tagmanifest-{algorithm}.txt"),
            manifest.as_bytes(),
            None,
        )?;
    }

    let finished = zip.finish()?;
    let file = finished
        .writer
        .into_inner()
        .map_err(|e| Error::Io(e.into_error()))?;
    file.sync_all()?;
    drop(file);
    let (sha256, zip_bytes) = (finished.sha256, finished.bytes);
    let sidecar_text = format!("{sha256}  {}.zip\n", dataset.release_name());

    let mut summary = Summary {
        zip: final_zip.clone(),
        sidecar: final_sidecar.clone(),
        sha256: sha256.clone(),
        documents: collection.documents,
        raw_bytes,
        zip_bytes,
        elapsed: Duration::ZERO,
        more_warnings: problems.unkept().collect(),
        warnings: problems.into_kept(),
    };
    tracing::info!(elapsed = ?started.elapsed(), "stage: metadata and tag files written");
    if settings.dry_run {
        let exists = match fs_err::read_to_string(&final_sidecar) {
            Ok(text) => Some(text.split_whitespace().next() == Some(sha256.as_str())),
            Err(_) if final_zip.exists() => Some(false),
            Err(_) => None,
        };
        summary.elapsed = started.elapsed();
        return Ok(ReleaseOutcome::DryRun {
            summary,
            changes: changes_text,
            exists,
        });
    }
    let created = publish(&temp, &final_zip, &sha256, &top)?;
    publish_sidecar(&final_sidecar, &sidecar_text)?;
    summary.elapsed = started.elapsed();
    Ok(if created {
        ReleaseOutcome::Created(summary)
    } else {
        ReleaseOutcome::Unchanged(summary)
    })
}

/// The release this one follows, verified; `None` for a first release.
fn find_predecessor(settings: &ReleaseSettings, dataset: &Dataset) -> Result<Option<Predecessor>> {
    use crate::diff::Version;
    let current = Version::parse(&dataset.version).ok_or_else(|| {
        Error::Usage(format!(
            "version `{}` is not MAJOR.MINOR.PATCH",
            dataset.version
        ))
    })?;
    let path = match &settings.previous {
        Previous::None => return Ok(None),
        Previous::Path(path) => path.clone(),
        Previous::Latest => {
            let prefix = format!("{}-", dataset.name);
            let mut best: Option<(Version, PathBuf)> = None;
            if let Ok(entries) = std::fs::read_dir(&settings.out_dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let version = name
                        .strip_prefix(&prefix)
                        .and_then(|r| r.strip_suffix(".zip"))
                        .and_then(Version::parse);
                    if let Some(version) = version
                        && version < current
                        && best.as_ref().is_none_or(|(b, _)| version > *b)
                    {
                        best = Some((version, entry.path()));
                    }
                }
            }
            match best {
                Some((_, path)) => path,
                None => return Ok(None),
            }
        }
    };
    let release = crate::diff::Release::load(&path, &crate::verify::VerifySettings::default())
        .map_err(|e| match e {
            Error::Refused { message, hint } => Error::Refused {
                message: format!("the previous release cannot be used: {message}"),
                hint: hint.or(Some(
                    "pass --previous with the release this one follows, or --first".into(),
                )),
            },
            other => other,
        })?;
    let Some(sha256) = release.sha256.clone() else {
        return Err(Error::Usage(format!(
            "--previous `{}`: give the previous release's zip (its SHA-256 names it)",
            path.display()
        )));
    };
    let version = release.version.clone().unwrap_or_default();
    let expected_name = release
        .name
        .as_deref()
        .and_then(|n| n.strip_suffix(&format!("-{version}")));
    if expected_name != Some(dataset.name.as_str()) {
        return Err(Error::Refused {
            message: format!(
                "`{}` is a release of `{}`, not of dataset `{}`",
                path.display(),
                release.name.as_deref().unwrap_or("?"),
                dataset.name
            ),
            hint: Some("pass --previous with an earlier release of this dataset".into()),
        });
    }
    match Version::parse(&version) {
        Some(v) if v < current => {}
        _ => {
            return Err(Error::Refused {
                message: format!(
                    "the previous release `{}` has version {version}, which does not come \
                     before {}",
                    path.display(),
                    dataset.version
                ),
                hint: None,
            });
        }
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tracing::info!(previous = %path.display(), "this release follows {file_name}");
    Ok(Some(Predecessor {
        sha256,
        release,
        file_name,
        version,
    }))
}

/// Compressed bytes of entries kept to share with documents of the same content.
const MADE_BUDGET: usize = 32 << 20;

/// A release may not be dated before the release it follows.
fn check_date_follows(previous: &Predecessor, dataset: &Dataset) -> Result<()> {
    let issued = previous.release.datacite["dates"]
        .as_array()
        .and_then(|dates| {
            dates
                .iter()
                .find(|d| d["dateType"] == "Issued")
                .and_then(|d| d["date"].as_str())
        })
        .map(str::to_owned);
    match issued {
        Some(before) if dataset.release_date.as_str() < before.as_str() => Err(Error::Refused {
            message: format!(
                "`release_date` {} is before {before}, the date of the release it follows ({})",
                dataset.release_date, previous.file_name
            ),
            hint: Some(format!(
                "set `release_date` in dataset.toml to {before} or later (today, usually)"
            )),
        }),
        _ => Ok(()),
    }
}

/// The languages found compared with those `dataset.toml` declares: warnings both ways.
pub fn language_problems(
    config: &Path,
    declared: &[String],
    found: &std::collections::BTreeMap<String, usize>,
) -> Vec<Problem> {
    let shown = config.display().to_string();
    let mut problems = Vec::new();
    for (language, count) in found {
        if language != "und" && !declared.contains(language) {
            problems.push(Problem::warning(
                &shown,
                "language-undeclared",
                format!(
                    "{count} document(s) in `{language}`, which `languages` does not list; add it, \
                     or curate the documents' `language`"
                ),
            ));
        }
    }
    for language in declared {
        if !found.contains_key(language) {
            problems.push(Problem::warning(
                &shown,
                "language-not-found",
                format!("`languages` lists `{language}`, but no document is in it"),
            ));
        }
    }
    problems
}

/// Bytes of documents in flight (taken, not yet appended) at most: enough to keep every core
/// busy while a large document is worked on, little enough to bound memory. A document counts
/// its raw size plus [`PER_DOCUMENT_BYTES`] (its record and entries), so a corpus of tiny files
/// is bounded too.
const IN_FLIGHT_BYTES: u64 = 32 << 20;
const PER_DOCUMENT_BYTES: u64 = 8 << 10;

/// One document, processed and (while the release is still valid) compressed.
struct Packed {
    size: u64,
    problems: Vec<Problem>,
    record: Option<Record>,
    entries: Option<(PreparedEntry, BagFile, PreparedEntry, BagFile)>,
}

fn pack(
    pipeline: &Pipeline,
    (maker, made): (&EntryMaker, &Made),
    entry: &Entry,
    failed: &AtomicBool,
) -> Result<Packed> {
    let outcome = pipeline.process(entry)?;
    if problem::any_error(&outcome.problems) {
        failed.store(true, Ordering::Relaxed);
    }
    let mut packed = Packed {
        size: entry.size,
        problems: outcome.problems,
        record: None,
        entries: None,
    };
    let Some(doc) = outcome.processed else {
        return Ok(packed);
    };
    if !failed.load(Ordering::Relaxed) {
        let raw_path = format!("data/{}", doc.record.source.path);
        let (raw, raw_file) = made.prepare(maker, &raw_path, &doc.raw.bytes, &doc.raw.sha256)?;
        let text_path = format!("data/{}", doc.record.text.path);
        // A text identical to its raw file (most clean UTF-8 documents) is deflated and hashed
        // once: the same deflater on the same bytes gives the same entry data.
        let (text, text_file) = if doc.text.as_bytes() == doc.raw.bytes.as_slice() {
            raw.same_content(maker, &text_path, &raw_file)
        } else {
            made.prepare(
                maker,
                &text_path,
                doc.text.as_bytes(),
                &doc.record.text.sha256,
            )?
        };
        packed.entries = Some((raw, raw_file, text, text_file));
    }
    packed.record = Some(doc.record);
    Ok(packed)
}

/// Pretty JSON with a final newline, as every JSON file archivist writes.
pub(crate) fn pretty(value: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("JSON serializes");
    bytes.push(b'\n');
    bytes
}

/// SHA-256 and size of a file, streamed.
pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut file = fs_err::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex(&hasher.finalize()), total))
}

/// Put the finished temporary zip under its final name, unless a release of that name exists:
/// identical (same SHA-256) is fine (returns false), different is refused.
fn publish(temp: &TempFile, final_zip: &Path, sha256: &str, name: &str) -> Result<bool> {
    match std::fs::hard_link(temp.path(), final_zip) {
        Ok(()) => {
            sync_dir(final_zip)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let (existing, _) = hash_file(final_zip)?;
            if existing == sha256 {
                Ok(false)
            } else {
                Err(Error::Refused {
                    message: format!(
                        "`{}` exists already with other content (sha256 {existing}); \
                         release {name} was cut before from different inputs",
                        final_zip.display()
                    ),
                    hint: Some(
                        "releases are immutable: bump `version` (and `release_date`) in \
                         dataset.toml, or pass --version"
                            .to_owned(),
                    ),
                })
            }
        }
        Err(e) => Err(Error::Io(std::io::Error::new(
            e.kind(),
            format!("failed to publish `{}`: {e}", final_zip.display()),
        ))),
    }
}

/// Write the sidecar through a temporary file and a link, as for the zip. An existing sidecar
/// must say the same.
fn publish_sidecar(sidecar: &Path, text: &str) -> Result<()> {
    match publish_new(sidecar, text.as_bytes())? {
        Some(existing) if existing != text.as_bytes() => Err(Error::Refused {
            message: format!(
                "`{}` does not match its release: it says `{}`, the zip's digest line is `{}`",
                sidecar.display(),
                String::from_utf8_lossy(&existing).trim_end(),
                text.trim_end()
            ),
            hint: Some(
                "the sidecar was edited or damaged; remove it and run release again to rewrite it"
                    .to_owned(),
            ),
        }),
        _ => Ok(()),
    }
}

/// Write a small file at `path` through a temporary file beside it and a hard link: it appears
/// whole or not at all, and an existing file is never replaced. Returns `None` when written, or
/// the content of the file that was there already.
pub(crate) fn publish_new(path: &Path, bytes: &[u8]) -> Result<Option<Vec<u8>>> {
    if path.exists() {
        return Ok(Some(fs_err::read(path)?));
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = TempFile::new(dir, name)?;
    {
        let mut file = temp.create()?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    match std::fs::hard_link(temp.path(), path) {
        Ok(()) => sync_dir(path).map(|()| None),
        // Another process published it meanwhile.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Some(fs_err::read(path)?)),
        Err(e) => Err(Error::Io(std::io::Error::new(
            e.kind(),
            format!("failed to publish `{}`: {e}", path.display()),
        ))),
    }
}

/// Make a new directory entry durable.
fn sync_dir(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        fs_err::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// A hidden temporary file beside the final one, removed when dropped.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// A temporary name for `final_name` in `dir`. Temporary files that processes killed
    /// before they could clean up left for the same final name are removed (their process is
    /// gone: no live process owns them).
    fn new(dir: &Path, final_name: &str) -> Result<TempFile> {
        let prefix = format!(".{final_name}.");
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let pid = name
                    .strip_prefix(&prefix)
                    .and_then(|r| r.strip_suffix(".tmp"));
                if let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok())
                    && pid != std::process::id()
                    && !Path::new(&format!("/proc/{pid}")).exists()
                {
                    tracing::info!(path = %entry.path().display(), "removing what an interrupted release left");
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let path = dir.join(format!("{prefix}{}.tmp", std::process::id()));
        Ok(TempFile { path })
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn create(&self) -> Result<fs_err::File> {
        Ok(fs_err::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.path)?)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A progress bar on stderr, only when asked for (a terminal, not quiet).
pub(crate) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(crate) fn new(show: bool, total_bytes: u64) -> Progress {
        Progress(show.then(|| {
            let bar = indicatif::ProgressBar::new(total_bytes);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {wide_bar} {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        }))
    }

    pub(crate) fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
