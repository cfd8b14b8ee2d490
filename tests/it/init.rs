//! Issue 17: a dataset of one's own. `init` on a folder of texts, `release` straight after, a
//! document added and a second release, `check` from elsewhere and without a configuration,
//! configuration errors a person can fix, help with examples, and the checks that protect a
//! release.

use crate::support::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// 30 real texts in subfolders: each of the bundled corpus's five documents cut into six parts at
/// paragraph boundaries (`raw/<az|en>/doc<i>/part<j>.txt`).
fn thirty_texts(raw: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("raw"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    docs.sort();
    assert_eq!(docs.len(), 5);
    for (i, doc) in docs.iter().enumerate() {
        let text = std::fs::read_to_string(doc).unwrap();
        let paragraphs: Vec<&str> = text.split('\n').filter(|l| !l.trim().is_empty()).collect();
        let n = paragraphs.len();
        assert!(n >= 6, "{} has {n} paragraphs", doc.display());
        let lang = if i == 0 || i == 4 { "az" } else { "en" };
        let dir = raw.join(lang).join(format!("doc{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        for j in 0..6 {
            let part = paragraphs[j * n / 6..(j + 1) * n / 6].join("\n\n") + "\n";
            std::fs::write(dir.join(format!("part{j}.txt")), part).unwrap();
            ids.push(format!("{lang}.doc{i}.part{j}"));
        }
    }
    ids
}

/// A real (if small) Word document: an OOXML zip.
fn docx(path: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
    )
    .unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>notes</w:t></w:r></w:p></w:body></w:document>"#).unwrap();
    zip.finish().unwrap();
}

/// An empty folder holding `raw/` of 30 texts in subfolders plus a `.DS_Store`, a `.docx` and
/// an empty file.
fn new_user_folder() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let ids = thirty_texts(&raw);
    // Finder's file starts with its magic, then binary records.
    std::fs::write(raw.join(".DS_Store"), b"\0\0\0\x01Bud1\0\0\x10\0\0\0\x08\0").unwrap();
    std::fs::create_dir_all(raw.join("notes")).unwrap();
    docx(&raw.join("notes/summary.docx"));
    std::fs::write(raw.join("en/empty.txt"), b"").unwrap();
    (dir, ids)
}

fn in_dir(dir: &Path) -> assert_cmd::Command {
    let mut cmd = archivist();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn records_of(zip: &Path) -> Vec<serde_json::Value> {
    let out = tempfile::tempdir().unwrap();
    let top = extract(zip, out.path());
    let name = zip.file_stem().unwrap().to_string_lossy().into_owned();
    let jsonl = std::fs::read_to_string(top.join(&name).join("data/records.jsonl")).unwrap();
    jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn entry_of(zip: &Path, name: &str) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).unwrap();
    Some(text)
}

/// The "Done when" of issue 17, step by step.
#[test]
fn issue_17_init_then_release_then_a_second_release_check_from_anywhere_and_config_errors() {
    let (dir, ids) = new_user_folder();
    let d = dir.path();
    let name = archivist_name(d);

    // init with flags only (stdin is not a terminal: nothing is asked).
    let init = run(in_dir(d).args([
        "init",
        "--title",
        "Khojaly texts, in parts",
        "--creator",
        "Jane Researcher <https://orcid.org/0000-0002-1825-0097>",
        "--publisher",
        "Example Library",
    ]));
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(
        init.stdout.contains("30 documents pinned"),
        "{}",
        init.stdout
    );
    for junk in [".DS_Store", "raw/notes/summary.docx", "raw/en/empty.txt"] {
        assert!(
            init.stderr.contains(&format!("`{junk}`")),
            "{junk} not reported: {}",
            init.stderr
        );
    }
    let config = d.join("dataset.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    assert!(toml.contains("identifier = \"urn:uuid:"), "{toml}");
    assert!(toml.contains("version = \"0.1.0\""), "{toml}");
    assert!(
        toml.contains("\"raw/notes/summary.docx\",  # binary"),
        "{toml}"
    );
    assert!(toml.contains("\"raw/en/empty.txt\",  # empty"), "{toml}");
    for id in &ids {
        assert!(
            toml.contains(&format!("[documents.\"{id}\"]")),
            "{id} not pinned"
        );
    }

    // release straight after, no hand edits.
    let first = run(in_dir(d).arg("release"));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.contains("released 30 documents"),
        "{}",
        first.stdout
    );
    let zip1 = d.join(format!("release/{name}-0.1.0.zip"));
    let records = records_of(&zip1);
    let mut released: Vec<String> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    released.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(released, expected);

    // A document added, pinned, the version bumped: a second release naming it.
    let added = d.join("raw/en/whole/003_ec9d0b69bfcdd4a5.txt");
    std::fs::create_dir_all(added.parent().unwrap()).unwrap();
    std::fs::copy(repo().join("raw/003_ec9d0b69bfcdd4a5.txt"), &added).unwrap();
    let pin = run(in_dir(d).arg("pin"));
    assert_eq!(pin.code, 0, "{}", pin.stderr);
    assert!(
        pin.stdout.contains("en.whole.003_ec9d0b69bfcdd4a5"),
        "{}",
        pin.stdout
    );
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        toml.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    )
    .unwrap();
    let second = run(in_dir(d).arg("release"));
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stdout.contains("released 31 documents"),
        "{}",
        second.stdout
    );
    let zip2 = d.join(format!("release/{name}-0.2.0.zip"));
    let changes = entry_of(&zip2, &format!("{name}-0.2.0/data/CHANGES.md")).expect("CHANGES.md");
    assert!(
        changes.contains("en.whole.003_ec9d0b69bfcdd4a5"),
        "{changes}"
    );
    assert!(changes.contains("1 added"), "{changes}");

    // check --config PATH from another folder: paths are relative to the file.
    let elsewhere = tempfile::tempdir().unwrap();
    let check = run(in_dir(elsewhere.path())
        .args(["check", "--config"])
        .arg(&config));
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stdout.contains("31 documents, 31 valid; 0 error(s)"),
        "{}",
        check.stdout
    );

    // check --raw DIR with no configuration: every file reported, nothing pinned said once.
    let bare = run(in_dir(elsewhere.path())
        .args(["check", "--raw"])
        .arg(d.join("raw")));
    assert_ne!(bare.code, 2, "{}", bare.stderr);
    assert!(bare.stderr.contains("nothing is pinned"), "{}", bare.stderr);
    assert!(!bare.stderr.contains("unpinned"), "{}", bare.stderr);
    for id in &ids {
        assert!(bare.stdout.contains(id.as_str()), "{id} not reported");
    }
    // Without the exclude list, the .docx and the empty file are reported as what they are.
    assert!(bare.stderr.contains("error[binary]"), "{}", bare.stderr);
    assert!(bare.stderr.contains("error[empty]"), "{}", bare.stderr);
    assert_eq!(bare.code, 1);

    // A wrong `creators` names the key and the line, with an example.
    let toml = std::fs::read_to_string(&config).unwrap();
    let mut lines: Vec<&str> = Vec::new();
    let mut skipping = false;
    for line in toml.lines() {
        if line == "[[creators]]" {
            skipping = true;
            continue;
        }
        if skipping && line.is_empty() {
            skipping = false;
        }
        if !skipping {
            lines.push(line);
        }
        if line.starts_with("publisher = ") {
            lines.push("creators = [\"Jane Researcher\"]");
        }
    }
    let at = 1 + lines
        .iter()
        .position(|l| l.starts_with("creators"))
        .unwrap();
    let bad = elsewhere.path().join("dataset.toml");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let wrong = run(in_dir(elsewhere.path())
        .args(["check", "--config"])
        .arg(&bad));
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains(&format!("{}:{at}:", bad.display())),
        "no line {at}: {}",
        wrong.stderr
    );
    assert!(wrong.stderr.contains("`creators[0]`"), "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("the string \"Jane Researcher\""),
        "{}",
        wrong.stderr
    );
    assert!(
        wrong
            .stderr
            .contains("example:  creators = [{ name = \"Jane Researcher\" }]"),
        "{}",
        wrong.stderr
    );
}

/// The machine name init gives a folder: its name, lowercased, other characters as `-`.
fn archivist_name(dir: &Path) -> String {
    let folder = dir.file_name().unwrap().to_string_lossy().to_lowercase();
    let mut name = String::new();
    for c in folder.chars() {
        if c.is_ascii_alphanumeric() || ((c == '.' || c == '_') && !name.is_empty()) {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.trim_end_matches(['-', '.', '_']).to_owned()
}

const COMMANDS: [&str; 11] = [
    "init",
    "pin",
    "check",
    "release",
    "verify",
    "deposit",
    "diff",
    "keygen",
    "completions",
    "man",
    "help",
];

#[test]
fn every_command_help_ends_with_examples_of_that_command() {
    for command in COMMANDS {
        for flag in ["-h", "--help"] {
            let help = run(archivist().args([command, flag]));
            assert_eq!(help.code, 0, "{command} {flag}: {}", help.stderr);
            let examples = help
                .stdout
                .split_once("\nExamples:\n")
                .unwrap_or_else(|| panic!("{command} {flag}: no examples:\n{}", help.stdout))
                .1;
            assert!(
                examples.contains(&format!("  archivist {command}")),
                "{command} {flag}: {examples}"
            );
        }
    }
    let top = run(archivist().arg("--help"));
    assert!(
        top.stdout.contains("\nExamples:\n  archivist init"),
        "{}",
        top.stdout
    );
}

#[test]
fn threads_is_offered_only_where_it_acts() {
    let man = run(archivist().args(["man", "--help"]));
    assert!(!man.stdout.contains("--threads"), "{}", man.stdout);
    let refused = run(archivist().args(["man", "--threads", "2"]));
    assert_eq!(refused.code, 2);
    let release = run(archivist().args(["release", "--help"]));
    assert!(release.stdout.contains("--threads"), "{}", release.stdout);
}

#[test]
fn help_dataset_and_its_man_page_document_every_field_of_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schema/dataset.schema.json")).unwrap(),
    )
    .unwrap();
    // Every key, nested ones with their parent (`rights.uri`, `creators[].orcid`).
    let mut keys = Vec::new();
    fn walk(node: &serde_json::Value, prefix: &str, keys: &mut Vec<String>) {
        let Some(props) = node["properties"].as_object() else {
            return;
        };
        for (k, v) in props {
            let key = format!("{prefix}{k}");
            keys.push(key.clone());
            walk(v, &format!("{key}."), keys);
            walk(&v["items"], &format!("{key}[]."), keys);
            walk(&v["additionalProperties"], &format!("{key}.<id>."), keys);
        }
    }
    walk(&schema, "", &mut keys);
    assert!(keys.len() > 20, "{keys:?}");
    let help = run(archivist().args(["help", "dataset"]));
    assert_eq!(help.code, 0, "{}", help.stderr);
    let dir = tempfile::tempdir().unwrap();
    run(archivist().args(["man", "--out"]).arg(dir.path()));
    let page = std::fs::read_to_string(dir.path().join("archivist-dataset.toml.5")).unwrap();
    for key in &keys {
        assert!(
            help.stdout.contains(&format!("\n  {key}  (")),
            "help dataset lacks {key}"
        );
        assert!(
            page.contains(&format!("\\fB{key}\\fR")),
            "the man page lacks {key}"
        );
    }
}

#[test]
fn pin_adds_new_documents_and_never_changes_a_changed_or_vanished_pin() {
    let dir = corpus_copy();
    let d = dir.path();
    let config = d.join("dataset.toml");
    std::fs::copy(
        repo().join("raw/003_ec9d0b69bfcdd4a5.txt"),
        d.join("raw/new.txt"),
    )
    .unwrap();
    let mut changed = std::fs::read(d.join("raw/001_f0194c78374355c2.txt")).unwrap();
    changed.extend_from_slice(b"\nOne more line.\n");
    std::fs::write(d.join("raw/001_f0194c78374355c2.txt"), changed).unwrap();
    std::fs::remove_file(d.join("raw/002_bb24bbf64c3ddef7.txt")).unwrap();
    let before = std::fs::read_to_string(&config).unwrap();

    let pin = run(in_dir(d).arg("pin"));
    assert_eq!(pin.code, 1, "{}", pin.stderr);
    assert!(
        pin.stdout.contains("pinned 1 new document"),
        "{}",
        pin.stdout
    );
    assert!(
        pin.stderr
            .contains("error[pin-mismatch]: `documents.001_f0194c78374355c2`"),
        "{}",
        pin.stderr
    );
    assert!(
        pin.stderr
            .contains("error[pinned-missing]: `documents.002_bb24bbf64c3ddef7`"),
        "{}",
        pin.stderr
    );
    let after = std::fs::read_to_string(&config).unwrap();
    assert!(
        after.starts_with(&before),
        "the file was changed, not appended to"
    );
    let added = &after[before.len()..];
    assert!(added.contains("[documents.new]\nsha256 = \""), "{added}");
    assert!(
        !added.contains("001_f0194c78374355c2") && !added.contains("002_bb24"),
        "{added}"
    );

    // A second run has nothing to add and writes nothing.
    let again = run(in_dir(d).args(["init", "--update"]));
    assert_eq!(again.code, 1);
    assert!(
        again.stdout.contains("no new documents"),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), after);
}

#[test]
fn init_without_what_only_a_person_knows_asks_for_the_flags_and_writes_nothing() {
    let dir = corpus_copy();
    std::fs::remove_file(dir.path().join("dataset.toml")).unwrap();
    let run = run(in_dir(dir.path()).args(["init", "--title", "T"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--creator, --publisher"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("dataset.toml").exists());
}

#[test]
fn init_refuses_to_replace_a_dataset_toml() {
    let dir = corpus_copy();
    let before = std::fs::read(dir.path().join("dataset.toml")).unwrap();
    let run = run(in_dir(dir.path()).args([
        "init",
        "--title",
        "T",
        "--creator",
        "C",
        "--publisher",
        "P",
    ]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(dir.path().join("dataset.toml")).unwrap(),
        before
    );
}

/// A copy of the corpus with `dataset.toml` changed by `edit`, released into its `out/`.
fn release_edited(edit: impl Fn(&str) -> String, more: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = corpus_copy();
    let config = dir.path().join("dataset.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, edit(&text)).unwrap();
    let out = dir.path().join("out");
    let run = run(in_dir(dir.path())
        .args(["release", "--out"])
        .arg(&out)
        .args(more));
    (dir, run)
}

#[test]
fn release_refuses_an_empty_corpus_writing_nothing() {
    let dir = corpus_copy();
    for entry in std::fs::read_dir(dir.path().join("raw")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let config = dir.path().join("dataset.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let unpinned = text.split("[documents.").next().unwrap().to_owned() + "[agent]\nname = \"x\"\n";
    std::fs::write(&config, unpinned).unwrap();
    let run = run(in_dir(dir.path()).args(["release", "--first"]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[empty-corpus]"), "{}", run.stderr);
    assert!(!dir.path().join("release").exists());
}

#[test]
fn release_requires_an_identifier_and_offers_one() {
    let (dir, run) = release_edited(
        |t| {
            t.lines()
                .filter(|l| !l.starts_with("identifier"))
                .collect::<Vec<_>>()
                .join("\n")
        },
        &["--first"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`identifier` is missing"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("identifier = \"urn:uuid:"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn release_refuses_a_date_in_the_future() {
    let (dir, run) = release_edited(
        |t| {
            t.replace(
                "release_date = \"2026-11-22\"",
                "release_date = \"2999-01-01\"",
            )
        },
        &["--first"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`release_date`: 2999-01-01 is in the future"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn release_refuses_a_date_before_its_predecessors() {
    // 1.0.2 of 2026-11-22 is followed by a 1.0.3 dated 2020.
    let (dir, run) = release_edited(
        |t| {
            t.replace(
                "release_date = \"2026-11-22\"",
                "release_date = \"2020-01-01\"",
            )
            .replace("version = \"1.0.2\"", "version = \"1.0.3\"")
        },
        &[
            "--previous",
            &repo()
                .join("release/khojaly-1992-1.0.2.zip")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("is before 2026-11-22"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out/khojaly-1992-1.0.3.zip").exists());
}

#[test]
fn release_reports_languages_found_but_not_declared_and_declared_but_not_found() {
    let (_dir, run) = release_edited(
        |t| {
            t.replace(
                "languages = [\"az\", \"en\"]",
                "languages = [\"en\", \"ru\"]",
            )
        },
        &["--first"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[language-undeclared]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`az`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[language-not-found]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`ru`"), "{}", run.stderr);
}

#[test]
fn release_dry_run_shows_the_changes_and_writes_nothing() {
    let dir = corpus_copy();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::copy(
        repo().join("release/khojaly-1992-1.0.1.zip"),
        out.join("khojaly-1992-1.0.1.zip"),
    )
    .unwrap();
    let run = run(in_dir(dir.path())
        .args(["release", "--dry-run", "--out"])
        .arg(&out));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("dry run: 5 documents"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("# Changes in version 1.0.2"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("khojaly-1992-1.0.1.zip")]
    );
}

#[test]
fn exclude_globs_are_relative_to_dataset_toml_and_names_match_anywhere() {
    let dir = corpus_copy();
    let d = dir.path();
    std::fs::create_dir_all(d.join("raw/scans")).unwrap();
    docx(&d.join("raw/scans/a.docx"));
    std::fs::write(d.join("raw/Thumbs.db"), b"\0\x01binary").unwrap();
    let config = d.join("dataset.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let with = text.replace(
        "languages = [",
        "exclude = [\"raw/scans/*.docx\", \"Thumbs.db\"]\nlanguages = [",
    );
    std::fs::write(&config, with).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let check = run(in_dir(elsewhere.path())
        .args(["check", "--config"])
        .arg(&config));
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stdout.contains("5 documents, 5 valid"),
        "{}",
        check.stdout
    );
    // Without the list, they are documents, and not valid ones.
    std::fs::write(&config, text).unwrap();
    let without = run(in_dir(elsewhere.path())
        .args(["check", "--config"])
        .arg(&config));
    assert_eq!(without.code, 1, "{}", without.stderr);
}

#[test]
fn verify_json_has_every_documented_field_and_the_dataset_name_and_version() {
    let run = run(archivist().args(["verify", "--json", "release/khojaly-1992-1.0.2.zip"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    for field in [
        "path",
        "kind",
        "intact",
        "name",
        "version",
        "sha256",
        "checksum_sources",
        "bagit_version",
        "files",
        "bytes",
        "records",
        "signature",
        "objects",
        "problems",
    ] {
        assert!(report.get(field).is_some(), "no `{field}` in {report:#}");
    }
    assert_eq!(report["name"], "khojaly-1992");
    assert_eq!(report["version"], "1.0.2");
    assert!(report["objects"].is_null());
    assert!(report["signature"].is_null());
}

#[test]
fn init_stops_on_two_files_giving_one_id_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::copy(
        repo().join("raw/001_f0194c78374355c2.txt"),
        raw.join("letter.txt"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("raw/003_ec9d0b69bfcdd4a5.txt"),
        raw.join("letter.md"),
    )
    .unwrap();
    let run = run(in_dir(dir.path()).args([
        "init",
        "--title",
        "T",
        "--creator",
        "C",
        "--publisher",
        "P",
    ]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[duplicate-id]"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(!dir.path().join("dataset.toml").exists());
}

#[test]
fn init_records_a_raw_folder_elsewhere_relative_to_dataset_toml() {
    let top = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("raw"), &top.path().join("texts"));
    std::fs::create_dir_all(top.path().join("project")).unwrap();
    let init = run(in_dir(top.path()).args([
        "init",
        "project",
        "--raw",
        "texts",
        "--title",
        "T",
        "--creator",
        "C",
        "--publisher",
        "P",
    ]));
    assert_eq!(init.code, 0, "{}", init.stderr);
    let toml = std::fs::read_to_string(top.path().join("project/dataset.toml")).unwrap();
    assert!(toml.contains("\nraw = \"../texts\"\n"), "{toml}");
    // Released from a third folder, into the project's own release/.
    let third = tempfile::tempdir().unwrap();
    let release = run(in_dir(third.path())
        .args(["release", "--config"])
        .arg(top.path().join("project/dataset.toml")));
    assert_eq!(release.code, 0, "{}", release.stderr);
    assert!(
        top.path()
            .join("project/release/project-0.1.0.zip")
            .exists()
    );
    assert_eq!(std::fs::read_dir(third.path()).unwrap().count(), 0);
}

#[test]
fn check_compares_the_languages_found_with_those_declared() {
    let dir = corpus_copy();
    let config = dir.path().join("dataset.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("languages = [\"az\", \"en\"]", "languages = [\"az\"]"),
    )
    .unwrap();
    let json = check_json(&dir.path().join("raw"), &config);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let undeclared = problems_with_code(&json.json(), "language-undeclared")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(undeclared.len(), 1, "{}", json.stdout);
    assert!(undeclared[0]["message"].as_str().unwrap().contains("`en`"));
    let table = run(in_dir(dir.path()).arg("check"));
    assert!(
        table.stderr.contains("warning[language-undeclared]"),
        "{}",
        table.stderr
    );
}

#[test]
fn help_takes_a_command_or_the_dataset_topic_and_names_the_choices_otherwise() {
    let release = run(archivist().args(["help", "release"]));
    assert_eq!(release.code, 0, "{}", release.stderr);
    assert!(release.stdout.contains("--dry-run"), "{}", release.stdout);
    let unknown = run(archivist().args(["help", "nonsense"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("topics: dataset"),
        "{}",
        unknown.stderr
    );
    assert!(
        unknown.stderr.contains("init, pin, check"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn release_without_a_dataset_toml_points_to_init() {
    let empty = tempfile::tempdir().unwrap();
    let run = run(in_dir(empty.path()).arg("release"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("archivist init"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}
