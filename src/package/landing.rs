//! `data/index.html`: the landing page. The dataset card as one self-contained HTML page (no
//! scripts, no style sheets or images from elsewhere; readable offline and in a text browser):
//! what, who, when, rights, the documents table, the files, how to verify and how to load it;
//! with a schema.org `Dataset` in `<script type="application/ld+json">` for dataset search
//! engines (its only script, which browsers do not run).
//!
//! Made from `dataset.toml`, the collection's totals and the records, streamed: the documents
//! table is written a record at a time.

use super::describe::Collection;
use super::spill::Records;
use crate::config::Dataset;
use crate::error::{Error, Result};
use crate::record::Record;
use serde_json::{Value, json};
use std::io::Write;

/// The page's JSON-LD opens with this line and closes with [`JSON_LD_END`] (verify reads it).
pub const JSON_LD_START: &str = "<script type=\"application/ld+json\">";
pub const JSON_LD_END: &str = "</script>";
/// Each document's row of the table starts with this, followed by its id and `">`.
pub const ROW_START: &str = "<tr id=\"doc-";

/// HTML-escape text for an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The schema.org Dataset the page carries. Its context is inline (`@vocab`), so the JSON-LD
/// expands without fetching anything.
pub fn json_ld(
    dataset: &Dataset,
    collection: &Collection,
    previous: Option<&super::Predecessor>,
) -> Value {
    let creators = super::describe::schema_org_creators(dataset);
    let mut value = json!({
        "@context": {"@vocab": "https://schema.org/"},
        "@type": "Dataset",
        "name": dataset.title,
        "alternateName": dataset.release_name(),
        "description": dataset.description.trim(),
        "version": dataset.version,
        "datePublished": dataset.release_date,
        "creator": creators,
        "publisher": {"@type": "Organization", "name": dataset.publisher},
        "inLanguage": dataset.languages,
        "keywords": dataset.keywords,
        "license": dataset.rights.uri,
        "copyrightNotice": dataset.rights.note.as_deref().map(str::trim),
        "size": format!("{} documents", collection.documents),
        "distribution": {
            "@type": "DataDownload",
            "name": format!("{}.zip", dataset.release_name()),
            "contentUrl": format!("{}.zip", dataset.release_name()),
            "encodingFormat": "application/zip",
        },
    });
    if value["copyrightNotice"].is_null()
        && let Some(o) = value.as_object_mut()
    {
        o.remove("copyrightNotice");
    }
    if let Some(id) = &dataset.identifier {
        value["identifier"] = json!(id);
    }
    if let Some(previous) = previous {
        let mut based_on = json!({
            "@type": "Dataset",
            "name": previous.file_name,
            "version": previous.version,
        });
        if let Some(ni) = crate::digest::ni_sha256(&previous.sha256) {
            based_on["@id"] = json!(ni);
        }
        value["isBasedOn"] = based_on;
    }
    value
}

/// Write the page to `out`.
pub(super) fn write(
    out: &mut dyn Write,
    dataset: &Dataset,
    collection: &Collection,
    previous: Option<&super::Predecessor>,
    records: &Records,
) -> Result<()> {
    let mut w = std::io::BufWriter::with_capacity(256 * 1024, out);
    let title = escape(&dataset.title);
    let name = escape(&dataset.release_name());
    let ld = serde_json::to_string_pretty(&json_ld(dataset, collection, previous))
        .expect("JSON serializes")
        // Inside a script element `</` would end it early; `<\/` is the same JSON string.
        .replace("</", "<\\/");
    write!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} (version {version})</title>\n\
         <style>\nbody {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; \
         line-height: 1.4; color: #111; background: #fff; }}\n\
         table {{ border-collapse: collapse; }}\nth, td {{ border: 1px solid #999; padding: 0.2em 0.5em; \
         text-align: left; vertical-align: top; }}\npre {{ background: #f2f2f2; padding: 0.5em; overflow-x: auto; }}\n\
         </style>\n{JSON_LD_START}\n{ld}\n{JSON_LD_END}\n</head>\n<body>\n<h1>{title}</h1>\n\
         <p>Version {version} of <code>{dataset_name}</code>, released {date}.</p>\n",
        version = escape(&dataset.version),
        dataset_name = escape(&dataset.name),
        date = escape(&dataset.release_date),
    )?;
    writeln!(w, "<p>{}</p>", escape(dataset.description.trim()))?;
    if let Some(previous) = previous {
        writeln!(
            w,
            "<p>This version follows version {} (<code>{}</code>, SHA-256 <code>{}</code>); \
             <a href=\"CHANGES.md\">CHANGES.md</a> lists what changed.</p>",
            escape(&previous.version),
            escape(&previous.file_name),
            escape(&previous.sha256)
        )?;
    }

    writeln!(w, "<h2>About</h2>\n<ul>")?;
    let creators: Vec<&str> = dataset.creators.iter().map(|c| c.name.as_str()).collect();
    writeln!(w, "<li>Creators: {}</li>", escape(&creators.join("; ")))?;
    writeln!(w, "<li>Publisher: {}</li>", escape(&dataset.publisher))?;
    if let Some(id) = &dataset.identifier {
        writeln!(w, "<li>Identifier: <code>{}</code></li>", escape(id))?;
    }
    let languages: Vec<String> = collection
        .languages()
        .map(|(l, n)| format!("{l} ({n})"))
        .collect();
    writeln!(
        w,
        "<li>Languages (ISO 639-1, documents): {}</li>",
        escape(&languages.join(", "))
    )?;
    let dates: Vec<&str> = collection.dates().collect();
    writeln!(
        w,
        "<li>Publication dates given by the documents: {} ({} of {} give none)</li>",
        if dates.is_empty() {
            "none".to_owned()
        } else {
            escape(&dates.join(", "))
        },
        collection.undated(),
        collection.documents
    )?;
    if !dataset.keywords.is_empty() {
        writeln!(
            w,
            "<li>Keywords: {}</li>",
            escape(&dataset.keywords.join(", "))
        )?;
    }
    writeln!(
        w,
        "<li>Size: {} documents, {} bytes of raw documents, {} bytes of normalized text</li>\n</ul>",
        collection.documents, collection.raw_bytes, collection.text_bytes
    )?;

    writeln!(w, "<h2>Rights</h2>")?;
    writeln!(
        w,
        "<p>{} &lt;<a href=\"{uri}\">{uri}</a>&gt;</p>",
        escape(&dataset.rights.statement),
        uri = escape(&dataset.rights.uri)
    )?;
    if let Some(note) = &dataset.rights.note {
        writeln!(w, "<p>{}</p>", escape(note.trim()))?;
    }

    writeln!(w, "<h2>Documents</h2>")?;
    writeln!(
        w,
        "<table>\n<thead><tr><th>id</th><th>language</th><th>date</th><th>title</th>\
         <th>encoding</th><th>raw bytes</th><th>removed lines</th><th>files</th></tr></thead>\n<tbody>"
    )?;
    records.for_each(|line, _| {
        let r: Record = serde_json::from_slice(line)
            .map_err(|e| Error::Io(std::io::Error::other(format!("a spilled record: {e}"))))?;
        writeln!(w, "{}", row(&r))?;
        Ok(())
    })?;
    writeln!(w, "</tbody>\n</table>")?;

    writeln!(
        w,
        "<h2>Files</h2>\n<ul>\n\
         <li><code>raw/</code>: the documents as found, byte-identical.</li>\n\
         <li><code>text/&lt;id&gt;.txt</code>: the normalized text of each document (UTF-8, NFC, LF, one final newline).</li>\n\
         <li><a href=\"records.jsonl\"><code>records.jsonl</code></a>: one record per document, sorted by id, valid against <a href=\"schema/record.schema.json\"><code>schema/record.schema.json</code></a>.</li>\n\
         <li><a href=\"datapackage.json\"><code>datapackage.json</code></a>: Frictionless Data Package.</li>\n\
         <li><a href=\"datacite.json\"><code>datacite.json</code></a>: DataCite 4.5 metadata.</li>\n\
         <li><a href=\"ro-crate-metadata.json\"><code>ro-crate-metadata.json</code></a>: RO-Crate 1.3, with the release run (Process Run Crate 0.5).</li>\n\
         <li><a href=\"croissant.json\"><code>croissant.json</code></a>: Croissant 1.1, the records and texts as record sets.</li>\n\
         <li><a href=\"README.md\"><code>README.md</code></a>: this card in Markdown.</li>\n</ul>"
    )?;

    writeln!(w, "<h2>How to verify it</h2>\n<pre>")?;
    writeln!(
        w,
        "sha256sum -c {name}.zip.sha256      # the archive is the one published\n\
         unzip {name}.zip &amp;&amp; bagit.py --validate {name}   # every file against the bag's manifests\n\
         archivist verify {name}.zip             # all of the above, and the records\n\
         minisign -Vm {name}.zip.sha256 -p PUBLISHER.pub   # if signed: who made it\n</pre>"
    )?;
    writeln!(
        w,
        "<h2>How to load it</h2>\n<p>With <code>mlcroissant</code> (Python), from the unpacked <code>data/</code> folder:</p>\n<pre>\n\
         import mlcroissant as mlc\n\
         dataset = mlc.Dataset(jsonld=\"croissant.json\")\n\
         texts = list(dataset.records(record_set=\"texts\"))    # or record_set=\"records\"\n</pre>"
    )?;
    writeln!(w, "</body>\n</html>")?;
    w.flush()?;
    Ok(())
}

/// A document's row: its cells, and links to its two files.
fn row(r: &Record) -> String {
    let dash = || "-".to_owned();
    format!(
        "{ROW_START}{id}\"><td><code>{id}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td><a href=\"{raw}\">raw</a> <a href=\"{text}\">text</a></td></tr>",
        r.language.as_deref().map_or_else(dash, escape),
        r.date.as_deref().map_or_else(dash, escape),
        r.title.as_deref().map_or_else(dash, escape),
        escape(&r.source.encoding),
        r.source.bytes,
        r.removed.len(),
        id = escape(&r.id),
        raw = escape(&super::rocrate::file_id(&r.source.path)),
        text = escape(&super::rocrate::file_id(&r.text.path)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_elements_and_attributes() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }
}
