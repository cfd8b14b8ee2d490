//! Stage 2, decode: raw bytes to Unicode text, exactly or not at all.
//!
//! Order of evidence: a curated `encoding` in `dataset.toml` (decoded strictly); a byte order
//! mark (UTF-8, UTF-16LE, UTF-16BE); then strict UTF-8; then, for files that are not UTF-8,
//! detection of a legacy encoding (chardetng) decoded by encoding_rs. Nothing is ever replaced: a
//! byte that does not decode refuses the document with its offset. A file that is UTF-8 but for a
//! few broken bytes is damaged UTF-8 (refused), not a legacy file. Binary, empty and
//! control-heavy files are refused. Mojibake (UTF-8 read as windows-1252 and saved again) is
//! repaired exactly when the whole text reverses cleanly, refused otherwise.
//!
//! A legacy detection is a guess, so it has to show its evidence:
//! - a byte the guessed encoding leaves undefined (it decodes to a C1 control) has the other
//!   encodings of the same script tried (box drawing in KOI8-R is not windows-1251's gap), and
//!   words of impossible case (`èÏÄÖÁÌ`: KOI8-R read as Latin-1) have every single-byte
//!   encoding tried, the one reading best taken, when the file has at least [`MIN_HIGH_BYTES`]
//!   bytes above 0x7F; when none decodes it cleanly, the document is refused naming the byte;
//! - a word mixing letters of two alphabets (a Latin word with an Arabic letter from a stray
//!   byte), or a few high bytes in ASCII text that make no word of their script, refuse it
//!   (`encoding-doubtful`), to be fixed by curating `encoding`.
//!
//! - a guess of a single-byte Latin encoding (or any guess that breaks Latin words, as KOI8-R
//!   box drawing or a Shift_JIS character inside `m《sen` does) is weighed against every reading
//!   of the bytes: each single-byte Latin encoding encoding_rs decodes cleanly (windows-1250,
//!   1252, 1254, 1257, 1258, ISO-8859-2/3/4/10/13/14/15/16, macintosh) and the DOS code pages
//!   IBM437/775/850/852/857, which it cannot decode. A reading is broken when a word holds a
//!   sign or a letter of another script between or beside letters (`ay█klay█c█`, `tom≤`), or
//!   a capital after a small letter; otherwise it fits the language whatlang reads it as when
//!   that language's alphabet ([`crate::language::latin_alphabet`]) has all its letters beyond
//!   ASCII, else some language's alphabet, else no alphabet. Of the readings that fit best
//!   (a reading that has a letter where another has a sign, and never the reverse, beats it:
//!   `tomó` beats `tom—`), the guess is kept when it is the only one; another reading that is the
//!   only one to fit its language is taken (`detector-alternative`: `arrière` of windows-1252,
//!   not ISO-8859-2's `arričre`); a DOS reading, two readings that differ (`ľavým` of
//!   windows-1250, `žavým` of ISO-8859-2, both Slovak), or none that reads as words refuse the
//!   document (`encoding-doubtful`, naming the byte), to be fixed by curating `encoding`.
//!
//!   windows-1251 and Mac Cyrillic, whose small letters agree, are weighed against each other
//!   the same way, with the alphabets of [`crate::language::cyrillic_alphabet`].
//!
//! The label names what was decoded: `KOI8-R` when no byte needs KOI8-U's letters, `ISO-8859-x`
//! when no byte 0x80-0x9F needs the windows-125x encoding that agrees with it on every byte
//! present.

use crate::problem::Problem;
use encoding_rs::{DecoderResult, Encoding, UTF_8};

/// Decoded text and what decoding did to get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Name of the encoding decoded (`UTF-8`, `UTF-16LE`, `windows-1251`, `KOI8-R`, `ISO-8859-1`).
    pub encoding: &'static str,
    /// A byte order mark was found and taken off.
    pub bom: bool,
    /// Characters restored by mojibake repair (0: none).
    pub mojibake_repaired: u64,
    /// What decided the encoding: `bom`, `utf-8` (the bytes are valid UTF-8), `escape-sequences`
    /// (ISO-2022-JP's), `detector`
    /// (chardetng, checked), `detector-alternative` (the guess left bytes undefined or made words
    /// that cannot be; another single-byte encoding decodes every byte into words that can) or
    /// `curated`.
    pub rule: &'static str,
}

/// Share of control characters above which a decoded file is taken for binary data.
const MAX_CONTROL_PER_MILLE: usize = 10;

/// `bytes` as text when they are well-formed UTF-8. Validated with SIMD (simdutf8): whole files
/// go through here, often twice (edge lines, then the document), and text of languages other
/// than English is full of multi-byte characters, where the standard library's check is slow.
/// Where a failure needs its offset, `std::str::from_utf8` says it.
pub fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

/// Decode a raw document; `path` is for messages.
pub fn decode(bytes: &[u8], path: &str) -> Result<Decoded, Problem> {
    decode_as(bytes, path, None)
}

/// Decode a raw document, with the encoding curated in `dataset.toml` when there is one.
pub fn decode_as(bytes: &[u8], path: &str, curated: Option<&str>) -> Result<Decoded, Problem> {
    decode_planned(bytes, path, curated).map(|(decoded, _)| decoded)
}

/// How a file that is not UTF-8 was decoded after detection: the same bytes decoded by the plan
/// ([`decode_by_plan`]) give the same [`Decoded`] without detecting again. The edge-line pass
/// decodes every document before the documents are processed; detection (chardetng, and the
/// checks of its guess) is most of what decoding a legacy file costs.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    encoding: &'static Encoding,
    label: &'static str,
    rule: &'static str,
    /// The bytes the plan was made for: their length and CRC-32.
    len: usize,
    crc32: u32,
}

impl Plan {
    /// Whether the plan was made for these bytes.
    pub fn fits(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.len && crc32fast::hash(bytes) == self.crc32
    }
}

/// Decode `bytes` by a plan made for them ([`Plan::fits`]).
pub fn decode_by_plan(bytes: &[u8], path: &str, plan: &Plan) -> Result<Decoded, Problem> {
    let text = decode_strict(plan.encoding, bytes).map_err(|offset| {
        Problem::error(
            path,
            "undecodable",
            format!(
                "byte 0x{:02X} is not valid {}",
                bytes[offset],
                plan.encoding.name()
            ),
        )
        .at_offset(offset as u64)
    })?;
    finish(text, plan.label, plan.rule, false, path)
}

/// [`decode_as`], and for a file decoded after detection the plan that decodes it again.
pub fn decode_planned(
    bytes: &[u8],
    path: &str,
    curated: Option<&str>,
) -> Result<(Decoded, Option<Plan>), Problem> {
    if bytes.is_empty() {
        return Err(Problem::error(path, "empty", "the file is empty"));
    }
    if let Some(label) = curated {
        return decode_curated(bytes, path, label).map(unplanned);
    }
    let (encoding, bom_len) = match Encoding::for_bom(bytes) {
        Some((encoding, len)) => (encoding, len),
        None => match utf8(bytes) {
            // The common case, validated once: UTF-8 without a BOM (NULs are checked below).
            Some(text) if !bytes.contains(&0) => {
                if let Some(decoded) = iso_2022_jp(bytes) {
                    return finish(
                        decoded,
                        encoding_rs::ISO_2022_JP.name(),
                        "escape-sequences",
                        false,
                        path,
                    )
                    .map(unplanned);
                }
                return finish(text.to_owned(), UTF_8.name(), "utf-8", false, path).map(unplanned);
            }
            _ => match detect(bytes, path)? {
                Detected::Utf8 => (UTF_8, 0),
                Detected::Legacy(guess) => return decode_legacy(bytes, path, guess),
            },
        },
    };
    let body = &bytes[bom_len..];
    let text = decode_strict(encoding, body).map_err(|offset| {
        let offset = (offset + bom_len) as u64;
        let message = if encoding == UTF_8 {
            "invalid UTF-8 at this byte: the file looks damaged (a broken download or copy?)"
                .to_owned()
        } else {
            format!("this byte is not valid {}", encoding.name())
        };
        let code = if encoding == UTF_8 {
            "invalid-utf8"
        } else {
            "undecodable"
        };
        Problem::error(path, code, message).at_offset(offset)
    })?;
    let rule = if bom_len > 0 { "bom" } else { "utf-8" };
    finish(text, encoding.name(), rule, bom_len > 0, path).map(unplanned)
}

fn unplanned(decoded: Decoded) -> (Decoded, Option<Plan>) {
    (decoded, None)
}

/// The checks every decoded text goes through: binary content, mojibake.
fn finish(
    text: String,
    label: &'static str,
    rule: &'static str,
    bom: bool,
    path: &str,
) -> Result<Decoded, Problem> {
    check_not_binary(&text, path)?;
    let (text, mojibake_repaired) = if may_hold_mojibake(&text) {
        repair_mojibake(text, path)?
    } else {
        (text, 0)
    };
    Ok(Decoded {
        text,
        encoding: label,
        bom,
        mojibake_repaired,
        rule,
    })
}

/// Mojibake of UTF-8 read as windows-1252 always holds a misread lead byte, `Â`..`ß` or `â`
/// (U+00C2..U+00DF, U+00E2: C3 82..C3 9F or C3 A2 in UTF-8), followed by a misread continuation
/// byte, which is U+0080..U+00BF (C2 xx) or one of windows-1252's letters and signs (C5 xx, C6 xx,
/// CB xx, E2 xx xx). Without such a pair neither repair nor refusal can apply, and the text need
/// not be scanned character by character.
fn may_hold_mojibake(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xC3, bytes).any(|i| {
        bytes
            .get(i + 1)
            .is_some_and(|&b| matches!(b, 0x82..=0x9F) || b == 0xA2)
            && bytes
                .get(i + 2)
                .is_some_and(|&b| matches!(b, 0xC2 | 0xC5 | 0xC6 | 0xCB | 0xE2))
    })
}

/// ISO-2022-JP is 7-bit, so valid UTF-8 too: its escape sequences (`ESC $ B` into JIS X 0208,
/// `ESC ( B` back to ASCII) say what it is. Decoded strictly; `None` when it is not.
fn iso_2022_jp(bytes: &[u8]) -> Option<String> {
    memchr::memchr(0x1B, bytes)?;
    let shifts = memchr::memmem::find_iter(bytes, b"\x1b$B").count()
        + memchr::memmem::find_iter(bytes, b"\x1b$@").count();
    if shifts == 0 {
        return None;
    }
    decode_strict(encoding_rs::ISO_2022_JP, bytes)
        .ok()
        .filter(|t| !t.contains('\u{1b}'))
}

/// What detection says of a file without a byte order mark.
enum Detected {
    /// UTF-8 (perhaps damaged: decoding it strictly names the first bad byte).
    Utf8,
    /// chardetng's guess of a legacy encoding, still to be checked.
    Legacy(&'static Encoding),
}

/// Choose the encoding of a file without a byte order mark.
fn detect(bytes: &[u8], path: &str) -> Result<Detected, Problem> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        if looks_like_utf16(bytes) {
            return Err(Problem::error(
                path,
                "utf16-without-bom",
                "the file looks like UTF-16 without a byte order mark; save it with a BOM or as UTF-8",
            ));
        }
        return Err(
            Problem::error(path, "binary", "NUL byte: this is binary data, not text")
                .at_offset(nul as u64),
        );
    }
    let stats = Utf8Stats::of(bytes);
    if stats.invalid == 0 || stats.multibyte > stats.invalid {
        // Mostly well-formed UTF-8 with a few broken sequences: damaged, not a legacy encoding.
        return Ok(Detected::Utf8);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    Ok(Detected::Legacy(detector.guess(None, false)))
}

/// Encodings that write the same script, tried in this order when a guess leaves a byte
/// undefined. (KOI8-U covers KOI8-R; the label is decided from the bytes afterwards.)
const FAMILIES: &[&[&Encoding]] = {
    use encoding_rs::*;
    &[
        &[WINDOWS_1251, KOI8_U, IBM866, ISO_8859_5, X_MAC_CYRILLIC],
        &[WINDOWS_1250, ISO_8859_2],
        &[WINDOWS_1252, ISO_8859_15, MACINTOSH],
        &[WINDOWS_1253, ISO_8859_7],
        &[WINDOWS_1255, ISO_8859_8],
        &[WINDOWS_1256, ISO_8859_6],
        &[WINDOWS_1257, ISO_8859_13, ISO_8859_4],
    ]
};

/// A legacy guess, checked (see the module's doc): the decoded text, or an error naming the
/// byte that makes the guess doubtful.
fn decode_legacy(
    bytes: &[u8],
    path: &str,
    guess: &'static Encoding,
) -> Result<(Decoded, Option<Plan>), Problem> {
    let mut rule = "detector";
    let mut chosen = guess;
    let mut text = decode_strict(guess, bytes).map_err(|offset| {
        Problem::error(
            path,
            "undecodable",
            format!(
                "byte 0x{:02X} is not valid {} (the encoding detected); curate the right \
                 `encoding` for this document in dataset.toml",
                bytes[offset],
                guess.name()
            ),
        )
        .at_offset(offset as u64)
    })?;
    let high = bytes.iter().filter(|&&b| b >= 0x80).count();
    let undefined = first_undefined(&text, guess);
    if undefined.is_none() && doubt(&text, bytes).is_some() && high >= MIN_HIGH_BYTES {
        // A guess whose words cannot be (camel-cased accents, mixed alphabets), on plenty of
        // evidence: the single-byte encoding whose decoding reads best, if one reads cleanly.
        if let Some((e, t)) = best_reading(bytes) {
            chosen = e;
            text = t;
            rule = "detector-alternative";
        }
    }
    if let Some(undefined) = undefined {
        let sibling = FAMILIES
            .iter()
            .find(|family| family.contains(&guess))
            .into_iter()
            .flat_map(|family| family.iter())
            .filter(|&&e| e != guess)
            .find_map(|&e| {
                let t = decode_strict(e, bytes).ok()?;
                (first_undefined(&t, e).is_none() && doubt(&t, bytes).is_none()).then_some((e, t))
            })
            .or_else(|| {
                (high >= MIN_HIGH_BYTES)
                    .then(|| best_reading(bytes))
                    .flatten()
            });
        let Some((e, t)) = sibling else {
            return Err(Problem::error(
                path,
                "encoding-doubtful",
                format!(
                    "byte 0x{:02X} is undefined in {} (the encoding detected), and no other \
                     encoding of its script decodes this file cleanly; curate the right \
                     `encoding` for this document in dataset.toml",
                    bytes[undefined],
                    guess.name()
                ),
            )
            .at_offset(undefined as u64));
        };
        chosen = e;
        text = t;
        rule = "detector-alternative";
    }
    if let Some((offset, why)) = doubt(&text, bytes) {
        return Err(Problem::error(
            path,
            "encoding-doubtful",
            format!(
                "detected as {}, but byte 0x{:02X} {why}: too weak a detection to trust; \
                 curate the right `encoding` for this document in dataset.toml",
                chosen.name(),
                bytes[offset]
            ),
        )
        .at_offset(offset as u64));
    }
    let script = if LATIN.contains(&chosen) || breaks_latin_words(&text, chosen) {
        Some(0)
    } else {
        CYRILLIC.contains(&chosen).then_some(2)
    };
    if let Some(script) = script
        && let Some((e, t)) = weigh_latin(bytes, path, chosen, &text, script)?
    {
        chosen = e;
        text = t;
        rule = "detector-alternative";
    }
    let label = label_for(chosen, bytes);
    let plan = Plan {
        encoding: chosen,
        label,
        rule,
        len: bytes.len(),
        crc32: crc32fast::hash(bytes),
    };
    finish(text, label, rule, false, path).map(|decoded| (decoded, Some(plan)))
}

/// Single-byte encodings of Latin script that encoding_rs decodes, in the order preferred when
/// several give the same text (windows-125x before the ISO encodings; the label is decided
/// from the bytes afterwards).
const LATIN: &[&Encoding] = {
    use encoding_rs::*;
    &[
        WINDOWS_1252,
        WINDOWS_1250,
        WINDOWS_1257,
        WINDOWS_1254,
        WINDOWS_1258,
        ISO_8859_15,
        ISO_8859_2,
        ISO_8859_13,
        ISO_8859_4,
        ISO_8859_16,
        ISO_8859_3,
        ISO_8859_10,
        ISO_8859_14,
        MACINTOSH,
    ]
};

/// The Cyrillic encodings whose letters are the same but for the capitals and `я`: windows-1251
/// and Mac Cyrillic, weighed against each other as [`LATIN`] is (a Mac capital read as
/// windows-1251 is `Ќ`, `‚`, `„`; a windows-1251 capital read as Mac is a sign). KOI8 and
/// IBM866 readings of the one are not the other's lowercase words and are not weighed.
const CYRILLIC: &[&Encoding] = &[encoding_rs::WINDOWS_1251, encoding_rs::X_MAC_CYRILLIC];

/// DOS code pages of Latin script, bytes 0x80-0xFF (U+0080 where undefined). encoding_rs
/// cannot decode them (WHATWG has none but IBM866), so they are rival readings only: a file
/// that reads as one of them is refused, never decoded as something else.
const DOS: &[(&str, &str)] = &[
    (
        "IBM437",
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}",
    ),
    (
        "IBM850",
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{ad}±‗¾¶§÷¸°¨·¹³²■\u{a0}",
    ),
    (
        "IBM852",
        "ÇüéâäůćçłëŐőîŹÄĆÉĹĺôöĽľŚśÖÜŤťŁ×čáíóúĄąŽžĘę¬źČş«»░▒▓│┤ÁÂĚŞ╣║╗╝Żż┐└┴┬├─┼Ăă╚╔╩╦╠═╬¤đĐĎËďŇÍÎě┘┌█▄ŢŮ▀ÓßÔŃńňŠšŔÚŕŰýÝţ´\u{ad}˝˛ˇ˘§÷¸°¨˙űŘř■\u{a0}",
    ),
    (
        "IBM857",
        "ÇüéâäàåçêëèïîıÄÅÉæÆôöòûùİÖÜø£ØŞşáíóúñÑĞğ¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ºªÊËÈ\u{80}ÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµ\u{80}×ÚÛÙìÿ¯´\u{ad}±\u{80}¾¶§÷¸°¨·¹³²■\u{a0}",
    ),
    (
        "IBM775",
        "ĆüéāäģåćłēŖŗīŹÄÅÉæÆōöĢ¢ŚśÖÜø£Ø×¤ĀĪóŻżź”¦©®¬½¼Ł«»░▒▓│┤ĄČĘĖ╣║╗╝ĮŠ┐└┴┬├─┼ŲŪ╚╔╩╦╠═╬Žąčęėįšųūž┘┌█▄▌▐▀ÓßŌŃõÕµńĶķĻļņĒŅ’\u{ad}±“¾¶§÷„°∙·¹³²■\u{a0}",
    ),
];

/// A DOS code page's reading of `bytes`, `None` when a byte is undefined in it.
fn dos_reading(table: &str, bytes: &[u8]) -> Option<String> {
    let high: Vec<char> = table.chars().collect();
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        let c = if b < 0x80 {
            char::from(b)
        } else {
            high[usize::from(b - 0x80)]
        };
        if c == '\u{80}' {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// How well a reading of a Latin-script file fits, from worst to best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    /// A word that cannot be: a symbol or a letter of another script between two letters
    /// (`ay█klay█c█`, `m《sen`, `Obowi¹zkowe`), a capital after a small letter, two alphabets.
    Broken,
    /// Possible words, but no language of [`crate::language::latin_alphabet`]'s table writes
    /// all their letters.
    Words,
    /// Some language of the table writes all the letters beyond ASCII.
    Alphabet,
    /// The language whatlang reads the text as writes all the letters beyond ASCII.
    Language,
}

/// Between two letters of a word, what may stand besides letters: ASCII, apostrophes, the soft
/// hyphen, combining marks (windows-1258's); the middle dot only in Catalan's `l·l`.
fn joins_letters(a: char, c: char, b: char) -> bool {
    c.is_ascii()
        || c.is_whitespace()
        || is_combining(c)
        || matches!(c, '’' | '‘' | 'ʼ' | '´' | '\u{ad}')
        || (c == '·' && a.eq_ignore_ascii_case(&'l') && b.eq_ignore_ascii_case(&'l'))
}

/// What may stand beside a letter at the edge of a word: spaces, quotes, dashes, the ellipsis,
/// `¿ ¡`, signs such as `® ™ © °` and currencies. Anything else beside a letter (a math sign,
/// box drawing, a spacing accent `¨ ˇ ˛`, `‡`, `¹`, `¤`) is a misread letter.
fn may_touch_letter(c: char) -> bool {
    c.is_ascii()
        || c.is_whitespace()
        || is_combining(c)
        || matches!(
            c,
            '«' | '»'
                | '‹'
                | '›'
                | '“'
                | '”'
                | '„'
                | '‚'
                | '‘'
                | '’'
                | 'ʼ'
                | '´'
                | '…'
                | '¿'
                | '¡'
                | '®'
                | '™'
                | '©'
                | '°'
                | '€'
                | '£'
                | '¥'
                | '¢'
                | '\u{ad}'
                | '\u{a0}'
                | '\u{2010}'..='\u{2015}'
        )
}

/// The first character (by index) that breaks a word of Latin letters: between two Latin
/// letters, anything but a letter or what [`joins_letters`]; beside one, what may not
/// ([`may_touch_letter`]), or a letter of another script.
fn broken_word(chars: &[char], script: u8) -> Option<usize> {
    let latin = |c: char| crate::unicode::is_alphabetic(c) && alphabet(c) == Some(script);
    (0..chars.len()).find(|&i| {
        let c = chars[i];
        if c.is_ascii() {
            return false;
        }
        let before = i.checked_sub(1).map(|j| chars[j]).filter(|&p| latin(p));
        let after = chars.get(i + 1).copied().filter(|&n| latin(n));
        if before.is_none() && after.is_none() {
            return false;
        }
        if crate::unicode::is_alphabetic(c) {
            return alphabet(c) != Some(script) && !matches!(c, 'µ' | 'ª' | 'º');
        }
        match (before, after) {
            (Some(a), Some(b)) => !joins_letters(a, c, b),
            _ => !may_touch_letter(c),
        }
    })
}

/// How well `text`, one reading of `bytes`, fits (see [`Fit`]).
fn fit(text: &str, bytes: &[u8], script: u8) -> Fit {
    let chars: Vec<char> = text.chars().collect();
    if broken_word(&chars, script).is_some() || doubt(text, bytes).is_some() {
        return Fit::Broken;
    }
    let mut letters: Vec<char> = Vec::new();
    for word in text.split(|c: char| !crate::unicode::is_alphabetic(c) && !is_combining(c)) {
        if word.is_ascii() {
            continue;
        }
        // (`кВт` is a unit, `cafÈ` and `камерЯ` misreadings)
        if camel(word) && word.chars().count() >= 4 {
            return Fit::Broken;
        }
        for c in word.chars().filter(|c| !c.is_ascii()) {
            if alphabet(c).is_some_and(|a| a != script) {
                return Fit::Broken;
            }
            // A combining mark (windows-1258's) stands for a letter no table lists.
            let lower = match c {
                'İ' => 'ı',
                c if is_combining(c) || matches!(c, 'µ' | 'ª' | 'º') => '\u{80}',
                c => c.to_lowercase().next().unwrap_or(c),
            };
            if !letters.contains(&lower) {
                letters.push(lower);
            }
        }
    }
    let (table, codes): (fn(&str) -> Option<&'static str>, _) = if script == 0 {
        (
            crate::language::latin_alphabet,
            crate::language::LATIN_ALPHABETS,
        )
    } else {
        (
            crate::language::cyrillic_alphabet,
            crate::language::CYRILLIC_ALPHABETS,
        )
    };
    let writes = |code: &str| table(code).is_some_and(|a| letters.iter().all(|&c| a.contains(c)));
    if letters.is_empty() || crate::language::reads_as(text).is_some_and(writes) {
        Fit::Language
    } else if codes.iter().any(|code| writes(code)) {
        Fit::Alphabet
    } else {
        Fit::Words
    }
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

/// Whether a guess's text shows Latin words broken by what it decoded (KOI8-R box drawing or a
/// Shift_JIS character inside a word of a DOS code page's German): then the Latin readings are
/// weighed against it too.
fn breaks_latin_words(text: &str, encoding: &'static Encoding) -> bool {
    let chars: Vec<char> = text.chars().collect();
    if !is_single_byte(encoding) {
        // A text of Chinese or Japanese quotes Latin words; one of Latin words is not CJK.
        let latin = chars.iter().filter(|&&c| alphabet(c) == Some(0)).count();
        let other = chars
            .iter()
            .filter(|&&c| crate::unicode::is_alphabetic(c) && alphabet(c) != Some(0))
            .count();
        if latin <= 4 * other {
            return false;
        }
    }
    broken_word(&chars, 0).is_some()
}

/// One reading of a legacy file: the text, and the encoding that gives it (`None`: a DOS code
/// page, which encoding_rs cannot decode).
struct Reading {
    name: &'static str,
    encoding: Option<&'static Encoding>,
    text: String,
    fit: Fit,
}

/// The check of a guess of Latin script, or of a guess that breaks Latin words (see the
/// module's doc): `Ok(None)` keeps the guess, `Ok(Some(..))` is the one reading that fits, an
/// error says why none can be chosen.
fn weigh_latin(
    bytes: &[u8],
    path: &str,
    guess: &'static Encoding,
    guess_text: &str,
    script: u8,
) -> Result<Option<(&'static Encoding, String)>, Problem> {
    let mut readings: Vec<Reading> = Vec::new();
    let mut add = |name: &'static str, encoding: Option<&'static Encoding>, text: String| {
        if !readings.iter().any(|r| r.text == text) {
            let fit = fit(&text, bytes, script);
            readings.push(Reading {
                name,
                encoding,
                text,
                fit,
            });
        }
    };
    add(guess.name(), Some(guess), guess_text.to_owned());
    for &e in if script == 0 { LATIN } else { CYRILLIC } {
        if let Ok(t) = decode_strict(e, bytes)
            && first_undefined(&t, e).is_none()
        {
            add(e.name(), Some(e), t);
        }
    }
    for &(name, table) in DOS.iter().filter(|_| script == 0) {
        if let Some(t) = dos_reading(table, bytes) {
            add(name, None, t);
        }
    }
    let best = readings.iter().map(|r| r.fit).max().unwrap_or(Fit::Broken);
    let mut top: Vec<&Reading> = readings.iter().filter(|r| r.fit == best).collect();
    // Of two readings that fit as well, one that reads a letter wherever the other does, and a
    // letter where the other reads a sign (`tomó`, `tom—`), is the better.
    let snapshot = top.clone();
    top.retain(|r| !snapshot.iter().any(|o| more_letters(&o.text, &r.text)));
    let doubtful = |message: String, at: usize| {
        Err(Problem::error(path, "encoding-doubtful", message).at_offset(at as u64))
    };
    let guessed = &readings[0];
    match top.as_slice() {
        [] => unreachable!("a reading that fits best is kept by `more_letters`, a strict order"),
        _ if best == Fit::Broken => {
            let at = differing_byte(bytes, &guessed.text, None);
            doubtful(
                format!(
                    "detected as {}, but byte 0x{:02X} makes impossible words in every \
                     single-byte Latin encoding; curate the right `encoding` for this document in \
                     dataset.toml",
                    guess.name(),
                    bytes[at]
                ),
                at,
            )
        }
        [one] if one.text == guessed.text => Ok(None),
        [one] if best == Fit::Language => match one.encoding {
            Some(e) => Ok(Some((e, one.text.clone()))),
            None => {
                let at = differing_byte(bytes, &one.text, Some(&guessed.text));
                doubtful(
                    format!(
                        "detected as {}, but the text reads as a DOS code page ({}), which \
                         cannot be decoded here (byte 0x{:02X} reads `{}`); convert the file \
                         to UTF-8",
                        guess.name(),
                        one.name,
                        bytes[at],
                        word_at(&one.text, at)
                    ),
                    at,
                )
            }
        },
        [one] => {
            let at = differing_byte(bytes, &one.text, Some(&guessed.text));
            doubtful(
                format!(
                    "detected as {}, which makes `{}` of byte 0x{:02X}, and only {} reads as \
                     words, though not of the language the text reads as; curate the right \
                     `encoding` for this document in dataset.toml",
                    guess.name(),
                    word_at(&guessed.text, at),
                    bytes[at],
                    one.name
                ),
                at,
            )
        }
        [a, b, ..] => {
            let at = differing_byte(bytes, &a.text, Some(&b.text));
            doubtful(
                format!(
                    "detected as {}, but byte 0x{:02X} reads `{}` in {} and `{}` in {}, and \
                     both fit; curate the right `encoding` for this document in \
                     dataset.toml",
                    guess.name(),
                    bytes[at],
                    word_at(&a.text, at),
                    a.name,
                    word_at(&b.text, at),
                    b.name
                ),
                at,
            )
        }
    }
}

/// Whether single-byte reading `a` reads a letter wherever `b` does, and somewhere a letter
/// where `b` reads something else.
fn more_letters(a: &str, b: &str) -> bool {
    let letter = |c: char| crate::unicode::is_alphabetic(c);
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let touches = |t: &[char], i: usize| {
        i.checked_sub(1).is_some_and(|j| letter(t[j])) || t.get(i + 1).is_some_and(|&c| letter(c))
    };
    let mut more = false;
    for i in 0..a.len().min(b.len()) {
        match (letter(a[i]), letter(b[i])) {
            (false, true) if touches(&a, i) => return false,
            // A sign glued to a word where the other reading has a letter (`tom—`, `‘истема`);
            // a dash between spaces is no evidence either way.
            (true, false) if touches(&b, i) => more = true,
            _ => {}
        }
    }
    more
}

/// The offset of the first high byte whose reading differs in two single-byte readings (the
/// first high byte when there is no other reading, or when they do not differ).
fn differing_byte(bytes: &[u8], a: &str, b: Option<&str>) -> usize {
    let first_high = bytes.iter().position(|&x| x >= 0x80).unwrap_or(0);
    let Some(b) = b else {
        return first_high;
    };
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() != bytes.len() || b.len() != bytes.len() {
        return first_high;
    }
    (0..bytes.len())
        .find(|&i| a[i] != b[i])
        .unwrap_or(first_high)
}

/// The word of a single-byte reading around the character at `at`.
fn word_at(text: &str, at: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let Some(at) = chars.len().checked_sub(1).map(|last| at.min(last)) else {
        return String::new();
    };
    let space = |c: &char| c.is_whitespace();
    let start = chars[..at].iter().rposition(space).map_or(0, |i| i + 1);
    let end = chars[at..]
        .iter()
        .position(space)
        .map_or(chars.len(), |i| at + i);
    chars[start..end.max(at + 1)].iter().collect()
}

/// Fewer bytes above 0x7F than this are too little evidence to choose another encoding than
/// the detector's by how the text reads.
const MIN_HIGH_BYTES: usize = 8;

/// The single-byte encoding whose decoding of `bytes` reads best (most letters in words of one
/// alphabet and a possible case pattern), among those that decode it cleanly.
fn best_reading(bytes: &[u8]) -> Option<(&'static Encoding, String)> {
    use encoding_rs::*;
    let candidates = FAMILIES.iter().flat_map(|f| f.iter().copied()).chain([
        KOI8_R,
        WINDOWS_1254,
        WINDOWS_874,
        WINDOWS_1258,
    ]);
    let mut best: Option<(usize, &'static Encoding, String)> = None;
    for e in candidates {
        let Ok(t) = decode_strict(e, bytes) else {
            continue;
        };
        if first_undefined(&t, e).is_some() || doubt(&t, bytes).is_some() {
            continue;
        }
        let score = readable_letters(&t);
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, e, t));
        }
    }
    best.map(|(_, e, t)| (e, t))
}

/// Letters in words of one alphabet whose case pattern is possible (`word`, `Word`, `WORD`).
fn readable_letters(text: &str) -> usize {
    text.split(|c: char| !crate::unicode::is_alphabetic(c))
        .filter(|w| !w.is_empty())
        .filter(|w| {
            let first = w.chars().next().and_then(alphabet);
            w.chars().all(|c| alphabet(c) == first) && !camel(w)
        })
        .map(|w| w.chars().count())
        .sum()
}

/// An uppercase letter after a lowercase one inside a word, one of them beyond ASCII
/// (`èÏÄÖÁÌ` is KOI8-R read as Latin-1; `iPhone` is ASCII and fine).
fn camel(word: &str) -> bool {
    word.chars()
        .zip(word.chars().skip(1))
        .any(|(a, b)| a.is_lowercase() && b.is_uppercase() && !(a.is_ascii() && b.is_ascii()))
}

/// Decode with the encoding curated in `dataset.toml`, strictly.
fn decode_curated(bytes: &[u8], path: &str, label: &str) -> Result<Decoded, Problem> {
    let Some(encoding) = Encoding::for_label(label.trim().as_bytes()) else {
        return Err(Problem::error(
            path,
            "encoding-unknown",
            format!(
                "dataset.toml curates the encoding `{label}` for this document, which is not an \
                 encoding label (WHATWG: `windows-1251`, `KOI8-R`, `ISO-8859-1`, ...)"
            ),
        ));
    };
    let iso = iso_name(label);
    let bom_len = match Encoding::for_bom(bytes) {
        Some((bom, len)) if bom == encoding => len,
        _ => 0,
    };
    let body = &bytes[bom_len..];
    let undefined = match decode_strict(encoding, body) {
        Err(offset) => offset,
        Ok(text) => {
            let undefined = if iso.is_some() {
                body.iter().position(|b| (0x80..=0x9F).contains(b))
            } else {
                first_undefined(&text, encoding)
            };
            match undefined {
                None => {
                    // The curator's word names it (windows-1252 stays windows-1252).
                    let name = iso.unwrap_or(encoding.name());
                    return finish(text, name, "curated", bom_len > 0, path);
                }
                Some(offset) => offset,
            }
        }
    };
    Err(Problem::error(
        path,
        "undecodable",
        format!(
            "byte 0x{:02X} is not defined in {}, the encoding curated in dataset.toml",
            body.get(undefined).copied().unwrap_or(0),
            iso.unwrap_or(encoding.name())
        ),
    )
    .at_offset((undefined + bom_len) as u64))
}

/// The ISO name a curator gave for an encoding that WHATWG merges into a windows-125x one.
fn iso_name(label: &str) -> Option<&'static str> {
    match label.trim().to_ascii_lowercase().as_str() {
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "l1" => Some("ISO-8859-1"),
        "iso-8859-9" | "iso8859-9" | "iso_8859-9" | "latin5" | "l5" => Some("ISO-8859-9"),
        "iso-8859-11" | "iso8859-11" | "tis-620" => Some("ISO-8859-11"),
        _ => None,
    }
}

/// The bytes where KOI8-U has letters (є і ї ґ ў) and KOI8-R box drawing.
const KOI8_U_LETTERS: [u8; 10] = [0xA4, 0xA6, 0xA7, 0xAD, 0xAE, 0xB4, 0xB6, 0xB7, 0xBD, 0xBE];

/// The name of what was decoded: the smallest encoding the bytes present need.
fn label_for(encoding: &'static Encoding, bytes: &[u8]) -> &'static str {
    use encoding_rs::*;
    if encoding == KOI8_U || encoding == KOI8_R {
        // KOI8-U's letters stand inside words (next to a letter byte, 0xC0 and up); box
        // drawing does not.
        let letter = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(|&b| b >= 0xC0);
        let needs_u = bytes.iter().enumerate().any(|(i, b)| {
            KOI8_U_LETTERS.contains(b) && (letter(i.checked_add(1)) || letter(i.checked_sub(1)))
        });
        return if needs_u { "KOI8-U" } else { "KOI8-R" };
    }
    if bytes.iter().any(|b| (0x80..=0x9F).contains(b)) {
        return encoding.name();
    }
    let same_as =
        |iso: &'static Encoding| decode_strict(iso, bytes) == decode_strict(encoding, bytes);
    match encoding.name() {
        "windows-1252" => "ISO-8859-1",
        "windows-1254" => "ISO-8859-9",
        "windows-874" => "ISO-8859-11",
        "windows-1250" if same_as(ISO_8859_2) => "ISO-8859-2",
        "windows-1253" if same_as(ISO_8859_7) => "ISO-8859-7",
        "windows-1255" if same_as(ISO_8859_8) => "ISO-8859-8",
        "windows-1256" if same_as(ISO_8859_6) => "ISO-8859-6",
        "windows-1257" if same_as(ISO_8859_13) => "ISO-8859-13",
        name => name,
    }
}

/// Offset of the first byte a single-byte encoding leaves undefined (decoded as a C1 control).
fn first_undefined(text: &str, encoding: &'static Encoding) -> Option<usize> {
    if !is_single_byte(encoding) {
        return None;
    }
    text.chars()
        .position(|c| ('\u{80}'..='\u{9F}').contains(&c))
}

fn is_single_byte(encoding: &'static Encoding) -> bool {
    use encoding_rs::*;
    ![
        UTF_8,
        UTF_16LE,
        UTF_16BE,
        SHIFT_JIS,
        EUC_JP,
        ISO_2022_JP,
        EUC_KR,
        GBK,
        GB18030,
        BIG5,
    ]
    .contains(&encoding)
}

/// The alphabets a legacy decode is checked against (CJK and the rest are not checked).
fn alphabet(c: char) -> Option<u8> {
    if !crate::unicode::is_alphabetic(c) {
        return None;
    }
    Some(match u32::from(c) {
        0x0041..=0x024F | 0x1E00..=0x1EFF => 0,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => 1,
        0x0400..=0x052F => 2,
        0x0530..=0x058F => 3,
        0x0590..=0x05FF => 4,
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => 5,
        0x10A0..=0x10FF => 6,
        0x0E00..=0x0E7F => 7,
        _ => return None,
    })
}

/// Why a single-byte decode is too weak to trust, with the offset of the byte concerned: a word
/// mixing two alphabets, or letters of a non-Latin alphabet from a handful of high bytes in an
/// ASCII text that make no word of two letters.
fn doubt(text: &str, bytes: &[u8]) -> Option<(usize, &'static str)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() != bytes.len() {
        return None; // not a single-byte decode: char index and byte offset differ
    }
    let (mut start, mut foreign_words, mut first_foreign) = (0, 0usize, None);
    let (mut high_words, mut camels, mut first_camel) = (0usize, 0usize, None);
    while start < chars.len() {
        let Some(first) = alphabet(chars[start]) else {
            start += 1;
            continue;
        };
        let end = (start..chars.len())
            .find(|&i| !crate::unicode::is_alphabetic(chars[i]))
            .unwrap_or(chars.len());
        let word = &chars[start..end];
        if word
            .iter()
            .any(|&c| alphabet(c).is_some_and(|a| a != first))
        {
            let at = (start..end).find(|&j| bytes[j] >= 0x80).unwrap_or(start);
            return Some((at, "makes a word of two alphabets"));
        }
        if word.iter().any(|c| !c.is_ascii()) {
            high_words += 1;
            let w: String = word.iter().collect();
            if camel(&w) {
                camels += 1;
                first_camel
                    .get_or_insert((start..end).find(|&j| bytes[j] >= 0x80).unwrap_or(start));
            }
        }
        if first != 0 {
            first_foreign.get_or_insert(start);
            foreign_words += usize::from(word.len() >= 2);
        }
        start = end;
    }
    if let Some(at) = first_camel
        && camels * 20 > high_words
    {
        return Some((
            at,
            "makes words of impossible case (a capital after a small letter)",
        ));
    }
    let ascii_letters = chars.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let high = bytes.iter().filter(|&&b| b >= 0x80).count();
    match first_foreign {
        Some(at) if foreign_words < 2 && high < 8 && ascii_letters > 20 * high => Some((
            at,
            "is one of a few stray high bytes in ASCII text, making no word of its alphabet",
        )),
        _ => None,
    }
}

/// UTF-16 without a BOM: many NULs, nearly all on the same parity of offset.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 { even += 1 } else { odd += 1 }
        }
    }
    let pairs = bytes.len() / 2;
    pairs >= 8 && (even.max(odd) * 10 >= pairs * 3) && even.min(odd) * 20 <= even.max(odd)
}

/// Counts of well-formed multi-byte sequences and of invalid sequences in a byte string.
struct Utf8Stats {
    multibyte: usize,
    invalid: usize,
}

impl Utf8Stats {
    fn of(mut bytes: &[u8]) -> Utf8Stats {
        let mut stats = Utf8Stats {
            multibyte: 0,
            invalid: 0,
        };
        loop {
            match std::str::from_utf8(bytes) {
                Ok(s) => {
                    stats.multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                    return stats;
                }
                Err(e) => {
                    let valid = &bytes[..e.valid_up_to()];
                    stats.multibyte += std::str::from_utf8(valid)
                        .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                        .unwrap_or(0);
                    stats.invalid += 1;
                    let skip = e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                    bytes = &bytes[e.valid_up_to() + skip..];
                }
            }
        }
    }
}

/// Decode without replacement; on failure, the offset of the first malformed byte.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    if encoding == UTF_8 {
        return match utf8(bytes) {
            Some(text) => Ok(text.to_owned()),
            None => Err(std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| 0)),
        };
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3 + 16);
    let mut out = String::with_capacity(capacity);
    let mut consumed = 0usize;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[consumed..], &mut out, true);
        consumed += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(bytes.len() - consumed + 16),
            DecoderResult::Malformed(bad, after) => {
                return Err(consumed - usize::from(bad) - usize::from(after));
            }
        }
    }
}

/// Refuse text that is binary data in disguise: NULs, or more than 1% control characters.
/// Works on the UTF-8 bytes: C0 controls are single bytes, C1 controls are C2 80..C2 9F.
fn check_not_binary(text: &str, path: &str) -> Result<(), Problem> {
    let bytes = text.as_bytes();
    if let Some(nul) = memchr::memchr(0, bytes) {
        return Err(Problem::error(
            path,
            "binary",
            "NUL character: this is binary data, not text",
        )
        .at_offset(nul as u64));
    }
    // Branch-free, so the compiler vectorizes it: this runs over every byte of every document.
    let c0: usize = bytes
        .chunks(255)
        .map(|chunk| {
            chunk.iter().fold(0u8, |n, &b| {
                let control =
                    ((b < 0x20) & (b != b'\n') & (b != b'\r') & (b != b'\t')) | (b == 0x7F);
                n + u8::from(control)
            }) as usize
        })
        .sum();
    let c1 = memchr::memchr_iter(0xC2, bytes)
        .filter(|&i| bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)))
        .count();
    let controls = c0 + c1;
    if controls > 0 {
        let total = text.chars().count();
        if controls * 1000 > total * MAX_CONTROL_PER_MILLE {
            return Err(Problem::error(
                path,
                "binary",
                format!("{controls} control characters in {total}: this is binary data, not text"),
            ));
        }
    }
    Ok(())
}

/// The byte windows-1252 (or, for its five unassigned bytes, latin-1) gives to `c`, if any.
fn cp1252_byte(c: char) -> Option<u8> {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    let code = u32::from(c);
    if code < 0x80 || (0xA0..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    HIGH.iter().position(|&h| h == c).map(|i| 0x80 + i as u8)
}

/// A UTF-8 lead byte as it looks after a windows-1252 misreading, followed by a continuation.
fn mojibake_marker(a: char, b: char) -> bool {
    let lead = matches!(u32::from(a), 0xC2..=0xDF) || a == 'â';
    let cont = cp1252_byte(b).is_some_and(|byte| (0x80..=0xBF).contains(&byte));
    lead && cont
}

/// Reverse a windows-1252 misreading of UTF-8, as many times as it was done (up to 3), when the
/// whole text reverses to valid UTF-8. Refuse text that shows mojibake but does not reverse.
fn repair_mojibake(text: String, path: &str) -> Result<(String, u64), Problem> {
    let mut current = text;
    let mut repaired = 0u64;
    for _ in 0..3 {
        let Some(bytes) = current
            .chars()
            .map(cp1252_byte)
            .collect::<Option<Vec<u8>>>()
        else {
            break;
        };
        if bytes.is_ascii() {
            break;
        }
        match String::from_utf8(bytes) {
            Ok(fixed) if fixed != current => {
                repaired = fixed.chars().filter(|c| !c.is_ascii()).count() as u64;
                current = fixed;
            }
            _ => break,
        }
    }
    let markers: Vec<usize> = current
        .char_indices()
        .zip(current.chars().skip(1))
        .filter(|((_, a), b)| mojibake_marker(*a, *b))
        .map(|((i, _), _)| i)
        .collect();
    if markers.len() >= 2 {
        return Err(Problem::error(
            path,
            "mojibake",
            format!(
                "{} sequences look like UTF-8 misread as windows-1252 (e.g. `Ä±` for `ı`), \
                 and the text does not convert back exactly; fix the file at its source",
                markers.len()
            ),
        )
        .at_offset(markers[0] as u64));
    }
    Ok((current, repaired))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_taken_as_it_is() {
        let d = decode("Xocalı şəhəri".as_bytes(), "a.txt").unwrap();
        assert_eq!(d.text, "Xocalı şəhəri");
        assert_eq!(d.encoding, "UTF-8");
        assert!(!d.bom);
    }

    #[test]
    fn bom_chooses_the_encoding_and_is_removed() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Xocalı".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.bom),
            ("Xocalı", "UTF-16LE", true)
        );
    }

    #[test]
    fn windows_1251_is_detected() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251
            .encode("Ходжалинская трагедия произошла в ночь с 25 на 26 февраля 1992 года.");
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!(d.encoding, "windows-1251");
        assert!(d.text.starts_with("Ходжалинская"));
    }

    #[test]
    fn damaged_utf8_is_refused_with_the_offset() {
        let mut bytes = "Xocalı şəhəri Qarabağda yerləşir.".as_bytes().to_vec();
        bytes[6] = 0xFF; // breaks the `ı` (bytes 5-6)
        let p = decode(&bytes, "a.txt").unwrap_err();
        assert_eq!(p.code, "invalid-utf8");
        assert_eq!(p.offset, Some(5));
    }

    #[test]
    fn mojibake_is_repaired_exactly() {
        let original = "Xocalı soyqırımı, şəhər";
        // Build the classic misreading directly: each UTF-8 byte as a windows-1252 character.
        let misread: String = original
            .bytes()
            .map(|b| encoding_rs::WINDOWS_1252.decode(&[b]).0.into_owned())
            .collect();
        assert!(misread.contains("Ä±"));
        let d = decode(misread.as_bytes(), "a.txt").unwrap();
        assert_eq!(d.text, original);
        assert!(d.mojibake_repaired > 0);
    }

    #[test]
    fn mixed_mojibake_that_does_not_reverse_is_refused() {
        let text = "Xocalı (XocalÄ±) and ÅŸÉ™hÉ™r";
        let p = decode(text.as_bytes(), "a.txt").unwrap_err();
        assert_eq!(p.code, "mojibake");
    }

    #[test]
    fn latin1_accents_are_not_taken_for_mojibake() {
        let d = decode("Café «déjà vu» à Zürich".as_bytes(), "a.txt").unwrap();
        assert_eq!(d.mojibake_repaired, 0);
        assert_eq!(d.text, "Café «déjà vu» à Zürich");
    }

    #[test]
    fn binary_and_empty_are_refused() {
        assert_eq!(decode(b"", "a").unwrap_err().code, "empty");
        assert_eq!(decode(b"ab\0cd", "a").unwrap_err().code, "binary");
        let controls: Vec<u8> = (0..200)
            .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
            .collect();
        assert_eq!(decode(&controls, "a").unwrap_err().code, "binary");
    }
}

#[cfg(test)]
mod legacy_tests {
    use super::*;
    use encoding_rs::{KOI8_R, KOI8_U, WINDOWS_1251, WINDOWS_1252};

    const RU: &str = "Ходжалинская трагедия произошла в ночь с 25 на 26 февраля 1992 года. \
                      Погибли мирные жители, среди них женщины, дети и старики.";

    #[test]
    fn a_plan_decodes_its_file_again_as_detection_did_and_fits_only_that_file() {
        let box_drawing = format!("{RU}\n┌──────┐\n│ 1992 │\n└──────┘\n");
        let files = [
            KOI8_R.encode(RU).0.into_owned(),
            KOI8_R.encode(&box_drawing).0.into_owned(),
            WINDOWS_1251.encode(RU).0.into_owned(),
            WINDOWS_1252
                .encode("Déclaration universelle: égalité, dignité.")
                .0
                .into_owned(),
        ];
        for bytes in &files {
            let (detected, plan) = decode_planned(bytes, "a.txt", None).unwrap();
            let plan = plan.expect("a legacy file has a plan");
            assert!(plan.fits(bytes));
            assert_eq!(decode_by_plan(bytes, "a.txt", &plan).unwrap(), detected);
            let mut other = bytes.clone();
            other[0] ^= 1;
            assert!(!plan.fits(&other), "changed bytes");
            assert!(!plan.fits(&bytes[1..]), "other length");
        }
        // UTF-8, with or without a BOM, needs no plan.
        assert!(
            decode_planned(RU.as_bytes(), "a.txt", None)
                .unwrap()
                .1
                .is_none()
        );
        let bom = [b"\xEF\xBB\xBF".as_slice(), RU.as_bytes()].concat();
        assert!(decode_planned(&bom, "a.txt", None).unwrap().1.is_none());
    }

    #[test]
    fn koi8_r_is_named_when_no_byte_needs_koi8_u() {
        let (bytes, _, _) = KOI8_R.encode(RU);
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("KOI8-R", RU));
    }

    #[test]
    fn koi8_u_is_named_when_its_letters_are_used() {
        let uk = "Ходжалинська трагедія сталася в ніч на 26 лютого 1992 року. Її пам'ятають усі.";
        let (bytes, _, _) = KOI8_U.encode(uk);
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!((d.encoding, d.text.as_str()), ("KOI8-U", uk));
    }

    #[test]
    fn koi8_r_box_drawing_is_accepted() {
        let text = format!(
            "{RU}\n┌──────┬──────┐\n│ дата │ город│\n├──────┼──────┤\n│ 1992 │ Ходжалы│\n└──────┴──────┘\n"
        );
        let (bytes, _, unmappable) = KOI8_R.encode(&text);
        assert!(!unmappable);
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "KOI8-R");
    }

    #[test]
    fn iso_8859_1_is_named_when_no_byte_needs_windows_1252() {
        let fr = "Déclaration universelle des droits de l'homme: égalité, dignité, fraternité.";
        let (bytes, _, _) = WINDOWS_1252.encode(fr);
        assert_eq!(decode(&bytes, "a.txt").unwrap().encoding, "ISO-8859-1");
        let curly =
            "L\u{2019}égalité et la dignité de tous, dit-on, «\u{a0}sans distinction\u{a0}».";
        let (bytes, _, _) = WINDOWS_1252.encode(curly);
        assert_eq!(decode(&bytes, "a.txt").unwrap().encoding, "windows-1252");
    }

    #[test]
    fn stray_high_bytes_in_ascii_are_refused_naming_the_byte() {
        let mut bytes =
            b"The report was filed on Monday and reviewed by the committee in full.".to_vec();
        bytes[10] = 0xC7;
        bytes[40] = 0xE3;
        let p = decode(&bytes, "a.txt").unwrap_err();
        assert_eq!(p.code, "encoding-doubtful");
        assert!(p.offset == Some(10) || p.offset == Some(40), "{p:?}");
        assert!(p.message.contains("0x"), "{}", p.message);
    }

    #[test]
    fn a_curated_encoding_decides_and_is_checked() {
        let (bytes, _, _) = WINDOWS_1251.encode(RU);
        let d = decode_as(&bytes, "a.txt", Some("windows-1251")).unwrap();
        assert_eq!((d.encoding, d.rule), ("windows-1251", "curated"));
        let p = decode_as(&[b'a', 0x98, b'b'], "a.txt", Some("windows-1251")).unwrap_err();
        assert_eq!((p.code, p.offset), ("undecodable", Some(1)));
        let p = decode_as(b"abc", "a.txt", Some("no-such-thing")).unwrap_err();
        assert_eq!(p.code, "encoding-unknown");
        let p = decode_as(&[b'a', 0x93, b'b'], "a.txt", Some("ISO-8859-1")).unwrap_err();
        assert_eq!(p.code, "undecodable");
    }
}

#[cfg(test)]
mod latin_tests {
    //! Real strings: translations from /usr/share/locale (the adversarial corpus `mo2` of the
    //! sixth session), encoded here as the legacy file it was given as (corpus `enc2`).
    use super::*;
    use encoding_rs::{WINDOWS_1250, WINDOWS_1252, WINDOWS_1257};

    fn legacy(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{text}");
        bytes.into_owned()
    }

    /// `text` in a DOS code page of [`DOS`], which encoding_rs cannot encode.
    fn dos(name: &str, text: &str) -> Vec<u8> {
        let table: Vec<char> = DOS
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .chars()
            .collect();
        text.chars()
            .map(|c| match table.iter().position(|&t| t == c) {
                Some(i) => 0x80 + i as u8,
                None => u8::try_from(u32::from(c))
                    .ok()
                    .filter(u8::is_ascii)
                    .unwrap(),
            })
            .collect()
    }

    fn doubtful(bytes: &[u8]) -> Problem {
        let p = decode(bytes, "a.txt").unwrap_err();
        assert_eq!(p.code, "encoding-doubtful", "{p:?}");
        p
    }

    #[test]
    fn a_guess_whose_letters_no_language_writes_gives_way_to_the_one_that_fits() {
        // fr_s00: chardetng said ISO-8859-2, `arričre-plan`.
        let fr = "Couleur d'arrière-plan de la cellule en tant que chaîne";
        // pl_s01: ISO-8859-2 made `Obowišzkowe … sš`.
        let pl = "Obowiązkowe argumenty długich opcji są obowiązkowe też dla krótkich.";
        // hu_s01 (its first line): windows-1252 made `ő` `õ`.
        let hu = "Egy lista minden elemére parancs végrehajtása. A „for” ciklus végrehajt egy \
                  parancssorozatot a megadott listán. Az első parancs kilépési kódját adja vissza.";
        for (encoding, text) in [(WINDOWS_1252, fr), (WINDOWS_1250, pl), (WINDOWS_1250, hu)] {
            let d = decode(&legacy(encoding, text), "a.txt").unwrap();
            assert_eq!(d.text, text);
        }
    }

    #[test]
    fn two_readings_that_both_fit_refuse_the_document() {
        // sk_s05: `ľavým` in windows-1250 is `žavým` in ISO-8859-2, both Slovak.
        let sk = "Dodatočné miesto medzi ľavým a pravým susediacim prvkom potomka, v pixeloch";
        let p = doubtful(&legacy(WINDOWS_1250, sk));
        assert!(
            p.message.contains("ľavým") && p.message.contains("žavým"),
            "{}",
            p.message
        );
        assert!(p.message.contains("dataset.toml"), "{}", p.message);
        // lt_s01: `praeitą` in windows-1257 is `praeità` in windows-1252.
        let lt = "Versija esanti pakete yra tokia pat kaip per praeitą diegimą.";
        doubtful(&legacy(WINDOWS_1257, lt));
    }

    #[test]
    fn a_dos_code_page_is_refused_never_read_as_another_encoding() {
        // de_s01 in IBM850: Shift_JIS made `m《sen`.
        let de = "Die folgenden Pakete müssen heruntergestuft werden:";
        let p = doubtful(&dos("IBM850", de));
        assert!(p.message.contains("DOS code page"), "{}", p.message);
        assert!(p.message.contains("müssen"), "{}", p.message);
        // tr_s01 in IBM857: KOI8-R made `Tasarlanm█■`, box drawing inside words.
        let tr = "Tasarlanmış yürürlükten kaldırma anahtarının kullanıcı kimliğini giriniz:";
        let p = doubtful(&dos("IBM857", tr));
        assert!(p.message.contains("IBM857"), "{}", p.message);
    }

    #[test]
    fn a_sign_where_another_reading_has_a_letter_loses_to_it() {
        // es_s05: IBM437 reads its `ó` as `≤`, a sign beside a letter; windows-1252 stays.
        let es = "proceso ayudante autovacuum tomó demasiado tiempo para iniciarse; cancelado";
        let d = decode(&legacy(WINDOWS_1252, es), "a.txt").unwrap();
        assert_eq!((d.text.as_str(), d.rule), (es, "detector"));
    }

    #[test]
    fn mac_cyrillic_capitals_read_as_windows_1251_give_way_or_refuse() {
        // ru_s01 in Mac Cyrillic: windows-1251 made its `И` `€`.
        let ru = "Использовать Caps Lock как дополнительную клавишу Num Lock";
        let d = decode(&legacy(encoding_rs::X_MAC_CYRILLIC, ru), "a.txt").unwrap();
        assert_eq!((d.text.as_str(), d.rule), (ru, "detector-alternative"));
        // mk_s01: `Не` in Mac Cyrillic is `Ќе` in windows-1251, both Macedonian.
        let mk = "Не успеав да ги вчитам податоците за RGB за TIFF датотеката";
        let p = doubtful(&legacy(encoding_rs::X_MAC_CYRILLIC, mk));
        assert!(p.message.contains("Ќе"), "{}", p.message);
    }

    #[test]
    fn broken_words_are_told_from_punctuation() {
        let broken = |s: &str| broken_word(&s.chars().collect::<Vec<_>>(), 0).is_some();
        assert!(broken("hata ay█klay█c█ ba"));
        assert!(broken("Die Pakete m《sen"));
        assert!(broken("Obowi¹zkowe"));
        assert!(broken("tom≤ demasiado"));
        assert!(!broken(
            "l’homme, «\u{a0}vu\u{a0}», col·lecció, a\u{a0}klatka — „true”"
        ));
        assert!(broken("H·ngaro"));
    }
}
