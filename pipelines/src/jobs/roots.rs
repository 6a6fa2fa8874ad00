//! The deep check of `mez verify`: the semantic roots that pack and tensor manifests sign
//! (`entries_merkle_root`, `provisions_merkle_root`, `licences_merkle_root`,
//! `tensor_merkle_root`) recomputed from the rows of the tables they name.
//!
//! The trust kernel checks that each table's bytes are the ones signed; this checks that
//! the root a consumer relies on (a proof of one cell, one entry) is the root of those rows,
//! so a signer's bug or a doctored table-to-root step cannot pass. It reads every pack and
//! tensor table, so it costs about as much as reading them with DuckDB.

use std::collections::BTreeSet;

use serde::Serialize;
use verify::Digest;
use verify::keys::TrustSet;
use verify::store::Store;

use crate::artifact::publish::{open_run, table_of};
use crate::jobs::JobError;

/// Which root each job signs.
pub const SIGNED_ROOTS: [(&str, &str); 4] = [
    ("regpack", "entries_merkle_root"),
    ("lawpack", "provisions_merkle_root"),
    ("licensepack", "licences_merkle_root"),
    ("tensor", "tensor_merkle_root"),
];

/// One root recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootCheck {
    pub manifest: Digest,
    pub chain: String,
    pub root: String,
    /// As signed in the manifest (`sha256:<hex>`).
    pub signed: String,
    /// As recomputed from the rows, or why it could not be.
    pub recomputed: String,
}

impl RootCheck {
    pub fn ok(&self) -> bool {
        self.signed == self.recomputed
    }
}

/// Recomputes the signed roots of every run signed by a key in `trust` (on `chains` only,
/// when given). Runs whose manifests do not open are the audit's business and are skipped.
pub fn recompute(
    store: &Store,
    trust: &TrustSet,
    chains: Option<&BTreeSet<String>>,
) -> Result<Vec<RootCheck>, JobError> {
    let mut checks = Vec::new();
    for item in store.list("manifests/")? {
        let Some(manifest) = verify::store::manifest_of_key(&item.key) else {
            continue;
        };
        let Ok(statement) = open_run(store, trust, &manifest) else {
            continue;
        };
        let p = &statement.predicate;
        if chains.is_some_and(|c| !c.contains(&p.chain)) {
            continue;
        }
        let Some((job, root)) = SIGNED_ROOTS.iter().find(|(job, _)| *job == p.job) else {
            continue;
        };
        let Some(signed) = p.semantic.get(*root) else {
            continue;
        };
        let recomputed = match root_of(store, trust, &manifest, job) {
            Ok(hash) => format!("sha256:{}", hex::encode(hash)),
            Err(e) => format!("not recomputable: {e}"),
        };
        checks.push(RootCheck {
            manifest,
            chain: p.chain.clone(),
            root: (*root).to_owned(),
            signed: signed.clone(),
            recomputed,
        });
    }
    Ok(checks)
}

fn root_of(
    store: &Store,
    trust: &TrustSet,
    manifest: &Digest,
    job: &str,
) -> Result<verify::merkle::Hash, JobError> {
    let table = |name: &str| table_of(store, trust, manifest, name);
    let pack_error = |e: &dyn std::fmt::Display| JobError::input(manifest.to_string(), e);
    Ok(match job {
        "regpack" => packs::regpack::root_of_tables(&table("entries")?, &table("names")?)
            .map_err(|e| pack_error(&e))?,
        "lawpack" => {
            packs::lawpack::root_of_table(&table("provisions")?).map_err(|e| pack_error(&e))?
        }
        "licensepack" => {
            packs::licensepack::root_of_table(&table("licences")?).map_err(|e| pack_error(&e))?
        }
        _ => crate::jobs::tensor::prove::root_of_table(&table("tensor")?)?,
    })
}
