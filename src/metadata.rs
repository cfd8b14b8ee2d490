//! Stage 4, metadata: the date and title a document gives about itself, from its head, with the
//! line each came from. (Its language is [`crate::language`].)
//!
//! The head is the first [`HEAD_LINES`] non-blank lines, up to the first paragraph (a line of
//! more than [`BODY_WORDS`] words). Dates and titles are read there only: a date in the body is
//! not the document's date.
//!
//! - **Date header**: `date 2026-01-14 [rest]` on any head line (the scraper's header: taken off
//!   the line and listed in `removed`; on the first line the rest is the title), or a labelled
//!   line such as `Date: 14 January 2026`, `Datum: 14.01.2026`, `Дата: ...`, `Published: ...`
//!   (kept in the text).
//! - **Dateline**: a head line that is a date and little else: `- 26 fevral, 2026`,
//!   `February 26, 2026`, `26 февраля 2026 г.`, `26. Februar 2026`, `26 de febrero de 2026`,
//!   `Posted on 3 March 2026`, `Berlin, den 26. Februar 2026`, `26/02/2026`. Month names come
//!   from CLDR (`data/months.tsv`); a numeric date counts only when it cannot be read two ways
//!   (`26/02/2026`, never `03/04/2026`). Kept in the text.
//! - **A scraped page's dateline** stands beside its headline (the line below that repeats the
//!   page's `<title>`, or is worded like it, or a byline), not among the site's lines above it
//!   (today's date in a masthead is not the article's): [`page_article`].
//! - A published date wins over a plain one; an update's date (`Updated ...`, on the line or a
//!   label line above) is never the date. Datelines that disagree, or that a full date in the
//!   title contradicts, give none: doubt is reported in the evidence, never resolved by a guess.
//! - Header and dateline must agree (`date-mismatch`); an impossible date is `date-invalid`.
//! - **Title**: a Markdown heading, a setext-underlined line, or a short first line standing alone
//!   (a blank line, dateline or byline follows it, or it carried the date header) and not ending
//!   like a sentence; never a menu of `|`-separated items, a salutation, a date or a byline. A
//!   page's `<title>` loses its site's name when the page shows the headline alone, or names
//!   the site on two other lines (its furniture's included). A `#` heading below a note or
//!   markup, an HTML heading, a letter's subject line; a heading as a reader sees it.
//! - A log of dated entries (`# November 2025`, or `## 2022-02-07` over `## 2022-02-14`) has
//!   no date of its own: its first entry's is not taken.

use crate::boilerplate::more_words_than;
use crate::normalize::Line;
use crate::problem::Problem;
use crate::record::{Found, Removed};
use jiff::civil::Date;
use std::collections::HashMap;
use std::sync::OnceLock;

pub use crate::language::iso639_1;

/// The longest line taken for a title, in characters and in words.
const TITLE_MAX_CHARS: usize = 200;
const TITLE_MAX_WORDS: usize = 30;
/// How many non-blank lines the head has at most.
pub const HEAD_LINES: usize = 8;
/// A line of more words than this is a paragraph: the body has begun.
pub const BODY_WORDS: usize = 30;

/// What the head says of the date.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Dates {
    /// The date found, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Where it came from (`rule: none` when no date was found).
    pub found: Found,
    /// A `date YYYY-MM-DD` header was taken off the first line (what remains may be a title).
    pub had_header: bool,
    /// Raw line numbers of the head's date lines (header, dateline): never a title.
    pub date_lines: Vec<u64>,
    /// The document reads like a scraped page: a line below its first repeats it (the
    /// headline), or is worded like it, or is a byline.
    pub page: bool,
}

/// Parse a strict `YYYY-MM-DD` into a real calendar date.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let year: i16 = s[0..4].parse().ok()?;
    let month: i8 = s[5..7].parse().ok()?;
    let day: i8 = s[8..10].parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Month names from CLDR, lowercase, to the month's number.
fn months() -> &'static HashMap<String, i8> {
    static MONTHS: OnceLock<HashMap<String, i8>> = OnceLock::new();
    MONTHS.get_or_init(|| {
        include_str!("../data/months.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?.to_owned(), f.next()?.parse().ok()?))
            })
            .collect()
    })
}

/// Whether a lowercase word is a month's name (CLDR) or a word that stands beside a date
/// (weekday names, `Posted on`): a line with it and a digit may be a dateline.
pub fn date_word(word: &str) -> bool {
    months().contains_key(word) || dateline_word(word)
}

/// Words that may stand beside a date in a dateline: weekday names (CLDR) and the words people
/// write around a date (`Posted on`, `den`, `г.`).
fn dateline_word(word: &str) -> bool {
    static WORDS: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        word_set(include_str!("../data/weekdays.txt"))
            .chain(word_set(include_str!("../data/dateline-words.txt")))
            .collect()
    });
    words.contains(word.trim_end_matches('.'))
}

/// A word list's words (`data/*.txt`: one a line, `#` comments), trimmed and lowercase.
fn word_set(list: &'static str) -> impl Iterator<Item = String> {
    list.lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Words that make a dateline's date the page's update, not its publication
/// (`data/update-words.txt`).
fn update_word(word: &str) -> bool {
    static WORDS: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    let words = WORDS.get_or_init(|| word_set(include_str!("../data/update-words.txt")).collect());
    words.contains(word.trim_end_matches('.'))
}

/// Words that mark a dateline's date as the publication's (`data/published-words.txt`).
fn publish_word(word: &str) -> bool {
    static WORDS: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    let words =
        WORDS.get_or_init(|| word_set(include_str!("../data/published-words.txt")).collect());
    words.contains(word.trim_end_matches('.'))
}

/// Labels of a date header line (`Date: ...`), lowercase, without the colon.
const DATE_LABELS: &[&str] = &[
    "date",
    "dated",
    "published",
    "publication date",
    "posted",
    "posted on",
    "datum",
    "veröffentlicht",
    "veröffentlicht am",
    "дата",
    "опубликовано",
    "дата публикации",
    "дата публікації",
    "опубліковано",
    "tarix",
    "tarih",
    "yayın tarihi",
    "yayınlanma tarihi",
    "fecha",
    "publicado",
    "publicado el",
    "publié le",
    "date de publication",
    "data",
];

/// Find the document's date in its head. The `date YYYY-MM-DD` header is taken off its line
/// (listed in `removed`); problems are errors naming `path` and the line.
pub fn extract_dates(
    lines: &mut Vec<Line>,
    path: &str,
    removed: &mut Vec<Removed>,
    problems: &mut Vec<Problem>,
) -> Dates {
    let mut dates = Dates {
        found: Found::rule("none").detail("no date header or dateline in the document's head"),
        ..Dates::default()
    };
    let mut header: Option<(String, u64)> = None;
    // A second date header that says another date (a page's front matter says when it was
    // posted, its `Date :` line when the meeting was): doubt.
    let mut conflict: Option<(String, u64)> = None;
    let head = head_indices(lines);
    let mut drop_line = None;
    // The head's lines that are no header: where its datelines may be.
    let mut plain = Vec::new();
    for (rank, &index) in head.iter().enumerate() {
        let no = lines[index].no;
        // The scraper's header: `date YYYY-MM-DD [rest]`.
        // Below the first line, only a real ISO date makes the scraper's header: `date 12.01.2026
        // was the deadline` is text.
        let header_here = split_header(&lines[index].text)
            .filter(|(token, _)| rank == 0 || parse_iso_date(token).is_some());
        if let Some((token, rest)) = header_here {
            let (token, rest) = (token.to_owned(), rest.to_owned());
            let line = &mut lines[index];
            let text = line.text.trim_start();
            let taken = text[..text.len() - rest.len()].trim_end().to_owned();
            match parse_iso_date(&token) {
                Some(date) => note_header(&mut header, &mut conflict, date, no),
                None => problems.push(
                    Problem::error(
                        path,
                        "date-invalid",
                        format!(
                            "the date header `{taken}` is not a real date in the form YYYY-MM-DD"
                        ),
                    )
                    .at_line(no),
                ),
            }
            removed.push(Removed {
                line: no,
                text: taken,
                reason: "date-header".to_owned(),
            });
            line.text = rest;
            if rank == 0 {
                dates.had_header = true;
            }
            if line.text.is_empty() {
                drop_line = Some(index);
                dates.date_lines.push(no);
            }
            continue;
        }
        let text = lines[index].text.trim();
        // A labelled header: `Date: 14 January 2026`.
        if let Some(value) = labelled_value(text) {
            match date_in(value) {
                Some(Ok(date)) => {
                    note_header(&mut header, &mut conflict, date, no);
                    dates.date_lines.push(no);
                }
                Some(Err(())) => problems.push(
                    Problem::error(
                        path,
                        "date-invalid",
                        format!("the date header `{text}` is not a real date"),
                    )
                    .at_line(no),
                ),
                None => {}
            }
            continue;
        }
        plain.push(index);
    }
    // The head's datelines; an impossible date or time (`- 24:10` below it) is an error.
    // A letter's first line may be its place and date (`Madrid, 3 de marzo de 2026` above
    // `Estimado señor:`): where a salutation ends the head, a place may stand before a date
    // on the first line too, which elsewhere would be a title (`Xocalı, 26 fevral 1992`).
    let letter = head.last().is_some_and(|&last| {
        lines[last + 1..]
            .iter()
            .find(|l| !l.text.trim().is_empty())
            .is_some_and(|l| is_salutation(l.text.trim()))
    });
    let first = head.first().copied().filter(|_| !letter);
    let mut candidates = scan_datelines(lines, &plain, first, removed);
    for c in &candidates {
        if c.date.is_err() {
            let text = lines[c.index].text.trim();
            problems.push(
                Problem::error(
                    path,
                    "date-invalid",
                    format!("the dateline `{text}` is not a real date"),
                )
                .at_line(c.no),
            );
        }
        dates.date_lines.push(c.no);
        check_time_line(lines, c.index, path, problems);
    }
    candidates.retain(|c| c.date.is_ok());
    // A log or digest of a period (`# November 2025`, `# März`, over its dated entries): the
    // entries' dates are not the document's, and the period is no day. No dateline is taken.
    let period = head
        .first()
        .filter(|&&i| period_heading(&lines[i].text))
        .map(|&i| (lines[i].text.trim().to_owned(), lines[i].no));
    if period.is_some() {
        candidates.clear();
    }
    if let Some(index) = drop_line {
        lines.remove(index);
        for c in &mut candidates {
            c.index -= usize::from(c.index > index);
        }
    }
    // A scraped page: the article's datelines stand beside its headline (or its byline), not
    // among the site's lines above it.
    let mut zone = Zone::Head;
    let mut ignored = None;
    let article = page_article(lines);
    dates.page = article.is_some();
    // The site's lines above the headline: some of them taken off as its furniture.
    let site_above = |a: &Article| {
        let (top, anchor) = (
            lines.iter().find(|l| !l.text.trim().is_empty()),
            lines[a.anchor].no,
        );
        a.headline
            && top.is_some_and(|t| {
                removed
                    .iter()
                    .any(|r| r.line > t.no && r.line < anchor && r.reason != "date-header")
            })
    };
    if let Some(article) = article
        && period.is_none()
        && (site_above(&article) || candidates.is_empty())
    {
        let window = scan_datelines(lines, &article.window, None, removed);
        // The head's datelines above the article head: the site's (today's date in its
        // masthead), not the article's.
        let top = article.window.first().copied().unwrap_or(article.anchor);
        ignored = candidates.iter().find(|c| c.index < top).copied();
        candidates = window.into_iter().filter(|c| c.date.is_ok()).collect();
        for c in &candidates {
            dates.date_lines.push(c.no);
        }
        zone = Zone::Article(article);
    }
    let mut choice = choose(&candidates);
    // A date in the title (`Weekly Edition for March 26, 2015`) that another dateline
    // contradicts: the page is of one date, the dateline of another (its first article's).
    if let Choice::Date(date, no, _) = &choice
        && let Some((title_date, title_no)) = title_date(lines)
        && title_no != *no
        && title_date != *date
    {
        choice = Choice::Undetermined(Some(format!(
            "the title on line {title_no} gives {title_date}, the dateline on line {no} gives \
             {date}; no date taken"
        )));
    }
    // A log of dated entries (`## 2022-02-07` ... `## 2022-02-14`, a council's monthly
    // updates): the first entry's date is not the log's.
    if let Choice::Date(date, no, _) = &choice
        && let Some((other, other_no)) = next_entry(lines, *no)
        && other != *date
    {
        choice = Choice::Undetermined(Some(format!(
            "a log of dated entries: the heading on line {no} gives {date}, the one on line \
             {other_no} gives {other}; the first entry's date is not the document's"
        )));
    }
    let dateline = match &choice {
        Choice::Date(date, no, _) => Some((date.to_string(), *no)),
        Choice::Undetermined(_) => None,
    };
    if let (Some((h, hno)), Some((c, cno))) = (&header, &conflict) {
        dates.found = Found::rule("none").detail(format!(
            "the date headers disagree: line {hno} gives {h}, line {cno} gives {c}; no date taken"
        ));
        return dates;
    }
    match (&header, &dateline) {
        (Some((h, hno)), Some((d, dno))) => {
            if h != d {
                problems.push(
                    Problem::error(
                        path,
                        "date-mismatch",
                        format!("the dateline says {d} but the date header says {h}"),
                    )
                    .at_line(*dno),
                );
            }
            dates.date = Some(h.clone());
            dates.found = Found::rule("date-header")
                .at(*hno)
                .detail(format!("the dateline on line {dno} agrees"));
        }
        (Some((h, hno)), None) => {
            dates.date = Some(h.clone());
            dates.found = Found::rule("date-header").at(*hno);
        }
        (None, Some((d, dno))) => {
            dates.date = Some(d.clone());
            let mut found = Found::rule("dateline").at(*dno);
            let mut details = Vec::new();
            if let Zone::Article(a) = &zone {
                details.push(format!(
                    "beside the page's {} on line {}",
                    a.kind, lines[a.anchor].no
                ));
            }
            if let Choice::Date(_, _, Some(more)) = &choice {
                details.push(more.clone());
            }
            if !details.is_empty() {
                found = found.detail(details.join("; "));
            }
            dates.found = found;
        }
        (None, None) => {
            let mut details = Vec::new();
            if let Some((heading, no)) = &period {
                details.push(format!(
                    "the first heading `{heading}` on line {no} names a period: the dates below \
                     it are its entries', not the document's"
                ));
            }
            if let Choice::Undetermined(Some(why)) = &choice {
                details.push(why.clone());
            }
            if let Zone::Article(a) = &zone {
                if matches!(choice, Choice::Undetermined(None)) {
                    details.push(format!(
                        "no dateline beside the page's {} on line {}",
                        a.kind, lines[a.anchor].no
                    ));
                }
                if let Some(c) = ignored {
                    details.push(format!(
                        "the date on line {} ({}) stands above the page's {} on line {}, \
                         among the site's lines: not the article's",
                        c.no,
                        c.date.map(|d| d.to_string()).unwrap_or_default(),
                        a.kind,
                        lines[a.anchor].no
                    ));
                }
            }
            if !details.is_empty() {
                dates.found = Found::rule("none").detail(details.join("; "));
            }
        }
    }
    dates
}

/// The level of a Markdown ATX heading (`## ...`: 2).
fn heading_level(line: &str) -> Option<usize> {
    atx_heading(line)?;
    Some(line.trim_start().chars().take_while(|&c| c == '#').count())
}

/// When the line numbered `no` is a Markdown heading that is a date, the next heading of the
/// same level below it that is a date too (the log's next entry): its date and line number.
fn next_entry(lines: &[Line], no: u64) -> Option<(Date, u64)> {
    let at = lines.iter().position(|l| l.no == no)?;
    let level = heading_level(&lines[at].text)?;
    lines[at + 1..]
        .iter()
        .filter(|l| heading_level(&l.text) == Some(level))
        .find_map(|l| {
            let date = find_date(atx_heading(&l.text)?, true)?.ok()?;
            Some((date, l.no))
        })
}

/// A Markdown heading that names a month or a year and no day (`# November 2025`, `## März`,
/// `# 2024`): the head of a log or digest of that period, whose entries carry their own dates.
fn period_heading(line: &str) -> bool {
    atx_heading(line).is_some_and(|h| {
        let year_alone = h.len() == 4 && h.chars().all(|c| c.is_ascii_digit());
        (is_date_word_only(h) || year_alone) && find_date(h, true).is_none()
    })
}

/// A real date in the document's first line, when it reads like a title, and its line.
fn title_date(lines: &[Line]) -> Option<(Date, u64)> {
    let line = lines.iter().find(|l| !l.text.trim().is_empty())?;
    let text = line.text.trim();
    if more_words_than(text, BODY_WORDS) {
        return None;
    }
    let (_, _, (y, m, d)) = match_date(&tokens(text))?;
    Some((real_date(y, m, d).ok()?, line.no))
}

/// Keep the first date header, and the first that says another date than it.
fn note_header(
    header: &mut Option<(String, u64)>,
    conflict: &mut Option<(String, u64)>,
    date: Date,
    no: u64,
) {
    let date = date.to_string();
    match header {
        None => *header = Some((date, no)),
        Some((h, _)) if *h != date && conflict.is_none() => *conflict = Some((date, no)),
        Some(_) => {}
    }
}

/// Where the datelines were looked for.
enum Zone {
    /// The document's head.
    Head,
    /// Beside a page's headline or byline.
    Article(Article),
}

/// A dateline found, with where it stands and what it says of its date.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// Index in the lines.
    index: usize,
    /// Line number in the raw file.
    no: u64,
    date: Result<Date, ()>,
    said: Said,
}

/// The date the datelines give, or why there is none.
enum Choice {
    /// The date, its line, and what else was seen (lines that agree).
    Date(Date, u64, Option<String>),
    /// No date: why, when there were datelines.
    Undetermined(Option<String>),
}

/// The datelines among `indices` (in order). A label line (`Updated`, `Published:`) says what
/// the next line's date is; a line ending with an update word (`..., updated`) makes the next
/// line's date the update's. `first`: the document's first line, where no place may stand
/// before a date (it would be a title).
fn scan_datelines(
    lines: &[Line],
    indices: &[usize],
    first: Option<usize>,
    removed: &[Removed],
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let (mut label, mut follows): (Option<Said>, Option<usize>) = (None, None);
    for &index in indices {
        let text = lines[index].text.trim();
        if text.is_empty() {
            continue;
        }
        let Some(d) = read_dateline(text, Some(index) != first) else {
            if let Some(f) = follows.take() {
                out[f].said = Said::Updated;
            }
            label = label_line(text).or_else(|| trailing_update(text));
            continue;
        };
        let mut said = d.said;
        // A label line right above taken off as the page's furniture still labels the date.
        let above = index.checked_sub(1).map_or(0, |i| lines[i].no);
        let taken = removed
            .iter()
            .filter(|r| r.line > above && r.line < lines[index].no)
            .max_by_key(|r| r.line)
            .and_then(|r| label_line(&r.text).or_else(|| trailing_update(&r.text)));
        if let Some(l) = label.take().or(taken) {
            said = match (l, said) {
                (Said::Updated, _) => Said::Updated,
                (Said::Published, Said::Plain) => Said::Published,
                (_, s) => s,
            };
        }
        if follows.take().is_some() {
            said = Said::Updated;
        }
        out.push(Candidate {
            index,
            no: lines[index].no,
            date: d.date,
            said,
        });
        if d.update_follows {
            follows = Some(out.len() - 1);
        }
    }
    if let Some(f) = follows {
        out[f].said = Said::Updated;
    }
    out
}

/// The date of the datelines: the publication's (a `Published`/`Posted` date, else a date
/// that stands alone), never an update's; when the datelines disagree, none.
fn choose(candidates: &[Candidate]) -> Choice {
    let published: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.said == Said::Published)
        .collect();
    let group = if published.is_empty() {
        candidates
            .iter()
            .filter(|c| c.said == Said::Plain)
            .collect()
    } else {
        published
    };
    let Some(first) = group.first() else {
        return Choice::Undetermined(candidates.first().map(|c| {
            format!(
                "only an update's date: line {} gives {}",
                c.no,
                c.date.map(|d| d.to_string()).unwrap_or_default()
            )
        }));
    };
    let Ok(date) = first.date else {
        return Choice::Undetermined(None);
    };
    if let Some(other) = group.iter().find(|c| c.date != first.date) {
        return Choice::Undetermined(Some(format!(
            "the datelines disagree: line {} gives {date}, line {} gives {}; no date taken",
            first.no,
            other.no,
            other.date.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    let agree: Vec<String> = group[1..].iter().map(|c| c.no.to_string()).collect();
    let more = (!agree.is_empty()).then(|| format!("line {} agrees", agree.join(", ")));
    Choice::Date(date, first.no, more)
}

/// Non-blank lines looked at for a page's headline and the start of its body.
const PAGE_SCAN: usize = 400;
/// A line of more words than this is long: two long lines close together begin the body.
const LONG_WORDS: usize = 20;
/// The body begins at a long line with two more among the next this many lines (a site's
/// description or a cookie notice is one long line, or two).
const BODY_WITHIN: usize = 5;
/// Lines of a page's article head above and below its headline or byline.
const ABOVE_ANCHOR: usize = 3;
/// ...and at most this many lines of the file above it (blank lines between blocks counted).
const ABOVE_ANCHOR_RAW: u64 = 8;
const BELOW_ANCHOR: usize = 12;
/// A part of a page's title this long (in letters and digits) repeats it.
const REPEAT_CHARS: usize = 12;

/// A scraped page's article head: where its headline (or byline) stands, below the site's
/// lines, and the lines around it where the article's dateline is.
struct Article {
    /// Index in the lines of the headline, or of the byline when no headline was found.
    anchor: usize,
    /// The anchor repeats the page's first line (its `<title>`): a headline for sure.
    headline: bool,
    /// What the anchor is, for the evidence.
    kind: &'static str,

    /// Indices of the article head's non-blank lines.
    window: Vec<usize>,
}

/// The article head of a document that reads like a scraped page: its first line is a title
/// (at most [`BODY_WORDS`] words, not a sentence) and a line below it, before the body's first
/// paragraph (the first of two long lines at most three apart; without one, in the first
/// half), repeats it (the headline: the same letters, or the title's beginning or end), or
/// shares half its words with it (a headline worded otherwise), or is a byline. The last such
/// line before the body is the anchor.
fn page_article(lines: &[Line]) -> Option<Article> {
    let order: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.text.trim().is_empty())
        .map(|(i, _)| i)
        .take(PAGE_SCAN)
        .collect();
    let title = lines[*order.first()?].text.trim();
    // A Markdown heading opens a document written as such, not a page's `<title>`.
    if more_words_than(title, BODY_WORDS)
        || ends_like_sentence(title)
        || atx_heading(title).is_some()
    {
        return None;
    }
    let text = |p: usize| lines[order[p]].text.trim();
    let long = |p: usize| more_words_than(text(p), LONG_WORDS);
    let body_from = |from: usize| {
        (from..order.len()).find(|&p| {
            long(p)
                && (p + 1..(p + 1 + BODY_WITHIN).min(order.len()))
                    .filter(|&q| long(q))
                    .count()
                    >= 2
        })
    };
    let body = body_from(1);
    let end = body.unwrap_or(order.len() / 2);
    let plain_title = plain(title);
    let title_words: Vec<String> = words_of(title).map(str::to_lowercase).collect();
    // A headline is no paragraph and ends like no clause (it may ask or exclaim).
    let heading = |p: usize| {
        let t = text(p);
        !more_words_than(t, BODY_WORDS)
            && (!t.ends_with(['.', ',', ';', ':']) || t.ends_with("..."))
    };
    // The last repeat above the body; without one, the first below its start (promotions of
    // the site may read like a body above the article).
    let repeat = (1..end)
        .rev()
        .find(|&p| heading(p) && repeats(text(p), &plain_title))
        .or_else(|| (end..order.len()).find(|&p| heading(p) && repeats(text(p), &plain_title)));
    let (anchor, kind) = match repeat {
        Some(p) => (p, "headline"),
        None => {
            // The line most like the title (the last of equals).
            let akin = (1..end)
                .filter(|&p| heading(p))
                .filter_map(|p| akin(text(p), &title_words).map(|shared| (shared, p)))
                .max()
                .map(|(_, p)| (p, "headline (worded otherwise than its title)"));
            let byline = || {
                (end.saturating_sub(BELOW_ANCHOR).max(1)..end)
                    .rev()
                    .find(|&p| is_byline(text(p)))
                    .map(|p| (p, "byline"))
            };
            akin.or_else(byline)?
        }
    };
    // Above the anchor, lines the page had beside it: not across lines taken out as the
    // site's (a masthead's date of today above a menu that went).
    let anchor_no = lines[order[anchor]].no;
    let lo = (anchor.saturating_sub(ABOVE_ANCHOR).max(1)..anchor)
        .find(|&p| anchor_no - lines[order[p]].no <= ABOVE_ANCHOR_RAW)
        .unwrap_or(anchor);
    // The body below the anchor (the first may have been the site's, above the headline).
    let body = body
        .filter(|&b| b > anchor)
        .or_else(|| body_from(anchor + 1));
    let hi = (anchor + BELOW_ANCHOR + 1)
        .min(body.map_or(order.len(), |b| b + 1))
        .min(order.len());
    Some(Article {
        anchor: order[anchor],
        headline: kind == "headline",
        kind,
        window: order[lo..hi].to_vec(),
    })
}

/// A line's words: runs of letters and digits.
fn words_of(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !crate::unicode::is_alphanumeric(c))
        .filter(|w| !w.is_empty())
}

/// Letters and digits only, lowercase, one space between words: quotes are curly in one,
/// straight in the other.
fn plain(s: &str) -> String {
    plain_upto(s, usize::MAX).0
}

/// A text's characters with its quotes, apostrophes and dashes as ASCII has them and one space
/// between words: what a page and its `<title>` may set otherwise, nothing else.
fn loose(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split_whitespace().enumerate().flat_map(|(i, w)| {
        (i > 0)
            .then_some(' ')
            .into_iter()
            .chain(w.chars().map(|c| match c {
                '‘' | '’' | '‚' | '‛' | '′' => '\'',
                '“' | '”' | '„' | '‟' | '″' | '«' | '»' => '"',
                '–' | '—' | '‒' | '―' | '−' => '-',
                c => c,
            }))
    })
}

/// [`plain`], read until it is longer than `cap` bytes: the text, and whether it stopped there.
fn plain_upto(s: &str, cap: usize) -> (String, bool) {
    let mut out = String::with_capacity(s.len().min(cap.saturating_add(16)));
    for w in words_of(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            crate::unicode::push_lower(&mut out, c);
        }
        if out.len() > cap {
            return (out, true);
        }
    }
    (out, false)
}

/// A line that repeats a page's title (`title` as [`plain`] makes it): the same letters and
/// digits, or the title's beginning or end (at least [`REPEAT_CHARS`] long and half the
/// title: a site's name alone is none), or the title and more.
fn repeats(line: &str, title: &str) -> bool {
    // Cheap first: a line much longer than the title, or too short, is none.
    if line.len() > 2 * title.len() + 16 || line.len() < REPEAT_CHARS.min(title.len()) {
        return false;
    }
    if title.is_empty() {
        return false;
    }
    // Read no further than a word past the title's length: a longer line may only go on from it.
    let (l, longer) = plain_upto(line, title.len());
    if l.is_empty() {
        return false;
    }
    if longer {
        return title.chars().count() >= REPEAT_CHARS && l.starts_with(title);
    }
    // A part of the title is its headline when it is the most of it (not the site's name).
    let part = |s: &str| {
        let n = s.chars().count();
        n >= REPEAT_CHARS && 2 * n >= title.chars().count()
    };
    l == title
        || (part(&l) && (title.starts_with(&l) || title.ends_with(&l)))
        || (title.chars().count() >= REPEAT_CHARS && l.starts_with(title))
}

/// A line close to the page's title (`title` its lowercase words): at least half of its
/// words (three or more, at most [`BODY_WORDS`]) are the title's, and they are a third of
/// the title's at least (not its site's name), as a headline worded otherwise than the
/// `<title>` is. Returns how many are.
fn akin(line: &str, title: &[String]) -> Option<usize> {
    if more_words_than(line, BODY_WORDS) {
        return None;
    }
    let (mut all, mut shared) = (0usize, 0usize);
    for w in words_of(line) {
        all += 1;
        let lower = w.chars().flat_map(char::to_lowercase);
        shared += usize::from(title.iter().any(|t| t.chars().eq(lower.clone())));
    }
    (shared >= 3 && shared * 2 >= all && shared * 3 >= title.len()).then_some(shared)
}

/// Whether a line ends like a sentence or a clause.
fn ends_like_sentence(text: &str) -> bool {
    text.ends_with(['.', '!', '?', '…', ';', ',', ':'])
}

/// Indices in `lines` of the head's non-blank lines, up to the first paragraph or salutation.
fn head_indices(lines: &[Line]) -> Vec<usize> {
    let mut head = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.text.trim().is_empty() {
            continue;
        }
        // A salutation opens a letter's body: a date below it (`Dear members, ... on`
        // / `27 February 2019`, the meeting's) is not the letter's.
        if head.len() >= HEAD_LINES
            || line.text.split_whitespace().count() > BODY_WORDS
            || is_salutation(line.text.trim())
        {
            break;
        }
        head.push(i);
    }
    head
}

/// `- 13:54` right below a dateline: an impossible time is an error.
fn check_time_line(lines: &[Line], index: usize, path: &str, problems: &mut Vec<Problem>) {
    if let Some(next) = lines.get(index + 1)
        && let Some(Err(message)) = parse_time_line(&next.text)
    {
        problems.push(Problem::error(path, "time-invalid", message).at_line(next.no));
    }
}

/// `date TOKEN rest` at the start of a line: the token and the rest (trimmed).
fn split_header(line: &str) -> Option<(&str, &str)> {
    let body = line.trim_start().strip_prefix("date")?;
    if !body.starts_with([' ', '\t']) {
        return None;
    }
    let body = body.trim_start();
    let end = body.find([' ', '\t']).unwrap_or(body.len());
    let token = &body[..end];
    // Only a token shaped like a date makes a header; `date of birth` is text.
    if token.len() < 8 || !token.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((token, body[end..].trim_start()))
}

/// The value of a `Label: value` line whose label names a date.
fn labelled_value(line: &str) -> Option<&str> {
    let (label, value) = line.split_once(':')?;
    let label = label
        .trim()
        .trim_start_matches(['*', '_', '-', '#', ' '])
        .trim_end_matches(['*', '_']);
    DATE_LABELS
        .contains(&label.to_lowercase().as_str())
        .then(|| value.trim().trim_start_matches(['*', '_']).trim())
        .filter(|v| !v.is_empty())
}

/// A token of a date line.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(u32, usize),
    Word(String),
    Sep(char),
}

fn tokens(line: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            out.push(Tok::Num(digits.parse().unwrap_or(u32::MAX), i - start));
            // Ordinal suffixes: 1st, 26th, 1er, 3-cü.
            let suffix_end = (i..chars.len())
                .find(|&j| !chars[j].is_alphabetic())
                .unwrap_or(chars.len());
            let suffix: String = chars[i..suffix_end]
                .iter()
                .collect::<String>()
                .to_lowercase();
            if matches!(
                suffix.as_str(),
                "st" | "nd" | "rd" | "th" | "er" | "e" | "o" | "a"
            ) {
                i = suffix_end;
            }
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_alphabetic() || chars[i] == '\'') {
                i += 1;
            }
            out.push(Tok::Word(
                chars[start..i].iter().collect::<String>().to_lowercase(),
            ));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sep(c));
            }
            i += 1;
        }
    }
    out
}

/// What a dateline says its date is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Said {
    /// `Published 3 March 2026`, `Posted on ...`, or the first of `DATE, updated DATE`.
    Published,
    /// A date and little else.
    Plain,
    /// `Updated Jul 24, 2018`, `Mis à jour le ...`: the page's update, not its publication.
    Updated,
}

/// A line that is a date and little else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dateline {
    /// `Err` for a date that cannot be (31 April).
    date: Result<Date, ()>,
    said: Said,
    /// The line ends with an update word whose date is on the next line
    /// (`on December 27, 2014 at 12:06 PM, updated` / `December 27, 2014 at 12:10 PM`).
    update_follows: bool,
}

/// The date a line is, if it is one: `Some(Ok)` a real date, `Some(Err)` a date that cannot be
/// (31 April), `None` when the line is not a date line (nor an update's date line).
/// `place_allowed`: a leading `Place,` may stand before the date (not on a document's first
/// line, where it would be a title).
fn find_date(line: &str, place_allowed: bool) -> Option<Result<Date, ()>> {
    read_dateline(line, place_allowed)
        .filter(|d| d.said != Said::Updated)
        .map(|d| d.date)
}

/// Read a dateline: a date and little else, with what it says of its date. An update word
/// splits the line: the date before it is the publication's when another date follows it
/// (`April 28, 2019 at 6:01 am Updated April 29, 2019`), or the line ends with it (the update's
/// date is on the next line); otherwise the line's date is the update's
/// (`November 28, 2013 -- Updated 0203 GMT`).
fn read_dateline(line: &str, place_allowed: bool) -> Option<Dateline> {
    if line.chars().count() > 100 {
        return None;
    }
    let toks = tokens(line);
    let update = toks
        .iter()
        .position(|t| matches!(t, Tok::Word(w) if update_word(w)));
    let Some(u) = update else {
        let (date, published) = check_dateline(&toks, place_allowed)?;
        let said = if published {
            Said::Published
        } else {
            Said::Plain
        };
        return Some(Dateline {
            date,
            said,
            update_follows: false,
        });
    };
    let (before, after) = (&toks[..u], &toks[u + 1..]);
    let after_date = match_date(after).is_some();
    if let Some((date, published)) = check_dateline(before, place_allowed) {
        let first = if published {
            Said::Published
        } else {
            Said::Plain
        };
        // Nothing after the update word but what labels a date (`Mis à jour le`).
        let after_empty = after
            .iter()
            .all(|t| matches!(t, Tok::Sep(_)) || matches!(t, Tok::Word(w) if dateline_word(w)));
        return Some(match (after_date, after_empty) {
            (true, _) => Dateline {
                date,
                said: first,
                update_follows: false,
            },
            (false, true) => Dateline {
                date,
                said: first,
                update_follows: true,
            },
            (false, false) => Dateline {
                date,
                said: Said::Updated,
                update_follows: false,
            },
        });
    }
    // `Updated Jul 24, 2018`, `Last Updated: January 7, 2025`: what stands before the update
    // word is a dateline's words at most.
    let (date, _) = check_dateline(after, false)?;
    let label_only = before
        .iter()
        .all(|t| matches!(t, Tok::Sep(_)) || matches!(t, Tok::Word(w) if dateline_word(w)));
    label_only.then_some(Dateline {
        date,
        said: Said::Updated,
        update_follows: false,
    })
}

/// A line that labels the date on the next line and says nothing else: `Updated`,
/// `Published:`, `Last modified on`.
fn label_line(line: &str) -> Option<Said> {
    if line.len() > 40 {
        return None;
    }
    let toks = tokens(line);
    let mut said = None;
    for t in &toks {
        match t {
            Tok::Word(w) if update_word(w) => said = Some(Said::Updated),
            Tok::Word(w) if publish_word(w) => {
                said = said.or(Some(Said::Published));
            }
            Tok::Word(w) if dateline_word(w) => {}
            Tok::Sep(_) => {}
            _ => return None,
        }
    }
    said
}

/// A line that ends with an update word and what may stand beside it (`04.05.2015 à 13h36 •
/// Mis à jour le`): the next line's date is the update's.
fn trailing_update(line: &str) -> Option<Said> {
    if line.chars().count() > 100 {
        return None;
    }
    let toks = tokens(line);
    let u = toks
        .iter()
        .rposition(|t| matches!(t, Tok::Word(w) if update_word(w)))?;
    toks[u + 1..]
        .iter()
        .all(|t| matches!(t, Tok::Sep(_)) || matches!(t, Tok::Word(w) if dateline_word(w)))
        .then_some(Said::Updated)
}

/// Whether the tokens are a dateline: a date and only a dateline's words beside it (weekdays,
/// `Posted on`, a time and its zone, a leading place, a byline, a segment behind a bar).
/// Returns the date and whether a word says it is the publication's.
fn check_dateline(toks: &[Tok], place_allowed: bool) -> Option<(Result<Date, ()>, bool)> {
    let (start, end, ymd) = match_date(toks)?;
    // A letter's dateline on its first line (`Berlin, den 26. Februar 2026`, `Paris, le 3 mars
    // 2026`): a place, its comma, and a word that says a date follows. A title that names a
    // place and a date (`Xocalı, 26 fevral 1992`) has no such word.
    let letter_place = toks[..start]
        .iter()
        .position(|t| matches!(t, Tok::Sep(',')))
        .is_some_and(|c| {
            c > 0
                && c + 2 <= start
                && toks[..c].iter().all(|t| matches!(t, Tok::Word(_)))
                && matches!(&toks[c + 1], Tok::Word(w) if dateline_word(w))
        });
    let place_allowed = place_allowed || letter_place;
    // What is left must be a dateline's words: weekdays, `Posted on`, a time, a leading place.
    let mut words_before = 0usize;
    let mut place = true;
    let mut published = false;
    // After the date, a segment behind `|` (a section, a title: `26 февраля 2026 | Политика`)
    // or a byline (`On 6/13/2018 by @name`).
    let (mut behind_bar, mut words_after) = (false, 0usize);
    for (i, t) in toks.iter().enumerate() {
        if (start..end).contains(&i) {
            continue;
        }
        match t {
            // `Updated Jul 24, 2018`: not the date the document was published.
            Tok::Word(w) if update_word(w) => return None,
            // `by Name` after the date, not `por la tarde` (an article after it: a sentence).
            Tok::Word(w)
                if i >= end
                    && BYLINES.contains(&w.as_str())
                    && !matches!(toks.get(i + 1), Some(Tok::Word(n)) if ARTICLES.contains(&n.as_str())) =>
            {
                behind_bar = true
            }
            Tok::Word(w) if dateline_word(w) => published |= publish_word(w),
            Tok::Word(_) if i < start && place_allowed && place => words_before += 1,
            Tok::Word(_) if behind_bar && words_after < 4 => words_after += 1,
            Tok::Word(_) => return None,
            // Behind a bar, a count (`· 18 min read`).
            Tok::Num(..) if behind_bar => {}
            Tok::Num(n, len) => {
                if !time_part(toks, i, *n, *len) {
                    return None;
                }
            }
            Tok::Sep(c) => {
                let segment_end = matches!(c, ',' | '|' | '·' | '•' | '—' | '–');
                if i < start && segment_end {
                    place = false;
                }
                if i >= end && matches!(c, '|' | '·' | '•') {
                    behind_bar = true;
                }
            }
        }
    }
    if words_before > 3 {
        return None;
    }
    if words_before > 0 && place {
        // Words before the date without the comma of a place: not a dateline.
        return None;
    }
    let (y, m, d) = ymd;
    Some((real_date(y, m, d), published))
}

/// Articles that follow `by`, `par`, `por`, `von` in a sentence (`por la tarde`, `by the
/// sea`), not in a byline.
const ARTICLES: &[&str] = &[
    "the", "a", "an", "la", "el", "los", "las", "le", "les", "l", "un", "una", "der", "die", "das",
    "dem", "den", "des", "ein", "eine", "il", "lo", "gli",
];

/// Whether the number at `i` is a piece of a time: `13:54`, `13:54:07`, `13h54`, `18h`, or
/// the zone offset after one (`14:42:01-0700`, `16:42:01-05`, `+03:00`).
fn time_part(toks: &[Tok], i: usize, n: u32, len: usize) -> bool {
    let at = |j: Option<usize>| j.and_then(|j| toks.get(j));
    let (prev, next) = (at(i.checked_sub(1)), at(Some(i + 1)));
    let colon = |t: Option<&Tok>| matches!(t, Some(Tok::Sep(':')));
    let h = |t: Option<&Tok>| matches!(t, Some(Tok::Word(w)) if w == "h");
    if len <= 2 && n < 60 && (colon(prev) || colon(next) || h(prev) || h(next)) {
        return true;
    }
    // A zone offset: a sign right after a time's last number.
    let sign = matches!(prev, Some(Tok::Sep('+' | '-')));
    let after_time =
        matches!(at(i.checked_sub(2)), Some(Tok::Num(_, 1..=2))) && colon(at(i.checked_sub(3)));
    sign && after_time && (len == 2 || len == 4) && n <= 1400
}

/// The date a header's value starts with, whatever follows it (`Wed, 14 Jan 2026 10:00 +0000`).
fn date_in(value: &str) -> Option<Result<Date, ()>> {
    let (_, _, (y, m, d)) = match_date(&tokens(value))?;
    Some(real_date(y, m, d))
}

/// The years a dateline's date may have (see `match_date`).
const GREGORIAN_YEARS: std::ops::RangeInclusive<u32> = 1583..=2199;

fn real_date(y: u32, m: u32, d: u32) -> Result<Date, ()> {
    i16::try_from(y)
        .ok()
        .zip(i8::try_from(m).ok().zip(i8::try_from(d).ok()))
        .and_then(|(y, (m, d))| Date::new(y, m, d).ok())
        .ok_or(())
}

/// The first date in the tokens: its token span and (year, month, day).
fn match_date(toks: &[Tok]) -> Option<(usize, usize, (u32, u32, u32))> {
    let month_of = |t: &Tok| match t {
        Tok::Word(w) => months().get(w.as_str()).map(|&m| m as u32),
        _ => None,
    };
    let day = |t: &Tok| match t {
        Tok::Num(n, len) if *len <= 2 && (1..=31).contains(n) => Some(*n),
        _ => None,
    };
    // A Gregorian year: from the calendar's first full year to two centuries ahead. Years of
    // other calendars written the same way (the Solar Hijri `1404/11/14` of an Iranian
    // document, a Thai document's Buddhist-era `2569-02-03`) are no dates here.
    let year = |t: &Tok| match t {
        Tok::Num(n, 4) if GREGORIAN_YEARS.contains(n) => Some(*n),
        _ => None,
    };
    // Fillers between the parts: `26. Februar`, `26 de febrero de 2026`, `26th of February`.
    let skip = |toks: &[Tok], mut i: usize| {
        while let Some(t) = toks.get(i) {
            match t {
                Tok::Sep('.' | ',' | '-') => i += 1,
                Tok::Word(w) if matches!(w.as_str(), "de" | "of" | "del" | "den") => i += 1,
                _ => break,
            }
        }
        i
    };
    for i in 0..toks.len() {
        // A range (`25-26 February`) is not one date.
        let ranged = i >= 2
            && matches!(toks[i - 1], Tok::Sep('-' | '–'))
            && matches!(toks[i - 2], Tok::Num(..));
        // D MONTH YYYY
        if let Some(d) = day(&toks[i]) {
            let j = skip(toks, i + 1);
            if let Some(m) = toks.get(j).and_then(month_of) {
                let k = skip(toks, j + 1);
                if let Some(y) = toks.get(k).and_then(year) {
                    if ranged {
                        return None;
                    }
                    return Some((i, k + 1, (y, m, d)));
                }
            }
        }
        // MONTH D, YYYY
        if let Some(m) = month_of(&toks[i]) {
            let j = skip(toks, i + 1);
            if let Some(d) = toks.get(j).and_then(day) {
                let k = skip(toks, j + 1);
                if let Some(y) = toks.get(k).and_then(year) {
                    if matches!(toks.get(k + 1), Some(Tok::Sep('-' | '–'))) {
                        return None;
                    }
                    return Some((i, k + 1, (y, m, d)));
                }
            }
        }
        // Chinese, Japanese and Korean: 2018年6月19日, 2019년 8월 20일.
        if let (
            Some(y),
            Some(Tok::Word(a)),
            Some(Tok::Num(m, 1..=2)),
            Some(Tok::Word(b)),
            Some(d),
            Some(Tok::Word(c)),
        ) = (
            year(&toks[i]),
            toks.get(i + 1),
            toks.get(i + 2),
            toks.get(i + 3),
            toks.get(i + 4).and_then(day),
            toks.get(i + 5),
        ) && matches!(
            (a.as_str(), b.as_str(), c.as_str()),
            ("年", "月", "日") | ("년", "월", "일")
        ) {
            return Some((i, i + 6, (y, *m, d)));
        }
        // YYYY[.] [abbr.] MONTH D (Hungarian, Armenian `1948 թ. դեկտեմբերի 10`), YYYY [abbr.]
        // D MONTH (Kazakh `1948 ж. 10 желтоқсан`), YYYY-MM-DD, numeric D/M/YYYY.
        if let Some(y) = year(&toks[i]) {
            let mut j = i + 1;
            loop {
                match toks.get(j) {
                    Some(Tok::Sep('.' | ',' | '-')) => j += 1,
                    Some(Tok::Word(w))
                        if w.chars().count() <= 2 && months().get(w.as_str()).is_none() =>
                    {
                        j += 1
                    }
                    _ => break,
                }
            }
            if let Some(m) = toks.get(j).and_then(month_of) {
                let k = skip(toks, j + 1);
                if let Some(d) = toks.get(k).and_then(day) {
                    return Some((i, k + 1, (y, m, d)));
                }
            }
            if let Some(d) = toks.get(j).and_then(day) {
                let k = skip(toks, j + 1);
                if let Some(m) = toks.get(k).and_then(month_of) {
                    return Some((i, k + 1, (y, m, d)));
                }
            }
            if let (
                Some(Tok::Sep(s1)),
                Some(Tok::Num(m, 1..=2)),
                Some(Tok::Sep(s2)),
                Some(Tok::Num(d, 1..=2)),
            ) = (
                toks.get(i + 1),
                toks.get(i + 2),
                toks.get(i + 3),
                toks.get(i + 4),
            ) && s1 == s2
                && matches!(s1, '-' | '/' | '.')
            {
                return Some((i, i + 5, (y, *m, *d)));
            }
        }
        if let (
            Some(Tok::Num(a, 1..=2)),
            Some(Tok::Sep(s1)),
            Some(Tok::Num(b, 1..=2)),
            Some(Tok::Sep(s2)),
            Some(y),
        ) = (
            toks.get(i),
            toks.get(i + 1),
            toks.get(i + 2),
            toks.get(i + 3),
            toks.get(i + 4).and_then(year),
        ) && s1 == s2
            && matches!(s1, '/' | '.' | '-')
        {
            // Only when it cannot be read two ways: 26/02 is day first, 02/26 month first.
            let (d, m) = match (*a, *b) {
                (a, b) if a == b => (a, b),
                (a, b) if a > 12 && b <= 12 => (a, b),
                (a, b) if b > 12 && a <= 12 => (b, a),
                _ => return None,
            };
            return Some((i, i + 5, (y, m, d)));
        }
    }
    None
}

/// `- 13:54`: `None` when not a time line, `Some(Err)` when the time is impossible.
fn parse_time_line(line: &str) -> Option<Result<(), String>> {
    let body = line.trim().strip_prefix('-')?.trim();
    let (h, m) = body.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let hour: u8 = h.parse().ok()?;
    let minute: u8 = m.parse().ok()?;
    Some(if hour < 24 && minute < 60 {
        Ok(())
    } else {
        Err(format!(
            "the time `{body}` of the dateline is not a real time"
        ))
    })
}

/// Salutations that open a letter: never a title.
const SALUTATIONS: &[&str] = &[
    "dear",
    "hi",
    "hello",
    "lieber",
    "liebe",
    "sehr geehrte",
    "sehr geehrter",
    "hallo",
    "cher",
    "chère",
    "chers",
    "madame",
    "monsieur",
    "querido",
    "querida",
    "estimado",
    "estimada",
    "estimados",
    "estimadas",
    "queridos",
    "queridas",
    "hola",
    "уважаемый",
    "уважаемая",
    "уважаемые",
    "дорогой",
    "дорогая",
    "дорогие",
    "здравствуйте",
    "шановний",
    "шановна",
    "шановні",
    "дорогий",
    "hörmətli",
    "əziz",
    "sayın",
    "sevgili",
    "merhaba",
    "caro",
    "cara",
    "gentile",
    "egregio",
    "drogi",
    "droga",
    "szanowny",
    "szanowna",
    "beste",
    // Greetings that open a letter or a mail as a salutation does (`Добрый день, коллеги!`):
    // the head ends there too, and a meeting's date below is not the letter's.
    "good morning",
    "good afternoon",
    "good evening",
    "guten tag",
    "guten morgen",
    "bonjour",
    "bonsoir",
    "buenos días",
    "buenas tardes",
    "buongiorno",
    "olá",
    "prezado",
    "prezada",
    "dzień dobry",
    "добрый день",
    "доброе утро",
    "добрый вечер",
    "привет",
    "здравствуй",
    "добрий день",
    "вітаю",
    "привіт",
    "salam",
    "günaydın",
    "iyi günler",
];

/// Bylines: `By John Smith`, `Von ...`, `Автор: ...`. Never a title.
const BYLINES: &[&str] = &[
    "by",
    "von",
    "par",
    "por",
    "di",
    "автор",
    "автор:",
    "müəllif",
    "müəllif:",
    "yazar",
    "yazan",
    "author",
    "autor",
    "auteur",
];

fn is_salutation(line: &str) -> bool {
    let lower = line.to_lowercase();
    SALUTATIONS.iter().any(|s| {
        lower
            .strip_prefix(s)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ',', '!', ':']))
    })
}

fn is_byline(line: &str) -> bool {
    let first = line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches(':')
        .to_lowercase();
    BYLINES.contains(&first.as_str()) && line.split_whitespace().count() <= 8
}

/// A line of `|`-separated (or `•`, `·`) items: site navigation. Not a page's title whose
/// first part says more than all the others (`Headline | Author | Section | Site`).
pub fn is_menu(line: &str) -> bool {
    ['|', '•', '·', '¦'].iter().any(|&sep| {
        let mut items = line.split(sep).map(str::trim);
        let first = items.next().map_or(0, |i| i.split_whitespace().count());
        let (mut count, mut filled, mut rest) = (1usize, usize::from(first > 0), 0usize);
        for item in items {
            count += 1;
            filled += usize::from(!item.is_empty());
            rest += item.split_whitespace().count();
        }
        let headline = first >= 5 && first > rest;
        count >= 3 && filled >= 2 && !headline
    })
}

/// A Markdown ATX heading's text: `# Title` (1-6 marks, then a space).
fn atx_heading(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let marks = t.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&marks) {
        return None;
    }
    let rest = &t[marks..];
    if !rest.starts_with(' ') {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim();
    // Emphasis around the whole heading (`# **Minutes**`), and HTML's tags around it
    // (`# **<h1>Protokoll</h1>**`, a heading written in both): the words inside.
    let text = without_emphasis(without_tags(without_emphasis(text)));
    (!text.is_empty()).then_some(text)
}

/// A Markdown link at the start of `s` (`[text](url)`, `[text][ref]`, `[text]`): its length
/// and its text.
fn md_link(s: &str) -> Option<(usize, &str)> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let text = &inner[..close];
    if text.contains('[') {
        return None;
    }
    Some((1 + close + 1 + link_target(&inner[close + 1..])?, text))
}

/// The length of a Markdown link's target at the start of `after`: `(url)`, `[ref]`, or none
/// (0); `None` when it is not closed.
fn link_target(after: &str) -> Option<usize> {
    match after.chars().next() {
        Some('(') => after.find(')').map(|n| n + 1),
        Some('[') => after.find(']').map(|n| n + 1),
        _ => Some(0),
    }
}

/// A Markdown heading's text as a reader sees it: images and badges (`![CI](...)`,
/// `[![crates.io](...)](...)`) left out, links as their text (`[base64](https://...)`,
/// `[RustCrypto]: Block Buffer`). For READMEs, whose headings carry their badges.
fn heading_text(heading: &str) -> std::borrow::Cow<'_, str> {
    if !heading.contains('[') {
        return std::borrow::Cow::Borrowed(heading);
    }
    let mut out = String::with_capacity(heading.len());
    let mut i = 0;
    while let Some(c) = heading[i..].chars().next() {
        let rest = &heading[i..];
        // A badge: an image inside a link (`[![CI](img)](url)`, `[![CI][img]][ci]`).
        if let Some(image) = rest.strip_prefix("[!")
            && let Some((n, _)) = md_link(image)
            && let Some(after) = image[n..].strip_prefix(']')
            && let Some(target) = link_target(after)
        {
            i += 2 + n + 1 + target;
            continue;
        }
        if let Some(image) = rest.strip_prefix('!')
            && let Some((n, _)) = md_link(image)
        {
            i += 1 + n;
            continue;
        }
        if let Some((n, text)) = md_link(rest) {
            out.push_str(text);
            i += n;
            continue;
        }
        out.push(c);
        i += c.len_utf8();
    }
    // The spaces HTML's entities make between a name and its badges (`Serde &emsp; [![...`).
    for entity in ["&emsp;", "&ensp;", "&nbsp;"] {
        out = out.replace(entity, " ");
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    if words.is_empty() {
        return std::borrow::Cow::Borrowed(heading);
    }
    std::borrow::Cow::Owned(words.join(" "))
}

/// Emphasis marks around the whole of a text (`**Minutes**`), taken off.
fn without_emphasis(mut text: &str) -> &str {
    // A code span around the whole (`` # `clap_mangen` ``): a README's name of its program.
    for mark in ["**", "__", "*", "_", "`"] {
        if let Some(inner) = text.strip_prefix(mark).and_then(|t| t.strip_suffix(mark))
            && !inner.trim().is_empty()
        {
            text = inner.trim();
        }
    }
    text
}

/// An HTML tag: `<h1>`, `</h1>`, `<h1 align="center">`, `<br/>` (a letter or `/` after `<`).
fn tag_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('<')?;
    let name = rest.strip_prefix('/').unwrap_or(rest);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = rest.find(['>', '<'])?;
    (rest.as_bytes()[end] == b'>').then_some(end + 2)
}

/// A text with HTML tags at its start and end taken off (`<h1>Title</h1>` is `Title`), when
/// they stand only there: a heading about `<div>` keeps it.
fn without_tags(text: &str) -> &str {
    let mut t = text.trim();
    while let Some(n) = tag_len(t) {
        t = t[n..].trim_start();
    }
    while let Some(open) = t.rfind('<') {
        match tag_len(&t[open..]) {
            Some(n) if open + n == t.len() => t = t[..open].trim_end(),
            _ => break,
        }
    }
    if t.len() == text.trim().len() || t.contains(['<', '>']) {
        return text.trim();
    }
    t
}

/// An HTML heading alone on a line (`<h1 align="center">Title</h1>`, a README's): its text.
fn html_heading(line: &str) -> Option<&str> {
    let t = line.trim();
    let open = t.strip_prefix("<h")?;
    if !open.starts_with(['1', '2']) || !t.ends_with('>') {
        return None;
    }
    let inner = without_emphasis(without_tags(t));
    (inner.len() < t.len() && !inner.is_empty() && !inner.contains(['<', '>'])).then_some(inner)
}

/// A setext underline: `===` or `---` (three or more) alone on a line.
pub fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-'))
}

/// A line no reader sees as text: a Markdown image or badge (`[![build](...)](...)`), a link's
/// definition (`[docs]: https://...`, `[comment]: # (...)`), an HTML tag or comment
/// (`<div align="center">`, `<!--`), a reStructuredText directive or substitution
/// (`.. image:: ...`, `|Logo|`).
fn is_markup(text: &str) -> bool {
    let t = text.trim();
    // A reStructuredText comment, label or directive (`.. _settings:`, `.. note::`).
    let directive = t.starts_with(".. ");
    let substitution = t.len() > 2
        && t.starts_with('|')
        && t.ends_with('|')
        && t.matches('|').count() == 2
        && !t[1..].starts_with(' ');
    if t.starts_with("<!--") || directive || substitution {
        return true;
    }
    let definition = t
        .strip_prefix('[')
        .and_then(|r| r.split_once("]:"))
        .is_some_and(|(label, rest)| {
            !label.is_empty() && !label.contains(']') && rest.starts_with(' ')
        });
    t.starts_with("![")
        || t.starts_with("[![")
        || definition
        || (t.starts_with('<') && t.ends_with('>'))
}

/// A heading of only month and weekday names and numbers (`November`, `February 01`).
fn is_date_word_only(heading: &str) -> bool {
    let mut any_name = false;
    for w in heading
        .split(|c: char| !crate::unicode::is_alphanumeric(c))
        .filter(|w| !w.is_empty())
    {
        if w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if !date_word(&w.to_lowercase()) {
            return false;
        }
        any_name = true;
    }
    any_name
}

/// A message a web page's program printed above it (PHP's `Warning: ... in /www/x.php on
/// line 299`): a path after ` in /`, and `on line` with a number at its end.
fn is_program_message(text: &str) -> bool {
    let t = text.trim();
    t.contains(" in /")
        && t.rsplit_once(" on line ")
            .is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Why a heading or a first line is no document's title, when it is none of these: a release's
/// heading (a changelog's or NEWS file's: [`is_release_heading`]), a changelog entry's header
/// line (Debian's `pkg (1.0-1) unstable; urgency=low`, GNU's `2022-04-07  Name  <mail>`, a git
/// log's `commit 0dfab42...`), a
/// copyright notice, a numbered item of an agenda or a document's numbered section (`TOP 1
/// Begrüßung`, `1. Opening`), a clause (ending in `,` or `;`, or a sentence of several words
/// and a full stop), or markup alone.
fn not_a_title(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let lower = t.to_lowercase();
    if is_release_heading(t) {
        return Some("it is a release's heading (a version, its date)");
    }
    let commit = lower
        .strip_prefix("commit ")
        .is_some_and(|h| h.len() >= 7 && h.chars().all(|c| c.is_ascii_hexdigit()));
    if commit
        || lower.contains("; urgency=")
        || (starts_with_date(t) && t.contains('@') && t.ends_with('>'))
    {
        return Some(
            "it is a changelog entry's header (a version, a commit or a date, its author)",
        );
    }
    if t.contains('©')
        || lower.starts_with("(c)")
        || lower.split_once("copyright").is_some_and(|(_, rest)| {
            rest.contains("(c)") || rest.chars().any(|c| c.is_ascii_digit())
        })
    {
        return Some("it is a copyright notice");
    }
    if numbered_item(&lower) {
        return Some("it is a numbered item of an agenda or a section");
    }
    let words = t.split_whitespace().count();
    if t.ends_with([',', ';']) || (t.ends_with('.') && !t.ends_with("..") && words >= 4) {
        return Some("it ends like a clause or a sentence");
    }
    if is_markup(t) {
        return Some("it is markup");
    }
    if field_label(t) {
        return Some("it is a field's name, its value below it (`Files:`, `License:`)");
    }
    if t.split_whitespace().any(|w| {
        let w = w.trim_start_matches(['<', '(']);
        w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www.")
    }) {
        return Some("it has a link: a sentence's or a site's, not a title");
    }
    let last = lower
        .split_whitespace()
        .next_back()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()));
    if words >= 3 && last.is_some_and(|w| DANGLING.contains(&w)) {
        return Some("it breaks off after a word that has its noun or its date in the next line");
    }
    None
}

/// A field's name alone on its line (`Files:`, `Upstream-Contact:`), as a record writes it over
/// its value's lines.
fn field_label(t: &str) -> bool {
    t.strip_suffix(':').is_some_and(|name| {
        !name.is_empty()
            && name.starts_with(|c: char| c.is_uppercase())
            && name.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

/// Words a title does not end with and a sentence broken into lines does (`This package was
/// debianized by ... on` / `Fri, 19 Aug 2005`; `... distribute, and sell this software and
/// its`): articles, prepositions, conjunctions and possessives, lowercase.
const DANGLING: &[&str] = &[
    "the", "a", "an", "of", "on", "by", "from", "with", "and", "or", "to", "at", "for", "its",
    "their", "our", "your", "whose", "this", "these", "those", "der", "die", "das", "den", "dem",
    "des", "und", "von", "vom", "am", "im", "mit", "für", "le", "la", "les", "du", "des", "et",
    "au", "aux", "par", "sur", "el", "los", "las", "del", "y", "por", "con", "və", "ilə", "ve",
    "ile", "и", "в", "на", "от", "по", "для", "і", "та", "від",
];

/// Words that number an agenda's items (`TOP 1`, `Punkt 2`, `Point 1`, `Gündem 1`), lowercase.
const ITEM_WORDS: &[&str] = &[
    "top",
    "tagesordnungspunkt",
    "punkt",
    "point",
    "punto",
    "item",
    "gündem",
    "bənd",
    "пункт",
    "§",
];

/// A numbered item: `1. ...`, `1) ...`, `2.3 ...`, or an item word and a number (`TOP 1`).
fn numbered_item(lower: &str) -> bool {
    let mut words = lower.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let number = |w: &str| {
        let w = w.trim_end_matches(['.', ')', ':']);
        !w.is_empty()
            && w.chars().all(|c| c.is_ascii_digit() || c == '.')
            && w.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    let numbered_first = first.chars().next().is_some_and(|c| c.is_ascii_digit())
        && first.ends_with(['.', ')'])
        && number(first)
        && words.clone().next().is_some();
    numbered_first
        || (ITEM_WORDS.contains(&first.trim_end_matches([':', '.']))
            && words.next().is_some_and(number))
}

/// A line that starts with a date (`2022-04-07  Name <mail>`).
fn starts_with_date(t: &str) -> bool {
    let head: String = t.chars().take(10).collect();
    head.len() == 10 && find_date(&head, true).is_some()
}

/// A release's heading in a changelog or NEWS file: a version, after a name or `Release`,
/// `Version` (`1.13.1`, `Release 0.4.3`, `dbus 1.14.10`, `v66.1.1`), with or without a date
/// in brackets or after a dash (`1.13.1 (2026-07-15)`, `1.2.0 - 2024-03-01`); or `Unreleased`.
fn is_release_heading(text: &str) -> bool {
    let t = text.trim().trim_matches(['[', ']', '*', '_']).trim();
    let lower = t.to_lowercase();
    if lower == "unreleased" {
        return true;
    }
    // What stands before a bracket (a date, a codename), or before a spaced dash with a date
    // after it: `Minecraft 1.8 - The Bountiful Update` is a title.
    let bracket = lower.find(" (").unwrap_or(lower.len());
    let dash = [" - ", " – ", " — "]
        .iter()
        .filter_map(|sep| lower.find(sep).map(|at| (at, sep.len())))
        .filter(|&(at, len)| find_date(&lower[at + len..], true).is_some())
        .map(|(at, _)| at)
        .min()
        .unwrap_or(lower.len());
    let cut = bracket.min(dash);
    let words: Vec<&str> = lower[..cut].split_whitespace().collect();
    if words.is_empty() || words.len() > 3 {
        return false;
    }
    let last = words[words.len() - 1].trim_matches(['[', ']']);
    let version = {
        let v = last.strip_prefix('v').unwrap_or(last);
        v.contains('.')
            && v.split('.').all(|p| !p.is_empty())
            && v.chars().next().is_some_and(|c| c.is_ascii_digit())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
            && v.chars().filter(|c| c.is_ascii_digit()).count() * 2 >= v.len()
    };
    // A name or a word (`Release`, `Version`) before it.
    let name_ok = words[..words.len() - 1].iter().all(|w| {
        w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    version && name_ok
}

/// The title, with its evidence, if the head has one.
/// `removed`: the lines taken off as the page's furniture, which may name its site.
pub fn title(lines: &[Line], dates: &Dates, removed: &[Removed]) -> (Option<String>, Found) {
    let none = |why: &str| (None, Found::rule("none").detail(why));
    // A Markdown document's front matter (`---` / `title: ...` / `---`) names its title.
    let skip = match front_matter(lines) {
        Some((_, Some((t, no)))) => return (Some(t), Found::rule("front-matter").at(no)),
        Some((end, None)) => end + 1,
        None => 0,
    };
    // The first non-blank line that is not a date line.
    let Some(index) = lines
        .iter()
        .enumerate()
        .skip(skip)
        .find(|(_, l)| !l.text.trim().is_empty() && !dates.date_lines.contains(&l.no))
        .map(|(i, _)| i)
    else {
        return none("no line to take for a title");
    };
    let line = &lines[index];
    let mut text = std::borrow::Cow::Borrowed(line.text.trim());
    if lines.len() < 2 {
        return none("the document is one line");
    }
    // A header block's `Title: ...` (Pelican's and other blog engines' metadata above the text).
    if let Some((label, rest)) = text.split_once(':')
        && label.trim().eq_ignore_ascii_case("title")
        && !rest.trim().is_empty()
    {
        return (
            Some(rest.trim().to_owned()),
            Found::rule("title-header").at(line.no),
        );
    }
    if let Some(heading) = atx_heading(&text) {
        // A heading that is a date or a month (a monthly log's `# November`) names no document.
        if find_date(heading, true).is_some() || is_date_word_only(heading) {
            return none("the first heading is a date");
        }
        if let Some(why) = not_a_title(&heading_text(heading)) {
            return none(&format!("the first heading is no title: {why}"));
        }
        return (
            Some(heading_text(heading).into_owned()),
            Found::rule("markdown-heading").at(line.no),
        );
    }
    if let Some((heading, no)) = heading_below_notes(lines, index, dates)
        && not_a_title(&heading_text(heading)).is_none()
    {
        return (
            Some(heading_text(heading).into_owned()),
            Found::rule("markdown-heading").at(no).detail(format!(
                "below line {}, a note or markup, no title",
                line.no
            )),
        );
    }
    if let Some(heading) = html_heading(&text) {
        if find_date(heading, true).is_some() || is_date_word_only(heading) {
            return none("the first heading is a date");
        }
        if let Some(why) = not_a_title(&heading_text(heading)) {
            return none(&format!("the first heading is no title: {why}"));
        }
        return (
            Some(heading_text(heading).into_owned()),
            Found::rule("html-heading").at(line.no),
        );
    }
    let mut next = lines.get(index + 1);
    if is_underline(&text) {
        // A reStructuredText title between two rules (`====` / `Settings` / `====`).
        if let (Some(n), Some(under)) = (next, lines.get(index + 2))
            && is_underline(&under.text)
            && !is_underline(&n.text)
            && !n.text.trim().is_empty()
            && not_a_title(&n.text).is_none()
        {
            return (
                Some(n.text.trim().to_owned()),
                Found::rule("setext-heading")
                    .at(n.no)
                    .detail("between two rules"),
            );
        }
        return none("the first line is a rule");
    }
    if next.is_some_and(|n| is_underline(&n.text)) {
        if let Some(why) = not_a_title(&text) {
            return none(&format!("the first heading is no title: {why}"));
        }
        return (
            Some(text.into_owned()),
            Found::rule("setext-heading").at(line.no),
        );
    }
    if let Some((subject, no)) = subject_line(lines) {
        return (Some(subject.to_owned()), Found::rule("subject-line").at(no));
    }
    if is_menu(&text) {
        return none("the first line is a menu of items");
    }
    if is_salutation(&text) {
        return none("the first line is a salutation");
    }
    if is_byline(&text) {
        return none("the first line is a byline");
    }
    if find_date(&text, true).is_some() {
        return none("the first line is a date");
    }
    if is_markup(&text) {
        return none("the first line is markup (an image, a link's definition or an HTML tag)");
    }
    if is_program_message(&text) {
        return none("the first line is a program's message (`... in /path on line N`)");
    }
    // A page's `<title>` wrapped onto a second line that goes on in lowercase and ends the
    // paragraph (`... the truth about tech` / `and libertarians - Salon.com`).
    let mut wrapped = None;
    if let Some(n) = next
        && !dates.date_lines.contains(&n.no)
        && !is_byline(n.text.trim())
        && let Some(joined) = wrapped_title(&text, n, lines.get(index + 2))
    {
        wrapped = Some(n.no);
        text = std::borrow::Cow::Owned(joined);
        next = lines.get(index + 2);
    }
    // A page's `<title>` the scraper broke after its site's name (`BMWK -` / `Headline`): the
    // title goes on in the next line; without one, the first line is a fragment, no title.
    let mut after = index + 1 + usize::from(wrapped.is_some());
    if wrapped.is_none() && breaks_at_separator(&text) {
        // The next non-blank line: right below, or past a blank line when the page repeats it
        // further down (its headline).
        let title_like = |n: &Line| {
            let t = n.text.trim();
            !dates.date_lines.contains(&n.no)
                && !is_byline(t)
                && !ends_like_sentence(t)
                && t.split_whitespace().count() <= TITLE_MAX_WORDS
        };
        let joined = (index + 1..lines.len())
            .find(|&j| !lines[j].text.trim().is_empty())
            .filter(|&j| {
                title_like(&lines[j])
                    && (j == index + 1 || {
                        let plain_next = plain(lines[j].text.trim());
                        lines[j + 1..]
                            .iter()
                            .take(HEADLINE_WITHIN)
                            .any(|l| repeats(l.text.trim(), &plain_next))
                    })
            });
        if let Some(j) = joined {
            wrapped = Some(lines[j].no);
            text = std::borrow::Cow::Owned(format!("{text} {}", lines[j].text.trim()));
            after = j + 1;
            next = lines.get(after);
        } else {
            // A `<title>` whose site's part is empty (`Heizjacken von Bosch -`): the rest, when
            // it says more than a name.
            let rest = text
                .trim_end()
                .trim_end_matches(TITLE_SEPARATORS)
                .trim_end()
                .to_owned();
            if rest.split_whitespace().count() < FRAGMENT_MIN_WORDS {
                return none("the first line breaks off at a separator (`Site -`)");
            }
            text = std::borrow::Cow::Owned(rest);
        }
    }
    let below = &lines[after..];
    // A page's title that a line below repeats (its headline) is a title whatever follows it
    // and however it ends (`Where do relations go after the vote?`).
    // Read only when the answer needs it: it looks at up to HEADLINE_WITHIN lines.
    // Not in a letter's signature: its sender's name on the first line, above the address, is
    // signed again at the end (`Käthe Schröder` ... `Käthe Schröder`), and is no title.
    let signature = signature_start(lines);
    let repeated = || {
        let plain_title = plain(&text);
        below
            .iter()
            .take(HEADLINE_WITHIN)
            .filter(|l| signature.is_none_or(|s| l.no < s))
            .any(|l| repeats(l.text.trim(), &plain_title))
    };
    let header_line = dates.had_header && index == 0;
    let alone = header_line
        || next.is_none_or(|n| {
            n.text.trim().is_empty() || dates.date_lines.contains(&n.no) || is_byline(n.text.trim())
        });
    // A letter's sender's name standing alone above the address, signed again in its closing
    // lines (`Käthe Schröder` ... `Mit freundlichen Grüßen` / `Käthe Schröder`).
    if alone && let Some(s) = signature {
        let plain_title = plain(&text);
        if lines
            .iter()
            .filter(|l| l.no >= s)
            .any(|l| plain(l.text.trim()) == plain_title)
        {
            return none("the first line is the sender's name, signed again at the end");
        }
    }
    let mut known_repeated = None;
    if !alone {
        if !repeated() {
            return none("the first line runs on into the next");
        }
        known_repeated = Some(true);
    }
    let short = text.chars().count() <= TITLE_MAX_CHARS
        && text.split_whitespace().count() <= TITLE_MAX_WORDS;
    if !short {
        return none("the first line is too long for a title");
    }
    // A page's `<title>` that frames its site's name in `::` (`Post @ Blog :: Site ::`) ends
    // with a separator, not a clause.
    let sentence = if known_repeated.unwrap_or_else(repeated) {
        text.ends_with([',', ';'])
    } else {
        ends_like_sentence(&text) && !text.ends_with(" ::")
    };
    if sentence {
        return none("the first line ends like a sentence");
    }
    if let Some(why) = not_a_title(&text) {
        return none(&format!("the first line is no title: {why}"));
    }
    let rule = if header_line {
        "header-line"
    } else {
        "first-line"
    };
    let wrap_detail = wrapped.map(|n| format!("wrapped onto line {n}"));
    if let Some((headline, at)) = headline_of(&text, below) {
        let mut detail = format!("the page's title without its site's name, as line {at} has it");
        if let Some(w) = &wrap_detail {
            detail = format!("{detail}; {w}");
        }
        return (
            Some(headline.to_owned()),
            Found::rule("page-title-headline")
                .at(line.no)
                .detail(detail),
        );
    }
    if dates.page
        && let Some((headline, site, at)) = site_suffix(&text, lines, index, removed)
    {
        let mut detail =
            format!("the page's title without `{site}`, its site's name: line {at} has it too");
        if let Some(w) = &wrap_detail {
            detail = format!("{detail}; {w}");
        }
        return (
            Some(headline.to_owned()),
            Found::rule("page-title-site").at(line.no).detail(detail),
        );
    }
    let mut found = Found::rule(rule).at(line.no);
    if let Some(w) = wrap_detail {
        found = found.detail(w);
    }
    (Some(text.into_owned()), found)
}

/// Labels of a letter's or a mail's subject line (`Betreff: Kündigung`), lowercase, without
/// the colon: the subject is the document's title.
const SUBJECT_LABELS: &[&str] = &[
    "subject",
    "betreff",
    "betr.",
    "objet",
    "asunto",
    "oggetto",
    "assunto",
    "onderwerp",
    "temat",
    "тема",
    "konu",
    "mövzu",
];

/// A subject line in the document's head (a letter's, a mail's, above its salutation): the
/// subject and its line number.
fn subject_line(lines: &[Line]) -> Option<(&str, u64)> {
    head_indices(lines).into_iter().find_map(|i| {
        let t = lines[i].text.trim();
        let (label, value) = t.split_once(':')?;
        let label = label.trim().trim_matches(['*', '_']).to_lowercase();
        let value = value.trim().trim_matches(['*', '_']).trim();
        (SUBJECT_LABELS.contains(&label.as_str())
            && !value.is_empty()
            && value.split_whitespace().count() <= TITLE_MAX_WORDS)
            .then_some((value, lines[i].no))
    })
}

/// The last non-blank lines of a document that may be its signature (`Mit freundlichen
/// Grüßen` / `Käthe Schröder`).
const SIGNATURE_LINES: usize = 3;
/// ...in a document of at least this many non-blank lines (in a shorter one, they may be its
/// headline and body).
const SIGNATURE_MIN_LINES: usize = 8;

/// The raw line number where a document's closing lines begin ([`SIGNATURE_LINES`]).
fn signature_start(lines: &[Line]) -> Option<u64> {
    let mut filled = lines.iter().rev().filter(|l| !l.text.trim().is_empty());
    let start = filled.by_ref().nth(SIGNATURE_LINES - 1)?.no;
    // No more lines counted than needed: a long document is read from its end only.
    (filled.take(SIGNATURE_MIN_LINES - SIGNATURE_LINES).count()
        == SIGNATURE_MIN_LINES - SIGNATURE_LINES)
        .then_some(start)
}

/// A note above a document's heading: a line in emphasis (`*Draft: ...*`, `_Edited ..._`) or
/// quoted (`> This page moved ...`), or one that ends like a sentence.
fn is_note(text: &str) -> bool {
    let t = text.trim();
    let emphasis = ["**", "__", "*", "_"]
        .iter()
        .any(|m| t.len() > 2 * m.len() && t.starts_with(m) && t.ends_with(m));
    emphasis || t.starts_with('>') || ends_like_sentence(t)
}

/// A version number alone (`1.2.0`, `v0.3`, `[2.0.1]`): a release's heading in a changelog,
/// not a document's title.
fn is_version(text: &str) -> bool {
    let t = text.trim_matches(|c| c == '[' || c == ']').trim();
    let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
    t.contains('.') && t.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// A Markdown document's first-level heading below lines that are no title: notes (an editor's
/// note in emphasis or a quote, a sentence: [`is_note`]), images and badges, comments (`<!--`
/// to `-->`, `[comment]: # (...)`) and date lines, within the head's [`HEAD_LINES`] lines.
/// For READMEs, minutes and newsletters whose first line says something about the document.
/// An HTML block above (a logo in `<p align="center">`) stops it: the title may be the logo's,
/// and the heading below a section's (`# Overview`). Returns the heading and its line number.
fn heading_below_notes<'a>(
    lines: &'a [Line],
    index: usize,
    dates: &Dates,
) -> Option<(&'a str, u64)> {
    let mut in_comment = false;
    let mut seen = 0;
    for line in &lines[index..] {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        // A comment's lines (a licence's notice, a generator's) are not read: not counted.
        if in_comment || t.starts_with("<!--") {
            in_comment = !t.contains("-->");
            continue;
        }
        seen += 1;
        if seen > HEAD_LINES {
            return None;
        }
        if t.starts_with("# ")
            && let Some(heading) = atx_heading(t)
        {
            let dated = find_date(heading, true).is_some() || is_date_word_only(heading);
            return (!dated && !is_version(heading)).then_some((heading, line.no));
        }
        let html_block = t.starts_with('<') && !t.starts_with("<!--");
        let passes =
            dates.date_lines.contains(&line.no) || (!html_block && (is_markup(t) || is_note(t)));
        if !passes {
            return None;
        }
    }
    None
}

/// Lines a document's front matter may have at most.
const FRONT_MATTER_LINES: usize = 40;

/// A front matter block opening the document (`---`, `key: value` lines, `---`): the index
/// of its closing line, and its `title:` value (quotes taken off) with the line's number.
pub fn front_matter(lines: &[Line]) -> Option<(usize, Option<(String, u64)>)> {
    let open = lines.iter().position(|l| !l.text.trim().is_empty())?;
    if lines[open].text.trim() != "---" {
        return None;
    }
    let mut title = None;
    for (i, line) in lines
        .iter()
        .enumerate()
        .skip(open + 1)
        .take(FRONT_MATTER_LINES)
    {
        let t = line.text.trim();
        if t == "---" || t == "..." {
            return Some((i, title));
        }
        if let Some(value) = t.strip_prefix("title:") {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            if !value.is_empty() && title.is_none() {
                title = Some((value.to_owned(), line.no));
            }
        }
    }
    None
}

/// A first line wrapped onto `next`: `next` begins in lowercase, is short, and a blank line
/// (or the end) follows it, and the first line does not end like a sentence. The two joined.
fn wrapped_title(first: &str, next: &Line, after: Option<&Line>) -> Option<String> {
    let n = next.text.trim();
    let lower = n.chars().next().is_some_and(char::is_lowercase);
    let ends_paragraph = after.is_none_or(|a| a.text.trim().is_empty());
    (lower && ends_paragraph && !ends_like_sentence(first) && n.split_whitespace().count() <= 8)
        .then(|| format!("{first} {n}"))
}

/// A title broken off at a separator, its site's part empty, is a title when what is left has
/// this many words: fewer (`BMWK -`) are a site's name.
const FRAGMENT_MIN_WORDS: usize = 3;

/// A line that ends with a spaced separator (`BMWK -`, `Site |`): the first part of a title.
fn breaks_at_separator(text: &str) -> bool {
    let t = text.trim_end();
    t.chars().next_back().is_some_and(|c| {
        c != ':' && TITLE_SEPARATORS.contains(&c) && t[..t.len() - c.len_utf8()].ends_with(' ')
    }) && t.chars().filter(|c| c.is_alphanumeric()).count() > 0
}

/// What stands between a page's headline and its site's name in the page's title.
const TITLE_SEPARATORS: &[char] = &['-', '–', '—', '|', '｜', '»', '·', ':', '：', '/', '~'];

/// Separators before a site's name at the end of a page's title.
const SITE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " · ", " :: ", " ｜ "];

/// A page's title ending with its site's name (`Headline | CNN Politics`, `Headline - Vox`)
/// when no line has the headline alone: the last part, set apart by a spaced separator, is a
/// name (at most four words, shorter than the rest, no number alone) that at least two other
/// lines of the page have too (`Follow CNN Politics`, `Vox Media`), and what is left has
/// three words or more. Returns the headline, the name and a line that has it.
fn site_suffix<'a>(
    title: &'a str,
    lines: &[Line],
    index: usize,
    removed: &[Removed],
) -> Option<(&'a str, &'a str, u64)> {
    let (at, sep) = SITE_SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|at| (at, *sep)))
        .max()?;
    let (headline, site) = (title[..at].trim(), title[at + sep.len()..].trim());
    let words = site.split_whitespace().count();
    if !(1..=4).contains(&words)
        || !is_name_part(site)
        || site.chars().count() >= headline.chars().count()
        || headline.split_whitespace().count() < 3
        || headline.ends_with(TITLE_SEPARATORS)
    {
        return None;
    }
    // Other lines of the page with the name as whole words: the top and the bottom of it.
    let has = |text: &str| {
        text.match_indices(site).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + site.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    let tail = lines.len().saturating_sub(SITE_TAIL);
    let mut others = lines
        .iter()
        .enumerate()
        .filter(|&(i, l)| i != index && (i < HEADLINE_WITHIN || i >= tail) && has(&l.text))
        .map(|(_, l)| l.no)
        // The page's lines taken off as its furniture (`Follow CNN Politics` in its footer)
        // are the page's too.
        .chain(
            removed
                .iter()
                .filter(|r| r.reason != "date-header" && has(&r.text))
                .map(|r| r.line),
        );
    let first = others.next()?;
    others.next()?;
    Some((headline, site, first))
}

/// Lines at the end of a page looked at for its site's name (its footer).
const SITE_TAIL: usize = 100;

/// What a page's title has beside its headline (`- 21/12/2018 - Esporte - Folha`,
/// `| Eleanor Ainge Roy | Environment | The Guardian`): parts set apart by separators, each
/// a name (at most six words, none of them a number alone) or a date, at most four parts and
/// ten words, or the headline once more (`H - H - Site`).
fn site_parts(rest: &str, headline: &str) -> bool {
    let is_sep = |w: &str| w.chars().all(|c| TITLE_SEPARATORS.contains(&c));
    let rest = rest.trim();
    if !rest.starts_with(TITLE_SEPARATORS) && !rest.ends_with(TITLE_SEPARATORS) {
        return false;
    }
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || TITLE_SEPARATORS.contains(&c));
    // The headline repeated: `Minecraft 1.8 - The Bountiful Update - <headline> - Site`.
    let rest = rest
        .strip_prefix(headline)
        .or_else(|| rest.strip_suffix(headline))
        .map_or(rest, |r| {
            r.trim_matches(|c: char| c.is_whitespace() || TITLE_SEPARATORS.contains(&c))
        });
    // Shorter than the headline: a title of two halves is no headline and a site's name.
    if rest.chars().count() >= headline.chars().count() {
        return false;
    }
    let (mut parts, mut words, mut part_words) = (0usize, 0usize, 0usize);
    let mut part = String::new();
    let mut ok = true;
    let mut close = |part: &mut String, part_words: &mut usize, parts: &mut usize| {
        if !part.is_empty() {
            *parts += 1;
            ok &= *part_words <= 6 && (is_date_part(part) || is_name_part(part));
            part.clear();
            *part_words = 0;
        }
    };
    for w in rest.split_whitespace() {
        if is_sep(w) {
            close(&mut part, &mut part_words, &mut parts);
            continue;
        }
        if !part.is_empty() {
            part.push(' ');
        }
        part.push_str(w);
        part_words += 1;
        words += 1;
    }
    close(&mut part, &mut part_words, &mut parts);
    ok && (1..=4).contains(&parts) && words <= 10
}

/// A date as a page's title has it beside its headline: a dateline's date (`Feb. 1, 2016`), or
/// three numbers with a year (`07.12.2017`, either way round).
fn is_date_part(part: &str) -> bool {
    if check_dateline(&tokens(part), false).is_some() {
        return true;
    }
    let numbers: Vec<&str> = part.split(['.', '/', '-']).collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.len() <= 4 && n.chars().all(|c| c.is_ascii_digit()))
        && numbers.iter().any(|n| n.len() == 4)
}

/// A site's or section's name: no word of it a number alone (`V8` is a name, `Chapter 1` and
/// `2012` are not).
fn is_name_part(part: &str) -> bool {
    part.split_whitespace()
        .any(|w| w.chars().any(char::is_alphabetic))
        && part.split_whitespace().all(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            w.is_empty() || !w.chars().all(char::is_numeric)
        })
}

/// Lines looked at for a page's headline below its title.
const HEADLINE_WITHIN: usize = 400;

/// A page's title with its site's name beside it (`Headline - Site`, `Site | Headline`,
/// `Headline - Section - Site`): the headline alone, when a line below it is that headline
/// (the page's own heading) and what is left is a name: shorter than the headline, without a
/// digit (not a date, a number or a part of the headline), at most six words, and set apart
/// by a separator. Returns the headline and the number of the line that has it.
fn headline_of<'a>(title: &'a str, below: &[Line]) -> Option<(&'a str, u64)> {
    let chars = |s: &str| s.chars().count();
    let is_name = |rest: &str, kept: &str| site_parts(rest, kept);
    let mut best: Option<(&str, u64)> = None;
    // The title's parts on either side of a spaced separator, with quotes and dashes as
    // [`loose`] sets them: a headline whose quotes or dashes the page sets otherwise
    // (`‘Star Wars’` for the title's `'Star Wars'`) is still that part; one that ends
    // otherwise (`... spüren?` for `... spüren / empfinden?`) is not.
    let parts: Vec<(&str, &str)> = title
        .char_indices()
        .filter(|&(i, c)| TITLE_SEPARATORS.contains(&c) && title[..i].ends_with(' '))
        .flat_map(|(i, _)| {
            let (kept, rest) = (title[..i].trim_end(), &title[i..]);
            let tail = rest
                .trim_start_matches(|c: char| c.is_whitespace() || TITLE_SEPARATORS.contains(&c));
            let (before, after) = (&title[..title.len() - tail.len()], tail);
            [(kept, rest), (after, before)]
        })
        .filter(|(kept, _)| !kept.is_empty())
        .collect();
    for (i, line) in below.iter().take(HEADLINE_WITHIN).enumerate() {
        let mut l = line.text.trim();
        if chars(l) < 8 || l.len() >= title.len() {
            continue;
        }
        // A headline the scraper broke onto the next line (`... para la cuestión` / `mapuche`):
        // the title goes on with that line's words.
        if let Some(rest) = title.strip_prefix(l)
            && rest.starts_with(' ')
            && let Some(next) = below.get(i + 1).map(|n| n.text.trim())
            && !next.is_empty()
            && rest[1..].starts_with(next)
        {
            l = &title[..l.len() + 1 + next.len()];
        }
        if best.is_some_and(|(b, _)| b.len() >= l.len()) {
            continue;
        }
        let found = if let Some(rest) = title.strip_prefix(l) {
            let sep = rest.trim_start();
            (sep.starts_with(TITLE_SEPARATORS) && is_name(rest, l)).then(|| &title[..l.len()])
        } else if let Some(rest) = title.strip_suffix(l) {
            let sep = rest.trim_end();
            (sep.ends_with(TITLE_SEPARATORS) && is_name(rest, l))
                .then(|| &title[title.len() - l.len()..])
        } else {
            None
        };
        let found = found.or_else(|| {
            let near = |kept: &str| kept.len() + 16 >= l.len() && l.len() + 16 >= kept.len();
            parts
                .iter()
                .find(|(kept, rest)| near(kept) && loose(kept).eq(loose(l)) && is_name(rest, kept))
                .map(|(kept, _)| *kept)
        });
        if let Some(headline) = found {
            best = Some((headline, line.no));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn run(text: &str) -> (Vec<Line>, Dates, Vec<Removed>, Vec<Problem>) {
        let mut lines = normalize(text).lines;
        let (mut removed, mut problems) = (vec![], vec![]);
        let dates = extract_dates(&mut lines, "doc.txt", &mut removed, &mut problems);
        (lines, dates, removed, problems)
    }

    fn date_of(text: &str) -> Option<String> {
        let (_, dates, _, problems) = run(text);
        assert!(problems.is_empty(), "{problems:?}");
        dates.date
    }

    fn title_of(text: &str) -> Option<String> {
        let (lines, dates, _, _) = run(text);
        title(&lines, &dates, &[]).0
    }

    #[test]
    fn header_gives_the_date_and_leaves_the_title() {
        let (lines, dates, removed, problems) =
            run(" date 2026-02-26 Anım mərasimi baş tutub\n- 26 fevral, 2026\n- 13:54\nMətn.\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(dates.date.as_deref(), Some("2026-02-26"));
        assert_eq!(dates.found.rule, "date-header");
        assert_eq!(lines[0].text, "Anım mərasimi baş tutub");
        assert_eq!(removed[0].text, "date 2026-02-26");
        let (t, found) = title(&lines, &dates, &[]);
        assert_eq!(t.as_deref(), Some("Anım mərasimi baş tutub"));
        assert_eq!((found.rule.as_str(), found.line), ("header-line", Some(1)));
    }

    #[test]
    fn a_date_header_on_the_second_line_is_read_and_taken_off() {
        let (lines, dates, removed, _) = run("A title\ndate 2026-01-14\n\nThe body.\n");
        assert_eq!(dates.date.as_deref(), Some("2026-01-14"));
        assert_eq!(dates.found.line, Some(2));
        assert_eq!(removed[0].line, 2);
        assert!(lines.iter().all(|l| !l.text.contains("2026")));
    }

    #[test]
    fn labelled_date_headers_are_read_and_kept() {
        let (lines, dates, removed, _) = run("Minutes\nDate: 14 January 2026\n\nPresent: all.\n");
        assert_eq!(dates.date.as_deref(), Some("2026-01-14"));
        assert!(removed.is_empty());
        assert_eq!(lines[1].text, "Date: 14 January 2026");
        assert_eq!(
            date_of("Datum: 14.01.2026\n\nText.\n").as_deref(),
            Some("2026-01-14")
        );
    }

    #[test]
    fn datelines_in_many_languages() {
        for (line, want) in [
            ("- 26 fevral, 2026", "2026-02-26"),
            ("February 26, 2026", "2026-02-26"),
            ("26 февраля 2026 г.", "2026-02-26"),
            ("26 лютого 2026 р.", "2026-02-26"),
            ("26 Şubat 2026 Perşembe", "2026-02-26"),
            ("26. Februar 2026", "2026-02-26"),
            ("Berlin, den 26. Februar 2026", "2026-02-26"),
            ("26 février 2026", "2026-02-26"),
            ("1er mars 2026", "2026-03-01"),
            ("26 de febrero de 2026", "2026-02-26"),
            ("Posted on 3 March 2026", "2026-03-03"),
            ("26/02/2026", "2026-02-26"),
            ("Thursday, 26 February 2026 | 13:54", "2026-02-26"),
            ("Publié le 26/02/2026 à 13h54", "2026-02-26"),
            ("Feb. 26, 2026 at 1:54 PM EST", "2026-02-26"),
            ("By John Smith | February 26, 2026", "2026-02-26"),
            ("26 февраля 2026, 13:54 | Политика", "2026-02-26"),
            ("Bakı, 26 fevral 2026-cı il", "2026-02-26"),
            ("Madrid, 26 de febrero de 2026", "2026-02-26"),
            ("Paris, le 26 février 2026", "2026-02-26"),
            ("Київ, 26 лютого 2026 р.", "2026-02-26"),
        ] {
            assert_eq!(
                date_of(&format!("Title\n{line}\n\nBody text.\n")).as_deref(),
                Some(want),
                "{line}"
            );
        }
    }

    #[test]
    fn datelines_as_news_sites_write_them() {
        for (line, want) in [
            ("Published 3 March 2026", "2026-03-03"),
            ("March 3, 2026 10:04 AM ET", "2026-03-03"),
            ("3 мар 2026, 10:04", "2026-03-03"),
            ("26.02.2026", "2026-02-26"),
            ("2026-02-26T13:54:07+04:00", "2026-02-26"),
            ("Posted at 2013-12-30T14:42:01-0700", "2013-12-30"),
            ("2013-12-30 16:42:01-05", "2013-12-30"),
            ("9:22 PM EST, Mon November 6, 2023", "2023-11-06"),
            ("Jun 7, 2023, 8:54 PM UTC", "2023-06-07"),
            ("Oct 15, 2015 · 18 min read", "2015-10-15"),
            ("On 6/13/2018 by @someone", "2018-06-13"),
            ("// By Arun Sai Krishnan • Nov 11, 2020", "2020-11-11"),
            ("21.dez.2018 às 12h55", "2018-12-21"),
            ("2018年6月18日 10:01", "2018-06-18"),
            ("2016年10月14日07:17", "2016-10-14"),
            ("2019년 8월 20일", "2019-08-20"),
            ("Monday, February 29, 2016 @ 11:10 PM UTC", "2016-02-29"),
            ("الخميس 26 فبراير 2026", "2026-02-26"),
            ("26 פברואר 2026", "2026-02-26"),
            (
                "April 28, 2019 at 6:01 am Updated April 29, 2019 at 3:33 pm",
                "2019-04-28",
            ),
        ] {
            assert_eq!(
                date_of(&format!("Title\n{line}\n\nBody text.\n")).as_deref(),
                Some(want),
                "{line}"
            );
        }
    }

    #[test]
    fn a_byline_may_follow_a_date_but_not_a_sentence() {
        assert_eq!(
            date_of("Title\n3 de marzo de 2026 por Redacción\n\nCuerpo.\n").as_deref(),
            Some("2026-03-03")
        );
        assert_eq!(
            date_of("Title\n3 de marzo de 2026 por la tarde\n\nCuerpo.\n"),
            None
        );
    }

    #[test]
    fn a_published_date_is_preferred_and_an_update_alone_gives_none() {
        let (_, dates, _, _) = run("Title\nUpdated\n9:22 PM EST, Mon November 6, 2023\n\nBody.\n");
        assert_eq!(dates.date, None);
        assert!(dates.found.detail.unwrap().contains("update"));
        // `..., updated` at a line's end: the next line is the update's date.
        assert_eq!(
            date_of(
                "Title\non December 27, 2014 at 12:06 PM, updated\nDecember 28, 2014 at 12:10 PM\n\nBody.\n"
            )
            .as_deref(),
            Some("2014-12-27")
        );
        // A date whose own line says it was updated then.
        assert_eq!(
            date_of("Title\nNovember 28, 2013 -- Updated 0203 GMT\n\nBody.\n"),
            None
        );
        // A publication date whose line ends with an update label, the update below it.
        assert_eq!(
            date_of("Title\nLe Monde | 4 mai 2015 à 13h36 • Mis à jour le\n05.05.2015 à 20h13\n\nBody.\n")
                .as_deref(),
            Some("2015-05-04")
        );
        assert_eq!(
            date_of("Title\n3 March 2026\nPublished on 2 March 2026\n\nBody.\n").as_deref(),
            Some("2026-03-02")
        );
    }

    #[test]
    fn datelines_that_disagree_give_no_date_and_say_why() {
        let (_, dates, _, _) = run("Title\n3 March 2026\nSome lines\n4 March 2026\n\nBody.\n");
        assert_eq!(dates.date, None);
        let detail = dates.found.detail.unwrap();
        assert!(
            detail.contains("disagree") && detail.contains("line 2"),
            "{detail}"
        );
        // A date in the title that the dateline contradicts.
        let (_, dates, _, _) =
            run("Weekly Edition for March 26, 2015\nBy A. Writer\nMarch 25, 2015\n\nBody.\n");
        assert_eq!(dates.date, None);
        assert!(dates.found.detail.unwrap().contains("title"));
    }

    /// A scraped page: `<title>`, the site's lines (with today's date in its masthead), the
    /// headline, byline and dateline, then the body.
    fn page(masthead: &str, dateline: &str) -> String {
        let mut p = String::from("A storm floods the old harbour district - The Daily Site\n\n");
        p.push_str(&format!(
            "Home\n{masthead}\nWorld\nSport\nCulture\nWeather\n"
        ));
        for i in 0..12 {
            p.push_str(&format!("Section {i}\n"));
        }
        p.push_str("A storm floods the old harbour district\nBy Anna Writer\n");
        p.push_str(&format!("{dateline}\n\n"));
        for _ in 0..4 {
            p.push_str(
                "The storm came in from the sea in the night and the water rose over the quays \
                 of the old harbour district, where the shops and the houses stand low.\n",
            );
        }
        p
    }

    /// The page as the pipeline hands it over: its menu lines (`Section N`) taken off as
    /// furniture and listed in `removed`.
    fn run_page(text: &str) -> Dates {
        let mut lines = normalize(text).lines;
        let mut removed: Vec<Removed> = lines
            .iter()
            .filter(|l| l.text.starts_with("Section "))
            .map(|l| Removed {
                line: l.no,
                text: l.text.clone(),
                reason: "boilerplate-block".to_owned(),
            })
            .collect();
        lines.retain(|l| !l.text.starts_with("Section "));
        let mut problems = vec![];
        let dates = extract_dates(&mut lines, "doc.txt", &mut removed, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        dates
    }

    #[test]
    fn a_page_s_date_is_beside_its_headline_not_in_the_site_s_masthead() {
        let dates = run_page(&page("Thursday, 5 March 2026", "3 March 2026, 10:04"));
        assert_eq!(dates.date.as_deref(), Some("2026-03-03"));
        assert_eq!(dates.found.rule, "dateline");
        assert!(dates.found.detail.unwrap().contains("headline"));
        // Without a dateline by the headline, the masthead's date is not taken.
        let dates = run_page(&page("Thursday, 5 March 2026", "Share this"));
        assert_eq!(dates.date, None);
        let detail = dates.found.detail.unwrap();
        assert!(
            detail.contains("line 4") && detail.contains("site's"),
            "{detail}"
        );
        // Nothing taken off above the repeated title: no site's lines there, the head's date
        // stands (minutes whose heading recurs below).
        assert_eq!(
            date_of(&page("Thursday, 5 March 2026", "Share this")).as_deref(),
            Some("2026-03-05")
        );
    }

    #[test]
    fn front_matter_gives_the_title_and_date_headers_that_disagree_give_no_date() {
        let (lines, dates, _, _) = run(
            "---\nlayout: post\ntitle: \"Bureau du 21 mars 2023\"\ndate: 2023-04-03T08:16:36Z\n---\nDate : 21 mars 2023 à 16h\nPrésent.e.s : Anne, Marie\n\n## 1. Budget\n",
        );
        let (t, found) = title(&lines, &dates, &[]);
        assert_eq!(t.as_deref(), Some("Bureau du 21 mars 2023"));
        assert_eq!((found.rule.as_str(), found.line), ("front-matter", Some(3)));
        assert_eq!(dates.date, None);
        let detail = dates.found.detail.unwrap();
        assert!(
            detail.contains("line 4") && detail.contains("line 6"),
            "{detail}"
        );
        // Agreeing headers give the date.
        assert_eq!(
            date_of("---\ntitle: Bureau\ndate: 2021-10-13\n---\n**Date :** 13 octobre 2021 à 18 h\n\nTexte.\n")
                .as_deref(),
            Some("2021-10-13")
        );
    }

    #[test]
    fn a_letter_s_head_ends_at_its_salutation_and_a_heading_loses_its_emphasis() {
        // The date below the salutation is the meeting's, not the invitation's.
        let (lines, dates, _, _) = run(
            "# **Einladung zur Mitgliederversammlung**\n\nLiebe Mitglieder,\n\nwir laden ein zur Versammlung am\n### 27. Februar 2019, 17:30 Uhr\nim Konferenzraum.\n",
        );
        assert_eq!(dates.date, None);
        assert_eq!(
            title(&lines, &dates, &[]).0.as_deref(),
            Some("Einladung zur Mitgliederversammlung")
        );
        assert_eq!(
            date_of("# **Community-Runde**\nMittwoch, 22. Januar 2020\n\n### Anwesende\n")
                .as_deref(),
            Some("2020-01-22")
        );
    }

    #[test]
    fn a_list_of_dated_teasers_below_the_body_is_not_the_page_s_date() {
        let mut p = page("Login", "Share this");
        p.push_str("Related\nAnother story\n1 March 2026\nA third story\n2 March 2026\n");
        assert_eq!(date_of(&p), None);
    }

    #[test]
    fn ambiguous_ranges_and_body_dates_are_not_the_date() {
        assert_eq!(date_of("Title\n03/04/2026\n\nBody.\n"), None);
        assert_eq!(date_of("Khojaly, 25-26 February 1992\n\nBody.\n"), None);
        assert_eq!(
            date_of("Title\n\nOn 26 February 1992 the town was attacked by night.\n"),
            None
        );
    }

    #[test]
    fn impossible_header_date_is_an_error_with_its_line() {
        let (_, _, _, problems) = run("date 2026-02-30 Başlıq\n\nMətn.\n");
        assert_eq!(problems[0].code, "date-invalid");
        assert_eq!(problems[0].line, Some(1));
    }

    #[test]
    fn disagreeing_dateline_is_an_error() {
        let (_, _, _, problems) = run("date 2026-02-26 Başlıq\n- 27 fevral, 2026\nMətn.\n");
        assert_eq!(problems[0].code, "date-mismatch");
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn impossible_dateline_and_time() {
        let (_, _, _, problems) = run("Başlıq\n- 31 aprel, 2026\n- 24:10\nMətn.\n");
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["date-invalid", "time-invalid"]);
    }

    #[test]
    fn a_page_title_loses_its_site_name_only_when_the_page_has_the_headline() {
        let page = |title: &str, headline: &str| {
            format!(
                "{title}\n\nHome\nWorld\n{headline}\n\nThe body of the article runs on for a while, as bodies do.\n"
            )
        };
        assert_eq!(
            title_of(&page(
                "Attack stokes fears in North Africa - The Washington Post",
                "Attack stokes fears in North Africa"
            ))
            .as_deref(),
            Some("Attack stokes fears in North Africa")
        );
        assert_eq!(
            title_of(&page(
                "Yonhap | N. Korea slams joint drill",
                "N. Korea slams joint drill"
            ))
            .as_deref(),
            Some("N. Korea slams joint drill")
        );
        assert_eq!(
            title_of(&page(
                "港特首梁振英就住宅违建事件道歉 - BBC中文网 - 两岸三地",
                "港特首梁振英就住宅违建事件道歉"
            ))
            .as_deref(),
            Some("港特首梁振英就住宅违建事件道歉")
        );
        // No line with the headline: the title as it is.
        assert_eq!(
            title_of(&page("Hermitian matrix - Wikipedia", "Contents")).as_deref(),
            Some("Hermitian matrix - Wikipedia")
        );
        // Beside the headline: a date, a section, an author, a site's name, in parts.
        for (title, headline) in [
            (
                "Minutes of the board - 3 March 2026",
                "Minutes of the board",
            ),
            (
                "Tite diz que errou ao levar taça - 21/12/2018 - Esporte - Folha",
                "Tite diz que errou ao levar taça",
            ),
            (
                "Una solución para la cuestión mapuche - 07.12.2017 - LA NACION",
                "Una solución para la cuestión mapuche",
            ),
            (
                "Māori tribes fearful over whale strandings | Eleanor Roy | Environment | The Guardian",
                "Māori tribes fearful over whale strandings",
            ),
            (
                "1Password für Mac generiert Passwörter | Mac & i",
                "1Password für Mac generiert Passwörter",
            ),
            (
                "Standalone WebAssembly binaries · V8",
                "Standalone WebAssembly binaries",
            ),
            (
                "Minecraft 1.8 - The Bountiful Update - Minecraft 1.8 - The Bountiful Update - Update News",
                "Minecraft 1.8 - The Bountiful Update",
            ),
        ] {
            assert_eq!(
                title_of(&page(title, headline)).as_deref(),
                Some(headline),
                "{title}"
            );
        }
        // A part with a number alone is the title's own (`Chapter 1`), as is a second half
        // longer than what would be kept.
        assert_eq!(
            title_of(&page(
                "Conversations with a Cryptid - Chapter 1 - Archive",
                "Conversations with a Cryptid"
            ))
            .as_deref(),
            Some("Conversations with a Cryptid - Chapter 1 - Archive")
        );
        // A headline broken onto two lines.
        assert_eq!(
            title_of(&page(
                "Una solución para la cuestión mapuche - 07.12.2017 - LA NACION",
                "Una solución para la cuestión\nmapuche"
            ))
            .as_deref(),
            Some("Una solución para la cuestión mapuche")
        );
        assert_eq!(
            title_of(&page(
                "Budget review - what the committee decided on roads",
                "Budget review"
            ))
            .as_deref(),
            Some("Budget review - what the committee decided on roads")
        );
    }

    #[test]
    fn a_page_title_wrapped_or_asking_or_in_parts_is_a_title() {
        // Wrapped onto a second line that goes on in lowercase.
        assert_eq!(
            title_of("The sharing economy is a lie: Uber and the truth about tech\nand libertarians - Salon.com\n\nBody.\n")
                .as_deref(),
            Some("The sharing economy is a lie: Uber and the truth about tech and libertarians - Salon.com")
        );
        // A question, repeated below as the headline.
        assert_eq!(
            title_of("Where do relations go after the vote?\nMenu\nSign in\nWhere do relations go after the vote?\n\nBody.\n")
                .as_deref(),
            Some("Where do relations go after the vote?")
        );
        // A dateline below a title in lowercase is no second line of it.
        assert_eq!(
            title_of("Protokoll der Sitzung des Vorstands\nvom 3. März 2026\n\nAnwesend: alle.\n")
                .as_deref(),
            Some("Protokoll der Sitzung des Vorstands")
        );
        // Not repeated, a question is a sentence.
        assert_eq!(title_of("Can you come tomorrow?\n\nI need help.\n"), None);
        // `|` parts after a long headline are no menu.
        assert!(!is_menu(
            "Māori tribes fearful over whale strandings | Eleanor Roy | Environment | The Guardian"
        ));
        assert!(is_menu("Home | About us | Contact"));
        assert!(is_menu("Новости | Политика | Экономика"));
    }

    #[test]
    fn a_site_s_name_that_the_page_repeats_leaves_the_title() {
        let page = |title: &str| {
            format!(
                "{title}\n\nMenu\nFollow CNN Politics\nGates on Russia: being friendly is not being friends\n\
                 By Eric Writer\n\nThe body of the article runs on for a while, as the bodies of \
                 articles do when they are written by people who are paid by the word for it.\n\
                 More of it follows here, and more again, for as long as the story needs to go on.\n\
                 And a third paragraph, so that the body is a body and no site's description alone.\n\
                 © 2026 Cable News Network. CNN Politics is a part of it.\n"
            )
        };
        let (lines, dates, _, _) = run(&page(
            "Gates on Tillerson and Russia: friendly without being friends | CNN Politics",
        ));
        let (t, found) = title(&lines, &dates, &[]);
        assert_eq!(
            t.as_deref(),
            Some("Gates on Tillerson and Russia: friendly without being friends")
        );
        assert_eq!(found.rule, "page-title-site");
        // A name the page does not repeat stays.
        assert_eq!(
            title_of(&page(
                "Gates on Tillerson and Russia: friendly without being friends | The Daily"
            ))
            .as_deref(),
            Some("Gates on Tillerson and Russia: friendly without being friends | The Daily")
        );
        // Not a page (no headline, no byline below): a letter's or minutes' title stays whole.
        assert_eq!(
            title_of("Minutes of the board - Anna Schmidt\n\nPresent: Anna Schmidt, Ben Ode.\nAnna Schmidt opened.\n")
                .as_deref(),
            Some("Minutes of the board - Anna Schmidt")
        );
    }

    #[test]
    fn titles_of_every_kind() {
        assert_eq!(
            title_of("# A heading\n\nBody.\n").as_deref(),
            Some("A heading")
        );
        assert_eq!(
            title_of("A title\n=======\n\nBody.\n").as_deref(),
            Some("A title")
        );
        assert_eq!(
            title_of("A title\nFebruary 26, 2026\n\nBody.\n").as_deref(),
            Some("A title")
        );
        assert_eq!(
            title_of("Short heading\n\nBody text.\n").as_deref(),
            Some("Short heading")
        );
    }

    #[test]
    fn a_heading_below_a_note_or_in_html_and_a_subject_are_titles() {
        // An editor's note, a comment and a badge above the heading; a code span around it.
        assert_eq!(
            title_of("*Edited by the secretary.*\n\n# Council update\n\nText.\n").as_deref(),
            Some("Council update")
        );
        assert_eq!(
            title_of("> This page moved.\n\n# Release notes\n\n## 1.0\n").as_deref(),
            Some("Release notes")
        );
        assert_eq!(
            title_of("<!--\ngenerated\n-->\n\n# `tool`\n\nText.\n").as_deref(),
            Some("tool")
        );
        // A section's heading below a logo, a release below a changelog's sentence: none.
        assert_eq!(
            title_of("<p><img src=\"l.png\"></p>\n\n# Overview\n\nText.\n"),
            None
        );
        assert_eq!(
            title_of("All changes are here.\n\n# 1.2.0\n\n- Fix.\n"),
            None
        );
        assert_eq!(
            title_of("# **<h1>Protokoll</h1>**\n\nText.\n").as_deref(),
            Some("Protokoll")
        );
        assert_eq!(
            title_of("<h1 align=\"center\">Projekt</h1>\n\nText.\n").as_deref(),
            Some("Projekt")
        );
        // A README's heading with its badges and links, as a reader sees it.
        assert_eq!(
            title_of("# name [![CI](https://ci/b.svg)](https://ci) ![dl](https://d.svg)\n\nT.\n")
                .as_deref(),
            Some("name")
        );
        assert_eq!(
            title_of("# Serde &emsp; [![Build]][actions] [![Version]][crates]\n\nT.\n").as_deref(),
            Some("Serde")
        );
        assert_eq!(
            title_of("# [RustCrypto]: HMAC\n\nT.\n").as_deref(),
            Some("RustCrypto: HMAC")
        );
        assert_eq!(
            title_of("# [base64](https://crates.io/crates/base64)\n\nT.\n").as_deref(),
            Some("base64")
        );
        // A heading about a tag keeps it.
        assert_eq!(
            title_of("# The <div> element\n\nText.\n").as_deref(),
            Some("The <div> element")
        );
        assert_eq!(
            title_of("Anna\nStraße 1\n\nBetreff: Kündigung\n\nSehr geehrte Damen,\n\nText.\n")
                .as_deref(),
            Some("Kündigung")
        );
    }

    #[test]
    fn a_title_broken_after_the_site_s_name_and_a_sender_signed_again() {
        assert_eq!(
            title_of("BMWK -\nDer Minister reist\n\nText.\n").as_deref(),
            Some("BMWK - Der Minister reist")
        );
        assert_eq!(title_of("BMWK -\n\nText.\n"), None);
        // A site's part left empty: the rest, when it says more than a name.
        assert_eq!(
            title_of("Heizjacken von Bosch -\n\nText.\n").as_deref(),
            Some("Heizjacken von Bosch")
        );
        // Past a blank line, when the page repeats the line below.
        assert_eq!(
            title_of("BMWK -\n\nDer Minister reist\n\nMenü\n\nDer Minister reist\n\nText.\n")
                .as_deref(),
            Some("Der Minister reist")
        );
        // A headline that ends otherwise than the title's part is not that part.
        assert_eq!(
            title_of("Können Fische Schmerzen spüren / empfinden?\n\nKönnen Fische Schmerzen spüren?\n\nText.\n")
                .as_deref(),
            Some("Können Fische Schmerzen spüren / empfinden?")
        );
        assert_eq!(
            title_of("Post (2) @ Home :: Site ::\n\nText.\n").as_deref(),
            Some("Post (2) @ Home :: Site ::")
        );
        let letter = "Anna Berg\nStraße 1\n10115 Berlin\n\nSehr geehrte Damen und Herren,\n\n\
                      eins\nzwei\ndrei\n\nMit freundlichen Grüßen\nAnna Berg\n";
        assert_eq!(title_of(letter), None);
    }

    #[test]
    fn a_log_s_entries_give_no_date_and_a_letter_s_dateline_on_line_one_does() {
        let items: String = (1..10).map(|n| format!("- item {n}\n")).collect();
        assert_eq!(
            date_of(&format!("## 2022-02-07\n{items}\n## 2022-02-14\n- more\n")),
            None
        );
        assert_eq!(
            date_of(&format!("# November 2025\n\n## 3 November 2025\n{items}")),
            None
        );
        // One entry alone is the document's date.
        assert_eq!(
            date_of(&format!("## 2022-02-07\n{items}")).as_deref(),
            Some("2022-02-07")
        );
        assert_eq!(
            date_of("Berlin, den 26. Februar 2026\n\nLiebe Anna,\n\nText.\n").as_deref(),
            Some("2026-02-26")
        );
        // A title naming a place and a date is no dateline.
        assert_eq!(date_of("Xocalı, 26 fevral 1992\n\nMətn.\n"), None);
    }

    #[test]
    fn menus_salutations_dates_bylines_and_sentences_are_not_titles() {
        assert_eq!(title_of("Новости | Политика | Экономика\n\nТекст.\n"), None);
        assert_eq!(title_of("Dear Anna,\n\nThank you.\n"), None);
        // A greeting ends the head as a salutation does: the meeting's date below is not the
        // letter's.
        assert_eq!(
            date_of("Добрый день, коллеги!\n\nСобрание переносится на\n\n14 марта 2026 г.\n"),
            None
        );
        assert_eq!(title_of("Lieber Hans\n\nDanke.\n"), None);
        assert_eq!(title_of("By John Smith\n\nText.\n"), None);
        // Markup that opens READMEs (rich's, ureq's and wasm-bindgen's first lines).
        assert_eq!(
            title_of(
                "[![Supported Python Versions](https://img.shields.io/pypi/pyversions/rich)](https://pypi.org/project/rich/)\n\nText.\n"
            ),
            None
        );
        assert_eq!(
            title_of(
                "[comment]: # (README.md is autogenerated from src/lib.rs by `cargo readme`)\n\nText.\n"
            ),
            None
        );
        assert_eq!(title_of("<div align=\"center\">\n\nText.\n"), None);
        // fundu-core's, jsonlines' and tqdm's.
        assert_eq!(title_of("<!--\n\nText.\n"), None);
        assert_eq!(
            title_of(".. image:: https://pepy.tech/badge/jsonlines\n\nText.\n"),
            None
        );
        assert_eq!(title_of("|Logo|\n\nText.\n"), None);
        // A blog engine's header block (This Week in Rust's), and a monthly log's date
        // headings (the Python Steering Council's updates).
        assert_eq!(
            title_of("Title: The State of Rust 0.7\nDate: 2013-07-05 09:51\nCategory: Rust\n\nGiven the influx of newcomers.\n").as_deref(),
            Some("The State of Rust 0.7")
        );
        assert_eq!(
            title_of("# November\n\n- Steering Council discussed PEP 634.\n"),
            None
        );
        assert_eq!(title_of("# February 01\n\n- The council met.\n"), None);
        // PHP's warning above a blog's page (bibliothek2null.de's, in trafilatura's test data).
        assert_eq!(
            title_of(
                "Deprecated: Assigning the return value of new by reference is deprecated in /www/htdocs/w00a2ebd/wp-settings.php on line 520\n\nText.\n"
            ),
            None
        );
        assert_eq!(
            title_of("# Planungstreffen\n\nText.\n").as_deref(),
            Some("Planungstreffen")
        );
        assert_eq!(title_of("|Ünïcode|\n\nText.\n"), None);
        assert_eq!(
            title_of("[Home](https://example.org) is where it starts\n\nText.\n").as_deref(),
            Some("[Home](https://example.org) is where it starts")
        );
        assert_eq!(title_of("This is the body. It goes on.\n\nMore.\n"), None);
    }

    #[test]
    fn a_month_s_name_of_two_meanings_and_another_calendar_s_year_give_no_date() {
        // Heads an adversary put over real Croatian and Persian bodies: Croatian `listopad` is
        // October, the Polish and Czech month of that name November; 1404 is a Solar Hijri
        // year, 2569 a Buddhist-era one.
        assert_eq!(
            date_of("Obavijest\n\n26. listopada 2026.\n\nTekst.\n"),
            None
        );
        assert_eq!(
            date_of("Obavijest\n\n26. siječnja 2026.\n\nTekst.\n").as_deref(),
            Some("2026-01-26")
        );
        assert_eq!(date_of("اطلاعیه\n\n1404/11/14\n\nمتن.\n"), None);
        assert_eq!(date_of("Date: 1404/11/14\n\nText.\n"), None);
        assert_eq!(date_of("ประกาศ\n\n2569-02-03\n\nข้อความ\n"), None);
    }

    #[test]
    fn a_letter_s_first_line_may_be_its_place_and_date() {
        for (head, date) in [
            ("Madrid, 3 de marzo de 2026", "2026-03-03"),
            ("Москва, 26.02.2026", "2026-02-26"),
            ("Bakı, 26 fevral 2026", "2026-02-26"),
            ("İstanbul, 3 Mart 2026", "2026-03-03"),
        ] {
            let letter = format!("{head}\n\nEstimado señor:\n\nLe escribo para informarle.\n");
            assert_eq!(date_of(&letter).as_deref(), Some(date), "{head}");
            // Without a salutation below, a place and a date are a title's.
            assert_eq!(date_of(&format!("{head}\n\nText.\n")), None, "{head}");
        }
    }

    #[test]
    fn an_update_date_is_not_the_document_s_date() {
        for line in [
            "Updated Jul 24, 2018, 2:15pm EDT",
            "Last Updated: January 7, 2025",
            "Mis à jour le 6 mai 2015",
            "Обновлено 26 февраля 2026",
        ] {
            assert!(find_date(line, true).is_none(), "{line}");
            assert_eq!(
                read_dateline(line, true).map(|d| d.said),
                Some(Said::Updated),
                "{line}"
            );
        }
        assert!(find_date("Posted on 3 March 2026", true).is_some());
    }
}
