//! Signatures: a minisign (Ed25519) signature of a release's `sha256sum` sidecar.
//!
//! A checksum published on the same server as the archive proves the download is intact; a
//! signature by a key the publisher announced elsewhere proves who made the release. The sidecar
//! names the zip and its SHA-256, so signing it signs the release. Files are in minisign's own
//! formats (`NAME.pub`, `NAME.key`, `<zip>.sha256.minisig`), so the standard `minisign` tool
//! checks them: `minisign -Vm <zip>.sha256 -p NAME.pub`.
//!
//! Secret keys are encrypted with a password (scrypt, as minisign does) unless made with
//! `--no-password`; the password comes from `ARCHIVIST_KEY_PASSWORD` or, on a terminal, a
//! prompt on stderr.

use crate::error::{Error, Result};
use minisign::{KeyPair, PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The environment variable a secret key's password is read from.
pub const PASSWORD_ENV: &str = "ARCHIVIST_KEY_PASSWORD";

/// The signature file of a sidecar: `<zip>.sha256.minisig`.
pub fn signature_path(sidecar: &Path) -> PathBuf {
    let mut path = sidecar.as_os_str().to_owned();
    path.push(".minisig");
    PathBuf::from(path)
}

/// A key id as minisign prints it: 16 uppercase hex digits of the little-endian number.
fn key_id(keynum: &[u8]) -> String {
    keynum.iter().rev().map(|b| format!("{b:02X}")).collect()
}

fn crypto_error(path: &Path, what: &str, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("`{}`: {what}: {e}", path.display()))
}

/// Where a password comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Password {
    /// `ARCHIVIST_KEY_PASSWORD`, else a prompt when stdin and stderr are terminals.
    Ask,
    /// No password: the secret key is stored unencrypted (keygen only).
    None,
}

fn read_password(confirm: bool, what: &Path) -> Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::Usage(format!(
            "`{}`: a password is needed and there is no terminal to ask on: set {PASSWORD_ENV}",
            what.display()
        )));
    }
    let prompt = |text: &str| -> Result<String> {
        eprint!("{text}");
        let _ = std::io::stderr().flush();
        rpassword::read_password().map_err(Error::Io)
    };
    let password = prompt(&format!("Password for `{}`: ", what.display()))?;
    if confirm && prompt("The same password again: ")? != password {
        return Err(Error::Usage("the two passwords differ".into()));
    }
    Ok(password)
}

/// Paths of a key pair made by [`keygen`].
#[derive(Debug)]
pub struct KeyFiles {
    pub public: PathBuf,
    pub secret: PathBuf,
    pub key_id: String,
}

/// Make a key pair: `DIR/NAME.pub` and `DIR/NAME.key` (mode 0600). Existing files are never
/// replaced unless `force`.
pub fn keygen(dir: &Path, name: &str, password: Password, force: bool) -> Result<KeyFiles> {
    let public = dir.join(format!("{name}.pub"));
    let secret = dir.join(format!("{name}.key"));
    if !force {
        for path in [&public, &secret] {
            if path.exists() {
                return Err(Error::Refused {
                    message: format!("`{}` exists already", path.display()),
                    hint: Some(
                        "a key is not replaced by accident; pass --force to replace it".into(),
                    ),
                });
            }
        }
    }
    let pair = KeyPair::generate_unencrypted_keypair()
        .map_err(|e| crypto_error(&secret, "cannot make a key pair", e))?;
    let id = key_id(pair.pk.keynum());
    let secret_text = match password {
        Password::None => pair
            .sk
            .to_box(Some(&format!("archivist secret key {id} (not encrypted)")))
            .map_err(|e| crypto_error(&secret, "cannot encode the secret key", e))?
            .into_string(),
        Password::Ask => {
            let password = read_password(true, &secret)?;
            let comment = format!("archivist encrypted secret key {id}");
            encrypt_secret_key(&pair.sk.to_bytes(), &password, &comment)
                .map_err(|e| crypto_error(&secret, "cannot encrypt the secret key", e))?
        }
    };
    let public_text = pair
        .pk
        .to_box()
        .map_err(|e| crypto_error(&public, "cannot encode the public key", e))?
        .into_string();
    fs_err::create_dir_all(dir)?;
    write_new(&secret, secret_text.as_bytes(), 0o600, force)?;
    write_new(&public, public_text.as_bytes(), 0o644, force)?;
    Ok(KeyFiles {
        public,
        secret,
        key_id: id,
    })
}

/// scrypt's cost for a new secret key: N = 2^20, r = 8, p = 1 (1 GiB, about a second), the
/// parameters minisign itself writes (its opslimit and memlimit "sensitive"). The minisign crate
/// would use 32 MiB; a stolen key file deserves the stronger work factor.
const KDF_OPSLIMIT: u64 = 33_554_432;
const KDF_MEMLIMIT: u64 = 1_073_741_824;
const KDF_LOG_N: u8 = 20;

/// A minisign secret key file for the unencrypted key `bytes` (minisign's layout: algorithm,
/// KDF, checksum algorithm, salt, opslimit, memlimit, then key id, key and checksum), encrypted
/// as minisign does: the last 104 bytes XORed with scrypt(password, salt).
fn encrypt_secret_key(bytes: &[u8], password: &str, comment: &str) -> Result<String, String> {
    const SALT: std::ops::Range<usize> = 6..38;
    const SECRET: std::ops::RangeFrom<usize> = 54..;
    if bytes.len() != 158 || bytes[2..4] != [0, 0] {
        return Err("unexpected secret key layout".into());
    }
    let mut key = bytes.to_vec();
    key[2..4].copy_from_slice(b"Sc");
    getrandom::fill(&mut key[SALT]).map_err(|e| e.to_string())?;
    key[38..46].copy_from_slice(&KDF_OPSLIMIT.to_le_bytes());
    key[46..54].copy_from_slice(&KDF_MEMLIMIT.to_le_bytes());
    let mut stream = vec![0u8; key.len() - SECRET.start];
    let params = scrypt::Params::new(KDF_LOG_N, 8, 1, scrypt::Params::RECOMMENDED_LEN)
        .map_err(|e| e.to_string())?;
    scrypt::scrypt(password.as_bytes(), &key[SALT], &params, &mut stream)
        .map_err(|e| e.to_string())?;
    for (byte, mask) in key[SECRET].iter_mut().zip(&stream) {
        *byte ^= mask;
    }
    Ok(format!(
        "untrusted comment: {comment}\n{}\n",
        crate::digest::base64(&key)
    ))
}

/// Write a new file with permissions `mode` (before the umask); with `force` an existing one is
/// replaced, otherwise it is an error.
fn write_new(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<()> {
    use fs_err::os::unix::fs::OpenOptionsExt;
    if force {
        let _ = std::fs::remove_file(path);
    }
    let mut file = fs_err::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// A secret key, decrypted, with its public half.
pub struct Signer {
    path: PathBuf,
    secret: SecretKey,
    public: PublicKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, key {})", self.path.display(), self.key_id())
    }
}

impl Signer {
    /// Read and, when it is encrypted, decrypt the secret key at `path` (a minisign secret key
    /// file, from `archivist keygen` or `minisign -G`).
    pub fn load(path: &Path) -> Result<Signer> {
        let text = fs_err::read_to_string(path)?;
        let unencrypted =
            SecretKeyBox::from_string(&text).and_then(SecretKeyBox::into_unencrypted_secret_key);
        let secret = match unencrypted {
            Ok(key) => key,
            Err(e) if e.to_string().contains("encrypted") => {
                let password = read_password(false, path)?;
                SecretKeyBox::from_string(&text)
                    .and_then(|b| b.into_secret_key(Some(password)))
                    .map_err(|e| Error::Refused {
                        message: format!(
                            "`{}`: cannot decrypt the secret key: {e}",
                            path.display()
                        ),
                        hint: Some(format!("check the password ({PASSWORD_ENV})")),
                    })?
            }
            Err(e) => {
                return Err(crypto_error(path, "not a minisign secret key", e));
            }
        };
        let public = PublicKey::from_secret_key(&secret)
            .map_err(|e| crypto_error(path, "not a minisign secret key", e))?;
        Ok(Signer {
            path: path.to_path_buf(),
            secret,
            public,
        })
    }

    pub fn key_id(&self) -> String {
        key_id(self.public.keynum())
    }

    /// A signature of `data` (the sidecar's bytes) in minisign's format. The trusted comment
    /// (signed too) carries the signing time and the file name, as minisign writes it.
    pub fn sign(&self, data: &[u8], file_name: &str) -> Result<String> {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let trusted = format!("timestamp:{timestamp}\tfile:{file_name}\thashed");
        let untrusted = format!("signature from archivist secret key {}", self.key_id());
        let signature = minisign::sign(
            Some(&self.public),
            &self.secret,
            data,
            Some(&trusted),
            Some(&untrusted),
        )
        .map_err(|e| crypto_error(&self.path, "cannot sign", e))?;
        Ok(signature.into_string())
    }
}

/// A public key to check signatures with: a minisign public key file, or the key itself in
/// base64 (as `minisign -P` takes it).
pub fn load_public_key(given: &str) -> Result<PublicKey> {
    let path = Path::new(given);
    if path.is_file() {
        let text = fs_err::read_to_string(path)?;
        return PublicKeyBox::from_string(&text)
            .and_then(PublicKeyBox::into_public_key)
            .map_err(|e| crypto_error(path, "not a minisign public key", e));
    }
    PublicKey::from_base64(given.trim()).map_err(|e| {
        Error::Usage(format!(
            "--pubkey `{given}`: neither a public key file nor a base64 public key: {e}"
        ))
    })
}

/// A signature that checked out.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified {
    pub key_id: String,
    pub trusted_comment: String,
}

/// Check the signature text `signature` of `data` against `key`. The error says what is wrong
/// and is meant for a problem report.
pub fn verify(
    key: &PublicKey,
    signature: &str,
    data: &[u8],
) -> std::result::Result<Verified, String> {
    let signature = SignatureBox::from_string(signature)
        .map_err(|e| format!("not a minisign signature: {e}"))?;
    let signed_by = key_id(signature.keynum());
    let expected = key_id(key.keynum());
    if signed_by != expected {
        return Err(format!(
            "signed with key {signed_by}, not with the key given ({expected})"
        ));
    }
    minisign::verify(
        key,
        &signature,
        std::io::Cursor::new(data),
        true,
        false,
        false,
    )
    .map_err(|e| format!("the signature does not match: {e}"))?;
    Ok(Verified {
        key_id: signed_by,
        trusted_comment: signature.trusted_comment().unwrap_or_default(),
    })
}

/// Sign the sidecar at `sidecar`, writing `<sidecar>.minisig` through a temporary file and a
/// link. An existing signature is kept when it is valid for this key (a release is signed once)
/// and refused otherwise. Returns whether a signature was written.
pub fn sign_sidecar(signer: &Signer, sidecar: &Path) -> Result<bool> {
    let data = fs_err::read(sidecar)?;
    let target = signature_path(sidecar);
    let existing = if target.exists() {
        Some(fs_err::read(&target)?)
    } else {
        let file_name = sidecar
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = signer.sign(&data, &file_name)?;
        crate::package::publish_new(&target, text.as_bytes())?
    };
    let Some(existing) = existing else {
        return Ok(true);
    };
    match verify(&signer.public, &String::from_utf8_lossy(&existing), &data) {
        Ok(_) => Ok(false),
        Err(why) => Err(Error::Refused {
            message: format!("`{}` exists already: {why}", target.display()),
            hint: Some("a release is signed once; remove the old signature to sign it anew".into()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encrypted_key_decrypts_with_its_password_only() {
        let pair = KeyPair::generate_unencrypted_keypair().unwrap();
        let text = encrypt_secret_key(&pair.sk.to_bytes(), "pw", "test").unwrap();
        let opened = SecretKeyBox::from_string(&text)
            .and_then(|b| b.into_secret_key(Some("pw".into())))
            .expect("the right password decrypts");
        assert_eq!(opened.to_bytes()[54..], pair.sk.to_bytes()[54..]);
        let signature = minisign::sign(Some(&pair.pk), &opened, &b"data"[..], None, None).unwrap();
        assert!(verify(&pair.pk, &signature.into_string(), b"data").is_ok());
        let wrong =
            SecretKeyBox::from_string(&text).and_then(|b| b.into_secret_key(Some("x".into())));
        assert!(wrong.is_err());
        let unencrypted =
            SecretKeyBox::from_string(&text).and_then(SecretKeyBox::into_unencrypted_secret_key);
        assert!(unencrypted.unwrap_err().to_string().contains("encrypted"));
    }
}
