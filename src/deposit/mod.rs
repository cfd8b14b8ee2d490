//! Deposit: a release, verified first, goes into a repository. Two targets behind one small
//! interface: an OCFL storage root on disk ([`crate::ocfl::store`]) and an InvenioRDM repository
//! such as Zenodo ([`invenio`]).

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
        bag,
        warnings: report.problems,
    }))
}
