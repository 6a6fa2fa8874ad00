//! Publication that cannot wedge a store, and verification that a rollback cannot fool:
//! racing writers, a publication stopped after its manifest, durability and repairs,
//! leftovers, empty stores, witness pins, and receipts that contradict their manifests.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use verify::audit::{AuditOptions, Report, Witness, audit};
use verify::chain;
use verify::clock::{FixedClock, Timestamp};
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::{self, PARQUET_MEDIA_TYPE, RunRecord, Statement, Subject, Tool};
use verify::receipt::{RECEIPT_TYPE, ReceiptBody};
use verify::store::{STAGING, Store, Written, blob_key, checkpoint_key, gc, receipt_key};

use crate::support::{self, clock, key};

fn trusted() -> TrustSet {
    TrustSet::new([key("ops", 1).public()])
}

fn checks(report: &Report) -> Vec<(String, String)> {
    report
        .failures
        .iter()
        .map(|f| (f.object.clone(), f.check.clone()))
        .collect()
}

/// A statement over one stored table, on `chain`, at `time`.
fn statement(store: &Store, chain: &str, table: &str, time: i64) -> Statement {
    let bytes = Bytes::from(format!("table {table}").into_bytes());
    let (digest, _) = store.put_blob(bytes.clone()).unwrap();
    let record = RunRecord {
        job: "test".into(),
        chain: chain.into(),
        tool: Tool {
            name: "mez".into(),
            version: "0.0.0-test".into(),
        },
        time: Timestamp::from_unix(time),
        parameters: BTreeMap::new(),
        inputs: vec![],
        packs: vec![],
        quarantined: 0,
        semantic: BTreeMap::new(),
    };
    let subject = Subject::new("table", digest, PARQUET_MEDIA_TYPE, 1, bytes.len() as u64);
    Statement::new(vec![subject], record).unwrap()
}

/// Every writer of `WRITERS` publishes `RUNS` runs on one chain at once (200 appends), each
/// through its own handle on the store: every run lands, once, on an unforked chain, and
/// the audit proves each checkpoint consistent with the next.
fn racing_publishers(open: &(dyn Fn() -> Store + Sync)) {
    const WRITERS: usize = 8;
    const RUNS: usize = 25;
    let barrier = Arc::new(Barrier::new(WRITERS));
    let signer = key("ops", 1);
    let published: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (barrier, signer) = (Arc::clone(&barrier), &signer);
                scope.spawn(move || {
                    let store = open();
                    barrier.wait();
                    (0..RUNS)
                        .map(|r| {
                            let s = statement(&store, "race", &format!("{w}-{r}"), 1000);
                            chain::publish(&store, signer, &TrustSet::default(), &clock(0), &s)
                                .map(|p| p.manifest)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let store = open();
    let manifests: Vec<_> = published.into_iter().map(Result::unwrap).collect();
    let receipts = chain::read_chain(&store, "race").unwrap();
    assert_eq!(receipts.len(), WRITERS * RUNS, "one receipt per run");
    let mut on_chain: Vec<_> = receipts.iter().map(|r| r.body.manifest).collect();
    on_chain.sort();
    let mut expected = manifests;
    expected.sort();
    assert_eq!(on_chain, expected, "no run lost, none twice");
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(report.ok(), "{:#?}", report.failures);
    assert_eq!(
        report.chains["race"].checkpoint_size,
        (WRITERS * RUNS) as u64
    );
}

#[test]
fn racing_publishers_all_land_on_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap().to_owned();
    racing_publishers(&|| Store::open(&path).unwrap());
    if let Some(server) = support::s3_server() {
        let url = support::s3_store(server, "racing-publishers")
            .url()
            .to_owned();
        racing_publishers(&|| support::s3_reopen(server, &url));
    }
}

#[test]
fn a_publication_stopped_after_its_manifest_is_adopted_or_superseded() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let signer = key("ops", 1);
    support::populated(&store, &signer);
    // The manifest is stored, then the process dies: no receipt.
    let orphan = statement(&store, "zone-a", "killed", 5000);
    let signed = manifest::sign(&orphan, &signer).unwrap();
    let digest = signed.digest;
    store
        .put_content(
            &verify::store::manifest_key(&digest),
            &digest,
            Bytes::from(signed.bytes),
        )
        .unwrap();
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(
        checks(&report).contains(&(verify::store::manifest_key(&digest), "receipt".into())),
        "{:#?}",
        report.failures
    );
    // Adopting it appends its receipt; the store verifies; adopting again changes nothing.
    let adopted = chain::adopt(&store, &signer, &TrustSet::default(), &clock(9), &digest).unwrap();
    assert_eq!(adopted.receipt.body.sequence, 3);
    let again = chain::adopt(&store, &signer, &TrustSet::default(), &clock(9), &digest).unwrap();
    assert_eq!(again.receipt, adopted.receipt);
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(report.ok(), "{:#?}", report.failures);

    // Or a rerun publishes the same tables later: the stopped attempt is a note, not a
    // failure.
    let stopped = statement(&store, "zone-b", "rerun", 6000);
    let signed = manifest::sign(&stopped, &signer).unwrap();
    let stopped_digest = signed.digest;
    store
        .put_content(
            &verify::store::manifest_key(&stopped_digest),
            &stopped_digest,
            Bytes::from(signed.bytes),
        )
        .unwrap();
    let rerun = statement(&store, "zone-b", "rerun", 6100);
    chain::publish(&store, &signer, &TrustSet::default(), &clock(20), &rerun).unwrap();
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(report.ok(), "{:#?}", report.failures);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.object == verify::store::manifest_key(&stopped_digest)
                && n.note.contains("abandoned attempt")),
        "{:#?}",
        report.notes
    );
}

#[test]
fn a_missing_or_empty_store_cannot_be_verified_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped");
    let err = Store::open_existing(missing.to_str().unwrap()).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(!missing.exists(), "opening to read created the store");
    let empty = Store::open_existing(dir.path().to_str().unwrap()).unwrap();
    let err = audit(&empty, &trusted(), &AuditOptions::default()).unwrap_err();
    assert!(err.to_string().contains("nothing to verify"), "{err}");
}

#[test]
fn a_zero_length_file_under_a_content_key_is_reported_and_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    support::populated(&store, &key("ops", 1));
    let payments = format!("payments of run {}", 1).repeat(50).into_bytes();
    let digest = verify::Digest::of(&payments);
    // A power loss before the data reached the disk left the name and no bytes.
    std::fs::write(dir.path().join(blob_key(&digest)), b"").unwrap();
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(checks(&report).contains(&(blob_key(&digest), "digest".into())));
    let (_, written) = store.put_blob(Bytes::from(payments)).unwrap();
    assert_eq!(written, Written::Repaired);
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(report.ok(), "{:#?}", report.failures);
}

/// "Now" by the file system's clock (the tests take no time from the system clock).
fn fs_now(dir: &std::path::Path) -> SystemTime {
    let probe = dir.join("probe");
    std::fs::write(&probe, b"").unwrap();
    let now = probe.metadata().unwrap().modified().unwrap();
    std::fs::remove_file(probe).unwrap();
    now
}

fn age(path: &std::path::Path, by: Duration) {
    let when = fs_now(path.parent().unwrap()) - by;
    std::fs::File::open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[test]
fn leftovers_of_killed_jobs_are_swept_and_collected_but_nothing_referenced() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    support::populated(&store, &key("ops", 1));
    // A killed job's staging folder from two days ago, and one from a job still running.
    let old = dir.path().join(STAGING).join("job-killed");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("payments.parquet"), b"half").unwrap();
    age(&old, Duration::from_secs(48 * 3600));
    let running = dir.path().join(STAGING).join("job-running");
    std::fs::create_dir_all(&running).unwrap();
    // A blob no manifest names, written two days ago by a run killed before its manifest,
    // and one written a minute ago.
    let (orphan, _) = store.put_blob(Bytes::from_static(b"orphan")).unwrap();
    age(
        &dir.path().join(blob_key(&orphan)),
        Duration::from_secs(48 * 3600),
    );
    let (young, _) = store.put_blob(Bytes::from_static(b"young")).unwrap();

    let now = fs_now(dir.path());
    let garbage = gc::find(&store, now, Duration::from_secs(24 * 3600)).unwrap();
    assert_eq!(garbage.blobs, [blob_key(&orphan)]);
    assert_eq!(garbage.young_blobs, 1);
    assert_eq!(garbage.staging, std::slice::from_ref(&old));
    gc::remove(&store, &garbage).unwrap();
    assert!(!old.exists() && running.exists());
    assert!(!store.exists(&blob_key(&orphan)).unwrap());
    assert!(store.exists(&blob_key(&young)).unwrap());
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(report.ok(), "{:#?}", report.failures);

    // The next job sweeps its predecessors' leftovers itself.
    let killed = dir.path().join(STAGING).join("job-killed-again");
    std::fs::create_dir_all(&killed).unwrap();
    age(&killed, Duration::from_secs(48 * 3600));
    let _staging = store.staging_dir().unwrap();
    assert!(!killed.exists());
    // Puts leave nothing but objects under blobs/.
    for entry in std::fs::read_dir(dir.path().join("blobs/sha256")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(verify::Digest::from_hex(&name).is_ok(), "{name}");
    }
}

#[test]
fn a_rolled_back_or_rewritten_chain_fails_against_the_witness_state() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let signer = key("ops", 1);
    support::populated(&store, &signer);
    let first = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(first.ok());
    let witness = Witness::of(&first);
    assert_eq!(witness.chains["zone-a"].size, 3);
    let pinned = AuditOptions {
        pins: witness.chains.values().cloned().collect(),
        ..AuditOptions::default()
    };
    // The tail of zone-a (its last run, receipt and checkpoint) rolled back: on its own the
    // store still verifies — which is exactly the hole.
    std::fs::remove_file(dir.path().join(receipt_key("zone-a", 2))).unwrap();
    std::fs::remove_file(dir.path().join(checkpoint_key("zone-a", 3))).unwrap();
    let last = &support::populated(&Store::open("memory://").unwrap(), &signer)[2];
    std::fs::remove_file(dir.path().join(verify::store::manifest_key(&last.manifest))).unwrap();
    let alone = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    assert!(alone.ok(), "{:#?}", alone.failures);
    let report = audit(&store, &trusted(), &pinned).unwrap();
    assert!(
        checks(&report).contains(&("log/zone-a".into(), "rollback".into())),
        "{:#?}",
        report.failures
    );

    // A history rewritten to the same length fails too.
    let other = tempfile::tempdir().unwrap();
    let rewritten = Store::open(other.path().to_str().unwrap()).unwrap();
    for run in 10..13 {
        support::publish_run(&rewritten, &signer, "zone-a", run, &[("t", vec![1, 2, 3])]);
    }
    support::publish_run(&rewritten, &signer, "zone-b", 19, &[("t", vec![4])]);
    let report = audit(&rewritten, &trusted(), &pinned).unwrap();
    assert!(
        checks(&report).contains(&("log/zone-a".into(), "consistency".into())),
        "{:#?}",
        report.failures
    );
}

#[test]
fn receipts_must_agree_with_their_manifests_and_never_go_back_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let signer: SecretKey = key("ops", 1);
    let publish = |s: &Statement, t: i64| {
        chain::publish(
            &store,
            &signer,
            &TrustSet::default(),
            &FixedClock(Timestamp::from_unix(t)),
            s,
        )
        .unwrap()
    };
    publish(&statement(&store, "zone-a", "one", 100), 2000);
    // A writer whose clock runs behind cannot write a receipt earlier than the last one.
    let late = publish(&statement(&store, "zone-a", "two", 100), 1000);
    assert_eq!(late.receipt.body.timestamp, Timestamp::from_unix(2000));
    // A receipt on zone-a for a manifest of chain zone-b, written by hand, fails; so does
    // one dated before its predecessor.
    let foreign = statement(&store, "zone-b", "three", 100);
    let signed = manifest::sign(&foreign, &signer).unwrap();
    store
        .put_content(
            &verify::store::manifest_key(&signed.digest),
            &signed.digest,
            Bytes::from(signed.bytes),
        )
        .unwrap();
    let receipts = chain::read_chain(&store, "zone-a").unwrap();
    let body = ReceiptBody {
        receipt_type: RECEIPT_TYPE.into(),
        chain: "zone-a".into(),
        sequence: 2,
        prev_root: receipts[1].digest,
        manifest: signed.digest,
        artifacts: foreign
            .subject
            .iter()
            .map(|s| s.sha256().unwrap())
            .collect(),
        packs: vec![],
        timestamp: Timestamp::from_unix(1500),
    };
    chain::append_receipt(&store, &signer, body).unwrap();
    let report = audit(&store, &trusted(), &AuditOptions::default()).unwrap();
    let found = checks(&report);
    assert!(
        found.contains(&(receipt_key("zone-a", 2), "chain".into()))
            && found.contains(&(receipt_key("zone-a", 2), "time".into())),
        "{:#?}",
        report.failures
    );
}

#[test]
fn one_chain_or_one_run_is_verified_alone() {
    use verify::audit::Scope;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().to_str().unwrap()).unwrap();
    let runs = support::populated(&store, &key("ops", 1));
    // Damage a blob of zone-b's run only.
    let statement = manifest::statement_unverified(
        "zone-b",
        &store
            .get(&verify::store::manifest_key(&runs[3].manifest))
            .unwrap(),
    )
    .unwrap();
    let blob = blob_key(&statement.subject[0].sha256().unwrap());
    std::fs::write(dir.path().join(&blob), b"damaged").unwrap();
    let scoped = |scope: Scope| {
        let options = AuditOptions {
            scope,
            ..AuditOptions::default()
        };
        audit(&store, &trusted(), &options).unwrap()
    };
    let a = scoped(Scope::Chain("zone-a".into()));
    assert!(a.ok(), "{:#?}", a.failures);
    assert_eq!((a.manifests, a.receipts), (3, 3));
    assert!(a.chains.keys().eq(["zone-a"]));
    let b = scoped(Scope::Chain("zone-b".into()));
    assert!(
        checks(&b).contains(&(blob.clone(), "digest".into())),
        "{:#?}",
        b.failures
    );
    let run = scoped(Scope::Run(runs[1].manifest));
    assert!(run.ok(), "{:#?}", run.failures);
    let run = scoped(Scope::Run(runs[3].manifest));
    assert!(!run.ok());
    let options = AuditOptions {
        scope: Scope::Chain("no-such-chain".into()),
        ..AuditOptions::default()
    };
    assert!(audit(&store, &trusted(), &options).is_err());
}
