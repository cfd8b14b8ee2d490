//! Stage 3, normalize: one canonical form of the text, with every change counted.
//!
//! The text is split into lines that remember their line number in the raw file, so later stages
//! (metadata, boilerplate) can name the line a person would open. Steps, in order, each recorded
//! with its count when it changed something:
//!
//! | step | what it does | count |
//! |---|---|---|
//! | `line-endings` | CRLF and lone CR become LF | line breaks changed |
//! | `controls` | control characters other than TAB are removed | characters removed |
//! | `zero-width` | ZERO WIDTH SPACE, WORD JOINER and stray BOMs (U+FEFF) are removed | characters removed |
//! | `spaces` | NO-BREAK SPACE and the other space variants become a plain space | characters replaced |
//! | `nfc` | Unicode Normalization Form C | code points saved by composition (at least 1 per changed line) |
//! | `trailing-whitespace` | spaces and tabs at line ends are removed | lines trimmed |
//! | `blank-lines` | blank lines at the start and end are dropped, runs inside become one | lines dropped |
//! | `final-newline` | the text ends with exactly one LF | 1 |
//!
//! ZERO WIDTH JOINER and NON-JOINER are kept: in Persian, Indic scripts and emoji they change
//! spelling. Leading indentation is kept. Normalizing normalized text changes nothing.

use crate::record::Step;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// A line of normalized text and its 1-based line number in the raw file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub no: u64,
    pub text: String,
}

/// The normalized lines and the steps that changed something.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    pub lines: Vec<Line>,
    pub steps: Vec<Step>,
}

/// Join lines into text with LF line endings and one final newline (empty for no lines).
pub fn join(lines: &[Line]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.text.len() + 1).sum());
    for line in lines {
        out.push_str(&line.text);
        out.push('\n');
    }
    out
}

fn is_space_variant(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

#[derive(Default)]
struct Counts {
    line_endings: u64,
    controls: u64,
    zero_width: u64,
    spaces: u64,
    nfc: u64,
    trailing: u64,
    blank: u64,
    final_newline: u64,
}

/// Normalize decoded text. `steps` lists only the steps that changed something, in order.
pub fn normalize(text: &str) -> Normalized {
    let mut counts = Counts::default();
    let mut lines = Vec::new();
    let mut rest = text;
    let mut no = 0u64;
    while !rest.is_empty() {
        no += 1;
        let (raw_line, next) = match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
            Some(i) => {
                let bytes = rest.as_bytes();
                let skip = if bytes[i] == b'\r' {
                    counts.line_endings += 1;
                    if bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    }
                } else {
                    1
                };
                (&rest[..i], &rest[i + skip..])
            }
            None => {
                counts.final_newline += 1;
                (rest, "")
            }
        };
        lines.push(Line {
            no,
            text: clean_line(raw_line, &mut counts),
        });
        rest = next;
    }

    // Blank lines: none at the start or the end, at most one in a row inside.
    let before = lines.len();
    let mut kept: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        let blank = line.text.is_empty();
        let previous_blank = kept.last().is_none_or(|l: &Line| l.text.is_empty());
        if !(blank && previous_blank) {
            kept.push(line);
        }
    }
    while kept.last().is_some_and(|l| l.text.is_empty()) {
        kept.pop();
    }
    counts.blank = (before - kept.len()) as u64;

    let steps = [
        ("line-endings", counts.line_endings),
        ("controls", counts.controls),
        ("zero-width", counts.zero_width),
        ("spaces", counts.spaces),
        ("nfc", counts.nfc),
        ("trailing-whitespace", counts.trailing),
        ("blank-lines", counts.blank),
        ("final-newline", counts.final_newline),
    ]
    .into_iter()
    .filter(|(_, count)| *count > 0)
    .map(|(step, count)| Step {
        step: step.to_owned(),
        count,
    })
    .collect();
    Normalized { lines: kept, steps }
}

/// Whether a byte of UTF-8 text is one no per-line step looks at: every character the steps
/// touch is a C0 control, DEL, or starts with byte C2, E1, E2, E3 or EF, and below U+0300 (lead
/// bytes under CC) every character is NFC-stable and composes with nothing before it.
#[inline]
fn plain(b: u8) -> bool {
    ((b >= 0x20) | (b == b'\t')) & (b != 0x7F) & (b != 0xC2) & (b < 0xCC)
}

/// Apply the per-line steps to one line (without its line break).
fn clean_line(line: &str, counts: &mut Counts) -> String {
    // Fast path: no byte a step looks at. Branch-free within a chunk, so the compiler
    // vectorizes it.
    let bytes = line.as_bytes();
    let fast = bytes
        .chunks(64)
        .all(|chunk| chunk.iter().fold(true, |all, &b| all & plain(b)));
    if fast {
        let trimmed = line.trim_end_matches([' ', '\t']);
        if trimmed.len() != line.len() {
            counts.trailing += 1;
        }
        return trimmed.to_owned();
    }
    // The runs of plain bytes are copied as they are; only the characters between them are
    // looked at one by one.
    let mut out = String::with_capacity(line.len());
    let mut composable = false;
    let mut at = 0;
    while at < bytes.len() {
        let run = bytes[at..]
            .iter()
            .position(|&b| !plain(b))
            .unwrap_or(bytes.len() - at);
        out.push_str(&line[at..at + run]);
        at += run;
        let Some(c) = line[at..].chars().next() else {
            break;
        };
        at += c.len_utf8();
        if c.is_control() && c != '\t' {
            counts.controls += 1;
        } else if is_zero_width(c) {
            counts.zero_width += 1;
        } else if is_space_variant(c) {
            counts.spaces += 1;
            out.push(' ');
        } else {
            composable |= c >= '\u{0300}';
            out.push(c);
        }
    }
    // Below U+0300 every character is NFC already and composes with nothing before it.
    if composable && is_nfc_quick(out.chars()) != IsNormalized::Yes {
        let composed: String = out.nfc().collect();
        if composed != out {
            let saved = out.chars().count().saturating_sub(composed.chars().count());
            counts.nfc += saved.max(1) as u64;
            out = composed;
        }
    }
    let trimmed_len = out.trim_end_matches([' ', '\t']).len();
    if trimmed_len != out.len() {
        counts.trailing += 1;
        out.truncate(trimmed_len);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(input: &str) -> String {
        join(&normalize(input).lines)
    }

    fn count(n: &Normalized, step: &str) -> u64 {
        n.steps
            .iter()
            .find(|s| s.step == step)
            .map_or(0, |s| s.count)
    }

    #[test]
    fn crlf_and_cr_become_lf() {
        let n = normalize("a\r\nb\rc\n");
        assert_eq!(join(&n.lines), "a\nb\nc\n");
        assert_eq!(count(&n, "line-endings"), 2);
    }

    #[test]
    fn nfd_becomes_nfc() {
        let n = normalize("s\u{327}e\u{301}\n");
        assert_eq!(join(&n.lines), "şé\n");
        assert_eq!(count(&n, "nfc"), 2);
    }

    #[test]
    fn space_variants_zero_width_and_controls() {
        let n = normalize("a\u{A0}b\u{200B}c\u{7}d\u{202F}e\n");
        assert_eq!(join(&n.lines), "a bcd e\n");
        assert_eq!(count(&n, "spaces"), 2);
        assert_eq!(count(&n, "zero-width"), 1);
        assert_eq!(count(&n, "controls"), 1);
    }

    #[test]
    fn zero_width_joiners_are_kept() {
        assert_eq!(text_of("می\u{200C}خواهم\n"), "می\u{200C}خواهم\n");
    }

    #[test]
    fn blank_lines_trailing_space_and_final_newline() {
        let n = normalize("\n\ntitle  \n\n\n\nbody\t\n\n");
        assert_eq!(join(&n.lines), "title\n\nbody\n");
        assert_eq!(count(&n, "blank-lines"), 5);
        assert_eq!(count(&n, "trailing-whitespace"), 2);
        assert_eq!(count(&n, "final-newline"), 0);
        assert_eq!(count(&normalize("x"), "final-newline"), 1);
    }

    #[test]
    fn lines_keep_their_raw_line_numbers() {
        let n = normalize("a\n\n\n\nb\n");
        let numbers: Vec<u64> = n.lines.iter().map(|l| l.no).collect();
        assert_eq!(numbers, [1, 2, 5]);
    }

    #[test]
    fn clean_text_has_no_steps() {
        let n = normalize("Xocalı\n\nsoyqırımı\n");
        assert!(n.steps.is_empty(), "{:?}", n.steps);
    }

    /// The steps character by character, as the spec says them: what [`clean_line`]'s two
    /// paths must give.
    fn clean_reference(line: &str) -> String {
        let kept: String = line
            .chars()
            .filter(|&c| c == '\t' || !(c.is_control() || is_zero_width(c)))
            .map(|c| if is_space_variant(c) { ' ' } else { c })
            .collect();
        let composed: String = kept.nfc().collect();
        composed.trim_end_matches([' ', '\t']).to_owned()
    }

    #[test]
    fn both_paths_agree_with_the_steps_character_by_character() {
        let alphabet = [
            "a",
            "Z",
            " ",
            "\t",
            "ə",
            "ş",
            "é",
            "e",
            "\u{301}",
            "\u{327}",
            "\u{A0}",
            "\u{202F}",
            "\u{3000}",
            "\u{200B}",
            "\u{FEFF}",
            "\u{200D}",
            "\u{7}",
            "\u{85}",
            "\u{7F}",
            "©",
            "ж",
            "й",
            "и\u{306}",
            "한",
            "\u{1100}\u{1161}",
            "語",
            "😀",
            "\u{2060}",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let line: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let mut counts = Counts::default();
            assert_eq!(
                clean_line(&line, &mut counts),
                clean_reference(&line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn leading_indentation_is_kept() {
        assert_eq!(text_of("  indented\n"), "  indented\n");
    }
}
