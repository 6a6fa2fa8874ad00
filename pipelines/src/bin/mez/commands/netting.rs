use anyhow::{Context, Result};
use pipelines::jobs::netting::shard::{self, NettingMerge};
use pipelines::jobs::netting::{ConflictRule, LegsMode, NettingConfig, NettingParams};
use pipelines::jobs::{self, netting::Netting};

use super::{ExitStatus, JobSetup};
use crate::cli::{
    ConflictsArg, NettingCommand, NettingMergeArgs, NettingPlanArgs, NettingRunArgs,
    NettingSettingsArgs, ShardMapArgs,
};
use crate::settings::Settings;

pub fn netting(settings: &Settings, command: NettingCommand) -> Result<ExitStatus> {
    match command {
        NettingCommand::Run(args) => run(settings, args),
        NettingCommand::Plan(args) => plan(settings, args),
        NettingCommand::Map(args) => map(settings, args),
        NettingCommand::Merge(args) => merge(settings, args),
    }
}

/// The netting settings the flags ask for.
fn config(args: &NettingSettingsArgs) -> Result<NettingConfig> {
    let value_date = match &args.value_date {
        Some(text) => Some(
            ingest::pacs008::parse_date(text)
                .with_context(|| format!("--value-date {text:?} is not YYYY-MM-DD"))?,
        ),
        None => None,
    };
    Ok(NettingConfig {
        value_date,
        legs: if args.legacy_legs {
            LegsMode::LegacyById
        } else {
            LegsMode::LargestFirst
        },
        conflicts: match args.conflicts {
            ConflictsArg::Hold => ConflictRule::Hold,
            ConflictsArg::KeepAll => ConflictRule::KeepAll,
        },
        read_limits: ingest::pacs008::ReadLimits {
            max_token: args.max_token,
            max_field: args.max_field,
            max_decompressed: args.max_decompressed,
        },
        segment_bytes: args.segment_bytes,
    })
}

fn run(settings: &Settings, args: NettingRunArgs) -> Result<ExitStatus> {
    let config = config(&args.settings)?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let found = jobs::expand_inputs(&args.input, &jobs::PACS008_SUFFIXES)?;
    super::note(
        settings,
        &format!(
            "{} pacs.008 files found under {}",
            found.files.len(),
            roots(&args.input)
        ),
    );
    let params = NettingParams {
        inputs: found.files.clone(),
        config,
        chain: args.settings.chain,
    };
    let summary = jobs::run::<Netting>(&setup.context(), &params)?.summary;
    report(settings, &summary, args.strict, config.conflicts)
}

/// Prints a netting run's summary; the exit status `--strict` asks for.
fn report(
    settings: &Settings,
    summary: &pipelines::artifact::RunSummary,
    strict: bool,
    conflicts: ConflictRule,
) -> Result<ExitStatus> {
    super::print_run(settings, summary, "records")?;
    let conflicting = summary.tables.get("conflicts").map_or(0, |t| t.rows);
    if conflicting > 0 {
        super::note(
            settings,
            &format!(
                "{conflicting} payments share an identity with a payment of different content: {} \
                 (see the conflicts table)",
                match conflicts {
                    ConflictRule::Hold =>
                        "held, none netted; --conflicts keep-all nets each content once",
                    _ => "each distinct content netted once",
                }
            ),
        );
    }
    Ok(if strict && summary.quarantined > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn plan(settings: &Settings, args: NettingPlanArgs) -> Result<ExitStatus> {
    let config = config(&args.settings)?;
    let setup = JobSetup::open(settings, &[])?;
    let found = jobs::expand_inputs(&args.input, &jobs::PACS008_SUFFIXES)?;
    let locations: Vec<Option<String>> = found
        .files
        .iter()
        .map(|f| found.origins.get(&f.path).cloned())
        .collect();
    let (digest, plan) = shard::plan(
        &setup.store,
        setup.context().signer,
        &found.files,
        &locations,
        &config,
        &args.settings.chain,
        args.shards,
    )?;
    if settings.json {
        super::out_json(&serde_json::json!({
            "plan": digest,
            "inputs": plan.inputs.len(),
            "bytes": plan.inputs.iter().map(|i| i.bytes).sum::<u64>(),
            "shards": plan.shards,
            "units": plan.shards.len(),
        }))?;
    } else {
        super::note(
            settings,
            &format!(
                "{} pacs.008 files in {} shards; run `mez netting map --plan {digest} --shard I` \
                 for I in 0..{}, then `mez netting merge --plan {digest}`",
                plan.inputs.len(),
                plan.shards.len(),
                plan.shards.len()
            ),
        );
        super::out(&digest.to_string())?;
    }
    Ok(ExitStatus::Success)
}

fn map(settings: &Settings, args: ShardMapArgs) -> Result<ExitStatus> {
    let digest = super::plan_digest(&args.plan)?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let partial = shard::map(
        &setup.store,
        &setup.context().readers(),
        &digest,
        args.shard,
    )?;
    super::print_partial(settings, args.shard, &partial)
}

fn merge(settings: &Settings, args: NettingMergeArgs) -> Result<ExitStatus> {
    let digest = super::plan_digest(&args.plan)?;
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let finished = match jobs::run::<NettingMerge>(&setup.context(), &digest) {
        Ok(finished) => finished,
        Err(e) => return super::shard_failure(e),
    };
    report(settings, &finished.summary, args.strict, finished.extra)
}

/// The input roots as given, for the operator (tables name inputs relative to them).
pub(super) fn roots(inputs: &[std::path::PathBuf]) -> String {
    inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
