//! `mez report`: the store verified and shown as one HTML page (see
//! `pipelines::audit_page`).

use anyhow::{Context, Result};
use verify::audit::AuditOptions;

use super::{ExitStatus, note, out_json};
use crate::cli::ReportArgs;
use crate::settings::Settings;

pub fn report(settings: &Settings, args: ReportArgs) -> Result<ExitStatus> {
    let trust = settings.reader_trust(&args.trusted_keys)?;
    let store = settings.open_existing_store()?;
    let page = pipelines::audit_page::render(&store, &trust, &AuditOptions::default())?;
    std::fs::write(&args.out, &page.html)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let failed = !page.verified;
    if settings.json {
        out_json(&serde_json::json!({ "page": args.out, "verified": !failed }))?;
    } else {
        note(settings, &format!("wrote {}", args.out.display()));
    }
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
