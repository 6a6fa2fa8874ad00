//! `mez attest`: a run as a W3C Verifiable Credential 2.0, secured with an `eddsa-jcs-2022`
//! Data Integrity proof ([`verify::vc`]), for systems that consume credentials rather than
//! DSSE envelopes.
//!
//! The credential states what the signed manifest states — the job, its inputs' digests, its
//! output tables' digests and rows, its semantic digests (Merkle roots of packs and tensors)
//! — plus where the run sits on its chain (receipt sequence, and the root of the chain up to
//! it), and for a tensor the zone's cells per state. It is issued by the key that signed the
//! run (`did:key`), at the run's own time, so the same run gives the same credential bytes.

use std::collections::BTreeMap;

use arrow::array::AsArray;
use serde_json::{Value, json};
use verify::Digest;
use verify::keys::{SecretKey, TrustSet};
use verify::store::Store;
use verify::vc::{self, ProofOptions};

use crate::artifact::{self, ArtifactError};

/// What can go wrong issuing or checking a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttestError {
    #[error(transparent)]
    Verify(#[from] verify::Error),
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    #[error("{0}")]
    Refused(String),
}

/// The credential of run `manifest` (signed by a key of `trust`), issued by `signer`, which
/// must be the key that signed the run.
pub fn issue(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
    signer: &SecretKey,
) -> Result<Value, AttestError> {
    let statement = artifact::publish::open_run(store, trust, manifest)?;
    let record = &statement.predicate;
    // Where the run sits on its chain: its receipt, and the root over the chain up to it.
    let receipts = verify::chain::read_chain_trusted(store, &record.chain, trust)?;
    let at = receipts
        .iter()
        .position(|r| r.body.manifest == *manifest)
        .ok_or_else(|| {
            AttestError::Refused(format!(
                "{manifest} is on no receipt of chain {}",
                record.chain
            ))
        })?;
    let root = verify::merkle::root_of(&verify::chain::leaves(&receipts[..=at]));
    let mut subject = json!({
        "id": format!("urn:mez:manifest:{manifest}"),
        "job": record.job,
        "chain": record.chain,
        "inputs": record.inputs.iter().map(|i| json!({
            "name": i.name, "digest": i.digest.to_string(), "bytes": i.bytes,
        })).collect::<Vec<_>>(),
        "outputs": statement.subject.iter().map(|s| json!({
            "name": s.name,
            "digest": format!("sha256:{}", s.digest.get("sha256").map_or("", String::as_str)),
            "rows": s.annotations.rows,
        })).collect::<Vec<_>>(),
        "receipt": { "sequence": receipts[at].body.sequence, "digest": receipts[at].digest.to_string() },
        "chainRoot": { "size": at as u64 + 1, "root": format!("sha256:{}", hex::encode(root)) },
        "semantic": record.semantic,
    });
    if record.job == "tensor"
        && let Some(table) = statement.subject.iter().find(|s| s.name == "tensor")
    {
        let (_, batches) = artifact::read_table(store, &table.sha256()?)?;
        let mut states: BTreeMap<String, u64> = BTreeMap::new();
        for b in &batches {
            let Some(column) = b
                .column_by_name("state")
                .and_then(|c| c.as_string_opt::<i32>())
            else {
                continue;
            };
            for state in column.iter().flatten() {
                *states.entry(state.to_owned()).or_default() += 1;
            }
        }
        subject["cellsPerState"] = json!(states);
    }
    let (issuer, method) = vc::did_key(&signer.public());
    let signed_by_issuer = receipts[at].proof.keyid == signer.public().key_id();
    if !signed_by_issuer {
        return Err(AttestError::Refused(format!(
            "{manifest} was not published by the key {} (the issuer must be the run's signer)",
            signer.name()
        )));
    }
    let time = record.time.to_string();
    let credential = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2"
        ],
        "id": format!("urn:mez:run:{manifest}"),
        "type": ["VerifiableCredential", "MezRunCredential"],
        "issuer": issuer,
        "validFrom": time,
        "credentialSubject": subject,
    });
    let options = ProofOptions {
        verification_method: method,
        created: time,
        proof_purpose: "assertionMethod".into(),
    };
    Ok(vc::sign(&credential, &options, signer)?)
}

/// Checks a credential's proof, that its issuer's key is one of `trust`, and, when `store`
/// holds the run it names, that its outputs are the run's. Returns the issuer key's name.
pub fn check(
    credential: &Value,
    trust: &TrustSet,
    store: Option<&Store>,
) -> Result<String, AttestError> {
    let key = vc::verify(credential)?;
    let issuer = trust
        .keys()
        .iter()
        .find(|k| k.verifying_key().as_bytes() == key.as_bytes())
        .ok_or_else(|| {
            AttestError::Refused("the proof is valid, but by a key not trusted".into())
        })?;
    if let Some(store) = store {
        let named = credential["credentialSubject"]["id"]
            .as_str()
            .and_then(|id| id.strip_prefix("urn:mez:manifest:"))
            .and_then(|d| d.parse::<Digest>().ok())
            .ok_or_else(|| AttestError::Refused("the subject names no mez manifest".into()))?;
        let statement = artifact::publish::open_run(store, trust, &named)?;
        let outputs: Vec<(String, String)> = statement
            .subject
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    format!(
                        "sha256:{}",
                        s.digest.get("sha256").map_or("", String::as_str)
                    ),
                )
            })
            .collect();
        let claimed: Vec<(String, String)> = credential["credentialSubject"]["outputs"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|o| {
                        (
                            o["name"].as_str().unwrap_or_default().to_owned(),
                            o["digest"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if claimed != outputs {
            return Err(AttestError::Refused(
                "the outputs it claims are not the run's in the store".into(),
            ));
        }
    }
    Ok(issuer.name().to_owned())
}
