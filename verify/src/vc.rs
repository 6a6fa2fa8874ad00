//! W3C Verifiable Credentials 2.0 secured with a Data Integrity proof of cryptosuite
//! `eddsa-jcs-2022` (W3C "Data Integrity EdDSA Cryptosuites v1.0").
//!
//! Why here, in the trust kernel: a credential is one more thing an auditor checks offline,
//! with the same keys and the same canonical JSON (RFC 8785) as our manifests. The algorithm:
//! the proof configuration (the proof without `proofValue`, with the document's `@context`)
//! and the document (without `proof`) are each canonicalized with JCS and hashed with
//! SHA-256; the signature is Ed25519 over the configuration's hash followed by the
//! document's; `proofValue` is it in multibase base58btc (`z…`). Keys are Multikeys
//! (`z6Mk…`: base58btc of 0xed 0x01 followed by the 32 key bytes), named by `did:key`.
//! The W3C test vectors are reproduced byte for byte in this crate's tests.

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::canon;
use crate::error::{Error, Result};
use crate::keys::{PublicKey, SecretKey};

pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
pub const PROOF_TYPE: &str = "DataIntegrityProof";
const MULTICODEC_ED25519_PUB: [u8; 2] = [0xed, 0x01];
const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Base58 (the Bitcoin alphabet), as multibase `z` uses it.
pub fn base58_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    // Little-endian base-58 digits of the big-endian number.
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &byte in &bytes[zeros..] {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    out.extend(digits.iter().rev().map(|d| BASE58[*d as usize] as char));
    out
}

/// Decodes base58 (Bitcoin alphabet); `None` for any other character.
pub fn base58_decode(text: &str) -> Option<Vec<u8>> {
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
    for c in text.bytes().skip(zeros) {
        let mut carry = BASE58.iter().position(|a| *a == c)? as u32;
        for b in bytes.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; zeros];
    out.extend(bytes.iter().rev());
    Some(out)
}

/// The Multikey of an Ed25519 public key: `z6Mk…`.
pub fn multikey(key: &PublicKey) -> String {
    let mut raw = MULTICODEC_ED25519_PUB.to_vec();
    raw.extend_from_slice(key.verifying_key().as_bytes());
    format!("z{}", base58_encode(&raw))
}

/// The `did:key` of an Ed25519 public key, and its verification method
/// (`did:key:z6Mk…#z6Mk…`).
pub fn did_key(key: &PublicKey) -> (String, String) {
    let m = multikey(key);
    (format!("did:key:{m}"), format!("did:key:{m}#{m}"))
}

/// The Ed25519 key a verification method names by its Multikey fragment (`…#z6Mk…`).
pub fn key_of_method(method: &str) -> Result<VerifyingKey> {
    let bad = |reason: &str| Error::malformed("verificationMethod", reason.to_owned());
    let fragment = method
        .rsplit_once('#')
        .map(|(_, f)| f)
        .or_else(|| method.strip_prefix("did:key:"))
        .ok_or_else(|| bad("no Multikey fragment"))?;
    let raw = fragment
        .strip_prefix('z')
        .and_then(base58_decode)
        .ok_or_else(|| bad("not a base58btc Multikey"))?;
    let key: [u8; 32] = raw
        .strip_prefix(&MULTICODEC_ED25519_PUB[..])
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| bad("not an Ed25519 Multikey"))?;
    VerifyingKey::from_bytes(&key).map_err(|_| bad("not an Ed25519 point"))
}

/// What a proof says besides its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    pub verification_method: String,
    /// XML Schema dateTime, e.g. `2023-02-24T23:36:38Z`.
    pub created: String,
    pub proof_purpose: String,
}

/// The hash the signature covers: SHA-256(JCS(proof configuration)) ‖ SHA-256(JCS(document)).
fn hash_data(config: &Value, document: &Value) -> Result<Vec<u8>> {
    let mut data = Sha256::digest(canon::to_canonical_vec(config)?).to_vec();
    data.extend_from_slice(&Sha256::digest(canon::to_canonical_vec(document)?));
    Ok(data)
}

fn object(what: &str, value: &Value) -> Result<Map<String, Value>> {
    value
        .as_object()
        .cloned()
        .ok_or_else(|| Error::malformed(what, "not a JSON object"))
}

/// Secures `document` (a credential without `proof`) with an `eddsa-jcs-2022` proof by
/// `key`; returns the credential with its `proof`.
pub fn sign(document: &Value, options: &ProofOptions, key: &SecretKey) -> Result<Value> {
    let mut doc = object("credential", document)?;
    if doc.contains_key("proof") {
        return Err(Error::malformed("credential", "already has a proof"));
    }
    let mut config = Map::new();
    config.insert("type".into(), PROOF_TYPE.into());
    config.insert("cryptosuite".into(), CRYPTOSUITE.into());
    config.insert("created".into(), options.created.clone().into());
    config.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    config.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    if let Some(context) = doc.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    let config = Value::Object(config);
    let signature = key.sign(&hash_data(&config, document)?);
    let mut proof = object("proof", &config)?;
    proof.insert(
        "proofValue".into(),
        format!("z{}", base58_encode(&signature)).into(),
    );
    doc.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(doc))
}

/// Checks the `eddsa-jcs-2022` proof of `credential`; returns the key that signed it (named
/// by the proof's verification method). Whether that key is trusted is the caller's call.
pub fn verify(credential: &Value) -> Result<VerifyingKey> {
    let mut doc = object("credential", credential)?;
    let proof = doc
        .remove("proof")
        .ok_or_else(|| Error::malformed("credential", "no proof"))?;
    let mut config = object("proof", &proof)?;
    let text =
        |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    if text(&config, "type").as_deref() != Some(PROOF_TYPE)
        || text(&config, "cryptosuite").as_deref() != Some(CRYPTOSUITE)
    {
        return Err(Error::malformed(
            "proof",
            format!("not a {PROOF_TYPE} of cryptosuite {CRYPTOSUITE}"),
        ));
    }
    if let Some(context) = config.get("@context")
        && Some(context) != doc.get("@context")
    {
        return Err(Error::malformed(
            "proof",
            "@context differs from the credential's",
        ));
    }
    let value = config
        .remove("proofValue")
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or_else(|| Error::malformed("proof", "no proofValue"))?;
    let signature = value
        .strip_prefix('z')
        .and_then(base58_decode)
        .and_then(|s| <[u8; 64]>::try_from(s.as_slice()).ok())
        .ok_or_else(|| Error::malformed("proof", "proofValue is not a base58btc signature"))?;
    let method = text(&config, "verificationMethod")
        .ok_or_else(|| Error::malformed("proof", "no verificationMethod"))?;
    let key = key_of_method(&method)?;
    let data = hash_data(&Value::Object(config), &Value::Object(doc))?;
    key.verify_strict(&data, &Signature::from_bytes(&signature))
        .map_err(|_| Error::signature("credential", "the eddsa-jcs-2022 proof does not verify"))?;
    Ok(key)
}
