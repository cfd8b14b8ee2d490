//! `archivist init` and `archivist pin`: start a dataset from a folder of texts; pin documents
//! added later.

use super::{InitArgs, PinArgs};
use crate::config::Dataset;
use crate::error::{Error, ExitStatus, Result};
use crate::init::{self, Answers};
use crate::validate::SchemaSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub fn run(args: &InitArgs, quiet: bool) -> Result<ExitStatus> {
    let dir = args.dir.clone().unwrap_or_default();
    let config = init::config_path(&dir);
    if args.update {
        return pin_file(&config, None, args.max_document_bytes, quiet);
    }
    if config.exists() && !args.force {
        return Err(Error::Refused {
            message: format!("`{}` exists already; nothing was written", config.display()),
            hint: Some(
                "`archivist pin` pins documents added since; `--force` starts the file over".into(),
            ),
        });
    }
    let raw_dir = args.raw.clone().unwrap_or_else(|| dir.join("raw"));
    if !raw_dir.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is not a folder: put the texts in `raw/` there, or pass --raw DIR",
            raw_dir.display()
        )));
    }
    if let Some(name) = &args.name
        && (crate::config::machine_name(name) != *name)
    {
        return Err(Error::Usage(format!(
            "--name `{name}`: a machine name is lowercase letters, digits, `.`, `_` and `-` \
             (e.g. `{}`)",
            crate::config::machine_name(name)
        )));
    }
    for language in &args.language {
        if language.len() != 2 || !language.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(Error::Usage(format!(
                "--language `{language}`: not an ISO 639-1 code (two lowercase letters, e.g. `en`)"
            )));
        }
    }
    let creators = args
        .creator
        .iter()
        .map(|c| init::parse_creator(c).map_err(|e| Error::Usage(format!("--creator {e}"))))
        .collect::<Result<Vec<_>>>()?;
    let limits = crate::ingest::Limits {
        max_document_bytes: args.max_document_bytes,
    };
    let survey = init::survey(&raw_dir, &dir, limits)?;

    // What only a person knows: from the flags, or asked on a terminal.
    let interactive = std::io::stdin().is_terminal();
    let folder_name = std::path::absolute(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &dir
    })
    .ok()
    .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
    .unwrap_or_else(|| "dataset".into());
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| crate::config::machine_name(&folder_name));
    let mut ask = Asker {
        interactive,
        missing: Vec::new(),
    };
    let title = ask.value("--title", "Title of the dataset", args.title.clone(), None)?;
    let creators = if creators.is_empty() {
        ask.value(
            "--creator",
            "Creator (Name, or Name <ORCID URL>)",
            None,
            None,
        )?
        .map(|c| init::parse_creator(&c).map_err(Error::Usage))
        .transpose()?
        .into_iter()
        .collect()
    } else {
        creators
    };
    let publisher = ask.value("--publisher", "Publisher", args.publisher.clone(), None)?;
    let mut found: Vec<String> = survey.languages().into_iter().map(|(l, _)| l).collect();
    found.sort();
    let languages = if args.language.is_empty() {
        found.clone()
    } else {
        args.language.clone()
    };
    let default_description = format!(
        "{} text documents{}.",
        survey.documents.len(),
        if languages.is_empty() {
            String::new()
        } else {
            format!(" in {}", languages.join(", "))
        }
    );
    let description = ask
        .value(
            "--description",
            "Description",
            args.description.clone(),
            Some(default_description),
        )?
        .unwrap_or_default();
    if languages.is_empty() {
        ask.missing.push("--language");
    }
    if !ask.missing.is_empty() {
        return Err(Error::Usage(format!(
            "{} needed: init writes nothing it would have to make up (on a terminal it asks)",
            ask.missing.join(", ")
        )));
    }
    let raw = relative_raw(&dir, &raw_dir);
    let answers = Answers {
        name,
        title: title.unwrap_or_default(),
        description,
        publisher: publisher.unwrap_or_default(),
        creators,
        languages,
        raw,
        identifier: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        release_date: jiff::Zoned::now().date().to_string(),
    };
    let text = init::render(&answers, &survey);
    // What init writes must be valid: checked before it is written.
    Dataset::parse(&text, &config, &SchemaSet::new())?;

    for problem in &survey.problems {
        if !quiet || problem.is_error() {
            eprintln!("{problem}");
        }
    }
    // What excluding cannot solve (two files giving one id, names that collide) a person has
    // to: nothing is written until then.
    let errors = survey.problems.iter().filter(|p| p.is_error()).count();
    if errors > 0 {
        eprintln!(
            "error: {errors} problem(s) in `{}` to solve first; nothing was written",
            raw_dir.display()
        );
        return Ok(ExitStatus::Invalid);
    }
    for (pattern, why) in &survey.excluded {
        if !quiet {
            eprintln!("warning[excluded]: `{pattern}`: {why}");
        }
    }
    init::write_atomically(&config, &text, args.force)?;
    let mut out = std::io::stdout().lock();
    let languages: Vec<String> = survey
        .languages()
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    writeln!(
        out,
        "wrote {}: {} documents pinned ({}), {} excluded",
        config.display(),
        survey.documents.len(),
        if languages.is_empty() {
            "no language detected".to_owned()
        } else {
            languages.join(", ")
        },
        survey.excluded.len()
    )?;
    writeln!(
        out,
        "next: `archivist check` to review the documents, `archivist release` to cut {}-0.1.0",
        answers.name
    )?;
    Ok(ExitStatus::Success)
}

/// Flags that were not given: asked for on a terminal, collected otherwise.
struct Asker {
    interactive: bool,
    missing: Vec<&'static str>,
}

impl Asker {
    fn value(
        &mut self,
        flag: &'static str,
        prompt: &str,
        given: Option<String>,
        default: Option<String>,
    ) -> Result<Option<String>> {
        if let Some(given) = given.filter(|g| !g.trim().is_empty()) {
            return Ok(Some(given));
        }
        if !self.interactive {
            if default.is_none() {
                self.missing.push(flag);
            }
            return Ok(default);
        }
        let mut err = std::io::stderr().lock();
        match &default {
            Some(d) => write!(err, "{prompt} [{d}]: ")?,
            None => write!(err, "{prompt}: ")?,
        }
        err.flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let line = line.trim();
        if line.is_empty() {
            if default.is_none() {
                self.missing.push(flag);
            }
            Ok(default)
        } else {
            Ok(Some(line.to_owned()))
        }
    }
}

/// `raw = "..."` for the file when the raw folder is not `raw` beside it.
fn relative_raw(dir: &Path, raw_dir: &Path) -> Option<String> {
    let prefix = crate::config::relative_prefix(dir, raw_dir);
    let rel = prefix.trim_end_matches('/');
    (rel != "raw").then(|| rel.to_owned())
}

pub fn pin(args: &PinArgs, quiet: bool) -> Result<ExitStatus> {
    pin_file(
        &args.input.config_path(),
        args.input.raw.as_deref(),
        args.input.max_document_bytes,
        quiet,
    )
}

fn pin_file(
    config: &Path,
    raw: Option<&Path>,
    max_document_bytes: u64,
    quiet: bool,
) -> Result<ExitStatus> {
    let dataset = Dataset::load(config, &SchemaSet::new())?;
    let locations = dataset.locate(config, raw, None)?;
    let limits = crate::ingest::Limits { max_document_bytes };
    let today = jiff::Zoned::now().date().to_string();
    let report = init::pin(config, &dataset, &locations, limits, &today)?;
    let shown = config.display();
    for problem in &report.refused {
        eprintln!("{problem}");
    }
    for (id, pinned, found) in &report.changed {
        eprintln!(
            "error[pin-mismatch]: `documents.{}` pins sha256 {pinned}, the file now has {found}; \
             the pin is left as it is",
            crate::config::toml_key(id)
        );
    }
    for id in &report.vanished {
        eprintln!(
            "error[pinned-missing]: `documents.{}` pins a document that is not in `{}`; the pin is \
             left as it is",
            crate::config::toml_key(id),
            locations.raw_dir.display()
        );
    }
    for (id, sha256) in &report.curated_unpinned {
        if !quiet {
            eprintln!(
                "warning[unpinned]: `documents.{}` curates the document but does not pin it; add \
                 sha256 = \"{sha256}\" there",
                crate::config::toml_key(id)
            );
        }
    }
    if !report.changed.is_empty() || !report.vanished.is_empty() {
        eprintln!(
            "hint: restore the original files; if a change is deliberate, edit or remove its pin in \
             `{shown}` (and bump the version)"
        );
    }
    if !report.refused.is_empty() {
        eprintln!("hint: fix those files, or list them in `exclude` in `{shown}`");
    }
    let mut out = std::io::stdout().lock();
    if report.added.is_empty() {
        writeln!(out, "no new documents; {shown} is unchanged")?;
    } else {
        writeln!(
            out,
            "pinned {} new document(s) in {shown}:",
            report.added.len()
        )?;
        for (id, sha256) in &report.added {
            writeln!(out, "  {id}  {sha256}")?;
        }
    }
    let changed = report.changed.len() + report.vanished.len() + report.refused.len();
    Ok(if changed > 0 {
        ExitStatus::Invalid
    } else {
        ExitStatus::Success
    })
}
