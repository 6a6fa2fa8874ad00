//! DSSE envelopes (Dead Simple Signing Envelope, v1) signed with Ed25519.
//!
//! The signature covers PAE(payloadType, payload) = `"DSSEv1" SP len(type) SP type SP
//! len(body) SP body`, never the JSON around it, so the envelope can be re-serialised
//! without breaking signatures. We still write envelopes as canonical JSON so that the
//! same signed content gives the same stored bytes and the same content digest.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use crate::canon;
use crate::error::{Error, Result};
use crate::keys::{PublicKey, SecretKey, TrustSet};

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSignature {
    pub keyid: String,
    /// Base64 of the 64-byte Ed25519 signature.
    pub sig: String,
}

/// A DSSE envelope as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// Base64 of the payload bytes.
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<EnvelopeSignature>,
}

/// Pre-authentication encoding of DSSE v1.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// Signs `payload` with each of `signers`.
    pub fn sign(payload_type: &str, payload: &[u8], signers: &[&SecretKey]) -> Self {
        let message = pae(payload_type, payload);
        let signatures = signers
            .iter()
            .map(|s| EnvelopeSignature {
                keyid: s.public().key_id(),
                sig: B64.encode(s.sign(&message)),
            })
            .collect();
        Envelope {
            payload: B64.encode(payload),
            payload_type: payload_type.to_owned(),
            signatures,
        }
    }

    /// Canonical JSON bytes of the envelope (what is stored).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        canon::to_canonical_vec(self)
    }

    /// Parses stored envelope bytes; `what` names the object in errors.
    pub fn from_bytes(what: &str, bytes: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::json(what, e))?;
        let value = canon::parse_strict(what, text)?;
        serde_json::from_value(value).map_err(|e| Error::json(what, e))
    }

    /// Checks the payload type and that at least one signature is by a trusted key and
    /// verifies; a signature by a trusted key that does *not* verify is an error even when
    /// another one does. Returns the payload and the keys that signed.
    pub fn open(
        &self,
        what: &str,
        expected_type: &str,
        trust: &TrustSet,
    ) -> Result<(Vec<u8>, Vec<PublicKey>)> {
        if self.payload_type != expected_type {
            return Err(Error::malformed(
                what,
                format!(
                    "payloadType is {:?}, expected {expected_type:?}",
                    self.payload_type
                ),
            ));
        }
        let payload = B64
            .decode(&self.payload)
            .map_err(|_| Error::malformed(what, "payload is not valid base64"))?;
        if self.signatures.is_empty() {
            return Err(Error::signature(what, "envelope has no signatures"));
        }
        let message = pae(&self.payload_type, &payload);
        let mut signed_by = Vec::new();
        let mut untrusted = Vec::new();
        for signature in &self.signatures {
            let Some(key) = trust.by_key_id(&signature.keyid) else {
                untrusted.push(signature.keyid.clone());
                continue;
            };
            let sig = B64.decode(&signature.sig).map_err(|_| {
                Error::signature(what, format!("signature by {} is not base64", key.name()))
            })?;
            key.verify(what, &message, &sig)?;
            signed_by.push(key.clone());
        }
        if signed_by.is_empty() {
            return Err(Error::signature(
                what,
                format!(
                    "no signature by a trusted key (signed by untrusted key id {})",
                    untrusted.join(", ")
                ),
            ));
        }
        Ok((payload, signed_by))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // From the DSSE v1 protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn trusted_untrusted_and_tampered() {
        let ours = SecretKey::from_seed("ours", [1; 32]);
        let theirs = SecretKey::from_seed("theirs", [2; 32]);
        let trust = TrustSet::new([ours.public()]);
        let env = Envelope::sign("t", b"{}", &[&ours]);
        let bytes = env.to_bytes().unwrap();
        let back = Envelope::from_bytes("m", &bytes).unwrap();
        assert_eq!(back.open("m", "t", &trust).unwrap().0, b"{}");
        assert!(back.open("m", "other", &trust).is_err());

        let foreign = Envelope::sign("t", b"{}", &[&theirs]);
        let err = foreign.open("m", "t", &trust).unwrap_err();
        assert!(err.to_string().contains("untrusted key id"), "{err}");

        let mut tampered = env.clone();
        tampered.payload = B64.encode(b"{\"a\":1}");
        assert!(tampered.open("m", "t", &trust).is_err());

        let mut unsigned = env;
        unsigned.signatures.clear();
        assert!(unsigned.open("m", "t", &trust).is_err());
    }
}
