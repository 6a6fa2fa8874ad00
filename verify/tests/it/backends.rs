//! The same store behaviour on a local directory, in memory and on a real S3 server.

use std::sync::{Arc, Barrier};

use bytes::Bytes;
use verify::chain;
use verify::receipt::{RECEIPT_TYPE, ReceiptBody, genesis};
use verify::store::{Store, Written, blob_key, receipt_key};
use verify::{Digest, Error};

use crate::support::{self, clock, key};

/// Runs `check` against every backend available here.
fn on_every_backend(name: &str, check: impl Fn(&Store)) {
    let dir = tempfile::tempdir().unwrap();
    check(&Store::open(dir.path().to_str().unwrap()).unwrap());
    check(&Store::open("memory://").unwrap());
    if let Some(server) = support::s3_server() {
        check(&support::s3_store(server, name));
    }
}

#[test]
fn blobs_are_idempotent_and_verified_on_read() {
    on_every_backend("blobs", |store| {
        let bytes = Bytes::from_static(b"parquet bytes");
        let (digest, written) = store.put_blob(bytes.clone()).unwrap();
        assert_eq!(written, Written::Created);
        assert_eq!(digest, Digest::of(&bytes));
        let (again, written) = store.put_blob(bytes.clone()).unwrap();
        assert_eq!((again, written), (digest, Written::AlreadyPresent));
        assert_eq!(store.get_blob(&digest).unwrap(), bytes);
        assert_eq!(store.hash_object(&blob_key(&digest)).unwrap(), (digest, 13));
        let missing = Digest::of(b"never stored");
        assert_eq!(
            store.get_blob(&missing).unwrap_err(),
            Error::NotFound {
                key: blob_key(&missing)
            }
        );
    });
}

#[test]
fn wrong_bytes_under_a_content_key_are_refused_and_repaired_only_by_the_right_bytes() {
    on_every_backend("content-conflict", |store| {
        let right = Bytes::from_static(b"the real artifact");
        let digest = Digest::of(&right);
        let key = blob_key(&digest);
        // Someone wrote other bytes under the content key (a crash, corruption, tampering).
        store
            .put_create(&key, Bytes::from_static(b"something else"))
            .unwrap();
        // Reads refuse the wrong bytes.
        assert!(matches!(
            store.get_blob(&digest),
            Err(Error::DigestMismatch { .. })
        ));
        // Bytes that are not the key's cannot replace them either.
        let err = store
            .put_content(&key, &digest, Bytes::from_static(b"a third thing"))
            .unwrap_err();
        assert!(
            matches!(&err, Error::Conflict { key: k, .. } if *k == key),
            "{err}"
        );
        assert_eq!(
            store.get(&key).unwrap(),
            Bytes::from_static(b"something else")
        );
        // The right bytes repair the key: the bytes there were provably not its own.
        let (again, written) = store.put_blob(right.clone()).unwrap();
        assert_eq!((again, written), (digest, Written::Repaired));
        assert_eq!(store.get_blob(&digest).unwrap(), right);
        assert_eq!(
            store.put_blob(right).unwrap(),
            (digest, Written::AlreadyPresent)
        );
    });
}

#[test]
fn racing_writers_for_one_receipt_index_get_one_winner() {
    on_every_backend("race", |store| {
        const WRITERS: usize = 8;
        let barrier = Arc::new(Barrier::new(WRITERS));
        let signer = Arc::new(key("ops", 1));
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let (barrier, signer) = (Arc::clone(&barrier), Arc::clone(&signer));
                    scope.spawn(move || {
                        let body = ReceiptBody {
                            receipt_type: RECEIPT_TYPE.into(),
                            chain: "race".into(),
                            sequence: 0,
                            prev_root: genesis("race"),
                            manifest: Digest::of(format!("manifest of writer {w}").as_bytes()),
                            artifacts: vec![],
                            packs: vec![],
                            timestamp: clock(0).0,
                        };
                        barrier.wait();
                        chain::append_receipt(store, &signer, body)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        for result in &results {
            if let Err(e) = result {
                assert!(
                    matches!(e, Error::Conflict { key, .. } if *key == receipt_key("race", 0)),
                    "{e}"
                );
            }
        }
        // The stored receipt is the winner's, untouched.
        let chain = chain::read_chain(store, "race").unwrap();
        assert_eq!(chain.len(), 1);
        assert_eq!(&chain[0], winners[0]);
    });
}

#[test]
fn published_runs_audit_clean() {
    on_every_backend("publish", |store| {
        let signer = key("ops", 1);
        let runs = support::populated(store, &signer);
        let trust = verify::keys::TrustSet::new([signer.public()]);
        let report = verify::audit::audit(store, &trust, &Default::default()).unwrap();
        assert!(report.ok(), "{:#?}", report.failures);
        assert_eq!(report.manifests, runs.len() as u64);
        assert_eq!(report.receipts, runs.len() as u64);
        assert_eq!(report.chains["zone-a"].checkpoint_size, 3);
        assert_eq!(
            report.chains["zone-a"].checkpoint_root,
            hex::encode(runs[2].checkpoint.root)
        );
        // Republishing the very same run (the same manifest bytes: a retry, or a rerun after
        // a crash between receipt and checkpoint) is idempotent: the manifest is already on
        // its chain, so it gets no second receipt.
        let again = support::publish_run(
            store,
            &signer,
            "zone-b",
            9,
            &[("list", b"entries".to_vec())],
        );
        assert_eq!(again.manifest, runs[3].manifest);
        assert_eq!(again.receipt, runs[3].receipt);
        assert_eq!(chain::read_chain(store, "zone-b").unwrap().len(), 1);
    });
}

#[test]
fn listing_after_a_key_gives_only_the_later_keys_in_order() {
    on_every_backend("list-after", |store| {
        for i in [3u64, 0, 11, 7, 1] {
            store
                .put_create(&receipt_key("c", i), Bytes::from(i.to_string()))
                .unwrap();
        }
        let keys = |after: Option<String>| -> Vec<String> {
            store
                .list_after("log/c/receipts/", after.as_deref())
                .unwrap()
                .into_iter()
                .map(|l| l.key)
                .collect()
        };
        let all: Vec<String> = [0u64, 1, 3, 7, 11].map(|i| receipt_key("c", i)).to_vec();
        assert_eq!(keys(None), all);
        assert_eq!(keys(Some(receipt_key("c", 3))), all[3..]);
        assert_eq!(keys(Some(receipt_key("c", 2))), all[2..]);
        assert!(keys(Some(receipt_key("c", 11))).is_empty());
    });
}

#[test]
fn refs_point_at_digests() {
    on_every_backend("refs", |store| {
        assert_eq!(store.get_ref("runs/demo/latest").unwrap(), None);
        let a = Digest::of(b"a");
        let b = Digest::of(b"b");
        store.set_ref("runs/demo/latest", &a).unwrap();
        store.set_ref("runs/demo/latest", &b).unwrap();
        assert_eq!(store.get_ref("runs/demo/latest").unwrap(), Some(b));
    });
}

#[test]
fn bad_store_urls_are_named_errors() {
    for url in [
        "",
        "ftp://host/x",
        "memory://somewhere",
        "s3://",
        "gs:///path",
        "file://relative/path",
    ] {
        match Store::open(url) {
            Err(Error::StoreUrl { url: u, reason }) => {
                assert_eq!(u, url);
                assert!(!reason.is_empty());
            }
            other => panic!("{url:?}: {other:?}"),
        }
    }
}

#[test]
fn a_local_store_is_a_plain_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("nested/store");
    let store = Store::open(root.to_str().unwrap()).unwrap();
    let (digest, _) = store.put_blob(Bytes::from_static(b"x")).unwrap();
    assert!(root.join(blob_key(&digest)).is_file());
}
