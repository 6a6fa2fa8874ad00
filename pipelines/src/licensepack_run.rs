//! The licensepack build: a zone's licence register (CSV) in, a signed licensepack out —
//! the `licences` table, its `quarantine`, and the licences' Merkle root
//! (`licences_merkle_root`) in the manifest, on the chain `licensepack-<zone>`.

use std::path::PathBuf;

use verify::Digest;
use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::Input;
use verify::store::Store;

use crate::artifact::{self, WrittenTable};
use crate::netting_run::RunError;
use crate::publish::{RunDescription, publish_run, write_quarantine};
use crate::summary::RunSummary;

/// Parameters of a licensepack build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicensepackParams {
    pub jurisdiction: String,
    pub register: PathBuf,
}

/// Builds and publishes a licensepack.
pub fn run(
    store: &Store,
    signer: &SecretKey,
    trust: &TrustSet,
    clock: &dyn Clock,
    params: &LicensepackParams,
) -> Result<(Vec<WrittenTable>, RunSummary), RunError> {
    let chain = format!("licensepack-{}", params.jurisdiction);
    verify::receipt::check_chain_id(&chain)?;
    let register = ingest::licences::read_licence_register(&params.register)?;
    let pack = packs::licensepack::build(&register.licences).map_err(|e| RunError::Input {
        path: params.register.clone(),
        reason: e.to_string(),
    })?;
    let (digest, bytes) = Digest::of_file(&params.register)?;
    let inputs = vec![Input {
        name: params.register.display().to_string(),
        digest,
        bytes,
    }];
    let mut quarantine = register.quarantine;
    let written = vec![
        artifact::write_table(
            store,
            "licences",
            &pack.licences.schema(),
            std::slice::from_ref(&pack.licences),
            &["licence_id"],
        )?,
        write_quarantine(store, &mut quarantine, &inputs)?,
    ];
    let run = RunDescription::pack(
        "licensepack",
        &params.jurisdiction,
        "licences_merkle_root",
        &pack.merkle_root,
        inputs,
        quarantine.len() as u64,
    );
    let summary = publish_run(store, signer, trust, clock, run, &written)?;
    Ok((written, summary))
}
