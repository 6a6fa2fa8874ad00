//! `mez tensor prove`: one cell of a published tensor bound to the tensor's Merkle root by
//! an RFC 6962 inclusion proof.

use arrow::datatypes::{Date32Type, UInt8Type};
use verify::Digest;
use verify::keys::TrustSet;
use verify::merkle;
use verify::store::Store;

use super::run::{input_error, iso_date};
use super::{State, leaf_bytes};
use crate::artifact::publish::{open_run, primitive_column, table_of, text_column};
use crate::jobs::JobError;
use crate::zone;

/// An inclusion proof of one cell, in the terms of `mez log verify-inclusion`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellProof {
    pub entity_id: String,
    pub jurisdiction_id: String,
    pub domain: String,
    pub as_of: String,
    pub state: String,
    pub size: u64,
    pub index: u64,
    /// The leaf's bytes (hex), as `mez tensor leaf` recomputes them from the cell's fields.
    pub leaf_bytes: String,
    pub leaf_hash: String,
    /// The signed manifest's `tensor_merkle_root`, which the proof leads to.
    pub root: String,
    pub proof: Vec<String>,
}

/// Proves the cell (entity, domain) of a published tensor (manifest digest) against the
/// `tensor_merkle_root` of its manifest, whose signature is checked against `trust`: the
/// root recomputed from the table must be the signed one, or there is no proof.
pub fn prove(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
    entity_id: &str,
    domain: &str,
) -> Result<CellProof, JobError> {
    let signed_root = open_run(store, trust, manifest)?
        .predicate
        .semantic
        .get("tensor_merkle_root")
        .and_then(|r| r.strip_prefix("sha256:"))
        .map(str::to_owned)
        .ok_or_else(|| {
            input_error(
                manifest.to_string(),
                "the manifest has no tensor_merkle_root",
            )
        })?;
    let table = table_of(store, trust, manifest, "tensor")?;
    let text = |name: &str| text_column(&table, "tensor", name);
    let (ids, juris, states) = (text("entity_id")?, text("jurisdiction_id")?, text("state")?);
    let domains = primitive_column::<UInt8Type>(&table, "tensor", "domain_index")?;
    let as_of = primitive_column::<Date32Type>(&table, "tensor", "as_of")?;
    let wanted =
        zone::domain_index(domain).ok_or_else(|| input_error(domain, "not a compliance domain"))?;
    let state_of = |i: usize| {
        State::parse(states.value(i))
            .ok_or_else(|| input_error(manifest.to_string(), format!("row {i}: bad state")))
    };
    let bytes_of = |i: usize| -> Result<Vec<u8>, JobError> {
        Ok(leaf_bytes(
            ids.value(i),
            juris.value(i),
            domains.value(i),
            as_of.value(i),
            state_of(i)?,
        ))
    };
    let leaves = (0..table.num_rows())
        .map(|i| Ok(merkle::leaf_hash(&bytes_of(i)?)))
        .collect::<Result<Vec<_>, JobError>>()?;
    let root = hex::encode(merkle::root_of(&leaves));
    if root != signed_root {
        return Err(input_error(
            manifest.to_string(),
            format!(
                "the tensor table's cells give root {root}, the signed manifest says {signed_root}"
            ),
        ));
    }
    let index = (0..table.num_rows())
        .find(|&i| ids.value(i) == entity_id && domains.value(i) == wanted)
        .ok_or_else(|| {
            input_error(
                manifest.to_string(),
                format!("no cell for entity {entity_id:?} and domain {domain}"),
            )
        })?;
    let proof = merkle::inclusion_proof(&leaves, index)?;
    Ok(CellProof {
        entity_id: entity_id.to_owned(),
        jurisdiction_id: juris.value(index).to_owned(),
        domain: domain.to_owned(),
        as_of: iso_date(as_of.value(index)),
        state: states.value(index).to_owned(),
        size: leaves.len() as u64,
        index: index as u64,
        leaf_bytes: hex::encode(bytes_of(index)?),
        leaf_hash: hex::encode(leaves[index]),
        root,
        proof: proof.iter().map(hex::encode).collect(),
    })
}
