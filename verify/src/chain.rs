//! Publishing runs onto a receipt chain: the writer's side of the commit protocol
//! described in [`crate::store`].

use bytes::Bytes;

use crate::checkpoint::{Checkpoint, origin_for};
use crate::clock::Clock;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::keys::{SecretKey, TrustSet};
use crate::manifest::{self, Statement};
use crate::merkle::{Hash, leaf_hash, root_of};
use crate::receipt::{RECEIPT_TYPE, Receipt, ReceiptBody, check_chain_id, genesis};
use crate::store::{self, Store, Written, checkpoint_key, manifest_key, receipt_key};

/// What a publication wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub manifest: Digest,
    pub receipt: Receipt,
    pub checkpoint: Checkpoint,
}

/// Reads a chain's receipts in order, checking each digest and link. Signatures are
/// checked by [`read_chain_trusted`] (writers) and by the audit (auditors).
pub fn read_chain(store: &Store, chain: &str) -> Result<Vec<Receipt>> {
    let mut receipts = Vec::new();
    read_newer(store, chain, &mut receipts)?;
    Ok(receipts)
}

/// Reads the receipts appended after `receipts` (a prefix of the chain as read before),
/// checking each digest and link, and adds them. Only the newer keys are listed and read:
/// a writer that lost a race reads what the winners appended, not the whole chain again.
fn read_newer(store: &Store, chain: &str, receipts: &mut Vec<Receipt>) -> Result<()> {
    check_chain_id(chain)?;
    let prefix = format!("log/{chain}/receipts/");
    let after = receipts.last().map(|r| receipt_key(chain, r.body.sequence));
    let listed = store.list_after(&prefix, after.as_deref())?;
    let keys: Vec<String> = listed.into_iter().map(|l| l.key).collect();
    for (key, bytes) in keys
        .iter()
        .zip(store.get_many(&keys, store::default_concurrency()))
    {
        let receipt = Receipt::from_bytes(key, &bytes?)?;
        if *key != receipt_key(chain, receipt.body.sequence) {
            return Err(Error::Chain {
                chain: chain.to_owned(),
                reason: format!("{key} holds receipt {}", receipt.body.sequence),
            });
        }
        receipt.check_follows(receipts.last())?;
        receipts.push(receipt);
    }
    Ok(())
}

/// Reads a chain like [`read_chain`] and also checks that every receipt is signed by a
/// key in `trust`: a writer never extends a chain it cannot vouch for.
pub fn read_chain_trusted(store: &Store, chain: &str, trust: &TrustSet) -> Result<Vec<Receipt>> {
    let mut receipts = Vec::new();
    read_newer_trusted(store, chain, trust, &mut receipts)?;
    Ok(receipts)
}

/// [`read_newer`], checking the signature of every receipt it adds.
fn read_newer_trusted(
    store: &Store,
    chain: &str,
    trust: &TrustSet,
    receipts: &mut Vec<Receipt>,
) -> Result<()> {
    let known = receipts.len();
    read_newer(store, chain, receipts)?;
    for receipt in &receipts[known..] {
        receipt.verify_signature(&receipt_key(chain, receipt.body.sequence), trust)?;
    }
    Ok(())
}

/// The MMR leaf hashes of a chain's receipts.
pub fn leaves(receipts: &[Receipt]) -> Vec<Hash> {
    receipts.iter().map(|r| leaf_hash(&r.digest.0)).collect()
}

/// Appends a receipt at `expected_sequence` (the chain's current length as the caller
/// read it). A writer that lost the race for that index gets [`Error::Conflict`]; the
/// winner's receipt is never overwritten.
pub fn append_receipt(store: &Store, signer: &SecretKey, body: ReceiptBody) -> Result<Receipt> {
    let receipt = Receipt::sign(body, signer)?;
    let key = receipt_key(&receipt.body.chain, receipt.body.sequence);
    store.put_create(&key, Bytes::from(receipt.to_bytes()?))?;
    Ok(receipt)
}

/// Signs and writes the checkpoint over `leaves` (all receipts of the chain so far). A
/// checkpoint of that size already written by a key in `trust` over the same root is
/// accepted as it is (another writer, or an earlier attempt, got there first).
pub fn write_checkpoint(
    store: &Store,
    signer: &SecretKey,
    chain: &str,
    leaves: &[Hash],
) -> Result<Checkpoint> {
    write_checkpoint_trusting(
        store,
        signer,
        &TrustSet::new([signer.public()]),
        chain,
        leaves,
    )
}

fn write_checkpoint_trusting(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    chain: &str,
    leaves: &[Hash],
) -> Result<Checkpoint> {
    let checkpoint = Checkpoint {
        origin: origin_for(chain),
        size: leaves.len() as u64,
        root: root_of(leaves),
    };
    let note = checkpoint.sign(signer);
    let key = checkpoint_key(chain, checkpoint.size);
    match store.put_create(&key, Bytes::from(note)) {
        Ok(_) => Ok(checkpoint),
        Err(Error::Conflict { .. }) => {
            let (existing, _) = Checkpoint::open(&key, &store.get(&key)?, trust)?;
            if existing == checkpoint {
                Ok(checkpoint)
            } else {
                Err(Error::Chain {
                    chain: chain.to_owned(),
                    reason: format!("{key} holds another root than the receipts give"),
                })
            }
        }
        Err(e) => Err(e),
    }
}

/// How often a writer that lost the race for the next receipt reads the chain again and
/// retries before the run fails (at most some 25 s of pauses in all).
pub const APPEND_ATTEMPTS: u32 = 200;

/// The pause before retry `attempt` (1, 2, …): doubling from 2 ms up to 64 ms, plus up to
/// as much again that differs between processes and threads (their ids and stack
/// addresses), so that writers who collided do not collide again in step. The cap is low on
/// purpose: a writer that has just won starts its next run with short pauses, and long
/// pauses for the losers would let a busy winner starve them (8 writers publishing 200
/// runs on one chain starved one past 40 attempts of up to 500 ms).
fn backoff(attempt: u32) -> std::time::Duration {
    let base = (2u64 << attempt.min(5)).min(64);
    let here = 0u8;
    let seed = (std::ptr::addr_of!(here) as usize as u64)
        ^ u64::from(std::process::id()).rotate_left(32)
        ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mixed = seed.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let spread = (mixed >> 17) % (base + 1);
    std::time::Duration::from_millis(base + spread)
}

/// Publishes a run whose blobs are already stored: manifest, receipt, checkpoint.
///
/// Refuses to publish a manifest naming a blob the store does not hold, and to extend a
/// chain holding a receipt that is not signed by `signer` or a key in `trust` (appending
/// checks sequence, linkage and signatures). A writer that loses the race for the next
/// receipt reads the chain again and retries, up to [`APPEND_ATTEMPTS`] times with a
/// growing pause; a manifest already on the chain (a repeated publication) gets no second
/// receipt.
pub fn publish(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    statement: &Statement,
) -> Result<Publication> {
    check_chain_id(&statement.predicate.chain)?;
    stored_artifacts(store, statement)?;
    // 2. manifest
    let signed = manifest::sign(statement, signer)?;
    let key = manifest_key(&signed.digest);
    let _: Written = store.put_content(&key, &signed.digest, Bytes::from(signed.bytes))?;
    // 3. receipt, 4. checkpoint
    append(store, signer, trust, clock, statement, signed.digest)
}

/// Puts a manifest left on no chain (its publication was killed, or lost its race before
/// retries existed) on its chain: appends its receipt and a checkpoint. The manifest must
/// be signed by `signer` or a key in `trust`, and every artifact it names must be stored.
/// Adopting a manifest already on its chain changes nothing.
pub fn adopt(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    manifest_digest: &Digest,
) -> Result<Publication> {
    let key = manifest_key(manifest_digest);
    let bytes = store.get_verified(&key, manifest_digest)?;
    let mut writers = trust.clone();
    writers.add(signer.public());
    let (statement, _) = manifest::open(&key, &bytes, &writers)?;
    check_chain_id(&statement.predicate.chain)?;
    append(store, signer, trust, clock, &statement, *manifest_digest)
}

/// The digests of a statement's subjects, each checked to be in the store.
fn stored_artifacts(store: &Store, statement: &Statement) -> Result<Vec<Digest>> {
    let mut artifacts = Vec::with_capacity(statement.subject.len());
    for subject in &statement.subject {
        let digest = subject.sha256()?;
        let key = store::blob_key(&digest);
        if !store.exists(&key)? {
            return Err(Error::NotFound { key });
        }
        artifacts.push(digest);
    }
    Ok(artifacts)
}

/// Steps 3 and 4 of the commit protocol for `statement`, signed as `manifest`, retried on
/// a lost race. Every artifact the statement names must be stored.
fn append(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    statement: &Statement,
    manifest: Digest,
) -> Result<Publication> {
    let chain = statement.predicate.chain.as_str();
    let artifacts = stored_artifacts(store, statement)?;
    let packs: Vec<Digest> = statement.predicate.packs.iter().map(|p| p.digest).collect();
    let mut writers = trust.clone();
    writers.add(signer.public());
    let mut attempt = 0;
    // The receipt is on the chain: make sure a checkpoint covers it.
    let finish = |receipt: Receipt, receipts: &[Receipt]| -> Result<Publication> {
        let checkpoint =
            write_checkpoint_trusting(store, signer, &writers, chain, &leaves(receipts))?;
        Ok(Publication {
            manifest,
            receipt,
            checkpoint,
        })
    };
    let mut receipts = Vec::new();
    loop {
        attempt += 1;
        read_newer_trusted(store, chain, &writers, &mut receipts)?;
        if let Some(at) = receipts.iter().position(|r| r.body.manifest == manifest) {
            // Already published (a repeated run, or an attempt that got this far): no second
            // receipt.
            return finish(receipts[at].clone(), &receipts);
        }
        let (sequence, prev_root, not_before) = match receipts.last() {
            Some(last) => (last.body.sequence + 1, last.digest, last.body.timestamp),
            None => (0, genesis(chain), clock.now()),
        };
        let body = ReceiptBody {
            receipt_type: RECEIPT_TYPE.to_owned(),
            chain: chain.to_owned(),
            sequence,
            prev_root,
            manifest,
            artifacts: artifacts.clone(),
            packs: packs.clone(),
            // Receipt times never go backwards on a chain, whatever the writer's clock says.
            timestamp: clock.now().max(not_before),
        };
        match append_receipt(store, signer, body) {
            Ok(receipt) => {
                receipts.push(receipt.clone());
                return finish(receipt, &receipts);
            }
            Err(Error::Conflict { .. }) if attempt < APPEND_ATTEMPTS => {
                std::thread::sleep(backoff(attempt));
            }
            Err(Error::Conflict { key, reason }) => {
                return Err(Error::Conflict {
                    key,
                    reason: format!(
                        "{reason}; still losing the race after {APPEND_ATTEMPTS} attempts \
                         (the manifest is stored: `mez publish --adopt {manifest}` appends it)"
                    ),
                });
            }
            Err(e) => return Err(e),
        }
    }
}
