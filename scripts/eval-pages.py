#!/usr/bin/env python3
"""Build tests/fixtures/eval-pages/ from real web pages, copied the way a naive scraper does.

The scraper keeps every text node, scripts and styles aside, one line per block or link, as
scrapers that know nothing of a page's layout do: menus, share buttons, footers and language
switchers come along.

The pages, and where their expectations come from (never from our output):
- `trafilatura-*`: the two real pages trafilatura 2.3.1 ships among its test resources (its sdist
  on PyPI: `pip download trafilatura==2.3.1 --no-deps --no-binary :all:`), a FiveThirtyEight
  article (`webpage.html.gz`) and Mozilla's Firefox Developer Edition page; their lines were
  marked by hand (the two first lines of `expected.tsv`, kept as they are by this script).
- `readability-*`: the real pages of Mozilla Readability's test suite (`test/test-pages/*/` of
  the mozilla/readability repository: `source.html`, the page; `expected.html`, the article
  Readability extracts, checked by its maintainers; `expected-metadata.json`, its title,
  byline and excerpt). Hand-made cases of single HTML features are left out.
- `newspaper-*`: the pages newspaper4k 0.9.6 ships in its sdist (`tests/data/html/*.html`) with
  the article text it expects (`tests/data/txt/*.txt`).

How the lines are marked, from the expected article text: a scraped line found in it, in order,
is `content` (a long line anywhere after the previous content line, a short one just after it);
lines before the first and after the last content line are `furniture`, except lines that are
the page's title, byline or excerpt, or that occur in the article text at all (`neutral`: not
counted). Lines between the first and the last content line that are not content are not
counted either. A content line must never be removed; the share of furniture lines removed is
the figure reported. Lines of kind `disputed` in `expected.tsv` are written by hand and kept by
this script: content by the source's marking that is plainly the site's furniture (Readability
keeps The New York Times' closing `Order Reprints | Today's Paper | Subscribe` links as the
article's last paragraph); they are not counted either way.

Run: python3 scripts/eval-pages.py TRAFILATURA_RESOURCES READABILITY_TEST_PAGES NEWSPAPER4K_DATA
(`trafilatura-2.3.1/tests/resources`, `readability/test/test-pages`, `newspaper4k-0.9.6/tests/data`)
"""
import gzip
import html.parser
import json
import os
import re
import sys
import unicodedata

BLOCK = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article", "header",
         "footer", "nav", "ul", "title", "a", "span")

# trafilatura's pages, marked by hand in expected.tsv.
TRAFILATURA = {"webpage.html.gz": "trafilatura-fivethirtyeight.txt",
               "mozilla.org.firefox.developer.html": "trafilatura-mozilla.txt"}

# Readability's test pages that are real pages, not hand-made cases of one HTML feature.
READABILITY = """aclu aktualne archive-of-our-own ars-1 bbc-1 blogger breitbart buzzfeed-1 citylab-1
cnet cnn daringfireball-1 dev418 dropbox-blog ebb-org ehow-1 ehow-2 engadget firefox-nightly-blog
folha gitlab-blog gmw google-sre-book-1 guardian-1 heise herald-sun-1 hukumusume iab-1 ietf-1
la-nacion lemonde-1 liberation-1 lifehacker-post-comment-load lifehacker-working lwn-1
medicalnewstoday medium-1 medium-2 medium-3 mercurial mozilla-1 mozilla-2 msn nytimes-1
nytimes-2 nytimes-3 nytimes-4 nytimes-5 pixnet qq quanta-1 royal-road rtl-1 rtl-2 rtl-3 rtl-4
salon-1 seattletimes-1 simplyfound-1 spiceworks telegraph theverge tmz-1 topicseed-1 tumblr
v8-blog videos-1 videos-2 wapo-1 wapo-2 webmd-1 webmd-2 wikia wikipedia wikipedia-2
wikipedia-3 wikipedia-4 wordpress yahoo-1 yahoo-2 yahoo-3 yahoo-4 youth""".split()

# A line of at least this many characters found anywhere after the previous content line is
# content; a shorter one only within NEAR characters of it.
LONG = 30
NEAR = 300


class Scraper(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "svg"):
            self.skip += 1
        if tag in BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "svg"):
            self.skip = max(0, self.skip - 1)
        if tag in BLOCK and tag not in ("br", "a", "span"):
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def scrape(text):
    scraper = Scraper()
    scraper.feed(text)
    lines = [" ".join(l.split()) for l in "".join(scraper.out).split("\n")]
    out, blank = [], True
    for line in lines:
        if line or not blank:
            out.append(line)
        blank = not line
    return "\n".join(out).strip() + "\n"


def norm(s):
    return " ".join(unicodedata.normalize("NFKC", s).split()).lower()


def ranges(numbers):
    """`[3, 4, 5, 9]` as `3-5,9`."""
    out, start, prev = [], None, None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if prev > start else f"{start}")
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev > start else f"{start}")
    return ",".join(out)


def mark(page, article, metadata):
    """(content, furniture) line numbers of the scraped `page`, by the `article` text."""
    art = norm(article)
    meta = [norm(m) for m in metadata if m]
    lines = page.split("\n")
    content, cursor = [], None
    for n, line in enumerate(lines, 1):
        k = norm(line)
        if not k or not re.search(r"\w", k):
            continue
        if len(k) >= LONG:
            at = art.find(k, cursor or 0)
        elif cursor is not None:
            at = art.find(k, cursor, cursor + NEAR + len(k))
        else:
            at = -1
        if at >= 0:
            content.append(n)
            cursor = at + len(k)
    furniture = []
    if content:
        for n, line in enumerate(lines, 1):
            k = norm(line)
            if not k or (content[0] <= n <= content[-1]):
                continue
            if k in art or any(k in m or m in k for m in meta):
                continue
            furniture.append(n)
    return content, furniture


def write(out, name, page, content, furniture, rows):
    with open(os.path.join(out, "raw", name), "w", encoding="utf-8") as f:
        f.write(page)
    rows.append(f"{name}\tcontent\t{ranges(content)}")
    if furniture:
        rows.append(f"{name}\tfurniture\t{ranges(furniture)}")


def main():
    trafilatura, readability, newspaper = sys.argv[1:4]
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "eval-pages")
    os.makedirs(os.path.join(out, "raw"), exist_ok=True)
    expected = os.path.join(out, "expected.tsv")
    with open(expected, encoding="utf-8") as f:
        kept = [l.rstrip("\n") for l in f
                if l.startswith("trafilatura-") or "\tdisputed\t" in l]
    with open(os.path.join(out, "expected.tsv"), encoding="utf-8") as f:
        head = [l.rstrip("\n") for l in f if l.startswith("#")]
    rows = []
    for page, name in TRAFILATURA.items():
        path = os.path.join(trafilatura, page)
        raw = (gzip.open(path) if page.endswith(".gz") else open(path, "rb")).read()
        with open(os.path.join(out, "raw", name), "w", encoding="utf-8") as f:
            f.write(scrape(raw.decode("utf-8")))
    for name in READABILITY:
        d = os.path.join(readability, name)
        with open(os.path.join(d, "source.html"), encoding="utf-8") as f:
            page = scrape(f.read())
        with open(os.path.join(d, "expected.html"), encoding="utf-8") as f:
            article = scrape(f.read())
        with open(os.path.join(d, "expected-metadata.json"), encoding="utf-8") as f:
            meta = json.load(f)
        metadata = [meta.get(k) for k in ("title", "byline", "excerpt", "siteName")]
        content, furniture = mark(page, article, metadata)
        if content:
            write(out, f"readability-{name}.txt", page, content, furniture, rows)
    for txt in sorted(os.listdir(os.path.join(newspaper, "txt"))):
        name = txt[:-4]
        source = os.path.join(newspaper, "html", name + ".html")
        if not os.path.exists(source):
            continue
        with open(source, encoding="utf-8", errors="strict") as f:
            page = scrape(f.read())
        with open(os.path.join(newspaper, "txt", txt), encoding="utf-8") as f:
            article = f.read()
        content, furniture = mark(page, article, [])
        if content:
            write(out, f"newspaper-{name}.txt", page, content, furniture, rows)
    with open(expected, "w", encoding="utf-8") as f:
        f.write("\n".join(head + kept + rows) + "\n")


main()
