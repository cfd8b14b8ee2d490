//! The content of an archivist release, checked after its bag: records against the schema the
//! bag carries, each record's raw and text files against the record's digests and sizes, no file
//! under `raw/` or `text/` without a record, and the Frictionless package's sizes and hashes.

use super::bag::BagReport;
use super::source::BagSource;
use super::table::Row;
use crate::problem::Problem;
use serde_json::Value;
use std::collections::BTreeSet;

pub const RECORDS: &str = "data/records.jsonl";
pub const SCHEMA: &str = "data/schema/record.schema.json";
pub const DATAPACKAGE: &str = "data/datapackage.json";
pub const ROCRATE: &str = "data/ro-crate-metadata.json";
pub const CROISSANT: &str = "data/croissant.json";
pub const LANDING: &str = "data/index.html";

/// The small files content checks need in memory. `records.jsonl` and `datapackage.json` grow
/// with the number of documents: they are streamed, never held.
pub const KEEP: [&str; 4] = [
    SCHEMA,
    CROISSANT,
    "tagmanifest-sha256.txt",
    "tagmanifest-sha512.txt",
];

/// Whether the bag is an archivist release (it has records and their schema).
pub fn is_release(report: &BagReport) -> bool {
    report.has(RECORDS) && report.has(SCHEMA)
}

/// Every file a release has, beside the documents (SPEC: "The release").
pub const REQUIRED: [&str; 11] = [
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "manifest-sha512.txt",
    "tagmanifest-sha256.txt",
    "tagmanifest-sha512.txt",
    RECORDS,
    SCHEMA,
    DATAPACKAGE,
    "data/datacite.json",
    "data/README.md",
];

/// Check the release's layout, records and data package; problems go into `report`.
/// Returns the number of records.
pub fn check(source: &mut dyn BagSource, report: &mut BagReport) -> usize {
    let mut problems = Vec::new();
    check_layout(source, report, &mut problems);
    let namer = source.namer();
    let name = |path: &str| namer(path);

    let validator = report
        .kept
        .get(SCHEMA)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .ok_or_else(|| "not readable as UTF-8".to_owned())
        .and_then(crate::validate::compile);
    let validator = match validator {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(Problem::error(
                name(SCHEMA),
                "schema-invalid",
                format!("the record schema does not compile: {e}"),
            ));
            None
        }
    };

    let mut records = 0usize;
    // Files named by a record, and files listed by the data package: one bit per file read.
    let mut referenced = Bits::new(report.digests.len());
    let mut previous_id: Option<String> = None;
    let mut ids = super::descriptions::IdSequence::default();
    let mut check_line = |no: u64, line: &str, problems: &mut Vec<Problem>| {
        let record: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(
                    Problem::error(name(RECORDS), "record-invalid", format!("not JSON: {e}"))
                        .at_line(no),
                );
                return;
            }
        };
        records += 1;
        if let Some(validator) = &validator {
            for error in validator.iter_errors(&record) {
                problems.push(
                    Problem::error(
                        name(RECORDS),
                        "record-invalid",
                        format!("{}: {error}", error.instance_path().as_str()),
                    )
                    .at_line(no),
                );
            }
        }
        let id = record["id"].as_str().unwrap_or_default().to_owned();
        if let Some(prev) = &previous_id
            && *prev >= id
        {
            problems.push(
                Problem::error(
                    name(RECORDS),
                    "records-order",
                    format!("`{id}` comes after `{prev}`: records must be sorted by unique id"),
                )
                .at_line(no),
            );
        }
        previous_id = Some(id.clone());
        ids.push(&id);
        for part in ["source", "text"] {
            let Some(path) = record[part]["path"].as_str() else {
                continue;
            };
            let path = format!("data/{path}");
            let Some(row) = report.digest_of(&path).ok().flatten() else {
                problems.push(
                    Problem::error(
                        name(&path),
                        "record-file-missing",
                        format!("record `{id}` names this {part} file; it is not in the bag"),
                    )
                    .at_line(no),
                );
                continue;
            };
            let actual = super::bag::sha256_of(&row);
            if record[part]["sha256"].as_str() != Some(actual) {
                problems.push(
                    Problem::error(
                        name(&path),
                        "record-digest-mismatch",
                        format!(
                            "record `{id}` says sha256 {}, the file's is {actual}",
                            record[part]["sha256"]
                        ),
                    )
                    .at_line(no),
                );
            }
            if record[part]["bytes"].as_u64() != Some(row.size) {
                problems.push(
                    Problem::error(
                        name(&path),
                        "record-size-mismatch",
                        format!(
                            "record `{id}` says {} bytes, the file has {}",
                            record[part]["bytes"], row.size
                        ),
                    )
                    .at_line(no),
                );
            }
            referenced.set(row.index);
        }
    };
    if report.has(RECORDS) {
        let mut found = Vec::new();
        let read = for_each_line(source, RECORDS, &mut |no, line| {
            check_line(no, line, &mut found)
        });
        problems.extend(found);
        if let Err(e) = read {
            problems.push(Problem::error(name(RECORDS), "unreadable", e.to_string()));
        }
    }
    for_each_read(report, &mut problems, |row, problems| {
        if (row.path.starts_with("data/raw/") || row.path.starts_with("data/text/"))
            && !referenced.get(row.index)
        {
            problems.push(Problem::error(
                name(&row.path),
                "unrecorded-file",
                "no record names this file",
            ));
        }
    });
    drop(referenced);

    if !report.has(DATAPACKAGE) {
        problems.push(Problem::error(
            name(DATAPACKAGE),
            "datapackage-missing",
            "the release has no datapackage.json",
        ));
    } else {
        let mut listed = Bits::new(report.digests.len());
        let mut found = Vec::new();
        let parsed = stream_resources(source, DATAPACKAGE, &mut |resource: ResourceFile| {
            let Some(path) = resource.path.as_deref() else {
                return;
            };
            let full = format!("data/{path}");
            let Some(row) = report.digest_of(&full).ok().flatten() else {
                found.push(Problem::error(
                    name(DATAPACKAGE),
                    "datapackage-mismatch",
                    format!("lists `{path}`, which is not in the bag"),
                ));
                return;
            };
            let actual = super::bag::sha256_of(&row);
            if resource.hash.as_deref() != Some(format!("sha256:{actual}").as_str()) {
                found.push(Problem::error(
                    name(&full),
                    "datapackage-mismatch",
                    format!(
                        "datapackage.json says hash {:?}, the file's is sha256:{actual}",
                        resource.hash
                    ),
                ));
            }
            if resource.bytes != Some(row.size) {
                found.push(Problem::error(
                    name(&full),
                    "datapackage-mismatch",
                    format!("datapackage.json says {:?} bytes", resource.bytes),
                ));
            }
            listed.set(row.index);
        });
        problems.extend(found);
        match parsed {
            Err(e) => problems.push(Problem::error(
                name(DATAPACKAGE),
                "datapackage-invalid",
                format!("not JSON: {e}"),
            )),
            Ok(()) => for_each_read(report, &mut problems, |row, problems| {
                // The data package lists every payload file written before it: all but itself
                // and the RO-Crate, written after it.
                if row.path.starts_with("data/")
                    && row.path != DATAPACKAGE
                    && row.path != ROCRATE
                    && !listed.get(row.index)
                {
                    problems.push(Problem::error(
                        name(&row.path),
                        "datapackage-mismatch",
                        "payload file not listed in datapackage.json",
                    ));
                }
            }),
        }
    }
    super::profile::check(source, report, &mut problems);
    super::descriptions::check(source, report, &ids, &mut problems);
    report.problems.extend(problems);
    records
}

/// A release has every file of its layout, and its tag manifests cover every tag file (a bag
/// may do without, a release may not: otherwise a tag file could be dropped or added unseen).
fn check_layout(source: &dyn BagSource, report: &BagReport, problems: &mut Vec<Problem>) {
    for path in REQUIRED {
        if !report.has(path) {
            problems.push(Problem::error(
                source.name_of(path),
                "release-file-missing",
                "every release has this file",
            ));
        }
    }
    for algorithm in ["sha256", "sha512"] {
        let manifest = format!("tagmanifest-{algorithm}.txt");
        let Some(text) = report.kept.get(&manifest) else {
            continue;
        };
        let text = String::from_utf8_lossy(text);
        let listed: BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.split_once("  ").map(|(_, p)| p))
            .collect();
        for_each_read(report, problems, |row, problems| {
            let path = row.path.as_str();
            if !path.contains('/') && !path.starts_with("tagmanifest-") && !listed.contains(path) {
                problems.push(Problem::error(
                    source.name_of(path),
                    "tag-file-unlisted",
                    format!("tag file not listed in `{manifest}`"),
                ));
            }
        });
    }
}

/// Call `each` with every file read (in path order); a table that cannot be read back is a
/// problem of its own.
fn for_each_read(
    report: &BagReport,
    problems: &mut Vec<Problem>,
    mut each: impl FnMut(&Row, &mut Vec<Problem>),
) {
    for row in report.digests.rows() {
        match row {
            Ok(row) => each(&row, problems),
            Err(e) => {
                problems.push(Problem::error(
                    "(temporary file)",
                    "unreadable",
                    format!("the table of files read cannot be read back: {e}"),
                ));
                return;
            }
        }
    }
}

/// One bit per file of a table, by its index.
pub(super) struct Bits(Vec<u64>);

impl Bits {
    pub(super) fn new(len: u64) -> Bits {
        Bits(vec![0; len.div_ceil(64) as usize])
    }
    pub(super) fn set(&mut self, i: u64) {
        self.0[(i / 64) as usize] |= 1 << (i % 64);
    }
    pub(super) fn get(&self, i: u64) -> bool {
        self.0[(i / 64) as usize] & (1 << (i % 64)) != 0
    }
}

/// Call `each` with every line of the file at `path` (1-based line numbers), streamed: a file of
/// any size takes one line of memory.
pub fn for_each_line(
    source: &mut dyn BagSource,
    path: &str,
    each: &mut dyn FnMut(u64, &str),
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut no = 0u64;
    source.read(path, &mut |chunk| {
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            line.extend_from_slice(&chunk[start..end]);
            no += 1;
            each(no, &String::from_utf8_lossy(&line));
            line.clear();
            start = end + 1;
        }
        line.extend_from_slice(&chunk[start..]);
    })?;
    if !line.is_empty() {
        each(no + 1, &String::from_utf8_lossy(&line));
    }
    Ok(())
}

/// Stream `datapackage.json` and call `each` with every resource's path, size and hash, parsing
/// as the file is read: the package is never held in memory whole, whatever the number of files.
fn stream_resources(
    source: &mut dyn BagSource,
    path: &str,
    each: &mut (dyn FnMut(ResourceFile) + Send),
) -> Result<(), String> {
    stream_json(source, path, &mut |reader| {
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
        serde::de::DeserializeSeed::deserialize(
            MemberSeed {
                key: "resources",
                each: &mut *each,
            },
            &mut de,
        )
        .and_then(|()| de.end())
        .map_err(|e| e.to_string())
    })
}

/// Stream the file at `path` to `parse` as a `Read`, on a thread of its own fed through a small
/// channel, so a JSON file of any size is parsed as it is read.
pub(super) fn stream_json(
    source: &mut dyn BagSource,
    path: &str,
    parse: &mut (dyn FnMut(&mut dyn std::io::Read) -> Result<(), String> + Send),
) -> Result<(), String> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
    std::thread::scope(|scope| {
        let parser = scope.spawn(move || {
            let mut reader = ChannelReader {
                receiver,
                chunk: Vec::new(),
                at: 0,
            };
            parse(&mut reader)
        });
        let read = source.read(path, &mut |chunk| {
            // A parser that stopped early has dropped the receiver: the rest is not needed.
            let _ = sender.send(chunk.to_vec());
        });
        drop(sender);
        let parsed = parser.join().expect("the parser does not panic");
        read.map_err(|e| e.to_string()).and(parsed)
    })
}

/// A `Read` over chunks arriving through a channel.
struct ChannelReader {
    receiver: std::sync::mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => (self.chunk, self.at) = (chunk, 0),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A JSON object of which the member `key`, an array, is walked element by element (each given
/// to `each` as a `T`), and the rest skipped.
pub(super) struct MemberSeed<'a, T> {
    pub key: &'static str,
    pub each: &'a mut (dyn FnMut(T) + Send),
}

impl<'de, T: serde::Deserialize<'de>> serde::de::DeserializeSeed<'de> for MemberSeed<'_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for MemberSeed<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an object with `{}`", self.key)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key {
                map.next_value_seed(ElementsSeed(&mut *self.each))?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct ElementsSeed<'a, T>(&'a mut (dyn FnMut(T) + Send));

impl<'de, T: serde::Deserialize<'de>> serde::de::DeserializeSeed<'de> for ElementsSeed<'_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for ElementsSeed<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<T>()? {
            (self.0)(element);
        }
        Ok(())
    }
}

/// What verification reads of each resource of `datapackage.json`.
#[derive(serde::Deserialize)]
struct ResourceFile {
    path: Option<String>,
    bytes: Option<u64>,
    hash: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::source::MemSource;
    use crate::verify::table::Table;

    /// A source that hands out its files three bytes at a time, so every line and every JSON
    /// token meets a chunk boundary somewhere.
    struct Trickle(MemSource);

    impl BagSource for Trickle {
        fn files(&self) -> &Table {
            self.0.files()
        }
        fn read_row(&self, file: &Row, visit: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
            self.0
                .read_row(file, &mut |all| all.chunks(3).for_each(&mut *visit))
        }
        fn name_of(&self, path: &str) -> String {
            self.0.name_of(path)
        }
        fn namer(&self) -> Box<dyn Fn(&str) -> String + Send + Sync> {
            self.0.namer()
        }
    }

    fn trickle(files: &[(&str, &str)]) -> Trickle {
        Trickle(MemSource::new(
            files
                .iter()
                .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())),
        ))
    }

    #[test]
    fn lines_are_streamed_whole_across_chunks_with_their_numbers() {
        let mut source = trickle(&[("a", "first line\nsecond\n\nlast without newline")]);
        let mut seen = Vec::new();
        for_each_line(&mut source, "a", &mut |no, line| {
            seen.push((no, line.to_owned()))
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                (1, "first line".to_owned()),
                (2, "second".to_owned()),
                (3, String::new()),
                (4, "last without newline".to_owned())
            ]
        );
    }

    #[test]
    fn data_package_resources_are_streamed_and_the_rest_skipped() {
        let package = r#"{"name": "x", "contributors": [{"title": "a", "role": "b"}],
            "resources": [{"path": "raw/a.txt", "bytes": 3, "hash": "sha256:00", "type": "file"},
                          {"path": "records.jsonl", "bytes": 7, "schema": {"fields": [1, [2]]}}],
            "id": "urn:x"}"#;
        let mut source = trickle(&[("data/datapackage.json", package)]);
        let mut seen = Vec::new();
        stream_resources(
            &mut source,
            "data/datapackage.json",
            &mut |r: ResourceFile| seen.push((r.path, r.bytes, r.hash)),
        )
        .unwrap();
        assert_eq!(
            seen,
            [
                (Some("raw/a.txt".into()), Some(3), Some("sha256:00".into())),
                (Some("records.jsonl".into()), Some(7), None)
            ]
        );
        for broken in [
            r#"{"resources": [{"path": 1}]}"#,
            r#"{"resources": []} trailing"#,
            "[",
        ] {
            let mut source = trickle(&[("p", broken)]);
            assert!(
                stream_resources(&mut source, "p", &mut |_| {}).is_err(),
                "{broken}"
            );
        }
    }
}
