//! The character questions the checks ask of every letter (its lowercase, whether it is
//! alphabetic or alphanumeric), answered from tables for the characters below U+0800: Latin,
//! Greek, Cyrillic, Armenian, Hebrew, Arabic and Syriac, most of the text a corpus holds. The
//! tables are made once from the standard library's own answers, so they answer exactly as it
//! does; it answers for every other character (a binary search of its tables each time).

use std::sync::OnceLock;

/// The characters the tables hold: U+0000 to U+07FF, those of one and two bytes in UTF-8.
const TABLE: usize = 0x800;
/// In [`Tables::lower`]: the character lowercases to more than one (U+0130, `İ` to `i̇`).
const MANY: u32 = u32::MAX;
const ALPHABETIC: u8 = 1;
const NUMERIC: u8 = 2;

struct Tables {
    /// Each character's lowercase, or [`MANY`].
    lower: [u32; TABLE],
    /// [`ALPHABETIC`] and [`NUMERIC`] bits.
    class: [u8; TABLE],
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Box<Tables>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = Box::new(Tables {
            lower: [0; TABLE],
            class: [0; TABLE],
        });
        for code in 0..TABLE as u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut lower = c.to_lowercase();
            t.lower[code as usize] = match (lower.next(), lower.next()) {
                (Some(one), None) => one as u32,
                _ => MANY,
            };
            if c.is_alphabetic() {
                t.class[code as usize] |= ALPHABETIC;
            }
            if c.is_numeric() {
                t.class[code as usize] |= NUMERIC;
            }
        }
        t
    })
}

/// `c.is_alphabetic()`.
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    match c as usize {
        code if code < 0x80 => c.is_ascii_alphabetic(),
        code if code < TABLE => tables().class[code] & ALPHABETIC != 0,
        _ => c.is_alphabetic(),
    }
}

/// `c.is_alphanumeric()`.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    match c as usize {
        code if code < 0x80 => c.is_ascii_alphanumeric(),
        code if code < TABLE => tables().class[code] != 0,
        _ => c.is_alphanumeric(),
    }
}

/// Each character of `c.to_lowercase()`, in order.
#[inline]
pub fn each_lower(c: char, mut f: impl FnMut(char)) {
    match c as usize {
        code if code < 0x80 => f(c.to_ascii_lowercase()),
        code if code < TABLE && tables().lower[code] != MANY => {
            // The table holds only characters the standard library gave.
            f(char::from_u32(tables().lower[code]).unwrap_or(c));
        }
        _ => c.to_lowercase().for_each(f),
    }
}

/// Push `c.to_lowercase()` onto `out`.
#[inline]
pub fn push_lower(out: &mut String, c: char) {
    each_lower(c, |l| out.push(l));
}

/// Push `word.to_lowercase()` onto `out`: what [`str::to_lowercase`] gives for the word, also
/// inside a longer text when whitespace stands on both sides of it (a final sigma's form looks
/// no further than the word's letters).
pub fn push_lowercase(out: &mut String, word: &str) {
    if word.is_ascii() {
        let start = out.len();
        out.push_str(word);
        out[start..].make_ascii_lowercase();
    } else if word.contains('Σ') {
        out.push_str(&word.to_lowercase());
    } else {
        // Runs of ASCII as they are, lowercased in place; the other characters one by one.
        let mut rest = word;
        while !rest.is_empty() {
            let ascii = rest
                .bytes()
                .position(|b| !b.is_ascii())
                .unwrap_or(rest.len());
            let start = out.len();
            out.push_str(&rest[..ascii]);
            out[start..].make_ascii_lowercase();
            rest = &rest[ascii..];
            if let Some(c) = rest.chars().next() {
                push_lower(out, c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
}

/// The words of `text` as [`str::split_whitespace`] gives them, told byte by byte: only the
/// lead bytes of the non-ASCII spaces (C2, E1, E2, E3) are decoded to ask.
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// See [`words`].
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

/// What a byte of UTF-8 says of whitespace: part of a word ([`WORD`]; continuation bytes and
/// the lead bytes of characters none of which is whitespace), ASCII whitespace ([`SPACE`]), or
/// the lead byte of a character that may be ([`MAYBE`]: C2 for U+0085 and U+00A0, E1 for
/// U+1680, E2 for U+2000..U+205F, E3 for U+3000).
const WORD: u8 = 0;
const SPACE: u8 = 1;
const MAYBE: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut class = [WORD; 256];
    class[b' ' as usize] = SPACE;
    let mut b = b'\t';
    while b <= b'\r' {
        class[b as usize] = SPACE;
        b += 1;
    }
    class[0xC2] = MAYBE;
    class[0xE1] = MAYBE;
    class[0xE2] = MAYBE;
    class[0xE3] = MAYBE;
    class
};

/// Whether `text` has more than `limit` words ([`words`]), when that is told by ASCII
/// whitespace alone: `None` for a text with a byte that may start non-ASCII whitespace or a
/// character of three bytes or more (any script written without spaces is among those), as far
/// as it was read. Counted no further than needed.
pub fn more_spaced_words_than(text: &str, limit: usize) -> Option<bool> {
    let mut words = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        match BYTE_CLASS[b as usize] {
            SPACE => in_word = false,
            WORD if b < 0xE0 => {
                if !in_word {
                    words += 1;
                    if words > limit {
                        return Some(true);
                    }
                    in_word = true;
                }
            }
            _ => return None,
        }
    }
    Some(false)
}

impl<'a> Words<'a> {
    /// Whether the character at byte `i`, which [`BYTE_CLASS`] calls [`MAYBE`], is whitespace,
    /// and its length.
    #[cold]
    fn maybe_space(&self, i: usize) -> (bool, usize) {
        let c = self.text[i..]
            .chars()
            .next()
            .expect("a character starts here");
        (c.is_whitespace(), c.len_utf8())
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        // Past the whitespace.
        loop {
            match bytes.get(self.at).map(|&b| BYTE_CLASS[b as usize]) {
                None => return None,
                Some(SPACE) => self.at += 1,
                Some(WORD) => break,
                Some(_) => match self.maybe_space(self.at) {
                    (true, len) => self.at += len,
                    (false, _) => break,
                },
            }
        }
        let start = self.at;
        // To the next whitespace. Inside a word, every byte of a character but its lead is a
        // continuation byte ([`WORD`]), so stepping a byte at a time is stepping through it.
        loop {
            match bytes.get(self.at).map(|&b| BYTE_CLASS[b as usize]) {
                None | Some(SPACE) => break,
                Some(WORD) => self.at += 1,
                Some(_) => match self.maybe_space(self.at) {
                    (true, _) => break,
                    (false, len) => self.at += len,
                },
            }
        }
        Some(&self.text[start..self.at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_whitespace() {
        let mut texts: Vec<String> = (0..=0x3100u32)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b {c} {c}{c}c"))
            .collect();
        texts.extend(
            [
                "",
                " ",
                "  two  words ",
                "Xocalı\u{A0}soyqırımı\u{2028}1992",
                "\u{3000}語\u{3000}",
                "tab\there\r\nnext\u{85}x\u{1680}y\u{205F}z\u{202F}",
                "😀 😀😀",
            ]
            .map(str::to_owned),
        );
        for text in &texts {
            let ours: Vec<&str> = words(text).collect();
            let std: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn spaced_words_are_counted_as_words_counts_them() {
        for text in [
            "",
            " ",
            "one",
            "  two  words ",
            "tab\there\r\nnext line",
            "caf\u{e9} na\u{ef}ve \u{430}\u{431}\u{432}",
            "non\u{A0}breaking",
            "語 a",
        ] {
            let n = words(text).count();
            for limit in 0..5 {
                if let Some(more) = more_spaced_words_than(text, limit) {
                    assert_eq!(more, n > limit, "{text:?} {limit}");
                }
            }
        }
        assert_eq!(more_spaced_words_than("a b\u{A0}c", 5), None);
        assert_eq!(more_spaced_words_than("a b c \u{A0}", 2), Some(true));
        assert_eq!(more_spaced_words_than("a \u{8a9e}", 5), None);
    }

    #[test]
    fn every_character_answers_as_the_standard_library_does() {
        for c in (0..=0x2FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            let mut ours = String::new();
            push_lower(&mut ours, c);
            assert_eq!(ours, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }

    #[test]
    fn words_lowercase_as_in_their_text() {
        for text in [
            "ΟΔΟΣ ΣΟΦΙΑΣ",
            "Σ",
            "ΑΣ.",
            "İstanbul ŞEHİR",
            "Ǆungla ǅ ᾼ",
            "АЗƏRBAYCAN Ǝ",
            "plain ascii",
            "XocALı ŞəHƏR-ABC abcÇDE İİi ĞƏx😀Y KÖNIG-straße",
        ] {
            let mut ours = String::new();
            for (i, word) in text.split_whitespace().enumerate() {
                if i > 0 {
                    ours.push(' ');
                }
                push_lowercase(&mut ours, word);
            }
            assert_eq!(ours, text.to_lowercase(), "{text}");
        }
    }
}
