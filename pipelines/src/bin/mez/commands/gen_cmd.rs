use anyhow::{Context, Result};
use pipelines::generators::names::{self as gen_names, NamesParams};
use pipelines::generators::pacs008::{self as gen_pacs008, GenParams};

use super::{ExitStatus, note, out_json};
use crate::cli::{GenCommand, GenNamesArgs, GenPacs008Args, GenSourcesArgs};
use crate::settings::Settings;

pub fn generate(settings: &Settings, command: GenCommand) -> Result<ExitStatus> {
    match command {
        GenCommand::Pacs008(args) => pacs008(settings, args),
        GenCommand::Names(args) => names(settings, args),
        GenCommand::Sources(args) => sources(settings, args),
    }
}

fn sources(settings: &Settings, args: GenSourcesArgs) -> Result<ExitStatus> {
    let generated = pipelines::generators::zone::generate(
        &args.jurisdictions,
        &args.out,
        args.seed,
        args.entities,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if settings.json {
        out_json(&serde_json::json!({
            "files": generated.files.len(),
            "zones": generated.zones,
        }))?;
    } else {
        note(
            settings,
            &format!(
                "wrote {} files for {} zones to {}",
                generated.files.len(),
                generated.zones,
                args.out.display()
            ),
        );
    }
    Ok(ExitStatus::Success)
}

fn names(settings: &Settings, args: GenNamesArgs) -> Result<ExitStatus> {
    let params = NamesParams {
        count: args.count,
        seed: args.seed,
    };
    gen_names::write_names(&args.out, params)
        .with_context(|| format!("writing {}", args.out.display()))?;
    if settings.json {
        out_json(&serde_json::json!({ "names": args.count }))?;
    } else {
        note(
            settings,
            &format!("wrote {} names to {}", args.count, args.out.display()),
        );
    }
    Ok(ExitStatus::Success)
}

fn pacs008(settings: &Settings, args: GenPacs008Args) -> Result<ExitStatus> {
    let params = GenParams {
        transactions: args.transactions,
        banks: args.banks,
        currencies: args
            .currencies
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
        files: args.files,
        singles: args.singles,
        duplicates: args.duplicates,
        conflicts: args.conflicts,
        invalid: args.invalid,
        seed: args.seed,
        value_date: args.value_date,
    };
    let generated = gen_pacs008::generate(&args.out, &params)?;
    if settings.json {
        out_json(&serde_json::json!({
            "files": generated.files.len(),
            "transactions": generated.transactions,
            "bytes": generated.bytes,
        }))?;
    } else {
        note(
            settings,
            &format!(
                "wrote {} files, {} transactions, {} bytes to {}",
                generated.files.len(),
                generated.transactions,
                generated.bytes,
                args.out.display()
            ),
        );
    }
    Ok(ExitStatus::Success)
}
