//! Every JSON document we write validates against its schema in `schemas/`.

use base64::Engine as _;
use pipelines::jobs::demo::{Demo, DemoParams};
use verify::keys::SecretKey;
use verify::store::Store;

fn validator(name: &str) -> jsonschema::Validator {
    let path = crate::manifest_dir().join("../schemas").join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn manifests_and_receipts_match_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let signer = SecretKey::from_seed("ops", [1; 32]);
    for seed in 0..2 {
        let params = DemoParams {
            transfers: 500,
            seed,
        };
        crate::run_job::<Demo>(&store, &signer, 1_795_398_979, &params);
    }
    let (envelope_schema, statement_schema, receipt_schema) = (
        validator("dsse-envelope.schema.json"),
        validator("run-statement.v1.schema.json"),
        validator("receipt.v1.schema.json"),
    );
    let manifests = store.list("manifests/").unwrap();
    assert_eq!(manifests.len(), 2);
    for m in manifests {
        let envelope: serde_json::Value =
            serde_json::from_slice(&store.get(&m.key).unwrap()).unwrap();
        assert_valid(&envelope_schema, &envelope, &m.key);
        let payload = base64::engine::general_purpose::STANDARD
            .decode(envelope["payload"].as_str().unwrap())
            .unwrap();
        let mut statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert_valid(&statement_schema, &statement, &m.key);
        // The schema can fail: a float where a count belongs is refused.
        statement["subject"][0]["annotations"]["rows"] = serde_json::json!(1.5);
        assert!(!statement_schema.is_valid(&statement));
    }
    let receipts = store.list("log/demo/receipts/").unwrap();
    assert_eq!(receipts.len(), 2);
    for r in receipts {
        let mut receipt: serde_json::Value =
            serde_json::from_slice(&store.get(&r.key).unwrap()).unwrap();
        assert_valid(&receipt_schema, &receipt, &r.key);
        receipt["sequence"] = serde_json::json!(-1);
        assert!(!receipt_schema.is_valid(&receipt));
    }
}
