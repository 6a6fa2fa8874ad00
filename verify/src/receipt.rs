//! Receipts: the signed, linked entries of a receipt chain.
//!
//! A receipt records that a run's manifest and artifacts were published on a chain, in
//! order. Its digest is SHA-256(JCS(receipt without `proof` and `digest`)) — the leaf data
//! of the chain's MMR — and its `proof` is an Ed25519 signature over those same canonical
//! bytes. `prev_root` links each receipt to the digest of the one before it; the first
//! receipt links to the chain's genesis value, SHA-256("mez.receipt-chain.genesis.v1:" ‖
//! chain id), so that receipts of different chains can never be spliced together.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canon;
use crate::clock::Timestamp;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::keys::{PublicKey, SecretKey, TrustSet};

/// Value of the `type` field.
pub const RECEIPT_TYPE: &str = "mez.receipt.v1";
/// Value of `proof.type`.
pub const PROOF_TYPE: &str = "Ed25519";

/// The signed part of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    #[serde(rename = "type")]
    pub receipt_type: String,
    pub chain: String,
    /// 0-based position in the chain, strictly +1 per receipt.
    pub sequence: u64,
    /// Digest of the previous receipt, or the chain's genesis value.
    pub prev_root: Digest,
    /// The run manifest this receipt publishes.
    pub manifest: Digest,
    /// The artifacts the manifest names, sorted and without repeats.
    pub artifacts: Vec<Digest>,
    /// Packs in force during the run, sorted and without repeats.
    pub packs: Vec<Digest>,
    pub timestamp: Timestamp,
}

/// The signature of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptProof {
    #[serde(rename = "type")]
    pub proof_type: String,
    pub keyid: String,
    /// Base64 of the Ed25519 signature over the canonical body.
    pub signature: String,
}

/// A receipt as stored: body, digest and proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub body: ReceiptBody,
    pub digest: Digest,
    pub proof: ReceiptProof,
}

/// The genesis value a chain's first receipt links to.
pub fn genesis(chain: &str) -> Digest {
    Digest::of(format!("mez.receipt-chain.genesis.v1:{chain}").as_bytes())
}

/// Chain ids appear in object keys and checkpoint origins: `[a-z0-9][a-z0-9._-]{0,63}`.
pub fn check_chain_id(chain: &str) -> Result<()> {
    let ok = !chain.is_empty()
        && chain.len() <= 64
        && chain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && chain.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err(Error::Chain {
            chain: chain.to_owned(),
            reason: "chain ids are 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit".into(),
        })
    }
}

impl ReceiptBody {
    fn canonical(&self) -> Result<Vec<u8>> {
        canon::to_canonical_vec_integral("receipt", self)
    }
}

impl Receipt {
    /// Signs a body. Sorts and deduplicates the artifact and pack lists.
    pub fn sign(mut body: ReceiptBody, signer: &SecretKey) -> Result<Self> {
        check_chain_id(&body.chain)?;
        body.artifacts.sort();
        body.artifacts.dedup();
        body.packs.sort();
        body.packs.dedup();
        let canonical = body.canonical()?;
        Ok(Receipt {
            digest: Digest::of(&canonical),
            proof: ReceiptProof {
                proof_type: PROOF_TYPE.to_owned(),
                keyid: signer.public().key_id(),
                signature: B64.encode(signer.sign(&canonical)),
            },
            body,
        })
    }

    /// The stored form: canonical JSON of body fields plus `digest` and `proof`.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut value = serde_json::to_value(&self.body).map_err(|e| Error::json("receipt", e))?;
        let map = value
            .as_object_mut()
            .ok_or_else(|| Error::json("receipt", "body is not an object"))?;
        map.insert("digest".into(), Value::String(self.digest.to_string()));
        map.insert(
            "proof".into(),
            serde_json::to_value(&self.proof).map_err(|e| Error::json("receipt", e))?,
        );
        canon::to_canonical_vec_integral("receipt", &value)
    }

    /// Parses stored bytes, recomputes the digest and checks that it matches the recorded
    /// one. Does not check the signature (see [`Receipt::verify_signature`]).
    pub fn from_bytes(what: &str, bytes: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::json(what, e))?;
        let mut value = canon::parse_strict(what, text)?;
        let map = value
            .as_object_mut()
            .ok_or_else(|| Error::json(what, "a receipt must be a JSON object"))?;
        let digest = map
            .remove("digest")
            .ok_or_else(|| Error::json(what, "missing field `digest`"))?;
        let proof = map
            .remove("proof")
            .ok_or_else(|| Error::json(what, "missing field `proof`"))?;
        let digest: Digest = serde_json::from_value(digest).map_err(|e| Error::json(what, e))?;
        let proof: ReceiptProof =
            serde_json::from_value(proof).map_err(|e| Error::json(what, e))?;
        canon::check_integral(what, &value, &mut "$".to_owned())?;
        let body: ReceiptBody = serde_json::from_value(value).map_err(|e| Error::json(what, e))?;
        if body.receipt_type != RECEIPT_TYPE {
            return Err(Error::malformed(
                what,
                format!("type is {:?}, expected {RECEIPT_TYPE:?}", body.receipt_type),
            ));
        }
        check_chain_id(&body.chain)?;
        let recomputed = Digest::of(&body.canonical()?);
        if recomputed != digest {
            return Err(Error::DigestMismatch {
                key: what.to_owned(),
                expected: digest.to_string(),
                found: recomputed.to_string(),
            });
        }
        Ok(Receipt {
            body,
            digest,
            proof,
        })
    }

    /// Checks the proof against the trusted keys; returns the signing key.
    pub fn verify_signature(&self, what: &str, trust: &TrustSet) -> Result<PublicKey> {
        if self.proof.proof_type != PROOF_TYPE {
            return Err(Error::signature(
                what,
                format!(
                    "proof type {:?} is not {PROOF_TYPE:?}",
                    self.proof.proof_type
                ),
            ));
        }
        let key = trust.by_key_id(&self.proof.keyid).ok_or_else(|| {
            Error::signature(
                what,
                format!("signed by untrusted key id {}", self.proof.keyid),
            )
        })?;
        let sig = B64
            .decode(&self.proof.signature)
            .map_err(|_| Error::signature(what, "signature is not base64"))?;
        key.verify(what, &self.body.canonical()?, &sig)?;
        Ok(key.clone())
    }

    /// Checks that `self` may follow `prev` (or start the chain when `prev` is `None`).
    pub fn check_follows(&self, prev: Option<&Receipt>) -> Result<()> {
        let chain = &self.body.chain;
        let fail = |reason: String| Error::Chain {
            chain: chain.clone(),
            reason,
        };
        let (expected_seq, expected_prev) = match prev {
            None => (0, genesis(chain)),
            Some(p) => {
                if &p.body.chain != chain {
                    return Err(fail(format!(
                        "receipt {} follows a receipt of chain {}",
                        self.body.sequence, p.body.chain
                    )));
                }
                (p.body.sequence + 1, p.digest)
            }
        };
        if self.body.sequence != expected_seq {
            return Err(fail(format!(
                "expected sequence {expected_seq}, found {}",
                self.body.sequence
            )));
        }
        if self.body.prev_root != expected_prev {
            return Err(fail(format!(
                "receipt {}: prev_root expected {expected_prev}, found {}",
                self.body.sequence, self.body.prev_root
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(chain: &str, sequence: u64, prev_root: Digest) -> ReceiptBody {
        ReceiptBody {
            receipt_type: RECEIPT_TYPE.into(),
            chain: chain.into(),
            sequence,
            prev_root,
            manifest: Digest::of(b"m"),
            artifacts: vec![Digest::of(b"b"), Digest::of(b"a"), Digest::of(b"b")],
            packs: vec![],
            timestamp: Timestamp::from_unix(1_795_398_979),
        }
    }

    #[test]
    fn round_trip_sign_and_link() {
        let key = SecretKey::from_seed("k", [9; 32]);
        let trust = TrustSet::new([key.public()]);
        let r0 = Receipt::sign(body("zone-a", 0, genesis("zone-a")), &key).unwrap();
        assert_eq!(r0.body.artifacts.len(), 2);
        let back = Receipt::from_bytes("r0", &r0.to_bytes().unwrap()).unwrap();
        assert_eq!(back, r0);
        back.verify_signature("r0", &trust).unwrap();
        back.check_follows(None).unwrap();
        let r1 = Receipt::sign(body("zone-a", 1, r0.digest), &key).unwrap();
        r1.check_follows(Some(&r0)).unwrap();
        assert!(r1.check_follows(None).is_err());
        assert!(r0.check_follows(Some(&r1)).is_err());
        let other = Receipt::sign(body("zone-b", 1, r0.digest), &key).unwrap();
        assert!(other.check_follows(Some(&r0)).is_err());
    }

    #[test]
    fn digest_excludes_proof_and_digest_and_detects_edits() {
        let key = SecretKey::from_seed("k", [9; 32]);
        let r = Receipt::sign(body("c", 0, genesis("c")), &key).unwrap();
        let text = String::from_utf8(r.to_bytes().unwrap()).unwrap();
        let edited = text.replace("\"sequence\":0", "\"sequence\":1");
        assert!(matches!(
            Receipt::from_bytes("r", edited.as_bytes()),
            Err(Error::DigestMismatch { .. })
        ));
        let untrusted = TrustSet::new([SecretKey::from_seed("x", [1; 32]).public()]);
        assert!(r.verify_signature("r", &untrusted).is_err());
        assert!(Receipt::from_bytes("r", b"[]").is_err());
        assert!(Receipt::from_bytes("r", b"{\"digest\":1}").is_err());
    }

    #[test]
    fn chain_ids_are_checked() {
        for good in ["demo", "pk-sifc", "ae.adgm_2"] {
            check_chain_id(good).unwrap();
        }
        for bad in ["", "Demo", "-x", "a/b", "a b", &"x".repeat(65)] {
            assert!(check_chain_id(bad).is_err(), "{bad:?}");
        }
    }
}
