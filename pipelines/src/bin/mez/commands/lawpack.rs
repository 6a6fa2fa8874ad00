use anyhow::Result;
use pipelines::jobs;
use pipelines::jobs::packs::lawpack::{self, Lawpack, LawpackParams};
use verify::Digest;

use super::{ExitStatus, JobSetup, out, out_json};
use crate::cli::{LawpackBuildArgs, LawpackCommand, LawpackDiffArgs};
use crate::settings::Settings;

pub fn lawpack(settings: &Settings, command: LawpackCommand) -> Result<ExitStatus> {
    match command {
        LawpackCommand::Build(args) => build(settings, args),
        LawpackCommand::Diff(args) => diff(settings, args),
    }
}

fn build(settings: &Settings, args: LawpackBuildArgs) -> Result<ExitStatus> {
    let setup = JobSetup::open(settings, &args.trusted_keys)?;
    let found = jobs::expand_inputs(&args.input, &[".xml"])?;
    let params = LawpackParams {
        jurisdiction: args.jurisdiction,
        inputs: found.files.clone(),
        validate_xsd: args.validate,
    };
    let summary = jobs::run::<Lawpack>(&setup.context(), &params)?.summary;
    super::print_run(settings, &summary, "documents")?;
    Ok(ExitStatus::Success)
}

fn parse_digest(text: &str) -> Result<Digest> {
    Ok(if text.starts_with(Digest::PREFIX) {
        text.parse()?
    } else {
        Digest::from_hex(text)?
    })
}

fn diff(settings: &Settings, args: LawpackDiffArgs) -> Result<ExitStatus> {
    let store = settings.open_existing_store()?;
    let before = parse_digest(&args.before)?;
    let after = match &args.after {
        Some(a) => parse_digest(a)?,
        None => before,
    };
    let trust = settings.reader_trust(&args.trusted_keys)?;
    let a = lawpack::provisions_of(&store, &trust, &before)?;
    let b = lawpack::provisions_of(&store, &trust, &after)?;
    let changes = packs::lawpack::diff(
        &a,
        &b,
        args.expression_before.as_deref(),
        args.expression_after.as_deref(),
    )?;
    if settings.json {
        let rows: Vec<serde_json::Value> = changes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "provision_key": c.provision_key,
                    "change": c.change,
                    "element": c.element,
                    "num_before": c.num_before,
                    "num_after": c.num_after,
                    "fields": c.fields,
                })
            })
            .collect();
        out_json(&rows)?;
    } else {
        out("change,element,num_before,num_after,fields,provision_key")?;
        for c in &changes {
            out(&format!(
                "{},{},{},{},{},{}",
                c.change,
                c.element,
                csv(c.num_before.as_deref().unwrap_or("")),
                csv(c.num_after.as_deref().unwrap_or("")),
                csv(&c.fields.join(" ")),
                csv(&c.provision_key)
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}

fn csv(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
