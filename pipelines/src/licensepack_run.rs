//! The licensepack build: a zone's licence register (CSV) in, a signed licensepack out —
//! the `licences` table, its `quarantine`, and the licences' Merkle root
//! (`licences_merkle_root`) in the manifest, on the chain `licensepack-<zone>`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ingest::pacs008::table;
use verify::Digest;
use verify::clock::Clock;
use verify::keys::{SecretKey, TrustSet};
use verify::manifest::Input;
use verify::store::Store;

use crate::artifact::{self, WrittenTable};
use crate::netting_run::RunError;
use crate::publish::{RunDescription, publish_tables};
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
    let name = params.register.display().to_string();
    let quarantine = table::quarantine_batch(&register.quarantine, &|_| digest)?;
    let written = vec![
        artifact::write_table(
            store,
            "licences",
            &pack.licences.schema(),
            std::slice::from_ref(&pack.licences),
            &["licence_id"],
        )?,
        artifact::write_table(
            store,
            "quarantine",
            &quarantine.schema(),
            std::slice::from_ref(&quarantine),
            &["file_digest"],
        )?,
    ];
    let mut parameters = BTreeMap::new();
    parameters.insert(
        "jurisdiction".to_owned(),
        serde_json::json!(params.jurisdiction),
    );
    let mut semantic = BTreeMap::new();
    semantic.insert(
        "licences_merkle_root".to_owned(),
        format!("sha256:{}", hex::encode(pack.merkle_root)),
    );
    let run = RunDescription {
        job: "licensepack".into(),
        chain: chain.clone(),
        parameters,
        inputs: vec![Input {
            name,
            digest,
            bytes,
        }],
        quarantined: register.quarantine.len() as u64,
        semantic,
    };
    let summary = publish_tables(
        store,
        signer,
        trust,
        clock,
        run,
        &written,
        &format!("runs/{chain}/latest"),
    )?;
    Ok((written, summary))
}
