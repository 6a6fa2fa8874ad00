//! `mez store gc`: what a store may lose without losing anything.
//!
//! Two kinds of leftovers, both older than a grace period so that a job still running is
//! never robbed: blobs that no manifest names (written by a run killed before its manifest)
//! and, in a local store, the staging folder's files of killed jobs. Nothing else is ever
//! removed: manifests, receipts, checkpoints and refs are the record. If a manifest cannot
//! be read, nothing is collected (its blobs might be among the "unreferenced").

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::{Listed, Store, local};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::manifest;

/// What a collection would remove (or removed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Garbage {
    /// Blob keys no manifest names, older than the grace period.
    pub blobs: Vec<String>,
    pub blob_bytes: u64,
    /// Staging leftovers of a local store.
    pub staging: Vec<PathBuf>,
    /// Unreferenced blobs kept because they are younger than the grace period.
    pub young_blobs: u64,
}

/// Finds the garbage of `store` as of `now`.
pub fn find(store: &Store, now: SystemTime, grace: Duration) -> Result<Garbage> {
    let mut named = BTreeSet::new();
    for item in store.list("manifests/")? {
        let bytes = store.get(&item.key)?;
        let statement = manifest::statement_unverified(&item.key, &bytes)?;
        for subject in &statement.subject {
            named.insert(subject.sha256()?);
        }
    }
    let cutoff = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        - grace.as_secs() as i64;
    let mut garbage = Garbage::default();
    for Listed {
        key,
        size,
        modified,
    } in store.list("blobs/")?
    {
        let digest = key
            .strip_prefix("blobs/sha256/")
            .and_then(|h| Digest::from_hex(h).ok());
        let Some(digest) = digest else {
            continue; // not a blob key: `mez verify` reports it; gc leaves it alone
        };
        if named.contains(&digest) {
            continue;
        }
        if modified < cutoff {
            garbage.blobs.push(key);
            garbage.blob_bytes += size;
        } else {
            garbage.young_blobs += 1;
        }
    }
    if let Some(root) = store.local_root() {
        garbage.staging = local::stale_staging(root, now, grace);
    }
    Ok(garbage)
}

/// Removes what [`find`] found.
pub fn remove(store: &Store, garbage: &Garbage) -> Result<()> {
    for key in &garbage.blobs {
        match store.delete(key) {
            Ok(()) | Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    for path in &garbage.staging {
        local::remove_staging(path)?;
    }
    Ok(())
}
