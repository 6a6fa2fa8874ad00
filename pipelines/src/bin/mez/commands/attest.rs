//! `mez attest`: a run as a Verifiable Credential, and the check of one (see
//! `pipelines::attest`).

use anyhow::{Context, Result, bail};
use pipelines::attest::{self, AttestError};

use super::{ExitStatus, manifest_digest, note, out, out_json};
use crate::cli::{AttestArgs, AttestCommand};
use crate::settings::Settings;

pub fn attest(settings: &Settings, args: AttestArgs) -> Result<ExitStatus> {
    match args.command {
        Some(AttestCommand::Verify { file, trusted_keys }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let credential: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not JSON", file.display()))?;
            let trust = settings.reader_trust(&trusted_keys)?;
            let store = settings.open_existing_store().ok();
            match attest::check(&credential, &trust, store.as_ref()) {
                Ok(issuer) => {
                    if settings.json {
                        out_json(&serde_json::json!({ "valid": true, "issuer": issuer }))?;
                    } else {
                        out(&format!("valid: issued by {issuer}"))?;
                    }
                    Ok(ExitStatus::Success)
                }
                Err(e @ (AttestError::Verify(_) | AttestError::Refused(_))) => {
                    if settings.json {
                        out_json(&serde_json::json!({ "valid": false, "reason": e.to_string() }))?;
                    } else {
                        out(&format!("refused: {e}"))?;
                    }
                    Ok(ExitStatus::Failure)
                }
                Err(e) => Err(e.into()),
            }
        }
        None => {
            let Some(run) = &args.run else {
                bail!("give the run: mez attest MANIFEST (or a ref such as runs/netting/latest)");
            };
            let signer = settings.signing_key()?;
            let trust = settings.reader_trust(&args.trusted_keys)?;
            let store = settings.open_existing_store()?;
            let manifest = manifest_digest(&store, run)?;
            let credential = attest::issue(&store, &trust, &manifest, &signer)?;
            let text = serde_json::to_string_pretty(&credential)? + "\n";
            match &args.out {
                Some(path) => {
                    std::fs::write(path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    note(settings, &format!("wrote {}", path.display()));
                }
                None => out(text.trim_end())?,
            }
            Ok(ExitStatus::Success)
        }
    }
}
