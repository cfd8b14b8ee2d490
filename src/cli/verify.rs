//! `archivist verify`: is a downloaded release intact?

use super::VerifyArgs;
use crate::error::{ExitStatus, Result};
use crate::verify::{self, VerifySettings};
use std::io::Write;

pub fn run(args: &VerifyArgs) -> Result<ExitStatus> {
    let settings = VerifySettings {
        sha256: args
            .sha256
            .as_deref()
            .map(verify::parse_sha256)
            .transpose()?,
        limits: args.limits(),
        ocfl: crate::ocfl::validate::OcflLimits {
            max_inventory_bytes: args.max_inventory_bytes,
        },
        public_key: args
            .pubkey
            .as_deref()
            .map(crate::sign::load_public_key)
            .transpose()?,
    };
    let report = verify::verify(&args.path, &settings)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        )?;
    } else {
        for problem in &report.problems {
            writeln!(out, "{problem}")?;
        }
        let errors = report.problems.iter().filter(|p| p.is_error()).count();
        let warnings = report.problems.len() - errors;
        let mut facts = Vec::new();
        if let Some(version) = &report.bagit_version {
            facts.push(format!("BagIt {version}"));
        }
        if let (Some(objects), Some(versions)) = (report.objects, report.versions) {
            facts.push(format!("{objects} object(s), {versions} version(s)"));
        }
        facts.push(format!(
            "{} files, {} bytes hashed",
            report.files, report.bytes
        ));
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
