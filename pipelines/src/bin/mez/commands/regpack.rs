use anyhow::Result;
use pipelines::jobs;
use pipelines::jobs::packs::regpack::{self, Regpack, RegpackParams};

use super::{ExitStatus, JobSetup, out, out_json};
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
    let store = settings.open_existing_store()?;
    let trust = settings.reader_trust(&args.trusted_keys)?;
    let before = regpack::entries_of(&store, &trust, &digest(&args.before)?)?;
    let after = regpack::entries_of(&store, &trust, &digest(&args.after)?)?;
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
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let params = RegpackParams {
        jurisdiction: args.jurisdiction,
        lists: args.lists.iter().map(|p| jobs::inputs::given(p)).collect(),
        allow_missing_siblings: args.allow_missing_siblings,
    };
    let summary = jobs::run::<Regpack>(&setup.context(), &params)?.summary;
    super::print_run(settings, &summary, "entries")?;
    Ok(ExitStatus::Success)
}
