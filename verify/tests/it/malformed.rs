//! Bad input everywhere: arbitrary bytes into every parser of the kernel give errors,
//! never panics, and the errors name what was being read.

use proptest::prelude::*;
use verify::checkpoint::Checkpoint;
use verify::dsse::Envelope;
use verify::keys::{PublicKey, TrustSet};
use verify::receipt::Receipt;
use verify::{Digest, canon, manifest};

use crate::support::key;

fn trust() -> TrustSet {
    TrustSet::new([key("ops", 1).public()])
}

/// Bytes near valid documents: a valid one with a few random edits, so the parsers get
/// past their first checks.
fn mutated(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6).prop_map(
        move |edits| {
            let mut bytes = valid.clone();
            for (at, byte, op) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] = byte,
                    1 => {
                        bytes.remove(i);
                    }
                    _ => bytes.insert(i, byte),
                }
            }
            bytes
        },
    )
}

fn valid_receipt() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let store = verify::store::Store::open(dir.path().to_str().unwrap()).unwrap();
    let runs = crate::support::populated(&store, &key("ops", 1));
    runs[0].receipt.to_bytes().unwrap()
}

fn valid_manifest() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let store = verify::store::Store::open(dir.path().to_str().unwrap()).unwrap();
    let runs = crate::support::populated(&store, &key("ops", 1));
    store
        .get(&verify::store::manifest_key(&runs[0].manifest))
        .unwrap()
        .to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = canon::canonicalize_text("x.json", &text);
        let _ = Receipt::from_bytes("r", &bytes);
        let _ = Envelope::from_bytes("m", &bytes);
        let _ = manifest::open("m", &bytes, &trust());
        let _ = Checkpoint::open("c", &bytes, &trust());
        let _ = PublicKey::from_note_vkey("k.pub", &text);
        let _ = text.parse::<Digest>();
        let _ = text.parse::<verify::clock::Timestamp>();
    }

    #[test]
    fn edited_receipts_are_rejected_with_the_object_named(bytes in mutated(valid_receipt())) {
        if let Err(e) = Receipt::from_bytes("log/c/receipts/00000000000000000000.json", &bytes)
            .and_then(|r| r.verify_signature("log/c/receipts/00000000000000000000.json", &trust()).map(|_| ()))
        {
            prop_assert!(e.to_string().contains("log/c/receipts/00000000000000000000.json") || e.to_string().starts_with("chain "), "{}", e);
        }
    }

    #[test]
    fn edited_manifests_are_rejected_with_the_object_named(bytes in mutated(valid_manifest())) {
        match manifest::open("manifests/sha256/x.dsse.json", &bytes, &trust()) {
            Err(e) => prop_assert!(e.to_string().contains("manifests/sha256/x.dsse.json"), "{}", e),
            // Only an edit that leaves the signed payload intact (e.g. JSON whitespace)
            // can still verify — and then the statement must be the original one.
            Ok((statement, _)) => {
                let (original, _) = manifest::open("m", &valid_manifest(), &trust()).unwrap();
                prop_assert_eq!(statement, original);
            }
        }
    }
}

#[test]
fn malformed_dsse_envelopes_name_the_problem() {
    let cases: [(&[u8], &str); 5] = [
        (b"", "malformed JSON"),
        (b"{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\"}", "missing field `signatures`"),
        (b"{\"payload\":\"!!\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[]}", "not valid base64"),
        (b"{\"payload\":\"e30=\",\"payloadType\":\"text/plain\",\"signatures\":[]}", "payloadType"),
        (b"{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[]}", "no signatures"),
    ];
    for (bytes, expected) in cases {
        let err = manifest::open("manifests/sha256/m.dsse.json", bytes, &trust()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("manifests/sha256/m.dsse.json") && text.contains(expected),
            "{text}"
        );
    }
}
