//! `data/ro-crate-metadata.json`: the release as an RO-Crate 1.3 whose root is the bag's `data/`
//! folder, with the run that made it as a Process Run Crate 0.5.
//!
//! The graph: the metadata descriptor; the root Dataset (title, description, date, rights,
//! creators, publisher, languages, version, identifier, keywords; `hasPart` every payload file,
//! `mentions` every action); a File entity for every payload file but this one, with its size,
//! media type and SHA-256 (each text `isBasedOn` its raw file and `prov:wasGeneratedBy` its
//! normalization, so the steps are reached from the run's results); the release run, a
//! `CreateAction` by archivist (a `SoftwareApplication` with its version) whose objects are the
//! raw files and results the texts and `records.jsonl`; and one `CreateAction` per document, the
//! normalization of its raw file into its text, naming every step that changed something.
//!
//! It is written last of the payload, so it can list every other file (the data package among
//! them). Documents' entities are made one record at a time while the file is written, so the
//! crate is never whole in memory, whatever the number of documents.

use super::bagit::BagFile;
use super::spill::{PayloadSpill, Records};
use crate::config::Dataset;
use crate::error::{Error, Result};
use crate::record::Record;
use serde_json::{Map, Value, json};
use std::io::Write;

pub const CONTEXT: &str = "https://w3id.org/ro/crate/1.3/context";
pub const RO_CRATE: &str = "https://w3id.org/ro/crate/1.3";
pub const RO_CRATE_1_1: &str = "https://w3id.org/ro/crate/1.1";
pub const PROCESS_RUN_CRATE: &str = "https://w3id.org/ro/wfrun/process/0.5";
/// The metadata descriptor's id, and the file's name in the crate.
pub const METADATA: &str = "ro-crate-metadata.json";
/// The release run and the tool that ran it.
pub const RELEASE_RUN: &str = "#release";
pub const ARCHIVIST: &str = "#archivist";
const JSON_SCHEMA: &str = "https://json-schema.org/draft/2020-12/schema";

/// The `@id` of a file of the crate: its path below `data/`, percent-encoded where a URI path
/// needs it (RFC 3986 unreserved characters and `/` are kept; every other byte is encoded).
pub fn file_id(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `@id` of a document's normalization action.
pub fn normalization_id(id: &str) -> String {
    format!("#normalization-{}", file_id(id))
}

/// Write the crate to `out`: `payload` holds every payload file written before it (its
/// documents' files are described from `records`, which name them with their sizes and digests).
pub(super) fn write(
    out: &mut dyn Write,
    dataset: &Dataset,
    payload: &PayloadSpill,
    records: &Records,
) -> Result<()> {
    let mut w = std::io::BufWriter::with_capacity(256 * 1024, out);
    w.write_all(b"{\n  \"@context\": \"")?;
    w.write_all(CONTEXT.as_bytes())?;
    w.write_all(b"\",\n  \"@graph\": [\n")?;
    let mut graph = Graph {
        w: &mut w,
        first: true,
    };

    graph.entity(&json!({
        "@id": METADATA,
        "@type": "CreativeWork",
        // 1.3 first; 1.1 too, which Process Run Crate 0.5 is defined on (and the crate meets:
        // rocrate-validator checks the profile's requirements with those of 1.1).
        "conformsTo": [{"@id": RO_CRATE}, {"@id": RO_CRATE_1_1}],
        "about": {"@id": "./"},
    }))?;
    graph.root(dataset, payload, records)?;
    for entity in contextual(dataset) {
        graph.entity(&entity)?;
    }
    graph.release_run(dataset, records)?;
    each_record(records, |record| {
        for entity in document_entities(record) {
            graph.entity(&entity)?;
        }
        Ok(())
    })?;
    for file in payload.extras() {
        graph.entity(&own_file(file))?;
    }
    w.write_all(b"\n  ]\n}\n")?;
    w.flush()?;
    Ok(())
}

/// Each record, parsed.
fn each_record(records: &Records, mut each: impl FnMut(&Record) -> Result<()>) -> Result<()> {
    records.for_each(|line, _| {
        let record: Record = serde_json::from_slice(line)
            .map_err(|e| Error::Io(std::io::Error::other(format!("a spilled record: {e}"))))?;
        each(&record)
    })
}

/// The graph's elements, one per line, separated by commas.
struct Graph<'a, W: Write> {
    w: &'a mut W,
    first: bool,
}

impl<W: Write> Graph<'_, W> {
    fn separate(&mut self) -> Result<()> {
        if !self.first {
            self.w.write_all(b",\n")?;
        }
        self.first = false;
        self.w.write_all(b"    ")?;
        Ok(())
    }

    fn entity(&mut self, entity: &Value) -> Result<()> {
        self.separate()?;
        serde_json::to_writer(&mut *self.w, entity).map_err(std::io::Error::from)?;
        Ok(())
    }

    /// An entity whose fixed properties are `head`, followed by lists made as they are written:
    /// `lists` gives each list's name and a function that calls its argument once per element.
    fn entity_with_lists(
        &mut self,
        head: &Value,
        lists: &mut [(&str, &mut ListFn<'_>)],
    ) -> Result<()> {
        self.separate()?;
        let head = serde_json::to_vec(head).map_err(std::io::Error::from)?;
        // `{...}` without its closing brace, then the lists.
        self.w.write_all(&head[..head.len() - 1])?;
        for (name, list) in lists.iter_mut() {
            write!(self.w, ",\"{name}\":[")?;
            let mut first = true;
            let w = &mut *self.w;
            list(&mut |element: &Value| {
                if !first {
                    w.write_all(b",")?;
                }
                first = false;
                serde_json::to_writer(&mut *w, element).map_err(std::io::Error::from)?;
                Ok(())
            })?;
            self.w.write_all(b"]")?;
        }
        self.w.write_all(b"}")?;
        Ok(())
    }

    /// The root Dataset: every payload file is a part of it, every action is mentioned.
    fn root(&mut self, dataset: &Dataset, payload: &PayloadSpill, records: &Records) -> Result<()> {
        let mut head = Map::new();
        head.insert("@id".into(), json!("./"));
        head.insert("@type".into(), json!("Dataset"));
        head.insert("name".into(), json!(dataset.title));
        head.insert("description".into(), json!(dataset.description.trim()));
        head.insert("datePublished".into(), json!(dataset.release_date));
        head.insert("version".into(), json!(dataset.version));
        if let Some(id) = &dataset.identifier {
            head.insert("identifier".into(), json!(id));
        }
        head.insert("alternateName".into(), json!(dataset.release_name()));
        head.insert("license".into(), json!({"@id": dataset.rights.uri}));
        // One value stands alone, as RO-Crate's compact form asks; several are a list.
        let creators: Vec<Value> = (0..dataset.creators.len())
            .map(|i| json!({"@id": creator_id(dataset, i)}))
            .collect();
        head.insert(
            "creator".into(),
            match <[Value; 1]>::try_from(creators) {
                Ok([one]) => one,
                Err(many) => Value::Array(many),
            },
        );
        head.insert("publisher".into(), json!({"@id": "#publisher"}));
        head.insert("inLanguage".into(), json!(dataset.languages));
        if !dataset.keywords.is_empty() {
            head.insert("keywords".into(), json!(dataset.keywords));
        }
        head.insert("conformsTo".into(), json!({"@id": PROCESS_RUN_CRATE}));
        let mut parts = |each: &mut dyn FnMut(&Value) -> Result<()>| -> Result<()> {
            each_record(records, |r| {
                each(&json!({"@id": file_id(&r.source.path)}))?;
                each(&json!({"@id": file_id(&r.text.path)}))
            })?;
            payload
                .extras()
                .iter()
                .try_for_each(|f| each(&json!({"@id": file_id(data_path(f))})))
        };
        let mut mentions = |each: &mut dyn FnMut(&Value) -> Result<()>| -> Result<()> {
            each(&json!({"@id": RELEASE_RUN}))?;
            each_record(records, |r| each(&json!({"@id": normalization_id(&r.id)})))
        };
        self.entity_with_lists(
            &Value::Object(head),
            &mut [("hasPart", &mut parts), ("mentions", &mut mentions)],
        )
    }

    /// The release run: archivist read the raw files and wrote the texts and the records.
    fn release_run(&mut self, dataset: &Dataset, records: &Records) -> Result<()> {
        let head = json!({
            "@id": RELEASE_RUN,
            "@type": "CreateAction",
            "name": format!("archivist release {}", dataset.release_name()),
            "description": format!(
                "The run of archivist {} that made this release from dataset.toml and the raw \
                 documents: each raw file was decoded and normalized into its text (the \
                 normalization of each document is an action of its own, mentioned by the \
                 crate, whose object is the raw file and result the text), every record was \
                 validated against schema/record.schema.json, and the records were written to \
                 records.jsonl. The run reads no clock: its outputs are a function of its \
                 inputs, so no time is recorded.",
                env!("CARGO_PKG_VERSION")
            ),
            "instrument": {"@id": ARCHIVIST},
            "agent": {"@id": "#publisher"},
            "actionStatus": "http://schema.org/CompletedActionStatus",
        });
        let mut object = |each: &mut dyn FnMut(&Value) -> Result<()>| -> Result<()> {
            each_record(records, |r| each(&json!({"@id": file_id(&r.source.path)})))
        };
        let mut result = |each: &mut dyn FnMut(&Value) -> Result<()>| -> Result<()> {
            each_record(records, |r| each(&json!({"@id": file_id(&r.text.path)})))?;
            each(&json!({"@id": "records.jsonl"}))
        };
        self.entity_with_lists(
            &head,
            &mut [("object", &mut object), ("result", &mut result)],
        )
    }
}

/// A list written element by element: called with the function that writes one.
type ListFn<'a> = dyn FnMut(&mut dyn FnMut(&Value) -> Result<()>) -> Result<()> + 'a;

fn data_path(file: &BagFile) -> &str {
    file.path.strip_prefix("data/").unwrap_or(&file.path)
}

fn creator_id(dataset: &Dataset, i: usize) -> String {
    match &dataset.creators[i].orcid {
        Some(orcid) => format!("https://orcid.org/{orcid}"),
        None => format!("#creator-{}", i + 1),
    }
}

/// The entities the root refers to: creators, publisher, rights, the profile, archivist.
fn contextual(dataset: &Dataset) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, creator) in dataset.creators.iter().enumerate() {
        let kind = if creator.kind == "Personal" {
            "Person"
        } else {
            "Organization"
        };
        let mut entity =
            json!({"@id": creator_id(dataset, i), "@type": kind, "name": creator.name});
        if let Some(affiliation) = &creator.affiliation {
            entity["affiliation"] = json!(affiliation);
        }
        out.push(entity);
    }
    out.push(json!({"@id": "#publisher", "@type": "Organization", "name": dataset.publisher}));
    let mut rights = json!({
        "@id": dataset.rights.uri,
        "@type": "CreativeWork",
        "name": dataset.rights.statement,
    });
    if let Some(note) = &dataset.rights.note {
        rights["description"] = json!(note.trim());
    }
    out.push(rights);
    out.push(json!({
        "@id": PROCESS_RUN_CRATE,
        "@type": ["CreativeWork", "Profile"],
        "name": "Process Run Crate",
        "version": "0.5",
    }));
    out.push(json!({
        "@id": JSON_SCHEMA,
        "@type": "CreativeWork",
        "name": "JSON Schema draft 2020-12",
    }));
    out.push(json!({
        "@id": ARCHIVIST,
        "@type": "SoftwareApplication",
        "name": "archivist",
        "version": env!("CARGO_PKG_VERSION"),
        "url": super::bagit::HOME,
        "description": "Turns a folder of raw text documents into a validated, checksummed, \
                        versioned and byte-reproducible archival release.",
    }));
    out
}

/// A document's raw file, its text, and the normalization that made one from the other.
fn document_entities(r: &Record) -> [Value; 3] {
    let raw = file_id(&r.source.path);
    let text = file_id(&r.text.path);
    let mut raw_file = json!({
        "@id": raw,
        "@type": "File",
        "name": format!("{} (raw)", r.id),
        "description": format!(
            "Document {} as found, byte for byte; encoding detected: {}.",
            r.id, r.source.encoding
        ),
        "contentSize": r.source.bytes.to_string(),
        "encodingFormat": "text/plain",
        "sha256": r.source.sha256,
    });
    if let Some(url) = &r.source.url {
        raw_file["url"] = json!(url);
    }
    let mut text_file = json!({
        "@id": text,
        "@type": "File",
        "name": r.title.clone().unwrap_or_else(|| format!("{} (normalized text)", r.id)),
        "description": format!("The normalized text of document {}: UTF-8, NFC, LF, one final newline.", r.id),
        "contentSize": r.text.bytes.to_string(),
        "encodingFormat": "text/plain",
        "sha256": r.text.sha256,
        "isBasedOn": {"@id": raw},
        // From the run's results to the steps that made each text (PROV, whose prefix the
        // RO-Crate context defines): the crate's provenance reads forward.
        "prov:wasGeneratedBy": {"@id": normalization_id(&r.id)},
    });
    if let Some(language) = &r.language {
        text_file["inLanguage"] = json!(language);
    }
    if let Some(date) = &r.date {
        text_file["dateCreated"] = json!(date);
    }
    let steps: Vec<String> = r
        .normalization
        .iter()
        .map(|s| format!("{} ({})", s.step, s.count))
        .collect();
    let description = format!(
        "Decoded from {}, then normalized. Steps that changed something, with their counts: {}. \
         Lines taken out of the text: {}{}. The record of {} in records.jsonl lists the steps \
         and every line removed, with its reason.",
        r.source.encoding,
        if steps.is_empty() {
            "none".to_owned()
        } else {
            steps.join(", ")
        },
        r.removed.len(),
        if r.removed.is_empty() {
            String::new()
        } else {
            let reasons: std::collections::BTreeSet<&str> =
                r.removed.iter().map(|x| x.reason.as_str()).collect();
            format!(" ({})", reasons.into_iter().collect::<Vec<_>>().join(", "))
        },
        r.id
    );
    let action = json!({
        "@id": normalization_id(&r.id),
        "@type": "CreateAction",
        "name": format!("Normalization of {}", r.id),
        "description": description,
        "instrument": {"@id": ARCHIVIST},
        "agent": {"@id": "#publisher"},
        "object": {"@id": raw},
        "result": {"@id": text},
        "actionStatus": "http://schema.org/CompletedActionStatus",
    });
    [raw_file, text_file, action]
}

/// One of the dataset's own files (records, schema, descriptions).
fn own_file(file: &BagFile) -> Value {
    let path = data_path(file);
    let (name, format, description) = match path {
        "records.jsonl" => (
            "Document records (JSON Lines)",
            "application/jsonl",
            "One record per document, sorted by id: the raw and text files with sizes and \
             digests, language, title, date, the normalization steps and the lines removed.",
        ),
        "schema/record.schema.json" => (
            "JSON Schema of the records",
            "application/schema+json",
            "The schema (JSON Schema draft 2020-12) the records were validated against.",
        ),
        "datapackage.json" => (
            "Frictionless Data Package",
            "application/json",
            "Every payload file written before it, with its size and SHA-256.",
        ),
        "datacite.json" => (
            "DataCite 4.5 metadata",
            "application/json",
            "The dataset's DataCite metadata, in the JSON form of the DataCite schema.",
        ),
        "croissant.json" => (
            "Croissant 1.1 metadata",
            "application/ld+json",
            "The records and the normalized texts as Croissant record sets.",
        ),
        "README.md" => (
            "Dataset card",
            "text/markdown",
            "What, who, when, languages, rights, and a table of the documents.",
        ),
        "CHANGES.md" => (
            "Changes since the previous version",
            "text/markdown",
            "What changed since the previous release, document by document.",
        ),
        "index.html" => (
            "Landing page",
            "text/html",
            "The dataset card as a web page, with schema.org Dataset metadata.",
        ),
        _ => ("", "application/octet-stream", ""),
    };
    let mut entity = json!({
        "@id": file_id(path),
        "@type": "File",
        "contentSize": file.bytes.to_string(),
        "encodingFormat": format,
        "sha256": crate::digest::hex(&file.sha256),
    });
    if !name.is_empty() {
        entity["name"] = json!(name);
        entity["description"] = json!(description);
    }
    if path == "schema/record.schema.json" {
        entity["conformsTo"] = json!({"@id": JSON_SCHEMA});
    }
    entity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_are_uri_paths() {
        assert_eq!(file_id("raw/a b/ç.txt"), "raw/a%20b/%C3%A7.txt");
        assert_eq!(file_id("text/000_ab-c.d~e.txt"), "text/000_ab-c.d~e.txt");
        assert_eq!(file_id("raw/50%#?.txt"), "raw/50%25%23%3F.txt");
    }
}
