//! Storage layouts: how a storage root maps an object id to the object's folder. A root declares
//! its layout in `ocfl_layout.json` and keeps the extension's parameters in
//! `extensions/<name>/config.json`; [`Layout::of_root`] reads both, and [`Layout::path`] maps an
//! id exactly as the extension's specification says. Deposits use it to find and to create
//! objects, the audit to check that every object is where the layout puts it (E083).
//!
//! Supported: `0002-flat-direct-storage-layout`, `0003-hash-and-id-n-tuple-storage-layout`,
//! `0004-hashed-n-tuple-storage-layout`, `0006-flat-omit-prefix-storage-layout` and
//! `0007-n-tuple-omit-prefix-storage-layout`, with every parameter their specifications define.

use crate::digest::{Algorithm, MultiHasher};
use serde_json::Value;
use std::path::Path;

pub const FLAT_DIRECT: &str = "0002-flat-direct-storage-layout";
pub const HASH_AND_ID: &str = "0003-hash-and-id-n-tuple-storage-layout";
pub const HASHED_N_TUPLE: &str = "0004-hashed-n-tuple-storage-layout";
pub const FLAT_OMIT_PREFIX: &str = "0006-flat-omit-prefix-storage-layout";
pub const N_TUPLE_OMIT_PREFIX: &str = "0007-n-tuple-omit-prefix-storage-layout";

/// A storage layout with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// 0002: the id is the object's folder, unchanged.
    FlatDirect,
    /// 0003: tuples of the id's digest, then the percent-encoded id.
    HashAndId {
        algorithm: Algorithm,
        tuple_size: usize,
        tuples: usize,
    },
    /// 0004: tuples of the id's digest, then the digest (or, short, what the tuples left of it).
    HashedNTuple {
        algorithm: Algorithm,
        tuple_size: usize,
        tuples: usize,
        short_root: bool,
    },
    /// 0006: the id without its prefix (up to the last delimiter).
    FlatOmitPrefix { delimiter: String },
    /// 0007: tuples of the padded (and perhaps reversed) id without its prefix, then that id.
    NTupleOmitPrefix {
        delimiter: String,
        tuple_size: usize,
        tuples: usize,
        pad_right: bool,
        reverse: bool,
    },
}

/// What a root says about its layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RootLayout {
    /// A layout archivist can map ids with.
    Known(Layout),
    /// No `ocfl_layout.json`: objects can be found (by looking), not placed.
    Undeclared,
    /// A layout archivist does not implement, or a configuration it cannot use: the reason.
    Unusable(String),
}

impl Layout {
    /// The default for new roots: 0004 with its defaults.
    pub fn default_new() -> Layout {
        Layout::HashedNTuple {
            algorithm: Algorithm::Sha256,
            tuple_size: 3,
            tuples: 3,
            short_root: false,
        }
    }

    /// The extension's registered name.
    pub fn extension(&self) -> &'static str {
        match self {
            Layout::FlatDirect => FLAT_DIRECT,
            Layout::HashAndId { .. } => HASH_AND_ID,
            Layout::HashedNTuple { .. } => HASHED_N_TUPLE,
            Layout::FlatOmitPrefix { .. } => FLAT_OMIT_PREFIX,
            Layout::NTupleOmitPrefix { .. } => N_TUPLE_OMIT_PREFIX,
        }
    }

    /// The `config.json` this layout is written with.
    pub fn config(&self) -> Value {
        use serde_json::json;
        match self {
            Layout::FlatDirect => json!({"extensionName": FLAT_DIRECT}),
            Layout::HashAndId {
                algorithm,
                tuple_size,
                tuples,
            } => json!({"extensionName": HASH_AND_ID, "digestAlgorithm": algorithm.name(),
                "tupleSize": tuple_size, "numberOfTuples": tuples}),
            Layout::HashedNTuple {
                algorithm,
                tuple_size,
                tuples,
                short_root,
            } => json!({"extensionName": HASHED_N_TUPLE, "digestAlgorithm": algorithm.name(),
                "tupleSize": tuple_size, "numberOfTuples": tuples, "shortObjectRoot": short_root}),
            Layout::FlatOmitPrefix { delimiter } => {
                json!({"extensionName": FLAT_OMIT_PREFIX, "delimiter": delimiter})
            }
            Layout::NTupleOmitPrefix {
                delimiter,
                tuple_size,
                tuples,
                pad_right,
                reverse,
            } => json!({"extensionName": N_TUPLE_OMIT_PREFIX, "delimiter": delimiter,
                "tupleSize": tuple_size, "numberOfTuples": tuples,
                "zeroPadding": if *pad_right { "right" } else { "left" },
                "reverseObjectRoot": reverse}),
        }
    }

    /// The layout `name` with the parameters of `config` (`None`: no config.json, the defaults).
    pub fn from_config(name: &str, config: Option<&Value>) -> Result<Layout, String> {
        let empty = serde_json::Map::new();
        let map = match config {
            None => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => return Err("config.json is not a JSON object".into()),
        };
        if let Some(declared) = map.get("extensionName")
            && declared.as_str() != Some(name)
        {
            return Err(format!(
                "config.json names the extension {declared}, ocfl_layout.json names {name}"
            ));
        }
        let number = |key: &str, default: usize, min: usize| -> Result<usize, String> {
            match map.get(key) {
                None => Ok(default),
                Some(v) => v
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| (min..=32).contains(n))
                    .ok_or_else(|| format!("{key} must be an integer from {min} to 32, not {v}")),
            }
        };
        let boolean = |key: &str| -> Result<bool, String> {
            match map.get(key) {
                None => Ok(false),
                Some(Value::Bool(b)) => Ok(*b),
                Some(v) => Err(format!("{key} must be true or false, not {v}")),
            }
        };
        let algorithm = || -> Result<Algorithm, String> {
            match map.get("digestAlgorithm") {
                None => Ok(Algorithm::Sha256),
                Some(v) => v.as_str().and_then(ocfl_algorithm).ok_or_else(|| {
                    format!("digestAlgorithm {v} is not one archivist can compute (md5, sha1, sha224, sha256, sha384, sha512, blake2b-512)")
                }),
            }
        };
        let delimiter = |default: Option<&str>| -> Result<String, String> {
            match (map.get("delimiter"), default) {
                (Some(Value::String(d)), _) if !d.is_empty() => Ok(d.clone()),
                (None, Some(d)) => Ok(d.to_owned()),
                (None, None) => Err("the required parameter delimiter is missing".into()),
                (Some(v), _) => Err(format!("delimiter must be a non-empty string, not {v}")),
            }
        };
        let tuples_fit = |algorithm: Algorithm, size: usize, count: usize| {
            if (size == 0) != (count == 0) {
                Err("tupleSize and numberOfTuples must both be 0 or both be more".to_owned())
            } else if size * count > algorithm.hex_len() {
                Err(format!(
                    "tupleSize x numberOfTuples is {}, longer than a {} digest",
                    size * count,
                    algorithm.name()
                ))
            } else {
                Ok(())
            }
        };
        match name {
            FLAT_DIRECT => Ok(Layout::FlatDirect),
            HASH_AND_ID => {
                let algorithm = algorithm()?;
                let (tuple_size, tuples) =
                    (number("tupleSize", 3, 0)?, number("numberOfTuples", 3, 0)?);
                tuples_fit(algorithm, tuple_size, tuples)?;
                Ok(Layout::HashAndId {
                    algorithm,
                    tuple_size,
                    tuples,
                })
            }
            HASHED_N_TUPLE => {
                let algorithm = algorithm()?;
                let (tuple_size, tuples) =
                    (number("tupleSize", 3, 0)?, number("numberOfTuples", 3, 0)?);
                tuples_fit(algorithm, tuple_size, tuples)?;
                let short_root = boolean("shortObjectRoot")?;
                if short_root && tuple_size * tuples == algorithm.hex_len() {
                    return Err(
                        "shortObjectRoot must be false when the tuples use the whole digest".into(),
                    );
                }
                Ok(Layout::HashedNTuple {
                    algorithm,
                    tuple_size,
                    tuples,
                    short_root,
                })
            }
            FLAT_OMIT_PREFIX => Ok(Layout::FlatOmitPrefix {
                delimiter: delimiter(None)?,
            }),
            N_TUPLE_OMIT_PREFIX => {
                let pad_right = match map.get("zeroPadding") {
                    None => false,
                    Some(v) if v == "left" => false,
                    Some(v) if v == "right" => true,
                    Some(v) => return Err(format!("zeroPadding must be left or right, not {v}")),
                };
                Ok(Layout::NTupleOmitPrefix {
                    delimiter: delimiter(Some(":"))?,
                    tuple_size: number("tupleSize", 3, 1)?,
                    tuples: number("numberOfTuples", 3, 1)?,
                    pad_right,
                    reverse: boolean("reverseObjectRoot")?,
                })
            }
            other => Err(format!(
                "the storage layout {other} is not one archivist implements ({FLAT_DIRECT}, {HASH_AND_ID}, {HASHED_N_TUPLE}, {FLAT_OMIT_PREFIX}, {N_TUPLE_OMIT_PREFIX})"
            )),
        }
    }

    /// The layout a storage root on disk declares.
    pub fn of_root(root: &Path) -> RootLayout {
        Layout::of_tree(&super::tree::Disk::new(root))
    }

    /// The layout a storage root declares (`ocfl_layout.json`, `extensions/<name>/config.json`).
    pub fn of_tree(root: &dyn super::tree::Tree) -> RootLayout {
        let declared = "ocfl_layout.json";
        if root.kind(declared).is_none() {
            return RootLayout::Undeclared;
        }
        let shown = root.show(declared);
        let bytes = match root.read(declared, 1 << 20) {
            Ok(bytes) => bytes,
            Err(e) => return RootLayout::Unusable(format!("`{shown}`: {e}")),
        };
        let name = match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => match v.get("extension").and_then(Value::as_str) {
                Some(name) => name.to_owned(),
                None => {
                    return RootLayout::Unusable(format!("`{shown}` names no extension"));
                }
            },
            Err(e) => {
                return RootLayout::Unusable(format!("`{shown}`: {e}"));
            }
        };
        let config_rel = format!("extensions/{name}/config.json");
        let config_shown = root.show(&config_rel);
        let config = match root.read(&config_rel, 1 << 20) {
            Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) => Some(v),
                Err(e) => {
                    return RootLayout::Unusable(format!("`{config_shown}`: {e}"));
                }
            },
            Err(_) => None,
        };
        match Layout::from_config(&name, config.as_ref()) {
            Ok(layout) => RootLayout::Known(layout),
            Err(why) => RootLayout::Unusable(format!("`{config_shown}`: {why}")),
        }
    }

    /// Where the object `id` lives below the root, `/`-separated; `Err` with the reason when the
    /// extension cannot map this id (its specification names such ids).
    pub fn path(&self, id: &str) -> Result<String, String> {
        let path = match self {
            Layout::FlatDirect => segment(id, id)?.to_owned(),
            Layout::HashAndId {
                algorithm,
                tuple_size,
                tuples,
            } => {
                let digest = digest(*algorithm, id);
                let mut encoded = percent_encode(id);
                if encoded.len() > 100 {
                    encoded.truncate(100);
                    encoded.push('-');
                    encoded.push_str(&digest);
                }
                join_tuples(&digest, *tuple_size, *tuples, &encoded)
            }
            Layout::HashedNTuple {
                algorithm,
                tuple_size,
                tuples,
                short_root,
            } => {
                let digest = digest(*algorithm, id);
                let last = if *short_root {
                    &digest[tuple_size * tuples..]
                } else {
                    &digest
                };
                join_tuples(&digest, *tuple_size, *tuples, last)
            }
            Layout::FlatOmitPrefix { delimiter } => {
                segment(id, omit_prefix(id, delimiter)?)?.to_owned()
            }
            Layout::NTupleOmitPrefix {
                delimiter,
                tuple_size,
                tuples,
                pad_right,
                reverse,
            } => {
                if let Some(c) = id.chars().find(|c| !(' '..='\u{7f}').contains(c)) {
                    return Err(format!(
                        "`{id}` has the character {c:?}; {N_TUPLE_OMIT_PREFIX} maps ASCII identifiers only"
                    ));
                }
                let rest = segment(id, omit_prefix(id, delimiter)?)?;
                let width = tuple_size * tuples;
                let mut padded = rest.to_owned();
                if padded.len() < width {
                    let zeros = "0".repeat(width - padded.len());
                    padded = if *pad_right {
                        format!("{padded}{zeros}")
                    } else {
                        format!("{zeros}{padded}")
                    };
                }
                if *reverse {
                    padded = padded.chars().rev().collect();
                }
                join_tuples(&padded, *tuple_size, *tuples, rest)
            }
        };
        // Tuples of ids (0007) may make `.` or `..`: never a path that leaves the root.
        match crate::path::RelPath::new(&path) {
            Ok(_) if path.split('/').next() != Some("extensions") && !path.starts_with("0=") => {
                Ok(path)
            }
            _ => Err(format!(
                "{} maps `{id}` to `{path}`, which is not a folder an object can have",
                self.extension()
            )),
        }
    }
}

/// An algorithm by its OCFL name (the specification's and extension 0001's: `md5`, `sha1`,
/// `sha256`, `sha512`, `blake2b-512`; and `sha224`, `sha384`), when archivist computes it.
pub fn ocfl_algorithm(name: &str) -> Option<Algorithm> {
    match name {
        "md5" => Some(Algorithm::Md5),
        "sha1" => Some(Algorithm::Sha1),
        "sha224" => Some(Algorithm::Sha224),
        "sha256" => Some(Algorithm::Sha256),
        "sha384" => Some(Algorithm::Sha384),
        "sha512" => Some(Algorithm::Sha512),
        "blake2b-512" => Some(Algorithm::Blake2b),
        _ => None,
    }
}

fn digest(algorithm: Algorithm, id: &str) -> String {
    let mut hasher = MultiHasher::new([algorithm]);
    hasher.update(id.as_bytes());
    hasher.finish().remove(0).1
}

fn join_tuples(source: &str, size: usize, count: usize, last: &str) -> String {
    let mut parts: Vec<&str> = (0..count)
        .map(|i| &source[i * size..(i + 1) * size])
        .collect();
    parts.push(last);
    parts.join("/")
}

/// 0003's encapsulation directory: every character but `A-Za-z0-9-_` as `%xx` of its UTF-8
/// bytes, lowercase hex.
fn percent_encode(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for &b in id.as_bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// What follows the last (case-insensitive) occurrence of `delimiter`; the whole id when it has
/// none; an error when it ends with the delimiter.
fn omit_prefix<'a>(id: &'a str, delimiter: &str) -> Result<&'a str, String> {
    let (hay, needle) = (id.as_bytes(), delimiter.as_bytes());
    let found = (0..=hay.len().saturating_sub(needle.len()))
        .rev()
        .find(|&i| {
            hay.len() >= needle.len() && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
        });
    match found {
        None => Ok(id),
        Some(i) if i + needle.len() == id.len() => Err(format!(
            "`{id}` ends with the delimiter `{delimiter}`: nothing is left to name the object"
        )),
        Some(i) => id
            .get(i + needle.len()..)
            .ok_or_else(|| format!("`{id}`: the delimiter splits a character")),
    }
}

/// A name that must be one folder name.
fn segment<'a>(id: &str, name: &'a str) -> Result<&'a str, String> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        Err(format!(
            "`{id}` gives the object folder `{name}`, which is not one folder name"
        ))
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blake2b_512_is_the_ocfl_name_of_64_byte_blake2b() {
        let l = layout(
            json!({"extensionName": HASHED_N_TUPLE, "digestAlgorithm": "blake2b-512",
            "tupleSize": 0, "numberOfTuples": 0}),
        );
        // BLAKE2b-512 of "abc" (RFC 7693, appendix A).
        assert_eq!(
            l.path("abc").unwrap(),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        );
    }

    fn layout(config: Value) -> Layout {
        let name = config["extensionName"].as_str().unwrap().to_owned();
        Layout::from_config(&name, Some(&config)).unwrap()
    }

    #[test]
    fn flat_direct_is_the_id_itself_as_the_0002_examples_say() {
        let l = layout(json!({"extensionName": FLAT_DIRECT}));
        assert_eq!(l.path("object-01").unwrap(), "object-01");
        assert_eq!(l.path("..hor_rib:lé-$id").unwrap(), "..hor_rib:lé-$id");
        // Example 2: ids that are no folder name cannot be mapped.
        assert!(l.path("info:fedora/object-01").is_err());
    }

    #[test]
    fn hash_and_id_matches_the_0003_examples() {
        let l = Layout::from_config(HASH_AND_ID, None).unwrap();
        assert_eq!(l.path("object-01").unwrap(), "3c0/ff4/240/object-01");
        assert_eq!(
            l.path("..hor/rib:le-$id").unwrap(),
            "487/326/d8c/%2e%2ehor%2frib%3ale-%24id"
        );
        assert_eq!(
            l.path("..Hor/rib:lè-$id").unwrap(),
            "373/529/21a/%2e%2eHor%2frib%3al%c3%a8-%24id"
        );
        let long = "abcdefghij".repeat(26);
        assert_eq!(
            l.path(&long).unwrap(),
            format!(
                "55b/432/806/{}-55b432806f4e270da0cf23815ed338742179002153cd8d896f23b3e2d8a14359",
                "abcdefghij".repeat(10)
            )
        );
        let long101 = format!("{}a", "abcdefghij".repeat(10));
        assert_eq!(
            l.path(&long101).unwrap(),
            format!(
                "5cc/73e/648/{}-5cc73e648fbcff136510e330871180922ddacf193b68fdeff855683a01464220",
                "abcdefghij".repeat(10)
            )
        );
        let md5 = layout(
            json!({"extensionName": HASH_AND_ID, "digestAlgorithm": "md5",
            "tupleSize": 2, "numberOfTuples": 15}),
        );
        assert_eq!(
            md5.path("object-01").unwrap(),
            "ff/75/53/44/92/48/5e/ab/b3/9f/86/35/67/28/88/object-01"
        );
        assert_eq!(
            md5.path("..hor/rib:le-$id").unwrap(),
            "08/31/97/66/fb/6c/29/35/dd/17/5b/94/26/77/17/%2e%2ehor%2frib%3ale-%24id"
        );
        let flat =
            layout(json!({"extensionName": HASH_AND_ID, "tupleSize": 0, "numberOfTuples": 0}));
        assert_eq!(flat.path("object-01").unwrap(), "object-01");
        let five = layout(
            json!({"extensionName": HASH_AND_ID, "digestAlgorithm": "md5",
            "tupleSize": 5, "numberOfTuples": 2}),
        );
        assert_eq!(five.path("object-01").unwrap(), "ff755/34492/object-01");
    }

    #[test]
    fn hashed_n_tuple_matches_the_0004_examples() {
        let l = Layout::from_config(HASHED_N_TUPLE, None).unwrap();
        assert_eq!(l, Layout::default_new());
        assert_eq!(
            l.path("object-01").unwrap(),
            "3c0/ff4/240/3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4"
        );
        assert_eq!(
            l.path("..hor/rib:le-$id").unwrap(),
            "487/326/d8c/487326d8c2a3c0b885e23da1469b4d6671fd4e76978924b4443e9e3c316cda6d"
        );
        let short = layout(
            json!({"extensionName": HASHED_N_TUPLE, "digestAlgorithm": "md5",
            "tupleSize": 2, "numberOfTuples": 15, "shortObjectRoot": true}),
        );
        assert_eq!(
            short.path("object-01").unwrap(),
            "ff/75/53/44/92/48/5e/ab/b3/9f/86/35/67/28/88/4e"
        );
        assert_eq!(
            short.path("..hor/rib:le-$id").unwrap(),
            "08/31/97/66/fb/6c/29/35/dd/17/5b/94/26/77/17/e0"
        );
        let none = layout(json!({"extensionName": HASHED_N_TUPLE, "tupleSize": 0,
            "numberOfTuples": 0, "shortObjectRoot": false}));
        assert_eq!(
            none.path("object-01").unwrap(),
            "3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4"
        );
        // Parameters the specification forbids.
        for bad in [
            json!({"tupleSize": 0, "numberOfTuples": 3}),
            json!({"tupleSize": 32, "numberOfTuples": 3}),
            json!({"tupleSize": 32, "numberOfTuples": 2, "shortObjectRoot": true}),
            json!({"digestAlgorithm": "nosuch"}),
            json!({"extensionName": FLAT_DIRECT}),
        ] {
            assert!(
                Layout::from_config(HASHED_N_TUPLE, Some(&bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn flat_omit_prefix_matches_the_0006_examples() {
        let colon = layout(json!({"extensionName": FLAT_OMIT_PREFIX, "delimiter": ":"}));
        assert_eq!(colon.path("namespace:12887296").unwrap(), "12887296");
        assert_eq!(
            colon
                .path("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")
                .unwrap(),
            "6e8bc430-9c3a-11d9-9669-0800200c9a66"
        );
        let edu = layout(json!({"extensionName": FLAT_OMIT_PREFIX, "delimiter": "edu/"}));
        assert_eq!(
            edu.path("https://institution.edu/3448793").unwrap(),
            "3448793"
        );
        assert_eq!(
            edu.path("https://institution.edu/abc/edu/f8.05v").unwrap(),
            "f8.05v"
        );
        // The delimiter is case-insensitive.
        assert_eq!(
            edu.path("https://institution.EDU/3448793").unwrap(),
            "3448793"
        );
        // Example 3: results that are no folder name.
        let info = layout(json!({"extensionName": FLAT_OMIT_PREFIX, "delimiter": "info:"}));
        assert!(info.path("info:fedora/object-01").is_err());
        assert!(
            info.path("https://example.org/info:/12345/x54xz321/s3/f8.05v")
                .is_err()
        );
        assert!(colon.path("ends:").is_err());
        assert!(Layout::from_config(FLAT_OMIT_PREFIX, None).is_err());
    }

    #[test]
    fn n_tuple_omit_prefix_matches_the_0007_examples() {
        let one = layout(
            json!({"extensionName": N_TUPLE_OMIT_PREFIX, "delimiter": ":",
            "tupleSize": 4, "numberOfTuples": 2, "zeroPadding": "left", "reverseObjectRoot": true}),
        );
        assert_eq!(
            one.path("namespace:12887296").unwrap(),
            "6927/8821/12887296"
        );
        assert_eq!(
            one.path("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")
                .unwrap(),
            "66a9/c002/6e8bc430-9c3a-11d9-9669-0800200c9a66"
        );
        assert_eq!(one.path("abc123").unwrap(), "321c/ba00/abc123");
        let two = layout(
            json!({"extensionName": N_TUPLE_OMIT_PREFIX, "delimiter": "edu/",
            "tupleSize": 3, "numberOfTuples": 3, "zeroPadding": "right", "reverseObjectRoot": false}),
        );
        assert_eq!(
            two.path("https://institution.edu/3448793").unwrap(),
            "344/879/300/3448793"
        );
        assert_eq!(
            two.path("https://institution.edu/abc/edu/f8.05v").unwrap(),
            "f8./05v/000/f8.05v"
        );
        assert!(one.path("urn:é").is_err(), "ASCII only");
        // Defaults: delimiter `:`, three tuples of three, left padding.
        let defaults = Layout::from_config(N_TUPLE_OMIT_PREFIX, None).unwrap();
        assert_eq!(defaults.path("x:ab").unwrap(), "000/000/0ab/ab");
        // A tuple of `..` would leave the root.
        let tiny = layout(json!({"extensionName": N_TUPLE_OMIT_PREFIX, "tupleSize": 2,
            "numberOfTuples": 1}));
        assert!(tiny.path("x:..a").is_err());
    }
}
