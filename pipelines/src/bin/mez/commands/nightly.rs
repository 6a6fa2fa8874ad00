use anyhow::{Context, Result};
use pipelines::jobs::nightly::{self, NightlyParams};
use verify::clock::Timestamp;
use verify::keys::SecretKey;
use verify::store::Store;

use super::{ExitStatus, JobSetup, date_or_today, note, out, out_json};
use crate::cli::{
    LockArgs, NightlyArgs, NightlyCommand, NightlyRunArgs, ShardMapArgs, ShardMergeArgs,
};
use crate::settings::Settings;

pub fn nightly(settings: &Settings, args: NightlyArgs) -> Result<ExitStatus> {
    match args.command {
        Some(NightlyCommand::Plan(args)) => plan(settings, args),
        Some(NightlyCommand::Map(args)) => map(settings, args),
        Some(NightlyCommand::Merge(args)) => merge(settings, args),
        None => build(settings, args.run),
    }
}

fn plan(settings: &Settings, args: NightlyRunArgs) -> Result<ExitStatus> {
    anyhow::ensure!(
        !args.locked,
        "--locked is a check on one machine, not a plan"
    );
    let as_of = date_or_today(args.as_of.as_deref())?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let lists_from = match args.lists_from.as_deref() {
        Some(run) => Some(super::manifest_digest(&setup.store, run)?),
        None => None,
    };
    let params = NightlyParams {
        jurisdictions: args.jurisdictions,
        sources: args.sources,
        as_of: Timestamp::from_unix(i64::from(as_of) * 86_400),
        locked: false,
        lists_from,
    };
    let (digest, plan) = nightly::shard::plan(&setup.context(), &params)?;
    if settings.json {
        out_json(&serde_json::json!({
            "plan": digest,
            "shards": plan.units.len(),
            "units": plan.units.len(),
        }))?;
    } else {
        note(
            settings,
            &format!(
                "{} units; run `mez nightly map --plan {digest} --shard I` for I in 0..{}, \
                 then `mez nightly merge --plan {digest}`",
                plan.units.len(),
                plan.units.len()
            ),
        );
        out(&digest.to_string())?;
    }
    Ok(ExitStatus::Success)
}

fn map(settings: &Settings, args: ShardMapArgs) -> Result<ExitStatus> {
    let digest = super::plan_digest(&args.plan)?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let partial = nightly::shard::map(&setup.context(), &digest, args.shard)?;
    super::print_partial(settings, args.shard, &partial)
}

fn merge(settings: &Settings, args: ShardMergeArgs) -> Result<ExitStatus> {
    let digest = super::plan_digest(&args.plan)?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let report = match nightly::shard::merge(&setup.context(), &digest) {
        Ok(report) => report,
        Err(e) => return super::shard_failure(e),
    };
    print_report(settings, &report, false)
}

fn build(settings: &Settings, args: NightlyRunArgs) -> Result<ExitStatus> {
    let as_of = date_or_today(args.as_of.as_deref())?;
    if args.as_of.is_none() && !args.locked {
        note(
            settings,
            "as of today by the clock: pass --as-of to make the packs reproducible",
        );
    }
    let mut params = NightlyParams {
        jurisdictions: args.jurisdictions,
        sources: args.sources,
        as_of: Timestamp::from_unix(i64::from(as_of) * 86_400),
        locked: args.locked,
        lists_from: None,
    };
    let lists_from = args.lists_from.as_deref();
    let report = if args.locked {
        locked(settings, &args.trusted_keys, &mut params, lists_from)?
    } else {
        let setup = JobSetup::open(settings, &args.trusted_keys)?;
        if let Some(run) = lists_from {
            params.lists_from = Some(super::manifest_digest(&setup.store, run)?);
        }
        nightly::run(&setup.context(), &params)?
    };
    print_report(settings, &report, args.locked)
}

/// Prints a nightly report; exit 1 when a pack failed (or did not reproduce).
fn print_report(
    settings: &Settings,
    report: &nightly::NightlyReport,
    locked: bool,
) -> Result<ExitStatus> {
    if settings.json {
        out_json(&report)?;
    } else if locked {
        out(
            "zone         pack         status     expected (locked manifest) / got (rebuilt statement)",
        )?;
        for p in &report.packs {
            out(&format!(
                "{:12} {:12} {:10} {} / {}  {}",
                p.zone,
                p.kind,
                p.status,
                p.manifest.as_deref().unwrap_or("-"),
                p.got.as_deref().unwrap_or("-"),
                p.detail
            ))?;
        }
    } else {
        for p in &report.packs {
            out(&format!(
                "{:12} {:12} {:10} {}  {}",
                p.zone,
                p.kind,
                p.status,
                p.manifest.as_deref().unwrap_or("-"),
                p.detail
            ))?;
        }
        if report.wrote_nothing() {
            note(settings, "nothing changed: no new artifacts");
        }
        if !report.locks_written.is_empty() {
            note(
                settings,
                &format!("stack.lock written for {}", report.locks_written.join(", ")),
            );
        }
    }
    Ok(if report.ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// `--locked`: an auditor's check; no secret key needed, nothing published. The public key
/// of `--key`, when given, lets a signer reproduce whole manifest digests too.
fn locked(
    settings: &Settings,
    trusted_keys: &[std::path::PathBuf],
    params: &mut NightlyParams,
    lists_from: Option<&str>,
) -> Result<nightly::NightlyReport> {
    let trust = settings.reader_trust(trusted_keys)?;
    let signer = match &settings.key_path {
        Some(_) => settings.signing_key()?,
        None => SecretKey::generate("mez-audit")?,
    };
    // An auditor may check locks against an empty store: a missing one is read as empty,
    // and never created.
    let store = match settings.open_existing_store() {
        Ok(store) => store,
        Err(_) => Store::open("memory://")?,
    };
    if let Some(run) = lists_from {
        params.lists_from = Some(super::manifest_digest(&store, run)?);
    }
    let ctx = pipelines::jobs::Context {
        store: &store,
        signer: &signer,
        trust: &trust,
        clock: &verify::clock::SystemClock,
        reporter: &pipelines::report::Silent,
    };
    Ok(nightly::run(&ctx, params)?)
}

pub fn lock(settings: &Settings, args: LockArgs) -> Result<ExitStatus> {
    let store = settings.open_store()?;
    let zone = pipelines::zone::load(&args.zone)?;
    let trust = settings.reader_trust(&args.trusted_keys)?;
    let bytes = nightly::lock_bytes(&store, &trust, &zone)?;
    let path = nightly::lock_path(&zone);
    let (status, exit) = if args.check {
        let current =
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if current == bytes {
            ("up to date", ExitStatus::Success)
        } else {
            ("differs", ExitStatus::Failure)
        }
    } else {
        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        ("written", ExitStatus::Success)
    };
    if settings.json {
        out_json(&serde_json::json!({ "lock": path, "status": status }))?;
    } else if status == "differs" {
        note(
            settings,
            &format!(
                "{}: differs from the store's packs (run `mez lock {}` to rewrite it)",
                path.display(),
                args.zone.display()
            ),
        );
    } else {
        note(settings, &format!("{}: {status}", path.display()));
    }
    Ok(exit)
}
