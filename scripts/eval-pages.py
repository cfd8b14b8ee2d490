#!/usr/bin/env python3
"""Build tests/fixtures/eval-pages/ from real web pages, copied the way a naive scraper does.

The pages are the real ones trafilatura 2.3.1 ships among its test resources (its sdist on PyPI:
`pip download trafilatura==2.3.1 --no-deps --no-binary :all:`): a FiveThirtyEight article
(`webpage.html.gz`) and Mozilla's Firefox Developer Edition page. The scraper keeps every text
node, scripts and styles aside, one line per block or link, as scrapers that know nothing of a
page's layout do: menus, share buttons, footers and language switchers come along.

Run: python3 scripts/eval-pages.py /path/to/trafilatura-2.3.1/tests/resources
`expected.tsv` (written by hand, not by this script) says where each page's own text is.
"""
import gzip
import html.parser
import os
import sys

BLOCK = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article", "header",
         "footer", "nav", "ul", "title", "a", "span")
PAGES = {"webpage.html.gz": "fivethirtyeight.txt", "mozilla.org.firefox.developer.html": "mozilla.txt"}


class Scraper(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "svg"):
            self.skip += 1
        if tag in BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "svg"):
            self.skip -= 1
        if tag in BLOCK and tag not in ("br", "a", "span"):
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def main():
    src = sys.argv[1]
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "eval-pages", "raw")
    os.makedirs(out, exist_ok=True)
    for page, name in PAGES.items():
        path = os.path.join(src, page)
        raw = (gzip.open(path) if page.endswith(".gz") else open(path, "rb")).read()
        scraper = Scraper()
        scraper.feed(raw.decode("utf-8"))
        lines = [" ".join(l.split()) for l in "".join(scraper.out).split("\n")]
        text, blank = [], True
        for line in lines:
            if line or not blank:
                text.append(line)
            blank = not line
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("\n".join(text).strip() + "\n")


main()
