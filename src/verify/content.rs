//! The content of an archivist release, checked after its bag: records against the schema the
//! bag carries, each record's raw and text files against the record's digests and sizes, no file
//! under `raw/` or `text/` without a record, and the Frictionless package's sizes and hashes.

use super::bag::BagReport;
use super::source::BagSource;
use crate::problem::Problem;
use serde_json::Value;
use std::collections::BTreeSet;

pub const RECORDS: &str = "data/records.jsonl";
pub const SCHEMA: &str = "data/schema/record.schema.json";
pub const DATAPACKAGE: &str = "data/datapackage.json";

/// The files content checks need in memory.
pub const KEEP: [&str; 5] = [
    RECORDS,
    SCHEMA,
    DATAPACKAGE,
    "tagmanifest-sha256.txt",
    "tagmanifest-sha512.txt",
];

/// Whether the bag is an archivist release (it has records and their schema).
pub fn is_release(report: &BagReport) -> bool {
    report.sha256.contains_key(RECORDS) && report.sha256.contains_key(SCHEMA)
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
pub fn check(source: &dyn BagSource, report: &mut BagReport) -> usize {
    let mut problems = Vec::new();
    check_layout(source, report, &mut problems);
    let sizes: std::collections::BTreeMap<&str, u64> = source
        .files()
        .iter()
        .map(|f| (f.path.as_str(), f.size))
        .collect();
    let name = |path: &str| source.name_of(path);

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
    let mut referenced = BTreeSet::new();
    let mut previous_id: Option<String> = None;
    let text = report
        .kept
        .get(RECORDS)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    for (i, line) in text.lines().enumerate() {
        let no = i as u64 + 1;
        let record: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(
                    Problem::error(name(RECORDS), "record-invalid", format!("not JSON: {e}"))
                        .at_line(no),
                );
                continue;
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
        for part in ["source", "text"] {
            let Some(path) = record[part]["path"].as_str() else {
                continue;
            };
            let path = format!("data/{path}");
            referenced.insert(path.clone());
            let Some(actual) = report.sha256.get(&path) else {
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
            if record[part]["sha256"].as_str() != Some(actual.as_str()) {
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
            if record[part]["bytes"].as_u64() != sizes.get(path.as_str()).copied() {
                problems.push(
                    Problem::error(
                        name(&path),
                        "record-size-mismatch",
                        format!(
                            "record `{id}` says {} bytes, the file has {:?}",
                            record[part]["bytes"],
                            sizes.get(path.as_str())
                        ),
                    )
                    .at_line(no),
                );
            }
        }
    }
    for path in report.sha256.keys() {
        if (path.starts_with("data/raw/") || path.starts_with("data/text/"))
            && !referenced.contains(path)
        {
            problems.push(Problem::error(
                name(path),
                "unrecorded-file",
                "no record names this file",
            ));
        }
    }

    match report
        .kept
        .get(DATAPACKAGE)
        .map(|b| serde_json::from_slice::<PackageFiles>(b))
    {
        None => problems.push(Problem::error(
            name(DATAPACKAGE),
            "datapackage-missing",
            "the release has no datapackage.json",
        )),
        Some(Err(e)) => problems.push(Problem::error(
            name(DATAPACKAGE),
            "datapackage-invalid",
            format!("not JSON: {e}"),
        )),
        Some(Ok(package)) => {
            let mut listed = BTreeSet::new();
            for resource in &package.resources {
                let Some(path) = resource.path.as_deref() else {
                    continue;
                };
                let full = format!("data/{path}");
                listed.insert(full.clone());
                let Some(actual) = report.sha256.get(&full) else {
                    problems.push(Problem::error(
                        name(DATAPACKAGE),
                        "datapackage-mismatch",
                        format!("lists `{path}`, which is not in the bag"),
                    ));
                    continue;
                };
                if resource.hash.as_deref() != Some(format!("sha256:{actual}").as_str()) {
                    problems.push(Problem::error(
                        name(&full),
                        "datapackage-mismatch",
                        format!(
                            "datapackage.json says hash {:?}, the file's is sha256:{actual}",
                            resource.hash
                        ),
                    ));
                }
                if resource.bytes != sizes.get(full.as_str()).copied() {
                    problems.push(Problem::error(
                        name(&full),
                        "datapackage-mismatch",
                        format!("datapackage.json says {:?} bytes", resource.bytes),
                    ));
                }
            }
            for path in report.sha256.keys() {
                if path.starts_with("data/") && path != DATAPACKAGE && !listed.contains(path) {
                    problems.push(Problem::error(
                        name(path),
                        "datapackage-mismatch",
                        "payload file not listed in datapackage.json",
                    ));
                }
            }
        }
    }
    report.problems.extend(problems);
    records
}

/// A release has every file of its layout, and its tag manifests cover every tag file (a bag
/// may do without, a release may not: otherwise a tag file could be dropped or added unseen).
fn check_layout(source: &dyn BagSource, report: &BagReport, problems: &mut Vec<Problem>) {
    for path in REQUIRED {
        if !report.sha256.contains_key(path) {
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
        for path in report.sha256.keys() {
            if !path.contains('/')
                && !path.starts_with("tagmanifest-")
                && !listed.contains(path.as_str())
            {
                problems.push(Problem::error(
                    source.name_of(path),
                    "tag-file-unlisted",
                    format!("tag file not listed in `{manifest}`"),
                ));
            }
        }
    }
}

/// What verification reads of `datapackage.json`: each resource's path, size and hash (parsed
/// into these few fields only, so a package of many thousand files stays small in memory).
#[derive(serde::Deserialize)]
struct PackageFiles {
    #[serde(default)]
    resources: Vec<ResourceFile>,
}

#[derive(serde::Deserialize)]
struct ResourceFile {
    path: Option<String>,
    bytes: Option<u64>,
    hash: Option<String>,
}
