use anyhow::{Context, Result};
use pipelines::netting::{LegsMode, NettingConfig};
use pipelines::netting_run::{self, RunParams};
use verify::clock::SystemClock;

use super::{ExitStatus, progress};
use crate::cli::{NettingCommand, NettingRunArgs};
use crate::settings::Settings;

pub fn netting(settings: &Settings, command: NettingCommand) -> Result<ExitStatus> {
    match command {
        NettingCommand::Run(args) => run(settings, args),
    }
}

fn run(settings: &Settings, args: NettingRunArgs) -> Result<ExitStatus> {
    let value_date = match &args.value_date {
        Some(text) => Some(
            ingest::pacs008::parse_date(text)
                .with_context(|| format!("--value-date {text:?} is not YYYY-MM-DD"))?,
        ),
        None => None,
    };
    let signer = settings.signing_key()?;
    let trust = Settings::trust(&args.trusted_keys)?;
    let store = settings.open_store()?;
    let params = RunParams {
        inputs: args.input,
        config: NettingConfig {
            value_date,
            legs: if args.legacy_legs {
                LegsMode::LegacyById
            } else {
                LegsMode::LargestFirst
            },
        },
        chain: args.chain,
    };
    let reporter = progress::reporter(settings);
    let (_, summary) = netting_run::run(
        &store,
        &signer,
        &trust,
        &SystemClock,
        &params,
        reporter.as_ref(),
    )?;
    super::print_run(settings, &summary, "records")?;
    Ok(if args.strict && summary.quarantined > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
