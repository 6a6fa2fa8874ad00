//! What every sharded job shares: a signed plan in the store, partials found through a
//! write-once index, and the errors of both.
//!
//! Why one place: a plan is trusted only when a trusted key signed it, and a partial only
//! when its index entry, its plan and its shard agree. Each job (netting, screening, the
//! nightly) says what its plan and partials hold; how they are stored and checked is the
//! same for all, and written once.

use serde::Serialize;
use serde::de::DeserializeOwned;
use verify::Digest;
use verify::digest::HashingReader;
use verify::dsse::Envelope;
use verify::keys::{SecretKey, TrustSet};
use verify::store::Store;

use super::JobError;

/// What can go wrong between a plan and its merge.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// The merge found no partial for a shard: its map unit has not run (or not finished).
    #[error("shard {shard} of plan {plan} has no partial (run its map unit: --shard {shard})")]
    Missing { plan: Digest, shard: usize },
    /// A partial that cannot be used: damaged, or not what its index says.
    #[error("shard {shard} of plan {plan}: corrupt partial: {reason}")]
    Corrupt {
        plan: Digest,
        shard: usize,
        reason: String,
    },
    /// A bad plan or request: no plan under that digest, a signature that does not verify,
    /// a shard out of range, an input that changed since the plan, a partial of another plan.
    #[error("plan {plan}: {reason}")]
    Plan { plan: String, reason: String },
}

impl ShardError {
    /// A bad plan or request about plan `plan`.
    pub fn plan(plan: &Digest, reason: impl Into<String>) -> Self {
        ShardError::Plan {
            plan: plan.to_string(),
            reason: reason.into(),
        }
    }
}

/// Signs `plan` (canonical JSON, DSSE payload type `payload_type`) and stores it as a blob;
/// returns its digest, which names the plan from then on.
pub fn store_plan<T: Serialize>(
    store: &Store,
    signer: &SecretKey,
    payload_type: &str,
    plan: &T,
) -> Result<Digest, JobError> {
    let payload = verify::canon::to_canonical_vec(plan)?;
    let envelope = Envelope::sign(payload_type, &payload, &[signer]).to_bytes()?;
    Ok(store.put_blob(envelope.into())?.0)
}

/// Reads plan `digest` of type `payload_type`, signed by a key of `trust`.
pub fn open_plan<T: DeserializeOwned>(
    store: &Store,
    trust: &TrustSet,
    payload_type: &str,
    digest: &Digest,
) -> Result<T, ShardError> {
    let bad = |reason: String| ShardError::plan(digest, reason);
    let bytes = store.get_blob(digest).map_err(|e| bad(e.to_string()))?;
    let what = digest.to_string();
    let (payload, _) = Envelope::from_bytes(&what, &bytes)
        .and_then(|e| e.open(&what, payload_type, trust))
        .map_err(|e| bad(e.to_string()))?;
    serde_json::from_slice(&payload).map_err(|e| bad(format!("not a {payload_type} plan: {e}")))
}

/// The index entry of shard `shard` of plan `plan` of `job`.
fn index_key(job: &str, plan: &Digest, shard: usize) -> String {
    format!("scale/{job}/{}/shard-{shard}", plan.hex())
}

/// What every partial says of itself, around what its job stores in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
struct Stamped<T> {
    kind: String,
    plan: Digest,
    shard: usize,
    body: T,
}

/// Stores a map unit's partial (canonical JSON: `kind`, plan, shard and `body`) and its
/// index entry; a unit run again, or twice at once, writes the same bytes to both. Returns
/// the partial's digest.
pub fn store_partial<T: Serialize>(
    store: &Store,
    job: &str,
    kind: &str,
    plan: &Digest,
    shard: usize,
    body: &T,
) -> Result<Digest, JobError> {
    let stamped = Stamped {
        kind: kind.to_owned(),
        plan: *plan,
        shard,
        body,
    };
    let (digest, _) = store.put_blob(verify::canon::to_canonical_vec(&stamped)?.into())?;
    store.put_create(
        &index_key(job, plan, shard),
        format!("{digest}\n").into_bytes().into(),
    )?;
    Ok(digest)
}

/// Finds shard `shard`'s partial through its index entry, and checks that it is a `kind`
/// partial of this plan and shard (one of another plan is refused as such, not merged).
pub fn load_partial<T: DeserializeOwned>(
    store: &Store,
    job: &str,
    kind: &str,
    plan: &Digest,
    shard: usize,
) -> Result<T, JobError> {
    let corrupt = |reason: String| ShardError::Corrupt {
        plan: *plan,
        shard,
        reason,
    };
    let index = match store.get(&index_key(job, plan, shard)) {
        Ok(bytes) => bytes,
        Err(verify::Error::NotFound { .. }) => {
            return Err(ShardError::Missing { plan: *plan, shard }.into());
        }
        Err(e) => return Err(e.into()),
    };
    let digest: Digest = std::str::from_utf8(&index)
        .ok()
        .and_then(|t| t.trim_end().parse().ok())
        .ok_or_else(|| corrupt("its index entry is not a digest".into()))?;
    let bytes = store
        .get_blob(&digest)
        .map_err(|e| corrupt(e.to_string()))?;
    let stamped: Stamped<T> = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    if stamped.kind != kind || stamped.plan != *plan || stamped.shard != shard {
        return Err(ShardError::plan(
            plan,
            format!(
                "the partial of shard {shard} is shard {} of {} plan {}",
                stamped.shard, stamped.kind, stamped.plan
            ),
        )
        .into());
    }
    Ok(stamped.body)
}

/// An Arrow IPC stream writer for a partial's batches, zstd-compressed: a partial is
/// written once and read once, over the network on a cluster, and payments compress about
/// fivefold. (Readers find the compression in the stream itself.)
pub fn partial_stream_writer<W: std::io::Write>(
    out: W,
    schema: &arrow::datatypes::Schema,
) -> Result<arrow::ipc::writer::StreamWriter<W>, arrow::error::ArrowError> {
    let options = arrow::ipc::writer::IpcWriteOptions::default()
        .try_with_compression(Some(arrow::ipc::CompressionType::ZSTD))?;
    arrow::ipc::writer::StreamWriter::try_new_with_options(out, schema, options)
}

/// A blob opened for streaming, its bytes hashed as they are read: partials can be larger
/// than memory. On a local store the blob's file is read where it is; otherwise it is
/// downloaded into `staging` first.
pub fn open_blob(
    store: &Store,
    digest: &Digest,
    staging: &std::path::Path,
) -> Result<HashingReader<std::io::BufReader<std::fs::File>>, String> {
    let path = blob_path(store, digest, staging)?;
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(HashingReader::new(std::io::BufReader::new(file)))
}

/// A blob as a local file: the store's own file on a local store, else a download into
/// `staging`. Not checked: see [`checked_blob_file`].
fn blob_path(
    store: &Store,
    digest: &Digest,
    staging: &std::path::Path,
) -> Result<std::path::PathBuf, String> {
    let key = verify::store::blob_key(digest);
    match store.local_root() {
        Some(root) => Ok(root.join(&key)),
        None => {
            let path = staging.join(digest.hex());
            store.download(&key, &path).map_err(|e| e.to_string())?;
            Ok(path)
        }
    }
}

/// A blob as a local file (see [`open_blob`]), checked against its digest first: for
/// readers that need the whole file at hand (Parquet).
pub fn checked_blob_file(
    store: &Store,
    digest: &Digest,
    staging: &std::path::Path,
) -> Result<std::path::PathBuf, String> {
    let path = blob_path(store, digest, staging)?;
    let (found, _) = Digest::of_file(&path).map_err(|e| e.to_string())?;
    if found == *digest {
        Ok(path)
    } else {
        Err(format!("blob {digest} hashes to {found}"))
    }
}

/// Reads the rest of a blob opened by [`open_blob`] and checks that everything read hashes
/// to `digest`.
pub fn check_blob(
    mut reader: HashingReader<std::io::BufReader<std::fs::File>>,
    digest: &Digest,
) -> Result<(), String> {
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| e.to_string())?;
    let (found, _) = reader.read_so_far();
    if found == *digest {
        Ok(())
    } else {
        Err(format!("blob {digest} hashes to {found}"))
    }
}

/// Checks a shard number against a plan of `shards` shards.
pub fn check_shard(plan: &Digest, shard: usize, shards: usize) -> Result<(), ShardError> {
    if shard < shards {
        Ok(())
    } else {
        Err(ShardError::plan(
            plan,
            format!(
                "shard {shard} is out of range (the plan has {shards} shards, 0 to {})",
                shards.saturating_sub(1)
            ),
        ))
    }
}

/// Contiguous, balanced ranges over items of these sizes: shard `k` ends where the running
/// total passes `k / shards` of the whole (some may be empty when there are fewer items
/// than shards).
pub fn bounds(sizes: &[u64], shards: usize) -> Vec<(usize, usize)> {
    let shards = shards.max(1);
    let total: u128 = sizes.iter().map(|&b| u128::from(b)).sum();
    let mut out = Vec::with_capacity(shards);
    let (mut start, mut seen, mut i) = (0usize, 0u128, 0usize);
    for k in 1..=shards {
        let target = total * k as u128 / shards as u128;
        while i < sizes.len() && (k == shards || seen + u128::from(sizes[i]) / 2 < target) {
            seen += u128::from(sizes[i]);
            i += 1;
        }
        out.push((start, i));
        start = i;
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The ranges cover every item once, in order, as many as asked.
        #[test]
        fn bounds_cover_every_item_once(
            sizes in prop::collection::vec(0u64..1_000, 0..40),
            shards in 1usize..12,
        ) {
            let b = bounds(&sizes, shards);
            prop_assert_eq!(b.len(), shards);
            prop_assert_eq!(b.first().map(|r| r.0), Some(0));
            prop_assert_eq!(b.last().map(|r| r.1), Some(sizes.len()));
            prop_assert!(b.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 <= w[0].1));
        }
    }
}
