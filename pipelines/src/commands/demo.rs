//! `mez demo`: the README's main job on generated data — a demo key, a small generated
//! table, a generated day of pacs.008 payments netted into signed artifacts, and a full
//! verification of the store.

use anyhow::Result;
use pipelines::demo::{self, DemoParams};
use pipelines::gen_pacs008::{self, GenParams};
use pipelines::netting_run::{self, RunParams};
use verify::audit::{AuditOptions, audit};
use verify::clock::SystemClock;
use verify::keys::{SecretKey, TrustSet};

use super::{ExitStatus, note, out_json, progress};
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
    let trust = TrustSet::new([signer.public()]);
    let mut runs = Vec::new();
    if args.transfers > 0 {
        let params = DemoParams {
            transfers: args.transfers,
            seed: args.seed,
        };
        let (_, summary) = demo::run(&store, &signer, &SystemClock, &params)?;
        runs.push(summary);
    }
    if args.transactions > 0 {
        // The generated day lives beside a local store (outside its object prefixes), else in
        // a temporary directory.
        let scratch = tempfile::tempdir()?;
        let input = match store.local_root() {
            Some(root) => root
                .join("demo-input")
                .join(format!("pacs008-seed-{}", args.seed)),
            None => scratch.path().to_owned(),
        };
        let generated = gen_pacs008::generate(
            &input,
            &GenParams {
                transactions: args.transactions,
                banks: 8,
                currencies: vec!["EUR".into(), "USD".into(), "JPY".into()],
                files: 8,
                singles: 16,
                duplicates: 6,
                invalid: 4,
                seed: args.seed,
                value_date: "2026-11-23".into(),
            },
        )?;
        note(
            settings,
            &format!(
                "generated {} pacs.008 files ({} transactions) in {}",
                generated.files.len(),
                generated.transactions,
                input.display()
            ),
        );
        let params = RunParams {
            inputs: vec![input],
            config: Default::default(),
            chain: "demo".into(),
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
        runs.push(summary);
    }
    for summary in &runs {
        note(
            settings,
            &format!(
                "{}: manifest {}, receipt {} on chain {}",
                summary.job, summary.manifest, summary.receipt_sequence, summary.chain
            ),
        );
        for (name, table) in &summary.tables {
            note(
                settings,
                &format!("  {name:14} {:>8} rows  {}", table.rows, table.digest),
            );
        }
    }
    if args.no_verify {
        if settings.json {
            out_json(&serde_json::json!({ "runs": runs }))?;
        }
        return Ok(ExitStatus::Success);
    }
    let report = audit(&store, &trust, &AuditOptions::default())?;
    if settings.json {
        out_json(&serde_json::json!({ "runs": runs, "verify": report }))?;
    } else {
        super::verify::print_report(settings, &report)?;
    }
    Ok(if report.ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
