use anyhow::Result;
use pipelines::regpack_run::{self, RegpackParams};
use verify::clock::SystemClock;

use super::{ExitStatus, out, out_json};
use crate::cli::{RegpackBuildArgs, RegpackCommand};
use crate::settings::Settings;

pub fn regpack(settings: &Settings, command: RegpackCommand) -> Result<ExitStatus> {
    match command {
        RegpackCommand::Build(args) => build(settings, args),
        RegpackCommand::Diff(args) => diff(settings, args),
    }
}

fn diff(settings: &Settings, args: crate::cli::RegpackDiffArgs) -> Result<ExitStatus> {
    let digest = |t: &str| -> Result<verify::Digest> {
        Ok(if t.starts_with(verify::Digest::PREFIX) {
            t.parse()?
        } else {
            verify::Digest::from_hex(t)?
        })
    };
    let store = settings.open_store()?;
    let before = regpack_run::entries_of(&store, &digest(&args.before)?)?;
    let after = regpack_run::entries_of(&store, &digest(&args.after)?)?;
    let changes = packs::regpack::diff_tables(&before, &after)?;
    if settings.json {
        let rows: Vec<serde_json::Value> = changes
            .iter()
            .map(|(l, u, c)| serde_json::json!({"list": l, "source_uid": u, "change": c}))
            .collect();
        out_json(&rows)?;
    } else {
        out("change,list,source_uid")?;
        for (list, uid, change) in &changes {
            out(&format!("{change},{list},{uid}"))?;
        }
    }
    Ok(ExitStatus::Success)
}

fn build(settings: &Settings, args: RegpackBuildArgs) -> Result<ExitStatus> {
    let signer = settings.signing_key()?;
    let trust = Settings::trust(&args.trusted_keys)?;
    let store = settings.open_store()?;
    let params = RegpackParams {
        jurisdiction: args.jurisdiction,
        lists: args.lists,
    };
    let (_, summary) = regpack_run::run(&store, &signer, &trust, &SystemClock, &params)?;
    super::print_run(settings, &summary, "entries")?;
    Ok(ExitStatus::Success)
}
