//! `mez tensor prove`: one cell of a published tensor bound to the tensor's Merkle root by
//! an RFC 6962 inclusion proof.

use arrow::datatypes::{Date32Type, UInt8Type};
use verify::Digest;
use verify::merkle;
use verify::store::Store;

use super::run::{input_error, iso_date};
use super::{State, leaf_bytes};
use crate::artifact::publish::{primitive_column, table_of, text_column};
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
    pub leaf_hash: String,
    pub root: String,
    pub proof: Vec<String>,
}

/// Proves the cell (entity, domain) of a published tensor (manifest digest).
pub fn prove(
    store: &Store,
    manifest: &Digest,
    entity_id: &str,
    domain: &str,
) -> Result<CellProof, JobError> {
    let table = table_of(store, manifest, "tensor")?;
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
    let leaves = (0..table.num_rows())
        .map(|i| {
            Ok(merkle::leaf_hash(&leaf_bytes(
                ids.value(i),
                juris.value(i),
                domains.value(i),
                as_of.value(i),
                state_of(i)?,
            )))
        })
        .collect::<Result<Vec<_>, JobError>>()?;
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
        leaf_hash: hex::encode(leaves[index]),
        root: hex::encode(merkle::root_of(&leaves)),
        proof: proof.iter().map(hex::encode).collect(),
    })
}
