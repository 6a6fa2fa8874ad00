//! Checkpoints: C2SP `tlog-checkpoint` bodies signed as C2SP signed notes.
//!
//! A checkpoint commits to the first `size` receipts of a chain:
//!
//! ```text
//! mez/<chain>              ← origin
//! 42                       ← size
//! <base64 root>            ← MMR root = RFC 6962 tree head
//!
//! — <key name> <base64(4-byte key hash ‖ 64-byte Ed25519 signature)>
//! ```
//!
//! The signature covers the body (the first three lines, each ending in a newline), as the
//! signed-note format defines. Verification needs a trusted key with the same name and key
//! hash; signatures by unknown keys are skipped (a note may carry witness cosignatures),
//! but a signature by a known key that does not verify is an error.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::error::{Error, Result};
use crate::keys::{PublicKey, SecretKey, TrustSet};
use crate::merkle::Hash;

/// A checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

/// The origin line of a chain's checkpoints.
pub fn origin_for(chain: &str) -> String {
    format!("mez/{chain}")
}

impl Checkpoint {
    /// The note body: `origin\nsize\nbase64(root)\n`.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Signs the body into a signed note.
    pub fn sign(&self, signer: &SecretKey) -> String {
        let body = self.body();
        let mut sig = Vec::with_capacity(68);
        sig.extend_from_slice(&signer.public().key_hash());
        sig.extend_from_slice(&signer.sign(body.as_bytes()));
        format!("{body}\n\u{2014} {} {}\n", signer.name(), B64.encode(sig))
    }

    /// Parses a body (exactly three lines, no extension lines).
    pub fn parse_body(what: &str, body: &str) -> Result<Self> {
        let bad = |reason: &str| Error::malformed(what, format!("checkpoint body: {reason}"));
        let Some(text) = body.strip_suffix('\n') else {
            return Err(bad("must end with a newline"));
        };
        let lines: Vec<&str> = text.split('\n').collect();
        let [origin, size, root] = lines[..] else {
            return Err(bad("expected three lines: origin, size, root"));
        };
        if origin.is_empty() {
            return Err(bad("empty origin"));
        }
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(bad("size must be a decimal number without leading zeros"));
        }
        let size: u64 = size.parse().map_err(|_| bad("size out of range"))?;
        let root = B64.decode(root).map_err(|_| bad("root is not base64"))?;
        let root: Hash = root.try_into().map_err(|_| bad("root is not 32 bytes"))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Parses a signed note and verifies it against the trusted keys. Returns the
    /// checkpoint and the keys whose signatures verified.
    pub fn open(what: &str, note: &[u8], trust: &TrustSet) -> Result<(Self, Vec<PublicKey>)> {
        let bad = |reason: &str| Error::malformed(what, format!("signed note: {reason}"));
        let text = std::str::from_utf8(note).map_err(|_| bad("not UTF-8"))?;
        let Some(split) = text.find("\n\n") else {
            return Err(bad("no blank line between body and signatures"));
        };
        let (body, sigs) = (&text[..=split], &text[split + 2..]);
        let checkpoint = Self::parse_body(what, body)?;
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(bad("signature lines must end with a newline"));
        }
        let mut signed_by = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            let rest = line
                .strip_prefix("\u{2014} ")
                .ok_or_else(|| bad("signature line must start with an em dash and a space"))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| bad("signature line must be '— <name> <signature>'"))?;
            let raw = B64
                .decode(b64)
                .map_err(|_| bad("signature is not base64"))?;
            if raw.len() < 5 {
                return Err(bad("signature too short"));
            }
            let hash: [u8; 4] = [raw[0], raw[1], raw[2], raw[3]];
            if let Some(key) = trust.by_note_key(name, hash) {
                key.verify(what, body.as_bytes(), &raw[4..])?;
                signed_by.push(key.clone());
            }
        }
        if signed_by.is_empty() {
            return Err(Error::signature(what, "no signature by a trusted key"));
        }
        Ok((checkpoint, signed_by))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: origin_for("demo"),
            size: 3,
            root: [7; 32],
        }
    }

    #[test]
    fn signed_note_round_trip_and_rejections() {
        let key = SecretKey::from_seed("ops", [5; 32]);
        let trust = TrustSet::new([key.public()]);
        let note = checkpoint().sign(&key);
        assert!(note.starts_with("mez/demo\n3\nBwcH"));
        let (back, by) = Checkpoint::open("cp", note.as_bytes(), &trust).unwrap();
        assert_eq!(back, checkpoint());
        assert_eq!(by, vec![key.public()]);

        let other = TrustSet::new([SecretKey::from_seed("ops", [6; 32]).public()]);
        assert!(Checkpoint::open("cp", note.as_bytes(), &other).is_err());
        let forged = note.replacen("\n3\n", "\n4\n", 1);
        assert!(Checkpoint::open("cp", forged.as_bytes(), &trust).is_err());
        for broken in [
            "",
            "mez/demo\n3\n",
            "mez/demo\n03\nBwcH\n\n— ops AAAA\n",
            "\n\n\n",
        ] {
            assert!(
                Checkpoint::open("cp", broken.as_bytes(), &trust).is_err(),
                "{broken:?}"
            );
        }
    }

    #[test]
    fn every_single_byte_flip_is_caught() {
        let key = SecretKey::from_seed("ops", [5; 32]);
        let trust = TrustSet::new([key.public()]);
        let note = checkpoint().sign(&key).into_bytes();
        for i in 0..note.len() {
            let mut flipped = note.clone();
            flipped[i] ^= 0x01;
            if let Ok((cp, _)) = Checkpoint::open("cp", &flipped, &trust) {
                // Only a flip that leaves the signed body identical could pass; none can.
                panic!("byte {i} flipped still verified: {cp:?}");
            }
        }
    }
}
