//! The auditor against tampered, truncated, reordered, forked and foreign-signed stores.

use std::path::Path;

use proptest::prelude::*;
use verify::audit::{Report, audit};
use verify::keys::TrustSet;
use verify::store::{Store, checkpoint_key, receipt_key};

use crate::support::{self, key};

fn trusted() -> TrustSet {
    TrustSet::new([key("ops", 1).public()])
}

/// A populated local store in a temp dir.
fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    support::populated(&store, &key("ops", 1));
    (dir, store)
}

fn run_audit(store: &Store) -> Report {
    audit(store, &trusted(), &Default::default()).unwrap()
}

fn all_objects(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["blobs", "manifests", "log"] {
        walk(root, &root.join(prefix), &mut out);
    }
    out.sort();
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
}

fn flip(root: &Path, key: &str, position: usize) {
    let path = root.join(key);
    let mut bytes = std::fs::read(&path).unwrap();
    let i = position % bytes.len();
    bytes[i] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
}

fn names(report: &Report, object: &str) -> bool {
    report.failures.iter().any(|f| f.object == object)
}

#[test]
fn a_clean_store_verifies() {
    let (_dir, store) = fresh();
    let report = run_audit(&store);
    assert!(report.ok(), "{:#?}", report.failures);
    assert_eq!(
        (report.manifests, report.receipts, report.checkpoints),
        (4, 4, 4)
    );
    assert_eq!(report.blobs, 7);
}

#[test]
fn first_middle_and_last_byte_of_every_object() {
    let (dir, _) = fresh();
    let objects = all_objects(dir.path());
    assert_eq!(objects.len(), 7 + 4 + 4 + 4);
    for object in &objects {
        let len = std::fs::metadata(dir.path().join(object)).unwrap().len() as usize;
        for position in [0, len / 2, len - 1] {
            let (dir, store) = fresh();
            flip(dir.path(), object, position);
            let report = run_audit(&store);
            assert!(
                names(&report, object),
                "flip {object}@{position} not named: {:#?}",
                report.failures
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_flipped_byte_is_caught_and_named(which in any::<prop::sample::Index>(), position in any::<usize>()) {
        let (dir, store) = fresh();
        let objects = all_objects(dir.path());
        let object = &objects[which.index(objects.len())];
        flip(dir.path(), object, position);
        let report = run_audit(&store);
        prop_assert!(names(&report, object), "flip {}@{} not named: {:#?}", object, position, report.failures);
    }
}

#[test]
fn signatures_by_untrusted_keys_are_rejected() {
    let (_dir, store) = fresh();
    let stranger = TrustSet::new([key("ops", 2).public()]);
    let report = audit(&store, &stranger, &Default::default()).unwrap();
    let signature_failures = report
        .failures
        .iter()
        .filter(|f| f.check == "signature")
        .count();
    // Four manifests, four receipts, four checkpoints.
    assert_eq!(signature_failures, 12, "{:#?}", report.failures);

    // A run published with a foreign key into a trusted store is named.
    let (_dir, store) = fresh();
    let foreign = support::publish_run(
        &store,
        &key("intruder", 3),
        "zone-c",
        0,
        &[("t", b"x".to_vec())],
    );
    let report = run_audit(&store);
    assert!(names(
        &report,
        &verify::store::manifest_key(&foreign.manifest)
    ));
    assert!(names(&report, &receipt_key("zone-c", 0)));
    assert!(names(&report, &checkpoint_key("zone-c", 1)));
}

#[test]
fn no_trusted_keys_means_the_audit_cannot_run() {
    let (_dir, store) = fresh();
    assert!(audit(&store, &TrustSet::default(), &Default::default()).is_err());
}

#[test]
fn a_truncated_chain_is_detected() {
    let (dir, store) = fresh();
    std::fs::remove_file(dir.path().join(receipt_key("zone-a", 2))).unwrap();
    let report = run_audit(&store);
    assert!(
        names(&report, &checkpoint_key("zone-a", 3)),
        "{:#?}",
        report.failures
    );
    // The run whose receipt vanished is reported as on no chain.
    assert!(report.failures.iter().any(|f| f.check == "receipt"));
}

#[test]
fn a_truncated_chain_with_its_checkpoint_removed_is_still_detected() {
    let (dir, store) = fresh();
    std::fs::remove_file(dir.path().join(receipt_key("zone-a", 2))).unwrap();
    std::fs::remove_file(dir.path().join(checkpoint_key("zone-a", 3))).unwrap();
    let report = run_audit(&store);
    assert!(!report.ok());
    assert!(
        report.failures.iter().any(|f| f.check == "receipt"),
        "{:#?}",
        report.failures
    );
}

#[test]
fn reordered_receipts_are_detected() {
    let (dir, store) = fresh();
    let a = dir.path().join(receipt_key("zone-a", 0));
    let b = dir.path().join(receipt_key("zone-a", 1));
    let (bytes_a, bytes_b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(&a, bytes_b).unwrap();
    std::fs::write(&b, bytes_a).unwrap();
    let report = run_audit(&store);
    assert!(
        names(&report, &receipt_key("zone-a", 0)),
        "{:#?}",
        report.failures
    );
    assert!(names(&report, &receipt_key("zone-a", 1)));
}

#[test]
fn a_forked_chain_is_detected() {
    // Rewrite history from receipt 1 on with validly signed, validly linked receipts: only
    // the checkpoints signed before the rewrite can tell.
    let (dir, store) = fresh();
    let signer = key("ops", 1);
    for seq in 1..3 {
        std::fs::remove_file(dir.path().join(receipt_key("zone-a", seq))).unwrap();
    }
    std::fs::remove_file(dir.path().join(checkpoint_key("zone-a", 3))).unwrap();
    // The fork: a different run at index 1. Its writer fails at the checkpoint step, as
    // checkpoint 2 exists from before the fork and is create-only; the forked receipt stays.
    let forked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        support::publish_run(&store, &signer, "zone-a", 77, &[("t", b"fork".to_vec())])
    }));
    assert!(
        forked.is_err(),
        "publishing a fork over an existing checkpoint must conflict"
    );
    let report = run_audit(&store);
    assert!(
        names(&report, &checkpoint_key("zone-a", 2)),
        "{:#?}",
        report.failures
    );
    assert!(report.failures.iter().any(|f| f.check == "root"));
}

#[test]
fn unknown_objects_and_bad_refs_are_named() {
    let (dir, store) = fresh();
    std::fs::write(dir.path().join("manifests/sha256/not-a-digest.json"), b"{}").unwrap();
    store
        .set_ref("runs/x/latest", &verify::Digest::of(b"no such manifest"))
        .unwrap();
    std::fs::write(dir.path().join("refs/garbage"), b"hello").unwrap();
    let report = run_audit(&store);
    assert!(names(&report, "manifests/sha256/not-a-digest.json"));
    assert!(names(&report, "refs/runs/x/latest"));
    assert!(names(&report, "refs/garbage"));
}

#[test]
fn a_writer_refuses_to_extend_a_chain_it_cannot_vouch_for() {
    let (_dir, store) = fresh();
    // zone-a holds receipts by "ops"; a different writer must not extend it unless it
    // trusts "ops".
    let other = key("other", 4);
    let statement_run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        support::publish_run(&store, &other, "zone-a", 50, &[("t", b"y".to_vec())])
    }));
    assert!(statement_run.is_err());
    assert_eq!(
        verify::chain::read_chain(&store, "zone-a").unwrap().len(),
        3
    );
    let err = verify::chain::read_chain_trusted(&store, "zone-a", &TrustSet::new([other.public()]))
        .unwrap_err();
    assert!(err.to_string().contains("untrusted key id"), "{err}");
}
