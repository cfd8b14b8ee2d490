//! Paths that come from outside (zip entry names, bag manifests, OCFL inventories, raw file
//! names): checked once into a [`RelPath`], the only type that is ever joined onto a folder.
//!
//! A `RelPath` is relative, `/`-separated, and has no empty, `.` or `..` segment, no NUL and no
//! backslash, so `folder.join(path)` stays inside `folder` whatever the input was: a bug in an
//! earlier check (in `verify`, say) still cannot make `deposit` or `retrieve` write elsewhere.
//!
//! [`RelPath::portable`] adds what an archive needs to unpack to the same names everywhere: no
//! control characters, none of `: * ? " < > |` (drive letters, NTFS streams, and characters
//! Windows extractors replace), no segment ending in a dot or a space (Windows strips them), and
//! no Windows device name (`CON`, `NUL`, `COM1`, ...). Releases are written with portable names
//! only, and `verify` reads zips with portable names only.

use std::fmt;
use std::path::{Path, PathBuf};

/// A relative path that cannot leave the folder it is joined onto.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(String);

/// Why a path was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    pub path: String,
    pub reason: &'static str,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path.escape_debug(), self.reason)
    }
}

impl std::error::Error for PathError {}

/// Device names Windows reserves in every folder, whatever the extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

impl RelPath {
    /// A path that cannot escape: relative, no empty, `.` or `..` segment, no NUL, no backslash.
    pub fn new(path: &str) -> Result<RelPath, PathError> {
        safe(path).map_err(|reason| PathError {
            path: path.to_owned(),
            reason,
        })?;
        Ok(RelPath(path.to_owned()))
    }

    /// A path that cannot escape and unpacks to the same name on every system (see the module
    /// documentation).
    pub fn portable(path: &str) -> Result<RelPath, PathError> {
        safe(path)
            .and_then(|()| portable(path))
            .map_err(|reason| PathError {
                path: path.to_owned(),
                reason,
            })?;
        Ok(RelPath(path.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `folder` joined with this path: always below `folder`.
    pub fn under(&self, folder: &Path) -> PathBuf {
        let mut out = folder.to_path_buf();
        for segment in self.0.split('/') {
            out.push(segment);
        }
        out
    }

    /// This path below `prefix` (itself a `RelPath`).
    pub fn below(&self, prefix: &RelPath) -> RelPath {
        RelPath(format!("{}/{}", prefix.0, self.0))
    }

    /// The path with its first segment taken off, if it has more than one.
    pub fn strip_first(&self) -> Option<(&str, RelPath)> {
        let (first, rest) = self.0.split_once('/')?;
        Some((first, RelPath(rest.to_owned())))
    }

    /// A key equal for two paths that name the same file where names fold case or Unicode
    /// normalization (Windows, macOS): NFC of the name upper- then lower-cased, so that `ı`,
    /// `I` and `i` meet as Windows' upper-case table makes them.
    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

/// The folding key of [`RelPath::folded`], for any string.
pub fn fold(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let upper: String = name.nfd().collect::<String>().to_uppercase();
    upper.to_lowercase().nfc().collect()
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RelPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn safe(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("an empty path");
    }
    if path.starts_with('/') {
        return Err("an absolute path: it would be written outside the folder");
    }
    if path.contains('\\') {
        return Err("a backslash, a folder separator on Windows");
    }
    if path.contains('\0') {
        return Err("a NUL character");
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Err("a drive letter: an absolute path on Windows");
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err("an empty segment (`//`, or a `/` at the end)"),
            "." => return Err("a `.` segment: extractors disagree on what it names"),
            ".." => return Err("a `..` segment: it would be written outside the folder"),
            _ => {}
        }
    }
    Ok(())
}

fn portable(path: &str) -> Result<(), &'static str> {
    if path.len() > 4095 {
        return Err("a path longer than 4095 bytes, more than file systems hold");
    }
    if path.split('/').any(|segment| segment.len() > 255) {
        return Err("a name longer than 255 bytes, more than file systems hold");
    }
    if path.chars().any(char::is_control) {
        return Err("a control character (newline, tab, ...)");
    }
    if path.contains(':') {
        return Err("a colon: on Windows it names a drive or a data stream");
    }
    if path.contains(['*', '?', '"', '<', '>', '|']) {
        return Err("one of * ? \" < > |, which Windows cannot hold in a name");
    }
    for segment in path.split('/') {
        if segment.ends_with('.') || segment.ends_with(' ') {
            return Err("a name ending in a dot or a space, which Windows strips");
        }
        let stem = segment.split('.').next().unwrap_or(segment).trim_end();
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
            return Err("a Windows device name (CON, NUL, COM1, ...)");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_escape_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "a//b",
            "a/./b",
            "./a",
            "a/..",
            "../a",
            "a/../../b",
            "a/",
            "a\\b",
            "..\\a",
            "C:/x",
            "c:x",
            "a\0b",
        ] {
            assert!(RelPath::new(bad).is_err(), "{bad:?}");
            assert!(RelPath::portable(bad).is_err(), "{bad:?}");
        }
        for good in ["a", "data/raw/x.txt", "a/b c/d", ".hidden", "a..b", "...x"] {
            assert_eq!(RelPath::new(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn names_windows_would_change_are_not_portable() {
        for bad in [
            "a./b",
            "a /b",
            "x.txt.",
            "x.txt ",
            "a:b",
            "a*b",
            "a?b",
            "a\"b",
            "a<b",
            "a>b",
            "a|b",
            "con",
            "dir/NUL.txt",
            "Com1.tar.gz",
            "lpt9",
            "a\nb",
            "a\u{7f}b",
            &"x".repeat(256),
            &format!("{}/x", "abc/".repeat(1100)),
        ] {
            assert!(RelPath::portable(bad).is_err(), "{bad:?}");
        }
        for good in [
            "a.b/c",
            "console.txt",
            "com10",
            "Xocalı şəhəri.txt",
            " lead",
        ] {
            assert!(RelPath::portable(good).is_ok(), "{good:?}");
        }
        // Allowed by `new`: only escaping matters there.
        assert!(RelPath::new("ab:c/x.").is_ok());
    }

    #[test]
    fn joining_stays_below_the_folder() {
        let base = Path::new("/srv/root");
        let path = RelPath::new("v1/content/a b.txt").unwrap();
        assert_eq!(path.under(base), Path::new("/srv/root/v1/content/a b.txt"));
        assert!(path.under(base).starts_with(base));
    }

    #[test]
    fn folding_meets_case_and_normalization_variants() {
        assert_eq!(fold("Şəki"), fold("S\u{327}ƏKI"));
        assert_eq!(fold("ı"), fold("i"));
        assert_eq!(fold("Report.TXT"), fold("report.txt"));
        assert_ne!(fold("a.txt"), fold("b.txt"));
    }
}
