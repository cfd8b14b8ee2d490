//! `archivist check`: run the pipeline, write nothing, report per document.

use super::CheckArgs;
use crate::config::{Dataset, Locations};
use crate::error::{ExitStatus, Result};
use crate::pipeline::{self, CheckReport, DocumentLine, Pipeline};
use std::io::{IsTerminal, Write};

pub fn run(args: &CheckArgs, quiet: bool) -> Result<ExitStatus> {
    let config = args.input.config_path();
    // With no `--config` and no `dataset.toml` here, the documents are checked against the
    // defaults: `check --raw DIR` works on any folder.
    let unconfigured = args.input.config.is_none() && !config.exists();
    let (dataset, locations) = if unconfigured {
        let raw_dir = args.input.raw.clone().unwrap_or_else(|| "raw".into());
        let dataset = Dataset::unconfigured(&raw_dir);
        let locations = Locations {
            raw_dir,
            out_dir: "release".into(),
            exclude: Default::default(),
        };
        (dataset, locations)
    } else {
        args.input.load(None)?
    };
    if unconfigured {
        eprintln!(
            "note: no `{}`: the documents are checked against the defaults, and nothing is pinned",
            config.display()
        );
        eprintln!(
            "hint: `archivist init` writes a `dataset.toml` for `{}`",
            locations.raw_dir.display()
        );
    }
    let mut pipeline = Pipeline::new(&locations.raw_dir, &dataset, &config, args.input.limits())
        .excluding(&locations.exclude);
    if unconfigured {
        pipeline = pipeline.unconfigured();
    }
    let progress = !quiet && std::io::stderr().is_terminal();
    let report = pipeline::check(&pipeline, progress)?;
    let mut found = std::collections::BTreeMap::new();
    report.for_each_document(|d| {
        if let Some(language) = &d.language {
            *found.entry(language.clone()).or_insert(0usize) += 1;
        }
        Ok(())
    })?;
    let languages = if unconfigured {
        Vec::new()
    } else {
        crate::package::language_problems(&config, &dataset.languages, &found)
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        write_json(&mut out, &report, &languages)?;
    } else {
        write_table(&mut out, &report, quiet)?;
    }
    out.flush()?;
    if !quiet && !args.json {
        for problem in &languages {
            eprintln!("{problem}");
        }
    }
    Ok(if report.has_errors() {
        ExitStatus::Invalid
    } else {
        ExitStatus::Success
    })
}

/// `{"records": [...], "problems": [...]}`, pretty-printed, streamed from the report's spills.
fn write_json(
    out: &mut impl Write,
    report: &CheckReport,
    extra: &[crate::problem::Problem],
) -> Result<()> {
    use serde::ser::{Error as _, SerializeMap, SerializeSeq};
    /// A list serialized element by element from a spill, never held whole.
    struct Streamed<'a>(&'a CheckReport, bool, &'a [crate::problem::Problem]);
    impl serde::Serialize for Streamed<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(None)?;
            let mut failed = None;
            let mut element = |json: &[u8]| -> Result<()> {
                let value: serde_json::Value =
                    serde_json::from_slice(json).map_err(|e| crate::error::Error::Io(e.into()))?;
                seq.serialize_element(&value).map_err(|e| {
                    failed = Some(e);
                    crate::error::Error::Io(std::io::Error::other("check --json"))
                })
            };
            let read = if self.1 {
                self.0.for_each_record(&mut element)
            } else {
                self.0.for_each_problem(|_, json| element(json))
            };
            if let Some(e) = failed {
                return Err(e);
            }
            read.map_err(S::Error::custom)?;
            if !self.1 {
                for problem in self.2 {
                    seq.serialize_element(problem)?;
                }
            }
            seq.end()
        }
    }
    struct Whole<'a>(&'a CheckReport, &'a [crate::problem::Problem]);
    impl serde::Serialize for Whole<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry("records", &Streamed(self.0, true, &[]))?;
            map.serialize_entry("problems", &Streamed(self.0, false, self.1))?;
            map.end()
        }
    }
    serde_json::to_writer_pretty(&mut *out, &Whole(report, extra)).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// The human report: a table of documents, then each problem on its own line. The documents are
/// read twice from the report's spill: once for the column widths, once to print.
fn write_table(out: &mut impl Write, report: &CheckReport, quiet: bool) -> Result<()> {
    const TITLE_WIDTH: usize = 48;
    let cells = |d: &DocumentLine| -> [String; 6] {
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        [
            d.id.clone(),
            dash(&d.encoding),
            dash(&d.language),
            dash(&d.date),
            truncate(d.title.as_deref().unwrap_or("-"), TITLE_WIDTH),
            match (d.errors, d.warnings) {
                (0, 0) => "ok".into(),
                (e, 0) => format!("{e} error(s)"),
                (0, w) => format!("{w} warning(s)"),
                (e, w) => format!("{e} error(s), {w} warning(s)"),
            },
        ]
    };
    let header = ["ID", "ENCODING", "LANG", "DATE", "TITLE", "PROBLEMS"].map(String::from);
    let mut widths = [0usize; 6];
    let mut widen = |row: &[String; 6]| {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    };
    widen(&header);
    report.for_each_document(|d| {
        widen(&cells(d));
        Ok(())
    })?;
    let mut print = |row: &[String; 6]| -> std::io::Result<()> {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.extend(std::iter::repeat_n(
                    ' ',
                    widths[i] - cell.chars().count() + 2,
                ));
            }
        }
        writeln!(out, "{}", line.trim_end())
    };
    print(&header)?;
    report.for_each_document(|d| Ok(print(&cells(d))?))?;
    // Problems go to stderr, as every command's do; the table is the data.
    out.flush()?;
    let mut err = std::io::stderr().lock();
    report.for_each_problem(|shown, _| {
        if !quiet || shown.starts_with("error") {
            writeln!(err, "{shown}")?;
        }
        Ok(())
    })?;
    writeln!(
        out,
        "\n{} documents, {} valid; {} error(s), {} warning(s)",
        report.document_count, report.valid, report.errors, report.warnings
    )?;
    Ok(())
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}
