//! Replays every fuzz input the project keeps, and shakes each target with seeded
//! mutations of its seeds: no reader may panic on any of them.
//!
//! `cargo test -p mez-fuzz -- --ignored write_trust_kernel_seeds` rewrites the seeds of the
//! trust-kernel targets (objects signed with the fuzz key, so the fuzzer gets past the
//! signature checks).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use verify::Digest;
use verify::clock::Timestamp;
use verify::manifest::{RunRecord, Statement, Subject, Tool};
use verify::receipt::{Receipt, ReceiptBody, genesis};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The kept inputs of `target`: its seeds and its crash regressions.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = root().join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out
}

#[test]
fn every_kept_input_replays_without_a_panic() {
    let mut replayed = 0;
    for (name, target) in mez_fuzz::TARGETS {
        let kept = inputs(name);
        assert!(
            !kept.is_empty(),
            "{name}: no seeds under fuzz/corpus/{name}"
        );
        for (path, bytes) in kept {
            let outcome = std::panic::catch_unwind(|| target(&bytes));
            assert!(outcome.is_ok(), "{name} panicked on {}", path.display());
            replayed += 1;
        }
    }
    eprintln!(
        "replayed {replayed} inputs over {} targets",
        mez_fuzz::TARGETS.len()
    );
}

/// A small deterministic mutator (bit flips, byte insertions and deletions, truncation,
/// splices of another seed), so the replay also covers the neighbourhood of each seed.
fn mutate(seed: &[u8], other: &[u8], mut state: u64) -> Vec<u8> {
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut out = seed.to_vec();
    for _ in 0..1 + next() % 8 {
        let len = out.len().max(1) as u64;
        let at = (next() % len) as usize;
        match next() % 6 {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << (next() % 8);
            }
            1 => out.insert(at.min(out.len()), next() as u8),
            2 if !out.is_empty() => {
                out.remove(at.min(out.len() - 1));
            }
            3 => out.truncate(at),
            4 => {
                let from = (next() % other.len().max(1) as u64) as usize;
                let piece = &other[from.min(other.len())..];
                let piece = &piece[..piece.len().min(64)];
                out.splice(at.min(out.len())..at.min(out.len()), piece.iter().copied());
            }
            _ => {
                let b = [b'<', b'>', b'"', b'&', b'\n', b',', 0, 0xff][(next() % 8) as usize];
                out.insert(at.min(out.len()), b);
            }
        }
    }
    out
}

#[test]
fn every_target_survives_seeded_mutations_of_its_seeds() {
    let rounds: u64 = std::env::var("MEZ_FUZZ_REPLAY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    for (name, target) in mez_fuzz::TARGETS {
        let kept = inputs(name);
        for i in 0..rounds {
            let (_, seed) = &kept[(i as usize) % kept.len()];
            let (_, other) = &kept[(i as usize * 7 + 3) % kept.len()];
            let input = mutate(seed, other, i ^ 0x5eed);
            let outcome = std::panic::catch_unwind(|| target(&input));
            if outcome.is_err() {
                let dir = std::env::temp_dir().join(format!("mez-fuzz-found-{name}"));
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(format!("mutation-{i}"));
                std::fs::write(&path, &input).unwrap();
                panic!("{name} panicked on a mutation, kept at {}", path.display());
            }
        }
    }
}

/// The zone and lock seeds are valid inputs, so the fuzzer starts past the readers' front
/// doors (the corridor checks, the lock's field checks) instead of at a parse error.
#[test]
fn the_zone_and_lock_seeds_reach_past_the_parsers() {
    let dir = tempfile::tempdir().unwrap();
    let all = std::fs::read(root().join("corpus/zones/all-six.yaml")).unwrap();
    for (folder, part) in mez_fuzz::ZONE_FOLDERS.iter().zip(all.split(|&b| b == 0x0c)) {
        write(&dir.path().join(folder), "zone.yaml", part);
    }
    assert_eq!(packs::zone::load_all(dir.path()).unwrap().len(), 6);
    let seeds = root().join("corpus/stack_lock");
    for (path, bytes) in inputs("stack_lock") {
        if path.starts_with(&seeds) {
            let lock = packs::lock::StackLock::from_slice(&bytes);
            assert!(lock.is_ok(), "{}: {lock:?}", path.display());
        }
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
#[ignore = "rewrites the trust-kernel seeds under fuzz/corpus"]
fn write_trust_kernel_seeds() {
    let key = mez_fuzz::fuzz_key();
    let corpus = root().join("corpus");
    let blob = Digest::of(b"a table");
    let record = RunRecord {
        job: "netting".into(),
        chain: "netting".into(),
        tool: Tool {
            name: "mez".into(),
            version: "0.1.0".into(),
        },
        time: Timestamp::from_unix(1_764_000_000),
        parameters: BTreeMap::from([("currency".to_owned(), serde_json::json!("EUR"))]),
        inputs: vec![],
        packs: vec![],
        quarantined: 0,
        semantic: BTreeMap::new(),
    };
    let statement = Statement::new(
        vec![Subject::new(
            "bilateral",
            blob,
            "application/vnd.apache.parquet",
            3,
            120,
        )],
        record,
    )
    .unwrap();
    let signed = verify::manifest::sign(&statement, key).unwrap();
    write(&corpus.join("manifest"), "signed.dsse.json", &signed.bytes);
    write(&corpus.join("dsse"), "signed.dsse.json", &signed.bytes);
    let receipt = Receipt::sign(
        ReceiptBody {
            receipt_type: "mez.receipt.v1".into(),
            chain: "netting".into(),
            sequence: 0,
            prev_root: genesis("netting"),
            manifest: signed.digest,
            artifacts: vec![blob],
            packs: vec![],
            timestamp: Timestamp::from_unix(1_764_000_000),
        },
        key,
    )
    .unwrap();
    write(
        &corpus.join("receipt"),
        "first.json",
        &receipt.to_bytes().unwrap(),
    );
    let leaf = verify::merkle::leaf_hash(&receipt.to_bytes().unwrap());
    let note = verify::checkpoint::Checkpoint {
        origin: verify::checkpoint::origin_for("netting"),
        size: 1,
        root: verify::merkle::root_of(&[leaf]),
    }
    .sign(key);
    write(&corpus.join("checkpoint"), "size-1.note", note.as_bytes());
    let mut proof = Vec::new();
    proof.extend_from_slice(&1u64.to_le_bytes());
    proof.extend_from_slice(&1u64.to_le_bytes());
    proof.extend_from_slice(&0u64.to_le_bytes());
    proof.extend_from_slice(&verify::merkle::root_of(&[leaf]));
    proof.extend_from_slice(&leaf);
    write(&corpus.join("proofs"), "one-leaf", &proof);
    write(
        &corpus.join("keys"),
        "fuzz.pub",
        key.public().to_note_vkey().as_bytes(),
    );
    write(
        &corpus.join("digests"),
        "digest",
        blob.to_string().as_bytes(),
    );
    write(
        &corpus.join("digests"),
        "canonical.json",
        br#"{"a":[1,2,{"b":"c"}],"d":null}"#,
    );
    let credential = verify::vc::sign(
        &serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": verify::vc::did_key(&key.public()).0,
            "credentialSubject": {"id": "urn:mez:artifact", "digest": blob.to_string()}
        }),
        &verify::vc::ProofOptions {
            verification_method: verify::vc::did_key(&key.public()).1,
            created: "2026-11-23T00:00:00Z".into(),
            proof_purpose: "assertionMethod".into(),
        },
        key,
    )
    .unwrap();
    write(
        &corpus.join("credential"),
        "signed.json",
        serde_json::to_string_pretty(&credential)
            .unwrap()
            .as_bytes(),
    );
}

/// The seeds are what they claim to be: each list reads to entries, each signed object
/// verifies under the fuzz key, so the fuzzer starts from inputs that reach deep.
#[test]
fn the_seeds_are_valid_inputs() {
    let corpus = root().join("corpus");
    for list in ["ofac.xml", "un.xml", "eu.xml", "uk.xml"] {
        let file = ingest::NamedFile::as_given(corpus.join("sanctions_xml").join(list));
        let reading = ingest::sanctions::read_xml(&file).unwrap();
        assert_eq!(reading.entries.len(), 2, "{list}: {:?}", reading.quarantine);
    }
    let trust = verify::keys::TrustSet::new([mez_fuzz::fuzz_key().public()]);
    let manifest = std::fs::read(corpus.join("manifest/signed.dsse.json")).unwrap();
    verify::manifest::open("seed", &manifest, &trust).unwrap();
    let receipt = std::fs::read(corpus.join("receipt/first.json")).unwrap();
    Receipt::from_bytes("seed", &receipt)
        .unwrap()
        .verify_signature("seed", &trust)
        .unwrap();
    let note = std::fs::read(corpus.join("checkpoint/size-1.note")).unwrap();
    verify::checkpoint::Checkpoint::open("seed", &note, &trust).unwrap();
    let credential = std::fs::read(corpus.join("credential/signed.json")).unwrap();
    verify::vc::verify(&serde_json::from_slice(&credential).unwrap()).unwrap();
    let mut payments = 0;
    let bulk = std::fs::read(corpus.join("pacs008/bulk.xml")).unwrap();
    ingest::pacs008::read("seed", bulk.as_slice(), &mut |_| payments += 1);
    assert!(payments > 0);
}
