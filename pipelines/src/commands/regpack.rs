use anyhow::Result;
use pipelines::regpack_run::{self, RegpackParams};
use verify::clock::SystemClock;
use verify::keys::{PublicKey, TrustSet};

use super::{ExitStatus, note, out, out_json};
use crate::cli::{RegpackBuildArgs, RegpackCommand};
use crate::settings::Settings;

pub fn regpack(settings: &Settings, command: RegpackCommand) -> Result<ExitStatus> {
    match command {
        RegpackCommand::Build(args) => build(settings, args),
    }
}

fn build(settings: &Settings, args: RegpackBuildArgs) -> Result<ExitStatus> {
    let signer = settings.signing_key()?;
    let trust = TrustSet::new(
        args.trusted_keys
            .iter()
            .map(|p| PublicKey::read(p))
            .collect::<Result<Vec<_>, _>>()?,
    );
    let store = settings.open_store()?;
    let params = RegpackParams {
        jurisdiction: args.jurisdiction,
        lists: args.lists,
    };
    let (_, summary) = regpack_run::run(&store, &signer, &trust, &SystemClock, &params)?;
    if settings.json {
        out_json(&summary)?;
    } else {
        note(
            settings,
            &format!(
                "regpack: manifest {} (receipt {} on chain {})",
                summary.manifest, summary.receipt_sequence, summary.chain
            ),
        );
        for (name, t) in &summary.tables {
            out(&format!("{name:12} {:>8} rows  {}", t.rows, t.digest))?;
        }
        if summary.quarantined > 0 {
            note(
                settings,
                &format!(
                    "{} entries quarantined (see the quarantine table)",
                    summary.quarantined
                ),
            );
        }
    }
    Ok(ExitStatus::Success)
}
