//! `archivist deposit`: verify the release, then put it into an OCFL root or InvenioRDM.

use super::DepositArgs;
use crate::config::Dataset;
use crate::deposit::{self, invenio};
use crate::error::{Error, ExitStatus, Result};
use crate::ocfl::store::{Deposited, User};
use crate::validate::SchemaSet;
use std::io::Write;

pub fn run(args: &DepositArgs) -> Result<ExitStatus> {
    let mut release = match deposit::open_release(&args.zip)? {
        Ok(release) => release,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!(
                "error: `{}` is not intact; nothing was deposited",
                args.zip.display()
            );
            return Ok(ExitStatus::Invalid);
        }
    };
    let mut out = std::io::stdout().lock();
    if let Some(root) = &args.ocfl {
        let user = depositor(args)?;
        let name = release.name.clone();
        let outcome = deposit::to_ocfl(&mut release, root, &user, args.message.as_deref())?;
        let id = release.identifier.clone().unwrap_or_default();
        match outcome {
            Deposited::Version {
                object,
                version: v,
                upgraded,
            } => {
                let audit = match crate::ocfl::tree::Root::parse(&object)? {
                    // On S3 the object just uploaded is checked against the store's own
                    // checksums (each upload carried its SHA-256), not downloaded again.
                    crate::ocfl::tree::Root::S3(location) => {
                        let tree =
                            crate::ocfl::tree::S3::open(crate::s3::Client::from_env(location)?)?;
                        crate::ocfl::validate::validate_object_in(
                            &tree,
                            crate::ocfl::validate::OcflLimits {
                                fast: true,
                                ..Default::default()
                            },
                        )?
                    }
                    crate::ocfl::tree::Root::Disk(_) => {
                        crate::ocfl::validate::validate_object(&object)?
                    }
                };
                if let Some(problem) = audit.problems.iter().find(|p| p.is_error()) {
                    eprintln!("{problem}");
                    return Ok(ExitStatus::Invalid);
                }
                writeln!(
                    out,
                    "deposited {name} as {v} of `{id}`\nobject {}",
                    object.display()
                )?;
                if upgraded {
                    writeln!(out, "the object was OCFL 1.0; it is OCFL 1.1 from {v} on")?;
                }
            }
            Deposited::AlreadyHead { object, version: v } => {
                writeln!(
                    out,
                    "{name} is already {v}, the head of `{id}`; nothing to do\nobject {}",
                    object.display()
                )?;
            }
        }
        return Ok(ExitStatus::Success);
    }
    let config = args
        .config
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("dataset.toml"));
    let dataset = Dataset::load(&config, &SchemaSet::new())?;
    if release.name != format!("{}-{}", dataset.name, release.version) {
        return Err(Error::Refused {
            message: format!(
                "`{}` describes the dataset `{}`, but the release is `{}`; nothing was deposited",
                config.display(),
                dataset.name,
                release.name
            ),
            hint: Some("give that dataset's description with --config".into()),
        });
    }
    let base = if args.zenodo {
        invenio::ZENODO.to_owned()
    } else if args.zenodo_sandbox {
        invenio::ZENODO_SANDBOX.to_owned()
    } else {
        args.invenio.clone().expect("clap requires one target")
    };
    let target = invenio::Invenio::from_env(&base, invenio::Retry::default())?;
    // The metadata describes the release deposited, whatever version dataset.toml is at now.
    let mut described = dataset.clone();
    described.version = release.version.clone();
    if let Some(date) = &release.date {
        described.release_date = date.clone();
    }
    // The sidecar, and its signature when the release is signed, go with the zip: a download
    // from the repository can then be checked with sha256sum and minisign.
    let signature = release
        .sidecar
        .as_deref()
        .map(crate::sign::signature_path)
        .filter(|p| p.is_file());
    let companions: Vec<&std::path::Path> = release
        .sidecar
        .as_deref()
        .into_iter()
        .chain(signature.as_deref())
        .collect();
    let outcome = target.deposit(&described, &release.zip, &companions, args.publish)?;
    for (key, checksum) in &outcome.files {
        writeln!(out, "uploaded {key} ({checksum}, matches)")?;
    }
    if outcome.published {
        writeln!(out, "published record {}: {}", outcome.id, outcome.url)?;
    } else {
        writeln!(
            out,
            "draft {} left for review (publish with --publish, or in the web page): {}",
            outcome.id, outcome.url
        )?;
    }
    if dataset
        .invenio
        .as_ref()
        .and_then(|i| i.record.as_ref())
        .is_none()
    {
        writeln!(
            out,
            "hint: set `[invenio] record = \"{}\"` in dataset.toml so later releases become new versions of this record",
            outcome.id
        )?;
    }
    Ok(ExitStatus::Success)
}

/// The OCFL version's user: --user/--address, else `[agent]` of --config, else $USER (warned).
fn depositor(args: &DepositArgs) -> Result<User> {
    if let Some(name) = &args.user {
        return Ok(User {
            name: name.clone(),
            address: args.address.clone(),
        });
    }
    if let Some(config) = &args.config {
        let dataset = Dataset::load(config, &SchemaSet::new())?;
        if let Some(agent) = dataset.agent {
            return Ok(User {
                name: agent.name,
                address: agent.address,
            });
        }
        tracing::warn!("`{}` has no [agent]", config.display());
    }
    match std::env::var("USER").ok().filter(|u| !u.trim().is_empty()) {
        Some(name) => {
            tracing::warn!(
                "depositing as `{name}` ($USER); name the depositor with --user NAME --address URI"
            );
            Ok(User {
                name,
                address: None,
            })
        }
        None => Err(Error::Usage(
            "who deposits? give --user NAME (and --address URI), or --config with an [agent]"
                .into(),
        )),
    }
}
