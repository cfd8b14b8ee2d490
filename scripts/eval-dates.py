#!/usr/bin/env python3
"""Write tests/fixtures/eval-pages/dates.tsv: the publication date each scraped page's source
expects, to measure the dates archivist finds on real news pages. Never from our output.

Where the expectations come from:
- `readability-*`: `publishedTime` of the test page's `expected-metadata.json` (Mozilla
  Readability's test suite, checked by its maintainers; read from the page's meta tags).
- `newspaper-*`: `publish_date` of newspaper4k 0.9.6's `tests/data/metadata/*.json`.
Pages whose source expects no date (or has no expectation) get no row.

The calendar date is the timestamp's own: `2016-12-22T10:43:37-08:00` is 22 December where it
was published. A timestamp in UTC (`Z`, `+00:00`) or without a zone, with a time of day, may be
another day where the page was published (`2018-06-12T23:00:00Z` is 13 June in Europe): its
neighbours are the days it is somewhere between UTC-12 and UTC+14. Then the page decides, by
the dates it shows anywhere in its scraped text (ISO, numeric day-first or month-first, month
names of data/months.tsv (CLDR), `2018年6月19日`, `2019년 8월 20일`):
- `shown`: the page shows the timestamp's date (with a four-digit year, in one of those forms);
- `ambiguous`: the page shows a neighbouring day but not the timestamp's own: either is taken
  as the page's date, neither counts as found or wrong (the test lists them);
- `unshown`: the page shows neither (it gives no date, or only as `11.03.17` or `2 hours ago`):
  no date is the right answer; the expected date, if found, counts as found.
A date found other than these is wrong.

Run: python3 scripts/eval-dates.py READABILITY_TEST_PAGES NEWSPAPER4K_DATA
(`readability/test/test-pages`, `newspaper4k-0.9.6/tests/data`)
"""
import datetime as dt
import json
import os
import re
import sys
import unicodedata

readability, newspaper = sys.argv[1:3]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
top = os.path.join(root, "tests", "fixtures", "eval-pages")

MONTHS = {}
with open(os.path.join(root, "data", "months.tsv"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("#"):
            continue
        name, number = line.split("\t")[:2]
        MONTHS.setdefault(int(number), []).append(name)


def parse(stamp):
    """(date, has_time, utc_or_unzoned) of a source's timestamp."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
                 r"\s*(Z|[+-]\d{2}:?\d{2})?$", stamp.strip())
    if not m:
        raise SystemExit(f"unreadable timestamp {stamp!r}")
    y, mo, d, h, mi, s, zone = m.groups()
    date = dt.date(int(y), int(mo), int(d))
    if h is None:
        return date, None, False
    time = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    # newspaper4k writes a date without its time as midnight without a zone.
    if (h, mi, s or "00") == ("00", "00", "00") and zone is None:
        return date, None, False
    utc = zone is None or zone in ("Z", "+00:00", "+0000", "-00:00")
    return date, time, utc


def neighbours(time):
    """The calendar days a UTC (or unzoned) time is between UTC-12 and UTC+14."""
    return sorted({(time + dt.timedelta(hours=o)).date() for o in range(-12, 15)})


def patterns(date):
    y, m, d = date.year, date.month, date.day
    day = rf"0?{d}"
    out = [
        rf"\b{y}-{m:02}-{d:02}",
        rf"\b{day}[./-]0?{m}[./-]{y}\b",
        rf"\b0?{m}/{day}/{y}\b",
        rf"\b{y}[/.]0?{m}[/.]{day}\b",
        rf"{y}\s*年\s*0?{m}\s*月\s*{day}\s*日",
        rf"{y}\s*년\s*0?{m}\s*월\s*{day}\s*일",
    ]
    for name in MONTHS.get(m, []):
        n = re.escape(name)
        out.append(rf"(?<!\d){day}(?:st|nd|rd|th|er)?[\s.,/-]*(?:de\s+|of\s+)?{n}\b\.?[\s.,/-]*(?:de\s+)?{y}\b")
        out.append(rf"\b{n}\b\.?\s*{day}(?:st|nd|rd|th)?(?!\d)\s*,?\s*{y}\b")
    return [re.compile(p) for p in out]


def shows(text, date):
    """The numbers of the lines that show `date` (its first three)."""
    pats = patterns(date)
    return [n for n, line in enumerate(text.split("\n"), 1) if any(p.search(line) for p in pats)][:3]


def page_text(name):
    with open(os.path.join(top, "raw", name), encoding="utf-8") as f:
        return unicodedata.normalize("NFC", f.read()).lower()


def row(name, stamp, source):
    date, time, utc = parse(stamp)
    text = page_text(name)
    if time is not None and utc:
        days = neighbours(time)
    else:
        days = [date]
    at = shows(text, date)
    if at:
        return f"{name}\tshown\t{date}\t{stamp}\t{source}; shown on line {','.join(map(str, at))}"
    others = [(d, shows(text, d)) for d in days if d != date]
    others = [(d, at) for d, at in others if at]
    if others:
        dates = ",".join(str(d) for d in sorted([date] + [d for d, _ in others]))
        seen = "; ".join(f"{d} on line {','.join(map(str, at))}" for d, at in others)
        return f"{name}\tambiguous\t{dates}\t{stamp}\t{source}; the page shows {seen}"
    return f"{name}\tunshown\t{date}\t{stamp}\t{source}; the page shows no such date"


rows = ["# page\tkind\tdate (ambiguous: the dates either of which is taken)\tthe source's timestamp\t"
        "where it comes from (scripts/eval-dates.py)"]
for name in sorted(os.listdir(os.path.join(top, "raw"))):
    if name.startswith("readability-"):
        case = name[len("readability-"):-len(".txt")]
        with open(os.path.join(readability, case, "expected-metadata.json"), encoding="utf-8") as f:
            stamp = json.load(f).get("publishedTime")
        source = "Readability expected-metadata.json publishedTime"
    elif name.startswith("newspaper-"):
        case = name[len("newspaper-"):-len(".txt")]
        path = os.path.join(newspaper, "metadata", case + ".json")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            stamp = json.load(f).get("publish_date")
        source = "newspaper4k metadata publish_date"
    else:
        continue
    if stamp:
        rows.append(row(name, stamp, source))
with open(os.path.join(top, "dates.tsv"), "w", encoding="utf-8") as f:
    f.write("\n".join(rows) + "\n")
