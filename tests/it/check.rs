//! `archivist check`: the bundled corpus, legacy encodings, every bad input, and the contract
//! of exit codes (0 valid, 1 invalid data, 2 usage/config/I-O) with the file always named.

use crate::support::*;
use serde_json::Value;

/// The texts the fixture generator (`tests/fixtures/make_fixtures.py`) encodes, as they must
/// come out after decoding and normalization.
const AZ: &str = "Xocalı soyqırımı 1992-ci il fevralın 25-dən 26-na keçən gecə baş verib.\n\
                  Bu faciə Dağlıq Qarabağ münaqişəsi zamanı baş vermiş hadisələrdən biridir.\n";
const EN: &str = "Khojaly is a town in the Karabakh region.\n\n\
                  On the night of 25 to 26 February 1992 the town was attacked.\n";
const RU: &str = "Ходжалы — город в Карабахском регионе.\n\
                  В ночь с 25 на 26 февраля 1992 года город был атакован, погибли мирные жители.\n";

fn record<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no record {id} in {report:#}"))
}

fn steps(record: &Value) -> Vec<(String, u64)> {
    record["normalization"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has_step(record: &Value, step: &str) -> bool {
    steps(record).iter().any(|(s, _)| s == step)
}

#[test]
fn bundled_corpus_is_valid_with_the_expected_metadata() {
    let run = run(archivist().args(["check", "--json"]));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(report["problems"], serde_json::json!([]));
    let records = report["records"].as_array().unwrap();
    assert_eq!(records.len(), 5);

    let langs: Vec<&str> = records
        .iter()
        .map(|r| r["language"].as_str().unwrap())
        .collect();
    assert_eq!(langs, ["az", "en", "en", "en", "az"]);

    let r004 = record(&report, "004_b9c433a55e65af57");
    assert_eq!(r004["date"], "2026-02-26");
    assert_eq!(
        r004["title"],
        "Qazaxıstanda Xocalı soyqırımının 34-cü ildönümünə həsr olunan anım mərasimi baş tutub"
    );
    assert_eq!(r004["removed"][0]["reason"], "date-header");
    assert_eq!(r004["removed"][0]["line"], 1);

    let r002 = record(&report, "002_bb24bbf64c3ddef7");
    assert_eq!(
        r002["title"],
        "The horrible tragedy of the 20th century: 32 years have passed since the Khojaly genocide"
    );
    assert_eq!(r002["removed"][0]["text"], "Şərhini yaz");
    let r003 = record(&report, "003_ec9d0b69bfcdd4a5");
    assert_eq!(r003["removed"][0]["text"], "Искать в архивах");

    for id in [
        "000_2db9654bec47fede",
        "001_f0194c78374355c2",
        "003_ec9d0b69bfcdd4a5",
    ] {
        assert_eq!(record(&report, id)["title"], Value::Null, "{id}");
    }
    for id in [
        "000_2db9654bec47fede",
        "001_f0194c78374355c2",
        "002_bb24bbf64c3ddef7",
        "003_ec9d0b69bfcdd4a5",
    ] {
        assert_eq!(record(&report, id)["date"], Value::Null, "{id}");
    }
}

#[test]
fn bundled_corpus_texts_keep_every_word_but_the_listed_removals() {
    // The words of each normalized text are exactly the raw text's words, in order, less the
    // words of the lines listed in `removed`: nothing added, nothing dropped silently.
    use archivist::ingest::{Entry, RawDocument};
    for file in std::fs::read_dir(repo().join("raw")).unwrap() {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let raw = RawDocument {
            entry: Entry {
                rel: name.clone(),
                path: path.clone(),
                display: name.clone(),
                size: 0,
            },
            sha256: String::new(),
            bytes: bytes.clone(),
        };
        let mut problems = Vec::new();
        let (record, text) =
            archivist::pipeline::build(&raw, "x", None, &Default::default(), &mut problems)
                .unwrap();
        let raw_text = String::from_utf8(bytes).unwrap();
        let mut removed: Vec<&str> = record
            .removed
            .iter()
            .flat_map(|r| r.text.split_whitespace())
            .collect();
        let mut expected = Vec::new();
        for word in raw_text.split_whitespace() {
            match removed.iter().position(|w| *w == word) {
                Some(i)
                    if record
                        .removed
                        .iter()
                        .any(|r| raw_line_has(&raw_text, r.line, word)) =>
                {
                    removed.remove(i);
                }
                _ => expected.push(word),
            }
        }
        let actual: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(actual, expected, "{name}");
        assert!(
            removed.is_empty(),
            "{name}: removed words not found in the raw text: {removed:?}"
        );
    }
}

/// Whether line `line` (1-based) of `text` contains `word`.
fn raw_line_has(text: &str, line: u64, word: &str) -> bool {
    text.lines()
        .nth(line as usize - 1)
        .is_some_and(|l| l.split_whitespace().any(|w| w == word))
}

#[test]
fn check_prints_a_table_naming_each_document() {
    let run = run(archivist().arg("check"));
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("ID"));
    for id in ["000_2db9654bec47fede", "004_b9c433a55e65af57"] {
        assert!(run.stdout.contains(id), "{}", run.stdout);
    }
    assert!(run.stdout.contains("2026-02-26"));
    assert!(
        run.stdout
            .contains("5 documents, 5 valid; 0 error(s), 0 warning(s)")
    );
}

#[test]
fn legacy_and_unicode_encodings_decode_to_the_same_normalized_text() {
    let cases = [
        ("windows-1251", "ru", "windows-1251", RU, vec![]),
        ("utf16le-bom", "az", "UTF-16LE", AZ, vec!["bom"]),
        ("utf16be-bom", "az", "UTF-16BE", AZ, vec!["bom"]),
        (
            "utf8-bom-crlf",
            "en",
            "UTF-8",
            EN,
            vec!["bom", "line-endings"],
        ),
        ("nfd", "az", "UTF-8", AZ, vec!["nfc"]),
        ("mojibake", "az", "UTF-8", AZ, vec!["mojibake"]),
    ];
    for (case, id, encoding, text, expected_steps) in cases {
        let run = check_json(&fixture(case), &fixture_config());
        assert_eq!(run.code, 0, "{case}: {}", run.stdout);
        let report = run.json();
        let r = record(&report, id);
        assert_eq!(r["source"]["encoding"], encoding, "{case}");
        assert_eq!(
            r["text"]["sha256"],
            sha256(text),
            "{case}: normalized text differs"
        );
        assert_eq!(r["text"]["chars"], text.chars().count() as u64, "{case}");
        for step in expected_steps {
            assert!(has_step(r, step), "{case}: no `{step}` in {:?}", steps(r));
        }
    }
}

#[test]
fn windows_1254_turkish_is_decoded_and_told_from_azerbaijani() {
    let report = check_json(&fixture("windows-1254"), &fixture_config()).json();
    let r = record(&report, "tr");
    // No byte 0x80-0x9F: the bytes need nothing of windows-1254 beyond ISO-8859-9 (issue 16).
    let raw = std::fs::read(fixture("windows-1254").join("tr.txt")).unwrap();
    assert!(!raw.iter().any(|b| (0x80..=0x9F).contains(b)));
    assert_eq!(r["source"]["encoding"], "ISO-8859-9");
    assert_eq!(r["language"], "tr");
}

#[test]
fn untidy_document_is_normalized_with_every_step_counted() {
    let run = check_json(&fixture("untidy"), &fixture_config());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.json();
    let r = record(&report, "report");
    assert_eq!(r["date"], "2026-02-26");
    assert_eq!(r["title"], "Anım mərasimi keçirilib");
    assert_eq!(r["language"], "az");
    let removed: Vec<(u64, &str, &str)> = r["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["line"].as_u64().unwrap(),
                x["text"].as_str().unwrap(),
                x["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        removed,
        [
            (1, "date 2026-02-26", "date-header"),
            (10, "Paylaş", "boilerplate-phrase")
        ]
    );
    let expected = "Anım mərasimi keçirilib\n- 26 fevral, 2026\n- 13:54\n\
                    Səfirlikdə anım tədbiri keçirilib.\n\nTədbir bir dəqiqəlik sükutla yekunlaşıb.\n";
    assert_eq!(r["text"]["sha256"], sha256(expected));
    assert_eq!(
        steps(r),
        [
            ("line-endings".to_owned(), 10),
            ("zero-width".to_owned(), 1),
            ("spaces".to_owned(), 1),
            ("trailing-whitespace".to_owned(), 1),
            ("blank-lines".to_owned(), 3),
        ]
    );
}

/// (fixture case, file, problem code, line, byte offset)
type BadCase = (
    &'static str,
    &'static str,
    &'static str,
    Option<u64>,
    Option<u64>,
);

#[test]
fn bad_inputs_are_refused_naming_the_file_and_where() {
    let cases: [BadCase; 8] = [
        ("damaged-utf8", "az.txt", "invalid-utf8", None, Some(40)),
        ("binary", "image.txt", "binary", None, Some(8)),
        ("empty", "empty.txt", "empty", None, None),
        (
            "whitespace-only",
            "blank.txt",
            "whitespace-only",
            None,
            None,
        ),
        ("mojibake-mixed", "az.txt", "mojibake", None, Some(175)),
        (
            "date-mismatch",
            "report.txt",
            "date-mismatch",
            Some(2),
            None,
        ),
        (
            "date-impossible",
            "report.txt",
            "date-invalid",
            Some(1),
            None,
        ),
        (
            "utf16-without-bom",
            "az.txt",
            "utf16-without-bom",
            None,
            None,
        ),
    ];
    for (case, file, code, line, offset) in cases {
        let path = fixture(case);
        let json = check_json(&path, &fixture_config());
        assert_eq!(json.code, 1, "{case}");
        let report = json.json();
        assert_eq!(
            report["records"],
            serde_json::json!([]),
            "{case}: no record for a bad file"
        );
        let found = problems_with_code(&report, code);
        assert!(!found.is_empty(), "{case}: no {code} in {report:#}");
        let p = found[0];
        assert_eq!(p["severity"], "error");
        assert_eq!(p["path"], path.join(file).display().to_string(), "{case}");
        assert_eq!(p["line"].as_u64(), line, "{case}");
        assert_eq!(p["offset"].as_u64(), offset, "{case}");

        // The human report names the file and the code too.
        let table = run(archivist()
            .arg("check")
            .arg("--raw")
            .arg(&path)
            .arg("--config")
            .arg(fixture_config()));
        assert_eq!(table.code, 1, "{case}");
        // Problems go to stderr, the table to stdout.
        assert!(
            table.stderr.contains(&format!("error[{code}]")),
            "{case}: {}",
            table.stderr
        );
        assert!(table.stderr.contains(file), "{case}: {}", table.stderr);
        assert!(!table.stdout.contains(&format!("error[{code}]")), "{case}");
    }
}

#[test]
fn impossible_dateline_is_reported_with_its_line_too() {
    let report = check_json(&fixture("date-impossible"), &fixture_config()).json();
    let lines: Vec<u64> = problems_with_code(&report, "date-invalid")
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 2]);
}

#[test]
fn a_changed_raw_file_is_caught_by_its_pin() {
    let dir = corpus_copy();
    let file = dir.path().join("raw/001_f0194c78374355c2.txt");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[10] ^= 0x20;
    std::fs::write(&file, bytes).unwrap();
    let run = check_json(&dir.path().join("raw"), &dir.path().join("dataset.toml"));
    assert_eq!(run.code, 1);
    let report = run.json();
    let p = problems_with_code(&report, "pin-mismatch");
    assert_eq!(p.len(), 1);
    assert!(
        p[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("raw/001_f0194c78374355c2.txt")
    );
}

#[test]
fn a_new_unpinned_document_is_allowed_and_reported() {
    let dir = corpus_copy();
    std::fs::write(
        dir.path().join("raw/005_new.txt"),
        "A new document.\n\nIts body.\n",
    )
    .unwrap();
    let run = check_json(&dir.path().join("raw"), &dir.path().join("dataset.toml"));
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.json();
    let p = problems_with_code(&report, "unpinned");
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["severity"], "warning");
    assert!(p[0]["path"].as_str().unwrap().ends_with("raw/005_new.txt"));
    assert_eq!(report["records"].as_array().unwrap().len(), 6);
}

#[test]
fn a_pinned_document_that_is_missing_is_an_error_naming_the_config() {
    let dir = corpus_copy();
    std::fs::remove_file(dir.path().join("raw/003_ec9d0b69bfcdd4a5.txt")).unwrap();
    let run = check_json(&dir.path().join("raw"), &dir.path().join("dataset.toml"));
    assert_eq!(run.code, 1);
    let report = run.json();
    let p = problems_with_code(&report, "pinned-missing");
    assert!(p[0]["path"].as_str().unwrap().ends_with("dataset.toml"));
    assert!(
        p[0]["message"]
            .as_str()
            .unwrap()
            .contains("003_ec9d0b69bfcdd4a5")
    );
}

#[test]
fn curated_values_override_and_are_marked() {
    let dir = corpus_copy();
    let config = dir.path().join("dataset.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replace(
        "[documents.001_f0194c78374355c2]\n",
        "[documents.001_f0194c78374355c2]\ntitle = \"The Khojaly genocide\"\n\
         date = \"2024-02-25\"\nsource_url = \"https://example.org/article\"\n",
    );
    std::fs::write(&config, text).unwrap();
    let run = check_json(&dir.path().join("raw"), &config);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let r = record(&report, "001_f0194c78374355c2");
    assert_eq!(r["title"], "The Khojaly genocide");
    assert_eq!(r["date"], "2024-02-25");
    assert_eq!(r["source"]["url"], "https://example.org/article");
    assert_eq!(
        r["curated"],
        serde_json::json!(["title", "date", "source.url"])
    );
}

#[cfg(unix)]
#[test]
fn symlinks_hidden_files_and_pipes_are_refused_or_skipped_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir(&raw).unwrap();
    std::fs::write(raw.join("ok.txt"), "Title\n\nBody text here.\n").unwrap();
    std::fs::write(raw.join(".DS_Store"), b"\0\0").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", raw.join("link.txt")).unwrap();
    let fifo = raw.join("pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = check_json(&raw, &fixture_config());
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.json();
    let path_of = |code: &str| {
        problems_with_code(&report, code)[0]["path"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(path_of("symlink").ends_with("link.txt"));
    assert!(path_of("not-a-regular-file").ends_with("pipe.txt"));
    assert!(path_of("hidden-skipped").ends_with(".DS_Store"));
    assert_eq!(
        problems_with_code(&report, "hidden-skipped")[0]["severity"],
        "warning"
    );
    assert_eq!(report["records"][0]["id"], "ok");
}

#[test]
fn documents_over_the_size_limit_are_refused_by_name() {
    let run = run(archivist()
        .args(["check", "--json", "--max-document-bytes", "100", "--raw"])
        .arg(fixture("windows-1251"))
        .arg("--config")
        .arg(fixture_config()));
    assert_eq!(run.code, 1);
    let report = run.json();
    let p = problems_with_code(&report, "too-large");
    assert!(p[0]["path"].as_str().unwrap().ends_with("ru.txt"));
}

#[test]
fn nested_folders_give_dotted_ids_and_duplicate_ids_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir_all(raw.join("letters")).unwrap();
    std::fs::write(raw.join("letters/one.txt"), "First letter.\n").unwrap();
    let report = check_json(&raw, &fixture_config()).json();
    assert_eq!(report["records"][0]["id"], "letters.one");
    assert_eq!(
        report["records"][0]["source"]["path"],
        "raw/letters/one.txt"
    );

    std::fs::write(raw.join("letters/one.md"), "Same id.\n").unwrap();
    let run = check_json(&raw, &fixture_config());
    assert_eq!(run.code, 1);
    assert_eq!(problems_with_code(&run.json(), "duplicate-id").len(), 2);
}

#[test]
fn config_errors_exit_2_and_name_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dataset.toml");
    std::fs::write(&config, "name = \"x\"\nversion = [").unwrap();
    let run = check_json(&repo().join("raw"), &config);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&config.display().to_string()),
        "{}",
        run.stderr
    );

    let good = std::fs::read_to_string(repo().join("dataset.toml")).unwrap();
    std::fs::write(
        &config,
        good.replace(
            &format!("version = \"{}\"", current_version(&good)),
            "version = \"1.0\"",
        ),
    )
    .unwrap();
    let run = check_json(&repo().join("raw"), &config);
    assert_eq!(run.code, 2);
    let line_of = |key: &str| 1 + good.lines().position(|l| l.starts_with(key)).unwrap();
    let at = format!("{}:{}:", config.display(), line_of("version = "));
    assert!(run.stderr.contains(&at), "no {at} in {}", run.stderr);
    assert!(run.stderr.contains("`version`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("example:  version = "),
        "{}",
        run.stderr
    );

    let impossible: String = good
        .lines()
        .map(|line| {
            if line.starts_with("release_date = ") {
                "release_date = \"2026-02-30\"\n".to_owned()
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(&config, impossible).unwrap();
    let run = check_json(&repo().join("raw"), &config);
    assert_eq!(run.code, 2);
    let at = format!("{}:{}:", config.display(), line_of("release_date = "));
    assert!(run.stderr.contains(&at), "no {at} in {}", run.stderr);
    assert!(run.stderr.contains("`release_date`"), "{}", run.stderr);
}

#[test]
fn missing_raw_folder_or_config_exit_2_naming_it() {
    let run = check_json(
        std::path::Path::new("no-such-folder"),
        &repo().join("dataset.toml"),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-folder"), "{}", run.stderr);
    let run = check_json(&repo().join("raw"), std::path::Path::new("missing.toml"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.toml"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(archivist().args(["check", "--no-such-flag"])).code, 2);
    assert_eq!(run(archivist().arg("frobnicate")).code, 2);
}

#[test]
fn check_writes_nothing() {
    let dir = corpus_copy();
    let listing = |root: &std::path::Path| {
        let mut all = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let e = e.unwrap();
                let meta = e.metadata().unwrap();
                if meta.is_dir() {
                    stack.push(e.path());
                }
                all.push((e.path(), meta.len(), meta.modified().unwrap()));
            }
        }
        all.sort();
        all
    };
    let before = listing(dir.path());
    let run = run(archivist().current_dir(dir.path()).args(["check"]));
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(listing(dir.path()), before);
}

/// The `version` line of a dataset.toml.
fn current_version(toml: &str) -> String {
    toml.lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("a version line")
        .to_owned()
}

fn curated_config() -> std::path::PathBuf {
    repo().join("tests/fixtures/config/curated.toml")
}

#[test]
fn issue_16_recurring_navigation_goes_beside_listed_furniture() {
    let report = check_json(&fixture("recurring-furniture"), &fixture_config()).json();
    for id in ["one", "two", "three"] {
        let r = record(&report, id);
        let reasons: Vec<&str> = r["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["reason"].as_str().unwrap())
            .collect();
        assert_eq!(
            reasons,
            [
                "boilerplate-menu",
                "boilerplate-phrase",
                "boilerplate-recurring",
                "boilerplate-phrase",
                "boilerplate-phrase"
            ],
            "{id}"
        );
    }
}

#[test]
fn issue_16_a_signature_in_another_language_is_kept() {
    let report = check_json(&fixture("letter-signature"), &fixture_config()).json();
    let r = record(&report, "letter");
    assert_eq!(r["removed"], serde_json::json!([]));
    assert_eq!(r["title"], Value::Null, "a salutation is no title");
}

#[test]
fn issue_16_a_weak_legacy_detection_is_an_error_naming_the_byte() {
    let run = check_json(&fixture("encoding-doubtful"), &fixture_config());
    assert_eq!(run.code, 1);
    let report = run.json();
    let p = problem(&report, "encoding-doubtful");
    assert!(p["path"].as_str().unwrap().ends_with("stray.txt"));
    assert_eq!(p["offset"], 10);
    assert!(p["message"].as_str().unwrap().contains("0xC7"), "{p}");
    assert!(p["message"].as_str().unwrap().contains("encoding"), "{p}");
}

#[test]
fn issue_16_a_curated_encoding_decides_and_says_so() {
    let run = check_json(&fixture("encoding-curated"), &curated_config());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.json();
    let ru = record(&report, "ru");
    assert_eq!(ru["source"]["encoding"], "KOI8-R");
    assert_eq!(ru["evidence"]["encoding"]["rule"], "curated");
    assert!(
        ru["curated"]
            .as_array()
            .unwrap()
            .contains(&"source.encoding".into())
    );
    assert_eq!(ru["removed"][0]["reason"], "boilerplate-curated");
    let stray = record(&report, "stray");
    assert_eq!(stray["source"]["encoding"], "windows-1252");
}

#[test]
fn issue_16_a_licence_s_text_and_its_fields_are_content() {
    // Heads of four of Debian's `/usr/share/doc/*/copyright` files (xkb-data, libwayland-client0,
    // avahi-daemon, libdrm2), where an adversary found content lost: the holders' notices made
    // the lines between them a menu, a disclaimer in capitals lost the lines that do not open in
    // lowercase, a DEP-5 file lost its `Files:` and `License:` fields; and a sentence's first
    // line (`This package was debianized by ... on` over its date) was taken as the title.
    let report = check_json(&fixture("licence-texts"), &fixture_config()).json();
    for id in ["xkb-data", "libwayland-client0", "avahi-daemon", "libdrm2"] {
        let r = record(&report, id);
        assert_eq!(r["removed"], serde_json::json!([]), "{id}");
        assert_eq!(r["title"], Value::Null, "{id}: {}", r["evidence"]["title"]);
    }
}

#[test]
fn a_latin_guess_that_fits_no_alphabet_gives_way_and_two_that_fit_refuse() {
    // Real translations (the sixth session's adversarial corpus): French in windows-1252,
    // which chardetng took for ISO-8859-2 (`arričre-plan`), and Slovak in windows-1250, whose
    // `ľavým` is ISO-8859-2's `žavým`, Slovak too.
    let run = check_json(&fixture("legacy-latin"), &fixture_config());
    assert_eq!(run.code, 1, "the Slovak file is refused");
    let report = run.json();
    let fr = record(&report, "fr");
    assert_eq!(fr["source"]["encoding"], "ISO-8859-1");
    assert_eq!(fr["evidence"]["encoding"]["rule"], "detector-alternative");
    let p = problem(&report, "encoding-doubtful");
    assert!(p["path"].as_str().unwrap().ends_with("sk.txt"), "{p}");
    let message = p["message"].as_str().unwrap();
    assert!(message.contains("0xBE") && message.contains("ľavým"), "{p}");
}
