#!/usr/bin/env python3
"""Write tests/fixtures/eval-pages/titles.tsv: the title Mozilla Readability's maintainers expect
for each `readability-*` page of the evaluation corpus (`expected-metadata.json` of its test
page), to measure the titles archivist finds on scraped news pages. Never from our output.

Run: python3 scripts/eval-titles.py READABILITY_TEST_PAGES   (`readability/test/test-pages`)
"""
import json
import os
import sys
import unicodedata

pages, = sys.argv[1:]
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "eval-pages")
rows = ["# page\tthe title Readability's test expects (expected-metadata.json), spaces as archivist normalizes them"]
for name in sorted(os.listdir(os.path.join(top, "raw"))):
    if not name.startswith("readability-"):
        continue
    case = name[len("readability-"):-len(".txt")]
    with open(os.path.join(pages, case, "expected-metadata.json"), encoding="utf-8") as f:
        title = json.load(f).get("title")
    if title:
        title = " ".join(unicodedata.normalize("NFC", title).split())
        rows.append(f"{name}\t{title}")
with open(os.path.join(top, "titles.tsv"), "w", encoding="utf-8") as f:
    f.write("\n".join(rows) + "\n")
