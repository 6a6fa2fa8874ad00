//! `mez nightly --locked`: an auditor's check that every zone's `stack.lock` is what its
//! sources give.
//!
//! For each locked pack it rebuilds the tables from the sources (into a scratch store in
//! memory: nothing is published, and no secret key is needed) and the in-toto statement
//! with the lock's build time, then compares that statement byte for byte (canonical JSON)
//! with the locked manifest's, read from the store and opened with the trusted keys. When
//! the store does not hold the locked manifest (an auditor's empty store), a signer who
//! passes `--key` reproduces the whole manifest digest instead: Ed25519 signatures are
//! deterministic. It fails when a lock pins no packs, when the zone file is not the one
//! locked, when a locked pack's sources are missing or differ, and when any rebuilt
//! statement differs.

use packs::lock::{LockedPack, StackLock};
use verify::Digest;
use verify::clock::FixedClock;
use verify::keys::SecretKey;
use verify::store::Store;

use super::sources::pack_sources;
use super::{NightlyParams, NightlyReport, PackOutcome, lock_path, outcome, produce_pack};
use crate::artifact::publish::{open_run, statement};
use crate::jobs::{Context, JobError, Produced};
use crate::report::Silent;
use crate::zone::LoadedZone;

/// Checks every zone's lock; the report's `ok()` says whether all were reproduced.
pub(super) fn check(
    ctx: &Context<'_>,
    params: &NightlyParams,
    zones: &[LoadedZone],
    lists: &std::path::Path,
) -> Result<NightlyReport, JobError> {
    let scratch = Store::open("memory://")?;
    let mut report = NightlyReport {
        as_of: "the locks' build times".into(),
        ..NightlyReport::default()
    };
    for z in zones {
        let id = z.zone.zone_id.as_str();
        let path = lock_path(z);
        let bytes = std::fs::read(&path)
            .map_err(|e| JobError::input(&path, format!("no lock to check: {e}")))?;
        let lock = match StackLock::from_slice(&bytes) {
            Ok(lock) => lock,
            Err(e) => {
                let detail = format!("{}: {e}", path.display());
                report
                    .packs
                    .push(outcome(id, "lock", "mismatch", None, detail));
                continue;
            }
        };
        if lock.zone_id != id {
            report.packs.push(outcome(
                id,
                "lock",
                "mismatch",
                None,
                format!("the lock is for zone {:?}", lock.zone_id),
            ));
            continue;
        }
        let zone_digest = Digest::of(&z.bytes);
        if lock.zone_digest != zone_digest {
            report.packs.push(outcome(
                id,
                "zone",
                "mismatch",
                None,
                format!(
                    "the zone file's digest is {zone_digest}, the lock says {}",
                    lock.zone_digest
                ),
            ));
        }
        if lock.packs.is_empty() {
            report.packs.push(outcome(
                id,
                "lock",
                "mismatch",
                None,
                "the lock pins no packs".into(),
            ));
            continue;
        }
        for (kind, entry) in &lock.packs {
            report
                .packs
                .push(check_pack(ctx, &scratch, params, lists, z, kind, entry)?);
        }
    }
    Ok(report)
}

fn check_pack(
    ctx: &Context<'_>,
    scratch: &Store,
    params: &NightlyParams,
    lists: &std::path::Path,
    z: &LoadedZone,
    kind: &str,
    entry: &LockedPack,
) -> Result<PackOutcome, JobError> {
    let id = z.zone.zone_id.as_str();
    let sources = match pack_sources(&z.zone, kind, &params.sources, lists) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return Ok(outcome(
                id,
                kind,
                "missing",
                None,
                "the locked pack's sources are missing".into(),
            ));
        }
        Err(reason) => return Ok(outcome(id, kind, "missing", None, reason)),
    };
    for input in &entry.inputs {
        // Locked names are below the sources folder: find the file among today's sources.
        let name = &input.name;
        let now = sources
            .files
            .iter()
            .find(|f| &f.name == name)
            .and_then(|f| Digest::of_file(&f.path).ok())
            .map(|(d, _)| d);
        match now {
            None => {
                return Ok(outcome(
                    id,
                    kind,
                    "missing",
                    None,
                    format!("locked input {name} is not in the sources"),
                ));
            }
            Some(d) if d != input.digest => {
                return Ok(outcome(
                    id,
                    kind,
                    "mismatch",
                    None,
                    format!("input {name} differs from the lock"),
                ));
            }
            Some(_) => {}
        }
    }
    let (built_at, expected) = (entry.built_at, entry.manifest);
    // The tables go to the scratch store; nothing reaches the real one.
    let clock = FixedClock(built_at);
    let rebuild_ctx = Context {
        store: scratch,
        clock: &clock,
        reporter: &Silent,
        ..*ctx
    };
    let Produced { run, tables, .. } = produce_pack(&rebuild_ctx, id, kind, &sources)?;
    let rebuilt = statement(&run, &tables, &clock)?;
    let rebuilt_bytes = verify::canon::to_canonical_vec(&rebuilt)?;
    let got = Digest::of(&rebuilt_bytes).to_string();
    let result = |status: &str, detail: String| {
        let mut o = outcome(id, kind, status, Some(expected), detail);
        o.got = Some(got.clone());
        o
    };
    match open_run(ctx.store, &ctx.readers(), &expected) {
        Ok(locked) => {
            let locked_bytes = verify::canon::to_canonical_vec(&locked)?;
            let want = Digest::of(&locked_bytes).to_string();
            Ok(if locked_bytes == rebuilt_bytes {
                result("reproduced", format!("statement {want}"))
            } else {
                result(
                    "mismatch",
                    format!(
                        "the locked manifest's statement is {want}: {}",
                        first_difference(&locked, &rebuilt)
                    ),
                )
            })
        }
        Err(_) if signs_with(ctx.signer, ctx) => {
            let signed = verify::manifest::sign(&rebuilt, ctx.signer)?;
            Ok(if signed.digest == expected {
                result("reproduced", "same manifest digest".into())
            } else {
                result(
                    "mismatch",
                    format!("the rebuilt manifest is {}", signed.digest),
                )
            })
        }
        Err(e) => Ok(result(
            "missing",
            format!(
                "the locked manifest cannot be read from the store ({e}); pass --key to reproduce its digest instead"
            ),
        )),
    }
}

/// Whether `signer` is a real key of the operator's (not the throwaway of an auditor's run).
fn signs_with(signer: &SecretKey, ctx: &Context<'_>) -> bool {
    ctx.trust.by_key_id(&signer.public().key_id()).is_some()
}

/// Which top-level part of two statements differs, for the report.
fn first_difference(a: &verify::manifest::Statement, b: &verify::manifest::Statement) -> String {
    let (a, b) = (
        serde_json::to_value(a).unwrap_or_default(),
        serde_json::to_value(b).unwrap_or_default(),
    );
    if a["subject"] != b["subject"] {
        return "its tables differ".into();
    }
    for field in [
        "semantic",
        "inputs",
        "parameters",
        "quarantined",
        "tool",
        "time",
        "chain",
    ] {
        if a["predicate"][field] != b["predicate"][field] {
            return format!("its {field} differ");
        }
    }
    "they differ".into()
}
