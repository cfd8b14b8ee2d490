//! Digests: SHA-256 and SHA-512 for what archivist writes, and for what it verifies every
//! algorithm bagit-python accepts in a manifest (MD5, SHA-1, the SHA-2 and SHA-3 families,
//! BLAKE2b and BLAKE2s), named as bagit-python names them (`manifest-sha3_256.txt`). Hashing is
//! streamed.

use sha2::Digest;

/// Lowercase hex of a byte string.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// A SHA-256 given in hex as an RFC 6920 named-information URI, `ni:///sha-256;<base64url>`:
/// the standard way to name a file by its digest. `None` when `hex` is not 64 hex digits.
pub fn ni_sha256(hex: &str) -> Option<String> {
    let bytes: [u8; 32] = from_hex(hex)?;
    Some(format!("ni:///sha-256;{}", base64url(&bytes)))
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 section 5).
fn base64url(bytes: &[u8]) -> String {
    base64_with(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        false,
    )
}

/// Base64 with the standard alphabet and padding (RFC 4648 section 4).
pub fn base64(bytes: &[u8]) -> String {
    base64_with(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        true,
    )
}

fn base64_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// `N` bytes from `2N` hex digits; `None` for anything else.
pub fn from_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    if hex.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// SHA-256 of `data`, lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&sha2::Sha256::digest(data))
}

/// SHA-512 of `data`, lowercase hex.
pub fn sha512_hex(data: &[u8]) -> String {
    hex(&sha2::Sha512::digest(data))
}

/// A digest algorithm, named as in BagIt manifest file names (`manifest-sha256.txt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    Blake2b,
    Blake2s,
}

impl Algorithm {
    pub const ALL: [Algorithm; 12] = [
        Algorithm::Md5,
        Algorithm::Sha1,
        Algorithm::Sha224,
        Algorithm::Sha256,
        Algorithm::Sha384,
        Algorithm::Sha512,
        Algorithm::Sha3_224,
        Algorithm::Sha3_256,
        Algorithm::Sha3_384,
        Algorithm::Sha3_512,
        Algorithm::Blake2b,
        Algorithm::Blake2s,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha224 => "sha224",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
            Algorithm::Sha3_224 => "sha3_224",
            Algorithm::Sha3_256 => "sha3_256",
            Algorithm::Sha3_384 => "sha3_384",
            Algorithm::Sha3_512 => "sha3_512",
            // hashlib's defaults, which bagit-python uses: 64- and 32-byte digests.
            Algorithm::Blake2b => "blake2b",
            Algorithm::Blake2s => "blake2s",
        }
    }

    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Length of the digest in hex digits.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 => 32,
            Algorithm::Sha1 => 40,
            Algorithm::Sha224 | Algorithm::Sha3_224 => 56,
            Algorithm::Sha256 | Algorithm::Sha3_256 | Algorithm::Blake2s => 64,
            Algorithm::Sha384 | Algorithm::Sha3_384 => 96,
            Algorithm::Sha512 | Algorithm::Sha3_512 | Algorithm::Blake2b => 128,
        }
    }
}

enum State {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Sha3_224(sha3::Sha3_224),
    Sha3_256(sha3::Sha3_256),
    Sha3_384(sha3::Sha3_384),
    Sha3_512(sha3::Sha3_512),
    Blake2b(blake2::Blake2b512),
    Blake2s(blake2::Blake2s256),
}

/// Several digests of one stream at once, so each byte is read once.
pub struct MultiHasher {
    states: Vec<(Algorithm, State)>,
}

impl MultiHasher {
    pub fn new(algorithms: impl IntoIterator<Item = Algorithm>) -> MultiHasher {
        let mut list: Vec<Algorithm> = algorithms.into_iter().collect();
        list.sort();
        list.dedup();
        let states = list
            .into_iter()
            .map(|a| {
                let state = match a {
                    Algorithm::Md5 => State::Md5(md5::Md5::new()),
                    Algorithm::Sha1 => State::Sha1(sha1::Sha1::new()),
                    Algorithm::Sha224 => State::Sha224(sha2::Sha224::new()),
                    Algorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
                    Algorithm::Sha384 => State::Sha384(sha2::Sha384::new()),
                    Algorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
                    Algorithm::Sha3_224 => State::Sha3_224(sha3::Sha3_224::new()),
                    Algorithm::Sha3_256 => State::Sha3_256(sha3::Sha3_256::new()),
                    Algorithm::Sha3_384 => State::Sha3_384(sha3::Sha3_384::new()),
                    Algorithm::Sha3_512 => State::Sha3_512(sha3::Sha3_512::new()),
                    Algorithm::Blake2b => State::Blake2b(blake2::Blake2b512::new()),
                    Algorithm::Blake2s => State::Blake2s(blake2::Blake2s256::new()),
                };
                (a, state)
            })
            .collect();
        MultiHasher { states }
    }

    pub fn update(&mut self, data: &[u8]) {
        for (_, state) in &mut self.states {
            match state {
                State::Md5(h) => h.update(data),
                State::Sha1(h) => h.update(data),
                State::Sha224(h) => h.update(data),
                State::Sha256(h) => h.update(data),
                State::Sha384(h) => h.update(data),
                State::Sha512(h) => h.update(data),
                State::Sha3_224(h) => h.update(data),
                State::Sha3_256(h) => h.update(data),
                State::Sha3_384(h) => h.update(data),
                State::Sha3_512(h) => h.update(data),
                State::Blake2b(h) => h.update(data),
                State::Blake2s(h) => h.update(data),
            }
        }
    }

    /// The digests, lowercase hex, by algorithm.
    pub fn finish(self) -> Vec<(Algorithm, String)> {
        self.states
            .into_iter()
            .map(|(a, state)| {
                let digest = match state {
                    State::Md5(h) => hex(&h.finalize()),
                    State::Sha1(h) => hex(&h.finalize()),
                    State::Sha224(h) => hex(&h.finalize()),
                    State::Sha256(h) => hex(&h.finalize()),
                    State::Sha384(h) => hex(&h.finalize()),
                    State::Sha512(h) => hex(&h.finalize()),
                    State::Sha3_224(h) => hex(&h.finalize()),
                    State::Sha3_256(h) => hex(&h.finalize()),
                    State::Sha3_384(h) => hex(&h.finalize()),
                    State::Sha3_512(h) => hex(&h.finalize()),
                    State::Blake2b(h) => hex(&h.finalize()),
                    State::Blake2s(h) => hex(&h.finalize()),
                };
                (a, digest)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_fips_180_example() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn multi_hasher_matches_known_digests_of_abc() {
        let mut h = MultiHasher::new(Algorithm::ALL);
        h.update(b"a");
        h.update(b"bc");
        let digests = h.finish();
        let get = |a: Algorithm| digests.iter().find(|(x, _)| *x == a).unwrap().1.clone();
        assert_eq!(get(Algorithm::Md5), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            get(Algorithm::Sha1),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(get(Algorithm::Sha256), sha256_hex(b"abc"));
        assert_eq!(get(Algorithm::Sha512), sha512_hex(b"abc"));
        assert_eq!(get(Algorithm::Sha224).len(), 56);
        assert_eq!(get(Algorithm::Sha384).len(), 96);
        // FIPS 202 and RFC 7693 examples for "abc".
        assert_eq!(
            get(Algorithm::Sha3_256),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
        assert!(get(Algorithm::Blake2b).starts_with("ba80a53f981c4d0d6a2797b69f12f6e9"));
        assert_eq!(
            get(Algorithm::Blake2s),
            "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"
        );
        for a in Algorithm::ALL {
            assert_eq!(get(a).len(), a.hex_len(), "{}", a.name());
        }
    }

    #[test]
    fn named_information_uri_matches_rfc_6920() {
        // RFC 6920 section 3, the example: SHA-256 of "Hello World!".
        let hex = super::sha256_hex(b"Hello World!");
        assert_eq!(
            super::ni_sha256(&hex).unwrap(),
            "ni:///sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk"
        );
        assert_eq!(super::base64url(b"fo"), "Zm8");
        assert_eq!(super::base64url(b"foob"), "Zm9vYg");
        assert_eq!(super::base64(b"foob"), "Zm9vYg==");
        assert_eq!(super::base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
        assert!(super::ni_sha256("abc").is_none());
        assert_eq!(super::from_hex::<2>("0aFf"), Some([0x0a, 0xff]));
        assert_eq!(super::from_hex::<2>("0aF"), None);
        assert_eq!(super::from_hex::<1>("zz"), None);
    }
}
