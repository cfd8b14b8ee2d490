//! `archivist init` and `archivist pin`: a `dataset.toml` made from a folder of texts, and its
//! pins kept up to date.
//!
//! [`survey`] runs every file of the raw folder through the pipeline (writing nothing): the
//! documents are pinned with their SHA-256 and their languages collected; files that are not
//! text documents (operating-system files, binary, empty, undecodable) go to the `exclude` list
//! with the reason. [`render`] writes the `dataset.toml` text, every field commented. [`pin`]
//! adds pins for new documents to an existing file and reports pins whose file changed or
//! vanished; it never changes a pin.

use crate::config::{self, Creator, Dataset, Exclude, toml_key, toml_string};
use crate::error::{Error, Result};
use crate::ingest::Limits;
use crate::pipeline::Pipeline;
use crate::problem::Problem;
use crate::validate::SchemaSet;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Names operating systems and desktops leave in folders; never documents.
pub const OS_FILES: [(&str, &str); 6] = [
    (".DS_Store", "macOS Finder metadata"),
    ("._*", "macOS resource fork"),
    ("Thumbs.db", "Windows thumbnail cache"),
    ("desktop.ini", "Windows folder settings"),
    (".directory", "KDE folder settings"),
    ("~$*", "Microsoft Office lock file"),
];

/// What the raw folder holds, as `init` sees it.
#[derive(Debug, Default)]
pub struct Survey {
    /// Documents by id: their SHA-256 and language (when detected).
    pub documents: BTreeMap<String, (String, Option<String>)>,
    /// Exclude patterns (relative to the config's folder) and why.
    pub excluded: Vec<(String, String)>,
    /// Problems that excluding does not solve (two files giving one id, ...), and warnings.
    pub problems: Vec<Problem>,
}

impl Survey {
    /// Languages found, most documents first (ties by code).
    pub fn languages(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (_, language) in self.documents.values() {
            if let Some(language) = language {
                *counts.entry(language.clone()).or_default() += 1;
            }
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts
    }
}

/// Look at every file below `raw_dir`; `base` is the folder `dataset.toml` goes in.
pub fn survey(raw_dir: &Path, base: &Path, limits: Limits) -> Result<Survey> {
    let mut survey = Survey::default();
    let prefix = config::relative_prefix(base, raw_dir);
    // Operating-system files are excluded by name wherever they are, found or not: they come
    // back whenever a folder is opened on a Mac or Windows.
    let os_patterns: Vec<String> = OS_FILES.iter().map(|(p, _)| (*p).to_owned()).collect();
    let os_files = Exclude::new(&os_patterns, base, raw_dir).map_err(Error::Usage)?;
    let mut found_os = std::collections::BTreeSet::new();
    find_os_files(raw_dir, "", &os_files, &mut found_os)?;
    for (pattern, why) in OS_FILES {
        if found_os.iter().any(|rel: &String| {
            Exclude::new(&[pattern.to_owned()], base, raw_dir)
                .map(|e| e.excludes(rel))
                .unwrap_or(false)
        }) {
            survey.excluded.push((pattern.to_owned(), why.to_owned()));
        }
    }
    let dataset = Dataset::unconfigured(raw_dir);
    let pipeline = Pipeline::new(raw_dir, &dataset, Path::new("dataset.toml"), limits)
        .excluding(&os_files)
        .unconfigured();
    let discovery = pipeline.discover()?;
    let raw_shown = raw_dir.display().to_string();
    for problem in discovery.problems {
        // A file refused by name or kind is excluded by its path; anything else is reported.
        let excludable = matches!(
            problem.code,
            "symlink"
                | "not-a-regular-file"
                | "too-large"
                | "file-name-unsafe"
                | "file-name-percent"
        );
        let rel = problem
            .path
            .strip_prefix(&raw_shown)
            .map(|r| r.trim_start_matches('/').to_owned());
        match (excludable, rel) {
            (true, Some(rel)) => survey.excluded.push((
                format!("{prefix}{}", globset::escape(&rel)),
                format!("{}: {}", problem.code, one_line(&problem.message)),
            )),
            _ => survey.problems.push(problem),
        }
    }
    for entry in discovery.entries.entries() {
        let entry = entry?;
        let outcome = pipeline.process(&entry)?;
        match outcome.processed {
            Some(processed) => {
                survey.documents.insert(
                    processed.record.id.clone(),
                    (
                        processed.raw.sha256.clone(),
                        processed.record.language.clone(),
                    ),
                );
            }
            None => {
                let reason = outcome
                    .problems
                    .iter()
                    .find(|p| p.is_error())
                    .map(|p| format!("{}: {}", p.code, one_line(&p.message)))
                    .unwrap_or_else(|| "not a valid document".into());
                survey
                    .excluded
                    .push((format!("{prefix}{}", globset::escape(&entry.rel)), reason));
            }
        }
    }
    Ok(survey)
}

fn find_os_files(
    dir: &Path,
    prefix: &str,
    os_files: &Exclude,
    found: &mut std::collections::BTreeSet<String>,
) -> Result<()> {
    for child in fs_err::read_dir(dir)? {
        let child = child?;
        let Some(name) = child.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let rel = format!("{prefix}{name}");
        if os_files.excludes(&rel) {
            found.insert(rel);
        } else if child.file_type()?.is_dir() {
            find_os_files(&child.path(), &format!("{rel}/"), os_files, found)?;
        }
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What only a person knows, and what `init` makes up.
#[derive(Debug, Clone)]
pub struct Answers {
    pub name: String,
    pub title: String,
    pub description: String,
    pub publisher: String,
    pub creators: Vec<Creator>,
    pub languages: Vec<String>,
    /// `raw = ...` in the file, when the raw folder is not `raw` beside it.
    pub raw: Option<String>,
    pub identifier: String,
    pub release_date: String,
}

/// A creator as given on the command line: `Name` or `Name <https://orcid.org/0000-...>`.
pub fn parse_creator(given: &str) -> std::result::Result<Creator, String> {
    let given = given.trim();
    let (name, orcid) = match given.split_once('<') {
        Some((name, rest)) => {
            let url = rest
                .strip_suffix('>')
                .ok_or_else(|| format!("`{given}`: the ORCID URL must end with `>`"))?
                .trim();
            let id = url
                .strip_prefix("https://orcid.org/")
                .or_else(|| url.strip_prefix("http://orcid.org/"))
                .or_else(|| url.strip_prefix("orcid.org/"))
                .unwrap_or(url);
            let ok = id.len() == 19
                && id.char_indices().all(|(i, c)| match i {
                    4 | 9 | 14 => c == '-',
                    18 => c.is_ascii_digit() || c == 'X',
                    _ => c.is_ascii_digit(),
                });
            if !ok {
                return Err(format!(
                    "`{given}`: `{url}` is not an ORCID iD (https://orcid.org/0000-0002-1825-0097)"
                ));
            }
            (name.trim(), Some(id.to_owned()))
        }
        None => (given, None),
    };
    if name.is_empty() {
        return Err(format!("`{given}`: no name"));
    }
    Ok(Creator {
        name: name.to_owned(),
        kind: "Personal".to_owned(),
        affiliation: None,
        orcid,
    })
}

/// The `dataset.toml` text: every field with a comment saying what it is.
pub fn render(answers: &Answers, survey: &Survey) -> String {
    let mut t = String::new();
    let mut line = |s: &str| {
        t.push_str(s);
        t.push('\n');
    };
    line("# The description of this dataset, written by `archivist init`; edit it freely.");
    line("# Every field is explained by `archivist help dataset` (man 5 archivist-dataset.toml).");
    line(
        "# Paths are relative to this file. `archivist check` checks it, `archivist release` cuts",
    );
    line("# a release, `archivist pin` pins documents added later.");
    line("");
    line("# Machine name: the release files are <name>-<version>.zip.");
    line(&format!("name = {}", toml_string(&answers.name)));
    line("# MAJOR.MINOR.PATCH: bump it, and release_date, for every release.");
    line("version = \"0.1.0\"");
    line("# The date of this release, YYYY-MM-DD; not in the future.");
    line(&format!(
        "release_date = {}",
        toml_string(&answers.release_date)
    ));
    line("# A URI naming the dataset across all its versions (made by init; a DOI once minted).");
    line(&format!(
        "identifier = {}",
        toml_string(&answers.identifier)
    ));
    line("# The dataset's title, and what it holds, where it comes from, what was done to it.");
    line(&format!("title = {}", toml_string(&answers.title)));
    line(&format!(
        "description = {}",
        toml_string(&answers.description)
    ));
    line("# Who publishes the dataset.");
    line(&format!("publisher = {}", toml_string(&answers.publisher)));
    let found: Vec<String> = survey
        .languages()
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    line(&format!(
        "# ISO 639-1 codes of the documents' languages (found by init: {}).",
        if found.is_empty() {
            "none".to_owned()
        } else {
            found.join(", ")
        }
    ));
    let languages: Vec<String> = answers.languages.iter().map(|l| toml_string(l)).collect();
    line(&format!("languages = [{}]", languages.join(", ")));
    line("# Subject keywords.");
    line("# keywords = [\"letters\", \"family history\"]");
    line("# The folder of raw documents, and the folder releases go to.");
    match &answers.raw {
        Some(raw) => line(&format!("raw = {}", toml_string(raw))),
        None => line("# raw = \"raw\""),
    }
    line("# out = \"release\"");
    line("# Files that are not documents: globs relative to this file; a pattern without `/`");
    line("# matches a name in any folder.");
    if survey.excluded.is_empty() {
        line("exclude = []");
    } else {
        line("exclude = [");
        for (pattern, why) in &survey.excluded {
            line(&format!("  {},  # {why}", toml_string(pattern)));
        }
        line("]");
    }
    line("");
    line("# Who made the dataset, one [[creators]] table each: name, kind (\"Personal\" or");
    line("# \"Organizational\"), and optionally affiliation and orcid (the 16 digits).");
    for creator in &answers.creators {
        line("[[creators]]");
        line(&format!("name = {}", toml_string(&creator.name)));
        line(&format!("kind = {}", toml_string(&creator.kind)));
        match &creator.orcid {
            Some(orcid) => line(&format!("orcid = {}", toml_string(orcid))),
            None => line("# orcid = \"0000-0002-1825-0097\""),
        }
        line("# affiliation = \"Example University\"");
        line("");
    }
    line("# What is known of the rights. \"Copyright Undetermined\" until someone knows better;");
    line("# never a licence nobody granted.");
    line("[rights]");
    line("statement = \"Copyright Undetermined\"");
    line("uri = \"http://rightsstatements.org/vocab/UND/1.0/\"");
    line("# note = \"The authors of the texts are not known.\"");
    line("");
    line("# Who deposits releases (archivist deposit): the user of each OCFL version.");
    line("# [agent]");
    line("# name = \"Jane Researcher\"");
    line("# address = \"mailto:jane@example.org\"");
    line("");
    line("# Pins: the SHA-256 of every raw document, so a file changed by accident is caught.");
    line("# Curated values (title, date, language, source_url, publisher) can go here too and");
    line("# override what the pipeline extracts.");
    for (id, (sha256, _)) in &survey.documents {
        line(&pin_block(id, sha256));
    }
    t
}

/// `[documents."id"]` with its `sha256`.
fn pin_block(id: &str, sha256: &str) -> String {
    format!("[documents.{}]\nsha256 = \"{sha256}\"\n", toml_key(id))
}

/// Write `text` to `path` atomically: a temporary file beside it, then renamed (refusing to
/// replace an existing file unless `replace`).
pub fn write_atomically(path: &Path, text: &str, replace: bool) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".dataset.toml.")
        .tempfile_in(dir)
        .map_err(|e| std::io::Error::new(e.kind(), format!("`{}`: {e}", dir.display())))?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    let persisted = if replace {
        temp.persist(path).map(|_| ())
    } else {
        temp.persist_noclobber(path).map(|_| ())
    };
    persisted.map_err(|e| {
        Error::Io(std::io::Error::new(
            e.error.kind(),
            format!("failed to write `{}`: {}", path.display(), e.error),
        ))
    })
}

/// What `pin` found.
#[derive(Debug, Default)]
pub struct PinReport {
    /// Documents pinned now: id and SHA-256.
    pub added: Vec<(String, String)>,
    /// Pins whose file changed: id, pinned and found SHA-256.
    pub changed: Vec<(String, String, String)>,
    /// Pins whose file is gone.
    pub vanished: Vec<String>,
    /// New files that are not valid documents (not pinned): their problems.
    pub refused: Vec<Problem>,
    /// Documents curated in `dataset.toml` without a pin: id and SHA-256 to add by hand.
    pub curated_unpinned: Vec<(String, String)>,
}

/// Pin the documents of `dataset` not pinned yet, appending to `config_path`; report changed and
/// vanished pins. Writes nothing when there is nothing to add.
pub fn pin(
    config_path: &Path,
    dataset: &Dataset,
    locations: &config::Locations,
    limits: Limits,
    date: &str,
) -> Result<PinReport> {
    let pipeline = Pipeline::new(&locations.raw_dir, dataset, config_path, limits)
        .excluding(&locations.exclude);
    let discovery = pipeline.discover()?;
    let mut report = PinReport::default();
    let mut seen = std::collections::BTreeSet::new();
    for entry in discovery.entries.entries() {
        let entry = entry?;
        let id = entry.id();
        seen.insert(id.clone());
        let pinned = dataset.documents.get(&id);
        match pinned.and_then(|d| d.sha256.as_deref()) {
            Some(pin) => {
                let raw = match crate::ingest::read(&entry, &limits)? {
                    Ok(raw) => raw,
                    Err(problem) => {
                        report.refused.push(problem);
                        continue;
                    }
                };
                if raw.sha256 != pin {
                    report.changed.push((id, pin.to_owned(), raw.sha256));
                }
            }
            None => {
                let outcome = pipeline.process(&entry)?;
                match outcome.processed {
                    Some(p) if pinned.is_some() => {
                        report.curated_unpinned.push((id, p.raw.sha256));
                    }
                    Some(p) => report.added.push((id, p.raw.sha256)),
                    None => report
                        .refused
                        .extend(outcome.problems.into_iter().filter(|p| p.is_error())),
                }
            }
        }
    }
    report.vanished = dataset
        .documents
        .iter()
        .filter(|(id, d)| d.sha256.is_some() && !seen.contains(*id))
        .map(|(id, _)| id.clone())
        .collect();
    if !report.added.is_empty() {
        let mut text = fs_err::read_to_string(config_path)?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("\n# Pinned by `archivist pin` on {date}.\n"));
        for (id, sha256) in &report.added {
            text.push_str(&pin_block(id, sha256));
        }
        // The file must still be valid: checked before it is written.
        Dataset::parse(&text, config_path, &SchemaSet::new())?;
        write_atomically(config_path, &text, true)?;
    }
    Ok(report)
}

/// The file `init` writes into `dir`.
pub fn config_path(dir: &Path) -> PathBuf {
    dir.join("dataset.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creator_is_a_name_or_a_name_and_an_orcid_url() {
        let plain = parse_creator("Jane Researcher").unwrap();
        assert_eq!(
            (plain.name.as_str(), plain.orcid),
            ("Jane Researcher", None)
        );
        let with =
            parse_creator("Jane Researcher <https://orcid.org/0000-0002-1825-0097>").unwrap();
        assert_eq!(with.name, "Jane Researcher");
        assert_eq!(with.orcid.as_deref(), Some("0000-0002-1825-0097"));
        assert!(parse_creator("Jane <https://example.org/jane>").is_err());
        assert!(parse_creator("Jane <https://orcid.org/0000-0002-1825-0097").is_err());
        assert!(parse_creator(" <https://orcid.org/0000-0002-1825-0097>").is_err());
    }
}
