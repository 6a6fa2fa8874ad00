use anyhow::{Context, Result};
use verify::audit::{AuditOptions, Report, audit};
use verify::keys::{PublicKey, TrustSet};

use super::{ExitStatus, note, out, out_json};
use crate::cli::VerifyArgs;
use crate::settings::Settings;

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
    let store = settings.open_store()?;
    let mut options = AuditOptions::default();
    if let Some(c) = args.concurrency {
        options.concurrency = c.max(1);
    }
    let report =
        audit(&store, &TrustSet::new(keys), &options).context("verification could not run")?;
    print_report(settings, &report)?;
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
