//! `stack.lock`: a zone pinned to the signed packs the store holds for it (schema
//! `schemas/stack-lock.v1.schema.json`), written as RFC 8785 canonical JSON beside the
//! zone's `zone.yaml`.
//!
//! The writer and the reader share one type so that what `mez nightly` writes is exactly
//! what `mez nightly --locked` reads back. The reader is strict: an auditor runs it over a
//! file someone handed them, so an unknown field, another lock version, a malformed digest
//! or time, an unknown pack kind or a pack without tables or inputs is refused with the
//! field named — a damaged lock is never half-read and never passes as "nothing to check".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use verify::Digest;
use verify::clock::Timestamp;
use verify::manifest::Input;

/// The lock format this code reads and writes.
pub const LOCK_VERSION: u32 = 1;

/// The pack kinds a lock may pin, in lock order (the nightly builds and pins these).
pub const PACK_KINDS: [&str; 3] = ["lawpack", "licensepack", "regpack"];

/// A zone's lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackLock {
    pub lock_version: u32,
    pub zone_id: String,
    /// SHA-256 of the zone file's bytes.
    pub zone_digest: Digest,
    pub tool: LockTool,
    /// Pack kind → the pinned pack.
    pub packs: BTreeMap<String, LockedPack>,
}

/// The tool that wrote the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockTool {
    pub name: String,
    pub version: String,
}

/// One pinned pack: its signed manifest and what that manifest says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedPack {
    /// Content digest of the signed run manifest.
    pub manifest: Digest,
    /// The chain the pack's run was published on.
    pub chain: String,
    /// The run's time, which a rebuild uses as its clock.
    pub built_at: Timestamp,
    /// The pack's semantic digests (Merkle roots), by name.
    pub semantic: BTreeMap<String, String>,
    /// Table name → content digest.
    pub tables: BTreeMap<String, Digest>,
    /// The source files, as named below the sources folder.
    pub inputs: Vec<Input>,
}

/// Why a lock was refused.
#[derive(Debug, thiserror::Error)]
#[error("stack.lock: {0}")]
pub struct LockError(String);

impl StackLock {
    /// A lock of version [`LOCK_VERSION`] written by this tool.
    pub fn new(zone_id: &str, zone_digest: Digest, tool_version: &str) -> Self {
        StackLock {
            lock_version: LOCK_VERSION,
            zone_id: zone_id.to_owned(),
            zone_digest,
            tool: LockTool {
                name: "mez".into(),
                version: tool_version.to_owned(),
            },
            packs: BTreeMap::new(),
        }
    }

    /// Reads and checks a lock's bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, LockError> {
        let mut json = serde_json::Deserializer::from_slice(bytes);
        let lock: StackLock = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            match e.path().to_string().as_str() {
                "." => LockError(e.inner().to_string()),
                path => LockError(format!("{path}: {}", e.inner())),
            }
        })?;
        lock.check()?;
        Ok(lock)
    }

    /// The lock as canonical JSON, the bytes written to `stack.lock`.
    pub fn to_canonical_vec(&self) -> Result<Vec<u8>, verify::Error> {
        verify::canon::to_canonical_vec(self)
    }

    fn check(&self) -> Result<(), LockError> {
        let refuse = |reason: String| Err(LockError(reason));
        if self.lock_version != LOCK_VERSION {
            return refuse(format!(
                "lock_version {} (this mez reads version {LOCK_VERSION})",
                self.lock_version
            ));
        }
        if self.tool.name != "mez" {
            return refuse(format!("tool.name {:?}, expected \"mez\"", self.tool.name));
        }
        if self.zone_id.is_empty() {
            return refuse("zone_id is empty".into());
        }
        for (kind, pack) in &self.packs {
            if !PACK_KINDS.contains(&kind.as_str()) {
                return refuse(format!(
                    "packs.{kind}: unknown pack kind (expected one of {})",
                    PACK_KINDS.join(", ")
                ));
            }
            if pack.tables.is_empty() {
                return refuse(format!("packs.{kind}.tables is empty"));
            }
            if pack.inputs.is_empty() {
                return refuse(format!("packs.{kind}.inputs is empty"));
            }
            if let Some(i) = pack.inputs.iter().position(|i| i.name.is_empty()) {
                return refuse(format!("packs.{kind}.inputs[{i}].name is empty"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StackLock {
        let mut lock = StackLock::new("sg-test", Digest::of(b"zone"), "0.1.0");
        lock.packs.insert(
            "regpack".into(),
            LockedPack {
                manifest: Digest::of(b"manifest"),
                chain: "regpack-sg-test".into(),
                built_at: "2026-12-03T00:00:00Z".parse().unwrap(),
                semantic: BTreeMap::from([("entries".into(), Digest::of(b"root").to_string())]),
                tables: BTreeMap::from([("entries".into(), Digest::of(b"table"))]),
                inputs: vec![Input {
                    name: "lists/un.xml".into(),
                    digest: Digest::of(b"un"),
                    bytes: 2,
                }],
            },
        );
        lock
    }

    #[test]
    fn a_lock_reads_back_what_was_written() {
        let lock = sample();
        let bytes = lock.to_canonical_vec().unwrap();
        assert_eq!(StackLock::from_slice(&bytes).unwrap(), lock);
    }

    #[test]
    fn a_damaged_lock_is_refused_naming_the_field() {
        let good: serde_json::Value =
            serde_json::from_slice(&sample().to_canonical_vec().unwrap()).unwrap();
        type Damage = fn(&mut serde_json::Value);
        let cases: [(&str, Damage); 7] = [
            ("lock_version", |v| v["lock_version"] = 2.into()),
            ("extra", |v| v["extra"] = true.into()),
            ("tool.name", |v| v["tool"]["name"] = "other".into()),
            ("packs.sanctions", |v| {
                let pack = v["packs"]["regpack"].clone();
                v["packs"]["sanctions"] = pack;
            }),
            ("packs.regpack.inputs is empty", |v| {
                v["packs"]["regpack"]["inputs"] = serde_json::json!([]);
            }),
            ("packs.regpack.manifest", |v| {
                v["packs"]["regpack"]["manifest"] = "md5:00".into();
            }),
            ("packs.regpack.built_at", |v| {
                v["packs"]["regpack"]["built_at"] = "yesterday".into();
            }),
        ];
        for (needle, damage) in cases {
            let mut v = good.clone();
            damage(&mut v);
            let err = StackLock::from_slice(v.to_string().as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }
}
