use anyhow::{Context, Result};
use std::collections::BTreeSet;

use pipelines::jobs::roots;
use verify::audit::{AuditOptions, Failure, Note, Pin, Report, Scope, Witness, audit};
use verify::checkpoint::Checkpoint;
use verify::keys::{PublicKey, TrustSet};

use super::{ExitStatus, note, out, out_json};
use crate::cli::VerifyArgs;
use crate::settings::Settings;

/// Up to this many bytes of blobs, `mez verify` recomputes the signed roots by default: it
/// then reads every pack and tensor table once more, which at 1 GiB takes seconds to a
/// minute; above it, `--deep` asks for it.
const DEEP_BY_DEFAULT_BYTES: u64 = 1 << 30;

pub fn verify(settings: &Settings, args: VerifyArgs) -> Result<ExitStatus> {
    if args.trusted_keys.is_empty() {
        anyhow::bail!(
            "no trusted keys: pass --trusted-key FILE.pub (an auditor pins the keys it trusts)"
        );
    }
    let keys = args
        .trusted_keys
        .iter()
        .map(|p| PublicKey::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let trust = TrustSet::new(keys);
    let store = settings.open_existing_store()?;
    let mut options = AuditOptions::default();
    if let Some(c) = args.concurrency {
        options.concurrency = c.max(1);
    }
    let witness = match &args.state {
        Some(path) if path.exists() => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_slice::<Witness>(&bytes)
                .with_context(|| format!("{}: not a witness state", path.display()))?
        }
        _ => Witness::default(),
    };
    options.pins = witness.chains.values().cloned().collect();
    if let Some(chain) = &args.chain {
        options.scope = Scope::Chain(chain.clone());
    }
    if let Some(run) = &args.run {
        options.scope = Scope::Run(super::manifest_digest(&store, run)?);
    }
    for path in &args.checkpoint {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let (checkpoint, _) = Checkpoint::open(&path.display().to_string(), &bytes, &trust)?;
        let chain = checkpoint.origin.strip_prefix("mez/").with_context(|| {
            format!(
                "{}: origin {:?} is not mez/<chain>",
                path.display(),
                checkpoint.origin
            )
        })?;
        options.pins.push(Pin {
            chain: chain.to_owned(),
            size: checkpoint.size,
            root: hex::encode(checkpoint.root),
        });
    }
    let mut report = audit(&store, &trust, &options).context("verification could not run")?;
    let deep = args.deep || (!args.shallow && report.blob_bytes <= DEEP_BY_DEFAULT_BYTES);
    if deep {
        let chains: BTreeSet<String> = report.chains.keys().cloned().collect();
        let scoped = !matches!(options.scope, Scope::Store);
        let checks = roots::recompute(&store, &trust, scoped.then_some(&chains))?;
        for check in checks.iter().filter(|c| !c.ok()) {
            report.failures.push(Failure {
                object: verify::store::manifest_key(&check.manifest),
                check: format!("semantic {}", check.root),
                expected: check.signed.clone(),
                found: format!("{} recomputed from the tables' rows", check.recomputed),
            });
        }
        report.notes.push(Note {
            object: "semantic roots".into(),
            note: format!("{} signed roots recomputed from their tables", checks.len()),
        });
    } else {
        report.notes.push(Note {
            object: "semantic roots".into(),
            note: format!(
                "not recomputed ({} bytes of blobs is over the default's {DEEP_BY_DEFAULT_BYTES}; pass --deep)",
                report.blob_bytes
            ),
        });
    }
    print_report(settings, &report)?;
    if let Some(path) = &args.state
        && report.ok()
    {
        let state = witness.merged(Witness::of(&report));
        let bytes = verify::canon::to_canonical_vec(&state)?;
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(if report.ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

pub(crate) fn print_report(settings: &Settings, report: &Report) -> Result<()> {
    if settings.json {
        return out_json(report);
    }
    for failure in &report.failures {
        out(&format!(
            "FAIL {}: {}: expected {}, found {}",
            failure.object, failure.check, failure.expected, failure.found
        ))?;
    }
    for n in &report.notes {
        note(settings, &format!("note {}: {}", n.object, n.note));
    }
    let verdict = if report.ok() { "verified" } else { "FAILED" };
    out(&format!(
        "{verdict}: {} manifests, {} blobs ({} bytes), {} receipts on {} chains, {} checkpoints; {} failures",
        report.manifests,
        report.blobs,
        report.blob_bytes,
        report.receipts,
        report.chains.len(),
        report.checkpoints,
        report.failures.len()
    ))
}
