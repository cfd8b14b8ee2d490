//! `archivist verify`: is a downloaded release intact?

use super::VerifyArgs;
use crate::error::{ExitStatus, Result};
use crate::verify::{self, VerifySettings};
use std::io::{IsTerminal, Write};

/// The documented fields of `verify --json`, in order; every one is always present (`null` when
/// not known or not applicable).
pub const JSON_FIELDS: [&str; 15] = [
    "path",
    "kind",
    "intact",
    "name",
    "version",
    "sha256",
    "checksum_sources",
    "bagit_version",
    "files",
    "bytes",
    "records",
    "signature",
    "objects",
    "versions",
    "problems",
];

/// The report with every documented field, plus the dataset's name and version (from
/// `bag-info.txt`: External-Identifier less `-<version>`, and Version).
fn complete_json(
    report: &verify::VerifyReport,
    name: Option<String>,
    version: Option<String>,
) -> serde_json::Value {
    let mut value = serde_json::to_value(report).expect("report serializes");
    let map = value.as_object_mut().expect("the report is an object");
    map.insert("name".into(), name.into());
    map.insert("version".into(), version.into());
    let mut ordered = serde_json::Map::new();
    for field in JSON_FIELDS {
        ordered.insert(field.into(), map.remove(field).unwrap_or_default());
    }
    ordered.extend(std::mem::take(map));
    ordered.into()
}

pub fn run(args: &VerifyArgs, quiet: bool) -> Result<ExitStatus> {
    let settings = VerifySettings {
        sha256: args
            .sha256
            .as_deref()
            .map(verify::parse_sha256)
            .transpose()?,
        limits: args.limits(),
        ocfl: crate::ocfl::validate::OcflLimits {
            max_inventory_bytes: args.max_inventory_bytes,
            fast: args.fast,
        },
        public_key: args
            .pubkey
            .as_deref()
            .map(crate::sign::load_public_key)
            .transpose()?,
    };
    let spinner = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(format!("verifying {}", args.path.display()));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let started = std::time::Instant::now();
    let (report, bag) = verify::examine(&args.path, &settings, &[])?;
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    tracing::info!(elapsed = ?started.elapsed(), "stage: verified");
    let info = |key: &str| {
        bag.as_ref().and_then(|b| {
            b.info
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
        })
    };
    let version = info("Version");
    let name = info("External-Identifier").map(|id| match &version {
        Some(v) => id
            .strip_suffix(&format!("-{v}"))
            .map(str::to_owned)
            .unwrap_or(id),
        None => id,
    });
    let mut out = std::io::stdout().lock();
    // Problems go to stderr, as every command's do; the report is the data.
    if !args.json {
        for problem in &report.problems {
            if !quiet || problem.is_error() {
                eprintln!("{problem}");
            }
        }
    }
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&complete_json(&report, name, version))
                .expect("report serializes")
        )?;
    } else {
        let errors = report.problems.iter().filter(|p| p.is_error()).count();
        let warnings = report.problems.len() - errors;
        let mut facts = Vec::new();
        if let Some(version) = &report.bagit_version {
            facts.push(format!("BagIt {version}"));
        }
        if let (Some(objects), Some(versions)) = (report.objects, report.versions) {
            facts.push(format!("{objects} object(s), {versions} version(s)"));
        }
        match &report.fast {
            Some(fast) => facts.push(format!(
                "fast audit: {} files compared with the store's SHA-256, {} with none to compare \
                 (present only), no byte read",
                fast.matched, fast.unchecked
            )),
            None => facts.push(format!(
                "{} files, {} bytes hashed",
                report.files, report.bytes
            )),
        }
        if let Some(records) = report.records {
            facts.push(format!("{records} records"));
        }
        if let Some(sha) = &report.sha256 {
            facts.push(format!("sha256 {sha}"));
        }
        if let Some(signature) = &report.signature {
            facts.push(match signature.status {
                "verified" => format!(
                    "signature by key {} verified",
                    signature.key_id.as_deref().unwrap_or("?")
                ),
                "unchecked" => "signed, signature not checked (no --pubkey)".to_owned(),
                other => format!("signature {other}"),
            });
        }
        if !report.checksum_sources.is_empty() {
            facts.push(format!(
                "compared with {}",
                report.checksum_sources.join(" and ")
            ));
        }
        if report.intact {
            writeln!(
                out,
                "intact: {} ({}; {warnings} warning(s))",
                report.path,
                facts.join(", ")
            )?;
        } else {
            writeln!(
                out,
                "NOT INTACT: {} ({errors} error(s), {warnings} warning(s); {})",
                report.path,
                facts.join(", ")
            )?;
        }
    }
    out.flush()?;
    Ok(if report.intact {
        ExitStatus::Success
    } else {
        ExitStatus::Invalid
    })
}
