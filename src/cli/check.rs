//! `archivist check`: run the pipeline, write nothing, report per document.

use super::CheckArgs;
use crate::config::Dataset;
use crate::error::{ExitStatus, Result};
use crate::pipeline::{self, CheckReport};
use crate::validate::SchemaSet;
use std::io::Write;

pub fn run(args: &CheckArgs) -> Result<ExitStatus> {
    let dataset = Dataset::load(&args.input.config, &SchemaSet::new())?;
    let report = pipeline::check(
        &args.input.raw,
        &dataset,
        &args.input.config,
        args.input.limits(),
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({"records": report.records, "problems": report.problems});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json).expect("report serializes")
        )?;
    } else {
        write_table(&mut out, &report)?;
    }
    out.flush()?;
    Ok(if report.has_errors() {
        ExitStatus::Invalid
    } else {
        ExitStatus::Success
    })
}

/// The human report: a table of documents, then each problem on its own line.
fn write_table(out: &mut impl Write, report: &CheckReport) -> std::io::Result<()> {
    const TITLE_WIDTH: usize = 48;
    let rows: Vec<[String; 6]> = report
        .documents
        .iter()
        .map(|d| {
            let r = d.record.as_ref();
            let title = r.and_then(|r| r.title.as_deref()).unwrap_or("-");
            [
                d.id.clone(),
                r.map_or("-".into(), |r| r.source.encoding.clone()),
                r.and_then(|r| r.language.clone())
                    .unwrap_or_else(|| "-".into()),
                r.and_then(|r| r.date.clone()).unwrap_or_else(|| "-".into()),
                truncate(title, TITLE_WIDTH),
                match (d.errors, d.warnings) {
                    (0, 0) => "ok".into(),
                    (e, 0) => format!("{e} error(s)"),
                    (0, w) => format!("{w} warning(s)"),
                    (e, w) => format!("{e} error(s), {w} warning(s)"),
                },
            ]
        })
        .collect();
    let header = ["ID", "ENCODING", "LANG", "DATE", "TITLE", "PROBLEMS"].map(String::from);
    let mut widths = [0usize; 6];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
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
        writeln!(out, "{}", line.trim_end())?;
    }
    if !report.problems.is_empty() {
        writeln!(out)?;
        for problem in &report.problems {
            writeln!(out, "{problem}")?;
        }
    }
    let errors = report.problems.iter().filter(|p| p.is_error()).count();
    writeln!(
        out,
        "\n{} documents, {} valid; {} error(s), {} warning(s)",
        report.documents.len(),
        report.records.len(),
        errors,
        report.problems.len() - errors
    )
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
