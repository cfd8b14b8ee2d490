//! The dataset's descriptions inside the bag: Frictionless `datapackage.json`, DataCite 4.5
//! `datacite.json`, and the human dataset card `README.md` (RO-Crate, Croissant and the landing
//! page have modules of their own beside this one). All are built from `dataset.toml`,
//! the records and the payload files only (no clock, no environment), so they are reproducible.

use super::bagit::BagFile;
use super::spill::PayloadSpill;
use crate::config::Dataset;
use crate::record::Record;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// What the descriptions need to know of the documents, gathered one record at a time so the
/// records themselves need not be kept: counts, languages, dates, sources. (The rows of the
/// dataset card's table are spilled with the records: see [`card_row`].)
#[derive(Debug, Default)]
pub struct Collection {
    pub documents: usize,
    pub raw_bytes: u64,
    pub text_bytes: u64,
    languages: BTreeMap<String, usize>,
    dates: BTreeSet<String>,
    undated: usize,
    sources: Vec<(String, String)>,
}

impl Collection {
    pub fn add(&mut self, r: &Record) {
        self.documents += 1;
        self.raw_bytes += r.source.bytes;
        self.text_bytes += r.text.bytes;
        *self
            .languages
            .entry(r.language.clone().unwrap_or_else(|| "undetermined".into()))
            .or_default() += 1;
        match &r.date {
            Some(date) => {
                self.dates.insert(date.clone());
            }
            None => self.undated += 1,
        }
        if let Some(url) = &r.source.url {
            self.sources.push((r.id.clone(), url.clone()));
        }
    }

    /// Languages with their numbers of documents, sorted.
    pub fn languages(&self) -> impl Iterator<Item = (&str, usize)> {
        self.languages.iter().map(|(l, n)| (l.as_str(), *n))
    }

    /// The publication dates the documents give, sorted, each once.
    pub fn dates(&self) -> impl Iterator<Item = &str> {
        self.dates.iter().map(String::as_str)
    }

    /// Documents that give no date.
    pub fn undated(&self) -> usize {
        self.undated
    }
}

/// A document's row in the dataset card's table (the card lists them sorted by id).
pub fn card_row(r: &Record) -> String {
    format!(
        "| `{}` | {} | {} | {} | {} | {} | {} |",
        r.id,
        r.language.as_deref().unwrap_or("-"),
        r.date.as_deref().unwrap_or("-"),
        r.title
            .as_deref()
            .map_or("-".to_owned(), |t| t.replace('|', "\\|")),
        r.source.encoding,
        r.source.bytes,
        r.removed.len()
    )
}

/// The Frictionless Data Package: every payload file but itself, with `bytes` and `hash`.
/// `records.jsonl` is a tabular resource with a Table Schema, so validators check its rows.
/// Typed (not a JSON tree), and its resources made one at a time from the spilled list of files
/// while it is written, so a package of many thousand files is never whole in memory.
pub(super) fn write_datapackage(
    out: &mut dyn std::io::Write,
    dataset: &Dataset,
    files: &PayloadSpill,
) -> crate::error::Result<()> {
    use std::io::Write as _;
    let package = Package {
        name: &dataset.name,
        title: &dataset.title,
        description: dataset.description.trim(),
        version: &dataset.version,
        created: format!("{}T00:00:00Z", dataset.release_date),
        keywords: &dataset.keywords,
        contributors: dataset
            .creators
            .iter()
            .map(|c| Contributor {
                title: &c.name,
                role: "author",
            })
            .collect(),
        resources: Resources {
            files,
            used: std::cell::RefCell::new(NameSet::default()),
        },
        id: dataset.identifier.as_deref(),
    };
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
    serde_json::to_writer_pretty(&mut out, &package).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// The resources, made one at a time while the package is serialized (never all in memory).
struct Resources<'a> {
    files: &'a PayloadSpill,
    used: std::cell::RefCell<NameSet>,
}

impl Serialize for Resources<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let mut used = self.used.borrow_mut();
        let mut seq = serializer.serialize_seq(None)?;
        let mut failed = None;
        let read = self.files.for_each_in_order(|file| {
            seq.serialize_element(&resource(file, &mut used))
                .map_err(|e| {
                    failed = Some(e);
                    crate::error::Error::Io(std::io::Error::other("the data package"))
                })
        });
        if let Some(e) = failed {
            return Err(e);
        }
        read.map_err(S::Error::custom)?;
        seq.end()
    }
}

/// The resource names given so far, as 128-bit digests (a name takes 16 bytes, whatever its
/// length; two names sharing a digest would take SHA-256 collisions).
#[derive(Default)]
struct NameSet(std::collections::HashSet<[u8; 16]>);

impl NameSet {
    /// Record `name`; false when it was given already.
    fn insert(&mut self, name: &str) -> bool {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(name.as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        self.0.insert(key)
    }
}

fn resource<'a>(file: &'a BagFile, used: &mut NameSet) -> Resource<'a> {
    let path = file.path.strip_prefix("data/").unwrap_or(&file.path);
    let (kind, format, mediatype) = match path {
        "records.jsonl" => ("table", Some("jsonl"), Some("application/jsonl")),
        p if p.ends_with(".json") => ("json", Some("json"), Some("application/json")),
        p if p.ends_with(".md") => ("text", Some("md"), Some("text/markdown")),
        p if p.starts_with("text/") => ("text", Some("txt"), Some("text/plain")),
        // Raw files are evidence in whatever encoding they came in: opaque files.
        _ => ("file", None, None),
    };
    let records = path == "records.jsonl";
    Resource {
        name: unique_name(path, used),
        path,
        bytes: file.bytes,
        hash: format!("sha256:{}", crate::digest::hex(&file.sha256)),
        kind,
        format,
        mediatype,
        encoding: format.map(|_| "utf-8"),
        title: records.then_some("Document records"),
        description: records.then_some(
            "One record per document; the JSON Schema in schema/record.schema.json is the authority.",
        ),
        schema: records.then(records_table_schema),
    }
}

#[derive(Serialize)]
struct Package<'a> {
    name: &'a str,
    title: &'a str,
    description: &'a str,
    version: &'a str,
    created: String,
    keywords: &'a [String],
    contributors: Vec<Contributor<'a>>,
    resources: Resources<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

#[derive(Serialize)]
struct Contributor<'a> {
    title: &'a str,
    role: &'a str,
}

#[derive(Serialize)]
struct Resource<'a> {
    name: String,
    path: &'a str,
    bytes: u64,
    hash: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mediatype: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<Value>,
}

/// A Frictionless resource name (`[a-z0-9._/-]+`) for a path, unique within the package.
fn unique_name(path: &str, used: &mut NameSet) -> String {
    let base: String = path
        .trim_end_matches(".txt")
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name = base.clone();
    let mut n = 2;
    while !used.insert(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

fn records_table_schema() -> Value {
    json!({
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": true, "unique": true}},
            {"name": "source", "type": "object", "constraints": {"required": true}},
            {"name": "text", "type": "object", "constraints": {"required": true}},
            {"name": "language", "type": "string", "constraints": {"pattern": "und|[a-z]{2,3}(-[A-Z][a-z]{3})?"}},
            {"name": "title", "type": "string"},
            {"name": "date", "type": "date"},
            {"name": "publisher", "type": "string"},
            {"name": "normalization", "type": "array"},
            {"name": "removed", "type": "array"},
            {"name": "curated", "type": "array"},
            {"name": "evidence", "type": "object", "constraints": {"required": true}},
        ],
        "primaryKey": ["id"],
    })
}

/// The dataset's creators as schema.org `Person` or `Organization` entities (an ORCID as the
/// `@id`), as the Croissant and the landing page's JSON-LD give them.
pub(super) fn schema_org_creators(dataset: &Dataset) -> Vec<Value> {
    dataset
        .creators
        .iter()
        .map(|c| {
            let kind = if c.kind == "Personal" {
                "Person"
            } else {
                "Organization"
            };
            let mut creator = json!({"@type": kind, "name": c.name});
            if let Some(orcid) = &c.orcid {
                creator["@id"] = json!(format!("https://orcid.org/{orcid}"));
            }
            creator
        })
        .collect()
}

/// DataCite 4.5 metadata (the JSON form of the DataCite schema used by the `datacite` package).
///
/// A release that follows another names it in `relatedIdentifiers` (`IsNewVersionOf`) by the
/// previous archive's SHA-256 as an RFC 6920 named-information URI: the one identifier every
/// release has before any repository mints a DOI, and one anyone can check with `sha256sum`.
pub fn datacite(
    dataset: &Dataset,
    collection: &Collection,
    previous: Option<&super::Predecessor>,
) -> Value {
    let creators: Vec<Value> = dataset
        .creators
        .iter()
        .map(|c| {
            let mut creator = json!({"name": c.name, "nameType": c.kind});
            if let Some(affiliation) = &c.affiliation {
                creator["affiliation"] = json!([{"name": affiliation}]);
            }
            if let Some(orcid) = &c.orcid {
                creator["nameIdentifiers"] = json!([{
                    "nameIdentifier": format!("https://orcid.org/{orcid}"),
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org",
                }]);
            }
            creator
        })
        .collect();
    let mut alternate = vec![json!({
        "alternateIdentifier": dataset.release_name(),
        "alternateIdentifierType": "Local",
    })];
    if let Some(id) = &dataset.identifier {
        let kind = id.split(':').next().unwrap_or("URI").to_uppercase();
        let kind = if kind == "URN" { "URN" } else { "URI" };
        alternate.insert(
            0,
            json!({"alternateIdentifier": id, "alternateIdentifierType": kind}),
        );
    }
    let mut descriptions =
        vec![json!({"description": dataset.description.trim(), "descriptionType": "Abstract"})];
    descriptions.push(json!({"description": methods_text(), "descriptionType": "Methods"}));
    if let Some(note) = &dataset.rights.note {
        descriptions.push(json!({"description": note.trim(), "descriptionType": "Other"}));
    }
    let mut value = json!({
        "schemaVersion": "http://datacite.org/schema/kernel-4",
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Text corpus"},
        "creators": creators,
        "titles": [{"title": dataset.title}],
        "publisher": {"name": dataset.publisher},
        "publicationYear": dataset.release_date[..4],
        "dates": [{"date": dataset.release_date, "dateType": "Issued"}],
        "language": dataset.languages[0],
        "alternateIdentifiers": alternate,
        "subjects": dataset.keywords.iter().map(|k| json!({"subject": k})).collect::<Vec<_>>(),
        "version": dataset.version,
        "rightsList": [{"rights": dataset.rights.statement, "rightsUri": dataset.rights.uri}],
        "descriptions": descriptions,
        "sizes": sizes(collection),
        "formats": ["text/plain", "application/jsonl", "application/json", "text/markdown"],
    });
    if let Some(previous) = previous
        && let Some(ni) = crate::digest::ni_sha256(&previous.sha256)
    {
        value["relatedIdentifiers"] = json!([{
            "relatedIdentifier": ni,
            "relatedIdentifierType": "URL",
            "relationType": "IsNewVersionOf",
            "resourceTypeGeneral": "Dataset",
        }]);
    }
    value
}

/// The size of the collection: documents, raw bytes, normalized-text bytes.
fn sizes(c: &Collection) -> Vec<String> {
    vec![
        format!("{} documents", c.documents),
        format!("{} bytes of raw documents", c.raw_bytes),
        format!("{} bytes of normalized text", c.text_bytes),
    ]
}

/// How the texts were processed, in a paragraph (DataCite Methods, dataset card).
fn methods_text() -> &'static str {
    "Each raw document is kept byte-identical under raw/. Its encoding was detected (byte order \
     mark, strict UTF-8, or legacy-encoding detection) and decoded without replacement; the text \
     was normalized to Unicode NFC with LF line endings, plain spaces for space variants, no \
     zero-width or control characters, no trailing whitespace, single blank lines and one final \
     newline, and written to text/. A leading date header and trailing web-page furniture were \
     taken out of the text and listed in each record's `removed`; every normalization step that \
     changed something is listed with its count in the record's `normalization`. Titles, dates \
     and languages were extracted from the texts unless curated (listed in `curated`)."
}

/// The dataset card up to its table of documents, whose rows ([`card_row`], sorted by id) follow:
/// what, who, when, languages, sources, processing, verification.
pub fn readme_head(
    dataset: &Dataset,
    collection: &Collection,
    previous: Option<&super::Predecessor>,
) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# {}\n", dataset.title);
    let _ = writeln!(
        w,
        "Version {} of `{}`, released {}.\n",
        dataset.version, dataset.name, dataset.release_date
    );
    let _ = writeln!(w, "{}\n", dataset.description.trim());
    if let Some(previous) = previous {
        let _ = writeln!(
            w,
            "This version follows version {} (`{}`, SHA-256 `{}`); `CHANGES.md` lists what changed.\n",
            previous.version, previous.file_name, previous.sha256
        );
    }

    let _ = writeln!(w, "## About\n");
    let creators: Vec<&str> = dataset.creators.iter().map(|c| c.name.as_str()).collect();
    let _ = writeln!(w, "- Creators: {}", creators.join("; "));
    let _ = writeln!(w, "- Publisher: {}", dataset.publisher);
    if let Some(id) = &dataset.identifier {
        let _ = writeln!(w, "- Identifier: {id}");
    }
    let langs: Vec<String> = collection
        .languages
        .iter()
        .map(|(l, n)| format!("{l} ({n})"))
        .collect();
    let _ = writeln!(
        w,
        "- Languages (ISO 639-1, documents): {}",
        langs.join(", ")
    );
    let _ = writeln!(
        w,
        "- Publication dates given by the documents: {} ({} of {} give none)",
        if collection.dates.is_empty() {
            "none".to_owned()
        } else {
            collection
                .dates
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        },
        collection.undated,
        collection.documents
    );
    let mut sources: Vec<String> = collection
        .sources
        .iter()
        .map(|(id, url)| format!("{id} <{url}>"))
        .collect();
    sources.sort();
    let _ = writeln!(
        w,
        "- Sources: {}",
        if sources.is_empty() {
            "not recorded for any document".to_owned()
        } else {
            sources.join("; ")
        }
    );
    if !dataset.keywords.is_empty() {
        let _ = writeln!(w, "- Keywords: {}", dataset.keywords.join(", "));
    }
    let _ = writeln!(w, "- Size: {}\n", sizes(collection).join(", "));

    let _ = writeln!(w, "## Rights\n");
    let _ = writeln!(w, "{} <{}>", dataset.rights.statement, dataset.rights.uri);
    if let Some(note) = &dataset.rights.note {
        let _ = writeln!(w, "\n{}", note.trim());
    }

    let _ = writeln!(w, "\n## Contents\n");
    let _ = writeln!(w, "- `raw/`: the documents as found, byte-identical.");
    let _ = writeln!(
        w,
        "- `text/<id>.txt`: the normalized text of each document (UTF-8, NFC, LF, one final newline)."
    );
    let _ = writeln!(
        w,
        "- `records.jsonl`: one record per document, sorted by id, valid against `schema/record.schema.json` (JSON Schema draft 2020-12)."
    );
    let _ = writeln!(
        w,
        "- `datapackage.json`: Frictionless Data Package listing every file with its size and SHA-256."
    );
    let _ = writeln!(
        w,
        "- `datacite.json`: DataCite 4.5 metadata of the dataset."
    );
    let _ = writeln!(
        w,
        "- `ro-crate-metadata.json`: RO-Crate 1.3 (the crate is this folder), with the release run as a Process Run Crate 0.5."
    );
    let _ = writeln!(
        w,
        "- `croissant.json`: Croissant 1.1, the records and the texts as record sets (load them with `mlcroissant`)."
    );
    let _ = writeln!(
        w,
        "- `index.html`: this card as a web page, with schema.org `Dataset` metadata."
    );
    if previous.is_some() {
        let _ = writeln!(
            w,
            "- `CHANGES.md`: what changed since the previous version, document by document."
        );
    }

    let _ = writeln!(w, "\n## How it was processed\n\n{}", methods_text());

    let _ = writeln!(w, "\n## How to verify it\n");
    let _ = writeln!(w, "```sh");
    let _ = writeln!(
        w,
        "sha256sum -c {0}.zip.sha256      # the archive is the one published",
        dataset.release_name()
    );
    let _ = writeln!(
        w,
        "unzip {0}.zip && bagit.py --validate {0}   # every file against the bag's manifests",
        dataset.release_name()
    );
    let _ = writeln!(
        w,
        "archivist verify {}.zip             # all of the above, and the records",
        dataset.release_name()
    );
    let _ = writeln!(
        w,
        "minisign -Vm {}.zip.sha256 -p PUBLISHER.pub   # if signed: who made it",
        dataset.release_name()
    );
    let _ = writeln!(w, "```");

    let _ = writeln!(
        w,
        "\n## How to load it\n\nWith `mlcroissant` (Python), from this folder:\n\n```python\n\
         import mlcroissant as mlc\n\
         dataset = mlc.Dataset(jsonld=\"croissant.json\")\n\
         texts = list(dataset.records(record_set=\"texts\"))    # or record_set=\"records\"\n```"
    );
    let _ = writeln!(w, "\n## Documents\n");
    let _ = writeln!(
        w,
        "| id | language | date | title | encoding | raw bytes | removed lines |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|");
    out
}
