//! `eddsa-jcs-2022` Data Integrity proofs: the W3C test vectors reproduced byte for byte
//! (transcribed into `tests/fixtures/w3c-vc-di-eddsa/`), tampering refused, base58 exact.

use proptest::prelude::*;
use serde_json::Value;
use verify::keys::SecretKey;
use verify::vc::{self, ProofOptions};

fn vectors() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/w3c-vc-di-eddsa/eddsa-jcs-2022.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap()
}

/// The W3C key pair: a Multikey secret key is 0x80 0x26 followed by the 32-byte seed.
fn w3c_key(v: &Value) -> SecretKey {
    let raw = vc::base58_decode(&text(v, "privateKeyMultibase")[1..]).unwrap();
    assert_eq!(&raw[..2], &[0x80, 0x26]);
    SecretKey::from_seed("w3c", raw[2..].try_into().unwrap())
}

#[test]
fn the_w3c_eddsa_jcs_2022_vectors_are_reproduced_byte_for_byte() {
    let v = vectors();
    let key = w3c_key(&v);
    assert_eq!(vc::multikey(&key.public()), text(&v, "publicKeyMultibase"));
    assert_eq!(
        String::from_utf8(verify::canon::to_canonical_vec(&v["unsigned"]).unwrap()).unwrap(),
        text(&v, "canonicalDocument")
    );
    let options = ProofOptions {
        verification_method: text(&v["proofOptions"], "verificationMethod").into(),
        created: text(&v["proofOptions"], "created").into(),
        proof_purpose: text(&v["proofOptions"], "proofPurpose").into(),
    };
    let signed = vc::sign(&v["unsigned"], &options, &key).unwrap();
    assert_eq!(signed, v["signed"]);
    let value = text(&signed["proof"], "proofValue");
    assert_eq!(
        hex::encode(vc::base58_decode(&value[1..]).unwrap()),
        text(&v, "signatureHex")
    );
    // The W3C's signed credential verifies, with the key its verification method names.
    let signer = vc::verify(&v["signed"]).unwrap();
    assert_eq!(signer.as_bytes(), key.public().verifying_key().as_bytes());
}

#[test]
fn a_changed_credential_or_proof_is_refused() {
    let v = vectors();
    let signed = &v["signed"];
    let mut changed = signed.clone();
    changed["credentialSubject"]["alumniOf"] = "The School of Counterexamples".into();
    assert!(vc::verify(&changed).is_err());
    let mut changed = signed.clone();
    changed["proof"]["created"] = "2023-02-24T23:36:39Z".into();
    assert!(vc::verify(&changed).is_err());
    let mut changed = signed.clone();
    changed["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into();
    assert!(vc::verify(&changed).is_err());
    // Signed by another key than the method names.
    let mut changed = signed.clone();
    let other = vc::multikey(&SecretKey::from_seed("x", [7; 32]).public());
    changed["proof"]["verificationMethod"] = format!("did:key:{other}#{other}").into();
    assert!(vc::verify(&changed).is_err());
    let mut changed = signed.clone();
    changed.as_object_mut().unwrap().remove("proof");
    assert!(vc::verify(&changed).is_err());
}

proptest! {
    #[test]
    fn base58_round_trips_and_keeps_leading_zeros(bytes in prop::collection::vec(any::<u8>(), 0..80), zeros in 0usize..4) {
        let mut input = vec![0u8; zeros];
        input.extend(bytes);
        let encoded = vc::base58_encode(&input);
        prop_assert_eq!(vc::base58_decode(&encoded), Some(input));
    }
}
