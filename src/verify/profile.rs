//! archivist's BagIt profile (BagIt Profiles 1.4, `schema/archivist-bagit-profile.json`), checked
//! for a bag that declares it in `bag-info.txt` (`BagIt-Profile-Identifier`): the bag-info tags
//! it requires (once each, with the values it allows), the manifests and tag manifests required
//! and allowed, the tag files allowed, no `fetch.txt`, the BagIt version, and the payload files a
//! release must hold and may hold.
//!
//! Releases cut before the profile existed (archivist 0.2 and earlier) declare none and hold
//! none of the files that came with it: they are checked as they were. A release holding those
//! files without declaring the profile is an error.

use super::bag::BagReport;
use super::source::BagSource;
use crate::package::bagit::{PROFILE, PROFILE_ID};
use crate::problem::Problem;
use serde_json::Value;

/// Payload files that came with the profile: a release holding any declares it.
pub const WITH_PROFILE: [&str; 3] = [
    super::content::ROCRATE,
    super::content::CROISSANT,
    super::content::LANDING,
];

/// Whether the bag declares archivist's profile.
pub fn declares(report: &BagReport) -> bool {
    report
        .info
        .iter()
        .any(|(label, value)| label == "BagIt-Profile-Identifier" && value == PROFILE_ID)
}

/// Check the bag against the profile it declares; problems go to `problems`.
pub fn check(source: &dyn BagSource, report: &BagReport, problems: &mut Vec<Problem>) {
    let info_name = source.name_of("bag-info.txt");
    let declared: Vec<&str> = report
        .info
        .iter()
        .filter(|(label, _)| label == "BagIt-Profile-Identifier")
        .map(|(_, value)| value.as_str())
        .collect();
    if !declared.contains(&PROFILE_ID) {
        if declared.is_empty() {
            for path in WITH_PROFILE {
                if report.has(path) {
                    problems.push(Problem::error(
                        &info_name,
                        "profile-missing",
                        format!(
                            "the release holds `{path}` but does not declare archivist's BagIt \
                             profile (BagIt-Profile-Identifier: {PROFILE_ID})"
                        ),
                    ));
                    break;
                }
            }
        } else {
            problems.push(Problem::warning(
                &info_name,
                "profile-unknown",
                format!(
                    "declares the BagIt profile {}, not archivist's: not checked against it",
                    declared.join(", ")
                ),
            ));
        }
        return;
    }
    let profile: Value = serde_json::from_str(PROFILE).expect("the embedded profile is JSON");
    let violation = |path: &str, message: String| {
        Problem::error(source.name_of(path), "profile-violation", message)
    };
    let strings = |key: &str| -> Vec<String> {
        profile[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };

    if let Some(tags) = profile["Bag-Info"].as_object() {
        for (tag, rule) in tags {
            let values: Vec<&str> = report
                .info
                .iter()
                .filter(|(label, _)| label == tag)
                .map(|(_, v)| v.as_str())
                .collect();
            if rule["required"] == true && values.is_empty() {
                problems.push(violation(
                    "bag-info.txt",
                    format!("the profile requires the tag `{tag}`"),
                ));
            }
            if rule["repeatable"] == false && values.len() > 1 {
                problems.push(violation(
                    "bag-info.txt",
                    format!(
                        "`{tag}` is given {} times; the profile allows it once",
                        values.len()
                    ),
                ));
            }
            if let Some(allowed) = rule["values"].as_array() {
                for value in &values {
                    if !allowed.iter().any(|a| a.as_str() == Some(value)) {
                        problems.push(violation(
                            "bag-info.txt",
                            format!("`{tag}: {value}` is not a value the profile allows"),
                        ));
                    }
                }
            }
        }
    }

    // Tag files are few; payload files are checked as they stream by (below), never held.
    let mut tag_files = Vec::new();
    for row in report.digests.rows() {
        let Ok(row) = row else { break };
        if !row.path.starts_with("data/") {
            tag_files.push(row.path);
        }
    }
    for (kind, prefix) in [
        ("Manifests", "manifest-"),
        ("Tag-Manifests", "tagmanifest-"),
    ] {
        let required = strings(&format!("{kind}-Required"));
        let allowed = strings(&format!("{kind}-Allowed"));
        for algorithm in &required {
            let path = format!("{prefix}{algorithm}.txt");
            if !report.has(&path) {
                problems.push(violation(
                    &path,
                    "the profile requires this manifest".into(),
                ));
            }
        }
        for path in &tag_files {
            if let Some(algorithm) = path
                .strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(".txt"))
                && !allowed.iter().any(|a| a == algorithm)
            {
                problems.push(violation(
                    path,
                    format!("the profile allows {kind} in {} only", allowed.join(", ")),
                ));
            }
        }
    }
    for path in strings("Tag-Files-Required") {
        if !report.has(&path) {
            problems.push(violation(
                &path,
                "the profile requires this tag file".into(),
            ));
        }
    }
    let allowed = strings("Tag-Files-Allowed");
    for path in &tag_files {
        if !allowed.iter().any(|pattern| glob(pattern, path)) {
            problems.push(violation(
                path,
                "the profile does not allow this tag file".into(),
            ));
        }
    }
    if profile["Allow-Fetch.txt"] == false && report.has("fetch.txt") {
        problems.push(violation(
            "fetch.txt",
            "the profile allows no fetch.txt".into(),
        ));
    }
    let versions = strings("Accept-BagIt-Version");
    if let Some(version) = &report.version
        && !versions.contains(version)
    {
        problems.push(violation(
            "bagit.txt",
            format!(
                "BagIt {version}: the profile accepts {}",
                versions.join(", ")
            ),
        ));
    }
    for path in strings("Payload-Files-Required") {
        if !report.has(&path) {
            problems.push(violation(
                &path,
                "the profile requires this payload file".into(),
            ));
        }
    }
    let allowed = strings("Payload-Files-Allowed");
    for row in report.digests.rows() {
        let Ok(row) = row else { break };
        let path = row.path;
        if path.starts_with("data/") && !allowed.iter().any(|pattern| glob(pattern, &path)) {
            problems.push(violation(
                &path,
                "the profile does not allow this payload file".into(),
            ));
        }
    }
}

/// Whether `path` matches `pattern`, where `*` stands for any run of characters (`/` included,
/// as in Python's fnmatch, which the profile's reference validator uses) and `?` for one.
pub fn glob(pattern: &str, path: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), path.chars().collect());
    // Iterative matching with backtracking to the last star.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < s.len() {
        if i < p.len() && (p[i] == '?' || p[i] == s[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_as_fnmatch_does() {
        assert!(glob("data/raw/*", "data/raw/a/b.txt"));
        assert!(glob("data/text/*.txt", "data/text/x.txt"));
        assert!(!glob("data/text/*.txt", "data/text/x.md"));
        assert!(glob("manifest-*.txt", "manifest-sha256.txt"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("bagit.txt", "bagit.txt"));
        assert!(!glob("bagit.txt", "bagit.txt2"));
        assert!(glob("*a*b", "xxaxxb"));
        assert!(!glob("*a*b", "xxaxxbc"));
    }

    #[test]
    fn the_embedded_profile_names_itself_and_requires_the_new_files() {
        let profile: Value = serde_json::from_str(PROFILE).unwrap();
        assert_eq!(
            profile["BagIt-Profile-Info"]["BagIt-Profile-Identifier"],
            PROFILE_ID
        );
        assert_eq!(
            profile["Bag-Info"]["BagIt-Profile-Identifier"]["values"][0],
            PROFILE_ID
        );
        let required = profile["Payload-Files-Required"].as_array().unwrap();
        for path in WITH_PROFILE {
            assert!(required.iter().any(|p| p == path), "{path}");
        }
    }
}
