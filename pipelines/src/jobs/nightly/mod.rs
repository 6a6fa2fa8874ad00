//! `mez nightly` and `mez lock`: every zone's packs built from a sources folder,
//! incrementally, each zone pinned by a `stack.lock`, and rebuilt from the locks.
//!
//! **Sources.** `--sources DIR` holds what the zones name:
//! `lists/<list-id>/…` (the files of each sanctions list: an OFAC `sdn*.csv` with its
//! siblings, XML lists, or custom CSV lists), `law/<zone-id>/…` (Akoma Ntoso documents) and
//! `licences/<zone-id>.csv` (the licence register). A zone gets a regpack from its
//! `sanctions_lists` (a list without files is an error for that zone, not for the run), a
//! lawpack when it has law documents and a licensepack when it has a register.
//!
//! **Incremental.** A pack's build key is the SHA-256 of the canonical JSON of its kind,
//! zone, tool version and the digests of every file of its sources; `builds/<kind>/<zone>/
//! <key>` points at the manifest built from exactly those inputs. When the key is known the
//! pack is reused and nothing is written; a second nightly over unchanged sources writes no
//! artifact at all and takes as long as hashing the sources.
//!
//! **Reproducible.** Packs are signed with the run's as-of time (`--as-of`, midnight UTC),
//! never the wall clock, so a pack is a function of its inputs, key and as-of time.
//! `stack.lock` (canonical JSON, next to `zone.yaml`) pins the zone file's digest and, per
//! pack, its manifest digest, build time, Merkle root, table digests and input digests;
//! `mez lock --check` compares byte for byte, and `mez nightly --locked` rebuilds every pack
//! of every lock with the lock's build time and checks that each manifest digest comes out
//! the same — on an empty store too. Inputs are named by their path below `--sources`
//! (`lists/un/un.xml`), so a copy of the sources anywhere rebuilds the same packs.
//!
//! **Published.** Each pack goes on its own chain (`regpack-<zone>`, …) with a receipt and a
//! checkpoint; when anything was built, the run itself publishes the changed locks on the
//! chain `nightly`.

use std::path::PathBuf;

use serde::Serialize;
use verify::Digest;
use verify::clock::{FixedClock, Timestamp};

use crate::artifact::{self, RunDescription, WrittenTable};
use crate::jobs::packs::lawpack::{Lawpack, LawpackParams};
use crate::jobs::packs::licensepack::{Licensepack, LicensepackParams};
use crate::jobs::packs::regpack::{Regpack, RegpackParams};
use crate::jobs::{Context, Job, JobError, Produced};
use crate::report::Silent;
use crate::zone;

mod lock;
mod locked;
pub mod shard;
mod sources;

pub use lock::{lock_bytes, lock_path, write_lock};
use sources::{PackSources, build_key, pack_sources};

/// Pack kinds, in lock order.
pub use packs::lock::PACK_KINDS as KINDS;

/// Parameters of a nightly run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NightlyParams {
    pub jurisdictions: PathBuf,
    pub sources: PathBuf,
    pub as_of: Timestamp,
    /// Rebuild from the locks and compare instead of building from the sources' state.
    pub locked: bool,
    /// A `mez lists fetch` run (manifest digest) whose lists replace `sources/lists/`.
    pub lists_from: Option<Digest>,
}

/// Which fetched files (`mez lists fetch` names) make each list id of the zone files.
pub const FETCHED_LISTS: [(&str, &[&str]); 5] = [
    ("un-consolidated", &["un/consolidated.xml"]),
    (
        "ofac-sdn",
        &[
            "ofac/sdn.csv",
            "ofac/add.csv",
            "ofac/alt.csv",
            "ofac/sdn_comments.csv",
        ],
    ),
    ("ofac-consolidated", &["ofac/consolidated.xml"]),
    ("eu-fsf", &["eu/fsf.xml"]),
    ("uk-sanctions-list", &["uk/sanctions-list.xml"]),
];

/// Lays the lists of a fetch run (its signature checked) out as `<dir>/lists/<id>/<file>`,
/// each blob checked against its digest.
fn lay_out_fetched(ctx: &Context<'_>, run: &Digest, dir: &std::path::Path) -> Result<(), JobError> {
    let statement = artifact::publish::open_run(ctx.store, &ctx.readers(), run)?;
    if statement.predicate.job != "lists-fetch" {
        return Err(JobError::input(
            run.to_string(),
            format!("is a {} run, not a lists fetch", statement.predicate.job),
        ));
    }
    for subject in &statement.subject {
        let Some((id, _)) = FETCHED_LISTS
            .iter()
            .find(|(_, files)| files.contains(&subject.name.as_str()))
        else {
            continue;
        };
        let file = subject.name.rsplit('/').next().unwrap_or(&subject.name);
        let target = dir.join("lists").join(id).join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| JobError::input(parent, e))?;
        }
        let bytes = ctx.store.get_blob(&subject.sha256()?)?;
        std::fs::write(&target, &bytes).map_err(|e| JobError::input(&target, e))?;
    }
    Ok(())
}

/// What happened to one pack of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackOutcome {
    pub zone: String,
    pub kind: String,
    /// `built`, `unchanged`, `reproduced`, `mismatch`, `failed` or `absent`.
    pub status: String,
    pub manifest: Option<String>,
    pub detail: String,
    /// With `--locked`: the digest of the rebuilt statement (canonical JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got: Option<String>,
}

/// What a nightly run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NightlyReport {
    /// The date the packs are built (signed) as of, `YYYY-MM-DD`.
    pub as_of: String,
    pub packs: Vec<PackOutcome>,
    /// Zones whose `stack.lock` was written (changed or new).
    pub locks_written: Vec<String>,
    /// The run's own manifest on the `nightly` chain, when anything was built.
    pub manifest: Option<String>,
}

impl NightlyReport {
    /// Whether every pack was built, reused or reproduced.
    pub fn ok(&self) -> bool {
        self.packs.iter().all(|p| {
            matches!(
                p.status.as_str(),
                "built" | "unchanged" | "reproduced" | "absent"
            )
        })
    }

    /// Whether the run wrote nothing at all.
    pub fn wrote_nothing(&self) -> bool {
        self.manifest.is_none()
            && self.locks_written.is_empty()
            && self.packs.iter().all(|p| p.status != "built")
    }
}

/// Builds one pack's tables into `ctx.store`, unpublished.
fn produce_pack(
    ctx: &Context<'_>,
    zone_id: &str,
    kind: &str,
    sources: &PackSources,
) -> Result<Produced<()>, JobError> {
    let jurisdiction = zone_id.to_owned();
    match kind {
        "regpack" => {
            let lists = sources.read.clone();
            Regpack::produce(
                ctx,
                &RegpackParams {
                    jurisdiction,
                    lists,
                    allow_missing_siblings: false,
                },
            )
        }
        "lawpack" => {
            let params = LawpackParams {
                jurisdiction,
                inputs: sources.read.clone(),
                validate_xsd: None,
            };
            Lawpack::produce(ctx, &params)
        }
        _ => {
            let register = sources
                .read
                .first()
                .cloned()
                .ok_or_else(|| JobError::input("licensepack", "no licence register"))?;
            let params = LicensepackParams {
                jurisdiction,
                register,
            };
            Licensepack::produce(ctx, &params)
        }
    }
}

/// Builds and publishes one pack; returns its manifest.
fn build_pack(
    ctx: &Context<'_>,
    zone_id: &str,
    kind: &str,
    sources: &PackSources,
) -> Result<Digest, JobError> {
    let Produced { run, tables, .. } = produce_pack(ctx, zone_id, kind, sources)?;
    let summary = artifact::publish(ctx.store, ctx.signer, ctx.trust, ctx.clock, run, &tables)?;
    Ok(summary.manifest)
}

/// `YYYY-MM-DD` of a timestamp's day.
fn iso_day(t: Timestamp) -> String {
    crate::jobs::tensor::run::iso_date(
        i32::try_from(t.unix_seconds().div_euclid(86_400)).unwrap_or(0),
    )
}

pub(super) fn zone_ref(zone_id: &str, kind: &str) -> String {
    format!("zones/{zone_id}/{kind}")
}

fn outcome(
    zone: &str,
    kind: &str,
    status: &str,
    manifest: Option<Digest>,
    detail: String,
) -> PackOutcome {
    PackOutcome {
        zone: zone.to_owned(),
        kind: kind.to_owned(),
        status: status.to_owned(),
        manifest: manifest.map(|m| m.to_string()),
        detail,
        got: None,
    }
}

/// Runs the nightly build (or, with `locked`, the rebuild from locks).
///
/// Packs are signed at `params.as_of` (the clock of `ctx` is not used) and built without
/// progress of their own.
pub fn run(ctx: &Context<'_>, params: &NightlyParams) -> Result<NightlyReport, JobError> {
    let zones = zone::load_all(&params.jurisdictions).map_err(|e| JobError::Input {
        path: e.path.clone(),
        reason: e.reason,
    })?;
    let mut report = NightlyReport {
        as_of: iso_day(params.as_of),
        ..NightlyReport::default()
    };
    let clock = FixedClock(params.as_of);
    let ctx = &pack_context(ctx, &clock);
    // Fetched lists, when asked for, stand in for the sources folder's lists.
    let fetched = tempfile::tempdir().map_err(|e| JobError::input("temporary folder", e))?;
    let lists_root = lists_root(ctx, params, fetched.path())?;
    if params.locked {
        return locked::check(ctx, params, &zones, &lists_root);
    }
    for z in &zones {
        for kind in KINDS {
            report
                .packs
                .push(pack_unit(ctx, &params.sources, &lists_root, z, kind)?);
        }
    }
    write_locks(ctx, &zones, &mut report)?;
    Ok(report)
}

/// The context packs are built in: signed at the run's as-of time (never the wall clock),
/// without progress of their own.
fn pack_context<'a>(ctx: &Context<'a>, clock: &'a FixedClock) -> Context<'a> {
    Context {
        clock,
        reporter: &Silent,
        ..*ctx
    }
}

/// The lists folder: fetched lists laid out in `fetched` when the run takes them from a
/// fetch run, else the sources folder.
fn lists_root(
    ctx: &Context<'_>,
    params: &NightlyParams,
    fetched: &std::path::Path,
) -> Result<PathBuf, JobError> {
    match &params.lists_from {
        Some(run) => {
            lay_out_fetched(ctx, run, fetched)?;
            Ok(fetched.to_owned())
        }
        None => Ok(params.sources.clone()),
    }
}

/// One pack of one zone: reused when a pack of the same build key is in the store, else
/// built and published on its own chain. A unit of work independent of every other pack
/// (each has its own chain and refs), so units may run in any order or at once.
fn pack_unit(
    ctx: &Context<'_>,
    sources_root: &std::path::Path,
    lists_root: &std::path::Path,
    z: &zone::LoadedZone,
    kind: &str,
) -> Result<PackOutcome, JobError> {
    let store = ctx.store;
    let id = z.zone.zone_id.as_str();
    let sources = match pack_sources(&z.zone, kind, sources_root, lists_root) {
        Ok(Some(s)) => s,
        Ok(None) => return Ok(outcome(id, kind, "absent", None, "no sources".into())),
        Err(reason) => return Ok(outcome(id, kind, "failed", None, reason)),
    };
    let key = build_key(kind, id, &sources.files)?;
    let build_ref = format!("builds/{kind}/{id}/{key}");
    if let Some(manifest) = built(ctx, &build_ref)? {
        store.set_ref(&zone_ref(id, kind), &manifest)?;
        return Ok(outcome(
            id,
            kind,
            "unchanged",
            Some(manifest),
            format!("build {key}"),
        ));
    }
    Ok(match build_pack(ctx, id, kind, &sources) {
        Ok(manifest) => {
            store.set_ref(&build_ref, &manifest)?;
            store.set_ref(&zone_ref(id, kind), &manifest)?;
            outcome(id, kind, "built", Some(manifest), format!("build {key}"))
        }
        Err(e) => outcome(id, kind, "failed", None, e.to_string()),
    })
}

/// The pack already built under `build_ref`, when its manifest verifies against the
/// trusted keys (only then is it reused).
fn built(ctx: &Context<'_>, build_ref: &str) -> Result<Option<Digest>, JobError> {
    Ok(ctx
        .store
        .get_ref(build_ref)?
        .filter(|m| crate::artifact::publish::open_run(ctx.store, &ctx.readers(), m).is_ok()))
}

/// Whether the pack of a unit is in the store already (its sources' build key known).
fn prebuilt(
    ctx: &Context<'_>,
    sources_root: &std::path::Path,
    lists_root: &std::path::Path,
    z: &zone::LoadedZone,
    kind: &str,
) -> Result<bool, JobError> {
    let id = z.zone.zone_id.as_str();
    let Ok(Some(sources)) = pack_sources(&z.zone, kind, sources_root, lists_root) else {
        return Ok(false);
    };
    let key = build_key(kind, id, &sources.files)?;
    Ok(built(ctx, &format!("builds/{kind}/{id}/{key}"))?.is_some())
}

/// Writes every zone's `stack.lock` from the store and publishes, on the `nightly` chain,
/// those that changed or that no run there names yet.
fn write_locks(
    ctx: &Context<'_>,
    zones: &[zone::LoadedZone],
    report: &mut NightlyReport,
) -> Result<(), JobError> {
    // A lock is published when it changed, and also when no run on the `nightly` chain
    // names it yet: a nightly killed after writing its locks (or after storing their
    // manifest, before its receipt) is completed by the next one, not left unpublished.
    let published: std::collections::BTreeSet<Digest> =
        verify::chain::read_chain(ctx.store, "nightly")?
            .iter()
            .flat_map(|r| r.body.artifacts.iter().copied())
            .collect();
    let mut changed_locks = Vec::new();
    for z in zones {
        let id = z.zone.zone_id.as_str();
        let (bytes, changed) = write_lock(ctx.store, &ctx.readers(), z)?;
        if changed {
            report.locks_written.push(id.to_owned());
        }
        if changed || !published.contains(&Digest::of(&bytes)) {
            changed_locks.push((id.to_owned(), bytes));
        }
    }
    if !changed_locks.is_empty() {
        report.manifest = Some(publish_locks(ctx, &changed_locks, &report.as_of)?.to_string());
    }
    Ok(())
}

/// Publishes the changed locks as the nightly run's subjects on the `nightly` chain.
fn publish_locks(
    ctx: &Context<'_>,
    locks: &[(String, Vec<u8>)],
    as_of: &str,
) -> Result<Digest, JobError> {
    let mut written = Vec::new();
    for (zone, bytes) in locks {
        let (digest, w) = ctx.store.put_blob(bytes::Bytes::from(bytes.clone()))?;
        written.push(WrittenTable {
            name: format!("{zone}/stack.lock"),
            digest,
            rows: 0,
            bytes: bytes.len() as u64,
            written: w,
            media_type: "application/json".into(),
        });
    }
    let mut run = RunDescription::new("nightly", "nightly");
    run.parameters
        .insert("as_of".to_owned(), serde_json::json!(as_of));
    let summary = artifact::publish(ctx.store, ctx.signer, ctx.trust, ctx.clock, run, &written)?;
    Ok(summary.manifest)
}
