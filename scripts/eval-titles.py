#!/usr/bin/env python3
"""Write tests/fixtures/eval-pages/titles.tsv: the title each scraped page's source expects, to
measure the titles archivist finds on scraped news pages. Never from our output.

- `readability-*`: the title Mozilla Readability's maintainers expect (`expected-metadata.json`
  of its test page);
- `newspaper-*`: the title newspaper4k 0.9.6 expects (`tests/data/metadata/*.json` of its sdist).

Run: python3 scripts/eval-titles.py READABILITY_TEST_PAGES NEWSPAPER4K_DATA
(`readability/test/test-pages`, `newspaper4k-0.9.6/tests/data`)
"""
import json
import os
import sys
import unicodedata

pages, newspaper = sys.argv[1:3]
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "eval-pages")
rows = ["# page\tthe title its source's tests expect (Readability's expected-metadata.json, "
        "newspaper4k's metadata/*.json), spaces as archivist normalizes them"]
for name in sorted(os.listdir(os.path.join(top, "raw"))):
    if name.startswith("readability-"):
        path = os.path.join(pages, name[len("readability-"):-len(".txt")], "expected-metadata.json")
    elif name.startswith("newspaper-"):
        path = os.path.join(newspaper, "metadata", name[len("newspaper-"):-len(".txt")] + ".json")
        if not os.path.exists(path):
            continue
    else:
        continue
    with open(path, encoding="utf-8") as f:
        title = json.load(f).get("title")
    if title:
        title = " ".join(unicodedata.normalize("NFC", title).split())
        rows.append(f"{name}\t{title}")
with open(os.path.join(top, "titles.tsv"), "w", encoding="utf-8") as f:
    f.write("\n".join(rows) + "\n")
