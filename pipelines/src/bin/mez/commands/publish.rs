//! `mez publish --adopt`: a manifest left on no chain, put on its chain.

use anyhow::Result;
use verify::clock::SystemClock;

use super::{ExitStatus, manifest_digest, note, out_json};
use crate::cli::PublishArgs;
use crate::settings::Settings;

pub fn publish(settings: &Settings, args: PublishArgs) -> Result<ExitStatus> {
    let signer = settings.signing_key()?;
    let trust = Settings::trust(&args.trusted_keys)?;
    let store = settings.open_existing_store()?;
    let manifest = manifest_digest(&store, &args.adopt)?;
    let publication = verify::chain::adopt(&store, &signer, &trust, &SystemClock, &manifest)?;
    if settings.json {
        out_json(&serde_json::json!({
            "manifest": publication.manifest,
            "chain": publication.receipt.body.chain,
            "receipt_sequence": publication.receipt.body.sequence,
            "checkpoint_size": publication.checkpoint.size,
        }))?;
    } else {
        note(
            settings,
            &format!(
                "{}: receipt {} on chain {} (checkpoint size {})",
                publication.manifest,
                publication.receipt.body.sequence,
                publication.receipt.body.chain,
                publication.checkpoint.size
            ),
        );
    }
    Ok(ExitStatus::Success)
}
