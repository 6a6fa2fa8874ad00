//! Ed25519 keys: generation, the two key-file formats, key ids and the trust set.
//!
//! Key files use the text formats of C2SP signed notes (the Go `note` package), so that
//! an auditor's standard tooling can read our checkpoints with our public keys as they are:
//!
//! - `<prefix>.pub`, the verifier key, one line: `<name>+<hash>+<base64(0x01 ‖ public key)>`
//! - `<prefix>.key`, the signer key, one line:
//!   `PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ 32-byte seed)>`, file mode 0600.
//!
//! `<hash>` is 8 lowercase hex digits: the first four bytes of
//! SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), as C2SP defines the key hash. `0x01` is the
//! Ed25519 algorithm byte.
//!
//! The **key id** used in DSSE envelopes and receipts is the lowercase hex SHA-256 of the 32
//! public-key bytes: it depends on the key alone, never on the name.
//!
//! Secret keys never appear in `Debug` output, errors or logs; a secret key file readable
//! by group or others is refused.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::digest::Digest;
use crate::error::{Error, Result};

/// The algorithm byte of Ed25519 in C2SP note keys.
const ALG_ED25519: u8 = 0x01;
const SECRET_PREFIX: &str = "PRIVATE+KEY+";

/// A public key with its name, as read from a `.pub` file.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    name: String,
    key: VerifyingKey,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("name", &self.name)
            .field("key_id", &self.key_id())
            .finish()
    }
}

impl PublicKey {
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self> {
        check_name(name)?;
        Ok(PublicKey {
            name: name.to_owned(),
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Lowercase hex SHA-256 of the 32 public-key bytes.
    pub fn key_id(&self) -> String {
        Digest::of(self.key.as_bytes()).hex()
    }

    /// The C2SP key hash: first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).
    pub fn key_hash(&self) -> [u8; 4] {
        key_hash(&self.name, &self.key)
    }

    /// The one-line verifier key (`.pub` file content, without newline).
    pub fn to_note_vkey(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_hash()),
            B64.encode(raw)
        )
    }

    /// Parses a verifier key line. `what` names the source in errors.
    pub fn from_note_vkey(what: &str, line: &str) -> Result<Self> {
        let line = line.trim_end_matches(['\n', '\r']);
        let bad = |reason: &str| Error::malformed(what, format!("public key: {reason}"));
        let mut parts = line.splitn(3, '+');
        let (Some(name), Some(hash), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected <name>+<hash>+<base64 key>"));
        };
        let raw = B64
            .decode(b64)
            .map_err(|_| bad("key is not valid base64"))?;
        let key = decode_alg_key(&raw).ok_or_else(|| bad("expected 0x01 followed by 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| bad("not an Ed25519 point"))?;
        let public = PublicKey::new(name, key).map_err(|_| bad("invalid key name"))?;
        if hex::encode(public.key_hash()) != hash {
            return Err(bad("key hash does not match name and key"));
        }
        Ok(public)
    }

    /// Reads a `.pub` file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Key {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Self::from_note_vkey(&path.display().to_string(), text.trim_end())
    }

    /// Verifies `signature` over `message` with `verify_strict` (no malleable or small-order
    /// signatures). `what` names the signed object in errors.
    pub fn verify(&self, what: &str, message: &[u8], signature: &[u8]) -> Result<()> {
        let bytes: [u8; 64] = signature.try_into().map_err(|_| {
            Error::signature(
                what,
                format!("signature is {} bytes, expected 64", signature.len()),
            )
        })?;
        let signature = Signature::from_bytes(&bytes);
        self.key.verify_strict(message, &signature).map_err(|_| {
            Error::signature(
                what,
                format!("signature does not verify under key {}", self.name),
            )
        })
    }
}

/// A secret signing key with its name. `Debug` never shows the secret.
pub struct SecretKey {
    name: String,
    key: SigningKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("name", &self.name)
            .field("key_id", &self.public().key_id())
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl SecretKey {
    /// A new random key from the operating system's CSPRNG.
    pub fn generate(name: &str) -> Result<Self> {
        check_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| Error::malformed("key generation", format!("no OS randomness: {e}")))?;
        Ok(Self::from_seed(name, seed))
    }

    /// A key from a fixed seed (tests and reproducible fixtures only).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Self {
        SecretKey {
            name: name.to_owned(),
            key: SigningKey::from_bytes(&seed),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Ed25519 signature (deterministic, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    fn to_note_skey(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "{SECRET_PREFIX}{}+{}+{}",
            self.name,
            hex::encode(self.public().key_hash()),
            B64.encode(raw)
        )
    }

    fn from_note_skey(path: &Path, line: &str) -> Result<Self> {
        let bad = |reason: &str| Error::Key {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = line
            .trim_end_matches(['\n', '\r'])
            .strip_prefix(SECRET_PREFIX)
            .ok_or_else(|| bad("not a secret key (expected PRIVATE+KEY+<name>+<hash>+<key>)"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hash), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected PRIVATE+KEY+<name>+<hash>+<key>"));
        };
        let raw = B64
            .decode(b64)
            .map_err(|_| bad("key is not valid base64"))?;
        let seed = decode_alg_key(&raw).ok_or_else(|| bad("expected 0x01 followed by 32 bytes"))?;
        check_name(name).map_err(|_| bad("invalid key name"))?;
        let secret = Self::from_seed(name, seed);
        if hex::encode(secret.public().key_hash()) != hash {
            return Err(bad("key hash does not match name and key"));
        }
        Ok(secret)
    }

    /// Reads a `.key` file, refusing one that group or others can read.
    pub fn read(path: &Path) -> Result<Self> {
        let key_err = |reason: String| Error::Key {
            path: path.to_owned(),
            reason,
        };
        let meta = std::fs::metadata(path).map_err(|e| key_err(e.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(key_err(format!(
                    "secret key is readable by others (mode {mode:o}); run chmod 600"
                )));
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let text = std::fs::read_to_string(path).map_err(|e| key_err(e.to_string()))?;
        Self::from_note_skey(path, text.trim_end())
    }

    /// Writes `<prefix>.key` (mode 0600) and `<prefix>.pub`; refuses to overwrite either.
    /// Returns the two paths.
    pub fn write_pair(&self, prefix: &Path) -> Result<(PathBuf, PathBuf)> {
        let key_path = with_suffix(prefix, ".key");
        let pub_path = with_suffix(prefix, ".pub");
        for path in [&key_path, &pub_path] {
            if path.exists() {
                return Err(Error::Key {
                    path: path.clone(),
                    reason: "already exists; refusing to overwrite a key".into(),
                });
            }
        }
        if let Some(dir) = key_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
        }
        write_new(
            &key_path,
            format!("{}\n", self.to_note_skey()).as_bytes(),
            0o600,
        )?;
        write_new(
            &pub_path,
            format!("{}\n", self.public().to_note_vkey()).as_bytes(),
            0o644,
        )?;
        Ok((key_path, pub_path))
    }
}

/// The keys an auditor trusts. Lookups are by key id (DSSE, receipts) or by C2SP name and
/// key hash (signed notes).
#[derive(Debug, Clone, Default)]
pub struct TrustSet {
    keys: Vec<PublicKey>,
}

impl TrustSet {
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Self {
        TrustSet {
            keys: keys.into_iter().collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Adds a key (no-op when already trusted).
    pub fn add(&mut self, key: PublicKey) {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
    }

    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    pub fn by_key_id(&self, key_id: &str) -> Option<&PublicKey> {
        self.keys.iter().find(|k| k.key_id() == key_id)
    }

    pub fn by_note_key(&self, name: &str, hash: [u8; 4]) -> Option<&PublicKey> {
        self.keys
            .iter()
            .find(|k| k.name == name && k.key_hash() == hash)
    }
}

fn key_hash(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut data = Vec::with_capacity(name.len() + 34);
    data.extend_from_slice(name.as_bytes());
    data.push(b'\n');
    data.push(ALG_ED25519);
    data.extend_from_slice(key.as_bytes());
    let d = Digest::of(&data);
    [d.0[0], d.0[1], d.0[2], d.0[3]]
}

fn decode_alg_key(raw: &[u8]) -> Option<[u8; 32]> {
    match raw {
        [ALG_ED25519, rest @ ..] => rest.try_into().ok(),
        _ => None,
    }
}

/// C2SP key names: non-empty, no `+`, no whitespace or control characters.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.contains('+')
        || name.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::malformed(
            "key name",
            format!("{name:?}: must be non-empty, without '+', spaces or control characters"),
        ));
    }
    Ok(())
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| Error::io(path, &e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_with_safe_modes() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("ops/zone-a");
        let key = SecretKey::generate("zone-a").unwrap();
        let (key_path, pub_path) = key.write_pair(&prefix).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let back = SecretKey::read(&key_path).unwrap();
        assert_eq!(back.public(), key.public());
        assert_eq!(PublicKey::read(&pub_path).unwrap(), key.public());
        // Refuses to overwrite.
        let again = SecretKey::generate("zone-a").unwrap();
        assert!(matches!(again.write_pair(&prefix), Err(Error::Key { .. })));
        assert_eq!(SecretKey::read(&key_path).unwrap().public(), key.public());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SecretKey::from_seed("k", [7u8; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("redacted"));
        let raw_b64 = B64.encode([7u8; 32]);
        assert!(!shown.contains(&raw_b64) && !shown.contains(&hex::encode([7u8; 32])));
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_secret_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (key_path, _) = SecretKey::from_seed("k", [1; 32])
            .write_pair(&dir.path().join("k"))
            .unwrap();
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = SecretKey::read(&key_path).unwrap_err();
        assert!(err.to_string().contains("readable by others"), "{err}");
    }

    #[test]
    fn malformed_keys_are_named_errors() {
        for bad in [
            "",
            "name",
            "name+0000+",
            "a+b+c",
            "n+00000000+AQ==",
            "+00000000+AQ==",
        ] {
            assert!(PublicKey::from_note_vkey("x.pub", bad).is_err(), "{bad:?}");
        }
        let good = SecretKey::from_seed("k", [2; 32]).public().to_note_vkey();
        assert!(PublicKey::from_note_vkey("x.pub", &good).is_ok());
        // A changed name breaks the key hash.
        let renamed = good.replacen('k', "j", 1);
        assert!(PublicKey::from_note_vkey("x.pub", &renamed).is_err());
    }

    #[test]
    fn strict_verification_rejects_other_messages_and_keys() {
        let a = SecretKey::from_seed("a", [3; 32]);
        let b = SecretKey::from_seed("b", [4; 32]);
        let sig = a.sign(b"hello");
        assert!(a.public().verify("m", b"hello", &sig).is_ok());
        assert!(a.public().verify("m", b"hellO", &sig).is_err());
        assert!(b.public().verify("m", b"hello", &sig).is_err());
        assert!(a.public().verify("m", b"hello", &sig[..63]).is_err());
    }
}
