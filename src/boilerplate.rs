//! Stage 5, boilerplate: web-page furniture scraped with the text, taken out and listed.
//!
//! A line is removed only on strong evidence, and only where furniture stands: in the block at
//! the top or the bottom of the document. Scanning from each edge inwards over non-blank lines,
//! a line is furniture when it is
//! 1. a listed phrase, as a whole line (`data/boilerplate/<lang>.txt`, every list for every
//!    document): `boilerplate-phrase`;
//! 2. a menu: items separated by `|`, `•`, `·`, `/` (or words separated by spaces), at least
//!    two thirds of them listed phrases: `boilerplate-menu`;
//! 3. a copyright notice (a line with `©`, or `... All rights reserved.`, at most 25 words):
//!    `boilerplate-copyright`;
//! 4. a line that recurs at the same edge (top or bottom) of at least [`RECURRING_DOCUMENTS`]
//!    documents of the corpus (a site's navigation), when its block also holds a line of rules
//!    1-3: `boilerplate-recurring`;
//! 5. at the bottom only, a short line (at most [`BLOCK_WORDS`] words, not ending like a
//!    sentence) standing between furniture lines of a block that holds at least two listed
//!    lines: `boilerplate-block` (the footer's `Masthead`, `Pitch us` between `About us` and
//!    `Privacy policy`).
//! 6. a short line of a navigation block, at least [`NAV_LISTED`] of whose lines are listed:
//!    `boilerplate-block`. Three blocks are read, each losing its short unknown lines that read
//!    like items (no closing punctuation; nor, above a headline, what may be a date, a time or a
//!    count: see `datelike`; nor prose wrapped into short lines, see `wrapped`):
//!    - above a headline: the lines between the document's first line (a page's `<title>`) and
//!      a line that repeats it (`repeats`) before the body's first paragraph (the first of two
//!      long lines close together, one of them ending like a sentence: see `body_start`),
//!      all of its items, when at most a quarter of the block is
//!      long lines and one line in [`NAV_SHARE_ABOVE`] is listed;
//!    - below the headline: the lines between it and the body's first paragraph but the
//!      [`BODY_MARGIN`] nearest it, from the first listed line on (a share bar, a playlist;
//!      the deck above it stays), on the same terms as the block above the body;
//!    - above the body, when no line repeats the title: the lines between the first line and
//!      the body's first paragraph but the [`BODY_MARGIN`] nearest it (headline, byline, date),
//!      up to the innermost listed line, on the same terms, a line close to the title in its
//!      words (a headline worded otherwise) staying;
//!    - below the body: the lines after its last paragraph but the [`BODY_MARGIN`] nearest it
//!      (an article's last short lines, credits, related links), up to the innermost listed
//!      line, on the same terms;
//!    - otherwise, from an edge to the first long line: when one line in [`NAV_SHARE`] is
//!      listed, the items of gaps of at most [`NAV_GAP`] short lines between listed ones.
//! 7. the page's tail: from a heading that opens it below the body (comments, related stories,
//!    tags: `data/boilerplate/sections.txt`, read without a count) to the document's end, when
//!    what follows is no article (see `tail`; lists of links, related stories, count as
//!    evidence where other evidence runs through the tail; a list of stories each with its
//!    teaser is no article going on below a box, see `teaser_lists`; a widget's marks and
//!    counts, `►`, `(8)`, are evidence, see `widget_mark`; a comment's `Reply`
//!    opens a thread, and recurring under each comment it is no later section of the
//!    article): `boilerplate-block`.
//!
//! Otherwise a short line that is none of these does not stop the scan (one in a row at the
//! top, two at the bottom, any number inside a footer: a bottom block of which at least
//! [`MIN_FOOTER_LISTED`] lines, a third, are listed); more in a row, a line of more than
//! [`MAX_UNKNOWN_WORDS`] words, or a line curated as content do. At the top, outside a block
//! above a headline, unknown lines are kept (a title stands among the menus there). Lines
//! curated as furniture in `dataset.toml` are removed wherever they stand
//! (`boilerplate-curated`). A line is never removed for its script or language.
//!
//! Everything removed is listed in the record's `removed` with its line and rule.

use crate::normalize::Line;
use crate::record::Removed;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The phrase lists, by language: (language, the file's text).
pub const LISTS: &[(&str, &str)] = &[
    ("ar", include_str!("../data/boilerplate/ar.txt")),
    ("az", include_str!("../data/boilerplate/az.txt")),
    ("be", include_str!("../data/boilerplate/be.txt")),
    ("bg", include_str!("../data/boilerplate/bg.txt")),
    ("cs", include_str!("../data/boilerplate/cs.txt")),
    ("de", include_str!("../data/boilerplate/de.txt")),
    ("el", include_str!("../data/boilerplate/el.txt")),
    ("en", include_str!("../data/boilerplate/en.txt")),
    ("es", include_str!("../data/boilerplate/es.txt")),
    ("fa", include_str!("../data/boilerplate/fa.txt")),
    ("fr", include_str!("../data/boilerplate/fr.txt")),
    ("he", include_str!("../data/boilerplate/he.txt")),
    ("hy", include_str!("../data/boilerplate/hy.txt")),
    ("it", include_str!("../data/boilerplate/it.txt")),
    ("ja", include_str!("../data/boilerplate/ja.txt")),
    ("ka", include_str!("../data/boilerplate/ka.txt")),
    ("kk", include_str!("../data/boilerplate/kk.txt")),
    ("nl", include_str!("../data/boilerplate/nl.txt")),
    ("pl", include_str!("../data/boilerplate/pl.txt")),
    ("pt", include_str!("../data/boilerplate/pt.txt")),
    ("ru", include_str!("../data/boilerplate/ru.txt")),
    ("tr", include_str!("../data/boilerplate/tr.txt")),
    ("uk", include_str!("../data/boilerplate/uk.txt")),
    ("zh", include_str!("../data/boilerplate/zh.txt")),
];

/// Names of languages in their own language (CLDR): a language switcher's items.
const LANGUAGE_NAMES: &str = include_str!("../data/boilerplate/languages.txt");

/// Phrases that make a line a copyright notice, matched inside it.
const COPYRIGHT: &str = include_str!("../data/boilerplate/copyright.txt");

/// Headings that open a page's tail below the article (comments, related stories), by language.
const SECTIONS: &str = include_str!("../data/boilerplate/sections.txt");

/// A comment's `Reply` button, by language: it opens a page's tail too, and makes it a thread.
const REPLIES: &str = include_str!("../data/boilerplate/replies.txt");

/// A line of more words than this stops a scan when it is not furniture.
pub const MAX_UNKNOWN_WORDS: usize = 12;
/// A copyright notice has at most this many words.
const COPYRIGHT_MAX_WORDS: usize = 25;
/// A line recurring at the edges of this many documents is a site's furniture.
pub const RECURRING_DOCUMENTS: usize = 3;
/// How many non-blank lines at each edge count as "the edge" for recurrence.
pub const EDGE_LINES: usize = 30;

fn lines_of(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn phrases() -> &'static HashSet<String> {
    static PHRASES: OnceLock<HashSet<String>> = OnceLock::new();
    PHRASES.get_or_init(|| {
        LISTS
            .iter()
            .map(|(_, text)| *text)
            .chain([LANGUAGE_NAMES])
            .flat_map(lines_of)
            .map(key)
            .collect()
    })
}

/// A line as the lists hold it: lowercase, single spaces, without bullets or arrows at its start
/// or `:` `.` `…` `»` `›` `→` `!` at its end.
pub fn key(line: &str) -> String {
    let trimmed = trimmed(line);
    let mut key = String::with_capacity(trimmed.len());
    for word in crate::unicode::words(trimmed) {
        if !key.is_empty() {
            key.push(' ');
        }
        // Whitespace on both sides: each word lowercases as it does in the whole line.
        crate::unicode::push_lowercase(&mut key, word);
    }
    key
}

/// A line without what [`key`] takes off its ends.
fn trimmed(line: &str) -> &str {
    line.trim()
        .trim_start_matches(|c: char| !crate::unicode::is_alphanumeric(c) && c != '©' && c != '(')
        .trim_end_matches(|c: char| {
            c.is_whitespace()
                || matches!(c, ':' | '.' | '…' | '»' | '›' | '→' | '>' | '!' | '|' | '/')
        })
}

/// What curators said in `dataset.toml`, and what the corpus says: keys (see [`key`]).
#[derive(Debug, Default, Clone)]
pub struct Rules {
    /// Lines curated as furniture: removed wherever they stand.
    pub add: HashSet<String>,
    /// Lines curated as content: never removed.
    pub exempt: HashSet<String>,
    /// Lines recurring at the edges of several documents of the corpus.
    pub recurring: HashSet<String>,
}

impl Rules {
    /// The corpus-wide rules plus a document's own curated lists.
    pub fn with(&self, add: &[String], exempt: &[String]) -> Rules {
        let mut rules = self.clone();
        rules.add.extend(add.iter().map(|l| key(l)));
        rules.exempt.extend(exempt.iter().map(|l| key(l)));
        rules
    }
}

/// Why a line is furniture by itself (rules 1-3), if it is.
fn listed(line: &str) -> Option<&'static str> {
    listed_as(line, &key(line))
}

/// [`listed`] for a line whose [`key`] is `k`.
fn listed_as(line: &str, k: &str) -> Option<&'static str> {
    // A link's text that goes on in the next line (`- [Reddit` / `discussion](...)`): a piece.
    if line.contains('[') && !line.contains(']') {
        return None;
    }
    // A reStructuredText label or comment (`.. _settings:`) is markup, not a phrase.
    if line.trim_start().starts_with(".. ") {
        return None;
    }
    if k.is_empty() || option(line) {
        return None;
    }
    if phrases().contains(k) || is_language_name(k) {
        return Some("boilerplate-phrase");
    }
    if is_copyright(k) {
        return Some("boilerplate-copyright");
    }
    if is_listed_menu(k) {
        return Some("boilerplate-menu");
    }
    None
}

/// A command's option, as a manual page lists it: `-` right before a letter, a digit, `?` or
/// another `-` (`--help`, `-?, --help`, `-V, --version`), never a bullet (`- Help`).
fn option(line: &str) -> bool {
    let mut c = line.trim_start().chars();
    c.next() == Some('-')
        && c.next()
            .is_some_and(|n| n.is_alphanumeric() || matches!(n, '?' | '-'))
}

/// `español (de méxico)`: a language's own name with a region, as switchers write it.
fn is_language_name(k: &str) -> bool {
    k.ends_with(')')
        && k.split_once(" (")
            .is_some_and(|(name, _)| lines_of(LANGUAGE_NAMES).any(|n| n == name))
}

fn is_copyright(k: &str) -> bool {
    if k.split_whitespace().count() > COPYRIGHT_MAX_WORDS {
        return false;
    }
    k.contains('©')
        || k.starts_with("(c)")
        || (k.starts_with("copyright") && notice_after_word(&k["copyright".len()..]))
        || lines_of(COPYRIGHT).any(|p| k.contains(p))
}

/// What follows a line's opening `copyright` makes it a notice: nothing (the word alone, a
/// footer's link or the heading over notices), or a year or `(c)`; not a colon after the word
/// (`copyright: updated`, a changelog's item) nor words alone (`Copyright and licensing`, a
/// heading of the text).
fn notice_after_word(rest: &str) -> bool {
    rest.trim().is_empty()
        || (!rest.trim_start().starts_with(':')
            && (rest.contains("(c)") || rest.chars().any(|c| c.is_ascii_digit())))
}

/// Items separated by `|`, `•`, `·`, `/`, or by spaces, at least two, two thirds of them listed.
fn is_listed_menu(k: &str) -> bool {
    let listed_share = |items: Vec<&str>| {
        let items: Vec<&str> = items
            .into_iter()
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .collect();
        if items.len() < 2 {
            return false;
        }
        // An item of a key is lowercase and single-spaced already: its key is it, trimmed
        // (lowercasing is idempotent). Given up once more than a third are unknown.
        let mut unknown = 0;
        for item in &items {
            if !phrases().contains(trimmed(item)) {
                unknown += 1;
                if unknown * 3 > items.len() {
                    return false;
                }
            }
        }
        true
    };
    for sep in ['|', '•', '·', '¦', '/'] {
        if k.contains(sep) {
            return listed_share(k.split(sep).collect());
        }
    }
    listed_share(k.split_whitespace().collect())
}

/// Which edge of a document a scan starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Top,
    Bottom,
}

impl Edge {
    /// The key a line's recurrence at this edge is counted under.
    pub fn key(self, line: &str) -> String {
        self.key_of(&key(line))
    }

    /// [`Edge::key`] of a line whose [`key`] is `k`.
    fn key_of(self, k: &str) -> String {
        let tag = match self {
            Edge::Top => "t",
            Edge::Bottom => "b",
        };
        format!("{tag}:{k}")
    }
}

/// Remove the furniture of `lines`, listing it in `removed`.
pub fn strip(lines: &mut Vec<Line>, rules: &Rules, removed: &mut Vec<Removed>) {
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].text.trim().is_empty())
        .collect();
    // A document's own first heading (`# Meeting of 15 January`, a Markdown document's) ends
    // its top block: what follows is its text (the attendees and topics of minutes recur at
    // the top of every one of them, as a site's menu does).
    let own_heading = nonblank
        .iter()
        .copied()
        .find(|&i| markdown_heading(&lines[i].text));
    found.extend(
        scan(lines, &nonblank, &Classes::new(lines, Edge::Top, rules))
            .into_iter()
            .filter(|&(i, _)| own_heading.is_none_or(|h| i < h)),
    );
    let mut bottom: Vec<usize> = nonblank.clone();
    bottom.reverse();
    for (i, reason) in scan(lines, &bottom, &Classes::new(lines, Edge::Bottom, rules)) {
        if !found.iter().any(|f| f.0 == i) {
            found.push((i, reason));
        }
    }
    // A line that goes on in the next one, or goes on from the one before, is a piece of a
    // sentence (prose wrapped into lines: a README's paragraph, a licence's notice recurring in
    // several documents): only its own evidence (a listed phrase, a copyright notice) removes it.
    // So is a line of a paragraph with such a piece, a recurring line that is a sentence, and
    // a heading marked as one (`## Copyright and licensing`, a README's).
    found.retain(|&(i, reason)| match reason {
        "boilerplate-block" => !sentence_piece(lines, i) && !heading(lines, i),
        "boilerplate-recurring" => {
            !in_prose(lines, i) && !sentence(&lines[i].text) && !heading(lines, i)
        }
        "boilerplate-phrase" => !heading(lines, i),
        _ => true,
    });
    // A document's front matter (`---` / `permalink: /contact/` / `---`) is its metadata, no
    // site's furniture: no rule reads its lines as a menu's. Nor are the fields of a record
    // (a mail's headers, a Debian copyright file's `Files:` and `License:` stanzas).
    if let Some((end, _)) = crate::metadata::front_matter(lines) {
        found.retain(|&(i, _)| i > end);
    }
    if !found.is_empty() {
        let fields = fields(lines);
        found.retain(|&(i, _)| !fields[i]);
    }
    let taken: HashSet<usize> = found.iter().map(|f| f.0).collect();
    for (i, reason) in tail(lines, &nonblank, &taken, rules) {
        if !taken.contains(&i) {
            found.push((i, reason));
        }
    }
    for &i in nonblank.iter().filter(|_| !rules.add.is_empty()) {
        let k = key(&lines[i].text);
        if rules.add.contains(&k) && !rules.exempt.contains(&k) && !found.iter().any(|f| f.0 == i) {
            found.push((i, "boilerplate-curated"));
        }
    }
    found.sort_unstable();
    let mut taken = Vec::with_capacity(found.len());
    for &(i, reason) in found.iter().rev() {
        let line = lines.remove(i);
        taken.push(Removed {
            line: line.no,
            text: line.text.trim().to_owned(),
            reason: reason.to_owned(),
        });
    }
    taken.reverse();
    removed.extend(taken);
}

fn sections() -> &'static HashSet<String> {
    static SECTIONS_SET: OnceLock<HashSet<String>> = OnceLock::new();
    SECTIONS_SET.get_or_init(|| {
        lines_of(SECTIONS)
            .chain(lines_of(REPLIES))
            .map(key)
            .collect()
    })
}

/// A comment's `Reply` button (`data/boilerplate/replies.txt`), as a line's key.
fn reply_button(k: &str) -> bool {
    lines_of(REPLIES).any(|r| r == k)
}

/// A heading that opens a page's tail (`data/boilerplate/sections.txt`), read without its
/// count: `Comments (74)`, `12 comments`, `留言列表 (42)`.
fn section_heading(text: &str) -> bool {
    // More than BLOCK_WORDS words (counted no further than needed: most lines are paragraphs).
    let long = crate::unicode::more_spaced_words_than(text, BLOCK_WORDS)
        .unwrap_or_else(|| crate::unicode::words(text).nth(BLOCK_WORDS).is_some());
    if long {
        return false;
    }
    let k: String = key(text)
        .chars()
        .filter(|c| {
            !c.is_numeric() && !matches!(c, '(' | ')' | '[' | ']' | '（' | '）' | '【' | '】')
        })
        .collect();
    let k = k.split_whitespace().collect::<Vec<_>>().join(" ");
    let k = k.trim_matches(|c: char| matches!(c, ' ' | ':' | '-' | '—' | '–' | '»' | '«'));
    !k.is_empty() && sections().contains(k)
}

/// A short line that is only a date or a time with a few words (`於 2013/12/28 10:28`,
/// `2020-05-19T17:52:00Z`): digits on both sides of `-`, `/`, `.` or `:`.
fn dated(text: &str) -> bool {
    if more_words_than(text, TAIL_DATE_WORDS) {
        return false;
    }
    let c: Vec<char> = text.chars().collect();
    c.windows(3).any(|w| {
        w[0].is_ascii_digit() && matches!(w[1], '-' | '/' | '.' | ':') && w[2].is_ascii_digit()
    })
}

/// A short line that is a name with a count in brackets at its end or its start, as lists of
/// a blog's categories and archives give them (`Travel (12)`, `(50490) Most read post`).
fn counted(text: &str) -> bool {
    let t = text.trim();
    if more_words_than(t, TAIL_DATE_WORDS) {
        return false;
    }
    let count = |inner: &str| !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit());
    let end = t
        .strip_suffix(')')
        .and_then(|r| r.rsplit_once('('))
        .is_some_and(|(name, n)| !name.trim().is_empty() && count(n));
    let start = t
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .is_some_and(|(n, name)| count(n) && !name.trim().is_empty());
    end || start
}

/// A line that is only a widget's mark: a count in brackets (`(8)`, a blog archive's posts of a
/// month) or arrows, triangles and separators (`►`, `▼`, `×`, `|`), never a text's own line
/// (a section break `* * *` is not one of them). A tail's evidence, as a date is.
fn widget_mark(text: &str) -> bool {
    let t = text.trim();
    let count = t
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    count
        || (!t.is_empty()
            && t.chars()
                .all(|c| c.is_whitespace() || WIDGET_MARKS.contains(&c)))
}

/// The arrows, triangles and separators of [`widget_mark`].
const WIDGET_MARKS: &[char] = &[
    '►', '▼', '▲', '◄', '▶', '◀', '▸', '▾', '›', '‹', '»', '«', '×', '✕', '|', '·', '•', '↑', '↓',
    '→', '←',
];

/// A line of more than [`MAX_UNKNOWN_WORDS`] words ending like a sentence: a paragraph.
fn paragraph(text: &str) -> bool {
    let t = text.trim();
    more_words_than(t, MAX_UNKNOWN_WORDS)
        && t.ends_with([
            '.', '!', '?', '…', '"', '»', '”', '。', '！', '？', ')', '\'', '။', '।', '؟', '։', '።',
        ])
}

/// A paragraph, or a long line ending in `:`: an article's lead-in to a list or a quotation
/// below it (a long line is no menu's group heading), where the body may begin. Not in a
/// page's tail, where `Some icons on this site were made by:` is a footer's.
fn opens_text(text: &str) -> bool {
    paragraph(text) || {
        let t = text.trim();
        t.ends_with([':', '：']) && more_words_than(t, MAX_UNKNOWN_WORDS)
    }
}

/// Whether `order` reads as prose wrapped into short lines (a plain-text document, an RFC, a
/// letter typed at 72 columns): at least two lines, and one in [`WRAPPED_SHARE`], of six words
/// or more that end on a letter and go on in a line that begins in lowercase. A tail is not.
fn wrapped(order: &[usize], lines: &[Line]) -> bool {
    let pairs = wrapped_pairs(order, lines);
    pairs >= 2 && pairs * WRAPPED_SHARE >= order.len()
}

/// How many lines of `order` of six words or more end on a letter and go on in a line that
/// begins in lowercase (see [`wrapped`]).
fn wrapped_pairs(order: &[usize], lines: &[Line]) -> usize {
    order
        .windows(2)
        .filter(|w| goes_on(&lines[w[0]].text, &lines[w[1]].text))
        .count()
}

/// Whether line `a` goes on in line `b`, one sentence wrapped: `a` of six words or more ends
/// on a letter or a comma, and `b` opens in lowercase, or both are in capitals (a licence's
/// disclaimer: `... FITNESS, IN NO` / `EVENT SHALL THE COPYRIGHT HOLDER(S) BE LIABLE ...`).
fn goes_on(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    let words = a.split_whitespace().count();
    words >= 6
        && a.chars()
            .last()
            .is_some_and(|c| c.is_alphabetic() || c == ',')
        && b.chars().next().is_some_and(|c| {
            c.is_lowercase()
                || (c.is_uppercase() && capitals(a) && capitals(b))
                || (c.is_uppercase() && words >= 8 && name_goes_on(b))
        })
}

/// A line of five words or more that opens with a name and goes on in lowercase (`License
/// along with this library`, `Corporation shall not be used`): the rest of a sentence whose
/// line broke inside the name, when the line before is long (`CNBC on MSN` under a teaser is
/// a credit).
fn name_goes_on(b: &str) -> bool {
    let mut words = b.split_whitespace();
    words.next();
    let second = words.next();
    words.count() >= 3 && second.is_some_and(|w| w.starts_with(char::is_lowercase))
}

/// A line in capitals: ten letters or more, none of them lowercase.
fn capitals(text: &str) -> bool {
    let (mut upper, mut lower) = (0usize, 0usize);
    for c in text.chars() {
        upper += usize::from(c.is_uppercase());
        lower += usize::from(c.is_lowercase());
    }
    upper >= 10 && lower == 0
}

/// Whether line `i` and the line right after it, or right before it, are one sentence wrapped
/// (see [`goes_on`]).
fn sentence_piece(lines: &[Line], i: usize) -> bool {
    let text = &lines[i].text;
    lines
        .get(i + 1)
        .is_some_and(|next| goes_on(text, &next.text))
        || i.checked_sub(1)
            .is_some_and(|p| goes_on(&lines[p].text, text))
}

/// Whether a line of the paragraph of line `i` (the lines next to it, no blank line between)
/// is a piece of a wrapped sentence (see [`sentence_piece`]).
fn in_prose(lines: &[Line], i: usize) -> bool {
    let blank = |j: usize| lines[j].text.trim().is_empty();
    let start = (0..i).rev().take_while(|&j| !blank(j)).last().unwrap_or(i);
    let end = (i + 1..lines.len())
        .take_while(|&j| !blank(j))
        .last()
        .unwrap_or(i);
    (start..=end).any(|j| sentence_piece(lines, j))
}

/// Which lines belong to a stanza of fields, as mails' headers and Debian's copyright files
/// (RFC 5322, DEP-5) write them: a paragraph that opens with a field (`Files: *`,
/// `Upstream-Contact: ...`, `Copyright:`), whose lines are all fields or their indented
/// continuations, with two fields or a field and its continuation.
fn fields(lines: &[Line]) -> Vec<bool> {
    let mut out = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].text.trim().is_empty() {
            i += 1;
            continue;
        }
        let end = (i..lines.len())
            .find(|&j| lines[j].text.trim().is_empty())
            .unwrap_or(lines.len());
        let paragraph = &lines[i..end];
        let continued = |t: &str| t.starts_with([' ', '\t']);
        let fields = paragraph.iter().filter(|l| field(&l.text)).count();
        if field(&paragraph[0].text)
            && paragraph.len() >= 2
            && paragraph
                .iter()
                .all(|l| field(&l.text) || continued(&l.text))
            && (fields >= 2 || paragraph.len() > fields)
        {
            out[i..end].fill(true);
        }
        i = end;
    }
    out
}

/// A field: a name of letters, digits and hyphens opening in a capital (`Upstream-Contact`),
/// a colon, and a value or nothing (`Copyright:`, over its indented lines).
fn field(text: &str) -> bool {
    let Some((name, _)) = text.split_once(':') else {
        return false;
    };
    name.len() <= 40
        && name.starts_with(|c: char| c.is_uppercase())
        && name.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// A sentence: four words or more, ending in `.` `!` `?` (`See the end for copying conditions.`).
fn sentence(text: &str) -> bool {
    let t = text.trim();
    t.split_whitespace().count() >= 4 && t.ends_with(['.', '!', '?'])
}

/// A Markdown heading: `#` to `######`, then a space and words.
/// A heading the document marks as one: a Markdown `#` heading, or a line underlined (a setext
/// or reStructuredText title: `Datenschutzerklärung` over `====`): its own title or section,
/// never a site's furniture.
fn heading(lines: &[Line], i: usize) -> bool {
    markdown_heading(&lines[i].text)
        || lines.get(i + 1).is_some_and(|n| {
            crate::metadata::is_underline(&n.text) && !crate::metadata::is_underline(&lines[i].text)
        })
}

fn markdown_heading(text: &str) -> bool {
    let t = text.trim_start();
    let hashes = t.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') && !t[hashes..].trim().is_empty()
}

/// Prose wrapped into lines: one line in this many goes on in the next (see `wrapped`).
pub const WRAPPED_SHARE: usize = 4;

/// A line with a digit that may be a date, a time or a count of the text's own: digits on both
/// sides of `-` `/` `.` `:` (`4:48 PM`, `2023-11-06`), a month's or a weekday's name beside them
/// (`Nov. 6`), or digits for a third of its letters and digits (`2023`, `Issue 42`). Above a
/// headline such a line stays; `2024 Elections` is a menu's item.
fn datelike(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let alnum = text.chars().filter(|c| c.is_alphanumeric()).count();
    let c: Vec<char> = text.chars().collect();
    digits * 3 >= alnum
        || c.windows(3).any(|w| {
            w[0].is_ascii_digit() && matches!(w[1], '-' | '/' | '.' | ':') && w[2].is_ascii_digit()
        })
        || text
            .split(|c: char| !c.is_alphabetic())
            .any(|w| !w.is_empty() && crate::metadata::date_word(&w.to_lowercase()))
}

/// A date line of a tail has at most this many words.
pub const TAIL_DATE_WORDS: usize = 8;

/// Rule 7, the page's tail: from a heading that opens it (comments, related stories; see
/// [`section_heading`]) below the body to the document's end, every line goes, when what
/// follows the heading is no article: no two paragraphs in a row, at least [`NAV_LISTED`]
/// lines of evidence (listed lines, headings, dates, counts of a blog's categories: see
/// [`counted`], lines other rules remove), twice as many as
/// its paragraphs, and each paragraph within three lines of such a line (a comment under its
/// user's name and time, or above its `Reply`), and no prose wrapped into short lines. Or read
/// again with the lines of lists of links (related stories: see [`link_runs`]) for evidence and
/// not for paragraphs: then one paragraph in [`TAIL_ALONE`] lines of evidence may stand alone
/// (a footer's notice, a teaser), but no more than [`TAIL_STRETCH`] lines in a row may go
/// without evidence other than links (an article written in short lines reads like a list of
/// them). The heading must stand past the body's first paragraph, with two long lines above it.
/// `order`: the non-blank lines; `taken`, those the other rules remove (evidence too). A line
/// curated as content keeps the tail.
fn tail(
    lines: &[Line],
    order: &[usize],
    taken: &HashSet<usize>,
    rules: &Rules,
) -> Vec<(usize, &'static str)> {
    let text = |p: usize| lines[order[p]].text.as_str();
    let n = order.len();
    // Headings first: most documents have none, and the rest need not be read.
    let heads: Vec<usize> = (3..n).filter(|&h| section_heading(text(h))).collect();
    if heads.is_empty() {
        return vec![];
    }
    let long: Vec<bool> = (0..n)
        .map(|p| more_words_than(text(p), MAX_UNKNOWN_WORDS))
        .collect();
    let Some(start) = (1..n).find(|&p| long[p] && (p + 1..(p + 4).min(n)).any(|q| long[q])) else {
        return vec![];
    };
    // A heading, not the last word of a sentence wrapped into it (`... keyframe` / `related`),
    // nor one its author marked as a section of the document (`## Tags`, a line underlined
    // with `---`: a README's, a manual's), nor one indented into a block (a code sample's
    // `Tags:`, a quotation's): a scraped page's headings stand at the margin, unmarked.
    let heads: Vec<usize> = heads
        .into_iter()
        .filter(|&h| {
            let line = &lines[order[h]].text;
            h >= start + 2
                && !sentence_piece(lines, order[h])
                && !markdown_heading(line)
                && !line.starts_with([' ', '\t'])
                && order
                    .get(h + 1)
                    .is_none_or(|&next| !crate::metadata::is_underline(&lines[next].text))
        })
        .collect();
    if heads.is_empty() {
        return vec![];
    }
    let links = link_runs(lines, order);
    let teasers = teaser_lists(lines, order);
    let strict: Vec<bool> = (0..n)
        .map(|p| {
            let t = text(p);
            taken.contains(&order[p])
                || rules.add.contains(&key(t))
                || listed(t).is_some()
                || section_heading(t)
                || dated(t)
                || counted(t)
                || widget_mark(t)
        })
        .collect();
    // A long line that other evidence takes (a copyright notice, the footer's other rules) is
    // evidence, not a paragraph: the notices at a page's foot are no article going on.
    let para: Vec<bool> = (0..n).map(|p| !strict[p] && paragraph(text(p))).collect();
    // Read again with lists of links (related stories) for evidence, not paragraphs: then a
    // stray paragraph (a footer's notice, a teaser) among much evidence is the tail's, but
    // evidence other than links must run through it all (an article written in short lines
    // reads like a list of links).
    let loose: Vec<bool> = (0..n).map(|p| strict[p] || links[p]).collect();
    let loose_para: Vec<bool> = (0..n).map(|p| para[p] && !links[p]).collect();
    // The longest stretch of lines without strict evidence from each line to the end.
    let mut stretch = vec![0; n + 1];
    let mut run = 0;
    for p in (0..n).rev() {
        run = if strict[p] { 0 } else { run + 1 };
        stretch[p] = stretch[p + 1].max(run);
    }
    // A paragraph of the article's own length (not a teaser's in a list of links, nor in a
    // list of stories each with its teaser: see `teaser_lists`).
    let article = |p: usize| {
        para[p] && !links[p] && !teasers[p] && more_words_than(text(p), TAIL_ARTICLE_WORDS - 1)
    };
    // Evidence other than links within three lines (a comment's name, time or `Reply`).
    let near_strict = |p: usize| (p.saturating_sub(3)..(p + 4).min(n)).any(|q| q != p && strict[q]);
    let para_words = |range: std::ops::Range<usize>, alone: bool| -> usize {
        range
            .filter(|&p| para[p] && !links[p] && !(alone && near_strict(p)))
            .map(|p| words(text(p)))
            .sum()
    };
    let mut replies = vec![false; n];
    for &h in &heads {
        replies[h] = reply_button(&key(text(h)));
    }
    for (k, &h) in heads.iter().enumerate() {
        if long[..h].iter().filter(|&&l| l).count() < 2 || wrapped(&order[h + 1..], lines) {
            continue;
        }
        // The tail opens below the article: a paragraph of it with a later heading below is
        // read from that heading (a box of related stories inside the article), and the tail
        // holds fewer words of paragraphs far from its evidence than the text above it (a
        // count of comments in a post's header is no tail of the post below it; comments
        // stand beside their names and times).
        // A box: at most a few lines, no evidence among them, then the article's paragraph.
        let first_paragraph = (h + 1..n).find(|&p| para[p]);
        let box_then_article = first_paragraph.is_some_and(|p| {
            p - h <= TAIL_BOX_LINES + 1 && article(p) && (h + 1..p).all(|q| !strict[q])
        });
        // A comment's `Reply` below is the thread's next comment, never a later section of the
        // article; under each comment, TAIL_THREAD times or more from the heading on, it makes
        // the tail a thread (boxes of related stories inside an article are none, nor headings).
        let thread = heads[k..].iter().filter(|&&o| replies[o]).count() >= TAIL_THREAD;
        if box_then_article
            || (h + 1..n).find(|&p| article(p)).is_some_and(|p| {
                heads[k + 1..]
                    .iter()
                    .any(|&later| later > p && !replies[later])
            })
        {
            continue;
        }
        if para_words(h + 1..n, true) > para_words(start..h, false) {
            continue;
        }
        // In a thread (a `Reply` under each comment), a comment may run to two paragraphs;
        // elsewhere two in a row are an article's.
        let run = if thread { 2 } else { 1 };
        let exact = tail_reading(h, &strict, &para, run).is_some_and(|(alone, _)| alone == 0);
        let loosely = stretch[h + 1] <= TAIL_STRETCH
            && tail_reading(h, &loose, &loose_para, run)
                .is_some_and(|(alone, shown)| alone * TAIL_ALONE <= shown);
        if !exact && !loosely {
            continue;
        }
        if (h..n).any(|p| rules.exempt.contains(&key(text(p)))) {
            return vec![];
        }
        return (h..n).map(|p| (order[p], "boilerplate-block")).collect();
    }
    vec![]
}

/// How the lines below a tail's heading at `h` read, given which are `evidence` and which
/// `para`graphs: `None` when they read as an article (more than `run` paragraphs in a row: one
/// in a thread's comment may be two, see [`TAIL_THREAD`]; fewer than
/// [`NAV_LISTED`] lines of evidence or fewer than twice its paragraphs); else how many
/// paragraphs stand alone, with no evidence within three lines and no other paragraph between
/// (the heading itself is not evidence: an article may go on below a box of related stories),
/// and how many lines of evidence there are.
fn tail_reading(h: usize, evidence: &[bool], para: &[bool], run: usize) -> Option<(usize, usize)> {
    let n = evidence.len();
    if (h + 1..n.saturating_sub(run)).any(|p| (p..=p + run).all(|q| para[q])) {
        return None;
    }
    let shown = evidence[h + 1..].iter().filter(|&&e| e).count();
    let paragraphs = para[h + 1..].iter().filter(|&&e| e).count();
    if shown < NAV_LISTED || paragraphs * 2 > shown {
        return None;
    }
    let near = |p: usize| {
        (p.saturating_sub(3).max(h + 1)..p)
            .rev()
            .take_while(|&q| !para[q])
            .any(|q| evidence[q])
            || (p + 1..(p + 4).min(n))
                .take_while(|&q| !para[q])
                .any(|q| evidence[q])
    };
    let alone = (h + 1..n).filter(|&p| para[p] && !near(p)).count();
    Some((alone, shown))
}

/// Which of `order` (non-blank lines) stand in a list of links: a run of at least
/// [`LINK_RUN`] lines in a row that read like headlines (see [`headline_shaped`]), such as a
/// box of related stories. One pass over the lines.
fn link_runs(lines: &[Line], order: &[usize]) -> Vec<bool> {
    let mut out = vec![false; order.len()];
    let mut start = 0;
    for p in 0..=order.len() {
        if p < order.len() && headline_shaped(lines, order, p) {
            continue;
        }
        if p - start >= LINK_RUN {
            out[start..p].fill(true);
        }
        start = p + 1;
    }
    out
}

/// Which of `order` (non-blank lines) stand in a list of stories each with its teaser, as boxes
/// of related or latest stories below an article give them: at least [`TEASER_LIST`] groups in
/// a row, each of one to [`TEASER_SHORT`] short lines (a section, the story's title, its
/// author or date) and then one long line (the teaser) that no other long line follows (two in
/// a row are an article's paragraphs). Below a tail's heading such a teaser is no paragraph of
/// the article going on (as one below a box of links is); it is no evidence of a tail either,
/// as an article's subheadings with one paragraph each read the same.
fn teaser_lists(lines: &[Line], order: &[usize]) -> Vec<bool> {
    let n = order.len();
    let long: Vec<bool> = (0..n)
        .map(|p| more_words_than(&lines[order[p]].text, MAX_UNKNOWN_WORDS))
        .collect();
    // The first long line from each line on (n: none): each group is read in one step.
    let mut next_long = vec![n; n + 1];
    for p in (0..n).rev() {
        next_long[p] = if long[p] { p } else { next_long[p + 1] };
    }
    let long = |p: usize| long[p];
    let mut out = vec![false; n];
    let mut p = 0;
    while p < n {
        // Groups from p on: (first line, teaser) of each.
        let (start, mut q, mut groups) = (p, p, 0);
        loop {
            let teaser = next_long[q];
            let shorts = teaser - q;
            if shorts == 0 || shorts > TEASER_SHORT || teaser >= n {
                break;
            }
            if teaser + 1 < n && long(teaser + 1) {
                break;
            }
            groups += 1;
            q = teaser + 1;
        }
        if groups >= TEASER_LIST {
            out[start..q].fill(true);
            p = q;
        } else {
            p += 1;
        }
    }
    out
}

/// A list of stories with teasers has at least this many of them...
pub const TEASER_LIST: usize = 3;
/// ...each under at most this many short lines.
pub const TEASER_SHORT: usize = 4;

/// A line that reads like a link to a story: two to [`TITLE_WORDS`] words, not ending like a
/// statement or a clause (`.` `,` `;` `:`), not opening in lowercase nor going on in a line
/// that does (prose wrapped into lines).
fn headline_shaped(lines: &[Line], order: &[usize], p: usize) -> bool {
    let t = lines[order[p]].text.trim();
    let opens_low = |s: &str| s.trim().chars().next().is_some_and(char::is_lowercase);
    more_words_than(t, 1)
        && !more_words_than(t, TITLE_WORDS)
        && !t.ends_with(['.', ',', ';', ':', '、', '，', '：', '-', '—'])
        && !opens_low(t)
        && order.get(p + 1).is_none_or(|&q| !opens_low(&lines[q].text))
}

/// A paragraph of at least this many words below a tail's heading is the article's own when it
/// follows the heading's list of links at once, or when another heading follows it.
pub const TAIL_ARTICLE_WORDS: usize = 20;

/// A box of related stories inside an article has at most this many lines (four stories with
/// a line of teaser each).
pub const TAIL_BOX_LINES: usize = 8;

/// This many `Reply` buttons of comments from a tail's heading on make the tail a thread.
pub const TAIL_THREAD: usize = 3;

/// A page's tail may hold one paragraph far from its evidence for this many lines of evidence.
pub const TAIL_ALONE: usize = 10;

/// ...and no more than this many lines in a row without evidence.
pub const TAIL_STRETCH: usize = 40;

/// A list of links runs to at least this many lines in a row.
pub const LINK_RUN: usize = 4;

/// How a line of an edge's block is classed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Furniture by itself (listed phrase, menu, copyright, curated).
    Listed(&'static str),
    /// Recurs at this edge of several documents.
    Recurring,
    /// Neither, and short.
    Unknown,
    /// Neither, and long (or close to the title): never removed, in a block that runs past it.
    Long,
    /// Curated as content: never removed, ends a block.
    Content,
}

/// The furniture of one edge's block, scanning `order` (indices of non-blank lines) inwards.
///
/// The readings of the edge, the widest first (rule 6 of the module's documentation): at the
/// top, the blocks above each line repeating the title, then the run from the last of them, or
/// else the block above the body; at the bottom, the footer below the body; then the
/// navigation block from the edge to its first long line (gaps between listed lines);
/// otherwise the **run** of furniture from the edge: unknown lines do not end it unless two (at
/// the bottom three) come in a row. Listed lines are removed; recurring lines when the block
/// has a listed line too; at the bottom, short unknown lines standing between furniture lines
/// of a block with at least two listed lines (`boilerplate-block`). At the top unknown lines of
/// a run are kept: a title stands among menus there.
fn scan(lines: &[Line], order: &[usize], classes: &Classes) -> Vec<(usize, &'static str)> {
    let edge = classes.edge;
    if edge == Edge::Top {
        let heads = headlines(lines, order);
        if let Some(&last) = heads.last() {
            // The menus between the title and each line repeating it (past long lines), then
            // the run from the last one.
            let (mut found, mut dense) = (Vec::new(), false);
            let mut from = 1;
            for &h in &heads {
                let block: Vec<(usize, Class)> = order[from..h]
                    .iter()
                    .map(|&i| (i, classes.of(i).unwrap_or(Class::Long)))
                    .collect();
                if block.iter().any(|(_, c)| *c == Class::Content) {
                    return found;
                }
                if let Some(nav) = navigation(lines, block, None, Mode::AboveHeadline) {
                    found.extend(nav);
                    dense = true;
                }
                from = h + 1;
            }
            if dense {
                found.extend(below_headline(lines, order, last, classes));
                return found;
            }
        }
    }
    if edge == Edge::Top
        && titled(lines, order)
        && let Some(edge_start) = body_edge(lines, order, 1)
    {
        // Above the body's first paragraph, without a headline found: the same, but the
        // lines nearest the body and those close to the title (the headline in other words).
        // A paragraph above the first two long lines is the body's start: a post of one
        // paragraph (a blog's) has its two long lines in the footer below it, and its
        // headline, byline and closing lines are no menu's items.
        let start = (1..edge_start)
            .find(|&p| opens_text(&lines[order[p]].text))
            .unwrap_or(edge_start);
        let title = &lines[order[0]].text;
        let block: Vec<(usize, Class)> = order[1..start.saturating_sub(BODY_MARGIN).max(1)]
            .iter()
            .map(|&i| (i, classes.of(i).unwrap_or(Class::Long)))
            .take_while(|(_, c)| *c != Class::Content)
            .map(|(i, c)| match c {
                Class::Unknown if akin(&lines[i].text, title) => (i, Class::Long),
                c => (i, c),
            })
            .collect();
        if let Some(mut found) = navigation(lines, block, None, Mode::BesideBody) {
            found.extend(run(
                lines,
                &order[start.saturating_sub(BODY_MARGIN).max(1)..],
                classes,
            ));
            return found;
        }
    }
    if edge == Edge::Bottom
        && let Some(end) = body_edge(lines, order, 0)
    {
        // Below the body's last paragraph (past long lines): a footer dense with listed lines.
        // The lines just below the body stay: the article's last lines (its related links, a
        // credit) are short too.
        let block: Vec<(usize, Class)> = order[..end.saturating_sub(BODY_MARGIN)]
            .iter()
            .map(|&i| (i, classes.of(i).unwrap_or(Class::Long)))
            .take_while(|(_, c)| *c != Class::Content)
            .collect();
        if let Some(found) = navigation(lines, block, None, Mode::BesideBody) {
            return found;
        }
    }
    let mut block: Vec<(usize, Class)> = Vec::new();
    for &i in order {
        match classes.of(i) {
            Some(Class::Content) | None => break,
            Some(class) => block.push((i, class)),
        }
    }
    let first = (edge == Edge::Top)
        .then(|| order.first().copied())
        .flatten();
    if let Some(found) = navigation(lines, block, first, Mode::Gaps) {
        return found;
    }
    run(lines, order, classes)
}

/// What goes below the headline at `head` (in `order`): between it and the body's first
/// paragraph but the [`BODY_MARGIN`] lines nearest it, a navigation block from its first listed
/// line on (a share bar, a video playlist; the deck and byline above it stay), a line close to
/// the title in its words staying; then, or else, the run of furniture from the headline.
fn below_headline(
    lines: &[Line],
    order: &[usize],
    head: usize,
    classes: &Classes,
) -> Vec<(usize, &'static str)> {
    if let Some(start) = body_start(lines, order, head + 1) {
        let near = start.saturating_sub(BODY_MARGIN).max(head + 1);
        let title = &lines[order[0]].text;
        let block: Vec<(usize, Class)> = order[head + 1..near]
            .iter()
            .map(|&i| {
                let class = classes.of(i).unwrap_or(Class::Long);
                match class {
                    Class::Unknown if akin(&lines[i].text, title) => (i, Class::Long),
                    c => (i, c),
                }
            })
            .take_while(|(_, c)| *c != Class::Content)
            .skip_while(|(_, c)| !matches!(c, Class::Listed(_)))
            .collect();
        if let Some(mut found) = navigation(lines, block, None, Mode::BesideBody) {
            found.extend(run(lines, &order[near..], classes));
            return found;
        }
    }
    run(lines, &order[head..], classes)
}

/// The run of furniture from the edge (see [`scan`]).
fn run(lines: &[Line], order: &[usize], classes: &Classes) -> Vec<(usize, &'static str)> {
    let (edge, rules) = (classes.edge, classes.rules);
    let tolerance = match edge {
        Edge::Top => 1,
        Edge::Bottom => 2,
    };
    let mut block: Vec<(usize, Class)> = Vec::new();
    let mut unknown_run = 0;
    for &i in order {
        let Some(class) = classes.of(i) else {
            break;
        };
        if class == Class::Content {
            break;
        }
        if class == Class::Unknown {
            unknown_run += 1;
            // At the bottom a footer dense with furniture (a third of its lines listed, at least
            // MIN_FOOTER_LISTED) is not ended by a run of unknown lines, only by a paragraph.
            let listed = evidence(&block);
            let dense =
                edge == Edge::Bottom && listed >= MIN_FOOTER_LISTED && listed * 3 > block.len();
            if unknown_run > tolerance && !dense {
                break;
            }
        } else {
            unknown_run = 0;
        }
        block.push((i, class));
    }
    // The block ends at its last furniture line.
    while block.last().is_some_and(|(_, c)| *c == Class::Unknown) {
        block.pop();
    }
    let listed = evidence(&block);
    let mut out = Vec::new();
    for (n, &(i, class)) in block.iter().enumerate() {
        match class {
            Class::Listed(reason) => out.push((i, reason)),
            Class::Recurring if listed > 0 => out.push((i, "boilerplate-recurring")),
            Class::Unknown
                if edge == Edge::Bottom
                    && listed >= 2
                    && block[..n].iter().any(|(_, c)| *c != Class::Unknown)
                    && block_line(&lines[i].text)
                    && !rules.exempt.contains(&key(&lines[i].text)) =>
            {
                out.push((i, "boilerplate-block"))
            }
            _ => {}
        }
    }
    out
}

/// The lines of a document classed at one edge, each once: the readings of an edge ([`scan`]:
/// the blocks above and below a headline, beside the body, the navigation block, the run) class
/// the same lines again, and classing one takes its key and several look-ups.
struct Classes<'a> {
    lines: &'a [Line],
    edge: Edge,
    rules: &'a Rules,
    /// By line index: [`classify`]'s answer.
    known: std::cell::RefCell<foldhash::HashMap<usize, Option<Class>>>,
}

impl<'a> Classes<'a> {
    fn new(lines: &'a [Line], edge: Edge, rules: &'a Rules) -> Self {
        Classes {
            lines,
            edge,
            rules,
            known: Default::default(),
        }
    }

    /// [`classify`] of line `i`.
    fn of(&self, i: usize) -> Option<Class> {
        if let Some(&class) = self.known.borrow().get(&i) {
            return class;
        }
        let class = classify(&self.lines[i].text, self.edge, self.rules);
        self.known.borrow_mut().insert(i, class);
        class
    }
}

/// How a line is classed at `edge`; `None` for a long line that is not furniture (it ends a
/// block, unless the block runs up to a headline).
fn classify(text: &str, edge: Edge, rules: &Rules) -> Option<Class> {
    let k = key(text);
    if rules.exempt.contains(&k) {
        Some(Class::Content)
    } else if rules.add.contains(&k) {
        Some(Class::Listed("boilerplate-curated"))
    } else if let Some(reason) = listed_as(text, &k) {
        Some(Class::Listed(reason))
    } else if rules.recurring.contains(&edge.key_of(&k)) {
        Some(Class::Recurring)
    } else if !more_words_than(text, MAX_UNKNOWN_WORDS) {
        Some(Class::Unknown)
    } else {
        None
    }
}

/// How many of a block's lines are furniture by themselves, as evidence that the lines beside
/// them are too: copyright notices count once. A site's footer has one; a run of them is a
/// licence's list of holders, and the licence's lines beside it are its text.
fn evidence(block: &[(usize, Class)]) -> usize {
    let (mut listed, mut notices) = (0usize, 0usize);
    for (_, c) in block {
        match c {
            Class::Listed("boilerplate-copyright") => notices += 1,
            Class::Listed(_) => listed += 1,
            _ => {}
        }
    }
    listed + notices.min(1)
}

/// What goes of a navigation `block` (see [`scan`]), when it is one; `first`, the document's
/// first line when the block starts with it, stays, and so does everything from a line that
/// repeats it inwards. A block `above_headline` loses all its short items, not only those of
/// short gaps between listed lines.
fn navigation(
    lines: &[Line],
    block: Vec<(usize, Class)>,
    first: Option<usize>,
    mode: Mode,
) -> Option<Vec<(usize, &'static str)>> {
    let beyond = mode != Mode::Gaps;
    let n = evidence(&block);
    let long = block.iter().filter(|(_, c)| *c == Class::Long).count();
    let dense = if beyond {
        n * NAV_SHARE_ABOVE >= block.len() && long * NAV_LONG_ABOVE <= block.len()
    } else {
        n * NAV_SHARE >= block.len()
    };
    if n < NAV_LISTED || !dense {
        return None;
    }
    // Up to the innermost listed line; at the top, not past the headline.
    let is_listed = |p: usize| matches!(block[p].1, Class::Listed(_));
    let mut end = match mode {
        Mode::AboveHeadline => block.len(),
        _ => (0..block.len()).rposition(is_listed).map_or(0, |p| p + 1),
    };
    if let Some(title) = first.map(|i| plain(&lines[i].text, usize::MAX).0)
        && let Some(p) = (1..block.len()).find(|&p| repeats(&lines[block[p].0].text, &title))
    {
        end = end.min(p);
    }
    let mut out = Vec::new();
    for (p, &(i, class)) in block.iter().enumerate() {
        // The unknown lines of a gap between listed lines go when the gap is short (a menu's
        // items the lists do not know), and they read like items, not like a sentence.
        let gap = || {
            let before = (0..p).rposition(is_listed).map_or(0, |a| a + 1);
            let after = (p + 1..block.len()).find(|&b| is_listed(b));
            after.is_some_and(|b| {
                // In the document's order (a bottom block is read upwards).
                let mut gap: Vec<usize> = block[before..b].iter().map(|(i, _)| *i).collect();
                gap.sort_unstable();
                b - before <= NAV_GAP
                    && block[before..b].iter().all(|(_, c)| *c != Class::Long)
                    && !wrapped(&gap, lines)
            })
        };
        // Above a headline every item goes, but a piece of a date or a time, or of a sentence.
        let above = || {
            let t = lines[i].text.trim();
            t.chars().count() > 3 && !datelike(t)
        };
        match class {
            Class::Listed(reason) => out.push((i, reason)),
            _ if Some(i) == first || !item(&lines[i].text) => {}
            _ if p >= end => {}
            _ if beyond && !above() => {}
            _ if !beyond && (!gap() || datelike(lines[i].text.trim())) => {}
            Class::Recurring => out.push((i, "boilerplate-recurring")),
            Class::Unknown => out.push((i, "boilerplate-block")),
            Class::Long | Class::Content => {}
        }
    }
    Some(out)
}

/// How a navigation block loses its unknown lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Those of short gaps between listed lines, up to the innermost listed line.
    Gaps,
    /// All of them (but dates and pieces of sentences): the block stands above a headline.
    AboveHeadline,
    /// All of them up to the innermost listed line: the block stands beside the body (below
    /// it, or above it when no headline was found), its nearest lines left out.
    BesideBody,
}

/// A line that reads like a menu's item, not a piece of a sentence: it does not end with
/// a sentence's or a clause's punctuation.
fn item(text: &str) -> bool {
    let t = text.trim();
    !t.ends_with([
        '.', ',', ';', '!', '?', '…', '"', '»', '”', '。', '、', '，', '။', '၊', '।', '؟', '،',
        '։', '።',
    ]) && !t.contains("; ")
}

/// Where the lines that repeat the document's first line stand in `order` (non-blank lines from
/// the top), up to the body's first line (see [`body_start`]; without one, in the first half;
/// without a repeat above it, the first one below it in the first half: a menu that describes
/// its sections in sentences reads like a body), when that line reads like a page's title (at most
/// [`TITLE_WORDS`] words, not ending like a sentence or a salutation): breadcrumbs, headline.
fn headlines(lines: &[Line], order: &[usize]) -> Vec<usize> {
    let Some(title) = order.first().map(|&i| lines[i].text.trim()) else {
        return vec![];
    };
    if more_words_than(title, TITLE_WORDS) || !title_like(title) {
        return vec![];
    }
    // Not past the body's start: two long lines close together (a cookie notice is one).
    let body = body_start(lines, order, 1).unwrap_or(order.len());
    let end = if body < order.len() {
        body + 1
    } else {
        order.len() / 2
    };
    let title = plain(title, usize::MAX).0;
    let found: Vec<usize> = (1..end)
        .filter(|&p| repeats(&lines[order[p]].text, &title))
        .collect();
    if !found.is_empty() {
        return found;
    }
    (end..order.len() / 2)
        .find(|&p| repeats(&lines[order[p]].text, &title))
        .into_iter()
        .collect()
}

/// A line that may be a page's title: it reads like an item (see [`item`]), or it is a
/// question or an exclamation (`How does the brain work?`), as headlines are; not a sentence,
/// nor a salutation (`Dear Anna,`).
fn title_like(text: &str) -> bool {
    let t = text.trim();
    item(t.trim_end_matches(['?', '!', '？', '！']))
}

/// Whether the document's first line reads like a page's title: at most [`TITLE_WORDS`] words,
/// not ending like a sentence or a salutation.
fn titled(lines: &[Line], order: &[usize]) -> bool {
    order.first().is_some_and(|&i| {
        let t = lines[i].text.trim();
        !more_words_than(t, TITLE_WORDS) && title_like(t)
    })
}

/// A line close to the page's title: at least half of its words (three or more) are the
/// title's, as a headline worded otherwise than the `<title>` is.
fn akin(line: &str, title: &str) -> bool {
    let tokens = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (lw, tw) = (tokens(line), tokens(title));
    let shared = lw.iter().filter(|w| tw.contains(w)).count();
    lw.len() >= 3 && shared * 2 >= lw.len()
}

/// Where the body begins, scanning `order` from an edge (from its line `from`: at the top, past
/// the title): the first of two long lines at most 3 lines apart (a cookie notice or a site's
/// description is one long line alone).
fn body_edge(lines: &[Line], order: &[usize], from: usize) -> Option<usize> {
    let long = |p: usize| more_words_than(&lines[order[p]].text, MAX_UNKNOWN_WORDS);
    (from..order.len()).find(|&p| long(p) && (p + 1..(p + 4).min(order.len())).any(long))
}

/// Where the body begins, as [`body_edge`] finds it, but one of its long lines must end like a
/// sentence (see [`paragraph`]: two lines of a newsletter's or a menu's descriptions are no
/// body), and three long lines within five lines, when a document has them (two long lines of a
/// cookie notice are no body either); the first two long lines in prose wrapped into lines.
fn body_start(lines: &[Line], order: &[usize], from: usize) -> Option<usize> {
    let edge = body_edge(lines, order, from)?;
    let rest = &order[edge..];
    let n = rest.len();
    // Each line read once, as far as the search goes: (long, long ending like a sentence).
    let mut flags: Vec<(bool, bool)> = Vec::new();
    let read_to = |end: usize, flags: &mut Vec<(bool, bool)>| {
        while flags.len() < end.min(n) {
            let t = &lines[rest[flags.len()]].text;
            let long = more_words_than(t, MAX_UNKNOWN_WORDS);
            flags.push((long, long && opens_text(t)));
        }
    };
    let opens = |flags: &[(bool, bool)], p: usize, count: usize, window: usize| {
        let w = &flags[p..(p + window).min(n)];
        w[0].0
            && w[1..].iter().filter(|f| f.0).take(count - 1).count() == count - 1
            && w.iter().any(|f| f.1)
    };
    let mut start = None;
    for p in 0..n {
        read_to(p + 5, &mut flags);
        if opens(&flags, p, 3, 5) {
            start = Some(p);
            break;
        }
    }
    if start.is_none() {
        start = (0..n).find(|&p| opens(&flags, p, 2, 4));
    }
    // Prose wrapped into short lines (a manual) has few long lines ending like a sentence:
    // past two lines of it, the first two long lines open the body.
    match start.map(|p| p + edge) {
        Some(p) if wrapped_pairs(&order[edge..p], lines) < 2 => Some(p),
        _ => Some(edge),
    }
}

/// This many lines below the body stay, whatever they are.
pub const BODY_MARGIN: usize = 6;

/// A page's title has at most this many words.
pub const TITLE_WORDS: usize = 30;

/// A line that repeats a page's title: the headline under the site's menus (`title` is the
/// page's first line, often `Headline - Site`, as [`plain`] makes it): the same letters and
/// digits, or the title's beginning or end, or the title and more, at least [`REPEAT_CHARS`]
/// long.
fn repeats(line: &str, title: &str) -> bool {
    if title.is_empty() {
        return false;
    }
    // Read no further than one word past the title's length: a longer line may only go on
    // from the title.
    let (l, longer) = plain(line, title.len());
    if l.is_empty() {
        return false;
    }
    let long = |s: &str| s.chars().count() >= REPEAT_CHARS;
    if longer {
        return long(title) && l.starts_with(title);
    }
    l == title
        || (long(&l) && (title.starts_with(&l) || title.ends_with(&l)))
        || (long(title) && l.starts_with(title))
}

/// A line's letters and digits, lowercase, its words set apart by single spaces (quotes are
/// curly in one line, straight in another), read until it is longer than `cap` bytes: the text,
/// and whether it stopped there.
fn plain(line: &str, cap: usize) -> (String, bool) {
    let mut out = String::with_capacity(line.len().min(cap.saturating_add(16)));
    let words = line
        .split(|c: char| !crate::unicode::is_alphanumeric(c))
        .filter(|w| !w.is_empty());
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        // Spaces on both sides: each word lowercases as it does in the whole line.
        crate::unicode::push_lowercase(&mut out, word);
        if out.len() > cap {
            return (out, true);
        }
    }
    (out, false)
}

/// Words of a line, counting two characters of a script written without spaces (Chinese,
/// Japanese, Thai, ...) as one word: a paragraph of Chinese is long, as one of English is.
pub fn words(text: &str) -> usize {
    let unspaced = text.chars().filter(|&c| unspaced_script(c)).count();
    text.split_whitespace().count() + unspaced / 2
}

/// `words(text) > limit`, reading no further than needed: lines are often paragraphs.
pub fn more_words_than(text: &str, limit: usize) -> bool {
    // Most lines have no character of an unspaced script and no space but ASCII's: their words
    // are counted byte by byte.
    if let Some(more) = crate::unicode::more_spaced_words_than(text, limit) {
        return more;
    }
    let (mut spaced, mut unspaced) = (0usize, 0usize);
    for word in crate::unicode::words(text) {
        spaced += 1;
        // Every unspaced script is at U+0E00 or above: three bytes or more in UTF-8.
        if word.bytes().any(|b| b >= 0xE0) {
            unspaced += word.chars().filter(|&c| unspaced_script(c)).count();
        }
        if spaced + unspaced / 2 > limit {
            return true;
        }
    }
    false
}

/// Letters of the scripts written without spaces between words: their vowel signs and other
/// combining marks are not counted (a Burmese or Thai syllable is several characters).
fn unspaced_script(c: char) -> bool {
    !unspaced_mark(c) && unspaced_block(c)
}

/// The combining marks of the Thai, Lao, Myanmar and Khmer blocks.
fn unspaced_mark(c: char) -> bool {
    matches!(c as u32,
        0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E // Thai
        | 0x0EB1 | 0x0EB4..=0x0EBC | 0x0EC8..=0x0ECD // Lao
        | 0x102B..=0x103E | 0x1056..=0x1059 | 0x105E..=0x1060 | 0x1062..=0x1064
        | 0x1067..=0x106D | 0x1071..=0x1074 | 0x1082..=0x108D | 0x108F | 0x109A..=0x109D // Myanmar
        | 0x17B4..=0x17D3 | 0x17DD) // Khmer
}

/// Characters of the blocks of the scripts written without spaces between words.
fn unspaced_block(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF) // CJK compatibility ideographs
}

/// A navigation block has at least this many listed lines...
pub const NAV_LISTED: usize = 4;
/// ...and at least one line in this many is listed.
pub const NAV_SHARE: usize = 5;
/// Above a headline, one line in this many listed is enough...
pub const NAV_SHARE_ABOVE: usize = 25;
/// ...when at most one line in this many is long.
pub const NAV_LONG_ABOVE: usize = 4;
/// A gap of at most this many unknown lines between listed lines of a navigation block goes.
pub const NAV_GAP: usize = 6;
/// A part of a page's title this long (in characters) repeats it.
pub const REPEAT_CHARS: usize = 12;

/// A short unknown line that may go with its block: at most [`BLOCK_WORDS`] words, not ending
/// like a sentence (a footer's group heading `Follow us:` may go; a signature is kept by the
/// block's need for listed lines around it).
fn block_line(text: &str) -> bool {
    let t = text.trim();
    t.split_whitespace().count() <= BLOCK_WORDS && !t.ends_with(['.', '!', '?', '…', '"', '»'])
}

/// A bottom block with at least this many listed lines, a third of its lines, is a footer that a
/// run of unknown lines does not end.
pub const MIN_FOOTER_LISTED: usize = 4;

/// An unknown line inside a bottom block has at most this many words to be taken with it.
pub const BLOCK_WORDS: usize = 6;

/// The keys of a document's edge lines (the first and last [`EDGE_LINES`] non-blank lines, each
/// counted at its edge), for counting recurrence across the corpus. Reads only the edges.
pub fn edge_keys(text: &str) -> Vec<String> {
    // A paragraph is not furniture: counting stops at the first word past the limit.
    let usable = |l: &&str| !l.trim().is_empty() && !more_words_than(l, MAX_UNKNOWN_WORDS);
    let nonblank = |l: &&str| !l.trim().is_empty();
    let top = text
        .lines()
        .filter(nonblank)
        .take(EDGE_LINES)
        .filter(usable);
    let bottom = text
        .lines()
        .rev()
        .filter(nonblank)
        .take(EDGE_LINES)
        .filter(usable);
    let mut keys: Vec<String> = top
        .map(|l| Edge::Top.key(l))
        .chain(bottom.map(|l| Edge::Bottom.key(l)))
        .filter(|k| k[2..].chars().count() > 2)
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn strip_with(text: &str, rules: &Rules) -> (Vec<Line>, Vec<Removed>) {
        let mut lines = normalize(text).lines;
        let mut removed = vec![];
        strip(&mut lines, rules, &mut removed);
        (lines, removed)
    }

    fn strip_text(text: &str) -> (Vec<Line>, Vec<Removed>) {
        strip_with(text, &Rules::default())
    }

    const BODY: &str = "The first paragraph of the article, which goes on for quite a few words.\n\n\
                        The second one.\n\nThe third one, and with it the last of the article's text.\n\n";

    #[test]
    fn listed_phrase_at_the_end_is_removed() {
        let (lines, removed) = strip_text(&format!("{BODY}Leave a comment\n"));
        let last = lines.iter().rfind(|l| !l.text.is_empty()).unwrap();
        assert!(last.text.starts_with("The third one"));
        assert_eq!(removed[0].reason, "boilerplate-phrase");
        assert_eq!(removed[0].line, 7);
    }

    #[test]
    fn a_footer_block_goes_with_its_short_unknown_lines() {
        let text = format!("{BODY}About us\nMasthead\nPitch us\nPrivacy policy\nTerms of use\n");
        let (_, removed) = strip_text(&text);
        let reasons: Vec<_> = removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "boilerplate-phrase",
                "boilerplate-block",
                "boilerplate-block",
                "boilerplate-phrase",
                "boilerplate-phrase"
            ]
        );
    }

    #[test]
    fn one_unknown_line_at_the_end_does_not_stop_the_scan() {
        let text = format!(
            "{BODY}Share this article\nCookies\n© 2026 Example News. All rights reserved.\nSome unknown site line\n"
        );
        let (lines, removed) = strip_text(&text);
        let reasons: Vec<_> = removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "boilerplate-phrase",
                "boilerplate-phrase",
                "boilerplate-copyright"
            ]
        );
        assert_eq!(
            lines.iter().rfind(|l| !l.text.is_empty()).unwrap().text,
            "Some unknown site line"
        );
    }

    #[test]
    fn menus_at_the_top_are_removed_and_the_title_stays() {
        let text = format!(
            "Новости | Политика | Экономика | Спорт\nЗаголовок статьи\nПодписаться\n\n{BODY}"
        );
        let (lines, removed) = strip_text(&text);
        assert_eq!(removed.len(), 2);
        assert_eq!(removed[0].reason, "boilerplate-menu");
        assert_eq!(removed[1].text, "Подписаться");
        assert_eq!(lines[0].text, "Заголовок статьи");
    }

    #[test]
    fn a_signature_in_another_language_is_content() {
        let text = "Sehr geehrte Frau Müller,\n\nvielen Dank für Ihren Brief, über den ich mich sehr gefreut habe, wirklich sehr.\n\nMit freundlichen Grüßen\nIhre Käthe Schröder\n";
        let (lines, removed) = strip_text(text);
        assert!(removed.is_empty());
        assert_eq!(lines.last().unwrap().text, "Ihre Käthe Schröder");
    }

    #[test]
    fn phrases_inside_the_body_are_not_touched() {
        let (lines, removed) = strip_text(&format!("{BODY}Share\n\n{BODY}"));
        assert!(removed.is_empty());
        assert!(lines.iter().any(|l| l.text == "Share"));
    }

    #[test]
    fn curated_lines_are_removed_or_kept_as_said() {
        let rules = Rules::default().with(&["Example Site Header".into()], &["Share".into()]);
        let (lines, removed) = strip_with(&format!("Example Site Header\n\n{BODY}Share\n"), &rules);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].reason, "boilerplate-curated");
        assert_eq!(lines.last().unwrap().text, "Share");
    }

    #[test]
    fn recurring_lines_go_only_beside_listed_furniture() {
        let mut rules = Rules::default();
        rules
            .recurring
            .insert(Edge::Bottom.key("Example News Network"));
        rules
            .recurring
            .insert(Edge::Bottom.key("Ihre Käthe Schröder"));
        let (_, removed) = strip_with(&format!("{BODY}Example News Network\nShare\n"), &rules);
        assert_eq!(removed.len(), 2);
        assert_eq!(removed[0].reason, "boilerplate-recurring");
        let (_, removed) = strip_with(&format!("{BODY}Ihre Käthe Schröder\n"), &rules);
        assert!(removed.is_empty());
    }

    #[test]
    fn front_matter_and_a_link_going_on_in_the_next_line_stay() {
        // A Jekyll page's front matter (the Maison de la Poésie de Rennes's), and This Week in
        // Rust's list item `- [Reddit` / `discussion](...)`, wrapped at its link's text.
        let text = "---\nlayout: rubrique\ntitle: Contact\npermalink: /contact/\n---\n## Infos\n\n47 rue Armand Rébillon 35000 RENNES\\\n02 99 51 33 32\\\ncontact@maiporennes.fr\\\n**Ouvert le mardi et le jeudi de 10h à 18h et mercredi de 14h30 à 18h**\n";
        // Every page of the site has its `layout:` line (a recurring line at the top).
        let mut rules = Rules::default();
        for l in ["---", "layout: rubrique"] {
            rules.recurring.insert(Edge::Top.key(l));
        }
        let (_, removed) = strip_with(text, &rules);
        assert!(removed.is_empty(), "{removed:?}");
        assert_eq!(listed("- [Reddit"), None);
        assert_eq!(listed("Reddit"), listed("- Reddit"));
    }

    #[test]
    fn minutes_of_one_template_keep_their_recurring_heads() {
        // Node.js's TSC minutes of 2015-01-15 (nodejs/TSC `meetings/`): their headings and
        // attendees recur at the top of other minutes, and `Topics` is a listed phrase.
        let mut rules = Rules::default();
        for l in [
            "## Participants",
            "* Julien Gilli",
            "* Robert Kowalski",
            "### Website",
        ] {
            rules.recurring.insert(Edge::Top.key(l));
        }
        let text = "# Node.js core team meeting 2014-01-15\n\n## Participants\n\n* Timothy J Fontaine\n* Julien Gilli\n* Robert Kowalski\n\n## Topics\n\n### Website\n\nThe only topic that was discussed during this meeting was the Node.js website.\n";
        let (_, removed) = strip_with(text, &rules);
        assert!(removed.is_empty(), "{removed:?}");
        // Above a document's own first heading, a site's recurring lines still go.
        let (_, removed) = strip_with(
            &format!("* Julien Gilli\nHome\nNews\nContact\nLogin\n{text}"),
            &rules,
        );
        assert!(removed.iter().any(|r| r.text == "Home"), "{removed:?}");
        assert!(removed.iter().all(|r| r.line < 6), "{removed:?}");
    }

    #[test]
    fn recurring_prose_and_headings_of_the_text_stay() {
        // A notice wrapped into lines, a sentence, recurring in several documents of a corpus
        // beside a copyright notice: prose, not a site's furniture.
        let mut rules = Rules::default();
        for l in [
            "Permission is granted to copy and distribute this document under",
            "the terms of the licence named below.",
            "See the end for copying conditions.",
        ] {
            rules.recurring.insert(Edge::Bottom.key(l));
        }
        let (_, removed) = strip_with(
            &format!(
                "{BODY}Copyright (C) 2001 A. Writer\n\nPermission is granted to copy and distribute this document under\nthe terms of the licence named below.\n\nSee the end for copying conditions.\n"
            ),
            &rules,
        );
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Copyright (C) 2001 A. Writer"]);
        // A changelog's item and a heading that open with the word are no notices.
        for line in [
            "* copyright: Updated.",
            "## Copyright and licensing",
            "Copyright and licensing",
        ] {
            assert_eq!(listed(line), None, "{line}");
        }
        assert_eq!(
            listed("Copyright 2004-2009 by the developers."),
            Some("boilerplate-copyright")
        );
        assert_eq!(listed("Copyright"), Some("boilerplate-copyright"));
        // A manual page's options are no buttons.
        for line in ["--help", "-?, --help", "-h, --help"] {
            assert_eq!(listed(line), None, "{line}");
        }
        assert_eq!(listed("- Help"), Some("boilerplate-phrase"));
        let (_, removed) = strip_text(&format!(
            "{BODY}## Copyright and licensing\n\nCopyright (C) 1990 A. Writer.\n\nCopyright (C) 1994 B. Writer.\n"
        ));
        assert!(
            removed.iter().all(|r| r.reason == "boilerplate-copyright"),
            "{removed:?}"
        );
    }

    #[test]
    fn a_site_header_above_the_headline_goes_and_the_title_and_headline_stay() {
        let text = format!(
            "Council Approves New Budget - Example Times\nSkip to content\nHome\nMasthead Place\nPolitics\nSports\nOur Weekly Magazine\nSearch\nCouncil Approves New Budget\nBy A. Writer\n\n{BODY}"
        );
        let (lines, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Skip to content",
                "Home",
                "Masthead Place",
                "Politics",
                "Sports",
                "Our Weekly Magazine",
                "Search"
            ]
        );
        assert_eq!(lines[0].text, "Council Approves New Budget - Example Times");
        assert!(
            lines
                .iter()
                .any(|l| l.text == "Council Approves New Budget")
        );
        assert!(lines.iter().any(|l| l.text == "By A. Writer"));
    }

    #[test]
    fn without_enough_listed_lines_the_lines_above_a_repeated_title_stay() {
        let text = format!(
            "Minutes of the Board\nPresent\nAnna Berg\nCarl Dahl\nHome\nMinutes of the Board\n\n{BODY}"
        );
        let (_, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        assert!(texts.is_empty(), "{texts:?}");
    }

    #[test]
    fn a_chinese_paragraph_is_long() {
        assert!(
            words(
                "外国专家：中美合作共赢符合国际社会利益，专家们认为这对世界经济的发展具有重要意义。"
            ) > MAX_UNKNOWN_WORDS
        );
        assert!(words("中国日报网") <= MAX_UNKNOWN_WORDS);
    }

    #[test]
    fn a_burmese_menu_item_is_short_and_a_sentence_ends_with_its_full_stop() {
        // `ဝင်ရောက်ကြည့်ရှုနိုင်မှု` (accessibility), a menu's item: 24 characters, of which 10
        // letters, the rest vowel signs and viramas, which are no letters to count (13 words,
        // a long line, when they were).
        assert_eq!(words("ဝင်ရောက်ကြည့်ရှုနိုင်မှု"), 6);
        assert!(words("ဝင်ရောက်ကြည့်ရှုနိုင်မှု") <= MAX_UNKNOWN_WORDS);
        assert!(!item("ဒီသတင်းကို ဝေမျှပါ။"));
        assert!(item("ဝင်ရောက်ကြည့်ရှုနိုင်မှု"));
    }

    #[test]
    fn counting_words_up_to_a_limit_agrees_with_counting_them_all() {
        let lines = [
            "",
            "Home",
            "Share this article on Facebook Twitter",
            "中国日报网 新闻 中国日报网 新闻 中国日报网 新闻 中国日报网",
            "ข่าว ข่าวสด ภาษาไทย การเมือง เศรษฐกิจ",
            "Xocalı faciəsi 1992-ci il fevralın 25-dən 26-na keçən gecə baş verib, şəhərin dinc sakinləri həlak olub.",
        ];
        for line in lines {
            for limit in 0..20 {
                assert_eq!(
                    more_words_than(line, limit),
                    words(line) > limit,
                    "{line:?} {limit}"
                );
            }
        }
    }

    #[test]
    fn a_footer_below_the_body_goes_but_the_lines_just_below_it_stay() {
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let near = "Reporting by A. Writer\nRelated\nA Story Nearby\nShare\nTweet\nAnother Story";
        let footer = "Newsletter\nOur Site Name\nPrivacy policy\nTeam Pages\nCopyright 2026\nTerms of use\nContact us";
        let text = format!("Title\n\n{para}\n\n{para}\n\n{near}\n{footer}\n");
        let (lines, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        // From `Related` on, the page's tail (rule 7): a heading that opens it, then listed lines.
        assert_eq!(
            texts,
            [
                "Related",
                "A Story Nearby",
                "Share",
                "Tweet",
                "Another Story",
                "Newsletter",
                "Our Site Name",
                "Privacy policy",
                "Team Pages",
                "Copyright 2026",
                "Terms of use",
                "Contact us"
            ]
        );
        assert!(lines.iter().any(|l| l.text == "Reporting by A. Writer"));
    }

    #[test]
    fn without_a_repeated_title_the_menus_above_the_body_go_but_a_headline_worded_otherwise() {
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let menus = "Skip to content\nHome\nOur Site Name\nPolitics\nSports\nWeekly Magazine\nCity Budget Passes, the Council Says\nMarkets Today\nSearch\nOur Ad Here";
        let near =
            "Mayor Wins the Vote on the City Budget\nBy A. Writer\nShare\nTweet\nPhoto\nCity Hall";
        let text = format!(
            "City Budget Passes After Long Vote - Example Times\n{menus}\n{near}\n\n{para}\n\n{para}\n"
        );
        let (lines, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Skip to content",
                "Home",
                "Our Site Name",
                "Politics",
                "Sports",
                "Weekly Magazine",
                "Markets Today",
                "Search"
            ]
        );
        // A line close to the title stays among the menus; past the innermost listed line, and
        // among the 6 lines nearest the body, lines stay.
        for kept in [
            "City Budget Passes, the Council Says",
            "Our Ad Here",
            "Mayor Wins the Vote on the City Budget",
            "By A. Writer",
            "City Hall",
        ] {
            assert!(lines.iter().any(|l| l.text == kept), "{kept}");
        }
    }

    #[test]
    fn a_comment_section_below_the_body_goes_to_the_end() {
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let comment =
            "What a piece, I read every word of it and I will send it on to my friends at once.";
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nComments (2)\nann_b\n2024-03-01 10:12\n{comment}\nReply\nbob77\n2024-03-02 08:00\n{comment}\nReply\nLoad more\n"
        );
        let (lines, removed) = strip_text(&text);
        assert_eq!(
            removed.first().map(|r| r.text.as_str()),
            Some("Comments (2)")
        );
        assert_eq!(removed.len(), 10);
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 2);
    }

    #[test]
    fn a_related_heading_inside_the_body_keeps_the_article_below_it() {
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nRelated articles\nAnother Story Here\n\n{para}\n\nA Subheading\n\n{para}\n\nShare\nTweet\nEmail\nPrint\n"
        );
        let (lines, _) = strip_text(&text);
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 4);
        assert!(lines.iter().any(|l| l.text == "Related articles"));
    }

    #[test]
    fn prose_wrapped_into_short_lines_below_the_body_stays() {
        let para =
            "The board met in the library of the school and went through the agenda item by item.";
        let text = format!(
            "Minutes\n\n{para}\n\n{para}\n\nComments\nMrs. Berg asked whether the new roof could be paid\nfrom the reserve, and the treasurer said that it\ncould be, in part, by 2024-06-01 at the latest\nShare\nPrint\nEmail\n10:30\n"
        );
        // `Comments` is a listed line of the bottom block; the prose below it stays, with it
        // neither the tail (rule 7) nor a navigation's gap (rule 6).
        let (lines, _) = strip_text(&text);
        for kept in ["Mrs. Berg", "from the reserve", "could be, in part"] {
            assert!(lines.iter().any(|l| l.text.starts_with(kept)), "{kept}");
        }
    }

    #[test]
    fn a_list_of_related_stories_below_a_heading_goes_with_its_stray_teaser() {
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let stories: String = (1..=12)
            .map(|n| format!("Council Votes on the New Budget for the Year, Story {n}\n"))
            .collect();
        let teaser = "Readers' comments do not necessarily reflect the views of the editors or owners of this site.";
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nLatest news\n{stories}{teaser}\n{stories}More News\nOur Team\nAbout us\nContact us\n"
        );
        let (lines, removed) = strip_text(&text);
        assert_eq!(
            removed.first().map(|r| r.text.as_str()),
            Some("Latest news")
        );
        assert!(removed.iter().any(|r| r.text == teaser));
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 2);
    }

    #[test]
    fn an_article_in_short_lines_below_a_heading_is_no_list_of_links() {
        // Lines that read like links (a poem, a blog written line by line) are evidence of a
        // tail only where other evidence runs through it: 45 lines without any are text.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let verse: String = (1..=45)
            .map(|n| format!("The Maple Leaves Turned Red Along the Road {n}\n"))
            .collect();
        let teaser =
            "The author answers every letter that reaches the editors by the end of the month.";
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nComments\n{teaser}\n{verse}Reply\nShare\nTweet\nEmail\n"
        );
        let (lines, _) = strip_text(&text);
        assert!(lines.iter().any(|l| l.text == teaser));
        assert!(lines.iter().any(|l| l.text.ends_with("Road 45")));
    }

    #[test]
    fn a_headline_past_a_newsletter_box_is_found() {
        // Two long lines of a newsletter's descriptions, ending like no sentence, are no body:
        // the menus below them, up to the repeated headline, are still above it.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let desc =
            "A snapshot of the advertising, marketing and media industry from the leading sources";
        let text = format!(
            "Getting Lean With Ads - Example\nHome\nNews\nSign In\nNewsletter\n{desc}\nDaily Brief\n{desc}\nPopular Topics\nMobile Video\nContact us\nGetting Lean With Ads\nBy A. Writer\n\n{para}\n\n{para}\n"
        );
        let (lines, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        for gone in ["Popular Topics", "Mobile Video", "Contact us"] {
            assert!(texts.contains(&gone), "{gone}: {texts:?}");
        }
        assert!(lines.iter().any(|l| l.text == "Getting Lean With Ads"));
        assert!(lines.iter().any(|l| l.text == "By A. Writer"));
    }

    #[test]
    fn a_share_bar_below_the_headline_goes_and_the_deck_stays() {
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let margin = "Photo One\nPhoto Two\nPhoto Three\nPhoto Four\nPhoto Five\nPhoto Six";
        let text = format!(
            "Council Passes the Budget - Example\nHome\nNews\nSearch\nLog in\nCouncil Passes the Budget\nThe Vote Came Late at Night\nShare\nTweet\nOur Video Picks\nEmail\nPrint\n{margin}\n\n{para}\n\n{para}\n"
        );
        let (lines, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        for gone in ["Share", "Tweet", "Our Video Picks", "Email", "Print"] {
            assert!(texts.contains(&gone), "{gone}: {texts:?}");
        }
        for kept in [
            "Council Passes the Budget",
            "The Vote Came Late at Night",
            "Photo Six",
        ] {
            assert!(lines.iter().any(|l| l.text == kept), "{kept}");
        }
    }

    #[test]
    fn a_question_for_a_title_and_a_cookie_notice_above_the_headline() {
        // A headline may be a question; two long lines of a cookie notice are no body.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let cookies = "We use cookies and similar technologies to improve your browsing experience on this site.\nBy clicking Accept and Continue below you consent to these activities and to our policy.";
        let text = format!(
            "How Does the Brain Work?\nHome\nNews\nSearch\nLog in\nTop Categories\n{cookies}\nRegister Now\nHow Does the Brain Work?\nBy A. Writer\n\n{para}\n\n{para}\n\n{para}\n"
        );
        let (lines, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        for gone in ["Top Categories", "Register Now"] {
            assert!(texts.contains(&gone), "{gone}: {texts:?}");
        }
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.text == "How Does the Brain Work?")
                .count(),
            2
        );
        assert!(lines.iter().any(|l| l.text == "By A. Writer"));
    }

    #[test]
    fn a_manual_in_wrapped_lines_keeps_its_text_above_a_repeated_title() {
        // A manual scraped from HTML: its text wrapped at 72 columns has long lines that end
        // like no sentence, and its navigation repeats the title further down. The first two
        // long lines open its body: the lines below them are no menu above a headline.
        let wrapped = "The time command runs another program and then displays the information about\nthe resources used by that program, as collected by the system while it runs,\nand the format in which it is shown, or it saves the information in a file\ninstead of displaying it on the screen when the option is given.";
        let text = format!(
            "Measuring Resource Use\nNext:\nPrevious:\nContents\nIndex\n\n{wrapped}\n\nThe escapes are:\n\\t\na tab character\n\\n\na newline\nTime Resources\nMemory Resources\nNext:\nPrevious:\nMeasuring Resource Use\n\n{wrapped}\n\n{wrapped}\n\nThe last paragraph of the manual, which ends here like a sentence and goes on.\nAnother paragraph of the manual, which ends here like a sentence and goes on.\nThe third paragraph of the manual, which ends here like a sentence and goes on.\n"
        );
        let (lines, removed) = strip_text(&text);
        for kept in [
            "a tab character",
            "a newline",
            "Time Resources",
            "Memory Resources",
        ] {
            assert!(lines.iter().any(|l| l.text == kept), "{kept}: {removed:?}");
        }
    }

    #[test]
    fn a_headline_below_a_menu_with_descriptions_is_found() {
        // A site's menu describes its sections in sentences: three long lines that read like
        // a body's first paragraphs. No line repeats the title above them, the first one below
        // them in the document's first half is the headline.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let descs = "Second Opinion: read what the experts of our site think of the health topics of the day.\nCommunities: connect with people like you, and get guidance on living a healthy life with us.\nInsurance Guide: get ready for the changes to your health care coverage this year and the next.";
        let body = format!("{para}\n\n").repeat(20);
        let text = format!(
            "Superbugs and How You Get Them\nSkip to content\nHome\nNews\nSearch\nSymptoms\nDoctors\nAllergies\nArthritis\nDiabetes\nEye Health\n{descs}\nPill Identifier\nDrug Basics\nSign in\nSuperbugs and How You Get Them\nBy A. Writer\n\n{body}"
        );
        let (lines, removed) = strip_text(&text);
        let texts: Vec<_> = removed.iter().map(|r| r.text.as_str()).collect();
        for gone in ["Pill Identifier", "Drug Basics", "Sign in"] {
            assert!(texts.contains(&gone), "{gone}: {texts:?}");
        }
        assert!(lines.iter().any(|l| l.text == "By A. Writer"));
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 20);
    }

    #[test]
    fn a_blogs_categories_with_their_counts_are_a_tails_evidence() {
        // A sidebar's list of categories, each with its count of posts: evidence through the
        // tail, as dates are, where a list of 45 lines without counts would be text.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let teaser =
            "The author answers every letter that reaches the editors by the end of the month.";
        let categories: String = (1..=45)
            .map(|n| format!("Camping Trips in the North ({n})\n"))
            .collect();
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nComments\n{teaser}\n{categories}Reply\nShare\nTweet\nEmail\n"
        );
        let (lines, removed) = strip_text(&text);
        assert_eq!(removed.first().map(|r| r.text.as_str()), Some("Comments"));
        assert!(!lines.iter().any(|l| l.text.starts_with("Camping Trips")));
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 2);
        for line in ["Travel (12)", "(50490) Most Read Post", "尖石_美樹營地 (3)"] {
            assert!(counted(line), "{line}");
        }
        for line in ["Travel", "(see below)", "Call 555 (123)4567 now", "(12)"] {
            assert!(!counted(line), "{line}");
        }
    }

    #[test]
    fn a_list_of_stories_with_their_teasers_below_a_heading_goes() {
        // A box of related or latest stories, each a title and a teaser of one long line: the
        // first teaser is no paragraph of the article going on below a box of links.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let stories: String = (1..=4)
            .map(|n| {
                format!(
                    "Story Number {n} of the Day\nThe teaser of story {n} says in a sentence or two what it is about, and why read it.\nRead more\n"
                )
            })
            .collect();
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nRelated coverage\n{stories}Share\nPrint\nEmail\nContact us\n"
        );
        let (lines, removed) = strip_text(&text);
        assert_eq!(
            removed.first().map(|r| r.text.as_str()),
            Some("Related coverage")
        );
        assert!(!lines.iter().any(|l| l.text.starts_with("The teaser")));
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 2);
    }

    #[test]
    fn an_article_s_last_paragraph_below_a_box_of_one_story_stays() {
        // One story with its teaser is a box inside the article; the article's last paragraph
        // below it stays.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let last = "The last paragraph of the article, which goes on below the box for more than twenty words of its own.";
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nRelated\nOne Story of the Day\nThe teaser of the story says in a sentence or two what it is about, and why.\n{last}\nShare\nPrint\nEmail\nContact us\n"
        );
        let (lines, _) = strip_text(&text);
        assert!(lines.iter().any(|l| l.text == last));
    }

    #[test]
    fn a_post_of_one_paragraph_keeps_its_headline_byline_and_closing_lines() {
        // A blog's post of one paragraph: the first two long lines close together are the
        // footer's notices below it. The post's headline, byline and closing lines are no items
        // of a menu above a body.
        let para = "A machinist spent two years building an engine the size of a thumbnail, and this video shows him making every part of it by hand.";
        let notices = "The site uses cookies and analytics trackers, and is supported by advertising and affiliate links.\nWe take part in the affiliate programs of several shops, which pay us for purchases made through our links.";
        let text = format!(
            "A Tiny Engine | Example\nSkip to main content\nHome\nFeatures\nReviews\nShop\nSearch\nLog in\nSubscribe\nWatch a Man Build a Working Engine\nA. Writer\n{para}\nWorth every one of its ten minutes\nA. Writer\nShare\nTweet\nEmail\nTags\nengines\nAbout us\nContact us\n{notices}\nPrivacy policy\nTerms of use\nAdvertise\n\u{a9} 2026 Example LLC\n"
        );
        let (lines, removed) = strip_text(&text);
        for kept in [
            "Watch a Man Build a Working Engine",
            "A. Writer",
            para,
            "Worth every one of its ten minutes",
        ] {
            assert!(lines.iter().any(|l| l.text == kept), "{kept}: {removed:?}");
        }
        assert_eq!(lines.iter().filter(|l| l.text == "A. Writer").count(), 2);
        assert!(removed.iter().any(|r| r.text == "Skip to main content"));
    }

    #[test]
    fn a_lead_in_ending_in_a_colon_opens_the_body_and_its_list_stays() {
        // An article's first paragraph introducing a list (`...:`), with a share bar below the
        // list: the body begins at the lead-in, and the headline, the byline and the list's
        // items above the share bar are no menu's.
        let lead = "For the tax return of the year 2025 a few new rules apply that you should know before you send it in:";
        let items = "Higher Basic Allowance\nA New Home Office Allowance\nA Longer Deadline\nMore Child Benefit\nHigher Commuter Allowance\nNew Limits for Small Jobs\nNo Tax on Solar Panels\nDigital Receipts";
        let para = "The deadline for the tax return is longer for everyone who has a tax adviser, up to the summer of the year after next.";
        let text = format!(
            "Tax Return 2025: What Changes | Example\nSkip to content\nHome\nTaxes\nLaw\nSearch\nLog in\nNewsletter\nContact us\nThe Tax Return: What Changes This Year\nBy A. Writer\n{lead}\n{items}\nShare\nSaving Taxes\nPrint\nShare\nComments\nShare\nShare\nPrint\n{para}\n{para}\n{para}\nImprint\nPrivacy policy\n"
        );
        let (lines, removed) = strip_text(&text);
        for kept in [
            "The Tax Return: What Changes This Year",
            "By A. Writer",
            lead,
            "Higher Basic Allowance",
            "Digital Receipts",
        ] {
            assert!(lines.iter().any(|l| l.text == kept), "{kept}: {removed:?}");
        }
        assert!(removed.iter().any(|r| r.text == "Skip to content"));
    }

    #[test]
    fn a_thread_of_comments_under_no_heading_goes_from_the_article_s_reply_button() {
        // A comment's `Reply` opens the thread below an article that has no heading over its
        // comments; the same button under each comment is the thread's next one, no section
        // of the article going on, and a comment may run to two paragraphs.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let comment = "I do the same thing every week and it works for me, though it took a long time to learn it.";
        let thread: String = ["ann_b", "bob77", "cat_c"]
            .iter()
            .map(|name| format!("{name}\n3/09/15 8:12am\n{comment}\nReply\nFlag\n"))
            .chain([format!(
                "dee\n3/09/15 9:40am\n{comment}\n{comment}\nReply\nFlag\n"
            )])
            .collect();
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\n{para}\n\nReply\n{thread}Privacy policy\nTerms of use\n"
        );
        let (lines, removed) = strip_text(&text);
        assert_eq!(removed.first().map(|r| r.text.as_str()), Some("Reply"));
        assert!(!lines.iter().any(|l| l.text == comment));
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 3);
    }

    #[test]
    fn a_blog_archive_s_marks_and_counts_are_a_tail_s_evidence() {
        // A sidebar's archive below a post (`►` / `2015` / `(8)` / `October` / `(1)`): its
        // marks and counts carry the evidence through the tail, where a list of 45 lines
        // without them would be text. A section break is no widget's mark.
        let para = "A paragraph of the article that goes on for quite a few words, more than twelve of them.";
        let teaser =
            "The author answers every letter that reaches the editors by the end of the month.";
        let archive: String = (1..=15)
            .map(|n| format!("\u{25ba}\nMonth Number {n} of the Year\n({n})\n"))
            .collect();
        let text = format!(
            "Title\n\n{para}\n\n{para}\n\nComments\n{teaser}\nBlog Archive\n{archive}Reply\nShare\nTweet\nEmail\n"
        );
        let (lines, removed) = strip_text(&text);
        assert_eq!(removed.first().map(|r| r.text.as_str()), Some("Comments"));
        assert!(!lines.iter().any(|l| l.text.starts_with("Month Number")));
        assert_eq!(lines.iter().filter(|l| l.text == para).count(), 2);
        for line in ["\u{25ba}", "\u{25bc}", "(8)", "|", "\u{d7}"] {
            assert!(widget_mark(line), "{line}");
        }
        for line in ["* * *", "(see below)", "2015", "()", ""] {
            assert!(!widget_mark(line), "{line}");
        }
    }
}
