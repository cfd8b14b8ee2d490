//! Stage 4, metadata: the date, title and language a document gives about itself.
//!
//! - Date header: a first line `date YYYY-MM-DD [title]` (leading space allowed) gives the record's
//!   date; the header is taken off the line (and listed in `removed`), the rest is the title line.
//! - Dateline: within the first lines, `- 26 fevral, 2026` (Azerbaijani month names, any case)
//!   and `- 13:54`. It is kept in the text, parsed, and must agree with the header; without a
//!   header it gives the date. Impossible dates and times are errors with their line.
//! - Title: a short first line that stands alone (a blank line or a dateline follows it, or it
//!   carried the date header) and does not end like a sentence.
//! - Language: ISO 639-1 from whatlang, with the letter ə as strong evidence for Azerbaijani
//!   (short Azerbaijani passages are easily taken for Turkish, which has no ə).

use crate::normalize::Line;
use crate::problem::Problem;
use crate::record::Removed;
use jiff::civil::Date;

/// Azerbaijani month names, January first.
const AZ_MONTHS: [&str; 12] = [
    "yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr", "oktyabr",
    "noyabr", "dekabr",
];

/// The longest line taken for a title, in characters and in words.
const TITLE_MAX_CHARS: usize = 200;
const TITLE_MAX_WORDS: usize = 30;
/// How many lines below the first a dateline may stand.
const DATELINE_WINDOW: usize = 3;

/// What the header and dateline say.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Dates {
    /// The date found, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The first line carried a date header.
    pub had_header: bool,
    /// Index in `lines` of the dateline's date line, if any.
    pub dateline: Option<usize>,
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

/// Take the date header off the first line and check it against the dateline.
/// `removed` gets the header; problems are errors naming `path` and the line.
pub fn extract_dates(
    lines: &mut Vec<Line>,
    path: &str,
    removed: &mut Vec<Removed>,
    problems: &mut Vec<Problem>,
) -> Dates {
    let mut dates = Dates::default();
    if let Some(first) = lines.first_mut()
        && let Some((token, rest)) = split_header(&first.text)
    {
        dates.had_header = true;
        let header = first.text.trim_start()[..first.text.trim_start().len() - rest.len()]
            .trim_end()
            .to_owned();
        match parse_iso_date(token) {
            Some(date) => dates.date = Some(date.to_string()),
            None => problems.push(
                Problem::error(
                    path,
                    "date-invalid",
                    format!("the date header `{header}` is not a real date in the form YYYY-MM-DD"),
                )
                .at_line(first.no),
            ),
        }
        removed.push(Removed {
            line: first.no,
            text: header,
            reason: "date-header".to_owned(),
        });
        first.text = rest.to_owned();
        if first.text.is_empty() {
            lines.remove(0);
        }
    }

    let start = usize::from(dates.had_header && lines.first().is_some_and(|l| !l.text.is_empty()));
    for index in start..(start + DATELINE_WINDOW).min(lines.len()) {
        let line = &lines[index];
        let Some(parsed) = parse_dateline(&line.text) else {
            continue;
        };
        dates.dateline = Some(index);
        match parsed {
            Ok(date) => {
                let date = date.to_string();
                match &dates.date {
                    Some(header) if *header != date => problems.push(
                        Problem::error(
                            path,
                            "date-mismatch",
                            format!("the dateline says {date} but the date header says {header}"),
                        )
                        .at_line(line.no),
                    ),
                    Some(_) => {}
                    None if !dates.had_header => dates.date = Some(date),
                    None => {}
                }
            }
            Err(message) => {
                problems.push(Problem::error(path, "date-invalid", message).at_line(line.no))
            }
        }
        if let Some(next) = lines.get(index + 1)
            && let Some(Err(message)) = parse_time_line(&next.text)
        {
            problems.push(Problem::error(path, "time-invalid", message).at_line(next.no));
        }
        break;
    }
    dates
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

/// `- 26 fevral, 2026`: `None` when the line is not a dateline, `Some(Err)` when it is one with
/// an impossible date.
fn parse_dateline(line: &str) -> Option<Result<Date, String>> {
    let body = line.trim().strip_prefix('-')?.trim_start();
    let mut words = body.split_whitespace();
    let day: i8 = words.next()?.parse().ok()?;
    let month_word = words.next()?.trim_end_matches(',').to_lowercase();
    let month = AZ_MONTHS.iter().position(|m| *m == month_word)?;
    let year_word = words.next()?;
    if words.next().is_some() || year_word.len() != 4 {
        return None;
    }
    let year: i16 = year_word.parse().ok()?;
    let month = i8::try_from(month + 1).ok()?;
    Some(
        Date::new(year, month, day)
            .map_err(|_| format!("the dateline `{}` is not a real date", line.trim())),
    )
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

/// The title line, if the first line is one.
pub fn title(lines: &[Line], dates: &Dates) -> Option<String> {
    let first = lines.first()?;
    let text = first.text.trim();
    if text.is_empty() || lines.len() < 2 {
        return None;
    }
    let stands_alone = dates.had_header
        || dates.dateline == Some(1)
        || lines.get(1).is_some_and(|l| l.text.is_empty());
    let short = text.chars().count() <= TITLE_MAX_CHARS
        && text.split_whitespace().count() <= TITLE_MAX_WORDS;
    let sentence = text.ends_with(['.', '!', '?', '…', ';', ',', ':']);
    (stands_alone && short && !sentence).then(|| text.to_owned())
}

/// How much of a text language detection looks at: plenty to tell a language, and it keeps
/// detection from dominating the pipeline on long documents.
const LANGUAGE_SAMPLE_BYTES: usize = 4 * 1024;

/// ISO 639-1 code of the text's language, or `None` when it cannot be told.
pub fn language(text: &str) -> Option<String> {
    let mut end = text.len().min(LANGUAGE_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let (letters, schwas) = text.chars().fold((0usize, 0usize), |(letters, schwas), c| {
        (
            letters + usize::from(c.is_alphabetic()),
            schwas + usize::from(matches!(c, 'ə' | 'Ə')),
        )
    });
    // Frequent ə decides whatever the detector would say: it need not run (it is the costliest
    // step of `check` per byte it reads).
    if letters > 0 && schwas * 100 >= letters {
        return Some("az".to_owned());
    }
    let info = whatlang::detect(text);
    let turkic = info
        .as_ref()
        .is_some_and(|i| matches!(i.lang(), whatlang::Lang::Tur | whatlang::Lang::Aze));
    // ə is among the most frequent letters of Azerbaijani and absent from Turkish: in a Turkic
    // guess any ə decides; elsewhere it has to be frequent, not a quoted name.
    if turkic && schwas > 0 {
        return Some("az".to_owned());
    }
    info.and_then(|i| iso639_1(i.lang())).map(str::to_owned)
}

/// ISO 639-1 for the languages whatlang knows (all have one).
pub fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
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
    use crate::normalize::normalize;

    fn run(text: &str) -> (Vec<Line>, Dates, Vec<Removed>, Vec<Problem>) {
        let mut lines = normalize(text).lines;
        let (mut removed, mut problems) = (vec![], vec![]);
        let dates = extract_dates(&mut lines, "doc.txt", &mut removed, &mut problems);
        (lines, dates, removed, problems)
    }

    #[test]
    fn header_gives_the_date_and_leaves_the_title() {
        let (lines, dates, removed, problems) =
            run(" date 2026-02-26 Anım mərasimi baş tutub\n- 26 fevral, 2026\n- 13:54\nMətn.\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(dates.date.as_deref(), Some("2026-02-26"));
        assert_eq!(lines[0].text, "Anım mərasimi baş tutub");
        assert_eq!(removed[0].text, "date 2026-02-26");
        assert_eq!(
            title(&lines, &dates).as_deref(),
            Some("Anım mərasimi baş tutub")
        );
    }

    #[test]
    fn all_twelve_month_names_parse() {
        for (i, month) in AZ_MONTHS.iter().enumerate() {
            let date = parse_dateline(&format!("- 1 {month}, 2020"))
                .unwrap()
                .unwrap();
            assert_eq!(date.month() as usize, i + 1);
        }
        assert!(parse_dateline("- 3 Mart 2021").unwrap().is_ok());
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
    fn a_sentence_is_not_a_title() {
        let (lines, dates, _, _) = run("This is the body. It goes on.\n\nMore.\n");
        assert_eq!(title(&lines, &dates), None);
        let (lines, dates, _, _) = run("Short heading\n\nBody text.\n");
        assert_eq!(title(&lines, &dates).as_deref(), Some("Short heading"));
    }

    #[test]
    fn schwa_decides_between_azerbaijani_and_turkish() {
        assert_eq!(
            language("Xocalı şəhəri işğal edildi").as_deref(),
            Some("az")
        );
        assert_eq!(
            language("The Khojaly tragedy is remembered every year in February by many people.")
                .as_deref(),
            Some("en")
        );
    }
}
