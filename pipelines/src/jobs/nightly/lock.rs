//! `stack.lock`: a zone pinned to the packs the store holds for it, as canonical JSON
//! (the format itself is `packs::lock`).

use std::path::PathBuf;

use packs::lock::{LockedPack, StackLock};

use verify::Digest;
use verify::keys::TrustSet;
use verify::store::Store;

use super::{KINDS, zone_ref};
use crate::jobs::JobError;
use crate::zone::LoadedZone;

/// Where a zone's lock lives.
pub fn lock_path(zone: &LoadedZone) -> PathBuf {
    zone.path
        .parent()
        .map_or_else(|| PathBuf::from("stack.lock"), |p| p.join("stack.lock"))
}

/// The lock of a zone from the store's current packs (canonical JSON bytes).
pub fn lock_bytes(store: &Store, trust: &TrustSet, zone: &LoadedZone) -> Result<Vec<u8>, JobError> {
    let mut lock = StackLock::new(
        &zone.zone.zone_id,
        Digest::of(&zone.bytes),
        env!("CARGO_PKG_VERSION"),
    );
    for kind in KINDS {
        let Some(manifest) = store.get_ref(&zone_ref(&zone.zone.zone_id, kind))? else {
            continue;
        };
        let statement = crate::artifact::publish::open_run(store, trust, &manifest)?;
        let r = statement.predicate;
        let tables = statement
            .subject
            .iter()
            .map(|s| Ok((s.name.clone(), s.sha256()?)))
            .collect::<Result<_, verify::Error>>()?;
        lock.packs.insert(
            kind.to_owned(),
            LockedPack {
                manifest,
                chain: r.chain,
                built_at: r.time,
                semantic: r.semantic,
                tables,
                inputs: r.inputs,
            },
        );
    }
    Ok(lock.to_canonical_vec()?)
}

/// Writes the zone's lock if it changed; returns the lock's bytes and whether it changed.
pub fn write_lock(
    store: &Store,
    trust: &TrustSet,
    zone: &LoadedZone,
) -> Result<(Vec<u8>, bool), JobError> {
    let bytes = lock_bytes(store, trust, zone)?;
    let path = lock_path(zone);
    if std::fs::read(&path).ok().as_deref() == Some(bytes.as_slice()) {
        return Ok((bytes, false));
    }
    // Written beside it and renamed into place: a job killed while writing leaves the old
    // lock or the new one, never half of one.
    let partial = path.with_extension(format!("lock.partial-{}", std::process::id()));
    std::fs::write(&partial, &bytes)
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            JobError::Input {
                path: path.clone(),
                reason: e.to_string(),
            }
        })?;
    Ok((bytes, true))
}
