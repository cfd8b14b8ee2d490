//! `data/croissant.json`: the dataset as machine-learning pipelines load it, in Croissant 1.1
//! (MLCommons). Two files are distributed: `records.jsonl` (a FileObject with its SHA-256) and
//! the normalized texts (a FileSet, `text/*.txt`). Two record sets are read from them:
//! `records` (id, language, title, date, encoding, paths and digests of each document, from
//! `records.jsonl`) and `texts` (each document's id, from its file name, and normalized text).
//!
//! Its size does not grow with the number of documents (the texts are named by a pattern), so it
//! is made in memory, from `dataset.toml` and the records file only.

use super::bagit::BagFile;
use crate::config::Dataset;
use serde_json::{Value, json};

pub const CONFORMS_TO: &str = "http://mlcommons.org/croissant/1.1";
/// The ids of the distribution and of the record sets.
pub const RECORDS_FILE: &str = "records.jsonl";
pub const TEXT_FILES: &str = "text-files";
pub const RECORDS_SET: &str = "records";
pub const TEXTS_SET: &str = "texts";

/// The Croissant JSON-LD context (the one the specification's examples use).
fn context() -> Value {
    json!({
        "@language": "en",
        "@vocab": "https://schema.org/",
        "citeAs": "cr:citeAs",
        "column": "cr:column",
        "conformsTo": "dct:conformsTo",
        "cr": "http://mlcommons.org/croissant/",
        "rai": "http://mlcommons.org/croissant/RAI/",
        "data": {"@id": "cr:data", "@type": "@json"},
        "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
        "dct": "http://purl.org/dc/terms/",
        "equivalentProperty": "cr:equivalentProperty",
        "examples": {"@id": "cr:examples", "@type": "@json"},
        "extract": "cr:extract",
        "field": "cr:field",
        "fileProperty": "cr:fileProperty",
        "fileObject": "cr:fileObject",
        "fileSet": "cr:fileSet",
        "format": "cr:format",
        "includes": "cr:includes",
        "isLiveDataset": "cr:isLiveDataset",
        "jsonPath": "cr:jsonPath",
        "key": "cr:key",
        "md5": "cr:md5",
        "parentField": "cr:parentField",
        "path": "cr:path",
        "recordSet": "cr:recordSet",
        "references": "cr:references",
        "regex": "cr:regex",
        "repeated": "cr:repeated",
        "replace": "cr:replace",
        "samplingRate": "cr:samplingRate",
        "sc": "https://schema.org/",
        "separator": "cr:separator",
        "source": "cr:source",
        "subField": "cr:subField",
        "transform": "cr:transform",
    })
}

/// A field of the `records` set: a top-level column of `records.jsonl`, or (`member`) a member
/// of one of its objects (`source.encoding`).
fn record_field(name: &str, data_type: &str, column: &str, member: Option<&str>) -> Value {
    let mut source = json!({
        "fileObject": {"@id": RECORDS_FILE},
        "extract": {"column": column},
    });
    if let Some(member) = member {
        source["transform"] = json!({"jsonPath": member});
    }
    json!({
        "@type": "cr:Field",
        "@id": format!("{RECORDS_SET}/{name}"),
        "name": name,
        "dataType": data_type,
        "source": source,
    })
}

/// The Croissant description; `records` is the written `data/records.jsonl`.
pub fn croissant(dataset: &Dataset, records: &BagFile) -> Value {
    let creators = super::describe::schema_org_creators(dataset);
    let names: Vec<&str> = dataset.creators.iter().map(|c| c.name.as_str()).collect();
    let mut value = json!({
        "@context": context(),
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": dataset.name,
        "alternateName": dataset.title,
        "description": dataset.description.trim(),
        "version": dataset.version,
        "datePublished": dataset.release_date,
        "license": dataset.rights.uri,
        "creator": creators,
        "publisher": {"@type": "Organization", "name": dataset.publisher},
        "inLanguage": dataset.languages,
        "keywords": dataset.keywords,
        "citeAs": format!(
            "{} ({}). {}. Version {}. {}.",
            names.join("; "),
            &dataset.release_date[..4],
            dataset.title,
            dataset.version,
            dataset.publisher
        ),
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": RECORDS_FILE,
                "name": RECORDS_FILE,
                "description": "One record per document, sorted by id; schema/record.schema.json is the authority.",
                "contentUrl": RECORDS_FILE,
                "contentSize": format!("{} B", records.bytes),
                "encodingFormat": "application/jsonlines",
                "sha256": crate::digest::hex(&records.sha256),
            },
            {
                "@type": "cr:FileSet",
                "@id": TEXT_FILES,
                "name": TEXT_FILES,
                "description": "The normalized text of each document: UTF-8, NFC, LF, one final newline.",
                "encodingFormat": "text/plain",
                "includes": "text/*.txt",
            },
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": RECORDS_SET,
                "name": RECORDS_SET,
                "description": "The record of each document: what it is and how its text was derived.",
                "key": {"@id": format!("{RECORDS_SET}/id")},
                "field": [
                    record_field("id", "sc:Text", "id", None),
                    record_field("language", "sc:Text", "language", None),
                    record_field("title", "sc:Text", "title", None),
                    record_field("date", "sc:Date", "date", None),
                    record_field("encoding", "sc:Text", "source", Some("encoding")),
                    record_field("raw_path", "sc:Text", "source", Some("path")),
                    record_field("raw_sha256", "sc:Text", "source", Some("sha256")),
                    record_field("text_path", "sc:Text", "text", Some("path")),
                    record_field("text_sha256", "sc:Text", "text", Some("sha256")),
                ],
            },
            {
                "@type": "cr:RecordSet",
                "@id": TEXTS_SET,
                "name": TEXTS_SET,
                "description": "The normalized text of each document, with its id.",
                "key": {"@id": format!("{TEXTS_SET}/id")},
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": format!("{TEXTS_SET}/id"),
                        "name": "id",
                        "dataType": "sc:Text",
                        "source": {
                            "fileSet": {"@id": TEXT_FILES},
                            "extract": {"fileProperty": "filename"},
                            "transform": {"regex": "^(.*)\\.txt$"},
                        },
                    },
                    {
                        "@type": "cr:Field",
                        "@id": format!("{TEXTS_SET}/text"),
                        "name": "text",
                        "dataType": "sc:Text",
                        "source": {
                            "fileSet": {"@id": TEXT_FILES},
                            "extract": {"fileProperty": "content"},
                        },
                    },
                ],
            },
        ],
    });
    if let Some(id) = &dataset.identifier {
        value["identifier"] = json!(id);
    }
    value
}
