//! Stage 5, boilerplate: web-page furniture scraped with the text, taken out and listed.
//!
//! Only trailing lines are considered: buttons and links such as `Şərhini yaz` ("write a
//! comment") or `Искать в архивах` ("search the archives") that end a scraped page. A line is
//! removed when
//! 1. it is, as a whole (ignoring case and a final colon), one of [`PHRASES`]; or
//! 2. it is short (at most [`MAX_WORDS`] words and [`MAX_CHARS`] characters, no sentence
//!    punctuation at its end) and foreign to the body: written in another script, or using letters
//!    that appear nowhere in the body (`ə` under an English text). This rule removes at most one
//!    line and warns (`boilerplate-heuristic`), so a person reviews it.
//!
//! Everything removed is listed in the record's `removed` with its line and rule. Nothing inside
//! the body is ever touched.

use crate::normalize::Line;
use crate::problem::Problem;
use crate::record::Removed;
use std::collections::HashSet;

/// Web-page furniture known to end scraped pages, in the languages of the collection and a few
/// more. Matched against whole lines only.
pub const PHRASES: &[&str] = &[
    // Azerbaijani
    "şərhini yaz",
    "şərh yaz",
    "şərhlər",
    "paylaş",
    "ətraflı",
    "digər xəbərlər",
    "çap et",
    // Russian
    "искать в архивах",
    "поделиться",
    "комментарии",
    "читать также",
    "версия для печати",
    // English
    "leave a comment",
    "leave a reply",
    "share",
    "share this",
    "print",
    "read more",
    "comments",
    "related articles",
    // Turkish
    "yorum yaz",
    "yorumlar",
];

/// A foreign trailing line is at most this many words and characters.
pub const MAX_WORDS: usize = 4;
pub const MAX_CHARS: usize = 40;
/// The body must have at least this many non-blank lines for the foreign-line rule to apply.
const MIN_BODY_LINES: usize = 3;

/// Remove trailing furniture from `lines`, recording it in `removed` and warning on heuristics.
pub fn strip(
    lines: &mut Vec<Line>,
    path: &str,
    removed: &mut Vec<Removed>,
    problems: &mut Vec<Problem>,
) {
    let mut found = Vec::new();
    let mut heuristic_used = false;
    // Blank lines between the body and the furniture stay; the caller drops and counts them.
    while let Some(index) = lines.iter().rposition(|l| !l.text.trim().is_empty()) {
        let last = &lines[index];
        let reason = if is_phrase(&last.text) {
            "boilerplate-phrase"
        } else if !heuristic_used && is_foreign(&last.text, &lines[..index]) {
            heuristic_used = true;
            problems.push(
                Problem::warning(
                    path,
                    "boilerplate-heuristic",
                    format!(
                        "removed the last line `{}`: short, in another script or language than the \
                         body; check it is page furniture, not content",
                        last.text.trim()
                    ),
                )
                .at_line(last.no),
            );
            "boilerplate-foreign-line"
        } else {
            break;
        };
        let line = lines.remove(index);
        found.push(Removed {
            line: line.no,
            text: line.text.trim().to_owned(),
            reason: reason.to_owned(),
        });
    }
    found.reverse();
    removed.extend(found);
}

fn is_phrase(line: &str) -> bool {
    let key = line.trim().trim_end_matches(':').trim().to_lowercase();
    PHRASES.contains(&key.as_str())
}

/// The writing system of a letter, coarsely: enough to tell Latin from Cyrillic from the rest.
fn script(c: char) -> u8 {
    match u32::from(c) {
        0x0000..=0x024F | 0x1E00..=0x1EFF => 0, // Latin
        0x0370..=0x03FF => 1,                   // Greek
        0x0400..=0x052F => 2,                   // Cyrillic
        0x0530..=0x058F => 3,                   // Armenian
        0x0590..=0x05FF => 4,                   // Hebrew
        0x0600..=0x06FF | 0x0750..=0x077F => 5, // Arabic
        0x10A0..=0x10FF => 6,                   // Georgian
        _ => 7,
    }
}

fn is_foreign(line: &str, body: &[Line]) -> bool {
    let text = line.trim();
    let words = text.split_whitespace().count();
    if words == 0
        || words > MAX_WORDS
        || text.chars().count() > MAX_CHARS
        || text.ends_with(['.', '!', '?', '…', '"', '»', ')'])
        || body.iter().filter(|l| !l.text.trim().is_empty()).count() < MIN_BODY_LINES
    {
        return false;
    }
    let body_letters: HashSet<char> = body
        .iter()
        .flat_map(|l| l.text.chars())
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    let mut body_scripts = [0usize; 8];
    for l in body {
        for c in l.text.chars().filter(|c| c.is_alphabetic()) {
            body_scripts[usize::from(script(c))] += 1;
        }
    }
    let body_script = (0..8).max_by_key(|&s| body_scripts[s]).unwrap_or(0) as u8;
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return false;
    }
    let other_script = letters.iter().all(|&c| script(c) != body_script);
    let unknown_letters = letters
        .iter()
        .flat_map(|c| c.to_lowercase())
        .any(|c| !c.is_ascii() && !body_letters.contains(&c));
    other_script || unknown_letters
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn strip_text(text: &str) -> (Vec<Line>, Vec<Removed>, Vec<Problem>) {
        let mut lines = normalize(text).lines;
        let (mut removed, mut problems) = (vec![], vec![]);
        strip(&mut lines, "doc.txt", &mut removed, &mut problems);
        (lines, removed, problems)
    }

    const BODY: &str =
        "The first paragraph of the article.\n\nThe second one.\n\nThe third one.\n\n";

    #[test]
    fn listed_phrase_at_the_end_is_removed_without_warning() {
        let (lines, removed, problems) = strip_text(&format!("{BODY}Leave a comment\n"));
        let last = lines.iter().rfind(|l| !l.text.is_empty()).unwrap();
        assert_eq!(last.text, "The third one.");
        assert_eq!(removed[0].reason, "boilerplate-phrase");
        assert_eq!(removed[0].line, 7);
        assert!(problems.is_empty());
    }

    #[test]
    fn short_line_in_another_script_is_removed_with_a_warning() {
        let (_, removed, problems) = strip_text(&format!("{BODY}Ещё статьи\n"));
        assert_eq!(removed[0].reason, "boilerplate-foreign-line");
        assert_eq!(problems[0].code, "boilerplate-heuristic");
    }

    #[test]
    fn short_line_with_letters_foreign_to_the_body_is_removed() {
        let (_, removed, _) = strip_text(&format!("{BODY}Bəyən\n"));
        assert_eq!(removed[0].text, "Bəyən");
    }

    #[test]
    fn a_last_sentence_of_the_body_is_kept() {
        let (lines, removed, _) = strip_text(&format!("{BODY}Justice for Khojaly!\n"));
        assert!(removed.is_empty());
        assert_eq!(lines.last().unwrap().text, "Justice for Khojaly!");
        let (_, removed, _) = strip_text(&format!("{BODY}Same letters here\n"));
        assert!(removed.is_empty());
    }

    #[test]
    fn phrases_inside_the_body_are_not_touched() {
        let (lines, removed, _) = strip_text(&format!("Share\n\n{BODY}"));
        assert!(removed.is_empty());
        assert_eq!(lines[0].text, "Share");
    }
}
