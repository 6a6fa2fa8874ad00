use anyhow::{Context, Result};
use pipelines::jobs::netting::{ConflictRule, LegsMode, NettingConfig, NettingParams};
use pipelines::jobs::{self, netting::Netting};

use super::{ExitStatus, JobSetup};
use crate::cli::{ConflictsArg, NettingCommand, NettingRunArgs};
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
        config: NettingConfig {
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
        },
        chain: args.chain,
    };
    let summary = jobs::run::<Netting>(&setup.context(), &params)?.summary;
    super::print_run(settings, &summary, "records")?;
    let conflicting = summary.tables.get("conflicts").map_or(0, |t| t.rows);
    if conflicting > 0 {
        super::note(
            settings,
            &format!(
                "{conflicting} payments share an identity with a payment of different content: {} \
                 (see the conflicts table)",
                match args.conflicts {
                    ConflictsArg::Hold =>
                        "held, none netted; --conflicts keep-all nets each content once",
                    ConflictsArg::KeepAll => "each distinct content netted once",
                }
            ),
        );
    }
    Ok(if args.strict && summary.quarantined > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The input roots as given, for the operator (tables name inputs relative to them).
pub(super) fn roots(inputs: &[std::path::PathBuf]) -> String {
    inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
