use anyhow::Result;
use pipelines::gen_pacs008::{self, GenParams};

use super::{ExitStatus, note, out_json};
use crate::cli::{GenCommand, GenPacs008Args};
use crate::settings::Settings;

pub fn generate(settings: &Settings, command: GenCommand) -> Result<ExitStatus> {
    match command {
        GenCommand::Pacs008(args) => pacs008(settings, args),
    }
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
