//! Deposit: a release, verified first, goes into a repository. Two targets behind one small
//! interface: an OCFL storage root on disk ([`crate::ocfl::store`]) and an InvenioRDM repository
//! such as Zenodo ([`invenio`]).
//!
//! What is deposited is named by the release itself, never by the folder the command runs in:
//! the object id is the dataset's identifier in the bag's `data/datacite.json`, the name,
//! version and date come from `bag-info.txt`. A zip alone is enough.

pub mod invenio;
pub mod recipe;

use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::verify::source::{BagSource, ZipLimits, ZipSource};
use crate::verify::{self, VerifySettings};
use std::path::{Path, PathBuf};

/// A release zip that verified intact, with what a repository needs to know of it.
pub struct VerifiedRelease {
    pub zip: PathBuf,
    /// The sidecar beside it, if any.
    pub sidecar: Option<PathBuf>,
    pub sha256: String,
    /// `<name>-<version>`, the bag's top folder.
    pub name: String,
    /// The dataset version from `bag-info.txt`.
    pub version: String,
    /// The release date from `bag-info.txt` (Bagging-Date).
    pub date: Option<String>,
    /// The dataset's identifier, from `data/datacite.json` (`None`: the release has none).
    pub identifier: Option<String>,
    pub bag: ZipSource,
    /// Warnings of the verification.
    pub warnings: Vec<Problem>,
}

/// Verify `zip` completely; a release that is not intact is never deposited.
pub fn open_release(zip: &Path) -> Result<std::result::Result<VerifiedRelease, Vec<Problem>>> {
    let report = verify::verify(zip, &VerifySettings::default())?;
    if !report.intact {
        return Ok(Err(report.problems));
    }
    let mut problems = Vec::new();
    let Some(bag) = ZipSource::open(zip, &ZipLimits::default(), &mut problems)? else {
        return Ok(Err(problems));
    };
    let mut info = Vec::new();
    bag.read("bag-info.txt", &mut |chunk| info.extend_from_slice(chunk))?;
    let info = String::from_utf8_lossy(&info).into_owned();
    let value = |label: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(label).and_then(|r| r.strip_prefix(':')))
            .map(|v| v.trim().to_owned())
    };
    let version = value("Version").ok_or_else(|| Error::Refused {
        message: format!(
            "`{}`: bag-info.txt has no Version; is this an archivist release?",
            zip.display()
        ),
        hint: None,
    })?;
    if !bag.top().ends_with(&format!("-{version}")) {
        return Err(Error::Refused {
            message: format!(
                "`{}`: bag-info.txt says Version {version}, but the bag is named `{}`",
                zip.display(),
                bag.top()
            ),
            hint: None,
        });
    }
    let mut datacite = Vec::new();
    let identifier = match bag.read("data/datacite.json", &mut |chunk| {
        datacite.extend_from_slice(chunk)
    }) {
        Ok(()) => serde_json::from_slice::<serde_json::Value>(&datacite)
            .ok()
            .and_then(|v| identifier(&v)),
        Err(_) => None,
    };
    let mut sidecar = zip.as_os_str().to_owned();
    sidecar.push(".sha256");
    let sidecar = PathBuf::from(sidecar);
    Ok(Ok(VerifiedRelease {
        zip: zip.to_path_buf(),
        sidecar: sidecar.is_file().then_some(sidecar),
        sha256: report.sha256.unwrap_or_default(),
        name: bag.top().to_owned(),
        version,
        date: value("Bagging-Date"),
        identifier,
        bag,
        warnings: report.problems,
    }))
}

/// The dataset's identifier in DataCite metadata: the first alternate identifier that is not
/// `Local` (archivist writes `identifier` of `dataset.toml` there: it stays the same from one
/// release to the next), else a DOI (`identifier`/`identifiers`/`doi`) as `https://doi.org/...`,
/// else any other `identifier`.
pub fn identifier(datacite: &serde_json::Value) -> Option<String> {
    fn non_empty(v: &serde_json::Value) -> Option<&str> {
        v.as_str().map(str::trim).filter(|s| !s.is_empty())
    }
    if let Some(found) = datacite["alternateIdentifiers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["alternateIdentifierType"] != "Local")
        .find_map(|a| non_empty(&a["alternateIdentifier"]))
    {
        return Some(found.to_owned());
    }
    let doi = |d: &str| {
        if d.starts_with("http") {
            d.to_owned()
        } else {
            format!("https://doi.org/{d}")
        }
    };
    if let Some(d) = non_empty(&datacite["doi"]) {
        return Some(doi(d));
    }
    let listed: Vec<&serde_json::Value> = datacite["identifiers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(std::iter::once(&datacite["identifier"]))
        .collect();
    for kind in [Some("DOI"), None] {
        for id in &listed {
            let value = non_empty(&id["identifier"]);
            let is_doi = id["identifierType"].as_str() == Some("DOI");
            match (kind, value) {
                (Some(_), Some(v)) if is_doi => return Some(doi(v)),
                (None, Some(v)) => return Some(v.to_owned()),
                _ => {}
            }
        }
    }
    None
}

/// Deposit a verified release into the OCFL storage root `root`: the bag's files, the sidecar
/// (the one beside the zip, or one made as `archivist release` makes it), the signature when
/// there is one, and the zip recipe, which is checked to rebuild the zip exactly from the files
/// staged before anything enters the root.
pub fn to_ocfl(
    release: &mut VerifiedRelease,
    root: &Path,
    user: &crate::ocfl::store::User,
    message: Option<&str>,
) -> Result<crate::ocfl::store::Deposited> {
    use crate::ocfl::store;
    let id = release.identifier.clone().ok_or_else(|| Error::Refused {
        message: format!(
            "the release `{}` names no dataset identifier (data/datacite.json has none), so it cannot name an OCFL object; nothing was deposited",
            release.zip.display()
        ),
        hint: Some(
            "set `identifier` (a URI, e.g. urn:uuid:...) in dataset.toml and cut the release again".into(),
        ),
    })?;
    let name = release.name.clone();
    let scratch = tempfile::tempdir()?;
    let [sidecar_path, signature_path, recipe_path, skeleton_path] =
        crate::ocfl::read::release_files(&name);
    let mut extras = Vec::new();
    let sidecar = match &release.sidecar {
        Some(path) => path.clone(),
        None => {
            let made = scratch.path().join("sidecar");
            fs_err::write(&made, format!("{}  {name}.zip\n", release.sha256))?;
            tracing::info!("no sidecar beside the zip: keeping one made from its verified SHA-256");
            made
        }
    };
    extras.push((sidecar_path, sidecar.clone()));
    let signature = crate::sign::signature_path(&sidecar);
    if release.sidecar.is_some() && signature.is_file() {
        extras.push((signature_path, signature));
    }
    let skeleton = scratch.path().join("skeleton");
    let mut bag_files = std::collections::BTreeSet::new();
    for row in release.bag.files().rows() {
        bag_files.insert(row?.path);
    }
    let made = recipe::make(&release.zip, &name, &release.sha256, &skeleton, &|path| {
        bag_files.contains(path)
    })?;
    let recipe_file = scratch.path().join("recipe.json");
    fs_err::write(
        &recipe_file,
        crate::package::pretty(&serde_json::json!(made)),
    )?;
    extras.push((recipe_path, recipe_file));
    extras.push((skeleton_path, skeleton.clone()));
    let expected = release.sha256.clone();
    let check = move |staged: &Path| -> Result<()> {
        let mut open = |path: &str| -> Result<Box<dyn std::io::Read>> {
            let rel = crate::path::RelPath::portable(path)
                .map_err(|e| Error::Usage(format!("the zip recipe names {e}")))?;
            Ok(Box::new(std::io::BufReader::new(fs_err::File::open(
                rel.under(staged),
            )?)))
        };
        let rebuilt = recipe::rebuild(
            &made,
            &mut fs_err::File::open(&skeleton)?,
            &mut open,
            &mut std::io::sink(),
        )?;
        if rebuilt != expected {
            return Err(Error::Refused {
                message: format!(
                    "the zip rebuilt from the staged files has SHA-256 {rebuilt}, not {expected}; nothing was deposited"
                ),
                hint: None,
            });
        }
        Ok(())
    };
    let default_message = format!("archivist release {name} (zip sha256 {})", release.sha256);
    let version = release.version.clone();
    let deposited = store::Release {
        id: &id,
        name: &name,
        version: &version,
        message: message.unwrap_or(&default_message),
        bag: &mut release.bag,
        extras,
        check: Some(&check),
    };
    match crate::ocfl::tree::Root::parse(root)? {
        crate::ocfl::tree::Root::S3(location) => {
            crate::ocfl::remote::deposit(&location, user, deposited)
        }
        crate::ocfl::tree::Root::Disk(_) => store::deposit(root, user, deposited),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_identifier_is_the_non_local_alternate_identifier_then_a_doi() {
        let archivist = json!({"alternateIdentifiers": [
            {"alternateIdentifier": "urn:uuid:07964e9d", "alternateIdentifierType": "URN"},
            {"alternateIdentifier": "khojaly-1992-1.0.2", "alternateIdentifierType": "Local"}]});
        assert_eq!(
            super::identifier(&archivist).as_deref(),
            Some("urn:uuid:07964e9d")
        );
        let local_only = json!({"alternateIdentifiers": [
            {"alternateIdentifier": "khojaly-1992-1.0.2", "alternateIdentifierType": "Local"}]});
        assert_eq!(super::identifier(&local_only), None);
        let doi =
            json!({"identifiers": [{"identifier": "10.5281/zenodo.1", "identifierType": "DOI"}]});
        assert_eq!(
            super::identifier(&doi).as_deref(),
            Some("https://doi.org/10.5281/zenodo.1")
        );
        assert_eq!(
            super::identifier(&json!({"doi": "10.1/x"})).as_deref(),
            Some("https://doi.org/10.1/x")
        );
        assert_eq!(super::identifier(&json!({})), None);
    }
}
