//! `mez store gc`: blobs no manifest names and staging leftovers, older than a grace
//! period; listed by default, removed with `--apply`.

use std::time::{Duration, SystemTime};

use anyhow::Result;
use verify::clock::{Clock, SystemClock};
use verify::store::gc;

use super::{ExitStatus, out, out_json};
use crate::cli::{GcArgs, StoreCommand};
use crate::settings::Settings;

pub fn store(settings: &Settings, command: StoreCommand) -> Result<ExitStatus> {
    match command {
        StoreCommand::Gc(args) => collect(settings, args),
    }
}

fn collect(settings: &Settings, args: GcArgs) -> Result<ExitStatus> {
    let store = settings.open_existing_store()?;
    let grace = Duration::from_secs(args.grace_hours.saturating_mul(3600));
    let now = SystemTime::UNIX_EPOCH
        + Duration::from_secs(SystemClock.now().unix_seconds().max(0).unsigned_abs());
    let garbage = gc::find(&store, now, grace)?;
    let apply = args.apply && !args.dry_run;
    if apply {
        gc::remove(&store, &garbage)?;
    }
    if settings.json {
        out_json(&serde_json::json!({ "applied": apply, "garbage": garbage }))?;
        return Ok(ExitStatus::Success);
    }
    let verb = if apply { "removed" } else { "would remove" };
    for key in &garbage.blobs {
        out(&format!("{verb} {key}"))?;
    }
    for path in &garbage.staging {
        out(&format!("{verb} {}", path.display()))?;
    }
    out(&format!(
        "{verb} {} unreferenced blobs ({} bytes) and {} staging leftovers; kept {} unreferenced blobs younger than {} h",
        garbage.blobs.len(),
        garbage.blob_bytes,
        garbage.staging.len(),
        garbage.young_blobs,
        args.grace_hours
    ))?;
    Ok(ExitStatus::Success)
}
