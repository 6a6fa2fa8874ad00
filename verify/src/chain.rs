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
    check_chain_id(chain)?;
    let listed = store.list(&format!("log/{chain}/receipts/"))?;
    let keys: Vec<String> = listed.into_iter().map(|l| l.key).collect();
    let mut receipts: Vec<Receipt> = Vec::with_capacity(keys.len());
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
    Ok(receipts)
}

/// Reads a chain like [`read_chain`] and also checks that every receipt is signed by a
/// key in `trust`: a writer never extends a chain it cannot vouch for.
pub fn read_chain_trusted(store: &Store, chain: &str, trust: &TrustSet) -> Result<Vec<Receipt>> {
    let receipts = read_chain(store, chain)?;
    for receipt in &receipts {
        receipt.verify_signature(&receipt_key(chain, receipt.body.sequence), trust)?;
    }
    Ok(receipts)
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

/// Signs and writes the checkpoint over `leaves` (all receipts of the chain so far).
pub fn write_checkpoint(
    store: &Store,
    signer: &SecretKey,
    chain: &str,
    leaves: &[Hash],
) -> Result<Checkpoint> {
    let checkpoint = Checkpoint {
        origin: origin_for(chain),
        size: leaves.len() as u64,
        root: root_of(leaves),
    };
    let note = checkpoint.sign(signer);
    store.put_create(&checkpoint_key(chain, checkpoint.size), Bytes::from(note))?;
    Ok(checkpoint)
}

/// Publishes a run whose blobs are already stored: manifest, receipt, checkpoint.
///
/// Refuses to publish a manifest naming a blob the store does not hold, and to extend a
/// chain holding a receipt that is not signed by `signer` or a key in `trust` (appending
/// checks sequence, linkage and signatures).
pub fn publish(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    statement: &Statement,
) -> Result<Publication> {
    let chain = statement.predicate.chain.clone();
    check_chain_id(&chain)?;
    let mut artifacts = Vec::with_capacity(statement.subject.len());
    for subject in &statement.subject {
        let digest = subject.sha256()?;
        let key = store::blob_key(&digest);
        if !store.exists(&key)? {
            return Err(Error::NotFound { key });
        }
        artifacts.push(digest);
    }
    // 2. manifest
    let signed = manifest::sign(statement, signer)?;
    let key = manifest_key(&signed.digest);
    let _: Written = store.put_content(&key, &signed.digest, Bytes::from(signed.bytes))?;
    // 3. receipt
    let mut writers = trust.clone();
    writers.add(signer.public());
    let mut receipts = read_chain_trusted(store, &chain, &writers)?;
    let (sequence, prev_root) = match receipts.last() {
        Some(last) => (last.body.sequence + 1, last.digest),
        None => (0, genesis(&chain)),
    };
    let body = ReceiptBody {
        receipt_type: RECEIPT_TYPE.to_owned(),
        chain: chain.clone(),
        sequence,
        prev_root,
        manifest: signed.digest,
        artifacts,
        packs: statement.predicate.packs.iter().map(|p| p.digest).collect(),
        timestamp: clock.now(),
    };
    let receipt = append_receipt(store, signer, body)?;
    receipts.push(receipt.clone());
    // 4. checkpoint
    let checkpoint = write_checkpoint(store, signer, &chain, &leaves(&receipts))?;
    Ok(Publication {
        manifest: signed.digest,
        receipt,
        checkpoint,
    })
}
