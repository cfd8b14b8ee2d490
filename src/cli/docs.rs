//! `archivist completions`, `archivist man` and `archivist help`: generated from the command
//! line's definition and the dataset schema, so they never drift from them.

use super::{Cli, CompletionsArgs, HelpArgs, ManArgs};
use crate::config::{FieldDoc, reference};
use crate::error::{Error, ExitStatus, Result};
use clap::CommandFactory;
use std::io::Write;

pub fn completions(args: &CompletionsArgs) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "archivist", &mut out);
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `archivist help [COMMAND|dataset]`.
pub fn help(args: &HelpArgs) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    match args.topic.as_deref() {
        None => write!(out, "{}", command.render_long_help())?,
        Some("dataset" | "dataset.toml") => write!(out, "{}", dataset_text())?,
        Some(name) => match command.find_subcommand_mut(name) {
            Some(sub) => {
                let mut sub = sub.clone().bin_name(format!("archivist {name}"));
                write!(out, "{}", sub.render_long_help())?;
            }
            None => {
                return Err(Error::Usage(format!(
                    "no command or topic `{name}`; topics: dataset; commands: {}",
                    command
                        .get_subcommands()
                        .map(|c| c.get_name().to_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        },
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

const DATASET_INTRO: &str = "\
dataset.toml describes a dataset: what it is, who made it, its rights, and the pins (SHA-256) of
its documents. `archivist init` writes one; `archivist check` validates it (against the JSON
Schema schema/dataset.schema.json) and reports a mistake with its key, line and column, what was
found, what is expected, and an example. Paths in it are relative to the file, so
`archivist release --config ../letters/dataset.toml` works from any folder.";

/// `archivist help dataset`: every field with its type, whether it is required, what it means
/// and an example.
pub fn dataset_text() -> String {
    let mut t = format!("{DATASET_INTRO}\n\nFields:\n");
    for field in reference() {
        t.push_str(&format!(
            "\n  {}  ({}, {})\n",
            field.key,
            field.kind,
            if field.required {
                "required"
            } else {
                "optional"
            }
        ));
        for line in wrap(&field.description, 92) {
            t.push_str(&format!("      {line}\n"));
        }
        if let Some(example) = &field.example {
            t.push_str(&format!("      example: {example}\n"));
        }
    }
    t.push_str(
        "\nExamples:\n  archivist init --title 'Letters' --creator 'Jane Researcher' --publisher 'Example Library'\n  \
         archivist check --config dataset.toml\n  archivist pin\n",
    );
    t
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Text made safe for roff: backslashes doubled, a leading `.` or `'` escaped.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e");
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A section of preformatted lines.
fn roff_section(title: &str, body: &str) -> String {
    format!(".SH \"{title}\"\n.nf\n{}\n.fi\n", roff_text(body))
}

/// One page: clap_mangen's sections, then EXIT STATUS, ENVIRONMENT, FILES (the main page) and
/// EXAMPLES (from the command's `after_help`) instead of clap_mangen's EXTRA.
fn render_page(command: clap::Command, main: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let examples = command
        .get_after_help()
        .map(|h| h.to_string())
        .and_then(|h| h.split_once("Examples:\n").map(|(_, e)| e.to_owned()));
    let has_subcommands = command.get_subcommands().next().is_some();
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if has_subcommands {
        man.render_subcommands_section(out)?;
    }
    let mut sections = roff_section("EXIT STATUS", super::EXIT_STATUS);
    sections.push_str(&roff_section("ENVIRONMENT", super::ENVIRONMENT));
    if main {
        sections.push_str(&roff_section("FILES", super::FILES));
    }
    if let Some(examples) = examples {
        sections.push_str(&roff_section("EXAMPLES", &examples));
    }
    sections.push_str(".SH \"SEE ALSO\"\narchivist-dataset.toml(5)\n");
    out.write_all(sections.as_bytes())?;
    if main {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// archivist-dataset.toml(5), from the schema.
pub fn dataset_page() -> String {
    let mut t = format!(
        ".TH archivist-dataset.toml 5 \"\" \"archivist {}\"\n.SH NAME\narchivist-dataset.toml \\- the description of an archivist dataset\n.SH DESCRIPTION\n{}\n.SH FIELDS\n",
        env!("CARGO_PKG_VERSION"),
        roff_text(DATASET_INTRO)
    );
    for FieldDoc {
        key,
        required,
        kind,
        description,
        example,
    } in reference()
    {
        t.push_str(&format!(
            ".TP\n\\fB{}\\fR ({kind}, {})\n{}\n",
            roff_text(&key),
            if required { "required" } else { "optional" },
            roff_text(&description)
        ));
        if let Some(example) = example {
            t.push_str(&format!(".br\nExample: \\fB{}\\fR\n", roff_text(&example)));
        }
    }
    t.push_str(&roff_section(
        "EXAMPLES",
        "archivist init --title 'Letters' --creator 'Jane Researcher' --publisher 'Example Library'\narchivist check\narchivist help dataset",
    ));
    t.push_str(
        ".SH \"SEE ALSO\"\narchivist(1), archivist-init(1), archivist-pin(1), archivist-check(1)\n",
    );
    t
}

pub fn man(args: &ManArgs) -> Result<ExitStatus> {
    let mut command = Cli::command();
    command.build();
    match &args.out {
        None => {
            let mut out = std::io::stdout().lock();
            render_page(command, true, &mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            fs_err::create_dir_all(dir)?;
            let mut pages = vec![(command.clone(), true)];
            pages.extend(command.get_subcommands().cloned().map(|c| (c, false)));
            for (page, main) in pages {
                let name = page
                    .get_display_name()
                    .unwrap_or(page.get_name())
                    .to_owned();
                let mut roff = Vec::new();
                render_page(page, main, &mut roff)?;
                fs_err::write(dir.join(format!("{name}.1")), roff)?;
            }
            fs_err::write(dir.join("archivist-dataset.toml.5"), dataset_page())?;
        }
    }
    Ok(ExitStatus::Success)
}
