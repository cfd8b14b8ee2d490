//! BagIt 1.0 (RFC 8493): the tag files of a bag, written exactly.
//!
//! The bag is built inside the release zip, so this module only renders text: `bagit.txt`,
//! `bag-info.txt`, and payload and tag manifests in SHA-256 and SHA-512, sorted by path, with
//! the path encoding of RFC 8493 section 2.1.3 (`%`, CR and LF percent-encoded).

use crate::digest::hex;
use std::fmt::Write;

/// A file of the bag with its size and digests. `path` is relative to the bag's top folder,
/// with `/` separators, as it appears in manifests (`data/raw/x.txt`).
/// Digests are kept as bytes (a release holds one of these per file until its manifests are
/// written: hex would take twice the memory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BagFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: [u8; 32],
    pub sha512: [u8; 64],
}

/// Where archivist's BagIt profile (`schema/archivist-bagit-profile.json`, BagIt Profiles 1.4)
/// will be published: every release declares it in `bag-info.txt` as `BagIt-Profile-Identifier`.
/// The project has no web site yet; like the schemas' `$id`s it uses the reserved `.invalid`
/// domain, and must be changed (with a new release) when the profile is published.
pub const PROFILE_ID: &str = "https://archivist.invalid/schema/archivist-bagit-profile.json";

/// The project's address, under the same rule (RO-Crate requires a `url` for the software that
/// made a crate): change both together.
pub const HOME: &str = "https://archivist.invalid/";

/// The profile itself, embedded: `verify` checks archivist releases against it.
pub const PROFILE: &str = include_str!("../../schema/archivist-bagit-profile.json");

/// The digest algorithms every manifest is written in, with their BagIt names.
pub const ALGORITHMS: [&str; 2] = ["sha256", "sha512"];

/// `bagit.txt`: version 1.0, tag files in UTF-8.
pub fn bagit_txt() -> String {
    "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_owned()
}

/// Percent-encode a path for a manifest line (RFC 8493 2.1.3): `%` first, then CR and LF.
pub fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Reverse of [`encode_path`]; any other `%XX` is left as it is, as the RFC asks.
pub fn decode_path(path: &str) -> String {
    path.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
}

/// A manifest in `algorithm` (`sha256` or `sha512`) over `files`: `digest  path` lines,
/// sorted by path.
pub fn manifest(files: &[BagFile], algorithm: &str) -> String {
    let mut sorted: Vec<&BagFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = Vec::new();
    for file in sorted {
        write_manifest_line(&mut out, file, algorithm).expect("writing to memory");
    }
    String::from_utf8(out).expect("manifests are UTF-8")
}

/// One manifest line in `algorithm` (`sha256` or `sha512`): `digest  path`, encoded.
pub fn write_manifest_line(
    out: &mut (impl std::io::Write + ?Sized),
    file: &BagFile,
    algorithm: &str,
) -> std::io::Result<()> {
    let digest = match algorithm {
        "sha256" => hex(&file.sha256),
        "sha512" => hex(&file.sha512),
        other => unreachable!("unsupported algorithm {other}"),
    };
    writeln!(out, "{digest}  {}", encode_path(&file.path))
}

/// The metadata elements of `bag-info.txt`, in the order written.
pub struct BagInfo<'a> {
    pub source_organization: &'a str,
    pub bagging_date: &'a str,
    pub external_identifier: &'a str,
    pub external_description: &'a str,
    pub version: &'a str,
    pub payload_bytes: u64,
    pub payload_files: u64,
}

impl BagInfo<'_> {
    pub fn render(&self) -> String {
        let elements = [
            ("Source-Organization", one_line(self.source_organization)),
            ("Bagging-Date", self.bagging_date.to_owned()),
            ("External-Identifier", one_line(self.external_identifier)),
            ("External-Description", one_line(self.external_description)),
            ("Version", self.version.to_owned()),
            (
                "Payload-Oxum",
                format!("{}.{}", self.payload_bytes, self.payload_files),
            ),
            (
                "Bag-Software-Agent",
                format!("archivist {}", env!("CARGO_PKG_VERSION")),
            ),
            ("BagIt-Profile-Identifier", PROFILE_ID.to_owned()),
        ];
        let mut out = String::new();
        for (label, value) in elements {
            let _ = writeln!(out, "{label}: {value}");
        }
        out
    }
}

/// Tag values are single lines: line breaks and runs of white space become one space.
fn one_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_are_sorted_and_encoded() {
        let file = |path: &str| BagFile {
            path: path.into(),
            bytes: 1,
            sha256: [0xaa; 32],
            sha512: [0xbb; 64],
        };
        let m = manifest(&[file("data/b%c.txt"), file("data/a\nb.txt")], "sha256");
        let expected = format!(
            "{a}  data/a%0Ab.txt\n{a}  data/b%25c.txt\n",
            a = "a".repeat(64)
        );
        assert_eq!(m, expected);
        assert_eq!(decode_path("data/a%0Ab%25c%41"), "data/a\nb%c%41");
    }

    #[test]
    fn bag_info_has_the_payload_oxum_and_single_line_values() {
        let info = BagInfo {
            source_organization: "Org",
            bagging_date: "2026-11-21",
            external_identifier: "x-1.0.0",
            external_description: "A title\n  over two lines",
            version: "1.0.0",
            payload_bytes: 1234,
            payload_files: 5,
        }
        .render();
        assert!(info.contains("Payload-Oxum: 1234.5\n"));
        assert!(info.contains("External-Description: A title over two lines\n"));
        assert!(info.lines().all(|l| l.contains(": ")));
        assert!(PROFILE_ID.starts_with(HOME));
        assert!(info.ends_with(&format!("\nBagIt-Profile-Identifier: {PROFILE_ID}\n")));
    }
}
