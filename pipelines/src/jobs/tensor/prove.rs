//! `mez tensor prove`: one cell of a published tensor bound to the tensor's Merkle root by
//! an RFC 6962 inclusion proof.

use arrow::array::{Array, Date32Array, RecordBatch, StringArray, UInt8Array};
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

/// The columns of a stored `tensor` table that its leaves are made of.
struct Cells {
    ids: StringArray,
    juris: StringArray,
    states: StringArray,
    domains: UInt8Array,
    as_of: Date32Array,
}

impl Cells {
    fn of(table: &RecordBatch) -> Result<Self, JobError> {
        let text = |name: &str| text_column(table, "tensor", name);
        Ok(Cells {
            ids: text("entity_id")?,
            juris: text("jurisdiction_id")?,
            states: text("state")?,
            domains: primitive_column::<UInt8Type>(table, "tensor", "domain_index")?,
            as_of: primitive_column::<Date32Type>(table, "tensor", "as_of")?,
        })
    }

    /// The leaf bytes of row `i`, from its fields.
    fn leaf_bytes(&self, i: usize) -> Result<Vec<u8>, JobError> {
        let state = State::parse(self.states.value(i))
            .ok_or_else(|| input_error("tensor", format!("row {i}: bad state")))?;
        Ok(leaf_bytes(
            self.ids.value(i),
            self.juris.value(i),
            self.domains.value(i),
            self.as_of.value(i),
            state,
        ))
    }

    fn leaves(&self) -> Result<Vec<merkle::Hash>, JobError> {
        (0..self.ids.len())
            .map(|i| Ok(merkle::leaf_hash(&self.leaf_bytes(i)?)))
            .collect()
    }
}

/// The Merkle root over a stored `tensor` table's cells, recomputed from its rows.
pub fn root_of_table(table: &RecordBatch) -> Result<merkle::Hash, JobError> {
    Ok(merkle::root_of(&Cells::of(table)?.leaves()?))
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
    let cells = Cells::of(&table)?;
    let wanted =
        zone::domain_index(domain).ok_or_else(|| input_error(domain, "not a compliance domain"))?;
    let leaves = cells.leaves()?;
    let root = hex::encode(merkle::root_of(&leaves));
    if root != signed_root {
        return Err(input_error(
            manifest.to_string(),
            format!(
                "the tensor table's cells give root {root}, the signed manifest says {signed_root}"
            ),
        ));
    }
    let Cells {
        ids,
        juris,
        states,
        domains,
        as_of,
    } = &cells;
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
        leaf_bytes: hex::encode(cells.leaf_bytes(index)?),
        leaf_hash: hex::encode(leaves[index]),
        root,
        proof: proof.iter().map(hex::encode).collect(),
    })
}
