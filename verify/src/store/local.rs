//! Durable writes to a local-directory store.
//!
//! A put is reported done only once its bytes and its directory entry are on disk: the
//! bytes are written to a file under `.staging/` and synced, then linked into place
//! (create-only: a hard link fails when the key exists) or renamed over it (refs and
//! repairs), and every directory from the key's up to the root is synced. A power loss
//! therefore cannot leave a receipt whose blob is gone, nor a zero-length file under a
//! content key; and no temporary file is ever created beside the objects (`blobs/` holds
//! blobs only), so a listing never sees a half-written object.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Written;
use crate::error::{Error, Result};

/// Where temporary files of a local store live (outside every object prefix).
pub const STAGING: &str = ".staging";

/// Leftovers in `.staging/` older than this are swept: a killed job's files.
pub const STAGING_GRACE: Duration = Duration::from_secs(24 * 3600);

fn io(path: &Path, e: &std::io::Error) -> Error {
    Error::io(path, e)
}

/// Syncs `dir` and every directory above it up to and including `root`, so that new
/// entries (and new directories) survive a power loss.
pub(super) fn sync_dirs(root: &Path, dir: &Path) -> Result<()> {
    let mut at = Some(dir);
    while let Some(d) = at {
        File::open(d)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(d, &e))?;
        if d == root {
            break;
        }
        at = d.parent().filter(|p| p.starts_with(root));
    }
    Ok(())
}

/// A synced temporary file in the store's staging folder holding `bytes`.
fn staged(root: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = root.join(STAGING);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, &e))?;
    let mut file = tempfile::Builder::new()
        .prefix("put-")
        .tempfile_in(&dir)
        .map_err(|e| io(&dir, &e))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| io(file.path(), &e))?;
    Ok(file)
}

fn target_dir(root: &Path, key: &str) -> Result<(PathBuf, PathBuf)> {
    let target = root.join(key);
    let dir = target
        .parent()
        .map_or_else(|| root.to_owned(), Path::to_owned);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, &e))?;
    Ok((target, dir))
}

/// Create-only put: `AlreadyPresent` when some object is at `key` already.
pub(super) fn create(root: &Path, key: &str, bytes: &[u8]) -> Result<Written> {
    let file = staged(root, bytes)?;
    link(root, file.path(), key)
}

/// Links a complete local file into place at `key`, create-only, after syncing it; a
/// file on another filesystem is copied into the staging folder first.
pub(super) fn link(root: &Path, file: &Path, key: &str) -> Result<Written> {
    File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(file, &e))?;
    let (target, dir) = target_dir(root, key)?;
    let linked = std::fs::hard_link(file, &target).or_else(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(e);
        }
        // Another filesystem: copy into the staging folder (same filesystem as the store).
        let bytes = std::fs::read(file)?;
        let copy = staged(root, &bytes).map_err(std::io::Error::other)?;
        std::fs::hard_link(copy.path(), &target)
    });
    match linked {
        Ok(()) => {
            sync_dirs(root, &dir)?;
            Ok(Written::Created)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Written::AlreadyPresent),
        Err(e) => Err(io(&target, &e)),
    }
}

/// Puts `bytes` at `key`, replacing what is there (refs, and repairs of content keys
/// holding bytes that are provably not theirs).
pub(super) fn replace(root: &Path, key: &str, bytes: &[u8]) -> Result<()> {
    let file = staged(root, bytes)?;
    let (target, dir) = target_dir(root, key)?;
    file.persist(&target).map_err(|e| io(&target, &e.error))?;
    sync_dirs(root, &dir)
}

/// Entries of the staging folder last modified before `now - grace`: leftovers of killed
/// jobs and puts.
pub fn stale_staging(root: &Path, now: SystemTime, grace: Duration) -> Vec<PathBuf> {
    let dir = root.join(STAGING);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return vec![];
    };
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|m| now.duration_since(m).is_ok_and(|age| age > grace))
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    stale
}

/// Removes a staging leftover (a file or a job's folder).
pub fn remove_staging(path: &Path) -> Result<()> {
    let removed = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match removed {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path, &e)),
    }
}
