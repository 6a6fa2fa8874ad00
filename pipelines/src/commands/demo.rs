//! `mez demo`: the README's main job on generated data.

use anyhow::Result;
use pipelines::demo::{self, DemoParams};
use verify::audit::{AuditOptions, audit};
use verify::clock::SystemClock;
use verify::keys::{SecretKey, TrustSet};

use super::{ExitStatus, note, out_json};
use crate::cli::DemoArgs;
use crate::settings::{Settings, demo_key_prefix};

pub fn demo(settings: &Settings, args: DemoArgs) -> Result<ExitStatus> {
    let store = settings.open_store()?;
    let signer = match &settings.key_path {
        Some(_) => settings.signing_key()?,
        None => {
            let prefix = demo_key_prefix(&store);
            let key_file = prefix.with_extension("key");
            if key_file.exists() {
                SecretKey::read(&key_file)?
            } else {
                let key = SecretKey::generate("mez-demo")?;
                let (k, p) = key.write_pair(&prefix)?;
                note(
                    settings,
                    &format!("created demo key {} and {}", k.display(), p.display()),
                );
                key
            }
        }
    };
    let params = DemoParams {
        transfers: args.transfers,
        seed: args.seed,
    };
    let (_, summary) = demo::run(&store, &signer, &SystemClock, &params)?;
    note(
        settings,
        &format!(
            "demo: {} tables, manifest {}, receipt {} on chain {}",
            summary.tables.len(),
            summary.manifest,
            summary.receipt_sequence,
            summary.chain
        ),
    );
    for (name, table) in &summary.tables {
        note(
            settings,
            &format!("  {name}: {} rows, {}", table.rows, table.digest),
        );
    }
    if args.no_verify {
        if settings.json {
            out_json(&serde_json::json!({ "run": summary }))?;
        }
        return Ok(ExitStatus::Success);
    }
    let report = audit(
        &store,
        &TrustSet::new([signer.public()]),
        &AuditOptions::default(),
    )?;
    if settings.json {
        out_json(&serde_json::json!({ "run": summary, "verify": report }))?;
    } else {
        super::verify::print_report(settings, &report)?;
    }
    Ok(if report.ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
