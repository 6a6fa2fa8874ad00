//! The nightly split over machines: one map unit per (zone, pack kind), and a merge that
//! writes the locks and the `nightly` manifest, as `mez nightly` does on one machine.
//!
//! Why units need no partial data of their own: a pack is published on its own chain with
//! its own refs, signed at the plan's as-of time, so a unit's work is the same bytes
//! whenever and wherever it runs (and a unit run twice finds its pack already built). The
//! partial records only what became of the pack; the merge reads the locks' contents from
//! the store, as one machine does after its last pack.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use verify::Digest;
use verify::clock::{FixedClock, Timestamp};

use super::{
    KINDS, NightlyParams, NightlyReport, PackOutcome, iso_day, lists_root, pack_context, pack_unit,
    prebuilt, write_locks,
};
use crate::jobs::shards::{self, ShardError};
use crate::jobs::{Context, JobError};
use crate::zone;

/// DSSE payload type of a plan.
pub const PLAN_TYPE: &str = "application/vnd.mez.nightly-plan+json";
const PLAN_KIND: &str = "mez.nightly.plan/v1";
const PARTIAL_KIND: &str = "mez.nightly.partial/v1";
const JOB: &str = "nightly";

/// A signed nightly plan: where the zones and sources are, the as-of time, and the units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub kind: String,
    /// Absolute paths every worker can read (a shared filesystem).
    pub jurisdictions: String,
    pub sources: String,
    pub as_of: i64,
    pub lists_from: Option<Digest>,
    /// (zone, pack kind, whether its pack was in the store already), in lock order.
    pub units: Vec<(String, String, bool)>,
}

/// What a unit wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Partial {
    zone: String,
    pack: String,
    status: String,
    manifest: Option<String>,
    detail: String,
}

fn absolute(path: &std::path::Path) -> Result<String, JobError> {
    Ok(std::path::absolute(path)
        .map_err(|e| JobError::input(path, e))?
        .to_string_lossy()
        .into_owned())
}

/// Plans the nightly of every zone under `params.jurisdictions`: a unit per zone and pack
/// kind. Signed and stored; returns its digest.
pub fn plan(ctx: &Context<'_>, params: &NightlyParams) -> Result<(Digest, Plan), JobError> {
    let zones = load_zones(&params.jurisdictions)?;
    // Which packs are there already: a unit reports `unchanged` for those and `built` for
    // the others, however often it runs.
    let fetched = tempfile::tempdir().map_err(|e| JobError::input("temporary folder", e))?;
    let lists = lists_root(ctx, params, fetched.path())?;
    let mut units = Vec::with_capacity(zones.len() * KINDS.len());
    for z in &zones {
        for kind in KINDS {
            let there = prebuilt(ctx, &params.sources, &lists, z, kind)?;
            units.push((z.zone.zone_id.clone(), kind.to_owned(), there));
        }
    }
    let plan = Plan {
        kind: PLAN_KIND.into(),
        jurisdictions: absolute(&params.jurisdictions)?,
        sources: absolute(&params.sources)?,
        as_of: params.as_of.unix_seconds(),
        lists_from: params.lists_from,
        units,
    };
    let digest = shards::store_plan(ctx.store, ctx.signer, PLAN_TYPE, &plan)?;
    Ok((digest, plan))
}

fn load_zones(dir: &std::path::Path) -> Result<Vec<zone::LoadedZone>, JobError> {
    zone::load_all(dir).map_err(|e| JobError::Input {
        path: e.path.clone(),
        reason: e.reason,
    })
}

/// Reads plan `digest`, signed by a trusted key of `ctx`.
pub fn open_plan(ctx: &Context<'_>, digest: &Digest) -> Result<Plan, ShardError> {
    let plan: Plan = shards::open_plan(ctx.store, &ctx.readers(), PLAN_TYPE, digest)?;
    if plan.kind != PLAN_KIND {
        return Err(ShardError::plan(digest, "not a valid nightly plan"));
    }
    Ok(plan)
}

impl Plan {
    fn params(&self) -> NightlyParams {
        NightlyParams {
            jurisdictions: PathBuf::from(&self.jurisdictions),
            sources: PathBuf::from(&self.sources),
            as_of: Timestamp::from_unix(self.as_of),
            locked: false,
            lists_from: self.lists_from,
        }
    }
}

/// Runs unit `shard` of plan `digest`: builds (or finds) its pack and stores what became
/// of it.
pub fn map(ctx: &Context<'_>, digest: &Digest, shard: usize) -> Result<Digest, JobError> {
    let plan = open_plan(ctx, digest)?;
    shards::check_shard(digest, shard, plan.units.len())?;
    let params = plan.params();
    let (zone_id, kind, there) = &plan.units[shard];
    let zones = load_zones(&params.jurisdictions)?;
    let z = zones
        .iter()
        .find(|z| &z.zone.zone_id == zone_id)
        .ok_or_else(|| ShardError::plan(digest, format!("zone {zone_id} is no longer there")))?;
    let clock = FixedClock(params.as_of);
    let ctx = &pack_context(ctx, &clock);
    let fetched = tempfile::tempdir().map_err(|e| JobError::input("temporary folder", e))?;
    let lists = lists_root(ctx, &params, fetched.path())?;
    let mut outcome = pack_unit(ctx, &params.sources, &lists, z, kind)?;
    if outcome.status == "unchanged" && !there {
        // Built by an earlier run of this very unit.
        outcome.status = "built".into();
    }
    let partial = Partial {
        zone: outcome.zone,
        pack: outcome.kind,
        status: outcome.status,
        manifest: outcome.manifest,
        detail: outcome.detail,
    };
    shards::store_partial(ctx.store, JOB, PARTIAL_KIND, digest, shard, &partial)
}

/// Merges the units of plan `digest`: writes every zone's lock and, when any changed,
/// publishes them on the `nightly` chain; returns the report `mez nightly` gives.
pub fn merge(ctx: &Context<'_>, digest: &Digest) -> Result<NightlyReport, JobError> {
    let plan = open_plan(ctx, digest)?;
    let params = plan.params();
    let mut report = NightlyReport {
        as_of: iso_day(params.as_of),
        ..NightlyReport::default()
    };
    for (shard, (zone_id, kind, _)) in plan.units.iter().enumerate() {
        let partial: Partial = shards::load_partial(ctx.store, JOB, PARTIAL_KIND, digest, shard)?;
        if (&partial.zone, &partial.pack) != (zone_id, kind) {
            return Err(ShardError::Corrupt {
                plan: *digest,
                shard,
                reason: format!("it is the pack {} of {}", partial.pack, partial.zone),
            }
            .into());
        }
        report.packs.push(PackOutcome {
            zone: partial.zone,
            kind: partial.pack,
            status: partial.status,
            manifest: partial.manifest,
            detail: partial.detail,
            got: None,
        });
    }
    let zones = load_zones(&params.jurisdictions)?;
    let clock = FixedClock(params.as_of);
    write_locks(&pack_context(ctx, &clock), &zones, &mut report)?;
    Ok(report)
}
